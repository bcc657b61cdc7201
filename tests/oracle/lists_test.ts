import { clock, type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";

/** Nodes of at most 4 entries, so a few elements cross node boundaries. */
const SMALL_NODES = { args: ["--list-max-listpack-size", "4"] };

const NOT_LIST = ["SET", "str", "v"];

async function rpushMany(o: Oracle, key: string, n: number, prefix = "e"): Promise<void> {
  for (let from = 0; from < n; from += 500) {
    const args = ["RPUSH", key];
    for (let i = from; i < Math.min(n, from + 500); i++) args.push(`${prefix}${i % 7}-${i}`);
    await o.same(...args);
  }
}

oracleTest("oracle: LPUSH, RPUSH, LPUSHX, RPUSHX, LLEN, LRANGE", async (o) => {
  await o.sameAll([
    ["LPUSH", "l", "a"],
    ["LPUSH", "l", "b", "c"],
    ["RPUSH", "l", "x", "y", "z"],
    ["LRANGE", "l", "0", "-1"],
    ["LLEN", "l"],
    ["LLEN", "nokey"],
    ["LPUSHX", "nokey", "a"],
    ["RPUSHX", "nokey", "a", "b"],
    ["EXISTS", "nokey"],
    ["LPUSHX", "l", "p1", "p2"],
    ["RPUSHX", "l", "r1"],
    ["LRANGE", "l", "0", "-1"],
    ["LPUSH", "l"],
    ["RPUSH"],
    ["LPUSHX", "l"],
    ["RPUSHX", "l"],
    ["LLEN"],
    ["LLEN", "l", "x"],
    ["RPUSH", "e", ""],
    ["LRANGE", "e", "0", "-1"],
    ["LLEN", "e"],
    NOT_LIST,
    ["LPUSH", "str", "a"],
    ["RPUSH", "str", "a"],
    ["LPUSHX", "str", "a"],
    ["RPUSHX", "str", "a"],
    ["LLEN", "str"],
    ["TYPE", "l"],
    ["OBJECT", "ENCODING", "l"],
  ]);
});

oracleTest("oracle: LRANGE indexes, negative, out of range, huge", async (o) => {
  await o.same("RPUSH", "l", "0", "1", "2", "3", "4", "5", "6");
  const idx = [
    "0",
    "1",
    "3",
    "6",
    "7",
    "100",
    "-1",
    "-2",
    "-7",
    "-8",
    "-100",
    "9223372036854775807",
    "-9223372036854775808",
  ];
  for (const a of idx) {
    for (const b of idx) await o.same("LRANGE", "l", a, b);
  }
  await o.sameAll([
    ["LRANGE", "nokey", "0", "-1"],
    ["LRANGE", "nokey", "x", "1"],
    ["LRANGE", "l", "x", "1"],
    ["LRANGE", "l", "0", "1.5"],
    ["LRANGE", "l", "0", "9223372036854775808"],
    ["LRANGE", "l", " 1", "2"],
    ["LRANGE", "l", "+1", "2"],
    ["LRANGE", "l", "01", "2"],
    ["LRANGE", "l", "-0", "2"],
    ["LRANGE", "l", "0"],
    NOT_LIST,
    ["LRANGE", "str", "0", "-1"],
    ["LRANGE", "str", "x", "-1"],
  ]);
});

oracleTest("oracle: LPOP and RPOP, with and without count", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "a", "b", "c", "d", "e"],
    ["LPOP", "l"],
    ["RPOP", "l"],
    ["LPOP", "l", "0"],
    ["RPOP", "l", "0"],
    ["LPOP", "l", "1"],
    ["RPOP", "l", "-1"],
    ["LPOP", "l", "x"],
    ["LPOP", "l", "1.0"],
    ["LPOP", "l", "9223372036854775808"],
    ["LPOP", "l", "1", "2"],
    ["RPOP", "l", "1", "2", "3"],
    ["LPOP"],
    ["LRANGE", "l", "0", "-1"],
    ["RPOP", "l", "9223372036854775807"],
    ["EXISTS", "l"],
    ["LPOP", "l"],
    ["RPOP", "l"],
    ["LPOP", "l", "0"],
    ["RPOP", "l", "3"],
    ["LPOP", "l", "-3"],
    ["RPUSH", "l", "only"],
    ["LPOP", "l"],
    ["EXISTS", "l"],
    ["RPUSH", "l", "x", "y"],
    ["LPOP", "l", "5"],
    ["EXISTS", "l"],
    NOT_LIST,
    ["LPOP", "str"],
    ["RPOP", "str", "2"],
    ["LPOP", "str", "0"],
    ["LPOP", "str", "-1"],
  ]);
});

