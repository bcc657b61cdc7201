/** List commands: LPUSH, LPOP, LRANGE, LMOVE, LMPOP, ... (the blocking ones live in blocking.ts). */
import type { Client } from "../server/client.ts";
import { type ListLimits, ListValue } from "../store/list.ts";
import { NOTIFY_GENERIC, NOTIFY_LIST } from "../store/notify.ts";
import {
  ERR_NO_SUCH_KEY,
  ERR_SYNTAX,
  intArg,
  isKeyword,
  parseInt64,
  readTyped,
  writeTyped,
} from "./args.ts";
import { type CommandSpec, defineCommand, keyAt, keynumKeys, type KeySpec } from "./table.ts";

const ERR_POSITIVE = "ERR value is out of range, must be positive";
const ERR_INDEX_RANGE = "ERR index out of range";
const ERR_RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, " +
  "2 from the second ... or use negative to start from the end of the list";
const ERR_NUMKEYS = "ERR numkeys should be greater than 0";
const ERR_COUNT = "ERR count should be greater than 0";

/** list-max-listpack-size and list-compress-depth from the configuration. */
export function listLimits(c: Client): ListLimits {
  const config = c.server.config;
  return {
    maxListpackSize: config.num("list-max-listpack-size"),
    compressDepth: config.num("list-compress-depth"),
  };
}

/** The list at key for reading: undefined when missing, null after WRONGTYPE was replied. */
export const readList = (c: Client, key: string): ListValue | undefined | null =>
  readTyped(c, key, ListValue);

/** The list at key for writing: undefined when missing, null after WRONGTYPE was replied. */
export const writeList = (c: Client, key: string): ListValue | undefined | null =>
  writeTyped(c, key, ListValue);

/**
 * A count that must be >= 0 (Redis's getPositiveLong): any int64, past 2^53
 * clamped (it only bounds loops); null after replying `error`.
 */
function positiveArg(c: Client, s: string, error = ERR_POSITIVE): number | null {
  const v = parseInt64(s);
  if (v === null || v < 0) {
    c.out.error(error);
    return null;
  }
  return typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
}

/** LEFT or RIGHT: true for LEFT, false for RIGHT, null after a syntax error reply. */
function whereArg(c: Client, s: string): boolean | null {
  if (isKeyword(s, "LEFT")) return true;
  if (isKeyword(s, "RIGHT")) return false;
  c.out.error(ERR_SYNTAX);
  return null;
}

/** The keyspace event of a pop from the head (LEFT) or the tail. */
const popEvent = (fromLeft: boolean): string => fromLeft ? "lpop" : "rpop";

/**
 * After `event` removed elements from the list at `key`: fires it, then
 * deletes the key and fires "del" if the list is empty (Redis's
 * listElementsRemoved and the tails of LREM and LTRIM).
 */
function afterRemoval(c: Client, key: string, list: ListValue, event: string): void {
  c.db.notify(NOTIFY_LIST, event, key);
  if (list.length === 0) {
    c.db.delete(key);
    c.db.notify(NOTIFY_GENERIC, "del", key);
  }
}

/**
 * Removes up to `count` elements from one end of the list at `key` (which
 * must be non-empty), deleting the key once empty and counting the change;
 * fires "lpop"/"rpop" (and "del") when it popped any. Returns the popped
 * elements in pop order. No reply is written.
 */
export function popFromList(
  c: Client,
  key: string,
  list: ListValue,
  fromLeft: boolean,
  count: number,
): string[] {
  const n = Math.min(count, list.length);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = (fromLeft ? list.popLeft() : list.popRight())!;
  if (n !== 0) afterRemoval(c, key, list, popEvent(fromLeft));
  c.server.keyspace.dirty += n;
  return out;
}

/** Pushes `value` to the list at `key` (created when missing), firing "lpush"/"rpush". */
function pushTo(
  c: Client,
  key: string,
  list: ListValue | undefined,
  value: string,
  left: boolean,
): void {
  if (list === undefined) {
    list = new ListValue(listLimits(c));
    c.db.set(key, list);
  }
  if (left) list.pushLeft(value);
  else list.pushRight(value);
  c.db.notify(NOTIFY_LIST, left ? "lpush" : "rpush", key);
}

