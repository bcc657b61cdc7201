/**
 * The blocking pops: BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP (group list) and
 * BZPOPMIN BZPOPMAX BZMPOP (group sorted-set), as Redis 7.0.15 runs them.
 *
 * Each is its non-blocking form (lists.ts / zsets.ts) when a key has data;
 * otherwise the client waits (lib/server/blocking.ts) and, when a key it
 * waits for gets data, the same pop is tried again for that key. Both paths
 * log the non-blocking form, as Redis does: BLPOP as LPOP key, BLMPOP as
 * LPOP key n, BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH, BZPOPMIN as ZPOPMIN
 * key, BZMPOP as ZPOPMIN key n. Both paths fire the non-blocking form's
 * keyspace events ("lpop"; the push, then the pop, for BLMOVE; "zpopmin"; "del"
 * ...) from the shared pops, in the waiter's database: a served waiter's
 * come after the events of the command that made its key ready, as Redis's.
 */
import type { Client } from "../server/client.ts";
import type { BlockRequest } from "../server/blocking.ts";
import { ListValue } from "../store/list.ts";
import { ZSetValue } from "../store/zset.ts";
import { parseLongDouble } from "../util/float.ts";
import { ERR_SYNTAX, ERR_WRONGTYPE, isKeyword } from "./args.ts";
import { lmoveReply, mpopReply, parseMpopArgs, popFromList, writeList } from "./lists.ts";
import { parseZmpopArgs, zpop, type ZPopRequest } from "./zsets.ts";
import { type CommandSpec, defineCommand, keynumKeys } from "./table.ts";

const ERR_TIMEOUT_FLOAT = "ERR timeout is not a float or out of range";
const ERR_TIMEOUT_NEGATIVE = "ERR timeout is negative";
const TWO_63 = 1n << 63n;

/**
 * A timeout in seconds as Redis's getTimeoutFromObjectOrReply reads it: a
 * long double, times 1000 in long double precision, rounded up to whole
 * milliseconds (so 0.0001 waits 1 ms; -0.5 and 0 wait for ever), where a
 * value outside int64 wraps negative as the C cast does. Milliseconds (0
 * for ever), or null after replying the error.
 */
export function timeoutArg(c: Client, s: string): number | null {
  const v = parseLongDouble(s);
  if (v === null) {
    c.out.error(ERR_TIMEOUT_FLOAT);
    return null;
  }
  const ms = timeoutMillis(v.neg, v.m, v.q, v.inf === true);
  if (ms === null) {
    c.out.error(ERR_TIMEOUT_NEGATIVE);
    return null;
  }
  return ms;
}

