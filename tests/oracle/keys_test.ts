/**
 * Oracle tests of the generic keyspace commands: DEL, EXISTS, TYPE, KEYS,
 * SCAN, RANDOMKEY, RENAME, COPY, MOVE, SWAPDB, FLUSHDB, OBJECT, the EXPIRE
 * family, TTL, PERSIST. Replies must match Redis 7.0 byte for byte, except
 * where the order is unspecified (KEYS, SCAN) or the value depends on time.
 */
import { assert, assertEquals } from "@std/assert";
import { clock, type Oracle, oracleTest } from "../support/oracle.ts";
import {
  decode,
  type Decoded,
  parseInfo,
  type RespClient,
  scanAll,
} from "../support/resp_client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `args` on both servers (each on its own client) and returns the decoded replies. */
async function both(o: Oracle, ...args: string[]): Promise<[Decoded, Decoded]> {
  const [a, b] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  return [decode(a), decode(b)];
}

/** Complete SCANs on both servers must find the same keys. */
async function sameScan(o: Oracle, ...options: string[]): Promise<string[]> {
  const [mine, theirs] = await Promise.all([
    scanAll(o.redeno, options),
    scanAll(o.redis, options),
  ]);
  assertEquals(mine, theirs, `SCAN ${options.join(" ")}`);
  return theirs;
}

/** The value of `field` in INFO `section` (as a string), or undefined. */
async function infoField(client: RespClient, section: string, field: string) {
  const text = decode(await client.call("INFO", section));
  return typeof text === "string" ? parseInfo(text).get(field) : undefined;
}

oracleTest("oracle: DEL, UNLINK, EXISTS, TOUCH, TYPE, DBSIZE", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["HSET", "h", "f", "v"],
    ["EXISTS", "a"],
    ["EXISTS", "a", "a", "nokey", "b", "a"],
    ["EXISTS", "nokey"],
    ["TOUCH", "a", "a", "nokey", "h"],
    ["TYPE", "a"],
    ["TYPE", "h"],
    ["TYPE", "nokey"],
    ["DBSIZE"],
    ["DEL", "a", "a", "nokey"],
    ["DEL", "a"],
    ["UNLINK", "b", "h", "b", "zz"],
    ["DBSIZE"],
    ["SET", "k\x00\xff\r\n", "v"],
    ["EXISTS", "k\x00\xff\r\n"],
    ["TYPE", "k\x00\xff\r\n"],
    ["DEL", "k\x00\xff\r\n"],
    ["EXISTS", "k\x00\xff\r\n"],
    // Arity
    ["DEL"],
    ["UNLINK"],
    ["EXISTS"],
    ["TOUCH"],
    ["TYPE"],
    ["TYPE", "a", "b"],
    ["DBSIZE", "x"],
    ["del"],
  ]);
});

oracleTest("oracle: KEYS with patterns and binary keys", async (o) => {
  const names = [
    "foo",
    "foobar",
    "fo",
    "fxo",
    "f*o",
    "f?o",
    "f[o",
    "f\\o",
    "FOO",
    "hello world",
    "a:1",
    "a:2",
    "a:10",
    "b\x00c",
    "\xff\xfe",
    "\x80",
    "",
  ];
  for (const k of names) await o.same("SET", k, "v");
  await o.same("HSET", "hash:1", "f", "v");
  for (
    const pattern of [
      "*",
      "f*",
      "f?o",
      "f\\*o",
      "f\\?o",
      "f[xo]o",
      "f[^o]o",
      "f[a-z]o",
      "f[z-a]o",
      "a:[0-9]",
      "a:*",
      "*o*",
      "f[o",
      "f\\\\o",
      "FOO",
      "[\x80-\xff]*",
      "b\x00c",
      "b?c",
      "",
      "nomatch*",
      "h*:?",
      "*[",
      "\\",
    ]
  ) {
    await o.sameUnordered(["KEYS", pattern]);
  }
  await o.sameAll([["KEYS"], ["KEYS", "a", "b"]]);
});

