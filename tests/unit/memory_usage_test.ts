/**
 * MEMORY USAGE's size model (lib/store/size.ts): every type is
 * estimated, estimates grow with the data, and SAMPLES only changes how
 * hashtable-encoded collections are averaged.
 */
import { assert, assertEquals } from "@std/assert";
import { DEFAULT_SAMPLES, keyBytes, stringBytes, valueBytes } from "../../lib/commands/memory.ts";
import { HashValue } from "../../lib/store/hash.ts";
import { ListValue } from "../../lib/store/list.ts";
import { SetValue } from "../../lib/store/set.ts";
import { ZSetValue } from "../../lib/store/zset.ts";
import { EmbString, RawString } from "../../lib/store/strings.ts";

const LIST_LIMITS = { maxListpackSize: -2, compressDepth: 0 };
const SET_LIMITS = { maxIntsetEntries: 512 };
const ZSET_LIMITS = { maxListpackEntries: 128, maxListpackValue: 64 };
const HASH_LIMITS = { maxEntries: 128, maxValue: 64 };

function list(n: number, width = 8): ListValue {
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(String(i).padStart(width, "x"));
  return ListValue.fromArray(items, LIST_LIMITS);
}

function set(n: number, prefix = ""): SetValue {
  const s = new SetValue();
  for (let i = 0; i < n; i++) s.add(prefix + i, SET_LIMITS);
  return s;
}

function zset(n: number, prefix = "member"): ZSetValue {
  const z = new ZSetValue();
  for (let i = 0; i < n; i++) z.set(prefix + i, i * 1.5, ZSET_LIMITS);
  return z;
}

function hash(n: number): HashValue {
  const h = new HashValue();
  for (let i = 0; i < n; i++) h.set(`field${i}`, `value${i}`, HASH_LIMITS);
  return h;
}

Deno.test("stringBytes: a 16-byte header and bytes rounded up to 8", () => {
  assertEquals(stringBytes(0), 16);
  assertEquals(stringBytes(1), 24);
  assertEquals(stringBytes(8), 24);
  assertEquals(stringBytes(9), 32);
});

Deno.test("every representation of every type has a positive estimate that grows with size", () => {
  const pairs: [string, (n: number) => Parameters<typeof valueBytes>[0]][] = [
    ["string", (n) => "x".repeat(n)],
    ["raw string", (n) => new RawString("x".repeat(n))],
    ["embstr", (n) => new EmbString("x".repeat(n))],
    ["hash", hash],
    ["list", list],
    ["intset", (n) => set(n)],
    ["hashtable set", (n) => set(n, "m")],
    ["zset", zset],
  ];
  for (const [name, make] of pairs) {
    let last = 0;
    for (const n of [1, 10, 100, 1000]) {
      const bytes = valueBytes(make(n), DEFAULT_SAMPLES);
      assert(bytes > last, `${name} of ${n}: ${bytes} should exceed ${last}`);
      last = bytes;
    }
  }
});

Deno.test("encodings: packed forms cost less than their hashtable forms", () => {
  const intset = set(100);
  const strings = set(100, "m");
  assertEquals(intset.encoding(), "intset");
  assertEquals(strings.encoding(), "hashtable");
  assert(valueBytes(intset, 5) < valueBytes(strings, 5));
  const small = zset(100);
  const big = zset(200);
  assertEquals(small.encoding(), "listpack");
  assertEquals(big.encoding(), "skiplist");
  assert(valueBytes(small, 5) * 2 < valueBytes(big, 5));
});

Deno.test("the key's own bytes and its entry are counted", () => {
  assertEquals(keyBytes("k", "v", 5) - valueBytes("v", 5), keyBytes("k", "w", 5) - 24);
  assert(keyBytes("a-much-longer-key-name-here", "v", 5) > keyBytes("k", "v", 5));
});

Deno.test("SAMPLES: hashtable sets are averaged from the first members; 0 (Infinity) uses all", () => {
  // Short members first, long ones later: more samples see the long ones.
  const s = new SetValue();
  for (let i = 0; i < 50; i++) s.add(`s${i}`, SET_LIMITS);
  for (let i = 0; i < 50; i++) s.add(`long-member-${"y".repeat(100)}-${i}`, SET_LIMITS);
  const few = valueBytes(s, 1);
  const all = valueBytes(s, Infinity);
  assert(all > few, `all ${all} > few ${few}`);
  assertEquals(valueBytes(s, 100), all);
  // A list samples its nodes: as many samples as nodes is exact.
  const l = list(10000);
  assert(l.nodeCount > 5);
  assertEquals(valueBytes(l, l.nodeCount), valueBytes(l, Infinity));
  // Packed zsets do not depend on SAMPLES.
  const z = zset(100);
  assertEquals(valueBytes(z, 1), valueBytes(z, Infinity));
});
