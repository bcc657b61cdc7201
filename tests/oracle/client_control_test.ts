/**
 * Client limits and control against redis-server 7.0: CLIENT PAUSE /
 * UNPAUSE (replies, errors, what waits under WRITE and ALL, flag b and
 * blocked_clients, arrival order, expiry held still), CLIENT KILL with every
 * filter and its errors (MAXAGE as Redis 7.4 has it), rename-command and its
 * fatal errors, MODULE and enable-module-command, CONFIG REWRITE (the file
 * compared with what redis-server writes for the same start-up file and
 * CONFIG SETs), timeout, maxclients, and client-output-buffer-limit for a
 * normal client that pulls big replies without reading them.
 */
import { assert, assertEquals } from "@std/assert";
import { oracleTest } from "../support/oracle.ts";
import { parseInfo, RespClient } from "../support/resp_client.ts";
import { freePort, redisServerPath, signal } from "../support/servers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Polls `check` every 20 ms (up to 30 s) until it holds. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never: ${what}`);
}

/** The CLIENT LIST line of the client named `name` ("" when none). */
async function clientLine(c: RespClient, name: string): Promise<string> {
  const list = await c.value("CLIENT", "LIST") as string;
  return list.split("\n").find((l) => l.includes(` name=${name} `)) ?? "";
}

/** A field of a CLIENT LIST line. */
function field(line: string, name: string): string {
  return new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? "";
}

async function named(port: number, name: string): Promise<RespClient> {
  const c = await RespClient.connect(port);
  assertEquals(await c.call("CLIENT", "SETNAME", name), "+OK\r\n");
  return c;
}

/**
 * Under CLIENT PAUSE WRITE: what runs, what waits (flags, cmd=,
 * blocked_clients), and the replies once UNPAUSE comes, in arrival order.
 * Returns the transcript to compare between the servers.
 */
