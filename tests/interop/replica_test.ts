/**
 * A server as the REPLICA of a real redis-server 7.0.15 master: every
 * scenario runs with redis-server as the replica (which validates the test)
 * and with redeno. Full syncs of every data type in dbs 0, 3 and 9 (diskless,
 * disk-based, loaded from the socket, with LFU/LRU metadata, compressed list
 * nodes and a function library); masterauth/masteruser; what the master sees
 * (announced address, ACKs, WAIT); live writes of every kind (expiry on the
 * master included) followed through the command stream; keys already expired
 * in the snapshot; -READONLY and replica-read-only no; dropped links
 * continued by a partial resync, or a full one past the backlog; chained
 * replicas. Data compared key by key (logical values and exact expiry
 * times) once the offsets are equal.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { decode, type Decoded, RespClient, scanAll } from "../support/resp_client.ts";
import { freePort, type TestServer } from "../support/servers.ts";
import { sleep, waitFor } from "../support/persistence.ts";
import {
  assertSameData,
  caughtUp,
  infoOf,
  REPLICA_INFO_FIELDS,
  type ReplicaKind,
  replicaofArgs,
  replicaTests,
  run,
  startKind,
  startMaster,
  stopAll,
  syncCounts,
  waitLinkUp,
  withClients,
} from "../support/replication.ts";
import { prng } from "../support/prng.ts";

/** Every byte 0..255, once. */
const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

/** A binary string of `n` bytes from a seeded PRNG. */
function randomBytes(seed: number, n: number): string {
  const r = prng(seed);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

/** A far-future absolute time (ms) for EXPIREAT-like commands: fixed, so both servers agree. */
const FAR_MS = String(Date.now() + 3_600_000);

/** Every data type and encoding in `db`, with TTLs: written on the master before a replica attaches. */
function fixture(db: number): string[][] {
  const p = `d${db}:`;
  const many = (n: number, f: (i: number) => string[]) =>
    Array.from({ length: n }, (_, i) => f(i)).flat();
  return [
    ["SELECT", String(db)],
    ["SET", `${p}str`, "hello"],
    ["SET", `${p}bin`, ALL_BYTES],
    ["SET", `\x00${p}\xffkey`, "binary key"],
    ["SET", `${p}int`, "12345"],
    ["SET", `${p}neg`, "-42"],
    ["SET", `${p}int64`, "9223372036854775807"],
    ["SET", `${p}float`, "3.14"],
    ["SET", `${p}big`, randomBytes(db + 1, 200_000)],
    ["SET", `${p}ttl:str`, "v", "EX", "1000"],
    ["SETBIT", `${p}bitmap`, "7", "1"],
    ["SETBIT", `${p}bitmap`, "100000", "1"],
    ["PFADD", `${p}hll:sparse`, "a", "b", "c"],
    ["PFADD", `${p}hll:dense`, ...many(3000, (i) => [`e${i}`])],
    ["HSET", `${p}hash`, "a", "1", "b", "2", "\x00f\xff", ALL_BYTES.slice(0, 40)],
    ["HSET", `${p}hash:big`, ...many(300, (i) => [`f${i}`, `v${i}`])],
    ["HSET", `${p}hash:longval`, "f", "x".repeat(100)],
    ["HSET", `${p}ttl:hash`, "f", "v"],
    ["PEXPIRE", `${p}ttl:hash`, "900000"],
    ["RPUSH", `${p}list`, "a", "b", "c", "1", "2", ALL_BYTES],
    ["RPUSH", `${p}list:big`, ...many(1000, (i) => [`elem-${i}-${"y".repeat(i % 50)}`])],
    ["SADD", `${p}set:int`, "1", "2", "3", "-7", "100000"],
    ["SADD", `${p}set:str`, "a", "b", "c", ALL_BYTES.slice(200)],
    ["SADD", `${p}set:bigint`, ...many(600, (i) => [String(i * 3)])],
    ["SADD", `${p}ttl:set`, "x", "y"],
    ["PEXPIREAT", `${p}ttl:set`, FAR_MS],
    ["ZADD", `${p}zset`, "1", "a", "2.5", "b", "-3", "c", "inf", "top", "-inf", "bottom"],
    ["ZADD", `${p}zset:big`, ...many(200, (i) => [String(i / 7), `m${i}`])],
    ["ZADD", `${p}zset:longval`, "1", "z".repeat(80)],
    ["XADD", `${p}stream`, "1-1", "f", "v"],
    ["XADD", `${p}stream`, "2-1", "g", "w", "h", ALL_BYTES.slice(0, 10)],
    ["XADD", `${p}stream`, "3-0", "f", "v3"],
    ["XADD", `${p}stream`, "4-0", "f", "v4"],
    ["XDEL", `${p}stream`, "3-0"],
    ["XGROUP", "CREATE", `${p}stream`, "grp", "0"],
    ["XGROUP", "CREATE", `${p}stream`, "late", "$"],
    ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "2", "STREAMS", `${p}stream`, ">"],
    ["XREADGROUP", "GROUP", "grp", "bob", "COUNT", "1", "STREAMS", `${p}stream`, ">"],
    ["XACK", `${p}stream`, "grp", "1-1"],
    ["XGROUP", "CREATECONSUMER", `${p}stream`, "late", "idle-one"],
    ...Array.from(
      { length: 300 },
      (_, i) => ["XADD", `${p}stream:big`, `${i + 10}-0`, "n", `${i}`],
    ),
  ];
}

