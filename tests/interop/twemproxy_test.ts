/**
 * redeno shards behind nutcracker (twemproxy 0.5, Debian): three servers in
 * one ketama pool with hash tags, a second pool on the same shards with
 * `redis_db: 1`, and a pool with `redis_auth`. Through the proxy: 1,000 keys
 * spread over the shards (each readable on exactly one); MGET / MSET / DEL /
 * UNLINK / TOUCH split across shards give what one plain server holding
 * every key gives (EXISTS is not split: it counts on its first key's shard);
 * hash-tagged keys share a shard; single-shard commands of every type (and
 * EVAL over one tag's keys) work; the commands nutcracker refuses close the
 * connection instead of hanging; a dead shard's keys get an error while the
 * others are served. The same scenario runs with redis-server shards, and
 * the two runs must observe the same replies.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { decode, encodeCommand, RespClient } from "../support/resp_client.ts";
import {
  findOnPath,
  freePort,
  oracleRequired,
  type Start,
  startRedeno,
  startRedis,
  terminate,
  type TestServer,
} from "../support/servers.ts";

/** Password of the `redeno_auth` pool and of its backend. */
const PASSWORD = "s3cret";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** nutcracker's path, or null (after saying so) when it is missing outside CI. */
function nutcrackerPath(): string | null {
  // Debian installs it in /usr/sbin, which a normal user's PATH may lack.
  const bin = findOnPath("nutcracker") ??
    (isFile("/usr/sbin/nutcracker") ? "/usr/sbin/nutcracker" : null);
  if (bin) return bin;
  if (oracleRequired()) throw new Error("nutcracker is not installed, and CI requires it");
  console.warn("SKIPPED: nutcracker is not installed (apt-get install nutcracker)");
  return null;
}

/** Ports nutcracker listens on: three pools and its stats server. */
interface ProxyPorts {
  shards: number;
  db1: number;
  auth: number;
  stats: number;
}

/**
 * The configuration README's "Sharding behind twemproxy" shows: `shards` are
 * the three data servers, `auth` the one server that has a password.
 */
function nutcrackerConfig(p: ProxyPorts, shards: number[], auth: number): string {
  const servers = shards.map((port, i) => `    - 127.0.0.1:${port}:1 shard${i + 1}`).join("\n");
  return `redeno:
  listen: 127.0.0.1:${p.shards}
  redis: true
  hash: murmur
  hash_tag: "{}"
  distribution: ketama
  timeout: 10000
  preconnect: true
  auto_eject_hosts: false
  servers:
${servers}
redeno_db1:
  listen: 127.0.0.1:${p.db1}
  redis: true
  redis_db: 1
  hash: murmur
  hash_tag: "{}"
  distribution: ketama
  timeout: 10000
  auto_eject_hosts: false
  servers:
${servers}
redeno_auth:
  listen: 127.0.0.1:${p.auth}
  redis: true
  redis_auth: ${PASSWORD}
  hash: murmur
  distribution: ketama
  timeout: 10000
  auto_eject_hosts: false
  servers:
    - 127.0.0.1:${auth}:1 secure1
`;
}

interface Proxy {
  ports: ProxyPorts;
  child: Deno.ChildProcess;
  /** Holds nutcracker.yml and nutcracker.log. */
  dir: string;
}

/**
 * What a listener on `port` is: "nutcracker" when it drops a SELECT without
 * a reply (a Redis server answers it), "redis" when it answers, "none" while
 * nothing listens.
 */
