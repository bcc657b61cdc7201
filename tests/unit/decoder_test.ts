/**
 * RespParser / RespDecoderStream: chunking never changes the result, random
 * valid frames round-trip exactly (binary, large bulks, inline quoting),
 * garbage never throws, limits and protocol error texts are Redis 7.0's.
 */
import { assert, assertEquals } from "@std/assert";
import {
  type CommandBatch,
  type DecoderLimits,
  PROTO_INLINE_MAX_SIZE,
  RespDecoderStream,
  RespParser,
} from "../../lib/resp/decoder.ts";
import { strToBytes } from "../../lib/resp/bytes.ts";
import { prng } from "../support/prng.ts";

const MB = 1024 * 1024;

function limits(over: Partial<{ bulk: number; qbuf: number; auth: boolean }> = {}): DecoderLimits {
  return {
    maxBulkLen: () => over.bulk ?? 512 * MB,
    maxQueryBuffer: () => over.qbuf ?? 1024 * MB,
    authRequired: () => over.auth ?? false,
  };
}

interface Result {
  commands: string[][];
  protocolError?: string;
  overflow?: boolean;
}

/** Feeds the pieces in order and merges what every call returned. */
function feedPieces(pieces: Uint8Array[], lim: DecoderLimits = limits()): Result {
  const p = new RespParser(lim);
  const out: Result = { commands: [] };
  for (const piece of pieces) {
    const b: CommandBatch = p.feed(piece);
    out.commands.push(...b.commands);
    if (b.protocolError !== undefined) {
      assert(out.protocolError === undefined, "a second protocol error after the first");
      out.protocolError = b.protocolError;
    }
    if (b.overflow) out.overflow = true;
  }
  return out;
}

function feedStr(...pieces: string[]): Result {
  return feedPieces(pieces.map(strToBytes));
}

function mb(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
}

