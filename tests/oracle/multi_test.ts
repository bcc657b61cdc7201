/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH against Redis 7.0, byte for byte:
 * replies and errors in RESP2 and RESP3, pipelined transactions, and which
 * changes to a watched key (by another client, by expiry, by FLUSHDB,
 * SWAPDB ...) abort EXEC and which reads or no-op writes do not.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, parseInfo, RespClient } from "../support/resp_client.ts";

/**
 * A step of a two-client scenario: which connection (0 or 1) sends what; a
 * number sleeps; `pipeline` sends its commands on `conn` in one write.
 */
type Step = [conn: number, ...args: string[]] | number | { conn: number; pipeline: string[][] };

/**
 * Runs `steps` on two fresh connections to each server (after FLUSHALL)
 * and asserts identical raw replies step by step.
 */
async function scenario(o: Oracle, name: string, steps: Step[]): Promise<void> {
  await Promise.all([o.redeno.call("FLUSHALL"), o.redis.call("FLUSHALL")]);
  const pairs = [await o.connectPair(), await o.connectPair()];
  try {
    for (const step of steps) {
      if (typeof step === "number") {
        await new Promise((r) => setTimeout(r, step));
        continue;
      }
      if (!Array.isArray(step)) {
        const [a, b] = pairs[step.conn];
        const [mine, theirs] = await Promise.all([
          a.pipeline(step.pipeline),
          b.pipeline(step.pipeline),
        ]);
        assertEquals(
          mine,
          theirs,
          `${name}: replies to [${step.conn}] ${JSON.stringify(step.pipeline)}`,
        );
        continue;
      }
      const [conn, ...args] = step;
      const [a, b] = pairs[conn];
      const [mine, theirs] = await Promise.all([a.call(...args), b.call(...args)]);
      // HELLO's reply holds the connection id, which differs.
      if (args[0] === "HELLO") continue;
      assertEquals(mine, theirs, `${name}: reply to [${conn}] ${JSON.stringify(args)}`);
    }
  } finally {
    for (const [a, b] of pairs) {
      a.close();
      b.close();
    }
  }
}

/** WATCH k on conn 0, `between` on conn 1, then MULTI / PING / EXEC on conn 0. */
function watched(setup: string[][], between: string[][], key = "k"): Step[] {
  return [
    ...setup.map((c): Step => [1, ...c]),
    [0, "WATCH", key],
    ...between.map((c): Step => [1, ...c]),
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
  ];
}

