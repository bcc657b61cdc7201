/** Hash commands: HSET, HGET, HDEL, HGETALL, HINCRBY, HRANDFIELD, HSCAN, ... */
import type { Client } from "../server/client.ts";
import { type HashLimits, HashValue } from "../store/hash.ts";
import { NOTIFY_HASH } from "../store/notify.ts";
import { incrByFloat } from "../util/float.ts";
import {
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  INT64_MAX,
  INT64_MIN,
  isKeyword,
  parseInt64,
  readTyped,
  removeMembers,
  writeTyped,
} from "./args.ts";
import { scanMatches, scanValue } from "./scan.ts";
import { randomReplyOverflowed } from "./reply_limit.ts";
import { type CommandSpec, defineCommand } from "./table.ts";
import { distinctRandomIndexes } from "../util/random.ts";

const ERR_HASH_NOT_INTEGER = "ERR hash value is not an integer";
const ERR_HASH_NOT_FLOAT = "ERR hash value is not a float";
const ERR_NAN_OR_INFINITY = "ERR value is NaN or Infinity";
const ERR_OUT_OF_RANGE = "ERR value is out of range";
/** Redis's LONG_MAX/2: WITHVALUES counts must lie within -LONG_MAX/2..LONG_MAX/2. */
const HALF_LONG_MAX = 4611686018427387903n;

function limits(c: Client): HashLimits {
  const config = c.server.config;
  return {
    maxEntries: config.num("hash-max-listpack-entries"),
    maxValue: config.num("hash-max-listpack-value"),
  };
}

/** The hash at `key` for reading: undefined when missing, null after WRONGTYPE. */
const readHash = (c: Client, key: string): HashValue | undefined | null =>
  readTyped(c, key, HashValue);

/** The hash at `key` for writing: undefined when missing, null after WRONGTYPE. */
const writeHash = (c: Client, key: string): HashValue | undefined | null =>
  writeTyped(c, key, HashValue);

/** The hash at `key`, created (and stored) when missing; null after WRONGTYPE. */
function writeHashOrCreate(c: Client, key: string): HashValue | null {
  const h = writeHash(c, key);
  if (h !== undefined) return h;
  const created = new HashValue();
  c.db.set(key, created);
  return created;
}

/** HSET and HMSET: same work, different reply. */
function hsetGeneric(name: string, replyCount: boolean) {
  return (c: Client, args: string[]): void => {
    if (args.length % 2 === 1) {
      return c.out.error(`ERR wrong number of arguments for '${name}' command`);
    }
    const h = writeHashOrCreate(c, args[1]);
    if (h === null) return;
    const lim = limits(c);
    h.tryConversion(args, 2, args.length - 1, lim);
    let created = 0;
    for (let i = 2; i < args.length; i += 2) {
      if (h.set(args[i], args[i + 1], lim)) created++;
    }
    // HMSET's event is "hset" too.
    c.db.notify(NOTIFY_HASH, "hset", args[1]);
    c.server.keyspace.dirty += (args.length - 2) / 2;
    if (replyCount) c.out.int(created);
    else c.out.ok();
  };
}

function hsetnx(c: Client, args: string[]): void {
  const h = writeHashOrCreate(c, args[1]);
  if (h === null) return;
  if (h.has(args[2])) return c.out.int(0);
  const lim = limits(c);
  h.tryConversion(args, 2, 3, lim);
  h.set(args[2], args[3], lim);
  c.db.notify(NOTIFY_HASH, "hset", args[1]);
  c.server.keyspace.dirty++;
  c.out.int(1);
}

function hget(c: Client, args: string[]): void {
  const h = readHash(c, args[1]);
  if (h === null) return;
  c.out.bulkOrNull(h?.get(args[2]));
}

function hmget(c: Client, args: string[]): void {
  const h = readHash(c, args[1]);
  if (h === null) return;
  c.out.array(args.length - 2);
  for (let i = 2; i < args.length; i++) c.out.bulkOrNull(h?.get(args[i]));
}

function hdel(c: Client, args: string[]): void {
  removeMembers(c, args, writeHash(c, args[1]), NOTIFY_HASH, "hdel");
}

function hexists(c: Client, args: string[]): void {
  const h = readHash(c, args[1]);
  if (h === null) return;
  c.out.int(h?.has(args[2]) ? 1 : 0);
}

function hlen(c: Client, args: string[]): void {
  const h = readHash(c, args[1]);
  if (h === null) return;
  c.out.int(h?.size ?? 0);
}

function hstrlen(c: Client, args: string[]): void {
  const h = readHash(c, args[1]);
  if (h === null) return;
  c.out.int(h?.get(args[2])?.length ?? 0);
}

const WANT_FIELDS = 1;
const WANT_VALUES = 2;

/** HGETALL (a map), HKEYS and HVALS (arrays). */
function hgetallGeneric(want: number) {
  const both = want === (WANT_FIELDS | WANT_VALUES);
  return (c: Client, args: string[]): void => {
    const h = readHash(c, args[1]);
    if (h === null) return;
    const n = h?.size ?? 0;
    if (both) c.out.map(n);
    else c.out.array(n);
    for (let i = 0; i < n; i++) {
      if (want & WANT_FIELDS) c.out.bulk(h!.fieldAt(i));
      if (want & WANT_VALUES) c.out.bulk(h!.valueAt(i));
    }
  };
}

