/**
 * The data `deno task bench` loads with `redis-cli --pipe`: RESP files of
 * commands, and the collection data sets of the memory and zset1m sections,
 * each with the check that it arrived whole.
 */
import { call, type Server } from "./support.ts";

/** RESP for ASCII arguments (so that string length is byte length). */
export function resp(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

/** Writes `command(0) .. command(n - 1)` as RESP to `path`. */
export function writeRespFile(path: string, n: number, command: (i: number) => string[]): void {
  const enc = new TextEncoder();
  const f = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    for (let start = 0; start < n; start += 10_000) {
      let s = "";
      for (let i = start; i < Math.min(n, start + 10_000); i++) s += resp(command(i));
      const bytes = enc.encode(s);
      for (let off = 0; off < bytes.length;) off += f.writeSync(bytes.subarray(off));
    }
  } finally {
    f.close();
  }
}

/** A value redis-benchmark's `__rand_int__` expands to: 12 digits, zero-padded. */
export const randInt = (i: number) => String(i).padStart(12, "0");

/** The member names of the big sorted set, so that `member:__rand_int__` hits them. */
export const zsetMember = (i: number) => `member:${randInt(i)}`;

/** The big sorted set's scores are spread over 0..ZSET_SCORE_RANGE. */
export const ZSET_SCORE_RANGE = 100_000_000;

/** The step between the scores of a sorted set of n members. */
const scoreStep = (n: number) => Math.max(1, Math.floor(ZSET_SCORE_RANGE / n));

/**
 * The score of member i: a permutation of 0..n-1 (i * 7919 mod n; 7919 is a
 * prime, coprime with any n it does not divide) times scoreStep(n), so that
 * members arrive in no score order, and `ZRANGEBYSCORE key __rand_int__ +inf`
 * and `ZADD key __rand_int__ new:__rand_int__` (-r ZSET_SCORE_RANGE) start
 * and land anywhere in the set.
 */
export function zsetScore(i: number, n: number): number {
  return (n % 7919 === 0 ? i : (i * 7919) % n) * scoreStep(n);
}

/** Elements per command when a big collection is loaded (as a client would batch them). */
const BATCH = 100;

/** One data set: the commands that build it and how to check it was built. */
export interface Dataset {
  /** Short id, used for file names and --only-like lists. */
  id: string;
  /** What it holds, for the report, e.g. "a list of 1,000,000 elements". */
  title: string;
  /** How it is built, for the report, e.g. "`RPUSH list value:N ...`, 100 per command". */
  how: string;
  /** Number of commands (= replies redis-cli --pipe must see). */
  commands: number;
  command: (i: number) => string[];
  /** Throws unless the server holds the whole data set (and nothing else). */
  verify: (s: Server) => Promise<void>;
}

async function expectReply(s: Server, expected: number, ...args: string[]): Promise<void> {
  const got = await call(s.port, ...args);
  if (got !== expected) {
    throw new Error(`${s.name}: ${args.join(" ")} is ${String(got)}, not ${expected}`);
  }
}

/** `n` elements of one key in commands of BATCH: `element(j)` gives the arguments for j. */
function big(
  id: string,
  title: string,
  how: string,
  verb: string,
  key: string,
  n: number,
  element: (j: number) => string[],
  size: string,
): Dataset {
  return {
    id,
    title,
    how,
    commands: Math.ceil(n / BATCH),
    command: (i) => {
      const args = [verb, key];
      for (let j = i * BATCH; j < Math.min(n, (i + 1) * BATCH); j++) args.push(...element(j));
      return args;
    },
    verify: async (s) => {
      await expectReply(s, 1, "DBSIZE");
      await expectReply(s, n, size, key);
    },
  };
}

