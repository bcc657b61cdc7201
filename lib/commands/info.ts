/**
 * INFO: every section and field Redis 7.0.15 prints, in its order. Fields
 * for what redeno does not do (forks, active defrag) are the values an
 * idle Redis shows for them.
 */
import { scriptState } from "../scripting/runner.ts";
import { trackingInfo } from "../server/tracking.ts";
import { evictionInfo } from "../server/evict.ts";
import { postponedClients } from "../server/pause.ts";
import { functionRegistry } from "../scripting/functions.ts";
import process from "node:process";
import type { Server } from "../server/server.ts";
import {
  formatPercentile,
  parsePercentiles,
  REDENO_VERSION,
  REDIS_COMPAT_VERSION,
} from "../config.ts";
import { lruClock } from "../store/keyspace.ts";
import { crc64 } from "../persistence/crc64.ts";
import { memoryFigures } from "./memory.ts";
import { evalScriptsMemory, setScriptsMemorySource } from "../server/memory.ts";
import type { Command } from "./table.ts";
import { replicationOf } from "../server/replication.ts";
import { goodReplicas, minReplicasActive } from "../server/wait.ts";

/** Every INFO section, in Redis's order. */
const SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
];
/** What INFO and INFO default print; "all" and "everything" add commandstats and latencystats. */
const DEFAULT_SECTIONS = new Set(
  SECTIONS.filter((s) => s !== "commandstats" && s !== "latencystats"),
);

/** Redis's bytesToHuman: 1023B, 1.00K, 967.33K, 11.84M, ... */
export function bytesToHuman(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let v = n / 1024;
  for (const u of units) {
    if (v < 1024 || u === "P") return `${v.toFixed(2)}${u}`;
    v /= 1024;
  }
  return `${n}B`;
}

type Lines = [string, string | number][];

/**
 * redis_build_id: 16 hex digits naming this build, as Redis derives its own
 * from its version and build; here redeno's version and the runtime's.
 */
const BUILD_ID = (() => {
  const text = `redeno ${REDENO_VERSION} deno ${Deno.version.deno} v8 ${Deno.version.v8}`;
  return crc64(new TextEncoder().encode(text)).toString(16).padStart(16, "0");
})();

