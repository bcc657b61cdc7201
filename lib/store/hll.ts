/**
 * HyperLogLog values in Redis 7.0's representation, byte for byte, so that
 * an HLL written by redeno reads in Redis and the other way round (GET/SET,
 * DUMP/RESTORE, RDB: an HLL is a plain string value).
 *
 * Layout: a 16-byte header ("HYLL", encoding 0 = dense / 1 = sparse, three
 * unused bytes, the cached cardinality as 8 bytes little endian whose top
 * bit marks it stale), then either 16384 6-bit registers packed from the
 * least significant bit up (dense, 12288 bytes) or a run-length code of
 * ZERO (00xxxxxx), XZERO (01xxxxxx yyyyyyyy) and VAL (1vvvvvxx) opcodes
 * (sparse). An element's register and value come from MurmurHash64A (seed
 * 0xadc83b19) of its bytes; the count is Ertl's estimator over the register
 * histogram, as hllCount in Redis 7.0.
 *
 * The 64-bit hash arithmetic works on two unsigned 32-bit halves (results
 * in module variables, so the hot path allocates nothing).
 */

/** Registers per HLL (2^14). */
export const HLL_REGISTERS = 16384;
/** Bytes of the header. */
export const HLL_HDR_SIZE = 16;
/** Bytes of a dense HLL: the header and 16384 registers of 6 bits. */
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + HLL_REGISTERS * 6 / 8;
/** Encoding byte of a dense HLL. */
export const HLL_DENSE = 0;
/** Encoding byte of a sparse HLL. */
export const HLL_SPARSE = 1;
/** The reply to a sparse HLL whose opcodes do not add up (Redis's invalid_hll_err). */
export const ERR_INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";
/** The reply to a string that is not an HLL. */
export const ERR_NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

const HLL_Q = 50;
const HLL_SEED = 0xadc83b19;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const ALPHA_INF = 0.721347520444481703680;

// MurmurHash64A's multiplier 0xc6a4a7935bd1e995, its low half also as 16-bit limbs.
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = 0xe995;
const M_LO1 = 0x5bd1;

/**
 * Result of mulM and the hashes: [high half, low half] as int32. A typed
 * array, because a module variable holding a number past the small-integer
 * range costs a heap number on every write.
 */
const R = new Int32Array(2);

/** (hi:lo) * m mod 2^64 into R; the inputs are int32 views of the halves. */
function mulM(hi: number, lo: number): void {
  // High half of the 32x32 product lo * M_LO, from 16-bit limbs (every sum stays below 2^53).
  const a0 = lo & 0xffff;
  const a1 = (lo >>> 16) & 0xffff;
  const t = a0 * M_LO0;
  const mid1 = a1 * M_LO0 + (t >>> 16);
  const mid2 = a0 * M_LO1 + (mid1 & 0xffff);
  const carry = a1 * M_LO1 + (mid1 >>> 16) + (mid2 >>> 16);
  R[1] = Math.imul(lo, M_LO);
  R[0] = carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI);
}

/** MurmurHash64A of a binary string into R. */
function murmurString(s: string, seed: number): void {
  const len = s.length;
  mulM(0, len);
  let hHi = R[0];
  let hLo = R[1] ^ seed;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    const kLo = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) |
      (s.charCodeAt(i + 3) << 24);
    const kHi = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) |
      (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    mulM(kHi, kLo);
    mulM(R[0], R[1] ^ (R[0] >>> 15)); // k ^= k >> 47; k *= m
    mulM(hHi ^ R[0], hLo ^ R[1]); // h ^= k; h *= m
    hHi = R[0];
    hLo = R[1];
  }
  const rest = len & 7;
  if (rest !== 0) {
    if (rest >= 7) hHi ^= s.charCodeAt(i + 6) << 16;
    if (rest >= 6) hHi ^= s.charCodeAt(i + 5) << 8;
    if (rest >= 5) hHi ^= s.charCodeAt(i + 4);
    if (rest >= 4) hLo ^= s.charCodeAt(i + 3) << 24;
    if (rest >= 3) hLo ^= s.charCodeAt(i + 2) << 16;
    if (rest >= 2) hLo ^= s.charCodeAt(i + 1) << 8;
    hLo ^= s.charCodeAt(i);
    mulM(hHi, hLo);
    hHi = R[0];
    hLo = R[1];
  }
  mulM(hHi, hLo ^ (hHi >>> 15));
  R[1] ^= R[0] >>> 15;
}

