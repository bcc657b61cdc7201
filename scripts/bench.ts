/**
 * `deno task bench`: redeno (`deno run -A main.ts`, with the start task's V8
 * flags) against redis-server, everything issues 4 and 10 ask measured in one
 * run and reported as Markdown. Each
 * server runs on a free loopback port in its own temporary dir; rounds
 * alternate who goes first (A/B, then B/A) and tables show the median of the
 * rounds.
 *
 * - throughput: redis-benchmark (PING, SET, GET, INCR, HSET, MSET and MGET of
 *   10 keys; its LPUSH, RPUSH, LPOP, RPOP, SADD, SPOP, ZADD, ZPOPMIN and
 *   LRANGE_100/300/500/600), unpipelined and -P 16, persistence off: req/s,
 *   p50 and p99 latency, redeno/Redis. A test a server answers with an error
 *   is reported as "error" (redis-benchmark stops at the first error reply, so
 *   each collection test runs on its own).
 * - persistence: the unpipelined write tests again on fresh servers with
 *   redeno's default persistence (`--save "1 1" --appendonly yes
 *   --appendfsync everysec`): each server's req/s as a share of its own with
 *   persistence off (the throughput section's figures, or measured here if it
 *   did not run).
 * - zset1m: a sorted set of 1M members loaded with `redis-cli --pipe`, then
 *   ZRANK, ZRANGEBYSCORE ... LIMIT 0 10 and ZADD of new members at -P 16.
 * - datatypes: two fresh servers loaded with a stream of 100k entries, a 1 MB
 *   string, three dense HyperLogLogs and a geo set of 100k members, then XADD,
 *   XRANGE ... COUNT 10, XREADGROUP and XACK, SETBIT, BITCOUNT of the 1 MB
 *   string, PFADD, PFCOUNT of the three, GEOADD and GEOSEARCH BYRADIUS,
 *   unpipelined and -P 16 (issue 11).
 * - scripting: MULTI, 5 SETs and EXEC through scripts/transaction_driver.ts
 *   (redis-benchmark sends one command per request), each command awaited
 *   and the transaction in one write; EVALSHA of a script that does one GET
 *   and one SET (SCRIPT LOAD before each run), unpipelined and -P 16; then
 *   each server's RSS and INFO memory idle, after one EVAL (the VM started)
 *   and with 1,000 more cached scripts (issue 12).
 * - pubsub: PUBLISH of 64-byte messages to a channel with 1, 100 and 1,000
 *   subscribers and with 100 pattern subscribers (scripts/pubsub_bench.ts:
 *   raw TCP subscribers count delivered bytes, redis-benchmark publishes):
 *   deliveries/s and each server's CPU share; then RSS of 10,000 idle
 *   subscribers, a channel each (issue 13).
 * - eviction: a Zipf (s=1) GET / SET-on-miss cache workload over 10x more
 *   keys than fit in maxmemory 16mb, allkeys-lru and allkeys-lfu: hit rate
 *   and ops/s (scripts/eviction_bench.ts; issue 14).
 * - replication: unpipelined SET (redis-benchmark) on a master with one
 *   replica as a share of the same master without one, the replica's lag
 *   during that load (sampled every 100 ms) and how soon it is back to 0,
 *   and the time a fresh replica takes to full-sync the 1M string keys;
 *   redeno's master replicates to a redeno replica when redeno accepts
 *   REPLICAOF, else to a redis-server one (scripts/replication_bench.ts;
 *   issue 15).
 * - memory: 1M `SET key:N value:N` and then 100k 10-field hashes loaded with
 *   `redis-cli --pipe` into a fresh server: load times, RSS, used_memory; then
 *   each collection data set (a 1M-element list, sets of 1M integers and of
 *   1M short strings, a 1M-member sorted set, 100k small lists, sets and
 *   sorted sets, a 1M-entry stream) into a fresh server of its own: RSS, RSS above the idle
 *   server's, used_memory.
 * - startup: time from spawn to +PONG on the server's own dump.rdb of the 1M
 *   string keys.
 * - then the issue's targets, met or not.
 *
 *   deno task bench [--only throughput,persistence,zset1m,datatypes,scripting,pubsub,eviction,
 *                    replication,memory,startup]
 *                   [--requests 100000] [--rounds 3] [--clients 50] [--pipelines 1,16]
 *                   [--tests ping,set,...,lpush,...,lrange_600]
 *                   [--keys 1000000] [--hashes 100000] [--members 1000000]
 *                   [--small 100000] [--quick] [--out file.md]
 *
 * --quick changes the defaults to 20000 requests, 1 round, 100000 keys,
 * 10000 hashes, 100000 members and 10000 small collections (explicit flags
 * still win).
 */
import { join } from "node:path";
import { createHash } from "node:crypto";
import {
  bigStream,
  bigZset,
  BITMAP_BYTES,
  BITMAP_KEY,
  collectionDatasets,
  type Dataset,
  GEO_KEY,
  GEO_LAT,
  GEO_LON,
  GEO_SPAN,
  HLL_KEYS,
  STREAM_KEY,
  typesDataset,
  writeRespFile,
  ZSET_SCORE_RANGE,
} from "./bench_data.ts";
import {
  alternate,
  type BenchRow,
  buildDump,
  call,
  count,
  type Dump,
  emitReport,
  errorText,
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
import { runDriver } from "./transaction_driver.ts";
import {
  FANOUT_CASES,
  type FanoutCase,
  type FanoutResult,
  type IdleMemory,
  measureFanout,
  measureIdleSubscribers,
  MESSAGE,
  patternOf,
} from "./pubsub_bench.ts";
import { evictionComparison, evictionReport, type EvictionResult } from "./eviction_bench.ts";
import {
  replicationComparison,
  replicationReport,
  type ReplicationResult,
  replicationTargets,
} from "./replication_bench.ts";

const SECTIONS = [
  "throughput",
  "persistence",
  "zset1m",
  "datatypes",
  "scripting",
  "pubsub",
  "eviction",
  "replication",
  "memory",
  "startup",
] as const;

/** The string and hash tests of issue 4, then the collection tests of issue 10. */
const BASE_TESTS = ["ping", "set", "get", "incr", "hset", "mset", "mget"];
const COLLECTION_TESTS = [
  "lpush",
  "rpush",
  "lpop",
  "rpop",
  "sadd",
  "spop",
  "zadd",
  "zpopmin",
  "lrange_100",
  "lrange_300",
  "lrange_500",
  "lrange_600",
];
type Section = (typeof SECTIONS)[number];

const values = parseBenchArgs(
  "deno task bench [--only throughput,persistence,zset1m,datatypes,scripting,pubsub,eviction,\n" +
    "                        replication,memory,startup]\n" +
    "                [--requests N] [--rounds N] [--clients N] [--pipelines 1,16]\n" +
    `                [--tests ${[...BASE_TESTS, ...COLLECTION_TESTS].join(",")}]\n` +
    "                [--keys N] [--hashes N] [--members N] [--small N] [--quick] [--out file.md]\n" +
    "--members: elements of the big list/set/sorted set (memory) and of zset1m's sorted set;\n" +
    "--small: number of 10-element lists, sets and sorted sets (memory)",
  {
    only: { type: "string", default: SECTIONS.join(",") },
    requests: { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string", default: "50" },
    pipelines: { type: "string", default: "1,16" },
    tests: { type: "string", default: [...BASE_TESTS, ...COLLECTION_TESTS].join(",") },
    keys: { type: "string" },
    hashes: { type: "string" },
    members: { type: "string" },
    small: { type: "string" },
  },
);

// --quick only changes the defaults, so `--quick --rounds 2` still works.
const requests = Number(values.requests ?? (values.quick ? 20_000 : 100_000));
const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
const keys = Number(values.keys ?? (values.quick ? 100_000 : 1_000_000));
const hashes = Number(values.hashes ?? (values.quick ? 10_000 : 100_000));
const members = Number(values.members ?? (values.quick ? 100_000 : 1_000_000));
const smallKeys = Number(values.small ?? (values.quick ? 10_000 : 100_000));
const clients = Number(values.clients);
const pipelines = values.pipelines.split(",").map(Number);
const tests = values.tests.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean);
requirePositiveIntegers({ requests, rounds, keys, hashes, members, small: smallKeys, clients });
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
  ...(run("throughput") || run("persistence") || run("zset1m") || run("datatypes") ||
      run("scripting") || run("pubsub") || run("replication")
    ? ["redis-benchmark"]
    : []),
  ...(run("memory") || run("startup") || run("zset1m") || run("datatypes") || run("replication")
    ? ["redis-cli"]
    : []),
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
  /** redis-benchmark's -r (the range of `__rand_int__`). */
  random: number;
  /** Run in the persistence section too (the tests that write). */
  persist: boolean;
  /** Commands sent before every run (e.g. to reset a consumer group). */
  before?: string[][];
}

