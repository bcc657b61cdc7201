/**
 * The stream store against Redis's own bytes: the same XADD / XDEL / XTRIM
 * sequence runs on a StreamValue and on redis-server, and the listpack
 * nodes (StreamValue.nodes()) must equal what DUMP shows Redis keeps.
 */
import { assert, assertEquals } from "@std/assert";
import {
  compareIds,
  formatId,
  idFromKey,
  idKey,
  MAX_ID,
  MIN_ID,
  raxNodeCount,
  type StreamId,
  type StreamLimits,
  StreamValue,
} from "../../lib/store/stream.ts";
import { RespClient } from "../support/resp_client.ts";
import { startRedis } from "../support/servers.ts";
import { prng } from "../support/prng.ts";

/** Reads an RDB length at p: [value, next offset]. */
function rdbLen(b: string, p: number): [number, number] {
  const c = b.charCodeAt(p);
  const kind = c >> 6;
  if (kind === 0) return [c & 63, p + 1];
  if (kind === 1) return [((c & 63) << 8) | b.charCodeAt(p + 1), p + 2];
  if (c === 0x80) {
    let v = 0;
    for (let i = 1; i <= 4; i++) v = v * 256 + b.charCodeAt(p + i);
    return [v, p + 5];
  }
  throw new Error(`unexpected RDB length byte ${c} (compressed? run with rdbcompression no)`);
}

/** The listpack nodes in a DUMP payload of a stream (rdbcompression off). */
function dumpNodes(payload: string): [string, string][] {
  assertEquals(payload.charCodeAt(0), 19, "RDB_TYPE_STREAM_LISTPACKS_2");
  let [n, p] = rdbLen(payload, 1);
  const nodes: [string, string][] = [];
  while (n-- > 0) {
    const [kl, p1] = rdbLen(payload, p);
    const key = payload.slice(p1, p1 + kl);
    const [ll, p2] = rdbLen(payload, p1 + kl);
    nodes.push([key, payload.slice(p2, p2 + ll)]);
    p = p2 + ll;
  }
  return nodes;
}

type Op =
  | { add: [string, string[]] }
  | { del: string }
  | { trim: [maxlen: number, minId: string | null, approx: boolean, limit: number] };

const hex = (s: string) =>
  [...s].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, "0")).join("");

/** "" when equal, else the first differing offset with both sides' bytes around it. */
function firstDiff(a: string, b: string): string {
  if (a === b) return "";
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 8);
  return `at ${i} of ${a.length}/${b.length}: ${hex(a.slice(from, i + 16))} vs ${
    hex(b.slice(from, i + 16))
  }`;
}

function parse(id: string): StreamId {
  const [ms, seq] = id.split("-");
  return { ms: BigInt(ms), seq: BigInt(seq) };
}

/** Runs `ops` on a StreamValue and on Redis (with the node limits) and compares the nodes. */
async function compare(name: string, ops: Op[], limits: StreamLimits): Promise<StreamValue | null> {
  const server = await startRedis({
    args: [
      "--rdbcompression",
      "no",
      "--stream-node-max-bytes",
      String(limits.nodeMaxBytes),
      "--stream-node-max-entries",
      String(limits.nodeMaxEntries),
    ],
  });
  if (!server) return null;
  const redis = await RespClient.connect(server.port);
  const s = new StreamValue();
  try {
    for (const op of ops) {
      if ("add" in op) {
        const [id, fields] = op.add;
        await redis.value("XADD", "s", id, ...fields);
        s.append(parse(id), fields, limits);
      } else if ("del" in op) {
        const r = await redis.value("XDEL", "s", op.del);
        assertEquals(s.delete(parse(op.del)), r === 1, `${name}: XDEL ${op.del}`);
      } else {
        const [maxlen, minId, approx, limit] = op.trim;
        const args = minId === null ? ["MAXLEN", approx ? "~" : "=", String(maxlen)] : [
          "MINID",
          approx ? "~" : "=",
          minId,
        ];
        if (limit) args.push("LIMIT", String(limit));
        const r = await redis.value("XTRIM", "s", ...args);
        const mine = s.trim(maxlen, minId === null ? null : parse(minId), approx, limit);
        assertEquals(mine, r, `${name}: XTRIM ${args.join(" ")}`);
      }
    }
    assertEquals(s.length, await redis.value("XLEN", "s"), `${name}: XLEN`);
    const dump = await redis.value("DUMP", "s");
    const theirs = dump === null ? [] : dumpNodes(dump as string);
    const mine = [...s.nodes()];
    assertEquals(mine.length, theirs.length, `${name}: node count`);
    for (let i = 0; i < mine.length; i++) {
      assertEquals(hex(mine[i][0]), hex(theirs[i][0]), `${name}: node ${i} key`);
      assertEquals(firstDiff(mine[i][1], theirs[i][1]), "", `${name}: node ${i} listpack`);
    }
    // Every entry reads back as Redis replies it.
    const all = await redis.value("XRANGE", "s", "-", "+") as [string, string[]][];
    const got: [string, string[]][] = [];
    s.range(MIN_ID, MAX_ID, false, 0, (id, f) => {
      got.push([formatId(id), f]);
    });
    assertEquals(got, all, `${name}: XRANGE`);
    const rev: [string, string[]][] = [];
    s.range(MIN_ID, MAX_ID, true, 0, (id, f) => {
      rev.push([formatId(id), f]);
    });
    assertEquals(rev, all.slice().reverse(), `${name}: XREVRANGE`);
    // A rebuilt copy has the same bytes.
    const copy = StreamValue.fromNodes(mine, s.length, s.lastId);
    assert(copy !== null, `${name}: fromNodes accepts its own nodes`);
    assertEquals([...copy.nodes()], mine);
    return s;
  } finally {
    redis.close();
    await server.stop();
  }
}

