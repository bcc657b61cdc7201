/**
 * INFO against redis-server: the same sections for every argument form,
 * and in each section the same field names in the same order (the lines
 * that depend on history — commandstats, errorstats, latencystats,
 * keyspace — after running the same commands on both). CLIENT LIST / INFO
 * fields, MEMORY STATS / DOCTOR / MALLOC-STATS / PURGE shapes.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { RespClient } from "../support/resp_client.ts";
import type { Decoded } from "../support/resp_client.ts";

/** Section title -> field names in order. */
function fieldsOf(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) {
      current = [];
      out.set(line.slice(2), current);
    } else if (line !== "") {
      current!.push(line.slice(0, line.indexOf(":")));
    }
  }
  return out;
}

/** Field -> value of one INFO text. */
function valuesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

async function both(o: Oracle, ...args: string[]): Promise<[string, string]> {
  const [mine, theirs] = await Promise.all([o.redeno.value(...args), o.redis.value(...args)]);
  return [mine as string, theirs as string];
}

/** Runs the same history on both servers: commands, errors, keys in two databases. */
async function sameHistory(o: Oracle): Promise<void> {
  await o.sameAll([
    // A start-up probe answered -LOADING on a loaded machine must not count: both start afresh.
    ["CONFIG", "RESETSTAT"],
    ["SET", "a", "1"],
    ["SET", "b", "2", "EX", "1000"],
    ["GET", "a"],
    ["GET", "nosuch"],
    ["LPUSH", "a", "x"],
    ["NOSUCHCMD"],
    ["CONFIG", "GET", "maxmemory"],
    ["SELECT", "3"],
    ["HSET", "h", "f", "v"],
    ["SELECT", "0"],
    ["INCR", "a"],
    ["PING"],
  ]);
}

oracleTest("oracle: INFO section sets for every argument form", async (o) => {
  const titles = (text: string) => [...fieldsOf(text).keys()];
  for (
    const args of [
      [],
      ["all"],
      ["everything"],
      ["default"],
      ["default", "commandstats"],
      ["latencystats"],
      ["LATENCYSTATS", "server"],
      ["modules"],
      ["everything", "all"],
      ["server", "server"],
      ["keyspace", "server"],
      ["nosuch"],
      ["cpu", "nosuch", "Memory"],
      ["errorstats", "cluster", "replication"],
    ]
  ) {
    const [mine, theirs] = await both(o, "INFO", ...args);
    assertEquals(titles(mine), titles(theirs), `INFO ${args.join(" ")}`);
  }
});