/** A function library: in a snapshot (RDB_OPCODE_FUNCTION2) and loaded live (FUNCTION LOAD). */
const LIBRARY = [
  "#!lua name=replib",
  "redis.register_function('setter', function(keys, args) " +
  "redis.call('SET', keys[1], args[1]); return redis.call('INCR', keys[2]) end)",
  "redis.register_function{function_name='getter', " +
  "callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
].join("\n");

/** Starts a master (null: no redis-server here) and a replica of `kind` attached to it. */
async function pair(
  kind: ReplicaKind,
  before: (m: RespClient) => Promise<void> = async () => {},
  replicaArgs: string[] = [],
  masterArgs: string[] = [],
): Promise<{ master: TestServer; replica: TestServer } | null> {
  const master = await startMaster({ args: masterArgs });
  if (!master) return null;
  try {
    await withClients([master.port], before);
    const replica = await startKind(kind, {
      args: [...replicaofArgs(master.port), ...replicaArgs],
    });
    return { master, replica };
  } catch (e) {
    await master.stop();
    throw e;
  }
}

/** Scenario 1: a full sync of every data type in three dbs, compared key by key. */
async function fullSync(
  kind: ReplicaKind,
  diskless: boolean,
  replicaArgs: string[] = [],
  masterArgs: string[] = [],
): Promise<void> {
  const servers = await pair(
    kind,
    async (m) => {
      // Diskless: the RDB comes as "$EOF:<mark>" ... <mark>; else as "$<length>".
      await run(m, [["CONFIG", "SET", "repl-diskless-sync", diskless ? "yes" : "no"]]);
      for (const db of [0, 3, 9]) await run(m, fixture(db));
      await run(m, [["SELECT", "0"], ["FUNCTION", "LOAD", LIBRARY]]);
    },
    replicaArgs,
    masterArgs,
  );
  if (!servers) return;
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      const rows = await assertSameData(m, r, "after the full sync");
      assertEquals(rows, 3 * 28 + 1, "rows compared: 27 keys and a DBSIZE in each db, functions");
      assertEquals(await r.call("FCALL_RO", "getter", "1", "d0:str"), "$5\r\nhello\r\n");
      // Encodings chosen from the data alone (not from its history) agree too.
      for (
        const key of ["d3:set:int", "d3:set:str", "d3:set:bigint", "d3:hash:big", "d3:zset:big"]
      ) {
        await run(m, [["SELECT", "3"]]);
        await run(r, [["SELECT", "3"]]);
        assertEquals(
          await r.call("OBJECT", "ENCODING", key),
          await m.call("OBJECT", "ENCODING", key),
          `OBJECT ENCODING ${key}`,
        );
      }
      const ri = await infoOf(r, "replication");
      assertEquals([...ri.keys()], REPLICA_INFO_FIELDS);
      assertEquals(ri.get("role"), "slave");
      assertEquals(ri.get("master_host"), "127.0.0.1");
      assertEquals(ri.get("master_port"), String(servers.master.port));
      assertEquals(ri.get("master_sync_in_progress"), "0");
      assertEquals(ri.get("slave_read_only"), "1");
      assertEquals(ri.get("master_replid"), await masterReplid(m));
      assertEquals((await syncCounts(m)).full, 1);
      const before = Number((await infoOf(r, "replication")).get("slave_repl_offset"));
      const role = decode(await r.call("ROLE")) as Decoded[];
      const after = Number((await infoOf(m, "replication")).get("master_repl_offset"));
      assertEquals(role.slice(0, 4), ["slave", "127.0.0.1", servers.master.port, "connected"]);
      // The replica's offset (0 until the stream's first byte; a PING may come meanwhile).
      const offset = role[4] as number;
      assert(before <= offset && offset <= after, `ROLE's offset ${offset}, ${before}..${after}`);
    });
  } finally {
    await stopAll([servers.master, servers.replica]);
  }
}

