/**
 * The server: listeners, clients, the keyspace, the command table, the
 * periodic cron (active expiry, idle timeouts) and shutdown.
 */
import { randomHex } from "../util/random.ts";
import { replicationOf } from "./replication.ts";
import { ALL_COMMANDS } from "../commands/index.ts";
import { CommandTable } from "../commands/table.ts";
import {
  type Config,
  findOption,
  formatValue,
  type OptionValue,
  REDENO_VERSION,
  REDIS_COMPAT_VERSION,
} from "../config.ts";
import { Logger, type LogLevel } from "../log.ts";
import { repr } from "../resp/repr.ts";
import { Keyspace } from "../store/keyspace.ts";
import { Persistence } from "../persistence/persistence.ts";
import type { FsyncPolicy } from "../persistence/aof.ts";
import type { Client } from "./client.ts";
import { serveConnection } from "./connection.ts";
import { type ListenerKind, Listeners, type ServerConn } from "./listeners.ts";
import { Blocking } from "./blocking.ts";
import { LatencyMonitor } from "./latency.ts";
import { PubSub } from "./pubsub.ts";
import { Acl } from "./acl.ts";
import {
  clientLimitChanged,
  maxmemoryChanged,
  policyChanged,
  resetEvictionStats,
} from "./evict.ts";
import { disableTracking } from "./tracking.ts";
import { closeOnOutputBufferLimit } from "./obuf.ts";
import { clientsPaused } from "./pause.ts";
import { applyRenames } from "./rename.ts";
import { accountClient, forgetClient, usedMemory } from "./memory.ts";

/** Server-wide counters (INFO stats). */
export class ServerStats {
  totalConnections = 0;
  rejectedConnections = 0;
  commandsProcessed = 0;
  rejectedCalls = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  netInputCommands = 0;
  totalErrorReplies = 0;
  /** Socket reads and writes (INFO total_reads_processed, total_writes_processed). */
  totalReads = 0;
  totalWrites = 0;
  /** Reply buffers resized by the client cron (INFO reply_buffer_shrinks / expands). */
  replyBufferShrinks = 0;
  replyBufferExpands = 0;
  /** errorstat_<CODE>:count */
  readonly errorCodes = new Map<string, number>();
  /** Highest used memory seen (INFO used_memory_peak). */
  peakMemory = 0;
}

/** Options whose values CONFIG SET hides from SLOWLOG (Redis 7.0's SENSITIVE_CONFIG). */
const SENSITIVE_OPTIONS = new Set([
  "requirepass",
  "masterauth",
  "masteruser",
  "tls-key-file-pass",
  "tls-client-key-file-pass",
]);

/**
 * Arguments as MONITOR and SLOWLOG show them: secrets replaced by
 * "(redacted)" where Redis 7.0's redactClientCommandArgument replaces them:
 * AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2, ACL SETUSER and CONFIG SET
 * of sensitive options. Only once the command has parsed that far, as in
 * Redis (AUTH with too many arguments, or an option after a syntax error,
 * stays as it came).
 */
export function redactArgs(args: string[]): string[] {
  const name = args[0].toLowerCase();
  let out: string[] | null = null;
  const redact = (i: number) => {
    out ??= [...args];
    out[i] = "(redacted)";
  };
  if (name === "auth") {
    if (args.length > 3) return args;
    for (let i = 1; i < args.length; i++) redact(i);
  } else if (name === "hello") {
    if (args.length < 2) return args;
    // Redis parses the version first (string2ll: no sign, no leading zeros): 2 or 3 only.
    if (args[1] !== "2" && args[1] !== "3") return args;
    for (let j = 2; j < args.length; j++) {
      const more = args.length - 1 - j;
      const opt = args[j].toLowerCase();
      if (opt === "auth" && more >= 2) {
        redact(j + 1);
        redact(j + 2);
        j += 2;
      } else if (opt === "setname" && more >= 1) j++;
      else break;
    }
  } else if (name === "migrate") {
    for (let j = 6; j < args.length; j++) {
      const more = args.length - 1 - j;
      const opt = args[j].toLowerCase();
      if (opt === "copy" || opt === "replace") continue;
      if (opt === "auth" && more >= 1) redact(++j);
      else if (opt === "auth2" && more >= 2) {
        redact(++j);
        redact(++j);
      } else break; // KEYS ends the options; anything else is a syntax error
    }
  } else if (name === "acl") {
    if (args.length >= 3 && args[1].toLowerCase() === "setuser") {
      for (let i = 2; i < args.length; i++) redact(i);
    }
  } else if (name === "config") {
    if (args.length >= 4 && args.length % 2 === 0 && args[1].toLowerCase() === "set") {
      for (let i = 2; i < args.length; i += 2) {
        if (SENSITIVE_OPTIONS.has(args[i].toLowerCase())) redact(i + 1);
      }
    }
  }
  return out ?? args;
}

