/**
 * Pub/Sub against Redis 7.0.15, byte for byte: a subscriber connection on
 * each server gets the same commands, and everything it receives (its
 * confirmations, messages, errors, in RESP2 and as RESP3 pushes) is
 * compared frame by frame. A PING with a unique argument ends each step:
 * its reply is the last frame of the step on both servers, so no test
 * waits for silence.
 *
 * Where Redis's order is a hash table's (unsubscribe-all of several names,
 * PUBSUB CHANNELS, a message matching several patterns) the frames are
 * compared as sets, as each test says.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import {
  decode,
  type Decoded,
  encodeCommands,
  parseInfo,
  RespClient,
} from "../support/resp_client.ts";

let markers = 0;

/** Is `raw` the reply to `PING marker` (a bulk, or RESP2 subscriber mode's pong array)? */
function isMarker(raw: string, marker: string): boolean {
  const bulk = `$${marker.length}\r\n${marker}\r\n`;
  return raw === bulk || raw === `*2\r\n$4\r\npong\r\n${bulk}`;
}

/**
 * Sends `cmds` pipelined, then a PING with a fresh marker, and returns every
 * frame received before the marker's reply (which ends the step).
 */
async function step(c: RespClient, cmds: string[][]): Promise<string[]> {
  const marker = `marker:${++markers}`;
  await c.send(encodeCommands([...cmds, ["PING", marker]]));
  const frames: string[] = [];
  // A server that never answers the marker fails the step instead of hanging the suite.
  const timer = setTimeout(() => c.close(), 10_000);
  try {
    for (;;) {
      const raw = await c.reply();
      if (isMarker(raw, marker)) return frames;
      frames.push(raw);
    }
  } catch (e) {
    throw new Error(`no marker after ${JSON.stringify(frames)}: ${e}`);
  } finally {
    clearTimeout(timer);
  }
}

/** A connection to each server that receives the same commands. */
class Twin {
  private constructor(readonly mine: RespClient, readonly theirs: RespClient) {}

  /** Fresh connections, switched to `resp` (HELLO's reply differs by id and is not compared). */
  static async open(o: Oracle, resp: 2 | 3 = 2): Promise<Twin> {
    const [a, b] = await o.connectPair();
    if (resp === 3) await Promise.all([a.call("HELLO", "3"), b.call("HELLO", "3")]);
    return new Twin(a, b);
  }

  /** Runs a step (see `step`) on both; asserts the same frames; returns Redis's. */
  async same(cmds: string[][], what = JSON.stringify(cmds)): Promise<string[]> {
    const [a, b] = await Promise.all([step(this.mine, cmds), step(this.theirs, cmds)]);
    assertEquals(a, b, what);
    return b;
  }

  /** Runs a step on both; the same frames in any order (Redis's order is a hash table's). */
  async sameUnordered(cmds: string[][], what = JSON.stringify(cmds)): Promise<string[]> {
    const [a, b] = await Promise.all([step(this.mine, cmds), step(this.theirs, cmds)]);
    assertEquals([...a].sort(), [...b].sort(), what);
    return b;
  }

  /** Both sides' raw frames of a step, uncompared. */
  async both(cmds: string[][]): Promise<[string[], string[]]> {
    return await Promise.all([step(this.mine, cmds), step(this.theirs, cmds)]);
  }

  close(): void {
    this.mine.close();
    this.theirs.close();
  }
}

/**
 * Unsubscribe-all confirmations come in hash order, with counts counting
 * down: the counts must come in the same order, the names as a set.
 */
function assertSameUnsubscribeAll(a: string[], b: string[], what: string): void {
  const shape = (frames: string[]) =>
    frames.map((f) => {
      const [kind, , count] = decode(f) as [string, string, number];
      return `${f[0]}${kind}:${count}`;
    });
  const names = (frames: string[]) => frames.map((f) => (decode(f) as string[])[1]).sort();
  assertEquals(shape(a), shape(b), `${what}: shapes and counts`);
  assertEquals(names(a), names(b), `${what}: names`);
}