oracleTest("oracle: LINDEX and LSET", async (o) => {
  await o.same("RPUSH", "l", "a", "b", "c", "d");
  for (const i of ["0", "1", "3", "4", "-1", "-4", "-5", "100", "-9223372036854775808", "x"]) {
    await o.same("LINDEX", "l", i);
  }
  await o.sameAll([
    ["LINDEX", "nokey", "0"],
    ["LINDEX", "nokey", "x"],
    ["LSET", "l", "0", "A"],
    ["LSET", "l", "-1", "D"],
    ["LSET", "l", "2", "C"],
    ["LSET", "l", "4", "E"],
    ["LSET", "l", "-5", "E"],
    ["LSET", "l", "x", "E"],
    ["LSET", "l", "9223372036854775807", "E"],
    ["LSET", "nokey", "0", "v"],
    ["LSET", "nokey", "x", "v"],
    ["LRANGE", "l", "0", "-1"],
    ["LSET", "l", "1", ""],
    ["LINDEX", "l", "1"],
    ["LSET", "l", "1", "x".repeat(20000)],
    ["LINDEX", "l", "1"],
    ["LRANGE", "l", "0", "-1"],
    ["LINDEX", "l"],
    ["LSET", "l", "1"],
    NOT_LIST,
    ["LINDEX", "str", "0"],
    ["LINDEX", "str", "x"],
    ["LSET", "str", "0", "v"],
    ["LSET", "str", "x", "v"],
  ]);
});

oracleTest("oracle: LINSERT", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "a", "b", "c", "b"],
    ["LINSERT", "l", "BEFORE", "b", "x"],
    ["LINSERT", "l", "after", "b", "y"],
    ["LINSERT", "l", "AFTER", "c", "z"],
    ["LINSERT", "l", "before", "a", "first"],
    ["LINSERT", "l", "after", "b", "again"],
    ["LINSERT", "l", "AFTER", "nope", "v"],
    ["LINSERT", "l", "MIDDLE", "a", "v"],
    ["LINSERT", "nokey", "MIDDLE", "a", "v"],
    ["LINSERT", "nokey", "BEFORE", "a", "v"],
    ["EXISTS", "nokey"],
    ["LRANGE", "l", "0", "-1"],
    ["LINSERT", "l", "BEFORE", "a"],
    NOT_LIST,
    ["LINSERT", "str", "BEFORE", "a", "v"],
    ["LINSERT", "str", "MIDDLE", "a", "v"],
  ]);
});

