/**
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO. A bitmap is a string value; commands that change one write
 * in place into a RawString (converted once), so repeated SETBITs copy
 * nothing. Bit 0 is the most significant bit of the first byte, as in Redis.
 */
import type { Client } from "../server/client.ts";
import { type EmbString, RawString } from "../store/strings.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, parseInt64 } from "./args.ts";
import { asString, writableRaw } from "./strings.ts";
import { NOTIFY_GENERIC, NOTIFY_STRING } from "../store/notify.ts";
import { POPCOUNT, popcount } from "../util/popcount.ts";
import { cArg, type CommandSpec, defineCommand, keyAt } from "./table.ts";

const BITFIELD_RO_FLAGS = ["RO", "access"];
const BITFIELD_RW_FLAGS = ["RW", "access", "update"];

/**
 * BITFIELD's key flags as Redis's bitfieldGetKeys gives them: read-only
 * when only GET and OVERFLOW (with their arguments) follow the key.
 */
function bitfieldKeysAndFlags(args: string[]): [string, string[]][] {
  for (let i = 2; i < args.length; i++) {
    const left = args.length - i - 1;
    const op = args[i].toLowerCase();
    if (op === "get" && left >= 2) i += 2;
    else if (op === "overflow" && left >= 1) i += 1;
    else return [[args[1], BITFIELD_RW_FLAGS]];
  }
  return [[args[1], BITFIELD_RO_FLAGS]];
}

type StringValue = string | RawString | EmbString;

const ERR_BIT_OFFSET = "ERR bit offset is not an integer or out of range";
const ERR_BIT_VALUE = "ERR bit is not an integer or out of range";
const ERR_BITFIELD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

// --- reading the bytes of a value ----------------------------------------------

/**
 * From this length on, a plain string that a bit command reads is stored
 * as a RawString (same bytes, same "raw" encoding), so the next read scans
 * bytes instead of converting the string again.
 */
const CONVERT_MIN = 4096;
/** Shorter strings are read through this buffer (valid until the next read). */
const scratch = new Uint8Array(CONVERT_MIN);

/** The bytes of string value `v` at `key`: a view of its RawString or of `scratch`. */
function readBytes(c: Client, key: string, v: StringValue): Uint8Array {
  if (v instanceof RawString) return v.bytes();
  const s = typeof v === "string" ? v : v.value;
  const n = s.length;
  if (n >= CONVERT_MIN) {
    const raw = new RawString(s);
    c.db.replace(key, raw);
    return raw.bytes();
  }
  for (let i = 0; i < n; i++) scratch[i] = s.charCodeAt(i);
  return scratch.subarray(0, n);
}

/** The byte at `i` of a string value (0 past its end). */
function byteAt(v: StringValue, i: number): number {
  if (v instanceof RawString) return i < v.length ? v.bytes()[i] : 0;
  const s = typeof v === "string" ? v : v.value;
  return i < s.length ? s.charCodeAt(i) : 0;
}

/**
 * The position of the first bit equal to `bit` in bit positions
 * [first, last] of `b`, or -1.
 */
function findBit(b: Uint8Array, first: number, last: number, bit: number): number {
  // A byte is skipped when it holds no wanted bit: 0 for 1s, 0xff for 0s.
  const skip = bit ? 0 : 0xff;
  const firstByte = Math.floor(first / 8);
  const lastByte = Math.floor(last / 8);
  // Bits before `first` and after `last` in the edge bytes are masked out.
  const headMask = 0xff >> (first & 7);
  let byte = firstByte;
  while (byte <= lastByte) {
    let x = bit ? b[byte] : ~b[byte] & 0xff;
    if (byte === firstByte) x &= headMask;
    if (byte === lastByte) x &= (0xff << (7 - (last & 7))) & 0xff;
    if (x !== 0) return byte * 8 + Math.clz32(x) - 24;
    byte++;
    // Whole runs of skippable bytes, a word at a time once aligned.
    while (byte < lastByte && ((b.byteOffset + byte) & 3) !== 0 && b[byte] === skip) byte++;
    if (byte < lastByte && ((b.byteOffset + byte) & 3) === 0) {
      const words = (lastByte - byte) >> 2;
      if (words > 0) {
        const w = new Int32Array(b.buffer, b.byteOffset + byte, words);
        const skipWord = bit ? 0 : -1;
        let k = 0;
        while (k < words && w[k] === skipWord) k++;
        byte += k << 2;
      }
    }
  }
  return -1;
}

