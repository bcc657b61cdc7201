/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's "transactions" group).
 *
 * The dispatcher queues a client's commands while `c.multi` is set (after
 * every check a command gets, so a refusal dooms the transaction); EXEC
 * runs the queue here through runCommand, in one synchronous stretch, so no
 * other client's command and no snapshot falls in between. Its writes are
 * logged as one MULTI ... EXEC block (the propagation block). WATCH state
 * lives in lib/server/watch.ts.
 */
import type { Client, Transaction } from "../server/client.ts";
import { unwatchAll, watchedKeyExpired, watchKey } from "../server/watch.ts";
import { aclExecDenied } from "../server/aclcheck.ts";
import {
  beginPropagationBlock,
  type CommandSpec,
  defineCommand,
  endPropagationBlock,
  runCommand,
} from "./table.ts";

function multi(c: Client): void {
  if (c.multi !== null) return c.out.error("ERR MULTI calls can not be nested");
  c.multi = { queue: [], aborted: false, allocated: 0, argvMem: 0, writes: false };
  c.out.ok();
}

function discard(c: Client): void {
  if (c.multi === null) return c.out.error("ERR DISCARD without MULTI");
  c.endTransaction();
  c.out.ok();
}

function exec(c: Client): void | Promise<void> {
  const t = c.multi;
  if (t === null) return c.out.error("ERR EXEC without MULTI");
  const lock = c.server.keyspace.lock;
  if (t.writes && lock.locked) {
    // A snapshot or load holds the store: the whole transaction waits for it.
    return lock.whenFree().then(() => exec(c));
  }
  // A key watched while alive that has expired since counts as changed.
  if (!c.dirtyCas && watchedKeyExpired(c)) c.dirtyCas = true;
  if (t.aborted || c.dirtyCas) {
    if (t.aborted) c.out.error("EXECABORT Transaction discarded because of previous errors.");
    else c.out.nullArray();
    c.endTransaction();
    return;
  }
  unwatchAll(c); // its own writes must not doom it
  c.denyBlocking++; // blocking commands act as their non-blocking forms
  const opened = beginPropagationBlock();
  c.out.array(t.queue.length);
  return runQueue(c, t, 0, opened, c.argc);
}

/**
 * Runs the queue from `i`; synchronous unless a queued command's handler is
 * asynchronous (then the rest runs when it settles).
 */
function runQueue(
  c: Client,
  t: Transaction,
  i: number,
  opened: boolean,
  argc: number,
): void | Promise<void> {
  try {
    for (; i < t.queue.length; i++) {
      const { cmd, args } = t.queue[i];
      c.argc = args.length; // CLIENT LIST tot-mem counts the running command's pointers
      if (!c.user.unrestricted) {
        // The rules may have changed since the command was queued (Redis 7.0 checks again).
        const refused = aclExecDenied(c, cmd, args);
        if (refused !== null) {
          c.out.error(refused);
          continue;
        }
      }
      const r = runCommand(c, cmd, args);
      if (r instanceof Promise) {
        return r.then(
          () => runQueue(c, t, i + 1, opened, argc),
          (e) => {
            done(c, opened, argc);
            throw e;
          },
        );
      }
    }
  } catch (e) {
    done(c, opened, argc);
    throw e;
  }
  done(c, opened, argc);
}

function done(c: Client, opened: boolean, argc: number): void {
  c.denyBlocking--;
  c.argc = argc;
  c.endTransaction();
  if (opened) endPropagationBlock(c);
  c.propagateAs = null; // EXEC itself is never logged: its commands were, as a block
}

function watch(c: Client, args: string[]): void {
  if (c.multi !== null) return c.out.error("ERR WATCH inside MULTI is not allowed");
  // Already doomed: watching more changes nothing.
  if (!c.dirtyCas) { for (let i = 1; i < args.length; i++) watchKey(c, args[i]); }
  c.out.ok();
}

function unwatch(c: Client): void {
  unwatchAll(c);
  c.dirtyCas = false;
  c.out.ok();
}

/** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
export const multiCommands: CommandSpec[] = [
  defineCommand({
    name: "multi",
    arity: 1,
    flags: "noscript loading stale fast allow_busy",
    group: "transactions",
    since: "1.2.0",
    summary: "Mark the start of a transaction block",
    complexity: "O(1)",
    handler: multi,
  }),
  defineCommand({
    name: "exec",
    arity: 1,
    flags: "noscript loading stale skip_slowlog",
    group: "transactions",
    since: "1.2.0",
    summary: "Execute all commands issued after MULTI",
    complexity: "Depends on commands in the transaction",
    handler: exec,
  }),
  defineCommand({
    name: "discard",
    arity: 1,
    flags: "noscript loading stale fast allow_busy",
    group: "transactions",
    since: "2.0.0",
    summary: "Discard all commands issued after MULTI",
    complexity: "O(N), when N is the number of queued commands",
    handler: discard,
  }),
  defineCommand({
    name: "watch",
    arity: -2,
    flags: "noscript loading stale fast allow_busy",
    keys: [1, -1, 1],
    keySpecs: [{
      flags: ["RO"],
      index: 1,
      find: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
    }],
    group: "transactions",
    since: "2.2.0",
    summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
    complexity: "O(1) for every key.",
    syntax: "key [key ...]",
    handler: watch,
  }),
  defineCommand({
    name: "unwatch",
    arity: 1,
    flags: "noscript loading stale fast allow_busy",
    group: "transactions",
    since: "2.2.0",
    summary: "Forget about all watched keys",
    complexity: "O(1)",
    handler: unwatch,
  }),
];
