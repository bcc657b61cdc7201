/**
 * Redis's listpack (listpack.c): the packed blob that RDB saves for small
 * hashes, zsets and each quicklist node of a list.
 *
 * Layout: u32 total bytes, u16 element count (65535 = "count them"), the
 * entries, then 0xff. An entry is its encoding byte(s), the payload, and a
 * back-length (the size of the two before it, 7 bits a byte, readable from
 * the end). Strings that Redis's string2ll accepts are stored as integers.
 */
import { backlenSize, elementBytes, putElement } from "../util/listpack_element.ts";
import { bytesToStr } from "../resp/bytes.ts";

/** Header (6 bytes) plus end marker of an empty listpack. */
export const LISTPACK_EMPTY_SIZE = 7;

/** Bytes `s` adds to a listpack (encoding, payload and back-length). */
export function listpackEntryBytes(s: string): number {
  return elementBytes(s);
}

/** Encodes `items` (binary strings) as a listpack, as Redis 7.0 does. */
export function encodeListpack(items: readonly string[]): Uint8Array {
  let total = LISTPACK_EMPTY_SIZE;
  for (const s of items) total += elementBytes(s);
  const lp = new Uint8Array(total);
  const dv = new DataView(lp.buffer);
  dv.setUint32(0, total, true);
  dv.setUint16(4, Math.min(items.length, 65535), true);
  let p = 6;
  for (const s of items) p = putElement(lp, p, s);
  lp[p++] = 0xff;
  if (p !== total) throw new Error(`listpack: size mismatch ${p} != ${total}`);
  return lp;
}

/**
 * Decodes a listpack into its items (integers as decimal strings). Throws,
 * naming the byte within the listpack, on anything Redis's
 * lpValidateIntegrity would reject: total length, entry bounds, bad
 * encodings, back-lengths that do not match, element count, end marker.
 */
export function decodeListpack(lp: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid listpack (${what} at listpack byte ${at})`);
  };
  if (lp.length < LISTPACK_EMPTY_SIZE) bad("too short", 0);
  const dv = new DataView(lp.buffer, lp.byteOffset, lp.byteLength);
  if (dv.getUint32(0, true) !== lp.length) bad("total length mismatch", 0);
  const count = dv.getUint16(4, true);
  const items: string[] = [];
  let p = 6;
  const end = lp.length - 1;
  while (p < end) {
    const start = p;
    const b = lp[p];
    let item: string;
    const need = (n: number): void => {
      if (p + n > end) bad("entry past the end", start);
    };
    if (b < 0x80) {
      item = String(b);
      p += 1;
    } else if ((b & 0xc0) === 0x80) {
      const n = b & 0x3f;
      need(1 + n);
      item = bytesToStr(lp, p + 1, p + 1 + n);
      p += 1 + n;
    } else if ((b & 0xe0) === 0xc0) {
      need(2);
      let u = ((b & 0x1f) << 8) | lp[p + 1];
      if (u >= 4096) u -= 8192;
      item = String(u);
      p += 2;
    } else if ((b & 0xf0) === 0xe0) {
      need(2);
      const n = ((b & 0x0f) << 8) | lp[p + 1];
      need(2 + n);
      item = bytesToStr(lp, p + 2, p + 2 + n);
      p += 2 + n;
    } else if (b === 0xf0) {
      need(5);
      const n = dv.getUint32(p + 1, true);
      need(5 + n);
      item = bytesToStr(lp, p + 5, p + 5 + n);
      p += 5 + n;
    } else if (b === 0xf1) {
      need(3);
      item = String(dv.getInt16(p + 1, true));
      p += 3;
    } else if (b === 0xf2) {
      need(4);
      let u = lp[p + 1] | (lp[p + 2] << 8) | (lp[p + 3] << 16);
      if (u >= 0x800000) u -= 0x1000000;
      item = String(u);
      p += 4;
    } else if (b === 0xf3) {
      need(5);
      item = String(dv.getInt32(p + 1, true));
      p += 5;
    } else if (b === 0xf4) {
      need(9);
      item = String(dv.getBigInt64(p + 1, true));
      p += 9;
    } else {
      return bad(`bad entry encoding 0x${b.toString(16)}`, start);
    }
    const l = p - start;
    const k = backlenSize(l);
    if (p + k > end) bad("back-length past the end", start);
    let back = 0;
    for (let j = 0; j < k; j++) {
      // Only the first (most significant) byte has its top bit clear: Redis
      // reads the length backwards until that byte, so another pattern is
      // a different length.
      if ((lp[p + j] & 128) !== (j === 0 ? 0 : 128)) bad("back-length does not match the entry", p);
      back = back * 128 + (lp[p + j] & 127);
    }
    if (back !== l) bad("back-length does not match the entry", p);
    p += k;
    items.push(item);
  }
  if (p !== end || lp[end] !== 0xff) bad("missing end marker", p);
  if (count !== 65535 && count !== items.length) bad("element count mismatch", 4);
  return items;
}
