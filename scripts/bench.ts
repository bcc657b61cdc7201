/**
 * `deno task bench`: redeno (`deno run -A main.ts`, with the start task's V8
 * flags) against redis-server, everything issue 4 asks measured in one run
 * and reported as Markdown. Each
 * server runs on a free loopback port in its own temporary dir; rounds
 * alternate who goes first (A/B, then B/A) and tables show the median of the
 * rounds.
 *
 * - throughput: redis-benchmark (PING, SET, GET, INCR, HSET, MSET and MGET of
 *   10 keys), unpipelined and -P 16, persistence off: req/s, p50 and p99
 *   latency, redeno/Redis.
 * - persistence: the unpipelined tests again on fresh servers with redeno's
 *   default persistence (`--save "1 1" --appendonly yes --appendfsync
 *   everysec`): each server's req/s as a share of its own with persistence off
 *   (the throughput section's figures, or measured here if it did not run).
 * - memory: 1M `SET key:N value:N` and then 100k 10-field hashes loaded with
 *   `redis-cli --pipe` into a fresh server: load times, RSS, used_memory.
 * - startup: time from spawn to +PONG on the server's own dump.rdb of the 1M
 *   string keys.
 * - then the issue's targets, met or not.
 *
 *   deno task bench [--only throughput,persistence,memory,startup]
 *                   [--requests 100000] [--rounds 3] [--clients 50] [--pipelines 1,16]
 *                   [--tests ping,set,get,incr,hset,mset,mget]
 *                   [--keys 1000000] [--hashes 100000] [--quick] [--out file.md]
 *
 * --quick changes the defaults to 20000 requests, 1 round, 100000 keys and
 * 10000 hashes (explicit flags still win).
 */
import { join } from "node:path";
import {
  alternate,
  type BenchRow,
  buildDump,
  count,
  type Dump,
  emitReport,
  expectKeys,
  fmtMs,
  fmtRps,
  info,
  Lab,
  mb,
  median,
  NAMES,
  parseBenchArgs,
  pct,
  PERSISTENCE_OFF,
  PERSISTENCE_ON,
  pipeLoad,
  REDENO_COMMAND,
  redisVersion as getRedisVersion,
  reportHead,
  requirePositiveIntegers,
  requireTools,
  runRedisBenchmark,
  secs,
  type Server,
  type ServerName,
  serverRss,
  tempFs,
  timeStartup,
  TITLE,
} from "./support.ts";

const SECTIONS = ["throughput", "persistence", "memory", "startup"] as const;
type Section = (typeof SECTIONS)[number];

