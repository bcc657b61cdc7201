/** Dict: basic operations, stamps, random access, and the SCAN guarantee. */
import { assert, assertEquals } from "@std/assert";
import { Dict } from "../../lib/store/dict.ts";
import { prng } from "../support/prng.ts";

Deno.test("Dict: set, get, has, delete, size", () => {
  const d = new Dict<number>();
  assertEquals(d.size, 0);
  assertEquals(d.get("a"), undefined);
  assertEquals(d.set("a", 1), true);
  assertEquals(d.set("b", 2), true);
  assertEquals(d.set("a", 3), false);
  assertEquals(d.size, 2);
  assertEquals(d.get("a"), 3);
  assert(d.has("b"));
  assertEquals(d.delete("a"), 3);
  assertEquals(d.delete("a"), undefined);
  assert(!d.has("a"));
  assertEquals(d.size, 1);
  assertEquals(d.get("b"), 2);
  // Binary keys, including the empty key and NUL bytes.
  d.set("", 10);
  d.set("\x00\xff", 11);
  assertEquals(d.get(""), 10);
  assertEquals(d.get("\x00\xff"), 11);
  assertEquals(d.get("\x00"), undefined);
  d.clear();
  assertEquals(d.size, 0);
  assertEquals(d.get("b"), undefined);
});

Deno.test("Dict: indexes, keys and values stay consistent through deletes", () => {
  const d = new Dict<string>();
  const model = new Map<string, string>();
  const random = prng(1);
  for (let step = 0; step < 20000; step++) {
    const key = `k${Math.floor(random() * 500)}`;
    if (random() < 0.6) {
      d.set(key, `v${step}`);
      model.set(key, `v${step}`);
    } else {
      assertEquals(d.delete(key), model.get(key));
      model.delete(key);
    }
  }
  assertEquals(d.size, model.size);
  assertEquals([...d.keys()].sort(), [...model.keys()].sort());
  for (const [k, v] of model) {
    const i = d.indexOf(k)!;
    assertEquals(d.keyAt(i), k);
    assertEquals(d.valueAt(i), v);
  }
});

Deno.test("Dict: the table grows and shrinks back with every key still found", () => {
  const d = new Dict<number>();
  const random = prng(7);
  const keys: string[] = [];
  for (let i = 0; i < 5000; i++) {
    // Binary keys of every byte value and length 0..20.
    let k = "";
    const n = Math.floor(random() * 21);
    for (let j = 0; j < n; j++) k += String.fromCharCode(Math.floor(random() * 256));
    if (d.set(k, i)) keys.push(k);
  }
  assertEquals(d.size, keys.length);
  // Delete in random order down to a handful: the table shrinks on the way.
  for (let left = keys.length; left > 3; left--) {
    const at = Math.floor(random() * left);
    const [k] = keys.splice(at, 1);
    assert(d.delete(k) !== undefined, `delete ${JSON.stringify(k)}`);
    assertEquals(d.get(k), undefined);
    if (left % 97 === 0) { for (const other of keys) assert(d.has(other), JSON.stringify(other)); }
  }
  assertEquals(d.size, 3);
  for (const k of keys) assertEquals(d.keyAt(d.indexOf(k)!), k);
});

Deno.test("Dict: stamps follow their entries when others are deleted", () => {
  const d = new Dict<number>({ stamps: true });
  for (let i = 0; i < 100; i++) {
    d.set(`k${i}`, i);
    d.setStampAt(d.indexOf(`k${i}`)!, 1000 + i);
  }
  for (let i = 0; i < 100; i += 3) d.delete(`k${i}`);
  for (let i = 0; i < 100; i++) {
    const at = d.indexOf(`k${i}`);
    if (i % 3 === 0) assertEquals(at, undefined);
    else assertEquals(d.stampAt(at!), 1000 + i);
  }
  // A new entry starts with stamp 0, even in a slot that was used before.
  d.set("new", 1);
  assertEquals(d.stampAt(d.indexOf("new")!), 0);
  d.clear();
  d.set("x", 1);
  assertEquals(d.stampAt(d.indexOf("x")!), 0);
});

