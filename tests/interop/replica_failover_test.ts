/**
 * A server as the replica of a real redis-server 7.0.15 master when things
 * go wrong, each scenario with redis-server as the replica (which validates
 * the test) and with redeno: the master killed (-9) during a full sync (the
 * replica keeps its old data, then resyncs with the restarted master); the
 * replica restarted from its own files (which alone hold the data: loaded
 * with no master they equal the master's; AOF: a full resync, as Redis does;
 * RDB: a partial one from the replication id and offset in the file); a
 * promotion (REPLICAOF NO ONE keeps the old history as replid2, so another
 * replica re-pointed at it continues by a partial resync, and so does the
 * demoted one when they switch back).
 */
import { assert, assertEquals, assertNotEquals } from "../support/assert.ts";
import { decode, type Decoded, type RespClient } from "../support/resp_client.ts";
import type { TestServer } from "../support/servers.ts";
import { idle, shutdown, waitFor } from "../support/persistence.ts";
import {
  assertSameData,
  caughtUp,
  dataset,
  infoOf,
  REPLICA_DOWN_INFO_FIELDS,
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

/** A small data set of several types, some keys with a TTL, in dbs 0 and 2. */
const DATA: string[][] = [
  ["SET", "old:str", "hello"],
  ["SET", "old:bin", "\x00\x01\xfe\xff"],
  ["SET", "old:ttl", "t", "EX", "1000"],
  ["HSET", "old:hash", "a", "1", "b", "2"],
  ["RPUSH", "old:list", "a", "b", "c"],
  ["SADD", "old:set", "1", "2", "3"],
  ["ZADD", "old:zset", "1", "a", "2", "b"],
  ["XADD", "old:stream", "1-1", "f", "v"],
  ["XGROUP", "CREATE", "old:stream", "g", "0"],
  ["PFADD", "old:hll", "a", "b"],
  ["SELECT", "2"],
  ["SET", "old:db2", "two"],
  ["SELECT", "0"],
];

/** Writes after the first sync (varied, in two dbs). */
const MORE: string[][] = [
  ["SET", "new:str", "v", "PX", "700000"],
  ["INCR", "new:ctr"],
  ["HSET", "old:hash", "c", "3"],
  ["LPUSH", "old:list", "z"],
  ["SELECT", "2"],
  ["SADD", "new:set", "x", "y"],
  ["SELECT", "0"],
];

/** DEBUG POPULATE's keys ("key:N"), compared by count and by sample, not one by one. */
const POPULATED = (k: string) => k.startsWith("key:");
const POPULATE_COUNT = 50_000;

/** Every 997th populated key compared between master and replica. */
async function samePopulated(m: RespClient, r: RespClient, count = POPULATE_COUNT): Promise<void> {
  const cmds: string[][] = [];
  for (let i = 0; i < count; i += 997) cmds.push(["GET", `key:${i}`]);
  const theirs = await run(m, cmds);
  assertEquals(await run(r, cmds), theirs, "sampled populated keys");
  assertEquals(theirs[1], "value:997");
}

/**
 * Scenario 5: kill -9 of the master during a full sync. The replica keeps
 * serving the data set of its earlier sync, with master_link_status:down;
 * a master started again on the same port and dir is synced from.
 */
async function masterKilledDuringSync(kind: ReplicaKind): Promise<void> {
  let master = await startMaster();
  if (!master) return;
  const { port, dir } = master;
  let replica: TestServer | null = null;
  try {
    replica = await startKind(kind, { args: replicaofArgs(port) });
    const old = await withClients([port, replica.port], async (m, r) => {
      await run(m, DATA);
      await waitLinkUp(r);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the first sync");
      // A big data set only the master has (DEBUG POPULATE is not propagated),
      // in its dump.rdb for the restart; then a full sync slowed down per key.
      await run(m, [["DEBUG", "POPULATE", String(POPULATE_COUNT)], ["SAVE"]]);
      await run(m, [["CONFIG", "SET", "rdb-key-save-delay", "200"]]);
      const old = await dataset(r);
      // Leaving and rejoining: a new history, so the master answers +FULLRESYNC.
      await run(r, [["REPLICAOF", "NO", "ONE"], ["REPLICAOF", "127.0.0.1", String(port)]]);
      await waitFor("master_sync_in_progress:1", async () => {
        return (await infoOf(r, "replication")).get("master_sync_in_progress") === "1";
      });
      assertEquals(await r.call("GET", "old:str"), "$5\r\nhello\r\n", "old data during the sync");
      await master!.kill();
      await waitFor("master_link_status:down, no sync in progress", async () => {
        const i = await infoOf(r, "replication");
        return i.get("master_link_status") === "down" && i.get("master_sync_in_progress") === "0";
      });
      assertEquals(await dataset(r), old, "the replica still serves its old data set");
      assertEquals(await r.call("GET", "key:1"), "$-1\r\n", "nothing of the aborted transfer");
      assertEquals([...(await infoOf(r, "replication")).keys()], REPLICA_DOWN_INFO_FIELDS);
      const role = decode(await r.call("ROLE")) as Decoded[];
      assertEquals(role[0], "slave");
      assert(role[3] === "connect" || role[3] === "connecting", `ROLE state ${role[3]}`);
      assertEquals(role[4], -1, "ROLE's offset without a master link");
      // Stale data refused: every command but the few Redis flags "stale".
      await run(r, [["CONFIG", "SET", "replica-serve-stale-data", "no"]]);
      const DOWN =
        "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
      assertEquals(await r.call("GET", "old:str"), DOWN);
      assertEquals(await r.call("DBSIZE"), DOWN);
      assertEquals(await r.call("PING"), DOWN);
      assertEquals(
        await r.call("SET", "x", "1"),
        "-READONLY You can't write against a read only replica.\r\n",
      );
      assert((await r.call("INFO", "replication")).startsWith("$"), "INFO serves stale");
      await run(r, [["CONFIG", "SET", "replica-serve-stale-data", "yes"]]);
      assertEquals(await r.call("GET", "old:str"), "$5\r\nhello\r\n");
      return old;
    });
    assert(old.length > 5);

    master = await startMaster({ port, dir });
    if (!master) throw new Error("redis-server went away");
    await withClients([port, replica.port], async (m, r) => {
      // The dump.rdb saved before the kill: DATA's nine keys of db 0 and the populated ones.
      assertEquals(await m.call("DBSIZE"), `:${POPULATE_COUNT + 9}\r\n`);
      await waitLinkUp(r);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the restarted master's sync", { skip: POPULATED });
      await samePopulated(m, r);
      await run(m, MORE);
      await caughtUp(m, r);
      await assertSameData(m, r, "after more writes", { skip: POPULATED });
    });
  } finally {
    await stopAll([master, replica]);
  }
}

/**
 * Writes made while a full sync is under way (the master's snapshot slowed
 * down per key) reach the replica after the snapshot, none lost.
 */
async function writesDuringSync(kind: ReplicaKind): Promise<void> {
  const master = await startMaster();
  if (!master) return;
  let replica: TestServer | null = null;
  try {
    await withClients([master.port], async (m) => {
      await run(m, DATA);
      await run(m, [["DEBUG", "POPULATE", "20000"]]);
      await run(m, [["CONFIG", "SET", "rdb-key-save-delay", "20"]]);
    });
    replica = await startKind(kind, { args: replicaofArgs(master.port) });
    await withClients([master.port, replica.port], async (m, r) => {
      let n = 0;
      await waitFor("the sync to end while writes go on", async () => {
        await run(m, [
          ["INCR", "during:ctr"],
          ["RPUSH", "during:list", String(n)],
          ["SELECT", "2"],
          ["SET", `during:${n}`, "x".repeat(n % 100)],
          ["SELECT", "0"],
        ]);
        n++;
        return (await infoOf(r, "replication")).get("master_link_status") === "up";
      });
      await run(m, [["CONFIG", "SET", "rdb-key-save-delay", "0"], ["HSET", "old:hash", "z", "26"]]);
      await caughtUp(m, r);
      await assertSameData(m, r, `after ${n} rounds of writes during the sync`, {
        skip: POPULATED,
      });
      await samePopulated(m, r, 20000);
      assert(n > 1, `${n} rounds of writes during the sync`);
    });
  } finally {
    await stopAll([master, replica]);
  }
}

/**
 * Scenario 6: a replica stopped with SHUTDOWN and started again from its
 * own files, with --replicaof. Redis 7.0 keeps the replication id and
 * offset in an RDB's aux fields (so it continues by a partial resync), but
 * a replica loading an AOF has no cached master and does a full resync.
 */
async function restartedFromOwnFiles(kind: ReplicaKind, aof: boolean): Promise<void> {
  const master = await startMaster();
  if (!master) return;
  const persistence = aof
    ? ["--appendonly", "yes", "--save", ""]
    : ["--appendonly", "no", "--save", ""];
  const args = [...persistence, ...replicaofArgs(master.port)];
  let replica: TestServer | null = null;
  try {
    replica = await startKind(kind, { persistence: true, args });
    const dir = replica.dir;
    await withClients([master.port, replica.port], async (m, r) => {
      await run(m, DATA);
      await waitLinkUp(r);
      await caughtUp(m, r);
      await run(m, MORE);
      await caughtUp(m, r);
      await assertSameData(m, r, "before the restart");
    });
    // A replica loading its master's RDB with AOF on writes a new AOF base first.
    await withClients([replica.port], idle);
    const stopped = replica;
    replica = null;
    assertEquals(await shutdown(stopped, ...(aof ? [] : ["SAVE"])), 0);
    // Its files alone hold the master's data: started from them with no master, it has it all.
    const expected = await withClients([master.port], (m) => dataset(m));
    const alone = await startKind(kind, { persistence: true, dir, args: persistence });
    try {
      await withClients([alone.port], async (c) => {
        assertEquals(await dataset(c), expected, "the replica's own files, loaded alone");
      });
    } finally {
      await alone.stop();
    }
    await withClients([master.port], async (m) => {
      await run(m, [["SET", "while:down", "1"], ["HSET", "old:hash", "d", "4"]]);
    });
    replica = await startKind(kind, { persistence: true, dir, args });
    await withClients([master.port, replica.port], async (m, r) => {
      await waitLinkUp(r);
      await caughtUp(m, r);
      await assertSameData(m, r, "after the restart");
      assertEquals(
        await syncCounts(m),
        aof ? { full: 2, partial: 0 } : { full: 1, partial: 1 },
        aof ? "a replica loading its AOF syncs in full" : "a replica loading its RDB continues",
      );
      await run(m, [["SELECT", "2"], ["DEL", "old:db2"], ["SELECT", "0"], ["INCR", "new:ctr"]]);
      await caughtUp(m, r);
      await assertSameData(m, r, "after writes following the restart");
    });
  } finally {
    await stopAll([master, replica]);
  }
}

/**
 * Scenario 7: the master dies; replica A is promoted (REPLICAOF NO ONE: a
 * new replid, the old one as master_replid2, second_repl_offset = its
 * offset + 1); replica B re-pointed at A continues by a partial resync.
 */
async function promotion(kind: ReplicaKind): Promise<void> {
  // No periodic PING: a replica must stop at its new master's offset when its master changes.
  const quiet = ["--repl-ping-replica-period", "3600"];
  const master = await startMaster({ args: quiet });
  if (!master) return;
  let a: TestServer | null = null;
  let b: TestServer | null = null;
  try {
    a = await startKind(kind, { args: [...replicaofArgs(master.port), ...quiet] });
    b = await startKind(kind, { args: [...replicaofArgs(master.port), ...quiet] });
    const [oldId, offset] = await withClients(
      [master.port, a.port, b.port],
      async (m, ra, rb) => {
        await run(m, DATA);
        await run(m, MORE);
        await waitLinkUp(ra);
        await waitLinkUp(rb);
        await caughtUp(m, rb);
        await assertSameData(m, rb, "B before the failover");
        // After the comparison (its PFCOUNT on the master is propagated).
        const offset = await caughtUp(m, ra);
        assertEquals(await caughtUp(m, rb), offset);
        return [(await infoOf(m, "replication")).get("master_replid")!, offset];
      },
    );
    await master.kill();
    await withClients([a.port, b.port], async (ra, rb) => {
      await waitFor("B to see its master gone", async () => {
        return (await infoOf(rb, "replication")).get("master_link_status") === "down";
      });
      assertEquals(await ra.call("REPLICAOF", "NO", "ONE"), "+OK\r\n");
      const ai = await infoOf(ra, "replication");
      assertEquals(ai.get("role"), "master");
      assertNotEquals(ai.get("master_replid"), oldId, "a new history");
      assertEquals(ai.get("master_replid2"), oldId, "the old history kept as replid2");
      assertEquals(ai.get("master_repl_offset"), String(offset));
      assertEquals(ai.get("second_repl_offset"), String(offset + 1));
      assertEquals(await ra.call("SET", "promoted", "yes"), "+OK\r\n", "a master takes writes");

      assertEquals(await rb.call("REPLICAOF", "127.0.0.1", String(a!.port)), "+OK\r\n");
      await waitFor("B's partial resync with A", async () => (await syncCounts(ra)).partial === 1);
      await caughtUp(ra, rb);
      assertEquals(await syncCounts(ra), { full: 0, partial: 1 });
      const bi = await infoOf(rb, "replication");
      assertEquals(bi.get("master_replid"), ai.get("master_replid"));
      assertEquals(bi.get("master_replid2"), oldId);
      assertEquals(await rb.call("GET", "promoted"), "$3\r\nyes\r\n");
      await run(ra, MORE);
      await caughtUp(ra, rb);
      await assertSameData(ra, rb, "the promoted master and its new replica");

      // Switchover back: B promoted, the demoted A continues from B by a partial resync.
      const aOffset = await caughtUp(ra, rb);
      assertEquals(await rb.call("REPLICAOF", "NO", "ONE"), "+OK\r\n");
      const bm = await infoOf(rb, "replication");
      assertEquals(bm.get("master_replid2"), ai.get("master_replid"));
      assertEquals(bm.get("second_repl_offset"), String(aOffset + 1));
      assertEquals(await ra.call("REPLICAOF", "127.0.0.1", String(b!.port)), "+OK\r\n");
      await waitFor("A's partial resync with B", async () => (await syncCounts(rb)).partial === 1);
      await run(rb, [["SET", "switched", "back"]]);
      await caughtUp(rb, ra);
      assertEquals(await syncCounts(rb), { full: 0, partial: 1 });
      const as = await infoOf(ra, "replication");
      assertEquals(as.get("role"), "slave");
      assertEquals(as.get("master_replid"), bm.get("master_replid"));
      assertEquals(as.get("master_replid2"), ai.get("master_replid"));
      assertEquals(
        await ra.call("SET", "x", "1"),
        "-READONLY You can't write against a read only replica.\r\n",
      );
      await assertSameData(rb, ra, "after the switchover back");
    });
  } finally {
    await stopAll([master, a, b]);
  }
}

replicaTests([
  ["kill -9 of the master during a full sync, then its restart", masterKilledDuringSync],
  ["writes during a full sync reach the replica after the snapshot", writesDuringSync],
  ["restarted from its own AOF: a full resync", (k) => restartedFromOwnFiles(k, true)],
  ["restarted from its own RDB: a partial resync", (k) => restartedFromOwnFiles(k, false)],
  ["promotion, another replica follows by a partial resync; switchover back", promotion],
]);
