/**
 * For interop tests that run one scenario through a client library against
 * redeno and against redis-server: results recorded step by step, then
 * compared label by label.
 */
import { Buffer } from "node:buffer";
import { assertEquals } from "@std/assert";
import { startRedeno, startRedis, type TestServer } from "./servers.ts";

/** A library result, comparable with deepStrictEqual: Buffers as hex, errors as their message. */
export function plain(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `hex:${Buffer.from(v).toString("hex")}`;
  if (v instanceof Error) return `error: ${v.message}`;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]);
  if (v instanceof Set) return [...v].map(plain).sort();
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Labelled results of one run, in order. */
export class Results {
  readonly items: [string, unknown][] = [];

  /** Records what `p` resolves to, or the error it rejects with. */
  async add(label: string, p: unknown): Promise<void> {
    try {
      this.items.push([label, plain(await p)]);
    } catch (e) {
      this.items.push([label, plain(e)]);
    }
  }
}

/** Asserts two runs gave the same results, label by label. */
export function assertSameResults(mine: Results, theirs: Results): void {
  assertEquals(mine.items.map(([l]) => l), theirs.items.map(([l]) => l), "the same steps ran");
  for (let i = 0; i < theirs.items.length; i++) {
    assertEquals(mine.items[i], theirs.items[i], `redeno vs redis: ${theirs.items[i][0]}`);
  }
}

/**
 * Waits until `info()` (the text of INFO clients) counts `n` blocked clients:
 * polls, assuming nothing about timing.
 */
export async function untilBlocked(info: () => Promise<string>, n: number): Promise<void> {
  for (let tries = 0;; tries++) {
    if ((await info()).includes(`blocked_clients:${n}\r\n`)) return;
    if (tries > 2000) throw new Error(`never saw ${n} blocked clients`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Runs `scenario` against a real redis-server, then against a redeno, and
 * asserts the same results. Returns quietly when redis-server is missing
 * outside CI (startRedis says so).
 */
export async function sameOnRedisAndRedeno(
  scenario: (server: TestServer) => Promise<Results>,
): Promise<void> {
  const redis = await startRedis();
  if (!redis) return;
  const redeno = await startRedeno();
  try {
    const theirs = await scenario(redis);
    const mine = await scenario(redeno);
    assertSameResults(mine, theirs);
  } finally {
    await Promise.all([redis.stop(), redeno.stop()]);
  }
}
