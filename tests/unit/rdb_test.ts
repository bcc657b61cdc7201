/**
 * The RDB codec: CRC-64, LZF, round trips of every type and encoding, and
 * real Redis as the oracle both ways (redis-check-rdb and redis-server load
 * our files; we load what redis-server SAVEs).
 */
import { assert, assertEquals, assertMatch, assertThrows } from "@std/assert";
import { crc64 } from "../../lib/persistence/crc64.ts";
import { lzfCompress, lzfDecompress } from "../../lib/persistence/lzf.ts";
import {
  encodeRdb,
  encodeValue,
  parseScoreText,
  rdbChunks,
  type RdbReadOptions,
  readRdb,
} from "../../lib/persistence/rdb.ts";
import { decodeListpack, encodeListpack } from "../../lib/persistence/listpack.ts";
import { decodeZiplist } from "../../lib/persistence/ziplist.ts";
import { HashValue } from "../../lib/store/hash.ts";
import { type ListLimits, ListValue } from "../../lib/store/list.ts";
import { SetValue } from "../../lib/store/set.ts";
import { ZSetValue } from "../../lib/store/zset.ts";
import { Keyspace, type Value } from "../../lib/store/keyspace.ts";
import { EmbString, RawString, stringEncoding, stringOf } from "../../lib/store/strings.ts";
import { RespClient } from "../support/resp_client.ts";
import { redisTool, startRedis } from "../support/servers.ts";
import { runChecker, sleep, sortedPairs } from "../support/persistence.ts";
import { prng } from "../support/prng.ts";
import { concatBytes } from "../../lib/util/bytebuf.ts";

// Redis 7.0 defaults (hash-max-listpack-entries 512, hash-max-listpack-value 64).
const LIMITS = { maxEntries: 512, maxValue: 64 };
// And for the collections (list-max-listpack-size -2, set-max-intset-entries 512,
// zset-max-listpack-entries 128, zset-max-listpack-value 64).
const LIST = { maxListpackSize: -2, compressDepth: 0 };
const SET = { maxIntsetEntries: 512 };
const ZSET = { maxListpackEntries: 128, maxListpackValue: 64 };

function bin(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

Deno.test("crc64: check value and incremental use", () => {
  assertEquals(crc64(bin("123456789")), 0xe9c6d914c4b8d9can);
  assertEquals(crc64(new Uint8Array(0)), 0n);
  const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
  assertEquals(crc64(data.subarray(300), crc64(data.subarray(0, 300))), crc64(data));
});

Deno.test("lzf: round trips of random and compressible data", () => {
  const rand = prng(7);
  for (let t = 0; t < 500; t++) {
    const n = 1 + Math.floor(rand() * 4000);
    const alphabet = 1 + Math.floor(rand() * 256);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      b[i] = i > 16 && rand() < 0.6
        ? b[i - 1 - Math.floor(rand() * 16)]
        : Math.floor(rand() * alphabet);
    }
    const limit = Math.floor(rand() * (n + 64));
    const c = lzfCompress(b, limit);
    if (c === null) continue;
    assert(c.length <= limit);
    assertEquals(lzfDecompress(c, n), b);
  }
  const text = bin("abcdefghij".repeat(10000));
  const c = lzfCompress(text, text.length - 4)!;
  assert(c.length < text.length / 20);
  assertEquals(lzfDecompress(c, text.length), text);
  // Incompressible data does not fit in less space.
  const noise = new Uint8Array(1000).map(() => Math.floor(rand() * 256));
  assertEquals(lzfCompress(noise, noise.length - 4), null);
  assertThrows(() => lzfDecompress(c, text.length + 1));
  assertThrows(() => lzfDecompress(new Uint8Array([0x20, 0x05]), 10));
});

Deno.test("listpack: integer and string entries round trip", () => {
  const items = [
    "0",
    "127",
    "128",
    "-1",
    "-4096",
    "4095",
    "-32768",
    "32767",
    "8388607",
    "-8388608",
    "2147483647",
    "-2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "01",
    "-0",
    "",
    "x".repeat(63),
    "y".repeat(64),
    "z".repeat(4095),
    "w".repeat(5000),
    "\x00\xff",
  ];
  assertEquals(decodeListpack(encodeListpack(items)), items);
});