// --- argument parsing --------------------------------------------------------------

/**
 * Redis's getBitOffsetFromArgument: a bit offset, or `#n` (n fields of
 * `bits` bits) when `hash`; null after replying when it is not an integer,
 * negative, or past proto-max-bulk-len bytes.
 */
function bitOffsetArg(c: Client, arg: string, hash: boolean, bits: number): number | null {
  const useHash = hash && arg.charCodeAt(0) === 0x23;
  let v = parseInt64(useHash ? arg.slice(1) : arg);
  if (v === null) {
    c.out.error(ERR_BIT_OFFSET);
    return null;
  }
  if (useHash) {
    const product = typeof v === "number" ? v * bits : NaN;
    // The product wraps at 64 bits as Redis's does.
    v = Number.isSafeInteger(product) ? product : BigInt.asIntN(64, BigInt(v) * BigInt(bits));
  }
  const max = c.server.config.num("proto-max-bulk-len");
  const tooFar = typeof v === "number"
    ? Math.floor(v / 8) >= max
    : (v >> 3n) >= BigInt(Math.floor(max));
  if (v < 0 || tooFar) {
    c.out.error(ERR_BIT_OFFSET);
    return null;
  }
  return Number(v);
}

/** BYTE or BIT (compared as C strings, as Redis's strcasecmp); null after a syntax error. */
function unitArg(c: Client, arg: string): boolean | null {
  const unit = cArg(arg).toUpperCase();
  if (unit === "BIT") return true;
  if (unit === "BYTE") return false;
  c.out.error(ERR_SYNTAX);
  return null;
}

/** An int64 argument, or null after replying `error`. */
function int64Arg(c: Client, arg: string, error = ERR_NOT_INTEGER): number | bigint | null {
  const v = parseInt64(arg);
  if (v === null) c.out.error(error);
  return v;
}

// --- growing a bitmap ------------------------------------------------------------------

/** Replied when the memory for a bitmap cannot be had (Redis would abort instead). */
const oomError = (bytes: number) => `OOM cannot allocate ${bytes} bytes for the string value`;

/**
 * Redis's lookupStringForBitCommand: the string at args[1] for writing, as
 * a RawString of at least `byte + 1` bytes (created when missing, zero
 * padded when shorter). `grown` is true when it was created or grew. Null
 * after replying WRONGTYPE, or an error when the memory cannot be had.
 */
function bitmapForWrite(
  c: Client,
  key: string,
  byte: number,
): { raw: RawString; grown: boolean } | null {
  const v = asString(c, c.db.lookupWrite(key));
  if (v === null) return null;
  try {
    if (v === undefined) {
      // Exactly the size needed: a huge offset must not reserve half as much again.
      const raw = new RawString("", byte + 1);
      raw.setRange(byte, "\0");
      c.db.set(key, raw);
      return { raw, grown: true };
    }
    const raw = writableRaw(c, key, v);
    if (byte < raw.length) return { raw, grown: false };
    raw.setRange(byte, "\0");
    return { raw, grown: true };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    c.out.error(oomError(byte + 1));
    return null;
  }
}

// --- SETBIT / GETBIT ---------------------------------------------------------------------

function setbit(c: Client, args: string[]): void {
  const offset = bitOffsetArg(c, args[2], false, 0);
  if (offset === null) return;
  const on = int64Arg(c, args[3], ERR_BIT_VALUE);
  if (on === null) return;
  if (on !== 0 && on !== 1) return c.out.error(ERR_BIT_VALUE);
  const byte = Math.floor(offset / 8);
  const found = bitmapForWrite(c, args[1], byte);
  if (found === null) return;
  const b = found.raw.bytes();
  const mask = 0x80 >> (offset & 7);
  const old = b[byte] & mask;
  // Only a change counts (and is logged): a new key, a longer string or a flipped bit.
  if (found.grown || (old !== 0) !== (on === 1)) {
    b[byte] = on ? b[byte] | mask : b[byte] & ~mask;
    c.db.notify(NOTIFY_STRING, "setbit", args[1]);
    c.server.keyspace.dirty++;
  }
  c.out.int(old ? 1 : 0);
}

