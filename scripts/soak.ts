/**
 * A bounded soak of redeno: many clients for a while (10 minutes and 200
 * clients by default) with a mixed workload over every type, faults
 * injected, then a kill -9 under writes, a restart from the AOF and a check
 * that every acknowledged write is there.
 *
 *   deno run -A scripts/soak.ts [--minutes 10] [--clients 200] [--seed 1] [--out report.md]
 *
 * The server runs with appendonly yes and appendfsync always in a temp dir.
 * Workload: strings, hashes, lists (and blocking pops), sets, sorted sets,
 * streams (and consumer groups), pub/sub and keyspace notifications,
 * MULTI/EXEC, EVAL. Faults: clients that vanish mid-pipeline, slow readers
 * of big replies, malformed frames (expecting Redis's protocol error and
 * the connection closed; the replies are taken from a real redis-server
 * when installed), CONFIG SET of hz, maxmemory-policy, slowlog and
 * notify-keyspace-events, SAVE / BGSAVE / BGREWRITEAOF.
 *
 * The ledger: each worker owns its keys (one per kind, in a generation that
 * is renewed after a disconnect), and the n-th write to a key writes a value
 * that is a function of n only (RPUSH n, SADD m<n>, INCR, ...). So a key's
 * state says how many writes it holds (c), and must be exactly the state
 * of c writes with acked <= c <= sent: acked is the last write whose reply
 * came back, sent the last write that went out (a write in flight when its
 * client vanished, or when the server was killed, may or may not be there).
 */
import { parseArgs } from "node:util";
import { decode, type Decoded, encodeCommands, RespClient } from "../tests/support/resp_client.ts";
import { prng } from "../tests/support/prng.ts";
import { findOnPath } from "../tests/support/servers.ts";
import { type Server, serverRss, spawnServer, stopServer, waitForPong } from "./support.ts";
import { strToBytes } from "../lib/resp/bytes.ts";

