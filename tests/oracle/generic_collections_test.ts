/**
 * The generic keyspace commands on lists, sets and sorted sets: TYPE,
 * OBJECT, EXISTS, DEL/UNLINK, COPY (a deep copy), RENAME, MOVE, SCAN TYPE,
 * RANDOMKEY and DEBUG RELOAD, against Redis 7.0.
 */
import { assert, assertEquals } from "@std/assert";
import { clock, type Oracle, oracleTest } from "../support/oracle.ts";
import { decode } from "../support/resp_client.ts";

/** Small encoding limits so that both encodings of each type appear with few elements. */
const LIMITS = [
  "--set-max-intset-entries",
  "4",
  "--zset-max-listpack-entries",
  "4",
  "--zset-max-listpack-value",
  "8",
  "--list-max-listpack-size",
  "4",
];

/** One key of each collection type in each encoding. */
async function populate(o: Oracle): Promise<void> {
  await o.sameAll([
    ["RPUSH", "list", "a", "b", "c"],
    ["RPUSH", "biglist", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    ["SADD", "intset", "3", "1", "2"],
    ["SADD", "set", "x", "y", "z"],
    ["SADD", "bigint", "1", "2", "3", "4", "5", "6"],
    ["ZADD", "zset", "1", "a", "2", "b"],
    ["ZADD", "bigzset", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZADD", "longzset", "1", "a-member-longer-than-eight"],
  ]);
}

const KEYS = ["list", "biglist", "intset", "set", "bigint", "zset", "bigzset", "longzset"];

/** Everything a key holds, as one reply per type. */
function contents(key: string, type: string): string[] {
  if (type === "list") return ["LRANGE", key, "0", "-1"];
  if (type === "zset") return ["ZRANGE", key, "0", "-1", "WITHSCORES"];
  return ["SORT", key, "ALPHA"];
}

oracleTest("oracle: TYPE, EXISTS, OBJECT ENCODING/REFCOUNT on collections", async (o) => {
  await populate(o);
  for (const key of KEYS) {
    await o.sameAll([
      ["TYPE", key],
      ["EXISTS", key, key, "nokey"],
      ["OBJECT", "ENCODING", key],
      ["OBJECT", "REFCOUNT", key],
    ]);
    const idle = decode(await o.redeno.call("OBJECT", "IDLETIME", key));
    assert(typeof idle === "number" && idle >= 0, `OBJECT IDLETIME ${key}: ${idle}`);
  }
  await o.sameAll([
    ["OBJECT", "FREQ", "list"],
    ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"],
    // A new key starts at the initial counter; its first access always counts.
    ["RPUSH", "lfu", "a"],
    ["OBJECT", "FREQ", "lfu"],
    ["RPUSH", "lfu", "b"],
    ["OBJECT", "FREQ", "lfu"],
    ["SADD", "lfuset", "a"],
    ["OBJECT", "FREQ", "lfuset"],
    ["ZADD", "lfuz", "1", "a"],
    ["OBJECT", "FREQ", "lfuz"],
    ["OBJECT", "IDLETIME", "lfuz"],
    ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
  ]);
}, { args: LIMITS });

oracleTest("oracle: COPY of collections is deep, with REPLACE and DB", async (o) => {
  await populate(o);
  for (const key of KEYS) {
    const type = decode(await o.redis.call("TYPE", key)) as string;
    await o.sameAll([
      ["COPY", key, `${key}:copy`],
      ["OBJECT", "ENCODING", `${key}:copy`],
      contents(`${key}:copy`, type),
      ["COPY", key, `${key}:copy`],
      ["COPY", key, `${key}:copy`, "REPLACE"],
      ["COPY", key, key, "DB", "3"],
      ["SELECT", "3"],
      contents(key, type),
      ["OBJECT", "ENCODING", key],
      ["SELECT", "0"],
    ]);
  }
  // Changing a copy leaves the original as it was (and the other way round).
  await o.sameAll([
    ["RPUSH", "list:copy", "new"],
    ["LPOP", "list"],
    ["LRANGE", "list", "0", "-1"],
    ["LRANGE", "list:copy", "0", "-1"],
    ["LSET", "biglist:copy", "5", "changed"],
    ["LRANGE", "biglist", "0", "-1"],
    ["SADD", "intset:copy", "100"],
    ["SREM", "intset", "1"],
    ["SORT", "intset"],
    ["SORT", "intset:copy"],
    ["SADD", "set:copy", "w"],
    ["SORT", "set", "ALPHA"],
    ["ZADD", "zset:copy", "9", "c"],
    ["ZINCRBY", "zset", "10", "a"],
    ["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
    ["ZRANGE", "zset:copy", "0", "-1", "WITHSCORES"],
    ["ZREM", "bigzset:copy", "a", "b"],
    ["ZRANGE", "bigzset", "0", "-1", "WITHSCORES"],
    ["SELECT", "3"],
    ["RPUSH", "list", "db3"],
    ["SELECT", "0"],
    ["LRANGE", "list", "0", "-1"],
    // The TTL comes along; COPY onto another type needs REPLACE.
    ["EXPIRE", "set", "1000"],
    ["COPY", "set", "set:ttl"],
    clock("TTL", "set:ttl"),
    ["COPY", "list", "zset"],
    ["COPY", "list", "zset", "REPLACE"],
    ["TYPE", "zset"],
    ["COPY", "nokey", "x"],
  ]);
}, { args: LIMITS });

oracleTest("oracle: RENAME, RENAMENX, MOVE, DEL, UNLINK of collections", async (o) => {
  await populate(o);
  await o.sameAll([
    ["RENAME", "list", "list2"],
    ["LRANGE", "list2", "0", "-1"],
    ["EXISTS", "list"],
    ["RENAME", "bigzset", "intset"],
    ["TYPE", "intset"],
    ["OBJECT", "ENCODING", "intset"],
    ["ZRANGE", "intset", "0", "-1"],
    ["RENAMENX", "set", "zset"],
    ["RENAMENX", "set", "set2"],
    ["SORT", "set2", "ALPHA"],
    ["EXPIRE", "biglist", "1000"],
    ["RENAME", "biglist", "biglist2"],
    clock("TTL", "biglist2"),
    ["MOVE", "biglist2", "2"],
    ["MOVE", "zset", "2"],
    ["SELECT", "2"],
    clock("TTL", "biglist2"),
    ["LRANGE", "biglist2", "0", "-1"],
    ["ZRANGE", "zset", "0", "-1", "WITHSCORES"],
    ["RPUSH", "bigint", "x"],
    ["SELECT", "0"],
    ["MOVE", "bigint", "2"],
    ["EXISTS", "biglist2", "zset", "bigint"],
    ["DEL", "list2", "set2", "nokey"],
    ["UNLINK", "bigint", "longzset", "intset"],
    ["DBSIZE"],
    ["EXISTS", "list2", "set2", "bigint", "longzset", "intset"],
  ]);
}, { args: LIMITS });

oracleTest("oracle: SCAN TYPE and RANDOMKEY with collections", async (o) => {
  await populate(o);
  await o.same("SET", "str", "v");
  await o.same("HSET", "hash", "f", "v");
  for (const type of ["list", "set", "zset", "string", "hash", "LIST", "nosuch"]) {
    await o.sameUnordered(["SCAN", "0", "TYPE", type, "COUNT", "1000"]);
    await o.sameUnordered(["SCAN", "0", "TYPE", type, "MATCH", "big*", "COUNT", "1000"]);
  }
  await o.sameAll([
    ["SELECT", "5"],
    ["RPUSH", "only", "x"],
    ["RANDOMKEY"],
    ["DEL", "only"],
    ["SADD", "only", "x"],
    ["RANDOMKEY"],
    ["DEL", "only"],
    ["ZADD", "only", "1", "x"],
    ["RANDOMKEY"],
    ["SELECT", "0"],
  ]);
  // Every key is eventually drawn and each is a key of the database.
  const keys = new Set(decode(await o.redeno.call("KEYS", "*")) as string[]);
  for (let i = 0; i < 50; i++) {
    assert(keys.has(decode(await o.redeno.call("RANDOMKEY")) as string));
  }
}, { args: LIMITS });

oracleTest("oracle: DEBUG RELOAD keeps collections, their encodings and TTLs", async (o) => {
  await populate(o);
  await o.same("EXPIRE", "set", "1000");
  await o.same("SELECT", "4");
  await o.same("RPUSH", "db4list", "a", "\x00\xff");
  await o.same("SELECT", "0");
  await o.same("DEBUG", "RELOAD");
  for (const key of KEYS) {
    const type = decode(await o.redis.call("TYPE", key)) as string;
    await o.sameAll([["TYPE", key], ["OBJECT", "ENCODING", key], contents(key, type)]);
  }
  await o.sameAll([clock("TTL", "set"), ["SELECT", "4"], ["LRANGE", "db4list", "0", "-1"]]);
  assertEquals(decode(await o.redeno.call("DBSIZE")), 1);
}, { args: [...LIMITS, "--enable-debug-command", "yes"] });

oracleTest("oracle: MEMORY USAGE replies, errors and sizes near Redis's", async (o) => {
  await o.sameAll([
    ["MEMORY", "USAGE"],
    ["MEMORY", "USAGE", "nokey"],
    ["MEMORY", "USAGE", "nokey", "SAMPLES", "-1"],
    ["MEMORY", "USAGE", "nokey", "FOO"],
    ["MEMORY"],
    ["MEMORY", "NOSUCH"],
    ["MEMORY", "HELP"],
    ["MEMORY", "HELP", "x"],
    ["MEMORY", "PURGE"],
    ["MEMORY", "DOCTOR"],
    ["RPUSH", "l", "a"],
    ["MEMORY", "USAGE", "l", "SAMPLES"],
    ["MEMORY", "USAGE", "l", "SAMPLES", "-1"],
    ["MEMORY", "USAGE", "l", "SAMPLES", "x"],
    ["MEMORY", "USAGE", "l", "SAMPLES", "99999999999999999999"],
    ["MEMORY", "USAGE", "l", "FOO"],
    ["MEMORY", "USAGE", "l", "SAMPLES", "5", "FOO"],
    ["COMMAND", "GETKEYS", "MEMORY", "USAGE", "l", "SAMPLES", "3"],
  ]);
  // The same data on both: redeno's figure within a factor of Redis's. MEMORY USAGE is what the
  // key costs in V8's heap (the accounting behind used_memory, calibrated against the heap by
  // scripts/memory_calibrate.ts): a tiny collection costs V8 up to about 6x Redis's listpack (a
  // 3-field hash: 448 bytes vs 80), so the factor is 8.
  const data: string[][] = [
    ["SET", "str", "hello"],
    ["SET", "int", "12345"],
    ["SET", "long", "x".repeat(1000)],
    ["HSET", "hash", "a", "1", "b", "2", "c", "3"],
    ["RPUSH", "list", "a", "b", "c"],
    ["SADD", "intset", "1", "2", "3"],
    ["SADD", "set", "a", "b", "c"],
    ["ZADD", "zset", "1", "a", "2", "b", "3", "c"],
  ];
  const big = (cmd: string, key: string, n: number, item: (i: number) => string[]) => {
    const args = [cmd, key];
    for (let i = 0; i < n; i++) args.push(...item(i));
    data.push(args);
  };
  big("HSET", "bighash", 1000, (i) => [`field${i}`, `value${i}`]);
  big("RPUSH", "biglist", 10000, (i) => [`element${i}`]);
  big("SADD", "bigintset", 500, (i) => [String(i)]);
  big("SADD", "bigset", 1000, (i) => [`member${i}`]);
  big("ZADD", "bigzset", 1000, (i) => [String(i), `member${i}`]);
  await o.sameAll(data);
  for (const [, key] of data) {
    for (const samples of [[], ["SAMPLES", "0"]]) {
      const call = ["MEMORY", "USAGE", key, ...samples];
      const mine = decode(await o.redeno.call(...call)) as number;
      const theirs = decode(await o.redis.call(...call)) as number;
      assert(
        mine >= theirs / 8 && mine <= theirs * 8,
        `${call.join(" ")}: redeno ${mine}, redis ${theirs}`,
      );
    }
  }
  // Shapes in RESP3: null for a missing key, an integer otherwise.
  const [a, b] = await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  assert(a.startsWith("%") && b.startsWith("%"));
  await o.sameAll([["MEMORY", "USAGE", "nokey"], ["MEMORY", "HELP"]]);
  assertEquals((await o.redeno.call("MEMORY", "USAGE", "list"))[0], ":");
});

oracleTest("oracle: MEMORY STATS fields, MALLOC-STATS and DOCTOR shapes", async (o) => {
  await o.same("SET", "k", "v");
  for (const resp of [2, 3]) {
    if (resp === 3) {
      await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
    }
    const [mine, theirs] = await Promise.all([
      o.redeno.call("MEMORY", "STATS"),
      o.redis.call("MEMORY", "STATS"),
    ]);
    // Same fields in the same order, each with the same reply type.
    const shape = (raw: string) =>
      raw.split("\r\n").filter((l) => /^[%*:,=]|^[a-z]/.test(l)).map((l) =>
        /^[a-z]/.test(l) ? l : l[0]
      );
    assertEquals(shape(mine), shape(theirs), `MEMORY STATS in RESP${resp}`);
    const doctor = await o.redeno.call("MEMORY", "DOCTOR");
    assert(doctor.startsWith(resp === 2 ? "$" : "="), doctor);
    assert((await o.redeno.call("MEMORY", "MALLOC-STATS")).startsWith("$"));
  }
});