function getbit(c: Client, args: string[]): void {
  const offset = bitOffsetArg(c, args[2], false, 0);
  if (offset === null) return;
  const v = asString(c, c.db.lookupRead(args[1]));
  if (v === null) return;
  if (v === undefined) return c.out.int(0);
  const bit = byteAt(v, Math.floor(offset / 8)) & (0x80 >> (offset & 7));
  c.out.int(bit ? 1 : 0);
}

// --- BITCOUNT / BITPOS ----------------------------------------------------------------------

function bitcount(c: Client, args: string[]): void {
  const key = args[1];
  // Redis 7.0 looks the key up before it reads the range.
  const v = asString(c, c.db.lookupRead(key));
  if (v === null) return;
  if (v === undefined) return c.out.int(0);
  const n = args.length;
  const len = v.length;
  let start: number;
  let end: number;
  let firstMask = 0;
  let lastMask = 0;
  if (n === 4 || n === 5) {
    const s = int64Arg(c, args[2]);
    if (s === null) return;
    const e = int64Arg(c, args[3]);
    if (e === null) return;
    if (s < 0 && e < 0 && s > e) return c.out.int(0);
    let isBit = false;
    if (n === 5) {
      const unit = unitArg(c, args[4]);
      if (unit === null) return;
      isBit = unit;
    }
    const total = isBit ? len * 8 : len;
    // Past 2^53 a bound is rounded: only its side of the string matters.
    start = Number(s);
    end = Number(e);
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (isBit && start <= end) {
      // Bits of the edge bytes outside the range are counted, then taken off.
      firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
      lastMask = (1 << (7 - (end & 7))) - 1;
      start = Math.floor(start / 8);
      end = Math.floor(end / 8);
    }
  } else if (n === 2) {
    start = 0;
    end = len - 1;
  } else {
    return c.out.error(ERR_SYNTAX);
  }
  if (start > end) return c.out.int(0);
  const b = readBytes(c, key, v);
  let count = popcount(b, start, end + 1);
  if (firstMask !== 0) count -= POPCOUNT[b[start] & firstMask];
  if (lastMask !== 0) count -= POPCOUNT[b[end] & lastMask];
  c.out.int(count);
}

function bitpos(c: Client, args: string[]): void {
  const bitArg = int64Arg(c, args[2]);
  if (bitArg === null) return;
  if (bitArg !== 0 && bitArg !== 1) return c.out.error("ERR The bit argument must be 1 or 0.");
  const bit = bitArg;
  const key = args[1];
  const v = asString(c, c.db.lookupRead(key));
  if (v === null) return;
  // A missing key is an endless run of clear bits.
  if (v === undefined) return c.out.int(bit ? -1 : 0);
  const n = args.length;
  const len = v.length;
  let first: number;
  let last: number;
  let endGiven = false;
  if (n >= 4 && n <= 6) {
    const s = int64Arg(c, args[3]);
    if (s === null) return;
    let isBit = false;
    if (n === 6) {
      const unit = unitArg(c, args[5]);
      if (unit === null) return;
      isBit = unit;
    }
    let end: number;
    if (n >= 5) {
      const e = int64Arg(c, args[4]);
      if (e === null) return;
      end = Number(e);
      endGiven = true;
    } else {
      end = isBit ? len * 8 + 7 : len - 1;
    }
    const total = isBit ? len * 8 : len;
    let start = Number(s);
    if (start < 0) start += total;
    if (end < 0) end += total;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= total) end = total - 1;
    if (start > end) return c.out.int(-1);
    first = isBit ? start : start * 8;
    last = isBit ? end : end * 8 + 7;
  } else if (n === 3) {
    if (len === 0) return c.out.int(-1);
    first = 0;
    last = len * 8 - 1;
  } else {
    return c.out.error(ERR_SYNTAX);
  }
  const pos = findBit(readBytes(c, key, v), first, last, bit);
  // No clear bit up to the end of the string: without an explicit end, the
  // string continues with clear bits, the first right past its last byte.
  if (pos === -1 && bit === 0 && !endGiven) return c.out.int(Math.floor(last / 8) * 8 + 8);
  c.out.int(pos);
}

// --- BITOP ---------------------------------------------------------------------------------------

/** The bytes of a BITOP source (a copy for short strings: several are read at once). */
function sourceBytes(c: Client, key: string, v: StringValue): Uint8Array {
  const b = readBytes(c, key, v);
  return b.buffer === scratch.buffer ? b.slice() : b;
}