/** MurmurHash64A of 8 bytes given as little-endian halves (PFSELFTEST's elements) into R. */
function murmur8(kHi: number, kLo: number, seed: number): void {
  mulM(0, 8);
  const hHi = R[0];
  const hLo = R[1] ^ seed;
  mulM(kHi, kLo);
  mulM(R[0], R[1] ^ (R[0] >>> 15));
  mulM(hHi ^ R[0], hLo ^ R[1]);
  const h2Hi = R[0];
  mulM(h2Hi, R[1] ^ (h2Hi >>> 15));
  R[1] ^= R[0] >>> 15;
}

/** MurmurHash64A of a binary string (Redis's, endian neutral), as an unsigned 64-bit bigint. */
export function murmurHash64A(s: string, seed = HLL_SEED): bigint {
  murmurString(s, seed | 0);
  return (BigInt(R[0] >>> 0) << 32n) | BigInt(R[1] >>> 0);
}

/** Register index (low 14 bits) and run length of "000..1" (bits 14 and up, 1..51) of the hash in R, packed as index | count << 14. */
function patLenOfHash(): number {
  const lo = R[1];
  const hi = R[0];
  const index = lo & 0x3fff;
  const low = lo >>> 14;
  let count: number;
  if (low !== 0) count = 32 - Math.clz32(low & -low);
  else if (hi !== 0) count = 50 - Math.clz32(hi & -hi);
  else count = HLL_Q + 1;
  return index | (count << 14);
}

/** Redis's hllPatLen: the element's register index | (its count << 14). */
export function hllPatLen(ele: string): number {
  murmurString(ele, HLL_SEED);
  return patLenOfHash();
}

// --- dense registers ---------------------------------------------------------

/** Register `index` of the dense HLL bytes `b` (header included). */
export function denseGet(b: Uint8Array, index: number): number {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  if (fb <= 2) return (b[at] >>> fb) & 63;
  return ((b[at] >>> fb) | (b[at + 1] << (8 - fb))) & 63;
}

/** Sets register `index` to `val` (0..63) unconditionally. */
function denseWrite(b: Uint8Array, index: number, val: number): void {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  b[at] = (b[at] & ~(63 << fb)) | (val << fb);
  // A register starting past bit 2 spills into the next byte.
  if (fb > 2) b[at + 1] = (b[at + 1] & ~(63 >>> (8 - fb))) | (val >>> (8 - fb));
}

/** Redis's hllDenseSet: raises register `index` to `count`; 1 when it changed. */
export function denseSet(b: Uint8Array, index: number, count: number): number {
  const bit = index * 6;
  const at = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  let old: number;
  if (fb <= 2) old = (b[at] >>> fb) & 63;
  else old = ((b[at] >>> fb) | (b[at + 1] << (8 - fb))) & 63;
  if (count <= old) return 0;
  b[at] = (b[at] & ~(63 << fb)) | (count << fb);
  if (fb > 2) b[at + 1] = (b[at + 1] & ~(63 >>> (8 - fb))) | (count >>> (8 - fb));
  return 1;
}

/** Adds an element to a dense HLL in place; 1 when a register changed. */
export function denseAdd(b: Uint8Array, ele: string): number {
  murmurString(ele, HLL_SEED);
  const p = patLenOfHash();
  return denseSet(b, p & 0x3fff, p >>> 14);
}

// --- validity, creation -----------------------------------------------------

/** Redis's isHLLObjectOrReply test of a string's bytes: magic, known encoding, dense size. */
export function isHll(b: Uint8Array): boolean {
  if (b.length < HLL_HDR_SIZE) return false;
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) return false; // "HYLL"
  const enc = b[4];
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || b.length === HLL_DENSE_SIZE;
}

/** A new empty HLL (sparse: one XZERO of 16384 registers), as Redis's createHLLObject. */
export function hllCreate(): Uint8Array {
  const b = new Uint8Array(HLL_HDR_SIZE + 2);
  b.set([0x48, 0x59, 0x4c, 0x4c, HLL_SPARSE]);
  b[16] = 0x40 | ((HLL_REGISTERS - 1) >>> 8);
  b[17] = (HLL_REGISTERS - 1) & 0xff;
  return b;
}

/** Marks the cached cardinality stale. */
export function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