oracleTest("oracle: LREM", async (o) => {
  const fill = ["RPUSH", "l", "a", "b", "a", "c", "a", "b", "a"];
  await o.sameAll([
    fill,
    ["LREM", "l", "2", "a"],
    ["LRANGE", "l", "0", "-1"],
    ["LREM", "l", "-1", "a"],
    ["LRANGE", "l", "0", "-1"],
    ["LREM", "l", "0", "b"],
    ["LRANGE", "l", "0", "-1"],
    ["LREM", "l", "0", "nope"],
    ["LREM", "l", "0", "a"],
    ["LREM", "l", "0", "c"],
    ["EXISTS", "l"],
    fill,
    ["LREM", "l", "-100", "a"],
    ["LRANGE", "l", "0", "-1"],
    ["LREM", "l", "9223372036854775807", "b"],
    ["LREM", "l", "-9223372036854775808", "c"],
    ["EXISTS", "l"],
    ["LREM", "nokey", "0", "a"],
    ["LREM", "nokey", "x", "a"],
    ["LREM", "l", "x", "a"],
    ["LREM", "l", "0"],
    NOT_LIST,
    ["LREM", "str", "0", "a"],
    ["LREM", "str", "x", "a"],
  ]);
});

oracleTest("oracle: LTRIM", async (o) => {
  const idx = ["0", "1", "3", "6", "7", "-1", "-3", "-7", "-8", "100", "-100"];
  for (const a of idx) {
    for (const b of idx) {
      await o.same("DEL", "l");
      await o.same("RPUSH", "l", "0", "1", "2", "3", "4", "5", "6");
      await o.same("LTRIM", "l", a, b);
      await o.same("LRANGE", "l", "0", "-1");
      await o.same("EXISTS", "l");
    }
  }
  await o.sameAll([
    ["LTRIM", "nokey", "0", "1"],
    ["LTRIM", "nokey", "x", "1"],
    ["RPUSH", "l", "a"],
    ["LTRIM", "l", "0", "x"],
    ["LTRIM", "l", "0"],
    ["LTRIM", "l", "-9223372036854775808", "9223372036854775807"],
    ["LRANGE", "l", "0", "-1"],
    NOT_LIST,
    ["LTRIM", "str", "0", "1"],
    ["LTRIM", "str", "x", "1"],
  ]);
});

oracleTest("oracle: LPOS with RANK, COUNT, MAXLEN", async (o) => {
  await o.same("RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c", "a");
  const opts = [
    [],
    ["RANK", "1"],
    ["RANK", "2"],
    ["RANK", "3"],
    ["RANK", "4"],
    ["RANK", "-1"],
    ["RANK", "-2"],
    ["RANK", "-4"],
    ["COUNT", "0"],
    ["COUNT", "1"],
    ["COUNT", "2"],
    ["COUNT", "100"],
    ["MAXLEN", "0"],
    ["MAXLEN", "1"],
    ["MAXLEN", "3"],
    ["MAXLEN", "8"],
    ["RANK", "2", "COUNT", "0"],
    ["RANK", "-2", "COUNT", "2"],
    ["RANK", "-1", "COUNT", "0", "MAXLEN", "2"],
    ["COUNT", "0", "MAXLEN", "7"],
    ["rank", "1", "count", "1", "maxlen", "1"],
    ["RANK", "1", "RANK", "2"],
    ["RANK", "9223372036854775807"],
    ["RANK", "-9223372036854775807", "COUNT", "1"],
    ["RANK", "-9223372036854775808"],
    ["RANK", "-9223372036854775808", "COUNT", "1"],
    ["RANK", "-9223372036854775808", "COUNT", "0", "MAXLEN", "3"],
    ["COUNT", "9223372036854775807"],
    ["MAXLEN", "9223372036854775807"],
  ];
  for (const el of ["a", "c", "3", "zz"]) {
    for (const opt of opts) await o.same("LPOS", "l", el, ...opt);
  }
  await o.sameAll([
    ["LPOS", "nokey", "a"],
    ["LPOS", "nokey", "a", "COUNT", "0"],
    ["LPOS", "nokey", "a", "RANK", "0"],
    ["LPOS", "l", "a", "RANK", "0"],
    ["LPOS", "l", "a", "RANK", "x"],
    ["LPOS", "l", "a", "RANK", "9223372036854775808"],
    ["LPOS", "l", "a", "COUNT", "-1"],
    ["LPOS", "l", "a", "COUNT", "x"],
    ["LPOS", "l", "a", "MAXLEN", "-1"],
    ["LPOS", "l", "a", "MAXLEN", "x"],
    ["LPOS", "l", "a", "RANK"],
    ["LPOS", "l", "a", "COUNT"],
    ["LPOS", "l", "a", "MAXLEN"],
    ["LPOS", "l", "a", "FOO", "1"],
    ["LPOS", "l", "a", "1"],
    ["LPOS", "l"],
    NOT_LIST,
    ["LPOS", "str", "a"],
    ["LPOS", "str", "a", "COUNT", "1"],
    ["LPOS", "str", "a", "RANK", "0"],
    ["LPOS", "str", "a", "FOO"],
  ]);
});

