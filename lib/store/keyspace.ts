/**
 * The keyspace: numbered databases of typed values with millisecond expiry.
 *
 * Values: a plain binary string is a string value (compact: no wrapper
 * object); anything else is a StoredObject (hashes, appended strings, and the
 * later list/set/zset types) that names its own type and encoding.
 */
import { Dict } from "./dict.ts";
import { Lock } from "./lock.ts";
import { entryBytes, KEYSPACE_ENTRY, stringBytes } from "./size.ts";
import { type Notifier, NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from "./notify.ts";

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
  /** Active expiry cycles that stopped at their time limit (INFO expired_time_cap_reached_count). */
  expiredTimeCapReached = 0;
}

/** Seconds clock for the per-key access stamp (OBJECT IDLETIME). */
export function lruClock(now = Date.now()): number {
  return Math.floor(now / 1000) >>> 0;
}

/** Seconds since the access stamp `stamp` (LRU policy), as OBJECT IDLETIME reports. */
export function lruIdleSeconds(stamp: number, now = lruClock()): number {
  // The stamp is a 32-bit clock: a stamp "in the future" means it wrapped.
  return now >= stamp ? now - stamp : 0xffffffff - stamp + now;
}

/** Parameters of the LFU counter (lfu-log-factor, lfu-decay-time). */
export interface LfuParams {
  logFactor: number;
  decayTime: number;
}

/** Initial counter of a new key, so that it is not evicted at once. */
export const LFU_INIT_VAL = 5;

/** Minutes clock of the LFU stamp (16 bits, wraps about every 45 days). */
export function lfuMinutes(now = Date.now()): number {
  return Math.floor(now / 60000) & 0xffff;
}

/**
 * The LFU counter held in `stamp` ((minutes << 8) | counter), decremented by
 * one for every `decayTime` minutes since it was last updated.
 */
export function lfuDecayedCounter(stamp: number, decayTime: number, now = Date.now()): number {
  const counter = stamp & 0xff;
  if (decayTime <= 0) return counter;
  const then = (stamp >>> 8) & 0xffff;
  const minutes = lfuMinutes(now);
  const elapsed = minutes >= then ? minutes - then : 0xffff - then + minutes;
  const periods = Math.floor(elapsed / decayTime);
  return periods >= counter ? 0 : counter - periods;
}

/**
 * Logarithmic increment: the higher the counter, the less likely an access
 * raises it (probability 1 / ((counter - LFU_INIT_VAL) * logFactor + 1)).
 */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter >= 255) return 255;
  const base = Math.max(counter - LFU_INIT_VAL, 0);
  const p = 1 / (base * logFactor + 1);
  return Math.random() < p ? counter + 1 : counter;
}

/** The access policy of the keyspace: what stamps mean and how they change. */
export interface AccessPolicy {
  kind: "lru" | "lfu";
  /** Stamp of a key that was just read or written. */
  touch: (db: Db, index: number) => void;
  /** Stamp of a newly created value. */
  init: (db: Db, index: number) => void;
  /** Whether overwriting a key keeps its stamp (LFU keeps the counter). */
  keepOnOverwrite: boolean;
}

const LRU_POLICY: AccessPolicy = {
  kind: "lru",
  touch: defaultTouch,
  init: defaultTouch,
  keepOnOverwrite: false,
};

function lfuPolicy(params: LfuParams): AccessPolicy {
  const { logFactor, decayTime } = params;
  return {
    kind: "lfu",
    touch(db: Db, i: number): void {
      // The clock of the last cron tick, as Redis reads server.unixtime (a read per access costs).
      const now = db.keyspace.cachedNow;
      const counter = lfuLogIncr(lfuDecayedCounter(db.dict.stampAt(i), decayTime, now), logFactor);
      db.dict.setStampAt(i, (lfuMinutes(now) << 8) | counter);
    },
    init(db: Db, i: number): void {
      db.dict.setStampAt(i, (lfuMinutes(db.keyspace.cachedNow) << 8) | LFU_INIT_VAL);
    },
    keepOnOverwrite: true,
  };
}

/**
 * The keyspace as it was at one instant, for a snapshot that is written out
 * while commands keep running (see Keyspace.freeze).
 */
