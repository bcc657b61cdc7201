/** Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD (Redis group "stream"). */
import type { Client } from "../server/client.ts";
import { NOTIFY_STREAM } from "../store/notify.ts";
import {
  compareIds,
  formatId,
  MAX_ID,
  MIN_ID,
  type StreamId,
  type StreamLimits,
  StreamValue,
  UINT64_MAX,
} from "../store/stream.ts";
import {
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  isKeyword,
  parseInt64,
  readTyped,
  writeTyped,
} from "./args.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

export const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

/** The node-split limits from the configuration. */
export function streamLimits(c: Client): StreamLimits {
  const config = c.server.config;
  return {
    nodeMaxBytes: config.num("stream-node-max-bytes"),
    nodeMaxEntries: config.num("stream-node-max-entries"),
  };
}

/** C's isspace for strtoull's leading blanks. */
function isSpace(ch: number): boolean {
  return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
}

/**
 * Redis's string2ull: a canonical integer (string2ll, not negative), or else
 * what strtoull accepts in full (blanks, a sign — a minus wraps —, leading
 * zeros), within 64 bits. `s` is a C string (cut at NUL by the caller).
 */
function parseU64(s: string): bigint | null {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const start = i;
  let v = 0n;
  let small = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    if (i - start < 15) small = small * 10 + d;
    else {
      if (i - start === 15) v = BigInt(small);
      v = v * 10n + BigInt(d);
    }
  }
  if (i === start) return null;
  if (i - start <= 15) v = BigInt(small);
  if (v > UINT64_MAX) return null;
  if (neg) {
    // string2ll accepts canonical negatives first and string2ull refuses them;
    // only non-canonical ones ("-0", "-007", beyond int64) reach strtoull.
    if (/^-[1-9][0-9]*$/.test(s) && v <= 9223372036854775808n) return null;
    v = (-v) & UINT64_MAX;
  }
  return v;
}

/** A parsed ID argument; seqGiven is false for `<ms>-*`. */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: `-`, `+` (unless
 * strict), `<ms>`, `<ms>-<seq>`, and `<ms>-*` when `seqStar`. Null when
 * invalid.
 */
export function parseStreamId(
  arg: string,
  missingSeq: bigint,
  strict: boolean,
  seqStar = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf("\0");
  const buf = nul >= 0 ? arg.slice(0, nul) : arg;
  if (buf === "-" || buf === "+") {
    if (strict) return null;
    return {
      id: buf === "-" ? { ms: 0n, seq: 0n } : { ms: UINT64_MAX, seq: UINT64_MAX },
      seqGiven: true,
    };
  }
  const dash = buf.indexOf("-");
  const ms = parseU64(dash >= 0 ? buf.slice(0, dash) : buf);
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const rest = buf.slice(dash + 1);
  if (seqStar && rest === "*") return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: { ms, seq }, seqGiven: true };
}

/** Redis's streamParseID / streamGenericParseIDOrReply: strict (no "-"/"+"), missing seq filled with `missingSeq`; replies Redis's error and returns null when invalid. */
export function parseIdArg(
  c: Client,
  arg: string,
  missingSeq: bigint,
  strict = false,
): StreamId | null {
  const parsed = parseStreamId(arg, missingSeq, strict);
  if (parsed === null) {
    c.out.error(ERR_INVALID_ID);
    return null;
  }
  return parsed.id;
}

/** Writes one entry as Redis does: [id, [f, v, ...]] (RESP2 and RESP3 alike). */
export function replyEntry(c: Client, id: StreamId, fields: string[]): void {
  c.out.array(2);
  c.out.bulk(formatId(id));
  c.out.array(fields.length);
  for (let i = 0; i < fields.length; i++) c.out.bulk(fields[i]);
}

/** The stream at key for reading: undefined when missing, null after WRONGTYPE was replied. */
export function readStream(c: Client, key: string): StreamValue | undefined | null {
  return readTyped(c, key, StreamValue);
}

