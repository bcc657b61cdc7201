/**
 * What the persistence tests share: commands that must succeed, INFO
 * persistence fields, waiting for a state (never for a time), SHUTDOWN, the
 * AOF directory and its manifest (read with redeno's parser, itself checked
 * against Redis's files in tests/unit/aoffile_test.ts), Redis's file checkers,
 * a dump of every key, and which server a suite targets (REDENO_TEST_TARGET).
 */
import { assert, assertEquals } from "@std/assert";
import { bytesToStr } from "../../lib/resp/bytes.ts";
import {
  type ManifestEntry,
  manifestParts,
  parseManifest,
  readAofUnits,
} from "../../lib/persistence/aoffile.ts";
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

/**
 * Every key of every db on `port` (a connection of its own) as sorted rows
 * "db key value", the value as `read` gives it for the key and its type.
 */
export async function keyRows(
  port: number,
  read: (c: RespClient, key: string, type: string) => Promise<unknown>,
): Promise<string[]> {
  return await withClient(port, async (c) => {
    const rows: string[] = [];
    for (let db = 0; db < 16; db++) {
      await ok(c, "SELECT", String(db));
      for (const key of (await ok(c, "KEYS", "*")) as string[]) {
        const value = await read(c, key, (await ok(c, "TYPE", key)) as string);
        rows.push(`${db} ${JSON.stringify(key)} ${JSON.stringify(value)}`);
      }
    }
    return rows.sort();
  });
}

/** dumpKeys of the server on `port`, on a connection of its own. */
export async function dumpPort(
  port: number,
  ttls?: Map<string, number>,
  expireAt?: Map<string, number | bigint>,
): Promise<KeyRow[]> {
  return await withClient(port, (c) => dumpKeys(c, ttls, expireAt));
}

// ---------------------------------------------------------------- propagation

/** Commands sent in one pipelined write, or a pause (until a TTL runs out). */
export type Step = string[][] | { sleep: number };

/** The commands of `steps` in the order they are sent (their replies come in this order). */
export function sentOf(steps: Step[]): string[][] {
  return steps.flatMap((s) => ("sleep" in s ? [] : s));
}

/** Runs `steps` on one connection to `port`: every reply, raw. */
export async function runSteps(port: number, steps: Step[]): Promise<string[]> {
  return await withClient(port, async (c) => {
    const replies: string[] = [];
    for (const step of steps) {
      if ("sleep" in step) await sleep(step.sleep);
      else replies.push(...await c.pipeline(step));
    }
    return replies;
  });
}

/** How loggedCommands shows a log. */
export interface LogView {
  /** Whether a MULTI/EXEC's commands are shown between MULTI and EXEC lines (default: never). */
  tx?: (commands: string[][]) => boolean;
  /** A command as compared (a time or a random member masked); default: as logged. */
  mask?: (args: string[]) => string[];
}

/**
 * The commands of the server's one incremental AOF file, which must read to
 * its end, as "db: [args]" lines (SELECT applied, not shown).
 */
export async function loggedCommands(s: TestServer, view: LogView = {}): Promise<string[]> {
  const { incr } = manifestParts(readManifest(s.dir));
  assertEquals(incr.length, 1, `${s.kind}: one incremental file`);
  const units = readAofUnits(await Deno.readFile(`${aofDir(s.dir)}/${incr[0].file}`));
  const out: string[] = [];
  let db = -1;
  for (;;) {
    const next = units.next();
    if (next.done) {
      assertEquals(next.value.kind, "ok", `${s.kind}: the log reads to its end`);
      return out;
    }
    const tx = view.tx?.(next.value.commands) ?? false;
    if (tx) out.push(`${db}: MULTI`);
    for (const args of next.value.commands) {
      if (args[0].toUpperCase() === "SELECT") db = Number(args[1]);
      else out.push(`${db}: ${JSON.stringify(view.mask ? view.mask(args) : args)}`);
    }
    if (tx) out.push(`${db}: EXEC`);
  }
}

/** PEXPIREAT with its time masked (two servers read their clocks apart); other commands as they are. */
export function maskExpiry(args: string[]): string[] {
  return args[0].toUpperCase() === "PEXPIREAT" ? [args[0], args[1], "<time>"] : args;
}

