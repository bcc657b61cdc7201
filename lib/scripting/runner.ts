/**
 * Runs Lua scripts (EVAL and FCALL) for clients: the Lua VM lives in one
 * Worker (lib/scripting/worker.ts); this side owns the data and serves the
 * script's redis.call/pcall synchronously through the shared channel, with
 * Redis 7.0's checks, through a script client (Redis's "lua client": the
 * caller's database, its own protocol). The main thread blocks while a
 * script runs, as Redis does; past busy-reply-threshold it waits
 * asynchronously instead, so other clients get BUSY and SCRIPT KILL /
 * SHUTDOWN NOSAVE can be served.
 */
import { Client } from "../server/client.ts";
import type { Server } from "../server/server.ts";
import { aclScriptDenied, checkCommandPerm } from "../server/aclcheck.ts";
import {
  beginPropagationBlock,
  type Command,
  endPropagationBlock,
  holdBlockedServing,
  runCommand,
} from "../commands/table.ts";
import { CALL, Channel, DONE, JOB, REPLY } from "./channel.ts";
import { ERR_OOM, isDenyOom, scriptStartsOom } from "../server/evict.ts";
import { bytesToStr } from "../resp/bytes.ts";
import { ERR_NOREPLICAS, tooFewReplicas } from "../server/wait.ts";
import { ERR_MASTERDOWN, ERR_READONLY_REPLICA } from "../commands/args.ts";

/** Flags from a #! shebang or register_function; EVAL without a shebang: all false except legacy */
export interface ScriptFlags {
  noWrites: boolean;
  allowOom: boolean;
  allowStale: boolean;
  noCluster: boolean;
  allowCrossSlotKeys: boolean;
  /** EVAL without shebang (Redis's legacy rules) */
  legacy: boolean;
}

/** Redis's script flag names (lib/scripting/flags.ts). */
export { SCRIPT_FLAGS } from "./flags.ts";

/** One script to run: an EVAL's body or an FCALL's library and call. */
export interface ScriptRun {
  kind: "eval" | "function";
  /** Exact Lua text the VM evaluates (binary string). FCALL: H3 builds library + call suffix. */
  source: string;
  /** EVAL: sha1 of the script body (error texts, SCRIPT cache). FCALL: "" */
  sha: string;
  /** FCALL: the function name (error texts); EVAL: "" */
  name: string;
  keys: string[];
  argv: string[];
  flags: ScriptFlags;
  /** EVAL_RO / EVALSHA_RO / FCALL_RO */
  readOnlyCommand: boolean;
}

/** Redis's BUSY texts (shared.slowevalerr / slowscripterr). */
export const BUSY_EVAL =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
export const BUSY_FUNCTION =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
const UNKILLABLE = "UNKILLABLE Sorry the script already executed write commands against the " +
  "dataset. You can either wait the script termination or kill the server in a hard way " +
  "using the SHUTDOWN NOSAVE command.";
const NOTBUSY = "NOTBUSY No scripts in execution right now.";

/**
 * Busy-wait iterations (~20 µs) before sleeping on the worker. Short: the
 * worker and the clients need the CPU (see worker.ts SPINS).
 */
const SPINS = 3000;

/** A script in EVAL's cache. */
export interface CachedScript {
  body: string;
  /** What Lua compiles: the body with its shebang line cut (its line feed kept). */
  source: string;
  flags: ScriptFlags;
}

/** A script being run. */
interface Running {
  run: ScriptRun;
  caller: Client;
  script: Client;
  readOnly: boolean;
  /** A command of the script changed data: SCRIPT KILL refuses (UNKILLABLE). */
  wrote: boolean;
  /** Out of memory when the script started (Redis's server.script_oom, see evict.ts). */
  oom: boolean;
  killed: boolean;
  start: number;
}

/** The Lua VM of one server, its script cache and the script running now. */
export class ScriptState {
  worker: Worker | null = null;
  channel: Channel | null = null;
  /** Resolves when the worker is ready; null before the first script. */
  ready: Promise<void> | null = null;
  /** The worker answered ready (jobs may be run synchronously). */
  awake = false;
  /** The last uncaught error of a worker that was running. */
  lastCrash = "";
  /** Why the VM cannot run (package not installed or cached). */
  failure: string | null = null;
  running: Running | null = null;
  /** EVAL's script cache: sha1 -> script (SCRIPT LOAD, EVAL). */
  readonly scripts = new Map<string, CachedScript>();
  /** Bytes of the cached bodies (INFO used_memory_scripts_eval). */
  scriptsBytes = 0;
  /** Lua heap in bytes, as last measured (INFO used_memory_lua). */
  luaHeap = 0;
  #client: Client | null = null;