/** The cached cardinality, or -1 when it is stale (a bigint past 2^53). */
export function cachedCount(b: Uint8Array): number | bigint {
  if (b[15] & 0x80) return -1;
  const lo = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
  const hi = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0;
  if (hi < 0x200000) return hi * 4294967296 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores `count` (a count from hllCount) as the valid cached cardinality. */
export function setCachedCount(b: Uint8Array, count: number | bigint): void {
  const big = BigInt(count);
  const lo = Number(big & 0xffffffffn);
  const hi = Number((big >> 32n) & 0xffffffffn);
  for (let i = 0; i < 4; i++) {
    b[8 + i] = lo >>> (8 * i);
    b[12 + i] = hi >>> (8 * i);
  }
}

// --- sparse opcodes ------------------------------------------------------------

/** Opcode kinds of the sparse encoding: ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx. */
const ZERO = 0;
const XZERO = 1;
const VAL = 2;

/** The opcode read by readOp: kind, registers covered, register value (VAL), bytes. */
let opKind = ZERO;
let opRun = 0;
let opVal = 0;
let opSize = 1;

/** Decodes the opcode at `p` of a sparse HLL of `len` bytes (past the end reads 0, as sds's terminator). */
function readOp(b: Uint8Array, p: number, len: number): void {
  const o = b[p];
  if ((o & 0xc0) === 0) {
    opKind = ZERO;
    opRun = (o & 0x3f) + 1;
    opVal = 0;
    opSize = 1;
  } else if (o & 0x80) {
    opKind = VAL;
    opRun = (o & 3) + 1;
    opVal = ((o >>> 2) & 0x1f) + 1;
    opSize = 1;
  } else {
    opKind = XZERO;
    opRun = (((o & 0x3f) << 8) | (p + 1 < len ? b[p + 1] : 0)) + 1;
    opVal = 0;
    opSize = 2;
  }
}

// --- the estimator ------------------------------------------------------------

const histo = new Int32Array(64);

function denseHisto(b: Uint8Array): void {
  // Four registers in every three bytes.
  for (let r = HLL_HDR_SIZE; r < HLL_DENSE_SIZE; r += 3) {
    const b0 = b[r];
    const b1 = b[r + 1];
    const b2 = b[r + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

/** Histogram of a sparse HLL; false when its opcodes do not cover exactly 16384 registers. */
function sparseHisto(b: Uint8Array, len: number): boolean {
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < len; p += opSize) {
    readOp(b, p, len);
    idx += opRun;
    histo[opVal] += opRun;
  }
  return idx === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * Ertl's estimate from the histogram (Redis's hllCount): a number, or a
 * bigint when it does not fit 2^53 (only crafted registers get there; past
 * 2^63 it is what the C conversion gives, 2^63).
 */
function estimate(): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = Math.round(ALPHA_INF * m * m / z);
  if (e <= Number.MAX_SAFE_INTEGER) return e;
  return e < 2 ** 63 ? BigInt(e) : 1n << 63n;
}

/** The cardinality of an HLL's bytes (`len` of them), or -1 when a sparse one is corrupt. */
export function hllCount(b: Uint8Array, len = b.length): number | bigint {
  histo.fill(0);
  if (b[4] === HLL_DENSE) denseHisto(b);
  else if (!sparseHisto(b, len)) return -1;
  return estimate();
}

/** The cardinality of 16384 byte registers (PFCOUNT of several keys). */
export function rawCount(max: Uint8Array): number | bigint {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate();
}

/**
 * Raises each of the 16384 byte registers in `max` to the HLL's (a valid
 * header is assumed); false when a sparse HLL is corrupt (Redis's hllMerge).
 */
export function hllMerge(max: Uint8Array, b: Uint8Array): boolean {
  if (b[4] === HLL_DENSE) {
    for (let r = HLL_HDR_SIZE, i = 0; r < HLL_DENSE_SIZE; r += 3, i += 4) {
      const b0 = b[r];
      const b1 = b[r + 1];
      const b2 = b[r + 2];
      const v0 = b0 & 63;
      const v1 = ((b0 >>> 6) | (b1 << 2)) & 63;
      const v2 = ((b1 >>> 4) | (b2 << 4)) & 63;
      const v3 = b2 >>> 2;
      if (v0 > max[i]) max[i] = v0;
      if (v1 > max[i + 1]) max[i + 1] = v1;
      if (v2 > max[i + 2]) max[i + 2] = v2;
      if (v3 > max[i + 3]) max[i + 3] = v3;
    }
    return true;
  }
  const len = b.length;
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < len; p += opSize) {
    readOp(b, p, len);
    if (opKind === VAL) {
      // A run past the last register ends the walk (the count check then fails).
      if (opRun + i > HLL_REGISTERS) break;
      for (let n = opRun; n > 0; n--, i++) if (opVal > max[i]) max[i] = opVal;
    } else {
      i += opRun;
    }
  }
  return i === HLL_REGISTERS;
}

/** A sparse HLL's opcodes as PFDEBUG DECODE prints them ("Z:16384", "z:3 v:2,1 ..."). */
export function sparseDecode(b: Uint8Array): string {
  const parts: string[] = [];
  const len = b.length;
  for (let p = HLL_HDR_SIZE; p < len; p += opSize) {
    readOp(b, p, len);
    if (opKind === ZERO) parts.push(`z:${opRun}`);
    else if (opKind === XZERO) parts.push(`Z:${opRun}`);
    else parts.push(`v:${opVal},${opRun}`);
  }
  return parts.join(" ");
}

// --- an HLL being changed -------------------------------------------------------

const VAL_BIT = 0x80;

function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | VAL_BIT;
}

