/**
 * The RDB snapshot codec (format version 10, as Redis 7.0 writes it).
 *
 * Writing: rdbChunks yields the file in pieces (so a caller can spread the
 * work over time); encodeRdb joins them. Every value is saved as Redis 7.0
 * saves it: strings with the integer and LZF encodings; hashes as a listpack
 * blob (HASH_LISTPACK) or field/value strings (HASH); lists as quicklist
 * nodes (LIST_QUICKLIST_2: listpack nodes chunked as Redis's
 * list-max-listpack-size chunks them, a PLAIN node for a huge element);
 * sets as an intset blob (SET_INTSET) or member strings (SET); sorted sets
 * as a listpack blob (ZSET_LISTPACK) or member + binary double (ZSET_2);
 * streams as their listpack nodes with metadata, groups, PELs and consumers
 * (STREAM_LISTPACKS_2). encodeValue / decodeValue are DUMP's and RESTORE's.
 *
 * Reading: readRdb parses a whole file (strings, hashes, lists, sets,
 * sorted sets and streams in every encoding Redis 7.0 reads), verifies the
 * checksum, and only then stores the keys: an error leaves the keyspace untouched. Each
 * value is built in the encoding Redis would pick at load time. Errors name
 * the offset.
 */
import { parseInt64 } from "../util/int64.ts";
import { bytesToStr, strToBytes } from "../resp/bytes.ts";
import { type HashLimits, HashValue } from "../store/hash.ts";
import { type ListLimits, ListValue } from "../store/list.ts";
import { type SetLimits, SetValue } from "../store/set.ts";
import { type ZSetLimits, ZSetValue } from "../store/zset.ts";
import { idFromKey, MAX_ID, MIN_ID, type StreamId, StreamValue } from "../store/stream.ts";
import { estimateEntriesRead, StreamGroup } from "../store/stream_group.ts";
import {
  type Db,
  type FrozenKeyspace,
  type Keyspace,
  lfuMinutes,
  lruClock,
  type Value,
} from "../store/keyspace.ts";
import { MAX_STRING_BYTES, RawString, stringOf } from "../store/strings.ts";
import { Crc64 } from "./crc64.ts";
import { lzfCompress, lzfDecompress } from "./lzf.ts";
import {
  decodeListpack,
  encodeListpack,
  LISTPACK_EMPTY_SIZE,
  listpackEntryBytes,
} from "./listpack.ts";
import { decodeZiplist } from "./ziplist.ts";
import { ByteBuffer, concatBytes } from "../util/bytebuf.ts";
import { formatDouble } from "../util/float.ts";
import { strtod } from "../util/strtod.ts";

export const RDB_VERSION = 10;

// Value types (rdb.h).
const TYPE_STRING = 0;
const TYPE_LIST = 1;
const TYPE_SET = 2;
const TYPE_ZSET = 3;
const TYPE_HASH = 4;
const TYPE_ZSET_2 = 5;
const TYPE_HASH_ZIPMAP = 9;
const TYPE_LIST_ZIPLIST = 10;
const TYPE_SET_INTSET = 11;
const TYPE_ZSET_ZIPLIST = 12;
const TYPE_HASH_ZIPLIST = 13;
const TYPE_LIST_QUICKLIST = 14;
const TYPE_HASH_LISTPACK = 16;
const TYPE_ZSET_LISTPACK = 17;
const TYPE_LIST_QUICKLIST_2 = 18;
const TYPE_STREAM_LISTPACKS = 15;
const TYPE_STREAM_LISTPACKS_2 = 19;

const TYPE_NAMES: Record<number, string> = {
  6: "module",
  7: "module",
  20: "set (listpack, Redis 7.2)",
  21: "stream (Redis 7.2)",
};

// Quicklist node containers (quicklist.h).
const CONTAINER_PLAIN = 1;
const CONTAINER_PACKED = 2;

/** Redis's packed_threshold: an element this large gets a PLAIN node of its own. */
export const QUICKLIST_PACKED_THRESHOLD = 1 << 30;
/** Redis's SIZE_SAFETY_LIMIT: the byte cap of a node under a count fill. */
const SIZE_SAFETY_LIMIT = 8192;
/** Redis's SIZE_ESTIMATE_OVERHEAD: what an entry is assumed to add beyond its bytes. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Node byte limits of list-max-listpack-size -1 .. -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];

// rdbLoadDoubleValue's special lengths (ZSET's string-encoded scores).
const DOUBLE_NAN = 253;
const DOUBLE_POS_INF = 254;
const DOUBLE_NEG_INF = 255;

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
  /** Aux repl-stream-db / repl-id / repl-offset (a snapshot for a replica, as Redis writes them). */
  repl?: { streamDb: number; id: string; offset: number };
  /** Function library codes (saved with the FUNCTION2 opcode, after the aux fields, as Redis does). */
  functions?: string[];
  /** Save access stamps (OBJECT IDLETIME / FREQ) as Redis does under an LRU/LFU maxmemory-policy. */
  accessInfo?: "lru" | "lfu" | false;
  /** Chunk size hint in bytes (default 64KB). */
  chunkSize?: number;
  /**
   * List elements at least this long get a PLAIN quicklist node (default
   * QUICKLIST_PACKED_THRESHOLD, as Redis's DEBUG QUICKLIST-PACKED-THRESHOLD).
   */
  packedThreshold?: number;
}

