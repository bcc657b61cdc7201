/**
 * The file-format layer of Redis 7.0's multi-part AOF: file names, the
 * manifest (appendonly.aof.manifest), and the RESP command log of base/incr
 * files, both written and read. No I/O here: callers read and write files.
 *
 * Manifest text and file names are binary strings (one char per byte), like
 * keys and values: read a manifest with bytesToStr(Deno.readFileSync(...)) and
 * write formatManifest's result with strToBytes.
 */
import { bytesToStr } from "../resp/bytes.ts";
import { repr } from "../resp/repr.ts";
import { splitArgs } from "../resp/splitargs.ts";
import type { ByteBuffer } from "../util/bytebuf.ts";

// ---------------------------------------------------------------- file names

/** base, incremental, history: the `type` field of a manifest line. */
export type AofFileType = "b" | "i" | "h";

export interface ManifestEntry {
  file: string;
  seq: number;
  type: AofFileType;
}

/** "appendonly.aof.3.base.rdb" (RDB preamble) or "appendonly.aof.3.base.aof". */
export function baseName(appendfilename: string, seq: number, rdbPreamble: boolean): string {
  return `${appendfilename}.${seq}.base.${rdbPreamble ? "rdb" : "aof"}`;
}

/** "appendonly.aof.3.incr.aof". */
export function incrName(appendfilename: string, seq: number): string {
  return `${appendfilename}.${seq}.incr.aof`;
}

/** "appendonly.aof.manifest". */
export function manifestName(appendfilename: string): string {
  return `${appendfilename}.manifest`;
}

/** "temp-appendonly.aof.manifest": written first, then renamed over the manifest. */
export function tempManifestName(appendfilename: string): string {
  return `temp-${appendfilename}.manifest`;
}

// ------------------------------------------------------------------ manifest

/** A manifest Redis would refuse to start with; `line` is 0 when no line is to blame. */
export class ManifestError extends Error {
  constructor(readonly reason: string, readonly line: number, readonly text?: string) {
    super(
      line > 0
        ? `${reason} (manifest line ${line}${text === undefined ? "" : `: ${repr(text)}`})`
        : reason,
    );
    this.name = "ManifestError";
  }
}

// Redis reads the manifest with fgets into a 1025-byte buffer: at most 1024
// bytes per read, and a read without '\n' is "too long" (even the last line).
const MANIFEST_MAX_LINE = 1024;

/**
 * Parses appendonly.aof.manifest text as Redis 7.0 does (aofLoadManifestFromFile):
 * entries in file order; throws ManifestError naming the line otherwise.
 */
export function parseManifest(text: string): ManifestEntry[] {
  if (text.length === 0) throw new ManifestError("Found an empty AOF manifest", 0);
  const entries: ManifestEntry[] = [];
  let hasBase = false;
  let maxIncrSeq = 0;
  let linenum = 0;
  let p = 0;
  while (p < text.length) {
    const nl = text.indexOf("\n", p);
    const end = nl >= 0 && nl < p + MANIFEST_MAX_LINE
      ? nl + 1
      : Math.min(p + MANIFEST_MAX_LINE, text.length);
    const chunk = text.slice(p, end);
    p = end;
    linenum++;
    // Comment lines are skipped before any other check.
    if (chunk.charCodeAt(0) === 0x23 /* # */) continue;
    // C string functions stop at a NUL: a line is what precedes it.
    const nul = chunk.indexOf("\0");
    const cstr = nul >= 0 ? chunk.slice(0, nul) : chunk;
    if (!cstr.includes("\n")) {
      throw new ManifestError("The AOF manifest file contains too long line", linenum);
    }
    const line = trim(cstr);
    const fail = (reason: string) => new ManifestError(reason, linenum, line);
    if (line.length === 0) throw fail("Invalid AOF manifest file format");
    const argv = splitArgs(line);
    // At least 6 (file, seq, type) and key/value pairs: unknown keys are
    // allowed for forward compatibility.
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) {
      throw fail("Invalid AOF manifest file format");
    }
    let file: string | null = null;
    let seq = 0;
    let type = "";
    for (let i = 0; i < argv.length; i += 2) {
      const key = argv[i].toLowerCase();
      const value = cString(argv[i + 1]);
      if (key === "file") {
        file = value;
        if (file.includes("/") || file.includes("\\")) {
          throw fail("File can't be a path, just a filename");
        }
      } else if (key === "seq") {
        seq = atoll(value);
      } else if (key === "type") {
        // Redis keeps only the first character ("base" reads as 'b').
        type = value.charAt(0);
      }
    }
    if (file === null || seq === 0 || type === "") throw fail("Invalid AOF manifest file format");
    if (!Number.isSafeInteger(seq)) throw fail("AOF file sequence number out of range");
    if (type === "b") {
      if (hasBase) throw fail("Found duplicate base file information");
      hasBase = true;
    } else if (type === "i") {
      if (seq <= maxIncrSeq) throw fail("Found a non-monotonic sequence number");
      maxIncrSeq = seq;
    } else if (type !== "h") {
      throw fail("Unknown AOF file type");
    }
    entries.push({ file, seq, type });
  }
  return entries;
}

