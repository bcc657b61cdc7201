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