async function masterReplid(m: RespClient): Promise<string> {
  return (await infoOf(m, "replication")).get("master_replid")!;
}

/** Live writes of every kind across several dbs (scenario 2). */
const LIVE: string[][] = [
  ["SELECT", "0"],
  ["SET", "s:ex", "v", "EX", "1000"],
  ["SET", "s:px", "v", "PX", "900000"],
  ["SET", "s:ex", "v2", "KEEPTTL"],
  ["SET", "s:exat", "v", "EXAT", String(Math.floor(Number(FAR_MS) / 1000))],
  ["SET", "s:nx", "v", "NX", "GET"],
  ["SET", "s:big", randomBytes(99, 300_000)],
  ["GETEX", "s:px", "PERSIST"],
  ["SET", "f", "1.5"],
  ["INCRBYFLOAT", "f", "0.25"],
  ["INCRBYFLOAT", "f", "1e3"],
  ["INCR", "ctr"],
  ["INCRBY", "ctr", "-100"],
  ["APPEND", "app", "abc"],
  ["APPEND", "app", ALL_BYTES],
  ["SETRANGE", "app", "1", "XY"],
  ["SETBIT", "bits", "33", "1"],
  ["BITOP", "NOT", "bits:not", "bits"],
  ["HSET", "h", "a", "1"],
  ["HINCRBY", "h", "n", "5"],
  ["HINCRBYFLOAT", "h", "x", "1.5"],
  ["HDEL", "h", "a"],
  ["LPUSH", "l", "a", "b", "c", "d", "e"],
  ["LPOP", "l"],
  ["RPOP", "l"],
  ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
  ["LINSERT", "l", "BEFORE", "c", "ins"],
  ["LSET", "l", "0", "set0"],
  ["LTRIM", "l", "0", "5"],
  ["SADD", "s", "a", "b", "c", "d", "e", "f"],
  ["SPOP", "s"],
  ["SPOP", "s", "2"],
  ["SREM", "s", "zz"],
  ["SADD", "s2", "c", "d", "e", "q"],
  ["SINTERSTORE", "s:inter", "s", "s2"],
  ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
  ["ZINCRBY", "z", "5", "a"],
  ["ZPOPMIN", "z"],
  ["ZUNIONSTORE", "z:u", "2", "z", "s2", "WEIGHTS", "2", "1"],
  ["ZREMRANGEBYSCORE", "z:u", "-inf", "(1"],
  ["XADD", "x", "1-1", "f", "v1"],
  ["XADD", "x", "2-1", "f", "v2"],
  ["XADD", "x", "3-1", "f", "v3"],
  ["XADD", "x", "*", "f", "auto"],
  ["XGROUP", "CREATE", "x", "g", "0"],
  ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", "x", ">"],
  ["XACK", "x", "g", "1-1"],
  ["XCLAIM", "x", "g", "c2", "0", "2-1"],
  ["XTRIM", "x", "MAXLEN", "~", "2"],
  ["XTRIM", "x", "MINID", "2-0"],
  ["PFADD", "hll", "a", "b", "c"],
  ["PFADD", "hll2", "c", "d"],
  ["PFMERGE", "hll:m", "hll", "hll2"],
  ["EXPIRE", "h", "2000"],
  ["PEXPIREAT", "l", FAR_MS],
  ["EXPIRE", "s2", "3000"],
  ["PERSIST", "s2"],
  ["RENAME", "app", "app:renamed"],
  ["COPY", "z", "z:copy"],
  ["MOVE", "f", "3"],
  ["SET", "gone", "1"],
  ["DEL", "gone"],
  ["SET", "gone2", "1"],
  ["UNLINK", "gone2"],
  ["MULTI"],
  ["INCR", "tx:ctr"],
  ["SADD", "tx:set", "x"],
  ["LPUSH", "tx:list", "y"],
  ["EXEC"],
  ["FUNCTION", "LOAD", "REPLACE", LIBRARY],
  ["FCALL", "setter", "2", "fn:s", "fn:n", "by function"],
  [
    "EVAL",
    "redis.call('SET', KEYS[1], ARGV[1]); redis.call('RPUSH', KEYS[2], ARGV[1]); " +
    "return redis.call('INCR', KEYS[3])",
    "3",
    "ev:s",
    "ev:l",
    "ev:n",
    "val",
  ],
  ["SELECT", "3"],
  ["SET", "d3:new", "n", "PX", "800000"],
  ["HSET", "d3:h", "f", "v"],
  ["SELECT", "9"],
  ["SET", "d9:new", "nine"],
  ["SWAPDB", "3", "9"],
  ["SELECT", "5"],
  ["SET", "d5:a", "1"],
  ["RPUSH", "d5:l", "1"],
  ["FLUSHDB"],
  ["SET", "d5:after", "flush"],
  ["SELECT", "12"],
  // A transaction and a script that change db midway: the stream's SELECTs follow.
  ["MULTI"],
  ["SET", "tx:12", "a"],
  ["SELECT", "13"],
  ["SET", "tx:13", "b"],
  ["EXEC"],
  ["SET", "after:tx", "in 13"],
  ["EVAL", "redis.call('SELECT', '14'); redis.call('SET', KEYS[1], 'x'); return 1", "1", "ev:14"],
  ["SET", "after:eval", "still 13"],
  ["SELECT", "12"],
  ["RPUSH", "src", "3", "1", "2"],
  ["SORT", "src", "STORE", "sorted"],
  ["SELECT", "0"],
];

