/**
 * `deno task bench:streams`: what each layer of the connection read path
 * costs. Small PING servers run inside this process, each reading its
 * socket a different way but parsing with redeno's real RESP parser, and
 * redis-benchmark (PING, 50 clients, unpipelined and -P 16) runs against
 * each, and against full redeno and redis-server for reference. Rounds
 * alternate the order so machine noise spreads over all of them.
 *
 *   deno task bench:streams [--requests 200000] [--rounds 3] [--quick] [--out file.md]
 */
import { RespDecoderStream, RespParser } from "../lib/resp/decoder.ts";
import {
  alternate,
  emitReport,
  fmtMs,
  fmtRps,
  freePort,
  median,
  parseBenchArgs,
  redisVersion,
  reportHead,
  requirePositiveIntegers,
  requireTools,
  runRedisBenchmark,
  type Server,
  startServer,
  stopServer,
} from "./support.ts";

const values = parseBenchArgs(
  "deno task bench:streams [--requests N] [--rounds N] [--quick] [--out file.md]",
  {
    requests: { type: "string", default: "200000" },
    rounds: { type: "string", default: "3" },
  },
);
const requests = values.quick ? 50_000 : Number(values.requests);
const rounds = values.quick ? 1 : Number(values.rounds);
requirePositiveIntegers({ requests, rounds });
requireTools("deno task bench:streams", ["redis-benchmark", "redis-server"]);

const LIMITS = {
  maxBulkLen: () => 512 * 1024 * 1024,
  maxQueryBuffer: () => 1024 * 1024 * 1024,
  authRequired: () => false,
};
const PONG = new TextEncoder().encode("+PONG\r\n");
const READ_SIZE = 64 * 1024;

/** One +PONG per parsed command, in one write (as redeno replies to a batch). */
function pongs(n: number): Uint8Array {
  const out = new Uint8Array(PONG.length * n);
  for (let i = 0; i < n; i++) out.set(PONG, i * PONG.length);
  return out;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/** A read path: how a connection's chunks reach the parser. */
interface Variant {
  name: string;
  what: string;
  serve(conn: Deno.Conn): Promise<void>;
}

/**
 * A pull ReadableStream over `conn.read`: one buffer reused for every read
 * and a copy of what was read enqueued, or (`fresh`) a new 64KB buffer per
 * read.
 */
function pullSource(conn: Deno.Conn, fresh = false): ReadableStream<Uint8Array> {
  const shared = new Uint8Array(READ_SIZE);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = fresh ? new Uint8Array(READ_SIZE) : shared;
      const n = await conn.read(buf).catch(() => null);
      if (n === null) controller.close();
      else controller.enqueue(fresh ? buf.subarray(0, n) : buf.slice(0, n));
    },
  }, { highWaterMark: 0 });
}

/** The codec driven by hand: each chunk written to its writable, its batch read. */
async function serveDriven(conn: Deno.Conn): Promise<void> {
  const codec = new RespDecoderStream(LIMITS);
  const writer = codec.writable.getWriter();
  const reader = codec.readable.getReader();
  const buf = new Uint8Array(READ_SIZE);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return;
    writer.write(buf.slice(0, n)).catch(() => {});
    const { value, done } = await reader.read();
    if (done) return;
    if (value.commands.length) await writeAll(conn, pongs(value.commands.length));
  }
}

async function* readChunks(conn: Deno.Conn): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(READ_SIZE);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) return;
    yield buf.subarray(0, n);
  }
}

/** Chunks from any reader through the parser, replies written per chunk. */
async function serveChunks(conn: Deno.Conn, chunks: AsyncIterable<Uint8Array>): Promise<void> {
  const parser = new RespParser(LIMITS);
  for await (const chunk of chunks) {
    const batch = parser.feed(chunk);
    if (batch.commands.length) await writeAll(conn, pongs(batch.commands.length));
  }
}

/** Batches from a RespDecoderStream reader, replies written per batch. */
async function serveBatches(
  conn: Deno.Conn,
  source: ReadableStream<Uint8Array>,
): Promise<void> {
  const reader = source.pipeThrough(new RespDecoderStream(LIMITS)).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    if (value.commands.length) await writeAll(conn, pongs(value.commands.length));
  }
}

