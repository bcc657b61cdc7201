/**
 * Stream values, stored as Redis stores them (t_stream.c): an ordered index
 * of listpack nodes keyed by the ID of each node's master entry.
 *
 * A node is a listpack, byte for byte what Redis keeps in its radix tree:
 *
 *   master entry: count, deleted, num-fields, field_1 .. field_N, 0
 *   each entry:   flags, ms-delta, seq-delta, [num-fields, field_1,]
 *                 value_1, [field_2,] value_2 ..., lp-count
 *
 * Entries whose fields equal the master's carry the SAMEFIELDS flag and only
 * their values. Deleting an entry sets its DELETED flag and moves one from
 * `count` to `deleted`; a node whose last live entry goes is dropped. The
 * ID deltas are the wrapping 64-bit differences from the master ID, stored
 * as signed integers (lpAppendInteger of an int64).
 *
 * Nodes are split as streamAppendItem splits them (stream-node-max-bytes,
 * stream-node-max-entries), so lengths after approximate trimming, memory
 * and RDB payloads match Redis's.
 */
import { bytesToStr } from "../resp/bytes.ts";
import { parseInt64 } from "../util/int64.ts";
import {
  backlenSize,
  elementBytes,
  intElementBytes,
  putElement,
  putIntElement,
} from "../util/listpack_element.ts";
import type { StoredObject } from "./keyspace.ts";
import type { StreamGroup } from "./stream_group.ts";

/** A stream entry ID: two unsigned 64-bit integers (full range: 18446744073709551615-18446744073709551615 is valid). */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

/** 2^64 - 1. */
export const UINT64_MAX = 0xffffffffffffffffn;
/** The smallest ID, 0-0. */
export const MIN_ID: StreamId = Object.freeze({ ms: 0n, seq: 0n });
/** The largest ID, 18446744073709551615-18446744073709551615. */
export const MAX_ID: StreamId = Object.freeze({ ms: UINT64_MAX, seq: UINT64_MAX });

/** <0, 0 or >0 as a is lower than, equal to or greater than b. */
export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** "ms-seq". */
export function formatId(id: StreamId): string {
  // IDs made in one millisecond share their prefix: convert it once.
  if (id.ms !== lastMs) {
    lastMs = id.ms;
    lastMsText = `${id.ms}-`;
  }
  return lastMsText + id.seq;
}
let lastMs = -1n;
let lastMsText = "";

const keyView = new DataView(new ArrayBuffer(16));
const keyBytes = new Uint8Array(keyView.buffer);

/** 16-byte big-endian binary string (Redis's rax key); compares with < as the IDs do. */
export function idKey(id: StreamId): string {
  keyView.setBigUint64(0, id.ms);
  keyView.setBigUint64(8, id.seq);
  return String.fromCharCode.apply(null, keyBytes as unknown as number[]);
}

/** The ID of a 16-byte key made by idKey. */
export function idFromKey(key: string): StreamId {
  for (let i = 0; i < 16; i++) keyBytes[i] = key.charCodeAt(i);
  return { ms: keyView.getBigUint64(0), seq: keyView.getBigUint64(8) };
}

/** The node-split limits, as read from the configuration. */
export interface StreamLimits {
  /** stream-node-max-bytes (0 = no limit) */
  nodeMaxBytes: number;
  /** stream-node-max-entries (0 = no limit) */
  nodeMaxEntries: number;
}

/** Entry flags, as Redis's STREAM_ITEM_FLAG_*. */
const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
/** Redis's STREAM_LISTPACK_MAX_SIZE: the node size cap when the limit is 0 or larger. */
const LISTPACK_MAX_SIZE = 1 << 30;
/** Listpack header: u32 total bytes, u16 element count. */
const HDR = 6;
const COUNT_UNKNOWN = 65535;

// ---------------------------------------------------------------------------
// Listpack element primitives on a mutable buffer.

/** Encoding + payload bytes of the element at p. */
function encLen(buf: Uint8Array, p: number): number {
  const b = buf[p];
  if (b < 0x80) return 1;
  if ((b & 0xc0) === 0x80) return 1 + (b & 0x3f);
  if ((b & 0xe0) === 0xc0) return 2;
  if ((b & 0xf0) === 0xe0) return 2 + (((b & 0x0f) << 8) | buf[p + 1]);
  switch (b) {
    case 0xf0:
      return 5 + (buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16)) + buf[p + 4] * 16777216;
    case 0xf1:
      return 3;
    case 0xf2:
      return 4;
    case 0xf3:
      return 5;
    case 0xf4:
      return 9;
  }
  return -1;
}

