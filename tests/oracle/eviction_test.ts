/**
 * maxmemory and eviction against Redis 7.0: the OOM refusal byte for byte
 * (maxmemory 1 puts both servers over the limit whatever they hold), what
 * each policy may evict (exact where the answer is determined: under
 * maxmemory 1 every candidate goes; properties where sampling decides),
 * evicted_keys, "evicted" events, DEL in the AOF, MULTI, CONFIG SET.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { eventTest } from "../support/events.ts";
import { decode, parseInfo, type RespClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { RespClient as Client } from "../support/resp_client.ts";

async function info(c: RespClient, section: string, field: string): Promise<number> {
  return Number(parseInfo(decode(await c.call("INFO", section)) as string).get(field));
}

/** Both servers answer `cmds` alike and report the same evicted_keys. */
async function sameEvicted(o: Oracle): Promise<number> {
  const [a, b] = await Promise.all([
    info(o.redeno, "stats", "evicted_keys"),
    info(o.redis, "stats", "evicted_keys"),
  ]);
  assertEquals(a, b, "evicted_keys");
  return b;
}

oracleTest("oracle: OOM under noeviction (denyoom commands refused, others run)", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["RPUSH", "l", "x"],
    ["CONFIG", "SET", "maxmemory", "1"],
    ["SET", "b", "1"],
    ["SET", "a", "2"],
    ["INCR", "a"],
    ["APPEND", "a", "x"],
    ["LPUSH", "l", "y"],
    ["HSET", "h", "f", "v"],
    ["SADD", "s", "m"],
    ["ZADD", "z", "1", "m"],
    ["XADD", "x", "*", "f", "v"],
    ["SETNX", "n", "1"],
    ["GET", "a"],
    ["LPOP", "l"],
    ["EXPIRE", "a", "100"],
    ["PERSIST", "a"],
    ["DEL", "a"],
    ["DBSIZE"],
    ["PING"],
    ["EVAL", "return 1", "0"],
    ["CONFIG", "SET", "maxmemory", "0"],
    ["SET", "b", "1"],
    ["GET", "b"],
  ]);
  assertEquals(await sameEvicted(o), 0);
  // rejected_calls of the refused commands.
  const [a, b] = await Promise.all([
    o.redeno.call("INFO", "commandstats"),
    o.redis.call("INFO", "commandstats"),
  ]);
  const line = (s: string, cmd: string) =>
    s.split("\r\n").find((l) => l.startsWith(`cmdstat_${cmd}:`))!.replace(
      /usec=\d+,usec_per_call=[\d.]+/,
      "",
    );
  for (const cmd of ["set", "incr", "lpush", "get"]) assertEquals(line(a, cmd), line(b, cmd), cmd);
});

oracleTest("oracle: OOM inside MULTI: every command refused but EXEC / DISCARD", async (o) => {
  const [mine, theirs] = await o.connectPair();
  const both = async (...args: string[]) => {
    const [x, y] = await Promise.all([mine.call(...args), theirs.call(...args)]);
    assertEquals(x, y, `reply to ${JSON.stringify(args)}`);
  };
  try {
    await o.sameAll([["SET", "a", "1"], ["CONFIG", "SET", "maxmemory", "1"]]);
    for (
      const cmd of [
        ["MULTI"],
        ["GET", "a"],
        ["PING"],
        ["SET", "a", "2"],
        ["EXEC"],
        ["MULTI"],
        ["GET", "a"],
        ["DISCARD"],
        ["MULTI"],
        ["EXEC"],
        ["GET", "a"],
      ]
    ) await both(...cmd);
    // Queued before the limit: EXEC of a queue holding a denyoom command is refused.
    await o.same("CONFIG", "SET", "maxmemory", "0");
    await both("MULTI");
    await both("SET", "a", "3");
    await both("GET", "a");
    await o.same("CONFIG", "SET", "maxmemory", "1");
    await both("EXEC");
    await both("GET", "a");
    // A queue without denyoom commands runs.
    await o.same("CONFIG", "SET", "maxmemory", "0");
    await both("MULTI");
    await both("GET", "a");
    await both("DEL", "a");
    await o.same("CONFIG", "SET", "maxmemory", "1");
    await both("EXEC");
    await both("MULTI");
    await both("RESET");
    await o.same("CONFIG", "SET", "maxmemory", "0");
  } finally {
    mine.close();
    theirs.close();
  }
});