function randInt(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/** Splits `bytes` at random points into 1..maxPieces pieces. */
function randomSplit(r: () => number, bytes: Uint8Array, maxPieces = 8): Uint8Array[] {
  const cuts = new Set<number>();
  const n = randInt(r, maxPieces);
  for (let i = 0; i < n; i++) cuts.add(randInt(r, bytes.length + 1));
  const sorted = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const out: Uint8Array[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push(bytes.subarray(sorted[i], sorted[i + 1]));
  return out;
}

// ---------------------------------------------------------------- chunking

const MULTI_INPUTS: { name: string; input: string; expect: string[][] }[] = [
  {
    name: "multibulk pipeline",
    input: mb("SET", "k", "v") + mb("GET", "k") + mb("PING"),
    expect: [["SET", "k", "v"], ["GET", "k"], ["PING"]],
  },
  {
    name: "binary bulks",
    input: mb("SET", "a\r\nb", "\x00\xff\r\n\x00") + mb("ECHO", "") + mb("ECHO", "$3\r\n"),
    expect: [["SET", "a\r\nb", "\x00\xff\r\n\x00"], ["ECHO", ""], ["ECHO", "$3\r\n"]],
  },
  {
    name: "inline and multibulk mixed",
    input: "PING\r\nECHO \"a b\" 'c d'\r\n" + mb("ECHO", "x") + "SET k v\n\r\n" + mb("PING"),
    expect: [["PING"], ["ECHO", "a b", "c d"], ["ECHO", "x"], ["SET", "k", "v"], ["PING"]],
  },
  {
    name: "empty commands",
    input: "*0\r\n*-1\r\n\r\n  \r\n" + mb("PING") + "*0\r\n",
    expect: [["PING"]],
  },
  {
    name: "inline escapes",
    input: 'SET "\\x41\\x00\\n" "q\\"uote"\r\nGET \'it\\\'s\'\r\n',
    expect: [["SET", "A\x00\n", 'q"uote'], ["GET", "it's"]],
  },
  {
    name: "ten-digit lengths",
    input: mb("ECHO", "x".repeat(1234)) + mb("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"),
    expect: [["ECHO", "x".repeat(1234)], ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]],
  },
];

for (const { name, input, expect } of MULTI_INPUTS) {
  Deno.test(`decoder: ${name} in one piece`, () => {
    assertEquals(feedStr(input), { commands: expect });
  });

  Deno.test(`decoder: ${name} split in two at every byte`, () => {
    for (let i = 0; i <= input.length; i++) {
      assertEquals(
        feedStr(input.slice(0, i), input.slice(i)),
        { commands: expect },
        `split at ${i}`,
      );
    }
  });

  Deno.test(`decoder: ${name} split in three at every pair of bytes`, () => {
    const step = input.length > 400 ? 7 : 1;
    for (let i = 0; i <= input.length; i += step) {
      for (let j = i; j <= input.length; j += step) {
        assertEquals(
          feedStr(input.slice(0, i), input.slice(i, j), input.slice(j)),
          { commands: expect },
          `split at ${i} and ${j}`,
        );
      }
    }
  });

  Deno.test(`decoder: ${name} one byte at a time`, () => {
    assertEquals(feedStr(...input.split("")), { commands: expect });
  });
}

Deno.test("decoder: a command is returned as soon as its last byte arrives", () => {
  const p = new RespParser(limits());
  const input = mb("SET", "key", "value");
  for (let i = 0; i < input.length - 1; i++) {
    assertEquals(p.feed(strToBytes(input[i])).commands, [], `byte ${i}`);
  }
  assertEquals(p.feed(strToBytes(input[input.length - 1])).commands, [["SET", "key", "value"]]);
  assertEquals(p.buffered, 0);
});

Deno.test("decoder: buffered counts bytes of incomplete frames", () => {
  const p = new RespParser(limits());
  p.feed(strToBytes("*2\r\n$3\r\nGET\r\n$5\r\nab"));
  assert(p.buffered > 0);
  assertEquals(p.feed(strToBytes("cde\r\n")).commands, [["GET", "abcde"]]);
  assertEquals(p.buffered, 0);
});

// ---------------------------------------------------------------- random frames

function randomArg(r: () => number): string {
  const kind = randInt(r, 10);
  if (kind === 0) return "";
  if (kind === 1) return "\r\n";
  if (kind === 2) return String(randInt(r, 100000) - 50000);
  const len = kind === 3 ? randInt(r, 3000) : randInt(r, 20);
  let s = "";
  for (let i = 0; i < len; i++) {
    const c = randInt(r, 6);
    s += c === 0
      ? "\x00"
      : c === 1
      ? "\xff"
      : c === 2
      ? "\r\n"
      : String.fromCharCode(randInt(r, 256));
  }
  return s;
}

Deno.test("decoder: random binary multibulk frames, randomly chunked (seeded)", () => {
  for (const seed of [1, 2, 3, 42, 1234, 99991]) {
    const r = prng(seed);
    for (let round = 0; round < 40; round++) {
      const cmds: string[][] = [];
      let input = "";
      const n = 1 + randInt(r, 12);
      for (let i = 0; i < n; i++) {
        const args = Array.from({ length: 1 + randInt(r, 6) }, () => randomArg(r));
        cmds.push(args);
        input += mb(...args);
      }
      const bytes = strToBytes(input);
      assertEquals(feedPieces([bytes]), { commands: cmds }, `seed ${seed} round ${round}`);
      assertEquals(
        feedPieces(randomSplit(r, bytes, 12)),
        { commands: cmds },
        `seed ${seed} round ${round} (chunked)`,
      );
    }
  }
});

Deno.test("decoder: random inline commands with quoting (seeded)", () => {
  const r = prng(7);
  const plain = "abcXYZ019-_:.{}$";
  for (let round = 0; round < 300; round++) {
    const args: string[] = [];
    let line = "";
    const n = 1 + randInt(r, 5);
    for (let i = 0; i < n; i++) {
      let a = "";
      const len = 1 + randInt(r, 8);
      for (let k = 0; k < len; k++) a += plain[randInt(r, plain.length)];
      const style = randInt(r, 4);
      if (style === 0) {
        line += a;
      } else if (style === 1) {
        // Double quotes with escapes: a space, a quote, a hex byte.
        const extra = [" ", '"', "\xab", "\n"][randInt(r, 4)];
        const enc = extra === " " ? " " : extra === '"' ? '\\"' : extra === "\n" ? "\\n" : "\\xab";
        line += `"${a}${enc}"`;
        a += extra;
      } else if (style === 2) {
        line += `'${a} \\'x'`;
        a += " 'x";
      } else {
        line += `""`;
        a = "";
      }
      args.push(a);
      line += " ".repeat(1 + randInt(r, 3));
    }
    const input = line + (randInt(r, 2) ? "\r\n" : "\n");
    const bytes = strToBytes(input);
    assertEquals(feedPieces([bytes]), { commands: [args] }, JSON.stringify(input));
    assertEquals(feedPieces(randomSplit(r, bytes)), { commands: [args] }, JSON.stringify(input));
  }
});

// ---------------------------------------------------------------- large bulks

Deno.test("decoder: large bulks (>32KB) through the preallocated path, any chunking", () => {
  const r = prng(5);
  for (const size of [32 * 1024 - 1, 32 * 1024, 32 * 1024 + 1, 100_000, 1_000_003]) {
    let big = "";
    const parts: string[] = [];
    for (let i = 0; i < size; i += 997) {
      const n = Math.min(997, size - i);
      let s = "";
      for (let k = 0; k < n; k++) s += String.fromCharCode((i + k * 31) & 0xff);
      parts.push(s);
    }
    big = parts.join("");
    assertEquals(big.length, size);
    const input = mb("SET", "k", big) + mb("GET", "k") + mb("ECHO", big.slice(0, 40000));
    const bytes = strToBytes(input);
    const expect = { commands: [["SET", "k", big], ["GET", "k"], ["ECHO", big.slice(0, 40000)]] };
    assertEquals(feedPieces([bytes]), expect, `size ${size} one piece`);
    for (let t = 0; t < 5; t++) {
      assertEquals(feedPieces(randomSplit(r, bytes, 20)), expect, `size ${size} chunked`);
    }
    // 16 KB chunks, like a socket read loop.
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 16384) chunks.push(bytes.subarray(i, i + 16384));
    assertEquals(feedPieces(chunks), expect, `size ${size} 16K reads`);
    // Header alone, then the data one byte short, then the rest.
    const head = `*2\r\n$4\r\nECHO\r\n$${size}\r\n`;
    assertEquals(
      feedStr(head, big.slice(0, size - 1), big.slice(size - 1) + "\r\n" + mb("PING")),
      { commands: [["ECHO", big], ["PING"]] },
      `size ${size} header split`,
    );
  }
});

