/**
 * Keys and values travel through redeno as "binary strings": one UTF-16 code
 * unit per byte (0..255). V8 stores such strings one byte per character, so
 * they are as compact as a Uint8Array, can key a Map, and round-trip any byte
 * sequence exactly. These two functions are the only bridge between bytes and
 * binary strings.
 */

const CHUNK = 8192;
const c = String.fromCharCode;

/** Bytes [start, end) of `buf` as a binary string. */
export function bytesToStr(buf: Uint8Array, start = 0, end = buf.length): string {
  const len = end - start;
  if (len <= 16) return shortBytesToStr(buf, start, len);
  if (len <= CHUNK) {
    return String.fromCharCode.apply(
      null,
      buf.subarray(start, end) as unknown as number[],
    );
  }
  const parts: string[] = [];
  for (let i = start; i < end; i += CHUNK) {
    parts.push(
      String.fromCharCode.apply(
        null,
        buf.subarray(i, Math.min(i + CHUNK, end)) as unknown as number[],
      ),
    );
  }
  return parts.join("");
}

/**
 * Short arguments (most keys) with one fromCharCode call of fixed arity:
 * measured 3x faster than apply() on a subarray, and unlike `s += char`
 * (which makes a cons string past 12 characters) the result is flat, so a
 * Map lookup does not have to flatten it first and a stored key is one object.
 */
function shortBytesToStr(b: Uint8Array, s: number, len: number): string {
  switch (len) {
    case 0:
      return "";
    case 1:
      return c(b[s]);
    case 2:
      return c(b[s], b[s + 1]);
    case 3:
      return c(b[s], b[s + 1], b[s + 2]);
    case 4:
      return c(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return c(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return c(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return c(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return c(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
      );
    case 10:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
      );
    case 11:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
      );
    case 12:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
      );
    case 13:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
      );
    case 14:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
      );
    case 15:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
      );
    case 16:
      return c(
        b[s],
        b[s + 1],
        b[s + 2],
        b[s + 3],
        b[s + 4],
        b[s + 5],
        b[s + 6],
        b[s + 7],
        b[s + 8],
        b[s + 9],
        b[s + 10],
        b[s + 11],
        b[s + 12],
        b[s + 13],
        b[s + 14],
        b[s + 15],
      );
  }
  throw new RangeError(`shortBytesToStr: length ${len}`);
}

/** A binary string back to bytes. */
export function strToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const utf8Encoder = new TextEncoder();

/** A JavaScript (UTF-16) string as the binary string of its UTF-8 bytes. */
export function utf8ToStr(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  return bytesToStr(utf8Encoder.encode(text));
}

const utf8Decoder = new TextDecoder();

/** A binary string holding UTF-8 bytes, as readable text (for logs, file names). */
export function strToUtf8(s: string): string {
  return utf8Decoder.decode(strToBytes(s));
}
