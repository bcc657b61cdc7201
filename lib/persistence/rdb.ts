/**
 * The RDB snapshot codec (format version 10, as Redis 7.0 writes it).
 *
 * Writing: rdbChunks yields the file in pieces (so a caller can spread the
 * work over time); encodeRdb joins them. Strings use the integer and LZF
 * encodings as Redis does, listpack-encoded hashes are saved as a real
 * listpack blob (RDB_TYPE_HASH_LISTPACK), other hashes as RDB_TYPE_HASH.
 *
 * Reading: readRdb parses a whole file (strings and hashes in every encoding
 * Redis has used for them), verifies the checksum, and only then stores the
 * keys: an error leaves the keyspace untouched. Errors name the offset.
 */
import { parseInt64 } from "../commands/args.ts";
import { bytesToStr } from "../resp/bytes.ts";
import { type HashLimits, HashValue } from "../store/hash.ts";
import {
  type Db,
  type FrozenKeyspace,
  type Keyspace,
  lfuMinutes,
  lruClock,
  type Value,
} from "../store/keyspace.ts";
import { stringOf } from "../store/strings.ts";
import { Crc64 } from "./crc64.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";
import { ByteBuffer, concatBytes } from "../util/bytebuf.ts";

export const RDB_VERSION = 10;

// Value types.
const TYPE_STRING = 0;
const TYPE_HASH = 4;
const TYPE_HASH_ZIPMAP = 9;
const TYPE_HASH_ZIPLIST = 13;
const TYPE_HASH_LISTPACK = 16;

const TYPE_NAMES: Record<number, string> = {
  1: "list",
  2: "set",
  3: "zset",
  5: "zset",
  6: "module",
  7: "module",
  10: "list (ziplist)",
  11: "set (intset)",
  12: "zset (ziplist)",
  14: "list (quicklist)",
  15: "stream",
  17: "zset (listpack)",
  18: "list (quicklist)",
  19: "stream",
  20: "set (listpack)",
  21: "stream",
};

// Opcodes.
const OP_FUNCTION2 = 0xf5;
const OP_FUNCTION_PRE_GA = 0xf6;
const OP_MODULE_AUX = 0xf7;
const OP_IDLE = 0xf8;
const OP_FREQ = 0xf9;
const OP_AUX = 0xfa;
const OP_RESIZEDB = 0xfb;
const OP_EXPIRETIME_MS = 0xfc;
const OP_EXPIRETIME = 0xfd;
const OP_SELECTDB = 0xfe;
const OP_EOF = 0xff;

// Special string encodings (length byte 11xxxxxx).
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

export interface RdbWriteOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes when it saves space. */
  compression?: boolean;
  /** rdbchecksum: when false, the trailing checksum is 0 (disabled). */
  checksum?: boolean;
  /** Unix time of the snapshot, seconds (aux "ctime"); default now. */
  ctime?: number;
  /** Aux "used-mem"; default 0. */
  usedMem?: number;
  /** Aux "aof-base": 1 when the snapshot is the base of an AOF. */
  aofBase?: boolean;
  /** Save access stamps (OBJECT IDLETIME / FREQ) as Redis does under an LRU/LFU maxmemory-policy. */
  accessInfo?: "lru" | "lfu" | false;
  /** Chunk size hint in bytes (default 64KB). */
  chunkSize?: number;
}

/** Output buffer that hands back filled chunks and keeps the running checksum. */
class Out extends ByteBuffer {
  readonly crc = new Crc64();