/** The stream at key for writing: undefined when missing, null after WRONGTYPE was replied. */
export function writeStream(c: Client, key: string): StreamValue | undefined | null {
  return writeTyped(c, key, StreamValue);
}

const ERR_XADD_EQUAL_OR_SMALLER =
  "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const ERR_XADD_ZERO = "ERR The ID specified in XADD must be greater than 0-0";
const ERR_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items";
const ERR_TOO_LARGE = "ERR Elements are too large to be stored";
const ERR_MAXLEN_AND_MINID =
  "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
const ERR_MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0.";
const ERR_LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0.";
const ERR_LIMIT_NO_STRATEGY =
  "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
const ERR_XTRIM_NO_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy";
const ERR_LIMIT_NO_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option";
/** Redis's STREAM_LISTPACK_MAX_SIZE: the most bytes of fields and values one entry may have. */
const LISTPACK_MAX_SIZE = 1 << 30;
/** Entries a blocked XREAD without COUNT gets (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;

/** An argument as C sees it (up to its first NUL), for Redis's strcmp/strcasecmp checks. */
function cstr(arg: string): string {
  const nul = arg.indexOf("\0");
  return nul < 0 ? arg : arg.slice(0, nul);
}

/** Case-insensitive keyword match of a C string argument. */
function kw(arg: string, upper: string): boolean {
  return isKeyword(cstr(arg), upper);
}

/** id + 1 (Redis's streamIncrID); null past the largest ID. */
export function incrId(id: StreamId): StreamId | null {
  if (id.seq === UINT64_MAX) {
    if (id.ms === UINT64_MAX) return null;
    return { ms: id.ms + 1n, seq: 0n };
  }
  return { ms: id.ms, seq: id.seq + 1n };
}

/** id - 1 (Redis's streamDecrID); null below 0-0. */
export function decrId(id: StreamId): StreamId | null {
  if (id.seq === 0n) {
    if (id.ms === 0n) return null;
    return { ms: id.ms - 1n, seq: UINT64_MAX };
  }
  return { ms: id.ms, seq: id.seq - 1n };
}

/** How XADD / XTRIM trim, as Redis's streamAddTrimArgs. */
interface TrimArgs {
  strategy: "none" | "maxlen" | "minid";
  approx: boolean;
  maxlen: number;
  minId: StreamId;
  /** 0 = no limit. */
  limit: number;
  /** Index of the threshold argument (the one before is `~` when approx). */
  thresholdAt: number;
  noMkStream: boolean;
  /** XADD: index of the ID argument. */
  idAt: number;
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamId;
}

/** MAXLEN's or LIMIT's integer (past 2^53 clamped: a bound only), or null after an error. */
function nonNegativeArg(c: Client, arg: string, negative: string): number | null {
  const n = parseInt64(arg);
  if (n === null) {
    c.out.error(ERR_NOT_INTEGER);
    return null;
  }
  if (n < 0) {
    c.out.error(negative);
    return null;
  }
  return typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
}

/** XADD's options when the ID `*` comes first (the common case: nothing to parse); the defaults of every parse. */
const PLAIN_XADD: Readonly<TrimArgs> = Object.freeze({
  strategy: "none",
  approx: false,
  maxlen: 0,
  minId: MIN_ID,
  limit: 0,
  thresholdAt: 0,
  noMkStream: false,
  idAt: 2,
  idGiven: false,
  seqGiven: true,
  id: MIN_ID,
});

