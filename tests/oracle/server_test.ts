import { assert, assertEquals } from "@std/assert";
import { oracleTest } from "../support/oracle.ts";
import { decode, type Decoded, RespClient } from "../support/resp_client.ts";

oracleTest("oracle: CONFIG SET errors and CONFIG GET values", async (o) => {
  await o.sameAll([
    ["CONFIG", "SET", "x", "1"],
    ["CONFIG", "SET", "maxclients", "a"],
    ["CONFIG", "SET", "maxclients", "0"],
    ["CONFIG", "SET", "maxclients", "4294967296"],
    ["CONFIG", "SET", "maxclients"],
    ["CONFIG", "SET", "a", "1", "b"],
    ["CONFIG", "SET", "maxclients", "10", "timeout", "x"],
    ["CONFIG", "SET", "maxclients", "10", "MAXCLIENTS", "11"],
    ["CONFIG", "SET", "loglevel", "x"],
    ["CONFIG", "SET", "loglevel", "nothing"],
    ["CONFIG", "SET", "appendonly", "maybe"],
    ["CONFIG", "SET", "maxmemory", "1x"],
    ["CONFIG", "SET", "maxmemory", "-5"],
    ["CONFIG", "SET", "proto-max-bulk-len", "10"],
    ["CONFIG", "SET", "proto-max-bulk-len", "1.5mb"],
    ["CONFIG", "SET", "hz", "-1"],
    ["CONFIG", "SET", "timeout", "+5"],
    ["CONFIG", "SET", "timeout", "05"],
    ["CONFIG", "SET", "timeout", "1.5"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "-2"],
    ["CONFIG", "SET", "hash-max-listpack-entries", "1k"],
    ["CONFIG", "SET", "databases", "1"],
    ["CONFIG", "SET", "daemonize", "yes"],
    ["CONFIG", "SET", "logfile", "x"],
    ["CONFIG", "SET", "dir", "/tmp"],
    ["CONFIG", "SET", "dbfilename", "x.rdb"],
    ["CONFIG", "SET", "port", "abc", "databases", "1"],
    ["CONFIG", "SET", "nosuch", "1", "port", "abc"],
    ["CONFIG", "SET", "save", "1 2 3"],
    ["CONFIG", "SET", "save", "a b"],
    ["CONFIG", "SET", "save", "0 0"],
    ["CONFIG", "SET", "requirepass", "x", "hz", "abc"],
    ["CONFIG", "GET", "requirepass"],
    ["CONFIG", "SET", "save", "100 10 20 5"],
    ["CONFIG", "GET", "save"],
    ["CONFIG", "SET", "save", ""],
    ["CONFIG", "GET", "save"],
    ["CONFIG", "SET", "maxmemory", "1gb", "hz", "1000", "appendfsync", "ALWAYS"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "hz"],
    ["CONFIG", "GET", "appendfsync"],
    ["CONFIG", "SET", "maxmemory", "5k", "proto-max-bulk-len", "2MB"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "proto-max-bulk-len"],
    ["CONFIG", "SET", "hash-max-ziplist-entries", "100", "hash-max-listpack-value", "1k"],
    ["CONFIG", "GET", "hash-max-ziplist-entries"],
    ["CONFIG", "GET", "NOSUCH*"],
    ["CONFIG", "GET", "nosuch"],
    ["CONFIG", "GET"],
    ["CONFIG", "RESETSTAT", "x"],
    ["CONFIG", "NOSUCH"],
    ["CONFIG", "SET", "maxmemory", "0", "hz", "10", "appendfsync", "everysec"],
  ]);
  for (
    const pattern of [
      ["proto-*", "slowlog-*"],
      ["hash-max-*"],
      ["appendfsync", "appendonly", "maxmemory-policy", "loglevel", "logfile", "databases"],
      ["maxclients", "timeout", "client-query-buffer-limit", "dbfilename", "tcp-keepalive"],
      ["appendfilename", "appenddirname", "protected-mode", "lfu-*", "slowlog-*", "hz", "hz"],
      ["bind", "requirepass", "appendonly"],
    ]
  ) {
    await o.sameUnordered(["CONFIG", "GET", ...pattern], true);
  }
  // CONFIG HELP: Redis's text (REWRITE included).
  await o.same("CONFIG", "HELP");
});