/** What writeValue needs of the write options. */
interface WriteCtx {
  compression: boolean;
  packedThreshold: number;
  /** Output size at which a large collection pauses (see writeCollection). */
  chunkSize: number;
}

const F64_BYTES = new Uint8Array(8);
const F64 = new DataView(F64_BYTES.buffer);

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

  /** An RDB length of up to 64 bits (stream IDs and counters). */
  lenBig(v: bigint): void {
    if (v <= 0xffffffffn) return this.len(Number(v));
    this.byte(0x81);
    this.u32be(Number(v >> 32n));
    this.u32be(Number(v & 0xffffffffn));
  }

  /** A millisecond time as rdbSaveMillisecondTime writes it: int64, little-endian. */
  msTime(ms: number): void {
    const v = BigInt.asUintN(64, BigInt(Math.trunc(ms)));
    this.u32le(Number(v & 0xffffffffn));
    this.u32le(Number(v >> 32n));
  }

  u32le(v: number): void {
    this.byte(v & 0xff);
    this.byte((v >>> 8) & 0xff);
    this.byte((v >>> 16) & 0xff);
    this.byte((v >>> 24) & 0xff);
  }

  /** A little-endian IEEE double (ZSET_2 scores). */
  f64le(v: number): void {
    F64.setFloat64(0, v, true);
    this.ensure(8);
    this.buf.set(F64_BYTES, this.pos);
    this.pos += 8;
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

// ------------------------------------------------------------------ zipmap

/** Decodes a zipmap (hashes saved by Redis before 2.6) into field, value, ... */
export function decodeZipmap(zm: Uint8Array): string[] {
  const bad = (what: string, at: number): never => {
    throw new Error(`invalid zipmap (${what} at zipmap byte ${at})`);
  };
  // Checked as Redis's zipmapValidateIntegrity (deep, as zipmaps always are):
  // the blob ends in 0xFF, every entry leaves room for it, the entry count
  // is not 0 and matches the header unless that says 254 (unknown).
  if (zm.length < 2) bad("too short", 0);
  if (zm[zm.length - 1] !== 255) bad("no end marker", zm.length - 1);
  const dv = new DataView(zm.buffer, zm.byteOffset, zm.byteLength);
  const last = zm.length - 1;
  const items: string[] = [];
  let p = 1;
  // A length byte below 254 is the length; any other is followed by 4 bytes.
  const readLen = (): number => {
    const at = p;
    if (zm[p] < 254) {
      if (p + 1 > last) bad("entry past the end", at);
      return zm[p++];
    }
    if (p + 5 > last) bad("entry past the end", at);
    const n = dv.getUint32(p + 1, true);
    p += 5;
    return n;
  };
  while (zm[p] !== 255) {
    const klen = readLen();
    if (p + klen > last) bad("key past the end", p);
    items.push(bytesToStr(zm, p, p + klen));
    p += klen;
    const vlen = readLen();
    const free = zm[p++];
    if (p + vlen + free > last) bad("value past the end", p);
    items.push(bytesToStr(zm, p, p + vlen));
    p += vlen + free;
  }
  const count = items.length / 2;
  if (count === 0) bad("empty", 1);
  if (zm[0] !== 254 && zm[0] !== count) bad(`header count ${zm[0]} for ${count} entries`, 0);
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
  const chunkSize = opts.chunkSize ?? 65536;
  const ctx: WriteCtx = {
    compression: opts.compression ?? true,
    packedThreshold: opts.packedThreshold ?? QUICKLIST_PACKED_THRESHOLD,
    chunkSize,
  };
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
  if (opts.repl !== undefined) {
    aux("repl-stream-db", String(opts.repl.streamDb));
    aux("repl-id", opts.repl.id);
    aux("repl-offset", String(opts.repl.offset));
  }
  aux("aof-base", opts.aofBase ? "1" : "0");
  for (const code of opts.functions ?? []) {
    out.byte(OP_FUNCTION2);
    writeString(out, code, ctx.compression);
  }

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
      const value = values[i];
      if (isCollection(value)) {
        for (const _ of writeCollection(out, key, value, ctx)) yield out.take();
      } else {
        writeValue(out, key, value, ctx);
      }
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

/**
 * The type byte and serialized value of `value`, as Redis's DUMP payload
 * starts (DUMP appends the RDB version and a checksum).
 */
export function encodeValue(value: Value, opts: RdbWriteOptions = {}): Uint8Array {
  const out = new Out(256);
  writeValue(out, null, value, {
    compression: opts.compression ?? true,
    packedThreshold: opts.packedThreshold ?? QUICKLIST_PACKED_THRESHOLD,
    chunkSize: Infinity,
  });
  return out.buf.slice(0, out.pos);
}

/**
 * The body of a FUNCTION DUMP payload: each library as the RDB saves it
 * (the FUNCTION2 opcode and the code as an RDB string).
 */
export function encodeFunctions(codes: string[], compression: boolean): Uint8Array {
  const out = new Out(256);
  for (const code of codes) {
    out.byte(OP_FUNCTION2);
    writeString(out, code, compression);
  }
  return out.buf.slice(0, out.pos);
}

/**
 * The library codes of a verified FUNCTION RESTORE payload (footer
 * included), read as Redis's functionRestoreCommand reads them: opcodes
 * until the last 10 bytes. Returns Redis's error text (without "ERR ")
 * for anything else.
 */
export function decodeFunctions(payload: Uint8Array): string[] | string {
  const r = new In(payload);
  const codes: string[] = [];
  while (payload.length - r.pos > 10) {
    const type = r.byte();
    if (type !== OP_FUNCTION2 && type !== OP_FUNCTION_PRE_GA) return "given type is not a function";
    const fn = readFunction(r, type);
    if ("error" in fn) return fn.error;
    codes.push(fn.code);
  }
  return codes;
}

/**
 * One library after its opcode, as Redis 7.0's rdbFunctionLoad reads it:
 * the code; before it, for 7.0 release candidates' format (FUNCTION_PRE_GA),
 * the library name, engine and optional description, which are skipped.
 */
function readFunction(r: In, type: number): { code: string } | { error: string } {
  const field = (error: string, read: () => void) => {
    try {
      read();
      return null;
    } catch {
      return error;
    }
  };
  if (type === OP_FUNCTION_PRE_GA) {
    let hasDesc = 0;
    const error = field("Failed loading library name", () => r.string()) ??
      field("Failed loading engine name", () => r.string()) ??
      field("Failed loading library description indicator", () => (hasDesc = r.plainLen())) ??
      (hasDesc ? field("Failed loading library description", () => r.string()) : null);
    if (error !== null) return { error };
  }
  let code = "";
  const error = field("Failed loading library payload", () => (code = r.string()));
  return error !== null ? { error } : { code };
}

/** Writes the type byte, the key (unless null) and the value. */
function writeValue(out: Out, key: string | null, value: Value, ctx: WriteCtx): void {
  const compression = ctx.compression;
  if (value instanceof RawString && value.length > 11) {
    // Its bytes as they are (what writeString writes past the integer
    // encoding's 11 characters): no JS string per snapshot, and none past
    // V8's limit for a 512 MB bitmap.
    out.byte(TYPE_STRING);
    if (key !== null) writeString(out, key, compression);
    writeBlob(out, value.bytes(), compression);
    return;
  }
  const s = stringOf(value);
  if (s !== undefined) {
    out.byte(TYPE_STRING);
    if (key !== null) writeString(out, key, compression);
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
      if (key !== null) writeString(out, key, compression);
      writeBlob(out, encodeListpack(items), compression);
    } else {
      out.byte(TYPE_HASH);
      if (key !== null) writeString(out, key, compression);
      out.len(n);
      for (let i = 0; i < n; i++) {
        writeString(out, value.fieldAt(i), compression);
        writeString(out, value.valueAt(i), compression);
      }
    }
    return;
  }
  if (isCollection(value)) {
    // One buffer: the pauses a snapshot makes between chunks are not needed here.
    for (const _ of writeCollection(out, key, value, ctx));
    return;
  }
  throw new Error(`RDB: cannot save a value of type ${(value as { type: string }).type}`);
}

/** A list, set, sorted set or stream: written by writeCollection. */
function isCollection(value: Value): value is ListValue | SetValue | ZSetValue | StreamValue {
  return value instanceof ListValue || value instanceof SetValue || value instanceof ZSetValue ||
    value instanceof StreamValue;
}

/**
 * Writes a list, set or sorted set (type byte, key unless null, value),
 * pausing (a yield) whenever the output reaches ctx.chunkSize, so that a
 * snapshot can hand out the chunk and let commands run before the rest of
 * a large collection: the frozen value does not change meanwhile, since
 * writers copy it first (Db.lookupWrite).
 */
function* writeCollection(
  out: Out,
  key: string | null,
  value: ListValue | SetValue | ZSetValue | StreamValue,
  ctx: WriteCtx,
): Generator<void, void, undefined> {
  const compression = ctx.compression;
  const head = (type: number) => {
    out.byte(type);
    if (key !== null) writeString(out, key, compression);
  };
  if (value instanceof StreamValue) {
    head(TYPE_STREAM_LISTPACKS_2);
    yield* writeStream(out, value, ctx);
  } else if (value instanceof ListValue) {
    const nodes = quicklistNodes(value, ctx.packedThreshold);
    head(TYPE_LIST_QUICKLIST_2);
    out.len(nodes.length);
    for (const node of nodes) {
      if (typeof node === "string") {
        out.len(CONTAINER_PLAIN);
        writeString(out, node, compression);
      } else {
        out.len(CONTAINER_PACKED);
        writeBlob(out, encodeListpack(node), compression);
      }
      if (out.pos >= ctx.chunkSize) yield;
    }
  } else if (value instanceof SetValue) {
    const blob = value.intsetBlob();
    if (blob !== null) {
      head(TYPE_SET_INTSET);
      writeBlob(out, blob, compression);
      return;
    }
    head(TYPE_SET);
    const n = value.size;
    out.len(n);
    for (let i = 0; i < n; i++) {
      writeString(out, value.memberAt(i), compression);
      if (out.pos >= ctx.chunkSize) yield;
    }
  } else if (value.isListpack) {
    const items: string[] = [];
    value.forEach((m, score) => items.push(m, listpackScore(score)));
    head(TYPE_ZSET_LISTPACK);
    writeBlob(out, encodeListpack(items), compression);
  } else {
    const members: string[] = [];
    const scores: number[] = [];
    value.forEach((m, score) => {
      members.push(m);
      scores.push(score);
    });
    head(TYPE_ZSET_2);
    out.len(members.length);
    // Highest first, as Redis saves a skiplist (its load then inserts at the head).
    for (let i = members.length - 1; i >= 0; i--) {
      writeString(out, members[i], compression);
      out.f64le(scores[i]);
      if (out.pos >= ctx.chunkSize) yield;
    }
  }
}

/**
 * A stream as Redis 7.0 saves it (STREAM_LISTPACKS_2): its listpack nodes
 * as they are (master ID key, listpack), length, last ID, first ID, max
 * deleted ID, entries added, then each group (in name order) with its
 * last ID, entries read, PEL (ID, delivery time, count) and consumers (in
 * name order: name, seen time, the IDs of their own PEL).
 */
function* writeStream(out: Out, s: StreamValue, ctx: WriteCtx): Generator<void, void, undefined> {
  const compression = ctx.compression;
  const nodes = [...s.nodes()];
  out.len(nodes.length);
  for (const [key, lp] of nodes) {
    writeString(out, key, compression);
    writeBlob(out, strToBytes(lp), compression);
    if (out.pos >= ctx.chunkSize) yield;
  }
  const id = (v: StreamId) => {
    out.lenBig(v.ms);
    out.lenBig(v.seq);
  };
  out.len(s.length);
  id(s.lastId);
  id(s.firstId);
  id(s.maxDeletedId);
  out.lenBig(s.entriesAdded);
  const groups = s.groups === null ? [] : [...s.groups.values()].sort(byName);
  out.len(groups.length);
  for (const g of groups) {
    writeString(out, g.name, compression);
    id(g.lastId);
    out.lenBig(BigInt.asUintN(64, BigInt(g.entriesRead)));
    out.len(g.pendingCount());
    for (const [key, nack] of g.pel.entries()) {
      out.str(key);
      out.msTime(nack.deliveryTime);
      out.len(nack.deliveryCount);
      if (out.pos >= ctx.chunkSize) yield;
    }
    const consumers = g.sortedConsumers();
    out.len(consumers.length);
    for (const consumer of consumers) {
      writeString(out, consumer.name, compression);
      out.msTime(consumer.seenTime);
      out.len(consumer.pending.size);
      for (const [key] of consumer.pending.entries()) {
        out.str(key);
        if (out.pos >= ctx.chunkSize) yield;
      }
    }
  }
}

/** Orders groups by name bytes, as Redis's rax of groups iterates. */
function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * A score as Redis 7.0's zset listpack holds it: an integer entry when the
 * score is integral and within +-2^62 (double2ll), otherwise "%.17g" text.
 */
function listpackScore(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= 2 ** 62) return BigInt(score).toString();
  return formatDouble(score);
}