async function pauseWriteScenario(port: number): Promise<string[]> {
  const out: string[] = [];
  const a = await named(port, "a");
  const b = await named(port, "b");
  const c = await named(port, "c");
  const d = await named(port, "d");
  try {
    // One write: the expiry cycle cannot run before the pause and delete the short keys.
    out.push(
      ...await a.pipeline([
        ["SET", "n", "0"],
        ["SET", "gone", "x", "PX", "1"],
        ["SET", "ttl", "x", "PX", "50"],
        ["CLIENT", "PAUSE", "100000", "WRITE"],
      ]),
    );
    // Reads run; read-only scripts (no-writes, EVAL_RO) run.
    for (
      const cmd of [
        ["GET", "n"],
        ["EXISTS", "n"],
        ["EVAL", "#!lua flags=no-writes\nreturn redis.call('get','n')", "0"],
        ["EVAL_RO", "return redis.call('get','n')", "0"],
        ["MULTI"],
        ["GET", "n"],
        ["EXEC"],
        ["PING"],
      ]
    ) out.push(await b.call(...cmd));
    // A write waits (and everything the client sends after it).
    await b.send("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nPING\r\n");
    await until("b postponed", async () => field(await clientLine(d, "b"), "flags") === "b");
    out.push(field(await clientLine(d, "b"), "cmd"));
    // A second writer arrives after it: it runs after it.
    await c.send("*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
    await until("c postponed", async () => field(await clientLine(d, "c"), "flags") === "b");
    out.push(parseInfo(await d.value("INFO", "clients") as string).get("blocked_clients")!);
    // may_replicate commands and scripts that may write wait too.
    const e = await named(port, "e");
    await e.send("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$1\r\nm\r\n");
    await until("e postponed", async () => field(await clientLine(d, "e"), "flags") === "b");
    out.push(field(await clientLine(d, "e"), "cmd"));
    const f = await named(port, "f");
    await f.send("*3\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n$1\r\n0\r\n");
    await until("f postponed", async () => field(await clientLine(d, "f"), "flags") === "b");
    const g = await named(port, "g");
    await g.send("*2\r\n$7\r\nPFCOUNT\r\n$2\r\nhl\r\n");
    await until("g postponed", async () => field(await clientLine(d, "g"), "flags") === "b");
    // Expiry is held still: an expired key reads as gone but is not deleted.
    await until("ttl passed", async () => (await d.call("PTTL", "ttl")) === ":-2\r\n");
    out.push(await d.call("GET", "gone"));
    out.push(await d.call("DBSIZE"));
    out.push(await d.call("INFO", "stats").then((i) => parseInfo(i).get("expired_keys")!));
    // An EXEC whose queue writes waits; one that only reads does not (checked above).
    out.push(await a.call("CLIENT", "UNPAUSE"));
    for (const x of [b, b, c, e, f, g]) out.push(await x.reply());
    out.push(await d.call("GET", "n"));
    e.close();
    f.close();
    g.close();
  } finally {
    for (const x of [a, b, c, d]) x.close();
  }
  return out;
}

oracleTest("CLIENT PAUSE WRITE: reads run, writes wait in order until UNPAUSE", async (o) => {
  const mine = await pauseWriteScenario(o.redenoServer.port);
  const theirs = await pauseWriteScenario(o.redisServer.port);
  assertEquals(mine, theirs);
});

oracleTest("CLIENT PAUSE / UNPAUSE replies and errors", async (o) => {
  await o.sameAll([
    ["CLIENT", "PAUSE"],
    ["CLIENT", "PAUSE", "abc"],
    ["CLIENT", "PAUSE", "-1"],
    ["CLIENT", "PAUSE", "1.5"],
    ["CLIENT", "PAUSE", "10", "foo"],
    ["CLIENT", "PAUSE", "abc", "foo"],
    ["CLIENT", "PAUSE", "-1", "foo"],
    ["CLIENT", "PAUSE", "10", "write", "x"],
    ["CLIENT", "PAUSE", "99999999999999999999"],
    ["CLIENT", "UNPAUSE", "x"],
    ["CLIENT", "UNPAUSE"],
    ["CLIENT", "PAUSE", "0"],
    ["CLIENT", "PAUSE", "0", "write"],
    ["CLIENT", "PAUSE", "0", "ALL"],
    ["CLIENT", "UNPAUSE"],
    ["PING"],
    ["COMMAND", "INFO", "client|pause", "client|unpause"],
  ]);
});

/**
 * CLIENT PAUSE ALL holds every command (CLIENT UNPAUSE too) until its
 * timeout; a stricter pause over a lighter one keeps the later end.
 */
async function pauseAllScenario(port: number): Promise<string[]> {
  const out: string[] = [];
  const a = await RespClient.connect(port);
  const b = await RespClient.connect(port);
  try {
    const start = Date.now();
    out.push(await a.call("CLIENT", "PAUSE", "1500", "WRITE"));
    out.push(await a.call("CLIENT", "PAUSE", "10", "ALL"));
    // Every command waits, even a read and CLIENT UNPAUSE, until the later end.
    await b.send("*2\r\n$3\r\nGET\r\n$1\r\nx\r\n");
    await a.send("*2\r\n$6\r\nCLIENT\r\n$7\r\nUNPAUSE\r\n");
    out.push(await b.reply());
    // The end is a lower bound: nothing ran before it.
    assert(Date.now() - start >= 1400, "GET waited for the pause's end");
    out.push(await a.reply());
    out.push(await b.call("PING"));
  } finally {
    a.close();
    b.close();
  }
  return out;
}

oracleTest("CLIENT PAUSE ALL holds everything until its end; pauses combine", async (o) => {
  const [mine, theirs] = await Promise.all([
    pauseAllScenario(o.redenoServer.port),
    pauseAllScenario(o.redisServer.port),
  ]);
  assertEquals(mine, theirs);
});

oracleTest("a paused client that is killed never runs its command", async (o) => {
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    const a = await named(port, "a");
    const b = await named(port, "b");
    try {
      await a.call("SET", "k", "1");
      assertEquals(await a.call("CLIENT", "PAUSE", "100000", "WRITE"), "+OK\r\n");
      await b.send("*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n");
      await until("b postponed", async () => field(await clientLine(a, "b"), "flags") === "b");
      const id = field(await clientLine(a, "b"), "id");
      assertEquals(await a.call("CLIENT", "KILL", "ID", id), ":1\r\n");
      // It goes at once, while the pause still holds.
      await until("b gone", async () => (await clientLine(a, "b")) === "");
      assertEquals(
        parseInfo(await a.value("INFO", "clients") as string).get("blocked_clients"),
        "0",
      );
      assertEquals(await a.call("CLIENT", "UNPAUSE"), "+OK\r\n");
      assertEquals(await a.call("GET", "k"), "$1\r\n1\r\n");
      assertEquals(
        parseInfo(await a.value("INFO", "clients") as string).get("blocked_clients"),
        "0",
      );
    } finally {
      a.close();
      b.close();
    }
  }
});

