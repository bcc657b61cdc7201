/**
 * lib/util/strtod.ts against glibc's strtod: how much is read, the value,
 * and ERANGE (checked on Redis 7.0 through SORT, which rejects ERANGE).
 */
import { assertEquals } from "@std/assert";
import { strtod } from "../../lib/util/strtod.ts";

Deno.test("strtod: how far it reads and what it reads", () => {
  const cases: [string, number, number][] = [
    ["", 0, 0],
    ["  ", 0, 0],
    ["\t5", 5, 2],
    ["+.5", 0.5, 3],
    ["-0", -0, 2],
    ["5 ", 5, 1],
    [".", 0, 0],
    ["e5", 0, 0],
    ["1e", 1, 1],
    ["1e+", 1, 1],
    ["1_0", 1, 1],
    ["0x", 0, 1],
    ["0x1p", 1, 3],
    ["0X1P3", 8, 5],
    ["0x1.8p1", 3, 7],
    ["0x.8", 0.5, 4],
    ["inf", Infinity, 3],
    ["-INFINITY", -Infinity, 9],
    ["infinit", Infinity, 3],
    ["1.5e3x", 1500, 5],
    ["1e308", 1e308, 5],
  ];
  for (const [s, value, end] of cases) {
    const r = strtod(s);
    assertEquals([r.value, r.end, r.erange], [value, end, false], JSON.stringify(s));
  }
  const nan = strtod("nan(12)");
  assertEquals([Number.isNaN(nan.value), nan.end], [true, 7]);
  assertEquals(strtod("nan(").end, 3);
});

Deno.test("strtod: ERANGE on overflow and on inexact results below DBL_MIN", () => {
  const erange = [
    "1e400",
    "-1e400",
    "1e-400",
    "1e-310",
    "2.2250738585072011e-308",
    "4.9406564584124654e-324",
    "1.7976931348623159e308",
    "0x1p1024",
    "0x1.8p-1074",
    "0x1.fffffffffffff8p1023",
  ];
  for (const s of erange) assertEquals(strtod(s).erange, true, s);
  const exact = [
    "0x1p-1074",
    "0x1p-1060",
    "2.2250738585072014e-308",
    "1.7976931348623158e308",
    "0",
  ];
  for (const s of exact) assertEquals(strtod(s).erange, false, s);
  assertEquals(strtod("0x1p-1074").value, 5e-324);
});
