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
