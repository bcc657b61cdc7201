/**
 * Hash values, in Redis's two representations:
 *
 * - "listpack": a flat array [f1, v1, f2, v2, ...] in insertion order,
 *   searched linearly. Compact, and it replies in the order Redis does.
 * - "hashtable": a Dict<string> (O(1) access, random pick, stateless scan).
 *
 * A hash starts as a listpack and becomes a hashtable once it holds more
 * than `hash-max-listpack-entries` fields or a field or value longer than
 * `hash-max-listpack-value` bytes; like Redis, it never converts back. The
 * limits are passed in by the callers (they come from the configuration).
 */
import { Dict } from "./dict.ts";
import type { StoredObject } from "./keyspace.ts";

/** The two listpack limits, as read from the configuration. */
export interface HashLimits {
  /** hash-max-listpack-entries */
  maxEntries: number;
  /** hash-max-listpack-value */
  maxValue: number;
}

export class HashValue implements StoredObject {
  readonly type = "hash";
  /** Listpack form: field, value, field, value, ... (null once converted). */
  #lp: string[] | null = [];
  /** Hashtable form (null while a listpack). */
  #ht: Dict<string> | null = null;

  encoding(): "listpack" | "hashtable" {
    return this.#lp !== null ? "listpack" : "hashtable";
  }

  get isListpack(): boolean {
    return this.#lp !== null;
  }

  clone(): HashValue {
    const copy = new HashValue();
    if (this.#lp !== null) {
      copy.#lp = this.#lp.slice();
    } else {
      const ht = new Dict<string>();
      const src = this.#ht!;
      for (let i = 0; i < src.size; i++) ht.set(src.keyAt(i), src.valueAt(i));
      copy.#lp = null;
      copy.#ht = ht;
    }
    return copy;
  }

  /**
   * Heap bytes of the listpack form's field and value strings (-1 for a
   * hashtable): memory accounting, in one tight pass.
   */
  listpackStringBytes(): number {
    const lp = this.#lp;
    if (lp === null) return -1;
    let n = 0;
    for (let i = 0; i < lp.length; i++) n += 16 + ((lp[i].length + 7) & ~7);
    return n;
  }

  /** Number of fields. */
  get size(): number {
    return this.#lp !== null ? this.#lp.length >> 1 : this.#ht!.size;
  }

  /** Position of `field` in the listpack array (even index), or -1. */
  #find(field: string): number {
    const lp = this.#lp!;
    for (let i = 0; i < lp.length; i += 2) {
      if (lp[i] === field) return i;
    }
    return -1;
  }

  get(field: string): string | undefined {
    if (this.#lp === null) return this.#ht!.get(field);
    const i = this.#find(field);
    return i < 0 ? undefined : this.#lp[i + 1];
  }

  has(field: string): boolean {
    if (this.#lp === null) return this.#ht!.has(field);
    return this.#find(field) >= 0;
  }

  /**
   * Converts a listpack to a hashtable when any of args[from..to] (fields and
   * values about to be written) is longer than the listpack value limit.
   * HSET, HMSET and HSETNX call it before writing.
   */
  tryConversion(args: string[], from: number, to: number, limits: HashLimits): void {
    if (this.#lp === null) return;
    for (let i = from; i <= to; i++) {
      if (args[i].length > limits.maxValue) {
        this.#convert();
        return;
      }
    }
  }

  /**
   * Sets `field` to `value`; true when the field is new. A listpack becomes
   * a hashtable when the pair is too long for it or the hash too large.
   */
  set(field: string, value: string, limits: HashLimits): boolean {
    let lp = this.#lp;
    if (lp !== null && (field.length > limits.maxValue || value.length > limits.maxValue)) {
      this.#convert();
      lp = null;
    }
    if (lp === null) return this.#ht!.set(field, value);
    const i = this.#find(field);
    let created = false;
    if (i >= 0) {
      lp[i + 1] = value;
    } else {
      lp.push(field, value);
      created = true;
    }
    if (lp.length >> 1 > limits.maxEntries) this.#convert();
    return created;
  }

  /** Removes `field`; true when it existed. */
  delete(field: string): boolean {
    if (this.#lp === null) return this.#ht!.delete(field) !== undefined;
    const i = this.#find(field);
    if (i < 0) return false;
    this.#lp.splice(i, 2);
    return true;
  }

  /**
   * Field at position `i` (0 <= i < size) in iteration order: insertion
   * order for a listpack, storage order for a hashtable.
   */
  fieldAt(i: number): string {
    return this.#lp !== null ? this.#lp[i * 2] : this.#ht!.keyAt(i);
  }

  /** Value at position `i` (see fieldAt). */
  valueAt(i: number): string {
    return this.#lp !== null ? this.#lp[i * 2 + 1] : this.#ht!.valueAt(i);
  }

  /** A uniformly random position, or -1 when empty. */
  randomIndex(): number {
    const n = this.size;
    return n === 0 ? -1 : Math.floor(Math.random() * n);
  }

  /** Visits every pair in iteration order; `visit` must not modify the hash. */
  forEach(visit: (field: string, value: string) => void): void {
    const n = this.size;
    for (let i = 0; i < n; i++) visit(this.fieldAt(i), this.valueAt(i));
  }

  /**
   * One HSCAN step. A listpack is returned whole with cursor 0 (whatever the
   * cursor), as Redis does; a hashtable visits about `count` pairs and
   * returns the cursor to continue with (0 when done).
   */
  scan(
    cursor: bigint,
    count: number,
    visit: (field: string, value: string) => void,
  ): bigint {
    if (this.#lp !== null) {
      this.forEach(visit);
      return 0n;
    }
    return this.#ht!.scan(cursor, count, visit);
  }

  #convert(): void {
    const lp = this.#lp!;
    const ht = new Dict<string>();
    for (let i = 0; i < lp.length; i += 2) ht.set(lp[i], lp[i + 1]);
    this.#ht = ht;
    this.#lp = null;
  }
}
