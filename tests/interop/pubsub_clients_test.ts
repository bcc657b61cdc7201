/**
 * Pub/Sub through real clients, each scenario run against redis-server and
 * against redeno with the same results required: ioredis's and node-redis's
 * subscriber APIs (RESP2 and RESP3), redis-py's PubSub, and `redis-cli
 * subscribe` / `redis-cli --csv psubscribe` output. No message matches more
 * than one pattern, so the order of deliveries is Redis's documented one
 * (channel subscribers, then pattern subscribers) and not a hash order.
 */
import { Buffer } from "node:buffer";
import { assert, assertEquals } from "@std/assert";
import { createClient, Redis } from "../support/clients.ts";
import { plain, Results, sameOnRedisAndRedeno } from "../support/interop_results.ts";
import { samePythonResults } from "../support/python.ts";
import { redisTool, startRedeno, startRedis, type TestServer } from "../support/servers.ts";
import { RespClient } from "../support/resp_client.ts";

/** Polls `cond` until it holds; fails after 10 s (no sleeping and hoping). */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Polls until PUBSUB NUMSUB (or SHARDNUMSUB) `channel` on `port` counts `n`. */
async function untilSubscribed(
  port: number,
  channel: string,
  n: number,
  numsub = "NUMSUB",
): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    const want = `*2\r\n$${channel.length}\r\n${channel}\r\n:${n}\r\n`;
    await until(async () => (await c.call("PUBSUB", numsub, channel)) === want, `${channel}`);
  } finally {
    c.close();
  }
}

const MESSAGES = 6;