/** The manifest's entries by role, in the order Redis keeps them. */
export function manifestParts(entries: readonly ManifestEntry[]): {
  base: ManifestEntry | null;
  history: ManifestEntry[];
  incr: ManifestEntry[];
} {
  return {
    base: entries.find((e) => e.type === "b") ?? null,
    history: entries.filter((e) => e.type === "h"),
    incr: entries.filter((e) => e.type === "i"),
  };
}

/**
 * Manifest text exactly as Redis 7.0 writes it: the base first, then history,
 * then incr files (each group in the given order), one
 * `file <name> seq <n> type <t>\n` line each, with names that need it quoted
 * as sdscatrepr does. Throws when the text would not read back as the same
 * entries, as Redis would refuse it (no entries at all, two bases, a name with
 * '/', a NUL or a lone single quote, incr sequence numbers not increasing).
 */
export function formatManifest(entries: readonly ManifestEntry[]): string {
  const rank = (e: ManifestEntry) => (e.type === "b" ? 0 : e.type === "h" ? 1 : 2);
  // A stable sort: each group keeps the order it was given in.
  const ordered = [...entries].sort((a, b) => rank(a) - rank(b));
  let out = "";
  for (const e of ordered) {
    if (!Number.isSafeInteger(e.seq)) throw new Error(`bad AOF file sequence number ${e.seq}`);
    const name = needsRepr(e.file) ? repr(e.file) : e.file;
    out += `file ${name} seq ${e.seq} type ${e.type}\n`;
  }
  const back = parseManifest(out);
  if (
    back.length !== entries.length ||
    back.some((b, i) =>
      b.file !== ordered[i].file || b.seq !== ordered[i].seq || b.type !== ordered[i].type
    )
  ) {
    throw new Error("AOF manifest entries would not read back as written");
  }
  return out;
}

