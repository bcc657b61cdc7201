/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis 7.0's eval.c): the
 * script cache (sha1 -> body), `#!lua flags=...` shebangs, numkeys. The
 * scripts themselves run in lib/scripting/runner.ts.
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { allocSize, type Client } from "../server/client.ts";
import { parseInt64 } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { type CommandSpec, defineCommand, keynumKeys, type KeySpec } from "./table.ts";
import { splitArgs } from "../resp/splitargs.ts";
import {
  type CachedScript,
  compileCheck,
  killScript,
  runScript,
  SCRIPT_FLAGS,
  type ScriptFlags,
  scriptState,
} from "../scripting/runner.ts";

const NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";

/** The sha1 of a script body, lowercase hex (binary string in). */
export function sha1hex(body: string): string {
  return createHash("sha1").update(Buffer.from(body, "latin1")).digest("hex");
}

/** What a script's shebang says, and the text Lua compiles (shebang cut, its line feed kept). */
type Parsed = Omit<CachedScript, "body">;

/**
 * Reads a `#!lua flags=...` first line as Redis's evalExtractShebangFlags
 * does; an error text on a bad one.
 */
export function parseShebang(body: string): Parsed | string {
  const flags: ScriptFlags = {
    noWrites: false,
    allowOom: false,
    allowStale: false,
    noCluster: false,
    allowCrossSlotKeys: false,
    legacy: true,
  };
  if (!body.startsWith("#!")) return { flags, source: body };
  const end = body.indexOf("\n");
  if (end < 0) return "ERR Invalid script shebang";
  const parts = splitArgs(body.slice(0, end));
  if (parts === null || parts.length === 0) return "ERR Invalid engine in script shebang";
  if (parts[0] !== "#!lua") return `ERR Unexpected engine in script shebang: ${parts[0]}`;
  flags.legacy = false;
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return `ERR Unknown lua shebang option: ${part}`;
    const list = part.slice(6);
    if (list === "") continue;
    for (const f of list.split(",")) {
      if (!(SCRIPT_FLAGS as readonly string[]).includes(f)) {
        return `ERR Unexpected flag in script shebang: ${f}`;
      }
      if (f === "no-writes") flags.noWrites = true;
      else if (f === "allow-oom") flags.allowOom = true;
      else if (f === "allow-stale") flags.allowStale = true;
      else if (f === "no-cluster") flags.noCluster = true;
      else flags.allowCrossSlotKeys = true;
    }
  }
  return { flags, source: body.slice(end) };
}

/**
 * Adds a script to the cache as luaCreateFunction does: shebang and
 * compilation checked first. Returns its sha, or an error text.
 */
async function createScript(c: Client, body: string): Promise<string | { error: string }> {
  const sha = sha1hex(body);
  const state = scriptState(c.server);
  if (state.scripts.has(sha)) return sha;
  const parsed = parseShebang(body);
  if (typeof parsed === "string") return { error: parsed };
  const error = await compileCheck(c.server, parsed.source);
  if (error !== null) return { error };
  if (!state.scripts.has(sha)) {
    state.scripts.set(sha, { body, ...parsed });
    state.scriptsBytes += scriptMemory(body);
  }
  return sha;
}

/**
 * What Redis 7.0 counts for a cached script in lua_scripts_mem, as
 * measured: 48 bytes of sha, 40 of bookkeeping, the body's allocation.
 */
function scriptMemory(body: string): number {
  const n = body.length;
  const header = n < 256 ? 3 : n < 65536 ? 5 : 9;
  return allocSize(3 + 40 + 1) + 40 + allocSize(header + n + 1);
}

/** numkeys as evalGenericCommand reads it; null after replying an error. */
function numKeys(c: Client, args: string[]): number | null {
  const n = parseInt64(args[2]);
  if (n === null) {
    c.out.error("ERR value is not an integer or out of range");
    return null;
  }
  if (n > args.length - 3) {
    c.out.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (n < 0) {
    c.out.error("ERR Number of keys can't be negative");
    return null;
  }
  return Number(n);
}

function evalGeneric(
  c: Client,
  args: string[],
  bySha: boolean,
  readOnly: boolean,
): void | Promise<void> {
  c.propagateAs = null;
  if (c.server.monitors.size !== 0) c.server.feedMonitors(c, args);
  if (bySha && args[1].length !== 40) return c.out.error(NOSCRIPT);
  const n = numKeys(c, args);
  if (n === null) return;
  const state = scriptState(c.server);
  const sha = bySha ? args[1].toLowerCase() : sha1hex(args[1]);
  const cached = state.scripts.get(sha);
  if (cached === undefined) {
    if (bySha) return c.out.error(NOSCRIPT);
    return createScript(c, args[1]).then((r) => {
      if (typeof r !== "string") return c.out.error(r.error);
      return run(c, args, r, n, readOnly);
    });
  }
  return run(c, args, sha, n, readOnly);
}

function run(
  c: Client,
  args: string[],
  sha: string,
  n: number,
  readOnly: boolean,
): void | Promise<void> {
  const parsed = scriptState(c.server).scripts.get(sha)!;
  return runScript(c, {
    kind: "eval",
    source: parsed.source,
    sha,
    name: "",
    keys: args.slice(3, 3 + n),
    argv: args.slice(3 + n),
    flags: parsed.flags,
    readOnlyCommand: readOnly,
  });
}

async function scriptLoad(c: Client, args: string[]): Promise<void> {
  const r = await createScript(c, args[2]);
  if (typeof r !== "string") return c.out.error(r.error);
  c.out.bulk(r);
}

function scriptExists(c: Client, args: string[]): void {
  const scripts = scriptState(c.server).scripts;
  c.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) c.out.int(scripts.has(args[i].toLowerCase()) ? 1 : 0);
}