const { values: opt } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    clients: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const MINUTES = Number(opt.minutes);
const CLIENTS = Number(opt.clients);
if (!(MINUTES > 0) || !(CLIENTS >= 20)) {
  console.error("usage: soak.ts [--minutes N>0] [--clients N>=20] [--seed N] [--out file]");
  Deno.exit(2);
}
const rand = prng(Number(opt.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ stats

const stats = {
  commands: 0,
  replies: 0,
  errors: new Map<string, number>(),
  faults: new Map<string, number>(),
  vanished: 0,
  unexpectedCloses: 0,
  pubsubMessages: 0,
  popsServed: 0,
  popsTimedOut: 0,
  slowBytes: 0,
  protocolMismatches: [] as string[],
  problems: [] as string[],
};

function count(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** An error reply's kind: its text with numbers and quoted names blurred. */
function errorKind(reply: string): string {
  return reply.slice(1, 70).replace(/\r\n.*/s, "").replace(/'[^']*'/g, "'…'").replace(
    /\d+/g,
    "N",
  );
}

/** Counts a reply, and an error reply by kind. */
function noteReply(raw: string): void {
  stats.replies++;
  if (raw[0] === "-") count(stats.errors, errorKind(raw));
}

function problem(text: string): void {
  if (stats.problems.length < 50) stats.problems.push(text);
  console.error(`PROBLEM: ${text}`);
}

// ------------------------------------------------------------------ ledger

type Kind = "str" | "app" | "ctr" | "list" | "hash" | "set" | "zset" | "stream";
const KINDS: readonly Kind[] = ["str", "app", "ctr", "list", "hash", "set", "zset", "stream"];

interface Entry {
  key: string;
  kind: Kind;
  /** Writes whose reply came back OK (a prefix: replies arrive in order). */
  acked: number;
  /** Writes sent. */
  sent: number;
}

const ledger: Entry[] = [];

/** The n-th write to a key of `kind` (n from 1). */
function writeCommand(e: Entry, n: number): string[] {
  switch (e.kind) {
    case "str":
      return ["SET", e.key, strValue(n)];
    case "app":
      return ["APPEND", e.key, `,${n}`];
    case "ctr":
      return ["INCR", e.key];
    case "list":
      return ["RPUSH", e.key, String(n)];
    case "hash":
      return ["HSET", e.key, `f${n % 16}`, String(n)];
    case "set":
      return ["SADD", e.key, `m${n}`];
    case "zset":
      return ["ZADD", e.key, String(n), `m${n}`];
    case "stream":
      return ["XADD", e.key, `${n}-1`, "n", String(n)];
  }
}

function strValue(n: number): string {
  return `v${n}:` + "x".repeat((n * 37) % 300);
}

/** The command that reads a key of `kind` back. */
function readCommand(e: Entry): string[] {
  switch (e.kind) {
    case "str":
    case "app":
    case "ctr":
      return ["GET", e.key];
    case "list":
      return ["LRANGE", e.key, "0", "-1"];
    case "hash":
      return ["HGETALL", e.key];
    case "set":
      return ["SMEMBERS", e.key];
    case "zset":
      return ["ZRANGE", e.key, "0", "-1", "WITHSCORES"];
    case "stream":
      return ["XRANGE", e.key, "-", "+"];
  }
}

/** How many writes the value read back holds (null: not a state any count of writes gives). */
function writesIn(e: Entry, v: Decoded): number | null {
  if (v === null) return 0;
  switch (e.kind) {
    case "str": {
      const m = /^v(\d+):/.exec(v as string);
      return m ? Number(m[1]) : null;
    }
    case "app":
      return (v as string).split(",").length - 1;
    case "ctr":
      return Number(v);
    case "list":
    case "set":
    case "stream":
      return (v as unknown[]).length;
    case "zset":
      return (v as unknown[]).length / 2;
    case "hash": {
      let max = 0;
      const a = v as string[];
      for (let i = 1; i < a.length; i += 2) max = Math.max(max, Number(a[i]));
      return max;
    }
  }
}

/** The value of a key of `kind` after c writes, in the form its read command returns. */
function expected(e: Entry, c: number): unknown {
  const seq = Array.from({ length: c }, (_, i) => i + 1);
  switch (e.kind) {
    case "str":
      return c === 0 ? null : strValue(c);
    case "app":
      return c === 0 ? null : seq.map((n) => `,${n}`).join("");
    case "ctr":
      return c === 0 ? null : String(c);
    case "list":
      return seq.map(String);
    case "set":
      return seq.map((n) => `m${n}`).sort();
    case "zset":
      return seq.flatMap((n) => [`m${n}`, String(n)]);
    case "stream":
      return seq.map((n) => [`${n}-1`, ["n", String(n)]]);
    case "hash": {
      const fields = new Map<string, string>();
      for (const n of seq) fields.set(`f${n % 16}`, String(n));
      return [...fields].sort((a, b) => (a[0] < b[0] ? -1 : 1)).flat();
    }
  }
}

function normalize(e: Entry, v: Decoded): unknown {
  if (e.kind === "set") return (v as string[]).slice().sort();
  if (e.kind === "hash") {
    const a = v as string[];
    const pairs: [string, string][] = [];
    for (let i = 0; i < a.length; i += 2) pairs.push([a[i], a[i + 1]]);
    return pairs.sort((x, y) => (x[0] < y[0] ? -1 : 1)).flat();
  }
  return v;
}

// ------------------------------------------------------------------ server

const dir = Deno.makeTempDirSync({ prefix: "redeno-soak-" });
const SERVER_ARGS = [
  "--appendonly",
  "yes",
  "--appendfsync",
  "always",
  "--save",
  "",
  "--logfile",
  `${dir}/server.log`,
];
// --expose-gc lets MEMORY PURGE run a full GC: RSS after one tells garbage from live heap.
const DENO_FLAGS = ["--v8-flags=--expose-gc"];
let server: Server = spawnServer("redeno", dir, SERVER_ARGS, DENO_FLAGS);
await waitForPong(server, { timeoutMs: 60_000 });
let port = server.port;
let stopping = false;
// Ctrl-C ends the load early; the kill, restart and verification still run.
Deno.addSignalListener("SIGINT", () => (stopping = true));
let killed = false;

const rssSeries: { t: number; rss: number }[] = [];
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;

/** RSS and V8's used heap (INFO allocator_allocated) after MEMORY PURGE's full GC. */
async function afterFullGc(): Promise<[number, number]> {
  const c = await RespClient.connect(port);
  await c.call("MEMORY", "PURGE");
  await sleep(1000);
  const text = decode(await c.call("INFO", "memory")) as string;
  c.close();
  return [rss(), Number(/allocator_allocated:(\d+)/.exec(text)?.[1] ?? NaN)];
}

function rss(): number {
  try {
    return serverRss(server);
  } catch {
    return NaN;
  }
}

// ------------------------------------------------------------------ workers

/** A worker's connection; counts what it sends and receives. */
class Conn {
  constructor(readonly c: RespClient) {}
  static async open(): Promise<Conn> {
    return new Conn(await RespClient.connect(port));
  }
  async pipeline(cmds: string[][]): Promise<string[]> {
    stats.commands += cmds.length;
    await this.c.send(encodeCommands(cmds));
    const out: string[] = [];
    for (let i = 0; i < cmds.length; i++) {
      const r = await this.c.reply();
      noteReply(r);
      out.push(r);
    }
    return out;
  }
  async call(...args: string[]): Promise<string> {
    return (await this.pipeline([args]))[0];
  }
  close(): void {
    this.c.close();
  }
}

let liveGenerations = 0;

/** A worker's owned keys, one per kind, for one generation. */
function newGeneration(worker: number): Map<Kind, Entry> {
  const gen = liveGenerations++;
  const m = new Map<Kind, Entry>();
  for (const kind of KINDS) {
    const e: Entry = { key: `w${worker}:g${gen}:${kind}`, kind, acked: 0, sent: 0 };
    ledger.push(e);
    m.set(kind, e);
  }
  return m;
}

const EVAL_SCRIPT = "redis.call('RPUSH', KEYS[1], ARGV[1]) return redis.call('INCR', KEYS[2])";
const READS = [
  (k: string) => ["GET", k],
  (k: string) => ["LRANGE", k, "0", "9"],
  (k: string) => ["HGETALL", k],
  (k: string) => ["SMEMBERS", k],
  (k: string) => ["ZRANGE", k, "0", "-1", "WITHSCORES"],
  (k: string) => ["XRANGE", k, "-", "+", "COUNT", "5"],
  (k: string) => ["TYPE", k],
  (k: string) => ["OBJECT", "ENCODING", k],
  (k: string) => ["TTL", k],
  (k: string) => ["EXISTS", k],
  (_: string) => ["SCAN", "0", "COUNT", "20"],
  (_: string) => ["DBSIZE"],
];

/**
 * A normal worker: ledger writes (plain, pipelined, MULTI/EXEC, EVAL),
 * reads of anyone's keys, blocking pops, XREADGROUP, PUBLISH, expiring
 * scratch keys; now and then it vanishes mid-pipeline and comes back with a
 * new generation of keys.
 */
async function worker(id: number, until: () => boolean): Promise<void> {
  let keys = newGeneration(id);
  let conn: Conn | null = null;
  const r = prng(Number(opt.seed) * 1000 + id);
  const rpick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let writesThisGen = 0;
  while (!until()) {
    try {
      conn ??= await Conn.open();
      const roll = r();
      if (roll < 0.004) {
        await vanish(conn, keys, r);
        conn = null;
        keys = newGeneration(id);
        writesThisGen = 0;
        continue;
      }
      if (roll < 0.45) {
        // Pipelined ledger writes with reads in between.
        const cmds: string[][] = [];
        const writes: [number, Entry, number][] = [];
        const n = 1 + Math.floor(r() * 6);
        for (let i = 0; i < n; i++) {
          const e = keys.get(rpick(KINDS))!;
          writes.push([cmds.length, e, ++e.sent]);
          cmds.push(writeCommand(e, e.sent));
          if (r() < 0.4) cmds.push(rpick(READS)(randomKey(r)));
        }
        const replies = await conn.pipeline(cmds);
        for (const [i, e, seq] of writes) settle(e, seq, replies[i]);
        writesThisGen += n;
      } else if (roll < 0.52) {
        const a = keys.get(rpick(KINDS))!;
        let b = keys.get(rpick(KINDS))!;
        if (b === a) b = keys.get(a.kind === "ctr" ? "list" : "ctr")!;
        const sa = ++a.sent;
        const sb = ++b.sent;
        const replies = await conn.pipeline([
          ["MULTI"],
          writeCommand(a, sa),
          writeCommand(b, sb),
          ["EXEC"],
        ]);
        const exec = replies[3];
        const items = exec[0] === "*" ? splitArray(exec) : null;
        items?.forEach((item) => item[0] === "-" && count(stats.errors, errorKind(item)));
        settle(a, sa, items ? items[0] : exec);
        settle(b, sb, items ? items[1] : exec);
      } else if (roll < 0.57) {
        const l = keys.get("list")!;
        const c = keys.get("ctr")!;
        const sl = ++l.sent;
        const sc = ++c.sent;
        const reply = await conn.call("EVAL", EVAL_SCRIPT, "2", l.key, c.key, String(sl));
        settle(l, sl, reply[0] === "-" ? reply : "+OK\r\n");
        settle(c, sc, reply);
      } else if (roll < 0.75) {
        const cmds = Array.from(
          { length: 1 + Math.floor(r() * 5) },
          () => rpick(READS)(randomKey(r)),
        );
        await conn.pipeline(cmds);
      } else if (roll < 0.82) {
        // Blocking pops on shared queues that other workers feed.
        const q = `queue:${Math.floor(r() * 8)}`;
        const op = rpick([
          ["BLPOP", q, "0.2"],
          ["BRPOP", q, "0.2"],
          ["BLMOVE", q, `${q}:moved`, "LEFT", "RIGHT", "0.2"],
          ["BZPOPMIN", `z${q}`, "0.2"],
        ]);
        const reply = await conn.call(...op);
        if (reply === "*-1\r\n" || reply === "$-1\r\n") stats.popsTimedOut++;
        else if (reply[0] !== "-") stats.popsServed++;
      } else if (roll < 0.9) {
        const q = `queue:${Math.floor(r() * 8)}`;
        await conn.pipeline([
          ["RPUSH", q, `item${id}`],
          ["ZADD", `z${q}`, String(Math.floor(r() * 100)), `m${id}:${Math.floor(r() * 50)}`],
          ["LTRIM", `${q}:moved`, "0", "99"],
          ["PUBLISH", `ch${Math.floor(r() * 4)}`, `hello from ${id}`],
        ]);
      } else if (roll < 0.95) {
        // A shared stream with a consumer group.
        await conn.pipeline([
          ["XADD", "events", "MAXLEN", "~", "1000", "*", "from", String(id)],
          ["XGROUP", "CREATE", "events", "g", "0", "MKSTREAM"],
        ]);
        const got = await conn.call(
          "XREADGROUP",
          "GROUP",
          "g",
          `c${id % 10}`,
          "COUNT",
          "5",
          "BLOCK",
          "50",
          "STREAMS",
          "events",
          ">",
        );
        const ids = [...got.matchAll(/\$\d+\r\n(\d+-\d+)\r\n/g)].map((m) => m[1]);
        if (ids.length > 0) await conn.call("XACK", "events", "g", ...ids);
      } else {
        await conn.pipeline([
          [
            "SET",
            `tmp:${id}:${Math.floor(r() * 20)}`,
            "x".repeat(Math.floor(r() * 2000)),
            "PX",
            "200",
          ],
          ["INCRBYFLOAT", `float:${id}`, "0.5"],
          ["GETRANGE", `tmp:${id}:3`, "0", "10"],
        ]);
      }
      if (writesThisGen > 1500) {
        // Keep collections from growing without bound: a fresh generation.
        keys = newGeneration(id);
        writesThisGen = 0;
      }
    } catch (e) {
      // The server closed on us (or was killed): what was in flight stays uncertain.
      if (!killed && !stopping) {
        stats.unexpectedCloses++;
        problem(`worker ${id}: ${(e as Error).message}`);
      }
      conn?.close();
      conn = null;
      keys = newGeneration(id);
      writesThisGen = 0;
      if (killed) return;
      await sleep(100);
    }
    await sleep(r() * 8);
  }
  conn?.close();
}

/** Marks a ledger write acknowledged when its reply is not an error. */
function settle(e: Entry, seq: number, reply: string): void {
  if (reply[0] === "-") {
    problem(`ledger write ${seq} to ${e.key} failed: ${reply.trim()}`);
    return;
  }
  if (seq === e.acked + 1) e.acked = seq;
  else problem(`ledger ${e.key}: write ${seq} acknowledged after ${e.acked}`);
}

/** The items of a flat RESP array reply (EXEC's): each raw. */
function splitArray(raw: string): string[] {
  const out: string[] = [];
  const header = raw.indexOf("\r\n");
  const n = Number(raw.slice(1, header));
  let at = header + 2;
  for (let i = 0; i < n; i++) {
    const end = raw.indexOf("\r\n", at) + 2;
    out.push(raw.slice(at, end));
    at = end;
  }
  return out;
}

/** Some key of some worker (or a shared one). */
function randomKey(r: () => number): string {
  if (r() < 0.2) return `queue:${Math.floor(r() * 8)}`;
  const e = ledger[Math.floor(r() * ledger.length)];
  return e.key;
}

/**
 * Sends a pipeline of ledger writes, reads some of the replies, and closes:
 * the rest stay in flight (acked < sent), and this generation is abandoned.
 */
async function vanish(conn: Conn, keys: Map<Kind, Entry>, r: () => number): Promise<void> {
  const cmds: string[][] = [];
  const writes: [Entry, number][] = [];
  const n = 5 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    const e = keys.get(KINDS[Math.floor(r() * KINDS.length)])!;
    writes.push([e, ++e.sent]);
    cmds.push(writeCommand(e, e.sent));
  }
  stats.commands += n;
  await conn.c.send(encodeCommands(cmds));
  const read = Math.floor(r() * n);
  for (let i = 0; i < read; i++) {
    const reply = await conn.c.reply();
    noteReply(reply);
    settle(writes[i][0], writes[i][1], reply);
  }
  conn.close();
  stats.vanished++;
  count(stats.faults, "client vanished mid-pipeline");
}

/** A subscriber: channels, a pattern and keyspace events; counts what arrives. */
async function subscriber(id: number, until: () => boolean): Promise<void> {
  while (!until() && !killed) {
    let c: RespClient | null = null;
    try {
      c = await RespClient.connect(port);
      const chans = id % 2 === 0 ? ["SUBSCRIBE", "ch0", "ch1", "ch2", "ch3"] : [
        "PSUBSCRIBE",
        "ch*",
        "__key*__:*",
      ];
      stats.commands++;
      await c.send(encodeCommands([chans]));
      const started = performance.now();
      // Resubscribe now and then (churn), or stop when told.
      while (!until() && performance.now() - started < 20_000) {
        const reply = await Promise.race([c.reply(), sleep(500).then(() => null)]);
        if (reply === null) continue;
        stats.pubsubMessages++;
      }
    } catch (e) {
      if (!killed && !stopping) {
        stats.unexpectedCloses++;
        problem(`subscriber ${id}: ${(e as Error).message}`);
      }
    } finally {
      c?.close();
    }
  }
}

/**
 * A slow reader: asks for big replies (a 1 MB list, pipelined ten times) and
 * reads them 16 KB at a time with pauses, so the server must hold them.
 */
async function slowReader(id: number, until: () => boolean, replyBytes: number): Promise<void> {
  while (!until() && !killed) {
    let conn: Deno.TcpConn | null = null;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const reps = 10;
      stats.commands += reps;
      const cmd = encodeCommands(Array.from({ length: reps }, () => ["LRANGE", "big", "0", "-1"]));
      await conn.write(cmd);
      count(stats.faults, "slow reader (10 MB of replies read at 16 KB per 20 ms)");
      const buf = new Uint8Array(16384);
      let got = 0;
      while (got < reps * replyBytes) {
        const n = await conn.read(buf);
        if (n === null) throw new Error("closed by the server");
        got += n;
        stats.slowBytes += n;
        await sleep(20);
      }
      stats.replies += reps;
      if (got !== reps * replyBytes) problem(`slow reader ${id}: ${got} bytes`);
    } catch (e) {
      if (!killed && !stopping) {
        stats.unexpectedCloses++;
        problem(`slow reader ${id}: ${(e as Error).message}`);
      }
    } finally {
      try {
        conn?.close();
      } catch {
        // closed
      }
    }
    await sleep(500 + rand() * 1000);
  }
}