oracleTest("oracle: LMOVE and RPOPLPUSH", async (o) => {
  const sides = ["LEFT", "RIGHT"];
  for (const from of sides) {
    for (const to of sides) {
      await o.same("DEL", "src", "dst");
      await o.same("RPUSH", "src", "a", "b", "c");
      await o.same("RPUSH", "dst", "x", "y");
      await o.same("LMOVE", "src", "dst", from, to);
      await o.same("LMOVE", "src", "fresh", from.toLowerCase(), to.toLowerCase());
      await o.same("LMOVE", "src", "src", from, to);
      await o.same("LRANGE", "src", "0", "-1");
      await o.same("LRANGE", "dst", "0", "-1");
      await o.same("LRANGE", "fresh", "0", "-1");
      await o.same("LMOVE", "src", "dst", from, to);
      await o.same("EXISTS", "src");
      await o.same("DEL", "fresh");
    }
  }
  await o.sameAll([
    ["RPUSH", "one", "v"],
    ["LMOVE", "one", "one", "LEFT", "RIGHT"],
    ["LRANGE", "one", "0", "-1"],
    ["RPOPLPUSH", "one", "one"],
    ["RPOPLPUSH", "one", "other"],
    ["EXISTS", "one"],
    ["LRANGE", "other", "0", "-1"],
    ["RPOPLPUSH", "nokey", "other"],
    ["LMOVE", "nokey", "other", "LEFT", "LEFT"],
    ["LMOVE", "other", "x", "MIDDLE", "LEFT"],
    ["LMOVE", "other", "x", "LEFT", "UP"],
    ["LMOVE", "nokey", "x", "LEFT", "UP"],
    NOT_LIST,
    ["LMOVE", "str", "other", "LEFT", "LEFT"],
    ["LMOVE", "other", "str", "LEFT", "LEFT"],
    ["LMOVE", "nokey", "str", "LEFT", "LEFT"],
    ["RPOPLPUSH", "str", "other"],
    ["RPOPLPUSH", "other", "str"],
    ["RPOPLPUSH", "nokey", "str"],
    ["LRANGE", "other", "0", "-1"],
    ["LMOVE", "other", "x", "LEFT"],
    ["RPOPLPUSH", "other"],
  ]);
});

