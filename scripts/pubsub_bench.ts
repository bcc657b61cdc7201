/**
 * Pub/Sub measurements for `deno task bench --only pubsub` (issue 13):
 * message fan-out and the memory of idle subscribers, on a running server.
 *
 * Fan-out: `subscribers` raw TCP connections subscribe (SUBSCRIBE to one
 * channel, or PSUBSCRIBE each to its own pattern that matches it), then
 * redis-benchmark publishes pipelined 64-byte messages to the channel. Every
 * message frame a subscriber gets has a fixed size, so a subscriber only
 * counts bytes (no parsing: the reader stays cheaper than the server) and
 * a phase ends when each has all its frames' worth; the last frame's bytes
 * are checked. A warm-up phase on the same subscribers comes first, then
 * the measured one: deliveries/s = delivered frames / (last byte - first
 * byte).
 * The server's CPU share over the run says who was the bottleneck: near
 * 100% for a single-threaded server means the harness kept up.
 *
 * Idle subscribers: RSS (VmRSS) and used_memory before, after `count`
 * connections each SUBSCRIBE to a channel of its own, and again after the
 * server's client cron had time to shrink idle buffers.
 */
import { info, runRedisBenchmark, type Server, serverRss } from "./support.ts";

/** The channel every fan-out message is published to. */
export const CHANNEL = "bench:channel";
/** The 64-byte message. */
export const MESSAGE = "m".repeat(64);

/** The i-th subscriber's pattern (fan-out with patterns): distinct, same length, matches CHANNEL. */
export const patternOf = (i: number) => `bench:ch[a${String(i % 100).padStart(2, "0")}]nnel`;

const enc = new TextEncoder();

/** RESP2 of a command (the harness's own requests). */
function command(...args: string[]): Uint8Array {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return enc.encode(s);
}

/** RESP2 of a push/reply array of bulk strings, then an optional integer. */
function frame(parts: string[], int?: number): Uint8Array {
  let s = `*${parts.length + (int === undefined ? 0 : 1)}\r\n`;
  for (const p of parts) s += `$${p.length}\r\n${p}\r\n`;
  if (int !== undefined) s += `:${int}\r\n`;
  return enc.encode(s);
}

/** Reads exactly `want` bytes (a confirmation); throws if they differ or the peer leaves. */
async function expectBytes(conn: Deno.Conn, want: Uint8Array): Promise<void> {
  const got = new Uint8Array(want.length);
  let off = 0;
  while (off < want.length) {
    const n = await conn.read(got.subarray(off));
    if (n === null) throw new Error("connection closed while subscribing");
    off += n;
  }
  if (!got.every((b, i) => b === want[i])) {
    throw new Error(`unexpected reply while subscribing: ${JSON.stringify(dec(got))}`);
  }
}

const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** CPU seconds (user + system, all threads) the process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name (which may contain spaces) start at ")".
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based), in clock ticks (USER_HZ 100 on Linux).
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** One fan-out case. */
export interface FanoutCase {
  label: string;
  subscribers: number;
  /** PSUBSCRIBE patternOf(i) instead of SUBSCRIBE CHANNEL. */
  patterns: boolean;
}

/** The cases issue 13 asks for. */
export const FANOUT_CASES: readonly FanoutCase[] = [
  { label: "1 subscriber", subscribers: 1, patterns: false },
  { label: "100 subscribers", subscribers: 100, patterns: false },
  { label: "1,000 subscribers", subscribers: 1000, patterns: false },
  { label: "100 pattern subscribers", subscribers: 100, patterns: true },
];

/** What one fan-out run measured. */
export interface FanoutResult {
  /** Messages delivered per second, all subscribers together. */
  deliveries: number;
  /** PUBLISH calls per second (deliveries / subscribers). */
  publishes: number;
  /** The server's CPU time over the run's wall time (1 = one core busy). */
  serverCpu: number;
  /** The harness's own CPU time over the run's wall time. */
  harnessCpu: number;
}

/** Options of a fan-out run. */
export interface FanoutOptions {
  /** PUBLISH calls measured (rounded up to a multiple of publishers x pipeline). */
  messages: number;
  /** PUBLISH calls before, to the same subscribers, not measured (0: none). */
  warmup: number;
  /** redis-benchmark -c (publishing connections). */
  publishers: number;
  /** redis-benchmark -P (PUBLISH calls in flight per connection). */
  pipeline: number;
  /** Kills the run after this long. */
  timeoutMs: number;
}

/** Connects `n` subscribers, `batch` at a time; each sends `request(i)` and reads `confirm(i)`. */
async function connectMany(
  port: number,
  n: number,
  request: (i: number) => Uint8Array,
  confirm: (i: number) => Uint8Array,
  batch = 250,
): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  try {
    for (let from = 0; from < n; from += batch) {
      await Promise.all(
        Array.from({ length: Math.min(batch, n - from) }, async (_, k) => {
          const i = from + k;
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          conns.push(conn);
          await conn.write(request(i));
          await expectBytes(conn, confirm(i));
        }),
      );
    }
  } catch (e) {
    closeAll(conns);
    throw e;
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const c of conns) {
    try {
      c.close();
    } catch {
      // already closed
    }
  }
}