// ------------------------------------------------------------------ malformed frames

/** Hostile inputs; each must get Redis's reply and (protocol errors) a closed connection. */
const MALFORMED: [string, string][] = [
  ["multibulk length not a number", "*abc\r\n"],
  ["multibulk length too big", "*99999999999\r\n"],
  ["bulk length not a number", "*1\r\n$abc\r\n"],
  ["bulk length over proto-max-bulk-len", "*1\r\n$600000000\r\n"],
  ["negative bulk length", "*2\r\n$-5\r\n"],
  ["no '$' before a bulk", "*1\r\nfoo\r\n"],
  ["unbalanced quotes inline", 'SET "a b\r\n'],
  ["inline line over 64 KB", "A".repeat(70_000)],
  ["multibulk count line over 64 KB", "*" + "1".repeat(70_000)],
  ["bulk count line over 64 KB", "*1\r\n$" + "1".repeat(70_000)],
];

/** What a server replies to `input` (raw) and whether it closed the connection. */
async function hostile(p: number, input: string): Promise<{ data: string; closed: boolean }> {
  const c = await RespClient.connect(p);
  try {
    await c.send(strToBytes(input));
    return await c.drain(1500);
  } finally {
    c.close();
  }
}

/** Redis's replies to MALFORMED (from a real redis-server), or null when it is not installed. */
async function redisReplies(): Promise<Map<string, { data: string; closed: boolean }> | null> {
  if (findOnPath("redis-server") === null) return null;
  const rdir = Deno.makeTempDirSync({ prefix: "redis-soak-" });
  const rs = spawnServer("redis", rdir, ["--save", "", "--appendonly", "no"]);
  try {
    await waitForPong(rs);
    const out = new Map<string, { data: string; closed: boolean }>();
    for (const [name, input] of MALFORMED) out.set(name, await hostile(rs.port, input));
    return out;
  } finally {
    await stopServer(rs);
    Deno.removeSync(rdir, { recursive: true });
  }
}

