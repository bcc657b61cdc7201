/**
 * The eviction benchmark (issue 14): a cache workload over 10x more keys than
 * fit in maxmemory. Each connection draws keys from a Zipf distribution
 * (s = 1), GETs them, and SETs the ones that missed, as a cache in front of a
 * slower store would. Measured: the hit rate (hits / GETs) and operations per
 * second (GETs + SETs), under allkeys-lru and allkeys-lfu, on redeno and
 * redis-server with the same maxmemory and the same key sequence.
 *
 * The key count is set from Redis: keys are written until Redis starts to
 * evict; the universe is 10x that many.
 *
 *   deno run -A scripts/eviction_bench.ts [--maxmemory 16mb] [--ops N] [--rounds N]
 *
 * `deno task bench --only eviction` runs it as a section of the bench report.
 */
import { prng } from "../tests/support/prng.ts";
import {
  call,
  info,
  Lab,
  NAMES,
  parseBenchArgs,
  PERSISTENCE_OFF,
  type Server,
  type ServerName,
  serverRss,
} from "./support.ts";

/** Bytes of every value (a cache entry of modest size). */
export const VALUE_SIZE = 100;
/** Connections, and GETs each keeps in flight per round trip. */
export const CONNECTIONS = 8;
export const BATCH = 16;
export const POLICIES = ["allkeys-lru", "allkeys-lfu"] as const;

/** One run's figures. */
export interface EvictionResult {
  policy: string;
  gets: number;
  hits: number;
  sets: number;
  ops: number;
  seconds: number;
  opsPerSec: number;
  hitRate: number;
  evicted: number;
  rss: number;
  oomErrors: number;
}

/** Zipf(s) over ranks 0..n-1 by inverse CDF (binary search in a table). */
export class Zipf {
  readonly #cdf: Float64Array;
  /** Rank -> key id, so that popular keys are spread over the key names. */
  readonly #perm: Uint32Array;

  constructor(readonly n: number, s = 1, seed = 7) {
    const cdf = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
    for (let i = 0; i < n; i++) cdf[i] /= sum;
    this.#cdf = cdf;
    const perm = new Uint32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    const r = prng(seed);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    this.#perm = perm;
  }

  /** A key id for the uniform draw `u` in [0, 1). */
  draw(u: number): number {
    const cdf = this.#cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return this.#perm[lo];
  }
}

const enc = new TextEncoder();
const VALUE = "v".repeat(VALUE_SIZE);

/** A raw connection that sends batches and reads bulk / nil / status / error replies. */
export class Conn {
  #buf = new Uint8Array(1 << 16);
  #len = 0;
  #pos = 0;
  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<Conn> {
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    c.setNoDelay(true);
    return new Conn(c);
  }

