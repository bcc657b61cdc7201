import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded, RespClient } from "../support/resp_client.ts";

/** A small intset limit, so both encodings are reached with few members. */
const SMALL_LIMITS = { args: ["--set-max-intset-entries", "4"] };

/** Switches both connections to RESP3 (HELLO replies differ: not compared). */
async function resp3(o: Oracle): Promise<void> {
  const [a, b] = await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  assert(a.startsWith("%") && b.startsWith("%"), "HELLO 3");
}

/**
 * For replies whose order follows Redis's hash table: the same reply type
 * (array or RESP3 set), the same length, and the same members in any order.
 */
async function sameMembers(o: Oracle, ...args: string[]): Promise<Decoded> {
  const [mine, theirs] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  const what = `reply to ${JSON.stringify(args)}`;
  assertEquals(mine[0], theirs[0], `${what}: reply type`);
  assertEquals(sorted(decode(mine)), sorted(decode(theirs)), what);
  return decode(theirs);
}

/**
 * For random replies (partial SPOP, SRANDMEMBER): the same reply type and
 * the same number of members; what was drawn is checked elsewhere.
 */
async function sameShape(o: Oracle, ...args: string[]): Promise<void> {
  const [mine, theirs] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  const what = `reply to ${JSON.stringify(args)}`;
  assertEquals(mine[0], theirs[0], `${what}: reply type`);
  const a = decode(mine);
  const b = decode(theirs);
  if (b instanceof Error) assertEquals(a, b, what);
  else if (Array.isArray(b) || b instanceof Set) {
    assertEquals(items(a).length, items(b).length, what);
  }
}

function sorted(v: Decoded): Decoded {
  if (v instanceof Set) return [...v].map(String).sort();
  if (Array.isArray(v)) return v.map((x) => JSON.stringify(x, big)).sort();
  return v;
}

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}

/** Members of a reply (array or RESP3 set) as strings. */
function items(v: Decoded): string[] {
  if (v instanceof Set) return [...v].map(String);
  assert(Array.isArray(v), `not an aggregate: ${String(v)}`);
  return v.map(String);
}

oracleTest("oracle: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS", async (o) => {
  await o.sameAll([
    ["SADD", "s", "3", "1", "2", "1"],
    ["SMEMBERS", "s"],
    ["SCARD", "s"],
    ["SADD", "s", "2", "3"],
    ["SADD", "s"],
    ["SISMEMBER", "s", "1"],
    ["SISMEMBER", "s", "4"],
    ["SISMEMBER", "s", "01"],
    ["SISMEMBER", "s", "a"],
    ["SISMEMBER", "nokey", "1"],
    ["SISMEMBER", "s"],
    ["SISMEMBER", "s", "1", "2"],
    ["SMISMEMBER", "s", "1", "x", "3", "1"],
    ["SMISMEMBER", "nokey", "1", "2"],
    ["SMISMEMBER", "s"],
    ["SCARD", "nokey"],
    ["SCARD", "s", "x"],
    ["SMEMBERS", "nokey"],
    ["SMEMBERS", "s", "x"],
    ["SREM", "s", "1", "1", "x", "-0"],
    ["SREM", "s"],
    ["SREM", "nokey", "a"],
    ["SMEMBERS", "s"],
    ["SREM", "s", "2", "3", "4"],
    ["EXISTS", "s"],
    ["SCARD", "s"],
    ["SADD", "t", "b", "a", "c"],
    ["SREM", "t", "a"],
    ["SCARD", "t"],
    ["SISMEMBER", "t", "b"],
    ["SMISMEMBER", "t", "a", "b", "c"],
    ["SREM", "t", "b", "c", "b"],
    ["EXISTS", "t"],
  ]);
  await o.same("SADD", "u", "x", "y", "z");
  await sameMembers(o, "SMEMBERS", "u");
});