Deno.test("decoder: the two bytes after bulk data are skipped unchecked (as Redis)", () => {
  assertEquals(feedStr("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"), {
    commands: [["PING"], ["PING"]],
  });
});

// ---------------------------------------------------------------- garbage

function mutate(r: () => number, s: string): string {
  const ops = 1 + randInt(r, 4);
  let out = s;
  const specials = ["*", "$", "\r", "\n", "-", "0", "9", "\x00", "\xff", '"', "'", " ", "\\", ":"];
  for (let i = 0; i < ops; i++) {
    const at = randInt(r, out.length + 1);
    const kind = randInt(r, 4);
    const ch = r() < 0.7
      ? specials[randInt(r, specials.length)]
      : String.fromCharCode(randInt(r, 256));
    if (kind === 0) out = out.slice(0, at) + ch + out.slice(at);
    else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1);
    else if (kind === 2) out = out.slice(0, at) + ch + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + randInt(r, 10)).repeat(2) + out.slice(at);
  }
  return out;
}

function checkShape(res: Result, ctx: string): void {
  for (const c of res.commands) {
    assert(Array.isArray(c) && c.length > 0, `empty command from ${ctx}`);
    for (const a of c) {
      assert(typeof a === "string", `non-string argument from ${ctx}`);
      for (let i = 0; i < a.length; i++) {
        assert(a.charCodeAt(i) < 256, `non-byte character from ${ctx}`);
      }
    }
  }
  if (res.protocolError !== undefined) {
    assert(res.protocolError.startsWith("Protocol error: "), res.protocolError);
  }
}

