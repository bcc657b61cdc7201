/**
 * RESP request decoder: bytes in, batches of commands out. Follows Redis 7.0's
 * processMultibulkBuffer / processInlineBuffer, including their limits and
 * exact protocol error texts. Arguments come out as binary strings.
 */
import { bytesToStr } from "./bytes.ts";
import { splitArgs } from "./splitargs.ts";

/** Longest inline request or length line Redis accepts before a CRLF. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Bulk arguments at least this long are collected in one preallocated buffer. */
const BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;

export interface DecoderLimits {
  /** proto-max-bulk-len */
  maxBulkLen(): number;
  /** client-query-buffer-limit */
  maxQueryBuffer(): number;
  /** True while the client still has to authenticate (tighter limits). */
  authRequired(): boolean;
}

/** What one chunk of input produced. */
export interface CommandBatch {
  commands: string[][];
  /** A protocol error: reply with `-ERR <protocolError>` then close. */
  protocolError?: string;
  /** The query buffer limit was passed: close without a reply, as Redis does. */
  overflow?: boolean;
}

/** Incremental parser. Feed it chunks in order; it keeps partial frames. */
export class RespParser {
  #pending: Uint8Array | null = null;
  #mbRemaining = 0; // bulk arguments still expected by the current multibulk
  #args: string[] = [];
  #bulkLen = -1; // declared length of the bulk being read, -1 before its header
  #big: Uint8Array | null = null; // preallocated storage for a large bulk
  #bigFill = 0;
  #failed = false;

  constructor(private limits: DecoderLimits) {}