async function listenerKind(port: number): Promise<"nutcracker" | "redis" | "none"> {
  let c: RespClient;
  try {
    c = await RespClient.connect(port);
  } catch {
    return "none";
  }
  try {
    await c.send("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
    const { data, closed } = await c.drain(5000);
    return closed && data === "" ? "nutcracker" : "redis";
  } finally {
    c.close();
  }
}

/**
 * Starts nutcracker on free ports with a config from `config`; a port another
 * process took first (nutcracker then exits, or someone else answers) means
 * a fresh start on other ports.
 */
async function startNutcracker(
  bin: string,
  config: (p: ProxyPorts) => string,
): Promise<Proxy> {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-twemproxy-" });
  for (let attempt = 1;; attempt++) {
    const ports = { shards: freePort(), db1: freePort(), auth: freePort(), stats: freePort() };
    const yml = `${dir}/nutcracker.yml`;
    const log = `${dir}/nutcracker.log`;
    Deno.writeTextFileSync(yml, config(ports));
    const child = new Deno.Command(bin, {
      args: ["-c", yml, "-s", String(ports.stats), "-a", "127.0.0.1", "-o", log],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    let exited = false;
    child.status.then(() => (exited = true));
    let ready = false;
    let foreign = false;
    for (let i = 0; i < 400 && !exited && !ready && !foreign; i++) {
      const kinds = await Promise.all([ports.shards, ports.db1, ports.auth].map(listenerKind));
      foreign = kinds.includes("redis");
      ready = kinds.every((k) => k === "nutcracker");
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    if (ready && !exited) return { ports, child, dir };
    await terminate(child, 1000);
    if (attempt === 3) {
      let out = "";
      try {
        out = Deno.readTextFileSync(log);
      } catch {
        // no log written
      }
      throw new Error(`nutcracker did not start:\n${out}`);
    }
  }
}

/** One run's observations (label, what was seen); the two backend kinds must agree. */
type Transcript = [string, string][];

/** The shard (index) holding `key`, checking it is on exactly one. */
async function ownerOf(shards: RespClient[], key: string): Promise<number> {
  const found: number[] = [];
  for (let i = 0; i < shards.length; i++) {
    if (await shards[i].call("EXISTS", key) === ":1\r\n") found.push(i);
  }
  assertEquals(found.length, 1, `${key} is on exactly one shard (found on ${found})`);
  return found[0];
}

/** Sends `args` on a new connection and expects nutcracker to close it with no reply. */
async function refused(port: number, args: string[]): Promise<string> {
  const c = await RespClient.connect(port);
  try {
    await c.send(encodeCommand(args));
    const { data, closed } = await c.drain(10000);
    assert(closed, `${args.join(" ")}: nutcracker closed the connection (not a hang)`);
    assertEquals(data, "", `${args.join(" ")}: no reply before the close`);
    return "closed";
  } finally {
    c.close();
  }
}

/**
 * The whole scenario on backends made by `start` (redeno or redis-server):
 * null when that kind of server is not installed.
 */
async function scenario(start: Start, bin: string): Promise<Transcript | null> {
  const t: Transcript = [];
  const servers: TestServer[] = [];
  const clients: RespClient[] = [];
  let proxy: Proxy | null = null;
  const connect = async (port: number) => {
    const c = await RespClient.connect(port);
    clients.push(c);
    return c;
  };
  try {
    const started = await Promise.all([
      start({}),
      start({}),
      start({}),
      start({}), // the single plain server holding every key, for comparison
      start({ args: ["--requirepass", PASSWORD] }),
    ]);
    for (const s of started) if (s) servers.push(s);
    if (started.includes(null)) return null;
    const [s1, s2, s3, single, secure] = servers;
    proxy = await startNutcracker(
      bin,
      (p) => nutcrackerConfig(p, [s1.port, s2.port, s3.port], secure.port),
    );
    const px = await connect(proxy.ports.shards);
    const one = await connect(single.port);
    const shards = [await connect(s1.port), await connect(s2.port), await connect(s3.port)];
    assertEquals(await px.call("PING"), "+PONG\r\n");

    /** The same command through the proxy and on the single server: the same reply. */
    const both = async (...args: string[]) => {
      const [viaProxy, direct] = [await px.call(...args), await one.call(...args)];
      assertEquals(viaProxy, direct, `${args.slice(0, 4).join(" ")}... through the proxy`);
      t.push([args.join(" ").slice(0, 80), viaProxy]);
      return viaProxy;
    };

    // 1,000 keys spread over the three shards, each on exactly one.
    const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
    const sets = keys.map((k, i) => ["SET", k, `value-${i}`]);
    const [viaProxy, direct] = [await px.pipeline(sets), await one.pipeline(sets)];
    assert(viaProxy.every((r) => r === "+OK\r\n"), "1,000 SETs through the proxy");
    assertEquals(viaProxy, direct);
    const sizes = await Promise.all(shards.map(async (s) => decode(await s.call("DBSIZE"))));
    t.push(["DBSIZE per shard", JSON.stringify(sizes)]);
    assert(sizes.every((n) => (n as number) > 0), `every shard holds keys: ${sizes}`);
    assertEquals((sizes as number[]).reduce((a, b) => a + b, 0), 1000);
    const present = await Promise.all(
      shards.map((s) => s.pipeline(keys.map((k) => ["EXISTS", k]))),
    );
    const owners: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const on = [0, 1, 2].filter((s) => present[s][i] === ":1\r\n");
      assertEquals(on.length, 1, `${keys[i]} is on exactly one shard`);
      owners.push(on[0]);
    }
    t.push(["owners", owners.join("")]);
    const gets = await Promise.all(
      [0, 1, 2].map((s) => shards[s].pipeline(keys.map((k) => ["GET", k]))),
    );
    keys.forEach((k, i) =>
      assertEquals(gets[owners[i]][i], `$${`value-${i}`.length}\r\nvalue-${i}\r\n`, `GET ${k}`)
    );

    // Multi-key commands split across shards, merged in the client's order.
    const mixed: string[] = [];
    for (let i = 0; i < 300; i++) {
      mixed.push(`key:${(i * 7) % 1000}`);
      if (i % 5 === 0) mixed.push(`missing:${i}`);
      if (i % 11 === 0) mixed.push(`key:${(i * 7) % 1000}`); // a key twice
    }
    /**
     * nutcracker 0.5 does not split EXISTS (whatever its docs say): the whole
     * command goes to the shard of its first key, which counts only its own.
     */
    const existsOnFirstKeysShard = async (keys: string[]) => {
      const first = owners[Number(keys[0].slice("key:".length))];
      const viaProxy = await px.call("EXISTS", ...keys);
      assertEquals(viaProxy, await shards[first].call("EXISTS", ...keys), "EXISTS on one shard");
      t.push([`EXISTS ${keys.length} keys`, viaProxy]);
    };
    await both("MGET", ...mixed);
    await existsOnFirstKeysShard(mixed);
    await both("TOUCH", ...mixed);
    await both("MGET", "key:1");
    await both("EXISTS", "missing:x");
    const msetArgs = Array.from({ length: 200 }, (_, i) => [`m:${i}`, `mv\x00\xff${i}`]).flat();
    await both("MSET", ...msetArgs);
    await both("MGET", ...Array.from({ length: 210 }, (_, i) => `m:${i}`));
    await both("DEL", ...mixed.slice(0, 120), "m:3", "m:4");
    await both("UNLINK", ...mixed.slice(100, 200));
    await existsOnFirstKeysShard(mixed);
    await both("MGET", ...mixed);
    const sizesAfter = await Promise.all(shards.map((s) => s.call("DBSIZE")));
    const total = sizesAfter.reduce((a, r) => a + (decode(r) as number), 0);
    assertEquals(`:${total}\r\n`, await one.call("DBSIZE"), "shards together hold what one holds");

    // Hash tags: every key of one {tag} on one shard, the tags spread over shards.
    const tagOwners: number[] = [];
    for (let u = 0; u < 30; u++) {
      await both("SET", `{user${u}}:a`, `a${u}`);
      await both("SET", `{user${u}}:b`, `b${u}`);
      await both("HSET", `{user${u}}:profile`, "name", `n${u}`);
      const o = await ownerOf(shards, `{user${u}}:a`);
      assertEquals(await ownerOf(shards, `{user${u}}:b`), o, `{user${u}}:b with :a`);
      assertEquals(await ownerOf(shards, `{user${u}}:profile`), o, `{user${u}}:profile with :a`);
      tagOwners.push(o);
    }
    t.push(["tag owners", tagOwners.join("")]);
    assert(new Set(tagOwners).size > 1, "hash tags spread over several shards");
    const twoKeys = "return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2])}";
    await both("EVAL", twoKeys, "2", "{user1}:a", "{user1}:b");
    await both("MGET", "{user1}:a", "{user2}:b", "{user1}:b");

    // Single-shard commands of every type pass through unchanged.
    await both("HSET", "h", "f1", "v1", "f2", "v2");
    await both("HGET", "h", "f2");
    await both("HGETALL", "h");
    await both("HINCRBY", "h", "n", "5");
    await both("LPUSH", "l", "a", "b", "c");
    await both("RPUSH", "l", "z");
    await both("LRANGE", "l", "0", "-1");
    await both("LPOP", "l");
    await both("ZADD", "z", "1", "a", "2.5", "b", "3", "c");
    await both("ZRANGE", "z", "0", "-1", "WITHSCORES");
    await both("ZSCORE", "z", "b");
    await both("SADD", "s", "x", "y", "x");
    await both("SISMEMBER", "s", "y");
    await both("INCR", "counter");
    await both("INCR", "counter");
    await both("INCRBY", "counter", "40");
    await both("INCR", "h"); // WRONGTYPE from the shard, passed through
    await both("INCR", "key:999"); // not an integer
    await both("SET", "ttl", "x");
    await both("EXPIRE", "ttl", "1000");
    for (const c of [px, one]) {
      const ttl = decode(await c.call("TTL", "ttl")) as number;
      assert(ttl > 900 && ttl <= 1000, `TTL ${ttl}`);
    }
    await both("PERSIST", "ttl");
    await both("TTL", "ttl");
    await both("TYPE", "z");
    await both("EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", "counter", "8");
    await both("EVAL", "return redis.pcall('hget', KEYS[1], 'f1')", "1", "h");

    // Commands nutcracker does not proxy: the connection is closed, without a reply.
    for (
      const args of [
        ["MULTI"],
        ["SUBSCRIBE", "ch"],
        ["BLPOP", "l", "0"],
        ["KEYS", "*"],
        ["SCAN", "0"],
        ["SELECT", "1"],
        ["FLUSHALL"],
        ["CONFIG", "GET", "maxmemory"],
        ["EVAL", "return 1", "0"],
        ["GET"], // wrong arity
      ]
    ) t.push([`refused ${args[0]}`, await refused(proxy.ports.shards, args)]);
    assertEquals(
      await px.call("GET", "key:999"),
      await one.call("GET", "key:999"),
      "still serving",
    );

    // redis_db: 1 — the proxy SELECTs db 1 on its connections to the shards.
    const db1 = await connect(proxy.ports.db1);
    t.push(["db1 SET", await db1.call("SET", "in-db1", "yes")]);
    t.push(["db1 GET", await db1.call("GET", "in-db1")]);
    assertEquals(await px.call("EXISTS", "in-db1"), ":0\r\n", "not in db 0");
    let found = 0;
    for (const s of shards) {
      await s.call("SELECT", "1");
      if (await s.call("GET", "in-db1") === "$3\r\nyes\r\n") found++;
      await s.call("SELECT", "0");
    }
    assertEquals(found, 1, "the db1 pool's key is in db 1 of exactly one shard");

    // redis_auth: clients must AUTH to the proxy, which AUTHs to the server.
    const sec = await connect(proxy.ports.auth);
    t.push(["auth: before AUTH", await sec.call("GET", "k")]);
    t.push(["auth: wrong AUTH", await sec.call("AUTH", "wrong")]);
    t.push(["auth: AUTH", await sec.call("AUTH", PASSWORD)]);
    t.push(["auth: SET", await sec.call("SET", "k", "v")]);
    t.push(["auth: GET", await sec.call("GET", "k")]);
    const direct2 = await connect(secure.port);
    assertEquals(await direct2.call("AUTH", PASSWORD), "+OK\r\n");
    assertEquals(await direct2.call("GET", "k"), "$1\r\nv\r\n", "written on the backend");

    // A shard that dies: its keys get nutcracker's error (the first request,
    // if nutcracker has not yet seen the close, may lose its connection
    // instead), keys on the other shards are still served.
    await s3.kill();
    const onDead = keys[owners.indexOf(2)];
    let onLive = "";
    for (let i = 0; i < keys.length && !onLive; i++) {
      if (owners[i] === 0 && await one.call("EXISTS", keys[i]) === ":1\r\n") onLive = keys[i];
    }
    /** One command on a fresh connection: its reply, or "closed" (within 10 s, not a hang). */
    const once = async (...args: string[]) => {
      const c = await connect(proxy!.ports.shards);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hang = new Promise<string>((r) => (timer = setTimeout(() => r("no reply"), 10000)));
      const reply = c.call(...args).catch(() => "closed");
      const r = await Promise.race([reply, hang]);
      clearTimeout(timer);
      c.close();
      return r;
    };
    const refusedReply = "-ERR Connection refused\r\n";
    for (let i = 0; i < 100 && await once("GET", onDead) !== refusedReply; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    t.push(["shard down: GET", await once("GET", onDead)]);
    assertEquals(t.at(-1)![1], refusedReply);
    t.push(["shard down: MGET live dead", await once("MGET", onLive, onDead)]);
    t.push(["shard down: GET live", await once("GET", onLive)]);
    assertEquals(
      t.at(-1)![1],
      await one.call("GET", onLive),
    );
    return t;
  } finally {
    for (const c of clients) c.close();
    if (proxy) {
      await terminate(proxy.child, 2000);
      Deno.removeSync(proxy.dir, { recursive: true });
    }
    await Promise.all(servers.map((s) => s.stop()));
  }
}

Deno.test({
  name:
    "nutcracker shards over redeno as over redis-server: spread, split multi-key commands, hash tags, refusals",
  fn: async () => {
    const bin = nutcrackerPath();
    if (!bin) return;
    const redeno = await scenario(startRedeno, bin);
    assert(redeno !== null);
    const redis = await scenario(startRedis, bin);
    if (redis === null) return; // redis-server missing outside CI (startRedis said so)
    assertEquals(redeno.length, redis.length, "both runs saw as many replies");
    for (let i = 0; i < redeno.length; i++) {
      assertEquals(redeno[i], redis[i], `step ${i} (${redis[i][0]}) with redeno as with Redis`);
    }
  },
});

Deno.test("README's nutcracker.yml is the one the test runs, and its Sentinel reconfig script rewrites it", async () => {
  const readme = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));
  const example = nutcrackerConfig(
    { shards: 22121, db1: 22122, auth: 22123, stats: 22222 },
    [7001, 7002, 7003],
    7004,
  );
  assert(
    readme.includes("```yaml\n" + example + "```\n"),
    "README shows the test's nutcracker.yml",
  );

  const bin = nutcrackerPath();
  if (!bin) return;
  const m = /```sh\n(#!\/bin\/sh\n# sentinel\.conf: [^]*?)```/.exec(readme);
  assert(m !== null, "README has the client-reconfig-script");
  const dir = Deno.makeTempDirSync({ prefix: "redeno-twemproxy-" });
  try {
    const conf = `${dir}/nutcracker.yml`;
    Deno.writeTextFileSync(conf, example);
    // The script as shown, but on this file and without restarting a system service.
    const script = m[1].replaceAll("/etc/nutcracker/nutcracker.yml", conf)
      .replace(/^systemctl .*$/m, "");
    Deno.writeTextFileSync(`${dir}/reconfig.sh`, script);
    const dirOfBin = bin.slice(0, bin.lastIndexOf("/"));
    const out = await new Deno.Command("sh", {
      args: [
        `${dir}/reconfig.sh`,
        "shard2",
        "leader",
        "start",
        "127.0.0.1",
        "7002",
        "10.0.0.5",
        "7102",
      ],
      env: { PATH: `${dirOfBin}:${Deno.env.get("PATH") ?? ""}` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const after = Deno.readTextFileSync(conf);
    assertEquals(after, example.replaceAll("127.0.0.1:7002:1 shard2", "10.0.0.5:7102:1 shard2"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