oracleTest("oracle: allkeys-* policies evict every key before answering OOM", async (o) => {
  for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random"]) {
    const cmds: string[][] = [["FLUSHALL"], ["CONFIG", "SET", "maxmemory", "0"]];
    // Fewer than 16 keys: eviction checks its time budget every 16 keys (then goes on in
    // the background and lets the command run), on both servers.
    for (let i = 0; i < 14; i++) cmds.push(["SET", `k${i}`, "v".repeat(i)]);
    cmds.push(["SELECT", "3"], ["SET", "other", "x"], ["SELECT", "0"]);
    cmds.push(
      ["CONFIG", "SET", "maxmemory-policy", policy],
      ["CONFIG", "RESETSTAT"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["SET", "new", "1"],
      ["DBSIZE"],
      ["SELECT", "3"],
      ["DBSIZE"],
      ["SELECT", "0"],
      ["GET", "k1"],
    );
    await o.sameAll(cmds);
    assertEquals(await sameEvicted(o), 15, policy);
  }
  await o.same("CONFIG", "SET", "maxmemory", "0");
});

oracleTest("oracle: volatile-* policies evict only keys with a TTL", async (o) => {
  for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
    const cmds: string[][] = [["FLUSHALL"], ["CONFIG", "SET", "maxmemory", "0"]];
    for (let i = 0; i < 40; i++) {
      cmds.push(["SET", `k${i}`, "value"]);
      if (i % 3 === 0) cmds.push(["EXPIRE", `k${i}`, String(1000 + i)]);
    }
    cmds.push(
      ["CONFIG", "SET", "maxmemory-policy", policy],
      ["CONFIG", "RESETSTAT"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["SET", "new", "1"],
      ["DBSIZE"],
      ["GET", "k0"],
      ["GET", "k1"],
      ["DEL", "k1"],
    );
    await o.samePipelined(cmds);
    await o.sameUnordered(["KEYS", "*"]);
    assertEquals(await sameEvicted(o), 14, policy);
  }
  await o.same("CONFIG", "SET", "maxmemory", "0");
});

eventTest("oracle: 'evicted' keyspace events", async (e) => {
  const events = await e.same([
    ["SET", "keep", "1"],
    ["SET", "gone", "1", "EX", "1000"],
    ["CONFIG", "SET", "maxmemory", "1"],
    ["SET", "x", "1"],
    ["CONFIG", "SET", "maxmemory-policy", "volatile-lru"],
    // Any command now evicts the only key with a TTL first (this one, or the step's
    // closing PUBLISH).
    ["GET", "gone"],
    ["GET", "keep"],
    ["SET", "y", "1"],
  ]);
  assert(
    events.some(([ch, msg]) => ch === "__keyevent@0__:evicted" && msg === "gone"),
    JSON.stringify(events),
  );
  await e.same([["CONFIG", "SET", "maxmemory", "0"], [
    "CONFIG",
    "SET",
    "maxmemory-policy",
    "noeviction",
  ]]);
});

/** Reads every AOF file in `dir`/appendonlydir as one text. */
function aofText(dir: string): string {
  let s = "";
  for (const f of Deno.readDirSync(`${dir}/appendonlydir`)) {
    if (f.name.endsWith(".aof")) {
      s += new TextDecoder("latin1").decode(Deno.readFileSync(`${dir}/appendonlydir/${f.name}`));
    }
  }
  return s;
}