/** A keyspace with every type and encoding redeno keeps. */
function sampleKeyspace(): { ks: Keyspace; now: number } {
  const ks = new Keyspace(16);
  const now = Date.now();
  const d0 = ks.dbs[0];
  d0.set("int8", "12");
  d0.set("int16", "-3000");
  d0.set("int32", "2000000000");
  d0.set("int64", "9223372036854775807");
  d0.set("notint", "012");
  d0.set("small", "hello");
  d0.set("", "empty key");
  d0.set("emptyval", "");
  d0.set("long", "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghij"); // 47 bytes
  d0.set("binary", "\x00\xff\x01\r\n\x00zz\xfe");
  d0.set("big", "0123456789abcdef".repeat(6400)); // 100KB compressible
  d0.set("raw", new RawString("appended"));
  d0.set("emb", new EmbString("3"));
  const small = new HashValue();
  small.set("f1", "v1", LIMITS);
  small.set("n", "42", LIMITS);
  small.set("neg", "-70000", LIMITS);
  small.set("\x00bin", "\xff", LIMITS);
  d0.set("hsmall", small);
  const large = new HashValue();
  for (let i = 0; i < 600; i++) large.set(`field:${i}`, `value:${i}`, LIMITS);
  d0.set("hlarge", large);
  const longv = new HashValue();
  longv.set("a", "v".repeat(100), LIMITS);
  d0.set("hlongvalue", longv);
  d0.set("ttl", "soon");
  d0.setExpire("ttl", now + 100000);
  d0.set("far", "future");
  d0.setExpire("far", now + 100 * 365 * 86400000);
  d0.set("huge", "beyond 2^53");
  d0.setExpire("huge", 2n ** 60n + 1n);
  addCollections(d0);
  ks.dbs[3].set("db3key", "in three");
  ks.dbs[3].set("int", "100");
  ks.dbs[15].set("last", "db fifteen");
  const h15 = new HashValue();
  h15.set("x", "1", LIMITS);
  ks.dbs[15].set("h", h15);
  ks.dbs[15].setExpire("h", now + 50000);
  return { ks, now };
}

/** Lists, sets and sorted sets in every encoding, into `db`. */
function addCollections(db: Keyspace["dbs"][number]): void {
  const list = (items: string[], limits: ListLimits = LIST) => ListValue.fromArray(items, limits);
  db.set("l:small", list(["a", "1", "-1", "\x00\xff", "", "9223372036854775807", "01", "-0"]));
  db.set("l:ints", list(Array.from({ length: 300 }, (_, i) => String(i * 977 - 100000))));
  // Many nodes: 20000 elements of 0..99 bytes.
  db.set("l:nodes", list(Array.from({ length: 20000 }, (_, i) => "e".repeat(i % 100))));
  db.set("l:huge", list(["x".repeat(70000), "y".repeat(5000), "z"]));
  db.set(
    "l:count5",
    list(Array.from({ length: 23 }, (_, i) => `c${i}`), { ...LIST, maxListpackSize: 5 }),
  );
  const set = (members: string[]) => SetValue.fromMembers(members, SET)!;
  db.set("s:i16", set(["1", "-2", "32767", "-32768"]));
  db.set("s:i32", set(["1", "70000", "-2147483648"]));
  db.set("s:i64", set(["5", "9223372036854775807", "-9223372036854775808"]));
  db.set("s:strings", set(["a", "1", "\x00bin", ""]));
  db.set("s:bigints", set(Array.from({ length: 600 }, (_, i) => String(i * 3))));
  const zset = (pairs: [string, number][]) =>
    ZSetValue.fromEntries(pairs.map((p) => p[0]), pairs.map((p) => p[1]), ZSET)!;
  db.set(
    "z:lp",
    zset([
      ["a", 1],
      ["b", 1.5],
      ["c", 0],
      ["d", Infinity],
      ["e", -Infinity],
      ["f", 2 ** 62],
      ["g", 2 ** 63],
      ["h", 0.1],
      ["\x00", -3],
      ["12", 12],
    ]),
  );
  db.set("z:long", zset([["m".repeat(100), 1], ["n", 2]]));
  db.set("z:big", zset(Array.from({ length: 300 }, (_, i) => [`m${i}`, (i % 17) * 0.5 - 3])));
}

/** A hash's [field, value] pairs, sorted by field as sortedPairs sorts HGETALL's. */
function hashPairs(v: HashValue): string[][] {
  const flat: string[] = [];
  v.forEach((f, x) => flat.push(f, x));
  return sortedPairs(flat);
}