const values = parseBenchArgs(
  "deno task bench [--only throughput,persistence,memory,startup]\n" +
    "                [--requests N] [--rounds N] [--clients N] [--pipelines 1,16]\n" +
    "                [--tests ping,set,get,incr,hset,mset,mget]\n" +
    "                [--keys N] [--hashes N] [--quick] [--out file.md]",
  {
    only: { type: "string", default: SECTIONS.join(",") },
    requests: { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string", default: "50" },
    pipelines: { type: "string", default: "1,16" },
    tests: { type: "string", default: "ping,set,get,incr,hset,mset,mget" },
    keys: { type: "string" },
    hashes: { type: "string" },
  },
);

// --quick only changes the defaults, so `--quick --rounds 2` still works.
const requests = Number(values.requests ?? (values.quick ? 20_000 : 100_000));
const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
const keys = Number(values.keys ?? (values.quick ? 100_000 : 1_000_000));
const hashes = Number(values.hashes ?? (values.quick ? 10_000 : 100_000));
const clients = Number(values.clients);
const pipelines = values.pipelines.split(",").map(Number);
const tests = values.tests.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
requirePositiveIntegers({ requests, rounds, keys, hashes, clients });
if (!pipelines.every((p) => Number.isInteger(p) && p >= 1)) {
  console.error("--pipelines must be a list of positive integers");
  Deno.exit(2);
}

const only = values.only.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
const unknownSections = only.filter((x) => !(SECTIONS as readonly string[]).includes(x));
if (!only.length || unknownSections.length) {
  console.error(`--only takes a list of ${SECTIONS.join(", ")}`);
  Deno.exit(2);
}
const run = (section: Section) => only.includes(section);

requireTools("bench", [
  "redis-server",
  ...(run("throughput") || run("persistence") ? ["redis-benchmark"] : []),
  ...(run("memory") || run("startup") ? ["redis-cli"] : []),
]);

// Tracks every server and temp dir, so that a failure or Ctrl-C cleans up.
const lab = new Lab("bench");

/** The median of the finite values (a failed run leaves NaN). */
const med = (xs: number[]) => median(xs.filter(Number.isFinite));
/** a/b as "0.93x". */
const times = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "n/a";

// ---------------------------------------------------------------- redis-benchmark tests

/** One redis-benchmark run: what -t takes, or a custom command line. */
interface BenchTest {
  label: string;
  /** Arguments for redis-benchmark after the common ones. */
  args: string[];
  /** CSV row names this test produces, mapped to the label shown. */
  rows: Record<string, string>;
}

function benchTests(): BenchTest[] {
  const out: BenchTest[] = [];
  const builtin: Record<string, Record<string, string>> = {
    ping: { PING_INLINE: "PING (inline)", PING_MBULK: "PING" },
    set: { SET: "SET" },
    get: { GET: "GET" },
    incr: { INCR: "INCR" },
    hset: { HSET: "HSET" },
    mset: { "MSET (10 keys)": "MSET (10 keys)" },
  };
  const t = tests.filter((x) => x in builtin);
  if (t.length) {
    const rows: Record<string, string> = {};
    for (const x of t) Object.assign(rows, builtin[x]);
    out.push({ label: t.join(","), args: ["-t", t.join(",")], rows });
  }
  if (tests.includes("mget")) {
    // redis-benchmark has no MGET test: the same shape as its MSET one.
    const keys = Array.from({ length: 10 }, () => "key:__rand_int__");
    out.push({
      label: "mget",
      args: ["MGET", ...keys],
      rows: { [`MGET ${keys.join(" ")}`]: "MGET (10 keys)" },
    });
  }
  const unknown = tests.filter((x) => !(x in builtin) && x !== "mget");
  if (unknown.length) {
    console.error(`unknown tests: ${unknown.join(", ")}`);
    Deno.exit(2);
  }
  return out;
}

/** samples[server][row label] = one BenchRow per round */
type Samples = Record<ServerName, Record<string, BenchRow[]>>;
const newSamples = (): Samples => ({ redeno: {}, redis: {} });
/** Row labels in the order first seen. */
const labels: string[] = [];

async function runTest(
  s: Server,
  t: BenchTest,
  pipeline: number,
  into: Samples,
  what: string,
): Promise<void> {
  const args = ["-c", String(clients), "-n", String(requests), "-P", String(pipeline)];
  args.push("-r", "100000", "--csv", ...t.args);
  const { rows, stderr } = await runRedisBenchmark(s, args, Math.max(120_000, requests * 5));
  for (const [row, label] of Object.entries(t.rows)) {
    if (!labels.includes(label)) labels.push(label);
    const got = rows.get(row);
    if (got) (into[s.name][label] ??= []).push(got);
    else {
      const why = stderr.trim().split("\n").slice(-1)[0]?.slice(0, 200);
      lab.note(s.name, `${what}, ${label} -P ${pipeline}`, `no result${why ? ` (${why})` : ""}`);
    }
  }
}

/** Runs every test on every server, server after server per test. */
async function runAll(servers: Server[], pipeline: number, into: Samples, what: string) {
  for (const t of list) {
    for (const s of servers) {
      console.error(`${what}: ${s.name} -P ${pipeline} ${t.label}`);
      await runTest(s, t, pipeline, into, what);
    }
  }
}

/** Fresh servers with `args`, in `order`; one that fails to start is noted and left out. */
async function startAll(
  order: readonly ServerName[],
  args: readonly string[],
  what: string,
): Promise<Server[]> {
  const out: Server[] = [];
  for (const name of order) {
    try {
      out.push(await lab.launch(name, lab.tempDir(name), args));
    } catch (e) {
      lab.note(name, `${what}, start`, e);
    }
  }
  return out;
}

async function stopAll(servers: Server[]): Promise<void> {
  for (const s of servers) {
    await lab.halt(s);
    lab.removeDir(s.dir);
  }
}

// ---------------------------------------------------------------- throughput

/** Samples by pipeline depth, persistence off. */
const throughput = new Map<number, Samples>();

async function throughputSection(): Promise<void> {
  for (const p of pipelines) throughput.set(p, newSamples());
  // The same two servers for every round, as before this script had sections.
  const servers = await startAll(NAMES, PERSISTENCE_OFF, "throughput");
  try {
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so neither always runs on a warmer machine.
      const pair = alternate(servers, round);
      for (const p of pipelines) {
        await runAll(pair, p, throughput.get(p)!, `throughput round ${round + 1}/${rounds}`);
      }
    }
  } finally {
    await stopAll(servers);
  }
}

