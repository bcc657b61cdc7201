/**
 * The replica side of replication: redeno following a master (REPLICAOF,
 * the replicaof option).
 *
 * The link runs Redis's handshake (PING, AUTH, REPLCONF listening-port /
 * ip-address / capa eof psync2, PSYNC or SYNC), receives a full resync's
 * RDB in either form (`$<len>` or diskless `$EOF:<mark>`) while the old data
 * set is still served, then loads it, or continues from its offset after
 * +CONTINUE. The stream that follows is applied through the dispatcher by a
 * client flagged `master` (obeyed, never answered) and, byte for byte, goes
 * on to this server's backlog and replicas (chained replicas get the
 * master's own stream). REPLCONF ACK goes back every second and on GETACK.
 * When the link drops, the replication id and offset are kept so that the
 * next attempt is a partial resync.
 */
import type { Server } from "./server.ts";
import { Client } from "./client.ts";
import { replicationOf } from "./replication.ts";
import { RespParser } from "../resp/decoder.ts";
import { appendCommand, commandSize } from "../persistence/aoffile.ts";
import { ByteBuffer } from "../util/bytebuf.ts";
import { bytesToStr, strToBytes } from "../resp/bytes.ts";
import { dispatch } from "../commands/table.ts";

/** The link's state, as ROLE names it. */
export type LinkState = "connect" | "connecting" | "handshake" | "sync" | "connected";

/** Where this replica continues from with PSYNC (Redis's cached master). */
export interface Continuation {
  replid: string;
  /** Offset of the last byte of the stream applied. */
  offset: number;
  /** Database the stream was in (it goes on without a SELECT). */
  db: number;
}

/** A failed attempt: logged, and the link is tried again a second later. */
class LinkError extends Error {}

const READ_SIZE = 64 * 1024;
/** Length of the mark ending a diskless transfer (`$EOF:<mark>`). */
const EOF_MARK_LEN = 40;

/** Reads the master's replies and the transfer from the link's socket. */
class LinkReader {
  #buf = new Uint8Array(0);
  #pos = 0;

  constructor(private readonly conn: Deno.Conn, private readonly onRead: () => void) {}

  /** Read into one reused buffer: callers copy what they keep. */
  readonly #readBuf = new Uint8Array(READ_SIZE);

  async #read(): Promise<Uint8Array> {
    const n = await this.conn.read(this.#readBuf);
    if (n === null) throw new LinkError("Connection with master lost.");
    this.onRead();
    return this.#readBuf.subarray(0, n);
  }

  /** One line, without its CRLF. */
  async line(): Promise<string> {
    for (;;) {
      const i = this.#buf.indexOf(10, this.#pos);
      if (i >= 0) {
        const end = i > this.#pos && this.#buf[i - 1] === 13 ? i - 1 : i;
        const line = bytesToStr(this.#buf, this.#pos, end);
        this.#pos = i + 1;
        return line;
      }
      if (this.#buf.length - this.#pos > READ_SIZE) {
        throw new LinkError("Master sent a line too long");
      }
      const chunk = await this.#read();
      const rest = this.#buf.subarray(this.#pos);
      const next = new Uint8Array(rest.length + chunk.length);
      next.set(rest);
      next.set(chunk, rest.length);
      this.#buf = next;
      this.#pos = 0;
    }
  }

  /** What is buffered, else the next bytes from the socket (valid until the next read). */
  async chunk(): Promise<Uint8Array> {
    if (this.#pos < this.#buf.length) {
      const rest = this.#buf.subarray(this.#pos);
      this.#buf = new Uint8Array(0);
      this.#pos = 0;
      return rest;
    }
    return await this.#read();
  }
}

/** The replica side's state of one server: one link to one master at a time. */
export class Follower {
  state: LinkState = "connect";
  /** The client that applies the master's stream, while the link is up. */
  master: Client | null = null;
  /** Set while the link is down after having been up (master_link_down_since_seconds). */
  downSince = 0;
  /** When the master last sent something (ms). */
  lastIo = 0;
  /** A full resync's transfer in progress (INFO master_sync_*); total -1 for a diskless one. */
  transfer: { total: number; read: number; lastIo: number } | null = null;
  /** Bytes of the stream read, applied or not (slave_read_repl_offset). */
  readOffset = 0;
  #conn: Deno.TcpConn | null = null;
  #attempt: Promise<void> | null = null;
  #stopped = false;
  readonly #cron: ReturnType<typeof setInterval>;
  readonly #scratch = new ByteBuffer(256);

