/**
 * Server commands: INFO, CONFIG, COMMAND, TIME, LASTSAVE, SHUTDOWN, MONITOR,
 * SLOWLOG and DEBUG. COMMAND INFO / DOCS data is derived from the command
 * table (see the second half of this file).
 */
import type { Client } from "../server/client.ts";
import { globMatch } from "../util/glob.ts";
import { infoText } from "./info.ts";
import { ERR_SYNTAX, isKeyword, parseInt64 } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { rewriteConfigText } from "../config.ts";
import { osErrorText } from "../util/oserror.ts";
import {
  type Command,
  type CommandSpec,
  defineCommand,
  keysFromSpecs,
  type KeySpec,
} from "./table.ts";

// ---- INFO (sections in info.ts) ----

function info(c: Client, args: string[]): void {
  c.out.verbatim(infoText(c.server, args.slice(1)));
}

// ---- CONFIG ----

function configGet(c: Client, args: string[]): void {
  const pairs = c.server.config.getMatching(args.slice(2));
  c.out.map(pairs.length);
  for (const [k, v] of pairs) {
    c.out.bulk(k);
    c.out.bulk(v);
  }
}

function configSet(c: Client, args: string[]): void {
  const err = c.server.config.setMany(args.slice(2));
  if (err !== null) c.out.error(err);
  else c.out.ok();
}

function configResetstat(c: Client): void {
  c.server.resetStats();
  c.server.slowlog.reset();
  c.out.ok();
}

/**
 * CONFIG REWRITE (Redis's rewriteConfig, see rewriteConfigText): the file
 * is replaced through a temporary file renamed over it.
 */
function configRewrite(c: Client): void {
  const server = c.server;
  const path = server.config.filePath;
  if (path === "") return c.out.error("ERR The server is running without a config file");
  try {
    let old = "";
    try {
      old = Deno.readTextFileSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const text = rewriteConfigText(server.config, old, userLines(c));
    const tmp = `${path}.tmp-${Date.now()}-${Deno.pid}`;
    try {
      Deno.writeTextFileSync(tmp, text, { mode: 0o644 });
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch {
        // never created
      }
      throw e;
    }
  } catch (e) {
    server.log.warning(`CONFIG REWRITE failed: ${osErrorText(e)}`);
    return c.out.error(`ERR Rewriting config file: ${osErrorText(e)}`);
  }
  server.log.warning("CONFIG REWRITE executed with success.");
  c.out.ok();
}

/**
 * The `user` lines CONFIG REWRITE writes (Redis's rewriteConfigUserOption:
 * every user, sorted by name, as ACL LIST describes it); null when an ACL
 * file keeps the users.
 */
function userLines(c: Client): string[] | null {
  if (c.server.config.str("aclfile") !== "") return null;
  return c.server.acl.sortedUsers().map((u) => `user ${u.name} ${u.describe()}`);
}

function configHelp(c: Client): void {
  replyHelp(c, "CONFIG", [
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
  ]);
}

// ---- COMMAND ----

function allCommands(c: Client): Command[] {
  return c.server.commands.all();
}

function command(c: Client): void {
  const cmds = allCommands(c);
  c.out.array(cmds.length);
  for (const cmd of cmds) replyCommandInfo(c, cmd);
}

function commandCount(c: Client): void {
  c.out.int(allCommands(c).length);
}

function commandInfo(c: Client, args: string[]): void {
  if (args.length === 2) return command(c);
  c.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const cmd = c.server.commands.getFull(args[i]);
    if (cmd) replyCommandInfo(c, cmd);
    else c.out.nullBulk();
  }
}

function commandDocs(c: Client, args: string[]): void {
  const cmds = args.length === 2
    ? allCommands(c)
    : args.slice(2).map((n) => c.server.commands.getFull(n)).filter((x) => x !== undefined);
  c.out.map(cmds.length);
  for (const cmd of cmds) {
    c.out.bulk(cmd!.fullName);
    replyCommandDocs(c, cmd!);
  }
}

