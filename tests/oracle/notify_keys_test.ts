/**
 * Keyspace notifications of the string, generic-key, bitmap, HyperLogLog,
 * DUMP/RESTORE and SORT commands, and of the store ("new", "expired",
 * "keymiss"), compared event by event with Redis 7.0's for the same commands.
 */
import { assert, assertEquals } from "@std/assert";
import { type Event, type EventOracle, eventTest } from "../support/events.ts";
import { Oracle } from "../support/oracle.ts";
import { startRedis } from "../support/servers.ts";
import { decode } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";

/** Runs each command as its own step, so a difference names the command that made it. */
async function steps(e: EventOracle, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) await e.same([cmd]);
}

/**
 * What both servers fired since the last step, each sorted: for events
 * whose order is Redis's hash order (several keys expiring in one cycle).
 */
async function sortedEvents(e: EventOracle): Promise<[Event[], Event[]]> {
  const [mine, theirs] = e.subs;
  const [m1, m2] = [mine.nextMarker(), theirs.nextMarker()];
  await Promise.all([
    e.oracle.redeno.call("PUBLISH", "__events_marker__", m1),
    e.oracle.redis.call("PUBLISH", "__events_marker__", m2),
  ]);
  const [a, b] = await Promise.all([mine.until(m1), theirs.until(m2)]);
  const order = (x: Event, y: Event) => (x.join("\n") < y.join("\n") ? -1 : 1);
  return [a.sort(order), b.sort(order)];
}

/** Waits until a key with a PX 1 expiry has certainly expired on both servers' clocks. */
function pastExpiry(): Promise<void> {
  return new Promise((r) => setTimeout(r, 5));
}

/** Servers that take DEBUG SET-ACTIVE-EXPIRE (active expiry off: expired keys stay until used). */
const DEBUG = { args: ["--enable-debug-command", "yes"] };

eventTest("notify: SET and its options", async (e) => {
  await steps(e, [
    ["SET", "k", "v"],
    ["SET", "k", "v2"],
    ["SET", "k", "v3", "NX"],
    ["SET", "k", "v4", "XX"],
    ["SET", "nokey", "v", "XX"],
    ["SET", "k2", "v", "NX"],
    ["SET", "k", "v", "EX", "100"],
    ["SET", "k", "v", "PX", "100000"],
    ["SET", "k", "v", "EXAT", "99999999999"],
    ["SET", "k", "v", "PXAT", "99999999999999"],
    ["SET", "k", "v", "KEEPTTL"],
    ["SET", "k", "v", "GET"],
    ["SET", "g", "v", "GET"],
    ["SET", "g", "v2", "GET", "EX", "100"],
    ["SET", "k", "v", "EX", "0"],
    ["SET", "k", "v", "EX", "abc"],
    ["SET", "k", "v", "BAD"],
    ["LPUSH", "list", "a"],
    ["SET", "list", "v", "GET"],
    ["SET", "list", "v"],
    ["SETNX", "k", "x"],
    ["SETNX", "sn", "x"],
    ["SETEX", "se", "100", "v"],
    ["SETEX", "se", "0", "v"],
    ["PSETEX", "pse", "100000", "v"],
    ["PSETEX", "pse", "-1", "v"],
  ]);
});

eventTest(
  "notify: SET with an expiry in the past",
  async (e) => {
    // The key is stored already expired: active expiry would reclaim it at no fixed time.
    await e.same([["DEBUG", "SET-ACTIVE-EXPIRE", "0"]]);
    await steps(e, [
      ["SET", "k", "v", "EXAT", "1"],
      ["SET", "k", "v", "PXAT", "1"],
      ["GET", "k"],
    ]);
  },
  "KEAmn",
  DEBUG,
);

eventTest("notify: GET, GETDEL, GETSET, GETEX, MGET, MSET, MSETNX", async (e) => {
  await steps(e, [
    ["GET", "nokey"],
    ["SET", "k", "v"],
    ["GET", "k"],
    ["GETDEL", "nokey"],
    ["GETDEL", "k"],
    ["GETSET", "k", "1"],
    ["GETSET", "k", "2"],
    ["GETEX", "nokey", "EX", "10"],
    ["GETEX", "k"],
    ["GETEX", "k", "EX", "100"],
    ["GETEX", "k", "PX", "100000"],
    ["GETEX", "k", "EXAT", "99999999999"],
    ["GETEX", "k", "PERSIST"],
    ["GETEX", "k", "PERSIST"],
    ["GETEX", "k", "EX", "0"],
    ["GETEX", "k", "PXAT", "1"],
    ["SET", "k", "v"],
    ["GETEX", "k", "EXAT", "1"],
    ["MGET", "a", "b", "a"],
    ["MSET", "a", "1", "b", "2", "a", "3"],
    ["MSET", "a", "1", "c", "2"],
    ["MSET", "a"],
    ["MGET", "a", "b", "x", "y"],
    ["MSETNX", "a", "1", "z", "2"],
    ["MSETNX", "y", "1", "z", "2", "y", "3"],
    ["LPUSH", "l", "x"],
    ["MGET", "l"],
    ["GETDEL", "l"],
    ["GETSET", "l", "v"],
    ["GETEX", "l"],
  ]);
});