const VARIANTS: Variant[] = [
  {
    name: "raw loop",
    what: "`await conn.read(buf)` in a loop, RespParser.feed",
    async serve(conn) {
      const parser = new RespParser(LIMITS);
      const buf = new Uint8Array(READ_SIZE);
      for (;;) {
        const n = await conn.read(buf).catch(() => null);
        if (n === null) return;
        const batch = parser.feed(buf.subarray(0, n));
        if (batch.commands.length) await writeAll(conn, pongs(batch.commands.length));
      }
    },
  },
  {
    name: "async generator",
    what: "an async generator over `conn.read`, RespParser.feed",
    serve: (conn) => serveChunks(conn, readChunks(conn)),
  },
  {
    name: "pull ReadableStream",
    what: "a pull `ReadableStream` over `conn.read` (one reused buffer, a copy enqueued)",
    serve: (conn) => serveChunks(conn, pullSource(conn)),
  },
  {
    name: "pull ReadableStream, fresh buffers",
    what: "the same, but a new 64KB buffer for every read",
    serve: (conn) => serveChunks(conn, pullSource(conn, true)),
  },
  {
    name: "conn.readable",
    what: "Deno's own `conn.readable`, RespParser.feed",
    serve: (conn) => serveChunks(conn, conn.readable),
  },
  {
    name: "pull stream + RespDecoderStream",
    what: "the reused-buffer pull stream piped through redeno's `RespDecoderStream`",
    serve: (conn) => serveBatches(conn, pullSource(conn)),
  },
  {
    name: "read loop + RespDecoderStream",
    what:
      "`conn.read` into one buffer, each chunk written to `RespDecoderStream`, its batch read (redeno's path)",
    serve: serveDriven,
  },
];

/** Serves `variant` on a free port until the listener is closed. */
function listen(variant: Variant): { port: number; close: () => void } {
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  (async () => {
    try {
      for await (const conn of listener) {
        conn.setNoDelay(true);
        variant.serve(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch {
            // already closed
          }
        });
      }
    } catch {
      // listener closed
    }
  })();
  return { port, close: () => listener.close() };
}

type Target = { name: string; what: string; port: number };

const PIPELINES = [1, 16];
const results = new Map<string, Map<number, number[]>>();
const latency = new Map<string, number[]>();

const listeners = VARIANTS.map((v) => ({ v, l: listen(v) }));
const dirs = [Deno.makeTempDirSync(), Deno.makeTempDirSync()];
const servers: Server[] = [];
try {
  servers.push(await startServer("redeno", dirs[0], ["--save", "", "--appendonly", "no"]));
  servers.push(await startServer("redis", dirs[1], ["--save", "", "--appendonly", "no"]));
  const targets: Target[] = [
    ...listeners.map(({ v, l }) => ({ name: v.name, what: v.what, port: l.port })),
    { name: "redeno", what: "the full server (`deno run main.ts`)", port: servers[0].port },
    { name: "Redis 7.0", what: "redis-server", port: servers[1].port },
  ];
  for (let round = 0; round < rounds; round++) {
    for (const t of alternate(targets, round)) {
      for (const p of PIPELINES) {
        const n = p === 1 ? requests : requests * 5;
        const { rows } = await runRedisBenchmark(
          { name: "redeno", port: t.port },
          ["-t", "ping_mbulk", "-n", String(n), "-c", "50", "-P", String(p), "--csv"],
          120_000,
        );
        const row = rows.get("PING_MBULK");
        const byP = results.get(t.name) ?? new Map<number, number[]>();
        results.set(t.name, byP);
        byP.set(p, [...(byP.get(p) ?? []), row?.rps ?? NaN]);
        if (p === 1) latency.set(t.name, [...(latency.get(t.name) ?? []), row?.p50 ?? NaN]);
        console.error(`round ${round + 1} ${t.name} -P ${p}: ${fmtRps(row?.rps ?? NaN)} req/s`);
      }
    }
  }
  const raw = median(results.get("raw loop")!.get(1)!);
  const rawP = median(results.get("raw loop")!.get(16)!);
  const head = await reportHead(
    "Connection read path: what each layer costs",
    await redisVersion(),
  );
  let report = head.join("\n") + "\n";
  report += `- redis-benchmark -t ping_mbulk -c 50, -n ${requests} unpipelined and ${
    requests * 5
  } with -P 16; median of ${rounds} alternating round(s)\n`;
  report += "\n| Read path | req/s | vs raw loop | p50 ms | req/s -P 16 | vs raw loop |\n";
  report += "|---|---:|---:|---:|---:|---:|\n";
  for (const t of targets) {
    const r = median(results.get(t.name)!.get(1)!);
    const r16 = median(results.get(t.name)!.get(16)!);
    report += `| ${t.name}: ${t.what} | ${fmtRps(r)} | ${Math.round((r / raw) * 100)}% | ${
      fmtMs(median(latency.get(t.name)!))
    } | ${fmtRps(r16)} | ${Math.round((r16 / rawP) * 100)}% |\n`;
  }
  emitReport(report, values.out);
} finally {
  for (const { l } of listeners) l.close();
  for (const s of servers) await stopServer(s);
  for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
}
Deno.exit(0);