const oracle = await redisReplies();

/** Sends a malformed frame (or random binary garbage) every 0.5-2 s. */
async function malformer(until: () => boolean): Promise<void> {
  while (!until() && !killed) {
    try {
      if (rand() < 0.75) {
        const [name, input] = pick(MALFORMED);
        const got = await hostile(port, input);
        count(stats.faults, `malformed frame: ${name}`);
        const want = oracle?.get(name);
        if (want && (got.data !== want.data || got.closed !== want.closed)) {
          stats.protocolMismatches.push(
            `${name}: redeno ${JSON.stringify(got)}, Redis ${JSON.stringify(want)}`,
          );
        }
      } else {
        const junk = new Uint8Array(1 + Math.floor(rand() * 4000)).map(() =>
          Math.floor(rand() * 256)
        );
        const c = await RespClient.connect(port);
        await c.send(junk);
        await c.drain(300);
        c.close();
        count(stats.faults, "binary garbage");
      }
    } catch (e) {
      if (!killed && !stopping) problem(`malformer: ${(e as Error).message}`);
    }
    await sleep(500 + rand() * 1500);
  }
}

// ------------------------------------------------------------------ admin chaos

const CONFIG_CHANGES: (() => string[])[] = [
  () => ["hz", String(1 + Math.floor(rand() * 100))],
  () => [
    "maxmemory-policy",
    pick(["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl"]),
  ],
  () => ["slowlog-log-slower-than", String(Math.floor(rand() * 2000))],
  () => ["slowlog-max-len", String(Math.floor(rand() * 256))],
  () => ["notify-keyspace-events", pick(["", "KEA", "Ex", "Kg$lshz", "E"])],
  () => ["list-max-listpack-size", pick(["-2", "-1", "8", "128"])],
  () => ["hash-max-listpack-entries", pick(["128", "512", "16"])],
];

