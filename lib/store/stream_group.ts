/**
 * Stream consumer groups, as Redis's streamCG / streamConsumer / streamNACK.
 *
 * A group has a last-delivered ID, an entries-read counter, consumers, and a
 * pending entries list (PEL): the IDs delivered and not acknowledged yet,
 * each with its NACK (owner, last delivery time, delivery count). Every
 * consumer keeps its own PEL of the same NACK objects, so that XPENDING for
 * one consumer and XINFO pel-count need no scan of the group's PEL.
 *
 * PELs are ordered maps keyed by the 16-byte big-endian ID key (idKey), which
 * compares with `<` as the IDs do: XACK, XCLAIM and XAUTOCLAIM touch IDs from
 * anywhere in the PEL, and XPENDING / XAUTOCLAIM scan ranges of it.
 */
import { compareIds, idFromKey, idKey, MIN_ID, type StreamId, type StreamValue } from "./stream.ts";

/** Keys per leaf of a PendingMap (small enough that a splice is a short memmove). */
const LEAF_MAX = 128;

interface Leaf<V> {
  keys: string[];
  vals: V[];
}

/**
 * An ordered map from binary-string keys to values: sorted leaves of up to
 * LEAF_MAX keys under one sorted index of leaves. Lookups are two binary
 * searches; an insert or delete moves at most a leaf's keys plus, when a
 * leaf splits or empties, one slot per leaf (1M keys = 8k leaves).
 * Appending a key greater than all (the usual XREADGROUP case) is O(1).
 */
export class PendingMap<V> {
  #leaves: Leaf<V>[] = [];
  #size = 0;

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  /** Index of the leaf that holds or would hold `key` (-1 when empty). */
  #leafFor(key: string): number {
    const leaves = this.#leaves;
    let lo = 0;
    let hi = leaves.length - 1;
    if (hi < 0) return -1;
    // The last leaf whose first key is <= key (or the first leaf).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (leaves[mid].keys[0] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Position of the first key >= `key` in `keys`. */
  static #lowerBound(keys: string[], key: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: string): V | undefined {
    const li = this.#leafFor(key);
    if (li < 0) return undefined;
    const leaf = this.#leaves[li];
    const i = PendingMap.#lowerBound(leaf.keys, key);
    return i < leaf.keys.length && leaf.keys[i] === key ? leaf.vals[i] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces; true when the key is new. */
  set(key: string, val: V): boolean {
    const leaves = this.#leaves;
    if (leaves.length === 0) {
      leaves.push({ keys: [key], vals: [val] });
      this.#size++;
      return true;
    }
    const last = leaves[leaves.length - 1];
    let leaf: Leaf<V>;
    let li: number;
    let i: number;
    if (key > last.keys[last.keys.length - 1]) {
      li = leaves.length - 1;
      leaf = last;
      i = leaf.keys.length;
    } else {
      li = this.#leafFor(key);
      leaf = leaves[li];
      i = PendingMap.#lowerBound(leaf.keys, key);
      if (i < leaf.keys.length && leaf.keys[i] === key) {
        leaf.vals[i] = val;
        return false;
      }
    }
    if (leaf.keys.length >= LEAF_MAX) {
      // Appends start a new leaf (keeps leaves full); inserts split in half.
      if (i === leaf.keys.length && li === leaves.length - 1) {
        leaves.push({ keys: [key], vals: [val] });
        this.#size++;
        return true;
      }
      const half = leaf.keys.length >> 1;
      const right: Leaf<V> = { keys: leaf.keys.splice(half), vals: leaf.vals.splice(half) };
      leaves.splice(li + 1, 0, right);
      if (i > half) {
        leaf = right;
        i -= half;
      }
    }
    if (i === leaf.keys.length) {
      leaf.keys.push(key);
      leaf.vals.push(val);
    } else {
      leaf.keys.splice(i, 0, key);
      leaf.vals.splice(i, 0, val);
    }
    this.#size++;
    return true;
  }

  /** Removes `key`; its value, or undefined when absent. */
  delete(key: string): V | undefined {
    const li = this.#leafFor(key);
    if (li < 0) return undefined;
    const leaf = this.#leaves[li];
    const i = PendingMap.#lowerBound(leaf.keys, key);
    if (i >= leaf.keys.length || leaf.keys[i] !== key) return undefined;
    const val = leaf.vals[i];
    leaf.keys.splice(i, 1);
    leaf.vals.splice(i, 1);
    if (leaf.keys.length === 0) this.#leaves.splice(li, 1);
    this.#size--;
    return val;
  }

