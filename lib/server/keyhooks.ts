/**
 * Redis's "a key was modified" signal (signalModifiedKey) reaches two
 * listeners: WATCH (lib/server/watch.ts) and client-side caching
 * (lib/server/tracking.ts). The keyspace has one hook slot, filled only
 * while a listener is active; with both active it holds a fan-out.
 */
import type { Db, Keyspace, WatchHook } from "../store/keyspace.ts";

export type KeyHookName = "watch" | "tracking";

const active = new WeakMap<Keyspace, Map<KeyHookName, WatchHook>>();

/** Installs (or with null removes) one listener and recomputes the keyspace's hook. */
export function setKeyHook(keyspace: Keyspace, name: KeyHookName, hook: WatchHook | null): void {
  let hooks = active.get(keyspace);
  if (hooks === undefined) active.set(keyspace, hooks = new Map());
  if (hook === null) hooks.delete(name);
  else hooks.set(name, hook);
  const list = [...hooks.values()];
  keyspace.watched = list.length === 0 ? null : list.length === 1 ? list[0] : fanOut(list);
}

function fanOut(hooks: WatchHook[]): WatchHook {
  return {
    candidate: (db: Db, key: string) => {
      for (const h of hooks) h.candidate(db, key);
    },
    touch: (db: Db, key: string) => {
      for (const h of hooks) h.touch(db, key);
    },
    commandDone: (changed, cmd) => {
      for (const h of hooks) h.commandDone(changed, cmd);
    },
    flushing: (db: Db) => {
      for (const h of hooks) h.flushing(db);
    },
    swapping: (a: Db, b: Db) => {
      for (const h of hooks) h.swapping(a, b);
    },
  };
}
