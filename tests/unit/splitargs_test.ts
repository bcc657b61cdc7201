/**
 * splitArgs follows Redis's sdssplitargs (inline commands, redis.conf lines):
 * quoting, escapes, separators, and the cases it rejects.
 */
import { assert, assertEquals } from "@std/assert";
import { isSpace, splitArgs } from "../../lib/resp/splitargs.ts";

const CASES: [string, string[] | null][] = [
  ["", []],
  ["   ", []],
  ["\t\r\n", []],
  ["a", ["a"]],
  ["  a   b  ", ["a", "b"]],
  ["a\tb\nc\rd", ["a", "b", "c", "d"]],
  ["SET key value", ["SET", "key", "value"]],
  ['"a b"', ["a b"]],
  ['""', [""]],
  ["''", [""]],
  ['"" ""', ["", ""]],
  ['"a" "b"', ["a", "b"]],
  ['a"b c"', ["ab c"]],
  ["a'b c'", ["ab c"]],
  ['"\\x41\\x42"', ["AB"]],
  ['"\\x4"', ["x4"]],
  ['"\\x41\\x4\\n"', ["Ax4\n"]],
  ['"\\xzz"', ["xzz"]],
  ['"\\xff\\x00"', ["\xff\x00"]],
  ['"\\xAb"', ["\xab"]],
  ['"\\n\\r\\t\\b\\a"', ["\n\r\t\b\x07"]],
  ['"\\"q\\""', ['"q"']],
  ['"\\\\"', ["\\"]],
  ['"\\z"', ["z"]],
  ["'\\''", ["'"]],
  ["'a\\nb'", ["a\\nb"]],
  ["'a\"b'", ['a"b']],
  ['"a\'b"', ["a'b"]],
  ["\\x41", ["\\x41"]],
  ["\xff\xfe \x80", ["\xff\xfe", "\x80"]],
  // NUL ends the line for the C implementation.
  ["a\x00b c", ["a"]],
  ["\x00a", []],
  // \v and \f are skipped between arguments but do not end one.
  ["\x0ba\x0c", ["a\x0c"]],
  ["a\x0bb", ["a\x0bb"]],
  // Rejected: unbalanced quotes, closing quote followed by a non-space.
  ['"abc', null],
  ["'abc", null],
  ['"a"b', null],
  ["'a'b", null],
  ['"a""b"', null],
  ['"\\"', null],
  ["'\\'", null],
  ['"a\x00"', null],
];

for (const [line, expected] of CASES) {
  Deno.test(`splitArgs ${JSON.stringify(line)}`, () => {
    assertEquals(splitArgs(line), expected);
  });
}

Deno.test("splitArgs: a closing quote followed by whitespace or end is fine", () => {
  assertEquals(splitArgs('"a"\tb'), ["a", "b"]);
  assertEquals(splitArgs("'a'\nb"), ["a", "b"]);
  assertEquals(splitArgs('"a"\x0bb'), ["a", "b"]);
});

Deno.test("splitArgs: long and many arguments", () => {
  const many = Array.from({ length: 1000 }, (_, i) => `arg${i}`);
  assertEquals(splitArgs(many.join(" ")), many);
  const long = "x".repeat(100000);
  assertEquals(splitArgs(`"${long}" ${long}`), [long, long]);
});

Deno.test("isSpace is C isspace()", () => {
  const spaces = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d];
  for (let c = 0; c < 256; c++) assertEquals(isSpace(c), spaces.includes(c), `char ${c}`);
  assert(!isSpace(0));
});