  /** The first entry with key >= `key` (or > `key` when `strict`), or undefined. */
  ceil(key: string, strict = false): [string, V] | undefined {
    const leaves = this.#leaves;
    let li = this.#leafFor(key);
    if (li < 0) return undefined;
    let i = PendingMap.#lowerBound(leaves[li].keys, key);
    if (strict && i < leaves[li].keys.length && leaves[li].keys[i] === key) i++;
    if (i === leaves[li].keys.length) {
      li++;
      i = 0;
      if (li === leaves.length) return undefined;
    }
    return [leaves[li].keys[i], leaves[li].vals[i]];
  }

  /** The smallest key, or undefined when empty. */
  firstKey(): string | undefined {
    return this.#leaves.length === 0 ? undefined : this.#leaves[0].keys[0];
  }

  /** The greatest key, or undefined when empty. */
  lastKey(): string | undefined {
    const leaves = this.#leaves;
    if (leaves.length === 0) return undefined;
    const keys = leaves[leaves.length - 1].keys;
    return keys[keys.length - 1];
  }

  /**
   * Entries with key >= `from` in key order. The caller must not change the
   * map while iterating (collect first, then change).
   */
  *from(from: string): IterableIterator<[string, V]> {
    let li = this.#leafFor(from);
    if (li < 0) return;
    const leaves = this.#leaves;
    let i = PendingMap.#lowerBound(leaves[li].keys, from);
    for (; li < leaves.length; li++, i = 0) {
      const leaf = leaves[li];
      for (; i < leaf.keys.length; i++) yield [leaf.keys[i], leaf.vals[i]];
    }
  }

  /** All entries in key order. */
  *entries(): IterableIterator<[string, V]> {
    for (const leaf of this.#leaves) {
      for (let i = 0; i < leaf.keys.length; i++) yield [leaf.keys[i], leaf.vals[i]];
    }
  }
}

/** A pending entry: delivered to a consumer, not acknowledged yet (Redis's streamNACK). */
export interface StreamNack {
  /** The owner; null only while an RDB load has not assigned it yet. */
  consumer: StreamConsumer | null;
  /** Last delivery, ms since the epoch. */
  deliveryTime: number;
  deliveryCount: number;
}

/** A consumer of a group: its name, when it was last seen, and its own PEL. */
export class StreamConsumer {
  /** Its pending entries in ID order (the same NACK objects as the group's PEL). */
  readonly pending = new PendingMap<StreamNack>();

  constructor(
    /** Binary string. */
    readonly name: string,
    /** Last interaction, ms since the epoch (XINFO idle / seen-time). */
    public seenTime: number,
  ) {}
}

/** A consumer group of a stream. */
export class StreamGroup {
  /** Consumers by name (XINFO sorts them by name, as Redis's rax iterates). */
  readonly consumers = new Map<string, StreamConsumer>();
  /** The group PEL, by ID key. */
  readonly pel = new PendingMap<StreamNack>();

  constructor(
    readonly name: string,
    /** last-delivered-id */
    public lastId: StreamId,
    /** entries-read; -1 when unknown (Redis's SCG_INVALID_ENTRIES_READ). */
    public entriesRead: number,
  ) {}

  /** Group PEL in ID order. */
  *pendingEntries(): IterableIterator<[StreamId, StreamNack]> {
    for (const [k, nack] of this.pel.entries()) yield [idFromKey(k), nack];
  }

  /** Entries in the group PEL. */
  pendingCount(): number {
    return this.pel.size;
  }

  /** Deep copy: consumers and NACKs are new objects, shared by the copied PELs as in the original. */
  clone(): StreamGroup {
    const copy = new StreamGroup(this.name, this.lastId, this.entriesRead);
    const nacks = new Map<StreamNack, StreamNack>();
    for (const [k, nack] of this.pel.entries()) {
      const n: StreamNack = {
        consumer: null,
        deliveryTime: nack.deliveryTime,
        deliveryCount: nack.deliveryCount,
      };
      nacks.set(nack, n);
      copy.pel.set(k, n);
    }
    for (const [name, consumer] of this.consumers) {
      const cc = new StreamConsumer(name, consumer.seenTime);
      copy.consumers.set(name, cc);
      for (const [k, nack] of consumer.pending.entries()) {
        const n = nacks.get(nack)!;
        n.consumer = cc;
        cc.pending.set(k, n);
      }
    }
    return copy;
  }

