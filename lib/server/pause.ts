/**
 * CLIENT PAUSE WRITE|ALL and CLIENT UNPAUSE (Redis 7.0's pauseClients /
 * unpauseClients): commands of paused kinds wait (the client is postponed,
 * as Redis's blockPostponeClient) until the pause ends, then go through the
 * dispatcher again, in the order they arrived.
 *
 * As in Redis 7.0: ALL postpones every command of every client (CLIENT
 * UNPAUSE included: only the timeout ends such a pause); WRITE postpones
 * commands flagged write or may_replicate (PUBLISH, PFCOUNT, EVAL ...),
 * scripts by their shebang / function flags (no-writes runs), and EXEC
 * when its queue holds such a command. A second pause keeps the later end
 * and the stricter kind. While a pause holds, postponed clients show flag
 * `b` and count in blocked_clients, are never closed as idle (a killed or
 * vanished one leaves at once and never runs), active expiry does not run
 * (the server cron asks `clientsPaused`), an expired key reads as gone but
 * is not deleted (Keyspace.expiryPaused), and eviction waits (it asks
 * `pausesActive`, lib/server/evict.ts). CLIENT UNBLOCK leaves a postponed
 * client alone (Redis 7.0.15 crashes on it).
 */
import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";
import type { Server } from "./server.ts";
import { parseShebang, sha1hex } from "../commands/scripting.ts";
import { scriptState } from "../scripting/runner.ts";
import { functionRegistry } from "../scripting/functions.ts";

/** Number of pauses in force on any server (one field read on the hot path). */
export let pausesActive = 0;

/** Adjusts pausesActive (+1 when a pause starts, -1 when it ends). */
export function countPause(n: 1 | -1): void {
  pausesActive += n;
}

/** What a pause holds back: write-like commands, or every command. */
export type PauseKind = "write" | "all";

/** One server's pause in force. */
interface Pause {
  kind: PauseKind;
  /** Date.now() at which it ends. */
  end: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Postponed clients, oldest first, and what resumes each. */
  waiting: { c: Client; resume: () => void }[];
}

const pauses = new WeakMap<Server, Pause>();
/** The longest delay a timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts or extends `server`'s pause until `end` (ms since the epoch), as
 * Redis's pauseClients: the later end and the stricter kind win.
 */
export function pauseClients(server: Server, end: number, kind: PauseKind): void {
  let p = pauses.get(server);
  if (p === undefined) {
    p = { kind, end, timer: undefined, waiting: [] };
    pauses.set(server, p);
    countPause(1);
    server.keyspace.expiryPaused = true;
  } else {
    if (kind === "all") p.kind = "all";
    if (end > p.end) p.end = end;
    clearTimeout(p.timer);
  }
  // Timers may fire a little early, and wait at most 2^31-1 ms: the check
  // re-arms until the end is past.
  const check = () => {
    const q = pauses.get(server);
    if (q === undefined) return;
    const left = q.end - Date.now();
    if (left < 0) unpauseClients(server);
    else q.timer = setTimeout(check, Math.min(left + 1, MAX_TIMER_MS));
  };
  p.timer = setTimeout(check, Math.min(Math.max(0, p.end - Date.now() + 1), MAX_TIMER_MS));
}

/**
 * Ends `server`'s pause (CLIENT UNPAUSE, or its timeout): postponed clients
 * resume in the order they were postponed.
 */
export function unpauseClients(server: Server): void {
  const p = pauses.get(server);
  if (p === undefined) return;
  pauses.delete(server);
  countPause(-1);
  server.keyspace.expiryPaused = false;
  clearTimeout(p.timer);
  for (const w of p.waiting) {
    w.c.postponed = false;
    w.resume();
  }
}

/** Releases a postponed client that was closed: it leaves the pause's queue (and never runs). */
export function dropPostponed(c: Client): void {
  const p = pauses.get(c.server);
  c.postponed = false;
  if (p === undefined) return;
  const i = p.waiting.findIndex((w) => w.c === c);
  if (i < 0) return;
  const [w] = p.waiting.splice(i, 1);
  w.resume();
}

/**
 * The kind of pause in force on `server`, or null; a pause past its end
 * ends here (Redis's checkClientPauseTimeoutAndReturnIfPaused).
 */
export function clientsPaused(server: Server): PauseKind | null {
  if (pausesActive === 0) return null;
  const p = pauses.get(server);
  if (p === undefined) return null;
  if (p.end < Date.now()) {
    unpauseClients(server);
    return null;
  }
  return p.kind;
}

/** Clients postponed by `server`'s pause now (counted in INFO blocked_clients). */
export function postponedClients(server: Server): number {
  return pauses.get(server)?.waiting.length ?? 0;
}

/**
 * When `cmd` must wait for the pause on `c`'s server to end, a promise that
 * settles then; null to run it now.
 */
export function pausedUntil(c: Client, cmd: Command, args: string[]): Promise<void> | null {
  // The AOF loader replays what already happened.
  if (c.loader) return null;
  const kind = clientsPaused(c.server);
  if (kind === null) return null;
  if (kind === "write" && !writesOrReplicates(c, cmd, args)) return null;
  const p = pauses.get(c.server)!;
  c.postponed = true;
  // CLIENT LIST cmd= shows the postponed command, as Redis sets lastcmd at lookup.
  c.lastCommand = cmd;
  return new Promise((resume) => p.waiting.push({ c, resume }));
}

/**
 * Redis 7.0's CMD_MAY_REPLICATE commands, for a table that does not flag them
 * (COMMAND INFO never shows the flag).
 */
const MAY_REPLICATE = new Set(["eval", "evalsha", "fcall", "publish", "spublish", "pfcount"]);

/** Scripts whose flags decide instead of the command's (Redis's getCommandFlags). */
const SCRIPT_COMMANDS = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);

/**
 * Redis's is_may_replicate_command: the command's flags say write or
 * may_replicate — for scripts, as their declared flags make them (a script
 * declaring flags writes unless no-writes, and never counts as
 * may_replicate); EXEC, by what its queue holds.
 */
function writesOrReplicates(c: Client, cmd: Command, args: string[]): boolean {
  const name = cmd.fullName;
  if (name === "exec") {
    return c.multi?.queue.some((q) => writesOrReplicates(c, q.cmd, q.args)) ?? false;
  }
  const flags = cmd.spec.flags;
  const own = flags.includes("write") || flags.includes("may_replicate") ||
    MAY_REPLICATE.has(name);
  if (!SCRIPT_COMMANDS.has(name) || args.length < 2) return own;
  let noWrites: boolean;
  if (name.startsWith("fcall")) {
    const fn = functionRegistry(c.server).lookup(args[1]);
    if (fn === undefined) return own;
    noWrites = fn.flags.has("no-writes");
  } else {
    const isSha = name.startsWith("evalsha");
    if (isSha && args[1].length !== 40) return own;
    const cached = scriptState(c.server).scripts.get(
      isSha ? args[1].toLowerCase() : sha1hex(args[1]),
    );
    let flags = cached?.flags;
    if (flags === undefined) {
      if (isSha) return own;
      const parsed = parseShebang(args[1]);
      if (typeof parsed === "string") return own;
      flags = parsed.flags;
    }
    if (flags.legacy) return own;
    noWrites = flags.noWrites;
  }
  return !noWrites;
}
