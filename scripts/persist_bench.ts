/**
 * `deno task bench:persist`: what persistence costs, redeno (`deno run -A
 * main.ts`) and redis-server side by side, each server in its own fresh
 * temporary dir on a free loopback port, alternating who goes first across
 * rounds so machine noise hits both alike. Prints a Markdown report.
 *
 * 1. Snapshot under load: N keys loaded with `redis-cli --pipe`, then
 *    `redis-benchmark -t set` and `-t get` over the same keyspace (-r N), with
 *    (a) persistence off and (b) redeno's default policy set explicitly on
 *    both (`save "1 1"`, AOF on, fsync every second). Each run starts a fresh
 *    server. Reports req/s, p50/p99/max latency, (b)/(a), and how many
 *    snapshots INFO persistence says completed during each test.
 * 2. Start-up load time: a dump.rdb of N keys made by each server (SAVE), then
 *    the time from spawning the process until PING answers +PONG, loading its
 *    own dump, the other server's dump (a cross-check) and none.
 *
 *   deno task bench:persist [--keys 1000000] [--requests 1000000] [--rounds 3]
 *                           [--only snapshot|startup] [--quick] [--out file.md]
 */
import { join } from "node:path";
import { type Decoded, parseInfo, withClient } from "../tests/support/resp_client.ts";
import {
  alternate,
  type BenchRow,
  commandOutput,
  emitReport,
  fmtMs,
  fmtRps,
  median,
  onInterrupt,
  parseBenchArgs,
  redisVersion as getRedisVersion,
  reportHead,
  requirePositiveIntegers,
  requireTools,
  runRedisBenchmark,
  type Server,
  type ServerName,
  signal,
  spawnServer,
  stopServer,
  waitForPong,
} from "./support.ts";

const values = parseBenchArgs(
  "deno task bench:persist [--keys N] [--requests N] [--rounds N]\n" +
    "                        [--only snapshot|startup] [--quick] [--out file.md]",
  {
    keys: { type: "string" },
    requests: { type: "string" },
    rounds: { type: "string" },
    only: { type: "string" },
  },
);

// --quick only changes the defaults, so `--quick --keys 200000` still works.
const keys = Number(values.keys ?? (values.quick ? 50_000 : 1_000_000));
// Enough requests in --quick for a snapshot or two to happen during SET.
const requests = Number(values.requests ?? (values.quick ? 200_000 : 1_000_000));
const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
requirePositiveIntegers({ keys, requests, rounds });
if (values.only !== undefined && values.only !== "snapshot" && values.only !== "startup") {
  console.error("--only must be snapshot or startup");
  Deno.exit(2);
}
const doSnapshot = values.only !== "startup";
const doStartup = values.only !== "snapshot";

const TOOLS = requireTools("bench:persist", ["redis-server", "redis-cli", "redis-benchmark"]);

const NAMES: ServerName[] = ["redeno", "redis"];
const TITLE: Record<ServerName, string> = { redeno: "redeno", redis: "Redis" };
const CLIENTS = 50;

// ---------------------------------------------------------------- processes and dirs

// Everything started or created is tracked here, so a failure or Ctrl-C
// still stops every server and removes every temp dir.
const live = new Set<Server>();
const tempDirs = new Set<string>();
// Set on Ctrl-C: the main loop may still be running, and must not start a
// server or make a dir that the clean-up already passed over.
let interrupted = false;

function tempDir(label: string): string {
  if (interrupted) throw new Error("interrupted");
  const d = Deno.makeTempDirSync({ prefix: `persist-bench-${label}-` });
  tempDirs.add(d);
  return d;
}

function removeDir(d: string): void {
  try {
    Deno.removeSync(d, { recursive: true });
  } catch {
    // already gone
  }
  tempDirs.delete(d);
}

