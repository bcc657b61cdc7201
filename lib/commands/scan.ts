/**
 * What SCAN, HSCAN, SSCAN and ZSCAN share: cursor parsing, the
 * MATCH/COUNT/TYPE options, and the reply shape, as Redis's
 * scanGenericCommand defines them.
 */
import type { Client } from "../server/client.ts";
import { globMatch } from "../util/glob.ts";
import { ERR_SYNTAX, intArg, isKeyword } from "./args.ts";

const U64_MAX = (1n << 64n) - 1n;

/**
 * Parses a cursor as strtoul does in Redis: optional sign (a '-' wraps
 * around), decimal digits, "" is 0. Replies "ERR invalid cursor" and returns
 * null otherwise.
 */
export function parseCursor(c: Client, s: string): bigint | null {
  const m = /^([+-]?)(\d*)$/.exec(s);
  if (!m || (m[2] === "" && m[1] !== "")) {
    c.out.error("ERR invalid cursor");
    return null;
  }
  let v = m[2] === "" ? 0n : BigInt(m[2]);
  if (v > U64_MAX) {
    c.out.error("ERR invalid cursor");
    return null;
  }
  if (m[1] === "-" && v !== 0n) v = (1n << 64n) - v;
  return v;
}

export interface ScanOptions {
  count: number;
  /** null when there is no pattern or it is "*" */
  pattern: string | null;
  /** TYPE filter (SCAN only), lowercase, or null */
  type: string | null;
}

/**
 * Parses [MATCH pattern] [COUNT count] [TYPE type] from args[from...].
 * TYPE is accepted only when `allowType`. Replies and returns null on error.
 */
export function parseScanOptions(
  c: Client,
  args: string[],
  from: number,
  allowType: boolean,
): ScanOptions | null {
  const opts: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = from; i < args.length; i += 2) {
    const more = args.length - i >= 2;
    if (more && isKeyword(args[i], "COUNT")) {
      const n = intArg(c, args[i + 1]);
      if (n === null) return null;
      if (n < 1) {
        c.out.error(ERR_SYNTAX);
        return null;
      }
      opts.count = n;
    } else if (more && isKeyword(args[i], "MATCH")) {
      opts.pattern = args[i + 1] === "*" ? null : args[i + 1];
    } else if (more && allowType && isKeyword(args[i], "TYPE")) {
      opts.type = args[i + 1].toLowerCase();
    } else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
  }
  return opts;
}

/** True when `key` passes the MATCH filter. */
export function scanMatches(opts: ScanOptions, key: string): boolean {
  return opts.pattern === null || globMatch(opts.pattern, key);
}

/** The two-element reply: next cursor, then the items found. */
export function replyScan(c: Client, cursor: bigint, items: string[]): void {
  c.out.array(2);
  c.out.bulk(String(cursor));
  c.out.array(items.length);
  for (const item of items) c.out.bulk(item);
}

/**
 * HSCAN, SSCAN and ZSCAN: checks the cursor, then the value at args[1]
 * (`lookup` replies WRONGTYPE and gives null), then the options, in Redis's
 * order; `walk` visits about COUNT entries from `cursor`, pushes the reply
 * items of those that match, and returns the next cursor.
 */
export function scanValue<V>(
  c: Client,
  args: string[],
  lookup: (c: Client, key: string) => V | undefined | null,
  walk: (value: V, cursor: bigint, opts: ScanOptions, items: string[]) => bigint,
): void {
  const cursor = parseCursor(c, args[2]);
  if (cursor === null) return;
  const value = lookup(c, args[1]);
  if (value === null) return;
  if (value === undefined) return replyScan(c, 0n, []);
  const opts = parseScanOptions(c, args, 3, false);
  if (opts === null) return;
  const items: string[] = [];
  replyScan(c, walk(value, cursor, opts, items), items);
}
