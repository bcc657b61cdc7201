/**
 * Sorted set algebra against Redis 7.0.15: ZUNION, ZINTER, ZDIFF, their STORE
 * forms and ZINTERCARD, with every option, error, mixed input types, float
 * edge cases (inf, -inf, NaN sums, -0), RESP3 shapes, result encodings and
 * key positions.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import { parseInfo, type RespClient } from "../support/resp_client.ts";

/** Sends each command to a RESP3 connection pair and compares the raw replies. */
async function sameResp3(o: Oracle, commands: string[][]): Promise<void> {
  const [a, b] = await o.connectPair();
  try {
    await Promise.all([a.call("HELLO", "3"), b.call("HELLO", "3")]);
    for (const cmd of commands) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(mine, theirs, `RESP3 reply to ${JSON.stringify(cmd)}`);
    }
  } finally {
    a.close();
    b.close();
  }
}

const SETUP = [
  ["ZADD", "a", "1", "x", "2", "y", "inf", "z"],
  ["ZADD", "b", "-inf", "z", "3", "y", "0", "w"],
  ["ZADD", "c", "10", "y", "20", "v"],
  ["SADD", "si", "1", "2", "3"], // intset
  ["SADD", "sh", "x", "2", "q"], // hashtable
  ["ZADD", "nums", "5", "1", "6", "3", "7", "x"],
  ["SET", "str", "v"],
  ["HSET", "hash", "f", "v"],
];

oracleTest("oracle: ZUNION/ZINTER/ZDIFF/ZINTERCARD numkeys and option errors", async (o) => {
  await o.sameAll(SETUP);
  const cmds: string[][] = [];
  for (const name of ["ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"]) {
    cmds.push(
      [name],
      [name, "1"],
      [name, "0", "a"],
      [name, "-1", "a"],
      [name, "x", "a"],
      [name, "", "a"],
      [name, "1.0", "a"],
      [name, "01", "a"],
      [name, "2", "a"],
      [name, "3", "a", "b"],
      [name, "2147483648", "a"],
      [name, "9223372036854775807", "a"],
      [name, "9223372036854775808", "a"],
      [name, "-9223372036854775808", "a"],
      [name, "1", "a", "BADOPT"],
      [name, "1", "a", "WEIGHTS"],
      [name, "1", "a", "WEIGHTS", "2"],
      [name, "1", "a", "weights", "1", "2"],
      [name, "1", "a", "AGGREGATE"],
      [name, "1", "a", "AGGREGATE", "MIN"],
      [name, "1", "a", "AGGREGATE", "avg"],
      [name, "1", "a", "WITHSCORES"],
      [name, "1", "a", "WITHSCORES", "WITHSCORES"],
      [name, "1", "a", "LIMIT"],
      [name, "1", "a", "LIMIT", "1"],
      [name, "2", "a", "str"],
      [name, "2", "str", "a", "BADOPT"],
      [name, "2", "a", "hash", "WEIGHTS", "x", "y"],
      [name, "1", "nokey", "BADOPT"],
    );
  }
  cmds.push(
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "nan"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "NaN"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "1e400"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "-1e400"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "1e-400"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", " 1"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "1 "],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", ""],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "1x"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "2", "3"],
    ["ZINTER", "2", "a", "b", "WEIGHTS", "x", "1"],
    ["ZINTER", "2", "a", "b", "AGGREGATE", "SUM", "AGGREGATE"],
    ["ZINTER", "2", "a", "b", "AGGREGATE", "SUM", "BAD"],
    ["ZINTERCARD", "1", "a", "LIMIT", "-1"],
    ["ZINTERCARD", "1", "a", "LIMIT", "x"],
    ["ZINTERCARD", "1", "a", "LIMIT", "1.5"],
    ["ZINTERCARD", "1", "a", "LIMIT", "99999999999999999999"],
    ["ZINTERCARD", "1", "a", "LIMIT", "9223372036854775807"],
    ["ZINTERCARD", "1", "a", "LIMIT", "0"],
    ["ZINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "-1"],
    ["ZINTERCARD", "1", "a", "WEIGHTS", "1"],
    ["ZINTERCARD", "1", "a", "AGGREGATE", "SUM"],
    ["ZDIFF", "1", "a", "WEIGHTS", "1"],
    ["ZDIFF", "1", "a", "AGGREGATE", "SUM"],
    // WRONGTYPE is found before a bad option or weight.
    ["ZUNION", "2", "a", "str", "WEIGHTS", "x", "y"],
    ["ZDIFF", "2", "nokey", "hash"],
    ["zunion", "1", "a", "withscores"],
    ["zUnIoN", "1", "a", "WeIgHtS", "2", "aggregate", "mAx", "WithScores"],
  );
  await o.sameAll(cmds);
});

