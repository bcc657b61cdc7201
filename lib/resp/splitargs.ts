/**
 * Splits a line into arguments the way Redis's sdssplitargs does: used for
 * inline commands (typed into telnet/nc) and for redis.conf lines, so both
 * follow one set of quoting rules.
 *
 * Input and output are binary strings. Returns null on unbalanced quotes or a
 * closing quote not followed by a space.
 */
export function splitArgs(line: string): string[] | null {
  const args: string[] = [];
  const n = line.length;
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    // A NUL ends the line for the C implementation, whatever follows it.
    if (p >= n || line.charCodeAt(p) === 0) return args;
    let inq = false; // inside "double quotes"
    let insq = false; // inside 'single quotes'
    let done = false;
    let cur = "";
    while (!done) {
      const c = p < n ? line.charCodeAt(p) : 0;
      if (inq) {
        if (
          c === 0x5c /* \ */ && charAt(line, p + 1) === 0x78 /* x */ &&
          isHex(charAt(line, p + 2)) && isHex(charAt(line, p + 3))
        ) {
          cur += String.fromCharCode(
            hexVal(charAt(line, p + 2)) * 16 + hexVal(charAt(line, p + 3)),
          );
          p += 3;
        } else if (c === 0x5c && charAt(line, p + 1) !== 0) {
          p++;
          const e = line.charCodeAt(p);
          switch (e) {
            case 0x6e: // n
              cur += "\n";
              break;
            case 0x72: // r
              cur += "\r";
              break;
            case 0x74: // t
              cur += "\t";
              break;
            case 0x62: // b
              cur += "\b";
              break;
            case 0x61: // a
              cur += "\x07";
              break;
            default:
              cur += line[p];
          }
        } else if (c === 0x22 /* " */) {
          const next = charAt(line, p + 1);
          if (next !== 0 && !isSpace(next)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[p];
        }
      } else if (insq) {
        if (c === 0x5c && charAt(line, p + 1) === 0x27 /* ' */) {
          p++;
          cur += "'";
        } else if (c === 0x27) {
          const next = charAt(line, p + 1);
          if (next !== 0 && !isSpace(next)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[p];
        }
      } else {
        switch (c) {
          case 0x20:
          case 0x0a:
          case 0x0d:
          case 0x09:
          case 0:
            done = true;
            break;
          case 0x22:
            inq = true;
            break;
          case 0x27:
            insq = true;
            break;
          default:
            cur += line[p];
        }
      }
      // C leaves p on a NUL, so the outer loop ends the line there.
      if (c !== 0) p++;
    }
    args.push(cur);
  }
}

function charAt(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/** C isspace(): space, \t, \n, \v, \f, \r. */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) ||
    (c >= 0x41 && c <= 0x46);
}

function hexVal(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c >= 0x61) return c - 0x61 + 10;
  return c - 0x41 + 10;
}
