/**
 * DUMP, RESTORE (and RESTORE-ASKING) and MIGRATE.
 *
 * A DUMP payload is Redis's: the value as RDB saves it (type byte and
 * body), the RDB version as two little-endian bytes, and the CRC-64 of all
 * that as eight little-endian bytes. RESTORE checks the footer as Redis's
 * verifyDumpPayload does, then decodes the body with full validation (as
 * sanitize-dump-payload yes would): a malformed payload gets "Bad data
 * format" and leaves nothing behind, whatever sanitize-dump-payload says.
 *
 * MIGRATE is asynchronous: it dumps the keys, sends AUTH, SELECT and one
 * RESTORE per key to the target in one write, reads the replies, and then
 * deletes what the target acknowledged (unless COPY), logging DEL. It holds
 * the store lock meanwhile, so no writer changes the keys under it (Redis
 * blocks the whole server instead).
 */
import type { Client } from "../server/client.ts";
import type { Db, Value } from "../store/keyspace.ts";
import { lfuMinutes, lruClock } from "../store/keyspace.ts";
import { NOTIFY_GENERIC } from "../store/notify.ts";
import {
  decodeValue,
  encodeValue,
  idleStamp,
  RDB_VERSION,
  type RdbReadOptions,
} from "../persistence/rdb.ts";
import { Crc64 } from "../persistence/crc64.ts";
import { bytesToStr, strToBytes } from "../resp/bytes.ts";
import { appendCommand } from "../persistence/aoffile.ts";
import { ByteBuffer } from "../util/bytebuf.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInt64 } from "./args.ts";
import { type CommandSpec, defineCommand } from "./table.ts";
import { listLimits } from "./lists.ts";
import { setLimits } from "./sets.ts";
import { zsetLimits } from "./zsets.ts";

const ERR_BUSYKEY = "BUSYKEY Target key name already exists.";
const ERR_BAD_TTL = "ERR Invalid TTL value, must be >= 0";
const ERR_BAD_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0";
const ERR_BAD_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255";
const ERR_BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
const ERR_BAD_FORMAT = "ERR Bad data format";

// ------------------------------------------------------------------ payload

/** The DUMP payload of `value`: RDB value, RDB version (2 bytes LE), CRC-64 (8 bytes LE). */
export function dumpPayload(value: Value, compression: boolean): Uint8Array {
  return withDumpFooter(encodeValue(value, { compression }));
}

/** `body` followed by DUMP's footer: the RDB version (2 bytes LE) and the CRC-64 (8 bytes LE). */
export function withDumpFooter(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 10);
  out.set(body);
  out[body.length] = RDB_VERSION & 0xff;
  out[body.length + 1] = RDB_VERSION >> 8;
  const crc = new Crc64().update(out, 0, body.length + 2).bytesLE();
  out.set(crc, body.length + 2);
  return out;
}

/**
 * Redis's verifyDumpPayload: at least the 10-byte footer, a version this
 * server reads, and a matching checksum (unless `skipChecksum`).
 */
