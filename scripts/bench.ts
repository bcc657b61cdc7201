/**
 * `deno task bench`: redeno (`deno run main.ts`) and redis-server side by
 * side under redis-benchmark, persistence off, both on free loopback ports.
 * Runs alternate between the servers (A/B, then B/A) for several rounds, and
 * the table reports the median of the rounds: requests per second, p50
 * latency, and redeno's throughput as a share of Redis's.
 *
 *   deno task bench [--requests 100000] [--rounds 3] [--clients 50]
 *                   [--pipelines 1,16] [--tests ping,set,get,incr,hset,mset,mget]
 *                   [--quick] [--out file.md]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { findOnPath } from "../tests/support/servers.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    clients: { type: "string", default: "50" },
    pipelines: { type: "string", default: "1,16" },
    tests: { type: "string", default: "ping,set,get,incr,hset,mset,mget" },
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    "deno task bench [--requests N] [--rounds N] [--clients N] [--pipelines 1,16]\n" +
      "                [--tests ping,set,get,incr,hset,mset,mget] [--quick] [--out file.md]",
  );
  Deno.exit(0);
}

const requests = values.quick ? 20_000 : Number(values.requests);
const rounds = values.quick ? 1 : Number(values.rounds);
const clients = Number(values.clients);
const pipelines = values.pipelines!.split(",").map(Number);
const tests = values.tests!.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
for (const [name, v] of [["requests", requests], ["rounds", rounds], ["clients", clients]]) {
  if (!Number.isInteger(v) || (v as number) < 1) {
    console.error(`--${name} must be a positive integer`);
    Deno.exit(2);
  }
}

const BENCH = findOnPath("redis-benchmark");
const REDIS = findOnPath("redis-server");
if (!BENCH || !REDIS) {
  console.error(
    "deno task bench needs redis-benchmark and redis-server " +
      "(apt-get update && apt-get install -y redis-server redis-tools).",
  );
  Deno.exit(1);
}

// ---------------------------------------------------------------- servers

interface Server {
  name: "redeno" | "redis";
  port: number;
  child: Deno.ChildProcess;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      return n !== null && new TextDecoder().decode(buf.subarray(0, n)) === "+PONG\r\n";
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

async function start(name: "redeno" | "redis"): Promise<Server> {
  const port = freePort();
  const dir = Deno.makeTempDirSync({ prefix: `bench-${name}-` });
  const flags = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
  flags.push("--save", "", "--appendonly", "no");
  const child = name === "redeno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...flags, "--loglevel", "warning"],
      stdout: "null",
      stderr: "inherit",
    }).spawn()
    : new Deno.Command(REDIS!, {
      args: [...flags, "--loglevel", "warning"],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  for (let i = 0; i < 300; i++) {
    if (await ping(port)) return { name, port, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not start on port ${port}`);
}

async function stop(s: Server): Promise<void> {
  try {
    s.child.kill("SIGTERM");
  } catch {
    // gone
  }
  await s.child.status;
}

// ---------------------------------------------------------------- runs

/** One redis-benchmark test: what -t takes, or a custom command line. */
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

interface Sample {
  rps: number;
  p50: number;
}

/** samples[server][pipeline][row label] = one Sample per round */
const samples: Record<string, Record<number, Record<string, Sample[]>>> = {
  redeno: {},
  redis: {},
};
const order: string[] = [];

