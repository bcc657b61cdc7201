/**
 * Number formatting as Redis prints it: doubles with C's "%.17g", and the
 * x87 80-bit long double arithmetic of INCRBYFLOAT / HINCRBYFLOAT, emulated
 * exactly with BigInt (a long double is sign * m * 2^q, m < 2^64).
 */

/** A double as Redis 7.0 replies with it (C "%.17g", inf / -inf / nan). */
export function formatDouble(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const neg = d < 0;
  const a = neg ? -d : d;
  // JS rounds ties away from zero, C to even: only an exact tie (an exact
  // expansion of 18 significant digits ending in 5) needs the slow path.
  let digits: string;
  let x: number;
  const e18 = a.toExponential(17);
  if (e18.charCodeAt(18) === 0x35 /* 5 */) {
    [digits, x] = exactDigits(a, 17);
  } else {
    const e17 = a.toExponential(16);
    const ePos = e17.indexOf("e");
    digits = e17[0] + e17.slice(2, ePos);
    x = Number(e17.slice(ePos + 1));
  }
  return (neg ? "-" : "") + formatG(digits, x);
}

/** "%g" layout of `digits` (17 significant digits, d.ddd * 10^x). */
function formatG(digits: string, x: number): string {
  if (x < -4 || x >= 17) {
    const frac = stripZeros(digits.slice(1));
    const ax = x < 0 ? -x : x;
    return `${digits[0]}${frac ? "." + frac : ""}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" + ax : ax}`;
  }
  if (x < 0) return "0." + stripZeros("0".repeat(-x - 1) + digits);
  const int = digits.slice(0, x + 1);
  const frac = stripZeros(digits.slice(x + 1));
  return frac ? `${int}.${frac}` : int;
}

function stripZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x30) end--;
  return s.slice(0, end);
}

/**
 * The first `p` significant digits of a positive finite double, rounded
 * half-to-even from its exact decimal expansion, and the decimal exponent.
 */
function exactDigits(a: number, p: number): [string, number] {
  const [m, q] = decomposeDouble(a);
  let s: string;
  let x: number;
  if (q >= 0) {
    s = (m << BigInt(q)).toString();
    x = s.length - 1;
  } else {
    // m * 2^q = m * 5^-q / 10^-q
    s = (m * 5n ** BigInt(-q)).toString();
    x = s.length - 1 + q;
  }
  if (s.length <= p) return [s.padEnd(p, "0"), x];
  let head = BigInt(s.slice(0, p));
  const next = s.charCodeAt(p) - 0x30;
  const rest = /[1-9]/.test(s.slice(p + 1));
  if (next > 5 || (next === 5 && (rest || (head & 1n) === 1n))) head++;
  let out = head.toString();
  if (out.length > p) {
    out = out.slice(0, p);
    x++;
  }
  return [out, x];
}

/** A finite positive double as m * 2^q with integer m. */
function decomposeDouble(a: number): [bigint, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp === 0) return [frac, -1074];
  return [frac | (1n << 52n), bexp - 1075];
}

// ---------------------------------------------------------------------------
// x87 long double (64-bit significand, 15-bit exponent)

/** sign * m * 2^q; m = 0n is zero; `inf` marks an infinity. */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  q: number;
  inf?: boolean;
}

/** Exponent of the smallest subnormal (2^-16445). */
const LD_QMIN = -16445;
/** Every finite long double is below 2^16384. */
const LD_LIMIT_BITS = 16384;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are rejected. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Rounds n * 2^s (+ a nonzero amount below 2^s when `sticky`) to the nearest
 * long double, ties to even. Callers passing `sticky` give n at least 66 bits.
 */
function roundLD(neg: boolean, n: bigint, s: number, sticky: boolean): LongDouble {
  if (n === 0n) return { neg, m: 0n, q: 0 };
  const bl = bitLength(n);
  const shift = Math.max(bl - 64, LD_QMIN - s);
  let m = n;
  let q = s;
  if (shift > 0) {
    const sh = BigInt(shift);
    m = n >> sh;
    const rem = n - (m << sh);
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m++;
    q = s + shift;
    if (m === 1n << 64n) {
      m = 1n << 63n;
      q++;
    }
  }
  if (m === 0n) return { neg, m: 0n, q: 0 };
  if (bitLength(m) + q > LD_LIMIT_BITS) return { neg, m: 0n, q: 0, inf: true };
  return { neg, m, q };
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
}