oracleTest("oracle: INFO field names of every section equal redis-server's", async (o) => {
  await sameHistory(o);
  const [mine, theirs] = await both(o, "INFO", "everything");
  const ours = fieldsOf(mine);
  const ref = fieldsOf(theirs);
  assertEquals([...ours.keys()], [...ref.keys()]);
  for (const [title, names] of ref) {
    // Per-command lines follow each server's table order: compare them as sets.
    const perCommand = ["Commandstats", "Latencystats"].includes(title);
    const a = perCommand ? [...ours.get(title)!].sort() : ours.get(title);
    const b = perCommand ? [...names].sort() : names;
    assertEquals(a, b, `fields of # ${title}`);
  }
  const m = valuesOf(mine);
  const r = valuesOf(theirs);
  // Values that mean the same on both.
  for (
    const f of [
      "redis_version",
      "redis_git_sha1",
      "redis_git_dirty",
      "redis_mode",
      "arch_bits",
      "process_supervised",
      "hz",
      "configured_hz",
      "io_threads_active",
      "connected_clients",
      "cluster_connections",
      "maxclients",
      "blocked_clients",
      "tracking_clients",
      "clients_in_timeout_table",
      "maxmemory",
      "maxmemory_human",
      "maxmemory_policy",
      "loading",
      "aof_enabled",
      "rdb_changes_since_last_save",
      "rdb_bgsave_in_progress",
      "rdb_last_bgsave_status",
      "aof_last_write_status",
      "total_commands_processed",
      "keyspace_hits",
      "keyspace_misses",
      "expired_keys",
      "evicted_keys",
      "total_error_replies",
      "unexpected_error_replies",
      "role",
      "connected_slaves",
      "master_failover_state",
      "master_replid2",
      "master_repl_offset",
      "second_repl_offset",
      "repl_backlog_active",
      "repl_backlog_size",
      "cluster_enabled",
      "db0",
      "db3",
      "errorstat_ERR",
      "errorstat_WRONGTYPE",
    ]
  ) {
    if (f === "db0") {
      // avg_ttl is clock-relative.
      assertEquals(m.get(f)?.replace(/avg_ttl=\d+/, ""), r.get(f)?.replace(/avg_ttl=\d+/, ""), f);
      continue;
    }
    assertEquals(m.get(f), r.get(f), f);
  }
  for (const [k, v] of r) {
    // Call counts of commandstats, with times masked.
    if (k.startsWith("cmdstat_") && k !== "cmdstat_info") {
      const mask = (s?: string) => s?.replace(/usec=\d+,usec_per_call=[\d.]+/, "");
      assertEquals(mask(m.get(k)), mask(v), k);
    }
    if (k.startsWith("latency_percentiles_usec_")) {
      assert(/^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/.test(m.get(k)!), m.get(k));
    }
  }
  // master_replid: 40 hex digits, random per start.
  assert(/^[0-9a-f]{40}$/.test(m.get("master_replid")!));
  assert(/^[0-9a-f]{40}$/.test(m.get("run_id")!));
  assert(/^[0-9a-f]{16}$/.test(m.get("redis_build_id")!));
  assertEquals(m.get("tcp_port"), String(o.redenoServer.port));
});

