/**
 * What the sorted set commands log to the AOF, against Redis 7.0.15: the same
 * commands run on redeno and on a real redis-server (`appendfsync always`),
 * and the commands in their incremental AOF files must be the same — ZMPOP
 * logged as ZPOPMIN/ZPOPMAX key count, no-op writes not logged. Then redeno
 * replays both logs to the data Redis holds.
 */
import { assertEquals } from "@std/assert";
import { withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { AOF_ONLY, aofDir, dumpPort, readManifest } from "../support/persistence.ts";
import { manifestParts, readAofUnits } from "../../lib/persistence/aoffile.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always", "--zset-max-listpack-entries", "4"];
const BM = "m\x00\r\n\xff";

const COMMANDS: string[][] = [
  ["ZADD", "z", "1", "a", "2", "b", "3", "c"],
  ["ZADD", "z", "1", "a"],
  ["ZADD", "z", "NX", "5", "a"],
  ["ZADD", "z", "XX", "CH", "5", "a", "9", "new"],
  ["ZADD", "z", "GT", "1", "b"],
  ["ZADD", "z", "LT", "1", "b", "4", "d"],
  ["ZADD", "nokey", "XX", "1", "a"],
  ["ZADD", "z", "INCR", "2.5", "c"],
  ["ZADD", "z", "NX", "INCR", "2.5", "c"],
  ["ZADD", "z", "x", "a"],
  ["ZADD", "z", "NX", "XX", "1", "a"],
  ["ZINCRBY", "z", "0.1", "c"],
  ["ZINCRBY", "z", "0", "c"],
  ["ZINCRBY", "z", "-inf", "e"],
  ["ZADD", "z", "inf", "f"],
  ["ZINCRBY", "z", "-inf", "f"],
  ["ZADD", "bin", "1", BM, "2", BM + "2"],
  ["ZREM", "z", "nope"],
  ["ZREM", "z", "a", "nope"],
  ["ZREM", "nokey", "a"],
  ["ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"],
  ["ZREMRANGEBYRANK", "r", "0", "0"],
  ["ZREMRANGEBYRANK", "r", "10", "20"],
  ["ZREMRANGEBYSCORE", "r", "(2", "3"],
  ["ZREMRANGEBYSCORE", "r", "100", "200"],
  ["ZADD", "l", "0", "a", "0", "b", "0", "c"],
  ["ZREMRANGEBYLEX", "l", "[a", "(b"],
  ["ZREMRANGEBYLEX", "l", "[x", "+"],
  ["ZREMRANGEBYLEX", "l", "-", "+"],
  ["ZPOPMIN", "r"],
  ["ZPOPMAX", "r", "2"],
  ["ZPOPMIN", "r", "0"],
  ["ZPOPMIN", "nokey"],
  ["ZPOPMAX", "r", "100"],
  ["ZADD", "p", "1", "a", "2", "b", "3", "c"],
  ["ZMPOP", "2", "nokey", "p", "MIN"],
  ["ZMPOP", "1", "p", "MAX", "COUNT", "10"],
  ["ZMPOP", "1", "p", "MAX", "COUNT", "10"],
  ["ZADD", "s", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"],
  ["ZRANGESTORE", "d1", "s", "0", "1"],
  ["ZRANGESTORE", "d1", "s", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2"],
  ["ZRANGESTORE", "d1", "s", "10", "20"],
  ["ZRANGESTORE", "d2", "s", "10", "20"],
  ["ZRANGESTORE", "d3", "nokey", "0", "-1"],
  ["ZRANGESTORE", "d4", "s", "0", "-1", "REV"],
  ["SET", "str", "v"],
  ["ZADD", "str", "1", "a"],
  ["ZPOPMIN", "str"],
  ["ZMPOP", "1", "str", "MIN"],
];

/** The commands of the server's incremental AOF file, with the database of each. */
async function readLog(s: TestServer): Promise<string[]> {
  const { incr } = manifestParts(readManifest(s.dir));
  assertEquals(incr.length, 1);
  const units = readAofUnits(await Deno.readFile(`${aofDir(s.dir)}/${incr[0].file}`));
  const out: string[] = [];
  let db = -1;
  for (;;) {
    const next = units.next();
    if (next.done) break;
    for (const args of next.value.commands) {
      if (args[0].toUpperCase() === "SELECT") db = Number(args[1]);
      else out.push(`${db}: ${JSON.stringify(args)}`);
    }
  }
  return out;
}

async function run(s: TestServer): Promise<string[]> {
  return await withClient(s.port, (c) => c.pipeline(COMMANDS));
}

async function dump(port: number): Promise<string[]> {
  return (await dumpPort(port)).map((row) => JSON.stringify(row)).sort();
}

Deno.test("sorted set writes log what Redis 7.0 logs, and the logs replay to the same data", async () => {
  const servers: TestServer[] = [];
  const dirs: string[] = [];
  try {
    const redis = await startRedis({ persistence: true, args: ARGS });
    if (redis === null) return;
    servers.push(redis);
    dirs.push(redis.dir);
    const redeno = await startRedeno({ persistence: true, args: ARGS });
    servers.push(redeno);
    dirs.push(redeno.dir);
    assertEquals(await run(redeno), await run(redis), "replies");
    assertEquals(await readLog(redeno), await readLog(redis), "AOF commands");
    const theirs = await dump(redis.port);
    assertEquals(await dump(redeno.port), theirs, "data");

    // redeno replays its own log, and a copy of Redis's, to Redis's data.
    await redeno.stop();
    const again = await startRedeno({ persistence: true, args: ARGS, dir: redeno.dir });
    servers.push(again);
    assertEquals(await dump(again.port), theirs, "data after replaying redeno's log");
    const dir = Deno.makeTempDirSync({ prefix: "redeno-zprop-" });
    dirs.push(dir);
    await Deno.mkdir(aofDir(dir));
    for await (const e of Deno.readDir(aofDir(redis.dir))) {
      await Deno.copyFile(`${aofDir(redis.dir)}/${e.name}`, `${aofDir(dir)}/${e.name}`);
    }
    const loaded = await startRedeno({ persistence: true, args: ARGS, dir });
    servers.push(loaded);
    assertEquals(await dump(loaded.port), theirs, "data after replaying Redis's log");
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    for (const d of dirs) Deno.removeSync(d, { recursive: true });
  }
});
