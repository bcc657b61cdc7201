/**
 * Output buffer limits (client-output-buffer-limit), as Redis 7.0's
 * checkClientOutputBufferLimits / closeClientOnOutputBufferLimitReached: a
 * client whose replies pile up beyond its class's hard limit, or beyond the
 * soft limit for longer than its seconds, is closed at once — its pending
 * output dropped — so a subscriber that stops reading cannot grow the
 * server without bound, and the publisher never waits for it.
 *
 * What is counted is Client.outputBufferMemory() (CLIENT LIST omem): the
 * reply list Redis would hold beyond the fixed buffer. As in Redis, the
 * check runs whenever output is added (after a client's own replies, and
 * for each message or push written to it by another client) and costs a
 * comparison while nothing waits beyond the buffer.
 */
import type { Client } from "./client.ts";
import type { ObufClass, ObufLimits } from "../config.ts";

/** One class's limits as numbers (bytes; 0 = none). */
interface Limits {
  hard: number;
  soft: number;
  seconds: number;
}

/**
 * A replica while its snapshot is being written to it: the snapshot is not
 * output that piles up (Redis sends it from the file, past the reply list).
 */
const NO_LIMITS: Limits = { hard: 0, soft: 0, seconds: 0 };

/** The numeric form of each client-output-buffer-limit value (values are replaced, never changed). */
const numeric = new WeakMap<ObufLimits, Record<ObufClass, Limits>>();

/** When each client was first seen over its soft limit (Redis's obuf_soft_limit_reached_time, seconds). */
const softSince = new WeakMap<Client, number>();

function limitsOf(c: Client): Limits {
  const value = c.server.config.get("client-output-buffer-limit") as ObufLimits;
  let n = numeric.get(value);
  if (n === undefined) {
    const conv = (l: ObufLimits[ObufClass]): Limits => ({
      hard: Number(l.hard),
      soft: Number(l.soft),
      seconds: l.seconds,
    });
    n = { normal: conv(value.normal), slave: conv(value.slave), pubsub: conv(value.pubsub) };
    numeric.set(value, n);
  }
  // Redis's getClientType: a replica is of class slave, a subscriber
  // (CLIENT_PUBSUB) of class pubsub; every other client (monitors included) normal.
  if (c.replica !== null) return c.replica.state === "send_bulk" ? NO_LIMITS : n.slave;
  return c.subscriberMode ? n.pubsub : n.normal;
}

/**
 * Whether `c`'s output buffer is over its hard limit, or has been over its
 * soft limit continuously for more than the soft seconds (the first sighting
 * starts the clock; dropping under the soft limit resets it).
 */
export function outputBufferLimitReached(c: Client): boolean {
  const limits = limitsOf(c);
  if (limits.hard === 0 && limits.soft === 0) return false;
  const used = c.outputBufferMemory();
  const hard = limits.hard !== 0 && used >= limits.hard;
  let soft = limits.soft !== 0 && used >= limits.soft;
  if (soft) {
    const now = Math.floor(c.server.keyspace.cachedNow / 1000);
    const since = softSince.get(c);
    if (since === undefined) {
      softSince.set(c, now);
      soft = false;
    } else if (now - since <= limits.seconds) {
      soft = false;
    }
  } else {
    softSince.delete(c);
  }
  return soft || hard;
}

/**
 * Closes `c` when its output buffer is over its limits (see
 * outputBufferLimitReached), logging it at warning level as Redis does;
 * returns whether it was closed. Free while nothing waits beyond the buffer.
 * `async` false: from the client cron (a client over its soft limit that
 * gets no more output is still dropped once its seconds pass), logged as
 * Redis logs a client freed at once.
 */
export function closeOnOutputBufferLimit(c: Client, async = true): boolean {
  // Fake clients (AOF loading, scripts) have no socket; a closed one is going already.
  if (c.transport === null || c.closed) return false;
  if (c.out.length + c.transport.unsentBytes <= c.out.capacity) return false;
  if (!outputBufferLimitReached(c)) return false;
  const info = c.info();
  c.kill();
  // What it was owed is dropped with it: the writer's memory goes now.
  c.out.truncate(0);
  c.out.resize(c.out.capacity);
  softSince.delete(c);
  // Its subscriptions go once the running command is done, as Redis frees
  // such a client before the next event (this PUBLISH still counts it).
  queueMicrotask(() => c.server.pubsub.dropClient(c));
  c.server.log.warning(
    async
      ? `Client ${info} scheduled to be closed ASAP for overcoming of output buffer limits.`
      : `Client ${info} closed for overcoming of output buffer limits.`,
  );
  return true;
}