  /** Consumers sorted by name bytes, as Redis lists them. */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  }

  /** The named consumer, created (seen now) when missing. */
  createConsumer(name: string, seenTime: number): StreamConsumer {
    let consumer = this.consumers.get(name);
    if (consumer === undefined) {
      consumer = new StreamConsumer(name, seenTime);
      this.consumers.set(name, consumer);
    }
    return consumer;
  }

  /** Deletes a consumer and its pending entries; how many it had pending (-1 when missing). */
  deleteConsumer(name: string): number {
    const consumer = this.consumers.get(name);
    if (consumer === undefined) return -1;
    const n = consumer.pending.size;
    for (const [k] of consumer.pending.entries()) this.pel.delete(k);
    this.consumers.delete(name);
    return n;
  }

  /** Acknowledges `id`: removed from the group and owner PELs; false when not pending. */
  ack(id: StreamId): boolean {
    const k = idKey(id);
    const nack = this.pel.delete(k);
    if (nack === undefined) return false;
    nack.consumer?.pending.delete(k);
    return true;
  }

  /** The NACK of `id` in the group PEL, if pending. */
  nack(id: StreamId): StreamNack | undefined {
    return this.pel.get(idKey(id));
  }

  /**
   * Records a delivery of `id` to `consumer` (XREADGROUP, XCLAIM): a new NACK,
   * or the existing one moved to `consumer` with the given time and count.
   */
  deliver(id: StreamId, consumer: StreamConsumer, time: number, count: number): StreamNack {
    const k = idKey(id);
    let nack = this.pel.get(k);
    if (nack === undefined) {
      nack = { consumer, deliveryTime: time, deliveryCount: count };
      this.pel.set(k, nack);
    } else {
      if (nack.consumer !== consumer) {
        nack.consumer?.pending.delete(k);
        nack.consumer = consumer;
      }
      nack.deliveryTime = time;
      nack.deliveryCount = count;
    }
    consumer.pending.set(k, nack);
    return nack;
  }

  /** RDB load: adds an unowned NACK to the group PEL; false when `id` is already there. */
  loadNack(id: StreamId, deliveryTime: number, deliveryCount: number): boolean {
    return this.pel.set(idKey(id), { consumer: null, deliveryTime, deliveryCount });
  }

  /** RDB load: gives the loaded NACK of `id` to `consumer`; false when not in the group PEL or already owned. */
  assignLoaded(consumer: StreamConsumer, id: StreamId): boolean {
    const k = idKey(id);
    const nack = this.pel.get(k);
    if (nack === undefined || nack.consumer !== null) return false;
    nack.consumer = consumer;
    consumer.pending.set(k, nack);
    return true;
  }
}

// ---------------------------------------------------------------- entries-read

/** Redis's streamRangeHasTombstones(s, start, NULL): a deleted entry may lie at or after `start`. */
export function tombstonesFrom(s: StreamValue, start: StreamId): boolean {
  if (s.length === 0 || compareIds(s.maxDeletedId, MIN_ID) === 0) return false;
  return compareIds(start, s.maxDeletedId) <= 0;
}

/** Redis's streamEstimateDistanceFromFirstEverEntry: entries up to `id`, or -1 when unknown. */
export function estimateEntriesRead(s: StreamValue, id: StreamId): number {
  const added = Number(s.entriesAdded);
  if (added === 0) return 0;
  const cmpLast = compareIds(id, s.lastId);
  if (s.length === 0 && cmpLast < 1) return added;
  if (cmpLast === 0) return added;
  if (cmpLast > 0) return -1;
  const cmpFirst = compareIds(id, s.firstId);
  if (
    compareIds(s.maxDeletedId, MIN_ID) === 0 || compareIds(s.maxDeletedId, s.firstId) < 0
  ) {
    if (cmpFirst < 0) return added - s.length;
    if (cmpFirst === 0) return added - s.length + 1;
  }
  return -1;
}
