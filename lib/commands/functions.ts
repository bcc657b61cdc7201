/**
 * FUNCTION LOAD / DELETE / FLUSH / LIST / DUMP / RESTORE / STATS / KILL /
 * HELP, FCALL and FCALL_RO (Redis 7.0 functions). The registry and the Lua
 * text live in lib/scripting/functions.ts; the VM in lib/scripting/runner.ts.
 *
 * LOAD and RESTORE run Lua (the library's top level) and so are
 * asynchronous: the registry is checked again when the VM answers, since
 * other clients ran meanwhile. A failed call logs nothing.
 */
import type { Client } from "../server/client.ts";
import { bytesToStr, strToBytes } from "../resp/bytes.ts";
import { globMatch } from "../util/glob.ts";
import { decodeFunctions, encodeFunctions } from "../persistence/rdb.ts";
import { verifyDumpPayload, withDumpFooter } from "./dump.ts";
import { isKeyword, parseInt64 } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { evalKeySpec } from "./scripting.ts";
import { cArg, type CommandSpec, defineCommand, keynumKeys } from "./table.ts";
import {
  buildLibraries,
  callSource,
  type FunctionInfo,
  functionRegistry,
  LOAD_TIMEOUT_MS,
  loadLibrary,
} from "../scripting/functions.ts";
import type { Server } from "../server/server.ts";
import {
  BUSY_EVAL,
  killScript,
  runScript,
  SCRIPT_FLAGS,
  type ScriptFlags,
  scriptState,
} from "../scripting/runner.ts";

/** The FCALL running now (FUNCTION STATS shows its command line and duration). */
const calls = new WeakMap<Server, { args: string[]; startedAt: number }>();

/** Redis's addReplySubcommandSyntaxError for FUNCTION's subcommands. */
function subcommandSyntaxError(c: Client, args: string[]): void {
  c.out.error(
    `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. ` +
      `Try ${cArg(args[0]).toUpperCase()} HELP.`,
  );
}

// ------------------------------------------------------------------ LOAD

/** FUNCTION LOAD [REPLACE] code */
async function functionLoad(c: Client, args: string[]): Promise<void> {
  let replace = false;
  let pos = 2;
  while (pos < args.length - 1) {
    const a = args[pos++];
    if (isKeyword(a, "REPLACE")) {
      replace = true;
      continue;
    }
    c.propagateAs = null;
    return c.out.error(`ERR Unknown option given: ${cArg(a, Infinity)}`);
  }
  // The AOF loader obeys without a time limit, as Redis's mustObeyClient.
  const r = await loadLibrary(c.server, args[pos], replace, c.loader ? 0 : LOAD_TIMEOUT_MS);
  if ("error" in r) {
    c.propagateAs = null;
    return c.out.error(r.error);
  }
  c.server.keyspace.dirty++;
  c.out.bulk(r.name);
}

// ------------------------------------------------------------------ DELETE / FLUSH

function functionDelete(c: Client, args: string[]): void {
  const registry = functionRegistry(c.server);
  const lib = registry.libraries.get(args[2]);
  if (lib === undefined) return c.out.error("ERR Library not found");
  registry.unlink(lib);
  c.server.keyspace.dirty++;
  c.out.ok();
}

function functionFlush(c: Client, args: string[]): void {
  if (args.length > 3) return subcommandSyntaxError(c, args);
  if (args.length === 3 && !isKeyword(args[2], "SYNC") && !isKeyword(args[2], "ASYNC")) {
    return c.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  functionRegistry(c.server).clear();
  c.server.keyspace.dirty++;
  c.out.ok();
}

// ------------------------------------------------------------------ LIST

function functionList(c: Client, args: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const a = args[i];
    if (!withCode && isKeyword(a, "WITHCODE")) {
      withCode = true;
      continue;
    }
    if (pattern === null && isKeyword(a, "LIBRARYNAME")) {
      if (i >= args.length - 1) return c.out.error("ERR library name argument was not given");
      pattern = args[++i];
      continue;
    }
    return c.out.error(`ERR Unknown argument ${cArg(a, Infinity)}`);
  }
  const libs = [...functionRegistry(c.server).libraries.values()].filter((l) =>
    pattern === null || globMatch(pattern, l.name, true)
  );
  const out = c.out;
  out.array(libs.length);
  for (const lib of libs) {
    out.map(withCode ? 4 : 3);
    out.bulk("library_name");
    out.bulk(lib.name);
    out.bulk("engine");
    out.bulk(lib.engine);
    out.bulk("functions");
    out.array(lib.functions.length);
    for (const f of lib.functions) {
      out.map(3);
      out.bulk("name");
      out.bulk(f.name);
      out.bulk("description");
      out.bulkOrNull(f.description);
      out.bulk("flags");
      const flags = SCRIPT_FLAGS.filter((n) => f.flags.has(n));
      out.set(flags.length);
      for (const n of flags) out.simple(n);
    }
    if (withCode) {
      out.bulk("library_code");
      out.bulk(lib.code);
    }
  }
}

