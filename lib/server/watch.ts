/**
 * WATCH: optimistic locking for MULTI/EXEC, as Redis 7.0 keeps it.
 *
 * Each database maps a watched key to its watches in WATCH order; each
 * client keeps its own watches. A change to a watched key marks the clients
 * watching it dirty (their EXEC then aborts with a null reply) and drops
 * their watches, as Redis's touchWatchedKey does.
 *
 * The keyspace calls in through its `watched` hook (lib/server/keyhooks.ts),
 * which is set only while some client watches a key: without watchers the hot paths pay one null
 * check. Deletions, overwrites, expiry changes, flushes and swaps touch at
 * once; a value changed in place (obtained with Db.lookupWrite) is a
 * candidate, touched when the command ends if it changed the data set
 * (keyspace.dirty), so that reads and writes that change nothing abort no
 * transaction.
 */
import type { Db, Keyspace, WatchHook } from "../store/keyspace.ts";
import type { Client } from "./client.ts";
import { setKeyHook } from "./keyhooks.ts";

/** One key watched by one client. */
interface WatchedKey {
  readonly client: Client;
  readonly db: Db;
  readonly key: string;
  /** The key had expired (but was not yet deleted) when WATCH was called. */
  expired: boolean;
}

/**
 * Commands that change a stream's consumer groups (or its last id) without
 * Redis 7.0 signalling the key modified: they abort no transaction and
 * invalidate no tracked key.
 */
export const SILENT_COMMANDS: ReadonlySet<string> = new Set([
  "xgroup|create",
  "xgroup|setid",
  "xgroup|createconsumer",
  "xgroup|delconsumer",
  "xgroup|destroy",
  "xreadgroup",
  "xack",
  "xclaim",
  "xautoclaim",
  "xsetid",
]);

/** Per client: its watches, in WATCH order. */
const byClient = new WeakMap<Client, WatchedKey[]>();
/** Per keyspace: the watch registry (also its WatchHook while anything is watched). */
const registries = new WeakMap<Keyspace, Registry>();

class Registry implements WatchHook {
  /** Per database: key -> watches of that key, in WATCH order. */
  readonly byDb = new Map<Db, Map<string, WatchedKey[]>>();
  /** Watched keys in all (client, db, key) triples. */
  count = 0;
  /** Keys looked up for writing by the running command, touched if it changes data. */
  candidates: [Db, string][] = [];

  constructor(readonly keyspace: Keyspace) {}

  #list(db: Db, key: string): WatchedKey[] | undefined {
    return this.byDb.get(db)?.get(key);
  }

  candidate(db: Db, key: string): void {
    if (this.#list(db, key) !== undefined) this.candidates.push([db, key]);
  }

  touch(db: Db, key: string): void {
    const list = this.#list(db, key);
    if (list === undefined) return;
    for (const wk of [...list]) {
      if (wk.expired) {
        // Watched while already expired: its deletion is no logical change.
        if (!db.dict.has(key)) {
          wk.expired = false;
          continue;
        }
        // Redis 7.0 stops at such a watch (its loop breaks here).
        break;
      }
      markDirty(wk.client);
    }
  }

  commandDone(changed: boolean, cmd: { readonly fullName: string } | null): void {
    const cands = this.candidates;
    if (cands.length === 0) return;
    this.candidates = [];
    if (!changed || (cmd !== null && SILENT_COMMANDS.has(cmd.fullName))) return;
    for (const [db, key] of cands) this.touch(db, key);
  }

  flushing(db: Db): void {
    this.#touchAll(db, null);
  }

  swapping(a: Db, b: Db): void {
    this.#touchAll(a, b);
    this.#touchAll(b, a);
  }

  /**
   * Redis's touchAllWatchedKeysInDb: `emptied` loses its keys (to nothing,
   * or to the contents of `replacedWith` on SWAPDB).
   */
  #touchAll(emptied: Db, replacedWith: Db | null): void {
    const keys = this.byDb.get(emptied);
    if (keys === undefined) return;
    for (const [key, list] of [...keys]) {
      const inEmptied = emptied.dict.has(key);
      const inReplacement = replacedWith !== null && replacedWith.dict.has(key);
      if (!inEmptied && !inReplacement) continue;
      for (const wk of [...list]) {
        if (wk.expired) {
          if (!inReplacement) {
            wk.expired = false; // the expired key is gone: no logical change
            continue;
          }
          if (replacedWith!.isExpired(key)) continue; // still expired
        } else if (!inEmptied && replacedWith!.isExpired(key)) {
          wk.expired = true; // a missing key replaced by an expired one
          continue;
        }
        markDirty(wk.client);
      }
    }
  }
}

function registry(keyspace: Keyspace): Registry {
  let r = registries.get(keyspace);
  if (r === undefined) registries.set(keyspace, r = new Registry(keyspace));
  return r;
}

/** A watched key changed: the client's EXEC will abort; its watches go (Redis does the same). */
function markDirty(c: Client): void {
  c.dirtyCas = true;
  unwatchAll(c);
}

/** WATCH of `key` in the client's database (a repeat is ignored). */
export function watchKey(c: Client, key: string): void {
  const db = c.db;
  let mine = byClient.get(c);
  if (mine === undefined) byClient.set(c, mine = []);
  for (const wk of mine) if (wk.db === db && wk.key === key) return;
  const r = registry(c.server.keyspace);
  let keys = r.byDb.get(db);
  if (keys === undefined) r.byDb.set(db, keys = new Map());
  let list = keys.get(key);
  if (list === undefined) keys.set(key, list = []);
  const wk: WatchedKey = { client: c, db, key, expired: db.isExpired(key) };
  list.push(wk);
  mine.push(wk);
  if (r.count++ === 0) setKeyHook(c.server.keyspace, "watch", r);
}

/** Drops every watch of `c` (UNWATCH, EXEC, DISCARD, RESET, disconnect); not its dirty flag. */
export function unwatchAll(c: Client): void {
  const mine = byClient.get(c);
  if (mine === undefined || mine.length === 0) return;
  byClient.delete(c);
  const r = registry(c.server.keyspace);
  for (const wk of mine) {
    const keys = r.byDb.get(wk.db)!;
    const list = keys.get(wk.key)!;
    list.splice(list.indexOf(wk), 1);
    if (list.length === 0) {
      keys.delete(wk.key);
      if (keys.size === 0) r.byDb.delete(wk.db);
    }
  }
  r.count -= mine.length;
  if (r.count === 0) {
    setKeyHook(c.server.keyspace, "watch", null);
    r.candidates = [];
  }
}

/** Keys `c` watches now (its memory in CLIENT LIST tot-mem). */
export function watchedCount(c: Client): number {
  return byClient.get(c)?.length ?? 0;
}

/**
 * Redis's isWatchedKeyExpired, checked by EXEC: a key watched while alive
 * has expired since (and not been deleted yet).
 */
export function watchedKeyExpired(c: Client): boolean {
  const mine = byClient.get(c);
  if (mine === undefined) return false;
  for (const wk of mine) if (!wk.expired && wk.db.isExpired(wk.key)) return true;
  return false;
}
