/**
 * Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET and
 * CLIENT with its subcommands.
 */
import type { Client } from "../server/client.ts";
import { constReply } from "../resp/encoder.ts";
import {
  ERR_DB_INDEX,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  intArg,
  isKeyword,
  parseInt64,
} from "./args.ts";
import { cArg, type CommandSpec, defineCommand } from "./table.ts";
import { aclLogAuthFailure } from "../server/aclcheck.ts";
import { REDIS_COMPAT_VERSION } from "../config.ts";
import { TRACKING_HELP, trackingSubcommands } from "./tracking.ts";
import { pauseClients, unpauseClients } from "../server/pause.ts";
import type { User } from "../server/acl.ts";

const PONG = constReply("+PONG\r\n");
const RESET = constReply("+RESET\r\n");
const ERR_WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
const ERR_NO_PASSWORD = "ERR AUTH <password> called without any password configured for the " +
  "default user. Are you sure your configuration is correct?";
const ERR_HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, " +
  "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and " +
  "select the RESP protocol version at the same time";
const ERR_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";

function ping(c: Client, args: string[]): void {
  if (args.length > 2) {
    c.out.error("ERR wrong number of arguments for 'ping' command");
  } else if (c.subscriberMode && c.resp === 2) {
    // A RESP2 subscriber's PONG is shaped like a message.
    c.out.array(2);
    c.out.bulk("pong");
    c.out.bulk(args.length === 2 ? args[1] : "");
  } else if (args.length === 2) {
    c.out.bulk(args[1]);
  } else {
    c.out.raw(PONG);
  }
}

function echo(c: Client, args: string[]): void {
  c.out.bulk(args[1]);
}

function quit(c: Client): void {
  c.out.ok();
  c.closeAfterReply = true;
}

function select(c: Client, args: string[]): void {
  const index = intArg(c, args[1], "ERR value is not an integer or out of range");
  if (index === null) return;
  const dbs = c.server.keyspace.dbs;
  if (index < 0 || index >= dbs.length) return c.out.error(ERR_DB_INDEX);
  c.db = dbs[index];
  c.out.ok();
}

/**
 * Checks a user/password pair against the ACL: the user exists, is on and
 * takes the password (Redis's ACLCheckUserCredentials).
 */
function checkPassword(c: Client, user: string, pass: string): boolean {
  return c.server.acl.users.get(user)?.checkPassword(pass) ?? false;
}

function auth(c: Client, args: string[]): void {
  if (args.length > 3) return c.out.error(ERR_SYNTAX);
  let user = "default";
  let pass: string;
  if (args.length === 2) {
    if (c.server.acl.defaultUser.nopass) return c.out.error(ERR_NO_PASSWORD);
    pass = args[1];
  } else {
    user = args[1];
    pass = args[2];
  }
  if (!checkPassword(c, user, pass)) {
    aclLogAuthFailure(c, args[0], user); // ACL LOG reason "auth"
    return c.out.error(ERR_WRONGPASS);
  }
  c.authenticated = true;
  c.user = c.server.acl.users.get(user)!;
  c.out.ok();
}

/** Redis's rule for client names (and library names): printable ASCII, no spaces. */
function validName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

function hello(c: Client, args: string[]): void {
  let proto: 2 | 3 | null = null;
  if (args.length >= 2) {
    const v = parseInt64(args[1]);
    if (v === null) return c.out.error("ERR Protocol version is not an integer or out of range");
    if (v !== 2 && v !== 3) return c.out.error("NOPROTO unsupported protocol version");
    proto = v;
  }
  // As Redis 7.0, AUTH and SETNAME take effect as they come, even when a later option fails.
  for (let j = 2; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (isKeyword(args[j], "AUTH") && more >= 2) {
      const user = args[j + 1];
      if (!checkPassword(c, user, args[j + 2])) {
        aclLogAuthFailure(c, args[0], user); // ACL LOG reason "auth"
        return c.out.error(ERR_WRONGPASS);
      }
      c.authenticated = true;
      c.user = c.server.acl.users.get(user)!;
      j += 2;
    } else if (isKeyword(args[j], "SETNAME") && more >= 1) {
      if (!validName(args[j + 1])) return c.out.error(ERR_CLIENT_NAME);
      c.name = args[j + 1];
      j++;
    } else {
      return c.out.error(`ERR Syntax error in HELLO option '${cArg(args[j])}'`);
    }
  }
  // As Redis: the client's flag, not the default user's state now.
  if (!c.authenticated) return c.out.error(ERR_HELLO_NOAUTH);
  if (proto !== null) c.resp = proto;
  const out = c.out;
  out.map(7);
  out.bulk("server");
  out.bulk("redis");
  out.bulk("version");
  out.bulk(REDIS_COMPAT_VERSION);
  out.bulk("proto");
  out.int(c.resp);
  out.bulk("id");
  out.int(c.id);
  out.bulk("mode");
  out.bulk("standalone");
  out.bulk("role");
  out.bulk("master");
  out.bulk("modules");
  out.array(0);
}

