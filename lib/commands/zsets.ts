/** Sorted set commands: ZADD, ZRANGE (and its older forms), ZPOPMIN, ZMPOP, ZRANDMEMBER, ZSCAN, ... */
import type { Client } from "../server/client.ts";
import {
  type LexBound,
  type LexRange,
  type ScoreRange,
  type ZSetLimits,
  ZSetValue,
} from "../store/zset.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../store/notify.ts";
import { formatDouble } from "../util/float.ts";
import { isCSpace, strtod } from "../util/strtod.ts";
import {
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  intArg,
  isKeyword,
  parseInt64,
  readTyped,
  removeMembers,
  writeTyped,
} from "./args.ts";
import { scanMatches, scanValue } from "./scan.ts";
import { randomReplyOverflowed } from "./reply_limit.ts";
import { type CommandSpec, defineCommand, keynumKeys } from "./table.ts";
import { distinctRandomIndexes } from "../util/random.ts";

const ERR_SCORE_RANGE = "ERR min or max is not a float";
const ERR_LEX_RANGE = "ERR min or max not valid string range item";
const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";
/** Redis's LONG_MAX/2 bound on ZRANDMEMBER ... WITHSCORES counts. */
const HALF_LONG_MAX = 4611686018427387903n;

/** zset-max-listpack-entries / zset-max-listpack-value from the configuration. */
export function zsetLimits(c: Client): ZSetLimits {
  const config = c.server.config;
  return {
    maxListpackEntries: config.num("zset-max-listpack-entries"),
    maxListpackValue: config.num("zset-max-listpack-value"),
  };
}

/** An optional sign, digits, and an optional fraction (no exponent, no hex, no inf/nan). */
const PLAIN_DECIMAL = /^[+-]?[0-9]+(?:\.[0-9]*)?$/;

/**
 * Redis's score parsing (getDoubleFromObject: the whole argument read by
 * strtod, no leading space, overflow and underflow to zero rejected, NaN
 * rejected; inf / -inf / +inf / hex floats accepted): number or null.
 */
export function parseScore(s: string): number | null {
  // Plain decimals (the common case: ZADD scores, GEOADD coordinates): JS's
  // Number() rounds correctly as strtod does, and at this length cannot overflow.
  if (s.length <= 40 && PLAIN_DECIMAL.test(s)) return Number(s);
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  if (r.erange && (r.value === 0 || !Number.isFinite(r.value))) return null;
  return r.value;
}

/** Writes a score reply: bulk "%.17g" in RESP2, double in RESP3 (as Redis's addReplyDouble). */
export function replyScore(c: Client, score: number): void {
  c.out.double(score);
}

/** The zset at `key` for reading: undefined when missing, null after WRONGTYPE. */
export const readZSet = (c: Client, key: string): ZSetValue | undefined | null =>
  readTyped(c, key, ZSetValue);

/** The zset at `key` for writing: undefined when missing, null after WRONGTYPE. */
export const writeZSet = (c: Client, key: string): ZSetValue | undefined | null =>
  writeTyped(c, key, ZSetValue);

/** One end of a score range as zslParseRange reads it ("(" = exclusive; trailing text after a NUL ignored). */
function parseScoreBound(s: string): { value: number; exclusive: boolean } | null {
  const exclusive = s.charCodeAt(0) === 0x28; /* ( */
  const text = exclusive ? s.slice(1) : s;
  const r = strtod(text);
  if ((r.end !== text.length && text.charCodeAt(r.end) !== 0) || Number.isNaN(r.value)) return null;
  return { value: r.value, exclusive };
}

/** A score range (min max, "(" for exclusive ends), or null when either end is not a float. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const lo = parseScoreBound(min);
  const hi = parseScoreBound(max);
  if (lo === null || hi === null) return null;
  return { min: lo.value, minex: lo.exclusive, max: hi.value, maxex: hi.exclusive };
}

function parseLexBound(s: string): LexBound | null {
  const c0 = s.charCodeAt(0);
  // A C string ends at its NUL: "+\0..." reads as "+".
  const alone = s.length === 1 || s.charCodeAt(1) === 0;
  if (c0 === 0x2b /* + */) return alone ? { inf: 1, value: "", exclusive: true } : null;
  if (c0 === 0x2d /* - */) return alone ? { inf: -1, value: "", exclusive: true } : null;
  if (c0 === 0x28 /* ( */) return { inf: 0, value: s.slice(1), exclusive: true };
  if (c0 === 0x5b /* [ */) return { inf: 0, value: s.slice(1), exclusive: false };
  return null;
}

