/**
 * Client-side caching (CLIENT TRACKING), as Redis 7.0.15's tracking.c keeps it.
 *
 * The tracking table maps a key name (of any database) to the ids of the
 * clients that read it; a change of the key sends each of them one
 * invalidation and forgets the key. BCAST clients instead register
 * prefixes: keys changed under a prefix are collected and sent once per
 * turn of the event loop (Redis sends them in beforeSleep).
 *
 * The keyspace tells of changes through its key hook (keyhooks.ts), set
 * only while tracking state exists. Changes are collected while a command
 * runs and handled when it finishes (trackCommand, called by the
 * dispatcher): the running client's own invalidations wait until its reply
 * is written (Redis 7.0's tracking_pending_keys), others are written at
 * once. Changes outside commands (active expiry) are handled in a microtask.
 */
import type { Db, WatchHook } from "../store/keyspace.ts";
import type { Client } from "./client.ts";
import type { Server } from "./server.ts";
import type { Command } from "../commands/table.ts";
import { commandKeys } from "../commands/server.ts";
import { scriptState } from "../scripting/runner.ts";
import { setKeyHook } from "./keyhooks.ts";
import { SILENT_COMMANDS } from "./watch.ts";

/** A client's tracking mode (Redis's CLIENT_TRACKING_* flags and redirection). */
export interface ClientTracking {
  /** Client id the invalidations go to; 0 = this connection. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) given for the next command. */
  caching: boolean;
  /** The redirect client was gone when an invalidation was due (CLIENT LIST flag R). */
  brokenRedirect: boolean;
  /** BCAST prefixes, or null. */
  prefixes: Set<string> | null;
}

/** Options of CLIENT TRACKING ON. */
export interface TrackingOptions {
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
}

/** One BCAST prefix: who listens, and the keys changed under it this turn (with who changed each last). */
interface Bcast {
  readonly clients: Set<Client>;
  keys: Map<string, Client | null>;
}

/** Redis's tracking-table-max-keys eviction starts with this many keys per call. */
const EVICTION_EFFORT = 100;
const PUSH_INVALIDATE = ">2\r\n$10\r\ninvalidate\r\n";
const MESSAGE_INVALIDATE = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
/** Scripts' read-only entry points: the commands the script runs are tracked instead. */
const SCRIPT_RO = new Set(["eval_ro", "evalsha_ro", "fcall_ro"]);

/** Servers whose keyspace has the tracking hook: the dispatcher calls in only while this is not 0. */
export let trackingServers = 0;

const states = new WeakMap<Server, Tracking>();

class Tracking implements WatchHook {
  /** Key name -> ids of the clients that may cache it. */
  readonly table = new Map<string, Set<number>>();
  /** Client ids across the table (INFO tracking_total_items). */
  items = 0;
  readonly prefixes = new Map<string, Bcast>();
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  installed = false;
  /** Keys changed since the last handling; null = a flush (every key). */
  touched: (string | null)[] = [];
  /** Keys looked up for writing by the running command: changed if it changed data. */
  candidates: string[] = [];
  /** The running command already announced a flush (FLUSHALL flushes every database). */
  flushed = false;
  /** Invalidations of the running client, written after its reply; null = a flush. */
  pending: [Client, string | null][] = [];
  /** tracking-table-max-keys: how many evictions in a row left the table over the limit. */
  overLimitRuns = 0;
  #scheduled = false;
  /** Redis's serverCron also applies tracking-table-max-keys, so an idle server gets under it. */
  #cron: ReturnType<typeof setInterval> | null = null;

  constructor(readonly server: Server) {}

