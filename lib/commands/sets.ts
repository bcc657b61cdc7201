/** Set commands: SADD, SREM, SINTER, SSCAN, ... */
import type { Client } from "../server/client.ts";
import { type SetLimits, SetValue } from "../store/set.ts";
import { NOTIFY_GENERIC, NOTIFY_SET } from "../store/notify.ts";
import {
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  INT64_MIN,
  isKeyword,
  parseInt64,
  readTyped,
  removeMembers,
  writeTyped,
} from "./args.ts";
import { scanMatches, scanValue } from "./scan.ts";
import { randomReplyOverflowed } from "./reply_limit.ts";
import { type CommandSpec, defineCommand, keyAt, keynumKeys, type KeySpec } from "./table.ts";
import { distinctRandomIndexes } from "../util/random.ts";

const ERR_POSITIVE = "ERR value is out of range, must be positive";
const ERR_LONG_RANGE =
  "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const ERR_NUMKEYS = "ERR numkeys should be greater than 0";

/**
 * Redis's SPOP strategy switch: with fewer than count/5 members left, the
 * survivors are drawn into a new set instead of drawing the popped ones.
 */
const SPOP_MOVE_STRATEGY_MUL = 5;

/** set-max-intset-entries, as configured now. */
export function setLimits(c: Client): SetLimits {
  return { maxIntsetEntries: c.server.config.num("set-max-intset-entries") };
}

/** The set at `key` for reading: undefined when missing, null after WRONGTYPE was replied. */
export const readSet = (c: Client, key: string): SetValue | undefined | null =>
  readTyped(c, key, SetValue);

/** The set at `key` for writing: undefined when missing, null after WRONGTYPE was replied. */
export const writeSet = (c: Client, key: string): SetValue | undefined | null =>
  writeTyped(c, key, SetValue);

/** An empty set in the encoding Redis creates for a first member (setTypeCreate). */
function setFor(member: string): SetValue {
  return new SetValue(parseInt64(member) !== null ? "intset" : "hashtable");
}

function sadd(c: Client, args: string[]): void {
  const key = args[1];
  let s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) {
    s = setFor(args[2]);
    c.db.set(key, s);
  }
  const lim = setLimits(c);
  let added = 0;
  for (let i = 2; i < args.length; i++) {
    if (s.add(args[i], lim)) added++;
  }
  if (added !== 0) c.db.notify(NOTIFY_SET, "sadd", key);
  c.server.keyspace.dirty += added;
  c.out.int(added);
}

function srem(c: Client, args: string[]): void {
  removeMembers(c, args, writeSet(c, args[1]), NOTIFY_SET, "srem");
}

function smove(c: Client, args: string[]): void {
  const [, from, to, member] = args;
  const src = c.db.lookupWrite(from);
  const dst = c.db.lookupWrite(to);
  if (src === undefined) return c.out.int(0);
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) {
    return c.out.error(ERR_WRONGTYPE);
  }
  if (src === dst) return c.out.int(src.has(member) ? 1 : 0);
  if (!src.delete(member)) return c.out.int(0);
  c.db.notify(NOTIFY_SET, "srem", from);
  if (src.size === 0) {
    c.db.delete(from);
    c.db.notify(NOTIFY_GENERIC, "del", from);
  }
  let target = dst;
  if (target === undefined) {
    target = setFor(member);
    c.db.set(to, target);
  }
  const ks = c.server.keyspace;
  ks.dirty++;
  if (target.add(member, setLimits(c))) {
    ks.dirty++;
    c.db.notify(NOTIFY_SET, "sadd", to);
  }
  c.out.int(1);
}

function sismember(c: Client, args: string[]): void {
  const s = readSet(c, args[1]);
  if (s === null) return;
  c.out.int(s !== undefined && s.has(args[2]) ? 1 : 0);
}

function smismember(c: Client, args: string[]): void {
  const s = readSet(c, args[1]);
  if (s === null) return;
  c.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) c.out.int(s !== undefined && s.has(args[i]) ? 1 : 0);
}

function scard(c: Client, args: string[]): void {
  const s = readSet(c, args[1]);
  if (s === null) return;
  c.out.int(s === undefined ? 0 : s.size);
}

