/**
 * HyperLogLog against Redis 7.0: the same commands to both servers, and the
 * replies AND the stored bytes (GET) must be identical: sparse HLLs, the
 * promotion to dense, merges, unions, PFDEBUG, corrupted values.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import { AOF_ONLY, keyRows, ok, propagationScenario } from "../support/persistence.ts";

/** Sends `cmds` pipelined to both servers; every reply must be byte-identical. */
async function samePipeline(o: Oracle, cmds: string[][]): Promise<string[]> {
  const [mine, theirs] = await Promise.all([o.redeno.pipeline(cmds), o.redis.pipeline(cmds)]);
  for (let i = 0; i < cmds.length; i++) {
    if (mine[i] !== theirs[i]) {
      assertEquals(mine[i], theirs[i], `reply to ${JSON.stringify(cmds[i]).slice(0, 300)}`);
    }
  }
  return theirs;
}

/** A random element: a number, a word, or binary bytes (empty included). */
function element(rand: () => number): string {
  const kind = rand();
  if (kind < 0.4) return String(Math.floor(rand() * 1e9));
  if (kind < 0.7) return "elem:" + Math.floor(rand() * 1e6);
  const len = Math.floor(rand() * 40);
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

/** The stored bytes of an HLL from a bulk reply ("$n\r\n...\r\n"). */
function bulkBody(reply: string): string {
  const nl = reply.indexOf("\r\n");
  return reply.slice(nl + 2, reply.length - 2);
}

oracleTest("oracle: PFADD, PFCOUNT, GET of small HLLs", async (o) => {
  await o.sameAll([
    ["PFADD", "h", "a", "b", "c", "d", "e", "f", "g"],
    ["PFADD", "h", "a"],
    ["PFADD", "h"],
    ["PFADD", "fresh"],
    ["PFADD", "fresh"],
    ["GET", "fresh"],
    ["PFCOUNT", "fresh"],
    ["GET", "fresh"],
    ["PFCOUNT", "h"],
    ["GET", "h"],
    ["PFADD", "h", "z"],
    ["GET", "h"],
    ["PFCOUNT", "h"],
    ["PFCOUNT", "h"],
    ["PFCOUNT", "nokey"],
    ["EXISTS", "nokey"],
    ["TYPE", "h"],
    ["OBJECT", "ENCODING", "h"],
    ["STRLEN", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "decode", "fresh"],
    ["PFADD", "bin", "", "\x00", "\x00\x01\x02\xff", "\xff".repeat(9), "x".repeat(17)],
    ["GET", "bin"],
    ["PFDEBUG", "DECODE", "bin"],
    ["PFCOUNT", "bin"],
    ["PFADD", "h"],
    ["PFADD"],
    ["PFCOUNT"],
    ["PFMERGE"],
    ["PFDEBUG", "ENCODING"],
    ["PFSELFTEST", "x"],
  ]);
});

oracleTest("oracle: seeded PFADD batches, sparse to dense, bytes identical", async (o) => {
  for (const seed of [1, 2, 3]) {
    const rand = prng(seed);
    const cmds: string[][] = [["FLUSHALL"]];
    for (let round = 0; round < 120; round++) {
      const key = `hll:${Math.floor(rand() * 3)}`;
      const n = 1 + Math.floor(rand() * (round < 60 ? 8 : 60));
      const cmd = ["PFADD", key];
      for (let i = 0; i < n; i++) cmd.push(element(rand));
      cmds.push(cmd, ["GET", key]);
      if (rand() < 0.3) cmds.push(["PFCOUNT", key], ["GET", key]);
      if (rand() < 0.2) cmds.push(["PFDEBUG", "ENCODING", key]);
    }
    for (let k = 0; k < 3; k++) {
      cmds.push(["PFCOUNT", `hll:${k}`], ["GET", `hll:${k}`], ["PFDEBUG", "ENCODING", `hll:${k}`]);
    }
    cmds.push(["PFCOUNT", "hll:0", "hll:1", "hll:2", "missing"]);
    await samePipeline(o, cmds);
  }
});

oracleTest("oracle: one HLL grown to dense element by element", async (o) => {
  const rand = prng(42);
  const cmds: string[][] = [];
  for (let i = 0; i < 3000; i++) {
    cmds.push(["PFADD", "grow", element(rand)]);
    if (i % 50 === 0) cmds.push(["GET", "grow"], ["PFCOUNT", "grow"]);
  }
  cmds.push(["GET", "grow"], ["PFCOUNT", "grow"], ["PFDEBUG", "ENCODING", "grow"]);
  // Large cardinalities: numbers in bulk.
  for (let b = 0; b < 40; b++) {
    const cmd = ["PFADD", "big"];
    for (let i = 0; i < 2500; i++) cmd.push(String(b * 2500 + i));
    cmds.push(cmd, ["PFCOUNT", "big"]);
  }
  cmds.push(["GET", "big"], ["PFCOUNT", "big", "grow"]);
  await samePipeline(o, cmds);
});

oracleTest("oracle: hll-sparse-max-bytes decides the promotion", async (o) => {
  const rand = prng(7);
  const cmds: string[][] = [
    ["CONFIG", "GET", "hll-sparse-max-bytes"],
    ["CONFIG", "SET", "hll-sparse-max-bytes", "100"],
  ];
  for (let i = 0; i < 80; i++) {
    cmds.push(["PFADD", "small", element(rand)], ["PFDEBUG", "ENCODING", "small"], [
      "GET",
      "small",
    ]);
  }
  cmds.push(["CONFIG", "SET", "hll-sparse-max-bytes", "0"], ["PFADD", "zero", "a"], [
    "GET",
    "zero",
  ]);
  cmds.push(["CONFIG", "SET", "hll-sparse-max-bytes", "10000"]);
  for (let i = 0; i < 40; i++) {
    const cmd = ["PFADD", "roomy"];
    for (let j = 0; j < 100; j++) cmd.push(element(rand));
    cmds.push(cmd, ["PFDEBUG", "ENCODING", "roomy"], ["GET", "roomy"]);
  }
  await samePipeline(o, cmds);
});

oracleTest("oracle: PFMERGE and PFCOUNT of unions (sparse, dense, missing)", async (o) => {
  const rand = prng(11);
  const cmds: string[][] = [];
  const fill = (key: string, n: number) => {
    const cmd = ["PFADD", key];
    for (let i = 0; i < n; i++) cmd.push(element(rand));
    cmds.push(cmd);
  };
  fill("s1", 5);
  fill("s2", 40);
  fill("s3", 300);
  fill("d1", 3000);
  fill("d2", 6000);
  cmds.push(
    ["PFDEBUG", "ENCODING", "s3"],
    ["PFDEBUG", "ENCODING", "d1"],
    ["PFCOUNT", "s1", "s2"],
    ["PFCOUNT", "s1", "s2", "s3", "d1", "d2", "missing"],
    ["PFCOUNT", "missing", "missing2"],
    ["GET", "s1"],
    ["GET", "s2"],
    ["PFMERGE", "m1", "s1", "s2"],
    ["GET", "m1"],
    ["PFCOUNT", "m1"],
    ["PFMERGE", "m2", "s1", "d1"],
    ["GET", "m2"],
    ["PFMERGE", "s2", "s3"],
    ["GET", "s2"],
    ["PFMERGE", "d2", "s1", "s2"],
    ["GET", "d2"],
    ["PFMERGE", "s1", "d2"],
    ["GET", "s1"],
    ["PFMERGE", "empty"],
    ["GET", "empty"],
    ["PFMERGE", "empty2", "missing"],
    ["GET", "empty2"],
    ["PFMERGE", "m3", "s3", "s3", "m1"],
    ["GET", "m3"],
    ["PFCOUNT", "m3"],
    ["PFMERGE", "m1"],
    ["GET", "m1"],
  );
  for (const k of ["m1", "m2", "s1", "s2", "d2", "m3", "empty"]) {
    cmds.push(["PFCOUNT", k], ["GET", k], ["PFDEBUG", "ENCODING", k]);
  }
  await samePipeline(o, cmds);
});

oracleTest("oracle: sparse merges that overflow hll-sparse-max-bytes", async (o) => {
  const rand = prng(5);
  const cmds: string[][] = [["CONFIG", "SET", "hll-sparse-max-bytes", "300"]];
  for (let k = 0; k < 4; k++) {
    const cmd = ["PFADD", `k${k}`];
    for (let i = 0; i < 60; i++) cmd.push(element(rand));
    cmds.push(cmd, ["PFDEBUG", "ENCODING", `k${k}`]);
  }
  cmds.push(["PFMERGE", "dest", "k0", "k1", "k2", "k3"], ["PFDEBUG", "ENCODING", "dest"], [
    "GET",
    "dest",
  ]);
  cmds.push(["PFMERGE", "k0", "k1"], ["PFDEBUG", "ENCODING", "k0"], ["GET", "k0"]);
  await samePipeline(o, cmds);
});

oracleTest("oracle: PFDEBUG GETREG, TODENSE, DECODE, ENCODING and their errors", async (o) => {
  await o.sameAll([
    ["PFADD", "h", "a", "b", "c", "foo", "bar"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "GETREG", "h"],
    ["PFDEBUG", "ENCODING", "h"],
    ["GET", "h"],
    ["PFDEBUG", "DECODE", "h"],
    ["PFDEBUG", "TODENSE", "h"],
    ["PFADD", "h2", "x"],
    ["PFDEBUG", "todense", "h2"],
    ["GET", "h2"],
    ["PFDEBUG", "TODENSE", "h2"],
    ["PFADD", "h3", "y"],
    ["PFDEBUG", "Encoding", "h3"],
    ["PFDEBUG", "NOPE", "h3"],
    ["PFDEBUG", "getreg\x00junk", "h3"],
    ["PFDEBUG", "x\x00y", "h3"],
    ["PFDEBUG", "GETREG", "nokey"],
    ["PFDEBUG", "NOPE", "nokey"],
    ["RPUSH", "list", "a"],
    ["PFDEBUG", "GETREG", "list"],
    ["SET", "str", "hello"],
    ["PFDEBUG", "ENCODING", "str"],
    ["PFDEBUG", "GETREG", "h3", "extra"],
  ]);
});

oracleTest("oracle: RESP3 replies of PF commands", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    const cmds = [
      ["HELLO", "3"],
      ["PFADD", "r3", "a", "b"],
      ["PFCOUNT", "r3"],
      ["PFCOUNT", "r3", "nokey"],
      ["PFDEBUG", "ENCODING", "r3"],
      ["PFDEBUG", "DECODE", "r3"],
      ["PFMERGE", "r3b", "r3"],
      ["PFDEBUG", "GETREG", "r3b"],
      ["PFCOUNT", "nokey"],
    ];
    for (const cmd of cmds) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      if (cmd[0] === "HELLO") continue;
      assertEquals(mine, theirs, `reply to ${cmd.join(" ")}`);
    }
  } finally {
    a.close();
    b.close();
  }
});

