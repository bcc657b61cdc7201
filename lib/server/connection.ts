/**
 * One client connection: socket bytes -> RespDecoderStream -> command
 * batches -> dispatcher -> one write per batch.
 *
 * The socket is read with `conn.read` into one buffer per connection, and
 * a view of each chunk is written into the codec's writable side (a web
 * streams TransformStream, as the design asks), its batch read from the
 * readable side. Measured with `deno task bench:streams` on Deno 2.9.6: a
 * fresh 64KB buffer per read costs about 60% of the throughput (GC),
 * piping a ReadableStream source through the codec about 27%, and the codec
 * driven this way about 14%, against a plain read loop. Its streams also
 * cost about 5 KB per connection (of ~17 KB for an idle subscriber): the
 * price of the web-streams codec, kept (README, Benchmarks).
 */
import { RespDecoderStream } from "../resp/decoder.ts";
import { Client, type ClientTransport } from "./client.ts";
import type { Server } from "./server.ts";
import { closeOnOutputBufferLimit } from "./obuf.ts";
import {
  formatAddr,
  type ListenerKind,
  PROTECTED_MODE_DENIED,
  protectedModeDenies,
  type ServerConn,
} from "./listeners.ts";

const READ_SIZE = 64 * 1024;
/**
 * A connection's first read buffer. Idle clients keep it for good (a pending
 * read holds it), so it is small, as what Redis keeps for an idle client is
 * (10,000 idle subscribers: 16 KB each was most of their memory).
 */
const FIRST_READ_SIZE = 1024;