  async send(text: string): Promise<void> {
    const bytes = enc.encode(text);
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  async #fill(): Promise<void> {
    if (this.#pos > 0) {
      this.#buf.copyWithin(0, this.#pos, this.#len);
      this.#len -= this.#pos;
      this.#pos = 0;
    }
    if (this.#len === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#len));
    if (n === null) throw new Error("connection closed");
    this.#len += n;
  }

  /** The end of the line starting at `from`, or -1. */
  #lineEnd(from: number): number {
    for (let i = from; i + 1 < this.#len; i++) {
      if (this.#buf[i] === 13 && this.#buf[i + 1] === 10) return i;
    }
    return -1;
  }

  /**
   * Reads one reply: 1 for a bulk string (hit), 0 for a nil (miss) or a
   * simple string, -1 for an error.
   */
  async reply(): Promise<number> {
    for (;;) {
      const end = this.#lineEnd(this.#pos);
      if (end >= 0) {
        const type = this.#buf[this.#pos];
        if (type === 0x24) { // $
          let n = 0;
          let neg = false;
          for (let i = this.#pos + 1; i < end; i++) {
            if (this.#buf[i] === 0x2d) neg = true;
            else n = n * 10 + this.#buf[i] - 48;
          }
          if (neg) {
            this.#pos = end + 2;
            return 0;
          }
          if (end + 2 + n + 2 <= this.#len) {
            this.#pos = end + 2 + n + 2;
            return 1;
          }
        } else {
          this.#pos = end + 2;
          return type === 0x2d ? -1 : 0;
        }
      }
      await this.#fill();
    }
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }
}

interface Counters {
  gets: number;
  hits: number;
  sets: number;
  oom: number;
}

/** One connection's loop: `ops` GETs in batches, the misses SET right after each batch. */
async function worker(
  c: Conn,
  zipf: Zipf,
  seed: number,
  gets: number,
  n: Counters,
): Promise<void> {
  const r = prng(seed);
  const ids = new Array<number>(BATCH);
  for (let done = 0; done < gets; done += BATCH) {
    const b = Math.min(BATCH, gets - done);
    let text = "";
    for (let i = 0; i < b; i++) {
      const id = zipf.draw(r());
      ids[i] = id;
      const key = `key:${id}`;
      text += `*2\r\n$3\r\nGET\r\n$${key.length}\r\n${key}\r\n`;
    }
    await c.send(text);
    let sets = "";
    let nsets = 0;
    for (let i = 0; i < b; i++) {
      const hit = await c.reply();
      n.gets++;
      if (hit === 1) {
        n.hits++;
      } else {
        const key = `key:${ids[i]}`;
        sets += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE_SIZE}\r\n${VALUE}\r\n`;
        nsets++;
      }
    }
    if (nsets === 0) continue;
    await c.send(sets);
    for (let i = 0; i < nsets; i++) {
      if (await c.reply() === -1) n.oom++;
      n.sets++;
    }
  }
}

/** Runs `gets` GETs (plus the SETs of misses) over CONNECTIONS connections. */
async function load(
  port: number,
  zipf: Zipf,
  seed: number,
  gets: number,
): Promise<Counters & { seconds: number }> {
  const conns = await Promise.all(Array.from({ length: CONNECTIONS }, () => Conn.open(port)));
  const n: Counters = { gets: 0, hits: 0, sets: 0, oom: 0 };
  const start = performance.now();
  try {
    await Promise.all(
      conns.map((c, i) => worker(c, zipf, seed * 1000 + i, Math.ceil(gets / CONNECTIONS), n)),
    );
  } finally {
    for (const c of conns) c.close();
  }
  return { ...n, seconds: (performance.now() - start) / 1000 };
}

/**
 * Keys that fit in `maxmemory` on `s` (written in order until eviction starts),
 * for sizing the universe; the server is flushed afterwards.
 */
export async function keysThatFit(s: Server, maxmemory: string): Promise<number> {
  await call(s.port, "FLUSHALL");
  await call(s.port, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  await call(s.port, "CONFIG", "SET", "maxmemory", maxmemory);
  const c = await Conn.open(s.port);
  try {
    for (let base = 0;; base += 1000) {
      let text = "";
      for (let i = base; i < base + 1000; i++) {
        const key = `key:${i}`;
        text += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${VALUE_SIZE}\r\n${VALUE}\r\n`;
      }
      await c.send(text);
      for (let i = 0; i < 1000; i++) await c.reply();
      const evicted = Number((await info(s.port, "stats")).get("evicted_keys"));
      if (evicted > 0) return Number(await call(s.port, "DBSIZE"));
    }
  } finally {
    c.close();
    await call(s.port, "FLUSHALL");
  }
}

/**
 * One measured run on `s`: flush, set the policy and maxmemory, warm the
 * cache with `warmup` GETs, then measure `ops` GETs.
 */
export async function measureEviction(
  s: Server,
  policy: string,
  maxmemory: string,
  zipf: Zipf,
  warmup: number,
  ops: number,
): Promise<EvictionResult> {
  await call(s.port, "FLUSHALL");
  await call(s.port, "CONFIG", "SET", "maxmemory-policy", policy);
  await call(s.port, "CONFIG", "SET", "maxmemory", maxmemory);
  await load(s.port, zipf, 1, warmup);
  const before = Number((await info(s.port, "stats")).get("evicted_keys"));
  const n = await load(s.port, zipf, 2, ops);
  const after = Number((await info(s.port, "stats")).get("evicted_keys"));
  const total = n.gets + n.sets;
  return {
    policy,
    gets: n.gets,
    hits: n.hits,
    sets: n.sets,
    ops: total,
    seconds: n.seconds,
    opsPerSec: total / n.seconds,
    hitRate: n.hits / n.gets,
    evicted: after - before,
    rss: serverRss(s),
    oomErrors: n.oom,
  };
}

/** Runs the whole comparison; results by server and policy (one per round). */
export async function evictionComparison(
  lab: Lab,
  opts: { maxmemory: string; ops: number; rounds: number },
): Promise<{ keys: number; fit: number; results: Record<ServerName, EvictionResult[]> }> {
  const results: Record<ServerName, EvictionResult[]> = { redeno: [], redis: [] };
  const servers: Server[] = [];
  try {
    for (const name of NAMES) {
      servers.push(await lab.launch(name, lab.tempDir(`eviction-${name}`), PERSISTENCE_OFF));
    }
    const redis = servers.find((s) => s.name === "redis")!;
    const fit = await keysThatFit(redis, opts.maxmemory);
    const keys = fit * 10;
    console.error(`eviction: ${fit} keys fit in ${opts.maxmemory} on Redis; universe ${keys}`);
    const zipf = new Zipf(keys, 1);
    for (let round = 0; round < opts.rounds; round++) {
      for (const policy of POLICIES) {
        // Alternate which server goes first.
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const r = await measureEviction(s, policy, opts.maxmemory, zipf, opts.ops, opts.ops);
          console.error(
            `  ${s.name} ${policy}: hit rate ${(r.hitRate * 100).toFixed(1)}%, ` +
              `${Math.round(r.opsPerSec)} ops/s, evicted ${r.evicted}, OOM ${r.oomErrors}`,
          );
          results[s.name].push(r);
        }
      }
    }
    return { keys, fit, results };
  } finally {
    for (const s of servers) {
      await lab.halt(s);
      lab.removeDir(s.dir);
    }
  }
}