// ---------------------------------------------------------------- persistence

const persistOn = newSamples();
/** The throughput section's unpipelined samples when it ran, else measured here. */
let persistOff = newSamples();
let offReused = false;

async function persistenceSection(): Promise<void> {
  const reuse = throughput.get(1);
  if (reuse) {
    persistOff = reuse;
    offReused = true;
  }
  const configs = [
    { id: "off", args: PERSISTENCE_OFF, into: persistOff },
    { id: "on", args: PERSISTENCE_ON, into: persistOn },
  ] as const;
  for (let round = 0; round < rounds; round++) {
    // Alternate the servers and, when off is measured here too, on and off.
    const order = alternate(NAMES, round);
    for (const config of alternate(configs, round)) {
      if (config.id === "off" && offReused) continue;
      const what = `persistence ${config.id} round ${round + 1}/${rounds}`;
      // Fresh servers (and dirs) every round: no round starts with the
      // previous one's AOF and snapshots on disk.
      const servers = await startAll(order, config.args, what);
      try {
        if (config.id === "on") {
          for (const s of servers) {
            const p = await info(s.port, "persistence");
            if (p.get("aof_enabled") !== "1") lab.note(s.name, what, "AOF is not on");
          }
        }
        await runAll(servers, 1, config.into, what);
      } finally {
        await stopAll(servers);
      }
    }
  }
}

// ---------------------------------------------------------------- data files

const HASH_FIELDS = 10;
/** The string keys: `SET key:N value:N`, N = 0..keys-1. */
const stringCommand = (i: number) => ["SET", `key:${i}`, `value:${i}`];
/** The hashes: `HSET hash:N field:0 value:N:0 ... field:9 value:N:9`, N = 0..hashes-1. */
const hashCommand = (i: number) => [
  "HSET",
  `hash:${i}`,
  ...Array.from({ length: HASH_FIELDS }, (_, f) => [`field:${f}`, `value:${i}:${f}`]).flat(),
];

/** RESP for ASCII arguments (so that string length is byte length). */
function resp(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

function writeRespFile(path: string, n: number, command: (i: number) => string[]): void {
  const enc = new TextEncoder();
  const f = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    for (let start = 0; start < n; start += 10_000) {
      let s = "";
      for (let i = start; i < Math.min(n, start + 10_000); i++) s += resp(command(i));
      const bytes = enc.encode(s);
      for (let off = 0; off < bytes.length;) off += f.writeSync(bytes.subarray(off));
    }
  } finally {
    f.close();
  }
}