oracleTest("oracle: SCAN full iterations, MATCH, COUNT, TYPE", async (o) => {
  const set = ["MSET"];
  for (let i = 0; i < 300; i++) set.push(`key:${i}`, String(i));
  await o.same(...set);
  for (let i = 0; i < 20; i++) await o.same("HSET", `h:${i}`, "f", "v");
  await o.same("SET", "bin\x00\xff", "x");
  await sameScan(o);
  await sameScan(o, "COUNT", "1");
  await sameScan(o, "COUNT", "7");
  await sameScan(o, "COUNT", "1000");
  await sameScan(o, "MATCH", "key:1*");
  await sameScan(o, "MATCH", "h:*", "COUNT", "3");
  await sameScan(o, "MATCH", "*", "COUNT", "50");
  await sameScan(o, "TYPE", "hash");
  await sameScan(o, "TYPE", "HASH");
  await sameScan(o, "TYPE", "string", "MATCH", "key:2?");
  await sameScan(o, "TYPE", "list");
  await sameScan(o, "TYPE", "nosuchtype");
  await sameScan(o, "MATCH", "bin\x00*");
  await sameScan(o, "count", "5", "match", "key:*0", "type", "string");
  // An empty database ends at once.
  await o.same("SELECT", "5");
  await o.same("SCAN", "0");
  await o.same("SCAN", "0", "MATCH", "x", "COUNT", "1000", "TYPE", "string");
  await o.same("SELECT", "0");
});

oracleTest("oracle: SCAN errors", async (o) => {
  await o.same("SET", "a", "1");
  await o.sameAll([
    ["SCAN"],
    ["SCAN", "abc"],
    ["SCAN", "1.5"],
    ["SCAN", " 0"],
    ["SCAN", "-"],
    ["SCAN", "18446744073709551616"],
    ["SCAN", "0", "COUNT"],
    ["SCAN", "0", "COUNT", "0"],
    ["SCAN", "0", "COUNT", "-1"],
    ["SCAN", "0", "COUNT", "abc"],
    ["SCAN", "0", "COUNT", "99999999999999999999"],
    ["SCAN", "0", "MATCH"],
    ["SCAN", "0", "TYPE"],
    ["SCAN", "0", "FOO", "bar"],
    ["SCAN", "0", "MATCH", "*", "COUNT"],
  ]);
  // Valid odd cursors are accepted (the reply's cursor is implementation specific).
  for (const cursor of ["", "+0", "-0", "00", "18446744073709551615"]) {
    const [mine, theirs] = await both(o, "SCAN", cursor);
    assert(Array.isArray(mine) && Array.isArray(theirs), `SCAN ${JSON.stringify(cursor)}`);
  }
});

oracleTest("oracle: SCAN and KEYS skip expired keys", async (o) => {
  await o.sameAll([
    ["SET", "live1", "v"],
    ["SET", "live2", "v"],
    ["SET", "gone1", "v", "PX", "30"],
    ["SET", "gone2", "v", "PX", "30"],
    ["HSET", "gone3", "f", "v"],
    ["PEXPIRE", "gone3", "30"],
  ]);
  await sleep(120);
  await o.sameUnordered(["KEYS", "*"]);
  await sameScan(o);
  await sameScan(o, "TYPE", "string");
  await sameScan(o, "TYPE", "hash");
  await o.sameAll([["EXISTS", "gone1", "gone2", "gone3"], ["DBSIZE"]]);
});

oracleTest("oracle: RANDOMKEY", async (o) => {
  await o.same("RANDOMKEY");
  await o.same("SET", "only", "1");
  await o.same("RANDOMKEY");
  await o.same("RANDOMKEY", "x");
  // Expired keys are never returned; an all-expired database gives nil.
  await o.same("SET", "tmp", "1", "PX", "20");
  await sleep(80);
  for (let i = 0; i < 10; i++) await o.same("RANDOMKEY");
  await o.same("DEL", "only");
  await o.same("SET", "tmp2", "1", "PX", "20");
  await sleep(80);
  await o.same("RANDOMKEY");
  // Many keys: the answer is one of them.
  for (let i = 0; i < 50; i++) await o.same("SET", `r${i}`, "v");
  for (let i = 0; i < 20; i++) {
    const [mine] = await both(o, "RANDOMKEY");
    assert(typeof mine === "string" && /^r\d+$/.test(mine), `RANDOMKEY gave ${mine}`);
  }
});

