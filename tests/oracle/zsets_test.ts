import { assert, assertEquals } from "@std/assert";
import { clock, type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded } from "../support/resp_client.ts";

/** Small limits so both encodings are reached with few members. */
const SMALL_LIMITS = {
  args: ["--zset-max-listpack-entries", "4", "--zset-max-listpack-value", "8"],
};

/** ZADD key 1 <prefix>0 2 <prefix>1 ... */
async function zset(o: Oracle, key: string, n: number, prefix = "m"): Promise<void> {
  const args = ["ZADD", key];
  for (let i = 0; i < n; i++) args.push(String(i + 1), `${prefix}${i}`);
  await o.same(...args);
}

/** Every command of the group against one key holding a string. */
const WRONGTYPE_COMMANDS: string[][] = [
  ["ZADD", "str", "1", "a"],
  ["ZINCRBY", "str", "1", "a"],
  ["ZCARD", "str"],
  ["ZCOUNT", "str", "-inf", "+inf"],
  ["ZLEXCOUNT", "str", "-", "+"],
  ["ZSCORE", "str", "a"],
  ["ZMSCORE", "str", "a", "b"],
  ["ZRANK", "str", "a"],
  ["ZREVRANK", "str", "a"],
  ["ZRANGE", "str", "0", "-1"],
  ["ZRANGE", "str", "0", "1", "BYSCORE"],
  ["ZRANGESTORE", "dst", "str", "0", "-1"],
  ["ZRANGEBYSCORE", "str", "0", "1"],
  ["ZREVRANGEBYSCORE", "str", "1", "0"],
  ["ZRANGEBYLEX", "str", "-", "+"],
  ["ZREVRANGEBYLEX", "str", "+", "-"],
  ["ZREVRANGE", "str", "0", "-1"],
  ["ZREM", "str", "a"],
  ["ZREMRANGEBYRANK", "str", "0", "1"],
  ["ZREMRANGEBYSCORE", "str", "0", "1"],
  ["ZREMRANGEBYLEX", "str", "-", "+"],
  ["ZPOPMIN", "str"],
  ["ZPOPMAX", "str", "2"],
  ["ZMPOP", "1", "str", "MIN"],
  ["ZMPOP", "2", "nokey", "str", "MAX", "COUNT", "3"],
  ["ZRANDMEMBER", "str"],
  ["ZRANDMEMBER", "str", "2"],
  ["ZRANDMEMBER", "str", "-2", "WITHSCORES"],
  ["ZSCAN", "str", "0"],
];

oracleTest("oracle: ZADD options, conflicts and replies", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["ZADD", "z", "1", "a", "5", "d"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ["ZADD", "z", "CH", "10", "a", "2", "b", "6", "e"],
    ["ZADD", "z", "NX", "100", "a", "7", "f"],
    ["ZADD", "z", "XX", "100", "a", "8", "g"],
    ["ZADD", "z", "XX", "CH", "101", "a", "8", "g"],
    ["ZADD", "z", "GT", "CH", "50", "a", "200", "b"],
    ["ZADD", "z", "LT", "CH", "50", "a", "300", "b", "9", "h"],
    ["ZADD", "z", "gt", "ch", "xx", "1000", "c", "1", "d"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ["ZADD", "z", "INCR", "5", "a"],
    ["ZADD", "z", "INCR", "5", "new"],
    ["ZADD", "z", "NX", "INCR", "5", "a"],
    ["ZADD", "z", "XX", "INCR", "5", "nothere"],
    ["ZADD", "z", "GT", "INCR", "-5", "a"],
    ["ZADD", "z", "GT", "INCR", "5", "a"],
    ["ZADD", "z", "LT", "INCR", "5", "a"],
    ["ZADD", "z", "LT", "INCR", "-5", "a"],
    ["ZADD", "z", "NX", "XX", "1", "a"],
    ["ZADD", "z", "NX", "GT", "1", "a"],
    ["ZADD", "z", "NX", "LT", "1", "a"],
    ["ZADD", "z", "GT", "LT", "1", "a"],
    ["ZADD", "z", "NX", "XX", "GT", "1", "a"],
    ["ZADD", "z", "INCR", "1", "a", "2", "b"],
    ["ZADD", "z", "INCR", "NX", "XX", "1", "a", "2", "b"],
    ["ZADD", "z", "1"],
    ["ZADD", "z", "1", "a", "2"],
    ["ZADD", "z", "NX"],
    ["ZADD", "z", "NX", "CH"],
    ["ZADD", "z", "x", "a"],
    ["ZADD", "z", "1", "a", "x", "b"],
    ["ZADD", "z", "nan", "a"],
    ["ZADD", "z", "XX", "x", "a"],
    ["ZADD", "z"],
    ["ZADD", "missing", "XX", "1", "a"],
    ["ZADD", "missing", "XX", "INCR", "1", "a"],
    ["EXISTS", "missing"],
    ["ZADD", "missing", "GT", "1", "a"],
    ["ZADD", "missing", "LT", "INCR", "1", "b"],
    ["ZRANGE", "missing", "0", "-1", "WITHSCORES"],
    ["ZADD", "inf", "inf", "a"],
    ["ZADD", "inf", "INCR", "-inf", "a"],
    ["ZADD", "inf", "INCR", "+inf", "a"],
    ["ZADD", "inf", "INCR", "1", "a"],
    ["ZSCORE", "inf", "a"],
    ["ZINCRBY", "inf", "-inf", "a"],
    ["ZRANGE", "inf", "0", "-1", "WITHSCORES"],
    ["ZINCRBY", "zi", "1.5", "a"],
    ["ZINCRBY", "zi", "1e308", "a"],
    ["ZINCRBY", "zi", "1e308", "a"],
    ["ZINCRBY", "zi", "0.1", "b"],
    ["ZINCRBY", "zi", "0.2", "b"],
    ["ZINCRBY", "zi", "x", "b"],
    ["ZINCRBY", "zi", "", "b"],
    ["ZINCRBY", "zi", "1", "b", "c"],
    ["ZRANGE", "zi", "0", "-1", "WITHSCORES"],
  ]);
});