/** A lex range ("[a", "(a", "-", "+"), or null when either end is invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const lo = parseLexBound(min);
  const hi = parseLexBound(max);
  if (lo === null || hi === null) return null;
  return { min: lo, max: hi };
}

/** Replies one member (and its score): RESP3 pairs are [member, score] arrays. */
function replyEntry(c: Client, member: string, score: number, withScores: boolean): void {
  if (withScores && c.resp === 3) c.out.array(2);
  c.out.bulk(member);
  if (withScores) c.out.double(score);
}

/** Array header for `n` entries of a range reply. */
function replyRangeHeader(c: Client, n: number, withScores: boolean): void {
  c.out.array(withScores && c.resp === 2 ? n * 2 : n);
}

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY

/** ZADD and ZINCRBY (which is ZADD INCR with fixed positions). */
function zaddGeneric(c: Client, args: string[], incrOnly: boolean): void {
  let nx = false, xx = false, gt = false, lt = false, ch = false, incr = incrOnly;
  let i = 2;
  if (!incrOnly) {
    for (; i < args.length; i++) {
      const a = args[i];
      if (isKeyword(a, "NX")) nx = true;
      else if (isKeyword(a, "XX")) xx = true;
      else if (isKeyword(a, "GT")) gt = true;
      else if (isKeyword(a, "LT")) lt = true;
      else if (isKeyword(a, "CH")) ch = true;
      else if (isKeyword(a, "INCR")) incr = true;
      else break;
    }
  }
  const pairs = args.length - i;
  if (pairs % 2 !== 0 || pairs === 0) return c.out.error(ERR_SYNTAX);
  const n = pairs / 2;
  if (nx && xx) return c.out.error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return c.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && n > 1) return c.out.error("ERR INCR option supports a single increment-element pair");
  const scores = new Array<number>(n);
  for (let j = 0; j < n; j++) {
    const s = parseScore(args[i + j * 2]);
    if (s === null) return c.out.error(ERR_NOT_FLOAT);
    scores[j] = s;
  }
  const key = args[1];
  let z = writeZSet(c, key);
  if (z === null) return;
  let added = 0, updated = 0, processed = 0;
  let score = 0;
  if (z === undefined) {
    if (xx) return incr ? c.out.nullBulk() : c.out.int(0);
    z = new ZSetValue();
    c.db.set(key, z);
  }
  const lim = zsetLimits(c);
  for (let j = 0; j < n; j++) {
    const member = args[i + j * 2 + 1];
    score = scores[j];
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          c.server.keyspace.dirty += added + updated;
          c.out.error("ERR resulting score is not a number (NaN)");
          return zaddNotify(c, key, incr, added + updated);
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      if (score !== cur) {
        z.set(member, score, lim);
        updated++;
      }
    } else if (!xx) {
      z.set(member, score, lim);
      added++;
      processed++;
    }
  }
  c.server.keyspace.dirty += added + updated;
  zaddNotify(c, key, incr, added + updated);
  if (incr) {
    if (processed > 0) c.out.double(score);
    else c.out.nullBulk();
  } else {
    c.out.int(ch ? added + updated : added);
  }
}

/** ZADD's event ("zincr" for INCR), fired only when something was added or updated. */
function zaddNotify(c: Client, key: string, incr: boolean, changed: number): void {
  if (changed > 0) c.db.notify(NOTIFY_ZSET, incr ? "zincr" : "zadd", key);
}

/** ZADD's handler (GEOADD hands it the command rewritten as ZADD, as Redis does). */
export function zadd(c: Client, args: string[]): void {
  zaddGeneric(c, args, false);
}

function zincrby(c: Client, args: string[]): void {
  // ZINCRBY key increment member: the same work as ZADD key INCR increment member.
  zaddGeneric(c, args, true);
}

// ---------------------------------------------------------------------------
// Reads

function zcard(c: Client, args: string[]): void {
  const z = readZSet(c, args[1]);
  if (z === null) return;
  c.out.int(z?.size ?? 0);
}

function zscore(c: Client, args: string[]): void {
  const z = readZSet(c, args[1]);
  if (z === null) return;
  const s = z?.score(args[2]);
  if (s === undefined) return c.out.nullBulk();
  c.out.double(s);
}

function zmscore(c: Client, args: string[]): void {
  const z = readZSet(c, args[1]);
  if (z === null) return;
  c.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const s = z?.score(args[i]);
    if (s === undefined) c.out.nullBulk();
    else c.out.double(s);
  }
}

