/**
 * Persistence interop with real Redis 7.0, both ways: redis-check-rdb and
 * redis-check-aof accept redeno's files and redis-server serves the same data
 * from them (dump.rdb alone, and the AOF directory alone); redeno serves the
 * same data from the files redis-server wrote. One dataset covers every
 * string, hash, list, set and sorted set encoding (and the encodings each
 * side picks on load), binary keys and values, expiries and three dbs.
 */
import { assert, assertEquals } from "@std/assert";
import { RespClient } from "../support/resp_client.ts";
import { redisTool, startRedeno, startRedis } from "../support/servers.ts";
import { prng } from "../support/prng.ts";
import { formatDouble } from "../../lib/util/float.ts";
import {
  AOF_ONLY,
  aofDir,
  assertAofOk,
  assertRdbOk,
  baseOf,
  dumpPort,
  idle,
  infoField,
  type KeyRow,
  lastIncr,
  manifestText,
  ok,
  RDB_ONLY,
  sleep,
  sortedPairs,
  sortRows,
  waitFor,
  withServer,
} from "../support/persistence.ts";

// ------------------------------------------------------------------ model

/** What one key should hold: its type, its value and whether it has a TTL. */
type Entry =
  | { type: "string"; value: string; ttl: boolean }
  | { type: "hash"; value: Map<string, string>; ttl: boolean }
  | { type: "list"; value: string[]; ttl: boolean }
  | { type: "set"; value: Set<string>; ttl: boolean }
  | { type: "zset"; value: Map<string, number>; ttl: boolean };

/** An entry's value as dumpKeys renders it. */
function rendered(e: Entry): string | string[][] {
  switch (e.type) {
    case "string":
      return e.value;
    case "hash":
      return sortedPairs([...e.value].flat());
    case "list":
      return e.value.map((x) => [x]);
    case "set":
      return [...e.value].sort().map((x) => [x]);
    case "zset":
      return [...e.value]
        .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([m, score]) => [m, formatDouble(score)]);
  }
}

/** The expected contents of every db, kept in step with the writes. */
class Model {
  readonly dbs = new Map<number, Map<string, Entry>>();

  db(n: number): Map<string, Entry> {
    let d = this.dbs.get(n);
    if (!d) this.dbs.set(n, d = new Map());
    return d;
  }

  /** Sorted rows [db, key, type, value, ttl], comparable with `dumpPort`. */
  rows(): KeyRow[] {
    const out: KeyRow[] = [];
    for (const [db, keys] of this.dbs) {
      for (const [key, e] of keys) {
        out.push([db, key, e.type, rendered(e), e.ttl]);
      }
    }
    return sortRows(out);
  }
}

// ---------------------------------------------------------------- helpers

/** Asserts that the server on `port` holds exactly what `m` describes. */
async function assertServes(port: number, m: Model, what: string): Promise<void> {
  const got = await dumpPort(port);
  const want = m.rows();
  const names = (rows: KeyRow[]) => rows.map((r) => `${r[0]}:${JSON.stringify(r[1])}`);
  assertEquals(names(got), names(want), `${what}: the keys of every db`);
  for (let i = 0; i < want.length; i++) {
    assertEquals(got[i], want[i], `${what}: key ${JSON.stringify(want[i][1])} of db ${want[i][0]}`);
  }
}

/**
 * OBJECT ENCODING of every key of every db that is not a string ("db:key" ->
 * encoding). A string's encoding is left out: APPEND and SETRANGE make a
 * "raw" string that loads back as "embstr", on either server.
 */
async function encodings(port: number): Promise<Map<string, string>> {
  const c = await RespClient.connect(port);
  try {
    const out = new Map<string, string>();
    for (let db = 0; db < 16; db++) {
      await ok(c, "SELECT", String(db));
      for (const key of (await ok(c, "KEYS", "*")) as string[]) {
        const enc = (await ok(c, "OBJECT", "ENCODING", key)) as string;
        if (enc !== "int" && enc !== "embstr" && enc !== "raw") out.set(`${db}:${key}`, enc);
      }
    }
    return out;
  } finally {
    c.close();
  }
}

/** Asserts that two servers report the same encoding for every key. */
function assertSameEncodings(got: Map<string, string>, want: Map<string, string>, what: string) {
  assertEquals([...got].sort(), [...want].sort(), `${what}: OBJECT ENCODING of every key`);
}

