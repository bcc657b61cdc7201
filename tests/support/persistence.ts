/**
 * What the persistence tests share: commands that must succeed, INFO
 * persistence fields, waiting for a state (never for a time), SHUTDOWN, the
 * AOF directory and its manifest (read with redeno's parser, itself checked
 * against Redis's files in tests/unit/aoffile_test.ts), Redis's file checkers,
 * a dump of every key, and which server a suite targets (REDENO_TEST_TARGET).
 */
import { assert, assertEquals } from "@std/assert";
import { bytesToStr } from "../../lib/resp/bytes.ts";
import { type ManifestEntry, manifestParts, parseManifest } from "../../lib/persistence/aoffile.ts";
import { decode, parseInfo, type RespClient, withClient } from "./resp_client.ts";
import {
  redisTool,
  runRedenoToExit,
  runRedisToExit,
  type Start,
  type StartOptions,
  startRedeno,
  startRedis,
  type TestServer,
} from "./servers.ts";

// ---------------------------------------------------------------- servers

/** AOF off, no save points: dump.rdb is written only when asked (SAVE...). */
export const RDB_ONLY = ["--appendonly", "no", "--save", ""];
/** AOF on, no save points: a new base only when asked (BGREWRITEAOF...). */
export const AOF_ONLY = ["--appendonly", "yes", "--save", ""];

/** The server a suite runs against: REDENO_TEST_TARGET=redis picks redis-server. */
export const TARGET = Deno.env.get("REDENO_TEST_TARGET") === "redis" ? "redis" : "redeno";

/** Starts the target with persistence as `opts.args` configure it. */
export async function startTarget(opts: StartOptions): Promise<TestServer> {
  if (TARGET === "redeno") return await startRedeno({ ...opts, persistence: true });
  const s = await startRedis({ ...opts, persistence: true });
  if (!s) throw new Error("REDENO_TEST_TARGET=redis needs redis-server");
  return s;
}

/** Runs the target expecting a failed start-up: exit code and all output. */
export async function runTargetToExit(
  opts: StartOptions,
): Promise<{ code: number; output: string }> {
  const run = TARGET === "redeno" ? runRedenoToExit : runRedisToExit;
  return await run({ ...opts, persistence: true });
}

/**
 * Starts a server with `opts`, runs `fn` on it and always stops it; null
 * when `start` gave no server (redis-server missing outside CI).
 */
export async function withServer<T>(
  start: Start,
  opts: StartOptions,
  fn: (s: TestServer) => Promise<T>,
): Promise<T | null> {
  const s = await start(opts);
  if (!s) return null;
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}

/**
 * Runs `run` on a real redis-server (when installed), then on redeno; what
 * the runs return (their transcripts) must be equal.
 */
export async function sameOnBoth<T>(run: (start: Start) => Promise<T | null>): Promise<void> {
  const theirs = await run(startRedis);
  const mine = await run(startRedeno);
  if (theirs !== null) assertEquals(mine, theirs, "redeno's transcript equals Redis's");
}

/** Sends SHUTDOWN (or a variant): the connection closes without a reply; the exit code. */
export async function shutdown(s: TestServer, ...args: string[]): Promise<number> {
  const reply = await withClient(s.port, async (c) => {
    try {
      return await within(c.call("SHUTDOWN", ...args), "the answer to SHUTDOWN");
    } catch (e) {
      // A successful SHUTDOWN closes the connection without a reply.
      if ((e as Error).message.startsWith("hung")) throw e;
      return "(connection closed)";
    }
  });
  assertEquals(reply, "(connection closed)", `SHUTDOWN ${args.join(" ")}`);
  return (await within(s.process.status, "the exit after SHUTDOWN")).code;
}

// ---------------------------------------------------------------- commands

/** Sends a command that must not fail; returns the decoded reply. */
export async function ok(c: RespClient, ...args: string[]): Promise<unknown> {
  const raw = await c.call(...args);
  assert(!raw.startsWith("-"), `${JSON.stringify(args).slice(0, 120)} -> ${raw}`);
  return decode(raw);
}

/** INFO persistence as a map. */
export async function info(c: RespClient): Promise<Map<string, string>> {
  return parseInfo((await ok(c, "INFO", "persistence")) as string);
}

/** One field of INFO persistence, which must be there. */
export async function infoField(c: RespClient, name: string): Promise<string> {
  const v = (await info(c)).get(name);
  assert(v !== undefined, `no ${name} in INFO persistence`);
  return v;
}

// ---------------------------------------------------------------- waiting

