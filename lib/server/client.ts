/**
 * Per-connection state: selected database, protocol, name, authentication,
 * reply mode, and the reply buffer that handlers write into.
 */
import { type Command, dispatch } from "../commands/table.ts";
import { ReplyWriter } from "../resp/encoder.ts";
import type { Db } from "../store/keyspace.ts";
import type { Server } from "./server.ts";
import type { Waiter } from "./blocking.ts";

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
  /** Stands in for the socket's file descriptor in CLIENT LIST (see Server.allocFd). */
  readonly fd: number;
  /** Bytes held by the arguments of the command running now (CLIENT LIST argv-mem). */
  argvMem = 0;
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
  /**
   * performance.now() when the client's current work started or its last
   * command ended: the start of its next command, so that timing a command
   * (INFO commandstats, SLOWLOG) costs one clock read, not two.
   */
  clockMark = performance.now();
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
  /** The AOF replay client: not refused while loading or on disk errors. */
  loader = false;
  /** End of this client's last command in the AOF (its replies wait for that much under always). */
  aofEnd = 0;
  /**
   * What the running command logs instead of its arguments (set by handlers
   * that log a different form, e.g. SET EX as SET PXAT), or null to log
   * nothing; undefined logs the arguments as they came.
   */
  propagateAs: string[][] | null | undefined = undefined;
  /** Log the running command even if it changed nothing (FLUSHALL on an empty server). */
  forcePropagate = false;
  /** What the client waits for while a blocking command holds it (CLIENT LIST flags=b). */
  blocked: Waiter | null = null;
  /**
   * Set (counted) while the client runs commands that must not block — a
   * transaction's EXEC, a script: blocking commands then act as their
   * non-blocking forms, as Redis's CLIENT_DENY_BLOCKING makes them.
   */
  denyBlocking = 0;

  constructor(
    readonly server: Server,
    /** "ip:port" of the peer. */
    readonly addr: string,
    /** "ip:port" of the local end. */
    readonly laddr: string,
  ) {
    this.id = server.nextClientId();
    this.fd = server.allocFd();
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
    let mem = 0;
    for (const a of args) mem += a.length;
    this.argvMem = mem;
    const r = dispatch(this, args);
    if (r) return r.then(() => this.#afterCommand(mark));
    this.#afterCommand(mark);
  }

  /** CLIENT REPLY OFF / SKIP: drop what the command wrote, as Redis does. */
  #afterCommand(mark: number): void {
    this.argvMem = 0;
    if (this.replyOff || this.replySkip) this.out.truncate(mark);
    this.replySkip = this.replySkipNext;
    this.replySkipNext = false;
  }

  /**
   * Whether a blocking command may block this client now; the one place
   * that decides (the AOF loader and EXEC/scripts may not).
   */
  get mayBlock(): boolean {
    return this.denyBlocking === 0 && !this.loader;
  }

  /** CLIENT LIST flags: O monitor, b blocked, e no-evict, N none (Redis's letters and order). */
  flags(): string {
    let f = "";
    if (this.monitor) f += "O";
    if (this.blocked !== null) f += "b";
    if (this.closeAfterReply) f += "c";
    if (this.noEvict) f += "e";
    return f === "" ? "N" : f;
  }

  /** One CLIENT LIST / CLIENT INFO line, with Redis 7.0.15's fields in its order. */
  info(now = Date.now()): string {
    const qbuf = this.transport?.queryBufferLength ?? 0;
    const rbs = this.out.buf.length;
    const obl = this.out.length;
    const totMem = rbs + qbuf + this.argvMem;
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} ` +
      `name=${this.name} age=${Math.floor((now - this.createdAt) / 1000)} ` +
      `idle=${Math.floor((now - this.lastInteraction) / 1000)} flags=${this.flags()} ` +
      `db=${this.db.id} sub=0 psub=0 ssub=0 multi=-1 qbuf=${qbuf} qbuf-free=0 ` +
      `argv-mem=${this.argvMem} multi-mem=0 rbs=${rbs} rbp=${rbs} obl=${obl} oll=0 omem=0 ` +
      `tot-mem=${totMem} events=r cmd=${this.lastCommand?.fullName ?? "NULL"} ` +
      `user=${this.user} redir=-1 resp=${this.resp}`;
  }

  /**
   * RESET: back to a fresh connection's state — RESP2, db 0, no name,
   * replies on, not a monitor, no-evict off, and unauthenticated again when
   * a password is required. A pending CLIENT REPLY SKIP still applies.
   */
  reset(): void {
    if (this.monitor) {
      this.monitor = false;
      this.server.monitors.delete(this);
    }
    this.db = this.server.keyspace.dbs[0];
    this.resp = 2;
    this.name = "";
    this.user = "default";
    this.authenticated = !this.server.authRequired();
    this.replyOff = false;
    this.replySkipNext = false;
    this.noEvict = false;
  }

  /** Closes the connection (CLIENT KILL, timeout, shutdown). */
  kill(): void {
    this.closed = true;
    // A killed client is never served: what it would pop stays.
    if (this.blocked !== null) this.server.blocking.drop(this);
    this.transport?.close();
  }
}
