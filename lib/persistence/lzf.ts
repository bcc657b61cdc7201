/**
 * LZF, the byte-oriented LZ77 variant Redis uses to compress strings in RDB
 * files. The stream is a sequence of runs, each starting with a control byte:
 *
 * - 000LLLLL: a literal run of L+1 bytes follows (1..32 bytes).
 * - LLLooooo oooooooo: a back reference of L+2 bytes (L 1..6) at distance
 *   (o << 8 | next byte) + 1 behind the output position.
 * - 111ooooo llllllll oooooooo: the same with length 7 + l + 2 (9..264).
 */

const HASH_BITS = 16;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

let scratchOut = new Uint8Array(1024);
/**
 * Last position of each 3-byte hash, as `base + position`: an entry at or
 * below the current call's base is from an earlier input and counts as
 * empty, so the table is never cleared between calls.
 */
const table = new Int32Array(1 << HASH_BITS);
let base = 0;

/** liblzf's bucket (HLOG 16, VERY_FAST) of the 3 bytes at `p`. */
function bucket(input: Uint8Array, p: number): number {
  const h = (input[p] << 16) | (input[p + 1] << 8) | input[p + 2];
  return ((h >>> 8) - Math.imul(h, 5)) & 0xffff;
}

/**
 * Compresses `input` into at most `maxOut` bytes; returns null when the
 * result would not fit (Redis then stores the string uncompressed). The
 * output is liblzf's (as Redis builds it: 64K hash buckets, VERY_FAST), byte
 * for byte: the same matches, the same runs, the same give-up points, so
 * RDB files and DUMP payloads equal Redis's.
 */
export function lzfCompress(input: Uint8Array, maxOut = input.length): Uint8Array | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  // Scratch space reused across calls: a snapshot compresses millions of
  // strings, and fresh buffers per call cost more than the compression.
  if (scratchOut.length < maxOut + 4) {
    scratchOut = new Uint8Array(Math.max(maxOut + 4, scratchOut.length * 2));
  }
  if (base + n + 1 >= 0x7fffffff) {
    table.fill(0);
    base = 0;
  }
  const b = base;
  base += n + 1;
  const out = scratchOut;
  let op = 1; // the control byte of the first literal run
  let lit = 0;
  let ip = 0;
  while (ip < n - 2) {
    const h = bucket(input, ip);
    const entry = table[h];
    table[h] = b + ip;
    // Position 0 never matches (liblzf requires ref > start).
    const ref = entry > b ? entry - b : 0;
    const off = ip - ref - 1;
    if (
      ref > 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] &&
      input[ref] === input[ip] && input[ref + 1] === input[ip + 1]
    ) {
      let maxLen = n - ip - 2;
      if (maxLen > MAX_REF) maxLen = MAX_REF;
      if (op + 4 >= maxOut && op - (lit === 0 ? 1 : 0) + 4 >= maxOut) return null;
      out[op - lit - 1] = lit - 1; // close the literal run
      if (lit === 0) op--; // an empty run takes no control byte
      let len = 2;
      do len++; while (len < maxLen && input[ref + len] === input[ip + len]);
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // the control byte of the next run
      ip += len + 1;
      if (ip >= n - 2) break;
      // Hash the last two positions of the match (VERY_FAST).
      ip -= 2;
      table[bucket(input, ip)] = b + ip;
      ip++;
      table[bucket(input, ip)] = b + ip;
      ip++;
    } else {
      if (op >= maxOut) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > maxOut) return null;
  while (ip < n) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
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