// Only stops a hung test; no test asserts a speed.
const HANG_MS = 60_000;
const POLL_MS = 50;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; the limit only stops a hung test, it asserts no speed. */
export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
): Promise<void> {
  for (let i = 0; i < HANG_MS / POLL_MS; i++) {
    if (await cond()) return;
    await sleep(POLL_MS);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** `p`, or an error after a long while: a guard against hangs, not a speed check. */
export async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what}`)), HANG_MS);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until no snapshot or AOF rewrite runs or is scheduled. */
export async function idle(c: RespClient): Promise<void> {
  await waitFor("background saves to finish", async () => {
    const f = await info(c);
    return f.get("rdb_bgsave_in_progress") === "0" && f.get("aof_rewrite_in_progress") === "0" &&
      f.get("aof_rewrite_scheduled") === "0";
  });
}

// ---------------------------------------------------------------- files

export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The AOF directory of a server's dir (default appenddirname). */
export const aofDir = (dir: string) => `${dir}/appendonlydir`;
export const manifestPath = (dir: string) => `${aofDir(dir)}/appendonly.aof.manifest`;
export const manifestText = (dir: string) => Deno.readTextFileSync(manifestPath(dir));

/** The manifest's entries, in file order. */
export function readManifest(dir: string): ManifestEntry[] {
  return parseManifest(bytesToStr(Deno.readFileSync(manifestPath(dir))));
}

/** The base file the manifest names (there must be one). */
export function baseOf(dir: string): ManifestEntry {
  const { base } = manifestParts(readManifest(dir));
  assert(base, `no base in the manifest:\n${manifestText(dir)}`);
  return base;
}

/** The name of the last incr file the manifest names (there must be one). */
export function lastIncr(dir: string): string {
  const { incr } = manifestParts(readManifest(dir));
  assert(incr.length > 0, `no incr file in the manifest:\n${manifestText(dir)}`);
  return incr[incr.length - 1].file;
}

/**
 * Runs a Redis file checker on `path` (`bin`: redis-check-rdb or
 * redis-check-aof, as redisTool found it): its exit code and all it printed.
 */
export async function runChecker(
  bin: string,
  path: string,
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(bin, { args: [path], stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** redis-check-rdb accepts the file (when it is installed). */
export async function assertRdbOk(path: string): Promise<void> {
  const bin = redisTool("redis-check-rdb");
  if (!bin) return;
  const r = await runChecker(bin, path);
  assertEquals(r.code, 0, r.out);
  assert(r.out.includes("RDB looks OK"), r.out);
}

/** redis-check-aof accepts the manifest of `dir` and every file it names (when installed). */
export async function assertAofOk(dir: string): Promise<void> {
  const bin = redisTool("redis-check-aof");
  if (!bin) return;
  const r = await runChecker(bin, manifestPath(dir));
  assertEquals(r.code, 0, r.out);
  assert(r.out.includes("All AOF files and manifest are valid"), r.out);
}

// ---------------------------------------------------------------- every key

/**
 * One key: db, key, type, value, has a TTL. A hash's value is its [field,
 * value] pairs by field; a list's its elements in order, a set's its sorted
 * members, each as a one-element row; a zset's its [member, score] pairs in
 * ZRANGE order, scores as the server replies them.
 */
export type KeyRow = [number, string, string, string | string[][], boolean];

/** HGETALL's flat list as [field, value] pairs sorted by field. */
export function sortedPairs(flat: string[]): string[][] {
  return pairsOf(flat).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A flat [a1, b1, a2, b2 ...] reply as [[a1, b1], [a2, b2] ...], in order. */
export function pairsOf(flat: string[]): string[][] {
  const pairs: string[][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

/** Sorts rows by db, then key (the order dumpKeys lists them in). */
export function sortRows(rows: KeyRow[]): KeyRow[] {
  return rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
}

/**
 * Every key of every db with its type, value and whether it has a TTL, in
 * sortRows order. For each key with a TTL, when given: its TTL in ms into
 * `ttls`, its expiry as unix ms (PEXPIRETIME) into `expireAt`, both by
 * "db:key". Leaves the connection on db 0.
 */
export async function dumpKeys(
  c: RespClient,
  ttls?: Map<string, number>,
  expireAt?: Map<string, number | bigint>,
): Promise<KeyRow[]> {
  const rows: KeyRow[] = [];
  for (let db = 0; db < 16; db++) {
    await ok(c, "SELECT", String(db));
    for (const key of (await ok(c, "KEYS", "*")) as string[]) {
      const type = (await ok(c, "TYPE", key)) as string;
      const value = type === "string"
        ? (await ok(c, "GET", key)) as string
        : type === "hash"
        ? sortedPairs((await ok(c, "HGETALL", key)) as string[])
        : type === "list"
        ? ((await ok(c, "LRANGE", key, "0", "-1")) as string[]).map((x) => [x])
        : type === "set"
        ? ((await ok(c, "SMEMBERS", key)) as string[]).sort().map((x) => [x])
        : type === "zset"
        ? pairsOf((await ok(c, "ZRANGE", key, "0", "-1", "WITHSCORES")) as string[])
        : `(${type})`;
      const pttl = (await ok(c, "PTTL", key)) as number;
      assert(pttl > 0 || pttl === -1, `PTTL of ${JSON.stringify(key)} is ${pttl}`);
      rows.push([db, key, type, value, pttl > 0]);
      if (pttl > 0) {
        ttls?.set(`${db}:${key}`, pttl);
        if (expireAt) {
          // A bigint past 2^53 (an expiry near the end of time).
          expireAt.set(`${db}:${key}`, (await ok(c, "PEXPIRETIME", key)) as number | bigint);
        }
      }
    }
  }
  await ok(c, "SELECT", "0");
  return sortRows(rows);
}

/** dumpKeys of the server on `port`, on a connection of its own. */
export async function dumpPort(
  port: number,
  ttls?: Map<string, number>,
  expireAt?: Map<string, number | bigint>,
): Promise<KeyRow[]> {
  return await withClient(port, (c) => dumpKeys(c, ttls, expireAt));
}
