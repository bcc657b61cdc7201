/**
 * Stream consumer groups as Redis 7.0.15 runs them: XGROUP, XREADGROUP
 * (with BLOCK), XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO (group
 * "stream").
 *
 * Propagation follows Redis: XREADGROUP, XCLAIM and XAUTOCLAIM never log
 * themselves; every NACK they create, move or drop is logged as an
 * idempotent `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE
 * JUSTID LASTID last`, a NOACK read (or an XCLAIM LASTID) as `XGROUP SETID
 * ... ENTRIESREAD n`, and a consumer a NOACK read creates as `XGROUP
 * CREATECONSUMER`; several commands from one call go in a MULTI/EXEC block.
 */
import type { Client } from "../server/client.ts";
import { NOTIFY_STREAM } from "../store/notify.ts";
import {
  compareIds,
  formatId,
  idFromKey,
  idKey,
  MAX_ID,
  MIN_ID,
  type StreamId,
  StreamValue,
  UINT64_MAX,
} from "../store/stream.ts";
import {
  estimateEntriesRead,
  type StreamConsumer,
  StreamGroup,
  type StreamNack,
  tombstonesFrom,
} from "../store/stream_group.ts";
import { ERR_SYNTAX, intArg, isKeyword, parseInt64 } from "./args.ts";
import {
  decrId,
  incrId,
  parseIdArg,
  parseIntervalId,
  parseStreamId,
  readStream,
  replyEntry,
  writeStream,
} from "./streams.ts";
import { replyHelp } from "./connection.ts";
import { cArg, type CommandSpec, defineCommand } from "./table.ts";

const ERR_NEED_KEY = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE " +
  "you may want to use the MKSTREAM option to create an empty stream automatically.";
const ERR_BUSYGROUP = "BUSYGROUP Consumer Group name already exists";
const ERR_ENTRIESREAD = "ERR value for ENTRIESREAD must be positive or -1";
const ERR_DOLLAR_XREADGROUP =
  "ERR The $ ID is meaningless in the context of XREADGROUP: you want " +
  "to read the history of this consumer by specifying a proper ID, or use the > ID to get new " +
  "messages. The $ ID would just return an empty result set.";
const ERR_UNBALANCED =
  "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";
const ERR_GROUP_GONE = "NOGROUP the consumer group this client was blocked on no longer exists";
const ERR_KEY_GONE = "UNBLOCKED the stream key no longer exists";
/** Entries a blocked XREADGROUP without COUNT gets at most (Redis's XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** XAUTOCLAIM examines at most COUNT times this many PEL entries. */
const AUTOCLAIM_ATTEMPTS_FACTOR = 10;
/** XAUTOCLAIM's COUNT bound: LONG_MAX / max(sizeof(streamID), attempts factor). */
const AUTOCLAIM_MAX_COUNT = 9223372036854775807n / 16n;
/** Bytes of deleted-ID room a COUNT may ask for (Redis's allocation fails past its address space). */
const AUTOCLAIM_MAX_ALLOC = 1n << 46n;
const ERR_AUTOCLAIM_ALLOC =
  "ERR Insufficient memory, failed allocating transient memory, COUNT too high.";

/** A user-supplied name as Redis's "%s" prints it (a C string ends at NUL). */
function cs(s: string): string {
  return cArg(s, Number.MAX_SAFE_INTEGER);
}

/** A keyword match as Redis's strcasecmp sees the argument (a C string ends at NUL). */
function kw(arg: string, upper: string): boolean {
  return isKeyword(cs(arg), upper);
}

function subcommandSyntaxError(c: Client, args: string[]): void {
  c.out.error(
    `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. ` +
      `Try ${cArg(args[0]).toUpperCase()} HELP.`,
  );
}

function isMaxId(id: StreamId): boolean {
  return id.ms === UINT64_MAX && id.seq === UINT64_MAX;
}

/** An integer argument as Redis's getLongLongFromObjectOrReply reads it (clamped past 2^53). */
function longArg(c: Client, s: string, error?: string): number | null {
  return intArg(c, s, error === undefined ? undefined : `ERR ${error}`);
}

// ---------------------------------------------------------------- lag and entries-read

/** XINFO lag: entries not yet read by the group, or null when it cannot be known. */
function replyLag(c: Client, s: StreamValue, g: StreamGroup): void {
  const added = Number(s.entriesAdded);
  if (added === 0) return c.out.int(0);
  if (g.entriesRead !== -1 && !tombstonesFrom(s, g.lastId)) {
    return c.out.int(added - g.entriesRead);
  }
  const read = estimateEntriesRead(s, g.lastId);
  if (read !== -1) return c.out.int(added - read);
  c.out.nullBulk();
}

function replyEntriesRead(c: Client, g: StreamGroup): void {
  if (g.entriesRead !== -1) c.out.int(g.entriesRead);
  else c.out.nullBulk();
}

// ---------------------------------------------------------------- propagation

/** Commands one call logs, in order. */
type Log = string[][];

/** How a call that logs `log` propagates: nothing, one command, or a MULTI/EXEC block (Redis 7.0). */
function propagateLog(c: Client, log: Log): void {
  c.propagateAs = log.length === 0 ? null : log;
  if (log.length !== 0) c.forcePropagate = true;
}

/** Redis's streamPropagateXCLAIM: the NACK's whole state, replayable as is. */
function xclaimLog(
  key: string,
  groupName: string,
  g: StreamGroup,
  idArg: string,
  nack: StreamNack,
): string[] {
  return [
    "XCLAIM",
    key,
    groupName,
    nack.consumer!.name,
    "0",
    idArg,
    "TIME",
    String(nack.deliveryTime),
    "RETRYCOUNT",
    String(nack.deliveryCount),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(g.lastId),
  ];
}