const DEFAULT: StreamLimits = { nodeMaxBytes: 4096, nodeMaxEntries: 100 };

Deno.test("stream ids: keys order as ids, round trip, compare", () => {
  const ids = [MIN_ID, { ms: 0n, seq: 1n }, { ms: 1n, seq: 0n }, { ms: 255n, seq: 256n }, MAX_ID];
  for (let i = 0; i < ids.length; i++) {
    assertEquals(idFromKey(idKey(ids[i])), ids[i]);
    assertEquals(idKey(ids[i]).length, 16);
    if (i > 0) {
      assert(idKey(ids[i - 1]) < idKey(ids[i]));
      assert(compareIds(ids[i - 1], ids[i]) < 0);
    }
  }
  assertEquals(formatId(MAX_ID), "18446744073709551615-18446744073709551615");
});

Deno.test("stream listpacks: same fields, different fields, integers, long and binary values", async () => {
  const ops: Op[] = [
    { add: ["1-1", ["f1", "v1", "f2", "v2"]] },
    { add: ["1-2", ["f1", "x", "f2", "y"]] },
    { add: ["2-0", ["f1", "x"]] },
    { add: ["2-5", ["123", "-5", "f2", "99999999999"]] },
    { add: ["3-1", ["f1", "a".repeat(70), "f2", "b".repeat(5000)]] },
    { add: ["3-2", ["\x00\xff", "\r\n", "", ""]] },
    { add: ["4-0", ["f1", "-4096", "f2", "9223372036854775807"]] },
    { add: ["4-1", ["f1", "-9223372036854775808", "f2", "18446744073709551615"]] },
    { add: ["4-2", ["f1", "007", "f2", "-0"]] },
  ];
  await compare("mixed", ops, DEFAULT);
});

Deno.test("stream listpacks: node splits by entries and by bytes, big and wrapping IDs", async () => {
  const ops: Op[] = [];
  for (let i = 1; i <= 250; i++) ops.push({ add: [`${i}-${i % 7}`, ["f", String(i)]] });
  await compare("by entries", ops, DEFAULT);
  const big: Op[] = [];
  for (let i = 1; i <= 30; i++) big.push({ add: [`${i}-0`, ["f", "x".repeat(100 * i)]] });
  await compare("by bytes", big, DEFAULT);
  await compare("wrapping deltas", [
    { add: ["0-1", ["a", "1"]] },
    { add: ["5-0", ["a", "2"]] },
    { add: ["18446744073709551615-3", ["a", "3"]] },
    { add: ["18446744073709551615-18446744073709551615", ["a", "4"]] },
  ], DEFAULT);
  await compare("small limits", ops.slice(0, 40), { nodeMaxBytes: 60, nodeMaxEntries: 3 });
  await compare("no limits", ops.slice(0, 200), { nodeMaxBytes: 0, nodeMaxEntries: 0 });
});

Deno.test("stream listpacks: XDEL marks entries and frees empty nodes", async () => {
  const ops: Op[] = [];
  for (let i = 1; i <= 30; i++) ops.push({ add: [`${i}-0`, ["f", String(i)]] });
  for (const i of [2, 5, 6, 1, 3, 4, 30, 29, 17, 99]) ops.push({ del: `${i}-0` });
  await compare("xdel", ops, { nodeMaxBytes: 4096, nodeMaxEntries: 6 });
  const many: Op[] = [];
  for (let i = 1; i <= 300; i++) many.push({ add: [`${i}-0`, ["f", String(i)]] });
  for (let i = 1; i <= 200; i++) many.push({ del: `${i}-0` });
  await compare("xdel counters past 127", many, { nodeMaxBytes: 0, nodeMaxEntries: 1000 });
});

