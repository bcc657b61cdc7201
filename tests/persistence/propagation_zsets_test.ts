/**
 * What the sorted set commands log to the AOF, against Redis 7.0.15: the same
 * commands run on redeno and on a real redis-server (`appendfsync always`),
 * and the commands in their incremental AOF files must be the same — ZMPOP
 * logged as ZPOPMIN/ZPOPMAX key count, no-op writes not logged. Then redeno
 * replays both logs to the data Redis holds.
 */
import { AOF_ONLY, dumpPort, propagationScenario } from "../support/persistence.ts";

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

async function dump(port: number): Promise<string[]> {
  return (await dumpPort(port)).map((row) => JSON.stringify(row)).sort();
}

Deno.test("sorted set writes log what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: [COMMANDS],
    dump,
    replays: "Redis's data",
    tmpPrefix: "redeno-zprop-",
  });
});
