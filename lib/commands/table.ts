/**
 * The command table and the dispatcher.
 *
 * Every command is data (CommandSpec): name, arity, flags, key positions,
 * group, docs, handler. `dispatch` applies every rule shared by commands
 * once, from that data: lookup, unknown command / subcommand, arity,
 * authentication, the store lock for writers, reply modes, MONITOR feed,
 * statistics and SLOWLOG. Handlers contain only their own logic.
 */
import { Dict } from "../store/dict.ts";
import { ERR_MASTERDOWN, ERR_READONLY_REPLICA, parseInt64 } from "./args.ts";
import type { Client } from "../server/client.ts";
import { LatencyHistogram } from "../server/latency.ts";
import { trackCommand, trackingServers } from "../server/tracking.ts";
import { aclDenied } from "../server/aclcheck.ts";
import { evictBeforeCommand } from "../server/evict.ts";
import { pausedUntil, pausesActive } from "../server/pause.ts";
import { ERR_NOREPLICAS, noteWriteOffset, tooFewReplicas } from "../server/wait.ts";

export type Handler = (c: Client, args: string[]) => void | Promise<void>;

/** A command to log and the database it ran in. */
type LoggedOp = [db: number, args: readonly string[]];

/**
 * Commands run by a command (EXEC's queue, a script's redis.call) log here
 * instead of to the AOF; the command that opened the block logs them all
 * at its end as one unit (endPropagationBlock).
 */
let openBlock: LoggedOp[] | null = null;

/**
 * Starts collecting what the commands run from now on log, for EXEC and
 * scripts. Returns false when a block is already open (EVAL inside MULTI):
 * the inner commands then join the outer block, which its opener flushes.
 */
export function beginPropagationBlock(): boolean {
  if (openBlock !== null) return false;
  openBlock = [];
  return true;
}

/**
 * Logs the block opened by beginPropagationBlock as Redis 7.0 does: one
 * command as it is, more wrapped in MULTI/EXEC (MULTI in the first
 * command's database, EXEC in the last's, so no SELECT lands between).
 * `c` is the client whose reply waits for the block under appendfsync always.
 */
export function endPropagationBlock(c: Client): void {
  const ops = openBlock ?? [];
  openBlock = null;
  emit(c, ops);
}

function emit(c: Client, ops: LoggedOp[]): void {
  if (ops.length === 0) return;
  const persistence = c.server.persistence;
  if (ops.length === 1) {
    persistence.propagate(ops[0][0], ops[0][1]);
  } else {
    persistence.propagate(ops[0][0], ["MULTI"]);
    for (const [db, args] of ops) persistence.propagate(db, args);
    persistence.propagate(ops[ops.length - 1][0], ["EXEC"]);
  }
  if (persistence.aof !== null) c.aofEnd = persistence.aof.end;
}

/** Command flags, as Redis names them in COMMAND INFO. */
export type CommandFlag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "may_replicate"
  | "no_mandatory_keys"
  | "no_multi"
  | "allow_busy"
  | "movablekeys"
  | "asking"
  | "no_async_loading";