oracleTest("oracle: intset members: what string2ll accepts, every width", async (o) => {
  await o.sameAll([
    ["SADD", "i", "5", "-3", "100", "0"],
    ["OBJECT", "ENCODING", "i"],
    ["SMEMBERS", "i"],
    // Widening to 32 then 64 bits puts the new value at either end.
    ["SADD", "i", "70000", "-70000"],
    ["SMEMBERS", "i"],
    ["SADD", "i", "9223372036854775807", "-9223372036854775808", "4294967296", "-2147483649"],
    ["SMEMBERS", "i"],
    ["OBJECT", "ENCODING", "i"],
    ["SADD", "i", "9007199254740993", "9007199254740992", "-9007199254740993"],
    ["SISMEMBER", "i", "9007199254740993"],
    ["SISMEMBER", "i", "9007199254740994"],
    ["SISMEMBER", "i", "9223372036854775807"],
    ["SISMEMBER", "i", "9223372036854775808"],
    ["SISMEMBER", "i", "-9223372036854775808"],
    ["SMEMBERS", "i"],
    ["SREM", "i", "9007199254740993", "-70000", "32767", "-32768"],
    ["SMEMBERS", "i"],
    ["SCARD", "i"],
    ["OBJECT", "ENCODING", "i"],
    // Small values in a wide intset.
    ["SADD", "i", "1", "2", "-1"],
    ["SMEMBERS", "i"],
    ["SADD", "w16", "32767", "-32768", "32768"],
    ["SMEMBERS", "w16"],
    ["SADD", "w32", "2147483647", "-2147483648", "-2147483649"],
    ["SMEMBERS", "w32"],
    ["OBJECT", "ENCODING", "w32"],
  ]);
  for (
    const notInt of [
      "-0",
      "+1",
      "01",
      " 1",
      "1 ",
      "1.0",
      "9223372036854775808",
      "-9223372036854775809",
      "",
      "0x1",
      "1e3",
    ]
  ) {
    await o.same("DEL", "n");
    await o.same("SADD", "n", "7", notInt);
    await o.same("OBJECT", "ENCODING", "n");
    await o.same("SISMEMBER", "n", notInt);
    await o.same("SISMEMBER", "i", notInt);
    await o.same("SADD", "i", notInt === "" ? "x" : "1");
    await sameMembers(o, "SMEMBERS", "n");
  }
  await o.sameAll([
    ["DEL", "z"],
    ["SADD", "z", "-0"],
    ["OBJECT", "ENCODING", "z"],
    ["SADD", "z", "0"],
    ["SCARD", "z"],
    ["SISMEMBER", "z", "-0"],
    ["SISMEMBER", "z", "0"],
  ]);
});

oracleTest("oracle: intset -> hashtable conversion boundaries, never back", async (o) => {
  await o.sameAll([
    ["SADD", "s", "4", "3", "2", "1", "1"],
    ["OBJECT", "ENCODING", "s"],
    ["SMEMBERS", "s"],
    ["SADD", "s", "5"],
    ["OBJECT", "ENCODING", "s"],
    ["SREM", "s", "5", "4"],
    ["OBJECT", "ENCODING", "s"],
    ["SCARD", "s"],
    ["SADD", "t", "1", "2", "3", "4", "5"],
    ["OBJECT", "ENCODING", "t"],
    ["SADD", "u", "1", "x"],
    ["OBJECT", "ENCODING", "u"],
    ["SREM", "u", "x"],
    ["OBJECT", "ENCODING", "u"],
    ["SADD", "v", "x", "1"],
    ["OBJECT", "ENCODING", "v"],
    ["SADD", "w", "1"],
    ["OBJECT", "ENCODING", "w"],
    ["SADD", "w", "w"],
    ["OBJECT", "ENCODING", "w"],
  ]);
  await sameMembers(o, "SMEMBERS", "s");
  await sameMembers(o, "SMEMBERS", "t");
  await o.same("SMEMBERS", "u");
  // The set algebra builds its result as an intset: ascending while it stays one.
  await o.sameAll([
    ["SUNION", "u", "s"],
    ["SUNIONSTORE", "d", "u", "s"],
    ["OBJECT", "ENCODING", "d"],
    ["SMEMBERS", "d"],
    ["SINTERSTORE", "d2", "s", "t"],
    ["OBJECT", "ENCODING", "d2"],
    ["SMEMBERS", "d2"],
    ["SDIFF", "t", "u"],
    ["SDIFFSTORE", "d3", "t", "u"],
    ["OBJECT", "ENCODING", "d3"],
    ["SMEMBERS", "d3"],
  ]);
  await sameMembers(o, "SUNION", "s", "t");
  await o.same("SUNIONSTORE", "d4", "s", "t");
  await o.same("OBJECT", "ENCODING", "d4");
  // SDIFF's second algorithm adds the whole first set before subtracting:
  // it may pass the limit and stay a hashtable.
  await o.sameAll([
    ["SADD", "big", "1", "2", "3", "4"],
    ["SADD", "small", "1", "2", "3"],
    ["SDIFFSTORE", "d5", "big", "small", "small"],
    ["OBJECT", "ENCODING", "d5"],
    ["SMEMBERS", "d5"],
    ["DEL", "big"],
    ["SADD", "big", "10", "11", "12", "13", "14", "15", "16", "17", "18"],
    ["SADD", "one", "10"],
    ["SDIFFSTORE", "d6", "big", "one"],
    ["OBJECT", "ENCODING", "d6"],
    ["SADD", "x1", "10", "11", "12", "13"],
    ["SDIFFSTORE", "d7", "x1", "big", "one"],
    ["EXISTS", "d7"],
  ]);
  await sameMembers(o, "SMEMBERS", "d6");
}, SMALL_LIMITS);