oracleTest("oracle: LMPOP", async (o) => {
  await o.sameAll([
    ["RPUSH", "l1", "a", "b", "c"],
    ["RPUSH", "l2", "x", "y"],
    ["LMPOP", "2", "nokey", "l1", "LEFT"],
    ["LMPOP", "2", "nokey", "l1", "right", "COUNT", "1"],
    ["LMPOP", "3", "nokey", "l1", "l2", "RIGHT", "count", "10"],
    ["EXISTS", "l1"],
    ["LMPOP", "2", "l1", "l2", "LEFT", "COUNT", "9223372036854775807"],
    ["EXISTS", "l2"],
    ["LMPOP", "2", "l1", "l2", "LEFT"],
    ["LMPOP", "1", "nokey", "LEFT", "COUNT", "5"],
    ["LMPOP", "0", "l1", "LEFT"],
    ["LMPOP", "-1", "l1", "LEFT"],
    ["LMPOP", "x", "l1", "LEFT"],
    ["LMPOP", "9223372036854775808", "l1", "LEFT"],
    ["LMPOP", "9223372036854775807", "l1", "LEFT"],
    ["LMPOP", "3", "l1", "LEFT"],
    ["LMPOP", "2", "l1", "LEFT"],
    ["LMPOP", "1", "l1", "MIDDLE"],
    ["LMPOP", "1", "l1", "LEFT", "COUNT"],
    ["LMPOP", "1", "l1", "LEFT", "COUNT", "0"],
    ["LMPOP", "1", "l1", "LEFT", "COUNT", "-1"],
    ["LMPOP", "1", "l1", "LEFT", "COUNT", "x"],
    ["LMPOP", "1", "l1", "LEFT", "COUNT", "1", "COUNT", "1"],
    ["LMPOP", "1", "l1", "LEFT", "FOO"],
    ["LMPOP", "1", "l1"],
    ["LMPOP", "1"],
    NOT_LIST,
    ["RPUSH", "l3", "v"],
    ["LMPOP", "2", "str", "l3", "LEFT"],
    ["LMPOP", "2", "l3", "str", "LEFT"],
    ["LMPOP", "2", "nokey", "str", "LEFT"],
    ["LMPOP", "1", "str", "LEFT", "COUNT", "0"],
    ["EXISTS", "l3"],
  ]);
});