/** Live stream reads leave Redis's own replica without a group's entries-read (see dataset). */
const LIVE_OPTS = { noGroupCounters: true };

/** Scenario 2: live writes of every kind after the link is up, expiry on the master included. */
async function liveWrites(kind: ReplicaKind): Promise<void> {
  const servers = await pair(kind, async (m) => {
    await run(m, fixture(0));
  });
  if (!servers) return;
  const blocked = await startBlockedPop(servers.master.port);
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      await run(m, LIVE);
      // A blocked BLMOVE served by a push: propagated as the move it did.
      await run(m, [["RPUSH", "bl:src", "served"]]);
      assertEquals(decode(await blocked.reply()), "served");
      await caughtUp(m, r);
      const rows = await assertSameData(m, r, "after the live writes", LIVE_OPTS);
      assert(rows > 60, `compared ${rows} rows`);
      assertEquals(decode(await r.call("LRANGE", "bl:dst", "0", "-1")), ["served"]);
      await r.call("SELECT", "12");
      assertEquals(decode(await r.call("LRANGE", "sorted", "0", "-1")), ["1", "2", "3"]);
      await r.call("SELECT", "0");

      await expiryOnMaster(m, r);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the expiries", LIVE_OPTS);
    });
  } finally {
    blocked.close();
    await stopAll([servers.master, servers.replica]);
  }
}

/** A connection blocked in BLMOVE bl:src -> bl:dst (db 0) on the master. */
async function startBlockedPop(port: number): Promise<RespClient> {
  const c = await RespClient.connect(port);
  await c.send(
    "*6\r\n$6\r\nBLMOVE\r\n$6\r\nbl:src\r\n$6\r\nbl:dst\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n$1\r\n0\r\n",
  );
  return c;
}

/**
 * Keys expiring on the master reach the replica as deletions; a replica
 * never expires keys itself: with the master's active expiry off, a key past
 * its time reads as missing on the replica (GET, EXISTS, PTTL, TYPE, SCAN,
 * KEYS) yet DBSIZE still counts it, until the master's DEL arrives.
 */
