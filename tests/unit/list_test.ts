/**
 * ListValue against a plain array model: seeded random pushes, pops,
 * inserts, sets, removals and trims, under several node sizes, so that
 * every operation meets node boundaries (and nodes of one entry).
 */
import { assert, assertEquals } from "@std/assert";
import { type ListLimits, ListValue } from "../../lib/store/list.ts";
import { prng } from "../support/prng.ts";

function limits(maxListpackSize: number): ListLimits {
  return { maxListpackSize, compressDepth: 0 };
}

/** A random element: mostly short, sometimes empty, binary or past the 1- and 2-byte varints. */
function element(rand: () => number): string {
  const r = rand();
  if (r < 0.05) return "";
  if (r < 0.1) {
    return String.fromCharCode(...Array.from({ length: 5 }, () => Math.floor(rand() * 256)));
  }
  if (r < 0.13) return "L".repeat(100 + Math.floor(rand() * 300));
  if (r < 0.14) return "H".repeat(16384 + Math.floor(rand() * 10));
  return "v" + Math.floor(rand() * 20);
}

function check(list: ListValue, model: string[], what: string): void {
  assertEquals(list.length, model.length, `${what}: length`);
  assertEquals(list.toArray(), model, `${what}: contents`);
}

for (const fill of [1, 2, 4, 7, -1, -2, -5]) {
  Deno.test(`ListValue matches an array model (list-max-listpack-size ${fill})`, () => {
    const rand = prng(1000 + fill);
    const list = new ListValue(limits(fill));
    let model: string[] = [];
    let maxLength = 0;
    const index = () => Math.floor(rand() * (model.length + 1));
    for (let step = 0; step < 4000; step++) {
      const op = Math.floor(rand() * 12);
      const v = element(rand);
      const what = `step ${step} op ${op}`;
      switch (op) {
        case 0:
        case 1:
          list.pushRight(v);
          model.push(v);
          break;
        case 2:
        case 3:
          list.pushLeft(v);
          model.unshift(v);
          break;
        case 4:
          assertEquals(list.popLeft(), model.shift(), what);
          break;
        case 5:
          assertEquals(list.popRight(), model.pop(), what);
          break;
        case 6: {
          const i = index();
          list.insertAt(i, v);
          model.splice(i, 0, v);
          break;
        }
        case 7: {
          if (model.length === 0) break;
          const i = Math.floor(rand() * model.length);
          list.setAt(i, v);
          model[i] = v;
          break;
        }
        case 8: {
          if (rand() < 0.7) break; // rare: LREM 0 empties much of the list
          const target = model.length > 0 && rand() < 0.7
            ? model[Math.floor(rand() * model.length)]
            : v;
          const count = Math.floor(rand() * 7) - 3;
          let removed = 0;
          if (count >= 0) {
            const next: string[] = [];
            for (const x of model) {
              if (x === target && (count === 0 || removed < count)) removed++;
              else next.push(x);
            }
            model = next;
          } else {
            const next: string[] = [];
            for (let k = model.length - 1; k >= 0; k--) {
              if (model[k] === target && removed < -count) removed++;
              else next.push(model[k]);
            }
            model = next.reverse();
          }
          assertEquals(list.removeMatching(target, count), removed, what);
          break;
        }
        case 9: {
          // Trim rarely, and keep most of the list.
          if (rand() < 0.7 || model.length === 0) break;
          const start = Math.floor(rand() * 3);
          const stop = model.length - 1 - Math.floor(rand() * 3);
          list.trim(start, stop);
          model = start > stop ? [] : model.slice(start, stop + 1);
          break;
        }
        case 10: {
          const i = Math.floor(rand() * (model.length + 2)) - 1;
          assertEquals(list.at(i), i < 0 ? undefined : model[i], what);
          break;
        }
        case 11: {
          if (model.length === 0) break;
          const a = Math.floor(rand() * model.length);
          const b = a + Math.floor(rand() * (model.length - a));
          const got: string[] = [];
          list.forRange(a, b, (x) => got.push(x));
          assertEquals(got, model.slice(a, b + 1), what);
          break;
        }
      }
      if (step % 97 === 0) check(list, model, what);
      maxLength = Math.max(maxLength, model.length);
    }
    assert(maxLength > 300, `the list grew past a few nodes (${maxLength})`);
    check(list, model, "end");
    const fromTail: [string, number][] = [];
    list.scan(true, (x, i) => void fromTail.push([x, i]));
    assertEquals(fromTail, model.map((x, i) => [x, i] as [string, number]).reverse());
  });
}

Deno.test("ListValue: nodes follow the size limit; pops and pushes at both ends", () => {
  const list = new ListValue(limits(4));
  for (let i = 0; i < 100; i++) list.pushRight(String(i));
  assertEquals(list.nodeCount, 25);
  for (let i = 0; i < 100; i++) list.pushLeft(String(-i));
  assertEquals(list.length, 200);
  for (let i = 0; i < 150; i++) list.popLeft();
  assertEquals(list.toArray(), Array.from({ length: 50 }, (_, i) => String(50 + i)));
  const bytes = new ListValue(limits(-1)); // 4 KB nodes
  for (let i = 0; i < 5000; i++) bytes.pushRight("x".repeat(10));
  assert(bytes.nodeCount >= 5000 * 12 / 4096 && bytes.nodeCount <= 5000 * 12 / 4096 + 2);
  assertEquals(bytes.popRight(), "x".repeat(10));
  assertEquals(new ListValue(limits(4)).popLeft(), undefined);
  assertEquals(new ListValue(limits(4)).popRight(), undefined);
});

Deno.test("ListValue: clone is independent; fromArray round-trips; encoding is quicklist", () => {
  const items = Array.from({ length: 50 }, (_, i) => `item${i}`);
  const list = ListValue.fromArray(items, limits(4));
  assertEquals(list.toArray(), items);
  assertEquals(list.encoding(), "quicklist");
  assertEquals(list.type, "list");
  const copy = list.clone();
  copy.pushLeft("new");
  copy.setAt(10, "changed");
  copy.removeMatching("item20", 0);
  list.popRight();
  assertEquals(list.toArray(), items.slice(0, 49));
  assertEquals(copy.length, 50);
  assertEquals(copy.at(0), "new");
  assertEquals(copy.at(10), "changed");
  assertEquals(ListValue.fromArray([], limits(-2)).length, 0);
});

Deno.test("ListValue: pushMany builds the same nodes as one push per value", () => {
  for (const fill of [1, 2, 5, -1, -2]) {
    const rand = prng(2000 - fill);
    const many = new ListValue(limits(fill));
    const single = new ListValue(limits(fill));
    for (let step = 0; step < 300; step++) {
      const left = rand() < 0.5;
      const values = Array.from({ length: Math.floor(rand() * 40) }, () => element(rand));
      const from = Math.floor(rand() * 3);
      many.pushMany(left, ["LPUSH", "key", ...values], 2 + from);
      for (const v of values.slice(from)) left ? single.pushLeft(v) : single.pushRight(v);
      if (rand() < 0.2) {
        assertEquals(many.popLeft(), single.popLeft());
        assertEquals(many.popRight(), single.popRight());
      }
      assertEquals(many.length, single.length, `fill ${fill} step ${step}`);
      assertEquals(many.chunks(), single.chunks(), `fill ${fill} step ${step}`);
    }
    assert(single.nodeCount > 3, `fill ${fill}: several nodes (${single.nodeCount})`);
  }
});