oracleTest("oracle: SMOVE", async (o) => {
  await o.sameAll([
    ["SADD", "a", "1", "2", "x"],
    ["SADD", "b", "3"],
    ["SMOVE", "a", "b", "1"],
    ["SMEMBERS", "b"],
    ["OBJECT", "ENCODING", "b"],
    ["SMOVE", "a", "b", "1"],
    ["SMOVE", "a", "b", "nope"],
    ["SMOVE", "nokey", "b", "1"],
    ["SMOVE", "a", "a", "2"],
    ["SMOVE", "a", "a", "nope"],
    ["SMOVE", "a", "fresh", "x"],
    ["OBJECT", "ENCODING", "fresh"],
    ["SMEMBERS", "fresh"],
    ["SMOVE", "a", "fresh2", "2"],
    ["OBJECT", "ENCODING", "fresh2"],
    ["EXISTS", "a"],
    ["SMOVE", "fresh2", "b", "2"],
    ["EXISTS", "fresh2"],
    ["SMEMBERS", "b"],
    ["SADD", "c", "3"],
    ["SMOVE", "b", "c", "3"],
    ["SMEMBERS", "c"],
    ["SMEMBERS", "b"],
    ["SMOVE", "b", "c", "x"],
    ["OBJECT", "ENCODING", "c"],
    ["SET", "str", "v"],
    ["SMOVE", "str", "c", "3"],
    ["SMOVE", "c", "str", "3"],
    ["SMOVE", "nokey", "str", "3"],
    ["SMOVE", "c", "str", "nope"],
    ["SMOVE", "c", "b"],
    ["SMOVE", "c", "b", "3", "x"],
  ]);
});