function reset(c: Client): void {
  c.reset();
  c.out.raw(RESET);
}

// ---- CLIENT ----

function clientId(c: Client): void {
  c.out.int(c.id);
}

function clientSetname(c: Client, args: string[]): void {
  if (!validName(args[2])) return c.out.error(ERR_CLIENT_NAME);
  c.name = args[2];
  c.out.ok();
}

function clientGetname(c: Client): void {
  if (c.name === "") c.out.nullBulk();
  else c.out.bulk(c.name);
}

/** Redis's client types; monitors count as normal clients. */
function clientType(name: string): string | null {
  const t = name.toLowerCase();
  if (t === "normal" || t === "pubsub" || t === "master") return t;
  if (t === "slave" || t === "replica") return "replica";
  return null;
}

function typeOfClient(c: Client): string {
  if (c.replica !== null) return "replica";
  if (c.master) return "master";
  return c.subscriberMode ? "pubsub" : "normal";
}

function clientList(c: Client, args: string[]): void {
  const server = c.server;
  let clients: Client[];
  if (args.length === 2) {
    clients = [...server.clients.values()];
  } else if (args.length === 4 && isKeyword(args[2], "TYPE")) {
    const type = clientType(args[3]);
    if (type === null) return c.out.error(`ERR Unknown client type '${cArg(args[3])}'`);
    clients = [...server.clients.values()].filter((x) => typeOfClient(x) === type);
  } else if (args.length > 3 && isKeyword(args[2], "ID")) {
    clients = [];
    for (let j = 3; j < args.length; j++) {
      const id = parseInt64(args[j]);
      if (id === null) return c.out.error("ERR Invalid client ID");
      const found = server.clients.get(Number(id));
      if (found) clients.push(found);
    }
  } else {
    return c.out.error(ERR_SYNTAX);
  }
  const now = Date.now();
  let text = "";
  for (const x of clients) text += x.info(now) + "\n";
  c.out.verbatim(text);
}

function clientInfo(c: Client): void {
  c.out.verbatim(c.info() + "\n");
}

function clientKill(c: Client, args: string[]): void {
  let addr: string | null = null;
  let laddr: string | null = null;
  let id: number | null = null;
  let type: string | null = null;
  let user: User | null = null;
  let maxAge = 0;
  let skipme = true;
  const oldForm = args.length === 3;
  if (oldForm) {
    addr = args[2];
    skipme = false;
  } else {
    for (let i = 2; i < args.length; i += 2) {
      const more = i + 1 < args.length;
      const opt = args[i];
      const val = args[i + 1];
      if (!more) return c.out.error(ERR_SYNTAX);
      if (isKeyword(opt, "ID")) {
        const v = parseInt64(val);
        if (v === null || v < 1) return c.out.error("ERR client-id should be greater than 0");
        id = Number(v);
      } else if (isKeyword(opt, "TYPE")) {
        type = clientType(val);
        if (type === null) return c.out.error(`ERR Unknown client type '${cStr(val)}'`);
      } else if (isKeyword(opt, "ADDR")) {
        addr = val;
      } else if (isKeyword(opt, "LADDR")) {
        laddr = val;
      } else if (isKeyword(opt, "USER")) {
        user = c.server.acl.users.get(val) ?? null;
        if (user === null) return c.out.error(`ERR No such user '${cStr(val)}'`);
      } else if (isKeyword(opt, "MAXAGE")) {
        // Redis 7.4's filter (7.0 has none): clients at least this many seconds old.
        const v = parseInt64(val);
        if (v === null) return c.out.error("ERR maxage is not an integer or out of range");
        maxAge = Number(v);
      } else if (isKeyword(opt, "SKIPME")) {
        if (isKeyword(val, "YES")) skipme = true;
        else if (isKeyword(val, "NO")) skipme = false;
        else return c.out.error(ERR_SYNTAX);
      } else {
        return c.out.error(ERR_SYNTAX);
      }
    }
  }
  let killed = 0;
  const nowSec = Math.floor(Date.now() / 1000);
  for (const x of [...c.server.clients.values()]) {
    if (addr !== null && x.addr !== addr) continue;
    if (laddr !== null && x.laddr !== laddr) continue;
    if (id !== null && x.id !== id) continue;
    if (type !== null && typeOfClient(x) !== type) continue;
    if (user !== null && x.user !== user) continue;
    if (maxAge !== 0 && nowSec - Math.floor(x.createdAt / 1000) < maxAge) continue;
    if (x === c && skipme) continue;
    if (x === c) c.closeAfterReply = true; // reply first, then close
    else x.kill();
    killed++;
  }
  if (oldForm) {
    if (killed === 0) c.out.error("ERR No such client");
    else c.out.ok();
  } else {
    c.out.int(killed);
  }
}