async function expiryOnMaster(m: RespClient, r: RespClient): Promise<void> {
  await run(m, [["SELECT", "7"], ["SET", "e:active", "v", "PX", "100"], ["SET", "e:keep", "k"]]);
  await run(r, [["SELECT", "7"]]);
  await waitFor("the master's active expiry of e:active", async () => {
    return (await m.call("DBSIZE")) === ":1\r\n";
  });
  await caughtUp(m, r);
  assertEquals(await r.call("DBSIZE"), ":1\r\n", "the master's DEL reached the replica");

  await run(m, [["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "e:lazy", "v", "PX", "150"]]);
  try {
    await caughtUp(m, r);
    await waitFor("e:lazy to be past its time on the replica", async () => {
      return (await r.call("PTTL", "e:lazy")) === ":-2\r\n";
    });
    assertEquals(await r.call("GET", "e:lazy"), "$-1\r\n");
    assertEquals(await r.call("EXISTS", "e:lazy"), ":0\r\n");
    assertEquals(await r.call("TYPE", "e:lazy"), "+none\r\n");
    assertEquals(await scanAll(r), ["e:keep"]);
    assertEquals(decode(await r.call("KEYS", "*")), ["e:keep"]);
    // Still counted, and still there a while later: the replica does not delete it.
    for (let i = 0; i < 5; i++) {
      assertEquals(await r.call("DBSIZE"), ":2\r\n", "the replica keeps the expired key");
      await sleep(100);
    }
    // The master deletes it on access; its DEL reaches the replica.
    assertEquals(await m.call("GET", "e:lazy"), "$-1\r\n");
    await caughtUp(m, r);
    assertEquals(await r.call("DBSIZE"), ":1\r\n", "the master's DEL reached the replica");
  } finally {
    await run(m, [["DEBUG", "SET-ACTIVE-EXPIRE", "1"], ["SELECT", "0"]]);
    await run(r, [["SELECT", "0"]]);
  }
}

/** Scenario 3: -READONLY, and writes accepted locally with replica-read-only no. */
async function readOnly(kind: ReplicaKind): Promise<void> {
  const servers = await pair(kind, async (m) => {
    await run(m, [["SET", "k", "master"]]);
  });
  if (!servers) return;
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      assertEquals(
        await r.call("REPLICAOF", "127.0.0.1", String(servers.master.port)),
        "+OK Already connected to specified master\r\n",
      );
      const READONLY = "-READONLY You can't write against a read only replica.\r\n";
      assertEquals(await r.call("SET", "k", "replica"), READONLY);
      assertEquals(await r.call("LPUSH", "l", "x"), READONLY);
      assertEquals(await r.call("DEL", "k"), READONLY);
      assertEquals(await r.call("GET", "k"), "$6\r\nmaster\r\n");
      // Transactions, scripts and functions that write are refused as Redis 7.0.15 refuses them.
      const transcript: [string[], string][] = [
        [["MULTI"], "+OK\r\n"],
        [["SET", "a", "1"], READONLY],
        [["GET", "a"], "+QUEUED\r\n"],
        [["EXEC"], "-EXECABORT Transaction discarded because of previous errors.\r\n"],
        [["MULTI"], "+OK\r\n"],
        [["GET", "k"], "+QUEUED\r\n"],
        [["EXEC"], "*1\r\n$6\r\nmaster\r\n"],
        [
          ["EVAL", "return redis.call('SET','a','1')", "0"],
          "-READONLY You can't write against a read only replica. script: " +
          "88c923858e73954cede057e8a25f614a3552b177, on @user_script:1.\r\n",
        ],
        [["EVAL", "redis.call('GET','a'); return redis.pcall('SET','a','1')", "0"], READONLY],
        [["EVAL", "return redis.call('GET','k')", "0"], "$6\r\nmaster\r\n"],
        [["EVAL_RO", "return redis.call('GET','k')", "0"], "$6\r\nmaster\r\n"],
        [
          [
            "FUNCTION",
            "LOAD",
            "#!lua name=x\nredis.register_function('f', function() return 1 end)",
          ],
          READONLY,
        ],
        [["FLUSHALL"], READONLY],
        [["PUBLISH", "ch", "m"], ":0\r\n"],
        // Commands flagged write, even those that only may write, are refused.
        [["BLPOP", "l", "0"], READONLY],
        [["BRPOPLPUSH", "a", "b", "0"], READONLY],
        [["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"], READONLY],
        [["SORT", "l"], READONLY],
        [["SORT_RO", "l"], "*0\r\n"],
        [["GETEX", "k"], READONLY],
        [["SWAPDB", "0", "1"], READONLY],
        [["XREAD", "COUNT", "1", "STREAMS", "s", "0"], "*-1\r\n"],
        [
          ["WAIT", "1", "0"],
          "-ERR WAIT cannot be used with replica instances. Please also note that since Redis " +
          "4.0 if a replica is configured to be writable (which is not the default) writes to " +
          "replicas are just local and are not propagated.\r\n",
        ],
      ];
      for (const [cmd, want] of transcript) {
        assertEquals(await r.call(...cmd), want, cmd.join(" "));
      }
      assertEquals(decode(await r.call("CONFIG", "GET", "replica-read-only")), [
        "replica-read-only",
        "yes",
      ]);

      assertEquals(await r.call("CONFIG", "SET", "replica-read-only", "no"), "+OK\r\n");
      assertEquals((await infoOf(r, "replication")).get("slave_read_only"), "0");
      assertEquals(await r.call("SET", "local", "only-here"), "+OK\r\n");
      assertEquals(await r.call("GET", "local"), "$9\r\nonly-here\r\n");
      assertEquals(await m.call("GET", "local"), "$-1\r\n", "a replica's local write stays local");
      assertEquals(await r.call("CONFIG", "SET", "replica-read-only", "yes"), "+OK\r\n");
      assertEquals(await r.call("SET", "k2", "v"), READONLY);
      // The master's writes still arrive, and wake a reader blocked on the replica.
      const blocked = await RespClient.connect(servers.replica.port);
      try {
        await blocked.send(
          "*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$2\r\nst\r\n$1\r\n$\r\n",
        );
        await waitFor("the XREAD to block", async () => {
          return (await infoOf(r, "clients")).get("blocked_clients") === "1";
        });
        await run(m, [["XADD", "st", "5-5", "f", "v"]]);
        assertEquals(decode(await blocked.reply()), [["st", [["5-5", ["f", "v"]]]]]);
      } finally {
        blocked.close();
      }
      await run(m, [["SET", "after", "1"]]);
      await caughtUp(m, r);
      assertEquals(await r.call("GET", "after"), "$1\r\n1\r\n");
      // The master's FLUSHALL takes the replica's local writes too.
      await run(m, [["FLUSHALL"], ["SET", "fresh", "1"]]);
      await caughtUp(m, r);
      assertEquals(await r.call("GET", "local"), "$-1\r\n");
      await assertSameData(m, r, "after FLUSHALL");
    });
  } finally {
    await stopAll([servers.master, servers.replica]);
  }
}