oracleTest("oracle: RENAME and RENAMENX", async (o) => {
  await o.sameAll([
    ["RENAME", "nokey", "x"],
    ["RENAME", "nokey", "nokey"],
    ["RENAMENX", "nokey", "x"],
    ["RENAMENX", "nokey", "nokey"],
    ["SET", "a", "1"],
    ["RENAME", "a", "a"],
    ["RENAMENX", "a", "a"],
    ["GET", "a"],
    ["EXPIRE", "a", "1000"],
    ["RENAME", "a", "b"],
    ["EXISTS", "a"],
    ["GET", "b"],
    clock("TTL", "b"),
    ["SET", "c", "3"],
    ["RENAMENX", "b", "c"],
    ["GET", "b"],
    ["GET", "c"],
    ["RENAME", "b", "c"],
    ["GET", "c"],
    clock("TTL", "c"),
    ["EXISTS", "b"],
    // The destination's expiry is replaced by the source's (here: none).
    ["SET", "d", "4"],
    ["EXPIRE", "c", "500"],
    ["RENAME", "d", "c"],
    clock("TTL", "c"),
    ["HSET", "h", "f", "v"],
    ["RENAMENX", "h", "h2"],
    ["HGET", "h2", "f"],
    ["TYPE", "h"],
    ["RENAME", "h2", "k\x00\xff"],
    ["HGETALL", "k\x00\xff"],
    ["RENAME", "a"],
    ["RENAME", "a", "b", "c"],
    ["RENAMENX", "a"],
  ]);
});

oracleTest("oracle: COPY within and across databases", async (o) => {
  await o.sameAll([
    ["SET", "a", "hello"],
    ["COPY", "a", "a"],
    ["COPY", "nokey", "nokey"],
    ["COPY", "a", "a", "DB", "0"],
    ["COPY", "a", "b", "DB", "abc"],
    ["COPY", "a", "b", "DB", "99"],
    ["COPY", "a", "b", "DB", "-1"],
    ["COPY", "a", "b", "DB", "2147483648"],
    ["COPY", "a", "b", "DB", "99999999999999999999"],
    ["COPY", "a", "b", "DB"],
    ["COPY", "a", "b", "foo"],
    ["COPY", "a", "b", "REPLACE", "foo"],
    ["COPY", "a", "a", "foo"],
    ["COPY", "a", "a", "DB", "abc"],
    ["COPY", "nokey", "b"],
    ["COPY", "a", "b"],
    ["GET", "b"],
    ["COPY", "a", "b"],
    ["SET", "a", "world"],
    ["COPY", "a", "b"],
    ["GET", "b"],
    ["COPY", "a", "b", "REPLACE"],
    ["GET", "b"],
    ["COPY", "a", "b", "replace", "REPLACE"],
    ["COPY", "a", "a", "DB", "1"],
    ["COPY", "a", "x", "DB", "1", "DB", "2"],
    ["EXISTS", "x"],
    ["SELECT", "1"],
    ["GET", "a"],
    ["EXISTS", "x"],
    ["SELECT", "2"],
    ["GET", "x"],
    ["SELECT", "0"],
    // The expiry travels with the copy.
    ["EXPIRE", "a", "1000"],
    ["COPY", "a", "t"],
    clock("TTL", "t"),
    ["COPY", "a", "t2", "DB", "3"],
    ["SELECT", "3"],
    clock("TTL", "t2"),
    ["SELECT", "0"],
    // A copy of a hash is independent of the original.
    ["HSET", "h", "f1", "v1", "f2", "v2"],
    ["COPY", "h", "h2"],
    ["HSET", "h2", "f3", "v3"],
    ["HDEL", "h", "f1"],
    ["HGETALL", "h"],
    ["HGETALL", "h2"],
    ["OBJECT", "ENCODING", "h2"],
    ["COPY", "h", "b", "REPLACE"],
    ["TYPE", "b"],
    ["COPY"],
    ["COPY", "a"],
  ]);
  await o.sameUnordered(["HGETALL", "h2"], true);
});