Deno.test("stream listpacks: XTRIM MAXLEN and MINID, exact and approximate, LIMIT", async () => {
  const base: Op[] = [];
  for (let i = 1; i <= 500; i++) base.push({ add: [`${i}-0`, ["f", String(i)]] });
  const lim = { nodeMaxBytes: 4096, nodeMaxEntries: 10 };
  await compare("maxlen exact", [...base, { trim: [437, null, false, 0] }], lim);
  await compare("maxlen approx", [...base, { trim: [437, null, true, 0] }], lim);
  await compare("maxlen approx limit", [...base, { trim: [100, null, true, 25] }], lim);
  await compare("minid exact", [...base, { del: "3-0" }, { trim: [0, "14-0", false, 0] }], lim);
  await compare("minid approx", [...base, { trim: [0, "257-0", true, 0] }], lim);
  await compare("trim all", [...base, { trim: [0, null, false, 0] }], lim);
  const r = prng(7);
  const mixed: Op[] = [];
  for (let i = 1; i <= 400; i++) {
    mixed.push({ add: [`${i}-0`, r() < 0.5 ? ["f", String(i)] : ["g", "x", "h", String(i)]] });
    if (r() < 0.2) mixed.push({ del: `${Math.floor(r() * i) + 1}-0` });
    if (r() < 0.05) mixed.push({ trim: [Math.floor(r() * 200), null, r() < 0.5, 0] });
  }
  await compare("random", mixed, { nodeMaxBytes: 300, nodeMaxEntries: 20 });
});

Deno.test("stream fromNodes rejects malformed listpacks", () => {
  const s = new StreamValue();
  s.append({ ms: 1n, seq: 0n }, ["a", "1", "b", "2"], DEFAULT);
  s.append({ ms: 2n, seq: 0n }, ["a", "1"], DEFAULT);
  const [[key, lp]] = [...s.nodes()];
  assert(StreamValue.fromNodes([[key, lp]], 2, s.lastId) !== null);
  assertEquals(StreamValue.fromNodes([[key, lp]], 3, s.lastId), null);
  for (let i = 0; i < lp.length; i++) {
    for (const b of [0, 1, 0x7f, 0x80, 0xf4, 0xff]) {
      const bad = lp.slice(0, i) + String.fromCharCode(b) + lp.slice(i + 1);
      // Must never throw; may accept a still-valid variant.
      StreamValue.fromNodes([[key, bad]], 2, s.lastId);
    }
    StreamValue.fromNodes([[key, lp.slice(0, i)]], 2, s.lastId);
  }
});

Deno.test("rax node count as Redis reports radix-tree-nodes", () => {
  assertEquals(raxNodeCount([]), 1);
  assertEquals(raxNodeCount([idKey({ ms: 1n, seq: 0n })]), 2);
});

Deno.test("stream clone is deep, and a rebuilt stream appends like the original", () => {
  const s = new StreamValue();
  for (let i = 1; i <= 150; i++) s.append({ ms: BigInt(i), seq: 0n }, ["f", String(i)], DEFAULT);
  const before = [...s.nodes()];
  const copy = s.clone();
  const rebuilt = StreamValue.fromNodes(before, s.length, s.lastId)!;
  for (let i = 151; i <= 260; i++) {
    s.append({ ms: BigInt(i), seq: 0n }, ["f", String(i)], DEFAULT);
    rebuilt.append({ ms: BigInt(i), seq: 0n }, ["f", String(i)], DEFAULT);
  }
  s.delete({ ms: 3n, seq: 0n });
  s.trim(0, { ms: 120n, seq: 0n }, false, 0);
  rebuilt.delete({ ms: 3n, seq: 0n });
  rebuilt.trim(0, { ms: 120n, seq: 0n }, false, 0);
  assertEquals([...copy.nodes()], before, "the clone did not change");
  assertEquals(copy.length, 150);
  assertEquals([...rebuilt.nodes()], [...s.nodes()]);
  assertEquals(s.get({ ms: 200n, seq: 0n }), ["f", "200"]);
  assertEquals(s.get({ ms: 3n, seq: 0n }), undefined);
  assertEquals(s.first(), { ms: 120n, seq: 0n });
  assertEquals(s.last(), { ms: 260n, seq: 0n });
  assertEquals(s.firstStoredId(), { ms: 101n, seq: 0n });
});
