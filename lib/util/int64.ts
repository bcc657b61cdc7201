/** Signed 64-bit integers as Redis parses them (string2ll). */

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer with Redis's string2ll rules: optional '-',
 * digits only, no '+', no leading zeros, no spaces, at most 20 characters.
 * Returns a number when it is a safe integer, a bigint beyond that, or null.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 0x2d) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 0x30) return n === 1 ? 0 : null;
  if (first < 0x31 || first > 0x39) return null;
  for (let j = i + 1; j < n; j++) {
    const d = s.charCodeAt(j);
    if (d < 0x30 || d > 0x39) return null;
  }
  if (n - i <= 15) return Number(s);
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big;
}