  constructor(readonly chunkSize: number) {
    super(chunkSize + 64);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  u32be(v: number): void {
    this.byte((v >>> 24) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte(v & 0xff);
  }

  /** An RDB length. */
  len(n: number): void {
    if (n < 64) {
      this.byte(n);
    } else if (n < 16384) {
      this.byte(0x40 | (n >> 8));
      this.byte(n & 0xff);
    } else if (n <= 0xffffffff) {
      this.byte(0x80);
      this.u32be(n);
    } else {
      this.byte(0x81);
      this.u32be(Math.floor(n / 0x100000000));
      this.u32be(n >>> 0);
    }
  }

  /** Takes the bytes written so far (checksummed) as a chunk. */
  take(): Uint8Array {
    const chunk = this.buf.slice(0, this.pos);
    this.crc.update(chunk);
    this.pos = 0;
    if (this.buf.length > this.chunkSize * 4) this.buf = new Uint8Array(this.chunkSize + 64);
    return chunk;
  }
}

/** An RDB string, with the integer or LZF encoding when Redis would use one. */
function writeString(out: Out, s: string, compression: boolean): void {
  const n = s.length;
  if (n <= 11) {
    const v = parseInt64(s);
    if (typeof v === "number") {
      if (v >= -128 && v <= 127) {
        out.byte(0xc0 | ENC_INT8);
        out.byte(v & 0xff);
        return;
      }
      if (v >= -32768 && v <= 32767) {
        out.byte(0xc0 | ENC_INT16);
        out.byte(v & 0xff);
        out.byte((v >> 8) & 0xff);
        return;
      }
      if (v >= -2147483648 && v <= 2147483647) {
        out.byte(0xc0 | ENC_INT32);
        out.byte(v & 0xff);
        out.byte((v >> 8) & 0xff);
        out.byte((v >> 16) & 0xff);
        out.byte((v >>> 24) & 0xff);
        return;
      }
    }
  }
  if (compression && n > 20) {
    const raw = new Uint8Array(n);
    for (let i = 0; i < n; i++) raw[i] = s.charCodeAt(i);
    const packed = lzfCompress(raw, n - 4);
    if (packed !== null) {
      out.byte(0xc0 | ENC_LZF);
      out.len(packed.length);
      out.len(n);
      out.raw(packed);
      return;
    }
  }
  out.len(n);
  out.str(s);
}

/** Writes a blob (listpack) as an RDB string, LZF-compressed when it pays. */
function writeBlob(out: Out, blob: Uint8Array, compression: boolean): void {
  const n = blob.length;
  if (compression && n > 20) {
    const packed = lzfCompress(blob, n - 4);
    if (packed !== null) {
      out.byte(0xc0 | ENC_LZF);
      out.len(packed.length);
      out.len(n);
      out.raw(packed);
      return;
    }
  }
  out.len(n);
  out.raw(blob);
}

// ---------------------------------------------------------------- listpack

/** Size of a listpack entry's back-length field for an entry of `l` bytes. */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Encodes `items` (binary strings) as a listpack, as Redis 7.0 does. */
export function encodeListpack(items: readonly string[]): Uint8Array {
  let total = 7;
  for (const s of items) {
    const l = lpEntrySize(s);
    total += l + backlenSize(l);
  }
  const lp = new Uint8Array(total);
  const dv = new DataView(lp.buffer);
  dv.setUint32(0, total, true);
  dv.setUint16(4, Math.min(items.length, 65535), true);
  let p = 6;
  for (const s of items) {
    const start = p;
    const v = s.length <= 20 ? parseInt64(s) : null;
    if (v !== null) {
      const big = BigInt(v);
      if (big >= 0n && big <= 127n) {
        lp[p++] = Number(big);
      } else if (big >= -4096n && big <= 4095n) {
        const u = Number(big < 0n ? big + 8192n : big);
        lp[p++] = 0xc0 | (u >> 8);
        lp[p++] = u & 0xff;
      } else if (big >= -32768n && big <= 32767n) {
        lp[p++] = 0xf1;
        dv.setInt16(p, Number(big), true);
        p += 2;
      } else if (big >= -8388608n && big <= 8388607n) {
        const u = Number(big < 0n ? big + 16777216n : big);
        lp[p++] = 0xf2;
        lp[p++] = u & 0xff;
        lp[p++] = (u >> 8) & 0xff;
        lp[p++] = (u >> 16) & 0xff;
      } else if (big >= -2147483648n && big <= 2147483647n) {
        lp[p++] = 0xf3;
        dv.setInt32(p, Number(big), true);
        p += 4;
      } else {
        lp[p++] = 0xf4;
        dv.setBigInt64(p, big, true);
        p += 8;
      }
    } else {
      const n = s.length;
      if (n < 64) {
        lp[p++] = 0x80 | n;
      } else if (n < 4096) {
        lp[p++] = 0xe0 | (n >> 8);
        lp[p++] = n & 0xff;
      } else {
        lp[p++] = 0xf0;
        dv.setUint32(p, n, true);
        p += 4;
      }
      for (let i = 0; i < n; i++) lp[p++] = s.charCodeAt(i);
    }
    // Back length: entry size, 7 bits a byte, most significant first; every
    // byte but the first has its top bit set, so it can be read backwards.
    const l = p - start;
    const k = backlenSize(l);
    for (let j = 0; j < k; j++) {
      const shift = 7 * (k - 1 - j);
      const bits = Math.floor(l / 2 ** shift) & 127;
      lp[p++] = j === 0 ? bits : bits | 128;
    }
  }
  lp[p++] = 0xff;
  if (p !== total) throw new Error(`listpack: size mismatch ${p} != ${total}`);
  return lp;
}

function lpEntrySize(s: string): number {
  const v = s.length <= 20 ? parseInt64(s) : null;
  if (v !== null) {
    const big = BigInt(v);
    if (big >= 0n && big <= 127n) return 1;
    if (big >= -4096n && big <= 4095n) return 2;
    if (big >= -32768n && big <= 32767n) return 3;
    if (big >= -8388608n && big <= 8388607n) return 4;
    if (big >= -2147483648n && big <= 2147483647n) return 5;
    return 9;
  }
  const n = s.length;
  if (n < 64) return 1 + n;
  if (n < 4096) return 2 + n;
  return 5 + n;
}

/** Decodes a listpack into its items (integers as decimal strings); throws if malformed. */
export function decodeListpack(lp: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid listpack (${what} at listpack byte ${at})`);
  };
  if (lp.length < 7) bad("too short", 0);
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
    p += backlenSize(p - start);
    if (p > end) bad("back length past the end", start);
    items.push(item);
  }
  if (p !== end || lp[end] !== 0xff) bad("missing end marker", p);
  if (count !== 65535 && count !== items.length) bad("element count mismatch", 4);
  return items;
}

/** Decodes a ziplist (hashes saved before Redis 7.0) into its items. */
export function decodeZiplist(zl: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid ziplist (${what} at ziplist byte ${at})`);
  };
  if (zl.length < 11) bad("too short", 0);
  const dv = new DataView(zl.buffer, zl.byteOffset, zl.byteLength);
  if (dv.getUint32(0, true) !== zl.length) bad("total length mismatch", 0);
  const count = dv.getUint16(8, true);
  const items: string[] = [];
  let p = 10;
  const end = zl.length - 1;
  while (p < end) {
    const start = p;
    p += zl[p] < 254 ? 1 : 5; // previous entry length
    if (p >= end) bad("entry past the end", start);
    const b = zl[p];
    const need = (n: number): void => {
      if (p + n > end) bad("entry past the end", start);
    };
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
          item = String((b & 0x0f) - 1);
          p += 1;
        } else {
          return bad(`bad entry encoding 0x${b.toString(16)}`, p);
        }
      }
    }
    items.push(item);
  }
  if (p !== end || zl[end] !== 0xff) bad("missing end marker", p);
  if (count !== 65535 && count !== items.length) bad("element count mismatch", 8);
  return items;
}

