/**
 * MIGRATE against Redis 7.0: the same scenario runs with redeno and with
 * redis-server as the source, each migrating to a target of its own, and
 * the replies of sources and targets must be identical. Then redeno to
 * redeno, Redis to redeno, a silent target (timeout), a closed port, and
 * the DEL that MIGRATE logs in redeno's AOF.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, RespClient } from "../support/resp_client.ts";
import { freePort, startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { aofDir, waitFor } from "../support/persistence.ts";

/** Two targets (one per source), started alike. */
interface Targets {
  forRedeno: TestServer;
  forRedis: TestServer;
  redenoSide: RespClient;
  redisSide: RespClient;
}

async function startTargets(
  start: typeof startRedis,
  args: string[] = [],
): Promise<Targets | null> {
  const forRedeno = await start({ args });
  const forRedis = await start({ args });
  if (!forRedeno || !forRedis) return null;
  return {
    forRedeno,
    forRedis,
    redenoSide: await RespClient.connect(forRedeno.port),
    redisSide: await RespClient.connect(forRedis.port),
  };
}

async function stopTargets(t: Targets): Promise<void> {
  t.redenoSide.close();
  t.redisSide.close();
  await Promise.all([t.forRedeno.stop(), t.forRedis.stop()]);
}

/** A step: on the sources ("src"), or on the targets ("dst"), or MIGRATE to the targets. */
type Step = ["src" | "dst", ...string[]] | ["migrate", ...string[]];

/**
 * Runs steps on both setups; "migrate" steps get `127.0.0.1 <target port>`
 * prepended. Every reply must be identical.
 */
async function sameSteps(o: Oracle, t: Targets, steps: Step[]): Promise<void> {
  for (const [where, ...args] of steps) {
    let mine: string;
    let theirs: string;
    if (where === "src") {
      [mine, theirs] = [await o.redeno.call(...args), await o.redis.call(...args)];
    } else if (where === "dst") {
      [mine, theirs] = [await t.redenoSide.call(...args), await t.redisSide.call(...args)];
    } else {
      const host = "127.0.0.1";
      mine = await o.redeno.call("MIGRATE", host, String(t.forRedeno.port), ...args);
      theirs = await o.redis.call("MIGRATE", host, String(t.forRedis.port), ...args);
    }
    assertEquals(mine, theirs, `${where} ${JSON.stringify(args)}`);
  }
}

function migrateTest(
  name: string,
  fn: (o: Oracle, t: Targets) => Promise<void>,
  targetArgs: string[] = [],
): void {
  oracleTest(name, async (o) => {
    const t = await startTargets(startRedis, targetArgs);
    if (!t) return;
    try {
      await fn(o, t);
    } finally {
      await stopTargets(t);
    }
  });
}

migrateTest(
  "oracle: MIGRATE one key, NOKEY, COPY, REPLACE, BUSYKEY, destination db",
  async (o, t) => {
    await sameSteps(o, t, [
      ["src", "SET", "k", "v"],
      ["src", "RPUSH", "l", "a", "b", "c"],
      ["src", "HSET", "h", "f", "v"],
      ["migrate", "k", "0", "5000"],
      ["src", "EXISTS", "k"],
      ["dst", "GET", "k"],
      ["dst", "TTL", "k"],
      ["migrate", "k", "0", "5000"],
      ["migrate", "missing", "0", "5000"],
      ["src", "SET", "k", "again"],
      ["migrate", "k", "0", "5000"],
      ["src", "GET", "k"],
      ["migrate", "k", "0", "5000", "REPLACE"],
      ["dst", "GET", "k"],
      ["migrate", "l", "0", "5000", "COPY"],
      ["src", "LRANGE", "l", "0", "-1"],
      ["dst", "LRANGE", "l", "0", "-1"],
      ["migrate", "l", "0", "5000", "COPY"],
      ["migrate", "l", "0", "5000", "copy", "replace"],
      ["src", "EXISTS", "l"],
      ["migrate", "h", "3", "5000"],
      ["dst", "EXISTS", "h"],
      ["dst", "SELECT", "3"],
      ["dst", "HGETALL", "h"],
      ["src", "SET", "k2", "v"],
      ["migrate", "k2", "99", "5000"],
      ["src", "EXISTS", "k2"],
    ]);
  },
);