oracleTest("CLIENT KILL: every filter and its errors", async (o) => {
  await o.sameAll([
    ["CLIENT", "KILL"],
    ["CLIENT", "KILL", "1.2.3.4:5"],
    ["CLIENT", "KILL", "ID"],
    ["CLIENT", "KILL", "ID", "0"],
    ["CLIENT", "KILL", "ID", "-1"],
    ["CLIENT", "KILL", "ID", "abc"],
    ["CLIENT", "KILL", "ID", "999999"],
    ["CLIENT", "KILL", "TYPE", "bogus"],
    ["CLIENT", "KILL", "TYPE", "master"],
    ["CLIENT", "KILL", "TYPE", "replica"],
    ["CLIENT", "KILL", "TYPE", "slave"],
    ["CLIENT", "KILL", "TYPE", "pubsub"],
    ["CLIENT", "KILL", "USER", "nosuch"],
    ["CLIENT", "KILL", "USER", "default", "SKIPME", "maybe"],
    ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
    ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
    ["CLIENT", "KILL", "BOGUS", "x"],
    ["CLIENT", "KILL", "ID", "1", "TYPE"],
    ["CLIENT", "KILL", "SKIPME", "yes"],
    ["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "no"],
  ]);
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    const me = await named(port, "me");
    const others = [await named(port, "x1"), await named(port, "x2"), await named(port, "x3")];
    try {
      const line = await clientLine(me, "x1");
      const addr = field(line, "addr");
      const laddr = field(line, "laddr");
      // ADDR matches one client; LADDR all (skipping the caller); TYPE normal likewise.
      assertEquals(await me.call("CLIENT", "KILL", "ADDR", addr), ":1\r\n");
      assertEquals(await me.call("CLIENT", "KILL", addr), "-ERR No such client\r\n");
      assertEquals(
        await me.call("CLIENT", "KILL", field(await clientLine(me, "x2"), "addr")),
        "+OK\r\n",
      );
      assertEquals(
        await me.call(
          "CLIENT",
          "KILL",
          "LADDR",
          laddr,
          "ID",
          field(await clientLine(me, "x3"), "id"),
        ),
        ":1\r\n",
      );
      const more = [await named(port, "y1"), await named(port, "y2")];
      // The oracle's own connection is one of them.
      assertEquals(await me.call("CLIENT", "KILL", "USER", "default", "TYPE", "normal"), ":3\r\n");
      // MAXAGE (Redis 7.4): nobody is an hour old; everybody is at least -1 s old.
      const maxage = await me.call("CLIENT", "KILL", "MAXAGE", "3600");
      if (o.redenoServer.port === port) {
        assertEquals(maxage, ":0\r\n");
        assertEquals(
          await me.call("CLIENT", "KILL", "MAXAGE", "x"),
          "-ERR maxage is not an integer or out of range\r\n",
        );
      }
      // SKIPME no kills the caller after its reply.
      assertEquals(
        await me.call(
          "CLIENT",
          "KILL",
          "ID",
          field(await clientLine(me, "me"), "id"),
          "SKIPME",
          "no",
        ),
        ":1\r\n",
      );
      // Long quiet bounds: drain returns at the close, which a loaded box may delay.
      const end = await me.drain(10_000);
      assert(end.closed, "the caller was closed after its reply");
      for (const x of [...others, ...more]) assert((await x.drain(10_000)).closed);
    } finally {
      me.close();
    }
  }
});

