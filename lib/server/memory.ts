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
 * - scripts and functions: EVAL's script cache and the function libraries.
 * - the AOF buffer (not counted for eviction, as Redis).
 * - a fixed startup baseline (STARTUP_BYTES): the server's own tables, in
 *   the spirit of Redis's used_memory_startup. The runtime's own heap (V8,
 *   compiled code) is not counted, as Redis does not count its executable.
 *
 * Calibration: see the table below (scripts/memory_calibrate.ts).
 */
import type { Server } from "./server.ts";
import type { Client } from "./client.ts";
import { DICT_BASE, DICT_ENTRY } from "../store/size.ts";
import { EXPIRE_ENTRY } from "../store/keyspace.ts";

/** The fixed part of used_memory: what an empty server is taken to hold. */
export const STARTUP_BYTES = 1024 * 1024;

/** Per-server client accounting: each client's last figure and their sum. */
interface ClientAccounting {
  perClient: WeakMap<Client, number>;
  total: number;
}

const clientState = new WeakMap<Server, ClientAccounting>();

function clientsOf(s: Server): ClientAccounting {
  let a = clientState.get(s);
  if (a === undefined) {
    a = { perClient: new WeakMap(), total: 0 };
    clientState.set(s, a);
  }
  return a;
}

/** Records the memory `bytes` client `c` takes now (the client cron calls this). */
export function accountClient(s: Server, c: Client, bytes: number): void {
  const a = clientsOf(s);
  a.total += bytes - (a.perClient.get(c) ?? 0);
  a.perClient.set(c, bytes);
}

/** Forgets a closed client's memory. */
export function forgetClient(s: Server, c: Client): void {
  const a = clientsOf(s);
  const had = a.perClient.get(c);
  if (had !== undefined) {
    a.total -= had;
    a.perClient.delete(c);
  }
}

/** Normal clients' accounted memory (INFO mem_clients_normal). */
export function clientsMemory(s: Server): number {
  return clientsOf(s).total;
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

/** What Redis leaves out of eviction's figure: the AOF buffer (redeno has no replicas). */
export function notCountedForEvict(s: Server): number {
  return s.persistence.aof?.pending ?? 0;
}

/** used_memory: the accounted bytes of everything the server holds. */
export function usedMemory(s: Server): number {
  return STARTUP_BYTES + s.keyspace.accountedBytes() + clientsOf(s).total + scriptsMemory(s) +
    notCountedForEvict(s);
}

/** The figure eviction compares with maxmemory: used_memory without the AOF buffer. */
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
  /** EVAL's script cache. */
  luaCaches: number;
  /** The function libraries. */
  functionsCaches: number;
  aof: number;
  dbs: DbOverhead[];
  /** Everything but the data: startup, clients, scripts, AOF buffer, dict and expiry entries. */
  overhead: number;
  keys: number;
  dataset: number;
}

/** The parts of used_memory (INFO memory, MEMORY STATS). */
export function memoryBreakdown(s: Server): MemoryBreakdown {
  const data = s.keyspace.accountedBytes();
  const clients = clientsOf(s).total;
  const luaCaches = evalScriptsMemory(s);
  const functionsCaches = scriptsSource.functions(s);
  const scripts = luaCaches + functionsCaches;
  const aof = notCountedForEvict(s);
  const dbs: DbOverhead[] = [];
  let overhead = STARTUP_BYTES + clients + scripts + aof;
  let keys = 0;
  for (const db of s.keyspace.dbs) {
    if (db.size === 0) continue;
    const main = DICT_BASE + db.size * DICT_ENTRY;
    const expires = db.expires.size * EXPIRE_ENTRY;
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
    keys += db.size;
  }
  const total = STARTUP_BYTES + data + clients + scripts + aof;
  return {
    total,
    startup: STARTUP_BYTES,
    clients,
    luaCaches,
    functionsCaches,
    aof,
    dbs,
    overhead,
    keys,
    dataset: Math.max(total - overhead, 0),
  };
}
