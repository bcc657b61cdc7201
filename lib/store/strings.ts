/**
 * String values. A plain binary string is the compact form (Redis's "int"
 * or "embstr"/"raw" depending on content and length); strings grown in
 * place by APPEND/SETRANGE use a growable byte buffer (RawString).
 */
import { parseInt64 } from "../util/int64.ts";
import { bytesToStr } from "../resp/bytes.ts";
import type { StoredObject, Value } from "./keyspace.ts";

/** Redis keeps strings of at most 44 bytes in one allocation (embstr). */
export const EMBSTR_MAX = 44;

/**
 * The longest string a JS string can hold (V8's limit, 2^29 - 24): 24
 * bytes short of Redis's default proto-max-bulk-len. A longer value (a
 * 512 MB bitmap) lives only as a RawString: it is saved and loaded as
 * bytes, and must never be turned into a JS string (stringOf, toString).
 */
export const MAX_STRING_BYTES = 2 ** 29 - 24;

/** OBJECT ENCODING of a plain (immutable) string value. */
export function stringEncoding(s: string): "int" | "embstr" | "raw" {
  if (s.length <= 20 && parseInt64(s) !== null) return "int";
  return s.length <= EMBSTR_MAX ? "embstr" : "raw";
}

/** The bytes of a string value as a binary string, or undefined for other types. */
export function stringOf(v: Value): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof RawString) return v.toString();
  if (v instanceof EmbString) return v.value;
  return undefined;
}

/** Length in bytes of a string value (any representation). */
export function stringLength(v: string | RawString | EmbString): number {
  return typeof v === "string" ? v.length : v.length;
}

/** Every representation of a string value. */
export type StringValue = string | RawString | EmbString;

/** True for every representation of a string value. */
export function isStringValue(v: Value): v is StringValue {
  return typeof v === "string" || v instanceof RawString || v instanceof EmbString;
}

/** Past this size, grow by half instead of doubling (as sds grows by 1MB steps). */
const GROW_DOUBLE_MAX = 1024 * 1024;

/**
 * A mutable string (Redis's "raw" encoding after APPEND/SETRANGE): a byte
 * buffer with spare room, so repeated APPENDs are amortized O(1) and
 * SETRANGE writes in place.
 */
export class RawString implements StoredObject {
  readonly type = "string";
  #buf: Uint8Array;
  #len: number;

  /** A copy of `init` with room for `capacity` bytes. */
  constructor(init: string | Uint8Array = "", capacity = init.length) {
    const n = init.length;
    this.#buf = new Uint8Array(Math.max(capacity, n));
    if (typeof init === "string") {
      const b = this.#buf;
      for (let i = 0; i < n; i++) b[i] = init.charCodeAt(i);
    } else {
      this.#buf.set(init);
    }
    this.#len = n;
  }

  get length(): number {
    return this.#len;
  }

  /** Bytes the buffer holds, spare room included (memory accounting). */
  get capacity(): number {
    return this.#buf.length;
  }

  encoding(): string {
    return "raw";
  }

  clone(): RawString {
    return new RawString(this.bytes());
  }

  /** The bytes (a view valid until the next change). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Bytes [start, end) as a binary string. */
  slice(start: number, end: number): string {
    return bytesToStr(this.#buf, start, Math.min(end, this.#len));
  }

  toString(): string {
    return bytesToStr(this.#buf, 0, this.#len);
  }

  /** Appends a binary string; returns the new length. */
  append(s: string): number {
    const at = this.#len;
    this.#reserve(at + s.length);
    const b = this.#buf;
    for (let i = 0; i < s.length; i++) b[at + i] = s.charCodeAt(i);
    this.#len = at + s.length;
    return this.#len;
  }

  /** Overwrites from `offset`, zero-padding any gap; returns the new length. */
  setRange(offset: number, s: string): number {
    const end = offset + s.length;
    if (end > this.#len) {
      // Never shrinks, so bytes past the length are still zero: the gap is padded.
      this.#reserve(end);
      this.#len = end;
    }
    const b = this.#buf;
    for (let i = 0; i < s.length; i++) b[offset + i] = s.charCodeAt(i);
    return this.#len;
  }

  #reserve(needed: number): void {
    if (needed <= this.#buf.length) return;
    const size = needed < GROW_DOUBLE_MAX ? needed * 2 : needed + (needed >> 1);
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/**
 * An integer-looking string that Redis keeps as "embstr" rather than "int"
 * (INCRBYFLOAT results such as "3"): rare, so a wrapper costs little.
 */
export class EmbString implements StoredObject {
  readonly type = "string";
  constructor(readonly value: string) {}

  get length(): number {
    return this.value.length;
  }

  encoding(): string {
    return this.value.length <= EMBSTR_MAX ? "embstr" : "raw";
  }

  clone(): EmbString {
    return new EmbString(this.value);
  }
}
