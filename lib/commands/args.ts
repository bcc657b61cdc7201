/**
 * Shared error replies and argument parsers for handlers: every error text
 * that more than one command uses lives here, spelled as Redis 7.0 spells it.
 */
import type { Client } from "../server/client.ts";

export const ERR_WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range";
export const ERR_NOT_FLOAT = "ERR value is not a valid float";
export const ERR_SYNTAX = "ERR syntax error";
export const ERR_OVERFLOW = "ERR increment or decrement would overflow";
export const ERR_NO_SUCH_KEY = "ERR no such key";
export const ERR_DB_INDEX = "ERR DB index is out of range";
export const ERR_INVALID_EXPIRE = "invalid expire time in '%s' command";

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer with Redis's string2ll rules: optional '-',
 * digits only, no '+', no leading zeros, no spaces, at most 20 characters.
 * Returns a number when it is a safe integer, a bigint beyond that, or null.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 0x2d) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 0x30) return n === 1 ? 0 : null;
  if (first < 0x31 || first > 0x39) return null;
  for (let j = i + 1; j < n; j++) {
    const d = s.charCodeAt(j);
    if (d < 0x30 || d > 0x39) return null;
  }
  if (n - i <= 15) return Number(s);
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}

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