/** A copy of a server directory (the original stays untouched for the next copy). */
function copyDir(src: string): string {
  const dst = Deno.makeTempDirSync({ prefix: "redeno-copy-" });
  const walk = (from: string, to: string) => {
    for (const e of Deno.readDirSync(from)) {
      if (e.isDirectory) {
        Deno.mkdirSync(`${to}/${e.name}`);
        walk(`${from}/${e.name}`, `${to}/${e.name}`);
      } else if (e.isFile) {
        Deno.copyFileSync(`${from}/${e.name}`, `${to}/${e.name}`);
      }
    }
  };
  walk(src, dst);
  return dst;
}

/** The size of the incr file the manifest names last. */
function lastIncrSize(dir: string): number {
  return Deno.statSync(`${aofDir(dir)}/${lastIncr(dir)}`).size;
}

// ---------------------------------------------------------------- dataset

const FAR_MS = String(1_000_000_000); // ~11 days: never expires during a test
const FAR_UNIX = "4102444800"; // 2100-01-01

/**
 * Writes the dataset through `c` and records it in `m`: strings in every
 * RDB encoding (small/negative/64-bit integers, LZF-compressible, binary,
 * empty), listpack and hashtable hashes (many fields, long values), binary
 * keys, far-future expiries, in dbs 0, 3 and 15.
 */
async function writeDataset(c: RespClient, m: Model): Promise<void> {
  const rand = prng(20240613);
  const noise = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 256));
    return s;
  };
  const strings: Record<string, string> = {
    "int:0": "0",
    "int:small": "7",
    "int:i8": "-100",
    "int:i16": "-1234",
    "int:i32": "123456789",
    "int:big": "12345678901234567", // > 2^32
    "int:max": "9223372036854775807",
    "int:min": "-9223372036854775808",
    "int:over": "9223372036854775808", // one past int64: a plain string
    "int:lead0": "007", // not canonical: a plain string
    "int:plus": "+5",
    "float": "3.14159",
    "emb": "short string",
    "raw": "a string that is longer than forty-four bytes, so not embedded",
    "lzf:21": "a".repeat(21), // just over the 20-byte threshold for LZF
    "lzf:long": "compress me please ".repeat(300),
    "bin": "\x00\x01\xff\xfe\r\n\x00",
    "bin:lzf": "\x00\r\n\xff".repeat(64),
    "noise": noise(3000), // incompressible: stored plain
    "empty": "",
    "utf8": "h\xc3\xa9llo w\xc3\xb6rld",
    "\x00key\r\n\xff": "binary key",
    "": "empty key",
    "ctr:float": "10.5",
  };
  await ok(c, "SELECT", "0");
  for (const [k, v] of Object.entries(strings)) {
    await ok(c, "SET", k, v);
    m.db(0).set(k, { type: "string", value: v, ttl: false });
  }
  const hash = async (db: number, key: string, pairs: [string, string][]) => {
    await ok(c, "HSET", key, ...pairs.flat());
    m.db(db).set(key, { type: "hash", value: new Map(pairs), ttl: false });
  };
  await hash(0, "h:small", [["a", "1"], ["b", "-300"], ["c", "text"], ["big", "99999999999"], [
    "empty",
    "",
  ], ["", "empty field"]]);
  await hash(0, "h:ints", [["1", "2"], ["-5", "10"], ["9223372036854775807", "0"]]);
  await hash(0, "h:bin", [["\x00\xff", "\r\n"], ["k\x00", "\x00v"]]);
  await hash(0, "h:float", [["f", "1.5"]]);
  const large: [string, string][] = [];
  for (let i = 0; i < 600; i++) large.push([`field:${i}`, `value ${i} `.repeat(i % 4 + 1)]);
  await hash(0, "h:large", large); // > 512 fields: hashtable
  await hash(0, "h:longval", [["k", "v".repeat(200)], ["n", "1"]]); // value > 64 bytes
  await hash(0, "h:longfield", [["f".repeat(100), "x"]]);
  await hash(0, "h:noise", [["n", noise(500)]]);

  await writeCollections(c, m, rand);

  // Expiries, relative and absolute, on strings and hashes.
  for (const key of ["emb", "int:big", "h:small", "lzf:long"]) {
    await ok(c, "PEXPIRE", key, FAR_MS);
    m.db(0).get(key)!.ttl = true;
  }
  await ok(c, "EXPIREAT", "h:large", FAR_UNIX);
  m.db(0).get("h:large")!.ttl = true;
  await ok(c, "SET", "ttl:ex", "with EX", "EX", "1000000");
  m.db(0).set("ttl:ex", { type: "string", value: "with EX", ttl: true });
  await ok(c, "SET", "ctr:ttl", "1", "PX", FAR_MS);
  m.db(0).set("ctr:ttl", { type: "string", value: "1", ttl: true });

  // Other dbs: same key names with other values, and their own keys.
  await ok(c, "SELECT", "3");
  for (const [k, v] of [["emb", "db3 value"], ["int:small", "3"], ["db3:only", "x"]]) {
    await ok(c, "SET", k, v);
    m.db(3).set(k, { type: "string", value: v, ttl: false });
  }
  await hash(3, "h:small", [["db", "3"]]);
  const mid: [string, string][] = [];
  for (let i = 0; i < 520; i++) mid.push([String(i), String(i * i)]);
  await hash(3, "h:ints520", mid); // integer fields past the listpack limit
  await ok(c, "SETEX", "db3:ttl", "1000000", "v");
  m.db(3).set("db3:ttl", { type: "string", value: "v", ttl: true });

  await ok(c, "SELECT", "15");
  await ok(c, "SET", "last", "db 15");
  m.db(15).set("last", { type: "string", value: "db 15", ttl: false });
  await hash(15, "h:last", [["z", "-9223372036854775808"]]);
  await ok(c, "PEXPIRE", "h:last", FAR_MS);
  m.db(15).get("h:last")!.ttl = true;
  await ok(c, "SELECT", "0");
}

