/**
 * What SORT logs to the AOF, against Redis 7.0.15 (as propagation_test.ts
 * does for strings, keys and hashes): SORT ... STORE is logged as it came
 * when it changed the destination (an empty result deletes it: logged only
 * when there was a key to delete), SORT without STORE and SORT_RO never,
 * not even when they convert a packed sorted set; keys found expired on the
 * way (the sorted key, BY and GET keys) are logged as DEL first. Then both
 * logs replay to the same data, on redeno's own log and on Redis's.
 */
import { assertEquals } from "@std/assert";
import { type RespClient, withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { AOF_ONLY, aofDir, ok, readManifest, sleep } from "../support/persistence.ts";
import { manifestParts, readAofUnits } from "../../lib/persistence/aoffile.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

const BK = "bin\x00key\r\n\xff";
const BV = "\r\n*1\r\n$3\r\nSET\r\n\x00\xfe\xff";

type Step = string[][] | { sleep: number };

const STEPS: Step[] = [
  [
    ["SELECT", "2"],
    ["RPUSH", "l", "3", "1", "2", "10"],
    ["MSET", "w_1", "5", "w_2", "1", "w_3", "2", "w_10", "0"],
    ["HSET", "h_1", "f", "x"],
    ["SORT", "l"],
    ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f"],
    ["SORT_RO", "l", "ALPHA"],
    ["SORT", "l", "STORE", "dst"],
    ["sort", "l", "desc", "limit", "1", "2", "store", "dst"],
    ["SORT", "l", "BY", "w_*", "GET", "h_*->f", "GET", "#", "STORE", "dst2"],
    ["SORT", "l", "BY", "nosort", "STORE", "dst3"],
    ["SORT", "l", "STORE", "a", "STORE", "b"],
    // Empty results: a delete when the destination exists, nothing otherwise.
    ["SORT", "nokey", "STORE", "nodst"],
    ["SORT", "l", "LIMIT", "10", "1", "STORE", "nodst"],
    ["SORT", "l", "LIMIT", "0", "0", "STORE", "dst3"],
    ["SORT", "nokey", "STORE", "dst2"],
    // Errors change nothing.
    ["RPUSH", "bad", "1", "x"],
    ["SORT", "bad", "STORE", "dst"],
    ["SORT", "l", "LIMIT", "x", "1", "STORE", "dst"],
    ["SET", "str", "v"],
    ["SORT", "str", "STORE", "dst"],
    ["SORT_RO", "l", "STORE", "dst"],
    // STORE over another type, and into the sorted key itself.
    ["SORT", "l", "STORE", "str"],
    ["SORT", "l", "DESC", "STORE", "l"],
    // Sorted sets: the listpack conversion alone is not a change.
    ["ZADD", "z", "3", "a", "1", "b", "2", "c"],
    ["SORT", "z", "BY", "nosort"],
    ["SORT", "z", "BY", "nosort", "DESC", "STORE", "zdst"],
    ["SORT", "z", "ALPHA", "LIMIT", "1", "1", "STORE", "zdst2"],
    ["RPUSH", BK, BV, "\x00", ""],
    ["SORT", BK, "ALPHA", "STORE", BK],
    ["SELECT", "0"],
    ["RPUSH", "l0", "2", "1"],
    ["SORT", "l0", "STORE", "d0"],
  ],
  // Keys found expired by SORT: logged as DEL before what SORT logs.
  [["SELECT", "3"], ["RPUSH", "x1", "2", "1"], ["RPUSH", "d1", "old"], ["PEXPIRE", "x1", "1"]],
  { sleep: 20 },
  [["SORT", "x1", "STORE", "d1"]],
  [["RPUSH", "x2", "2", "1"], ["SET", "w_1", "9"], ["PEXPIRE", "w_1", "1"]],
  { sleep: 20 },
  [["SORT", "x2", "BY", "w_*", "STORE", "d2"]],
  [["SET", "g_2", "v"], ["PEXPIRE", "g_2", "1"]],
  { sleep: 20 },
  [["SORT", "x2", "GET", "g_*"]],
];

/** The logged commands as "db: [args]", MULTI/EXEC dropped, expiry times masked. */
async function readLog(s: TestServer): Promise<string[]> {
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
    for (const args of next.value.commands) {
      const name = args[0].toUpperCase();
      if (name === "SELECT") db = Number(args[1]);
      else if (name === "MULTI" || name === "EXEC") continue;
      else {
        const a = name === "PEXPIREAT" ? [args[0], args[1], "<time>"] : args;
        out.push(`${db}: ${JSON.stringify(a)}`);
      }
    }
  }
}

