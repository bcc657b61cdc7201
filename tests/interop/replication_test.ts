/**
 * A real redis-server 7.0.15 as a replica of redeno: a full resync of every
 * data type in two databases (with TTLs), then live writes of several kinds
 * followed through the command stream, compared key by key (TYPE, DUMP,
 * whether a TTL is set) once the replica's offset reaches the master's;
 * then a dropped link continued by a partial resync from the backlog; two
 * replicas syncing at once while a BGSAVE is asked for.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { parseInfo, RespClient, scanAll } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { oracleTest } from "../support/oracle.ts";

/** Polls `cond` every 50 ms for up to `ms`; fails with `what` if it never holds. */
async function waitFor(what: string, cond: () => Promise<boolean>, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function info(c: RespClient, section: string): Promise<Map<string, string>> {
  const raw = await c.call("INFO", section);
  return parseInfo(raw);
}

/** Waits until the replica has processed everything the master has sent so far. */
async function caughtUp(master: RespClient, replica: RespClient): Promise<void> {
  const target = (await info(master, "replication")).get("master_repl_offset");
  await waitFor(`replica offset ${target}`, async () => {
    const r = await info(replica, "replication");
    return r.get("master_link_status") === "up" && r.get("slave_repl_offset") === target;
  });
}

/**
 * A key's value in a comparable form: DUMP, except where the element order
 * of a hash table is the server's own (sets, hashes in a hashtable).
 */
async function content(c: RespClient, key: string): Promise<string> {
  const type = await c.call("TYPE", key);
  const enc = await c.call("OBJECT", "ENCODING", key);
  if (type === "+set\r\n" && enc === "$9\r\nhashtable\r\n") {
    return JSON.stringify((await c.value("SMEMBERS", key) as string[]).sort());
  }
  if (type === "+hash\r\n" && enc === "$9\r\nhashtable\r\n") {
    const flat = await c.value("HGETALL", key) as string[];
    const pairs: string[] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
    return JSON.stringify(pairs.sort());
  }
  return await c.call("DUMP", key);
}

/** Every key of databases 0..1 compared between the two servers. */
async function sameData(master: RespClient, replica: RespClient): Promise<number> {
  let compared = 0;
  for (const db of ["0", "1"]) {
    await master.call("SELECT", db);
    await replica.call("SELECT", db);
    const keys = (await scanAll(master)).sort();
    assertEquals((await scanAll(replica)).sort(), keys, `keys of db ${db}`);
    for (const k of keys) {
      assertEquals(await replica.call("TYPE", k), await master.call("TYPE", k), `TYPE ${k}`);
      assertEquals(await content(replica, k), await content(master, k), `value of ${k}`);
      const ttlM = await master.call("PTTL", k);
      const ttlR = await replica.call("PTTL", k);
      assertEquals(ttlR === ":-1\r\n", ttlM === ":-1\r\n", `TTL set on ${k}`);
      compared++;
    }
  }
  await master.call("SELECT", "0");
  await replica.call("SELECT", "0");
  return compared;
}

const INITIAL: string[][] = [
  ["SET", "str", "hello"],
  ["SET", "num", "12345"],
  ["SET", "ttl:str", "v", "EX", "1000"],
  ["HSET", "hash", "a", "1", "b", "2"],
  ["HSET", "bighash", "f", "x".repeat(100)],
  ["RPUSH", "list", "a", "b", "c", "1", "2"],
  ["SADD", "intset", "1", "2", "3"],
  ["SADD", "set", "a", "b", "c"],
  ["ZADD", "zset", "1", "a", "2.5", "b", "-3", "c"],
  ["XADD", "stream", "1-1", "f", "v"],
  ["XADD", "stream", "2-1", "g", "w"],
  ["XGROUP", "CREATE", "stream", "grp", "0"],
  ["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", "stream", ">"],
  ["PFADD", "hll", "a", "b", "c"],
  ["HSET", "ttl:hash", "f", "v"],
  ["PEXPIRE", "ttl:hash", "900000"],
  ["SELECT", "1"],
  ["SET", "db1:str", "one"],
  ["RPUSH", "db1:list", "x"],
  ["ZADD", "db1:zset", "1", "m"],
  ["SET", "db1:ttl", "t", "PX", "800000"],
  ["SELECT", "0"],
];

const LIVE: string[][] = [
  ["SET", "live:ex", "v", "EX", "500"],
  ["INCR", "num"],
  ["HSET", "hash", "c", "3"],
  ["LPUSH", "list", "z"],
  ["ZADD", "zset", "9", "d"],
  ["XADD", "stream", "*", "h", "x"],
  ["EXPIRE", "str", "700"],
  ["DEL", "set"],
  ["MULTI"],
  ["INCR", "counter"],
  ["SADD", "intset", "4"],
  ["EXEC"],
  ["EVAL", "redis.call('SET', KEYS[1], 'a'); return redis.call('APPEND', KEYS[1], 'b')", "1", "ev"],
  ["SELECT", "1"],
  ["SET", "db1:new", "n"],
  ["FLUSHDB"],
  ["SET", "db1:after", "flush"],
  ["SELECT", "0"],
];

Deno.test("redis-server replicates redeno: full sync, live writes, partial resync", async () => {
  const master = await startRedeno();
  let replicaServer: TestServer | null = null;
  const m = await RespClient.connect(master.port);
  let r: RespClient | null = null;
  try {
    for (const cmd of INITIAL) {
      const reply = await m.call(...cmd);
      assert(!reply.startsWith("-"), `${cmd.join(" ")}: ${reply}`);
    }
    replicaServer = await startRedis({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    if (replicaServer === null) return; // no redis-server here (startRedis said so)
    r = await RespClient.connect(replicaServer.port);
    const replica = r;
    await waitFor("master_link_status:up", async () => {
      return (await info(replica, "replication")).get("master_link_status") === "up";
    });
    await caughtUp(m, replica);
    assertEquals(await sameData(m, replica), 16);

    const mi = await info(m, "replication");
    assertEquals(mi.get("role"), "master");
    assertEquals(mi.get("connected_slaves"), "1");
    assert(/^ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d+$/.test(mi.get("slave0")!));
    assertEquals(mi.get("repl_backlog_active"), "1");
    assertEquals(
      (await info(replica, "replication")).get("master_replid"),
      mi.get("master_replid"),
    );

    for (const cmd of LIVE) {
      const reply = await m.call(...cmd);
      assert(!reply.startsWith("-"), `${cmd.join(" ")}: ${reply}`);
    }
    await caughtUp(m, replica);
    assertEquals(await sameData(m, replica), 15);
    const role = await m.call("ROLE");
    assert(role.startsWith("*3\r\n$6\r\nmaster\r\n:"), role);

    // A replica is of client type replica, not counted in connected_clients.
    assertEquals((await info(m, "clients")).get("connected_clients"), "1");
    const normal = await m.call("CLIENT", "LIST", "TYPE", "normal");
    assertEquals(normal.split("id=").length, 2, normal); // the test's own connection only
    assert(!normal.includes("flags=S"), normal);
    // Drop the link: the replica continues from the backlog.
    const list = await m.call("CLIENT", "LIST", "TYPE", "replica");
    const id = /id=(\d+) [^\n]*flags=S/.exec(list)?.[1];
    assert(id !== undefined, list);
    await m.call("CLIENT", "KILL", "ID", id);
    await m.call("SET", "after:kill", "1");
    await m.call("HSET", "hash", "d", "4");
    await waitFor("a partial resync", async () => {
      return (await info(m, "stats")).get("sync_partial_ok") === "1";
    });
    await caughtUp(m, replica);
    assertEquals(await sameData(m, replica), 16);
    const stats = await info(m, "stats");
    assertEquals(stats.get("sync_full"), "1");
  } finally {
    r?.close();
    m.close();
    await replicaServer?.stop();
    await master.stop();
  }
});

Deno.test("two replicas syncing at once, with a BGSAVE asked meanwhile: both get the data, the BGSAVE succeeds", async () => {
  const master = await startRedeno();
  const m = await RespClient.connect(master.port);
  const replicas: TestServer[] = [];
  const clients: RespClient[] = [];
  try {
    // Enough data for the snapshot to be written over several slices.
    for (let batch = 0; batch < 10; batch++) {
      const cmds: string[][] = [];
      for (let i = 0; i < 1000; i++) {
        const n = batch * 1000 + i;
        cmds.push(["SET", `k:${n}`, "v".repeat(50) + n]);
      }
      await m.pipeline(cmds);
    }
    await m.call("RPUSH", "list", ...Array.from({ length: 2000 }, (_, i) => `e${i}`));
    const args = ["--replicaof", "127.0.0.1", String(master.port)];
    const started = await Promise.all([startRedis({ args }), startRedis({ args })]);
    if (started.some((s) => s === null)) return; // no redis-server here
    for (const s of started) {
      replicas.push(s!);
      clients.push(await RespClient.connect(s!.port));
    }
    assertEquals(await m.call("BGSAVE"), "+Background saving started\r\n");
    await m.call("INCR", "during");
    for (const r of clients) await caughtUp(m, r);
    for (const r of clients) {
      assertEquals(await r.call("DBSIZE"), await m.call("DBSIZE"));
      assertEquals(await r.call("GET", "k:9999"), await m.call("GET", "k:9999"));
      assertEquals(
        await r.call("LRANGE", "list", "0", "-1"),
        await m.call("LRANGE", "list", "0", "-1"),
      );
      assertEquals(await r.call("GET", "during"), "$1\r\n1\r\n");
    }
    await waitFor("the BGSAVE", async () => {
      return (await info(m, "persistence")).get("rdb_bgsave_in_progress") === "0";
    });
    assertEquals((await info(m, "persistence")).get("rdb_last_bgsave_status"), "ok");
    assertEquals((await info(m, "replication")).get("connected_slaves"), "2");
  } finally {
    for (const c of clients) c.close();
    m.close();
    for (const s of replicas) await s.stop();
    await master.stop();
  }
});

oracleTest("REPLCONF replies and errors as Redis 7.0", async (o) => {
  await o.sameAll([
    ["REPLCONF"],
    ["REPLCONF", "listening-port", "6380", "capa", "eof", "capa", "psync2"],
    ["REPLCONF", "ip-address", "10.0.0.1"],
    ["REPLCONF", "foo", "bar"],
    ["REPLCONF", "listening-port", "x"],
    ["REPLCONF", "a"],
    ["REPLCONF", "rdb-only", "2"],
    ["REPLCONF", "rdb-only", "x"],
    ["REPLCONF", "rdb-only", "1"],
    ["PSYNC", "?", "x"],
  ]);
});