function commandList(c: Client, args: string[]): void {
  let filter: (cmd: Command) => boolean = () => true;
  if (args.length === 5 && isKeyword(args[2], "FILTERBY")) {
    const value = args[4];
    if (isKeyword(args[3], "MODULE")) {
      filter = () => false;
    } else if (isKeyword(args[3], "ACLCAT")) {
      const cat = value.toLowerCase();
      filter = (cmd) => aclCategories(cmd).includes(cat);
    } else if (isKeyword(args[3], "PATTERN")) {
      filter = (cmd) => globMatch(value, cmd.fullName, true);
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  } else if (args.length !== 2) {
    return c.out.error(ERR_SYNTAX);
  }
  const names: string[] = [];
  for (const cmd of allCommands(c)) {
    if (filter(cmd)) names.push(cmd.fullName);
    for (const sub of cmd.subcommands?.values() ?? []) if (filter(sub)) names.push(sub.fullName);
  }
  c.out.array(names.length);
  for (const n of names) c.out.bulk(n);
}

/** The command (or subcommand) a full command line names, for GETKEYS. */
function resolve(c: Client, line: string[]): Command | undefined {
  const cmd = c.server.commands.get(line[0]);
  if (cmd?.subcommands && line.length > 1) return cmd.subcommands.get(line[1].toLowerCase());
  return cmd;
}

/** COMMAND GETKEYS and GETKEYSANDFLAGS (keys with their key-spec flags). */
function getkeys(c: Client, args: string[], withFlags: boolean): void {
  const line = args.slice(2);
  const cmd = resolve(c, line);
  if (!cmd) return c.out.error("ERR Invalid command specified");
  // As Redis's doesCommandHaveKeys, before the arity: a key spec that is not not_key, or getKeys.
  const { getKeys, getKeysAndFlags, keySpecs, firstKey } = cmd.spec;
  const hasKeys = getKeys !== undefined || getKeysAndFlags !== undefined ||
    (keySpecs ? keySpecs.some((k) => !k.flags.includes("not_key")) : firstKey > 0);
  if (!hasKeys) return c.out.error("ERR The command has no key arguments");
  const arity = cmd.spec.arity;
  if ((arity > 0 && arity !== line.length) || line.length < -arity) {
    return c.out.error("ERR Invalid number of arguments specified for command");
  }
  const keys = commandKeysAndFlags(cmd, line);
  if (keys === null || keys.length === 0) {
    // EVAL, FCALL: commands whose keys are optional list none (Redis's CMD_NO_MANDATORY_KEYS).
    if (cmd.spec.flags.includes("no_mandatory_keys")) return c.out.array(0);
    return c.out.error("ERR Invalid arguments specified for command");
  }
  c.out.array(keys.length);
  for (const [k, flags] of keys) {
    if (!withFlags) {
      c.out.bulk(k);
      continue;
    }
    c.out.array(2);
    c.out.bulk(k);
    c.out.set(flags.length);
    for (const f of flags) c.out.simple(f);
  }
}

function commandGetkeys(c: Client, args: string[]): void {
  getkeys(c, args, false);
}

function commandGetkeysandflags(c: Client, args: string[]): void {
  getkeys(c, args, true);
}

function commandHelp(c: Client): void {
  replyHelp(c, "COMMAND", [
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
  ]);
}

// ---- TIME, LASTSAVE, SHUTDOWN, MONITOR ----

function time(c: Client): void {
  // The wall clock (as LASTSAVE and expiry use), with sub-millisecond digits
  // from the monotonic clock: timeOrigin + now() alone drifts from Date.now().
  const now = Date.now() + (performance.now() % 1);
  const secs = Math.floor(now / 1000);
  c.out.array(2);
  c.out.bulk(String(secs));
  c.out.bulk(String(Math.floor((now - secs * 1000) * 1000)));
}

function lastsave(c: Client): void {
  c.out.int(Math.floor(c.server.persistence.lastSaveMs / 1000));
}

async function shutdown(c: Client, args: string[]): Promise<void> {
  let save: boolean | null = null;
  let abort = false;
  let force = false;
  let now = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (isKeyword(a, "NOSAVE") && save === null) save = false;
    else if (isKeyword(a, "SAVE") && save === null) save = true;
    else if (isKeyword(a, "NOW")) now = true;
    else if (isKeyword(a, "FORCE")) force = true;
    else if (isKeyword(a, "ABORT")) abort = true;
    else return c.out.error(ERR_SYNTAX);
  }
  if (abort) {
    if (args.length !== 2) return c.out.error(ERR_SYNTAX);
    if (c.server.abortShutdown()) return c.out.ok();
    return c.out.error("ERR No shutdown in progress.");
  }
  // While a script runs past busy-reply-threshold only SHUTDOWN NOSAVE may stop the server.
  const busy = c.server.busyScriptError;
  if (busy !== null && save !== false) return c.out.error(busy);
  // No reply on success: the connection closes with the server.
  if (!(await c.server.shutdownWithSave(save, force, "shutdown", now))) {
    c.out.error("ERR Errors trying to SHUTDOWN. Check logs.");
  }
}

function monitor(c: Client): void {
  // Inside EXEC a client expects one reply per command: it cannot turn into a monitor.
  if (c.denyBlocking > 0) return c.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.out.ok();
}

// ---- SLOWLOG ----

function slowlogGet(c: Client, args: string[]): void {
  if (args.length > 3) {
    return c.out.error(
      `ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try SLOWLOG HELP.`,
    );
  }
  let count = 10;
  if (args.length === 3) {
    const v = parseInt64(args[2]);
    if (v === null || v < -1) return c.out.error("ERR count should be greater than or equal to -1");
    count = v === -1 ? Infinity : Number(v);
  }
  const entries = c.server.slowlog.entries;
  const n = Math.min(count, entries.length);
  c.out.array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    c.out.array(6);
    c.out.int(e.id);
    c.out.int(e.time);
    c.out.int(e.micros);
    c.out.array(e.args.length);
    for (const a of e.args) c.out.bulk(a);
    c.out.bulk(e.addr);
    c.out.bulk(e.name);
  }
}

