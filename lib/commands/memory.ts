/**
 * MEMORY (Redis's group "server"): USAGE, STATS, DOCTOR, MALLOC-STATS,
 * PURGE, HELP.
 *
 * MEMORY USAGE reports a key's share of used_memory as the keyspace
 * accounts it (the size model in lib/store/size.ts, documented and
 * calibrated in lib/server/memory.ts): with the default sampling it is the
 * figure the key adds to used_memory.
 */
import type { Client } from "../server/client.ts";
import type { Server } from "../server/server.ts";
import { type MemoryBreakdown, memoryBreakdown } from "../server/memory.ts";
import { DEFAULT_SAMPLES, keyBytes } from "../store/size.ts";
import { ERR_SYNTAX, intArg, isKeyword } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

export { DEFAULT_SAMPLES, keyBytes, stringBytes, valueBytes } from "../store/size.ts";

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

/** The memory figures MEMORY STATS, MEMORY DOCTOR and INFO memory report: the accounted breakdown and V8's. */
export interface MemoryFigures extends MemoryBreakdown {
  peak: number;
  /** V8's live heap and external buffers (garbage included until the next GC). */
  heapUsed: number;
  heapTotal: number;
  rss: number;
}

/** What the server holds now, split as Redis's getMemoryOverheadData splits it. */
export function memoryFigures(s: Server): MemoryFigures {
  const b = memoryBreakdown(s);
  const m = Deno.memoryUsage();
  // Updates the peak with the same figure.
  s.usedMemory();
  return {
    ...b,
    peak: Math.max(s.stats.peakMemory, b.total),
    heapUsed: m.heapUsed + m.external,
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
  int("replication.backlog", f.replBacklog);
  int("clients.slaves", f.replClients);
  int("clients.normal", f.clients);
  int("cluster.links", 0);
  int("aof.buffer", f.aof);
  int("lua.caches", f.luaCaches);
  int("functions.caches", f.functionsCaches);
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
  int("allocator.allocated", f.heapUsed);
  int("allocator.active", f.heapTotal);
  int("allocator.resident", f.rss);
  dbl("allocator-fragmentation.ratio", f.heapUsed ? f.heapTotal / f.heapUsed : 0);
  int("allocator-fragmentation.bytes", f.heapTotal - f.heapUsed);
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
  // A full collection when the runtime allows it (--v8-flags=--expose-gc):
  // the nearest thing to handing dirty pages back, and what calibration needs.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") gc();
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
        tips: "nondeterministic_output request_policy:all_shards response_policy:special",
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
        tips: "nondeterministic_output request_policy:all_shards response_policy:special",
        handler: memoryMallocStats,
      },
      {
        name: "purge",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Ask the allocator to release memory",
        complexity: "Depends on how much memory is allocated, could be slow",
        tips: "request_policy:all_shards response_policy:all_succeeded",
        handler: memoryPurge,
      },
      {
        name: "stats",
        arity: 2,
        flags: "",
        since: "4.0.0",
        summary: "Show memory usage details",
        complexity: "O(1)",
        tips: "nondeterministic_output request_policy:all_shards response_policy:special",
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