/** CONFIG SET every few seconds; SAVE, BGSAVE or BGREWRITEAOF every 20-40 s. */
async function admin(until: () => boolean): Promise<void> {
  let nextSave = performance.now() + 20_000;
  let which = 0;
  let conn: Conn | null = null;
  while (!until() && !killed) {
    try {
      conn ??= await Conn.open();
      const [name, value] = pick(CONFIG_CHANGES)();
      const reply = await conn.call("CONFIG", "SET", name, value);
      count(stats.faults, `CONFIG SET ${name}`);
      if (reply !== "+OK\r\n") problem(`CONFIG SET ${name} ${value}: ${reply.trim()}`);
      if (performance.now() > nextSave) {
        const op = ["SAVE", "BGSAVE", "BGREWRITEAOF"][which++ % 3];
        const reply = await conn.call(op);
        count(stats.faults, op);
        if (reply[0] === "-") count(stats.faults, `${op} refused: ${errorKind(reply)}`);
        nextSave = performance.now() + 20_000 + rand() * 20_000;
      }
      await conn.pipeline([["SLOWLOG", "GET", "5"], ["INFO"], ["CLIENT", "LIST"]]);
    } catch (e) {
      if (!killed && !stopping) problem(`admin: ${(e as Error).message}`);
      conn?.close();
      conn = null;
    }
    await sleep(2000 + rand() * 4000);
  }
  conn?.close();
}

