/**
 * maxmemory: eviction before commands (Redis 7.0's performEvictions) with the
 * eight policies, the OOM refusal of denyoom commands (processCommand's rule),
 * and client eviction (maxmemory-clients, Redis's evictClients).
 *
 * Sampling as Redis: the LRU, LFU and TTL policies draw maxmemory-samples
 * keys from every database into one eviction pool of 16 candidates sorted by
 * score (idle seconds, 255 - decayed LFU counter, or how soon the key
 * expires), and evict the best candidate still present. Keys are drawn at
 * random positions of the Dict's dense arrays (Redis's dictGetSomeKeys reads
 * a run of buckets from a random start; a run of our array would be keys of
 * similar age). Volatile policies draw from the keys with an expiry: random
 * positions of the dict kept when they have one, while such keys are common;
 * else a cursor walking the expires map (a JS Map has no random access).
 *
 * Eviction stops once memoryForEviction (lib/server/memory.ts) is back under
 * maxmemory, or after the maxmemory-eviction-tenacity time budget: then a
 * timer carries on evicting between event-loop turns (Redis's
 * evictionTimeProc) and commands are not refused meanwhile.
 */
import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";
import type { Server } from "./server.ts";
import type { Db } from "../store/keyspace.ts";
import { lfuDecayedCounter, lruIdleSeconds } from "../store/keyspace.ts";
import { NOTIFY_EVICTED } from "../store/notify.ts";
import { clientsMemory, memoryForEviction } from "./memory.ts";
import { pausesActive } from "./pause.ts";

/** Redis's shared.oomerr. */
export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";

/** Candidates kept between eviction rounds (Redis's EVPOOL_SIZE). */
const POOL_SIZE = 16;

/** Smallest maxmemory-clients limit Redis applies (so a bad setting cannot lock everyone out). */
const MIN_CLIENT_LIMIT = 128 * 1024;

/** What one eviction round achieved (Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL). */
const EVICT_OK = 0;
const EVICT_RUNNING = 1;
const EVICT_FAIL = 2;

/** The eight maxmemory policies as flags, as Redis encodes them. */
const F_LRU = 1;
const F_LFU = 2;
const F_ALLKEYS = 4;
const F_TTL = 8;
const F_RANDOM = 16;
const POLICIES: Record<string, number> = {
  "volatile-lru": F_LRU,
  "volatile-lfu": F_LFU,
  "volatile-ttl": F_TTL,
  "volatile-random": F_RANDOM,
  "allkeys-lru": F_LRU | F_ALLKEYS,
  "allkeys-lfu": F_LFU | F_ALLKEYS,
  "allkeys-random": F_RANDOM | F_ALLKEYS,
  "noeviction": 0,
};

/** A cursor over one expires map (volatile sampling when keys with a TTL are few). */
interface ExpireCursor {
  map: Map<string, number>;
  it: Iterator<string>;
}

/** Eviction state and counters of one server. */
export class Eviction {
  /** INFO evicted_keys. */
  evictedKeys = 0;
  /** INFO evicted_clients. */
  evictedClients = 0;
  /** Sum of the periods spent over maxmemory (ms; INFO total_eviction_exceeded_time). */
  exceededTotalMs = 0;
  /** When the current period over maxmemory began (performance.now()), or 0. */
  exceededSince = 0;
  /**
   * keyspace.dirty and the cron's clock when memory was last found under
   * maxmemory: until either moves, it still is (reads change no data, and
   * client figures are refreshed by the cron), so reads skip the sum.
   */
  underAtDirty = -1;
  underAtTick = -1;
  /** Whether the last check found the server out of memory (Redis's server.script_oom). */
  lastOom = false;
  /** The background continuation (Redis's evictionTimeProc), while it runs. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** Candidates: key, database and score (higher = evict first), sorted ascending. */
  readonly poolKeys: (string | null)[] = new Array(POOL_SIZE).fill(null);
  readonly poolDbs = new Int32Array(POOL_SIZE);
  readonly poolScores = new Float64Array(POOL_SIZE);
  /** The random policies visit the databases in turn (Redis's static next_db). */
  nextDb = 0;
  readonly cursors = new WeakMap<Db, ExpireCursor>();
  /** maxmemory-clients in bytes (0: off), see clientLimit. */
  clientLimit = 0;
  /** Checks client memory between commands while maxmemory-clients is set. */
  clientTimer: ReturnType<typeof setInterval> | null = null;
  /** Per Command.id: 0 unknown, 1 not denyoom, 2 denyoom. */
  denyOom = new Uint8Array(512);