/** A sparse and a dense HLL as Redis stores them. */
async function sampleHlls(o: Oracle): Promise<{ sparse: string; dense: string }> {
  const rand = prng(99);
  const sparseCmd = ["PFADD", "sample:sparse"];
  for (let i = 0; i < 30; i++) sparseCmd.push(element(rand));
  const denseCmd = ["PFADD", "sample:dense"];
  for (let i = 0; i < 4000; i++) denseCmd.push(element(rand));
  const replies = await samePipeline(o, [
    sparseCmd,
    denseCmd,
    ["GET", "sample:sparse"],
    ["GET", "sample:dense"],
  ]);
  return { sparse: bulkBody(replies[2]), dense: bulkBody(replies[3]) };
}

oracleTest("oracle: values that are not HLLs, and corrupted HLLs", async (o) => {
  const { sparse, dense } = await sampleHlls(o);
  assert(sparse.startsWith("HYLL\x01"));
  assertEquals(dense.length, 12304);
  const corruptSparse = sparse.slice(0, sparse.length - 2); // registers do not add up
  await o.sameAll([
    ["RPUSH", "list", "a"],
    ["PFADD", "list", "x"],
    ["PFCOUNT", "list"],
    ["PFCOUNT", "list", "nokey"],
    ["PFMERGE", "list", "nokey"],
    ["PFMERGE", "dest", "list"],
    ["EXISTS", "dest"],
    ["SET", "str", "hello"],
    ["PFADD", "str", "x"],
    ["PFCOUNT", "str"],
    ["PFCOUNT", "nokey", "str"],
    ["PFMERGE", "str"],
    ["SET", "num", "12345"],
    ["PFADD", "num", "x"],
    ["SET", "short", "HYLL"],
    ["PFCOUNT", "short"],
    ["SET", "badenc", "HYLL\x02" + "\x00".repeat(11) + "\x7f\xff"],
    ["PFCOUNT", "badenc"],
    ["SET", "shortdense", dense.slice(0, 12303)],
    ["PFCOUNT", "shortdense"],
    ["SET", "longdense", dense + "x"],
    ["PFADD", "longdense", "a"],
    ["SET", "corrupt", corruptSparse],
    ["PFCOUNT", "corrupt"],
    ["PFCOUNT", "corrupt", "nokey"],
    ["PFMERGE", "dest2", "corrupt"],
    ["EXISTS", "dest2"],
    ["PFDEBUG", "GETREG", "corrupt"],
    ["PFDEBUG", "TODENSE", "corrupt"],
    ["PFDEBUG", "DECODE", "corrupt"],
    ["GET", "corrupt"],
    ["OBJECT", "ENCODING", "corrupt"],
    ["SET", "copy", sparse],
    ["OBJECT", "ENCODING", "copy"],
    ["PFCOUNT", "copy"],
    ["OBJECT", "ENCODING", "copy"],
    ["GET", "copy"],
    ["SET", "copyd", dense],
    ["PFCOUNT", "copyd"],
    ["GET", "copyd"],
    ["PFADD", "copyd", "new", "elements", "here"],
    ["GET", "copyd"],
  ]);
});

