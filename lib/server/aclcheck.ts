/**
 * The ACL permission check of a command (Redis 7.0's ACLCheckAllPerm): the
 * command, its keys (read / write from the key specs) and its channels
 * against the selectors of the client's user; NOPERM errors and the ACL LOG.
 *
 * The dispatcher calls aclDenied only for restricted users (User.unrestricted
 * false), so the common case never gets here. EXEC re-checks its queue
 * (aclExecDenied) and scripts check every redis.call (aclScriptDenied), as
 * Redis 7.0 does, since the rules may change after a command was queued.
 */
import type { Command } from "../commands/table.ts";
import { commandKeysAndFlags } from "../commands/server.ts";
import type { Client } from "./client.ts";
import type { Server } from "./server.ts";
import { ACL_READ, ACL_WRITE, type Selector, type User } from "./acl.ts";

/** Why the ACL refused something; the numbers order them as Redis's ACL_DENIED_* do. */
export const DENIED_CMD = 1;
/** A key the selectors do not allow (with the permission the command needs). */
export const DENIED_KEY = 2;
/** A failed AUTH / HELLO AUTH (ACL LOG only). */
export const DENIED_AUTH = 3;
/** A Pub/Sub channel the selectors do not allow. */
export const DENIED_CHANNEL = 4;

/** Where a refusal happened, as ACL LOG's context field names it. */
export type AclContext = "toplevel" | "multi" | "lua";

/** A refusal: its reason (DENIED_*) and the argument index of the key or channel (0 for a command). */
export interface AclRefusal {
  reason: number;
  pos: number;
}

/** The commands that name channels (Redis's ACLDoesCommandHaveChannels); true: pattern arguments. */
const CHANNEL_COMMANDS = new Map<string, { all: boolean; pattern: boolean }>([
  ["publish", { all: false, pattern: false }],
  ["spublish", { all: false, pattern: false }],
  ["subscribe", { all: true, pattern: false }],
  ["ssubscribe", { all: true, pattern: false }],
  ["psubscribe", { all: true, pattern: true }],
]);

/** Key-spec flags to the permission a key needs (Redis's ACLSelectorCheckKey). */
function keyPerm(flags: string[]): number {
  let perm = 0;
  for (const f of flags) {
    if (f === "access") perm |= ACL_READ;
    else if (f === "insert" || f === "delete" || f === "update") perm |= ACL_WRITE;
  }
  return perm;
}

/** A command's keys with argument index and permission needed, found once for all selectors. */
type KeyRef = [key: string, pos: number, perm: number];

function keyRefs(cmd: Command, args: string[]): KeyRef[] {
  const found = commandKeysAndFlags(cmd, args);
  if (found === null) return [];
  const refs: KeyRef[] = [];
  const used = new Set<number>();
  for (const [key, flags] of found) {
    // Channels of the shard commands are key specs too, but not keys.
    if (flags.includes("not_key")) continue;
    // The argument index (what ACL LOG reports and selectors compare): the first unused occurrence.
    let pos = 1;
    while (pos < args.length && (args[pos] !== key || used.has(pos))) pos++;
    if (pos === args.length) pos = args.indexOf(key, 1);
    used.add(pos);
    refs.push([key, pos, keyPerm(flags)]);
  }
  return refs;
}

/**
 * Checks `cmd` with `args` against one selector (Redis's ACLSelectorCheckCmd):
 * 0 when it allows it all, else [reason, argument index] as a pair packed
 * into `out`. `keys` holds the command's keys once found (shared by selectors).
 */
function checkSelector(
  s: Selector,
  cmd: Command,
  args: string[],
  keys: { refs: KeyRef[] | null },
  out: number[],
): number {
  if (!s.allowsCommand(cmd, args)) {
    out[0] = 0;
    return DENIED_CMD;
  }
  if (!s.allKeys) {
    const refs = keys.refs ??= keyRefs(cmd, args);
    for (const [key, at, perm] of refs) {
      if (!s.allowsKey(key, perm)) {
        out[0] = at;
        return DENIED_KEY;
      }
    }
  }
  const channels = cmd.parent === null ? CHANNEL_COMMANDS.get(cmd.spec.name) : undefined;
  if (channels !== undefined && !s.allChannels) {
    const last = channels.all ? args.length - 1 : Math.min(1, args.length - 1);
    for (let i = 1; i <= last; i++) {
      if (!s.allowsChannel(args[i], channels.pattern)) {
        out[0] = i;
        return DENIED_CHANNEL;
      }
    }
  }
  return 0;
}