  constructor(readonly server: Server) {
    server.finished.then(() => this.stop());
  }

  /** Redis's Lua client: runs the scripts' commands. */
  scriptClient(): Client {
    if (this.#client === null) {
      const c = new Client(this.server, "lua", "");
      this.server.releaseFd(c.fd);
      this.server.removeClient(c);
      c.denyBlocking = 1;
      this.#client = c;
    }
    return this.#client;
  }

  /** Starts the worker (once, and again after a kill). */
  start(): Promise<void> {
    if (this.failure !== null) return Promise.resolve();
    if (this.ready !== null) return this.ready;
    const channel = Channel.create();
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    this.channel = channel;
    this.ready = new Promise<void>((resolve) => {
      worker.onmessage = (e: MessageEvent) => {
        const d = e.data;
        if (d.ready) {
          if (this.worker === worker) this.awake = true;
          resolve();
        } else if (d.error !== undefined) {
          this.failure = "ERR Lua scripting is unavailable: the lua-redis-wasm package " +
            `could not be loaded (${String(d.error).split("\n")[0]}); ` +
            "'deno cache --lock=deno.lock lib/scripting/worker.ts' installs it";
          this.stop();
          resolve();
        } else if (d.log !== undefined) {
          this.#log(d.log[0], d.log[1]);
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        // Failing to start is for good; a crash later only costs a restart at the next script.
        if (!this.awake) this.failure = `ERR Lua scripting is unavailable: ${e.message}`;
        this.lastCrash = e.message;
        this.stop();
        resolve();
      };
    });
    worker.postMessage({ sab: channel.sab });
    return this.ready;
  }

  /** Ends the worker (shutdown, kill). */
  stop(): void {
    this.worker?.terminate();
    this.worker = null;
    this.channel = null;
    this.ready = null;
    this.awake = false;
  }

  /** A killed worker is replaced by a fresh one. */
  restart(): void {
    this.stop();
    this.start();
  }

  #log(level: number, msg: string): void {
    const log = this.server.log;
    if (level <= 0) log.debug(msg);
    else if (level === 1) log.verbose(msg);
    else if (level === 2) log.notice(msg);
    else log.warning(msg);
  }

  /**
   * Runs a job that calls no command (compile check, FUNCTION LOAD, INFO
   * memory) synchronously; null when the VM is busy, "timeout" when it ran
   * past `timeoutMs` (0: no limit) and was killed.
   */
  jobSync(parts: string[], timeoutMs = 0): string[] | null | "timeout" {
    const ch = this.channel;
    if (ch === null || !this.awake || this.running !== null) return null;
    if (!ch.writeStrings(parts)) return null;
    ch.signal(JOB);
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    let s = ch.state;
    for (let i = 0; s === JOB && i < SPINS; i++) s = ch.state;
    while (s === JOB) {
      if (performance.now() >= deadline) {
        this.restart();
        return "timeout";
      }
      ch.sleep(JOB, 2);
      s = ch.state;
    }
    const out = ch.readStrings();
    ch.signal(0);
    return out;
  }

  /** Measures the Lua heap (collectgarbage('count')), when the VM runs and is idle. */
  measureHeap(): number {
    if (this.channel !== null && this.running === null && this.failure === null) {
      const out = this.jobSync(["m"]);
      if (Array.isArray(out) && out[0] === "m") this.luaHeap = Math.floor(Number(out[1]));
    }
    return this.luaHeap;
  }
}

const states = new WeakMap<Server, ScriptState>();

/** The scripting state of a server (created on first use). */
export function scriptState(server: Server): ScriptState {
  let s = states.get(server);
  if (s === undefined) {
    s = new ScriptState(server);
    states.set(server, s);
  }
  return s;
}

