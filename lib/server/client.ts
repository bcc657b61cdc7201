/**
 * Per-connection state: selected database, protocol, name, authentication,
 * reply mode, and the reply buffer that handlers write into.
 */
import { type Command, dispatch } from "../commands/table.ts";
import { ReplyWriter } from "../resp/encoder.ts";
import type { Db } from "../store/keyspace.ts";
import type { Server } from "./server.ts";
import type { Waiter } from "./blocking.ts";
import { unwatchAll, watchedCount } from "./watch.ts";
import type { ClientSubscriptions } from "./pubsub.ts";
import type { User } from "./acl.ts";
import type { ReplicaLink } from "./replication.ts";
import { dropPostponed } from "./pause.ts";
import {
  afterTrackedCommand,
  beforeTrackedCommand,
  type ClientTracking,
  disableTracking,
  trackingServers,
} from "./tracking.ts";

/** The socket side of a client, implemented by connection.ts. */
export interface ClientTransport {
  /** Sends whatever the client's writer holds. */
  flush(): Promise<void>;
  /** Starts sending what the writer holds, when nobody waits for it (no promise). */
  send(): void;
  /** Closes the socket at once (CLIENT KILL, shutdown, timeout). */
  close(): void;
  /** Bytes received but not yet parsed into commands. */
  readonly queryBufferLength: number;
  /** Arguments already parsed of a command still arriving. */
  readonly partialArgs: readonly string[];
  /** Reply bytes handed to the socket and not yet taken by it (a slow reader's backlog). */
  readonly unsentBytes: number;
}

/** Bytes Redis reads per call into its query buffer (PROTO_IOBUF_LEN). */
const PROTO_IOBUF_LEN = 16 * 1024;
/** zmalloc_size(client) of Redis 7.0 on 64-bit Linux: CLIENT LIST tot-mem counts it. */
const CLIENT_STRUCT_BYTES = 768;
/** Redis resets a client's reply-buffer peak this often (reply-buffer-peak-reset-time). */
const REPLY_PEAK_RESET_MS = 5000;
/** Smallest and usual reply buffer sizes (PROTO_REPLY_MIN_BYTES, PROTO_REPLY_CHUNK_BYTES). */
const REPLY_MIN_BYTES = 1024;
const REPLY_CHUNK_BYTES = 16 * 1024;

/** jemalloc's size class for an allocation of `n` bytes (16-byte quantum, 4 classes per doubling). */
export function allocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) & ~15;
  const spacing = 2 ** (Math.ceil(Math.log2(n)) - 3);
  return Math.ceil(n / spacing) * spacing;
}

/** Header bytes of an sds string of capacity `n` (sdshdr8/16/32/64). */
function sdsHeader(n: number): number {
  return n < 256 ? 3 : n < 65536 ? 5 : n < 2 ** 32 ? 9 : 17;
}

/** The capacity an sds grown to hold `n` bytes gets from the allocator. */
function sdsCapacity(n: number): number {
  const h = sdsHeader(n);
  return allocSize(h + n + 1) - h - 1;
}

/**
 * Usable bytes of one block of Redis's reply list: a 16 KB chunk plus its
 * 16-byte header falls in jemalloc's 20 KB class (20464 bytes of room).
 */
const REPLY_BLOCK_BYTES = allocSize(REPLY_CHUNK_BYTES + 16) - 16;
/** A block's list node and header (sizeof(listNode) + sizeof(clientReplyBlock)). */
const REPLY_BLOCK_OVERHEAD = 24 + 16;

/** Bytes Redis 7.0 accounts per watched key (a list node and a watchedKey). */
const WATCHED_KEY_BYTES = 24 + 32;
/** sizeof(multiCmd): Redis reserves queue slots in doublings. */
const MULTI_CMD_BYTES = 24;

/** A client's memory as Redis accounts for it (CLIENT LIST, INFO clients and memory). */
export interface ClientMemory {
  /** Query buffer allocation plus the current command's arguments. */
  input: number;
  /** Reply list bytes beyond the fixed buffer (omem). */
  output: number;
  /** tot-mem. */
  total: number;
}

/** An open transaction: what MULTI queued, and whether a command was refused meanwhile. */
export interface Transaction {
  queue: { cmd: Command; args: string[] }[];
  /** A command was refused while queueing: EXEC replies EXECABORT. */
  aborted: boolean;
  /** Queue slots Redis would have reserved (2, then doubling). */
  allocated: number;
  /** Bytes of the queued arguments and their pointers (CLIENT LIST multi-mem). */
  argvMem: number;
  /** A queued command writes: EXEC waits for the store lock and is refused on MISCONF. */
  writes: boolean;
}