migrateTest("oracle: MIGRATE keeps the TTL", async (o, t) => {
  await sameSteps(o, t, [
    ["src", "SET", "k", "v", "PX", "100000"],
    ["migrate", "k", "0", "5000"],
  ]);
  for (const side of [t.redenoSide, t.redisSide]) {
    const ttl = decode(await side.call("PTTL", "k")) as number;
    assert(ttl > 90000 && ttl <= 100000, `PTTL ${ttl}`);
  }
});

migrateTest("oracle: MIGRATE KEYS and argument errors", async (o, t) => {
  await sameSteps(o, t, [
    ["src", "MSET", "a", "1", "b", "2", "c", "3"],
    ["migrate", "", "0", "5000", "KEYS", "a", "missing", "b"],
    ["src", "EXISTS", "a", "b", "c"],
    ["dst", "MGET", "a", "b", "c"],
    ["migrate", "", "0", "5000", "KEYS", "missing1", "missing2"],
    ["migrate", "c", "0", "5000", "KEYS", "c"],
    ["migrate", "", "0", "5000", "COPY", "KEYS", "c", "c"],
    ["src", "EXISTS", "c"],
    ["migrate", "", "0", "5000", "KEYS", "c"],
    ["migrate", "c", "0", "5000", "AUTH"],
    ["migrate", "c", "0", "5000", "AUTH2", "user"],
    ["migrate", "c", "0", "5000", "BOGUS"],
    ["migrate", "c", "0", "x"],
    ["migrate", "c", "x", "5000"],
    ["migrate", "c", "x", "x", "BOGUS"],
    ["migrate", "c", "0"],
    ["src", "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10"],
    [
      "src",
      "COMMAND",
      "GETKEYS",
      "MIGRATE",
      "h",
      "1",
      "",
      "0",
      "10",
      "AUTH",
      "keys",
      "KEYS",
      "x",
      "y",
    ],
    [
      "src",
      "COMMAND",
      "GETKEYS",
      "MIGRATE",
      "h",
      "1",
      "",
      "0",
      "10",
      "AUTH2",
      "u",
      "p",
      "KEYS",
      "x",
    ],
    ["src", "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10", "KEYS", "x"],
  ]);
});

migrateTest("oracle: MIGRATE AUTH and AUTH2 to a target with a password", async (o, t) => {
  await sameSteps(o, t, [
    ["src", "MSET", "a", "1", "b", "2", "c", "3"],
    ["migrate", "a", "0", "5000"],
    ["migrate", "a", "0", "5000", "AUTH", "wrong"],
    ["src", "EXISTS", "a"],
    ["migrate", "a", "0", "5000", "AUTH", "secret"],
    ["src", "EXISTS", "a"],
    ["migrate", "b", "0", "5000", "AUTH2", "default", "wrong"],
    ["migrate", "b", "0", "5000", "AUTH2", "default", "secret"],
    ["migrate", "", "0", "5000", "AUTH", "secret", "KEYS", "c"],
    ["src", "EXISTS", "a", "b", "c"],
    ["dst", "AUTH", "secret"],
    ["dst", "MGET", "a", "b", "c"],
  ]);
}, ["--requirepass", "secret"]);

migrateTest("oracle: MIGRATE with AUTH to a target without a password", async (o, t) => {
  await sameSteps(o, t, [
    ["src", "SET", "a", "1"],
    ["migrate", "a", "0", "5000", "AUTH", "pw"],
    ["src", "EXISTS", "a"],
    // The RESTORE itself ran on the target.
    ["dst", "GET", "a"],
  ]);
});

oracleTest("oracle: MIGRATE to a closed port and to a target that never answers", async (o) => {
  const closed = String(freePort());
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of silent) held.push(conn);
  })();
  const port = String((silent.addr as Deno.NetAddr).port);
  try {
    await o.same("SET", "k", "v");
    await o.same("MIGRATE", "127.0.0.1", closed, "k", "0", "1000");
    await o.same("MIGRATE", "127.0.0.1", port, "k", "0", "300");
    await o.same("EXISTS", "k");
    await o.same("MIGRATE", "127.0.0.1", "notaport", "k", "0", "300");
  } finally {
    silent.close();
    for (const c of held) c.close();
    await accepting.catch(() => {});
  }
});

