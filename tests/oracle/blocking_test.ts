/**
 * Blocking pops against Redis 7.0.15, with several clients: the same
 * clients on both servers block, push, time out and get unblocked in the
 * same order, and every reply of every client must be byte-identical.
 *
 * Deterministic: before anything that should serve a waiter, the test waits
 * (by polling INFO blocked_clients on both servers) until every waiter is
 * blocked; timeouts are short and only their replies are checked.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, encodeCommand, parseInfo } from "../support/resp_client.ts";
import { Twins } from "../support/twins.ts";

/** Runs `fn` with `n` client pairs on a fresh oracle. */
function blockingTest(name: string, n: number, fn: (t: Twins, o: Oracle) => Promise<void>) {
  oracleTest(`oracle: blocking: ${name}`, async (o) => {
    const t = await Twins.open(o, n);
    try {
      await fn(t, o);
    } finally {
      t.close();
    }
  });
}

blockingTest("immediate pops when a key has data, in their non-blocking replies", 1, async (t) => {
  await t.call(0, "RPUSH", "l", "a", "b", "c", "d", "e", "f", "g");
  await t.call(0, "BLPOP", "nokey", "l", "0");
  await t.call(0, "BRPOP", "l", "nokey", "0");
  await t.call(0, "BRPOPLPUSH", "l", "d", "0");
  await t.call(0, "BLMOVE", "l", "d", "RIGHT", "left", "0");
  await t.call(0, "BLMPOP", "0", "2", "nokey", "l", "LEFT", "COUNT", "2");
  await t.call(0, "BLMPOP", "0", "1", "l", "right", "COUNT", "10");
  await t.call(0, "LRANGE", "d", "0", "-1");
  await t.call(0, "EXISTS", "l");
  await t.call(0, "ZADD", "z", "1", "a", "2.5", "b", "3", "c", "4", "d", "5", "e");
  await t.call(0, "BZPOPMIN", "nokey", "z", "0");
  await t.call(0, "BZPOPMAX", "z", "0");
  await t.call(0, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "2");
  await t.call(0, "BZMPOP", "0", "2", "nokey", "z", "max", "COUNT", "9");
  await t.call(0, "EXISTS", "z");
  // RESP3: scores as doubles.
  await t.hello(0, "3");
  await t.call(0, "ZADD", "z", "1.5", "a", "2", "b", "3", "c");
  await t.call(0, "BZPOPMIN", "z", "0");
  await t.call(0, "BZMPOP", "0", "1", "z", "MAX");
  await t.call(0, "RPUSH", "l", "x");
  await t.call(0, "BLPOP", "l", "0");
});

