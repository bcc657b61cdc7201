/**
 * The compiled binary: `deno task compile` (scripts/compile.ts) builds
 * redeno with `deno compile` and smoke-tests it. That needs a denort runtime,
 * which cannot be downloaded here, so this runs only when DENORT_BIN points to
 * one; otherwise it says plainly that it was skipped.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fileURLToPath } from "node:url";
import { RespClient } from "../support/resp_client.ts";
import { freePort } from "../support/servers.ts";

const SCRIPT = fileURLToPath(new URL("../../scripts/compile.ts", import.meta.url));
const DENORT = Deno.env.get("DENORT_BIN");

function isFile(path: string | undefined): boolean {
  if (!path) return false;
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const available = isFile(DENORT);
if (!available) {
  console.log(
    DENORT
      ? `SKIPPED: no denort available (DENORT_BIN=${DENORT} is not a file)`
      : "SKIPPED: no denort available (DENORT_BIN unset)",
  );
}

Deno.test({
  name: "compile: deno task compile builds a redeno binary that serves",
  ignore: !available,
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "redeno-compile-" });
    const output = `${dir}/redeno`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, "--output", output],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    const stdout = dec.decode(built.stdout);
    assert(built.success, `compile failed:\n${stdout}\n${dec.decode(built.stderr)}`);
    assertMatch(stdout, /Smoke test passed/);

    // Beyond PING: the binary keeps data, speaks the protocol and runs scripts.
    const port = freePort();
    const child = new Deno.Command(output, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      let c: RespClient | null = null;
      for (let i = 0; i < 200 && !c; i++) {
        c = await RespClient.connect(port).catch(() => null);
        if (!c) await new Promise((r) => setTimeout(r, 50));
      }
      assert(c, "the compiled binary did not listen");
      assertEquals(await c.call("SET", "k", "v\x00"), "+OK\r\n");
      assertEquals(await c.call("GET", "k"), "$2\r\nv\x00\r\n");
      assertEquals(await c.call("HSET", "h", "f", "1"), ":1\r\n");
      // The Lua VM (lua-redis-wasm and its Worker) is embedded: no cache, no network needed.
      assertEquals(
        await c.call("EVAL", "return {redis.call('GET', KEYS[1]), tostring(10/2)}", "1", "k"),
        "*2\r\n$2\r\nv\x00\r\n$1\r\n5\r\n",
      );
      c.close();
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  },
});
