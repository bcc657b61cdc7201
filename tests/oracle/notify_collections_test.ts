/**
 * Keyspace events of the list, blocking-pop, set and hash commands, compared
 * with Redis 7.0.15's own: the same commands on both servers, the same event
 * stream (every __keyspace/__keyevent message, in order). Covers no-ops
 * (nothing fired), errors, containers that empty, other databases and
 * blocked clients served later (whose events Redis fires when it serves them).
 */
import { assertEquals } from "@std/assert";
import { type EventOracle, eventTest } from "../support/events.ts";
import { Twins } from "../support/twins.ts";

/**
 * Runs `cmd` on both servers without comparing replies (a random pick such
 * as SPOP of a few members); the events are compared by the next step.
 */
async function both(e: EventOracle, ...cmd: string[]): Promise<void> {
  await Promise.all([e.oracle.redeno.call(...cmd), e.oracle.redis.call(...cmd)]);
}

eventTest("notify: list pushes, pops and edits", async (e) => {
  await e.same([
    ["LPUSH", "l", "a", "b", "c"],
    ["RPUSH", "l", "d", "e"],
    ["LPUSHX", "nokey", "x"],
    ["RPUSHX", "nokey", "x", "y"],
    ["LPUSHX", "l", "x", "y"],
    ["RPUSHX", "l", "z"],
  ]);
  await e.same([
    ["LPOP", "l"],
    ["RPOP", "l"],
    ["LPOP", "l", "2"],
    ["RPOP", "l", "1"],
    ["LPOP", "l", "0"],
    ["RPOP", "l", "0"],
    ["LPOP", "nokey"],
    ["RPOP", "nokey", "3"],
    ["LPOP", "l", "-1"],
    ["LPOP", "l", "x"],
  ]);
  // Popping the last elements deletes the key: the pop, then "del".
  await e.same([["RPOP", "l", "100"], ["EXISTS", "l"]]);
  await e.same([["RPUSH", "one", "x"], ["LPOP", "one"], ["RPUSH", "one", "x"], ["RPOP", "one"]]);
  await e.same([
    ["RPUSH", "l", "a", "b", "c", "b"],
    ["LSET", "l", "1", "B"],
    ["LSET", "l", "-1", "BB"],
    ["LSET", "l", "10", "x"],
    ["LSET", "nokey", "0", "x"],
    ["LSET", "l", "x", "x"],
    ["LINSERT", "l", "BEFORE", "c", "x"],
    ["LINSERT", "l", "AFTER", "c", "y"],
    ["LINSERT", "l", "AFTER", "nope", "y"],
    ["LINSERT", "nokey", "AFTER", "c", "y"],
    ["LINSERT", "l", "MIDDLE", "c", "y"],
  ]);
  await e.same([
    ["RPUSH", "r", "a", "b", "a", "c", "a"],
    ["LREM", "r", "1", "a"],
    ["LREM", "r", "-1", "a"],
    ["LREM", "r", "0", "zz"],
    ["LREM", "nokey", "0", "a"],
    ["LREM", "r", "0", "b"],
    ["LREM", "r", "x", "b"],
    ["LREM", "r", "0", "a"],
    ["LREM", "r", "0", "c"],
    ["EXISTS", "r"],
  ]);
  // LTRIM fires even when it trims nothing; emptied: "ltrim" then "del".
  await e.same([
    ["RPUSH", "t", "1", "2", "3", "4", "5"],
    ["LTRIM", "t", "1", "-2"],
    ["LTRIM", "t", "0", "-1"],
    ["LTRIM", "nokey", "0", "1"],
    ["LTRIM", "t", "x", "1"],
    ["LTRIM", "t", "5", "10"],
    ["EXISTS", "t"],
    ["RPUSH", "t", "1", "2"],
    ["LTRIM", "t", "-1", "-2"],
  ]);
});

