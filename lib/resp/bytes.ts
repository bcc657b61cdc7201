/**
 * Keys and values travel through redeno as "binary strings": one UTF-16 code
 * unit per byte (0..255). V8 stores such strings one byte per character, so
 * they are as compact as a Uint8Array, can key a Map, and round-trip any byte
 * sequence exactly. These two functions are the only bridge between bytes and
 * binary strings.
 */

const CHUNK = 8192;

/** Bytes [start, end) of `buf` as a binary string. */
export function bytesToStr(buf: Uint8Array, start = 0, end = buf.length): string {
  const len = end - start;
  if (len <= 16) {
    // Short arguments dominate; a loop beats building an argument list.
    let s = "";
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
    return s;
  }
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