function scriptFlush(c: Client, args: string[]): void {
  if (args.length > 3 || (args.length === 3 && !/^(a?sync)$/i.test(args[2]))) {
    return c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  const state = scriptState(c.server);
  state.scripts.clear();
  state.scriptsBytes = 0;
  c.out.ok();
}

function scriptKill(c: Client): void {
  const error = killScript(c.server, "eval");
  if (error === null) c.out.ok();
  else c.out.error(error);
}

function scriptDebug(c: Client, args: string[]): void {
  const mode = args[2].toLowerCase();
  if (mode === "no") return c.out.ok();
  if (mode === "yes" || mode === "sync") {
    return c.out.error(
      "ERR redeno has no Lua debugger: SCRIPT DEBUG YES and SYNC are not supported",
    );
  }
  c.out.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

const SCRIPT_HELP = [
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed.",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the scripts cache.",
  "    * SYNC: Synchronously flush the scripts cache.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
];

const NOTES = "We cannot tell how the keys will be used so we assume the worst, ";

/**
 * The keys of EVAL and FCALL: assumed read-write (read-only for the _RO
 * forms); EVAL, EVAL_RO, FCALL and FCALL_RO say why (`notes`).
 */
export function evalKeySpec(ro: boolean, notes: boolean): KeySpec[] {
  return [{
    notes: notes ? NOTES + (ro ? "RO and ACCESS" : "RW and UPDATE") : undefined,
    flags: ro ? ["RO", "access"] : ["RW", "access", "update"],
    index: 2,
    find: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
  }];
}

const COMPLEXITY = "Depends on the script that is executed.";

export const scriptingCommands: CommandSpec[] = [
  defineCommand({
    name: "eval",
    arity: -3,
    flags: "noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    complexity: COMPLEXITY,
    syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(false, true),
    getKeys: keynumKeys(2),
    args: "script numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => evalGeneric(c, args, false, false),
  }),
  defineCommand({
    name: "evalsha",
    arity: -3,
    flags: "noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Execute a Lua script server side",
    since: "2.6.0",
    complexity: COMPLEXITY,
    syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(false, false),
    getKeys: keynumKeys(2),
    args: "sha1 numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => evalGeneric(c, args, true, false),
  }),
  defineCommand({
    name: "eval_ro",
    arity: -3,
    flags: "readonly noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    complexity: COMPLEXITY,
    syntax: "script numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(true, true),
    getKeys: keynumKeys(2),
    args: "script numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => evalGeneric(c, args, false, true),
  }),
  defineCommand({
    name: "evalsha_ro",
    arity: -3,
    flags: "readonly noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Execute a read-only Lua script server side",
    since: "7.0.0",
    complexity: COMPLEXITY,
    syntax: "sha1 numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(true, false),
    getKeys: keynumKeys(2),
    args: "sha1 numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => evalGeneric(c, args, true, true),
  }),
  defineCommand({
    name: "script",
    arity: -2,
    flags: "",
    group: "scripting",
    summary: "A container for Lua scripts management commands",
    since: "2.6.0",
    complexity: "Depends on subcommand.",
    // In the order Redis 7.0 lists them (COMMAND INFO SCRIPT).
    subcommands: [
      {
        name: "kill",
        arity: 2,
        flags: "noscript allow_busy",
        summary: "Kill the script currently in execution.",
        since: "2.6.0",
        complexity: "O(1)",
        tips: "request_policy:all_shards response_policy:one_succeeded",
        handler: scriptKill,
      },
      {
        name: "exists",
        arity: -3,
        flags: "noscript",
        summary: "Check existence of scripts in the script cache.",
        since: "2.6.0",
        complexity:
          "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).",
        syntax: "sha1 [sha1 ...]",
        tips: "request_policy:all_shards response_policy:agg_logical_and",
        handler: scriptExists,
      },
      {
        name: "load",
        arity: 3,
        flags: "noscript stale",
        summary: "Load the specified Lua script into the script cache.",
        since: "2.6.0",
        complexity: "O(N) with N being the length in bytes of the script body.",
        syntax: "script",
        tips: "request_policy:all_nodes response_policy:all_succeeded",
        handler: scriptLoad,
      },
      {
        name: "flush",
        arity: -2,
        flags: "noscript",
        summary: "Remove all the scripts from the script cache.",
        since: "2.6.0",
        complexity: "O(N) with N being the number of scripts in cache",
        syntax: "[ASYNC | SYNC]",
        tips: "request_policy:all_nodes response_policy:all_succeeded",
        history: [["6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."]],
        args: "async.oneof@6.2.0?(async'ASYNC' sync'SYNC')",
        handler: scriptFlush,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        summary: "Show helpful text about the different subcommands",
        since: "5.0.0",
        complexity: "O(1)",
        handler: (c) => replyHelp(c, "SCRIPT", SCRIPT_HELP),
      },
      {
        name: "debug",
        arity: 3,
        flags: "noscript",
        summary: "Set the debug mode for executed scripts.",
        since: "3.2.0",
        complexity: "O(1)",
        syntax: "YES | SYNC | NO",
        args: "mode.oneof(yes'YES' sync'SYNC' no'NO')",
        handler: scriptDebug,
      },
    ],
  }),
];