function describe(v: Value): unknown {
  const s = stringOf(v);
  if (s !== undefined) return s;
  if (v instanceof HashValue) return { enc: v.encoding(), pairs: hashPairs(v) };
  if (v instanceof ListValue) return { enc: v.encoding(), items: v.toArray() };
  if (v instanceof SetValue) {
    const members = v.members();
    return { enc: v.encoding(), members: v.isIntset ? members : members.sort() };
  }
  if (v instanceof ZSetValue) return { enc: v.encoding(), entries: zsetEntries(v) };
  return v;
}

/** A sorted set's [member, score] pairs in order. */
function zsetEntries(z: ZSetValue): [string, number][] {
  const out: [string, number][] = [];
  z.forEach((m, s) => out.push([m, s]));
  return out;
}

function assertSameKeyspace(a: Keyspace, b: Keyspace): void {
  for (let i = 0; i < a.dbs.length; i++) {
    const x = a.dbs[i];
    const y = b.dbs[i];
    assertEquals(y.size, x.size, `db ${i} size`);
    for (let k = 0; k < x.dict.size; k++) {
      const key = x.dict.keyAt(k);
      const other = y.dict.get(key);
      assert(other !== undefined, `db ${i} lacks ${JSON.stringify(key)}`);
      assertEquals(describe(other), describe(x.dict.valueAt(k)), `db ${i} key ${key}`);
      assertEquals(y.getExpireExact(key), x.getExpireExact(key), `expiry of ${key}`);
    }
  }
}

Deno.test("rdb: round trip of every type and encoding", () => {
  const { ks } = sampleKeyspace();
  for (const compression of [true, false]) {
    for (const checksum of [true, false]) {
      const file = encodeRdb(ks, { compression, checksum });
      assertEquals(bytesHead(file), "REDIS0010");
      const back = new Keyspace(16);
      const info = readRdb(file, back, { hashLimits: LIMITS });
      assertEquals(info.version, 10);
      assertEquals(info.aux.get("redis-ver"), "7.0.15");
      assertSameKeyspace(ks, back);
      assertEquals((back.dbs[0].dict.get("hlarge") as HashValue).encoding(), "hashtable");
    }
  }
  // Compression pays for the 100KB string.
  assert(encodeRdb(ks).length < encodeRdb(ks, { compression: false }).length - 90000);
  // Small chunks join to the same file.
  const frozen = ks.freeze();
  const parts = [...rdbChunks(frozen, { chunkSize: 100, ctime: 1 })];
  frozen.release();
  assert(parts.length > 5);
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  assertEquals(joined, encodeRdb(ks, { ctime: 1 }));
});

Deno.test("rdb: a frozen keyspace saves the instant it was frozen, whatever writers do after", () => {
  const { ks, now } = sampleKeyspace();
  const before = encodeRdb(ks, { ctime: 1 });
  const frozen = ks.freeze();
  const d0 = ks.dbs[0];
  // Writers change every kind of thing the snapshot holds, through the keyspace API.
  d0.set("int8", "changed");
  d0.delete("small");
  d0.set("newkey", "x");
  (d0.lookupWrite("hsmall") as HashValue).set("f1", "changed", LIMITS);
  (d0.lookupWrite("hlarge") as HashValue).delete("field:1");
  (d0.lookupWrite("raw") as RawString).append("more");
  d0.persist("ttl");
  d0.setExpire("big", now + 5000);
  ks.dbs[3].flush();
  ks.swap(0, 15);
  ks.dbs[15].setExpire("long", now + 7000);
  const during = concatBytes([...rdbChunks(frozen, { ctime: 1 })]);
  frozen.release();
  assertEquals(during, before);
  // The live keyspace has the writers' changes.
  const live = ks.dbs[15];
  assertEquals(live.dict.get("int8"), "changed");
  assertEquals((live.dict.get("hsmall") as HashValue).get("f1"), "changed");
  assertEquals(live.getExpire("ttl"), -1);
  assertEquals(live.getExpire("long"), now + 7000);
  // After release, writes change values in place again (no copy).
  const h = live.lookupWrite("hsmall");
  assert(h === live.dict.get("hsmall"));
});

function bytesHead(b: Uint8Array): string {
  return String.fromCharCode(...b.subarray(0, 9));
}

Deno.test("rdb: hash limits choose the representation on load", () => {
  const { ks } = sampleKeyspace();
  const file = encodeRdb(ks);
  const back = new Keyspace(16);
  readRdb(file, back, { hashLimits: { maxEntries: 2, maxValue: 64 } });
  assertEquals((back.dbs[0].dict.get("hsmall") as HashValue).encoding(), "hashtable");
  assertEquals((back.dbs[15].dict.get("h") as HashValue).encoding(), "listpack");
  const wide = new Keyspace(16);
  readRdb(file, wide, { hashLimits: { maxEntries: 1000, maxValue: 200 } });
  assertEquals((wide.dbs[0].dict.get("hlarge") as HashValue).encoding(), "listpack");
  assertEquals((wide.dbs[0].dict.get("hlongvalue") as HashValue).encoding(), "listpack");
});