export function verifyDumpPayload(payload: Uint8Array, skipChecksum = false): boolean {
  const n = payload.length;
  if (n < 10) return false;
  const version = payload[n - 10] | (payload[n - 9] << 8);
  if (version > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(payload, 0, n - 8).bytesLE();
  for (let i = 0; i < 8; i++) if (crc[i] !== payload[n - 8 + i]) return false;
  return true;
}

/** The configured encoding limits a restored value is built with. */
function loadLimits(c: Client): RdbReadOptions {
  const config = c.server.config;
  return {
    hashLimits: {
      maxEntries: config.num("hash-max-listpack-entries"),
      maxValue: config.num("hash-max-listpack-value"),
    },
    listLimits: listLimits(c),
    setLimits: setLimits(c),
    zsetLimits: zsetLimits(c),
  };
}

/**
 * The value a verified payload holds, or null when the body is malformed
 * (or empty), which RESTORE reports as "Bad data format".
 */
export function payloadValue(c: Client, payload: Uint8Array): Value | null {
  try {
    // The whole payload, footer included: Redis's reader does not stop at
    // the footer, so a string whose length runs into it still loads.
    return decodeValue(payload, loadLimits(c));
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ DUMP

function dump(c: Client, args: string[]): void {
  const value = c.db.lookupRead(args[1]);
  if (value === undefined) return c.out.nullBulk();
  c.out.bulk(bytesToStr(dumpPayload(value, c.server.config.bool("rdbcompression"))));
}

// ------------------------------------------------------------------ RESTORE

/** The access-time options of RESTORE: -1 when not given. */
interface AccessOptions {
  idle: number | bigint;
  freq: number;
}

/**
 * RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]:
 * the checks in Redis's order (options, busy key, TTL, footer, body).
 */
function restore(c: Client, args: string[]): void {
  let replace = false;
  let absttl = false;
  const access: AccessOptions = { idle: -1, freq: -1 };
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    const a = args[j];
    if (isKeyword(a, "REPLACE")) {
      replace = true;
    } else if (isKeyword(a, "ABSTTL")) {
      absttl = true;
    } else if (isKeyword(a, "IDLETIME") && more >= 1 && access.freq === -1) {
      // IDLETIME after FREQ (or FREQ after IDLETIME) is a syntax error, as in Redis.
      const v = parseInt64(args[++j]);
      if (v === null) return c.out.error(ERR_NOT_INTEGER);
      if (v < 0) return c.out.error(ERR_BAD_IDLETIME);
      access.idle = v;
    } else if (isKeyword(a, "FREQ") && more >= 1 && access.idle === -1) {
      const v = parseInt64(args[++j]);
      if (v === null) return c.out.error(ERR_NOT_INTEGER);
      if (v < 0 || v > 255) return c.out.error(ERR_BAD_FREQ);
      access.freq = Number(v);
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  const db = c.db;
  const key = args[1];
  if (!replace && db.lookupWrite(key) !== undefined) return c.out.error(ERR_BUSYKEY);
  const parsed = parseInt64(args[2]);
  if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
  if (parsed < 0) return c.out.error(ERR_BAD_TTL);
  const payload = strToBytes(args[3]);
  if (!verifyDumpPayload(payload)) return c.out.error(ERR_BAD_PAYLOAD);
  const value = payloadValue(c, payload);
  if (value === null) return c.out.error(ERR_BAD_FORMAT);

  // As Redis's dbDelete: an expired key is deleted too (no "expired" event, it counts as deleted).
  const deleted = replace && db.delete(key);
  let ttl = BigInt(parsed);
  const now = Date.now();
  // Redis adds in 64-bit arithmetic; a relative TTL that overflows wraps
  // negative and so counts as already expired.
  if (ttl !== 0n && !absttl) ttl = BigInt.asIntN(64, ttl + BigInt(now));
  if (ttl !== 0n && ttl <= BigInt(now)) {
    if (deleted) {
      db.notify(NOTIFY_GENERIC, "del", key);
      c.server.keyspace.dirty++;
      c.propagateAs = [["DEL", key]];
    }
    return c.out.ok();
  }
  db.set(key, value);
  if (ttl !== 0n) {
    const n = Number(ttl);
    db.setExpire(key, Number.isSafeInteger(n) ? n : ttl);
    if (!absttl) {
      // Logged with the absolute time, as Redis rewrites it.
      const as = args.slice();
      as[2] = String(ttl);
      as.push("ABSTTL");
      c.propagateAs = [as];
    }
  }
  setAccess(c, db, key, access);
  db.notify(NOTIFY_GENERIC, "restore", key);
  c.server.keyspace.dirty++;
  c.out.ok();
}

/**
 * Redis's objectSetLRUOrLFU: FREQ sets the counter under an LFU policy,
 * IDLETIME the access time under any other; the other option is ignored.
 */
function setAccess(c: Client, db: Db, key: string, access: AccessOptions): void {
  const lfu = c.server.config.str("maxmemory-policy").endsWith("-lfu");
  const i = db.dict.indexOf(key)!;
  if (lfu && access.freq >= 0) {
    db.dict.setStampAt(i, (lfuMinutes() << 8) | access.freq);
  } else if (!lfu && access.idle >= 0) {
    db.dict.setStampAt(i, idleStamp(access.idle, lruClock()));
  }
}

// ------------------------------------------------------------------ MIGRATE

const ERR_KEYS_NEED_EMPTY_KEY =
  "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
const IOERR_CONNECT = "IOERR error or timeout connecting to the client";
/** Redis's connSyncReadLine buffer: longer reply lines are cut. */
const MIGRATE_LINE_MAX = 1023;
/** Redis writes the RESTORE commands in pieces of this size, each with the timeout. */
const MIGRATE_WRITE_CHUNK = 64 * 1024;

/** C's atoi, as MIGRATE reads the port. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(BigInt.asIntN(32, BigInt(m[1])));
}

/** Parsed MIGRATE arguments. */
interface MigrateArgs {
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
  keys: string[];
  dbid: number;
  timeoutMs: number;
}

/** Parses MIGRATE's options as Redis does; null after replying with an error. */
function parseMigrate(c: Client, args: string[]): MigrateArgs | null {
  const m: MigrateArgs = {
    copy: false,
    replace: false,
    username: null,
    password: null,
    keys: [args[3]],
    dbid: 0,
    timeoutMs: 0,
  };
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const a = args[j];
    if (isKeyword(a, "COPY")) {
      m.copy = true;
    } else if (isKeyword(a, "REPLACE")) {
      m.replace = true;
    } else if (isKeyword(a, "AUTH")) {
      if (more < 1) return replyNull(c, ERR_SYNTAX);
      m.password = args[++j];
    } else if (isKeyword(a, "AUTH2")) {
      if (more < 2) return replyNull(c, ERR_SYNTAX);
      m.username = args[++j];
      m.password = args[++j];
    } else if (isKeyword(a, "KEYS")) {
      if (args[3].length !== 0) return replyNull(c, ERR_KEYS_NEED_EMPTY_KEY);
      m.keys = args.slice(j + 1);
      break;
    } else {
      return replyNull(c, ERR_SYNTAX);
    }
  }
  // getLongFromObjectOrReply: timeout first, then the database.
  const timeout = parseInt64(args[5]);
  if (timeout === null) return replyNull(c, ERR_NOT_INTEGER);
  const dbid = parseInt64(args[4]);
  if (dbid === null) return replyNull(c, ERR_NOT_INTEGER);
  m.timeoutMs = timeout <= 0 ? 1000 : Number(timeout);
  m.dbid = Number(dbid);
  return m;
}

function replyNull(c: Client, error: string): null {
  c.out.error(error);
  return null;
}

/** A socket failure while talking to the target (timeout or connection error). */
class SocketError extends Error {
  constructor(readonly timedOut: boolean) {
    super(timedOut ? "timeout" : "socket error");
  }
}

/** Runs `p` with a deadline of `ms`, calling `onTimeout` (to close the socket) when it passes. */
async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SocketError(true));
    }, ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } catch (e) {
    if (e instanceof SocketError) throw e;
    throw new SocketError(false);
  } finally {
    clearTimeout(timer);
  }
}

