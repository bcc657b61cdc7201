/**
 * One client connection: socket bytes -> RespDecoderStream -> command
 * batches -> dispatcher -> one write per batch.
 */
import { RespDecoderStream } from "../resp/decoder.ts";
import { Client, type ClientTransport } from "./client.ts";
import type { Server } from "./server.ts";

const READ_SIZE = 64 * 1024;

/**
 * A pull source over `conn.read`: measured here as fast as a raw read loop,
 * where `conn.readable` cost about half the unpipelined throughput.
 */
export function connReadable(
  conn: Deno.Conn,
  onRead?: (n: number) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(READ_SIZE);
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        n = null; // reset by peer, closed by us: the stream just ends
      }
      if (n === null) controller.close();
      else {
        onRead?.(n);
        controller.enqueue(buf.subarray(0, n));
      }
    },
  }, { highWaterMark: 0 });
}

function formatAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    const host = addr.hostname.includes(":") ? `${addr.hostname}` : addr.hostname;
    return `${host}:${addr.port}`;
  }
  return addr.transport === "unix" ? (addr as Deno.UnixAddr).path : "";
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

class SocketTransport implements ClientTransport {
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  decoder: RespDecoderStream | null = null;

  constructor(readonly conn: Deno.Conn, readonly client: Client) {}

  get queryBufferLength(): number {
    return this.decoder?.parser.buffered ?? 0;
  }

  flush(): Promise<void> {
    const out = this.client.out;
    if (out.length === 0 || this.#closed) return this.#writing;
    const data = out.take();
    this.client.server.stats.netOutputBytes += data.length;
    this.#writing = this.#writing.then(() =>
      this.#closed ? undefined : writeAll(this.conn, data).catch(() => this.close())
    );
    return this.#writing;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

/** Serves one accepted connection until it closes. */
export async function serveConnection(server: Server, conn: Deno.Conn): Promise<void> {
  if (server.clients.size >= server.config.num("maxclients")) {
    server.stats.rejectedConnections++;
    try {
      await writeAll(conn, new TextEncoder().encode("-ERR max number of clients reached\r\n"));
    } catch {
      // the peer left already
    }
    conn.close();
    return;
  }
  try {
    (conn as Deno.TcpConn).setNoDelay?.(true);
  } catch {
    // not a TCP connection
  }
  const client = new Client(server, formatAddr(conn.remoteAddr), formatAddr(conn.localAddr));
  const transport = new SocketTransport(conn, client);
  client.transport = transport;
  server.addClient(client);
  const decoder = new RespDecoderStream({
    maxBulkLen: () => server.config.num("proto-max-bulk-len"),
    maxQueryBuffer: () => server.config.num("client-query-buffer-limit"),
    authRequired: () => !client.authenticated && server.authRequired(),
  });
  transport.decoder = decoder;
  const source = connReadable(conn, (n) => (server.stats.netInputBytes += n));
  const reader = source.pipeThrough(decoder).getReader();
  try {
    while (!client.closed) {
      const { value: batch, done } = await reader.read();
      if (done) break;
      client.lastInteraction = Date.now();
      if (batch.overflow) {
        server.log.warning(
          `Closing client that reached max query buffer length: id=${client.id} addr=${client.addr}`,
        );
        break;
      }
      for (const args of batch.commands) {
        server.stats.netInputCommands++;
        const pending = client.execute(args);
        if (pending) await pending;
        if (client.closeAfterReply || client.closed) break;
      }
      if (batch.protocolError && !client.closeAfterReply && !client.closed) {
        server.log.verbose(
          `Protocol error (${batch.protocolError}) from client: id=${client.id} addr=${client.addr}`,
        );
        client.out.error(`ERR ${batch.protocolError}`);
        client.closeAfterReply = true;
      }
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
    server.removeClient(client);
  }
}
