/**
 * SORT and SORT_RO (Redis's group "generic"): sort the elements of a list,
 * set or sorted set numerically or as bytes, optionally by the values of
 * other keys (BY pattern, hash fields with "->"), fetch other keys per
 * element (GET), LIMIT the range, and STORE the result as a list.
 */
import type { Client } from "../server/client.ts";
import { HashValue } from "../store/hash.ts";
import { ListValue } from "../store/list.ts";
import { NOTIFY_GENERIC, NOTIFY_LIST } from "../store/notify.ts";
import { SetValue } from "../store/set.ts";
import { ZSetValue } from "../store/zset.ts";
import { stringOf } from "../store/strings.ts";
import { readsAnyKey } from "../server/aclcheck.ts";
import { strtod } from "../util/strtod.ts";
import { ERR_SYNTAX, ERR_WRONGTYPE, intArg, isKeyword } from "./args.ts";
import { listLimits } from "./lists.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

const ERR_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

/** A pattern or element as C code sees it: cut at the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/**
 * The value a BY/GET pattern names for one element: "#" is the element
 * itself; otherwise the first '*' is replaced by the element to form a key,
 * whose string value is used, or with "->field" after the '*', that field
 * of the hash at the key. Null when the key, type or field does not fit,
 * or when the pattern has no '*' (a constant key would be the same for all).
 */
function lookupByPattern(c: Client, pattern: string, element: string): string | null {
  const cs = cString(pattern);
  if (cs === "#") return element;
  const star = cs.indexOf("*");
  if (star < 0) return null;
  const arrow = cs.indexOf("->", star + 1);
  const hasField = arrow >= 0 && arrow + 2 < cs.length;
  const key = pattern.slice(0, star) + element +
    pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const v = c.db.lookupRead(key);
  if (v === undefined) return null;
  if (hasField) return v instanceof HashValue ? v.get(pattern.slice(arrow + 2)) ?? null : null;
  return stringOf(v) ?? null;
}

/** Byte-wise comparison, shorter first on a common prefix (memcmp + length). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * strcoll in the C locale, as Redis compares for ALPHA without STORE: bytes
 * up to the first NUL.
 */
function compareCStrings(a: string, b: string): number {
  return compareBytes(cString(a), cString(b));
}

/** A SORT score: what strtod reads of the whole value, or null (Redis's conversion error). */
function sortScore(s: string): number | null {
  const cs = cString(s);
  const r = strtod(cs);
  return r.end !== cs.length || r.erange || Number.isNaN(r.value) ? null : r.value;
}

/** One element with what it is sorted by. */
interface SortItem {
  element: string;
  score: number;
  /** ALPHA with BY: the value compared (null when the BY key is missing). */
  by: string | null;
}

/** The parsed options of one SORT call. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** BY without '*': keep the native order. */
  dontSort: boolean;
  by: string | null;
  store: string | null;
  gets: string[];
}

/** Parses the options after the key; null after replying with an error. */
function parseOptions(c: Client, args: string[], readonly: boolean): SortOptions | null {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0,
    limitCount: -1,
    dontSort: false,
    by: null,
    store: null,
    gets: [],
  };
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const a = args[j];
    if (isKeyword(a, "ASC")) o.desc = false;
    else if (isKeyword(a, "DESC")) o.desc = true;
    else if (isKeyword(a, "ALPHA")) o.alpha = true;
    else if (isKeyword(a, "LIMIT") && left >= 2) {
      const start = intArg(c, args[j + 1]);
      if (start === null) return null;
      const count = intArg(c, args[j + 2]);
      if (count === null) return null;
      o.limitStart = start;
      o.limitCount = count;
      j += 2;
    } else if (!readonly && isKeyword(a, "STORE") && left >= 1) {
      o.store = args[++j];
    } else if (isKeyword(a, "BY") && left >= 1) {
      o.by = args[++j];
      // As in Redis, a constant BY turns sorting off for good, even if a later BY has '*'.
      if (!cString(o.by).includes("*")) o.dontSort = true;
      else if (!readsAnyKey(c.user, c.server.commands.get(args[0])!, args)) {
        c.out.error("ERR BY option of SORT denied due to insufficient ACL permissions.");
        return null;
      }
    } else if (isKeyword(a, "GET") && left >= 1) {
      // The pattern names keys the ACL check cannot see: only for users who may read any key.
      if (!readsAnyKey(c.user, c.server.commands.get(args[0])!, args)) {
        c.out.error("ERR GET option of SORT denied due to insufficient ACL permissions.");
        return null;
      }
      o.gets.push(args[++j]);
    } else {
      c.out.error(ERR_SYNTAX);
      return null;
    }
  }
  return o;
}

