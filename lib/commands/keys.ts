/**
 * Generic keyspace commands: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY,
 * MOVE, SWAPDB, FLUSHDB, OBJECT, the EXPIRE family, TTL, PERSIST, ...
 */
import type { Client } from "../server/client.ts";
import {
  type Db,
  lfuDecayedCounter,
  lruIdleSeconds,
  typeOf,
  type Value,
} from "../store/keyspace.ts";
import { NOTIFY_GENERIC } from "../store/notify.ts";
import { stringEncoding } from "../store/strings.ts";
import { globMatch } from "../util/glob.ts";
import {
  ERR_DB_INDEX,
  ERR_INVALID_EXPIRE,
  ERR_NO_SUCH_KEY,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  INT64_MAX,
  INT64_MIN,
  isKeyword,
  parseInt64,
} from "./args.ts";
import { parseCursor, parseScanOptions, replyScan, scanMatches } from "./scan.ts";
import { cArg, type CommandSpec, defineCommand } from "./table.ts";

const ERR_SAME_OBJECT = "ERR source and destination objects are the same";
const ERR_INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
const ERR_NOT_LFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
  "Please note that when switching between policies at runtime LRU and LFU data will take " +
  "some time to adjust.";
const ERR_IS_LFU = "ERR An LFU maxmemory policy is selected, idle time not tracked. " +
  "Please note that when switching between policies at runtime LRU and LFU data will take " +
  "some time to adjust.";

/** Refcount Redis reports for its shared objects (small integers). */
const SHARED_REFCOUNT = 2147483647;
/** Redis shares the integer objects 0 .. SHARED_INTEGERS-1. */
const SHARED_INTEGERS = 10000;

/**
 * A 32-bit integer argument (Redis's getIntFromObjectOrReply): `error`
 * replaces both the not-an-integer and the out-of-range messages.
 */
function int32Arg(c: Client, s: string, error?: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.out.error(error ?? ERR_NOT_INTEGER);
    return null;
  }
  if (typeof v === "bigint" || v < -2147483648 || v > 2147483647) {
    c.out.error(error ?? ERR_INT_RANGE);
    return null;
  }
  return v;
}

/** The database with index `id`, or undefined when out of range. */
function dbAt(c: Client, id: number): Db | undefined {
  const dbs = c.server.keyspace.dbs;
  return id >= 0 && id < dbs.length ? dbs[id] : undefined;
}

/** Stores `value` at `key` in `db` with the given access stamp and expiry. */
function addWith(db: Db, key: string, value: Value, stamp: number, expire: number | bigint): void {
  db.set(key, value);
  db.dict.setStampAt(db.dict.indexOf(key)!, stamp);
  if (expire !== -1) db.setExpire(key, expire);
}

// ---------------------------------------------------------------- DEL, EXISTS

function del(c: Client, args: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    // An expired key is reclaimed by the lookup and does not count.
    if (db.peek(args[i]) !== undefined && db.delete(args[i])) {
      db.notify(NOTIFY_GENERIC, "del", args[i]);
      n++;
    }
  }
  c.server.keyspace.dirty += n;
  c.out.int(n);
}

function exists(c: Client, args: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    if (db.lookupRead(args[i], false) !== undefined) n++;
  }
  c.out.int(n);
}

function touch(c: Client, args: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    if (db.lookupRead(args[i]) !== undefined) n++;
  }
  c.out.int(n);
}

function type(c: Client, args: string[]): void {
  const v = c.db.lookupRead(args[1], false);
  c.out.simple(v === undefined ? "none" : typeOf(v));
}

// ---------------------------------------------------- KEYS, SCAN, RANDOMKEY

