/**
 * The replication benchmark (issue 15), redeno and redis-server side by side:
 *
 * - throughput: unpipelined SET (`redis-benchmark -t set -P 1`) on a master
 *   with one attached replica, as a share of the same kind of master's
 *   throughput without one (each measurement on fresh servers, after a
 *   warm-up run);
 * - lag: during the loaded run with the replica, every 100 ms, the master's
 *   master_repl_offset minus the offset its replica acknowledged (INFO
 *   replication `slave0:...,offset=N`), and the replica's own
 *   slave_repl_offset read right after; the largest lag, the lag when the
 *   load stops, and how long it then takes to return to 0;
 * - full sync: a master loaded with N `SET key:N value:N` through
 *   `redis-cli --pipe`, then a replica spawned with `--replicaof`; the time
 *   from spawn until its INFO says master_link_status:up and DBSIZE is N
 *   (polled every 50 ms).
 *
 * Redis's master replicates to a redis-server replica; redeno's master to a
 * redeno replica when redeno accepts REPLICAOF (`REPLICAOF NO ONE` answers
 * +OK), else to a redis-server replica: the report says which. Persistence is
 * off on every server; both masters get `repl-diskless-sync-delay 0`, so that
 * Redis's default 5 s wait for more replicas is not timed.
 *
 *   deno run -A scripts/replication_bench.ts [--keys N] [--requests N] [--clients N]
 *                                            [--rounds N] [--quick]
 *
 * `deno task bench --only replication` runs it as a section of the bench report.
 */
import { join } from "node:path";
import { writeRespFile } from "./bench_data.ts";
import {
  type BenchRow,
  call,
  count,
  errorText,
  fmtRps,
  info,
  Lab,
  median,
  NAMES,
  parseBenchArgs,
  PERSISTENCE_OFF,
  pipeLoad,
  requirePositiveIntegers,
  requireTools,
  runRedisBenchmark,
  secs,
  type Server,
  type ServerName,
  TITLE,
} from "./support.ts";
import { parseInfo, RespClient } from "../tests/support/resp_client.ts";

/** How often the lag is sampled (ms). */
export const SAMPLE_MS = 100;
/** How often a starting replica is polled during a full sync (ms). */
export const POLL_MS = 50;
/** The lag must be back to 0 within this long after the load stops to count as bounded (ms). */
export const LAG_SETTLE_MS = 5000;
/** redis-benchmark's -r: SETs spread over this many keys. */
export const RANDOM_KEYS = 100_000;
/** Targets of issue 15. */
export const TARGET_WITH_REPLICA = 0.8;
export const TARGET_SYNC = 2;

/** The lag figures of one loaded run with a replica (bytes; ms). */
export interface LagStats {
  samples: number;
  /** Largest master_repl_offset minus the acknowledged offset, during the load. */
  maxAcked: number;
  /** Largest master_repl_offset minus the replica's own slave_repl_offset. */
  maxApplied: number;
  /** Acknowledged lag in the first sample after the load stopped. */
  endAcked: number;
  /** From the end of the load until the acknowledged lag was 0 (NaN: not within the limit). */
  zeroAfterMs: number;
}

/** One throughput measurement: redis-benchmark's SET row, and the lag when a replica was on. */
export interface ThroughputRun {
  round: number;
  master: ServerName;
  replica: ServerName | null;
  row: BenchRow;
  lag: LagStats | null;
  /** CPU seconds (user + system) the master and the replica used during the measured run. */
  masterCpu: number;
  replicaCpu: number;
}

/** One full sync: spawn to link up with every key. */
export interface SyncRun {
  master: ServerName;
  replica: ServerName;
  ms: number;
  /** From spawn until the replica first answered INFO (its process start-up). */
  startMs: number;
  keys: number;
}