  constructor(
    readonly server: Server,
    readonly host: string,
    readonly port: number,
    /** Where to continue from: this server's own history when it was a master. */
    public continuation: Continuation | null,
  ) {
    this.#cron = setInterval(() => this.#tick(), 1000);
    Deno.unrefTimer(this.#cron);
    server.log.notice(`Connecting to MASTER ${host}:${port}`);
    this.#startAttempt();
  }

  /**
   * Ends the link for good (REPLICAOF to another master or NO ONE,
   * shutdown). Returns where a next master could continue from.
   */
  stop(): Continuation | null {
    this.#stopped = true;
    clearInterval(this.#cron);
    if (this.master !== null) this.#linkDown();
    closeQuietly(this.#conn);
    this.#conn = null;
    this.state = "connect";
    return this.continuation;
  }

  /** slave_repl_offset: what was applied (1 when there is nothing to continue from, as Redis). */
  get appliedOffset(): number {
    if (this.master !== null) return replicationOf(this.server).offset;
    return this.continuation?.offset ?? 1;
  }

  /** Once a second: ACK to the master, repl-timeout, another attempt after a failure. */
  #tick(): void {
    if (this.#stopped) return;
    if (this.server.shuttingDown) {
      this.stop();
      return;
    }
    if (this.state === "connect") {
      if (this.#attempt === null) this.#startAttempt();
      return;
    }
    if (this.state === "connected") this.#sendAck();
    const timeout = this.server.config.num("repl-timeout") * 1000;
    if (this.lastIo !== 0 && Date.now() - this.lastIo > timeout) {
      this.server.log.warning(
        this.state === "connected"
          ? "MASTER timeout: no data nor PING received..."
          : this.state === "sync"
          ? "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value."
          : "Timeout connecting to the MASTER...",
      );
      closeQuietly(this.#conn);
      this.master?.kill();
    }
  }

  #startAttempt(): void {
    this.#attempt = this.#link()
      .catch((e) => {
        if (!this.#stopped) this.server.log.warning((e as Error).message);
      })
      .finally(() => this.#linkDown());
  }

  /** After a failed attempt or a lost link: the next attempt starts from the cron. */
  #linkDown(): void {
    if (!this.#stopped) this.#attempt = null;
    closeQuietly(this.#conn);
    this.#conn = null;
    this.transfer = null;
    const master = this.master;
    if (master !== null) {
      // Kept to continue by partial resync (Redis's replicationCacheMaster).
      const r = replicationOf(this.server);
      this.continuation = { replid: r.replid, offset: r.offset, db: master.db.id };
      this.master = null;
      master.kill();
      this.server.removeClient(master);
      this.downSince = Date.now();
      this.server.masterLinkUp = false;
      this.server.log.notice("Connection with master lost.");
      this.server.log.notice("Caching the disconnected master state.");
    }
    this.state = "connect";
  }

  #send(args: string[]): Promise<void> {
    const s = this.#scratch;
    s.pos = 0;
    appendCommand(s, args);
    return this.#write(s.buf.slice(0, s.pos));
  }

  async #write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.#conn!.write(bytes.subarray(off));
  }

  #sendAck(offset = replicationOf(this.server).offset): void {
    const s = this.#scratch;
    s.pos = 0;
    appendCommand(s, ["REPLCONF", "ACK", String(offset)]);
    this.#write(s.buf.slice(0, s.pos)).catch(() => closeQuietly(this.#conn));
  }

  async #link(): Promise<void> {
    const server = this.server;
    const log = server.log;
    this.state = "connecting";
    log.notice("MASTER <-> REPLICA sync started");
    try {
      this.#conn = await Deno.connect({ hostname: this.host, port: this.port });
    } catch (e) {
      throw new LinkError(`Error condition on socket for SYNC: ${(e as Error).message}`);
    }
    if (this.#stopped) throw new LinkError("link stopped");
    this.#conn.setNoDelay(true);
    this.lastIo = Date.now();
    const reader = new LinkReader(this.#conn, () => {
      this.lastIo = Date.now();
      if (this.transfer !== null) this.transfer.lastIo = this.lastIo;
    });
    this.state = "handshake";
    log.notice("Non blocking connect for SYNC fired the event.");
    await this.#handshake(reader);
    const full = await this.#psync(reader);
    if (full !== null) await this.#fullSync(reader, full);
    await this.#applyStream(reader);
  }

  /** PING, AUTH, REPLCONF: Redis's order, the REPLCONFs sent in one write. */
  async #handshake(reader: LinkReader): Promise<void> {
    const server = this.server;
    const config = server.config;
    await this.#send(["PING"]);
    const pong = await reader.line();
    if (
      pong.startsWith("-") && !pong.startsWith("-NOAUTH") && !pong.startsWith("-NOPERM") &&
      !pong.startsWith("-ERR operation not permitted")
    ) {
      throw new LinkError(`Error reply to PING from master: '${pong.slice(1)}'`);
    }
    server.log.notice("Master replied to PING, replication can continue...");
    const auth = config.str("masterauth");
    const user = config.str("masteruser");
    const announceIp = config.str("replica-announce-ip");
    const port = config.num("replica-announce-port") || server.port;
    const batch: string[][] = [];
    if (auth !== "") batch.push(user !== "" ? ["AUTH", user, auth] : ["AUTH", auth]);
    batch.push(["REPLCONF", "listening-port", String(port)]);
    if (announceIp !== "") batch.push(["REPLCONF", "ip-address", announceIp]);
    batch.push(["REPLCONF", "capa", "eof", "capa", "psync2"]);
    const s = this.#scratch;
    s.pos = 0;
    for (const cmd of batch) appendCommand(s, cmd);
    await this.#write(s.buf.slice(0, s.pos));
    for (const cmd of batch) {
      const reply = await reader.line();
      if (!reply.startsWith("-")) continue;
      if (cmd[0] === "AUTH") throw new LinkError(`Unable to AUTH to MASTER: ${reply.slice(1)}`);
      server.log.notice(
        `(Non critical) Master does not understand REPLCONF ${cmd[1]}: ${reply.slice(1)}`,
      );
    }
  }

  /**
   * PSYNC (SYNC for a master without it): null after +CONTINUE, else the
   * full resync's replication id and offset.
   */
  async #psync(reader: LinkReader): Promise<{ replid: string; offset: number } | null> {
    const server = this.server;
    const log = server.log;
    const cont = this.continuation;
    if (cont !== null) {
      log.notice(
        `Trying a partial resynchronization (request ${cont.replid}:${cont.offset + 1}).`,
      );
      await this.#send(["PSYNC", cont.replid, String(cont.offset + 1)]);
    } else {
      log.notice("Partial resynchronization not possible (no cached master)");
      await this.#send(["PSYNC", "?", "-1"]);
    }
    let reply = await reader.line();
    // The master may send newlines to keep the link alive before it answers.
    while (reply === "") reply = await reader.line();
    if (reply.startsWith("+FULLRESYNC")) {
      const [, replid, offset] = reply.split(" ");
      if (replid === undefined || replid.length !== 40 || !/^\d+$/.test(offset ?? "")) {
        throw new LinkError("Master replied with wrong +FULLRESYNC syntax.");
      }
      log.notice(`Full resync from master: ${replid}:${offset}`);
      return { replid, offset: Number(offset) };
    }
    if (reply.startsWith("+CONTINUE")) {
      const newId = reply.slice("+CONTINUE".length).trim();
      const r = replicationOf(server);
      log.notice("Successful partial resynchronization with master.");
      if (newId.length === 40 && newId !== cont!.replid) {
        // The master's history goes on under a new id: ours follows it.
        r.shiftReplid(newId, cont!.offset);
        log.notice(`Master replication ID changed to ${newId}`);
        r.dropReplicas();
      } else {
        r.continueAs(cont!.replid, cont!.offset);
      }
      this.#streamDb = cont!.db;
      log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
      return null;
    }
    if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
      throw new LinkError(
        `Master is currently unable to PSYNC but should be in the future: ${reply}`,
      );
    }
    if (reply.startsWith("-")) {
      // An old master without PSYNC: SYNC sends the payload without a +FULLRESYNC line.
      log.notice(`Retrying with SYNC... (${reply.slice(1)})`);
      await this.#send(["SYNC"]);
      return { replid: replicationOf(server).replid, offset: 0 };
    }
    throw new LinkError(`Unexpected reply to PSYNC from master: ${reply}`);
  }