/** Replies every member of `s` as a set reply, in its iteration order. */
function replyMembers(c: Client, s: SetValue): void {
  c.out.set(s.size);
  s.forEach((m) => c.out.bulk(m));
}

/**
 * The set Redis builds to reply with a union (SUNION, and SPOP or
 * SRANDMEMBER when the whole set is asked for): a fresh intset filled in
 * the sources' order, so the reply is ascending whenever it stays an intset.
 */
function unionOf(sources: (SetValue | undefined)[], lim: SetLimits): SetValue {
  const out = new SetValue();
  for (const s of sources) s?.forEach((m) => out.add(m, lim));
  return out;
}

function srandmember(c: Client, args: string[]): void {
  if (args.length > 3) return c.out.error(ERR_SYNTAX);
  if (args.length === 2) {
    const s = readSet(c, args[1]);
    if (s === null) return;
    return c.out.bulkOrNull(s?.randomMember());
  }
  const parsed = parseInt64(args[2]);
  if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
  if (parsed === INT64_MIN) return c.out.error(ERR_LONG_RANGE);
  const s = readSet(c, args[1]);
  if (s === null) return;
  if (s === undefined || parsed === 0) return c.out.array(0);
  const size = s.size;

  if (parsed < 0 || parsed === 1) {
    // Repeats allowed (or one pick): independent draws, in draw order.
    let count = parsed < 0 ? -parsed : parsed;
    const mark = c.out.length;
    c.out.array(Number(count));
    for (; count > 0; count--) {
      c.out.bulk(s.memberAt(s.randomIndex()));
      if (randomReplyOverflowed(c, mark)) return;
    }
    return;
  }

  if (parsed >= size) {
    c.out.array(size);
    s.forEach((m) => c.out.bulk(m));
    return;
  }

  // Distinct members, fewer than the set holds: in no particular order.
  const count = parsed as number;
  const picks = distinctRandomIndexes(size, count);
  c.out.array(count);
  for (const i of picks) c.out.bulk(s.memberAt(i));
}

/**
 * How a command that removed several members logs them: one SREM per
 * member (the dispatcher wraps several in MULTI/EXEC, as Redis 7.0 does).
 */
function sremLog(key: string, members: string[]): string[][] {
  return members.map((m) => ["SREM", key, m]);
}

function spop(c: Client, args: string[]): void {
  if (args.length > 3) return c.out.error(ERR_SYNTAX);
  const key = args[1];
  if (args.length === 2) {
    const s = writeSet(c, key);
    if (s === null) return;
    if (s === undefined) return c.out.nullBulk();
    const m = s.popRandom()!;
    c.db.notify(NOTIFY_SET, "spop", key);
    if (s.size === 0) {
      c.db.delete(key);
      c.db.notify(NOTIFY_GENERIC, "del", key);
    }
    c.propagateAs = [["SREM", key, m]];
    c.server.keyspace.dirty++;
    return c.out.bulk(m);
  }
  const parsed = parseInt64(args[2]);
  if (parsed === null || parsed < 0) return c.out.error(ERR_POSITIVE);
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined || parsed === 0) return c.out.set(0);
  const size = s.size;
  const ks = c.server.keyspace;
  c.db.notify(NOTIFY_SET, "spop", key);

  if (parsed >= size) {
    replyMembers(c, unionOf([s], setLimits(c)));
    c.db.delete(key);
    c.db.notify(NOTIFY_GENERIC, "del", key);
    c.propagateAs = [["DEL", key]];
    ks.dirty += size;
    return;
  }

  const count = parsed as number;
  const remaining = size - count;
  const popped: string[] = [];
  c.out.set(count);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    for (let i = 0; i < count; i++) {
      const m = s.popRandom()!;
      c.out.bulk(m);
      popped.push(m);
    }
  } else {
    // Draw the survivors into a new set (its encoding chosen afresh, as
    // Redis's setTypeCreate does) and reply with what is left behind.
    const lim = setLimits(c);
    let survivors: SetValue | null = null;
    for (let i = 0; i < remaining; i++) {
      const m = s.randomMember()!;
      survivors ??= setFor(m);
      survivors.add(m, lim);
      s.delete(m);
    }
    s.forEach((m) => {
      c.out.bulk(m);
      popped.push(m);
    });
    c.db.replace(key, survivors!);
  }
  c.propagateAs = sremLog(key, popped);
  ks.dirty += count;
}