oracleTest("oracle: MOVE between databases", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["MOVE", "a", "0"],
    ["MOVE", "a", "99"],
    ["MOVE", "a", "16"],
    ["MOVE", "a", "-1"],
    ["MOVE", "a", "abc"],
    ["MOVE", "a", "2147483648"],
    ["MOVE", "a", "99999999999999999999"],
    ["MOVE", "nokey", "0"],
    ["MOVE", "nokey", "1"],
    ["EXPIRE", "a", "1000"],
    ["MOVE", "a", "1"],
    ["EXISTS", "a"],
    ["SELECT", "1"],
    ["GET", "a"],
    clock("TTL", "a"),
    ["SET", "b", "in1"],
    ["SELECT", "0"],
    ["SET", "b", "in0"],
    ["MOVE", "b", "1"],
    ["GET", "b"],
    ["SELECT", "1"],
    ["GET", "b"],
    ["HSET", "h", "f", "v"],
    ["MOVE", "h", "15"],
    ["SELECT", "15"],
    ["HGETALL", "h"],
    ["SELECT", "0"],
    ["MOVE", "a"],
    ["MOVE", "a", "1", "2"],
  ]);
});

oracleTest("oracle: SWAPDB", async (o) => {
  const [mine, theirs] = await o.connectPair();
  const other = async (...args: string[]) => {
    const [a, b] = await Promise.all([mine.call(...args), theirs.call(...args)]);
    assertEquals(a, b, `reply to ${JSON.stringify(args)} on the second connection`);
  };
  try {
    await other("SELECT", "1");
    await o.sameAll([
      ["SET", "zero", "0"],
      ["EXPIRE", "zero", "1000"],
      ["SWAPDB", "0", "abc"],
      ["SWAPDB", "abc", "0"],
      ["SWAPDB", "0", "99"],
      ["SWAPDB", "-1", "0"],
      ["SWAPDB", "0", "2147483648"],
      ["SWAPDB", "4294967296", "0"],
      ["SWAPDB", "0", "16"],
      ["SWAPDB", "0", "0"],
      ["GET", "zero"],
      ["SWAPDB", "0", "1"],
      ["GET", "zero"],
      ["DBSIZE"],
    ]);
    // A client that selected db 1 now sees the former db 0, expiry included.
    await other("GET", "zero");
    const [zeroTtl, zeroTtlRedis] = await Promise.all([
      mine.call("TTL", "zero"),
      theirs.call("TTL", "zero"),
    ]).then((r) => r.map(decode));
    // A relative expiry: within the seconds the test has taken, not byte for byte.
    const slack = Math.ceil((Date.now() - o.startedAt) / 1000) + 1;
    assert(typeof zeroTtl === "number" && typeof zeroTtlRedis === "number", "TTL zero");
    assert(Math.abs(zeroTtl - zeroTtlRedis) <= slack, `TTL zero: ${zeroTtl} vs ${zeroTtlRedis}`);
    await other("SET", "one", "1");
    await o.sameAll([
      ["SWAPDB", "1", "0"],
      ["GET", "zero"],
      ["GET", "one"],
      ["SWAPDB"],
      ["SWAPDB", "0"],
      ["SWAPDB", "0", "1", "2"],
    ]);
    await other("GET", "zero");
    await other("GET", "one");
  } finally {
    mine.close();
    theirs.close();
  }
});

oracleTest("oracle: FLUSHDB and FLUSHALL", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["SELECT", "1"],
    ["SET", "b", "2"],
    ["FLUSHDB"],
    ["DBSIZE"],
    ["SELECT", "0"],
    ["DBSIZE"],
    ["FLUSHDB", "foo"],
    ["FLUSHDB", "ASYNC", "SYNC"],
    ["FLUSHALL", "foo"],
    ["FLUSHALL", "async", "sync"],
    ["FLUSHDB", "sync"],
    ["DBSIZE"],
    ["SET", "a", "1"],
    ["SELECT", "2"],
    ["SET", "b", "2"],
    ["FLUSHALL", "ASYNC"],
    ["DBSIZE"],
    ["SELECT", "0"],
    ["DBSIZE"],
    ["SET", "c", "1"],
    ["FLUSHDB", "Async"],
    ["EXISTS", "c"],
    ["FLUSHALL", "SYNC"],
    ["FLUSHALL"],
  ]);
});

