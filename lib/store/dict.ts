/**
 * A string-keyed dictionary with O(1) get/set/delete, O(1) random access and a
 * stateless scan cursor: the keyspace and large hashes use it.
 *
 * Entries live in two dense arrays (keys, values) indexed through a Map.
 * Deleting swaps the last entry into the hole. SCAN walks indexes downwards
 * from the top, so a swap only ever moves an already-visited entry (the last)
 * into a lower slot; an entry present for the whole scan is therefore
 * returned at least once, which is the guarantee Redis gives. Entries added
 * during the scan land above the cursor and may be missed, as Redis allows.
 */
export class Dict<V> {
  #index = new Map<string, number>();
  #keys: string[] = [];
  #vals: V[] = [];
  /**
   * Optional per-entry 32-bit stamp (the keyspace keeps its LRU clock / LFU
   * counter here): 4 bytes an entry instead of a wrapper object per value.
   */
  #stamps: Uint32Array | null;

  constructor(options: { stamps?: boolean } = {}) {
    this.#stamps = options.stamps ? new Uint32Array(16) : null;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** Index of `key` in storage order, or undefined. Valid until the next delete. */
  indexOf(key: string): number | undefined {
    return this.#index.get(key);
  }

  stampAt(i: number): number {
    return this.#stamps![i];
  }

  setStampAt(i: number, stamp: number): void {
    this.#stamps![i] = stamp;
  }

  get(key: string): V | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#vals[i];
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** Sets `key`; returns true when the key is new. */
  set(key: string, value: V): boolean {
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#vals[i] = value;
      return false;
    }
    const at = this.#keys.length;
    this.#index.set(key, at);
    this.#keys.push(key);
    this.#vals.push(value);
    if (this.#stamps) {
      if (at >= this.#stamps.length) {
        const grown = new Uint32Array(this.#stamps.length * 2);
        grown.set(this.#stamps);
        this.#stamps = grown;
      }
      this.#stamps[at] = 0;
    }
    return true;
  }

  /** Removes `key`; returns its value, or undefined when absent. */
  delete(key: string): V | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const value = this.#vals[i];
    this.#index.delete(key);
    const last = this.#keys.length - 1;
    if (i !== last) {
      const movedKey = this.#keys[last];
      this.#keys[i] = movedKey;
      this.#vals[i] = this.#vals[last];
      this.#index.set(movedKey, i);
      if (this.#stamps) this.#stamps[i] = this.#stamps[last];
    }
    this.#keys.pop();
    this.#vals.pop();
    return value;
  }

  clear(): void {
    this.#index = new Map();
    this.#keys = [];
    this.#vals = [];
    if (this.#stamps) this.#stamps = new Uint32Array(16);
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