/** `count` elements from index `from` in native order (from the tail when `desc`). */
function nativeRange(v: ListValue | ZSetValue, from: number, count: number, desc: boolean) {
  const out: string[] = [];
  if (count <= 0) return out;
  if (v instanceof ZSetValue) {
    v.range(from, from + count - 1, desc, (member) => out.push(member));
  } else if (desc) {
    const last = v.length - from - 1;
    v.forRange(last - count + 1, last, (e) => out.push(e));
    out.reverse();
  } else {
    v.forRange(from, from + count - 1, (e) => out.push(e));
  }
  return out;
}

function sortGeneric(c: Client, args: string[], readonly: boolean): void {
  const o = parseOptions(c, args, readonly);
  if (o === null) return;
  const db = c.db;
  const key = args[1];
  const found = db.lookupRead(key);
  if (
    found !== undefined && !(found instanceof ListValue) && !(found instanceof SetValue) &&
    !(found instanceof ZSetValue)
  ) {
    return c.out.error(ERR_WRONGTYPE);
  }
  let value = found as ListValue | SetValue | ZSetValue | undefined;
  let { dontSort, alpha, by } = o;
  const { desc, store, gets } = o;
  // A set has no order of its own: what is stored (or replicated) must not
  // depend on it, so it is sorted as bytes instead.
  if (dontSort && value instanceof SetValue && store !== null) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  if (value instanceof ZSetValue && value.encoding() === "listpack") {
    // Redis converts a packed sorted set for SORT, and it stays converted.
    value = db.lookupWrite(key) as ZSetValue;
    value.convertToSkiplist();
  }
  const length = value === undefined
    ? 0
    : value instanceof ListValue
    ? value.length
    : (value as SetValue | ZSetValue).size;

  // LIMIT clamped to the object, as Redis does.
  let start = Math.min(Math.max(o.limitStart, 0), length);
  const count = Math.min(Math.max(o.limitCount, -1), length);
  let end = count < 0 ? length - 1 : start + count - 1;
  if (start >= length) {
    start = length - 1;
    end = length - 2;
  }
  if (end >= length) end = length - 1;

  let elements: string[];
  if (value === undefined) {
    elements = [];
  } else if (dontSort && (value instanceof ListValue || value instanceof ZSetValue)) {
    // Native order, and only the range asked for (walking from the tail for DESC).
    const n = end >= start ? end - start + 1 : 0;
    elements = nativeRange(value, start, n, desc);
    if (n > 0) {
      end -= start;
      start = 0;
    }
  } else if (value instanceof ListValue) {
    elements = value.toArray();
  } else if (value instanceof SetValue) {
    elements = value.members();
  } else {
    elements = nativeRange(value, 0, length, false);
  }

  const items: SortItem[] = elements.map((element) => ({ element, score: 0, by: null }));
  let conversionError = false;
  if (!dontSort) {
    for (const item of items) {
      let byValue: string | null = item.element;
      if (by !== null) {
        byValue = lookupByPattern(c, by, item.element);
        if (byValue === null) continue;
      }
      if (alpha) {
        if (by !== null) item.by = byValue;
      } else {
        const score = sortScore(byValue);
        if (score === null) conversionError = true;
        else item.score = score;
      }
    }
    const cmp = comparator(alpha, by !== null, store !== null, desc);
    // Which elements end up where among equal ones depends on the algorithm:
    // Redis's partial quicksort with BY and a range, glibc's (stable) merge sort otherwise.
    if (by !== null && (start !== 0 || end !== items.length - 1)) {
      partialQuicksort(items, cmp, start, end);
    } else {
      items.sort(cmp);
    }
  }

  const n = end - start + 1;
  const outputLength = gets.length ? gets.length * n : n;
  if (conversionError) return c.out.error(ERR_NOT_DOUBLE);
  if (store === null) {
    c.out.array(outputLength);
    for (let j = start; j <= end; j++) {
      const element = items[j].element;
      if (gets.length === 0) c.out.bulk(element);
      for (const get of gets) c.out.bulkOrNull(lookupByPattern(c, get, element));
    }
    return;
  }
  const result: string[] = [];
  for (let j = start; j <= end; j++) {
    const element = items[j].element;
    if (gets.length === 0) result.push(element);
    for (const get of gets) result.push(lookupByPattern(c, get, element) ?? "");
  }
  const keyspace = c.server.keyspace;
  if (outputLength > 0) {
    db.set(store, ListValue.fromArray(result, listLimits(c)));
    db.notify(NOTIFY_LIST, "sortstore", store);
    keyspace.dirty += outputLength;
  } else if (db.delete(store)) {
    db.notify(NOTIFY_GENERIC, "del", store);
    keyspace.dirty++;
  }
  c.out.int(outputLength);
}

