/** String commands: SET and friends, counters, ranges, LCS. */
import type { Client } from "../server/client.ts";
import type { Value } from "../store/keyspace.ts";
import {
  EmbString,
  isStringValue,
  RawString,
  stringEncoding,
  stringOf,
  type StringValue,
} from "../store/strings.ts";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../store/notify.ts";
import { incrByFloat } from "../util/float.ts";
import {
  ERR_INVALID_EXPIRE,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  INT64_MAX,
  INT64_MIN,
  parseInt64,
} from "./args.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

const SET_GET_FLAGS = ["RW", "access", "update"];
const SET_FLAGS = ["OW", "update"];

/** SET's key flags as Redis's setGetKeys gives them: RW access update with GET, else OW update. */
function setKeysAndFlags(args: string[]): [string, string[]][] {
  for (let i = 3; i < args.length; i++) {
    if (args[i].length === 3 && args[i].toLowerCase() === "get") return [[args[1], SET_GET_FLAGS]];
  }
  return [[args[1], SET_FLAGS]];
}

const ERR_TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
const EMPTY_BULK = "";

/** Option keywords compare as C strings: an argument ends at its first NUL. */
function keyword(arg: string): string {
  const nul = arg.indexOf("\0");
  return (nul >= 0 ? arg.slice(0, nul) : arg).toUpperCase();
}

function reply(c: Client, v: StringValue): void {
  if (typeof v === "string") c.out.bulk(v);
  else if (v instanceof RawString) c.out.bulkBytes(v.bytes());
  else c.out.bulk(v.value);
}

function valueString(v: StringValue): string {
  return typeof v === "string" ? v : v instanceof RawString ? v.toString() : v.value;
}

/** Redis's MAX_LONG_DOUBLE_CHARS: no longer string reads as a number. */
const NUMBER_TEXT_MAX = 5 * 1024;

/**
 * The text of a value read as a number: "" (no number) when longer than
 * any number Redis reads, so a huge string (a 512 MB bitmap) is not copied.
 */
function numericText(v: StringValue): string {
  return v.length >= NUMBER_TEXT_MAX ? "" : valueString(v);
}

/** The string at `v`, undefined when missing, or null after a WRONGTYPE reply. */
export function asString(c: Client, v: Value | undefined): StringValue | undefined | null {
  if (v === undefined) return undefined;
  if (isStringValue(v)) return v;
  c.out.error(ERR_WRONGTYPE);
  return null;
}

/**
 * The string value `v` stored at `key` as a RawString that the caller may
 * change in place: converted and stored once (Redis's dbUnshareStringValue),
 * so repeated in-place writes (APPEND, SETRANGE, SETBIT, PFADD) copy nothing.
 * `bytes`: v's bytes when the caller has them already.
 */
export function writableRaw(
  c: Client,
  key: string,
  v: StringValue,
  bytes?: Uint8Array,
): RawString {
  if (v instanceof RawString) return v;
  const raw = new RawString(bytes ?? valueString(v));
  c.db.replace(key, raw);
  return raw;
}

/** Redis's checkStringLength: false after replying when the result would be too big. */
function checkLength(c: Client, size: number | bigint, append: number): boolean {
  const max = c.server.config.num("proto-max-bulk-len");
  if (typeof size === "bigint" || size + append > max) {
    c.out.error(ERR_TOO_BIG);
    return false;
  }
  return true;
}

// --- SET / GETEX options ----------------------------------------------------

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

interface ExpireOptions {
  flags: number;
  expire: string | null;
}

