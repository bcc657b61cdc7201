/**
 * globMatch against Redis's own matcher: every expected value comes from a
 * real redis-server (KEYS for case-sensitive matching, CONFIG GET for
 * case-insensitive matching), asked in the test itself. Skipped when
 * redis-server is missing outside CI.
 */
import { assert, assertEquals } from "@std/assert";
import { globMatch } from "../../lib/util/glob.ts";
import { decode, RespClient } from "../support/resp_client.ts";
import { startRedis, type TestServer } from "../support/servers.ts";

const SUBJECTS = [
  "",
  "a",
  "b",
  "ab",
  "abc",
  "abd",
  "aXc",
  "abbc",
  "hello",
  "hallo",
  "hxllo",
  "hllo",
  "heeeello",
  "HELLO",
  "Hello",
  "*",
  "?",
  "[",
  "]",
  "-",
  "^",
  "\\",
  "a*c",
  "a?c",
  "a[c",
  "a]c",
  "a\\c",
  "a-c",
  "x\x00y",
  "x\x00",
  "\x00",
  "\x7f",
  "\x80",
  "\xc3\xa9",
  "\xff",
  "\xfe\xff",
  "0",
  "5",
  "9",
  "z",
  "Z",
  "m",
  "M",
  "{",
  "`",
];

// Not "*": KEYS * lists every key without matching (even "", which the
// matcher itself does not match with "*").
const PATTERNS = [
  "**",
  "?",
  "??",
  "???",
  "",
  "a*",
  "*c",
  "a*c",
  "a?c",
  "a??c",
  "a*b*c",
  "h?llo",
  "h*llo",
  "h[ae]llo",
  "h[^e]llo",
  "h[a-b]llo",
  "h[b-a]llo",
  "h[!e]llo",
  "[a-z]",
  "[z-a]",
  "[A-Z]",
  "[0-9]",
  "[9-0]",
  "[^a-z]",
  "[^]",
  "[]",
  "[]]",
  "[]a]",
  "[a-]",
  "[-a]",
  "[a-c-e]",
  "[\\]]",
  "[\\-]",
  "[\\^]",
  "[\\\\]",
  "[a\\-c]",
  "[a\\",
  "[\\",
  "a\\*c",
  "a\\?c",
  "a\\[c",
  "a\\\\c",
  "\\a\\b\\c",
  "\\",
  "a\\",
  "ab\\",
  "*\\",
  "[abc",
  "a[bc",
  "a[b",
  "[^abc",
  "[",
  "[^",
  "a[",
  "*[",
  "[a-",
  "[a-z",
  "x\x00y",
  "x?y",
  "x*",
  "x\x00*",
  "\x00",
  "[\x00]",
  "[\x01-\xff]",
  "[\xff-\x01]",
  "[\x80-\xff]",
  "[\x00-\x7f]",
  "[^\x00-\x7f]",
  "\xc3?",
  "\xff",
  "?\xff",
  "[\xfe\xff]*",
  "[A-z]",
  "[a-Z]",
  "[Z-a]",
  "*[0-9]*",
  "h*o",
  "h*l*o",
  "*l*l*",
  "*e*e*e*",
];

async function withRedis(fn: (client: RespClient) => Promise<void>): Promise<void> {
  const server: TestServer | null = await startRedis();
  if (!server) return;
  const client = await RespClient.connect(server.port);
  try {
    await fn(client);
  } finally {
    client.close();
    await server.stop();
  }
}

Deno.test("globMatch agrees with Redis KEYS on every pattern and subject", async () => {
  await withRedis(async (redis) => {
    await redis.call("FLUSHALL");
    const mset = ["MSET"];
    for (const s of SUBJECTS) mset.push(s, "v");
    assertEquals(await redis.call(...mset), "+OK\r\n");
    for (const pattern of PATTERNS) {
      const reply = decode(await redis.call("KEYS", pattern)) as string[];
      const expected = [...reply].sort();
      const actual = SUBJECTS.filter((s) => globMatch(pattern, s)).sort();
      assertEquals(actual, expected, `pattern ${JSON.stringify(pattern)}`);
    }
  });
});

Deno.test("globMatch nocase agrees with Redis CONFIG GET", async () => {
  await withRedis(async (redis) => {
    const all = decode(await redis.call("CONFIG", "GET", "*")) as string[];
    const names = all.filter((_, i) => i % 2 === 0);
    assert(names.includes("maxmemory-policy"));
    for (
      const pattern of [
        "MAXMEMORY*",
        "*-POLICY",
        "Hash-Max-*",
        "[L-M]*",
        "[l-m]*",
        "[M-L]a*",
        "[^A-Z]*",
        "*[A-C]",
        "?Z",
        "*SAVE*",
        "[Aa]PPEND*",
        "LFU-?????-*",
        "\\L*",
        // (Patterns without glob characters are exact, case-sensitive lookups.)
        "[P]ORT",
        "P?RT",
      ]
    ) {
      const reply = decode(await redis.call("CONFIG", "GET", pattern)) as string[];
      // Only names that `*` lists: aliases answer exact lookups too.
      const expected = reply.filter((x, i) => i % 2 === 0 && names.includes(x)).sort();
      const actual = names.filter((n) => globMatch(pattern, n, true)).sort();
      assertEquals(actual, expected, `pattern ${JSON.stringify(pattern)}`);
    }
  });
});

Deno.test("globMatch stays fast on a hostile pattern, as Redis does", async () => {
  const pattern = "a*".repeat(30) + "b";
  const subject = "a".repeat(5000);
  const start = performance.now();
  const result = globMatch(pattern, subject);
  const ms = performance.now() - start;
  assert(ms < 1000, `hostile pattern took ${ms} ms`);
  await withRedis(async (redis) => {
    await redis.call("FLUSHALL");
    await redis.call("SET", subject, "v");
    await redis.call("SET", subject + "b", "v");
    const keys = decode(await redis.call("KEYS", pattern)) as string[];
    assertEquals(result, keys.includes(subject));
    assertEquals(globMatch(pattern, subject + "b"), keys.includes(subject + "b"));
    assertEquals(keys.length, 1);
  });
});
