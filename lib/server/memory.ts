/**
 * used_memory as redeno accounts it.
 *
 * V8 cannot say what one object costs, and its heapUsed counts garbage
 * until the next collection, so redeno keeps an estimate of what it holds
 * (the model in lib/store/size.ts) as running totals, cheap enough to read
 * before every command when maxmemory is set:
 *
 * - keys, values and their keyspace entries: every Db's Dict keeps each
 *   entry's accounted size (a Uint32Array beside the LRU/LFU stamps) and
 *   their sum; Db.set / replace / delete / flush and SWAPDB adjust it.
 *   Values handed out for writing (Db.lookupWrite) are noted and
 *   re-estimated at the next read of the total (or after 1024 notes), so a
 *   value grown in place (APPEND, HSET, RPUSH, ZADD, XADD ...) is counted.
 *   Big hashtable-encoded values are estimated from a sample of elements,
 *   as Redis's MEMORY USAGE samples.
 * - expiry entries: EXPIRE_ENTRY bytes per key with a TTL.
 * - clients: each client's buffers (query, argv, reply buffer and backlog,
 *   MULTI queue, watched keys; Client.memory()) as of its last visit by
 *   the client cron (every client about once a second), kept as a total.
 *   Replicas apart: as in Redis 7.0, where they and the backlog share one
 *   replication buffer, only the output of the furthest-behind replica
 *   beyond repl-backlog-size counts (mem_clients_slaves), and not for
 *   eviction (evicting keys would only feed the lagging replica more DELs).
 * - scripts and functions: EVAL's script cache and the function libraries
 *   (read once per cron tick on the per-command path, fresh for INFO).
 * - the AOF buffer (not counted for eviction, as Redis).
 * - a fixed startup baseline (STARTUP_BYTES): the server's own tables, in
 *   the spirit of Redis's used_memory_startup. The runtime's own heap (V8,
 *   compiled code) is not counted, as Redis does not count its executable.
 *
 * The value model (lib/store/size.ts), for 64-bit V8 without pointer
 * compression: a string of n bytes is a one-byte sequential string, 16
 * bytes of header and n rounded up to 8; a keyspace entry KEYSPACE_ENTRY
 * (48: key and value slots, hash, stamp, accounted size, two table slots,
 * array slack), a collection's Dict entry DICT_ENTRY (40); an object 48; a
 * JS array its header plus 8 bytes a slot at the capacity pushes leave
 * (about 1.5 n + 16); a typed array with its own buffer 200 plus its bytes;
 * listpack hashes are arrays of field and value strings; quicklist nodes an
 * object and a packed string; intsets and listpack zsets one packed string;
 * skiplist zsets a Dict
 * entry, a heap number and tree slots a member; streams their listpack
 * buffers (the tail's spare room included), a node object and view each,
 * and their groups' PELs and consumers. Hashtable-encoded hashes, sets and
 * sorted sets, long lists and streams are estimated from DEFAULT_SAMPLES (5)
 * elements or nodes, as Redis's MEMORY USAGE samples.
 *
 * Calibration (scripts/memory_calibrate.ts, Deno 2.9 / V8 on x86-64): the
 * growth of used_memory against the growth of V8's live heap (heapUsed +
 * external after two full collections) when loading each shape into an
 * empty server (keys named key:NNNNNNNN):
 *
 *   shape                          keys   accounted   V8 heap   ratio
 *   SET 10-byte values            100000     10.69M    10.82M    0.99
 *   SET integer values            100000      9.92M     9.70M    1.02
 *   SET 100-byte values            50000      9.59M     9.38M    1.02
 *   SET 1000-byte values           10000     10.45M    10.47M    1.00
 *   SET 10-byte values EX          100000     15.26M    15.50M    0.98
 *   APPEND 5 x 20 bytes            20000     10.07M    10.41M    0.97
 *   hash listpack, 10 fields       10000      9.98M    11.12M    0.90
 *   hash hashtable, 10k fields        20     19.84M    19.06M    1.04
 *   list 10 elements               10000      4.12M     4.08M    1.01
 *   list 100k elements (RPUSH 1)      10     10.73M    11.61M    0.92
 *   set intset, 10 members         10000      1.60M     1.78M    0.90
 *   set hashtable, 10k members        20     13.74M    12.50M    1.10
 *   zset listpack, 10 members      10000      2.75M     3.04M    0.91
 *   zset skiplist, 10k members        20     21.37M    23.33M    0.92
 *   stream 100 entries              1000      4.73M     5.01M    0.94
 *   stream 200k entries                1      5.82M     5.48M    1.06
 *   stream 100k entries, all pending   1     15.15M    15.93M    0.95
 */
