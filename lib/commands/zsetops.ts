/**
 * Sorted set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
 *
 * One generic routine, as Redis's zunionInterDiffGenericCommand: sets count
 * as sorted sets whose members all score 1; every other type is WRONGTYPE.
 * Inputs of a union or intersection are visited from the smallest to the
 * largest (a stable order: with equal sizes, as given), which matters for
 * the result, not just for speed: float sums depend on their order, and a
 * sum of inf and -inf counts as 0 at the point where it happens.
 */
import type { Client } from "../server/client.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../store/notify.ts";
import { SetValue } from "../store/set.ts";
import { compareEntry, ZSetValue } from "../store/zset.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, isKeyword, parseInt64 } from "./args.ts";
import { type CommandSpec, defineCommand, keynumKeys, type KeySpec } from "./table.ts";
import { parseScore, replyScore, zsetLimits } from "./zsets.ts";

const enum Op {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input: its value (undefined for a missing key), size and weight. */
interface Source {
  value: ZSetValue | SetValue | undefined;
  size: number;
  weight: number;
}

/** Visits the members of a source with their (unweighted) scores. */
function forEachEntry(src: Source, visit: (member: string, score: number) => void): void {
  const v = src.value;
  if (v instanceof ZSetValue) v.forEach(visit);
  else if (v !== undefined) v.forEach((m) => visit(m, 1));
}

/** The (unweighted) score of `member` in a source, undefined when absent. */
function scoreIn(src: Source, member: string): number | undefined {
  const v = src.value;
  if (v instanceof ZSetValue) return v.score(member);
  if (v !== undefined && v.has(member)) return 1;
  return undefined;
}

/** Combines `value` into `target` as Redis does: a NaN sum (inf + -inf) is 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum;
  }
  // Comparisons written as Redis's: a NaN value (never in a sum) keeps the target.
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

/** A weighted score; inf * 0 (NaN) counts as 0. */
function weighted(score: number, weight: number): number {
  const s = score * weight;
  return Number.isNaN(s) ? 0 : s;
}

/** Sorts parallel arrays in ascending (score, member) order, as a sorted set holds them. */
function sortEntries(members: string[], scores: number[]): void {
  const n = members.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => compareEntry(scores[a], members[a], scores[b], members[b]));
  const m = members.slice();
  const s = scores.slice();
  for (let i = 0; i < n; i++) {
    members[i] = m[order[i]];
    scores[i] = s[order[i]];
  }
}

/** How a command of the family reads its arguments. */
interface Variant {
  /** Lowercase command name, for the numkeys error. */
  name: string;
  op: Op;
  /** Argument index of numkeys (1, or 2 after a destination). */
  numkeysIndex: number;
  store: boolean;
  cardinalityOnly: boolean;
}

/** The whole family: parse, compute, then reply or store. */
function algebra(v: Variant) {
  return (c: Client, args: string[]): void => {
    const parsed = parseInt64(args[v.numkeysIndex]);
    if (parsed === null) return c.out.error(ERR_NOT_INTEGER);
    if (parsed < 1) {
      return c.out.error(`ERR at least 1 input key is needed for '${v.name}' command`);
    }
    if (parsed > args.length - (v.numkeysIndex + 1)) return c.out.error(ERR_SYNTAX);
    const numkeys = Number(parsed);

    // Keys are looked up (hits and misses counted) before the options are read.
    const sources: Source[] = new Array(numkeys);
    let j = v.numkeysIndex + 1;
    for (let i = 0; i < numkeys; i++, j++) {
      const value = c.db.lookupRead(args[j]);
      if (value !== undefined && !(value instanceof ZSetValue) && !(value instanceof SetValue)) {
        return c.out.error(ERR_WRONGTYPE);
      }
      sources[i] = { value, size: value?.size ?? 0, weight: 1 };
    }

    let how = Aggregate.Sum;
    let withScores = false;
    let limit = 0; // 0: no limit
    const scored = v.op !== Op.Diff && !v.cardinalityOnly;
    while (j < args.length) {
      const remaining = args.length - j;
      const opt = args[j];
      if (scored && remaining >= numkeys + 1 && isKeyword(opt, "WEIGHTS")) {
        j++;
        for (let i = 0; i < numkeys; i++, j++) {
          const w = parseScore(args[j]);
          if (w === null) return c.out.error("ERR weight value is not a float");
          sources[i].weight = w;
        }
      } else if (scored && remaining >= 2 && isKeyword(opt, "AGGREGATE")) {
        const a = args[j + 1];
        if (isKeyword(a, "SUM")) how = Aggregate.Sum;
        else if (isKeyword(a, "MIN")) how = Aggregate.Min;
        else if (isKeyword(a, "MAX")) how = Aggregate.Max;
        else return c.out.error(ERR_SYNTAX);
        j += 2;
      } else if (!v.store && !v.cardinalityOnly && isKeyword(opt, "WITHSCORES")) {
        withScores = true;
        j++;
      } else if (v.cardinalityOnly && remaining >= 2 && isKeyword(opt, "LIMIT")) {
        const l = parseInt64(args[j + 1]);
        if (l === null || l < 0) return c.out.error("ERR LIMIT can't be negative");
        limit = Number(l);
        j += 2;
      } else {
        return c.out.error(ERR_SYNTAX);
      }
    }

    // Array.prototype.sort is stable, as glibc's qsort (a merge sort) is for Redis.
    if (v.op !== Op.Diff) sources.sort((a, b) => a.size - b.size);

    if (v.cardinalityOnly) return c.out.int(interCard(sources, limit));
    const members: string[] = [];
    const scores: number[] = [];
    if (v.op === Op.Union) union(sources, how, members, scores);
    else if (v.op === Op.Inter) inter(sources, how, members, scores);
    else diff(sources, members, scores);

    if (v.store) return store(c, v.name, args[1], members, scores);
    sortEntries(members, scores);
    const out = c.out;
    const n = members.length;
    out.array(withScores && c.resp === 2 ? n * 2 : n);
    for (let i = 0; i < n; i++) {
      // RESP3: [member, score] pairs, an array (not a map) to keep the order.
      if (withScores && c.resp === 3) out.array(2);
      out.bulk(members[i]);
      if (withScores) replyScore(c, scores[i]);
    }
  };
}