/**
 * Lists, sets and sorted sets in every encoding (db 0 unless said): lists of
 * one and of many nodes, integers, binary, an element past 64KB, one built
 * from the head; intsets of each width, hashtable sets (strings, too many
 * integers); listpack zsets with inf, -inf, 2^62, 2^63, 0.1 and 1e300
 * scores, skiplist zsets (too many members, a long member); some with TTLs,
 * and a few in db 3.
 */
async function writeCollections(c: RespClient, m: Model, rand: () => number): Promise<void> {
  const list = async (db: number, key: string, items: string[]) => {
    for (let i = 0; i < items.length; i += 500) {
      await ok(c, "RPUSH", key, ...items.slice(i, i + 500));
    }
    m.db(db).set(key, { type: "list", value: items.slice(), ttl: false });
  };
  const set = async (db: number, key: string, members: string[]) => {
    for (let i = 0; i < members.length; i += 500) {
      await ok(c, "SADD", key, ...members.slice(i, i + 500));
    }
    m.db(db).set(key, { type: "set", value: new Set(members), ttl: false });
  };
  const zset = async (db: number, key: string, pairs: [string, number][]) => {
    await ok(c, "ZADD", key, ...pairs.flatMap(([member, score]) => [formatDouble(score), member]));
    m.db(db).set(key, { type: "zset", value: new Map(pairs), ttl: false });
  };
  const bytes = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 256));
    return s;
  };
  await ok(c, "SELECT", "0");
  await list(0, "l:small", ["a", "1", "-1", "\x00\xff\r\n", "", "9223372036854775807", "01", "-0"]);
  await list(0, "l:nodes", Array.from({ length: 5000 }, (_, i) => "e".repeat(i % 97) + i));
  await list(0, "l:ints", Array.from({ length: 2000 }, (_, i) => String(i * 7919 - 1000000)));
  await list(0, "l:huge", ["x".repeat(70000), bytes(9000), "z"]);
  const left = Array.from({ length: 1000 }, (_, i) => `left ${i}`);
  await ok(c, "LPUSH", "l:left", ...left);
  m.db(0).set("l:left", { type: "list", value: left.slice().reverse(), ttl: false });
  await set(0, "s:i16", ["1", "-2", "32767", "-32768"]);
  await set(0, "s:i32", ["1", "70000", "-2147483648"]);
  await set(0, "s:i64", ["5", "9223372036854775807", "-9223372036854775808"]);
  await set(0, "s:strings", ["a", "1", "\x00bin", "", "compress me ".repeat(10)]);
  await set(0, "s:bigints", Array.from({ length: 600 }, (_, i) => String(i * 3)));
  await set(0, "s:many", Array.from({ length: 1000 }, (_, i) => `member:${i}`));
  await zset(0, "z:lp", [
    ["a", 1],
    ["b", 1.5],
    ["inf", Infinity],
    ["-inf", -Infinity],
    ["2^62", 2 ** 62],
    ["2^63", 2 ** 63],
    ["tenth", 0.1],
    ["\x00", -3],
    ["12", 12],
    ["e300", 1e300],
  ]);
  await zset(0, "z:big", Array.from({ length: 300 }, (_, i) => [`m${i}`, (i % 17) * 0.5 - 3]));
  await zset(0, "z:long", [["m".repeat(100), 1], ["n", 2]]);
  await zset(0, "z:binary", [["\x00\xff", 0], ["\r\n", -1e-300], [bytes(30), 7]]);
  for (const key of ["l:nodes", "s:many", "z:big"]) {
    await ok(c, "PEXPIRE", key, FAR_MS);
    m.db(0).get(key)!.ttl = true;
  }
  await ok(c, "SELECT", "3");
  await list(3, "l:db3", ["three", "3"]);
  await set(3, "s:db3", ["3", "33"]);
  await zset(3, "z:db3", [["three", 3]]);
  await ok(c, "SELECT", "0");
}