/** Redis's streamParseAddOrTrimArgsOrReply: the options of XADD (xadd) or XTRIM; null after an error. */
function parseTrimArgs(c: Client, args: string[], xadd: boolean): TrimArgs | null {
  const t: TrimArgs = { ...PLAIN_XADD, idAt: 0 };
  let limitGiven = false;
  let i = 2;
  for (; i < args.length; i++) {
    const moreargs = args.length - 1 - i;
    const opt = args[i];
    if (xadd && (opt === "*" || cstr(opt) === "*")) break;
    if (moreargs && (kw(opt, "MAXLEN") || kw(opt, "MINID"))) {
      const maxlen = kw(opt, "MAXLEN");
      if (t.strategy !== "none") {
        c.out.error(ERR_MAXLEN_AND_MINID);
        return null;
      }
      t.approx = false;
      const next = cstr(args[i + 1]);
      if (moreargs >= 2 && next === "~") {
        t.approx = true;
        i++;
      } else if (moreargs >= 2 && next === "=") {
        i++;
      }
      if (maxlen) {
        const n = nonNegativeArg(c, args[i + 1], ERR_MAXLEN_NEGATIVE);
        if (n === null) return null;
        t.maxlen = n;
        t.strategy = "maxlen";
      } else {
        const id = parseIdArg(c, args[i + 1], 0n, true);
        if (id === null) return null;
        t.minId = id;
        t.strategy = "minid";
      }
      i++;
      t.thresholdAt = i;
    } else if (moreargs && kw(opt, "LIMIT")) {
      const n = nonNegativeArg(c, args[i + 1], ERR_LIMIT_NEGATIVE);
      if (n === null) return null;
      t.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && kw(opt, "NOMKSTREAM")) {
      t.noMkStream = true;
    } else if (xadd) {
      // Either the ID or a syntax error.
      const parsed = parseStreamId(opt, 0n, true, true);
      if (parsed === null) {
        c.out.error(ERR_INVALID_ID);
        return null;
      }
      t.id = parsed.id;
      t.seqGiven = parsed.seqGiven;
      t.idGiven = true;
      break;
    } else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
  }
  t.idAt = i;
  if (t.limit && t.strategy === "none") {
    c.out.error(ERR_LIMIT_NO_STRATEGY);
    return null;
  }
  if (!xadd && t.strategy === "none") {
    c.out.error(ERR_XTRIM_NO_STRATEGY);
    return null;
  }
  if (c.loader) {
    // The AOF logs trims already made exact (see rewriteTrim).
    t.limit = 0;
  } else if (limitGiven) {
    if (!t.approx) {
      c.out.error(ERR_LIMIT_NO_APPROX);
      return null;
    }
  } else if (t.approx) {
    // At most 100 nodes' worth of work, bounded on both sides as Redis does.
    let limit = 100 * c.server.config.num("stream-node-max-entries");
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
    t.limit = limit;
  } else {
    t.limit = 0;
  }
  return t;
}

/** Trims `s` as `t` asks; the number of entries removed. */
function applyTrim(s: StreamValue, t: TrimArgs): number {
  return s.trim(t.maxlen, t.strategy === "minid" ? t.minId : null, t.approx, t.limit);
}

/**
 * Makes a `~` trim exact in what is logged (streamRewriteApproxSpecifier and
 * streamRewriteTrimArgument): `=` and the length reached, or the first ID
 * left (deleted entries included), so that a replay trims the same.
 */
