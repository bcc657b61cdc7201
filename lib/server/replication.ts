/**
 * The master side of replication: the replication id and offset, the
 * backlog, and the replicas attached by PSYNC / SYNC.
 *
 * The stream is what Persistence.propagate logs (its replFeed hook), so the
 * AOF and the replicas get the same commands, plus SELECT when the database
 * changes and a PING every repl-ping-replica-period. A full resync freezes
 * the keyspace (copy-on-write, no pause of other clients), writes its RDB
 * into memory in slices between other work, then sends it as one bulk
 * (`$<len>\r\n<rdb>`) followed by the stream produced meanwhile.
 * master_repl_offset counts every byte of the stream; nothing is counted
 * while no backlog exists (no replica ever attached), as in Redis.
 */
import type { Server } from "./server.ts";
import { randomHex } from "../util/random.ts";
import type { Client } from "./client.ts";
import type { Follower } from "./replica.ts";
import { appendCommand } from "../persistence/aoffile.ts";
import { rdbChunks } from "../persistence/rdb.ts";
import { ByteBuffer } from "../util/bytebuf.ts";
import { strToBytes } from "../resp/bytes.ts";

/** A replica's state, as INFO's slaveN state= names it. */
export type ReplicaState = "wait_bgsave" | "send_bulk" | "online";

/** One attached replica (Client.replica). */
export class ReplicaLink {
  state: ReplicaState = "wait_bgsave";
  /** Offset the replica acknowledged (REPLCONF ACK). */
  ackOffset = 0;
  /** When it last acknowledged (ms). */
  ackTime = Date.now();
  /** Asked by PSYNC (it gets +FULLRESYNC), not by SYNC. */
  psync = true;
  /**
   * After a diskless transfer, the stream is held until the replica's first
   * ACK: it finds the end of the RDB by its mark, which stream bytes right
   * behind it would hide (as Redis's repl_start_cmd_stream_on_ack).
   */
  heldUntilAck: Uint8Array[] | null = null;

  constructor(readonly client: Client, readonly handshake: ReplicaHandshake) {}
}

/**
 * A full resync in progress: one snapshot for every replica that asks while
 * it is being written, and the stream produced since its instant.
 */
interface Transfer {
  /** master_repl_offset at the snapshot's instant; -1 until the keyspace is frozen. */
  offset: number;
  links: ReplicaLink[];
  pending: Uint8Array[];
}

/** What a connection announced with REPLCONF before PSYNC. */
export interface ReplicaHandshake {
  listeningPort: number;
  ipAddress: string;
  capa: Set<string>;
}

const handshakes = new WeakMap<Client, ReplicaHandshake>();

/** The REPLCONF settings of `c` (created on first use). */
export function handshakeOf(c: Client): ReplicaHandshake {
  let h = handshakes.get(c);
  if (h === undefined) {
    h = { listeningPort: 0, ipAddress: "", capa: new Set() };
    handshakes.set(c, h);
  }
  return h;
}

const NEWLINE = new Uint8Array([10]);

/** A circular buffer of the last repl-backlog-size bytes of the stream. */
class Backlog {
  buf: Uint8Array;
  /** Next write position in buf. */
  idx = 0;
  /** Bytes of history held (at most buf.length). */
  histlen = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  append(data: Uint8Array): void {
    const size = this.buf.length;
    let src = data.length > size ? data.subarray(data.length - size) : data;
    while (src.length !== 0) {
      const n = Math.min(size - this.idx, src.length);
      this.buf.set(src.subarray(0, n), this.idx);
      this.idx = (this.idx + n) % size;
      src = src.subarray(n);
    }
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /** The last `n` bytes of history (n <= histlen). */
  tail(n: number): Uint8Array {
    const size = this.buf.length;
    const out = new Uint8Array(n);
    const start = (this.idx - n + size) % size;
    const first = Math.min(n, size - start);
    out.set(this.buf.subarray(start, start + first));
    out.set(this.buf.subarray(0, n - first), first);
    return out;
  }
}

/** The master side's state of one server (replicationOf). */
export class Replication {
  /** master_replid. */
  replid: string;
  /** master_replid2 (all zeros: this server never had another master). */
  replid2 = "0".repeat(40);
  /** second_repl_offset. */
  secondOffset = -1;
  /** master_repl_offset: bytes of the stream so far. */
  offset = 0;
  backlog: Backlog | null = null;
  readonly replicas: ReplicaLink[] = [];
  /** Full / partial resyncs served and refused (INFO stats sync_*). */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** Database of the last SELECT in the stream; -1 forces one before the next command. */
  #seldb = -1;
  readonly #scratch = new ByteBuffer(1024);
  #cron: ReturnType<typeof setInterval> | null = null;
  #transfer: Transfer | null = null;
  #cronLoops = 0;
  /** When the last replica left (ms), for repl-backlog-ttl. */
  #noReplicasSince = Date.now();
  /** The master this server follows (null: it is a master), and its link. */
  masterHost: string | null = null;
  masterPort = 0;
  follower: Follower | null = null;

