/**
 * The store lock: a free lock is taken without allocating a promise, waiters
 * get it in arrival order, whenFree waits without holding it, run releases
 * even when its function throws.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { Lock } from "../../lib/store/lock.ts";

/** Counts `new Promise(...)` calls made through the global while `fn` runs. */
function countPromises(fn: () => void): number {
  const Original = globalThis.Promise;
  let count = 0;
  const Counting: PromiseConstructor = new Proxy(Original, {
    construct(target, args): object {
      count++;
      return Reflect.construct(target, args);
    },
  });
  globalThis.Promise = Counting;
  try {
    fn();
  } finally {
    globalThis.Promise = Original;
  }
  return count;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("lock: the free path returns null and allocates no promise", () => {
  const lock = new Lock();
  const n = countPromises(() => {
    for (let i = 0; i < 1000; i++) {
      const p = lock.acquire();
      if (p !== null) throw new Error("free lock not taken at once");
      if (!lock.locked) throw new Error("not locked after acquire");
      lock.release();
    }
  });
  assertEquals(n, 0);
  assertEquals(lock.locked, false);
  // The probe does see the promise of a contended acquire.
  lock.acquire();
  let waiter: Promise<void> | null = null;
  assertEquals(countPromises(() => (waiter = lock.acquire())), 1);
  assert(waiter !== null);
  lock.release();
  lock.release();
});

Deno.test("lock: waiters get the lock in FIFO order, with no barging", async () => {
  const lock = new Lock();
  assertEquals(lock.acquire(), null);
  const order: number[] = [];
  const holders = [1, 2, 3].map((i) =>
    lock.acquire()!.then(async () => {
      order.push(i);
      await tick();
      lock.release();
    })
  );
  await tick();
  assertEquals(order, []);
  lock.release();
  // Handed to waiter 1 directly: still locked, a newcomer must queue.
  assertEquals(lock.locked, true);
  const late = lock.acquire();
  assert(late instanceof Promise);
  const lateDone = late.then(() => {
    order.push(4);
    lock.release();
  });
  await Promise.all([...holders, lateDone]);
  assertEquals(order, [1, 2, 3, 4]);
  assertEquals(lock.locked, false);
});

Deno.test("lock: whenFree waits for the holder and the queue, without taking the lock", async () => {
  const lock = new Lock();
  await lock.whenFree(); // free: resolves at once
  assertEquals(lock.locked, false);
  lock.acquire();
  const events: string[] = [];
  const queued = lock.acquire()!.then(() => {
    events.push("waiter");
    lock.release();
  });
  const free = lock.whenFree().then(() => {
    events.push("free");
    assertEquals(lock.locked, false);
  });
  await tick();
  await tick();
  assertEquals(events, []);
  lock.release();
  await Promise.all([queued, free]);
  assertEquals(events, ["waiter", "free"]);
  assertEquals(lock.locked, false);
});

Deno.test("lock: run holds the lock, serializes, and releases on throw", async () => {
  const lock = new Lock();
  const log: string[] = [];
  const a = lock.run(async () => {
    log.push("a start");
    await tick();
    await tick();
    log.push("a end");
    return 1;
  });
  const b = lock.run(() => {
    log.push("b");
    return 2;
  });
  assertEquals(await Promise.all([a, b]), [1, 2]);
  assertEquals(log, ["a start", "a end", "b"]);
  assertEquals(lock.locked, false);

  await assertRejects(() =>
    lock.run(() => {
      throw new Error("boom");
    })
  );
  assertEquals(lock.locked, false);
  await assertRejects(() =>
    lock.run(async () => {
      await tick();
      throw new Error("async boom");
    })
  );
  assertEquals(lock.locked, false);
  assertEquals(await lock.run(() => "after"), "after");
});

Deno.test("lock: releasing a free lock is an error", () => {
  const lock = new Lock();
  assertThrows(() => lock.release());
});
