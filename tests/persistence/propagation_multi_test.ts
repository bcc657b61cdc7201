/**
 * Transactions in the AOF, against Redis 7.0.15: a transaction's writes are
 * logged as one MULTI ... EXEC block (a single write bare, reads and aborted
 * transactions not at all, MULTI in the first write's database), and the
 * logs replay to the same data on redeno and on Redis. A MULTI block torn
 * off at the tail of the AOF is reverted as Redis's loader reverts it
 * (aof-load-truncated yes: the file is cut before the MULTI; no: start-up
 * is refused), and replies under appendfsync always wait for the block.
 */
import { assert, assertEquals } from "@std/assert";
import { encodeCommands, RespClient, withClient } from "../support/resp_client.ts";
import {
  runRedenoToExit,
  runRedisToExit,
  type Start,
  startRedeno,
  startRedis,
} from "../support/servers.ts";
import {
  AOF_ONLY,
  aofDir,
  dumpPort,
  info,
  lastIncr,
  maskExpiry,
  propagationScenario,
  RDB_ONLY,
  sameOnBoth,
  type Step,
  waitFor,
} from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

/** maskExpiry, and SET's PXAT time too (two servers read their clocks apart). */
function maskTimes(args: string[]): string[] {
  const i = args.findIndex((a) => a.toUpperCase() === "PXAT");
  return i > 0 ? [...args.slice(0, i + 1), "<time>"] : maskExpiry(args);
}

const STEPS: Step[] = [
  [
    ["MULTI"],
    ["SET", "a", "1"],
    ["INCR", "a"],
    ["RPUSH", "l", "x", "y"],
    ["EXEC"],
    // Reads only: nothing logged.
    ["MULTI"],
    ["GET", "a"],
    ["LRANGE", "l", "0", "-1"],
    ["EXEC"],
    // One write: logged without MULTI/EXEC.
    ["MULTI"],
    ["GET", "a"],
    ["SET", "b", "1"],
    ["EXEC"],
    // Writes in several databases: MULTI in the first one's, SELECTs inside.
    ["SELECT", "1"],
    ["MULTI"],
    ["SELECT", "2"],
    ["SET", "c", "1"],
    ["SELECT", "0"],
    ["SET", "d", "1"],
    ["HSET", "h", "f", "v"],
    ["EXEC"],
    ["SELECT", "3"],
    ["MULTI"],
    ["SET", "e", "1", "EX", "1000"],
    ["DEL", "nosuch"],
    ["RPUSH", "q", "a", "b"],
    ["LPOP", "q"],
    ["SADD", "s", "m"],
    ["SREM", "s", "nosuch"],
    ["EXEC"],
    // A runtime error in the middle: the rest runs and is logged.
    ["MULTI"],
    ["SET", "w", "x"],
    ["LPUSH", "w", "y"],
    ["INCR", "cnt"],
    ["EXEC"],
    // Aborted and discarded transactions: nothing logged.
    ["WATCH", "w"],
    ["SET", "w", "z"],
    ["MULTI"],
    ["SET", "w", "never"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "w"],
    ["SET", "w", "never"],
    ["EXEC"],
    ["MULTI"],
    ["SET", "w", "never"],
    ["DISCARD"],
    // Blocking commands act as their non-blocking forms.
    ["MULTI"],
    ["BLPOP", "q", "0"],
    ["BLPOP", "nolist", "0"],
    ["RPUSH", "q2", "v1", "v2"],
    ["BLMOVE", "q2", "q3", "LEFT", "RIGHT", "0"],
    ["BRPOPLPUSH", "q2", "q3", "0"],
    ["EXEC"],
    // FLUSHDB inside a transaction.
    ["SELECT", "5"],
    ["MULTI"],
    ["SET", "f", "1"],
    ["FLUSHDB"],
    ["SET", "g", "1"],
    ["EXEC"],
    // Pipelined transactions back to back.
    ["MULTI"],
    ["INCR", "n"],
    ["INCR", "n"],
    ["EXEC"],
    ["MULTI"],
    ["INCR", "n"],
    ["EXPIRE", "n", "1000"],
    ["EXEC"],
    ["SELECT", "0"],
  ],
];

