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
