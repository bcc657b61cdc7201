/**
 * The persistence commands: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, SNAPSHOT,
 * DEBUG RELOAD, INFO persistence, SHUTDOWN and SIGTERM, and the AOF staying
 * bounded. Wherever Redis 7.0 has the same command, the same steps run on a
 * real redis-server first and the transcripts of both must be equal.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { RespClient, withClient } from "../support/resp_client.ts";
import {
  type Start,
  type StartOptions,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";
import { manifestParts } from "../../lib/persistence/aoffile.ts";
import {
  AOF_ONLY,
  aofDir,
  assertAofOk,
  assertRdbOk,
  baseOf,
  exists,
  idle,
  info,
  infoField,
  manifestText,
  ok,
  RDB_ONLY,
  readManifest,
  sameOnBoth,
  shutdown,
  sleep,
  waitFor,
  within,
  withServer,
} from "../support/persistence.ts";

// ---------------------------------------------------------------- helpers

/**
 * Runs `steps` on a real redis-server (when installed) and then on redeno,
 * each with a fresh directory and the same options; the transcripts the
 * steps return must be equal. Steps assert what must hold on both.
 */
async function differential(
  opts: StartOptions,
  steps: (s: TestServer, start: Start) => Promise<unknown[]>,
): Promise<void> {
  await sameOnBoth((start) =>
    withServer(
      start,
      { ...opts, dir: Deno.makeTempDirSync({ prefix: "redeno-cmd-" }) },
      (s) => steps(s, start),
    )
  );
}

/** Keys a–c and h of db 0 on a server started on `dir` from dump.rdb only. */
async function keysFromDump(start: Start, dir: string): Promise<unknown[]> {
  const s = await start({ persistence: true, dir, args: RDB_ONLY });
  assert(s);
  try {
    return await withClient(
      s.port,
      async (c) => [await ok(c, "MGET", "a", "b", "c"), await ok(c, "HGETALL", "h")],
    );
  } finally {
    await s.stop();
  }
}

// ------------------------------------------------------- SAVE and LASTSAVE

Deno.test("SAVE writes dump.rdb; LASTSAVE and rdb_changes_since_last_save follow", async () => {
  await differential({ persistence: true, args: RDB_ONLY }, (s) =>
    withClient(s.port, async (c) => {
      const t: unknown[] = [];
      t.push(await c.call("SET", "a", "1"), await c.call("HSET", "h", "f", "v", "g", "w"));
      t.push(await infoField(c, "rdb_changes_since_last_save"));
      const before = (await ok(c, "LASTSAVE")) as number;
      // LASTSAVE has a one-second resolution: let the server's clock pass it.
      await waitFor(
        "the next second",
        async () => Number((await ok(c, "TIME") as string[])[0]) > before,
      );
      t.push(await c.call("SAVE"));
      assert(exists(`${s.dir}/dump.rdb`), "dump.rdb is written");
      await assertRdbOk(`${s.dir}/dump.rdb`);
      const after = (await ok(c, "LASTSAVE")) as number;
      assert(after > before, `LASTSAVE ${before} -> ${after}`);
      const f = await info(c);
      t.push(f.get("rdb_changes_since_last_save"), f.get("rdb_last_bgsave_status"));
      t.push(Number(f.get("rdb_last_save_time")) === after);
      return t;
    }));
});

// ------------------------------------------------ BGSAVE and BGREWRITEAOF

Deno.test("BGSAVE and BGREWRITEAOF replies, alone and while another save runs", async () => {
  await differential({ persistence: true, args: AOF_ONLY }, (s) =>
    withClient(s.port, async (c) => {
      const t: unknown[] = [];
      await ok(c, "SET", "k", "v");
      // Back to back in one write: the first save is still running when
      // the next commands arrive. SCHEDULE does not queue behind a running
      // BGSAVE (Redis 7.0 answers the error), only behind an AOF rewrite.
      t.push(await c.pipeline([["BGSAVE"], ["BGSAVE"], ["BGSAVE", "SCHEDULE"]]));
      await idle(c);
      t.push(await infoField(c, "rdb_last_bgsave_status"));
      t.push(await c.pipeline([["BGSAVE"], ["BGREWRITEAOF"]]));
      await idle(c);
      t.push(await c.pipeline([["BGREWRITEAOF"], ["BGSAVE", "SCHEDULE"]]));
      await idle(c);
      // Nothing running: SCHEDULE starts one at once.
      t.push(await c.call("BGSAVE", "SCHEDULE"));
      await idle(c);
      t.push(await c.call("BGSAVE", "NOW"));
      const f = await info(c);
      t.push(f.get("rdb_last_bgsave_status"), f.get("aof_last_bgrewrite_status"));
      assert(exists(`${s.dir}/dump.rdb`));
      return t;
    }));
});