/** One command (or subcommand) as data. */
export interface CommandSpec {
  /** Lowercase name; for a subcommand, the part after the container. */
  name: string;
  /** Redis's convention: N = exactly N arguments with the name, -N = at least N. */
  arity: number;
  flags: CommandFlag[];
  /** Key positions (1-based argument indexes; lastKey -1 = last argument). */
  firstKey: number;
  lastKey: number;
  step: number;
  /** Redis's group: string, hash, generic, connection, server, ... */
  group: string;
  summary: string;
  since: string;
  complexity?: string;
  /**
   * Argument syntax in Redis's documentation notation, e.g. "key value
   * [NX | XX] [GET]": COMMAND DOCS derives its arguments from it unless
   * `args` gives them.
   */
  syntax?: string;
  /**
   * COMMAND DOCS arguments in full, where the syntax line cannot say them
   * (types, names of groups, versions): see parseDocArgs in server.ts.
   */
  args?: string;
  /**
   * For protected commands (DEBUG): the config option ("no" / "yes" /
   * "local") that allows them.
   */
  protectedBy?: string;
  /** ACL categories instead of the group's (SORT: set, sortedset, list, dangerous); flags add theirs. */
  categories?: string[];
  /** Redis's command tips (COMMAND INFO), e.g. "nondeterministic_output", "request_policy:all_shards". */
  tips?: string[];
  /** COMMAND DOCS doc_flags, space-separated ("deprecated", "syscmd"). */
  docFlags?: string;
  /** COMMAND DOCS deprecated_since and replaced_by of a deprecated command. */
  deprecatedSince?: string;
  replacedBy?: string;
  /** COMMAND DOCS history: [version, change] pairs. */
  history?: [string, string][];
  /**
   * Keys of a full command line when positions cannot say (numkeys
   * commands, flagged "movablekeys"): null or empty when the arguments are
   * invalid (COMMAND GETKEYS).
   */
  getKeys?: (args: string[]) => string[] | null;
  /**
   * Redis's getkeys procedure where it reports key flags (SET, BITFIELD,
   * SORT, SORT_RO, MIGRATE): preferred over getKeys when the key specs
   * cannot answer (variable_flags, incomplete, unknown).
   */
  getKeysAndFlags?: (args: string[]) => [string, string[]][] | null;
  /**
   * Redis 7 key specs, as COMMAND INFO lists them (every command with keys
   * has them; key positions are only the legacy first/last/step): COMMAND
   * GETKEYS and the ACL read keys and flags from them first and fall back
   * to getKeysAndFlags / getKeys, as Redis's getKeysFromCommandWithSpecs.
   */
  keySpecs?: KeySpec[];
  /** Absent for containers (commands that only have subcommands). */
  handler?: Handler;
  subcommands?: CommandSpec[];
}

const F_WRITE = 1 << 0;
const F_ADMIN = 1 << 1;
const F_NO_AUTH = 1 << 2;
const F_SKIP_MONITOR = 1 << 3;
const F_SKIP_SLOWLOG = 1 << 4;
/** Allowed while the data set loads. */
const F_LOADING = 1 << 5;
/** Refused while persistence fails (MISCONF): writes, and PING as in Redis. */
const F_DISK_DENIED = 1 << 6;
/** Run at once inside MULTI, not queued: EXEC, DISCARD, MULTI, WATCH, QUIT, RESET. */
const F_NOT_QUEUED = 1 << 7;
const F_NO_MULTI = 1 << 8;
/** Served while a script runs past busy-reply-threshold (others get BUSY). */
const F_ALLOW_BUSY = 1 << 9;
/** EXEC: refusing it ends the transaction (EXECABORT with the reason). */
const F_EXEC = 1 << 10;
/** Served by a replica whose link is down under replica-serve-stale-data no. */
const F_STALE = 1 << 12;
const NOT_QUEUED = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
/** Runs in RESP2 subscriber mode. */
const F_SUBSCRIBER_OK = 1 << 11;
const SUBSCRIBER_OK = new Set([
  "ping",
  "subscribe",
  "ssubscribe",
  "unsubscribe",
  "sunsubscribe",
  "psubscribe",
  "punsubscribe",
  "quit",
  "reset",
]);

/** Per-command statistics (INFO commandstats). */
export class CommandStats {
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
  /** Durations histogram (LATENCY HISTOGRAM, INFO latencystats); created on the first call. */
  latency: LatencyHistogram | null = null;
}

/** A table entry resolved for fast dispatch. */
/** Next Command.id to hand out. */
let nextCommandId = 0;

export class Command {
  /** Small unique number (commands and subcommands), for per-command bitmaps (ACL rules). */
  readonly id = nextCommandId++;
  readonly fullName: string;
  readonly bits: number;
  readonly stats = new CommandStats();
  readonly subcommands: Map<string, Command> | null;
  readonly handler: Handler | undefined;

  constructor(readonly spec: CommandSpec, readonly parent: Command | null = null) {
    this.fullName = parent ? `${parent.spec.name}|${spec.name}` : spec.name;
    const f = spec.flags;
    this.bits = (f.includes("write") ? F_WRITE : 0) |
      (f.includes("admin") ? F_ADMIN : 0) |
      (f.includes("no_auth") ? F_NO_AUTH : 0) |
      (f.includes("skip_monitor") ? F_SKIP_MONITOR : 0) |
      (f.includes("skip_slowlog") ? F_SKIP_SLOWLOG : 0) |
      (f.includes("loading") ? F_LOADING : 0) |
      (f.includes("write") || (parent === null && spec.name === "ping") ? F_DISK_DENIED : 0) |
      (parent === null && NOT_QUEUED.has(spec.name) ? F_NOT_QUEUED : 0) |
      (f.includes("no_multi") ? F_NO_MULTI : 0) |
      (f.includes("allow_busy") ? F_ALLOW_BUSY : 0) |
      (parent === null && spec.name === "exec" ? F_EXEC : 0) |
      (parent === null && SUBSCRIBER_OK.has(spec.name) ? F_SUBSCRIBER_OK : 0) |
      (f.includes("stale") ? F_STALE : 0);
    this.handler = spec.handler;
    this.subcommands = spec.subcommands
      ? new Map(spec.subcommands.map((s) => [s.name, new Command(s, this)]))
      : null;
  }

