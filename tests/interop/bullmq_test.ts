/**
 * BullMQ, unmodified, as its users run it: a Queue, a Worker and QueueEvents
 * over ioredis connections, against a real redis-server and against redeno,
 * the same scenario with the same expectations on both. It exercises the Lua
 * scripts BullMQ ships (EVALSHA, falling back to EVAL; inside MULTI for a
 * flow, after SCRIPT EXISTS / SCRIPT LOAD), MULTI, sorted sets,
 * streams (XADD/XREAD BLOCK for events) and blocking pops (BZPOPMIN on the
 * queue's marker key). Nothing here depends on timing: every wait is for an
 * event, with a generous timeout that fails with what was still missing.
 */
import { FlowProducer, Job, Queue, QueueEvents, Worker } from "npm:bullmq@6.7.0";
import { Redis } from "../support/clients.ts";
import { assert, assertEquals } from "@std/assert";
import { startRedeno, startRedis, type TestServer } from "../support/servers.ts";

/** How long any one awaited event may take before the test fails. */
const EVENT_TIMEOUT_MS = 60_000;

interface Seen {
  completed: Map<string, unknown>;
  failed: Map<string, string>;
  progress: { jobId: string; data: unknown }[];
  paused: number;
  resumed: number;
}

/** Calls `check` after every event until it returns true; rejects with `what` after the timeout. */
class Waiter {
  #pending: { check: () => boolean; resolve: () => void }[] = [];

  /** Re-evaluates every pending wait (called on each event). */
  poke(): void {
    this.#pending = this.#pending.filter((p) => {
      if (!p.check()) return true;
      p.resolve();
      return false;
    });
  }

  /** Resolves once `check()` holds. */
  until(what: string, check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = this.#pending.filter((p) => p.check !== check);
        reject(new Error(`timed out after ${EVENT_TIMEOUT_MS} ms waiting for ${what}`));
      }, EVENT_TIMEOUT_MS);
      this.#pending.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }
}

/**
 * What BullMQ left in the keyspace, without its timestamps: each key's type
 * and, for a hash, its field names, for a list, set or sorted set, its size.
 * The events stream is left out (how many "drained" events there are depends
 * on when the worker found the queue empty).
 */
async function keyspaceShape(r: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await r.keys("bull:*")).sort()) {
    const type = await r.type(key);
    if (type === "hash") out[key] = ["hash", (await r.hkeys(key)).sort()];
    else if (type === "list") out[key] = ["list", await r.llen(key)];
    else if (type === "set") out[key] = ["set", await r.scard(key)];
    else if (type === "zset") out[key] = ["zset", await r.zcard(key)];
    else if (!key.endsWith(":events")) out[key] = [type];
  }
  return out;
}

