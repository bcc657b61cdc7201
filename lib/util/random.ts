/** Random choices shared by the commands that pick members at random. */

/**
 * Above count * this > size, Redis copies the whole collection and removes
 * from it rather than drawing until it has `count` distinct members
 * (SRANDMEMBER_SUB_STRATEGY_MUL, HRANDFIELD_SUB_STRATEGY_MUL, ...).
 */
const SUB_STRATEGY_MUL = 3;

/**
 * `count` distinct positions in 0..size-1 (count < size), uniformly: a
 * partial Fisher-Yates shuffle when count is a large share of size, else
 * draws until that many distinct ones came up (in the order drawn).
 */
export function distinctRandomIndexes(size: number, count: number): number[] {
  if (count * SUB_STRATEGY_MUL > size) {
    const all = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  const seen = new Set<number>();
  while (seen.size < count) seen.add(Math.floor(Math.random() * size));
  return [...seen];
}

/** `n` random hex digits from the system's secure source (run ids, replication ids, ACL GENPASS). */
export function randomHex(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(n / 2)));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex.slice(0, n);
}