/**
 * Checks `cmd` with `args` against every selector of `user` (Redis's
 * ACLCheckAllUserCommandPerm): null when one selector allows it all, else
 * the refusal to report: a key or channel refusal before a command one, and
 * among equal reasons the one at the highest argument index.
 */
export function checkCommandPerm(user: User, cmd: Command, args: string[]): AclRefusal | null {
  let reason = DENIED_CMD;
  let pos = 0;
  const keys = { refs: null };
  const at = [0];
  for (const s of user.selectors) {
    const r = checkSelector(s, cmd, args, keys, at);
    if (r === 0) return null;
    if (r > reason || (r === reason && at[0] > pos)) {
      reason = r;
      pos = at[0];
    }
  }
  return { reason, pos };
}

/**
 * Whether some selector of `user` allows `cmd` with `args` and may read every
 * key (allkeys, or a `*` pattern with read permission): Redis's
 * ACLUserCheckCmdWithUnrestrictedKeyAccess, which SORT's BY and GET
 * patterns need since they name keys the check cannot see.
 */
export function readsAnyKey(user: User, cmd: Command, args: string[]): boolean {
  if (user.unrestricted) return true;
  const keys = { refs: null };
  const at = [0];
  for (const s of user.selectors) {
    if (checkSelector(s, cmd, args, keys, at) !== 0) continue;
    if (s.allKeys || s.keys.some((p) => p.pattern === "*" && (p.flags & ACL_READ) !== 0)) {
      return true;
    }
  }
  return false;
}

/**
 * The dispatcher's check (restricted users only): null when allowed, else
 * the NOPERM text, after an ACL LOG entry (context multi while queueing).
 */
export function aclDenied(c: Client, cmd: Command, args: string[]): string | null {
  const refusal = checkCommandPerm(c.user, cmd, args);
  if (refusal === null) return null;
  // Redis has made the refused command the client's last one by now (CLIENT LIST cmd=).
  c.lastCommand = cmd;
  logRefusal(c, c, refusal, c.multi !== null ? "multi" : "toplevel", cmd, args);
  switch (refusal.reason) {
    case DENIED_CMD:
      return `NOPERM this user has no permissions to run the '${cmd.fullName}' command`;
    case DENIED_KEY:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    default:
      return "NOPERM this user has no permissions to access one of the channels used as arguments";
  }
}

/**
 * EXEC's re-check of a queued command (restricted users only): null to run
 * it, else the error reply that takes its place in EXEC's array.
 */
export function aclExecDenied(c: Client, cmd: Command, args: string[]): string | null {
  const refusal = checkCommandPerm(c.user, cmd, args);
  if (refusal === null) return null;
  logRefusal(c, c, refusal, "multi", cmd, args);
  const why = refusal.reason === DENIED_CMD
    ? "no permission to execute the command or subcommand"
    : refusal.reason === DENIED_KEY
    ? "no permission to touch the specified keys"
    : "no permission to access one of the channels used as arguments";
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and " +
    `the EXEC call. This command is no longer allowed for the following reason: ${why}`;
}

/**
 * A script's redis.call / redis.pcall check against the caller's user
 * (restricted users only): null to run it, else the error for Lua.
 */
export function aclScriptDenied(caller: Client, cmd: Command, args: string[]): string | null {
  const refusal = checkCommandPerm(caller.user, cmd, args);
  if (refusal === null) return null;
  logRefusal(caller, caller, refusal, "lua", cmd, args);
  switch (refusal.reason) {
    case DENIED_CMD:
      return "ERR The user executing the script can't run this command or subcommand";
    case DENIED_KEY:
      return "ERR The user executing the script can't access at least one of the keys " +
        "mentioned in the command arguments";
    default:
      return "ERR The user executing the script can't publish to the channel mentioned in the " +
        "command";
  }
}