let dataFiles: { keys: string; hashes: string } | undefined;

/** The two RESP files, made once and shared by the memory and startup sections. */
function data(): { keys: string; hashes: string } {
  if (!dataFiles) {
    const dir = lab.tempDir("data");
    console.error(`writing ${keys} SETs and ${hashes} HSETs to ${dir}`);
    dataFiles = { keys: join(dir, "keys.resp"), hashes: join(dir, "hashes.resp") };
    writeRespFile(dataFiles.keys, keys, stringCommand);
    writeRespFile(dataFiles.hashes, hashes, hashCommand);
  }
  return dataFiles;
}

// ---------------------------------------------------------------- memory

interface MemSample {
  /** RSS of the idle, empty server just after start. */
  idleRss: number;
  keysMs: number;
  keysRss: number;
  keysUsed: number;
  hashesMs: number;
  hashesRss: number;
  hashesUsed: number;
}
const memSamples: Record<ServerName, MemSample[]> = { redeno: [], redis: [] };

async function usedMemory(s: Server): Promise<number> {
  return Number((await info(s.port, "memory")).get("used_memory"));
}

/** After a load, so that RSS is read once the server has settled (GC, freed buffers). */
const settle = () => new Promise((r) => setTimeout(r, 1000));

async function memoryRun(name: ServerName): Promise<void> {
  const files = data();
  const dir = lab.tempDir(name);
  const m: MemSample = {
    idleRss: NaN,
    keysMs: NaN,
    keysRss: NaN,
    keysUsed: NaN,
    hashesMs: NaN,
    hashesRss: NaN,
    hashesUsed: NaN,
  };
  let s: Server | undefined;
  try {
    s = await lab.launch(name, dir, PERSISTENCE_OFF);
    m.idleRss = serverRss(s);
    m.keysMs = await pipeLoad(s, files.keys, keys);
    await expectKeys(s, keys);
    await settle();
    m.keysRss = serverRss(s);
    m.keysUsed = await usedMemory(s);
    m.hashesMs = await pipeLoad(s, files.hashes, hashes);
    await expectKeys(s, keys + hashes);
    await settle();
    m.hashesRss = serverRss(s);
    m.hashesUsed = await usedMemory(s);
    console.error(
      `  idle ${mb(m.idleRss)}; keys ${secs(m.keysMs)}, ${mb(m.keysRss)}; ` +
        `+ hashes ${secs(m.hashesMs)}, ${mb(m.hashesRss)}`,
    );
  } catch (e) {
    lab.note(name, "memory", e);
  } finally {
    memSamples[name].push(m);
    if (s) await lab.halt(s);
    lab.removeDir(dir);
  }
}

async function memorySection(): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const name of alternate(NAMES, round)) {
      console.error(`memory round ${round + 1}/${rounds}: ${name}`);
      await memoryRun(name);
    }
  }
}

// ---------------------------------------------------------------- startup

type Source = "none" | "own";
const SOURCES: Source[] = ["none", "own"];
const dumps: Record<ServerName, Dump | null> = { redeno: null, redis: null };
const startSamples: Record<ServerName, Record<Source, { ms: number; keys: number }[]>> = {
  redeno: { none: [], own: [] },
  redis: { none: [], own: [] },
};

async function startupSection(): Promise<void> {
  const files = data();
  for (const name of NAMES) {
    console.error(`startup: making ${name}'s dump.rdb of ${keys} keys`);
    try {
      dumps[name] = await buildDump(lab, name, async (s) => {
        await pipeLoad(s, files.keys, keys);
        await expectKeys(s, keys);
      });
    } catch (e) {
      lab.note(name, "making dump.rdb", e);
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const source of SOURCES) {
      for (const name of alternate(NAMES, round)) {
        const dump = source === "own" ? dumps[name] : null;
        if (source === "own" && !dump) continue; // reported as n/a
        console.error(`startup round ${round + 1}/${rounds}: ${name}, dump: ${source}`);
        try {
          startSamples[name][source].push(
            await timeStartup(lab, name, dump, Math.max(60_000, keys / 5)),
          );
        } catch (e) {
          lab.note(name, `start-up with ${source === "own" ? "its own" : "no"} dump.rdb`, e);
        }
      }
    }
  }
}