function keys(c: Client, args: string[]): void {
  const db = c.db;
  const pattern = args[1];
  const all = pattern === "*";
  const now = Date.now();
  const found: string[] = [];
  for (const key of db.dict.keys()) {
    if (!all && !globMatch(pattern, key)) continue;
    // Expired keys are skipped, not deleted (KEYS must not change the dict it walks).
    if (db.isExpired(key, now)) continue;
    found.push(key);
  }
  c.out.array(found.length);
  for (const key of found) c.out.bulk(key);
}

function scan(c: Client, args: string[]): void {
  const cursor = parseCursor(c, args[1]);
  if (cursor === null) return;
  const opts = parseScanOptions(c, args, 2, true);
  if (opts === null) return;
  const db = c.db;
  const visited: string[] = [];
  const next = db.dict.scan(cursor, opts.count, (key) => visited.push(key));
  // Filters run after the walk: they may delete expired keys.
  const items: string[] = [];
  for (const key of visited) {
    if (!scanMatches(opts, key)) continue;
    if (opts.type !== null) {
      const v = db.lookupRead(key, false);
      if ((v === undefined ? "none" : typeOf(v)) !== opts.type) continue;
    } else if (db.peek(key) === undefined) {
      continue;
    }
    items.push(key);
  }
  replyScan(c, next, items);
}

function randomkey(c: Client): void {
  c.out.bulkOrNull(c.db.randomKey());
}

function dbsize(c: Client): void {
  c.out.int(c.db.size);
}

// ------------------------------------------------------------ RENAME, COPY, MOVE

function renameGeneric(c: Client, args: string[], nx: boolean): void {
  const db = c.db;
  const src = args[1];
  const dst = args[2];
  const value = db.lookupWrite(src);
  if (value === undefined) return c.out.error(ERR_NO_SUCH_KEY);
  if (src === dst) {
    if (nx) c.out.int(0);
    else c.out.ok();
    return;
  }
  const stamp = db.dict.stampAt(db.dict.indexOf(src)!);
  const expire = db.getExpireExact(src);
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) return c.out.int(0);
    db.delete(dst);
  }
  db.delete(src);
  // The value moves as is: same object, same access stamp, same expiry.
  addWith(db, dst, value, stamp, expire);
  db.notify(NOTIFY_GENERIC, "rename_from", src);
  db.notify(NOTIFY_GENERIC, "rename_to", dst);
  c.server.keyspace.dirty++;
  if (nx) c.out.int(1);
  else c.out.ok();
}

function rename(c: Client, args: string[]): void {
  renameGeneric(c, args, false);
}

function renamenx(c: Client, args: string[]): void {
  renameGeneric(c, args, true);
}

