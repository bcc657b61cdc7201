import { assertEquals } from "@std/assert";
import { clock, type Oracle, oracleTest } from "../support/oracle.ts";

/** True when redeno knows `args[0]` (other groups may not be there yet). */
async function supports(o: Oracle, ...args: string[]): Promise<boolean> {
  const reply = await o.redeno.call(...args);
  return !reply.startsWith("-ERR unknown command");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a command to both servers without comparing (setup only). */
async function both(o: Oracle, ...args: string[]): Promise<void> {
  await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
}

oracleTest("oracle strings: seed examples", async (o) => {
  await o.sameAll([
    ["SET", "yourkey", "lost", "PX", "500ms"],
    ["GET", "yourkey"],
    ["SET", "mykey", "Hello"],
    ["GET", "mykey"],
    ["DEL", "mykey"],
    ["GET", "mykey"],
    ["MSET", "a", "1", "b", "2", "c", "3"],
    ["MGET", "a", "b", "nosuch", "c"],
    ["INCR", "a"],
    ["INCR", "a"],
    ["DECR", "b"],
    ["DECR", "nosuch"],
    ["GET", "nosuch"],
  ]);
});

oracleTest("oracle strings: SET options", async (o) => {
  await o.sameAll([
    ["SET", "k", "v"],
    ["SET", "k", "v2", "NX"],
    ["SET", "k", "v3", "XX"],
    ["GET", "k"],
    ["SET", "new", "v", "XX"],
    ["GET", "new"],
    ["SET", "new", "v", "nx"],
    ["SET", "new", "w", "GET"],
    ["SET", "missing", "w", "GET"],
    ["SET", "new", "x", "NX", "GET"],
    ["SET", "fresh", "x", "NX", "GET"],
    ["SET", "fresh", "y", "XX", "GET"],
    ["SET", "nope", "y", "XX", "GET"],
    ["SET", "k", "v", "NX", "NX"],
    ["SET", "k", "v", "XX", "XX"],
    ["SET", "k", "v", "NX", "XX"],
    ["SET", "k", "v", "XX", "NX"],
    ["SET", "k", "v", "XX", "GET", "NX"],
    ["SET", "k", "v", "GET", "GET"],
    ["SET", "k", "v", "KEEPTTL", "KEEPTTL"],
    ["SET", "k", "v", "EX", "10", "PX", "100"],
    ["SET", "k", "v", "EX", "10", "EX", "20"],
    ["SET", "k", "v", "PX", "10000", "PX", "20000"],
    ["SET", "k", "v", "KEEPTTL", "EX", "10"],
    ["SET", "k", "v", "EX", "10", "KEEPTTL"],
    ["SET", "k", "v", "EXAT", "9999999999", "PXAT", "9999999999000"],
    ["SET", "k", "v", "PERSIST"],
    ["SET", "k", "v", "EX"],
    ["SET", "k", "v", "PX"],
    ["SET", "k", "v", "EX", "abc"],
    ["SET", "k", "v", "EX", "1.5"],
    ["SET", "k", "v", "EX", " 1"],
    ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "EX", "-1"],
    ["SET", "k", "v", "PX", "0"],
    ["SET", "k", "v", "EXAT", "0"],
    ["SET", "k", "v", "PXAT", "-5"],
    ["SET", "k", "v", "EX", "9223372036854776"],
    ["SET", "k", "v", "EX", "9223372036854775808"],
    ["SET", "k", "v", "PX", "9223372036854775807"],
    ["SET", "k", "v", "EXAT", "9223372036854775"],
    ["SET", "k", "v", "EXAT", "9223372036854776"],
    ["SET", "k", "v", "PXAT", "9223372036854775807"],
    ["SET", "k", "v", "foo"],
    ["SET", "k", "v", "EX", "10", "foo"],
    ["SET", "k", "v", "ex", "abc", "foo"],
    // Options compare as C strings: the part after a NUL is ignored.
    ["SET", "k", "v", "NX\x00junk"],
    ["SET", "k", "v2", "GET\x00x"],
    ["SET", "k", "v3", "KEEPTTL\x00x"],
    ["SET", "k", "v4", "px\x00y", "100000"],
    ["SET", "k", "v5", "N"],
    ["SET", "k", "v5", "NXX"],
    ["GET", "k"],
    ["SET", "k"],
    ["SET"],
    ["set", "k", "lower", "nx"],
    ["sEt", "k", "mixed", "xX", "gEt"],
  ]);
});