  /** Empties the pool (policy changes make its scores meaningless). */
  clearPool(): void {
    this.poolKeys.fill(null);
  }
}

const states = new WeakMap<Server, Eviction>();

/** The eviction state of `server` (created on first use). */
export function evictionOf(server: Server): Eviction {
  let e = states.get(server);
  if (e === undefined) {
    e = new Eviction();
    states.set(server, e);
  }
  return e;
}

/** CONFIG RESETSTAT: evicted_keys, evicted_clients and the exceeded time start again. */
export function resetEvictionStats(server: Server): void {
  const e = evictionOf(server);
  e.evictedKeys = 0;
  e.evictedClients = 0;
  e.exceededTotalMs = 0;
}

/** INFO stats fields of eviction, in Redis's order and units. */
export function evictionInfo(server: Server): [string, number][] {
  const e = evictionOf(server);
  const current = e.exceededSince === 0 ? 0 : performance.now() - e.exceededSince;
  return [
    ["evicted_keys", e.evictedKeys],
    ["evicted_clients", e.evictedClients],
    ["total_eviction_exceeded_time", Math.floor(e.exceededTotalMs + current)],
    ["current_eviction_exceeded_time", Math.floor(current)],
  ];
}

/** Whether `cmd` has the denyoom flag (cached per Command.id). */
export function isDenyOom(server: Server, cmd: Command): boolean {
  return denyOom(evictionOf(server), cmd);
}

function denyOom(e: Eviction, cmd: Command): boolean {
  if (cmd.id >= e.denyOom.length) {
    const grown = new Uint8Array(Math.max(cmd.id + 1, e.denyOom.length * 2));
    grown.set(e.denyOom);
    e.denyOom = grown;
  }
  let v = e.denyOom[cmd.id];
  if (v === 0) {
    v = cmd.spec.flags.includes("denyoom") ? 2 : 1;
    e.denyOom[cmd.id] = v;
  }
  return v === 2;
}

/**
 * Frees memory down to maxmemory if it can, before `cmd` runs (Redis's
 * processCommand: evictClients, then performEvictions). Returns null to run
 * the command, or the OOM error text to refuse it: a denyoom command (EXEC
 * when its queue holds one), and any command but EXEC / DISCARD / QUIT /
 * RESET inside MULTI, while nothing more can be evicted.
 */
export function evictBeforeCommand(c: Client, cmd: Command): string | null {
  const server = c.server;
  // The AOF loader replays what happened (Redis loads without processCommand).
  if (c.loader) return null;
  const e = evictionOf(server);
  const clients = e.clientLimit;
  // The running total (refreshed by the client cron) or this client alone over the limit.
  if (clients !== 0 && (clientsMemory(server) >= clients || c.memory().total >= clients)) {
    evictClients(server, e);
    // Evicted itself: the command goes nowhere (Redis returns without running it).
    if (c.closed) return ERR_OOM;
  }
  const oom = performEvictions(server, e) === EVICT_FAIL;
  e.lastOom = oom;
  if (!oom) return null;
  if (denyOom(e, cmd)) return ERR_OOM;
  const t = c.multi;
  if (t !== null) {
    const name = cmd.parent === null ? cmd.spec.name : "";
    if (name === "exec") {
      for (const q of t.queue) if (denyOom(e, q.cmd)) return ERR_OOM;
      return null;
    }
    // Queuing may take any amount of memory: refused, except what ends the transaction.
    if (name !== "discard" && name !== "quit" && name !== "reset") return ERR_OOM;
  }
  return null;
}

/**
 * True when the check before the running command (EVAL, FCALL, EXEC) found
 * memory over maxmemory with nothing left to evict (Redis's server.script_oom):
 * a script then may not run denyoom commands before its first write.
 */
export function scriptStartsOom(server: Server): boolean {
  return server.maxmemory !== 0 && evictionOf(server).lastOom;
}

/**
 * Starts evicting in the background after CONFIG SET maxmemory (Redis's
 * updateMaxmemory calls startEvictionTimeProc), so memory is freed even
 * before the next command.
 */
