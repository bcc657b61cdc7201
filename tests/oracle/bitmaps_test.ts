/**
 * Bitmap commands against Redis 7.0: SETBIT, GETBIT, BITCOUNT, BITPOS,
 * BITOP, BITFIELD and BITFIELD_RO, their errors and argument checks in
 * Redis's order, binary values, RESP3, the change counter that decides what
 * is logged, and seeded random runs (ranges, BITOP, BITFIELD overflow at
 * every width) compared reply by reply.
 */
import { assertEquals } from "@std/assert";
import { clock, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded, parseInfo, type RespClient } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";

/** A binary string of `n` random bytes. */
function randomBytes(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const BIN_KEY = "bin\x00key\r\n\xff";

oracleTest("oracle: SETBIT and GETBIT", async (o) => {
  await o.sameAll([
    ["SETBIT", "b", "7", "1"],
    ["GET", "b"],
    ["GETBIT", "b", "7"],
    ["GETBIT", "b", "6"],
    ["GETBIT", "b", "8"],
    ["GETBIT", "b", "4294967295"],
    ["SETBIT", "b", "100", "1"],
    ["STRLEN", "b"],
    ["GET", "b"],
    ["OBJECT", "ENCODING", "b"],
    ["SETBIT", "b", "100", "1"],
    ["SETBIT", "b", "100", "0"],
    ["SETBIT", "b", "100", "0"],
    ["GET", "b"],
    // Errors: the offset is checked first, then the value, then the type.
    ["SETBIT", "b", "100", "2"],
    ["SETBIT", "b", "100", "-1"],
    ["SETBIT", "b", "100", "x"],
    ["SETBIT", "b", "100", "01"],
    ["SETBIT", "b", "-1", "1"],
    ["SETBIT", "b", "x", "1"],
    ["SETBIT", "b", "1.5", "1"],
    ["SETBIT", "b", "#8", "1"],
    ["SETBIT", "b", "4294967296", "1"],
    ["SETBIT", "b", "9223372036854775807", "1"],
    ["SETBIT", "b", "99999999999999999999", "1"],
    ["GETBIT", "b", "4294967296"],
    ["GETBIT", "b", "-1"],
    ["GETBIT", "b", "#1"],
    ["GETBIT", "nokey", "0"],
    ["GETBIT", "nokey", "x"],
    ["SETBIT", "b"],
    ["SETBIT", "b", "1"],
    ["SETBIT", "b", "1", "1", "1"],
    ["GETBIT", "b"],
    ["GETBIT", "b", "1", "1"],
    ["LPUSH", "list", "x"],
    ["SETBIT", "list", "0", "1"],
    ["SETBIT", "list", "x", "1"],
    ["SETBIT", "list", "0", "2"],
    ["GETBIT", "list", "0"],
    ["GETBIT", "list", "x"],
    // Strings of every encoding: int, embstr, raw; SETBIT turns them raw.
    ["SET", "i", "12345"],
    ["GETBIT", "i", "2"],
    ["GETBIT", "i", "3"],
    ["GETBIT", "i", "39"],
    ["GETBIT", "i", "40"],
    ["OBJECT", "ENCODING", "i"],
    ["SETBIT", "i", "0", "0"],
    ["OBJECT", "ENCODING", "i"],
    ["GET", "i"],
    ["SET", "e", "hello"],
    ["SETBIT", "e", "1", "1"],
    ["OBJECT", "ENCODING", "e"],
    ["GET", "e"],
    ["SET", "x", "x".repeat(60)],
    ["SETBIT", "x", "1000", "1"],
    ["GET", "x"],
    // Binary keys and values.
    ["SET", BIN_KEY, "\x00\xff\r\n"],
    ["GETBIT", BIN_KEY, "8"],
    ["SETBIT", BIN_KEY, "0", "1"],
    ["SETBIT", BIN_KEY, "40", "1"],
    ["GET", BIN_KEY],
    // A TTL survives SETBIT.
    ["SET", "t", "a", "EX", "1000"],
    ["SETBIT", "t", "100", "1"],
    clock("TTL", "t"),
  ]);
});

oracleTest("oracle: BITCOUNT ranges, BYTE and BIT, and Redis 7.0's argument order", async (o) => {
  await o.sameAll([
    ["SET", "k", "foobar"],
    ["BITCOUNT", "k"],
    ["BITCOUNT", "k", "0", "0"],
    ["BITCOUNT", "k", "1", "1"],
    ["BITCOUNT", "k", "1", "1", "BYTE"],
    ["BITCOUNT", "k", "5", "30", "BIT"],
    ["BITCOUNT", "k", "5", "30", "bit"],
    ["BITCOUNT", "k", "-3", "-1", "BIT"],
    ["BITCOUNT", "k", "0", "-1", "BIT"],
    ["BITCOUNT", "k", "-100", "100"],
    ["BITCOUNT", "k", "-100", "-99"],
    ["BITCOUNT", "k", "3", "1"],
    ["BITCOUNT", "k", "-1", "-2"],
    ["BITCOUNT", "k", "-1", "-2", "FOO"],
    ["BITCOUNT", "k", "6", "100"],
    ["BITCOUNT", "k", "47", "47", "BIT"],
    ["BITCOUNT", "k", "48", "100", "BIT"],
    ["BITCOUNT", "k", "9223372036854775807", "-9223372036854775808"],
    ["BITCOUNT", "k", "-9223372036854775808", "9223372036854775807", "BIT"],
    ["BITCOUNT", "k", "-9223372036854775807", "-9223372036854775808"],
    ["BITCOUNT", "k", "0", "1", "BIT\x00x"],
    // Errors: the key is looked up first, then the range is read.
    ["BITCOUNT", "nokey", "a", "b"],
    ["BITCOUNT", "nokey", "0"],
    ["BITCOUNT", "nokey", "0", "1", "FOO"],
    ["BITCOUNT", "k", "0"],
    ["BITCOUNT", "k", "a", "b"],
    ["BITCOUNT", "k", "0", "b"],
    ["BITCOUNT", "k", "0", "-1", "FOO"],
    ["BITCOUNT", "k", "0", "1", "2", "3"],
    ["BITCOUNT", "k", "99999999999999999999", "1"],
    ["BITCOUNT"],
    ["LPUSH", "list", "x"],
    ["BITCOUNT", "list"],
    ["BITCOUNT", "list", "0"],
    ["BITCOUNT", "list", "a", "b"],
    ["SET", "empty", ""],
    ["BITCOUNT", "empty"],
    ["BITCOUNT", "empty", "0", "-1"],
    ["BITCOUNT", "empty", "0", "-1", "BIT"],
    ["SET", "i", "-12345"],
    ["BITCOUNT", "i"],
    ["BITCOUNT", "i", "1", "2", "BIT"],
    ["SET", BIN_KEY, "\x00\xff\r\n\x80"],
    ["BITCOUNT", BIN_KEY],
    ["BITCOUNT", BIN_KEY, "7", "33", "BIT"],
  ]);
});

oracleTest("oracle: BITPOS and its special cases for clear bits", async (o) => {
  await o.sameAll([
    ["SET", "f", "\xff\xf0\x00"],
    ["BITPOS", "f", "0"],
    ["BITPOS", "f", "1"],
    ["BITPOS", "f", "1", "2"],
    ["BITPOS", "f", "0", "0", "1"],
    ["BITPOS", "f", "0", "0", "-1"],
    ["BITPOS", "f", "1", "7", "15", "BIT"],
    ["BITPOS", "f", "0", "7", "15", "BIT"],
    ["BITPOS", "f", "0", "0", "11", "BIT"],
    ["BITPOS", "f", "0", "12", "15", "bit"],
    ["BITPOS", "f", "1", "-10", "-1", "BIT"],
    ["BITPOS", "f", "0", "-3", "-2", "byte"],
    ["SET", "ff", "\xff\xff"],
    ["BITPOS", "ff", "0"],
    ["BITPOS", "ff", "0", "0"],
    ["BITPOS", "ff", "0", "1"],
    ["BITPOS", "ff", "0", "2"],
    ["BITPOS", "ff", "0", "0", "-1"],
    ["BITPOS", "ff", "0", "0", "100"],
    ["BITPOS", "ff", "0", "3", "10", "BIT"],
    ["BITPOS", "ff", "0", "3", "15", "BIT"],
    ["BITPOS", "ff", "1", "16", "20", "BIT"],
    ["BITPOS", "ff", "1", "3", "1"],
    ["SET", "z", "\x00\x00\x00"],
    ["BITPOS", "z", "1"],
    ["BITPOS", "z", "0"],
    ["BITPOS", "z", "1", "1", "-1", "BIT"],
    ["BITPOS", "z", "0", "9", "9", "BIT"],
    ["SET", "empty", ""],
    ["BITPOS", "empty", "0"],
    ["BITPOS", "empty", "1"],
    ["BITPOS", "empty", "0", "0"],
    ["BITPOS", "empty", "0", "0", "-1", "BIT"],
    ["BITPOS", "nokey", "0"],
    ["BITPOS", "nokey", "1"],
    ["BITPOS", "nokey", "1", "foo", "bar"],
    ["BITPOS", "nokey", "2"],
    // Errors: the bit first, then the key, then start, BYTE|BIT, end.
    ["BITPOS", "ff", "2"],
    ["BITPOS", "ff", "-1"],
    ["BITPOS", "ff", "x"],
    ["BITPOS", "ff", "0", "a"],
    ["BITPOS", "ff", "0", "0", "a"],
    ["BITPOS", "ff", "0", "0", "a", "FOO"],
    ["BITPOS", "ff", "0", "a", "1", "FOO"],
    ["BITPOS", "ff", "0", "0", "1", "FOO"],
    ["BITPOS", "ff", "0", "0", "bit"],
    ["BITPOS", "ff", "0", "0", "1", "BIT", "x"],
    ["BITPOS", "ff", "0", "-9223372036854775808", "9223372036854775807", "BIT"],
    ["BITPOS", "ff"],
    ["LPUSH", "list", "x"],
    ["BITPOS", "list", "1"],
    ["BITPOS", "list", "2"],
    ["BITPOS", "list", "1", "a"],
    ["SET", "i", "12"],
    ["BITPOS", "i", "1"],
    ["BITPOS", "i", "0", "1"],
  ]);
});

oracleTest("oracle: BITOP AND, OR, XOR, NOT", async (o) => {
  await o.sameAll([
    ["SET", "a1", "abc"],
    ["SET", "a2", "xy"],
    ["SET", "a3", "\x00\xff\x0f\xf0\x55"],
    ["BITOP", "AND", "d", "a1", "a2"],
    ["GET", "d"],
    ["OBJECT", "ENCODING", "d"],
    ["BITOP", "or", "d", "a1", "a2", "nokey"],
    ["GET", "d"],
    ["BITOP", "XOR", "d", "a1", "a2", "a3"],
    ["GET", "d"],
    ["BITOP", "AND", "d", "a1", "a3", "nokey"],
    ["GET", "d"],
    ["BITOP", "AND", "d", "nokey", "a1"],
    ["GET", "d"],
    ["BITOP", "NOT", "d", "a3"],
    ["GET", "d"],
    ["BITOP", "Not", "d", "nokey"],
    ["EXISTS", "d"],
    ["BITOP", "AND", "d", "nokey", "nokey2"],
    ["BITOP", "AND", "d", "a1"],
    ["GET", "d"],
    ["BITOP", "XOR", "a1", "a1", "a2"],
    ["GET", "a1"],
    // The destination is replaced whatever it held, its TTL dropped.
    ["LPUSH", "list", "x"],
    ["BITOP", "OR", "list", "a2"],
    ["TYPE", "list"],
    ["SET", "t", "v", "EX", "100"],
    ["BITOP", "OR", "t", "a2"],
    clock("TTL", "t"),
    ["SET", "i", "123"],
    ["BITOP", "OR", "num", "i"],
    ["GET", "num"],
    ["OBJECT", "ENCODING", "num"],
    ["SET", "empty", ""],
    ["BITOP", "OR", "d", "empty"],
    ["EXISTS", "d"],
    // Errors.
    ["BITOP", "NOT", "d", "a1", "a2"],
    ["BITOP", "NOT", "d"],
    ["BITOP", "FOO", "d", "a1"],
    ["BITOP", "AN", "d", "a1"],
    ["BITOP", "AND\x00x", "d", "a1"],
    ["BITOP", "AND", "d"],
    ["LPUSH", "list2", "x"],
    ["BITOP", "AND", "d", "a2", "list2"],
    ["BITOP", "NOT", "d", "list2"],
    ["BITOP", "FOO", "d", "list2"],
    ["SET", BIN_KEY, "\x00\x01\r\n"],
    ["BITOP", "NOT", BIN_KEY, BIN_KEY],
    ["GET", BIN_KEY],
  ]);
});

oracleTest("oracle: BITFIELD and BITFIELD_RO", async (o) => {
  await o.sameAll([
    ["BITFIELD", "bf", "SET", "i8", "0", "-100", "GET", "i8", "0", "GET", "u8", "0"],
    ["BITFIELD", "bf", "INCRBY", "i8", "0", "300", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "300"],
    ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i8", "0", "300", "INCRBY", "i8", "0", "-1"],
    ["BITFIELD", "bf", "GET", "u4", "#3", "SET", "u4", "#3", "15", "GET", "i4", "#3"],
    ["BITFIELD", "bf", "get", "i5", "3", "set", "u3", "13", "5", "incrby", "i7", "9", "-70"],
    ["GET", "bf"],
    ["BITFIELD", "bf", "GET", "u63", "0", "GET", "i64", "0", "GET", "i64", "70", "GET", "u1", "7"],
    ["BITFIELD", "bf", "SET", "i64", "1", "-9223372036854775808", "GET", "i64", "1"],
    ["BITFIELD", "bf", "INCRBY", "u63", "1", "9223372036854775807"],
    ["BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i64", "1", "-1"],
    ["GET", "bf"],
    ["BITFIELD", "nokey", "GET", "i64", "100", "GET", "u8", "#1000"],
    ["EXISTS", "nokey"],
    ["BITFIELD", "bf"],
    ["BITFIELD_RO", "bf"],
    ["BITFIELD_RO", "bf", "GET", "i8", "0", "GET", "u16", "#1"],
    ["BITFIELD_RO", "bf", "OVERFLOW", "WRAP", "GET", "i8", "0"],
    ["BITFIELD_RO", "nokey", "GET", "i8", "0"],
    // OVERFLOW FAIL leaves a new key behind (with no change counted).
    ["BITFIELD", "fresh", "OVERFLOW", "FAIL", "SET", "u2", "0", "4"],
    ["EXISTS", "fresh"],
    ["GET", "fresh"],
    ["BITFIELD", "fresh2", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "4", "SET", "u2", "0", "3"],
    ["GET", "fresh2"],
    // Unsigned SET of a negative value: a huge uint64, above any maximum.
    ["BITFIELD", "u", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "GET", "u8", "0"],
    ["BITFIELD", "u", "OVERFLOW", "WRAP", "SET", "u8", "0", "-3", "GET", "u8", "0"],
    [
      "BITFIELD",
      "u",
      "OVERFLOW",
      "SAT",
      "SET",
      "i8",
      "0",
      "-9223372036854775808",
      "GET",
      "i8",
      "0",
    ],
    // Errors.
    ["BITFIELD", "bf", "GET", "i65", "0"],
    ["BITFIELD", "bf", "GET", "u64", "0"],
    ["BITFIELD", "bf", "GET", "i0", "0"],
    ["BITFIELD", "bf", "GET", "u-1", "0"],
    ["BITFIELD", "bf", "GET", "x8", "0"],
    ["BITFIELD", "bf", "GET", "I8", "0"],
    ["BITFIELD", "bf", "GET", "i", "0"],
    ["BITFIELD", "bf", "GET", "", "0"],
    ["BITFIELD", "bf", "GET", "i08", "0"],
    ["BITFIELD", "bf", "GET", "i8\x00zz", "0"],
    ["BITFIELD", "bf", "GET", "i8", "-1"],
    ["BITFIELD", "bf", "GET", "i8", "#-1"],
    ["BITFIELD", "bf", "GET", "i8", "#"],
    ["BITFIELD", "bf", "GET", "i8", "##1"],
    ["BITFIELD", "bf", "GET", "i8", "x"],
    ["BITFIELD", "bf", "GET", "i8", "4294967296"],
    ["BITFIELD", "bf", "GET", "i8", "4294967295"],
    ["BITFIELD", "bf", "GET", "i8", "#536870912"],
    ["BITFIELD", "bf", "GET", "i8", "#536870911"],
    ["BITFIELD", "bf", "GET", "i64", "#1152921504606846976"],
    ["BITFIELD", "bf", "GET", "i64", "#9223372036854775807"],
    ["BITFIELD", "bf", "GET", "i8"],
    ["BITFIELD", "bf", "SET", "i8", "0"],
    ["BITFIELD", "bf", "SET", "i8", "0", "x"],
    ["BITFIELD", "bf", "SET", "i8", "0", "99999999999999999999"],
    ["BITFIELD", "bf", "INCRBY", "i8", "0", "1.5"],
    ["BITFIELD", "bf", "foo"],
    ["BITFIELD", "bf", "GET", "i8", "0", "foo"],
    ["BITFIELD", "bf", "OVERFLOW"],
    ["BITFIELD", "bf", "OVERFLOW", "bad", "SET", "i8", "0", "1"],
    ["BITFIELD", "bf", "SET", "i8", "0", "1", "OVERFLOW", "bad"],
    ["BITFIELD", "bf", "GET", "i8", "0", "GET", "x8", "0"],
    ["BITFIELD_RO", "bf", "GET", "i8", "0", "SET", "i8", "0", "1"],
    ["BITFIELD_RO", "bf", "INCRBY", "i8", "0", "1", "GET", "x8", "0"],
    ["BITFIELD_RO", "bf", "INCRBY", "i8", "0", "1"],
    ["BITFIELD_RO", "bf", "foo"],
    ["BITFIELD"],
    ["BITFIELD_RO"],
    ["LPUSH", "list", "x"],
    ["BITFIELD", "list", "GET", "i8", "0"],
    ["BITFIELD", "list", "SET", "i8", "0", "1"],
    ["BITFIELD", "list"],
    ["BITFIELD_RO", "list", "GET", "i8", "0"],
    ["BITFIELD_RO", "list", "SET", "i8", "0", "1"],
    ["BITFIELD", "list", "GET", "x8", "0"],
    // Strings of every encoding.
    ["SET", "i", "1234"],
    ["BITFIELD", "i", "GET", "u32", "0", "GET", "i16", "20"],
    ["OBJECT", "ENCODING", "i"],
    ["BITFIELD", "i", "INCRBY", "u8", "0", "0"],
    ["OBJECT", "ENCODING", "i"],
    ["SET", BIN_KEY, "\x00\xff\r\n"],
    ["BITFIELD", BIN_KEY, "INCRBY", "u8", "#1", "1", "GET", "u32", "0"],
    ["GET", BIN_KEY],
  ]);
});

/** A field type and its bounds. */
interface FieldType {
  name: string;
  min: bigint;
  max: bigint;
}

function fieldTypes(): FieldType[] {
  const types: FieldType[] = [];
  for (let bits = 1; bits <= 64; bits++) {
    const half = 1n << BigInt(bits - 1);
    types.push({ name: `i${bits}`, min: -half, max: half - 1n });
    if (bits < 64) types.push({ name: `u${bits}`, min: 0n, max: 2n * half - 1n });
  }
  return types;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const clampI64 = (v: bigint) => v < I64_MIN ? I64_MIN : v > I64_MAX ? I64_MAX : v;

/** A random int64 spread over every magnitude. */
function randomI64(rand: () => number): bigint {
  const bits = int(rand, 0, 63);
  const mag = BigInt(Math.floor(rand() * 2 ** 31)) * BigInt(Math.floor(rand() * 2 ** 32)) %
    (1n << BigInt(bits + 1));
  return clampI64(rand() < 0.5 ? -mag : mag);
}

oracleTest("oracle: BITFIELD SET and INCRBY overflow at every width (seeded)", async (o) => {
  const rand = prng(11);
  const cmds: string[][] = [];
  for (const t of fieldTypes()) {
    const span = t.max - t.min + 1n;
    const values = [
      t.min,
      t.max,
      t.min - 1n,
      t.max + 1n,
      0n,
      -1n,
      1n,
      -span,
      span,
      I64_MIN,
      I64_MAX,
      I64_MIN + t.max,
      I64_MIN + t.max + 1n,
      t.min + BigInt(Math.floor(rand() * Number(span > 1000000n ? 1000000n : span))),
      randomI64(rand),
    ].map(clampI64);
    const incrs = [1n, -1n, t.max, t.min, span, -span, I64_MAX, I64_MIN, randomI64(rand)].map(
      clampI64,
    );
    for (const mode of ["WRAP", "SAT", "FAIL"]) {
      const key = `f:${t.name}:${mode}`;
      const offset = String(int(rand, 0, 70));
      const args = ["BITFIELD", key, "OVERFLOW", mode];
      for (const v of values) {
        args.push("SET", t.name, offset, String(v), "GET", t.name, offset);
        const d = incrs[int(rand, 0, incrs.length - 1)];
        args.push("INCRBY", t.name, offset, String(d), "GET", t.name, offset);
      }
      for (const d of incrs) args.push("INCRBY", t.name, offset, String(d));
      // `#` offsets and an unaligned neighbour that shares the field's bytes.
      args.push("SET", t.name, "#2", String(values[int(rand, 0, values.length - 1)]));
      args.push("INCRBY", "u7", String(int(rand, 0, 140)), String(int(rand, -300, 300)));
      cmds.push(args, ["GET", key]);
    }
  }
  await o.samePipelined(cmds);
});

oracleTest("oracle: random BITFIELD command lines (seeded)", async (o) => {
  const rand = prng(23);
  const types = fieldTypes();
  const cmds: string[][] = [["SET", "bf1", "\x00\xff\x80\x7f\x01"], ["SETBIT", "bf2", "300", "1"]];
  const value = (t: FieldType) => {
    const r = rand();
    if (r < 0.3) return String(clampI64(t.min + BigInt(Math.floor(rand() * 1000))));
    if (r < 0.6) return String(clampI64(t.max - BigInt(Math.floor(rand() * 1000))));
    return String(randomI64(rand));
  };
  for (let i = 0; i < 400; i++) {
    const key = `bf${int(rand, 1, 3)}`;
    const ro = rand() < 0.15;
    const args = [ro ? "BITFIELD_RO" : "BITFIELD", key];
    for (let k = int(rand, 0, 6); k > 0; k--) {
      const t = types[int(rand, 0, types.length - 1)];
      const offset = rand() < 0.2 ? `#${int(rand, 0, 40)}` : String(int(rand, 0, 400));
      const r = rand();
      if (r < 0.15) args.push("OVERFLOW", ["WRAP", "SAT", "FAIL", "wrap", "sat"][int(rand, 0, 4)]);
      if (ro || r < 0.4) args.push("GET", t.name, offset);
      else if (r < 0.7) args.push("SET", t.name, offset, value(t));
      else args.push("INCRBY", t.name, offset, value(t));
    }
    cmds.push(args);
    if (rand() < 0.2) cmds.push(["GET", key]);
  }
  for (const key of ["bf1", "bf2", "bf3"]) cmds.push(["GET", key], ["OBJECT", "ENCODING", key]);
  await o.samePipelined(cmds);
});

oracleTest("oracle: random BITCOUNT, BITPOS, GETBIT, SETBIT and BITOP (seeded)", async (o) => {
  const rand = prng(7);
  const cmds: string[][] = [];
  const keys: string[] = [];
  const lengths = [0, 1, 2, 3, 5, 8, 13, 31, 64, 100, 4099, 5000];
  for (let k = 0; k < lengths.length; k++) {
    const key = `s${k}`;
    keys.push(key);
    const n = lengths[k];
    // Runs of 0x00 and 0xff, so that BITPOS has something to skip.
    let v = "";
    while (v.length < n) {
      const r = rand();
      const run = int(rand, 1, 40);
      const ch = r < 0.3 ? "\x00" : r < 0.6 ? "\xff" : null;
      v += ch === null ? randomBytes(rand, Math.min(run, 5)) : ch.repeat(run);
    }
    cmds.push(["SET", key, v.slice(0, n)]);
  }
  // Bitmaps made by SETBIT (mutable strings).
  for (let k = 0; k < 3; k++) {
    const key = `b${k}`;
    keys.push(key);
    for (let j = 0; j < 40; j++) cmds.push(["SETBIT", key, String(int(rand, 0, 2000)), "1"]);
  }
  keys.push("nokey");
  const pick = () => keys[int(rand, 0, keys.length - 1)];
  const index = () => {
    const r = rand();
    if (r < 0.05) return String(r < 0.025 ? I64_MIN : I64_MAX);
    return String(int(rand, -6000, 6000) >> (r < 0.5 ? 0 : 6));
  };
  for (let i = 0; i < 1500; i++) {
    const key = pick();
    const unit = [[], ["BYTE"], ["BIT"]][int(rand, 0, 2)];
    switch (int(rand, 0, 7)) {
      case 0:
        cmds.push(["BITCOUNT", key]);
        break;
      case 1:
        cmds.push(["BITCOUNT", key, index(), index(), ...unit]);
        break;
      case 2:
        cmds.push(["BITPOS", key, String(int(rand, 0, 1))]);
        break;
      case 3:
        cmds.push(["BITPOS", key, String(int(rand, 0, 1)), index()]);
        break;
      case 4:
        cmds.push(["BITPOS", key, String(int(rand, 0, 1)), index(), index(), ...unit]);
        break;
      case 5:
        cmds.push(["GETBIT", key, String(int(rand, 0, 50000))]);
        break;
      case 6: {
        const op = ["AND", "OR", "XOR", "NOT"][int(rand, 0, 3)];
        const srcs = op === "NOT" ? [pick()] : [pick(), pick(), pick()].slice(0, int(rand, 1, 3));
        const dest = `d${int(rand, 0, 2)}`;
        cmds.push(["BITOP", op, dest, ...srcs], ["GET", dest], ["BITCOUNT", dest]);
        break;
      }
      default:
        if (key !== "nokey" || rand() < 0.1) {
          cmds.push(["SETBIT", key, String(int(rand, 0, 6000)), String(int(rand, 0, 1))]);
        }
    }
  }
  for (const key of keys) cmds.push(["GET", key], ["OBJECT", "ENCODING", key]);
  await o.samePipelined(cmds);
});

oracleTest(
  "oracle: bitmap commands with random arguments get Redis's replies (seeded)",
  async (o) => {
    const rand = prng(5);
    // Tokens that each command reads somewhere: numbers of every kind, keywords, junk.
    const tokens = [
      ..."0 1 2 -1 7 8 100 -100 65535 4294967296 #0 #3 #-1 9223372036854775807".split(" "),
      ..."-9223372036854775808 99999999999999999999 1.5 +1 01 x i8 u8 i64 u63 u64".split(" "),
      ..."i65 i0 I8 GET get SET INCRBY OVERFLOW WRAP SAT FAIL fail BIT BYTE bit".split(" "),
      ..."AND OR XOR NOT not k s list nokey".split(" "),
      ...["", " 1", "\x00", "1\x00", "i8\x00x", "BIT\x00"],
    ];
    const names = ["SETBIT", "GETBIT", "BITCOUNT", "BITPOS", "BITOP", "BITFIELD", "BITFIELD_RO"];
    const cmds: string[][] = [
      ["SET", "k", "\x00\xf0\x0f\xff"],
      ["SET", "s", "12345"],
      ["RPUSH", "list", "a"],
    ];
    for (let i = 0; i < 3000; i++) {
      const name = names[int(rand, 0, names.length - 1)];
      const args = [name];
      const n = int(rand, 0, 7);
      for (let k = 0; k < n; k++) {
        // Keys where commands expect them, most of the time.
        const keyPos = name === "BITOP" ? k >= 1 : k === 0;
        const pool = keyPos && rand() < 0.8 ? ["k", "s", "list", "nokey"] : tokens;
        args.push(pool[int(rand, 0, pool.length - 1)]);
      }
      cmds.push(args);
    }
    cmds.push(["GET", "k"], ["GET", "s"], ["TYPE", "list"], ["GET", "nokey"]);
    await o.samePipelined(cmds);
  },
);

oracleTest("oracle: bitmap commands in RESP3", async (o) => {
  const [mine, theirs] = await o.connectPair();
  try {
    await Promise.all([mine.call("HELLO", "3"), theirs.call("HELLO", "3")]);
    const cmds = [
      ["SETBIT", "k", "10", "1"],
      ["GETBIT", "k", "10"],
      ["BITCOUNT", "k"],
      ["BITPOS", "k", "1"],
      ["BITOP", "NOT", "d", "k"],
      ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9", "GET", "i64", "0"],
      ["BITFIELD", "k"],
      ["BITFIELD_RO", "k", "GET", "u8", "0"],
      ["BITFIELD", "nokey", "GET", "u8", "0"],
    ];
    for (const cmd of cmds) {
      const [a, b] = await Promise.all([mine.call(...cmd), theirs.call(...cmd)]);
      assertEquals(a, b, `RESP3 reply to ${JSON.stringify(cmd)}`);
    }
  } finally {
    mine.close();
    theirs.close();
  }
});

/** rdb_changes_since_last_save: the count that decides whether a command is logged. */
async function changes(c: RespClient): Promise<number> {
  const text = decode(await c.call("INFO", "persistence")) as string;
  return Number(parseInfo(text).get("rdb_changes_since_last_save"));
}

oracleTest("oracle: bitmap writes count changes as Redis does (what gets logged)", async (o) => {
  const cmds = [
    ["SETBIT", "k", "1", "1"],
    ["SETBIT", "k", "1", "1"],
    ["SETBIT", "k", "1", "0"],
    ["SETBIT", "k", "1", "0"],
    ["SETBIT", "k", "100", "0"],
    ["SETBIT", "k", "100", "0"],
    ["SETBIT", "new", "0", "0"],
    ["GETBIT", "k", "1"],
    ["BITFIELD", "k", "GET", "u8", "0"],
    ["BITFIELD", "k", "SET", "u8", "0", "0"],
    ["BITFIELD", "k", "SET", "u8", "0", "1", "SET", "u8", "0", "1", "INCRBY", "u8", "8", "0"],
    ["BITFIELD", "k", "SET", "u8", "200", "0", "SET", "u8", "0", "7"],
    ["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
    ["BITFIELD", "bfnew", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
    ["BITFIELD", "bfnew2", "SET", "u8", "0", "0", "SET", "u8", "0", "0"],
    ["BITFIELD", "bfnew3", "GET", "u8", "0"],
    ["BITOP", "AND", "dest", "nokey"],
    ["BITOP", "OR", "dest", "k"],
    ["BITOP", "OR", "dest", "k"],
    ["BITOP", "AND", "dest", "nokey"],
    ["BITFIELD", "k", "SET", "x8", "0", "1"],
    ["SETBIT", "k", "x", "1"],
  ];
  for (const cmd of cmds) {
    const before = await Promise.all([changes(o.redeno), changes(o.redis)]);
    await o.same(...cmd);
    const after = await Promise.all([changes(o.redeno), changes(o.redis)]);
    assertEquals(after[0] - before[0], after[1] - before[1], `changes by ${JSON.stringify(cmd)}`);
  }
});

oracleTest("oracle: COMMAND INFO and DOCS of the bitmap commands", async (o) => {
  const names = ["setbit", "getbit", "bitcount", "bitpos", "bitop", "bitfield_ro"];
  for (const name of names) await o.same("COMMAND", "INFO", name);
  // BITFIELD's key spec carries a note (COMMAND INFO's "notes") redeno does not model.
  const info = async (c: RespClient) => {
    const entry = (decode(await c.call("COMMAND", "INFO", "bitfield")) as Decoded[][])[0];
    return JSON.stringify(entry.slice(0, 7), (_k, v) => v instanceof Set ? [...v].sort() : v);
  };
  assertEquals(await info(o.redeno), await info(o.redis));
  for (const name of [...names, "bitfield"]) {
    const docs = async (c: RespClient) => {
      const body = (decode(await c.call("COMMAND", "DOCS", name)) as Decoded[])[1] as Decoded[];
      const field = (f: string) => body[body.indexOf(f) + 1];
      return [field("summary"), field("since"), field("group"), field("complexity")];
    };
    assertEquals(await docs(o.redeno), await docs(o.redis), name);
  }
});

oracleTest(
  "oracle: offsets are bounded by proto-max-bulk-len",
  async (o) => {
    await o.sameAll([
      ["SETBIT", "k", "8388607", "1"],
      ["STRLEN", "k"],
      ["SETBIT", "k", "8388608", "1"],
      ["GETBIT", "k", "8388608"],
      ["GETBIT", "k", "8388607"],
      ["BITFIELD", "k", "GET", "u8", "#1048575", "GET", "u8", "#1048576"],
      ["BITFIELD", "k", "SET", "u8", "#1048575", "7"],
      ["BITFIELD", "k", "SET", "i64", "8388607", "-1", "GET", "i64", "8388607"],
      ["STRLEN", "k"],
      ["BITFIELD", "k", "SET", "u8", "#1048576", "7"],
      ["BITCOUNT", "k"],
      ["BITPOS", "k", "1", "-2"],
    ]);
  },
  { args: ["--proto-max-bulk-len", "1mb"] },
);

oracleTest("oracle: a 512 MB bitmap, the largest proto-max-bulk-len allows", async (o) => {
  // Past V8's longest string (2^29 - 24 bytes): redeno keeps it as bytes only.
  await o.sameAll([
    ["SETBIT", "k", "4294967295", "1"],
    ["STRLEN", "k"],
    ["BITCOUNT", "k"],
    ["BITCOUNT", "k", "-1", "-1"],
    ["BITPOS", "k", "1"],
    ["BITPOS", "k", "0", "-1"],
    ["GETBIT", "k", "4294967295"],
    ["BITFIELD", "k", "GET", "u8", "#536870911", "INCRBY", "u4", "4294967292", "1"],
    ["GETRANGE", "k", "-3", "-1"],
    ["INCR", "k"],
    ["INCRBYFLOAT", "k", "1"],
    ["APPEND", "k", "x"],
    ["SETRANGE", "k", "536870911", "ab"],
    ["LCS", "k", "nokey"],
    ["LCS", "k", "k", "LEN"],
    ["OBJECT", "ENCODING", "k"],
    // The same RDB payload (LZF of the same bytes), and each server restores the other's.
    ["DUMP", "k"],
  ]);
  const payload = decode(await o.redis.call("DUMP", "k")) as string;
  await o.sameAll([["RESTORE", "k2", "0", payload], ["BITCOUNT", "k2"], ["DEL", "k", "k2"]]);
});
