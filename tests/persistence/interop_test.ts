/**
 * Persistence interop with real Redis 7.0, both ways: redis-check-rdb and
 * redis-check-aof accept redeno's files and redis-server serves the same data
 * from them (dump.rdb alone, and the AOF directory alone); redeno serves the
 * same data from the files redis-server wrote. One dataset covers every
 * string and hash encoding, binary keys and values, expiries and three dbs.
 */
import { assert, assertEquals } from "@std/assert";
import { RespClient } from "../support/resp_client.ts";
import { redisTool, startRedeno, startRedis } from "../support/servers.ts";
import { prng } from "../support/prng.ts";
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
  | { type: "hash"; value: Map<string, string>; ttl: boolean };

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
        out.push([
          db,
          key,
          e.type,
          e.type === "string" ? e.value : sortedPairs([...e.value].flat()),
          e.ttl,
        ]);
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
  await withServer(startRedeno, {
    persistence: true,
    dir,
    args: ["--appendonly", "yes", "--save", "1 1"],
  }, async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      await writeDataset(c, m);
      assertEquals(await c.call("SAVE"), "+OK\r\n");
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
  }, (s) => assertServes(s.port, m, "Redis from redeno's dump.rdb"));
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
async function redisFiles(extra: string[] = []): Promise<{ dir: string; m: Model } | null> {
  const m = new Model();
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
    } finally {
      c.close();
    }
  });
  if (ran === null) return null;
  assert(lastIncrSize(dir) > 0, "Redis's later writes are in its incr file");
  return { dir, m };
}

Deno.test("interop: redeno loads Redis 7.0's AOF directory and dump.rdb", async () => {
  const files = await redisFiles();
  if (!files) return;
  const { dir, m } = files;

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
  }, (s) => assertServes(s.port, m, "redeno from Redis's dump.rdb"));
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