/** A "%s" argument of a Redis error text: cut at the first NUL, as C strings end there. */
function cStr(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout,
 * a timeout of 0 ends at once, as Redis 7.0's getTimeoutFromObjectOrReply.
 */
function clientPause(c: Client, args: string[]): void {
  if (args.length > 4) {
    return c.out.error(
      `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. ` +
        "Try CLIENT HELP.",
    );
  }
  let kind: "write" | "all" = "all";
  if (args.length === 4) {
    if (isKeyword(args[3], "WRITE")) kind = "write";
    else if (!isKeyword(args[3], "ALL")) {
      return c.out.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  }
  const ms = parseInt64(args[2]);
  if (ms === null) return c.out.error("ERR timeout is not an integer or out of range");
  if (ms < 0) return c.out.error("ERR timeout is negative");
  const now = Date.now();
  const end = ms === 0 ? 0 : Number(ms) + now;
  pauseClients(c.server, end, kind);
  c.out.ok();
}

/** CLIENT UNPAUSE: ends the pause at once; postponed clients resume in order. */
function clientUnpause(c: Client): void {
  unpauseClients(c.server);
  c.out.ok();
}

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command
 * with its timeout reply (default) or an -UNBLOCKED error; 1 if it was blocked.
 */
function clientUnblock(c: Client, args: string[]): void {
  const id = parseInt64(args[2]);
  if (id === null) return c.out.error(ERR_NOT_INTEGER);
  let reason: "timeout" | "error" = "timeout";
  if (args.length === 4) {
    if (isKeyword(args[3], "ERROR")) reason = "error";
    else if (!isKeyword(args[3], "TIMEOUT")) {
      return c.out.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (args.length > 4) {
    return c.out.error(
      `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. ` +
        "Try CLIENT HELP.",
    );
  }
  const target = c.server.clients.get(Number(id));
  c.out.int(target !== undefined && c.server.blocking.unblock(target, reason) ? 1 : 0);
}

function clientReply(c: Client, args: string[]): void {
  const mode = args[2];
  if (isKeyword(mode, "ON")) {
    c.replyOff = false;
    c.replySkipNext = false;
    c.out.ok();
  } else if (isKeyword(mode, "OFF")) {
    c.replyOff = true;
  } else if (isKeyword(mode, "SKIP")) {
    if (!c.replyOff) c.replySkipNext = true;
  } else {
    c.out.error(ERR_SYNTAX);
  }
}

function clientNoEvict(c: Client, args: string[]): void {
  if (isKeyword(args[2], "ON")) c.noEvict = true;
  else if (isKeyword(args[2], "OFF")) c.noEvict = false;
  else return c.out.error(ERR_SYNTAX);
  c.out.ok();
}

/** CLIENT SETINFO, answered as Redis 7.2 does (7.0 has no such subcommand). */
function clientSetinfo(c: Client, args: string[]): void {
  const attr = args[2];
  const val = args[3];
  const isName = isKeyword(attr, "LIB-NAME");
  if (!isName && !isKeyword(attr, "LIB-VER")) {
    return c.out.error(`ERR Unrecognized option '${cArg(attr)}'`);
  }
  if (!validName(val)) {
    return c.out.error(`ERR ${cArg(attr)} cannot contain spaces, newlines or special characters.`);
  }
  if (isName) c.libName = val;
  else c.libVersion = val;
  c.out.ok();
}

/** Replies with a HELP text the way Redis's addReplyHelp does. */
export function replyHelp(c: Client, command: string, lines: string[]): void {
  c.out.array(lines.length + 3);
  c.out.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.out.simple(l);
  c.out.simple("HELP");
  c.out.simple("    Prints this help.");
}

const CLIENT_HELP = [
  ...TRACKING_HELP.caching,
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "SETINFO <option> <value>",
  "    Set client meta attr. Options are:",
  "    * LIB-NAME: the client lib name.",
  "    * LIB-VER: the client lib version.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  ...TRACKING_HELP.tracking,
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
];

function clientHelp(c: Client): void {
  replyHelp(c, "CLIENT", CLIENT_HELP);
}

const CONN = "noscript loading stale";

export const connectionCommands: CommandSpec[] = [
  defineCommand({
    name: "ping",
    arity: -1,
    flags: "fast",
    group: "connection",
    since: "1.0.0",
    summary: "Ping the server",
    complexity: "O(1)",
    syntax: "[message]",
    tips: "request_policy:all_shards response_policy:all_succeeded",
    handler: ping,
  }),
  defineCommand({
    name: "echo",
    arity: 2,
    flags: "loading stale fast",
    group: "connection",
    since: "1.0.0",
    summary: "Echo the given string",
    complexity: "O(1)",
    syntax: "message",
    handler: echo,
  }),
  defineCommand({
    name: "quit",
    arity: -1,
    flags: "allow_busy noscript loading stale fast no_auth",
    group: "connection",
    since: "1.0.0",
    summary: "Close the connection",
    complexity: "O(1)",
    handler: quit,
  }),
  defineCommand({
    name: "select",
    arity: 2,
    flags: "loading stale fast",
    group: "connection",
    since: "1.0.0",
    summary: "Change the selected database for the current connection",
    complexity: "O(1)",
    syntax: "index",
    handler: select,
  }),
  defineCommand({
    name: "auth",
    arity: -2,
    flags: "noscript loading stale fast no_auth allow_busy",
    group: "connection",
    since: "1.0.0",
    summary: "Authenticate to the server",
    complexity: "O(N) where N is the number of passwords defined for the user",
    syntax: "[username] password",
    history: [["6.0.0", "Added ACL style (username and password)."]],
    args: "username@6.0.0? password",
    handler: auth,
  }),
  defineCommand({
    name: "hello",
    arity: -1,
    flags: "noscript loading stale fast no_auth allow_busy",
    group: "connection",
    since: "6.0.0",
    summary: "Handshake with Redis",
    complexity: "O(1)",
    syntax: "[protover [AUTH username password] [SETNAME clientname]]",
    history: [
      [
        "6.2.0",
        "`protover` made optional; when called without arguments the command reports the current connection's context.",
      ],
    ],
    args: "arguments.block?(protover.integer username_password'AUTH'.block?(username password) " +
      "clientname'SETNAME'.string?)",
    handler: hello,
  }),
  defineCommand({
    name: "reset",
    arity: 1,
    flags: "noscript loading stale fast no_auth allow_busy",
    group: "connection",
    since: "6.2.0",
    summary: "Reset the connection",
    complexity: "O(1)",
    handler: reset,
  }),
  defineCommand({
    name: "client",
    arity: -2,
    flags: "",
    group: "connection",
    since: "2.4.0",
    summary: "A container for client connection commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "id",
        arity: 2,
        flags: CONN,
        since: "5.0.0",
        summary: "Returns the client ID for the current connection",
        complexity: "O(1)",
        handler: clientId,
      },
      {
        name: "setname",
        arity: 3,
        flags: CONN,
        since: "2.6.9",
        summary: "Set the current connection name",
        complexity: "O(1)",
        syntax: "connection-name",
        handler: clientSetname,
      },
      {
        name: "getname",
        arity: 2,
        flags: CONN,
        since: "2.6.9",
        summary: "Get the current connection name",
        complexity: "O(1)",
        handler: clientGetname,
      },
      {
        name: "list",
        arity: -2,
        flags: "admin " + CONN,
        since: "2.4.0",
        summary: "Get the list of client connections",
        complexity: "O(N) where N is the number of client connections",
        syntax: "[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]",
        tips: "nondeterministic_output",
        history: [
          ["2.8.12", "Added unique client `id` field."],
          ["5.0.0", "Added optional `TYPE` filter."],
          ["6.0.0", "Added `user` field."],
          [
            "6.2.0",
            "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.",
          ],
          ["7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."],
          ["7.0.3", "Added `ssub` field."],
        ],
        args: "normal_master_replica_pubsub'TYPE'.oneof@5.0.0?(normal'NORMAL' master'MASTER' " +
          "replica'REPLICA' pubsub'PUBSUB') id'ID'.block@6.2.0?(client-id.integer*)",
        handler: clientList,
      },
      {
        name: "info",
        arity: 2,
        flags: CONN,
        since: "6.2.0",
        summary: "Returns information about the current client connection.",
        complexity: "O(1)",
        tips: "nondeterministic_output",
        handler: clientInfo,
      },
      {
        name: "kill",
        arity: -3,
        flags: "admin " + CONN,
        since: "2.4.0",
        summary: "Kill the connection of a client",
        complexity: "O(N) where N is the number of client connections",
        syntax: "<ip:port | [ID client-id] [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] " +
          "[USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME <YES | NO>]>",
        history: [
          ["2.8.12", "Added new filter format."],
          ["2.8.12", "`ID` option."],
          ["3.2.0", "Added `master` type in for `TYPE` option."],
          [
            "5.0.0",
            "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.",
          ],
          ["6.2.0", "`LADDR` option."],
        ],
        args: "filter.oneof(ip:port!2.8.12 new-format.oneof*(client-id'ID'.integer@2.8.12? " +
          "normal_master_slave_pubsub'TYPE'.oneof@2.8.12?(normal'NORMAL' " +
          "master'MASTER'@3.2.0 slave'SLAVE' replica'REPLICA'@5.0.0 pubsub'PUBSUB') " +
          "username'USER'.string? ip:port'ADDR'.string? ip:port'LADDR'.string@6.2.0? " +
          "yes/no'SKIPME'.string?))",
        handler: clientKill,
      },
      {
        name: "pause",
        arity: -3,
        flags: "admin noscript loading stale",
        since: "2.9.50",
        summary: "Stop processing commands from clients for some time",
        complexity: "O(1)",
        syntax: "timeout [WRITE | ALL]",
        args: "timeout.integer mode.oneof@6.2.0?(write'WRITE' all'ALL')",
        history: [["6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."]],
        handler: clientPause,
      },
      {
        name: "unpause",
        arity: 2,
        flags: "admin noscript loading stale",
        since: "6.2.0",
        summary: "Resume processing of clients that were paused",
        complexity: "O(N) Where N is the number of paused clients",
        handler: clientUnpause,
      },
      {
        name: "reply",
        arity: 3,
        flags: CONN,
        since: "3.2.0",
        summary: "Instruct the server whether to reply to commands",
        complexity: "O(1)",
        syntax: "<ON | OFF | SKIP>",
        args: "on_off_skip.oneof(on'ON' off'OFF' skip'SKIP')",
        handler: clientReply,
      },
      {
        name: "unblock",
        arity: -3,
        flags: "admin " + CONN,
        since: "5.0.0",
        summary: "Unblock a client blocked in a blocking command from a different connection",
        complexity: "O(log N) where N is the number of client connections",
        syntax: "client-id [TIMEOUT | ERROR]",
        args: "client-id.integer timeout_error.oneof?(timeout'TIMEOUT' error'ERROR')",
        handler: clientUnblock,
      },
      {
        name: "no-evict",
        arity: 3,
        flags: "admin " + CONN,
        since: "7.0.0",
        summary: "Set client eviction mode for the current connection",
        complexity: "O(1)",
        syntax: "<ON | OFF>",
        args: "enabled.oneof(on'ON' off'OFF')",
        handler: clientNoEvict,
      },
      {
        name: "setinfo",
        arity: 4,
        flags: CONN + " allow_busy",
        since: "7.2.0",
        summary: "Record the client library name or version",
        complexity: "O(1)",
        syntax: "<LIB-NAME libname | LIB-VER libver>",
        handler: clientSetinfo,
      },
      ...trackingSubcommands,
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: clientHelp,
      },
    ],
  }),
];
