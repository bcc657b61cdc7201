/**
 * Glob matching with Redis's stringmatchlen rules: `*`, `?`, `[abc]`,
 * `[^abc]`, `[a-z]` (reversed ranges allowed), and `\` escapes. Pattern and
 * subject are binary strings. Like the C code, bytes compare as signed chars
 * in ranges, and a `*` that failed to match once stops longer attempts, which
 * keeps hostile patterns linear instead of exponential.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  const state = { skipLonger: false };
  return matchAt(pattern, 0, subject, 0, nocase, state);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

function matchAt(
  pat: string,
  pi: number,
  str: string,
  si: number,
  nocase: boolean,
  state: { skipLonger: boolean },
): boolean {
  const plen = pat.length;
  const slen = str.length;
  // C reads the NUL terminator past the end of the pattern.
  const p = (i: number) => (i < plen ? pat.charCodeAt(i) : 0);
  while (pi < plen && si < slen) {
    switch (p(pi)) {
      case 0x2a: // *
        while (pi + 1 < plen && p(pi + 1) === 0x2a) pi++;
        if (pi + 1 === plen) return true;
        while (si < slen) {
          if (matchAt(pat, pi + 1, str, si, nocase, state)) return true;
          if (state.skipLonger) return false;
          si++;
        }
        state.skipLonger = true;
        return false;
      case 0x3f: // ?
        si++;
        break;
      case 0x5b: { // [
        pi++;
        const not = p(pi) === 0x5e;
        if (not) pi++;
        let match = false;
        const sc = str.charCodeAt(si);
        for (;;) {
          if (p(pi) === 0x5c && plen - pi >= 2) {
            pi++;
            if (p(pi) === sc) match = true;
          } else if (p(pi) === 0x5d) {
            break;
          } else if (pi >= plen) {
            pi--;
            break;
          } else if (plen - pi >= 3 && p(pi + 1) === 0x2d) {
            let start = signed(p(pi));
            let end = signed(p(pi + 2));
            let c = signed(sc);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? lower(p(pi)) === lower(sc) : p(pi) === sc) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) return false;
        si++;
        break;
      }
      case 0x5c: // backslash
        if (plen - pi >= 2) pi++;
      /* falls through */
      default: {
        const pc = p(pi);
        const sc = str.charCodeAt(si);
        if (nocase ? lower(pc) !== lower(sc) : pc !== sc) return false;
        si++;
      }
    }
    pi++;
    if (si === slen) {
      while (p(pi) === 0x2a) pi++;
      break;
    }
  }
  return pi >= plen && si === slen;
}