/**
 * One fan-out run on `s`: subscribes, then publishes `warmup` messages and
 * then `messages` with redis-benchmark, each time waiting until every
 * subscriber has every message; only the second phase is measured (the
 * subscribers are long-lived, as real ones are, not connected per message).
 */
export async function measureFanout(
  s: Server,
  c: FanoutCase,
  o: FanoutOptions,
): Promise<FanoutResult> {
  const frames = Array.from(
    { length: c.patterns ? c.subscribers : 1 },
    (_, i) =>
      c.patterns
        ? frame(["pmessage", patternOf(i), CHANNEL, MESSAGE])
        : frame(["message", CHANNEL, MESSAGE]),
  );
  const conns = await connectMany(
    s.port,
    c.subscribers,
    (i) => c.patterns ? command("PSUBSCRIBE", patternOf(i)) : command("SUBSCRIBE", CHANNEL),
    (i) => c.patterns ? frame(["psubscribe", patternOf(i)], 1) : frame(["subscribe", CHANNEL], 1),
  );
  try {
    if (o.warmup > 0) await publishPhase(s, conns, (i) => frames[c.patterns ? i : 0], o.warmup, o);
    return await publishPhase(s, conns, (i) => frames[c.patterns ? i : 0], o.messages, o);
  } finally {
    closeAll(conns);
  }
}

/** Publishes `count` messages; resolves once every subscriber has read all of them. */
async function publishPhase(
  s: Server,
  conns: Deno.Conn[],
  frameOf: (i: number) => Uint8Array,
  count: number,
  o: FanoutOptions,
): Promise<FanoutResult> {
  // redis-benchmark sends whole pipelines per connection: a multiple of both is sent exactly.
  const batch = o.publishers * o.pipeline;
  const messages = Math.ceil(count / batch) * batch;
  let first = 0;
  let last = 0;
  let delivered = 0;
  let cpu0 = 0;
  let self0 = 0;
  const pid = s.child.pid;
  const readers = conns.map(async (conn, i) => {
    const f = frameOf(i);
    const want = f.length * messages;
    const buf = new Uint8Array(64 * 1024);
    let got = 0;
    let n: number | null = 0;
    while (got < want) {
      // Never past this phase's bytes: the next phase's reads start on a frame boundary.
      n = await conn.read(want - got < buf.length ? buf.subarray(0, want - got) : buf);
      if (n === null) throw new Error(`subscriber ${i} was disconnected after ${got} bytes`);
      if (got === 0 && first === 0) {
        first = performance.now();
        cpu0 = cpuSeconds(pid);
        self0 = cpuSeconds(Deno.pid);
      }
      got += n;
    }
    // The stream must end with a whole, correct frame.
    if (n! >= f.length && !f.every((b, k) => b === buf[n! - f.length + k])) {
      throw new Error(`subscriber ${i}: the last frame is not ${JSON.stringify(dec(f))}`);
    }
    delivered += messages;
    last = performance.now();
  });
  const all = Promise.all(readers);
  all.catch(() => {});
  try {
    const bench = await runRedisBenchmark(s, [
      "-c",
      String(o.publishers),
      "-P",
      String(o.pipeline),
      "-n",
      String(messages),
      "--csv",
      "PUBLISH",
      CHANNEL,
      MESSAGE,
    ], o.timeoutMs);
    if (bench.rows.size === 0) {
      throw new Error(`redis-benchmark failed: ${bench.stderr.trim().slice(0, 200)}`);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      all,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${delivered} of ${messages * conns.length} deliveries in time`)),
          o.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (e) {
    // Readers still waiting end with the connections.
    closeAll(conns);
    await Promise.allSettled(readers);
    throw e;
  }
  const wall = (last - first) / 1000;
  const deliveries = delivered / wall;
  return {
    deliveries,
    publishes: deliveries / conns.length,
    serverCpu: (cpuSeconds(pid) - cpu0) / wall,
    harnessCpu: (cpuSeconds(Deno.pid) - self0) / wall,
  };
}

/** Memory of one server with idle subscribers. */
export interface IdleMemory {
  /** RSS (bytes) before any subscriber, after connecting them all, after `settleMs` idle. */
  rssBefore: number;
  rssConnected: number;
  rssSettled: number;
  /** INFO used_memory at the same points. */
  usedBefore: number;
  usedSettled: number;
}

/**
 * Opens `count` connections in batches, each SUBSCRIBEs to a channel of its
 * own, and reads the server's memory before, right after, and after
 * `settleMs` of idleness.
 */
export async function measureIdleSubscribers(
  s: Server,
  count: number,
  settleMs: number,
): Promise<IdleMemory> {
  const used = async () => Number((await info(s.port, "memory")).get("used_memory"));
  const channel = (i: number) => `idle:channel:${i}`;
  await sleep(1000);
  const rssBefore = serverRss(s);
  const usedBefore = await used();
  const conns = await connectMany(
    s.port,
    count,
    (i) => command("SUBSCRIBE", channel(i)),
    (i) => frame(["subscribe", channel(i)], 1),
    500,
  );
  try {
    const rssConnected = serverRss(s);
    await sleep(settleMs);
    const rssSettled = serverRss(s);
    const usedSettled = await used();
    return { rssBefore, rssConnected, rssSettled, usedBefore, usedSettled };
  } finally {
    closeAll(conns);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