function smembers(c: Client, args: string[]): void {
  const s = readSet(c, args[1]);
  if (s === null) return;
  if (s === undefined) return c.out.set(0);
  replyMembers(c, s);
}

/**
 * The sets at `keys` for reading (undefined for a missing key), or null
 * after WRONGTYPE was replied. Every key is looked up (and counted as a hit
 * or miss) before any type error, as Redis does.
 */
function readSets(c: Client, keys: string[]): (SetValue | undefined)[] | null {
  const out: (SetValue | undefined)[] = new Array(keys.length);
  let wrong = false;
  for (let i = 0; i < keys.length; i++) {
    const v = c.db.lookupRead(keys[i]);
    if (v !== undefined && !(v instanceof SetValue)) {
      wrong = true;
      break;
    }
    out[i] = v;
  }
  if (wrong) {
    c.out.error(ERR_WRONGTYPE);
    return null;
  }
  return out;
}

/**
 * Stores `result` at `dst` (or deletes `dst` when the result is empty) and
 * replies with its size: the tail of every *STORE command, which fires
 * `event` for a stored result and "del" when an old `dst` went.
 */
function storeResult(c: Client, dst: string, result: SetValue, event: string): void {
  const ks = c.server.keyspace;
  if (result.size > 0) {
    c.db.set(dst, result);
    c.db.notify(NOTIFY_SET, event, dst);
    ks.dirty++;
  } else if (c.db.delete(dst)) {
    c.db.notify(NOTIFY_GENERIC, "del", dst);
    ks.dirty++;
  }
  c.out.int(result.size);
}

/**
 * SINTER, SINTERSTORE and SINTERCARD: members of the smallest set found in
 * all the others, in the smallest set's order. `limit` 0 is no limit.
 */
function sinterGeneric(
  c: Client,
  keys: string[],
  dst: string | null,
  cardinalityOnly: boolean,
  limit: number,
): void {
  const found = readSets(c, keys);
  if (found === null) return;
  if (found.includes(undefined)) {
    if (dst !== null) storeResult(c, dst, new SetValue(), "sinterstore");
    else if (cardinalityOnly) c.out.int(0);
    else c.out.set(0);
    return;
  }
  // Stable, as the qsort Redis relies on is for equal sizes.
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0];
  const inAll = (m: string): boolean => {
    for (let j = 1; j < sets.length; j++) {
      if (sets[j] !== first && !sets[j].has(m)) return false;
    }
    return true;
  };
  if (cardinalityOnly) {
    let n = 0;
    for (let i = 0; i < first.size && (limit === 0 || n < limit); i++) {
      if (inAll(first.memberAt(i))) n++;
    }
    return c.out.int(n);
  }
  const members: string[] = [];
  first.forEach((m) => {
    if (inAll(m)) members.push(m);
  });
  if (dst === null) {
    c.out.set(members.length);
    for (const m of members) c.out.bulk(m);
    return;
  }
  const lim = setLimits(c);
  const result = new SetValue();
  for (const m of members) result.add(m, lim);
  storeResult(c, dst, result, "sinterstore");
}

/**
 * SDIFF's result, by whichever of Redis's two algorithms it would pick
 * (the choice shows: the second may outgrow the intset limit on the way).
 */
function diffOf(sets: (SetValue | undefined)[], lim: SetLimits): SetValue {
  const out = new SetValue();
  const first = sets[0];
  if (first === undefined) return out;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return out;
  let algoOneWork = 0;
  let algoTwoWork = 0;
  for (const s of sets) {
    if (s === undefined) continue;
    algoOneWork += first.size;
    algoTwoWork += s.size;
  }
  // Algorithm 1 is favoured: it does less work when the sets share members.
  if (Math.floor(algoOneWork / 2) <= algoTwoWork) {
    const others = sets.slice(1).filter((s): s is SetValue => s !== undefined)
      .sort((a, b) => b.size - a.size);
    first.forEach((m) => {
      for (const s of others) if (s.has(m)) return;
      out.add(m, lim);
    });
    return out;
  }
  first.forEach((m) => out.add(m, lim));
  for (let j = 1; j < sets.length && out.size > 0; j++) {
    sets[j]?.forEach((m) => out.delete(m));
  }
  return out;
}