function isDigit(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

function hexValue(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  const l = ch | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Reads an optionally signed exponent at i; [value (clamped), end] or null. */
function readExponent(s: string, i: number): [number, number] | null {
  let j = i;
  let neg = false;
  if (s[j] === "+" || s[j] === "-") {
    neg = s[j] === "-";
    j++;
  }
  if (!isDigit(s.charCodeAt(j))) return null;
  let v = 0;
  while (isDigit(s.charCodeAt(j))) {
    // Far past any long double range; clamping keeps the arithmetic small.
    if (v < 1e7) v = v * 10 + (s.charCodeAt(j) - 0x30);
    j++;
  }
  return [neg ? -v : v, j];
}

/**
 * Parses a value the way Redis's string2ld does: strtold over the whole
 * argument, no leading space, no
 * NaN, no overflow to infinity, no underflow to zero. Null when invalid.
 */
export function parseLongDouble(input: string): LongDouble | null {
  if (input.length === 0 || input.length >= MAX_LONG_DOUBLE_CHARS) return null;
  // A NUL would end strtold early; Redis requires the whole argument used.
  if (input.indexOf("\0") >= 0) return null;
  const s = input;
  if (isSpace(s.charCodeAt(0))) return null;
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  const rest = s.slice(i).toLowerCase();
  if (rest === "inf" || rest === "infinity") return { neg, m: 0n, q: 0, inf: true };
  if (
    (rest[0] === "0" && rest[1] === "x") &&
    (hexValue(rest.charCodeAt(2)) >= 0 ||
      (rest[2] === "." && hexValue(rest.charCodeAt(3)) >= 0))
  ) {
    return parseHex(rest, neg);
  }
  return parseDecimal(rest, neg);
}

function parseHex(s: string, neg: boolean): LongDouble | null {
  let j = 2;
  let n = 0n;
  let frac = 0;
  let seenDot = false;
  let hexDigits = "";
  for (; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    const v = hexValue(ch);
    if (v >= 0) {
      hexDigits += s[j];
      if (seenDot) frac++;
    } else if (ch === 0x2e && !seenDot) {
      seenDot = true;
    } else {
      break;
    }
  }
  n = BigInt("0x" + hexDigits);
  let exp = 0;
  if (s[j] === "p") {
    const e = readExponent(s, j + 1);
    if (e) [exp, j] = e;
  }
  if (j !== s.length) return null;
  return checkRange(roundLD(neg, n, exp - 4 * frac, false), n);
}

function parseDecimal(s: string, neg: boolean): LongDouble | null {
  let j = 0;
  let digits = "";
  let frac = 0;
  let seenDot = false;
  for (; j < s.length; j++) {
    const ch = s.charCodeAt(j);
    if (isDigit(ch)) {
      digits += s[j];
      if (seenDot) frac++;
    } else if (ch === 0x2e && !seenDot) {
      seenDot = true;
    } else {
      break;
    }
  }
  if (digits.length === 0) return null;
  let exp = 0;
  if (s[j] === "e") {
    const e = readExponent(s, j + 1);
    if (e) [exp, j] = e;
  }
  if (j !== s.length) return null;
  const d = BigInt(digits);
  if (d === 0n) return { neg, m: 0n, q: 0 };
  const e10 = exp - frac;
  const nd = d.toString().length;
  // Far outside the range: infinity or zero, without huge powers of ten.
  if (nd - 1 + e10 > 4940) return null;
  if (nd + e10 < -4960) return null;
  if (e10 >= 0) return checkRange(roundLD(neg, d * 10n ** BigInt(e10), 0, false), d);
  const den = 10n ** BigInt(-e10);
  const shift = Math.max(0, 66 + bitLength(den) - bitLength(d));
  const num = d << BigInt(shift);
  const quo = num / den;
  return checkRange(roundLD(neg, quo, -shift, quo * den !== num), d);
}

/** strtold's ERANGE cases that Redis rejects: overflow, underflow to zero. */
function checkRange(v: LongDouble, source: bigint): LongDouble | null {
  if (v.inf) return null;
  if (v.m === 0n && source !== 0n) return null;
  return v;
}

/** a + b rounded to a long double (NaN comes back as null). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return null;
    return a.inf ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, q: 0 } : b;
  if (b.m === 0n) return a;
  const q = Math.min(a.q, b.q);
  const x = a.m << BigInt(a.q - q);
  const y = b.m << BigInt(b.q - q);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return { neg: false, m: 0n, q: 0 };
  return roundLD(sum < 0n, sum < 0n ? -sum : sum, q, false);
}

/**
 * A finite long double as Redis's ld2string LD_STR_HUMAN prints it: "%.17Lf"
 * (exact, ties to even), trailing zeros and dot removed, "-0" as "0".
 */
export function formatLongDouble(v: LongDouble): string {
  if (v.inf) return v.neg ? "-inf" : "inf";
  let text: string;
  if (v.q >= 0) {
    text = (v.m << BigInt(v.q)).toString();
  } else {
    const x = v.m * 10n ** 17n;
    const sh = BigInt(-v.q);
    let r = x >> sh;
    const rem = x - (r << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (r & 1n) === 1n)) r++;
    const s = r.toString().padStart(18, "0");
    const frac = stripZeros(s.slice(-17));
    text = frac ? `${s.slice(0, -17)}.${frac}` : s.slice(0, -17);
  }
  if (text === "0") return "0";
  return v.neg ? "-" + text : text;
}

/**
 * INCRBYFLOAT / HINCRBYFLOAT: `current + increment` computed and printed as
 * Redis 7.0 does (long double, "%.17Lf" with trailing zeros removed).
 * Returns the new value, or an error reply text.
 */
export function incrByFloat(
  current: string,
  increment: string,
): { value: string } | { error: string } {
  const a = parseLongDouble(current);
  if (a === null) return { error: "ERR value is not a valid float" };
  const b = parseLongDouble(increment);
  if (b === null) return { error: "ERR value is not a valid float" };
  const sum = addLongDouble(a, b);
  if (sum === null || sum.inf) return { error: "ERR increment would produce NaN or Infinity" };
  return { value: formatLongDouble(sum) };
}

/**
 * A double as C's "%.<digits>f" prints it: the exact decimal expansion
 * rounded half-to-even (JS's toFixed rounds ties up, and only below 1e21).
 */
export function formatFixed(d: number, digits: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  const neg = d < 0 || Object.is(d, -0);
  const a = neg ? -d : d;
  // An exact tie at `digits` decimals is a double whose lowest set bit is 2^-(digits+1).
  const t = a * 2 ** (digits + 1);
  let text: string;
  if (a < 1e21 && !(Number.isInteger(t) && t % 2 === 1)) {
    text = a.toFixed(digits);
  } else if (a === 0) {
    text = a.toFixed(digits);
  } else {
    const [m, q] = decomposeDouble(a);
    let r: bigint;
    if (q >= 0) {
      r = (m << BigInt(q)) * 10n ** BigInt(digits);
    } else {
      const x = m * 10n ** BigInt(digits);
      const sh = BigInt(-q);
      r = x >> sh;
      const rem = x - (r << sh);
      const half = 1n << (sh - 1n);
      if (rem > half || (rem === half && (r & 1n) === 1n)) r++;
    }
    const s = r.toString().padStart(digits + 1, "0");
    text = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  }
  return neg ? "-" + text : text;
}

/**
 * A double as Redis's addReplyHumanLongDouble prints it (GEOPOS, WITHCOORD):
 * "%.17Lf" of the value widened to long double, trailing zeros and dot
 * removed, "-0" as "0".
 */
export function formatHumanDouble(d: number): string {
  if (!Number.isFinite(d)) return formatFixed(d, 17);
  const s = formatFixed(d, 17);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x30) end--;
  if (s.charCodeAt(end - 1) === 0x2e) end--;
  const out = s.slice(0, end);
  return out === "-0" ? "0" : out;
}
