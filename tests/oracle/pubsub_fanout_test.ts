/**
 * PUBLISH fan-out against Redis 7.0.15 where redeno takes shortcuts: the
 * patterns a channel matched are remembered until a pattern is added or
 * removed, and a publish's frames share one encoding of the channel and
 * message. Subscribers on each server get the same commands; what they
 * receive is compared (as sets where a message matches several patterns:
 * Redis's pattern order is a hash table's), and PUBLISH's counts byte for
 * byte.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { encodeCommands, type RespClient } from "../support/resp_client.ts";

let markers = 0;

/** Sends `cmds` then `PING <marker>`; returns the frames before the marker's reply. */
async function step(c: RespClient, cmds: string[][]): Promise<string[]> {
  const marker = `fanout:${++markers}`;
  await c.send(encodeCommands([...cmds, ["PING", marker]]));
  const bulk = `$${marker.length}\r\n${marker}\r\n`;
  const frames: string[] = [];
  const timer = setTimeout(() => c.close(), 10_000);
  try {
    for (;;) {
      const raw = await c.reply();
      if (raw === bulk || raw === `*2\r\n$4\r\npong\r\n${bulk}`) return frames;
      frames.push(raw);
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A subscriber on each server. */
class Pair {
  constructor(readonly mine: RespClient, readonly theirs: RespClient) {}

  static async open(o: Oracle, resp: 2 | 3 = 2): Promise<Pair> {
    const [a, b] = await o.connectPair();
    if (resp === 3) await Promise.all([a.call("HELLO", "3"), b.call("HELLO", "3")]);
    return new Pair(a, b);
  }

  /** Runs `cmds` on both; the same frames, in any order. */
  async same(cmds: string[][]): Promise<string[]> {
    const [a, b] = await Promise.all([step(this.mine, cmds), step(this.theirs, cmds)]);
    assertEquals([...a].sort(), [...b].sort(), JSON.stringify(cmds));
    return b;
  }

  close(): void {
    this.mine.close();
    this.theirs.close();
  }
}

oracleTest("pubsub fan-out: remembered pattern matches follow pattern changes", async (o) => {
  const a = await Pair.open(o);
  const b = await Pair.open(o, 3);
  try {
    await a.same([["PSUBSCRIBE", "news.*"]]);
    await o.sameAll([["PUBLISH", "news.1", "one"], ["PUBLISH", "news.1", "two"]]);
    assertEquals((await a.same([])).length, 2);
    // A new pattern that matches a channel already published to.
    await b.same([["PSUBSCRIBE", "news.[0-9]", "n*"]]);
    await o.sameAll([["PUBLISH", "news.1", "three"], ["PUBLISH", "nope", "four"]]);
    await a.same([]);
    assertEquals((await b.same([])).length, 3);
    // A second subscriber of an existing pattern, then one that leaves.
    await b.same([["PSUBSCRIBE", "news.*"]]);
    await o.sameAll([["PUBLISH", "news.1", "five"]]);
    await a.same([]);
    await b.same([]);
    await a.same([["PUNSUBSCRIBE", "news.*"]]);
    await o.sameAll([["PUBLISH", "news.1", "six"]]);
    assertEquals(await a.same([]), []);
    assertEquals((await b.same([])).length, 3);
    // Every pattern gone: nothing matches any more.
    await b.same([["PUNSUBSCRIBE"]]);
    await o.sameAll([["PUBLISH", "news.1", "seven"], ["PUBLISH", "nope", "eight"]]);
    assertEquals(await b.same([]), []);
    // Back again after the patterns were gone.
    await a.same([["PSUBSCRIBE", "news.*"]]);
    await o.sameAll([["PUBLISH", "news.1", "nine"]]);
    assertEquals((await a.same([])).length, 1);
  } finally {
    a.close();
    b.close();
  }
});

oracleTest(
  "pubsub fan-out: more channels than are remembered, a subscriber that disconnects",
  async (o) => {
    const a = await Pair.open(o);
    const b = await Pair.open(o, 3);
    try {
      await a.same([["PSUBSCRIBE", "ch:1*", "ch:*5"]]);
      await b.same([["SUBSCRIBE", "ch:15"], ["PSUBSCRIBE", "ch:*"]]);
      // 300 channels (the memo holds 256), twice, with a pattern change between.
      const publishes = (text: string) =>
        Array.from({ length: 300 }, (_, i) => ["PUBLISH", `ch:${i}`, `${text}${i}`]);
      await o.sameAll(publishes("first"));
      await a.same([]);
      await b.same([]);
      await a.same([["PUNSUBSCRIBE", "ch:*5"]]);
      await o.sameAll(publishes("second"));
      await a.same([]);
      await b.same([]);
      // A subscriber that goes away takes its patterns with it.
      b.close();
      // Until each server has seen it go (ch:1* is left), never by sleeping.
      for (const c of [o.redeno, o.redis]) {
        while (await c.call("PUBSUB", "NUMPAT") !== ":1\r\n") {
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      await o.sameAll(publishes("third").slice(0, 20));
      await a.same([]);
    } finally {
      a.close();
      b.close();
    }
  },
);

oracleTest(
  "pubsub fan-out: RESP2 and RESP3 subscribers of one channel and one pattern",
  async (o) => {
    const subs = [await Pair.open(o), await Pair.open(o, 3), await Pair.open(o)];
    try {
      for (const s of subs) await s.same([["SUBSCRIBE", "mixed"], ["PSUBSCRIBE", "mix*"]]);
      const big = "x".repeat(70_000);
      await o.sameAll([["PUBLISH", "mixed", "small"], ["PUBLISH", "mixed", big], [
        "PUBLISH",
        "mixed",
        "\x00\xff\r\n",
      ]]);
      for (const s of subs) assertEquals((await s.same([])).length, 6);
    } finally {
      for (const s of subs) s.close();
    }
  },
);
