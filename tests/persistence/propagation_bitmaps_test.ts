/**
 * What bitmap commands log to the AOF, against Redis 7.0.15: SETBIT only
 * when it changed something (a new key, a longer string or a flipped bit),
 * BITFIELD only when a SET or INCRBY changed a field (never with GETs
 * alone, nor when OVERFLOW FAIL refused every write), BITOP when it stored
 * or deleted its destination; then both logs replay to the same strings.
 */
import { assertEquals } from "@std/assert";
import {
  AOF_ONLY,
  assertRdbOk,
  keyRows,
  maskExpiry,
  ok,
  propagationScenario,
  RDB_ONLY,
  type Step,
  withServer,
} from "../support/persistence.ts";
import { RespClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

const BK = "bin\x00key\r\n\xff";

const STEPS: Step[] = [
  [
    ["SETBIT", "k", "7", "1"],
    ["SETBIT", "k", "7", "1"],
    ["SETBIT", "k", "7", "0"],
    ["SETBIT", "k", "7", "0"],
    ["SETBIT", "k", "100", "0"],
    ["SETBIT", "k", "100", "0"],
    ["SETBIT", "k", "x", "1"],
    ["GETBIT", "k", "7"],
    ["BITCOUNT", "k"],
    ["BITPOS", "k", "1"],
    ["SET", "s", "12345"],
    ["SETBIT", "s", "0", "1"],
    ["BITFIELD", "bf", "GET", "u8", "0"],
    ["BITFIELD", "bf", "SET", "u8", "0", "0"],
    ["BITFIELD", "bf", "SET", "u8", "0", "0"],
    ["BITFIELD", "bf", "INCRBY", "i5", "3", "100", "GET", "u8", "0"],
    ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
    ["BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "#1", "-9223372036854775808"],
    ["BITFIELD", "bf", "SET", "u8", "#9", "1", "SET", "u8", "#9", "1"],
    ["BITFIELD_RO", "bf", "GET", "i64", "#1"],
    ["BITFIELD", "bf", "SET", "x8", "0", "1"],
    ["BITOP", "AND", "dst", "nokey"],
    ["BITOP", "OR", "dst", "k", "bf"],
    ["BITOP", "NOT", "dst2", "s"],
    ["BITOP", "AND", "dst", "nokey"],
    ["BITOP", "XOR", "dst", "dst2", "dst2"],
    ["SET", "t", "v"],
    ["EXPIRE", "t", "100"],
    ["BITOP", "OR", "t", "s"],
    ["SELECT", "2"],
    ["SETBIT", BK, "1000", "1"],
    ["BITFIELD", BK, "INCRBY", "u3", "5", "-1"],
  ],
];

/** A string's bytes (what a replay must reproduce); another type's name. */
async function stringOrType(c: RespClient, key: string, type: string): Promise<unknown> {
  return type === "string" ? [await ok(c, "GET", key), await ok(c, "PTTL", key) !== -1] : type;
}

Deno.test("bitmap commands log what Redis 7.0 logs, and the logs replay to the same strings", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: STEPS,
    log: { mask: maskExpiry },
    checkLog: (theirLog) => {
      // Not trivially empty: the flipped bit and the BITFIELD write were logged.
      assertEquals(
        theirLog.some((l) => l.includes('"BITFIELD","bf","INCRBY"')),
        true,
        theirLog.join("\n"),
      );
    },
    dump: (port) => keyRows(port, stringOrType),
    replays: "the same strings",
    tmpPrefix: "redeno-propagation-bitmaps-",
  });
});

/** STRLEN, BITCOUNT and the last set bit of `big` on the server. */
async function bigFacts(s: TestServer): Promise<unknown[]> {
  const c = await RespClient.connect(s.port);
  try {
    return [
      await ok(c, "STRLEN", "big"),
      await ok(c, "BITCOUNT", "big"),
      await ok(c, "BITPOS", "big", "1", "-1"),
    ];
  } finally {
    c.close();
  }
}

Deno.test("a 512 MB bitmap (past V8's longest string) is saved, and loaded by redeno and Redis", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-bigbitmap-" });
  const opts = { persistence: true, args: RDB_ONLY, dir };
  try {
    await withServer(startRedeno, opts, async (s) => {
      const c = await RespClient.connect(s.port);
      try {
        await ok(c, "SETBIT", "big", "4294967295", "1");
        await ok(c, "SETBIT", "big", "7", "1");
        await ok(c, "SAVE");
      } finally {
        c.close();
      }
    });
    const want = [536870912, 2, 4294967295];
    await assertRdbOk(`${dir}/dump.rdb`);
    assertEquals(await withServer(startRedeno, opts, bigFacts), want);
    const redis = await withServer(startRedis, opts, bigFacts);
    if (redis !== null) assertEquals(redis, want);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
