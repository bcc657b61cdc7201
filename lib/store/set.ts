/**
 * Set values, in Redis 7.0's two representations:
 *
 * - "intset": the members are all integers as Redis's string2ll reads them
 *   ("-0", "+1", "01" are not), kept sorted in one packed typed array whose
 *   width grows as Redis's intset encoding does: 16, 32, then 64 bits
 *   (Int16Array, Int32Array, BigInt64Array: exact for the whole int64 range).
 * - "hashtable": a Dict (O(1) membership, random pick, stateless scan).
 *
 * An intset becomes a hashtable when a non-integer is added or when it holds
 * more than `set-max-intset-entries` members; like Redis, never back.
 */
import { parseInt64 } from "../util/int64.ts";
import { Dict } from "./dict.ts";
import type { StoredObject } from "./keyspace.ts";

/** The intset limit, as read from the configuration. */
export interface SetLimits {
  /** set-max-intset-entries */
  maxIntsetEntries: number;
}

/** Bytes per integer of Redis's intset encodings. */
export type IntsetWidth = 2 | 4 | 8;

const TWO32 = 4294967296;

/** The narrowest intset width that holds `v`. */
function widthOf(v: number | bigint): IntsetWidth {
  if (typeof v === "bigint") return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

/** Little-endian signed 32 bits at byte `p` of a packed string. */
function int32At(s: string, p: number): number {
  return s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8) | (s.charCodeAt(p + 2) << 16) |
    (s.charCodeAt(p + 3) << 24);
}

/** Little-endian signed 16 bits at byte `p` of a packed string. */
function int16At(s: string, p: number): number {
  return ((s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8)) << 16) >> 16;
}

/**
 * An int64 as its two 32-bit halves: the signed high word and the unsigned
 * low word, which compare in that order as the whole value does.
 */
function halves(v: number | bigint): [number, number] {
  if (typeof v === "bigint") {
    return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
  }
  const hi = Math.floor(v / TWO32);
  return [hi, v - hi * TWO32];
}

/** `v` packed in `w` little-endian bytes, one char per byte. */
function pack(v: number | bigint, w: IntsetWidth): string {
  if (w === 8) {
    const [hi, lo] = halves(v);
    return pack32(lo) + pack32(hi);
  }
  const n = v as number;
  return w === 2 ? String.fromCharCode(n & 255, (n >> 8) & 255) : pack32(n);
}

function pack32(n: number): string {
  return String.fromCharCode(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
}

/** A flat one-byte string of `bytes` (fromCharCode in chunks: argument counts are bounded). */
function bytesToString(bytes: Uint8Array): string {
  const CHUNK = 8192;
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(
      String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]),
    );
  }
  return parts.join("");
}

export class SetValue implements StoredObject {
  /**
   * Intset form: the members ascending, each in `#w` little-endian bytes,
   * one char per byte: Redis's intset contents, about as compact in V8 (a
   * flat string costs a 16-byte header; a typed array, some 170 bytes of
   * objects). Immutable, so a clone shares it. Null once a hashtable.
   */
  #is: string | null;
  #w: IntsetWidth = 2;
  /** Hashtable form (null while an intset). */
  #ht: Dict<null> | null;

  /** An empty set, an intset unless `encoding` asks for a hashtable. */
  constructor(encoding: "intset" | "hashtable" = "intset") {
    if (encoding === "intset") {
      this.#is = "";
      this.#ht = null;
    } else {
      this.#is = null;
      this.#ht = new Dict<null>();
    }
  }

  /** On the prototype, not in every instance: small sets are many. */
  get type(): "set" {
    return "set";
  }

  encoding(): "intset" | "hashtable" {
    return this.#is !== null ? "intset" : "hashtable";
  }

  get isIntset(): boolean {
    return this.#is !== null;
  }

  clone(): SetValue {
    if (this.#is !== null) {
      const copy = new SetValue();
      copy.#is = this.#is;
      copy.#w = this.#w;
      return copy;
    }
    const copy = new SetValue("hashtable");
    const ht = copy.#ht!;
    const keys = this.#ht!.keys();
    for (let i = 0; i < keys.length; i++) ht.set(keys[i], null);
    return copy;
  }

  /** Number of members. */
  get size(): number {
    return this.#is !== null ? this.#is.length / this.#w : this.#ht!.size;
  }