/** Mutates a valid HLL string with a seeded corruption. */
function corrupt(s: string, rand: () => number): string {
  const kind = Math.floor(rand() * 6);
  const at = (lo: number) => lo + Math.floor(rand() * Math.max(1, s.length - lo));
  const byte = () => String.fromCharCode(Math.floor(rand() * 256));
  switch (kind) {
    case 0: { // one body byte changed
      const i = at(16);
      return s.slice(0, i) + byte() + s.slice(i + 1);
    }
    case 1: { // a few random bytes anywhere after the magic
      let t = s;
      for (let n = 1 + Math.floor(rand() * 4); n > 0; n--) {
        const i = at(4);
        t = t.slice(0, i) + byte() + t.slice(i + 1);
      }
      return t;
    }
    case 2: // truncated
      return s.slice(0, at(16));
    case 3: { // bytes inserted
      const i = at(16);
      let ins = "";
      for (let n = 1 + Math.floor(rand() * 5); n > 0; n--) ins += byte();
      return s.slice(0, i) + ins + s.slice(i);
    }
    case 4: { // bytes removed
      const i = at(16);
      return s.slice(0, i) + s.slice(i + 1 + Math.floor(rand() * 4));
    }
    default: { // cache bytes and header changed
      const i = 5 + Math.floor(rand() * 11);
      return s.slice(0, i) + byte() + s.slice(i + 1);
    }
  }
}

