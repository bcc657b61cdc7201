/** Asserts that a client call fails with an error whose message matches `pattern`. */
import { assertMatch } from "@std/assert";

export async function rejectsWith(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assertMatch((e as Error).message, pattern);
    return;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}