/** `n` keys of SMALL elements each, one command per key. */
const SMALL = 10;
function small(
  id: string,
  title: string,
  how: string,
  verb: string,
  prefix: string,
  n: number,
  element: (i: number, j: number) => string[],
  size: string,
): Dataset {
  return {
    id,
    title,
    how,
    commands: n,
    command: (i) => [
      verb,
      `${prefix}${i}`,
      ...Array.from({ length: SMALL }, (_, j) => element(i, j)).flat(),
    ],
    verify: async (s) => {
      await expectReply(s, n, "DBSIZE");
      await expectReply(s, SMALL, size, `${prefix}${n - 1}`);
    },
  };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The sorted set of the zset1m section (and of the memory section's zset row). */
export function bigZset(n: number): Dataset {
  return big(
    "zset",
    `a sorted set of ${fmt(n)} members`,
    `\`ZADD zset <score> member:<N as 12 digits> ...\`, ${BATCH} per command, scores a ` +
      `permutation of 0..N-1 times ${fmt(scoreStep(n))}`,
    "ZADD",
    "zset",
    n,
    (j) => [String(zsetScore(j, n)), zsetMember(j)],
    "ZCARD",
  );
}

/**
 * The memory section's collection data sets: `members` elements in one key,
 * or `smallKeys` keys of 10 elements.
 */
export function collectionDatasets(members: number, smallKeys: number): Dataset[] {
  const per = `${BATCH} per command`;
  return [
    big(
      "list",
      `a list of ${fmt(members)} elements`,
      `\`RPUSH list value:N ...\`, ${per}`,
      "RPUSH",
      "list",
      members,
      (j) => [`value:${j}`],
      "LLEN",
    ),
    big(
      "intset",
      `a set of ${fmt(members)} integers`,
      `\`SADD intset N ...\` (N = 0..), ${per}`,
      "SADD",
      "intset",
      members,
      (j) => [String(j)],
      "SCARD",
    ),
    big(
      "strset",
      `a set of ${fmt(members)} short strings`,
      `\`SADD strset member:N ...\`, ${per}`,
      "SADD",
      "strset",
      members,
      (j) => [`member:${j}`],
      "SCARD",
    ),
    bigZset(members),
    small(
      "lists",
      `${fmt(smallKeys)} lists of ${SMALL} elements`,
      `\`RPUSH list:N value:N:0 ... value:N:9\``,
      "RPUSH",
      "list:",
      smallKeys,
      (i, j) => [`value:${i}:${j}`],
      "LLEN",
    ),
    small(
      "sets",
      `${fmt(smallKeys)} sets of ${SMALL} integers`,
      `\`SADD set:N 10N ... 10N+9\``,
      "SADD",
      "set:",
      smallKeys,
      (i, j) => [String(i * SMALL + j)],
      "SCARD",
    ),
    small(
      "zsets",
      `${fmt(smallKeys)} sorted sets of ${SMALL} members`,
      `\`ZADD zset:N 0 member:N:0 ... 9 member:N:9\``,
      "ZADD",
      "zset:",
      smallKeys,
      (i, j) => [String(j), `member:${i}:${j}`],
      "ZCARD",
    ),
  ];
}

/** The datatypes section's stream entries have IDs 1-0 .. n-0, so `XRANGE key __rand_int__ +` starts anywhere. */
export const STREAM_KEY = "bench:stream";
export const BITMAP_KEY = "bench:bits1m";
/** Bytes of the BITCOUNT test's string. */
export const BITMAP_BYTES = 1024 * 1024;
export const HLL_KEYS = ["bench:hll1", "bench:hll2", "bench:hll3"];
/** Elements per HyperLogLog: past hll-sparse-max-bytes, so the three are dense as in real use. */
const HLL_ELEMENTS = 10_000;
export const GEO_KEY = "bench:geo";
/** The geo members lie in lon GEO_LON..GEO_LON+GEO_SPAN, lat GEO_LAT..GEO_LAT+GEO_SPAN. */
export const GEO_LON = 13;
export const GEO_LAT = 36;
export const GEO_SPAN = 4;

/** Fractional part of i·a: a low-discrepancy spread of points over [0, 1). */
const spread = (i: number, a: number) => (i * a) % 1;

/**
 * The data of the datatypes section, in one file: a stream of `streamEntries`
 * entries of 2 small fields (IDs 1-0 ..), a 1 MB string, three dense
 * HyperLogLogs and a geo set of `geoMembers` members spread over a 4°×4° box.
 */
export function typesDataset(streamEntries: number, geoMembers: number): Dataset {
  const hllCommands = HLL_KEYS.length * (HLL_ELEMENTS / BATCH);
  const geoCommands = Math.ceil(geoMembers / BATCH);
  // Printable bytes, so that the RESP file's string length is its byte length.
  let bits = "";
  for (let i = 0; bits.length < BITMAP_BYTES; i++) {
    bits += String.fromCharCode(33 + (i * 7919) % 94);
  }
  return {
    id: "types",
    title: `a stream of ${fmt(streamEntries)} entries, a 1 MB string, ${HLL_KEYS.length} ` +
      `HyperLogLogs of ${fmt(HLL_ELEMENTS)} elements and a geo set of ${fmt(geoMembers)} members`,
    how:
      `\`XADD ${STREAM_KEY} N-0 f1 v1 f2 v2\` (N = 1..), group g, \`SET ${BITMAP_KEY} <1 MB>\`, ` +
      `\`PFADD ${HLL_KEYS.join("|")} ...\` and \`GEOADD ${GEO_KEY} <lon> <lat> place:N ...\` ` +
      `(${BATCH} per command, lon ${GEO_LON}..${GEO_LON + GEO_SPAN}, lat ${GEO_LAT}..${
        GEO_LAT + GEO_SPAN
      })`,
    commands: streamEntries + 2 + hllCommands + geoCommands,
    command: (i) => {
      if (i < streamEntries) return ["XADD", STREAM_KEY, `${i + 1}-0`, "f1", "v1", "f2", "v2"];
      i -= streamEntries;
      // A consumer group, so that XREADGROUP runs on the data as loaded (scripts/profile.ts).
      if (i === 0) return ["XGROUP", "CREATE", STREAM_KEY, "g", "0"];
      i -= 1;
      if (i === 0) return ["SET", BITMAP_KEY, bits];
      i -= 1;
      if (i < hllCommands) {
        const per = HLL_ELEMENTS / BATCH;
        const key = HLL_KEYS[Math.floor(i / per)];
        const from = (i % per) * BATCH;
        return ["PFADD", key, ...Array.from({ length: BATCH }, (_, j) => `${key}:${from + j}`)];
      }
      i -= hllCommands;
      const args = ["GEOADD", GEO_KEY];
      for (let j = i * BATCH; j < Math.min(geoMembers, (i + 1) * BATCH); j++) {
        args.push(
          (GEO_LON + GEO_SPAN * spread(j, 0.6180339887498949)).toFixed(6),
          (GEO_LAT + GEO_SPAN * spread(j, 0.7548776662466927)).toFixed(6),
          `place:${randInt(j)}`,
        );
      }
      return args;
    },
    verify: async (s) => {
      await expectReply(s, 3 + HLL_KEYS.length, "DBSIZE");
      await expectReply(s, streamEntries, "XLEN", STREAM_KEY);
      await expectReply(s, BITMAP_BYTES, "STRLEN", BITMAP_KEY);
      await expectReply(s, geoMembers, "ZCARD", GEO_KEY);
    },
  };
}

/** The memory section's stream: `n` entries of 2 small fields, IDs generated by the server. */
export function bigStream(n: number): Dataset {
  return {
    id: "stream",
    title: `a stream of ${fmt(n)} entries`,
    how: "`XADD stream * f1 v1 f2 v2`, one entry per command",
    commands: n,
    command: () => ["XADD", "stream", "*", "f1", "v1", "f2", "v2"],
    verify: async (s) => {
      await expectReply(s, 1, "DBSIZE");
      await expectReply(s, n, "XLEN", "stream");
    },
  };
}
