/**
 * A load driver for what redis-benchmark cannot send: a sequence of several
 * commands as one operation (MULTI, 5 SETs, EXEC). Each of `clients`
 * connections runs operations back to back, one at a time: with `batch` false
 * every command waits for its reply before the next is sent (nothing
 * pipelined); with `batch` true an operation's commands go out in one write
 * and its replies are awaited together (as client libraries send a
 * transaction). Both servers are measured by this same driver, so its own
 * cost weighs on both alike. Results have redis-benchmark's --csv shape.
 */
import type { BenchRow } from "./support.ts";

/** What the driver runs. */
export interface DriverOptions {
  clients: number;
  /** Operations in all, shared among the clients. */
  operations: number;
  /** The commands of one operation; `__rand_int__` is replaced as redis-benchmark does. */
  commands: string[][];
  /** redis-benchmark's -r: the range of `__rand_int__` (12-digit, zero-padded). */
  random: number;
  /** Send an operation's commands in one write (true) or one by one (false). */
  batch: boolean;
}

/** One driver run: throughput and latency per operation, or the first error reply. */
export interface DriverResult {
  row: BenchRow | null;
  /** The first error reply (e.g. "ERR unknown command 'MULTI'..."), or "". */
  error: string;
}

const enc = new TextEncoder();

/** RESP2 encoding of one command, `__rand_int__` replaced by `rand`. */
function encode(args: string[], rand: string): Uint8Array {
  let s = `*${args.length}\r\n`;
  for (const a of args) {
    const v = a.replaceAll("__rand_int__", rand);
    s += `$${v.length}\r\n${v}\r\n`;
  }
  return enc.encode(s);
}

/** Position of the end of the line starting at `pos` (the \r), or -1. */
function lineEnd(buf: Uint8Array, pos: number, end: number): number {
  for (let i = pos; i + 1 < end; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** Integer of the header line buf[pos+1 .. eol). */
function headerInt(buf: Uint8Array, pos: number, eol: number): number {
  let n = 0;
  let neg = false;
  for (let i = pos + 1; i < eol; i++) {
    if (buf[i] === 45) neg = true;
    else n = n * 10 + buf[i] - 48;
  }
  return neg ? -n : n;
}

/**
 * End of the RESP2 reply starting at `pos` (the position after it), or -1
 * when it is not complete yet.
 */
function skipReply(buf: Uint8Array, pos: number, end: number): number {
  if (pos >= end) return -1;
  const eol = lineEnd(buf, pos, end);
  if (eol < 0) return -1;
  const type = buf[pos];
  if (type === 36) { // $
    const len = headerInt(buf, pos, eol);
    if (len < 0) return eol + 2;
    const after = eol + 2 + len + 2;
    return after <= end ? after : -1;
  }
  if (type === 42) { // *
    const n = headerInt(buf, pos, eol);
    let p = eol + 2;
    for (let i = 0; i < n; i++) {
      p = skipReply(buf, p, end);
      if (p < 0) return -1;
    }
    return p;
  }
  return eol + 2;
}

const dec = new TextDecoder();

/** One connection's loop; pushes each operation's latency (ms). */
async function clientLoop(
  port: number,
  opts: DriverOptions,
  count: number,
  latencies: number[],
  failed: { error: string },
): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  let buf = new Uint8Array(1 << 16);
  let have = 0;
  /** Reads until `n` complete replies are buffered; returns the first error reply or "". */
  const replies = async (n: number): Promise<string> => {
    let pos = 0;
    let error = "";
    for (let got = 0; got < n;) {
      const next = skipReply(buf, pos, have);
      if (next >= 0) {
        if (!error && buf[pos] === 45) error = dec.decode(buf.subarray(pos + 1, next - 2));
        // EXEC's null reply (*-1): the transaction was aborted.
        if (!error && buf[pos] === 42 && buf[pos + 1] === 45) error = "null reply";
        pos = next;
        got++;
        continue;
      }
      if (have === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf.subarray(0, have));
        buf = bigger;
      }
      const r = await conn.read(buf.subarray(have));
      if (r === null) throw new Error("connection closed by the server");
      have += r;
    }
    buf.copyWithin(0, pos, have);
    have -= pos;
    return error;
  };
  try {
    for (let i = 0; i < count && !failed.error; i++) {
      const rand = String(Math.floor(Math.random() * opts.random)).padStart(12, "0");
      const cmds = opts.commands.map((c) => encode(c, rand));
      const t0 = performance.now();
      let error = "";
      if (opts.batch) {
        const all = new Uint8Array(cmds.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const c of cmds) {
          all.set(c, at);
          at += c.length;
        }
        await conn.write(all);
        error = await replies(cmds.length);
      } else {
        for (const c of cmds) {
          await conn.write(c);
          error ||= await replies(1);
        }
      }
      latencies.push(performance.now() - t0);
      if (error) failed.error ||= error;
    }
  } finally {
    conn.close();
  }
}

/** Percentile `p` (0..100) of sorted `xs`. */
function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  return xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
}

/** Runs the operations on the server at `port`, `clients` at a time. */
export async function runDriver(port: number, opts: DriverOptions): Promise<DriverResult> {
  const latencies: number[] = [];
  const failed = { error: "" };
  const per = Math.floor(opts.operations / opts.clients);
  const extra = opts.operations % opts.clients;
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: opts.clients },
      (_, i) => clientLoop(port, opts, per + (i < extra ? 1 : 0), latencies, failed),
    ),
  );
  const secs = (performance.now() - t0) / 1000;
  if (failed.error) return { row: null, error: failed.error };
  latencies.sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    row: {
      rps: latencies.length / secs,
      avg: sum / latencies.length,
      min: latencies[0],
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    },
    error: "",
  };
}