/**
 * The nodes Redis's quicklist would hold had `list` been built by pushes at
 * the tail (as RDB load and most writers build it): a PLAIN node (the
 * element itself) for an element of at least `packedThreshold` bytes, and
 * listpack nodes filled while _quicklistNodeAllowInsert's rule admits the
 * next element under the list's list-max-listpack-size.
 */
function quicklistNodes(list: ListValue, packedThreshold: number): (string | string[])[] {
  const fill = list.limits.maxListpackSize;
  const nodes: (string | string[])[] = [];
  let node: string[] | null = null;
  let bytes = 0;
  list.scan(false, (v) => {
    const sz = v.length;
    if (sz >= packedThreshold) {
      nodes.push(v);
      node = null;
      return;
    }
    if (node === null || !allowInsert(bytes, node.length, sz, fill)) {
      node = [];
      nodes.push(node);
      bytes = LISTPACK_EMPTY_SIZE;
    }
    node.push(v);
    bytes += listpackEntryBytes(v);
  });
  return nodes;
}

/**
 * Whether a listpack node of `bytes` bytes and `count` entries takes one
 * more element of `sz` bytes under fill `fill` (quicklist.c's rule: a
 * negative fill caps the estimated size at 4..64KB; a positive one caps the
 * count, with an 8KB safety limit).
 */