export interface FrozenDb {
  readonly id: number;
  readonly keys: readonly string[];
  readonly values: readonly Value[];
  /** Access stamps, when asked for (RDB IDLE/FREQ under an LRU/LFU policy). */
  readonly stamps: Uint32Array | null;
  /** Keys with an expiry at that instant. */
  readonly expiresCount: number;
  /** Absolute expiry of `key` at that instant (ms), or -1. */
  expireOf(key: string): number | bigint;
}

export interface FrozenKeyspace {
  readonly dbs: readonly FrozenDb[];
  /** Ends copy-on-write; the frozen view must not be used afterwards. */
  release(): void;
}

/**
 * Copy-on-write record of one expires map while a snapshot reads it: the
 * expiry each key had at the frozen instant, noted before its first change.
 */
class ExpireCow {
  readonly before = new Map<string, number | bigint>();
  constructor(readonly expires: Map<string, number>, readonly bigExpires: Map<string, bigint>) {}

  /** Expiry at the frozen instant. */
  expireOf(key: string): number | bigint {
    const noted = this.before.get(key);
    if (noted !== undefined) return noted;
    const at = this.expires.get(key);
    if (at === undefined) return -1;
    return at > Number.MAX_SAFE_INTEGER ? (this.bigExpires.get(key) ?? at) : at;
  }
}

export class Db {
  // Not readonly: SWAPDB exchanges contents in O(1) by swapping these.
  dict = new Dict<Value>({ stamps: true, sizes: true });
  /** Absolute expiry (ms since the epoch) of keys that have one. */
  expires = new Map<string, number>();
  /** Where the active expiry cycle resumes. */
  expireCursor: Iterator<[string, number]> | null = null;
  /**
   * Exact expiry of the rare keys whose expiry is past 2^53 ms (the number
   * in `expires` is then rounded); see getExpireExact.
   */
  bigExpires = new Map<string, bigint>();
  /** Hook for access stamps (LRU clock or LFU counter); set by the keyspace. */
  touchHook: (db: Db, index: number) => void = defaultTouch;
  /** Stamp of a new value; set by the keyspace with touchHook. */
  initHook: (db: Db, index: number) => void = defaultTouch;
  /** Overwriting a key keeps its stamp (LFU) instead of starting afresh (LRU). */
  keepStampOnOverwrite = false;

  /** Set while a snapshot reads the expires map (see Keyspace.freeze). */
  expireCow: ExpireCow | null = null;
  /** Objects a running snapshot does not share (copies made for writers); null when none runs. */
  ownedObjects: WeakSet<object> | null = null;

  constructor(readonly id: number, readonly stats: KeyspaceStats, readonly keyspace: Keyspace) {}

  get size(): number {
    return this.dict.size;
  }

  /**
   * Fires keyspace event `event` of class `cls` (a NOTIFY_* bit) for `key`
   * in this database, at the point Redis's notifyKeyspaceEvent would.
   */
  notify(cls: number, event: string, key: string): void {
    const n = this.keyspace.notifier;
    if (n !== null && (n.flags & cls) !== 0 && !this.keyspace.loading) n.fire(event, key, this.id);
  }