/** A master that wants a password: masterauth alone (default user), then masteruser too. */
async function masterAuth(kind: ReplicaKind): Promise<void> {
  const master = await startMaster({ args: ["--requirepass", "pw"] });
  if (!master) return;
  const replicas: TestServer[] = [];
  try {
    await withClients([master.port], async (m) => {
      await run(m, [
        ["AUTH", "pw"],
        ["ACL", "SETUSER", "repl", "on", ">rpw", "+psync", "+replconf", "+ping"],
        ["SET", "secret", "data"],
      ]);
    });
    for (const auth of [["--masterauth", "pw"], ["--masteruser", "repl", "--masterauth", "rpw"]]) {
      const replica = await startKind(kind, { args: [...replicaofArgs(master.port), ...auth] });
      replicas.push(replica);
      await withClients([master.port, replica.port], async (m, r) => {
        await run(m, [["AUTH", "pw"], ["INCR", "ctr"]]);
        await waitLinkUp(r);
        await caughtUp(m, r);
        await assertSameData(m, r, `with ${auth.join(" ")}`);
      });
    }
  } finally {
    await stopAll([master, ...replicas]);
  }
}

/**
 * The replica as its master lists it: the announced address, its ACKs
 * (REPLCONF ACK every second) bringing slave0's offset to the master's,
 * WAIT answered through REPLCONF GETACK; its own INFO's slave_priority.
 */
async function announced(kind: ReplicaKind): Promise<void> {
  const servers = await pair(kind, async (m) => {
    await run(m, [["SET", "k", "v"]]);
  }, [
    "--replica-announce-ip",
    "10.1.2.3",
    "--replica-announce-port",
    "7777",
    "--replica-priority",
    "42",
  ]);
  if (!servers) return;
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await run(m, [["INCR", "n"], ["RPUSH", "l", "a", "b"]]);
      await caughtUp(m, r);
      let slave0 = "";
      await waitFor("slave0's offset to be the master's (the replica's ACK)", async () => {
        const i = await infoOf(m, "replication");
        slave0 = i.get("slave0") ?? "";
        return slave0 ===
          `ip=10.1.2.3,port=7777,state=online,offset=${i.get("master_repl_offset")},lag=${
            /lag=(\d+)/.exec(slave0)?.[1]
          }`;
      });
      assertEquals((await infoOf(m, "replication")).get("connected_slaves"), "1");
      const ri = await infoOf(r, "replication");
      assertEquals(ri.get("slave_priority"), "42");
      assertEquals(ri.get("replica_announced"), "1");
      await run(m, [["SET", "acked", "1"]]);
      assertEquals(await m.call("WAIT", "1", "30000"), ":1\r\n", "WAIT 1 after a write");
      assertEquals(await r.call("GET", "acked"), "$1\r\n1\r\n");
      const role = decode(await m.call("ROLE")) as Decoded[];
      assertEquals((role[2] as Decoded[][])[0].slice(0, 2), ["10.1.2.3", "7777"]);
    });
  } finally {
    await stopAll([servers.master, servers.replica]);
  }
}

