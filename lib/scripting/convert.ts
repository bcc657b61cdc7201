/**
 * Conversions between RESP and lua-redis-wasm's ReplyValue, on the Worker
 * side: a command's reply (RESP bytes in the script's protocol) into the
 * value Lua receives, and a script's result into RESP for the caller, by
 * Redis 7.0's rules (script_lua.c's redisProtocolToLuaType and
 * luaReplyToRedisReply). The engine always runs in its RESP3 mode so that
 * nothing is lost; the script's own protocol (redis.setresp) is applied here.
 */
import { Buffer } from "node:buffer";
import { ReplyWriter } from "../resp/encoder.ts";

/** lua-redis-wasm's value shapes (its types.d.ts, restated to keep the import lazy). */
export type ReplyValue =
  | null
  | number
  | bigint
  | boolean
  | Uint8Array
  | { ok: Uint8Array }
  | { err: Uint8Array; code?: Uint8Array; meta?: ErrorMeta }
  | { double: number }
  | { big_number: Uint8Array }
  | { verbatim_string: { format: Uint8Array; string: Uint8Array } }
  | { map: [ReplyValue, ReplyValue][] }
  | { set: ReplyValue[] }
  | ReplyValue[];

/** What the engine tells about an error that ended a script. */
export interface ErrorMeta {
  kind?: string;
  name?: string;
  line: number;
  sha: string;
}

const CR = 13;

/**
 * Parses one RESP reply (as our ReplyWriter wrote it in protocol `resp`)
 * into the value redis.call returns to Lua. RESP2 nulls become false, RESP3
 * nulls nil, as Redis converts them.
 */
export function parseReply(buf: Uint8Array, resp: 2 | 3): ReplyValue {
  const p = { at: 0 };
  return parseOne(buf, p, resp);
}

function line(buf: Uint8Array, p: { at: number }): string {
  const start = p.at + 1;
  let i = start;
  while (buf[i] !== CR) i++;
  p.at = i + 2;
  let s = "";
  for (let j = start; j < i; j++) s += String.fromCharCode(buf[j]);
  return s;
}

function lineBytes(buf: Uint8Array, p: { at: number }): Uint8Array {
  const start = p.at + 1;
  let i = start;
  while (buf[i] !== CR) i++;
  p.at = i + 2;
  return Buffer.from(buf.subarray(start, i));
}

function parseOne(buf: Uint8Array, p: { at: number }, resp: 2 | 3): ReplyValue {
  const t = buf[p.at];
  switch (t) {
    case 0x24: { // $ bulk
      const n = Number(line(buf, p));
      if (n < 0) return resp === 2 ? false : null;
      const v = Buffer.from(buf.subarray(p.at, p.at + n));
      p.at += n + 2;
      return v;
    }
    case 0x3a: { // : integer
      const s = line(buf, p);
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : BigInt(s);
    }
    case 0x2b: // + status
      return { ok: lineBytes(buf, p) };
    case 0x2d: // - error
      return { err: lineBytes(buf, p) };
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: { // > push
      const n = Number(line(buf, p));
      if (n < 0) return resp === 2 ? false : null;
      const items: ReplyValue[] = new Array(n);
      for (let i = 0; i < n; i++) items[i] = parseOne(buf, p, resp);
      return t === 0x7e ? { set: items } : items;
    }
    case 0x25: { // % map
      const n = Number(line(buf, p));
      const pairs: [ReplyValue, ReplyValue][] = new Array(n);
      for (let i = 0; i < n; i++) {
        const k = parseOne(buf, p, resp);
        pairs[i] = [k, parseOne(buf, p, resp)];
      }
      return { map: pairs };
    }
    case 0x5f: // _ null
      p.at += 3;
      return resp === 2 ? false : null;
    case 0x23: { // # boolean
      const b = buf[p.at + 1] === 0x74;
      p.at += 4;
      return b;
    }
    case 0x2c: { // , double
      const s = line(buf, p);
      return { double: s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s) };
    }
    case 0x28: // ( big number
      return { big_number: lineBytes(buf, p) };
    case 0x3d: { // = verbatim
      const n = Number(line(buf, p));
      const body = buf.subarray(p.at, p.at + n);
      p.at += n + 2;
      return {
        verbatim_string: {
          format: Buffer.from(body.subarray(0, 3)),
          string: Buffer.from(body.subarray(4)),
        },
      };
    }
    default:
      throw new Error(`unexpected reply byte ${t}`);
  }
}