oracleTest("oracle: OBJECT ENCODING, REFCOUNT, HELP and errors", async (o) => {
  const strings = [
    "0",
    "1",
    "9999",
    "10000",
    "-1",
    "123456789",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "01",
    "-0",
    "+1",
    " 1",
    "1.5",
    "abc",
    "",
    "x".repeat(44),
    "x".repeat(45),
    "y".repeat(100),
    "\x00\xff",
  ];
  for (const s of strings) {
    await o.sameAll([
      ["SET", "s", s],
      ["OBJECT", "ENCODING", "s"],
      ["OBJECT", "REFCOUNT", "s"],
      ["COPY", "s", "s2", "REPLACE"],
      ["OBJECT", "ENCODING", "s2"],
    ]);
  }
  await o.sameAll([
    ["HSET", "h", "f", "v"],
    ["OBJECT", "ENCODING", "h"],
    ["OBJECT", "REFCOUNT", "h"],
    ["OBJECT", "ENCODING", "nokey"],
    ["OBJECT", "REFCOUNT", "nokey"],
    ["OBJECT", "IDLETIME", "nokey"],
    ["OBJECT", "FREQ", "nokey"],
    ["OBJECT", "FREQ", "h"],
    ["OBJECT", "HELP"],
    ["object", "help"],
    ["OBJECT", "HELP", "x"],
    ["OBJECT"],
    ["OBJECT", "foo"],
    ["OBJECT", "foo", "bar"],
    ["OBJECT", "ENCODING"],
    ["OBJECT", "ENCODING", "a", "b"],
    ["OBJECT", "REFCOUNT"],
    ["OBJECT", "IDLETIME"],
  ]);
  const fields = ["HSET", "big"];
  // Past hash-max-listpack-entries (128 in redis.conf, 512 in some builds).
  for (let i = 0; i < 600; i++) fields.push(`f${i}`, "v");
  await o.same(...fields);
  await o.same("OBJECT", "ENCODING", "big");
  // RESP3 null for a missing key.
  await both(o, "HELLO", "3");
  await o.same("OBJECT", "ENCODING", "nokey");
});

oracleTest("oracle: OBJECT IDLETIME", async (o) => {
  await o.same("SET", "k", "hello");
  await o.same("HSET", "h", "f", "v");
  /** The most idle seconds a key touched at `since` can show (the clock ticks in seconds). */
  const mostSince = (since: number) => Math.ceil((Date.now() - since) / 1000) + 1;
  for (const key of ["k", "h"]) {
    const [mine, theirs] = await both(o, "OBJECT", "IDLETIME", key);
    const most = mostSince(o.startedAt);
    assert(typeof mine === "number" && mine >= 0 && mine <= most, `redeno idletime ${mine}`);
    assert(typeof theirs === "number" && theirs <= most, `redis idletime ${theirs}`);
  }
  const slept = Date.now();
  await sleep(2100);
  // The access clock is the one the server's cron last read (as Redis's LRU
  // clock): on a loaded machine that tick can come late, so poll a little
  // for the reading that shows the 2 s rather than expect it at once.
  let [mine] = await both(o, "OBJECT", "IDLETIME", "k");
  for (let i = 0; i < 40 && !(typeof mine === "number" && mine >= 2); i++) {
    await sleep(50);
    [mine] = await both(o, "OBJECT", "IDLETIME", "k");
  }
  // At least the 2 s slept; at most the seconds since the key was set (the clock ticks in s).
  const most = mostSince(o.startedAt);
  assert(Date.now() - slept >= 2000, "slept at least 2 s");
  assert(typeof mine === "number" && mine >= 2 && mine <= most, `redeno idletime ${mine}`);
  // OBJECT, TYPE, TTL and EXISTS do not count as accesses; GET does.
  await both(o, "TYPE", "k");
  await both(o, "TTL", "k");
  await both(o, "EXISTS", "k");
  const [still] = await both(o, "OBJECT", "IDLETIME", "k");
  assert(typeof still === "number" && still >= 2, `redeno idletime after TYPE ${still}`);
  const read = Date.now();
  await o.same("GET", "k");
  const [after] = await both(o, "OBJECT", "IDLETIME", "k");
  assert(typeof after === "number" && after <= mostSince(read), `idletime after GET ${after}`);
});

