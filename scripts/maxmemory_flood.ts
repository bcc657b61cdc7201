/**
 * A write flood at maxmemory (issue 14): several connections SET new keys of
 * ~1 KB values as fast as the server takes them (pipelined), under an
 * evicting policy, for a few minutes. Measured: the server's RSS over time
 * against the bound 1.5 x maxmemory + the idle server's RSS, the longest
 * event-loop stall seen by a PING probe on its own connection every 10 ms
 * (max and p99 latency), writes/s and evicted keys; the server must still
 * answer at the end.
 *
 *   deno run -A scripts/maxmemory_flood.ts [--seconds 180] [--clients 8] [--maxmemory 100mb]
 *       [--value 1024] [--pipeline 16] [--policy allkeys-lru] [--redis]
 *
 * --redis runs the same flood on redis-server afterwards, for comparison;
 * --v8-flags adds V8 flags to redeno's (to try heap settings).
 */
import { Conn } from "./eviction_bench.ts";
import {
  call,
  info,
  Lab,
  parseBenchArgs,
  PERSISTENCE_OFF,
  requirePositiveIntegers,
  type Server,
  SERVER_V8_FLAGS,
  type ServerName,
  serverRss,
  spawnServer,
  stopServer,
  waitForPong,
} from "./support.ts";
import { parseMemory } from "../lib/config.ts";

const values = parseBenchArgs(
  "deno run -A scripts/maxmemory_flood.ts [--seconds 180] [--clients 8] [--maxmemory 100mb]\n" +
    "    [--value 1024] [--pipeline 16] [--policy allkeys-lru] [--redis] [--v8-flags a,b]",
  {
    seconds: { type: "string", default: "180" },
    clients: { type: "string", default: "8" },
    maxmemory: { type: "string", default: "100mb" },
    value: { type: "string", default: "1024" },
    pipeline: { type: "string", default: "16" },
    policy: { type: "string", default: "allkeys-lru" },
    redis: { type: "boolean", default: false },
    "v8-flags": { type: "string", default: "" },
  },
);
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const valueSize = Number(values.value);
const pipeline = Number(values.pipeline);
requirePositiveIntegers({ seconds, clients, value: valueSize, pipeline });
const maxmemory = Number(parseMemory(values.maxmemory));
const VALUE = "x".repeat(valueSize);

