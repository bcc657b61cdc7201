/**
 * Per-connection state: selected database, protocol, name, authentication,
 * reply mode, and the reply buffer that handlers write into.
 */
import { type Command, dispatch } from "../commands/table.ts";
import { ReplyWriter } from "../resp/encoder.ts";
import type { Db } from "../store/keyspace.ts";
import type { Server } from "./server.ts";

/** The socket side of a client, implemented by connection.ts. */
export interface ClientTransport {
  /** Sends whatever the client's writer holds. */
  flush(): Promise<void>;
  /** Closes the socket at once (CLIENT KILL, shutdown, timeout). */
  close(): void;
  /** Bytes received but not yet parsed into commands. */
  readonly queryBufferLength: number;
}

export class Client {
  readonly id: number;
  readonly out = new ReplyWriter();
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  db: Db;
  name = "";
  libName = "";
  libVersion = "";
  user = "default";
  authenticated: boolean;
  /** The last command run (CLIENT LIST cmd=). */
  lastCommand: Command | null = null;
  /** Close once the current replies are written (QUIT, protocol error). */
  closeAfterReply = false;
  /** Set when the client was closed (killed, timed out, disconnected). */
  closed = false;
  monitor = false;
  noEvict = false;
  replyOff = false;
  replySkip = false;
  replySkipNext = false;
  transport: ClientTransport | null = null;

  constructor(
    readonly server: Server,
    /** "ip:port" of the peer. */
    readonly addr: string,
    /** "ip:port" of the local end. */
    readonly laddr: string,
  ) {
    this.id = server.nextClientId();
    this.db = server.keyspace.dbs[0];
    this.authenticated = !server.authRequired();
    this.out.onError = server.recordErrorReply;
  }

  get resp(): 2 | 3 {
    return this.out.resp;
  }

  set resp(v: 2 | 3) {
    this.out.resp = v;
  }

  /** Runs one command; replies land in `out`. */
  execute(args: string[]): void | Promise<void> {
    const mark = this.out.length;
    const r = dispatch(this, args);
    if (r) return r.then(() => this.#afterCommand(mark));
    this.#afterCommand(mark);
  }

  /** CLIENT REPLY OFF / SKIP: drop what the command wrote, as Redis does. */
  #afterCommand(mark: number): void {
    if (this.replyOff || this.replySkip) this.out.truncate(mark);
    this.replySkip = this.replySkipNext;
    this.replySkipNext = false;
  }

  /** Closes the connection (CLIENT KILL, timeout, shutdown). */
  kill(): void {
    this.closed = true;
    this.transport?.close();
  }
}
