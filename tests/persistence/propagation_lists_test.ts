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
import type { RespClient } from "../support/resp_client.ts";
import {
  AOF_ONLY,
  keyRows,
  maskExpiry,
  ok,
  propagationScenario,
  type Step,
} from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always", "--list-max-listpack-size", "4"];

const BK = "bin\x00key\r\n\xff";
const BV = "\r\n*1\r\n$3\r\nSET\r\n\x00\xfe\xff";

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
  [["SELECT", "3"], ["RPUSH", "x1", "v"], ["PEXPIRE", "x1", "20"]],
  { sleep: 40 },
  [["LPUSH", "x1", "w"]],
  [["RPUSH", "x2", "v"], ["PEXPIRE", "x2", "20"]],
  { sleep: 40 },
  [["LMPOP", "1", "x2", "LEFT"]],
];

/** A list's elements; another type's name. */
async function listOrType(c: RespClient, key: string, type: string): Promise<unknown> {
  return type === "list" ? await ok(c, "LRANGE", key, "0", "-1") : type;
}

Deno.test("list commands log what Redis 7.0 logs, and the logs replay to the same lists", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: STEPS,
    log: { mask: maskExpiry },
    checkLog: (theirLog) => {
      // The log is not trivially empty: LMPOP was logged as a pop with its count.
      assertEquals(theirLog.includes('2: ["RPOP","l","2"]'), true, theirLog.join("\n"));
    },
    dump: (port) => keyRows(port, listOrType),
    replays: "the same lists",
    tmpPrefix: "redeno-propagation-lists-",
  });
});