Deno.test("Dict: randomIndex covers every entry", () => {
  const d = new Dict<number>();
  assertEquals(d.randomIndex(), -1);
  for (let i = 0; i < 10; i++) d.set(`k${i}`, i);
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const at = d.randomIndex();
    assert(at >= 0 && at < d.size);
    seen.add(d.keyAt(at));
  }
  assertEquals(seen.size, 10);
});

Deno.test("Dict: a full scan of a quiet dict returns every key exactly once", () => {
  for (const n of [0, 1, 2, 9, 10, 11, 100, 1001]) {
    const d = new Dict<number>();
    for (let i = 0; i < n; i++) d.set(`k${i}`, i);
    for (const count of [1, 3, 10, 1000]) {
      const seen: string[] = [];
      let cursor = 0n;
      let calls = 0;
      do {
        cursor = d.scan(cursor, count, (k, v) => {
          assertEquals(v, Number(k.slice(1)));
          seen.push(k);
        });
        calls++;
      } while (cursor !== 0n);
      assertEquals(seen.length, n, `n=${n} count=${count}`);
      assertEquals(new Set(seen).size, n);
      assert(calls <= Math.ceil(n / count) + 1);
    }
  }
});

Deno.test("Dict: cursors past the end are clamped, not an error", () => {
  const d = new Dict<number>();
  for (let i = 0; i < 5; i++) d.set(`k${i}`, i);
  const seen: string[] = [];
  let cursor = 1n << 63n;
  do cursor = d.scan(cursor, 2, (k) => seen.push(k)); while (cursor !== 0n);
  assertEquals(seen.sort(), ["k0", "k1", "k2", "k3", "k4"]);
});

Deno.test("Dict: SCAN guarantee under random interleavings of deletes and inserts", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = prng(seed);
    const d = new Dict<number>();
    let next = 0;
    const initial = 1 + Math.floor(random() * 300);
    for (let i = 0; i < initial; i++) d.set(`k${next++}`, 0);
    const atStart = new Set(d.keys());
    const removed = new Set<string>();
    const returned = new Set<string>();
    const count = 1 + Math.floor(random() * 20);
    const churn = random() * 10;
    let cursor = 0n;
    let steps = 0;
    do {
      cursor = d.scan(cursor, count, (k) => returned.add(k));
      // Between calls: deletes (of any key, old or new) and inserts.
      const ops = Math.floor(random() * churn);
      for (let j = 0; j < ops; j++) {
        if (random() < 0.5 && d.size > 0) {
          const key = d.keyAt(Math.floor(random() * d.size));
          d.delete(key);
          removed.add(key);
        } else if (random() < 0.3 && removed.size > 0) {
          // Re-inserting a deleted key: it was not present throughout.
          const [key] = removed;
          d.set(key, 1);
        } else {
          d.set(`k${next++}`, 1);
        }
      }
      assert(++steps < 100000, "scan does not end");
    } while (cursor !== 0n);
    for (const key of atStart) {
      if (removed.has(key)) continue;
      assert(returned.has(key), `seed ${seed}: ${key} was present throughout but not returned`);
    }
  }
});

Deno.test("Dict: SCAN guarantee when the dict shrinks below the cursor", () => {
  const d = new Dict<number>();
  for (let i = 0; i < 100; i++) d.set(`k${i}`, i);
  const returned = new Set<string>();
  let cursor = d.scan(0n, 10, (k) => returned.add(k));
  // Delete most entries, mostly already visited ones, then grow again.
  for (let i = 99; i >= 20; i--) d.delete(`k${i}`);
  for (let i = 100; i < 200; i++) d.set(`k${i}`, i);
  while (cursor !== 0n) cursor = d.scan(cursor, 7, (k) => returned.add(k));
  for (let i = 0; i < 20; i++) assert(returned.has(`k${i}`), `k${i} missed`);
});
