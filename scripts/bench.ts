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
import {
  alternate,
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
  startServer,
  stopServer,
} from "./support.ts";

const values = parseBenchArgs(
  "deno task bench [--requests N] [--rounds N] [--clients N] [--pipelines 1,16]\n" +
    "                [--tests ping,set,get,incr,hset,mset,mget] [--quick] [--out file.md]",
  {
    requests: { type: "string", default: "100000" },
    rounds: { type: "string", default: "3" },
    clients: { type: "string", default: "50" },
    pipelines: { type: "string", default: "1,16" },
    tests: { type: "string", default: "ping,set,get,incr,hset,mset,mget" },
  },
);

const requests = values.quick ? 20_000 : Number(values.requests);
const rounds = values.quick ? 1 : Number(values.rounds);
const clients = Number(values.clients);
const pipelines = values.pipelines.split(",").map(Number);
const tests = values.tests.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
requirePositiveIntegers({ requests, rounds, clients });

requireTools("bench", ["redis-benchmark", "redis-server"]);

// ---------------------------------------------------------------- servers

async function start(name: ServerName): Promise<Server> {
  const dir = Deno.makeTempDirSync({ prefix: `bench-${name}-` });
  const args = ["--save", "", "--appendonly", "no", "--loglevel", "warning"];
  return await startServer(name, dir, args);
}

async function stop(s: Server): Promise<void> {
  await stopServer(s);
  Deno.removeSync(s.dir, { recursive: true });
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

async function runBenchmark(s: Server, t: BenchTest, pipeline: number): Promise<void> {
  const args = [
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
  const { rows } = await runRedisBenchmark(s, args, Math.max(120_000, requests * 5));
  for (const [row, label] of Object.entries(t.rows)) {
    const got = rows.get(row);
    const bucket = ((samples[s.name][pipeline] ??= {})[label] ??= []);
    if (!order.includes(label)) order.push(label);
    if (got) bucket.push({ rps: got.rps, p50: got.p50 });
    else console.error(`no result for ${label} on ${s.name} (-P ${pipeline})`);
  }
}

// ---------------------------------------------------------------- main

const list = benchTests();
const redisVersion = await getRedisVersion();
console.error(
  `Benchmarking redeno vs Redis ${redisVersion}: ${requests} requests, ${clients} clients, ` +
    `pipelines ${pipelines.join("/")}, ${rounds} round(s)...`,
);

const servers = [await start("redeno"), await start("redis")];
const cleanup = () => Promise.all(servers.map(stop));
onInterrupt(cleanup);
try {
  for (let round = 0; round < rounds; round++) {
    // Alternate who goes first, so neither always runs on a warmer machine.
    const pair = alternate(servers, round);
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

const lines = await reportHead(`redeno vs Redis ${redisVersion} (redis-benchmark)`, redisVersion);
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
emitReport(lines.join("\n") + "\n", values.out);