oracleTest("oracle strings: TTL handling of SET, GETSET, SETEX, PSETEX", async (o) => {
  if (!(await supports(o, "TTL", "x"))) return; // TTL lives in the keys group
  await o.sameAll([
    ["SET", "k", "v", "EX", "100"],
    clock("TTL", "k"),
    ["SET", "k", "v2", "KEEPTTL"],
    clock("TTL", "k"),
    ["SET", "k", "v3"],
    clock("TTL", "k"),
    ["SET", "k", "v", "PX", "100000"],
    clock("TTL", "k"),
    ["SET", "k", "v", "EXAT", "9999999999"],
    ["EXPIRETIME", "k"],
    ["SET", "k", "v", "PXAT", "9999999999123"],
    ["PEXPIRETIME", "k"],
    ["SET", "k", "v", "XX", "KEEPTTL", "GET"],
    ["PEXPIRETIME", "k"],
    ["GETSET", "k", "new"],
    ["TTL", "k"],
    ["SETEX", "s", "100", "v"],
    clock("TTL", "s"),
    ["GET", "s"],
    ["PSETEX", "p", "100000", "v"],
    clock("TTL", "p"),
    ["SETEX", "s", "0", "v"],
    ["SETEX", "s", "-10", "v"],
    ["SETEX", "s", "abc", "v"],
    ["SETEX", "s", "9223372036854776", "v"],
    ["PSETEX", "p", "0", "v"],
    ["PSETEX", "p", "x", "v"],
    ["PSETEX", "p", "9223372036854775807", "v"],
    ["SETEX", "s", "10"],
    ["PSETEX", "p", "10", "v", "x"],
    clock("TTL", "s"),
    ["INCR", "s"],
    clock("TTL", "s"),
    ["APPEND", "s", "x"],
    clock("TTL", "s"),
    ["SETRANGE", "s", "0", "y"],
    clock("TTL", "s"),
    ["INCRBYFLOAT", "p", "1"],
    ["SET", "p", "1"],
    ["PEXPIRE", "p", "100000"],
    ["INCRBYFLOAT", "p", "1"],
    clock("TTL", "p"),
  ]);
});

oracleTest("oracle strings: expiry in the past and after a short wait", async (o) => {
  await o.sameAll([
    ["SET", "k", "v", "PXAT", "1"],
    ["GET", "k"],
    ["SET", "k", "v", "EXAT", "1", "GET"],
    ["SET", "k", "v", "PXAT", "1", "GET"],
    ["GET", "k"],
    ["SET", "k", "v", "PX", "30"],
    ["PSETEX", "p", "30", "v"],
    ["SET", "g", "v"],
    ["GETEX", "g", "PX", "30"],
    ["SET", "m", "v", "KEEPTTL", "PX", "30"],
  ]);
  await sleep(120);
  await o.sameAll([
    ["GET", "k"],
    ["GET", "p"],
    ["GETEX", "g"],
    ["MGET", "k", "p", "g", "m"],
    ["SET", "k", "again", "NX"],
    ["GET", "k"],
    ["APPEND", "p", "x"],
    ["INCR", "m"],
  ]);
});