function allowInsert(bytes: number, count: number, sz: number, fill: number): boolean {
  const estimate = bytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0 && -fill - 1 < OPTIMIZATION_LEVEL.length) {
    if (estimate <= OPTIMIZATION_LEVEL[-fill - 1]) return true;
  }
  if (estimate > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
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
  /** list-max-listpack-size / list-compress-depth for loaded lists (default Redis's). */
  listLimits?: ListLimits;
  /** set-max-intset-entries, to pick each set's representation (default Redis's). */
  setLimits?: SetLimits;
  /** zset-max-listpack-entries / -value, to pick each zset's representation (default Redis's). */
  zsetLimits?: ZSetLimits;
}

/** Redis 7.0's default list-max-listpack-size and list-compress-depth. */
export const DEFAULT_LIST_LIMITS: ListLimits = { maxListpackSize: -2, compressDepth: 0 };
/** Redis 7.0's default set-max-intset-entries. */
export const DEFAULT_SET_LIMITS: SetLimits = { maxIntsetEntries: 512 };
/** Redis 7.0's default zset-max-listpack-entries and zset-max-listpack-value. */
export const DEFAULT_ZSET_LIMITS: ZSetLimits = { maxListpackEntries: 128, maxListpackValue: 64 };

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
  /** The first 10 of those keys (Redis logs each of them). */
  emptySkippedKeys: string[];
  /** Offset just past the checksum (where an AOF's commands follow an RDB preamble). */
  end: number;
  /** Function library codes (FUNCTION2 opcodes), in file order: the caller loads them. */
  functions: string[];
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

  /** A length of up to 64 bits, as a bigint (stream IDs and counters). */
  lenBig(): bigint {
    const b = this.buf[this.pos];
    if (b === 0x81) {
      this.pos++;
      this.need(8);
      const n = this.dv.getBigUint64(this.pos, false);
      this.pos += 8;
      return n;
    }
    // Redis reads stream IDs and counters with rdbLoadLen and no error
    // check: an unknown length byte (0x82..0xBF) is RDB_LENERR (2^64-1) and
    // one byte read. So does redeno, or it would refuse payloads Redis loads.
    if (b !== undefined && b >> 6 === 2 && b !== 0x80) {
      this.pos++;
      return 0xffffffffffffffffn;
    }
    // A string-encoding byte (0xC0..) counts as its low six bits (rdbLoadLen(rdb, NULL)).
    return BigInt(this.len().n);
  }

  /** A stream ID saved as two lengths. */
  streamId(): StreamId {
    const ms = this.lenBig();
    return { ms, seq: this.lenBig() };
  }

  /** A millisecond time (rdbLoadMillisecondTime: int64, little-endian). */
  msTime(): number {
    this.need(8);
    const v = this.dv.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }

  /** `n` raw bytes as a binary string. */
  rawString(n: number): string {
    this.need(n);
    const s = bytesToStr(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A length; a string-encoding byte counts as its low six bits, as in rdbLoadLen(rdb, NULL). */
  plainLen(): number {
    return this.len().n;
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
      // A back reference (3 bytes) expands to at most 264: a larger claimed
      // length is corrupt, and must not allocate before failing.
      if (len > clen * 88) this.fail("corrupt LZF string (impossible length)", at);
      // Redis's lzf_decompress returns 0 on corrupt data, which a claimed
      // length of 0 takes for success: an empty string, whatever follows.
      if (len === 0) {
        this.pos += clen;
        return new Uint8Array(0);
      }
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

  /** `n` strings (collection members), read one by one: a corrupt count fails at the end of the file. */
  strings(n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }

  /** A little-endian IEEE double (ZSET_2 scores). */
  f64le(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A double as ZSET (type 3) saves it: a length byte and text, or 253/254/255 for nan/inf/-inf. */
  doubleString(): number {
    const at = this.pos;
    const len = this.byte();
    if (len === DOUBLE_NAN) return NaN;
    if (len === DOUBLE_POS_INF) return Infinity;
    if (len === DOUBLE_NEG_INF) return -Infinity;
    this.need(len);
    const text = bytesToStr(this.buf, this.pos, this.pos + len);
    this.pos += len;
    if (/^nan$/i.test(text)) return NaN;
    return parseScoreText(text) ?? this.fail(`bad double ${JSON.stringify(text)}`, at);
  }

  /**
   * A string holding a packed blob, decoded by `decode`; its errors are
   * reported at the blob's offset. With `nonEmpty`, a zero-length blob is
   * an error (a quicklist node).
   */
  blobItems(decode: (blob: Uint8Array) => string[], nonEmpty = false): string[] {
    const at = this.pos;
    const blob = this.stringBytes();
    if (nonEmpty && blob.length === 0) this.fail("empty quicklist node", at);
    try {
      return decode(blob);
    } catch (e) {
      return this.fail((e as Error).message, at);
    }
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

  /** A string value: a binary string, or a RawString when longer than a JS string can be. */
  stringValue(): string | RawString {
    const b = this.buf[this.pos];
    if (b !== undefined && b >> 6 === 3 && (b & 0x3f) !== ENC_LZF) return this.string();
    const bytes = this.stringBytes();
    return bytes.length > MAX_STRING_BYTES ? new RawString(bytes) : bytesToStr(bytes);
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

/** Redis 7.0's rdbIsObjectType: the type bytes a value (DUMP payload) may start with. */
function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
}

/**
 * The value a DUMP payload holds (type byte and value; the version and
 * checksum footer after it are not read), built in the encoding the limits
 * call for.
 * Validated in full (every listpack, ziplist, intset and stream node, as
 * Redis's sanitize-dump-payload yes does); throws on anything malformed or
 * empty. Bytes after the value are ignored, as Redis ignores them.
 */
export function decodeValue(body: Uint8Array, opts: RdbReadOptions): Value {
  const r = new In(body);
  const type = r.byte();
  if (!isObjectType(type)) r.fail(`bad value type ${type}`, 0);
  const value = readValue(r, type, 0, {
    hash: opts.hashLimits,
    list: opts.listLimits ?? DEFAULT_LIST_LIMITS,
    set: opts.setLimits ?? DEFAULT_SET_LIMITS,
    zset: opts.zsetLimits ?? DEFAULT_ZSET_LIMITS,
  });
  return value ?? r.fail("empty value", 0);
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
  // Redis reads the version with atoi: leading blanks, a sign, digits up to
  // the first other byte ("001 " is version 1; "abcd" is 0, refused below).
  const vm = /^[ \t\n\v\f\r]*([+-]?\d*)/.exec(bytesToStr(bytes, 5, 9))!;
  const version = Number(vm[1].replace(/^[+-]$/, "")) || 0;
  if (version < 1 || version > RDB_VERSION) r.fail(`can't handle RDB format version ${version}`, 5);
  r.pos = 9;
  const now = opts.now ?? Date.now();
  const info: RdbLoadInfo = {
    version,
    aux: new Map(),
    keys: 0,
    expiredSkipped: 0,
    emptySkipped: 0,
    emptySkippedKeys: [],
    end: 0,
    functions: [],
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
  const limits: Limits = {
    hash: opts.hashLimits,
    list: opts.listLimits ?? DEFAULT_LIST_LIMITS,
    set: opts.setLimits ?? DEFAULT_SET_LIMITS,
    zset: opts.zsetLimits ?? DEFAULT_ZSET_LIMITS,
  };
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
        case OP_FUNCTION_PRE_GA: {
          const fn = readFunction(r, type);
          if ("error" in fn) return r.fail(fn.error, at);
          info.functions.push(fn.code);
          continue;
        }
      }
      // A key/value pair.
      const key = r.string();
      const value = readValue(r, type, at, limits);
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
        if (info.emptySkipped++ < 10) info.emptySkippedKeys.push(key);
        continue;
      }
      if (exp !== -1 && !opts.keepExpired && exp < now) {
        info.expiredSkipped++;
        continue;
      }
      if (emptyBefore[db]) {
        // A duplicate is caught when storing it: a Set of every key cost a
        // quarter of the load time.
        if (!store.put(keyspace.dbs[db], key, value, exp, keyIdle, keyFreq)) {
          r.fail(`duplicate key in database ${db}`, at);
        }
        stored++;
      } else {
        staged.push({ db, at, key, value, expire: exp, idle: keyIdle, freq: keyFreq });
      }
    }
  } finally {
    // A failed (or abandoned) load leaves the keyspace as it was.
    if (!finished) emptyBefore.forEach((empty, i) => empty && keyspace.dbs[i].flush());
  }
}

/** The configured limits that pick each loaded value's representation. */
interface Limits {
  hash: HashLimits;
  list: ListLimits;
  set: SetLimits;
  zset: ZSetLimits;
}

/**
 * Reads the value of a key of RDB type `type` (the entry starts at `at`);
 * null for an empty collection, which Redis skips.
 */
function readValue(r: In, type: number, at: number, limits: Limits): Value | null {
  switch (type) {
    case TYPE_STRING:
      return r.stringValue();
    case TYPE_HASH:
      return buildHash(r, r.strings(2 * r.plainLen()), limits.hash, at);
    case TYPE_HASH_LISTPACK:
    case TYPE_HASH_ZIPLIST:
    case TYPE_HASH_ZIPMAP: {
      const blobAt = r.pos;
      const decode = type === TYPE_HASH_LISTPACK
        ? decodeListpack
        : type === TYPE_HASH_ZIPLIST
        ? decodeZiplist
        : decodeZipmap;
      const items = r.blobItems(decode);
      if (items.length % 2 !== 0) r.fail("hash with an odd number of elements", blobAt);
      return buildHash(r, items, limits.hash, at);
    }
    case TYPE_LIST: {
      const items = r.strings(r.plainLen());
      return items.length === 0 ? null : ListValue.fromArray(items, limits.list);
    }
    case TYPE_LIST_ZIPLIST: {
      const items = r.blobItems(decodeZiplist);
      return items.length === 0 ? null : ListValue.fromArray(items, limits.list);
    }
    case TYPE_LIST_QUICKLIST:
    case TYPE_LIST_QUICKLIST_2:
      return readQuicklist(r, type === TYPE_LIST_QUICKLIST_2, limits.list);
    case TYPE_SET: {
      const members = r.strings(r.plainLen());
      if (members.length === 0) return null;
      return SetValue.fromMembers(members, limits.set) ??
        r.fail("duplicate member in a set", at);
    }
    case TYPE_SET_INTSET: {
      const blobAt = r.pos;
      const blob = r.stringBytes();
      // Redis's intsetValidateIntegrity also rejects an empty intset.
      const empty = blob.length === 8 && blob[4] === 0 && blob[5] === 0 && blob[6] === 0 &&
        blob[7] === 0;
      const set = empty ? null : SetValue.fromIntsetBlob(blob, limits.set);
      return set ??
        r.fail(
          "invalid intset (bad encoding width, length, empty, or members not strictly ascending)",
          blobAt,
        );
    }
    case TYPE_ZSET:
    case TYPE_ZSET_2: {
      const n = r.plainLen();
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        members.push(r.string());
        const scoreAt = r.pos;
        const score = type === TYPE_ZSET_2 ? r.f64le() : r.doubleString();
        if (Number.isNaN(score)) r.fail("NaN score in a sorted set", scoreAt);
        scores.push(score);
      }
      if (n === 0) return null;
      // Listpack when both limits allow it (Redis converts after loading).
      return ZSetValue.fromEntries(members, scores, limits.zset) ??
        r.fail("duplicate member in a sorted set", at);
    }
    case TYPE_ZSET_ZIPLIST:
    case TYPE_ZSET_LISTPACK: {
      const blobAt = r.pos;
      const items = r.blobItems(type === TYPE_ZSET_LISTPACK ? decodeListpack : decodeZiplist);
      if (items.length % 2 !== 0) r.fail("sorted set with an odd number of elements", blobAt);
      if (items.length === 0) return null;
      const members: string[] = [];
      const scores: number[] = [];
      for (let i = 0; i < items.length; i += 2) {
        const score = packedScore(items[i + 1]);
        if (Number.isNaN(score)) {
          r.fail(`bad score ${JSON.stringify(items[i + 1])} in a sorted set`, blobAt);
        }
        members.push(items[i]);
        scores.push(score);
      }
      // Redis checks only the entry count here, not member lengths.
      const lim = { ...limits.zset, maxListpackValue: Infinity };
      return ZSetValue.fromEntries(members, scores, lim) ??
        r.fail("duplicate member in a sorted set", at);
    }
    case TYPE_STREAM_LISTPACKS:
    case TYPE_STREAM_LISTPACKS_2:
      return readStream(r, type === TYPE_STREAM_LISTPACKS_2);
    default: {
      const name = TYPE_NAMES[type];
      return r.fail(
        name ? `unsupported value type ${type} (${name})` : `unknown value type or opcode ${type}`,
        at,
      );
    }
  }
}

/**
 * A stream (STREAM_LISTPACKS, or STREAM_LISTPACKS_2 with `v2`), checked in
 * full: node keys 16 bytes and ascending, every listpack valid as a stream
 * node, the live entries adding up to the length, groups and consumers
 * unique, every consumer's PEL entry in the group PEL and owned once, and
 * every group PEL entry owned. An empty stream is a valid value.
 */
function readStream(r: In, v2: boolean): StreamValue {
  const count = r.plainLen();
  const nodes: [string, string][] = [];
  let prevKey = "";
  for (let i = 0; i < count; i++) {
    const keyAt = r.pos;
    const key = r.string();
    if (key.length !== 16) r.fail("stream node key is not a stream ID", keyAt);
    // Redis's rax would sort such nodes and give their entries IDs out of
    // order (its sanitizer does not look): refused, not loaded askew.
    if (key <= prevKey) r.fail("stream node keys not ascending", keyAt);
    prevKey = key;
    const lpAt = r.pos;
    const lp = bytesToStr(r.stringBytes());
    if (lp.length === 0) r.fail("empty stream listpack", lpAt);
    nodes.push([key, lp]);
  }
  const lengthAt = r.pos;
  const length = r.lenBig();
  const lastId = r.streamId();
  const s = length <= BigInt(Number.MAX_SAFE_INTEGER)
    ? StreamValue.fromNodes(nodes, Number(length), lastId)
    : null;
  if (s === null) {
    r.fail("invalid stream (node keys, listpacks, or a length that does not match)", lengthAt);
  }
  if (v2) {
    s.firstId = r.streamId();
    s.maxDeletedId = r.streamId();
    s.entriesAdded = r.lenBig();
  } else {
    // STREAM_LISTPACKS (Redis < 7.0) lacks these: Redis 7.0 derives them.
    s.maxDeletedId = MIN_ID;
    s.entriesAdded = BigInt(s.length);
    s.firstId = s.first() ?? MAX_ID;
  }
  const groups = r.plainLen();
  for (let i = 0; i < groups; i++) {
    const groupAt = r.pos;
    const name = r.string();
    const lastDelivered = r.streamId();
    const entriesRead = v2
      ? Number(BigInt.asIntN(64, r.lenBig()))
      : estimateEntriesRead(s, lastDelivered);
    s.groups ??= new Map();
    if (s.groups.has(name)) r.fail("duplicate consumer group", groupAt);
    const g = new StreamGroup(name, lastDelivered, entriesRead);
    s.groups.set(name, g);
    const pel = r.plainLen();
    for (let j = 0; j < pel; j++) {
      const idAt = r.pos;
      const id = idFromKey(r.rawString(16));
      const time = r.msTime();
      const deliveries = r.lenBig();
      if (!g.loadNack(id, time, Number(deliveries))) r.fail("duplicate group PEL entry", idAt);
    }
    const consumers = r.plainLen();
    for (let j = 0; j < consumers; j++) {
      const consumerAt = r.pos;
      const cname = r.string();
      if (g.consumers.has(cname)) r.fail("duplicate stream consumer", consumerAt);
      const consumer = g.createConsumer(cname, r.msTime());
      const owned = r.plainLen();
      for (let k = 0; k < owned; k++) {
        const idAt = r.pos;
        if (!g.assignLoaded(consumer, idFromKey(r.rawString(16)))) {
          r.fail("consumer PEL entry not in the group PEL, or owned twice", idAt);
        }
      }
    }
    for (const [, nack] of g.pendingEntries()) {
      if (nack.consumer === null) r.fail("group PEL entry without a consumer", groupAt);
    }
  }
  return s;
}

/**
 * A list saved as quicklist nodes: ziplists (LIST_QUICKLIST) or, with a
 * container tag each, listpacks and PLAIN elements (LIST_QUICKLIST_2).
 * Empty nodes are skipped, as Redis does; null when no element is left.
 */
function readQuicklist(r: In, v2: boolean, limits: ListLimits): ListValue | null {
  const nodes = r.plainLen();
  const items: string[] = [];
  for (let i = 0; i < nodes; i++) {
    let container = CONTAINER_PACKED;
    if (v2) {
      const containerAt = r.pos;
      container = r.plainLen();
      if (container !== CONTAINER_PLAIN && container !== CONTAINER_PACKED) {
        r.fail(`bad quicklist node container ${container}`, containerAt);
      }
    }
    const blobAt = r.pos;
    if (container === CONTAINER_PLAIN) {
      const element = r.string();
      if (element.length === 0) r.fail("empty quicklist node", blobAt);
      items.push(element);
      continue;
    }
    const node = r.blobItems(v2 ? decodeListpack : decodeZiplist, true);
    for (let j = 0; j < node.length; j++) items.push(node[j]);
  }
  return items.length === 0 ? null : ListValue.fromArray(items, limits);
}

/**
 * A score as text (C's strtod as Redis reads it: decimal or exponent form,
 * "inf"/"-inf"/"infinity"); null for anything else and for NaN, which no
 * sorted set may hold.
 */
export function parseScoreText(s: string): number | null {
  if (!/^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf|infinity)$/i.test(s)) return null;
  const c = s.charCodeAt(s[0] === "-" || s[0] === "+" ? 1 : 0) | 0x20;
  if (c === 0x69 /* i */) return s[0] === "-" ? -Infinity : Infinity;
  return Number(s);
}