oracleTest("oracle: score parsing and formatting", async (o) => {
  const scores = [
    "0",
    "-0",
    "+0",
    "1",
    "-1",
    "1.5",
    "0.1",
    "1e3",
    "1E3",
    "-1e-3",
    "1e308",
    "1e309",
    "-1e309",
    "1e-400",
    "4.9e-324",
    "1.5e-310",
    "inf",
    "-inf",
    "+inf",
    "INF",
    "Infinity",
    "-infinity",
    "nan",
    "NaN",
    "-nan",
    "",
    " 1",
    "1 ",
    "1\t",
    "0x10",
    "0x1p3",
    "0x",
    "1.",
    ".5",
    ".",
    "e5",
    "1e",
    "1e+",
    "+",
    "-",
    "12abc",
    "9007199254740993",
    "123456789012345678901234567890",
    "3.0000000000000004",
    "1\u00002",
  ];
  for (const s of scores) {
    await o.sameAll([
      ["DEL", "p"],
      ["ZADD", "p", s, "a"],
      ["ZSCORE", "p", "a"],
      ["ZRANGE", "p", "0", "-1", "WITHSCORES"],
      ["ZINCRBY", "p", s, "b"],
      ["ZSCORE", "p", "b"],
      ["ZCOUNT", "p", s, "+inf"],
      ["ZCOUNT", "p", "(" + s, "+inf"],
      ["ZCOUNT", "p", "-inf", s],
      ["ZRANGEBYSCORE", "p", s, s, "WITHSCORES"],
    ]);
  }
  await o.sameAll([
    ["DEL", "p"],
    ["ZADD", "p", "0.1", "a"],
    ["ZINCRBY", "p", "0.2", "a"],
    ["ZADD", "p", "1e308", "b"],
    ["ZINCRBY", "p", "1e308", "b"],
    ["ZADD", "p", "-0", "c"],
    ["ZADD", "p", "0", "d"],
    ["ZADD", "p", "1.7976931348623157e308", "e"],
    ["ZADD", "p", "2.2250738585072014e-308", "f"],
    ["ZADD", "p", "123456789.123456789", "g"],
    ["ZADD", "p", "-4503599627370497", "h"],
    ["ZADD", "p", "9007199254740993", "i"],
    ["ZRANGE", "p", "0", "-1", "WITHSCORES"],
    ["ZSCAN", "p", "0"],
    ["ZSCORE", "p", "c"],
    ["ZRANGEBYSCORE", "p", "-0", "0", "WITHSCORES"],
    ["ZRANGEBYSCORE", "p", "(-0", "(0.5", "WITHSCORES"],
  ]);
});

