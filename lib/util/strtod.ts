/**
 * C's strtod (glibc, C locale) over a binary string: how far a number reads
 * and whether it was out of range (errno ERANGE). Commands that accept
 * "whatever strtod takes" (SORT's scores) decide the rest themselves.
 */

/** What strtod read: the value, the index just past it, and ERANGE. */
export interface StrtodResult {
  value: number;
  /** Index after the last character used; 0 when nothing was converted. */
  end: number;
  /** True on overflow, or on an inexact result below DBL_MIN (glibc's underflow). */
  erange: boolean;
}

const DBL_MIN = 2.2250738585072014e-308;

/** C isspace in the C locale. */
export function isCSpace(ch: number): boolean {
  return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
}

function isDigit(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

function hexValue(ch: number): number {
  if (isDigit(ch)) return ch - 0x30;
  const l = ch | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** Case-insensitive `word` at s[i..]. */
function hasWord(s: string, i: number, word: string): boolean {
  return s.slice(i, i + word.length).toLowerCase() === word;
}

/** End of an optional exponent ("e"/"p", sign, digits) at i, or i when there is none. */
function exponentEnd(s: string, i: number, marker: number): number {
  if ((s.charCodeAt(i) | 0x20) !== marker) return i;
  let j = i + 1;
  if (s[j] === "+" || s[j] === "-") j++;
  if (!isDigit(s.charCodeAt(j))) return i;
  while (isDigit(s.charCodeAt(j))) j++;
  return j;
}

/** Parses like strtod(s, &end); `s` should not contain NUL (C strings end there). */
export function strtod(s: string): StrtodResult {
  let i = 0;
  while (isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const sign = neg ? -1 : 1;
  if (hasWord(s, i, "inf")) {
    const end = hasWord(s, i, "infinity") ? i + 8 : i + 3;
    return { value: sign * Infinity, end, erange: false };
  }
  if (hasWord(s, i, "nan")) {
    let end = i + 3;
    // nan(n-char-sequence) is consumed only when the parenthesis closes.
    if (s[end] === "(") {
      let j = end + 1;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j])) j++;
      if (s[j] === ")") end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (s[i] === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
    const hex = parseHex(s, i + 2, sign);
    if (hex !== null) return hex;
  }
  // Decimal: digits [. digits] [e [sign] digits], at least one digit.
  const start = i;
  let digits = 0;
  while (isDigit(s.charCodeAt(i))) i++, digits++;
  if (s[i] === ".") {
    i++;
    while (isDigit(s.charCodeAt(i))) i++, digits++;
  }
  if (digits === 0) return { value: 0, end: 0, erange: false };
  const mantissaEnd = i;
  i = exponentEnd(s, i, 0x65);
  const text = s.slice(start, i);
  const value = sign * Number(text);
  return { value, end: i, erange: decimalOutOfRange(value, s.slice(start, mantissaEnd), text) };
}

/** Overflow, or underflow that lost precision (glibc sets ERANGE then). */
function decimalOutOfRange(value: number, mantissa: string, text: string): boolean {
  const a = Math.abs(value);
  if (a === Infinity) return true;
  if (a >= DBL_MIN) return false;
  const digits = mantissa.replace(".", "").replace(/^0+/, "");
  if (digits === "") return false; // a true zero
  if (a === 0) return true;
  // Subnormal: exact only if digits * 10^e10 == m * 2^-1074 for the integer m.
  const dot = mantissa.indexOf(".");
  const frac = dot < 0 ? 0 : mantissa.length - dot - 1;
  const ePos = text.search(/[eE]/);
  const exp = ePos < 0 ? 0 : Number(text.slice(ePos + 1));
  const e10 = exp - frac;
  const m = BigInt(a * 2 ** 537 * 2 ** 537);
  const d = BigInt(digits.replace(/0+$/, "") || "0");
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  const p10 = e10 + trailing;
  const lhs = d * (1n << 1074n);
  return p10 >= 0 ? lhs * 10n ** BigInt(p10) !== m : lhs !== m * 10n ** BigInt(-p10);
}

/** Hexadecimal float after "0x"; null when no hex digit follows (then "0" alone is read). */
function parseHex(s: string, i: number, sign: number): StrtodResult | null {
  let mant = 0n;
  let digits = 0;
  let frac = 0;
  while (hexValue(s.charCodeAt(i)) >= 0) {
    mant = mant * 16n + BigInt(hexValue(s.charCodeAt(i++)));
    digits++;
  }
  if (s[i] === ".") {
    i++;
    while (hexValue(s.charCodeAt(i)) >= 0) {
      mant = mant * 16n + BigInt(hexValue(s.charCodeAt(i++)));
      digits++;
      frac++;
    }
  }
  if (digits === 0) return null;
  const expEnd = exponentEnd(s, i, 0x70);
  const exp = expEnd === i ? 0 : Math.max(-1e6, Math.min(1e6, Number(s.slice(i + 1, expEnd))));
  if (mant === 0n) return { value: sign * 0, end: expEnd, erange: false };
  let e2 = exp - 4 * frac;
  // Keep 64 significant bits and a sticky bit: one correct rounding below.
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const cut = BigInt(bits - 64);
    const kept = mant >> cut;
    mant = (kept << 1n) | (mant === kept << cut ? 0n : 1n);
    e2 += bits - 65;
  }
  const top = mant.toString(2).length + e2; // value in [2^(top-1), 2^top)
  if (top > 1024) return { value: sign * Infinity, end: expEnd, erange: true };
  if (top > -1022) {
    const value = Number(mant) * 2 ** Math.max(e2, -1000) * 2 ** Math.min(e2 + 1000, 0);
    return { value: sign * value, end: expEnd, erange: !Number.isFinite(value) };
  }
  // Subnormal or zero: round to the 2^-1074 grid; inexact means ERANGE.
  const shift = e2 + 1074;
  if (shift >= 0) {
    return { value: sign * Number(mant << BigInt(shift)) * 2 ** -1074, end: expEnd, erange: false };
  }
  const cut = BigInt(-shift);
  let scaled = mant >> cut;
  const rest = mant - (scaled << cut);
  const half = 1n << (cut - 1n);
  if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++;
  return { value: sign * Number(scaled) * 2 ** -1074, end: expEnd, erange: rest !== 0n };
}
