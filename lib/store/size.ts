/**
 * The size model of stored values: what a key and its value are estimated
 * to take in V8's heap. The keyspace keeps a running total of it per
 * database (Dict sizes), MEMORY USAGE reports it per key, and
 * lib/server/memory.ts documents the model and its calibration.
 */
import { HashValue } from "./hash.ts";
import type { Value } from "./keyspace.ts";
import { ListValue } from "./list.ts";
import { SetValue } from "./set.ts";
import { StreamValue } from "./stream.ts";
import { EmbString, RawString } from "./strings.ts";
import { ZSetValue } from "./zset.ts";

/** Bytes of one entry of a collection's Dict: 2 pointers, a hash, ~2 slots, array slack. */
export const DICT_ENTRY = 40;
/** Bytes of one keyspace entry: a Dict entry plus its access stamp and accounted size. */
export const KEYSPACE_ENTRY = 48;
/** A stream's fixed fields: its IDs (objects of two bigints), counters, master fields. */
const STREAM_BASE = 400;
/** A Dict's fixed part: the object, its arrays and a minimal table. */
export const DICT_BASE = 256;
/** Header of a plain JS object with a few fields. */
export const OBJECT = 48;
/** A typed array and its own ArrayBuffer (object headers and the backing store's record). */
export const TYPED_ARRAY = 200;
/** Members examined by default (Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
export const DEFAULT_SAMPLES = 5;

/** Bytes of a JS one-byte string of `n` characters. */
export function stringBytes(n: number): number {
  return 16 + ((n + 7) & ~7);
}

/**
 * Bytes of a JS array of `n` elements grown by pushes: its header, its
 * backing store, and the spare room V8 leaves (capacity about 1.5 n + 16).
 */
export function arrayBytes(n: number): number {
  return 48 + 8 * (n + (n >> 1) + 8);
}

/**
 * Average size of `count` elements estimated from up to `samples` of them
 * (`at(i)` gives the bytes of element i), times `count`.
 */
function sampled(count: number, samples: number, at: (i: number) => number): number {
  const n = Math.min(count, samples);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += at(i);
  return Math.round((sum / n) * count);
}

/** Estimated bytes of a value (without its key), sampling up to `samples` elements. */
export function valueBytes(v: Value, samples: number): number {
  if (typeof v === "string") return stringBytes(v.length);
  if (v instanceof RawString) return OBJECT + TYPED_ARRAY + v.capacity;
  if (v instanceof EmbString) return OBJECT + stringBytes(v.length);
  if (v instanceof HashValue) {
    const n = v.size;
    // A listpack is an array of field, value, field, value ...
    const lpBytes = v.listpackStringBytes();
    if (lpBytes >= 0) return OBJECT + arrayBytes(2 * n) + lpBytes;
    const pair = (i: number) => stringBytes(v.fieldAt(i).length) + stringBytes(v.valueAt(i).length);
    return OBJECT + DICT_BASE + n * DICT_ENTRY + sampled(n, samples, pair);
  }
  if (v instanceof ListValue) {
    // The array of nodes; each node an object and its packed string.
    const nodes = v.nodeCount;
    return OBJECT + arrayBytes(nodes) + nodes * (OBJECT + 16) + v.packedBytesSampled(samples);
  }
  if (v instanceof SetValue) {
    const n = v.size;
    // An intset packs its members in one flat string, intsetWidth() bytes each.
    if (v.isIntset) return OBJECT + stringBytes(n * v.intsetWidth());
    return OBJECT + DICT_BASE + n * DICT_ENTRY +
      sampled(n, samples, (i) => stringBytes(v.memberAt(i).length));
  }
  if (v instanceof ZSetValue) {
    // A listpack is one packed string of members and scores.
    const lpLength = v.listpackLength;
    if (lpLength >= 0) return OBJECT + stringBytes(lpLength);
    const n = v.size;
    const k = Math.min(n, samples);
    const sum = k > 0 ? v.memberLengthSample(k) : 0;
    // Skiplist: a dict entry and a heap number per member, tree slots for
    // member and score, and the member string (shared by both).
    const perMember = DICT_ENTRY + 16 + 24;
    return OBJECT + DICT_BASE + n * perMember + (k ? Math.round(stringBytes(sum / k) * n) : 0);
  }
  if (v instanceof StreamValue) {
    // As Redis counts a stream: its listpacks, the index of nodes (here an
    // array of node objects, each a typed-array view), and the groups' PELs
    // and consumers (a PEL slot holds a 16-byte ID key and the shared NACK).
    const nodes = v.nodeCount;
    let bytes = STREAM_BASE + arrayBytes(nodes) + nodes * (OBJECT + TYPED_ARRAY) +
      v.bufferBytesSampled(samples);
    for (const g of v.groups?.values() ?? []) {
      bytes += OBJECT + DICT_BASE + g.pendingCount() * (2 * (8 + stringBytes(16)) + OBJECT);
      for (const consumer of g.consumers.values()) {
        bytes += OBJECT + stringBytes(consumer.name.length);
      }
    }
    return bytes;
  }
  return OBJECT;
}

/** Estimated bytes of a key and its value in the keyspace. */
export function keyBytes(key: string, v: Value, samples: number): number {
  return KEYSPACE_ENTRY + stringBytes(key.length) + valueBytes(v, samples);
}

/** What the keyspace accounts for `key` holding `v` (the default sampling). */
export function entryBytes(key: string, v: Value): number {
  // Plain strings are the hot path: no call into the general model.
  return typeof v === "string"
    ? KEYSPACE_ENTRY + stringBytes(key.length) + stringBytes(v.length)
    : KEYSPACE_ENTRY + stringBytes(key.length) + valueBytes(v, DEFAULT_SAMPLES);
}