oracleTest("oracle: -0 in both encodings", async (o) => {
  await o.sameAll([
    ["ZADD", "lp", "-0", "a"],
    ["ZSCORE", "lp", "a"],
    ["ZINCRBY", "lp", "-0", "a"],
    ["ZADD", "lp", "0", "a"],
    ["ZRANGE", "lp", "0", "-1", "WITHSCORES"],
    ["ZADD", "sk", "-0", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ["ZADD", "sk", "-0", "a"],
    ["OBJECT", "ENCODING", "sk"],
    ["ZSCORE", "sk", "a"],
    ["ZINCRBY", "sk", "-0", "a"],
    ["ZADD", "sk", "0", "a"],
    ["ZSCORE", "sk", "a"],
    ["ZADD", "sk", "INCR", "0", "a"],
    [
      "ZMSCORE",
      "sk",
      "a",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ],
    ["ZPOPMIN", "sk", "5"],
  ]);
});

oracleTest("oracle: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "inf", "e", "-inf", "f"],
    ["ZCARD", "z"],
    ["ZCARD", "nokey"],
    ["ZCARD", "z", "x"],
    ["ZSCORE", "z", "c"],
    ["ZSCORE", "z", "nope"],
    ["ZSCORE", "nokey", "a"],
    ["ZMSCORE", "z", "a", "nope", "e", "f"],
    ["ZMSCORE", "nokey", "a", "b"],
    ["ZMSCORE", "z"],
    ["ZRANK", "z", "a"],
    ["ZRANK", "z", "f"],
    ["ZRANK", "z", "nope"],
    ["ZRANK", "nokey", "a"],
    ["ZREVRANK", "z", "a"],
    ["ZREVRANK", "z", "e"],
    ["ZREVRANK", "z", "nope"],
    ["ZRANK", "z", "a", "WITHSCORE"],
    ["ZCOUNT", "z", "-inf", "+inf"],
    ["ZCOUNT", "z", "2", "2"],
    ["ZCOUNT", "z", "(2", "3"],
    ["ZCOUNT", "z", "2", "(2"],
    ["ZCOUNT", "z", "3", "1"],
    ["ZCOUNT", "z", "(inf", "inf"],
    ["ZCOUNT", "z", "inf", "inf"],
    ["ZCOUNT", "z", "x", "1"],
    ["ZCOUNT", "z", "1", "((2"],
    ["ZCOUNT", "nokey", "1", "2"],
    ["ZCOUNT", "nokey", "x", "2"],
    ["DEL", "l"],
    ["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "ab", "0", ""],
    ["ZLEXCOUNT", "l", "-", "+"],
    ["ZLEXCOUNT", "l", "[a", "[b"],
    ["ZLEXCOUNT", "l", "(a", "[b"],
    ["ZLEXCOUNT", "l", "(a", "(b"],
    ["ZLEXCOUNT", "l", "[", "(a"],
    ["ZLEXCOUNT", "l", "(", "+"],
    ["ZLEXCOUNT", "l", "+", "-"],
    ["ZLEXCOUNT", "l", "-", "-"],
    ["ZLEXCOUNT", "l", "+", "+"],
    ["ZLEXCOUNT", "l", "[c", "[a"],
    ["ZLEXCOUNT", "l", "[b", "(b"],
    ["ZLEXCOUNT", "l", "a", "+"],
    ["ZLEXCOUNT", "l", "-", "b"],
    ["ZLEXCOUNT", "l", "", "+"],
    ["ZLEXCOUNT", "l", "-x", "+"],
    ["ZLEXCOUNT", "l", "+x", "+"],
    ["ZLEXCOUNT", "l", "-\u0000x", "+\u0000"],
    ["ZLEXCOUNT", "nokey", "-", "+"],
    ["ZLEXCOUNT", "nokey", "x", "+"],
  ]);
});

