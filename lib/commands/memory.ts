/**
 * MEMORY (Redis's group "server"): USAGE, STATS, DOCTOR, MALLOC-STATS,
 * PURGE, HELP.
 *
 * MEMORY USAGE estimates what redeno holds for a key in V8's heap, which
 * cannot be measured per object at run time. The model (64-bit V8 without
 * pointer compression):
 *
 * - a string of n bytes is a one-byte sequential string: a 16-byte header
 *   (map, hash, length) and n bytes rounded up to 8;
 * - a keyspace (or hashtable) entry costs DICT_ENTRY bytes in lib/store/dict.ts's
 *   arrays: key and value pointers, the stored hash, the per-key stamp and
 *   the open-addressing slots (at most half full);
 * - an object costs its header and fields; an array 16 bytes and 8 a slot;
 *   a typed array its header and its bytes;
 * - listpacks, intsets and quicklist nodes are packed strings or typed
 *   arrays, counted whole (as Redis counts a listpack's bytes);
 * - hashtable-encoded hashes, sets and sorted sets count their container
 *   plus the average size of up to SAMPLES elements times their number
 *   (SAMPLES 0: every element), as Redis's objectComputeSize samples.
 */
import type { Client } from "../server/client.ts";
import type { Server } from "../server/server.ts";
import { HashValue } from "../store/hash.ts";
import type { Value } from "../store/keyspace.ts";
import { ListValue } from "../store/list.ts";
import { SetValue } from "../store/set.ts";
import { StreamValue } from "../store/stream.ts";
import { EmbString, RawString } from "../store/strings.ts";
import { ZSetValue } from "../store/zset.ts";
import { ERR_SYNTAX, intArg, isKeyword } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

/** Bytes of one entry of a Dict: 2 pointers, a hash, a stamp, ~2 slots. */
const DICT_ENTRY = 40;
/** A Dict's fixed part: the object, its arrays and a minimal table. */
const DICT_BASE = 256;
/** Header of a plain JS object with a few fields. */
const OBJECT = 48;
/** Header of a typed array and its buffer. */
const TYPED_ARRAY = 96;
/** Members examined by default (Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
export const DEFAULT_SAMPLES = 5;

/** Bytes of a JS one-byte string of `n` characters. */
export function stringBytes(n: number): number {
  return 16 + ((n + 7) & ~7);
}

/**
 * Average size of `count` elements estimated from up to `samples` of them
 * (`at(i)` gives the bytes of element i), times `count`.
 */
function sampled(count: number, samples: number, at: (i: number) => number): number {
  const n = Math.min(count, samples);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += at(i);
  return Math.round((sum / n) * count);
}

/** Estimated bytes of a value (without its key), sampling up to `samples` elements. */
export function valueBytes(v: Value, samples: number): number {
  if (typeof v === "string") return stringBytes(v.length);
  if (v instanceof RawString) return OBJECT + TYPED_ARRAY + v.length;
  if (v instanceof EmbString) return OBJECT + stringBytes(v.length);
  if (v instanceof HashValue) {
    const n = v.size;
    const pair = (i: number) => stringBytes(v.fieldAt(i).length) + stringBytes(v.valueAt(i).length);
    // A listpack is an array of field, value, field, value ...
    if (v.isListpack) return OBJECT + 16 + 16 * n + sampled(n, n, pair);
    return OBJECT + DICT_BASE + n * DICT_ENTRY + sampled(n, samples, pair);
  }
  if (v instanceof ListValue) {
    // Each quicklist node: an object and its packed string.
    return OBJECT + 16 + v.nodeCount * (OBJECT + 8 + 16) + v.packedBytes;
  }
  if (v instanceof SetValue) {
    const n = v.size;
    // An intset packs its members in one flat string, intsetWidth() bytes each.
    if (v.isIntset) return OBJECT + stringBytes(n * v.intsetWidth());
    return OBJECT + DICT_BASE + n * DICT_ENTRY +
      sampled(n, samples, (i) => stringBytes(v.memberAt(i).length));
  }
  if (v instanceof ZSetValue) {
    const n = v.size;
    const k = Math.min(n, v.isListpack ? n : samples);
    let sum = 0;
    if (k > 0) v.range(0, k - 1, false, (m) => (sum += m.length));
    if (v.isListpack) {
      // One packed string: each entry has its member and score with small headers.
      return OBJECT + stringBytes(sum + n * 12);
    }
    // Skiplist: a dict entry and a heap number per member, tree slots for
    // member and score, and the member string (shared by both).
    const perMember = DICT_ENTRY + 16 + 24;
    return OBJECT + DICT_BASE + n * perMember + (k ? Math.round(stringBytes(sum / k) * n) : 0);
  }
  if (v instanceof StreamValue) {
    // As Redis counts a stream: its listpacks, the index of nodes (here an
    // array of node objects, each a typed-array view), and the groups' PELs
    // and consumers (a PEL slot holds a 16-byte ID key and the shared NACK).
    let bytes = OBJECT + 16 + v.nodeCount * (8 + OBJECT + TYPED_ARRAY) + v.listpackBytes();
    for (const g of v.groups?.values() ?? []) {
      bytes += OBJECT + DICT_BASE + g.pendingCount() * (2 * (8 + stringBytes(16)) + OBJECT);
      for (const consumer of g.consumers.values()) {
        bytes += OBJECT + stringBytes(consumer.name.length);
      }
    }
    return bytes;
  }
  return OBJECT;
}