function slowlogLen(c: Client): void {
  c.out.int(c.server.slowlog.entries.length);
}

function slowlogReset(c: Client): void {
  c.server.slowlog.reset();
  c.out.ok();
}

function slowlogHelp(c: Client): void {
  replyHelp(c, "SLOWLOG", [
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
  ]);
}

// ---- DEBUG ----

/** Blocks the whole process, as Redis's single thread does during DEBUG SLEEP. */
function blockFor(ms: number): void {
  if (ms <= 0) return;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load the dump back. */
async function debugReload(c: Client, args: string[]): Promise<void> {
  let flush = true;
  let save = true;
  for (let i = 2; i < args.length; i++) {
    if (isKeyword(args[i], "MERGE") || isKeyword(args[i], "NOFLUSH")) flush = false;
    else if (isKeyword(args[i], "NOSAVE")) save = false;
    else {return c.out.error(
        "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
      );}
  }
  const p = c.server.persistence;
  if (save && !(await p.saveNow("DEBUG RELOAD"))) {
    return c.out.error("ERR Error trying to save the DB");
  }
  try {
    await p.reloadDump(flush);
  } catch (e) {
    c.server.log.warning((e as Error).message);
    return c.out.error("ERR Error trying to load the RDB dump, check server logs.");
  }
  c.server.log.notice("DB reloaded by DEBUG RELOAD");
  c.out.ok();
}

function debug(c: Client, args: string[]): void | Promise<void> {
  const sub = args[1];
  if (isKeyword(sub, "HELP")) {
    return replyHelp(c, "DEBUG", [
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Options:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load, but",
      "      conflicting keys will generate an exception and kill the server.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
    ]);
  }
  if (isKeyword(sub, "RELOAD")) return debugReload(c, args);
  if (isKeyword(sub, "SET-ACTIVE-EXPIRE") && args.length === 3) {
    // atoi: any non-zero leading number turns it on.
    c.server.keyspace.activeExpireEnabled = (parseInt(args[2], 10) || 0) !== 0;
    return c.out.ok();
  }
  if (isKeyword(sub, "SLEEP") && args.length === 3) {
    // strtod semantics: a leading number, anything after it ignored, 0 if none.
    const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(args[2]);
    const seconds = m ? Number(m[0]) : 0;
    blockFor(seconds * 1000);
    return c.out.ok();
  }
  c.out.error(`ERR unknown subcommand '${sub}'. Try DEBUG HELP.`);
}

const ADMIN = "admin noscript loading stale";

export const serverCommands: CommandSpec[] = [
  defineCommand({
    name: "info",
    arity: -1,
    flags: "loading stale",
    group: "server",
    since: "1.0.0",
    summary: "Get information and statistics about the server",
    complexity: "O(1)",
    syntax: "[section [section ...]]",
    tips: "nondeterministic_output request_policy:all_shards response_policy:special",
    categories: ["dangerous"],
    history: [["7.0.0", "Added support for taking multiple section arguments."]],
    args: "section?*",
    handler: info,
  }),
  defineCommand({
    name: "config",
    arity: -2,
    flags: "",
    group: "server",
    since: "2.0.0",
    summary: "A container for server configuration commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "get",
        arity: -3,
        flags: ADMIN,
        since: "2.0.0",
        summary: "Get the values of configuration parameters",
        complexity: "O(N) when N is the number of configuration parameters provided",
        syntax: "parameter [parameter ...]",
        history: [["7.0.0", "Added the ability to pass multiple pattern parameters in one call"]],
        args: "parameter.block*(parameter)",
        handler: configGet,
      },
      {
        name: "set",
        arity: -4,
        flags: ADMIN,
        since: "2.0.0",
        summary: "Set configuration parameters to the given values",
        complexity: "O(N) when N is the number of configuration parameters provided",
        syntax: "parameter value [parameter value ...]",
        tips: "request_policy:all_nodes response_policy:all_succeeded",
        history: [["7.0.0", "Added the ability to set multiple parameters in one call."]],
        args: "parameter_value.block*(parameter value)",
        handler: configSet,
      },
      {
        name: "resetstat",
        arity: 2,
        flags: ADMIN,
        since: "2.0.0",
        summary: "Reset the stats returned by INFO",
        complexity: "O(1)",
        handler: configResetstat,
      },
      {
        name: "rewrite",
        arity: 2,
        flags: ADMIN,
        since: "2.8.0",
        summary: "Rewrite the configuration file with the in memory configuration",
        complexity: "O(1)",
        handler: configRewrite,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: configHelp,
      },
    ],
  }),
  defineCommand({
    name: "command",
    arity: -1,
    flags: "loading stale",
    group: "server",
    since: "2.8.13",
    summary: "Get array of Redis command details",
    complexity: "O(N) where N is the total number of Redis commands",
    tips: "nondeterministic_output_order",
    categories: ["connection"],
    handler: command,
    subcommands: [
      {
        name: "count",
        arity: 2,
        flags: "loading stale",
        since: "2.8.13",
        summary: "Get total number of Redis commands",
        complexity: "O(1)",
        categories: ["connection"],
        handler: commandCount,
      },
      {
        name: "info",
        arity: -2,
        flags: "loading stale",
        since: "2.8.13",
        summary: "Get array of specific Redis command details, or all when no argument is given.",
        complexity: "O(N) where N is the number of commands to look up",
        syntax: "[command-name [command-name ...]]",
        tips: "nondeterministic_output_order",
        categories: ["connection"],
        history: [["7.0.0", "Allowed to be called with no argument to get info on all commands."]],
        args: "command-name?*",
        handler: commandInfo,
      },
      {
        name: "docs",
        arity: -2,
        flags: "loading stale",
        since: "7.0.0",
        summary: "Get array of specific Redis command documentation",
        complexity: "O(N) where N is the number of commands to look up",
        syntax: "[command-name [command-name ...]]",
        tips: "nondeterministic_output_order",
        categories: ["connection"],
        args: "command-name?*",
        handler: commandDocs,
      },
      {
        name: "list",
        arity: -2,
        flags: "loading stale",
        since: "7.0.0",
        summary: "Get an array of Redis command names",
        complexity: "O(N) where N is the total number of Redis commands",
        syntax: "[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]",
        tips: "nondeterministic_output_order",
        categories: ["connection"],
        args: "filterby'FILTERBY'.oneof?(module-name'MODULE'.string category'ACLCAT'.string " +
          "pattern'PATTERN'.pattern)",
        handler: commandList,
      },
      {
        name: "getkeys",
        arity: -4,
        flags: "loading stale",
        since: "2.8.13",
        summary: "Extract keys given a full Redis command",
        complexity: "O(N) where N is the number of arguments to the command",
        syntax: "command [arg [arg ...]]",
        categories: ["connection"],
        args: "",
        handler: commandGetkeys,
      },
      {
        name: "getkeysandflags",
        arity: -4,
        flags: "loading stale",
        since: "7.0.0",
        summary: "Extract keys and access flags given a full Redis command",
        complexity: "O(N) where N is the number of arguments to the command",
        syntax: "command [arg [arg ...]]",
        categories: ["connection"],
        args: "",
        handler: commandGetkeysandflags,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        categories: ["connection"],
        handler: commandHelp,
      },
    ],
  }),
  defineCommand({
    name: "time",
    arity: 1,
    flags: "loading stale fast",
    group: "server",
    since: "2.6.0",
    summary: "Return the current server time",
    complexity: "O(1)",
    tips: "nondeterministic_output",
    handler: time,
  }),
  defineCommand({
    name: "lastsave",
    arity: 1,
    flags: "loading stale fast",
    group: "server",
    since: "1.0.0",
    summary: "Get the UNIX time stamp of the last successful save to disk",
    complexity: "O(1)",
    tips: "nondeterministic_output",
    categories: ["admin", "dangerous"],
    handler: lastsave,
  }),
  defineCommand({
    name: "shutdown",
    arity: -1,
    flags: "admin noscript loading stale no_multi allow_busy",
    group: "server",
    since: "1.0.0",
    summary: "Synchronously save the dataset to disk and then shut down the server",
    complexity: "O(N) when saving, where N is the total number of keys in all databases when " +
      "saving data, otherwise O(1)",
    syntax: "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
    history: [["7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."]],
    args: "nosave_save.oneof?(nosave'NOSAVE' save'SAVE') now'NOW'@7.0.0? force'FORCE'@7.0.0? " +
      "abort'ABORT'@7.0.0?",
    handler: shutdown,
  }),
  defineCommand({
    name: "monitor",
    arity: 1,
    flags: ADMIN,
    group: "server",
    since: "1.0.0",
    summary: "Listen for all requests received by the server in real time",
    handler: monitor,
  }),
  defineCommand({
    name: "slowlog",
    arity: -2,
    flags: "",
    group: "server",
    since: "2.2.12",
    summary: "A container for slow log commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "get",
        arity: -2,
        flags: "admin loading stale",
        since: "2.2.12",
        summary: "Get the slow log's entries",
        complexity: "O(N) where N is the number of entries returned",
        syntax: "[count]",
        tips: "request_policy:all_nodes nondeterministic_output",
        history: [["4.0.0", "Added client IP address, port and name to the reply."]],
        handler: slowlogGet,
      },
      {
        name: "len",
        arity: 2,
        flags: "admin loading stale",
        since: "2.2.12",
        summary: "Get the slow log's length",
        complexity: "O(1)",
        tips: "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
        handler: slowlogLen,
      },
      {
        name: "reset",
        arity: 2,
        flags: "admin loading stale",
        since: "2.2.12",
        summary: "Clear all entries from the slow log",
        complexity: "O(N) where N is the number of entries in the slowlog",
        tips: "request_policy:all_nodes response_policy:all_succeeded",
        handler: slowlogReset,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "6.2.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: slowlogHelp,
      },
    ],
  }),
  defineCommand({
    name: "debug",
    arity: -2,
    flags: ADMIN,
    group: "server",
    since: "1.0.0",
    summary: "A container for debugging commands",
    complexity: "Depends on subcommand.",
    protectedBy: "enable-debug-command",
    docFlags: "syscmd",
    handler: debug,
  }),
];

