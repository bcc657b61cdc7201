/**
 * WAIT numreplicas timeout: blocks until enough replicas acknowledged the
 * client's writes (state and GETACK in lib/server/wait.ts).
 */
import type { Client } from "../server/client.ts";
import { defineCommand } from "./table.ts";
import { parseInt64 } from "./args.ts";
import { blockForAcks, countAcks, ERR_WAIT_REPLICA, isReplica } from "../server/wait.ts";

function wait(c: Client, args: string[]): void {
  if (isReplica(c.server)) return c.out.error(ERR_WAIT_REPLICA);
  const numreplicas = parseInt64(args[1]);
  if (numreplicas === null) return c.out.error("ERR value is not an integer or out of range");
  const timeout = parseInt64(args[2]);
  if (timeout === null) return c.out.error("ERR timeout is not an integer or out of range");
  if (timeout < 0) return c.out.error("ERR timeout is negative");
  const acked = countAcks(c.server, c.woff);
  // Inside MULTI it answers at once with the count it has.
  if (acked >= numreplicas || !c.mayBlock) return c.out.int(acked);
  blockForAcks(c, args, Number(numreplicas), Number(timeout));
}

/** WAIT. */
export const waitCommands = [
  defineCommand({
    name: "wait",
    arity: 3,
    flags: "noscript",
    group: "generic",
    since: "3.0.0",
    summary:
      "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
    complexity: "O(1)",
    categories: ["connection"],
    tips: "request_policy:all_shards response_policy:agg_min",
    args: "numreplicas.integer timeout.integer",
    handler: wait,
  }),
];