Deno.test("decoder: mutated frames never throw; chunking does not change the outcome", () => {
  const bases = MULTI_INPUTS.map((m) => m.input);
  for (const seed of [11, 12, 13, 14]) {
    const r = prng(seed);
    for (let i = 0; i < 1500; i++) {
      const input = mutate(r, bases[randInt(r, bases.length)]);
      const bytes = strToBytes(input);
      const ctx = `seed ${seed} #${i} ${JSON.stringify(input)}`;
      const whole = feedPieces([bytes], limits({ bulk: 1 * MB }));
      checkShape(whole, ctx);
      const chunked = feedPieces(randomSplit(r, bytes), limits({ bulk: 1 * MB }));
      assertEquals(chunked, whole, ctx);
    }
  }
});

Deno.test("decoder: random binary garbage never throws", () => {
  for (const seed of [21, 22, 23]) {
    const r = prng(seed);
    for (let i = 0; i < 500; i++) {
      const len = randInt(r, 300);
      const bytes = new Uint8Array(len);
      for (let k = 0; k < len; k++) {
        bytes[k] = r() < 0.3
          ? [0x2a, 0x24, 0x0d, 0x0a, 0x31, 0x2d][randInt(r, 6)]
          : randInt(r, 256);
      }
      const lim = limits({ bulk: MB, qbuf: MB, auth: r() < 0.3 });
      checkShape(feedPieces(randomSplit(r, bytes), lim), `seed ${seed} #${i}`);
    }
  }
});

Deno.test("decoder: after a protocol error the parser ignores further input", () => {
  const p = new RespParser(limits());
  const b = p.feed(strToBytes(mb("PING") + "*x\r\n" + mb("PING")));
  assertEquals(b.commands, [["PING"]]);
  assertEquals(b.protocolError, "Protocol error: invalid multibulk length");
  assertEquals(p.feed(strToBytes(mb("PING"))), { commands: [] });
});

// ---------------------------------------------------------------- error texts

const ERRORS: [string, string][] = [
  ["*abc\r\n", "invalid multibulk length"],
  ["*3000000000\r\n", "invalid multibulk length"],
  ["*+1\r\n", "invalid multibulk length"],
  ["*01\r\n", "invalid multibulk length"],
  ["* 1\r\n", "invalid multibulk length"],
  ["*\r\n", "invalid multibulk length"],
  ["*1\r\n$-1\r\n", "invalid bulk length"],
  ["*1\r\n$abc\r\n", "invalid bulk length"],
  ["*1\r\n$\r\n", "invalid bulk length"],
  ["*1\r\n$600000000\r\n", "invalid bulk length"],
  ["*1\r\n:4\r\n", "expected '$', got ':'"],
  ["*2\r\n$4\r\nECHO\r\n+x\r\n", "expected '$', got '+'"],
  ['ECHO "unbalanced\r\n', "unbalanced quotes in request"],
  ["ECHO 'x'y\r\n", "unbalanced quotes in request"],
  ['ECHO "a"b\r\n', "unbalanced quotes in request"],
];