function hincrby(c: Client, args: string[]): void {
  const incr = parseInt64(args[3]);
  if (incr === null) return c.out.error(ERR_NOT_INTEGER);
  const h = writeHash(c, args[1]);
  if (h === null) return;
  let current: number | bigint = 0;
  const old = h?.get(args[2]);
  if (old !== undefined) {
    const parsed = parseInt64(old);
    if (parsed === null) return c.out.error(ERR_HASH_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === "number" && typeof incr === "number") {
    result = current + incr;
  } else {
    result = BigInt(current) + BigInt(incr);
  }
  if (!Number.isSafeInteger(result)) {
    const big = BigInt(current) + BigInt(incr);
    if (big > INT64_MAX || big < INT64_MIN) return c.out.error(ERR_OVERFLOW);
    result = big;
  }
  const target = h ?? writeHashOrCreate(c, args[1])!;
  target.set(args[2], String(result), limits(c));
  c.db.notify(NOTIFY_HASH, "hincrby", args[1]);
  c.server.keyspace.dirty++;
  c.out.int(result);
}

function hincrbyfloat(c: Client, args: string[]): void {
  const incr = args[3];
  // The increment is checked before the key is looked up.
  const check = incrByFloat("0", incr);
  if ("error" in check) {
    return c.out.error(check.error === ERR_NOT_FLOAT ? ERR_NOT_FLOAT : ERR_NAN_OR_INFINITY);
  }
  const h = writeHash(c, args[1]);
  if (h === null) return;
  const old = h?.get(args[2]);
  let value: string;
  if (old === undefined) {
    value = check.value;
  } else {
    const r = incrByFloat(old, incr);
    if ("error" in r) {
      return c.out.error(r.error === ERR_NOT_FLOAT ? ERR_HASH_NOT_FLOAT : r.error);
    }
    value = r.value;
  }
  const target = h ?? writeHashOrCreate(c, args[1])!;
  target.set(args[2], value, limits(c));
  c.db.notify(NOTIFY_HASH, "hincrbyfloat", args[1]);
  c.server.keyspace.dirty++;
  // The result, not the increment: float arithmetic must not be redone on replay.
  c.propagateAs = [["HSET", args[1], args[2], value]];
  c.out.bulk(value);
}

/** Writes the pair at position i: field, or field and value (nested in RESP3). */
function replyPair(c: Client, h: HashValue, i: number, withValues: boolean): void {
  if (withValues) {
    if (c.resp === 3) c.out.array(2);
    c.out.bulk(h.fieldAt(i));
    c.out.bulk(h.valueAt(i));
  } else {
    c.out.bulk(h.fieldAt(i));
  }
}

function hrandfield(c: Client, args: string[]): void {
  if (args.length === 2) {
    const h = readHash(c, args[1]);
    if (h === null) return;
    if (h === undefined) return c.out.nullBulk();
    return c.out.bulk(h.fieldAt(h.randomIndex()));
  }
  const parsed = parseInt64(args[2]);
  if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
  if (parsed === INT64_MIN) {
    return c.out.error(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
  }
  if (args.length > 4 || (args.length === 4 && !isKeyword(args[3], "WITHVALUES"))) {
    return c.out.error(ERR_SYNTAX);
  }
  const withValues = args.length === 4;
  if (withValues && (BigInt(parsed) < -HALF_LONG_MAX || BigInt(parsed) > HALF_LONG_MAX)) {
    return c.out.error(ERR_OUT_OF_RANGE);
  }
  const h = readHash(c, args[1]);
  if (h === null) return;
  if (h === undefined || parsed === 0) return c.out.array(0);
  const size = h.size;
  const perPair = withValues && c.resp === 2 ? 2 : 1;

  if (parsed < 0 || parsed === 1) {
    // Repeats allowed (or a single pick): independent random picks, until
    // the reply outgrows its bound (a count near -2^62 would never end).
    const count = Number(parsed < 0 ? -parsed : parsed);
    const mark = c.out.length;
    c.out.array(count * perPair);
    for (let k = 0; k < count; k++) {
      replyPair(c, h, h.randomIndex(), withValues);
      if (randomReplyOverflowed(c, mark)) return;
    }
    return;
  }

  if (parsed >= size) {
    // The whole hash, in iteration order.
    c.out.array(size * perPair);
    for (let i = 0; i < size; i++) replyPair(c, h, i, withValues);
    return;
  }

  // Distinct fields: a random subset, in storage order for a listpack (as
  // Redis does), in random order for a hashtable.
  const count = Number(parsed);
  const picks = distinctRandomIndexes(size, count);
  if (h.isListpack) picks.sort((a, b) => a - b);
  c.out.array(count * perPair);
  for (const i of picks) replyPair(c, h, i, withValues);
}

function hscan(c: Client, args: string[]): void {
  scanValue(
    c,
    args,
    readHash,
    (h, cursor, opts, items) =>
      h.scan(cursor, opts.count, (field, value) => {
        if (scanMatches(opts, field)) items.push(field, value);
      }),
  );
}

export const hashCommands: CommandSpec[] = [
  defineCommand({
    name: "hdel",
    arity: -3,
    flags: "write fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Delete one or more hash fields",
    complexity: "O(N) where N is the number of fields to be removed.",
    syntax: "key field [field ...]",
    keySpecs: ["RW delete @1"],
    history: [["2.4.0", "Accepts multiple `field` arguments."]],
    handler: hdel,
  }),
  defineCommand({
    name: "hexists",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Determine if a hash field exists",
    complexity: "O(1)",
    syntax: "key field",
    keySpecs: ["RO @1"],
    handler: hexists,
  }),
  defineCommand({
    name: "hget",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get the value of a hash field",
    complexity: "O(1)",
    syntax: "key field",
    keySpecs: ["RO access @1"],
    handler: hget,
  }),
  defineCommand({
    name: "hgetall",
    arity: 2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the fields and values in a hash",
    complexity: "O(N) where N is the size of the hash.",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output_order",
    handler: hgetallGeneric(WANT_FIELDS | WANT_VALUES),
  }),
  defineCommand({
    name: "hincrby",
    arity: 4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Increment the integer value of a hash field by the given number",
    complexity: "O(1)",
    syntax: "key field increment",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 field increment.integer",
    handler: hincrby,
  }),
  defineCommand({
    name: "hincrbyfloat",
    arity: 4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.6.0",
    summary: "Increment the float value of a hash field by the given amount",
    complexity: "O(1)",
    syntax: "key field increment",
    keySpecs: ["RW access update @1"],
    args: "key.key#0 field increment.double",
    handler: hincrbyfloat,
  }),
  defineCommand({
    name: "hkeys",
    arity: 2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the fields in a hash",
    complexity: "O(N) where N is the size of the hash.",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output_order",
    handler: hgetallGeneric(WANT_FIELDS),
  }),
  defineCommand({
    name: "hlen",
    arity: 2,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get the number of fields in a hash",
    complexity: "O(1)",
    syntax: "key",
    keySpecs: ["RO @1"],
    handler: hlen,
  }),
  defineCommand({
    name: "hmget",
    arity: -3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get the values of all the given hash fields",
    complexity: "O(N) where N is the number of fields being requested.",
    syntax: "key field [field ...]",
    keySpecs: ["RO access @1"],
    handler: hmget,
  }),
  defineCommand({
    name: "hmset",
    arity: -4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set multiple hash fields to multiple values",
    complexity: "O(N) where N is the number of fields being set.",
    syntax: "key field value [field value ...]",
    keySpecs: ["RW update @1"],
    docFlags: "deprecated",
    deprecatedSince: "4.0.0",
    replacedBy: "`HSET` with multiple field-value pairs",
    args: "key.key#0 field_value.block*(field value)",
    handler: hsetGeneric("hmset", false),
  }),
  defineCommand({
    name: "hrandfield",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "hash",
    since: "6.2.0",
    summary: "Get one or multiple random fields from a hash",
    complexity: "O(N) where N is the number of fields returned",
    syntax: "key [count [WITHVALUES]]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    args: "key.key#0 options.block?(count.integer withvalues'WITHVALUES'?)",
    handler: hrandfield,
  }),
  defineCommand({
    name: "hscan",
    arity: -3,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.8.0",
    summary: "Incrementally iterate hash fields and associated values",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command " +
      "calls for the cursor to return back to 0. N is the number of elements inside the " +
      "collection..",
    syntax: "key cursor [MATCH pattern] [COUNT count]",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output",
    handler: hscan,
  }),
  defineCommand({
    name: "hset",
    arity: -4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set the string value of a hash field",
    complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when " +
      "the command is called with multiple field/value pairs.",
    syntax: "key field value [field value ...]",
    keySpecs: ["RW update @1"],
    history: [["4.0.0", "Accepts multiple `field` and `value` arguments."]],
    args: "key.key#0 field_value.block*(field value)",
    handler: hsetGeneric("hset", true),
  }),
  defineCommand({
    name: "hsetnx",
    arity: 4,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Set the value of a hash field, only if the field does not exist",
    complexity: "O(1)",
    syntax: "key field value",
    keySpecs: ["RW insert @1"],
    handler: hsetnx,
  }),
  defineCommand({
    name: "hstrlen",
    arity: 3,
    flags: "readonly fast",
    keys: [1, 1, 1],
    group: "hash",
    since: "3.2.0",
    summary: "Get the length of the value of a hash field",
    complexity: "O(1)",
    syntax: "key field",
    keySpecs: ["RO @1"],
    handler: hstrlen,
  }),
  defineCommand({
    name: "hvals",
    arity: 2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: "hash",
    since: "2.0.0",
    summary: "Get all the values in a hash",
    complexity: "O(N) where N is the size of the hash.",
    syntax: "key",
    keySpecs: ["RO access @1"],
    tips: "nondeterministic_output_order",
    handler: hgetallGeneric(WANT_VALUES),
  }),
];
