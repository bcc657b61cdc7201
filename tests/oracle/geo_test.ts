/**
 * Geo commands against Redis 7.0.15, byte for byte: scores, decoded
 * positions, geohash strings, distances and their 4 decimals, search
 * results in Redis's order (including ties among equal distances, which
 * Redis's pqsort orders its own way), STORE destinations, every argument
 * error, RESP3 shapes, and what GEOADD / GEOSEARCHSTORE / GEORADIUS STORE
 * log to the AOF.
 */
import { assert } from "@std/assert";
import { clock, type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import { AOF_ONLY, dumpPort, propagationScenario } from "../support/persistence.ts";

const SICILY = [
  "GEOADD",
  "Sicily",
  "13.361389",
  "38.115556",
  "Palermo",
  "15.087269",
  "37.502669",
  "Catania",
];

oracleTest("oracle: GEOADD, GEODIST, GEOHASH, GEOPOS", async (o) => {
  await o.sameAll([
    SICILY,
    [
      "GEOADD",
      "Sicily",
      "CH",
      "13.361389",
      "38.115556",
      "Palermo",
      "15.087269",
      "37.502669",
      "Cat2",
    ],
    ["GEOADD", "Sicily", "XX", "CH", "13.4", "38.1", "Palermo", "1", "1", "nope"],
    ["GEOADD", "Sicily", "NX", "CH", "1", "1", "Palermo", "2", "2", "new"],
    ["GEOADD", "Sicily", "NX", "XX", "1", "2", "x"],
    ["GEOADD", "Sicily", "CH", "NX", "XX", "1", "2", "x"],
    ["GEOADD", "Sicily", "GT", "1", "2", "x"],
    ["GEOADD", "Sicily", "NX", "1", "2"],
    ["GEOADD", "Sicily", "CH", "CH", "CH"],
    ["GEOADD", "Sicily", "1", "2", "3", "4"],
    ["GEOADD", "Sicily", "200", "100", "x"],
    ["GEOADD", "Sicily", "1e300", "-1e300", "x"],
    ["GEOADD", "Sicily", "inf", "1", "x"],
    ["GEOADD", "Sicily", "1", "nan", "x"],
    ["GEOADD", "Sicily", "1", "x", "a"],
    ["GEOADD", "Sicily", " 1", "2", "a"],
    ["GEOADD", "Sicily", "0x10", "2", "hex"],
    ["GEOADD", "Sicily", "1", "2", "a", "200", "3", "b"],
    ["GEOADD", "Sicily", "180", "85.05112878", "edge1", "-180", "-85.05112878", "edge2"],
    ["GEOADD", "Sicily", "180", "85.05112879", "x"],
    ["GEOADD", "Sicily", "0", "0", "zero", "-0", "-0", "negzero", "1e-300", "-1e-300", "tiny"],
    ["GEOADD", "newkey", "XX", "1", "1", "a"],
    ["EXISTS", "newkey"],
    ["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"],
    ["OBJECT", "ENCODING", "Sicily"],
    ["GEODIST", "Sicily", "Palermo", "Catania"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "km"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "MI"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "Ft"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "M"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "yd"],
    ["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"],
    ["GEODIST", "nokey", "a", "b", "yd"],
    ["GEODIST", "Sicily", "Palermo", "nope"],
    ["GEODIST", "nokey", "a", "b"],
    ["GEODIST", "Sicily", "edge1", "edge2"],
    ["GEODIST", "Sicily", "zero", "edge1"],
    ["GEODIST", "Sicily", "zero", "negzero"],
    ["GEODIST", "Sicily", "Palermo", "Palermo"],
    ["GEODIST", "Sicily", "a"],
    ["GEOHASH", "Sicily", "Palermo", "Catania", "nope", "edge1", "edge2", "zero", "tiny"],
    ["GEOHASH", "nokey", "a", "b"],
    ["GEOHASH", "Sicily"],
    ["GEOPOS", "Sicily", "Palermo", "Catania", "nope", "edge1", "edge2", "zero", "negzero", "a"],
    ["GEOPOS", "nokey", "a"],
    ["GEOPOS", "Sicily"],
    // Scores GEOADD never writes still decode as Redis decodes them.
    ["ZADD", "weird", "-5", "a", "1e300", "b", "inf", "c", "1.5", "d", "-inf", "e"],
    ["ZADD", "weird", "4503599627370496", "f", "9007199254740993", "g", "18014398509481984", "h"],
    ["ZADD", "weird", "9.3e18", "i", "-9.3e18", "j", "2e19", "k", "4503599627370495.5", "l"],
    ["GEOPOS", "weird", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
    ["GEOHASH", "weird", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
    ["GEODIST", "weird", "a", "l"],
    [
      "GEOSEARCH",
      "weird",
      "FROMLONLAT",
      "0",
      "0",
      "BYRADIUS",
      "30000",
      "km",
      "WITHHASH",
      "WITHCOORD",
    ],
    ["SET", "str", "x"],
    ["GEOADD", "str", "1", "1", "a"],
    ["GEODIST", "str", "a", "b"],
    ["GEODIST", "str", "a", "b", "yd"],
    ["GEOPOS", "str", "a"],
    ["GEOHASH", "str", "a"],
  ]);
});

oracleTest("oracle: GEOSEARCH, GEORADIUS and GEORADIUSBYMEMBER argument errors", async (o) => {
  await o.sameAll([
    ["GEOADD", "g", "0", "0", "a", "10", "10", "b"],
    ["SET", "str", "x"],
    ["GEOSEARCH", "g", "FROMLONLAT", "0", "0"],
    ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "g", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "g", "BYRADIUS", "1", "km", "WITHDIST"],
    ["geosearch", "g", "BYRADIUS", "1", "km", "WITHDIST"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "WITHDIST", "ASC"],
    ["GeoSearch", "g", "FROMMEMBER", "a", "WITHDIST", "ASC"],
    ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "WITHDIST", "COUNT"],
    ["GEOSEARCH", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
    ["GEOSEARCH", "str", "FROMMEMBER", "a", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "-1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "x", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "yd"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "1"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "x", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "x", "1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "-1", "1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "-1", "km"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "yd"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "COUNT", "0"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "COUNT", "-1"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "COUNT", "x"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "COUNT"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "ANY"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "STORE", "x"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "STOREDIST"],
    ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYBOX", "1", "1", "km", "BOGUS"],
    ["GEOSEARCH", "g", "FROMLONLAT", "200", "0", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "g", "FROMLONLAT", "0", "x", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "g", "FROMLONLAT", "0", "BYBOX", "1", "1", "km"],
    ["GEOSEARCH", "g"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "WITHDIST"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "WITHHASH"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "km", "STORE", "x"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "a", "WITHCOORD"],
    ["GEOSEARCHSTORE", "dst", "g", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "dst", "str", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
    ["GEOSEARCHSTORE", "dst", "g", "FROMMEMBER", "a", "BYRADIUS", "1"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "STORE", "d1", "WITHDIST"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "STORE"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "FROMMEMBER", "a"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "BYRADIUS", "1", "km"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "ANY"],
    ["GEORADIUS", "g", "0", "0", "x", "km"],
    ["GEORADIUS", "g", "0", "0", "-1", "km"],
    ["GEORADIUS", "g", "0", "91", "1", "km"],
    ["GEORADIUS", "g", "x", "0", "1", "km"],
    ["GEORADIUS", "g", "0", "0", "1", "kmm"],
    ["GEORADIUS", "str", "0", "0", "1", "km"],
    ["GEORADIUS", "nokey", "0", "91", "1", "km"],
    ["GEORADIUS_RO", "g", "0", "0", "1000", "km", "STORE", "d1"],
    ["GEORADIUS_RO", "g", "0", "0", "1000", "km", "STOREDIST", "d1"],
    ["GEORADIUSBYMEMBER", "g", "nope", "1000", "km"],
    ["GEORADIUSBYMEMBER", "g", "nope", "x", "km"],
    ["GEORADIUSBYMEMBER", "g", "a", "x", "km"],
    ["GEORADIUSBYMEMBER", "g", "a", "-5", "km"],
    ["GEORADIUSBYMEMBER", "g", "a", "5", "kmm"],
    ["GEORADIUSBYMEMBER", "nokey", "nope", "x", "kmm"],
    ["GEORADIUSBYMEMBER", "nokey", "nope", "x", "kmm", "WITHDIST", "BOGUS"],
    ["GEORADIUSBYMEMBER", "nokey", "nope", "1", "km", "STORE", "d"],
    ["GEORADIUSBYMEMBER", "str", "a", "1", "km"],
    ["GEORADIUSBYMEMBER_RO", "g", "a", "1000", "km", "STORE", "d"],
    ["EXISTS", "dst", "d", "d1"],
  ]);
});

oracleTest(
  "oracle: geo searches: units, sorting, COUNT and ANY, huge and zero radii",
  async (o) => {
    await o.sameAll([
      SICILY,
      ["GEOADD", "Sicily", "15.087269", "37.502669", "Catania2", "12.758489", "38.788135", "edge"],
      [
        "GEOADD",
        "g",
        "0",
        "0",
        "a",
        "180",
        "0",
        "b",
        "-180",
        "0",
        "c",
        "0",
        "85",
        "d",
        "0",
        "-85",
        "e",
      ],
      [
        "GEOADD",
        "g",
        "90",
        "0",
        "f",
        "-90",
        "0",
        "h",
        "10",
        "10",
        "i",
        "10",
        "20",
        "j",
        "10",
        "-20",
        "k",
      ],
      ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
      ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "KM", "DESC"],
      [
        "GEOSEARCH",
        "Sicily",
        "FROMLONLAT",
        "15",
        "37",
        "BYRADIUS",
        "200",
        "km",
        "WITHCOORD",
        "WITHDIST",
        "WITHHASH",
      ],
      [
        "GEOSEARCH",
        "Sicily",
        "FROMMEMBER",
        "Palermo",
        "BYBOX",
        "400",
        "400",
        "km",
        "DESC",
        "WITHCOORD",
      ],
      ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "WITHDIST"],
      ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "100", "km", "COUNT", "1"],
      [
        "GEOSEARCH",
        "Sicily",
        "FROMMEMBER",
        "Palermo",
        "BYRADIUS",
        "500",
        "mi",
        "COUNT",
        "2",
        "DESC",
      ],
      [
        "GEOSEARCH",
        "Sicily",
        "FROMMEMBER",
        "Palermo",
        "BYRADIUS",
        "500",
        "mi",
        "COUNT",
        "2",
        "ANY",
      ],
      [
        "GEOSEARCH",
        "Sicily",
        "FROMMEMBER",
        "Palermo",
        "BYRADIUS",
        "500",
        "ft",
        "COUNT",
        "2",
        "ANY",
        "ASC",
      ],
      ["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "500000", "m", "WITHDIST"],
      ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD"],
      ["GEORADIUS", "Sicily", "15", "37", "200", "km", "count", "2", "desc", "withhash"],
      ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"],
      ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"],
      ["GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHDIST", "COUNT", "1"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "20037", "km", "WITHDIST", "ASC"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "20038", "km", "WITHDIST", "ASC"],
      ["GEOSEARCH", "g", "FROMMEMBER", "d", "BYBOX", "40000", "40000", "km", "WITHDIST", "ASC"],
      ["GEOSEARCH", "g", "FROMMEMBER", "i", "BYBOX", "100", "3000", "km", "WITHDIST", "ASC"],
      ["GEOSEARCH", "g", "FROMLONLAT", "179.9", "0", "BYRADIUS", "500", "km", "WITHDIST"],
      ["GEOSEARCH", "g", "FROMLONLAT", "-179.9", "0", "BYBOX", "500", "500", "km", "WITHCOORD"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "0", "km"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "0", "km", "WITHDIST"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "inf", "km", "WITHDIST"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYBOX", "inf", "1", "km"],
      ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1e-300", "m"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "20000", "km", "COUNT", "3", "ANY"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "20000", "km", "COUNT", "3", "ANY", "DESC"],
      ["GEOSEARCH", "g", "FROMMEMBER", "a", "BYRADIUS", "20000", "km", "COUNT", "300", "ANY"],
      [
        "GEOSEARCH",
        "g",
        "FROMMEMBER",
        "a",
        "BYRADIUS",
        "20000",
        "km",
        "COUNT",
        "3",
        "DESC",
        "WITHHASH",
      ],
      [
        "GEOSEARCH",
        "g",
        "FROMMEMBER",
        "a",
        "BYRADIUS",
        "20000",
        "km",
        "COUNT",
        "9223372036854775807",
      ],
      ["GEOSEARCH", "nokey", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
      ["GEORADIUSBYMEMBER", "nokey", "nope", "1", "km"],
    ]);
  },
);

oracleTest("oracle: GEOSEARCHSTORE and GEORADIUS STORE / STOREDIST", async (o) => {
  await o.sameAll([
    SICILY,
    ["GEOADD", "g", "0", "0", "a", "1", "1", "b", "2", "2", "c", "3", "3", "d"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"],
    ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
    ["OBJECT", "ENCODING", "dst"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst2"],
    ["ZRANGE", "dst2", "0", "-1", "WITHSCORES"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "STORE", "d1", "STOREDIST", "d2"],
    ["EXISTS", "d1", "d2"],
    ["ZRANGE", "d2", "0", "-1", "WITHSCORES"],
    ["GEORADIUS", "g", "0", "0", "1000", "km", "STOREDIST", "d2", "STORE", "d1", "COUNT", "2"],
    ["ZRANGE", "d1", "0", "-1", "WITHSCORES"],
    ["GEORADIUSBYMEMBER", "g", "a", "200", "km", "STORE", "d3", "DESC", "COUNT", "2"],
    ["ZRANGE", "d3", "0", "-1", "WITHSCORES"],
    [
      "GEOSEARCHSTORE",
      "dst3",
      "Sicily",
      "FROMLONLAT",
      "15",
      "37",
      "BYRADIUS",
      "200",
      "km",
      "STOREDIST",
    ],
    ["ZRANGE", "dst3", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst3", "g", "FROMMEMBER", "a", "BYBOX", "400", "400", "mi", "COUNT", "2"],
    ["ZRANGE", "dst3", "0", "-1", "WITHSCORES"],
    [
      "GEOSEARCHSTORE",
      "dst3",
      "g",
      "FROMMEMBER",
      "a",
      "BYBOX",
      "400",
      "400",
      "mi",
      "COUNT",
      "2",
      "ANY",
    ],
    ["ZRANGE", "dst3", "0", "-1", "WITHSCORES"],
    ["SET", "str", "v"],
    ["EXPIRE", "dst3", "100"],
    ["GEOSEARCHSTORE", "str", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "m"],
    ["TYPE", "str"],
    ["ZRANGE", "str", "0", "-1", "WITHSCORES"],
    ["GEOSEARCHSTORE", "dst3", "g", "FROMMEMBER", "a", "BYRADIUS", "1", "m"],
    clock("TTL", "dst3"),
    ["GEOSEARCHSTORE", "dst3", "g", "FROMLONLAT", "50", "50", "BYRADIUS", "1", "m"],
    ["EXISTS", "dst3"],
    ["GEOSEARCHSTORE", "dst3", "g", "FROMLONLAT", "50", "50", "BYRADIUS", "1", "m"],
    ["SET", "dst4", "x"],
    ["GEOSEARCHSTORE", "dst4", "nokey", "FROMLONLAT", "50", "50", "BYRADIUS", "1", "m"],
    ["EXISTS", "dst4"],
    ["SET", "dst4", "x"],
    ["GEORADIUSBYMEMBER", "nokey", "nope", "1", "km", "STORE", "dst4"],
    ["EXISTS", "dst4"],
    ["GEOSEARCHSTORE", "g", "g", "FROMMEMBER", "a", "BYRADIUS", "200", "km"],
    ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
  ]);
});

/** Sends `args` to both servers on connections switched to RESP3. */
async function resp3Same(o: Oracle, commands: string[][]): Promise<void> {
  const [a, b] = await o.connectPair();
  try {
    await Promise.all([a.call("HELLO", "3"), b.call("HELLO", "3")]);
    for (const args of commands) {
      const [mine, theirs] = await Promise.all([a.call(...args), b.call(...args)]);
      assert(mine === theirs, `RESP3 reply to ${JSON.stringify(args)}: ${mine} vs ${theirs}`);
    }
  } finally {
    a.close();
    b.close();
  }
}

oracleTest("oracle: geo replies in RESP3", async (o) => {
  await o.same(...SICILY);
  await resp3Same(o, [
    ["GEOPOS", "Sicily", "Palermo", "nope", "Catania"],
    ["GEOPOS", "nokey", "a"],
    ["GEOHASH", "Sicily", "Palermo", "nope"],
    ["GEODIST", "Sicily", "Palermo", "Catania"],
    ["GEODIST", "Sicily", "Palermo", "nope"],
    ["GEODIST", "nokey", "a", "b"],
    [
      "GEOSEARCH",
      "Sicily",
      "FROMLONLAT",
      "15",
      "37",
      "BYRADIUS",
      "200",
      "km",
      "WITHCOORD",
      "WITHDIST",
      "WITHHASH",
    ],
    ["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "WITHCOORD"],
    ["GEOSEARCH", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km"],
    ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD", "STORE", "x"],
    ["GEOSEARCHSTORE", "d", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
  ]);
});

oracleTest("oracle: COMMAND INFO, GETKEYS and GETKEYSANDFLAGS of the geo commands", async (o) => {
  await o.sameAll([
    ["COMMAND", "INFO", "geoadd", "geodist", "geohash", "geopos", "geosearch", "geosearchstore"],
    ["COMMAND", "INFO", "georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro"],
    [
      "COMMAND",
      "GETKEYSANDFLAGS",
      "GEORADIUS",
      "k",
      "1",
      "2",
      "3",
      "km",
      "STORE",
      "a",
      "STOREDIST",
      "b",
    ],
    ["COMMAND", "GETKEYSANDFLAGS", "GEORADIUSBYMEMBER", "k", "m", "3", "km", "STOREDIST", "x"],
    ["COMMAND", "GETKEYSANDFLAGS", "GEORADIUS", "k", "1", "2", "3", "km"],
    [
      "COMMAND",
      "GETKEYSANDFLAGS",
      "GEOSEARCHSTORE",
      "d",
      "s",
      "FROMMEMBER",
      "m",
      "BYRADIUS",
      "1",
      "km",
    ],
    ["COMMAND", "GETKEYSANDFLAGS", "GEOADD", "k", "1", "2", "m"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "STORE", "km"],
    ["COMMAND", "GETKEYS", "GEOADD", "k", "1", "2", "m"],
    [
      "COMMAND",
      "GETKEYS",
      "GEOSEARCHSTORE",
      "dst",
      "src",
      "FROMMEMBER",
      "m",
      "BYRADIUS",
      "1",
      "km",
    ],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "km"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a", "STOREDIST", "b"],
    ["COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "k", "m", "3", "km", "STOREDIST", "b"],
    ["COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "k", "m", "3", "km", "WITHDIST"],
    ["COMMAND", "GETKEYS", "GEORADIUS_RO", "k", "1", "2", "3", "km"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "km", "store", "a", "STORE", "b"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "km", "WITHDIST", "STORE"],
    ["COMMAND", "GETKEYS", "GEORADIUS", "k", "1", "2", "3", "STORE", "x"],
    ["COMMAND", "GETKEYS", "GEORADIUSBYMEMBER", "k", "m", "3", "STORE", "x", "y"],
  ]);
});

/** A random position: clusters, the poles' edges, the antimeridian and repeated spots (ties). */
function randomPosition(r: () => number): [string, string] {
  const k = r();
  let lon: number, lat: number;
  if (k < 0.15) {
    lon = (r() < 0.5 ? 180 : -180) + (r() < 0.5 ? 1 : -1) * r() * 2;
    lat = (r() * 2 - 1) * 85;
  } else if (k < 0.3) {
    lon = (r() * 2 - 1) * 180;
    lat = (r() < 0.5 ? 1 : -1) * (80 + r() * 5.06);
  } else if (k < 0.5) {
    lon = 12 + r() * 0.2;
    lat = 41.8 + r() * 0.2;
  } else if (k < 0.55) {
    [lon, lat] = [12.1, 41.9];
  } else {
    lon = (r() * 2 - 1) * 180;
    lat = (r() * 2 - 1) * 85.05;
  }
  lon = Math.min(180, Math.max(-180, lon));
  lat = Math.min(85.05112878, Math.max(-85.05112878, lat));
  const digits = () => 1 + Math.floor(r() * 8);
  return [lon.toFixed(digits()), lat.toFixed(digits())];
}

const UNITS: [string, number][] = [["m", 1], ["km", 1000], ["ft", 0.3048], ["mi", 1609.34], [
  "KM",
  1000,
]];

/** A random search command over `key` (members m0 .. m<n-1>). */
function randomSearch(r: () => number, key: string, n: number): string[] {
  const [unit, conversion] = UNITS[Math.floor(r() * UNITS.length)];
  const meters = Math.exp(r() * Math.log(2.5e7));
  const dist = String(+(meters / conversion).toPrecision(4));
  const [lon, lat] = randomPosition(r);
  const member = `m${Math.floor(r() * n)}`;
  const from = r() < 0.3 ? ["FROMMEMBER", member] : ["FROMLONLAT", lon, lat];
  const opts: string[] = [];
  if (r() < 0.4) opts.push("WITHDIST");
  if (r() < 0.3) opts.push("WITHCOORD");
  if (r() < 0.3) opts.push("WITHHASH");
  const s = r();
  if (s < 0.3) opts.push("ASC");
  else if (s < 0.5) opts.push("DESC");
  if (r() < 0.4) {
    opts.push("COUNT", String(1 + Math.floor(r() * 30)));
    if (r() < 0.3) opts.push("ANY");
  }
  const kind = r();
  if (kind < 0.4) return ["GEOSEARCH", key, ...from, "BYRADIUS", dist, unit, ...opts];
  if (kind < 0.7) {
    const h = String(+((meters * (0.2 + r() * 2)) / conversion).toPrecision(4));
    return ["GEOSEARCH", key, ...from, "BYBOX", dist, h, unit, ...opts];
  }
  if (kind < 0.85) return ["GEORADIUS", key, lon, lat, dist, unit, ...opts];
  return ["GEORADIUSBYMEMBER_RO", key, member, dist, unit, ...opts];
}

async function randomRun(o: Oracle, seed: number, n: number, queries: number): Promise<void> {
  const r = prng(seed);
  const key = `pts${seed}`;
  for (let i = 0; i < n; i += 50) {
    const args = ["GEOADD", key];
    for (let j = i; j < Math.min(n, i + 50); j++) args.push(...randomPosition(r), `m${j}`);
    await o.same(...args);
  }
  await o.same("OBJECT", "ENCODING", key);
  for (let q = 0; q < queries; q++) await o.same(...randomSearch(r, key, n));
  for (let q = 0; q < 100; q++) {
    const a = `m${Math.floor(r() * n)}`, b = `m${Math.floor(r() * n)}`;
    await o.same("GEODIST", key, a, b, UNITS[q % UNITS.length][0]);
    await o.same("GEOPOS", key, a, b);
    await o.same("GEOHASH", key, a, b);
  }
  // Stored results: the same members and scores, whatever the encoding.
  for (let q = 0; q < 30; q++) {
    const search = randomSearch(r, key, n).filter((a) => !a.startsWith("WITH"));
    if (search[0] !== "GEOSEARCH") continue;
    await o.same("GEOSEARCHSTORE", "dst", ...search.slice(1), ...(q % 2 ? ["STOREDIST"] : []));
    await o.same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
  }
}

oracleTest("oracle: random geo searches over a listpack-encoded set", async (o) => {
  await randomRun(o, 7, 100, 300);
});

oracleTest("oracle: random geo searches over 3000 members (seeds 1 and 2)", async (o) => {
  await randomRun(o, 1, 3000, 400);
  await randomRun(o, 2, 3000, 400);
});

Deno.test("GEOADD logs ZADD, GEOSEARCHSTORE and GEORADIUS STORE log themselves, as Redis 7.0", async (t) => {
  await propagationScenario(t, {
    args: [...AOF_ONLY, "--appendfsync", "always"],
    steps: [[
      SICILY,
      ["GEOADD", "Sicily", "NX", "CH", "13.361389", "38.115556", "Palermo", "1", "2", "new"],
      ["GEOADD", "Sicily", "XX", "1", "1", "nope"],
      ["GEOADD", "Sicily", "200", "1", "bad"],
      ["GEOADD", "g", "180", "85.05112878", "edge", "-0", "-0", "zero"],
      ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"],
      ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2", "m"],
      ["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "2", "m"],
      ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "d2"],
      ["GEORADIUS", "Sicily", "15", "37", "200", "km"],
      ["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "STORE", "d3"],
      ["GEORADIUSBYMEMBER", "nokey", "x", "200", "km", "STORE", "d3"],
    ]],
    dump: async (port) => (await dumpPort(port)).map((row) => JSON.stringify(row)).sort(),
    replays: "Redis's data",
    tmpPrefix: "redeno-geoprop-",
  });
});