  constructor(readonly server: Server) {
    this.replid = server.replId;
  }

  /** Replicas whose connection is still open (closed ones are dropped here). */
  live(): ReplicaLink[] {
    const r = this.replicas;
    for (let i = r.length - 1; i >= 0; i--) {
      if (r[i].client.closed) {
        r.splice(i, 1);
        if (r.length === 0) this.#noReplicasSince = Date.now();
      }
    }
    return r;
  }

  /** Appends one command of database `db` to the stream (Persistence.replFeed). */
  readonly feed = (db: number, args: readonly string[]): void => {
    const s = this.#scratch;
    s.pos = 0;
    if (db !== this.#seldb && db >= 0) {
      appendCommand(s, ["SELECT", String(db)]);
      this.#seldb = db;
    }
    appendCommand(s, args);
    this.#emit(s.buf.subarray(0, s.pos));
  };

  /** REPLCONF GETACK * to every replica, in the stream's current database (WAIT, lib/server/wait.ts). */
  requestAcks(): void {
    if (this.backlog !== null) this.feed(this.#seldb, ["REPLCONF", "GETACK", "*"]);
  }

  /** Adds bytes to the stream: the backlog, the offset, every replica. */
  #emit(data: Uint8Array): void {
    this.offset += data.length;
    this.backlog!.append(data);
    const t = this.#transfer;
    if (t !== null && t.offset !== -1) t.pending.push(data.slice());
    for (const r of this.live()) {
      if (r.state !== "online") continue;
      if (r.heldUntilAck !== null) {
        r.heldUntilAck.push(data.slice());
      } else {
        const c = r.client;
        c.out.raw(data);
        if (c.replyStart !== -1) c.replyStart = c.out.length;
        if (!this.#flushQueued) {
          // Once per turn of the event loop, after every ready client ran
          // (as Redis writes to replicas before it sleeps): fewer, larger writes.
          this.#flushQueued = true;
          setTimeout(this.#flushStream, 0);
        }
      }
    }
  }

  #flushQueued = false;
  readonly #flushStream = (): void => {
    this.#flushQueued = false;
    for (const r of this.replicas) if (!r.client.closed) this.server.queueWrite(r.client);
  };

  /** Output to a replica, outside the replies of its own commands. */
  #write(c: Client, data: Uint8Array): void {
    c.out.raw(data);
    // Written during its own command: CLIENT REPLY OFF-style dropping must keep it.
    if (c.replyStart !== -1) c.replyStart = c.out.length;
    this.server.queueWrite(c);
  }