/** A new temporary dir holding a copy of the AOF directory of `dir`. */
export async function copyAofDir(dir: string, prefix: string): Promise<string> {
  const copy = Deno.makeTempDirSync({ prefix });
  await Deno.mkdir(aofDir(copy));
  for await (const e of Deno.readDir(aofDir(dir))) {
    await Deno.copyFile(`${aofDir(dir)}/${e.name}`, `${aofDir(copy)}/${e.name}`);
  }
  return copy;
}

/** What propagationScenario runs and compares. */
export interface PropagationScenario<D> {
  /** Server arguments (persistence on), for both servers and the replays. */
  args: string[];
  /** The steps sent to both servers (a function: made once, after both started)... */
  steps?: Step[] | (() => Step[]);
  /** ... or a scenario of its own on one server: its replies. */
  run?: (s: TestServer) => Promise<string[]>;
  /** Replies as compared, given the commands sent (default: each with its command when steps are given). */
  replies?: (replies: string[], sent: string[][]) => string[];
  /** How the logs are compared (loggedCommands). */
  log?: LogView;
  /** Checks on Redis's log before it is compared (e.g. that it is not trivially empty). */
  checkLog?: (theirLog: string[]) => void;
  /** The data compared in "same data". */
  dump: (port: number) => Promise<D>;
  /** The data a replay must reproduce (default: dump). */
  replayDump?: (port: number) => Promise<D>;
  /** Ends the replay step names: "redeno replays its own log to <replays>". */
  replays: string;
  /** Prefix of the temporary dir holding the copy of Redis's log. */
  tmpPrefix: string;
}

/**
 * Runs the same scenario on redeno and a real redis-server (skipped without
 * one), then compares as steps of `t`: "same replies", "same commands
 * logged", "same data"; then redeno replays its own log to what it held, and
 * a copy of Redis's log to what Redis held. Stops every server and removes
 * every dir it made.
 */
export async function propagationScenario<D>(
  t: Deno.TestContext,
  o: PropagationScenario<D>,
): Promise<void> {
  const servers: TestServer[] = [];
  const dirs = new Set<string>();
  const track = (s: TestServer) => (servers.push(s), dirs.add(s.dir), s);
  const start = (dir?: string) => startRedeno({ persistence: true, args: o.args, dir }).then(track);
  const replayDump = o.replayDump ?? o.dump;
  try {
    const [redeno, redis] = await Promise.all([
      start(),
      startRedis({ persistence: true, args: o.args }).then((s) => s && track(s)),
    ]);
    if (redis === null) return;
    const steps = typeof o.steps === "function" ? o.steps() : o.steps ?? [];
    const run = o.run ?? ((s: TestServer) => runSteps(s.port, steps));
    const [ours, theirs] = await Promise.all([run(redeno), run(redis)]);
    const [ourLog, theirLog] = await Promise.all([
      loggedCommands(redeno, o.log),
      loggedCommands(redis, o.log),
    ]);
    const ourData = await o.dump(redeno.port);
    const theirData = await o.dump(redis.port);
    const ourReplayed = o.replayDump ? await o.replayDump(redeno.port) : ourData;
    const theirReplayed = o.replayDump ? await o.replayDump(redis.port) : theirData;

    await t.step("same replies", () => {
      const sent = sentOf(steps);
      const lines = o.replies ??
        (o.steps
          ? (r: string[]) => r.map((x, i) => `${JSON.stringify(sent[i])} -> ${JSON.stringify(x)}`)
          : (r: string[]) => r);
      assertEquals(lines(ours, sent), lines(theirs, sent));
    });
    await t.step("same commands logged", () => {
      o.checkLog?.(theirLog);
      assertEquals(ourLog, theirLog);
    });
    await t.step("same data", () => assertEquals(ourData, theirData));

    await t.step(`redeno replays its own log to ${o.replays}`, async () => {
      await redeno.stop();
      servers.splice(servers.indexOf(redeno), 1);
      const again = await start(redeno.dir);
      assertEquals(await replayDump(again.port), ourReplayed);
    });
    await t.step(`redeno replays Redis's log to ${o.replays}`, async () => {
      const dir = await copyAofDir(redis.dir, o.tmpPrefix);
      dirs.add(dir);
      const loaded = await start(dir);
      assertEquals(await replayDump(loaded.port), theirReplayed);
    });
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
}
