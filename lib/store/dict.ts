/**
 * A string-keyed dictionary with O(1) get/set/delete, O(1) random access and a
 * stateless scan cursor: the keyspace and large hashes use it.
 *
 * Entries live in dense arrays (keys, values, hashes) indexed through an
 * open-addressing table (linear probing, at most half full) of entry
 * numbers. The hash is computed here, not by a JS Map: a Map hashes each
 * fresh key string (every key parsed off the wire or out of an RDB file)
 * in the runtime, which measured about 150 ns a key, more than the rest of
 * a GET's lookup; this hash costs about 1-2 ns a byte, and the table 12 bytes
 * an entry against a Map's 28 or more.
 *
 * Deleting swaps the last entry into the hole. SCAN walks indexes downwards
 * from the top, so a swap only ever moves an already-visited entry (the last)
 * into a lower slot; an entry present for the whole scan is therefore
 * returned at least once, which is the guarantee Redis gives. Entries added
 * during the scan land above the cursor and may be missed, as Redis allows.
 */

/** Per-process random seed, so that colliding keys cannot be computed offline. */
const SEED = (Math.random() * 0x100000000) | 0;

/** 32-bit seeded hash of a (binary) string: a murmur-style mix per character. */
export function strHash(s: string): number {
  const n = s.length;
  let h = SEED ^ n;
  for (let i = 0; i < n; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const MIN_SLOTS = 16;

export class Dict<V> {
  /** Entry number + 1 per slot, 0 for an empty slot; length is a power of two. */
  #slots = new Int32Array(MIN_SLOTS);
  #mask = MIN_SLOTS - 1;
  /** strHash of each entry's key (probing and growing need no rehash). */
  #hashes = new Int32Array(MIN_SLOTS);
  #keys: string[] = [];
  #vals: V[] = [];
  /**
   * Optional per-entry 32-bit stamp (the keyspace keeps its LRU clock / LFU
   * counter here): 4 bytes an entry instead of a wrapper object per value.
   */
  #stamps: Uint32Array | null;
  /**
   * Optional per-entry accounted size in bytes (the keyspace's memory
   * accounting, lib/server/memory.ts), summed in `bytes`.
   */
  #sizes: Uint32Array | null;
  /** Sum of the entries' accounted sizes (0 without sizes). */
  bytes = 0;
  /** Index of the entry the last set() stored (saves a second lookup). */
  lastIndex = -1;

  constructor(options: { stamps?: boolean; sizes?: boolean } = {}) {
    this.#stamps = options.stamps ? new Uint32Array(MIN_SLOTS) : null;
    this.#sizes = options.sizes ? new Uint32Array(MIN_SLOTS) : null;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Slot holding `key` (hash `h`), or -1. */
  #slotOf(key: string, h: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let p = h & mask;; p = (p + 1) & mask) {
      const e = slots[p];
      if (e === 0) return -1;
      if (this.#hashes[e - 1] === h && this.#keys[e - 1] === key) return p;
    }
  }

  /** Slot holding entry number `i`. */
  #slotOfEntry(i: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let p = this.#hashes[i] & mask;; p = (p + 1) & mask) {
      if (slots[p] === i + 1) return p;
    }
  }

  /** Index of `key` in storage order, or undefined. Valid until the next delete. */
  indexOf(key: string): number | undefined {
    const h = strHash(key);
    const slots = this.#slots;
    const mask = this.#mask;
    for (let p = h & mask;; p = (p + 1) & mask) {
      const e = slots[p];
      if (e === 0) return undefined;
      if (this.#hashes[e - 1] === h && this.#keys[e - 1] === key) return e - 1;
    }
  }

  stampAt(i: number): number {
    return this.#stamps![i];
  }

  setStampAt(i: number, stamp: number): void {
    this.#stamps![i] = stamp;
  }

  /** Accounted size of entry `i` (0 unless the dict keeps sizes). */
  sizeAt(i: number): number {
    return this.#sizes![i];
  }

  /** Sets the accounted size of entry `i`, keeping `bytes` the sum. */
  setSizeAt(i: number, size: number): void {
    const sizes = this.#sizes!;
    // Saturate rather than wrap: a 4 GB+ single value is then under-counted.
    const n = size > 0xffffffff ? 0xffffffff : size;
    this.bytes += n - sizes[i];
    sizes[i] = n;
  }

  get(key: string): V | undefined {
    const i = this.indexOf(key);
    return i === undefined ? undefined : this.#vals[i];
  }

  has(key: string): boolean {
    return this.indexOf(key) !== undefined;
  }

  /** Sets `key`; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const h = strHash(key);
    let slots = this.#slots;
    let mask = this.#mask;
    let p = h & mask;
    for (;; p = (p + 1) & mask) {
      const e = slots[p];
      if (e === 0) break;
      if (this.#hashes[e - 1] === h && this.#keys[e - 1] === key) {
        this.#vals[e - 1] = value;
        this.lastIndex = e - 1;
        return false;
      }
    }
    const at = this.#keys.length;
    if ((at + 1) * 2 > slots.length) {
      this.#resize(slots.length * 2);
      slots = this.#slots;
      mask = this.#mask;
      for (p = h & mask; slots[p] !== 0; p = (p + 1) & mask);
    }
    slots[p] = at + 1;
    this.#keys.push(key);
    this.#vals.push(value);
    if (at >= this.#hashes.length) this.#hashes = grow(this.#hashes, this.#hashes.length * 2);
    this.#hashes[at] = h;
    if (this.#stamps) {
      if (at >= this.#stamps.length) this.#stamps = grow(this.#stamps, this.#stamps.length * 2);
      this.#stamps[at] = 0;
    }
    if (this.#sizes) {
      if (at >= this.#sizes.length) this.#sizes = grow(this.#sizes, this.#sizes.length * 2);
      this.#sizes[at] = 0;
    }
    this.lastIndex = at;
    return true;
  }

  /** Rebuilds the slot table with `size` slots (a power of two). */
  #resize(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    const hashes = this.#hashes;
    const n = this.#keys.length;
    for (let i = 0; i < n; i++) {
      let p = hashes[i] & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = i + 1;
    }
    this.#slots = slots;
    this.#mask = mask;
  }

  /** Empties slot `p`, shifting back later entries of its probe run (no tombstones). */
  #clearSlot(p: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let hole = p;
    for (let q = (p + 1) & mask; slots[q] !== 0; q = (q + 1) & mask) {
      const home = this.#hashes[slots[q] - 1] & mask;
      // The entry at q may fill the hole unless its home lies after the hole.
      if (((q - home) & mask) >= ((q - hole) & mask)) {
        slots[hole] = slots[q];
        hole = q;
      }
    }
    slots[hole] = 0;
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: string): V | undefined {
    const p = this.#slotOf(key, strHash(key));
    if (p < 0) return undefined;
    const i = this.#slots[p] - 1;
    const value = this.#vals[i];
    const sizes = this.#sizes;
    if (sizes !== null) this.bytes -= sizes[i];
    this.#clearSlot(p);
    const last = this.#keys.length - 1;
    if (i !== last) {
      this.#slots[this.#slotOfEntry(last)] = i + 1;
      this.#keys[i] = this.#keys[last];
      this.#vals[i] = this.#vals[last];
      this.#hashes[i] = this.#hashes[last];
      if (this.#stamps) this.#stamps[i] = this.#stamps[last];
      if (sizes !== null) sizes[i] = sizes[last];
    }
    this.#keys.pop();
    this.#vals.pop();
    // Give memory back once mostly empty, as Redis shrinks its tables.
    if (this.#slots.length > MIN_SLOTS && last * 8 < this.#slots.length) {
      this.#resize(this.#slots.length / 2);
    }
    return value;
  }

  clear(): void {
    this.#slots = new Int32Array(MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
    this.#hashes = new Int32Array(MIN_SLOTS);
    this.#keys = [];
    this.#vals = [];
    if (this.#stamps) this.#stamps = new Uint32Array(MIN_SLOTS);
    if (this.#sizes) this.#sizes = new Uint32Array(MIN_SLOTS);
    this.bytes = 0;
  }

  /** Copies of the entry arrays as they are now (a snapshot's frozen view). */
  frozenCopy(withStamps: boolean): {
    keys: string[];
    values: V[];
    stamps: Uint32Array | null;
  } {
    return {
      keys: this.#keys.slice(),
      values: this.#vals.slice(),
      stamps: withStamps && this.#stamps ? this.#stamps.slice(0, this.#keys.length) : null,
    };
  }

  keyAt(i: number): string {
    return this.#keys[i];
  }

  valueAt(i: number): V {
    return this.#vals[i];
  }

  /** A uniformly random index, or -1 when empty. */
  randomIndex(): number {
    const n = this.#keys.length;
    return n === 0 ? -1 : Math.floor(Math.random() * n);
  }

  /** Live view of the keys, in storage order (not to be modified). */
  keys(): readonly string[] {
    return this.#keys;
  }

  /**
   * Visits up to `count` entries starting at `cursor` (0 starts a new scan)
   * and returns the cursor to continue with, 0 when the scan is complete.
   * `visit` must not modify the dict; collect keys and act afterwards.
   */
  scan(cursor: bigint, count: number, visit: (key: string, value: V) => void): bigint {
    const n = this.#keys.length;
    let pos = cursor === 0n ? n - 1 : Number(cursor > BigInt(n) ? BigInt(n) : cursor) - 1;
    for (let seen = 0; pos >= 0 && seen < count; pos--, seen++) {
      visit(this.#keys[pos], this.#vals[pos]);
    }
    return pos < 0 ? 0n : BigInt(pos + 1);
  }
}

/** A copy of `a` with room for `size` elements. */
function grow<T extends Int32Array | Uint32Array>(a: T, size: number): T {
  const next = new (a.constructor as new (n: number) => T)(size);
  next.set(a);
  return next;
}