eventTest("notify: LMOVE, RPOPLPUSH and LMPOP", async (e) => {
  await e.same([
    ["RPUSH", "src", "a", "b", "c"],
    // To a new destination: "new" and the push on it come before the pop.
    ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
    ["LMOVE", "src", "dst", "RIGHT", "LEFT"],
    ["RPOPLPUSH", "src", "dst"],
    ["EXISTS", "src"],
  ]);
  await e.same([
    // The same key: a rotation, never a "del".
    ["LMOVE", "dst", "dst", "LEFT", "RIGHT"],
    ["RPOPLPUSH", "dst", "dst"],
    ["RPUSH", "single", "x"],
    ["LMOVE", "single", "single", "LEFT", "LEFT"],
    ["LMOVE", "nokey", "dst", "LEFT", "RIGHT"],
    ["RPOPLPUSH", "nokey", "dst"],
    ["SET", "str", "v"],
    ["LMOVE", "dst", "str", "LEFT", "RIGHT"],
    ["LMOVE", "str", "dst", "LEFT", "RIGHT"],
    ["RPOPLPUSH", "dst", "str"],
    ["LMOVE", "dst", "x", "UP", "RIGHT"],
    ["LRANGE", "dst", "0", "-1"],
  ]);
  await e.same([
    ["RPUSH", "m1", "a", "b", "c", "d"],
    ["LMPOP", "2", "nokey", "m1", "LEFT"],
    ["LMPOP", "1", "m1", "RIGHT", "COUNT", "2"],
    ["LMPOP", "2", "nokey", "other", "LEFT"],
    ["LMPOP", "1", "m1", "LEFT", "COUNT", "10"],
    ["LMPOP", "1", "str", "LEFT"],
    ["LMPOP", "0", "m1", "LEFT"],
    ["LMPOP", "1", "m1", "LEFT", "COUNT", "0"],
  ]);
  // WRONGTYPE everywhere: nothing fired.
  await e.same([
    ["LPUSH", "str", "x"],
    ["LPOP", "str"],
    ["LSET", "str", "0", "x"],
    ["LINSERT", "str", "BEFORE", "a", "b"],
    ["LTRIM", "str", "0", "1"],
    ["LREM", "str", "0", "a"],
  ]);
  // Reads fire only "keymiss" for missing keys.
  await e.same([
    ["LRANGE", "nokey", "0", "-1"],
    ["LINDEX", "nokey", "0"],
    ["LLEN", "nokey"],
    ["LPOS", "nokey", "a"],
    ["RPUSH", "rl", "a"],
    ["LRANGE", "rl", "0", "-1"],
    ["LINDEX", "rl", "0"],
    ["LLEN", "rl"],
    ["LPOS", "rl", "a"],
  ]);
});