/** Decodes a zipmap (hashes saved by Redis before 2.6) into field, value, ... */
export function decodeZipmap(zm: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid zipmap (${what} at zipmap byte ${at})`);
  };
  const dv = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
  const items: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= zm.length) bad("entry past the end", p);
    const b = zm[p];
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      if (p + 5 > zm.length) bad("entry past the end", p);
      const n = dv.getUint32(p + 1, true);
      p += 5;
      return n;
    }
    return -1;
  };
  for (;;) {
    const klen = readLen();
    if (klen < 0) break;
    if (p + klen > zm.length) bad("key past the end", p);
    items.push(bytesToStr(zm, p, p + klen));
    p += klen;
    const vlen = readLen();
    if (vlen < 0) bad("missing value", p);
    if (p >= zm.length) bad("entry past the end", p);
    const free = zm[p++];
    if (p + vlen + free > zm.length) bad("value past the end", p);
    items.push(bytesToStr(zm, p, p + vlen));
    p += vlen + free;
  }
  return items;
}

// ------------------------------------------------------------------ writer

/**
 * A snapshot in RDB format, in chunks of about `chunkSize` bytes (the last
 * holds EOF and the checksum), from a frozen view of the keyspace.
 */
export function* rdbChunks(
  frozen: FrozenKeyspace,
  opts: RdbWriteOptions = {},
): Generator<Uint8Array, void, undefined> {
  const compression = opts.compression ?? true;
  const chunkSize = opts.chunkSize ?? 65536;
  const out = new Out(chunkSize);
  out.str(`REDIS${String(RDB_VERSION).padStart(4, "0")}`);
  const aux = (k: string, v: string): void => {
    out.byte(OP_AUX);
    writeString(out, k, false);
    writeString(out, v, false);
  };
  aux("redis-ver", "7.0.15");
  aux("redis-bits", "64");
  aux("ctime", String(opts.ctime ?? Math.floor(Date.now() / 1000)));
  aux("used-mem", String(opts.usedMem ?? 0));
  aux("aof-base", opts.aofBase ? "1" : "0");

  const now = Date.now();
  for (const db of frozen.dbs) {
    const { keys, values, stamps } = db;
    const n = keys.length;
    if (n === 0) continue;
    out.byte(OP_SELECTDB);
    out.len(db.id);
    out.byte(OP_RESIZEDB);
    out.len(n);
    out.len(db.expiresCount);
    const withExpires = db.expiresCount !== 0;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const at = withExpires ? db.expireOf(key) : -1;
      if (at !== -1) {
        out.byte(OP_EXPIRETIME_MS);
        const big = BigInt.asUintN(64, BigInt(at));
        const lo = Number(big & 0xffffffffn);
        const hi = Number(big >> 32n);
        for (const w of [lo, hi]) {
          out.byte(w & 0xff);
          out.byte((w >>> 8) & 0xff);
          out.byte((w >>> 16) & 0xff);
          out.byte((w >>> 24) & 0xff);
        }
      }
      if (stamps !== null && opts.accessInfo === "lru") {
        const stamp = stamps[i];
        const clock = lruClock(now);
        out.byte(OP_IDLE);
        out.len(clock >= stamp ? clock - stamp : 0);
      } else if (stamps !== null && opts.accessInfo === "lfu") {
        out.byte(OP_FREQ);
        out.byte(stamps[i] & 0xff);
      }
      writeValue(out, key, values[i], compression);
      if (out.pos >= chunkSize) yield out.take();
    }
  }
  out.byte(OP_EOF);
  const last = out.take();
  const crc = opts.checksum === false ? new Uint8Array(8) : out.crc.bytesLE();
  const final = new Uint8Array(last.length + 8);
  final.set(last);
  final.set(crc, last.length);
  yield final;
}

function writeValue(out: Out, key: string, value: Value, compression: boolean): void {
  const s = stringOf(value);
  if (s !== undefined) {
    out.byte(TYPE_STRING);
    writeString(out, key, compression);
    writeString(out, s, compression);
    return;
  }
  if (value instanceof HashValue) {
    const n = value.size;
    if (value.isListpack) {
      const items: string[] = new Array(n * 2);
      for (let i = 0; i < n; i++) {
        items[2 * i] = value.fieldAt(i);
        items[2 * i + 1] = value.valueAt(i);
      }
      out.byte(TYPE_HASH_LISTPACK);
      writeString(out, key, compression);
      writeBlob(out, encodeListpack(items), compression);
    } else {
      out.byte(TYPE_HASH);
      writeString(out, key, compression);
      out.len(n);
      for (let i = 0; i < n; i++) {
        writeString(out, value.fieldAt(i), compression);
        writeString(out, value.valueAt(i), compression);
      }
    }
    return;
  }
  throw new Error(`RDB: cannot save a value of type ${(value as { type: string }).type}`);
}

/** The whole snapshot of `keyspace` as it is now, as one buffer. */
export function encodeRdb(keyspace: Keyspace, opts: RdbWriteOptions = {}): Uint8Array {
  const frozen = keyspace.freeze(opts.accessInfo === "lru" || opts.accessInfo === "lfu");
  try {
    return concatBytes([...rdbChunks(frozen, opts)]);
  } finally {
    frozen.release();
  }
}

// ------------------------------------------------------------------ reader

export interface RdbReadOptions {
  /** hash-max-listpack-entries / hash-max-listpack-value, to pick each hash's representation. */
  hashLimits: HashLimits;
  /** Load keys whose expiry has passed (a replica does); default false (skip them). */
  keepExpired?: boolean;
  /** The clock for expiry decisions (ms); default Date.now(). */
  now?: number;
  /** Keys parsed between two steps of rdbLoadSteps (default RDB_LOAD_STEP_KEYS). */
  stepKeys?: number;
}

export interface RdbLoadInfo {
  version: number;
  /** AUX fields (name -> value). */
  aux: Map<string, string>;
  /** Keys stored into the keyspace. */
  keys: number;
  /** Keys skipped because they had expired. */
  expiredSkipped: number;
  /** Keys skipped because their value was empty. */
  emptySkipped: number;
  /** Offset just past the checksum (where an AOF's commands follow an RDB preamble). */
  end: number;
}

interface Loaded {
  db: number;
  /** Offset of the entry (for the duplicate-key error). */
  at: number;
  key: string;
  value: Value;
  expire: number | bigint;
  idle: number;
  freq: number;
}

class In {
  pos = 0;
  readonly dv: DataView;
  constructor(readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(msg: string, at = this.pos): never {
    throw new Error(`RDB: ${msg} at offset ${at}`);
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) this.fail("unexpected end of file");
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  /** A length; `encoded` is set when it is a special string encoding instead. */
  len(): { n: number; encoded: boolean } {
    const b = this.byte();
    switch (b >> 6) {
      case 0:
        return { n: b & 0x3f, encoded: false };
      case 1:
        return { n: ((b & 0x3f) << 8) | this.byte(), encoded: false };
      case 3:
        return { n: b & 0x3f, encoded: true };
    }
    if (b === 0x80) {
      this.need(4);
      const n = this.dv.getUint32(this.pos, false);
      this.pos += 4;
      return { n, encoded: false };
    }
    if (b === 0x81) {
      this.need(8);
      const n = this.dv.getBigUint64(this.pos, false);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail("length too large", this.pos - 1);
      this.pos += 8;
      return { n: Number(n), encoded: false };
    }
    return this.fail(`bad length encoding 0x${b.toString(16)}`, this.pos - 1);
  }

  plainLen(): number {
    const at = this.pos;
    const { n, encoded } = this.len();
    if (encoded) this.fail("unexpected string encoding where a length was expected", at);
    return n;
  }

  /** A string's bytes (a view for raw strings). */
  stringBytes(): Uint8Array {
    const at = this.pos;
    const { n, encoded } = this.len();
    if (!encoded) {
      this.need(n);
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    if (n === ENC_LZF) {
      const clen = this.plainLen();
      const len = this.plainLen();
      this.need(clen);
      const src = this.buf.subarray(this.pos, this.pos + clen);
      try {
        const out = lzfDecompress(src, len);
        this.pos += clen;
        return out;
      } catch (e) {
        return this.fail(`corrupt LZF string (${(e as Error).message})`, at);
      }
    }
    const s = this.intString(n, at);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  intString(enc: number, at: number): string {
    if (enc === ENC_INT8) {
      this.need(1);
      return String(this.dv.getInt8(this.pos++));
    }
    if (enc === ENC_INT16) {
      this.need(2);
      const v = this.dv.getInt16(this.pos, true);
      this.pos += 2;
      return String(v);
    }
    if (enc === ENC_INT32) {
      this.need(4);
      const v = this.dv.getInt32(this.pos, true);
      this.pos += 4;
      return String(v);
    }
    return this.fail(`unknown string encoding ${enc}`, at);
  }

  /** A string as a binary string. */
  string(): string {
    const at = this.pos;
    const b = this.buf[this.pos];
    if (b !== undefined && b >> 6 === 3 && (b & 0x3f) !== ENC_LZF) {
      this.pos++;
      return this.intString(b & 0x3f, at);
    }
    const bytes = this.stringBytes();
    return bytesToStr(bytes);
  }
}

/**
 * Loads an RDB file into `keyspace` (keys already there with the same name
 * are replaced). Throws, naming the offset, on anything it cannot load; the
 * keyspace is then unchanged.
 */
export function readRdb(bytes: Uint8Array, keyspace: Keyspace, opts: RdbReadOptions): RdbLoadInfo {
  const steps = rdbLoadSteps(bytes, keyspace, opts);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** How many keys are parsed between two steps of rdbLoadSteps. */
export const RDB_LOAD_STEP_KEYS = 1024;

/**
 * readRdb in steps, so that a caller can let other work run while a large
 * file loads: yields the number of keys parsed so far every
 * RDB_LOAD_STEP_KEYS keys (and the offset reached), returns what readRdb
 * returns. Nothing is stored until the whole file has been checked.
 */
export function* rdbLoadSteps(
  bytes: Uint8Array,
  keyspace: Keyspace,
  opts: RdbReadOptions,
): Generator<{ keys: number; offset: number }, RdbLoadInfo, undefined> {
  const r = new In(bytes);
  r.need(9);
  const magic = bytesToStr(bytes, 0, 5);
  if (magic !== "REDIS") r.fail("wrong signature (not an RDB file)", 0);
  const vs = bytesToStr(bytes, 5, 9);
  if (!/^\d{4}$/.test(vs)) r.fail("bad version field", 5);
  const version = Number(vs);
  if (version < 1 || version > RDB_VERSION) r.fail(`can't handle RDB format version ${version}`, 5);
  r.pos = 9;
  const now = opts.now ?? Date.now();
  const info: RdbLoadInfo = {
    version,
    aux: new Map(),
    keys: 0,
    expiredSkipped: 0,
    emptySkipped: 0,
    end: 0,
  };
  // Databases that were empty get their keys at once (a failed load empties
  // them again); keys for the others wait until the whole file checks out.
  // Staging every key measured a third of the load time and 80 bytes a key.
  const staged: Loaded[] = [];
  const store = new KeyStore(keyspace);
  let stored = 0;
  let parsed = 0;
  const stepKeys = opts.stepKeys ?? RDB_LOAD_STEP_KEYS;
  const seen: Set<string>[] = [];
  const emptyBefore = keyspace.dbs.map((d) => d.size === 0);
  let db = 0;
  let expire: number | bigint = -1;
  let idle = -1;
  let freq = -1;
  let finished = false;
  try {
    for (;;) {
      const at = r.pos;
      const type = r.byte();
      switch (type) {
        case OP_EOF: {
          if (version >= 5) {
            r.need(8);
            const stored = r.dv.getBigUint64(r.pos, true);
            if (stored !== 0n) {
              const actual = new Crc64().update(bytes, 0, r.pos).value();
              if (actual !== stored) {
                r.fail(
                  `wrong checksum (expected ${stored.toString(16)}, got ${actual.toString(16)})`,
                );
              }
            }
            r.pos += 8;
          }
          for (const e of staged) {
            store.put(keyspace.dbs[e.db], e.key, e.value, e.expire, e.idle, e.freq);
          }
          info.keys = stored + staged.length;
          info.end = r.pos;
          finished = true;
          return info;
        }
        case OP_SELECTDB: {
          db = r.plainLen();
          if (db >= keyspace.dbs.length) {
            r.fail(`database ${db} out of range (databases is ${keyspace.dbs.length})`, at);
          }
          continue;
        }
        case OP_RESIZEDB:
          r.plainLen();
          r.plainLen();
          continue;
        case OP_AUX: {
          const k = r.string();
          const v = r.string();
          info.aux.set(k, v);
          continue;
        }
        case OP_EXPIRETIME_MS: {
          r.need(8);
          const v = r.dv.getBigInt64(r.pos, true);
          r.pos += 8;
          const n = Number(v);
          expire = Number.isSafeInteger(n) ? n : v;
          continue;
        }
        case OP_EXPIRETIME: {
          r.need(4);
          expire = r.dv.getInt32(r.pos, true) * 1000;
          r.pos += 4;
          continue;
        }
        case OP_IDLE:
          idle = r.plainLen();
          continue;
        case OP_FREQ:
          freq = r.byte();
          continue;
        case OP_MODULE_AUX:
          skipModuleAux(r);
          continue;
        case OP_FUNCTION2:
        case OP_FUNCTION_PRE_GA:
          r.fail("functions in RDB files are not supported", at);
      }
      // A key/value pair.
      let value: Value | null;
      const key = r.string();
      switch (type) {
        case TYPE_STRING:
          value = r.string();
          break;
        case TYPE_HASH: {
          const n = r.plainLen();
          const items: string[] = new Array(n * 2);
          for (let i = 0; i < 2 * n; i++) items[i] = r.string();
          value = buildHash(r, items, opts.hashLimits, at);
          break;
        }
        case TYPE_HASH_LISTPACK:
        case TYPE_HASH_ZIPLIST:
        case TYPE_HASH_ZIPMAP: {
          const blobAt = r.pos;
          const blob = r.stringBytes();
          let items: string[];
          try {
            items = type === TYPE_HASH_LISTPACK
              ? decodeListpack(blob)
              : type === TYPE_HASH_ZIPLIST
              ? decodeZiplist(blob)
              : decodeZipmap(blob);
          } catch (e) {
            return r.fail((e as Error).message, blobAt);
          }
          if (items.length % 2 !== 0) r.fail("hash with an odd number of elements", blobAt);
          value = buildHash(r, items, opts.hashLimits, at);
          break;
        }
        default: {
          const name = TYPE_NAMES[type];
          return r.fail(
            name
              ? `unsupported value type ${type} (${name})`
              : `unknown value type or opcode ${type}`,
            at,
          );
        }
      }
      if (++parsed % stepKeys === 0) yield { keys: parsed, offset: r.pos };
      const exp = expire;
      const keyIdle = idle;
      const keyFreq = freq;
      expire = -1;
      idle = -1;
      freq = -1;
      if (!emptyBefore[db]) {
        const keys = (seen[db] ??= new Set());
        if (keys.has(key)) r.fail(`duplicate key in database ${db}`, at);
        keys.add(key);
      }
      if (value === null) {
        info.emptySkipped++;
        continue;
      }
      if (exp !== -1 && !opts.keepExpired && exp < now) {
        info.expiredSkipped++;
        continue;
      }
      if (emptyBefore[db]) {
        // A duplicate is caught when storing it: a Set of every key cost a
        // quarter of the load time.
        if (!store.put(keyspace.dbs[db], key, value!, exp, keyIdle, keyFreq)) {
          r.fail(`duplicate key in database ${db}`, at);
        }
        stored++;
      } else {
        staged.push({ db, at, key, value: value!, expire: exp, idle: keyIdle, freq: keyFreq });
      }
    }
  } finally {
    // A failed (or abandoned) load leaves the keyspace as it was.
    if (!finished) emptyBefore.forEach((empty, i) => empty && keyspace.dbs[i].flush());
  }
}