function copy(c: Client, args: string[]): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < args.length; j++) {
    if (isKeyword(args[j], "REPLACE")) {
      replace = true;
    } else if (isKeyword(args[j], "DB") && j + 1 < args.length) {
      const id = int32Arg(c, args[j + 1]);
      if (id === null) return;
      const db = dbAt(c, id);
      if (db === undefined) return c.out.error(ERR_DB_INDEX);
      dst = db;
      j++;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  const key = args[1];
  const newKey = args[2];
  if (src === dst && key === newKey) return c.out.error(ERR_SAME_OBJECT);
  const value = src.lookupRead(key);
  if (value === undefined) return c.out.int(0);
  const expire = src.getExpireExact(key);
  if (dst.lookupWrite(newKey) !== undefined) {
    if (!replace) return c.out.int(0);
    dst.delete(newKey);
  }
  // Plain strings are immutable and can be shared; objects are deep-copied.
  dst.set(newKey, typeof value === "string" ? value : value.clone());
  if (expire !== -1) dst.setExpire(newKey, expire);
  dst.notify(NOTIFY_GENERIC, "copy_to", newKey);
  c.server.keyspace.dirty++;
  c.out.int(1);
}

function move(c: Client, args: string[]): void {
  const src = c.db;
  const id = int32Arg(c, args[2]);
  if (id === null) return;
  const dst = dbAt(c, id);
  if (dst === undefined) return c.out.error(ERR_DB_INDEX);
  if (dst === src) return c.out.error(ERR_SAME_OBJECT);
  const key = args[1];
  const value = src.lookupWrite(key);
  if (value === undefined) return c.out.int(0);
  const expire = src.getExpireExact(key);
  if (dst.lookupWrite(key) !== undefined) return c.out.int(0);
  const stamp = src.dict.stampAt(src.dict.indexOf(key)!);
  addWith(dst, key, value, stamp, expire);
  src.delete(key);
  src.notify(NOTIFY_GENERIC, "move_from", key);
  dst.notify(NOTIFY_GENERIC, "move_to", key);
  c.server.keyspace.dirty++;
  c.out.int(1);
}

function swapdb(c: Client, args: string[]): void {
  const a = int32Arg(c, args[1], "ERR invalid first DB index");
  if (a === null) return;
  const b = int32Arg(c, args[2], "ERR invalid second DB index");
  if (b === null) return;
  if (dbAt(c, a) === undefined || dbAt(c, b) === undefined) return c.out.error(ERR_DB_INDEX);
  if (a !== b) c.server.keyspace.swap(a, b);
  c.server.keyspace.dirty++;
  c.out.ok();
}

// --------------------------------------------------------- FLUSHDB, FLUSHALL

/** Checks the optional ASYNC | SYNC argument; false after replying with an error. */
function flushModeOk(c: Client, args: string[]): boolean {
  if (args.length === 1) return true;
  if (args.length === 2 && (isKeyword(args[1], "SYNC") || isKeyword(args[1], "ASYNC"))) {
    return true;
  }
  c.out.error(ERR_SYNTAX);
  return false;
}

function flushdb(c: Client, args: string[]): void {
  if (!flushModeOk(c, args)) return;
  // ASYNC is honoured by flushing at once: the old contents are simply dropped.
  const removed = c.db.size;
  c.db.flush();
  c.server.keyspace.dirty += removed;
  // Logged even when the database was empty, as Redis does.
  c.forcePropagate = true;
  c.out.ok();
}

function flushall(c: Client, args: string[]): void {
  if (!flushModeOk(c, args)) return;
  const keyspace = c.server.keyspace;
  const removed = keyspace.totalKeys;
  keyspace.flushAll();
  keyspace.dirty += removed;
  // Logged even when the server was empty, as Redis does.
  c.forcePropagate = true;
  c.out.ok();
}

// -------------------------------------------------------------------- OBJECT

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

function objectHelp(c: Client): void {
  c.out.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.out.simple(line);
}

function lfuSelected(c: Client): boolean {
  return c.server.config.str("maxmemory-policy").endsWith("-lfu");
}

/** The value at args[2] without touching it or firing "keymiss"; replies null when missing. */
function objectLookup(c: Client, args: string[]): Value | undefined {
  const v = c.db.lookupRead(args[2], false, false);
  if (v === undefined) c.out.nullBulk();
  return v;
}

function objectEncoding(c: Client, args: string[]): void {
  const v = objectLookup(c, args);
  if (v === undefined) return;
  c.out.bulk(typeof v === "string" ? stringEncoding(v) : v.encoding());
}

/** True when Redis would hold this string value as one of its shared integers. */
function isSharedInteger(c: Client, s: string): boolean {
  if (s.length > 4 || stringEncoding(s) !== "int") return false;
  const n = Number(s);
  if (n < 0 || n >= SHARED_INTEGERS) return false;
  // Eviction policies that use per-key stamps turn sharing off when maxmemory is set.
  const policy = c.server.config.str("maxmemory-policy");
  return c.server.config.num("maxmemory") === 0 ||
    !(policy.endsWith("-lru") || policy.endsWith("-lfu"));
}

function objectRefcount(c: Client, args: string[]): void {
  const v = objectLookup(c, args);
  if (v === undefined) return;
  c.out.int(typeof v === "string" && isSharedInteger(c, v) ? SHARED_REFCOUNT : 1);
}

function objectIdletime(c: Client, args: string[]): void {
  const v = objectLookup(c, args);
  if (v === undefined) return;
  if (lfuSelected(c)) return c.out.error(ERR_IS_LFU);
  const db = c.db;
  c.out.int(lruIdleSeconds(db.dict.stampAt(db.dict.indexOf(args[2])!), db.keyspace.lruNow));
}

function objectFreq(c: Client, args: string[]): void {
  const v = objectLookup(c, args);
  if (v === undefined) return;
  if (!lfuSelected(c)) return c.out.error(ERR_NOT_LFU);
  const db = c.db;
  const stamp = db.dict.stampAt(db.dict.indexOf(args[2])!);
  c.out.int(lfuDecayedCounter(stamp, c.server.config.num("lfu-decay-time")));
}

// ------------------------------------------------------------ EXPIRE family

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** Parses NX | XX | GT | LT from args[3...]; null after replying with an error. */
function parseExpireFlags(c: Client, args: string[]): number | null {
  let flags = 0;
  for (let j = 3; j < args.length; j++) {
    const a = args[j];
    if (isKeyword(a, "NX")) flags |= EXPIRE_NX;
    else if (isKeyword(a, "XX")) flags |= EXPIRE_XX;
    else if (isKeyword(a, "GT")) flags |= EXPIRE_GT;
    else if (isKeyword(a, "LT")) flags |= EXPIRE_LT;
    else {
      c.out.error(`ERR Unsupported option ${cArg(a, a.length)}`);
      return null;
    }
  }
  if ((flags & EXPIRE_NX) !== 0 && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) !== 0) {
    c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return null;
  }
  if ((flags & EXPIRE_GT) !== 0 && (flags & EXPIRE_LT) !== 0) {
    c.out.error("ERR GT and LT options at the same time are not compatible");
    return null;
  }
  return flags;
}