const latin1 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");

/** An error value's text as the script held it ("CODE message"). */
export function errorText(v: { err: Uint8Array; code?: Uint8Array }): string {
  const msg = latin1(v.err);
  return v.code !== undefined ? `${latin1(v.code)} ${msg}` : msg;
}

const INT64_MIN = -9223372036854775808n;

/**
 * Writes a script's result (or a part of it) as Redis's luaReplyToRedisReply
 * does: `scriptResp` is the script's redis.setresp protocol, `out.resp` the
 * caller's.
 */
export function writeResult(out: ReplyWriter, v: ReplyValue, scriptResp: 2 | 3): void {
  if (v === null) return out.nullBulk();
  switch (typeof v) {
    case "number":
      return out.int(v);
    case "bigint":
      // The engine saturates numbers beyond int64; Redis's cast gives INT64_MIN.
      return out.int(v === 9223372036854775807n ? INT64_MIN : v);
    case "boolean":
      if (scriptResp === 2) return v ? out.int(1) : out.nullBulk();
      return out.bool(v);
  }
  if (v instanceof Uint8Array) return out.bulkBytes(v);
  if (Array.isArray(v)) {
    out.array(v.length);
    for (const x of v) writeResult(out, x, scriptResp);
    return;
  }
  if ("err" in v) return out.error(errorText(v));
  if ("ok" in v) return out.simple(latin1(v.ok).replace(/[\r\n]/g, " "));
  if ("double" in v) return out.double(v.double);
  if ("big_number" in v) {
    const s = latin1(v.big_number).replace(/[\r\n]/g, " ");
    if (out.resp === 2) return out.bulk(s);
    out.str(`(${s}\r\n`);
    return;
  }
  if ("verbatim_string" in v) {
    const s = latin1(v.verbatim_string.string);
    return out.verbatim(s, latin1(v.verbatim_string.format));
  }
  if ("map" in v) {
    out.map(v.map.length);
    for (const [k, x] of v.map) {
      writeResult(out, k, scriptResp);
      writeResult(out, x, scriptResp);
    }
    return;
  }
  if ("set" in v) {
    out.set(v.set.length);
    for (const x of v.set) writeResult(out, x, scriptResp);
    return;
  }
  out.nullBulk();
}

/** A value for FUNCTION LOAD's caller: Buffers as binary strings, the rest as is. */
export function plainValue(v: ReplyValue): unknown {
  if (v instanceof Uint8Array) return latin1(v);
  if (Array.isArray(v)) return v.map(plainValue);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      o[k] = x instanceof Uint8Array || Array.isArray(x) || (x !== null && typeof x === "object")
        ? plainValue(x as ReplyValue)
        : x;
    }
    return o;
  }
  return v;
}

/**
 * A growable buffer of lua-redis-wasm's reply wire format ([type u8][count
 * or length u32le][payload]), as its encodeReplyValue writes it.
 */
export class WireWriter {
  buf = new Uint8Array(4096);
  dv = new DataView(this.buf.buffer);
  len = 0;