function pushGeneric(left: boolean, onlyIfExists: boolean) {
  return (c: Client, args: string[]): void => {
    const key = args[1];
    let list = writeList(c, key);
    if (list === null) return;
    if (list === undefined) {
      if (onlyIfExists) return c.out.int(0);
      list = new ListValue(listLimits(c));
      c.db.set(key, list);
    }
    list.pushMany(left, args, 2);
    c.db.notify(NOTIFY_LIST, left ? "lpush" : "rpush", key);
    c.server.keyspace.dirty += args.length - 2;
    c.out.int(list.length);
  };
}

function popGeneric(left: boolean) {
  return (c: Client, args: string[]): void => {
    if (args.length > 3) {
      return c.out.error(`ERR wrong number of arguments for '${left ? "lpop" : "rpop"}' command`);
    }
    const hasCount = args.length === 3;
    let count = 1;
    if (hasCount) {
      const n = positiveArg(c, args[2]);
      if (n === null) return;
      count = n;
    }
    const key = args[1];
    const list = writeList(c, key);
    if (list === null) return;
    if (list === undefined) return hasCount ? c.out.nullArray() : c.out.nullBulk();
    if (!hasCount) return c.out.bulk(popFromList(c, key, list, left, 1)[0]);
    const popped = popFromList(c, key, list, left, count);
    c.out.array(popped.length);
    for (const v of popped) c.out.bulk(v);
  };
}

function llen(c: Client, args: string[]): void {
  const list = readList(c, args[1]);
  if (list === null) return;
  c.out.int(list?.length ?? 0);
}

function lindex(c: Client, args: string[]): void {
  const list = readList(c, args[1]);
  if (list === null) return;
  if (list === undefined) return c.out.nullBulk();
  let index = intArg(c, args[2]);
  if (index === null) return;
  if (index < 0) index += list.length;
  c.out.bulkOrNull(list.at(index));
}

function lset(c: Client, args: string[]): void {
  const list = writeList(c, args[1]);
  if (list === null) return;
  if (list === undefined) return c.out.error(ERR_NO_SUCH_KEY);
  let index = intArg(c, args[2]);
  if (index === null) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return c.out.error(ERR_INDEX_RANGE);
  list.setAt(index, args[3]);
  c.db.notify(NOTIFY_LIST, "lset", args[1]);
  c.server.keyspace.dirty++;
  c.out.ok();
}

function linsert(c: Client, args: string[]): void {
  let after: boolean;
  if (isKeyword(args[2], "AFTER")) after = true;
  else if (isKeyword(args[2], "BEFORE")) after = false;
  else return c.out.error(ERR_SYNTAX);
  const list = writeList(c, args[1]);
  if (list === null) return;
  if (list === undefined) return c.out.int(0);
  const pivot = args[3];
  let at = -1;
  list.scan(false, (v, i) => {
    if (v !== pivot) return true;
    at = i;
    return false;
  });
  if (at < 0) return c.out.int(-1);
  list.insertAt(after ? at + 1 : at, args[4]);
  c.db.notify(NOTIFY_LIST, "linsert", args[1]);
  c.server.keyspace.dirty++;
  c.out.int(list.length);
}

/**
 * Redis's index clamping for LRANGE and LTRIM: [start, stop] within
 * [0, length), or null when the range is empty.
 */
function clampRange(start: number, stop: number, length: number): [number, number] | null {
  if (start < 0) start += length;
  if (stop < 0) stop += length;
  if (start < 0) start = 0;
  if (start > stop || start >= length) return null;
  if (stop >= length) stop = length - 1;
  return [start, stop];
}

function lrange(c: Client, args: string[]): void {
  const start = intArg(c, args[2]);
  if (start === null) return;
  const stop = intArg(c, args[3]);
  if (stop === null) return;
  const list = readList(c, args[1]);
  if (list === null) return;
  const range = list === undefined ? null : clampRange(start, stop, list.length);
  if (range === null) return c.out.array(0);
  c.out.array(range[1] - range[0] + 1);
  const out = c.out;
  list!.forRange(range[0], range[1], (v) => out.bulk(v));
}

function ltrim(c: Client, args: string[]): void {
  const start = intArg(c, args[2]);
  if (start === null) return;
  const stop = intArg(c, args[3]);
  if (stop === null) return;
  const key = args[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) return c.out.ok();
  const before = list.length;
  const range = clampRange(start, stop, before);
  if (range === null) list.trim(1, 0);
  else list.trim(range[0], range[1]);
  // Redis fires "ltrim" (and signals the key) even when nothing was trimmed.
  afterRemoval(c, key, list, "ltrim");
  if (list.length !== 0) c.db.signalModified(key);
  c.server.keyspace.dirty += before - list.length;
  c.out.ok();
}

