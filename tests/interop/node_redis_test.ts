/**
 * node-redis against a redeno started by the test, in RESP2 and RESP3. The
 * same checks run against a real redis-server when one is installed.
 */
import { Buffer } from "node:buffer";
import { createClient, RESP_TYPES } from "../support/clients.ts";
import { assert, assertEquals, assertMatch } from "@std/assert";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { rejectsWith } from "../support/rejects.ts";
import { Results, sameOnRedisAndRedeno, untilBlocked } from "../support/interop_results.ts";

type Target = () => Promise<TestServer | null>;

const TARGETS: [string, Target][] = [["redeno", () => startRedeno()], [
  "redis",
  () => startRedis(),
]];

function client(port: number, resp: 2 | 3, name?: string) {
  const c = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: false, connectTimeout: 10_000 },
    RESP: resp,
    ...(name ? { name } : {}),
  });
  // node-redis throws unhandled 'error' events; record them instead.
  c.on("error", (e: Error) => console.error(`node-redis error: ${e.message}`));
  return c;
}

for (const [kind, start] of TARGETS) {
  for (const resp of [2, 3] as const) {
    Deno.test({
      name: `node-redis (RESP${resp}) against ${kind}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async (t) => {
        const server = await start();
        if (!server) return; // no redis-server outside CI (startRedis said so)
        const c = client(server.port, resp, `nr-${resp}`);
        try {
          await c.connect();

          await t.step("ping, set, get, options", async () => {
            assertEquals(await c.ping(), "PONG");
            assertEquals(await c.set("key", "value"), "OK");
            assertEquals(await c.get("key"), "value");
            assertEquals(await c.get("missing"), null);
            assertEquals(await c.set("key", "other", { NX: true }), null);
            assertEquals(await c.set("key", "other", { XX: true, GET: true }), "value");
            assertEquals(await c.set("yourkey", "lost", { PX: 500_000 }), "OK");
            assert((await c.pTTL("yourkey")) > 0);
            assertEquals(await c.getDel("yourkey"), "lost");
            assertEquals(await c.exists("yourkey"), 0);
          });

          await t.step("binary Buffers through a type mapping", async () => {
            const bin = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
            const bytes = Buffer.from([0, 255, 13, 10, 0x80, 0]);
            assertEquals(await bin.set(Buffer.from("b\x00k"), bytes), "OK");
            const back = await bin.get(Buffer.from("b\x00k"));
            assert(Buffer.isBuffer(back), "a Buffer comes back");
            assertEquals((back as Buffer).toString("hex"), bytes.toString("hex"));
            await bin.hSet("bh", "f", Buffer.from([0xfe, 0xff]));
            const hv = await bin.hGet("bh", "f");
            assertEquals((hv as unknown as Buffer).toString("hex"), "feff");
          });

          await t.step("auto-pipelined batch and multi-command helpers", async () => {
            const sets = await Promise.all(
              Array.from({ length: 500 }, (_, i) => c.set(`p:${i}`, String(i))),
            );
            assert(sets.every((r) => r === "OK"));
            const gets = await Promise.all(Array.from({ length: 500 }, (_, i) => c.get(`p:${i}`)));
            assertEquals(gets, Array.from({ length: 500 }, (_, i) => String(i)));
            assertEquals(await c.mSet({ a: "1", b: "2" }), "OK");
            assertEquals(await c.mGet(["a", "b", "nope"]), ["1", "2", null]);
            // A pipeline without MULTI.
            const replies = await c.multi().set("x", "1").incr("x").get("x").execAsPipeline();
            assertEquals(replies as unknown[], ["OK", 2, "2"]);
          });

          await t.step("numbers", async () => {
            assertEquals(await c.incr("n"), 1);
            assertEquals(await c.incrBy("n", 9), 10);
            assertEquals(await c.decrBy("n", 3), 7);
            assertEquals(String(await c.incrByFloat("n", 0.25)), "7.25");
            assertEquals(await c.getRange("n", 0, 0), "7");
            assertEquals(await c.setRange("n", 0, "8"), 4);
            assertEquals(await c.get("n"), "8.25");
          });

          await t.step("hashes", async () => {
            assertEquals(await c.hSet("user:1001", { name: "Alice", age: "30" }), 2);
            assertEquals(await c.hGet("user:1001", "name"), "Alice");
            const all = await c.hGetAll("user:1001");
            assertEquals({ ...all }, { name: "Alice", age: "30" });
            assertEquals(await c.hIncrBy("user:1001", "age", 5), 35);
            assertEquals(await c.hExists("user:1001", "name"), 1);
            assertEquals(await c.hLen("user:1001"), 2);
            assertEquals((await c.hVals("user:1001")).sort(), ["35", "Alice"]);
            assertEquals(await c.hDel("user:1001", "name"), 1);
            assertEquals(await c.hGet("user:1001", "name"), null);
            assertEquals({ ...(await c.hGetAll("nothing")) }, {});
          });

          await t.step("expiry", async () => {
            await c.set("temp", "x", { EX: 1000 });
            const ttl = await c.ttl("temp");
            assert(ttl > 0 && ttl <= 1000, `ttl ${ttl}`);
            assertEquals(await c.persist("temp"), 1);
            assertEquals(await c.ttl("temp"), -1);
            assertEquals(await c.expire("temp", 500, "NX"), 1);
            assertEquals(await c.expire("temp", 600, "NX"), 0);
            assertEquals(await c.getEx("temp", { type: "PERSIST" }), "x");
            assertEquals(await c.ttl("temp"), -1);
          });

          await t.step("errors surface as client errors", async () => {
            await c.set("s", "abc");
            await rejectsWith(c.incr("s"), /^ERR value is not an integer or out of range/);
            await rejectsWith(c.hGet("s", "f"), /^WRONGTYPE/);
            await rejectsWith(c.sendCommand(["NOSUCH", "x"]), /^ERR unknown command/);
            await rejectsWith(c.sendCommand(["GET"]), /^ERR wrong number of arguments/);
            assertEquals(await c.get("s"), "abc");
          });

          await t.step("raw sendCommand", async () => {
            assertEquals(await c.sendCommand(["SET", "raw", "v", "NX"]) as unknown, "OK");
            assertEquals(await c.sendCommand(["ECHO", "hello world"]) as unknown, "hello world");
            assertEquals(await c.sendCommand(["TYPE", "raw"]) as unknown, "string");
          });

          await t.step("client name and protocol", async () => {
            assertEquals(await c.clientGetName(), `nr-${resp}`);
            const info = await c.sendCommand(["CLIENT", "INFO"]);
            assertMatch(String(info), new RegExp(`name=nr-${resp} .*resp=${resp}`));
          });

          await t.step("RESP3 maps arrive as maps", async () => {
            if (resp !== 3) return;
            const reply = await c.sendCommand(["HGETALL", "user:1001"]);
            // RESP3: a map (object-like), not a flat array.
            assert(
              !Array.isArray(reply),
              `HGETALL in RESP3 is a map, got ${JSON.stringify(reply)}`,
            );
          });
        } finally {
          c.destroy();
          await server.stop();
        }
      },
    });
  }
}

// ------------------------------------------------------------ collections

/** Lists, sets, sorted sets, blocking pops and SORT through node-redis's own helpers. */
async function nodeRedisCollections(port: number, resp: 2 | 3): Promise<Results> {
  const c = client(port, resp);
  const out = new Results();
  await c.connect();
  // Blocking commands need a connection of their own.
  const b = c.duplicate();
  await b.connect();
  const blocked = (n: number) => untilBlocked(() => c.info("clients"), n);
  try {
    await c.flushAll();

    // lists
    await out.add("lPush", c.lPush("l", ["a", "b", "c"]));
    await out.add("rPush", c.rPush("l", ["d", "e", "x", "x"]));
    await out.add("lRange", c.lRange("l", 0, -1));
    await out.add("lRange tail", c.lRange("l", -3, 100));
    await out.add("rPop", c.rPop("l"));
    await out.add("lPopCount", c.lPopCount("l", 2));
    await out.add("lLen", c.lLen("l"));
    await out.add("lIndex", c.lIndex("l", -1));
    await out.add("lInsert", c.lInsert("l", "BEFORE", "d", "x"));
    await out.add("lPos", c.lPos("l", "x", { RANK: -1 }));
    await out.add("lPosCount", c.lPosCount("l", "x", 0, { MAXLEN: 10 }));
    await out.add("lSet", c.lSet("l", 0, "A"));
    await out.add("lSet out of range", c.lSet("l", 99, "A"));
    await out.add("lRem", c.lRem("l", -1, "x"));
    await out.add("lMove", c.lMove("l", "l2", "LEFT", "RIGHT"));
    await out.add("rPopLPush", c.rPopLPush("l", "l2"));
    await out.add("lRange l2", c.lRange("l2", 0, -1));
    await out.add("lTrim", c.lTrim("l", 0, 0));
    await out.add("lmPop", c.lmPop(["nolist", "l2"], "RIGHT", { COUNT: 5 }));
    await out.add("lmPop empty", c.lmPop("nolist", "LEFT"));
    await out.add("exists l2 (emptied)", c.exists("l2"));
    await out.add("wrong type", c.sAdd("l", "m"));

    // sets (intsets reply in order; hashtable sets are sorted here)
    await out.add("sAdd ints", c.sAdd("si", ["3", "1", "2", "10", "-5"]));
    await out.add("sMembers intset", c.sMembers("si"));
    await out.add("sAdd", c.sAdd("s1", ["a", "b", "c", "d"]));
    await out.add("sAdd again", c.sAdd("s2", ["c", "d", "e"]));
    await out.add("sMembers", c.sMembers("s1").then((m) => [...m].sort()));
    await out.add("sInter", c.sInter(["s1", "s2"]).then((m) => [...m].sort()));
    await out.add("sUnion", c.sUnion(["s1", "s2"]).then((m) => [...m].sort()));
    await out.add("sDiff", c.sDiff(["s1", "s2"]).then((m) => [...m].sort()));
    await out.add("sInterStore", c.sInterStore("s3", ["s1", "s2"]));
    await out.add("sInterCard", c.sInterCard(["s1", "s2"], { LIMIT: 1 }));
    await out.add("sIsMember", c.sIsMember("s1", "a"));
    await out.add("smIsMember", c.smIsMember("s1", ["a", "z"]));
    await out.add("sCard", c.sCard("s1"));
    await out.add("sMove", c.sMove("s1", "si", "a"));
    await out.add("sRem", c.sRem("s2", ["c", "zz"]));
    await out.add("sPopCount all", c.sPopCount("s3", 10).then((m) => [...m].sort()));
    await out.add("sRandMemberCount", c.sRandMemberCount("s1", -7).then((m) => m.length));
    await c.sAdd("big", Array.from({ length: 600 }, (_, i) => `m${i}`));
    const scanned = new Set<string>();
    for await (const members of c.sScanIterator("big", { COUNT: 50 })) {
      for (const m of members) scanned.add(m);
    }
    await out.add("sScanIterator", [scanned.size, [...scanned].sort().slice(0, 3)]);

    // sorted sets
    await out.add(
      "zAdd",
      c.zAdd("z", [{ score: 1, value: "a" }, { score: 2, value: "b" }, { score: 3, value: "c" }, {
        score: 2.5,
        value: "d",
      }]),
    );
    await out.add(
      "zAdd NX CH",
      c.zAdd("z", [{ score: 10, value: "a" }, { score: 4, value: "e" }], {
        condition: "NX",
        CH: true,
      }),
    );
    await out.add(
      "zAdd XX GT CH",
      c.zAdd("z", [{ score: 0, value: "b" }, { score: 5, value: "c" }], {
        condition: "XX",
        comparison: "GT",
        CH: true,
      }),
    );
    await out.add("zAddIncr", c.zAddIncr("z", { score: 0.25, value: "d" }));
    await out.add("zIncrBy", c.zIncrBy("z", 1000, "e"));
    await out.add("zScore", c.zScore("z", "d"));
    await out.add("zmScore", c.zmScore("z", ["a", "nope", "e"]));
    await out.add("zRange", c.zRange("z", 0, -1));
    await out.add("zRangeWithScores", c.zRangeWithScores("z", 0, -1));
    await out.add("zRange BY SCORE", c.zRange("z", "(1", "+inf", { BY: "SCORE" }));
    await out.add(
      "zRangeWithScores BY SCORE REV LIMIT",
      c.zRangeWithScores("z", "+inf", "-inf", {
        BY: "SCORE",
        REV: true,
        LIMIT: { offset: 1, count: 2 },
      }),
    );
    await out.add("zRangeByScore", c.zRangeByScore("z", 2, 5, { LIMIT: { offset: 0, count: 2 } }));
    await out.add("zRank", c.zRank("z", "c"));
    await out.add("zRevRank", c.zRevRank("z", "c"));
    await out.add("zCount", c.zCount("z", "(2", 5));
    await c.zAdd(
      "lex",
      ["apple", "banana", "cherry", "date"].map((value) => ({ score: 0, value })),
    );
    await out.add("zRangeByLex", c.zRangeByLex("lex", "[b", "(d"));
    await out.add(
      "zRange BY LEX REV",
      c.zRange("lex", "+", "[b", { BY: "LEX", REV: true, LIMIT: { offset: 0, count: 2 } }),
    );
    await out.add("zLexCount", c.zLexCount("lex", "-", "+"));
    await out.add(
      "zRangeStore",
      c.zRangeStore("zs", "z", 1, 3, { BY: "SCORE", LIMIT: { offset: 0, count: 2 } }),
    );
    await out.add("zRangeStore result", c.zRangeWithScores("zs", 0, -1));
    await out.add(
      "zUnionStore weights",
      c.zUnionStore("zu", [{ key: "z", weight: 1 }, { key: "zs", weight: 2 }]),
    );
    await out.add("zUnionStore result", c.zRangeWithScores("zu", 0, -1));
    await out.add("zInterWithScores", c.zInterWithScores(["z", "zs"], { AGGREGATE: "MAX" }));
    await out.add("zDiff", c.zDiff(["z", "zs"]));
    await out.add("zInterCard", c.zInterCard(["z", "zu"]));
    await out.add("zPopMin", c.zPopMin("z"));
    await out.add("zPopMaxCount", c.zPopMaxCount("z", 2));
    await out.add("zmPop", c.zmPop(["nozset", "z"], "MIN", { COUNT: 1 }));
    await out.add("zRandMemberCount", c.zRandMemberCount("zu", -5).then((m) => m.length));
    await out.add("zRemRangeByScore", c.zRemRangeByScore("zu", "-inf", "(3"));
    await out.add("zRemRangeByRank", c.zRemRangeByRank("zu", 0, 0));
    await out.add("zRem", c.zRem("zu", ["e", "nope"]));
    await out.add("zCard", c.zCard("zu"));
    await out.add(
      "zAdd inf",
      c.zAdd("zinf", [{ score: -Infinity, value: "lo" }, { score: Infinity, value: "hi" }, {
        score: 0.1,
        value: "mid",
      }]),
    );
    await out.add("zRangeWithScores inf", c.zRangeWithScores("zinf", 0, -1));
    await out.add("zIncrBy to NaN", c.zIncrBy("zinf", -Infinity, "hi"));

    // blocking pops, served by pushes from the other connection
    const blPop = b.blPop(["q1", "q2"], 0);
    await blocked(1);
    await out.add("rPush to a waiter", c.rPush("q2", ["first", "second"]));
    await out.add("blPop served", blPop);
    await out.add("left for others", c.lRange("q2", 0, -1));
    const blMove = b.blMove("src", "dst", "RIGHT", "LEFT", 0);
    await blocked(1);
    await c.rPush("src", ["a", "b"]);
    await out.add("blMove served", blMove);
    await out.add("blMove moved", c.lRange("dst", 0, -1));
    const bzPopMin = b.bzPopMin("bz", 0);
    await blocked(1);
    await c.zAdd("bz", [{ score: 2, value: "two" }, { score: 1, value: "one" }]);
    await out.add("bzPopMin served", bzPopMin);
    await out.add("bzPopMax at once", b.bzPopMax(["bz", "other"], 0));
    await out.add("brPop timeout", b.brPop("nothing", 0.01));
    await out.add("bzPopMin timeout", b.bzPopMin("nothing", 0.01));
    await out.add("blPop bad timeout", b.blPop("q1", -1));

    // SORT
    await c.rPush("nums", ["3", "10", "1", "2.5"]);
    await out.add("sort", c.sort("nums"));
    await out.add(
      "sort DESC LIMIT",
      c.sort("nums", { LIMIT: { offset: 0, count: 2 }, DIRECTION: "DESC" }),
    );
    await c.rPush("words", ["pear", "Apple", "fig"]);
    await out.add("sort ALPHA", c.sort("words", { ALPHA: true }));
    await out.add("sort not numbers", c.sort("words"));
    await c.mSet({ w_pear: "3", w_Apple: "1", w_fig: "2" });
    await c.hSet("h_pear", "n", "PEAR");
    await out.add("sort BY GET", c.sort("words", { BY: "w_*", GET: ["#", "h_*->n"] }));
    await out.add("sortStore", c.sortStore("si", "sorted", { DIRECTION: "DESC", ALPHA: true }));
    await out.add("sorted", c.lRange("sorted", 0, -1));
    await out.add("sort zset nosort", c.sort("zinf", { BY: "nosort" }));
    await out.add("sortRo", c.sortRo("nums", { LIMIT: { offset: 1, count: 2 } }));
  } finally {
    b.destroy();
    c.destroy();
  }
  return out;
}

for (const resp of [2, 3] as const) {
  Deno.test({
    name: `node-redis (RESP${resp}): lists, sets, sorted sets, blocking pops and SORT as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((server) => nodeRedisCollections(server.port, resp)),
  });
}
