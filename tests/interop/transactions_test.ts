/**
 * Transactions through real client libraries, against redeno and against
 * redis-server alike: a WATCH-based optimistic-locking loop under contention
 * from several ioredis clients (the final counter is exact), ioredis and
 * node-redis `multi()`, and redis-py's transactional pipeline with WATCH and
 * retries (Debian's python3-redis).
 */
import { createClient, Redis } from "../support/clients.ts";
import { Results, sameOnRedisAndRedeno } from "../support/interop_results.ts";
import { samePythonResults } from "../support/python.ts";
import type { TestServer } from "../support/servers.ts";

function ioredis(port: number): Redis {
  return new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0 });
}

/**
 * `clients` ioredis connections each add 1 to `counter` `rounds` times by
 * read-modify-write under WATCH, retrying when EXEC aborts. Returns the
 * final counter and the number of aborted attempts.
 */
async function optimisticCounter(
  port: number,
  clients: number,
  rounds: number,
): Promise<{ counter: string | null; aborted: number }> {
  const conns = Array.from({ length: clients }, () => ioredis(port));
  await Promise.all(conns.map((c) => c.connect()));
  let aborted = 0;
  try {
    await conns[0].del("counter");
    await Promise.all(conns.map(async (c) => {
      for (let i = 0; i < rounds; i++) {
        for (;;) {
          await c.watch("counter");
          const v = Number(await c.get("counter") ?? "0");
          // Yield so that other clients interleave between the read and EXEC.
          await new Promise((r) => setTimeout(r, 0));
          const res = await c.multi().set("counter", String(v + 1)).exec();
          if (res !== null) break;
          aborted++;
        }
      }
    }));
    return { counter: await conns[0].get("counter"), aborted };
  } finally {
    for (const c of conns) c.disconnect();
  }
}

Deno.test({
  name: "WATCH optimistic locking under contention from several ioredis clients: exact counter",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await sameOnRedisAndRedeno(async (server: TestServer) => {
      const r = new Results();
      const { counter, aborted } = await optimisticCounter(server.port, 6, 25);
      await r.add("final counter", counter);
      // Six clients yielding between read and write: some attempts must have lost a race.
      await r.add("some attempts aborted", aborted > 0);
      return r;
    });
  },
});

Deno.test({
  name: "ioredis multi() and WATCH against redeno and redis-server",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await sameOnRedisAndRedeno(async (server: TestServer) => {
      const r = new Results();
      const a = ioredis(server.port);
      const b = ioredis(server.port);
      await Promise.all([a.connect(), b.connect()]);
      try {
        await r.add("multi exec", a.multi().set("k", "1").incr("k").get("k").exec());
        await r.add(
          "runtime error inside",
          a.multi().set("s", "x").lpush("s", "y").get("s").exec(),
        );
        await r.add("queue error", a.multi().call("SET", "q").get("q").exec());
        await r.add("pipeline after", a.get("k"));
        // A deterministic race: b writes between a's WATCH and EXEC.
        await r.add("watch", a.watch("k"));
        await r.add("read", a.get("k"));
        await r.add("other client writes", b.set("k", "theirs"));
        await r.add("aborted exec", a.multi().set("k", "mine").exec());
        await r.add("value kept", a.get("k"));
        await r.add("watch again", a.watch("k"));
        await r.add("exec runs", a.multi().set("k", "mine").exec());
        await r.add("multi without pipelining", a.multi({ pipeline: false }));
        await r.add("queued", a.set("k", "x"));
        await r.add("discard", a.discard());
        await r.add("after discard", a.get("k"));
        await r.add("unwatch", a.unwatch());
      } finally {
        a.disconnect();
        b.disconnect();
      }
      return r;
    });
  },
});

