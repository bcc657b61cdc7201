/**
 * Keyspace events (notify-keyspace-events): the event classes with Redis's
 * bits and letters, and the Notifier the keyspace fires them through.
 * Handlers fire their events with Db.notify at the points where Redis's
 * commands call notifyKeyspaceEvent: the order and the conditions (only
 * when something changed, "del" after a container empties, LMOVE's push
 * before its pop) are each command's own, so they sit with its code; the
 * store fires the events that belong to it ("new", "expired", "keymiss").
 */
export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_LOADED = 1 << 12; // modules only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n

/**
 * Where keyspace events go (lib/server/pubsub.ts publishes them); the
 * keyspace holds one only while notify-keyspace-events enables some class,
 * so that without notifications a command pays one null check per event.
 */
export interface Notifier {
  /** The enabled classes (NOTIFY_* bits). */
  readonly flags: number;
  fire(event: string, key: string, db: number): void;
}

/** Classes that "A" stands for (every class but key misses and new keys). */
export const NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH |
  NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const LETTERS: [string, number][] = [
  ["g", NOTIFY_GENERIC],
  ["$", NOTIFY_STRING],
  ["l", NOTIFY_LIST],
  ["s", NOTIFY_SET],
  ["h", NOTIFY_HASH],
  ["z", NOTIFY_ZSET],
  ["x", NOTIFY_EXPIRED],
  ["e", NOTIFY_EVICTED],
  ["t", NOTIFY_STREAM],
  ["d", NOTIFY_MODULE],
  // After the classes and inside "A"'s else branch, as Redis prints it: "AKEmn" reads back "AKEm".
  ["n", NOTIFY_NEW],
];

/** Redis's keyspaceEventsStringToFlags: the bits of a flags string, or null for a bad letter. */
export function parseNotifyFlags(s: string): number | null {
  let flags = 0;
  for (const ch of s) {
    const class_ = LETTERS.find(([l]) => l === ch)?.[1];
    if (class_ !== undefined) flags |= class_;
    else if (ch === "A") flags |= NOTIFY_ALL;
    else if (ch === "K") flags |= NOTIFY_KEYSPACE;
    else if (ch === "E") flags |= NOTIFY_KEYEVENT;
    else if (ch === "m") flags |= NOTIFY_KEY_MISS;
    else return null;
  }
  return flags;
}

/** Redis's keyspaceEventsFlagsToString: the canonical form CONFIG GET shows. */
export function formatNotifyFlags(flags: number): string {
  let s = "";
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s = "A";
  else for (const [l, bit] of LETTERS) if ((flags & bit) !== 0) s += l;
  if ((flags & NOTIFY_KEYSPACE) !== 0) s += "K";
  if ((flags & NOTIFY_KEYEVENT) !== 0) s += "E";
  if ((flags & NOTIFY_KEY_MISS) !== 0) s += "m";
  return s;
}

/** Every letter of `flags`, "A" spelled out (the stored form of the option: nothing hidden). */
export function notifyFlagsFull(flags: number): string {
  let s = "";
  for (const [l, bit] of LETTERS) if ((flags & bit) !== 0) s += l;
  if ((flags & NOTIFY_KEYSPACE) !== 0) s += "K";
  if ((flags & NOTIFY_KEYEVENT) !== 0) s += "E";
  if ((flags & NOTIFY_KEY_MISS) !== 0) s += "m";
  return s;
}