/** Why opening a connection to the target failed. */
type OpenFailure = "connect" | "refused";

/** A connection to the target, read line by line with a timeout per read. */
class TargetConn {
  #buf = "";
  #closed = false;

  constructor(readonly conn: Deno.TcpConn) {}

  /**
   * Connects within `timeoutMs`. Redis connects without blocking and takes
   * the socket as connected once it is writable, which a refused connection
   * also is: its failure shows at the first write ("refused"). An address
   * that does not resolve, or a timeout, fails the connect itself.
   */
  static async open(
    host: string,
    port: number,
    timeoutMs: number,
  ): Promise<TargetConn | OpenFailure> {
    let pending: Promise<Deno.TcpConn>;
    try {
      pending = Deno.connect({ hostname: host, port });
    } catch {
      return "refused"; // a port outside 1..65535
    }
    let timedOut = false;
    try {
      return new TargetConn(await withTimeout(pending, timeoutMs, () => (timedOut = true)));
    } catch {
      if (timedOut) {
        // A connection that completes after the deadline is closed at once.
        pending.then((conn) => conn.close(), () => {});
        return "connect";
      }
      return await pending.then(() => "refused" as const, (e) => {
        return e instanceof Deno.errors.ConnectionRefused ||
            e instanceof Deno.errors.ConnectionReset || e instanceof RangeError
          ? "refused"
          : "connect";
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `data` in 64 KB pieces, each within `timeoutMs`. */
  async write(data: Uint8Array, timeoutMs: number): Promise<void> {
    for (let pos = 0; pos < data.length;) {
      const piece = data.subarray(pos, Math.min(pos + MIGRATE_WRITE_CHUNK, data.length));
      let off = 0;
      while (off < piece.length) {
        off += await withTimeout(
          this.conn.write(piece.subarray(off)),
          timeoutMs,
          () => this.close(),
        );
      }
      pos += piece.length;
    }
  }

  /** One reply line without its CR LF (cut as Redis's 1 KB buffer cuts it). */
  async readLine(timeoutMs: number): Promise<string> {
    for (;;) {
      const nl = this.#buf.indexOf("\n");
      if (nl >= 0) {
        let line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        if (line.endsWith("\r")) line = line.slice(0, -1);
        return line.slice(0, MIGRATE_LINE_MAX);
      }
      const chunk = new Uint8Array(16 * 1024);
      const n = await withTimeout(this.conn.read(chunk), timeoutMs, () => this.close());
      if (n === null) throw new SocketError(false);
      this.#buf += bytesToStr(chunk, 0, n);
    }
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

/** Redis's MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL (seconds). */
const MIGRATE_CACHE_ITEMS = 64;
const MIGRATE_CACHE_TTL_MS = 10_000;

/** A cached connection to one target, as Redis's migrateCachedSocket. */
interface CachedSocket {
  conn: TargetConn;
  /** The database last selected on it (-1: SELECT next time). */
  lastDbid: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Connections kept between MIGRATE calls, per server and "host:port": the
 * target sees one client, and SELECT only when the database changes.
 */
const socketCaches = new WeakMap<object, Map<string, CachedSocket>>();

function socketCache(c: Client): Map<string, CachedSocket> {
  let cache = socketCaches.get(c.server);
  if (cache === undefined) socketCaches.set(c.server, cache = new Map());
  return cache;
}

function closeCached(cache: Map<string, CachedSocket>, name: string): void {
  const cs = cache.get(name);
  if (cs === undefined) return;
  cache.delete(name);
  clearTimeout(cs.timer);
  cs.conn.close();
}

/** Closes a cached socket once it has been idle for the TTL (Redis's cron does it). */
function armIdleClose(cache: Map<string, CachedSocket>, name: string, cs: CachedSocket): void {
  clearTimeout(cs.timer);
  cs.timer = setTimeout(() => {
    if (cache.get(name) === cs) closeCached(cache, name);
  }, MIGRATE_CACHE_TTL_MS);
  // An idle cached socket must not keep the process alive.
  Deno.unrefTimer(Number(cs.timer));
}

/** Redis's migrateGetSocket: the cached connection, or a new one (evicting a random one when full). */
async function getSocket(
  c: Client,
  host: string,
  port: number,
  portArg: string,
  timeoutMs: number,
): Promise<CachedSocket | OpenFailure> {
  const cache = socketCache(c);
  const name = `${host}:${portArg}`;
  const cached = cache.get(name);
  if (cached !== undefined && !cached.conn.closed) {
    return cached;
  }
  closeCached(cache, name);
  if (cache.size === MIGRATE_CACHE_ITEMS) {
    const names = [...cache.keys()];
    closeCached(cache, names[Math.floor(Math.random() * names.length)]);
  }
  const conn = await TargetConn.open(host, port, timeoutMs);
  if (typeof conn === "string") return conn;
  const cs: CachedSocket = { conn, lastDbid: -1, timer: undefined };
  cache.set(name, cs);
  armIdleClose(cache, name, cs);
  return cs;
}

/** The outcome of one MIGRATE attempt. */
type Attempt =
  | { kind: "connect" }
  | { kind: "socket"; writing: boolean; timedOut: boolean; retry: boolean; acked: string[] }
  | { kind: "done"; error: string | null; acked: string[] };

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 * [AUTH password | AUTH2 username password] [KEYS key ...].
 */
async function migrate(c: Client, args: string[]): Promise<void> {
  const m = parseMigrate(c, args);
  if (m === null) return;
  const db = c.db;
  const found: string[] = [];
  for (const key of m.keys) if (db.lookupRead(key) !== undefined) found.push(key);
  if (found.length === 0) {
    c.propagateAs = null;
    return c.out.simple("NOKEY");
  }
  const lock = c.server.keyspace.lock;
  const wait = lock.acquire();
  if (wait) await wait;
  let acked: string[] = [];
  try {
    let result = await migrateOnce(c, db, m, args[1], args[2], found);
    // Redis retries once, on a new connection, after a socket error that is
    // not a timeout and came before any key was acknowledged.
    if (result.kind === "socket" && result.retry) {
      result = await migrateOnce(c, db, m, args[1], args[2], found);
    }
    if (result.kind === "connect") {
      c.out.error(IOERR_CONNECT);
    } else if (result.kind === "socket") {
      acked = result.acked;
      const what = result.writing ? "writing" : "reading";
      c.out.error(`IOERR error or timeout ${what} to target instance`);
    } else {
      acked = result.acked;
      if (result.error !== null) c.out.error(result.error);
      else c.out.ok();
    }
  } finally {
    lock.release();
  }
  if (!m.copy && acked.length !== 0) {
    c.server.keyspace.dirty += acked.length;
    c.propagateAs = [["DEL", ...acked]];
  } else {
    c.propagateAs = null;
  }
}

/**
 * One attempt: gets the connection, writes AUTH/SELECT/RESTOREs, reads the
 * replies and deletes (unless COPY) each key the target acknowledged.
 */
async function migrateOnce(
  c: Client,
  db: Db,
  m: MigrateArgs,
  host: string,
  portArg: string,
  found: string[],
): Promise<Attempt> {
  const cache = socketCache(c);
  const name = `${host}:${portArg}`;
  const cs = await getSocket(c, host, atoi(portArg), portArg, m.timeoutMs);
  if (cs === "connect") return { kind: "connect" };
  const acked: string[] = [];
  const socketError = (e: unknown, writing: boolean, retry: boolean): Attempt => {
    closeCached(cache, name);
    const timedOut = e instanceof SocketError && e.timedOut;
    return { kind: "socket", writing, timedOut, retry: retry && !timedOut, acked };
  };
  if (cs === "refused") return socketError(null, true, true);
  const target = cs.conn;
  const cmds = new ByteBuffer(1024);
  if (m.password !== null) {
    appendCommand(
      cmds,
      m.username !== null ? ["AUTH", m.username, m.password] : ["AUTH", m.password],
    );
  }
  const select = cs.lastDbid !== m.dbid;
  if (select) appendCommand(cmds, ["SELECT", String(m.dbid)]);
  const compression = c.server.config.bool("rdbcompression");
  const now = Date.now();
  const sent: string[] = [];
  for (const key of found) {
    const value = db.peek(key);
    if (value === undefined) continue;
    let ttl = 0;
    const at = db.getExpire(key);
    if (at !== -1) {
      ttl = at - now;
      // Expired since the lookup: skipped, as Redis skips it.
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    sent.push(key);
    const cmd = ["RESTORE", key, String(ttl), bytesToStr(dumpPayload(value, compression))];
    if (m.replace) cmd.push("REPLACE");
    appendCommand(cmds, cmd);
  }
  try {
    await target.write(cmds.buf.subarray(0, cmds.pos), m.timeoutMs);
  } catch (e) {
    return socketError(e, true, true);
  }
  let authReply = "";
  let selectReply = "";
  try {
    if (m.password !== null) authReply = await target.readLine(m.timeoutMs);
    if (select) selectReply = await target.readLine(m.timeoutMs);
  } catch (e) {
    return socketError(e, false, true);
  }
  let error: string | null = null;
  for (let j = 0; j < sent.length; j++) {
    let reply: string;
    try {
      reply = await target.readLine(m.timeoutMs);
    } catch (e) {
      if (error !== null) {
        closeCached(cache, name);
        break;
      }
      return socketError(e, false, j === 0);
    }
    if (authReply.startsWith("-") || selectReply.startsWith("-") || reply.startsWith("-")) {
      if (error === null) {
        // The next MIGRATE selects the database again.
        cs.lastDbid = -1;
        const line = authReply.startsWith("-")
          ? authReply
          : selectReply.startsWith("-")
          ? selectReply
          : reply;
        error = `ERR Target instance replied with error: ${line.slice(1)}`;
      }
    } else if (!m.copy) {
      db.delete(sent[j]);
      db.notify(NOTIFY_GENERIC, "del", sent[j]);
      acked.push(sent[j]);
    }
  }
  if (error === null) cs.lastDbid = m.dbid;
  armIdleClose(cache, name, cs);
  return { kind: "done", error, acked };
}

/** Redis's migrateGetKeys: the key argument, or those after KEYS (which needs an empty key). */
function migrateKeys(args: string[]): string[] | null {
  const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
  for (let i = 6; i < args.length; i++) {
    const a = args[i].toLowerCase();
    if (a === "keys") {
      if (args[3].length > 0) return null;
      return args.slice(i + 1);
    }
    i += skip[a] ?? 0;
  }
  return [args[3]];
}

// ------------------------------------------------------------------ table

const KEY_ONE: [number, number, number] = [1, 1, 1];
/** Key flags Redis's migrateGetKeys gives every key. */
const MIGRATE_FLAGS = ["RW", "access", "delete"];
const RESTORE_SYNTAX =
  "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]";

/** COMMAND DOCS fields RESTORE and RESTORE-ASKING share. */
const RESTORE_DOCS = {
  complexity:
    "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
  syntax: RESTORE_SYNTAX,
  history: [
    ["3.0.0", "Added the `REPLACE` modifier."],
    ["5.0.0", "Added the `ABSTTL` modifier."],
    ["5.0.0", "Added the `IDLETIME` and `FREQ` options."],
  ] as [string, string][],
  args: "key.key#0 ttl.integer serialized-value replace'REPLACE'@3.0.0? absttl'ABSTTL'@5.0.0? " +
    "seconds'IDLETIME'.integer@5.0.0? frequency'FREQ'.integer@5.0.0?",
};

/** DUMP, RESTORE, RESTORE-ASKING and MIGRATE. */
export const dumpCommands: CommandSpec[] = [
  defineCommand({
    name: "dump",
    arity: 2,
    flags: "readonly",
    keys: KEY_ONE,
    group: "generic",
    since: "2.6.0",
    summary: "Return a serialized version of the value stored at the specified key.",
    complexity:
      "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    handler: dump,
  }),
  defineCommand({
    name: "restore",
    arity: -4,
    flags: "write denyoom",
    keys: KEY_ONE,
    group: "generic",
    categories: ["keyspace", "dangerous"],
    since: "2.6.0",
    summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
    ...RESTORE_DOCS,
    keySpecs: ["OW update @1"],
    handler: restore,
  }),
  defineCommand({
    name: "restore-asking",
    arity: -4,
    flags: "write denyoom asking",
    keys: KEY_ONE,
    group: "server",
    categories: ["keyspace", "dangerous"],
    since: "3.0.0",
    summary: "An internal command for migrating keys in a cluster",
    ...RESTORE_DOCS,
    keySpecs: ["OW update @1"],
    docFlags: "syscmd",
    handler: restore,
  }),
  defineCommand({
    name: "migrate",
    arity: -6,
    flags: "write movablekeys",
    keys: [3, 3, 1],
    group: "generic",
    categories: ["keyspace", "dangerous"],
    since: "2.6.0",
    summary: "Atomically transfer a key from a Redis instance to another one.",
    complexity:
      "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
    syntax:
      'host port key | "" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key [key ...]]',
    getKeys: migrateKeys,
    getKeysAndFlags: (args) => migrateKeys(args)?.map((k) => [k, MIGRATE_FLAGS]) ?? null,
    keySpecs: ["RW access delete @3", "RW access delete incomplete @KEYS:-2 range:-1,1,0"],
    tips: "nondeterministic_output",
    history: [
      ["3.0.0", "Added the `COPY` and `REPLACE` options."],
      ["3.0.6", "Added the `KEYS` option."],
      ["4.0.7", "Added the `AUTH` option."],
      ["6.0.0", "Added the `AUTH2` option."],
    ],
    args: "host port.integer key_or_empty_string.oneof(key.key#0 empty_string'') " +
      "destination-db.integer timeout.integer copy'COPY'@3.0.0? replace'REPLACE'@3.0.0? " +
      "authentication.oneof?(password'AUTH'.string@4.0.7? " +
      "username_password'AUTH2'.block@6.0.0?(username password)) key'KEYS'.key#1@3.0.6?*",
    handler: migrate,
  }),
];
