/**
 * Keyspace notifications of the sorted set, sorted set algebra, geo, stream
 * and consumer group commands, compared event by event with Redis 7.0's for
 * the same commands: which events, in which order, only when something
 * changed, "del" after a zset empties, "new" before the command's own event.
 */
import { assertEquals } from "@std/assert";
import { type EventOracle, eventTest } from "../support/events.ts";
import { Twins } from "../support/twins.ts";

/** Runs each command as its own step, so a difference names the command that made it. */
async function steps(e: EventOracle, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) await e.same([cmd]);
}

/** Waits until a key with a PX 1 expiry has certainly expired on both servers' clocks. */
function pastExpiry(): Promise<void> {
  return new Promise((r) => setTimeout(r, 5));
}

/**
 * A client of each server in database `db` blocks on `block`; `write` (run
 * in `db` by the main client) serves it: the events of both compared, then
 * the waiter's reply.
 */
async function servedWaiter(e: EventOracle, db: string, block: string[], write: string[]) {
  const t = await Twins.open(e.oracle, 1);
  try {
    assertEquals(await t.call(0, "SELECT", db), "+OK\r\n");
    await t.send(0, ...block);
    await t.blocked(1);
    await e.same([["SELECT", db], write, ["SELECT", "0"]]);
    await t.reply(0);
  } finally {
    t.close();
  }
}

