import { writeStr } from "../resp/bytes.ts";

/**
 * A growable byte buffer: the one place that grows a Uint8Array and copies
 * bytes or binary strings into it. The reply encoder and the RDB writer
 * extend it with their own framing.
 */
export class ByteBuffer {
  buf: Uint8Array;
  pos = 0;

  constructor(initial: number) {
    this.buf = new Uint8Array(initial);
  }

  /** Makes room for `n` more bytes (at least doubling, to stay amortized O(1)). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Bytes, copied as they are. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A binary string, byte for byte, with no framing. */
  str(s: string): void {
    const n = s.length;
    this.ensure(n);
    writeStr(s, this.buf, this.pos);
    this.pos += n;
  }
}

/** The chunks joined into one array. */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return all;
}
