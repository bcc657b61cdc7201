/**
 * What write commands log to the AOF (propagation), against Redis 7.0.15:
 * the same commands run on redeno and on a real redis-server, both with
 * `appendfsync always`, and the commands each logged to its incremental AOF
 * file must be the same: relative times logged as absolute ones (SET ...
 * PXAT, PEXPIREAT), reads and no-op writes not logged, lazily expired keys
 * logged as DEL before the command that found them. Then the logs replay:
 * redeno restarted on its own directory, and redeno started on a copy of
 * Redis's directory, must hold the data Redis holds.
 *
 * Timestamps derived from the clock differ between the two servers; they
 * are checked to lie where the relative time puts them, then replaced by a
 * placeholder. MULTI/EXEC, which Redis wraps around a lazy DEL and the
 * command after it, is flattened, and SELECTs become the database of each
 * command.
 */
import { assertEquals } from "@std/assert";
import { withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import {
  AOF_ONLY,
  aofDir,
  copyAofDir,
  dumpPort,
  readManifest,
  sleep,
} from "../support/persistence.ts";
import { manifestParts, readAofUnits } from "../../lib/persistence/aoffile.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

/** Binary key and values: NUL, CR LF, RESP look-alikes, high bytes. */
const BK = "bin\x00key\r\n\xff";
const BV = "\r\n*1\r\n$3\r\nSET\r\n\x00\xfe\xff";
const BF = "f\x00\r\n\x80";

/**
 * Relative times used below, in seconds (EX 100, PX 200000, ...): each
 * logged timestamp must be one of them after the test's start.
 */
const OFFSETS = [0, 100, 200, 300, 400, 500];

/** One round: commands sent in one write, or a pause (a short TTL running out). */
type Step = string[][] | { sleep: number };

/**
 * Every write command of strings.ts, keys.ts and hashes.ts, in several
 * databases, with binary data, including calls that change nothing or fail.
 */
const STEPS: Step[] = [
  // FLUSHALL / FLUSHDB are logged even on an empty server.
  [["FLUSHALL"], ["FLUSHDB"], ["SELECT", "7"], ["flushdb", "async"], ["SELECT", "0"]],
  // ---- strings, db 0
  [
    ["SET", "s1", "v"],
    ["SET", "s2", "v", "EX", "100"],
    ["SET", "s3", "v", "PX", "100000"],
    ["SET", "s4", "v", "EXAT", "99999999999"],
    ["SET", "s5", "v", "PXAT", "99999999999999"],
    ["set", "s6", "v", "px", "200000", "nx", "get"],
    ["SET", "s7", "v", "PXAT", "9223372036854775807"],
    ["SET", "s1", "w", "GET"],
    ["set", "s1", "x", "get", "GET", "keepttl"],
    ["SET", "s1", "y", "NX"],
    ["SET", "nokey", "y", "XX"],
    ["SET", "nokey", "y", "XX", "GET"],
    ["SET", "s1", "z", "XX", "GET", "EX", "100"],
    ["SET", "s1", "z", "BADOPT"],
    ["SET", "s1", "z", "EX", "0"],
    ["SET", "s1", "z", "EX", "abc"],
    ["SET", BK, BV],
    ["SET", BK, BV + "2", "GET"],
    ["SETNX", "s1", "v"],
    ["SETNX", "s8", "v"],
    ["SETEX", "s9", "100", "v"],
    ["psetex", "s10", "200000", "v"],
    ["SETEX", "s9", "0", "v"],
    ["APPEND", "s11", BV],
    ["APPEND", "s11", ""],
    ["APPEND", "s11", "more"],
    ["SETRANGE", "s12", "5", BV],
    ["SETRANGE", "s12", "0", ""],
    ["SETRANGE", "nokey", "0", ""],
    ["SETRANGE", "s12", "-1", "x"],
    ["INCR", "c1"],
    ["DECR", "c1"],
    ["INCRBY", "c1", "100"],
    ["DECRBY", "c1", "7"],
    ["INCRBY", "c1", "0"],
    ["INCR", "s1"],
    ["INCRBYFLOAT", "f1", "1.5"],
    ["INCRBYFLOAT", "f1", "2.0e2"],
    ["INCRBYFLOAT", "f1", "abc"],
    ["INCRBYFLOAT", "s11", "1"],
    ["SET", "f2", "10", "EX", "300"],
    ["INCRBYFLOAT", "f2", "0.1"],
    ["HSET", "hsh", "f", "v"],
    ["SET", "hsh", "v", "GET"],
    ["GETSET", "s8", "new"],
    ["getset", "g1", BV],
    ["GETSET", "hsh", "v"],
    ["GETDEL", "s8"],
    ["GETDEL", "s8"],
    ["GETEX", "s9"],
    ["GETEX", "s9", "EX", "400"],
    ["GETEX", "s9", "PX", "500000"],
    ["GETEX", "s9", "EXAT", "99999999998"],
    ["getex", "s9", "pxat", "99999999997999"],
    ["GETEX", "s9", "PERSIST"],
    ["GETEX", "s9", "PERSIST"],
    ["GETEX", "s10", "EXAT", "1"],
    ["GETEX", "nokey", "EX", "10"],
    ["GETEX", "s9", "EX", "0"],
    ["MSET", "m1", "a", "m2", BV],
    ["MSET", "m1", "b", "m1", "c"],
    ["MSETNX", "m1", "x", "m3", "y"],
    ["MSETNX", "m3", "x", BK + "m", "y"],
  ],
  // ---- generic keyspace commands, dbs 3, 4, 5, 2
  [
    ["SELECT", "4"],
    ["SET", "r5", "in4"],
    ["SELECT", "3"],
    ["SET", "k1", "v"],
    ["SET", "k2", "v"],
    ["DEL", "nokey"],
    ["DEL", "k1", "nokey"],
    ["UNLINK", "k2"],
    ["UNLINK", "nokey"],
    ["SET", "r1", "v", "EX", "100"],
    ["RENAME", "r1", "r2"],
    ["RENAME", "r2", "r2"],
    ["RENAME", "nokey", "x"],
    ["SET", "r3", "v"],
    ["RENAMENX", "r2", "r3"],
    ["RENAMENX", "r2", BK],
    ["COPY", BK, "c1"],
    ["COPY", BK, "c1"],
    ["COPY", BK, "c1", "REPLACE"],
    ["copy", BK, "c2", "db", "4"],
    ["COPY", "nokey", "c3"],
    ["COPY", BK, BK],
    ["MOVE", "r3", "4"],
    ["MOVE", "r3", "4"],
    ["SET", "r5", "in3"],
    ["MOVE", "r5", "4"],
    ["SET", "e1", "v"],
    ["EXPIRE", "e1", "200"],
    ["EXPIRE", "e1", "200", "NX"],
    ["EXPIRE", "e1", "300", "xx"],
    // Not 300000: an equal time is later or not depending on the millisecond.
    ["PEXPIRE", "e1", "300500", "Gt"],
    ["EXPIRE", "e1", "100", "GT"],
    ["EXPIRE", "e1", "100", "lt"],
    ["EXPIREAT", "e1", "99999999999"],
    ["pexpireat", "e1", "99999999999999"],
    ["EXPIRE", "nokey", "100"],
    ["EXPIRE", "e1", "abc"],
    ["EXPIRE", "e1", "100", "NX", "XX"],
    ["PERSIST", "e1"],
    ["PERSIST", "e1"],
    ["PERSIST", "nokey"],
    ["EXPIRE", "e1", "-1"],
    ["SET", "e2", "v"],
    ["PEXPIRE", "e2", "0"],
    ["SET", "e3", "v"],
    ["EXPIREAT", "e3", "1", "NX"],
    ["SET", "e4", "v"],
    ["PEXPIREAT", "e4", "1"],
    ["SET", "e5", "v"],
    ["expire", "e5", "100", "nx"],
    ["SET", "e6", "v"],
    ["PEXPIREAT", "e6", "9223372036854775807"],
    ["SET", "e7", "v"],
    ["EXPIREAT", "e7", "9223372036854775"],
    ["SET", "e8", "v"],
    ["EXPIRE", "e8", "9223372036854775"],
    ["SWAPDB", "3", "4"],
    ["SWAPDB", "2", "2"],
    ["SELECT", "5"],
    ["SET", "a", "1"],
    ["FLUSHDB"],
    ["FLUSHDB"],
  ],
  // ---- hashes, db 9
  [
    ["SELECT", "9"],
    ["HSET", "h1", "f1", "v1", BF, BV],
    ["HSET", "h1", "f1", "v1"],
    ["HMSET", "h1", "f3", "v3"],
    ["HSET", "h1", "f"],
    ["HSETNX", "h1", "f1", "x"],
    ["HSETNX", "h1", "f4", "x"],
    ["HSETNX", "h2", "f", "x"],
    ["HDEL", "h1", "nof"],
    ["HDEL", "nokey", "f"],
    ["HDEL", "h1", "f1", "nof"],
    ["HDEL", "h2", "f"],
    ["HINCRBY", "h1", "n", "5"],
    ["HINCRBY", "h1", "n", "-2"],
    ["HINCRBY", "h1", BF, "1"],
    ["HINCRBY", "h1", "n", "abc"],
    ["HINCRBYFLOAT", "h1", "fl", "1.5"],
    ["HINCRBYFLOAT", "h1", "fl", "0.25"],
    ["HINCRBYFLOAT", "h1", BF, "1"],
    ["HINCRBYFLOAT", "h1", "fl", "abc"],
    ["hincrbyfloat", "h3", "x", "3.0e0"],
    ["SET", "str", "v"],
    ["HSET", "str", "f", "v"],
    ["HINCRBYFLOAT", "str", "f", "1"],
  ],
];

/**
 * Lazy expiry, one key at a time (so that an active expiry, which logs the
 * same DEL at the same place, cannot reorder anything): set up a key with a
 * short TTL, let it run out, then touch it. All in db 11. PEXPIRE gets 20 ms,
 * not 1: Redis checks whether the new time has already passed with a second
 * clock read, so a millisecond ticking between the two made it log DEL instead
 * of PEXPIREAT (PSETEX has no such check). 40 ms after the reply the key has
 * expired on both servers, whatever the load.
 */
const LAZY: [setup: string[][], touch: string[][]][] = [
  [[["PSETEX", "x1", "1", "v"]], [["GET", "x1"]]],
  [[["PSETEX", "x2", "1", "v"]], [["SET", "x2", "new"]]],
  [[["PSETEX", "x3", "1", "v"]], [["MSET", "x3", "a", "y3", "b"]]],
  [[["HSET", "x4", "f", "v"], ["PEXPIRE", "x4", "20"]], [["HSET", "x4", "f", "w"]]],
  [[["PSETEX", "x5", "1", "v"]], [["DEL", "x5"]]],
  [[["PSETEX", "x6", "1", "v"]], [["INCRBYFLOAT", "x6", "1"]]],
  [[["PSETEX", "x7", "1", "v"]], [["GETSET", "x7", "n"]]],
  [[["PSETEX", "x8", "1", "v"]], [["APPEND", "x8", "z"]]],
  [[["PSETEX", "x9", "1", "v"]], [["RENAME", "x9", "y9"]]],
  [
    [["SELECT", "12"], ["PSETEX", "x10", "1", "v"], ["SELECT", "11"], ["SET", "src", "v"]],
    [["COPY", "src", "x10", "DB", "12"]],
  ],
  [[["PSETEX", "x11", "1", "v"]], [["EXPIRE", "x11", "100"]]],
  [[["PSETEX", "x12", "1", "v"]], [["SET", "x12", "v", "EX", "100"]]],
  [[["PSETEX", "x13", "1", "v"]], [["MSETNX", "x13", "a"]]],
  [[["PSETEX", "x14", "1", "v"]], [["HINCRBYFLOAT", "x14", "f", "1"]]],
  [[["PSETEX", "x15", "1", "v"], ["SET", "x15b", "v"]], [["RENAME", "x15b", "x15"]]],
  [[["PSETEX", "x16", "1", "v"]], [["GETEX", "x16", "EX", "100"]]],
  [[["PSETEX", "x17", "1", "v"]], [["PERSIST", "x17"]]],
  [[["PSETEX", "x18", "1", "v"]], [["MOVE", "x18", "13"]]],
];

function allSteps(): Step[] {
  const steps: Step[] = [...STEPS, [["SELECT", "11"]]];
  for (const [setup, touch] of LAZY) steps.push(setup, { sleep: 40 }, touch);
  return steps;
}

/** A logged command with the database it ran in. */
interface Logged {
  db: number;
  args: string[];
}

/** The commands of the server's (only) incremental AOF file, MULTI/EXEC flattened. */
async function readLog(s: TestServer): Promise<Logged[]> {
  const { incr } = manifestParts(readManifest(s.dir));
  assertEquals(incr.length, 1, `${s.kind}: one incremental file`);
  const bytes = await Deno.readFile(`${aofDir(s.dir)}/${incr[0].file}`);
  const units = readAofUnits(bytes);
  const out: Logged[] = [];
  let db = -1;
  let first = true;
  for (;;) {
    const next = units.next();
    if (next.done) {
      assertEquals(next.value.kind, "ok", `${s.kind}: the log reads to its end`);
      break;
    }
    for (const args of next.value.commands) {
      if (first) assertEquals(args[0], "SELECT", `${s.kind}: the log starts with a SELECT`);
      first = false;
      if (args[0].toUpperCase() === "SELECT") db = Number(args[1]);
      else out.push({ db, args });
    }
  }
  return out;
}

/**
 * A timestamp the server computed from the clock: the OFFSETS entry it
 * belongs to, as a placeholder; an absolute time that came with the command
 * (far from now) stays as it is.
 */
function normalizeTime(ms: string, start: number, end: number): string {
  const t = Number(ms);
  if (Math.abs(t - start) > 86_400_000 * 7) return ms;
  for (const o of OFFSETS) {
    if (t >= start + o * 1000 - 2000 && t <= end + o * 1000 + 2000) return `<now+${o}s>`;
  }
  throw new Error(`timestamp ${ms} is near now but matches no relative time of the test`);
}

function normalizeLog(log: Logged[], start: number, end: number): string[] {
  return log.map(({ db, args }) => {
    const a = [...args];
    const name = a[0].toUpperCase();
    if (name === "PEXPIREAT") a[2] = normalizeTime(a[2], start, end);
    if (name === "SET" && a.length === 5 && a[3].toUpperCase() === "PXAT") {
      a[4] = normalizeTime(a[4], start, end);
    }
    return `${db}: ${JSON.stringify(a)}`;
  });
}

/** Every key of every database: type, value and absolute expiry (PEXPIRETIME, -1 for none). */
async function dumpData(port: number): Promise<Map<string, string>> {
  const expireAt = new Map<string, number | bigint>();
  const rows = await dumpPort(port, undefined, expireAt);
  return new Map(rows.map(([db, key, type, value]) => [
    `${db} ${JSON.stringify(key)}`,
    JSON.stringify([type, value, String(expireAt.get(`${db}:${key}`) ?? -1)]),
  ]));
}

/** The dump with clock-derived expiries replaced as in normalizeTime. */
function normalizeData(data: Map<string, string>, start: number, end: number): string[] {
  return [...data].map(([k, v]) => {
    const [type, value, ttl] = JSON.parse(v);
    const t = ttl === "-1" ? ttl : normalizeTime(ttl, start, end);
    return `${k} ${JSON.stringify([type, value, t])}`;
  }).sort();
}

function assertSameLines(actual: string[], expected: string[], what: string): void {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const ctx = (l: string[]) => l.slice(Math.max(0, i - 3), i + 6).join("\n    ");
  throw new Error(
    `${what} differ at line ${i}:\n  redeno:\n    ${ctx(actual)}\n  redis:\n    ${ctx(expected)}`,
  );
}

async function runAll(s: TestServer): Promise<string[]> {
  return await withClient(s.port, async (c) => {
    const replies: string[] = [];
    for (const step of allSteps()) {
      if ("sleep" in step) await sleep(step.sleep);
      else replies.push(...await c.pipeline(step));
    }
    return replies;
  });
}

Deno.test("write commands log what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  const dirs = new Set<string>();
  const servers: TestServer[] = [];
  const track = (s: TestServer) => (servers.push(s), dirs.add(s.dir), s);
  try {
    const start = Date.now();
    const [redeno, redis] = await Promise.all([
      startRedeno({ persistence: true, args: ARGS }).then(track),
      startRedis({ persistence: true, args: ARGS }).then((s) => s && track(s)),
    ]);
    const [ours, theirs] = await Promise.all([runAll(redeno), redis ? runAll(redis) : null]);
    // Read before anything else runs (appendfsync always: every reply's command is on disk).
    const [ourLog, theirLog] = await Promise.all([readLog(redeno), redis ? readLog(redis) : null]);
    const before = await dumpData(redeno.port);
    const theirData = redis ? await dumpData(redis.port) : null;
    const end = Date.now();

    if (redis !== null) {
      await t.step("same replies", () => {
        const sent = allSteps().flatMap((s) => ("sleep" in s ? [] : s));
        const lines = (replies: string[]) =>
          replies.map((r, i) => `${JSON.stringify(sent[i])} -> ${JSON.stringify(r)}`);
        assertSameLines(lines(ours), lines(theirs!), "replies");
      });
      await t.step("same commands logged", () => {
        assertSameLines(
          normalizeLog(ourLog, start, end),
          normalizeLog(theirLog!, start, end),
          "AOF commands",
        );
      });
      await t.step("same data", () => {
        assertSameLines(
          normalizeData(before, start, end),
          normalizeData(theirData!, start, end),
          "data",
        );
      });
    }

    await t.step("redeno replays its own log to the same data", async () => {
      await redeno.stop();
      servers.splice(servers.indexOf(redeno), 1);
      const again = track(await startRedeno({ persistence: true, args: ARGS, dir: redeno.dir }));
      const after = await dumpData(again.port);
      // Exactly: absolute expiries included.
      assertSameLines(
        [...after].map(String).sort(),
        [...before].map(String).sort(),
        "data (after replay vs before)",
      );
    });

    if (redis !== null) {
      await t.step("redeno replays Redis's log to the same data", async () => {
        const dir = await copyAofDir(redis.dir, "redeno-propagation-");
        dirs.add(dir);
        const loaded = track(await startRedeno({ persistence: true, args: ARGS, dir }));
        const got = await dumpData(loaded.port);
        assertSameLines(
          [...got].map(String).sort(),
          [...theirData!].map(String).sort(),
          "data (redeno from Redis's AOF vs redis)",
        );
      });
    }
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});