// ------------------------------------------------------------------ sampler

let maxPingMs = 0;

/** RSS every 2 s, and a PING on a fresh connection (a stall shows as a slow PING). */
async function sampler(until: () => boolean): Promise<void> {
  while (!until()) {
    rssSeries.push({ t: elapsed(), rss: rss() });
    const p0 = performance.now();
    try {
      const c = await RespClient.connect(port);
      const reply = await c.call("PING");
      c.close();
      if (reply !== "+PONG\r\n") problem(`PING: ${reply.trim()}`);
    } catch (e) {
      if (!killed) problem(`PING failed: ${(e as Error).message}`);
    }
    maxPingMs = Math.max(maxPingMs, performance.now() - p0);
    await sleep(2000);
  }
}

// ------------------------------------------------------------------ run

const commit = new TextDecoder().decode(
  (await new Deno.Command("git", { args: ["rev-parse", "--short", "HEAD"] }).output()).stdout,
).trim();
// The tree the server runs: recorded at the start (other work may commit meanwhile).
const dirty = new TextDecoder().decode(
  (await new Deno.Command("git", { args: ["status", "--porcelain", "lib", "main.ts"] }).output())
    .stdout,
).trim();
const rssStart = rss();
console.error(
  `soak: redeno pid ${server.child.pid} port ${port} dir ${dir}; ${CLIENTS} clients, ${MINUTES} min`,
);
{
  // The big list the slow readers read (1 MB reply).
  const c = await Conn.open();
  for (let i = 0; i < 20; i++) {
    await c.call(
      "RPUSH",
      "big",
      ...Array.from({ length: 1000 }, (_, j) => `${i}:${j}:` + "b".repeat(40)),
    );
  }
  c.close();
}
const bigReplyBytes = await (async () => {
  const c = await Conn.open();
  const n = (await c.call("LRANGE", "big", "0", "-1")).length;
  c.close();
  return n;
})();

