/**
 * Functions on disk, against Redis 7.0.15: libraries in the RDB (the
 * FUNCTION2 opcode) in both directions, FUNCTION LOAD / DELETE / FLUSH /
 * RESTORE and FCALL's effects in the AOF (same log as Redis, replayed after a
 * restart), an AOF rewrite's base carrying the libraries, and functions
 * surviving SCRIPT FLUSH and restarts while the script cache does not.
 */
import { assert, assertEquals } from "@std/assert";
import { decode, type RespClient, withClient } from "../support/resp_client.ts";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import {
  AOF_ONLY,
  idle,
  ok,
  propagationScenario,
  RDB_ONLY,
  type Step,
} from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

function lib(name: string, ...lines: string[]): string {
  return [`#!lua name=${name}`, ...lines].join("\n");
}

const COUNTER = lib(
  "counter",
  "redis.register_function('incrby2', function(keys, args) " +
    "redis.call('incr', keys[1]) return redis.call('incr', keys[1]) end)",
  "redis.register_function{function_name='peek', callback=function(keys) " +
    "return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}",
);
const OTHER = lib("other", "redis.register_function('one', function() return 1 end)");
const THIRD = lib("third", "redis.register_function('three', function() return 3 end)");

/** Libraries (with code, sorted by name: Redis lists them in its dict's order) and the keys. */
async function state(port: number): Promise<unknown> {
  return await withClient(port, async (c) => {
    const libs = decode(await c.call("FUNCTION", "LIST", "WITHCODE")) as unknown[][];
    libs.sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    const keys = (decode(await c.call("KEYS", "*")) as string[]).sort();
    const values = [];
    for (const k of keys) values.push([k, decode(await c.call("GET", k))]);
    return { libs, values };
  });
}

Deno.test("FUNCTION LOAD/DELETE/FLUSH/RESTORE and FCALL log what Redis 7.0 logs; the logs replay", async (t) => {
  let payload = "";
  const steps = (): Step[] => [
    [
      ["FUNCTION", "LOAD", COUNTER],
      ["FUNCTION", "LOAD", COUNTER], // fails: not logged
      ["FUNCTION", "LOAD", "REPLACE", COUNTER],
      ["FUNCTION", "LOAD", OTHER],
      ["FCALL", "incrby2", "1", "n"],
      ["FCALL", "peek", "1", "n"],
      ["FCALL_RO", "peek", "1", "n"],
      ["FUNCTION", "DELETE", "other"],
      ["FUNCTION", "DELETE", "other"], // fails
      ["FUNCTION", "RESTORE", payload],
      ["FUNCTION", "RESTORE", payload], // fails: the library exists
      ["FUNCTION", "RESTORE", payload, "REPLACE"],
      ["FUNCTION", "FLUSH"],
      ["FUNCTION", "LOAD", OTHER],
      ["FUNCTION", "RESTORE", payload, "FLUSH"],
      ["FUNCTION", "LOAD", COUNTER],
      ["SELECT", "3"],
      ["FCALL", "incrby2", "1", "m"],
      ["MULTI"],
      ["FUNCTION", "LOAD", OTHER],
      ["FCALL", "incrby2", "1", "m"],
      ["FCALL", "one", "0"],
      ["FUNCTION", "DELETE", "counter"],
      ["EXEC"],
    ],
  ];
  // A payload holding the third library, from Redis.
  const redis = await startRedis({ args: RDB_ONLY });
  if (redis === null) return;
  try {
    await withClient(redis.port, async (c) => {
      await ok(c, "FUNCTION", "LOAD", THIRD);
      payload = decode(await c.call("FUNCTION", "DUMP")) as string;
    });
  } finally {
    await redis.stop();
  }
  await propagationScenario(t, {
    args: ARGS,
    steps,
    checkLog: (theirLog) => {
      assert(theirLog.some((l) => l.includes('"RESTORE"')), theirLog.join("\n"));
    },
    dump: state,
    replays: "the same libraries and data",
    tmpPrefix: "redeno-propagation-functions-",
  });
});