/** `p`, or a rejection after 5 s: a client call that never settles fails its step, not the suite. */
function within<T>(p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 5 s")), 5000);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

// ------------------------------------------------------------------ ioredis

function ioredis(port: number, protocol: 2 | 3): Redis {
  return new Redis({
    host: "127.0.0.1",
    port,
    protocol,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 10_000,
    lazyConnect: true,
  });
}

async function ioredisPubSub(port: number, protocol: 2 | 3): Promise<Results> {
  const out = new Results();
  const sub = ioredis(port, protocol);
  const pub = ioredis(port, protocol);
  const events: unknown[] = [];
  sub.on("message", (ch: string, msg: string) => events.push(["message", ch, msg]));
  sub.on("pmessage", (p: string, ch: string, msg: string) => events.push(["pmessage", p, ch, msg]));
  sub.on("smessage", (ch: string, msg: string) => events.push(["smessage", ch, msg]));
  sub.on("messageBuffer", (ch: Buffer, msg: Buffer) => {
    if (ch.toString("latin1") === "bin\xff") events.push(["messageBuffer", plain(msg)]);
  });
  try {
    await sub.connect();
    await pub.connect();
    await pub.flushall();
    await out.add("subscribe", within(sub.subscribe("news", Buffer.from("bin\xff", "latin1"))));
    await out.add("psubscribe", within(sub.psubscribe("n?ws*", "x*")));
    await out.add("ssubscribe", within(sub.ssubscribe("shard")));
    await out.add(
      "numsub",
      within(pub.pubsub("NUMSUB", "news", Buffer.from("bin\xff", "latin1"), "x")),
    );
    await out.add("numpat", within(pub.pubsub("NUMPAT")));
    await out.add("shardnumsub", within(pub.pubsub("SHARDNUMSUB", "shard")));
    await out.add("channels", within(pub.pubsub("CHANNELS").then((c) => (c as string[]).sort())));
    await out.add("publish news", within(pub.publish("news", "hello"))); // news + n?ws*
    await out.add("publish nowhere", within(pub.publish("nowhere", "x")));
    await out.add("publish x1", within(pub.publish("x1", "héllo")));
    await out.add(
      "publish binary",
      within(pub.publish(Buffer.from("bin\xff", "latin1"), Buffer.from([0, 255, 13, 10]))),
    );
    await out.add("spublish", within(pub.spublish("shard", "to the shard")));
    await until(() => events.length >= MESSAGES, `ioredis messages ${JSON.stringify(events)}`);
    out.items.push(["events", [...events]]);
    // RESP2: the client refuses other commands itself; RESP3 sends them.
    await out.add("get while subscribed", within(sub.get("k")));
    await out.add("ping while subscribed", within(sub.ping()));
    await out.add("unsubscribe news", within(sub.unsubscribe("news")));
    // (ioredis waits forever on an unsubscribe-all from names it never
    // subscribed, on Redis as well: names are given.)
    await out.add("punsubscribe", within(sub.punsubscribe("n?ws*", "x*")));
    await out.add("sunsubscribe", within(sub.sunsubscribe("shard")));
    await out.add("publish after", within(pub.publish("news", "gone")));
    await out.add("unsubscribe all", within(sub.unsubscribe()));
    await out.add("set after", within(sub.set("k", "v")));
    await out.add("get after", within(sub.get("k")));
    out.items.push(["events after", events.slice(MESSAGES)]);
  } finally {
    sub.disconnect();
    pub.disconnect();
  }
  return out;
}

/**
 * Keyspace notifications as applications use them through ioredis: a
 * subscriber on a key's keyspace channel and on the expired keyevent
 * channel, while another connection writes and a key expires on its own
 * (active expiry: the test waits for the event, never for a time).
 */
async function ioredisKeyspaceEvents(port: number): Promise<Results> {
  const out = new Results();
  const sub = ioredis(port, 2);
  const app = ioredis(port, 2);
  const events: string[][] = [];
  sub.on("pmessage", (_p: string, ch: string, msg: string) => events.push([ch, msg]));
  sub.on("message", (ch: string, msg: string) => events.push([ch, msg]));
  try {
    await sub.connect();
    await app.connect();
    await app.flushall();
    await out.add("config set", within(app.config("SET", "notify-keyspace-events", "KEA")));
    await out.add("config get", within(app.config("GET", "notify-keyspace-events")));
    await out.add("psubscribe", within(sub.psubscribe("__keyspace@0__:session:*")));
    await out.add("subscribe", within(sub.subscribe("__keyevent@0__:expired")));
    await app.set("session:1", "alice", "EX", 100);
    await app.hset("session:2", "user", "bob");
    await app.expire("session:2", 100);
    await app.persist("session:2");
    await app.del("session:1", "session:2");
    await until(() => events.length >= 7, `keyspace events ${JSON.stringify(events)}`);
    out.items.push(["write events", events.splice(0)]);
    await app.set("session:3", "carol", "PX", 1);
    await until(() => events.length >= 4, `expiry events ${JSON.stringify(events)}`);
    out.items.push(["expiry events", events.splice(0)]);
  } finally {
    sub.disconnect();
    app.disconnect();
  }
  return out;
}

Deno.test({
  name: "ioredis keyspace notifications (writes and active expiry) as on Redis",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => sameOnRedisAndRedeno((s) => ioredisKeyspaceEvents(s.port)),
});

for (const protocol of [2, 3] as const) {
  Deno.test({
    name: `ioredis (RESP${protocol}) subscriber API as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((s) => ioredisPubSub(s.port, protocol)),
  });
}

// --------------------------------------------------------------- node-redis

async function nodeRedisPubSub(port: number, resp: 2 | 3): Promise<Results> {
  const out = new Results();
  const c = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: false },
    RESP: resp,
  });
  c.on("error", () => {});
  await c.connect();
  const sub = c.duplicate();
  sub.on("error", () => {});
  await sub.connect();
  const events: unknown[] = [];
  try {
    await c.flushAll();
    await out.add(
      "subscribe",
      sub.subscribe(["news", "other"], (msg, ch) => events.push(["message", ch, msg])),
    );
    await out.add(
      "subscribe binary",
      sub.subscribe("bin", (msg, ch) => events.push(["buffer", plain(ch), plain(msg)]), true),
    );
    await out.add("pSubscribe", sub.pSubscribe("x*", (msg, ch) => events.push(["p", ch, msg])));
    await out.add("sSubscribe", sub.sSubscribe("shard", (msg, ch) => events.push(["s", ch, msg])));
    await out.add("pubSubNumSub", c.pubSubNumSub(["news", "bin", "none"]));
    await out.add("pubSubNumPat", c.pubSubNumPat());
    await out.add("pubSubShardNumSub", c.pubSubShardNumSub(["shard"]));
    await out.add("pubSubChannels", c.pubSubChannels().then((l) => [...l].sort()));
    await out.add("pubSubShardChannels", c.pubSubShardChannels());
    await out.add("publish news", c.publish("news", "hello"));
    await out.add("publish other", c.publish("other", ""));
    await out.add("publish x", c.publish("xyz", "pattern"));
    await out.add("publish bin", c.publish("bin", Buffer.from([0, 255, 13, 10])));
    await out.add("sPublish", c.sPublish("shard", "sharded"));
    await out.add("publish none", c.publish("none", "x"));
    await until(() => events.length >= 5, "node-redis messages");
    out.items.push(["events", [...events]]);
    await out.add("unsubscribe news", sub.unsubscribe("news"));
    await out.add("pUnsubscribe", sub.pUnsubscribe());
    await out.add("sUnsubscribe", sub.sUnsubscribe("shard"));
    await out.add("numsub after", c.pubSubNumSub(["news", "other"]));
    await out.add("unsubscribe all", sub.unsubscribe());
    await out.add("numpat after", c.pubSubNumPat());
    await out.add("publish after", c.publish("other", "gone"));
    // Subscriber mode is over: ordinary commands run again.
    await out.add("set after", sub.set("k", "v"));
    await out.add("get after", sub.get("k"));
    out.items.push(["events after", events.slice(5)]);
  } finally {
    await sub.close().catch(() => {});
    await c.close().catch(() => {});
  }
  return out;
}

for (const resp of [2, 3] as const) {
  Deno.test({
    name: `node-redis (RESP${resp}) subscriber API as on Redis`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => sameOnRedisAndRedeno((s) => nodeRedisPubSub(s.port, resp)),
  });
}

// ---------------------------------------------------------------- redis-py

const PYTHON_PUBSUB = String.raw`
p = r.pubsub()
def msgs(n):
    got = []
    deadline = time.time() + 10
    while len(got) < n and time.time() < deadline:
        m = p.get_message(timeout=1)
        if m is not None:
            got.append(m)
    return [[m["type"], m["pattern"], m["channel"], m["data"]] for m in got]

p.subscribe("news", b"\x00bin\xff")
p.psubscribe("x*")
rec("confirmations", lambda: msgs(3))
rec("numsub", lambda: r.pubsub_numsub("news", "nope"))
rec("numpat", lambda: r.pubsub_numpat())
rec("channels", lambda: sorted(r.pubsub_channels()))
rec("channels pattern", lambda: r.pubsub_channels("n*"))
rec("publish news", lambda: r.publish("news", "hello"))
rec("publish binary", lambda: r.publish(b"\x00bin\xff", b"\r\n\x00\xff"))
rec("publish pattern", lambda: r.publish("xyz", "p"))
rec("publish none", lambda: r.publish("none", "p"))
rec("messages", lambda: msgs(3))
p.unsubscribe("news")
p.punsubscribe()
rec("unsubscribed", lambda: msgs(2))
rec("ping", lambda: (p.ping("hi"), msgs(1))[1])
p.unsubscribe()
rec("last", lambda: msgs(1))

# A handler thread, as applications run it.
got = []
q = r.pubsub(ignore_subscribe_messages=True)
q.subscribe(**{"chan": lambda m: got.append([m["channel"], m["data"]])})
t = q.run_in_thread(sleep_time=0.01)
for _ in range(1000):
    if r.pubsub_numsub("chan")[0][1] == 1:
        break
    time.sleep(0.01)
for i in range(5):
    r.publish("chan", "m%d" % i)
for _ in range(1000):
    if len(got) == 5:
        break
    time.sleep(0.01)
t.stop()
rec("thread", lambda: got)
`;

Deno.test({
  name: "redis-py PubSub as on Redis",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => samePythonResults(PYTHON_PUBSUB),
});

// ---------------------------------------------------------------- redis-cli

/**
 * Runs `redis-cli <args>` (a subscribe command) against `server`, publishes
 * `messages` once it is subscribed to `channel`, and kills it once its
 * output holds the last message; returns everything it printed.
 */
async function cliSubscriber(
  cli: string,
  server: TestServer,
  args: string[],
  channel: string,
  messages: [string, string][],
): Promise<string> {
  const child = new Deno.Command(cli, {
    args: ["-h", "127.0.0.1", "-p", String(server.port), ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const reader = child.stdout.getReader();
  const reading = (async () => {
    const dec = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += dec.decode(value, { stream: true });
    }
  })();
  try {
    const pub = await RespClient.connect(server.port);
    try {
      // A pattern subscription counts in NUMPAT, a channel in NUMSUB, a shard channel in SHARDNUMSUB.
      const shard = args.includes("ssubscribe");
      if (args.includes("psubscribe")) {
        await until(async () => (await pub.call("PUBSUB", "NUMPAT")) === ":1\r\n", "psubscribe");
      } else {
        await untilSubscribed(server.port, channel, 1, shard ? "SHARDNUMSUB" : "NUMSUB");
      }
      for (const [ch, msg] of messages) await pub.call(shard ? "SPUBLISH" : "PUBLISH", ch, msg);
    } finally {
      pub.close();
    }
    const last = messages[messages.length - 1][1];
    await until(() => text.includes(last), `redis-cli printing ${last}`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
    await reading.catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
  return text;
}

Deno.test({
  name:
    "redis-cli subscribe, --csv psubscribe, -3 psubscribe and ssubscribe print the same as on Redis",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const cli = redisTool("redis-cli");
    if (!cli) return;
    const redis = await startRedis();
    if (!redis) return;
    const redeno = await startRedeno();
    try {
      const cases: [string[], string, [string, string][]][] = [
        [["subscribe", "news", "other"], "news", [
          ["news", "hello world"],
          ["other", ""],
          ["news", 'with "quotes", commas\nand a newline'],
          ["news", "the end"],
        ]],
        [["--csv", "psubscribe", "n*"], "n*", [
          ["news", "hello"],
          ["nothing", 'a "quoted", value'],
          ["other", "not matched"],
          ["n", "the end"],
        ]],
        [["--no-raw", "subscribe", "ch"], "ch", [["ch", "x\x01y"], ["ch", "the end"]]],
        [["-3", "--no-raw", "psubscribe", "c?"], "c?", [["ch", "resp3"], ["cx", "the end"]]],
        [["-3", "ssubscribe", "s"], "s", [["s", "sharded"], ["s", "the end"]]],
      ];
      for (const [args, channel, messages] of cases) {
        const theirs = await cliSubscriber(cli, redis, args, channel, messages);
        const mine = await cliSubscriber(cli, redeno, args, channel, messages);
        assertEquals(mine, theirs, `redis-cli ${args.join(" ")}`);
        assert(theirs.includes("the end"));
      }
    } finally {
      await Promise.all([redis.stop(), redeno.stop()]);
    }
  },
});
