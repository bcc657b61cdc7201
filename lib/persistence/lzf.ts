/**
 * LZF, the byte-oriented LZ77 variant Redis uses to compress strings in RDB
 * files. The stream is a sequence of runs, each starting with a control byte:
 *
 * - 000LLLLL: a literal run of L+1 bytes follows (1..32 bytes).
 * - LLLooooo oooooooo: a back reference of L+2 bytes (L 1..6) at distance
 *   (o << 8 | next byte) + 1 behind the output position.
 * - 111ooooo llllllll oooooooo: the same with length 7 + l + 2 (9..264).
 */

const MAX_HASH_BITS = 14;
const MIN_HASH_BITS = 8;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

let scratchOut = new Uint8Array(1024);
const hashTables: Int32Array[] = [];
for (let b = MIN_HASH_BITS; b <= MAX_HASH_BITS; b++) hashTables[b] = new Int32Array(1 << b);

/**
 * Compresses `input` into at most `maxOut` bytes; returns null when the
 * result would not fit (Redis then stores the string uncompressed).
 */
export function lzfCompress(input: Uint8Array, maxOut = input.length): Uint8Array | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  // Scratch space reused across calls: a snapshot compresses millions of
  // strings, and fresh buffers per call cost more than the compression.
  if (scratchOut.length < maxOut) {
    scratchOut = new Uint8Array(Math.max(maxOut, scratchOut.length * 2));
  }
  const out = scratchOut;
  // Last position + 1 of each 3-byte hash (0: none); sized to the input, so
  // clearing it costs no more than reading the input.
  let bits = MIN_HASH_BITS;
  while (bits < MAX_HASH_BITS && 1 << bits < n) bits++;
  const table = hashTables[bits];
  table.fill(0);
  const shift = 32 - bits;
  let op = 0;
  let ip = 0;
  let lit = 0;
  let ctrl = op++; // control byte of the current literal run
  if (op > maxOut) return null;
  const hash = (p: number): number =>
    Math.imul((input[p] << 16) | (input[p + 1] << 8) | input[p + 2], 0x9e3779b1) >>> shift;

  while (ip + 2 < n) {
    const h = hash(ip);
    const ref = table[h] - 1;
    table[h] = ip + 1;
    const off = ip - ref - 1;
    if (
      ref >= 0 && off < MAX_OFF && input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]
    ) {
      let len = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (len < maxLen && input[ref + len] === input[ip + len]) len++;
      // Close the literal run (or drop its unused control byte).
      if (lit > 0) out[ctrl] = lit - 1;
      else op--;
      const l = len - 2;
      if (l < 7) {
        if (op + 2 > maxOut) return null;
        out[op++] = (l << 5) | (off >> 8);
      } else {
        if (op + 3 > maxOut) return null;
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      for (let p = ip + 1; p < ip + len && p + 2 < n; p++) table[hash(p)] = p + 1;
      ip += len;
      if (op >= maxOut) return ip >= n ? out.slice(0, op) : null;
      ctrl = op++;
      lit = 0;
      continue;
    }
    if (op >= maxOut) return null;
    out[op++] = input[ip++];
    if (++lit === MAX_LIT) {
      out[ctrl] = MAX_LIT - 1;
      if (op >= maxOut) return ip >= n ? out.slice(0, op) : null;
      ctrl = op++;
      lit = 0;
    }
  }
  while (ip < n) {
    if (op >= maxOut) return null;
    out[op++] = input[ip++];
    if (++lit === MAX_LIT) {
      out[ctrl] = MAX_LIT - 1;
      if (ip >= n) return out.slice(0, op);
      if (op >= maxOut) return null;
      ctrl = op++;
      lit = 0;
    }
  }
  if (lit > 0) out[ctrl] = lit - 1;
  else op--;
  return out.slice(0, op);
}

/**
 * Decompresses `input`, which must expand to exactly `outLen` bytes; throws
 * on malformed data.
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Uint8Array {
  const out = new Uint8Array(outLen);
  const n = input.length;
  let ip = 0;
  let op = 0;
  while (ip < n) {
    const c = input[ip++];
    if (c < 32) {
      const len = c + 1;
      if (ip + len > n) throw new Error("LZF: literal run past the end of the input");
      if (op + len > outLen) throw new Error("LZF: output longer than expected");
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
    } else {
      let len = c >> 5;
      if (len === 7) {
        if (ip >= n) throw new Error("LZF: truncated back reference");
        len += input[ip++];
      }
      if (ip >= n) throw new Error("LZF: truncated back reference");
      let ref = op - ((c & 0x1f) << 8) - input[ip++] - 1;
      len += 2;
      if (ref < 0) throw new Error("LZF: back reference before the start of the output");
      if (op + len > outLen) throw new Error("LZF: output longer than expected");
      // Byte by byte: the source may overlap the bytes being written.
      for (let k = 0; k < len; k++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new Error(`LZF: expanded to ${op} bytes, expected ${outLen}`);
  return out;
}