/**
 * Redis's sort order: numeric by score with ties broken by the elements'
 * bytes; ALPHA by the BY values (missing ones first) or the elements,
 * compared as whole byte strings when storing and as C strings otherwise.
 */
function comparator(
  alpha: boolean,
  byPattern: boolean,
  storing: boolean,
  desc: boolean,
): (a: SortItem, b: SortItem) => number {
  const strings = storing ? compareBytes : compareCStrings;
  let cmp: (a: SortItem, b: SortItem) => number;
  if (!alpha) {
    cmp = (a, b) =>
      a.score > b.score ? 1 : a.score < b.score ? -1 : compareBytes(a.element, b.element);
  } else if (byPattern) {
    cmp = (a, b) => {
      if (a.by === null || b.by === null) return a.by === b.by ? 0 : a.by === null ? -1 : 1;
      return strings(a.by, b.by);
    };
  } else {
    cmp = (a, b) => strings(a.element, b.element);
  }
  return desc ? (a, b) => -cmp(a, b) : cmp;
}

/**
 * Sorts `v` enough that positions from..to hold what a full sort puts there:
 * Bentley and McIlroy's quicksort (the NetBSD qsort Redis's pqsort is built
 * on) that only descends into partitions overlapping from..to. Equal
 * elements land where that algorithm leaves them, as in Redis.
 */
function partialQuicksort<T>(v: T[], cmp: (a: T, b: T) => number, from: number, to: number) {
  const swap = (i: number, j: number) => {
    const t = v[i];
    v[i] = v[j];
    v[j] = t;
  };
  const swapRuns = (i: number, j: number, n: number) => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const insertionSort = (base: number, n: number) => {
    for (let m = base + 1; m < base + n; m++) {
      for (let l = m; l > base && cmp(v[l - 1], v[l]) > 0; l--) swap(l, l - 1);
    }
  };
  const median = (a: number, b: number, c: number) =>
    cmp(v[a], v[b]) < 0
      ? (cmp(v[b], v[c]) < 0 ? b : cmp(v[a], v[c]) < 0 ? c : a)
      : (cmp(v[b], v[c]) > 0 ? b : cmp(v[a], v[c]) < 0 ? a : c);
  const outside = (base: number, n: number) => to < base || from >= base + n;
  const sortRange = (base: number, n: number): void => {
    for (;;) {
      if (n < 7) return insertionSort(base, n);
      let pivot = base + Math.floor(n / 2);
      if (n > 7) {
        let lo = base;
        let hi = base + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          lo = median(lo, lo + d, lo + 2 * d);
          pivot = median(pivot - d, pivot, pivot + d);
          hi = median(hi - 2 * d, hi - d, hi);
        }
        pivot = median(lo, pivot, hi);
      }
      swap(base, pivot);
      // Three-way partition: equal keys gathered at both ends, then moved to the middle.
      let swapped = false;
      let pa = base + 1, pb = pa, pc = base + n - 1, pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(v[pb], v[base])) <= 0) {
          if (r === 0) {
            swapped = true;
            swap(pa++, pb);
          }
          pb++;
        }
        while (pb <= pc && (r = cmp(v[pc], v[base])) >= 0) {
          if (r === 0) {
            swapped = true;
            swap(pc, pd--);
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
        swapped = true;
      }
      if (!swapped) return insertionSort(base, n);
      const end = base + n;
      let r = Math.min(pa - base, pb - pa);
      swapRuns(base, pb - r, r);
      r = Math.min(pd - pc, end - pd - 1);
      swapRuns(pb, end - r, r);
      r = pb - pa;
      if (r > 1 && !outside(base, r)) sortRange(base, r);
      r = pd - pc;
      if (r <= 1) return;
      base = end - r;
      n = r;
      if (outside(base, n)) return;
    }
  };
  sortRange(0, v.length);
}

