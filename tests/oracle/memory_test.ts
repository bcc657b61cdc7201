/**
 * Memory accounting (lib/server/memory.ts): INFO memory's fields as Redis
 * 7.0 prints them, and used_memory that follows the data set — it grows as
 * keys are added or grown in place, falls back after DEL, FLUSHALL and
 * expiry, stays right across SWAPDB / MOVE / RENAME, and MEMORY USAGE of a
 * key is what the key adds to it.
 *
 * The data part is read as used_memory minus mem_clients_normal (from the
 * same INFO reply): client buffers are accounted by the client cron, at
 * moments a test does not choose.
 */
import { assert, assertEquals } from "@std/assert";
import { oracleTest } from "../support/oracle.ts";
import { parseInfo, type RespClient } from "../support/resp_client.ts";
import { startRedeno, type TestServer } from "../support/servers.ts";
import { RespClient as Client } from "../support/resp_client.ts";

/** Field names of an INFO section, in order. */
function fieldNames(text: string): string[] {
  return text.split("\r\n").filter((l) => l !== "" && !l.startsWith("#")).map((l) =>
    l.slice(0, l.indexOf(":"))
  );
}

/** The body of a bulk reply. */
function bulk(raw: string): string {
  return raw.slice(raw.indexOf("\r\n") + 2, -2);
}

/** An integer reply's value. */
function int(raw: string): number {
  assert(raw.startsWith(":"), `integer reply expected, got ${JSON.stringify(raw)}`);
  return Number(raw.slice(1, -2));
}

/** used_memory without the clients' part, and the INFO memory fields. */
async function dataUsed(c: RespClient): Promise<number> {
  const info = parseInfo(bulk(await c.call("INFO", "memory")));
  return Number(info.get("used_memory")) - Number(info.get("mem_clients_normal")) -
    Number(info.get("mem_aof_buffer"));
}

async function usage(c: RespClient, key: string): Promise<number> {
  return int(await c.call("MEMORY", "USAGE", key));
}

async function withRedeno(fn: (c: RespClient, s: TestServer) => Promise<void>): Promise<void> {
  const s = await startRedeno();
  const c = await Client.connect(s.port);
  try {
    await fn(c, s);
  } finally {
    c.close();
    await s.stop();
  }
}