/** Spawns a server (logging to dir/server.log, so a failure can say why). */
function spawn(name: ServerName, dir: string, args: string[]): Server {
  if (interrupted) throw new Error("interrupted");
  const log = ["--loglevel", "warning", "--logfile", join(dir, "server.log")];
  const s = spawnServer(name, dir, [...args, ...log]);
  live.add(s);
  return s;
}

async function halt(s: Server): Promise<void> {
  await stopServer(s);
  live.delete(s);
}

async function cleanupAll(): Promise<void> {
  await Promise.all([...live].map(halt));
  for (const d of [...tempDirs]) removeDir(d);
}

function logTail(dir: string, lines = 3): string {
  try {
    const all = Deno.readTextFileSync(join(dir, "server.log")).trim().split("\n");
    return all.slice(-lines).join(" | ");
  } catch {
    return "";
  }
}

/** Spawns and waits for +PONG; on failure the error carries the log's last lines. */
async function launch(
  name: ServerName,
  dir: string,
  args: string[],
  wait: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<Server> {
  const s = spawn(name, dir, args);
  try {
    await waitForPong(s, wait);
  } catch (e) {
    await halt(s);
    const tail = logTail(dir);
    throw new Error(`${errorText(e)}${tail ? ` (log: ${tail})` : ""}`);
  }
  return s;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------- talking to a server

async function call(port: number, ...args: string[]): Promise<Decoded> {
  return await withClient(port, (c) => c.value(...args));
}

/** `INFO <section>` as name -> value; empty when the server refuses. */
async function info(port: number, section: string): Promise<Map<string, string>> {
  const v = await call(port, "INFO", section);
  return typeof v === "string" ? parseInfo(v) : new Map();
}

/**
 * redis-benchmark -r N names its keys `key:` + 12 zero-padded digits, so the
 * loaded keys use the same names: SETs overwrite them (the data set stays N
 * keys, each write a change) and GETs hit.
 */
function keyName(i: number): string {
  return `key:${String(i).padStart(12, "0")}`;
}

/** The SET commands for keys 0..n-1 as a RESP stream, in chunks. */
function* setCommands(n: number): Generator<Uint8Array> {
  const enc = new TextEncoder();
  const per = 10_000;
  for (let start = 0; start < n; start += per) {
    let s = "";
    for (let i = start; i < Math.min(n, start + per); i++) {
      const k = keyName(i);
      const v = `value:${i}`;
      s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    }
    yield enc.encode(s);
  }
}

/** Loads n keys through `redis-cli --pipe`; returns the time it took in ms. */
async function loadKeys(s: Server, n: number): Promise<number> {
  const t0 = performance.now();
  const child = new Deno.Command(TOOLS["redis-cli"], {
    args: ["-h", "127.0.0.1", "-p", String(s.port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read while writing: redis-cli prints every error reply, and a full
  // stdout pipe would stall it and then us.
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => signal(child, "SIGKILL"), Math.max(120_000, n));
  try {
    const w = child.stdin.getWriter();
    for (const chunk of setCommands(n)) await w.write(chunk);
    await w.close();
  } catch {
    // redis-cli died; its output says why
  }
  const [out, err, status] = await Promise.all([stdout, stderr, child.status]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const m = out.match(/errors: (\d+), replies: (\d+)/);
  if (!status.success || !m || m[1] !== "0" || Number(m[2]) !== n) {
    const why = (m ? m[0] : (out + err).trim().split("\n").slice(-2).join(" | ")).slice(0, 300);
    throw new Error(`redis-cli --pipe into ${s.name} failed: ${why}`);
  }
  const size = await call(s.port, "DBSIZE");
  if (size !== n) throw new Error(`${s.name} holds ${String(size)} keys after loading ${n}`);
  return ms;
}

/** Waits until no background save or AOF rewrite runs (fields a server lacks count as idle). */
async function waitIdle(s: Server, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await info(s.port, "persistence");
    if (p.get("rdb_bgsave_in_progress") !== "1" && p.get("aof_rewrite_in_progress") !== "1") {
      return;
    }
    if (Date.now() > deadline) throw new Error(`${s.name} stayed busy saving`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------- 1. snapshot under load

const CONFIGS = [
  { id: "off", label: "(a) off", args: ["--save", "", "--appendonly", "no"] },
  {
    id: "on",
    label: '(b) save "1 1", AOF everysec',
    args: ["--save", "1 1", "--appendonly", "yes", "--appendfsync", "everysec"],
  },
] as const;
type ConfigId = (typeof CONFIGS)[number]["id"];
const TESTS = ["SET", "GET"] as const;
type TestName = (typeof TESTS)[number];

interface TestSample {
  row: BenchRow;
  /** Snapshots completed during the test, as text ("n/a" when INFO lacks it). */
  saves: string;
  rewrites: string;
}

/** samples[server][config][test] = one sample per round */
const snapSamples: Record<ServerName, Record<ConfigId, Record<TestName, TestSample[]>>> = {
  redeno: { off: { SET: [], GET: [] }, on: { SET: [], GET: [] } },
  redis: { off: { SET: [], GET: [] }, on: { SET: [], GET: [] } },
};
const pipeLoadMs: Record<ServerName, number[]> = { redeno: [], redis: [] };
const notes: string[] = [];
let redisFailed = false;

function note(name: ServerName, what: string, e: unknown): void {
  const text = `${TITLE[name]}, ${what}: ${errorText(e)}`;
  console.error(text);
  notes.push(text);
  if (name === "redis") redisFailed = true;
}

/** How far a counter moved between two INFO readings, or "n/a" if it is missing. */
function counterDelta(before: Map<string, string>, after: Map<string, string>, field: string) {
  const a = before.get(field);
  const b = after.get(field);
  if (a === undefined || b === undefined) return "n/a";
  return String(Number(b) - Number(a));
}

/** Snapshots completed: rdb_saves if the server has it, else whether rdb_last_save_time moved. */
function savesDelta(before: Map<string, string>, after: Map<string, string>): string {
  let n = counterDelta(before, after, "rdb_saves");
  if (n === "n/a") {
    const a = before.get("rdb_last_save_time");
    const b = after.get("rdb_last_save_time");
    if (a === undefined || b === undefined) return "n/a";
    n = a === b ? "0" : "≥1";
  }
  // One still running when the test ended did not complete within it.
  return after.get("rdb_bgsave_in_progress") === "1" ? `${n} (+1 running)` : n;
}

async function snapshotRun(name: ServerName, config: (typeof CONFIGS)[number]): Promise<void> {
  const dir = tempDir(name);
  let s: Server | undefined;
  try {
    s = await launch(name, dir, [...config.args]);
    pipeLoadMs[name].push(await loadKeys(s, keys));
    if (config.id === "on") {
      // Start from a clean state: the loaded keys already on disk and no
      // save or rewrite running, as in steady operation.
      await waitIdle(s);
      const r = await call(s.port, "SAVE");
      if (r instanceof Error) note(name, "SAVE before the run", r);
      await waitIdle(s);
    }
    for (const test of TESTS) {
      const before = await info(s.port, "persistence");
      const args = ["-t", test.toLowerCase(), "-r", String(keys), "-n", String(requests)];
      args.push("-c", String(CLIENTS), "--csv");
      const { rows, stderr } = await runRedisBenchmark(s, args, Math.max(120_000, requests * 2));
      const after = await info(s.port, "persistence");
      const row = rows.get(test);
      if (!row) {
        note(name, `${config.label} ${test}`, `no result (${stderr.trim().slice(0, 200)})`);
        continue;
      }
      const sample = {
        row,
        saves: savesDelta(before, after),
        rewrites: counterDelta(before, after, "aof_rewrites"),
      };
      snapSamples[name][config.id][test].push(sample);
      console.error(
        `  ${test}: ${fmtRps(row.rps)} req/s, max ${fmtMs(row.max)} ms, ` +
          `snapshots ${sample.saves}, AOF rewrites ${sample.rewrites}`,
      );
    }
  } catch (e) {
    note(name, config.label, e);
  } finally {
    if (s) await halt(s);
    removeDir(dir);
  }
}

// ---------------------------------------------------------------- 2. start-up load time

type Source = "none" | "own" | "other";
const SOURCES: Source[] = ["none", "own", "other"];
const other = (n: ServerName): ServerName => n === "redeno" ? "redis" : "redeno";

/** Each server's dump.rdb of `keys` keys (path and size), or null with the reason noted. */
const dumps: Record<ServerName, { path: string; size: number } | null> = {
  redeno: null,
  redis: null,
};

interface StartSample {
  ms: number;
  keys: number;
}
const startSamples: Record<ServerName, Record<Source, StartSample[]>> = {
  redeno: { none: [], own: [], other: [] },
  redis: { none: [], own: [], other: [] },
};

// appendonly no, so that start-up loads dump.rdb and nothing else, and no save
// points, so that stopping the server does not rewrite it.
const STARTUP_ARGS = ["--save", "", "--appendonly", "no"];

async function buildDump(name: ServerName): Promise<void> {
  const dir = tempDir(`${name}-dump`);
  let s: Server | undefined;
  try {
    s = await launch(name, dir, STARTUP_ARGS);
    await loadKeys(s, keys);
    const r = await call(s.port, "SAVE");
    if (r instanceof Error) throw new Error(`SAVE: ${r.message}`);
    await halt(s);
    s = undefined;
    const path = join(dir, "dump.rdb");
    dumps[name] = { path, size: Deno.statSync(path).size };
  } catch (e) {
    note(name, "making dump.rdb", e);
  } finally {
    if (s) await halt(s);
  }
}

/** Time from spawn to +PONG (PING polled every 10 ms) with `dump` copied in. */
async function timeStartup(name: ServerName, source: Source): Promise<void> {
  const dump = source === "none" ? null : dumps[source === "own" ? name : other(name)];
  if (source !== "none" && !dump) return; // no dump to load: reported as n/a
  const dir = tempDir(name);
  let s: Server | undefined;
  try {
    // A copy per run: the built dump stays untouched, and both servers read
    // from a page cache equally warm.
    if (dump) Deno.copyFileSync(dump.path, join(dir, "dump.rdb"));
    const t0 = performance.now();
    s = await launch(name, dir, STARTUP_ARGS, {
      intervalMs: 10,
      timeoutMs: Math.max(60_000, keys / 5),
    });
    const ms = performance.now() - t0;
    const size = await call(s.port, "DBSIZE");
    console.error(`  +PONG after ${(ms / 1000).toFixed(3)} s, ${String(size)} keys`);
    startSamples[name][source].push({ ms, keys: typeof size === "number" ? size : NaN });
  } catch (e) {
    const whose = source === "own" ? "its own" : `${TITLE[other(name)]}'s`;
    note(name, `start-up with ${source === "none" ? "no" : whose} dump.rdb`, e);
  } finally {
    if (s) await halt(s);
    removeDir(dir);
  }
}

// ---------------------------------------------------------------- main

const redisVersion = await getRedisVersion();
const probeDir = tempDir("probe");
// Where snapshots land matters (fsync on ext4 vs tmpfs), so the report says.
const mount = await commandOutput("findmnt", ["-no", "FSTYPE,SOURCE", "-T", probeDir]);
const [fsType, fsSource] = mount.split(/\s+/);
removeDir(probeDir);
console.error(
  `Persistence benchmark, redeno vs Redis ${redisVersion}: ${keys} keys, ` +
    `${requests} requests per test, ${rounds} round(s)...`,
);

onInterrupt(() => {
  interrupted = true;
  return cleanupAll();
});

const started = performance.now();
try {
  if (doSnapshot) {
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, and which configuration, so that neither
      // always runs on a warmer (or busier) machine.
      const pair = alternate(NAMES, round);
      const configs = alternate(CONFIGS, round);
      for (const config of configs) {
        for (const name of pair) {
          console.error(`snapshot round ${round + 1}/${rounds} ${name} ${config.label}`);
          await snapshotRun(name, config);
        }
      }
    }
  }
  if (doStartup) {
    for (const name of NAMES) {
      console.error(`start-up: making ${name}'s dump.rdb of ${keys} keys`);
      await buildDump(name);
    }
    for (let round = 0; round < rounds; round++) {
      const pair = alternate(NAMES, round);
      for (const source of SOURCES) {
        for (const name of pair) {
          console.error(`start-up round ${round + 1}/${rounds} ${name} dump: ${source}`);
          await timeStartup(name, source);
        }
      }
    }
  }
} finally {
  await cleanupAll();
}

// ---------------------------------------------------------------- report

const pct = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(100 * a / b).toFixed(0)}%` : "n/a";
const secs = (ms: number) => Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : "n/a";
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString("en-US");

const out = await reportHead(
  `Persistence: redeno vs Redis ${redisVersion}`,
  redisVersion,
  ` (kernel ${Deno.osRelease()}); temp data dirs on ${fsType}${fsSource ? ` (${fsSource})` : ""}`,
);
out.push(
  `- ${count(keys)} keys (\`key:<12 digits>\` -> \`value:<i>\`, loaded with redis-cli --pipe); ` +
    `median of ${rounds} alternating round(s) unless per round; ` +
    `redeno run as \`deno run -A main.ts\`; run took ${
      Math.round((performance.now() - started) / 1000)
    } s`,
);

if (doSnapshot) {
  const get = (n: ServerName, c: ConfigId, t: TestName) => snapSamples[n][c][t];
  const med = (xs: TestSample[], f: (r: BenchRow) => number) => median(xs.map((x) => f(x.row)));
  const worst = (xs: TestSample[]) => xs.length ? Math.max(...xs.map((x) => x.row.max)) : NaN;
  const joined = (xs: TestSample[], f: (x: TestSample) => string) =>
    xs.length ? xs.map(f).join(" / ") : "n/a";

  out.push("");
  out.push("#### Snapshot under load");
  out.push("");
  out.push(
    `Fresh server per run; keys loaded, then \`redis-benchmark -t set\` and then \`-t get\`, ` +
      `each \`-r ${keys} -n ${requests} -c ${CLIENTS}\`. (a) \`--save "" --appendonly no\`; ` +
      `(b) \`--save "1 1" --appendonly yes --appendfsync everysec\` (redeno's default policy), ` +
      "after a SAVE of the loaded keys. Snapshots: `rdb_saves` and `aof_rewrites` deltas in " +
      "INFO persistence over each test, per round.",
  );
  out.push("");
  out.push(
    "| Server | Test | Config | req/s | p50 ms | p99 ms | max ms per round | snapshots | " +
      "AOF rewrites |",
  );
  out.push("|---|---|---|---:|---:|---:|---:|---:|---:|");
  for (const name of NAMES) {
    for (const test of TESTS) {
      for (const config of CONFIGS) {
        const xs = get(name, config.id, test);
        out.push(
          `| ${TITLE[name]} | ${test} | ${config.label} | ${fmtRps(med(xs, (r) => r.rps))} | ${
            fmtMs(med(xs, (r) => r.p50))
          } | ${fmtMs(med(xs, (r) => r.p99))} | ${joined(xs, (x) => fmtMs(x.row.max))} | ${
            config.id === "on" ? joined(xs, (x) => x.saves) : "-"
          } | ${config.id === "on" ? joined(xs, (x) => x.rewrites) : "-"} |`,
        );
      }
    }
  }
  out.push("");
  out.push(
    "| Test | redeno (b)/(a) req/s | Redis (b)/(a) req/s | redeno worst max ms (a) -> (b) | " +
      "Redis worst max ms (a) -> (b) | redeno/Redis req/s under (b) |",
  );
  out.push("|---|---:|---:|---:|---:|---:|");
  for (const test of TESTS) {
    const rps = (n: ServerName, c: ConfigId) => med(get(n, c, test), (r) => r.rps);
    const maxes = (n: ServerName) =>
      `${fmtMs(worst(get(n, "off", test)))} -> ${fmtMs(worst(get(n, "on", test)))}`;
    out.push(
      `| ${test} | ${pct(rps("redeno", "on"), rps("redeno", "off"))} | ${
        pct(rps("redis", "on"), rps("redis", "off"))
      } | ${maxes("redeno")} | ${maxes("redis")} | ${
        pct(rps("redeno", "on"), rps("redis", "on"))
      } |`,
    );
  }
  out.push("");
  out.push(
    "Issue target for redeno under (b): at least 70% of (a)'s throughput, and no reply " +
      "slower than 50 ms because of a snapshot (compare max latency with (a)). " +
      `Loading ${count(keys)} keys with redis-cli --pipe took ${
        secs(median(pipeLoadMs.redeno))
      } on redeno and ${secs(median(pipeLoadMs.redis))} on Redis (median).`,
  );
}

if (doStartup) {
  out.push("");
  out.push("#### Start-up load time");
  out.push("");
  out.push(
    `Each server's own dump.rdb of ${count(keys)} keys (loaded, then SAVE), started with ` +
      '`--save "" --appendonly no`; time from spawning the process until PING answers ' +
      "+PONG (polled every 10 ms, -LOADING is not ready), median of the rounds.",
  );
  out.push("");
  out.push("| Server | dump.rdb loaded | file size | start-up to +PONG | keys after start |");
  out.push("|---|---|---:|---:|---:|");
  const startupMs: Record<ServerName, number> = { redeno: NaN, redis: NaN };
  for (const name of NAMES) {
    for (const source of SOURCES) {
      const xs = startSamples[name][source];
      const whose = source === "own" ? name : other(name);
      const dump = source === "none" ? null : dumps[whose];
      const label = source === "none"
        ? "none (empty dir)"
        : source === "own"
        ? "its own"
        : `${TITLE[whose]}'s (cross-check)`;
      const expected = source === "none" ? 0 : keys;
      const loaded = median(xs.map((x) => x.keys));
      let time: string;
      if (source !== "none" && !dump) time = "n/a (no dump.rdb)";
      else if (!xs.length) time = "n/a (did not start)";
      else if (loaded !== expected) time = `n/a (loaded ${count(loaded)} keys)`;
      else time = secs(median(xs.map((x) => x.ms)));
      if (source === "own" && loaded === expected) startupMs[name] = median(xs.map((x) => x.ms));
      out.push(
        `| ${TITLE[name]} | ${label} | ${
          source === "none" ? "-" : dump ? mb(dump.size) : "n/a"
        } | ${time} | ${xs.length ? count(loaded) : "n/a"} |`,
      );
    }
  }
  out.push("");
  const ratio = startupMs.redeno / startupMs.redis;
  out.push(
    `redeno/Redis start-up time with its own dump: ${
      Number.isFinite(ratio) ? `${ratio.toFixed(1)}x` : "n/a"
    }.`,
  );
}

if (notes.length) {
  out.push("");
  out.push("Notes:");
  out.push("");
  // The same failure in every round is said once.
  for (const n of new Set(notes)) {
    const times = notes.filter((x) => x === n).length;
    out.push(`- ${n.trim()}${times > 1 ? ` (${times} times)` : ""}`);
  }
}

emitReport(out.join("\n") + "\n", values.out);
// Redis is the reference: if its half failed, the script (or the machine) is broken.
if (redisFailed) Deno.exit(1);