function sort(c: Client, args: string[]): void {
  sortGeneric(c, args, false);
}

function sortRo(c: Client, args: string[]): void {
  sortGeneric(c, args, true);
}

/**
 * SORT's keys: the sorted key, and the last STORE destination (options
 * with arguments are skipped as Redis's sortGetKeys skips them).
 */
function sortKeys(args: string[]): string[] {
  const keys = [args[1]];
  let store = -1;
  for (let i = 2; i < args.length; i++) {
    if (isKeyword(args[i], "LIMIT")) i += 2;
    else if (isKeyword(args[i], "GET") || isKeyword(args[i], "BY")) i += 1;
    else if (isKeyword(args[i], "STORE") && i + 1 < args.length) store = i + 1;
  }
  if (store > 0) keys.push(args[store]);
  return keys;
}

/** Key flags Redis's sortGetKeys gives the sorted key and the STORE destination. */
const SORT_FLAGS = ["RO", "access"];
const STORE_FLAGS = ["OW", "update"];

const SORT_SYNTAX = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] " +
  "[ASC | DESC] [ALPHA]";
const SORT_COMPLEXITY = "O(N+M*log(M)) where N is the number of elements in the list or set " +
  "to sort, and M the number of returned elements. When the elements are not sorted, " +
  "complexity is O(N).";

export const sortCommands: CommandSpec[] = [
  defineCommand({
    name: "sort",
    arity: -2,
    flags: "write denyoom movablekeys",
    keys: [1, 1, 1],
    getKeys: sortKeys,
    getKeysAndFlags: (args) =>
      sortKeys(args).map((k, i) => [k, i === 0 ? SORT_FLAGS : STORE_FLAGS]),
    categories: ["set", "sortedset", "list", "dangerous"],
    group: "generic",
    since: "1.0.0",
    summary: "Sort the elements in a list, set or sorted set",
    complexity: SORT_COMPLEXITY,
    syntax: SORT_SYNTAX + " [STORE destination]",
    keySpecs: [
      "RO access @1",
      "RO access ? # For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
      "OW update ? # For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
    ],
    args: "key.key#0 pattern'BY'.pattern#1? offset_count'LIMIT'.block?(offset.integer " +
      "count.integer) pattern'GET'.pattern#1?*+ order.oneof?(asc'ASC' desc'DESC') " +
      "sorting'ALPHA'? destination'STORE'.key#2?",
    handler: sort,
  }),
  defineCommand({
    name: "sort_ro",
    arity: -2,
    flags: "readonly movablekeys",
    categories: ["set", "sortedset", "list", "dangerous"],
    keys: [1, 1, 1],
    group: "generic",
    since: "7.0.0",
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    complexity: SORT_COMPLEXITY,
    syntax: SORT_SYNTAX,
    keySpecs: [
      "RO access @1",
      "RO access ? # For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
    ],
    getKeysAndFlags: (args) => [[args[1], SORT_FLAGS]],
    args: "key.key#0 pattern'BY'.pattern#1? offset_count'LIMIT'.block?(offset.integer " +
      "count.integer) pattern'GET'.pattern#1?*+ order.oneof?(asc'ASC' desc'DESC') " +
      "sorting'ALPHA'?",
    handler: sortRo,
  }),
];