function bitop(c: Client, args: string[]): void {
  const op = cArg(args[1]).toUpperCase();
  if (op !== "AND" && op !== "OR" && op !== "XOR" && op !== "NOT") {
    return c.out.error(ERR_SYNTAX);
  }
  if (op === "NOT" && args.length !== 4) {
    return c.out.error("ERR BITOP NOT must be called with a single source key.");
  }
  const sources: Uint8Array[] = [];
  let maxLen = 0;
  for (let j = 3; j < args.length; j++) {
    const v = asString(c, c.db.lookupRead(args[j]));
    if (v === null) return;
    // A missing key reads as an empty string (zeros up to the longest source).
    const b = v === undefined ? new Uint8Array(0) : sourceBytes(c, args[j], v);
    sources.push(b);
    if (b.length > maxLen) maxLen = b.length;
  }
  const dest = args[2];
  if (maxLen === 0) {
    if (c.db.delete(dest)) {
      c.db.notify(NOTIFY_GENERIC, "del", dest);
      c.server.keyspace.dirty++;
    }
    return c.out.int(0);
  }
  let res: Uint8Array;
  try {
    res = new Uint8Array(maxLen);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return c.out.error(oomError(maxLen));
  }
  const first = sources[0];
  res.set(first);
  if (op === "NOT") {
    for (let i = 0; i < maxLen; i++) res[i] = ~res[i];
  } else {
    for (let k = 1; k < sources.length; k++) {
      const s = sources[k];
      const n = s.length;
      if (op === "AND") {
        for (let i = 0; i < n; i++) res[i] &= s[i];
        res.fill(0, n);
      } else if (op === "OR") {
        for (let i = 0; i < n; i++) res[i] |= s[i];
      } else {
        for (let i = 0; i < n; i++) res[i] ^= s[i];
      }
    }
  }
  // A new "raw" string, TTL dropped, whatever the destination held.
  c.db.set(dest, new RawString(res));
  c.db.notify(NOTIFY_STRING, "set", dest);
  c.server.keyspace.dirty++;
  c.out.int(maxLen);
}

// --- BITFIELD ------------------------------------------------------------------------------------

const WRAP = 0;
const SAT = 1;
const FAIL = 2;

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

/** One BITFIELD operation, parsed before any runs (as Redis does). */
interface FieldOp {
  opcode: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment. */
  value: number | bigint;
  overflow: number;
}

/** Redis's getBitfieldTypeFromArgument: [signed, bits], or null after replying. */
function fieldTypeArg(c: Client, arg: string): [boolean, number] | null {
  const kind = arg.charCodeAt(0);
  // The width is read as a C string: it ends at a NUL.
  const width = kind === 0x69 || kind === 0x75 ? parseInt64(cArg(arg.slice(1), Infinity)) : null;
  const signed = kind === 0x69;
  if (width === null || width < 1 || width > (signed ? 64 : 63)) {
    c.out.error(ERR_BITFIELD_TYPE);
    return null;
  }
  return [signed, Number(width)];
}

/** Unsigned value of `bits` bits (up to 32) at bit `offset` of `b`. */
function readSmall(b: Uint8Array, offset: number, bits: number): number {
  const byte = Math.floor(offset / 8);
  const shift = offset & 7;
  const n = (shift + bits + 7) >> 3;
  let acc = 0; // at most 40 bits: exact in a double
  for (let k = 0; k < n; k++) acc = acc * 256 + b[byte + k];
  return Math.floor(acc / 2 ** (n * 8 - shift - bits)) % 2 ** bits;
}

/** Writes unsigned `u` as `bits` bits (up to 32) at bit `offset` of `b`. */
function writeSmall(b: Uint8Array, offset: number, bits: number, u: number): void {
  const byte = Math.floor(offset / 8);
  const shift = offset & 7;
  const n = (shift + bits + 7) >> 3;
  let acc = 0;
  for (let k = 0; k < n; k++) acc = acc * 256 + b[byte + k];
  const low = 2 ** (n * 8 - shift - bits);
  acc += (u - Math.floor(acc / low) % 2 ** bits) * low;
  for (let k = n - 1; k >= 0; k--) {
    const x = acc % 256;
    b[byte + k] = x;
    acc = (acc - x) / 256;
  }
}