// ------------------------------------------------------------------ DUMP / RESTORE

function functionDump(c: Client): void {
  const codes = functionRegistry(c.server).codes();
  const body = encodeFunctions(codes, c.server.config.bool("rdbcompression"));
  c.out.bulk(bytesToStr(withDumpFooter(body)));
}

type RestorePolicy = "FLUSH" | "APPEND" | "REPLACE";

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] */
async function functionRestore(c: Client, args: string[]): Promise<void> {
  c.propagateAs = null; // cleared again on success
  if (args.length > 4) return subcommandSyntaxError(c, args);
  let policy: RestorePolicy = "APPEND";
  if (args.length === 4) {
    const p = ["FLUSH", "APPEND", "REPLACE"].find((k) => isKeyword(args[3], k));
    if (p === undefined) {
      return c.out.error(
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
      );
    }
    policy = p as RestorePolicy;
  }
  const payload = strToBytes(args[2]);
  if (!verifyDumpPayload(payload)) {
    return c.out.error("ERR DUMP payload version or checksum are wrong");
  }
  const codes = decodeFunctions(payload);
  if (typeof codes === "string") return c.out.error(`ERR ${codes}`);
  // The payload's libraries load into a registry of their own first.
  const libs = await buildLibraries(c.server, codes);
  if ("error" in libs) return c.out.error(libs.error);
  const registry = functionRegistry(c.server);
  if (policy === "FLUSH") {
    registry.clear();
    for (const lib of libs) registry.link(lib);
  } else {
    const error = registry.join(libs, policy === "REPLACE");
    if (error !== null) return c.out.error(error);
  }
  c.propagateAs = undefined;
  c.server.keyspace.dirty++;
  c.out.ok();
}

// ------------------------------------------------------------------ STATS / KILL / HELP

function functionStats(c: Client): void {
  const running = scriptState(c.server).running;
  if (running !== null && running.run.kind === "eval") return c.out.error(BUSY_EVAL);
  const call = running !== null ? calls.get(c.server) : undefined;
  const out = c.out;
  out.map(2);
  out.bulk("running_script");
  if (running === null || call === undefined) {
    out.nullBulk();
  } else {
    out.map(3);
    out.bulk("name");
    out.bulk(running.run.name);
    out.bulk("command");
    out.array(call.args.length);
    for (const a of call.args) out.bulk(a);
    out.bulk("duration_ms");
    out.int(Date.now() - call.startedAt);
  }
  out.bulk("engines");
  out.map(1);
  out.bulk("LUA");
  out.map(2);
  const registry = functionRegistry(c.server);
  out.bulk("libraries_count");
  out.int(registry.libraries.size);
  out.bulk("functions_count");
  out.int(registry.functionCount);
}

function functionKill(c: Client): void {
  const error = killScript(c.server, "function");
  if (error === null) c.out.ok();
  else c.out.error(error);
}

const FUNCTION_HELP = [
  "LOAD [REPLACE] <FUNCTION CODE>",
  "    Create a new library with the given library name and code.",
  "DELETE <LIBRARY NAME>",
  "    Delete the given library.",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "    Return general information on all the libraries:",
  "    * Library name",
  "    * The engine used to run the Library",
  "    * Library description",
  "    * Functions list",
  "    * Library code (if WITHCODE is given)",
  "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
  "STATS",
  "    Return information about the current function running:",
  "    * Function name",
  "    * Command used to run the function",
  "    * Duration in MS that the function is running",
  "    If no function is running, return nil",
  "    In addition, returns a list of available engines.",
  "KILL",
  "    Kill the current running function.",
  "FLUSH [ASYNC|SYNC]",
  "    Delete all the libraries.",
  "    When called without the optional mode argument, the behavior is determined by the",
  "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
  "    * ASYNC: Asynchronously flush the libraries.",
  "    * SYNC: Synchronously flush the libraries.",
  "DUMP",
  "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
  "    control how to handle existing libraries (default APPEND):",
  "    * FLUSH: delete all existing libraries.",
  "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
  "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
  "      libraries with the new libraries (notice that even on this option there is a chance of failure",
  "      in case of functions name collision with another library).",
];

// ------------------------------------------------------------------ FCALL

/** The runner's flags of a function (declared flags: never Redis's legacy EVAL rules). */
function scriptFlags(f: FunctionInfo): ScriptFlags {
  return {
    noWrites: f.flags.has("no-writes"),
    allowOom: f.flags.has("allow-oom"),
    allowStale: f.flags.has("allow-stale"),
    noCluster: f.flags.has("no-cluster"),
    allowCrossSlotKeys: f.flags.has("allow-cross-slot-keys"),
    legacy: false,
  };
}

