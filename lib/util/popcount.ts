/**
 * Counting set bits in bytes (BITCOUNT). Long ranges go through a tiny
 * WebAssembly loop over 64-bit words with the CPU's popcnt instruction
 * (about twice as fast as the best JS here); short ones, or a runtime
 * without WebAssembly, use 32-bit SWAR in JS.
 */

/** Set bits of every byte value. */
export const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/** Below this many bytes, copying into the WebAssembly memory costs more than it saves. */
const WASM_MIN = 4096;
/** The WebAssembly memory: 16 pages of 64 KB, fixed; longer ranges go through it in chunks. */
const CHUNK = 16 * 65536;

/** The unsigned LEB128 bytes of `n`. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/**
 * A module exporting `mem` (CHUNK bytes) and `pop(len) -> f64`, the set
 * bits of mem[0, len) for len a multiple of 32: four i64.popcnt per loop.
 */
function wasmModuleBytes(): Uint8Array<ArrayBuffer> {
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const name = (s: string) => [s.length, ...[...s].map((ch) => ch.charCodeAt(0))];
  const load64 = (offset: number) => [0x20, 1, 0x29, 3, offset, 0x7b, 0x7c]; // acc += popcnt(i64.load)
  const code = [
    ...[2, 1, 0x7f, 1, 0x7e], // locals: p (i32, #1), acc (i64, #2)
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...[0x20, 1, 0x20, 0, 0x4f, 0x0d, 1], // p >= len: break
    ...[0x20, 2],
    ...load64(0),
    ...load64(8),
    ...load64(16),
    ...load64(24),
    ...[0x21, 2], // acc = ...
    ...[0x20, 1, 0x41, 32, 0x6a, 0x21, 1], // p += 32
    ...[0x0c, 0, 0x0b, 0x0b], // continue; end loop, block
    ...[0x20, 2, 0xba, 0x0b], // f64.convert_i64_u(acc)
  ];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7c]), // type: (i32) -> f64
    ...section(3, [1, 0]),
    ...section(5, [1, 1, CHUNK / 65536, CHUNK / 65536]), // memory: fixed size
    ...section(7, [2, ...name("pop"), 0, 0, ...name("mem"), 2, 0]),
    ...section(10, [1, ...leb(code.length), ...code]),
  ]);
}

interface WasmPopcount {
  pop: (len: number) => number;
  mem: Uint8Array;
}

function instantiate(): WasmPopcount | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmModuleBytes()));
    const exports = instance.exports as { pop: (len: number) => number; mem: WebAssembly.Memory };
    return { pop: exports.pop, mem: new Uint8Array(exports.mem.buffer) };
  } catch {
    return null;
  }
}

const wasm = instantiate();

/** Set bits in b[start, end). */
export function popcount(b: Uint8Array, start: number, end: number): number {
  if (wasm === null || end - start < WASM_MIN) return popcountJs(b, start, end);
  const { pop, mem } = wasm;
  let count = 0;
  for (let i = start; i < end; i += CHUNK) {
    const n = Math.min(CHUNK, end - i);
    mem.set(b.subarray(i, i + n));
    // Zero up to the next multiple of 32 (CHUNK is one): the loop reads whole blocks.
    const padded = (n + 31) & ~31;
    mem.fill(0, n, padded);
    count += pop(padded);
  }
  return count;
}

/** popcount in JS: 32-bit SWAR where aligned, a table for the edges. */
export function popcountJs(b: Uint8Array, start: number, end: number): number {
  let count = 0;
  let i = start;
  while (i < end && ((b.byteOffset + i) & 3) !== 0) count += POPCOUNT[b[i++]];
  const words = (end - i) >> 2;
  if (words > 0) {
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    let k = 0;
    // Four words per step (unrolled: V8 keeps it tight): their byte counts,
    // at most 32 each, add up without carry.
    for (; k + 4 <= words; k += 4) {
      let x0 = w[k];
      let x1 = w[k + 1];
      let x2 = w[k + 2];
      let x3 = w[k + 3];
      x0 = x0 - ((x0 >>> 1) & 0x55555555);
      x1 = x1 - ((x1 >>> 1) & 0x55555555);
      x2 = x2 - ((x2 >>> 1) & 0x55555555);
      x3 = x3 - ((x3 >>> 1) & 0x55555555);
      x0 = (x0 & 0x33333333) + ((x0 >>> 2) & 0x33333333);
      x1 = (x1 & 0x33333333) + ((x1 >>> 2) & 0x33333333);
      x2 = (x2 & 0x33333333) + ((x2 >>> 2) & 0x33333333);
      x3 = (x3 & 0x33333333) + ((x3 >>> 2) & 0x33333333);
      const acc = ((x0 + (x0 >>> 4)) & 0x0f0f0f0f) + ((x1 + (x1 >>> 4)) & 0x0f0f0f0f) +
        ((x2 + (x2 >>> 4)) & 0x0f0f0f0f) + ((x3 + (x3 >>> 4)) & 0x0f0f0f0f);
      count += Math.imul(acc, 0x01010101) >>> 24;
    }
    for (; k < words; k++) {
      let x = w[k];
      x = x - ((x >>> 1) & 0x55555555);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      count += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i += words << 2;
  }
  while (i < end) count += POPCOUNT[b[i++]];
  return count;
}
