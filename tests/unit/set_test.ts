import { assert, assertEquals } from "@std/assert";
import { type SetLimits, SetValue } from "../../lib/store/set.ts";
import { prng } from "../support/prng.ts";

/** Members as Redis's intset holds them: ascending as int64s. */
function ascending(members: Iterable<string>): string[] {
  return [...members].sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Checks every view of `s` against the model. */
function check(s: SetValue, model: Set<string>, what: string): void {
  assertEquals(s.size, model.size, `${what}: size`);
  const members = s.members();
  if (s.isIntset) assertEquals(members, ascending(model), `${what}: intset order`);
  else assertEquals(members.slice().sort(), [...model].sort(), `${what}: members`);
  const visited: string[] = [];
  s.forEach((m) => visited.push(m));
  assertEquals(visited, members, `${what}: forEach order`);
  for (let i = 0; i < s.size; i++) assertEquals(s.memberAt(i), members[i]);
  for (const m of model) assert(s.has(m), `${what}: has ${m}`);
}

/** Integers around every intset width boundary, and some that are not int64s. */
const INTS = [
  "0",
  "1",
  "-1",
  "32767",
  "-32768",
  "32768",
  "-32769",
  "2147483647",
  "-2147483648",
  "2147483648",
  "-2147483649",
  "9007199254740991",
  "9007199254740992",
  "9007199254740993",
  "-9007199254740993",
  "9223372036854775807",
  "-9223372036854775808",
];
const NOT_INTS = ["-0", "+1", "01", "9223372036854775808", "-9223372036854775809", "1.0", "", "a"];

function member(rand: () => number, strings: boolean): string {
  const r = rand();
  if (strings && r < 0.1) return NOT_INTS[Math.floor(rand() * NOT_INTS.length)];
  if (r < 0.4) return INTS[Math.floor(rand() * INTS.length)];
  if (r < 0.7) return String(Math.floor(rand() * 200) - 100);
  if (r < 0.85) return String(Math.floor(rand() * 2 ** 40) - 2 ** 39);
  return String(
    BigInt(Math.floor(rand() * 2 ** 31)) * 4294967296n + BigInt(Math.floor(rand() * 2 ** 32)),
  );
}

Deno.test("SetValue: seeded random adds and deletes match a Set, through the conversion", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const rand = prng(seed);
    const limits: SetLimits = { maxIntsetEntries: [8, 32, 512][seed % 3] };
    const strings = seed % 2 === 0;
    const s = new SetValue();
    const model = new Set<string>();
    let wasHashtable = false;
    for (let step = 0; step < 3000; step++) {
      const m = member(rand, strings);
      const what = `seed ${seed} step ${step} ${JSON.stringify(m)}`;
      if (rand() < 0.6) {
        assertEquals(s.add(m, limits), !model.has(m), `${what}: add`);
        model.add(m);
      } else {
        assertEquals(s.delete(m), model.delete(m), `${what}: delete`);
      }
      if (wasHashtable) assertEquals(s.encoding(), "hashtable", `${what}: never back`);
      wasHashtable = s.encoding() === "hashtable";
      assertEquals(s.has(m), model.has(m), `${what}: has`);
      if (step % 97 === 0) {
        check(s, model, what);
        check(s.clone(), model, `${what}: clone`);
      }
    }
    check(s, model, `seed ${seed} end`);
    // Popping empties the set, each member once.
    const popped = new Set<string>();
    for (let m = s.popRandom(); m !== undefined; m = s.popRandom()) {
      assert(model.has(m) && !popped.has(m), `seed ${seed}: popped ${m}`);
      popped.add(m);
    }
    assertEquals(popped.size, model.size);
    assertEquals(s.size, 0);
  }
});