/** Changes to the collections after the dataset (they land in an incr file). */
async function writeMoreCollections(c: RespClient, m: Model): Promise<void> {
  const d0 = m.db(0);
  await ok(c, "SELECT", "0");
  await ok(c, "LPOP", "l:small");
  (d0.get("l:small")!.value as string[]).shift();
  await ok(c, "RPUSH", "l:nodes", "tail", "12");
  (d0.get("l:nodes")!.value as string[]).push("tail", "12");
  await ok(c, "SREM", "s:strings", "a");
  (d0.get("s:strings")!.value as Set<string>).delete("a");
  await ok(c, "SADD", "s:i16", "not an integer"); // intset -> hashtable
  (d0.get("s:i16")!.value as Set<string>).add("not an integer");
  await ok(c, "ZINCRBY", "z:lp", "2.5", "a");
  (d0.get("z:lp")!.value as Map<string, number>).set("a", 3.5);
  await ok(c, "ZREM", "z:big", "m1");
  (d0.get("z:big")!.value as Map<string, number>).delete("m1");
  await ok(c, "ZADD", "z:new", "1", "one");
  d0.set("z:new", { type: "zset", value: new Map([["one", 1]]), ttl: false });
  await ok(c, "DEL", "l:ints");
  d0.delete("l:ints");
}

/**
 * Writes after the dataset whose AOF propagation forms differ from the
 * command sent (SET EX -> PXAT, EXPIRE -> PEXPIREAT, INCRBYFLOAT -> SET
 * KEEPTTL, HINCRBYFLOAT -> HSET, lazy expiry -> DEL), across db switches.
 */
async function writeMore(c: RespClient, m: Model): Promise<void> {
  const d0 = m.db(0);
  await ok(c, "SELECT", "0");
  await ok(c, "SET", "after:new", "fresh");
  d0.set("after:new", { type: "string", value: "fresh", ttl: false });
  await ok(c, "SET", "after:ex", "v", "EX", "1000000");
  d0.set("after:ex", { type: "string", value: "v", ttl: true });
  await ok(c, "PSETEX", "after:psetex", FAR_MS, "p");
  d0.set("after:psetex", { type: "string", value: "p", ttl: true });
  await ok(c, "EXPIRE", "int:small", "1000000");
  d0.get("int:small")!.ttl = true;
  await ok(c, "PERSIST", "emb");
  d0.get("emb")!.ttl = false;
  await ok(c, "INCRBYFLOAT", "ctr:float", "0.25");
  d0.set("ctr:float", { type: "string", value: "10.75", ttl: false });
  await ok(c, "INCRBYFLOAT", "ctr:ttl", "0.5"); // keeps its TTL
  d0.set("ctr:ttl", { type: "string", value: "1.5", ttl: true });
  await ok(c, "HINCRBYFLOAT", "h:float", "f", "2.25");
  (d0.get("h:float")!.value as Map<string, string>).set("f", "3.75");
  await ok(c, "HSET", "h:large", "after", "yes");
  (d0.get("h:large")!.value as Map<string, string>).set("after", "yes");
  await ok(c, "HDEL", "h:small", "a");
  (d0.get("h:small")!.value as Map<string, string>).delete("a");
  await ok(c, "APPEND", "bin", "\xff\x00tail");
  d0.set("bin", { type: "string", value: "\x00\x01\xff\xfe\r\n\x00\xff\x00tail", ttl: false });
  await ok(c, "INCR", "int:i16");
  d0.set("int:i16", { type: "string", value: "-1233", ttl: false });
  await ok(c, "DEL", "raw");
  d0.delete("raw");
  await ok(c, "RENAME", "int:big", "int:big:renamed"); // the TTL moves with it
  d0.set("int:big:renamed", d0.get("int:big")!);
  d0.delete("int:big");
  // A key that expires and is then touched: gone on both sides.
  await ok(c, "SET", "after:gone", "x", "PX", "1");
  await sleep(20);
  assertEquals(await ok(c, "GET", "after:gone"), null);
  await writeMoreCollections(c, m);
  await ok(c, "SELECT", "3");
  await ok(c, "SET", "db3:after", "\r\n");
  m.db(3).set("db3:after", { type: "string", value: "\r\n", ttl: false });
  await ok(c, "SELECT", "15");
  await ok(c, "HSET", "h:last", "y", "1");
  (m.db(15).get("h:last")!.value as Map<string, string>).set("y", "1");
  await ok(c, "DEL", "last");
  m.db(15).delete("last");
  await ok(c, "SELECT", "0");
}