/** Every key of every database with its type and contents. */
async function dumpData(c: RespClient): Promise<string[]> {
  const rows: string[] = [];
  for (let db = 0; db < 16; db++) {
    await ok(c, "SELECT", String(db));
    for (const key of (await ok(c, "KEYS", "*")) as string[]) {
      const type = await ok(c, "TYPE", key);
      const read: Record<string, string[]> = {
        list: ["LRANGE", key, "0", "-1"],
        zset: ["ZRANGE", key, "0", "-1", "WITHSCORES"],
        string: ["GET", key],
        hash: ["HGETALL", key],
      };
      const value = [type, await ok(c, ...read[type as string])];
      rows.push(`${db} ${JSON.stringify(key)} ${JSON.stringify(value)}`);
    }
  }
  return rows.sort();
}

async function runAll(s: TestServer): Promise<string[]> {
  return await withClient(s.port, async (c) => {
    const replies: string[] = [];
    for (const step of STEPS) {
      if ("sleep" in step) await sleep(step.sleep);
      else replies.push(...await c.pipeline(step));
    }
    return replies;
  });
}

Deno.test("SORT logs what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  const dirs = new Set<string>();
  const servers: TestServer[] = [];
  const track = (s: TestServer) => (servers.push(s), dirs.add(s.dir), s);
  try {
    const redis = await startRedis({ persistence: true, args: ARGS });
    if (redis === null) return;
    track(redis);
    const redeno = track(await startRedeno({ persistence: true, args: ARGS }));
    const [ours, theirs] = await Promise.all([runAll(redeno), runAll(redis)]);
    const [ourLog, theirLog] = await Promise.all([readLog(redeno), readLog(redis)]);
    const ourData = await withClient(redeno.port, dumpData);
    const theirData = await withClient(redis.port, dumpData);

    await t.step("same replies", () => {
      const sent = STEPS.flatMap((s) => ("sleep" in s ? [] : s));
      const lines = (r: string[]) =>
        r.map((x, i) => `${JSON.stringify(sent[i])} -> ${JSON.stringify(x)}`);
      assertEquals(lines(ours), lines(theirs));
    });
    await t.step("same commands logged", () => {
      // The log is not trivially empty: a SORT ... STORE was logged as it came.
      assertEquals(theirLog.includes('0: ["SORT","l0","STORE","d0"]'), true, theirLog.join("\n"));
      assertEquals(ourLog, theirLog);
    });
    await t.step("same data", () => assertEquals(ourData, theirData));

    await t.step("redeno replays its own log to the same data", async () => {
      await redeno.stop();
      servers.splice(servers.indexOf(redeno), 1);
      const again = track(await startRedeno({ persistence: true, args: ARGS, dir: redeno.dir }));
      assertEquals(await withClient(again.port, dumpData), ourData);
    });

    await t.step("redeno replays Redis's log to the same data", async () => {
      const dir = Deno.makeTempDirSync({ prefix: "redeno-propagation-sort-" });
      dirs.add(dir);
      await Deno.mkdir(aofDir(dir));
      for await (const e of Deno.readDir(aofDir(redis.dir))) {
        await Deno.copyFile(`${aofDir(redis.dir)}/${e.name}`, `${aofDir(dir)}/${e.name}`);
      }
      const loaded = track(await startRedeno({ persistence: true, args: ARGS, dir }));
      assertEquals(await withClient(loaded.port, dumpData), theirData);
    });
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});