Deno.test("a transaction logs one MULTI/EXEC block, as Redis 7.0 logs it", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: STEPS,
    log: { tx: (commands) => commands.length > 1, mask: maskTimes },
    checkLog: (theirLog) => {
      assert(theirLog.includes("0: MULTI"), theirLog.join("\n"));
      assert(theirLog.includes("3: MULTI"), theirLog.join("\n"));
    },
    dump: (port) => dumpPort(port),
    replays: "the same data",
    tmpPrefix: "redeno-propagation-multi-",
  });
});

/** Commands appended to the AOF after the last complete one: a MULTI block cut before its EXEC. */
const TORN_TAIL = encodeCommands([["MULTI"], ["SET", "torn1", "x"], ["SET", "torn2", "y"]]);

/**
 * On one server: writes data (the last a transaction), stops, appends a
 * MULTI block without EXEC to the incremental file, and starts again with
 * `truncated` as aof-load-truncated. The transcript: the keys loaded and the
 * file's size relative to before the tear, or the refusal.
 */
async function tornTail(start: Start, truncated: "yes" | "no"): Promise<string[] | null> {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-torn-multi-" });
  try {
    const first = await start({ persistence: true, dir, args: ARGS });
    if (first === null) return null;
    await withClient(first.port, (c) =>
      c.pipeline([
        ["SET", "before", "1"],
        ["MULTI"],
        ["SET", "tx1", "a"],
        ["RPUSH", "tx2", "b"],
        ["EXEC"],
      ]));
    await first.stop();
    const incr = `${aofDir(dir)}/${lastIncr(dir)}`;
    const size = Deno.statSync(incr).size;
    Deno.writeFileSync(incr, TORN_TAIL, { append: true });
    const args = [...ARGS, "--aof-load-truncated", truncated];
    if (truncated === "no") {
      const run = first.kind === "redis" ? runRedisToExit : runRedenoToExit;
      const { code, output } = await run({ persistence: true, dir, args });
      const said = /Unexpected end of file reading the append only file/.test(output);
      return [`exit ${code}`, `says unexpected end of file: ${said}`];
    }
    const again = await start({ persistence: true, dir, args });
    try {
      const rows = await dumpPort(again!.port);
      const cut = Deno.statSync(incr).size - size;
      // Writes after the cut follow the last complete block and load back.
      await withClient(again!.port, (c) => c.call("SET", "after", "1"));
      return [...rows.map((r) => JSON.stringify(r)), `cut to the size before the tear: ${cut}`];
    } finally {
      await again!.stop();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("a torn MULTI block at the AOF's tail, aof-load-truncated yes: reverted", async () => {
  await sameOnBoth((start) => tornTail(start, "yes"));
});

Deno.test("a torn MULTI block at the AOF's tail, aof-load-truncated no: refused", async () => {
  await sameOnBoth((start) => tornTail(start, "no"));
});

Deno.test("a restart replays transactions, and EXEC's reply waits for its fsync", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-multi-restart-" });
  try {
    const s = await startRedeno({ persistence: true, dir, args: ARGS });
    const c = await RespClient.connect(s.port);
    const replies = await c.pipeline([
      ["MULTI"],
      ["SET", "k", "v"],
      ["RPUSH", "l", "1", "2", "3"],
      ["EXEC"],
    ]);
    assertEquals(replies[3], "*2\r\n+OK\r\n:3\r\n");
    // The reply came after an fsync that covered the whole block.
    const incr = Deno.readFileSync(`${aofDir(dir)}/${lastIncr(dir)}`);
    const text = new TextDecoder().decode(incr);
    assert(text.includes("MULTI") && text.endsWith("*1\r\n$4\r\nEXEC\r\n"), text);
    c.close();
    await s.kill();
    const again = await startRedeno({ persistence: true, dir, args: ARGS });
    try {
      assertEquals(await dumpPort(again.port), [
        [0, "k", "string", "v", false],
        [0, "l", "list", [["1"], ["2"], ["3"]], false],
      ]);
    } finally {
      await again.stop();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("redis-server loads redeno's transactions", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-multi-to-redis-" });
  try {
    const s = await startRedeno({ persistence: true, dir, args: ARGS });
    await withClient(s.port, (c) =>
      c.pipeline([
        ["SELECT", "4"],
        ["MULTI"],
        ["SET", "k", "v"],
        ["SELECT", "6"],
        ["ZADD", "z", "1", "a", "2", "b"],
        ["EXEC"],
      ]));
    const mine = await dumpPort(s.port);
    await s.stop();
    const redis = await startRedis({ persistence: true, dir, args: ARGS });
    if (redis === null) return;
    try {
      assertEquals(await dumpPort(redis.port), mine);
    } finally {
      await redis.stop();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/**
 * On one server with saving failing (its dir removed): a write queued
 * meanwhile dooms the transaction, a transaction of reads runs, and an EXEC
 * whose queue writes (queued before the failure) is refused with the reason.
 */
async function misconf(start: Start): Promise<string[] | null> {
  const parent = Deno.makeTempDirSync({ prefix: "redeno-multi-misconf-" });
  const dir = `${parent}/data`;
  Deno.mkdirSync(dir);
  try {
    const s = await start({
      persistence: true,
      dir,
      args: ["--appendonly", "no", "--save", "3600 1"],
    });
    if (s === null) return null;
    const a = await RespClient.connect(s.port);
    const b = await RespClient.connect(s.port);
    try {
      const t = await a.pipeline([["SET", "k", "1"], ["MULTI"], ["SET", "k", "2"], ["GET", "k"]]);
      Deno.removeSync(dir, { recursive: true });
      await waitFor("a failed background save", async () => {
        const f = await info(b);
        if (f.get("rdb_bgsave_in_progress") !== "0") return false;
        if (f.get("rdb_last_bgsave_status") === "err") return true;
        await b.call("BGSAVE", "SCHEDULE");
        return false;
      });
      t.push(
        ...await a.pipeline([
          ["EXEC"],
          ["GET", "k"],
          ["MULTI"],
          ["GET", "k"],
          ["EXEC"],
          ["MULTI"],
          ["SET", "k", "3"],
          ["GET", "k"],
          ["EXEC"],
          ["GET", "k"],
        ]),
      );
      return t;
    } finally {
      a.close();
      b.close();
      await s.stop();
    }
  } finally {
    Deno.removeSync(parent, { recursive: true });
  }
}

Deno.test("transactions while saving fails (MISCONF), as Redis refuses them", async () => {
  await sameOnBoth(misconf);
});

Deno.test("a snapshot taken while transactions run never holds half of one", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-multi-snapshot-" });
  const copies: string[] = [];
  try {
    const s = await startRedeno({ persistence: true, dir, args: RDB_ONLY });
    const writer = await RespClient.connect(s.port);
    const saver = await RespClient.connect(s.port);
    try {
      for (let round = 0; round < 3; round++) {
        // Transactions that keep x and y equal, in flight while BGSAVE freezes the data.
        const tx: string[][] = [];
        for (let i = 0; i < 400; i++) tx.push(["MULTI"], ["INCR", "x"], ["INCR", "y"], ["EXEC"]);
        const flood = writer.pipeline(tx);
        await saver.call("BGSAVE", "SCHEDULE");
        await waitFor("the background save", async () => {
          const f = await info(saver);
          return f.get("rdb_bgsave_in_progress") === "0" &&
            f.get("rdb_last_bgsave_status") === "ok";
        });
        await flood;
        await waitFor(
          "no save in progress",
          async () => (await info(saver)).get("rdb_bgsave_in_progress") === "0",
        );
        const copy = Deno.makeTempDirSync({ prefix: "redeno-multi-snapshot-copy-" });
        copies.push(copy);
        Deno.copyFileSync(`${dir}/dump.rdb`, `${copy}/dump.rdb`);
      }
    } finally {
      writer.close();
      saver.close();
      await s.stop();
    }
    for (const copy of copies) {
      const loaded = await startRedeno({ persistence: true, dir: copy, args: RDB_ONLY });
      try {
        const [x, y] = await withClient(loaded.port, (c) => c.value("MGET", "x", "y")) as string[];
        assertEquals(x, y, `a snapshot holds x=${x}, y=${y}`);
      } finally {
        await loaded.stop();
      }
    }
  } finally {
    for (const d of [dir, ...copies]) Deno.removeSync(d, { recursive: true });
  }
});
