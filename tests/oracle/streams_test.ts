/**
 * Stream commands against Redis 7.0.15: XADD, XRANGE, XREVRANGE, XLEN, XDEL,
 * XTRIM, XSETID, XREAD (with BLOCK), TYPE and OBJECT ENCODING. IDs are
 * explicit wherever replies are compared byte for byte; IDs made by `*`
 * depend on each server's clock, so only their shape is compared.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, encodeCommand, parseInfo, RespClient } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";

const MAX = "18446744073709551615";

oracleTest("oracle: XADD with explicit IDs, XRANGE, XREVRANGE, XLEN, TYPE", async (o) => {
  await o.sameAll([
    ["XADD", "s", "1-1", "name", "alice", "age", "30"],
    ["XADD", "s", "1-2", "name", "bob", "age", "31"],
    ["XADD", "s", "2-0", "other", "x"],
    ["XADD", "s", "2", "a", "1"],
    ["XADD", "s", "2-*", "a", "2"],
    ["XADD", "s", "3-*", "a", "3"],
    ["XADD", "s", "3-*", "a", "4"],
    ["XADD", "s", "1-*", "a", "4"],
    ["XLEN", "s"],
    ["XLEN", "nokey"],
    ["TYPE", "s"],
    ["OBJECT", "ENCODING", "s"],
    ["XRANGE", "s", "-", "+"],
    ["XRANGE", "s", "1", "2"],
    ["XRANGE", "s", "1-2", "3-0"],
    ["XRANGE", "s", "(1-1", "(3-1"],
    ["XRANGE", "s", "(1", "+"],
    ["XRANGE", "s", "-", "+", "COUNT", "2"],
    ["XRANGE", "s", "-", "+", "COUNT", "0"],
    ["XRANGE", "s", "-", "+", "COUNT", "-3"],
    ["XRANGE", "s", "-", "+", "count", "2", "COUNT", "3"],
    ["XRANGE", "s", "-", "+", "COUNT"],
    ["XRANGE", "s", "-", "+", "COUNT", "x"],
    ["XRANGE", "s", "-", "+", "LIMIT", "1"],
    ["XRANGE", "s", "3", "1"],
    ["XRANGE", "nokey", "-", "+"],
    ["XRANGE", "nokey", "-", "+", "COUNT", "0"],
    ["XREVRANGE", "s", "+", "-"],
    ["XREVRANGE", "s", "+", "-", "COUNT", "3"],
    ["XREVRANGE", "s", "3", "(1-2"],
    ["XREVRANGE", "s", "(3-1", "-"],
    ["XREVRANGE", "s", "-", "+"],
    ["XRANGE", "s", "(-", "+"],
    ["XRANGE", "s", "(+", "+"],
    ["XRANGE", "s", "(", "+"],
    ["XRANGE", "s", `(${MAX}-${MAX}`, "+"],
    ["XRANGE", "s", "-", "(0-0"],
    ["XRANGE", "s", "-", "(0"],
    ["XREVRANGE", "s", "(0-0", "-"],
    ["XRANGE", "s", "abc", "+"],
    ["XRANGE", "s", "-", "1-x"],
    ["XRANGE", "s", "1-2-3", "+"],
    ["XRANGE", "s", "+1", "+"],
    ["XRANGE", "s", " 1", "+"],
    ["XRANGE", "s", "-0", "+"],
    ["XRANGE", "s", "-1", "+"],
    ["XRANGE", "s", "01-01", "+"],
    ["XRANGE", "s", "1-", "+"],
    ["XRANGE", "s", "18446744073709551616", "+"],
    ["XRANGE", "s", "x".repeat(200), "+"],
  ]);
});

oracleTest("oracle: XADD ID rules and errors", async (o) => {
  await o.sameAll([
    ["XADD", "s", "0-0", "a", "1"],
    ["XADD", "s", "0", "a", "1"],
    ["EXISTS", "s"],
    ["XADD", "s", "0-*", "a", "1"],
    ["XADD", "s", "0-*", "a", "1"],
    ["XADD", "s", "0-1", "a", "1"],
    ["XADD", "s", "0-2", "a", "1"],
    ["XADD", "s", "5-5", "a", "1"],
    ["XADD", "s", "5-5", "a", "1"],
    ["XADD", "s", "5-4", "a", "1"],
    ["XADD", "s", "4-*", "a", "1"],
    ["XADD", "s", "5-*", "a", "1"],
    ["XADD", "s", "-", "a", "1"],
    ["XADD", "s", "+", "a", "1"],
    ["XADD", "s", "x-1", "a", "1"],
    ["XADD", "s", "6-*x", "a", "1"],
    ["XADD", "s", "*-1", "a", "1"],
    ["XADD", "s", "6-0"],
    ["XADD", "s", "6-0", "a"],
    ["XADD", "s", "6-0", "a", "1", "b"],
    ["XADD", "s", `${MAX}-${MAX}`, "a", "1"],
    ["XADD", "s", `${MAX}-*`, "a", "1"],
    ["XADD", "s", "7-0", "a", "1"],
    ["XADD", "s", "*", "a", "1"],
    ["XLEN", "s"],
    ["XADD", "t", `${MAX}-18446744073709551614`, "a", "1"],
    ["XADD", "t", `${MAX}-*`, "a", "1"],
    ["XADD", "t", `${MAX}-*`, "a", "1"],
    ["XRANGE", "t", "-", "+"],
    ["XADD", "u", `5-${MAX}`, "a", "1"],
    ["XADD", "u", "5-*", "a", "1"],
    ["XADD", "u", "6-*", "a", "1"],
    ["SET", "str", "x"],
    ["XADD", "str", "1-1", "a", "1"],
    ["XRANGE", "str", "-", "+"],
    ["XLEN", "str"],
    ["XADD", "n", "NOMKSTREAM", "1-1", "a", "1"],
    ["EXISTS", "n"],
    ["XADD", "s", "NOMKSTREAM", "8-0", "a", "1"],
    ["XADD", "s", "nomkstream", "MAXLEN", "2", "9-0", "a", "1"],
    ["XRANGE", "s", "-", "+"],
    ["XADD", "s"],
    ["XADD", "s", "10-0"],
    ["XADD", "s", "10-0", "a"],
    ["XADD", "s", "MAXLEN", "10-0", "a", "1"],
  ]);
});

oracleTest("oracle: XADD / XTRIM trimming options and errors", async (o) => {
  const cmds: string[][] = [];
  for (let i = 1; i <= 300; i++) cmds.push(["XADD", "s", `${i}-0`, "f", String(i)]);
  await o.sameAll(cmds);
  await o.sameAll([
    ["XTRIM", "s", "MAXLEN", "~", "250"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "250"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "=", "240"],
    ["XRANGE", "s", "-", "+", "COUNT", "2"],
    ["XTRIM", "s", "MINID", "~", "105"],
    ["XTRIM", "s", "MINID", "105"],
    ["XTRIM", "s", "MINID", "=", "110-0"],
    ["XTRIM", "s", "MINID", "~", "150", "LIMIT", "10"],
    ["XTRIM", "s", "MINID", "~", "150", "LIMIT", "100"],
    ["XTRIM", "s", "MINID", "~", "150", "LIMIT", "0"],
    ["XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "30"],
    ["XLEN", "s"],
    ["XTRIM", "s", "MAXLEN", "10", "LIMIT", "30"],
    ["XTRIM", "s", "LIMIT", "30", "MAXLEN", "10"],
    ["XTRIM", "s", "MAXLEN", "1", "MINID", "1"],
    ["XTRIM", "s", "MAXLEN", "-1"],
    ["XTRIM", "s", "MAXLEN", "~", "-1"],
    ["XTRIM", "s", "MAXLEN", "x"],
    ["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "-1"],
    ["XTRIM", "s", "MAXLEN", "~", "1", "LIMIT", "x"],
    ["XTRIM", "s", "MINID", "+"],
    ["XTRIM", "s", "MINID", "-"],
    ["XTRIM", "s", "MINID", "x"],
    ["XTRIM", "s", "FOO", "1"],
    ["XTRIM", "s", "LIMIT", "5", "X"],
    ["XTRIM", "s", "LIMIT", "0", "LIMIT", "0"],
    ["XTRIM", "s", "MAXLEN", "~"],
    ["XTRIM", "s", "MAXLEN", "="],
    ["XTRIM", "nokey", "MAXLEN", "0"],
    ["XTRIM", "nokey", "MAXLEN", "x"],
    ["SET", "str", "x"],
    ["XTRIM", "str", "MAXLEN", "0"],
    ["XADD", "s", "MAXLEN", "~", "5", "LIMIT", "0", "1000-0", "f", "x"],
    ["XLEN", "s"],
    ["XADD", "s", "MAXLEN", "5", "LIMIT", "10", "1001-0", "f", "x"],
    ["XADD", "s", "LIMIT", "10", "1001-0", "f", "x"],
    ["XADD", "s", "MAXLEN", "-5", "1001-0", "f", "x"],
    ["XADD", "s", "MINID", "~", "x", "1001-0", "f", "x"],
    ["XADD", "s", "MAXLEN", "3", "MINID", "3", "1001-0", "f", "x"],
    ["XADD", "s", "MAXLEN", "3", "1001-0", "f", "x"],
    ["XRANGE", "s", "-", "+"],
    ["XADD", "s", "MINID", "1001", "1002-0", "f", "x"],
    ["XRANGE", "s", "-", "+"],
    ["XADD", "s", "MAXLEN", "0", "1003-0", "f", "x"],
    ["XLEN", "s"],
    ["EXISTS", "s"],
    ["XRANGE", "s", "-", "+"],
    ["XTRIM", "s", "MAXLEN", "0"],
  ]);
});

oracleTest("oracle: XDEL, XSETID, empty streams", async (o) => {
  const cmds: string[][] = [];
  for (let i = 1; i <= 20; i++) cmds.push(["XADD", "s", `${i}-0`, "f", String(i)]);
  await o.sameAll(cmds);
  await o.sameAll([
    ["XDEL", "s", "1-0", "3-0", "3-0", "99-0"],
    ["XDEL", "s", "5", "x"],
    ["XDEL", "s", "5"],
    ["XDEL", "s", "-"],
    ["XDEL", "nokey", "x"],
    ["XDEL", "nokey", "1-0"],
    ["XLEN", "s"],
    ["XRANGE", "s", "-", "+", "COUNT", "3"],
    ["XSETID", "s", "19-0"],
    ["XSETID", "s", "20-0"],
    ["XSETID", "s", "25-0"],
    ["XADD", "s", "25-0", "f", "x"],
    ["XADD", "s", "25-1", "f", "x"],
    ["XSETID", "s", "25-1", "ENTRIESADDED", "1"],
    ["XSETID", "s", "25-1", "ENTRIESADDED", "100"],
    ["XSETID", "s", "25-1", "ENTRIESADDED", "-1"],
    ["XSETID", "s", "25-1", "ENTRIESADDED", "x"],
    ["XSETID", "s", "25-1", "MAXDELETEDID", "30-0"],
    ["XSETID", "s", "25-1", "MAXDELETEDID", "1-0"],
    ["XSETID", "s", "25-1", "MAXDELETEDID", "x"],
    ["XSETID", "s", "25-1", "MAXDELETEDID", "+"],
    ["XSETID", "s", "25-1", "FOO", "1"],
    ["XSETID", "s", "25-1", "ENTRIESADDED"],
    ["XSETID", "s", "+"],
    ["XSETID", "s", "x"],
    ["XSETID", "nokey", "1-0"],
    ["XSETID", "nokey", "x"],
    ["SET", "str", "v"],
    ["XSETID", "str", "1-0"],
    ["XDEL", "str", "1-0"],
    ["XLEN", "s"],
  ]);
  // Deleting everything leaves an empty stream, as in Redis.
  const all = decode(await o.redis.call("XRANGE", "s", "-", "+")) as [string, string[]][];
  await o.same("XDEL", "s", ...all.map((e) => e[0]));
  await o.sameAll([
    ["EXISTS", "s"],
    ["XLEN", "s"],
    ["TYPE", "s"],
    ["XRANGE", "s", "-", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XSETID", "s", "1-0"],
    ["XSETID", "s", "30-0"],
    ["XADD", "s", "30-0", "f", "x"],
    ["XADD", "s", "30-1", "f", "x"],
    ["XRANGE", "s", "-", "+"],
  ]);
});

oracleTest("oracle: XADD * generates increasing IDs (shape only)", async (o) => {
  for (const c of [o.redeno, o.redis]) {
    let last = [0n, 0n];
    for (let i = 0; i < 50; i++) {
      const id = decode(await c.call("XADD", "s", "*", "f", String(i))) as string;
      const m = /^(\d+)-(\d+)$/.exec(id);
      assert(m !== null, id);
      const cur = [BigInt(m[1]), BigInt(m[2])];
      assert(cur[0] > last[0] || (cur[0] === last[0] && cur[1] > last[1]), `${id} after ${last}`);
      last = cur;
    }
    // `<ms>-*` in the past continues the sequence of the last ID.
    const id = decode(await c.call("XADD", "s", `${last[0]}-*`, "f", "x")) as string;
    assertEquals(id, `${last[0]}-${last[1] + 1n}`);
    // A clock behind the last ID: `*` continues its sequence.
    await c.call("XADD", "future", "99999999999999-5", "f", "x");
    assertEquals(decode(await c.call("XADD", "future", "*", "f", "x")), "99999999999999-6");
  }
  await o.sameAll([["XLEN", "s"], ["XLEN", "future"]]);
});

oracleTest("oracle: stream values: binary, numbers, long values, many fields, RESP3", async (o) => {
  const long = "v".repeat(5000);
  await o.sameAll([
    ["XADD", "s", "1-0", "\x00\xff", "\r\n", "", ""],
    ["XADD", "s", "2-0", "123", "-45", "9223372036854775807", "-9223372036854775808"],
    ["XADD", "s", "3-0", "18446744073709551615", "007", "1.5", "-0"],
    ["XADD", "s", "4-0", "f", long, "g", "w".repeat(70)],
    ["XADD", "s", "5-0", ...Array.from({ length: 40 }, (_, i) => `x${i}`)],
    ["XRANGE", "s", "-", "+"],
    ["XREVRANGE", "s", "+", "-"],
    ["XADD", `${MAX}`, `${MAX}-${MAX}`, "a", "b"],
    ["XRANGE", `${MAX}`, "-", "+"],
    ["XRANGE", `${MAX}`, MAX, MAX],
    ["XRANGE", `${MAX}`, `(${MAX}-18446744073709551614`, "+"],
    ["XREAD", "STREAMS", "s", `${MAX}`, "3", "0"],
  ]);
  const [a, b] = await o.connectPair();
  try {
    await a.call("HELLO", "3");
    await b.call("HELLO", "3");
    for (
      const cmd of [
        ["XRANGE", "s", "-", "+", "COUNT", "2"],
        ["XRANGE", "s", "-", "+", "COUNT", "0"],
        ["XRANGE", "nokey", "-", "+"],
        ["XREAD", "COUNT", "1", "STREAMS", "s", `${MAX}`, "0", "0"],
        ["XREAD", "STREAMS", "s", "99"],
        ["XADD", "nokey", "NOMKSTREAM", "*", "a", "1"],
        ["XLEN", "s"],
        ["XADD", "s", "6-0", "a", "1"],
      ]
    ) {
      assertEquals(await a.call(...cmd), await b.call(...cmd), JSON.stringify(cmd));
    }
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle: XREAD without BLOCK", async (o) => {
  await o.sameAll([
    ["XADD", "a", "1-0", "f", "1"],
    ["XADD", "a", "2-0", "f", "2"],
    ["XADD", "b", "1-5", "g", "1"],
    ["XREAD", "STREAMS", "a", "0"],
    ["XREAD", "STREAMS", "a", "b", "0", "0"],
    ["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"],
    ["XREAD", "COUNT", "0", "STREAMS", "a", "0-0"],
    ["XREAD", "COUNT", "-1", "STREAMS", "a", "0-0"],
    ["XREAD", "STREAMS", "a", "b", "1", "1-5"],
    ["XREAD", "STREAMS", "a", "b", "$", "$"],
    ["XREAD", "STREAMS", "a", "nokey", "1-0", "0"],
    ["XREAD", "STREAMS", "nokey", "0"],
    ["XREAD", "STREAMS", "a", "a", "0", "1"],
    ["XREAD", "STREAMS", "a"],
    ["XREAD", "STREAMS", "a", "b", "0"],
    ["XREAD", "STREAMS", "a", "+"],
    ["XREAD", "STREAMS", "a", "-"],
    ["XREAD", "STREAMS", "a", ">"],
    ["XREAD", "STREAMS", "a", "x"],
    ["XREAD", "COUNT", "x", "STREAMS", "a", "0"],
    ["XREAD", "BLOCK", "x", "STREAMS", "a", "0"],
    ["XREAD", "BLOCK", "-1", "STREAMS", "a", "0"],
    ["XREAD", "BLOCK", "0", "STREAMS", "a", "0"],
    ["XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"],
    ["XREAD", "NOACK", "STREAMS", "a", "0"],
    ["XREAD", "FOO", "STREAMS", "a", "0"],
    ["XREAD", "COUNT", "1"],
    ["XREAD", "COUNT", "1", "BLOCK"],
    ["XREAD", "COUNT", "1", "a", "b"],
    ["SET", "str", "x"],
    ["XREAD", "STREAMS", "str", "0"],
    ["XREAD", "STREAMS", "a", "str", "0", "x"],
    ["XREAD", "STREAMS", "a", "str", "x", "0"],
    ["COMMAND", "GETKEYS", "XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"],
    ["COMMAND", "GETKEYS", "XREAD", "BLOCK", "2", "STREAMS", "a", "0"],
    ["COMMAND", "GETKEYS", "XADD", "k", "*", "a", "1"],
  ]);
});

/** Polls INFO until `n` clients are blocked on the server behind `c`. */
async function waitBlocked(c: RespClient, n: number): Promise<void> {
  for (let tries = 0;; tries++) {
    const info = parseInfo(decode(await c.call("INFO", "clients")) as string);
    if (Number(info.get("blocked_clients")) === n) return;
    if (tries > 6000) throw new Error(`never saw ${n} blocked clients`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Client i on each server. */
async function clients(o: Oracle, n: number): Promise<[RespClient, RespClient][]> {
  const out: [RespClient, RespClient][] = [];
  for (let i = 0; i < n; i++) out.push(await o.connectPair());
  return out;
}

async function send(pair: [RespClient, RespClient], ...args: string[]): Promise<void> {
  await Promise.all(pair.map((c) => c.send(encodeCommand(args))));
}

async function reply(pair: [RespClient, RespClient], what: string): Promise<string> {
  const [a, b] = await Promise.all(pair.map((c) => c.reply()));
  assertEquals(a, b, what);
  return b;
}

async function blocked(o: Oracle, n: number): Promise<void> {
  await waitBlocked(o.redeno, n);
  await waitBlocked(o.redis, n);
}

oracleTest(
  "oracle: XREAD BLOCK served by XADD, FIFO, $, timeouts, CLIENT UNBLOCK, RESP3",
  async (o) => {
    const cs = await clients(o, 4);
    try {
      await o.same("XADD", "s", "1-0", "f", "1");
      // Three waiters on $ (the last ID when they block), one on an older ID of another key.
      await send(cs[0], "XREAD", "BLOCK", "0", "STREAMS", "s", "$");
      await blocked(o, 1);
      await send(cs[1], "XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "t", "s", "0", "$");
      await blocked(o, 2);
      await Promise.all(cs[2].map((c) => c.call("HELLO", "3")));
      await send(cs[2], "XREAD", "BLOCK", "0", "STREAMS", "s", "s", "$", "$");
      await blocked(o, 3);
      // One XADD serves every waiter, in the order they blocked.
      await o.same("XADD", "s", "2-0", "f", "2");
      await reply(cs[0], "waiter 0");
      await reply(cs[1], "waiter 1");
      await reply(cs[2], "waiter 2 (RESP3)");
      await blocked(o, 0);
      // A new key wakes its waiter; COUNT applies; the waiter on `t` with 0 gets everything.
      await send(cs[0], "XREAD", "BLOCK", "0", "STREAMS", "t", "0");
      await blocked(o, 1);
      // Two XADDs in one write: the waiter gets what the first added.
      const both = [["XADD", "t", "5-0", "a", "1"], ["XADD", "t", "6-0", "a", "2"]];
      const [mine, theirs] = await Promise.all([o.redeno.pipeline(both), o.redis.pipeline(both)]);
      assertEquals(mine, theirs);
      await reply(cs[0], "served by the first XADD");
      // Another type at the key does not serve the waiter; a stream does.
      await send(cs[1], "XREAD", "BLOCK", "0", "STREAMS", "u", "$");
      await blocked(o, 1);
      await o.same("SET", "u", "x");
      await o.same("DEL", "u");
      await o.same("XADD", "u", "1-0", "a", "1");
      await reply(cs[1], "served by a stream");
      // An XADD with an ID not above the waited one does not serve it.
      await send(cs[3], "XREAD", "BLOCK", "0", "STREAMS", "v", "10-0");
      await blocked(o, 1);
      await o.same("XADD", "v", "5-0", "a", "1");
      await o.same("XADD", "v", "11-0", "a", "2");
      await reply(cs[3], "served past 10-0");
      // Timeouts, and CLIENT UNBLOCK both ways.
      await send(cs[0], "XREAD", "BLOCK", "30", "STREAMS", "w", "$");
      await reply(cs[0], "timeout");
      await send(cs[2], "XREAD", "BLOCK", "30", "STREAMS", "w", "$");
      await reply(cs[2], "timeout RESP3");
      const ids = await Promise.all(
        cs[1].map(async (c) => decode(await c.call("CLIENT", "ID")) as number),
      );
      await send(cs[1], "XREAD", "BLOCK", "0", "STREAMS", "w", "$");
      await blocked(o, 1);
      await o.redeno.call("CLIENT", "UNBLOCK", String(ids[0]));
      await o.redis.call("CLIENT", "UNBLOCK", String(ids[1]));
      await reply(cs[1], "unblocked as a timeout");
      await send(cs[1], "XREAD", "BLOCK", "0", "STREAMS", "w", "$");
      await blocked(o, 1);
      await o.redeno.call("CLIENT", "UNBLOCK", String(ids[0]), "ERROR");
      await o.redis.call("CLIENT", "UNBLOCK", String(ids[1]), "ERROR");
      await reply(cs[1], "unblocked with an error");
    } finally {
      for (const pair of cs) for (const c of pair) c.close();
    }
  },
);

oracleTest("oracle: random XADD / XDEL / XTRIM / XRANGE against Redis", async (o) => {
  const r = prng(11);
  let ms = 1;
  for (let step = 0; step < 1500; step++) {
    const x = r();
    if (x < 0.55) {
      ms += Math.floor(r() * 3);
      const fields = r() < 0.6
        ? ["a", String(step)]
        : ["b", "x".repeat(Math.floor(r() * 90)), "c", String(-step)];
      await o.same("XADD", "s", `${ms}-*`, ...fields);
    } else if (x < 0.7) {
      await o.same("XDEL", "s", `${Math.floor(r() * ms) + 1}-0`, `${Math.floor(r() * ms) + 1}-1`);
    } else if (x < 0.75) {
      const approx = r() < 0.5 ? "~" : "=";
      if (r() < 0.5) await o.same("XTRIM", "s", "MAXLEN", approx, String(Math.floor(r() * 300)));
      else await o.same("XTRIM", "s", "MINID", approx, String(Math.floor(r() * ms)));
    } else if (x < 0.9) {
      const a = Math.floor(r() * ms);
      await o.same(
        "XRANGE",
        "s",
        String(a),
        String(a + Math.floor(r() * 20)),
        "COUNT",
        String(Math.floor(r() * 5)),
      );
    } else {
      const a = Math.floor(r() * ms);
      await o.same("XREVRANGE", "s", "+", `(${a}`, "COUNT", String(1 + Math.floor(r() * 5)));
    }
  }
  await o.sameAll([["XLEN", "s"], ["XRANGE", "s", "-", "+"]]);
}, { args: ["--stream-node-max-entries", "7", "--stream-node-max-bytes", "200"] });

oracleTest("oracle: MEMORY USAGE of a stream is of Redis's order", async (o) => {
  const cmds: string[][] = [];
  for (let i = 1; i <= 1000; i++) cmds.push(["XADD", "s", `${i}-0`, "f1", `v${i}`, "f2", "x"]);
  await o.sameAll(cmds);
  const mine = decode(await o.redeno.call("MEMORY", "USAGE", "s")) as number;
  const theirs = decode(await o.redis.call("MEMORY", "USAGE", "s")) as number;
  assert(mine > theirs / 2 && mine < theirs * 2, `redeno ${mine}, redis ${theirs}`);
  await o.same("MEMORY", "USAGE", "nokey");
});