oracleTest("oracle: CONFIG SET has live effect", async (o) => {
  // requirepass: new connections must AUTH, this one stays authenticated.
  await o.same("CONFIG", "SET", "requirepass", "pw");
  await o.same("PING");
  const [a, b] = await o.connectPair();
  try {
    for (const cmd of [["PING"], ["AUTH", "pw"], ["PING"]]) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(mine, theirs);
    }
  } finally {
    a.close();
    b.close();
  }
  await o.same("CONFIG", "SET", "requirepass", "");
  // proto-max-bulk-len limits SETRANGE/APPEND results.
  await o.same("CONFIG", "SET", "proto-max-bulk-len", "1mb");
  await o.same("SETRANGE", "k", "2000000", "x");
  // slowlog-max-len trims.
  await o.same("CONFIG", "SET", "slowlog-log-slower-than", "0");
  for (let i = 0; i < 5; i++) await o.same("SET", "a", String(i));
  await o.same("CONFIG", "SET", "slowlog-max-len", "2");
  await o.same("SLOWLOG", "LEN");
});

oracleTest("oracle: COMMAND COUNT, INFO, DOCS, LIST, GETKEYS shapes and errors", async (o) => {
  await o.sameAll([
    ["COMMAND", "INFO", "get"],
    ["COMMAND", "INFO", "GET", "nosuch"],
    ["COMMAND", "INFO", "echo", "config|get", "client|setname", "client|nosuch"],
    ["COMMAND", "DOCS", "nosuch"],
    ["COMMAND", "GETKEYS", "set", "a", "b"],
    ["COMMAND", "GETKEYS", "mset", "a", "b", "c", "d"],
    ["COMMAND", "GETKEYS", "ping", "x"],
    ["COMMAND", "GETKEYS", "nosuch", "x"],
    ["COMMAND", "GETKEYS", "get", "a", "b"],
    ["COMMAND", "GETKEYS"],
    ["COMMAND", "COUNT", "x"],
    ["COMMAND", "LIST", "FILTERBY", "MODULE", "x"],
    ["COMMAND", "LIST", "FILTERBY", "foo", "x"],
    ["COMMAND", "LIST", "x"],
    ["COMMAND", "LIST", "FILTERBY", "ACLCAT"],
    ["COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|G*"],
    ["COMMAND", "INFO", "client|nosuch"],
    ["COMMAND", "NOSUCH"],
  ]);
  // Every command redeno has is one Redis has, with the same arity and flags.
  const names = decode(await o.redeno.call("COMMAND", "LIST")) as string[];
  assert(names.includes("get") && names.includes("config|get"));
  const redisNames = new Set(decode(await o.redis.call("COMMAND", "LIST")) as string[]);
  const theirs = names.filter((n) => redisNames.has(n));
  const mine = decode(await o.redeno.call("COMMAND", "INFO", ...theirs)) as Decoded[][];
  const ref = decode(await o.redis.call("COMMAND", "INFO", ...theirs)) as Decoded[][];
  for (let i = 0; i < mine.length; i++) {
    assertEquals(mine[i].slice(0, 2), ref[i].slice(0, 2), `arity of ${theirs[i]}`);
  }
  // Connection and server commands: name, arity, flags, key positions, ACL categories.
  const mineGroups = [
    "hello",
    "auth",
    "reset",
    "client",
    "client|setname",
    "client|kill",
    "client|reply",
    "config|set",
    "slowlog|get",
    "info",
    "monitor",
    "shutdown",
    "debug",
    "get",
    "mset",
  ];
  const m2 = decode(await o.redeno.call("COMMAND", "INFO", ...mineGroups)) as Decoded[][];
  const r2 = decode(await o.redis.call("COMMAND", "INFO", ...mineGroups)) as Decoded[][];
  for (let i = 0; i < m2.length; i++) {
    const cats = (x: Decoded[]) => (x[6] as string[]).filter((c) => c !== "@connection");
    assertEquals(m2[i].slice(0, 6), r2[i].slice(0, 6), mineGroups[i]);
    if (!["info", "shutdown", "hello", "auth", "reset", "client|reply"].includes(mineGroups[i])) {
      assertEquals(cats(m2[i]), cats(r2[i]), `categories of ${mineGroups[i]}`);
    }
  }
  const count = decode(await o.redeno.call("COMMAND", "COUNT")) as number;
  assertEquals((decode(await o.redeno.call("COMMAND")) as Decoded[]).length, count);
  // DOCS of CLIENT SETNAME: all but the summary (our own words).
  const withoutSummary = (d: Decoded) => {
    const body = (d as Decoded[])[1] as Decoded[];
    return body.filter((_, i) => i !== 1);
  };
  assertEquals(
    withoutSummary(await o.redeno.value("COMMAND", "DOCS", "client|setname")),
    withoutSummary(await o.redis.value("COMMAND", "DOCS", "client|setname")),
  );
  // DOCS structure of a command with options.
  const docs = decode(await o.redeno.call("COMMAND", "DOCS", "config")) as Decoded[];
  assertEquals(docs[0], "config");
  const body = docs[1] as Decoded[];
  assert(body.includes("subcommands"));
});

