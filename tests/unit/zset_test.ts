import { assert, assertEquals } from "@std/assert";
import { compareEntry, type LexRange, type ScoreRange, ZSetValue } from "../../lib/store/zset.ts";
import { prng } from "../support/prng.ts";

type Entry = [string, number];

/** The model: a plain array kept sorted by (score, member). */
class Model {
  entries: Entry[] = [];
  find(m: string): number {
    return this.entries.findIndex((e) => e[0] === m);
  }
  set(m: string, s: number): boolean {
    const i = this.find(m);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.push([m, s]);
    this.entries.sort((a, b) => compareEntry(a[1], a[0], b[1], b[0]));
    return i < 0;
  }
  delete(m: string): boolean {
    const i = this.find(m);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
}

function all(z: ZSetValue): Entry[] {
  const out: Entry[] = [];
  z.forEach((m, s) => out.push([m, s]));
  return out;
}

function check(z: ZSetValue, model: Model, rand: () => number, members: string[]): void {
  const n = model.entries.length;
  assertEquals(z.size, n);
  assertEquals(all(z), model.entries);
  // Ranks and scores of a few members (present or not).
  for (let k = 0; k < 5; k++) {
    const m = members[Math.floor(rand() * members.length)];
    const i = model.find(m);
    assertEquals(z.rank(m), i < 0 ? undefined : i);
    assertEquals(z.rank(m, true), i < 0 ? undefined : n - 1 - i);
    assertEquals(z.score(m), i < 0 ? undefined : model.entries[i][1]);
  }
  if (n === 0) return;
  // A rank range both ways.
  const a = Math.floor(rand() * n), b = Math.min(n - 1, a + Math.floor(rand() * 40));
  const fwd: Entry[] = [];
  z.range(a, b, false, (m, s) => fwd.push([m, s]));
  assertEquals(fwd, model.entries.slice(a, b + 1));
  const rev: Entry[] = [];
  z.range(a, b, true, (m, s) => rev.push([m, s]));
  assertEquals(rev, model.entries.slice().reverse().slice(a, b + 1));
  assertEquals(z.at(a), model.entries[a]);
  // A score range.
  const lo = Math.floor(rand() * 60) - 5, hi = lo + Math.floor(rand() * 20);
  const r: ScoreRange = { min: lo, max: hi, minex: rand() < 0.5, maxex: rand() < 0.5 };
  const inRange = model.entries.map((e, i) => [e[1], i] as const).filter(([s]) =>
    (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max)
  );
  const [first, last] = z.scoreRange(r);
  if (inRange.length === 0) assert(first > last);
  else assertEquals([first, last], [inRange[0][1], inRange[inRange.length - 1][1]]);
}

Deno.test("zset store: random operations match a sorted-array model across the conversion", () => {
  for (const seed of [1, 2, 3]) {
    const rand = prng(seed);
    const limits = { maxListpackEntries: 16, maxListpackValue: 12 };
    const z = new ZSetValue();
    const model = new Model();
    const members = Array.from({ length: 700 }, (_, i) => `m${i}${i % 7 === 0 ? "\u0000x" : ""}`);
    for (let step = 0; step < 6000; step++) {
      const op = rand();
      const m = members[Math.floor(rand() * members.length)];
      // Few distinct scores, so that member order decides many ties.
      const s = rand() < 0.1 ? (rand() < 0.5 ? 0 : 0.5) : Math.floor(rand() * 50);
      if (op < 0.55) assertEquals(z.set(m, s, limits), model.set(m, s));
      else if (op < 0.85) assertEquals(z.delete(m), model.delete(m));
      else if (op < 0.9) {
        const k = 1 + Math.floor(rand() * 5);
        const fromTop = rand() < 0.5;
        const expect = fromTop ? model.entries.slice(-k).reverse() : model.entries.slice(0, k);
        assertEquals(fromTop ? z.popMax(k) : z.popMin(k), expect);
        for (const [pm] of expect) model.delete(pm);
      } else if (op < 0.93 && z.size > 0) {
        const a = Math.floor(rand() * z.size);
        const b = Math.min(z.size - 1, a + Math.floor(rand() * 30));
        const gone = model.entries.slice(a, b + 1);
        assertEquals(z.deleteRange(a, b), gone.length);
        for (const [gm] of gone) model.delete(gm);
      }
      if (step % 97 === 0) check(z, model, rand, members);
      if (step === 3000) assertEquals(z.encoding(), "skiplist");
    }
    check(z, model, rand, members);
    // A clone is deep: changing it leaves the original as it was.
    const copy = z.clone();
    copy.set("fresh", 1, limits);
    copy.delete(model.entries[0][0]);
    assertEquals(all(z), model.entries);
  }
});

Deno.test("zset store: grows to many members and shrinks back (tree splits and merges)", () => {
  const rand = prng(7);
  const limits = { maxListpackEntries: 128, maxListpackValue: 64 };
  const z = new ZSetValue();
  const model = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const m = `k${Math.floor(rand() * 30000)}`;
    const s = Math.floor(rand() * 1000) / 8;
    z.set(m, s, limits);
    model.set(m, s);
  }
  const sorted = [...model.entries()].sort((a, b) => compareEntry(a[1], a[0], b[1], b[0]));
  assertEquals(all(z), sorted);
  for (let i = 0; i < sorted.length; i += 997) assertEquals(z.rank(sorted[i][0]), i);
  // Delete all but a few, in random order.
  const keys = sorted.map((e) => e[0]);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  for (let i = 0; i < keys.length - 10; i++) assert(z.delete(keys[i]));
  const left = keys.slice(-10).map((k) => [k, model.get(k)!] as Entry).sort((a, b) =>
    compareEntry(a[1], a[0], b[1], b[0])
  );
  assertEquals(all(z), left);
  assertEquals(z.encoding(), "skiplist");
  z.convertToListpackIfNeeded(limits);
  assertEquals(z.encoding(), "listpack");
  assertEquals(all(z), left);
});