for (const resp of [2, 3] as const) {
  oracleTest(`oracle: pubsub confirmations and counts (RESP${resp})`, async (o) => {
    const t = await Twin.open(o, resp);
    try {
      await t.same([["UNSUBSCRIBE"]]);
      await t.same([["PUNSUBSCRIBE"]]);
      await t.same([["SUNSUBSCRIBE"]]);
      await t.same([["UNSUBSCRIBE", "never"]]);
      await t.same([["PUNSUBSCRIBE", "never*"]]);
      await t.same([["SUNSUBSCRIBE", "never"]]);
      await t.same([["SUBSCRIBE", "a", "b", "a"]]);
      await t.same([["SUBSCRIBE", "b"]]);
      await t.same([["PSUBSCRIBE", "p*", "q?", "p*"]]);
      // Shard counts are shard-only; classic counts are channels + patterns.
      await t.same([["SSUBSCRIBE", "s1", "s2", "s1"]]);
      await t.same([["SUBSCRIBE", "c"]]);
      await t.same([["UNSUBSCRIBE", "a", "a", "zz"]]);
      await t.same([["PUNSUBSCRIBE", "q?", "nope"]]);
      await t.same([["SUNSUBSCRIBE", "s2", "s2"]]);
      // One name left of each kind: unsubscribe-all has a single, ordered frame.
      await t.same([["UNSUBSCRIBE", "b"]]);
      await t.same([["UNSUBSCRIBE"]]);
      await t.same([["UNSUBSCRIBE"]]);
      await t.same([["PUNSUBSCRIBE"]]);
      await t.same([["PUNSUBSCRIBE"]]);
      await t.same([["SUNSUBSCRIBE"]]);
      await t.same([["SUNSUBSCRIBE"]]);
      // Several names: hash order in Redis.
      await t.same([["SUBSCRIBE", "x1", "x2", "x3", "x4"], ["PSUBSCRIBE", "y1", "y2", "y3"]]);
      await t.same([["SSUBSCRIBE", "z1", "z2", "z3"]]);
      for (const cmd of ["UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"]) {
        const [a, b] = await t.both([[cmd]]);
        assertSameUnsubscribeAll(a, b, cmd);
      }
      await t.same([["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"]]);
      // Binary names.
      await t.same([["SUBSCRIBE", "\x00\xff\r\n", ""], ["PSUBSCRIBE", "\x00*"]]);
      await t.same([["UNSUBSCRIBE", "\x00\xff\r\n", ""], ["PUNSUBSCRIBE", "\x00*"]]);
    } finally {
      t.close();
    }
  });

  oracleTest(`oracle: message, pmessage and smessage frames (RESP${resp})`, async (o) => {
    const s1 = await Twin.open(o, resp);
    const s2 = await Twin.open(o, 2);
    try {
      await s1.same([["SUBSCRIBE", "news", "\x00bin\xff"], ["PSUBSCRIBE", "n*", "x"]]);
      await s1.same([["SSUBSCRIBE", "shard", "news"]]);
      await s2.same([["SUBSCRIBE", "news"], ["PSUBSCRIBE", "*"]]);
      // One delivery per matching subscription: 2 direct + n* + * (+ x never).
      await o.same("PUBLISH", "news", "hello");
      await o.same("PUBLISH", "none", "");
      await o.same("PUBLISH", "\x00bin\xff", "\r\n\x00\xff");
      await o.same("PUBLISH", "x", "exact pattern");
      await o.same("PUBLISH", "shard", "not a shard publish");
      await o.same("SPUBLISH", "shard", "s-msg");
      await o.same("SPUBLISH", "news", "s-news");
      await o.same("SPUBLISH", "nobody", "m");
      // Patterns matching one message: Redis walks its pattern table in hash
      // order, so the frames of one publish are compared as a set.
      await s1.sameUnordered([]);
      await s2.sameUnordered([]);
      // Publish order is kept across a pipelined burst.
      await o.samePipelined(
        Array.from({ length: 50 }, (_, i) => ["PUBLISH", i % 2 ? "news" : "x", `m${i}`]),
      );
      const [a, b] = await s2.both([]);
      assertEquals(a, b, "burst to the * subscriber");
      assertEquals(b.length, 75);
      await s1.sameUnordered([]);
      // SPUBLISH only reaches shard subscribers; shard counts are separate.
      await s1.same([["SUNSUBSCRIBE", "news"]]);
      await o.same("SPUBLISH", "news", "gone");
      await s1.same([]);
    } finally {
      s1.close();
      s2.close();
    }
  });

  oracleTest(`oracle: a subscriber's own PUBLISH and other commands (RESP${resp})`, async (o) => {
    const t = await Twin.open(o, resp);
    try {
      await t.same([["SUBSCRIBE", "me"], ["PSUBSCRIBE", "m*"], ["SSUBSCRIBE", "sme"]]);
      // RESP3: any command runs, and the messages to oneself come before the
      // PUBLISH reply. RESP2: only the subscriber commands, PING, QUIT and
      // RESET run; the others get an error naming the command (subcommands
      // by their full name); unknown commands and arity errors come first.
      await t.same([["PUBLISH", "me", "self"]]);
      await t.same([["SPUBLISH", "sme", "self"]]);
      await t.same([["SET", "k", "v"], ["GET", "k"], ["PING"], ["PING", "x"], ["ECHO", "e"]]);
      await t.same([["CONFIG", "GET", "maxmemory"], ["CONFIG", "nope"], ["CLIENT", "GETNAME"]]);
      await t.same([["PUBSUB", "NUMSUB", "me"], ["PUBSUB", "NUMPAT"], ["PUBSUB", "HELP"]]);
      await t.same([["NOPE"], ["GET"], ["PING", "a", "b"], ["SELECT", "1"]]);
      // (HELLO's reply carries the connection id, so only its refusal is compared.)
      if (resp === 2) await t.same([["HELLO", "3"], ["HELLO", "2"]]);
      await t.same([["MULTI"], ["PUBLISH", "me", "in multi"], ["EXEC"]]);
      await t.same([["WATCH", "k"], ["UNWATCH"], ["DISCARD"], ["EXEC"]]);
      // RESET ends subscriber mode (and its subscriptions).
      await t.same([["RESET"], ["GET", "k"], ["PUBSUB", "NUMSUB", "me", "sme"]]);
      await t.same([["PUBSUB", "NUMPAT"], ["PUBSUB", "SHARDNUMSUB", "sme"]]);
    } finally {
      t.close();
    }
  });

  oracleTest(`oracle: when subscriber mode ends, Redis 7.0's rules (RESP${resp})`, async (o) => {
    const t = await Twin.open(o, resp);
    try {
      // UNSUBSCRIBE / PUNSUBSCRIBE leaving no channel or pattern end it, even
      // with shard channels left; SUNSUBSCRIBE only when nothing is left.
      await t.same([["SSUBSCRIBE", "s"], ["SUBSCRIBE", "a"], ["UNSUBSCRIBE", "a"], ["GET", "k"]]);
      await t.same([["SUBSCRIBE", "a"], ["SUNSUBSCRIBE", "s"], ["GET", "k"]]);
      await t.same([["SSUBSCRIBE", "s"], ["UNSUBSCRIBE"], ["GET", "k"]]);
      await t.same([["SUBSCRIBE", "a"], ["PSUBSCRIBE", "p"], ["UNSUBSCRIBE", "a"], ["GET", "k"]]);
      await t.same([["PUNSUBSCRIBE"], ["GET", "k"]]);
      await t.same([["SUNSUBSCRIBE", "s"], ["GET", "k"]]);
      await t.same([["PSUBSCRIBE", "p"], ["SUNSUBSCRIBE"], ["GET", "k"]]);
      await t.same([["PUNSUBSCRIBE", "p"], ["GET", "k"], ["UNSUBSCRIBE"], ["GET", "k"]]);
      // Unsubscribing from nothing never enters it.
      await t.same([["SUNSUBSCRIBE"], ["UNSUBSCRIBE", "x"], ["PUNSUBSCRIBE"], ["GET", "k"]]);
    } finally {
      t.close();
    }
  });

  oracleTest(`oracle: pubsub commands inside MULTI (RESP${resp})`, async (o) => {
    const t = await Twin.open(o, resp);
    try {
      // The confirmations of a queued SUBSCRIBE land inside EXEC's array.
      await t.same([["MULTI"], ["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "p*"], ["EXEC"]]);
      await t.same([["GET", "k"], ["MULTI"], ["DISCARD"]]);
      await t.same([["PUNSUBSCRIBE"], ["UNSUBSCRIBE", "a"]]);
      await t.same([["UNSUBSCRIBE", "b"]]);
      // Queued commands run inside EXEC whatever the mode (PING as a pong array once subscribed).
      await t.same([
        ["MULTI"],
        ["SUBSCRIBE", "x"],
        ["GET", "k"],
        ["PING"],
        ["PING", "a"],
        [
          "UNSUBSCRIBE",
          "x",
        ],
        ["PING"],
        ["EXEC"],
      ]);
      // SSUBSCRIBE is refused inside a transaction (Redis 7.0).
      await t.same([["MULTI"], ["SSUBSCRIBE", "s"], ["SUNSUBSCRIBE"], ["GET", "k"], ["EXEC"]]);
      await t.same([["MULTI"], ["UNSUBSCRIBE"], ["PUNSUBSCRIBE", "x"], ["EXEC"]]);
      // A message to oneself during EXEC.
      await t.same([["SUBSCRIBE", "me"]]);
      if (resp === 3) {
        await t.same([["MULTI"], ["PUBLISH", "me", "1"], ["PUBLISH", "me", "2"], ["EXEC"]]);
      }
      await t.same([["RESET"], ["MULTI"], ["SUBSCRIBE", "x"], ["DISCARD"], ["GET", "k"]]);
    } finally {
      t.close();
    }
  });
}

oracleTest("oracle: HELLO switching protocol while subscribed", async (o) => {
  const t = await Twin.open(o, 3);
  try {
    await t.same([["SUBSCRIBE", "a"], ["PSUBSCRIBE", "p*"]]);
    await o.same("PUBLISH", "a", "as push");
    await t.same([]);
    const [x, y] = await t.both([["HELLO", "2"]]);
    assertEquals(x.length, y.length);
    await t.same([["GET", "k"], ["PING"], ["HELLO", "3"]]);
    await o.same("PUBLISH", "a", "as array");
    await t.same([]);
    await t.same([["UNSUBSCRIBE"], ["GET", "k"], ["PUNSUBSCRIBE"], ["GET", "k"]]);
  } finally {
    t.close();
  }
});

oracleTest("oracle: QUIT in subscriber mode", async (o) => {
  for (const resp of [2, 3] as const) {
    const t = await Twin.open(o, resp);
    try {
      await t.same([["SUBSCRIBE", "a"]]);
      await Promise.all([
        t.mine.send(encodeCommands([["QUIT"]])),
        t.theirs.send(encodeCommands([["QUIT"]])),
      ]);
      const [a, b] = await Promise.all([t.mine.drain(5000), t.theirs.drain(5000)]);
      assertEquals(a, b);
      assert(a.closed);
    } finally {
      t.close();
    }
  }
});

/** CLIENT LIST lines reduced to the fields that Pub/Sub sets. */
function pubsubFields(list: string): string[] {
  return list.split("\n").filter((l) => l !== "").map((line) => {
    const f = new Map(line.trim().split(" ").map((kv) => kv.split("=", 2) as [string, string]));
    return ["name", "flags", "sub", "psub", "ssub", "cmd"].map((k) => `${k}=${f.get(k)}`).join(" ");
  }).sort();
}

oracleTest(
  "oracle: CLIENT LIST, CLIENT LIST TYPE pubsub and CLIENT KILL TYPE pubsub",
  async (o) => {
    const twins = [
      await Twin.open(o),
      await Twin.open(o, 3),
      await Twin.open(o),
      await Twin.open(o),
    ];
    try {
      await twins[0].same([["CLIENT", "SETNAME", "t0"], ["SUBSCRIBE", "a", "b"], [
        "PSUBSCRIBE",
        "x",
      ]]);
      await twins[1].same([["CLIENT", "SETNAME", "t1"], ["SSUBSCRIBE", "s"], ["SUBSCRIBE", "a"]]);
      await twins[2].same([["CLIENT", "SETNAME", "t2"], ["SSUBSCRIBE", "s"], ["SUBSCRIBE", "a"]]);
      await twins[2].same([["UNSUBSCRIBE"]]);
      await twins[3].same([["CLIENT", "SETNAME", "t3"]]);
      await o.same("CLIENT", "SETNAME", "main");
      for (
        const args of [["CLIENT", "LIST"], ["CLIENT", "LIST", "TYPE", "pubsub"], [
          "CLIENT",
          "LIST",
          "TYPE",
          "normal",
        ]]
      ) {
        const [a, b] = await Promise.all([o.redeno.value(...args), o.redis.value(...args)]);
        assertEquals(pubsubFields(a as string), pubsubFields(b as string), args.join(" "));
      }
      await o.same("CLIENT", "KILL", "TYPE", "pubsub");
      const [a, b] = await Promise.all([
        o.redeno.value("CLIENT", "LIST"),
        o.redis.value("CLIENT", "LIST"),
      ]);
      assertEquals(pubsubFields(a as string), pubsubFields(b as string), "after CLIENT KILL");
      for (const i of [0, 1]) {
        const [x, y] = await Promise.all([twins[i].mine.drain(5000), twins[i].theirs.drain(5000)]);
        assertEquals(x, y);
        assert(x.closed, `subscriber ${i} closed`);
      }
      await o.same("PUBLISH", "a", "nobody");
    } finally {
      for (const t of twins) t.close();
    }
  },
);

oracleTest("oracle: COMMAND INFO and DOCS of the pubsub commands", async (o) => {
  const names = [
    "subscribe",
    "unsubscribe",
    "psubscribe",
    "punsubscribe",
    "publish",
    "ssubscribe",
    "sunsubscribe",
    "spublish",
    "pubsub",
    "pubsub|channels",
    "pubsub|numsub",
    "pubsub|numpat",
    "pubsub|shardchannels",
    "pubsub|shardnumsub",
    "pubsub|help",
  ];
  for (const n of names) {
    // Flags are sets and subcommands come in hash order in Redis.
    if (n === "pubsub") await o.sameUnordered(["COMMAND", "INFO", n]);
    else await o.same("COMMAND", "INFO", n);
    if (n !== "psubscribe") await o.sameUnordered(["COMMAND", "DOCS", n]);
  }
  // Redis 7.0 documents PSUBSCRIBE's argument as a block holding one pattern;
  // redeno's syntax notation has no way to say that: all but the arguments.
  const [a, b] = await Promise.all(
    [o.redeno, o.redis].map(async (c) =>
      ((decode(await c.call("COMMAND", "DOCS", "psubscribe")) as Decoded[])[1] as Decoded[])
        .slice(0, 8)
    ),
  );
  assertEquals(a, b, "COMMAND DOCS psubscribe");
  await o.same("COMMAND", "GETKEYS", "SPUBLISH", "ch", "m");
  await o.same("COMMAND", "GETKEYS", "SSUBSCRIBE", "a", "b");
  await o.same("COMMAND", "GETKEYS", "PUBLISH", "ch", "m");
  await o.same("COMMAND", "GETKEYS", "SUNSUBSCRIBE");
});

oracleTest("oracle: glob patterns as Redis matches them", async (o) => {
  const t = await Twin.open(o);
  const patterns = [
    "h?llo",
    "h*llo",
    "h[ae]llo",
    "h[^e]llo",
    "h[a-b]llo",
    "h[z-a]llo",
    "h\\*llo",
    "h\\?llo",
    "h[\\]]llo",
    "h[",
    "h[a",
    "h\\",
    "*\\",
    "**",
    "*o*o*",
    "[\x00-\x7f]*",
    "[\x80-\xff]*",
    "[^\x00-\x7f]*",
    "a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*q*r*s*t*x",
    // Hostile: exponential without stringmatchlen's cut-off on long subjects.
    "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
  ];
  const channels = [
    "hello",
    "hallo",
    "hxllo",
    "hllo",
    "heeello",
    "h*llo",
    "h?llo",
    "h]llo",
    "h[",
    "h",
    "h\\",
    "h[a",
    "\xe9t\xe9",
    "abcdefghijklmnopqrstuvwxyz",
    "",
    "a".repeat(3000),
  ];
  try {
    for (const p of patterns) {
      await t.same([["PSUBSCRIBE", p]]);
    }
    const sub2 = await Twin.open(o);
    try {
      await sub2.same([["SUBSCRIBE", ...channels]]);
      for (const p of patterns) {
        await o.sameUnordered(["PUBSUB", "CHANNELS", p]);
      }
    } finally {
      sub2.close();
    }
    // The closed connection's channels go when each server notices it (t keeps its patterns).
    await untilNoSubscriptions(o, false);
    for (const ch of channels) {
      // The count says how many patterns matched; the frames (hash order) as a set.
      await o.same("PUBLISH", ch, "m");
      await t.sameUnordered([]);
    }
  } finally {
    t.close();
  }
});

for (const resp of [2, 3] as const) {
  oracleTest(`oracle: PUBSUB introspection and INFO (RESP${resp})`, async (o) => {
    await Promise.all([o.redeno.call("HELLO", String(resp)), o.redis.call("HELLO", String(resp))]);
    const a = await Twin.open(o);
    const b = await Twin.open(o, 3);
    try {
      await o.sameAll([
        ["PUBSUB", "CHANNELS"],
        ["PUBSUB", "NUMPAT"],
        ["PUBSUB", "NUMSUB"],
        ["PUBSUB", "NUMSUB", "a", "b"],
        ["PUBSUB", "SHARDCHANNELS"],
        ["PUBSUB", "SHARDNUMSUB"],
        ["PUBSUB", "SHARDNUMSUB", "a"],
        ["PUBSUB", "HELP"],
      ]);
      await a.same([["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "p*", "q*"], ["SSUBSCRIBE", "s"]]);
      await b.same([["SUBSCRIBE", "b", "c"], ["PSUBSCRIBE", "p*"], ["SSUBSCRIBE", "s", "t"]]);
      await o.sameUnordered(["PUBSUB", "CHANNELS"]);
      await o.sameUnordered(["PUBSUB", "CHANNELS", "[ab]"]);
      await o.sameUnordered(["PUBSUB", "SHARDCHANNELS"]);
      await o.sameAll([
        ["PUBSUB", "CHANNELS", "zzz"],
        ["PUBSUB", "SHARDCHANNELS", "t"],
        ["PUBSUB", "NUMPAT"],
        ["PUBSUB", "NUMSUB", "a", "b", "c", "d", "a"],
        ["PUBSUB", "SHARDNUMSUB", "s", "t", "a"],
        ["pubsub", "numsub", "p*"],
      ]);
      const info = async () => {
        const [x, y] = await Promise.all([
          o.redeno.value("INFO", "stats"),
          o.redis.value("INFO", "stats"),
        ]);
        const pick = (v: Decoded) => {
          const f = parseInfo(v as string);
          return ["pubsub_channels", "pubsub_patterns", "pubsubshard_channels"].map((k) =>
            `${k}:${f.get(k)}`
          );
        };
        assertEquals(pick(x), pick(y));
      };
      await info();
      await a.same([["UNSUBSCRIBE", "b"], ["PUNSUBSCRIBE", "q*"]]);
      await info();
      await o.sameAll([["PUBSUB", "NUMSUB", "a", "b"], ["PUBSUB", "NUMPAT"]]);
      // A closed connection's subscriptions go.
      a.close();
      b.close();
      await untilNoSubscriptions(o);
      await o.sameAll([
        ["PUBSUB", "CHANNELS"],
        ["PUBSUB", "SHARDCHANNELS"],
        ["PUBSUB", "NUMSUB", "a", "b", "c"],
      ]);
      await info();
    } finally {
      a.close();
      b.close();
    }
  });
}

oracleTest("oracle: pubsub arity and syntax errors", async (o) => {
  await o.sameAll([
    ["SUBSCRIBE"],
    ["PSUBSCRIBE"],
    ["SSUBSCRIBE"],
    ["PUBLISH"],
    ["PUBLISH", "a"],
    ["PUBLISH", "a", "b", "c"],
    ["SPUBLISH", "a"],
    ["SPUBLISH", "a", "b", "c"],
    ["PUBSUB"],
    ["PUBSUB", "nope"],
    ["PUBSUB", "NUMPAT", "x"],
    ["PUBSUB", "HELP", "x"],
    ["PUBSUB", "CHANNELS", "a", "b"],
    ["PUBSUB", "SHARDCHANNELS", "a", "b"],
  ]);
});

/** Polls INFO clients on both servers until `n` clients are blocked. */
async function untilBlocked(o: Oracle, n: number): Promise<void> {
  for (const c of [o.redeno, o.redis]) {
    for (let i = 0;; i++) {
      const info = parseInfo((await c.value("INFO", "clients")) as string);
      if (info.get("blocked_clients") === String(n)) break;
      if (i > 2000) throw new Error(`never saw ${n} blocked clients`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

oracleTest("oracle: RESP3 subscriber blocked in BLPOP still gets its messages", async (o) => {
  const t = await Twin.open(o, 3);
  try {
    await t.same([["SUBSCRIBE", "ch"]]);
    await Promise.all([t.mine, t.theirs].map((c) => c.send(encodeCommands([["BLPOP", "l", "0"]]))));
    await untilBlocked(o, 1);
    await o.same("PUBLISH", "ch", "while blocked");
    await o.same("RPUSH", "l", "x");
    await t.same([]);
  } finally {
    t.close();
  }
});

/** Sends `cmds` to both sides of `t` with no marker (one whose reply would be dropped), then a round trip on `o`. */
async function sendOnly(o: Oracle, t: Twin, cmds: string[][]): Promise<void> {
  await Promise.all([t.mine, t.theirs].map((c) => c.send(encodeCommands(cmds))));
  // Each server reads a connection's commands in order: after this round
  // trip on another connection they may still be unread, so the next step's
  // marker (sent after them on the same connection) is what orders them.
  await o.same("PING");
}

for (const resp of [2, 3] as const) {
  oracleTest(
    `oracle: CLIENT REPLY OFF / SKIP keep pushes, drop replies (RESP${resp})`,
    async (o) => {
      const t = await Twin.open(o, resp);
      try {
        // Confirmations and messages are pushes, which Redis writes even with
        // replies off; the replies themselves (PING's pong too) are dropped.
        await sendOnly(o, t, [["CLIENT", "REPLY", "OFF"], ["SUBSCRIBE", "ch", "d"], ["PING", "x"]]);
        await untilSubscribers(o, "d", 1);
        await o.same("PUBLISH", "ch", "to a client with replies off");
        if (resp === 3) {
          await sendOnly(o, t, [["PUBLISH", "ch", "own"], ["GET", "k"], ["UNSUBSCRIBE", "d"]]);
          await untilSubscribers(o, "d", 0);
          await t.same([["CLIENT", "REPLY", "ON"]]);
          await t.same([["CLIENT", "REPLY", "SKIP"], ["PUBLISH", "ch", "own, reply skipped"]]);
          await t.same([["CLIENT", "REPLY", "SKIP"], ["SUBSCRIBE", "e"], ["PUBLISH", "ch", "own"]]);
          await t.same([["MULTI"], ["PUBLISH", "ch", "in exec"], ["EXEC"]]);
          const exec = [["MULTI"], ["PUBLISH", "ch", "in exec, off"], ["EXEC"]];
          await sendOnly(o, t, [["CLIENT", "REPLY", "OFF"], ...exec]);
          await t.same([["CLIENT", "REPLY", "ON"]]);
        } else {
          await sendOnly(o, t, [["UNSUBSCRIBE", "d"]]);
          await untilSubscribers(o, "d", 0);
          await t.same([["RESET"]]);
        }
      } finally {
        t.close();
      }
    },
  );
}

/**
 * Polls both servers until no channel or shard channel has a subscriber,
 * nor (when `patterns`) any pattern: a closed connection's subscriptions go
 * when its server notices the close, at no fixed time.
 */
async function untilNoSubscriptions(o: Oracle, patterns = true): Promise<void> {
  for (const c of [o.redeno, o.redis]) {
    for (let i = 0;; i++) {
      const [ch, sh, pat] = await c.pipeline([
        ["PUBSUB", "CHANNELS"],
        ["PUBSUB", "SHARDCHANNELS"],
        ["PUBSUB", "NUMPAT"],
      ]);
      if (ch === "*0\r\n" && sh === "*0\r\n" && (!patterns || pat === ":0\r\n")) break;
      if (i > 2000) throw new Error("subscriptions of closed connections never went");
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** Polls PUBSUB NUMSUB on both servers until `channel` has `n` subscribers. */
async function untilSubscribers(o: Oracle, channel: string, n: number): Promise<void> {
  const want = `*2\r\n$${channel.length}\r\n${channel}\r\n:${n}\r\n`;
  for (const c of [o.redeno, o.redis]) {
    for (let i = 0; (await c.call("PUBSUB", "NUMSUB", channel)) !== want; i++) {
      if (i > 2000) throw new Error(`${channel} never had ${n} subscribers`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

oracleTest("oracle: PUBLISH from scripts and pubsub commands refused in scripts", async (o) => {
  const t = await Twin.open(o, 3);
  const t2 = await Twin.open(o, 2);
  try {
    await t.same([["SUBSCRIBE", "ch"]]);
    await t2.same([["PSUBSCRIBE", "c*"]]);
    // A script's PUBLISH delivers at once, to its caller too (RESP3).
    await t.same([["EVAL", "return redis.call('publish', 'ch', 'from lua')", "0"]]);
    await t.same([["EVAL", "return redis.call('spublish', 'ch', 'shard')", "0"]]);
    await t2.same([]);
    await o.sameAll([
      ["EVAL", "return redis.call('subscribe', 'x')", "0"],
      ["EVAL", "return redis.call('pubsub', 'numsub', 'ch')", "0"],
      ["EVAL", "return redis.pcall('psubscribe', 'x')", "0"],
      ["EVAL", "return redis.call('publish', KEYS[1], ARGV[1])", "1", "ch", "k"],
    ]);
    await t.same([]);
    await t2.same([]);
  } finally {
    t.close();
    t2.close();
  }
});

oracleTest("oracle: fan-out of large messages and many channels", async (o) => {
  const subs = [await Twin.open(o), await Twin.open(o, 3), await Twin.open(o)];
  try {
    const channels = Array.from({ length: 300 }, (_, i) => `ch:${i}`);
    for (const s of subs) await s.same([["SUBSCRIBE", ...channels], ["PSUBSCRIBE", "big"]]);
    const big = "x".repeat(300_000) + "\x00\xff";
    await o.same("PUBLISH", "big", big);
    await o.same("PUBLISH", "ch:299", big.slice(0, 70_000));
    for (const s of subs) await s.same([]);
    // One large message to a channel and several patterns (hash order: a set).
    await subs[1].same([["SUBSCRIBE", "big"], ["PSUBSCRIBE", "b*", "*g", "?i?"]]);
    await o.same("PUBLISH", "big", big.slice(1000));
    for (const s of subs) await s.sameUnordered([]);
    await o.same("PUBSUB", "NUMSUB", "ch:0", "ch:299", "ch:300");
    await subs[0].same([["UNSUBSCRIBE", ...channels.slice(0, 150)]]);
    await o.same("PUBSUB", "NUMSUB", "ch:0", "ch:299", "ch:300");
  } finally {
    for (const s of subs) s.close();
  }
});

oracleTest("oracle: commandstats and errorstats of commands refused to a subscriber", async (o) => {
  // Counted from here: the harness's start-up PINGs may meet -LOADING on either server.
  await o.same("CONFIG", "RESETSTAT");
  const t = await Twin.open(o);
  try {
    await t.same([["SUBSCRIBE", "a"], ["GET", "k"], ["CONFIG", "GET", "port"], [
      "PUBLISH",
      "a",
      "m",
    ]]);
    await t.same([["PING"], ["UNSUBSCRIBE"]]);
    const pick = async (c: RespClient) => {
      const f = parseInfo((await c.value("INFO", "commandstats")) as string);
      const e = parseInfo((await c.value("INFO", "errorstats")) as string);
      const calls = (k: string) => (f.get(k) ?? "").replace(/usec[^,]*,usec_per_call=[^,]*,/, "");
      return [
        ...["cmdstat_get", "cmdstat_config|get", "cmdstat_publish", "cmdstat_subscribe"].map(calls),
        ...["cmdstat_unsubscribe", "cmdstat_ping"].map(calls),
        e.get("errorstat_ERR"),
      ];
    };
    assertEquals(await pick(o.redeno), await pick(o.redis));
  } finally {
    t.close();
  }
});

oracleTest("oracle: seeded random globs in PUBSUB CHANNELS and PSUBSCRIBE", async (o) => {
  const rand = prng(13);
  const pick = (alphabet: string, max: number) => {
    let w = "";
    for (let n = Math.floor(rand() * max); n > 0; n--) {
      w += alphabet[Math.floor(rand() * alphabet.length)];
    }
    return w;
  };
  const channels = [...new Set(Array.from({ length: 60 }, () => pick("ab-^]\\\xe9", 6)))];
  const patterns = Array.from({ length: 250 }, () => pick("ab*?[]^-\\\xe9", 7));
  const sub = await Twin.open(o);
  const psub = await Twin.open(o);
  try {
    await sub.same([["SUBSCRIBE", ...channels]]);
    let matched = 0;
    for (const p of patterns) {
      const r = await o.sameUnordered(["PUBSUB", "CHANNELS", p]);
      if ((r as string[]).length > 0) matched++;
    }
    assert(matched > 20, `only ${matched} random patterns matched anything`);
    // The same matcher decides deliveries: PUBLISH counts the matching patterns.
    const some = [...new Set(patterns)].slice(0, 60);
    await psub.same([["PSUBSCRIBE", ...some]]);
    for (const ch of channels) {
      await o.same("PUBLISH", ch, "m");
      await psub.sameUnordered([]);
    }
  } finally {
    sub.close();
    psub.close();
  }
});

oracleTest(
  "oracle: subscriber mode with requirepass (NOAUTH first, AUTH refused when subscribed)",
  async (o) => {
    const t = await Twin.open(o);
    try {
      // (Each step ends authenticated: its marker PING must be answered.)
      await t.same([["SUBSCRIBE", "a"], ["PING"], ["AUTH", "pw"]]);
      await t.same([["SUBSCRIBE", "a"], ["AUTH", "pw"], ["PING"]]);
      await t.same([["RESET"], ["SUBSCRIBE", "a"], ["AUTH", "pw"]]);
      await t.same([["UNSUBSCRIBE"], ["AUTH", "pw"]]);
    } finally {
      t.close();
    }
  },
  { args: ["--requirepass", "pw"] },
);