oracleTest(
  "oracle: ZRANGE by rank, score and lex, REV, LIMIT, WITHSCORES and errors",
  async (o) => {
    await o.same("ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "4", "e", "5", "f");
    await o.same("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "f");
    const ranks = [
      ["0", "-1"],
      ["0", "0"],
      ["1", "3"],
      ["-2", "-1"],
      ["-100", "100"],
      ["3", "1"],
      ["5", "10"],
      ["6", "10"],
      ["-1", "-2"],
      ["0", "-7"],
      ["-7", "0"],
      ["9223372036854775807", "-1"],
      ["-9223372036854775808", "9223372036854775807"],
    ];
    for (const [a, b] of ranks) {
      await o.sameAll([
        ["ZRANGE", "z", a, b],
        ["ZRANGE", "z", a, b, "WITHSCORES"],
        ["ZRANGE", "z", a, b, "REV", "WITHSCORES"],
        ["ZREVRANGE", "z", a, b],
        ["ZREVRANGE", "z", a, b, "WITHSCORES"],
      ]);
    }
    const scoreRanges = [
      ["-inf", "+inf"],
      ["2", "3"],
      ["(2", "3"],
      ["2", "(3"],
      ["(2", "(3"],
      ["3", "2"],
      ["(1", "(1"],
      ["1", "1"],
      ["10", "20"],
      ["-20", "-10"],
      ["(-inf", "(inf"],
    ];
    const limits = [
      [],
      ["LIMIT", "0", "2"],
      ["LIMIT", "1", "-1"],
      ["LIMIT", "2", "0"],
      [
        "LIMIT",
        "-1",
        "2",
      ],
      ["LIMIT", "5", "10"],
      ["LIMIT", "6", "1"],
      ["LIMIT", "1", "100"],
      [
        "LIMIT",
        "0",
        "9223372036854775807",
      ],
    ];
    for (const [a, b] of scoreRanges) {
      for (const lim of limits) {
        await o.sameAll([
          ["ZRANGEBYSCORE", "z", a, b, ...lim],
          ["ZRANGEBYSCORE", "z", a, b, "WITHSCORES", ...lim],
          ["ZREVRANGEBYSCORE", "z", b, a, ...lim, "WITHSCORES"],
          ["ZRANGE", "z", a, b, "BYSCORE", ...lim],
          ["ZRANGE", "z", b, a, "BYSCORE", "REV", ...lim, "WITHSCORES"],
          ["ZCOUNT", "z", a, b],
        ]);
      }
    }
    const lexRanges = [
      ["-", "+"],
      ["[b", "[d"],
      ["(b", "[d"],
      ["[b", "(d"],
      ["(b", "(b"],
      ["[b", "[b"],
      ["[d", "[b"],
      ["[a", "+"],
      ["-", "(c"],
      ["+", "-"],
      ["[", "+"],
      ["[bb", "[cc"],
      ["(z", "+"],
    ];
    for (const [a, b] of lexRanges) {
      for (const lim of limits) {
        await o.sameAll([
          ["ZRANGEBYLEX", "l", a, b, ...lim],
          ["ZREVRANGEBYLEX", "l", b, a, ...lim],
          ["ZRANGE", "l", a, b, "BYLEX", ...lim],
          ["ZRANGE", "l", b, a, "BYLEX", "REV", ...lim],
          ["ZLEXCOUNT", "l", a, b],
        ]);
      }
    }
    await o.sameAll([
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "1", "-1"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "0"],
      ["ZRANGE", "z", "0", "-1", "LIMIT", "x", "1"],
      ["ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "0", "x"],
      ["ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES"],
      ["ZRANGEBYLEX", "l", "-", "+", "WITHSCORES"],
      ["ZRANGE", "z", "0", "-1", "BYSCORE", "BYLEX"],
      ["ZRANGE", "z", "0", "-1", "BYLEX", "BYSCORE"],
      ["ZRANGE", "z", "0", "-1", "REV", "REV"],
      ["ZRANGE", "z", "0", "-1", "BYSCORE", "BYSCORE"],
      ["ZREVRANGE", "z", "0", "-1", "REV"],
      ["ZRANGEBYSCORE", "z", "0", "-1", "BYSCORE"],
      ["ZRANGEBYSCORE", "z", "0", "-1", "REV"],
      ["ZRANGEBYLEX", "l", "-", "+", "BYLEX"],
      ["ZRANGE", "z", "0", "-1", "FOO"],
      ["ZRANGE", "z", "x", "-1"],
      ["ZRANGE", "z", "0", "1.5"],
      ["ZRANGE", "z", "a", "b", "BYSCORE"],
      ["ZRANGE", "z", "a", "b", "BYLEX"],
      ["ZRANGEBYSCORE", "z", "1", "x"],
      ["ZRANGEBYLEX", "l", "a", "+"],
      ["ZRANGE", "nokey", "0", "-1"],
      ["ZRANGE", "nokey", "0", "-1", "WITHSCORES"],
      ["ZRANGE", "nokey", "x", "-1"],
      ["ZRANGE", "nokey", "0", "-1", "BYLEX"],
      ["ZRANGEBYSCORE", "nokey", "-inf", "inf"],
      ["ZREVRANGEBYLEX", "nokey", "+", "-"],
      ["zrange", "z", "0", "-1", "withscores", "rev"],
      ["ZRANGE", "z", "(1", "5", "byscore", "rev", "limit", "1", "2"],
      ["ZRANGE", "z", "5", "(1", "byscore", "rev", "limit", "1", "2"],
      ["ZRANGE", "z", "0"],
    ]);
  },
);

oracleTest("oracle: ZRANGESTORE", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZRANGESTORE", "d", "z", "0", "1"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "(1", "4", "BYSCORE", "LIMIT", "1", "2"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "4", "(1", "BYSCORE", "REV", "LIMIT", "1", "2"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "[b", "[d", "BYLEX"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "0", "-1", "REV"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"],
    ["ZRANGESTORE", "d", "z", "10", "20"],
    ["EXISTS", "d"],
    ["SET", "s", "x"],
    ["ZRANGESTORE", "s", "z", "0", "0"],
    ["TYPE", "s"],
    ["ZRANGESTORE", "d", "nokey", "0", "-1"],
    ["ZRANGESTORE", "d", "s", "0", "-1"],
    ["ZRANGESTORE", "z", "z", "1", "2"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ["SET", "e", "v"],
    ["EXPIRE", "e", "100"],
    ["ZRANGESTORE", "e", "z", "0", "0"],
    clock("TTL", "e"),
    ["ZRANGESTORE", "d", "z", "0", "-1", "LIMIT", "0", "1"],
    ["ZRANGESTORE", "d", "z", "0"],
  ]);
});

oracleTest("oracle: ZREM and ZREMRANGEBYRANK / BYSCORE / BYLEX", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZREM", "z", "a", "nope", "a", "b"],
    ["ZREM", "z", "nope"],
    ["ZREM", "nokey", "a"],
    ["ZREM", "z"],
    ["ZREM", "z", "c", "d", "e", "f"],
    ["EXISTS", "z"],
  ]);
  const rankCases = [["0", "0"], ["-2", "-1"], ["1", "-2"], ["3", "1"], ["10", "20"], [
    "-100",
    "100",
  ]];
  for (const [a, b] of rankCases) {
    await o.sameAll([
      ["DEL", "z"],
      ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
      ["ZREMRANGEBYRANK", "z", a, b],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ]);
  }
  const scoreCases = [["2", "3"], ["(2", "(4"], ["-inf", "+inf"], ["3", "1"], ["(5", "10"]];
  for (const [a, b] of scoreCases) {
    await o.sameAll([
      ["DEL", "z"],
      ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
      ["ZREMRANGEBYSCORE", "z", a, b],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ]);
  }
  const lexCases = [["[b", "[c"], ["(a", "(e"], ["-", "+"], ["[c", "[a"], ["+", "-"]];
  for (const [a, b] of lexCases) {
    await o.sameAll([
      ["DEL", "l"],
      ["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"],
      ["ZREMRANGEBYLEX", "l", a, b],
      ["ZRANGE", "l", "0", "-1"],
      ["EXISTS", "l"],
    ]);
  }
  await o.sameAll([
    ["ZREMRANGEBYRANK", "l", "x", "1"],
    ["ZREMRANGEBYRANK", "nokey", "0", "1"],
    ["ZREMRANGEBYRANK", "nokey", "x", "1"],
    ["ZREMRANGEBYSCORE", "l", "x", "1"],
    ["ZREMRANGEBYSCORE", "nokey", "0", "1"],
    ["ZREMRANGEBYLEX", "l", "x", "+"],
    ["ZREMRANGEBYLEX", "nokey", "-", "+"],
    ["ZREMRANGEBYRANK", "l", "0"],
  ]);
});