oracleTest("oracle strings: GETEX, GETDEL, GETSET", async (o) => {
  await o.sameAll([
    ["GETEX", "missing"],
    ["GETEX", "missing", "EX", "abc"],
    ["GETEX", "missing", "EX", "0"],
    ["GETEX", "missing", "FOO"],
    ["SET", "k", "v"],
    ["GETEX", "k"],
    ["GETEX", "k", "EX", "100"],
    ["GETEX", "k", "PX", "100000"],
    ["GETEX", "k", "EXAT", "9999999999"],
    ["GETEX", "k", "PXAT", "9999999999000"],
    ["GETEX", "k", "PERSIST"],
    ["GETEX", "k", "persist", "PERSIST"],
    ["GETEX", "k", "EX", "10", "EX", "20"],
    ["GETEX", "k", "EX", "10", "PX", "20"],
    ["GETEX", "k", "PERSIST", "EX", "10"],
    ["GETEX", "k", "EX", "10", "PERSIST"],
    ["GETEX", "k", "KEEPTTL"],
    ["GETEX", "k", "NX"],
    ["GETEX", "k", "GET"],
    ["GETEX", "k", "EX"],
    ["GETEX", "k", "EX", "abc"],
    ["GETEX", "k", "EX", "0"],
    ["GETEX", "k", "PX", "-1"],
    ["GETEX", "k", "EX", "9223372036854776"],
    ["GETEX", "k", "PX", "9223372036854775807"],
    ["GETEX", "k", "EXAT", "9223372036854775"],
    ["GETEX", "k", "PERSIST\x00x"],
    ["GETEX", "k", "PXAT", "1"],
    ["GET", "k"],
    ["SET", "k", "v"],
    ["GETEX", "k", "EXAT", "1"],
    ["GETEX", "k"],
    ["GETEX"],
    ["GETDEL", "missing"],
    ["SET", "d", "val\x00ue"],
    ["GETDEL", "d"],
    ["GETDEL", "d"],
    ["GETDEL", "d", "x"],
    ["GETSET", "gs", "one"],
    ["GETSET", "gs", "two"],
    ["GET", "gs"],
    ["GETSET", "gs"],
  ]);
  if (await supports(o, "TTL", "x")) {
    await o.sameAll([
      ["SET", "t", "v", "EX", "100"],
      ["GETEX", "t", "PERSIST"],
      clock("TTL", "t"),
      ["GETEX", "t", "EX", "200"],
      clock("TTL", "t"),
      ["GETEX", "t"],
      clock("TTL", "t"),
    ]);
  }
});

oracleTest("oracle strings: SETNX, MSET, MSETNX, MGET", async (o) => {
  await o.sameAll([
    ["SETNX", "k", "1"],
    ["SETNX", "k", "2"],
    ["GET", "k"],
    ["SETNX", "k"],
    ["MSET", "a", "1", "b"],
    ["MSET", "a"],
    ["MSET", "a", "1", "b", "2", "a", "3"],
    ["MGET", "a", "b"],
    ["MSETNX", "a", "x", "z", "y"],
    ["MGET", "a", "z"],
    ["MSETNX", "x1", "1", "x2", "2"],
    ["MSETNX", "x3", "1", "x3", "2"],
    ["MGET", "x1", "x2", "x3"],
    ["MSETNX", "x1"],
    ["MSETNX", "x1", "1", "x2"],
    ["MGET"],
    ["MGET", "nosuch"],
    ["MGET", "a", "a", "a"],
  ]);
});

oracleTest("oracle strings: APPEND, STRLEN, GETRANGE, SUBSTR", async (o) => {
  await o.sameAll([
    ["APPEND", "k", "Hello"],
    ["APPEND", "k", " World"],
    ["GET", "k"],
    ["APPEND", "k", ""],
    ["STRLEN", "k"],
    ["STRLEN", "nosuch"],
    ["APPEND", "e", ""],
    ["GET", "e"],
    ["STRLEN", "e"],
    ["SET", "n", "123"],
    ["APPEND", "n", "4"],
    ["INCR", "n"],
    ["APPEND", "n", "x"],
    ["INCR", "n"],
    ["STRLEN", "n"],
    ["SET", "s", "This is a string"],
  ]);
  const idx = ["0", "1", "3", "-1", "-3", "-16", "-17", "-100", "15", "16", "100", "-0"];
  for (const a of idx) {
    for (const b of idx) await o.same("GETRANGE", "s", a, b);
  }
  await o.sameAll([
    ["GETRANGE", "s", "9223372036854775807", "9223372036854775807"],
    ["GETRANGE", "s", "-9223372036854775808", "9223372036854775807"],
    ["GETRANGE", "s", "-9223372036854775807", "-9223372036854775808"],
    ["GETRANGE", "s", "-9007199254740993", "-9007199254740994"],
    ["GETRANGE", "s", "-9007199254740994", "-9007199254740993"],
    ["GETRANGE", "s", "9007199254740993", "2"],
    ["GETRANGE", "s", "9223372036854775808", "2"],
    ["GETRANGE", "s", "0", "x"],
    ["GETRANGE", "s", "1.5", "2"],
    ["GETRANGE", "nosuch", "0", "-1"],
    ["GETRANGE", "nosuch", "x", "-1"],
    ["GETRANGE", "e", "0", "-1"],
    ["GETRANGE", "e", "-1", "0"],
    ["SET", "i", "-12345"],
    ["GETRANGE", "i", "1", "3"],
    ["GETRANGE", "i", "-2", "-1"],
    ["GETRANGE", "k", "2", "7"],
    ["GETRANGE", "s", "0"],
    ["SUBSTR", "s", "0", "3"],
    ["SUBSTR", "s", "-3", "-1"],
    ["SUBSTR", "s", "5", "1"],
    ["SUBSTR", "nosuch", "0", "1"],
    ["SUBSTR", "s", "a", "1"],
    ["SUBSTR", "s", "0"],
  ]);
});

