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
import type { RespClient } from "../support/resp_client.ts";
import {
  AOF_ONLY,
  keyRows,
  maskExpiry,
  ok,
  propagationScenario,
  type Step,
} from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

const BK = "bin\x00key\r\n\xff";
const BV = "\r\n*1\r\n$3\r\nSET\r\n\x00\xfe\xff";

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
  [["SELECT", "3"], ["RPUSH", "x1", "2", "1"], ["RPUSH", "d1", "old"], ["PEXPIRE", "x1", "20"]],
  { sleep: 40 },
  [["SORT", "x1", "STORE", "d1"]],
  [["RPUSH", "x2", "2", "1"], ["SET", "w_1", "9"], ["PEXPIRE", "w_1", "20"]],
  { sleep: 40 },
  [["SORT", "x2", "BY", "w_*", "STORE", "d2"]],
  [["SET", "g_2", "v"], ["PEXPIRE", "g_2", "20"]],
  { sleep: 40 },
  [["SORT", "x2", "GET", "g_*"]],
];

/** A key's type and contents. */
async function typeAndValue(c: RespClient, key: string, type: string): Promise<unknown> {
  const read: Record<string, string[]> = {
    list: ["LRANGE", key, "0", "-1"],
    zset: ["ZRANGE", key, "0", "-1", "WITHSCORES"],
    string: ["GET", key],
    hash: ["HGETALL", key],
  };
  return [type, await ok(c, ...read[type])];
}

Deno.test("SORT logs what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: STEPS,
    log: { mask: maskExpiry },
    checkLog: (theirLog) => {
      // The log is not trivially empty: a SORT ... STORE was logged as it came.
      assertEquals(theirLog.includes('0: ["SORT","l0","STORE","d0"]'), true, theirLog.join("\n"));
    },
    dump: (port) => keyRows(port, typeAndValue),
    replays: "the same data",
    tmpPrefix: "redeno-propagation-sort-",
  });
});