/** Redis's streamPropagateGroupID. */
function setIdLog(key: string, groupName: string, g: StreamGroup): string[] {
  return [
    "XGROUP",
    "SETID",
    key,
    groupName,
    formatId(g.lastId),
    "ENTRIESREAD",
    String(g.entriesRead),
  ];
}

/** Writes the reply `body` produced, preceded by a header that needs its element count. */
function deferred(c: Client, header: (n: number) => void, body: () => number): void {
  const out = c.out;
  const mark = out.length;
  const n = body();
  const bytes = out.buf.slice(mark, out.length);
  out.truncate(mark);
  header(n);
  out.raw(bytes);
}

// ---------------------------------------------------------------- XGROUP

function xgroupHelp(c: Client): void {
  replyHelp(c, "XGROUP", [
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
  ]);
}

/** An ENTRIESREAD value (>= 0 or -1); null after the error reply. */
function entriesReadArg(c: Client, s: string): number | null {
  const v = longArg(c, s);
  if (v === null) return null;
  if (v < 0 && v !== -1) {
    c.out.error(ERR_ENTRIESREAD);
    return null;
  }
  return v;
}

/**
 * The stream and group XGROUP works on, after Redis's shared checks: the key
 * must exist (unless MKSTREAM) and, for SETID/CREATECONSUMER/DELCONSUMER,
 * the group too. Null after an error reply.
 */
function xgroupTarget(
  c: Client,
  args: string[],
  needGroup: boolean,
  mkstream = false,
): { s: StreamValue | undefined; g: StreamGroup | undefined } | null {
  const s = writeStream(c, args[2]);
  if (s === null) return null;
  const g = s?.groups?.get(args[3]);
  if (!mkstream) {
    if (s === undefined) {
      c.out.error(ERR_NEED_KEY);
      return null;
    }
    if (g === undefined && needGroup) {
      c.out.error(`NOGROUP No such consumer group '${cs(args[3])}' for key name '${cs(args[2])}'`);
      return null;
    }
  }
  return { s, g };
}

function xgroupCreate(c: Client, args: string[]): void {
  if (args.length > 8) return subcommandSyntaxError(c, args);
  let mkstream = false;
  let entriesRead = -1;
  for (let i = 5; i < args.length;) {
    if (kw(args[i], "MKSTREAM")) {
      mkstream = true;
      i++;
    } else if (kw(args[i], "ENTRIESREAD") && i + 1 < args.length) {
      const v = entriesReadArg(c, args[i + 1]);
      if (v === null) return;
      entriesRead = v;
      i += 2;
    } else {
      return subcommandSyntaxError(c, args);
    }
  }
  const t = xgroupTarget(c, args, false, mkstream);
  if (t === null) return;
  let s = t.s;
  let id: StreamId;
  if (cs(args[4]) === "$") {
    id = s !== undefined ? s.lastId : MIN_ID;
  } else {
    const parsed = parseIdArg(c, args[4], 0n, true);
    if (parsed === null) return;
    id = parsed;
  }
  if (s === undefined) {
    s = new StreamValue();
    c.db.set(args[2], s);
  }
  if (s.groups?.has(args[3])) return c.out.error(ERR_BUSYGROUP);
  (s.groups ??= new Map()).set(args[3], new StreamGroup(args[3], id, entriesRead));
  c.server.keyspace.dirty++;
  c.out.ok();
  c.db.notify(NOTIFY_STREAM, "xgroup-create", args[2]);
}

function xgroupSetid(c: Client, args: string[]): void {
  if (args.length !== 5 && args.length !== 7) return subcommandSyntaxError(c, args);
  let entriesRead = -1;
  if (args.length === 7) {
    if (!kw(args[5], "ENTRIESREAD")) return subcommandSyntaxError(c, args);
    const v = entriesReadArg(c, args[6]);
    if (v === null) return;
    entriesRead = v;
  }
  const t = xgroupTarget(c, args, true);
  if (t === null) return;
  const s = t.s!;
  const g = t.g!;
  let id: StreamId;
  if (cs(args[4]) === "$") {
    id = s.lastId;
  } else {
    const parsed = parseIdArg(c, args[4], 0n, false);
    if (parsed === null) return;
    id = parsed;
  }
  g.lastId = id;
  g.entriesRead = entriesRead;
  c.server.keyspace.dirty++;
  c.out.ok();
  c.db.notify(NOTIFY_STREAM, "xgroup-setid", args[2]);
}

function xgroupDestroy(c: Client, args: string[]): void {
  const t = xgroupTarget(c, args, false);
  if (t === null) return;
  if (t.g === undefined) return c.out.int(0);
  t.s!.groups!.delete(args[3]);
  c.server.keyspace.dirty++;
  c.db.notify(NOTIFY_STREAM, "xgroup-destroy", args[2]);
  // XREADGROUP clients blocked on this group get -NOGROUP now.
  c.server.blocking.signal(c.db, args[2]);
  c.out.int(1);
}

function xgroupCreateConsumer(c: Client, args: string[]): void {
  const t = xgroupTarget(c, args, true);
  if (t === null) return;
  const g = t.g!;
  if (g.consumers.has(args[4])) return c.out.int(0);
  g.createConsumer(args[4], Date.now());
  c.server.keyspace.dirty++;
  c.db.notify(NOTIFY_STREAM, "xgroup-createconsumer", args[2]);
  c.out.int(1);
}