  /**
   * The live value of `key`, deleting it first if it has expired. Does not
   * count hits or misses and does not touch the access stamp.
   */
  peek(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /**
   * Lookup for commands that read: counts a hit or a miss, touches the key
   * unless `touch` is false (TYPE, TTL, EXISTS, OBJECT), fires "keymiss" on
   * a miss unless `notifyMiss` is false (OBJECT).
   */
  lookupRead(key: string, touch = true, notifyMiss = true): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key)) {
      this.stats.keyspaceMisses++;
      if (notifyMiss) this.notify(NOTIFY_KEY_MISS, "keymiss", key);
      return undefined;
    }
    const i = this.dict.indexOf(key);
    if (i === undefined) {
      this.stats.keyspaceMisses++;
      if (notifyMiss) this.notify(NOTIFY_KEY_MISS, "keymiss", key);
      return undefined;
    }
    this.stats.keyspaceHits++;
    if (touch) this.touchHook(this, i);
    return this.dict.valueAt(i);
  }

  /**
   * Lookup for commands that write: touches the key, no hit/miss counting.
   * While a snapshot runs, a mutable value it shares is copied first, so the
   * caller may change what it gets in place.
   */
  lookupWrite(key: string): Value | undefined {
    if (this.expires.size !== 0 && this.#expireIfNeeded(key, true)) return undefined;
    const i = this.dict.indexOf(key);
    if (i === undefined) return undefined;
    this.touchHook(this, i);
    this.keyspace.watched?.candidate(this, key);
    const v = this.dict.valueAt(i);
    // The caller may grow the value in place: re-estimate its size later.
    if (typeof v !== "string") this.keyspace.noteWrite(this.dict, key);
    const owned = this.ownedObjects;
    if (owned !== null && typeof v !== "string" && !owned.has(v)) {
      const copy = v.clone();
      owned.add(copy);
      this.dict.set(key, copy);
      return copy;
    }
    return v;
  }

  /** True when `key` exists (and has not expired). */
  exists(key: string): boolean {
    return this.peek(key) !== undefined;
  }

  /** True when `key` has an expiry that has passed (without deleting it). */
  isExpired(key: string, now = Date.now()): boolean {
    if (this.expires.size === 0 || this.keyspace.loading) return false;
    const at = this.expires.get(key);
    // As in Redis, a key expires once the clock is past its expiry time.
    return at !== undefined && at < now;
  }

  /**
   * Stores `value` at `key`. An existing expiry is dropped unless `keepTtl`.
   * The access stamp starts afresh, as for a new object in Redis (under an
   * LFU policy, overwriting keeps the counter, as Redis does). True when
   * the key is new.
   */
  set(key: string, value: Value, keepTtl = false): boolean {
    const watched = this.keyspace.watched;
    // As Redis's setKey looks the key up for writing: an expired key is
    // deleted first ("expired", then "new"; its watchers see the deletion).
    if (this.expires.size !== 0) this.#expireIfNeeded(key, true);
    const watch = this.keyspace.keyWatch;
    const old = watch !== null ? this.dict.get(key) : undefined;
    const dict = this.dict;
    const isNew = dict.set(key, value);
    const i = dict.lastIndex;
    if (typeof value === "string") {
      dict.setSizeAt(i, entryBytes(key, value));
    } else {
      // A new collection is often filled after it is stored (HSET, RPUSH ...):
      // its value is estimated once, when noted writes are settled.
      dict.setSizeAt(i, KEYSPACE_ENTRY + stringBytes(key.length));
      this.keyspace.noteWrite(dict, key);
    }
    if (!keepTtl && this.expires.size !== 0) this.#dropExpire(key);
    if (isNew || !this.keepStampOnOverwrite) this.initHook(this, i);
    // Redis's dbAdd announces a new key (before the command's own event).
    if (isNew) this.notify(NOTIFY_NEW, "new", key);
    // A new key may be what blocked clients wait for (Redis's dbAdd signals it ready).
    if (watch !== null) {
      if (isNew) watch.created(this, key);
      else if (old !== undefined && old !== value) watch.removed(this, key, old);
    }
    watched?.touch(this, key);
    return isNew;
  }

  /**
   * Replaces the value of an existing key in place (same expiry, same
   * stamp): for commands that modify a value, like APPEND or HSET.
   */
  replace(key: string, value: Value): void {
    this.dict.set(key, value);
    this.dict.setSizeAt(this.dict.lastIndex, entryBytes(key, value));
    this.keyspace.watched?.touch(this, key);
  }

  /**
   * Tells WATCHers that `key` changed, for a command that Redis counts as
   * modifying a key even when the data set did not change (LTRIM).
   */
  signalModified(key: string): void {
    this.keyspace.watched?.touch(this, key);
  }

  /** Deletes `key`; true if it existed. */
  delete(key: string): boolean {
    const old = this.dict.delete(key);
    if (old === undefined) return false;
    this.keyspace.keyWatch?.removed(this, key, old);
    if (this.expires.size !== 0) this.#dropExpire(key);
    this.keyspace.watched?.touch(this, key);
    return true;
  }

  /**
   * Absolute expiry in ms, or -1 when the key has none. Past 2^53 the value
   * is rounded; getExpireExact gives it exactly.
   */
  getExpire(key: string): number {
    return this.expires.get(key) ?? -1;
  }

  /** Absolute expiry in ms (a bigint past 2^53), or -1 when the key has none. */
  getExpireExact(key: string): number | bigint {
    const at = this.expires.get(key);
    if (at === undefined) return -1;
    if (at > Number.MAX_SAFE_INTEGER && this.bigExpires.size !== 0) {
      return this.bigExpires.get(key) ?? at;
    }
    return at;
  }

  /** Sets the absolute expiry (ms) of an existing key. */
  setExpire(key: string, at: number | bigint): void {
    if (this.expireCow !== null) this.#noteExpire(key);
    this.keyspace.watched?.touch(this, key);
    if (typeof at === "bigint") {
      const n = Number(at);
      if (Number.isSafeInteger(n)) {
        at = n;
      } else {
        this.expires.set(key, n);
        this.bigExpires.set(key, at);
        return;
      }
    }
    this.expires.set(key, at);
    if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
  }

  /** Removes the expiry of `key`; true if it had one. */
  persist(key: string): boolean {
    if (this.expireCow !== null) this.#noteExpire(key);
    if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
    const had = this.expires.delete(key);
    if (had) this.keyspace.watched?.touch(this, key);
    return had;
  }

  #dropExpire(key: string): void {
    if (this.expireCow !== null) this.#noteExpire(key);
    this.expires.delete(key);
    if (this.bigExpires.size !== 0) this.bigExpires.delete(key);
  }

  /** A random live key, or null when the database is empty. */
  randomKey(): string | null {
    // As Redis does on a master: every expired key drawn is deleted, so
    // this ends, and it finds a live key whenever one exists.
    let tries = 100;
    for (;;) {
      const i = this.dict.randomIndex();
      if (i < 0) return null;
      const key = this.dict.keyAt(i);
      if (this.peek(key) !== undefined) return key;
      // A replica deletes nothing: when every key has an expiry and may have passed
      // it, one is given anyway after some tries (as Redis's dbRandomKey).
      if (this.keyspace.replica && this.expires.size === this.dict.size && --tries === 0) {
        return key;
      }
    }
  }

  /** Notes the expiry `key` had when the running snapshot froze the keyspace. */
  #noteExpire(key: string): void {
    const before = this.expireCow!.before;
    if (!before.has(key)) before.set(key, this.getExpireExact(key));
  }

  /** Accounted bytes of this database's keys, values and expiry entries (settled by the keyspace). */
  get accountedBytes(): number {
    return this.dict.bytes + this.expires.size * EXPIRE_ENTRY;
  }

  /** Removes every key. */
  flush(): void {
    this.keyspace.keyWatch?.flushing(this);
    this.keyspace.watched?.flushing(this);
    this.dict.clear();
    if (this.expireCow !== null) {
      // A snapshot still reads the old maps: leave them as they are.
      this.expires = new Map();
      this.bigExpires = new Map();
      this.expireCow = null;
    } else {
      this.expires.clear();
      this.bigExpires.clear();
    }
    this.expireCursor = null;
  }

  /**
   * Deletes `key` if its time has come; true when it was deleted (or, on a
   * replica, reads as gone). `write`: a writer on a writable replica deletes it.
   */
  #expireIfNeeded(key: string, write = false): boolean {
    const at = this.expires.get(key);
    // While loading, keys are not expired: the log replays what happened then.
    if (at === undefined || at >= Date.now() || this.keyspace.loading) return false;
    const ks = this.keyspace;
    if (ks.replica) {
      // As Redis 7.0: the master's own commands find the key until its DEL arrives.
      if (ks.masterApplying) return false;
      if (!write) return true;
    }
    // CLIENT PAUSE holds the data set still: the key reads as gone but stays (Redis 7.0).
    if (this.keyspace.expiryPaused) return true;
    this.#expired(key);
    return true;
  }

  /** Deletes an expired key and tells the keyspace (the AOF logs a DEL). */
  #expired(key: string): void {
    this.delete(key);
    this.stats.expiredKeys++;
    this.notify(NOTIFY_EXPIRED, "expired", key);
    this.keyspace.onExpired?.(this, key);
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
        if (at < now) {
          this.#expired(key);
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

/**
 * Accounted bytes of one entry of the expires map (a JS Map entry: key and
 * value slots, chain link, bucket, and the heap number of the time).
 */
export const EXPIRE_ENTRY = 48;

/** Keys noted for a size re-estimate before they are settled in one go. */
const MAX_NOTED = 1024;

function defaultTouch(db: Db, i: number): void {
  db.dict.setStampAt(i, db.keyspace.lruNow);
}

/**
 * Told of new keys and swapped databases while clients wait for keys
 * (lib/server/blocking.ts); the keyspace holds none when no client waits.
 */
export interface KeyWatch {
  /** `key` was just created in `db`. */
  created(db: Db, key: string): void;
  /** SWAPDB exchanged the contents of `a` and `b`. */
  swapped(a: Db, b: Db): void;
  /** `key` in `db` loses its value `old`: deleted, or overwritten by another value. */
  removed(db: Db, key: string, old: Value): void;
  /** Every key of `db` is about to be deleted. */
  flushing(db: Db): void;
}

/**
 * Told of key changes while some client WATCHes keys (lib/server/watch.ts);
 * the keyspace holds none when no client watches.
 */
export interface WatchHook {
  /** `key` was looked up for writing: touched if the running command changes data. */
  candidate(db: Db, key: string): void;
  /** `key` changed (set, replaced, deleted, expiry changed): its watchers' EXEC aborts. */
  touch(db: Db, key: string): void;
  /**
   * The running command (`cmd`, for its full name) ended; `changed` when it
   * changed the data set (dirty moved).
   */
  commandDone(changed: boolean, cmd: { readonly fullName: string } | null): void;
  /** Every key of `db` is about to be deleted. */
  flushing(db: Db): void;
  /** SWAPDB is about to exchange the contents of `a` and `b`. */
  swapping(a: Db, b: Db): void;
}

export class Keyspace {
  readonly dbs: Db[];
  /** Set only while some client waits for keys: Db.set then reports new keys. */
  keyWatch: KeyWatch | null = null;
  /**
   * Set only while some client WATCHes keys or tracks them (lib/server/keyhooks.ts
   * combines the two).
   */
  watched: WatchHook | null = null;
  /** Set only while notify-keyspace-events enables some class (see Notifier). */
  notifier: Notifier | null = null;
  readonly stats = new KeyspaceStats();
  /** Guards work that spans awaits against writers (see lock.ts). */
  readonly lock = new Lock();
  /** Changes since the last save (INFO rdb_changes_since_last_save). */
  dirty = 0;

  /**
   * The wall clock (ms) and LRU clock as of the last cron tick, for stamps
   * that need no finer grain (access stamps, client idle time), as Redis
   * keeps server.unixtime and server.lruclock: a clock read per key access
   * measured a fifth of a GET's dispatch.
   */
  cachedNow = Date.now();
  lruNow = lruClock(this.cachedNow);

  /** Refreshes cachedNow and lruNow (the server cron calls this each tick). */
  tickClock(now = Date.now()): void {
    this.cachedNow = now;
    this.lruNow = lruClock(now);
  }

  /** True while a data set is being loaded: keys do not expire then. */
  loading = false;
  /** False after DEBUG SET-ACTIVE-EXPIRE 0: keys expire only when accessed. */
  activeExpireEnabled = true;
  /** Set while CLIENT PAUSE holds (lib/server/pause.ts): expired keys are not deleted. */
  expiryPaused = false;
  /**
   * Set while this server follows a master (lib/server/replica.ts): keys are
   * deleted only by the master's DEL; others see an expired key as gone.
   */
  replica = false;
  /** Set while a command from the master runs: it sees expired keys as they still are. */
  masterApplying = false;
  /** Told of every key deleted because it expired (lazily or actively). */
  onExpired: ((db: Db, key: string) => void) | null = null;
  #frozen: FrozenKeyspace | null = null;
  /** Dicts and keys whose values were handed out for writing, not yet re-estimated. */
  #notedDicts: Dict<Value>[] = [];
  #notedKeys: string[] = [];

  /**
   * Notes that `key` of `dict` may be changed in place (lookupWrite): its
   * accounted size is re-estimated at the next settle(), so a write costs a
   * push, and the estimate runs once per MAX_NOTED writes at worst.
   */
  noteWrite(dict: Dict<Value>, key: string): void {
    const n = this.#notedKeys.length;
    // A key written over and over (a hot counter) is noted once.
    if (n !== 0 && this.#notedKeys[n - 1] === key && this.#notedDicts[n - 1] === dict) return;
    if (n >= MAX_NOTED) this.settle();
    this.#notedDicts.push(dict);
    this.#notedKeys.push(key);
  }

  /** Re-estimates the values noted by noteWrite, so that the dicts' byte totals are current. */
  settle(): void {
    const dicts = this.#notedDicts;
    const keys = this.#notedKeys;
    const n = keys.length;
    if (n === 0) return;
    for (let j = 0; j < n; j++) {
      const dict = dicts[j];
      const key = keys[j];
      // The key may be gone (deleted, flushed) or replaced (then already accounted).
      const i = dict.indexOf(key);
      if (i !== undefined) dict.setSizeAt(i, entryBytes(key, dict.valueAt(i)));
    }
    this.#notedDicts = [];
    this.#notedKeys = [];
  }

  /** Accounted bytes of every database (keys, values, expiry entries), settled first. */
  accountedBytes(): number {
    this.settle();
    let n = 0;
    for (const db of this.dbs) n += db.accountedBytes;
    return n;
  }

  constructor(databases: number) {
    this.dbs = Array.from({ length: databases }, (_, i) => new Db(i, this.stats, this));
  }

  /**
   * The keyspace as it is now, readable while commands keep changing it: the
   * key and value arrays are copied (pointers only: values are immutable
   * strings or objects copied on first write), expiries are copied on first
   * change. One snapshot at a time.
   */
  freeze(withStamps = false): FrozenKeyspace {
    if (this.#frozen !== null) throw new Error("a snapshot is already running");
    const owned = new WeakSet<object>();
    const dbs: FrozenDb[] = this.dbs.map((db) => {
      const cow = new ExpireCow(db.expires, db.bigExpires);
      db.expireCow = cow;
      db.ownedObjects = owned;
      const frozen = db.dict.frozenCopy(withStamps);
      return {
        id: db.id,
        keys: frozen.keys,
        values: frozen.values,
        stamps: frozen.stamps,
        expiresCount: db.expires.size,
        expireOf: (key: string) => cow.expireOf(key),
      };
    });
    const view: FrozenKeyspace = {
      dbs,
      release: () => {
        if (this.#frozen !== view) return;
        this.#frozen = null;
        for (const db of this.dbs) {
          db.expireCow = null;
          db.ownedObjects = null;
        }
      },
    };
    this.#frozen = view;
    return view;
  }

  /** True while a frozen view is in use. */
  get frozen(): boolean {
    return this.#frozen !== null;
  }

  /** Which access stamps are kept: "lru" (default) or "lfu". */
  accessPolicy: "lru" | "lfu" = "lru";
  /** The database the next active expiry cycle starts with. */
  #expireDb = 0;

  /** Swaps the contents of two databases (SWAPDB); clients keep their Db. */
  swap(a: number, b: number): void {
    const dbA = this.dbs[a];
    const dbB = this.dbs[b];
    // Watchers see the swap as a change of every watched key present on either side.
    this.watched?.swapping(dbA, dbB);
    [dbA.dict, dbB.dict] = [dbB.dict, dbA.dict];
    [dbA.expires, dbB.expires] = [dbB.expires, dbA.expires];
    [dbA.bigExpires, dbB.bigExpires] = [dbB.bigExpires, dbA.bigExpires];
    // Each copy-on-write record follows the maps it guards.
    [dbA.expireCow, dbB.expireCow] = [dbB.expireCow, dbA.expireCow];
    dbA.expireCursor = dbB.expireCursor = null;
    // Clients stay blocked on the database number: its new keys may serve them.
    this.keyWatch?.swapped(dbA, dbB);
  }

  /**
   * Chooses what the per-key stamps hold: the LRU seconds clock (OBJECT
   * IDLETIME) or the LFU logarithmic counter (OBJECT FREQ). To be called when
   * maxmemory-policy, lfu-log-factor or lfu-decay-time change. Existing
   * stamps are not converted: like Redis, they adjust as keys are accessed.
   */
  setAccessPolicy(kind: "lru" | "lfu", params: LfuParams = { logFactor: 10, decayTime: 1 }): void {
    const policy = kind === "lfu" ? lfuPolicy({ ...params }) : LRU_POLICY;
    this.accessPolicy = kind;
    for (const db of this.dbs) {
      db.touchHook = policy.touch;
      db.initHook = policy.init;
      db.keepStampOnOverwrite = policy.keepOnOverwrite;
    }
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
    // A replica waits for its master's DELs.
    if (!this.activeExpireEnabled || this.replica) return 0;
    const start = performance.now();
    const deadline = start + budgetMs;
    const now = Date.now();
    let deleted = 0;
    const n = this.dbs.length;
    // Resume with the database where the last cycle ran out of time.
    for (let k = 0; k < n; k++) {
      const id = (this.#expireDb + k) % n;
      const db = this.dbs[id];
      if (db.expires.size === 0) continue;
      deleted += db.activeExpire(now, deadline);
      if (performance.now() > deadline) {
        this.#expireDb = id;
        this.stats.expiredTimeCapReached++;
        break;
      }
    }
    this.stats.expireCycleCpuMs += performance.now() - start;
    return deleted;
  }
}