Deno.test("BGREWRITEAOF: the manifest names a new base afterwards", async () => {
  await differential({ persistence: true, args: AOF_ONLY }, (s) =>
    withClient(s.port, async (c) => {
      const t: unknown[] = [];
      t.push(await c.call("SET", "k", "v"));
      const [before, beforeText] = [baseOf(s.dir), manifestText(s.dir)];
      t.push(await c.call("BGREWRITEAOF"));
      await waitFor("the manifest to change", async () => {
        await idle(c);
        return manifestText(s.dir) !== beforeText;
      });
      const after = baseOf(s.dir);
      assert(after.seq > before.seq, `${beforeText} -> ${manifestText(s.dir)}`);
      assert(after.file !== before.file);
      assert(exists(`${aofDir(s.dir)}/${after.file}`), after.file);
      assert(!exists(`${aofDir(s.dir)}/${before.file}`), "the old base is removed");
      await assertAofOk(s.dir);
      t.push(await infoField(c, "aof_last_bgrewrite_status"), await c.call("GET", "k"));
      return t;
    }));
});

// ---------------------------------------------------------------- SNAPSHOT

Deno.test("SNAPSHOT writes a named RDB inside dir that Redis 7.0 loads", async () => {
  const s = await startRedeno({ persistence: true, args: RDB_ONLY });
  const c = await RespClient.connect(s.port);
  try {
    await ok(c, "SET", "a", "1");
    await ok(c, "HSET", "h", "f", "v");
    await ok(c, "SELECT", "2");
    await ok(c, "SET", "b", "\x00\xff\r\n", "EX", "100000");
    assertEquals(await c.call("SNAPSHOT", "name.rdb"), "$8\r\nname.rdb\r\n");
    await assertRdbOk(`${s.dir}/name.rdb`);
    // Without a name: snapshot-<unix ms>.rdb.
    const auto = await ok(c, "SNAPSHOT") as string;
    assertMatch(auto, /^snapshot-\d{13}\.rdb$/);
    assert(exists(`${s.dir}/${auto}`), auto);
    assert(!exists(`${s.dir}/dump.rdb`), "SNAPSHOT leaves dump.rdb alone");
  } finally {
    c.close();
    await s.stop();
  }
  const r = await startRedis({
    persistence: true,
    dir: s.dir,
    args: ["--dbfilename", "name.rdb", ...RDB_ONLY],
  });
  if (!r) return;
  const rc = await RespClient.connect(r.port);
  try {
    assertEquals(await ok(rc, "GET", "a"), "1");
    assertEquals(await ok(rc, "HGETALL", "h"), ["f", "v"]);
    await ok(rc, "SELECT", "2");
    assertEquals(await ok(rc, "GET", "b"), "\x00\xff\r\n");
    assert((await ok(rc, "PTTL", "b") as number) > 0);
  } finally {
    rc.close();
    await r.stop();
  }
});

Deno.test("SNAPSHOT refuses names that leave dir or are empty, and writes nothing", async () => {
  // dir sits inside a private parent, so an escape to "../x" would show.
  const parent = Deno.makeTempDirSync({ prefix: "redeno-snap-" });
  const dir = `${parent}/inner`;
  Deno.mkdirSync(`${dir}/a`, { recursive: true }); // "a/b" would be writable
  const s = await startRedeno({ persistence: true, dir, args: RDB_ONLY });
  const c = await RespClient.connect(s.port);
  try {
    await ok(c, "SET", "k", "v");
    for (const name of ["../x", "a/b", "..", "a\\b", "", "a..b", "/tmp/x", "."]) {
      const reply = await c.call("SNAPSHOT", name);
      assertMatch(reply, /^-ERR /, `SNAPSHOT ${JSON.stringify(name)}`);
    }
    assertEquals([...Deno.readDirSync(parent)].map((e) => e.name), ["inner"]);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a"]);
    assertEquals([...Deno.readDirSync(`${dir}/a`)].length, 0);
    assertEquals(await c.call("GET", "k"), "$1\r\nv\r\n");
  } finally {
    c.close();
    await s.stop();
  }
});

// ------------------------------------------------------------ DEBUG RELOAD

Deno.test("DEBUG RELOAD keeps every key, value and TTL", async () => {
  await differential(
    { persistence: true, args: [...RDB_ONLY, "--enable-debug-command", "yes"] },
    (s) =>
      withClient(s.port, async (c) => {
        await ok(c, "SET", "s", "\x00bin\xff");
        await ok(c, "SET", "n", "-42");
        await ok(c, "HSET", "h", "f", "1", "g", "x".repeat(100));
        await ok(c, "SET", "t", "ttl", "EX", "100000");
        await ok(c, "SELECT", "9");
        await ok(c, "SET", "nine", "9");
        await ok(c, "SELECT", "0");
        const t: unknown[] = [await c.call("DEBUG", "RELOAD")];
        t.push(await c.call("MGET", "s", "n", "t"), await c.call("HGET", "h", "g"));
        t.push(await c.call("DBSIZE"), (await ok(c, "PTTL", "t") as number) > 0);
        await ok(c, "SELECT", "9");
        t.push(await c.call("GET", "nine"));
        return t;
      }),
  );
});