oracleTest("oracle: INFO sections and fields", async (o) => {
  await o.same("SET", "a", "1");
  await o.same("SET", "b", "1", "EX", "100");
  await o.same("GET", "a");
  await o.same("NOSUCHCMD");
  const sectionsOf = (text: string) =>
    text.split("\r\n").filter((l) => l.startsWith("# ")).map((l) => l.slice(2));
  for (
    const args of [
      [],
      ["all"],
      ["everything"],
      ["default"],
      ["server", "clients"],
      [
        "default",
        "commandstats",
      ],
      ["KEYSPACE"],
      ["nosuch"],
    ]
  ) {
    const [mine, theirs] = await Promise.all([
      o.redeno.value("INFO", ...args),
      o.redis.value("INFO", ...args),
    ]);
    const ours = sectionsOf(mine as string);
    const ref = sectionsOf(theirs as string);
    assertEquals(ours, ref, `INFO ${args.join(" ")}`);
  }
  const text = (await o.redeno.value("INFO", "everything")) as string;
  for (
    const field of [
      "redis_version:7.0.15\r\n",
      "redis_mode:standalone",
      "connected_clients:",
      "used_memory:",
      "used_memory_human:",
      "loading:0",
      "rdb_changes_since_last_save:",
      "aof_enabled:0",
      "total_connections_received:",
      "total_commands_processed:",
      "keyspace_hits:1",
      "role:master",
      "used_cpu_user:",
      "cmdstat_set:calls=2,usec=",
      "cmdstat_get:calls=1,",
      "errorstat_ERR:count=1",
      "cluster_enabled:0",
      "db0:keys=2,expires=1,avg_ttl=",
    ]
  ) {
    assert(text.includes(field), `INFO has ${field}`);
  }
  assert(!text.includes("\n\n") && text.endsWith("\r\n"));
  const keyspace = (await o.redeno.value("INFO", "keyspace")) as string;
  assert(/^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n$/.test(keyspace), keyspace);
  // RESP3: verbatim.
  const [a, b] = await o.connectPair();
  try {
    await a.call("HELLO", "3");
    await b.call("HELLO", "3");
    const [m, t] = await Promise.all([a.call("INFO", "keyspace"), b.call("INFO", "keyspace")]);
    assert(t.startsWith("=") && t.includes("txt:# Keyspace"));
    assert(m.startsWith("=") && m.includes("txt:# Keyspace"));
  } finally {
    a.close();
    b.close();
  }
  await o.same("CONFIG", "RESETSTAT");
  const after = (await o.redeno.value("INFO", "commandstats", "errorstats")) as string;
  assert(!after.includes("cmdstat_set"), after);
  assert(!after.includes("errorstat_ERR"), after);
});