for (const [input, message] of ERRORS) {
  Deno.test(`decoder: ${JSON.stringify(input)} -> ${message}`, () => {
    const res = feedStr(input);
    assertEquals(res.protocolError, `Protocol error: ${message}`);
    assertEquals(res.commands, []);
  });
}

Deno.test("decoder: commands before the error are still returned", () => {
  assertEquals(feedStr(mb("PING") + "PING\r\n" + "*1\r\n$x\r\n"), {
    commands: [["PING"], ["PING"]],
    protocolError: "Protocol error: invalid bulk length",
  });
});

Deno.test("decoder: too big inline request / mbulk count / bulk count", () => {
  const long = "A".repeat(PROTO_INLINE_MAX_SIZE + 10);
  assertEquals(feedStr(long).protocolError, "Protocol error: too big inline request");
  assertEquals(
    feedStr("*" + "1".repeat(70000)).protocolError,
    "Protocol error: too big mbulk count string",
  );
  assertEquals(
    feedStr("*1\r\n$" + "1".repeat(70000)).protocolError,
    "Protocol error: too big bulk count string",
  );
  // The same in 1000-byte pieces.
  const pieces: string[] = [];
  for (let i = 0; i < long.length; i += 1000) pieces.push(long.slice(i, i + 1000));
  assertEquals(feedStr(...pieces).protocolError, "Protocol error: too big inline request");
  // Exactly the limit without a newline is still waiting, not an error.
  assertEquals(feedStr("A".repeat(PROTO_INLINE_MAX_SIZE)), { commands: [] });
  // A long inline line that does end is fine.
  const arg = "b".repeat(60000);
  assertEquals(feedStr(`ECHO ${arg}\r\n`), { commands: [["ECHO", arg]] });
});

// ---------------------------------------------------------------- limits

Deno.test("decoder: proto-max-bulk-len is the largest bulk accepted", () => {
  const lim = limits({ bulk: 100 });
  assertEquals(feedPieces([strToBytes(mb("ECHO", "x".repeat(100)))], lim), {
    commands: [["ECHO", "x".repeat(100)]],
  });
  assertEquals(
    feedPieces([strToBytes("*2\r\n$4\r\nECHO\r\n$101\r\n")], lim).protocolError,
    "Protocol error: invalid bulk length",
  );
});

Deno.test("decoder: unauthenticated clients get tighter limits", () => {
  const auth = limits({ auth: true });
  const ten = Array.from({ length: 10 }, (_, i) => `a${i}`);
  assertEquals(feedPieces([strToBytes(mb(...ten))], auth), { commands: [ten] });
  assertEquals(
    feedPieces([strToBytes("*11\r\n")], auth).protocolError,
    "Protocol error: unauthenticated multibulk length",
  );
  const ok = "y".repeat(16384);
  assertEquals(feedPieces([strToBytes(mb("AUTH", ok))], auth), { commands: [["AUTH", ok]] });
  assertEquals(
    feedPieces([strToBytes("*2\r\n$4\r\nAUTH\r\n$16385\r\n")], auth).protocolError,
    "Protocol error: unauthenticated bulk length",
  );
  // Authenticated: the same frames are fine.
  assertEquals(feedStr("*11\r\n").protocolError, undefined);
  assertEquals(feedStr("*2\r\n$4\r\nAUTH\r\n$16385\r\n").protocolError, undefined);
});

Deno.test("decoder: query buffer overflow on a pending small frame", () => {
  const p = new RespParser(limits({ qbuf: 1000 }));
  assertEquals(p.feed(strToBytes("*1\r\n$2000\r\n" + "x".repeat(500))), { commands: [] });
  const b = p.feed(strToBytes("x".repeat(600)));
  assertEquals(b.overflow, true);
  assertEquals(b.protocolError, undefined);
  // Once overflowed, nothing more comes out.
  assertEquals(p.feed(strToBytes(mb("PING"))), { commands: [] });
});