/**
 * Keys already past their time on the master (its active expiry off, the
 * keys never touched) travel in the snapshot: the replica keeps them
 * hidden, counted by DBSIZE, until the master's DEL for each arrives.
 */
async function expiredInSnapshot(kind: ReplicaKind): Promise<void> {
  const servers = await pair(kind, async (m) => {
    await run(m, [
      ["DEBUG", "SET-ACTIVE-EXPIRE", "0"],
      ["SET", "live", "v"],
      ["SET", "dead", "v", "PX", "1"],
      ["HSET", "deadh", "f", "v"],
      ["PEXPIRE", "deadh", "1"],
      // A database where every key is past its time.
      ["SELECT", "5"],
      ["SET", "v1", "x", "PX", "1"],
      ["SET", "v2", "x", "PX", "1"],
      ["SELECT", "0"],
    ]);
    // Past their time (a wait for the clock, not a timing assertion).
    const t = Date.now();
    await waitFor("2 ms to pass", () => Date.now() > t + 2);
    assertEquals(await m.call("DBSIZE"), ":3\r\n");
  });
  if (!servers) return;
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      assertEquals(await r.call("DBSIZE"), ":3\r\n", "the expired keys are loaded, kept");
      assertEquals(await r.call("GET", "dead"), "$-1\r\n");
      assertEquals(await r.call("HGETALL", "deadh"), "*0\r\n");
      assertEquals(decode(await r.call("KEYS", "*")), ["live"]);
      assertEquals(await m.call("GET", "dead"), "$-1\r\n");
      await caughtUp(m, r);
      assertEquals(await r.call("DBSIZE"), ":2\r\n", "the master's DEL of dead");
      assertEquals(await m.call("EXISTS", "deadh"), ":0\r\n");
      await caughtUp(m, r);
      assertEquals(await r.call("DBSIZE"), ":1\r\n", "the master's DEL of deadh");
      // RANDOMKEY in a database of expired keys names one of them (Redis's
      // dbRandomKey gives up after some tries on a replica) instead of looping.
      await r.call("SELECT", "5");
      assert(["$2\r\nv1\r\n", "$2\r\nv2\r\n"].includes(await r.call("RANDOMKEY")));
      await r.call("SELECT", "0");
      await run(m, [["SELECT", "5"], ["GET", "v1"], ["GET", "v2"], ["SELECT", "0"]]);
      await caughtUp(m, r);
      await run(m, [["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]);
      await assertSameData(m, r, "after the DELs");
    });
  } finally {
    await stopAll([servers.master, servers.replica]);
  }
}

/** Scenario 4: a dropped link (killed from either side) continues by a partial resync. */
async function partialResync(kind: ReplicaKind): Promise<void> {
  const servers = await pair(kind, async (m) => {
    await run(m, fixture(0));
  });
  if (!servers) return;
  try {
    await withClients([servers.master.port, servers.replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      assertEquals(await syncCounts(m), { full: 1, partial: 0 });

      // The replica drops its master.
      assertEquals(await r.call("CLIENT", "KILL", "TYPE", "master"), ":1\r\n");
      await run(m, [["SET", "during:1", "v"], ["HSET", "d0:hash", "new", "1"], ["SELECT", "4"], [
        "RPUSH",
        "db4:l",
        "a",
      ], ["SELECT", "0"]]);
      await waitFor("a partial resync", async () => (await syncCounts(m)).partial === 1);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the replica dropped the link");

      // The master drops its replica.
      assertEquals(await m.call("CLIENT", "KILL", "TYPE", "replica"), ":1\r\n");
      await run(m, [["INCR", "during:2"], ["ZADD", "d0:zset", "7", "seven"]]);
      await waitFor("a second partial resync", async () => (await syncCounts(m)).partial === 2);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the master dropped the link");
      assertEquals(await syncCounts(m), { full: 1, partial: 2 });
      assertEquals((await infoOf(r, "replication")).get("master_replid"), await masterReplid(m));

      // A gap larger than the master's backlog: the replica's PSYNC gets a full resync.
      await run(m, [["CONFIG", "SET", "repl-backlog-size", "16384"]]);
      assertEquals(await r.call("REPLICAOF", "127.0.0.1", String(freePort())), "+OK\r\n");
      await waitFor("the link to be down", async () => {
        return (await infoOf(r, "replication")).get("master_link_status") === "down";
      });
      await run(m, Array.from({ length: 40 }, (_, i) => ["SET", `gap:${i}`, "g".repeat(4096)]));
      await run(m, [["DEL", "during:1"]]);
      assertEquals(
        await r.call("REPLICAOF", "127.0.0.1", String(servers.master.port)),
        "+OK\r\n",
      );
      await waitFor("a full resync", async () => (await syncCounts(m)).full === 2);
      await caughtUp(m, r);
      await assertSameData(m, r, "after a full resync over a too old offset");
      assertEquals(await syncCounts(m), { full: 2, partial: 2 });
      assertEquals((await infoOf(m, "stats")).get("sync_partial_err"), "1");
    });
  } finally {
    await stopAll([servers.master, servers.replica]);
  }
}

