/**
 * The server: listeners, clients, the keyspace, the command table, the
 * periodic cron (active expiry, idle timeouts) and shutdown.
 */
import { ALL_COMMANDS } from "../commands/index.ts";
import { CommandTable } from "../commands/table.ts";
import { type Config, type OptionValue, REDENO_VERSION, REDIS_COMPAT_VERSION } from "../config.ts";
import { Logger, type LogLevel } from "../log.ts";
import { repr } from "../resp/repr.ts";
import { Keyspace } from "../store/keyspace.ts";
import type { Client } from "./client.ts";
import { serveConnection } from "./connection.ts";

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
  /** errorstat_<CODE>:count */
  readonly errorCodes = new Map<string, number>();
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

  constructor(private server: Server) {}

  /** Records the command if it was slower than slowlog-log-slower-than. */
  record(c: Client, args: string[], micros: number): void {
    const threshold = this.server.config.num("slowlog-log-slower-than");
    if (threshold < 0 || micros < threshold) return;
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
  /** Ports actually bound (the first one is `port`, or the one picked for port 0). */
  readonly ports: number[] = [];
  /** Resolves when the server has shut down. */
  readonly finished: Promise<void>;
  lastSave = Math.floor(Date.now() / 1000);
  shuttingDown = false;

  #listeners: Deno.Listener[] = [];
  #nextClientId = 1;
  #cron: ReturnType<typeof setInterval> | null = null;
  #resolveFinished!: () => void;
  #connections = new Set<Promise<void>>();

  constructor(options: ServerOptions) {
    this.config = options.config;
    this.log = options.log ?? new Logger();
    this.log.setLevel(this.config.str("loglevel") as LogLevel);
    this.log.setFile(this.config.str("logfile"));
    this.keyspace = new Keyspace(this.config.num("databases"));
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.config.onChange = (name, value) => this.#applyConfig(name, value);
  }

  nextClientId(): number {
    return this.#nextClientId++;
  }

  /** True when clients must AUTH before running commands. */
  authRequired(): boolean {
    return this.config.str("requirepass") !== "";
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
    this.clients.delete(c.id);
    this.monitors.delete(c);
  }

  /** Sends a command line to every MONITOR client, in Redis's format. */
  feedMonitors(c: Client, args: string[]): void {
    const now = Date.now();
    let line = `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, "0")} ` +
      `[${c.db.id} ${c.addr}]`;
    for (const a of args) line += " " + repr(a);
    for (const m of this.monitors) {
      if (m === c) continue;
      m.out.simple(line);
      m.transport?.flush();
    }
  }

  /** Binds every address of `bind` on `port` and starts serving. */
  start(): void {
    const port = this.config.num("port");
    const binds = this.config.get("bind") as string[];
    let boundPort = port;
    for (const spec of binds) {
      const optional = spec.startsWith("-");
      const hostname = optional ? spec.slice(1) : spec;
      try {
        const listener = Deno.listen({ hostname, port: boundPort });
        boundPort = (listener.addr as Deno.NetAddr).port;
        this.#listeners.push(listener);
        if (!this.ports.includes(boundPort)) this.ports.push(boundPort);
        this.#accept(listener);
      } catch (e) {
        if (optional) {
          this.log.warning(
            `Warning: Could not create server TCP listening socket ${hostname}:${port}: ${
              (e as Error).message
            }`,
          );
          continue;
        }
        throw new Error(
          `Could not create server TCP listening socket ${hostname}:${port}: ${
            (e as Error).message
          }`,
        );
      }
    }
    if (this.#listeners.length === 0) {
      throw new Error("Failed listening on port " + port + " (tcp), aborting.");
    }
    this.#startCron();
  }

  /** The banner printed at start-up. */
  banner(): string {
    return `redeno ${REDENO_VERSION} (Redis ${REDIS_COMPAT_VERSION} compatible), ` +
      `Deno ${Deno.version.deno}, port ${this.ports[0]}, pid ${Deno.pid}, mode standalone`;
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        const p = serveConnection(this, conn).catch((e) =>
          this.log.warning(`connection failed: ${(e as Error).message}`)
        );
        this.#connections.add(p);
        p.finally(() => this.#connections.delete(p));
      }
    } catch (e) {
      if (!this.shuttingDown) this.log.warning(`accept failed: ${(e as Error).message}`);
    }
  }

  #startCron(): void {
    const hz = Math.min(Math.max(this.config.num("hz"), 1), 500);
    let tick = 0;
    this.#cron = setInterval(() => {
      tick++;
      // Active expiry may use a quarter of each cron period, as in Redis.
      this.keyspace.activeExpireCycle(250 / hz);
      if (tick % hz === 0) this.#closeIdleClients();
    }, 1000 / hz);
  }

  #closeIdleClients(): void {
    const timeout = this.config.num("timeout");
    if (timeout <= 0) return;
    const now = Date.now();
    for (const c of this.clients.values()) {
      if (c.monitor) continue;
      if (now - c.lastInteraction > timeout * 1000) {
        this.log.verbose(`Closing idle client id=${c.id} addr=${c.addr}`);
        c.kill();
      }
    }
  }

  #applyConfig(name: string, value: OptionValue): void {
    switch (name) {
      case "loglevel":
        this.log.setLevel(value as LogLevel);
        break;
      case "slowlog-max-len":
        this.slowlog.trim();
        break;
      case "hz":
        if (this.#cron !== null) {
          clearInterval(this.#cron);
          this.#startCron();
        }
        break;
    }
  }

  /**
   * Stops accepting, closes every client once its pending replies are out,
   * and resolves `finished`.
   */
  async shutdown(reason = "shutdown"): Promise<void> {
    if (this.shuttingDown) return this.finished;
    this.shuttingDown = true;
    this.log.warning(`User requested ${reason}...`);
    if (this.#cron !== null) clearInterval(this.#cron);
    for (const l of this.#listeners) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    for (const c of this.clients.values()) {
      await c.transport?.flush().catch(() => {});
      c.kill();
    }
    await Promise.allSettled([...this.#connections]);
    this.log.warning("Redis is now ready to exit, bye bye...");
    this.#resolveFinished();
  }
}
