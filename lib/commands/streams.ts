/** Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD (Redis group "stream"). */
import type { Client } from "../server/client.ts";
import { type StreamId, type StreamLimits, StreamValue, UINT64_MAX } from "../store/stream.ts";
import { readTyped, writeTyped } from "./args.ts";
import type { CommandSpec } from "./table.ts";

export const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument";

/** The node-split limits from the configuration. */
export function streamLimits(c: Client): StreamLimits {
  const config = c.server.config;
  return {
    nodeMaxBytes: config.num("stream-node-max-bytes"),
    nodeMaxEntries: config.num("stream-node-max-entries"),
  };
}

/** C's isspace for strtoull's leading blanks. */
function isSpace(ch: number): boolean {
  return ch === 0x20 || (ch >= 0x09 && ch <= 0x0d);
}

/**
 * Redis's string2ull: a canonical integer (string2ll, not negative), or else
 * what strtoull accepts in full (blanks, a sign — a minus wraps —, leading
 * zeros), within 64 bits. `s` is a C string (cut at NUL by the caller).
 */
function parseU64(s: string): bigint | null {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === "+" || s[i] === "-")) {
    neg = s[i] === "-";
    i++;
  }
  const start = i;
  let v = 0n;
  let small = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    if (i - start < 15) small = small * 10 + d;
    else {
      if (i - start === 15) v = BigInt(small);
      v = v * 10n + BigInt(d);
    }
  }
  if (i === start) return null;
  if (i - start <= 15) v = BigInt(small);
  if (v > UINT64_MAX) return null;
  if (neg) {
    // string2ll accepts canonical negatives first and string2ull refuses them;
    // only non-canonical ones ("-0", "-007", beyond int64) reach strtoull.
    if (/^-[1-9][0-9]*$/.test(s) && v <= 9223372036854775808n) return null;
    v = (-v) & UINT64_MAX;
  }
  return v;
}

/** A parsed ID argument; seqGiven is false for `<ms>-*`. */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: `-`, `+` (unless
 * strict), `<ms>`, `<ms>-<seq>`, and `<ms>-*` when `seqStar`. Null when
 * invalid.
 */
export function parseStreamId(
  arg: string,
  missingSeq: bigint,
  strict: boolean,
  seqStar = false,
): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf("\0");
  const buf = nul >= 0 ? arg.slice(0, nul) : arg;
  if (buf === "-" || buf === "+") {
    if (strict) return null;
    return {
      id: buf === "-" ? { ms: 0n, seq: 0n } : { ms: UINT64_MAX, seq: UINT64_MAX },
      seqGiven: true,
    };
  }
  const dash = buf.indexOf("-");
  const ms = parseU64(dash >= 0 ? buf.slice(0, dash) : buf);
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const rest = buf.slice(dash + 1);
  if (seqStar && rest === "*") return { id: { ms, seq: 0n }, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: { ms, seq }, seqGiven: true };
}

/** Redis's streamParseID / streamGenericParseIDOrReply: strict (no "-"/"+"), missing seq filled with `missingSeq`; replies Redis's error and returns null when invalid. */
export function parseIdArg(
  c: Client,
  arg: string,
  missingSeq: bigint,
  strict = false,
): StreamId | null {
  const parsed = parseStreamId(arg, missingSeq, strict);
  if (parsed === null) {
    c.out.error(ERR_INVALID_ID);
    return null;
  }
  return parsed.id;
}

/** Writes one entry as Redis does: [id, [f, v, ...]] (RESP2 and RESP3 alike). */
export function replyEntry(c: Client, id: StreamId, fields: string[]): void {
  c.out.array(2);
  c.out.bulk(`${id.ms}-${id.seq}`);
  c.out.array(fields.length);
  for (let i = 0; i < fields.length; i++) c.out.bulk(fields[i]);
}

/** The stream at key for reading: undefined when missing, null after WRONGTYPE was replied. */
export function readStream(c: Client, key: string): StreamValue | undefined | null {
  return readTyped(c, key, StreamValue);
}

/** The stream at key for writing: undefined when missing, null after WRONGTYPE was replied. */
export function writeStream(c: Client, key: string): StreamValue | undefined | null {
  return writeTyped(c, key, StreamValue);
}

/** Stream commands: XADD, XRANGE, XREAD ... (Redis group "stream"). */
export const streamCommands: CommandSpec[] = [];