/**
 * An HLL being changed: its bytes in buf[0, len). A dense HLL is changed in
 * place (buf may be a view of the stored string); a sparse one is worked on
 * in a copy with spare room that the caller stores back (see `buf`).
 * Bytes past len are zero, as the terminator of Redis's sds is.
 */
export class HllWork {
  buf: Uint8Array;
  len: number;
  /** True once the bytes changed (the caller stores them back when `copied`). */
  written = false;
  readonly #source: Uint8Array;

  /** Works on `bytes` in place when dense, on a copy when sparse. */
  constructor(bytes: Uint8Array) {
    this.#source = bytes;
    if (bytes[4] === HLL_DENSE) {
      this.buf = bytes;
    } else {
      this.buf = new Uint8Array(bytes.length + 64);
      this.buf.set(bytes);
    }
    this.len = bytes.length;
  }

  /** True when the bytes are no longer those given to the constructor (sparse, or made dense). */
  get copied(): boolean {
    return this.buf !== this.#source;
  }

  /** The current bytes (a view). */
  bytes(): Uint8Array {
    return this.buf.length === this.len ? this.buf : this.buf.subarray(0, this.len);
  }

  /** The encoding byte (HLL_DENSE or HLL_SPARSE). */
  get encoding(): number {
    return this.buf[4];
  }

  /** Redis's hllAdd: 1 when a register changed, 0 when not, -1 when a sparse HLL is corrupt. */
  add(ele: string, sparseMax: number): number {
    murmurString(ele, HLL_SEED);
    const p = patLenOfHash();
    return this.set(p & 0x3fff, p >>> 14, sparseMax);
  }

  /** Adds an 8-byte element given as little-endian halves (PFSELFTEST). */
  add8(hi: number, lo: number, sparseMax: number): number {
    murmur8(hi, lo, HLL_SEED);
    const p = patLenOfHash();
    return this.set(p & 0x3fff, p >>> 14, sparseMax);
  }

  /** Raises register `index` to `count` (Redis's hllDenseSet / hllSparseSet). */
  set(index: number, count: number, sparseMax: number): number {
    if (this.buf[4] === HLL_DENSE) {
      const r = denseSet(this.buf, index, count);
      if (r) this.written = true;
      return r;
    }
    return this.#sparseSet(index, count, sparseMax);
  }