oracleTest("oracle strings: SETRANGE", async (o) => {
  await o.sameAll([
    ["SET", "k", "Hello World"],
    ["SETRANGE", "k", "6", "Redis"],
    ["GET", "k"],
    ["SETRANGE", "k", "20", "!"],
    ["GET", "k"],
    ["STRLEN", "k"],
    ["SETRANGE", "k", "0", ""],
    ["SETRANGE", "k", "100", ""],
    ["SETRANGE", "new", "5", "x\x00\xff"],
    ["GET", "new"],
    ["SETRANGE", "empty", "0", ""],
    ["SETRANGE", "empty", "10", ""],
    ["GET", "empty"],
    ["SETRANGE", "k", "-1", "x"],
    ["SETRANGE", "k", "-1", ""],
    ["SETRANGE", "nosuch", "-1", ""],
    ["SETRANGE", "k", "x", "y"],
    ["SETRANGE", "k", "1.0", "y"],
    ["SETRANGE", "k", "9223372036854775808", "y"],
    ["SETRANGE", "k", "536870912", "x"],
    ["SETRANGE", "k", "536870911", "x"],
    ["SETRANGE", "k", "536870912", ""],
    ["SETRANGE", "nosuch", "536870912", "x"],
    ["SETRANGE", "nosuch", "9223372036854775807", "x"],
    ["SETRANGE", "nosuch", "536870912", ""],
    ["GET", "nosuch"],
    ["SET", "n", "12"],
    ["SETRANGE", "n", "0", "3"],
    ["INCR", "n"],
    ["SETRANGE", "n", "0", "a"],
    ["INCR", "n"],
    ["APPEND", "n", "more"],
    ["GET", "n"],
    ["SETRANGE", "n", "1"],
  ]);
});

