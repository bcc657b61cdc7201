/**
 * Persistence commands: SAVE, BGSAVE, BGREWRITEAOF and SNAPSHOT (seed 001's
 * named snapshot). LASTSAVE, SHUTDOWN and DEBUG RELOAD live with the server
 * commands; the work itself is in lib/persistence/persistence.ts.
 */
import type { Client } from "../server/client.ts";
import { osErrorText } from "../util/oserror.ts";
import { ERR_SYNTAX, isKeyword } from "./args.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

async function save(c: Client): Promise<void> {
  const p = c.server.persistence;
  if (p.saveInProgress) return c.out.error("ERR Background save already in progress");
  if (await p.saveNow("SAVE")) c.out.ok();
  else c.out.error("ERR");
}

function bgsave(c: Client, args: string[]): void {
  const schedule = args.length === 2 && isKeyword(args[1], "SCHEDULE");
  if (args.length > 2 || (args.length === 2 && !schedule)) return c.out.error(ERR_SYNTAX);
  const p = c.server.persistence;
  const running = p.cycleDumps;
  if (running === true) return c.out.error("ERR Background save already in progress");
  if (running === false) {
    if (!schedule) {
      return c.out.error(
        "ERR Another child process is active (AOF?): can't BGSAVE right now. " +
          "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
      );
    }
    p.bgsaveScheduled = true;
    return c.out.simple("Background saving scheduled");
  }
  p.startCycle({ dump: true, reason: "BGSAVE" });
  c.out.simple("Background saving started");
}

function bgrewriteaof(c: Client): void {
  const p = c.server.persistence;
  const running = p.cycleDumps;
  if (running === false) {
    return c.out.error("ERR Background append only file rewriting already in progress");
  }
  if (running === true) {
    p.rewriteScheduled = true;
    return c.out.simple("Background append only file rewriting scheduled");
  }
  p.startCycle({ dump: false, reason: "BGREWRITEAOF" });
  c.out.simple("Background append only file rewriting started");
}

/** A plain file name inside `dir`: no separators, no parent references. */
export function isPlainFileName(name: string): boolean {
  return name !== "" && name !== "." && !name.includes("/") && !name.includes("\\") &&
    !name.includes("..") && !name.includes("\0");
}

async function snapshot(c: Client, args: string[]): Promise<void> {
  if (args.length > 2) return c.out.error(ERR_SYNTAX);
  const name = args[1] ?? `snapshot-${Date.now()}.rdb`;
  if (!isPlainFileName(name)) {
    return c.out.error(
      "ERR invalid snapshot file name: give a plain file name inside dir " +
        "(no path separators, no '..')",
    );
  }
  try {
    await c.server.persistence.snapshotTo(name);
  } catch (e) {
    c.server.log.warning(`Failed writing the snapshot ${name}: ${osErrorText(e)}`);
    return c.out.error(`ERR failed writing the snapshot ${name}: ${osErrorText(e)}`);
  }
  c.out.bulk(name);
}

const FLAGS = "admin noscript no_async_loading";

export const persistenceCommands: CommandSpec[] = [
  defineCommand({
    name: "save",
    arity: 1,
    flags: `${FLAGS} no_multi`,
    group: "server",
    since: "1.0.0",
    summary: "Synchronously save the dataset to disk",
    complexity: "O(N) where N is the total number of keys in all databases",
    handler: save,
  }),
  defineCommand({
    name: "bgsave",
    arity: -1,
    flags: FLAGS,
    group: "server",
    since: "1.0.0",
    summary: "Asynchronously save the dataset to disk",
    complexity: "O(1)",
    syntax: "[SCHEDULE]",
    history: [["3.2.2", "Added the `SCHEDULE` option."]],
    args: "schedule'SCHEDULE'@3.2.2?",
    handler: bgsave,
  }),
  defineCommand({
    name: "bgrewriteaof",
    arity: 1,
    flags: FLAGS,
    group: "server",
    since: "1.0.0",
    summary: "Asynchronously rewrite the append-only file",
    complexity: "O(1)",
    handler: bgrewriteaof,
  }),
  defineCommand({
    name: "snapshot",
    arity: -1,
    flags: FLAGS,
    group: "server",
    since: "7.0.0",
    summary: "Write a point-in-time RDB snapshot to a named file inside dir",
    complexity: "O(N) where N is the total number of keys in all databases",
    syntax: "[filename]",
    handler: snapshot,
  }),
];