oracleTest("oracle: seeded corruptions of HLL values never crash and match Redis", async (o) => {
  const { sparse, dense } = await sampleHlls(o);
  const rand = prng(2024);
  for (let round = 0; round < 300; round++) {
    // Dense values are mostly changed in their header (a body byte only changes registers).
    const base = rand() < 0.75 ? sparse : dense;
    const value = corrupt(base, rand);
    await samePipeline(o, [
      ["SET", "c", value],
      ["PFCOUNT", "c"],
      ["GET", "c"],
      ["PFCOUNT", "c", "sample:sparse"],
      ["PFDEBUG", "DECODE", "c"],
      ["PFDEBUG", "ENCODING", "c"],
      ["SET", "c2", value],
      ["PFADD", "c2", element(rand), element(rand), String(round)],
      ["GET", "c2"],
      ["PFMERGE", "m", "c", "sample:sparse"],
      ["GET", "m"],
      ["DEL", "m"],
      ["SET", "c3", value],
      ["PFMERGE", "c3", "sample:sparse"],
      ["GET", "c3"],
      ["PFDEBUG", "TODENSE", "c"],
      ["GET", "c"],
    ]);
  }
  await o.same("PING");
});

oracleTest("oracle: PFCOUNT's cache: the stale bit and cached values from SET", async (o) => {
  const { sparse } = await sampleHlls(o);
  // A valid cache with a made-up count is believed, as Redis does.
  const cached = sparse.slice(0, 8) + "\x39\x05\x00\x00\x00\x00\x00\x00" + sparse.slice(16);
  const huge = sparse.slice(0, 8) + "\xff\xff\xff\xff\xff\xff\xff\x7f" + sparse.slice(16);
  const stale = sparse.slice(0, 8) + "\x39\x05\x00\x00\x00\x00\x00\x80" + sparse.slice(16);
  await o.sameAll([
    ["SET", "k", cached],
    ["PFCOUNT", "k"],
    ["SET", "k", huge],
    ["PFCOUNT", "k"],
    ["PFCOUNT", "k", "nokey"],
    ["SET", "k", stale],
    ["PFCOUNT", "k"],
    ["GET", "k"],
    ["PFADD", "k", "zzz-new-element"],
    ["GET", "k"],
    ["PFCOUNT", "k"],
    ["GET", "k"],
  ]);
});

