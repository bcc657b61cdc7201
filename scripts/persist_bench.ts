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
import {
  alternate,
  type BenchRow,
  buildDump,
  call,
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
  tempFs,
  timeStartup,
  TITLE,
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

requireTools("bench:persist", ["redis-server", "redis-cli", "redis-benchmark"]);

const CLIENTS = 50;

// Tracks every server and temp dir, so that a failure or Ctrl-C cleans up.
const lab = new Lab("persist-bench");

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

/** Loads keys 0..n-1 through `redis-cli --pipe`; returns the time it took in ms. */
async function loadKeys(s: Server, n: number): Promise<number> {
  const ms = await pipeLoad(s, setCommands(n), n);
  await expectKeys(s, n);
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
  { id: "off", label: "(a) off", args: PERSISTENCE_OFF },
  { id: "on", label: '(b) save "1 1", AOF everysec', args: PERSISTENCE_ON },
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
const note = (name: ServerName, what: string, e: unknown) => lab.note(name, what, e);

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
  const dir = lab.tempDir(name);
  let s: Server | undefined;
  try {
    s = await lab.launch(name, dir, config.args);
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
    if (s) await lab.halt(s);
    lab.removeDir(dir);
  }
}

// ---------------------------------------------------------------- 2. start-up load time

type Source = "none" | "own" | "other";
const SOURCES: Source[] = ["none", "own", "other"];
const other = (n: ServerName): ServerName => n === "redeno" ? "redis" : "redeno";

/** Each server's dump.rdb of `keys` keys, or null with the reason noted. */
const dumps: Record<ServerName, Dump | null> = { redeno: null, redis: null };

interface StartSample {
  ms: number;
  keys: number;
}
const startSamples: Record<ServerName, Record<Source, StartSample[]>> = {
  redeno: { none: [], own: [], other: [] },
  redis: { none: [], own: [], other: [] },
};

async function makeDump(name: ServerName): Promise<void> {
  try {
    dumps[name] = await buildDump(lab, name, (s) => loadKeys(s, keys));
  } catch (e) {
    note(name, "making dump.rdb", e);
  }
}

/** Start-up time of `name` with its own dump, the other server's, or none. */
async function startup(name: ServerName, source: Source): Promise<void> {
  const dump = source === "none" ? null : dumps[source === "own" ? name : other(name)];
  if (source !== "none" && !dump) return; // no dump to load: reported as n/a
  try {
    startSamples[name][source].push(
      await timeStartup(lab, name, dump, Math.max(60_000, keys / 5)),
    );
  } catch (e) {
    const whose = source === "own" ? "its own" : `${TITLE[other(name)]}'s`;
    note(name, `start-up with ${source === "none" ? "no" : whose} dump.rdb`, e);
  }
}

// ---------------------------------------------------------------- main

const redisVersion = await getRedisVersion();
const fs = await tempFs(lab);
console.error(
  `Persistence benchmark, redeno vs Redis ${redisVersion}: ${keys} keys, ` +
    `${requests} requests per test, ${rounds} round(s)...`,
);

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
      await makeDump(name);
    }
    for (let round = 0; round < rounds; round++) {
      const pair = alternate(NAMES, round);
      for (const source of SOURCES) {
        for (const name of pair) {
          console.error(`start-up round ${round + 1}/${rounds} ${name} dump: ${source}`);
          await startup(name, source);
        }
      }
    }
  }
} finally {
  await lab.cleanup();
}

// ---------------------------------------------------------------- report

const out = await reportHead(
  `Persistence: redeno vs Redis ${redisVersion}`,
  redisVersion,
  ` (kernel ${Deno.osRelease()}); temp data dirs on ${fs}`,
);
out.push(
  `- ${count(keys)} keys (\`key:<12 digits>\` -> \`value:<i>\`, loaded with redis-cli --pipe); ` +
    `median of ${rounds} alternating round(s) unless per round; ` +
    `redeno run as \`${REDENO_COMMAND}\`; run took ${
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

out.push(...lab.notesMarkdown());

emitReport(out.join("\n") + "\n", values.out);
// Redis is the reference: if its half failed, the script (or the machine) is broken.
if (lab.redisFailed) Deno.exit(1);