/** The median of `xs`. */
function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The Markdown table and target lines of a comparison. */
export function evictionReport(
  r: { keys: number; fit: number; results: Record<ServerName, EvictionResult[]> },
  maxmemory: string,
): { lines: string[]; hitOk: boolean; speedOk: boolean; worstHit: number; worstSpeed: number } {
  const lines = [
    `maxmemory ${maxmemory} on both; ${r.fit.toLocaleString("en-US")} keys of ${VALUE_SIZE}-byte ` +
    `values fit on Redis; the key universe is ${r.keys.toLocaleString("en-US")} (10x). ` +
    `${CONNECTIONS} connections, each ${BATCH} GETs per round trip then a SET of each miss ` +
    "(pipelined); Zipf s=1 over the universe, the same seeded sequence on both servers; " +
    "a warm-up of as many GETs first. ops/s counts GETs and SETs.",
    "",
    "| Policy | redeno hit rate | Redis hit rate | difference (points) | redeno ops/s | " +
    "Redis ops/s | redeno/Redis | redeno RSS | Redis RSS |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  let worstHit = 0;
  let worstSpeed = Infinity;
  for (const policy of POLICIES) {
    const of = (name: ServerName, f: (x: EvictionResult) => number) =>
      med(r.results[name].filter((x) => x.policy === policy).map(f));
    const hitA = of("redeno", (x) => x.hitRate);
    const hitB = of("redis", (x) => x.hitRate);
    const opsA = of("redeno", (x) => x.opsPerSec);
    const opsB = of("redis", (x) => x.opsPerSec);
    const diff = (hitB - hitA) * 100;
    worstHit = Math.max(worstHit, diff);
    worstSpeed = Math.min(worstSpeed, opsA / opsB);
    lines.push(
      `| ${policy} | ${(hitA * 100).toFixed(1)}% | ${(hitB * 100).toFixed(1)}% | ${
        (-diff).toFixed(1)
      } | ${Math.round(opsA)} | ${Math.round(opsB)} | ${(opsA / opsB).toFixed(2)}x | ${
        (of("redeno", (x) => x.rss) / 1048576).toFixed(1)
      } MB | ${(of("redis", (x) => x.rss) / 1048576).toFixed(1)} MB |`,
    );
  }
  return {
    lines,
    hitOk: worstHit <= 5,
    speedOk: worstSpeed >= 0.8,
    worstHit,
    worstSpeed,
  };
}

if (import.meta.main) {
  const values = parseBenchArgs(
    "deno run -A scripts/eviction_bench.ts [--maxmemory 16mb] [--ops N] [--rounds N]",
    {
      maxmemory: { type: "string", default: "16mb" },
      ops: { type: "string", default: "300000" },
      rounds: { type: "string", default: "1" },
    },
  );
  const lab = new Lab("eviction");
  try {
    const r = await evictionComparison(lab, {
      maxmemory: values.maxmemory,
      ops: Number(values.ops),
      rounds: Number(values.rounds),
    });
    const rep = evictionReport(r, values.maxmemory);
    console.log(rep.lines.join("\n"));
    console.log(
      `\nhit rate within 5 points of Redis's: ${rep.hitOk ? "met" : "not met"} ` +
        `(worst ${rep.worstHit.toFixed(1)} points below); throughput ≥ 0.8x Redis: ${
          rep.speedOk ? "met" : "not met"
        } (worst ${rep.worstSpeed.toFixed(2)}x)`,
    );
  } finally {
    await lab.cleanup();
  }
}