// ------------------------------------------------------------ redeno -> Redis

Deno.test("interop: Redis 7.0 loads redeno's dump.rdb and AOF directory", async () => {
  if (!redisTool("redis-server")) return;
  const m = new Model();
  const dir = Deno.makeTempDirSync({ prefix: "redeno-interop-" });
  let ours = new Map<string, string>();
  await withServer(startRedeno, {
    persistence: true,
    dir,
    args: ["--appendonly", "yes", "--save", "1 1"],
  }, async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      await writeDataset(c, m);
      // No save point may start a background save between idle and SAVE.
      await ok(c, "CONFIG", "SET", "save", "");
      await idle(c);
      assertEquals(await c.call("SAVE"), "+OK\r\n");
      ours = await encodings(s.port);
    } finally {
      c.close();
    }
  });
  await assertRdbOk(`${dir}/dump.rdb`);
  await assertAofOk(dir);

  // The AOF directory alone (dump.rdb removed so it cannot be what loads).
  const aofCopy = copyDir(dir);
  Deno.removeSync(`${aofCopy}/dump.rdb`);
  await withServer(startRedis, {
    persistence: true,
    dir: aofCopy,
    args: AOF_ONLY,
  }, (s) => assertServes(s.port, m, "Redis from redeno's AOF directory"));

  // dump.rdb alone.
  const rdbCopy = copyDir(dir);
  Deno.removeSync(`${rdbCopy}/appendonlydir`, { recursive: true });
  await withServer(startRedis, {
    persistence: true,
    dir: rdbCopy,
    args: RDB_ONLY,
  }, async (s) => {
    await assertServes(s.port, m, "Redis from redeno's dump.rdb");
    assertSameEncodings(await encodings(s.port), ours, "Redis from redeno's dump.rdb");
  });
});

Deno.test("interop: Redis 7.0 replays writes that live only in redeno's incr file", async () => {
  if (!redisTool("redis-server")) return;
  const m = new Model();
  const dir = Deno.makeTempDirSync({ prefix: "redeno-interop-" });
  // No save points: nothing snapshots after start-up, so the writes are in
  // the incr file only; appendfsync always makes each one durable before its
  // reply, so a crash (SIGKILL) loses none.
  const s = await startRedeno({
    persistence: true,
    dir,
    args: ["--appendonly", "yes", "--save", "", "--appendfsync", "always"],
  });
  try {
    const c = await RespClient.connect(s.port);
    try {
      await writeDataset(c, m);
      await writeMore(c, m);
    } finally {
      c.close();
    }
  } finally {
    await s.kill();
  }
  assert(lastIncrSize(dir) > 0, "the writes are in the incr file");
  await assertAofOk(dir);
  const copy = copyDir(dir);
  try {
    Deno.removeSync(`${copy}/dump.rdb`);
  } catch {
    // none written: fine
  }
  await withServer(startRedis, {
    persistence: true,
    dir: copy,
    args: AOF_ONLY,
  }, (r) => assertServes(r.port, m, "Redis from redeno's base + incr"));
});

// ------------------------------------------------------------ Redis -> redeno

/**
 * Real Redis writes the dataset, rewrites its AOF (new base), SAVEs, takes
 * more writes (they land in the new incr file) and shuts down (final
 * dump.rdb). Returns its directory and the model, or null without Redis.
 */
