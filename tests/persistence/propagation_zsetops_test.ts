/**
 * What the sorted set algebra logs to the AOF, against Redis 7.0.15 (as
 * propagation_test.ts does for the older commands): ZUNIONSTORE,
 * ZINTERSTORE and ZDIFFSTORE log as they came when they store a result or
 * delete an existing destination, nothing when an empty result finds no
 * destination; ZUNION, ZINTER, ZDIFF and ZINTERCARD log nothing; an expired
 * destination or input is logged as a DEL first. Then both logs replay on
 * redeno to the data Redis holds.
 */
import { assertEquals } from "@std/assert";
import { type RespClient, withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { AOF_ONLY, aofDir, readManifest, sleep } from "../support/persistence.ts";
import { manifestParts, readAofUnits } from "../../lib/persistence/aoffile.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always", "--zset-max-listpack-entries", "4"];

const BM = "m\x00\r\n\xff";

/** Commands sent in one write, or a pause (until a TTL runs out). */
type Step = string[][] | { sleep: number };

/**
 * The steps; keys that must expire get absolute times from `at` (the same
 * on both servers, so both log the same commands).
 */
function steps(at: number): Step[] {
  return [
    [
      ["ZADD", "a", "1", "x", "2", "y", "inf", "z"],
      ["ZADD", "b", "-inf", "z", "3", "y", "0", BM],
      ["SADD", "s", "1", "x", BM],
      ["SET", "str", "v"],
      // Stored results: logged as they came.
      ["ZUNIONSTORE", "u", "3", "a", "b", "s"],
      ["zunionstore", "u", "2", "a", "b", "WEIGHTS", "2", "-1", "AGGREGATE", "MAX"],
      ["ZUNIONSTORE", "u", "2", "a", "b"], // the same result again: still logged
      ["ZINTERSTORE", "i", "2", "a", "b", "AGGREGATE", "MIN"],
      ["ZINTERSTORE", "i2", "2", "a", "s"],
      ["ZDIFFSTORE", "d", "2", "a", "b"],
      ["ZDIFFSTORE", "d2", "1", "s"],
      ["ZUNIONSTORE", "big", "3", "a", "b", "s"], // past 4 entries: a skiplist
      ["ZUNIONSTORE", "str", "1", "a"], // a string destination replaced
      // Empty results: the existing destination is deleted (the command logged), else nothing.
      ["ZINTERSTORE", "i", "2", "a", "nokey"],
      ["ZINTERSTORE", "i", "2", "a", "nokey"],
      ["ZDIFFSTORE", "d", "2", "a", "a"],
      ["ZUNIONSTORE", "nothing", "1", "nokey"],
      ["SET", "strd", "v"],
      ["ZDIFFSTORE", "strd", "1", "nokey"],
      // Failures log nothing.
      ["ZUNIONSTORE", "u", "2", "a", "str2"],
      ["ZUNIONSTORE", "u", "0", "a"],
      ["ZUNIONSTORE", "u", "1", "a", "WEIGHTS", "x"],
      ["SET", "str2", "v"],
      ["ZINTERSTORE", "u", "2", "a", "str2"],
      // Reads log nothing.
      ["ZUNION", "2", "a", "b", "WITHSCORES"],
      ["ZINTER", "2", "a", "b"],
      ["ZDIFF", "2", "a", "b"],
      ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"],
      ["SELECT", "3"],
      ["ZADD", "k", "1", "one"],
      ["ZUNIONSTORE", "k2", "1", "k"],
      ["SELECT", "0"],
    ],
    // An expired destination with a result: its DEL is logged first. One key
    // at a time, so that an active expiry cannot reorder the DELs.
    [["SET", "ed", "v", "PXAT", String(at)]],
    { sleep: 1100 },
    [["ZUNIONSTORE", "ed", "1", "a"]],
    // An expired input.
    [["ZADD", "ei", "5", "p"], ["PEXPIREAT", "ei", String(at + 1200)]],
    { sleep: 1300 },
    [["ZUNIONSTORE", "eo", "2", "ei", "a"]],
  ];
}

