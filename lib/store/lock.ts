/**
 * The store's promise-based lock. Commands run synchronously, so a single
 * command never needs it; it guards work that spans awaits (snapshots,
 * loading, shutdown) against writers. The free path allocates nothing:
 * `acquire()` returns null when the lock was taken at once, and `locked` is a
 * plain field read for the dispatcher's per-command check.
 */
export class Lock {
  #locked = false;
  #waiters: (() => void)[] = [];

  get locked(): boolean {
    return this.#locked;
  }

  /** Takes the lock now if free (returns null), else a promise of it. */
  acquire(): Promise<void> | null {
    if (!this.#locked) {
      this.#locked = true;
      return null;
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, in arrival order, or frees it. */
  release(): void {
    if (!this.#locked) throw new Error("release of a lock that is not held");
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }

  /** Resolves once the lock is free, without taking it (for writers). */
  async whenFree(): Promise<void> {
    while (this.#locked) {
      const p = this.acquire();
      if (p) await p;
      this.release();
    }
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const p = this.acquire();
    if (p) await p;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