oracleTest("oracle: crafted dense registers (estimator extremes)", async (o) => {
  const header = "HYLL\x00\x00\x00\x00" + "\x00".repeat(7) + "\x80";
  /** A dense body with every register set to v. */
  const all = (v: number) => {
    const b0 = String.fromCharCode((v | (v << 6)) & 0xff);
    const b1 = String.fromCharCode(((v >> 2) | (v << 4)) & 0xff);
    const b2 = String.fromCharCode(((v >> 4) | (v << 2)) & 0xff);
    return (b0 + b1 + b2).repeat(4096);
  };
  const cmds: string[][] = [];
  for (const v of [0, 1, 2, 10, 20, 32, 33, 40, 45, 49, 50, 51, 52, 63]) {
    cmds.push(
      ["SET", `r${v}`, header + all(v)],
      ["PFCOUNT", `r${v}`],
      ["GET", `r${v}`],
      ["PFCOUNT", `r${v}`, "nokey"],
      ["PFADD", `r${v}`, "a", "b"],
      ["PFMERGE", `m${v}`, `r${v}`],
      ["GET", `m${v}`],
    );
  }
  await samePipeline(o, cmds);
});

oracleTest("oracle: PFSELFTEST", async (o) => {
  await o.same("PFSELFTEST");
});

Deno.test("HLL commands log what Redis 7.0 logs, and the logs replay to the same bytes", async (t) => {
  const many = Array.from({ length: 3000 }, (_, i) => `m${i}`);
  await propagationScenario(t, {
    args: [...AOF_ONLY, "--appendfsync", "always"],
    steps: [[
      ["PFADD", "h", "a", "b"],
      ["PFADD", "h", "a"], // no register changes: not logged
      ["PFADD", "h"],
      ["PFADD", "empty"],
      ["PFCOUNT", "h"], // the cache is written: logged
      ["PFCOUNT", "h"], // cached: not logged
      ["PFCOUNT", "h", "empty"],
      ["PFADD", "d", ...many],
      ["PFMERGE", "m", "h", "d"],
      ["PFMERGE", "m"],
      ["PFDEBUG", "ENCODING", "h"],
      ["PFDEBUG", "TODENSE", "h"],
      ["PFDEBUG", "TODENSE", "h"],
      ["PFADD", "s", "x"],
      ["PFDEBUG", "GETREG", "s"],
      ["PFADD", "s2", "y"],
      ["SET", "bad", "HYLL\x01" + "\x00".repeat(11) + "\x40\x00"],
      ["PFCOUNT", "bad"],
      ["PFADD", "bad", "q"],
      ["SET", "str", "x"],
      ["PFADD", "str", "x"],
    ]],
    log: { mask: (args) => args },
    checkLog: (theirLog) => {
      assert(theirLog.includes('0: ["PFCOUNT","h"]'), theirLog.join("\n"));
    },
    dump: (port) => keyRows(port, async (c, key) => await ok(c, "GET", key)),
    replays: "the same bytes",
    tmpPrefix: "redeno-propagation-hll-",
  });
});

oracleTest(
  "oracle: DUMP payloads of HLLs are Redis's, and Redis's restore and keep working",
  async (o) => {
    await sampleHlls(o);
    const cmds: string[][] = [];
    for (const key of ["sample:sparse", "sample:dense"]) cmds.push(["DUMP", key]);
    const [sparsePayload, densePayload] = (await samePipeline(o, cmds)).map(bulkBody);
    await samePipeline(o, [
      ["RESTORE", "rs", "0", sparsePayload],
      ["RESTORE", "rd", "0", densePayload],
      ["OBJECT", "ENCODING", "rs"],
      ["PFCOUNT", "rs", "rd"],
      ["PFCOUNT", "rs"],
      ["PFADD", "rs", "one", "more"],
      ["PFADD", "rd", "one", "more"],
      ["GET", "rs"],
      ["GET", "rd"],
      ["DUMP", "rs"],
      ["DUMP", "rd"],
    ]);
  },
);