// ---------------------------------------------------------------- main

const list = run("throughput") || run("persistence") ? benchTests() : [];
const redisVersion = await getRedisVersion();
const fs = await tempFs(lab);
console.error(
  `Benchmarking redeno vs Redis ${redisVersion} (${only.join(", ")}): ${requests} requests, ` +
    `${clients} clients, pipelines ${pipelines.join("/")}, ${keys} keys, ${hashes} hashes, ` +
    `${rounds} round(s)...`,
);

const started = performance.now();
try {
  if (run("throughput")) await throughputSection();
  if (run("persistence")) await persistenceSection();
  if (run("memory")) await memorySection();
  if (run("startup")) await startupSection();
} finally {
  await lab.cleanup();
}

// ---------------------------------------------------------------- report

const rpsOf = (x: Samples, name: ServerName, label: string) =>
  med((x[name][label] ?? []).map((r) => r.rps));
const latOf = (x: Samples, name: ServerName, label: string, f: (r: BenchRow) => number) =>
  fmtMs(med((x[name][label] ?? []).map(f)));

const out = await reportHead(
  `redeno vs Redis ${redisVersion}`,
  redisVersion,
  ` (kernel ${Deno.osRelease()}); temp dirs on ${fs}`,
);
out.push(
  `- Sections: ${only.join(", ")}; median of ${rounds} round(s), alternating which server ` +
    `goes first; redeno run as \`${REDENO_COMMAND}\`; both on 127.0.0.1; ` +
    `run took ${Math.round((performance.now() - started) / 1000)} s`,
);
const testsLine = `\`redis-benchmark -c ${clients} -n ${requests} -r 100000 --csv\` ` +
  "(MGET: a custom command of 10 `key:__rand_int__` keys, the shape of the MSET test)";

if (run("throughput")) {
  out.push("", "#### Throughput", "");
  out.push(
    `${testsLine}, persistence off on both (\`--save "" --appendonly no\`); the same two ` +
      "servers for every round.",
  );
  out.push("");
  out.push(
    "| Test | Pipeline | redeno req/s | Redis req/s | redeno/Redis | redeno p50 ms | " +
      "Redis p50 ms | redeno p99 ms | Redis p99 ms |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const p of pipelines) {
    const x = throughput.get(p)!;
    for (const label of labels) {
      const a = rpsOf(x, "redeno", label);
      const b = rpsOf(x, "redis", label);
      out.push(
        `| ${label} | ${p} | ${fmtRps(a)} | ${fmtRps(b)} | ${pct(a, b)} | ${
          latOf(x, "redeno", label, (r) => r.p50)
        } | ${latOf(x, "redis", label, (r) => r.p50)} | ${
          latOf(x, "redeno", label, (r) => r.p99)
        } | ${latOf(x, "redis", label, (r) => r.p99)} |`,
      );
    }
  }
}

if (run("persistence")) {
  out.push("", "#### Persistence on vs off (unpipelined)", "");
  out.push(
    `${testsLine}, unpipelined. On: \`--save "1 1" --appendonly yes --appendfsync everysec\` ` +
      "(redeno's default policy), fresh servers in fresh dirs every round. Off: " +
      (offReused
        ? "the throughput section's -P 1 figures above."
        : '`--save "" --appendonly no`, fresh servers every round, alternating with on.'),
  );
  out.push("");
  out.push(
    "| Test | redeno off req/s | redeno on req/s | redeno on/off | Redis off req/s | " +
      "Redis on req/s | Redis on/off |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|");
  for (const label of labels) {
    const cells = NAMES.map((n) => {
      const off = rpsOf(persistOff, n, label);
      const on = rpsOf(persistOn, n, label);
      return `${fmtRps(off)} | ${fmtRps(on)} | ${pct(on, off)}`;
    });
    out.push(`| ${label} | ${cells.join(" | ")} |`);
  }
}