async function redisFiles(
  extra: string[] = [],
): Promise<{ dir: string; m: Model; enc: Map<string, string> } | null> {
  const m = new Model();
  let enc = new Map<string, string>();
  const dir = Deno.makeTempDirSync({ prefix: "redis-interop-" });
  const ran = await withServer(startRedis, {
    persistence: true,
    dir,
    args: ["--appendonly", "yes", "--save", "3600 1", ...extra],
  }, async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      await writeDataset(c, m);
      const before = manifestText(dir);
      assertEquals(
        await c.call("BGREWRITEAOF"),
        "+Background append only file rewriting started\r\n",
      );
      await waitFor("the AOF rewrite", async () => {
        await idle(c);
        return manifestText(dir) !== before;
      });
      assertEquals(await infoField(c, "aof_last_bgrewrite_status"), "ok");
      assertEquals(await c.call("SAVE"), "+OK\r\n");
      await writeMore(c, m);
      enc = await encodings(s.port);
    } finally {
      c.close();
    }
  });
  if (ran === null) return null;
  assert(lastIncrSize(dir) > 0, "Redis's later writes are in its incr file");
  return { dir, m, enc };
}

Deno.test("interop: redeno loads Redis 7.0's AOF directory and dump.rdb", async () => {
  const files = await redisFiles();
  if (!files) return;
  const { dir, m, enc } = files;

  const aofCopy = copyDir(dir);
  Deno.removeSync(`${aofCopy}/dump.rdb`);
  await withServer(startRedeno, {
    persistence: true,
    dir: aofCopy,
    args: AOF_ONLY,
  }, (s) => assertServes(s.port, m, "redeno from Redis's AOF directory"));

  const rdbCopy = copyDir(dir);
  Deno.removeSync(`${rdbCopy}/appendonlydir`, { recursive: true });
  await withServer(startRedeno, {
    persistence: true,
    dir: rdbCopy,
    args: RDB_ONLY,
  }, async (s) => {
    await assertServes(s.port, m, "redeno from Redis's dump.rdb");
    assertSameEncodings(await encodings(s.port), enc, "redeno from Redis's dump.rdb");
  });
});

Deno.test("interop: redeno loads Redis 7.0's AOF whose base is RESP (no RDB preamble)", async () => {
  const files = await redisFiles(["--aof-use-rdb-preamble", "no"]);
  if (!files) return;
  const { dir, m } = files;
  const base = baseOf(dir).file;
  assert(base.endsWith(".base.aof"), base);
  Deno.removeSync(`${dir}/dump.rdb`);
  await withServer(startRedeno, {
    persistence: true,
    dir,
    args: AOF_ONLY,
  }, (s) => assertServes(s.port, m, "redeno from Redis's RESP base + incr"));
});

// ------------------------------------------------------------ redeno -> redeno

Deno.test("interop: DEBUG RELOAD and an AOF rewrite (RDB preamble) keep every collection", async () => {
  const m = new Model();
  const dir = Deno.makeTempDirSync({ prefix: "redeno-interop-" });
  let before = new Map<string, string>();
  const args = [...AOF_ONLY, "--enable-debug-command", "yes"];
  await withServer(startRedeno, { persistence: true, dir, args }, async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      await writeDataset(c, m);
      before = await encodings(s.port);
      assertEquals(await c.call("DEBUG", "RELOAD"), "+OK\r\n");
      await assertServes(s.port, m, "redeno after DEBUG RELOAD");
      assertSameEncodings(await encodings(s.port), before, "redeno after DEBUG RELOAD");
      const manifest = manifestText(dir);
      assertEquals(
        await c.call("BGREWRITEAOF"),
        "+Background append only file rewriting started\r\n",
      );
      await waitFor("the AOF rewrite", async () => {
        await idle(c);
        return manifestText(dir) !== manifest;
      });
    } finally {
      c.close();
    }
  });
  assert(baseOf(dir).file.endsWith(".base.rdb"), baseOf(dir).file);
  await assertAofOk(dir);
  for (const [start, who] of [[startRedeno, "redeno"], [startRedis, "Redis"]] as const) {
    await withServer(start, { persistence: true, dir: copyDir(dir), args: AOF_ONLY }, async (s) => {
      await assertServes(s.port, m, `${who} from redeno's rewritten AOF`);
      assertSameEncodings(await encodings(s.port), before, `${who} from redeno's rewritten AOF`);
    });
  }
});