  /** Receives the RDB (the old data set is served meanwhile), then loads it. */
  async #fullSync(reader: LinkReader, at: { replid: string; offset: number }): Promise<void> {
    const server = this.server;
    const log = server.log;
    this.state = "sync";
    let head = await reader.line();
    while (head === "") head = await reader.line(); // keep-alive newlines
    if (head.startsWith("-")) {
      throw new LinkError(`MASTER aborted replication with an error: ${head.slice(1)}`);
    }
    if (!head.startsWith("$")) {
      throw new LinkError(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${head}'), are you sure the host and port are right?`,
      );
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    let rest: Uint8Array = new Uint8Array(0);
    if (head.startsWith("$EOF:") && head.length === 5 + EOF_MARK_LEN) {
      const mark = strToBytes(head.slice(5));
      log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to memory");
      this.transfer = { total: -1, read: 0, lastIo: Date.now() };
      for (;;) {
        const chunk = (await reader.chunk()).slice();
        parts.push(chunk);
        size += chunk.length;
        this.transfer.read = size;
        if (size >= EOF_MARK_LEN && endsWithMark(parts, size, mark)) break;
      }
      size -= EOF_MARK_LEN;
    } else {
      const total = Number(head.slice(1));
      if (!Number.isSafeInteger(total) || total < 0) {
        throw new LinkError(`Bad bulk length from MASTER: ${head}`);
      }
      log.notice(`MASTER <-> REPLICA sync: receiving ${total} bytes from master to memory`);
      this.transfer = { total, read: 0, lastIo: Date.now() };
      while (size < total) {
        const chunk = await reader.chunk();
        const take = Math.min(chunk.length, total - size);
        parts.push(chunk.slice(0, take));
        size += take;
        this.transfer.read = size;
        if (take < chunk.length) rest = chunk.slice(take);
      }
    }
    const payload = concat(parts, size);
    this.transfer = null;
    const r = replicationOf(server);
    // Our replicas follow a history that ends here: they resync with us afresh.
    r.dropReplicas();
    log.notice("MASTER <-> REPLICA sync: Flushing old data");
    log.notice("MASTER <-> REPLICA sync: Loading DB in memory");
    let streamDb = 0;
    try {
      const aux = await server.persistence.loadFromMaster(payload);
      const db = Number(aux.get("repl-stream-db") ?? "0");
      if (Number.isInteger(db) && db >= 0 && db < server.keyspace.dbs.length) streamDb = db;
    } catch (e) {
      throw new LinkError(
        `Failed trying to load the MASTER synchronization DB from disk: ${(e as Error).message}`,
      );
    }
    if (this.#stopped) throw new LinkError("link stopped");
    r.startHistory(at.replid, at.offset);
    this.continuation = { replid: at.replid, offset: at.offset, db: streamDb };
    this.#streamDb = streamDb;
    this.#leftover = rest;
    log.notice("MASTER <-> REPLICA sync: Finished with success");
  }

  #streamDb = 0;
  #leftover: Uint8Array = new Uint8Array(0);

  /** Applies the master's stream until the link drops. */
  async #applyStream(reader: LinkReader): Promise<void> {
    const server = this.server;
    const r = replicationOf(server);
    const conn = this.#conn!;
    const master = new Client(server, `${this.host}:${this.port}`, localAddr(conn));
    // CLIENT KILL (TYPE master) ends the link at once.
    master.transport = {
      flush: () => Promise.resolve(),
      send: () => {},
      close: () => closeQuietly(conn),
      queryBufferLength: 0,
      partialArgs: [],
      unsentBytes: 0,
    };
    master.master = true;
    master.loader = true;
    master.authenticated = true;
    master.replyOff = true;
    master.db = server.keyspace.dbs[this.#streamDb];
    this.#streamDb = 0;
    server.addClient(master);
    this.master = master;
    this.readOffset = r.offset;
    this.state = "connected";
    this.downSince = 0;
    server.masterLinkUp = true;
    this.#sendAck();
    const parser = new RespParser({
      maxBulkLen: () => Number.MAX_SAFE_INTEGER,
      maxQueryBuffer: () => Number.MAX_SAFE_INTEGER,
      authRequired: () => false,
    });
    // The stream's bytes as received; the head of it that was applied goes on
    // unchanged to the backlog and our replicas (a command still arriving stays).
    const carry = new ByteBuffer(READ_SIZE);
    let applied = 0;
    const passOn = () => {
      if (applied === 0) return;
      r.feedFromMaster(carry.buf.subarray(0, applied));
      carry.buf.copyWithin(0, applied, carry.pos);
      carry.pos -= applied;
      applied = 0;
    };
    let chunk = this.#leftover;
    this.#leftover = new Uint8Array(0);
    for (;;) {
      this.readOffset += chunk.length;
      carry.raw(chunk);
      if (master.closed) throw new LinkError("Connection with master lost.");
      const batch = parser.feed(chunk);
      if (batch.protocolError !== undefined) {
        throw new LinkError(`Protocol error from MASTER: ${batch.protocolError}`);
      }
      for (const args of batch.commands) {
        if (master.closed) throw new LinkError("Connection with master lost.");
        if (
          args.length >= 2 && args[0].length === 8 && args[0].toLowerCase() === "replconf" &&
          args[1].toLowerCase() === "getack"
        ) {
          // Answered with what was applied before it, as Redis does.
          passOn();
          this.#sendAck();
        } else {
          master.lastInteraction = Date.now();
          const pending = dispatch(master, args);
          if (pending) await pending;
          master.out.truncate(0);
        }
        if (this.#stopped) throw new LinkError("link stopped");
        // Masters send every command as a multibulk: its size is its bytes in the stream.
        applied += commandSize(args);
      }
      passOn();
      chunk = await reader.chunk();
    }
  }
}

/** Closes a socket that may already be closed. */
function closeQuietly(conn: Deno.Conn | null): void {
  try {
    conn?.close();
  } catch {
    // already closed
  }
}

function localAddr(conn: Deno.TcpConn): string {
  const a = conn.localAddr as Deno.NetAddr;
  return `${a.hostname}:${a.port}`;
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    const n = Math.min(p.length, size - at);
    out.set(p.subarray(0, n), at);
    at += n;
    if (at === size) break;
  }
  return out;
}

/** True when the last bytes received (all `parts`, `size` in total) are `mark`. */
function endsWithMark(parts: Uint8Array[], size: number, mark: Uint8Array): boolean {
  let need = mark.length;
  for (let i = parts.length - 1; i >= 0 && need > 0; i--) {
    const p = parts[i];
    const n = Math.min(need, p.length);
    for (let k = 0; k < n; k++) {
      if (p[p.length - 1 - k] !== mark[need - 1 - k]) return false;
    }
    need -= n;
  }
  return need === 0 && size >= mark.length;
}

/**
 * Makes `server` a replica of host:port (REPLICAOF, the replicaof option):
 * it continues its own history when it was a master, else where it stood
 * with its previous master (Redis's cached master), by partial resync if
 * the new master can.
 */
export function followMaster(
  server: Server,
  host: string,
  port: number,
  atStart = false,
): void {
  const r = replicationOf(server);
  let continuation: Continuation | null;
  if (atStart) {
    // A server started as a replica continues what its dump.rdb says it had
    // applied (Redis does so without the AOF), else starts afresh.
    const saved = server.persistence.loadedRepl;
    continuation = saved === null
      ? null
      : { replid: saved.id, offset: saved.offset, db: saved.streamDb };
    if (saved !== null) r.continueAs(saved.id, saved.offset);
  } else if (r.masterHost === null) {
    continuation = { replid: r.replid, offset: r.offset, db: 0 };
  } else {
    continuation = r.follower!.stop();
  }
  r.becomeReplica(host, port);
  server.keyspace.replica = true;
  // Their commands were a master's: they end, and their connections with them (as Redis).
  for (const c of server.clients.values()) {
    if (
      c.blocked !== null && server.blocking.unblock(
        c,
        "error",
        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
      )
    ) {
      c.closeAfterReply = true;
    }
  }
  server.log.role = "S";
  server.config.set("replicaof", [`${host} ${port}`]);
  const follower = new Follower(server, host, port, continuation);
  r.follower = follower;
  // Its snapshots say where it stands, so that a restart can continue (as Redis's rdbSaveInfo).
  server.persistence.replInfo = () => {
    const at = follower.master !== null
      ? { replid: r.replid, offset: r.offset, db: follower.master.db.id }
      : follower.continuation;
    return at === null ? null : { streamDb: at.db, id: at.replid, offset: at.offset };
  };
}

/** REPLICAOF NO ONE: the link ends and this server is a master again. */
export function stopFollowing(server: Server): void {
  const r = replicationOf(server);
  if (r.masterHost === null) return;
  r.follower!.stop();
  r.follower = null;
  server.persistence.replInfo = null;
  server.keyspace.replica = false;
  server.log.role = "M";
  server.masterLinkUp = false;
  r.becomeMaster();
  server.config.set("replicaof", [""]);
}