  #ensureBacklog(): void {
    if (this.backlog !== null) return;
    this.backlog = new Backlog(this.server.config.num("repl-backlog-size"));
    this.#seldb = -1;
    // A replica's stream is its master's (feedFromMaster), not its own commands.
    if (this.masterHost === null) this.server.persistence.replFeed = this.feed;
  }

  /** A replica: bytes of its master's stream, applied, go on to the backlog and our replicas. */
  feedFromMaster(data: Uint8Array): void {
    this.#ensureBacklog();
    this.#emit(data);
  }

  /**
   * A replica after a full resync: a new history starts at the master's
   * `offset` under its id (no backlog before it).
   */
  startHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.replid2 = "0".repeat(40);
    this.secondOffset = -1;
    this.offset = offset;
    this.backlog = null;
    this.#ensureBacklog();
    this.#startCron();
  }

  /** A replica continuing (+CONTINUE) the history it has. */
  continueAs(replid: string, offset: number): void {
    this.replid = replid;
    this.offset = offset;
    this.#ensureBacklog();
    this.#startCron();
  }

  /**
   * The history goes on under `newId` from `offset` (Redis's
   * shiftReplicationId): the old id stays valid as replid2 up to it.
   */
  shiftReplid(newId: string, offset = this.offset): void {
    this.replid2 = this.replid;
    this.secondOffset = offset + 1;
    this.replid = newId;
    this.server.log.notice(
      `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondOffset}. New replication ID is ${newId}`,
    );
  }

  /**
   * Before a shutdown (Redis 7.0's shutdown-timeout): asks the replicas for
   * an ACK and waits up to `ms` until every one acknowledged the whole
   * stream, or until `aborted()`. Logs the replicas still lagging. False
   * when aborted.
   */
  async catchUpBeforeShutdown(ms: number, aborted: () => boolean): Promise<boolean> {
    const lagging = () => this.live().filter((r) => r.ackOffset !== this.offset);
    if (ms <= 0 || lagging().length === 0) return true;
    const log = this.server.log;
    log.notice("Waiting for replicas before shutting down.");
    if (this.masterHost === null && this.backlog !== null) {
      this.feed(this.#seldb, ["REPLCONF", "GETACK", "*"]);
    }
    const deadline = Date.now() + ms;
    while (lagging().length !== 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      if (aborted()) return false;
    }
    const all = this.live();
    const now = Date.now();
    for (const r of lagging()) {
      const lag = r.state === "online" ? Math.floor(now / 1000) - Math.floor(r.ackTime / 1000) : 0;
      log.warning(
        `Lagging replica ${replicaIp(r)}:${r.handshake.listeningPort} reported offset ` +
          `${this.offset - r.ackOffset} behind master, lag=${lag}, state=${r.state}.`,
      );
    }
    if (all.length !== 0) {
      const inSync = all.length - lagging().length;
      log.notice(`${inSync} of ${all.length} replicas are in sync when shutting down.`);
    }
    return true;
  }

  /** A replica's REPLCONF ACK: the stream held since a diskless transfer goes out now. */
  acked(link: ReplicaLink): void {
    const held = link.heldUntilAck;
    if (held === null) return;
    link.heldUntilAck = null;
    for (const data of held) this.#write(link.client, data);
  }

  /** Disconnects every replica (they reconnect and resync, partially when they can). */
  dropReplicas(): void {
    for (const r of this.live()) r.client.kill();
  }

  /**
   * REPLICAOF NO ONE: this replica becomes a master and continues the
   * history under a new id; its replicas reconnect and continue by partial
   * resync (the old id is replid2).
   */
  becomeMaster(): void {
    this.masterHost = null;
    this.masterPort = 0;
    this.shiftReplid(randomHex(40));
    this.dropReplicas();
    // The stream now comes from this server's own commands, starting with a SELECT.
    this.#seldb = -1;
    if (this.backlog !== null) this.server.persistence.replFeed = this.feed;
    this.#noReplicasSince = Date.now();
  }

  /** REPLICAOF host port: from now on the stream comes from the master. */
  becomeReplica(host: string, port: number): void {
    this.masterHost = host;
    this.masterPort = port;
    this.server.persistence.replFeed = null;
  }

  #startCron(): void {
    if (this.#cron !== null) return;
    this.#cron = setInterval(() => this.#tick(), 1000);
    Deno.unrefTimer(this.#cron);
  }

  /** Once a second: PING every repl-ping-replica-period; the backlog goes after repl-backlog-ttl. */
  #tick(): void {
    if (this.server.shuttingDown) {
      clearInterval(this.#cron!);
      this.#cron = null;
      return;
    }
    const period = this.server.config.num("repl-ping-replica-period");
    const live = this.live();
    // CONFIG SET repl-backlog-size takes effect here (keeping the newest history).
    const size = this.server.config.num("repl-backlog-size");
    if (this.backlog !== null && size !== this.backlog.buf.length) this.#resizeBacklog(size);
    // A replica waiting for its snapshot gets a newline now and then: its link stays alive.
    for (const r of live) {
      if (r.state === "wait_bgsave") this.#write(r.client, NEWLINE);
    }
    // A replica passes its master's PINGs on; it keeps its backlog.
    if (this.masterHost !== null) return;
    if (live.length !== 0 && ++this.#cronLoops % period === 0) {
      // In the current database: no SELECT for a PING.
      this.feed(this.#seldb, ["PING"]);
    }
    if (live.length === 0 && this.backlog !== null) {
      const ttl = this.server.config.num("repl-backlog-ttl");
      if (ttl > 0 && Date.now() - this.#noReplicasSince >= ttl * 1000) {
        // As Redis: a new history starts, the old one cannot be continued.
        this.backlog = null;
        this.server.persistence.replFeed = null;
        this.replid = randomHex(40);
        this.replid2 = "0".repeat(40);
        this.secondOffset = -1;
        clearInterval(this.#cron!);
        this.#cron = null;
      }
    }
  }

  #resizeBacklog(size: number): void {
    const old = this.backlog!;
    const next = new Backlog(size);
    next.append(old.tail(Math.min(old.histlen, size)));
    this.backlog = next;
  }

  /**
   * PSYNC (replid, offset given) or SYNC (null): a partial resync from the
   * backlog when it holds what the replica misses, else a full one.
   */
  sync(c: Client, replid: string | null, psyncOffset: number): void {
    const handshake = handshakeOf(c);
    if (replid !== null) {
      if (this.#tryPartial(c, handshake, replid, psyncOffset)) return;
      if (replid !== "?") this.syncPartialErr++;
    }
    this.syncFull++;
    if (this.backlog === null && this.masterHost === null) {
      // As Redis: the first backlog starts a history under a new id.
      this.replid = randomHex(40);
      this.replid2 = "0".repeat(40);
      this.secondOffset = -1;
      this.server.log.notice(
        `Replication backlog created, my new replication IDs are '${this.replid}' and '${this.replid2}'`,
      );
    }
    this.#ensureBacklog();
    this.#startCron();
    const link = new ReplicaLink(c, handshake);
    link.psync = replid !== null;
    c.replica = link;
    this.replicas.push(link);
    const t = this.#transfer;
    if (t !== null) {
      // A snapshot is being written: this replica gets the same one.
      t.links.push(link);
      if (t.offset !== -1) this.#fullResyncLine(link, t.offset);
      return;
    }
    const transfer: Transfer = { offset: -1, links: [link], pending: [] };
    this.#transfer = transfer;
    this.#fullSync(transfer).catch((e) => {
      this.server.log.warning(`Full resync of replicas failed: ${(e as Error).message}`);
      for (const l of transfer.links) l.client.kill();
    }).finally(() => (this.#transfer = null));
  }

  #fullResyncLine(link: ReplicaLink, offset: number): void {
    if (link.psync) {
      this.#write(link.client, strToBytes(`+FULLRESYNC ${this.replid} ${offset}\r\n`));
    }
    this.server.log.notice(
      `Starting full resync of replica ${link.client.addr} at offset ${offset}`,
    );
  }

  #tryPartial(c: Client, h: ReplicaHandshake, replid: string, off: number): boolean {
    const b = this.backlog;
    if (replid !== this.replid && (replid !== this.replid2 || off > this.secondOffset)) {
      return false;
    }
    if (b === null) return false;
    const first = this.offset - b.histlen + 1;
    if (off < first || off > first + b.histlen) return false;
    const link = new ReplicaLink(c, h);
    link.state = "online";
    link.ackOffset = off - 1;
    c.replica = link;
    this.replicas.push(link);
    this.#startCron();
    this.syncPartialOk++;
    const line = h.capa.has("psync2") ? `+CONTINUE ${this.replid}\r\n` : "+CONTINUE\r\n";
    this.#write(c, strToBytes(line));
    const missing = this.offset - off + 1;
    if (missing > 0) this.#write(c, b.tail(missing));
    this.server.log.notice(
      `Partial resynchronization request from ${c.addr} accepted. Sending ${missing} bytes of backlog starting from offset ${off}.`,
    );
    return true;
  }

  /** Freezes the keyspace, writes its RDB in memory in slices, then sends it to every waiting replica. */
  async #fullSync(t: Transfer): Promise<void> {
    const persistence = this.server.persistence;
    let snap = persistence.freezeForTransfer();
    // Another snapshot holds the keyspace: this one starts once it is free.
    while (snap === null) {
      await persistence.idle();
      await new Promise((r) => setTimeout(r, 10));
      if (t.links.every((l) => l.client.closed)) return;
      snap = persistence.freezeForTransfer();
    }
    const { frozen, opts } = snap;
    // Persistence's own snapshots wait for this one (one frozen view at a time).
    let release!: () => void;
    persistence.transfer = new Promise<void>((r) => (release = r));
    try {
      // The instant of the snapshot: the stream after it starts with a SELECT.
      t.offset = this.offset;
      this.#seldb = -1;
      for (const link of t.links) this.#fullResyncLine(link, t.offset);
      const chunks: Uint8Array[] = [];
      let size = 0;
      const gen = rdbChunks(frozen, {
        ...opts,
        // A replica's replicas continue in the database its master's stream is in.
        repl: { streamDb: this.follower?.master?.db.id ?? 0, id: this.replid, offset: t.offset },
      });
      for (const chunk of gen) {
        chunks.push(chunk);
        size += chunk.length;
        // Other clients are served between slices.
        await new Promise((r) => setTimeout(r, 0));
        if (t.links.every((l) => l.client.closed)) return;
      }
      frozen.release();
      const head = strToBytes(`$${size}\r\n`);
      const diskless = this.server.config.bool("repl-diskless-sync");
      for (const link of t.links) {
        const c = link.client;
        if (c.closed) continue;
        link.state = "send_bulk";
        // Diskless form to replicas that read it: `$EOF:<mark>`, the RDB, the mark.
        const mark = diskless && link.handshake.capa.has("eof") ? strToBytes(randomHex(40)) : null;
        if (mark !== null) {
          this.#write(c, strToBytes("$EOF:"));
          this.#write(c, mark);
          this.#write(c, strToBytes("\r\n"));
        } else {
          this.#write(c, head);
        }
        for (const chunk of chunks) this.#write(c, chunk);
        link.state = "online";
        link.ackTime = Date.now();
        if (mark !== null) {
          this.#write(c, mark);
          link.heldUntilAck = [...t.pending];
        } else {
          for (const data of t.pending) this.#write(c, data);
        }
        this.server.log.notice(
          `Synchronization with replica ${c.addr} succeeded` +
            (mark !== null ? " (socket): the stream follows its first ACK" : ""),
        );
      }
    } finally {
      frozen.release();
      persistence.transfer = null;
      release();
    }
  }

  /** INFO replication's fields of a replica, before connected_slaves. */
  #replicaInfoLines(now: number): [string, string | number][] {
    const f = this.follower!;
    const config = this.server.config;
    const up = f.state === "connected";
    const lines: [string, string | number][] = [
      ["role", "slave"],
      ["master_host", this.masterHost!],
      ["master_port", this.masterPort],
      ["master_link_status", up ? "up" : "down"],
      ["master_last_io_seconds_ago", f.master !== null ? secondsSince(now, f.lastIo) : -1],
      ["master_sync_in_progress", f.state === "sync" ? 1 : 0],
      ["slave_read_repl_offset", f.master !== null ? f.readOffset : f.appliedOffset],
      ["slave_repl_offset", f.appliedOffset],
    ];
    const t = f.transfer;
    if (f.state === "sync" && t !== null) {
      lines.push(
        ["master_sync_total_bytes", t.total],
        ["master_sync_read_bytes", t.read],
        ["master_sync_left_bytes", t.total - t.read],
        ["master_sync_perc", t.total === 0 ? "0.00" : ((t.read / t.total) * 100).toFixed(2)],
        ["master_sync_last_io_seconds_ago", secondsSince(now, t.lastIo)],
      );
    }
    if (!up) {
      lines.push([
        "master_link_down_since_seconds",
        f.downSince === 0 ? -1 : secondsSince(now, f.downSince),
      ]);
    }
    lines.push(
      ["slave_priority", config.num("replica-priority")],
      ["slave_read_only", config.bool("replica-read-only") ? 1 : 0],
      ["replica_announced", config.bool("replica-announced") ? 1 : 0],
    );
    return lines;
  }

  /** INFO replication's master fields. */
  infoLines(): [string, string | number][] {
    const live = this.live();
    const now = Date.now();
    const lines: [string, string | number][] = this.masterHost === null
      ? [["role", "master"]]
      : this.#replicaInfoLines(now);
    lines.push(["connected_slaves", live.length]);
    live.forEach((r, i) => {
      lines.push([
        `slave${i}`,
        `ip=${replicaIp(r)},port=${r.handshake.listeningPort},state=${r.state},` +
        `offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`,
      ]);
    });
    const b = this.backlog;
    lines.push(
      ["master_failover_state", "no-failover"],
      ["master_replid", this.replid],
      ["master_replid2", this.replid2],
      ["master_repl_offset", this.offset],
      ["second_repl_offset", this.secondOffset],
      ["repl_backlog_active", b === null ? 0 : 1],
      ["repl_backlog_size", this.server.config.num("repl-backlog-size")],
      ["repl_backlog_first_byte_offset", b === null ? 0 : this.offset - b.histlen + 1],
      ["repl_backlog_histlen", b === null ? 0 : b.histlen],
    );
    return lines;
  }
}

/** Whole seconds from `since` (ms) to `now`, as Redis's unixtime differences. */
function secondsSince(now: number, since: number): number {
  return Math.floor(now / 1000) - Math.floor(since / 1000);
}

/** The address a replica is reached at: the announced one, else its connection's. */
export function replicaIp(r: ReplicaLink): string {
  if (r.handshake.ipAddress !== "") return r.handshake.ipAddress;
  const addr = r.client.addr;
  return addr.slice(0, addr.lastIndexOf(":"));
}

const states = new WeakMap<Server, Replication>();

/** The replication state of `server` (created on first use). */
export function replicationOf(server: Server): Replication {
  let r = states.get(server);
  if (r === undefined) {
    r = new Replication(server);
    states.set(server, r);
  }
  return r;
}