oracleTest(
  "oracle: OBJECT FREQ under an LFU policy",
  async (o) => {
    await o.sameAll([
      ["SET", "k", "hello"],
      ["OBJECT", "FREQ", "k"],
      ["OBJECT", "IDLETIME", "k"],
      ["OBJECT", "IDLETIME", "nokey"],
      ["HSET", "h", "f", "v"],
      ["OBJECT", "FREQ", "h"],
      // The first access of a new key always raises its counter.
      ["GET", "k"],
      ["OBJECT", "FREQ", "k"],
    ]);
    // Overwriting keeps the counter, but SET's own lookup is an access that
    // raises it with probability 1/11 (in Redis too): 6 or 7 on each server.
    await o.same("SET", "k", "world");
    for (const freq of await both(o, "OBJECT", "FREQ", "k")) {
      assert(freq === 6 || freq === 7, `freq after an overwrite: ${freq}`);
    }
    // A copy is a new value.
    await o.sameAll([
      ["COPY", "k", "k2"],
      ["OBJECT", "FREQ", "k2"],
    ]);
    // Many accesses: a logarithmic counter, random in detail, well below 255.
    await o.redeno.pipeline(Array.from({ length: 1000 }, () => ["GET", "k"]));
    const [freq] = await both(o, "OBJECT", "FREQ", "k");
    assert(typeof freq === "number" && freq > 6 && freq < 40, `freq after 1000 GETs: ${freq}`);
  },
  { args: ["--maxmemory-policy", "allkeys-lfu"] },
);

oracleTest("oracle: EXPIRE family options and errors", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["EXPIRE", "a", "100", "NX", "XX"],
    ["EXPIRE", "a", "100", "GT", "LT"],
    ["EXPIRE", "a", "100", "NX", "GT"],
    ["EXPIRE", "a", "100", "LT", "NX"],
    ["EXPIRE", "a", "100", "XX", "NX"],
    ["EXPIRE", "a", "100", "foo"],
    ["EXPIRE", "a", "100", "NX", "foo\x00bar"],
    ["EXPIRE", "a", "abc", "foo"],
    ["EXPIRE", "a", "abc"],
    ["EXPIRE", "a", "1.5"],
    ["EXPIRE", "a", ""],
    ["EXPIRE", "nokey", "100", "NX", "XX"],
    ["EXPIRE", "nokey", "9223372036854775807"],
    ["EXPIRE", "a", "9223372036854775807"],
    ["EXPIRE", "a", "9223372036854775"],
    ["EXPIRE", "a", "-9223372036854775808"],
    ["EXPIRE", "a", "-9223372036854776"],
    ["EXPIRE", "a", "99999999999999999999"],
    ["PEXPIRE", "a", "9223372036854775807"],
    ["EXPIREAT", "a", "9223372036854776"],
    ["EXPIREAT", "a", "-9223372036854776"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "9223372036854"],
    clock("PEXPIRETIME", "a"),
    ["PERSIST", "a"],
    ["EXPIREAT", "a", "9223372036854775"],
    ["PEXPIRETIME", "a"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9223372036854775807"],
    ["PEXPIRETIME", "a"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9223372036854775499"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9223372036854775500"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9999999999499"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "9999999999500"],
    ["EXPIRETIME", "a"],
    ["EXPIREAT", "a", "4000000000"],
    ["EXPIRETIME", "a"],
    ["PEXPIRETIME", "a"],
    ["TTL", "nokey"],
    ["PTTL", "nokey"],
    ["EXPIRETIME", "nokey"],
    ["PEXPIRETIME", "nokey"],
    ["PERSIST", "nokey"],
    ["SET", "p", "1"],
    ["TTL", "p"],
    ["PTTL", "p"],
    ["EXPIRETIME", "p"],
    ["PEXPIRETIME", "p"],
    ["PERSIST", "p"],
    ["EXPIRE", "nokey", "100"],
    ["PEXPIRE", "nokey", "100"],
    ["EXPIREAT", "nokey", "100"],
    ["PEXPIREAT", "nokey", "100"],
    ["EXPIRE"],
    ["EXPIRE", "a"],
    ["PEXPIRE", "a"],
    ["EXPIREAT", "a"],
    ["PEXPIREAT", "a"],
    ["TTL"],
    ["TTL", "a", "b"],
    ["PTTL"],
    ["EXPIRETIME"],
    ["PEXPIRETIME", "a", "b"],
    ["PERSIST"],
    ["PERSIST", "a", "b"],
  ]);
});

