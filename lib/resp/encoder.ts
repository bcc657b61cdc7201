/**
 * Reply encoder. Handlers write straight into the connection's ReplyWriter;
 * everything written while one input batch runs goes out in a single write.
 * Shapes that differ between RESP2 and RESP3 (null, map, set, double,
 * boolean, verbatim) are chosen here, never in handlers.
 */
import { ByteBuffer } from "../util/bytebuf.ts";
import { writeStr } from "./bytes.ts";
import { formatDouble } from "../util/float.ts";

const CRLF_LEN = 2;

export type Protocol = 2 | 3;

/** The size a reply buffer starts at before replies grow it. */
const FIRST_BUFFER_BYTES = 512;

export class ReplyWriter extends ByteBuffer {
  resp: Protocol = 2;
  /** Error replies written so far (the dispatcher counts failed calls). */
  errors = 0;
  /** Told the error code ("ERR", "WRONGTYPE", ...) of each error reply. */
  onError: ((code: string) => void) | null = null;

  /**
   * Redis's reply buffer size (CLIENT LIST rbs), which the client cron
   * shrinks for quiet clients and grows back (resize()); a batch starts in a
   * buffer no larger than this.
   */
  capacity: number;

  constructor(initial = 16 * 1024) {
    // The buffer itself starts small and grows as replies need (an idle
    // client keeps 512 bytes, not 16 KB); `capacity` is what Redis allocates.
    super(Math.min(initial, FIRST_BUFFER_BYTES));
    this.capacity = initial;
  }

  /**
   * Sets the starting buffer size. Shrinking gives memory back only while
   * nothing is buffered (an idle client): a busy one keeps its buffers, or
   * a subscriber with a backlog would grow a new one by doubling every time
   * the cron moved its size (a third of the server's time with 1,000).
   */
  resize(size: number): void {
    const shrink = size < this.capacity;
    this.capacity = size;
    if (shrink && this.pos === 0) {
      this.#spare = null;
      if (this.buf.length > size) this.buf = new Uint8Array(size);
    }
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far, as a fresh array; the writer is emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    // Give back memory after a huge reply instead of keeping it per client.
    if (this.buf.length > 1024 * 1024) this.buf = new Uint8Array(16 * 1024);
    return out;
  }

  /** A buffer given back by recycle(), used by the next lend(). */
  #spare: Uint8Array | null = null;

  /**
   * The bytes written so far, without copying: the writer moves on to another
   * buffer, and the caller gives this one back with recycle() once it is
   * written out. A copy per reply batch measured about 4% of a GET.
   */
  lend(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = this.#spare ?? new Uint8Array(Math.min(this.capacity, this.buf.length));
    this.#spare = null;
    this.pos = 0;
    return out;
  }

  /** Gives back a buffer from lend() (huge ones are dropped). */
  recycle(lent: Uint8Array): void {
    const size = lent.buffer.byteLength;
    if (size <= 1024 * 1024) this.#spare = new Uint8Array(lent.buffer);
  }

  /** Drops what was written since `mark` (a former `length`). */
  truncate(mark: number): void {
    this.pos = mark;
  }

