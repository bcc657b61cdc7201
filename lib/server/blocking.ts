/**
 * Blocking operations: clients that wait for keys to get data (BLPOP,
 * BZPOPMIN ... and later XREAD BLOCK) or for a timeout alone (WAIT).
 *
 * A waiter is a client, the keys it waits for, a retry function and a
 * deadline. A key created while clients wait for it is signalled ready (the
 * keyspace's KeyWatch hook, or `signal` for writes that do not create the
 * key, like XADD); right after the command that made it ready, the
 * dispatcher calls `serveReady`, which gives each waiter of each ready key,
 * first blocked first served, another try of its command in its non-blocking
 * form — synchronously, before any other command runs, as Redis's
 * handleClientsBlockedOnKeys does. A retry that makes another key ready (a
 * BLMOVE pushing to a key someone waits on) serves that key's waiters in the
 * same round.
 */
import { finishServed } from "../commands/table.ts";
import type { Db, KeyWatch, Value } from "../store/keyspace.ts";
import type { Client } from "./client.ts";

/** Longest delay setTimeout takes (longer ones are re-armed). */
const MAX_TIMER_MS = 0x7fffffff;

/** What a blocking command waits for, given to Blocking.block. */
export interface BlockRequest {
  /** Keys to wait for, in the command's order (repeats are ignored). */
  keys: readonly string[];
  /** Milliseconds to wait; 0 waits for ever. */
  timeoutMs: number;
  /**
   * Tries the command again in its non-blocking form for the key that became
   * ready: true when it replied (served, or failed with an error) and the
   * client is done waiting; false to keep waiting (nothing there, or a value
   * of another type — Redis 7.0 leaves such a client blocked).
   */
  retry: (key: string) => boolean;
  /** Writes the reply of a timeout (also CLIENT UNBLOCK ... TIMEOUT). */
  timedOut: () => void;
  /**
   * For waiters that fail when their key goes (XREADGROUP): called instead
   * of `retry` when the key was signalled ready but no longer exists; true
   * when it replied and the client is done waiting.
   */
  missing?: (key: string) => boolean;
}

/** A blocked client: what it waits for and how to finish it. */
export class Waiter {
  readonly keys: string[];
  /** Wall-clock deadline (ms since the epoch), 0 for none. */
  readonly deadline: number;
  /** Resolves when the client is unblocked (served, timed out, dropped). */
  readonly done: Promise<void>;
  timer: ReturnType<typeof setTimeout> | null = null;
  resolve!: () => void;

  constructor(
    readonly client: Client,
    readonly db: Db,
    /** The blocked command's arguments (logged as they are if a retry does not say otherwise). */
    readonly args: string[],
    readonly request: BlockRequest,
    now: number,
  ) {
    this.keys = [...new Set(request.keys)];
    this.deadline = request.timeoutMs > 0 ? now + request.timeoutMs : 0;
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }
}

/** How CLIENT UNBLOCK ends a wait: as a timeout, or with an -UNBLOCKED error. */
export type UnblockReason = "timeout" | "error";

function isStream(v: Value | undefined): boolean {
  return v !== undefined && typeof v !== "string" && v.type === "stream";
}

/** Keys -> waiting clients, and the ready keys to serve after the current command. */
export class Blocking implements KeyWatch {
  /** Per database: key -> its waiters in the order they blocked. */
  readonly #waiting = new Map<Db, Map<string, Set<Waiter>>>();
  /** Keys signalled ready and not served yet, in signal order. */
  #ready: { db: Db; key: string }[] = [];
  /** Per database, the keys in #ready (a key is queued once until served). */
  readonly #readySet = new Map<Db, Set<string>>();
  #blocked = 0;
  #withTimeout = 0;
  #serving = false;
  /** A serveReady is queued for keys made ready outside a command (see removed). */
  #soon = false;

  constructor(
    /** Where the key hook is installed while clients wait. */
    readonly keyspace: { keyWatch: KeyWatch | null },
  ) {}

  /** Clients blocked now (INFO blocked_clients). */
  get blockedClients(): number {
    return this.#blocked;
  }

  /** Blocked clients that have a timeout (INFO clients_in_timeout_table). */
  get clientsWithTimeout(): number {
    return this.#withTimeout;
  }

  /** True when keys wait to be served (the dispatcher's cheap check). */
  get hasReady(): boolean {
    return this.#ready.length !== 0;
  }

  /**
   * Blocks `c` (whose command `args` found nothing) until a key of `req`
   * gets data, the timeout passes or the client goes. The dispatcher sees
   * `c.blocked` and holds the client's further commands until `done`.
   */
  block(c: Client, args: string[], req: BlockRequest): Waiter {
    if (c.blocked !== null) throw new Error("client is already blocked");
    const w = new Waiter(c, c.db, args, req, Date.now());
    let byKey = this.#waiting.get(w.db);
    if (byKey === undefined) this.#waiting.set(w.db, byKey = new Map());
    for (const key of w.keys) {
      let set = byKey.get(key);
      if (set === undefined) byKey.set(key, set = new Set());
      set.add(w);
    }
    c.blocked = w;
    if (this.#blocked++ === 0) this.keyspace.keyWatch = this;
    if (w.deadline !== 0) {
      this.#withTimeout++;
      this.#arm(w, req.timeoutMs);
    }
    return w;
  }

  #arm(w: Waiter, ms: number): void {
    w.timer = setTimeout(() => this.#expire(w), Math.min(ms, MAX_TIMER_MS));
  }

  #expire(w: Waiter): void {
    w.timer = null;
    if (w.client.blocked !== w) return;
    const left = w.deadline - Date.now();
    // setTimeout may fire a little early, and long waits are re-armed.
    if (left > 0) return this.#arm(w, left);
    w.request.timedOut();
    this.#unblock(w);
  }