/** Offset of the element after the one at p. */
function lpNext(buf: Uint8Array, p: number): number {
  const l = encLen(buf, p);
  return p + l + backlenSize(l);
}

/** Offset of the element before the one (or the end marker) at p. */
function lpPrev(buf: Uint8Array, p: number): number {
  let q = p - 1;
  let l = 0;
  let shift = 0;
  for (;;) {
    const b = buf[q];
    l += (b & 127) * 2 ** shift;
    if (!(b & 128)) break;
    shift += 7;
    q--;
  }
  return q - l;
}

const i64View = new DataView(new ArrayBuffer(8));

/** The integer at p (a bigint only beyond 2^53); NaN when it is a string that is not one. */
function lpInt(buf: Uint8Array, p: number): number | bigint {
  const b = buf[p];
  if (b < 0x80) return b;
  if ((b & 0xe0) === 0xc0) {
    const u = ((b & 0x1f) << 8) | buf[p + 1];
    return u >= 4096 ? u - 8192 : u;
  }
  switch (b) {
    case 0xf1: {
      const u = buf[p + 1] | (buf[p + 2] << 8);
      return u >= 32768 ? u - 65536 : u;
    }
    case 0xf2: {
      const u = buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16);
      return u >= 0x800000 ? u - 0x1000000 : u;
    }
    case 0xf3:
      return buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24);
    case 0xf4: {
      for (let i = 0; i < 8; i++) i64View.setUint8(i, buf[p + 1 + i]);
      const v = i64View.getBigInt64(0, true);
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    }
  }
  const v = parseInt64(lpStr(buf, p));
  return v === null ? NaN : v;
}

/** The element at p as a binary string (integers in decimal). */
function lpStr(buf: Uint8Array, p: number): string {
  const b = buf[p];
  if ((b & 0xc0) === 0x80) return bytesToStr(buf, p + 1, p + 1 + (b & 0x3f));
  if ((b & 0xf0) === 0xe0) return bytesToStr(buf, p + 2, p + 2 + (((b & 0x0f) << 8) | buf[p + 1]));
  if (b === 0xf0) return bytesToStr(buf, p + 5, p + encLen(buf, p));
  return String(lpInt(buf, p));
}

/** The wrapping 64-bit difference a - b as Redis stores it (a signed int64; a number when safe). */
function delta(a: bigint, b: bigint): number | bigint {
  // Both below 2^53 (every ms of a clock, most sequences): exact in doubles.
  if (a <= SAFE && b <= SAFE) return Number(a) - Number(b);
  let d = (a - b) & UINT64_MAX;
  if (d > 0x7fffffffffffffffn) d -= 1n << 64n;
  return d >= -SAFE && d <= SAFE ? Number(d) : d;
}

/** master + d, wrapping at 2^64. */
function addDelta(master: bigint, d: number | bigint): bigint {
  if (typeof d === "number") {
    if (d === 0) return master;
    if (master <= SAFE) {
      const sum = Number(master) + d;
      if (sum >= 0 && sum <= Number.MAX_SAFE_INTEGER) return BigInt(sum);
    }
  }
  return (master + BigInt(d)) & UINT64_MAX;
}

/** 2^53 - 1 as a bigint. */
const SAFE = 9007199254740991n;

/** Bytes of the pages sealed nodes are packed into. */
const PAGE_SIZE = 256 * 1024;

/**
 * Where sealed (no longer tail) nodes keep their bytes: views into shared
 * pages, so that a node costs no allocation of its own. A page is freed by
 * the garbage collector once no node views it.
 */
class Pages {
  #page: Uint8Array | null = null;
  #used = 0;

  /** A copy of bytes[0..size) in a page. */
  store(bytes: Uint8Array, size: number): Uint8Array {
    if (size > PAGE_SIZE / 4) return bytes.slice(0, size);
    if (this.#page === null || this.#used + size > PAGE_SIZE) {
      this.#page = new Uint8Array(PAGE_SIZE);
      this.#used = 0;
    }
    const at = this.#used;
    const page = this.#page;
    for (let i = 0; i < size; i++) page[at + i] = bytes[i];
    this.#used += size;
    return new Uint8Array(page.buffer, at, size);
  }
}