/** Runs a script for client c: serves its redis.call/pcall, replies into c.out (result or error). */
export function runScript(c: Client, run: ScriptRun): void | Promise<void> {
  const state = scriptState(c.server);
  if (!state.awake || state.failure !== null) {
    if (state.failure !== null) return c.out.error(state.failure);
    return state.start().then(() => {
      if (state.failure !== null) return c.out.error(state.failure);
      return runScript(c, run);
    });
  }
  const server = c.server;
  const flags = run.flags;
  if (server.keyspace.replica && !c.master) {
    // A replica's up-front checks (Redis's scriptPrepareForRun).
    if (
      !flags.allowStale && !server.masterLinkUp && !server.config.bool("replica-serve-stale-data")
    ) {
      return c.out.error(ERR_MASTERDOWN);
    }
    if (!flags.legacy && !flags.noWrites && server.config.bool("replica-read-only")) {
      return c.out.error(ERR_READONLY_REPLICA);
    }
  }
  if (!flags.legacy && !flags.noWrites) {
    // Scripts that may write are refused up front when writes would be.
    if (server.persistence.denyWrites !== null && !c.loader) {
      return c.out.error(server.persistence.denyWrites);
    }
    if (!c.loader && tooFewReplicas(server)) return c.out.error(ERR_NOREPLICAS);
    if (run.readOnlyCommand) {
      return c.out.error("ERR Can not execute a script with write flag using *_ro command.");
    }
    // Declared flags make a script denyoom unless allow-oom (Redis's scriptFlagsToCmdFlags).
    if (!flags.allowOom && !c.loader && scriptStartsOom(server)) return c.out.error(ERR_OOM);
  }
  const readOnly = run.readOnlyCommand || flags.noWrites;
  if (!readOnly && server.keyspace.lock.locked) {
    // A snapshot or shutdown holds the store: a script that may write waits, as writers do.
    return server.keyspace.lock.whenFree().then(() => runScript(c, run));
  }
  const script = state.scriptClient();
  script.db = c.db;
  script.user = c.user; // commands that look at the user (SORT's BY / GET) see the caller's
  script.resp = 2;
  const running: Running = {
    run,
    caller: c,
    script,
    readOnly,
    wrote: false,
    oom: !c.loader && scriptStartsOom(server),
    killed: false,
    start: performance.now(),
  };
  state.running = running;
  holdBlockedServing(1);
  const opened = beginPropagationBlock();
  const ch = state.channel!;
  const nkeys = String(run.keys.length);
  const op = needsShims(run.source) ? "e" : "E";
  if (
    !ch.writeStrings([op, c.resp === 3 ? "3" : "2", run.source, nkeys, ...run.keys, ...run.argv])
  ) {
    finishRun(state, running, opened);
    return c.out.error("ERR script arguments are too big");
  }
  ch.signal(JOB);
  const threshold = busyThreshold(server);
  const deadline = running.start + threshold;
  let turn = JOB;
  for (;;) {
    let s = ch.state;
    for (let i = 0; s === turn && i < SPINS; i++) s = ch.state;
    while (s === turn) {
      if (performance.now() >= deadline) return runAsync(state, running, opened, turn);
      ch.sleep(turn, 2);
      s = ch.state;
    }
    if (s === CALL) {
      serveCall(state, running, ch);
      ch.signal(REPLY);
      turn = REPLY;
      continue;
    }
    if (s === DONE) {
      complete(running, ch);
      finishRun(state, running, opened);
      return;
    }
    turn = s;
  }
}

/**
 * Whether a script may use what the worker's shims provide: redis.setresp
 * (and with it RESP3 conversions), the redis.* functions redeno words as
 * Redis 7.0 does, or tables Redis converts specially ({double=...},
 * {map=...}, {set=...}, {big_number=...}, {verbatim_string=...}), which the
 * engine keeps only in its RESP3 mode. Others skip ~1 KB of Lua to compile.
 */