// --------------------------------------------------------- INFO persistence

Deno.test("INFO persistence: Redis 7.0.15's fields in Redis's order", async () => {
  for (const aof of ["yes", "no"]) {
    await differential(
      { persistence: true, args: ["--appendonly", aof, "--save", "3600 1"] },
      (s) =>
        withClient(s.port, async (c) => {
          const f = await info(c);
          assertEquals(f.get("aof_enabled"), aof === "yes" ? "1" : "0");
          return [
            [...f.keys()],
            f.get("loading"),
            f.get("aof_enabled"),
            f.get("rdb_bgsave_in_progress"),
            f.get("rdb_last_bgsave_status"),
            f.get("aof_last_write_status"),
            f.get("aof_rewrite_in_progress"),
          ];
        }),
    );
  }
});

// -------------------------------------------------- SHUTDOWN and SIGTERM

/** a and h before the last save, b and c after it. */
async function writeAroundSave(s: TestServer): Promise<void> {
  await withClient(s.port, async (c) => {
    await ok(c, "SET", "a", "1");
    await ok(c, "HSET", "h", "f", "v");
    assertEquals(await c.call("SAVE"), "+OK\r\n");
    await ok(c, "SET", "b", "2");
    await ok(c, "SET", "c", "\r\n");
    assert(Number(await infoField(c, "rdb_changes_since_last_save")) > 0);
  });
}

/**
 * Writes around a save on a server with save points far away, stops it with
 * `stop` (which returns the exit code), and returns the code and what the
 * dump.rdb left behind holds.
 */
async function stopAfterWrites(aof: "yes" | "no", stop: (s: TestServer) => Promise<number>) {
  await differential(
    { persistence: true, args: ["--appendonly", aof, "--save", "3600 1"] },
    async (s, start) => {
      await writeAroundSave(s);
      const code = await stop(s);
      return [code, await keysFromDump(start, s.dir)];
    },
  );
}

Deno.test("SHUTDOWN writes a final snapshot with writes made after the last save", async () => {
  // Only SHUTDOWN can have saved b and c.
  await stopAfterWrites("yes", (s) => shutdown(s));
});

Deno.test("SHUTDOWN NOSAVE keeps the previous dump.rdb only", async () => {
  await stopAfterWrites("no", (s) => shutdown(s, "NOSAVE"));
});

Deno.test("SIGTERM shuts down like SHUTDOWN: final snapshot, exit code 0", async () => {
  await stopAfterWrites("yes", async (s) => {
    s.process.kill("SIGTERM");
    return (await within(s.process.status, "the exit after SIGTERM")).code;
  });
});

// ------------------------------------------------------ the AOF is bounded

Deno.test("the AOF stays bounded: each snapshot cycle replaces base and incr", async () => {
  const s = await startRedeno({
    persistence: true,
    args: ["--appendonly", "yes", "--save", "1 1"],
  });
  const c = await RespClient.connect(s.port);
  let n = 0;
  try {
    const first = baseOf(s.dir).seq;
    // Keep writing until three more snapshot cycles have happened.
    while (baseOf(s.dir).seq < first + 3) {
      assertEquals(await c.call("SET", `k:${n}`, `v:${n}`), "+OK\r\n");
      n++;
      await sleep(20);
      assert(n < 1000, "no snapshot cycle happened"); // a hang guard, not a speed check
    }
    await waitFor("the last changes to be saved", async () => {
      await idle(c);
      return (await infoField(c, "rdb_changes_since_last_save")) === "0";
    });
    await idle(c);
    const entries = readManifest(s.dir);
    const text = manifestText(s.dir);
    const { base, incr } = manifestParts(entries);
    assert(base && incr.length > 0, text);
    const files = [...Deno.readDirSync(aofDir(s.dir))].map((e) => e.name).sort();
    assertEquals(files, [base.file, incr[0].file, "appendonly.aof.manifest"].sort());
    assertEquals(entries.length, 2, text);
    // dump.rdb is the newest base, not a second copy.
    const dump = Deno.statSync(`${s.dir}/dump.rdb`);
    assertEquals(dump.ino, Deno.statSync(`${aofDir(s.dir)}/${base.file}`).ino);
  } finally {
    c.close();
    await s.stop();
  }
  // Nothing was lost along the way.
  const again = await startRedeno({ persistence: true, dir: s.dir, args: AOF_ONLY });
  const c2 = await RespClient.connect(again.port);
  try {
    assertEquals(await ok(c2, "DBSIZE"), n);
    assertEquals(await ok(c2, "GET", `k:${n - 1}`), `v:${n - 1}`);
    assertEquals(await ok(c2, "GET", "k:0"), "v:0");
  } finally {
    c2.close();
    await again.stop();
  }
});