Deno.test("MIGRATE from redeno to redeno and from Redis to redeno", async () => {
  const redis = await startRedis({});
  if (!redis) return;
  const a = await startRedeno();
  const b = await startRedeno();
  const [ca, cb, cr] = await Promise.all([
    RespClient.connect(a.port),
    RespClient.connect(b.port),
    RespClient.connect(redis.port),
  ]);
  try {
    await ca.call("SET", "s", "x".repeat(100));
    await ca.call("ZADD", "z", "1", "a", "2", "b");
    await ca.call("SADD", "set", "1", "2", "3");
    await ca.call("PEXPIRE", "s", "100000");
    const reply = await ca.call(
      "MIGRATE",
      "127.0.0.1",
      String(b.port),
      "",
      "2",
      "5000",
      "KEYS",
      "s",
      "z",
      "set",
    );
    assertEquals(reply, "+OK\r\n");
    assertEquals(await ca.call("DBSIZE"), ":0\r\n");
    await cb.call("SELECT", "2");
    assertEquals(decode(await cb.call("GET", "s")), "x".repeat(100));
    assertEquals(decode(await cb.call("ZRANGE", "z", "0", "-1", "WITHSCORES")), [
      "a",
      "1",
      "b",
      "2",
    ]);
    assertEquals(decode(await cb.call("SCARD", "set")), 3);
    const ttl = decode(await cb.call("PTTL", "s")) as number;
    assert(ttl > 90000 && ttl <= 100000, `PTTL ${ttl}`);
    // Redis as the source, redeno as the target.
    await cr.call("HSET", "h", "f1", "v1", "f2", "v2");
    await cr.call("RPUSH", "l", ...Array.from({ length: 500 }, (_, i) => `item${i}`));
    assertEquals(
      await cr.call("MIGRATE", "127.0.0.1", String(b.port), "", "0", "5000", "KEYS", "h", "l"),
      "+OK\r\n",
    );
    await cb.call("SELECT", "0");
    assertEquals(decode(await cb.call("HGET", "h", "f2")), "v2");
    assertEquals(decode(await cb.call("LLEN", "l")), 500);
    assertEquals(decode(await cb.call("LINDEX", "l", "499")), "item499");
  } finally {
    ca.close();
    cb.close();
    cr.close();
    await Promise.all([a.stop(), b.stop(), redis.stop()]);
  }
});

Deno.test("MIGRATE is logged as DEL of the moved keys; COPY logs nothing", async () => {
  const target = await startRedeno();
  const dir = Deno.makeTempDirSync({ prefix: "redeno-migrate-" });
  const src = await startRedeno({
    dir,
    persistence: true,
    args: ["--appendonly", "yes", "--save", "", "--appendfsync", "always"],
  });
  const c = await RespClient.connect(src.port);
  try {
    await c.call("MSET", "a", "1", "b", "2", "c", "3");
    const port = String(target.port);
    assertEquals(await c.call("MIGRATE", "127.0.0.1", port, "c", "0", "5000", "COPY"), "+OK\r\n");
    assertEquals(
      await c.call("MIGRATE", "127.0.0.1", port, "", "0", "5000", "KEYS", "a", "nope", "b"),
      "+OK\r\n",
    );
    assertEquals(
      await c.call("MIGRATE", "127.0.0.1", port, "c", "0", "5000"),
      "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n",
    );
    // A write after them: once it is in the log, so is everything before it
    // (no fixed sleep, which a loaded machine can outlast).
    assertEquals(await c.call("SET", "end-marker", "1"), "+OK\r\n");
    const readLog = () => {
      let log = "";
      for (const entry of Deno.readDirSync(aofDir(dir))) {
        if (entry.name.endsWith(".incr.aof")) {
          log += Deno.readTextFileSync(`${aofDir(dir)}/${entry.name}`);
        }
      }
      return log;
    };
    await waitFor("the marker in the AOF", () => readLog().includes("end-marker"));
    const log = readLog();
    assert(log.includes("*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n"), JSON.stringify(log));
    assert(!/migrate/i.test(log), JSON.stringify(log));
    assertEquals((log.match(/DEL/g) ?? []).length, 1, JSON.stringify(log));
  } finally {
    c.close();
    await Promise.all([src.stop(), target.stop()]);
  }
});