export function maxmemoryChanged(server: Server): void {
  const e = evictionOf(server);
  e.underAtTick = -1;
  if (server.maxmemory === 0) return;
  startBackground(server, e);
}

/** maxmemory-policy changed: the pool's scores mean something else now. */
export function policyChanged(server: Server): void {
  evictionOf(server).clearPool();
}

function startBackground(server: Server, e: Eviction): void {
  if (e.timer !== null) return;
  e.timer = setTimeout(function proc() {
    e.timer = null;
    if (server.shuttingDown) return;
    if (performEvictions(server, e) === EVICT_RUNNING && e.timer === null) {
      e.timer = setTimeout(proc, 0);
    }
  }, 0);
}

/** Time budget of one eviction round in ms (Redis's evictionTimeLimitUs). */
function timeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return 0.05 * tenacity;
  if (tenacity < 100) return 0.5 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

/** Redis's isSafeToPerformEvictions: not while loading, nor while a pause holds the data still. */
function safeToEvict(server: Server): boolean {
  // A replica is its master's exact copy, unless told otherwise (replica-ignore-maxmemory).
  if (server.keyspace.replica && server.config.bool("replica-ignore-maxmemory")) return false;
  return server.persistence.loading === null && !server.keyspace.loading && pausesActive === 0 &&
    server.busyScriptError === null;
}

/**
 * Evicts keys until memory is back under maxmemory (Redis's
 * performEvictions). EVICT_RUNNING when the time budget ran out first (a
 * timer carries on), EVICT_FAIL when memory is over and nothing can go.
 */
function performEvictions(server: Server, e: Eviction): number {
  const ks = server.keyspace;
  if (ks.dirty === e.underAtDirty && ks.cachedNow === e.underAtTick) return EVICT_OK;
  if (!safeToEvict(server)) return EVICT_OK;
  const max = server.maxmemory;
  let used = memoryForEviction(server);
  if (max === 0 || used <= max) {
    e.underAtDirty = ks.dirty;
    e.underAtTick = ks.cachedNow;
    return exceeded(e, EVICT_OK);
  }
  e.underAtTick = -1;
  const policy = POLICIES[server.config.str("maxmemory-policy")] ?? 0;
  if (policy === 0) return exceeded(e, EVICT_FAIL);
  const config = server.config;
  const samples = config.num("maxmemory-samples");
  const limit = timeLimitMs(config.num("maxmemory-eviction-tenacity"));
  const decay = config.num("lfu-decay-time");
  const start = performance.now();
  let result = EVICT_OK;
  let freed = 0;
  while (used > max) {
    const db = (policy & F_RANDOM) !== 0
      ? pickRandom(server, e, policy)
      : pickFromPool(server, e, policy, samples, decay);
    if (db === null) {
      result = EVICT_FAIL;
      break;
    }
    evictKey(server, e, db, pickedKey);
    freed++;
    if (freed % 16 === 0 && performance.now() - start > limit) {
      // Out of time: a timer goes on between event-loop turns, commands run meanwhile.
      startBackground(server, e);
      result = EVICT_RUNNING;
      break;
    }
    used = memoryForEviction(server);
  }
  if (result !== EVICT_FAIL && e.timer !== null) result = EVICT_RUNNING;
  server.latency.addSampleIfNeeded("eviction-cycle", Math.floor(performance.now() - start));
  return exceeded(e, result);
}

/** Tracks the time spent over maxmemory (INFO *_eviction_exceeded_time). */
function exceeded(e: Eviction, result: number): number {
  if (result === EVICT_OK) {
    if (e.exceededSince !== 0) {
      e.exceededTotalMs += performance.now() - e.exceededSince;
      e.exceededSince = 0;
    }
  } else if (e.exceededSince === 0) {
    e.exceededSince = performance.now();
  }
  return result;
}

/** The key chosen by the last pick (its database is the pick's result). */
let pickedKey = "";

/** Deletes an evicted key and tells everyone as Redis does (events, AOF DEL, tracking, WATCH). */
function evictKey(server: Server, e: Eviction, db: Db, key: string): void {
  db.delete(key);
  e.evictedKeys++;
  db.notify(NOTIFY_EVICTED, "evicted", key);
  server.persistence.propagate(db.id, ["DEL", key]);
}