/** Shared by every stream: pages fill in the order nodes are sealed. */
const pages = new Pages();

// ---------------------------------------------------------------------------

/** One listpack node: its master ID and the listpack (bytes 0..size of buf). */
class Node {
  constructor(
    public ms: bigint,
    public seq: bigint,
    public buf: Uint8Array,
    public size: number,
  ) {}

  /** Live entries (the master entry's count). */
  count(): number {
    return Number(lpInt(this.buf, HDR));
  }

  /** Entries marked deleted. */
  deleted(): number {
    return Number(lpInt(this.buf, lpNext(this.buf, HDR)));
  }

  /** The master fields and the offset of the first entry. */
  master(): { fields: string[]; first: number } {
    const buf = this.buf;
    let p = lpNext(buf, lpNext(buf, HDR));
    const n = Number(lpInt(buf, p));
    p = lpNext(buf, p);
    const fields = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      fields[i] = lpStr(buf, p);
      p = lpNext(buf, p);
    }
    return { fields, first: lpNext(buf, p) };
  }

  /** The listpack as a binary string. */
  bytes(): string {
    return bytesToStr(this.buf, 0, this.size);
  }

  clone(): Node {
    return new Node(this.ms, this.seq, this.buf.slice(0, this.size), this.size);
  }
}

/** An entry as scanNode reports it. */
interface EntryRef {
  /** Offset of the flags element. */
  at: number;
  flags: number;
  ms: bigint;
  seq: bigint;
  /** Offset of the first element after the IDs (num-fields or the first value). */
  body: number;
  /** Offset after the lp-count element. */
  end: number;
}

/** Parses the entry whose flags element is at p. */
function readEntry(node: Node, nfields: number, p: number, out: EntryRef): void {
  const buf = node.buf;
  out.at = p;
  out.flags = Number(lpInt(buf, p));
  p = lpNext(buf, p);
  out.ms = addDelta(node.ms, lpInt(buf, p));
  p = lpNext(buf, p);
  out.seq = addDelta(node.seq, lpInt(buf, p));
  p = lpNext(buf, p);
  out.body = p;
  let k: number;
  if (out.flags & FLAG_SAMEFIELDS) {
    k = nfields;
  } else {
    k = Number(lpInt(buf, p)) * 2;
    p = lpNext(buf, p);
  }
  for (let i = 0; i < k; i++) p = lpNext(buf, p);
  out.end = lpNext(buf, p);
}

/** The fields of the entry `e` of `node`: [f1, v1, ...]. */
function entryFields(node: Node, master: string[], e: EntryRef): string[] {
  const buf = node.buf;
  let p = e.body;
  if (e.flags & FLAG_SAMEFIELDS) {
    const out = new Array<string>(master.length * 2);
    for (let i = 0; i < master.length; i++) {
      out[2 * i] = master[i];
      out[2 * i + 1] = lpStr(buf, p);
      p = lpNext(buf, p);
    }
    return out;
  }
  const n = Number(lpInt(buf, p)) * 2;
  p = lpNext(buf, p);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    out[i] = lpStr(buf, p);
    p = lpNext(buf, p);
  }
  return out;
}

/** Replaces the integer element at p of node by v, moving what follows when its size changes. */
function replaceInt(node: Node, p: number, v: number): void {
  const buf = node.buf;
  const oldEnd = lpNext(buf, p);
  const need = intElementBytes(v);
  const diff = need - (oldEnd - p);
  if (diff !== 0) {
    if (node.size + diff > buf.length) {
      const bigger = new Uint8Array(Math.max(node.size + diff, buf.length * 2));
      bigger.set(buf.subarray(0, node.size));
      node.buf = bigger;
    }
    node.buf.copyWithin(oldEnd + diff, oldEnd, node.size);
    node.size += diff;
    setTotal(node);
  }
  putIntElement(node.buf, p, v);
}

/** Writes the listpack's total-bytes header. */
function setTotal(node: Node): void {
  const s = node.size;
  const buf = node.buf;
  buf[0] = s & 0xff;
  buf[1] = (s >> 8) & 0xff;
  buf[2] = (s >> 16) & 0xff;
  buf[3] = (s >>> 24) & 0xff;
}

/** Adds n to the listpack's element count (which stays "unknown" once it reaches 65535). */
function addElements(node: Node, n: number): void {
  const buf = node.buf;
  const c = buf[4] | (buf[5] << 8);
  if (c === COUNT_UNKNOWN) return;
  const v = Math.min(c + n, COUNT_UNKNOWN);
  buf[4] = v & 0xff;
  buf[5] = v >> 8;
}