function lrem(c: Client, args: string[]): void {
  const count = intArg(c, args[2]);
  if (count === null) return;
  const key = args[1];
  const list = writeList(c, key);
  if (list === null) return;
  if (list === undefined) return c.out.int(0);
  const removed = list.removeMatching(args[3], count);
  if (removed !== 0) afterRemoval(c, key, list, "lrem");
  c.server.keyspace.dirty += removed;
  c.out.int(removed);
}

function lpos(c: Client, args: string[]): void {
  let rank = 1;
  /** RANK -2^63: Redis negates it with overflow, so COUNT never stops the scan. */
  let rankOverflow = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = j < args.length - 1;
    const opt = args[j];
    if (more && isKeyword(opt, "RANK")) {
      const v = parseInt64(args[++j]);
      if (v === null) return c.out.error("ERR value is not an integer or out of range");
      if (v === 0) return c.out.error(ERR_RANK_ZERO);
      if (v === -9223372036854775808n) rankOverflow = true;
      rank = Number(v);
    } else if (more && isKeyword(opt, "COUNT")) {
      const v = positiveArg(c, args[++j], "ERR COUNT can't be negative");
      if (v === null) return;
      count = v;
    } else if (more && isKeyword(opt, "MAXLEN")) {
      const v = positiveArg(c, args[++j], "ERR MAXLEN can't be negative");
      if (v === null) return;
      maxlen = v;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const list = readList(c, args[1]);
  if (list === null) return;
  if (list === undefined) return count !== -1 ? c.out.array(0) : c.out.nullBulk();
  const element = args[2];
  const found: number[] = [];
  let matches = 0;
  let scanned = 0;
  list.scan(fromTail, (v, index) => {
    if (maxlen !== 0 && scanned >= maxlen) return false;
    scanned++;
    if (v !== element) return true;
    matches++;
    if (!rankOverflow && matches < rank) return true;
    found.push(index);
    if (count === -1) return false;
    return rankOverflow || count === 0 || matches - rank + 1 < count;
  });
  if (count !== -1) {
    c.out.array(found.length);
    for (const i of found) c.out.int(i);
  } else if (found.length !== 0) {
    c.out.int(found[0]);
  } else {
    c.out.nullBulk();
  }
}

/** LMPOP and BLMPOP arguments after numkeys. */
export interface MpopArgs {
  keys: string[];
  /** LEFT (true) or RIGHT (false). */
  fromLeft: boolean;
  /** COUNT, 1 when absent. */
  count: number;
}

/**
 * Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` with numkeys at
 * args[numkeysIndex] (LMPOP: 1; BLMPOP: 2, after the timeout), as Redis
 * does; null after replying the error.
 */
export function parseMpopArgs(c: Client, args: string[], numkeysIndex: number): MpopArgs | null {
  const nk = parseInt64(args[numkeysIndex]);
  if (nk === null || nk < 1) {
    c.out.error(ERR_NUMKEYS);
    return null;
  }
  const whereIndex = numkeysIndex + 1 + Number(nk);
  if (whereIndex >= args.length) {
    c.out.error(ERR_SYNTAX);
    return null;
  }
  const fromLeft = whereArg(c, args[whereIndex]);
  if (fromLeft === null) return null;
  let count = -1;
  for (let j = whereIndex + 1; j < args.length; j++) {
    if (count === -1 && j < args.length - 1 && isKeyword(args[j], "COUNT")) {
      const v = parseInt64(args[++j]);
      if (v === null || v < 1) {
        c.out.error(ERR_COUNT);
        return null;
      }
      count = typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
    } else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
  }
  return {
    keys: args.slice(numkeysIndex + 1, whereIndex),
    fromLeft,
    count: count === -1 ? 1 : count,
  };
}

/**
 * The pop of LMPOP/BLMPOP: from the first key holding a list, pops up to
 * `count` elements, replies [key, [elements]] and logs the command as
 * LPOP/RPOP key n, as Redis does. Returns true when it replied (elements,
 * or WRONGTYPE for a key of another type met first); false when no key
 * holds a list — then nothing was written (LMPOP replies a null array,
 * BLMPOP blocks).
 */
export function mpopReply(c: Client, keys: string[], fromLeft: boolean, count: number): boolean {
  for (const key of keys) {
    const list = writeList(c, key);
    if (list === null) return true;
    if (list === undefined) continue;
    const popped = popFromList(c, key, list, fromLeft, count);
    c.out.array(2);
    c.out.bulk(key);
    c.out.array(popped.length);
    for (const v of popped) c.out.bulk(v);
    c.propagateAs = [[fromLeft ? "LPOP" : "RPOP", key, String(popped.length)]];
    return true;
  }
  return false;
}

function lmpop(c: Client, args: string[]): void {
  const parsed = parseMpopArgs(c, args, 1);
  if (parsed === null) return;
  if (!mpopReply(c, parsed.keys, parsed.fromLeft, parsed.count)) c.out.nullArray();
}

/**
 * The move of LMOVE/RPOPLPUSH (and their blocking forms): pops one element
 * from `src` and pushes it to `dst`, replying the element. Returns true when
 * it replied (the element, or WRONGTYPE for either key); false when `src`
 * holds no list — then nothing was written (LMOVE replies null, BLMOVE
 * blocks). The command is logged as it came: a blocking caller sets
 * c.propagateAs to its non-blocking form.
 */
export function lmoveReply(
  c: Client,
  src: string,
  dst: string,
  fromLeft: boolean,
  toLeft: boolean,
): boolean {
  const from = writeList(c, src);
  if (from === null) return true;
  if (from === undefined) return false;
  const to = writeList(c, dst);
  if (to === null) return true;
  const value = (fromLeft ? from.popLeft() : from.popRight())!;
  // Pushed (and its event fired) before the source may be deleted: with
  // src === dst it is the same list.
  pushTo(c, dst, to, value, toLeft);
  afterRemoval(c, src, from, popEvent(fromLeft));
  c.server.keyspace.dirty++;
  c.out.bulk(value);
  return true;
}

function lmove(c: Client, args: string[]): void {
  const fromLeft = whereArg(c, args[3]);
  if (fromLeft === null) return;
  const toLeft = whereArg(c, args[4]);
  if (toLeft === null) return;
  if (!lmoveReply(c, args[1], args[2], fromLeft, toLeft)) c.out.nullBulk();
}

function rpoplpush(c: Client, args: string[]): void {
  if (!lmoveReply(c, args[1], args[2], false, true)) c.out.nullBulk();
}

/** LMOVE and RPOPLPUSH: the source is popped, the destination pushed to. */
const MOVE_SPECS: KeySpec[] = [keyAt(1, "RW", "access", "delete"), keyAt(2, "RW", "insert")];

export const listCommands: CommandSpec[] = [
  defineCommand({
    name: "lpush",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Prepend one or multiple elements to a list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax: "key element [element ...]",
    keySpecs: [keyAt(1, "RW", "insert")],
    history: [["2.4.0", "Accepts multiple `element` arguments."]],
    handler: pushGeneric(true, false),
  }),
  defineCommand({
    name: "rpush",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Append one or multiple elements to a list",
    since: "1.0.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax: "key element [element ...]",
    keySpecs: [keyAt(1, "RW", "insert")],
    history: [["2.4.0", "Accepts multiple `element` arguments."]],
    handler: pushGeneric(false, false),
  }),
  defineCommand({
    name: "lpushx",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Prepend an element to a list, only if the list exists",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax: "key element [element ...]",
    keySpecs: [keyAt(1, "RW", "insert")],
    history: [["4.0.0", "Accepts multiple `element` arguments."]],
    handler: pushGeneric(true, true),
  }),
  defineCommand({
    name: "rpushx",
    arity: -3,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Append an element to a list, only if the list exists",
    since: "2.2.0",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    syntax: "key element [element ...]",
    keySpecs: [keyAt(1, "RW", "insert")],
    history: [["4.0.0", "Accepts multiple `element` arguments."]],
    handler: pushGeneric(false, true),
  }),
  defineCommand({
    name: "lpop",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Remove and get the first elements in a list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    syntax: "key [count]",
    keySpecs: [keyAt(1, "RW", "access", "delete")],
    history: [["6.2.0", "Added the `count` argument."]],
    args: "key.key#0 count.integer@6.2.0?",
    handler: popGeneric(true),
  }),
  defineCommand({
    name: "rpop",
    arity: -2,
    flags: "write fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Remove and get the last elements in a list",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements returned",
    syntax: "key [count]",
    keySpecs: [keyAt(1, "RW", "access", "delete")],
    history: [["6.2.0", "Added the `count` argument."]],
    args: "key.key#0 count.integer@6.2.0?",
    handler: popGeneric(false),
  }),
  defineCommand({
    name: "llen",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "list",
    summary: "Get the length of a list",
    since: "1.0.0",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: [keyAt(1, "RO")],
    handler: llen,
  }),
  defineCommand({
    name: "lindex",
    arity: 3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "list",
    summary: "Get an element from a list by its index",
    since: "1.0.0",
    complexity:
      "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).",
    syntax: "key index",
    keySpecs: [keyAt(1, "RO", "access")],
    handler: lindex,
  }),
  defineCommand({
    name: "linsert",
    arity: 5,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: "list",
    summary: "Insert an element before or after another element in a list",
    since: "2.2.0",
    complexity:
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).",
    syntax: "key BEFORE|AFTER pivot element",
    keySpecs: [keyAt(1, "RW", "insert")],
    args: "key.key#0 where.oneof(before'BEFORE' after'AFTER') pivot element",
    handler: linsert,
  }),
  defineCommand({
    name: "lset",
    arity: 4,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: "list",
    summary: "Set the value of an element in a list by its index",
    since: "1.0.0",
    complexity:
      "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).",
    syntax: "key index element",
    keySpecs: [keyAt(1, "RW", "update")],
    handler: lset,
  }),
  defineCommand({
    name: "lrange",
    arity: 4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "list",
    summary: "Get a range of elements from a list",
    since: "1.0.0",
    complexity:
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
    syntax: "key start stop",
    keySpecs: [keyAt(1, "RO", "access")],
    args: "key.key#0 start.integer stop.integer",
    handler: lrange,
  }),
  defineCommand({
    name: "lrem",
    arity: 4,
    flags: "write",
    keys: [1, 1, 1],
    group: "list",
    summary: "Remove elements from a list",
    since: "1.0.0",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements removed.",
    syntax: "key count element",
    keySpecs: [keyAt(1, "RW", "delete")],
    handler: lrem,
  }),
  defineCommand({
    name: "ltrim",
    arity: 4,
    flags: "write",
    keys: [1, 1, 1],
    group: "list",
    summary: "Trim a list to the specified range",
    since: "1.0.0",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    syntax: "key start stop",
    keySpecs: [keyAt(1, "RW", "delete")],
    args: "key.key#0 start.integer stop.integer",
    handler: ltrim,
  }),
  defineCommand({
    name: "lpos",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "list",
    summary: "Return the index of matching elements on a list",
    since: "6.0.6",
    complexity:
      "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.",
    syntax: "key element [RANK rank] [COUNT num-matches] [MAXLEN len]",
    keySpecs: [keyAt(1, "RO", "access")],
    args: "key.key#0 element rank'RANK'.integer? num-matches'COUNT'.integer? len'MAXLEN'.integer?",
    handler: lpos,
  }),
  defineCommand({
    name: "rpoplpush",
    arity: 3,
    flags: "write denyoom",
    keys: [1, 2, 1],
    group: "list",
    summary: "Remove the last element in a list, prepend it to another list and return it",
    since: "1.2.0",
    complexity: "O(1)",
    syntax: "source destination",
    keySpecs: MOVE_SPECS,
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`LMOVE` with the `RIGHT` and `LEFT` arguments",
    handler: rpoplpush,
  }),
  defineCommand({
    name: "lmove",
    arity: 5,
    flags: "write denyoom",
    keys: [1, 2, 1],
    group: "list",
    summary: "Pop an element from a list, push it to another list and return it",
    since: "6.2.0",
    complexity: "O(1)",
    syntax: "source destination LEFT|RIGHT LEFT|RIGHT",
    keySpecs: MOVE_SPECS,
    args: "source.key#0 destination.key#1 wherefrom.oneof(left'LEFT' right'RIGHT') " +
      "whereto.oneof(left'LEFT' right'RIGHT')",
    handler: lmove,
  }),
  defineCommand({
    name: "lmpop",
    arity: -4,
    flags: "write movablekeys",
    group: "list",
    summary: "Pop elements from a list",
    since: "7.0.0",
    complexity:
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
    syntax: "numkeys key [key ...] LEFT|RIGHT [COUNT count]",
    keySpecs: [{
      flags: ["RW", "access", "delete"],
      index: 1,
      find: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
    }],
    getKeys: keynumKeys(1),
    args: "numkeys.integer key.key#0* where.oneof(left'LEFT' right'RIGHT') count'COUNT'.integer?",
    handler: lmpop,
  }),
];