oracleTest("oracle strings: size limit of APPEND and SETRANGE", async (o) => {
  // A 1mb limit keeps the values small (CONFIG lives in the server group).
  if ((await o.redeno.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")) !== "+OK\r\n") return;
  await o.redis.call("CONFIG", "SET", "proto-max-bulk-len", "1mb");
  const mb = 1024 * 1024;
  await o.sameAll([
    ["SETRANGE", "big", String(mb - 1000), "x"],
    ["STRLEN", "big"],
    ["APPEND", "big", "y".repeat(999)],
    ["APPEND", "big", "y"],
    ["APPEND", "big", ""],
    ["STRLEN", "big"],
    ["SETRANGE", "big", String(mb - 1), "z"],
    ["SETRANGE", "big", String(mb - 1), "zz"],
    ["SETRANGE", "big", String(mb), ""],
    ["SETRANGE", "new", String(mb), "z"],
    ["SETRANGE", "new", String(mb - 1), "z"],
    ["GETRANGE", "big", "-3", "-1"],
    ["SET", "s", "abc"],
    ["APPEND", "s", "y".repeat(mb - 2)],
    ["APPEND", "nosuch", "y".repeat(mb - 5)],
    ["APPEND", "nosuch", "y".repeat(6)],
    ["STRLEN", "nosuch"],
    // LCS's table limit follows the same setting.
    ["MSET", "l1", "a".repeat(600), "l2", "a".repeat(600)],
    ["LCS", "l1", "l2", "LEN"],
    ["MSET", "l1", "a".repeat(400), "l2", "a".repeat(400)],
    ["LCS", "l1", "l2", "LEN"],
  ]);
});

oracleTest("oracle strings: INCR, DECR, INCRBY, DECRBY", async (o) => {
  await o.sameAll([
    ["INCR", "n"],
    ["INCRBY", "n", "41"],
    ["DECRBY", "n", "50"],
    ["DECR", "n"],
    ["INCRBY", "n", "-9007199254740993"],
    ["INCRBY", "n", "9007199254741000"],
    ["INCRBY", "n", "9223372036854775807"],
    ["SET", "n", "9223372036854775806"],
    ["INCR", "n"],
    ["INCR", "n"],
    ["GET", "n"],
    ["INCRBY", "n", "-9223372036854775807"],
    ["SET", "n", "-9223372036854775807"],
    ["DECR", "n"],
    ["DECR", "n"],
    ["DECRBY", "n", "-1"],
    ["DECRBY", "n", "-9223372036854775808"],
    ["DECRBY", "n", "9223372036854775807"],
    ["INCRBY", "n", "-9223372036854775808"],
    ["SET", "n", "5"],
    ["DECRBY", "n", "-9223372036854775808"],
    ["INCRBY", "n", "9223372036854775808"],
    ["INCRBY", "n", "1.5"],
    ["INCRBY", "n", "+1"],
    ["INCRBY", "n", "01"],
    ["INCRBY", "n", ""],
    ["INCRBY", "n", "-0"],
    ["DECRBY", "n", "x"],
    ["GET", "n"],
  ]);
  for (
    const bad of ["abc", " 1", "1 ", "+1", "01", "1.0", "", "-", "9223372036854775808", "1\x00"]
  ) {
    await o.sameAll([["SET", "b", bad], ["INCR", "b"], ["DECR", "b"], ["INCRBY", "b", "1"]]);
  }
  await o.sameAll([
    ["SET", "z", "-0"],
    ["INCR", "z"],
    ["SET", "z", "0"],
    ["INCR", "z"],
    ["INCR"],
    ["INCRBY", "z"],
    ["DECR", "z", "1"],
  ]);
});

oracleTest("oracle strings: INCRBYFLOAT", async (o) => {
  const cases: [string | null, string][] = [
    [null, "10.5"],
    ["10.5", "0.1"],
    ["0.1", "0.2"],
    ["1e17", "1"],
    ["5.0e3", "2.0e2"],
    ["-0", "0"],
    ["0", "-0"],
    ["1", "-1"],
    ["3", "1.5"],
    ["10", "-5.5"],
    ["0", "0.000003814697265625"],
    ["0", "1e4000"],
    ["1.18e4932", "0"],
    ["1.19e4932", "0"],
    ["1e4932", "1e4932"],
    ["0", "1e-4940"],
    ["0", "1e-5000"],
    ["0", "0x1p3"],
    ["0", "0X1.8P1"],
    ["0x10", "0x.8"],
    ["0", "0x"],
    ["0", "0x1p"],
    ["0", "inf"],
    ["0", "-Infinity"],
    ["inf", "0"],
    ["0", "nan"],
    ["0", " 1"],
    ["0", "1 "],
    [" 1", "0"],
    ["0", "\t1"],
    ["0", "+5"],
    ["0", "."],
    ["0", "5."],
    ["0", ".5"],
    ["0", "1e"],
    ["0", "1e+"],
    ["0", ""],
    ["", "1"],
    ["0", "\x00"],
    ["0", "1.5\x00"],
    ["abc", "1"],
    ["0", "abc"],
    ["0", "-0.00000000000000000001"],
    ["3", "0.00000000000000000001"],
    ["1e300", "1"],
    ["9223372036854775807", "1"],
    ["18446744073709551617", "0"],
    ["123456789.123456789123456789", "0"],
    ["0", "-1.23e-7"],
    ["0", "1e99999999999999999999"],
    ["0", "0e999999999999"],
    ["0", "1.5e-17"],
    ["0", "2.5e-17"],
    ["0", "1" + "0".repeat(5118)],
    ["0", "1" + "0".repeat(5119)],
  ];
  for (const [start, incr] of cases) {
    if (start === null) await both(o, "DEL", "f");
    else await both(o, "SET", "f", start);
    await o.same("INCRBYFLOAT", "f", incr);
    await o.same("GET", "f");
  }
  await o.sameAll([
    ["SET", "f", "1"],
    ["INCRBYFLOAT", "f", "0.1"],
    ["INCRBYFLOAT", "f", "0.1"],
    ["INCRBYFLOAT", "f", "-0.2"],
    ["INCRBYFLOAT", "f", "1.5"],
    ["INCR", "f"],
    ["INCRBYFLOAT", "f"],
    ["INCRBYFLOAT", "f", "1", "2"],
  ]);
});

oracleTest("oracle strings: OBJECT ENCODING of string values", async (o) => {
  if (!(await supports(o, "OBJECT", "ENCODING", "x"))) return; // keys group
  const long = "x".repeat(45);
  const steps: string[][] = [
    ["SET", "int", "12345"],
    ["SET", "neg", "-12"],
    ["SET", "big", "12345678901234567890"],
    ["SET", "zero", "-0"],
    ["SET", "lead", "012"],
    ["SET", "emb", "x".repeat(44)],
    ["SET", "raw", long],
    ["MSET", "m1", "7", "m2", "seven"],
    ["SETNX", "nx", "7"],
    ["GETSET", "gs", "8"],
    ["SETEX", "se", "100", "9"],
    ["APPEND", "ap", "10"],
    ["APPEND", "ap2", "ab"],
    ["APPEND", "ap2", "c"],
    ["SET", "ap3", "1"],
    ["APPEND", "ap3", ""],
    ["SETRANGE", "sr", "0", "5"],
    ["SET", "sr2", "12"],
    ["SETRANGE", "sr2", "0", "3"],
    ["SET", "sr3", "12"],
    ["SETRANGE", "sr3", "0", ""],
    ["SET", "in", "abc"],
    ["SET", "in2", "10"],
    ["APPEND", "in2", "0"],
    ["INCR", "in2"],
    ["INCRBYFLOAT", "fl", "3"],
    ["INCRBYFLOAT", "fl2", "3.5"],
    ["INCRBYFLOAT", "fl3", "1e50"],
    ["SET", "fl4", "2"],
    ["INCRBYFLOAT", "fl4", "1"],
    ["INCR", "fl"],
    ["GETEX", "emb", "EX", "100"],
  ];
  await o.sameAll(steps);
  for (
    const key of [
      "int",
      "neg",
      "big",
      "zero",
      "lead",
      "emb",
      "raw",
      "m1",
      "m2",
      "nx",
      "gs",
      "se",
      "ap",
      "ap2",
      "ap3",
      "sr",
      "sr2",
      "sr3",
      "in",
      "in2",
      "fl",
      "fl2",
      "fl3",
      "fl4",
    ]
  ) {
    await o.same("OBJECT", "ENCODING", key);
  }
});

oracleTest("oracle strings: binary and big values", async (o) => {
  const bin = "\x00\xff\x01\r\n\x80abc\x00";
  const big = Array.from({ length: 300_000 }, (_, i) => String.fromCharCode((i * 7) & 0xff)).join(
    "",
  );
  await o.sameAll([
    ["SET", bin, bin],
    ["GET", bin],
    ["STRLEN", bin],
    ["APPEND", bin, bin],
    ["GET", bin],
    ["GETRANGE", bin, "1", "5"],
    ["SETRANGE", bin, "3", "\xff\x00"],
    ["GET", bin],
    ["MSET", "b1", "\xff", "b2", "\x00"],
    ["MGET", "b1", "b2"],
    ["SET", "big", big],
    ["GET", "big"],
    ["STRLEN", "big"],
    ["GETRANGE", "big", "1000", "200000"],
    ["APPEND", "big", big],
    ["STRLEN", "big"],
    ["SETRANGE", "big", "599990", bin + bin],
    ["GETRANGE", "big", "-30", "-1"],
    ["GETDEL", "big"],
  ]);
  // Many appends: the value must stay exact as it grows in place.
  let expected = "";
  for (let i = 0; i < 300; i++) {
    const piece = String.fromCharCode(i & 0xff).repeat(i % 17);
    expected += piece;
    await o.same("APPEND", "grow", piece);
  }
  const got = await o.same("GET", "grow");
  assertEquals(got, `$${expected.length}\r\n${expected}\r\n`);
  for (let i = 0; i < 300; i += 50) await o.same("SETRANGE", "grow", String(i * 3), "\x00\xff");
  await o.sameAll([["GETRANGE", "grow", "100", "400"], ["INCR", "grow"], ["LCS", "grow", bin]]);
});

oracleTest("oracle strings: LCS", async (o) => {
  await o.sameAll([
    ["MSET", "key1", "ohmytext", "key2", "mynewtext"],
    ["LCS", "key1", "key2"],
    ["LCS", "key1", "key2", "LEN"],
    ["LCS", "key1", "key2", "IDX"],
    ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"],
    ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
    ["LCS", "key1", "key2", "IDX", "WITHMATCHLEN"],
    ["LCS", "key1", "key2", "idx", "minmatchlen", "-5", "withmatchlen"],
    ["LCS", "key1", "key2", "WITHMATCHLEN"],
    ["LCS", "key1", "key2", "MINMATCHLEN", "2"],
    ["LCS", "key1", "key2", "LEN", "IDX"],
    ["LCS", "key1", "key2", "IDX", "LEN", "FOO"],
    ["LCS", "key1", "key2", "FOO"],
    ["LCS", "key1", "key2", "MINMATCHLEN"],
    ["LCS", "key1", "key2", "MINMATCHLEN", "x"],
    ["LCS", "key1", "key2", "MINMATCHLEN", "1.5", "LEN"],
    ["LCS", "key1", "key2", "LEN\x00x"],
    ["LCS", "key1", "nosuch"],
    ["LCS", "nosuch", "key2", "IDX"],
    ["LCS", "nosuch", "nosuch2", "LEN"],
    ["LCS", "key1", "key1", "IDX", "WITHMATCHLEN"],
    ["LCS", "key1"],
    ["MSET", "a", "ABCBDAB", "b", "BDCABA"],
    ["LCS", "a", "b"],
    ["LCS", "b", "a"],
    ["LCS", "a", "b", "IDX", "WITHMATCHLEN"],
    ["LCS", "b", "a", "IDX", "WITHMATCHLEN"],
    ["MSET", "x", "aaaa", "y", "aa"],
    ["LCS", "x", "y", "IDX"],
    ["LCS", "y", "x", "IDX"],
  ]);
  // Pseudo-random strings over a small alphabet exercise the walk back.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let n = 0; n < 25; n++) {
    const gen = (len: number) => Array.from({ length: len }, () => "abc\x00"[rnd() % 4]).join("");
    await both(o, "MSET", "r1", gen(rnd() % 40), "r2", gen(rnd() % 40));
    await o.same("LCS", "r1", "r2");
    await o.same("LCS", "r1", "r2", "IDX", "WITHMATCHLEN");
    await o.same("LCS", "r2", "r1", "IDX", "MINMATCHLEN", "2");
  }
  // The DP table would exceed proto-max-bulk-len (512mb by default).
  const side = "a".repeat(11600);
  await o.sameAll([["MSET", "l1", side, "l2", side], ["LCS", "l1", "l2", "LEN"]]);
});

oracleTest("oracle strings: wrong type", async (o) => {
  if (!(await supports(o, "HSET", "h", "f", "v"))) return; // hashes group
  await both(o, "HSET", "h", "f", "v");
  await o.sameAll([
    ["GET", "h"],
    ["SET", "h", "v", "GET"],
    ["SET", "h", "v", "NX", "GET"],
    ["GETSET", "h", "v"],
    ["GETDEL", "h"],
    ["GETEX", "h"],
    ["GETEX", "h", "EX", "0"],
    ["APPEND", "h", "x"],
    ["STRLEN", "h"],
    ["GETRANGE", "h", "0", "1"],
    ["GETRANGE", "h", "x", "1"],
    ["SUBSTR", "h", "0", "1"],
    ["SETRANGE", "h", "0", "x"],
    ["SETRANGE", "h", "0", ""],
    ["SETRANGE", "h", "-1", "x"],
    ["INCR", "h"],
    ["DECR", "h"],
    ["INCRBY", "h", "1"],
    ["INCRBY", "h", "x"],
    ["DECRBY", "h", "1"],
    ["INCRBYFLOAT", "h", "1"],
    ["INCRBYFLOAT", "h", "x"],
    ["LCS", "h", "nosuch"],
    ["LCS", "nosuch", "h", "FOO"],
    ["MSET", "s", "1"],
    ["MGET", "s", "h", "nosuch"],
    ["SETNX", "h", "v"],
    ["MSETNX", "h", "v", "new", "v"],
    ["EXISTS", "new"],
    ["SET", "h", "v", "XX"],
    ["GET", "h"],
  ]);
});

oracleTest("oracle strings: RESP3 replies", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    if ((await a.call("HELLO", "3")).startsWith("-ERR unknown command")) return; // TODO: HELLO
    await b.call("HELLO", "3");
    const cmds = [
      ["MSET", "key1", "ohmytext", "key2", "mynewtext"],
      ["LCS", "key1", "key2", "IDX", "WITHMATCHLEN"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "3"],
      ["GET", "nosuch"],
      ["SET", "nosuch", "v", "XX"],
      ["SET", "x", "v", "GET"],
      ["MGET", "x", "nosuch"],
      ["GETEX", "nosuch"],
      ["GETDEL", "nosuch"],
      ["INCRBYFLOAT", "f", "1.5"],
      ["GETRANGE", "nosuch", "0", "-1"],
    ];
    for (const cmd of cmds) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(mine, theirs, `RESP3 reply to ${JSON.stringify(cmd)}`);
    }
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle strings: changes counted like server.dirty", async (o) => {
  const field = async (c: typeof o.redis) => {
    const info = await c.call("INFO", "persistence");
    return /rdb_changes_since_last_save:(\d+)/.exec(info)?.[1];
  };
  if ((await field(o.redeno)) === undefined) return; // INFO lives in the server group
  const base = [Number(await field(o.redeno)), Number(await field(o.redis))];
  await o.sameAll([
    ["SET", "a", "1"],
    ["SET", "a", "1", "NX"],
    ["SET", "b", "1", "XX"],
    ["MSET", "a", "1", "b", "2", "c", "3"],
    ["MSETNX", "a", "1"],
    ["MSETNX", "d", "1", "e", "2"],
    ["INCR", "a"],
    ["INCR", "nosuch-str", "x"],
    ["INCRBY", "a", "x"],
    ["INCRBYFLOAT", "a", "1.5"],
    ["APPEND", "a", ""],
    ["SETRANGE", "a", "0", ""],
    ["SETRANGE", "a", "0", "9"],
    ["SETRANGE", "zz", "0", ""],
    ["GETDEL", "a"],
    ["GETDEL", "a"],
    ["GETSET", "g", "1"],
    ["GETEX", "g"],
    ["GETEX", "g", "PERSIST"],
    ["GETEX", "g", "EX", "100"],
    ["GETEX", "g", "PERSIST"],
    ["GETEX", "g", "PXAT", "1"],
    ["SETNX", "g", "1"],
    ["SETNX", "g", "1"],
    ["SETEX", "s", "100", "1"],
    ["PSETEX", "s", "100000", "1"],
    ["GET", "s"],
    ["LCS", "s", "g"],
  ]);
  const now = [Number(await field(o.redeno)), Number(await field(o.redis))];
  assertEquals(now[0] - base[0], now[1] - base[1], "changes since last save");
});

oracleTest("oracle strings: arity errors", async (o) => {
  await o.sameAll([
    ["GET"],
    ["GET", "a", "b"],
    ["SET", "a"],
    ["GETSET", "a"],
    ["GETDEL"],
    ["GETEX"],
    ["SETNX", "a"],
    ["SETEX", "a", "1"],
    ["PSETEX", "a", "1"],
    ["MSET", "a"],
    ["MSETNX", "a"],
    ["MGET"],
    ["APPEND", "a"],
    ["STRLEN"],
    ["GETRANGE", "a", "1"],
    ["SETRANGE", "a", "1"],
    ["SUBSTR", "a"],
    ["INCR"],
    ["DECR", "a", "b"],
    ["INCRBY", "a"],
    ["DECRBY", "a"],
    ["INCRBYFLOAT", "a"],
    ["LCS", "a"],
  ]);
});