export interface SlowlogEntry {
  id: number;
  time: number;
  micros: number;
  args: string[];
  addr: string;
  name: string;
}

const SLOWLOG_MAX_ARGC = 32;
const SLOWLOG_MAX_STRING = 128;

export class Slowlog {
  entries: SlowlogEntry[] = [];
  #nextId = 0;
  /** slowlog-log-slower-than, cached: record() runs for every command. */
  #threshold: number | null = null;

  constructor(private server: Server) {}

  /** Called when slowlog-log-slower-than changes. */
  thresholdChanged(): void {
    this.#threshold = null;
  }

  /** Records the command if it was slower than slowlog-log-slower-than. */
  record(c: Client, args: string[], micros: number): void {
    const threshold = this.#threshold ??= this.server.config.num("slowlog-log-slower-than");
    if (threshold < 0 || micros < threshold) return;
    args = redactArgs(args);
    const n = Math.min(args.length, SLOWLOG_MAX_ARGC);
    const kept: string[] = [];
    for (let i = 0; i < n; i++) {
      if (n === SLOWLOG_MAX_ARGC && i === n - 1 && args.length > n) {
        kept.push(`... (${args.length - n + 1} more arguments)`);
      } else if (args[i].length > SLOWLOG_MAX_STRING) {
        kept.push(
          `${args[i].slice(0, SLOWLOG_MAX_STRING)}... (${
            args[i].length - SLOWLOG_MAX_STRING
          } more bytes)`,
        );
      } else {
        kept.push(args[i]);
      }
    }
    this.entries.unshift({
      id: this.#nextId++,
      time: Math.floor(Date.now() / 1000),
      micros,
      args: kept,
      addr: c.addr,
      name: c.name,
    });
    this.trim();
  }

  trim(): void {
    const max = this.server.config.num("slowlog-max-len");
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries = [];
  }
}

export interface ServerOptions {
  config: Config;
  /** Logger to use; a new one configured from `config` by default. */
  log?: Logger;
}

export class Server {
  readonly config: Config;
  readonly log: Logger;
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable(ALL_COMMANDS);
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly stats = new ServerStats();
  readonly slowlog = new Slowlog(this);
  readonly startTime = Date.now();
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  readonly persistence: Persistence;
  /** Clients blocked on keys (BLPOP ...) and the keys that are ready for them. */
  readonly blocking: Blocking;
  shuttingDown = false;
  /**
   * While a script runs past busy-reply-threshold: the BUSY error every
   * command not flagged allow_busy gets (lib/scripting sets it); else null.
   */
  busyScriptError: string | null = null;
  /** Random 40-hex-digit id of this run (INFO run_id). */
  readonly runId = randomHex(40);
  /** Replication id (INFO master_replid). */
  readonly replId = randomHex(40);
  /** True while this server, a replica, has a working link to its master (lib/server/replica.ts). */
  masterLinkUp = false;
  /** Latency monitor events and the latency-tracking switches (LATENCY, INFO latencystats). */
  readonly latency = new LatencyMonitor();
  /** Channels, patterns and shard channels with their subscribers; keyspace events. */
  readonly pubsub: PubSub = new PubSub(this);
  /** ACL users (lib/server/acl.ts). */
  readonly acl: Acl = new Acl(this);
  /** The maxmemory option in bytes (0: no limit), read by the dispatcher on every command. */
  maxmemory = 0;
  /** min-replicas-to-write (0: writes never wait for replicas), read by the dispatcher on every write. */
  minReplicasToWrite = 0;
  /** Clients given replies outside their own commands (messages), written at the end of this turn. */
  readonly #pendingWrites = new Set<Client>();

