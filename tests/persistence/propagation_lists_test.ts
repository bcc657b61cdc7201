/**
 * What list commands log to the AOF, against Redis 7.0.15 (as
 * propagation_test.ts does for strings, keys and hashes): the same commands
 * run on redeno and on a real redis-server with `appendfsync always`, and
 * each one's incremental AOF must hold the same commands — LMPOP logged as
 * LPOP/RPOP key count, LPOP/RPOP with count as they came, no-ops not at all,
 * a lazily expired list as DEL before the command that found it. Then the
 * logs replay to the same lists, on redeno's own log and on Redis's.
 */
import { assertEquals } from "@std/assert";
import { type RespClient, withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { AOF_ONLY, aofDir, ok, readManifest, sleep } from "../support/persistence.ts";
import { manifestParts, readAofUnits } from "../../lib/persistence/aoffile.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always", "--list-max-listpack-size", "4"];

const BK = "bin\x00key\r\n\xff";
const BV = "\r\n*1\r\n$3\r\nSET\r\n\x00\xfe\xff";

type Step = string[][] | { sleep: number };

const STEPS: Step[] = [
  [
    ["SELECT", "2"],
    ["RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i"],
    ["LPUSH", "l", "x", "y"],
    ["LPUSHX", "nokey", "a"],
    ["RPUSHX", "nokey", "a", "b"],
    ["RPUSHX", "l", "r1", "r2"],
    ["lpushx", "l", "z"],
    ["LPOP", "l"],
    ["RPOP", "l", "2"],
    ["LPOP", "l", "0"],
    ["RPOP", "l", "-1"],
    ["LPOP", "nokey"],
    ["LPOP", "nokey", "3"],
    ["LINSERT", "l", "BEFORE", "b", "ins"],
    ["LINSERT", "l", "AFTER", "nope", "v"],
    ["LINSERT", "nokey", "AFTER", "a", "v"],
    ["LSET", "l", "0", "set0"],
    ["LSET", "l", "-1", BV],
    ["LSET", "l", "100", "v"],
    ["LSET", "nokey", "0", "v"],
    ["LREM", "l", "0", "nope"],
    ["LREM", "l", "1", "b"],
    ["LREM", "nokey", "1", "b"],
    ["LTRIM", "l", "0", "-1"],
    ["LTRIM", "l", "1", "-2"],
    ["LTRIM", "nokey", "1", "-2"],
    ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    ["lmove", "l", "l2", "right", "left"],
    ["RPOPLPUSH", "l", "l2"],
    ["LMOVE", "nokey", "l2", "LEFT", "LEFT"],
    ["RPOPLPUSH", "nokey", "l2"],
    ["LMOVE", "l", "l", "LEFT", "RIGHT"],
    ["RPOPLPUSH", "l2", "l2"],
    ["LMPOP", "2", "nokey", "l", "RIGHT", "COUNT", "2"],
    ["lmpop", "1", "l2", "left", "count", "100"],
    ["LMPOP", "1", "nokey", "LEFT"],
    ["LMPOP", "2", "nokey", "l", "LEFT"],
    ["RPOP", "l", "100"],
    ["EXISTS", "l", "l2"],
    ["RPUSH", BK, BV, "", "\x00"],
    ["LPUSH", BK, BV],
    ["LMOVE", BK, "dst", "LEFT", "LEFT"],
    ["LRANGE", BK, "0", "-1"],
    ["LLEN", BK],
    ["LINDEX", BK, "0"],
    ["LPOS", BK, BV],
    ["SET", "str", "v"],
    ["LPUSH", "str", "a"],
    ["LPOP", "str"],
    ["LMOVE", "dst", "str", "LEFT", "LEFT"],
    ["LMPOP", "1", "str", "LEFT"],
    ["RPUSH", "q", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
    ["LREM", "q", "-2", "5"],
    ["LTRIM", "q", "2", "100"],
    ["LTRIM", "q", "5", "1"],
    ["SELECT", "0"],
    ["RPUSH", "a", "v1", "v2"],
    ["LMPOP", "1", "a", "LEFT", "COUNT", "1"],
  ],
  // A list that expires lazily: DEL is logged before the command that found it.
  [["SELECT", "3"], ["RPUSH", "x1", "v"], ["PEXPIRE", "x1", "1"]],
  { sleep: 20 },
  [["LPUSH", "x1", "w"]],
  [["RPUSH", "x2", "v"], ["PEXPIRE", "x2", "1"]],
  { sleep: 20 },
  [["LMPOP", "1", "x2", "LEFT"]],
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

/** Every list of every database with its elements. */
async function dumpLists(c: RespClient): Promise<string[]> {
  const rows: string[] = [];
  for (let db = 0; db < 16; db++) {
    await ok(c, "SELECT", String(db));
    for (const key of (await ok(c, "KEYS", "*")) as string[]) {
      const type = await ok(c, "TYPE", key);
      const value = type === "list" ? await ok(c, "LRANGE", key, "0", "-1") : type;
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

Deno.test("list commands log what Redis 7.0 logs, and the logs replay to the same lists", async (t) => {
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
    const ourData = await withClient(redeno.port, dumpLists);
    const theirData = await withClient(redis.port, dumpLists);

    await t.step("same replies", () => {
      const sent = STEPS.flatMap((s) => ("sleep" in s ? [] : s));
      const lines = (r: string[]) =>
        r.map((x, i) => `${JSON.stringify(sent[i])} -> ${JSON.stringify(x)}`);
      assertEquals(lines(ours), lines(theirs));
    });
    await t.step("same commands logged", () => {
      // The log is not trivially empty: LMPOP was logged as a pop with its count.
      assertEquals(theirLog.includes('2: ["RPOP","l","2"]'), true, theirLog.join("\n"));
      assertEquals(ourLog, theirLog);
    });
    await t.step("same data", () => assertEquals(ourData, theirData));

    await t.step("redeno replays its own log to the same lists", async () => {
      await redeno.stop();
      servers.splice(servers.indexOf(redeno), 1);
      const again = track(await startRedeno({ persistence: true, args: ARGS, dir: redeno.dir }));
      assertEquals(await withClient(again.port, dumpLists), ourData);
    });

    await t.step("redeno replays Redis's log to the same lists", async () => {
      const dir = Deno.makeTempDirSync({ prefix: "redeno-propagation-lists-" });
      dirs.add(dir);
      await Deno.mkdir(aofDir(dir));
      for await (const e of Deno.readDir(aofDir(redis.dir))) {
        await Deno.copyFile(`${aofDir(redis.dir)}/${e.name}`, `${aofDir(dir)}/${e.name}`);
      }
      const loaded = track(await startRedeno({ persistence: true, args: ARGS, dir }));
      assertEquals(await withClient(loaded.port, dumpLists), theirData);
    });
  } finally {
    for (const s of servers) await s.stop();
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});