/**
 * A score kept as text in a listpack or ziplist, read as Redis's zzlStrtod
 * reads it: strtod over the first 127 bytes up to a NUL, whatever follows
 * the number ignored, 0 when no number starts it (its sanitizer does not
 * check scores, so Redis loads such a file). NaN, which no sorted set may
 * hold, is returned for the caller to refuse.
 */
function packedScore(text: string): number {
  let t = text.length > 127 ? text.slice(0, 127) : text;
  const nul = t.indexOf("\0");
  if (nul >= 0) t = t.slice(0, nul);
  return strtod(t).value;
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

/** Redis's LRU_CLOCK_MAX: its access clock is 24 bits of seconds. */
const LRU_CLOCK_MAX = 0xffffff;

/**
 * The access stamp (redeno's 32-bit seconds clock, `clock` now) that makes
 * OBJECT IDLETIME report what Redis reports after objectSetLRUOrLFU sets an
 * idle time of `idle` seconds (RDB IDLE, RESTORE IDLETIME): Redis keeps a
 * 24-bit clock, so an idle time past it wraps (IDLETIME 1000000000 reads
 * back as some 10 million seconds), and so does its `idle * 1000` in 64 bits.
 */
export function idleStamp(idle: number | bigint, clock: number): number {
  const clock24 = clock & LRU_CLOCK_MAX;
  const scaled = BigInt.asIntN(64, BigInt(idle) * 1000n) / 1000n;
  let abs = BigInt(clock24) - scaled;
  if (abs < 0n) abs += BigInt(LRU_CLOCK_MAX);
  const stored = Number(BigInt.asUintN(24, abs));
  const seen = clock24 >= stored ? clock24 - stored : clock24 + LRU_CLOCK_MAX - stored;
  return clock >= seen ? clock - seen : 0;
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
      db.dict.setStampAt(db.dict.indexOf(key)!, idleStamp(idle, this.#clock));
    } else if (this.#lfu && freq >= 0) {
      db.dict.setStampAt(db.dict.indexOf(key)!, (this.#minutes << 8) | freq);
    }
    return true;
  }
}