/** Unsigned value of `bits` bits (any width up to 64) at bit `offset` of `b`. */
function readBig(b: Uint8Array, offset: number, bits: number): bigint {
  const byte = Math.floor(offset / 8);
  const shift = offset & 7;
  const n = (shift + bits + 7) >> 3;
  let acc = 0n;
  for (let k = 0; k < n; k++) acc = (acc << 8n) | BigInt(b[byte + k]);
  return BigInt.asUintN(bits, acc >> BigInt(n * 8 - shift - bits));
}

/** Writes unsigned `u` as `bits` bits (any width up to 64) at bit `offset` of `b`. */
function writeBig(b: Uint8Array, offset: number, bits: number, u: bigint): void {
  const byte = Math.floor(offset / 8);
  const shift = offset & 7;
  const n = (shift + bits + 7) >> 3;
  let acc = 0n;
  for (let k = 0; k < n; k++) acc = (acc << 8n) | BigInt(b[byte + k]);
  const low = BigInt(n * 8 - shift - bits);
  const mask = ((1n << BigInt(bits)) - 1n) << low;
  acc = (acc & ~mask) | (u << low);
  for (let k = n - 1; k >= 0; k--) {
    b[byte + k] = Number(acc & 0xffn);
    acc >>= 8n;
  }
}

/** The field's value as the command replies it (signed or unsigned). */
function readField(b: Uint8Array, op: FieldOp, offset: number): number | bigint {
  if (op.bits <= 32) {
    const u = readSmall(b, offset, op.bits);
    return op.signed && u >= 2 ** (op.bits - 1) ? u - 2 ** op.bits : u;
  }
  const u = readBig(b, offset, op.bits);
  return op.signed ? BigInt.asIntN(op.bits, u) : u;
}

/** Nine bytes of a string from byte `byte` on, zero padded: room for any field GET reads there. */
const getWindow = new Uint8Array(9);

/** Fills getWindow from `src` (a missing key reads as zeros). */
function fillWindow(src: StringValue | undefined, byte: number): Uint8Array {
  const w = getWindow;
  w.fill(0);
  if (src instanceof RawString) {
    const b = src.bytes();
    for (let i = 0; i < 9 && byte + i < b.length; i++) w[i] = b[byte + i];
  } else if (src !== undefined) {
    for (let i = 0; i < 9; i++) w[i] = byteAt(src, byte + i);
  }
  return w;
}

/**
 * The outcome of a SET or INCRBY on a field: the value to write (when not
 * null) and the one to reply.
 */
interface FieldResult {
  write: number | bigint | null;
  reply: number | bigint;
}

/**
 * SET/INCRBY's new value with Redis's overflow rules. Widths up to 32 bits
 * with safe operands use numbers (plain arithmetic gives Redis's answer
 * there); the rest follows Redis's 64-bit arithmetic, wrap-arounds included.
 */
function fieldUpdate(op: FieldOp, old: number | bigint): FieldResult {
  const { bits, value, overflow } = op;
  const incr = op.opcode === OP_INCRBY;
  if (typeof old === "number" && typeof value === "number" && Math.abs(value) <= 2 ** 52) {
    const range = 2 ** bits;
    const min = op.signed ? -(range / 2) : 0;
    const max = op.signed ? range / 2 - 1 : range - 1;
    // An unsigned SET of a negative value is a huge uint64: above the maximum.
    const target = incr ? old + value : value;
    const above = target > max || (!op.signed && !incr && value < 0);
    const below = !above && target < min;
    let next = target;
    if (above || below) {
      if (overflow === FAIL) return { write: null, reply: 0 };
      if (overflow === SAT) next = above ? max : min;
      else {
        next = ((target % range) + range) % range;
        if (op.signed && next > max) next -= range;
      }
    }
    return { write: next, reply: incr ? next : old };
  }
  const o = BigInt(old);
  const v = BigInt(value);
  const b = BigInt(bits);
  let over = 0;
  let next: bigint;
  let limit: bigint;
  if (op.signed) {
    const max = bits === 64 ? (1n << 63n) - 1n : (1n << (b - 1n)) - 1n;
    const min = -max - 1n;
    // Redis checks `value` (the old value for INCRBY, the new one for SET) against
    // `incr` (0 for SET) with differences that wrap at 64 bits.
    const x = incr ? o : v;
    const d = incr ? v : 0n;
    const maxIncr = BigInt.asIntN(64, max - x);
    const minIncr = BigInt.asIntN(64, min - x);
    if (x > max || (bits !== 64 && d > maxIncr) || (x >= 0n && d > 0n && d > maxIncr)) {
      over = 1;
    } else if (x < min || (bits !== 64 && d < minIncr) || (x < 0n && d < 0n && d < minIncr)) {
      over = -1;
    }
    next = BigInt.asIntN(64, x + d);
    limit = overflow === SAT ? (over > 0 ? max : min) : BigInt.asIntN(bits, next);
  } else {
    const max = (1n << b) - 1n;
    const x = incr ? o : BigInt.asUintN(64, v);
    const d = incr ? v : 0n;
    const maxIncr = BigInt.asIntN(64, max - x);
    const minIncr = BigInt.asIntN(64, -x);
    if (x > max || (d > 0n && d > maxIncr)) over = 1;
    else if (d < 0n && d < minIncr) over = -1;
    next = BigInt.asUintN(64, x + d);
    limit = overflow === SAT ? (over > 0 ? max : 0n) : BigInt.asUintN(bits, next);
  }
  if (over !== 0) {
    if (overflow === FAIL) return { write: null, reply: 0 };
    next = limit;
  }
  return { write: next, reply: incr ? next : old };
}