/** A hash from field, value, ... in the representation the limits call for; null if empty. */
function buildHash(r: In, items: string[], limits: HashLimits, at: number): HashValue | null {
  const n = items.length >> 1;
  if (n === 0) return null;
  const h = new HashValue();
  // Too many fields: a hashtable from the start (a limit of -1 converts at once).
  const lim = n > limits.maxEntries ? { maxEntries: -1, maxValue: limits.maxValue } : limits;
  for (let i = 0; i < items.length; i += 2) {
    if (!h.set(items[i], items[i + 1], lim)) r.fail("duplicate field in a hash", at);
  }
  return h;
}

/** Skips a module's aux data (RDB_OPCODE_MODULE_AUX), which redeno has no module for. */
function skipModuleAux(r: In): void {
  r.plainLen(); // module id
  r.plainLen(); // when opcode
  r.plainLen(); // when
  for (;;) {
    const at = r.pos;
    const op = r.plainLen();
    switch (op) {
      case 0: // EOF
        return;
      case 1: // signed int
      case 2: // unsigned int
        r.plainLen();
        break;
      case 3: // float
        r.need(4);
        r.pos += 4;
        break;
      case 4: // double
        r.need(8);
        r.pos += 8;
        break;
      case 5: // string
        r.stringBytes();
        break;
      default:
        r.fail(`bad module data opcode ${op}`, at);
    }
  }
}

/** Stores loaded keys with their expiry and access stamp. */
class KeyStore {
  readonly #lfu: boolean;
  readonly #clock = lruClock();
  readonly #minutes = lfuMinutes();

  constructor(keyspace: Keyspace) {
    this.#lfu = keyspace.accessPolicy === "lfu";
  }

  put(
    db: Db,
    key: string,
    value: Value,
    expire: number | bigint,
    idle: number,
    freq: number,
  ): boolean {
    if (!db.set(key, value)) return false;
    if (expire !== -1) db.setExpire(key, expire);
    if (!this.#lfu && idle >= 0) {
      const clock = this.#clock;
      db.dict.setStampAt(db.dict.indexOf(key)!, clock >= idle ? clock - idle : 0);
    } else if (this.#lfu && freq >= 0) {
      db.dict.setStampAt(db.dict.indexOf(key)!, (this.#minutes << 8) | freq);
    }
    return true;
  }
}