oracleTest("oracle: SLOWLOG GET, LEN, RESET, HELP", async (o) => {
  await o.sameAll([
    ["SLOWLOG", "RESET"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
    ["SLOWLOG", "GET", "x"],
    ["SLOWLOG", "GET", "-2"],
    ["SLOWLOG", "GET", "-1", "x"],
    ["SLOWLOG", "HELP"],
    ["SLOWLOG"],
    ["SLOWLOG", "NOSUCH"],
    ["CLIENT", "SETNAME", "slow"],
  ]);
  await o.redeno.call("AUTH", "foo");
  await o.redis.call("AUTH", "foo");
  const mask = (d: Decoded) =>
    (d as Decoded[][]).map((e) => [e.length, e[3], e[5], typeof e[0], typeof e[1], typeof e[2]]);
  const [mine, theirs] = await Promise.all([
    o.redeno.value("SLOWLOG", "GET", "2"),
    o.redis.value("SLOWLOG", "GET", "2"),
  ]);
  assertEquals(mask(mine), mask(theirs));
  assertEquals((mine as Decoded[][])[0][3], ["AUTH", "(redacted)"]);
  await o.sameAll([["CONFIG", "SET", "slowlog-log-slower-than", "-1"], ["SLOWLOG", "RESET"]]);
  await o.same("SLOWLOG", "LEN");
  await o.same("SLOWLOG", "GET");
});

oracleTest("oracle: MONITOR streams commands, redacts AUTH, hides admin commands", async (o) => {
  for (const server of [o.redenoServer, o.redisServer]) {
    const mon = await RespClient.connect(server.port);
    assertEquals(await mon.call("MONITOR"), "+OK\r\n");
    const c = await RespClient.connect(server.port);
    await c.call("AUTH", "secret");
    await c.call("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "x");
    await c.call("SET", "a", "b\n\x01c");
    await c.call("CONFIG", "GET", "port");
    await c.call("SELECT", "1");
    await c.call("GET", "k");
    await c.call("CLIENT", "LIST");
    const { data } = await mon.drain(300);
    const lines = data.split("\r\n").filter((l) => l !== "").map((l) =>
      l.replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\] /, "[$1] ")
        // Redis feeds monitors after the command ran (SELECT shows the new db);
        // redeno's dispatcher feeds them before: the db of SELECT is not compared.
        .replace(/^\[\d+\] "SELECT"/, '[?] "SELECT"')
    );
    assertEquals(lines, [
      '[0] "AUTH" "(redacted)"',
      '[0] "HELLO" "3" "AUTH" "(redacted)" "(redacted)" "SETNAME" "x"',
      '[0] "SET" "a" "b\\n\\x01c"',
      '[?] "SELECT" "1"',
      '[1] "GET" "k"',
    ], server.kind);
    c.close();
    mon.close();
  }
});

oracleTest("oracle: TIME, LASTSAVE, SHUTDOWN and DEBUG errors", async (o) => {
  await o.sameAll([
    ["TIME", "x"],
    ["LASTSAVE", "x"],
    ["SHUTDOWN", "foo"],
    ["SHUTDOWN", "NOSAVE", "SAVE"],
    ["SHUTDOWN", "ABORT"],
    ["DEBUG"],
    ["DEBUG", "SLEEP", "0"],
    ["DEBUG", "nosuch"],
    ["COMMAND", "HELP"],
  ]);
  const asked = Date.now();
  const [mine, theirs] = await Promise.all([o.redeno.value("TIME"), o.redis.value("TIME")]);
  const secs = (v: Decoded) => Number((v as string[])[0]);
  // Both read the clock while the test waited for them: no further apart than that wait.
  assert(Math.abs(secs(mine) - secs(theirs)) <= Math.ceil((Date.now() - asked) / 1000) + 1);
  assert(Number((mine as string[])[1]) < 1e6);
  assertEquals(typeof (await o.redeno.value("LASTSAVE")), "number");
});

oracleTest("oracle: DEBUG SLEEP blocks the whole server", async (o) => {
  for (const server of [o.redenoServer, o.redisServer]) {
    const a = await RespClient.connect(server.port);
    const b = await RespClient.connect(server.port);
    // A loaded machine may deliver the PING before the server has read the
    // DEBUG SLEEP sent 50 ms earlier: a quick PONG is retried, and a server
    // that does not block answers every attempt quickly.
    let waited = 0;
    for (let attempt = 0; attempt < 3 && waited < 250; attempt++) {
      const start = performance.now();
      const sleeping = a.call("DEBUG", "SLEEP", "0.3");
      await new Promise((r) => setTimeout(r, 50));
      assertEquals(await b.call("PING"), "+PONG\r\n");
      waited = performance.now() - start;
      assertEquals(await sleeping, "+OK\r\n");
    }
    assert(waited >= 250, `${server.kind}: PING waited ${waited}ms`);
    a.close();
    b.close();
  }
}, { args: ["--enable-debug-command", "yes"] });

oracleTest("oracle: SHUTDOWN NOSAVE stops the server", async (o) => {
  for (const server of [o.redenoServer, o.redisServer]) {
    const c = await RespClient.connect(server.port);
    await c.send("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n");
    // drain returns at the close; the long bound only covers a slow shutdown.
    const { data, closed } = await c.drain(10_000);
    assertEquals(data, "", server.kind);
    assert(closed, server.kind);
    const status = await server.process.status;
    assertEquals(status.code, 0, server.kind);
    c.close();
  }
});