// ---- COMMAND INFO / DOCS data ----

/** Redis's ACL categories, in the order COMMAND INFO lists them. */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

const GROUP_CATEGORY: Record<string, string> = {
  generic: "keyspace",
  string: "string",
  list: "list",
  set: "set",
  "sorted-set": "sortedset",
  hash: "hash",
  bitmap: "bitmap",
  hyperloglog: "hyperloglog",
  geo: "geo",
  stream: "stream",
  pubsub: "pubsub",
  connection: "connection",
  transactions: "transaction",
  scripting: "scripting",
};

/** ACL categories of a command, as Redis derives them (implicit ones plus the group's). */
export function aclCategories(cmd: Command): string[] {
  const f = cmd.spec.flags;
  const cats = new Set<string>();
  if (f.includes("write")) cats.add("write");
  // Redis's setImplicitACLCategories: read-only scripting commands (FCALL_RO, EVAL_RO) are not @read.
  const scripting = cmd.spec.categories?.includes("scripting") ??
    (cmd.subcommands === null && cmd.spec.group === "scripting");
  if (f.includes("readonly") && !scripting) cats.add("read");
  if (f.includes("admin")) {
    cats.add("admin");
    cats.add("dangerous");
  }
  if (f.includes("pubsub")) cats.add("pubsub");
  if (f.includes("fast")) cats.add("fast");
  else cats.add("slow");
  if (f.includes("blocking")) cats.add("blocking");
  // Containers carry only the implicit categories; their subcommands the group's
  // (or those the command names instead).
  if (cmd.spec.categories !== undefined) {
    for (const extra of cmd.spec.categories) cats.add(extra);
  } else if (cmd.subcommands === null) {
    const g = GROUP_CATEGORY[cmd.spec.group];
    if (g) cats.add(g);
  }
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/**
 * The keys a command line names with their flags: by key specs first, else
 * by getKeys (no flags, as Redis's fallback extractors give none), else by
 * positions (flags from the command's). Null when it has none.
 */
export function commandKeysAndFlags(cmd: Command, args: string[]): [string, string[]][] | null {
  const s = cmd.spec;
  // As Redis's getKeysFromCommandWithSpecs: key specs first unless their flags vary
  // with the arguments; when they cannot answer, the command's getkeys procedure.
  if (s.keySpecs !== undefined && keySpecsAnswer(cmd)) {
    const found = keysFromSpecs(s.keySpecs, args);
    if (found !== null) return found;
  }
  if (s.getKeysAndFlags !== undefined) return s.getKeysAndFlags(args);
  if (s.getKeys !== undefined) {
    const keys = s.getKeys(args);
    return keys === null ? null : keys.map((k) => [k, NO_FLAGS]);
  }
  return s.keySpecs !== undefined ? [] : null;
}

/** Flags of keys found by a getkeys procedure that gives none (Redis's genericGetKeys). */
const NO_FLAGS: string[] = [];

/** Cached per command: has a key spec that is a key, and none with variable_flags. */
const specsAnswer = new WeakMap<Command, boolean>();

function keySpecsAnswer(cmd: Command): boolean {
  let yes = specsAnswer.get(cmd);
  if (yes === undefined) {
    const specs = cmd.spec.keySpecs ?? [];
    yes = specs.some((k) => !k.flags.includes("not_key")) &&
      !specs.some((k) => k.flags.includes("variable_flags"));
    specsAnswer.set(cmd, yes);
  }
  return yes;
}

/** The keys a command line names, from the key positions; null when it has none. */
export function commandKeys(cmd: Command, args: string[]): string[] | null {
  const { firstKey, lastKey, step, getKeys, keySpecs } = cmd.spec;
  if (keySpecs !== undefined) {
    const found = keysFromSpecs(keySpecs, args);
    if (found !== null) return found.map(([k]) => k);
  }
  if (getKeys !== undefined) return getKeys(args) ?? [];
  if (cmd.spec.getKeysAndFlags !== undefined) {
    return cmd.spec.getKeysAndFlags(args)?.map(([k]) => k) ?? [];
  }
  if (firstKey <= 0) return null;
  const last = lastKey < 0 ? args.length + lastKey : lastKey;
  const keys: string[] = [];
  for (let i = firstKey; i <= last && i < args.length; i += Math.max(step, 1)) keys.push(args[i]);
  return keys;
}

/**
 * Key-spec flags, derived from the command's flags (the table has no
 * per-key specs): writers get RW update, readers RO access.
 */
function keySpecFlags(cmd: Command): string[] {
  const f = cmd.spec.flags;
  return f.includes("write") ? ["RW", "update"] : f.includes("readonly") ? ["RO", "access"] : [
    "RW",
    "access",
  ];
}

/** COMMAND INFO entry: name, arity, flags, keys, categories, tips, key specs, subcommands. */
export function replyCommandInfo(c: Client, cmd: Command): void {
  const out = c.out;
  const s = cmd.spec;
  out.array(10);
  out.bulk(cmd.fullName);
  out.int(s.arity);
  const flags = visibleFlags(cmd);
  out.set(flags.length);
  for (const f of flags) out.simple(f);
  out.int(s.firstKey);
  out.int(s.lastKey);
  out.int(s.step);
  const cats = aclCategories(cmd);
  out.set(cats.length);
  for (const cat of cats) out.simple("@" + cat);
  const tips = s.tips ?? [];
  out.set(tips.length);
  for (const t of tips) out.bulk(t);
  // Without specs of its own, a command with key positions has one range spec.
  const specs = s.keySpecs ?? (s.firstKey > 0 ? [rangeKeySpec(cmd)] : []);
  out.set(specs.length); // a set in RESP3, as Redis 7.0 sends it
  for (const spec of specs) replyKeySpec(c, spec);
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  // As Redis 7.0: the subcommands as an array, their absence as an empty set.
  if (subs.length === 0) out.set(0);
  else out.array(subs.length);
  for (const sub of subs) replyCommandInfo(c, sub);
}

/** Command flags in the order COMMAND INFO lists them; may_replicate is not shown, as in Redis. */
const FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
];