/** sdstrim(s, " \t\r\n"). */
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isTrimmed(s.charCodeAt(a))) a++;
  while (b > a && isTrimmed(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

function isTrimmed(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** What C sees of a string: everything before the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul >= 0 ? s.slice(0, nul) : s;
}

/** C atoll: leading white space, an optional sign, then as many digits as there are. */
function atoll(s: string): number {
  let i = 0;
  while (
    i < s.length &&
    (s.charCodeAt(i) === 0x20 || (s.charCodeAt(i) >= 0x09 && s.charCodeAt(i) <= 0x0d))
  ) i++;
  let sign = 1;
  if (s[i] === "+" || s[i] === "-") {
    if (s[i] === "-") sign = -1;
    i++;
  }
  let v = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return sign * v;
}

/** sdsneedsrepr: true when the name has a byte sdscatrepr would escape, or white space. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Printable ASCII other than space, backslash and double quote is left as is.
    if (c <= 0x20 || c >= 0x7f || c === 0x5c || c === 0x22) return true;
  }
  return false;
}

// ------------------------------------------------------------ command log

const STAR = 0x2a;
const DOLLAR = 0x24;
const HASH = 0x23;
const CR = 0x0d;
const LF = 0x0a;

/** Appends one command in AOF/RESP form (*N\r\n$len\r\narg\r\n...); args are binary strings. */
export function appendCommand(buf: ByteBuffer, args: readonly string[]): void {
  // "*0" would make the log unreadable (Redis refuses an argument count below 1).
  if (args.length === 0) throw new Error("appendCommand: a command needs at least one argument");
  let size = 16;
  for (const a of args) size += a.length + 24;
  buf.ensure(size);
  const b = buf.buf;
  let p = buf.pos;
  b[p++] = STAR;
  p = writeDecimal(b, p, args.length);
  b[p++] = CR;
  b[p++] = LF;
  for (const a of args) {
    const n = a.length;
    b[p++] = DOLLAR;
    p = writeDecimal(b, p, n);
    b[p++] = CR;
    b[p++] = LF;
    for (let i = 0; i < n; i++) b[p++] = a.charCodeAt(i);
    b[p++] = CR;
    b[p++] = LF;
  }
  buf.pos = p;
}

/** Bytes appendCommand writes for `args` (a multibulk request's size). */
export function commandSize(args: readonly string[]): number {
  let size = 3 + decimalDigits(args.length);
  for (const a of args) size += 5 + decimalDigits(a.length) + a.length;
  return size;
}

function decimalDigits(v: number): number {
  let n = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    n++;
  }
  return n;
}

function writeDecimal(b: Uint8Array, p: number, v: number): number {
  if (v < 10) {
    b[p] = 0x30 + v;
    return p + 1;
  }
  const s = String(v);
  for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/**
 * A unit to replay: one command, or the commands of a MULTI ... EXEC
 * transaction (without MULTI and EXEC; possibly none). `offset` is where the
 * unit starts in the file, `end` just past it.
 */
export interface AofUnit {
  commands: string[][];
  offset: number;
  end: number;
}

export type AofEnd =
  /** Clean end: offset = bytes.length. */
  | { kind: "ok"; offset: number }
  /**
   * The file ends inside a command, an annotation line or an unfinished
   * MULTI: offset = where the last complete unit ends (truncate the file there).
   */
  | { kind: "truncated"; offset: number; reason: string }
  /**
   * Bytes that no complete or torn write could have produced: offset = the
   * first byte that does not fit; validUpTo = where the last complete unit ends.
   */
  | { kind: "corrupt"; offset: number; reason: string; validUpTo: number };

// Longest decimal accepted: an argument count fits a C int in Redis; a
// bulk length must stay an exact JS integer.
const MAX_ARGC = 0x7fffffff;
const MAX_LEN_DIGITS = 15;
const EOF = -1;
const BAD = -2;

/**
 * Reads the commands of an AOF (the whole file, or the tail after an RDB
 * preamble: `start`), as Redis 7.0's loadSingleAppendOnlyFile does: lines
 * starting with '#' are annotations and skipped; a command is
 * `*<argc>\r\n` followed by argc `$<len>\r\n<bytes>\r\n`; MULTI ... EXEC is
 * one unit; a file ending in the middle of a command, or in a MULTI that
 * never saw its EXEC, is truncated back to the last complete unit.
 *
 * Stricter than Redis's loader, like redis-check-aof: every CRLF must be
 * there, numbers are plain digits, a MULTI inside MULTI or an EXEC without
 * MULTI is corrupt; a file that ends inside an annotation line is truncated
 * (so that an append after it cannot be swallowed by the annotation).
 */
export function* readAofUnits(
  bytes: Uint8Array,
  start = 0,
): Generator<AofUnit, AofEnd, undefined> {
  const n = bytes.length;
  let p = start;
  let validUpTo = start; // end of the last complete unit
  let multi: string[][] | null = null;
  let multiStart = 0;

  // Why the last readNumber failed, and where.
  let bad = "";
  let badAt = 0;

  // Reads `<prefix><digits>\r\n` at p and moves p past it. Returns the
  // number, EOF when the bytes run out first, or BAD (see bad, badAt).
  const readNumber = (prefix: number, maxDigits: number): number => {
    if (p >= n) return EOF;
    if (bytes[p] !== prefix) {
      bad = `expected '${String.fromCharCode(prefix)}', got ${describe(bytes[p])}`;
      badAt = p;
      return BAD;
    }
    let q = p + 1;
    let v = 0;
    while (q < n) {
      const d = bytes[q] - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      q++;
    }
    const digits = q - p - 1;
    if (digits > maxDigits) {
      bad = "number too long";
      badAt = p + 1;
      return BAD;
    }
    if (q >= n) return EOF;
    if (digits === 0) {
      bad = `expected a digit, got ${describe(bytes[q])}`;
      badAt = q;
      return BAD;
    }
    if (bytes[q] !== CR) {
      bad = `expected '\\r', got ${describe(bytes[q])}`;
      badAt = q;
      return BAD;
    }
    if (q + 1 >= n) return EOF;
    if (bytes[q + 1] !== LF) {
      bad = `expected '\\n', got ${describe(bytes[q + 1])}`;
      badAt = q + 1;
      return BAD;
    }
    p = q + 2;
    return v;
  };

  const truncated = (reason: string): AofEnd => ({ kind: "truncated", offset: validUpTo, reason });
  const corrupt = (at: number, reason: string): AofEnd => ({
    kind: "corrupt",
    offset: at,
    reason,
    validUpTo,
  });
  const EOF_IN_COMMAND = "unexpected end of file in the middle of a command";

  for (;;) {
    if (p >= n) {
      if (multi !== null) return truncated("Revert incomplete MULTI/EXEC transaction");
      return { kind: "ok", offset: n };
    }
    const first = bytes[p];
    if (first === HASH) {
      const nl = bytes.indexOf(LF, p);
      if (nl < 0) return truncated("unexpected end of file in an annotation line");
      p = nl + 1;
      continue;
    }
    const cmdStart = p;
    if (first !== STAR) return corrupt(p, `expected '*', got ${describe(first)}`);
    const argc = readNumber(STAR, 10);
    if (argc === EOF) return truncated(EOF_IN_COMMAND);
    if (argc === BAD) return corrupt(badAt, bad);
    if (argc < 1 || argc > MAX_ARGC) return corrupt(cmdStart + 1, `invalid argument count ${argc}`);
    // Grown as arguments arrive: a corrupt count must not allocate up front.
    const args: string[] = [];
    for (let j = 0; j < argc; j++) {
      const len = readNumber(DOLLAR, MAX_LEN_DIGITS);
      if (len === EOF) return truncated(EOF_IN_COMMAND);
      if (len === BAD) return corrupt(badAt, bad);
      const dataEnd = p + len;
      if (dataEnd > n) return truncated(EOF_IN_COMMAND);
      // The CRLF after the data; a missing one is corrupt, a torn one truncated.
      if (dataEnd < n && bytes[dataEnd] !== CR) {
        return corrupt(
          dataEnd,
          `expected '\\r' after ${len} bytes, got ${describe(bytes[dataEnd])}`,
        );
      }
      if (dataEnd + 1 < n && bytes[dataEnd + 1] !== LF) {
        return corrupt(dataEnd + 1, `expected '\\n', got ${describe(bytes[dataEnd + 1])}`);
      }
      if (dataEnd + 2 > n) return truncated(EOF_IN_COMMAND);
      args.push(bytesToStr(bytes, p, dataEnd));
      p = dataEnd + 2;
    }
    const name = args[0];
    if (name.length === 5 && name.toLowerCase() === "multi") {
      if (multi !== null) return corrupt(cmdStart, "MULTI inside MULTI");
      multi = [];
      multiStart = cmdStart;
    } else if (name.length === 4 && name.toLowerCase() === "exec") {
      if (multi === null) return corrupt(cmdStart, "EXEC without MULTI");
      const unit: AofUnit = { commands: multi, offset: multiStart, end: p };
      multi = null;
      validUpTo = p;
      yield unit;
    } else if (multi !== null) {
      multi.push(args);
    } else {
      validUpTo = p;
      yield { commands: [args], offset: cmdStart, end: p };
    }
  }
}

/** A byte for an error message: 'x' when printable, else \xHH. */
function describe(b: number): string {
  return b > 0x20 && b < 0x7f && b !== 0x27
    ? `'${String.fromCharCode(b)}'`
    : `\\x${b.toString(16).padStart(2, "0")}`;
}