function xgroupDelConsumer(c: Client, args: string[]): void {
  const t = xgroupTarget(c, args, true);
  if (t === null) return;
  const pending = t.g!.deleteConsumer(args[4]);
  if (pending < 0) return c.out.int(0);
  c.server.keyspace.dirty++;
  c.db.notify(NOTIFY_STREAM, "xgroup-delconsumer", args[2]);
  c.out.int(pending);
}

// ---------------------------------------------------------------- XREADGROUP

/** What XREADGROUP serves from one stream: new entries (">") or the consumer's history after `after`. */
interface ReadRequest {
  key: string;
  groupName: string;
  consumerName: string;
  count: number;
  noack: boolean;
}

/**
 * Redis's streamReplyWithRange for a group reading new entries after the
 * group's last ID: replies them, advances last-delivered-id and
 * entries-read, creates or moves NACKs (unless NOACK) and logs each as
 * XCLAIM (and the SETID after NOACK reads). Returns the entries replied.
 */
function deliverNew(
  c: Client,
  s: StreamValue,
  g: StreamGroup,
  consumer: StreamConsumer,
  req: ReadRequest,
  log: Log,
): number {
  const start = incrId(g.lastId);
  const now = Date.now();
  let propagateLastId = false;
  let n = 0;
  deferred(c, (len) => c.out.array(len), () => {
    if (start === null) return 0;
    return s.range(start, MAX_ID, false, req.count, (id, fields) => {
      if (compareIds(id, g.lastId) > 0) {
        if (g.entriesRead !== -1 && !tombstonesFrom(s, id)) g.entriesRead++;
        else if (s.entriesAdded !== 0n) g.entriesRead = estimateEntriesRead(s, id);
        g.lastId = id;
        if (req.noack) propagateLastId = true;
      }
      replyEntry(c, id, fields);
      n++;
      if (!req.noack) {
        const nack = g.deliver(id, consumer, now, 1);
        log.push(xclaimLog(req.key, req.groupName, g, formatId(id), nack));
      }
    });
  });
  if (propagateLastId) log.push(setIdLog(req.key, req.groupName, g));
  return n;
}

/**
 * Redis's streamReplyWithRangeFromConsumerPEL: the consumer's pending
 * entries from `start`, each redelivered (time and count updated, not
 * logged); an entry deleted from the stream is replied as [id, nil].
 */
function deliverHistory(
  c: Client,
  s: StreamValue,
  consumer: StreamConsumer,
  start: StreamId,
  count: number,
): void {
  const now = Date.now();
  const picked: [string, StreamNack][] = [];
  for (const e of consumer.pending.from(idKey(start))) {
    if (count !== 0 && picked.length >= count) break;
    picked.push(e);
  }
  c.out.array(picked.length);
  for (const [k, nack] of picked) {
    const id = idFromKey(k);
    const fields = s.get(id);
    if (fields === undefined) {
      c.out.array(2);
      c.out.bulk(formatId(id));
      c.out.nullArray();
    } else {
      replyEntry(c, id, fields);
      nack.deliveryTime = now;
      nack.deliveryCount++;
    }
  }
}

/** The consumer of `g` named `name`, created (and logged after NOACK) when missing; seen now. */
function consumerFor(
  c: Client,
  g: StreamGroup,
  req: ReadRequest,
  log: Log,
): StreamConsumer {
  const now = Date.now();
  let consumer = g.consumers.get(req.consumerName);
  if (consumer === undefined) {
    consumer = g.createConsumer(req.consumerName, now);
    c.server.keyspace.dirty++;
    c.db.notify(NOTIFY_STREAM, "xgroup-createconsumer", req.key);
    if (req.noack) log.push(["XGROUP", "CREATECONSUMER", req.key, req.groupName, req.consumerName]);
  }
  consumer.seenTime = now;
  return consumer;
}

/** The key/value header of one stream in an XREAD-style reply: [key, entries] in RESP2, key => entries in RESP3. */
function streamHeader(c: Client, key: string): void {
  if (c.resp === 2) c.out.array(2);
  c.out.bulk(key);
}

/**
 * The stream at `key` for a command that reads it as Redis's lookupKeyRead
 * does (counting a keyspace hit or miss) and then may change it (the
 * writable copy during a snapshot); null after WRONGTYPE.
 */
function readForWrite(c: Client, key: string): StreamValue | undefined | null {
  const s = readStream(c, key);
  return s ? writeStream(c, key) : s;
}

/** The outer header of an XREAD-style reply of `n` streams: an array in RESP2, a map in RESP3. */
function streamsHeader(c: Client, n: number): void {
  if (c.resp === 2) c.out.array(n);
  else c.out.map(n);
}

/** Keys of an XREADGROUP call: half of what follows STREAMS (null when unbalanced or absent). */
function xreadgroupKeys(args: string[]): string[] | null {
  for (let i = 4; i < args.length; i++) {
    if (kw(args[i], "STREAMS")) {
      const n = args.length - i - 1;
      if (n === 0 || n % 2 !== 0) return null;
      return args.slice(i + 1, i + 1 + n / 2);
    }
  }
  return null;
}