Deno.test("rdb: expired keys are skipped, errors name the offset and load nothing", () => {
  const { ks, now } = sampleKeyspace();
  const file = encodeRdb(ks);
  const later = new Keyspace(16);
  const info = readRdb(file, later, { hashLimits: LIMITS, now: now + 200000 });
  assertEquals(info.expiredSkipped, 2);
  assertEquals(later.dbs[0].dict.has("ttl"), false);
  assertEquals(later.dbs[0].dict.has("far"), true);
  // A flipped byte: wrong checksum.
  const bad = file.slice();
  bad[200] ^= 1;
  const target = new Keyspace(16);
  let msg = "";
  try {
    readRdb(bad, target, { hashLimits: LIMITS });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(/offset \d+/.test(msg), msg);
  assertEquals(target.totalKeys, 0);
  // Truncated file.
  assertThrows(() =>
    readRdb(file.subarray(0, file.length - 20), new Keyspace(16), { hashLimits: LIMITS })
  );
  // Unsupported type (a stream, type 15).
  const list = new Uint8Array([
    ...bin("REDIS0010"),
    0xfe,
    0,
    15,
    1,
    0x6b,
    1,
    1,
    0x61,
    0xff,
    ...new Uint8Array(8),
  ]);
  try {
    readRdb(list, new Keyspace(16), { hashLimits: LIMITS });
    assert(false, "should throw");
  } catch (e) {
    assert(/type 15 \(stream\) at offset 11/.test((e as Error).message), (e as Error).message);
  }
  // Database out of range.
  assertThrows(() => readRdb(encodeRdb(ks), new Keyspace(4), { hashLimits: LIMITS }));
});

Deno.test("rdb: a duplicate key is an error naming its offset, and loads nothing", () => {
  const ks = new Keyspace(16);
  ks.dbs[0].set("aa", "first");
  ks.dbs[0].set("ab", "second");
  ks.dbs[1].set("other", "db one");
  const file = encodeRdb(ks, { checksum: false, compression: false });
  // Rename "ab" to "aa" in place (no checksum to fix).
  let i = 9; // after the "REDIS0010" header
  for (; i < file.length - 3; i++) {
    if (file[i] === 2 && file[i + 1] === 0x61 && file[i + 2] === 0x62) break;
  }
  assert(i < file.length - 3, "the key ab is in the file");
  file[i + 2] = 0x61;
  for (const existing of [null, "kept"]) {
    const target = new Keyspace(16);
    if (existing) target.dbs[0].set(existing, "before");
    let message = "";
    try {
      readRdb(file, target, { hashLimits: LIMITS });
    } catch (e) {
      message = (e as Error).message;
    }
    assertMatch(message, /^RDB: duplicate key in database 0 at offset \d+$/);
    // Nothing from the file stays, in any database; what was there stays.
    assertEquals(target.dbs[0].size, existing ? 1 : 0);
    assertEquals(target.dbs[1].size, 0);
    if (existing) assertEquals(target.dbs[0].dict.get(existing), "before");
  }
});

Deno.test("rdb: old ziplist and zipmap hashes load", () => {
  // Ziplist: entries "f" (string) and 5 (immediate int), "g" and "-2" (int8).
  const entries = [
    [0x00, 0x01, 0x66],
    [0x03, 0xf6],
    [0x02, 0x01, 0x67],
    [0x03, 0xfe, 0xfe],
  ];
  const body = entries.flat();
  const zlLen = 10 + body.length + 1;
  const zl = new Uint8Array(zlLen);
  const dv = new DataView(zl.buffer);
  dv.setUint32(0, zlLen, true);
  dv.setUint32(4, 10 + body.length - 3, true);
  dv.setUint16(8, 4, true);
  zl.set(body, 10);
  zl[zlLen - 1] = 0xff;
  // Zipmap: {"a": "bc"}
  const zm = [0x01, 0x01, 0x61, 0x02, 0x00, 0x62, 0x63, 0xff];
  const file = new Uint8Array([
    ...bin("REDIS0009"),
    0xfe,
    0,
    13,
    0x01,
    0x7a,
    zlLen,
    ...zl,
    9,
    0x02,
    0x7a,
    0x6d,
    zm.length,
    ...zm,
    0xfd,
    0xff,
    0xff,
    0xff,
    0x7f, // EXPIRETIME (seconds) far ahead
    0,
    0x01,
    0x73,
    0x01,
    0x76,
    0xff,
    ...new Uint8Array(8),
  ]);
  const ks = new Keyspace(16);
  readRdb(file, ks, { hashLimits: LIMITS });
  const h = ks.dbs[0].dict.get("z") as HashValue;
  assertEquals(hashPairs(h), [["f", "5"], ["g", "-2"]]);
  assertEquals(hashPairs(ks.dbs[0].dict.get("zm") as HashValue), [["a", "bc"]]);
  assertEquals(ks.dbs[0].getExpire("s"), 0x7fffffff * 1000);
});

// ------------------------------------------------------------- the oracle

/** What the server on `c` holds at `key`, in describe()'s shape (strings with their encoding). */
async function serverView(c: RespClient, key: string): Promise<unknown> {
  const type = await c.value("TYPE", key);
  const enc = await c.value("OBJECT", "ENCODING", key);
  switch (type) {
    case "string":
      return { enc, value: await c.value("GET", key) };
    case "hash":
      return { enc, pairs: sortedPairs((await c.value("HGETALL", key)) as string[]) };
    case "list":
      return { enc, items: await c.value("LRANGE", key, "0", "-1") };
    case "set": {
      const members = (await c.value("SMEMBERS", key)) as string[];
      return { enc, members: enc === "intset" ? members : members.sort() };
    }
    case "zset": {
      const flat = (await c.value("ZRANGE", key, "0", "-1", "WITHSCORES")) as string[];
      const entries: [string, number][] = [];
      for (let i = 0; i < flat.length; i += 2) {
        entries.push([flat[i], parseScoreText(flat[i + 1])!]);
      }
      return { enc, entries };
    }
  }
  throw new Error(`unexpected type ${type} of ${key}`);
}

/** describe(v), with a string's encoding as serverView gives it. */
function ourView(v: Value): unknown {
  const s = stringOf(v);
  return s !== undefined ? { enc: stringEncoding(s), value: s } : describe(v);
}

Deno.test("rdb oracle: redis-check-rdb and redis-server load what we write", async () => {
  const { ks } = sampleKeyspace();
  const dir = Deno.makeTempDirSync({ prefix: "redeno-rdb-" });
  for (const compression of [true, false]) {
    const path = `${dir}/ours.rdb`;
    Deno.writeFileSync(path, encodeRdb(ks, { compression }));
    const checker = redisTool("redis-check-rdb");
    if (checker) {
      const { out } = await runChecker(checker, path);
      assert(out.includes("RDB looks OK"), out);
    }
    const server = await startRedis({
      persistence: true,
      dir,
      args: ["--dbfilename", "ours.rdb", "--appendonly", "no", "--save", ""],
    });
    if (!server) return;
    const c = await RespClient.connect(server.port);
    try {
      for (const db of ks.dbs) {
        await c.value("SELECT", String(db.id));
        const keys = (await c.value("KEYS", "*")) as string[];
        assertEquals(keys.sort(), [...db.dict.keys()].sort(), `db ${db.id} keys`);
        for (const key of db.dict.keys()) {
          assertEquals(await serverView(c, key), ourView(db.dict.get(key)!), `key ${key}`);
          const pttl = (await c.value("PTTL", key)) as number;
          if (db.expires.has(key)) assert(pttl > 0, `PTTL ${key} ${pttl}`);
          else assertEquals(pttl, -1, `PTTL ${key}`);
        }
      }
    } finally {
      c.close();
      await server.stop();
    }
  }
});

/** Collections in every encoding Redis 7.0 writes, built by commands on `c` (db 0). */
async function redisCollections(c: RespClient): Promise<void> {
  const push = async (key: string, items: string[]) => {
    for (let i = 0; i < items.length; i += 500) {
      await c.value("RPUSH", key, ...items.slice(i, i + 500));
    }
  };
  await push("l:small", ["a", "1", "-1", "\x00\xff", "", "9223372036854775807", "01", "-0"]);
  await push("l:nodes", Array.from({ length: 20000 }, (_, i) => "e".repeat(i % 100)));
  await push("l:ints", Array.from({ length: 3000 }, (_, i) => String(i * 977 - 100000)));
  await push("l:huge", ["x".repeat(70000), "y".repeat(5000), "z"]);
  await c.value("LPUSH", "l:left", ...Array.from({ length: 2000 }, (_, i) => `left ${i}`));
  await c.value("SADD", "s:i16", "1", "-2", "32767", "-32768");
  await c.value("SADD", "s:i32", "1", "70000", "-2147483648");
  await c.value("SADD", "s:i64", "5", "9223372036854775807", "-9223372036854775808");
  await c.value("SADD", "s:strings", "a", "1", "\x00bin", "");
  await c.value("SADD", "s:bigints", ...Array.from({ length: 600 }, (_, i) => String(i * 3)));
  await c.value("SADD", "s:many", ...Array.from({ length: 1000 }, (_, i) => `member:${i}`));
  await c.value(
    "ZADD",
    "z:lp",
    ...["1", "a", "1.5", "b", "-0", "c", "inf", "d", "-inf", "e", "4611686018427387904", "f"],
    ...["9223372036854775808", "g", "0.1", "h", "-3", "\x00", "12", "12", "1e300", "i"],
  );
  await c.value("ZADD", "z:long", "1", "m".repeat(100), "2", "n");
  const zargs: string[] = [];
  for (let i = 0; i < 300; i++) zargs.push(String((i % 17) * 0.5 - 3), `m${i}`);
  await c.value("ZADD", "z:big", ...zargs);
  await c.value("ZADD", "z:inf", "inf", "top", "-inf", "bottom", "0", "zero", "-0.5", "neg");
  await c.value("ZADD", "z:infbig", ...zargs, "inf", "top", "-inf", "bottom");
}

Deno.test("rdb oracle: we load what redis-server SAVEs", async () => {
  const server = await startRedis({
    persistence: true,
    args: ["--save", "", "--appendonly", "no"],
  });
  if (!server) return;
  const c = await RespClient.connect(server.port);
  try {
    const strings: Record<string, string> = {
      i8: "7",
      i16: "-1234",
      i32: "123456789",
      i64: "12345678901234567",
      emb: "short string",
      raw: "a string that is longer than forty-four bytes, so raw",
      lzf: "compress me please ".repeat(500),
      bin: "\x00\x01\xff\xfe\r\n",
      empty: "",
    };
    for (const [k, v] of Object.entries(strings)) await c.value("SET", k, v);
    await c.value("SET", "expiring", "x", "PX", "500000");
    await c.value("SET", "gone", "x", "PX", "1");
    await c.value("HSET", "hs", "a", "1", "b", "-300", "c", "text", "big", "99999999999");
    const args: string[] = [];
    for (let i = 0; i < 600; i++) args.push(`f${i}`, `value ${i}`.repeat(i % 3 + 1));
    await c.value("HSET", "hl", ...args);
    await c.value("HSET", "hv", "k", "v".repeat(200));
    await redisCollections(c);
    await c.value("PEXPIRE", "l:nodes", "500000");
    await c.value("SELECT", "5");
    await c.value("SET", "five", "5!");
    await c.value("HSET", "h5", "x", "compressible ".repeat(20));
    await c.value("RPUSH", "l5", "compressible ".repeat(20), "compressible ".repeat(20));
    await sleep(20);
    for (const compression of ["yes", "no"]) {
      await c.value("CONFIG", "SET", "rdbcompression", compression);
      assertEquals(await c.value("SAVE"), "OK");
      const file = Deno.readFileSync(`${server.dir}/dump.rdb`);
      const ks = new Keyspace(16);
      const info = readRdb(file, ks, { hashLimits: LIMITS });
      assertEquals(info.aux.get("redis-ver")?.startsWith("7."), true);
      for (const [k, v] of Object.entries(strings)) {
        assertEquals(ks.dbs[0].dict.get(k), v, k);
      }
      assertEquals(ks.dbs[0].dict.has("gone"), false);
      assert(ks.dbs[0].getExpire("expiring") > Date.now());
      assert(ks.dbs[0].getExpire("l:nodes") > Date.now());
      for (const db of [0, 5]) {
        await c.value("SELECT", String(db));
        const keys = ((await c.value("KEYS", "*")) as string[]).sort();
        assertEquals([...ks.dbs[db].dict.keys()].sort(), keys, `db ${db}`);
        for (const key of keys) {
          assertEquals(ourView(ks.dbs[db].dict.get(key)!), await serverView(c, key), key);
        }
      }
      await c.value("SELECT", "0");
    }
  } finally {
    c.close();
    await server.stop();
  }
});
