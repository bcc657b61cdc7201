/**
 * A slow consumer, measured: a publisher sends 64 KB messages to a channel
 * with one subscriber that reads everything and one that stopped reading,
 * until the server drops the stalled one (client-output-buffer-limit
 * pubsub); the publisher's rate with and without the stalled subscriber,
 * on redeno and redis-server side by side, with the ratios.
 *
 *   deno run -A scripts/slow_subscriber.ts [--messages N] [--size BYTES] [--limit "pubsub ..."]
 *
 * `slowSubscriberRun` is the scenario itself (tests/oracle/output_buffer_test.ts runs it).
 */
import { startRedeno, startRedis, type TestServer } from "../tests/support/servers.ts";
import { encodeCommand } from "../tests/support/resp_client.ts";

const enc = new TextEncoder();

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** Reads until `want` bytes arrived (or EOF); returns how many came. */
async function readBytes(conn: Deno.Conn, want: number, buf: Uint8Array): Promise<number> {
  let got = 0;
  while (got < want) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    got += n;
  }
  return got;
}

/** Reads one integer reply (":n\r\n") from `conn`. */
async function readInt(conn: Deno.Conn, buf: Uint8Array, pending: { s: string }): Promise<number> {
  for (;;) {
    const end = pending.s.indexOf("\r\n");
    if (end >= 0) {
      const line = pending.s.slice(0, end);
      pending.s = pending.s.slice(end + 2);
      if (line[0] !== ":") throw new Error(`unexpected reply ${line}`);
      return Number(line.slice(1));
    }
    const n = await conn.read(buf);
    if (n === null) throw new Error("publisher's connection closed");
    pending.s += new TextDecoder().decode(buf.subarray(0, n));
  }
}

/** What one run saw. */
export interface SlowSubscriberResult {
  /** Messages published (every one got its reply). */
  published: number;
  /** Bytes of one message frame as a subscriber receives it. */
  frameBytes: number;
  /** Messages published before PUBLISH counted one receiver fewer (0: never). */
  droppedAfter: number;
  /** Bytes the stalled subscriber received before EOF (it read them after the drop). */
  stalledBytes: number;
  /** Whether the stalled subscriber saw EOF. */
  stalledEof: boolean;
  /** Bytes the reading subscriber received (after its confirmation). */
  readerBytes: number;
  /** Publisher messages per second. */
  rate: number;
  /** Publisher messages per second while the stalled subscriber was still there (0: no drop). */
  rateStalled: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Message payload bytes. */
  size: number;
  /** Publish at most this many. */
  max: number;
  /** Stop once the stalled subscriber was dropped (and this many more were published). */
  stopAfterDrop?: number;
  /** Have a stalled subscriber at all (false: the baseline). */
  stalled: boolean;
  /** Milliseconds between messages (0: as fast as the replies come). */
  pauseMs?: number;
}

const CHANNEL = "slow";

/**
 * One run against the server on `port`: a reading subscriber, maybe a
 * stalled one (subscribed, then never read until the end), and a publisher
 * that sends one message at a time and reads each reply.
 */