/** The -r of the throughput tests. */
const RANDOM = 100_000;

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
    out.push({
      label: t.join(","),
      args: ["-t", t.join(",")],
      rows,
      random: RANDOM,
      persist: true,
    });
  }
  if (tests.includes("mget")) {
    // redis-benchmark has no MGET test: the same shape as its MSET one.
    const keys = Array.from({ length: 10 }, () => "key:__rand_int__");
    out.push({
      label: "mget",
      args: ["MGET", ...keys],
      rows: { [`MGET ${keys.join(" ")}`]: "MGET (10 keys)" },
      random: RANDOM,
      persist: true,
    });
  }
  // redis-benchmark stops at the first error reply, so each collection test
  // runs on its own: a command one server lacks fails alone. The LRANGE tests
  // share one run, as redis-benchmark fills their list (its own LPUSH, not
  // reported) once before them.
  for (const x of COLLECTION_TESTS.filter((x) => !x.startsWith("lrange") && tests.includes(x))) {
    const row = x.toUpperCase();
    out.push({ label: x, args: ["-t", x], rows: { [row]: row }, random: RANDOM, persist: true });
  }
  const lrange = COLLECTION_TESTS.filter((x) => x.startsWith("lrange") && tests.includes(x));
  if (lrange.length) {
    const rows: Record<string, string> = {};
    for (const x of lrange) {
      const n = x.split("_")[1];
      rows[`LRANGE_${n} (first ${n} elements)`] = `LRANGE_${n}`;
    }
    // Reads whose cost is the reply: nothing for persistence to slow down.
    out.push({
      label: lrange.join(","),
      args: ["-t", lrange.join(",")],
      rows,
      random: RANDOM,
      persist: false,
    });
  }
  const known = [...BASE_TESTS, ...COLLECTION_TESTS];
  const unknown = tests.filter((x) => !known.includes(x));
  if (unknown.length) {
    console.error(`unknown tests: ${unknown.join(", ")}`);
    Deno.exit(2);
  }
  return out;
}

/** The row labels of `list`, in order. */
const labelsOf = (list: BenchTest[]) => list.flatMap((t) => Object.values(t.rows));

/** Labels of the collection tests (issue 10), for their own targets. */
const COLLECTION_LABELS = new Set(COLLECTION_TESTS.map((x) => x.toUpperCase()));

/**
 * samples[server][row label] = one BenchRow per round; `failed` holds
 * "<server> <label>" for tests a server answered with an error.
 */
interface Samples {
  redeno: Record<string, BenchRow[]>;
  redis: Record<string, BenchRow[]>;
  failed: Set<string>;
}
const newSamples = (): Samples => ({ redeno: {}, redis: {}, failed: new Set() });

/** Requests of a warm-up run: a tenth, at least 1000. */
const warmRequests = Math.min(requests, Math.max(1000, Math.round(requests / 10)));

/** Runs one test; `into` null is a warm-up: fewer requests, nothing recorded. */
async function runTest(
  s: Server,
  t: BenchTest,
  pipeline: number,
  into: Samples | null,
  what: string,
): Promise<void> {
  const n = into ? requests : warmRequests;
  for (const cmd of t.before ?? []) await call(s.port, ...cmd);
  const args = ["-c", String(clients), "-n", String(n), "-P", String(pipeline)];
  args.push("-r", String(t.random), "--csv", ...t.args);
  const { rows, stderr } = await runRedisBenchmark(s, args, Math.max(120_000, n * 5));
  if (!into) return;
  // "Error from server: ERR unknown command 'LPUSH', with args beginning with: ..."
  // (the arguments are random: cut, so that every round's note is the same).
  const serverError = stderr.match(/^Error from server: (.*)$/m)?.[1]
    .replace(/, with args beginning with:.*/, "").slice(0, 200);
  for (const [row, label] of Object.entries(t.rows)) {
    const got = rows.get(row);
    if (got) (into[s.name][label] ??= []).push(got);
    else if (serverError) {
      into.failed.add(`${s.name} ${label}`);
      lab.note(s.name, `${what}, ${label} -P ${pipeline}`, `error reply (${serverError})`);
    } else {
      const why = stderr.trim().split("\n").slice(-1)[0]?.slice(0, 200);
      lab.note(s.name, `${what}, ${label} -P ${pipeline}`, `no result${why ? ` (${why})` : ""}`);
    }
  }
}

/**
 * Runs every test of `tests` on every server, server after server per test;
 * `into` null: a warm-up pass.
 */
async function runAll(
  servers: Server[],
  tests: BenchTest[],
  pipeline: number,
  into: Samples | null,
  what: string,
) {
  for (const t of tests) {
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
    await runAll(servers, list, pipelines[0], null, "throughput warm-up");
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, so neither always runs on a warmer machine.
      const pair = alternate(servers, round);
      for (const p of pipelines) {
        const what = `throughput round ${round + 1}/${rounds}`;
        await runAll(pair, list, p, throughput.get(p)!, what);
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
        await runAll(servers, persistList, 1, null, `${what} warm-up`);
        await runAll(servers, persistList, 1, config.into, what);
      } finally {
        await stopAll(servers);
      }
    }
  }
}

// ---------------------------------------------------------------- zset1m

const zset = bigZset(members);

/** ZRANK of a loaded member, a range from a random score, ZADD of a new member. */
function zsetTests(): BenchTest[] {
  const test = (label: string, args: string[], random: number): BenchTest => ({
    label,
    args,
    rows: { [args.join(" ")]: label },
    random,
    persist: false,
  });
  return [
    test("ZRANK", ["ZRANK", "zset", "member:__rand_int__"], members),
    test(
      "ZRANGEBYSCORE LIMIT 0 10",
      ["ZRANGEBYSCORE", "zset", "__rand_int__", "+inf", "LIMIT", "0", "10"],
      ZSET_SCORE_RANGE,
    ),
    test(
      "ZADD (new member)",
      ["ZADD", "zset", "__rand_int__", "new:__rand_int__"],
      ZSET_SCORE_RANGE,
    ),
  ];
}
const zsetList = zsetTests();
const ZSET_PIPELINE = 16;
const zsetSamples = newSamples();
const zsetLoadMs: Record<ServerName, number> = { redeno: NaN, redis: NaN };

