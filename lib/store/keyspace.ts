/**
 * The keyspace: numbered databases of typed values with millisecond expiry.
 *
 * Values: a plain binary string is a string value (compact: no wrapper
 * object); anything else is a StoredObject (hashes, appended strings, and the
 * later list/set/zset types) that names its own type and encoding.
 */
import { Dict } from "./dict.ts";
import { Lock } from "./lock.ts";

export type TypeName = "string" | "hash" | "list" | "set" | "zset" | "stream";

/** A value that is not a plain immutable string. */
export interface StoredObject {
  readonly type: TypeName;
  /** Redis's name for the representation in use (OBJECT ENCODING). */
  encoding(): string;
  /** A deep copy (COPY). */
  clone(): StoredObject;
}

export type Value = string | StoredObject;

export function typeOf(v: Value): TypeName {
  return typeof v === "string" ? "string" : v.type;
}

/** Counters Redis reports under INFO stats. */
export class KeyspaceStats {
  expiredKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  /** Sum over active expiry cycles of the fraction of sampled keys that were stale. */
  expiredStalePerc = 0;
  expireCycleCpuMs = 0;
}

/** Seconds clock for the per-key access stamp (OBJECT IDLETIME). */
export function lruClock(now = Date.now()): number {
  return Math.floor(now / 1000) >>> 0;
}

export class Db {
  // Not readonly: SWAPDB exchanges contents in O(1) by swapping these.
  dict = new Dict<Value>({ stamps: true });
  /** Absolute expiry (ms since the epoch) of keys that have one. */
  expires = new Map<string, number>();
  /** Where the active expiry cycle resumes. */
  expireCursor: Iterator<[string, number]> | null = null;
  /** Hook for access stamps (LRU clock or LFU counter); set by the keyspace. */
  touchHook: (db: Db, index: number) => void = defaultTouch;

  constructor(readonly id: number, readonly stats: KeyspaceStats) {}

  get size(): number {
    return this.dict.size;
  }

  /**
   * The live value of `key`, deleting it first if it has expired. Does not
   * count hits or misses and does not touch the access stamp.
   */
  peek(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** Lookup for commands that read: counts a hit or a miss, touches the key. */
  lookupRead(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) {
      this.stats.keyspaceMisses++;
      return undefined;
    }
    const i = this.dict.indexOf(key);
    if (i === undefined) {
      this.stats.keyspaceMisses++;
      return undefined;
    }
    this.stats.keyspaceHits++;
    this.touchHook(this, i);
    return this.dict.valueAt(i);
  }

  /** Lookup for commands that write: touches the key, no hit/miss counting. */
  lookupWrite(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    const i = this.dict.indexOf(key);
    if (i === undefined) return undefined;
    this.touchHook(this, i);
    return this.dict.valueAt(i);
  }

  /** True when `key` exists (and has not expired). */
  exists(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /**
   * Stores `value` at `key`. An existing expiry is dropped unless `keepTtl`.
   * The access stamp is refreshed, as Redis does for a new object.
   */
  set(key: string, value: Value, keepTtl = false): void {
    this.dict.set(key, value);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    this.touchHook(this, this.dict.indexOf(key)!);
  }

  /**
   * Replaces the value of an existing key in place (same expiry, same
   * stamp): for commands that modify a value, like APPEND or HSET.
   */
  replace(key: string, value: Value): void {
    this.dict.set(key, value);
  }

  /** Deletes `key`; true if it existed. */
  delete(key: string): boolean {
    if (this.dict.delete(key) === undefined) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /** Absolute expiry in ms, or -1 when the key has none. */
  getExpire(key: string): number {
    return this.expires.get(key) ?? -1;
  }

  /** Sets the absolute expiry (ms) of an existing key. */
  setExpire(key: string, at: number): void {
    this.expires.set(key, at);
  }

  /** Removes the expiry of `key`; true if it had one. */
  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  /** A random live key, or null when the database is empty. */
  randomKey(): string | null {
    // Like Redis, give up on skipping expired keys after many tries and
    // let expiry reclaim them; a key is still deleted on each miss.
    for (let tries = 0; tries < 100; tries++) {
      const i = this.dict.randomIndex();
      if (i < 0) return null;
      const key = this.dict.keyAt(i);
      if (this.peek(key) !== undefined) return key;
    }
    return null;
  }

  /** Removes every key. */
  flush(): void {
    this.dict.clear();
    this.expires.clear();
    this.expireCursor = null;
  }

  /** Deletes `key` if its time has come; true when it was deleted. */
  #expireIfNeeded(key: string): boolean {
    const at = this.expires.get(key);
    if (at === undefined || at > Date.now()) return false;
    this.delete(key);
    this.stats.expiredKeys++;
    return true;
  }

  /**
   * One slice of active expiry: samples keys with an expiry (20 at a time)
   * and deletes the stale ones, repeating while more than 10% of a sample was
   * stale, as Redis's activeExpireCycle does. Returns the keys deleted.
   */
  activeExpire(now: number, deadline: number): number {
    let deleted = 0;
    let wrapped = false;
    for (;;) {
      if (this.expires.size === 0) break;
      let sampled = 0;
      let stale = 0;
      while (sampled < 20) {
        const cursor: Iterator<[string, number]> = this.expireCursor ??
          this.expires.entries();
        this.expireCursor = cursor;
        const next = cursor.next();
        if (next.done) {
          this.expireCursor = null;
          if (wrapped) break;
          wrapped = true;
          continue;
        }
        sampled++;
        const [key, at] = next.value;
        if (at <= now) {
          this.delete(key);
          this.stats.expiredKeys++;
          stale++;
        }
      }
      deleted += stale;
      if (sampled === 0 || stale * 10 <= sampled) break;
      if (performance.now() > deadline) break;
    }
    return deleted;
  }
}

function defaultTouch(db: Db, i: number): void {
  db.dict.setStampAt(i, lruClock());
}

export class Keyspace {
  readonly dbs: Db[];
  readonly stats = new KeyspaceStats();
  /** Guards work that spans awaits against writers (see lock.ts). */
  readonly lock = new Lock();
  /** Changes since the last save (INFO rdb_changes_since_last_save). */
  dirty = 0;

  constructor(databases: number) {
    this.dbs = Array.from({ length: databases }, (_, i) => new Db(i, this.stats));
  }

  /** Swaps the contents of two databases (SWAPDB); clients keep their Db. */
  swap(a: number, b: number): void {
    const dbA = this.dbs[a];
    const dbB = this.dbs[b];
    [dbA.dict, dbB.dict] = [dbB.dict, dbA.dict];
    [dbA.expires, dbB.expires] = [dbB.expires, dbA.expires];
    dbA.expireCursor = dbB.expireCursor = null;
  }

  flushAll(): void {
    for (const db of this.dbs) db.flush();
  }

  /** Keys across all databases. */
  get totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /**
   * Active expiry over all databases within a time budget (ms), resuming
   * where the last cycle stopped.
   */
  activeExpireCycle(budgetMs: number): number {
    const start = performance.now();
    const deadline = start + budgetMs;
    const now = Date.now();
    let deleted = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      deleted += db.activeExpire(now, deadline);
      if (performance.now() > deadline) break;
    }
    this.stats.expireCycleCpuMs += performance.now() - start;
    return deleted;
  }
}