function sectionServer(s: Server): Lines {
  const now = Date.now();
  const uptime = Math.floor((now - s.startTime) / 1000);
  const hz = Math.min(Math.max(s.config.num("hz"), 1), 500);
  let os = `${Deno.build.os} ${Deno.build.arch}`;
  try {
    os = `${
      Deno.build.os === "linux" ? "Linux" : Deno.build.os
    } ${Deno.osRelease()} ${Deno.build.arch}`;
  } catch {
    // no permission for the OS release
  }
  return [
    ["redis_version", REDIS_COMPAT_VERSION],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    ["redis_build_id", BUILD_ID],
    ["redis_mode", "standalone"],
    ["os", os],
    ["arch_bits", 64],
    // performance.now() and the event loop: a monotonic clock_gettime, epoll/kqueue.
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", Deno.build.os === "linux" ? "epoll" : "kqueue"],
    ["atomicvar_api", "c11-builtin"],
    // What Redis prints when it was not built by gcc.
    ["gcc_version", "0.0.0"],
    ["process_id", Deno.pid],
    ["process_supervised", "no"],
    ["run_id", s.runId],
    ["tcp_port", s.port],
    ["server_time_usec", Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", s.config.num("hz")],
    ["lru_clock", lruClock() & 0xffffff],
    ["executable", Deno.execPath()],
    ["config_file", s.config.file === "" ? "" : absolutePath(s.config.file)],
    ["io_threads_active", 0],
  ];
}

function absolutePath(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch {
    return p;
  }
}

function sectionClients(s: Server): Lines {
  return [
    // Replicas are not counted, as in Redis.
    ["connected_clients", s.clients.size - replicationOf(s).live().length],
    ["cluster_connections", 0],
    ["maxclients", s.config.num("maxclients")],
    ["client_recent_max_input_buffer", Math.max(...s.recentMaxInput)],
    ["client_recent_max_output_buffer", Math.max(...s.recentMaxOutput)],
    // Clients held by CLIENT PAUSE count as blocked, as Redis's postponed clients.
    ["blocked_clients", s.blocking.blockedClients + postponedClients(s)],
    ["tracking_clients", trackingInfo(s).clients],
    ["clients_in_timeout_table", s.blocking.clientsWithTimeout],
  ];
}

/** Redis's "%.2f" of a ratio. */
function ratio(a: number, b: number): string {
  return (b ? a / b : 0).toFixed(2);
}

setScriptsMemorySource({
  eval(s: Server): number {
    const state = scriptState(s);
    // The cache's dict buckets count too (8 bytes each, at least 4, a power of two).
    const n = state.scripts.size;
    return n === 0 ? 0 : state.scriptsBytes + 8 * Math.max(4, 2 ** Math.ceil(Math.log2(n)));
  },
  functions: (s: Server) => functionRegistry(s).memory(),
});

/** INFO memory's scripting lines, as Redis 7.0 lists them. */
function scriptingMemory(s: Server): Lines {
  const state = scriptState(s);
  const vmEval = state.measureHeap();
  const scripts = evalScriptsMemory(s);
  const functions = functionRegistry(s);
  return [
    ["used_memory_lua", vmEval],
    ["used_memory_vm_eval", vmEval],
    ["used_memory_lua_human", bytesToHuman(vmEval)],
    ["used_memory_scripts_eval", scripts],
    ["number_of_cached_scripts", state.scripts.size],
    ["number_of_functions", functions.functionCount],
    ["number_of_libraries", functions.libraries.size],
    ["used_memory_vm_functions", 0], // one VM runs both: its heap is counted as eval's
    ["used_memory_vm_total", vmEval],
    ["used_memory_vm_total_human", bytesToHuman(vmEval)],
    ["used_memory_functions", functions.memory()],
    ["used_memory_scripts", scripts + functions.memory()],
    ["used_memory_scripts_human", bytesToHuman(scripts + functions.memory())],
  ];
}

function sectionMemory(s: Server): Lines {
  const f = memoryFigures(s);
  let total = 0;
  try {
    total = Deno.systemMemoryInfo().total;
  } catch {
    // unavailable
  }
  const maxmemory = s.config.num("maxmemory");
  const net = f.total - f.startup;
  return [
    ["used_memory", f.total],
    ["used_memory_human", bytesToHuman(f.total)],
    ["used_memory_rss", f.rss],
    ["used_memory_rss_human", bytesToHuman(f.rss)],
    ["used_memory_peak", f.peak],
    ["used_memory_peak_human", bytesToHuman(f.peak)],
    ["used_memory_peak_perc", `${(f.peak ? (f.total * 100) / f.peak : 0).toFixed(2)}%`],
    ["used_memory_overhead", f.overhead],
    ["used_memory_startup", f.startup],
    ["used_memory_dataset", f.dataset],
    ["used_memory_dataset_perc", `${(net > 0 ? (f.dataset * 100) / net : 0).toFixed(2)}%`],
    // V8's heap stands for the allocator: its live bytes, its committed heap, the RSS.
    ["allocator_allocated", f.heapUsed],
    ["allocator_active", f.heapTotal],
    ["allocator_resident", f.rss],
    ["total_system_memory", total],
    ["total_system_memory_human", bytesToHuman(total)],
    // The Lua VM's heap (collectgarbage('count') in the Worker) and EVAL's script cache.
    ...scriptingMemory(s),
    ["maxmemory", maxmemory],
    ["maxmemory_human", bytesToHuman(maxmemory)],
    ["maxmemory_policy", s.config.str("maxmemory-policy")],
    ["allocator_frag_ratio", ratio(f.heapTotal, f.heapUsed)],
    ["allocator_frag_bytes", f.heapTotal - f.heapUsed],
    ["allocator_rss_ratio", ratio(f.rss, f.heapTotal)],
    ["allocator_rss_bytes", f.rss - f.heapTotal],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", ratio(f.rss, f.total)],
    ["mem_fragmentation_bytes", f.rss - f.total],
    ["mem_not_counted_for_evict", f.aof + f.replClients],
    ["mem_replication_backlog", f.replBacklog],
    ["mem_total_replication_buffers", f.replBacklog + f.replClients],
    ["mem_clients_slaves", f.replClients],
    ["mem_clients_normal", f.clients],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", f.aof],
    ["mem_allocator", `v8-${Deno.version.v8}`],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

/** Redis 7.0's persistence fields; fork-related ones are 0 (redeno snapshots without forking). */
function sectionPersistence(s: Server): Lines {
  const p = s.persistence;
  const aof = p.aof;
  const loading = p.loading;
  const lines: Lines = [
    ["loading", loading ? 1 : 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", p.changesSinceSave],
    ["rdb_bgsave_in_progress", p.saveInProgress ? 1 : 0],
    ["rdb_last_save_time", Math.floor(p.lastSaveMs / 1000)],
    ["rdb_last_bgsave_status", p.lastBgsaveOk ? "ok" : "err"],
    ["rdb_last_bgsave_time_sec", p.lastBgsaveSeconds],
    ["rdb_current_bgsave_time_sec", p.currentCycleSeconds],
    ["rdb_saves", p.rdbSaves],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", p.lastLoadExpired],
    ["rdb_last_load_keys_loaded", p.lastLoadKeys],
    ["aof_enabled", aof ? 1 : 0],
    ["aof_rewrite_in_progress", p.rewriteInProgress ? 1 : 0],
    ["aof_rewrite_scheduled", p.rewriteScheduled ? 1 : 0],
    ["aof_last_rewrite_time_sec", p.aofLastRewriteSeconds],
    ["aof_current_rewrite_time_sec", p.rewriteInProgress ? p.currentCycleSeconds : -1],
    ["aof_last_bgrewrite_status", p.aofLastRewriteOk ? "ok" : "err"],
    ["aof_rewrites", p.aofRewrites],
    ["aof_rewrites_consecutive_failures", p.aofRewriteFailures],
    ["aof_last_write_status", aof?.writeError ? "err" : "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
  if (aof) {
    lines.push(
      ["aof_current_size", aof.baseSize + aof.incrSize],
      ["aof_base_size", aof.baseSize],
      ["aof_pending_rewrite", p.rewriteScheduled ? 1 : 0],
      ["aof_buffer_length", aof.pending],
      ["aof_pending_bio_fsync", aof.fsyncInProgress ? 1 : 0],
      ["aof_delayed_fsync", 0],
    );
  }
  if (loading) {
    const elapsed = Math.max(Date.now() / 1000 - loading.startTime, 0);
    const perc = loading.totalBytes ? (loading.loadedBytes * 100) / loading.totalBytes : 0;
    const eta = loading.loadedBytes
      ? Math.floor(((loading.totalBytes - loading.loadedBytes) / loading.loadedBytes) * elapsed)
      : 1;
    lines.push(
      ["loading_start_time", loading.startTime],
      ["loading_total_bytes", loading.totalBytes],
      ["loading_rdb_used_mem", 0],
      ["loading_loaded_bytes", loading.loadedBytes],
      ["loading_loaded_perc", perc.toFixed(2)],
      ["loading_eta_seconds", eta],
    );
  }
  return lines;
}

function sectionStats(s: Server): Lines {
  const st = s.stats;
  const ks = s.keyspace.stats;
  const inst = s.instantaneous();
  return [
    ["total_connections_received", st.totalConnections],
    ["total_commands_processed", st.commandsProcessed],
    ["instantaneous_ops_per_sec", inst.ops],
    ["total_net_input_bytes", st.netInputBytes],
    ["total_net_output_bytes", st.netOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", inst.inputKbps.toFixed(2)],
    ["instantaneous_output_kbps", inst.outputKbps.toFixed(2)],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", st.rejectedConnections],
    ["sync_full", replicationOf(s).syncFull],
    ["sync_partial_ok", replicationOf(s).syncPartialOk],
    ["sync_partial_err", replicationOf(s).syncPartialErr],
    ["expired_keys", ks.expiredKeys],
    ["expired_stale_perc", ks.expiredStalePerc.toFixed(2)],
    ["expired_time_cap_reached_count", ks.expiredTimeCapReached],
    ["expire_cycle_cpu_milliseconds", Math.round(ks.expireCycleCpuMs)],
    ...evictionInfo(s),
    ["keyspace_hits", ks.keyspaceHits],
    ["keyspace_misses", ks.keyspaceMisses],
    ["pubsub_channels", s.pubsub.count("channel")],
    ["pubsub_patterns", s.pubsub.count("pattern")],
    ["pubsubshard_channels", s.pubsub.count("shard")],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", trackingInfo(s).keys],
    ["tracking_total_items", trackingInfo(s).items],
    ["tracking_total_prefixes", trackingInfo(s).prefixes],
    ["unexpected_error_replies", 0],
    ["total_error_replies", st.totalErrorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", st.totalReads],
    ["total_writes_processed", st.totalWrites],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", st.replyBufferShrinks],
    ["reply_buffer_expands", st.replyBufferExpands],
  ];
}

function sectionReplication(s: Server): Lines {
  const lines = replicationOf(s).infoLines();
  // While min-replicas-to-write is in force, right after connected_slaves (as Redis).
  if (minReplicasActive(s)) {
    const i = lines.findIndex(([name]) => name === "connected_slaves");
    lines.splice(i + 1, 0, ["min_slaves_good_slaves", goodReplicas(s)]);
  }
  return lines;
}

function sectionCpu(): Lines {
  const u = process.cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  return [
    ["used_cpu_sys", sys],
    ["used_cpu_user", user],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", sys],
    ["used_cpu_user_main_thread", user],
  ];
}

/** Every command and subcommand, in table order (parents before their subcommands). */
function* allCommands(s: Server): Generator<Command> {
  for (const cmd of s.commands.all()) {
    yield cmd;
    for (const sub of cmd.subcommands?.values() ?? []) yield sub;
  }
}

function sectionCommandstats(s: Server): Lines {
  const lines: Lines = [];
  for (const cmd of allCommands(s)) {
    const st = cmd.stats;
    if (st.calls === 0 && st.failedCalls === 0 && st.rejectedCalls === 0) continue;
    const perCall = st.calls ? st.usec / st.calls : 0;
    lines.push([
      `cmdstat_${cmd.fullName}`,
      `calls=${st.calls},usec=${st.usec},usec_per_call=${perCall.toFixed(2)},` +
      `rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
    ]);
  }
  return lines;
}

function sectionErrorstats(s: Server): Lines {
  return [...s.stats.errorCodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => [`errorstat_${code}`, `count=${n}`]);
}

/** latency_percentiles_usec_<cmd>:p50=...,p99=... for every command with a histogram. */
function sectionLatencystats(s: Server): Lines {
  const parsed = parsePercentiles(s.config.str("latency-tracking-info-percentiles"));
  const percentiles = typeof parsed === "string" ? [] : parsed;
  const lines: Lines = [];
  for (const cmd of allCommands(s)) {
    const h = cmd.stats.latency;
    if (h === null) continue;
    lines.push([
      `latency_percentiles_usec_${cmd.fullName}`,
      percentiles.map((p) =>
        `p${formatPercentile(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`
      ).join(","),
    ]);
  }
  return lines;
}

function sectionKeyspace(s: Server): Lines {
  const lines: Lines = [];
  const now = Date.now();
  for (const db of s.keyspace.dbs) {
    if (db.size === 0) continue;
    // Average TTL over a sample of keys with an expiry (Redis also estimates it).
    let sum = 0;
    let n = 0;
    for (const at of db.expires.values()) {
      if (at > now) {
        sum += at - now;
        n++;
      }
      if (n >= 1000) break;
    }
    lines.push([
      `db${db.id}`,
      `keys=${db.size},expires=${db.expires.size},avg_ttl=${n ? Math.floor(sum / n) : 0}`,
    ]);
  }
  return lines;
}

const SECTION_LINES: Record<string, [string, (s: Server) => Lines]> = {
  server: ["Server", sectionServer],
  clients: ["Clients", sectionClients],
  memory: ["Memory", sectionMemory],
  persistence: ["Persistence", sectionPersistence],
  stats: ["Stats", sectionStats],
  replication: ["Replication", sectionReplication],
  cpu: ["CPU", sectionCpu],
  modules: ["Modules", () => []],
  commandstats: ["Commandstats", sectionCommandstats],
  errorstats: ["Errorstats", sectionErrorstats],
  latencystats: ["Latencystats", sectionLatencystats],
  cluster: ["Cluster", () => [["cluster_enabled", 0]]],
  keyspace: ["Keyspace", sectionKeyspace],
};

/** The INFO text for the requested section names (Redis's default/all/everything rules). */
export function infoText(s: Server, requested: string[]): string {
  const wanted = new Set<string>();
  if (requested.length === 0) requested = ["default"];
  for (const r of requested.map((x) => x.toLowerCase())) {
    if (r === "all" || r === "everything") SECTIONS.forEach((x) => wanted.add(x));
    else if (r === "default") DEFAULT_SECTIONS.forEach((x) => wanted.add(x));
    else wanted.add(r);
  }
  let text = "";
  let count = 0;
  for (const name of SECTIONS) {
    if (!wanted.has(name)) continue;
    if (count++) text += "\r\n";
    const [title, lines] = SECTION_LINES[name];
    text += `# ${title}\r\n`;
    for (const [k, v] of lines(s)) text += `${k}:${v}\r\n`;
  }
  return text;
}
