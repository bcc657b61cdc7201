/**
 * Stand-in for @std/assert (JSR is unreachable here): the few assertion
 * names our tests use, over node:assert/strict. deno.json maps
 * "@std/assert" here; pointing it at jsr:@std/assert is the one-line switch.
 */
import assert from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.deepStrictEqual(actual, expected, msg);
}

export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.notDeepStrictEqual(actual, expected, msg);
}

export function assert_(expr: unknown, msg?: string): asserts expr {
  assert.ok(expr, msg);
}
export { assert_ as assert };

export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  assert.match(actual, expected, msg);
}

export function assertThrows(fn: () => unknown, msg?: string): void {
  assert.throws(fn, msg);
}

export async function assertRejects(fn: () => Promise<unknown>, msg?: string): Promise<void> {
  await assert.rejects(fn, msg);
}