oracleTest("oracle: EXPIRE NX, XX, GT, LT semantics", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    // No expiry counts as an infinite one.
    ["EXPIRE", "a", "100", "XX"],
    ["EXPIRE", "a", "100", "GT"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "100", "LT"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "200", "NX"],
    // (Equal times are avoided: which is later depends on the millisecond.)
    ["EXPIRE", "a", "50", "GT"],
    ["EXPIRE", "a", "200", "GT"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "300", "LT"],
    ["EXPIRE", "a", "150", "lt"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "120", "xx"],
    clock("TTL", "a"),
    ["EXPIRE", "a", "110", "XX", "GT"],
    ["EXPIRE", "a", "130", "XX", "GT"],
    ["EXPIRE", "a", "140", "XX", "LT", "LT"],
    ["EXPIRE", "a", "110", "XX", "LT", "LT"],
    clock("TTL", "a"),
    ["PEXPIRE", "a", "5000000", "GT"],
    clock("TTL", "a"),
    ["EXPIREAT", "a", "4000000000", "GT"],
    ["EXPIRETIME", "a"],
    ["PEXPIREAT", "a", "3999999999000", "LT"],
    ["PEXPIRETIME", "a"],
    // A time in the past deletes the key, unless a condition refuses.
    ["EXPIRE", "a", "-10", "GT"],
    ["EXISTS", "a"],
    ["EXPIRE", "a", "-10", "NX"],
    ["EXISTS", "a"],
    ["EXPIRE", "a", "-10", "LT"],
    ["EXISTS", "a"],
    ["SET", "b", "1"],
    ["EXPIRE", "b", "-1", "GT"],
    ["EXISTS", "b"],
    ["EXPIRE", "b", "0", "NX"],
    ["EXISTS", "b"],
    ["SET", "c", "1"],
    ["PEXPIRE", "c", "0"],
    ["EXISTS", "c"],
    ["SET", "d", "1"],
    ["EXPIREAT", "d", "1"],
    ["EXISTS", "d"],
    ["SET", "e", "1"],
    ["PEXPIREAT", "e", "-9223372036854775808"],
    ["EXISTS", "e"],
    ["SET", "f", "1"],
    ["PEXPIRE", "f", "-9223372036854775808"],
    ["EXISTS", "f"],
    // SET clears the expiry; PERSIST removes it.
    ["SET", "g", "1", "EX", "100"],
    clock("TTL", "g"),
    ["SET", "g", "2"],
    clock("TTL", "g"),
    ["EXPIRE", "g", "100"],
    ["PERSIST", "g"],
    ["PERSIST", "g"],
    clock("TTL", "g"),
    ["HSET", "h", "f", "v"],
    ["EXPIRE", "h", "100"],
    clock("TTL", "h"),
    ["EXPIRE", "k\x00\xff", "10"],
    ["SET", "k\x00\xff", "v"],
    ["EXPIRE", "k\x00\xff", "10"],
    clock("TTL", "k\x00\xff"),
  ]);
  // PTTL counts down from the requested time: by no more than the test has taken.
  const [mine, theirs] = await both(o, "PTTL", "h");
  const floor = 100000 - (Date.now() - o.startedAt);
  assert(typeof mine === "number" && mine >= floor && mine <= 100000, `redeno PTTL ${mine}`);
  assert(typeof theirs === "number" && theirs >= floor, `redis PTTL ${theirs}`);
});

