/**
 * WAIT, REPLCONF GETACK and min-replicas-to-write compared with Redis 7.0:
 * every scenario runs on a redeno master and on a redis-server master, each
 * with real redis-server replicas (`--replicaof`), and the two transcripts
 * of replies must be identical. Nothing depends on timing: where the answer
 * depends on when a replica acknowledges (its ACK every second), the test
 * first polls until the replica has acknowledged everything, and states
 * that depend on time (a replica killed, stopped, back) are polled for with
 * a generous bound and recorded only as reached.
 */
import { assertEquals } from "../support/assert.ts";
import { parseInfo, RespClient } from "../support/resp_client.ts";
import { type StartOptions, startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { waitFor } from "../support/persistence.ts";

type Kind = "redeno" | "redis";

/** What a scenario gets: its master, a client of it, and the transcript it builds. */
interface Env {
  kind: Kind;
  master: TestServer;
  m: RespClient;
  /** Sends a command on `c` and records its reply. */
  rec(c: RespClient, ...args: string[]): Promise<string>;
  /** Records a line of the transcript. */
  note(line: string): void;
  /** A new connection to the master (closed at the end). */
  connect(): Promise<RespClient>;
  /** Starts a redis-server replica of the master and waits until the master sees it online. */
  addReplica(): Promise<TestServer>;
}

async function info(c: RespClient, section: string): Promise<Map<string, string>> {
  return parseInfo(await c.call("INFO", section));
}

/** Polls until `args` on `c` replies `expected` (a state reached in time, not at once). */
async function until(c: RespClient, expected: string, ...args: string[]): Promise<void> {
  await waitFor(`${args.join(" ")} => ${JSON.stringify(expected)}`, async () => {
    return await c.call(...args) === expected;
  });
}

/**
 * Waits until every replica has acknowledged all of the stream (the
 * replica's ACK each second): from then on WAIT's count cannot depend on
 * when it comes. Nothing feeds the stream meanwhile (no writes, and the
 * masters' PING period is an hour).
 */
async function allAcked(m: RespClient): Promise<void> {
  await waitFor("replicas acknowledging the whole stream", async () => {
    const i = await info(m, "replication");
    const offset = i.get("master_repl_offset");
    const n = Number(i.get("connected_slaves"));
    for (let k = 0; k < n; k++) {
      if (!i.get(`slave${k}`)?.includes(`state=online,offset=${offset},`)) return false;
    }
    return true;
  });
}

/** Waits until `c` is blocked (INFO blocked_clients counts it). */
async function blockedClients(m: RespClient, n: number): Promise<void> {
  await waitFor(`${n} blocked clients`, async () => {
    return (await info(m, "clients")).get("blocked_clients") === String(n);
  });
}

async function onlineReplicas(m: RespClient, n: number): Promise<void> {
  await waitFor(`${n} online replicas`, async () => {
    const i = await info(m, "replication");
    if (i.get("connected_slaves") !== String(n)) return false;
    for (let k = 0; k < n; k++) if (!i.get(`slave${k}`)?.includes("state=online")) return false;
    return true;
  });
}

/** Master options: no PING in the stream during a test; Redis 7.0's diskless sync without its delay. */
const MASTER_ARGS: Record<Kind, string[]> = {
  redeno: ["--repl-ping-replica-period", "3600"],
  redis: ["--repl-ping-replica-period", "3600", "--repl-diskless-sync-delay", "0"],
};

/** Runs `scenario` against a master of `kind`; returns its transcript, or null without redis-server. */
async function runOn(kind: Kind, scenario: (env: Env) => Promise<void>): Promise<string[] | null> {
  const opts: StartOptions = { args: MASTER_ARGS[kind] };
  const master = kind === "redeno" ? await startRedeno(opts) : await startRedis(opts);
  if (master === null) return null;
  const clients: RespClient[] = [];
  const replicas: TestServer[] = [];
  const transcript: string[] = [];
  try {
    const connect = async () => {
      const c = await RespClient.connect(master.port);
      clients.push(c);
      return c;
    };
    const m = await connect();
    const env: Env = {
      kind,
      master,
      m,
      rec: async (c, ...args) => {
        const reply = await c.call(...args);
        transcript.push(`${args.join(" ")} => ${JSON.stringify(reply)}`);
        return reply;
      },
      note: (line) => transcript.push(line),
      connect,
      addReplica: async () => {
        const r = await startRedis({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
        replicas.push(r!);
        await waitFor("the replica online", async () => {
          return (await m.call("INFO", "replication")).includes(`,port=${r!.port},state=online`);
        });
        return r!;
      },
    };
    await scenario(env);
    return transcript;
  } finally {
    for (const c of clients) c.close();
    for (const r of replicas) {
      try {
        r.process.kill("SIGCONT");
      } catch {
        // gone
      }
      await r.stop();
    }
    await master.stop();
  }
}

/** A test running `scenario` on both masters at once; the transcripts must be equal. */
function waitOracle(name: string, scenario: (env: Env) => Promise<void>): void {
  Deno.test(name, async () => {
    const [theirs, mine] = await Promise.all([runOn("redis", scenario), runOn("redeno", scenario)]);
    if (theirs === null) return; // no redis-server here (startRedis said so)
    assertEquals(mine, theirs);
  });
}

waitOracle("WAIT without replicas: replies, errors, MULTI, scripts, CLIENT UNBLOCK", async (e) => {
  const { m, rec } = e;
  const fresh = await e.connect();
  await rec(fresh, "WAIT", "0", "0");
  await rec(m, "SET", "k", "v");
  await rec(m, "WAIT", "0", "0");
  await rec(m, "WAIT", "1", "100"); // times out: nobody acknowledges
  await rec(m, "WAIT", "-1", "0");
  for (
    const args of [
      ["WAIT", "x", "1"],
      ["WAIT", "1", "x"],
      ["WAIT", "1", "-1"],
      ["WAIT", "x", "-1"],
      ["WAIT", "1", "1.5"],
      ["WAIT", "99999999999999999999", "0"],
      ["WAIT", "1", "99999999999999999999"],
      ["WAIT", "1"],
      ["WAIT", "1", "2", "3"],
    ]
  ) {
    await rec(m, ...args);
  }
  // Inside MULTI it answers at once.
  await rec(m, "MULTI");
  await rec(m, "WAIT", "1", "0");
  await rec(m, "WAIT", "5", "100");
  await rec(m, "EXEC");
  await rec(m, "EVAL", "return redis.call('wait', '0', '0')", "0");
  await rec(m, "COMMAND", "INFO", "wait");
  await rec(m, "COMMAND", "DOCS", "wait");
  // A WAIT for ever ends by CLIENT UNBLOCK (as a timeout, or with an error).
  const a = await e.connect();
  const id = (await a.call("CLIENT", "ID")).slice(1, -2);
  for (const how of [[], ["ERROR"]]) {
    await a.send(`*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$1\r\n0\r\n`);
    await blockedClients(m, 1);
    e.note(
      `CLIENT UNBLOCK ${how} => ${JSON.stringify(await m.call("CLIENT", "UNBLOCK", id, ...how))}`,
    );
    e.note(`blocked WAIT => ${JSON.stringify(await a.reply())}`);
  }
  await rec(a, "PING");
});

waitOracle(
  "WAIT with a redis-server replica: acknowledged, timed out, in MULTI, unblocked",
  async (e) => {
    const { m, rec } = e;
    const replica = await e.addReplica();
    // A connection's first command: its write offset is 0, which every online replica has.
    await rec(await e.connect(), "WAIT", "0", "0");
    const c = await e.connect();
    await rec(c, "SET", "k", "v");
    await rec(c, "INCR", "n");
    await rec(c, "WAIT", "1", "20000"); // the GETACK gets the replica's ACK
    await rec(c, "WAIT", "2", "100"); // one replica has it all; a second never comes
    await rec(c, "WAIT", "1", "0");
    // A WAIT that blocks puts one REPLCONF GETACK * in the stream; one answered at once, nothing.
    const offset = async () => Number((await info(m, "replication")).get("master_repl_offset"));
    await allAcked(m);
    for (const n of ["1", "2"]) {
      const before = await offset();
      await rec(c, "WAIT", n, "100");
      e.note(`the stream grew by ${(await offset()) - before}`);
    }
    await allAcked(m);
    // MULTI sets the offset WAIT waits for; the queued SET goes to the stream at EXEC's end.
    await rec(c, "MULTI");
    await rec(c, "SET", "k2", "v");
    await rec(c, "WAIT", "1", "0");
    await rec(c, "WAIT", "2", "0");
    await rec(c, "EXEC");
    await rec(c, "WAIT", "1", "20000");
    await allAcked(m);
    // CLIENT UNBLOCK ends a WAIT for a second replica with the count of the first.
    const id = (await c.call("CLIENT", "ID")).slice(1, -2);
    await c.send(`*3\r\n$4\r\nWAIT\r\n$1\r\n2\r\n$1\r\n0\r\n`);
    await blockedClients(m, 1);
    e.note(`CLIENT UNBLOCK => ${JSON.stringify(await m.call("CLIENT", "UNBLOCK", id))}`);
    e.note(`blocked WAIT => ${JSON.stringify(await c.reply())}`);
    // Two waiters released by one ACK.
    const d = await e.connect();
    await rec(c, "SET", "k3", "v");
    await rec(d, "SET", "k4", "v");
    await c.send(`*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$5\r\n20000\r\n`);
    await d.send(`*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$5\r\n20000\r\n`);
    e.note(`WAIT c => ${JSON.stringify(await c.reply())}`);
    e.note(`WAIT d => ${JSON.stringify(await d.reply())}`);
    e.note(`blocked_clients ${(await info(m, "clients")).get("blocked_clients")}`);
    // Without its replica, a WAIT after a write counts nobody.
    await replica.stop();
    await onlineReplicas(m, 0);
    await rec(c, "SET", "k5", "v");
    await rec(c, "WAIT", "1", "100");
  },
);

waitOracle("min-replicas-to-write: NOREPLICAS without enough good replicas", async (e) => {
  const { m, rec } = e;
  for (const name of ["min-replicas-to-write", "min-replicas-max-lag", "min-slaves-max-lag"]) {
    await rec(m, "CONFIG", "GET", name);
  }
  await rec(m, "CONFIG", "SET", "min-replicas-to-write", "-1");
  await rec(m, "CONFIG", "SET", "min-replicas-max-lag", "x");
  await rec(m, "CONFIG", "SET", "min-slaves-to-write", "1");
  await rec(m, "CONFIG", "GET", "min-replicas-to-write");
  const goodLine = async () => {
    const i = await info(m, "replication");
    e.note(`min_slaves_good_slaves ${i.get("min_slaves_good_slaves")}`);
  };
  await goodLine();
  const refused: string[][] = [
    ["SET", "k", "v"],
    ["GET", "k"],
    ["INCR", "n"],
    ["DEL", "k"],
    ["MULTI"],
    ["SET", "k", "v"],
    ["EXEC"],
    ["MULTI"],
    ["GET", "k"],
    ["EXEC"],
    ["EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "k"],
    ["EVAL", "return redis.call('get', KEYS[1])", "1", "k"],
    ["EVAL", "return redis.pcall('set', KEYS[1], 'v')", "1", "k"],
    ["EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "k"],
    ["EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k"],
    ["EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"],
    ["PUBLISH", "ch", "m"],
  ];
  for (const args of refused) await rec(m, ...args);
  // Without a lag bound the rule is off.
  await rec(m, "CONFIG", "SET", "min-replicas-max-lag", "0");
  await goodLine();
  await rec(m, "SET", "k", "v");
  await rec(m, "CONFIG", "SET", "min-replicas-max-lag", "10");
  await rec(m, "SET", "k", "v");
  // A replica that acknowledges makes writes possible.
  let replica = await e.addReplica();
  await until(m, "+OK\r\n", "SET", "probe", "v");
  e.note("writes accepted with a replica");
  await goodLine();
  await rec(m, "EVAL", "return redis.call('set', KEYS[1], 'w')", "1", "k");
  // Killed: the master sees the link go.
  await replica.kill();
  await until(m, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "probe", "v");
  e.note("refused once the replica is gone");
  replica = await e.addReplica();
  await until(m, "+OK\r\n", "SET", "probe", "v");
  e.note("accepted again when a replica is back");
  // A transaction queued while writes were accepted, its EXEC sent once they are not.
  const x = await e.connect();
  await rec(x, "MULTI");
  await rec(x, "INCR", "n");
  // Stopped: its ACKs lag past min-replicas-max-lag.
  await rec(m, "CONFIG", "SET", "min-replicas-max-lag", "1");
  replica.process.kill("SIGSTOP");
  await until(m, "-NOREPLICAS Not enough good replicas to write.\r\n", "SET", "probe", "v");
  e.note("refused while the replica lags");
  await rec(x, "EXEC");
  await rec(m, "EVAL", "return redis.call('set', KEYS[1], 'w')", "1", "k");
  await rec(m, "MULTI");
  await rec(m, "INCR", "n");
  await rec(m, "EXEC");
  replica.process.kill("SIGCONT");
  await until(m, "+OK\r\n", "SET", "probe", "v");
  e.note("accepted again when it catches up");
  await rec(m, "CONFIG", "SET", "min-replicas-to-write", "0");
  await goodLine();
});

Deno.test("WAIT and min-replicas-to-write on a replica: redeno and redis-server replicas of one master", async () => {
  const master = await startRedis({ args: MASTER_ARGS.redis });
  if (master === null) return; // no redis-server here (startRedis said so)
  const servers: TestServer[] = [master];
  const clients: RespClient[] = [];
  try {
    const replicaOf = ["127.0.0.1", String(master.port)];
    const mine = await startRedeno({ args: ["--replicaof", replicaOf.join(" ")] });
    servers.push(mine);
    const theirs = (await startRedis({ args: ["--replicaof", ...replicaOf] }))!;
    servers.push(theirs);
    const pair: RespClient[] = [];
    for (const s of [mine, theirs]) {
      const c = await RespClient.connect(s.port);
      clients.push(c);
      pair.push(c);
      await waitFor("the link to the master", async () => {
        return (await info(c, "replication")).get("master_link_status") === "up";
      });
    }
    const same = async (...args: string[]) => {
      const [a, b] = await Promise.all(pair.map((c) => c.call(...args)));
      assertEquals(a, b, `reply to ${args.join(" ")}`);
    };
    await same("WAIT", "0", "0");
    await same("WAIT", "1", "100");
    await same("WAIT", "x", "-1");
    await same("MULTI");
    await same("WAIT", "0", "0");
    await same("EXEC");
    // A replica is no master: min-replicas-to-write does not refuse its writes.
    await same("CONFIG", "SET", "min-replicas-to-write", "1");
    await same("SET", "k", "v");
    await same("CONFIG", "SET", "replica-read-only", "no");
    await same("SET", "k", "v");
    const good = await Promise.all(
      pair.map(async (c) => (await info(c, "replication")).get("min_slaves_good_slaves")),
    );
    assertEquals(good[0], good[1], "min_slaves_good_slaves");
  } finally {
    for (const c of clients) c.close();
    for (const s of servers.reverse()) await s.stop();
  }
});