  get isWrite(): boolean {
    return (this.bits & F_WRITE) !== 0;
  }

  get isAdmin(): boolean {
    return (this.bits & F_ADMIN) !== 0;
  }
}

export class CommandTable {
  /** Lowercase name -> command; other casings are cached on first use. */
  readonly #byName = new Map<string, Command>();
  /**
   * Names as they come (fresh strings every time): a Dict, whose hash is
   * cheaper than a Map's for a string not hashed before.
   */
  readonly #byExactName = new Dict<Command | null>();
  /** Every command under its own name, whatever rename-command did. */
  readonly #original: Map<string, Command>;

  constructor(specs: CommandSpec[]) {
    for (const spec of specs) {
      if (this.#byName.has(spec.name)) throw new Error(`duplicate command ${spec.name}`);
      this.#byName.set(spec.name, new Command(spec));
    }
    this.#original = new Map(this.#byName);
  }

  /**
   * rename-command (Redis's config loading): `from` answers to `to` from now
   * on, or to nothing when `to` is ""; the command keeps its own name
   * wherever it is shown (COMMAND INFO, errors, stats), as in Redis. Returns
   * Redis's error text, or null.
   */
  rename(from: string, to: string): string | null {
    const cmd = this.#byName.get(from.toLowerCase());
    if (cmd === undefined) return "No such command in rename-command";
    this.#byName.delete(from.toLowerCase());
    this.#byExactName.clear();
    if (to === "") return null;
    if (this.#byName.has(to.toLowerCase())) return "Target command name already exists";
    this.#byName.set(to.toLowerCase(), cmd);
    return null;
  }

  /**
   * A top-level command by its own name, renamed or not (the AOF loader's
   * fallback: what redeno logs itself names commands so).
   */
  original(name: string): Command | undefined {
    return this.#original.get(name.toLowerCase());
  }

  /** Top-level commands in table order. */
  all(): Command[] {
    return [...this.#byName.values()];
  }

  /** Case-insensitive lookup of a top-level command. */
  get(name: string): Command | undefined {
    let cmd = this.#byExactName.get(name);
    if (cmd === undefined) {
      // Bounded: only names that match a command are remembered.
      cmd = this.#byName.get(name.toLowerCase()) ?? null;
      if (cmd) this.#byExactName.set(name, cmd);
    }
    return cmd ?? undefined;
  }

  /** Resolves "config|get" style full names (COMMAND INFO, COMMAND DOCS). */
  getFull(fullName: string): Command | undefined {
    const [top, sub] = fullName.toLowerCase().split("|", 2);
    const cmd = this.#byName.get(top);
    if (!cmd || sub === undefined) return cmd;
    return cmd.subcommands?.get(sub);
  }
}

/**
 * Quotes a user-supplied argument the way Redis's "%.128s" does in error
 * texts: cut at the first NUL (C strings end there) and at 128 bytes.
 */
export function cArg(s: string, max = 128): string {
  const nul = s.indexOf("\0");
  if (nul >= 0) s = s.slice(0, nul);
  return s.length > max ? s.slice(0, max) : s;
}

function unknownCommandError(args: string[]): string {
  let tail = "";
  for (let i = 1; i < args.length && tail.length < 128; i++) {
    tail += `'${cArg(args[i], 128 - tail.length)}' `;
  }
  return `ERR unknown command '${cArg(args[0])}', with args beginning with: ${tail}`;
}

/**
 * Runs one command for client `c`. Returns a promise only when the command
 * had to wait (store lock) or its handler is asynchronous.
 */
export function dispatch(c: Client, args: string[]): void | Promise<void> {
  const server = c.server;
  let cmd = server.commands.get(args[0]);
  if (cmd === undefined) {
    // The AOF names commands by their own names, whatever rename-command did.
    if (c.loader) cmd = server.commands.original(args[0]);
    if (cmd === undefined) return reject(c, unknownCommandError(args));
  }
  if (cmd.subcommands !== null && args.length > 1) {
    const sub = cmd.subcommands.get(args[1].toLowerCase());
    if (sub === undefined) {
      return reject(
        c,
        `ERR unknown subcommand '${cArg(args[1])}'. Try ${cArg(args[0]).toUpperCase()} HELP.`,
      );
    }
    cmd = sub;
  }
  const arity = cmd.spec.arity;
  if ((arity > 0 && arity !== args.length) || args.length < -arity) {
    cmd.stats.rejectedCalls++;
    return reject(c, `ERR wrong number of arguments for '${cmd.fullName}' command`, cmd, args);
  }
  const guard = cmd.spec.protectedBy ?? cmd.parent?.spec.protectedBy;
  if (guard !== undefined && !protectedAllowed(c, guard)) {
    return reject(
      c,
      `ERR ${cmd.parent ? cmd.parent.spec.name.toUpperCase() : cmd.spec.name.toUpperCase()} ` +
        `command not allowed. If the ${guard} option is set to "local", you can run it from a ` +
        "local connection, otherwise you need to set this option in the configuration file, " +
        "and then restart the server.",
    );
  }
  if (!c.authenticated && (cmd.bits & F_NO_AUTH) === 0 && server.authRequired()) {
    cmd.stats.rejectedCalls++;
    return reject(c, "NOAUTH Authentication required.", cmd, args);
  }
  if (c.multi !== null && (cmd.bits & F_NO_MULTI) !== 0) {
    cmd.stats.rejectedCalls++;
    return reject(c, "ERR Command not allowed inside a transaction");
  }
  // The AOF loader and the master link are obeyed (Redis's mustObeyClient).
  if (!c.user.unrestricted && !c.loader) {
    const denied = aclDenied(c, cmd, args);
    if (denied !== null) {
      cmd.stats.rejectedCalls++;
      return reject(c, denied, cmd, args);
    }
  }
  if (server.maxmemory !== 0) {
    const oom = evictBeforeCommand(c, cmd);
    if (oom !== null) {
      cmd.stats.rejectedCalls++;
      return reject(c, oom, cmd, args);
    }
  }
  const persistence = server.persistence;
  if (
    persistence.denyWrites !== null && !c.loader &&
    ((cmd.bits & F_DISK_DENIED) !== 0 || (cmd.bits & F_EXEC) !== 0 && c.multi?.writes === true)
  ) {
    cmd.stats.rejectedCalls++;
    return reject(c, persistence.denyWrites, cmd, args);
  }
  if (
    ((cmd.bits & F_WRITE) !== 0 || (cmd.bits & F_EXEC) !== 0 && c.multi?.writes === true) &&
    !c.loader && tooFewReplicas(server)
  ) {
    cmd.stats.rejectedCalls++;
    return reject(c, ERR_NOREPLICAS, cmd, args);
  }
  if (server.keyspace.replica && !c.master) {
    const refused = replicaRefuses(c, cmd);
    if (refused !== null) {
      cmd.stats.rejectedCalls++;
      return reject(c, refused, cmd, args);
    }
  }
  if (
    c.subscriptions !== null && c.resp === 2 && c.subscriptions.mode &&
    (cmd.bits & F_SUBSCRIBER_OK) === 0
  ) {
    cmd.stats.rejectedCalls++;
    return reject(
      c,
      `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      cmd,
      args,
    );
  }
  if (persistence.loading !== null && (cmd.bits & F_LOADING) === 0 && !c.loader) {
    cmd.stats.rejectedCalls++;
    return reject(c, "LOADING Redis is loading the dataset in memory", cmd, args);
  }
  const busy = server.busyScriptError;
  if (busy !== null && (cmd.bits & F_ALLOW_BUSY) === 0) {
    cmd.stats.rejectedCalls++;
    return reject(c, busy, cmd, args);
  }
  if (pausesActive !== 0) {
    // Postponed, then dispatched again from the start once the pause ends (Redis's blockPostponeClient).
    const pause = pausedUntil(c, cmd, args);
    // A client killed meanwhile never runs it.
    if (pause !== null) return pause.then(() => c.closed ? undefined : dispatch(c, args));
  }
  if (c.multi !== null && (cmd.bits & F_NOT_QUEUED) === 0) {
    return queueInTransaction(c, cmd, args);
  }
  if ((cmd.bits & F_WRITE) !== 0 && server.keyspace.lock.locked) {
    // A snapshot, load or shutdown holds the store: writers wait their turn.
    return server.keyspace.lock.whenFree().then(() => {
      c.clockMark = performance.now(); // the wait is not the command's time
      return call(c, cmd!, args);
    });
  }
  return call(c, cmd, args);
}

/**
 * A replica's own rules: writes refused under replica-read-only (EXEC of a
 * transaction with writes too), and while the link is down under
 * replica-serve-stale-data no, whatever is not flagged stale.
 */
function replicaRefuses(c: Client, cmd: Command): string | null {
  const config = c.server.config;
  if (
    ((cmd.bits & F_WRITE) !== 0 || (cmd.bits & F_EXEC) !== 0 && c.multi?.writes === true) &&
    config.bool("replica-read-only")
  ) {
    return ERR_READONLY_REPLICA;
  }
  if (
    (cmd.bits & F_STALE) === 0 && !config.bool("replica-serve-stale-data") && !c.server.masterLinkUp
  ) {
    return ERR_MASTERDOWN;
  }
  return null;
}

/** enable-debug-command style options: "yes", or "local" for loopback clients. */
function protectedAllowed(c: Client, option: string): boolean {
  const mode = c.server.config.str(option);
  if (mode === "yes") return true;
  return mode === "local" &&
    (c.addr.startsWith("127.") || c.addr.startsWith("::1") || c.addr.startsWith("[::1]"));
}

/**
 * Refuses a command before it runs; inside MULTI this dooms the transaction
 * (EXECABORT); a refused EXEC (`cmd`) ends it at once and says why, in
 * or out of MULTI, as Redis's execCommandAbort.
 */
function reject(c: Client, message: string, cmd?: Command, args?: string[]): void {
  c.server.stats.rejectedCalls++;
  if (cmd !== undefined && (cmd.bits & F_EXEC) !== 0) {
    c.endTransaction();
    // Monitors saw MULTI: they see this EXEC end it.
    if (c.server.monitors.size !== 0 && args !== undefined) c.server.feedMonitors(c, args);
    // Redis quotes the reason without its ERR code (it was never added to it).
    const reason = message.startsWith("ERR ") ? message.slice(4) : message;
    message = `EXECABORT Transaction discarded because of: ${reason}`;
  } else if (c.multi !== null) {
    c.multi.aborted = true;
  }
  c.out.errorNoTrim(message);
}

/** Bytes of a queued command's argument pointers (Redis's sizeof(robj*) per argument). */
const ARGV_POINTER_BYTES = 8;

/**
 * MULTI's queue: the command passed every check a command gets before it
 * runs. A transaction already doomed (refused command, touched WATCH) keeps
 * nothing, as Redis's queueMultiCommand.
 */
function queueInTransaction(c: Client, cmd: Command, args: string[]): void {
  const t = c.multi!;
  if (!t.aborted && !c.dirtyCas) {
    if (t.queue.length === t.allocated) t.allocated = t.allocated === 0 ? 2 : t.allocated * 2;
    t.queue.push({ cmd, args });
    t.argvMem += c.argvMem + ARGV_POINTER_BYTES * args.length;
    if ((cmd.bits & F_WRITE) !== 0) t.writes = true;
  }
  c.out.simple("QUEUED");
}

/** Handlers running now: commands run by commands (EXEC, scripts) are nested. */
let depth = 0;

/**
 * A script holds blocked clients back while it runs (its commands are one
 * unit, even when it waits asynchronously past busy-reply-threshold): +1 at
 * its start, -1 at its end.
 */
export function holdBlockedServing(n: 1 | -1): void {
  depth += n;
}

/**
 * Runs a command that passed the dispatcher's checks (or a transaction's
 * or script's own): the handler, then logging, statistics and the rest.
 */
export function runCommand(c: Client, cmd: Command, args: string[]): void | Promise<void> {
  return call(c, cmd, args);
}

function call(c: Client, cmd: Command, args: string[]): void | Promise<void> {
  // Commands run by EXEC or a script (which deny blocking while they run) leave the
  // client's last command as it was (Redis's lastcmd).
  if (c.denyBlocking === 0) c.lastCommand = cmd;
  const errorsBefore = c.out.errors;
  const dirtyBefore = c.server.keyspace.dirty;
  const db = c.db.id;
  const start = c.clockMark;
  // The master's commands see keys its DEL has not removed yet (Keyspace.replica).
  c.server.keyspace.masterApplying = c.master;
  let result;
  depth++;
  try {
    result = cmd.handler!(c, args);
  } finally {
    depth--;
  }
  if (result instanceof Promise) {
    return result.then(() => {
      finish(c, cmd, args, start, errorsBefore, dirtyBefore, db);
      serveBlocked(c);
    });
  }
  finish(c, cmd, args, start, errorsBefore, dirtyBefore, db);
  // A blocked command is counted now (as Redis does); its client waits here.
  if (c.blocked !== null) return c.blocked.done;
  serveBlocked(c);
}

/**
 * Clients blocked on keys this command made ready are served now, before
 * any other command runs; after a whole transaction or script, not inside.
 */
function serveBlocked(c: Client): void {
  const blocking = c.server.blocking;
  if (blocking.hasReady && depth === 0) blocking.serveReady();
}

/**
 * Completes a blocked command that a retry just served (lib/server/blocking.ts):
 * logs what it changed, in its database, after the write that served it, and
 * adds the serving time to its statistics (its call counted when it blocked).
 */
export function finishServed(
  c: Client,
  args: string[],
  start: number,
  errorsBefore: number,
  dirtyBefore: number,
): void {
  const keyspace = c.server.keyspace;
  keyspace.watched?.commandDone(keyspace.dirty !== dirtyBefore, c.lastCommand);
  if ((keyspace.dirty !== dirtyBefore || c.forcePropagate) && (!c.loader || c.master)) {
    propagate(c, args, c.db.id);
  }
  c.propagateAs = undefined;
  c.forcePropagate = false;
  const end = performance.now();
  c.clockMark = end;
  const cmd = c.lastCommand;
  if (cmd === null) return;
  const micros = Math.round((end - start) * 1000);
  cmd.stats.usec += micros;
  if (c.out.errors !== errorsBefore) cmd.stats.failedCalls++;
  // Redis counts the blocking call's own time plus the serving time, and
  // samples the serving time alone as "command-unblocking".
  const latency = c.server.latency;
  if (c.blockedMicros >= 0 && latency.tracking) {
    (cmd.stats.latency ??= new LatencyHistogram()).recordMicros(c.blockedMicros + micros);
  }
  c.blockedMicros = -1;
  if (latency.threshold !== 0) {
    latency.addSampleIfNeeded("command-unblocking", Math.floor(micros / 1000));
  }
}

/**
 * The per-command histogram and the latency monitor's sample of a command
 * that ran `micros` (whole microseconds, as Redis's call() measures).
 */
function recordLatency(c: Client, cmd: Command, micros: number): void {
  const latency = c.server.latency;
  if (latency.tracking) (cmd.stats.latency ??= new LatencyHistogram()).recordMicros(micros);
  if (latency.threshold !== 0) {
    const event = cmd.spec.flags.includes("fast") ? "fast-command" : "command";
    latency.addSampleIfNeeded(event, Math.floor(micros / 1000));
  }
}

/**
 * Logs a command that changed data to the AOF, in the database it ran in,
 * as its handler asked (c.propagateAs) or as it came.
 */
function propagate(c: Client, args: string[], db: number): void {
  const as = c.propagateAs;
  if (as === null) return;
  const block = openBlock;
  if (block !== null) {
    if (as === undefined) block.push([db, args]);
    else for (const a of as) block.push([db, a]);
    return;
  }
  if (as === undefined) {
    const persistence = c.server.persistence;
    persistence.propagate(db, args);
    if (persistence.aof !== null) c.aofEnd = persistence.aof.end;
  } else {
    emit(c, as.map((a): LoggedOp => [db, a]));
  }
}

function finish(
  c: Client,
  cmd: Command,
  args: string[],
  start: number,
  errorsBefore: number,
  dirtyBefore: number,
  db: number,
): void {
  const keyspace = c.server.keyspace;
  keyspace.watched?.commandDone(keyspace.dirty !== dirtyBefore, cmd);
  if (trackingServers !== 0) trackCommand(c, cmd, args);
  if ((keyspace.dirty !== dirtyBefore || c.forcePropagate) && (!c.loader || c.master)) {
    propagate(c, args, db);
  }
  c.propagateAs = undefined;
  c.forcePropagate = false;
  const end = performance.now();
  c.clockMark = end;
  const micros = Math.round((end - start) * 1000);
  const stats = cmd.stats;
  stats.calls++;
  stats.usec += micros;
  // Errors of commands run inside this one (EXEC's queue) are theirs, as in Redis.
  if (c.out.errors !== Math.max(errorsBefore, c.errorsCounted)) stats.failedCalls++;
  c.errorsCounted = c.out.errors;
  if (c.blocked === null) {
    recordLatency(c, cmd, micros);
  } else {
    // Recorded if it is served (finishServed); a wait that times out is not, as in Redis 7.0.
    c.blockedMicros = micros;
  }
  const server = c.server;
  server.stats.commandsProcessed++;
  // After every top-level command (not those EXEC or a script runs), as Redis's processCommand.
  if (depth === 0) noteWriteOffset(c);
  // Fed after the command ran (SELECT shows its new db), as Redis's call() does.
  if (server.monitors.size !== 0 && (cmd.bits & (F_SKIP_MONITOR | F_ADMIN)) === 0) {
    server.feedMonitors(c, args);
  }
  if ((cmd.bits & F_SKIP_SLOWLOG) === 0) server.slowlog.record(c, args, micros);
}

/** C's atoi, as Redis's key extractors read numkeys: leading digits, wrapped to an int. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  let n = BigInt(m[1]);
  // strtol saturates at the long range, atoi then truncates to int.
  if (n > 9223372036854775807n) n = 9223372036854775807n;
  if (n < -9223372036854775808n) n = -9223372036854775808n;
  return Number(BigInt.asIntN(32, n));
}

/**
 * A getKeys for `numkeys key [key ...]` with numkeys at `numkeysIndex`, as
 * Redis's genericGetKeys reads it (numkeys from 1 to the arguments left).
 */
export function keynumKeys(numkeysIndex: number): (args: string[]) => string[] | null {
  return (args) => {
    if (numkeysIndex >= args.length) return null;
    const n = atoi(args[numkeysIndex]);
    const first = numkeysIndex + 1;
    if (n < 1 || n > args.length - first) return null;
    return args.slice(first, first + n);
  };
}

/**
 * A Redis 7 key spec: the search starts at argument `index`; `range` takes
 * keys up to `lastkey` (relative; negative: from the end) every `keystep`;
 * `keynum` reads the key count at `index + keynumidx` and takes that many
 * keys from `index + firstkey`, every `keystep`.
 */
export interface KeySpec {
  /** Redis's remark on the spec, listed first by COMMAND INFO (PFCOUNT's "RW because ..."). */
  notes?: string;
  /** As COMMAND INFO lists them, e.g. ["RO", "access"]. */
  flags: string[];
  index: number;
  /**
   * A keyword search instead of `index` (begin_search "keyword", GEORADIUS's
   * STORE): the keys start after the first `keyword` found from argument
   * `startfrom` (negative: counted from the end, searching backwards).
   */
  keyword?: { keyword: string; startfrom: number };
  /** begin_search and find_keys "unknown" (SORT's BY/GET and STORE keys): no keys from it. */
  unknown?: boolean;
  find:
    | { type: "range"; lastkey: number; keystep: number; limit: number }
    | { type: "keynum"; keynumidx: number; firstkey: number; keystep: number };
}

/** Redis's key spec of the single key at argument `index` (flags as COMMAND INFO lists them). */
export function keyAt(index: number, ...flags: string[]): KeySpec {
  return { flags, index, find: { type: "range", lastkey: 0, keystep: 1, limit: 0 } };
}

/**
 * Redis's key spec in short form: flags, then where the search begins, then
 * how keys are found, then optional notes after " # ":
 *   "RW access delete @1"            the key at argument 1
 *   "RO access @1 range:-1,1,0"      range lastkey,keystep,limit from argument 1
 *   "RO access @2 keynum:0,1,1"      keynum keynumidx,firstkey,keystep
 *   "OW update @STORE:6"             after keyword STORE searched from argument 6
 *   "OW update ? # notes"            begin_search and find_keys unknown
 */
export function keySpec(short: string): KeySpec {
  const hash = short.indexOf(" # ");
  const notes = hash >= 0 ? short.slice(hash + 3) : undefined;
  const words = (hash >= 0 ? short.slice(0, hash) : short).split(" ");
  const flags: string[] = [];
  const spec: KeySpec = {
    flags,
    index: 0,
    find: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
  };
  if (notes !== undefined) spec.notes = notes;
  for (const w of words) {
    if (w === "?") {
      spec.unknown = true;
    } else if (w.startsWith("@")) {
      const colon = w.indexOf(":");
      if (colon < 0) spec.index = Number(w.slice(1));
      else spec.keyword = { keyword: w.slice(1, colon), startfrom: Number(w.slice(colon + 1)) };
    } else if (w.startsWith("range:") || w.startsWith("keynum:")) {
      const [a, b, c] = w.slice(w.indexOf(":") + 1).split(",").map(Number);
      spec.find = w.startsWith("range:")
        ? { type: "range", lastkey: a, keystep: b, limit: c }
        : { type: "keynum", keynumidx: a, firstkey: b, keystep: c };
    } else if (w !== "") {
      flags.push(w);
    }
  }
  return spec;
}

/** Where a keyword key spec's keyword is (Redis's KSPEC_BS_KEYWORD search, case-insensitive), or -1. */
function keywordPosition(k: { keyword: string; startfrom: number }, args: string[]): number {
  const forward = k.startfrom > 0;
  const start = forward ? k.startfrom : args.length + k.startfrom;
  // As Redis: the last argument (forward) and argument 1 (backward) are never examined.
  const end = forward ? args.length - 1 : 1;
  const word = k.keyword.toLowerCase();
  for (let i = start; i !== end; i += start <= end ? 1 : -1) {
    if (i >= args.length || i < 1) break;
    if (args[i].length === word.length && args[i].toLowerCase() === word) return i;
  }
  return -1;
}

/**
 * Keys and their flags by key specs, as Redis's getKeysUsingKeySpecs finds
 * them (string2ll for the key count); null when a spec does not fit.
 */
export function keysFromSpecs(specs: KeySpec[], args: string[]): [string, string[]][] | null {
  const out: [string, string[]][] = [];
  for (const spec of specs) {
    if (spec.unknown) return null;
    if (spec.flags.includes("not_key")) continue;
    let first = spec.index;
    if (spec.keyword !== undefined) {
      first = keywordPosition(spec.keyword, args) + 1;
      if (first === 0) continue; // no keyword, no keys from this spec
    }
    let last: number;
    let step: number;
    const f = spec.find;
    if (f.type === "range") {
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (f.limit <= 1) last = args.length + f.lastkey;
      else last = first + Math.floor((args.length - first) / f.limit) + f.lastkey;
    } else {
      if (first + f.keynumidx >= args.length) return null;
      const n = parseInt64(args[first + f.keynumidx]);
      if (n === null || n < 0) return null;
      first += f.firstkey;
      // Redis narrows the count to an int here.
      last = first + Number(BigInt.asIntN(32, BigInt(n))) - 1;
      step = f.keystep;
    }
    if (last >= args.length || last < first || first >= args.length) return null;
    for (let i = first; i <= last; i += Math.max(step, 1)) out.push([args[i], spec.flags]);
    // An incomplete spec sends the caller to the command's getkeys procedure.
    if (spec.flags.includes("incomplete")) return null;
  }
  return out;
}

/** Fields of a CommandSpec with flags and key positions in short form. */
export interface CommandDef extends
  Omit<
    CommandSpec,
    "flags" | "firstKey" | "lastKey" | "step" | "subcommands" | "keySpecs" | "tips"
  > {
  /** Space-separated flags, e.g. "write denyoom fast". */
  flags: string;
  /** Key specs, each a KeySpec or its short form (see keySpec). */
  keySpecs?: (KeySpec | string)[];
  /** Space-separated tips, e.g. "nondeterministic_output request_policy:all_shards". */
  tips?: string;
  /** [first, last, step] key positions; omitted for keyless commands. */
  keys?: [number, number, number];
  /** Subcommands inherit the container's group unless they name one. */
  subcommands?: (Omit<CommandDef, "group"> & { group?: string })[];
}

/** Builds a CommandSpec from its short form (the way group files declare commands). */
export function defineCommand(def: CommandDef): CommandSpec {
  const [firstKey, lastKey, step] = def.keys ?? [0, 0, 0];
  const { keys: _keys, flags, subcommands, keySpecs, tips, ...rest } = def;
  return {
    ...rest,
    flags: flags.split(" ").filter((f) => f !== "") as CommandFlag[],
    keySpecs: keySpecs?.map((k) => typeof k === "string" ? keySpec(k) : k),
    tips: tips?.split(" ").filter((t) => t !== ""),
    firstKey,
    lastKey,
    step,
    subcommands: subcommands?.map((s) => defineCommand({ ...s, group: s.group ?? def.group })),
  };
}