/** Median of one memory figure per server. */
const memOf = (name: ServerName, f: (m: MemSample) => number) => med(memSamples[name].map(f));

if (run("memory")) {
  out.push("", "#### Memory", "");
  out.push(
    'A fresh server per round (`--save "" --appendonly no`), then two files through ' +
      `\`redis-cli --pipe < file\`: first ${count(keys)} \`SET key:N value:N\` ` +
      `(N = 0..${count(keys - 1)}, e.g. \`key:0\` -> \`value:0\`), then ${count(hashes)} ` +
      `\`HSET hash:N field:0 value:N:0 ... field:9 value:N:9\` (N = 0..${
        count(hashes - 1)
      }). Load time: redis-cli start to exit (errors: 0 and every reply checked, then DBSIZE). ` +
      "RSS: VmRSS of the server process (/proc/<pid>/status; for redeno the deno process " +
      "running main.ts) 1 s after each load; idle: just after start, empty. used_memory: " +
      "INFO memory, as each server counts it.",
  );
  out.push("");
  out.push(
    `| Server | idle RSS | ${count(keys)} keys: load | RSS | used_memory | ` +
      `+ ${count(hashes)} hashes: load | RSS | used_memory |`,
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const name of NAMES) {
    const f = (g: (m: MemSample) => number) => memOf(name, g);
    out.push(
      `| ${TITLE[name]} | ${mb(f((m) => m.idleRss))} | ${secs(f((m) => m.keysMs))} | ${
        mb(f((m) => m.keysRss))
      } | ${mb(f((m) => m.keysUsed))} | ${secs(f((m) => m.hashesMs))} | ${
        mb(f((m) => m.hashesRss))
      } | ${mb(f((m) => m.hashesUsed))} |`,
    );
  }
  const r = (g: (m: MemSample) => number) => times(memOf("redeno", g), memOf("redis", g));
  out.push(
    `| redeno/Redis | | ${r((m) => m.keysMs)} | ${r((m) => m.keysRss)} | | ${
      r((m) => m.hashesMs)
    } | ${r((m) => m.hashesRss)} | |`,
  );
}

/** Median start-up time, or NaN unless every run loaded the expected keys. */
function startupMs(name: ServerName, source: Source): number {
  const xs = startSamples[name][source];
  const expected = source === "own" ? keys : 0;
  if (!xs.length || xs.some((x) => x.keys !== expected)) return NaN;
  return med(xs.map((x) => x.ms));
}

if (run("startup")) {
  out.push("", "#### Start-up", "");
  out.push(
    `Each server's own dump.rdb of ${count(keys)} string keys (\`SET key:N value:N\`, ` +
      `N = 0..${count(keys - 1)}, no hashes), made by loading them with \`redis-cli --pipe\` ` +
      "and SAVE. Time from spawning the process until PING answers +PONG " +
      '(polled every 10 ms; -LOADING is not ready), `--save "" --appendonly no`, on a copy ' +
      "of the dump in a fresh dir; DBSIZE checked after. Empty: the same with no dump.",
  );
  out.push("");
  out.push("| Server | dump.rdb size | start-up, empty | start-up with its dump | keys after |");
  out.push("|---|---:|---:|---:|---:|");
  for (const name of NAMES) {
    const loaded = startSamples[name].own.map((x) => x.keys);
    out.push(
      `| ${TITLE[name]} | ${mb(dumps[name]?.size ?? NaN)} | ${secs(startupMs(name, "none"))} | ${
        secs(startupMs(name, "own"))
      } | ${
        // Each distinct count once: a round that loaded fewer keys stands out.
        loaded.length ? [...new Set(loaded)].map(count).join(" / ") : "n/a"} |`,
    );
  }
  out.push(
    `| redeno/Redis | | ${times(startupMs("redeno", "none"), startupMs("redis", "none"))} | ${
      times(startupMs("redeno", "own"), startupMs("redis", "own"))
    } | |`,
  );
}