/** volatile-random / allkeys-random: one random key, visiting the databases in turn. */
function pickRandom(server: Server, e: Eviction, policy: number): Db | null {
  const dbs = server.keyspace.dbs;
  const allkeys = (policy & F_ALLKEYS) !== 0;
  for (let i = 0; i < dbs.length; i++) {
    const db = dbs[(++e.nextDb) % dbs.length];
    if (allkeys) {
      const at = db.dict.randomIndex();
      if (at < 0) continue;
      pickedKey = db.dict.keyAt(at);
      return db;
    }
    if (db.expires.size === 0) continue;
    const key = sampleVolatile(e, db, 1)[0];
    if (key === undefined) continue;
    pickedKey = key;
    return db;
  }
  return null;
}

const sampled: string[] = [];

/**
 * Up to `n` keys with an expiry from `db`: random keys of the dict kept
 * when they have one (while keys with a TTL are at least an eighth), then
 * the expires map's cursor for the rest.
 */
function sampleVolatile(e: Eviction, db: Db, n: number): string[] {
  sampled.length = 0;
  const expires = db.expires;
  const dict = db.dict;
  if (expires.size * 8 >= dict.size) {
    for (let tries = n * 16; tries > 0 && sampled.length < n; tries--) {
      const key = dict.keyAt(dict.randomIndex());
      if (expires.has(key)) sampled.push(key);
    }
  }
  let cursor = e.cursors.get(db);
  let wrapped = false;
  while (sampled.length < n) {
    if (cursor === undefined || cursor.map !== expires) {
      cursor = { map: expires, it: expires.keys() };
      e.cursors.set(db, cursor);
    }
    const next = cursor.it.next();
    if (next.done) {
      cursor.it = expires.keys();
      if (wrapped) break;
      wrapped = true;
      continue;
    }
    sampled.push(next.value);
  }
  return sampled;
}

/**
 * LRU / LFU / TTL policies: fills the pool from every database, then takes
 * its best candidate still present (Redis's evictionPoolPopulate and the
 * loop over the pool from best to worst).
 */
function pickFromPool(
  server: Server,
  e: Eviction,
  policy: number,
  samples: number,
  decay: number,
): Db | null {
  const dbs = server.keyspace.dbs;
  const allkeys = (policy & F_ALLKEYS) !== 0;
  const keys = e.poolKeys;
  for (;;) {
    let total = 0;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[i];
      const size = allkeys ? db.dict.size : db.expires.size;
      if (size === 0) continue;
      total += size;
      populate(server, e, db, policy, samples, decay);
    }
    if (total === 0) return null;
    for (let k = POOL_SIZE - 1; k >= 0; k--) {
      const key = keys[k];
      if (key === null) continue;
      keys[k] = null;
      const db = dbs[e.poolDbs[k]];
      // A candidate deleted or changed since it was sampled is a ghost: the next one.
      if (allkeys ? db.dict.has(key) : db.expires.has(key)) {
        pickedKey = key;
        return db;
      }
    }
  }
}

/** Samples `samples` keys of `db` and inserts the better ones into the pool. */
function populate(
  server: Server,
  e: Eviction,
  db: Db,
  policy: number,
  samples: number,
  decay: number,
): void {
  const dict = db.dict;
  // The clocks as of the last cron tick, as Redis's LRU clock and server.unixtime.
  const now = server.keyspace.lruNow;
  const nowMs = server.keyspace.cachedNow;
  if ((policy & F_ALLKEYS) !== 0) {
    const n = Math.min(samples, dict.size);
    for (let j = 0; j < n; j++) {
      const at = dict.randomIndex();
      const stamp = dict.stampAt(at);
      const score = (policy & F_LRU) !== 0
        ? lruIdleSeconds(stamp, now)
        : 255 - lfuDecayedCounter(stamp, decay, nowMs);
      insertCandidate(e, dict.keyAt(at), db.id, score);
    }
    return;
  }
  for (const key of sampleVolatile(e, db, samples)) {
    let score: number;
    if ((policy & F_TTL) !== 0) {
      // The soonest expiry is the best candidate.
      score = -(db.expires.get(key) ?? 0);
    } else {
      const at = dict.indexOf(key);
      if (at === undefined) continue;
      const stamp = dict.stampAt(at);
      score = (policy & F_LRU) !== 0
        ? lruIdleSeconds(stamp, now)
        : 255 - lfuDecayedCounter(stamp, decay, nowMs);
    }
    insertCandidate(e, key, db.id, score);
  }
}