  /** Converts a sparse HLL to dense (Redis's hllSparseToDense); false when it is corrupt. */
  toDense(): boolean {
    const b = this.buf;
    if (b[4] === HLL_DENSE) return true;
    const d = new Uint8Array(HLL_DENSE_SIZE);
    // Magic, unused bytes and the cached cardinality carry over.
    d.set(b.subarray(0, HLL_HDR_SIZE));
    d[4] = HLL_DENSE;
    const end = this.len;
    let idx = 0;
    for (let p = HLL_HDR_SIZE; p < end; p += opSize) {
      readOp(b, p, end);
      if (opKind === VAL) {
        if (opRun + idx > HLL_REGISTERS) break;
        for (let n = opRun; n > 0; n--) denseWrite(d, idx++, opVal);
      } else {
        idx += opRun;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.buf = d;
    this.len = HLL_DENSE_SIZE;
    this.written = true;
    return true;
  }

  #reserve(n: number): void {
    if (n <= this.buf.length) return;
    const next = new Uint8Array(n * 2);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  #promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return denseSet(this.buf, index, count);
  }

  #sparseSet(index: number, count: number, sparseMax: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.#promote(index, count);
    // Room for the worst split (XZERO -> XZERO VAL XZERO) and the terminator.
    this.#reserve(this.len + 4);
    const b = this.buf;
    let end = this.len;
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    // Step 1: the opcode covering register `index`.
    while (p < end) {
      readOp(b, p, end);
      span = opRun;
      if (index <= first + span - 1) break;
      prev = p;
      p += opSize;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const kind = opKind;
    const cur = opVal;
    let next = p + opSize;
    if (next >= end) next = -1;

    let simple = false;
    if (kind === VAL) {
      if (cur >= count) return 0;
      if (span === 1) {
        b[p] = valOp(count, 1);
        simple = true;
      }
    } else if (kind === ZERO && span === 1) {
      b[p] = valOp(count, 1);
      simple = true;
    }

    if (!simple) {
      // Step 2: split the opcode into up to three (at most 5 bytes).
      const seq: number[] = [];
      const last = first + span - 1;
      if (kind !== VAL) {
        if (index !== first) pushZeros(seq, index - first);
        seq.push(valOp(count, 1));
        if (index !== last) pushZeros(seq, last - index);
      } else {
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      // Step 3: put the sequence in place of the opcode.
      const delta = seq.length - (kind === XZERO ? 2 : 1);
      if (delta > 0 && this.len + delta > sparseMax) return this.#promote(index, count);
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
      end += delta;
      for (let i = end; i < this.len; i++) b[i] = 0;
      this.len = end;
    }

    // Step 4: merge adjacent VAL opcodes of the same value, scanning up to 5 opcodes from prev.
    p = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (p < end && scan-- > 0) {
      readOp(b, p, end);
      if (opKind !== VAL) {
        p += opSize;
        continue;
      }
      const v1 = opVal;
      const run1 = opRun;
      if (p + 1 < end) {
        readOp(b, p + 1, end);
        // Two adjacent VALs of one value merge when the run still fits one opcode.
        if (opKind === VAL && opVal === v1 && run1 + opRun <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, run1 + opRun);
          b.copyWithin(p, p + 1, end);
          end--;
          b[end] = 0;
          this.len = end;
          continue;
        }
      }
      p++;
    }
    invalidateCache(b);
    this.written = true;
    return 1;
  }
}

/** Appends the ZERO or XZERO opcode of `len` zero registers. */
function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) seq.push(0x40 | ((len - 1) >>> 8), (len - 1) & 0xff);
  else seq.push(len - 1);
}

// --- PFSELFTEST ------------------------------------------------------------------

/**
 * Redis's PFSELFTEST: register access on random values, then 10M elements
 * added to a dense and a sparse HLL at once, checking at each power of ten
 * that the sparse one stays sparse while small, that both agree and that
 * the error is within bounds. Null when it passes, else the failure text.
 */
export function hllSelfTest(sparseMax: number): string | null {
  const dense = new Uint8Array(HLL_DENSE_SIZE + 1);
  dense.set(hllCreate().subarray(0, 5));
  dense[4] = HLL_DENSE;
  const bytes = new Uint8Array(HLL_REGISTERS);
  const rand = () => (Math.random() * 0x80000000) >>> 0;
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand() & 63;
      bytes[i] = r;
      denseWrite(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, i);
      if (val !== bytes[i]) {
        return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`;
      }
    }
  }
  dense.fill(0, HLL_HDR_SIZE);
  const work = new HllWork(hllCreate());
  const denseView = dense.subarray(0, HLL_DENSE_SIZE);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = rand();
  const seedHi = rand();
  for (let j = 1; j <= 10000000; j++) {
    const lo = (j ^ seedLo) >>> 0;
    murmur8(seedHi, lo, HLL_SEED);
    const p = patLenOfHash();
    denseSet(dense, p & 0x3fff, p >>> 14);
    work.add8(seedHi, lo, sparseMax);
    if (j !== checkpoint) continue;
    if (j < sparseMax / 2 && work.encoding !== HLL_SPARSE) {
      return "TESTFAILED sparse encoding not used";
    }
    const count = Number(hllCount(denseView));
    if (count !== Number(hllCount(work.bytes()))) return "TESTFAILED dense/sparse disagree";
    let maxerr = Math.ceil(relerr * 6 * checkpoint);
    if (j === 10) maxerr = 1;
    const abserr = Math.abs(checkpoint - count);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
