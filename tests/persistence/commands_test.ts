/**
 * The persistence commands: SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE, SNAPSHOT,
 * DEBUG RELOAD, INFO persistence, SHUTDOWN and SIGTERM, and the AOF staying
 * bounded. Wherever Redis 7.0 has the same command, the same steps run on a
 * real redis-server first and the transcripts of both must be equal.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { decode, RespClient } from "../support/resp_client.ts";
import {
  findOnPath,
  oracleRequired,
  type StartOptions,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";

// ---------------------------------------------------------------- helpers

async function ok(c: RespClient, ...args: string[]): Promise<unknown> {
  const raw = await c.call(...args);
  assert(!raw.startsWith("-"), `${args.join(" ")} -> ${raw}`);
  return decode(raw);
}

async function info(c: RespClient): Promise<Map<string, string>> {
  const text = (await ok(c, "INFO", "persistence")) as string;
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

async function field(c: RespClient, name: string): Promise<string> {
  const v = (await info(c)).get(name);
  assert(v !== undefined, `no ${name} in INFO persistence`);
  return v;
}

/** Polls until `cond` holds; the limit only stops a hung test, it asserts no speed. */
async function waitFor(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until no snapshot or AOF rewrite is running or scheduled. */
async function idle(c: RespClient): Promise<void> {
  await waitFor("background saves to finish", async () => {
    const f = await info(c);
    return f.get("rdb_bgsave_in_progress") === "0" && f.get("aof_rewrite_in_progress") === "0" &&
      f.get("aof_rewrite_scheduled") === "0";
  });
}

/** Sends several commands in one write, so they run back to back; raw replies. */
async function pipeline(c: RespClient, ...cmds: string[][]): Promise<string[]> {
  let s = "";
  for (const args of cmds) {
    s += `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  }
  await c.send(s);
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i++) out.push(await c.reply());
  return out;
}

async function checkTool(tool: string, path: string): Promise<void> {
  const bin = findOnPath(tool);
  if (!bin) {
    if (oracleRequired()) throw new Error(`${tool} is not installed`);
    console.warn(`SKIPPED: ${tool} is not installed`);
    return;
  }
  const r = await new Deno.Command(bin, { args: [path], stdout: "piped", stderr: "piped" })
    .output();
  const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  assertEquals(r.code, 0, out);
  assert(/RDB looks OK|All AOF files and manifest are valid/.test(out), out);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function manifest(dir: string): { base: string; seq: number; text: string } {
  const text = Deno.readTextFileSync(`${dir}/appendonlydir/appendonly.aof.manifest`);
  const m = text.match(/^file (\S+) seq (\d+) type b$/m);
  assert(m, `no base in the manifest:\n${text}`);
  return { base: m[1], seq: Number(m[2]), text };
}

type Start = (o: StartOptions) => Promise<TestServer | null>;

/**
 * Runs `steps` on a real redis-server (when installed) and then on redeno,
 * each with a fresh directory and the same options; the transcripts the
 * steps return must be equal. Steps assert what must hold on both.
 */
async function differential(
  opts: StartOptions,
  steps: (s: TestServer, start: Start) => Promise<unknown[]>,
): Promise<void> {
  const run = async (start: Start): Promise<unknown[] | null> => {
    const s = await start({ ...opts, dir: Deno.makeTempDirSync({ prefix: "redeno-cmd-" }) });
    if (!s) return null;
    try {
      return await steps(s, start);
    } finally {
      await s.stop();
    }
  };
  const theirs = await run(startRedis);
  const mine = await run(startRedeno);
  if (theirs) assertEquals(mine, theirs, "redeno's transcript equals Redis's");
}

/** `p`, or an error after a long while: a guard against hangs, not a speed check. */
async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what}`)), 10_000);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends SHUTDOWN (or a variant); the server closes the connection and exits with 0. */
async function shutdown(s: TestServer, ...args: string[]): Promise<number> {
  const c = await RespClient.connect(s.port);
  let reply = "(connection closed)";
  try {
    reply = await within(c.call("SHUTDOWN", ...args), "the answer to SHUTDOWN");
  } catch (e) {
    // A successful SHUTDOWN closes the connection without a reply.
    if ((e as Error).message.startsWith("hung")) throw e;
  } finally {
    c.close();
  }
  assertEquals(reply, "(connection closed)", `SHUTDOWN ${args.join(" ")}`);
  return (await within(s.process.status, "the exit after SHUTDOWN")).code;
}