/** Visits every entry of `node` (deleted ones too) in order; stops when visit returns false. */
function scanNode(
  node: Node,
  first: number,
  nfields: number,
  visit: (e: EntryRef) => boolean,
): void {
  const e: EntryRef = { at: 0, flags: 0, ms: 0n, seq: 0n, body: 0, end: 0 };
  const end = node.size - 1;
  for (let p = first; p < end; p = e.end) {
    readEntry(node, nfields, p, e);
    if (!visit(e)) return;
  }
}

/** Visits every entry of `node` from the last to the first; stops when visit returns false. */
function scanNodeRev(
  node: Node,
  first: number,
  nfields: number,
  visit: (e: EntryRef) => boolean,
): void {
  const e: EntryRef = { at: 0, flags: 0, ms: 0n, seq: 0n, body: 0, end: 0 };
  const buf = node.buf;
  let p = node.size - 1; // end marker
  while (p > first) {
    const countAt = lpPrev(buf, p);
    let q = countAt;
    const n = Number(lpInt(buf, countAt));
    for (let i = 0; i < n; i++) q = lpPrev(buf, q);
    readEntry(node, nfields, q, e);
    if (!visit(e)) return;
    p = q;
  }
}

/** A stream value. */
export class StreamValue implements StoredObject {
  readonly type = "stream";
  /** Nodes in master-ID order. */
  #nodes: Node[] = [];
  /** Master fields of the last node (null: not decoded yet). */
  #tailFields: string[] | null = null;
  /** The last sealed tail's buffer, reused by the next tail node. */
  #spare: Uint8Array | null = null;
  #length = 0;
  /** last-generated-id */
  lastId: StreamId = MIN_ID;
  /** max-deleted-entry-id */
  maxDeletedId: StreamId = MIN_ID;
  /** entries-added */
  entriesAdded = 0n;
  /** recorded-first-entry-id (0-0 when empty, as Redis) */
  firstId: StreamId = MIN_ID;
  /** Consumer groups by name; null until the first is created (as Redis's s->cgroups). */
  groups: Map<string, StreamGroup> | null = null;

  encoding(): "stream" {
    return "stream";
  }

  clone(): StreamValue {
    const copy = new StreamValue();
    copy.#nodes = this.#nodes.map((n) => n.clone());
    copy.#length = this.#length;
    copy.lastId = this.lastId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    copy.firstId = this.firstId;
    if (this.groups !== null) {
      copy.groups = new Map();
      for (const [name, g] of this.groups) copy.groups.set(name, g.clone());
    }
    return copy;
  }

  /** Live entries (XLEN). */
  get length(): number {
    return this.#length;
  }

  /** Listpack nodes (XINFO radix-tree-keys). */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Appends; the caller checked id > lastId. fields = [f1, v1, f2, v2, ...] binary strings (from index `from` on). */
  append(id: StreamId, fields: string[], limits: StreamLimits, from = 0): void {
    const end = fields.length;
    const nfields = (end - from) >> 1;
    let node: Node | undefined = this.#nodes[this.#nodes.length - 1];
    if (node !== undefined) {
      let totelelen = 0;
      for (let i = from; i < end; i++) totelelen += fields[i].length;
      let maxBytes = limits.nodeMaxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      let full = node.size + totelelen >= maxBytes;
      if (!full && limits.nodeMaxEntries) {
        full = node.count() + node.deleted() >= limits.nodeMaxEntries;
      }
      if (full) {
        this.#seal(node);
        node = undefined;
      }
    }
    let flags = 0;
    if (node === undefined) {
      node = this.#newNode(id, fields, from);
      flags = FLAG_SAMEFIELDS;
    } else {
      replaceInt(node, HDR, node.count() + 1);
      const master = this.#tailFields ??= node.master().fields;
      if (master.length === nfields) {
        let same = true;
        for (let i = 0; i < nfields; i++) {
          if (master[i] !== fields[from + 2 * i]) {
            same = false;
            break;
          }
        }
        if (same) flags = FLAG_SAMEFIELDS;
      }
    }
    const same = flags === FLAG_SAMEFIELDS;
    const dms = delta(id.ms, node.ms);
    const dseq = delta(id.seq, node.seq);
    const lpCount = same ? nfields + 3 : 2 * nfields + 4;
    let need = 2 + intElementBytes(dms) + intElementBytes(dseq) + intElementBytes(lpCount);
    if (!same) need += intElementBytes(nfields);
    for (let i = from + (same ? 1 : 0); i < end; i += same ? 2 : 1) need += elementBytes(fields[i]);
    const size = node.size + need;
    if (size > node.buf.length) {
      const bigger = new Uint8Array(Math.max(size, node.buf.length * 2));
      bigger.set(node.buf.subarray(0, node.size));
      node.buf = bigger;
    }
    const buf = node.buf;
    let p = node.size - 1;
    buf[p++] = flags; // 0..3: a 7-bit integer with a 1-byte back-length
    buf[p++] = 1;
    p = putIntElement(buf, p, dms);
    p = putIntElement(buf, p, dseq);
    if (!same) p = putIntElement(buf, p, nfields);
    for (let i = from + (same ? 1 : 0); i < end; i += same ? 2 : 1) {
      p = putElement(buf, p, fields[i]);
    }
    p = putIntElement(buf, p, lpCount);
    buf[p++] = 0xff;
    node.size = p;
    setTotal(node);
    addElements(node, lpCount + 1);
    this.#length++;
    this.lastId = id;
  }