async function zset1mSection(): Promise<void> {
  const file = datasetFile(zset);
  const servers = await startAll(NAMES, PERSISTENCE_OFF, "zset1m");
  try {
    const loaded: Server[] = [];
    for (const s of servers) {
      console.error(`zset1m: loading ${count(members)} members into ${s.name}`);
      try {
        zsetLoadMs[s.name] = await pipeLoad(s, file, zset.commands);
        await zset.verify(s);
        loaded.push(s);
      } catch (e) {
        lab.note(s.name, "zset1m, load", e);
      }
    }
    await runAll(loaded, zsetList, ZSET_PIPELINE, null, "zset1m warm-up");
    for (let round = 0; round < rounds; round++) {
      const what = `zset1m round ${round + 1}/${rounds}`;
      await runAll(alternate(loaded, round), zsetList, ZSET_PIPELINE, zsetSamples, what);
    }
  } finally {
    await stopAll(servers);
  }
}

// ---------------------------------------------------------------- datatypes

/** Entries of the datatypes section's stream and members of its geo set. */
const TYPES_SIZE = 100_000;
const types = typesDataset(TYPES_SIZE, TYPES_SIZE);
const GEO_CENTER = [GEO_LON + GEO_SPAN / 2, GEO_LAT + GEO_SPAN / 2].map(String);

/** Issue 11's tests: streams, bitmaps, HyperLogLog and geo. */
function typesTests(): BenchTest[] {
  const test = (label: string, args: string[], random = 1, before?: string[][]): BenchTest => ({
    label,
    args,
    rows: { [args.join(" ")]: label },
    random,
    persist: false,
    before,
  });
  return [
    test("XADD", ["XADD", "bench:xadd", "*", "f1", "v1", "f2", "v2"]),
    test("XRANGE COUNT 10", ["XRANGE", STREAM_KEY, "__rand_int__", "+", "COUNT", "10"], TYPES_SIZE),
    // A fresh group every run, so that every read delivers a new entry.
    test(
      "XREADGROUP COUNT 1",
      ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", STREAM_KEY, ">"],
      1,
      [["XGROUP", "DESTROY", STREAM_KEY, "g"], ["XGROUP", "CREATE", STREAM_KEY, "g", "0"]],
    ),
    // After XREADGROUP's run: the acknowledged IDs are pending.
    test("XACK", ["XACK", STREAM_KEY, "g", "__rand_int__-0"], TYPES_SIZE),
    // A fixed offset: Redis rejects __rand_int__'s zero-padded numbers as bit offsets.
    test("SETBIT", ["SETBIT", "bench:bits", String(BITMAP_BYTES * 8 - 1), "1"]),
    test("BITCOUNT 1 MB", ["BITCOUNT", BITMAP_KEY]),
    test("PFADD", ["PFADD", "bench:hll", "__rand_int__"], 100_000_000),
    test(`PFCOUNT ${HLL_KEYS.length} keys`, ["PFCOUNT", ...HLL_KEYS]),
    test(
      "GEOADD",
      // At the set's corner, far from GEOSEARCH's centre, so the searches stay the same size.
      ["GEOADD", GEO_KEY, `${GEO_LON}.__rand_int__`, `${GEO_LAT}.__rand_int__`, "new:__rand_int__"],
      TYPES_SIZE,
    ),
    test(
      "GEOSEARCH BYRADIUS 5 km",
      ["GEOSEARCH", GEO_KEY, "FROMLONLAT", ...GEO_CENTER, "BYRADIUS", "5", "km"],
    ),
  ];
}
const typesList = typesTests();
/** Samples by pipeline depth. */
const typesSamples = new Map<number, Samples>();
const typesLoadMs: Record<ServerName, number> = { redeno: NaN, redis: NaN };

async function datatypesSection(): Promise<void> {
  for (const p of pipelines) typesSamples.set(p, newSamples());
  const file = datasetFile(types);
  const servers = await startAll(NAMES, PERSISTENCE_OFF, "datatypes");
  try {
    const loaded: Server[] = [];
    for (const s of servers) {
      console.error(`datatypes: loading ${types.title} into ${s.name}`);
      try {
        typesLoadMs[s.name] = await pipeLoad(s, file, types.commands);
        await types.verify(s);
        loaded.push(s);
      } catch (e) {
        lab.note(s.name, "datatypes, load", e);
      }
    }
    for (const p of pipelines) await runAll(loaded, typesList, p, null, "datatypes warm-up");
    for (let round = 0; round < rounds; round++) {
      for (const p of pipelines) {
        const what = `datatypes round ${round + 1}/${rounds}`;
        await runAll(alternate(loaded, round), typesList, p, typesSamples.get(p)!, what);
      }
    }
  } finally {
    await stopAll(servers);
  }
}

// ---------------------------------------------------------------- scripting

/** The EVALSHA test's script: one GET and one SET, as issue 12 asks. */
const GET_SET_SCRIPT = "local v = redis.call('GET', KEYS[1])\n" +
  "redis.call('SET', KEYS[1], ARGV[1])\nreturn v";
const GET_SET_SHA = createHash("sha1").update(GET_SET_SCRIPT).digest("hex");
const EVALSHA_LABEL = "EVALSHA (GET + SET)";
/** The transaction of the MULTI rows: 5 SETs of random keys. */
const TRANSACTION = [
  ["MULTI"],
  ...Array.from({ length: 5 }, (_, i) => ["SET", `key:__rand_int__:${i}`, "xxx"]),
  ["EXEC"],
];
const MULTI_ONE_BY_ONE = "MULTI + 5 SET + EXEC, each command awaited";
const MULTI_ONE_WRITE = "MULTI + 5 SET + EXEC, in one write";
/** Transactions per driver run: a fifth of --requests (each is 7 commands). */
const transactions = Math.max(1000, Math.round(requests / 5));

const evalshaTest: BenchTest = {
  label: "evalsha",
  args: ["EVALSHA", GET_SET_SHA, "1", "key:__rand_int__", "value:__rand_int__"],
  rows: { [`EVALSHA ${GET_SET_SHA} 1 key:__rand_int__ value:__rand_int__`]: EVALSHA_LABEL },
  random: RANDOM,
  persist: false,
  // A fresh server's cache is empty; SCRIPT LOAD is a no-op when it is there.
  before: [["SCRIPT", "LOAD", GET_SET_SCRIPT]],
};
/** EVALSHA samples by pipeline depth. */
const scriptSamples = new Map<number, Samples>();
/** The MULTI rows (unpipelined only: the driver keeps one transaction in flight per client). */
const multiSamples = newSamples();

/** One driver run of the transaction; `into` null is a warm-up. */
async function runTransactions(
  s: Server,
  batch: boolean,
  into: Samples | null,
  what: string,
): Promise<void> {
  const label = batch ? MULTI_ONE_WRITE : MULTI_ONE_BY_ONE;
  console.error(`${what}: ${s.name} ${label}`);
  const operations = into ? transactions : Math.max(200, Math.round(transactions / 10));
  try {
    const r = await runDriver(s.port, {
      clients,
      operations,
      commands: TRANSACTION,
      random: RANDOM,
      batch,
    });
    if (!into) return;
    if (r.row) (into[s.name][label] ??= []).push(r.row);
    else {
      into.failed.add(`${s.name} ${label}`);
      lab.note(s.name, `${what}, ${label}`, `error reply (${r.error.slice(0, 200)})`);
    }
  } catch (e) {
    if (into) lab.note(s.name, `${what}, ${label}`, e);
  }
}