/** Everything one comparison measured. */
export interface ReplicationResult {
  requests: number;
  clients: number;
  keys: number;
  rounds: number;
  /** The replica of each master kind (Redis: always Redis). */
  replicaOf: Record<ServerName, ServerName>;
  runs: ThroughputRun[];
  syncs: SyncRun[];
  /** Measurements that failed, as "<master> set" (with a replica) or "<master> sync". */
  failed: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it holds; throws `what` after `timeoutMs`. */
async function until(
  what: string,
  cond: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = POLL_MS,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not listening yet, or -LOADING
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Whether the server on `port` accepts REPLICAOF (on a master `REPLICAOF NO ONE` is +OK). */
export async function acceptsReplicaof(port: number): Promise<boolean> {
  return await call(port, "REPLICAOF", "NO", "ONE") === "OK";
}

/** The replica kind for redeno's master: redeno if it can follow a master, else Redis. */
export async function redenoReplicaKind(lab: Lab): Promise<ServerName> {
  const s = await lab.launch("redeno", lab.tempDir("replication-probe"), PERSISTENCE_OFF);
  try {
    return await acceptsReplicaof(s.port) ? "redeno" : "redis";
  } finally {
    await lab.halt(s);
    lab.removeDir(s.dir);
  }
}

/** CPU seconds (user + system) the server's process has used so far (Linux /proc). */
export function cpuSeconds(s: Server): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${s.child.pid}/stat`);
    // The fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ, the unit of /proc/<pid>/stat's utime and stime (100 on Linux). */
const CLOCK_TICKS = 100;

/** A master on a fresh dir, with persistence off and no wait before a diskless transfer. */
async function launchMaster(lab: Lab, name: ServerName, what: string): Promise<Server> {
  const s = await lab.launch(name, lab.tempDir(`${what}-${name}-master`), PERSISTENCE_OFF);
  // Redis waits 5 s for more replicas before a diskless transfer by default;
  // a server without the option (redeno does not wait) answers an error.
  await call(s.port, "CONFIG", "SET", "repl-diskless-sync-delay", "0");
  return s;
}

/** The arguments of a replica of `master`, persistence off. */
function replicaArgs(master: Server): string[] {
  return [...PERSISTENCE_OFF, "--replicaof", `127.0.0.1 ${master.port}`];
}

/** The acknowledged offset of the master's first replica (INFO `slave0:...,offset=N`). */
function ackedOffset(fields: Map<string, string>): number {
  const m = fields.get("slave0")?.match(/(?:^|,)offset=(\d+)/);
  return m ? Number(m[1]) : NaN;
}

/** One sample: [master offset - acknowledged, master offset - replica's own offset]. */
async function lagSample(master: RespClient, replica: RespClient): Promise<[number, number]> {
  const m = parseInfo(await master.call("INFO", "replication"));
  const r = parseInfo(await replica.call("INFO", "replication"));
  const off = Number(m.get("master_repl_offset"));
  // The replica is read after the master, so it may be ahead of that reading.
  const applied = Math.max(0, off - Number(r.get("slave_repl_offset")));
  return [off - ackedOffset(m), applied];
}

/** redis-benchmark's unpipelined SET on `s`; `n` requests. */
async function runSet(s: Server, clients: number, n: number): Promise<BenchRow> {
  const args = ["-c", String(clients), "-n", String(n), "-P", "1", "-r", String(RANDOM_KEYS)];
  const { rows, stderr } = await runRedisBenchmark(
    s,
    [...args, "--csv", "-t", "set"],
    Math.max(120_000, n * 5),
  );
  const row = rows.get("SET");
  if (!row) {
    const why = stderr.trim().split("\n").slice(-1)[0]?.slice(0, 200);
    throw new Error(`redis-benchmark gave no SET row${why ? ` (${why})` : ""}`);
  }
  return row;
}

/**
 * Runs the SET load on `master` while sampling the lag every SAMPLE_MS, then
 * samples on until the acknowledged lag is 0 (at most LAG_SETTLE_MS, then
 * a while longer to see whether it gets there at all).
 */
async function loadWithLag(
  master: Server,
  replica: Server,
  clients: number,
  n: number,
): Promise<{ row: BenchRow; lag: LagStats }> {
  const mc = await RespClient.connect(master.port);
  const rc = await RespClient.connect(replica.port);
  try {
    let end = NaN;
    const bench = runSet(master, clients, n).finally(() => (end = performance.now()));
    // A rejection is taken below; this keeps it from being unhandled meanwhile.
    bench.catch(() => {});
    let maxAcked = 0;
    let maxApplied = 0;
    let samples = 0;
    while (Number.isNaN(end)) {
      const t = performance.now();
      const [acked, applied] = await lagSample(mc, rc);
      samples++;
      maxAcked = Math.max(maxAcked, acked);
      maxApplied = Math.max(maxApplied, applied);
      await Promise.race([bench.catch(() => {}), sleep(SAMPLE_MS - (performance.now() - t))]);
    }
    const row = await bench;
    const [endAcked, endApplied] = await lagSample(mc, rc);
    maxAcked = Math.max(maxAcked, endAcked);
    maxApplied = Math.max(maxApplied, endApplied);
    let zeroAfterMs = NaN;
    for (let acked = endAcked;;) {
      const now = performance.now();
      if (acked === 0) {
        zeroAfterMs = now - end;
        break;
      }
      // Past the limit it is not bounded; a few more seconds say whether it ever catches up.
      if (now - end > LAG_SETTLE_MS * 3) break;
      await sleep(SAMPLE_MS);
      [acked] = await lagSample(mc, rc);
    }
    return { row, lag: { samples, maxAcked, maxApplied, endAcked, zeroAfterMs } };
  } finally {
    mc.close();
    rc.close();
  }
}

/** Waits until `replica` says its link is up and `master` lists it online. */
async function waitOnline(master: Server, replica: Server, timeoutMs: number): Promise<void> {
  await until(`${replica.name} replica of ${master.name} online`, async () => {
    const r = await info(replica.port, "replication");
    const m = await info(master.port, "replication");
    return r.get("master_link_status") === "up" && /state=online/.test(m.get("slave0") ?? "");
  }, timeoutMs);
}

/**
 * One throughput measurement on fresh servers: a `name` master, with a
 * `replica` kind attached (or none), a warm-up, then `requests` SETs.
 */
export async function measureThroughput(
  lab: Lab,
  name: ServerName,
  replica: ServerName | null,
  opts: { requests: number; clients: number },
  round = 0,
): Promise<ThroughputRun> {
  const servers: Server[] = [];
  try {
    const master = await launchMaster(lab, name, "replication-set");
    servers.push(master);
    let rep: Server | null = null;
    if (replica !== null) {
      rep = await lab.launch(
        replica,
        lab.tempDir(`replication-set-${replica}-replica`),
        replicaArgs(master),
      );
      servers.push(rep);
      await waitOnline(master, rep, 60_000);
    }
    const warm = Math.min(opts.requests, Math.max(1000, Math.round(opts.requests / 10)));
    await runSet(master, opts.clients, warm);
    const cpu0 = [cpuSeconds(master), rep ? cpuSeconds(rep) : NaN];
    const { row, lag } = rep === null
      ? { row: await runSet(master, opts.clients, opts.requests), lag: null }
      : await loadWithLag(master, rep, opts.clients, opts.requests);
    const masterCpu = cpuSeconds(master) - cpu0[0];
    const replicaCpu = rep ? cpuSeconds(rep) - cpu0[1] : NaN;
    return { round, master: name, replica, row, lag, masterCpu, replicaCpu };
  } finally {
    for (const s of servers.reverse()) {
      await lab.halt(s);
      lab.removeDir(s.dir);
    }
  }
}

/**
 * One full sync: a fresh `name` master loaded from `file` (`keys` SETs), then
 * a `replica` spawned with --replicaof; the time from spawn until its link is
 * up and DBSIZE is `keys`.
 */
export async function measureFullSync(
  lab: Lab,
  name: ServerName,
  replica: ServerName,
  file: string,
  keys: number,
): Promise<SyncRun> {
  const servers: Server[] = [];
  try {
    const master = await launchMaster(lab, name, "replication-sync");
    servers.push(master);
    await pipeLoad(master, file, keys);
    const size = await call(master.port, "DBSIZE");
    if (size !== keys) throw new Error(`${name} master holds ${String(size)} keys, not ${keys}`);
    const dir = lab.tempDir(`replication-sync-${replica}-replica`);
    const t0 = performance.now();
    const rep = lab.spawn(replica, dir, replicaArgs(master));
    servers.push(rep);
    let got = NaN;
    let startMs = NaN;
    await until(`${replica} replica of ${name} with ${keys} keys`, async () => {
      if (rep.exited) throw new Error(`${replica} replica exited (code ${rep.exited.code})`);
      const r = await info(rep.port, "replication");
      if (Number.isNaN(startMs)) startMs = performance.now() - t0;
      if (r.get("master_link_status") !== "up") return false;
      const n = await call(rep.port, "DBSIZE");
      if (typeof n === "number") got = n;
      return n === keys;
    }, Math.max(120_000, keys / 5));
    const ms = performance.now() - t0;
    console.error(
      `  ${name} -> ${replica}: ${count(got)} keys in ${secs(ms)} (answered INFO after ` +
        `${secs(startMs)})`,
    );
    return { master: name, replica, ms, startMs, keys: got };
  } finally {
    for (const s of servers.reverse()) {
      await lab.halt(s);
      lab.removeDir(s.dir);
    }
  }
}

/** The string keys of the full sync: `SET key:N value:N`. */
const stringCommand = (i: number) => ["SET", `key:${i}`, `value:${i}`];

/**
 * Runs the whole comparison: `rounds` of the four throughput measurements
 * (each master kind without and with its replica) and of the two full syncs,
 * alternating which goes first. A failure is noted in `lab` and skipped.
 */
export async function replicationComparison(
  lab: Lab,
  opts: { requests: number; clients: number; keys: number; rounds: number; keysFile?: string },
): Promise<ReplicationResult> {
  const replicaOf: Record<ServerName, ServerName> = {
    redeno: await redenoReplicaKind(lab),
    redis: "redis",
  };
  console.error(`replication: redeno's master replicates to a ${replicaOf.redeno} replica`);
  const runs: ThroughputRun[] = [];
  const syncs: SyncRun[] = [];
  const failed: string[] = [];
  const alt = <T>(xs: readonly T[], round: number) => round % 2 ? [...xs].reverse() : [...xs];
  for (let round = 0; round < opts.rounds; round++) {
    for (const name of alt(NAMES, round)) {
      for (const withReplica of alt([false, true], round)) {
        const replica = withReplica ? replicaOf[name] : null;
        const what = `replication SET, ${replica ? `${replica} replica` : "no replica"}`;
        try {
          const r = await measureThroughput(lab, name, replica, opts, round);
          const lag = r.lag
            ? `; lag max ${count(r.lag.maxAcked)} B acked / ${count(r.lag.maxApplied)} B ` +
              `applied, 0 after ${secs(r.lag.zeroAfterMs)}`
            : "";
          console.error(`  ${what} on ${name}: ${fmtRps(r.row.rps)} SET/s${lag}`);
          runs.push(r);
        } catch (e) {
          lab.note(name, what, e);
          if (withReplica) failed.push(`${name} set`);
        }
      }
    }
  }
  let file = opts.keysFile;
  if (!file) {
    const dir = lab.tempDir("replication-data");
    file = join(dir, "keys.resp");
    console.error(`writing ${count(opts.keys)} SETs to ${file}`);
    writeRespFile(file, opts.keys, stringCommand);
  }
  // With a redeno replica, the mixed pairs too (for comparison): they tell
  // the master's share of the time from the replica's.
  const pairs: [ServerName, ServerName][] = NAMES.map((name) => [name, replicaOf[name]]);
  if (replicaOf.redeno === "redeno") pairs.push(["redeno", "redis"], ["redis", "redeno"]);
  for (let round = 0; round < opts.rounds; round++) {
    for (const [name, replica] of alt(pairs, round)) {
      try {
        syncs.push(await measureFullSync(lab, name, replica, file, opts.keys));
      } catch (e) {
        lab.note(name, `replication full sync to a ${replica} replica`, e);
        if (replica === replicaOf[name]) failed.push(`${name} sync`);
      }
    }
  }
  return { ...opts, replicaOf, runs, syncs, failed };
}

/** What replicationReport returns: Markdown lines and the targets, met or not (null: not measured). */
export interface ReplicationReport {
  lines: string[];
  /** redeno's SET/s with its replica over without. */
  withReplica: number;
  withReplicaOk: boolean | null;
  /** The worst of redeno's runs: most bytes behind, and the time to 0 after the load (ms). */
  maxLag: number;
  zeroAfterMs: number;
  lagOk: boolean | null;
  /** redeno's full sync time over Redis's. */
  syncRatio: number;
  syncOk: boolean | null;
  /** A run of redeno's with its replica, or one of its full syncs, failed (see the notes). */
  setFailed: boolean;
  syncFailed: boolean;
}

const ratioText = (x: number) => Number.isFinite(x) ? `${x.toFixed(2)}x` : "n/a";
const bytes = (x: number) => Number.isFinite(x) ? `${count(x)} B` : "n/a";
/** The largest, where NaN (never) counts as the largest. */
const worst = (xs: number[]) => xs.some(Number.isNaN) ? NaN : Math.max(...xs);

/** The Markdown tables and target lines of a comparison. */
export function replicationReport(r: ReplicationResult): ReplicationReport {
  const runsOf = (name: ServerName, withReplica: boolean) =>
    r.runs.filter((x) => x.master === name && (x.replica !== null) === withReplica);
  const rps = (name: ServerName, withReplica: boolean) =>
    median(runsOf(name, withReplica).map((x) => x.row.rps));
  const lags = (name: ServerName) => runsOf(name, true).map((x) => x.lag!);
  /** with/without per round (the two run back to back), median over rounds. */
  const share = (name: ServerName) =>
    median(
      runsOf(name, true).flatMap((w) => {
        const wo = runsOf(name, false).find((x) => x.round === w.round);
        return wo ? [w.row.rps / wo.row.rps] : [];
      }),
    );
  /** Median CPU seconds per 100,000 SETs. */
  const cpu = (name: ServerName, withReplica: boolean, f: (x: ThroughputRun) => number) =>
    median(runsOf(name, withReplica).map((x) => f(x) * 100_000 / r.requests));
  const syncMs = (name: ServerName, replica = r.replicaOf[name], f = (x: SyncRun) => x.ms) =>
    median(r.syncs.filter((x) => x.master === name && x.replica === replica).map(f));
  const lines = [
    `Each master fresh per measurement, \`--save "" --appendonly no\`, ` +
    "`repl-diskless-sync-delay 0`; replicas the same, started with `--replicaof`. " +
    `\`redis-benchmark -t set -P 1 -c ${r.clients} -n ${r.requests} -r ${RANDOM_KEYS}\` ` +
    "after a warm-up run of a tenth as many, with no replica and with one attached " +
    `(online before the warm-up); median of ${r.rounds} round(s) (with/without: of each ` +
    "round's pair, run back to back). CPU: user + system seconds of each process " +
    "during the measured run (/proc), per 100,000 SETs. Lag: sampled every " +
    `${SAMPLE_MS} ms during the loaded run; "acked" is master_repl_offset minus the ` +
    "offset the replica acknowledged (INFO `slave0:...,offset=`; a Redis replica sends " +
    'REPLCONF ACK once a second), "applied" minus the replica\'s own slave_repl_offset; ' +
    '"0 after" is the time from the end of the load until the acknowledged lag is 0.',
    "",
    "| Master | Replica | SET/s, no replica | SET/s, with replica | with/without | " +
    "master CPU, no replica | master CPU, with | replica CPU |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  ];
  const cpuText = (x: number) => Number.isFinite(x) ? `${x.toFixed(2)} s` : "n/a";
  for (const name of NAMES) {
    lines.push(
      `| ${TITLE[name]} | ${TITLE[r.replicaOf[name]]} | ${fmtRps(rps(name, false))} | ${
        fmtRps(rps(name, true))
      } | ${ratioText(share(name))} | ${cpuText(cpu(name, false, (x) => x.masterCpu))} | ${
        cpuText(cpu(name, true, (x) => x.masterCpu))
      } | ${cpuText(cpu(name, true, (x) => x.replicaCpu))} |`,
    );
  }
  lines.push(
    "",
    "| Master → replica | max lag, acked | max lag, applied | lag at load end | " +
      "back to 0 after |",
    "|---|---:|---:|---:|---:|",
  );
  for (const name of NAMES) {
    const l = lags(name);
    lines.push(
      `| ${TITLE[name]} → ${TITLE[r.replicaOf[name]]} | ${
        bytes(l.length ? Math.max(...l.map((x) => x.maxAcked)) : NaN)
      } | ${bytes(l.length ? Math.max(...l.map((x) => x.maxApplied)) : NaN)} | ${
        bytes(l.length ? Math.max(...l.map((x) => x.endAcked)) : NaN)
      } | ${l.length ? secs(worst(l.map((x) => x.zeroAfterMs))) : "n/a"} |`,
    );
  }
  lines.push(
    "",
    `Full sync: a master loaded with ${count(r.keys)} \`SET key:N value:N\` through ` +
      "`redis-cli --pipe`; time from spawning the replica until its INFO says " +
      `master_link_status:up and DBSIZE is ${count(r.keys)} (polled every ${POLL_MS} ms); ` +
      "of it, the time until the replica's process first answered INFO (its start-up).",
    "",
    "| Master → replica | full sync | vs Redis → Redis | of which start-up |",
    "|---|---:|---:|---:|",
  );
  const pairs = new Map(r.syncs.map((x) => [`${x.master} ${x.replica}`, x]));
  for (const { master, replica } of pairs.values()) {
    const ms = syncMs(master, replica);
    const mixed = replica !== r.replicaOf[master] ? " (for comparison)" : "";
    lines.push(
      `| ${TITLE[master]} → ${TITLE[replica]}${mixed} | ${secs(ms)} | ${
        ratioText(ms / syncMs("redis"))
      } | ${secs(syncMs(master, replica, (x) => x.startMs))} |`,
    );
  }
  const withReplica = share("redeno");
  const l = lags("redeno");
  const maxLag = l.length ? Math.max(...l.map((x) => x.maxAcked)) : NaN;
  const zeroAfterMs = l.length ? worst(l.map((x) => x.zeroAfterMs)) : NaN;
  const syncRatio = syncMs("redeno") / syncMs("redis");
  // A run of redeno's that failed fails its targets, whatever the other rounds gave.
  const setFailed = r.failed.includes("redeno set");
  const syncFailed = r.failed.includes("redeno sync");
  return {
    lines,
    withReplica,
    withReplicaOk: setFailed
      ? false
      : Number.isFinite(withReplica)
      ? withReplica >= TARGET_WITH_REPLICA
      : null,
    maxLag,
    zeroAfterMs,
    lagOk: setFailed ? false : l.length ? zeroAfterMs <= LAG_SETTLE_MS : null,
    syncRatio,
    syncOk: syncFailed ? false : Number.isFinite(syncRatio) ? syncRatio <= TARGET_SYNC : null,
    setFailed,
    syncFailed,
  };
}

/** The three targets as (what, measured, met) rows for the bench's targets table. */
export function replicationTargets(
  rep: ReplicationReport | null,
  r: ReplicationResult | null,
): { what: string; measured: string; met: boolean | null }[] {
  const kind = r ? ` (${TITLE[r.replicaOf.redeno]} replica)` : "";
  const keys = r ? count(r.keys) : "1M";
  if (rep === null || r === null) {
    return [
      "Replication: unpipelined SET/s with a replica ≥ 0.8x without",
      "Replication: replica lag bounded under that load",
      "Replication: full sync ≤ 2x Redis's time",
    ].map((what) => ({ what, measured: "not measured", met: null }));
  }
  /** What a target shows: "failed", "not measured" or the figure. */
  const shown = (failed: boolean, ok: boolean | null, figure: string) =>
    failed ? "failed (see the notes)" : ok === null ? "not measured" : figure;
  return [
    {
      what: `Replication: unpipelined SET/s on redeno's master with one replica${kind} ≥ ` +
        `${TARGET_WITH_REPLICA}x its own without`,
      measured: shown(rep.setFailed, rep.withReplicaOk, ratioText(rep.withReplica)),
      met: rep.withReplicaOk,
    },
    {
      what: `Replication: replica lag under that load bounded (acknowledged lag back to 0 ` +
        `within ${LAG_SETTLE_MS / 1000} s of the load's end)`,
      measured: shown(
        rep.setFailed,
        rep.lagOk,
        `max ${bytes(rep.maxLag)}, 0 after ${secs(rep.zeroAfterMs)}`,
      ),
      met: rep.lagOk,
    },
    {
      what: `Replication: full sync of ${keys} keys (spawn to link up with every key)${kind} ≤ ` +
        `${TARGET_SYNC}x Redis → Redis`,
      measured: shown(rep.syncFailed, rep.syncOk, ratioText(rep.syncRatio)),
      met: rep.syncOk,
    },
  ];
}

if (import.meta.main) {
  const values = parseBenchArgs(
    "deno run -A scripts/replication_bench.ts [--keys N] [--requests N] [--clients N] " +
      "[--rounds N] [--quick] [--out file.md]",
    {
      keys: { type: "string" },
      requests: { type: "string" },
      clients: { type: "string", default: "50" },
      rounds: { type: "string", default: "1" },
    },
  );
  const opts = {
    keys: Number(values.keys ?? (values.quick ? 100_000 : 1_000_000)),
    requests: Number(values.requests ?? (values.quick ? 20_000 : 100_000)),
    clients: Number(values.clients),
    rounds: Number(values.rounds),
  };
  requirePositiveIntegers(opts);
  requireTools("bench", ["redis-server", "redis-cli", "redis-benchmark"]);
  const lab = new Lab("replication");
  try {
    const r = await replicationComparison(lab, opts);
    const rep = replicationReport(r);
    const out = [...rep.lines, ""];
    for (const t of replicationTargets(rep, r)) {
      out.push(
        `- ${t.what}: ${t.measured} — ${t.met === null ? "n/a" : t.met ? "met" : "not met"}`,
      );
    }
    out.push(...lab.notesMarkdown());
    console.log(out.join("\n"));
    if (values.out) Deno.writeTextFileSync(values.out, out.join("\n") + "\n");
  } catch (e) {
    console.error(errorText(e));
    Deno.exitCode = 1;
  } finally {
    await lab.cleanup();
  }
}