eventTest("notify: counters, APPEND, SETRANGE, STRLEN, GETRANGE, LCS", async (e) => {
  await steps(e, [
    ["INCR", "n"],
    ["INCR", "n"],
    ["DECR", "n"],
    ["INCRBY", "n", "5"],
    ["DECRBY", "n", "2"],
    ["DECRBY", "m", "2"],
    ["INCRBY", "n", "x"],
    ["INCRBYFLOAT", "n", "1.5"],
    ["INCRBYFLOAT", "f", "1.5"],
    ["INCRBYFLOAT", "f", "x"],
    ["SET", "s", "abc"],
    ["INCR", "s"],
    ["INCRBYFLOAT", "s", "1"],
    ["SET", "big", "9223372036854775807"],
    ["INCR", "big"],
    ["APPEND", "s", "def"],
    ["APPEND", "s", ""],
    ["APPEND", "a", "x"],
    ["APPEND", "a2", ""],
    ["SETRANGE", "s", "1", "XY"],
    ["SETRANGE", "s", "1", ""],
    ["SETRANGE", "s2", "0", ""],
    ["SETRANGE", "s2", "3", "x"],
    ["SETRANGE", "s2", "-1", "x"],
    ["STRLEN", "nokey"],
    ["STRLEN", "s"],
    ["GETRANGE", "nokey", "0", "1"],
    ["GETRANGE", "s", "0", "1"],
    ["LCS", "s", "nokey"],
    ["LCS", "nokey", "nokey2"],
    ["LPUSH", "l", "x"],
    ["INCR", "l"],
    ["APPEND", "l", "x"],
    ["SETRANGE", "l", "0", "x"],
    // Errors fire nothing, not even "new" for a key they would have made.
    ["SETRANGE", "huge", "536870912", "x"],
    ["SETRANGE", "s", "536870912", "x"],
    ["SETBIT", "huge", "4294967296", "1"],
    ["SET", "f", "1e308"],
    ["INCRBYFLOAT", "f", "1e308"],
    ["INCRBYFLOAT", "nf", "inf"],
    ["DECRBY", "n", "-9223372036854775808"],
    ["INCRBY", "big", "1"],
  ]);
});

eventTest("notify: DEL, UNLINK, EXISTS, TYPE, TOUCH, TTL, OBJECT, DUMP", async (e) => {
  await steps(e, [
    ["MSET", "a", "1", "b", "2", "c", "3"],
    ["DEL", "a", "nokey", "b", "a"],
    ["UNLINK", "c", "nokey"],
    ["DEL", "nokey"],
    ["SET", "a", "1"],
    ["EXISTS", "a", "nokey", "nokey"],
    ["TYPE", "a"],
    ["TYPE", "nokey"],
    ["TOUCH", "a", "nokey"],
    ["TTL", "nokey"],
    ["PTTL", "nokey"],
    ["EXPIRETIME", "nokey"],
    ["PEXPIRETIME", "nokey"],
    ["TTL", "a"],
    ["OBJECT", "ENCODING", "nokey"],
    ["OBJECT", "REFCOUNT", "nokey"],
    ["OBJECT", "IDLETIME", "nokey"],
    ["OBJECT", "FREQ", "nokey"],
    ["DUMP", "nokey"],
    ["KEYS", "*"],
    ["SCAN", "0"],
    ["SCAN", "0", "TYPE", "string"],
    ["RANDOMKEY"],
    ["DBSIZE"],
  ]);
});