export async function slowSubscriberRun(
  port: number,
  opts: RunOptions,
): Promise<SlowSubscriberResult> {
  const hostname = "127.0.0.1";
  const payload = "x".repeat(opts.size);
  const frameBytes = encodeCommand(["message", CHANNEL, payload]).length; // a message frame has a command's shape
  const confirm = enc.encode(`*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`);
  const buf = new Uint8Array(256 * 1024);
  const reader = await Deno.connect({ hostname, port });
  await writeAll(reader, encodeCommand(["SUBSCRIBE", CHANNEL]));
  await readBytes(reader, confirm.length, buf);
  let stalled: Deno.Conn | null = null;
  if (opts.stalled) {
    stalled = await Deno.connect({ hostname, port });
    await writeAll(stalled, encodeCommand(["SUBSCRIBE", CHANNEL]));
    // Exactly the confirmation; from here it reads nothing until the end.
    await readBytes(stalled, confirm.length, new Uint8Array(confirm.length));
  }
  const receivers = opts.stalled ? 2 : 1;
  // The reading subscriber reads all the time, counting bytes.
  let readerBytes = 0;
  let readerTarget = Infinity;
  let readerDone!: () => void;
  const readerFinished = new Promise<void>((r) => (readerDone = r));
  (async () => {
    const rbuf = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await reader.read(rbuf).catch(() => null);
      if (n === null) break;
      readerBytes += n;
      if (readerBytes >= readerTarget) break;
    }
    readerDone();
  })();
  const pub = await Deno.connect({ hostname, port });
  const msg = encodeCommand(["PUBLISH", CHANNEL, payload]);
  const pending = { s: "" };
  let published = 0;
  let droppedAfter = 0;
  let droppedAt = 0;
  const started = performance.now();
  while (published < opts.max) {
    await writeAll(pub, msg);
    const n = await readInt(pub, buf, pending);
    published++;
    if (n < receivers && droppedAfter === 0) {
      droppedAfter = published;
      droppedAt = performance.now();
    }
    if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
    if (droppedAfter !== 0 && published - droppedAfter >= (opts.stopAfterDrop ?? Infinity)) break;
  }
  const rate = published / ((performance.now() - started) / 1000);
  const rateStalled = droppedAfter === 0 ? 0 : droppedAfter / ((droppedAt - started) / 1000);
  readerTarget = published * frameBytes;
  if (readerBytes < readerTarget) {
    // Not a time limit on the result: a reader that misses messages would wait forever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([readerFinished, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
  let stalledBytes = 0;
  let stalledEof = false;
  if (stalled) {
    // Now it reads: what the kernel and the server still held, then EOF (or a quiet second).
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<"quiet">((r) => (timer = setTimeout(() => r("quiet"), 1000)));
      const n = await Promise.race([stalled.read(buf).catch(() => null), quiet]);
      clearTimeout(timer);
      if (n === "quiet") break;
      if (n === null) {
        stalledEof = true;
        break;
      }
      stalledBytes += n;
    }
    stalled.close();
  }
  reader.close();
  pub.close();
  return {
    published,
    frameBytes,
    droppedAfter,
    stalledBytes,
    stalledEof,
    readerBytes,
    rate,
    rateStalled,
  };
}

/** Resident set size of a process (bytes), from /proc. */
export function rssOf(pid: number): { rss: number; peak: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

async function main(): Promise<void> {
  const flags: Record<string, string> = { messages: "1500", size: "65536", limit: "" };
  for (let i = 0; i + 1 < Deno.args.length; i += 2) {
    flags[Deno.args[i].replace(/^--/, "")] = Deno.args[i + 1];
  }
  const size = Number(flags.size);
  const max = Number(flags.messages);
  const args = flags.limit ? ["--client-output-buffer-limit", flags.limit] : [];
  const rows: {
    name: string;
    base: number;
    slow: number;
    result: SlowSubscriberResult;
    rss: string;
  }[] = [];
  for (const [name, start] of [["redeno", startRedeno], ["redis", startRedis]] as const) {
    const server: TestServer | null = await start({ args });
    if (!server) continue;
    try {
      // A short run first: the rates compared are of a warmed-up server (JIT) on both sides.
      await slowSubscriberRun(server.port, { size, max: 300, stalled: false });
      const base = await slowSubscriberRun(server.port, { size, max, stalled: false });
      const before = rssOf(server.process.pid);
      const result = await slowSubscriberRun(server.port, { size, max, stalled: true });
      const after = rssOf(server.process.pid);
      rows.push({
        name,
        base: base.rate,
        slow: result.rateStalled,
        result,
        rss: `${(before.rss / 1048576).toFixed(0)} MB -> ${(after.rss / 1048576).toFixed(0)} MB ` +
          `(peak ${(after.peak / 1048576).toFixed(0)} MB)`,
      });
    } finally {
      await server.stop();
    }
  }
  const mb = (n: number) => (n / 1048576).toFixed(1);
  console.log(`${max} messages of ${size} bytes; limits: ${flags.limit || "defaults"}`);
  for (const r of rows) {
    const x = r.result;
    console.log(
      `${r.name.padEnd(7)} publish rate: ${r.base.toFixed(0)}/s alone, ${r.slow.toFixed(0)}/s ` +
        `while a subscriber stalled (${(r.slow / r.base).toFixed(2)}x), ${x.rate.toFixed(0)}/s ` +
        `over the whole run; dropped after ` +
        `${x.droppedAfter} (${mb(x.droppedAfter * x.frameBytes)} MB), it got ${
          mb(x.stalledBytes)
        } MB ` +
        `then ${x.stalledEof ? "EOF" : "no EOF"}; reader got ${
          x.readerBytes === x.published * x.frameBytes ? "every message" : "FEWER messages"
        }; RSS ${r.rss}`,
    );
  }
  if (rows.length === 2) {
    const [a, b] = rows;
    console.log(
      `redeno/redis: ${(a.base / b.base).toFixed(2)}x alone, ${(a.slow / b.slow).toFixed(2)}x ` +
        `with the stalled subscriber`,
    );
  }
}

if (import.meta.main) await main();