/** redeno or redis-server started with `file` only (its port in the file); waits for PING. */
async function startWithFile(
  kind: "redeno" | "redis",
  file: string,
  port: number,
  cwd: string,
): Promise<{ child: Deno.ChildProcess; stop: () => Promise<void> }> {
  const [bin, pre] = kind === "redeno" ? [Deno.execPath(), ["run", "-A", MAIN]] : [
    redisServerPath()!,
    [],
  ];
  const child = new Deno.Command(bin, { args: [...pre, file], cwd, stdout: "null", stderr: "null" })
    .spawn();
  const stop = async () => {
    signal(child, "SIGKILL");
    await child.status;
  };
  try {
    await until(`${kind} up`, async () => {
      try {
        const c = await RespClient.connect(port);
        const r = await c.call("PING");
        c.close();
        return r === "+PONG\r\n" || r.startsWith("-NOAUTH");
      } catch {
        return false;
      }
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, stop };
}

/** Output of a server started with `file` that must exit at once (a fatal configuration error). */
async function fatal(kind: "redeno" | "redis", file: string): Promise<string> {
  const [bin, pre] = kind === "redeno" ? [Deno.execPath(), ["run", "-A", MAIN]] : [
    redisServerPath()!,
    [],
  ];
  const out = await new Deno.Command(bin, {
    args: [...pre, file],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert(out.code !== 0, `${kind} refused ${file}`);
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  // The quoted line and the reason (redeno also names the file on the line-number line).
  return text.split("\n").filter((l) =>
    l.startsWith(">>>") || l.startsWith("No such") ||
    l.startsWith("Target") || l.startsWith("Bad directive")
  ).join("\n");
}

Deno.test("rename-command: renamed, removed, shown under its own name; fatal errors", async () => {
  if (!redisServerPath()) return;
  const dir = Deno.makeTempDirSync({ prefix: "rename-" });
  const results: string[][] = [];
  for (const kind of ["redeno", "redis"] as const) {
    const port = freePort();
    const file = `${dir}/${kind}.conf`;
    Deno.writeTextFileSync(
      file,
      `port ${port}\nbind 127.0.0.1\nsave ""\nappendonly no\n` +
        'rename-command set myset\nrename-command FLUSHALL ""\nrename-command Config cfg\n' +
        "rename-command myset set2\n",
    );
    const s = await startWithFile(kind, file, port, dir);
    const c = await RespClient.connect(port);
    try {
      const out: string[] = [];
      for (
        const cmd of [
          ["SET", "a", "b"],
          ["MYSET", "a", "b"],
          ["set2", "a", "b"],
          ["set2", "a"],
          ["GET", "a"],
          ["FLUSHALL"],
          ["CONFIG", "GET", "port"],
          ["cfg", "GET", "maxclients"],
          ["cfg", "bogus"],
          ["cfg", "get"],
          ["COMMAND", "INFO", "set2", "set", "flushall", "cfg|get"],
          ["COMMAND", "GETKEYS", "set2", "k", "v"],
          ["EVAL", "return redis.call('set2','a','c')", "0"],
          ["EVAL", "return redis.call('set','a','c')", "0"],
          ["GET", "a"],
        ]
      ) {
        out.push((await c.call(...cmd)).replace(/script: \w+/, "script: sha"));
      }
      const list = await c.value("COMMAND", "LIST") as string[];
      out.push(String(list.includes("set")), String(list.includes("set2")));
      out.push(String(list.includes("flushall")));
      results.push(out);
    } finally {
      c.close();
      await s.stop();
    }
  }
  assertEquals(results[0], results[1]);
  // Fatal errors, named by line.
  for (
    const lines of [
      "rename-command nosuch x",
      "rename-command get set",
      "rename-command get",
      "rename-command get a b",
      'rename-command get ""\nrename-command get x',
    ]
  ) {
    const file = `${dir}/bad.conf`;
    Deno.writeTextFileSync(file, `save ""\n${lines}\n`);
    assertEquals(await fatal("redeno", file), await fatal("redis", file), lines);
  }
});

oracleTest("MODULE with no modules; LOAD refused unless enable-module-command", async (o) => {
  await o.sameAll([
    ["MODULE", "LIST"],
    ["MODULE", "LIST", "x"],
    ["MODULE", "HELP"],
    ["MODULE", "bogus"],
    ["MODULE", "LOAD"],
    ["MODULE", "LOAD", "/nonexistent.so"],
    ["MODULE", "LOADEX", "/nonexistent.so", "CONFIG", "a"],
    ["MODULE", "UNLOAD", "x"],
    ["CONFIG", "GET", "enable-module-command"],
    ["CONFIG", "SET", "enable-module-command", "yes"],
    ["CONFIG", "GET", "enable-protected-configs"],
    ["CONFIG", "SET", "dir", "/tmp"],
    ["CONFIG", "SET", "dbfilename", "x.rdb"],
    ["CONFIG", "SET", "enable-debug-command", "yes"],
  ]);
});

oracleTest("MODULE with enable-module-command yes: loading fails as with a bad file", async (o) => {
  await o.sameAll([
    ["MODULE", "LOAD", "/nonexistent.so"],
    ["MODULE", "LOAD", "/nonexistent.so", "a", "b"],
    ["MODULE", "LOADEX", "/nonexistent.so"],
    ["MODULE", "LOADEX", "/nonexistent.so", "CONFIG", "a"],
    ["MODULE", "LOADEX", "/nonexistent.so", "ARGS", "a"],
    ["MODULE", "UNLOAD", "x"],
    ["MODULE", "LIST"],
  ]);
}, { args: ["--enable-module-command", "yes"] });

/** Lines redeno and Redis write differently by nature: the port and the working directory. */
function normalizeConf(text: string): string {
  return text.replace(/^port \d+$/m, "port P").replace(/^dir ".*"$/m, 'dir "D"');
}

/** The appended block sorted (Redis appends in its config dict's random order), the rest as is. */
function sortAppended(text: string): string {
  const at = text.indexOf("# Generated by CONFIG REWRITE\n");
  if (at < 0) return text;
  const head = text.slice(0, at);
  const tail = text.slice(at).split("\n");
  const users = tail.filter((l) => l.startsWith("user "));
  const rest = tail.filter((l) => !l.startsWith("user ") && l !== "").slice(1).sort();
  return head + ["# Generated by CONFIG REWRITE", ...rest, ...users].join("\n") + "\n";
}

Deno.test("CONFIG REWRITE writes the file as redis-server does", async () => {
  if (!redisServerPath()) return;
  const dir = Deno.makeTempDirSync({ prefix: "rewrite-" });
  const texts: string[] = [];
  for (const kind of ["redeno", "redis"] as const) {
    const port = freePort();
    const file = `${dir}/${kind}.conf`;
    const wd = Deno.makeTempDirSync({ dir, prefix: kind });
    Deno.writeTextFileSync(
      file,
      "# A comment that stays\n" +
        `port ${port}\n` +
        "bind 127.0.0.1\n" +
        "   \n\n\n" +
        "  # indented comment\n" +
        'save ""\n' +
        "appendonly no\n" +
        "maxmemory 1mb\n" +
        "hz 10\n" +
        "hash-max-ziplist-entries 100\n" +
        "   timeout    3   \n" +
        "client-output-buffer-limit pubsub 32mb 8mb 60\n" +
        "client-output-buffer-limit replica 1mb 1mb 5\n" +
        'rename-command flushdb ""\n' +
        "notify-keyspace-events Ex\n" +
        "requirepass secret\n" +
        'logfile ""\n' +
        "maxclients 500\n" +
        "maxclients 600\n" +
        "user alice on >pw ~k* +get\n" +
        "user carol off\n",
    );
    const s = await startWithFile(kind, file, port, wd);
    const c = await RespClient.connect(port);
    try {
      assertEquals(await c.call("AUTH", "secret"), "+OK\r\n");
      for (
        const [k, v] of [
          ["maxmemory", "0"],
          ["timeout", "7"],
          ["maxclients", "10000"],
          ["slowlog-max-len", "64"],
          ["maxmemory-policy", "allkeys-lru"],
          ["proto-max-bulk-len", "2mb"],
          ["client-query-buffer-limit", "3145728"],
          ["lfu-log-factor", "3"],
          ["client-output-buffer-limit", "normal 1mb 512kb 10"],
          ["latency-tracking", "no"],
          ["notify-keyspace-events", "KEA"],
          ["requirepass", ""],
        ]
      ) assertEquals(await c.call("CONFIG", "SET", k, v), "+OK\r\n", k);
      assertEquals(await c.call("ACL", "SETUSER", "bob", "on", "nopass", "+@all"), "+OK\r\n");
      assertEquals(await c.call("ACL", "DELUSER", "carol"), ":1\r\n");
      assertEquals(await c.call("CONFIG", "REWRITE"), "+OK\r\n");
      const once = Deno.readTextFileSync(file);
      // A second rewrite with nothing changed keeps the file as it is (blank runs folded);
      // lines added meanwhile that name nothing known become "# ??? " comments.
      Deno.writeTextFileSync(file, once + 'bogus-option 5\n"unbalanced\n   \n', { append: false });
      assertEquals(await c.call("CONFIG", "REWRITE"), "+OK\r\n");
      const twice = Deno.readTextFileSync(file);
      // With the file gone, it is written afresh.
      Deno.removeSync(file);
      assertEquals(await c.call("CONFIG", "REWRITE"), "+OK\r\n");
      // redeno's own default is appendonly yes: a fresh file must say no, Redis's need not.
      const fresh = Deno.readTextFileSync(file).replace(/^appendonly no\n/m, "");
      texts.push(
        [once, twice, fresh].map((t) => sortAppended(normalizeConf(t))).join("----\n"),
      );
    } finally {
      c.close();
      await s.stop();
    }
  }
  assertEquals(texts[0], texts[1]);
});

oracleTest("CONFIG REWRITE without a config file", async (o) => {
  await o.sameAll([
    ["CONFIG", "REWRITE"],
    ["CONFIG", "REWRITE", "x"],
    ["CONFIG", "HELP"],
  ]);
});

oracleTest("timeout closes idle clients, not subscribers, blocked or paused ones", async (o) => {
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    const admin = await named(port, "admin");
    const idle = await named(port, "idle");
    const sub = await named(port, "sub");
    const blocked = await named(port, "blocked");
    const paused = await named(port, "paused");
    try {
      assertEquals(await admin.call("CLIENT", "PAUSE", "100000", "WRITE"), "+OK\r\n");
      await paused.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
      await until("paused", async () => field(await clientLine(admin, "paused"), "flags") === "b");
      assertEquals(
        await sub.call("SUBSCRIBE", "ch"),
        "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n",
      );
      await blocked.send("*3\r\n$5\r\nBLPOP\r\n$4\r\nnone\r\n$1\r\n0\r\n");
      await until(
        "blocked",
        async () => field(await clientLine(admin, "blocked"), "flags") === "b",
      );
      assertEquals(await admin.call("CONFIG", "SET", "timeout", "1"), "+OK\r\n");
      // The idle client goes (after more than a second of idleness); the others stay.
      const end = await idle.drain(100);
      if (!end.closed) {
        await until("idle closed", async () => (await clientLine(admin, "idle")) === "");
      }
      // The admin keeps itself busy meanwhile; the others were idle as long.
      assert((await clientLine(admin, "sub")) !== "", `subscriber kept (${port})`);
      assert((await clientLine(admin, "blocked")) !== "", `blocked client kept (${port})`);
      assert((await clientLine(admin, "paused")) !== "", `paused client kept (${port})`);
      assertEquals(await admin.call("CLIENT", "UNPAUSE"), "+OK\r\n");
      assertEquals(await paused.reply(), "+OK\r\n");
      assertEquals(await admin.call("CONFIG", "SET", "timeout", "0"), "+OK\r\n");
    } finally {
      for (const x of [admin, idle, sub, blocked, paused]) x.close();
    }
  }
});

oracleTest("maxclients: the client over the limit gets Redis's error and is closed", async (o) => {
  await o.same("CONFIG", "SET", "maxclients", "3");
  const extra: RespClient[] = [];
  try {
    for (const port of [o.redenoServer.port, o.redisServer.port]) {
      // The oracle's own client is one; two more fill the server.
      for (let i = 0; i < 2; i++) {
        const c = await RespClient.connect(port);
        assertEquals(await c.call("PING"), "+PONG\r\n");
        extra.push(c);
      }
    }
    const [mine, theirs] = await Promise.all([
      RespClient.connect(o.redenoServer.port).then((c) => c.drain(1000)),
      RespClient.connect(o.redisServer.port).then((c) => c.drain(1000)),
    ]);
    assertEquals(mine, theirs);
    assertEquals(theirs.data, "-ERR max number of clients reached\r\n");
    await o.same("INFO", "stats").catch(() => {}); // counters differ; the call must work
  } finally {
    for (const c of extra) c.close();
  }
  await until("room again", async () => {
    const [a, b] = await Promise.all([
      o.redeno.call("CLIENT", "LIST"),
      o.redis.call("CLIENT", "LIST"),
    ]);
    return a.split("\n").length === b.split("\n").length;
  });
  await o.same("CONFIG", "SET", "maxclients", "10000");
});

/**
 * A normal client that pipelines big GETs and never reads: dropped at the
 * normal class's hard limit, or once over its soft limit for longer than
 * its seconds (by the client cron, with no more output coming).
 */
async function pullWithoutReading(port: number, limit: string): Promise<boolean> {
  const admin = await RespClient.connect(port);
  const slow = await named(port, "slow");
  try {
    assertEquals(await admin.call("SET", "big", "v".repeat(256 * 1024)), "+OK\r\n");
    assertEquals(
      await admin.call("CONFIG", "SET", "client-output-buffer-limit", limit),
      "+OK\r\n",
    );
    await slow.send("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(200));
    await until("slow dropped", async () => (await clientLine(admin, "slow")) === "");
    assertEquals(await admin.call("PING"), "+PONG\r\n");
    return true;
  } finally {
    admin.close();
    slow.close();
  }
}

oracleTest(
  "a normal client pulling big replies without reading meets its hard limit",
  async (o) => {
    assert(await pullWithoutReading(o.redenoServer.port, "normal 4mb 0 0"));
    assert(await pullWithoutReading(o.redisServer.port, "normal 4mb 0 0"));
  },
);

oracleTest("a normal client stuck over its soft limit is dropped after its seconds", async (o) => {
  assert(await pullWithoutReading(o.redenoServer.port, "normal 0 1mb 1"));
  assert(await pullWithoutReading(o.redisServer.port, "normal 0 1mb 1"));
});

Deno.test("rename-command: the AOF replays what redeno logged under the commands' own names", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "rename-aof-" });
  const conf = (port: number) =>
    `port ${port}\nbind 127.0.0.1\nappendonly yes\nappendfsync always\nsave ""\n` +
    'rename-command set myset\nrename-command del ""\nrename-command expire myexpire\n';
  let port = freePort();
  Deno.writeTextFileSync(`${dir}/r.conf`, conf(port));
  let s = await startWithFile("redeno", `${dir}/r.conf`, port, dir);
  let c = await RespClient.connect(port);
  try {
    // SET EX is logged as SET ... PXAT, an expired key's deletion as DEL: names the table lacks now.
    assertEquals(await c.call("MYSET", "k", "v", "EX", "1000"), "+OK\r\n");
    assertEquals(await c.call("myset", "k2", "v"), "+OK\r\n");
    assertEquals(await c.call("MYEXPIRE", "k2", "1000"), ":1\r\n");
    assertEquals(await c.call("myset", "k3", "v", "PX", "1"), "+OK\r\n");
    await until("k3 expired", async () => (await c.call("GET", "k3")) === "$-1\r\n");
  } finally {
    c.close();
    await s.stop();
  }
  port = freePort();
  Deno.writeTextFileSync(`${dir}/r.conf`, conf(port));
  s = await startWithFile("redeno", `${dir}/r.conf`, port, dir);
  c = await RespClient.connect(port);
  try {
    assertEquals(await c.call("DBSIZE"), ":2\r\n");
    assertEquals(await c.call("GET", "k2"), "$1\r\nv\r\n");
    const ttl = await c.value("TTL", "k") as number;
    assert(ttl > 0 && ttl <= 1000, `k keeps its expiry (${ttl})`);
  } finally {
    c.close();
    await s.stop();
  }
});

oracleTest("protected configs and commands with enable-*: yes and local", async (o) => {
  await o.sameAll([
    ["CONFIG", "SET", "dbfilename", "other.rdb"],
    ["CONFIG", "GET", "dbfilename"],
    ["CONFIG", "SET", "dbfilename", "dump.rdb"],
    ["DEBUG", "SLEEP", "0"],
    // "local": allowed from a loopback client such as this one.
    ["MODULE", "LOAD", "/nonexistent.so"],
    ["MODULE", "UNLOAD", "x"],
  ]);
  await o.sameUnordered(["CONFIG", "GET", "enable-*"], true);
}, {
  args: [
    "--enable-protected-configs",
    "yes",
    "--enable-debug-command",
    "local",
    "--enable-module-command",
    "local",
  ],
});