function rewriteTrim(logged: string[], s: StreamValue, t: TrimArgs): void {
  logged[t.thresholdAt - 1] = "=";
  logged[t.thresholdAt] = t.strategy === "maxlen" ? String(s.length) : formatId(s.firstStoredId());
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */

function xadd(c: Client, args: string[]): void {
  const t = args[2] === "*" ? PLAIN_XADD : parseTrimArgs(c, args, true);
  if (t === null) return;
  const fieldsAt = t.idAt + 1;
  const n = args.length - fieldsAt;
  if (n < 2 || n % 2 === 1) return c.out.error("ERR wrong number of arguments for 'xadd' command");
  if (t.idGiven && t.seqGiven && t.id.ms === 0n && t.id.seq === 0n) {
    return c.out.error(ERR_XADD_ZERO);
  }
  const key = args[1];
  let s = writeStream(c, key);
  if (s === null) return;
  let created = false;
  if (s === undefined) {
    if (t.noMkStream) return c.out.nullBulk();
    s = new StreamValue();
    created = true;
  }
  const last = s.lastId;
  if (last.ms === UINT64_MAX && last.seq === UINT64_MAX) return c.out.error(ERR_EXHAUSTED);
  let id: StreamId;
  if (!t.idGiven) {
    const now = BigInt(Date.now());
    id = now > last.ms ? { ms: now, seq: 0n } : incrId(last)!;
  } else if (!t.seqGiven) {
    if (t.id.ms === last.ms) {
      // Redis 7.0 fails here without setting errno, hence its "too large" text.
      if (last.seq === UINT64_MAX) return c.out.error(ERR_TOO_LARGE);
      id = { ms: last.ms, seq: last.seq + 1n };
    } else {
      id = t.id;
    }
  } else {
    id = t.id;
  }
  if (compareIds(id, last) <= 0) return c.out.error(ERR_XADD_EQUAL_OR_SMALLER);
  let total = 0;
  for (let i = fieldsAt; i < args.length; i++) total += args[i].length;
  if (total > LISTPACK_MAX_SIZE) return c.out.error(ERR_TOO_LARGE);
  s.append(id, args, streamLimits(c), fieldsAt);
  s.entriesAdded++;
  if (s.length === 1) s.firstId = id;
  if (created) c.db.set(key, s);
  const idText = formatId(id);
  c.out.bulk(idText);
  c.db.notify(NOTIFY_STREAM, "xadd", key);
  const keyspace = c.server.keyspace;
  keyspace.dirty++;
  let logged: string[] | null = null;
  if (t.strategy !== "none") {
    if (applyTrim(s, t) > 0) c.db.notify(NOTIFY_STREAM, "xtrim", key);
    if (t.approx) rewriteTrim(logged = args.slice(), s, t);
  }
  if (!t.idGiven || !t.seqGiven) (logged ??= args.slice())[t.idAt] = idText;
  if (logged !== null) c.propagateAs = [logged];
  if (!created) c.server.blocking.signal(c.db, key);
}

/** XRANGE key start end [COUNT n] and XREVRANGE key end start [COUNT n]. */
function xrangeGeneric(rev: boolean) {
  return (c: Client, args: string[]): void => {
    const startArg = rev ? args[3] : args[2];
    const endArg = rev ? args[2] : args[3];
    const start = parseIntervalId(c, startArg, 0n);
    if (start === null) return;
    let startId = start.id;
    if (start.exclusive) {
      const next = incrId(startId);
      if (next === null) return c.out.error("ERR invalid start ID for the interval");
      startId = next;
    }
    const end = parseIntervalId(c, endArg, UINT64_MAX);
    if (end === null) return;
    let endId = end.id;
    if (end.exclusive) {
      const prev = decrId(endId);
      if (prev === null) return c.out.error("ERR invalid end ID for the interval");
      endId = prev;
    }
    let count = -1;
    for (let j = 4; j < args.length; j++) {
      if (kw(args[j], "COUNT") && j + 1 < args.length) {
        const n = parseInt64(args[j + 1]);
        if (n === null) return c.out.error(ERR_NOT_INTEGER);
        count = n < 0 ? 0 : typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
        j++;
      } else {
        return c.out.error(ERR_SYNTAX);
      }
    }
    const s = readStream(c, args[1]);
    if (s === null) return;
    if (s === undefined) return c.out.array(0);
    if (count === 0) return c.out.nullArray();
    replyRange(c, s, startId, endId, rev, count === -1 ? 0 : count);
  };
}

/** The entries of `s` between start and end (inclusive) as an array, at most `count` (0 = all). */
function replyRange(
  c: Client,
  s: StreamValue,
  start: StreamId,
  end: StreamId,
  rev: boolean,
  count: number,
): void {
  // The length comes first: gather, then write.
  const ids: StreamId[] = [];
  const entries: string[][] = [];
  s.range(start, end, rev, count, (id, fields) => {
    ids.push(id);
    entries.push(fields);
  });
  c.out.array(ids.length);
  for (let i = 0; i < ids.length; i++) replyEntry(c, ids[i], entries[i]);
}

/** Redis's streamParseIntervalIDOrReply: `(` makes the bound exclusive (and strict). */
export function parseIntervalId(
  c: Client,
  arg: string,
  missingSeq: bigint,
): { id: StreamId; exclusive: boolean } | null {
  if (arg.length > 1 && arg[0] === "(") {
    const id = parseIdArg(c, arg.slice(1), missingSeq, true);
    return id && { id, exclusive: true };
  }
  const id = parseIdArg(c, arg, missingSeq, false);
  return id && { id, exclusive: false };
}

function xlen(c: Client, args: string[]): void {
  const s = readStream(c, args[1]);
  if (s === null) return;
  c.out.int(s === undefined ? 0 : s.length);
}

/** XDEL key id [id ...]: the stream stays, even empty, as in Redis. */
function xdel(c: Client, args: string[]): void {
  const s = writeStream(c, args[1]);
  if (s === null) return;
  if (s === undefined) return c.out.int(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < args.length; j++) {
    const id = parseIdArg(c, args[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstGone = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (compareIds(id, s.firstId) === 0) firstGone = true;
    if (compareIds(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = MIN_ID;
    else if (firstGone) s.firstId = s.first()!;
    c.db.notify(NOTIFY_STREAM, "xdel", args[1]);
    c.server.keyspace.dirty += deleted;
  }
  c.out.int(deleted);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrim(c: Client, args: string[]): void {
  const t = parseTrimArgs(c, args, false);
  if (t === null) return;
  const s = writeStream(c, args[1]);
  if (s === null) return;
  if (s === undefined) return c.out.int(0);
  const deleted = applyTrim(s, t);
  if (deleted) {
    if (t.approx) {
      const logged = args.slice();
      rewriteTrim(logged, s, t);
      c.propagateAs = [logged];
    }
    c.db.notify(NOTIFY_STREAM, "xtrim", args[1]);
    c.server.keyspace.dirty += deleted;
  }
  c.out.int(deleted);
}

/** XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id] */
function xsetid(c: Client, args: string[]): void {
  const id = parseIdArg(c, args[2], 0n, true);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxDeleted = MIN_ID;
  for (let i = 3; i < args.length; i += 2) {
    const moreargs = args.length - 1 - i;
    if (moreargs && kw(args[i], "ENTRIESADDED")) {
      const n = parseInt64(args[i + 1]);
      if (n === null) return c.out.error(ERR_NOT_INTEGER);
      if (n < 0) return c.out.error("ERR entries_added must be positive");
      entriesAdded = BigInt(n);
    } else if (moreargs && kw(args[i], "MAXDELETEDID")) {
      const m = parseIdArg(c, args[i + 1], 0n, true);
      if (m === null) return;
      if (compareIds(id, m) < 0) {
        return c.out.error(
          "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        );
      }
      maxDeleted = m;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  const s = writeStream(c, args[1]);
  if (s === null) return;
  if (s === undefined) return c.out.error(ERR_NO_SUCH_KEY);
  if (s.length > 0) {
    if (compareIds(id, s.last()!) < 0) {
      return c.out.error(
        "ERR The ID specified in XSETID is smaller than the target stream top item",
      );
    }
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      return c.out.error(
        "ERR The entries_added specified in XSETID is smaller than the target stream length",
      );
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxDeleted.ms !== 0n || maxDeleted.seq !== 0n) s.maxDeletedId = maxDeleted;
  c.db.notify(NOTIFY_STREAM, "xsetid", args[1]);
  c.server.keyspace.dirty++;
  c.out.ok();
}

/** XREAD [COUNT n] [BLOCK ms] STREAMS key [key ...] id [id ...] */
function xread(c: Client, args: string[]): void {
  let timeout = -1;
  let count = 0;
  let streamsAt = 0;
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const moreargs = args.length - i - 1;
    const o = args[i];
    if (moreargs && kw(o, "BLOCK")) {
      i++;
      const v = parseInt64(args[i]);
      if (v === null) return c.out.error("ERR timeout is not an integer or out of range");
      if (v < 0) return c.out.error("ERR timeout is negative");
      timeout = typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
    } else if (moreargs && kw(o, "COUNT")) {
      i++;
      const v = parseInt64(args[i]);
      if (v === null) return c.out.error(ERR_NOT_INTEGER);
      count = v < 0 ? 0 : typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
    } else if (moreargs && kw(o, "STREAMS")) {
      streamsAt = i + 1;
      n = args.length - streamsAt;
      if (n % 2 !== 0) {
        return c.out.error(
          "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
        );
      }
      n /= 2;
      break;
    } else if (moreargs >= 2 && kw(o, "GROUP")) {
      return c.out.error(
        "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
      );
    } else if (kw(o, "NOACK")) {
      return c.out.error(
        "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
      );
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  if (streamsAt === 0) return c.out.error(ERR_SYNTAX);
  const keys = args.slice(streamsAt, streamsAt + n);
  const ids: StreamId[] = [];
  for (let k = 0; k < n; k++) {
    const s = readStream(c, keys[k]);
    if (s === null) return;
    const arg = cstr(args[streamsAt + n + k]);
    if (arg === "$") {
      ids.push(s === undefined ? MIN_ID : s.lastId);
    } else if (arg === ">") {
      return c.out.error(
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
      );
    } else {
      const id = parseIdArg(c, args[streamsAt + n + k], 0n, true);
      if (id === null) return;
      ids.push(id);
    }
  }
  // Served now when some stream has an entry past its ID.
  const served: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = c.db.lookupRead(keys[k]) as StreamValue | undefined;
    if (s === undefined || s.length === 0) continue;
    if (compareIds(s.last()!, ids[k]) > 0) served.push(k);
  }
  if (served.length > 0) {
    if (c.resp === 2) c.out.array(served.length);
    else c.out.map(served.length);
    for (const k of served) {
      const s = c.db.lookupRead(keys[k]) as StreamValue;
      if (c.resp === 2) c.out.array(2);
      c.out.bulk(keys[k]);
      replyRange(c, s, incrId(ids[k]) ?? MAX_ID, MAX_ID, false, count);
    }
    return;
  }
  if (timeout === -1 || !c.mayBlock) return c.out.nullArray();
  // The first ID given for each key is the one waited past ("$" already resolved).
  const waitIds = new Map<string, StreamId>();
  for (let k = 0; k < n; k++) if (!waitIds.has(keys[k])) waitIds.set(keys[k], ids[k]);
  const blockCount = count || XREAD_BLOCKED_DEFAULT_COUNT;
  c.server.blocking.block(c, args, {
    keys,
    timeoutMs: timeout,
    retry: (key) => {
      const s = c.db.peek(key);
      const after = waitIds.get(key)!;
      if (!(s instanceof StreamValue) || compareIds(s.lastId, after) <= 0) return false;
      if (c.resp === 2) {
        c.out.array(1);
        c.out.array(2);
      } else {
        c.out.map(1);
      }
      c.out.bulk(key);
      replyRange(c, s, incrId(after) ?? MAX_ID, MAX_ID, false, blockCount);
      return true;
    },
    timedOut: () => c.out.nullArray(),
  });
}

/** COMMAND GETKEYS for XREAD: the keys after STREAMS (Redis's xreadGetKeys). */
function xreadKeys(args: string[]): string[] | null {
  let streamsAt = -1;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (kw(a, "BLOCK") || kw(a, "COUNT")) i++;
    else if (kw(a, "GROUP")) i += 2;
    else if (kw(a, "NOACK")) continue;
    else if (kw(a, "STREAMS")) {
      streamsAt = i;
      break;
    } else break;
  }
  const num = args.length - streamsAt - 1;
  if (streamsAt === -1 || num === 0 || num % 2 !== 0) return null;
  return args.slice(streamsAt + 1, streamsAt + 1 + num / 2);
}

/** Stream commands: XADD, XRANGE, XREAD ... (Redis group "stream"). */
export const streamCommands: CommandSpec[] = [
  defineCommand({
    name: "xadd",
    arity: -5,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary: "Appends a new entry to a stream",
    complexity:
      "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
    syntax:
      "key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]",
    keySpecs: ["RW update @1 # UPDATE instead of INSERT because of the optional trimming feature"],
    tips: "nondeterministic_output",
    history: [
      ["6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."],
      ["7.0.0", "Added support for the `<ms>-*` explicit ID form."],
    ],
    args: "key.key#0 nomkstream'NOMKSTREAM'@6.2.0? trim.block?(strategy.oneof(maxlen'MAXLEN' " +
      "minid'MINID'@6.2.0) operator.oneof?(equal'=' approximately'~') threshold " +
      "count'LIMIT'.integer@6.2.0?) id_or_auto.oneof(auto_id'*' id) " +
      "field_value.block*(field value)",
    handler: xadd,
  }),
  defineCommand({
    name: "xdel",
    arity: -3,
    flags: "write fast",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary:
      "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
    syntax: "key id [id ...]",
    keySpecs: ["RW delete @1"],
    handler: xdel,
  }),
  defineCommand({
    name: "xlen",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary: "Return the number of entries in a stream",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO @1"],
    handler: xlen,
  }),
  defineCommand({
    name: "xrange",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
    complexity:
      "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    syntax: "key start end [COUNT count]",
    keySpecs: ["RO access @1"],
    history: [["6.2.0", "Added exclusive ranges."]],
    args: "key.key#0 start end count'COUNT'.integer?",
    handler: xrangeGeneric(false),
  }),
  defineCommand({
    name: "xread",
    arity: -4,
    flags: "readonly blocking movablekeys",
    group: "stream",
    since: "5.0.0",
    summary:
      "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
    complexity:
      "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
    syntax: "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
    getKeys: xreadKeys,
    keySpecs: ["RO access @STREAMS:1 range:-1,1,2"],
    args: "count'COUNT'.integer? milliseconds'BLOCK'.integer? streams'STREAMS'.block(key.key#0* " +
      "id*)",
    handler: xread,
  }),
  defineCommand({
    name: "xrevrange",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary:
      "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
    complexity:
      "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    syntax: "key end start [COUNT count]",
    keySpecs: ["RO access @1"],
    history: [["6.2.0", "Added exclusive ranges."]],
    args: "key.key#0 end start count'COUNT'.integer?",
    handler: xrangeGeneric(true),
  }),
  defineCommand({
    name: "xsetid",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary: "An internal command for replicating stream values",
    complexity: "O(1)",
    syntax: "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]",
    keySpecs: ["RW update @1"],
    history: [["7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."]],
    args: "key.key#0 last-id entries_added'ENTRIESADDED'.integer@7.0.0? " +
      "max_deleted_entry_id'MAXDELETEDID'.string@7.0.0?",
    handler: xsetid,
  }),
  defineCommand({
    name: "xtrim",
    arity: -4,
    flags: "write",
    keys: [1, 1, 1],
    group: "stream",
    since: "5.0.0",
    summary: "Trims the stream to (approximately if '~' is passed) a certain size",
    complexity:
      "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
    syntax: "key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]",
    keySpecs: ["RW delete @1"],
    tips: "nondeterministic_output",
    history: [["6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."]],
    args: "key.key#0 trim.block(strategy.oneof(maxlen'MAXLEN' minid'MINID'@6.2.0) " +
      "operator.oneof?(equal'=' approximately'~') threshold count'LIMIT'.integer@6.2.0?)",
    handler: xtrim,
  }),
];