oracleTest("oracle: SINTER, SINTERSTORE, SINTERCARD", async (o) => {
  await o.sameAll([
    ["SADD", "a", "5", "1", "2", "3", "4"],
    ["SADD", "b", "4", "3", "2", "10"],
    ["SADD", "c", "2", "3", "x"],
    ["SINTER", "a", "b"],
    ["SINTER", "b", "a"],
    ["SINTER", "a"],
    ["SINTER", "a", "a"],
    ["SINTER", "a", "nokey"],
    ["SINTER", "nokey", "a"],
    ["SINTER", "nokey"],
    ["SINTERSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["SINTERSTORE", "d", "a", "nokey"],
    ["EXISTS", "d"],
    ["SINTERSTORE", "d", "a", "nokey"],
    ["SET", "str", "v"],
    ["SINTERSTORE", "str", "a", "b"],
    ["TYPE", "str"],
    ["SET", "str", "v"],
    ["SINTERSTORE", "str", "a", "nokey"],
    ["EXISTS", "str"],
    ["SINTERSTORE", "d", "c", "x"],
    ["SINTERSTORE", "d"],
    ["SINTERSTORE", "a", "a", "b"],
    ["SMEMBERS", "a"],
    ["SINTERCARD", "2", "a", "b"],
    ["SINTERCARD", "1", "a"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["SINTERCARD", "2", "a", "b", "limit", "0"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "100"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "9223372036854775807"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "0"],
    ["SINTERCARD", "2", "a", "nokey"],
    ["SINTERCARD", "1", "nokey"],
    ["SINTERCARD", "0", "a"],
    ["SINTERCARD", "-1", "a"],
    ["SINTERCARD", "x", "a"],
    ["SINTERCARD", "9223372036854775808", "a"],
    ["SINTERCARD", "3", "a", "b"],
    ["SINTERCARD", "1", "a", "LIMIT"],
    ["SINTERCARD", "1", "a", "LIMIT", "-1"],
    ["SINTERCARD", "1", "a", "LIMIT", "x"],
    ["SINTERCARD", "1", "a", "LIMIT", "1.5"],
    ["SINTERCARD", "1", "a", "FOO", "1"],
    ["SINTERCARD", "2", "a", "b", "c"],
    ["SINTERCARD", "1"],
    ["SINTERCARD", "2", "a", "str"],
    ["SINTERCARD", "2", "nokey", "str"],
    ["SINTERCARD", "1", "str", "LIMIT", "-1"],
    ["SINTER", "nokey", "str"],
    ["SINTER", "str", "nokey"],
    ["SINTERSTORE", "d", "nokey", "str"],
  ]);
  // The smallest set is a hashtable: its order is Redis's hash order.
  await sameMembers(o, "SINTER", "a", "b", "c");
  await o.sameAll([["SADD", "h", "a", "b", "c", "d"], ["SADD", "h2", "c", "d", "e"]]);
  await sameMembers(o, "SINTER", "h", "h2");
  await o.same("SINTERSTORE", "hd", "h", "h2");
  await sameMembers(o, "SMEMBERS", "hd");
  await o.same("OBJECT", "ENCODING", "hd");
  await o.same("SINTERCARD", "2", "h", "h2");
  // Integers out of a hashtable make an intset result.
  await o.sameAll([
    ["SADD", "m", "z", "1", "2", "3"],
    ["SINTERSTORE", "md", "m", "a"],
    ["OBJECT", "ENCODING", "md"],
    ["SMEMBERS", "md"],
  ]);
});

oracleTest("oracle: SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE", async (o) => {
  await o.sameAll([
    ["SADD", "a", "5", "1", "2", "3"],
    ["SADD", "b", "3", "4", "-1"],
    ["SUNION", "a", "b"],
    ["SUNION", "a", "nokey", "b"],
    ["SUNION", "nokey"],
    ["SUNION", "a"],
    ["SUNIONSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["SUNIONSTORE", "d", "nokey"],
    ["EXISTS", "d"],
    ["SUNIONSTORE", "d", "nokey"],
    ["SUNIONSTORE", "a", "a", "b"],
    ["SMEMBERS", "a"],
    ["SDIFF", "a", "b"],
    ["SDIFF", "b", "a"],
    ["SDIFF", "a"],
    ["SDIFF", "a", "a"],
    ["SDIFF", "a", "b", "a"],
    ["SDIFF", "nokey", "a"],
    ["SDIFF", "a", "nokey"],
    ["SDIFFSTORE", "d", "a", "b"],
    ["SMEMBERS", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["SDIFFSTORE", "d", "a", "a"],
    ["EXISTS", "d"],
    ["SDIFFSTORE", "d", "nokey", "a"],
    ["SET", "str", "v"],
    ["SUNION", "a", "str"],
    ["SUNION", "nokey", "str"],
    ["SUNIONSTORE", "d", "a", "str"],
    ["SDIFF", "str", "a"],
    ["SDIFF", "a", "str"],
    ["SDIFF", "nokey", "str"],
    ["SDIFFSTORE", "d", "nokey", "str"],
    ["SUNIONSTORE", "str", "a"],
    ["TYPE", "str"],
    ["SMEMBERS", "str"],
    ["SET", "str", "v"],
    ["SDIFFSTORE", "str", "a", "a"],
    ["EXISTS", "str"],
    ["SUNION"],
    ["SUNIONSTORE", "d"],
    ["SDIFF"],
  ]);
  // Both diff algorithms, with strings in play.
  await o.sameAll([
    ["SADD", "s1", "a", "b", "c", "d", "1", "2"],
    ["SADD", "s2", "c", "d", "e"],
    ["SADD", "s3", "1", "z"],
  ]);
  await sameMembers(o, "SDIFF", "s1", "s2", "s3");
  await sameMembers(o, "SDIFF", "s1", "s2", "nokey", "s3");
  await sameMembers(o, "SUNION", "s1", "s2", "s3");
  await o.sameAll([
    ["SADD", "many", ..."abcdefghijklmnopqrstuvwxyz".split("")],
    ["SADD", "few", "a", "b"],
    ["SDIFF", "few", "many"],
    ["SDIFF", "s3", "many"],
    ["SDIFFSTORE", "d", "s1", "s2", "s3"],
    ["SCARD", "d"],
    ["OBJECT", "ENCODING", "d"],
  ]);
  await sameMembers(o, "SDIFF", "many", "few", "s1");
  await sameMembers(o, "SDIFF", "many", "few");
});

oracleTest("oracle: SRANDMEMBER", async (o) => {
  await o.sameAll([
    ["SADD", "s", "1", "2", "3", "4", "5"],
    ["SRANDMEMBER", "s", "0"],
    ["SRANDMEMBER", "s", "5"],
    ["SRANDMEMBER", "s", "100"],
    ["SRANDMEMBER", "s", "9223372036854775807"],
    ["SRANDMEMBER", "nokey"],
    ["SRANDMEMBER", "nokey", "5"],
    ["SRANDMEMBER", "nokey", "-5"],
    ["SRANDMEMBER", "nokey", "0"],
    ["SRANDMEMBER", "s", "x"],
    ["SRANDMEMBER", "s", "1.5"],
    ["SRANDMEMBER", "s", "-9223372036854775808"],
    ["SRANDMEMBER", "s", "9223372036854775808"],
    ["SRANDMEMBER", "nokey", "x"],
    ["SRANDMEMBER", "s", "1", "2"],
    ["SRANDMEMBER", "nokey", "1", "2"],
    ["SADD", "one", "only"],
    ["SRANDMEMBER", "one"],
    ["SRANDMEMBER", "one", "1"],
    ["SRANDMEMBER", "one", "-3"],
    ["SRANDMEMBER", "one", "3"],
    ["SET", "str", "v"],
    ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "2"],
    ["SRANDMEMBER", "str", "x"],
  ]);
  await o.sameAll([["SADD", "h", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]]);
  await sameMembers(o, "SRANDMEMBER", "h", "10");
  const members = new Set("abcdefghij".split(""));
  for (const key of ["s", "h"]) {
    const all = new Set(items(decode(await o.redeno.call("SMEMBERS", key))));
    for (const count of [1, 2, 3, 4, 6, 9]) {
      if (count >= all.size) continue;
      for (let round = 0; round < 5; round++) {
        // Distinct members of the set, exactly `count` of them (both strategies).
        const got = items(decode(await o.redeno.call("SRANDMEMBER", key, String(count))));
        assertEquals(got.length, count);
        assertEquals(new Set(got).size, count, `distinct: ${got}`);
        for (const m of got) assert(all.has(m), m);
        // The same shape from Redis.
        const theirs = await o.redis.call("SRANDMEMBER", key, String(count));
        assertEquals((await o.redeno.call("SRANDMEMBER", key, String(count)))[0], theirs[0]);
      }
    }
    // Negative: repeats allowed, exactly |count| members of the set.
    const rep = items(decode(await o.redeno.call("SRANDMEMBER", key, "-50")));
    assertEquals(rep.length, 50);
    for (const m of rep) assert(all.has(m), m);
    assert(new Set(rep).size > 1, "50 draws are not all the same");
    const one = decode(await o.redeno.call("SRANDMEMBER", key));
    assert(all.has(String(one)));
  }
  assert(members.size === 10);
});

oracleTest(
  "oracle: SRANDMEMBER with a huge negative count closes the client, others go on",
  async (o) => {
    await o.same("SADD", "s", "a");
    // Redis 7.0.15 tries to build this reply and runs out of memory: redeno
    // stops at its reply limit and closes that client instead.
    const victim = await RespClient.connect(o.redenoServer.port);
    try {
      await victim.send("*3\r\n$11\r\nSRANDMEMBER\r\n$1\r\ns\r\n$20\r\n-4611686018427387904\r\n");
      const { closed } = await victim.drain(30_000);
      assert(closed, "the client is closed");
    } finally {
      victim.close();
    }
    assertEquals(await o.redeno.call("SCARD", "s"), ":1\r\n");
    assertEquals(await o.redeno.call("PING"), "+PONG\r\n");
  },
);

oracleTest("oracle: SPOP", async (o) => {
  await o.sameAll([
    ["SPOP", "nokey"],
    ["SPOP", "nokey", "0"],
    ["SPOP", "nokey", "3"],
    ["SPOP", "nokey", "-1"],
    ["SPOP", "nokey", "x"],
    ["SADD", "s", "1", "2", "3", "4", "5"],
    ["SPOP", "s", "0"],
    ["SPOP", "s", "-1"],
    ["SPOP", "s", "-9223372036854775808"],
    ["SPOP", "s", "x"],
    ["SPOP", "s", "1.5"],
    ["SPOP", "s", "1", "2"],
    ["SPOP", "s", "9223372036854775808"],
    ["SCARD", "s"],
    // The whole set, in intset order, and the key is gone.
    ["SPOP", "s", "5"],
    ["EXISTS", "s"],
    ["SADD", "s", "3", "1", "2"],
    ["SPOP", "s", "9223372036854775807"],
    ["EXISTS", "s"],
    ["SADD", "one", "x"],
    ["SPOP", "one"],
    ["EXISTS", "one"],
    ["SADD", "one", "7"],
    ["SPOP", "one", "1"],
    ["EXISTS", "one"],
    ["SET", "str", "v"],
    ["SPOP", "str"],
    ["SPOP", "str", "1"],
    ["SPOP", "str", "-1"],
    ["SPOP", "str", "0"],
    // Integers of a hashtable come back as an intset would give them.
    ["SADD", "h", "x", "3", "1", "2"],
    ["SREM", "h", "x"],
    ["SPOP", "h", "10"],
  ]);
  await o.same("SADD", "hs", "a", "b", "c");
  await sameMembers(o, "SPOP", "hs", "3");
  await o.same("EXISTS", "hs");
  // Partial pops: distinct members that were in the set and are gone after.
  for (const [members, count] of [[10, 2], [10, 9], [10, 5], [6, 5]] as const) {
    for (const kind of ["int", "str"]) {
      const all = Array.from({ length: members }, (_, i) => kind === "int" ? String(i) : `m${i}`);
      await o.redeno.call("DEL", "p");
      await o.redeno.call("SADD", "p", ...all);
      const got = items(decode(await o.redeno.call("SPOP", "p", String(count))));
      assertEquals(got.length, count);
      assertEquals(new Set(got).size, count);
      const left = items(decode(await o.redeno.call("SMEMBERS", "p")));
      assertEquals([...got, ...left].sort(), all.slice().sort());
      assertEquals(await o.redeno.call("SCARD", "p"), `:${members - count}\r\n`);
      const single = decode(await o.redeno.call("SPOP", "p"));
      assert(left.includes(String(single)));
    }
  }
});

oracleTest("oracle: SPOP with count: encodings of what is left", async (o) => {
  // Few survivors are drawn into a new set, whose encoding is chosen afresh.
  for (
    const step of [
      ["SADD", "s", "1", "2", "3", "4", "5", "6"],
      ["OBJECT", "ENCODING", "s"],
      ["SPOP", "s", "5"],
      ["OBJECT", "ENCODING", "s"],
      ["SCARD", "s"],
      ["SADD", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"],
      ["SPOP", "t", "2"],
      ["OBJECT", "ENCODING", "t"],
      ["SCARD", "t"],
      ["SADD", "u", "a", "2", "3", "4", "5", "6"],
      ["SREM", "u", "a"],
      ["SPOP", "u", "4"],
      ["OBJECT", "ENCODING", "u"],
      ["SADD", "v", "a", "b", "c", "d", "e", "f"],
      ["SPOP", "v", "5"],
      ["OBJECT", "ENCODING", "v"],
      ["SCARD", "v"],
    ]
  ) {
    if (step[0] === "SPOP") await sameShape(o, ...step);
    else await o.same(...step);
  }
}, SMALL_LIMITS);

oracleTest("oracle: SSCAN", async (o) => {
  await o.sameAll([
    ["SADD", "i", "3", "1", "2", "10", "20"],
    ["SSCAN", "i", "0"],
    ["SSCAN", "i", "12345"],
    ["SSCAN", "i", "0", "MATCH", "1*"],
    ["SSCAN", "i", "0", "COUNT", "1"],
    ["SSCAN", "i", "0", "COUNT", "0"],
    ["SSCAN", "i", "0", "COUNT", "x"],
    ["SSCAN", "i", "0", "MATCH"],
    ["SSCAN", "i", "0", "TYPE", "set"],
    ["SSCAN", "i", "x"],
    ["SSCAN", "i", "-1"],
    ["SSCAN", "nokey", "0"],
    ["SSCAN", "nokey", "x"],
    ["SSCAN", "nokey", "0", "COUNT", "0"],
    ["SET", "str", "v"],
    ["SSCAN", "str", "0"],
    ["SSCAN", "str", "x"],
    ["SSCAN", "i"],
  ]);
  const members = Array.from({ length: 200 }, (_, i) => `m${i}`);
  await o.same("SADD", "h", ...members);
  // Whatever the cursor path, a full scan returns every member.
  for (const server of [o.redeno, o.redis]) {
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const r = decode(await server.call("SSCAN", "h", cursor, "COUNT", "7")) as Decoded[];
      cursor = String(r[0]);
      for (const m of items(r[1])) seen.add(m);
    } while (cursor !== "0");
    assertEquals([...seen].sort(), members.slice().sort());
  }
  const r = decode(
    await o.redeno.call("SSCAN", "h", "0", "MATCH", "m1?", "COUNT", "1000"),
  ) as Decoded[];
  assertEquals(String(r[0]), "0");
  assertEquals(items(r[1]).sort(), members.filter((m) => /^m1.$/.test(m)).sort());
});

oracleTest("oracle: binary members with every byte value", async (o) => {
  const bytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
  const pairs = bytes.map((b, i) => `${b}${String.fromCharCode(255 - i)}`);
  await o.same("SADD", "b", ...bytes, ...pairs, "");
  await o.same("SCARD", "b");
  await sameMembers(o, "SMEMBERS", "b");
  for (const b of ["\0", "\r\n", "\xff", "", "1", "\x80\x81"]) {
    await o.same("SISMEMBER", "b", b);
    await o.same("SREM", "b", b);
    await o.same("SISMEMBER", "b", b);
  }
  await o.same("SMISMEMBER", "b", ...bytes.slice(0, 20));
  await o.same("SADD", "c", "\0", "\x01", "x\0y");
  await o.same("SMOVE", "c", "b", "x\0y");
  await sameMembers(o, "SINTER", "b", "c");
  await sameMembers(o, "SDIFF", "c", "b");
  await o.same("SINTERCARD", "2", "b", "c");
  await o.same("SINTERSTORE", "\0key\xff", "b", "c");
  await sameMembers(o, "SMEMBERS", "\0key\xff");
});

oracleTest("oracle: set replies in RESP3", async (o) => {
  await resp3(o);
  await o.sameAll([
    ["SADD", "s", "3", "1", "2"],
    ["SMEMBERS", "s"],
    ["SMEMBERS", "nokey"],
    ["SINTER", "s", "s"],
    ["SINTER", "s", "nokey"],
    ["SUNION", "s", "nokey"],
    ["SUNION", "nokey"],
    ["SDIFF", "s", "nokey"],
    ["SDIFF", "nokey", "s"],
    ["SINTERCARD", "1", "s"],
    ["SRANDMEMBER", "s", "3"],
    ["SRANDMEMBER", "s", "0"],
    ["SRANDMEMBER", "nokey", "3"],
    ["SRANDMEMBER", "nokey"],
    ["SPOP", "nokey"],
    ["SPOP", "nokey", "2"],
    ["SPOP", "s", "0"],
    ["SMISMEMBER", "s", "1", "9"],
    ["SISMEMBER", "s", "1"],
    ["SSCAN", "s", "0"],
    ["SSCAN", "nokey", "0"],
    ["SPOP", "s", "3"],
    ["SADD", "one", "x"],
    ["SRANDMEMBER", "one", "-2"],
    ["SRANDMEMBER", "one", "1"],
    ["SPOP", "one"],
  ]);
  await o.same("SADD", "h", "a", "b", "c", "d");
  await sameShape(o, "SRANDMEMBER", "h", "2");
  await sameShape(o, "SRANDMEMBER", "h", "-2");
  await sameShape(o, "SRANDMEMBER", "h", "1");
  await sameShape(o, "SPOP", "h", "1");
  await sameShape(o, "SPOP", "h", "2");
  await sameShape(o, "SPOP", "h");
});

oracleTest("oracle: WRONGTYPE on every set command", async (o) => {
  await o.sameAll([
    ["SET", "str", "v"],
    ["HSET", "hash", "f", "v"],
    ["SADD", "str", "a"],
    ["SADD", "hash", "a"],
    ["SREM", "str", "a"],
    ["SCARD", "str"],
    ["SISMEMBER", "str", "a"],
    ["SMISMEMBER", "str", "a"],
    ["SMEMBERS", "str"],
    ["SRANDMEMBER", "str"],
    ["SRANDMEMBER", "str", "-1"],
    ["SPOP", "str"],
    ["SPOP", "str", "2"],
    ["SMOVE", "str", "x", "a"],
    ["SSCAN", "str", "0"],
    ["SINTER", "str"],
    ["SINTERCARD", "1", "str"],
    ["SINTERSTORE", "d", "str"],
    ["SUNION", "str"],
    ["SUNIONSTORE", "d", "str"],
    ["SDIFF", "str"],
    ["SDIFFSTORE", "d", "str"],
    ["SADD", "s", "a"],
    ["SMOVE", "s", "hash", "a"],
    ["SMOVE", "s", "hash", "nope"],
    ["SMEMBERS", "s"],
    ["TYPE", "s"],
    ["EXISTS", "d"],
  ]);
});

oracleTest("oracle: keyspace hits and misses of set reads", async (o) => {
  await o.same("SADD", "a", "1", "2");
  for (const server of [o.redeno, o.redis]) await server.call("CONFIG", "RESETSTAT");
  await o.sameAll([
    ["SINTERSTORE", "d", "a", "b"],
    ["SUNIONSTORE", "d", "a", "b"],
    ["SDIFF", "a", "b", "c"],
    ["SINTERCARD", "2", "a", "b"],
    ["SMOVE", "a", "b", "1"],
    ["SPOP", "nokey"],
    ["SADD", "a", "9"],
    ["SRANDMEMBER", "b"],
    ["SISMEMBER", "nokey", "1"],
    ["SMISMEMBER", "a", "1"],
  ]);
  const stats = async (c: RespClient) => {
    const info = String(decode(await c.call("INFO", "stats")));
    return info.split("\r\n").filter((l) => l.startsWith("keyspace_"));
  };
  assertEquals(await stats(o.redeno), await stats(o.redis));
});

oracleTest("oracle: COMMAND INFO and GETKEYS of set commands", async (o) => {
  for (
    const name of [
      "sadd",
      "srem",
      "scard",
      "sismember",
      "smismember",
      "smembers",
      "srandmember",
      "spop",
      "smove",
      "sscan",
      "sinter",
      "sintercard",
      "sinterstore",
      "sunion",
      "sunionstore",
      "sdiff",
      "sdiffstore",
    ]
  ) {
    const [mine, theirs] = await Promise.all([
      o.redeno.call("COMMAND", "INFO", name),
      o.redis.call("COMMAND", "INFO", name),
    ]);
    // Name, arity, flags, key positions and categories; Redis 7 tips are not modelled.
    const a = decode(mine) as Decoded[][];
    const b = decode(theirs) as Decoded[][];
    assertEquals(a[0].slice(0, 7), b[0].slice(0, 7), name);
    assertEquals(a[0][8], b[0][8], `${name} key specs`);
  }
  await o.sameAll([
    ["COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["COMMAND", "GETKEYS", "SINTERCARD", "3", "a", "b"],
    ["COMMAND", "GETKEYS", "SINTERSTORE", "d", "a", "b"],
    ["COMMAND", "GETKEYS", "SMOVE", "a", "b", "m"],
    ["COMMAND", "GETKEYS", "SDIFF", "a", "b", "c"],
  ]);
});