function xreadgroup(c: Client, args: string[]): void {
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let groupName: string | null = null;
  let consumerName = "";
  let noack = false;
  for (let i = 1; i < args.length; i++) {
    const more = args.length - i - 1;
    const o = args[i];
    if (kw(o, "BLOCK") && more > 0) {
      i++;
      const v = parseInt64(args[i]);
      if (v === null) return c.out.error("ERR timeout is not an integer or out of range");
      if (v < 0) return c.out.error("ERR timeout is negative");
      // Past the int64 deadline Redis's timeout wraps into its "never" range.
      timeout = BigInt(v) > 9223372036854775807n - BigInt(Date.now()) ? 0 : Number(v);
    } else if (kw(o, "COUNT") && more > 0) {
      i++;
      const v = longArg(c, args[i]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
    } else if (kw(o, "STREAMS") && more > 0) {
      streamsArg = i + 1;
      if ((args.length - streamsArg) % 2 !== 0) return c.out.error(ERR_UNBALANCED);
      break;
    } else if (kw(o, "GROUP") && more >= 2) {
      groupName = args[i + 1];
      consumerName = args[i + 2];
      i += 2;
    } else if (kw(o, "NOACK")) {
      noack = true;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  if (streamsArg === 0) return c.out.error(ERR_SYNTAX);
  if (groupName === null) return c.out.error("ERR Missing GROUP option for XREADGROUP");
  const n = (args.length - streamsArg) / 2;
  const keys = args.slice(streamsArg, streamsArg + n);
  // All checks first: the reply is all or nothing.
  const targets: { s: StreamValue; g: StreamGroup; after: StreamId | null }[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const s = readForWrite(c, key);
    if (s === null) return;
    const g = s?.groups?.get(groupName);
    if (s === undefined || g === undefined) {
      return c.out.error(
        `NOGROUP No such key '${cs(key)}' or consumer group '${cs(groupName)}' ` +
          "in XREADGROUP with GROUP option",
      );
    }
    const arg = args[streamsArg + n + i];
    let after: StreamId | null = null;
    if (cs(arg) === "$") return c.out.error(ERR_DOLLAR_XREADGROUP);
    if (cs(arg) !== ">") {
      const id = parseIdArg(c, arg, 0n, true);
      if (id === null) return;
      if (!isMaxId(id)) after = id;
    }
    targets.push({ s, g, after });
  }
  const log: Log = [];
  const base = { groupName, consumerName, count, noack };
  const out = c.out;
  const mark = out.length;
  let served = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    // Redis looks each key up again to serve it (a second keyspace hit).
    c.db.lookupRead(key);
    const { s, g, after } = targets[i];
    const req = { ...base, key };
    const history = after !== null;
    // New entries only when the stream holds some past the group's last ID.
    const fresh = !history && s.length !== 0 && compareIds(lastLiveId(s), g.lastId) > 0;
    // Redis 7.0 creates (and refreshes) the consumer only for a stream it serves.
    if (!history && !fresh) continue;
    const consumer = consumerFor(c, g, req, log);
    served++;
    streamHeader(c, key);
    if (history) deliverHistory(c, s, consumer, incrId(after!) ?? MAX_ID, count);
    else deliverNew(c, s, g, consumer, req, log);
    c.server.keyspace.dirty++;
  }
  propagateLog(c, log);
  if (served !== 0) {
    const body = out.buf.slice(mark, out.length);
    out.truncate(mark);
    streamsHeader(c, served);
    out.raw(body);
    return;
  }
  if (timeout !== -1 && c.mayBlock) {
    return blockReadgroup(c, args, keys, timeout, {
      ...base,
      count: count || BLOCKED_DEFAULT_COUNT,
    });
  }
  out.nullArray();
}

/** The ID of the last live entry (Redis's streamLastValidID), 0-0 when empty. */
function lastLiveId(s: StreamValue): StreamId {
  return s.last() ?? MIN_ID;
}

/**
 * Blocks an XREADGROUP whose streams had nothing new. When a stream gets
 * entries (XADD signals it), the first waiter reads from the group's last
 * ID then; a destroyed group gets -NOGROUP, a deleted stream -UNBLOCKED.
 */
function blockReadgroup(
  c: Client,
  args: string[],
  keys: string[],
  timeoutMs: number,
  base: Omit<ReadRequest, "key">,
): void {
  c.server.blocking.block(c, args, {
    keys,
    timeoutMs,
    retry: (key) => {
      const v = c.db.peek(key);
      if (!(v instanceof StreamValue)) {
        c.out.error(ERR_KEY_GONE);
        return true;
      }
      const s = writeStream(c, key) as StreamValue;
      const g = s.groups?.get(base.groupName);
      if (g === undefined) {
        c.out.error(ERR_GROUP_GONE);
        return true;
      }
      if (compareIds(s.lastId, g.lastId) <= 0) return false;
      const req = { ...base, key };
      const log: Log = [];
      const consumer = consumerFor(c, g, req, log);
      streamsHeader(c, 1);
      streamHeader(c, key);
      deliverNew(c, s, g, consumer, req, log);
      c.server.keyspace.dirty++;
      propagateLog(c, log);
      return true;
    },
    missing: () => {
      c.out.error(ERR_KEY_GONE);
      return true;
    },
    timedOut: () => c.out.nullArray(),
  });
}

// ---------------------------------------------------------------- XACK

function xack(c: Client, args: string[]): void {
  const s = readForWrite(c, args[1]);
  if (s === null) return;
  const g = s?.groups?.get(args[2]);
  if (g === undefined) return c.out.int(0);
  const ids: StreamId[] = [];
  for (let j = 3; j < args.length; j++) {
    const id = parseIdArg(c, args[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) if (g.ack(id)) acked++;
  c.server.keyspace.dirty += acked;
  c.out.int(acked);
}

// ---------------------------------------------------------------- XPENDING

function xpending(c: Client, args: string[]): void {
  const summary = args.length === 3;
  let start = MIN_ID;
  let end = MAX_ID;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (args.length > 3) {
    if (args.length < 6 || args.length > 9) return c.out.error(ERR_SYNTAX);
    let at = 3;
    if (kw(args[3], "IDLE")) {
      const v = longArg(c, args[4]);
      if (v === null) return;
      minIdle = v;
      if (args.length < 8) return c.out.error(ERR_SYNTAX);
      at += 2;
    }
    const n = longArg(c, args[at + 2]);
    if (n === null) return;
    count = n < 0 ? 0 : n;
    const from = parseIntervalId(c, args[at], 0n);
    if (from === null) return;
    if (from.exclusive) {
      const next = incrId(from.id);
      if (next === null) return c.out.error("ERR invalid start ID for the interval");
      start = next;
    } else start = from.id;
    const to = parseIntervalId(c, args[at + 1], UINT64_MAX);
    if (to === null) return;
    if (to.exclusive) {
      const prev = decrId(to.id);
      if (prev === null) return c.out.error("ERR invalid end ID for the interval");
      end = prev;
    } else end = to.id;
    if (at + 3 < args.length) consumerName = args[at + 3];
  }
  const s = readStream(c, args[1]);
  if (s === null) return;
  const g = s?.groups?.get(args[2]);
  if (g === undefined) {
    return c.out.error(`NOGROUP No such key '${cs(args[1])}' or consumer group '${cs(args[2])}'`);
  }
  if (summary) {
    c.out.array(4);
    c.out.int(g.pel.size);
    if (g.pel.size === 0) {
      c.out.nullBulk();
      c.out.nullBulk();
      c.out.nullArray();
      return;
    }
    c.out.bulk(formatId(idFromKey(g.pel.firstKey()!)));
    c.out.bulk(formatId(idFromKey(g.pel.lastKey()!)));
    const owners = g.sortedConsumers().filter((x) => x.pending.size !== 0);
    c.out.array(owners.length);
    for (const owner of owners) {
      c.out.array(2);
      c.out.bulk(owner.name);
      c.out.bulk(String(owner.pending.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const consumer = g.consumers.get(consumerName);
    if (consumer === undefined) return c.out.array(0);
    pel = consumer.pending;
  }
  const now = Date.now();
  const endKey = idKey(end);
  deferred(c, (n) => c.out.array(n), () => {
    let n = 0;
    if (count === 0) return 0;
    for (const [k, nack] of pel.from(idKey(start))) {
      if (k > endKey) break;
      if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
      c.out.array(4);
      c.out.bulk(formatId(idFromKey(k)));
      c.out.bulk(nack.consumer!.name);
      c.out.int(Math.max(0, now - nack.deliveryTime));
      c.out.int(nack.deliveryCount);
      if (++n === count) break;
    }
    return n;
  });
}

// ---------------------------------------------------------------- XCLAIM / XAUTOCLAIM

/** The stream and group of an XCLAIM/XAUTOCLAIM, or null after WRONGTYPE / NOGROUP. */
function claimTarget(c: Client, args: string[]): { s: StreamValue; g: StreamGroup } | null {
  const s = readForWrite(c, args[1]);
  if (s === null) return null;
  const g = s?.groups?.get(args[2]);
  if (g === undefined) {
    c.out.error(`NOGROUP No such key '${cs(args[1])}' or consumer group '${cs(args[2])}'`);
    return null;
  }
  return { s: s!, g };
}

/** Moves `nack` (of ID key `k`) to `consumer` as a claim does. */
function moveNack(k: string, nack: StreamNack, consumer: StreamConsumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pending.delete(k);
  nack.consumer = consumer;
  consumer.pending.set(k, nack);
}

/** Drops the NACK of an entry no longer in the stream from both PELs. */
function dropNack(g: StreamGroup, k: string, nack: StreamNack): void {
  g.pel.delete(k);
  nack.consumer?.pending.delete(k);
}

function xclaim(c: Client, args: string[]): void {
  const t = claimTarget(c, args);
  if (t === null) return;
  const { s, g } = t;
  const minIdleArg = longArg(c, args[4], "Invalid min-idle-time argument for XCLAIM");
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  let j = 5;
  const ids: StreamId[] = [];
  for (; j < args.length; j++) {
    const id = parseStreamIdQuiet(args[j]);
    if (id === null) break;
    ids.push(id);
  }
  const lastIdArg = j - 1;
  const now = Date.now();
  let deliveryTime = -1;
  let retryCount = -1;
  let force = false;
  let justid = false;
  let lastId = MIN_ID;
  for (; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j];
    if (kw(opt, "FORCE")) force = true;
    else if (kw(opt, "JUSTID")) justid = true;
    else if (kw(opt, "IDLE") && more > 0) {
      const v = longArg(c, args[++j], "Invalid IDLE option argument for XCLAIM");
      if (v === null) return;
      deliveryTime = now - v;
    } else if (kw(opt, "TIME") && more > 0) {
      const v = longArg(c, args[++j], "Invalid TIME option argument for XCLAIM");
      if (v === null) return;
      deliveryTime = v;
    } else if (kw(opt, "RETRYCOUNT") && more > 0) {
      const v = longArg(c, args[++j], "Invalid RETRYCOUNT option argument for XCLAIM");
      if (v === null) return;
      retryCount = v;
    } else if (kw(opt, "LASTID") && more > 0) {
      const v = parseIdArg(c, args[++j], 0n, true);
      if (v === null) return;
      lastId = v;
    } else {
      return c.out.error(`ERR Unrecognized XCLAIM option '${cs(opt)}'`);
    }
  }
  const log: Log = [];
  let propagateLastId = false;
  if (compareIds(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // A bogus time (negative, or in the future) means now, as in Redis.
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  let consumer: StreamConsumer | null = null;
  const ks = c.server.keyspace;
  deferred(c, (n) => c.out.array(n), () => {
    let n = 0;
    for (let i = 0; i <= lastIdArg - 5; i++) {
      const id = ids[i];
      const k = idKey(id);
      let nack = g.pel.get(k);
      const fields = s.get(id);
      if (fields === undefined) {
        if (nack !== undefined) {
          log.push(xclaimLog(args[1], args[2], g, args[5 + i], nack));
          propagateLastId = false;
          ks.dirty++;
          dropNack(g, k, nack);
        }
        continue;
      }
      if (force && nack === undefined) {
        nack = { consumer: null, deliveryTime: now, deliveryCount: 1 };
        g.pel.set(k, nack);
      }
      if (nack === undefined) continue;
      if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
      if (consumer === null) consumer = consumerFor(c, g, claimRequest(args), log);
      moveNack(k, nack, consumer);
      nack.deliveryTime = deliveryTime;
      if (retryCount >= 0) nack.deliveryCount = retryCount;
      else if (!justid) nack.deliveryCount++;
      if (justid) c.out.bulk(formatId(id));
      else replyEntry(c, id, fields);
      n++;
      log.push(xclaimLog(args[1], args[2], g, args[5 + i], nack));
      propagateLastId = false;
      ks.dirty++;
    }
    return n;
  });
  if (propagateLastId) {
    log.push(setIdLog(args[1], args[2], g));
    ks.dirty++;
  }
  propagateLog(c, log);
}

/** The consumer request of a claim (args[3] is the consumer; claims never run NOACK). */
function claimRequest(args: string[]): ReadRequest {
  return { key: args[1], groupName: args[2], consumerName: args[3], count: 0, noack: false };
}

/** A strict ID without a reply (XCLAIM reads IDs until the first that is not one). */
function parseStreamIdQuiet(arg: string): StreamId | null {
  return parseStreamId(arg, 0n, true)?.id ?? null;
}

function xautoclaim(c: Client, args: string[]): void {
  const minIdleArg = longArg(c, args[4], "Invalid min-idle-time argument for XAUTOCLAIM");
  if (minIdleArg === null) return;
  const minIdle = Math.max(0, minIdleArg);
  const from = parseIntervalId(c, args[5], 0n);
  if (from === null) return;
  let start = from.id;
  if (from.exclusive) {
    const next = incrId(start);
    if (next === null) return c.out.error("ERR invalid start ID for the interval");
    start = next;
  }
  let count = 100;
  let justid = false;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (kw(args[j], "COUNT") && more > 0) {
      const v = parseInt64(args[j + 1]);
      if (v === null || BigInt(v) < 1n || BigInt(v) > AUTOCLAIM_MAX_COUNT) {
        return c.out.error("ERR COUNT must be > 0");
      }
      // Redis allocates COUNT IDs up front; past the address space that fails.
      if (BigInt(v) * 16n > AUTOCLAIM_MAX_ALLOC) return c.out.error(ERR_AUTOCLAIM_ALLOC);
      count = Number(v);
      j++;
    } else if (kw(args[j], "JUSTID")) {
      justid = true;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  const t = claimTarget(c, args);
  if (t === null) return;
  const { s, g } = t;
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
  const now = Date.now();
  const log: Log = [];
  const deleted: StreamId[] = [];
  const ks = c.server.keyspace;
  let consumer: StreamConsumer | null = null;
  let next = g.pel.ceil(idKey(start));
  c.out.array(3);
  const cursorMark = c.out.length;
  deferred(c, (n) => c.out.array(n), () => {
    let n = 0;
    while (attempts-- > 0 && count > 0 && next !== undefined) {
      const [k, nack] = next;
      next = g.pel.ceil(k, true);
      const id = idFromKey(k);
      const fields = s.get(id);
      if (fields === undefined) {
        log.push(xclaimLog(args[1], args[2], g, formatId(id), nack));
        ks.dirty++;
        dropNack(g, k, nack);
        deleted.push(id);
        count--;
        continue;
      }
      if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
      if (consumer === null) consumer = consumerFor(c, g, claimRequest(args), log);
      moveNack(k, nack, consumer);
      nack.deliveryTime = now;
      if (!justid) nack.deliveryCount++;
      if (justid) c.out.bulk(formatId(id));
      else replyEntry(c, id, fields);
      n++;
      count--;
      log.push(xclaimLog(args[1], args[2], g, formatId(id), nack));
      ks.dirty++;
    }
    return n;
  });
  // The cursor goes before the claimed entries.
  const body = c.out.buf.slice(cursorMark, c.out.length);
  c.out.truncate(cursorMark);
  c.out.bulk(next === undefined ? "0-0" : formatId(idFromKey(next[0])));
  c.out.raw(body);
  c.out.array(deleted.length);
  for (const id of deleted) c.out.bulk(formatId(id));
  propagateLog(c, log);
}

// ---------------------------------------------------------------- XINFO

function xinfoHelp(c: Client, args: string[]): void {
  if (args.length !== 2) return subcommandSyntaxError(c, args);
  replyHelp(c, "XINFO", [
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
  ]);
}

/** The stream XINFO reports on, or null after "no such key" / WRONGTYPE. */
function xinfoStreamAt(c: Client, key: string): StreamValue | null {
  const s = readStream(c, key);
  if (s === undefined) {
    c.out.error("ERR no such key");
    return null;
  }
  return s;
}

function sortedGroups(s: StreamValue): StreamGroup[] {
  if (s.groups === null) return [];
  return [...s.groups.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function xinfoConsumers(c: Client, args: string[]): void {
  const s = xinfoStreamAt(c, args[2]);
  if (s === null) return;
  const g = s.groups?.get(args[3]);
  if (g === undefined) {
    return c.out.error(
      `NOGROUP No such consumer group '${cs(args[3])}' for key name '${cs(args[2])}'`,
    );
  }
  const now = Date.now();
  const consumers = g.sortedConsumers();
  c.out.array(consumers.length);
  for (const consumer of consumers) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(consumer.name);
    c.out.bulk("pending");
    c.out.int(consumer.pending.size);
    c.out.bulk("idle");
    c.out.int(Math.max(0, now - consumer.seenTime));
  }
}

function xinfoGroups(c: Client, args: string[]): void {
  const s = xinfoStreamAt(c, args[2]);
  if (s === null) return;
  const groups = sortedGroups(s);
  c.out.array(groups.length);
  for (const g of groups) {
    c.out.map(6);
    c.out.bulk("name");
    c.out.bulk(g.name);
    c.out.bulk("consumers");
    c.out.int(g.consumers.size);
    c.out.bulk("pending");
    c.out.int(g.pel.size);
    c.out.bulk("last-delivered-id");
    c.out.bulk(formatId(g.lastId));
    c.out.bulk("entries-read");
    replyEntriesRead(c, g);
    c.out.bulk("lag");
    replyLag(c, s, g);
  }
}

/** The first and last entry of XINFO STREAM, or null. */
function replyEdgeEntry(c: Client, s: StreamValue, last: boolean): void {
  const n = s.range(MIN_ID, MAX_ID, last, 1, (id, fields) => replyEntry(c, id, fields));
  if (n === 0) c.out.nullBulk();
}

function xinfoStream(c: Client, args: string[]): void {
  // The key first, as XINFO looks it up before its subcommand parses options.
  const s = xinfoStreamAt(c, args[2]);
  if (s === null) return;
  let full = false;
  let count = 10;
  if (args.length > 3) {
    if (!kw(args[3], "FULL") || (args.length !== 4 && args.length !== 6)) {
      return subcommandSyntaxError(c, args);
    }
    full = true;
    if (args.length === 6) {
      if (!kw(args[4], "COUNT")) return subcommandSyntaxError(c, args);
      const v = longArg(c, args[5]);
      if (v === null) return;
      count = v < 0 ? 0 : v;
    }
  }
  const out = c.out;
  out.map(full ? 9 : 10);
  out.bulk("length");
  out.int(s.length);
  out.bulk("radix-tree-keys");
  out.int(s.nodeCount);
  out.bulk("radix-tree-nodes");
  out.int(s.raxNodes());
  out.bulk("last-generated-id");
  out.bulk(formatId(s.lastId));
  out.bulk("max-deleted-entry-id");
  out.bulk(formatId(s.maxDeletedId));
  out.bulk("entries-added");
  out.int(s.entriesAdded);
  out.bulk("recorded-first-entry-id");
  out.bulk(formatId(s.firstId));
  if (!full) {
    out.bulk("groups");
    out.int(s.groups?.size ?? 0);
    out.bulk("first-entry");
    replyEdgeEntry(c, s, false);
    out.bulk("last-entry");
    replyEdgeEntry(c, s, true);
    return;
  }
  out.bulk("entries");
  deferred(c, (n) => out.array(n), () =>
    s.range(MIN_ID, MAX_ID, false, count, (id, fields) => {
      replyEntry(c, id, fields);
    }));
  out.bulk("groups");
  const groups = sortedGroups(s);
  out.array(groups.length);
  for (const g of groups) {
    out.map(7);
    out.bulk("name");
    out.bulk(g.name);
    out.bulk("last-delivered-id");
    out.bulk(formatId(g.lastId));
    out.bulk("entries-read");
    replyEntriesRead(c, g);
    out.bulk("lag");
    replyLag(c, s, g);
    out.bulk("pel-count");
    out.int(g.pel.size);
    out.bulk("pending");
    const pending = count === 0 ? g.pel.size : Math.min(count, g.pel.size);
    out.array(pending);
    let i = 0;
    for (const [k, nack] of g.pel.entries()) {
      if (i++ === pending) break;
      out.array(4);
      out.bulk(formatId(idFromKey(k)));
      out.bulk(nack.consumer!.name);
      out.int(nack.deliveryTime);
      out.int(nack.deliveryCount);
    }
    out.bulk("consumers");
    const consumers = g.sortedConsumers();
    out.array(consumers.length);
    for (const consumer of consumers) {
      out.map(4);
      out.bulk("name");
      out.bulk(consumer.name);
      out.bulk("seen-time");
      out.int(consumer.seenTime);
      out.bulk("pel-count");
      out.int(consumer.pending.size);
      out.bulk("pending");
      const own = count === 0 ? consumer.pending.size : Math.min(count, consumer.pending.size);
      out.array(own);
      let j = 0;
      for (const [k, nack] of consumer.pending.entries()) {
        if (j++ === own) break;
        out.array(3);
        out.bulk(formatId(idFromKey(k)));
        out.int(nack.deliveryTime);
        out.int(nack.deliveryCount);
      }
    }
  }
}

// ---------------------------------------------------------------- table

const GROUP = "stream";

/** Stream consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO. */
export const streamGroupCommands: CommandSpec[] = [
  defineCommand({
    name: "xgroup",
    arity: -2,
    flags: "",
    group: GROUP,
    summary: "A container for consumer groups commands",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "create",
        arity: -5,
        flags: "write denyoom",
        keys: [2, 2, 1],
        summary: "Create a consumer group.",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key groupname id|$ [MKSTREAM] [ENTRIESREAD entries_read]",
        keySpecs: ["RW insert @2"],
        history: [["7.0.0", "Added the `entries_read` named argument."]],
        args: "key.key#0 groupname id.oneof(id new_id'$') mkstream'MKSTREAM'? " +
          "entries_read'ENTRIESREAD'.integer?",
        handler: xgroupCreate,
      },
      {
        name: "createconsumer",
        arity: 5,
        flags: "write denyoom",
        keys: [2, 2, 1],
        summary: "Create a consumer in a consumer group.",
        since: "6.2.0",
        complexity: "O(1)",
        syntax: "key groupname consumername",
        keySpecs: ["RW insert @2"],
        handler: xgroupCreateConsumer,
      },
      {
        name: "delconsumer",
        arity: 5,
        flags: "write",
        keys: [2, 2, 1],
        summary: "Delete a consumer from a consumer group.",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key groupname consumername",
        keySpecs: ["RW delete @2"],
        handler: xgroupDelConsumer,
      },
      {
        name: "destroy",
        arity: 4,
        flags: "write",
        keys: [2, 2, 1],
        summary: "Destroy a consumer group.",
        since: "5.0.0",
        complexity:
          "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        syntax: "key groupname",
        keySpecs: ["RW delete @2"],
        handler: xgroupDestroy,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        summary: "Show helpful text about the different subcommands",
        since: "5.0.0",
        complexity: "O(1)",
        handler: xgroupHelp,
      },
      {
        name: "setid",
        arity: -5,
        flags: "write",
        keys: [2, 2, 1],
        summary: "Set a consumer group to an arbitrary last delivered ID value.",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key groupname id|$ [ENTRIESREAD entries_read]",
        keySpecs: ["RW update @2"],
        history: [["7.0.0", "Added the optional `entries_read` argument."]],
        args: "key.key#0 groupname id.oneof(id new_id'$') entries_read'ENTRIESREAD'.integer?",
        handler: xgroupSetid,
      },
    ],
  }),
  defineCommand({
    name: "xreadgroup",
    arity: -7,
    flags: "write blocking movablekeys",
    group: GROUP,
    summary:
      "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
    since: "5.0.0",
    complexity:
      "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
    syntax:
      "GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]",
    getKeys: xreadgroupKeys,
    keySpecs: ["RO access @STREAMS:4 range:-1,1,2"],
    args: "group_consumer'GROUP'.block(group consumer) count'COUNT'.integer? " +
      "milliseconds'BLOCK'.integer? noack'NOACK'? streams'STREAMS'.block(key.key#0* id*)",
    handler: xreadgroup,
  }),
  defineCommand({
    name: "xack",
    arity: -4,
    flags: "write fast",
    keys: [1, 1, 1],
    group: GROUP,
    summary:
      "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
    since: "5.0.0",
    complexity: "O(1) for each message ID processed.",
    syntax: "key group id [id ...]",
    keySpecs: ["RW update @1"],
    handler: xack,
  }),
  defineCommand({
    name: "xpending",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GROUP,
    summary:
      "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
    since: "5.0.0",
    complexity:
      "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
    syntax: "key group [[IDLE min-idle-time] start end count [consumer]]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    history: [["6.2.0", "Added the `IDLE` option and exclusive range intervals."]],
    args: "key.key#0 group filters.block?(min-idle-time'IDLE'.integer@6.2.0? start end " +
      "count.integer consumer?)",
    handler: xpending,
  }),
  defineCommand({
    name: "xclaim",
    arity: -6,
    flags: "write fast",
    keys: [1, 1, 1],
    group: GROUP,
    summary:
      "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
    since: "5.0.0",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
    syntax:
      "key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]",
    keySpecs: ["RW update @1"],
    tips: "nondeterministic_output",
    args: "key.key#0 group consumer min-idle-time id* ms'IDLE'.integer? " +
      "unix-time-milliseconds'TIME'.unix-time? count'RETRYCOUNT'.integer? force'FORCE'? " +
      "justid'JUSTID'? id'LASTID'.string?",
    handler: xclaim,
  }),
  defineCommand({
    name: "xautoclaim",
    arity: -6,
    flags: "write fast",
    keys: [1, 1, 1],
    group: GROUP,
    summary:
      "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
    since: "6.2.0",
    complexity: "O(1) if COUNT is small.",
    syntax: "key group consumer min-idle-time start [COUNT count] [JUSTID]",
    keySpecs: ["RW delete @1"],
    tips: "nondeterministic_output",
    history: [
      [
        "7.0.0",
        "Added an element to the reply array, containing deleted entries the command cleared from the PEL",
      ],
    ],
    args: "key.key#0 group consumer min-idle-time start count'COUNT'.integer? justid'JUSTID'?",
    handler: xautoclaim,
  }),
  defineCommand({
    name: "xinfo",
    arity: -2,
    flags: "",
    group: GROUP,
    summary: "A container for stream introspection commands",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "consumers",
        arity: 4,
        flags: "readonly",
        keys: [2, 2, 1],
        summary: "List the consumers in a consumer group",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key groupname",
        keySpecs: ["RO access @2"],
        tips: "nondeterministic_output",
        handler: xinfoConsumers,
      },
      {
        name: "groups",
        arity: 3,
        flags: "readonly",
        keys: [2, 2, 1],
        summary: "List the consumer groups of a stream",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key",
        keySpecs: ["RO access @2"],
        history: [["7.0.0", "Added the `entries-read` and `lag` fields"]],
        handler: xinfoGroups,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        summary: "Show helpful text about the different subcommands",
        since: "5.0.0",
        complexity: "O(1)",
        handler: xinfoHelp,
      },
      {
        name: "stream",
        arity: -3,
        flags: "readonly",
        keys: [2, 2, 1],
        summary: "Get information about a stream",
        since: "5.0.0",
        complexity: "O(1)",
        syntax: "key [FULL [COUNT count]]",
        keySpecs: ["RO access @2"],
        history: [
          ["6.0.0", "Added the `FULL` modifier."],
          [
            "7.0.0",
            "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields",
          ],
        ],
        handler: xinfoStream,
      },
    ],
  }),
];