/** Parses SET (forSet) or GETEX options from args[3] on; null after a syntax error. */
function parseOptions(c: Client, args: string[], forSet: boolean): ExpireOptions | null {
  let flags = 0;
  let expire: string | null = null;
  for (let j = forSet ? 3 : 2; j < args.length; j++) {
    const opt = keyword(args[j]);
    const hasNext = j + 1 < args.length;
    let unit = 0;
    if (opt === "NX" && forSet && !(flags & XX)) flags |= NX;
    else if (opt === "XX" && forSet && !(flags & NX)) flags |= XX;
    else if (opt === "GET" && forSet) flags |= GET;
    else if (opt === "KEEPTTL" && forSet && !(flags & (PERSIST | ANY_EXPIRE))) flags |= KEEPTTL;
    else if (opt === "PERSIST" && !forSet && !(flags & (KEEPTTL | ANY_EXPIRE))) flags |= PERSIST;
    else if (opt === "EX") unit = EX;
    else if (opt === "PX") unit = PX;
    else if (opt === "EXAT") unit = EXAT;
    else if (opt === "PXAT") unit = PXAT;
    else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
    if (unit !== 0) {
      // One expiry kind only (repeating the same one is allowed: last wins).
      if (!hasNext || (flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~unit)))) {
        c.out.error(ERR_SYNTAX);
        return null;
      }
      flags |= unit;
      expire = args[++j];
    }
  }
  return { flags, expire };
}

/**
 * The absolute expiry (ms) for an EX/PX/EXAT/PXAT argument (a bigint past
 * 2^53, so that it is stored and logged exactly), or null after replying
 * with the error Redis gives.
 */
function expireAt(
  c: Client,
  arg: string,
  flags: number,
  command: string,
): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.out.error(ERR_NOT_INTEGER);
    return null;
  }
  let ms = BigInt(v);
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) {
    c.out.error("ERR " + ERR_INVALID_EXPIRE.replace("%s", command));
    return null;
  }
  if (seconds) ms *= 1000n;
  if (flags & (EX | PX)) ms += BigInt(Date.now());
  // Past int64 the C sum wraps negative, which Redis reports as invalid.
  if (ms > INT64_MAX) {
    c.out.error("ERR " + ERR_INVALID_EXPIRE.replace("%s", command));
    return null;
  }
  const n = Number(ms);
  return Number.isSafeInteger(n) ? n : ms;
}

/**
 * SET's core (also SETNX, SETEX, PSETEX): `okReply`/`abortReply` replace
 * +OK and the null reply, as SETNX's 1 and 0 do. True when the key was set.
 * With an expiry, the AOF gets `SET key value PXAT <ms>` (as Redis logs
 * it): replaying it later must not restart a relative time.
 */
function setGeneric(
  c: Client,
  command: string,
  key: string,
  value: string,
  flags: number,
  expire: string | null,
  okReply: (() => void) | null = null,
  abortReply: (() => void) | null = null,
): boolean {
  let at: number | bigint = 0;
  if (expire !== null) {
    const t = expireAt(c, expire, flags, command);
    if (t === null) return false;
    at = t;
  }
  const db = c.db;
  if (flags & GET) {
    const old = asString(c, db.lookupRead(key));
    if (old === null) return false;
    if (old === undefined) c.out.nullBulk();
    else reply(c, old);
  }
  const found = db.lookupWrite(key) !== undefined;
  if (((flags & NX) && found) || ((flags & XX) && !found)) {
    if (!(flags & GET)) abortReply ? abortReply() : c.out.nullBulk();
    return false;
  }
  db.set(key, value, (flags & KEEPTTL) !== 0);
  c.server.keyspace.dirty++;
  db.notify(NOTIFY_STRING, "set", key);
  if (expire !== null) {
    db.setExpire(key, at);
    // Even a time already past: Redis 7.0 sets it (the key then expires lazily).
    db.notify(NOTIFY_GENERIC, "expire", key);
    c.propagateAs = [["SET", key, value, "PXAT", String(at)]];
  }
  if (!(flags & GET)) okReply ? okReply() : c.out.ok();
  return true;
}

function set(c: Client, args: string[]): void {
  const opts = parseOptions(c, args, true);
  if (opts === null) return;
  const done = setGeneric(c, "set", args[1], args[2], opts.flags, opts.expire);
  if (done && (opts.flags & GET) && opts.expire === null) {
    // Logged without GET (a replayed GET would only build a reply), as Redis does.
    c.propagateAs = [args.filter((a, j) => j < 3 || keyword(a) !== "GET")];
  }
}

