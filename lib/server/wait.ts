/**
 * The master side's synchronous-replication rules: WAIT's waiters with the
 * REPLCONF GETACK that asks replicas where they are, and
 * min-replicas-to-write (-NOREPLICAS).
 *
 * As Redis 7.0: a client's write offset (Client.woff) is master_repl_offset
 * after each of its commands; WAIT counts the online replicas whose last
 * REPLCONF ACK reached it, and blocks (lib/server/blocking.ts, no keys) until
 * enough have. A WAIT that blocks asks every replica for an ACK once per
 * event-loop turn, through the replication stream (the GETACK counts in
 * master_repl_offset and the backlog), not while clients are paused.
 */
import type { Server } from "./server.ts";
import type { Client } from "./client.ts";
import type { Waiter } from "./blocking.ts";
import { replicationOf } from "./replication.ts";
import { clientsPaused } from "./pause.ts";

/** A client blocked in WAIT. */
interface AckWaiter {
  client: Client;
  waiter: Waiter;
  /** The write offset the replicas must acknowledge. */
  offset: number;
  numreplicas: number;
}

/** One server's WAIT state. */
interface WaitState {
  /** Blocked WAITs, oldest first. */
  readonly waiting: Set<AckWaiter>;
  /** A GETACK is due at the end of this event-loop turn (Redis's get_ack_from_slaves). */
  getAckDue: boolean;
  /** While WAITs block: re-checks them (and a GETACK held back by a pause), as beforeSleep does. */
  timer: ReturnType<typeof setInterval> | null;
}

const states = new WeakMap<Server, WaitState>();

function stateOf(server: Server): WaitState {
  let s = states.get(server);
  if (s === undefined) {
    s = { waiting: new Set(), getAckDue: false, timer: null };
    states.set(server, s);
  }
  return s;
}

/** Redis's text for WAIT on a replica. */
export const ERR_WAIT_REPLICA =
  "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.";

/** Redis's -NOREPLICAS error. */
export const ERR_NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

/** Whether this server follows a master (REPLICAOF, lib/server/replica.ts). */
export function isReplica(server: Server): boolean {
  return replicationOf(server).masterHost !== null;
}

/** Online replicas that acknowledged `offset` (Redis's replicationCountAcksByOffset). */
export function countAcks(server: Server, offset: number): number {
  let n = 0;
  for (const r of replicationOf(server).live()) {
    if (r.state === "online" && r.ackOffset >= offset) n++;
  }
  return n;
}

/**
 * Records master_repl_offset as `c`'s write offset, after each command it
 * runs (Redis's processCommand sets c->woff after call()).
 */
export function noteWriteOffset(c: Client): void {
  // Without a backlog the offset does not move.
  if (c.server.persistence.replFeed !== null) c.woff = replicationOf(c.server).offset;
}

/**
 * Blocks `c` until `numreplicas` replicas acknowledged its write offset or
 * `timeoutMs` passes (0: for ever); the reply is the count then.
 */
export function blockForAcks(
  c: Client,
  args: string[],
  numreplicas: number,
  timeoutMs: number,
): void {
  const server = c.server;
  const s = stateOf(server);
  const offset = c.woff;
  const entry: AckWaiter = { client: c, waiter: null!, offset, numreplicas };
  entry.waiter = server.blocking.block(c, args, {
    keys: [],
    timeoutMs,
    retry: () => false,
    timedOut: () => {
      s.waiting.delete(entry);
      c.out.int(countAcks(server, offset));
    },
  });
  s.waiting.add(entry);
  requestAcks(server, s);
  if (s.timer === null) {
    s.timer = setInterval(() => tick(server, s), 100);
    Deno.unrefTimer(s.timer);
  }
}

/** Asks the replicas for an ACK once, at the end of this turn (coalescing the WAITs of the turn). */
function requestAcks(server: Server, s: WaitState): void {
  if (s.getAckDue) return;
  s.getAckDue = true;
  queueMicrotask(() => sendGetAck(server, s));
}

function sendGetAck(server: Server, s: WaitState): void {
  if (!s.getAckDue) return;
  // Held back while clients are paused (it would grow the backlog); sent once the pause ends.
  if (clientsPaused(server) !== null) return;
  s.getAckDue = false;
  if (isReplica(server)) return;
  replicationOf(server).requestAcks();
}

function tick(server: Server, s: WaitState): void {
  sendGetAck(server, s);
  serveAckWaiters(server);
  if (s.waiting.size === 0 && !s.getAckDue) {
    clearInterval(s.timer!);
    s.timer = null;
  }
}

/**
 * Replies to the WAITs whose count is reached (Redis's
 * processClientsWaitingReplicas): after a REPLCONF ACK, and now and then
 * while some wait (replicas come online or go).
 */
export function serveAckWaiters(server: Server): void {
  const s = states.get(server);
  if (s === undefined || s.waiting.size === 0) return;
  for (const w of s.waiting) {
    if (w.client.blocked !== w.waiter) {
      // Dropped or unblocked meanwhile.
      s.waiting.delete(w);
      continue;
    }
    if (countAcks(server, w.offset) >= w.numreplicas) {
      // Its reply is the count now, as the timeout's is.
      server.blocking.unblock(w.client, "timeout");
    }
  }
}

/**
 * Replicas that count for min-replicas-to-write: online ones whose last ACK
 * is at most min-replicas-max-lag seconds old (Redis's refreshGoodSlavesCount,
 * in whole seconds of the clock).
 */
export function goodReplicas(server: Server): number {
  const maxLag = server.config.num("min-replicas-max-lag");
  const now = Math.floor(Date.now() / 1000);
  let n = 0;
  for (const r of replicationOf(server).live()) {
    if (r.state === "online" && now - Math.floor(r.ackTime / 1000) <= maxLag) n++;
  }
  return n;
}

/** Whether min-replicas-to-write / min-replicas-max-lag are both set (INFO min_slaves_good_slaves). */
export function minReplicasActive(server: Server): boolean {
  const config = server.config;
  return config.num("min-replicas-to-write") !== 0 && config.num("min-replicas-max-lag") !== 0;
}

/**
 * Whether writes are refused for lack of good replicas (Redis's
 * checkGoodReplicasStatus failing): a master with min-replicas-to-write and
 * min-replicas-max-lag set and fewer good replicas than asked.
 */
export function tooFewReplicas(server: Server): boolean {
  const min = server.minReplicasToWrite;
  if (min === 0 || isReplica(server)) return false;
  if (server.config.num("min-replicas-max-lag") === 0) return false;
  return goodReplicas(server) < min;
}
