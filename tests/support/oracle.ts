/**
 * Differential testing against real Redis 7.0: the same commands go to a
 * redeno and a redis-server, and their raw replies must be byte-identical.
 */
import { assertEquals } from "@std/assert";
import { decode, type Decoded, RespClient } from "./resp_client.ts";
import { type StartOptions, startRedeno, startRedis, type TestServer } from "./servers.ts";

export class Oracle {
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

  /** Runs many commands through `same`, in order. */
  async sameAll(commands: string[][]): Promise<void> {
    for (const cmd of commands) await this.same(...cmd);
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
      const [mine, theirs] = await Promise.all([a.drain(quietMs), b.drain(quietMs)]);
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
      await fn(o);
    } finally {
      await o.stop();
    }
  });
}