  /** Bytes held for frames not complete yet (for CLIENT LIST qbuf). */
  get buffered(): number {
    return (this.#pending?.length ?? 0) + this.#bigFill;
  }

  /** Arguments of a command whose remaining arguments have not arrived (CLIENT LIST argv-mem). */
  get partialArgs(): readonly string[] {
    return this.#args;
  }

  feed(chunk: Uint8Array): CommandBatch {
    const commands: string[][] = [];
    if (this.#failed) return { commands };
    let buf = chunk;
    let pos = 0;
    if (this.#big) {
      const need = this.#big.length - this.#bigFill;
      const take = Math.min(need, chunk.length);
      this.#big.set(chunk.subarray(0, take), this.#bigFill);
      this.#bigFill += take;
      if (this.#bigFill < this.#big.length) return this.#checkOverflow(commands);
      this.#args.push(bytesToStr(this.#big, 0, this.#big.length - 2));
      this.#big = null;
      this.#bigFill = 0;
      this.#bulkLen = -1;
      if (--this.#mbRemaining === 0) {
        commands.push(this.#args);
        this.#args = [];
      }
      pos = take;
    } else if (this.#pending) {
      buf = new Uint8Array(this.#pending.length + chunk.length);
      buf.set(this.#pending);
      buf.set(chunk, this.#pending.length);
      this.#pending = null;
    }
    const len = buf.length;
    let maxBulk = -1;

    parse: while (pos < len || this.#mbRemaining > 0) {
      if (this.#mbRemaining === 0) {
        if (buf[pos] === 0x2a /* * */) {
          const cr = findCR(buf, pos, len);
          if (cr < 0 || cr + 1 >= len) {
            if (cr < 0 && len - pos > PROTO_INLINE_MAX_SIZE) {
              return this.#fail(commands, "too big mbulk count string");
            }
            break;
          }
          const n = parseLength(buf, pos + 1, cr);
          if (n === null || n > INT_MAX) {
            return this.#fail(commands, "invalid multibulk length");
          }
          if (n > 10 && this.limits.authRequired()) {
            return this.#fail(commands, "unauthenticated multibulk length");
          }
          pos = cr + 2;
          if (n <= 0) continue; // "*0" and "*-1" are empty commands
          this.#mbRemaining = n;
          this.#args = [];
        } else {
          const lf = findByte(buf, 0x0a, pos, len);
          if (lf < 0) {
            if (len - pos > PROTO_INLINE_MAX_SIZE) {
              return this.#fail(commands, "too big inline request");
            }
            break;
          }
          const end = lf > pos && buf[lf - 1] === 0x0d ? lf - 1 : lf;
          const args = splitArgs(bytesToStr(buf, pos, end));
          if (args === null) {
            return this.#fail(commands, "unbalanced quotes in request");
          }
          pos = lf + 1;
          if (args.length > 0) commands.push(args);
          continue;
        }
      }
      while (this.#mbRemaining > 0) {
        if (this.#bulkLen < 0) {
          const cr = findCR(buf, pos, len);
          if (cr < 0 || cr + 1 >= len) {
            if (cr < 0 && len - pos > PROTO_INLINE_MAX_SIZE) {
              return this.#fail(commands, "too big bulk count string");
            }
            break parse;
          }
          if (buf[pos] !== 0x24 /* $ */) {
            return this.#fail(
              commands,
              `expected '$', got '${String.fromCharCode(buf[pos])}'`,
            );
          }
          const n = parseLength(buf, pos + 1, cr);
          if (maxBulk < 0) maxBulk = this.limits.maxBulkLen(); // once per chunk, not per bulk
          if (n === null || n < 0 || n > maxBulk) {
            return this.#fail(commands, "invalid bulk length");
          }
          if (n > 16384 && this.limits.authRequired()) {
            return this.#fail(commands, "unauthenticated bulk length");
          }
          pos = cr + 2;
          this.#bulkLen = n;
        }
        const n = this.#bulkLen;
        if (len - pos >= n + 2) {
          // Like Redis, the two bytes after the data are skipped unchecked.
          this.#args.push(bytesToStr(buf, pos, pos + n));
          pos += n + 2;
          this.#bulkLen = -1;
          this.#mbRemaining--;
        } else if (n >= BIG_ARG) {
          this.#big = new Uint8Array(n + 2);
          this.#big.set(buf.subarray(pos, len));
          this.#bigFill = len - pos;
          pos = len;
          break parse;
        } else {
          break parse;
        }
      }
      commands.push(this.#args);
      this.#args = [];
    }
    if (pos < len) {
      this.#pending = pos === 0 && buf !== chunk ? buf : buf.slice(pos);
    }
    return this.#checkOverflow(commands);
  }

  #checkOverflow(commands: string[][]): CommandBatch {
    if (this.buffered > this.limits.maxQueryBuffer()) {
      this.#failed = true;
      this.#pending = null;
      this.#big = null;
      return { commands, overflow: true };
    }
    return { commands };
  }

  #fail(commands: string[][], message: string): CommandBatch {
    this.#failed = true;
    this.#pending = null;
    this.#big = null;
    return { commands, protocolError: `Protocol error: ${message}` };
  }
}

/**
 * The web-streams face of the decoder: a TransformStream from raw chunks to
 * command batches. Exactly one batch per chunk (empty when the chunk only
 * continues a frame), so a connection writes a chunk and reads its batch,
 * and the replies to a chunk go out in one write.
 */
export class RespDecoderStream extends TransformStream<Uint8Array, CommandBatch> {
  readonly parser: RespParser;
  constructor(limits: DecoderLimits) {
    const parser = new RespParser(limits);
    super({
      transform(chunk, controller) {
        controller.enqueue(parser.feed(chunk));
      },
    });
    this.parser = parser;
  }
}

/**
 * Index of the first CR at or after `from`, or -1. Redis finds it with strchr,
 * which stops at a NUL byte: a NUL before the CR means "not found yet".
 */
function findCR(buf: Uint8Array, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i];
    if (c === 0x0d) return i;
    if (c === 0) return -1;
  }
  return -1;
}

/** Like findCR but for any byte; also stops at NUL (strchr again). */
function findByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = buf[i];
    if (c === byte) return i;
    if (c === 0) return -1;
  }
  return -1;
}

/**
 * Parses the digits in [start, end) as Redis's string2ll would: optional '-',
 * no '+', no leading zeros, no spaces. Returns null when invalid; values past
 * 2^53 only need to compare as "too big", which a double still does.
 */
function parseLength(buf: Uint8Array, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    if (++i === end) return null;
  }
  if (buf[i] === 0x30) return end - i === 1 && !neg ? 0 : null;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}