blockingTest("bad timeouts, bad arguments and WRONGTYPE", 1, async (t) => {
  const timeouts = [
    "-1",
    "abc",
    "",
    " 1",
    "1 ",
    "nan",
    "inf",
    "-inf",
    "+inf",
    "infinity",
    "1e16",
    "9223372036854775807",
    "99999999999999999999",
    "1.5e300",
    "1e400",
    "1e5000",
    "1e-5000",
    "-1.0",
    "0x-1",
    "1e",
    "0.5.5",
    "\x00",
  ];
  for (const to of timeouts) {
    await t.call(0, "BLPOP", "k", to);
    await t.call(0, "BZPOPMAX", "k", to);
    await t.call(0, "BLMOVE", "k", "d", "LEFT", "LEFT", to);
    await t.call(0, "BLMPOP", to, "1", "k", "LEFT");
  }
  // Valid timeouts that would wait for ever (ceil(-0.5 ms) is 0): a key with data answers.
  await t.call(0, "RPUSH", "full", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
  await t.call(0, "ZADD", "zfull", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
  for (const to of ["0", "-0", "-0.0001", "-0.5", "-.9999", "0x10", "1e3", ".5e1", "+1", "1."]) {
    await t.call(0, "BLPOP", "full", to);
    await t.call(0, "BZPOPMIN", "zfull", to);
  }
  for (
    const cmd of [
      ["BLMPOP", "-1", "0", "k", "LEFT"],
      ["BLMPOP", "-1", "1", "k", "LEFT"],
      ["BLMPOP", "x", "1", "k", "MIDDLE"],
      ["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "0"],
      ["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "1", "COUNT", "2"],
      ["BLMPOP", "0", "3", "k", "LEFT"],
      ["BLMOVE", "k", "d", "UP", "LEFT", "-1"],
      ["BLMOVE", "k", "d", "LEFT", "DOWN", "x"],
      ["BLMOVE", "k", "d", "LEFT", "LEFT", "-1"],
      ["BZMPOP", "-1", "1", "k", "LEFT"],
      ["BZMPOP", "-1", "1", "k", "MIN"],
      ["BZMPOP", "0", "0", "k", "MIN"],
      ["BZMPOP", "0", "1", "k", "MIN", "COUNT", "-2"],
      ["BRPOPLPUSH", "k", "d", "-1"],
      ["BLPOP", "k"],
      ["BZMPOP", "0", "1", "k"],
    ]
  ) await t.call(0, ...cmd);
  await t.call(0, "SET", "str", "x");
  await t.call(0, "BLPOP", "nokey", "str", "0");
  await t.call(0, "BRPOP", "str", "0");
  await t.call(0, "BZPOPMIN", "nokey", "str", "0");
  await t.call(0, "BLMPOP", "0", "2", "nokey", "str", "LEFT");
  await t.call(0, "BZMPOP", "0", "2", "nokey", "str", "MIN");
  await t.call(0, "BLMOVE", "str", "d", "LEFT", "LEFT", "0");
  await t.call(0, "BRPOPLPUSH", "str", "d", "0");
  await t.call(0, "RPUSH", "l", "v");
  await t.call(0, "BLMOVE", "l", "str", "LEFT", "LEFT", "0");
  await t.call(0, "LRANGE", "l", "0", "-1");
  // A missing source blocks whatever the destination holds.
  await t.call(0, "BLMOVE", "nokey", "str", "LEFT", "LEFT", "0.01");
});

blockingTest("timeouts reply a null of the right shape, RESP2 and RESP3", 1, async (t) => {
  const cmds = [
    ["BLPOP", "k", "0.01"],
    ["BRPOP", "k", "k2", "0.001"],
    ["BRPOPLPUSH", "k", "d", "0.01"],
    ["BLMOVE", "k", "d", "LEFT", "RIGHT", "0.01"],
    ["BLMPOP", "0.01", "1", "k", "LEFT"],
    ["BZPOPMIN", "k", "0.01"],
    ["BZPOPMAX", "k", "0.0001"],
    ["BZMPOP", "0.01", "1", "k", "MIN", "COUNT", "3"],
    // A positive timeout under a millisecond rounds up to one.
    ["BLPOP", "k", "1e-300"],
  ];
  for (const cmd of cmds) await t.call(0, ...cmd);
  await t.hello(0, "3");
  for (const cmd of cmds) await t.call(0, ...cmd);
  await t.assertBlocked(0);
});

blockingTest("a push serves waiters first come first served, one element each", 4, async (t) => {
  await t.send(0, "BLPOP", "q", "0");
  await t.blocked(1);
  await t.send(1, "BRPOP", "other", "q", "0");
  await t.blocked(2);
  await t.send(2, "BLPOP", "q", "100");
  await t.blocked(3);
  await t.call(3, "RPUSH", "q", "e1", "e2");
  await t.reply(0);
  await t.reply(1);
  await t.assertBlocked(1);
  await t.call(3, "EXISTS", "q");
  await t.call(3, "LPUSH", "q", "e3", "e4");
  await t.reply(2);
  await t.call(3, "LRANGE", "q", "0", "-1");
  await t.assertBlocked(0);
});

blockingTest("the waiter is served before the pusher's next pipelined command", 2, async (t) => {
  await t.send(0, "BLPOP", "p", "0");
  await t.blocked(1);
  await t.sendAll(1, [["LPUSH", "p", "1"], ["LPOP", "p"], ["LPUSH", "p", "2", "3"], ["LPOP", "p"]]);
  for (let i = 0; i < 4; i++) await t.reply(1);
  await t.reply(0);
  await t.call(1, "LRANGE", "p", "0", "-1");
});

blockingTest(
  "a client blocked on several keys is served from the first key that gets data",
  3,
  async (t) => {
    await t.send(0, "BLPOP", "a", "b", "c", "0");
    await t.blocked(1);
    await t.send(1, "BZPOPMIN", "z1", "z2", "0");
    await t.blocked(2);
    await t.call(2, "RPUSH", "c", "from-c");
    await t.reply(0);
    await t.call(2, "ZADD", "z2", "1", "m", "2", "n");
    await t.reply(1);
    await t.call(2, "ZRANGE", "z2", "0", "-1", "WITHSCORES");
    // The same key named twice is one wait.
    await t.send(0, "BRPOP", "dup", "dup", "0");
    await t.blocked(1);
    await t.call(2, "RPUSH", "dup", "1", "2");
    await t.reply(0);
    await t.call(2, "LRANGE", "dup", "0", "-1");
  },
);

blockingTest("BLMOVE chains serve the next waiter in the same event", 4, async (t) => {
  await t.send(0, "BLMOVE", "c1", "c2", "LEFT", "LEFT", "0");
  await t.blocked(1);
  await t.send(1, "BRPOPLPUSH", "c2", "c3", "0");
  await t.blocked(2);
  await t.send(2, "BLPOP", "c3", "0");
  await t.blocked(3);
  await t.call(3, "LPUSH", "c1", "v");
  await t.reply(0);
  await t.reply(1);
  await t.reply(2);
  await t.call(3, "DBSIZE");
  // A list that moves onto itself stays, and the next waiter gets it too.
  await t.send(0, "BLMOVE", "r", "r", "RIGHT", "LEFT", "0");
  await t.blocked(1);
  await t.send(1, "BLPOP", "r", "0");
  await t.blocked(2);
  await t.call(3, "RPUSH", "r", "x", "y");
  await t.reply(0);
  await t.reply(1);
  await t.call(3, "LRANGE", "r", "0", "-1");
});

blockingTest(
  "a served BLMOVE onto a key of another type fails; the element stays",
  2,
  async (t) => {
    await t.call(1, "SET", "dst", "str");
    await t.send(0, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0");
    await t.blocked(1);
    await t.call(1, "RPUSH", "src", "1");
    await t.reply(0);
    await t.call(1, "LRANGE", "src", "0", "-1");
  },
);

blockingTest("a waiter whose key gets another type stays blocked", 3, async (t) => {
  await t.send(0, "BLPOP", "w", "0");
  await t.blocked(1);
  await t.send(1, "BZPOPMIN", "w", "0");
  await t.blocked(2);
  await t.call(2, "SET", "w", "string");
  await t.assertBlocked(2);
  await t.call(2, "DEL", "w");
  await t.call(2, "ZADD", "w", "1", "m");
  await t.reply(1);
  await t.assertBlocked(1);
  await t.call(2, "HSET", "w", "f", "v");
  await t.call(2, "DEL", "w");
  await t.call(2, "RPUSH", "w", "v");
  await t.reply(0);
  await t.assertBlocked(0);
});

blockingTest("served pops of every command, with counts, and RESP3 replies", 2, async (t) => {
  const cases: [string[], string[]][] = [
    [["BLPOP", "q", "0"], ["RPUSH", "q", "1", "2"]],
    [["BRPOP", "q2", "0"], ["RPUSH", "q2", "1", "2"]],
    [["BRPOPLPUSH", "q3", "dst", "0"], ["RPUSH", "q3", "1", "2"]],
    [["BLMOVE", "q4", "dst", "LEFT", "RIGHT", "0"], ["RPUSH", "q4", "1", "2"]],
    [["BLMPOP", "0", "2", "x", "q5", "LEFT", "COUNT", "5"], ["RPUSH", "q5", "1", "2"]],
    [["BLMPOP", "0", "1", "q6", "RIGHT"], ["RPUSH", "q6", "1", "2"]],
    [["BZPOPMIN", "zz", "0"], ["ZADD", "zz", "1", "a", "2", "b"]],
    [["BZPOPMAX", "zz2", "0"], ["ZADD", "zz2", "1", "a", "2", "b"]],
    [["BZMPOP", "0", "1", "zz3", "MAX", "COUNT", "5"], ["ZADD", "zz3", "1", "a", "2.5", "b"]],
    [["BZMPOP", "0", "1", "zz4", "MIN"], ["ZADD", "zz4", "1", "a", "2", "b"]],
  ];
  for (const resp of ["2", "3"] as const) {
    await t.hello(0, resp);
    for (const [wait, push] of cases) {
      await t.send(0, ...wait);
      await t.blocked(1);
      await t.call(1, ...push);
      await t.reply(0, `${JSON.stringify(wait)} served by ${JSON.stringify(push)}`);
    }
    await t.call(1, "FLUSHALL");
  }
});

blockingTest("waiters in other databases, and SWAPDB", 3, async (t) => {
  await t.call(0, "SELECT", "3");
  await t.call(1, "SELECT", "3");
  await t.send(0, "BLPOP", "k", "0");
  await t.blocked(1);
  await t.call(2, "RPUSH", "k", "db0");
  await t.assertBlocked(1);
  await t.call(1, "RPUSH", "k", "db3");
  await t.reply(0);
  await t.call(2, "LRANGE", "k", "0", "-1");
  // A waiter in db 3; db 5 gets the key; SWAPDB brings it to db 3.
  await t.send(0, "BLPOP", "s", "0");
  await t.blocked(1);
  await t.call(2, "SELECT", "5");
  await t.call(2, "RPUSH", "s", "x", "y");
  await t.assertBlocked(1);
  await t.call(2, "SWAPDB", "3", "5");
  await t.reply(0);
  await t.call(1, "LRANGE", "s", "0", "-1");
});

blockingTest("a disconnected waiter is forgotten; the element stays", 2, async (t, o) => {
  const [a, b] = await o.connectPair();
  await Promise.all([
    a.send(encodeCommand(["BLPOP", "gone", "0"])),
    b.send(encodeCommand(["BLPOP", "gone", "0"])),
  ]);
  await t.blocked(1);
  a.close();
  b.close();
  await t.blocked(0);
  await t.call(0, "RPUSH", "gone", "z");
  await t.call(0, "LRANGE", "gone", "0", "-1");
  // Commands pipelined after a blocking one wait for it, then run.
  await t.sendAll(0, [["BLPOP", "pp", "0"], ["PING"], ["ECHO", "after"]]);
  await t.blocked(1);
  await t.call(1, "RPUSH", "pp", "1");
  for (let i = 0; i < 3; i++) await t.reply(0);
  // A client killed while blocked is forgotten too.
  const ids = await Promise.all([t.mine[0].call("CLIENT", "ID"), t.theirs[0].call("CLIENT", "ID")]);
  await t.send(0, "BLPOP", "killed", "0");
  await t.blocked(1);
  const [x, y] = await Promise.all([
    t.mine[1].call("CLIENT", "KILL", "ID", String(decode(ids[0]))),
    t.theirs[1].call("CLIENT", "KILL", "ID", String(decode(ids[1]))),
  ]);
  assertEquals(x, y, "CLIENT KILL of a blocked client");
  await t.blocked(0);
  await t.call(1, "RPUSH", "killed", "k");
  await t.call(1, "LRANGE", "killed", "0", "-1");
});

blockingTest("CLIENT UNBLOCK, CLIENT LIST and INFO while blocked", 2, async (t) => {
  const ids = await Promise.all([
    decode(await t.mine[0].call("CLIENT", "ID")) as number,
    decode(await t.theirs[0].call("CLIENT", "ID")) as number,
  ]);
  /** CLIENT UNBLOCK (from client 1) of client 0 on each server, by its own id. */
  const unblock = async (...extra: string[]) => {
    const [a, b] = await Promise.all([
      t.mine[1].call("CLIENT", "UNBLOCK", String(ids[0]), ...extra),
      t.theirs[1].call("CLIENT", "UNBLOCK", String(ids[1]), ...extra),
    ]);
    assertEquals(a, b, `CLIENT UNBLOCK ${extra.join(" ")}`);
  };
  await t.send(0, "BLPOP", "u", "0");
  await t.blocked(1);
  // CLIENT LIST: flags=b and the blocked command, on both.
  for (const [side, c] of [["redeno", t.mine[1]], ["redis", t.theirs[1]]] as const) {
    const list = decode(await c.call("CLIENT", "LIST")) as string;
    const line = list.split("\n").find((l) => l.includes("flags=b"));
    assert(line !== undefined && line.includes(" cmd=blpop "), `${side}: ${list}`);
  }
  await unblock();
  await t.reply(0);
  await t.send(0, "BZPOPMIN", "u", "100");
  await t.blocked(1);
  // A timeout puts the client in the timeout table.
  for (const c of [t.o.redeno, t.o.redis]) {
    const info = parseInfo(decode(await c.call("INFO", "clients")) as string);
    assertEquals(info.get("clients_in_timeout_table"), "1");
  }
  await unblock("ERROR");
  await t.reply(0);
  await t.send(0, "BLMOVE", "u", "d", "LEFT", "LEFT", "0");
  await t.blocked(1);
  await unblock("timeout");
  await t.reply(0);
  await t.send(0, "BLMPOP", "0", "1", "u", "LEFT");
  await t.blocked(1);
  await unblock("foo");
  await unblock("TIMEOUT", "x");
  await unblock("error");
  await t.reply(0);
  // Not blocked any more, or no such client.
  await unblock();
  await t.call(1, "CLIENT", "UNBLOCK", "999999");
  await t.call(1, "CLIENT", "UNBLOCK", "-1");
  await t.call(1, "CLIENT", "UNBLOCK", "x");
  await t.call(1, "CLIENT", "UNBLOCK");
  await t.assertBlocked(0);
  await t.call(0, "RPUSH", "u", "v");
  await t.call(0, "LRANGE", "u", "0", "-1");
});

blockingTest("every write that creates a waited key serves its waiter", 2, async (t) => {
  const cases: [string[], string[][]][] = [
    [["BLPOP", "k1", "0"], [["RPUSH", "src", "a", "b"], ["LMOVE", "src", "k1", "LEFT", "LEFT"]]],
    [["BLPOP", "k2", "0"], [["RPOPLPUSH", "src", "k2"]]],
    [["BLPOP", "k3", "0"], [["RPUSH", "r", "1"], ["RENAME", "r", "k3"]]],
    [["BLPOP", "k4", "0"], [["RPUSH", "r", "1"], ["COPY", "r", "k4"]]],
    [["BLPOP", "k5", "0"], [["SET", "k5", "s"], ["RPUSH", "r", "2"], [
      "COPY",
      "r",
      "k5",
      "REPLACE",
    ]]],
    [["BLPOP", "k6", "0"], [["RPUSH", "r2", "3", "1", "2"], ["SORT", "r2", "STORE", "k6"]]],
    [["BLPOP", "k7", "0"], [["LPUSHX", "k7", "x"], ["RPUSH", "k7", "y"]]],
    [["BZPOPMIN", "z1", "0"], [["ZADD", "za", "1", "a", "2", "b"], [
      "ZUNIONSTORE",
      "z1",
      "1",
      "za",
    ]]],
    [["BZPOPMAX", "z2", "0"], [["ZRANGESTORE", "z2", "za", "0", "-1"]]],
    [["BZPOPMIN", "z3", "0"], [["ZINCRBY", "z3", "1.5", "m"]]],
    [["BZMPOP", "0", "1", "z4", "MIN"], [["SADD", "s", "x"], ["ZINTERSTORE", "z4", "1", "s"]]],
    [["BLPOP", "k8", "0"], [
      ["SET", "rr", "1"],
      ["RPUSH", "k8tmp", "e"],
      ["RENAME", "k8tmp", "rr"],
      [
        "RENAME",
        "rr",
        "k8",
      ],
    ]],
  ];
  for (const [wait, writes] of cases) {
    await t.send(0, ...wait);
    await t.blocked(1);
    for (const w of writes) await t.call(1, ...w);
    await t.reply(0, `${JSON.stringify(wait)} after ${JSON.stringify(writes)}`);
  }
  await t.call(1, "DBSIZE");
});