export class Client {
  readonly id: number;
  /** Stands in for the socket's file descriptor in CLIENT LIST (see Server.allocFd). */
  readonly fd: number;
  /** Bytes held by the arguments of the command running now (CLIENT LIST argv-mem). */
  argvMem = 0;
  /** Arguments of the command running now (0 between commands). */
  argc = 0;
  /** The blocking call's own time (us) while it waits; -1 otherwise. */
  blockedMicros = -1;
  /**
   * Redis's query buffer for this client, modelled: the bytes it would hold
   * (while a batch runs: the whole read it came from; between reads: the
   * unparsed rest) and the capacity Redis would have allocated for them.
   */
  queryLen = 0;
  queryCapacity = 0;
  /** Highest bytes pending in the reply buffer since the last reset (CLIENT LIST rbp). */
  replyPeak: number;
  /** When the peak was last reset: 0 resets it at the first cron visit, as Redis does. */
  replyPeakReset = 0;
  readonly out = new ReplyWriter();
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  db: Db;
  name = "";
  libName = "";
  libVersion = "";
  /** The ACL user the client is authenticated as (lib/server/acl.ts). */
  user: User;
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
  /**
   * While a command runs, where the output that CLIENT REPLY OFF / SKIP
   * drops begins (Pub/Sub pushes move it past themselves: they are kept, as
   * Redis's CLIENT_PUSHING writes are); -1 between commands.
   */
  replyStart = -1;
  transport: ClientTransport | null = null;
  /** Set once the client is a replica of this server (PSYNC / SYNC, lib/server/replication.ts). */
  replica: ReplicaLink | null = null;
  /** master_repl_offset after this client's last command: what its WAIT waits for (lib/server/wait.ts). */
  woff = 0;
  /** The link to this server's master (lib/server/replica.ts): its commands are obeyed, never answered. */
  master = false;
  /** The AOF replay client: not refused while loading or on disk errors. */
  loader = false;
  /** End of this client's last command in the AOF (its replies wait for that much under always). */
  aofEnd = 0;
  /**
   * What the running command logs instead of its arguments (set by handlers
   * that log a different form, e.g. SET EX as SET PXAT), or null to log
   * nothing; undefined logs the arguments as they came. Several are logged
   * as one MULTI/EXEC block.
   */
  propagateAs: string[][] | null | undefined = undefined;
  /** Set between MULTI and EXEC/DISCARD (the dispatcher queues commands into it). */
  multi: Transaction | null = null;
  /** A WATCHed key changed: the next EXEC aborts (Redis's CLIENT_DIRTY_CAS). */
  dirtyCas = false;
  /** out.errors when the last command finished: errors of EXEC's queue are not EXEC's. */
  errorsCounted = 0;
  /** Log the running command even if it changed nothing (FLUSHALL on an empty server). */
  forcePropagate = false;
  /** Channels, patterns and shard channels subscribed (lib/server/pubsub.ts); null before the first. */
  subscriptions: ClientSubscriptions | null = null;
  /** CLIENT TRACKING mode (lib/server/tracking.ts); null while tracking is off. */
  tracking: ClientTracking | null = null;
  /** What the client waits for while a blocking command holds it (CLIENT LIST flags=b). */
  blocked: Waiter | null = null;
  /** Held back by CLIENT PAUSE (lib/server/pause.ts): flag b, as Redis's postponed clients. */
  postponed = false;
  /** Connected through the unix socket (CLIENT LIST flags=U). */
  unixSocket = false;
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
    this.user = server.acl.defaultUser;
    this.authenticated = !server.authRequired();
    this.out.onError = server.recordErrorReply;
    // As Redis, a new client's peak is its whole buffer.
    this.replyPeak = this.out.capacity;
  }

  /**
   * A read of `n` bytes arrived with `pending` unparsed bytes before it:
   * Redis makes room for a 16 KB read, then appends.
   */
  queryRead(pending: number, n: number): void {
    if (this.queryCapacity - pending < PROTO_IOBUF_LEN) {
      this.queryCapacity = sdsCapacity(pending + PROTO_IOBUF_LEN);
    }
    this.queryLen = pending + n;
    if (this.queryLen > this.queryCapacity) this.queryCapacity = sdsCapacity(this.queryLen);
  }

  /** The commands of a read ran: `rest` unparsed bytes stay in the query buffer. */
  queryDone(rest: number): void {
    this.queryLen = rest;
  }

  /** Notes what the reply buffer holds before it is sent (for rbp). */
  notePending(bytes: number): void {
    if (bytes > this.replyPeak) this.replyPeak = Math.min(bytes, this.out.capacity);
  }

  /**
   * Redis's clientsCron resizing: a query buffer idle for more than 2
   * seconds loses its free space; the reply buffer shrinks to its recent
   * peak (at least 1 KB) or doubles back (up to 16 KB) when the peak filled
   * it; the peak restarts every 5 seconds.
   */
  cron(now: number): void {
    const idle = Math.floor(now / 1000) - Math.floor(this.lastInteraction / 1000);
    if (this.queryCapacity - this.queryLen > 4096 && idle > 2) this.queryCapacity = this.queryLen;
    const size = this.out.capacity;
    let next = 0;
    if (size / 2 >= REPLY_MIN_BYTES && this.replyPeak < size / 2) {
      next = allocSize(Math.max(REPLY_MIN_BYTES, this.replyPeak + 1));
      this.server.stats.replyBufferShrinks++;
    } else if (size * 2 < REPLY_CHUNK_BYTES * 2 && this.replyPeak >= size) {
      next = Math.min(REPLY_CHUNK_BYTES, size * 2);
      this.server.stats.replyBufferExpands++;
    }
    if (now - this.replyPeakReset >= REPLY_PEAK_RESET_MS) {
      this.replyPeak = Math.min(this.out.length, size);
      this.replyPeakReset = now;
    }
    if (next !== 0) this.out.resize(next);
  }

  /**
   * The current command's argument count and bytes: the running one's, or
   * between commands those parsed of one still arriving (Redis keeps them in argv).
   */
  #argv(): [number, number] {
    if (this.argc !== 0) return [this.argc, this.argvMem];
    const partial = this.transport?.partialArgs ?? [];
    let mem = 0;
    for (const a of partial) mem += a.length;
    return [partial.length, mem];
  }

  /**
   * Blocks Redis would hold in this client's reply list (CLIENT LIST oll):
   * what waits beyond the fixed buffer — in the writer or handed to the
   * socket and not taken — in blocks of Redis's usual size.
   */
  replyBlocks(): number {
    const pending = this.out.length + (this.transport?.unsentBytes ?? 0);
    if (pending <= this.out.capacity) return 0;
    return Math.ceil((pending - this.out.capacity) / REPLY_BLOCK_BYTES);
  }

  /**
   * The reply list's memory as Redis's getClientOutputBufferMemoryUsage
   * counts it (omem; what client-output-buffer-limit compares): each
   * block's room and its list overhead.
   */
  outputBufferMemory(): number {
    return this.replyBlocks() * (REPLY_BLOCK_BYTES + REPLY_BLOCK_OVERHEAD);
  }

  /** This client's memory as Redis's getClientMemoryUsage counts it. */
  memory(): ClientMemory {
    const query = this.queryCapacity === 0 && this.queryLen === 0
      ? 0
      : allocSize(sdsHeader(this.queryCapacity) + this.queryCapacity + 1);
    const [argc, argvMem] = this.#argv();
    const input = query + argvMem + 8 * argc;
    const output = this.outputBufferMemory();
    const t = this.multi;
    const multi = WATCHED_KEY_BYTES * watchedCount(this) +
      (t === null ? 0 : t.argvMem + MULTI_CMD_BYTES * t.allocated);
    return {
      input,
      output,
      total: output + input + CLIENT_STRUCT_BYTES + this.out.capacity + multi,
    };
  }

  get resp(): 2 | 3 {
    return this.out.resp;
  }

  set resp(v: 2 | 3) {
    this.out.resp = v;
  }

  /** Runs one command; replies land in `out`. */
  execute(args: string[]): void | Promise<void> {
    const mark = this.replyStart = this.out.length;
    let mem = 0;
    for (const a of args) mem += a.length;
    this.argvMem = mem;
    this.argc = args.length;
    if (trackingServers !== 0) beforeTrackedCommand(this);
    const r = dispatch(this, args);
    if (r) return r.then(() => this.#afterCommand(mark, args));
    this.#afterCommand(mark, args);
  }

  /**
   * CLIENT REPLY OFF / SKIP: drop what the command wrote, as Redis does
   * (the client's own tracking invalidations come after that, and stay).
   */
  #afterCommand(mark: number, args: string[]): void {
    this.argvMem = 0;
    this.argc = 0;
    if (this.replyOff || this.replySkip) this.out.truncate(Math.max(mark, this.replyStart));
    this.replyStart = -1;
    this.replySkip = this.replySkipNext;
    this.replySkipNext = false;
    if (trackingServers !== 0) afterTrackedCommand(this, args);
  }

  /**
   * Whether a blocking command may block this client now; the one place
   * that decides (the AOF loader and EXEC/scripts may not).
   */
  get mayBlock(): boolean {
    return this.denyBlocking === 0 && !this.loader;
  }

  /**
   * Ends MULTI (EXEC, DISCARD, an aborted EXEC, RESET): the queue, the
   * dirty flag and every WATCH go, as Redis's discardTransaction.
   */
  endTransaction(): void {
    this.multi = null;
    this.dirtyCas = false;
    unwatchAll(this);
  }

  /** Redis's CLIENT_PUBSUB: RESP2 subscriber mode (only (un)subscribe, PING, QUIT and RESET run). */
  get subscriberMode(): boolean {
    return this.subscriptions !== null && this.subscriptions.mode;
  }

  /**
   * CLIENT LIST flags: O monitor, S replica, P subscriber, x in MULTI, b blocked, t
   * tracking, R broken redirect, B broadcast tracking, d dirty WATCH, c
   * closing, U unix socket, e no-evict, N none (Redis's letters and order).
   */
  flags(): string {
    let f = "";
    if (this.monitor) f += "O";
    else if (this.replica !== null) f += "S";
    if (this.master) f += "M";
    if (this.subscriberMode) f += "P";
    if (this.multi !== null) f += "x";
    if (this.blocked !== null || this.postponed) f += "b";
    const t = this.tracking;
    if (t !== null) f += t.brokenRedirect ? (t.bcast ? "tRB" : "tR") : (t.bcast ? "tB" : "t");
    if (this.dirtyCas) f += "d";
    if (this.closeAfterReply) f += "c";
    if (this.unixSocket) f += "U";
    if (this.noEvict) f += "e";
    return f === "" ? "N" : f;
  }

  /** One CLIENT LIST / CLIENT INFO line, with Redis 7.0.15's fields in its order. */
  info(now = Date.now()): string {
    const mem = this.memory();
    const qbuf = this.queryLen;
    const rbs = this.out.capacity;
    // Replies not yet sent sit in the buffer: Redis's peak already counts them.
    const obl = Math.min(this.out.length, rbs);
    const oll = this.replyBlocks();
    // Redis waits for writability (w) while its socket does not take a backlog.
    const events = oll !== 0 && (this.transport?.unsentBytes ?? 0) !== 0 ? "rw" : "r";
    const subs = this.subscriptions;
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} ` +
      `name=${this.name} age=${Math.floor((now - this.createdAt) / 1000)} ` +
      `idle=${Math.floor((now - this.lastInteraction) / 1000)} flags=${this.flags()} ` +
      `db=${this.db.id} sub=${subs?.channel.size ?? 0} psub=${subs?.pattern.size ?? 0} ` +
      `ssub=${subs?.shard.size ?? 0} multi=${this.multi?.queue.length ?? -1} qbuf=${qbuf} ` +
      `qbuf-free=${this.queryCapacity - qbuf} argv-mem=${this.#argv()[1]} ` +
      `multi-mem=${this.multi?.argvMem ?? 0} rbs=${rbs} ` +
      `rbp=${
        Math.max(this.replyPeak, obl)
      } obl=${obl} oll=${oll} omem=${mem.output} tot-mem=${mem.total} events=${events} cmd=${
        this.lastCommand?.fullName ?? "NULL"
      } ` +
      `user=${this.user.name} redir=${this.tracking?.redirect ?? -1} resp=${this.resp}`;
  }

  /**
   * RESET: back to a fresh connection's state — RESP2, db 0, no name,
   * replies on, not a monitor, no-evict off, tracking off, and unauthenticated again when
   * a password is required. A pending CLIENT REPLY SKIP still applies.
   */
  reset(): void {
    this.endTransaction();
    this.server.pubsub.dropClient(this);
    disableTracking(this);
    if (this.monitor) {
      this.monitor = false;
      this.server.monitors.delete(this);
    }
    this.db = this.server.keyspace.dbs[0];
    this.resp = 2;
    this.name = "";
    this.user = this.server.acl.defaultUser;
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
    // A client held by CLIENT PAUSE goes at once (its command never runs).
    if (this.postponed) dropPostponed(this);
    this.transport?.close();
  }
}
