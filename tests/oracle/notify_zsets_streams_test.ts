/**
 * Keyspace notifications of the sorted set, sorted set algebra, geo, stream
 * and consumer group commands, compared event by event with Redis 7.0's for
 * the same commands: which events, in which order, only when something
 * changed, "del" after a zset empties, "new" before the command's own event.
 */
import { type EventOracle, eventTest } from "../support/events.ts";

/** Runs each command as its own step, so a difference names the command that made it. */
async function steps(e: EventOracle, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) await e.same([cmd]);
}

/** Waits until a key with a PX 1 expiry has certainly expired on both servers' clocks. */
function pastExpiry(): Promise<void> {
  return new Promise((r) => setTimeout(r, 5));
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

eventTest("notify: zset stores over an expired destination", async (e) => {
  await steps(e, [
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
  ]);
});

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