/** BITFIELD and BITFIELD_RO (`readOnly`: GET only). */
function bitfieldGeneric(c: Client, args: string[], readOnly: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = WRAP;
  let writes = false;
  let highest = 0;
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const name = cArg(args[j]).toUpperCase();
    let opcode: number;
    if (name === "GET" && left >= 2) opcode = OP_GET;
    else if (name === "SET" && left >= 3) opcode = OP_SET;
    else if (name === "INCRBY" && left >= 3) opcode = OP_INCRBY;
    else if (name === "OVERFLOW" && left >= 1) {
      const kind = cArg(args[++j]).toUpperCase();
      if (kind === "WRAP") overflow = WRAP;
      else if (kind === "SAT") overflow = SAT;
      else if (kind === "FAIL") overflow = FAIL;
      else return c.out.error("ERR Invalid OVERFLOW type specified");
      continue;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
    const type = fieldTypeArg(c, args[j + 1]);
    if (type === null) return;
    const [signed, bits] = type;
    const offset = bitOffsetArg(c, args[j + 2], true, bits);
    if (offset === null) return;
    let value: number | bigint = 0;
    if (opcode !== OP_GET) {
      writes = true;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      const v = int64Arg(c, args[j + 3]);
      if (v === null) return;
      value = v;
    }
    ops.push({ opcode, signed, bits, offset, value, overflow });
    j += opcode === OP_GET ? 2 : 3;
  }

  const key = args[1];
  let src: StringValue | undefined;
  let bytes: Uint8Array | null = null;
  let grown = false;
  if (!writes) {
    const v = asString(c, c.db.lookupRead(key));
    if (v === null) return;
    src = v;
  } else {
    if (readOnly) return c.out.error("ERR BITFIELD_RO only supports the GET subcommand");
    const found = bitmapForWrite(c, key, Math.floor(highest / 8));
    if (found === null) return;
    src = found.raw;
    bytes = found.raw.bytes();
    grown = found.grown;
  }

  let changes = 0;
  c.out.array(ops.length);
  for (const op of ops) {
    if (op.opcode === OP_GET) {
      // Read through a zero-padded copy: fields may run past the string's end.
      const window = fillWindow(src, Math.floor(op.offset / 8));
      c.out.int(readField(window, op, op.offset & 7));
      continue;
    }
    const b = bytes!;
    const old = readField(b, op, op.offset);
    const result = fieldUpdate(op, old);
    if (result.write === null) {
      c.out.nullBulk();
      continue;
    }
    c.out.int(result.reply);
    const next = result.write;
    if (op.bits <= 32) {
      const n = Number(next);
      writeSmall(b, op.offset, op.bits, n < 0 ? n + 2 ** op.bits : n);
    } else {
      writeBig(b, op.offset, op.bits, BigInt.asUintN(op.bits, BigInt(next)));
    }
    // A write counts when it made the string or changed the field.
    if (grown || (typeof old === typeof next ? old !== next : BigInt(old) !== BigInt(next))) {
      changes++;
    }
  }
  if (changes) {
    // One event for all the fields it changed.
    c.db.notify(NOTIFY_STRING, "setbit", key);
    c.server.keyspace.dirty += changes;
  }
}