function setnx(c: Client, args: string[]): void {
  setGeneric(c, "setnx", args[1], args[2], NX, null, () => c.out.int(1), () => c.out.int(0));
}

function setex(c: Client, args: string[]): void {
  setGeneric(c, "setex", args[1], args[3], EX, args[2]);
}

function psetex(c: Client, args: string[]): void {
  setGeneric(c, "psetex", args[1], args[3], PX, args[2]);
}

function get(c: Client, args: string[]): void {
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === undefined) c.out.nullBulk();
  else if (v !== null) reply(c, v);
}

function getdel(c: Client, args: string[]): void {
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === undefined) return c.out.nullBulk();
  if (v === null) return;
  reply(c, v);
  c.db.delete(args[1]);
  c.db.notify(NOTIFY_GENERIC, "del", args[1]);
  c.server.keyspace.dirty++;
  c.propagateAs = [["DEL", args[1]]];
}

function getset(c: Client, args: string[]): void {
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === null) return;
  if (v === undefined) c.out.nullBulk();
  else reply(c, v);
  c.db.set(args[1], args[2]);
  c.db.notify(NOTIFY_STRING, "set", args[1]);
  c.server.keyspace.dirty++;
  c.propagateAs = [["SET", args[1], args[2]]];
}

function getex(c: Client, args: string[]): void {
  const opts = parseOptions(c, args, false);
  if (opts === null) return;
  const db = c.db;
  const key = args[1];
  const v = asString(c, db.lookupRead(key));
  if (v === undefined) return c.out.nullBulk();
  if (v === null) return;
  let at: number | bigint = 0;
  if (opts.expire !== null) {
    const t = expireAt(c, opts.expire, opts.flags, "getex");
    if (t === null) return;
    at = t;
  }
  reply(c, v);
  // Logged as the change it made (the read part needs no replay).
  if ((opts.flags & (EXAT | PXAT)) && at <= Date.now()) {
    // An absolute time already past deletes the key (not counted as expired).
    db.delete(key);
    db.notify(NOTIFY_GENERIC, "del", key);
    c.server.keyspace.dirty++;
    c.propagateAs = [["DEL", key]];
  } else if (opts.expire !== null) {
    db.setExpire(key, at);
    db.notify(NOTIFY_GENERIC, "expire", key);
    c.server.keyspace.dirty++;
    c.propagateAs = [["PEXPIREAT", key, String(at)]];
  } else if (opts.flags & PERSIST) {
    if (db.persist(key)) {
      db.notify(NOTIFY_GENERIC, "persist", key);
      c.server.keyspace.dirty++;
      c.propagateAs = [["PERSIST", key]];
    }
  }
}

function mset(c: Client, args: string[]): void {
  if (args.length % 2 === 0) {
    return c.out.error("ERR wrong number of arguments for 'mset' command");
  }
  const db = c.db;
  for (let i = 1; i < args.length; i += 2) {
    db.set(args[i], args[i + 1]);
    db.notify(NOTIFY_STRING, "set", args[i]);
  }
  c.server.keyspace.dirty += (args.length - 1) / 2;
  c.out.ok();
}

function msetnx(c: Client, args: string[]): void {
  if (args.length % 2 === 0) {
    return c.out.error("ERR wrong number of arguments for 'msetnx' command");
  }
  for (let i = 1; i < args.length; i += 2) {
    if (c.db.lookupWrite(args[i]) !== undefined) return c.out.int(0);
  }
  for (let i = 1; i < args.length; i += 2) {
    c.db.set(args[i], args[i + 1]);
    c.db.notify(NOTIFY_STRING, "set", args[i]);
  }
  c.server.keyspace.dirty += (args.length - 1) / 2;
  c.out.int(1);
}

function mget(c: Client, args: string[]): void {
  c.out.array(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = c.db.lookupRead(args[i]);
    if (v !== undefined && isStringValue(v)) reply(c, v);
    else c.out.nullBulk();
  }
}