/** ceill(x * 1000) for x = ±m·2^q in x87 precision; null when negative or past int64. */
function timeoutMillis(neg: boolean, m: bigint, q: number, inf: boolean): number | null {
  if (inf) return null;
  if (m === 0n) return 0;
  // The product, rounded to a 64-bit significand (ties to even).
  let p = m * 1000n;
  const bits = p.toString(2).length;
  if (bits > 64) {
    const shift = bits - 64;
    const sh = BigInt(shift);
    const kept = p >> sh;
    const rem = p - (kept << sh);
    const half = 1n << (sh - 1n);
    p = rem > half || (rem === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    q += shift;
  }
  let whole: bigint;
  let exact: boolean;
  if (q >= 0) {
    whole = q > 64 ? TWO_63 : p << BigInt(q);
    exact = true;
  } else {
    const sh = BigInt(-q);
    whole = -q > 200 ? 0n : p >> sh;
    exact = -q <= 200 && whole << sh === p;
  }
  if (neg) {
    // ceil of a negative: above -1 it is (-)0, a wait for ever.
    return whole === 0n ? 0 : null;
  }
  const ms = exact ? whole : whole + 1n;
  return ms >= TWO_63 ? null : Number(ms);
}

/**
 * Blocks `c` on `keys` unless it may not block now (inside EXEC or a
 * script): then it gets the timeout reply at once, as Redis does.
 */
function blockOr(
  c: Client,
  args: string[],
  keys: string[],
  timeoutMs: number,
  retry: (key: string) => boolean,
  nullReply: () => void,
): void {
  if (!c.mayBlock) return nullReply();
  const req: BlockRequest = {
    keys,
    timeoutMs,
    retry,
    timedOut: () => c.out.nullArray(),
  };
  c.server.blocking.block(c, args, req);
}

/** Whether `key` holds a list (a retry skips other types: the client keeps waiting, as in Redis 7.0). */
function isList(c: Client, key: string): boolean {
  return c.db.peek(key) instanceof ListValue;
}

/** Whether `key` holds a sorted set. */
function isZSet(c: Client, key: string): boolean {
  return c.db.peek(key) instanceof ZSetValue;
}

// ---------------------------------------------------------------- lists

/** BLPOP / BRPOP: one element from the first non-empty list, as [key, element]. */
function popOne(c: Client, key: string, list: ListValue, fromLeft: boolean): void {
  const [value] = popFromList(c, key, list, fromLeft, 1);
  c.out.array(2);
  c.out.bulk(key);
  c.out.bulk(value);
  c.propagateAs = [[fromLeft ? "LPOP" : "RPOP", key]];
}

function bpop(fromLeft: boolean) {
  return (c: Client, args: string[]): void => {
    const timeout = timeoutArg(c, args[args.length - 1]);
    if (timeout === null) return;
    const keys = args.slice(1, -1);
    for (const key of keys) {
      const list = writeList(c, key);
      if (list === null) return;
      if (list !== undefined) return popOne(c, key, list, fromLeft);
    }
    blockOr(c, args, keys, timeout, (key) => {
      if (!isList(c, key)) return false;
      popOne(c, key, writeList(c, key)!, fromLeft);
      return true;
    }, () => c.out.nullArray());
  };
}

/** LEFT (true) or RIGHT (false); null after a syntax error reply. */
function whereArg(c: Client, s: string): boolean | null {
  if (isKeyword(s, "LEFT")) return true;
  if (isKeyword(s, "RIGHT")) return false;
  c.out.error(ERR_SYNTAX);
  return null;
}

/**
 * BLMOVE / BRPOPLPUSH. Logged as LMOVE with the directions as given when
 * served at once, as "left"/"right" when served after blocking (Redis's
 * shared strings), or as RPOPLPUSH.
 */
function bmove(
  c: Client,
  args: string[],
  fromLeft: boolean,
  toLeft: boolean,
  timeoutIndex: number,
  logAs: (served: boolean) => string[],
): void {
  const timeout = timeoutArg(c, args[timeoutIndex]);
  if (timeout === null) return;
  const src = args[1];
  const dst = args[2];
  if (lmoveReply(c, src, dst, fromLeft, toLeft)) {
    c.propagateAs = [logAs(false)];
    return;
  }
  blockOr(c, args, [src], timeout, (key) => {
    if (!isList(c, key)) return false;
    lmoveReply(c, src, dst, fromLeft, toLeft);
    c.propagateAs = [logAs(true)];
    return true;
  }, () => c.out.nullBulk());
}

function blmove(c: Client, args: string[]): void {
  const fromLeft = whereArg(c, args[3]);
  if (fromLeft === null) return;
  const toLeft = whereArg(c, args[4]);
  if (toLeft === null) return;
  const side = (left: boolean) => left ? "left" : "right";
  bmove(
    c,
    args,
    fromLeft,
    toLeft,
    5,
    (served) =>
      served
        ? ["LMOVE", args[1], args[2], side(fromLeft), side(toLeft)]
        : ["LMOVE", args[1], args[2], args[3], args[4]],
  );
}

function brpoplpush(c: Client, args: string[]): void {
  bmove(c, args, false, true, 3, () => ["RPOPLPUSH", args[1], args[2]]);
}

function blmpop(c: Client, args: string[]): void {
  const p = parseMpopArgs(c, args, 2);
  if (p === null) return;
  const timeout = timeoutArg(c, args[1]);
  if (timeout === null) return;
  if (mpopReply(c, p.keys, p.fromLeft, p.count)) return;
  blockOr(c, args, p.keys, timeout, (key) => {
    if (!isList(c, key)) return false;
    return mpopReply(c, [key], p.fromLeft, p.count);
  }, () => c.out.nullArray());
}

// ---------------------------------------------------------------- sorted sets

/**
 * The first of `keys` that holds a zset; undefined when none does, null
 * after WRONGTYPE for a key of another type met first.
 */
function firstZSetKey(c: Client, keys: string[]): string | undefined | null {
  for (const key of keys) {
    const v = c.db.lookupWrite(key);
    if (v === undefined) continue;
    if (v instanceof ZSetValue) return key;
    c.out.error(ERR_WRONGTYPE);
    return null;
  }
  return undefined;
}

/** BZPOPMIN / BZPOPMAX / BZMPOP: `req` with keys filled in per attempt. */
function bzpop(c: Client, args: string[], keys: string[], timeout: number, req: ZPopRequest): void {
  const key = firstZSetKey(c, keys);
  if (key === null) return;
  if (key !== undefined) {
    zpop(c, { ...req, keys: [key] });
    return;
  }
  blockOr(c, args, keys, timeout, (ready) => {
    if (!isZSet(c, ready)) return false;
    zpop(c, { ...req, keys: [ready] });
    return true;
  }, () => c.out.nullArray());
}

function bzpopMinMax(max: boolean) {
  return (c: Client, args: string[]): void => {
    const timeout = timeoutArg(c, args[args.length - 1]);
    if (timeout === null) return;
    const keys = args.slice(1, -1);
    bzpop(c, args, keys, timeout, {
      keys,
      max,
      count: -1,
      emitKey: true,
      nested: false,
      nilWhenEmpty: true,
      rewrite: "key",
    });
  };
}

function bzmpop(c: Client, args: string[]): void {
  const p = parseZmpopArgs(c, args, 2);
  if (p === null) return;
  const timeout = timeoutArg(c, args[1]);
  if (timeout === null) return;
  bzpop(c, args, p.keys, timeout, {
    keys: p.keys,
    max: p.max,
    count: p.count,
    emitKey: true,
    nested: true,
    nilWhenEmpty: true,
    rewrite: "count",
  });
}

// ---------------------------------------------------------------- table

const LIST_SUMMARY_MOVE =
  "Pop an element from a list, push it to another list and return it; or block until one is available";

/** The blocking list commands (Redis's group "list"). */
export const blockingListCommands: CommandSpec[] = [
  defineCommand({
    name: "blpop",
    arity: -3,
    flags: "write noscript blocking",
    keys: [1, -2, 1],
    group: "list",
    summary: "Remove and get the first element in a list, or block until one is available",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    syntax: "key [key ...] timeout",
    keySpecs: ["RW access delete @1 range:-2,1,0"],
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    args: "key.key#0* timeout.double",
    handler: bpop(true),
  }),
  defineCommand({
    name: "brpop",
    arity: -3,
    flags: "write noscript blocking",
    keys: [1, -2, 1],
    group: "list",
    summary: "Remove and get the last element in a list, or block until one is available",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    syntax: "key [key ...] timeout",
    keySpecs: ["RW access delete @1 range:-2,1,0"],
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    args: "key.key#0* timeout.double",
    handler: bpop(false),
  }),
  defineCommand({
    name: "brpoplpush",
    arity: 4,
    flags: "write denyoom noscript blocking",
    keys: [1, 2, 1],
    group: "list",
    summary: LIST_SUMMARY_MOVE,
    since: "2.2.0",
    complexity: "O(1)",
    syntax: "source destination timeout",
    keySpecs: ["RW access delete @1", "RW insert @2"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    args: "source.key#0 destination.key#1 timeout.double",
    handler: brpoplpush,
  }),
  defineCommand({
    name: "blmove",
    arity: 6,
    flags: "write denyoom noscript blocking",
    keys: [1, 2, 1],
    group: "list",
    summary: LIST_SUMMARY_MOVE,
    since: "6.2.0",
    complexity: "O(1)",
    syntax: "source destination LEFT|RIGHT LEFT|RIGHT timeout",
    keySpecs: ["RW access delete @1", "RW insert @2"],
    args: "source.key#0 destination.key#1 wherefrom.oneof(left'LEFT' right'RIGHT') " +
      "whereto.oneof(left'LEFT' right'RIGHT') timeout.double",
    handler: blmove,
  }),
  defineCommand({
    name: "blmpop",
    arity: -5,
    flags: "write blocking movablekeys",
    group: "list",
    summary: "Pop elements from a list, or block until one is available",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    syntax: "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]",
    getKeys: keynumKeys(2),
    keySpecs: ["RW access delete @2 keynum:0,1,1"],
    args: "timeout.double numkeys.integer key.key#0* where.oneof(left'LEFT' right'RIGHT') " +
      "count'COUNT'.integer?",
    handler: blmpop,
  }),
];

/** The blocking sorted set commands (Redis's group "sorted-set"). */
export const blockingSortedSetCommands: CommandSpec[] = [
  defineCommand({
    name: "bzpopmin",
    arity: -3,
    flags: "write noscript blocking fast",
    keys: [1, -2, 1],
    group: "sorted-set",
    summary:
      "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    syntax: "key [key ...] timeout",
    keySpecs: ["RW access delete @1 range:-2,1,0"],
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    args: "key.key#0* timeout.double",
    handler: bzpopMinMax(false),
  }),
  defineCommand({
    name: "bzpopmax",
    arity: -3,
    flags: "write noscript blocking fast",
    keys: [1, -2, 1],
    group: "sorted-set",
    summary:
      "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    syntax: "key [key ...] timeout",
    keySpecs: ["RW access delete @1 range:-2,1,0"],
    history: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
    args: "key.key#0* timeout.double",
    handler: bzpopMinMax(true),
  }),
  defineCommand({
    name: "bzmpop",
    arity: -5,
    flags: "write blocking movablekeys",
    group: "sorted-set",
    summary:
      "Remove and return members with scores in a sorted set or block until one is available",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    syntax: "timeout numkeys key [key ...] MIN|MAX [COUNT count]",
    getKeys: keynumKeys(2),
    keySpecs: ["RW access delete @2 keynum:0,1,1"],
    args: "timeout.double numkeys.integer key.key#0* where.oneof(min'MIN' max'MAX') " +
      "count'COUNT'.integer?",
    handler: bzmpop,
  }),
];