oracleTest("oracle: *STORE numkeys, option and type errors", async (o) => {
  await o.sameAll(SETUP);
  const cmds: string[][] = [];
  for (const name of ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]) {
    cmds.push(
      [name],
      [name, "d"],
      [name, "d", "1"],
      [name, "d", "0", "a"],
      [name, "d", "-5", "a"],
      [name, "d", "x", "a"],
      [name, "d", "2", "a"],
      [name, "d", "9223372036854775808", "a"],
      [name, "d", "1", "a", "WITHSCORES"],
      [name, "d", "1", "a", "LIMIT", "1"],
      [name, "d", "1", "a", "WEIGHTS", "2"],
      [name, "d", "1", "a", "AGGREGATE", "MAX"],
      [name, "d", "1", "a", "AGGREGATE", "bad"],
      [name, "d", "2", "a", "str"],
      [name, "d", "2", "hash", "a", "WEIGHTS", "x"],
      ["EXISTS", "d"],
      // A failed command leaves the destination as it was.
      ["SET", "d", "keep"],
      [name, "d", "2", "a", "str"],
      [name, "d", "1", "a", "bad"],
      ["GET", "d"],
      ["DEL", "d"],
    );
  }
  await o.sameAll(cmds);
});

oracleTest("oracle: ZUNION and ZUNIONSTORE: weights, aggregates, inf and NaN", async (o) => {
  await o.sameAll(SETUP);
  const variants: string[][] = [
    [],
    ["AGGREGATE", "SUM"],
    ["AGGREGATE", "MIN"],
    ["AGGREGATE", "MAX"],
    ["WEIGHTS", "2", "3"],
    ["WEIGHTS", "0", "1"],
    ["WEIGHTS", "1", "0"],
    ["WEIGHTS", "0", "0"],
    ["WEIGHTS", "-1", "1"],
    ["WEIGHTS", "-0", "-0"],
    ["WEIGHTS", "inf", "1"],
    ["WEIGHTS", "-inf", "+inf"],
    ["WEIGHTS", "1.5", "0x10"],
    ["WEIGHTS", "1e308", "1e308"],
    ["WEIGHTS", "1", "0", "AGGREGATE", "MIN"],
    ["WEIGHTS", "0", "1", "AGGREGATE", "MAX"],
    ["WEIGHTS", "-1", "-1", "AGGREGATE", "MIN"],
    ["AGGREGATE", "MIN", "WEIGHTS", "2", "2", "AGGREGATE", "MAX"],
  ];
  const cmds: string[][] = [];
  for (const v of variants) {
    cmds.push(
      ["ZUNION", "2", "a", "b", ...v],
      ["ZUNION", "2", "a", "b", ...v, "WITHSCORES"],
      ["ZUNION", "2", "b", "a", "WITHSCORES", ...v],
      ["ZUNIONSTORE", "d", "2", "a", "b", ...v],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
      ["OBJECT", "ENCODING", "d"],
    );
  }
  cmds.push(
    ["ZUNION", "3", "a", "b", "c", "WITHSCORES"],
    ["ZUNION", "3", "a", "a", "a", "WEIGHTS", "1", "2", "3", "WITHSCORES"],
    ["ZUNION", "1", "nokey", "WITHSCORES"],
    ["ZUNION", "2", "nokey", "a", "WITHSCORES"],
    ["ZUNIONSTORE", "d", "2", "nokey", "nokey2"],
    ["EXISTS", "d"],
    ["ZUNIONSTORE", "a2", "2", "a", "c"],
    ["ZUNIONSTORE", "a2", "2", "a2", "c"], // destination among the inputs
    ["ZRANGE", "a2", "0", "-1", "WITHSCORES"],
  );
  await o.sameAll(cmds);
});

