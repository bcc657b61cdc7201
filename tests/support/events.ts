/**
 * Keyspace notifications, differentially: one subscriber per server on
 * every keyspace and keyevent channel, the same commands to both servers
 * (replies compared byte for byte), and the event streams compared message
 * by message, in order.
 *
 * A command's events reach its subscriber before anything published after
 * it, so each step ends with a PUBLISH on a marker channel the subscriber
 * also listens to: the events before the marker are exactly the step's.
 */
import { assertEquals } from "@std/assert";
import { Oracle } from "./oracle.ts";
import { decode, encodeCommands, RespClient } from "./resp_client.ts";
import type { StartOptions } from "./servers.ts";

const MARKER = "__events_marker__";

/** One event as the subscriber saw it: [channel, message]. */
export type Event = [channel: string, message: string];

class Subscriber {
  #seq = 0;
  private constructor(readonly client: RespClient) {}

  static async open(port: number): Promise<Subscriber> {
    const c = await RespClient.connect(port);
    await c.send(encodeCommands([["PSUBSCRIBE", "__key*"], ["SUBSCRIBE", MARKER]]));
    await c.reply();
    await c.reply();
    return new Subscriber(c);
  }

  /** The marker's payload for the next step. */
  nextMarker(): string {
    return String(++this.#seq);
  }

  /** Events until the marker `mark` arrives. */
  async until(mark: string): Promise<Event[]> {
    const events: Event[] = [];
    for (;;) {
      const msg = decode(await this.client.reply()) as string[];
      if (msg[0] === "message" && msg[1] === MARKER) {
        if (msg[2] === mark) return events;
        continue;
      }
      if (msg[0] !== "pmessage") throw new Error(`unexpected frame ${String(msg)}`);
      events.push([msg[2], msg[3]]);
    }
  }
}

export class EventOracle {
  private constructor(
    readonly oracle: Oracle,
    readonly subs: [mine: Subscriber, theirs: Subscriber],
  ) {}

  /**
   * Both servers with notify-keyspace-events `flags` (default every class,
   * key misses and new keys included), each with its subscriber; null (after
   * a message) when redis-server is missing outside CI.
   */
  static async start(flags = "KEAmn", opts: StartOptions = {}): Promise<EventOracle | null> {
    const o = await Oracle.start(opts);
    if (o === null) return null;
    await o.same("CONFIG", "SET", "notify-keyspace-events", flags);
    const subs: [Subscriber, Subscriber] = [
      await Subscriber.open(o.redenoServer.port),
      await Subscriber.open(o.redisServer.port),
    ];
    return new EventOracle(o, subs);
  }

  /**
   * Runs `cmds` on both servers (replies compared) and asserts that the
   * events they fire are the same, in the same order; returns Redis's events.
   */
  async same(cmds: string[][]): Promise<Event[]> {
    for (const cmd of cmds) await this.oracle.same(...cmd);
    return await this.sameEvents(JSON.stringify(cmds).slice(0, 300));
  }

  /** Asserts that what both servers fired since the last step is the same. */
  async sameEvents(what = "the step"): Promise<Event[]> {
    const [mine, theirs] = this.subs;
    const [m1, m2] = [mine.nextMarker(), theirs.nextMarker()];
    await Promise.all([
      this.oracle.redeno.call("PUBLISH", MARKER, m1),
      this.oracle.redis.call("PUBLISH", MARKER, m2),
    ]);
    const [a, b] = await Promise.all([mine.until(m1), theirs.until(m2)]);
    assertEquals(a, b, `events of ${what}`);
    return b;
  }

  async stop(): Promise<void> {
    for (const s of this.subs) s.client.close();
    await this.oracle.stop();
  }
}

/**
 * Defines a Deno test with an EventOracle (FLUSHALL first, its events
 * drained), skipping with a message when redis-server is missing outside CI.
 */
export function eventTest(
  name: string,
  fn: (e: EventOracle) => Promise<void>,
  flags = "KEAmn",
  opts: StartOptions = {},
): void {
  Deno.test(name, async () => {
    const e = await EventOracle.start(flags, opts);
    if (e === null) return;
    try {
      await e.same([["FLUSHALL"]]);
      await fn(e);
    } finally {
      await e.stop();
    }
  });
}