  /** Starts a node whose master entry takes the fields of `fields`. */
  #newNode(id: StreamId, fields: string[], from: number): Node {
    const nfields = (fields.length - from) >> 1;
    let need = HDR + 1 + 2 + 2 + intElementBytes(nfields) + 2;
    for (let i = from; i < fields.length; i += 2) need += elementBytes(fields[i]);
    // Room for the entries that follow (Redis preallocates too).
    let buf: Uint8Array;
    const spare = this.#spare;
    if (spare !== null && spare.length >= need * 2) {
      buf = spare;
      this.#spare = null;
    } else {
      buf = new Uint8Array(Math.max(need * 2, 256));
    }
    let p = HDR;
    p = putIntElement(buf, p, 0); // count: the append below makes it 1
    p = putIntElement(buf, p, 0);
    p = putIntElement(buf, p, nfields);
    const master = new Array<string>(nfields);
    for (let i = 0; i < nfields; i++) {
      master[i] = fields[from + 2 * i];
      p = putElement(buf, p, fields[from + 2 * i]);
    }
    p = putIntElement(buf, p, 0);
    buf[p++] = 0xff;
    const node = new Node(id.ms, id.seq, buf, p);
    setTotal(node);
    buf[4] = nfields + 4;
    buf[5] = 0;
    if (nfields + 4 >= COUNT_UNKNOWN) {
      buf[4] = 0xff;
      buf[5] = 0xff;
    }
    replaceInt(node, HDR, 1);
    this.#nodes.push(node);
    this.#tailFields = master;
    return node;
  }

  /** Drops a node's spare capacity (it is no longer the tail). */
  #seal(node: Node): void {
    if (node.buf.length === node.size) return;
    // The tail's roomy buffer serves the next tail.
    this.#spare = node.buf;
    node.buf = pages.store(node.buf, node.size);
  }

  /** Index of the last node whose master ID is <= id, or -1. */
  #nodeFor(id: StreamId): number {
    const nodes = this.#nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = nodes[mid];
      if (n.ms < id.ms || (n.ms === id.ms && n.seq <= id.seq)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The master fields of node i (cached for the tail). */
  #master(i: number): { fields: string[]; first: number } {
    return this.#nodes[i].master();
  }

  /**
   * Visits entries with start <= id <= end in order (rev: descending); stops
   * after count (0 = all) or when visit returns false. Returns visited count.
   */
  range(
    start: StreamId,
    end: StreamId,
    rev: boolean,
    count: number,
    visit: (id: StreamId, fields: string[]) => boolean | void,
  ): number {
    if (compareIds(start, end) > 0) return 0;
    let seen = 0;
    let stop = false;
    const below = (e: EntryRef) => e.ms < start.ms || (e.ms === start.ms && e.seq < start.seq);
    const above = (e: EntryRef) => e.ms > end.ms || (e.ms === end.ms && e.seq > end.seq);
    // One entry in scan order: skipped before the range, the end past it.
    const onEntry = (node: Node, master: string[]) => (e: EntryRef): boolean => {
      if (e.flags & FLAG_DELETED || (rev ? above(e) : below(e))) return true;
      if (rev ? below(e) : above(e)) {
        stop = true;
        return false;
      }
      seen++;
      if (
        visit({ ms: e.ms, seq: e.seq }, entryFields(node, master, e)) === false || seen === count
      ) {
        stop = true;
        return false;
      }
      return true;
    };
    const nodes = this.#nodes;
    if (!rev) {
      for (let i = Math.max(this.#nodeFor(start), 0); i < nodes.length && !stop; i++) {
        const node = nodes[i];
        if (node.ms > end.ms || (node.ms === end.ms && node.seq > end.seq)) break;
        const m = this.#master(i);
        scanNode(node, m.first, m.fields.length, onEntry(node, m.fields));
      }
    } else {
      for (let i = this.#nodeFor(end); i >= 0 && !stop; i--) {
        const node = nodes[i];
        const m = this.#master(i);
        scanNodeRev(node, m.first, m.fields.length, onEntry(node, m.fields));
      }
    }
    return seen;
  }

  /** Finds the live entry `id`: its node index and ref, or undefined. */
  #find(id: StreamId): { i: number; e: EntryRef; fields: string[] } | undefined {
    const i = this.#nodeFor(id);
    if (i < 0) return undefined;
    const node = this.#nodes[i];
    const m = this.#master(i);
    let found: EntryRef | undefined;
    scanNode(node, m.first, m.fields.length, (e) => {
      if (e.ms === id.ms && e.seq === id.seq) {
        if (!(e.flags & FLAG_DELETED)) found = { ...e };
        return false;
      }
      return e.ms < id.ms || (e.ms === id.ms && e.seq < id.seq);
    });
    return found && { i, e: found, fields: m.fields };
  }

  /** The fields of one entry, or undefined when absent/deleted. */
  get(id: StreamId): string[] | undefined {
    const f = this.#find(id);
    return f && entryFields(this.#nodes[f.i], f.fields, f.e);
  }

  /** Marks entry `id` deleted (dropping its node when it was the node's last live entry); false when absent. */
  delete(id: StreamId): boolean {
    const f = this.#find(id);
    if (f === undefined) return false;
    this.#markDeleted(f.i, f.e.at, f.e.flags);
    return true;
  }

  /** Sets the DELETED flag of the entry at `at` in node i and updates the counters. */
  #markDeleted(i: number, at: number, flags: number): void {
    const node = this.#nodes[i];
    node.buf[at] = flags | FLAG_DELETED;
    const live = node.count();
    this.#length--;
    if (live === 1) {
      this.#removeNode(i);
      return;
    }
    replaceInt(node, HDR, live - 1);
    replaceInt(node, lpNext(node.buf, HDR), node.deleted() + 1);
  }

  #removeNode(i: number): void {
    this.#nodes.splice(i, 1);
    if (i === this.#nodes.length) this.#tailFields = null;
  }

  /** The first live entry's ID. */
  first(): StreamId | undefined {
    let id: StreamId | undefined;
    this.range(MIN_ID, MAX_ID, false, 1, (x) => {
      id = x;
    });
    return id;
  }

  /** The last live entry's ID. */
  last(): StreamId | undefined {
    let id: StreamId | undefined;
    this.range(MIN_ID, MAX_ID, true, 1, (x) => {
      id = x;
    });
    return id;
  }

  /**
   * Redis's streamTrim: removes the oldest entries while the stream is longer
   * than `maxlen` (minId null) or their IDs are below `minId`. `approx`
   * removes whole nodes only; `limit` (0 = none) caps the entries removed, a
   * node at a time. Returns the entries removed; updates firstId.
   */
  trim(maxlen: number, minId: StreamId | null, approx: boolean, limit: number): number {
    const nodes = this.#nodes;
    let deleted = 0;
    // Whole nodes go from the front: counted here, removed with one splice.
    let gone = 0;
    while (gone < nodes.length) {
      if (minId === null && this.#length <= maxlen) break;
      const node = nodes[gone];
      const entries = node.count();
      if (limit && deleted + entries > limit) break;
      let removeNode: boolean;
      if (minId === null) {
        removeNode = this.#length - entries >= maxlen;
      } else {
        const lastId = this.#edgeId(gone, true);
        removeNode = compareIds(lastId, minId) < 0;
      }
      if (removeNode) {
        gone++;
        this.#length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      // Mark entries deleted inside this node, oldest first.
      const m = this.#master(gone);
      const marks: [number, number][] = [];
      let live = this.#length;
      scanNode(node, m.first, m.fields.length, (e) => {
        const stop = minId === null
          ? live <= maxlen
          : e.ms > minId.ms || (e.ms === minId.ms && e.seq >= minId.seq);
        if (stop) return false;
        if (!(e.flags & FLAG_DELETED)) {
          marks.push([e.at, e.flags]);
          live--;
        }
        return true;
      });
      for (const [at, flags] of marks) node.buf[at] = flags | FLAG_DELETED;
      const n = marks.length;
      this.#length -= n;
      deleted += n;
      replaceInt(node, HDR, entries - n);
      replaceInt(node, lpNext(node.buf, HDR), node.deleted() + n);
      break;
    }
    if (gone > 0) {
      nodes.splice(0, gone);
      if (nodes.length === 0) this.#tailFields = null;
    }
    if (deleted > 0) this.firstId = this.#length > 0 ? this.first()! : MIN_ID;
    return deleted;
  }

  /** The first entry ID stored, deleted or not; MAX_ID when empty (Redis's streamGetEdgeID(s,1,0)). */
  firstStoredId(): StreamId {
    return this.#nodes.length === 0 ? MAX_ID : this.#edgeId(0, false);
  }

  /** The first (or last) entry ID stored in node i, deleted or not (lpGetEdgeStreamID). */
  #edgeId(i: number, last: boolean): StreamId {
    const node = this.#nodes[i];
    const m = this.#master(i);
    let id: StreamId = MIN_ID;
    (last ? scanNodeRev : scanNode)(node, m.first, m.fields.length, (e) => {
      id = { ms: e.ms, seq: e.seq };
      return false;
    });
    return id;
  }

  /** Listpack nodes as Redis's RDB stores them, in ID order: [16-byte master-id key, listpack bytes as a binary string]. */
  *nodes(): Iterable<[string, string]> {
    for (const n of this.#nodes) yield [idKey({ ms: n.ms, seq: n.seq }), n.bytes()];
  }

  /** Radix-tree nodes Redis's rax would use for the node keys (XINFO radix-tree-nodes). */
  raxNodes(): number {
    return raxNodeCount(this.#nodes.map((n) => idKey({ ms: n.ms, seq: n.seq })));
  }

  /** Bytes of all listpacks (MEMORY USAGE). */
  listpackBytes(): number {
    let total = 0;
    for (const n of this.#nodes) total += n.size;
    return total;
  }

  /**
   * Bytes the listpacks' buffers hold (the tail node's spare room
   * included), estimated from up to `samples` nodes spread evenly over the
   * stream (exact when there are no more nodes than that).
   */
  bufferBytesSampled(samples: number): number {
    const nodes = this.#nodes;
    const n = nodes.length;
    let sum = 0;
    if (n <= samples) {
      for (const node of nodes) sum += node.buf.length;
      return sum;
    }
    for (let k = 0; k < samples; k++) {
      sum += nodes[Math.floor((k * (n - 1)) / (samples - 1 || 1))].buf.length;
    }
    return Math.round((sum / samples) * n);
  }

  /**
   * Rebuilds from RDB nodes (validated as Redis's deep sanitization does;
   * null on malformed input, never throws or hangs). The metadata fields
   * (lastId, firstId, maxDeletedId, entriesAdded) are the caller's to set.
   */
  static fromNodes(
    nodes: [string, string][],
    length: number,
    lastId: StreamId,
  ): StreamValue | null {
    const s = new StreamValue();
    let prevKey = "";
    let total = 0;
    for (const [key, lpStrBytes] of nodes) {
      if (key.length !== 16 || key <= prevKey) return null;
      prevKey = key;
      const buf = new Uint8Array(lpStrBytes.length);
      for (let i = 0; i < buf.length; i++) buf[i] = lpStrBytes.charCodeAt(i);
      const master = idFromKey(key);
      const node = new Node(master.ms, master.seq, buf, buf.length);
      const live = validateNode(node);
      if (live === null) return null;
      total += live;
      s.#nodes.push(node);
    }
    if (total !== length) return null;
    s.#length = length;
    s.lastId = lastId;
    return s;
  }
}

/**
 * Checks a stream listpack as Redis's streamValidateListpackIntegrity does
 * (deep): listpack framing, master entry, every entry's shape, counters.
 * Returns the live entry count, or null when malformed.
 */
function validateNode(node: Node): number | null {
  const buf = node.buf;
  const size = node.size;
  if (size < HDR + 1 || buf[size - 1] !== 0xff) return null;
  if ((buf[0] | (buf[1] << 8) | (buf[2] << 16)) + buf[3] * 16777216 !== size) return null;
  // Framing: every element in bounds, back-lengths consistent.
  const end = size - 1;
  let elements = 0;
  for (let p = HDR; p < end;) {
    const l = encLen(buf, p);
    if (l < 0 || p + l > end) return null;
    const k = backlenSize(l);
    if (p + l + k > end) return null;
    let back = 0;
    for (let j = 0; j < k; j++) {
      // Only the first back-length byte has its top bit clear (read backwards, it ends the length).
      if ((buf[p + l + j] & 128) !== (j === 0 ? 0 : 128)) return null;
      back = back * 128 + (buf[p + l + j] & 127);
    }
    if (back !== l) return null;
    p += l + k;
    elements++;
  }
  // Redis's stream check does not compare the header's element count with
  // the elements (it loads such a node): the count is set right instead.
  const hdrCount = elements < COUNT_UNKNOWN ? elements : COUNT_UNKNOWN;
  buf[4] = hdrCount & 0xff;
  buf[5] = hdrCount >> 8;
  const isInt = (v: number | bigint): v is number => typeof v === "number" && Number.isInteger(v);
  let p = HDR;
  const next = (): boolean => {
    p = lpNext(buf, p);
    return p < end;
  };
  if (p >= end) return null;
  const count = lpInt(buf, p);
  if (!next()) return null;
  const deleted = lpInt(buf, p);
  if (!next()) return null;
  const nfields = lpInt(buf, p);
  if (!isInt(count) || !isInt(deleted) || !isInt(nfields) || nfields < 0) return null;
  for (let i = 0; i < nfields; i++) if (!next()) return null;
  if (!next()) return null;
  if (lpInt(buf, p) !== 0) return null;
  p = lpNext(buf, p);
  let live = 0;
  let dead = 0;
  while (p < end) {
    const flags = lpInt(buf, p);
    if (!isInt(flags)) return null;
    const startEntry = p;
    let elems = 1;
    if (!next()) return null;
    if (Number.isNaN(lpInt(buf, p))) return null;
    if (!next()) return null;
    if (Number.isNaN(lpInt(buf, p))) return null;
    if (!next()) return null;
    elems += 2;
    let k: number;
    if (flags & FLAG_SAMEFIELDS) {
      k = nfields;
    } else {
      const n = lpInt(buf, p);
      if (!isInt(n) || n < 0) return null;
      k = n * 2;
      elems++;
      if (!next()) return null;
    }
    for (let i = 0; i < k; i++) {
      if (p >= end) return null;
      p = lpNext(buf, p);
      elems++;
    }
    if (p >= end) return null;
    if (lpInt(buf, p) !== elems) return null;
    p = lpNext(buf, p);
    if (startEntry === p) return null;
    if (flags & FLAG_DELETED) dead++;
    else live++;
  }
  if (live !== count || dead !== deleted || live === 0) return null;
  return live;
}

/**
 * Nodes of a Redis rax holding `keys` (sorted, distinct, equal length), as
 * raxInsert builds it: a compressed node for each run of bytes with one
 * child, a branching node where keys diverge, and a node where a key ends.
 */
export function raxNodeCount(keys: string[]): number {
  if (keys.length === 0) return 1;
  // Count recursively over the sorted keys sharing a prefix of length d.
  const count = (lo: number, hi: number, d: number): number => {
    if (hi - lo === 1) {
      // One key left: a compressed node for the rest (if any) plus its end node.
      return d < keys[lo].length ? 2 : 1;
    }
    // Longest common prefix of keys[lo..hi) beyond d.
    let l = d;
    const a = keys[lo];
    const b = keys[hi - 1];
    while (l < a.length && a.charCodeAt(l) === b.charCodeAt(l)) l++;
    let nodes = l > d ? 1 : 0; // a compressed node for the shared run
    // The branching node at depth l, then its children.
    nodes += 1;
    let i = lo;
    while (i < hi) {
      let j = i + 1;
      while (j < hi && keys[j].charCodeAt(l) === keys[i].charCodeAt(l)) j++;
      nodes += count(i, j, l + 1) - 0;
      i = j;
    }
    return nodes;
  };
  return count(0, keys.length, 0);
}