/**
 * ACL DRYRUN's answer: null when `user` may run it, else the sentence Redis
 * replies with (as a bulk string). Nothing is logged.
 */
export function dryRunRefusal(user: User, cmd: Command, args: string[]): string | null {
  const refusal = checkCommandPerm(user, cmd, args);
  if (refusal === null) return null;
  if (refusal.reason === DENIED_CMD) {
    return `This user has no permissions to run the '${cmd.fullName}' command`;
  }
  const what = refusal.reason === DENIED_KEY ? "key" : "channel";
  return `This user has no permissions to access the '${cString(args[refusal.pos])}' ${what}`;
}

/** A C string's view of a binary argument (cut at the first NUL), as Redis's %s prints it. */
export function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

function logRefusal(
  c: Client,
  real: Client,
  refusal: AclRefusal,
  context: AclContext,
  cmd: Command,
  args: string[],
): void {
  const object = refusal.reason === DENIED_CMD ? cmd.fullName : args[refusal.pos];
  addAclLogEntry(real, refusal.reason, context, object, c.user.name);
}

/** A failed AUTH or HELLO AUTH (`argv0` as the client typed it) for ACL LOG, reason "auth". */
export function aclLogAuthFailure(c: Client, argv0: string, username: string): void {
  addAclLogEntry(c, DENIED_AUTH, c.multi !== null ? "multi" : "toplevel", argv0, username);
}

// ---- ACL LOG ----

/** One ACL LOG entry (Redis 7.0.15's ACLLogEntry). */
export interface AclLogEntry {
  count: number;
  reason: number;
  context: AclContext;
  /** The command's full name, the key or channel, or the AUTH command name. */
  object: string;
  username: string;
  /** When it last happened (ms since the epoch). */
  time: number;
  /** CLIENT INFO of the last client it happened to. */
  clientInfo: string;
}

/** Similar refusals within this many ms update one entry (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MS = 60000;
/** Entries searched for a similar one (Redis's toscan). */
const GROUPING_SCAN = 10;

/** Each server's ACL LOG, newest first. */
const logs = new WeakMap<Server, AclLogEntry[]>();

/** The ACL LOG of `server`, newest entry first. */
export function aclLog(server: Server): AclLogEntry[] {
  let log = logs.get(server);
  if (log === undefined) logs.set(server, log = []);
  return log;
}

/**
 * Records a refusal as Redis's addACLLogEntry: a similar recent entry (same
 * reason, context, object and user, within a minute, among the ten newest)
 * is counted again and moved to the front; otherwise a new entry goes first
 * and the log is cut to acllog-max-len.
 */
export function addAclLogEntry(
  c: Client,
  reason: number,
  context: AclContext,
  object: string,
  username: string,
): void {
  const server = c.server;
  const log = aclLog(server);
  const now = Date.now();
  const clientInfo = c.info(now);
  const scan = Math.min(GROUPING_SCAN, log.length);
  for (let i = 0; i < scan; i++) {
    const e = log[i];
    if (
      e.reason === reason && e.context === context && Math.abs(e.time - now) <= GROUPING_MS &&
      e.object === object && e.username === username
    ) {
      e.count++;
      e.time = now;
      e.clientInfo = clientInfo;
      log.splice(i, 1);
      log.unshift(e);
      return;
    }
  }
  log.unshift({ count: 1, reason, context, object, username, time: now, clientInfo });
  const max = server.config.num("acllog-max-len");
  if (log.length > max) log.length = max;
}

/** ACL LOG's name of a reason. */
export function reasonName(reason: number): string {
  switch (reason) {
    case DENIED_CMD:
      return "command";
    case DENIED_KEY:
      return "key";
    case DENIED_CHANNEL:
      return "channel";
    case DENIED_AUTH:
      return "auth";
    default:
      return "unknown";
  }
}