  /** TCP, TLS and unix socket listeners (lib/server/listeners.ts). */
  readonly listeners: Listeners = new Listeners(this);
  #nextClientId = 1;
  #cron: ReturnType<typeof setInterval> | null = null;
  #resolveFinished!: () => void;
  #connections = new Set<Promise<void>>();
  /** Samples for INFO instantaneous_* (one per cron tick, the last 16). */
  #samples: { t: number; ops: number; inBytes: number; outBytes: number }[] = [];
  /** Connection numbers in use (CLIENT LIST fd=, see allocFd). */
  #fds = new Set<number>();

  constructor(options: ServerOptions) {
    this.config = options.config;
    this.log = options.log ?? new Logger();
    this.log.setLevel(this.config.str("loglevel") as LogLevel);
    this.log.setFile(this.config.str("logfile"));
    this.keyspace = new Keyspace(this.config.num("databases"));
    this.blocking = new Blocking(this.keyspace);
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.config.onChange = (name, value, old) => this.#applyConfig(name, value, old);
    this.acl.configure();
    applyRenames(this);
    this.#applyAccessPolicy();
    this.maxmemory = this.config.num("maxmemory");
    this.minReplicasToWrite = this.config.num("min-replicas-to-write");
    clientLimitChanged(this);
    this.latency.threshold = this.config.num("latency-monitor-threshold");
    this.latency.tracking = this.config.bool("latency-tracking");
    this.persistence = new Persistence(this);
    this.pubsub.applyNotifyFlags(this.config.str("notify-keyspace-events"));
  }

