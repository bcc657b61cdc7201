/**
 * Micro-benchmarks of the RESP request decoder (`deno task bench:micro`).
 *
 * RespParser.feed on the shapes of input a server reads, and the same chunks
 * through RespDecoderStream, written and read directly as
 * lib/server/connection.ts drives it and piped from a pull source for
 * comparison, so that the stream layer's own cost shows next to the parser's. Inputs are
 * built once; one iteration decodes a whole input (many commands).
 */
import { Config } from "../../lib/config.ts";
import {
  type CommandBatch,
  type DecoderLimits,
  RespDecoderStream,
  RespParser,
} from "../../lib/resp/decoder.ts";

// The limits as a connection reads them: from the configuration, per bulk.
const config = new Config();
const LIMITS: DecoderLimits = {
  maxBulkLen: () => config.num("proto-max-bulk-len"),
  maxQueryBuffer: () => config.num("client-query-buffer-limit"),
  authRequired: () => false,
};

const READ_SIZE = 64 * 1024; // what connection.ts asks conn.read for
const UNPIPELINED = 1000; // commands (one per read) per iteration

function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function multibulk(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** `bytes` cut into reads of `size` bytes (frames split wherever a cut falls). */
function split(all: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/** A decoder input: the reads in order, and the commands each one completes. */
interface Input {
  chunks: Uint8Array[];
  perChunk: number[];
  commands: number;
}

/** Checks the input once with a fresh parser and records what each read yields. */
function input(chunks: Uint8Array[], commands: number): Input {
  const parser = new RespParser(LIMITS);
  const perChunk = chunks.map((c) => {
    const batch = parser.feed(c);
    if (batch.protocolError || batch.overflow) throw new Error("bad bench input");
    return batch.commands.length;
  });
  const total = perChunk.reduce((a, b) => a + b, 0);
  if (total !== commands || parser.buffered !== 0) {
    throw new Error(`bench input decodes to ${total} commands, expected ${commands}`);
  }
  return { chunks, perChunk, commands };
}

// ------------------------------------------------------------------ inputs

// Pipelined SET key:N value:N, as many whole commands as fit one 64KB read.
const setCommands: string[][] = [];
{
  let size = 0;
  for (let i = 0;; i++) {
    const args = ["SET", `key:${i}`, `value:${i}`];
    const n = multibulk(args).length;
    if (size + n > READ_SIZE) break;
    size += n;
    setCommands.push(args);
  }
}
const N_SET = setCommands.length;
const setBytes = bytes(setCommands.map(multibulk).join(""));
const pipelinedSet = input([setBytes], N_SET);
// The same bytes in 4KB reads: most reads end inside a frame, carried to the next.
const pipelinedSet4k = input(split(setBytes, 4096), N_SET);
// The same commands written inline (`SET key:N value:N\r\n`).
const inlineSet = input([bytes(setCommands.map((a) => a.join(" ") + "\r\n").join(""))], N_SET);

// Unpipelined: each read holds one small command, as a client waiting for
// every reply sends them.
const pingChunk = bytes(multibulk(["PING"]));
const unpipelinedPing = input(
  Array.from({ length: UNPIPELINED }, () => pingChunk.slice()),
  UNPIPELINED,
);
const unpipelinedGet = input(
  Array.from({ length: UNPIPELINED }, (_, i) => bytes(multibulk(["GET", `key:${i}`]))),
  UNPIPELINED,
);
const unpipelinedInlinePing = input(
  Array.from({ length: UNPIPELINED }, () => bytes("PING\r\n")),
  UNPIPELINED,
);

// SET big <1MB value>: in 64KB reads (the preallocated big-argument path) and
// as one chunk.
const MB = 1024 * 1024;
const bigSetBytes = (() => {
  const head = bytes(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${MB}\r\n`);
  const all = new Uint8Array(head.length + MB + 2);
  all.set(head);
  for (let i = 0; i < MB; i++) all[head.length + i] = (i * 131 + 7) & 0xff; // binary bytes
  all[all.length - 2] = 13;
  all[all.length - 1] = 10;
  return all;
})();
const bigSetReads = input(split(bigSetBytes, READ_SIZE), 1);
const bigSetWhole = input([bigSetBytes], 1);

// ------------------------------------------------------------------ drivers

let sink = 0; // keeps results alive

/** One parser per input, fed read after read like a connection's. */
function feeder(inp: Input): () => void {
  const parser = new RespParser(LIMITS);
  return () => {
    let n = 0;
    for (const c of inp.chunks) n += parser.feed(c).commands.length;
    if (n !== inp.commands) throw new Error(`decoded ${n} commands, expected ${inp.commands}`);
    sink += n;
  };
}

/**
 * A long-lived RespDecoderStream fed like connection.ts feeds it: a pull
 * source with highWaterMark 0 (whose pull waits for the next read), piped
 * through the decoder, read batch by batch.
 */
class PipedDecoder {
  readonly reader: ReadableStreamDefaultReader<CommandBatch>;
  #queue: Uint8Array[] = [];
  #waiting: ((chunk: Uint8Array) => void) | null = null;

  constructor() {
    const source = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        const next = this.#queue.shift();
        if (next !== undefined) return controller.enqueue(next);
        return new Promise<void>((resolve) => {
          this.#waiting = (chunk) => {
            controller.enqueue(chunk);
            resolve();
          };
        });
      },
    }, { highWaterMark: 0 });
    this.reader = source.pipeThrough(new RespDecoderStream(LIMITS)).getReader();
  }

  #push(chunk: Uint8Array): void {
    const w = this.#waiting;
    if (w !== null) {
      this.#waiting = null;
      w(chunk);
    } else {
      this.#queue.push(chunk);
    }
  }

  async decode(inp: Input): Promise<number> {
    let n = 0;
    for (let i = 0; i < inp.chunks.length; i++) {
      this.#push(inp.chunks[i]);
      // One batch per chunk, empty for a read inside a frame.
      const { value, done } = await this.reader.read();
      if (done || value.commands.length !== inp.perChunk[i]) throw new Error("bad batch");
      n += value.commands.length;
    }
    return n;
  }
}

function piped(inp: Input): () => Promise<void> {
  const decoder = new PipedDecoder();
  return async () => {
    sink += await decoder.decode(inp);
  };
}

/** RespDecoderStream written and read directly (no pipe), to split the pipe's cost from the transform's. */
function direct(inp: Input): () => Promise<void> {
  const stream = new RespDecoderStream(LIMITS);
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return async () => {
    let n = 0;
    for (let i = 0; i < inp.chunks.length; i++) {
      // One batch per chunk (empty inside a frame); the pending read lifts the
      // stream's backpressure so that write() transforms at once.
      const next = reader.read();
      await writer.write(inp.chunks[i]);
      const { value, done } = await next;
      if (done || value.commands.length !== inp.perChunk[i]) throw new Error("bad batch");
      n += value.commands.length;
    }
    sink += n;
  };
}

// ------------------------------------------------------------------ benches

const pipelinedGroup = `pipelined SET ×${N_SET} (${setBytes.length} bytes)`;
Deno.bench({
  name: "feed: one 64KB read",
  group: pipelinedGroup,
  baseline: true,
  fn: feeder(pipelinedSet),
});
Deno.bench({
  name: "feed: 16 reads of 4KB (frames cut)",
  group: pipelinedGroup,
  fn: feeder(pipelinedSet4k),
});
Deno.bench({ name: "feed: inline, one read", group: pipelinedGroup, fn: feeder(inlineSet) });
Deno.bench({
  name: "RespDecoderStream piped: one 64KB read",
  group: pipelinedGroup,
  fn: piped(pipelinedSet),
});
Deno.bench({
  name: "RespDecoderStream piped: 16 reads of 4KB",
  group: pipelinedGroup,
  fn: piped(pipelinedSet4k),
});

const unpipelinedGroup = `unpipelined: ${UNPIPELINED} reads of one command`;
Deno.bench({
  name: "feed: PING",
  group: unpipelinedGroup,
  baseline: true,
  fn: feeder(unpipelinedPing),
});
Deno.bench({ name: "feed: GET key:N", group: unpipelinedGroup, fn: feeder(unpipelinedGet) });
Deno.bench({
  name: "feed: inline PING",
  group: unpipelinedGroup,
  fn: feeder(unpipelinedInlinePing),
});
Deno.bench({
  name: "RespDecoderStream piped: PING",
  group: unpipelinedGroup,
  fn: piped(unpipelinedPing),
});
Deno.bench({
  name: "RespDecoderStream piped: GET key:N",
  group: unpipelinedGroup,
  fn: piped(unpipelinedGet),
});
Deno.bench({
  name: "RespDecoderStream direct write/read: PING",
  group: unpipelinedGroup,
  fn: direct(unpipelinedPing),
});

const bigGroup = `SET with a 1MB value`;
Deno.bench({
  name: `feed: ${bigSetReads.chunks.length} reads of 64KB`,
  group: bigGroup,
  baseline: true,
  fn: feeder(bigSetReads),
});
Deno.bench({ name: "feed: one 1MB read", group: bigGroup, fn: feeder(bigSetWhole) });
Deno.bench({
  name: `RespDecoderStream piped: ${bigSetReads.chunks.length} reads of 64KB`,
  group: bigGroup,
  fn: piped(bigSetReads),
});

// Read by nothing; only there so that the work above cannot be optimized away.
export { sink };