function append(c: Client, args: string[]): void {
  const db = c.db;
  const key = args[1];
  const v = asString(c, db.lookupWrite(key));
  if (v === null) return;
  let len: number;
  if (v === undefined) {
    db.set(key, args[2]);
    len = args[2].length;
  } else {
    if (!checkLength(c, v.length, args[2].length)) return;
    // Redis turns the value raw on any APPEND, even of nothing.
    len = writableRaw(c, key, v).append(args[2]);
  }
  db.notify(NOTIFY_STRING, "append", key);
  c.server.keyspace.dirty++;
  c.out.int(len);
}

function strlen(c: Client, args: string[]): void {
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === undefined) c.out.int(0);
  else if (v !== null) c.out.int(v.length);
}

function getrange(c: Client, args: string[]): void {
  const startArg = parseInt64(args[2]);
  if (startArg === null) return c.out.error(ERR_NOT_INTEGER);
  const endArg = parseInt64(args[3]);
  if (endArg === null) return c.out.error(ERR_NOT_INTEGER);
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === undefined) return c.out.bulk(EMPTY_BULK);
  if (v === null) return;
  const len = v.length;
  if (startArg < 0 && endArg < 0 && startArg > endArg) return c.out.bulk(EMPTY_BULK);
  // Past the string's length every index clamps the same way: numbers suffice.
  let start = clampIndex(startArg, len);
  let end = clampIndex(endArg, len);
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.out.bulk(EMPTY_BULK);
  if (v instanceof RawString) c.out.bulkBytes(v.bytes().subarray(start, end + 1));
  else c.out.bulk(valueString(v).slice(start, end + 1));
}

/** A possibly negative index made relative to the start (may stay out of range). */
function clampIndex(i: number | bigint, len: number): number {
  if (typeof i === "bigint") return i < 0n ? -1 : len;
  return i < 0 ? len + i : i;
}

function setrange(c: Client, args: string[]): void {
  const offset = parseInt64(args[2]);
  if (offset === null) return c.out.error(ERR_NOT_INTEGER);
  if (offset < 0) return c.out.error("ERR offset is out of range");
  const value = args[3];
  const db = c.db;
  const key = args[1];
  const v = asString(c, db.lookupWrite(key));
  if (v === null) return;
  let raw: RawString;
  if (v === undefined) {
    if (value.length === 0) return c.out.int(0);
    if (!checkLength(c, offset, value.length)) return;
    raw = new RawString("", Number(offset) + value.length);
    db.set(key, raw);
  } else {
    if (value.length === 0) return c.out.int(v.length);
    if (!checkLength(c, offset, value.length)) return;
    raw = writableRaw(c, key, v);
  }
  const len = raw.setRange(Number(offset), value);
  db.notify(NOTIFY_STRING, "setrange", key);
  c.server.keyspace.dirty++;
  c.out.int(len);
}

// --- counters -----------------------------------------------------------------

function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = c.db;
  const v = asString(c, db.lookupWrite(key));
  if (v === null) return;
  let current: number | bigint = 0;
  if (v !== undefined) {
    const parsed = parseInt64(numericText(v));
    if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === "number" && typeof incr === "number") {
    result = current + incr;
    if (!Number.isSafeInteger(result)) result = BigInt(current) + BigInt(incr);
  } else {
    result = BigInt(current) + BigInt(incr);
  }
  if (typeof result === "bigint") {
    if (result > INT64_MAX || result < INT64_MIN) return c.out.error(ERR_OVERFLOW);
  }
  const text = String(result);
  if (v === undefined) db.set(key, text);
  else db.replace(key, text);
  // INCR, DECR and DECRBY too: Redis names them all "incrby".
  db.notify(NOTIFY_STRING, "incrby", key);
  c.server.keyspace.dirty++;
  c.out.int(result);
}

function incr(c: Client, args: string[]): void {
  incrDecr(c, args[1], 1);
}

function decr(c: Client, args: string[]): void {
  incrDecr(c, args[1], -1);
}

