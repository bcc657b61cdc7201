/**
 * lib/store/hll.ts: the 32-bit-halves MurmurHash64A against a plain BigInt
 * one, register indexes and counts as Redis 7.0 computes them (read from
 * PFDEBUG DECODE of one-element HLLs), sparse and dense agreeing.
 */
import { assert, assertEquals } from "@std/assert";
import {
  cachedCount,
  denseAdd,
  denseGet,
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllCount,
  hllCreate,
  hllMerge,
  hllPatLen,
  HllWork,
  isHll,
  murmurHash64A,
  rawCount,
  setCachedCount,
  sparseDecode,
} from "../../lib/store/hll.ts";
import { prng } from "../support/prng.ts";

const MASK = (1n << 64n) - 1n;
const M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A written directly on 64-bit BigInts (the reference). */
function referenceMurmur(s: string, seed: bigint): bigint {
  const len = s.length;
  let h = (seed ^ (BigInt(len) * M)) & MASK;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rest = len & 7;
  if (rest) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(end + j)) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

function randomString(rand: () => number, maxLen: number): string {
  const len = Math.floor(rand() * maxLen);
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

Deno.test("hll: MurmurHash64A matches a BigInt reference for 5000 random inputs", () => {
  const rand = prng(123);
  for (let n = 0; n < 5000; n++) {
    const s = randomString(rand, 70);
    const seed = n % 3 === 0 ? 0xadc83b19 : Math.floor(rand() * 2 ** 32);
    assertEquals(murmurHash64A(s, seed), referenceMurmur(s, BigInt(seed)), JSON.stringify(s));
  }
  assertEquals(murmurHash64A("\xff".repeat(64)), referenceMurmur("\xff".repeat(64), 0xadc83b19n));
});

Deno.test("hll: register index and count as Redis 7.0 computes them", () => {
  // [element, register, count] from `PFADD t <element>` + `PFDEBUG DECODE t` on redis-server 7.0.15.
  const redis: [string, number, number][] = [
    ["", 5938, 2],
    ["a", 12711, 2],
    ["hello", 9216, 1],
    ["foobar12", 15489, 2],
    ["0123456789abcdef0", 16236, 1],
    ["redis", 9467, 2],
    ["__rand_int__", 15889, 3],
  ];
  for (const [ele, index, count] of redis) {
    const p = hllPatLen(ele);
    assertEquals([p & 0x3fff, p >>> 14], [index, count], ele);
  }
});

Deno.test("hll: a new HLL is sparse, empty, valid; the cache round-trips", () => {
  const b = hllCreate();
  assert(isHll(b));
  assertEquals(b[4], HLL_SPARSE);
  assertEquals(sparseDecode(b), "Z:16384");
  assertEquals(hllCount(b), 0);
  assertEquals(cachedCount(b), 0);
  setCachedCount(b, 123456789012);
  assertEquals(cachedCount(b), 123456789012);
  b[15] |= 0x80;
  assertEquals(cachedCount(b), -1);
  assert(!isHll(b.subarray(0, 15)));
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  dense.set(b.subarray(0, 4));
  assert(isHll(dense));
  assert(!isHll(dense.subarray(0, HLL_DENSE_SIZE - 1)));
  const badEncoding = b.slice();
  badEncoding[4] = 2;
  assert(!isHll(badEncoding));
});

Deno.test("hll: sparse and dense HLLs agree on registers and counts", () => {
  const rand = prng(9);
  for (const n of [1, 10, 100, 1000, 5000]) {
    const sparse = new HllWork(hllCreate());
    const dense = new Uint8Array(HLL_DENSE_SIZE);
    dense.set(hllCreate().subarray(0, 4));
    dense[4] = HLL_DENSE;
    for (let i = 0; i < n; i++) {
      const e = randomString(rand, 20);
      const a = sparse.add(e, 1 << 30);
      const d = denseAdd(dense, e);
      assertEquals(a, d, `add ${i} of ${n}`);
    }
    assertEquals(hllCount(sparse.bytes()), hllCount(dense));
    const max = new Uint8Array(HLL_REGISTERS);
    assert(hllMerge(max, sparse.bytes()));
    assertEquals(rawCount(max), hllCount(dense));
    if (sparse.encoding === HLL_SPARSE) assert(sparse.toDense());
    const converted = sparse.bytes();
    for (let r = 0; r < HLL_REGISTERS; r++) {
      assertEquals(denseGet(converted, r), denseGet(dense, r), `register ${r}`);
    }
  }
});

Deno.test("hll: the estimate stays within a few standard errors", () => {
  const work = new HllWork(hllCreate());
  let checkpoint = 10;
  for (let i = 1; i <= 200000; i++) {
    work.add("e" + i, 3000);
    if (i === checkpoint) {
      const count = Number(hllCount(work.bytes()));
      assert(Math.abs(count - i) <= Math.ceil(i * 0.0081 * 6) + 1, `${count} for ${i}`);
      checkpoint *= 10;
    }
  }
  assertEquals(work.encoding, HLL_DENSE);
});

Deno.test("hll: corrupt sparse data is reported, never thrown", () => {
  const rand = prng(77);
  const base = new HllWork(hllCreate());
  for (let i = 0; i < 50; i++) base.add(randomString(rand, 10), 3000);
  const good = base.bytes().slice();
  for (let n = 0; n < 2000; n++) {
    const b = good.slice(0, 16 + Math.floor(rand() * (good.length - 16 + 3)));
    for (let k = 0; k < 3; k++) b[16 + Math.floor(rand() * (b.length - 16))] = rand() * 256;
    const w = new HllWork(b);
    for (let k = 0; k < 5; k++) {
      const r = w.add(randomString(rand, 8), 3000);
      assert(r === 0 || r === 1 || r === -1);
    }
    hllCount(w.bytes());
    hllMerge(new Uint8Array(HLL_REGISTERS), w.bytes());
    sparseDecode(w.bytes());
    w.toDense();
  }
});