/** Runs the scenario, asserting as it goes; returns the keyspace's shape at the end. */
async function bullmqScenario(
  server: TestServer,
  protocol: 2 | 3,
): Promise<Record<string, unknown>> {
  // BullMQ's documented set-up: one ioredis connection with
  // maxRetriesPerRequest null, shared by Queue, Worker and QueueEvents (each
  // duplicates it for its blocking commands). Connection options instead of
  // an instance would make BullMQ require() ioredis itself, which Deno cannot
  // resolve from an optional peer dependency.
  const connection = new Redis({
    host: "127.0.0.1",
    port: server.port,
    protocol,
    maxRetriesPerRequest: null,
  });
  const name = "mail";
  const queue = new Queue(name, { connection });
  // lastEventId "0": read the events stream from its start, so no event is
  // missed while QueueEvents' first XREAD BLOCK is still on its way.
  const events = new QueueEvents(name, { connection, lastEventId: "0" });
  let worker: Worker | null = null;
  let flows: FlowProducer | null = null;
  const seen: Seen = {
    completed: new Map(),
    failed: new Map(),
    progress: [],
    paused: 0,
    resumed: 0,
  };
  const waiter = new Waiter();
  const errors: unknown[] = [];
  const order: string[] = [];
  try {
    events.on("completed", ({ jobId, returnvalue }) => {
      seen.completed.set(jobId, returnvalue);
      waiter.poke();
    });
    events.on("failed", ({ jobId, failedReason }) => {
      seen.failed.set(jobId, failedReason);
      waiter.poke();
    });
    events.on("progress", ({ jobId, data }) => {
      seen.progress.push({ jobId, data });
      waiter.poke();
    });
    events.on("paused", () => {
      seen.paused++;
      waiter.poke();
    });
    events.on("resumed", () => {
      seen.resumed++;
      waiter.poke();
    });
    events.on("error", (e) => errors.push(e));
    queue.on("error", (e) => errors.push(e));
    await queue.waitUntilReady();
    await events.waitUntilReady();

    // Paused first: everything below waits until resume().
    await queue.pause();
    assertEquals(await queue.isPaused(), true);
    await waiter.until("the paused event", () => seen.paused === 1);

    const progress = await queue.add("progress", { n: 0 });
    const bulk = await queue.addBulk(
      [1, 2, 3, 4, 5].map((n) => ({ name: `bulk-${n}`, data: { n } })),
    );
    const flaky = await queue.add("flaky", { n: 6 }, { attempts: 2 });
    const doomed = await queue.add("doomed", { n: 7 });
    const prioLow = await queue.add("prio-low", { n: 8 }, { priority: 10 });
    const prioHigh = await queue.add("prio-high", { n: 9 }, { priority: 1 });
    // An hour away: it is promoted below rather than waited for.
    const later = await queue.add("later", { n: 10 }, { delay: 3_600_000 });
    assertEquals(bulk.length, 5);
    assertEquals(await later.getState(), "delayed");
    assertEquals(await prioHigh.getState(), "prioritized");
    assertEquals(await queue.getJobCounts(), {
      active: 0,
      completed: 0,
      delayed: 1,
      failed: 0,
      prioritized: 2,
      waiting: 8,
      "waiting-children": 0,
    });

    // One job at a time, so the prioritised jobs' order shows.
    worker = new Worker(name, async (job) => {
      order.push(job.name);
      switch (job.name) {
        case "progress":
          await job.log("step one");
          await job.updateProgress(40);
          await job.updateProgress({ step: "two" });
          return { done: true };
        case "flaky":
          if (job.attemptsMade === 0) throw new Error("flaky: the first attempt fails");
          return `recovered after ${job.attemptsMade} failed attempt`;
        case "doomed":
          throw new Error("doomed: always fails");
        case "parent":
          return Object.values(await job.getChildrenValues()).sort();
        default:
          return `${job.name}:${job.data.n}`;
      }
    }, { connection, concurrency: 1 });
    worker.on("error", (e) => errors.push(e));
    await worker.waitUntilReady();

    await queue.resume();
    assertEquals(await queue.isPaused(), false);
    // A short delay that really elapses: moved to wait by the worker's delayed-job handling.
    const soon = await queue.add("soon", { n: 11 }, { delay: 200 });

    const expectCompleted = [progress, ...bulk, flaky, prioLow, prioHigh, soon];
    await waiter.until(
      "completed events of " + expectCompleted.map((j) => j.name).join(", "),
      () => expectCompleted.every((j) => seen.completed.has(j.id!)),
    );
    await waiter.until("the failed event of doomed", () => seen.failed.has(doomed.id!));
    await waiter.until("the resumed event", () => seen.resumed === 1);

    // The delayed job, promoted now, runs at once.
    assertEquals(await later.getState(), "delayed");
    await later.promote();
    await waiter.until("the completed event of later", () => seen.completed.has(later.id!));

    // A flow: the parent waits for its children (one MULTI adds all three).
    // Explicit job IDs: BullMQ gives flow jobs random UUIDs otherwise.
    flows = new FlowProducer({ connection });
    const tree = await flows.add({
      name: "parent",
      queueName: name,
      data: { n: 12 },
      opts: { jobId: "flow-parent" },
      children: [1, 2].map((i) => ({
        name: `child-${i}`,
        queueName: name,
        data: { n: 12 + i },
        opts: { jobId: `flow-child-${i}` },
      })),
    });
    await waiter.until(
      "the completed event of the flow's parent",
      () => seen.completed.has(tree.job.id!),
    );
    assertEquals(seen.completed.get(tree.job.id!), ["child-1:13", "child-2:14"]);
    assertEquals(await tree.job.getDependenciesCount(), {
      processed: 2,
      unprocessed: 0,
      ignored: 0,
      failed: 0,
    });

    assertEquals(seen.completed.get(progress.id!), { done: true });
    assertEquals(await queue.getJobLogs(progress.id!), { logs: ["step one"], count: 1 });
    for (const [i, j] of bulk.entries()) {
      assertEquals(seen.completed.get(j.id!), `bulk-${i + 1}:${i + 1}`);
    }
    assertEquals(seen.completed.get(flaky.id!), "recovered after 1 failed attempt");
    assertEquals(seen.completed.get(later.id!), "later:10");
    assertEquals(seen.failed.get(doomed.id!), "doomed: always fails");
    assertEquals(seen.progress, [
      { jobId: progress.id!, data: 40 },
      { jobId: progress.id!, data: { step: "two" } },
    ]);
    // Waiting jobs in insertion order; the prioritised ones after them, highest first.
    const firstRuns = order.filter((n) =>
      n.startsWith("bulk") || n.startsWith("prio") ||
      ["progress", "flaky", "doomed"].includes(n)
    );
    assertEquals(firstRuns, [
      "progress",
      "bulk-1",
      "bulk-2",
      "bulk-3",
      "bulk-4",
      "bulk-5",
      "flaky",
      "doomed",
      "flaky",
      "prio-high",
      "prio-low",
    ]);

    const flakyDone = await Job.fromId(queue, flaky.id!);
    assert(flakyDone, "the flaky job is still there");
    assertEquals(flakyDone.attemptsMade, 2);
    assertEquals(flakyDone.returnvalue, "recovered after 1 failed attempt");
    assertEquals(await flakyDone.getState(), "completed");
    const failed = await queue.getFailed();
    assertEquals(failed.map((j) => [j.id, j.failedReason, j.attemptsMade]), [
      [doomed.id, "doomed: always fails", 1],
    ]);
    assertEquals(await queue.getJobCounts(), {
      active: 0,
      completed: 14,
      delayed: 0,
      failed: 1,
      prioritized: 0,
      waiting: 0,
      "waiting-children": 0,
    });
    assertEquals(errors, []);
    return await keyspaceShape(connection);
  } finally {
    // A clean shutdown: the worker finishes and drops its blocking
    // connection, QueueEvents its XREAD connection, then our own connection.
    await worker?.close();
    await flows?.close();
    await events.close();
    await queue.close();
    await connection.quit();
  }
}

// RESP3 is ioredis 6's default (HELLO 3); RESP2 is what older set-ups speak.
for (const protocol of [3, 2] as const) {
  Deno.test(`BullMQ queue, worker and events (RESP${protocol}), redis-server and redeno`, async (t) => {
    const shapes: Record<string, Record<string, unknown>> = {};
    const targets: [string, () => Promise<TestServer | null>][] = [
      ["redis-server", () => startRedis()],
      ["redeno", () => startRedeno()],
    ];
    for (const [kind, start] of targets) {
      await t.step(kind, async () => {
        const server = await start();
        if (!server) return; // no redis-server outside CI (startRedis said so)
        try {
          shapes[kind] = await bullmqScenario(server, protocol);
        } finally {
          await server.stop();
        }
      });
    }
    if (shapes["redis-server"] && shapes.redeno) {
      assertEquals(shapes.redeno, shapes["redis-server"], "the keys BullMQ left behind");
    }
  });
}