function incrby(c: Client, args: string[]): void {
  const by = parseInt64(args[2]);
  if (by === null) return c.out.error(ERR_NOT_INTEGER);
  incrDecr(c, args[1], by);
}

function decrby(c: Client, args: string[]): void {
  const by = parseInt64(args[2]);
  if (by === null) return c.out.error(ERR_NOT_INTEGER);
  // -INT64_MIN does not fit in int64.
  if (by === INT64_MIN) return c.out.error("ERR decrement would overflow");
  incrDecr(c, args[1], -by);
}

function incrbyfloat(c: Client, args: string[]): void {
  const db = c.db;
  const key = args[1];
  const v = asString(c, db.lookupWrite(key));
  if (v === null) return;
  const result = incrByFloat(v === undefined ? "0" : numericText(v), args[2]);
  if ("error" in result) return c.out.error(result.error);
  const text = result.value;
  // Redis stores the printed number without trying the int encoding.
  const stored = stringEncoding(text) === "int" ? new EmbString(text) : text;
  if (v === undefined) db.set(key, stored);
  else db.replace(key, stored);
  db.notify(NOTIFY_STRING, "incrbyfloat", key);
  c.server.keyspace.dirty++;
  // The result, not the increment: float arithmetic must not be redone on replay.
  c.propagateAs = [["SET", key, text, "KEEPTTL"]];
  c.out.bulk(text);
}

// --- LCS ----------------------------------------------------------------------

function lcs(c: Client, args: string[]): void {
  const va = c.db.lookupRead(args[1]);
  const vb = c.db.lookupRead(args[2]);
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
    return c.out.error("ERR The specified keys must contain string values");
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = keyword(args[j]);
    if (opt === "IDX") getIdx = true;
    else if (opt === "LEN") getLen = true;
    else if (opt === "WITHMATCHLEN") withMatchLen = true;
    else if (opt === "MINMATCHLEN" && j + 1 < args.length) {
      const n = parseInt64(args[++j]);
      if (n === null) return c.out.error(ERR_NOT_INTEGER);
      minMatchLen = n < 0 ? 0 : Number(n);
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  if (getIdx && getLen) {
    return c.out.error("ERR If you want both the length and indexes, please just use IDX.");
  }
  const alen = va === undefined ? 0 : (va as StringValue).length;
  const blen = vb === undefined ? 0 : (vb as StringValue).length;
  // Redis sizes its table of 32-bit cells against proto-max-bulk-len. Checked
  // before the strings are read: one past V8's string limit never fits.
  if ((alen + 1) * (blen + 1) * 4 > c.server.config.num("proto-max-bulk-len")) {
    return c.out.error(
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    );
  }
  const a = va === undefined ? "" : stringOf(va)!;
  const b = vb === undefined ? "" : stringOf(vb)!;
  if (getLen) return c.out.int(lcsLength(a, b));

  // table[i * w + j] = LCS length of a[0..i) and b[0..j).
  const w = blen + 1;
  const table = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) table[row + j] = table[prev + j - 1] + 1;
      else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  const total = table[alen * w + blen];

  // Walk back from the end; runs of diagonal steps are the matched ranges,
  // found from the last one to the first.
  const chars: number[] = new Array(total);
  const ranges: number[][] = [];
  let k = total;
  let i = alen;
  let j = blen;
  let runA = -1; // end (in a) of the open run, -1 when none
  let runB = -1;
  const close = (aStart: number, bStart: number) => {
    const len = runA - aStart + 1;
    if (minMatchLen === 0 || len >= minMatchLen) ranges.push([aStart, runA, bStart, runB, len]);
    runA = -1;
  };
  while (i > 0 && j > 0) {
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[--k] = a.charCodeAt(i - 1);
      if (runA < 0) {
        runA = i - 1;
        runB = j - 1;
      }
      i--;
      j--;
      if (i === 0 || j === 0) close(i, j);
    } else {
      if (runA >= 0) close(i, j);
      if (table[(i - 1) * w + j] > table[i * w + j - 1]) i--;
      else j--;
    }
  }
  if (!getIdx) {
    let s = "";
    for (let n = 0; n < total; n++) s += String.fromCharCode(chars[n]);
    return c.out.bulk(s);
  }
  c.out.map(2);
  c.out.bulk("matches");
  c.out.array(ranges.length);
  for (const [as, ae, bs, be, len] of ranges) {
    c.out.array(withMatchLen ? 3 : 2);
    c.out.array(2);
    c.out.int(as);
    c.out.int(ae);
    c.out.array(2);
    c.out.int(bs);
    c.out.int(be);
    if (withMatchLen) c.out.int(len);
  }
  c.out.bulk("len");
  c.out.int(total);
}