  /** The intset member at position `i`, as a number (exact within 2^53). */
  #num(i: number): number {
    const s = this.#is!;
    const w = this.#w;
    if (w === 2) return int16At(s, i * 2);
    if (w === 4) return int32At(s, i * 4);
    return int32At(s, i * 8 + 4) * TWO32 + (int32At(s, i * 8) >>> 0);
  }

  /** The intset member at position `i`, exact (a bigint past 2^53). */
  #int(i: number): number | bigint {
    if (this.#w !== 8) return this.#num(i);
    const s = this.#is!;
    const hi = int32At(s, i * 8 + 4);
    const lo = int32At(s, i * 8) >>> 0;
    // |hi| < 2^21 keeps hi * 2^32 + lo within 2^53.
    if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + lo;
    return BigInt(hi) * 4294967296n + BigInt(lo);
  }

  /**
   * Binary search of the intset for `v` (no wider than the intset): its
   * position when present, else -(insertion point) - 1.
   */
  #search(v: number | bigint): number {
    const s = this.#is!;
    let lo = 0;
    let hi = s.length / this.#w - 1;
    if (this.#w === 8) {
      const [vh, vl] = halves(v);
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const mh = int32At(s, mid * 8 + 4);
        const ml = int32At(s, mid * 8) >>> 0;
        if (mh < vh || (mh === vh && ml < vl)) lo = mid + 1;
        else if (mh > vh || ml > vl) hi = mid - 1;
        else return mid;
      }
    } else {
      const n = v as number;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const m = this.#num(mid);
        if (m < n) lo = mid + 1;
        else if (m > n) hi = mid - 1;
        else return mid;
      }
    }
    return -lo - 1;
  }

  /** Position of the integer member `v` in the intset, or -1. */
  #indexOfInt(v: number | bigint): number {
    if (widthOf(v) > this.#w) return -1;
    const i = this.#search(v);
    return i < 0 ? -1 : i;
  }

  has(member: string): boolean {
    if (this.#is === null) return this.#ht!.has(member);
    const v = parseInt64(member);
    return v !== null && this.#indexOfInt(v) >= 0;
  }

  /**
   * Adds `member`; true when it is new. An intset becomes a hashtable when
   * the member is not an integer or the set outgrows the intset limit.
   */
  add(member: string, limits: SetLimits): boolean {
    if (this.#is !== null) {
      const v = parseInt64(member);
      if (v !== null) {
        if (!this.#intsetAdd(v)) return false;
        // Redis caps the limit at 2^30 entries (an intset's own bound).
        if (this.size > Math.min(limits.maxIntsetEntries, 1 << 30)) this.#convert();
        return true;
      }
      this.#convert();
    }
    return this.#ht!.set(member, null);
  }

  /** Inserts `v` into the intset (widening it when needed); false when present. */
  #intsetAdd(v: number | bigint): boolean {
    const w = widthOf(v);
    const s = this.#is!;
    if (w > this.#w) {
      // A value wider than every member sorts before or after all of them.
      const n = s.length / this.#w;
      const parts: string[] = [];
      if (v < 0) parts.push(pack(v, w));
      for (let i = 0; i < n; i++) parts.push(pack(this.#int(i), w));
      if (v >= 0) parts.push(pack(v, w));
      this.#is = parts.join("");
      this.#w = w;
      return true;
    }
    const at = this.#search(v);
    if (at >= 0) return false;
    const p = (-at - 1) * this.#w;
    // join makes a flat string; `+` would leave a cons string of three pieces.
    this.#is = [s.slice(0, p), pack(v, this.#w), s.slice(p)].join("");
    return true;
  }

  /** Removes `member`; true when it was present. */
  delete(member: string): boolean {
    if (this.#is === null) return this.#ht!.delete(member) !== undefined;
    const v = parseInt64(member);
    if (v === null) return false;
    const i = this.#indexOfInt(v);
    if (i < 0) return false;
    this.#removeAt(i);
    return true;
  }

  #removeAt(i: number): void {
    const s = this.#is!;
    const w = this.#w;
    this.#is = [s.slice(0, i * w), s.slice((i + 1) * w)].join("");
  }

  /** Member at position `i` (0 <= i < size): ascending for an intset, storage order otherwise. */
  memberAt(i: number): string {
    return this.#is !== null ? String(this.#int(i)) : this.#ht!.keyAt(i);
  }

  /** Every member: ascending numeric order for an intset (as Redis), storage order otherwise. */
  members(): string[] {
    if (this.#is === null) return this.#ht!.keys().slice();
    const n = this.size;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = String(this.#int(i));
    return out;
  }

  /** Visits every member in members() order; `visit` must not modify the set. */
  forEach(visit: (member: string) => void): void {
    if (this.#is === null) {
      const keys = this.#ht!.keys();
      for (let i = 0; i < keys.length; i++) visit(keys[i]);
      return;
    }
    const n = this.size;
    for (let i = 0; i < n; i++) visit(String(this.#int(i)));
  }

  /** A uniformly random position, or -1 when empty. */
  randomIndex(): number {
    const n = this.size;
    return n === 0 ? -1 : Math.floor(Math.random() * n);
  }

  /** A uniformly random member, or undefined when empty. */
  randomMember(): string | undefined {
    const i = this.randomIndex();
    return i < 0 ? undefined : this.memberAt(i);
  }

  /** Removes and returns a uniformly random member (undefined when empty). */
  popRandom(): string | undefined {
    const i = this.randomIndex();
    if (i < 0) return undefined;
    const m = this.memberAt(i);
    if (this.#is !== null) this.#removeAt(i);
    else this.#ht!.delete(m);
    return m;
  }

  /**
   * One SSCAN step. An intset is returned whole with cursor 0 (whatever the
   * cursor), as Redis does; a hashtable visits about `count` members and
   * returns the cursor to continue with (0 when done).
   */
  scan(cursor: bigint, count: number, visit: (member: string) => void): bigint {
    if (this.#is !== null) {
      this.forEach(visit);
      return 0n;
    }
    return this.#ht!.scan(cursor, count, visit);
  }

  /** Intset width in bytes (2, 4 or 8); 0 for a hashtable. */
  intsetWidth(): IntsetWidth | 0 {
    return this.#is === null ? 0 : this.#w;
  }

  /**
   * The intset's members as int64s in ascending order (null for a
   * hashtable): what RDB's SET_INTSET blob holds.
   */
  intsetValues(): BigInt64Array | null {
    if (this.#is === null) return null;
    const n = this.size;
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(this.#int(i));
    return out;
  }

  /**
   * The intset serialized exactly as Redis's intset: u32 width, u32 length,
   * then the members ascending, all little-endian (null for a hashtable).
   */
  intsetBlob(): Uint8Array | null {
    const s = this.#is;
    if (s === null) return null;
    const out = new Uint8Array(8 + s.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, this.#w, true);
    dv.setUint32(4, this.size, true);
    for (let i = 0; i < s.length; i++) out[8 + i] = s.charCodeAt(i);
    return out;
  }

  /**
   * Reads an intset blob (see intsetBlob) as RDB load does: null unless the
   * width is 2, 4 or 8, the length matches the size and the members strictly
   * ascend. Converted to a hashtable when longer than the intset limit.
   */
  static fromIntsetBlob(blob: Uint8Array, limits: SetLimits): SetValue | null {
    if (blob.length < 8) return null;
    const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const w = dv.getUint32(0, true);
    const n = dv.getUint32(4, true);
    if ((w !== 2 && w !== 4 && w !== 8) || blob.length !== 8 + n * w) return null;
    const s = new SetValue();
    s.#is = bytesToString(blob.subarray(8));
    s.#w = w;
    for (let i = 1; i < n; i++) {
      const a = s.#int(i - 1);
      const b = s.#int(i);
      if (b <= a) return null;
    }
    if (n > Math.min(limits.maxIntsetEntries, 1 << 30)) s.#convert();
    return s;
  }

  /**
   * Builds a set from members as RDB load does (also fit for SORT STORE ...):
   * a hashtable from the start when there are more members than the intset
   * limit, else an intset converted by the usual rules. Null when a member
   * repeats.
   */
  static fromMembers(members: string[], limits: SetLimits): SetValue | null {
    const s = new SetValue(members.length > limits.maxIntsetEntries ? "hashtable" : "intset");
    for (let i = 0; i < members.length; i++) {
      if (!s.add(members[i], limits)) return null;
    }
    return s;
  }

  #convert(): void {
    const ht = new Dict<null>();
    const n = this.size;
    for (let i = 0; i < n; i++) ht.set(String(this.#int(i)), null);
    this.#ht = ht;
    this.#is = null;
  }
}