oracleTest("oracle: float sums follow Redis's input order (smallest input first)", async (o) => {
  await o.sameAll([
    ["ZADD", "p", "1e16", "m"],
    ["ZADD", "q", "1", "m"],
    ["ZADD", "r", "1", "m"],
    ["ZADD", "q2", "1", "m", "5", "n"],
    ["ZADD", "ip", "inf", "m"],
    ["ZADD", "im", "-inf", "m", "0", "n"],
    ["ZADD", "five", "5", "m"],
  ]);
  const cmds: string[][] = [];
  for (const keys of [["p", "q", "r"], ["q", "r", "p"], ["q", "p", "r"], ["q2", "q", "p"]]) {
    for (const name of ["ZUNION", "ZINTER"]) {
      cmds.push([name, "3", ...keys, "WITHSCORES"]);
      cmds.push([name + "STORE", "d", "3", ...keys], ["ZSCORE", "d", "m"]);
    }
  }
  // inf + -inf = 0 where it happens: the order decides the result.
  for (const keys of [["ip", "im", "five"], ["five", "ip", "im"], ["im", "ip", "five"]]) {
    for (const agg of ["SUM", "MIN", "MAX"]) {
      cmds.push(["ZUNION", "3", ...keys, "AGGREGATE", agg, "WITHSCORES"]);
      cmds.push(["ZINTER", "3", ...keys, "AGGREGATE", agg, "WITHSCORES"]);
      cmds.push(["ZINTER", "3", ...keys, "WEIGHTS", "0", "1", "1", "AGGREGATE", agg, "WITHSCORES"]);
      cmds.push(["ZINTER", "3", ...keys, "WEIGHTS", "1", "0", "1", "AGGREGATE", agg, "WITHSCORES"]);
    }
  }
  await o.sameAll(cmds);
});

oracleTest("oracle: ZINTER, ZINTERSTORE and ZINTERCARD", async (o) => {
  await o.sameAll(SETUP);
  const cmds: string[][] = [];
  for (
    const v of [
      [],
      ["WEIGHTS", "2", "3"],
      ["WEIGHTS", "0", "0"],
      ["WEIGHTS", "1", "0", "AGGREGATE", "MIN"],
      ["WEIGHTS", "0", "1", "AGGREGATE", "MIN"],
      ["WEIGHTS", "1", "0", "AGGREGATE", "MAX"],
      ["WEIGHTS", "-1", "1", "AGGREGATE", "MAX"],
      ["AGGREGATE", "MIN"],
      ["AGGREGATE", "max"],
    ]
  ) {
    cmds.push(
      ["ZINTER", "2", "a", "b", ...v, "WITHSCORES"],
      ["ZINTER", "2", "b", "a", ...v, "WITHSCORES"],
      ["ZINTER", "2", "a", "b", ...v],
      ["ZINTERSTORE", "d", "2", "a", "b", ...v],
      ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    );
  }
  cmds.push(
    ["ZINTER", "3", "a", "b", "c", "WITHSCORES"],
    ["ZINTER", "2", "a", "a", "WITHSCORES"],
    ["ZINTER", "2", "a", "nokey"],
    ["ZINTER", "2", "nokey", "a", "WITHSCORES"],
    ["ZINTERSTORE", "d", "2", "a", "nokey"],
    ["EXISTS", "d"],
    ["ZINTERSTORE", "d", "2", "a", "nokey"], // nothing to delete
    ["ZINTERCARD", "2", "a", "b"],
    ["ZINTERCARD", "2", "a", "b", "LIMIT", "0"],
    ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["ZINTERCARD", "2", "a", "b", "LIMIT", "2"],
    ["ZINTERCARD", "2", "a", "b", "LIMIT", "3"],
    ["ZINTERCARD", "2", "a", "b", "limit", "1", "LIMIT", "5"],
    ["ZINTERCARD", "1", "a"],
    ["ZINTERCARD", "3", "a", "b", "c"],
    ["ZINTERCARD", "2", "a", "nokey"],
    ["ZINTERCARD", "1", "nokey"],
    ["ZINTERCARD", "2", "nums", "si"],
    ["ZINTERCARD", "3", "a", "sh", "nums"],
  );
  await o.sameAll(cmds);
});