/** FCALL / FCALL_RO function numkeys [key ...] [arg ...] */
function fcall(c: Client, args: string[], readOnly: boolean): void | Promise<void> {
  const fn = functionRegistry(c.server).lookup(args[1]);
  if (fn === undefined) return c.out.error("ERR Function not found");
  const numkeys = parseInt64(args[2]);
  if (numkeys === null) return c.out.error("ERR Bad number of keys provided");
  if (numkeys > args.length - 3) {
    return c.out.error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return c.out.error("ERR Number of keys can't be negative");
  const n = Number(numkeys);
  calls.set(c.server, { args, startedAt: Date.now() });
  const done = runScript(c, {
    kind: "function",
    source: callSource(fn),
    sha: "",
    name: fn.name,
    keys: args.slice(3, 3 + n),
    argv: args.slice(3 + n),
    flags: scriptFlags(fn),
    readOnlyCommand: readOnly,
  });
  // The function's writes are logged (as its effects), never FCALL itself.
  if (done instanceof Promise) return done.then(() => void (c.propagateAs = null));
  c.propagateAs = null;
}

// ------------------------------------------------------------------ table

export const functionCommands: CommandSpec[] = [
  defineCommand({
    name: "fcall",
    arity: -3,
    flags: "noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Invoke a function",
    since: "7.0.0",
    complexity: "Depends on the function that is executed.",
    syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(false, true),
    getKeys: keynumKeys(2),
    args: "function numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => fcall(c, args, false),
  }),
  defineCommand({
    name: "fcall_ro",
    arity: -3,
    flags: "readonly noscript stale skip_monitor no_mandatory_keys movablekeys",
    group: "scripting",
    summary: "Invoke a read-only function",
    since: "7.0.0",
    complexity: "Depends on the function that is executed.",
    syntax: "function numkeys [key [key ...]] [arg [arg ...]]",
    keySpecs: evalKeySpec(true, true),
    getKeys: keynumKeys(2),
    args: "function numkeys.integer key.key#0?* arg?*",
    handler: (c, args) => fcall(c, args, true),
  }),
  defineCommand({
    name: "function",
    arity: -2,
    flags: "",
    group: "scripting",
    summary: "A container for function commands",
    since: "7.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "delete",
        arity: 3,
        flags: "write noscript",
        summary: "Delete a function by name",
        since: "7.0.0",
        complexity: "O(1)",
        syntax: "library-name",
        tips: "request_policy:all_shards response_policy:all_succeeded",
        handler: functionDelete,
      },
      {
        name: "dump",
        arity: 2,
        flags: "noscript",
        summary: "Dump all functions into a serialized binary payload",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions",
        handler: functionDump,
      },
      {
        name: "flush",
        arity: -2,
        flags: "write noscript",
        summary: "Deleting all functions",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions deleted",
        syntax: "[ASYNC | SYNC]",
        tips: "request_policy:all_shards response_policy:all_succeeded",
        args: "async.oneof?(async'ASYNC' sync'SYNC')",
        handler: functionFlush,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        summary: "Show helpful text about the different subcommands",
        since: "7.0.0",
        complexity: "O(1)",
        handler: (c) => replyHelp(c, "FUNCTION", FUNCTION_HELP),
      },
      {
        name: "kill",
        arity: 2,
        flags: "noscript allow_busy",
        summary: "Kill the function currently in execution.",
        since: "7.0.0",
        complexity: "O(1)",
        tips: "request_policy:all_shards response_policy:one_succeeded",
        handler: functionKill,
      },
      {
        name: "list",
        arity: -2,
        flags: "noscript",
        summary: "List information about all the functions",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions",
        syntax: "[LIBRARYNAME library-name-pattern] [WITHCODE]",
        tips: "nondeterministic_output_order",
        handler: functionList,
      },
      {
        name: "load",
        arity: -3,
        flags: "write denyoom noscript",
        summary: "Create a function with the given arguments (name, code, description)",
        since: "7.0.0",
        complexity: "O(1) (considering compilation time is redundant)",
        syntax: "[REPLACE] function-code",
        tips: "request_policy:all_shards response_policy:all_succeeded",
        handler: functionLoad,
      },
      {
        name: "restore",
        arity: -3,
        flags: "write denyoom noscript",
        summary: "Restore all the functions on the given payload",
        since: "7.0.0",
        complexity: "O(N) where N is the number of functions on the payload",
        syntax: "serialized-value [FLUSH | APPEND | REPLACE]",
        tips: "request_policy:all_shards response_policy:all_succeeded",
        args: "serialized-value policy.oneof?(flush'FLUSH' append'APPEND' replace'REPLACE')",
        handler: functionRestore,
      },
      {
        name: "stats",
        arity: 2,
        flags: "noscript allow_busy",
        summary:
          "Return information about the function currently running (name, description, duration)",
        since: "7.0.0",
        complexity: "O(1)",
        tips: "nondeterministic_output request_policy:all_shards response_policy:special",
        handler: functionStats,
      },
    ],
  }),
];