const SHIMS =
  /setresp|error_reply|status_reply|sha1hex|acl_check_cmd|set_repl|log|double|map|big_number|verbatim|[^A-Za-z0-9_]set[^A-Za-z0-9_('"]/;

function needsShims(source: string): boolean {
  return SHIMS.test(source);
}

/** busy-reply-threshold (alias lua-time-limit) in ms. */
function busyThreshold(server: Server): number {
  return server.config.num("busy-reply-threshold");
}

/**
 * The rest of a script that ran past busy-reply-threshold: other clients get
 * BUSY meanwhile, and the event loop runs between the script's calls.
 */
async function runAsync(
  state: ScriptState,
  running: Running,
  opened: boolean,
  turn: number,
): Promise<void> {
  const server = state.server;
  const ch = state.channel!;
  server.busyScriptError = running.run.kind === "eval" ? BUSY_EVAL : BUSY_FUNCTION;
  server.log.warning(
    "Slow script detected: still in execution after " +
      `${Math.round(performance.now() - running.start)} milliseconds. ` +
      "You can try killing the script using the SCRIPT KILL command.",
  );
  let lastYield = performance.now();
  for (;;) {
    if (server.shuttingDown) {
      // SHUTDOWN NOSAVE: the script ends with the server, its caller gets no reply.
      state.stop();
      finishRun(state, running, opened);
      return;
    }
    if (state.channel !== ch) {
      // The worker died under the script (an error the engine did not catch).
      running.caller.out.error(`ERR Error running script: the Lua VM stopped (${state.lastCrash})`);
      finishRun(state, running, opened);
      return;
    }
    if (running.killed) {
      state.restart();
      const c = running.caller;
      const run = running.run;
      c.out.error(
        // Redis says SCRIPT KILL for functions too. The line is not known (the Worker
        // was terminated mid-instruction): 1, right for one-line scripts.
        "ERR Script killed by user with SCRIPT KILL... " +
          `script: ${scriptLabel(run)}, on @${chunkName(run)}:1.`,
      );
      finishRun(state, running, opened);
      return;
    }
    const s = ch.state;
    if (s === CALL) {
      serveCall(state, running, ch);
      ch.signal(REPLY);
      turn = REPLY;
      // A script calling in a tight loop still lets the event loop run.
      if (performance.now() - lastYield > 20) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
      continue;
    }
    if (s === DONE) {
      complete(running, ch);
      finishRun(state, running, opened);
      return;
    }
    turn = s;
    await ch.sleepAsync(turn, 50);
    lastYield = performance.now();
  }
}

/** Clears the running script's state; its commands are logged as one unit. */
function finishRun(state: ScriptState, running: Running, opened: boolean): void {
  const c = running.caller;
  state.running = null;
  state.server.busyScriptError = null;
  if (opened) endPropagationBlock(c);
  holdBlockedServing(-1);
  running.script.out.take();
  // The container command itself is never logged: its effects were.
  c.propagateAs = null;
}

/** The "script: ..." part of an error text: the sha for EVAL, the function name for FCALL. */
function scriptLabel(run: ScriptRun): string {
  return run.kind === "eval" ? run.sha : run.name;
}

function chunkName(run: ScriptRun): string {
  return run.kind === "eval" ? "user_script" : "user_function";
}

/** Reads the worker's result and replies to the caller. */
function complete(running: Running, ch: Channel): void {
  const parts = ch.read();
  ch.signal(0);
  const c = running.caller;
  const kind = parts[0][0];
  if (kind === 0x72) { // "r": the reply, already in the caller's protocol
    c.out.raw(parts[1]);
    countErrors(c, parts[1]);
    return;
  }
  if (kind === 0x65) { // "e": the script ended with an error
    const str = (b: Uint8Array) => bytesToStr(b);
    c.out.error(
      scriptError(running.run, str(parts[1]), str(parts[2]), Number(str(parts[3])), {
        kind: str(parts[4]),
        name: str(parts[5]),
      }),
    );
    return;
  }
  // "x": the VM aborted (its 64 MB heap ran out, or its C stack) and was replaced.
  const why = bytesToStr(parts[1]);
  const what = /OOM|Aborted/.test(why)
    ? "the Lua VM ran out of memory (lua-redis-wasm has a fixed 64 MB heap)"
    : `the Lua VM failed (${why.split("\n")[0]}) and was restarted`;
  c.out.error(
    `ERR Error running script: ${what} script: ${scriptLabel(running.run)}, ` +
      `on @${chunkName(running.run)}:0.`,
  );
}

/** An error reply inside the result counts for INFO errorstats as Redis's addReplyError does. */
function countErrors(c: Client, reply: Uint8Array): void {
  if (reply[0] !== 0x2d) return;
  let end = 1;
  while (end < reply.length && reply[end] !== 0x20 && reply[end] !== 13) end++;
  c.out.errors++;
  c.out.onError?.(bytesToStr(reply, 1, end));
}

/** Words an error that ended a script as Redis 7.0 does. */
function scriptError(
  run: ScriptRun,
  code: string,
  err: string,
  line: number,
  info: { kind: string; name: string },
): string {
  const chunk = chunkName(run);
  if (chunk !== "user_script") err = err.replaceAll("user_script:", `${chunk}:`);
  let msg: string;
  if (info.kind === "global-read") {
    msg =
      `ERR ${chunk}:${line}: Script attempted to access nonexistent global variable '${info.name}'`;
  } else if (info.kind === "command-arg-type") {
    msg = "ERR Lua redis lib command arguments must be strings or integers";
  } else {
    // error({err=...}) loses its table in lua-redis-wasm (a known gap): the NUL it leaves goes.
    msg = (code !== "" ? `${code} ` : "") + err.replace(/\0/g, "");
  }
  return `${msg} script: ${scriptLabel(run)}, on @${chunk}:${line}.`;
}

/** Serves one redis.call / redis.pcall of the running script. */
function serveCall(state: ScriptState, running: Running, ch: Channel): void {
  const parts = ch.readStrings();
  const head = parts[0];
  const sc = running.script;
  sc.resp = head.charCodeAt(1) === 0x33 ? 3 : 2;
  const args = parts.slice(1);
  const error = callError(state, running, args);
  if (error !== null) {
    ch.writeStrings(["e", error]);
    return;
  }
  ch.write([R, sc.out.take()]);
}

const R = new Uint8Array([0x72]);

/**
 * Checks and runs one command of a script (Redis's scriptCall): returns the
 * error text for Lua, or null with the reply in the script client's writer.
 */
function callError(state: ScriptState, running: Running, args: string[]): string | null {
  if (args.length === 0) return "ERR Please specify at least one argument for this redis lib call";
  const server = state.server;
  if (args[0] === "\0acl") return aclCheck(running, args.slice(1));
  if (args[0] === "\0repl") return setRepl(running, args.slice(1));
  let cmd: Command | undefined = server.commands.get(args[0]);
  if (cmd !== undefined && cmd.subcommands !== null && args.length > 1) {
    cmd = cmd.subcommands.get(args[1].toLowerCase());
  }
  if (cmd === undefined) return "ERR Unknown Redis command called from script";
  const refused = scriptRefusal(running, cmd, args);
  if (refused !== null) {
    // Counted as a rejected call of the command, as Redis's scriptCall does.
    cmd.stats.rejectedCalls++;
    return refused;
  }
  // Out of memory at the start: denyoom commands are refused until the script has written
  // (it cannot stop half way then), unless it is allow-oom (Redis's scriptVerifyOOM).
  if (running.oom && !running.wrote && !running.run.flags.allowOom && isDenyOom(server, cmd)) {
    return ERR_OOM;
  }
  const sc = running.script;
  const dirty = server.keyspace.dirty;
  sc.clockMark = performance.now();
  const r = runCommand(sc, cmd, args);
  if (r instanceof Promise) {
    // Asynchronous commands (MIGRATE) cannot complete inside a script here.
    r.catch(() => {});
    sc.out.take();
    return "ERR This Redis command is not allowed from script";
  }
  if (server.keyspace.dirty !== dirty) running.wrote = true;
  return null;
}

/** Why a script may not run `cmd` now (Redis's scriptCall checks), or null. */
function scriptRefusal(running: Running, cmd: Command, args: string[]): string | null {
  const arity = cmd.spec.arity;
  if ((arity > 0 && arity !== args.length) || args.length < -arity) {
    return "ERR Wrong number of args calling Redis command from script";
  }
  const flags = cmd.spec.flags;
  const parentFlags = cmd.parent?.spec.flags ?? [];
  if (flags.includes("noscript") || parentFlags.includes("noscript")) {
    return "ERR This Redis command is not allowed from script";
  }
  // The caller's user, checked for every call (Redis's scriptVerifyACL).
  if (!running.caller.user.unrestricted) {
    const refused = aclScriptDenied(running.caller, cmd, args);
    if (refused !== null) return refused;
  }
  if (cmd.isWrite) {
    if (running.readOnly) return "ERR Write commands are not allowed from read-only scripts.";
    const caller = running.caller;
    if (
      caller.server.keyspace.replica && !caller.master &&
      caller.server.config.bool("replica-read-only")
    ) {
      return ERR_READONLY_REPLICA;
    }
    if (!running.wrote && running.caller.server.persistence.denyWrites !== null) {
      return running.caller.server.persistence.denyWrites;
    }
    // Once the script wrote, it may finish (Redis's SCRIPT_WRITE_DIRTY).
    if (!running.wrote && tooFewReplicas(running.caller.server)) return ERR_NOREPLICAS;
  }
  return null;
}

const TRUE3 = "#t\r\n";
const FALSE3 = "#f\r\n";

/** redis.acl_check_cmd: whether the caller's user may run the command (nothing is logged). */
function aclCheck(running: Running, args: string[]): string | null {
  if (args.length === 0) return "ERR Please specify at least one argument for this redis lib call";
  const caller = running.caller;
  let cmd: Command | undefined = caller.server.commands.get(args[0]);
  // Redis's lookupCommand: a container with arguments means its subcommand.
  if (cmd !== undefined && cmd.subcommands !== null && args.length > 1) {
    cmd = cmd.subcommands.get(args[1].toLowerCase());
  }
  if (cmd === undefined) return "ERR Invalid command passed to redis.acl_check_cmd()";
  const allowed = caller.user.unrestricted || checkCommandPerm(caller.user, cmd, args) === null;
  running.script.out.str(allowed ? TRUE3 : FALSE3);
  return null;
}

/** redis.set_repl: checked as Redis does; redeno always propagates the effects to the AOF. */
function setRepl(running: Running, args: string[]): string | null {
  // (Redis 7.0's text says "two".)
  if (args.length !== 1) return "ERR redis.set_repl() requires two arguments.";
  const flags = Number(args[0]);
  if (!Number.isInteger(flags) || flags < 0 || flags > 3) {
    return "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
  }
  running.script.out.str("_\r\n");
  return null;
}

/** Evaluates Lua with no redis.call/pcall available (FUNCTION LOAD's loading context); the returned
 *  value is lua-redis-wasm's ReplyValue with Buffers as binary strings. Past `timeoutMs` (0: no
 *  limit) the VM is killed and the error is "timeout". */
export async function evaluateForLoad(
  server: Server,
  source: string,
  timeoutMs = 0,
): Promise<{ value: unknown } | { error: string }> {
  const state = scriptState(server);
  await state.start();
  if (state.failure !== null) return { error: state.failure };
  const out = state.jobSync(["l", source], timeoutMs);
  if (out === "timeout") return { error: "timeout" };
  if (out === null) return { error: "ERR the Lua VM is busy" };
  if (out[0] === "j") return { value: JSON.parse(new TextDecoder().decode(strBytes(out[1]))) };
  if (out[0] === "e") {
    const code = out[1];
    return { error: (code !== "" ? `${code} ` : "") + out[2] };
  }
  return { error: `ERR ${out[1]}` };
}

/**
 * Compiles a script without running it (SCRIPT LOAD, EVAL of a new
 * script): null, or Redis's "Error compiling script" reply text.
 */
export async function compileCheck(server: Server, source: string): Promise<string | null> {
  const state = scriptState(server);
  await state.start();
  if (state.failure !== null) return state.failure;
  const out = state.jobSync(["c", source]);
  if (out === null || out === "timeout") return "ERR the Lua VM is busy";
  if (out[0] === "k") return null;
  return `ERR Error compiling script (new function): ${out[1]}`;
}

function strBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** SCRIPT KILL / FUNCTION KILL: null when killed, else the error text (NOTBUSY ..., UNKILLABLE ..., the other kind's) */
export function killScript(server: Server, kind: "eval" | "function"): string | null {
  const state = scriptState(server);
  const running = state.running;
  if (running === null || server.busyScriptError === null) return NOTBUSY;
  if (running.wrote) return UNKILLABLE;
  if (kind === "eval" && running.run.kind !== "eval") return BUSY_FUNCTION;
  if (kind === "function" && running.run.kind === "eval") return BUSY_EVAL;
  running.killed = true;
  // Wakes the busy script's wait at once.
  if (state.channel !== null) Atomics.notify(state.channel.ctl, 0);
  return null;
}

/** Whether a script runs past busy-reply-threshold (SHUTDOWN without NOSAVE is refused then). */
export function scriptBusy(server: Server): boolean {
  return server.busyScriptError !== null && states.get(server)?.running != null;
}