/** Estimated bytes of a key and its value in the keyspace. */
export function keyBytes(key: string, v: Value, samples: number): number {
  return DICT_ENTRY + stringBytes(key.length) + valueBytes(v, samples);
}

function memoryUsage(c: Client, args: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < args.length; j++) {
    if (isKeyword(args[j], "SAMPLES") && j + 1 < args.length) {
      const n = intArg(c, args[j + 1]);
      if (n === null) return;
      if (n < 0) return c.out.error(ERR_SYNTAX);
      samples = n === 0 ? Infinity : n;
      j++;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  // As Redis, a key past its expiry still counts until it is reclaimed.
  const v = c.db.dict.get(args[2]);
  if (v === undefined) return c.out.nullBulk();
  c.out.int(keyBytes(args[2], v, samples));
}

/** The process's memory when this module was loaded (start-up). */
const STARTUP = (() => {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
})();

/** The memory figures MEMORY STATS, MEMORY DOCTOR and INFO memory report. */
export interface MemoryFigures {
  peak: number;
  total: number;
  startup: number;
  /** Normal clients' buffers and state (clients.normal, mem_clients_normal). */
  clients: number;
  dbs: { id: number; main: number; expires: number }[];
  overhead: number;
  keys: number;
  dataset: number;
  heapTotal: number;
  rss: number;
}

/** What the server holds now, split as Redis's getMemoryOverheadData splits it. */
export function memoryFigures(s: Server): MemoryFigures {
  const total = s.usedMemory();
  const m = Deno.memoryUsage();
  const dbs = [];
  let clients = 0;
  for (const c of s.clients.values()) clients += c.memory().total;
  let overhead = Math.min(STARTUP, total) + clients;
  let keys = 0;
  for (const db of s.keyspace.dbs) {
    if (db.size === 0) continue;
    const main = DICT_BASE + db.size * DICT_ENTRY;
    // A Map entry: key, value, chain link and bucket.
    const expires = db.expires.size * 32;
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
    keys += db.size;
  }
  return {
    peak: Math.max(s.stats.peakMemory, total),
    total,
    startup: STARTUP,
    clients,
    dbs,
    overhead,
    keys,
    dataset: Math.max(total - overhead, 0),
    heapTotal: m.heapTotal + m.external,
    rss: m.rss,
  };
}

function memoryStats(c: Client): void {
  const f = memoryFigures(c.server);
  const out = c.out;
  const net = Math.max(f.total - f.startup, 0);
  out.map(27 + f.dbs.length);
  const int = (name: string, n: number) => {
    out.bulk(name);
    out.int(Math.round(n));
  };
  const dbl = (name: string, d: number) => {
    out.bulk(name);
    out.double(Math.fround(d));
  };
  int("peak.allocated", f.peak);
  int("total.allocated", f.total);
  int("startup.allocated", f.startup);
  int("replication.backlog", 0);
  int("clients.slaves", 0);
  int("clients.normal", f.clients);
  int("cluster.links", 0);
  int("aof.buffer", 0);
  int("lua.caches", 0);
  int("functions.caches", 0);
  for (const db of f.dbs) {
    out.bulk(`db.${db.id}`);
    out.map(3);
    int("overhead.hashtable.main", db.main);
    int("overhead.hashtable.expires", db.expires);
    int("overhead.hashtable.slot-to-keys", 0);
  }
  int("overhead.total", f.overhead);
  int("keys.count", f.keys);
  int("keys.bytes-per-key", f.keys ? Math.floor(net / f.keys) : 0);
  int("dataset.bytes", f.dataset);
  dbl("dataset.percentage", net ? (f.dataset * 100) / net : 0);
  dbl("peak.percentage", f.peak ? (f.total * 100) / f.peak : 0);
  int("allocator.allocated", f.total);
  int("allocator.active", f.heapTotal);
  int("allocator.resident", f.rss);
  dbl("allocator-fragmentation.ratio", f.total ? f.heapTotal / f.total : 0);
  int("allocator-fragmentation.bytes", f.heapTotal - f.total);
  dbl("allocator-rss.ratio", f.heapTotal ? f.rss / f.heapTotal : 0);
  int("allocator-rss.bytes", f.rss - f.heapTotal);
  dbl("rss-overhead.ratio", 1);
  int("rss-overhead.bytes", 0);
  dbl("fragmentation", f.total ? f.rss / f.total : 0);
  int("fragmentation.bytes", f.rss - f.total);
}

/** Below this much data Redis's doctor declines to judge (5 MB, as Redis). */
const DOCTOR_MIN_BYTES = 5 * 1024 * 1024;

function memoryDoctor(c: Client): void {
  const f = memoryFigures(c.server);
  // The runtime's own start-up memory is not the user's data: judge what came after.
  const text = f.total - f.startup < DOCTOR_MIN_BYTES
    ? "Hi Sam, this instance is empty or is using very little memory, my issues detector " +
      "can't be used in these conditions. Please, leave for your mission on Earth and fill it " +
      "with some data. The new Sam and I will be back to our programming as soon as I " +
      "finished rebooting.\n"
    : "Hi Sam, I can't find any memory issue in your instance. I can only account for what " +
      "occurs on this base.\n";
  c.out.verbatim(text);
}

function memoryMallocStats(c: Client): void {
  // What Redis answers when built without jemalloc: V8 has no such report.
  c.out.bulk("Stats not supported for the current allocator");
}

function memoryPurge(c: Client): void {
  c.out.ok();
}

function memoryHelp(c: Client): void {
  replyHelp(c, "MEMORY", [
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
  ]);
}

export const memoryCommands: CommandSpec[] = [
  defineCommand({
    name: "memory",
    arity: -2,
    flags: "",
    group: "server",
    since: "4.0.0",
    summary: "A container for memory diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "doctor",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Outputs memory problems report",
        complexity: "O(1)",
        handler: memoryDoctor,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "4.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: memoryHelp,
      },
      {
        name: "malloc-stats",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Show allocator internal stats",
        complexity: "Depends on how much memory is allocated, could be slow",
        handler: memoryMallocStats,
      },
      {
        name: "purge",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Ask the allocator to release memory",
        complexity: "Depends on how much memory is allocated, could be slow",
        handler: memoryPurge,
      },
      {
        name: "stats",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Show memory usage details",
        complexity: "O(1)",
        handler: memoryStats,
      },
      {
        name: "usage",
        arity: -3,
        flags: "readonly",
        keys: [2, 2, 1],
        keySpecs: [{
          flags: ["RO"],
          index: 2,
          find: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
        }],
        since: "4.0.0",
        summary: "Estimate the memory usage of a key",
        complexity: "O(N) where N is the number of samples.",
        syntax: "key [SAMPLES count]",
        handler: memoryUsage,
      },
    ],
  }),
];