const flagCache = new WeakMap<Command, string[]>();

function visibleFlags(cmd: Command): string[] {
  let flags = flagCache.get(cmd);
  if (flags === undefined) {
    const own: readonly string[] = cmd.spec.flags;
    flags = FLAG_ORDER.filter((f) => own.includes(f));
    flagCache.set(cmd, flags);
  }
  return flags;
}

/** The key spec that a command's key positions stand for. */
function rangeKeySpec(cmd: Command): KeySpec {
  const s = cmd.spec;
  return {
    flags: keySpecFlags(cmd),
    index: s.firstKey,
    find: {
      type: "range",
      lastkey: s.lastKey < 0 ? s.lastKey : s.lastKey - s.firstKey,
      keystep: s.step,
      limit: 0,
    },
  };
}

/** One key spec of COMMAND INFO, as Redis lists it. */
function replyKeySpec(c: Client, spec: KeySpec): void {
  const out = c.out;
  out.map(spec.notes ? 4 : 3);
  if (spec.notes) {
    out.bulk("notes");
    out.bulk(spec.notes);
  }
  out.bulk("flags");
  out.set(spec.flags.length);
  for (const f of spec.flags) out.simple(f);
  out.bulk("begin_search");
  out.map(2);
  out.bulk("type");
  if (spec.unknown) {
    out.bulk("unknown");
    out.bulk("spec");
    out.map(0);
    out.bulk("find_keys");
    out.map(2);
    out.bulk("type");
    out.bulk("unknown");
    out.bulk("spec");
    out.map(0);
    return;
  }
  if (spec.keyword !== undefined) {
    out.bulk("keyword");
    out.bulk("spec");
    out.map(2);
    out.bulk("keyword");
    out.bulk(spec.keyword.keyword);
    out.bulk("startfrom");
    out.int(spec.keyword.startfrom);
  } else {
    out.bulk("index");
    out.bulk("spec");
    out.map(1);
    out.bulk("index");
    out.int(spec.index);
  }
  out.bulk("find_keys");
  out.map(2);
  out.bulk("type");
  const f = spec.find;
  out.bulk(f.type);
  out.bulk("spec");
  out.map(3);
  const fields: [string, number][] = f.type === "range"
    ? [["lastkey", f.lastkey], ["keystep", f.keystep], ["limit", f.limit]]
    : [["keynumidx", f.keynumidx], ["firstkey", f.firstkey], ["keystep", f.keystep]];
  for (const [name, n] of fields) {
    out.bulk(name);
    out.int(n);
  }
}