function parseCsv(text: string): Map<string, Sample> {
  const rows = new Map<string, Sample>();
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const header = lines.shift()?.split(",").map((h) => h.replace(/"/g, "")) ?? [];
  const rpsAt = header.indexOf("rps");
  const p50At = header.indexOf("p50_latency_ms");
  for (const line of lines) {
    // Fields are quoted; the test name may contain commas only inside quotes.
    const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (fields.length < header.length) continue;
    rows.set(fields[0], { rps: Number(fields[rpsAt]), p50: Number(fields[p50At]) });
  }
  return rows;
}

async function runBenchmark(s: Server, t: BenchTest, pipeline: number): Promise<void> {
  const args = [
    "-h",
    "127.0.0.1",
    "-p",
    String(s.port),
    "-c",
    String(clients),
    "-n",
    String(requests),
    "-P",
    String(pipeline),
    "-r",
    "100000",
    "--csv",
    ...t.args,
  ];
  const child = new Deno.Command(BENCH!, { args, stdout: "piped", stderr: "piped" }).spawn();
  // A server that never answers must not hang the whole run.
  const limitMs = Math.max(120_000, requests * 5);
  const timer = setTimeout(() => {
    console.error(`redis-benchmark on ${s.name} timed out after ${limitMs / 1000}s; killing it`);
    try {
      child.kill("SIGKILL");
    } catch {
      // gone
    }
  }, limitMs);
  const out = await child.output();
  clearTimeout(timer);
  const rows = parseCsv(new TextDecoder().decode(out.stdout));
  for (const [row, label] of Object.entries(t.rows)) {
    const got = rows.get(row);
    const bucket = ((samples[s.name][pipeline] ??= {})[label] ??= []);
    if (!order.includes(label)) order.push(label);
    if (got) bucket.push(got);
    else console.error(`no result for ${label} on ${s.name} (-P ${pipeline})`);
  }
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------- machine

async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(o.stdout).trim();
  } catch {
    return "unknown";
  }
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const m = info.match(/^model name\s*:\s*(.+)$/m);
    return m ? m[1].trim() : "unknown";
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------- main

const list = benchTests();
const redisVersion = (await commandOutput(REDIS, ["--version"])).match(/v=(\S+)/)?.[1] ??
  "unknown";
const nproc = await commandOutput("nproc", []);
console.error(
  `Benchmarking redeno vs Redis ${redisVersion}: ${requests} requests, ${clients} clients, ` +
    `pipelines ${pipelines.join("/")}, ${rounds} round(s)...`,
);

const servers = [await start("redeno"), await start("redis")];
const cleanup = () => Promise.all(servers.map(stop));
Deno.addSignalListener("SIGINT", () => {
  cleanup().finally(() => Deno.exit(130));
});
try {
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    const pair = round % 2 === 0 ? servers : [servers[1], servers[0]];
    for (const pipeline of pipelines) {
      for (const t of list) {
        for (const s of pair) {
          console.error(`round ${round + 1}/${rounds} ${s.name} -P ${pipeline} ${t.label}`);
          await runBenchmark(s, t, pipeline);
        }
      }
    }
  }
} finally {
  await cleanup();
}

const fmtRps = (n: number) => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
const fmtMs = (n: number) => Number.isFinite(n) ? n.toFixed(3) : "n/a";
const lines: string[] = [];
lines.push(`### redeno vs Redis ${redisVersion} (redis-benchmark)`);
lines.push("");
lines.push(`- Date: ${new Date().toISOString()}`);
lines.push(`- Machine: ${nproc} CPU(s), ${cpuModel()}, ${Deno.build.os} ${Deno.build.arch}`);
lines.push(`- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}); Redis ${redisVersion}`);
lines.push(
  `- redis-benchmark -c ${clients} -n ${requests} -r 100000, persistence off on both; ` +
    `median of ${rounds} alternating round(s); redeno run as \`deno run main.ts\``,
);
lines.push("");
lines.push(
  "| Test | Pipeline | redeno req/s | Redis req/s | redeno/Redis | redeno p50 ms | Redis p50 ms |",
);
lines.push("|---|---:|---:|---:|---:|---:|---:|");
for (const pipeline of pipelines) {
  for (const label of order) {
    const mine = samples.redeno[pipeline]?.[label] ?? [];
    const theirs = samples.redis[pipeline]?.[label] ?? [];
    const a = median(mine.map((x) => x.rps));
    const b = median(theirs.map((x) => x.rps));
    const ratio = Number.isFinite(a) && Number.isFinite(b) && b > 0
      ? `${(100 * a / b).toFixed(0)}%`
      : "n/a";
    lines.push(
      `| ${label} | ${pipeline} | ${fmtRps(a)} | ${fmtRps(b)} | ${ratio} | ${
        fmtMs(median(mine.map((x) => x.p50)))
      } | ${fmtMs(median(theirs.map((x) => x.p50)))} |`,
    );
  }
}
const table = lines.join("\n") + "\n";
console.log(table);
if (values.out) {
  Deno.writeTextFileSync(values.out, table);
  console.error(`written to ${values.out}`);
}