function zrankGeneric(reverse: boolean) {
  return (c: Client, args: string[]): void => {
    const z = readZSet(c, args[1]);
    if (z === null) return;
    const r = z?.rank(args[2], reverse);
    if (r === undefined) return c.out.nullBulk();
    c.out.int(r);
  };
}

function zcount(c: Client, args: string[]): void {
  const range = parseScoreRange(args[2], args[3]);
  if (range === null) return c.out.error(ERR_SCORE_RANGE);
  const z = readZSet(c, args[1]);
  if (z === null) return;
  if (z === undefined) return c.out.int(0);
  const [first, last] = z.scoreRange(range);
  c.out.int(Math.max(0, last - first + 1));
}

function zlexcount(c: Client, args: string[]): void {
  const range = parseLexRange(args[2], args[3]);
  if (range === null) return c.out.error(ERR_LEX_RANGE);
  const z = readZSet(c, args[1]);
  if (z === null) return;
  if (z === undefined) return c.out.int(0);
  const [first, last] = z.lexRange(range);
  c.out.int(Math.max(0, last - first + 1));
}

// ---------------------------------------------------------------------------
// ZRANGE and its family

type RangeType = "auto" | "rank" | "score" | "lex";

/** How a ZRANGE-family command reads its arguments. */
interface RangeCall {
  /** Index of the source key; min and max follow it. */
  src: number;
  /** Destination key index (ZRANGESTORE), or -1. */
  dst: number;
  type: RangeType;
  /** true / false when fixed by the command name, null when REV may set it. */
  reverse: boolean | null;
}

/**
 * The ascending ranks [first, last] the request selects and the direction:
 * after LIMIT, the emitted entries are ranks first..last walked upwards, or
 * downwards when `reverse`.
 */
function selectRange(
  z: ZSetValue,
  type: "rank" | "score" | "lex",
  reverse: boolean,
  start: number,
  end: number,
  score: ScoreRange | null,
  lex: LexRange | null,
  offset: number,
  limit: number,
): [number, number] {
  const size = z.size;
  if (type === "rank") {
    if (start < 0) start += size;
    if (end < 0) end += size;
    if (start < 0) start = 0;
    if (start > end || start >= size) return [0, -1];
    if (end >= size) end = size - 1;
    // Ranks count from the top when reversed.
    return reverse ? [size - 1 - end, size - 1 - start] : [start, end];
  }
  const [first, last] = type === "score" ? z.scoreRange(score!) : z.lexRange(lex!);
  // A negative offset walks off the end in Redis: nothing is returned.
  if (offset < 0 || first > last) return [0, -1];
  const n = last - first + 1;
  if (offset >= n) return [0, -1];
  let take = n - offset;
  if (limit >= 0 && limit < take) take = limit;
  if (take === 0) return [0, -1];
  return reverse
    ? [last - offset - take + 1, last - offset]
    : [first + offset, first + offset + take - 1];
}