oracleTest("oracle: COMMAND GETKEYS and COMMAND INFO for list commands", async (o) => {
  await o.sameAll([
    ["COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "3", "a", "b", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "4", "a", "b", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "0", "a", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "x", "a", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "1x", "a", "LEFT"],
    ["COMMAND", "GETKEYS", "LMPOP", "1", "a"],
    ["COMMAND", "GETKEYS", "LMOVE", "a", "b", "LEFT", "RIGHT"],
    ["COMMAND", "GETKEYS", "RPOPLPUSH", "a", "b"],
    ["COMMAND", "GETKEYS", "LPUSH", "a", "b", "c"],
    ["COMMAND", "GETKEYS", "LPOS", "a", "b"],
    ["COMMAND", "GETKEYS", "LLEN", "k"],
  ]);
  for (
    const name of [
      "lpush",
      "rpush",
      "lpushx",
      "rpushx",
      "lpop",
      "rpop",
      "llen",
      "lindex",
      "linsert",
      "lset",
      "lrange",
      "lrem",
      "ltrim",
      "lpos",
      "rpoplpush",
      "lmove",
      "lmpop",
    ]
  ) {
    await o.same("COMMAND", "INFO", name);
  }
  await o.sameAll([
    ["COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"],
    ["COMMAND", "GETKEYSANDFLAGS", "LMPOP", "2", "a", "b", "LEFT"],
    ["COMMAND", "GETKEYSANDFLAGS", "LPOP", "a"],
    ["COMMAND", "GETKEYSANDFLAGS", "LLEN", "a"],
  ]);
});

oracleTest("oracle: binary elements with every byte value", async (o) => {
  const all: string[] = [];
  for (let b = 0; b < 256; b++) all.push(String.fromCharCode(b));
  const blob = all.join("");
  await o.same("RPUSH", "bin", ...all);
  await o.same("LPUSH", "bin", blob, blob + blob, "\r\n", "\0");
  await o.sameAll([
    ["LRANGE", "bin", "0", "-1"],
    ["LLEN", "bin"],
    ["LINDEX", "bin", "2"],
    ["LPOS", "bin", "\0", "COUNT", "0"],
    ["LPOS", "bin", blob],
    ["LREM", "bin", "0", "\xff"],
    ["LINSERT", "bin", "BEFORE", "\x80", blob],
    ["LSET", "bin", "-1", "\x00\x01\xfe\xff"],
    ["LRANGE", "bin", "-5", "-1"],
    ["LPOP", "bin", "3"],
    ["RPOP", "bin", "3"],
    ["LMOVE", "bin", "\xff\x00key", "RIGHT", "LEFT"],
    ["LRANGE", "\xff\x00key", "0", "-1"],
    ["LMPOP", "1", "\xff\x00key", "LEFT"],
  ]);
  // Long elements (varint lengths of 2 and 3 bytes).
  for (const n of [127, 128, 129, 16383, 16384, 70000]) {
    await o.same("RPUSH", "long", "y".repeat(n));
    await o.same("LPUSH", "long", "z".repeat(n));
  }
  await o.sameAll([
    ["LRANGE", "long", "0", "-1"],
    ["LINDEX", "long", "5"],
    ["LINDEX", "long", "-3"],
    ["RPOP", "long", "2"],
    ["LPOP", "long", "2"],
    ["LRANGE", "long", "0", "-1"],
  ]);
});

oracleTest("oracle: RESP3 replies of list commands", async (o) => {
  // Connection ids differ: switch both without comparing HELLO's reply.
  await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  await o.sameAll([
    ["RPUSH", "l", "a", "b", "c", "a"],
    ["LPOP", "nokey"],
    ["LPOP", "nokey", "2"],
    ["LPOP", "nokey", "0"],
    ["RPOP", "l", "0"],
    ["RPOP", "l", "1"],
    ["LINDEX", "l", "10"],
    ["LINDEX", "nokey", "0"],
    ["LRANGE", "l", "0", "-1"],
    ["LRANGE", "l", "5", "10"],
    ["LPOS", "l", "a"],
    ["LPOS", "l", "zz"],
    ["LPOS", "l", "a", "COUNT", "0"],
    ["LPOS", "nokey", "a"],
    ["LPOS", "nokey", "a", "COUNT", "0"],
    ["LMOVE", "nokey", "l", "LEFT", "LEFT"],
    ["RPOPLPUSH", "nokey", "l"],
    ["LMPOP", "1", "nokey", "LEFT"],
    ["LMPOP", "2", "nokey", "l", "LEFT", "COUNT", "2"],
    ["LINSERT", "l", "BEFORE", "zz", "v"],
    ["LSET", "l", "0", "v"],
    ["LTRIM", "l", "0", "0"],
    ["LRANGE", "l", "0", "-1"],
  ]);
});

oracleTest("oracle: TYPE, OBJECT ENCODING, COPY, RENAME, DEL on a list", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "a", "b", "c"],
    ["TYPE", "l"],
    ["OBJECT", "ENCODING", "l"],
    ["COPY", "l", "l2"],
    ["RPUSH", "l2", "d"],
    ["LRANGE", "l", "0", "-1"],
    ["LRANGE", "l2", "0", "-1"],
    ["COPY", "l", "l2"],
    ["COPY", "l", "l2", "REPLACE"],
    ["LRANGE", "l2", "0", "-1"],
    ["RENAME", "l2", "l3"],
    ["LRANGE", "l3", "0", "-1"],
    ["EXISTS", "l2"],
    ["TYPE", "l3"],
    ["DEL", "l", "l3"],
    ["TYPE", "l"],
    ["RPUSH", "l", "x"],
    ["EXPIRE", "l", "100"],
    ["LPOP", "l"],
    clock("TTL", "l"),
    ["RPUSH", "l", "x"],
    clock("TTL", "l"),
  ]);
});