  /** Makes room for n more bytes. */
  need(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** A type tag and its count or length. */
  header(type: number, n: number): void {
    this.need(5);
    this.buf[this.len] = type;
    this.dv.setUint32(this.len + 1, n, true);
    this.len += 5;
  }

  /** A type tag with a byte payload. */
  bytes(type: number, b: Uint8Array): void {
    this.header(type, b.length);
    this.need(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

const W_NULL = 0x00;
const W_INT = 0x01;
const W_BULK = 0x02;
const W_ARRAY = 0x03;
const W_STATUS = 0x04;
const W_ERROR = 0x05;
const W_BOOL = 0x07;
const W_DOUBLE = 0x08;
const W_MAP = 0x09;
const W_SET = 0x0a;
const W_BIG_NUMBER = 0x0b;
const W_VERBATIM = 0x0c;

/**
 * Converts a RESP reply straight into the engine's wire format: the bytes
 * encodeReplyValue(parseReply(buf, resp)) gives, without the Buffers in
 * between (each costs ~1 µs in Deno; a redis.call made several).
 */
export function respToWire(buf: Uint8Array, resp: 2 | 3, w: WireWriter): void {
  const p = { at: 0 };
  wireOne(buf, p, resp, w);
}

/** A RESP2 null is false for Lua, a RESP3 null is nil (as parseReply). */
function wireNull(w: WireWriter, resp: 2 | 3): void {
  if (resp === 2) {
    w.header(W_BOOL, 1);
    w.need(1);
    w.buf[w.len++] = 0;
  } else {
    w.header(W_NULL, 0);
  }
}

function lineEnd(buf: Uint8Array, p: { at: number }): number {
  let i = p.at + 1;
  while (buf[i] !== CR) i++;
  return i;
}

function wireOne(buf: Uint8Array, p: { at: number }, resp: 2 | 3, w: WireWriter): void {
  const t = buf[p.at];
  switch (t) {
    case 0x24: { // $ bulk
      const n = Number(line(buf, p));
      if (n < 0) return wireNull(w, resp);
      w.bytes(W_BULK, buf.subarray(p.at, p.at + n));
      p.at += n + 2;
      return;
    }
    case 0x3a: { // : integer
      const s = line(buf, p);
      w.header(W_INT, 8);
      w.need(8);
      w.dv.setBigInt64(w.len, BigInt(s), true);
      w.len += 8;
      return;
    }
    case 0x2b: // + status
    case 0x2d: // - error
    case 0x28: { // ( big number
      const end = lineEnd(buf, p);
      w.bytes(
        t === 0x2b ? W_STATUS : t === 0x2d ? W_ERROR : W_BIG_NUMBER,
        buf.subarray(p.at + 1, end),
      );
      p.at = end + 2;
      return;
    }
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: { // > push
      const n = Number(line(buf, p));
      if (n < 0) return wireNull(w, resp);
      w.header(t === 0x7e ? W_SET : W_ARRAY, n);
      for (let i = 0; i < n; i++) wireOne(buf, p, resp, w);
      return;
    }
    case 0x25: { // % map
      const n = Number(line(buf, p));
      w.header(W_MAP, n);
      for (let i = 0; i < 2 * n; i++) wireOne(buf, p, resp, w);
      return;
    }
    case 0x5f: // _ null
      p.at += 3;
      return wireNull(w, resp);
    case 0x23: { // # boolean
      const b = buf[p.at + 1] === 0x74;
      p.at += 4;
      w.header(W_BOOL, 1);
      w.need(1);
      w.buf[w.len++] = b ? 1 : 0;
      return;
    }
    case 0x2c: { // , double
      const s = line(buf, p);
      w.header(W_DOUBLE, 8);
      w.need(8);
      w.dv.setFloat64(w.len, s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s), true);
      w.len += 8;
      return;
    }
    case 0x3d: { // = verbatim: [format length u32][format][string]
      const n = Number(line(buf, p));
      const body = buf.subarray(p.at, p.at + n);
      p.at += n + 2;
      const format = body.subarray(0, 3);
      const string = body.subarray(4);
      w.header(W_VERBATIM, 4 + format.length + string.length);
      w.need(4);
      w.dv.setUint32(w.len, format.length, true);
      w.len += 4;
      w.need(format.length + string.length);
      w.buf.set(format, w.len);
      w.buf.set(string, w.len + format.length);
      w.len += format.length + string.length;
      return;
    }
    default:
      throw new Error(`unexpected reply byte ${t}`);
  }
}