eventTest("notify: blocking pops served at once, and inside MULTI", async (e) => {
  await e.same([
    ["RPUSH", "l", "a", "b", "c", "d", "e", "f", "g"],
    ["BLPOP", "nokey", "l", "0"],
    ["BRPOP", "l", "nokey", "0"],
    ["BRPOPLPUSH", "l", "d", "0"],
    ["BLMOVE", "l", "d", "RIGHT", "LEFT", "0"],
    ["BLMPOP", "0", "2", "nokey", "l", "LEFT", "COUNT", "2"],
    ["BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "10"],
    ["EXISTS", "l"],
    ["RPUSH", "one", "x"],
    ["BLPOP", "one", "0"],
    ["RPUSH", "one", "x"],
    ["BLMOVE", "one", "one2", "LEFT", "LEFT", "0"],
    ["SET", "str", "v"],
    ["BLPOP", "str", "0"],
    ["BLMOVE", "one2", "str", "LEFT", "LEFT", "0"],
    ["BLPOP", "l", "-1"],
  ]);
  await e.same([
    ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
    ["BZPOPMIN", "nokey", "z", "0"],
    ["BZPOPMAX", "z", "0"],
    ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"],
    ["BZMPOP", "0", "2", "nokey", "z", "MAX", "COUNT", "9"],
    ["EXISTS", "z"],
    ["BZPOPMIN", "str", "0"],
  ]);
  // Inside MULTI nothing blocks: an empty key times out at once, silently.
  await e.same([
    ["MULTI"],
    ["BLPOP", "empty", "0"],
    ["BLMOVE", "empty", "d", "LEFT", "LEFT", "0"],
    ["BZPOPMIN", "empty", "0"],
    ["RPUSH", "q", "1"],
    ["BLPOP", "q", "0"],
    ["EXEC"],
  ]);
});

/**
 * Runs `fn` with `n` extra client pairs, for clients that block while the
 * main client changes the keys they wait for.
 */
function blockedTest(name: string, n: number, fn: (e: EventOracle, t: Twins) => Promise<void>) {
  eventTest(`notify: blocked clients: ${name}`, async (e) => {
    const t = await Twins.open(e.oracle, n);
    try {
      await fn(e, t);
    } finally {
      t.close();
    }
  });
}

blockedTest("BLPOP and BRPOP served by a push", 2, async (e, t) => {
  await t.send(0, "BLPOP", "bl", "other", "0");
  await t.blocked(1);
  // The push ("new", "lpush"), then the served pop and the "del" of the emptied list.
  await e.same([["LPUSH", "bl", "x"]]);
  await t.reply(0);
  await t.send(0, "BRPOP", "other", "bl", "0");
  await t.blocked(1); // client 0 first: it is served first
  await t.send(1, "BLPOP", "bl", "0");
  await t.blocked(2);
  // Both waiters served from one push of three: two pops, no "del".
  await e.same([["RPUSH", "bl", "a", "b", "c"]]);
  await t.reply(0);
  await t.reply(1);
  await e.same([["LRANGE", "bl", "0", "-1"]]);
});

blockedTest("BLMOVE, BRPOPLPUSH and BLMPOP served later, and a chain", 2, async (e, t) => {
  await t.send(0, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
  await t.blocked(1);
  await e.same([["RPUSH", "src", "a"]]);
  await t.reply(0);
  await t.send(0, "BRPOPLPUSH", "src", "dst", "0");
  await t.blocked(1);
  await e.same([["RPUSH", "src", "a", "b"]]);
  await t.reply(0);
  await t.send(0, "BLMPOP", "0", "2", "m1", "m2", "LEFT", "COUNT", "2");
  await t.blocked(1);
  await e.same([["RPUSH", "m2", "1", "2", "3"]]);
  await t.reply(0);
  await t.send(0, "BLMPOP", "0", "1", "m3", "RIGHT", "COUNT", "5");
  await t.blocked(1);
  await e.same([["RPUSH", "m3", "1", "2"]]);
  await t.reply(0);
  // Client 1 waits on what client 0's BLMOVE pushes to: served in the same round.
  await t.send(0, "BLMOVE", "c1", "c2", "LEFT", "RIGHT", "0");
  await t.blocked(1);
  await t.send(1, "BLPOP", "c2", "0");
  await t.blocked(2);
  await e.same([["LPUSH", "c1", "v"]]);
  await t.reply(0);
  await t.reply(1);
  await e.same([["EXISTS", "c1", "c2"], ["LRANGE", "dst", "0", "-1"]]);
});

blockedTest("BLMOVE onto itself or onto another type, BLPOP on another type", 2, async (e, t) => {
  await t.send(0, "BLMOVE", "same", "same", "LEFT", "RIGHT", "0");
  await t.blocked(1);
  await e.same([["RPUSH", "same", "a"]]);
  await t.reply(0);
  await e.same([["SET", "str", "v"]]);
  await t.send(0, "BLMOVE", "src", "str", "LEFT", "RIGHT", "0");
  await t.blocked(1);
  await e.same([["RPUSH", "src", "a"]]);
  await t.reply(0);
  await e.same([["LRANGE", "src", "0", "-1"], ["GET", "str"]]);
  // A waiter whose key gets another type keeps waiting, silently.
  await t.send(1, "BLPOP", "other", "0");
  await t.blocked(1);
  await e.same([["SET", "other", "v"], ["DEL", "other"], ["RPUSH", "other", "a", "b"]]);
  await t.reply(1);
});

blockedTest("BZPOPMIN, BZPOPMAX and BZMPOP served by ZADD", 1, async (e, t) => {
  await t.send(0, "BZPOPMIN", "z", "0");
  await t.blocked(1);
  await e.same([["ZADD", "z", "1", "a"]]);
  await t.reply(0);
  await t.send(0, "BZPOPMAX", "z", "0");
  await t.blocked(1);
  await e.same([["ZADD", "z", "1", "a", "2", "b"]]);
  await t.reply(0);
  await e.same([["DEL", "z"]]);
  await t.send(0, "BZMPOP", "0", "1", "z", "MAX", "COUNT", "5");
  await t.blocked(1);
  await e.same([["ZADD", "z", "1", "a", "2", "b"]]);
  await t.reply(0);
});

blockedTest("in another database, and served after EXEC", 1, async (e, t) => {
  await t.call(0, "SELECT", "5");
  await t.send(0, "BLPOP", "k", "0");
  await t.blocked(1);
  // A push in db 0 does not serve it; one in db 5 does, with db 5's channels.
  await e.same([["RPUSH", "k", "zero"], ["SELECT", "5"], ["RPUSH", "k", "five"], ["SELECT", "0"]]);
  await t.reply(0);
  await t.send(0, "BRPOP", "k", "0");
  await t.blocked(1);
  // Served after the transaction, once every queued command has fired.
  await e.same([
    ["SELECT", "5"],
    ["MULTI"],
    ["RPUSH", "k", "a"],
    ["RPUSH", "k", "b"],
    ["LPOP", "k"],
    ["EXEC"],
    ["SELECT", "0"],
  ]);
  await t.reply(0);
  await e.same([["LRANGE", "k", "0", "-1"]]);
});

blockedTest("served after SWAPDB, RENAME, COPY, MOVE and SORT STORE", 1, async (e, t) => {
  await t.call(0, "SELECT", "5");
  await t.send(0, "BLPOP", "k", "0");
  await t.blocked(1);
  // The list comes from db 3: the pop fires in db 5, where the client waits.
  await e.same([["SELECT", "3"], ["RPUSH", "k", "a"], ["SWAPDB", "3", "5"], ["SELECT", "0"]]);
  await t.reply(0);
  await t.call(0, "SELECT", "0");
  const steps: string[][][] = [
    [["RPUSH", "src", "a", "b"], ["RENAME", "src", "k"]],
    [["RPUSH", "src", "a"], ["COPY", "src", "k"]],
    [["SELECT", "1"], ["RPUSH", "k", "a"], ["MOVE", "k", "0"], ["SELECT", "0"]],
    [["RPUSH", "src", "3", "1", "2"], ["SORT", "src", "STORE", "k"]],
  ];
  for (const step of steps) {
    await t.send(0, "BRPOP", "k", "0");
    await t.blocked(1);
    await e.same(step);
    await t.reply(0);
    await e.same([["DEL", "k", "src"]]);
  }
});

eventTest("notify: list commands in other databases", async (e) => {
  await e.same([
    ["SELECT", "3"],
    ["RPUSH", "l", "a", "b"],
    ["LMOVE", "l", "l2", "LEFT", "LEFT"],
    ["LPOP", "l"],
    ["SELECT", "9"],
    ["SADD", "s", "a"],
    ["HSET", "h", "f", "v"],
    ["SELECT", "0"],
    ["RPUSH", "l", "zero"],
  ]);
});

eventTest("notify: SADD, SREM, SMOVE and SPOP", async (e) => {
  await e.same([
    ["SADD", "s", "1", "2", "3"],
    ["SADD", "s", "3"],
    ["SADD", "s", "3", "4"],
    ["SREM", "s", "9"],
    ["SREM", "nokey", "1"],
    ["SREM", "s", "1", "9"],
    ["SREM", "s", "2", "3", "4", "5"],
    ["EXISTS", "s"],
  ]);
  await e.same([
    ["SADD", "a", "x", "y"],
    ["SADD", "b", "y"],
    ["SMOVE", "a", "b", "x"],
    ["SMOVE", "a", "b", "nope"],
    ["SMOVE", "nokey", "b", "x"],
    ["SMOVE", "b", "b", "x"],
    ["SMOVE", "b", "b", "nope"],
    // The source empties ("srem", "del") and the destination has it already (no "sadd").
    ["SMOVE", "a", "b", "y"],
    ["SMOVE", "b", "c", "x"],
    ["SET", "str", "v"],
    ["SMOVE", "b", "str", "y"],
    ["SMOVE", "str", "b", "y"],
    ["SMEMBERS", "c"],
  ]);
  await e.same([
    ["SADD", "p", "only"],
    ["SPOP", "p"],
    ["SPOP", "p"],
    ["SPOP", "nokey", "2"],
    ["SADD", "p", "1", "2", "3"],
    ["SPOP", "p", "0"],
    ["SPOP", "p", "-1"],
    ["SPOP", "p", "x"],
    ["SPOP", "p", "3"],
    ["EXISTS", "p"],
    ["SADD", "p", "1", "2", "3"],
    ["SPOP", "p", "10"],
    ["SPOP", "str"],
    ["SPOP", "str", "1"],
  ]);
  // Random picks: replies differ, events do not.
  await e.same([["SADD", "q", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]]);
  await both(e, "SPOP", "q");
  await both(e, "SPOP", "q", "2");
  await both(e, "SPOP", "q", "6");
  await both(e, "SRANDMEMBER", "q", "3");
  await e.sameEvents("SPOP with counts");
  // The last member: "spop", then "del".
  await e.same([["SCARD", "q"]]);
  await both(e, "SPOP", "q", "1");
  await e.sameEvents("SPOP of the last member");
  await e.same([["EXISTS", "q"]]);
});

eventTest("notify: SINTERSTORE, SUNIONSTORE, SDIFFSTORE and the reads", async (e) => {
  await e.same([
    ["SADD", "a", "1", "2", "3"],
    ["SADD", "b", "2", "3", "4"],
    // A new destination: "new", then the command's event.
    ["SINTERSTORE", "i", "a", "b"],
    ["SUNIONSTORE", "u", "a", "b"],
    ["SDIFFSTORE", "d", "a", "b"],
    // Overwriting: the event alone.
    ["SINTERSTORE", "i", "a", "b"],
    ["SUNIONSTORE", "i", "a"],
    ["SDIFFSTORE", "i", "b", "a"],
  ]);
  await e.same([
    // Empty results: "del" when the destination existed, nothing otherwise.
    ["SINTERSTORE", "i", "a", "nokey"],
    ["SINTERSTORE", "i", "a", "nokey"],
    ["SDIFFSTORE", "d", "a", "a"],
    ["SDIFFSTORE", "d", "a", "a"],
    ["SUNIONSTORE", "u", "nokey", "nokey2"],
    ["SUNIONSTORE", "u", "nokey"],
    ["SADD", "c", "9"],
    ["SINTERSTORE", "i", "a", "c"],
    ["SUNIONSTORE", "x", "a", "c"],
    ["SINTERSTORE", "x", "a", "c"],
    ["SET", "str", "v"],
    ["SINTERSTORE", "x", "a", "str"],
    ["SUNIONSTORE", "x", "str"],
    ["SDIFFSTORE", "x", "a", "str"],
    ["SUNIONSTORE", "str", "a"],
    ["TYPE", "str"],
    ["SINTERSTORE", "a", "a", "b"],
    ["SMEMBERS", "a"],
  ]);
  await e.same([
    ["SISMEMBER", "nokey", "1"],
    ["SMISMEMBER", "nokey", "1"],
    ["SCARD", "nokey"],
    ["SMEMBERS", "nokey"],
    ["SINTER", "a", "nokey", "nokey2"],
    ["SUNION", "nokey", "a"],
    ["SDIFF", "nokey", "a"],
    ["SINTERCARD", "2", "a", "nokey"],
    ["SRANDMEMBER", "nokey"],
    ["SSCAN", "nokey", "0"],
    ["SISMEMBER", "a", "2"],
  ]);
});

/** Waits until a key with a PX 1 expiry has certainly expired on both servers' clocks. */
function expiry(): Promise<void> {
  return new Promise((r) => setTimeout(r, 5));
}

eventTest(
  'notify: writes over expired keys ("expired", then "new")',
  async (e) => {
    // Active expiry off: it would reclaim a key at no fixed time, before or
    // after the keymiss events of a STORE command's sources.
    await e.same([["DEBUG", "SET-ACTIVE-EXPIRE", "0"]]);
    await e.same([["SADD", "a", "1", "2", "3"], ["RPUSH", "src", "y", "z"]]);
    const writes: [key: string, cmd: string[]][] = [
      ["l", ["LPUSH", "l", "x"]],
      ["l", ["RPUSHX", "l", "x"]],
      ["l", ["LMOVE", "src", "l", "LEFT", "LEFT"]],
      ["src", ["LMOVE", "src", "l", "LEFT", "LEFT"]],
      ["s", ["SADD", "s", "x"]],
      ["s", ["SMOVE", "a", "s", "1"]],
      ["d", ["SINTERSTORE", "d", "a", "a"]],
      ["d", ["SUNIONSTORE", "d", "a"]],
      ["d", ["SDIFFSTORE", "d", "a", "nokey"]],
      ["d", ["SDIFFSTORE", "a", "a", "d"]],
      ["h", ["HSET", "h", "f", "v"]],
      ["h", ["HINCRBY", "h", "f", "1"]],
      ["h", ["HINCRBYFLOAT", "h", "f", "1.5"]],
      ["h", ["HSETNX", "h", "f", "v"]],
      ["h", ["HDEL", "h", "f"]],
    ];
    // One expired key per step, reclaimed by the write's own lookup.
    for (const [key, cmd] of writes) {
      await e.oracle.same("SET", key, "v", "PX", "1");
      await expiry();
      await e.same([cmd]);
    }
  },
  "KEAmn",
  { args: ["--enable-debug-command", "yes"] },
);

eventTest("notify: HSET, HSETNX, HDEL and the increments", async (e) => {
  await e.same([
    ["HSET", "h", "f1", "v1", "f2", "v2"],
    ["HSET", "h", "f1", "v1"],
    ["HMSET", "h", "f3", "v3"],
    ["HMSET", "h2", "f", "v"],
    ["HSET", "h", "f1"],
    ["HSETNX", "h", "f1", "x"],
    ["HSETNX", "h", "new", "x"],
    ["HSETNX", "h3", "f", "x"],
  ]);
  await e.same([
    ["HDEL", "h", "nope"],
    ["HDEL", "nokey", "f"],
    ["HDEL", "h", "f1", "nope"],
    ["HDEL", "h", "f2", "f3", "new", "more"],
    ["EXISTS", "h"],
    ["HDEL", "h2", "f"],
  ]);
  await e.same([
    ["HINCRBY", "n", "a", "5"],
    ["HINCRBY", "n", "a", "-2"],
    ["HINCRBY", "n", "b", "1"],
    ["HINCRBY", "n", "a", "x"],
    ["HINCRBY", "n", "a", "9223372036854775807"],
    ["HSET", "n", "s", "abc", "f", "1.5"],
    ["HINCRBY", "n", "s", "1"],
    ["HINCRBY", "nokey", "a", "x"],
    ["HINCRBYFLOAT", "n", "f", "1.25"],
    ["HINCRBYFLOAT", "n", "g", "2"],
    ["HINCRBYFLOAT", "nf", "g", "2.5e3"],
    ["HINCRBYFLOAT", "n", "s", "1"],
    ["HINCRBYFLOAT", "n", "f", "x"],
    ["HINCRBYFLOAT", "n", "f", "inf"],
    ["HINCRBYFLOAT", "nokey", "f", "nan"],
    ["HINCRBYFLOAT", "n", "f", "1e308"],
    ["HINCRBYFLOAT", "n", "f", "1e308"],
  ]);
  await e.same([
    ["SET", "str", "v"],
    ["HSET", "str", "f", "v"],
    ["HSETNX", "str", "f", "v"],
    ["HDEL", "str", "f"],
    ["HINCRBY", "str", "f", "1"],
    ["HINCRBYFLOAT", "str", "f", "1"],
  ]);
  // Reads: nothing but "keymiss" for a missing key (HRANDFIELD included).
  await e.same([
    ["HGET", "nokey", "f"],
    ["HMGET", "nokey", "f"],
    ["HGETALL", "nokey"],
    ["HKEYS", "nokey"],
    ["HVALS", "nokey"],
    ["HLEN", "nokey"],
    ["HEXISTS", "nokey", "f"],
    ["HSTRLEN", "nokey", "f"],
    ["HRANDFIELD", "nokey"],
    ["HRANDFIELD", "nokey", "2", "WITHVALUES"],
    ["HSCAN", "nokey", "0"],
    ["HGET", "n", "a"],
    ["HLEN", "n"],
  ]);
  await both(e, "HRANDFIELD", "n", "-3", "WITHVALUES");
  await both(e, "HRANDFIELD", "n");
  await e.sameEvents("HRANDFIELD");
  const events = await e.same([["HSET", "hh", "f", "v"], ["HDEL", "hh", "f"]]);
  // What Redis fired, as a check that the comparisons above compare something.
  assertEquals(events, [
    ["__keyspace@0__:hh", "new"],
    ["__keyevent@0__:new", "hh"],
    ["__keyspace@0__:hh", "hset"],
    ["__keyevent@0__:hset", "hh"],
    ["__keyspace@0__:hh", "hdel"],
    ["__keyevent@0__:hdel", "hh"],
    ["__keyspace@0__:hh", "del"],
    ["__keyevent@0__:del", "hh"],
  ]);
});

eventTest("notify: only the enabled classes (l, s, h, g separately)", async (e) => {
  const steps: string[][] = [
    ["RPUSH", "l", "a"],
    ["LPOP", "l"],
    ["SADD", "s", "a"],
    ["SREM", "s", "a"],
    ["HSET", "h", "f", "v"],
    ["HDEL", "h", "f"],
    ["LPOP", "nokey"],
  ];
  for (const flags of ["Kl", "El", "Ks", "Eh", "Kg", "KEg$", "Elsh", "Em", "En", ""]) {
    await e.same([["CONFIG", "SET", "notify-keyspace-events", flags], ...steps]);
  }
});
