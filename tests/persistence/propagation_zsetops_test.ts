/**
 * What the sorted set algebra logs to the AOF, against Redis 7.0.15 (as
 * propagation_test.ts does for the older commands): ZUNIONSTORE,
 * ZINTERSTORE and ZDIFFSTORE log as they came when they store a result or
 * delete an existing destination, nothing when an empty result finds no
 * destination; ZUNION, ZINTER, ZDIFF and ZINTERCARD log nothing; an expired
 * destination or input is logged as a DEL first. Then both logs replay on
 * redeno to the data Redis holds.
 */
import { type RespClient, withClient } from "../support/resp_client.ts";
import { AOF_ONLY, propagationScenario, type Step } from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always", "--zset-max-listpack-entries", "4"];

const BM = "m\x00\r\n\xff";

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

Deno.test("sorted set algebra logs what Redis 7.0 logs, and the logs replay", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    // Made once both servers run: well after the first steps, well before the pause ends.
    steps: () => steps(Date.now() + 1000),
    dump: (port) => withClient(port, dump),
    replays: "Redis's data",
    tmpPrefix: "redeno-propagation-zsetops-",
  });
});