Deno.test("oracle: evicted keys are logged to the AOF as DEL", async () => {
  const opts = {
    persistence: true,
    args: ["--appendonly", "yes", "--save", "", "--appendfsync", "always"],
  };
  const servers: TestServer[] = [];
  try {
    const redis = await startRedis(opts);
    if (redis === null) return;
    servers.push(redis, await startRedeno(opts));
    for (const s of servers) {
      const c = await Client.connect(s.port);
      try {
        await c.pipeline([
          ["SELECT", "2"],
          ["SET", "evictme", "1", "EX", "1000"],
          ["SET", "stays", "1"],
          ["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
          ["CONFIG", "SET", "maxmemory", "1"],
        ]);
        assertEquals(decode(await c.call("EXISTS", "evictme")), 0, s.kind);
        assertEquals(decode(await c.call("EXISTS", "stays")), 1, s.kind);
        await c.call("CONFIG", "SET", "maxmemory", "0");
        await c.call("SET", "after", "1");
        const aof = aofText(s.dir);
        const del = aof.indexOf("*2\r\n$3\r\nDEL\r\n$7\r\nevictme\r\n");
        assert(del > 0, `${s.kind}: AOF has no DEL evictme:\n${JSON.stringify(aof)}`);
        assert(del < aof.indexOf("after"), `${s.kind}: DEL logged when it happened`);
        assert(!aof.includes("DEL\r\n$5\r\nstays"), s.kind);
      } finally {
        c.close();
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
});

/** used_memory of a server. */
function usedMemory(c: RespClient): Promise<number> {
  return info(c, "memory", "used_memory");
}

/** Polls until `check` holds (bounded), for conditions that follow the server's clock. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * On one server: `n` keys (set up by `fill`), then maxmemory lowered so that
 * about `fraction` of the data must go; returns the keys still present.
 */
async function evictFraction(
  c: RespClient,
  n: number,
  fraction: number,
  fill: (c: RespClient) => Promise<void>,
  beforeLimit: (c: RespClient) => Promise<void> = async () => {},
): Promise<Set<string>> {
  await c.call("FLUSHALL");
  await c.call("CONFIG", "SET", "maxmemory", "0");
  const empty = await usedMemory(c);
  await fill(c);
  await beforeLimit(c);
  const full = await usedMemory(c);
  const limit = Math.floor(full - (full - empty) * fraction);
  await c.call("CONFIG", "SET", "maxmemory", String(limit));
  // The next write runs after eviction made room.
  assertEquals(await c.call("SET", "trigger", "1"), "+OK\r\n");
  const left = new Set(decode(await c.call("KEYS", "k:*")) as string[]);
  assert(left.size < n, `something was evicted (${left.size} of ${n} left)`);
  assert(left.size > 0, "not everything was evicted");
  await c.call("CONFIG", "SET", "maxmemory", "0");
  return left;
}

async function eachServer(fn: (c: RespClient, kind: string) => Promise<void>): Promise<void> {
  const redis = await startRedis({});
  if (redis === null) return;
  const servers = [redis, await startRedeno({})];
  try {
    for (const s of servers) {
      const c = await Client.connect(s.port);
      try {
        await fn(c, s.kind);
      } finally {
        c.close();
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const N = 3000;
const VALUE = "x".repeat(100);

function fillKeys(ttl: (i: number) => number | null): (c: RespClient) => Promise<void> {
  return async (c) => {
    const cmds: string[][] = [];
    for (let i = 0; i < N; i++) {
      const t = ttl(i);
      cmds.push(t === null ? ["SET", `k:${i}`, VALUE] : ["SET", `k:${i}`, VALUE, "EX", String(t)]);
    }
    await c.pipeline(cmds);
  };
}

Deno.test("eviction properties: volatile-ttl evicts the soonest to expire", async () => {
  await eachServer(async (c, kind) => {
    await c.call("CONFIG", "SET", "maxmemory-policy", "volatile-ttl");
    await c.call("CONFIG", "SET", "maxmemory-samples", "10");
    // Even keys expire in 10000 + i seconds; odd keys never.
    const left = await evictFraction(c, N, 0.25, fillKeys((i) => (i % 2 === 0 ? 10000 + i : null)));
    let evictedRank = 0;
    let evicted = 0;
    for (let i = 0; i < N; i++) {
      if (left.has(`k:${i}`)) continue;
      assert(i % 2 === 0, `${kind}: k:${i} without a TTL was evicted`);
      evictedRank += i;
      evicted++;
    }
    // The evicted keys come mostly from the soonest-expiring part.
    assert(evictedRank / evicted < N * 0.35, `${kind}: mean rank ${evictedRank / evicted}`);
  });
});

/** Of the N keys k:0..k:N-1, how many evicted ones were even (the touched ones), and how many were evicted. */
function evenKeysEvicted(left: Set<string>): [even: number, gone: number] {
  let even = 0;
  let gone = 0;
  for (let i = 0; i < N; i++) {
    if (left.has(`k:${i}`)) continue;
    gone++;
    if (i % 2 === 0) even++;
  }
  return [even, gone];
}

Deno.test("eviction properties: allkeys-lru keeps recently touched keys", async () => {
  await eachServer(async (c, kind) => {
    await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    const left = await evictFraction(c, N, 0.3, fillKeys(() => null), async (c) => {
      // Let the LRU clock (seconds) move on, then touch the even keys.
      await until(
        "idle keys",
        async () => decode(await c.call("OBJECT", "IDLETIME", "k:1")) as number >= 2,
      );
      const gets: string[][] = [];
      for (let i = 0; i < N; i += 2) gets.push(["GET", `k:${i}`]);
      await c.pipeline(gets);
    });
    const [touchedGone, gone] = evenKeysEvicted(left);
    assert(touchedGone <= gone * 0.05, `${kind}: ${touchedGone} of ${gone} evicted were touched`);
  });
});

Deno.test("eviction properties: allkeys-lfu keeps frequently used keys", async () => {
  await eachServer(async (c, kind) => {
    await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    await c.call("CONFIG", "SET", "lfu-log-factor", "0");
    const left = await evictFraction(c, N, 0.3, fillKeys(() => null), async (c) => {
      const gets: string[][] = [];
      for (let r = 0; r < 5; r++) for (let i = 0; i < N; i += 2) gets.push(["GET", `k:${i}`]);
      await c.pipeline(gets);
    });
    const [hotGone, gone] = evenKeysEvicted(left);
    assert(hotGone <= gone * 0.05, `${kind}: ${hotGone} of ${gone} evicted were hot`);
  });
});

Deno.test("eviction properties: CONFIG SET maxmemory lower evicts by the next command", async () => {
  await eachServer(async (c, kind) => {
    await c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random");
    await c.call("CONFIG", "RESETSTAT");
    await evictFraction(c, N, 0.5, fillKeys(() => null));
    const evicted = await info(c, "stats", "evicted_keys");
    // Every key but those left (the keys written and "trigger") was evicted.
    const size = decode(await c.call("DBSIZE")) as number;
    assertEquals(evicted, N + 1 - size, `${kind}: evicted_keys`);
  });
});

oracleTest(
  "oracle: scripts out of memory (deny-oom until the first write, allow-oom)",
  async (o) => {
    await o.sameAll([
      ["SET", "a", "1"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["EVAL", "return redis.call('set', 'k', 'v')", "0"],
      ["EVAL", "return redis.pcall('incr', 'a')", "0"],
      ["EVAL", "return redis.call('get', 'a')", "0"],
      // After a write the script may go on: it cannot stop half way.
      ["EVAL", "redis.call('del', 'a'); return redis.call('set', 'k', 'v')", "0"],
      ["GET", "k"],
      ["EVAL", "#!lua\nreturn redis.call('get', 'k')", "0"],
      ["EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"],
      ["EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'k', 'w')", "0"],
      ["GET", "k"],
      ["CONFIG", "SET", "maxmemory", "0"],
      ["EVAL", "return redis.call('set', 'k', 'x')", "0"],
    ]);
  },
);

/** Polls until `check` holds or about `ms` pass; returns whether it held. */
async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return await check();
}

Deno.test("client eviction: maxmemory-clients drops the biggest client, CLIENT NO-EVICT spares it", async () => {
  await eachServer(async (c, kind) => {
    await c.call("CONFIG", "SET", "maxmemory-clients", "1"); // at least 128 KB, as Redis
    assertEquals(await c.call("CLIENT", "NO-EVICT", "on"), "+OK\r\n");
    const big = await Client.connect((c.conn.remoteAddr as Deno.NetAddr).port);
    // A command whose argument is still arriving: its query buffer grows past the limit.
    await big.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1000000\r\n" + "x".repeat(300_000));
    assert(
      await within(10_000, async () => (await info(c, "stats", "evicted_clients")) === 1),
      `${kind}: the client was not evicted`,
    );
    // Long: drain returns at the close; a short quiet spell is no proof of none.
    assert((await big.drain(10_000)).closed, `${kind}: the evicted client is disconnected`);
    big.close();
    // The same client with NO-EVICT stays.
    const spared = await Client.connect((c.conn.remoteAddr as Deno.NetAddr).port);
    assertEquals(await spared.call("CLIENT", "NO-EVICT", "on"), "+OK\r\n");
    await spared.send("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1000000\r\n" + "x".repeat(300_000));
    assert(
      !(await within(1500, async () => (await info(c, "stats", "evicted_clients")) > 1)),
      `${kind}: a NO-EVICT client was evicted`,
    );
    await spared.send("x".repeat(700_000) + "\r\n");
    assertEquals(await spared.reply(), "+OK\r\n", kind);
    spared.close();
    await c.call("CONFIG", "SET", "maxmemory-clients", "0");
  });
});

oracleTest(
  "oracle: maxmemory-samples, maxmemory-eviction-tenacity, maxmemory-clients options",
  async (o) => {
    const cmds: string[][] = [];
    for (
      const [name, value] of [
        ["maxmemory-samples", "10"],
        ["maxmemory-samples", "0"],
        ["maxmemory-samples", "x"],
        ["maxmemory-eviction-tenacity", "100"],
        ["maxmemory-eviction-tenacity", "101"],
        ["maxmemory-eviction-tenacity", "-1"],
        ["maxmemory-clients", "10%"],
        ["maxmemory-clients", "100%"],
        ["maxmemory-clients", "101%"],
        ["maxmemory-clients", "1.5%"],
        ["maxmemory-clients", "-5"],
        ["maxmemory-clients", "abc"],
        ["maxmemory-clients", "1mb"],
        ["maxmemory-clients", "1k"],
        ["maxmemory-clients", "0%"],
        ["maxmemory-clients", "0"],
      ]
    ) cmds.push(["CONFIG", "SET", name, value], ["CONFIG", "GET", name]);
    await o.sameAll(cmds);
    await o.sameUnordered(["CONFIG", "GET", "maxmemory*"], true);
  },
);
