import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded, encodeCommands, RespClient } from "../support/resp_client.ts";

/** Small limits so both encodings are reached with few fields. */
const SMALL_LIMITS = {
  args: ["--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8"],
};

async function hashes(o: Oracle, key: string, n: number, prefix = "f"): Promise<void> {
  const args = ["HSET", key];
  for (let i = 0; i < n; i++) args.push(`${prefix}${i}`, `v${i}`);
  await o.same(...args);
}

oracleTest("oracle: hash seed examples", async (o) => {
  await o.sameAll([
    ["HSET", "user:1001", "name", "Alice"],
    ["HGET", "user:1001", "name"],
    ["HSET", "user:1001", "email", "alice@example.com", "age", "30"],
    ["HGETALL", "user:1001"],
    ["HEXISTS", "user:1001", "name"],
    ["HEXISTS", "user:1001", "nope"],
    ["HDEL", "user:1001", "age"],
    ["HDEL", "user:1001", "age"],
    ["HGETALL", "user:1001"],
    ["HSET", "users", "u1", "tomasz"],
    ["HGET", "users", "u1"],
    ["HSET", "users", "u1", "other"],
    ["HGET", "users", "u1"],
  ]);
});

oracleTest("oracle: HSET, HMSET, HSETNX, HGET, HMGET, HLEN, HSTRLEN", async (o) => {
  await o.sameAll([
    ["HSET", "h", "a", "1", "b", "2", "a", "3"],
    ["HGETALL", "h"],
    ["HSET", "h", "a", "4", "c", "5"],
    ["HSET", "h"],
    ["HSET", "h", "a"],
    ["HSET", "h", "a", "1", "b"],
    ["hset", "h", "a", "1", "b"],
    ["HMSET", "h", "a", "1", "b"],
    ["HMSET", "h", "x", "10", "y", "20"],
    ["HMSET", "h2", "x", "10"],
    ["HGETALL", "h"],
    ["HSETNX", "h", "x", "99"],
    ["HSETNX", "h", "z", "99"],
    ["HSETNX", "fresh", "f", "v"],
    ["HSETNX", "h", "x"],
    ["HGET", "h", "z"],
    ["HGET", "h", "nope"],
    ["HGET", "nokey", "f"],
    ["HGET", "h"],
    ["HMGET", "h", "a", "nope", "x", "a"],
    ["HMGET", "nokey", "a", "b"],
    ["HMGET", "h"],
    ["HLEN", "h"],
    ["HLEN", "nokey"],
    ["HLEN", "h", "x"],
    ["HSTRLEN", "h", "x"],
    ["HSTRLEN", "h", "nope"],
    ["HSTRLEN", "nokey", "x"],
    ["HSET", "h", "num", "-9223372036854775808", "empty", ""],
    ["HSTRLEN", "h", "num"],
    ["HSTRLEN", "h", "empty"],
    ["HGET", "h", "empty"],
    ["HEXISTS", "nokey", "a"],
    ["HEXISTS", "h"],
    ["HGETALL", "h"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
  ]);
});

oracleTest("oracle: HDEL deletes the key with its last field", async (o) => {
  await o.sameAll([
    ["HSET", "h", "a", "1", "b", "2", "c", "3"],
    ["HDEL", "h", "a", "a", "nope"],
    ["HDEL", "h"],
    ["HDEL", "nokey", "a"],
    ["HGETALL", "h"],
    ["HDEL", "h", "b", "c", "b"],
    ["HLEN", "h"],
    ["HGETALL", "h"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
    ["HSCAN", "h", "0"],
    ["HRANDFIELD", "h"],
    ["HRANDFIELD", "h", "3"],
    ["HSET", "h", "again", "1"],
    ["HGETALL", "h"],
  ]);
});

oracleTest("oracle: listpack keeps insertion order", async (o) => {
  await o.sameAll([
    ["HSET", "h", "c", "3", "a", "1", "b", "2", "d", "4"],
    ["HDEL", "h", "a"],
    ["HSET", "h", "a", "new", "c", "33"],
    ["HGETALL", "h"],
    ["HKEYS", "h"],
    ["HVALS", "h"],
    ["HSCAN", "h", "0"],
    ["HSCAN", "h", "12345", "COUNT", "1"],
    ["HSCAN", "h", "0", "MATCH", "[ab]"],
    ["HRANDFIELD", "h", "100"],
    ["HRANDFIELD", "h", "4", "WITHVALUES"],
    ["HRANDFIELD", "h", "5", "withvalues"],
  ]);
});

oracleTest("oracle: binary fields and values", async (o) => {
  const f1 = "\x00\xff\r\n";
  const f2 = "caf\xc3\xa9";
  const v = "\x00".repeat(5) + "\x80\x81";
  await o.sameAll([
    ["HSET", "bin\x00key", f1, v, f2, "", "", "empty-field"],
    ["HGET", "bin\x00key", f1],
    ["HGET", "bin\x00key", ""],
    ["HSTRLEN", "bin\x00key", f1],
    ["HGETALL", "bin\x00key"],
    ["HMGET", "bin\x00key", f2, f1, "\x00"],
    ["HEXISTS", "bin\x00key", "\x00\xff\r"],
    ["HINCRBY", "bin\x00key", "\x01", "5"],
    ["HSCAN", "bin\x00key", "0", "MATCH", "\x00*"],
    ["HDEL", "bin\x00key", f1],
    ["HKEYS", "bin\x00key"],
  ]);
  // Large binary values (hashtable encoding).
  const big = Array.from({ length: 300 }, (_, i) => String.fromCharCode(i & 255)).join("");
  await o.same("HSET", "bigbin", big, big + big, "\xff", big);
  await o.same("HGET", "bigbin", big);
  await o.same("HSTRLEN", "bigbin", big);
  await o.sameUnordered(["HGETALL", "bigbin"], true);
});

oracleTest("oracle: HINCRBY", async (o) => {
  await o.sameAll([
    ["HINCRBY", "h", "n", "5"],
    ["HINCRBY", "h", "n", "-10"],
    ["HINCRBY", "h", "n", "0"],
    ["HGET", "h", "n"],
    ["HINCRBY", "h", "n", "abc"],
    ["HINCRBY", "h", "n", "1.5"],
    ["HINCRBY", "h", "n", "+1"],
    ["HINCRBY", "h", "n", " 1"],
    ["HINCRBY", "h", "n", "01"],
    ["HINCRBY", "h", "n", ""],
    ["HINCRBY", "h", "n", "9223372036854775808"],
    ["HINCRBY", "nokey", "n", "x"],
    ["HSET", "h", "s", "hello", "f", "1.5", "lz", "012", "e", "", "sp", " 1"],
    ["HINCRBY", "h", "s", "1"],
    ["HINCRBY", "h", "f", "1"],
    ["HINCRBY", "h", "lz", "1"],
    ["HINCRBY", "h", "e", "1"],
    ["HINCRBY", "h", "sp", "1"],
    // 64-bit exactness and overflow.
    ["HSET", "h", "big", "9223372036854775806"],
    ["HINCRBY", "h", "big", "1"],
    ["HINCRBY", "h", "big", "1"],
    ["HINCRBY", "h", "big", "-9223372036854775807"],
    ["HINCRBY", "h", "big", "9007199254740993"],
    ["HINCRBY", "h", "big", "9007199254740993"],
    ["HGET", "h", "big"],
    ["HINCRBY", "h", "big", "-18014398509481986"],
    ["HINCRBY", "h", "small", "-9223372036854775808"],
    ["HINCRBY", "h", "small", "-1"],
    ["HINCRBY", "h", "small", "1"],
    ["HINCRBY", "h", "small", "-1"],
    ["HINCRBY", "h", "safe", "9007199254740991"],
    ["HINCRBY", "h", "safe", "1"],
    ["HINCRBY", "h", "safe", "1"],
    ["HINCRBY", "h", "safe", "-2"],
    ["HINCRBY", "h", "safe", "-9007199254740993"],
    ["HGETALL", "h"],
    ["HINCRBY", "h", "n"],
  ]);
});

oracleTest("oracle: HINCRBYFLOAT", async (o) => {
  await o.sameAll([
    ["HINCRBYFLOAT", "h", "x", "10.5"],
    ["HINCRBYFLOAT", "h", "x", "0.1"],
    ["HINCRBYFLOAT", "h", "x", "-5"],
    ["HINCRBYFLOAT", "h", "x", "5.0e3"],
    ["HINCRBYFLOAT", "h", "x", "-5.0e3"],
    ["HGET", "h", "x"],
    ["HINCRBYFLOAT", "h", "i", "3"],
    ["HSET", "h", "int", "17"],
    ["HINCRBYFLOAT", "h", "int", "1.5"],
    ["HINCRBYFLOAT", "h", "x", "abc"],
    ["HINCRBYFLOAT", "h", "x", ""],
    ["HINCRBYFLOAT", "h", "x", " 1"],
    ["HINCRBYFLOAT", "h", "x", "nan"],
    ["HINCRBYFLOAT", "h", "x", "inf"],
    ["HINCRBYFLOAT", "h", "x", "-inf"],
    ["HINCRBYFLOAT", "nokey", "x", "inf"],
    ["HINCRBYFLOAT", "nokey", "x", "abc"],
    ["HEXISTS", "nokey", "x"],
    ["HSET", "h", "s", "hello", "sp", " 1"],
    ["HINCRBYFLOAT", "h", "s", "1"],
    ["HINCRBYFLOAT", "h", "sp", "1"],
    ["HGETALL", "h"],
  ]);
});

// Depends on the exact long double arithmetic of lib/util/float.ts.
oracleTest("oracle: HINCRBYFLOAT precision and edge values", async (o) => {
  await o.sameAll([
    ["HSET", "h", "e", "", "inf", "inf", "n", "9223372036854775806"],
    ["HINCRBYFLOAT", "h", "e", "1"],
    ["HINCRBYFLOAT", "h", "inf", "1"],
    ["HINCRBYFLOAT", "h", "n", "1.5"],
    ["HINCRBYFLOAT", "h", "y", "1e400"],
    ["HINCRBYFLOAT", "h", "y", "1.5e10"],
    ["HINCRBYFLOAT", "h", "z", "0x10"],
    ["HINCRBYFLOAT", "h", "w", "0.1"],
    ["HINCRBYFLOAT", "h", "w", "0.2"],
    ["HINCRBYFLOAT", "h", "v", "1e-20"],
  ]);
});

oracleTest("oracle: HGETALL, HKEYS, HVALS of a hashtable (unordered)", async (o) => {
  await hashes(o, "big", 300);
  await o.same("HLEN", "big");
  await o.sameUnordered(["HGETALL", "big"], true);
  await o.sameUnordered(["HKEYS", "big"]);
  await o.sameUnordered(["HVALS", "big"]);
  await o.same("HMGET", "big", "f0", "f299", "f300");
  await o.same("HDEL", "big", "f0", "f1", "f2");
  await o.sameUnordered(["HGETALL", "big"], true);
  await o.same("HRANDFIELD", "big", "0");
  // A value too long for a listpack.
  await o.same("HSET", "long", "a", "1", "b", "x".repeat(65));
  await o.sameUnordered(["HGETALL", "long"], true);
  await o.same("HSET", "long64", "a", "1", "b", "x".repeat(64));
  await o.same("HGETALL", "long64");
});

oracleTest("oracle: conversion limits from the configuration", async (o) => {
  await o.sameAll([
    // Four fields fit (duplicates do not count), the fifth converts.
    ["HSET", "h", "d", "1", "c", "2", "b", "3", "a", "4", "a", "5"],
    ["HGETALL", "h"],
    ["HSET", "v", "f", "12345678"],
    ["HGETALL", "v"],
    ["HINCRBY", "v", "n", "1234567"],
    ["HGETALL", "v"],
    ["HSETNX", "v", "f", "much too long"],
    ["HGETALL", "v"],
  ]);
  await o.same("HSET", "h", "e", "5");
  await o.sameUnordered(["HGETALL", "h"], true);
  await o.same("HDEL", "h", "e", "d");
  // Never converted back.
  await o.sameUnordered(["HGETALL", "h"], true);
  await o.same("HINCRBY", "v", "n", "100");
  await o.sameUnordered(["HGETALL", "v"], true);
  await o.same("HINCRBYFLOAT", "w", "f", "1.5");
  await o.same("HGETALL", "w");
  await o.same("HINCRBYFLOAT", "w", "f", "0.0001");
  await o.sameUnordered(["HGETALL", "w"], true);
  await o.same("HSET", "k", "a-long-field", "1");
  await o.sameUnordered(["HGETALL", "k"], true);
}, SMALL_LIMITS);

oracleTest("oracle: OBJECT ENCODING of hashes", async (o) => {
  await o.sameAll([
    ["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "d", "5"],
    ["OBJECT", "ENCODING", "h"],
    ["HSET", "h", "e", "5"],
    ["OBJECT", "ENCODING", "h"],
    ["HDEL", "h", "a", "b", "c"],
    ["OBJECT", "ENCODING", "h"],
    ["HSET", "v", "f", "12345678"],
    ["OBJECT", "ENCODING", "v"],
    ["HSET", "v", "f", "123456789"],
    ["OBJECT", "ENCODING", "v"],
    ["HSET", "w", "123456789", "1"],
    ["OBJECT", "ENCODING", "w"],
    ["HSET", "x", "f", "1"],
    ["HINCRBYFLOAT", "x", "f", "0.125"],
    ["OBJECT", "ENCODING", "x"],
    ["HINCRBYFLOAT", "x", "f", "0.0001"],
    ["OBJECT", "ENCODING", "x"],
    ["HSET", "y", "f", "1"],
    ["HSETNX", "y", "f", "much too long"],
    ["OBJECT", "ENCODING", "y"],
    ["HSETNX", "y", "g", "much too long"],
    ["OBJECT", "ENCODING", "y"],
    ["HINCRBY", "z", "a-long-field", "1"],
    ["OBJECT", "ENCODING", "z"],
  ]);
}, SMALL_LIMITS);

oracleTest("oracle: hash commands on a wrong type", async (o) => {
  await o.same("SET", "s", "x");
  await o.sameAll([
    ["HSET", "s", "a", "1"],
    ["HMSET", "s", "a", "1"],
    ["HSETNX", "s", "a", "1"],
    ["HGET", "s", "a"],
    ["HMGET", "s", "a"],
    ["HDEL", "s", "a"],
    ["HEXISTS", "s", "a"],
    ["HGETALL", "s"],
    ["HKEYS", "s"],
    ["HVALS", "s"],
    ["HLEN", "s"],
    ["HSTRLEN", "s", "a"],
    ["HINCRBY", "s", "a", "1"],
    ["HINCRBY", "s", "a", "x"],
    ["HINCRBYFLOAT", "s", "a", "1"],
    ["HINCRBYFLOAT", "s", "a", "x"],
    ["HRANDFIELD", "s"],
    ["HRANDFIELD", "s", "0"],
    ["HRANDFIELD", "s", "x"],
    ["HRANDFIELD", "s", "1", "x"],
    ["HSCAN", "s", "0"],
    ["HSCAN", "s", "x"],
    ["HSCAN", "s", "0", "COUNT", "0"],
    ["HSET", "s", "a"],
    ["GET", "s"],
  ]);
});

oracleTest("oracle: HSCAN", async (o) => {
  await o.sameAll([
    ["HSCAN", "nokey", "0"],
    ["HSCAN", "nokey", "0", "COUNT", "0"],
    ["HSCAN", "nokey", "0", "BOGUS"],
    ["HSCAN", "nokey", "abc"],
    ["HSCAN", "nokey", "-1"],
    ["HSCAN", "nokey", "18446744073709551616"],
    ["HSET", "h", "a", "1", "b", "2", "ab", "3"],
    ["HSCAN", "h", "0"],
    ["HSCAN", "h", "abc"],
    ["HSCAN", "h", ""],
    ["HSCAN", "h", "0", "MATCH", "a*"],
    ["HSCAN", "h", "0", "match", "*", "count", "1"],
    ["HSCAN", "h", "0", "COUNT", "0"],
    ["HSCAN", "h", "0", "COUNT", "-1"],
    ["HSCAN", "h", "0", "COUNT", "x"],
    ["HSCAN", "h", "0", "COUNT"],
    ["HSCAN", "h", "0", "MATCH"],
    ["HSCAN", "h", "0", "TYPE", "string"],
    ["HSCAN", "h", "0", "NOVALUES"],
    ["HSCAN", "h", "0", "MATCH", "a*", "BOGUS", "x"],
  ]);
  // A hashtable: iterate to the end on both and compare what was seen.
  await hashes(o, "big", 500, "field:");
  for (const opts of [[], ["COUNT", "7"], ["MATCH", "field:1*", "COUNT", "50"]]) {
    const [mine, theirs] = await Promise.all([
      fullScan(o.redeno, "big", opts),
      fullScan(o.redis, "big", opts),
    ]);
    assertEquals(mine, theirs, `HSCAN big ${opts.join(" ")}`);
  }
});

async function fullScan(c: RespClient, key: string, opts: string[]): Promise<string[]> {
  const seen = new Map<string, string>();
  let cursor = "0";
  for (let rounds = 0; rounds < 10000; rounds++) {
    const reply = decode(await c.call("HSCAN", key, cursor, ...opts)) as Decoded[];
    cursor = reply[0] as string;
    const items = reply[1] as string[];
    assert(items.length % 2 === 0);
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    if (cursor === "0") break;
  }
  assertEquals(cursor, "0");
  return [...seen].map(([f, v]) => `${f}=${v}`).sort();
}

oracleTest("oracle: HRANDFIELD errors and empty replies", async (o) => {
  await o.sameAll([
    ["HRANDFIELD", "nokey"],
    ["HRANDFIELD", "nokey", "0"],
    ["HRANDFIELD", "nokey", "5"],
    ["HRANDFIELD", "nokey", "-5"],
    ["HRANDFIELD", "nokey", "5", "WITHVALUES"],
    ["HRANDFIELD", "nokey", "x"],
    ["HRANDFIELD", "nokey", "1", "x"],
    ["HRANDFIELD", "nokey", "1", "WITHVALUES", "x"],
    ["HSET", "h", "a", "1", "b", "2", "c", "3"],
    ["HRANDFIELD", "h", "0"],
    ["HRANDFIELD", "h", "0", "WITHVALUES"],
    ["HRANDFIELD", "h", "abc"],
    ["HRANDFIELD", "h", "1.5"],
    ["HRANDFIELD", "h", "9223372036854775808"],
    ["HRANDFIELD", "h", "-9223372036854775808"],
    ["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"],
    ["HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"],
    ["HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"],
    ["HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "-4611686018427387905", "WITHVALUES"],
    ["HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"],
    ["HRANDFIELD", "h", "9223372036854775807"],
    ["HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"],
    ["HRANDFIELD", "h", "3", "WITHVALUES"],
    ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
    ["HRANDFIELD", "h", "1", "WITHVALUE"],
    ["HRANDFIELD", "h", "x", "WITHVALUES"],
    ["HRANDFIELD", "h", "1", "withValues", "WITHVALUES"],
  ]);
});

oracleTest(
  "oracle: HRANDFIELD with a huge negative count closes the client, others go on",
  async (o) => {
    await o.same("HSET", "h", "a", "1", "b", "2");
    await o.same("HSET", "big", ...Array.from({ length: 300 }, (_, i) => [`f${i}`, "v"]).flat());
    // Redis 7.0.15 builds these replies until it runs out of memory: redeno
    // stops at its bound on random replies and closes that client instead.
    const cases = [
      ["HRANDFIELD", "h", "-9223372036854775807"],
      ["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"],
      ["HELLO", "3", "HRANDFIELD", "big", "-4611686018427387903", "WITHVALUES"],
    ];
    for (const args of cases) {
      const victim = await RespClient.connect(o.redenoServer.port);
      try {
        const cmds = args[0] === "HELLO" ? [args.slice(0, 2), args.slice(2)] : [args];
        await victim.send(encodeCommands([...cmds, ["PING"]]));
        const { data, closed } = await victim.drain(30_000);
        assert(closed, `${JSON.stringify(args)} closes the client`);
        // Replies before the huge one still arrive; nothing after it does.
        assert(!data.includes("PONG"), "the command after it is not run");
      } finally {
        victim.close();
      }
    }
    await o.same("HLEN", "h");
    await o.same("PING");
  },
);

/** Decodes both replies to the same command and checks their shapes agree. */
async function both(o: Oracle, args: string[]): Promise<[Decoded, Decoded]> {
  const [mine, theirs] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  return [decode(mine), decode(theirs)];
}

/** Checks an HRANDFIELD reply: length, membership, distinctness, pairing. */
function checkRandom(
  reply: Decoded,
  hash: Map<string, string>,
  opts: { count: number; distinct: boolean; withValues: boolean; nested: boolean },
  what: string,
): void {
  assert(Array.isArray(reply), `${what}: array expected, got ${String(reply)}`);
  const pairs: [string, string | null][] = [];
  if (opts.withValues && opts.nested) {
    for (const p of reply) {
      assert(Array.isArray(p) && p.length === 2, `${what}: nested pair expected`);
      pairs.push([p[0] as string, p[1] as string]);
    }
  } else if (opts.withValues) {
    assertEquals(reply.length % 2, 0, what);
    for (let i = 0; i < reply.length; i += 2) {
      pairs.push([reply[i] as string, reply[i + 1] as string]);
    }
  } else {
    for (const f of reply) pairs.push([f as string, null]);
  }
  assertEquals(pairs.length, opts.count, `${what}: count`);
  for (const [f, v] of pairs) {
    assert(hash.has(f), `${what}: ${f} is not a field`);
    if (v !== null) assertEquals(v, hash.get(f), `${what}: value of ${f}`);
  }
  if (opts.distinct) {
    assertEquals(new Set(pairs.map((p) => p[0])).size, pairs.length, `${what}: distinct`);
  }
}

async function randomChecks(o: Oracle, key: string, hash: Map<string, string>, nested: boolean) {
  const size = hash.size;
  const single = await both(o, ["HRANDFIELD", key]);
  for (const r of single) assert(typeof r === "string" && hash.has(r), "single field");
  for (const withValues of [false, true]) {
    const extra = withValues ? ["WITHVALUES"] : [];
    for (const n of [1, 2, Math.floor(size / 2), size - 1, size, size + 3, -1, -3, -(size * 3)]) {
      if (n === 0) continue;
      const args = ["HRANDFIELD", key, String(n), ...extra];
      const [mine, theirs] = await both(o, args);
      const opts = {
        count: n < 0 ? -n : Math.min(n, size),
        distinct: n > 0,
        withValues,
        nested,
      };
      checkRandom(theirs, hash, opts, `redis ${args.join(" ")}`);
      checkRandom(mine, hash, opts, `redeno ${args.join(" ")}`);
    }
  }
}

oracleTest("oracle: HRANDFIELD counts and WITHVALUES (RESP2)", async (o) => {
  const small = new Map<string, string>();
  for (let i = 0; i < 6; i++) small.set(`f${i}`, `v${i}`);
  await o.same("HSET", "small", ...[...small].flat());
  await randomChecks(o, "small", small, false);
  const big = new Map<string, string>();
  for (let i = 0; i < 200; i++) big.set(`f${i}`, `v${i}`);
  await o.same("HSET", "big", ...[...big].flat());
  await randomChecks(o, "big", big, false);
  // Listpack distinct samples come back in hash order.
  const keys = [...small.keys()];
  const [mine] = await both(o, ["HRANDFIELD", "small", "3"]);
  const positions = (mine as string[]).map((f) => keys.indexOf(f));
  assertEquals(positions, [...positions].sort((a, b) => a - b));
});

/** Switches both connections to RESP3 (HELLO replies differ: not compared). */
async function resp3(o: Oracle): Promise<void> {
  const [a, b] = await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  assert(a.startsWith("%"), `HELLO 3 on redeno: ${a.slice(0, 80)}`);
  assert(b.startsWith("%"));
}

oracleTest("oracle: hash replies in RESP3", async (o) => {
  await resp3(o);
  await o.sameAll([
    ["HGETALL", "nokey"],
    ["HKEYS", "nokey"],
    ["HGET", "nokey", "f"],
    ["HMGET", "nokey", "a", "b"],
    ["HRANDFIELD", "nokey"],
    ["HRANDFIELD", "nokey", "3"],
    ["HRANDFIELD", "nokey", "3", "WITHVALUES"],
    ["HSCAN", "nokey", "0"],
    ["HSET", "h", "a", "1", "b", "2"],
    ["HGETALL", "h"],
    ["HMGET", "h", "a", "x"],
    ["HGET", "h", "x"],
    ["HRANDFIELD", "h", "0", "WITHVALUES"],
    ["HRANDFIELD", "h", "2", "WITHVALUES"],
    ["HRANDFIELD", "h", "5", "WITHVALUES"],
    ["HINCRBYFLOAT", "h", "a", "1.5"],
    ["HSCAN", "h", "0"],
  ]);
  const small = new Map([["a", "2.5"], ["b", "2"]]);
  await randomChecks(o, "h", small, true);
  const big = new Map<string, string>();
  for (let i = 0; i < 200; i++) big.set(`f${i}`, `v${i}`);
  await o.same("HSET", "big", ...[...big].flat());
  await o.sameUnordered(["HGETALL", "big"], true);
  await randomChecks(o, "big", big, true);
});