/** Scenario 8: master -> A -> B: B gets the same data and the same offsets. */
async function chained(kind: ReplicaKind, bKind: ReplicaKind = kind): Promise<void> {
  // A serves B: its diskless sync starts at once instead of after 5 s.
  const servers = await pair(kind, async (m) => {
    await run(m, fixture(0));
    await run(m, fixture(3));
  }, ["--repl-diskless-sync-delay", "0"]);
  if (!servers) return;
  let b: TestServer | null = null;
  try {
    b = await startKind(bKind, { args: replicaofArgs(servers.replica.port) });
    await withClients(
      [servers.master.port, servers.replica.port, b.port],
      async (m, ra, rb) => {
        await waitLinkUp(ra);
        await waitLinkUp(rb);
        await caughtUp(m, ra);
        await run(m, LIVE);
        const offset = await caughtUp(m, ra);
        await waitFor("B's offset to reach the master's", async () => {
          const bi = await infoOf(rb, "replication");
          return bi.get("master_link_status") === "up" &&
            Number(bi.get("slave_repl_offset")) >= offset;
        });
        await caughtUp(ra, rb);
        const ai = await infoOf(ra, "replication");
        const bi = await infoOf(rb, "replication");
        assertEquals(bi.get("slave_repl_offset"), ai.get("master_repl_offset"));
        assertEquals(ai.get("master_replid"), await masterReplid(m));
        assertEquals(
          bi.get("master_replid"),
          ai.get("master_replid"),
          "one history down the chain",
        );
        assertEquals(ai.get("connected_slaves"), "1");
        await assertSameData(m, rb, "master and the chained replica", LIVE_OPTS);
        await assertSameData(ra, rb, "A and B");

        // A promoted: B, its replica, follows A's new history without a full resync.
        const aFull = (await syncCounts(ra)).full;
        assertEquals(await ra.call("REPLICAOF", "NO", "ONE"), "+OK\r\n");
        await run(ra, [["SET", "a:promoted", "1"], ["DEL", "s:ex"]]);
        await caughtUp(ra, rb);
        const a2 = await infoOf(ra, "replication");
        const b2 = await infoOf(rb, "replication");
        assertEquals(b2.get("master_replid"), a2.get("master_replid"));
        assertEquals(b2.get("master_replid2"), ai.get("master_replid"));
        assertEquals((await syncCounts(ra)).full, aFull);
        await assertSameData(ra, rb, "A promoted, and B");
      },
    );
  } finally {
    await stopAll([servers.master, servers.replica, b]);
  }
}

replicaTests([
  ["full sync of every data type in dbs 0, 3, 9 (diskless)", (k) => fullSync(k, true)],
  ["full sync of every data type in dbs 0, 3, 9 (disk-based)", (k) => fullSync(k, false)],
  [
    "full sync with LFU counters in the RDB, compressed list nodes",
    (k) =>
      fullSync(k, true, [], ["--maxmemory-policy", "allkeys-lfu", "--list-compress-depth", "1"]),
  ],
  [
    "full sync with LRU idle times in the RDB",
    (k) => fullSync(k, false, [], ["--maxmemory-policy", "allkeys-lru"]),
  ],
  [
    "full sync, loaded from the socket (repl-diskless-load swapdb)",
    (k) => fullSync(k, true, ["--repl-diskless-load", "swapdb"]),
  ],
  ["masterauth, masteruser", masterAuth],
  ["what the master sees: announced address, priority, ACKed offsets, WAIT", announced],
  ["live writes of every kind, expiry on the master", liveWrites],
  ["-READONLY; replica-read-only no", readOnly],
  ["keys already expired on the master, in the snapshot", expiredInSnapshot],
  ["a dropped link continues by a partial resync", partialResync],
  ["chained: master -> A -> B", chained],
  [
    "chained: master -> A -> a redis-server B (A passes the stream on byte for byte)",
    (k) => chained(k, "redis"),
  ],
]);