oracleTest("oracle: INFO memory fields and MEMORY USAGE replies as Redis's", async (o) => {
  const [mine, theirs] = await Promise.all([
    o.redeno.call("INFO", "memory"),
    o.redis.call("INFO", "memory"),
  ]);
  assertEquals(fieldNames(bulk(mine)), fieldNames(bulk(theirs)));
  await o.sameAll([
    ["SET", "k", "v"],
    ["MEMORY", "USAGE", "missing"],
    ["MEMORY", "USAGE", "k", "SAMPLES"],
    ["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
    ["MEMORY", "USAGE", "k", "SAMPLES", "x"],
    ["MEMORY", "USAGE", "k", "FOO", "1"],
    ["MEMORY", "USAGE"],
  ]);
  // Both answer an integer for a present key, with or without SAMPLES.
  for (const c of [o.redeno, o.redis]) {
    assert(int(await c.call("MEMORY", "USAGE", "k")) > 0);
    assert(int(await c.call("MEMORY", "USAGE", "k", "SAMPLES", "0")) > 0);
  }
  // The same fields on both, and the same keys.count, once there are keys.
  const [a, b] = await Promise.all([
    o.redeno.value("MEMORY", "STATS"),
    o.redis.value("MEMORY", "STATS"),
  ]);
  const names = (v: unknown) => (v as unknown[]).filter((_, i) => i % 2 === 0);
  assertEquals(names(a), names(b));
});

Deno.test("used_memory: MEMORY USAGE is what a key adds; DEL and FLUSHALL give it back", async () => {
  await withRedeno(async (c) => {
    const empty = await dataUsed(c);
    const startup = Number(
      parseInfo(bulk(await c.call("INFO", "memory"))).get("used_memory_startup"),
    );
    assertEquals(empty, startup, "an empty server holds its startup baseline");
    await c.call("SET", "plain", "x".repeat(100));
    assertEquals(await dataUsed(c) - empty, await usage(c, "plain"));
    await c.call("SET", "other", "12345");
    const two = await dataUsed(c);
    assertEquals(two - empty, (await usage(c, "plain")) + (await usage(c, "other")));
    // An expiry entry costs a fixed amount beyond the key.
    await c.call("EXPIRE", "other", "1000");
    const withTtl = await dataUsed(c);
    assert(withTtl > two);
    await c.call("PERSIST", "other");
    assertEquals(await dataUsed(c), two);
    // Overwriting replaces the old value's share.
    await c.call("SET", "plain", "y");
    assertEquals(await dataUsed(c) - empty, (await usage(c, "plain")) + (await usage(c, "other")));
    await c.call("DEL", "plain", "other");
    assertEquals(await dataUsed(c), empty);
    // Many keys of every type, then FLUSHALL.
    const cmds: string[][] = [];
    for (let i = 0; i < 500; i++) {
      cmds.push(["SET", `s:${i}`, `value-${i}`]);
      cmds.push(["HSET", `h:${i % 20}`, `f${i}`, `v${i}`]);
      cmds.push(["RPUSH", `l:${i % 20}`, `e${i}`]);
      cmds.push(["SADD", `t:${i % 20}`, `m${i}`]);
      cmds.push(["ZADD", `z:${i % 20}`, String(i), `m${i}`]);
      cmds.push(["XADD", `x:${i % 20}`, "*", "f", `v${i}`]);
    }
    await c.pipeline(cmds);
    const full = await dataUsed(c);
    assert(full - empty > 500 * 50, `used_memory grew by ${full - empty}`);
    const keys = (await c.value("KEYS", "*")) as string[];
    let sum = 0;
    for (const k of keys) sum += await usage(c, k);
    assertEquals(full - empty, sum, "used_memory's data part is the sum of MEMORY USAGE");
    await c.call("FLUSHALL");
    assertEquals(await dataUsed(c), empty);
  });
});

Deno.test("used_memory: values grown in place are counted (APPEND HSET RPUSH SADD ZADD XADD SETRANGE)", async () => {
  await withRedeno(async (c) => {
    const empty = await dataUsed(c);
    const grow: [string, (i: number) => string[]][] = [
      ["str", (i) => ["APPEND", "str", "x".repeat(50 + i)]],
      ["rng", (i) => ["SETRANGE", "rng", String(i * 100), "y".repeat(100)]],
      ["hash", (i) => ["HSET", "hash", `field-${i}`, "v".repeat(20)]],
      ["list", () => ["RPUSH", "list", "e".repeat(30), "f".repeat(30)]],
      ["set", (i) => ["SADD", "set", `member-${i}`]],
      ["zset", (i) => ["ZADD", "zset", String(i), `member-${i}`]],
      ["stream", (i) => ["XADD", "stream", "*", "field", `value-${i}`]],
    ];
    for (const [key, cmd] of grow) {
      const before = await dataUsed(c);
      let last = -1;
      // Past the listpack limits: the hashtable / skiplist forms are counted as well.
      for (let i = 0; i < 300; i++) {
        await c.call(...cmd(i));
        if (i % 100 === 99) {
          const now = await dataUsed(c);
          // (A string buffer grows by doubling: it may not grow every time.)
          assert(now >= last, `${key}: ${now} >= ${last} after ${i + 1} writes`);
          last = now;
          assertEquals(now - before, await usage(c, key), `${key}: MEMORY USAGE = the growth`);
        }
      }
      assert(last - before > 300 * 10, `${key} grew by ${last - before}`);
    }
    // Shrinking in place gives memory back.
    const before = await dataUsed(c);
    await c.call("LTRIM", "list", "0", "9");
    await c.call("HDEL", "hash", ...Array.from({ length: 290 }, (_, i) => `field-${i}`));
    await c.call("XTRIM", "stream", "MAXLEN", "0");
    assert(await dataUsed(c) < before);
    await c.call("FLUSHALL");
    assertEquals(await dataUsed(c), empty);
  });
});

Deno.test("used_memory: SWAPDB, MOVE, RENAME, COPY and FLUSHDB keep the total right", async () => {
  await withRedeno(async (c) => {
    const empty = await dataUsed(c);
    const cmds: string[][] = [];
    for (let i = 0; i < 100; i++) cmds.push(["HSET", `h:${i}`, "a", "1", "b", String(i)]);
    for (let i = 0; i < 100; i++) cmds.push(["SET", `s:${i}`, "x".repeat(i), "EX", "1000"]);
    await c.pipeline(cmds);
    const loaded = await dataUsed(c);
    await c.call("SWAPDB", "0", "1");
    assertEquals(await dataUsed(c), loaded);
    await c.call("SELECT", "1");
    await c.call("MOVE", "h:1", "2");
    await c.call("MOVE", "s:1", "2");
    assertEquals(await dataUsed(c), loaded);
    // RENAME keeps the value and the TTL; the key name's length counts.
    const u = await usage(c, "s:2");
    await c.call("RENAME", "s:2", "a-longer-name-for-s2");
    assertEquals(await dataUsed(c) - loaded, (await usage(c, "a-longer-name-for-s2")) - u);
    await c.call("RENAME", "a-longer-name-for-s2", "s:2");
    assertEquals(await dataUsed(c), loaded);
    await c.call("COPY", "h:3", "h:3:copy");
    assertEquals(await dataUsed(c) - loaded, await usage(c, "h:3:copy"));
    await c.call("DEL", "h:3:copy");
    assertEquals(await dataUsed(c), loaded);
    await c.call("SWAPDB", "1", "0");
    await c.call("SELECT", "0");
    await c.call("FLUSHDB");
    const left = await dataUsed(c);
    await c.call("SELECT", "2");
    assertEquals(left - empty, (await usage(c, "h:1")) + (await usage(c, "s:1")) + 48);
    await c.call("FLUSHALL");
    assertEquals(await dataUsed(c), empty);
  });
});

Deno.test("used_memory: expired keys give their memory back (lazily and actively)", async () => {
  await withRedeno(async (c) => {
    const empty = await dataUsed(c);
    // Long enough to be seen before they expire, even on a loaded machine.
    await c.call("SET", "lazy", "v", "PX", "3000");
    const cmds: string[][] = [];
    for (let i = 0; i < 50; i++) cmds.push(["SET", `active:${i}`, "x".repeat(100), "PX", "3000"]);
    await c.pipeline(cmds);
    assert(await dataUsed(c) > empty);
    // Active expiry deletes the keys in time; a GET reclaims any it has not reached.
    let now = 0;
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await c.call("GET", "lazy");
      now = await dataUsed(c);
      if (now === empty) break;
    }
    assertEquals(now, empty);
  });
});

Deno.test("MEMORY STATS agrees with INFO memory", async () => {
  await withRedeno(async (c) => {
    const cmds: string[][] = [];
    for (let i = 0; i < 200; i++) cmds.push(["SET", `k:${i}`, "v".repeat(i), "EX", "1000"]);
    await c.pipeline(cmds);
    const raw = (await c.value("MEMORY", "STATS")) as unknown[];
    const stats = new Map<string, unknown>();
    for (let i = 0; i < raw.length; i += 2) stats.set(raw[i] as string, raw[i + 1]);
    const info = parseInfo(bulk(await c.call("INFO", "memory")));
    // total.allocated is read after INFO's used_memory: the client part may differ.
    const total = stats.get("total.allocated") as number;
    assertEquals(stats.get("keys.count"), 200);
    assertEquals(stats.get("startup.allocated"), Number(info.get("used_memory_startup")));
    assertEquals(
      (stats.get("overhead.total") as number) + (stats.get("dataset.bytes") as number),
      total,
    );
    const db0 = stats.get("db.0") as unknown[];
    assertEquals(db0[0], "overhead.hashtable.main");
    assertEquals(db0[3], 200 * 48);
  });
});
