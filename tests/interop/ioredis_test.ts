/**
 * ioredis against a redeno started by the test, in RESP2 and RESP3 (ioredis's
 * default, via HELLO 3). The same checks also run against a real
 * redis-server when one is installed, which keeps the expectations honest.
 */
import { Buffer } from "node:buffer";
import { Redis } from "../support/clients.ts";
import { assert, assertEquals, assertMatch } from "@std/assert";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { rejectsWith } from "../support/rejects.ts";
import { Results, sameOnRedisAndRedeno, untilBlocked } from "../support/interop_results.ts";

type Target = () => Promise<TestServer | null>;

const TARGETS: [string, Target][] = [["redeno", () => startRedeno()], [
  "redis",
  () => startRedis(),
]];

function connect(port: number, protocol: 2 | 3, extra: Record<string, unknown> = {}): Redis {
  return new Redis({
    host: "127.0.0.1",
    port,
    protocol,
    // Fail fast instead of retrying forever when something is wrong.
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 10_000,
    lazyConnect: true,
    ...extra,
  });
}

for (const [kind, start] of TARGETS) {
  for (const protocol of [2, 3] as const) {
    Deno.test({
      name: `ioredis (RESP${protocol}) against ${kind}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async (t) => {
        const server = await start();
        if (!server) return; // no redis-server outside CI (startRedis said so)
        const redis = connect(server.port, protocol, { connectionName: `io-${protocol}` });
        try {
          await redis.connect();

          await t.step("ping, set, get", async () => {
            assertEquals(await redis.ping(), "PONG");
            assertEquals(await redis.set("greeting", "hello"), "OK");
            assertEquals(await redis.get("greeting"), "hello");
            assertEquals(await redis.get("missing"), null);
            assertEquals(await redis.set("greeting", "bye", "NX"), null);
            assertEquals(await redis.set("greeting", "héllo wörld"), "OK");
            assertEquals(await redis.get("greeting"), "héllo wörld");
            assertEquals(await redis.strlen("greeting"), 13);
            assertEquals(await redis.append("greeting", "!"), 14);
          });

          await t.step("binary Buffers round-trip", async () => {
            const bytes = Buffer.from([0, 255, 13, 10, 0x80, 0x2a, 0x24, 0]);
            const key = Buffer.from([0xff, 0, 0x0d, 0x0a]);
            assertEquals(await redis.set(key, bytes), "OK");
            const back = await redis.getBuffer(key);
            assert(
              back !== null && Buffer.compare(back, bytes) === 0,
              `got ${back?.toString("hex")}`,
            );
            const big = Buffer.alloc(200_000);
            for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
            await redis.set("big", big);
            const bigBack = await redis.getBuffer("big");
            assert(bigBack !== null && Buffer.compare(bigBack, big) === 0);
            await redis.hset("bh", Buffer.from([1, 2]), Buffer.from([0, 0xfe]));
            const hv = await redis.hgetBuffer("bh", Buffer.from([1, 2]));
            assertEquals(hv?.toString("hex"), "00fe");
          });

          await t.step("numbers", async () => {
            assertEquals(await redis.incr("n"), 1);
            assertEquals(await redis.incrby("n", 41), 42);
            assertEquals(await redis.decrby("n", 2), 40);
            assertEquals(await redis.incrbyfloat("n", "0.5"), "40.5");
            assertEquals(await redis.getrange("n", 0, 1), "40");
            await redis.set("bigint", "9223372036854775806");
            await redis.incr("bigint"); // the reply is a lossy JS number in ioredis
            assertEquals(await redis.get("bigint"), "9223372036854775807");
            await rejectsWith(redis.incr("bigint"), /increment or decrement would overflow/);
          });

          await t.step("pipeline of 1000 commands", async () => {
            const p = redis.pipeline();
            for (let i = 0; i < 500; i++) p.set(`p:${i}`, `v${i}`);
            for (let i = 0; i < 500; i++) p.get(`p:${i}`);
            const results = await p.exec();
            assert(results !== null);
            assertEquals(results.length, 1000);
            for (let i = 0; i < 500; i++) {
              assertEquals(results[i], [null, "OK"]);
              assertEquals(results[500 + i], [null, `v${i}`]);
            }
            // An error inside a pipeline is reported for its command only.
            const mixed = await redis.pipeline().set("s", "x").incr("s").get("s").exec();
            assert(mixed !== null);
            assertEquals(mixed[0], [null, "OK"]);
            assertMatch((mixed[1][0] as Error).message, /not an integer/);
            assertEquals(mixed[2], [null, "x"]);
          });

          await t.step("many concurrent commands on one connection", async () => {
            const replies = await Promise.all(
              Array.from({ length: 300 }, (_, i) => redis.echo(`m${i}`)),
            );
            assertEquals(replies, Array.from({ length: 300 }, (_, i) => `m${i}`));
            assertEquals(await redis.mset({ ma: "1", mb: "2", mc: "3" }), "OK");
            assertEquals(await redis.mget("ma", "mb", "nope", "mc"), ["1", "2", null, "3"]);
          });

          await t.step("hashes", async () => {
            assertEquals(await redis.hset("user:1", { name: "Alice", age: "30" }), 2);
            assertEquals(await redis.hget("user:1", "name"), "Alice");
            assertEquals(await redis.hgetall("user:1"), { name: "Alice", age: "30" });
            assertEquals(await redis.hincrby("user:1", "age", 1), 31);
            assertEquals(await redis.hincrbyfloat("user:1", "score", "1.5"), "1.5");
            assertEquals(await redis.hexists("user:1", "name"), 1);
            assertEquals(await redis.hlen("user:1"), 3);
            assertEquals((await redis.hkeys("user:1")).sort(), ["age", "name", "score"]);
            assertEquals(await redis.hmget("user:1", "name", "nope"), ["Alice", null]);
            assertEquals(await redis.hdel("user:1", "name", "nope"), 1);
            assertEquals(await redis.hgetall("nothing"), {});
          });

          await t.step("expiry", async () => {
            await redis.set("temp", "x", "EX", 1000);
            const ttl = await redis.ttl("temp");
            assert(ttl > 0 && ttl <= 1000, `ttl ${ttl}`);
            assertEquals(await redis.persist("temp"), 1);
            assertEquals(await redis.ttl("temp"), -1);
            assertEquals(await redis.pexpire("temp", 5_000_000), 1);
            assert((await redis.pttl("temp")) > 0);
            assertEquals(await redis.expire("temp", 100, "GT"), 0);
            assertEquals(await redis.ttl("nope"), -2);
            // Expiring in the past deletes at once.
            assertEquals(await redis.expireat("temp", 1), 1);
            assertEquals(await redis.exists("temp"), 0);
          });

          await t.step("errors surface as client errors", async () => {
            await redis.set("str", "abc");
            await rejectsWith(redis.incr("str"), /^ERR value is not an integer or out of range/);
            await rejectsWith(redis.hget("str", "f"), /^WRONGTYPE/);
            await rejectsWith(redis.call("NOSUCHCOMMAND", "a"), /^ERR unknown command/);
            await rejectsWith(redis.call("GET"), /^ERR wrong number of arguments for 'get'/);
            // The connection is still fine afterwards.
            assertEquals(await redis.get("str"), "abc");
          });

          await t.step("keys and types", async () => {
            assertEquals(await redis.type("str"), "string");
            assertEquals(await redis.type("user:1"), "hash");
            assertEquals(await redis.type("nope"), "none");
            assertEquals(await redis.rename("str", "str2"), "OK");
            assertEquals(await redis.exists("str", "str2"), 1);
            assertEquals(await redis.del("str2", "nope"), 1);
            assert((await redis.dbsize()) > 0);
          });

          await t.step("client name set on connect", async () => {
            assertEquals(await redis.client("GETNAME"), `io-${protocol}`);
            assertEquals(await redis.client("SETNAME", "renamed"), "OK");
            assertEquals(await redis.client("GETNAME"), "renamed");
          });

          await t.step("a second client sees the first one's writes", async () => {
            const other = connect(server.port, protocol);
            try {
              await other.connect();
              await redis.set("shared", "1");
              assertEquals(await other.get("shared"), "1");
              await other.select(1);
              assertEquals(await other.get("shared"), null);
            } finally {
              other.disconnect();
            }
          });
        } finally {
          redis.disconnect();
          await server.stop();
        }
      },
    });
  }
}

// ------------------------------------------------------------ collections

/** Lists, sets, sorted sets, blocking pops and SORT through ioredis's own helpers. */
async function ioredisCollections(port: number, protocol: 2 | 3): Promise<Results> {
  const r = connect(port, protocol);
  const b = connect(port, protocol);
  const out = new Results();
  try {
    await r.connect();
    await b.connect();
    await r.flushall();

    // lists
    await out.add("lpush", r.lpush("l", "a", "b", "c"));
    await out.add("rpush", r.rpush("l", "d", "e", "x", "x"));
    await out.add("lrange", r.lrange("l", 0, -1));
    await out.add("lrange tail", r.lrange("l", -3, 100));
    await out.add("rpop", r.rpop("l"));
    await out.add("lpop count", r.lpop("l", 2));
    await out.add("llen", r.llen("l"));
    await out.add("lindex", r.lindex("l", -1));
    await out.add("linsert", r.linsert("l", "BEFORE", "d", "x"));
    await out.add("lpos", r.lpos("l", "x"));
    await out.add("lpos rank count", r.lpos("l", "x", "RANK", -1, "COUNT", 0));
    await out.add("lset", r.lset("l", 0, "A"));
    await out.add("lset out of range", r.lset("l", 99, "A"));
    await out.add("lrem", r.lrem("l", -1, "x"));
    await out.add("lmove", r.lmove("l", "l2", "LEFT", "RIGHT"));
    await out.add("rpoplpush", r.rpoplpush("l", "l2"));
    await out.add("lrange l2", r.lrange("l2", 0, -1));
    await out.add("ltrim", r.ltrim("l", 0, 0));
    await out.add("lmpop", r.lmpop(2, "nolist", "l2", "RIGHT", "COUNT", 5));
    await out.add("lmpop empty", r.lmpop(1, "nolist", "LEFT"));
    await out.add("exists l2 (emptied)", r.exists("l2"));
    await out.add("lpushx missing", r.lpushx("nolist", "v"));
    await r.rpush(Buffer.from("bl\x00"), Buffer.from([0, 0xff, 0x0d, 0x0a]), Buffer.from([]));
    await out.add("lrangeBuffer", r.lrangeBuffer(Buffer.from("bl\x00"), 0, -1));
    await out.add("wrong type", r.lpush("l", "v").then(() => r.sadd("l", "m")));

    // sets (intsets reply in order; hashtable sets are sorted here)
    await out.add("sadd ints", r.sadd("si", 3, 1, 2, 10, -5));
    await out.add("smembers intset", r.smembers("si"));
    await out.add("sadd", r.sadd("s1", "a", "b", "c", "d"));
    await out.add("sadd again", r.sadd("s2", "c", "d", "e"));
    await out.add("smembers", r.smembers("s1").then((m) => m.sort()));
    await out.add("sinter", r.sinter("s1", "s2").then((m) => m.sort()));
    await out.add("sunion", r.sunion("s1", "s2").then((m) => m.sort()));
    await out.add("sdiff", r.sdiff("s1", "s2").then((m) => m.sort()));
    await out.add("sinterstore", r.sinterstore("s3", "s1", "s2"));
    await out.add("sintercard", r.sintercard(2, "s1", "s2", "LIMIT", 1));
    await out.add("sismember", r.sismember("s1", "a"));
    await out.add("smismember", r.smismember("s1", "a", "z"));
    await out.add("scard", r.scard("s1"));
    await out.add("smove", r.smove("s1", "si", "a"));
    await out.add("object encoding after smove", r.object("ENCODING", "si"));
    await out.add("srem", r.srem("s2", "c", "zz"));
    await out.add("spop all", r.spop("s3", 10).then((m) => m.sort()));
    await out.add("srandmember count", r.srandmember("s1", 2).then((m) => m.length));
    await r.sadd("big", ...Array.from({ length: 600 }, (_, i) => `m${i}`));
    const scanned = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const stream = r.sscanStream("big", { count: 50 });
      stream.on("data", (keys: string[]) => keys.forEach((k) => scanned.add(k)));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    await out.add("sscanStream", [scanned.size, [...scanned].sort().slice(0, 3)]);

    // sorted sets
    await out.add("zadd", r.zadd("z", 1, "a", 2, "b", 3, "c", 2.5, "d"));
    await out.add("zadd NX CH", r.zadd("z", "NX", "CH", 10, "a", 4, "e"));
    await out.add("zadd XX GT CH", r.zadd("z", "XX", "GT", "CH", 0, "b", 5, "c"));
    await out.add("zadd INCR", r.zadd("z", "INCR", 0.25, "d"));
    await out.add("zadd LT+GT", r.zadd("z", "LT", "GT", 1, "a"));
    await out.add("zincrby", r.zincrby("z", "1e3", "e"));
    await out.add("zscore", r.zscore("z", "d"));
    await out.add("zmscore", r.zmscore("z", "a", "nope", "e"));
    await out.add("zrange", r.zrange("z", 0, "-1"));
    await out.add("zrange withscores", r.zrange("z", 0, "-1", "WITHSCORES"));
    await out.add("zrange byscore", r.zrange("z", "(1", "+inf", "BYSCORE"));
    await out.add(
      "zrange byscore rev limit withscores",
      r.zrange("z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 1, 2, "WITHSCORES"),
    );
    await out.add("zrangebyscore", r.zrangebyscore("z", 2, 5, "WITHSCORES", "LIMIT", 0, 2));
    await out.add("zrevrange", r.zrevrange("z", 0, 1, "WITHSCORES"));
    await out.add("zrank", r.zrank("z", "c"));
    await out.add("zrevrank", r.zrevrank("z", "c"));
    await out.add("zcount", r.zcount("z", "(2", 5));
    await r.zadd("lex", 0, "apple", 0, "banana", 0, "cherry", 0, "date");
    await out.add("zrangebylex", r.zrangebylex("lex", "[b", "(d"));
    await out.add("zrange bylex rev", r.zrange("lex", "+", "[b", "BYLEX", "REV", "LIMIT", 0, 2));
    await out.add("zlexcount", r.zlexcount("lex", "-", "+"));
    await out.add("zrangestore", r.zrangestore("zs", "z", 1, 3, "BYSCORE", "LIMIT", 0, 2));
    await out.add("zrangestore result", r.zrange("zs", 0, "-1", "WITHSCORES"));
    await out.add("zunionstore", r.zunionstore("zu", 2, "z", "zs", "WEIGHTS", 1, 2));
    await out.add("zunionstore result", r.zrange("zu", 0, "-1", "WITHSCORES"));
    await out.add("zinter", r.zinter(2, "z", "zs", "AGGREGATE", "MAX", "WITHSCORES"));
    await out.add("zdiff", r.zdiff(2, "z", "zs"));
    await out.add("zintercard", r.zintercard(2, "z", "zu"));
    await out.add("zpopmin", r.zpopmin("z"));
    await out.add("zpopmax count", r.zpopmax("z", 2));
    await out.add("zmpop", r.zmpop(2, "nozset", "z", "MIN", "COUNT", 1));
    await out.add("zrandmember count", r.zrandmember("zu", -5).then((m) => m.length));
    await out.add("zremrangebyscore", r.zremrangebyscore("zu", "-inf", "(3"));
    await out.add("zremrangebyrank", r.zremrangebyrank("zu", 0, 0));
    await out.add("zrem", r.zrem("zu", "e", "nope"));
    await out.add("zcard", r.zcard("zu"));
    await out.add("zadd inf", r.zadd("zinf", "-inf", "lo", "+inf", "hi", "0.1", "mid"));
    await out.add("zrange inf withscores", r.zrange("zinf", 0, "-1", "WITHSCORES"));
    await out.add("zadd nan", r.zadd("zinf", "nan", "x"));
    await out.add("zincrby to nan", r.zincrby("zinf", "-inf", "hi"));

    // blocking pops, served by pushes from the other connection
    const blpop = b.blpop("q1", "q2", 0);
    await untilBlocked(() => r.info("clients"), 1);
    await out.add("rpush to a waiter", r.rpush("q2", "first", "second"));
    await out.add("blpop served", blpop);
    await out.add("left for others", r.lrange("q2", 0, -1));
    const blmove = b.blmove("src", "dst", "RIGHT", "LEFT", 0);
    await untilBlocked(() => r.info("clients"), 1);
    await r.rpush("src", "a", "b");
    await out.add("blmove served", blmove);
    await out.add("blmove moved", r.lrange("dst", 0, -1));
    const bzpopmin = b.bzpopmin("bz", 0);
    await untilBlocked(() => r.info("clients"), 1);
    await r.zadd("bz", 2, "two", 1, "one");
    await out.add("bzpopmin served", bzpopmin);
    const bzpopmax = b.bzpopmax("bz", "other", 0);
    await out.add("bzpopmax at once", bzpopmax);
    await out.add("brpop timeout", b.brpop("nothing", 0.01));
    await out.add("bzpopmin timeout", b.bzpopmin("nothing", 0.01));
    await out.add("blpop bad timeout", b.blpop("q1", -1));

    // SORT
    await r.rpush("nums", "3", "10", "1", "2.5");
    await out.add("sort", r.sort("nums"));
    await out.add("sort desc limit", r.sort("nums", "LIMIT", 0, 2, "DESC"));
    await r.rpush("words", "pear", "Apple", "fig");
    await out.add("sort alpha", r.sort("words", "ALPHA"));
    await out.add("sort not numbers", r.sort("words"));
    await r.mset({ "w_pear": 3, "w_Apple": 1, "w_fig": 2 });
    await r.hset("h_pear", "n", "PEAR");
    await out.add("sort by get", r.sort("words", "BY", "w_*", "GET", "#", "GET", "h_*->n"));
    await out.add("sort store", r.sort("si", "DESC", "ALPHA", "STORE", "sorted"));
    await out.add("sort stored", r.lrange("sorted", 0, -1));
    await out.add("sort zset", r.sort("zinf", "BY", "nosort"));
    await out.add("sort_ro", r.sort_ro("nums", "LIMIT", 1, 2));
  } finally {
    r.disconnect();
    b.disconnect();
  }
  return out;
}

for (const protocol of [2, 3] as const) {
  Deno.test({
    name: `ioredis (RESP${protocol}): lists, sets, sorted sets, blocking pops and SORT as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((server) => ioredisCollections(server.port, protocol)),
  });
}