oracleTest("oracle: keys expire after a short PX", async (o) => {
  // One write, so that a loaded machine's pause between round trips cannot
  // outlast the TTL before EXISTS runs.
  await o.samePipelined([
    ["SET", "s", "v", "PX", "300"],
    ["HSET", "h", "f", "v"],
    ["PEXPIRE", "h", "300"],
    ["SET", "keep", "v"],
    ["PEXPIRE", "keep", "100000"],
    ["EXISTS", "s", "h"],
  ]);
  await sleep(600);
  await o.sameAll([
    ["EXISTS", "s"],
    ["GET", "s"],
    ["TYPE", "h"],
    ["TTL", "s"],
    ["PTTL", "h"],
    ["EXPIRETIME", "s"],
    ["PERSIST", "s"],
    ["EXPIRE", "s", "10"],
    ["RENAME", "s", "x"],
    ["COPY", "h", "x"],
    ["MOVE", "h", "1"],
    ["OBJECT", "ENCODING", "s"],
    ["TOUCH", "s", "h", "keep"],
    ["DEL", "s", "h"],
    ["EXISTS", "keep"],
    ["DBSIZE"],
  ]);
  await o.sameUnordered(["KEYS", "*"]);
});

oracleTest("oracle: active expiry reclaims keys nobody touches", async (o) => {
  const sets = Array.from(
    { length: 500 },
    (_, i) => ["SET", `tmp:${i}`, "v", "PX", String(20 + (i % 50))],
  );
  for (const client of [o.redeno, o.redis]) await client.pipeline(sets);
  for (let db = 2; db < 4; db++) {
    await o.same("SELECT", String(db));
    for (let i = 0; i < 100; i++) await o.same("SET", `db${db}:${i}`, "v", "PX", "30");
  }
  await o.same("SELECT", "0");
  // Generous bound: only the outcome is checked, not how fast it comes.
  for (const client of [o.redeno, o.redis]) {
    let total = -1;
    for (let tries = 0; tries < 200 && total !== 0; tries++) {
      await sleep(100);
      total = 0;
      for (let db = 0; db < 4; db++) {
        await client.call("SELECT", String(db));
        total += decode(await client.call("DBSIZE")) as number;
      }
      await client.call("SELECT", "0");
    }
    assertEquals(total, 0, "keys left after active expiry");
  }
  assertEquals(
    await infoField(o.redeno, "stats", "expired_keys"),
    await infoField(o.redis, "stats", "expired_keys"),
  );
});

oracleTest("oracle: changes since last save count as in Redis", async (o) => {
  const changes = async () => {
    const [a, b] = await Promise.all([
      infoField(o.redeno, "persistence", "rdb_changes_since_last_save"),
      infoField(o.redis, "persistence", "rdb_changes_since_last_save"),
    ]);
    return [a, b];
  };
  const [start0, start1] = await changes();
  const base = [Number(start0), Number(start1)];
  const commands = [
    ["SET", "a", "1"],
    ["SET", "b", "2"],
    ["DEL", "a", "b", "c"],
    ["SET", "a", "1"],
    ["EXPIRE", "a", "100"],
    ["EXPIRE", "a", "100", "NX"],
    ["PERSIST", "a"],
    ["PERSIST", "a"],
    ["PEXPIRE", "a", "-1"],
    ["SET", "a", "1"],
    ["RENAME", "a", "b"],
    ["RENAME", "b", "b"],
    ["RENAMENX", "b", "b"],
    ["SET", "c", "1"],
    ["RENAMENX", "b", "c"],
    ["COPY", "b", "d"],
    ["COPY", "b", "d"],
    ["COPY", "b", "d", "REPLACE"],
    ["MOVE", "d", "1"],
    ["SWAPDB", "0", "1"],
    ["SWAPDB", "0", "0"],
    ["TOUCH", "b"],
    ["UNLINK", "d", "b", "c"],
    ["FLUSHDB"],
    ["SET", "x", "1"],
    ["FLUSHALL"],
    ["FLUSHALL"],
  ];
  for (const cmd of commands) {
    await o.same(...cmd);
    const [a, b] = await changes();
    assertEquals(Number(a) - base[0], Number(b) - base[1], `changes after ${cmd.join(" ")}`);
  }
});