oracleTest("oracle: ZDIFF and ZDIFFSTORE", async (o) => {
  await o.sameAll(SETUP);
  await o.sameAll([
    ["ZDIFF", "2", "a", "b"],
    ["ZDIFF", "2", "a", "b", "WITHSCORES"],
    ["ZDIFF", "2", "b", "a", "WITHSCORES"],
    ["ZDIFF", "1", "a", "WITHSCORES"],
    ["ZDIFF", "2", "a", "a"],
    ["ZDIFF", "3", "a", "c", "a"],
    ["ZDIFF", "2", "a", "nokey", "WITHSCORES"],
    ["ZDIFF", "2", "nokey", "a"],
    ["ZDIFF", "3", "b", "a", "c", "WITHSCORES"],
    ["ZDIFF", "2", "si", "nums", "WITHSCORES"],
    ["ZDIFF", "2", "nums", "si", "WITHSCORES"],
    ["ZDIFF", "2", "sh", "a", "withscores"],
    ["ZDIFFSTORE", "d", "2", "a", "b"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["ZDIFFSTORE", "d", "2", "a", "a"],
    ["EXISTS", "d"],
    ["ZDIFFSTORE", "d", "1", "si"],
    ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
    ["TYPE", "d"],
    ["ZDIFFSTORE", "d", "2", "nokey", "a"],
    ["EXISTS", "d"],
    // Many small inputs (Redis's second algorithm) and few (its first): same results.
    ["ZADD", "big", "1", "m1", "2", "m2", "3", "m3", "4", "m4", "5", "m5", "6", "m6"],
    ["ZADD", "one", "9", "m3"],
    ["ZDIFF", "5", "big", "one", "one", "one", "one", "WITHSCORES"],
    ["ZDIFF", "2", "big", "one", "WITHSCORES"],
    ["ZDIFF", "4", "big", "one", "big", "one"],
  ]);
});

oracleTest("oracle: sets as inputs (score 1), intsets and hashtables", async (o) => {
  await o.sameAll(SETUP);
  const cmds: string[][] = [];
  for (const name of ["ZUNION", "ZINTER", "ZDIFF"]) {
    for (
      const keys of [
        ["si"],
        ["sh"],
        ["si", "sh"],
        ["sh", "si"],
        ["si", "nums"],
        ["nums", "si"],
        ["a", "sh"],
        ["sh", "a"],
        ["si", "sh", "nums"],
      ]
    ) {
      cmds.push([name, String(keys.length), ...keys, "WITHSCORES"]);
      cmds.push([name + "STORE", "d", String(keys.length), ...keys]);
      cmds.push(["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["OBJECT", "ENCODING", "d"]);
    }
  }
  cmds.push(
    ["ZUNION", "2", "si", "sh", "WEIGHTS", "2", "3", "WITHSCORES"],
    ["ZINTER", "2", "si", "nums", "WEIGHTS", "inf", "-1", "WITHSCORES"],
    ["ZUNION", "2", "si", "nums", "AGGREGATE", "MAX", "WITHSCORES"],
    ["ZUNIONSTORE", "si", "2", "si", "sh"], // a set destination becomes a sorted set
    ["TYPE", "si"],
    ["ZRANGE", "si", "0", "-1", "WITHSCORES"],
    // A string destination is replaced, or deleted when the result is empty.
    ["ZUNIONSTORE", "str", "1", "a"],
    ["TYPE", "str"],
    ["SET", "str2", "v"],
    ["ZINTERSTORE", "str2", "2", "a", "nokey"],
    ["EXISTS", "str2"],
  );
  await o.sameAll(cmds);
});

oracleTest("oracle: binary members and keys", async (o) => {
  const m1 = "\x00\r\n\xff";
  const m2 = "\x00";
  const m3 = "\x80abc";
  const k = "k\x00\r\n";
  await o.sameAll([
    ["ZADD", k, "1", m1, "1", m2, "1", m3, "1", ""],
    ["ZADD", "o", "1", m1, "2", "\xff"],
    ["SADD", "s", m3, "\xff\xfe"],
    ["ZUNION", "3", k, "o", "s", "WITHSCORES"],
    ["ZINTER", "2", k, "o", "WITHSCORES"],
    ["ZDIFF", "2", k, "s", "WITHSCORES"],
    ["ZINTERCARD", "2", k, "s"],
    ["ZUNIONSTORE", "d\xff", "3", k, "o", "s"],
    ["ZRANGE", "d\xff", "0", "-1", "WITHSCORES"],
    ["ZUNION", "2", k, "o", "WEIGHTS", "1", "\x001"],
  ]);
});

oracleTest("oracle: RESP3 replies of the sorted set algebra", async (o) => {
  await o.sameAll(SETUP);
  await sameResp3(o, [
    ["ZUNION", "2", "a", "b"],
    ["ZUNION", "2", "a", "b", "WITHSCORES"],
    ["ZINTER", "2", "a", "b", "WITHSCORES"],
    ["ZINTER", "2", "a", "nokey", "WITHSCORES"],
    ["ZDIFF", "2", "a", "b", "WITHSCORES"],
    ["ZDIFF", "2", "a", "b"],
    ["ZUNION", "2", "a", "b", "WEIGHTS", "-0", "0.1", "WITHSCORES"],
    ["ZINTERCARD", "2", "a", "b"],
    ["ZUNIONSTORE", "d", "2", "a", "b"],
    ["ZDIFFSTORE", "d", "1", "nokey"],
    ["ZUNION", "0", "a"],
    ["ZUNION", "2", "a", "str"],
  ]);
});

oracleTest("oracle: stored results: listpack up to the limits, skiplist beyond, -0", async (o) => {
  const cmds: string[][] = [
    ["ZADD", "e", "1", "a", "2", "b", "3", "c", "4", "d"],
    ["ZADD", "e2", "5", "e"],
    ["ZADD", "ls", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["OBJECT", "ENCODING", "ls"],
    ["SADD", "s5", "1", "2", "3", "4", "5"],
  ];
  const check = (cmd: string[]) => cmds.push(cmd, ["OBJECT", "ENCODING", "d"]);
  check(["ZUNIONSTORE", "d", "1", "e"]); // 4: listpack
  check(["ZUNIONSTORE", "d", "2", "e", "e2"]); // 5: skiplist
  check(["ZINTERSTORE", "d", "2", "ls", "e"]); // 4 out of skiplist inputs: listpack
  check(["ZDIFFSTORE", "d", "2", "ls", "e2"]); // 4
  check(["ZDIFFSTORE", "d", "1", "ls"]); // 5
  check(["ZUNIONSTORE", "d", "1", "s5"]); // 5 from a set
  check(["ZINTERSTORE", "d", "2", "s5", "ls"]);
  check(["ZDIFFSTORE", "d", "2", "s5", "e"]);
  // Member length limit (zset-max-listpack-value).
  cmds.push(["CONFIG", "SET", "zset-max-listpack-value", "8"]);
  cmds.push(["ZADD", "long", "1", "short", "2", "12345678", "3", "123456789"]);
  cmds.push(["ZADD", "rm", "1", "123456789"]);
  check(["ZDIFFSTORE", "d", "2", "long", "rm"]); // the long member is gone: listpack
  check(["ZDIFFSTORE", "d", "5", "long", "rm", "rm", "rm", "rm"]);
  check(["ZUNIONSTORE", "d", "1", "long"]);
  check(["ZINTERSTORE", "d", "2", "long", "rm"]);
  check(["ZINTERSTORE", "d", "2", "long", "long", "WEIGHTS", "1", "0"]);
  cmds.push(["CONFIG", "SET", "zset-max-listpack-entries", "0"]);
  check(["ZUNIONSTORE", "d", "1", "e2"]);
  cmds.push(["CONFIG", "SET", "zset-max-listpack-entries", "4"]);
  cmds.push(["CONFIG", "SET", "zset-max-listpack-value", "64"]);
  // -0 scores: kept by a skiplist, 0 in a listpack.
  check(["ZUNIONSTORE", "d", "1", "e", "WEIGHTS", "-0"]);
  cmds.push(["ZRANGE", "d", "0", "-1", "WITHSCORES"]);
  check(["ZUNIONSTORE", "d", "2", "e", "e2", "WEIGHTS", "-0", "-0"]);
  cmds.push(["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZSCORE", "d", "a"]);
  cmds.push(["ZUNION", "1", "e", "WEIGHTS", "-1", "WITHSCORES"]);
  await o.sameAll(cmds);
}, { args: ["--zset-max-listpack-entries", "4"] });

oracleTest("oracle: COMMAND INFO, GETKEYS and GETKEYSANDFLAGS of the algebra", async (o) => {
  const cmds: string[][] = [
    [
      "COMMAND",
      "INFO",
      "zunion",
      "zinter",
      "zdiff",
      "zintercard",
      "zunionstore",
      "zinterstore",
      "zdiffstore",
    ],
  ];
  for (
    const line of [
      ["ZUNION", "2", "a", "b"],
      ["ZUNION", "1", "a", "b", "c"],
      ["ZINTER", "2", "a", "b", "WEIGHTS", "1", "2"],
      ["ZDIFF", "1", "a"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"],
      ["ZUNIONSTORE", "d", "2", "a", "b"],
      ["ZINTERSTORE", "d", "1", "a", "AGGREGATE", "MIN"],
      ["ZDIFFSTORE", "d", "1", "a"],
      // numkeys the key specs cannot read: Redis falls back to atoi(), destination last.
      ["ZUNION", "2abc", "a", "b"],
      ["ZUNION", "01", "a"],
      ["ZUNION", " 1", "a"],
      ["ZUNION", "+1", "a"],
      ["ZUNIONSTORE", "d", "1x", "a"],
      ["ZDIFFSTORE", "d", "01", "a", "b"],
      ["ZUNION", "4294967297", "a"],
      ["ZUNION", "99999999999", "a"],
      // Invalid numkeys: no keys.
      ["ZUNION", "0", "a"],
      ["ZUNION", "-1", "a"],
      ["ZUNION", "x", "a"],
      ["ZUNION", "3", "a", "b"],
      ["ZUNIONSTORE", "d", "0", "a"],
      ["ZUNIONSTORE", "d", "-1", "a"],
      ["ZDIFFSTORE", "d", "5", "a"],
      ["ZINTERCARD", "0", "a"],
      ["ZUNION", "1"],
      ["ZUNIONSTORE", "d", "1"],
    ]
  ) {
    cmds.push(["COMMAND", "GETKEYS", ...line], ["COMMAND", "GETKEYSANDFLAGS", ...line]);
  }
  await o.sameAll(cmds);
});

oracleTest("oracle: seeded random sorted set algebra", async (o) => {
  const rand = prng(1234);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const members = ["a", "b", "c", "d", "e", "f", "1", "2", "3", "10", "-1", "\x00"];
  const scores = ["0", "1", "-1", "2.5", "inf", "-inf", "1e16", "3", "0.1", "-0"];
  const keys = ["k0", "k1", "k2", "k3", "k4", "s0", "s1", "none"];
  const setup: string[][] = [];
  for (const k of keys.slice(0, 5)) {
    const args = ["ZADD", k];
    const n = Math.floor(rand() * 8);
    for (let i = 0; i < n; i++) args.push(pick(scores), pick(members));
    if (n > 0) setup.push(args);
  }
  setup.push(["SADD", "s0", "1", "2", "3", "10"], ["SADD", "s1", "a", "1", "f", "\x00"]);
  await o.sameAll(setup);
  const cmds: string[][] = [];
  for (let round = 0; round < 300; round++) {
    const n = 1 + Math.floor(rand() * 4);
    const ks: string[] = [];
    for (let i = 0; i < n; i++) ks.push(pick(keys));
    const opts: string[] = [];
    if (rand() < 0.5) {
      opts.push("WEIGHTS");
      for (let i = 0; i < n; i++) opts.push(pick(["1", "2", "0", "-1", "inf", "-inf", "0.5"]));
    }
    if (rand() < 0.5) opts.push("AGGREGATE", pick(["SUM", "MIN", "MAX"]));
    const op = pick(["ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"]);
    if (op === "ZDIFF") {
      cmds.push(["ZDIFF", String(n), ...ks, "WITHSCORES"]);
      cmds.push(["ZDIFFSTORE", pick(keys), String(n), ...ks]);
    } else if (op === "ZINTERCARD") {
      cmds.push(["ZINTERCARD", String(n), ...ks, "LIMIT", String(Math.floor(rand() * 3))]);
    } else {
      cmds.push([op, String(n), ...ks, ...opts, "WITHSCORES"]);
      cmds.push([op + "STORE", pick(keys), String(n), ...ks, ...opts]);
    }
    if (round % 10 === 0) {
      for (const k of keys) cmds.push(["ZRANGE", k, "0", "-1", "WITHSCORES"]);
    }
  }
  await o.sameAll(cmds);
});

oracleTest("oracle: inputs count keyspace hits and misses (STORE forms too)", async (o) => {
  await o.sameAll([["ZADD", "a", "1", "x"], ["SADD", "s", "x"], ["CONFIG", "RESETSTAT"]]);
  await o.sameAll([
    ["ZUNIONSTORE", "d", "3", "a", "nokey", "s"],
    ["ZINTER", "2", "nokey", "a"],
    ["ZDIFFSTORE", "d", "2", "s", "nokey"],
    ["ZINTERCARD", "2", "a", "s"],
    ["ZUNION", "2", "a", "str"],
  ]);
  const stats = async (c: RespClient) => {
    const info = parseInfo(String(await c.value("INFO", "stats")));
    return [info.get("keyspace_hits"), info.get("keyspace_misses")];
  };
  assertEquals(await stats(o.redeno), await stats(o.redis));
});