/** Redis's pool insertion: sorted by score, the worst candidate dropped when full. */
function insertCandidate(e: Eviction, key: string, dbid: number, score: number): void {
  const keys = e.poolKeys;
  const scores = e.poolScores;
  const dbids = e.poolDbs;
  let k = 0;
  while (k < POOL_SIZE && keys[k] !== null && scores[k] < score) k++;
  if (k === 0 && keys[POOL_SIZE - 1] !== null) return; // worse than all, no room
  if (k < POOL_SIZE && keys[k] === null) {
    // An empty slot: insert there.
  } else if (keys[POOL_SIZE - 1] === null) {
    // Room on the right: shift k.. one step right.
    for (let j = POOL_SIZE - 1; j > k; j--) {
      keys[j] = keys[j - 1];
      scores[j] = scores[j - 1];
      dbids[j] = dbids[j - 1];
    }
  } else {
    // Full: drop the worst (leftmost), shift left, insert at k - 1.
    k--;
    for (let j = 0; j < k; j++) {
      keys[j] = keys[j + 1];
      scores[j] = scores[j + 1];
      dbids[j] = dbids[j + 1];
    }
  }
  keys[k] = key;
  scores[k] = score;
  dbids[k] = dbid;
}

/** Interval of the client memory check between commands (ms). */
const CLIENT_CHECK_MS = 100;

/**
 * maxmemory, maxmemory-clients changed (or the server started): recomputes
 * the client limit and runs the client memory check on a timer while it is
 * set (clients grow between commands too: replies they do not read).
 */
export function clientLimitChanged(server: Server): void {
  const e = evictionOf(server);
  e.clientLimit = clientLimit(server);
  if (e.clientLimit !== 0 && e.clientTimer === null) {
    e.clientTimer = setInterval(() => {
      if (server.shuttingDown || e.clientLimit === 0) {
        clearInterval(e.clientTimer!);
        e.clientTimer = null;
        return;
      }
      if (clientsMemory(server) >= e.clientLimit) evictClients(server, e);
    }, CLIENT_CHECK_MS);
    Deno.unrefTimer(e.clientTimer);
  }
}

/**
 * maxmemory-clients in bytes (0: no client eviction): a percentage of
 * maxmemory, or bytes, at least 128 KB (Redis's getClientEvictionLimit).
 */
function clientLimit(server: Server): number {
  const v = server.config.str("maxmemory-clients");
  if (v === "0") return 0;
  let n: number;
  if (v.endsWith("%")) {
    if (server.maxmemory === 0) return 0;
    n = Math.floor(server.maxmemory * Number(v.slice(0, -1)) / 100);
  } else {
    n = Number(v);
  }
  if (!(n > 0)) return 0;
  return Math.max(n, MIN_CLIENT_LIMIT);
}

/**
 * Disconnects the largest evictable clients (normal and pub/sub, not
 * CLIENT NO-EVICT) while all clients together exceed maxmemory-clients
 * (Redis's evictClients, largest first as its memory buckets order them).
 * Returns how many were evicted.
 */
export function evictClients(server: Server, e = evictionOf(server)): number {
  const limit = e.clientLimit;
  if (limit === 0) return 0;
  let total = 0;
  const sizes: [Client, number][] = [];
  for (const c of server.clients.values()) {
    // As Redis 7.0, only normal and pub/sub clients count and can be evicted.
    if (c.closed || c.replica !== null || c.master) continue;
    const m = c.memory().total;
    total += m;
    if (!c.noEvict) sizes.push([c, m]);
  }
  if (total < limit) return 0;
  sizes.sort((a, b) => b[1] - a[1]);
  let evicted = 0;
  for (const [c, m] of sizes) {
    if (total < limit) break;
    server.log.notice(`Evicting client: ${c.info()}`);
    c.kill();
    total -= m;
    e.evictedClients++;
    evicted++;
  }
  if (total >= limit) {
    server.log.warning("Over client maxmemory after evicting all evictable clients");
  }
  return evicted;
}