const deadline = performance.now() + MINUTES * 60_000;
const loadOver = () => performance.now() > deadline || stopping;
const SLOW = 4;
const SUBS = 4;
const SPECIAL = SLOW + SUBS + 2; // + malformer + admin
const tasks: Promise<void>[] = [];
const samplerDone = { v: false };
const samplerTask = sampler(() => samplerDone.v);
for (let i = 0; i < CLIENTS - SPECIAL; i++) tasks.push(worker(i, loadOver));
for (let i = 0; i < SUBS; i++) tasks.push(subscriber(i, loadOver));
for (let i = 0; i < SLOW; i++) tasks.push(slowReader(i, loadOver, bigReplyBytes));
tasks.push(malformer(loadOver));
tasks.push(admin(loadOver));
const progress = setInterval(() => {
  console.error(
    `soak ${elapsed().toFixed(0)} s: ${stats.commands} commands, ${stats.vanished} vanished, ` +
      `RSS ${(rss() / 1048576).toFixed(0)} MB, ${stats.problems.length} problems`,
  );
}, 30_000);
await Promise.all(tasks);
const loadSeconds = elapsed();
clearInterval(progress);

// Idle a few seconds: RSS after the load.
await sleep(5000);
const infoAfter = await (async () => {
  const c = await Conn.open();
  const text = decode(await c.call("INFO")) as string;
  c.close();
  return text;
})();
const rssEnd = rss();
const [rssEndGc, heapEndGc] = await afterFullGc();
const keysBefore = /keys=(\d+)/.exec(infoAfter)?.[1] ?? "?";
const clientsAfter = /connected_clients:(\d+)/.exec(infoAfter)?.[1] ?? "?";
const usedMemoryAfter = /used_memory_human:(\S+)/.exec(infoAfter)?.[1] ?? "?";

// Kill -9 under writes: ledger workers for a few seconds, then SIGKILL.
const burstStop = { v: false };
const burst = Array.from({ length: 20 }, (_, i) => worker(100_000 + i, () => burstStop.v));
await sleep(3000);
killed = true;
server.child.kill("SIGKILL");
await server.child.status;
burstStop.v = true;
await Promise.all(burst);
samplerDone.v = true;
await samplerTask;

// Restart from the AOF and verify the ledger.
const restartStart = performance.now();
server = spawnServer("redeno", dir, SERVER_ARGS, DENO_FLAGS);
await waitForPong(server, { timeoutMs: 300_000 });
const restartSeconds = (performance.now() - restartStart) / 1000;
port = server.port;
let verified = 0;
let uncertain = 0;
const missing: string[] = [];
{
  const c = await RespClient.connect(port);
  for (let i = 0; i < ledger.length; i += 200) {
    const batch = ledger.slice(i, i + 200);
    const replies = await c.pipeline(batch.map(readCommand));
    batch.forEach((e, j) => {
      const v = decode(replies[j]);
      const n = v === null || typeof v !== "object" || Array.isArray(v) ? writesIn(e, v) : null;
      const ok = n !== null && n >= e.acked && n <= e.sent &&
        JSON.stringify(normalize(e, v)) === JSON.stringify(expected(e, n));
      if (ok) {
        verified += e.acked;
        if (e.sent > e.acked) uncertain++;
      } else if (missing.length < 20) {
        missing.push(
          `${e.key}: acked ${e.acked}, sent ${e.sent}, found ${
            JSON.stringify(v).slice(0, 120)
          } (${n} writes)`,
        );
      } else missing.push(e.key);
    });
  }
  c.close();
}
const log = Deno.readTextFileSync(`${dir}/server.log`);
const truncatedTail = /AOF loaded anyway|truncated|Truncating/i.exec(log)?.[0] ?? "none";
// The same data freshly loaded (no churn behind it), then none: what the
// RSS after the load is made of.
const rssReloaded = rss();
const [rssReloadedGc, heapReloadedGc] = await afterFullGc();
{
  const c = await RespClient.connect(port);
  await c.call("FLUSHALL");
  c.close();
}
await sleep(5000);
const rssFlushed = rss();
await stopServer(server);

