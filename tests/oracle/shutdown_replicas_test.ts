/**
 * SHUTDOWN on a master with replicas (Redis 7.0's shutdown-timeout): it
 * waits for every replica to acknowledge the whole stream, with writes held
 * and reads served; SHUTDOWN ABORT ends the wait (the waiting SHUTDOWN gets
 * an error, held writes go on); SHUTDOWN NOW does not wait; a replica that
 * keeps up lets the master go with every write. The same steps run on a
 * redis-server master and a redeno master, each with a redis-server
 * replica, and their replies are compared.
 */
import { assert, assertEquals } from "@std/assert";
import { RespClient } from "../support/resp_client.ts";
import { signal, type TestServer } from "../support/servers.ts";
import { waitFor } from "../support/persistence.ts";
import {
  caughtUp,
  onRedisMaster,
  type ReplicaKind,
  withRedisReplica,
} from "../support/replication.ts";

const MASTER = ["--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "3600"];

/** True once `s`'s process has exited. */
function exited(s: TestServer): () => Promise<boolean> {
  let done = false;
  s.process.status.then(() => (done = true));
  return () => Promise.resolve(done);
}

/** The steps on a master of `kind`; returns every reply in order. */
async function scenario(kind: ReplicaKind): Promise<string[]> {
  return await withRedisReplica(kind, MASTER, async ({ master, replica, m, r }) => {
    const replies: string[] = [];
    const other = await RespClient.connect(master.port);
    try {
      replies.push(await m.call("CONFIG", "GET", "shutdown-timeout"));
      replies.push(await m.call("SET", "a", "1"));
      await caughtUp(m, r);
      // A replica that does not answer: the shutdown waits for it.
      signal(replica.process, "SIGSTOP");
      const shutdown = m.call("SHUTDOWN", "NOSAVE");
      await waitFor("the shutdown to wait", async () => {
        // Reads are served meanwhile; a write is held until the wait ends.
        return (await other.call("GET", "a")) === "$1\r\n1\r\n" &&
          (await other.call("INFO", "persistence")).includes("loading:0");
      });
      const held = RespClient.connect(master.port).then(async (w) => {
        try {
          return await w.call("SET", "b", "2");
        } finally {
          w.close();
        }
      });
      replies.push(await other.call("GET", "a"));
      replies.push(await other.call("SHUTDOWN", "ABORT"));
      replies.push(await shutdown);
      replies.push(await held);
      replies.push(await other.call("GET", "b"));
      replies.push(await other.call("SHUTDOWN", "ABORT"));
      return replies;
    } finally {
      other.close();
    }
  });
}

Deno.test("SHUTDOWN with replicas: waits for them, ABORT ends the wait, as Redis 7.0", async () => {
  const redis = await onRedisMaster(scenario);
  if (redis === null) {
    console.log("SKIPPED: redis-server is not installed");
    return;
  }
  const redeno = await scenario("redeno");
  assertEquals(redeno, redis);
  // What the comparison covers: the waiting SHUTDOWN's error and the held write's OK.
  assert(redeno.includes("-ERR Errors trying to SHUTDOWN. Check logs.\r\n"), redeno.join(""));
  assertEquals(redeno.at(-1), "-ERR No shutdown in progress.\r\n");
});

/** A replica that keeps up: the master waits for its ACK of the last write, then exits. */
async function keepsUp(kind: ReplicaKind): Promise<string> {
  return await withRedisReplica(kind, MASTER, async ({ master, m, r }) => {
    await m.call("SET", "c", "3");
    m.call("SHUTDOWN", "NOSAVE").catch(() => "");
    await waitFor("the master to exit", exited(master));
    return await r.call("GET", "c");
  });
}

Deno.test("SHUTDOWN with a replica that keeps up: it has the last write when the master is gone", async () => {
  assertEquals(await keepsUp("redeno"), "$1\r\n3\r\n");
});

Deno.test("SHUTDOWN NOW does not wait for a replica that does not answer", async () => {
  const args = [...MASTER, "--shutdown-timeout", "100000"];
  await withRedisReplica("redeno", args, async ({ master, replica, m }) => {
    await m.call("SET", "a", "1");
    signal(replica.process, "SIGSTOP");
    m.call("SHUTDOWN", "NOSAVE", "NOW").catch(() => "");
    await waitFor("the master to exit", exited(master));
  });
});