function union(sources: Source[], how: Aggregate, members: string[], scores: number[]): void {
  const acc = new Map<string, number>();
  for (const src of sources) {
    if (src.size === 0) continue;
    const w = src.weight;
    forEachEntry(src, (member, score) => {
      const s = weighted(score, w);
      const cur = acc.get(member);
      acc.set(member, cur === undefined ? s : aggregate(cur, s, how));
    });
  }
  for (const [m, s] of acc) {
    members.push(m);
    scores.push(s);
  }
}

function inter(sources: Source[], how: Aggregate, members: string[], scores: number[]): void {
  // The first input is the smallest: when it is empty, so is the result.
  const first = sources[0];
  if (first.size === 0) return;
  const n = sources.length;
  forEachEntry(first, (member, score) => {
    let s = weighted(score, first.weight);
    for (let i = 1; i < n; i++) {
      const other = scoreIn(sources[i], member);
      if (other === undefined) return;
      // Unlike the first, these products are not cleaned of NaN (MIN/MAX skip them).
      s = aggregate(s, other * sources[i].weight, how);
    }
    members.push(member);
    scores.push(s);
  });
}

function interCard(sources: Source[], limit: number): number {
  const first = sources[0];
  if (first.size === 0) return 0;
  const n = sources.length;
  let count = 0;
  // forEach cannot stop early: an exception-free flag skips the rest once the limit is hit.
  let done = false;
  forEachEntry(first, (member) => {
    if (done) return;
    for (let i = 1; i < n; i++) if (scoreIn(sources[i], member) === undefined) return;
    count++;
    if (limit !== 0 && count >= limit) done = true;
  });
  return count;
}

function diff(sources: Source[], members: string[], scores: number[]): void {
  const first = sources[0];
  if (first.size === 0) return;
  const n = sources.length;
  forEachEntry(first, (member, score) => {
    for (let i = 1; i < n; i++) if (scoreIn(sources[i], member) !== undefined) return;
    members.push(member);
    scores.push(score);
  });
}

/**
 * Replaces `dest` with the result, firing the command's name as its event,
 * or deletes it when empty (firing "del" if it existed).
 */
function store(c: Client, event: string, dest: string, members: string[], scores: number[]): void {
  const db = c.db;
  if (members.length === 0) {
    if (db.delete(dest)) {
      db.notify(NOTIFY_GENERIC, "del", dest);
      c.server.keyspace.dirty++;
    }
    return c.out.int(0);
  }
  const z = ZSetValue.fromEntries(members, scores, zsetLimits(c))!;
  c.db.set(dest, z);
  db.notify(NOTIFY_ZSET, event, dest);
  c.server.keyspace.dirty++;
  c.out.int(z.size);
}

/** The input keys: `numkeys key [key ...]` from argument 1 (read-only access). */
const INPUTS_SPEC: KeySpec = {
  flags: ["RO", "access"],
  index: 1,
  find: { type: "keynum", keynumidx: 0, firstkey: 1, keystep: 1 },
};

const READ_COMMAND = {
  group: "sorted-set",
  arity: -3,
  flags: "readonly movablekeys",
  keySpecs: [INPUTS_SPEC],
  getKeys: keynumKeys(1),
};

const readInputs = keynumKeys(2);