// ------------------------------------------------------------------ report

const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
const peak = Math.max(...rssSeries.map((s) => s.rss).filter((x) => Number.isFinite(x)));
const series = rssSeries.filter((_, i) => i % 15 === 0 || i === rssSeries.length - 1)
  .map((s) => `${s.t.toFixed(0)}s ${mb(s.rss)}`).join(", ");
const sortDesc = (m: Map<string, number>) =>
  [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  - ${k}: ${v}`).join("\n");
const totalAcked = ledger.reduce((n, e) => n + e.acked, 0);
const report = `# redeno soak report (${new Date().toISOString()})

- Tree: ${commit}${
  dirty ? " (with uncommitted changes in lib/)" : ""
}; appendonly yes, appendfsync always
- Clients: ${CLIENTS} (${
  CLIENTS - SPECIAL
} workers, ${SUBS} subscribers, ${SLOW} slow readers, 1 malformed-frame sender, 1 admin) + 20 in the kill -9 burst
- Load: ${loadSeconds.toFixed(0)} s; commands sent ${
  stats.commands.toLocaleString("en-US")
}, replies ${stats.replies.toLocaleString("en-US")}, pub/sub messages received ${
  stats.pubsubMessages.toLocaleString("en-US")
}
- Blocking pops: ${stats.popsServed} served, ${stats.popsTimedOut} timed out; slow readers read ${
  mb(stats.slowBytes)
}
- Disconnects: ${stats.vanished} clients vanished mid-pipeline (on purpose); unexpected closes: ${stats.unexpectedCloses}
- Max PING latency on a fresh connection: ${maxPingMs.toFixed(0)} ms
- RSS: start ${mb(rssStart)}, peak ${mb(peak)}, end (5 s idle after the load) ${
  mb(rssEnd)
}; then ${keysBefore} keys, used_memory ${usedMemoryAfter}, connected_clients ${clientsAfter};
  after a full GC (MEMORY PURGE): RSS ${mb(rssEndGc)}, V8 heap in use ${mb(heapEndGc)}
- RSS of a fresh server on the same data (restarted from the AOF): ${
  mb(rssReloaded)
}, after a full GC ${mb(rssReloadedGc)} (V8 heap in use ${
  mb(heapReloadedGc)
}); after FLUSHALL and 5 s: ${mb(rssFlushed)}
- RSS over time: ${series}
- Restart from the AOF after kill -9 under writes: ${
  restartSeconds.toFixed(1)
} s (AOF tail: ${truncatedTail})
- Ledger: ${ledger.length} keys, ${
  totalAcked.toLocaleString("en-US")
} acknowledged writes; verified ${
  verified.toLocaleString("en-US")
}, keys missing or wrong: ${missing.length}; keys with writes in flight at a disconnect or the kill (either state accepted): ${uncertain}
- Malformed-frame replies differing from Redis's: ${
  oracle ? stats.protocolMismatches.length : "(redis-server not installed: not compared)"
}

Faults injected:
${sortDesc(stats.faults)}

Errors by kind (WRONGTYPE and BUSYGROUP are expected: reads of random keys, XGROUP CREATE of an existing group):
${sortDesc(stats.errors) || "  (none)"}
${
  missing.length
    ? `\nMissing or wrong:\n${missing.slice(0, 20).map((m) => `  - ${m}`).join("\n")}\n`
    : ""
}${
  stats.protocolMismatches.length
    ? `\nProtocol mismatches:\n${
      [...new Set(stats.protocolMismatches)].slice(0, 10).map((m) => `  - ${m}`).join("\n")
    }\n`
    : ""
}${
  stats.problems.length
    ? `\nProblems:\n${stats.problems.slice(0, 20).map((m) => `  - ${m}`).join("\n")}\n`
    : ""
}`;
console.log(report);
if (opt.out) Deno.writeTextFileSync(opt.out, report);
if (!opt.keep) Deno.removeSync(dir, { recursive: true });
else console.error(`kept ${dir}`);
const failed = missing.length > 0 || stats.unexpectedCloses > 0 ||
  stats.protocolMismatches.length > 0;
Deno.exit(failed ? 1 : 0);