async function writeAll(conn: ServerConn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/**
 * While a write is in flight, a writer holding this much is set aside as a
 * chunk of the backlog: a slow reader's backlog is a list of small chunks
 * (as Redis's reply list), not one buffer grown by doubling, each time
 * copied into fresh memory (most of the server's time with 1,000 lagging
 * subscribers).
 */
const BACKLOG_CHUNK = 8 * 1024;

class SocketTransport implements ClientTransport {
  /** The write loop while it runs (null when idle): one write in flight at a time. */
  #writing: Promise<void> | null = null;
  /** Chunks taken from the writer while a write was in flight, oldest first. */
  #backlog: Uint8Array[] = [];
  /** Bytes taken from the writer so far, and bytes the socket took. */
  #queuedTotal = 0;
  #writtenTotal = 0;
  /** Callers of flush() waiting for the socket to take the bytes queued before them. */
  #waiters: { upTo: number; resolve: () => void }[] = [];
  #closed = false;
  decoder: RespDecoderStream | null = null;

  constructor(readonly conn: ServerConn, readonly client: Client) {}

  get queryBufferLength(): number {
    return this.decoder?.parser.buffered ?? 0;
  }

  get partialArgs(): readonly string[] {
    return this.decoder?.parser.partialArgs ?? [];
  }

  get unsentBytes(): number {
    return this.#queuedTotal - this.#writtenTotal;
  }

  /**
   * Sends what the writer holds; resolves once the socket took it. While a
   * write is in flight, what arrives meanwhile waits in the writer and goes
   * out as one write after it (a slow reader gets few large writes, not one
   * per message).
   */
  flush(): Promise<void> {
    const out = this.client.out;
    if (this.#closed) return Promise.resolve();
    const upTo = this.#queuedTotal + out.length;
    if (upTo === this.#writtenTotal) return Promise.resolve();
    this.#writing ??= this.#drain();
    return new Promise((resolve) => this.#waiters.push({ upTo, resolve }));
  }

  /**
   * Starts sending what the writer holds, with nobody waiting for it
   * (messages, pushes): no promise per message, even while a stalled
   * reader's write stays in flight.
   */
  send(): void {
    const out = this.client.out;
    if (this.#closed || out.length === 0) return;
    if (this.#writing === null) this.#writing = this.#drain();
    else if (out.length >= BACKLOG_CHUNK) {
      this.client.notePending(out.length);
      const chunk = out.lend();
      this.#queuedTotal += chunk.length;
      this.#backlog.push(chunk);
    }
  }

  async #drain(): Promise<void> {
    const out = this.client.out;
    const stats = this.client.server.stats;
    while (!this.#closed) {
      let data: Uint8Array;
      if (this.#backlog.length !== 0) data = this.#backlog.shift()!;
      else if (out.length !== 0) {
        this.client.notePending(out.length);
        data = out.lend();
        this.#queuedTotal += data.length;
      } else break;
      stats.totalWrites++;
      // Progress is counted write by write: what the socket took is no
      // longer the client's backlog (omem, output buffer limits), and only
      // bytes written count as output (a dropped client's rest never does).
      let off = 0;
      try {
        while (off < data.length) {
          const n = await this.conn.write(data.subarray(off));
          off += n;
          this.#writtenTotal += n;
          stats.netOutputBytes += n;
        }
        out.recycle(data);
      } catch {
        this.close();
      }
      this.#writtenTotal += data.length - off;
      this.#wake(this.#closed ? Infinity : this.#writtenTotal);
    }
    // A closed connection's backlog is never written: settled as above.
    for (const chunk of this.#backlog) this.#writtenTotal += chunk.length;
    this.#backlog.length = 0;
    this.#writing = null;
    if (this.#closed) this.#wake(Infinity);
  }

  #wake(upTo: number): void {
    const waiters = this.#waiters;
    let i = 0;
    while (i < waiters.length && waiters[i].upTo <= upTo) waiters[i++].resolve();
    if (i !== 0) waiters.splice(0, i);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake(Infinity);
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** Writes a refusal (maxclients, protected mode) and closes the connection. */
async function refuse(server: Server, conn: ServerConn, text: string): Promise<void> {
  server.stats.rejectedConnections++;
  try {
    await writeAll(conn, new TextEncoder().encode(text));
  } catch {
    // the peer left already
  }
  conn.close();
}

/** Serves one accepted connection (`kind`: the listener it came through) until it closes. */
export async function serveConnection(
  server: Server,
  conn: ServerConn,
  kind: ListenerKind = "tcp",
): Promise<void> {
  if (server.clients.size >= server.config.num("maxclients")) {
    return refuse(server, conn, "-ERR max number of clients reached\r\n");
  }
  const unixPath = kind === "unix" ? server.listeners.unixPath : "";
  const addr = formatAddr(conn.remoteAddr, unixPath);
  if (protectedModeDenies(server.config, server.acl.defaultUser.nopass, kind, addr)) {
    return refuse(server, conn, PROTECTED_MODE_DENIED);
  }
  if (kind !== "unix") {
    const tcp = conn as Partial<Deno.TcpConn>;
    try {
      tcp.setNoDelay?.(true);
      // Keep-alive probes at the system's interval: Deno cannot set Redis's delay.
      if (server.config.num("tcp-keepalive") > 0) tcp.setKeepAlive?.(true);
    } catch {
      // the peer left already
    }
  }
  const client = new Client(server, addr, formatAddr(conn.localAddr, unixPath));
  client.unixSocket = kind === "unix";
  const transport = new SocketTransport(conn, client);
  client.transport = transport;
  server.addClient(client);
  const decoder = new RespDecoderStream({
    maxBulkLen: () => server.config.num("proto-max-bulk-len"),
    maxQueryBuffer: () => server.config.num("client-query-buffer-limit"),
    authRequired: () => !client.authenticated && server.authRequired(),
  });
  transport.decoder = decoder;
  const chunks = decoder.writable.getWriter();
  const reader = decoder.readable.getReader();
  // One read buffer per connection; the codec copies what it keeps.
  // A fresh 64KB buffer per read cost more than everything else here (GC).
  // It starts at 1 KB (most clients never send more at once) and becomes
  // 64 KB after a read that filled it.
  let buf = new Uint8Array(FIRST_READ_SIZE);
  // While a blocking command holds the client the socket is still read, as
  // Redis does: a peer that goes is forgotten at once, and what it sends
  // meanwhile waits here for its turn.
  const early: Uint8Array[] = [];
  /** A read started while the client was blocked, not consumed yet. */
  let pendingRead: Promise<number | null> | null = null;
  const whileBlocked = async (pending: Promise<void>): Promise<void> => {
    let unblocked = false;
    const done = pending.then(() => {
      unblocked = true;
    });
    while (!unblocked && !client.closed) {
      pendingRead ??= conn.read(buf).catch(() => null);
      const n = await Promise.race([done.then(() => undefined), pendingRead]);
      if (n === undefined) break;
      pendingRead = null;
      if (n === null) {
        client.kill();
        break;
      }
      server.stats.netInputBytes += n;
      server.stats.totalReads++;
      client.lastInteraction = server.keyspace.cachedNow;
      early.push(buf.slice(0, n));
    }
    await pending;
  };
  try {
    while (!client.closed) {
      let chunk: Uint8Array;
      if (early.length !== 0) {
        chunk = early.shift()!;
      } else {
        let n: number | null;
        try {
          n = await (pendingRead ?? conn.read(buf));
        } catch {
          n = null; // reset by peer, closed by us: the connection just ends
        }
        pendingRead = null;
        if (n === null) break;
        server.stats.netInputBytes += n;
        server.stats.totalReads++;
        // A view: the parser copies what it keeps, and the next read waits for its batch.
        chunk = buf.subarray(0, n);
        // No read is pending here, so the buffer may change.
        if (n === buf.length && buf.length < READ_SIZE) buf = new Uint8Array(READ_SIZE);
      }
      client.queryRead(transport.queryBufferLength, chunk.length);
      // Not awaited: its promise settles once the batch is read, just below.
      chunks.write(chunk).catch(() => {});
      const { value: batch, done } = await reader.read();
      if (done) break;
      client.lastInteraction = server.keyspace.cachedNow;
      client.clockMark = performance.now();
      if (batch.overflow) {
        server.log.warning(
          `Closing client that reached max query buffer length: id=${client.id} addr=${client.addr}`,
        );
        break;
      }
      for (const args of batch.commands) {
        server.stats.netInputCommands++;
        const pending = client.execute(args);
        if (pending && (client.blocked !== null || client.postponed)) {
          // As Redis, the replies of the commands before a blocking one go
          // out now (after the AOF has them), and its query buffer keeps
          // only what was not parsed.
          client.queryDone(transport.queryBufferLength);
          const logged = server.persistence.beforeReply(client.aofEnd);
          if (logged) await logged;
          transport.flush();
          await whileBlocked(pending);
        } else if (pending) {
          await pending;
        }
        if (client.closeAfterReply || client.closed) break;
      }
      if (batch.protocolError && !client.closeAfterReply && !client.closed) {
        server.log.verbose(
          `Protocol error (${batch.protocolError}) from client: id=${client.id} addr=${client.addr}`,
        );
        client.out.error(`ERR ${batch.protocolError}`);
        client.closeAfterReply = true;
      }
      client.queryDone(transport.queryBufferLength);
      // The batch's own replies count against its output buffer limits.
      if (closeOnOutputBufferLimit(client)) break;
      // The batch's commands reach the AOF (and disk, under always) before its replies go out.
      const logged = server.persistence.beforeReply(client.aofEnd);
      if (logged) await logged;
      await transport.flush();
      if (client.closeAfterReply) break;
    }
  } catch (e) {
    if (!client.closed) server.log.verbose(`Client ${client.addr} error: ${(e as Error).message}`);
  } finally {
    await transport.flush().catch(() => {});
    client.closed = true;
    transport.close();
    reader.cancel().catch(() => {});
    chunks.abort().catch(() => {});
    server.removeClient(client);
  }
}