  /**
   * `c` got output outside its own command (a message, an invalidation):
   * its socket is written once the work of this turn is done, so that a
   * burst of messages costs one write per receiver.
   */
  queueWrite(c: Client): void {
    // Output added outside the client's own command: its limits are checked here.
    if (closeOnOutputBufferLimit(c)) return;
    if (this.#pendingWrites.size === 0) queueMicrotask(this.#writePending);
    this.#pendingWrites.add(c);
  }

  readonly #writePending = (): void => {
    for (const c of this.#pendingWrites) c.transport?.send();
    this.#pendingWrites.clear();
  };

  /**
   * A per-connection number for CLIENT LIST's fd= field. Deno exposes no
   * file descriptors, so this is the lowest number not used by another open
   * connection, starting where Redis's first client fd usually is (8) —
   * stable for the life of the connection and reused afterwards, like an fd.
   */
  allocFd(): number {
    let fd = 8;
    while (this.#fds.has(fd)) fd++;
    this.#fds.add(fd);
    return fd;
  }

  releaseFd(fd: number): void {
    this.#fds.delete(fd);
  }

  nextClientId(): number {
    return this.#nextClientId++;
  }

  /** True when clients must AUTH before running commands. */
  authRequired(): boolean {
    return this.acl.authRequired;
  }

  /** Counts an error reply by its code (INFO errorstats). */
  readonly recordErrorReply = (code: string): void => {
    this.stats.totalErrorReplies++;
    this.stats.errorCodes.set(code, (this.stats.errorCodes.get(code) ?? 0) + 1);
  };

  addClient(c: Client): void {
    this.clients.set(c.id, c);
    this.stats.totalConnections++;
  }

  removeClient(c: Client): void {
    this.blocking.drop(c);
    this.pubsub.dropClient(c);
    disableTracking(c);
    c.endTransaction(); // its WATCHes go with it
    this.clients.delete(c.id);
    forgetClient(this, c);
    this.monitors.delete(c);
    this.releaseFd(c.fd);
  }

  /**
   * Sends a command line to every MONITOR client, in Redis's format, with
   * secrets redacted. The dispatcher leaves out admin and skip_monitor
   * commands.
   */
  feedMonitors(c: Client, args: string[]): void {
    const now = performance.timeOrigin + performance.now();
    const micros = Math.floor((now % 1000) * 1000);
    let line = `${Math.floor(now / 1000)}.${String(micros).padStart(6, "0")} ` +
      `[${c.db.id} ${c.addr}]`;
    for (const a of redactArgs(args)) line += " " + repr(a);
    for (const m of this.monitors) {
      if (m === c) continue;
      m.out.simple(line);
      // Written after this turn, once per burst; a monitor that stops reading meets its limits.
      this.queueWrite(m);
    }
  }

  /** Binds every address of `bind` on `port` and starts serving. */
  start(): void {
    this.acl.loadAtStartup();
    this.listeners.open();
    this.#startCron();
  }

  /** Serves a connection a listener accepted (after its TLS handshake). */
  serve(conn: ServerConn, kind: ListenerKind): void {
    const p = serveConnection(this, conn, kind).catch((e) =>
      this.log.warning(`connection failed: ${(e as Error).message}`)
    );
    this.#connections.add(p);
    p.finally(() => this.#connections.delete(p));
  }

  /** The TCP port clients reach (INFO tcp_port; 0 when there is no TCP listener). */
  get port(): number {
    return this.listeners.tcpPort;
  }

  /** Start-up log lines, as redis-server prints them (after "Configuration loaded"). */
  logStartup(): void {
    this.log.notice(`Running mode=standalone, port=${this.port}.`);
    this.log.warning("Server initialized");
    this.log.notice(this.banner());
  }

  /** One line saying what runs where. */
  banner(): string {
    return `redeno ${REDENO_VERSION} (Redis ${REDIS_COMPAT_VERSION} compatible), ` +
      `Deno ${Deno.version.deno}, port ${this.port}, pid ${Deno.pid}, mode standalone`;
  }

  #startCron(): void {
    const hz = Math.min(Math.max(this.config.num("hz"), 1), 500);
    // A cron tick also samples memory for INFO used_memory_peak.
    let tick = 0;
    this.#cron = setInterval(() => {
      tick++;
      this.keyspace.tickClock();
      // Active expiry may use a quarter of each cron period, as in Redis.
      // A script running past busy-reply-threshold pauses it and the
      // persistence cron (no snapshot or rewrite starts mid-script).
      const scriptBusy = this.busyScriptError !== null;
      // A client pause holds the data set still: no active expiry (Redis 7.0).
      if (!this.keyspace.loading && !scriptBusy && clientsPaused(this) === null) {
        const start = performance.now();
        this.keyspace.activeExpireCycle(250 / hz);
        this.latency.addSampleIfNeeded("expire-cycle", Math.floor(performance.now() - start));
      }
      if (!scriptBusy) this.persistence.cron();
      this.#clientsCron(hz);
      this.#sample();
      if (tick % hz === 0) {
        this.#closeIdleClients();
        this.usedMemory();
      }
    }, 1000 / hz);
  }

  /** Where the client cron resumes (a Map iterator sees clients added meanwhile). */
  #clientCursor: Iterator<Client> | null = null;
  /**
   * Largest client input / output buffers seen in each of the last 8 seconds
   * (INFO client_recent_max_input_buffer / _output_buffer), as Redis tracks them.
   */
  readonly recentMaxInput = new Array<number>(8).fill(0);
  readonly recentMaxOutput = new Array<number>(8).fill(0);

