/**
 * Scripts in the AOF, against Redis 7.0.15: a script's effects are logged
 * (the commands it ran, never EVAL itself), one write bare, several wrapped
 * in MULTI ... EXEC, in the databases the script's SELECTs chose; read-only
 * and failed-before-writing scripts log nothing; the logs replay to the same
 * data on redeno and on Redis.
 */
import { assert } from "@std/assert";
import { createHash } from "node:crypto";
import {
  AOF_ONLY,
  dumpPort,
  maskExpiry,
  propagationScenario,
  type Step,
} from "../support/persistence.ts";

const GET_SET = "local v = redis.call('GET', KEYS[1]) redis.call('SET', KEYS[1], ARGV[1]) return v";

const STEPS: Step[] = [
  [
    // One write: logged bare.
    ["EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "a", "1"],
    // Several: one MULTI/EXEC block.
    ["EVAL", GET_SET, "1", "a", "2"],
    [
      "EVAL",
      "redis.call('INCR', 'n') redis.call('INCR', 'n') redis.call('RPUSH', 'l', 'x') return 1",
      "0",
    ],
    // Reads only, and writes that change nothing: nothing logged.
    ["EVAL", "return redis.call('GET', 'a')", "0"],
    ["EVAL", "return redis.call('DEL', 'nosuch')", "0"],
    ["EVAL_RO", "return redis.call('GET', 'a')", "0"],
    // EVALSHA logs effects the same way.
    ["SCRIPT", "LOAD", GET_SET],
    ["EVALSHA", createHash("sha1").update(GET_SET).digest("hex"), "1", "a", "3"],
    ["EVAL", GET_SET, "1", "b", "x"],
    // SELECT inside the script: each write in its database; MULTI in the first one's.
    ["SELECT", "1"],
    [
      "EVAL",
      "redis.call('SET', 's1', '1') redis.call('SELECT', 2) redis.call('SET', 's2', '2') return 1",
      "0",
    ],
    ["SET", "after", "1"],
    ["SELECT", "0"],
    // An error after a write: the write stays and is logged.
    ["EVAL", "redis.call('SET', 'e1', '1') return redis.call('INCR', 'l')", "0"],
    // An error before any write: nothing logged.
    ["EVAL", "local x = redis.call('GET', 'a') error('boom')", "0"],
    // Commands whose logged form differs (SET EX -> PXAT, blocking -> non-blocking).
    ["EVAL", "redis.call('SET', 'ex', '1', 'EX', 1000) return redis.call('TTL', 'ex')", "0"],
    ["EVAL", "redis.call('RPUSH', 'q', 'a', 'b') return redis.call('BLPOP', 'q', 0)", "0"],
    ["EVAL", "return redis.call('BLPOP', 'emptyq', 0)", "0"],
    ["EVAL", "redis.call('HSET', 'h', 'f', 'v') redis.call('EXPIRE', 'h', 1000) return 1", "0"],
    // pcall errors do not stop the script.
    ["EVAL", "redis.pcall('INCR', 'a') redis.call('SET', 'p', '1') return 1", "0"],
    // A script inside MULTI: its effects join the transaction's block.
    ["MULTI"],
    ["SET", "m1", "1"],
    ["EVAL", "redis.call('SET', 'm2', '2') redis.call('SET', 'm3', '3') return 1", "0"],
    ["EXEC"],
    // FLUSHDB from a script.
    ["SELECT", "4"],
    ["SET", "gone", "1"],
    ["EVAL", "redis.call('FLUSHDB') redis.call('SET', 'kept', '1') return 1", "0"],
    ["SELECT", "0"],
  ],
];

/** maskExpiry, and SET's PXAT time too (two servers read their clocks apart). */
function maskTimes(args: string[]): string[] {
  const i = args.findIndex((a) => a.toUpperCase() === "PXAT");
  return i > 0 ? [...args.slice(0, i + 1), "<time>"] : maskExpiry(args);
}

Deno.test("a script logs its effects, wrapped in MULTI/EXEC, as Redis 7.0 logs them", async (t) => {
  await propagationScenario(t, {
    args: [...AOF_ONLY, "--appendfsync", "always"],
    steps: STEPS,
    log: { tx: (commands) => commands.length > 1, mask: maskTimes },
    checkLog: (theirLog) => {
      assert(theirLog.some((l) => l.includes("MULTI")), theirLog.join("\n"));
      assert(!theirLog.some((l) => l.includes("EVAL")), theirLog.join("\n"));
    },
    dump: (port) => dumpPort(port),
    replays: "the same data",
    tmpPrefix: "redeno-propagation-scripts-",
  });
});