import type { Server } from "./server.ts";
import type { Client, ClientMemory } from "./client.ts";
import { KEYSPACE_ENTRY } from "../store/size.ts";
import { EXPIRE_ENTRY } from "../store/keyspace.ts";
import { replicationOf } from "./replication.ts";

/** The fixed part of used_memory: what an empty server is taken to hold. */
export const STARTUP_BYTES = 1024 * 1024;

/**
 * Per-server accounting state: each client's last figure and their sum,
 * and the scripting figure as of one cron tick (walking the function
 * libraries before every command would not be O(1)).
 */
interface MemoryState {
  perClient: WeakMap<Client, number>;
  total: number;
  /** Each replica's unsent output (bytes), kept apart from `total`. */
  replicaOutput: Map<Client, number>;
  /** The largest of replicaOutput (kept on change: read before every command under maxmemory). */
  replicaOutputMax: number;
  /** keyspace.cachedNow when `scripts` was computed (-1: never). */
  scriptsAt: number;
  scripts: number;
}

const states = new WeakMap<Server, MemoryState>();

function stateOf(s: Server): MemoryState {
  let a = states.get(s);
  if (a === undefined) {
    a = {
      perClient: new WeakMap(),
      total: 0,
      replicaOutput: new Map(),
      replicaOutputMax: 0,
      scriptsAt: -1,
      scripts: 0,
    };
    states.set(s, a);
  }
  return a;
}

/** Records the memory `m` client `c` takes now (the client cron calls this). */
export function accountClient(s: Server, c: Client, m: ClientMemory): void {
  const a = stateOf(s);
  if (c.replica !== null) {
    // A client turns replica after it was counted as a normal one.
    forgetNormal(a, c);
    a.replicaOutput.set(c, m.output);
    updateReplicaOutputMax(a);
    return;
  }
  a.total += m.total - (a.perClient.get(c) ?? 0);
  a.perClient.set(c, m.total);
}

function forgetNormal(a: MemoryState, c: Client): void {
  const had = a.perClient.get(c);
  if (had !== undefined) {
    a.total -= had;
    a.perClient.delete(c);
  }
}

/** Forgets a closed client's memory. */
export function forgetClient(s: Server, c: Client): void {
  const a = stateOf(s);
  forgetNormal(a, c);
  if (a.replicaOutput.delete(c)) updateReplicaOutputMax(a);
}

function updateReplicaOutputMax(a: MemoryState): void {
  let most = 0;
  for (const bytes of a.replicaOutput.values()) if (bytes > most) most = bytes;
  a.replicaOutputMax = most;
}

/** Normal clients' accounted memory (INFO mem_clients_normal). */
export function clientsMemory(s: Server): number {
  return stateOf(s).total;
}

/**
 * INFO mem_clients_slaves: what the furthest-behind replica has not been
 * sent beyond repl-backlog-size (Redis 7.0's shared replication buffer
 * past its backlog part).
 */
export function replicasMemory(s: Server): number {
  const most = stateOf(s).replicaOutputMax;
  return most === 0 ? 0 : Math.max(0, most - replicationBacklogMemory(s));
}

/** The AOF buffer not yet written (INFO mem_aof_buffer). */
function aofBufferMemory(s: Server): number {
  return s.persistence.aof?.pending ?? 0;
}

/** Bytes held by EVAL's script cache and by the function libraries. */
export interface ScriptsMemory {
  eval(s: Server): number;
  functions(s: Server): number;
}

/**
 * Where the scripting figures come from: registered by lib/commands/info.ts
 * (which reads the scripting state), as importing the scripting runtime
 * here would close an import cycle through the client and command table.
 */
