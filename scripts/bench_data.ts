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