eventTest("notify: EXPIRE family and PERSIST", async (e) => {
  await steps(e, [
    ["SET", "k", "v"],
    ["EXPIRE", "nokey", "100"],
    ["EXPIRE", "k", "100"],
    ["PEXPIRE", "k", "100000"],
    ["EXPIREAT", "k", "99999999999"],
    ["PEXPIREAT", "k", "99999999999999"],
    ["EXPIRE", "k", "100", "NX"],
    ["EXPIRE", "k", "100", "XX"],
    ["EXPIRE", "k", "10", "GT"],
    ["EXPIRE", "k", "10", "LT"],
    ["EXPIRE", "k", "x"],
    ["EXPIRE", "k", "10", "BAD"],
    ["PERSIST", "k"],
    ["PERSIST", "k"],
    ["PERSIST", "nokey"],
    ["EXPIRE", "k", "0"],
    ["SET", "k", "v"],
    ["EXPIRE", "k", "-5"],
    ["SET", "k", "v"],
    ["PEXPIREAT", "k", "1"],
    ["SET", "k", "v"],
    ["EXPIREAT", "k", "1"],
    ["SET", "k", "v"],
    ["EXPIRE", "k", "-5", "NX"],
    ["EXPIRE", "k", "-5", "XX"],
  ]);
});

eventTest("notify: RENAME, RENAMENX, MOVE, COPY, SWAPDB, FLUSHDB, FLUSHALL", async (e) => {
  await steps(e, [
    ["SET", "a", "1"],
    ["RENAME", "a", "b"],
    ["RENAME", "b", "b"],
    ["RENAME", "nokey", "x"],
    ["SET", "c", "3"],
    ["RENAME", "b", "c"],
    ["SET", "d", "4", "EX", "100"],
    ["RENAME", "d", "e"],
    ["RENAMENX", "e", "c"],
    ["RENAMENX", "e", "f"],
    ["RENAMENX", "f", "f"],
    ["RENAMENX", "nokey", "f"],
    ["MOVE", "f", "1"],
    ["MOVE", "f", "1"],
    ["MOVE", "nokey", "1"],
    ["MOVE", "c", "0"],
    ["MOVE", "c", "99"],
    ["SET", "f", "x"],
    ["MOVE", "f", "1"],
    ["COPY", "c", "c2"],
    ["COPY", "c", "c2"],
    ["COPY", "c", "c2", "REPLACE"],
    ["COPY", "c", "c3", "DB", "2"],
    ["COPY", "c", "c3", "DB", "2", "REPLACE"],
    ["COPY", "nokey", "c3"],
    ["COPY", "c", "c"],
    ["COPY", "c", "c", "DB", "1"],
    ["SWAPDB", "0", "1"],
    ["SWAPDB", "0", "0"],
    ["SELECT", "1"],
    ["SET", "x", "1"],
    ["RENAME", "x", "y"],
    ["DEL", "y"],
    ["FLUSHDB"],
    ["FLUSHALL"],
  ]);
});

eventTest("notify: the config option", async (e) => {
  const o = e.oracle;
  for (
    const flags of [
      "KEA",
      "AKE",
      "Kl$",
      "Eg",
      "gKE",
      "A",
      "KA",
      "AKEmn",
      "Kmn",
      "g$lshzxetdKE",
      "Ag",
      "KEg$lshzxetd",
      "KEg$lshzxetdn",
      "",
      "KEb",
      "KE ",
      "m",
      "n",
      "KEAm",
      "nmEK",
    ]
  ) {
    await o.same("CONFIG", "SET", "notify-keyspace-events", flags);
    await o.same("CONFIG", "GET", "notify-keyspace-events");
  }
  assertEquals(
    await o.same("CONFIG", "GET", "notify-keyspace-events"),
    await o.same("CONFIG", "GET", "notify-keyspace-events"),
  );
});