/** Numbers below this, times 1000 plus the current time, stay exact doubles. */
const FAST_EXPIRE_LIMIT = 1e12;

/**
 * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `seconds` when the argument is in
 * seconds, `relative` when it counts from now. Logged as Redis logs them:
 * `PEXPIREAT key <ms> [options]` (a relative time must not restart on
 * replay), or `DEL key` when the time has already passed.
 */
function expireCommand(name: string, seconds: boolean, relative: boolean) {
  const invalid = "ERR " + ERR_INVALID_EXPIRE.replace("%s", name);
  // PEXPIREAT's own arguments are already in the logged form.
  const rewrite = seconds || relative;
  return (c: Client, args: string[]): void => {
    const flags = parseExpireFlags(c, args);
    if (flags === null) return;
    const v = parseInt64(args[2]);
    if (v === null) return c.out.error(ERR_NOT_INTEGER);
    const now = Date.now();
    let when: number | bigint;
    if (typeof v === "number" && Math.abs(v) < FAST_EXPIRE_LIMIT) {
      when = (seconds ? v * 1000 : v) + (relative ? now : 0);
    } else {
      // Redis's overflow checks, in 64-bit arithmetic.
      let w = BigInt(v);
      if (seconds) {
        if (w > INT64_MAX / 1000n || w < INT64_MIN / 1000n) return c.out.error(invalid);
        w *= 1000n;
      }
      const base = relative ? BigInt(now) : 0n;
      if (w > INT64_MAX - base) return c.out.error(invalid);
      w += base;
      const n = Number(w);
      when = Number.isSafeInteger(n) ? n : w;
    }
    const db = c.db;
    const key = args[1];
    if (db.lookupWrite(key) === undefined) return c.out.int(0);
    if (flags !== 0) {
      const current = db.getExpireExact(key);
      if ((flags & EXPIRE_NX) !== 0 && current !== -1) return c.out.int(0);
      if ((flags & EXPIRE_XX) !== 0 && current === -1) return c.out.int(0);
      // A key without expiry counts as expiring never (later than any time).
      if ((flags & EXPIRE_GT) !== 0 && (current === -1 || when <= current)) return c.out.int(0);
      if ((flags & EXPIRE_LT) !== 0 && current !== -1 && when >= current) return c.out.int(0);
    }
    if (when <= now) {
      db.delete(key);
      db.notify(NOTIFY_GENERIC, "del", key);
      c.propagateAs = [["DEL", key]];
    } else {
      db.setExpire(key, when);
      db.notify(NOTIFY_GENERIC, "expire", key);
      if (rewrite) {
        const as = args.slice();
        as[0] = "PEXPIREAT";
        as[2] = String(when);
        c.propagateAs = [as];
      }
    }
    c.server.keyspace.dirty++;
    c.out.int(1);
  };
}