/** LCS length only, in two rows of memory. */
function lcsLength(a: string, b: string): number {
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      if (ai === b.charCodeAt(j - 1)) row[j] = prev[j - 1] + 1;
      else row[j] = prev[j] > row[j - 1] ? prev[j] : row[j - 1];
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length];
}

// --- table ----------------------------------------------------------------------

const STRING = "string";

export const stringCommands: CommandSpec[] = [
  defineCommand({
    name: "get",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Get the value of a key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO access @1"],
    handler: get,
  }),
  defineCommand({
    name: "set",
    arity: -3,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Set the string value of a key",
    complexity: "O(1)",
    syntax:
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]",
    keySpecs: [
      "RW access update variable_flags @1 # RW and ACCESS due to the optional `GET` argument",
    ],
    getKeysAndFlags: setKeysAndFlags,
    history: [
      ["2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."],
      ["6.0.0", "Added the `KEEPTTL` option."],
      ["6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."],
      ["7.0.0", "Allowed the `NX` and `GET` options to be used together."],
    ],
    args: "key.key#0 value condition.oneof@2.6.12?(nx'NX' xx'XX') get'GET'@6.2.0? " +
      "expiration.oneof?(seconds'EX'.integer@2.6.12 milliseconds'PX'.integer@2.6.12 " +
      "unix-time-seconds'EXAT'.unix-time@6.2.0 unix-time-milliseconds'PXAT'.unix-time@6.2.0 " +
      "keepttl'KEEPTTL'@6.0.0)",
    handler: set,
  }),
  defineCommand({
    name: "setnx",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Set the value of a key, only if the key does not exist",
    complexity: "O(1)",
    syntax: "key value",
    keySpecs: ["OW insert @1"],
    handler: setnx,
  }),
  defineCommand({
    name: "setex",
    arity: 4,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.0.0",
    summary: "Set the value and expiration of a key",
    complexity: "O(1)",
    syntax: "key seconds value",
    keySpecs: ["OW update @1"],
    handler: setex,
  }),
  defineCommand({
    name: "psetex",
    arity: 4,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.6.0",
    summary: "Set the value and expiration in milliseconds of a key",
    complexity: "O(1)",
    syntax: "key milliseconds value",
    keySpecs: ["OW update @1"],
    handler: psetex,
  }),
  defineCommand({
    name: "append",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.0.0",
    summary: "Append a value to a key",
    complexity:
      "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.",
    syntax: "key value",
    keySpecs: ["RW insert @1"],
    handler: append,
  }),
  defineCommand({
    name: "strlen",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.2.0",
    summary: "Get the length of the value stored in a key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO @1"],
    handler: strlen,
  }),
  defineCommand({
    name: "getdel",
    arity: 2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "6.2.0",
    summary: "Get the value of a key and delete the key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RW access delete @1"],
    handler: getdel,
  }),
  defineCommand({
    name: "getex",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "6.2.0",
    summary: "Get the value of a key and optionally set its expiration",
    complexity: "O(1)",
    syntax:
      "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]",
    keySpecs: ["RW access update @1 # RW and UPDATE because it changes the TTL"],
    args: "key.key#0 expiration.oneof?(seconds'EX'.integer milliseconds'PX'.integer " +
      "unix-time-seconds'EXAT'.unix-time unix-time-milliseconds'PXAT'.unix-time " +
      "persist'PERSIST')",
    handler: getex,
  }),
  defineCommand({
    name: "setrange",
    arity: 4,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.2.0",
    summary: "Overwrite part of a string at key starting at the specified offset",
    complexity:
      "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.",
    syntax: "key offset value",
    keySpecs: ["RW update @1"],
    handler: setrange,
  }),
  defineCommand({
    name: "getrange",
    arity: 4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.4.0",
    summary: "Get a substring of the string stored at a key",
    complexity:
      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
    syntax: "key start end",
    keySpecs: ["RO access @1"],
    handler: getrange,
  }),
  defineCommand({
    name: "substr",
    arity: 4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Get a substring of the string stored at a key",
    complexity:
      "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.",
    syntax: "key start end",
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "2.0.0",
    replacedBy: "`GETRANGE`",
    handler: getrange,
  }),
  defineCommand({
    name: "incr",
    arity: 2,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Increment the integer value of a key by one",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RW access update @1"],
    handler: incr,
  }),
  defineCommand({
    name: "decr",
    arity: 2,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Decrement the integer value of a key by one",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RW access update @1"],
    handler: decr,
  }),
  defineCommand({
    name: "mget",
    arity: -2,
    flags: "readonly fast",
    keys: [1, -1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Get the values of all the given keys",
    complexity: "O(N) where N is the number of keys to retrieve.",
    syntax: "key [key ...]",
    keySpecs: ["RO access @1 range:-1,1,0"],
    tips: "request_policy:multi_shard",
    handler: mget,
  }),
  defineCommand({
    name: "incrby",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Increment the integer value of a key by the given amount",
    complexity: "O(1)",
    syntax: "key increment",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 increment.integer",
    handler: incrby,
  }),
  defineCommand({
    name: "decrby",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Decrement the integer value of a key by the given number",
    complexity: "O(1)",
    syntax: "key decrement",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 decrement.integer",
    handler: decrby,
  }),
  defineCommand({
    name: "incrbyfloat",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "2.6.0",
    summary: "Increment the float value of a key by the given amount",
    complexity: "O(1)",
    syntax: "key increment",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 increment.double",
    handler: incrbyfloat,
  }),
  defineCommand({
    name: "getset",
    arity: 3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: STRING,
    since: "1.0.0",
    summary: "Set the string value of a key and return its old value",
    complexity: "O(1)",
    syntax: "key value",
    keySpecs: ["RW access update @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`SET` with the `!GET` argument",
    handler: getset,
  }),
  defineCommand({
    name: "mset",
    arity: -3,
    flags: "write denyoom",
    keys: [1, -1, 2],
    group: STRING,
    since: "1.0.1",
    summary: "Set multiple keys to multiple values",
    complexity: "O(N) where N is the number of keys to set.",
    syntax: "key value [key value ...]",
    keySpecs: ["OW update @1 range:-1,2,0"],
    tips: "request_policy:multi_shard response_policy:all_succeeded",
    args: "key_value.block*(key.key#0 value)",
    handler: mset,
  }),
  defineCommand({
    name: "msetnx",
    arity: -3,
    flags: "write denyoom",
    keys: [1, -1, 2],
    group: STRING,
    since: "1.0.1",
    summary: "Set multiple keys to multiple values, only if none of the keys exist",
    complexity: "O(N) where N is the number of keys to set.",
    syntax: "key value [key value ...]",
    keySpecs: ["OW insert @1 range:-1,2,0"],
    tips: "request_policy:multi_shard response_policy:agg_min",
    args: "key_value.block*(key.key#0 value)",
    handler: msetnx,
  }),
  defineCommand({
    name: "lcs",
    arity: -3,
    flags: "readonly",
    keys: [1, 2, 1],
    group: STRING,
    since: "7.0.0",
    summary: "Find longest common substring",
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    syntax: "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]",
    keySpecs: ["RO access @1 range:1,1,0"],
    args: "key1.key#0 key2.key#0 len'LEN'? idx'IDX'? len'MINMATCHLEN'.integer? " +
      "withmatchlen'WITHMATCHLEN'?",
    handler: lcs,
  }),
];
