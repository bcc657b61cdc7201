/**
 * Shared error replies and argument parsers for handlers: every error text
 * that more than one command uses lives here, spelled as Redis 7.0 spells it.
 */
import type { Client } from "../server/client.ts";
import { parseInt64 } from "../util/int64.ts";
import { NOTIFY_GENERIC } from "../store/notify.ts";

// Integer parsing lives in util (the store and the RDB codec use it too).
export { INT64_MAX, INT64_MIN, parseInt64 } from "../util/int64.ts";

export const ERR_WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range";
export const ERR_NOT_FLOAT = "ERR value is not a valid float";
export const ERR_SYNTAX = "ERR syntax error";
/** A write on a replica under replica-read-only (dispatcher and scripts). */
export const ERR_READONLY_REPLICA = "READONLY You can't write against a read only replica.";
/** A replica whose link is down, under replica-serve-stale-data no (dispatcher and scripts). */
export const ERR_MASTERDOWN =
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
export const ERR_OVERFLOW = "ERR increment or decrement would overflow";
export const ERR_NO_SUCH_KEY = "ERR no such key";
export const ERR_DB_INDEX = "ERR DB index is out of range";
export const ERR_INVALID_EXPIRE = "invalid expire time in '%s' command";

/**
 * An integer argument as a safe JS number, or null after replying with
 * `error` (default: not an integer). Values past 2^53 but within int64 are
 * clamped to the nearest safe integer: they only ever act as bounds.
 */
export function intArg(c: Client, s: string, error = ERR_NOT_INTEGER): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.out.error(error);
    return null;
  }
  if (typeof v === "bigint") {
    return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  }
  return v;
}

/** Case-insensitive comparison of an argument with an upper-case keyword. */
export function isKeyword(arg: string, upper: string): boolean {
  return arg.length === upper.length && arg.toUpperCase() === upper;
}

/** A class of stored value (ListValue, SetValue ...), as readTyped/writeTyped check a key against. */
// deno-lint-ignore no-explicit-any
export type ValueClass<T> = abstract new (...args: any[]) => T;

/** The value at `key` for reading: undefined when missing, null after replying WRONGTYPE when not a `cls`. */
export function readTyped<T>(c: Client, key: string, cls: ValueClass<T>): T | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined || v instanceof cls) return v;
  c.out.error(ERR_WRONGTYPE);
  return null;
}

/** The value at `key` for writing: undefined when missing, null after replying WRONGTYPE when not a `cls`. */
export function writeTyped<T>(c: Client, key: string, cls: ValueClass<T>): T | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined || v instanceof cls) return v;
  c.out.error(ERR_WRONGTYPE);
  return null;
}

/** A collection whose members can be removed one at a time (hash fields, set and zset members). */
export interface MemberRemoval {
  delete(member: string): boolean;
  readonly size: number;
}

/**
 * HDEL, SREM and ZREM: removes args[2..] from `collection` (the value at
 * args[1] as writeTyped found it), deletes the key with its last member and
 * replies how many were removed. When something was removed it fires
 * keyspace event `event` of class `cls` (a NOTIFY_* bit), then "del" if the
 * key went with its last member, as Redis's hdel/srem/zrem commands do.
 */
export function removeMembers(
  c: Client,
  args: string[],
  collection: MemberRemoval | undefined | null,
  cls = 0,
  event = "",
): void {
  if (collection === null) return;
  if (collection === undefined) return c.out.int(0);
  let removed = 0, keyRemoved = false;
  for (let i = 2; i < args.length; i++) {
    if (collection.delete(args[i])) {
      removed++;
      if (collection.size === 0) {
        c.db.delete(args[1]);
        keyRemoved = true;
        break;
      }
    }
  }
  if (removed > 0) {
    c.db.notify(cls, event, args[1]);
    if (keyRemoved) c.db.notify(NOTIFY_GENERIC, "del", args[1]);
  }
  c.server.keyspace.dirty += removed;
  c.out.int(removed);
}