  #interesting(key: string): boolean {
    return this.prefixes.size !== 0 || this.table.has(key);
  }

  candidate(_db: Db, key: string): void {
    if (this.#interesting(key)) this.candidates.push(key);
  }

  touch(_db: Db, key: string): void {
    if (!this.#interesting(key)) return;
    this.touched.push(key);
    this.schedule();
  }

  commandDone(changed: boolean, cmd: { readonly fullName: string } | null): void {
    const cands = this.candidates;
    if (cands.length === 0) return;
    this.candidates = [];
    if (!changed || (cmd !== null && SILENT_COMMANDS.has(cmd.fullName))) return;
    for (const key of cands) this.touched.push(key);
  }

  flushing(_db: Db): void {
    // FLUSHALL reaches here once per database: Redis announces one flush per command.
    if (this.flushed) return;
    this.flushed = true;
    this.touched.push(null);
    this.schedule();
  }

  swapping(_a: Db, _b: Db): void {
    // Redis 7.0's SWAPDB invalidates nothing (tracking is by key name, not database).
  }

  /** Handles what changed outside commands, then the BCAST batches, once this turn's work is done. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.handleTouched(null, null);
      this.broadcast();
      this.maybeUninstall();
    });
  }

  /**
   * Invalidates what a command changed: `modifier` ran it (a script's
   * client for a script's commands: BCAST's NOLOOP looks at it), `current`
   * is the client whose command runs (the caller of a script: default
   * mode's NOLOOP looks at it, and its own invalidations wait for its
   * reply); both null outside commands.
   */
  handleTouched(modifier: Client | null, current: Client | null): void {
    if (this.touched.length === 0) return;
    const touched = this.touched;
    this.touched = [];
    this.flushed = false;
    for (const key of touched) {
      if (key === null) this.#invalidateAll(current);
      else this.invalidateKey(key, modifier, current, current !== null, true);
    }
  }

  /**
   * Redis's trackingInvalidateKey: `executing` when `current` is running
   * its command (not just about to: evictions before a command go at once).
   */
  invalidateKey(
    key: string,
    modifier: Client | null,
    current: Client | null,
    executing: boolean,
    bcast: boolean,
  ): void {
    if (bcast && this.prefixes.size !== 0) {
      for (const [prefix, bs] of this.prefixes) {
        if (key.startsWith(prefix)) bs.keys.set(key, modifier);
      }
      this.schedule();
    }
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const clients = this.server.clients;
    for (const id of ids) {
      const target = clients.get(id);
      const t = target?.tracking;
      if (target === undefined || t == null || t.bcast) continue;
      if (t.noloop && target === current) continue;
      if (target === current && executing) this.pending.push([target, key]);
      else send(target, keyFrame(key));
    }
    this.items -= ids.size;
    this.table.delete(key);
  }

  /** A flush: every tracking client is told every key is invalid (a null). */
  #invalidateAll(current: Client | null): void {
    if (this.clients !== 0) {
      for (const c of this.server.clients.values()) {
        if (c.tracking === null) continue;
        if (c === current) this.pending.push([c, null]);
        else send(c, nullFrame(c));
      }
    }
    this.table.clear();
    this.items = 0;
  }

  /** Redis's trackingBroadcastInvalidationMessages: one array of keys per prefix and client. */
  broadcast(): void {
    if (this.prefixes.size === 0) return;
    const prefixes = [...this.prefixes.keys()].sort();
    for (const prefix of prefixes) {
      const bs = this.prefixes.get(prefix)!;
      if (bs.keys.size === 0) continue;
      const keys = [...bs.keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      bs.keys = new Map();
      const common = keysFrame(keys.map(([k]) => k));
      for (const c of bs.clients) {
        if (c.tracking?.noloop) {
          const mine = keys.filter(([, by]) => by !== c).map(([k]) => k);
          if (mine.length !== 0) send(c, keysFrame(mine));
        } else {
          send(c, common);
        }
      }
    }
  }

  /** As Redis, the table is kept in bounds only while some client tracks. */
  limitIfTracking(current: Client | null): void {
    if (this.clients !== 0 && this.table.size !== 0) this.limit(current);
  }

  /** Redis's trackingLimitUsedSlots: forgets keys past tracking-table-max-keys, invalidating them. */
  limit(current: Client | null): void {
    const max = this.server.config.num("tracking-table-max-keys");
    if (max === 0) return;
    if (this.table.size <= max) {
      this.overLimitRuns = 0;
      return;
    }
    let effort = EVICTION_EFFORT * (this.overLimitRuns + 1);
    // The oldest keys go first (Redis picks them at random).
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(key, null, current, false, false);
      if (this.table.size <= max) {
        this.overLimitRuns = 0;
        return;
      }
    }
    this.overLimitRuns++;
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    trackingServers++;
    setKeyHook(this.server.keyspace, "tracking", this);
    const hz = Math.min(Math.max(this.server.config.num("hz"), 1), 500);
    const cron = setInterval(() => this.limitIfTracking(null), 1000 / hz);
    Deno.unrefTimer(cron);
    this.#cron = cron;
  }

  /** Removes the hook once nothing is tracked and nothing is due. */
  maybeUninstall(): void {
    if (
      !this.installed || this.clients !== 0 || this.table.size !== 0 ||
      this.prefixes.size !== 0 || this.touched.length !== 0 || this.pending.length !== 0
    ) return;
    this.installed = false;
    trackingServers--;
    if (this.#cron !== null) clearInterval(this.#cron);
    this.#cron = null;
    this.candidates = [];
    setKeyHook(this.server.keyspace, "tracking", null);
  }
}

function state(server: Server): Tracking {
  let s = states.get(server);
  if (s === undefined) states.set(server, s = new Tracking(server));
  return s;
}

function keyFrame(key: string): string {
  return `*1\r\n$${key.length}\r\n${key}\r\n`;
}

function keysFrame(keys: string[]): string {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += `$${k.length}\r\n${k}\r\n`;
  return s;
}

/** "All keys": the null of the tracking client's protocol. */
function nullFrame(c: Client): string {
  return c.resp === 3 ? "_\r\n" : "$-1\r\n";
}

/**
 * Redis's sendTrackingMessage: `payload` (an array of keys or a null) goes
 * as a RESP3 push, or as a message on __redis__:invalidate to a RESP2
 * redirect client in subscriber mode; a vanished redirect client is
 * reported to the tracking client (RESP3 only) and flagged.
 */
function send(c: Client, payload: string): void {
  let to = c;
  const redirect = c.tracking?.redirect ?? 0;
  if (redirect !== 0) {
    const r = c.server.clients.get(redirect);
    if (r === undefined) {
      if (c.tracking !== null) c.tracking.brokenRedirect = true;
      if (c.resp === 3) write(c, `>2\r\n$21\r\ntracking-redir-broken\r\n:${redirect}\r\n`);
      return;
    }
    to = r;
  }
  if (to.resp === 3) write(to, PUSH_INVALIDATE + payload);
  else if (redirect !== 0 && to.subscriberMode) write(to, MESSAGE_INVALIDATE + payload);
}

function write(c: Client, frame: string): void {
  // Redis 7.0 drops pushes to a client with replies off.
  if (c.closed || c.replyOff) return;
  c.out.str(frame);
  c.server.queueWrite(c);
}

/**
 * The dispatcher's call after every command while tracking state exists
 * (trackingServers !== 0): invalidates what the command changed and
 * remembers the keys a read-only command read for the client that tracks
 * (a script's caller, with the script's keys, as Redis 7.0 does).
 */
export function trackCommand(c: Client, cmd: Command, args: string[]): void {
  const s = states.get(c.server);
  if (s === undefined || !s.installed) return;
  let who = c;
  let keys: string[] | null = null;
  const running = c.tracking === null && c.denyBlocking !== 0
    ? scriptState(c.server).running
    : null;
  if (running != null && running.script === c) {
    who = running.caller;
    keys = running.run.keys;
  }
  s.handleTouched(c, who);
  const t = who.tracking;
  if (
    t === null || t.bcast || !cmd.spec.flags.includes("readonly") || SCRIPT_RO.has(cmd.fullName)
  ) {
    return;
  }
  if ((t.optin && !t.caching) || (t.optout && t.caching)) return;
  if (cmd.spec.flags.includes("pubsub")) return;
  keys ??= commandKeys(cmd, args);
  if (keys === null) return;
  for (const key of keys) {
    let ids = s.table.get(key);
    if (ids === undefined) s.table.set(key, ids = new Set());
    if (!ids.has(who.id)) {
      ids.add(who.id);
      s.items++;
    }
  }
}

/**
 * Before each command of `c` (Redis's processCommand): keeps the table
 * within tracking-table-max-keys (what `c` itself tracks goes at once, or
 * silently under NOLOOP, as in Redis 7.0.15).
 */
export function beforeTrackedCommand(c: Client): void {
  states.get(c.server)?.limitIfTracking(c);
}

/**
 * After each command of a connection (its reply written, CLIENT REPLY
 * SKIP applied): the client's own invalidations follow the reply; CLIENT
 * CACHING lasts one command (not counting CLIENT subcommands, nor commands
 * of an open MULTI, whose EXEC still sees it).
 */
export function afterTrackedCommand(c: Client, args: string[]): void {
  const s = states.get(c.server);
  if (s === undefined) return;
  if (s.pending.length !== 0) {
    // Only this client's: a script past busy-reply-threshold still gathers its caller's.
    const pending = s.pending;
    s.pending = [];
    for (const entry of pending) {
      if (entry[0] !== c) {
        if (!entry[0].closed) s.pending.push(entry);
      } else {
        send(c, entry[1] === null ? nullFrame(c) : keyFrame(entry[1]));
      }
    }
  }
  const t = c.tracking;
  if (t !== null && t.caching && c.multi === null && !isClientSubcommand(c.server, args)) {
    t.caching = false;
  }
  s.maybeUninstall();
}

/** A CLIENT subcommand, even one refused for its arity (Redis ran CLIENT's own proc for it). */
function isClientSubcommand(server: Server, args: string[]): boolean {
  if (args.length < 2 || args[0].toLowerCase() !== "client") return false;
  return server.commands.get("client")?.subcommands?.has(args[1].toLowerCase()) ?? false;
}

/** CLIENT TRACKING ON (Redis's enableTracking): options already checked. */
export function enableTracking(
  c: Client,
  redirect: number,
  opts: TrackingOptions,
  prefixes: string[],
): void {
  const s = state(c.server);
  let t = c.tracking;
  if (t === null) {
    t = c.tracking = {
      redirect: 0,
      bcast: false,
      optin: false,
      optout: false,
      noloop: false,
      caching: false,
      brokenRedirect: false,
      prefixes: null,
    };
    s.clients++;
    s.install();
  }
  t.redirect = redirect;
  t.brokenRedirect = false;
  t.bcast = opts.bcast;
  t.optin = opts.optin;
  t.optout = opts.optout;
  t.noloop = opts.noloop;
  if (opts.bcast) {
    if (prefixes.length === 0) addPrefix(s, c, t, "");
    for (const p of prefixes) addPrefix(s, c, t, p);
  }
}

function addPrefix(s: Tracking, c: Client, t: ClientTracking, prefix: string): void {
  let bs = s.prefixes.get(prefix);
  if (bs === undefined) s.prefixes.set(prefix, bs = { clients: new Set(), keys: new Map() });
  if (bs.clients.has(c)) return;
  bs.clients.add(c);
  (t.prefixes ??= new Set()).add(prefix);
}

/** CLIENT TRACKING OFF, RESET, disconnect (Redis's disableTracking); the table forgets lazily. */
export function disableTracking(c: Client): void {
  const t = c.tracking;
  if (t === null) return;
  const s = state(c.server);
  if (t.prefixes !== null) {
    for (const p of t.prefixes) {
      const bs = s.prefixes.get(p);
      if (bs === undefined) continue;
      bs.clients.delete(c);
      if (bs.clients.size === 0) s.prefixes.delete(p);
    }
  }
  c.tracking = null;
  s.clients--;
  s.maybeUninstall();
}

/** INFO figures: tracking_clients, tracking_total_keys, tracking_total_items, tracking_total_prefixes. */
export function trackingInfo(
  server: Server,
): { clients: number; keys: number; items: number; prefixes: number } {
  const s = states.get(server);
  if (s === undefined) return { clients: 0, keys: 0, items: 0, prefixes: 0 };
  return { clients: s.clients, keys: s.table.size, items: s.items, prefixes: s.prefixes.size };
}