Deno.test("SetValue: intset encodings and when it becomes a hashtable", () => {
  const limits = { maxIntsetEntries: 4 };
  const s = new SetValue();
  for (const m of ["3", "1", "2", "2"]) s.add(m, limits);
  assertEquals([s.encoding(), s.intsetWidth(), s.members()], ["intset", 2, ["1", "2", "3"]]);
  s.add("-70000", limits);
  assertEquals([s.encoding(), s.intsetWidth(), s.members()], ["intset", 4, [
    "-70000",
    "1",
    "2",
    "3",
  ]]);
  s.add("-70000", limits);
  assertEquals(s.encoding(), "intset", "a member already there does not count");
  s.add("4", limits);
  assertEquals(s.encoding(), "hashtable", "past the limit");
  const t = new SetValue();
  t.add("5", limits);
  t.add("70000", limits);
  assertEquals(t.intsetWidth(), 4);
  t.add("-9223372036854775808", limits);
  assertEquals([t.intsetWidth(), t.members()], [8, ["-9223372036854775808", "5", "70000"]]);
  assertEquals(t.intsetValues(), BigInt64Array.of(-9223372036854775808n, 5n, 70000n));
  assert(!t.has("-9223372036854775809"));
  assert(!t.has("9223372036854775807"));
  // Deleting does not narrow the width (nor does Redis).
  t.delete("-9223372036854775808");
  assertEquals(t.intsetWidth(), 8);
  t.add("-0", limits);
  assertEquals(t.encoding(), "hashtable", "-0 is not an integer to Redis");
  assert(t.has("5") && t.has("-0") && !t.has("0"));
  assertEquals(new SetValue("hashtable").encoding(), "hashtable");
});

Deno.test("SetValue: intset blob round trip and its checks", () => {
  const limits = { maxIntsetEntries: 512 };
  for (const members of [["1", "2", "3"], ["-40000", "5"], ["9223372036854775807", "-1"], []]) {
    const s = SetValue.fromMembers(members, limits)!;
    const blob = s.intsetBlob()!;
    const back = SetValue.fromIntsetBlob(blob, limits)!;
    assertEquals(back.members(), s.members());
    assertEquals(back.intsetWidth(), s.intsetWidth());
    assertEquals(back.intsetBlob(), blob);
  }
  const blob = SetValue.fromMembers(["1", "2", "3"], limits)!.intsetBlob()!;
  assertEquals([...blob], [2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 3, 0]);
  assertEquals(SetValue.fromIntsetBlob(blob, { maxIntsetEntries: 2 })!.encoding(), "hashtable");
  const unsorted = blob.slice();
  unsorted[8] = 9;
  assertEquals(SetValue.fromIntsetBlob(unsorted, limits), null);
  const badWidth = blob.slice();
  badWidth[0] = 3;
  assertEquals(SetValue.fromIntsetBlob(badWidth, limits), null);
  assertEquals(SetValue.fromIntsetBlob(blob.subarray(0, 12), limits), null);
  assertEquals(SetValue.fromMembers(["a", "b", "a"], limits), null);
  assertEquals(SetValue.fromMembers(["1", "1"], limits), null);
  // As RDB load: more members than the limit start as a hashtable, even integers.
  assertEquals(
    SetValue.fromMembers(["1", "2", "3"], { maxIntsetEntries: 2 })!.encoding(),
    "hashtable",
  );
  assertEquals(SetValue.fromMembers(["1", "x"], limits)!.intsetBlob(), null);
});

Deno.test("SetValue: scan visits every member; an intset in one step", () => {
  const limits = { maxIntsetEntries: 512 };
  const ints = SetValue.fromMembers(["3", "1", "2"], limits)!;
  const seen: string[] = [];
  assertEquals(ints.scan(5n, 1, (m) => seen.push(m)), 0n);
  assertEquals(seen, ["1", "2", "3"]);
  const members = Array.from({ length: 100 }, (_, i) => `m${i}`);
  const strs = SetValue.fromMembers(members, limits)!;
  const all = new Set<string>();
  let cursor = 0n;
  do cursor = strs.scan(cursor, 7, (m) => all.add(m)); while (cursor !== 0n);
  assertEquals([...all].sort(), members.slice().sort());
});