const STORE_COMMAND = {
  group: "sorted-set",
  arity: -4,
  flags: "write denyoom movablekeys",
  keys: [1, 1, 1] as [number, number, number],
  keySpecs: [
    {
      flags: ["OW", "update"],
      index: 1,
      find: { type: "range", lastkey: 0, keystep: 1, limit: 0 },
    },
    { ...INPUTS_SPEC, index: 2 },
  ] as KeySpec[],
  // Redis's fallback extractor lists the destination after the inputs.
  getKeys: (args: string[]) => {
    const inputs = readInputs(args);
    return inputs && [...inputs, args[1]];
  },
};

export const sortedSetAlgebraCommands: CommandSpec[] = [
  defineCommand({
    ...STORE_COMMAND,
    name: "zdiffstore",
    since: "6.2.0",
    summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
    complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all " +
      "the sets, N is the size of the first set, and K is the size of the result set.",
    syntax: "destination numkeys key [key ...]",
    handler: algebra({
      name: "zdiffstore",
      op: Op.Diff,
      numkeysIndex: 2,
      store: true,
      cardinalityOnly: false,
    }),
  }),
  defineCommand({
    ...STORE_COMMAND,
    name: "zinterstore",
    since: "2.0.0",
    summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
    complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K " +
      "being the number of input sorted sets and M being the number of elements in the " +
      "resulting sorted set.",
    syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] " +
      "[AGGREGATE <SUM | MIN | MAX>]",
    args: "destination.key#0 numkeys.integer key.key#1* weight'WEIGHTS'.integer?* " +
      "aggregate'AGGREGATE'.oneof?(sum'SUM' min'MIN' max'MAX')",
    handler: algebra({
      name: "zinterstore",
      op: Op.Inter,
      numkeysIndex: 2,
      store: true,
      cardinalityOnly: false,
    }),
  }),
  defineCommand({
    ...STORE_COMMAND,
    name: "zunionstore",
    since: "2.0.0",
    summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
    complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, " +
      "and M being the number of elements in the resulting sorted set.",
    syntax: "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] " +
      "[AGGREGATE <SUM | MIN | MAX>]",
    args: "destination.key#0 numkeys.integer key.key#1* weight'WEIGHTS'.integer?* " +
      "aggregate'AGGREGATE'.oneof?(sum'SUM' min'MIN' max'MAX')",
    handler: algebra({
      name: "zunionstore",
      op: Op.Union,
      numkeysIndex: 2,
      store: true,
      cardinalityOnly: false,
    }),
  }),
  defineCommand({
    ...READ_COMMAND,
    name: "zdiff",
    since: "6.2.0",
    summary: "Subtract multiple sorted sets",
    complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all " +
      "the sets, N is the size of the first set, and K is the size of the result set.",
    syntax: "numkeys key [key ...] [WITHSCORES]",
    handler: algebra({
      name: "zdiff",
      op: Op.Diff,
      numkeysIndex: 1,
      store: false,
      cardinalityOnly: false,
    }),
  }),
  defineCommand({
    ...READ_COMMAND,
    name: "zinter",
    since: "6.2.0",
    summary: "Intersect multiple sorted sets",
    complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K " +
      "being the number of input sorted sets and M being the number of elements in the " +
      "resulting sorted set.",
    syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] " +
      "[AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]",
    args: "numkeys.integer key.key#0* weight'WEIGHTS'.integer?* " +
      "aggregate'AGGREGATE'.oneof?(sum'SUM' min'MIN' max'MAX') withscores'WITHSCORES'?",
    handler: algebra({
      name: "zinter",
      op: Op.Inter,
      numkeysIndex: 1,
      store: false,
      cardinalityOnly: false,
    }),
  }),
  defineCommand({
    ...READ_COMMAND,
    name: "zintercard",
    since: "7.0.0",
    summary: "Intersect multiple sorted sets and return the cardinality of the result",
    complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the " +
      "number of input sorted sets.",
    syntax: "numkeys key [key ...] [LIMIT limit]",
    args: "numkeys.integer key.key#0* limit'LIMIT'.integer?",
    handler: algebra({
      name: "zintercard",
      op: Op.Inter,
      numkeysIndex: 1,
      store: false,
      cardinalityOnly: true,
    }),
  }),
  defineCommand({
    ...READ_COMMAND,
    name: "zunion",
    since: "6.2.0",
    summary: "Add multiple sorted sets",
    complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, " +
      "and M being the number of elements in the resulting sorted set.",
    syntax: "numkeys key [key ...] [WEIGHTS weight [weight ...]] " +
      "[AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]",
    args: "numkeys.integer key.key#0* weight'WEIGHTS'.integer?* " +
      "aggregate'AGGREGATE'.oneof?(sum'SUM' min'MIN' max'MAX') withscores'WITHSCORES'?",
    handler: algebra({
      name: "zunion",
      op: Op.Union,
      numkeysIndex: 1,
      store: false,
      cardinalityOnly: false,
    }),
  }),
];