function zrangeGeneric(c: Client, args: string[], call: RangeCall): void {
  const store = call.dst >= 0;
  let withScores = false;
  let offset = 0, limit = -1;
  let type = call.type;
  let reverse = call.reverse;
  for (let j = call.src + 3; j < args.length; j++) {
    const a = args[j];
    const left = args.length - j - 1;
    if (!store && isKeyword(a, "WITHSCORES")) withScores = true;
    else if (left >= 2 && isKeyword(a, "LIMIT")) {
      const o = intArg(c, args[j + 1]);
      if (o === null) return;
      const l = intArg(c, args[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (reverse === null && isKeyword(a, "REV")) reverse = true;
    else if (type === "auto" && isKeyword(a, "BYLEX")) type = "lex";
    else if (type === "auto" && isKeyword(a, "BYSCORE")) type = "score";
    else return c.out.error(ERR_SYNTAX);
  }
  const rev = reverse ?? false;
  const kind = type === "auto" ? "rank" : type;
  if (limit !== -1 && kind === "rank") {
    return c.out.error(
      "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    );
  }
  if (withScores && kind === "lex") {
    return c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  let minArg = args[call.src + 1], maxArg = args[call.src + 2];
  // Score and lex ranges come as max min when reversed.
  if (rev && kind !== "rank") [minArg, maxArg] = [maxArg, minArg];
  let start = 0, end = 0;
  let score: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (kind === "rank") {
    const s = intArg(c, minArg);
    if (s === null) return;
    const e = intArg(c, maxArg);
    if (e === null) return;
    start = s;
    end = e;
  } else if (kind === "score") {
    score = parseScoreRange(minArg, maxArg);
    if (score === null) return c.out.error(ERR_SCORE_RANGE);
  } else {
    lex = parseLexRange(minArg, maxArg);
    if (lex === null) return c.out.error(ERR_LEX_RANGE);
  }
  const z = readZSet(c, args[call.src]);
  if (z === null) return;
  let first = 0, last = -1;
  if (z !== undefined) {
    [first, last] = selectRange(z, kind, rev, start, end, score, lex, offset, limit);
  }
  const n = last - first + 1;
  if (store) return storeRange(c, args[call.dst], z, first, last, rev);
  if (z === undefined || n <= 0) return c.out.array(0);
  replyRangeHeader(c, n, withScores);
  z.range(rev ? z.size - 1 - last : first, rev ? z.size - 1 - first : last, rev, (m, s) => {
    replyEntry(c, m, s, withScores);
  });
}

/** ZRANGESTORE: the selected entries become `dst` (deleted when there are none). */
function storeRange(
  c: Client,
  dst: string,
  z: ZSetValue | undefined,
  first: number,
  last: number,
  rev: boolean,
): void {
  const n = last - first + 1;
  if (z === undefined || n <= 0) {
    if (c.db.delete(dst)) {
      c.db.notify(NOTIFY_GENERIC, "del", dst);
      c.server.keyspace.dirty++;
    }
    return c.out.int(0);
  }
  const members: string[] = [], scores: number[] = [];
  z.range(first, last, false, (m, s) => {
    members.push(m);
    scores.push(s);
  });
  const limits = zsetLimits(c);
  if (n <= limits.maxListpackEntries) {
    // Redis fills the destination as a listpack, in range order, until a member too long for
    // one arrives: the scores that went through the listpack lost the sign of a zero.
    for (let k = 0; k < n; k++) {
      const i = rev ? n - 1 - k : k;
      if (members[i].length > limits.maxListpackValue) break;
      if (scores[i] === 0) scores[i] = 0;
    }
  }
  c.db.set(dst, ZSetValue.fromEntries(members, scores, limits)!);
  c.db.notify(NOTIFY_ZSET, "zrangestore", dst);
  c.server.keyspace.dirty++;
  c.out.int(n);
}

function rangeCommand(call: RangeCall) {
  return (c: Client, args: string[]): void => zrangeGeneric(c, args, call);
}

// ---------------------------------------------------------------------------
// Removal

function zrem(c: Client, args: string[]): void {
  removeMembers(c, args, writeZSet(c, args[1]), NOTIFY_ZSET, "zrem");
}

function zremrangeGeneric(kind: "rank" | "score" | "lex") {
  return (c: Client, args: string[]): void => {
    let start = 0, end = 0;
    let score: ScoreRange | null = null;
    let lex: LexRange | null = null;
    if (kind === "rank") {
      const s = intArg(c, args[2]);
      if (s === null) return;
      const e = intArg(c, args[3]);
      if (e === null) return;
      start = s;
      end = e;
    } else if (kind === "score") {
      score = parseScoreRange(args[2], args[3]);
      if (score === null) return c.out.error(ERR_SCORE_RANGE);
    } else {
      lex = parseLexRange(args[2], args[3]);
      if (lex === null) return c.out.error(ERR_LEX_RANGE);
    }
    const key = args[1];
    const z = writeZSet(c, key);
    if (z === null) return;
    if (z === undefined) return c.out.int(0);
    const [first, last] = selectRange(z, kind, false, start, end, score, lex, 0, -1);
    const deleted = z.deleteRange(first, last);
    const emptied = z.size === 0;
    if (emptied) c.db.delete(key);
    if (deleted > 0) {
      c.db.notify(NOTIFY_ZSET, `zremrangeby${kind}`, key);
      if (emptied) c.db.notify(NOTIFY_GENERIC, "del", key);
    }
    c.server.keyspace.dirty += deleted;
    c.out.int(deleted);
  };
}

// ---------------------------------------------------------------------------
// Pops

/** A pop request, as ZPOPMIN/ZPOPMAX/ZMPOP and their blocking forms make it. */
export interface ZPopRequest {
  /** Candidate keys: the first that holds a zset is popped from. */
  keys: string[];
  /** Pop the highest entries (ZPOPMAX / MAX) instead of the lowest. */
  max: boolean;
  /** How many; -1 for the single-entry form without COUNT. */
  count: number;
  /** Reply with the key first (BZPOPMIN, ZMPOP). */
  emitKey: boolean;
  /** Entries as [member, score] arrays (ZMPOP; ZPOPMIN with COUNT in RESP3). */
  nested: boolean;
  /** A null array when no key holds a zset (ZMPOP), else an empty array. */
  nilWhenEmpty: boolean;
  /**
   * How the pop is logged: "none" as it came, "key" as ZPOPMIN|ZPOPMAX key
   * (BZPOPMIN), "count" as ZPOPMIN|ZPOPMAX key n, n the number popped (ZMPOP, BZMPOP).
   */
  rewrite: "none" | "key" | "count";
}

/**
 * Performs a pop and writes its reply, as Redis's genericZpopCommand; the
 * first existing key that is not a zset gets WRONGTYPE. Returns true when
 * something was popped (and the key emptied is deleted).
 */
export function zpop(c: Client, req: ZPopRequest): boolean {
  let key = "";
  let z: ZSetValue | undefined;
  for (const k of req.keys) {
    const v = c.db.lookupWrite(k);
    if (v === undefined) continue;
    if (!(v instanceof ZSetValue)) {
      c.out.error(ERR_WRONGTYPE);
      return false;
    }
    key = k;
    z = v;
    break;
  }
  if (z === undefined) {
    if (req.nilWhenEmpty) c.out.nullArray();
    else c.out.array(0);
    return false;
  }
  if (req.count === 0) {
    c.out.array(0);
    return false;
  }
  const count = req.count === -1 ? 1 : req.count;
  const popped = req.max ? z.popMax(count) : z.popMin(count);
  const n = popped.length;
  if (!req.nested && !req.emitKey) c.out.array(n * 2);
  else if (req.nested && !req.emitKey) c.out.array(n);
  else if (!req.nested) {
    c.out.array(n * 2 + 1);
    c.out.bulk(key);
  } else {
    c.out.array(2);
    c.out.bulk(key);
    c.out.array(n);
  }
  for (const [m, s] of popped) {
    if (req.nested) c.out.array(2);
    c.out.bulk(m);
    c.out.double(s);
  }
  c.server.keyspace.dirty += n;
  if (n > 0) c.db.notify(NOTIFY_ZSET, req.max ? "zpopmax" : "zpopmin", key);
  if (z.size === 0) {
    c.db.delete(key);
    c.db.notify(NOTIFY_GENERIC, "del", key);
  }
  const name = req.max ? "ZPOPMAX" : "ZPOPMIN";
  if (req.rewrite === "key") c.propagateAs = [[name, key]];
  else if (req.rewrite === "count") c.propagateAs = [[name, key, String(n)]];
  return true;
}

function zpopMinMax(max: boolean) {
  return (c: Client, args: string[]): void => {
    if (args.length > 3) return c.out.error(ERR_SYNTAX);
    let count = -1;
    if (args.length === 3) {
      const n = intArg(c, args[2], ERR_NOT_POSITIVE);
      if (n === null) return;
      if (n < 0) return c.out.error(ERR_NOT_POSITIVE);
      count = n;
    }
    zpop(c, {
      keys: [args[1]],
      max,
      count,
      emitKey: false,
      nested: c.resp === 3 && count !== -1,
      nilWhenEmpty: false,
      rewrite: "none",
    });
  };
}

/** What ZMPOP / BZMPOP read after numkeys: the keys, MIN|MAX and COUNT. */
export interface ZmpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

/**
 * Parses `numkeys key [key ...] MIN|MAX [COUNT count]` starting at
 * args[numkeysIndex]; replies the error and returns null when invalid.
 */
export function parseZmpopArgs(c: Client, args: string[], numkeysIndex: number): ZmpopArgs | null {
  const numkeys = parseInt64(args[numkeysIndex]);
  if (numkeys === null || numkeys < 1) {
    c.out.error("ERR numkeys should be greater than 0");
    return null;
  }
  const whereIdx = numkeysIndex + 1 + Number(numkeys);
  if (typeof numkeys === "bigint" || whereIdx >= args.length) {
    c.out.error(ERR_SYNTAX);
    return null;
  }
  let max: boolean;
  if (isKeyword(args[whereIdx], "MIN")) max = false;
  else if (isKeyword(args[whereIdx], "MAX")) max = true;
  else {
    c.out.error(ERR_SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isKeyword(args[j], "COUNT") && j + 1 < args.length) {
      const n = parseInt64(args[++j]);
      if (n === null || n < 1) {
        c.out.error("ERR count should be greater than 0");
        return null;
      }
      count = typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
    } else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
  }
  return { keys: args.slice(numkeysIndex + 1, whereIdx), max, count: count === -1 ? 1 : count };
}

function zmpop(c: Client, args: string[]): void {
  const p = parseZmpopArgs(c, args, 1);
  if (p === null) return;
  zpop(c, { ...p, emitKey: true, nested: true, nilWhenEmpty: true, rewrite: "count" });
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER / ZSCAN

function zrandmember(c: Client, args: string[]): void {
  if (args.length === 2) {
    const z = readZSet(c, args[1]);
    if (z === null) return;
    if (z === undefined) return c.out.nullBulk();
    return c.out.bulk(z.randomEntry()[0]);
  }
  const parsed = parseInt64(args[2]);
  if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
  if (typeof parsed === "bigint" && parsed === -9223372036854775808n) {
    return c.out.error(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
  }
  if (args.length > 4 || (args.length === 4 && !isKeyword(args[3], "WITHSCORES"))) {
    return c.out.error(ERR_SYNTAX);
  }
  const withScores = args.length === 4;
  const big = BigInt(parsed);
  if (withScores && (big < -HALF_LONG_MAX || big > HALF_LONG_MAX)) {
    return c.out.error("ERR value is out of range");
  }
  const z = readZSet(c, args[1]);
  if (z === null) return;
  if (z === undefined || big === 0n) return c.out.array(0);
  const size = z.size;
  if (big < 0n || big === 1n) {
    // Repetitions allowed: independent picks, stopped (and the client
    // dropped) if the reply grows past all reason.
    const count = big < 0n ? -big : big;
    const mark = c.out.length;
    c.out.array(Number(withScores && c.resp === 2 ? count * 2n : count));
    for (let k = 0n; k < count; k++) {
      const [m, s] = z.randomEntry();
      replyEntry(c, m, s, withScores);
      if (randomReplyOverflowed(c, mark)) return;
    }
    return;
  }
  const count = Number(big);
  if (count >= size) {
    // The whole zset, highest first (Redis answers with a reverse range).
    replyRangeHeader(c, size, withScores);
    z.range(0, size - 1, true, (m, s) => replyEntry(c, m, s, withScores));
    return;
  }
  // Distinct members: a random subset (listpack order for a listpack, as Redis).
  const picks = distinctRandomIndexes(size, count);
  if (z.isListpack) picks.sort((a, b) => a - b);
  replyRangeHeader(c, count, withScores);
  for (const r of picks) {
    const [m, s] = z.at(r);
    replyEntry(c, m, s, withScores);
  }
}

function zscan(c: Client, args: string[]): void {
  scanValue(c, args, readZSet, (z, cursor, opts, items) =>
    z.scan(cursor, opts.count, (m, s) => {
      // Redis's d2string: "%.17g", which prints integers below 2^52 plainly too.
      if (scanMatches(opts, m)) items.push(m, formatDouble(s));
    }));
}

// ---------------------------------------------------------------------------

const ZSET = "sorted-set";

export const sortedSetCommands: CommandSpec[] = [
  defineCommand({
    name: "zadd",
    arity: -4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Add one or more members to a sorted set, or update its score if it already exists",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    syntax: "key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]",
    keySpecs: ["RW update @1"],
    history: [
      ["2.4.0", "Accepts multiple elements."],
      ["3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."],
      ["6.2.0", "Added the `GT` and `LT` options."],
    ],
    args: "key.key#0 condition.oneof@3.0.2?(nx'NX' xx'XX') comparison.oneof@6.2.0?(gt'GT' " +
      "lt'LT') change'CH'@3.0.2? increment'INCR'@3.0.2? score_member.block*(score.double " +
      "member)",
    handler: zadd,
  }),
  defineCommand({
    name: "zincrby",
    arity: 4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Increment the score of a member in a sorted set",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    syntax: "key increment member",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 increment.integer member",
    handler: zincrby,
  }),
  defineCommand({
    name: "zcard",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Get the number of members in a sorted set",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO @1"],
    handler: zcard,
  }),
  defineCommand({
    name: "zcount",
    arity: 4,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.0.0",
    summary: "Count the members in a sorted set with scores within the given values",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    syntax: "key min max",
    keySpecs: ["RO access @1"],
    args: "key.key#0 min.double max.double",
    handler: zcount,
  }),
  defineCommand({
    name: "zlexcount",
    arity: 4,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.8.9",
    summary: "Count the number of members in a sorted set between a given lexicographical range",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    syntax: "key min max",
    keySpecs: ["RO access @1"],
    handler: zlexcount,
  }),
  defineCommand({
    name: "zscore",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Get the score associated with the given member in a sorted set",
    complexity: "O(1)",
    syntax: "key member",
    keySpecs: ["RO access @1"],
    handler: zscore,
  }),
  defineCommand({
    name: "zmscore",
    arity: -3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "6.2.0",
    summary: "Get the score associated with the given members in a sorted set",
    complexity: "O(N) where N is the number of members being requested.",
    syntax: "key member [member ...]",
    keySpecs: ["RO access @1"],
    handler: zmscore,
  }),
  defineCommand({
    name: "zrank",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.0.0",
    summary: "Determine the index of a member in a sorted set",
    complexity: "O(log(N))",
    syntax: "key member",
    keySpecs: ["RO access @1"],
    handler: zrankGeneric(false),
  }),
  defineCommand({
    name: "zrevrank",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.0.0",
    summary:
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
    complexity: "O(log(N))",
    syntax: "key member",
    keySpecs: ["RO access @1"],
    handler: zrankGeneric(true),
  }),
  defineCommand({
    name: "zrange",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Return a range of members in a sorted set",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements returned.",
    syntax: "key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
    keySpecs: ["RO access @1"],
    history: [["6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."]],
    args: "key.key#0 start stop sortby.oneof@6.2.0?(byscore'BYSCORE' bylex'BYLEX') " +
      "rev'REV'@6.2.0? offset_count'LIMIT'.block@6.2.0?(offset.integer count.integer) " +
      "withscores'WITHSCORES'?",
    handler: rangeCommand({ src: 1, dst: -1, type: "auto", reverse: null }),
  }),
  defineCommand({
    name: "zrangestore",
    arity: -5,
    flags: "write denyoom",
    keys: [1, 2, 1],
    group: ZSET,
    since: "6.2.0",
    summary: "Store a range of members from sorted set into another key",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements stored into the destination key.",
    syntax: "dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]",
    keySpecs: ["OW update @1", "RO access @2"],
    args: "dst.key#0 src.key#1 min max sortby.oneof?(byscore'BYSCORE' bylex'BYLEX') rev'REV'? " +
      "offset_count'LIMIT'.block?(offset.integer count.integer)",
    handler: rangeCommand({ src: 2, dst: 1, type: "auto", reverse: null }),
  }),
  defineCommand({
    name: "zrangebyscore",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.0.5",
    summary: "Return a range of members in a sorted set, by score",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements being returned. If M is constant (e.g. always asking for the first 10 " +
      "elements with LIMIT), you can consider it O(log(N)).",
    syntax: "key min max [WITHSCORES] [LIMIT offset count]",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYSCORE` argument",
    history: [["2.0.0", "Added the `WITHSCORES` modifier."]],
    args: "key.key#0 min.double max.double withscores'WITHSCORES'@2.0.0? " +
      "offset_count'LIMIT'.block?(offset.integer count.integer)",
    handler: rangeCommand({ src: 1, dst: -1, type: "score", reverse: false }),
  }),
  defineCommand({
    name: "zrevrangebyscore",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.2.0",
    summary:
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements being returned. If M is constant (e.g. always asking for the first 10 " +
      "elements with LIMIT), you can consider it O(log(N)).",
    syntax: "key max min [WITHSCORES] [LIMIT offset count]",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYSCORE` arguments",
    history: [["2.1.6", "`min` and `max` can be exclusive."]],
    args: "key.key#0 max.double min.double withscores'WITHSCORES'? " +
      "offset_count'LIMIT'.block?(offset.integer count.integer)",
    handler: rangeCommand({ src: 1, dst: -1, type: "score", reverse: true }),
  }),
  defineCommand({
    name: "zrangebylex",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.8.9",
    summary: "Return a range of members in a sorted set, by lexicographical range",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements being returned. If M is constant (e.g. always asking for the first 10 " +
      "elements with LIMIT), you can consider it O(log(N)).",
    syntax: "key min max [LIMIT offset count]",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `BYLEX` argument",
    args: "key.key#0 min max offset_count'LIMIT'.block?(offset.integer count.integer)",
    handler: rangeCommand({ src: 1, dst: -1, type: "lex", reverse: false }),
  }),
  defineCommand({
    name: "zrevrangebylex",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.8.9",
    summary: "Return a range of members in a sorted set, by lexicographical range, ordered from " +
      "higher to lower strings.",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements being returned. If M is constant (e.g. always asking for the first 10 " +
      "elements with LIMIT), you can consider it O(log(N)).",
    syntax: "key max min [LIMIT offset count]",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` and `BYLEX` arguments",
    args: "key.key#0 max min offset_count'LIMIT'.block?(offset.integer count.integer)",
    handler: rangeCommand({ src: 1, dst: -1, type: "lex", reverse: true }),
  }),
  defineCommand({
    name: "zrevrange",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary:
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements returned.",
    syntax: "key start stop [WITHSCORES]",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`ZRANGE` with the `REV` argument",
    args: "key.key#0 start.integer stop.integer withscores'WITHSCORES'?",
    handler: rangeCommand({ src: 1, dst: -1, type: "rank", reverse: true }),
  }),
  defineCommand({
    name: "zrem",
    arity: -3,
    flags: "write fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Remove one or more members from a sorted set",
    complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the " +
      "number of elements to be removed.",
    syntax: "key member [member ...]",
    keySpecs: ["RW delete @1"],
    history: [["2.4.0", "Accepts multiple elements."]],
    handler: zrem,
  }),
  defineCommand({
    name: "zremrangebyrank",
    arity: 4,
    flags: "write",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.0.0",
    summary: "Remove all members in a sorted set within the given indexes",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements removed by the operation.",
    syntax: "key start stop",
    keySpecs: ["RW delete @1"],
    args: "key.key#0 start.integer stop.integer",
    handler: zremrangeGeneric("rank"),
  }),
  defineCommand({
    name: "zremrangebyscore",
    arity: 4,
    flags: "write",
    keys: [1, 1, 1],
    group: ZSET,
    since: "1.2.0",
    summary: "Remove all members in a sorted set within the given scores",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements removed by the operation.",
    syntax: "key min max",
    keySpecs: ["RW delete @1"],
    args: "key.key#0 min.double max.double",
    handler: zremrangeGeneric("score"),
  }),
  defineCommand({
    name: "zremrangebylex",
    arity: 4,
    flags: "write",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.8.9",
    summary: "Remove all members in a sorted set between the given lexicographical range",
    complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the " +
      "number of elements removed by the operation.",
    syntax: "key min max",
    keySpecs: ["RW delete @1"],
    handler: zremrangeGeneric("lex"),
  }),
  defineCommand({
    name: "zpopmin",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "5.0.0",
    summary: "Remove and return members with the lowest scores in a sorted set",
    complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being " +
      "the number of elements popped.",
    syntax: "key [count]",
    keySpecs: ["RW access delete @1"],
    handler: zpopMinMax(false),
  }),
  defineCommand({
    name: "zpopmax",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: ZSET,
    since: "5.0.0",
    summary: "Remove and return members with the highest scores in a sorted set",
    complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being " +
      "the number of elements popped.",
    syntax: "key [count]",
    keySpecs: ["RW access delete @1"],
    handler: zpopMinMax(true),
  }),
  defineCommand({
    name: "zmpop",
    arity: -4,
    flags: "write movablekeys",
    group: ZSET,
    since: "7.0.0",
    summary: "Remove and return members with scores in a sorted set",
    complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number " +
      "of elements in the sorted set, and M being the number of elements popped.",
    syntax: "numkeys key [key ...] MIN | MAX [COUNT count]",
    getKeys: keynumKeys(1),
    keySpecs: ["RW access delete @1 keynum:0,1,1"],
    args: "numkeys.integer key.key#0* where.oneof(min'MIN' max'MAX') count'COUNT'.integer?",
    handler: zmpop,
  }),
  defineCommand({
    name: "zrandmember",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "6.2.0",
    summary: "Get one or multiple random elements from a sorted set",
    complexity: "O(N) where N is the number of elements returned",
    syntax: "key [count [WITHSCORES]]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    args: "key.key#0 options.block?(count.integer withscores'WITHSCORES'?)",
    handler: zrandmember,
  }),
  defineCommand({
    name: "zscan",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: ZSET,
    since: "2.8.0",
    summary: "Incrementally iterate sorted sets elements and associated scores",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command " +
      "calls for the cursor to return back to 0. N is the number of elements inside the " +
      "collection..",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    handler: zscan,
  }),
];