/** Memory of scripts on one fresh server. */
interface ScriptMemSample {
  idleRss: number;
  idleUsed: number;
  vmRss: number;
  vmUsed: number;
  /** INFO's used_memory_vm_eval (Redis 7.0) after one EVAL. */
  vmEval: number;
  scriptsRss: number;
  scriptsUsed: number;
  /** INFO's used_memory_scripts_eval with the 1,001 cached scripts. */
  scriptsEval: number;
  cached: number;
}
const CACHED_SCRIPTS = 1000;
const scriptMem: Record<ServerName, ScriptMemSample[]> = { redeno: [], redis: [] };

/** The i-th of the cached scripts: the EVALSHA script made distinct by a comment. */
const cachedScript = (i: number) => `${GET_SET_SCRIPT} -- cached script ${i}`;

async function scriptMemoryRun(name: ServerName): Promise<void> {
  const dir = lab.tempDir(name);
  const m: ScriptMemSample = {
    idleRss: NaN,
    idleUsed: NaN,
    vmRss: NaN,
    vmUsed: NaN,
    vmEval: NaN,
    scriptsRss: NaN,
    scriptsUsed: NaN,
    scriptsEval: NaN,
    cached: NaN,
  };
  let s: Server | undefined;
  try {
    s = await lab.launch(name, dir, PERSISTENCE_OFF);
    await settle();
    m.idleRss = serverRss(s);
    m.idleUsed = await usedMemory(s);
    const one = await call(s.port, "EVAL", "return 1", "0");
    if (one !== 1) throw new Error(`EVAL "return 1" 0 answered ${errorText(one)}`);
    await settle();
    m.vmRss = serverRss(s);
    let mem = await info(s.port, "memory");
    m.vmUsed = Number(mem.get("used_memory"));
    m.vmEval = Number(mem.get("used_memory_vm_eval") ?? NaN);
    for (let i = 0; i < CACHED_SCRIPTS; i++) {
      const sha = await call(s.port, "SCRIPT", "LOAD", cachedScript(i));
      if (typeof sha !== "string" || sha.length !== 40) {
        throw new Error(`SCRIPT LOAD answered ${errorText(sha)}`);
      }
    }
    await settle();
    m.scriptsRss = serverRss(s);
    mem = await info(s.port, "memory");
    m.scriptsUsed = Number(mem.get("used_memory"));
    m.scriptsEval = Number(mem.get("used_memory_scripts_eval") ?? NaN);
    m.cached = Number(mem.get("number_of_cached_scripts") ?? NaN);
    console.error(
      `  idle ${mb(m.idleRss)}; one EVAL ${mb(m.vmRss)}; ` +
        `+ ${CACHED_SCRIPTS} scripts ${mb(m.scriptsRss)} (${m.cached} cached)`,
    );
  } catch (e) {
    lab.note(name, "scripting memory", e);
  } finally {
    scriptMem[name].push(m);
    if (s) await lab.halt(s);
    lab.removeDir(dir);
  }
}

async function scriptingSection(): Promise<void> {
  for (const p of pipelines) scriptSamples.set(p, newSamples());
  const servers = await startAll(NAMES, PERSISTENCE_OFF, "scripting");
  try {
    for (const s of servers) {
      for (const batch of [false, true]) await runTransactions(s, batch, null, "scripting warm-up");
    }
    for (const p of pipelines) await runAll(servers, [evalshaTest], p, null, "scripting warm-up");
    for (let round = 0; round < rounds; round++) {
      const what = `scripting round ${round + 1}/${rounds}`;
      const pair = alternate(servers, round);
      for (const batch of [false, true]) {
        for (const s of pair) await runTransactions(s, batch, multiSamples, what);
      }
      for (const p of pipelines) await runAll(pair, [evalshaTest], p, scriptSamples.get(p)!, what);
    }
  } finally {
    await stopAll(servers);
  }
  for (let round = 0; round < rounds; round++) {
    for (const name of alternate(NAMES, round)) {
      console.error(`scripting memory round ${round + 1}/${rounds}: ${name}`);
      await scriptMemoryRun(name);
    }
  }
}

// ---------------------------------------------------------------- pubsub

/** redis-benchmark's connections and PUBLISH calls in flight on each, in the fan-out runs. */
const PUBLISHERS = 4;
const PUBLISH_PIPELINE = 16;
/** PUBLISH calls of a fan-out run: about 40 x --requests deliveries, at most 5 x --requests calls. */
const fanoutMessages = (c: FanoutCase) =>
  Math.min(requests * 5, Math.max(1000, Math.round((requests * 40) / c.subscribers)));
const IDLE_SUBSCRIBERS = 10_000;
/** Idle time before the last reading: Redis's client cron shrinks idle buffers after 2-5 s. */
const IDLE_SETTLE_MS = 6000;
/** Both servers must take 10,000 subscribers and the harness's own connections. */
const PUBSUB_ARGS = [...PERSISTENCE_OFF, "--maxclients", String(IDLE_SUBSCRIBERS + 100)];
/** Fan-out results by server and case label. */
const fanout: Record<ServerName, Record<string, FanoutResult[]>> = { redeno: {}, redis: {} };
const idleMem: Record<ServerName, IdleMemory[]> = { redeno: [], redis: [] };

/** One fan-out run: a warm-up phase of half the messages, then the measured one. */
async function fanoutRun(s: Server, c: FanoutCase, what: string): Promise<void> {
  console.error(`${what}: ${s.name} ${c.label}`);
  const messages = fanoutMessages(c);
  try {
    const r = await measureFanout(s, c, {
      messages,
      warmup: Math.ceil(messages / 2),
      publishers: PUBLISHERS,
      pipeline: PUBLISH_PIPELINE,
      timeoutMs: Math.max(120_000, messages),
    });
    (fanout[s.name][c.label] ??= []).push(r);
  } catch (e) {
    lab.note(s.name, `${what}, ${c.label}`, e);
  }
}

async function pubsubSection(): Promise<void> {
  const servers = await startAll(NAMES, PUBSUB_ARGS, "pubsub");
  try {
    for (let round = 0; round < rounds; round++) {
      const what = `pubsub round ${round + 1}/${rounds}`;
      const pair = alternate(servers, round);
      for (const c of FANOUT_CASES) {
        for (const s of pair) await fanoutRun(s, c, what);
      }
    }
  } finally {
    await stopAll(servers);
  }
  for (let round = 0; round < rounds; round++) {
    for (const name of alternate(NAMES, round)) {
      const what = `pubsub idle subscribers round ${round + 1}/${rounds}`;
      console.error(`${what}: ${name}`);
      const dir = lab.tempDir(name);
      let s: Server | undefined;
      try {
        s = await lab.launch(name, dir, PUBSUB_ARGS);
        const m = await measureIdleSubscribers(s, IDLE_SUBSCRIBERS, IDLE_SETTLE_MS);
        idleMem[name].push(m);
        console.error(
          `  RSS ${mb(m.rssBefore)} -> ${mb(m.rssConnected)} -> ${mb(m.rssSettled)} idle`,
        );
      } catch (e) {
        lab.note(name, what, e);
      } finally {
        if (s) await lab.halt(s);
        lab.removeDir(dir);
      }
    }
  }
}

// ---------------------------------------------------------------- eviction

