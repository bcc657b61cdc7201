/**
 * redis-cli against redeno: commands piped to its stdin (what the seed
 * projects' READMEs show), `--pipe` mass insertion, `--scan --pattern`,
 * `--raw` / `--no-raw` formatting, repeat mode. Where a real redis-server is
 * installed, the same invocation against it must print the same output.
 * Needs redis-cli (package redis-tools); CI fails if it is missing.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { redisTool, startRedeno, startRedis, type TestServer } from "../support/servers.ts";

/** Path of redis-cli, set when the test starts (so that a missing one fails the test in CI). */
let CLI = "";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(port: number, args: string[], input?: string | Uint8Array): Promise<CliResult> {
  const child = new Deno.Command(CLI, {
    args: ["-h", "127.0.0.1", "-p", String(port), ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs the same redis-cli invocation on redeno and (when present) Redis; they must agree. */
async function both(
  servers: { redeno: TestServer; redis: TestServer | null },
  args: string[],
  input?: string | Uint8Array,
): Promise<CliResult> {
  const mine = await cli(servers.redeno.port, args, input);
  if (servers.redis) {
    const theirs = await cli(servers.redis.port, args, input);
    assertEquals(mine, theirs, `redis-cli ${args.join(" ")} differs from real Redis`);
  }
  return mine;
}

Deno.test({
  name: "redis-cli against redeno",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const bin = redisTool("redis-cli");
    if (!bin) return;
    CLI = bin;
    const redeno = await startRedeno();
    const redis = await startRedis();
    const servers = { redeno, redis };
    try {
      await t.step("piped commands, as in the seed READMEs", async () => {
        const input = [
          "SET mykey hello",
          "GET mykey",
          "SET yourkey lost PX 500ms",
          "SET yourkey lost PX 500000",
          "GET yourkey",
          "GET nokey",
          "PING",
          "ECHO hello world",
          'ECHO "hello world"',
          "SET username Alice",
          "GET username",
          "DEL username",
          "MSET a 1 b 2",
          "MGET a b",
          "HSET user:1001 name Alice",
          "HGET user:1001 name",
          "HDEL user:1001 name",
          "HSET users u1 tomasz",
          "HGETALL users",
          "HEXISTS users u1",
          "EXISTS a",
          "DEL mykey",
          "EXISTS mykey",
          "INCR counter",
          "DECR counter",
          "",
        ].join("\n");
        const r = await both(servers, [], input);
        assertEquals(r.code, 0);
        assertEquals(
          r.stdout,
          [
            "OK",
            "hello",
            "ERR value is not an integer or out of range",
            "",
            "OK",
            "lost",
            "",
            "PONG",
            "ERR wrong number of arguments for 'echo' command",
            "",
            "hello world",
            "OK",
            "Alice",
            "1",
            "OK",
            "1",
            "2",
            "1",
            "Alice",
            "1",
            "1",
            "u1",
            "tomasz",
            "1",
            "1",
            "1",
            "0",
            "1",
            "0",
            "",
          ].join("\n"),
        );
      });

      await t.step("command-line arguments, --no-raw and --raw", async () => {
        await both(servers, ["HSET", "user:1", "name", "Alice", "bin", "a\x01b"]);
        const fmt = await both(servers, ["--no-raw", "HGETALL", "user:1"]);
        assertEquals(fmt.stdout, '1) "name"\n2) "Alice"\n3) "bin"\n4) "a\\x01b"\n');
        const raw = await both(servers, ["--raw", "HGET", "user:1", "bin"]);
        assertEquals(raw.stdout, "a\x01b\n");
        assertEquals((await both(servers, ["--no-raw", "GET", "nokey"])).stdout, "(nil)\n");
        assertEquals((await both(servers, ["--no-raw", "INCR", "n"])).stdout, "(integer) 1\n");
        assertEquals(
          (await both(servers, ["--no-raw", "INCR", "user:1"])).stdout,
          "(error) WRONGTYPE Operation against a key holding the wrong kind of value\n",
        );
        assertEquals(
          (await both(servers, ["--no-raw", "MGET", "n", "nokey"])).stdout,
          '1) "1"\n2) (nil)\n',
        );
        // Repeat mode.
        assertEquals((await both(servers, ["-r", "3", "INCR", "n"])).stdout, "2\n3\n4\n");
        // The last argument from stdin (-x).
        await both(servers, ["-x", "SET", "fromstdin"], "line one\nline two\n");
        assertEquals(
          (await both(servers, ["--raw", "GET", "fromstdin"])).stdout,
          "line one\nline two\n\n",
        );
      });

      await t.step("--pipe mass insertion of 10k commands", async () => {
        let proto = "";
        for (let i = 0; i < 10_000; i++) {
          const k = `mass:${i}`;
          const v = `value-${i}`;
          proto += i % 2
            ? `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`
            : `*4\r\n$4\r\nHSET\r\n$${k.length}\r\n${k}\r\n$1\r\nf\r\n$${v.length}\r\n${v}\r\n`;
        }
        for (const server of [redeno, redis]) {
          if (!server) continue;
          const r = await cli(server.port, ["--pipe"], proto);
          assertEquals(r.code, 0, r.stderr);
          assertMatch(r.stdout, /errors: 0, replies: 10000/);
        }
        const before = await cli(redeno.port, ["DBSIZE"]);
        assert(Number(before.stdout) >= 10_000, `DBSIZE ${before.stdout}`);
        assertEquals((await both(servers, ["HGET", "mass:42", "f"])).stdout, "value-42\n");
        assertEquals((await both(servers, ["GET", "mass:9999"])).stdout, "value-9999\n");
        assertEquals((await both(servers, ["TYPE", "mass:0"])).stdout, "hash\n");
      });

      await t.step("--scan --pattern", async () => {
        const r = await cli(redeno.port, ["--scan", "--pattern", "mass:99*"]);
        assertEquals(r.code, 0, r.stderr);
        const keys = r.stdout.trim().split("\n").sort();
        const expected = ["mass:99", ...Array.from({ length: 10 }, (_, i) => `mass:99${i}`)];
        for (let i = 0; i < 10; i++) {
          for (let j = 0; j < 10; j++) expected.push(`mass:99${i}${j}`);
        }
        assertEquals(keys, expected.sort());
        if (redis) {
          const theirs = await cli(redis.port, ["--scan", "--pattern", "mass:99*"]);
          assertEquals(keys, theirs.stdout.trim().split("\n").sort());
        }
        const some = await cli(redeno.port, ["--scan", "--pattern", "mass:12*"]);
        assertEquals(new Set(some.stdout.trim().split("\n")).size, 111);
        // Without a pattern: every key exactly once.
        const all = (await cli(redeno.port, ["--scan"])).stdout.trim().split("\n");
        const size = Number((await cli(redeno.port, ["DBSIZE"])).stdout);
        assertEquals(all.length, size);
        assertEquals(new Set(all).size, size);
      });

      await t.step("DBSIZE and FLUSHALL from the command line", async () => {
        const n = await both(servers, ["DBSIZE"]);
        assert(Number(n.stdout) > 10_000);
        assertEquals((await both(servers, ["FLUSHALL"])).stdout, "OK\n");
        assertEquals((await both(servers, ["DBSIZE"])).stdout, "0\n");
      });
    } finally {
      await redeno.stop();
      await redis?.stop();
    }
  },
});
