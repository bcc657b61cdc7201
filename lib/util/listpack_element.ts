/**
 * One element of Redis's listpack (listpack.c), written into a byte buffer:
 * its encoding byte(s), the payload, and the back-length (the size of the
 * two before it, 7 bits a byte, readable from the end). Strings that Redis's
 * string2ll accepts are stored as integers. Shared by the RDB codec's
 * listpacks (lib/persistence/listpack.ts) and the stream store's nodes.
 */
import { parseInt64 } from "./int64.ts";

/** Bytes of the back-length of an element whose encoding and payload take `l` bytes. */
export function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/**
 * The integer a listpack stores `s` as (a bigint only past 2^53), or null
 * when it stays a string.
 */
export function listpackInt(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  const c = s.charCodeAt(0);
  // Most values are not numbers: reject them without parsing.
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return null;
  return parseInt64(s);
}

/** Bytes of the encoding and payload of integer v. */
function intLen(v: number | bigint): number {
  if (typeof v === "bigint") return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

/** Bytes of the encoding and payload of a string of n bytes. */
function strLen(n: number): number {
  return n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
}

/** Bytes the element for integer v takes, back-length included. */
export function intElementBytes(v: number | bigint): number {
  const l = intLen(v);
  return l + backlenSize(l);
}

/** Bytes the element for `s` takes, back-length included. */
export function elementBytes(s: string): number {
  const v = listpackInt(s);
  const l = v !== null ? intLen(v) : strLen(s.length);
  return l + backlenSize(l);
}

/**
 * Writes the back-length of an element of `l` bytes at p: most significant
 * 7 bits first, every byte but the first with its top bit set (so that it
 * reads backwards from the next element). Returns the offset after it.
 */
function putBacklen(buf: Uint8Array, p: number, l: number): number {
  const k = backlenSize(l);
  for (let j = 0; j < k; j++) {
    const bits = Math.floor(l / 2 ** (7 * (k - 1 - j))) & 127;
    buf[p++] = j === 0 ? bits : bits | 128;
  }
  return p;
}

const i64View = new DataView(new ArrayBuffer(8));

/** Writes integer v as an element at p (intElementBytes(v) bytes); returns the offset after it. */
export function putIntElement(buf: Uint8Array, p: number, v: number | bigint): number {
  const start = p;
  if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    i64View.setBigInt64(0, BigInt(v), true);
    buf[p++] = 0xf4;
    for (let i = 0; i < 8; i++) buf[p++] = i64View.getUint8(i);
  } else if (v >= 0 && v <= 127) {
    buf[p++] = v;
  } else if (v >= -4096 && v <= 4095) {
    const u = v < 0 ? v + 8192 : v;
    buf[p++] = 0xc0 | (u >> 8);
    buf[p++] = u & 0xff;
  } else if (v >= -32768 && v <= 32767) {
    buf[p++] = 0xf1;
    buf[p++] = v & 0xff;
    buf[p++] = (v >> 8) & 0xff;
  } else if (v >= -8388608 && v <= 8388607) {
    const u = v < 0 ? v + 16777216 : v;
    buf[p++] = 0xf2;
    buf[p++] = u & 0xff;
    buf[p++] = (u >> 8) & 0xff;
    buf[p++] = (u >> 16) & 0xff;
  } else {
    buf[p++] = 0xf3;
    buf[p++] = v & 0xff;
    buf[p++] = (v >> 8) & 0xff;
    buf[p++] = (v >> 16) & 0xff;
    buf[p++] = (v >>> 24) & 0xff;
  }
  return putBacklen(buf, p, p - start);
}

/** Writes `s` (a binary string) as an element at p (elementBytes(s) bytes); returns the offset after it. */
export function putElement(buf: Uint8Array, p: number, s: string): number {
  const v = listpackInt(s);
  if (v !== null) return putIntElement(buf, p, v);
  const start = p;
  const n = s.length;
  if (n < 64) {
    buf[p++] = 0x80 | n;
  } else if (n < 4096) {
    buf[p++] = 0xe0 | (n >> 8);
    buf[p++] = n & 0xff;
  } else {
    buf[p++] = 0xf0;
    buf[p++] = n & 0xff;
    buf[p++] = (n >> 8) & 0xff;
    buf[p++] = (n >> 16) & 0xff;
    buf[p++] = (n >>> 24) & 0xff;
  }
  for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
  return putBacklen(buf, p, p - start);
}