/** SUNION, SUNIONSTORE, SDIFF and SDIFFSTORE. */
function sunionDiffGeneric(c: Client, keys: string[], dst: string | null, diff: boolean): void {
  const sets = readSets(c, keys);
  if (sets === null) return;
  const lim = setLimits(c);
  const result = diff ? diffOf(sets, lim) : unionOf(sets, lim);
  if (dst === null) replyMembers(c, result);
  else storeResult(c, dst, result, diff ? "sdiffstore" : "sunionstore");
}

function sinter(c: Client, args: string[]): void {
  sinterGeneric(c, args.slice(1), null, false, 0);
}

function sinterstore(c: Client, args: string[]): void {
  sinterGeneric(c, args.slice(2), args[1], false, 0);
}

function sintercard(c: Client, args: string[]): void {
  const numkeys = parseInt64(args[1]);
  if (numkeys === null || numkeys < 1) return c.out.error(ERR_NUMKEYS);
  if (numkeys > args.length - 2) {
    return c.out.error("ERR Number of keys can't be greater than number of args");
  }
  const n = Number(numkeys);
  let limit = 0;
  for (let i = 2 + n; i < args.length; i++) {
    if (isKeyword(args[i], "LIMIT") && i + 1 < args.length) {
      const v = parseInt64(args[++i]);
      if (v === null || v < 0) return c.out.error("ERR LIMIT can't be negative");
      // Past 2^53 a limit is as good as none: no set is that large.
      limit = typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  sinterGeneric(c, args.slice(2, 2 + n), null, true, limit);
}

function sunion(c: Client, args: string[]): void {
  sunionDiffGeneric(c, args.slice(1), null, false);
}

function sunionstore(c: Client, args: string[]): void {
  sunionDiffGeneric(c, args.slice(2), args[1], false);
}

function sdiff(c: Client, args: string[]): void {
  sunionDiffGeneric(c, args.slice(1), null, true);
}

function sdiffstore(c: Client, args: string[]): void {
  sunionDiffGeneric(c, args.slice(2), args[1], true);
}

function sscan(c: Client, args: string[]): void {
  scanValue(c, args, readSet, (s, cursor, opts, items) =>
    s.scan(cursor, opts.count, (m) => {
      if (scanMatches(opts, m)) items.push(m);
    }));
}

const SET = "set";

/** Key specs of a *STORE command: its destination, then every source after it. */
function storeSpecs(destFlags: string): KeySpec[] {
  return [
    keyAt(1, ...destFlags.split(" ")),
    {
      flags: ["RO", "access"],
      index: 2,
      find: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
    },
  ];
}
const INTER_COMPLEXITY =
  "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
const TOTAL_COMPLEXITY = "O(N) where N is the total number of elements in all given sets.";

export const setCommands: CommandSpec[] = [
  defineCommand({
    name: "sadd",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Add one or more members to a set",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax: "key member [member ...]",
    keySpecs: [keyAt(1, "RW", "insert")],
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    handler: sadd,
  }),
  defineCommand({
    name: "scard",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Get the number of members in a set",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: [keyAt(1, "RO")],
    handler: scard,
  }),
  defineCommand({
    name: "sdiff",
    arity: -2,
    flags: "readonly",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Subtract multiple sets",
    complexity: TOTAL_COMPLEXITY,
    syntax: "key [key ...]",
    keySpecs: ["RO access @1 range:-1,1,0"],
    tips: "nondeterministic_output_order",
    handler: sdiff,
  }),
  defineCommand({
    name: "sdiffstore",
    arity: -3,
    flags: "write denyoom",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Subtract multiple sets and store the resulting set in a key",
    complexity: TOTAL_COMPLEXITY,
    syntax: "destination key [key ...]",
    keySpecs: storeSpecs("OW update"),
    handler: sdiffstore,
  }),
  defineCommand({
    name: "sinter",
    arity: -2,
    flags: "readonly",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Intersect multiple sets",
    complexity: INTER_COMPLEXITY,
    syntax: "key [key ...]",
    keySpecs: ["RO access @1 range:-1,1,0"],
    tips: "nondeterministic_output_order",
    handler: sinter,
  }),
  defineCommand({
    name: "sintercard",
    arity: -3,
    flags: "readonly movablekeys",
    group: SET,
    since: "7.0.0",
    summary: "Intersect multiple sets and return the cardinality of the result",
    complexity: INTER_COMPLEXITY,
    syntax: "numkeys key [key ...] [LIMIT limit]",
    keySpecs: [{
      flags: ["RO", "access"],
      index: 1,
      find: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
    }],
    getKeys: keynumKeys(1),
    args: "numkeys.integer key.key#0* limit'LIMIT'.integer?",
    handler: sintercard,
  }),
  defineCommand({
    name: "sinterstore",
    arity: -3,
    flags: "write denyoom",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Intersect multiple sets and store the resulting set in a key",
    complexity: INTER_COMPLEXITY,
    syntax: "destination key [key ...]",
    keySpecs: storeSpecs("RW update"),
    handler: sinterstore,
  }),
  defineCommand({
    name: "sismember",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Determine if a given value is a member of a set",
    complexity: "O(1)",
    syntax: "key member",
    keySpecs: [keyAt(1, "RO")],
    handler: sismember,
  }),
  defineCommand({
    name: "smembers",
    arity: 2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Get all the members in a set",
    complexity: "O(N) where N is the set cardinality.",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output_order",
    handler: smembers,
  }),
  defineCommand({
    name: "smismember",
    arity: -3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: SET,
    since: "6.2.0",
    summary: "Returns the membership associated with the given elements for a set",
    complexity: "O(N) where N is the number of elements being checked for membership",
    syntax: "key member [member ...]",
    keySpecs: ["RO access @1"],
    handler: smismember,
  }),
  defineCommand({
    name: "smove",
    arity: 4,
    flags: "write fast",
    keys: [1, 2, 1],
    group: SET,
    since: "1.0.0",
    summary: "Move a member from one set to another",
    complexity: "O(1)",
    syntax: "source destination member",
    keySpecs: [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")],
    handler: smove,
  }),
  defineCommand({
    name: "spop",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Remove and return one or multiple random members from a set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    syntax: "key [count]",
    keySpecs: [keyAt(1, "RW", "access", "delete")],
    tips: "nondeterministic_output",
    history: [["3.2.0", "Added the `count` argument."]],
    args: "key.key#0 count.integer@3.2.0?",
    handler: spop,
  }),
  defineCommand({
    name: "srandmember",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Get one or multiple random members from a set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    syntax: "key [count]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    history: [["2.6.0", "Added the optional `count` argument."]],
    args: "key.key#0 count.integer@2.6.0?",
    handler: srandmember,
  }),
  defineCommand({
    name: "srem",
    arity: -3,
    flags: "write fast",
    keys: [1, 1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Remove one or more members from a set",
    complexity: "O(N) where N is the number of members to be removed.",
    syntax: "key member [member ...]",
    keySpecs: [keyAt(1, "RW", "delete")],
    history: [["2.4.0", "Accepts multiple `member` arguments."]],
    handler: srem,
  }),
  defineCommand({
    name: "sscan",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: SET,
    since: "2.8.0",
    summary: "Incrementally iterate Set elements",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    handler: sscan,
  }),
  defineCommand({
    name: "sunion",
    arity: -2,
    flags: "readonly",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Add multiple sets",
    complexity: TOTAL_COMPLEXITY,
    syntax: "key [key ...]",
    keySpecs: ["RO access @1 range:-1,1,0"],
    tips: "nondeterministic_output_order",
    handler: sunion,
  }),
  defineCommand({
    name: "sunionstore",
    arity: -3,
    flags: "write denyoom",
    keys: [1, -1, 1],
    group: SET,
    since: "1.0.0",
    summary: "Add multiple sets and store the resulting set in a key",
    complexity: TOTAL_COMPLEXITY,
    syntax: "destination key [key ...]",
    keySpecs: storeSpecs("OW update"),
    handler: sunionstore,
  }),
];