oracleTest("oracle: ZPOPMIN ZPOPMAX ZMPOP", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZPOPMIN", "z"],
    ["ZPOPMAX", "z"],
    ["ZPOPMIN", "z", "2"],
    ["ZPOPMIN", "z", "0"],
    ["ZPOPMAX", "z", "10"],
    ["EXISTS", "z"],
    ["ZPOPMIN", "z"],
    ["ZPOPMIN", "z", "3"],
    ["ZPOPMIN", "z", "-1"],
    ["ZPOPMIN", "z", "x"],
    ["ZPOPMIN", "z", "1", "2"],
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    ["ZPOPMIN", "z", "-1"],
    ["ZPOPMAX", "z", "0"],
    ["ZMPOP", "1", "z", "MIN"],
    ["ZMPOP", "2", "nokey", "z", "max", "COUNT", "10"],
    ["ZMPOP", "2", "nokey", "z", "MIN"],
    ["ZADD", "y", "1", "a", "2", "b"],
    ["ZMPOP", "3", "nokey", "z", "y", "MIN", "COUNT", "1"],
    ["ZMPOP", "0", "y", "MIN"],
    ["ZMPOP", "-1", "y", "MIN"],
    ["ZMPOP", "x", "y", "MIN"],
    ["ZMPOP", "2", "y", "MIN"],
    ["ZMPOP", "1", "y", "LEFT"],
    ["ZMPOP", "1", "y", "MIN", "COUNT"],
    ["ZMPOP", "1", "y", "MIN", "COUNT", "0"],
    ["ZMPOP", "1", "y", "MIN", "COUNT", "-1"],
    ["ZMPOP", "1", "y", "MIN", "COUNT", "x"],
    ["ZMPOP", "1", "y", "MIN", "COUNT", "1", "COUNT", "1"],
    ["ZMPOP", "1", "y", "MIN", "FOO"],
    ["ZMPOP", "9223372036854775807", "y", "MIN"],
    ["ZMPOP", "1", "y", "MAX", "COUNT", "9223372036854775807"],
    ["ZMPOP", "1", "y"],
  ]);
});