interface FloodResult {
  name: ServerName;
  idleRss: number;
  maxRss: number;
  /** [seconds since start, RSS] every second. */
  rss: [number, number][];
  pings: number;
  pingMax: number;
  pingP99: number;
  writes: number;
  oom: number;
  evicted: number;
  usedMemory: number;
  /** INFO allocator_allocated / allocator_active at the end (redeno: V8 heapUsed / heapTotal). */
  allocated: number;
  active: number;
  alive: boolean;
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function writer(port: number, id: number, until: number, n: { writes: number; oom: number }) {
  const c = await Conn.open(port);
  try {
    let seq = 0;
    while (performance.now() < until) {
      let text = "";
      for (let i = 0; i < pipeline; i++) {
        const key = `flood:${id}:${seq++}`;
        text += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${valueSize}\r\n${VALUE}\r\n`;
      }
      await c.send(text);
      for (let i = 0; i < pipeline; i++) {
        if (await c.reply() === -1) n.oom++;
        n.writes++;
      }
    }
  } finally {
    c.close();
  }
}

/** PING every 10 ms on its own connection; latencies in ms. */
async function probe(port: number, until: number, out: number[]): Promise<void> {
  const c = await Conn.open(port);
  try {
    while (performance.now() < until) {
      const t = performance.now();
      await c.send("*1\r\n$4\r\nPING\r\n");
      await c.reply();
      const dt = performance.now() - t;
      out.push(dt);
      if (dt < 10) await sleep(10 - dt);
    }
  } finally {
    c.close();
  }
}

async function flood(lab: Lab, name: ServerName): Promise<FloodResult> {
  const args = [
    ...PERSISTENCE_OFF,
    "--maxmemory",
    values.maxmemory,
    "--maxmemory-policy",
    values.policy,
  ];
  const dir = lab.tempDir(`flood-${name}`);
  const extra = values["v8-flags"];
  let s: Server;
  if (name === "redeno" && extra !== "") {
    s = spawnServer(name, dir, [...args, "--loglevel", "warning"], [
      `--v8-flags=${
        [...SERVER_V8_FLAGS.flatMap((f) => f.replace(/^--v8-flags=/, "").split(",")), extra].join(
          ",",
        )
      }`,
    ]);
    await waitForPong(s);
  } else {
    s = await lab.launch(name, dir, args);
  }
  const r: FloodResult = {
    name,
    idleRss: 0,
    maxRss: 0,
    rss: [],
    pings: 0,
    pingMax: 0,
    pingP99: 0,
    writes: 0,
    oom: 0,
    evicted: 0,
    usedMemory: 0,
    allocated: 0,
    active: 0,
    alive: false,
    error: null,
  };
  try {
    await sleep(1000);
    r.idleRss = serverRss(s);
    const start = performance.now();
    const until = start + seconds * 1000;
    const n = { writes: 0, oom: 0 };
    const pings: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(1000);
        if (s.exited) break;
        const rss = serverRss(s);
        const t = Math.round((performance.now() - start) / 1000);
        r.rss.push([t, rss]);
        if (rss > r.maxRss) r.maxRss = rss;
        if (t % 10 === 0) {
          console.error(
            `  ${name} ${t}s: RSS ${(rss / 1048576).toFixed(1)} MB, ${n.writes} writes, ` +
              `max PING ${Math.max(0, ...pings).toFixed(1)} ms`,
          );
        }
      }
    })();
    try {
      await Promise.all([
        ...Array.from({ length: clients }, (_, i) => writer(s.port, i, until, n)),
        probe(s.port, until, pings),
      ]);
    } finally {
      sampling = false;
      await sampler;
    }
    r.writes = n.writes;
    r.oom = n.oom;
    pings.sort((a, b) => a - b);
    r.pings = pings.length;
    r.pingMax = pings[pings.length - 1] ?? NaN;
    r.pingP99 = pings[Math.floor(pings.length * 0.99)] ?? NaN;
    const stats = await info(s.port, "stats");
    r.evicted = Number(stats.get("evicted_keys"));
    const memory = await info(s.port, "memory");
    r.usedMemory = Number(memory.get("used_memory"));
    r.allocated = Number(memory.get("allocator_allocated"));
    r.active = Number(memory.get("allocator_active"));
    r.alive = (await call(s.port, "PING")) === "PONG" && !s.exited;
  } catch (e) {
    r.error = (e as Error).message;
    r.alive = !s.exited;
  } finally {
    await stopServer(s);
    await lab.halt(s);
    lab.removeDir(s.dir);
  }
  return r;
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

const lab = new Lab("flood");
const results: FloodResult[] = [];
try {
  results.push(await flood(lab, "redeno"));
  if (values.redis) results.push(await flood(lab, "redis"));
} finally {
  await lab.cleanup();
}

const out: string[] = [];
out.push(
  `Write flood: ${clients} connections, SET of new keys with ${valueSize}-byte values, ` +
    `${pipeline} per round trip, for ${seconds} s; maxmemory ${values.maxmemory}, ` +
    `${values.policy}; a PING probe every 10 ms on its own connection.`,
  "",
  "| Server | idle RSS | max RSS | bound (1.5 x maxmemory + idle) | within | writes/s | evicted | " +
    "OOM replies | PING max | PING p99 | used_memory at end | allocated / active at end | alive |",
  "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
);
for (const r of results) {
  const bound = 1.5 * maxmemory + r.idleRss;
  out.push(
    `| ${r.name} | ${mb(r.idleRss)} | ${mb(r.maxRss)} | ${mb(bound)} | ${
      r.maxRss <= bound ? "yes" : "NO"
    } | ${Math.round(r.writes / seconds)} | ${r.evicted} | ${r.oom} | ${
      r.pingMax.toFixed(1)
    } ms | ${r.pingP99.toFixed(1)} ms | ${mb(r.usedMemory)} | ${mb(r.allocated)} / ${
      mb(r.active)
    } | ${r.alive ? "yes" : "NO"}${r.error ? ` (${r.error})` : ""} |`,
  );
}
out.push("", "RSS over time (every 10 s):", "");
out.push(`| s | ${results.map((r) => r.name).join(" | ")} |`);
out.push(`|---:|${results.map(() => "---:").join("|")}|`);
for (let t = 10; t <= seconds; t += 10) {
  out.push(
    `| ${t} | ${
      results.map((r) => {
        const at = r.rss.find(([x]) => x >= t);
        return at ? mb(at[1]) : "n/a";
      }).join(" | ")
    } |`,
  );
}
console.log(out.join("\n"));