eventTest("notify: ZADD and ZINCRBY", async (e) => {
  await steps(e, [
    ["ZADD", "z", "1", "a"],
    ["ZADD", "z", "1", "a"],
    ["ZADD", "z", "2", "a", "3", "b"],
    ["ZADD", "z", "NX", "5", "a"],
    ["ZADD", "z", "NX", "5", "a", "6", "c"],
    ["ZADD", "z", "XX", "5", "a"],
    ["ZADD", "z", "XX", "5", "a"],
    ["ZADD", "z", "XX", "5", "zz"],
    ["ZADD", "none", "XX", "5", "a"],
    ["ZADD", "none", "XX", "INCR", "5", "a"],
    ["ZADD", "z", "GT", "1", "a"],
    ["ZADD", "z", "GT", "CH", "10", "a"],
    ["ZADD", "z", "LT", "CH", "10", "a"],
    ["ZADD", "z", "CH", "10", "a"],
    ["ZADD", "z", "INCR", "1", "a"],
    ["ZADD", "z", "INCR", "0", "a"],
    ["ZADD", "z", "NX", "INCR", "1", "a"],
    ["ZADD", "z", "GT", "INCR", "-1", "a"],
    ["ZADD", "zi", "INCR", "1", "a"],
    ["ZINCRBY", "z", "2", "a"],
    ["ZINCRBY", "z", "0", "a"],
    ["ZINCRBY", "zn", "2", "a"],
    ["ZADD", "z", "inf", "inf"],
    ["ZINCRBY", "z", "-inf", "inf"],
    ["ZADD", "z", "INCR", "-inf", "inf"],
    ["ZINCRBY", "z", "abc", "a"],
    ["ZADD", "z", "abc", "a"],
    ["ZADD", "z", "1"],
    ["ZADD", "z", "NX", "XX", "1", "a"],
    ["ZADD", "z", "INCR", "1", "a", "2", "b"],
    ["SET", "str", "v"],
    ["ZADD", "str", "1", "a"],
    ["ZINCRBY", "str", "1", "a"],
    ["SELECT", "3"],
    ["ZADD", "z", "1", "a"],
    ["ZINCRBY", "z", "1", "a"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: ZREM and ZREMRANGEBY*", async (e) => {
  await steps(e, [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"],
    ["ZREM", "z", "nope"],
    ["ZREM", "none", "a"],
    ["ZREM", "z", "a", "nope"],
    ["ZREMRANGEBYRANK", "z", "10", "20"],
    ["ZREMRANGEBYRANK", "z", "0", "0"],
    ["ZREMRANGEBYSCORE", "z", "100", "200"],
    ["ZREMRANGEBYSCORE", "z", "3", "(4"],
    ["ZREMRANGEBYSCORE", "z", "x", "1"],
    ["ZREMRANGEBYLEX", "z", "[a", "[a"],
    ["ZREMRANGEBYLEX", "z", "x", "y"],
    ["ZREMRANGEBYLEX", "z", "[d", "[d"],
    ["ZREMRANGEBYRANK", "none", "0", "-1"],
    ["ZREMRANGEBYRANK", "z", "a", "-1"],
    ["ZREM", "z", "e", "f", "x"],
    ["EXISTS", "z"],
    ["ZADD", "z", "1", "a", "2", "b"],
    ["ZREMRANGEBYRANK", "z", "0", "-1"],
    ["ZADD", "z", "1", "a", "2", "b"],
    ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"],
    ["ZADD", "z", "0", "a", "0", "b"],
    ["ZREMRANGEBYLEX", "z", "-", "+"],
    ["SET", "str", "v"],
    ["ZREM", "str", "a"],
    ["ZREMRANGEBYRANK", "str", "0", "1"],
    ["SELECT", "5"],
    ["ZADD", "z", "1", "a"],
    ["ZREM", "z", "a"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: ZPOPMIN, ZPOPMAX, ZMPOP", async (e) => {
  await steps(e, [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZPOPMIN", "z"],
    ["ZPOPMAX", "z"],
    ["ZPOPMIN", "z", "0"],
    ["ZPOPMAX", "z", "-1"],
    ["ZPOPMIN", "none"],
    ["ZPOPMIN", "none", "3"],
    ["ZPOPMAX", "z", "2"],
    ["ZMPOP", "2", "none", "z", "MIN"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["ZMPOP", "1", "z", "MAX", "COUNT", "2"],
    ["ZMPOP", "1", "z", "MIN", "COUNT", "10"],
    ["ZMPOP", "1", "z", "MIN"],
    ["ZMPOP", "0", "z", "MIN"],
    ["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
    ["ZADD", "z", "1", "a", "2", "b"],
    ["ZPOPMIN", "z", "5"],
    ["SET", "str", "v"],
    ["ZPOPMIN", "str"],
    ["ZMPOP", "1", "str", "MAX"],
    ["SELECT", "2"],
    ["ZADD", "z", "1", "a", "2", "b"],
    ["ZPOPMAX", "z", "9"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZRANGESTORE", async (e) => {
  await steps(e, [
    ["ZADD", "a", "1", "x", "2", "y"],
    ["ZADD", "b", "3", "y", "4", "z"],
    ["SADD", "s", "x", "w"],
    ["ZUNIONSTORE", "u", "2", "a", "b"],
    ["ZUNIONSTORE", "u", "3", "a", "b", "s", "WEIGHTS", "1", "2", "3"],
    ["ZINTERSTORE", "i", "2", "a", "b"],
    ["ZINTERSTORE", "i", "2", "a", "none"],
    ["ZINTERSTORE", "i", "2", "a", "none"],
    ["ZDIFFSTORE", "d", "2", "a", "b"],
    ["ZDIFFSTORE", "d", "2", "a", "a"],
    ["ZDIFFSTORE", "d", "2", "a", "a"],
    ["ZUNIONSTORE", "u2", "2", "none", "none2"],
    ["ZUNIONSTORE", "a", "2", "a", "b"],
    ["ZUNIONSTORE", "u", "0", "a"],
    ["ZUNIONSTORE", "u", "2", "a", "str"],
    ["ZINTERSTORE", "u", "1", "a", "BAD"],
    ["ZRANGESTORE", "r", "a", "0", "1"],
    ["ZRANGESTORE", "r", "a", "0", "-1", "REV"],
    ["ZRANGESTORE", "r", "a", "10", "20"],
    ["ZRANGESTORE", "r", "a", "10", "20"],
    ["ZRANGESTORE", "r", "none", "0", "-1"],
    ["ZRANGESTORE", "r", "a", "(1", "+inf", "BYSCORE", "LIMIT", "0", "1"],
    ["ZRANGESTORE", "r", "a", "[x", "+", "BYLEX"],
    ["ZRANGESTORE", "r", "a", "x", "+", "BYLEX"],
    ["SET", "str", "v"],
    ["ZRANGESTORE", "r", "str", "0", "-1"],
    ["ZUNIONSTORE", "str", "1", "a"],
    ["ZRANGESTORE", "str", "a", "0", "0"],
    ["SELECT", "4"],
    ["ZADD", "a", "1", "x"],
    ["ZUNIONSTORE", "u", "1", "a"],
    ["ZRANGESTORE", "r", "a", "0", "-1"],
    ["ZDIFFSTORE", "u", "1", "none"],
    ["SELECT", "0"],
  ]);
});

eventTest(
  "notify: zset stores over an expired destination",
  async (e) => {
    // Only lazy expiry: the destinations expire when the stores reach them.
    await steps(e, [
      ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
      ["ZADD", "a", "1", "x"],
      ["SET", "d1", "v", "PX", "1"],
      ["SET", "d2", "v", "PX", "1"],
      ["SET", "d3", "v", "PX", "1"],
      ["SET", "d4", "v", "PX", "1"],
    ]);
    await pastExpiry();
    await steps(e, [
      ["ZUNIONSTORE", "d1", "1", "a"],
      ["ZRANGESTORE", "d2", "a", "0", "-1"],
      ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
      ["GEOSEARCHSTORE", "d3", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
      ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d4"],
      ["SET", "z", "v", "PX", "1"],
      ["SET", "x", "v", "PX", "1"],
      ["SET", "c", "v", "PX", "1"],
    ]);
    await pastExpiry();
    await steps(e, [
      ["ZADD", "z", "1", "a"],
      ["XADD", "x", "1-1", "f", "v"],
      ["XGROUP", "CREATE", "c", "g", "$", "MKSTREAM"],
    ]);
  },
  "KEAmn",
  { args: ["--enable-debug-command", "yes"] },
);

eventTest("notify: GEOADD and the geo stores", async (e) => {
  await steps(e, [
    ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
    ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
    ["GEOADD", "g", "15.087269", "37.502669", "Catania", "13.361389", "38.115556", "Palermo"],
    ["GEOADD", "g", "CH", "15.087269", "37.502", "Catania"],
    ["GEOADD", "g", "XX", "1", "1", "Nowhere"],
    ["GEOADD", "g", "NX", "1", "1", "Catania"],
    ["GEOADD", "none", "XX", "1", "1", "a"],
    ["GEOADD", "g", "500", "1", "bad"],
    ["GEOADD", "g", "1", "1"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "r1"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "r2"],
    ["GEORADIUSBYMEMBER", "g", "Palermo", "10", "km", "STORE", "r3"],
    ["GEOSEARCHSTORE", "s1", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    [
      "GEOSEARCHSTORE",
      "s2",
      "g",
      "FROMMEMBER",
      "Palermo",
      "BYBOX",
      "400",
      "400",
      "km",
      "STOREDIST",
    ],
    ["GEOSEARCHSTORE", "s1", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "s1", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["GEORADIUS", "g", "0", "0", "1", "km", "STORE", "r1"],
    ["GEORADIUS", "none", "0", "0", "1", "km", "STORE", "r2"],
    ["GEOSEARCHSTORE", "s2", "none", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "s3", "none", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "s3", "g", "FROMMEMBER", "Nobody", "BYRADIUS", "1", "km"],
    ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "r1", "WITHDIST"],
    ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
    ["GEORADIUS", "g", "15", "37", "200", "km"],
    ["SELECT", "6"],
    ["GEOADD", "g", "13.361389", "38.115556", "Palermo"],
    ["GEOSEARCHSTORE", "s1", "g", "FROMLONLAT", "13", "38", "BYRADIUS", "200", "km"],
    ["ZREM", "g", "Palermo"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: XADD, XTRIM, XDEL, XSETID", async (e) => {
  await steps(e, [
    ["XADD", "s", "1-1", "f", "v"],
    ["XADD", "s", "1-2", "f", "v"],
    ["XADD", "s", "1-2", "f", "v"],
    ["XADD", "s", "0-0", "f", "v"],
    ["XADD", "s", "1-*", "f", "v"],
    ["XADD", "s", "2-*", "f", "v"],
    ["XADD", "s", "3-0", "f"],
    ["XADD", "none", "NOMKSTREAM", "1-1", "f", "v"],
    ["XADD", "s2", "NOMKSTREAM", "1-1", "f", "v"],
    ["XADD", "s", "MAXLEN", "3", "4-0", "f", "v"],
    ["XADD", "s", "MAXLEN", "10", "5-0", "f", "v"],
    ["XADD", "s", "MAXLEN", "~", "1", "6-0", "f", "v"],
    ["XADD", "s", "MINID", "5", "7-0", "f", "v"],
    ["XADD", "s", "MINID", "5", "LIMIT", "10", "8-0", "f", "v"],
    ["XADD", "s", "MAXLEN", "-1", "9-0", "f", "v"],
    ["XADD", "t", "MAXLEN", "0", "1-0", "f", "v"],
    ["EXISTS", "t"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "10"],
    ["XTRIM", "s", "MAXLEN", "2"],
    ["XTRIM", "s", "MAXLEN", "~", "0"],
    ["XTRIM", "s", "MINID", "8"],
    ["XTRIM", "s", "MINID", "9-0"],
    ["XTRIM", "none", "MAXLEN", "0"],
    ["XTRIM", "s", "MAXLEN", "x"],
    ["XDEL", "s", "100-0"],
    ["XDEL", "none", "1-0"],
    ["XDEL", "s", "9-0", "100-0"],
    ["XDEL", "s", "bad"],
    ["XLEN", "s"],
    ["EXISTS", "s"],
    ["XSETID", "s", "10-0"],
    ["XSETID", "s", "10-0"],
    ["XSETID", "s", "20-0", "ENTRIESADDED", "100", "MAXDELETEDID", "15-0"],
    ["XSETID", "none", "1-0"],
    ["XSETID", "s", "1-0", "MAXDELETEDID", "5-0"],
    ["XADD", "s", "21-0", "f", "v"],
    ["XSETID", "s", "20-0"],
    ["SET", "str", "v"],
    ["XADD", "str", "1-1", "f", "v"],
    ["XTRIM", "str", "MAXLEN", "0"],
    ["XDEL", "str", "1-1"],
    ["XSETID", "str", "1-1"],
    ["SELECT", "7"],
    ["XADD", "s", "1-1", "f", "v"],
    ["XADD", "s", "MAXLEN", "1", "1-2", "f", "v"],
    ["XDEL", "s", "1-2"],
    ["XSETID", "s", "2-0"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: XGROUP subcommands", async (e) => {
  await steps(e, [
    ["XGROUP", "CREATE", "s", "g", "$"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "0"],
    ["XGROUP", "CREATE", "n", "g", "bad", "MKSTREAM"],
    ["EXISTS", "n"],
    ["XGROUP", "CREATE", "s", "g3", "0", "BAD"],
    ["XADD", "s", "1-1", "f", "v"],
    ["XGROUP", "SETID", "s", "g", "0"],
    ["XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "1"],
    ["XGROUP", "SETID", "s", "nog", "0"],
    ["XGROUP", "SETID", "none", "g", "0"],
    ["XGROUP", "SETID", "s", "g", "bad"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
    ["XGROUP", "CREATECONSUMER", "s", "nog", "bob"],
    ["XGROUP", "CREATECONSUMER", "none", "g", "bob"],
    ["XGROUP", "DELCONSUMER", "s", "g", "alice"],
    ["XGROUP", "DELCONSUMER", "s", "g", "alice"],
    ["XGROUP", "DELCONSUMER", "s", "nog", "alice"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XGROUP", "DESTROY", "s", "g2"],
    ["XGROUP", "DESTROY", "none", "g2"],
    ["XGROUP", "HELP"],
    ["SET", "str", "v"],
    ["XGROUP", "CREATE", "str", "g", "$"],
    ["SELECT", "8"],
    ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "c"],
    ["XGROUP", "DELCONSUMER", "s", "g", "c"],
    ["XGROUP", "SETID", "s", "g", "0"],
    ["XGROUP", "DESTROY", "s", "g"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: XREADGROUP, XACK, XCLAIM, XAUTOCLAIM", async (e) => {
  await steps(e, [
    ["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM"],
    ["XGROUP", "CREATE", "e", "g", "0", "MKSTREAM"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"],
    ["XADD", "s", "1-1", "f", "v"],
    ["XADD", "s", "1-2", "f", "v"],
    ["XADD", "s", "1-3", "f", "v"],
    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "e", ">", ">"],
    ["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "dave", "NOACK", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "nog", "erin", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "erin", "STREAMS", "none", ">"],
    ["XACK", "s", "g", "1-1"],
    ["XACK", "s", "g", "1-1"],
    ["XACK", "s", "nog", "1-2"],
    ["XACK", "none", "g", "1-2"],
    ["XCLAIM", "s", "g", "frank", "0", "1-2"],
    ["XCLAIM", "s", "g", "frank", "0", "1-2", "JUSTID"],
    ["XCLAIM", "s", "g", "gina", "0", "9-9"],
    ["XCLAIM", "s", "g", "hank", "999999999", "1-2"],
    ["XCLAIM", "s", "g", "ivy", "0", "1-2", "FORCE", "JUSTID"],
    ["XCLAIM", "s", "nog", "ivy", "0", "1-2"],
    ["XAUTOCLAIM", "s", "g", "jack", "0", "0-0", "COUNT", "1"],
    ["XAUTOCLAIM", "s", "g", "jack", "0", "0-0", "JUSTID"],
    ["XAUTOCLAIM", "s", "g", "kate", "999999999", "0-0"],
    ["XAUTOCLAIM", "s", "g", "lena", "0", "100-0"],
    ["XAUTOCLAIM", "s", "nog", "lena", "0", "0-0"],
    ["XDEL", "s", "1-3"],
    ["XAUTOCLAIM", "s", "g", "mike", "0", "0-0"],
    ["XCLAIM", "s", "g", "nina", "0", "1-2", "1-3"],
    ["XLEN", "s"],
    ["SELECT", "9"],
    ["XADD", "s", "1-1", "f", "v"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "d", "0", "1-1"],
    ["XAUTOCLAIM", "s", "g", "e", "0", "0"],
    ["SELECT", "0"],
  ]);
});

eventTest("notify: a blocked XREADGROUP served by XADD creates its consumer", async (e) => {
  await steps(e, [
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["SELECT", "3"],
    ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    ["SELECT", "0"],
  ]);
  for (const db of ["0", "3"]) {
    const block = ["XREADGROUP", "GROUP", "g", "waiter", "BLOCK", "0", "STREAMS", "s", ">"];
    // The XADD's events, then the served waiter's new consumer (in the waiter's db).
    await servedWaiter(e, db, block, ["XADD", "s", "5-1", "f", "v"]);
  }
});

eventTest("notify: blocked BZPOPMIN and BZMPOP served by a ZADD", async (e) => {
  const cases: [db: string, block: string[], add: string[]][] = [
    ["0", ["BZPOPMIN", "z", "0"], ["ZADD", "z", "1", "a"]],
    ["5", ["BZPOPMAX", "z", "0"], ["ZADD", "z", "1", "a", "2", "b"]],
    ["0", ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"], ["ZADD", "z", "1", "a", "2", "b"]],
  ];
  for (const [db, block, add] of cases) {
    // The ZADD's new and zadd, then the waiter's pop (and del when it took everything).
    await servedWaiter(e, db, block, add);
  }
  await e.same([["SELECT", "5"], ["FLUSHDB"], ["SELECT", "0"], ["FLUSHDB"]]);
});

eventTest("notify: blocking pops served at once fire the pop's events", async (e) => {
  await steps(e, [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["BZPOPMIN", "none", "z", "0"],
    ["BZPOPMAX", "z", "0"],
    ["BZMPOP", "0", "2", "none", "z", "MIN", "COUNT", "5"],
    ["EXISTS", "z"],
  ]);
});

eventTest("notify: reads of missing keys (keymiss) and of existing ones", async (e) => {
  const reads = [
    ["ZCARD", "k"],
    ["ZSCORE", "k", "m"],
    ["ZMSCORE", "k", "m"],
    ["ZRANK", "k", "m"],
    ["ZREVRANK", "k", "m"],
    ["ZCOUNT", "k", "0", "1"],
    ["ZLEXCOUNT", "k", "-", "+"],
    ["ZRANGE", "k", "0", "-1"],
    ["ZRANGEBYSCORE", "k", "0", "1"],
    ["ZREVRANGEBYSCORE", "k", "1", "0"],
    ["ZRANGEBYLEX", "k", "-", "+"],
    ["ZREVRANGEBYLEX", "k", "+", "-"],
    ["ZREVRANGE", "k", "0", "-1"],
    ["ZRANDMEMBER", "k"],
    ["ZRANDMEMBER", "k", "2"],
    ["ZSCAN", "k", "0"],
    ["ZUNION", "2", "k", "k2"],
    ["ZINTER", "1", "k"],
    ["ZDIFF", "1", "k"],
    ["ZINTERCARD", "1", "k"],
    ["GEOPOS", "k", "m"],
    ["GEODIST", "k", "m", "n"],
    ["GEOHASH", "k", "m"],
    ["GEORADIUS", "k", "0", "0", "1", "km"],
    ["GEORADIUS_RO", "k", "0", "0", "1", "km"],
    ["GEORADIUSBYMEMBER", "k", "m", "1", "km"],
    ["GEOSEARCH", "k", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["XLEN", "x"],
    ["XRANGE", "x", "-", "+"],
    ["XREVRANGE", "x", "+", "-"],
    ["XREAD", "STREAMS", "x", "0"],
    ["XPENDING", "x", "g"],
    ["XINFO", "STREAM", "x"],
    ["XINFO", "GROUPS", "x"],
    ["XINFO", "CONSUMERS", "x", "g"],
  ];
  await steps(e, reads);
  await steps(e, [
    ["ZADD", "k", "1", "m", "2", "n"],
    ["GEOADD", "k", "1", "1", "m"],
    ["XADD", "x", "1-1", "f", "v"],
    ["XGROUP", "CREATE", "x", "g", "0"],
  ]);
  await steps(e, reads.filter((r) => r[0] !== "ZRANDMEMBER"));
});

/** Zset and stream commands whose events span the z, t, g and n classes. */
const MIXED: string[][] = [
  ["ZADD", "z", "1", "a", "2", "b"],
  ["ZINCRBY", "z", "1", "a"],
  ["ZREM", "z", "a"],
  ["ZPOPMIN", "z"],
  ["ZADD", "z", "1", "a"],
  ["ZUNIONSTORE", "u", "1", "z"],
  ["ZINTERSTORE", "u", "2", "z", "none"],
  ["GEOADD", "g", "1", "1", "m"],
  ["GEOSEARCHSTORE", "gs", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
  ["XADD", "s", "MAXLEN", "1", "1-1", "f", "v"],
  ["XADD", "s", "MAXLEN", "1", "1-2", "f", "v"],
  ["XGROUP", "CREATE", "s", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
  ["XDEL", "s", "1-2"],
  ["ZSCORE", "none", "m"],
];

for (const flags of ["Kz", "Ez", "Et", "Kg", "KEzn", "Km", "KEgt"]) {
  eventTest(`notify: classes of the zset and stream events (${flags})`, async (e) => {
    await steps(e, MIXED);
    // A transaction is one step: the marker must not be queued inside it.
    await e.same([
      ["MULTI"],
      ["ZADD", "m", "1", "a"],
      ["XADD", "m2", "1-1", "f", "v"],
      ["ZPOPMAX", "m"],
      ["EXEC"],
    ]);
  }, flags);
}

eventTest("notify: XADD with generated IDs (events compared, the IDs not)", async (e) => {
  const o = e.oracle;
  const both = (...args: string[]) => Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  await both("XADD", "s", "*", "f", "v");
  await both("XADD", "s", "MAXLEN", "1", "*", "f", "v");
  await both("XADD", "s", "NOMKSTREAM", "MINID", "0", "*", "f", "v");
  await both("XADD", "none", "NOMKSTREAM", "*", "f", "v");
  const events = await e.sameEvents("XADD *");
  // new, xadd; xadd, xtrim; xadd (MINID 0 trims nothing): the message is the key, never the ID.
  assertEquals(
    events.filter(([ch]) => ch.startsWith("__keyevent")),
    ["new", "xadd", "xadd", "xtrim", "xadd"].map((ev) => [`__keyevent@0__:${ev}`, "s"]),
  );
});
