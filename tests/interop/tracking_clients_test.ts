/**
 * Client-side caching through client libraries, against a redeno and a
 * real redis-server (same scenario, same results): node-redis's RESP3
 * client-side cache and its invalidate events, and ioredis in RESP2 with
 * tracking redirected to a connection subscribed to __redis__:invalidate.
 */
import { createClient, Redis } from "../support/clients.ts";
import { Results, sameOnRedisAndRedeno } from "../support/interop_results.ts";
import type { TestServer } from "../support/servers.ts";

/** Polls `read` until it gives `want` (the invalidation arrived); returns the last value read. */
async function until<T>(read: () => Promise<T>, want: (v: T) => boolean): Promise<T> {
  for (let tries = 0;; tries++) {
    const v = await read();
    if (want(v) || tries > 2000) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until `list` holds `n` entries (failing after a bounded wait); returns a copy. */
async function atLeast<T>(list: T[], n: number): Promise<T[]> {
  const got = await until(() => Promise.resolve(list.length), (len) => len >= n);
  if (got < n) throw new Error(`only ${JSON.stringify(list)} arrived`);
  return [...list];
}

function nodeRedis(server: TestServer, opts: Record<string, unknown>) {
  const c = createClient({
    socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: false },
    ...opts,
  });
  c.on("error", (e: Error) => console.error(`node-redis error: ${e.message}`));
  return c;
}

function ioredis(server: TestServer): Redis {
  return new Redis({
    host: "127.0.0.1",
    port: server.port,
    protocol: 2,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    lazyConnect: true,
  });
}

Deno.test({
  name: "node-redis client-side cache (RESP3) is invalidated by writes and flushes",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    sameOnRedisAndRedeno(async (server) => {
      const r = new Results();
      const c = nodeRedis(server, { RESP: 3, clientSideCache: { ttl: 0, maxEntries: 0 } });
      const w = nodeRedis(server, { RESP: 2 });
      await c.connect();
      await w.connect();
      try {
        const csc = c.clientSideCache!;
        await w.set("k", "v1");
        await w.hSet("h", { f: "1" });
        await r.add("first read", c.get("k"));
        await r.add("cached read", c.get("k"));
        await r.add("hash read", c.hGetAll("h"));
        await r.add("cached hash read", c.hGetAll("h"));
        await r.add("hits and misses", {
          hits: csc.stats().hitCount,
          misses: csc.stats().missCount,
        });
        await r.add("tracking", c.sendCommand(["CLIENT", "TRACKINGINFO"]));
        await w.set("k", "v2");
        await r.add("read after a write", until(() => c.get("k"), (v) => v === "v2"));
        await w.hSet("h", { f: "2" });
        await r.add("hash after a write", until(() => c.hGetAll("h"), (v) => v.f === "2"));
        await w.flushAll();
        const flushed = await until(() => c.get("k"), (v) => v === null);
        if (flushed !== null) throw new Error("the cache kept a flushed key");
        await r.add("read after FLUSHALL", flushed);
        await r.add("cache entries", csc.size());
      } finally {
        c.destroy();
        w.destroy();
      }
      return r;
    }),
});

Deno.test({
  name: "node-redis invalidate events (RESP3) name the keys, null on a flush",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    sameOnRedisAndRedeno(async (server) => {
      const r = new Results();
      // emitInvalidate turns tracking on at connect.
      const c = nodeRedis(server, { RESP: 3, emitInvalidate: true });
      const w = nodeRedis(server, { RESP: 2 });
      const events: (string | null)[] = [];
      c.on("invalidate", (key: unknown) => events.push(key === null ? null : String(key)));
      await c.connect();
      await w.connect();
      try {
        await r.add("tracking", c.sendCommand(["CLIENT", "TRACKINGINFO"]));
        await r.add("read", c.mGet(["a", "b", "c"]));
        await w.mSet({ a: "1", b: "2" });
        await w.set("c", "3");
        await r.add("events", atLeast(events, 3));
        await w.flushAll();
        await r.add(
          "after FLUSHALL",
          atLeast(events, 4),
        );
      } finally {
        c.destroy();
        w.destroy();
      }
      return r;
    }),
});

Deno.test({
  name: "ioredis (RESP2) tracking redirected to a __redis__:invalidate subscriber",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    sameOnRedisAndRedeno(async (server) => {
      const r = new Results();
      const sub = ioredis(server);
      const t = ioredis(server);
      const w = ioredis(server);
      const messages: unknown[] = [];
      sub.on("message", (channel: string, message: unknown) => messages.push([channel, message]));
      try {
        await Promise.all([sub.connect(), t.connect(), w.connect()]);
        const id = await sub.client("ID");
        await r.add("subscribe", sub.subscribe("__redis__:invalidate"));
        await r.add("tracking on", t.call("CLIENT", "TRACKING", "ON", "REDIRECT", String(id)));
        await r.add("getredir is the subscriber", (await t.call("CLIENT", "GETREDIR")) === id);
        await r.add("reads", t.mget("k", "j"));
        await w.mset("k", "1", "j", "2");
        await r.add("messages", atLeast(messages, 2));
        await t.get("k");
        await w.flushall();
        await r.add(
          "after FLUSHALL",
          atLeast(messages, 3),
        );
        const info = await t.call("CLIENT", "TRACKINGINFO") as unknown[];
        await r.add("tracking info", info.map((v, i) => i === 3 ? v === id : v));
        await r.add("tracking off", t.call("CLIENT", "TRACKING", "OFF"));
      } finally {
        sub.disconnect();
        t.disconnect();
        w.disconnect();
      }
      return r;
    }),
});