/** Milliseconds to seconds, rounded half up (exactly, even past 2^53 / 1000). */
function roundToSeconds(ms: number | bigint): number | bigint {
  if (typeof ms === "bigint") return (ms + 500n) / 1000n;
  const t = ms + 500;
  return (t - (t % 1000)) / 1000;
}

/** TTL (seconds, rounded) and PTTL (milliseconds). */
function ttlCommand(ms: boolean) {
  return (c: Client, args: string[]): void => {
    const db = c.db;
    if (db.lookupRead(args[1], false) === undefined) return c.out.int(-2);
    const expire = db.getExpireExact(args[1]);
    if (expire === -1) return c.out.int(-1);
    const now = Date.now();
    if (typeof expire === "bigint") {
      let ttl = expire - BigInt(now);
      if (ttl < 0n) ttl = 0n;
      return c.out.int(ms ? ttl : roundToSeconds(ttl));
    }
    const ttl = Math.max(expire - now, 0);
    c.out.int(ms ? ttl : roundToSeconds(ttl));
  };
}

/** EXPIRETIME (seconds, rounded like TTL) and PEXPIRETIME (milliseconds). */
function expiretimeCommand(ms: boolean) {
  return (c: Client, args: string[]): void => {
    const db = c.db;
    if (db.lookupRead(args[1], false) === undefined) return c.out.int(-2);
    const expire = db.getExpireExact(args[1]);
    c.out.int(expire === -1 || ms ? expire : roundToSeconds(expire));
  };
}

function persist(c: Client, args: string[]): void {
  const db = c.db;
  if (db.lookupWrite(args[1]) === undefined || !db.persist(args[1])) return c.out.int(0);
  db.notify(NOTIFY_GENERIC, "persist", args[1]);
  c.server.keyspace.dirty++;
  c.out.int(1);
}

// ------------------------------------------------------------------- table

const KEY_ONE: [number, number, number] = [1, 1, 1];
const KEYS_ALL: [number, number, number] = [1, -1, 1];
const KEY_PAIR: [number, number, number] = [1, 2, 1];
const EXPIRE_CONDITION = "[NX | XX | GT | LT]";

/** COMMAND INFO / DOCS fields FLUSHDB and FLUSHALL share. */
const FLUSH_DOCS = {
  syntax: "[ASYNC | SYNC]",
  tips: "request_policy:all_shards response_policy:all_succeeded",
  categories: ["keyspace", "dangerous"],
  history: [
    ["4.0.0", "Added the `ASYNC` flushing mode modifier."],
    ["6.2.0", "Added the `SYNC` flushing mode modifier."],
  ] as [string, string][],
  args: "async.oneof?(async'ASYNC'@4.0.0 sync'SYNC'@6.2.0)",
};