// ---------------------------------------------------------------- targets

interface Target {
  what: string;
  measured: string;
  /** null: not measured in this run */
  met: boolean | null;
}
const targets: Target[] = [];

/** The worst of named ratios against a floor (`atLeast`) or a ceiling. */
function ratioTarget(
  what: string,
  ratios: [string, number][],
  limit: number,
  atLeast: boolean,
): Target {
  const ok = ratios.filter(([, r]) => Number.isFinite(r));
  if (!ok.length) return { what, measured: "not measured", met: null };
  ok.sort((a, b) => atLeast ? a[1] - b[1] : b[1] - a[1]);
  const [worstName, worst] = ok[0];
  const met = ok.filter(([, r]) => atLeast ? r >= limit : r <= limit).length;
  const measured = ok.length === 1
    ? `${worst.toFixed(2)}x`
    : `worst ${worstName}: ${worst.toFixed(2)}x (${met}/${ok.length} meet it)`;
  return { what, measured, met: met === ok.length };
}

function perCommandRatios(a: (label: string) => number, b: (label: string) => number) {
  return labels.map((l): [string, number] => [l, a(l) / b(l)]);
}

for (const [p, floor] of [[1, 0.9], [16, 0.6]] as const) {
  const x = throughput.get(p);
  const what = `${p === 1 ? "Unpipelined" : "-P 16"} req/s ≥ ${floor}x Redis, every command`;
  targets.push(
    x
      ? ratioTarget(
        what,
        perCommandRatios((l) => rpsOf(x, "redeno", l), (l) => rpsOf(x, "redis", l)),
        floor,
        true,
      )
      : { what, measured: "not measured", met: null },
  );
}
targets.push(
  ratioTarget(
    `RSS with ${count(keys)} small keys ≤ 1.3x Redis`,
    [["", memOf("redeno", (m) => m.keysRss) / memOf("redis", (m) => m.keysRss)]],
    1.3,
    false,
  ),
);
targets.push(
  ratioTarget(
    "redis-cli --pipe load time ≤ 2x Redis",
    [
      [`${count(keys)} keys`, memOf("redeno", (m) => m.keysMs) / memOf("redis", (m) => m.keysMs)],
      [
        `${count(hashes)} hashes`,
        memOf("redeno", (m) => m.hashesMs) / memOf("redis", (m) => m.hashesMs),
      ],
    ],
    2,
    false,
  ),
);
targets.push(
  ratioTarget(
    `Start-up on a ${count(keys)}-key snapshot ≤ 2x Redis`,
    [["", startupMs("redeno", "own") / startupMs("redis", "own")]],
    2,
    false,
  ),
);
targets.push(
  ratioTarget(
    "Persistence on, unpipelined req/s ≥ 0.8x redeno's own with it off, every command",
    perCommandRatios((l) => rpsOf(persistOn, "redeno", l), (l) => rpsOf(persistOff, "redeno", l)),
    0.8,
    true,
  ),
);

out.push("", "#### Targets (redeno/Redis unless said)", "");
out.push("| Target | Measured | Met |");
out.push("|---|---|---|");
for (const t of targets) {
  out.push(`| ${t.what} | ${t.measured} | ${t.met === null ? "n/a" : t.met ? "met" : "not met"} |`);
}
out.push(...lab.notesMarkdown());

emitReport(out.join("\n") + "\n", values.out);
// Redis is the reference: if its half failed, the script (or the machine) is broken.
if (lab.redisFailed) Deno.exit(1);