Deno.test("decoder: query buffer overflow while filling a large bulk", () => {
  const p = new RespParser(limits({ qbuf: 100_000 }));
  const head = "*2\r\n$4\r\nECHO\r\n$1000000\r\n";
  let overflowAt = -1;
  const piece = strToBytes("z".repeat(16384));
  assertEquals(p.feed(strToBytes(head)).overflow, undefined);
  for (let i = 0; i < 100; i++) {
    const b = p.feed(piece);
    assertEquals(b.commands, []);
    if (b.overflow) {
      overflowAt = i;
      break;
    }
  }
  // 100 000 bytes buffered is passed with the 7th piece (7 * 16384 = 114 688).
  assertEquals(overflowAt, 6);
});

Deno.test("decoder: commands completed in the overflowing chunk are still returned", () => {
  const p = new RespParser(limits({ qbuf: 1000 }));
  const b = p.feed(strToBytes(mb("PING") + "*1\r\n$5000\r\n" + "x".repeat(1200)));
  assertEquals(b.commands, [["PING"]]);
  assertEquals(b.overflow, true);
});

Deno.test("decoder: an inline line without newline below the inline limit waits", () => {
  const p = new RespParser(limits());
  assertEquals(p.feed(strToBytes("PING")), { commands: [] });
  assertEquals(p.feed(strToBytes(" x\r\n")), { commands: [["PING", "x"]] });
});

Deno.test("decoder: a NUL before the CR keeps Redis's strchr behaviour (waits)", () => {
  // Redis looks for CR with strchr, which stops at NUL: the frame never
  // completes, and only the inline size limit ends it.
  assertEquals(feedStr("*1\x00\r\n$4\r\nPING\r\n"), { commands: [] });
  assertEquals(feedStr("PI\x00NG\r\n"), { commands: [] });
});

// ---------------------------------------------------------------- stream

async function throughStream(chunks: Uint8Array[], lim = limits()): Promise<CommandBatch[]> {
  const source = ReadableStream.from(chunks);
  const batches: CommandBatch[] = [];
  for await (const b of source.pipeThrough(new RespDecoderStream(lim))) batches.push(b);
  return batches;
}

Deno.test("RespDecoderStream: exactly one batch per chunk, empty while a frame is incomplete", async () => {
  const batches = await throughStream([
    strToBytes(mb("PING") + mb("ECHO", "a")),
    strToBytes("*1\r\n$4\r\nPI"),
    strToBytes("NG\r\n" + mb("GET", "k")),
  ]);
  assertEquals(batches, [
    { commands: [["PING"], ["ECHO", "a"]] },
    { commands: [] },
    { commands: [["PING"], ["GET", "k"]] },
  ]);
});

Deno.test("RespDecoderStream: protocol errors and overflow arrive as batches", async () => {
  assertEquals(await throughStream([strToBytes(mb("PING") + "*z\r\n")]), [
    { commands: [["PING"]], protocolError: "Protocol error: invalid multibulk length" },
  ]);
  const over = await throughStream(
    [strToBytes("*1\r\n$5000\r\n"), strToBytes("x".repeat(3000))],
    limits({ qbuf: 1000 }),
  );
  assertEquals(over, [{ commands: [] }, { commands: [], overflow: true }]);
});

Deno.test("RespDecoderStream: exposes its parser's buffered count", async () => {
  const s = new RespDecoderStream(limits());
  const w = s.writable.getWriter();
  const r = s.readable.getReader();
  // The readable side has no queue: each write completes once its batch is read.
  const first = r.read();
  await w.write(strToBytes("*1\r\n$4\r\nPI"));
  assertEquals((await first).value, { commands: [] });
  assert(s.parser.buffered > 0);
  const second = r.read();
  await w.write(strToBytes("NG\r\n"));
  assertEquals((await second).value, { commands: [["PING"]] });
  assertEquals(s.parser.buffered, 0);
  await w.close();
  assertEquals((await r.read()).done, true);
});