/** Keys a–c of db 0 on a server started on `dir` from dump.rdb only. */
async function keysFromDump(start: Start, dir: string): Promise<unknown[]> {
  const s = await start({ persistence: true, dir, args: ["--appendonly", "no", "--save", ""] });
  assert(s);
  const c = await RespClient.connect(s.port);
  try {
    return [await ok(c, "MGET", "a", "b", "c"), await ok(c, "HGETALL", "h")];
  } finally {
    c.close();
    await s.stop();
  }
}

const RDB_ONLY = ["--appendonly", "no", "--save", ""];

// ------------------------------------------------------- SAVE and LASTSAVE

Deno.test("SAVE writes dump.rdb; LASTSAVE and rdb_changes_since_last_save follow", async () => {
  await differential({ persistence: true, args: RDB_ONLY }, async (s) => {
    const c = await RespClient.connect(s.port);
    try {
      const t: unknown[] = [];
      t.push(await c.call("SET", "a", "1"), await c.call("HSET", "h", "f", "v", "g", "w"));
      t.push(await field(c, "rdb_changes_since_last_save"));
      const before = (await ok(c, "LASTSAVE")) as number;
      // LASTSAVE has a one-second resolution: let the server's clock pass it.
      await waitFor(
        "the next second",
        async () => Number((await ok(c, "TIME") as string[])[0]) > before,
      );
      t.push(await c.call("SAVE"));
      assert(exists(`${s.dir}/dump.rdb`), "dump.rdb is written");
      await checkTool("redis-check-rdb", `${s.dir}/dump.rdb`);
      const after = (await ok(c, "LASTSAVE")) as number;
      assert(after > before, `LASTSAVE ${before} -> ${after}`);
      const f = await info(c);
      t.push(f.get("rdb_changes_since_last_save"), f.get("rdb_last_bgsave_status"));
      t.push(Number(f.get("rdb_last_save_time")) === after);
      return t;
    } finally {
      c.close();
    }
  });
});

// ------------------------------------------------ BGSAVE and BGREWRITEAOF

Deno.test("BGSAVE and BGREWRITEAOF replies, alone and while another save runs", async () => {
  await differential(
    { persistence: true, args: ["--appendonly", "yes", "--save", ""] },
    async (s) => {
      const c = await RespClient.connect(s.port);
      try {
        const t: unknown[] = [];
        await ok(c, "SET", "k", "v");
        // Back to back in one write: the first save is still running when
        // the next commands arrive. SCHEDULE does not queue behind a running
        // BGSAVE (Redis 7.0 answers the error), only behind an AOF rewrite.
        t.push(await pipeline(c, ["BGSAVE"], ["BGSAVE"], ["BGSAVE", "SCHEDULE"]));
        await idle(c);
        t.push(await field(c, "rdb_last_bgsave_status"));
        t.push(await pipeline(c, ["BGSAVE"], ["BGREWRITEAOF"]));
        await idle(c);
        t.push(await pipeline(c, ["BGREWRITEAOF"], ["BGSAVE", "SCHEDULE"]));
        await idle(c);
        // Nothing running: SCHEDULE starts one at once.
        t.push(await c.call("BGSAVE", "SCHEDULE"));
        await idle(c);
        t.push(await c.call("BGSAVE", "NOW"));
        const f = await info(c);
        t.push(f.get("rdb_last_bgsave_status"), f.get("aof_last_bgrewrite_status"));
        assert(exists(`${s.dir}/dump.rdb`));
        return t;
      } finally {
        c.close();
      }
    },
  );
});

Deno.test("BGREWRITEAOF: the manifest names a new base afterwards", async () => {
  await differential(
    { persistence: true, args: ["--appendonly", "yes", "--save", ""] },
    async (s) => {
      const c = await RespClient.connect(s.port);
      try {
        const t: unknown[] = [];
        t.push(await c.call("SET", "k", "v"));
        const before = manifest(s.dir);
        t.push(await c.call("BGREWRITEAOF"));
        await waitFor("the manifest to change", async () => {
          await idle(c);
          return manifest(s.dir).text !== before.text;
        });
        const after = manifest(s.dir);
        assert(after.seq > before.seq, `${before.text} -> ${after.text}`);
        assert(after.base !== before.base);
        assert(exists(`${s.dir}/appendonlydir/${after.base}`), after.base);
        assert(!exists(`${s.dir}/appendonlydir/${before.base}`), "the old base is removed");
        await checkTool("redis-check-aof", `${s.dir}/appendonlydir/appendonly.aof.manifest`);
        t.push(await field(c, "aof_last_bgrewrite_status"), await c.call("GET", "k"));
        return t;
      } finally {
        c.close();
      }
    },
  );
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
    await checkTool("redis-check-rdb", `${s.dir}/name.rdb`);
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
    args: ["--dbfilename", "name.rdb", "--appendonly", "no", "--save", ""],
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
    async (s) => {
      const c = await RespClient.connect(s.port);
      try {
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
      } finally {
        c.close();
      }
    },
  );
});

