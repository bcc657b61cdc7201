/**
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 *
 * An HLL is a string value in Redis's own bytes (lib/store/hll.ts). Commands
 * that change it keep it as a RawString (Redis's dbUnshareStringValue makes
 * it a "raw" string too): a dense HLL is changed in place, a sparse one is
 * rebuilt in a work buffer and stored back.
 */
import type { Client } from "../server/client.ts";
import type { Value } from "../store/keyspace.ts";
import { EmbString, RawString, type StringValue } from "../store/strings.ts";
import { strToBytes } from "../resp/bytes.ts";
import {
  cachedCount,
  denseAdd,
  denseGet,
  ERR_INVALID_HLL,
  ERR_NOT_HLL,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  hllCount,
  hllCreate,
  hllMerge,
  hllSelfTest,
  HllWork,
  invalidateCache,
  isHll,
  rawCount,
  setCachedCount,
  sparseDecode,
} from "../store/hll.ts";
import { ERR_WRONGTYPE } from "./args.ts";
import { writableRaw } from "./strings.ts";
import { NOTIFY_STRING } from "../store/notify.ts";
import { type CommandSpec, defineCommand, type KeySpec } from "./table.ts";

/** The bytes of a string value (a view for a RawString), or null for other types. */
function stringBytes(v: Value): Uint8Array | null {
  if (typeof v === "string") return strToBytes(v);
  if (v instanceof RawString) return v.bytes();
  if (v instanceof EmbString) return strToBytes(v.value);
  return null;
}

/** The HLL bytes of `v`, or null after replying WRONGTYPE (another type, or not an HLL). */
function hllBytes(c: Client, v: Value): Uint8Array | null {
  const b = stringBytes(v);
  if (b === null) {
    c.out.error(ERR_WRONGTYPE);
    return null;
  }
  if (!isHll(b)) {
    c.out.error(ERR_NOT_HLL);
    return null;
  }
  return b;
}

/** Stores a work buffer that is no longer the stored string's own bytes. */
function storeBack(c: Client, key: string, work: HllWork): void {
  if (work.written && work.copied) c.db.replace(key, new RawString(work.bytes()));
}

function sparseMax(c: Client): number {
  return c.server.config.num("hll-sparse-max-bytes");
}

/** PFCOUNT's reply of a count: Redis replies it as a signed 64-bit integer. */
function replyCount(c: Client, n: number | bigint): void {
  c.out.int(typeof n === "bigint" ? BigInt.asIntN(64, n) : n);
}