function bitfield(c: Client, args: string[]): void {
  bitfieldGeneric(c, args, false);
}

function bitfieldRo(c: Client, args: string[]): void {
  bitfieldGeneric(c, args, true);
}

// --- table -------------------------------------------------------------------------------------------

const BITMAP = "bitmap";

/** Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD. */
export const bitmapCommands: CommandSpec[] = [
  defineCommand({
    name: "setbit",
    arity: 4,
    flags: "write denyoom",
    keys: [1, 1, 1],
    keySpecs: [keyAt(1, "RW", "access", "update")],
    group: BITMAP,
    since: "2.2.0",
    summary: "Sets or clears the bit at offset in the string value stored at key",
    complexity: "O(1)",
    syntax: "key offset value",
    args: "key.key#0 offset.integer value.integer",
    handler: setbit,
  }),
  defineCommand({
    name: "getbit",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    keySpecs: [keyAt(1, "RO", "access")],
    group: BITMAP,
    since: "2.2.0",
    summary: "Returns the bit value at offset in the string value stored at key",
    complexity: "O(1)",
    syntax: "key offset",
    handler: getbit,
  }),
  defineCommand({
    name: "bitcount",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    keySpecs: [keyAt(1, "RO", "access")],
    group: BITMAP,
    since: "2.6.0",
    summary: "Count set bits in a string",
    complexity: "O(N)",
    syntax: "key [start end [BYTE | BIT]]",
    history: [["7.0.0", "Added the `BYTE|BIT` option."]],
    args: "key.key#0 index.block?(start.integer end.integer index_unit.oneof@7.0.0?(byte'BYTE' " +
      "bit'BIT'))",
    handler: bitcount,
  }),
  defineCommand({
    name: "bitpos",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    keySpecs: [keyAt(1, "RO", "access")],
    group: BITMAP,
    since: "2.8.7",
    summary: "Find first bit set or clear in a string",
    complexity: "O(N)",
    syntax: "key bit [start [end [BYTE | BIT]]]",
    history: [["7.0.0", "Added the `BYTE|BIT` option."]],
    args: "key.key#0 bit.integer index.block?(start.integer end_index.block?(end.integer " +
      "index_unit.oneof@7.0.0?(byte'BYTE' bit'BIT')))",
    handler: bitpos,
  }),
  defineCommand({
    name: "bitop",
    arity: -4,
    flags: "write denyoom",
    keys: [2, -1, 1],
    keySpecs: [
      keyAt(2, "OW", "update"),
      {
        flags: ["RO", "access"],
        index: 3,
        find: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
      },
    ],
    group: BITMAP,
    since: "2.6.0",
    summary: "Perform bitwise operations between strings",
    complexity: "O(N)",
    syntax: "operation destkey key [key ...]",
    handler: bitop,
  }),
  defineCommand({
    name: "bitfield",
    arity: -2,
    flags: "write denyoom",
    keys: [1, 1, 1],
    keySpecs: [
      "RW access update variable_flags @1 # This command allows both access and modification of the key",
    ],
    getKeysAndFlags: bitfieldKeysAndFlags,
    group: BITMAP,
    since: "3.2.0",
    summary: "Perform arbitrary bitfield integer operations on strings",
    complexity: "O(1) for each subcommand specified",
    syntax: "key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] " +
      "<SET encoding offset value | INCRBY encoding offset increment> " +
      "[GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] " +
      "<SET encoding offset value | INCRBY encoding offset increment> ...]]",
    args: "key.key#0 operation.oneof?*(encoding_offset'GET'.block(encoding offset.integer) " +
      "write.block(wrap_sat_fail'OVERFLOW'.oneof?(wrap'WRAP' sat'SAT' fail'FAIL') " +
      "write_operation.oneof(encoding_offset_value'SET'.block(encoding offset.integer " +
      "value.integer) encoding_offset_increment'INCRBY'.block(encoding offset.integer " +
      "increment.integer))))",
    handler: bitfield,
  }),
  defineCommand({
    name: "bitfield_ro",
    arity: -2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    keySpecs: [keyAt(1, "RO", "access")],
    group: BITMAP,
    since: "6.0.0",
    summary:
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    complexity: "O(1) for each subcommand specified",
    syntax: "key [GET encoding offset [GET encoding offset ...]]",
    args: "key.key#0 encoding_offset'GET'.block?*+(encoding offset.integer)",
    handler: bitfieldRo,
  }),
];