/** A logged command with the database it ran in; MULTI/EXEC dropped. */
async function readLog(s: TestServer): Promise<string[]> {
  const { incr } = manifestParts(readManifest(s.dir));
  assertEquals(incr.length, 1, `${s.kind}: one incremental file`);
  const bytes = await Deno.readFile(`${aofDir(s.dir)}/${incr[0].file}`);
  const units = readAofUnits(bytes);
  const out: string[] = [];
  let db = -1;
  for (;;) {
    const next = units.next();
    if (next.done) {
      assertEquals(next.value.kind, "ok", `${s.kind}: the log reads to its end`);
      break;
    }
    for (const args of next.value.commands) {
      const name = args[0].toUpperCase();
      if (name === "SELECT") db = Number(args[1]);
      else if (name !== "MULTI" && name !== "EXEC") out.push(`${db}: ${JSON.stringify(args)}`);
    }
  }
  return out;
}

/** Every key of databases 0 and 3: type, encoding and content. */
async function dump(c: RespClient): Promise<string[]> {
  const rows: string[] = [];
  for (const db of ["0", "3"]) {
    await c.call("SELECT", db);
    const keys = (await c.value("KEYS", "*")) as string[];
    for (const k of keys.sort()) {
      const type = await c.value("TYPE", k);
      const enc = await c.value("OBJECT", "ENCODING", k);
      const content = type === "zset"
        ? await c.value("ZRANGE", k, "0", "-1", "WITHSCORES")
        : type === "set"
        ? ((await c.value("SMEMBERS", k)) as string[]).sort()
        : await c.value("GET", k);
      rows.push(`${db} ${JSON.stringify(k)} ${type} ${enc} ${JSON.stringify(content)}`);
    }
  }
  await c.call("SELECT", "0");
  return rows;
}

async function runAll(s: TestServer, at: number): Promise<string[]> {
  return await withClient(s.port, async (c) => {
    const replies: string[] = [];
    for (const step of steps(at)) {
      if ("sleep" in step) await sleep(step.sleep);
      else replies.push(...await c.pipeline(step));
    }
    return replies;
  });
}

Deno.test("sorted set algebra logs what Redis 7.0 logs, and the logs replay", async (t) => {
  const servers: TestServer[] = [];
  const dirs = new Set<string>();
  const track = (s: TestServer) => (servers.push(s), dirs.add(s.dir), s);
  try {
    const [redeno, redis] = await Promise.all([
      startRedeno({ persistence: true, args: ARGS }).then(track),
      startRedis({ persistence: true, args: ARGS }).then((s) => s && track(s)),
    ]);
    if (redis === null) return;
    const at = Date.now() + 1000; // well after the first steps, well before the pause ends
    const [ours, theirs] = await Promise.all([runAll(redeno, at), runAll(redis, at)]);
    const [ourLog, theirLog] = await Promise.all([readLog(redeno), readLog(redis)]);
    const theirData = await withClient(redis.port, dump);

    await t.step("same replies", () => assertEquals(ours, theirs));
    await t.step("same commands logged", () => assertEquals(ourLog, theirLog));
    await t.step("same data", async () => {
      assertEquals(await withClient(redeno.port, dump), theirData);
    });
    await t.step("redeno replays its own log to Redis's data", async () => {
      await redeno.stop();
      servers.splice(servers.indexOf(redeno), 1);
      const again = track(await startRedeno({ persistence: true, args: ARGS, dir: redeno.dir }));
      assertEquals(await withClient(again.port, dump), theirData);
    });
    await t.step("redeno replays Redis's log to Redis's data", async () => {
      const dir = Deno.makeTempDirSync({ prefix: "redeno-propagation-zsetops-" });
      dirs.add(dir);
      await Deno.mkdir(aofDir(dir));
      for await (const e of Deno.readDir(aofDir(redis.dir))) {
        await Deno.copyFile(`${aofDir(redis.dir)}/${e.name}`, `${aofDir(dir)}/${e.name}`);
      }
      const loaded = track(await startRedeno({ persistence: true, args: ARGS, dir }));
      assertEquals(await withClient(loaded.port, dump), theirData);
    });
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});