oracleTest("oracle: large lists across node boundaries", async (o) => {
  await rpushMany(o, "big", 2000);
  await o.same("LPUSH", "big", ...Array.from({ length: 300 }, (_, i) => `L${i}`));
  await o.sameAll([
    ["LLEN", "big"],
    ["OBJECT", "ENCODING", "big"],
    ["LRANGE", "big", "0", "-1"],
    ["LRANGE", "big", "295", "310"],
    ["LRANGE", "big", "-10", "-1"],
    ["LRANGE", "big", "1000", "1003"],
    ["LINDEX", "big", "0"],
    ["LINDEX", "big", "1001"],
    ["LINDEX", "big", "-1"],
    ["LINDEX", "big", "-1300"],
    ["LSET", "big", "1001", "set-middle"],
    ["LSET", "big", "-2", "set-end"],
    ["LINSERT", "big", "BEFORE", "e3-1000", "ins1"],
    ["LINSERT", "big", "AFTER", "e3-1000", "ins2"],
    ["LRANGE", "big", "1295", "1305"],
    ["LPOS", "big", "e2-1500"],
    ["LPOS", "big", "e2-1500", "RANK", "-1"],
    ["LPOS", "big", "e5-5", "COUNT", "0"],
    ["LREM", "big", "3", "L7"],
    ["LREM", "big", "-2", "ins2"],
    ["LRANGE", "big", "0", "20"],
    ["LPOP", "big", "250"],
    ["RPOP", "big", "250"],
    ["LLEN", "big"],
    ["LTRIM", "big", "100", "-100"],
    ["LLEN", "big"],
    ["LRANGE", "big", "0", "-1"],
    ["LMPOP", "1", "big", "RIGHT", "COUNT", "77"],
    ["LMOVE", "big", "big", "LEFT", "RIGHT"],
    ["LRANGE", "big", "-3", "-1"],
    ["COPY", "big", "big2"],
    ["LRANGE", "big2", "0", "-1"],
  ]);
  // LREM of a value spread across many nodes.
  await o.same("DEL", "r");
  await rpushMany(o, "r", 1000);
  for (let i = 0; i < 1000; i += 3) await o.same("LSET", "r", String(i), "dup");
  await o.sameAll([
    ["LREM", "r", "0", "dup"],
    ["LLEN", "r"],
    ["LRANGE", "r", "0", "-1"],
    ["LTRIM", "r", "5", "5"],
    ["LRANGE", "r", "0", "-1"],
    ["LTRIM", "r", "1", "0"],
    ["EXISTS", "r"],
  ]);
}, SMALL_NODES);

oracleTest("oracle: seeded random list operations against Redis", async (o) => {
  const rand = prng(20261123);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const keys = ["a", "b"];
  const vals = ["x", "y", "z", "", "long-" + "q".repeat(40)];
  const idx = () => String(Math.floor(rand() * 30) - 15);
  const side = () => pick(["LEFT", "RIGHT"]);
  const ops: (() => string[])[] = [
    () => ["RPUSH", pick(keys), pick(vals), pick(vals)],
    () => ["LPUSH", pick(keys), pick(vals)],
    () => ["LPUSHX", pick(keys), pick(vals)],
    () => ["LPOP", pick(keys)],
    () => ["RPOP", pick(keys), String(Math.floor(rand() * 4))],
    () => ["LINSERT", pick(keys), pick(["BEFORE", "AFTER"]), pick(vals), pick(vals)],
    () => ["LSET", pick(keys), idx(), pick(vals)],
    () => ["LREM", pick(keys), idx(), pick(vals)],
    () => ["LTRIM", pick(keys), idx(), idx()],
    () => ["LMOVE", pick(keys), pick(keys), side(), side()],
    () => [
      "LMPOP",
      "2",
      pick(keys),
      pick(keys),
      side(),
      "COUNT",
      String(1 + Math.floor(rand() * 3)),
    ],
    () => ["LRANGE", pick(keys), idx(), idx()],
    () => ["LINDEX", pick(keys), idx()],
    () => ["LPOS", pick(keys), pick(vals), "RANK", pick(["1", "-1", "2"]), "COUNT", "0"],
  ];
  for (let i = 0; i < 1500; i++) {
    await o.same(...pick(ops)());
    if (i % 100 === 99) { for (const k of keys) await o.same("LRANGE", k, "0", "-1"); }
  }
}, SMALL_NODES);
