import { assertEquals } from "@std/assert";
import { popcount, popcountJs } from "../../lib/util/popcount.ts";
import { prng } from "../support/prng.ts";

/** Bit by bit: the reference. */
function naive(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) for (let k = 0; k < 8; k++) n += (b[i] >> k) & 1;
  return n;
}

Deno.test("popcount: WebAssembly and JS agree with a bit-by-bit count on any range", () => {
  const rand = prng(3);
  // Past one WebAssembly chunk (1 MB), in a view that starts unaligned.
  const buf = new Uint8Array(1024 * 1024 + 4099);
  for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rand() * 256);
  const b = buf.subarray(3);
  assertEquals(popcount(b, 0, b.length), naive(b, 0, b.length));
  assertEquals(popcountJs(b, 0, b.length), naive(b, 0, b.length));
  for (let k = 0; k < 200; k++) {
    const start = Math.floor(rand() * b.length);
    const end = start + Math.floor(rand() * Math.min(b.length - start, k < 100 ? 50 : 20000));
    const want = naive(b, start, end);
    assertEquals(popcount(b, start, end), want, `[${start}, ${end})`);
    assertEquals(popcountJs(b, start, end), want, `[${start}, ${end})`);
  }
  const ones = new Uint8Array(3 * 1024 * 1024 + 5).fill(0xff);
  assertEquals(popcount(ones, 1, ones.length), (ones.length - 1) * 8);
});