/** maxmemory of the eviction section (the same on both servers). */
const EVICTION_MAXMEMORY = "16mb";
let eviction: { keys: number; fit: number; results: Record<ServerName, EvictionResult[]> } | null =
  null;

async function evictionSection(): Promise<void> {
  try {
    eviction = await evictionComparison(lab, {
      maxmemory: EVICTION_MAXMEMORY,
      ops: values.quick ? 100_000 : 300_000,
      rounds,
    });
  } catch (e) {
    lab.note("redeno", "eviction", e);
  }
}

// ---------------------------------------------------------------- replication

let replication: ReplicationResult | null = null;

async function replicationSection(): Promise<void> {
  try {
    replication = await replicationComparison(lab, {
      requests,
      clients,
      keys,
      rounds,
      // The memory and start-up sections load the same `SET key:N value:N` file.
      keysFile: run("memory") || run("startup") ? data().keys : undefined,
    });
  } catch (e) {
    lab.note("redeno", "replication", e);
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

let dataFiles: { keys: string; hashes: string } | undefined;

const datasetFiles = new Map<string, string>();

/** The RESP file of a data set, made once (the sorted set serves zset1m and memory). */
function datasetFile(d: Dataset): string {
  let path = datasetFiles.get(d.id);
  if (!path) {
    path = join(lab.tempDir(`data-${d.id}`), `${d.id}.resp`);
    console.error(`writing ${d.title} (${count(d.commands)} commands) to ${path}`);
    writeRespFile(path, d.commands, d.command);
    datasetFiles.set(d.id, path);
  }
  return path;
}

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

/** One collection data set loaded into a fresh server. */
interface CollectionSample {
  idleRss: number;
  ms: number;
  rss: number;
  used: number;
}
const datasets = collectionDatasets(members, smallKeys);
/** The memory section's stream (issue 11), measured like the collections. */
const streamDataset = bigStream(members);
const memoryDatasets = [...datasets, streamDataset];
/** collectionSamples[data set id][server]: one per round. */
const collectionSamples: Record<string, Record<ServerName, CollectionSample[]>> = {};

async function collectionRun(name: ServerName, d: Dataset): Promise<void> {
  const file = datasetFile(d);
  const dir = lab.tempDir(name);
  const m: CollectionSample = { idleRss: NaN, ms: NaN, rss: NaN, used: NaN };
  let s: Server | undefined;
  try {
    s = await lab.launch(name, dir, PERSISTENCE_OFF);
    m.idleRss = serverRss(s);
    m.ms = await pipeLoad(s, file, d.commands);
    await d.verify(s);
    await settle();
    m.rss = serverRss(s);
    m.used = await usedMemory(s);
    console.error(`  idle ${mb(m.idleRss)}; loaded in ${secs(m.ms)}: ${mb(m.rss)}`);
  } catch (e) {
    // A failed load reports nothing rather than the memory of half the data.
    m.rss = m.used = NaN;
    lab.note(name, `memory, ${d.title}`, e);
  } finally {
    (collectionSamples[d.id] ??= { redeno: [], redis: [] })[name].push(m);
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
    for (const d of memoryDatasets) {
      for (const name of alternate(NAMES, round)) {
        console.error(`memory round ${round + 1}/${rounds}: ${name}, ${d.title}`);
        await collectionRun(name, d);
      }
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
const persistList = list.filter((t) => t.persist);
const labels = labelsOf(list);
const persistLabels = labelsOf(persistList);
const redisVersion = await getRedisVersion();
const fs = await tempFs(lab);
console.error(
  `Benchmarking redeno vs Redis ${redisVersion} (${only.join(", ")}): ${requests} requests, ` +
    `${clients} clients, pipelines ${pipelines.join("/")}, ${keys} keys, ${hashes} hashes, ` +
    `${members} members, ${smallKeys} small collections, ${rounds} round(s)...`,
);

const started = performance.now();
try {
  if (run("throughput")) await throughputSection();
  if (run("persistence")) await persistenceSection();
  if (run("zset1m")) await zset1mSection();
  if (run("datatypes")) await datatypesSection();
  if (run("scripting")) await scriptingSection();
  if (run("pubsub")) await pubsubSection();
  if (run("eviction")) await evictionSection();
  if (run("replication")) await replicationSection();
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
/** req/s, or "error" when the server answered the test with an error. */
const rpsCell = (x: Samples, name: ServerName, label: string) =>
  x.failed.has(`${name} ${label}`) && !x[name][label]?.length
    ? "error"
    : fmtRps(rpsOf(x, name, label));

/** Markdown rows: test, [pipeline,] req/s, ratio, p50 and p99 of both servers. */
function rpsRows(x: Samples, labels: string[], pipeline?: number): string[] {
  return labels.map((label) => {
    const a = rpsOf(x, "redeno", label);
    const b = rpsOf(x, "redis", label);
    return `| ${label} | ${pipeline === undefined ? "" : `${pipeline} | `}${
      rpsCell(x, "redeno", label)
    } | ${rpsCell(x, "redis", label)} | ${pct(a, b)} | ${
      latOf(x, "redeno", label, (r) => r.p50)
    } | ${latOf(x, "redis", label, (r) => r.p50)} | ${latOf(x, "redeno", label, (r) => r.p99)} | ${
      latOf(x, "redis", label, (r) => r.p99)
    } |`;
  });
}

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
const testsLine = `\`redis-benchmark -c ${clients} -n ${requests} -r ${RANDOM} --csv\` ` +
  "(MGET: a custom command of 10 `key:__rand_int__` keys, the shape of the MSET test; " +
  "each list, set and sorted set test in a run of its own, in redis-benchmark's order, so " +
  "that LPOP/RPOP pop what LPUSH/RPUSH pushed, SPOP what SADD added, ZPOPMIN what ZADD " +
  "added; the LRANGE tests share one run, after redis-benchmark's own LPUSH of " +
  `${count(requests)} elements to fill the list). Every server first gets an unrecorded ` +
  `warm-up run of every test with -n ${count(warmRequests)}, so that redeno's JIT has ` +
  "compiled the command path before anything is measured (Redis gets it too)";

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
  for (const p of pipelines) out.push(...rpsRows(throughput.get(p)!, labels, p));
}

if (run("persistence")) {
  out.push("", "#### Persistence on vs off (unpipelined)", "");
  out.push(
    `${testsLine}, unpipelined, all but the LRANGE reads. On: ` +
      '`--save "1 1" --appendonly yes --appendfsync everysec` ' +
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
  for (const label of persistLabels) {
    const cells = NAMES.map((n) => {
      const off = rpsOf(persistOff, n, label);
      const on = rpsOf(persistOn, n, label);
      return `${rpsCell(persistOff, n, label)} | ${rpsCell(persistOn, n, label)} | ${pct(on, off)}`;
    });
    out.push(`| ${label} | ${cells.join(" | ")} |`);
  }
}

if (run("zset1m")) {
  out.push("", `#### A sorted set of ${count(members)} members`, "");
  out.push(
    'Two fresh servers (`--save "" --appendonly no`), each loaded through ' +
      `\`redis-cli --pipe\` with ${zset.how} (${secs(zsetLoadMs.redeno)} into redeno, ` +
      `${secs(zsetLoadMs.redis)} into Redis; ZCARD checked), then ` +
      `\`redis-benchmark -c ${clients} -n ${requests} -P ${ZSET_PIPELINE} --csv\` with ` +
      `\`ZRANK zset member:__rand_int__\` (-r ${count(members)}: every member exists), ` +
      "`ZRANGEBYSCORE zset __rand_int__ +inf LIMIT 0 10` and " +
      `\`ZADD zset __rand_int__ new:__rand_int__\` (-r ${count(ZSET_SCORE_RANGE)}; the ` +
      `loaded scores are spread over 0..${count(ZSET_SCORE_RANGE)}, so ranges start and new ` +
      "members land anywhere in the set). An unrecorded warm-up run of each test with " +
      `-n ${count(warmRequests)} first; the same two servers for every round: each round's ` +
      "ZADD grows the set.",
  );
  out.push("");
  out.push(
    "| Test | redeno req/s | Redis req/s | redeno/Redis | redeno p50 ms | Redis p50 ms | " +
      "redeno p99 ms | Redis p99 ms |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
  out.push(...rpsRows(zsetSamples, labelsOf(zsetList)));
}

if (run("datatypes")) {
  out.push("", "#### Streams, bitmaps, HyperLogLog, geo", "");
  out.push(
    'Two fresh servers (`--save "" --appendonly no`), each loaded through `redis-cli --pipe` ' +
      `with ${types.title}: ${types.how} (${secs(typesLoadMs.redeno)} into redeno, ` +
      `${secs(typesLoadMs.redis)} into Redis; sizes checked), then ` +
      `\`redis-benchmark -c ${clients} -n ${requests} --csv\` with each command below: ` +
      "XADD to a new stream; XRANGE from a random ID of the loaded stream; XREADGROUP `>` " +
      "of one entry, on a group created afresh before each run; XACK of random IDs, after " +
      "XREADGROUP's run made them pending; SETBIT of the last bit of a new 1 MB bitmap; " +
      "BITCOUNT of the whole 1 MB string; PFADD of random elements to a new HyperLogLog; " +
      `PFCOUNT of the union of the ${HLL_KEYS.length} loaded ones; GEOADD of new members ` +
      "at a corner of the geo set; GEOSEARCH of a 5 km radius around its centre (about " +
      "50 members). An unrecorded warm-up run of each test first; the same two servers for " +
      "every round.",
  );
  out.push("");
  out.push(
    "| Test | Pipeline | redeno req/s | Redis req/s | redeno/Redis | redeno p50 ms | " +
      "Redis p50 ms | redeno p99 ms | Redis p99 ms |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const p of pipelines) out.push(...rpsRows(typesSamples.get(p)!, labelsOf(typesList), p));
}

if (run("scripting")) {
  out.push("", "#### Transactions and scripts", "");
  out.push(
    'Two fresh servers (`--save "" --appendonly no`), the same two for every round. ' +
      `MULTI, 5 \`SET key:__rand_int__:i xxx\` and EXEC: ${count(transactions)} transactions ` +
      `per run from ${clients} connections of scripts/transaction_driver.ts (a Deno client: ` +
      "redis-benchmark sends one command per request), one transaction in flight per " +
      "connection, either each command awaited before the next is sent or the 7 commands in " +
      "one write, as client libraries send a transaction; req/s and latency are per " +
      "transaction, and the driver's own cost weighs on both servers alike. " +
      `\`redis-benchmark -c ${clients} -n ${requests} -r ${RANDOM} --csv EVALSHA <sha> 1 ` +
      "key:__rand_int__ value:__rand_int__` of `" + GET_SET_SCRIPT.replaceAll("\n", " ") +
      "` (SCRIPT LOAD before each run). An unrecorded warm-up run of each test first.",
  );
  out.push("");
  out.push(
    "| Test | Pipeline | redeno req/s | Redis req/s | redeno/Redis | redeno p50 ms | " +
      "Redis p50 ms | redeno p99 ms | Redis p99 ms |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  out.push(...rpsRows(multiSamples, [MULTI_ONE_BY_ONE, MULTI_ONE_WRITE], 1));
  for (const p of pipelines) out.push(...rpsRows(scriptSamples.get(p)!, [EVALSHA_LABEL], p));

  const sm = (name: ServerName, f: (m: ScriptMemSample) => number) => med(scriptMem[name].map(f));
  // Kilobytes: Redis's Lua VM and script cache are far below a megabyte.
  const kb = (bytes: number) =>
    Number.isFinite(bytes) ? `${Math.round(bytes / 1024).toLocaleString("en-US")} kB` : "n/a";
  out.push("", "#### Memory of scripts", "");
  out.push(
    'A fresh server per round (`--save "" --appendonly no`): RSS (VmRSS; redeno\'s ' +
      "includes its Lua VM's Worker thread) and INFO memory 1 s after start, 1 s after " +
      '`EVAL "return 1" 0` (the VM started, one script cached), and 1 s after ' +
      `${count(CACHED_SCRIPTS)} more SCRIPT LOADs of distinct scripts (the EVALSHA script ` +
      "with a distinct comment, about 90 bytes each). used_memory_vm_eval and " +
      "used_memory_scripts_eval as each server reports them.",
  );
  out.push("");
  out.push(
    "| Server | idle RSS | idle used_memory | after one EVAL: RSS | used_memory | " +
      `used_memory_vm_eval | + ${count(CACHED_SCRIPTS)} scripts: RSS | used_memory | ` +
      "used_memory_scripts_eval | cached scripts |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const name of NAMES) {
    const f = (g: (m: ScriptMemSample) => number) => kb(sm(name, g));
    out.push(
      `| ${TITLE[name]} | ${f((m) => m.idleRss)} | ${f((m) => m.idleUsed)} | ${
        f((m) => m.vmRss)
      } | ${f((m) => m.vmUsed)} | ${f((m) => m.vmEval)} | ${f((m) => m.scriptsRss)} | ${
        f((m) => m.scriptsUsed)
      } | ${f((m) => m.scriptsEval)} | ${count(sm(name, (m) => m.cached))} |`,
    );
  }
  const delta = (name: ServerName, g: (m: ScriptMemSample) => number) => kb(sm(name, g));
  for (const name of NAMES) {
    out.push(
      `| ${TITLE[name]}, increase | | | ${delta(name, (m) => m.vmRss - m.idleRss)} | ${
        delta(name, (m) => m.vmUsed - m.idleUsed)
      } | | ${delta(name, (m) => m.scriptsRss - m.vmRss)} | ${
        delta(name, (m) => m.scriptsUsed - m.vmUsed)
      } | | |`,
    );
  }
}

if (run("pubsub")) {
  const fan = (name: ServerName, label: string, f: (r: FanoutResult) => number) =>
    med((fanout[name][label] ?? []).map(f));
  const share = (x: number) => Number.isFinite(x) ? `${Math.round(x * 100)}%` : "n/a";
  out.push("", "#### Pub/Sub", "");
  out.push(
    'Two fresh servers (`--save "" --appendonly no`), the same two for every round. ' +
      "Subscribers are raw TCP connections of scripts/pubsub_bench.ts, one process, each " +
      `\`SUBSCRIBE bench:channel\` (pattern case: each its own \`PSUBSCRIBE ${patternOf(0)}\` ` +
      `... \`${patternOf(99)}\`, all matching the channel); \`redis-benchmark -c ${PUBLISHERS} ` +
      `-P ${PUBLISH_PIPELINE} -n <N> PUBLISH bench:channel <${MESSAGE.length} bytes>\` publishes ` +
      `(N: ${FANOUT_CASES.map((c) => `${count(fanoutMessages(c))} for ${c.label}`).join(", ")}). ` +
      "Every message frame has a fixed size, so subscribers only count bytes (and check the " +
      "last frame); a run ends when every subscriber has every message. Deliveries/s = " +
      "delivered messages / (last byte - first byte); PUBLISH/s = deliveries/s / subscribers. " +
      "CPU = the server process's CPU time over that time (redeno's includes V8's helper " +
      "threads): near 100% for Redis means the server, not the harness, was the limit. " +
      "Each run first publishes half as many messages, unmeasured, to the same subscribers " +
      "(long-lived subscribers, as real ones are).",
  );
  out.push("");
  out.push(
    "| Case | redeno deliveries/s | Redis deliveries/s | redeno/Redis | redeno PUBLISH/s | " +
      "Redis PUBLISH/s | redeno CPU | Redis CPU | harness CPU (redeno run / Redis run) |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const c of FANOUT_CASES) {
    const d = (name: ServerName) => fan(name, c.label, (r) => r.deliveries);
    const p = (name: ServerName) => fan(name, c.label, (r) => r.publishes);
    const cpu = (name: ServerName) => share(fan(name, c.label, (r) => r.serverCpu));
    const self = (name: ServerName) => share(fan(name, c.label, (r) => r.harnessCpu));
    out.push(
      `| ${c.label} | ${fmtRps(d("redeno"))} | ${fmtRps(d("redis"))} | ${
        pct(d("redeno"), d("redis"))
      } | ${fmtRps(p("redeno"))} | ${fmtRps(p("redis"))} | ${cpu("redeno")} | ${cpu("redis")} | ${
        self("redeno")
      } / ${self("redis")} |`,
    );
  }
  const im = (name: ServerName, f: (m: IdleMemory) => number) => med(idleMem[name].map(f));
  const perClient = (bytes: number) =>
    Number.isFinite(bytes) ? `${(bytes / IDLE_SUBSCRIBERS / 1024).toFixed(1)} kB` : "n/a";
  out.push("", `#### Memory of ${count(IDLE_SUBSCRIBERS)} idle subscribers`, "");
  out.push(
    `A fresh server per round (\`--save "" --appendonly no --maxclients ${
      IDLE_SUBSCRIBERS + 100
    }\`): RSS ` +
      `(VmRSS) 1 s after start, right after ${count(IDLE_SUBSCRIBERS)} connections (opened ` +
      "500 at a time) each sent `SUBSCRIBE idle:channel:<i>` (a channel each) and read its " +
      `confirmation, and after ${IDLE_SETTLE_MS / 1000} s more of idleness (the servers' client ` +
      "cron shrinks idle clients' buffers); per subscriber = (idle RSS - RSS before) / " +
      `${count(IDLE_SUBSCRIBERS)}, and the same of INFO used_memory.`,
  );
  out.push("");
  out.push(
    "| Server | RSS before | after connecting | after idling | per subscriber | " +
      "used_memory per subscriber |",
  );
  out.push("|---|---:|---:|---:|---:|---:|");
  for (const name of NAMES) {
    out.push(
      `| ${TITLE[name]} | ${mb(im(name, (m) => m.rssBefore))} | ${
        mb(im(name, (m) => m.rssConnected))
      } | ${mb(im(name, (m) => m.rssSettled))} | ${
        perClient(im(name, (m) => m.rssSettled - m.rssBefore))
      } | ${perClient(im(name, (m) => m.usedSettled - m.usedBefore))} |`,
    );
  }
}

const evictionRep = eviction === null ? null : evictionReport(eviction, EVICTION_MAXMEMORY);
if (evictionRep !== null) out.push("", "#### Eviction (maxmemory cache)", "", ...evictionRep.lines);

const replicationRep = replication === null ? null : replicationReport(replication);
if (replicationRep !== null) out.push("", "#### Replication", "", ...replicationRep.lines);

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

/** Median of one figure of a collection data set on one server. */
const collOf = (id: string, name: ServerName, f: (m: CollectionSample) => number) =>
  med((collectionSamples[id]?.[name] ?? []).map(f));
const rssOf = (m: CollectionSample) => m.rss;
const aboveIdle = (m: CollectionSample) => m.rss - m.idleRss;

if (run("memory")) {
  out.push("", "#### Memory of lists, sets and sorted sets", "");
  out.push(
    "Each data set on its own: a fresh server per data set and round " +
      '(`--save "" --appendonly no`), loaded through `redis-cli --pipe < file` (every reply ' +
      "checked, then DBSIZE and the collection sizes), RSS read 1 s after: " +
      memoryDatasets.map((d) => `${d.title}: ${d.how}`).join("; ") +
      ". RSS − idle: the loaded server's RSS less its own RSS just after start (redeno " +
      "starts from the Deno runtime's larger idle RSS, see the idle column above, so this ratio " +
      "shows what the data itself costs; the issue's target is on absolute RSS).",
  );
  out.push("");
  out.push(
    "| Data set | redeno load | Redis load | redeno RSS | Redis RSS | RSS redeno/Redis | " +
      "redeno RSS − idle | Redis RSS − idle | (RSS − idle) redeno/Redis | " +
      "redeno used_memory | Redis used_memory |",
  );
  out.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const d of memoryDatasets) {
    const f = (name: ServerName, g: (m: CollectionSample) => number) => collOf(d.id, name, g);
    out.push(
      `| ${d.title} | ${secs(f("redeno", (m) => m.ms))} | ${secs(f("redis", (m) => m.ms))} | ${
        mb(f("redeno", rssOf))
      } | ${mb(f("redis", rssOf))} | ${times(f("redeno", rssOf), f("redis", rssOf))} | ${
        mb(f("redeno", aboveIdle))
      } | ${mb(f("redis", aboveIdle))} | ${
        times(f("redeno", aboveIdle), f("redis", aboveIdle))
      } | ${mb(f("redeno", (m) => m.used))} | ${mb(f("redis", (m) => m.used))} |`,
    );
  }
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
  /** Shown for comparison, not one of the issues' targets. */
  reference?: boolean;
}
const targets: Target[] = [];

/**
 * A ratio that Redis has and redeno does not (it answered an error or failed
 * to load): counted as not met, and shown as "failed".
 */
const FAILED = "failed";
type Ratio = [string, number | typeof FAILED];

/** The worst of named ratios against a floor (`atLeast`) or a ceiling. */
function ratioTarget(what: string, ratios: Ratio[], limit: number, atLeast: boolean): Target {
  const ok = ratios.filter(([, r]) => r === FAILED || Number.isFinite(r));
  if (!ok.length) return { what, measured: "not measured", met: null };
  // Failures first, then the worst ratio.
  const key = (r: Ratio[1]) => r === FAILED ? -Infinity : atLeast ? r : -r;
  ok.sort((a, b) => key(a[1]) - key(b[1]));
  const [worstName, worst] = ok[0];
  const met = ok.filter(([, r]) => r !== FAILED && (atLeast ? r >= limit : r <= limit)).length;
  const shown = worst === FAILED ? FAILED : `${worst.toFixed(2)}x`;
  const measured = ok.length === 1
    ? shown
    : `worst ${worstName}: ${shown} (${met}/${ok.length} meet it)`;
  return { what, measured, met: met === ok.length };
}

/** a/b, or FAILED when only b (Redis's figure) was measured. */
const ratio = (a: number, b: number): Ratio[1] =>
  Number.isFinite(b) && !Number.isFinite(a) ? FAILED : a / b;

function perCommandRatios(
  a: (label: string) => number,
  b: (label: string) => number,
  of = labels,
) {
  return of.map((l): Ratio => [l, ratio(a(l), b(l))]);
}

const baseLabels = labels.filter((l) => !COLLECTION_LABELS.has(l));
const collectionLabels = labels.filter((l) => COLLECTION_LABELS.has(l));
for (
  const [group, of] of [
    ["PING, strings, hashes", baseLabels],
    ["lists, sets, sorted sets", collectionLabels],
  ] as const
) {
  for (const [p, floor] of [[1, 0.9], [16, 0.6]] as const) {
    const x = throughput.get(p);
    const what = `${p === 1 ? "Unpipelined" : "-P 16"} req/s ≥ ${floor}x Redis, every ` +
      `test: ${group}`;
    targets.push(
      x && of.length
        ? ratioTarget(
          what,
          perCommandRatios((l) => rpsOf(x, "redeno", l), (l) => rpsOf(x, "redis", l), of),
          floor,
          true,
        )
        : { what, measured: "not measured", met: null },
    );
  }
}
{
  const what = `Sorted set of ${count(members)} members, -P 16 req/s ≥ 0.5x Redis: ZRANK, ` +
    "ZRANGEBYSCORE LIMIT 0 10, ZADD of new members";
  targets.push(
    run("zset1m")
      ? ratioTarget(
        what,
        perCommandRatios(
          (l) => rpsOf(zsetSamples, "redeno", l),
          (l) => rpsOf(zsetSamples, "redis", l),
          labelsOf(zsetList),
        ),
        0.5,
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
for (const [p, floor] of [[1, 0.8], [16, 0.5]] as const) {
  const x = typesSamples.get(p);
  const what = `${p === 1 ? "Unpipelined" : "-P 16"} req/s ≥ ${floor}x Redis, every test: ` +
    "streams, bitmaps, HyperLogLog, geo";
  targets.push(
    x
      ? ratioTarget(
        what,
        perCommandRatios(
          (l) => rpsOf(x, "redeno", l),
          (l) => rpsOf(x, "redis", l),
          labelsOf(typesList),
        ),
        floor,
        true,
      )
      : { what, measured: "not measured", met: null },
  );
}
/** Every label of `x` at least `floor` x Redis; not measured when `x` is undefined. */
function samplesTarget(what: string, x: Samples | undefined, of: string[], floor: number): Target {
  if (!x) return { what, measured: "not measured", met: null };
  const ratios = perCommandRatios((l) => rpsOf(x, "redeno", l), (l) => rpsOf(x, "redis", l), of);
  return ratioTarget(what, ratios, floor, true);
}
targets.push(
  samplesTarget(
    "MULTI + 5 SETs + EXEC, unpipelined req/s ≥ 0.8x Redis",
    run("scripting") ? multiSamples : undefined,
    [MULTI_ONE_BY_ONE, MULTI_ONE_WRITE],
    0.8,
  ),
);
for (const p of [1, 16]) {
  targets.push(
    samplesTarget(
      `EVALSHA of a GET + SET script, ${p === 1 ? "unpipelined" : "-P 16"} req/s ≥ 0.5x Redis`,
      scriptSamples.get(p),
      [EVALSHA_LABEL],
      0.5,
    ),
  );
}
{
  const what = "PUBLISH fan-out, deliveries/s ≥ 0.7x Redis: 1, 100 and 1,000 subscribers, " +
    "100 pattern subscribers";
  const d = (name: ServerName, label: string) =>
    med((fanout[name][label] ?? []).map((r) => r.deliveries));
  targets.push(
    run("pubsub")
      ? ratioTarget(
        what,
        FANOUT_CASES.map((c): Ratio => [c.label, ratio(d("redeno", c.label), d("redis", c.label))]),
        0.7,
        true,
      )
      : { what, measured: "not measured", met: null },
  );
  const im = (name: ServerName, f: (m: IdleMemory) => number) => med(idleMem[name].map(f));
  const what2 = `Memory of ${count(IDLE_SUBSCRIBERS)} idle subscribers (RSS above the idle ` +
    "server's) ≤ 2x Redis's";
  targets.push(
    run("pubsub")
      ? ratioTarget(
        what2,
        [[
          "",
          ratio(
            im("redeno", (m) => m.rssSettled - m.rssBefore),
            im("redis", (m) => m.rssSettled - m.rssBefore),
          ),
        ]],
        2,
        false,
      )
      : { what: what2, measured: "not measured", met: null },
  );
  if (run("pubsub")) {
    targets.push({
      ...ratioTarget(
        `Total RSS with ${count(IDLE_SUBSCRIBERS)} idle subscribers ≤ 2x Redis (for comparison)`,
        [["", ratio(im("redeno", (m) => m.rssSettled), im("redis", (m) => m.rssSettled))]],
        2,
        false,
      ),
      reference: true,
    });
  }
}
{
  /** Ratio per data set; one that failed to load on redeno counts as not met. */
  const perDataset = (g: (m: CollectionSample) => number, of = datasets) =>
    of.map((d): Ratio => {
      const [a, b] = NAMES.map((name) => collOf(d.id, name, g));
      return [d.title, ratio(a, b)];
    });
  targets.push(
    ratioTarget(
      "RSS ≤ 1.5x Redis, each list, set and sorted set data set",
      perDataset(rssOf),
      1.5,
      false,
    ),
  );
  targets.push({
    ...ratioTarget(
      "RSS above each server's idle RSS ≤ 1.5x Redis's, each data set (for comparison)",
      perDataset(aboveIdle),
      1.5,
      false,
    ),
    reference: true,
  });
  targets.push(
    ratioTarget(
      `RSS of ${streamDataset.title} ≤ 1.5x Redis`,
      perDataset(rssOf, [streamDataset]),
      1.5,
      false,
    ),
  );
  targets.push({
    ...ratioTarget(
      `RSS above idle of ${streamDataset.title} ≤ 1.5x Redis's (for comparison)`,
      perDataset(aboveIdle, [streamDataset]),
      1.5,
      false,
    ),
    reference: true,
  });
}
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
    perCommandRatios(
      (l) => rpsOf(persistOn, "redeno", l),
      (l) => rpsOf(persistOff, "redeno", l),
      persistLabels,
    ),
    0.8,
    true,
  ),
);

targets.push(
  evictionRep === null
    ? { what: "Eviction: hit rate within 5 points of Redis's", measured: "not measured", met: null }
    : {
      what: "Eviction (Zipf GET/SET, allkeys-lru and allkeys-lfu): hit rate within 5 points " +
        "of Redis's",
      measured: `worst ${evictionRep.worstHit.toFixed(1)} points below Redis`,
      met: evictionRep.hitOk,
    },
  evictionRep === null
    ? { what: "Eviction: throughput ≥ 0.8x Redis", measured: "not measured", met: null }
    : {
      what: "Eviction (Zipf GET/SET, allkeys-lru and allkeys-lfu): ops/s ≥ 0.8x Redis",
      measured: `worst ${evictionRep.worstSpeed.toFixed(2)}x`,
      met: evictionRep.speedOk,
    },
);

targets.push(...replicationTargets(replicationRep, replication));

out.push("", "#### Targets (redeno/Redis unless said)", "");
out.push("| Target | Measured | Met |");
out.push("|---|---|---|");
for (const t of targets) {
  const met = t.met === null ? "n/a" : t.met ? "met" : "not met";
  out.push(`| ${t.what} | ${t.measured} | ${t.reference && t.met !== null ? `(${met})` : met} |`);
}
out.push(...lab.notesMarkdown());

emitReport(out.join("\n") + "\n", values.out);
// Redis is the reference: if its half failed, the script (or the machine) is broken.
if (lab.redisFailed) Deno.exit(1);
