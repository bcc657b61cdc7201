/**
 * Differential testing against real Redis 7.0: the same commands go to a
 * redeno and a redis-server, and their raw replies must be byte-identical.
 */
import { assert, assertEquals } from "@std/assert";
import { decode, type Decoded, RespClient } from "./resp_client.ts";
import { type StartOptions, startRedeno, startRedis, type TestServer } from "./servers.ts";

/**
 * A reading of a clock-relative value (TTL, PTTL, EXPIRETIME, PEXPIRETIME,
 * OBJECT IDLETIME) of a key whose expiry or access was relative to "now":
 * two servers read their clocks a few milliseconds apart, so the replies are
 * compared within the time the test has measured, not byte for byte.
 */
export interface ClockReading {
  clock: string[];
}

/** Marks a command in `sameAll` as a clock-relative reading (see ClockReading). */
export function clock(...args: string[]): ClockReading {
  return { clock: args };
}

/** Milliseconds per unit of each clock-relative reading. */
const CLOCK_UNIT_MS: Record<string, number> = {
  ttl: 1000,
  pttl: 1,
  expiretime: 1000,
  pexpiretime: 1,
  object: 1000, // OBJECT IDLETIME
};

export class Oracle {
  /** When the test began (after its FLUSHALL): bounds every clock skew it can see. */
  startedAt = Date.now();

  private constructor(
    readonly redenoServer: TestServer,
    readonly redisServer: TestServer,
    readonly redeno: RespClient,
    readonly redis: RespClient,
  ) {}

  /**
   * Starts both servers, or returns null (after a message) when redis-server
   * is missing outside CI. In CI a missing redis-server throws.
   */
  static async start(opts: StartOptions = {}): Promise<Oracle | null> {
    const redisServer = await startRedis(opts);
    if (!redisServer) return null;
    const redenoServer = await startRedeno(opts);
    return new Oracle(
      redenoServer,
      redisServer,
      await RespClient.connect(redenoServer.port),
      await RespClient.connect(redisServer.port),
    );
  }

  /** A fresh connection pair (for per-connection state such as SELECT or HELLO). */
  async connectPair(): Promise<[RespClient, RespClient]> {
    return [
      await RespClient.connect(this.redenoServer.port),
      await RespClient.connect(this.redisServer.port),
    ];
  }

  /** Sends a command to both; asserts identical raw replies; returns Redis's. */
  async same(...args: string[]): Promise<string> {
    const [mine, theirs] = await Promise.all([this.redeno.call(...args), this.redis.call(...args)]);
    assertEquals(mine, theirs, `reply to ${JSON.stringify(args)}`);
    return theirs;
  }

  /** Runs many commands through `same` (or `sameClock`, for `clock(...)` entries), in order. */
  async sameAll(commands: (string[] | ClockReading)[]): Promise<void> {
    for (const cmd of commands) {
      if (Array.isArray(cmd)) await this.same(...cmd);
      else await this.sameClock(...cmd.clock);
    }
  }

  /**
   * Sends `cmds` pipelined (one write) to both and asserts identical raw
   * replies, one by one; returns Redis's. For long seeded runs.
   */
  async samePipelined(cmds: string[][]): Promise<string[]> {
    const [mine, theirs] = await Promise.all([
      this.redeno.pipeline(cmds),
      this.redis.pipeline(cmds),
    ]);
    for (let i = 0; i < cmds.length; i++) {
      assertEquals(mine[i], theirs[i], `reply to ${JSON.stringify(cmds[i])}`);
    }
    return theirs;
  }

  /**
   * A clock-relative reading (see ClockReading): errors and the negative
   * codes (-1 no expiry, -2 no key, nil) must be identical; values may
   * differ by no more than the time elapsed since the test began, in the
   * reply's unit (plus one for the rounding of second readings). Returns
   * Redis's reply, decoded.
   */
  async sameClock(...args: string[]): Promise<Decoded> {
    const unit = CLOCK_UNIT_MS[args[0].toLowerCase()];
    if (unit === undefined) throw new Error(`${args[0]} is not a clock reading`);
    const [mine, theirs] = await Promise.all([this.redeno.call(...args), this.redis.call(...args)]);
    const a = decode(mine);
    const b = decode(theirs);
    const what = `reply to ${JSON.stringify(args)}`;
    const isInt = (v: Decoded) => typeof v === "number" || typeof v === "bigint";
    if (!isInt(a) || !isInt(b) || a! < 0 || b! < 0) {
      assertEquals(mine, theirs, what);
      return b;
    }
    // Past 2^53 (a relative expiry near the int64 limit) the replies are bigints.
    const diff = BigInt(a as number | bigint) - BigInt(b as number | bigint);
    const elapsed = Date.now() - this.startedAt;
    const slack = BigInt(Math.ceil(elapsed / unit) + (unit > 1 ? 1 : 0));
    assert(
      diff <= slack && -diff <= slack,
      `${what}: redeno ${a}, redis ${b}, ${elapsed} ms elapsed`,
    );
    return b;
  }