function pfadd(c: Client, args: string[]): void {
  const key = args[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  let updated = 0;
  let bytes: Uint8Array;
  if (v === undefined) {
    const raw = new RawString(hllCreate());
    db.set(key, raw);
    bytes = raw.bytes();
    updated++;
  } else {
    const b = hllBytes(c, v);
    if (b === null) return;
    bytes = v instanceof RawString ? b : writableRaw(c, key, v as StringValue, b).bytes();
  }
  if (bytes[4] === HLL_DENSE) {
    // The hot path: registers change in place.
    for (let j = 2; j < args.length; j++) updated += denseAdd(bytes, args[j]);
    if (updated) invalidateCache(bytes);
  } else {
    const work = new HllWork(bytes);
    const max = sparseMax(c);
    for (let j = 2; j < args.length; j++) {
      const r = work.add(args[j], max);
      if (r < 0) {
        // What changed before the corrupt part stays, as in Redis.
        storeBack(c, key, work);
        return c.out.error(ERR_INVALID_HLL);
      }
      updated += r;
    }
    if (updated) {
      invalidateCache(work.buf);
      work.written = true;
    }
    storeBack(c, key, work);
  }
  if (updated) {
    db.notify(NOTIFY_STRING, "pfadd", key);
    c.server.keyspace.dirty += updated;
  }
  c.out.int(updated ? 1 : 0);
}

/** Work buffer of registers for PFCOUNT of several keys and PFMERGE. */
const maxRegisters = new Uint8Array(HLL_REGISTERS);

/**
 * Merges the HLLs at `keys` into maxRegisters (missing keys are empty).
 * Returns whether one was dense, or null after an error reply.
 */
function mergeKeys(c: Client, keys: string[], from: number): boolean | null {
  maxRegisters.fill(0);
  let dense = false;
  for (let j = from; j < keys.length; j++) {
    const v = c.db.lookupRead(keys[j]);
    if (v === undefined) continue;
    const b = hllBytes(c, v);
    if (b === null) return null;
    if (b[4] === HLL_DENSE) dense = true;
    if (!hllMerge(maxRegisters, b)) {
      c.out.error(ERR_INVALID_HLL);
      return null;
    }
  }
  return dense;
}

function pfcount(c: Client, args: string[]): void {
  if (args.length > 2) {
    // The union of several HLLs; none of them changes.
    if (mergeKeys(c, args, 1) === null) return;
    return replyCount(c, rawCount(maxRegisters));
  }
  const key = args[1];
  const db = c.db;
  const found = db.lookupRead(key);
  if (found === undefined) return c.out.int(0);
  const foundBytes = hllBytes(c, found);
  if (foundBytes === null) return;
  const cached = cachedCount(foundBytes);
  if (cached !== -1 && found instanceof RawString) return replyCount(c, cached);
  // Redis changes the value (unshared, cache updated) though PFCOUNT is a read: take it for writing.
  const v = db.lookupWrite(key)!;
  const raw = writableRaw(c, key, v as StringValue, stringBytes(v)!);
  if (cached !== -1) return replyCount(c, cached);
  const bytes = raw.bytes();
  const count = hllCount(bytes);
  if (count === -1) return c.out.error(ERR_INVALID_HLL);
  setCachedCount(bytes, count);
  // The cache is part of the string: the change is propagated, as Redis does.
  c.server.keyspace.dirty++;
  replyCount(c, count);
}

function pfmerge(c: Client, args: string[]): void {
  const dense = mergeKeys(c, args, 1);
  if (dense === null) return;
  const key = args[1];
  const db = c.db;
  const v = db.lookupWrite(key);
  let raw: RawString;
  if (v === undefined) {
    raw = new RawString(hllCreate());
    db.set(key, raw);
  } else {
    // The destination was checked as one of the sources.
    raw = writableRaw(c, key, v as StringValue, stringBytes(v)!);
  }
  const work = new HllWork(raw.bytes());
  if (dense && !work.toDense()) {
    storeBack(c, key, work);
    return c.out.error(ERR_INVALID_HLL);
  }
  const max = sparseMax(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (maxRegisters[j] !== 0) work.set(j, maxRegisters[j], max);
  }
  invalidateCache(work.buf);
  work.written = true;
  storeBack(c, key, work);
  // Redis names the merge "pfadd" too.
  db.notify(NOTIFY_STRING, "pfadd", key);
  c.server.keyspace.dirty++;
  c.out.ok();
}

/** A C string's view of an argument (it ends at the first NUL), as Redis's strcasecmp and %s see it. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

function pfdebug(c: Client, args: string[]): void {
  const cmd = cString(args[1]);
  const key = args[2];
  const db = c.db;
  const v = db.lookupWrite(key);
  if (v === undefined) return c.out.error("ERR The specified key does not exist");
  const b = hllBytes(c, v);
  if (b === null) return;
  const raw = writableRaw(c, key, v as StringValue, b);
  const bytes = raw.bytes();
  switch (cmd.toLowerCase()) {
    case "getreg":
    case "todense": {
      const work = new HllWork(bytes);
      const converted = work.encoding === HLL_SPARSE;
      if (converted) {
        if (!work.toDense()) return c.out.error(ERR_INVALID_HLL);
        storeBack(c, key, work);
        // The encoding change must reach the AOF and replicas.
        c.server.keyspace.dirty++;
      }
      if (cmd.toLowerCase() === "todense") return c.out.int(converted ? 1 : 0);
      const dense = work.bytes();
      c.out.array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) c.out.int(denseGet(dense, j));
      return;
    }
    case "decode":
      if (bytes[4] !== HLL_SPARSE) return c.out.error("ERR HLL encoding is not sparse");
      return c.out.bulk(sparseDecode(bytes));
    case "encoding":
      return c.out.simple(bytes[4] === HLL_DENSE ? "dense" : "sparse");
    default:
      c.out.error(`ERR Unknown PFDEBUG subcommand '${cmd}'`);
  }
}

function pfselftest(c: Client): void {
  const failure = hllSelfTest(sparseMax(c));
  if (failure === null) c.out.ok();
  else c.out.error("ERR " + failure);
}

/** A key spec of the one key at `index`. */
function oneKey(index: number, flags: string[]): KeySpec {
  return { flags, index, find: { type: "range", lastkey: 0, keystep: 1, limit: 0 } };
}

/** HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. */
export const hyperLogLogCommands: CommandSpec[] = [
  defineCommand({
    name: "pfadd",
    arity: -2,
    flags: "write denyoom fast",
    keys: [1, 1, 1],
    keySpecs: [oneKey(1, ["RW", "insert"])],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Adds the specified elements to the specified HyperLogLog.",
    complexity: "O(1) to add every element.",
    syntax: "key [element [element ...]]",
    args: "key.key#0 element?*",
    handler: pfadd,
  }),
  defineCommand({
    name: "pfcount",
    arity: -2,
    flags: "readonly",
    keys: [1, -1, 1],
    keySpecs: [{
      notes:
        "RW because it may change the internal representation of the key, and propagate to replicas",
      flags: ["RW", "access"],
      index: 1,
      find: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
    }],
    group: "hyperloglog",
    since: "2.8.9",
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    syntax: "key [key ...]",
    handler: pfcount,
  }),
  defineCommand({
    name: "pfmerge",
    arity: -2,
    flags: "write denyoom",
    keys: [1, -1, 1],
    keySpecs: [oneKey(1, ["RW", "access", "insert"]), {
      flags: ["RO", "access"],
      index: 2,
      find: { type: "range", lastkey: -1, keystep: 1, limit: 0 },
    }],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Merge N different HyperLogLogs into a single one.",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    syntax: "destkey sourcekey [sourcekey ...]",
    handler: pfmerge,
  }),
  defineCommand({
    name: "pfdebug",
    arity: 3,
    flags: "write denyoom admin",
    keys: [2, 2, 1],
    keySpecs: [oneKey(2, ["RW", "access"])],
    group: "hyperloglog",
    since: "2.8.9",
    summary: "Internal commands for debugging HyperLogLog values",
    complexity: "N/A",
    syntax: "subcommand key",
    docFlags: "syscmd",
    handler: pfdebug,
  }),
  defineCommand({
    name: "pfselftest",
    arity: 1,
    flags: "admin",
    group: "hyperloglog",
    since: "2.8.9",
    summary: "An internal command for testing HyperLogLog values",
    complexity: "N/A",
    syntax: "",
    docFlags: "syscmd",
    handler: pfselftest,
  }),
];