  #line(prefix: number, s: string): void {
    const n = s.length;
    this.ensure(n + 3);
    const b = this.buf;
    let p = this.pos;
    b[p++] = prefix;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  #int(prefix: number, n: number): void {
    this.#line(prefix, String(n));
  }

  simple(s: string): void {
    this.#line(0x2b, s);
  }

  ok(): void {
    this.raw(OK);
  }

  /**
   * An error reply, sanitized as Redis's addReplyErrorFormat does: CR/LF
   * trimmed from both ends, those inside become spaces (the reply stays one
   * line whatever user bytes it quotes).
   */
  error(message: string): void {
    if (message.indexOf("\r") >= 0 || message.indexOf("\n") >= 0) {
      message = message.replace(/^[\r\n]+|[\r\n]+$/g, "");
    }
    this.errorNoTrim(message);
  }

  /** An error reply with CR/LF mapped to spaces but not trimmed (rejectCommandFormat). */
  errorNoTrim(message: string): void {
    if (message.indexOf("\r") >= 0 || message.indexOf("\n") >= 0) {
      message = message.replace(/[\r\n]/g, " ");
    }
    this.errors++;
    if (this.onError) {
      const space = message.indexOf(" ");
      this.onError(space < 0 ? message : message.slice(0, space));
    }
    this.#line(0x2d, message);
  }

  int(n: number | bigint): void {
    if (typeof n === "number" && n >= 0 && n < SMALL_INTS.length) {
      this.raw(SMALL_INTS[n]);
    } else {
      this.#line(0x3a, String(n));
    }
  }

  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 24);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x24;
    if (n < 10) {
      b[p++] = 0x30 + n;
    } else {
      const len = String(n);
      for (let i = 0; i < len.length; i++) b[p++] = len.charCodeAt(i);
    }
    b[p++] = 13;
    b[p++] = 10;
    writeStr(s, b, p);
    p += n;
    b[p++] = 13;
    b[p++] = 10;
    this.pos = p;
  }

  bulkBytes(bytes: Uint8Array): void {
    this.#int(0x24, bytes.length);
    this.ensure(bytes.length + CRLF_LEN);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  /** A bulk reply, or the null bulk when `s` is undefined or null. */
  bulkOrNull(s: string | null | undefined): void {
    if (s === undefined || s === null) this.nullBulk();
    else this.bulk(s);
  }

  /** The null of a missing string: `$-1` in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.raw(this.resp === 2 ? NULL_BULK : NULL3);
  }

  /** The null of a missing aggregate: `*-1` in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.raw(this.resp === 2 ? NULL_ARRAY : NULL3);
  }

  array(n: number): void {
    if (n < SMALL_ARRAYS.length) this.raw(SMALL_ARRAYS[n]);
    else this.#int(0x2a, n);
  }

  /** A map of n pairs: `%n` in RESP3, a flat array of 2n in RESP2. */
  map(n: number): void {
    if (this.resp === 3) this.#int(0x25, n);
    else this.array(n * 2);
  }

  /** A set of n members: `~n` in RESP3, an array in RESP2. */
  set(n: number): void {
    if (this.resp === 3) this.#int(0x7e, n);
    else this.array(n);
  }

  /** A push message header (RESP3 only; RESP2 sends an array). */
  push(n: number): void {
    if (this.resp === 3) this.#int(0x3e, n);
    else this.array(n);
  }

  /** A double: `,d` in RESP3, a bulk string in RESP2, formatted as Redis does. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 3) this.#line(0x2c, s);
    else this.bulk(s);
  }

  /** A double already formatted (GEOPOS coordinates): `,text` in RESP3, a bulk string in RESP2. */
  doubleText(text: string): void {
    if (this.resp === 3) this.#line(0x2c, text);
    else this.bulk(text);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? TRUE3 : FALSE3);
    else this.int(b ? 1 : 0);
  }

  /** Text meant for humans (INFO, CLIENT LIST): `=len\r\ntxt:` in RESP3. */
  verbatim(s: string, format = "txt"): void {
    if (this.resp === 2) return this.bulk(s);
    this.#int(0x3d, s.length + 4);
    this.str(format + ":");
    this.str(s);
    this.str("\r\n");
  }
}

/** Encodes a constant reply once, for use with ReplyWriter.raw. */
export function constReply(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

const OK = constReply("+OK\r\n");
const NULL_BULK = constReply("$-1\r\n");
const NULL_ARRAY = constReply("*-1\r\n");
const NULL3 = constReply("_\r\n");
const TRUE3 = constReply("#t\r\n");
const FALSE3 = constReply("#f\r\n");
const SMALL_INTS = Array.from({ length: 1024 }, (_, i) => constReply(`:${i}\r\n`));
const SMALL_ARRAYS = Array.from({ length: 64 }, (_, i) => constReply(`*${i}\r\n`));