oracleTest("oracle: WRONGTYPE on every command", async (o) => {
  await o.same("SET", "str", "x");
  await o.sameAll(WRONGTYPE_COMMANDS);
  await o.sameAll([["GET", "str"], ["EXISTS", "dst"]]);
});

oracleTest("oracle: binary members and ordering of equal scores", async (o) => {
  await o.sameAll([
    [
      "ZADD",
      "b",
      "1",
      "a\u0000b",
      "1",
      "a",
      "1",
      "a\u0000",
      "1",
      "\u00ff",
      "1",
      "\u0080x",
      "1",
      "",
    ],
    ["ZRANGE", "b", "0", "-1", "WITHSCORES"],
    ["ZRANGEBYLEX", "b", "[a", "[a\u0000z"],
    ["ZRANK", "b", "a\u0000"],
    ["ZSCORE", "b", ""],
    ["ZREM", "b", ""],
    ["ZRANGE", "b", "0", "-1"],
  ]);
});

oracleTest("oracle: listpack to skiplist boundaries and OBJECT ENCODING", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
    ["OBJECT", "ENCODING", "z"],
    ["ZADD", "z", "4", "d"],
    ["OBJECT", "ENCODING", "z"],
    ["ZADD", "z", "5", "e"],
    ["OBJECT", "ENCODING", "z"],
    ["ZREM", "z", "a", "b", "c"],
    ["OBJECT", "ENCODING", "z"],
    ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ["ZADD", "v", "1", "12345678"],
    ["OBJECT", "ENCODING", "v"],
    ["ZADD", "v", "1", "123456789"],
    ["OBJECT", "ENCODING", "v"],
    ["ZADD", "w", "1", "123456789"],
    ["OBJECT", "ENCODING", "w"],
    ["ZADD", "w2", "1", "a", "1", "123456789"],
    ["OBJECT", "ENCODING", "w2"],
    ["ZINCRBY", "w3", "1", "123456789"],
    ["OBJECT", "ENCODING", "w3"],
    ["ZADD", "s", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"],
    ["ZRANGESTORE", "d", "s", "0", "3"],
    ["OBJECT", "ENCODING", "d"],
    ["ZRANGESTORE", "d", "s", "0", "4"],
    ["OBJECT", "ENCODING", "d"],
    ["ZADD", "s", "7", "123456789"],
    ["ZRANGESTORE", "d", "s", "-2", "-1"],
    ["OBJECT", "ENCODING", "d"],
    ["ZRANGESTORE", "d", "s", "-inf", "(7", "BYSCORE", "LIMIT", "0", "3"],
    ["OBJECT", "ENCODING", "d"],
    ["ZPOPMIN", "s", "6"],
    ["OBJECT", "ENCODING", "s"],
  ]);
  // Every command on both encodings: the same key grown past the limit.
  for (const n of [3, 4, 5, 9, 40]) {
    await o.same("DEL", "k");
    await zset(o, "k", n);
    await o.sameAll([
      ["OBJECT", "ENCODING", "k"],
      ["ZRANGE", "k", "0", "-1", "WITHSCORES"],
      ["ZREVRANGE", "k", "1", "-2", "WITHSCORES"],
      ["ZRANGEBYSCORE", "k", "(2", "+inf", "LIMIT", "1", "3"],
      ["ZREVRANGEBYSCORE", "k", "+inf", "(2", "LIMIT", "1", "3"],
      ["ZRANK", "k", "m2"],
      ["ZREVRANK", "k", "m2"],
      ["ZCOUNT", "k", "2", "30"],
      ["ZADD", "k", "2.5", "m0"],
      ["ZINCRBY", "k", "100", "m1"],
      ["ZRANGE", "k", "0", "-1", "WITHSCORES"],
      ["ZREMRANGEBYSCORE", "k", "3", "4"],
      ["ZREMRANGEBYRANK", "k", "-2", "-2"],
      ["ZRANGE", "k", "0", "-1", "WITHSCORES"],
      ["ZPOPMAX", "k", "2"],
      ["ZPOPMIN", "k"],
      ["ZMPOP", "1", "k", "MAX", "COUNT", "2"],
      ["ZRANGE", "k", "0", "-1", "WITHSCORES"],
      ["ZCARD", "k"],
      ["ZRANDMEMBER", "k", "100", "WITHSCORES"],
    ]);
    await o.sameUnordered(["ZSCAN", "k", "0", "COUNT", "1000"], false);
  }
}, SMALL_LIMITS);

