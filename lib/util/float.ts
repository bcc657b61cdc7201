/**
 * Number formatting as Redis prints it.
 * PLACEHOLDER: formatDouble below is C's "%.17g" without exact tie rounding;
 * replaced by the strings work (exact %.17g and long double arithmetic).
 */

/** A double as Redis 7.0 replies with it (C "%.17g", inf / -inf / nan). */
export function formatDouble(d: number): string {
  if (d === Infinity) return "inf";
  if (d === -Infinity) return "-inf";
  if (Number.isNaN(d)) return "nan";
  if (d === 0) return Object.is(d, -0) ? "-0" : "0";
  const exp = d.toExponential(16);
  const [mant, e] = exp.split("e");
  const x = Number(e);
  if (x < -4 || x >= 17) {
    const m = mant.includes(".") ? mant.replace(/\.?0+$/, "") : mant;
    const ax = Math.abs(x);
    return `${m}e${x < 0 ? "-" : "+"}${ax < 10 ? "0" + ax : ax}`;
  }
  const fixed = d.toFixed(16 - x);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/**
 * INCRBYFLOAT / HINCRBYFLOAT: `current + increment` computed and printed as
 * Redis 7.0 does (long double, "%.17Lf" with trailing zeros removed).
 * Returns the new value, or an error reply text.
 * PLACEHOLDER (doubles, not long doubles) until the strings work lands.
 */
export function incrByFloat(
  current: string,
  increment: string,
): { value: string } | { error: string } {
  const a = Number(current);
  const b = Number(increment);
  if (Number.isNaN(a) || /^\s/.test(current)) return { error: "ERR value is not a valid float" };
  if (Number.isNaN(b) || /^\s/.test(increment)) return { error: "ERR value is not a valid float" };
  const r = a + b;
  if (!Number.isFinite(r)) return { error: "ERR increment would produce NaN or Infinity" };
  const s = r.toFixed(17).replace(/\.?0+$/, "");
  return { value: s };
}