export const keyCommands: CommandSpec[] = [
  defineCommand({
    name: "del",
    arity: -2,
    flags: "write",
    keys: KEYS_ALL,
    group: "generic",
    since: "1.0.0",
    summary: "Delete a key",
    complexity: "O(N) where N is the number of keys that will be removed. When a key to remove " +
      "holds a value other than a string, the individual complexity for this key is O(M) where M " +
      "is the number of elements in the list, set, sorted set or hash. Removing a single key " +
      "that holds a string value is O(1).",
    syntax: "key [key ...]",
    keySpecs: ["RM delete @1 range:-1,1,0"],
    tips: "request_policy:multi_shard response_policy:agg_sum",
    handler: del,
  }),
  defineCommand({
    name: "unlink",
    arity: -2,
    flags: "write fast",
    keys: KEYS_ALL,
    group: "generic",
    since: "4.0.0",
    summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but " +
      "non blocking.",
    complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) " +
      "work in a different thread in order to reclaim memory, where N is the number of " +
      "allocations the deleted objects where composed of.",
    syntax: "key [key ...]",
    keySpecs: ["RM delete @1 range:-1,1,0"],
    tips: "request_policy:multi_shard response_policy:agg_sum",
    handler: del,
  }),
  defineCommand({
    name: "exists",
    arity: -2,
    flags: "readonly fast",
    keys: KEYS_ALL,
    group: "generic",
    since: "1.0.0",
    summary: "Determine if a key exists",
    complexity: "O(N) where N is the number of keys to check.",
    syntax: "key [key ...]",
    keySpecs: ["RO @1 range:-1,1,0"],
    tips: "request_policy:multi_shard response_policy:agg_sum",
    history: [["3.0.3", "Accepts multiple `key` arguments."]],
    handler: exists,
  }),
  defineCommand({
    name: "type",
    arity: 2,
    flags: "readonly fast",
    keys: KEY_ONE,
    group: "generic",
    since: "1.0.0",
    summary: "Determine the type stored at key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO @1"],
    handler: type,
  }),
  defineCommand({
    name: "keys",
    arity: 2,
    flags: "readonly",
    group: "generic",
    since: "1.0.0",
    summary: "Find all keys matching the given pattern",
    complexity: "O(N) with N being the number of keys in the database, under the assumption that " +
      "the key names in the database and the given pattern have limited length.",
    syntax: "pattern",
    tips: "request_policy:all_shards nondeterministic_output_order",
    categories: ["keyspace", "dangerous"],
    handler: keys,
  }),
  defineCommand({
    name: "scan",
    arity: -2,
    flags: "readonly",
    group: "generic",
    since: "2.8.0",
    summary: "Incrementally iterate the keys space",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command " +
      "calls for the cursor to return back to 0. N is the number of elements inside the " +
      "collection.",
    syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]",
    tips: "nondeterministic_output request_policy:special",
    history: [["6.0.0", "Added the `TYPE` subcommand."]],
    args: "cursor.integer pattern'MATCH'.pattern? count'COUNT'.integer? type'TYPE'.string@6.0.0?",
    handler: scan,
  }),
  defineCommand({
    name: "randomkey",
    arity: 1,
    flags: "readonly",
    group: "generic",
    since: "1.0.0",
    summary: "Return a random key from the keyspace",
    complexity: "O(1)",
    tips: "request_policy:all_shards nondeterministic_output",
    handler: randomkey,
  }),
  defineCommand({
    name: "rename",
    arity: 3,
    flags: "write",
    keys: KEY_PAIR,
    group: "generic",
    since: "1.0.0",
    summary: "Rename a key",
    complexity: "O(1)",
    syntax: "key newkey",
    keySpecs: ["RW access delete @1", "OW update @2"],
    handler: rename,
  }),
  defineCommand({
    name: "renamenx",
    arity: 3,
    flags: "write fast",
    keys: KEY_PAIR,
    group: "generic",
    since: "1.0.0",
    summary: "Rename a key, only if the new key does not exist",
    complexity: "O(1)",
    syntax: "key newkey",
    keySpecs: ["RW access delete @1", "OW insert @2"],
    history: [
      [
        "3.2.0",
        "The command no longer returns an error when source and destination names are the same.",
      ],
    ],
    handler: renamenx,
  }),
  defineCommand({
    name: "copy",
    arity: -3,
    flags: "write denyoom",
    keys: KEY_PAIR,
    group: "generic",
    since: "6.2.0",
    summary: "Copy a key",
    complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) " +
      "for string values.",
    syntax: "source destination [DB destination-db] [REPLACE]",
    keySpecs: ["RO access @1", "OW update @2"],
    handler: copy,
  }),
  defineCommand({
    name: "move",
    arity: 3,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "1.0.0",
    summary: "Move a key to another database",
    complexity: "O(1)",
    syntax: "key db",
    keySpecs: ["RW access update @1"],
    handler: move,
  }),
  defineCommand({
    name: "swapdb",
    arity: 3,
    flags: "write fast",
    group: "server",
    since: "4.0.0",
    summary: "Swaps two Redis databases",
    complexity: "O(N) where N is the count of clients watching or blocking on keys from both " +
      "databases.",
    syntax: "index1 index2",
    categories: ["keyspace", "dangerous"],
    handler: swapdb,
  }),
  defineCommand({
    name: "dbsize",
    arity: 1,
    flags: "readonly fast",
    group: "server",
    since: "1.0.0",
    summary: "Return the number of keys in the selected database",
    complexity: "O(1)",
    tips: "request_policy:all_shards response_policy:agg_sum",
    categories: ["keyspace"],
    handler: dbsize,
  }),
  defineCommand({
    name: "flushdb",
    arity: -1,
    flags: "write",
    group: "server",
    since: "1.0.0",
    summary: "Remove all keys from the current database",
    complexity: "O(N) where N is the number of keys in the selected database",
    ...FLUSH_DOCS,
    handler: flushdb,
  }),
  defineCommand({
    name: "flushall",
    arity: -1,
    flags: "write",
    group: "server",
    since: "1.0.0",
    summary: "Remove all keys from all databases",
    complexity: "O(N) where N is the total number of keys in all databases",
    ...FLUSH_DOCS,
    handler: flushall,
  }),
  defineCommand({
    name: "touch",
    arity: -2,
    flags: "readonly fast",
    keys: KEYS_ALL,
    group: "generic",
    since: "3.2.1",
    summary:
      "Alters the last access time of a key(s). Returns the number of existing keys specified.",
    complexity: "O(N) where N is the number of keys that will be touched.",
    syntax: "key [key ...]",
    keySpecs: ["RO @1 range:-1,1,0"],
    tips: "request_policy:multi_shard response_policy:agg_sum",
    handler: touch,
  }),
  defineCommand({
    name: "object",
    arity: -2,
    flags: "",
    group: "generic",
    since: "2.2.3",
    summary: "A container for object introspection commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "6.2.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: objectHelp,
      },
      {
        name: "idletime",
        arity: 3,
        flags: "readonly",
        keys: [2, 2, 1],
        since: "2.2.3",
        summary: "Get the time since a Redis object was last accessed",
        complexity: "O(1)",
        syntax: "key",
        keySpecs: ["RO @2"],
        tips: "nondeterministic_output",
        handler: objectIdletime,
      },
      {
        name: "freq",
        arity: 3,
        flags: "readonly",
        keys: [2, 2, 1],
        since: "4.0.0",
        summary: "Get the logarithmic access frequency counter of a Redis object",
        complexity: "O(1)",
        syntax: "key",
        keySpecs: ["RO @2"],
        tips: "nondeterministic_output",
        handler: objectFreq,
      },
      {
        name: "encoding",
        arity: 3,
        flags: "readonly",
        keys: [2, 2, 1],
        since: "2.2.3",
        summary: "Inspect the internal encoding of a Redis object",
        complexity: "O(1)",
        syntax: "key",
        keySpecs: ["RO @2"],
        tips: "nondeterministic_output",
        handler: objectEncoding,
      },
      {
        name: "refcount",
        arity: 3,
        flags: "readonly",
        keys: [2, 2, 1],
        since: "2.2.3",
        summary: "Get the number of references to the value of the key",
        complexity: "O(1)",
        syntax: "key",
        keySpecs: ["RO @2"],
        tips: "nondeterministic_output",
        handler: objectRefcount,
      },
    ],
  }),
  defineCommand({
    name: "expire",
    arity: -3,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "1.0.0",
    summary: "Set a key's time to live in seconds",
    complexity: "O(1)",
    syntax: `key seconds ${EXPIRE_CONDITION}`,
    keySpecs: ["RW update @1"],
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    args: "key.key#0 seconds.integer condition.oneof@7.0.0?(nx'NX' xx'XX' gt'GT' lt'LT')",
    handler: expireCommand("expire", true, true),
  }),
  defineCommand({
    name: "pexpire",
    arity: -3,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "2.6.0",
    summary: "Set a key's time to live in milliseconds",
    complexity: "O(1)",
    syntax: `key milliseconds ${EXPIRE_CONDITION}`,
    keySpecs: ["RW update @1"],
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    args: "key.key#0 milliseconds.integer condition.oneof@7.0.0?(nx'NX' xx'XX' gt'GT' lt'LT')",
    handler: expireCommand("pexpire", false, true),
  }),
  defineCommand({
    name: "expireat",
    arity: -3,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "1.2.0",
    summary: "Set the expiration for a key as a UNIX timestamp",
    complexity: "O(1)",
    syntax: `key unix-time-seconds ${EXPIRE_CONDITION}`,
    keySpecs: ["RW update @1"],
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    args: "key.key#0 unix-time-seconds.unix-time condition.oneof@7.0.0?(nx'NX' xx'XX' gt'GT' " +
      "lt'LT')",
    handler: expireCommand("expireat", true, false),
  }),
  defineCommand({
    name: "pexpireat",
    arity: -3,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "2.6.0",
    summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
    complexity: "O(1)",
    syntax: `key unix-time-milliseconds ${EXPIRE_CONDITION}`,
    keySpecs: ["RW update @1"],
    history: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
    args: "key.key#0 unix-time-milliseconds.unix-time condition.oneof@7.0.0?(nx'NX' xx'XX' " +
      "gt'GT' lt'LT')",
    handler: expireCommand("pexpireat", false, false),
  }),
  defineCommand({
    name: "ttl",
    arity: 2,
    flags: "readonly fast",
    keys: KEY_ONE,
    group: "generic",
    since: "1.0.0",
    summary: "Get the time to live for a key in seconds",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    history: [["2.8.0", "Added the -2 reply."]],
    handler: ttlCommand(false),
  }),
  defineCommand({
    name: "pttl",
    arity: 2,
    flags: "readonly fast",
    keys: KEY_ONE,
    group: "generic",
    since: "2.6.0",
    summary: "Get the time to live for a key in milliseconds",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    history: [["2.8.0", "Added the -2 reply."]],
    handler: ttlCommand(true),
  }),
  defineCommand({
    name: "expiretime",
    arity: 2,
    flags: "readonly fast",
    keys: KEY_ONE,
    group: "generic",
    since: "7.0.0",
    summary: "Get the expiration Unix timestamp for a key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO access @1"],
    handler: expiretimeCommand(false),
  }),
  defineCommand({
    name: "pexpiretime",
    arity: 2,
    flags: "readonly fast",
    keys: KEY_ONE,
    group: "generic",
    since: "7.0.0",
    summary: "Get the expiration Unix timestamp for a key in milliseconds",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO access @1"],
    handler: expiretimeCommand(true),
  }),
  defineCommand({
    name: "persist",
    arity: 2,
    flags: "write fast",
    keys: KEY_ONE,
    group: "generic",
    since: "2.2.0",
    summary: "Remove the expiration from a key",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RW update @1"],
    handler: persist,
  }),
];