Deno.test("zset store: listpack scores round-trip (ints, doubles, inf, -0 as 0)", () => {
  const limits = { maxListpackEntries: 128, maxListpackValue: 64 };
  const z = new ZSetValue();
  const scores = [
    0,
    255,
    256,
    -1,
    32767,
    -32768,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    0.1,
    1e300,
    Infinity,
    -Infinity,
    5e-324,
  ];
  scores.forEach((s, i) => z.set(`m${i}`, s, limits));
  for (let i = 0; i < scores.length; i++) assertEquals(z.score(`m${i}`), scores[i]);
  z.set("neg0", -0, limits);
  assert(Object.is(z.score("neg0"), 0));
  const long = "x".repeat(300);
  const big = ZSetValue.fromEntries([long, "a"], [1, 2], {
    maxListpackEntries: 128,
    maxListpackValue: 400,
  })!;
  assertEquals(big.encoding(), "listpack");
  assertEquals(all(big), [[long, 1], ["a", 2]]);
  assertEquals(ZSetValue.fromEntries(["a", "b", "a"], [1, 2, 3], limits), null);
  assertEquals(
    ZSetValue.fromEntries(["a", "a"], [1, 1], { maxListpackEntries: 0, maxListpackValue: 0 }),
    null,
  );
});

Deno.test("zset store: lex ranges", () => {
  const limits = { maxListpackEntries: 4, maxListpackValue: 64 };
  for (const n of [4, 50]) {
    const z = new ZSetValue();
    const names = Array.from(
      { length: n },
      (_, i) => String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26)),
    );
    for (const m of names) z.set(m, 0, limits);
    const sorted = names.slice().sort();
    const r: LexRange = {
      min: { inf: 0, value: "b", exclusive: false },
      max: { inf: 0, value: "d", exclusive: true },
    };
    const expect = sorted.filter((m) => m >= "b" && m < "d");
    const [first, last] = z.lexRange(r);
    assertEquals(last - first + 1, expect.length);
    assertEquals(sorted.slice(first, last + 1), expect);
  }
});