  /**
   * Visits a share of the clients each tick, every client about once a
   * second (all of them each tick while there are few), as Redis's clientsCron.
   */
  #clientsCron(hz: number): void {
    const n = this.clients.size;
    if (n === 0) return;
    let visits = Math.min(Math.max(Math.ceil(n / hz), 5), n);
    const now = Date.now();
    const slot = Math.floor(now / 1000) % 8;
    // The slot of 7 seconds ago restarts.
    const stale = (slot + 1) % 8;
    this.recentMaxInput[stale] = this.recentMaxOutput[stale] = 0;
    while (visits > 0) {
      this.#clientCursor ??= this.clients.values();
      const next = this.#clientCursor.next();
      if (next.done) {
        this.#clientCursor = null;
        continue;
      }
      const c = next.value;
      c.cron(now);
      const m = c.memory();
      accountClient(this, c, m);
      if (m.input > this.recentMaxInput[slot]) this.recentMaxInput[slot] = m.input;
      if (m.output > this.recentMaxOutput[slot]) this.recentMaxOutput[slot] = m.output;
      // A client stuck over its soft limit is dropped even if no more output comes (Redis 7.0).
      closeOnOutputBufferLimit(c, false);
      visits--;
    }
  }

  #closeIdleClients(): void {
    const timeout = this.config.num("timeout");
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of this.clients.values()) {
      // As in Redis, monitors, subscribers, blocked and paused clients are never idle.
      if (c.monitor || c.blocked !== null || c.postponed || c.subscriberMode) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        this.log.verbose(`Closing idle client id=${c.id} addr=${c.addr}`);
        c.kill();
      }
    }
  }

  #sample(): void {
    const st = this.stats;
    this.#samples.push({
      t: performance.now(),
      ops: st.commandsProcessed,
      inBytes: st.netInputBytes,
      outBytes: st.netOutputBytes,
    });
    if (this.#samples.length > 16) this.#samples.shift();
  }

  /** Rates over the last samples (INFO instantaneous_ops_per_sec and kbps). */
  instantaneous(): { ops: number; inputKbps: number; outputKbps: number } {
    const a = this.#samples[0];
    const b = this.#samples[this.#samples.length - 1];
    if (!a || a === b || b.t <= a.t) return { ops: 0, inputKbps: 0, outputKbps: 0 };
    const secs = (b.t - a.t) / 1000;
    return {
      ops: Math.round((b.ops - a.ops) / secs),
      inputKbps: (b.inBytes - a.inBytes) / secs / 1024,
      outputKbps: (b.outBytes - a.outBytes) / secs / 1024,
    };
  }

  /** used_memory as redeno accounts it (lib/server/memory.ts); updates the peak. */
  usedMemory(): number {
    const used = usedMemory(this);
    if (used > this.stats.peakMemory) this.stats.peakMemory = used;
    return used;
  }

  /** CONFIG RESETSTAT: zeroes the counters INFO reports. */
  resetStats(): void {
    const s = this.stats;
    resetEvictionStats(this);
    s.totalConnections =
      s.rejectedConnections =
      s.commandsProcessed =
      s.rejectedCalls =
        0;
    s.netInputBytes =
      s.netOutputBytes =
      s.netInputCommands =
      s.totalErrorReplies =
      s.totalReads =
      s.totalWrites =
      s.replyBufferShrinks =
      s.replyBufferExpands =
        0;
    s.errorCodes.clear();
    s.peakMemory = 0;
    const k = this.keyspace.stats;
    k.expiredKeys =
      k.keyspaceHits =
      k.keyspaceMisses =
      k.expiredStalePerc =
        0;
    k.expireCycleCpuMs = 0;
    k.expiredTimeCapReached = 0;
    for (const cmd of this.commands.all()) {
      for (const c of [cmd, ...(cmd.subcommands?.values() ?? [])]) {
        c.stats.calls =
          c.stats.usec =
          c.stats.rejectedCalls =
          c.stats.failedCalls =
            0;
        c.stats.latency = null;
      }
    }
  }

  #applyAccessPolicy(): void {
    const lfu = this.config.str("maxmemory-policy").endsWith("-lfu");
    this.keyspace.setAccessPolicy(lfu ? "lfu" : "lru", {
      logFactor: this.config.num("lfu-log-factor"),
      decayTime: this.config.num("lfu-decay-time"),
    });
  }

  /** Live effect of CONFIG SET; throws ConfigError to refuse (rolled back). */
  #applyConfig(name: string, value: OptionValue, old: OptionValue): void {
    switch (name) {
      case "loglevel":
        this.log.setLevel(value as LogLevel);
        break;
      case "slowlog-log-slower-than":
        this.slowlog.thresholdChanged();
        break;
      case "slowlog-max-len":
        this.slowlog.trim();
        break;
      case "latency-monitor-threshold":
        this.latency.threshold = value as number;
        break;
      case "latency-tracking":
        this.latency.tracking = value as boolean;
        break;
      case "notify-keyspace-events":
        this.pubsub.applyNotifyFlags(value as string);
        break;
      case "hz":
        if (this.#cron !== null) {
          clearInterval(this.#cron);
          this.#startCron();
        }
        break;
      case "appendonly":
        if (this.#cron === null) break; // start-up configuration: load() decides
        if (value) {
          this.persistence.enableAof().catch((e) =>
            this.log.warning(`Can't enable the AOF: ${(e as Error).message}`)
          );
        } else {
          this.persistence.disableAof().catch(() => {});
        }
        break;
      case "appendfsync":
        if (this.persistence.aof) this.persistence.aof.policy = value as FsyncPolicy;
        break;
      case "save":
      case "stop-writes-on-bgsave-error":
        this.persistence.updateDenyWrites();
        break;
      case "requirepass":
      case "acl-pubsub-default":
        this.acl.configure(name);
        break;
      case "min-replicas-to-write":
        this.minReplicasToWrite = Number(value);
        break;
      case "maxmemory":
        this.maxmemory = Number(value);
        clientLimitChanged(this);
        maxmemoryChanged(this);
        break;
      case "maxmemory-clients":
        clientLimitChanged(this);
        break;
      case "maxmemory-policy":
        policyChanged(this);
        this.#applyAccessPolicy();
        break;
      case "lfu-log-factor":
      case "lfu-decay-time":
        this.#applyAccessPolicy();
        break;
      case "port":
      case "bind":
        if (this.#cron === null) break; // not started yet (start-up configuration)
        // An unchanged value is left alone, as Redis skips applying it.
        if (formatValue(findOption(name)!, value) === formatValue(findOption(name)!, old)) break;
        this.listeners.apply(name);
        break;
      default:
        if (name.startsWith("tls-") && this.#cron !== null) {
          if (formatValue(findOption(name)!, value) === formatValue(findOption(name)!, old)) break;
          this.listeners.apply(name);
        }
    }
  }

  /**
   * SHUTDOWN and SIGTERM: the final save (`save`: true = always, false =
   * never, null = when save points are configured) and AOF fsync, then
   * shutdown. When the save fails the server keeps running, unless `force`;
   * false is returned then.
   */
  async shutdownWithSave(
    save: boolean | null,
    force = false,
    reason = "shutdown",
    now = false,
  ): Promise<boolean> {
    if (this.shuttingDown) return true;
    if (this.#shutdownWaiting) return false;
    this.log.warning(`User requested ${reason}...`);
    // Writers wait from here (reads go on): none may land after the final save and fsync.
    const lock = this.keyspace.lock;
    const wait = lock.acquire();
    if (wait) await wait;
    if (!now) {
      // Replicas first get and acknowledge everything (SHUTDOWN ABORT ends the wait).
      this.#shutdownWaiting = true;
      this.#shutdownAborted = false;
      const done = await replicationOf(this).catchUpBeforeShutdown(
        this.config.num("shutdown-timeout") * 1000,
        () => this.#shutdownAborted,
      ).finally(() => (this.#shutdownWaiting = false));
      if (!done) {
        this.log.notice("Shutdown manually aborted.");
        lock.release();
        return false;
      }
    }
    const saved = await this.persistence.finalSave(save).catch(() => false);
    if (!saved && !force) {
      this.log.warning(
        "Errors trying to shut down the server. Check the logs for more information.",
      );
      lock.release();
      return false;
    }
    // Not awaited: the caller may be a client whose connection shutdown waits for.
    this.shutdown();
    return true;
  }

  #shutdownWaiting = false;
  #shutdownAborted = false;

  /** SHUTDOWN ABORT: ends a shutdown that waits for its replicas; false when none waits. */
  abortShutdown(): boolean {
    if (!this.#shutdownWaiting) return false;
    this.#shutdownAborted = true;
    return true;
  }

  /**
   * Stops accepting, closes every client once its pending replies are out,
   * and resolves `finished`. Persistence is not touched (see shutdownWithSave).
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return this.finished;
    this.shuttingDown = true;
    if (this.#cron !== null) clearInterval(this.#cron);
    this.listeners.close();
    for (const c of this.clients.values()) {
      await c.transport?.flush().catch(() => {});
      c.kill();
    }
    await Promise.allSettled([...this.#connections]);
    this.log.warning("Redis is now ready to exit, bye bye...");
    this.#resolveFinished();
  }
}
