/**
 * Redis's ziplist (ziplist.c), read only: RDB files written before Redis
 * 7.0 hold lists (LIST_ZIPLIST, LIST_QUICKLIST nodes), sorted sets
 * (ZSET_ZIPLIST) and hashes (HASH_ZIPLIST) as ziplists; 7.0 converts them to
 * listpacks on load and never writes one.
 *
 * Layout: u32 total bytes, u32 offset of the last entry, u16 entry count
 * (65535 = "count them"), the entries, then 0xff; all little-endian. An
 * entry is the previous entry's size (1 byte, or 0xfe and a u32), its
 * encoding, and its payload.
 */
import { bytesToStr } from "../resp/bytes.ts";

/** Header (10 bytes) plus end marker of an empty ziplist. */
const ZIPLIST_EMPTY_SIZE = 11;

/**
 * Decodes a ziplist into its items (integers as decimal strings). Throws,
 * naming the byte within the ziplist, on anything Redis's
 * ziplistValidateIntegrity rejects: total length, tail offset, entries past
 * the end, previous-entry sizes that do not match, bad encodings, count.
 */
export function decodeZiplist(zl: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid ziplist (${what} at ziplist byte ${at})`);
  };
  if (zl.length < ZIPLIST_EMPTY_SIZE) bad("too short", 0);
  const dv = new DataView(zl.buffer, zl.byteOffset, zl.byteLength);
  if (dv.getUint32(0, true) !== zl.length) bad("total length mismatch", 0);
  const tail = dv.getUint32(4, true);
  const count = dv.getUint16(8, true);
  const items: string[] = [];
  let p = 10;
  let prevSize = 0;
  let last = 10;
  const end = zl.length - 1;
  while (p < end && zl[p] !== 0xff) {
    const start = p;
    const need = (n: number): void => {
      if (p + n > end) bad("entry past the end", start);
    };
    let prev: number;
    if (zl[p] < 254) {
      prev = zl[p];
      p += 1;
    } else {
      need(5);
      prev = dv.getUint32(p + 1, true);
      p += 5;
    }
    if (prev !== prevSize) bad("previous entry size mismatch", start);
    need(1);
    const b = zl[p];
    let item: string;
    switch (b >> 6) {
      case 0: {
        const n = b & 0x3f;
        need(1 + n);
        item = bytesToStr(zl, p + 1, p + 1 + n);
        p += 1 + n;
        break;
      }
      case 1: {
        need(2);
        const n = ((b & 0x3f) << 8) | zl[p + 1];
        need(2 + n);
        item = bytesToStr(zl, p + 2, p + 2 + n);
        p += 2 + n;
        break;
      }
      case 2: {
        need(5);
        const n = dv.getUint32(p + 1, false);
        need(5 + n);
        item = bytesToStr(zl, p + 5, p + 5 + n);
        p += 5 + n;
        break;
      }
      default: {
        if (b === 0xc0) {
          need(3);
          item = String(dv.getInt16(p + 1, true));
          p += 3;
        } else if (b === 0xd0) {
          need(5);
          item = String(dv.getInt32(p + 1, true));
          p += 5;
        } else if (b === 0xe0) {
          need(9);
          item = String(dv.getBigInt64(p + 1, true));
          p += 9;
        } else if (b === 0xf0) {
          need(4);
          let u = zl[p + 1] | (zl[p + 2] << 8) | (zl[p + 3] << 16);
          if (u >= 0x800000) u -= 0x1000000;
          item = String(u);
          p += 4;
        } else if (b === 0xfe) {
          need(2);
          item = String((zl[p + 1] << 24) >> 24);
          p += 2;
        } else if (b >= 0xf1 && b <= 0xfd) {
          // 4-bit immediate: 0001..1101 stand for 0..12.
          item = String((b & 0x0f) - 1);
          p += 1;
        } else {
          return bad(`bad entry encoding 0x${b.toString(16)}`, p);
        }
      }
    }
    last = start;
    prevSize = p - start;
    items.push(item);
  }
  if (p !== end || zl[end] !== 0xff) bad("missing end marker", p);
  if (tail !== last) bad("tail offset mismatch", 4);
  if (count !== 65535 && count !== items.length) bad("element count mismatch", 8);
  return items;
}
