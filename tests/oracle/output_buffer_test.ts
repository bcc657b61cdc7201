/**
 * client-output-buffer-limit against redis-server: the option's CONFIG
 * GET / SET forms and errors, command-line and config-file forms, replies
 * and messages over a hard limit (the client is closed before anything is
 * sent), a subscriber that stops reading (dropped, logged, while the
 * publisher and the other subscriber get everything, redeno's RSS bounded),
 * and the counting of a backlog (CLIENT LIST omem/oll/tot-mem, INFO
 * mem_clients_normal, client_recent_max_output_buffer).
 */
import { assert, assertEquals } from "@std/assert";
import { oracleTest } from "../support/oracle.ts";
import { decode, parseInfo, RespClient } from "../support/resp_client.ts";
import {
  freePort,
  redisServerPath,
  signal,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";
import { rssOf, slowSubscriberRun } from "../../scripts/slow_subscriber.ts";

const OPTION = "client-output-buffer-limit";

/** CONFIG SET values tried on both servers (each followed by CONFIG GET). */
const SET_VALUES = [
  "normal 0 0 0",
  "replica 1mb 1mb 1",
  "slave 256mb 64mb 60",
  "pubsub 32mb 8mb 60",
  "master 1 1 1",
  "NORMAL 1 1 1",
  "Pubsub 1 1 1",
  "bogus 1 1 1",
  "normal 1 1",
  "normal 1 1 1 pubsub 2 2 2",
  "normal -1 1 1",
  "normal 1 -1 1",
  "normal 1 1 -1",
  "normal 1 1 abc",
  "normal 1 1 ",
  "normal abc 1 1",
  "normal 1.5mb 1 1",
  "normal 1 1 2147483648",
  "normal 1 1 4294967297",
  "normal 1 1  5",
  "normal 1 1 +5",
  "normal 1 1 1.5",
  "normal 18446744073709551615 1 1",
  "normal 18446744073709551616 1 1",
  "normal 18446744073709551615kb 1 1",
  "normal 1 1 1 replica 2 2 2 pubsub 3 3 3",
  "pubsub 1 1 1 pubsub 2 2 2",
  "normal 1 1 1 bogus 2 2 2",
  "normal 1 1 1 pubsub 2 2",
  "normal kb mb 0",
  "normal 1 1 9223372036854775808",
  "normal 1KB 1Gb 0",
  "",
  " normal 1 1 1",
  "normal  1 1 1",
  "normal 1 1 1 ",
  "normal 1 1 0x10",
  "normal 1 1 010",
  "normal 1 1 -0",
  "normal 1k 1g 0",
  "normal 1b 2B 3",
  "normal 1x 1 1",
  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
];

oracleTest("client-output-buffer-limit: default, CONFIG SET forms and errors", async (o) => {
  await o.same("CONFIG", "GET", OPTION);
  await o.same("CONFIG", "GET", "client-output-*");
  for (const v of SET_VALUES) {
    await o.same("CONFIG", "SET", OPTION, v);
    await o.same("CONFIG", "GET", OPTION);
  }
  // With another option: all or nothing.
  await o.same("CONFIG", "SET", OPTION, "pubsub 1 2 3", "timeout", "x");
  await o.same("CONFIG", "SET", "timeout", "0", OPTION, "pubsub 1 2 3");
  await o.same("CONFIG", "GET", OPTION);
});

oracleTest(
  "client-output-buffer-limit: command-line groups, one class at a time",
  async (o) => {
    await o.same("CONFIG", "GET", OPTION);
  },
  {
    args: [
      "--client-output-buffer-limit",
      "pubsub 1mb 2mb 3",
      "--client-output-buffer-limit",
      "replica",
      "1",
      "1",
      "1",
    ],
  },
);

/** redeno or redis-server started with a config file (and the test defaults after it). */
function spawnWithFile(kind: "redeno" | "redis", file: string, port: number): Deno.ChildProcess {
  const rest = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const [bin, pre] = kind === "redeno"
    ? [Deno.execPath(), ["run", "-A", new URL("../../main.ts", import.meta.url).pathname]]
    : [redisServerPath()!, []];
  return new Deno.Command(bin, {
    args: [...pre, file, ...rest],
    cwd: Deno.makeTempDirSync({ prefix: "obuf-" }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** CONFIG GET of the option on a server started with `file`, or its output when it exits. */
async function startedWith(
  kind: "redeno" | "redis",
  file: string,
): Promise<{ value: string } | { code: number; output: string }> {
  const port = freePort();
  const child = spawnWithFile(kind, file, port);
  const out = child.output();
  let exited = false;
  out.then(() => (exited = true));
  for (let i = 0; i < 400 && !exited; i++) {
    try {
      const c = await RespClient.connect(port);
      const value = await c.call("CONFIG", "GET", OPTION);
      c.close();
      signal(child, "SIGKILL");
      await out;
      return { value };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const o = await out;
  const dec = new TextDecoder();
  return { code: o.code, output: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

Deno.test("client-output-buffer-limit: config file lines and start-up errors", async () => {
  if (!redisServerPath()) return;
  const dir = Deno.makeTempDirSync({ prefix: "obuf-conf-" });
  const cases: { lines: string; error?: string }[] = [
    {
      lines: "client-output-buffer-limit pubsub 1mb 2mb 3\nclient-output-buffer-limit normal 5 6 7",
    },
    { lines: 'client-output-buffer-limit "pubsub  1mb 2mb 3"' },
    { lines: "client-output-buffer-limit" },
    { lines: 'client-output-buffer-limit "   "' },
    { lines: 'client-output-buffer-limit ""', error: "Wrong number of arguments" },
    { lines: "client-output-buffer-limit pubsub", error: "Wrong number of arguments" },
    { lines: "client-output-buffer-limit pubsub 1mb 2mb", error: "Wrong number of arguments" },
    { lines: "client-output-buffer-limit master 1 1 1", error: "Invalid client class" },
    { lines: "client-output-buffer-limit normal 1 1 x", error: "Error in hard, soft" },
  ];
  for (const [i, { lines, error }] of cases.entries()) {
    const file = `${dir}/c${i}.conf`;
    Deno.writeTextFileSync(file, lines + "\n");
    const mine = await startedWith("redeno", file);
    const theirs = await startedWith("redis", file);
    if (!error) {
      assertEquals(mine, theirs, lines);
      continue;
    }
    // Both refuse to start, quoting the line and giving Redis's reason.
    assert("code" in mine && mine.code !== 0, `redeno refused ${lines}: ${JSON.stringify(mine)}`);
    assert("code" in theirs && theirs.code !== 0, `redis refused ${lines}`);
    const tail = (t: string) =>
      t.split("\n").filter((l) => l.startsWith(">>>") || l.includes(error));
    assertEquals(tail(mine.output), tail(theirs.output), lines);
  }
});

oracleTest(
  "a reply over the normal class's hard limit closes the client before it is sent",
  async (o) => {
    const big = "v".repeat(2 * 1024 * 1024);
    await o.same("SET", "big", big);
    await o.same("SET", "small", "v".repeat(300 * 1024));
    await o.same("CONFIG", "SET", OPTION, "normal 1mb 0 0");
    // Over the limit: nothing at all, then EOF; under it, the reply.
    const over = await o.sameRaw("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n");
    assertEquals(over, { data: "", closed: true });
    const under = await o.sameRaw("*2\r\n$3\r\nGET\r\n$5\r\nsmall\r\n");
    assertEquals(under.closed, false);
    // Replies of a pipeline add up (the limit is checked as they are added).
    const pipeline = "*2\r\n$3\r\nGET\r\n$5\r\nsmall\r\n".repeat(5);
    assertEquals(await o.sameRaw(pipeline), { data: "", closed: true });
    // A subscriber is of class pubsub: the normal limit does not apply to it.
    await o.same("CONFIG", "SET", OPTION, "normal 0 0 0 pubsub 1mb 0 0");
    assertEquals((await o.sameRaw(pipeline)).closed, false);
  },
);

oracleTest(
  "a MONITOR that stops reading is of the normal class and meets its limits",
  async (o) => {
    await o.same("CONFIG", "SET", OPTION, "normal 1mb 0 0");
    const [a, b] = await o.connectPair();
    try {
      for (const m of [a, b]) assertEquals(await m.call("MONITOR"), "+OK\r\n");
      // 300 lines of 64 KB (19 MB): more than the socket takes and the limit together.
      const value = "v".repeat(65536);
      for (let i = 0; i < 300; i++) await o.same("SET", "k", value);
      const [da, db] = await Promise.all([a.drain(1000), b.drain(1000)]);
      assert(da.closed && db.closed, "both monitors were dropped");
      for (const d of [da, db]) {
        assert(
          d.data.length < 300 * 65536,
          "after fewer lines than were sent",
        );
      }
      // The client that ran the commands got every reply and goes on.
      await o.same("GET", "k");
    } finally {
      a.close();
      b.close();
    }
  },
);

oracleTest("a message over the pubsub hard limit drops the subscriber at once", async (o) => {
  await o.same("CONFIG", "SET", OPTION, "pubsub 100kb 0 0");
  const [a, b] = await o.connectPair();
  const [a2, b2] = await o.connectPair();
  try {
    for (const c of [a, b]) await c.call("SUBSCRIBE", "ch");
    // A RESP3 subscriber too (Redis's CLIENT_PUBSUB does not depend on the protocol).
    for (const c of [a2, b2]) {
      await c.call("HELLO", "3");
      await c.call("SUBSCRIBE", "ch");
    }
    await o.same("PUBLISH", "ch", "small");
    assertEquals(...(await Promise.all([a.reply(), b.reply()])));
    assertEquals(...(await Promise.all([a2.reply(), b2.reply()])));
    // The message goes beyond the buffer and over the limit: both are closed unsent.
    await o.same("PUBLISH", "ch", "m".repeat(200 * 1024));
    // drain returns at the close; a long quiet bound, as a loaded box may close late.
    const [da, db] = await Promise.all([a.drain(10_000), b.drain(10_000)]);
    assertEquals(da, db);
    assertEquals(da, { data: "", closed: true });
    assertEquals(...(await Promise.all([a2.drain(), b2.drain()])));
    // Dropped before the next command: nobody receives any more.
    await o.same("PUBLISH", "ch", "after");
    await o.same("PUBSUB", "NUMSUB", "ch");
  } finally {
    for (const c of [a, b, a2, b2]) c.close();
  }
});

/** Starts redeno or redis-server logging to a file; null when redis-server is missing. */
async function startLogging(
  kind: "redeno" | "redis",
  args: string[],
): Promise<{ server: TestServer; log: string } | null> {
  const dir = Deno.makeTempDirSync({ prefix: `obuf-${kind}-` });
  const log = `${dir}/server.log`;
  const opts = { dir, args: [...args, "--logfile", log] };
  const server = kind === "redeno" ? await startRedeno(opts) : await startRedis(opts);
  return server ? { server, log } : null;
}

/** The drop's log line: from the output path ("scheduled ... ASAP") or, as in Redis, the client cron. */
const DROP_LINE =
  /Client (id=.*) (?:scheduled to be closed ASAP|closed) for overcoming of output buffer limits\.$/m;

/** Field -> value of a client info string. */
function clientFields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of info.trim().split(" ")) {
    const i = f.indexOf("=");
    out.set(f.slice(0, i), f.slice(i + 1));
  }
  return out;
}

Deno.test("a subscriber that stops reading is dropped; the publisher and the other subscriber go on", async () => {
  const HARD = 4 * 1024 * 1024;
  const logged: Map<string, string>[] = [];
  for (const kind of ["redeno", "redis"] as const) {
    const started = await startLogging(kind, [
      "--client-output-buffer-limit",
      "pubsub 4mb 2mb 60",
    ]);
    if (!started) return;
    const { server, log } = started;
    try {
      const before = rssOf(server.process.pid);
      // 64 KB messages until the stalled one is dropped, then 1000 more (64 MB).
      const r = await slowSubscriberRun(server.port, {
        size: 65536,
        max: 20000,
        stopAfterDrop: 1000,
        stalled: true,
      });
      const after = rssOf(server.process.pid);
      const what = `${kind}: ${JSON.stringify(r)}`;
      assert(r.droppedAfter > 0, `${what}: the stalled subscriber was dropped`);
      assertEquals(r.published, r.droppedAfter + 1000, what);
      assertEquals(
        r.readerBytes,
        r.published * r.frameBytes,
        `${what}: the reader got every message`,
      );
      assert(r.stalledEof, `${what}: the stalled subscriber saw EOF`);
      assert(
        r.stalledBytes < r.droppedAfter * r.frameBytes,
        `${what}: it got less than was published`,
      );
      const line = DROP_LINE.exec(Deno.readTextFileSync(log));
      assert(line, `${kind} logged the drop`);
      logged.push(clientFields(line[1]));
      if (kind === "redeno") {
        // Bounded: the limit plus a fixed margin (the runtime's own growth
        // while 64 MB of messages went through), not the 64 MB published after the drop.
        const grown = after.peak - before.rss;
        assert(grown < HARD + 48 * 1024 * 1024, `redeno's RSS grew by ${grown} bytes`);
      }
    } finally {
      await server.stop();
    }
  }
  // Redis's client info string, with the fields that do not depend on timing equal.
  const [mine, theirs] = logged;
  assertEquals([...mine.keys()], [...theirs.keys()]);
  for (const f of ["flags", "db", "sub", "psub", "ssub", "multi", "cmd", "user", "resp"]) {
    assertEquals(mine.get(f), theirs.get(f), f);
  }
  for (const fields of logged) assert(Number(fields.get("omem")) >= HARD, "omem over the limit");
});

Deno.test("a subscriber over the soft limit for longer than its seconds is dropped", async () => {
  for (const kind of ["redeno", "redis"] as const) {
    // No hard limit: only the soft one (1 MB for more than 1 second) can drop it.
    const started = await startLogging(kind, ["--client-output-buffer-limit", "pubsub 0 1mb 1"]);
    if (!started) return;
    const { server, log } = started;
    try {
      // 16 KB messages at a walking pace, until the stalled one is dropped.
      const r = await slowSubscriberRun(server.port, {
        size: 16384,
        max: 100000,
        stopAfterDrop: 10,
        stalled: true,
        pauseMs: 5,
      });
      const what = `${kind}: ${JSON.stringify(r)}`;
      assert(r.droppedAfter > 0, `${what}: dropped`);
      assertEquals(
        r.readerBytes,
        r.published * r.frameBytes,
        `${what}: the reader got every message`,
      );
      assert(r.stalledEof && r.stalledBytes < r.droppedAfter * r.frameBytes, what);
      const line = DROP_LINE.exec(Deno.readTextFileSync(log));
      assert(line, `${kind} logged the drop`);
      // Dropped by the soft limit: somewhere past 1 MB, far below what was published.
      const omem = Number(clientFields(line[1]).get("omem"));
      assert(omem >= 1024 * 1024 && omem < r.droppedAfter * r.frameBytes, `${what}: omem ${omem}`);
    } finally {
      await server.stop();
    }
  }
});

oracleTest("CLIENT INFO counts replies not yet sent as Redis's reply list", async (o) => {
  // [replies, bytes each]; each pipeline stays under 1 KB (one read on both servers).
  const small = [[10, 10000], [35, 3000], [30, 1000], [6, 16000], [3, 100]];
  const large = [[1, 100000], [5, 30000]];
  const key = (size: number, i: number) => `${size}:${i}`;
  for (const [n, size] of [...small, ...large]) {
    for (let i = 0; i < n; i++) await o.same("SET", key(size, i), "x".repeat(size));
  }
  // A pipeline's replies wait in the buffer and the reply list until its
  // last command, CLIENT INFO, has run: the same bytes on both servers.
  const pipelined = async (n: number, size: number): Promise<Map<string, string>[]> => {
    const [a, b] = await o.connectPair();
    const cmds = [...Array.from({ length: n }, (_, i) => ["GET", key(size, i)]), [
      "CLIENT",
      "INFO",
    ]];
    const replies = await Promise.all([a.pipeline(cmds), b.pipeline(cmds)]);
    a.close();
    b.close();
    return replies.map((r) => clientFields(decode(r[n]) as string));
  };
  // Not rbp: each server's client cron restarts a connection's reply peak at no fixed time.
  const FIELDS = ["qbuf", "rbs", "obl", "oll", "omem", "tot-mem", "events"];
  // Replies of up to 16 KB fill 16 KB blocks (20 KB with the allocator's rounding) as Redis's do.
  for (const [n, size] of small) {
    const [mine, theirs] = await pipelined(n, size);
    assertEquals(
      FIELDS.map((f) => mine.get(f)),
      FIELDS.map((f) => theirs.get(f)),
      `${n} replies of ${size}`,
    );
  }
  // A larger reply gets a block of its own size in Redis: counted within a block per reply here.
  for (const [n, size] of large) {
    const [mine, theirs] = await pipelined(n, size);
    const [m, t] = [Number(mine.get("omem")), Number(theirs.get("omem"))];
    assert(Number(mine.get("oll")) >= 1 && Math.abs(m - t) <= n * 20504, `omem ${m} vs ${t}`);
  }
});

oracleTest("CLIENT LIST and INFO count a subscriber's backlog", async (o) => {
  await o.same("CONFIG", "SET", OPTION, "pubsub 0 0 0");
  const [a, b] = await o.connectPair();
  try {
    for (const c of [a, b]) await c.call("SUBSCRIBE", "ch");
    // 200 messages of 64 KB (13 MB) that nobody reads: the socket takes a
    // few MB, the rest waits in the server.
    const payload = "p".repeat(65536);
    for (let i = 0; i < 200; i++) await o.same("PUBLISH", "ch", payload);
    const frame = `*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$65536\r\n${payload}\r\n`.length;
    const published = 200 * frame;
    const omem: number[] = [];
    const events: string[] = [];
    for (const c of [o.redeno, o.redis]) {
      const list = (await c.value("CLIENT", "LIST")) as string;
      const sub = clientFields(list.split("\n").find((l) => l.includes("flags=P"))!);
      const mem = Number(sub.get("omem"));
      const oll = Number(sub.get("oll"));
      assert(oll > 0 && mem > 0, `a backlog: ${list}`);
      // Blocks of at least 16 KB, each with its room and list overhead counted.
      assert(mem / oll >= 16384 && mem <= published + oll * 16384, `omem ${mem} oll ${oll}`);
      assert(Number(sub.get("tot-mem")) > mem, "tot-mem includes omem");
      events.push(sub.get("events")!);
      // Redis adds a client's memory to mem_clients_normal from its cron: polled.
      let clientsMem = 0;
      for (let i = 0; i < 100 && clientsMem <= mem; i++) {
        const info = parseInfo((await c.value("INFO", "memory")) as string);
        clientsMem = Number(info.get("mem_clients_normal"));
        if (clientsMem <= mem) await new Promise((r) => setTimeout(r, 50));
      }
      assert(clientsMem > mem, `mem_clients_normal ${clientsMem} includes omem ${mem}`);
      // The client cron records the largest output buffer of the last seconds.
      let recent = 0;
      for (let i = 0; i < 100 && recent < mem; i++) {
        const clients = parseInfo((await c.value("INFO", "clients")) as string);
        recent = Number(clients.get("client_recent_max_output_buffer"));
        if (recent < mem) await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(recent, mem, "client_recent_max_output_buffer");
      omem.push(mem);
    }
    // The socket took about as much on both: the backlogs agree within a few blocks per MB.
    assert(
      Math.abs(omem[0] - omem[1]) < published * 0.1,
      `omem redeno ${omem[0]}, redis ${omem[1]}`,
    );
    // Both wait for the socket to take more.
    assertEquals(events, ["rw", "rw"]);
    // Once read, nothing waits.
    const [da, db] = await Promise.all([a.drain(1000), b.drain(1000)]);
    assertEquals(da.data.length, published);
    assertEquals(db.data.length, published);
    for (const c of [o.redeno, o.redis]) {
      const list = (await c.value("CLIENT", "LIST")) as string;
      const sub = clientFields(list.split("\n").find((l) => l.includes("flags=P"))!);
      assertEquals([sub.get("oll"), sub.get("omem"), sub.get("events")], ["0", "0", "r"]);
    }
  } finally {
    a.close();
    b.close();
  }
});
