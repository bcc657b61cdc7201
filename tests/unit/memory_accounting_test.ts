/**
 * The keyspace's running byte totals (lib/store/keyspace.ts, lib/store/dict.ts):
 * after any mix of set / replace / in-place writes / delete / swap / flush,
 * Keyspace.accountedBytes() is the sum of every key's estimate plus its
 * expiry entry — what walking the whole keyspace would give.
 */
import { assertEquals } from "@std/assert";
import { EXPIRE_ENTRY, Keyspace } from "../../lib/store/keyspace.ts";
import { HashValue } from "../../lib/store/hash.ts";
import { ListValue } from "../../lib/store/list.ts";
import { entryBytes } from "../../lib/store/size.ts";
import { prng } from "../support/prng.ts";

const HASH_LIMITS = { maxEntries: 128, maxValue: 64 };
const LIST_LIMITS = { maxListpackSize: -2, compressDepth: 0 };

/** The total computed the slow way: every key of every database. */
function walked(ks: Keyspace): number {
  let n = 0;
  for (const db of ks.dbs) {
    for (let i = 0; i < db.dict.size; i++) n += entryBytes(db.dict.keyAt(i), db.dict.valueAt(i));
    n += db.expires.size * EXPIRE_ENTRY;
  }
  return n;
}

Deno.test("accountedBytes follows set, delete, replace, expiry, swap and flush", () => {
  const ks = new Keyspace(4);
  const db = ks.dbs[0];
  assertEquals(ks.accountedBytes(), 0);
  db.set("a", "x".repeat(100));
  db.set("b", "12345");
  assertEquals(ks.accountedBytes(), walked(ks));
  db.set("a", "short");
  db.setExpire("b", Date.now() + 100000);
  assertEquals(ks.accountedBytes(), walked(ks));
  db.replace("a", "a much longer value than before");
  assertEquals(ks.accountedBytes(), walked(ks));
  ks.dbs[1].set("c", "in db 1");
  ks.swap(0, 1);
  assertEquals(ks.accountedBytes(), walked(ks));
  db.delete("c");
  assertEquals(ks.accountedBytes(), walked(ks));
  ks.dbs[1].flush();
  assertEquals(ks.accountedBytes(), walked(ks));
  ks.flushAll();
  assertEquals(ks.accountedBytes(), 0);
});

Deno.test("values filled after Db.set and grown through lookupWrite are re-estimated", () => {
  const ks = new Keyspace(1);
  const db = ks.dbs[0];
  const h = new HashValue();
  db.set("h", h);
  for (let i = 0; i < 50; i++) h.set(`f${i}`, `v${i}`, HASH_LIMITS);
  assertEquals(ks.accountedBytes(), walked(ks));
  for (let round = 0; round < 3; round++) {
    const v = db.lookupWrite("h") as HashValue;
    for (let i = 0; i < 100; i++) v.set(`g${round}:${i}`, "x".repeat(i % 70), HASH_LIMITS);
    assertEquals(ks.accountedBytes(), walked(ks), `round ${round}`);
  }
  // Shrinking counts too.
  const v = db.lookupWrite("h") as HashValue;
  for (let i = 0; i < 50; i++) v.delete(`f${i}`);
  assertEquals(ks.accountedBytes(), walked(ks));
});

Deno.test("random operations over many keys: the running total never drifts", () => {
  const rand = prng(14);
  const ks = new Keyspace(3);
  for (let step = 0; step < 20000; step++) {
    const db = ks.dbs[Math.floor(rand() * 3)];
    const key = `k${Math.floor(rand() * 300)}`;
    const r = rand();
    if (r < 0.3) {
      db.set(key, "v".repeat(Math.floor(rand() * 200)));
    } else if (r < 0.5) {
      const v = db.lookupWrite(key);
      if (v instanceof ListValue) v.pushMany(false, [`e${step}`, "x".repeat(step % 50)]);
      else if (v === undefined) db.set(key, ListValue.fromArray([`e${step}`], LIST_LIMITS));
    } else if (r < 0.7) {
      db.delete(key);
    } else if (r < 0.8) {
      if (db.exists(key)) db.setExpire(key, Date.now() + 100000);
    } else if (r < 0.85) {
      db.persist(key);
    } else if (r < 0.86) {
      ks.swap(0, 1 + Math.floor(rand() * 2));
    } else if (r < 0.862) {
      db.flush();
    }
    if (step % 97 === 0) assertEquals(ks.accountedBytes(), walked(ks), `step ${step}`);
  }
  assertEquals(ks.accountedBytes(), walked(ks));
});