for (const resp of ["2", "3"]) {
  oracleTest(`oracle: MULTI/EXEC/DISCARD replies and errors (RESP${resp})`, async (o) => {
    await Promise.all([o.redeno.call("HELLO", resp), o.redis.call("HELLO", resp)]);
    await o.sameAll([
      ["EXEC"],
      ["DISCARD"],
      ["MULTI", "x"],
      ["EXEC", "x"],
      ["MULTI"],
      ["MULTI"], // refused, does not doom the transaction
      ["SET", "a", "1"],
      ["WATCH", "a"], // refused, does not doom it either
      ["INCR", "a"],
      ["LPUSH", "a", "x"], // a runtime error: the rest still runs
      ["GET", "a"],
      ["HSET", "h", "f", "1.5"],
      ["HINCRBYFLOAT", "h", "f", "1"],
      ["ZADD", "z", "1", "m"],
      ["ZSCORE", "z", "m"],
      ["HGETALL", "h"],
      ["SMEMBERS", "nosuch"],
      ["EXEC"],
      ["EXEC"],
      ["MULTI"],
      ["EXEC"], // an empty transaction
      ["MULTI"],
      ["SET", "b", "1"],
      ["DISCARD"],
      ["GET", "b"],
      ["MULTI"],
      ["SET", "b"], // arity: dooms it
      ["NOSUCHCOMMAND", "x"],
      ["SET", "b", "2"],
      ["EXEC"],
      ["GET", "b"],
      ["MULTI"],
      ["SAVE"], // no_multi
      ["EXEC"],
      ["MULTI"],
      ["CONFIG", "NOSUCH"],
      ["EXEC"],
      ["MULTI"],
      ["SET", "c", "1"],
      ["DISCARD"],
      ["DISCARD"],
      ["MULTI"],
      ["SELECT", "1"],
      ["SET", "in1", "x"],
      ["SELECT", "0"],
      ["EXEC"],
      ["SELECT", "1"],
      ["GET", "in1"],
      ["SELECT", "0"],
      ["MULTI"],
      ["BLPOP", "nolist", "0"], // acts as its non-blocking form
      ["BRPOPLPUSH", "nolist", "dst", "0"],
      ["BZPOPMIN", "nozset", "0"],
      ["XREAD", "BLOCK", "0", "STREAMS", "nostream", "$"],
      ["RPUSH", "l", "1"],
      ["BLPOP", "l", "0"],
      ["EXEC"],
      ["UNWATCH"],
      ["MULTI"],
      ["UNWATCH"],
      ["PING"],
      ["ECHO", "hi"],
      ["EXEC"],
      ["MULTI"],
      ["MONITOR"], // refused when EXEC runs it
      ["PING"],
      ["EXEC"],
      ["PING"],
      ["MULTI"],
      ["RESET"], // ends the transaction
      ["EXEC"],
    ]);
  });

  oracleTest(`oracle: WATCH aborts EXEC with a null reply (RESP${resp})`, async (o) => {
    const hello = (steps: Step[]): Step[] => [[0, "HELLO", resp], ...steps];
    await scenario(
      o,
      "modified by another client",
      hello(watched([["SET", "k", "1"]], [["SET", "k", "2"]])),
    );
    await scenario(o, "created", hello(watched([], [["SET", "k", "1"]])));
    await scenario(o, "only read", hello(watched([["SET", "k", "1"]], [["GET", "k"]])));
    await scenario(
      o,
      "own write before MULTI",
      hello([
        [0, "SET", "k", "1"],
        [0, "WATCH", "k"],
        [0, "INCR", "k"],
        [0, "MULTI"],
        [0, "GET", "k"],
        [0, "EXEC"],
        [0, "GET", "k"],
      ]),
    );
    await scenario(
      o,
      "UNWATCH clears it",
      hello([
        [0, "WATCH", "k"],
        [1, "SET", "k", "1"],
        [0, "UNWATCH"],
        [0, "MULTI"],
        [0, "GET", "k"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "EXEC unwatches",
      hello([
        [0, "WATCH", "k"],
        [0, "MULTI"],
        [0, "SET", "k", "mine"],
        [0, "EXEC"],
        [1, "SET", "k", "theirs"],
        [0, "MULTI"],
        [0, "GET", "k"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "DISCARD unwatches",
      hello([
        [0, "WATCH", "k"],
        [0, "MULTI"],
        [0, "DISCARD"],
        [1, "SET", "k", "1"],
        [0, "MULTI"],
        [0, "GET", "k"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "a queued-command error after a touch",
      hello([
        [0, "WATCH", "k"],
        [1, "SET", "k", "1"],
        [0, "MULTI"],
        [0, "SET", "x"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "watching again after dirty",
      hello([
        [0, "WATCH", "k"],
        [1, "SET", "k", "1"],
        [0, "WATCH", "other"],
        [0, "MULTI"],
        [0, "PING"],
        [0, "EXEC"],
        [0, "MULTI"],
        [0, "PING"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "another database's key of the same name",
      hello([
        [0, "WATCH", "k"],
        [1, "SELECT", "1"],
        [1, "SET", "k", "1"],
        [0, "MULTI"],
        [0, "PING"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "several keys, one touched",
      hello([
        [0, "WATCH", "a", "b", "c"],
        [1, "SET", "c", "1"],
        [0, "MULTI"],
        [0, "PING"],
        [0, "EXEC"],
      ]),
    );
    await scenario(
      o,
      "RESET clears the watch",
      hello([
        [0, "WATCH", "k"],
        [1, "SET", "k", "1"],
        [0, "RESET"],
        [0, "MULTI"],
        [0, "PING"],
        [0, "EXEC"],
      ]),
    );
  });
}

/**
 * Writes by another client between WATCH and EXEC: Redis aborts exactly
 * when the key was really modified (signalModifiedKey), whatever the type.
 */
const TOUCH_CASES: [string, string[][], string[][]][] = [
  ["SET", [["SET", "k", "1"]], [["SET", "k", "1"]]],
  ["SETNX on an existing key", [["SET", "k", "1"]], [["SETNX", "k", "2"]]],
  ["SET NX on an existing key", [["SET", "k", "1"]], [["SET", "k", "2", "NX"]]],
  ["SET XX on a missing key", [], [["SET", "k", "2", "XX"]]],
  ["DEL", [["SET", "k", "1"]], [["DEL", "k"]]],
  ["DEL of a missing key", [], [["DEL", "k"]]],
  ["UNLINK", [["SET", "k", "1"]], [["UNLINK", "k"]]],
  ["EXPIRE", [["SET", "k", "1"]], [["EXPIRE", "k", "100"]]],
  ["EXPIRE in the past", [["SET", "k", "1"]], [["EXPIRE", "k", "-1"]]],
  ["EXPIRE NX with a TTL", [["SET", "k", "1", "EX", "100"]], [["EXPIRE", "k", "50", "NX"]]],
  ["PERSIST without a TTL", [["SET", "k", "1"]], [["PERSIST", "k"]]],
  ["PERSIST with a TTL", [["SET", "k", "1", "EX", "100"]], [["PERSIST", "k"]]],
  ["RENAME from", [["SET", "k", "1"]], [["RENAME", "k", "k2"]]],
  ["RENAME to", [["SET", "k2", "1"]], [["RENAME", "k2", "k"]]],
  ["RENAMENX onto it", [["SET", "k2", "1"], ["SET", "k", "0"]], [["RENAMENX", "k2", "k"]]],
  ["MOVE", [["SET", "k", "1"]], [["MOVE", "k", "1"]]],
  ["COPY onto it", [["SET", "s", "1"]], [["COPY", "s", "k"]]],
  ["COPY from it", [["SET", "k", "1"]], [["COPY", "k", "dst"]]],
  ["INCRBY 0", [["SET", "k", "1"]], [["INCRBY", "k", "0"]]],
  ["APPEND empty", [["SET", "k", "1"]], [["APPEND", "k", ""]]],
  ["SETRANGE empty", [["SET", "k", "1"]], [["SETRANGE", "k", "0", ""]]],
  ["GETDEL", [["SET", "k", "1"]], [["GETDEL", "k"]]],
  ["GETEX without options", [["SET", "k", "1"]], [["GETEX", "k"]]],
  ["GETEX PERSIST", [["SET", "k", "1", "EX", "100"]], [["GETEX", "k", "PERSIST"]]],
  ["read commands", [["SET", "k", "1"]], [
    ["GET", "k"],
    ["EXISTS", "k"],
    ["TYPE", "k"],
    ["TTL", "k"],
    ["STRLEN", "k"],
    ["OBJECT", "ENCODING", "k"],
    ["DUMP", "k"],
    ["KEYS", "*"],
    ["SCAN", "0"],
    ["RANDOMKEY"],
  ]],
  ["type change", [["SET", "k", "1"]], [["DEL", "k"], ["LPUSH", "k", "x"]]],
  ["LPUSH", [["RPUSH", "k", "a"]], [["LPUSH", "k", "b"]]],
  ["LPOP of a missing key", [], [["LPOP", "k"]]],
  ["LREM of a missing element", [["RPUSH", "k", "a"]], [["LREM", "k", "0", "zz"]]],
  ["LSET", [["RPUSH", "k", "a"]], [["LSET", "k", "0", "a"]]],
  ["LTRIM keeping all", [["RPUSH", "k", "a", "b"]], [["LTRIM", "k", "0", "-1"]]],
  ["LMOVE from it", [["RPUSH", "k", "a"]], [["LMOVE", "k", "d", "LEFT", "LEFT"]]],
  ["LMOVE into it", [["RPUSH", "s", "a"]], [["LMOVE", "s", "k", "LEFT", "LEFT"]]],
  ["SADD existing member", [["SADD", "k", "a"]], [["SADD", "k", "a"]]],
  ["SADD new member", [["SADD", "k", "a"]], [["SADD", "k", "b"]]],
  ["SREM missing member", [["SADD", "k", "a"]], [["SREM", "k", "zz"]]],
  ["SREM last member", [["SADD", "k", "a"]], [["SREM", "k", "a"]]],
  ["SMOVE a missing member", [["SADD", "k", "a"], ["SADD", "d", "x"]], [["SMOVE", "k", "d", "zz"]]],
  ["SMOVE a member", [["SADD", "k", "a", "b"]], [["SMOVE", "k", "d", "a"]]],
  ["SINTERSTORE into it", [["SADD", "s", "a"]], [["SINTERSTORE", "k", "s"]]],
  ["SINTERSTORE empty, missing destination", [], [["SINTERSTORE", "k", "nosuch"]]],
  ["SPOP of a missing key", [], [["SPOP", "k"]]],
  ["HSET same value", [["HSET", "k", "f", "v"]], [["HSET", "k", "f", "v"]]],
  ["HSETNX existing field", [["HSET", "k", "f", "v"]], [["HSETNX", "k", "f", "w"]]],
  ["HDEL missing field", [["HSET", "k", "f", "v"]], [["HDEL", "k", "zz"]]],
  ["HINCRBY 0", [["HSET", "k", "f", "1"]], [["HINCRBY", "k", "f", "0"]]],
  ["ZADD same score", [["ZADD", "k", "1", "m"]], [["ZADD", "k", "1", "m"]]],
  ["ZADD new score", [["ZADD", "k", "1", "m"]], [["ZADD", "k", "2", "m"]]],
  ["ZADD NX existing", [["ZADD", "k", "1", "m"]], [["ZADD", "k", "NX", "5", "m"]]],
  ["ZINCRBY 0", [["ZADD", "k", "1", "m"]], [["ZINCRBY", "k", "0", "m"]]],
  ["ZREM missing member", [["ZADD", "k", "1", "m"]], [["ZREM", "k", "zz"]]],
  ["ZREMRANGEBYSCORE none", [["ZADD", "k", "1", "m"]], [["ZREMRANGEBYSCORE", "k", "5", "6"]]],
  ["ZUNIONSTORE into it", [["ZADD", "s", "1", "m"]], [["ZUNIONSTORE", "k", "1", "s"]]],
  ["XADD", [["XADD", "k", "1-1", "f", "v"]], [["XADD", "k", "2-1", "f", "v"]]],
  ["XTRIM nothing", [["XADD", "k", "1-1", "f", "v"]], [["XTRIM", "k", "MAXLEN", "10"]]],
  ["XGROUP CREATE", [["XADD", "k", "1-1", "f", "v"]], [["XGROUP", "CREATE", "k", "g", "0"]]],
  ...[
    ["XGROUP", "SETID", "k", "g", "0"],
    ["XGROUP", "CREATECONSUMER", "k", "g", "c2"],
    ["XGROUP", "DELCONSUMER", "k", "g", "c"],
    ["XGROUP", "DESTROY", "k", "g"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "k", ">"],
    ["XACK", "k", "g", "1-1"],
    ["XCLAIM", "k", "g", "c3", "0", "1-1"],
    ["XAUTOCLAIM", "k", "g", "c4", "0", "0"],
    ["XSETID", "k", "5-0"],
    ["XDEL", "k", "1-1"],
  ].map((cmd): [string, string[][], string[][]] => [
    cmd.slice(0, 2).join(" "),
    [
      ["XADD", "k", "1-1", "f", "v"],
      ["XGROUP", "CREATE", "k", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"],
    ],
    [cmd],
  ]),
  ["PFCOUNT", [["PFADD", "k", "a", "b"]], [["PFCOUNT", "k"]]],
  ["OBJECT FREQ", [["SET", "k", "1"]], [["OBJECT", "FREQ", "k"]]],
  ["GETEX EX", [["SET", "k", "1"]], [["GETEX", "k", "EX", "100"]]],
  ["EXPIRE XX without a TTL", [["SET", "k", "1"]], [["EXPIRE", "k", "100", "XX"]]],
  ["HINCRBYFLOAT 0", [["HSET", "k", "f", "1"]], [["HINCRBYFLOAT", "k", "f", "0"]]],
  ["SPOP 0", [["SADD", "k", "m"]], [["SPOP", "k", "0"]]],
  ["ZADD XX same", [["ZADD", "k", "1", "m"]], [["ZADD", "k", "XX", "1", "m"]]],
  ["ZADD GT lower", [["ZADD", "k", "1", "m"]], [["ZADD", "k", "GT", "0", "m"]]],
  ["LINSERT missing pivot", [["RPUSH", "k", "a"]], [["LINSERT", "k", "BEFORE", "zz", "y"]]],
  ["SET KEEPTTL", [["SET", "k", "1"]], [["SET", "k", "v", "KEEPTTL"]]],
  ["MSETNX existing", [["SET", "k", "1"]], [["MSETNX", "k", "2"]]],
  ["LPUSHX missing", [], [["LPUSHX", "k", "x"]]],
  ["SMOVE onto itself", [["SADD", "k", "m"]], [["SMOVE", "k", "k", "m"]]],
  ["RENAME onto itself", [["SET", "k", "1"]], [["RENAME", "k", "k"]]],
  ["PFADD no change", [["PFADD", "k", "a"]], [["PFADD", "k", "a"]]],
  ["PFADD change", [["PFADD", "k", "a"]], [["PFADD", "k", "b"]]],
  ["SETBIT same bit", [["SETBIT", "k", "1", "1"]], [["SETBIT", "k", "1", "1"]]],
  ["BITOP into it", [["SET", "s", "a"]], [["BITOP", "NOT", "k", "s"]]],
  ["SORT STORE into it", [["RPUSH", "s", "2", "1"]], [["SORT", "s", "STORE", "k"]]],
  ["GEOADD", [], [["GEOADD", "k", "13.361389", "38.115556", "Palermo"]]],
  ["RESTORE REPLACE", [["SET", "k", "1"], ["SET", "s", "2"]], [["DEL", "s"]]],
  ["FLUSHDB", [["SET", "k", "1"]], [["FLUSHDB"]]],
  ["FLUSHDB of a missing key", [["SET", "other", "1"]], [["FLUSHDB"]]],
  ["FLUSHALL", [["SET", "k", "1"]], [["FLUSHALL"]]],
  ["FLUSHDB of another database", [["SET", "k", "1"]], [["SELECT", "1"], ["FLUSHDB"]]],
  ["SWAPDB with the key", [["SET", "k", "1"]], [["SWAPDB", "0", "1"]]],
  ["SWAPDB bringing the key", [["SELECT", "1"], ["SET", "k", "1"]], [["SWAPDB", "0", "1"]]],
  ["SWAPDB without the key", [["SET", "other", "1"]], [["SWAPDB", "0", "1"]]],
  ["SWAPDB of other databases", [["SET", "k", "1"]], [["SWAPDB", "1", "2"]]],
  ["SWAPDB of a database with itself", [["SET", "k", "1"]], [["SWAPDB", "0", "0"]]],
  ["MOVE into it", [["SELECT", "1"], ["SET", "k", "1"]], [["MOVE", "k", "0"]]],
  ["MOVE refused", [["SET", "k", "1"], ["SELECT", "1"], ["SET", "k", "2"]], [["MOVE", "k", "0"]]],
];

oracleTest("oracle: which writes between WATCH and EXEC abort it", async (o) => {
  for (const [name, setup, between] of TOUCH_CASES) {
    await scenario(o, name, watched(setup, between));
  }
});

oracleTest("oracle: WATCH and keys that expire", async (o) => {
  // Expires after WATCH: EXEC aborts, deleted or not (isWatchedKeyExpired). SET and WATCH
  // go in one write, so a stalled machine cannot let the key expire before the WATCH (that is
  // the next case: already expired when watched).
  await scenario(o, "expires after WATCH", [
    { conn: 0, pipeline: [["SET", "k", "1", "PX", "500"], ["WATCH", "k"]] },
    700,
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
  ]);
  await scenario(o, "expires after WATCH, read meanwhile", [
    { conn: 0, pipeline: [["SET", "k", "1", "PX", "500"], ["WATCH", "k"]] },
    700,
    [1, "GET", "k"],
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
  ]);
  // Already expired when watched: its deletion is no change.
  await scenario(o, "expired before WATCH", [
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    [1, "SET", "k", "1", "PX", "20"],
    150,
    [0, "WATCH", "k"],
    [1, "GET", "k"],
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "1"],
  ]);
  await scenario(o, "expired before WATCH, then set", [
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    [1, "SET", "k", "1", "PX", "20"],
    150,
    [0, "WATCH", "k"],
    [1, "SET", "k", "2"],
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "1"],
  ]);
  await scenario(o, "expired before WATCH, then FLUSHDB", [
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    [1, "SET", "k", "1", "PX", "20"],
    150,
    [0, "WATCH", "k"],
    [1, "FLUSHDB"],
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "1"],
  ]);
  await scenario(o, "SWAPDB brings an expired key", [
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "0"],
    [1, "SELECT", "1"],
    [1, "SET", "k", "1", "PX", "20"],
    150,
    [0, "WATCH", "k"],
    [1, "SWAPDB", "0", "1"],
    [0, "MULTI"],
    [0, "PING"],
    [0, "EXEC"],
    [1, "DEBUG", "SET-ACTIVE-EXPIRE", "1"],
  ]);
});

oracleTest("oracle: pipelined transactions", async (o) => {
  await o.samePipelined([
    ["MULTI"],
    ["SET", "a", "1"],
    ["INCR", "a"],
    ["GET", "a"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "a"],
    ["GET", "a"],
    ["EXEC"],
    ["WATCH", "a"],
    ["SET", "a", "5"],
    ["MULTI"],
    ["GET", "a"],
    ["EXEC"],
    ["MULTI"],
    ["RPUSH", "l", "a", "b", "c"],
    ["LRANGE", "l", "0", "-1"],
    ["LPOP", "l", "2"],
    ["EXEC"],
    ["PING"],
  ]);
});

/** The fields about transactions of one CLIENT LIST / CLIENT INFO line. */
function txFields(line: string): string {
  return line.split(" ").filter((f) => /^(flags|multi|multi-mem)=/.test(f)).join(" ");
}

/** txFields of the client named `name`, seen from connection `c` (CLIENT LIST). */
async function clientFields(c: RespClient, name: string): Promise<string> {
  const list = decode(await c.call("CLIENT", "LIST")) as string;
  const line = list.split("\n").find((l) => l.includes(` name=${name} `));
  if (line === undefined) throw new Error(`no client named ${name} in ${list}`);
  return txFields(line);
}

oracleTest("oracle: CLIENT LIST flags, multi and multi-mem", async (o) => {
  const [a, b] = await o.connectPair();
  const [a2, b2] = await o.connectPair();
  try {
    const both = async (...args: string[]) => {
      const [x, y] = await Promise.all([a.call(...args), b.call(...args)]);
      assertEquals(x, y, JSON.stringify(args));
      return y;
    };
    const fields = async (what: string) => {
      const [x, y] = [await clientFields(a2, "tx"), await clientFields(b2, "tx")];
      assertEquals(x, y, what);
      return y;
    };
    await both("CLIENT", "SETNAME", "tx");
    assertEquals(await fields("idle"), "flags=N multi=-1 multi-mem=0");
    await both("WATCH", "k1", "k2");
    await fields("watching");
    await Promise.all([a2.call("SET", "k1", "x"), b2.call("SET", "k1", "x")]);
    assertEquals(await fields("dirty"), "flags=d multi=-1 multi-mem=0");
    await both("MULTI");
    await both("SET", "key", "value");
    assertEquals(await fields("dirty, in MULTI: nothing kept"), "flags=xd multi=0 multi-mem=0");
    await both("EXEC");
    await both("MULTI");
    await fields("in MULTI");
    await both("SET", "key", "value");
    await both("HSET", "h", "f", "v", "g", "w");
    await fields("two queued");
    await both("CLIENT", "INFO");
    await both("PING");
    // CLIENT INFO inside EXEC: still in MULTI, the running command is EXEC.
    const [x, y] = await Promise.all([a.call("EXEC"), b.call("EXEC")]);
    const inside = (raw: string) => {
      const line = String((decode(raw) as string[])[2]);
      return `${txFields(line)} ${line.split(" ").find((f) => f.startsWith("cmd="))}`;
    };
    assertEquals(inside(x), inside(y), "CLIENT INFO inside EXEC");
    assertEquals(inside(y), "flags=x multi=4 multi-mem=130 cmd=exec");
    const cmd = async (c: RespClient) =>
      (decode(await c.call("CLIENT", "LIST")) as string).split("\n")
        .find((l) => l.includes(" name=tx "))!.split(" ").find((f) => f.startsWith("cmd="));
    assertEquals(await cmd(a2), await cmd(b2), "the last command after EXEC");
    await fields("after EXEC");
    await both("MULTI");
    await both("SET", "key", "value");
    await both("SET", "x");
    await both("SET", "key", "value");
    assertEquals(await fields("doomed"), "flags=x multi=1 multi-mem=35");
    await both("EXEC");
  } finally {
    for (const c of [a, b, a2, b2]) c.close();
  }
});

oracleTest("oracle: COMMAND INFO and DOCS of the transactions group", async (o) => {
  for (const name of ["multi", "exec", "discard", "watch", "unwatch"]) {
    await o.same("COMMAND", "INFO", name);
    await o.same("COMMAND", "DOCS", name);
  }
  await o.same("COMMAND", "GETKEYS", "WATCH", "a", "b");
});

oracleTest("oracle: commandstats and errorstats of transactions", async (o) => {
  const stats = async (c: RespClient) => {
    const m = parseInfo(decode(await c.call("INFO", "commandstats")) as string);
    const e = parseInfo(decode(await c.call("INFO", "errorstats")) as string);
    const strip = (v: string) => v.replace(/usec=\d+,usec_per_call=[\d.]+,/, "");
    return [...m, ...e].filter(([k]) => !k.includes("info") && !k.includes("config"))
      .map(([k, v]) => `${k}:${strip(v)}`).sort();
  };
  await o.sameAll([
    ["CONFIG", "RESETSTAT"],
    ["MULTI"],
    ["SET", "a", "1"],
    ["LPUSH", "a", "x"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "a"],
    ["EXEC"],
    ["EXEC"],
    ["MULTI"],
    ["SAVE"],
    ["MULTI"],
    ["DISCARD"],
    ["EXEC", "x"],
    ["MULTI"],
    ["EXEC", "x"],
    ["WATCH"],
  ]);
  assertEquals(await stats(o.redeno), await stats(o.redis));
  const total = async (c: RespClient) =>
    parseInfo(decode(await c.call("INFO", "stats")) as string).get("total_commands_processed");
  // Not equal to Redis's absolute count (test harness commands differ): compare the growth.
  const [r0, s0] = [await total(o.redeno), await total(o.redis)];
  await o.sameAll([["MULTI"], ["SET", "a", "1"], ["GET", "a"], ["PING"], ["EXEC"]]);
  const [r1, s1] = [await total(o.redeno), await total(o.redis)];
  assertEquals(Number(r1) - Number(r0), Number(s1) - Number(s0));
});

oracleTest("oracle: what MONITOR shows of transactions", async (o) => {
  const feed = async (port: number): Promise<string[]> => {
    const m = await RespClient.connect(port);
    const c = await RespClient.connect(port);
    try {
      await m.call("MONITOR");
      for (
        const cmd of [
          ["MULTI"],
          ["SET", "a", "1"],
          ["GET", "a"],
          ["EXEC"],
          ["MULTI"],
          ["SET", "a"],
          ["EXEC"],
          ["EXEC", "x"],
          ["MULTI"],
          ["DISCARD"],
          ["WATCH", "a"],
          ["UNWATCH"],
          ["PING"],
        ]
      ) await c.call(...cmd);
      // PING is the last command: once it shows, everything before it has.
      let lines: string[] = [];
      for (let tries = 0; !lines.some((l) => l.endsWith('"PING"')) && tries < 200; tries++) {
        lines.push(...(await m.drain(50)).data.split("\r\n"));
        lines = lines.filter((l) => l !== "");
      }
      // Without the timestamp and the client's address.
      return lines.map((l) => l.replace(/^\+[\d.]+ \[\d+ [^\]]+\] /, ""));
    } finally {
      m.close();
      c.close();
    }
  };
  assertEquals(await feed(o.redenoServer.port), await feed(o.redisServer.port));
});
