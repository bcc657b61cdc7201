/**
 * node-redis against a redeno started by the test, in RESP2 and RESP3. The
 * same checks run against a real redis-server when one is installed.
 */
import { Buffer } from "node:buffer";
import { createClient, RESP_TYPES } from "../support/clients.ts";
import { assert, assertEquals, assertMatch } from "@std/assert";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { rejectsWith } from "../support/rejects.ts";

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