  /**
   * For replies whose order is unspecified (KEYS, HGETALL of a large hash):
   * compares decoded replies with every array sorted (pairs kept together
   * when `pairs`).
   */
  async sameUnordered(args: string[], pairs = false): Promise<Decoded> {
    const [mine, theirs] = await Promise.all([this.redeno.call(...args), this.redis.call(...args)]);
    const a = normalize(decode(mine), pairs);
    const b = normalize(decode(theirs), pairs);
    assertEquals(a, b, `reply to ${JSON.stringify(args)}`);
    return decode(theirs);
  }

  /**
   * Sends raw bytes on fresh connections to both and compares everything
   * they answer and whether they close the connection.
   */
  async sameRaw(bytes: string, quietMs = 300): Promise<{ data: string; closed: boolean }> {
    const [a, b] = await this.connectPair();
    try {
      await Promise.all([a.send(bytes).catch(() => {}), b.send(bytes).catch(() => {})]);
      const [mine, theirs] = await drainBoth(a, b, quietMs);
      assertEquals(mine, theirs, `answer to raw input ${JSON.stringify(bytes.slice(0, 200))}`);
      return theirs;
    } finally {
      a.close();
      b.close();
    }
  }

  async stop(): Promise<void> {
    this.redeno.close();
    this.redis.close();
    await Promise.all([this.redenoServer.stop(), this.redisServer.stop()]);
  }
}

/** What a connection sent until it closed or went quiet (RespClient.drain). */
export type Drained = { data: string; closed: boolean };

/**
 * Drains `a` (redeno) and `b` (Redis) until each closes or is quiet for
 * `quietMs`; if the two differ (or differ from `want`, when given), drains
 * both again for longer before returning: a loaded machine can stall a
 * server (or this test) past a short quiet spell, and a late answer must not
 * read as a missing one.
 */
export async function drainBoth(
  a: RespClient,
  b: RespClient,
  quietMs = 300,
  want?: string,
): Promise<[Drained, Drained]> {
  let [mine, theirs] = await Promise.all([a.drain(quietMs), b.drain(quietMs)]);
  const wanted = (d: Drained) => want === undefined || d.data === want;
  if (
    mine.data !== theirs.data || mine.closed !== theirs.closed || !wanted(mine) ||
    !wanted(theirs)
  ) {
    const [m2, t2] = await Promise.all([a.drain(2000), b.drain(2000)]);
    mine = { data: mine.data + m2.data, closed: m2.closed };
    theirs = { data: theirs.data + t2.data, closed: t2.closed };
  }
  return [mine, theirs];
}

function normalize(v: Decoded, pairs: boolean): Decoded {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x, pairs));
    if (pairs && items.length % 2 === 0) {
      const grouped: string[] = [];
      for (let i = 0; i < items.length; i += 2) {
        grouped.push(JSON.stringify([items[i], items[i + 1]], replacer));
      }
      return grouped.sort();
    }
    return items.map((x) => JSON.stringify(x, replacer)).sort();
  }
  if (v instanceof Map) {
    return [...v].map(([k, x]) => JSON.stringify([k, normalize(x, pairs)], replacer)).sort();
  }
  if (v instanceof Set) return [...v].map((x) => JSON.stringify(x, replacer)).sort();
  return v;
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Error) return `ERR:${v.message}`;
  return v;
}

/**
 * Defines a Deno test that gets an Oracle, skipping (with a message) when
 * redis-server is missing outside CI.
 */
export function oracleTest(
  name: string,
  fn: (o: Oracle) => Promise<void>,
  opts: StartOptions = {},
): void {
  Deno.test(name, async () => {
    const o = await Oracle.start(opts);
    if (!o) return;
    try {
      await o.redis.call("FLUSHALL");
      await o.redeno.call("FLUSHALL");
      o.startedAt = Date.now();
      await fn(o);
    } finally {
      await o.stop();
    }
  });
}

/**
 * Polls with PING until the server answers BUSY: a script it runs is then past
 * busy-reply-threshold (what a test checks next does not depend on timing).
 */
export async function untilBusy(c: RespClient): Promise<string> {
  for (let i = 0; i < 3000; i++) {
    const r = await c.call("PING");
    if (r.startsWith("-BUSY")) return r;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error("the server never became busy");
}