let scriptsSource: ScriptsMemory = { eval: () => 0, functions: () => 0 };

/** Registers the source of the scripting figures (done once at load). */
export function setScriptsMemorySource(source: ScriptsMemory): void {
  scriptsSource = source;
}

/** EVAL's script cache (INFO used_memory_scripts_eval, MEMORY STATS lua.caches). */
export function evalScriptsMemory(s: Server): number {
  return scriptsSource.eval(s);
}

/** EVAL's script cache and the function libraries (INFO used_memory_scripts). */
export function scriptsMemory(s: Server): number {
  return scriptsSource.eval(s) + scriptsSource.functions(s);
}

/** What Redis leaves out of eviction's figure: the AOF buffer and the replicas' output. */
export function notCountedForEvict(s: Server): number {
  return aofBufferMemory(s) + replicasMemory(s);
}

/**
 * The replication backlog's buffer (INFO mem_replication_backlog): allocated
 * whole at repl-backlog-size when the first replica attaches; counted for
 * eviction, as Redis counts its backlog.
 */
export function replicationBacklogMemory(s: Server): number {
  return replicationOf(s).backlog?.buf.length ?? 0;
}

/** used_memory: the accounted bytes of everything the server holds. */
export function usedMemory(s: Server): number {
  const state = stateOf(s);
  const now = s.keyspace.cachedNow;
  if (state.scriptsAt !== now) {
    state.scripts = scriptsMemory(s);
    state.scriptsAt = now;
  }
  return STARTUP_BYTES + s.keyspace.accountedBytes() + state.total + state.scripts +
    replicationBacklogMemory(s) + notCountedForEvict(s);
}

/** The figure eviction compares with maxmemory: used_memory without notCountedForEvict. */
export function memoryForEviction(s: Server): number {
  return usedMemory(s) - notCountedForEvict(s);
}

/** Per-database overhead, as Redis's MEMORY STATS splits it. */
export interface DbOverhead {
  id: number;
  main: number;
  expires: number;
}

/** used_memory split as Redis's getMemoryOverheadData splits it. */
export interface MemoryBreakdown {
  total: number;
  startup: number;
  clients: number;
  /** The replicas' output past the backlog (replicasMemory). */
  replClients: number;
  /** The replication backlog's buffer. */
  replBacklog: number;
  /** EVAL's script cache. */
  luaCaches: number;
  /** The function libraries. */
  functionsCaches: number;
  aof: number;
  dbs: DbOverhead[];
  /** Everything but the data: startup, clients, replicas, scripts, backlog, AOF buffer, dict and expiry entries. */
  overhead: number;
  keys: number;
  dataset: number;
}

/** The parts of used_memory (INFO memory, MEMORY STATS). */
export function memoryBreakdown(s: Server): MemoryBreakdown {
  const data = s.keyspace.accountedBytes();
  const clients = stateOf(s).total;
  const luaCaches = evalScriptsMemory(s);
  const functionsCaches = scriptsSource.functions(s);
  const scripts = luaCaches + functionsCaches;
  const state = stateOf(s);
  state.scripts = scripts;
  state.scriptsAt = s.keyspace.cachedNow;
  const aof = aofBufferMemory(s);
  const replClients = replicasMemory(s);
  const replBacklog = replicationBacklogMemory(s);
  const dbs: DbOverhead[] = [];
  let overhead = STARTUP_BYTES + clients + replClients + scripts + replBacklog + aof;
  let keys = 0;
  for (const db of s.keyspace.dbs) {
    if (db.size === 0) continue;
    const main = db.size * KEYSPACE_ENTRY;
    const expires = db.expires.size * EXPIRE_ENTRY;
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
    keys += db.size;
  }
  const total = STARTUP_BYTES + data + clients + replClients + scripts + replBacklog + aof;
  return {
    total,
    startup: STARTUP_BYTES,
    clients,
    replClients,
    replBacklog,
    luaCaches,
    functionsCaches,
    aof,
    dbs,
    overhead,
    keys,
    dataset: Math.max(total - overhead, 0),
  };
}