/** One argument of COMMAND DOCS. */
export interface DocArg {
  name: string;
  type: string;
  token?: string;
  flags: string[];
  arguments?: DocArg[];
  /** For a key: the key spec that finds it (COMMAND DOCS key_spec_index). */
  keySpecIndex?: number;
  /** Versions that added / deprecated the argument. */
  since?: string;
  deprecatedSince?: string;
}

const DOC_ARG_FLAGS: Record<string, string> = {
  "?": "optional",
  "*": "multiple",
  "+": "multiple_token",
};

/**
 * Parses COMMAND DOCS arguments written in the table's short form (a
 * CommandSpec's `args`): space-separated arguments, each
 * `name['TOKEN'][.type][#keyspec][@since][!deprecated-since][?*+][(arguments)]`.
 * The type defaults to pure-token with a token, else string; `?` optional,
 * `*` multiple, `+` multiple_token.
 */
export function parseDocArgs(text: string): DocArg[] {
  let i = 0;
  const word = (re: RegExp): string => {
    re.lastIndex = i;
    const m = re.exec(text)!;
    i += m[0].length;
    return m[0];
  };
  const list = (): DocArg[] => {
    const out: DocArg[] = [];
    while (i < text.length && text[i] !== ")") {
      if (text[i] === " ") {
        i++;
        continue;
      }
      const a: DocArg = { name: word(/[^'.#@!?*+( )]+/y), type: "string", flags: [] };
      if (text[i] === "'") {
        const end = text.indexOf("'", i + 1);
        a.token = text.slice(i + 1, end);
        a.type = "pure-token";
        i = end + 1;
      }
      if (text[i] === ".") {
        i++;
        a.type = word(/[a-z-]+/y);
      }
      if (text[i] === "#") {
        i++;
        a.keySpecIndex = Number(word(/\d+/y));
      }
      if (text[i] === "@") {
        i++;
        a.since = word(/[\d.]+/y);
      }
      if (text[i] === "!") {
        i++;
        a.deprecatedSince = word(/[\d.]+/y);
      }
      while (DOC_ARG_FLAGS[text[i]] !== undefined) a.flags.push(DOC_ARG_FLAGS[text[i++]]);
      if (text[i] === "(") {
        i++;
        a.arguments = list();
        i++; // ")"
      }
      out.push(a);
    }
    return out;
  };
  return list();
}

type Item = DocArg | { ellipsis: true };

function isEllipsis(i: Item): i is { ellipsis: true } {
  return "ellipsis" in i;
}

const INTEGER_NAMES = new Set([
  "count",
  "index",
  "index1",
  "index2",
  "seconds",
  "milliseconds",
  "timeout",
  "db",
  "destination-db",
  "offset",
  "start",
  "end",
  "numkeys",
  "cursor",
  "port",
  "client-id",
  "protover",
  "numreplicas",
  "len",
]);

function argType(name: string): string {
  if (name === "key" || name.endsWith("key") && !name.includes("-")) return "key";
  if (name === "pattern") return "pattern";
  if (name.startsWith("unix-time")) return "unix-time";
  if (INTEGER_NAMES.has(name)) return "integer";
  return "string";
}

function tokenize(syntax: string): string[] {
  return syntax.replace(/([[\]<>|])/g, " $1 ").replace(/\.\.\./g, " ... ").split(/\s+/)
    .filter((t) => t !== "");
}

function isTokenWord(w: string): boolean {
  return /^[A-Z][A-Z0-9_-]*$/.test(w);
}

function makeArg(item: string): DocArg {
  return { name: item, type: argType(item), flags: [] };
}

class SyntaxParser {
  pos = 0;
  constructor(readonly toks: string[]) {}

  /** A sequence up to `|`, `]`, `>` or the end. */
  seq(): Item[] {
    const items: Item[] = [];
    while (this.pos < this.toks.length) {
      const t = this.toks[this.pos];
      if (t === "|" || t === "]" || t === ">") break;
      this.pos++;
      if (t === "[" || t === "<") {
        this.group(t === "[", items);
      } else if (t === "...") {
        items.push({ ellipsis: true });
      } else if (isTokenWord(t)) {
        const next = this.toks[this.pos];
        if (next !== undefined && /^[a-z]/.test(next)) {
          this.pos++;
          items.push({ ...makeArg(next), token: t });
        } else {
          items.push({ name: t.toLowerCase(), type: "pure-token", token: t, flags: [] });
        }
      } else {
        items.push(makeArg(t));
      }
    }
    return items;
  }

  group(optional: boolean, outer: Item[]): void {
    const alts: Item[][] = [this.seq()];
    while (this.toks[this.pos] === "|") {
      this.pos++;
      alts.push(this.seq());
    }
    this.pos++; // closing bracket
    const only = alts[0];
    if (alts.length === 1 && only.length > 0 && isEllipsis(only[only.length - 1])) {
      // "x [x ...]": the preceding items repeat.
      const n = only.length - 1;
      const repeated = outer.splice(outer.length - n, n) as DocArg[];
      if (n === 1) {
        repeated[0].flags.push("multiple");
        outer.push(repeated[0]);
      } else {
        outer.push({
          name: repeated[0].name,
          type: "block",
          flags: ["multiple"],
          arguments: repeated,
        });
      }
      return;
    }
    let arg: DocArg;
    if (alts.length > 1) {
      const members = alts.map((a) => this.single(a));
      arg = {
        name: members.map((m) => m.name).join("-"),
        type: "oneof",
        flags: [],
        arguments: members,
      };
    } else {
      arg = this.single(only);
    }
    if (optional) arg.flags.push("optional");
    outer.push(arg);
  }

  /** One alternative as a single argument (a block when it has several parts). */
  single(items: Item[]): DocArg {
    const args = items.filter((i) => !isEllipsis(i)) as DocArg[];
    if (args.length === 1) return args[0];
    const first = args[0];
    if (first && first.type === "pure-token" && args.length > 1) {
      // "AUTH username password": a block introduced by a token.
      return {
        name: first.name,
        type: "block",
        token: first.token,
        flags: [],
        arguments: args.slice(1),
      };
    }
    return { name: first?.name ?? "args", type: "block", flags: [], arguments: args };
  }
}

/** Parses a syntax string into COMMAND DOCS arguments. */
export function parseSyntax(syntax: string): DocArg[] {
  const p = new SyntaxParser(tokenize(syntax));
  const items = p.seq();
  return items.filter((i) => !isEllipsis(i)) as DocArg[];
}

const docCache = new Map<Command, DocArg[]>();

/** Argument names that stand for keys in a command with key specs (COPY's source, BITOP's destkey). */
const KEY_ARG_NAMES = new Set([
  "key",
  "key1",
  "key2",
  "source",
  "destination",
  "src",
  "dst",
  "newkey",
  "destkey",
  "sourcekey",
]);

/**
 * Types the key arguments of a command's docs and numbers them by key spec:
 * the n-th key argument (depth first, a repeated one counted once) is found
 * by the n-th key spec, skipping read-only "unknown" specs (SORT's BY/GET
 * patterns), which no argument names.
 */
function markKeyArgs(args: DocArg[], specs: KeySpec[]): void {
  const usable = specs.map((_, i) => i).filter((i) =>
    !(specs[i].unknown && specs[i].flags.includes("RO") && i > 0) &&
    !specs[i].flags.includes("not_key")
  );
  if (usable.length === 0) return;
  let n = 0;
  const walk = (list: DocArg[]) => {
    for (const a of list) {
      if (a.type === "key" || (a.type === "string" && KEY_ARG_NAMES.has(a.name))) {
        a.type = "key";
        a.keySpecIndex = usable[Math.min(n++, usable.length - 1)];
      }
      if (a.arguments) walk(a.arguments);
    }
  };
  walk(args);
}

function replyDocArg(c: Client, a: DocArg): void {
  const out = c.out;
  // Redis lists key_spec_index for any argument a key spec finds (SORT's BY pattern too).
  const keySpec = a.keySpecIndex ?? (a.type === "key" ? 0 : undefined);
  const fields = 2 + (keySpec !== undefined ? 1 : 0) + (a.token !== undefined ? 1 : 0) +
    (a.since ? 1 : 0) + (a.deprecatedSince ? 1 : 0) + (a.flags.length ? 1 : 0) +
    (a.arguments ? 1 : 0);
  out.map(fields);
  out.bulk("name");
  out.bulk(a.name);
  out.bulk("type");
  out.bulk(a.type);
  if (keySpec !== undefined) {
    out.bulk("key_spec_index");
    out.int(keySpec);
  }
  if (a.token !== undefined) {
    out.bulk("token");
    out.bulk(a.token);
  }
  if (a.since) {
    out.bulk("since");
    out.bulk(a.since);
  }
  if (a.deprecatedSince) {
    out.bulk("deprecated_since");
    out.bulk(a.deprecatedSince);
  }
  if (a.flags.length) {
    out.bulk("flags");
    out.set(a.flags.length);
    for (const f of a.flags) out.simple(f);
  }
  if (a.arguments) {
    out.bulk("arguments");
    out.array(a.arguments.length);
    for (const sub of a.arguments) replyDocArg(c, sub);
  }
}

/** COMMAND DOCS body of one command: summary, since, group, complexity, arguments, subcommands. */
export function replyCommandDocs(c: Client, cmd: Command): void {
  const out = c.out;
  const s = cmd.spec;
  let args = docCache.get(cmd);
  if (args === undefined) {
    if (s.args !== undefined) {
      args = parseDocArgs(s.args);
    } else {
      args = s.syntax ? parseSyntax(s.syntax) : [];
      if (s.keySpecs !== undefined) markKeyArgs(args, s.keySpecs);
    }
    docCache.set(cmd, args);
  }
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  const docFlags = s.docFlags?.split(" ") ?? [];
  out.map(
    3 + (s.complexity ? 1 : 0) + (docFlags.length ? 1 : 0) + (s.deprecatedSince ? 1 : 0) +
      (s.replacedBy ? 1 : 0) + (s.history ? 1 : 0) + (args.length ? 1 : 0) + (subs.length ? 1 : 0),
  );
  out.bulk("summary");
  out.bulk(s.summary);
  out.bulk("since");
  out.bulk(s.since);
  out.bulk("group");
  out.bulk(s.group);
  if (s.complexity) {
    out.bulk("complexity");
    out.bulk(s.complexity);
  }
  if (docFlags.length) {
    out.bulk("doc_flags");
    out.set(docFlags.length);
    for (const f of docFlags) out.simple(f);
  }
  if (s.deprecatedSince) {
    out.bulk("deprecated_since");
    out.bulk(s.deprecatedSince);
  }
  if (s.replacedBy) {
    out.bulk("replaced_by");
    out.bulk(s.replacedBy);
  }
  if (s.history) {
    out.bulk("history");
    out.set(s.history.length);
    for (const [version, change] of s.history) {
      out.array(2);
      out.bulk(version);
      out.bulk(change);
    }
  }
  if (args.length) {
    out.bulk("arguments");
    out.array(args.length);
    for (const a of args) replyDocArg(c, a);
  }
  if (subs.length) {
    out.bulk("subcommands");
    out.map(subs.length);
    for (const sub of subs) {
      out.bulk(sub.fullName);
      replyCommandDocs(c, sub);
    }
  }
}