/** Loads the libraries and a key, saves, and stops the server. */
async function saveWithFunctions(s: TestServer): Promise<void> {
  await withClient(s.port, async (c) => {
    await ok(c, "FUNCTION", "LOAD", COUNTER);
    await ok(c, "FUNCTION", "LOAD", OTHER);
    await ok(c, "SET", "n", "5");
    await ok(c, "SAVE");
  });
  await s.stop();
}

async function checkLoaded(c: RespClient): Promise<void> {
  assertEquals(await c.call("FCALL", "incrby2", "1", "n"), ":7\r\n");
  assertEquals(await c.call("FCALL_RO", "peek", "1", "n"), "$1\r\n7\r\n");
  assertEquals(await c.call("FCALL", "one", "0"), ":1\r\n");
}

for (const [from, to] of [["redeno", "redis"], ["redis", "redeno"]] as const) {
  Deno.test(`dump.rdb with functions: saved by ${from}, loaded by ${to}`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "redeno-functions-rdb-" });
    const servers: TestServer[] = [];
    try {
      const start = (name: string) =>
        name === "redis"
          ? startRedis({ dir, persistence: true, args: RDB_ONLY })
          : startRedeno({ dir, persistence: true, args: RDB_ONLY });
      const first = await start(from);
      if (first === null) return;
      servers.push(first);
      await saveWithFunctions(first);
      const before = await Deno.readFile(`${dir}/dump.rdb`);
      const second = await start(to);
      if (second === null) return;
      servers.push(second);
      const libs = await withClient(second.port, async (c) => {
        await checkLoaded(c);
        return await c.call("FUNCTION", "LIST", "LIBRARYNAME", "counter", "WITHCODE");
      });
      assert(libs.includes("incrby2") && libs.includes("reads"), libs);
      // And back: the loading side saves what it loaded, and the first side reads it.
      await withClient(second.port, (c) => ok(c, "SAVE"));
      await second.stop();
      assert((await Deno.readFile(`${dir}/dump.rdb`)).length > 0, `${before.length}`);
      const third = await start(from);
      if (third === null) return;
      servers.push(third);
      await withClient(third.port, async (c) => {
        assertEquals(await c.call("FCALL", "incrby2", "1", "n"), ":9\r\n");
        assertEquals(
          decode(await c.call("FUNCTION", "STATS")),
          decode(
            "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n" +
              "*4\r\n$15\r\nlibraries_count\r\n:2\r\n$15\r\nfunctions_count\r\n:3\r\n",
          ),
        );
      });
    } finally {
      for (const s of servers) await s.stop().catch(() => {});
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("an AOF rewrite's base carries the libraries; SCRIPT FLUSH and a restart keep functions, not scripts", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-functions-aof-" });
  let s: TestServer | null = null;
  try {
    s = await startRedeno({ dir, persistence: true, args: AOF_ONLY });
    const sha = await withClient(s.port, async (c) => {
      await ok(c, "FUNCTION", "LOAD", COUNTER);
      await ok(c, "FUNCTION", "LOAD", OTHER);
      await ok(c, "SET", "n", "5");
      const sha = decode(await c.call("SCRIPT", "LOAD", "return 1")) as string;
      assertEquals(await c.call("SCRIPT", "FLUSH"), "+OK\r\n");
      assertEquals(await c.call("FCALL", "one", "0"), ":1\r\n", "SCRIPT FLUSH keeps functions");
      await ok(c, "SCRIPT", "LOAD", "return 1");
      await ok(c, "BGREWRITEAOF");
      await idle(c);
      // After the rewrite: one more change in the new incremental file.
      await ok(c, "FUNCTION", "DELETE", "other");
      return sha;
    });
    await s.stop();
    s = await startRedeno({ dir, persistence: true, args: AOF_ONLY });
    await withClient(s.port, async (c) => {
      assertEquals(await c.call("FCALL", "incrby2", "1", "n"), ":7\r\n");
      assertEquals(await c.call("FCALL", "one", "0"), "-ERR Function not found\r\n");
      assertEquals(
        await c.call("SCRIPT", "EXISTS", sha),
        "*1\r\n:0\r\n",
        "no script after a restart",
      );
    });
  } finally {
    await s?.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});
