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
import { parseInt64 } from "../commands/args.ts";
import { Dict } from "./dict.ts";
import type { StoredObject } from "./keyspace.ts";

/** The intset limit, as read from the configuration. */
export interface SetLimits {
  /** set-max-intset-entries */
  maxIntsetEntries: number;
}

type IntArray = Int16Array | Int32Array | BigInt64Array;

/** Bytes per integer of Redis's intset encodings. */
export type IntsetWidth = 2 | 4 | 8;

/** The narrowest intset width that holds `v`. */
function widthOf(v: number | bigint): IntsetWidth {
  if (typeof v === "bigint") return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

function allocate(width: IntsetWidth, capacity: number): IntArray {
  return width === 2
    ? new Int16Array(capacity)
    : width === 4
    ? new Int32Array(capacity)
    : new BigInt64Array(capacity);
}

export class SetValue implements StoredObject {
  readonly type = "set";
  /** Intset form: sorted ascending in [0, #len) (null once a hashtable). */
  #is: IntArray | null;
  #len = 0;
  /** Hashtable form (null while an intset). */
  #ht: Dict<null> | null;

  /** An empty set, an intset unless `encoding` asks for a hashtable. */
  constructor(encoding: "intset" | "hashtable" = "intset") {
    if (encoding === "intset") {
      this.#is = new Int16Array(4);
      this.#ht = null;
    } else {
      this.#is = null;
      this.#ht = new Dict<null>();
    }
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
      copy.#is = this.#is.slice(0, Math.max(this.#len, 1));
      copy.#len = this.#len;
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
    return this.#is !== null ? this.#len : this.#ht!.size;
  }

  /**
   * Binary search of the intset for `v`: its position when present, else
   * -(insertion point) - 1.
   */
  #search(v: number | bigint): number {
    const is = this.#is!;
    let lo = 0;
    let hi = this.#len - 1;
    if (is instanceof BigInt64Array) {
      const b = BigInt(v);
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const m = is[mid];
        if (m < b) lo = mid + 1;
        else if (m > b) hi = mid - 1;
        else return mid;
      }
    } else {
      const n = v as number;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const m = is[mid];
        if (m < n) lo = mid + 1;
        else if (m > n) hi = mid - 1;
        else return mid;
      }
    }
    return -lo - 1;
  }

  /** Position of the integer member `v` in the intset, or -1. */
  #indexOfInt(v: number | bigint): number {
    if (widthOf(v) > this.intsetWidth()) return -1;
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
        if (this.#len > limits.maxIntsetEntries) this.#convert();
        return true;
      }
      this.#convert();
    }
    return this.#ht!.set(member, null);
  }

  /** Inserts `v` into the intset (widening it when needed); false when present. */
  #intsetAdd(v: number | bigint): boolean {
    const w = widthOf(v);
    if (w > this.intsetWidth()) {
      // A value wider than every member sorts before or after all of them.
      const old = this.#is!;
      const n = this.#len;
      const next = allocate(w, Math.max(n * 2, 4));
      const first = v < 0 ? 1 : 0;
      if (next instanceof BigInt64Array) {
        for (let i = 0; i < n; i++) next[i + first] = BigInt(old[i]);
        next[first ? 0 : n] = BigInt(v);
      } else {
        for (let i = 0; i < n; i++) next[i + first] = old[i] as number;
        next[first ? 0 : n] = v as number;
      }
      this.#is = next;
      this.#len = n + 1;
      return true;
    }
    const at = this.#search(v);
    if (at >= 0) return false;
    const pos = -at - 1;
    let is = this.#is!;
    const n = this.#len;
    if (n === is.length) {
      const bigger = allocate(this.intsetWidth() as IntsetWidth, Math.max(n * 2, 4));
      (bigger as Int32Array).set(is as Int32Array);
      this.#is = is = bigger;
    }
    is.copyWithin(pos + 1, pos, n);
    if (is instanceof BigInt64Array) is[pos] = BigInt(v);
    else is[pos] = v as number;
    this.#len = n + 1;
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
    const is = this.#is!;
    is.copyWithin(i, i + 1, this.#len);
    this.#len--;
    // Give memory back once mostly empty.
    if (is.length > 16 && this.#len * 4 < is.length) {
      this.#is = is.slice(0, is.length >> 1);
    }
  }

  /** Member at position `i` (0 <= i < size): ascending for an intset, storage order otherwise. */
  memberAt(i: number): string {
    return this.#is !== null ? String(this.#is[i]) : this.#ht!.keyAt(i);
  }

  /** Every member: ascending numeric order for an intset (as Redis), storage order otherwise. */
  members(): string[] {
    if (this.#is === null) return this.#ht!.keys().slice();
    const out = new Array<string>(this.#len);
    for (let i = 0; i < this.#len; i++) out[i] = String(this.#is[i]);
    return out;
  }

  /** Visits every member in members() order; `visit` must not modify the set. */
  forEach(visit: (member: string) => void): void {
    if (this.#is === null) {
      const keys = this.#ht!.keys();
      for (let i = 0; i < keys.length; i++) visit(keys[i]);
      return;
    }
    const is = this.#is;
    for (let i = 0; i < this.#len; i++) visit(String(is[i]));
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
    if (this.#is !== null) {
      const m = String(this.#is[i]);
      this.#removeAt(i);
      return m;
    }
    const m = this.#ht!.keyAt(i);
    this.#ht!.delete(m);
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
    const is = this.#is;
    if (is === null) return 0;
    return is instanceof Int16Array ? 2 : is instanceof Int32Array ? 4 : 8;
  }

  /**
   * The intset's members as int64s in ascending order (null for a
   * hashtable): what RDB's SET_INTSET blob holds.
   */
  intsetValues(): BigInt64Array | null {
    const is = this.#is;
    if (is === null) return null;
    const out = new BigInt64Array(this.#len);
    for (let i = 0; i < this.#len; i++) out[i] = BigInt(is[i]);
    return out;
  }

  /**
   * The intset serialized exactly as Redis's intset: u32 width, u32 length,
   * then the members ascending, all little-endian (null for a hashtable).
   */
  intsetBlob(): Uint8Array | null {
    const is = this.#is;
    if (is === null) return null;
    const w = this.intsetWidth() as IntsetWidth;
    const n = this.#len;
    const out = new Uint8Array(8 + n * w);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, w, true);
    dv.setUint32(4, n, true);
    for (let i = 0; i < n; i++) {
      if (w === 2) dv.setInt16(8 + i * 2, is[i] as number, true);
      else if (w === 4) dv.setInt32(8 + i * 4, is[i] as number, true);
      else dv.setBigInt64(8 + i * 8, is[i] as bigint, true);
    }
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
    const is = allocate(w, Math.max(n, 4));
    for (let i = 0; i < n; i++) {
      if (w === 2) is[i] = dv.getInt16(8 + i * 2, true);
      else if (w === 4) is[i] = dv.getInt32(8 + i * 4, true);
      else is[i] = dv.getBigInt64(8 + i * 8, true);
      if (i > 0 && is[i] <= is[i - 1]) return null;
    }
    const s = new SetValue();
    s.#is = is;
    s.#len = n;
    if (n > limits.maxIntsetEntries) s.#convert();
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
    const is = this.#is!;
    for (let i = 0; i < this.#len; i++) ht.set(String(is[i]), null);
    this.#ht = ht;
    this.#is = null;
    this.#len = 0;
  }
}
