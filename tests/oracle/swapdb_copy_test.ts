/**
 * COPY (DB, REPLACE) for every value type, with deep copies that never share
 * state with their source, and SWAPDB serving clients blocked on keys the
 * swap brings in — against redis-server.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { encodeCommand, parseInfo, type RespClient } from "../support/resp_client.ts";

/** One key of every type and encoding, built by the same commands on both servers. */
const FIXTURES: string[][] = [
  ["SET", "str", "hello"],
  ["SET", "int", "12345"],
  ["SETBIT", "bits", "100", "1"],
  ["PFADD", "hll", "a", "b", "c"],
  ["RPUSH", "list", "a", "b", "c"],
  ["HSET", "hash", "f1", "v1", "f2", "v2"],
  ["SADD", "intset", "1", "2", "3"],
  ["SADD", "set", "a", "b", "c"],
  ["ZADD", "zset", "1", "a", "2", "b"],
  ["GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["XADD", "stream", "1-1", "f", "v"],
  ["XADD", "stream", "2-1", "f", "v2"],
  ["XGROUP", "CREATE", "stream", "g", "0"],
  ["XGROUP", "CREATECONSUMER", "stream", "g", "alice"],
];

/** Large encodings: hashtable, quicklist, skiplist. */
function bigFixtures(): string[][] {
  const out: string[][] = [];
  const members = Array.from({ length: 600 }, (_, i) => `m${i}`);
  out.push(["RPUSH", "biglist", ...members]);
  out.push(["SADD", "bigset", ...members]);
  out.push(["HSET", "bighash", ...members.flatMap((m) => [m, m])]);
  out.push(["ZADD", "bigzset", ...members.flatMap((m, i) => [String(i), m])]);
  return out;
}

/** What a key holds, read by the commands of its type. */
function readers(key: string): string[][] {
  return [
    ["TYPE", key],
    ["OBJECT", "ENCODING", key],
    ["GET", key],
    ["LRANGE", key, "0", "-1"],
    ["HGETALL", key],
    ["SMEMBERS", key],
    ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    ["XRANGE", key, "-", "+"],
    ["XINFO", "GROUPS", key],
    ["XINFO", "CONSUMERS", key, "g"],
    ["PFCOUNT", key],
  ];
}

async function sameReads(o: Oracle, key: string): Promise<void> {
  for (const cmd of readers(key)) {
    const unordered = cmd[0] === "SMEMBERS" || cmd[0] === "HGETALL";
    if (cmd[1] === "CONSUMERS") {
      // Consumers' idle times are clock readings: compare the rest.
      const mask = (raw: string) => raw.replace(/idle\r\n:\d+/g, "idle\r\n:N");
      const [mine, theirs] = await Promise.all([o.redeno.call(...cmd), o.redis.call(...cmd)]);
      assertEquals(mask(mine), mask(theirs), cmd.join(" "));
    } else if (unordered) await o.sameUnordered(cmd, cmd[0] === "HGETALL");
    else await o.same(...cmd);
  }
}

oracleTest("oracle: COPY every type, within and across databases, deep", async (o) => {
  await o.sameAll([...FIXTURES, ...bigFixtures()]);
  const keys = [
    ...new Set([...FIXTURES, ...bigFixtures()].map((c) => c[c[0] === "XGROUP" ? 2 : 1])),
  ].filter((k) => k !== "GROUP");
  for (const key of keys) {
    await o.sameAll([
      ["COPY", key, `${key}:copy`],
      ["COPY", key, `${key}:copy`],
      ["COPY", key, key, "DB", "2"],
      ["COPY", key, "str", "DB", "2"],
      ["COPY", key, `${key}:copy`, "REPLACE"],
    ]);
    await sameReads(o, `${key}:copy`);
  }
  // Changing a source leaves its copies alone (and the other way round).
  await o.sameAll([
    ["APPEND", "str", "!"],
    ["SETBIT", "bits", "3", "1"],
    ["PFADD", "hll", "d", "e"],
    ["RPUSH", "list", "d"],
    ["LPOP", "biglist:copy"],
    ["HSET", "hash", "f3", "v3"],
    ["HDEL", "bighash", "m1"],
    ["SADD", "intset", "4"],
    ["SREM", "set:copy", "a"],
    ["ZINCRBY", "zset", "5", "a"],
    ["ZREM", "bigzset:copy", "m5"],
    ["GEOADD", "geo", "0", "0", "Null"],
    ["XADD", "stream", "3-1", "f", "v3"],
    ["XGROUP", "CREATECONSUMER", "stream:copy", "g", "bob"],
    ["XGROUP", "SETID", "stream", "g", "2-1"],
  ]);
  for (const key of keys) {
    await sameReads(o, key);
    await sameReads(o, `${key}:copy`);
  }
  await o.sameAll([["SELECT", "2"]]);
  for (const key of keys) await sameReads(o, key);
  await o.sameAll([["SELECT", "0"]]);
  // The TTL goes with the copy.
  await o.sameAll([
    ["SET", "ttl", "v", "EX", "1000"],
    ["COPY", "ttl", "ttl2", "DB", "1"],
    ["SELECT", "1"],
    ["EXISTS", "ttl2"],
    ["SELECT", "0"],
  ]);
});

async function blockedClients(c: RespClient): Promise<number> {
  const info = parseInfo((await c.value("INFO", "clients")) as string);
  return Number(info.get("blocked_clients"));
}

/** Waits until `n` clients are blocked on both servers. */
async function waitBlocked(o: Oracle, n: number): Promise<void> {
  for (const c of [o.redeno, o.redis]) {
    for (let tries = 0; (await blockedClients(c)) !== n; tries++) {
      if (tries > 4000) throw new Error(`never saw ${n} blocked clients`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

oracleTest("oracle: SWAPDB serves clients blocked on keys it brings in", async (o) => {
  const waiters: [RespClient, RespClient][] = [];
  try {
    const blockers: string[][] = [
      ["BLPOP", "l", "0"],
      ["BZPOPMIN", "z", "0"],
      ["BLMOVE", "m", "dst", "LEFT", "RIGHT", "0"],
      ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
      // A list waiter whose key arrives as a string: it keeps waiting until its timeout.
      ["BLPOP", "wrong", "0.5"],
    ];
    for (const cmd of blockers) {
      const pair = await o.connectPair();
      waiters.push(pair);
      await Promise.all(pair.map((c) => c.send(encodeCommand(cmd))));
    }
    await waitBlocked(o, blockers.length);
    await o.sameAll([
      ["SELECT", "1"],
      ["RPUSH", "l", "a", "b"],
      ["ZADD", "z", "1", "one", "2", "two"],
      ["RPUSH", "m", "x"],
      ["XADD", "s", "5-1", "f", "v"],
      ["SET", "wrong", "string"],
      ["SWAPDB", "0", "1"],
    ]);
    for (let i = 0; i < blockers.length; i++) {
      const [a, b] = waiters[i];
      const [mine, theirs] = await Promise.all([a.reply(), b.reply()]);
      assertEquals(mine, theirs, `reply to ${blockers[i].join(" ")}`);
    }
    await o.sameAll([
      ["SELECT", "0"],
      ["LRANGE", "l", "0", "-1"],
      ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
      ["LRANGE", "dst", "0", "-1"],
      ["EXISTS", "m"],
      ["XLEN", "s"],
      ["GET", "wrong"],
      ["SELECT", "1"],
      ["DBSIZE"],
      ["SELECT", "0"],
    ]);
    // Swapping back and forth with nothing to serve leaves waiters blocked.
    const [a, b] = waiters[0];
    await Promise.all([a, b].map((c) => c.send(encodeCommand(["BLPOP", "none", "0"]))));
    await waitBlocked(o, 1);
    await o.sameAll([["SWAPDB", "0", "1"], ["SWAPDB", "1", "0"], ["SWAPDB", "3", "3"]]);
    await waitBlocked(o, 1);
    await o.sameAll([["RPUSH", "none", "finally"]]);
    const [mine, theirs] = await Promise.all([a.reply(), b.reply()]);
    assertEquals(mine, theirs);
  } finally {
    for (const [a, b] of waiters) {
      a.close();
      b.close();
    }
  }
});