oracleTest("oracle: RESP3 replies", async (o) => {
  const [a, b] = await o.connectPair();
  const both = async (...args: string[]) => {
    const [x, y] = await Promise.all([a.call(...args), b.call(...args)]);
    assertEquals(x, y, `RESP3 reply to ${JSON.stringify(args)}`);
  };
  // HELLO's reply holds the client id, which differs: switch without comparing.
  await a.call("HELLO", "3");
  await b.call("HELLO", "3");
  await a.call("FLUSHALL");
  await b.call("FLUSHALL");
  for (
    const cmd of [
      ["ZADD", "z", "1", "a", "2.5", "b", "inf", "c", "-0", "d"],
      ["ZADD", "z", "INCR", "0.1", "a"],
      ["ZADD", "z", "XX", "INCR", "1", "nope"],
      ["ZINCRBY", "z", "1", "a"],
      ["ZSCORE", "z", "b"],
      ["ZSCORE", "z", "nope"],
      ["ZMSCORE", "z", "a", "nope", "c"],
      ["ZRANK", "z", "nope"],
      ["ZRANGE", "z", "0", "-1"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZREVRANGE", "z", "0", "-1", "WITHSCORES"],
      ["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"],
      ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", "1", "2"],
      ["ZRANGE", "nokey", "0", "-1", "WITHSCORES"],
      ["ZRANDMEMBER", "z", "10", "WITHSCORES"],
      ["ZRANDMEMBER", "nokey"],
      ["ZRANDMEMBER", "nokey", "3"],
      ["ZSCAN", "z", "0"],
      ["ZPOPMIN", "z"],
      ["ZPOPMIN", "z", "1"],
      ["ZPOPMAX", "z", "0"],
      ["ZPOPMAX", "nokey"],
      ["ZPOPMAX", "nokey", "2"],
      ["ZMPOP", "1", "z", "MAX"],
      ["ZMPOP", "1", "nokey", "MAX"],
      ["ZADD", "z", "1", "x", "2", "y", "3", "w"],
      ["ZPOPMAX", "z", "5"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
    ]
  ) await both(...cmd);
  a.close();
  b.close();
});

oracleTest("oracle: ZRANDMEMBER", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["ZRANDMEMBER", "nokey"],
    ["ZRANDMEMBER", "nokey", "5"],
    ["ZRANDMEMBER", "nokey", "-5", "WITHSCORES"],
    ["ZRANDMEMBER", "z", "0"],
    ["ZRANDMEMBER", "z", "5"],
    ["ZRANDMEMBER", "z", "6", "WITHSCORES"],
    ["ZRANDMEMBER", "z", "100", "withscores"],
    ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"],
    ["ZRANDMEMBER", "z", "1", "FOO"],
    ["ZRANDMEMBER", "z", "x"],
    ["ZRANDMEMBER", "z", "-9223372036854775808"],
    ["ZRANDMEMBER", "z", "9223372036854775808"],
    ["ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"],
    ["ZRANDMEMBER", "z", "-4611686018427387904", "WITHSCORES"],
    ["ZRANDMEMBER", "z", "4611686018427387903", "WITHSCORES"],
  ]);
  const members = new Set(["a", "b", "c", "d", "e"]);
  for (const enc of ["small", "large"]) {
    if (enc === "large") {
      const args = ["ZADD", "z"];
      for (let i = 0; i < 300; i++) args.push(String(i), `x${i}`);
      await o.same(...args);
      for (let i = 0; i < 300; i++) members.add(`x${i}`);
    }
    const one = decode(await o.redeno.call("ZRANDMEMBER", "z")) as string;
    assert(members.has(one));
    for (const count of [1, 2, 3, 4, 100]) {
      const got = decode(await o.redeno.call("ZRANDMEMBER", "z", String(count))) as string[];
      assertEquals(got.length, Math.min(count, members.size));
      assertEquals(new Set(got).size, got.length, "distinct");
      for (const m of got) assert(members.has(m));
    }
    const rep = decode(await o.redeno.call("ZRANDMEMBER", "z", "-20", "WITHSCORES")) as string[];
    assertEquals(rep.length, 40);
    for (let i = 0; i < rep.length; i += 2) {
      assert(members.has(rep[i]));
      assertEquals(rep[i + 1], decode(await o.redeno.call("ZSCORE", "z", rep[i])) as Decoded);
    }
  }
});