oracleTest("oracle: INFO field names with AOF on", async (o) => {
  await o.sameAll([["CONFIG", "SET", "appendonly", "yes"], ["SET", "k", "v"]]);
  // Both rewrite the AOF in the background when it is switched on: wait for it.
  for (const c of [o.redeno, o.redis]) {
    for (let i = 0; i < 100; i++) {
      const p = (await c.value("INFO", "persistence")) as string;
      if (p.includes("aof_rewrite_in_progress:0") && p.includes("aof_rewrite_scheduled:0")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const [mine, theirs] = await both(o, "INFO", "persistence");
  assertEquals(fieldsOf(mine), fieldsOf(theirs));
  assert(mine.includes("aof_enabled:1\r\n") && mine.includes("aof_base_size:"), mine);
  await o.sameAll([["CONFIG", "SET", "appendonly", "no"]]);
}, { persistence: true, args: ["--appendonly", "no", "--save", ""] });

oracleTest("oracle: INFO latencystats percentiles and latency-tracking options", async (o) => {
  await o.sameAll([
    ["CONFIG", "GET", "latency-tracking"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "GET", "latency-monitor-threshold"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50.5 99 100"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0000001 99.12345678"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "1e1 0x10"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50  99"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", " 50"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "nan"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "inf"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "1e999"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "101 abc"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 abc 101"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "-1"],
    ["CONFIG", "GET", "latency-tracking-info-percentiles"],
    ["CONFIG", "SET", "latency-monitor-threshold", "-1"],
    ["CONFIG", "SET", "latency-tracking", "maybe"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.9"],
    ["CONFIG", "RESETSTAT"],
    ["SET", "k", "v"],
    ["GET", "k"],
  ]);
  const [mine, theirs] = await both(o, "INFO", "latencystats");
  const shape = (t: string) =>
    t.replace(/=\d+\.\d{3}/g, "=N").split("\r\n").filter((l) => !l.includes("|")).sort();
  assertEquals(shape(mine), shape(theirs));
  assert(mine.includes("latency_percentiles_usec_set:p50="), mine);
  // No percentiles: empty values.
  await o.sameAll([["CONFIG", "SET", "latency-tracking-info-percentiles", ""]]);
  const [m2, t2] = await both(o, "INFO", "latencystats");
  assertEquals(shape(m2), shape(t2));
  assert(m2.includes("latency_percentiles_usec_set:\r\n"));
  // Tracking off: nothing new is recorded; RESETSTAT forgets the histograms.
  await o.sameAll([
    ["CONFIG", "SET", "latency-tracking", "no"],
    ["CONFIG", "RESETSTAT"],
    ["SET", "k", "v"],
  ]);
  const [m3, t3] = await both(o, "INFO", "latencystats");
  assertEquals(m3, t3);
  assertEquals(m3, "# Latencystats\r\n");
});

oracleTest("oracle: CLIENT LIST and CLIENT INFO buffer fields", async (o) => {
  // A fresh connection running CLIENT INFO / LIST as its first command.
  const fieldsMask = (line: string) =>
    line.trim().replace(/^id=\d+ addr=\S+ laddr=\S+ fd=\d+/, "").replace(/ age=\d+ idle=\d+/, "");
  for (const cmd of [["CLIENT", "INFO"], ["CLIENT", "LIST"]]) {
    const [a, b] = await o.connectPair();
    try {
      const [mine, theirs] = (await Promise.all([a.value(...cmd), b.value(...cmd)])) as string[];
      const own = (text: string) => text.split("\n").find((l) => l.includes(`cmd=client|`))!;
      // A client cron visit may shrink the reply buffer of a new client that
      // waited (on either server, under load): the buffer sizes are compared
      // only when both still have their first buffer.
      const fresh = (l: string) => l.includes(" rbs=16384 rbp=16384 ");
      const mask = (l: string) =>
        fresh(own(mine)) && fresh(own(theirs))
          ? fieldsMask(l)
          : fieldsMask(l).replace(/ rbs=\d+ rbp=\d+ /, " ").replace(/ tot-mem=\d+/, "");
      assertEquals(mask(own(mine)), mask(own(theirs)), cmd.join(" "));
      assert(own(mine).includes("qbuf=26 qbuf-free=20448 argv-mem=10"), own(mine));
      const rbs = Number(/ rbs=(\d+)/.exec(own(mine))![1]);
      assert(own(mine).includes(`tot-mem=${20480 + 768 + rbs + 10 + 16} `), own(mine));
    } finally {
      a.close();
      b.close();
    }
  }
  // Field names and order of another, idle client, and of a client in the middle of a command.
  const names = (line: string) => line.trim().split(" ").map((f) => f.slice(0, f.indexOf("=")));
  const [a, b] = await o.connectPair();
  const [x, y] = await o.connectPair();
  try {
    await a.call("CLIENT", "SETNAME", "idle");
    await b.call("CLIENT", "SETNAME", "idle");
    await a.send("*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nba");
    await b.send("*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nba");
    // Until each server has read the partial argument (a sleep could end first on a loaded box).
    const partial = async (c: RespClient) => {
      for (let i = 0;; i++) {
        const line = ((await c.value("CLIENT", "LIST")) as string).split("\n")
          .find((l) => l.includes("name=idle"))!;
        if (line.includes(" qbuf=2 ") || i > 500) return line;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const mine = await partial(x);
    const theirs = await partial(y);
    assertEquals(names(mine), names(theirs));
    // A quiet client's reply buffer shrinks to 1 KB (Redis's client cron): then
    // every buffer field and tot-mem are the same on both. Not rbp: the peak
    // restarts every 5 s on each server's own clock, so SETNAME's +OK (5) may
    // still count on one and not on the other.
    const settled = async (c: RespClient) => {
      for (let i = 0;; i++) {
        const line = ((await c.value("CLIENT", "LIST")) as string).split("\n")
          .find((l) => l.includes("name=idle"))!;
        if (line.includes(" rbs=1024 ") || i > 300) return line;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const buffers = (l: string) =>
      l.split(" ").filter((f) => /^(qbuf|qbuf-free|argv-mem|rbs|obl|oll|omem|tot-mem)=/.test(f));
    assertEquals(buffers(await settled(x)), buffers(await settled(y)));
    // The partial argument waits in the query buffer on both.
    assert(mine.includes(" qbuf=2 "), mine);
    assert(theirs.includes(" qbuf=2 "), theirs);
  } finally {
    for (const c of [a, b, x, y]) c.close();
  }
});

oracleTest("oracle: MEMORY STATS, DOCTOR, MALLOC-STATS, PURGE, HELP", async (o) => {
  await o.sameAll([
    ["SET", "a", "1"],
    ["SET", "b", "2", "EX", "100"],
    ["SELECT", "2"],
    ["SET", "c", "3"],
    ["SELECT", "0"],
    ["MEMORY", "PURGE"],
    ["MEMORY", "HELP"],
    ["MEMORY", "DOCTOR", "x"],
    ["MEMORY", "STATS", "x"],
    ["MEMORY", "NOSUCH"],
    ["MEMORY"],
  ]);
  const shape = (d: Decoded): Decoded => {
    if (Array.isArray(d)) return d.map(shape);
    if (d instanceof Map) return [...d].map(([k, v]) => [k, shape(v)]);
    return typeof d;
  };
  for (const resp of ["2", "3"]) {
    const [a, b] = await o.connectPair();
    try {
      await a.call("HELLO", resp);
      await b.call("HELLO", resp);
      const mine = await a.value("MEMORY", "STATS");
      const theirs = await b.value("MEMORY", "STATS");
      // Names in order, and the type of every value (integers and doubles alike).
      const names = (d: Decoded) =>
        d instanceof Map ? [...d.keys()] : (d as Decoded[]).filter((_, i) => i % 2 === 0);
      assertEquals(names(mine), names(theirs), `RESP${resp}`);
      assertEquals(shape(mine), shape(theirs), `RESP${resp}`);
    } finally {
      a.close();
      b.close();
    }
  }
  // A nearly empty instance: both decline to judge.
  const [m, t] = await both(o, "MEMORY", "DOCTOR");
  assert(t.startsWith("Hi Sam, this instance is empty"), t);
  assert(m.startsWith("Hi Sam, "), m);
  const malloc = (await o.redeno.value("MEMORY", "MALLOC-STATS")) as string;
  assertEquals(typeof malloc, "string");
});

oracleTest("oracle: INFO clients and stats count connections, reads and writes", async (o) => {
  const extra: RespClient[] = [];
  try {
    for (const server of [o.redenoServer, o.redisServer]) {
      extra.push(await RespClient.connect(server.port));
    }
    await Promise.all(extra.map((c) => c.call("PING")));
    const [mine, theirs] = await both(o, "INFO", "clients");
    assertEquals(
      valuesOf(mine).get("connected_clients"),
      valuesOf(theirs).get("connected_clients"),
    );
    const stats = valuesOf((await o.redeno.value("INFO", "stats")) as string);
    assert(Number(stats.get("total_reads_processed")) >= 2);
    assert(Number(stats.get("total_writes_processed")) >= 1);
  } finally {
    for (const c of extra) c.close();
  }
});

oracleTest(
  "oracle: a blocked client's buffers; replies before the blocking command go out",
  async (o) => {
    const [a, b] = await o.connectPair();
    try {
      const batch = "CLIENT SETNAME blk\r\nBLPOP nothere 0\r\n";
      await Promise.all([a.send(batch), b.send(batch)]);
      // The SETNAME reply arrives while BLPOP waits.
      assertEquals(await a.reply(), "+OK\r\n");
      assertEquals(await b.reply(), "+OK\r\n");
      const line = async (c: RespClient) =>
        ((await c.value("CLIENT", "LIST")) as string).split("\n").find((l) =>
          l.includes("name=blk")
        )!;
      const [mine, theirs] = await Promise.all([line(o.redeno), line(o.redis)]);
      const pick = (l: string) =>
        l.split(" ").filter((f) =>
          /^(flags|qbuf|qbuf-free|argv-mem|multi-mem|obl|oll|omem|cmd|db)=/.test(f)
        );
      assertEquals(pick(mine), pick(theirs));
      await o.sameAll([["RPUSH", "nothere", "x"]]);
      assertEquals(await a.reply(), await b.reply());
    } finally {
      a.close();
      b.close();
    }
  },
);
