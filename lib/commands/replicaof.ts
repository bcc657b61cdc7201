/**
 * REPLICAOF and SLAVEOF: follow a master, or become one again (the link
 * itself is lib/server/replica.ts).
 */
import type { Client } from "../server/client.ts";
import { defineCommand } from "./table.ts";
import { parseInt64 } from "../util/int64.ts";
import { replicationOf } from "../server/replication.ts";
import { followMaster, stopFollowing } from "../server/replica.ts";

function replicaof(c: Client, args: string[]): void {
  const server = c.server;
  const r = replicationOf(server);
  if (args[1].toLowerCase() === "no" && args[2].toLowerCase() === "one") {
    if (r.masterHost !== null) {
      stopFollowing(server);
      server.log.notice(`MASTER MODE enabled (user request from '${c.info()}')`);
    }
    return c.out.ok();
  }
  // It would have to drop its own link to follow another master.
  if (c.replica !== null) return c.out.error("ERR Command is not valid when client is a replica.");
  const port = parseInt64(args[2]);
  if (port === null || port < 0n || port > 65535n) return c.out.error("ERR Invalid master port");
  const host = args[1];
  if (
    r.masterHost !== null && r.masterHost.toLowerCase() === host.toLowerCase() &&
    r.masterPort === Number(port)
  ) {
    server.log.notice(
      "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.",
    );
    return c.out.simple("OK Already connected to specified master");
  }
  followMaster(server, host, Number(port));
  server.log.notice(
    `REPLICAOF ${host}:${port} enabled (user request from '${c.info()}')`,
  );
  c.out.ok();
}

const REPLICAOF_ARGS =
  "args.oneof(host-port.block(host port.integer) no-one.block(no'NO' one'ONE'))";

/** REPLICAOF, SLAVEOF. */
export const replicaofCommands = [
  defineCommand({
    name: "replicaof",
    arity: 3,
    flags: "admin noscript stale no_async_loading",
    group: "server",
    since: "5.0.0",
    summary: "Make the server a replica of another instance, or promote it as master.",
    complexity: "O(1)",
    args: REPLICAOF_ARGS,
    handler: replicaof,
  }),
  defineCommand({
    name: "slaveof",
    arity: 3,
    flags: "admin noscript stale no_async_loading",
    group: "server",
    since: "1.0.0",
    summary: "Make the server a replica of another instance, or promote it as master.",
    complexity: "O(1)",
    docFlags: "deprecated",
    deprecatedSince: "5.0.0",
    replacedBy: "`REPLICAOF`",
    args: REPLICAOF_ARGS,
    handler: replicaof,
  }),
];