Deno.test({
  name: "node-redis multi() and WATCH against redeno and redis-server",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    for (const resp of [2, 3] as const) {
      await sameOnRedisAndRedeno(async (server: TestServer) => {
        const r = new Results();
        const mk = () => {
          const c = createClient({
            socket: { host: "127.0.0.1", port: server.port, reconnectStrategy: false },
            RESP: resp,
          });
          c.on("error", (e: Error) => console.error(`node-redis error: ${e.message}`));
          return c;
        };
        const a = mk();
        const b = mk();
        await Promise.all([a.connect(), b.connect()]);
        try {
          await r.add("multi", a.multi().set("k", "1").incr("k").hSet("h", "f", "v").exec());
          await r.add("runtime error", a.multi().set("s", "x").lPush("s", "y").get("s").exec());
          await r.add("watch", a.watch("k"));
          await r.add("other client writes", b.set("k", "theirs"));
          await r.add("aborted", a.multi().set("k", "mine").exec());
          await r.add("value", a.get("k"));
          await r.add("watch again", a.watch("k"));
          await r.add("exec runs", a.multi().set("k", "mine").get("k").exec());
        } finally {
          await Promise.all([a.close(), b.close()]);
        }
        return r;
      });
    }
  },
});

Deno.test("redis-py transactional pipelines, WATCH and retries", async () => {
  await samePythonResults(String.raw`
other = redis.Redis(host="127.0.0.1", port=port)

def pipe_basic():
    p = r.pipeline()
    p.set("a", 1).incr("a").rpush("l", "x", "y").lrange("l", 0, -1).get("a")
    return p.execute()
rec("pipeline", pipe_basic)

def pipe_error():
    p = r.pipeline()
    p.set("s", "x").lpush("s", "y").get("s")
    return [str(x) if isinstance(x, Exception) else x for x in p.execute(raise_on_error=False)]
rec("runtime error inside", pipe_error)

def pipe_raise():
    p = r.pipeline()
    p.set("s2", "x").lpush("s2", "y")
    try:
        p.execute()
        return "no error"
    except redis.ResponseError as e:
        return "raised: " + str(e)
rec("raised error", pipe_raise)

def queue_error():
    p = r.pipeline()
    p.set("q", 1).execute_command("SET", "q")
    try:
        return p.execute()
    except redis.ResponseError as e:
        return "raised: " + str(e)
rec("queue error aborts", queue_error)
rec("nothing ran", lambda: r.get("q"))

def watch_conflict():
    with r.pipeline() as p:
        p.watch("k")
        before = p.get("k")
        other.set("k", "theirs")
        p.multi()
        p.set("k", "mine")
        try:
            p.execute()
            return ["executed", before]
        except redis.WatchError:
            return ["watch error", before]
rec("watch conflict", watch_conflict)
rec("value", lambda: r.get("k"))

attempts = []
def incr_twice(p):
    v = int(p.get("counter") or 0)
    if len(attempts) == 0:
        other.incr("counter")  # a concurrent change on the first attempt: retried
    attempts.append(v)
    p.multi()
    p.set("counter", v + 1)
rec("transaction helper", lambda: r.transaction(incr_twice, "counter"))
rec("attempts", lambda: attempts)
rec("counter", lambda: r.get("counter"))

def no_transaction():
    p = r.pipeline(transaction=False)
    p.incr("n").incr("n")
    return p.execute()
rec("plain pipeline", no_transaction)
rec("unwatch", lambda: r.unwatch())
other.close()
`);
});

Deno.test("a transaction is atomic for other clients: no reader sees half of it", async () => {
  await sameOnRedisAndRedeno(async (server: TestServer) => {
    const r = new Results();
    const writer = ioredis(server.port);
    const reader = ioredis(server.port);
    await Promise.all([writer.connect(), reader.connect()]);
    try {
      const torn: string[] = [];
      const writes = (async () => {
        for (let i = 1; i <= 200; i++) {
          await writer.multi().set("x", String(i)).set("y", String(i)).exec();
        }
      })();
      const reads = (async () => {
        for (let i = 0; i < 200; i++) {
          const [x, y] = await reader.mget("x", "y");
          if (x !== y) torn.push(`${x}/${y}`);
        }
      })();
      await Promise.all([writes, reads]);
      await r.add("torn reads", torn);
      await r.add("final", reader.mget("x", "y"));
    } finally {
      writer.disconnect();
      reader.disconnect();
    }
    return r;
  });
});