eventTest("notify: SETBIT, BITOP, BITFIELD and the bitmap reads", async (e) => {
  await steps(e, [
    ["SETBIT", "b", "7", "1"],
    ["SETBIT", "b", "7", "1"],
    ["SETBIT", "b", "7", "0"],
    ["SETBIT", "b", "100", "0"],
    ["SETBIT", "b", "100", "0"],
    ["SETBIT", "b", "x", "1"],
    ["SETBIT", "b", "1", "2"],
    ["GETBIT", "nokey", "1"],
    ["BITCOUNT", "nokey"],
    ["BITPOS", "nokey", "0"],
    ["SET", "s", "abc"],
    ["BITOP", "AND", "d", "s", "b"],
    ["BITOP", "OR", "d", "s", "nokey"],
    ["BITOP", "NOT", "d2", "s"],
    ["BITOP", "XOR", "d", "nokey", "nokey2"],
    ["BITOP", "XOR", "d", "nokey", "nokey2"],
    ["BITOP", "BAD", "d", "s"],
    ["BITFIELD", "f", "GET", "u8", "0"],
    ["BITFIELD", "f", "SET", "u8", "0", "5"],
    ["BITFIELD", "f", "SET", "u8", "0", "5"],
    ["BITFIELD", "f", "SET", "u8", "0", "5", "INCRBY", "u8", "8", "1", "GET", "u8", "0"],
    ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
    ["BITFIELD", "f2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "300"],
    ["BITFIELD", "f", "INCRBY", "u8", "0", "0"],
    ["BITFIELD_RO", "nokey", "GET", "u8", "0"],
    ["BITFIELD", "f", "BAD"],
    ["LPUSH", "l", "x"],
    ["SETBIT", "l", "0", "1"],
    ["BITOP", "AND", "d", "l"],
    ["BITFIELD", "l", "SET", "u8", "0", "1"],
  ]);
});

eventTest("notify: PFADD, PFMERGE, PFCOUNT", async (e) => {
  await steps(e, [
    ["PFADD", "h"],
    ["PFADD", "h"],
    ["PFADD", "h", "a", "b"],
    ["PFADD", "h", "a", "b"],
    ["PFADD", "h2", "c"],
    ["PFCOUNT", "h"],
    ["PFCOUNT", "h", "nokey"],
    ["PFCOUNT", "nokey"],
    ["PFMERGE", "h3", "h", "h2", "nokey"],
    ["PFMERGE", "h3"],
    ["PFMERGE", "h4"],
    ["SET", "s", "notanhll"],
    ["PFADD", "s", "a"],
    ["PFMERGE", "h", "s"],
    ["PFCOUNT", "s"],
  ]);
});

eventTest("notify: DUMP, RESTORE", async (e) => {
  await e.same([["SET", "k", "v"]]);
  // The payload is the same on both servers (DUMP's reply is compared byte for byte).
  const k = (await e.oracle.redis.value("DUMP", "k")) as string;
  await e.same([["DUMP", "k"]]);
  await steps(e, [
    ["RESTORE", "k2", "0", k],
    ["RESTORE", "k2", "0", k],
    ["RESTORE", "k2", "0", k, "REPLACE"],
    ["RESTORE", "k3", "100000", k],
    ["RESTORE", "k4", "1", k, "ABSTTL"],
    ["RESTORE", "k3", "1", k, "ABSTTL", "REPLACE"],
    ["RESTORE", "k3", "1", k, "ABSTTL", "REPLACE"],
    ["RESTORE", "k5", "0", "bad payload"],
    ["RESTORE", "k5", "-1", k],
    ["RESTORE", "k5", "0", k, "IDLETIME", "10"],
    ["DUMP", "nokey"],
  ]);
});

eventTest("notify: SORT and SORT ... STORE", async (e) => {
  await steps(e, [
    ["RPUSH", "l", "3", "1", "2"],
    ["MSET", "w_1", "3", "w_2", "2", "o_1", "x"],
    ["SORT", "l"],
    ["SORT", "nokey"],
    ["SORT", "l", "STORE", "dst"],
    ["SORT", "l", "STORE", "dst"],
    ["SORT", "nokey", "STORE", "dst"],
    ["SORT", "nokey", "STORE", "dst"],
    ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"],
    ["SORT", "l", "BY", "nosort", "GET", "o_*", "STORE", "dst"],
    ["SORT", "l", "BY", "w_*->f"],
    ["SORT_RO", "l", "BY", "w_*"],
    ["SORT", "l", "LIMIT", "5", "1", "STORE", "dst"],
    ["SORT", "l", "STORE", "dst", "BAD"],
    ["SET", "s", "x"],
    ["SORT", "s", "STORE", "dst"],
  ]);
});

/** Both servers with the debug command, so that active expiry can be turned off. */
/**
 * Lazy expiry, deterministically: active expiry off on both servers, the
 * keys of `setup` set with PX 1, then `cmd` once they have surely expired.
 */
async function lazy(e: EventOracle, setup: string[][], cmd: string[]): Promise<void> {
  await e.same([["FLUSHALL"], ...setup]);
  await pastExpiry();
  const events = await e.same([cmd]);
  if (Deno.env.get("SHOW_EVENTS")) console.log(JSON.stringify(cmd), JSON.stringify(events));
}

const PX1 = ["PX", "1"];

eventTest(
  "notify: lazy expiry on access (expired, then keymiss or the write's own events)",
  async (e) => {
    await e.same([["DEBUG", "SET-ACTIVE-EXPIRE", "0"]]);
    const k = ["SET", "k", "v", ...PX1];
    const cases: [string[][], string[]][] = [
      [[k], ["GET", "k"]],
      [[k, ["SET", "k2", "v", ...PX1]], ["MGET", "k", "k2", "k"]],
      [[k], ["EXISTS", "k", "k"]],
      [[k], ["TYPE", "k"]],
      [[k], ["TTL", "k"]],
      [[k], ["PTTL", "k"]],
      [[k], ["OBJECT", "ENCODING", "k"]],
      [[k], ["TOUCH", "k"]],
      [[k], ["DEL", "k"]],
      [[k], ["UNLINK", "k"]],
      [[k], ["SET", "k", "v"]],
      [[k], ["SET", "k", "v", "NX"]],
      [[k], ["SET", "k", "v", "XX"]],
      [[k], ["SET", "k", "v", "GET"]],
      [[k], ["SETNX", "k", "v"]],
      [[k], ["SETEX", "k", "100", "v"]],
      [[k], ["GETSET", "k", "v"]],
      [[k], ["GETDEL", "k"]],
      [[k], ["GETEX", "k", "PERSIST"]],
      [[k], ["MSET", "k", "1", "j", "2"]],
      [[k], ["MSETNX", "j", "1", "k", "2"]],
      [[k], ["APPEND", "k", "x"]],
      [[k], ["INCR", "k"]],
      [[k], ["INCRBYFLOAT", "k", "1"]],
      [[k], ["SETRANGE", "k", "1", "x"]],
      [[k], ["STRLEN", "k"]],
      [[k], ["GETRANGE", "k", "0", "1"]],
      [[k], ["LCS", "k", "k"]],
      [[k], ["EXPIRE", "k", "100"]],
      [[k], ["PERSIST", "k"]],
      [[k], ["RENAME", "k", "x"]],
      [[k, ["SET", "x", "1"]], ["RENAME", "x", "k"]],
      [[k, ["SET", "x", "1"]], ["RENAMENX", "x", "k"]],
      [[k], ["MOVE", "k", "1"]],
      [[["SELECT", "1"], k, ["SELECT", "0"], ["SET", "k", "1"]], ["MOVE", "k", "1"]],
      [[k], ["COPY", "k", "x"]],
      [[k, ["SET", "x", "1"]], ["COPY", "x", "k"]],
      [[["SELECT", "2"], k, ["SELECT", "0"], ["SET", "k", "1"]], ["COPY", "k", "k", "DB", "2"]],
      [[k], ["SETBIT", "k", "1", "1"]],
      [[k], ["GETBIT", "k", "1"]],
      [[k], ["BITCOUNT", "k"]],
      [[k, ["SET", "s", "abc"]], ["BITOP", "AND", "k", "s"]],
      [[k], ["BITOP", "AND", "d", "k"]],
      [[k], ["BITOP", "AND", "k", "nokey"]],
      [[k], ["BITFIELD", "k", "SET", "u8", "0", "1"]],
      [[k], ["BITFIELD", "k", "GET", "u8", "0"]],
      [[k], ["PFADD", "k", "a"]],
      [[k], ["PFCOUNT", "k"]],
      [[k, ["PFADD", "h", "a"]], ["PFMERGE", "k", "h"]],
      [[k, ["PFADD", "h", "a"]], ["PFMERGE", "h", "k"]],
      [[k], ["DUMP", "k"]],
      [[["RPUSH", "l", "2", "1"], k], ["SORT", "l", "STORE", "k"]],
      [[["RPUSH", "l", "2", "1"], ["SET", "w_1", "1", ...PX1]], ["SORT", "l", "BY", "w_*"]],
      [[["RPUSH", "l", "2", "1"], ["SET", "w_1", "1", ...PX1]], ["SORT", "l", "GET", "w_*"]],
      [[["RPUSH", "k", "2", "1"], ["PEXPIRE", "k", "1"]], ["SORT", "k", "STORE", "d"]],
      [[k], ["SCAN", "0"]],
      [[k], ["SCAN", "0", "TYPE", "string"]],
      [[k], ["SCAN", "0", "MATCH", "nomatch"]],
      [[k], ["RANDOMKEY"]],
      [[k], ["KEYS", "*"]],
      [[k], ["DBSIZE"]],
    ];
    for (const [setup, cmd] of cases) await lazy(e, setup, cmd);
    // MEMORY USAGE reads the dict as is (an expired key is measured, nothing fires);
    // its sizes are redeno's own, so only the events are compared.
    await e.same([["SET", "k", "v", ...PX1]]);
    await pastExpiry();
    await e.oracle.redeno.call("MEMORY", "USAGE", "k");
    await e.oracle.redis.call("MEMORY", "USAGE", "k");
    await e.oracle.redeno.call("MEMORY", "USAGE", "nokey");
    await e.oracle.redis.call("MEMORY", "USAGE", "nokey");
    await e.sameEvents("MEMORY USAGE");
  },
  "KEAmn",
  DEBUG,
);

eventTest(
  "notify: RESTORE over an expired key",
  async (e) => {
    await e.same([["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "p", "v"]]);
    const payload = (await e.oracle.redis.value("DUMP", "p")) as string;
    await lazy(e, [["SET", "k", "v", ...PX1]], ["RESTORE", "k", "0", payload, "REPLACE"]);
    await lazy(e, [["SET", "k", "v", ...PX1]], ["RESTORE", "k", "1", payload, "REPLACE", "ABSTTL"]);
    await lazy(e, [["SET", "k", "v", ...PX1]], ["RESTORE", "k", "0", payload]);
  },
  "KEAmn",
  DEBUG,
);

eventTest(
  "notify: active expiry, in every database",
  async (e) => {
    // One write, with room: an expiry cycle in the middle of the step (a
    // loaded machine's pause between round trips) would put "expired" among
    // the step's own events on one server only.
    await e.oracle.samePipelined([
      ["SET", "a", "1", "PX", "200"],
      ["SELECT", "3"],
      ["SET", "b", "1", "PX", "200"],
      ["RPUSH", "c", "x"],
      ["PEXPIRE", "c", "200"],
      ["SELECT", "0"],
    ]);
    await e.sameEvents("the writes");
    // INFO keyspace counts expired keys still present, so polling it deletes nothing.
    for (let i = 0;; i++) {
      const [a, b] = await Promise.all([
        e.oracle.redeno.call("INFO", "keyspace"),
        e.oracle.redis.call("INFO", "keyspace"),
      ]);
      if (!a.includes("keys=") && !b.includes("keys=")) break;
      if (i > 2000) throw new Error("keys did not expire");
      await new Promise((r) => setTimeout(r, 5));
    }
    // Within one cycle the order of the databases' keys is Redis's hash order: compare as sets.
    const [mine, theirs] = await sortedEvents(e);
    assertEquals(mine, theirs);
  },
  "KEAmn",
  DEBUG,
);

/** A mix of commands whose events span every class these files fire. */
const MIX: string[][] = [
  ["SET", "k", "v"],
  ["SET", "k", "v2", "EX", "100"],
  ["GET", "nokey"],
  ["INCR", "n"],
  ["APPEND", "k", "x"],
  ["SETBIT", "b", "1", "1"],
  ["PFADD", "h", "a"],
  ["RPUSH", "l", "1", "2"],
  ["SORT", "l", "STORE", "sl"],
  ["EXPIRE", "n", "100"],
  ["PERSIST", "n"],
  ["RENAME", "k", "k2"],
  ["MOVE", "k2", "1"],
  ["COPY", "n", "n2"],
  ["DEL", "n", "n2", "nokey"],
  ["EXPIRE", "b", "0"],
  ["SET", "short", "v", "PX", "1"],
];

for (
  const flags of [
    "KEg",
    "E$",
    "K$",
    "Kg$",
    "Kl",
    "KEx",
    "KEm",
    "Kn",
    "En",
    "KEA",
    "KE",
    "A",
    "g$lx",
    "Amn",
    "K",
    "E",
  ]
) {
  eventTest(
    `notify: flags ${flags}`,
    async (e) => {
      await e.same([["DEBUG", "SET-ACTIVE-EXPIRE", "0"]]);
      await steps(e, MIX);
      await pastExpiry();
      await steps(e, [["GET", "short"], ["SELECT", "1"], ["DEL", "k2"], ["SELECT", "0"]]);
    },
    flags,
    DEBUG,
  );
}

eventTest("notify: MULTI/EXEC and Lua scripts fire the same stream", async (e) => {
  // A transaction is one step: the marker's PUBLISH must not be queued in it.
  await e.same([
    ["MULTI"],
    ["SET", "a", "1"],
    ["INCR", "a"],
    ["GET", "nokey"],
    ["RENAME", "a", "b"],
    ["DEL", "b", "c"],
    ["SELECT", "2"],
    ["SET", "a", "x"],
    ["EXPIRE", "a", "100"],
    ["EXEC"],
  ]);
  await e.same([["SELECT", "0"], ["MULTI"], ["SET", "a", "1"], ["INCR", "nope", "x"], ["EXEC"]]);
  await e.same([["MULTI"], ["SET", "q", "1"], ["DISCARD"]]);
  await steps(e, [
    [
      "EVAL",
      "redis.call('SET', KEYS[1], 'v'); redis.call('INCRBY', KEYS[2], 3); " +
      "redis.call('GET', 'missing'); redis.call('SETBIT', KEYS[3], 7, 1); " +
      "redis.call('PFADD', KEYS[4], 'x'); redis.call('DEL', KEYS[1], KEYS[2]); return 1",
      "4",
      "s1",
      "s2",
      "s3",
      "s4",
    ],
    [
      "EVAL",
      "redis.call('SELECT', 5); redis.call('SET', 'x', 1); return redis.call('EXPIRE', 'x', 0)",
      "0",
    ],
    ["EVAL", "redis.call('SET', KEYS[1], 'v'); return redis.call('INCR', KEYS[1])", "1", "s5"],
    ["EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "s5"],
    [
      "FUNCTION",
      "LOAD",
      "#!lua name=lib\nredis.register_function('f', function(k) redis.call('SET', k[1], 1) return redis.call('GETDEL', k[1]) end)",
    ],
    ["FCALL", "f", "1", "fk"],
  ]);
});

eventTest(
  "notify: databases, SWAPDB and the loading of a dump (no events)",
  async (e) => {
    await steps(e, [
      ["SELECT", "1"],
      ["SET", "a", "1"],
      ["SELECT", "4"],
      ["SET", "b", "1", "EX", "100"],
      ["SWAPDB", "1", "4"],
      ["GET", "a"],
      ["DEL", "b"],
      ["SELECT", "1"],
      ["GET", "b"],
      ["SET", "c", "1"],
      ["SELECT", "0"],
      ["SET", "d", "1"],
      ["DEBUG", "RELOAD"],
      ["GET", "d"],
      ["FLUSHDB"],
      ["FLUSHALL"],
    ]);
  },
  "KEAmn",
  DEBUG,
);

Deno.test("notify: notify-keyspace-events from the command line and CONFIG SET errors", async () => {
  for (const flags of ["KEA", "Elg", "AKEmn", "xK"]) {
    const o = await Oracle.start({ args: ["--notify-keyspace-events", flags] });
    if (o === null) return;
    try {
      await o.same("CONFIG", "GET", "notify-keyspace-events");
      await o.same("CONFIG", "SET", "notify-keyspace-events", "KEz?");
      await o.same("CONFIG", "SET", "notify-keyspace-events", "Kq");
      await o.same("CONFIG", "GET", "notify-keyspace-events");
      await o.same("CONFIG", "SET", "notify-keyspace-events", "Kg", "maxmemory", "x");
      await o.same("CONFIG", "GET", "notify-keyspace-events");
    } finally {
      await o.stop();
    }
  }
});

eventTest(
  "notify: MIGRATE deletes the source keys (del), COPY keeps them, NOKEY and errors fire none",
  async (e) => {
    // Each source migrates to a redis-server of its own.
    const targets = [await startRedis(), await startRedis()];
    if (targets[0] === null || targets[1] === null) return;
    const o = e.oracle;
    const migrate = async (...args: string[]) => {
      const [mine, theirs] = await Promise.all([
        o.redeno.call("MIGRATE", "127.0.0.1", String(targets[0]!.port), ...args),
        o.redis.call("MIGRATE", "127.0.0.1", String(targets[1]!.port), ...args),
      ]);
      assertEquals(mine, theirs, `MIGRATE ${JSON.stringify(args)}`);
      await e.sameEvents(`MIGRATE ${JSON.stringify(args)}`);
    };
    try {
      await e.same([["MSET", "a", "1", "b", "2", "c", "3", "d", "4"], ["EXPIRE", "d", "100"]]);
      await migrate("a", "0", "5000");
      await migrate("a", "0", "5000");
      await migrate("b", "0", "5000", "COPY");
      await migrate("b", "0", "5000");
      await migrate("b", "0", "5000", "REPLACE");
      await migrate("", "0", "5000", "KEYS", "c", "nokey", "d");
      await migrate("", "0", "5000", "KEYS", "nokey", "nokey2");
      await e.same([["SET", "x", "1"]]);
      await migrate("x", "99", "5000");
    } finally {
      for (const t of targets) await t!.stop();
    }
  },
);

eventTest("notify: more edge cases of the generic and string commands", async (e) => {
  await steps(e, [
    ["SET", "k", "v", "EX", "100"],
    ["MOVE", "k", "1"],
    ["SELECT", "1"],
    ["COPY", "k", "k2"],
    ["COPY", "k", "k", "DB", "0"],
    ["SELECT", "0"],
    ["COPY", "k", "k", "DB", "1", "REPLACE"],
    ["SUBSTR", "nokey", "0", "1"],
    ["SUBSTR", "k", "0", "1"],
    ["SET", "n", "1"],
    ["EXPIRE", "n", "100"],
    ["INCRBYFLOAT", "n", "0.5"],
    ["SET", "n", "1", "KEEPTTL"],
    ["SET", "n", "2", "XX", "GET", "PX", "50000"],
    ["SET", "n", "2", "NX", "GET"],
    ["PEXPIRE", "n", "-1"],
    ["PEXPIREAT", "nokey", "1"],
    ["GETEX", "nokey", "PERSIST"],
    ["LPUSH", "l", "x"],
    ["EXPIRE", "l", "100"],
    ["PERSIST", "l"],
    ["RENAME", "l", "l2"],
    ["DEL", "l2"],
  ]);
  // A command that fails when EXEC runs it fires nothing; the others fire theirs.
  await e.same([["SET", "s", "x"], ["MULTI"], ["INCR", "s"], ["APPEND", "s", "y"], ["EXEC"]]);
});

Deno.test("notify: the option given on the command line takes effect", async () => {
  const o = await Oracle.start({ args: ["--notify-keyspace-events", "KEg$"] });
  if (o === null) return;
  const [mine, theirs] = await o.connectPair();
  try {
    for (const s of [mine, theirs]) {
      await s.call("PSUBSCRIBE", "__key*");
      await s.call("SUBSCRIBE", "end");
    }
    await o.same("SET", "a", "1");
    await o.same("DEL", "a");
    // No keymiss: m is not given.
    await o.same("GET", "nokey");
    await o.same("PUBLISH", "end", "x");
    const received = async (s: typeof mine) => {
      const got: unknown[] = [];
      for (;;) {
        const msg = decode(await s.reply()) as string[];
        if (msg[0] === "message") return got;
        got.push(msg);
      }
    };
    const [a, b] = await Promise.all([received(mine), received(theirs)]);
    assertEquals(a, b);
    assertEquals(b.length, 4);
  } finally {
    mine.close();
    theirs.close();
    await o.stop();
  }
});

/** A random command of these files over a few keys (values small, so types collide). */
function randomCommand(rand: () => number): string[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const k = () => pick(["a", "b", "c", "d", "l"]);
  const n = () => String(Math.floor(rand() * 5) - 1);
  const cmds: (() => string[])[] = [
    () => ["SET", k(), n(), ...pick([[], ["NX"], ["XX"], ["GET"], ["EX", "100"], ["KEEPTTL"]])],
    () => ["GET", k()],
    () => ["MGET", k(), k()],
    () => ["MSET", k(), n(), k(), n()],
    () => ["MSETNX", k(), n(), k(), n()],
    () => ["INCRBY", k(), n()],
    () => ["INCRBYFLOAT", k(), "1.5"],
    () => ["APPEND", k(), pick(["", "x"])],
    () => ["SETRANGE", k(), n(), pick(["", "yz"])],
    () => ["GETDEL", k()],
    () => ["GETSET", k(), n()],
    () => ["GETEX", k(), ...pick([[], ["PERSIST"], ["EX", "100"], ["PXAT", "1"]])],
    () => ["DEL", k(), k()],
    () => ["EXISTS", k(), k()],
    () => ["TYPE", k()],
    () => ["TOUCH", k()],
    // No GT / LT: comparing two relative times would depend on each server's clock.
    () => ["EXPIRE", k(), pick(["100", "-1", "0"]), ...pick([[], ["NX"], ["XX"]])],
    () => ["PERSIST", k()],
    () => ["RENAME", k(), k()],
    () => ["RENAMENX", k(), k()],
    () => ["COPY", k(), k(), ...pick([[], ["REPLACE"], ["DB", "1"]])],
    () => ["MOVE", k(), "1"],
    () => ["SETBIT", k(), n().replace("-1", "9"), pick(["0", "1"])],
    () => ["BITOP", pick(["AND", "OR"]), k(), k(), k()],
    () => ["BITFIELD", k(), "INCRBY", "u4", "0", n()],
    () => ["PFADD", k(), pick(["x", "y"])],
    () => ["PFMERGE", k(), k()],
    () => ["RPUSH", "l", n()],
    () => ["SORT", "l", "STORE", k()],
    () => ["SORT", "l", "BY", "*", "GET", "#"],
    () => ["SELECT", pick(["0", "0", "1"])],
  ];
  return pick(cmds)();
}

eventTest(
  "notify: a seeded random run of string, key, bitmap, HLL and SORT commands",
  async (e) => {
    const rand = prng(Number(Deno.env.get("NOTIFY_SEED") ?? 1313));
    const n = Number(Deno.env.get("NOTIFY_STEPS") ?? 400);
    let fired = 0;
    for (let i = 0; i < n; i++) fired += (await e.same([randomCommand(rand)])).length;
    // The run means something only if it fired plenty.
    assert(fired > n, `only ${fired} events`);
    if (Deno.env.get("SHOW_EVENTS")) console.log(`${fired} events`);
  },
);