// --------------------------------------------------------- INFO persistence

Deno.test("INFO persistence: Redis 7.0.15's fields in Redis's order", async () => {
  for (const aof of ["yes", "no"]) {
    await differential(
      { persistence: true, args: ["--appendonly", aof, "--save", "3600 1"] },
      async (s) => {
        const c = await RespClient.connect(s.port);
        try {
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
        } finally {
          c.close();
        }
      },
    );
  }
});

// -------------------------------------------------- SHUTDOWN and SIGTERM

/** a and h before the last save, b and c after it. */
async function writeAroundSave(s: TestServer): Promise<void> {
  const c = await RespClient.connect(s.port);
  try {
    await ok(c, "SET", "a", "1");
    await ok(c, "HSET", "h", "f", "v");
    assertEquals(await c.call("SAVE"), "+OK\r\n");
    await ok(c, "SET", "b", "2");
    await ok(c, "SET", "c", "\r\n");
    assert(Number(await field(c, "rdb_changes_since_last_save")) > 0);
  } finally {
    c.close();
  }
}

Deno.test("SHUTDOWN writes a final snapshot with writes made after the last save", async () => {
  // Save points far away: only SHUTDOWN can have saved b and c.
  await differential(
    { persistence: true, args: ["--appendonly", "yes", "--save", "3600 1"] },
    async (s, start) => {
      await writeAroundSave(s);
      const code = await shutdown(s);
      return [code, await keysFromDump(start, s.dir)];
    },
  );
});

Deno.test("SHUTDOWN NOSAVE keeps the previous dump.rdb only", async () => {
  await differential(
    { persistence: true, args: ["--appendonly", "no", "--save", "3600 1"] },
    async (s, start) => {
      await writeAroundSave(s);
      const code = await shutdown(s, "NOSAVE");
      return [code, await keysFromDump(start, s.dir)];
    },
  );
});

Deno.test("SIGTERM shuts down like SHUTDOWN: final snapshot, exit code 0", async () => {
  await differential(
    { persistence: true, args: ["--appendonly", "yes", "--save", "3600 1"] },
    async (s, start) => {
      await writeAroundSave(s);
      s.process.kill("SIGTERM");
      const { code } = await within(s.process.status, "the exit after SIGTERM");
      return [code, await keysFromDump(start, s.dir)];
    },
  );
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
    const first = manifest(s.dir).seq;
    // Keep writing until three more snapshot cycles have happened.
    while (manifest(s.dir).seq < first + 3) {
      assertEquals(await c.call("SET", `k:${n}`, `v:${n}`), "+OK\r\n");
      n++;
      await new Promise((r) => setTimeout(r, 20));
      assert(n < 1000, "no snapshot cycle happened"); // a hang guard, not a speed check
    }
    await waitFor("the last changes to be saved", async () => {
      await idle(c);
      return (await field(c, "rdb_changes_since_last_save")) === "0";
    });
    await idle(c);
    const m = manifest(s.dir);
    const files = [...Deno.readDirSync(`${s.dir}/appendonlydir`)].map((e) => e.name).sort();
    const incr = m.text.match(/^file (\S+) seq \d+ type i$/m)?.[1];
    assert(incr, m.text);
    assertEquals(files, [m.base, incr, "appendonly.aof.manifest"].sort());
    assertEquals(m.text.trim().split("\n").length, 2, m.text);
    // dump.rdb is the newest base, not a second copy.
    const dump = Deno.statSync(`${s.dir}/dump.rdb`);
    assertEquals(dump.ino, Deno.statSync(`${s.dir}/appendonlydir/${m.base}`).ino);
  } finally {
    c.close();
    await s.stop();
  }
  // Nothing was lost along the way.
  const again = await startRedeno({
    persistence: true,
    dir: s.dir,
    args: ["--appendonly", "yes", "--save", ""],
  });
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