  /** KeyWatch: a new key; queued if a client waits for it. */
  created(db: Db, key: string): void {
    this.signal(db, key);
  }

  /**
   * KeyWatch: after SWAPDB, waited keys that exist now may serve their
   * waiters, and keys that held a stream before (now in the other db) wake
   * XREADGROUP waiters, as Redis's scanDatabaseForDeletedStreams does.
   */
  swapped(a: Db, b: Db): void {
    for (const [db, before] of a === b ? [[a, a]] : [[a, b], [b, a]]) {
      const byKey = this.#waiting.get(db);
      if (byKey === undefined) continue;
      for (const key of byKey.keys()) {
        if (db.peek(key) !== undefined || isStream(before.dict.get(key))) this.signal(db, key);
      }
    }
  }

  /**
   * KeyWatch: `key` loses its value `old` (deleted or overwritten):
   * a stream going away wakes its XREADGROUP waiters (Redis's
   * signalDeletedKeyAsReady).
   */
  removed(db: Db, key: string, old: Value): void {
    if (!isStream(old)) return;
    this.signal(db, key);
    // Active expiry deletes outside any command: serve then, not at the next command.
    if (this.hasReady && !this.#soon) {
      this.#soon = true;
      queueMicrotask(() => {
        this.#soon = false;
        if (this.hasReady) this.serveReady();
      });
    }
  }

  /** KeyWatch: FLUSHDB / FLUSHALL; waited streams go away as by `removed`. */
  flushing(db: Db): void {
    const byKey = this.#waiting.get(db);
    if (byKey === undefined) return;
    for (const key of byKey.keys()) {
      if (isStream(db.dict.get(key))) this.signal(db, key);
    }
  }

  /** Marks `key` ready when a client waits for it (for writes that add to an existing key). */
  signal(db: Db, key: string): void {
    if (this.#blocked === 0 || this.#waiting.get(db)?.has(key) !== true) return;
    let set = this.#readySet.get(db);
    if (set === undefined) this.#readySet.set(db, set = new Set());
    if (set.has(key)) return;
    set.add(key);
    this.#ready.push({ db, key });
  }

  /**
   * Serves the waiters of every ready key, FIFO per key, including keys made
   * ready while serving. Called by the dispatcher after a top-level command.
   */
  serveReady(): void {
    if (this.#serving) return;
    this.#serving = true;
    try {
      while (this.#ready.length !== 0) {
        const batch = this.#ready;
        this.#ready = [];
        for (const { db, key } of batch) {
          this.#readySet.get(db)?.delete(key);
          this.#serveKey(db, key);
        }
      }
    } finally {
      this.#serving = false;
    }
  }

  #serveKey(db: Db, key: string): void {
    const waiters = this.#waiting.get(db)?.get(key);
    if (waiters === undefined) return;
    const keyspace = db.keyspace;
    // A Set iterates in insertion order and skips members deleted meanwhile.
    for (const w of waiters) {
      // Once the key is gone (popped empty), only waiters that fail on a missing key are served.
      const gone = db.peek(key) === undefined;
      if (gone && w.request.missing === undefined) continue;
      const c = w.client;
      const errorsBefore = c.out.errors;
      const dirtyBefore = keyspace.dirty;
      const start = performance.now();
      if (!(gone ? w.request.missing!(key) : w.request.retry(key))) {
        c.propagateAs = undefined;
        continue;
      }
      this.#unblock(w);
      finishServed(c, w.args, start, errorsBefore, dirtyBefore);
    }
  }

  /**
   * CLIENT UNBLOCK: ends the wait of `c` with its timeout reply or an
   * -UNBLOCKED error. False when `c` is not blocked.
   */
  unblock(
    c: Client,
    reason: UnblockReason,
    error = "UNBLOCKED client unblocked via CLIENT UNBLOCK",
  ): boolean {
    const w = c.blocked;
    if (w === null) return false;
    if (reason === "timeout") w.request.timedOut();
    else c.out.errorNoTrim(error);
    this.#unblock(w);
    return true;
  }

  /** Forgets a blocked client that is going away (disconnected, killed); no reply. */
  drop(c: Client): void {
    const w = c.blocked;
    if (w !== null) this.#unblock(w);
  }

  #unblock(w: Waiter): void {
    const byKey = this.#waiting.get(w.db);
    if (byKey !== undefined) {
      for (const key of w.keys) {
        const set = byKey.get(key);
        if (set === undefined) continue;
        set.delete(w);
        if (set.size === 0) byKey.delete(key);
      }
      if (byKey.size === 0) this.#waiting.delete(w.db);
    }
    if (w.timer !== null) {
      clearTimeout(w.timer);
      w.timer = null;
    }
    if (w.deadline !== 0) this.#withTimeout--;
    w.client.blocked = null;
    if (--this.#blocked === 0) this.keyspace.keyWatch = null;
    w.resolve();
  }
}