oracleTest("oracle: ZSCAN", async (o) => {
  await o.sameAll([
    ["ZADD", "z", "1", "a", "2.5", "b", "0.1", "c", "1e300", "foo"],
    ["ZSCAN", "z", "0"],
    ["ZSCAN", "z", "0", "MATCH", "f*"],
    ["ZSCAN", "z", "0", "COUNT", "1"],
    ["ZSCAN", "z", "0", "COUNT", "0"],
    ["ZSCAN", "z", "0", "MATCH"],
    ["ZSCAN", "z", "x"],
    ["ZSCAN", "z", "0", "TYPE", "zset"],
    ["ZSCAN", "nokey", "0"],
  ]);
  const args = ["ZADD", "big"];
  for (let i = 0; i < 200; i++) args.push(String(i / 10), `m${i}`);
  await o.same(...args);
  // A full scan returns every member once with its score (order unspecified).
  const seen = new Map<string, string>();
  let cursor = "0";
  do {
    const [next, items] = decode(await o.redeno.call("ZSCAN", "big", cursor, "COUNT", "17")) as [
      string,
      string[],
    ];
    for (let i = 0; i < items.length; i += 2) seen.set(items[i], items[i + 1]);
    cursor = next;
  } while (cursor !== "0");
  assertEquals(seen.size, 200);
  assertEquals(seen.get("m3"), "0.29999999999999999");
  await o.sameUnordered(["ZSCAN", "big", "0", "COUNT", "1000", "MATCH", "m1*"], true);
});

oracleTest("oracle: large sorted set (skiplist) matches Redis", async (o) => {
  const args = ["ZADD", "big"];
  for (let i = 0; i < 3000; i++) args.push(String((i * 7919) % 1000), `m${(i * 104729) % 3000}`);
  await o.same(...args);
  await o.sameAll([
    ["ZCARD", "big"],
    ["ZRANGE", "big", "0", "20", "WITHSCORES"],
    ["ZRANGE", "big", "1500", "1530", "WITHSCORES"],
    ["ZREVRANGE", "big", "100", "130", "WITHSCORES"],
    ["ZRANK", "big", "m1234"],
    ["ZREVRANK", "big", "m1234"],
    ["ZRANGEBYSCORE", "big", "(500", "510", "WITHSCORES", "LIMIT", "3", "10"],
    ["ZREVRANGEBYSCORE", "big", "510", "(500", "WITHSCORES", "LIMIT", "3", "10"],
    ["ZCOUNT", "big", "100", "(200"],
    ["ZREMRANGEBYSCORE", "big", "100", "(200"],
    ["ZREMRANGEBYRANK", "big", "10", "500"],
    ["ZPOPMIN", "big", "50"],
    ["ZPOPMAX", "big", "50"],
    ["ZCARD", "big"],
    ["ZRANGE", "big", "0", "-1", "WITHSCORES"],
  ]);
  const lex = ["ZADD", "lex"];
  for (let i = 0; i < 500; i++) lex.push("0", `k${(i * 37) % 500}`);
  await o.same(...lex);
  await o.sameAll([
    ["ZRANGEBYLEX", "lex", "[k1", "(k2", "LIMIT", "5", "20"],
    ["ZREVRANGEBYLEX", "lex", "(k2", "[k1", "LIMIT", "5", "20"],
    ["ZLEXCOUNT", "lex", "[k3", "+"],
    ["ZREMRANGEBYLEX", "lex", "[k3", "(k4"],
    ["ZLEXCOUNT", "lex", "-", "+"],
    ["ZRANGE", "lex", "0", "-1"],
  ]);
});

oracleTest(
  "oracle: ZRANGESTORE keeps -0 only for scores that never went through a listpack",
  async (o) => {
    const long = "x".repeat(70);
    await o.sameAll([
      ["ZADD", "src", "0", "m", "-5", long],
      ["ZUNIONSTORE", "neg", "1", "src", "WEIGHTS", "-1"],
      ["ZSCORE", "neg", "m"],
      ["ZRANGESTORE", "dst", "neg", "0", "-1"],
      ["ZSCORE", "dst", "m"],
      ["OBJECT", "ENCODING", "dst"],
      ["ZRANGESTORE", "dst", "neg", "0", "-1", "REV"],
      ["ZSCORE", "dst", "m"],
      ["OBJECT", "ENCODING", "dst"],
      ["ZRANGESTORE", "dst", "neg", "-inf", "+inf", "BYSCORE"],
      ["ZSCORE", "dst", "m"],
    ]);
  },
);
