/**
 * Start-up and shutdown of the real process: `deno run -A main.ts` with
 * flags, config files and bad input, checked for exit codes and messages.
 */
import { assert, assertEquals } from "@std/assert";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/servers.ts";
import { RespClient } from "../support/resp_client.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

async function run(args: string[], stdin?: string): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  return await child.output();
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function waitPort(port: number): Promise<RespClient> {
  for (let i = 0; i < 200; i++) {
    try {
      return await RespClient.connect(port);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listening on ${port}`);
}

Deno.test("startup: --version and --help", async () => {
  const v = await run(["--version"]);
  assertEquals(v.code, 0);
  assert(/^redeno server v=\S+ redis=7\.0\.15 /.test(text(v.stdout)), text(v.stdout));
  const h = await run(["--help"]);
  assertEquals(h.code, 0);
  assert(text(h.stdout).startsWith("Usage: redeno [/path/to/redis.conf] [options] [-]"));
});

Deno.test("startup: bad options and files exit 1 with Redis's message", async () => {
  const dir = Deno.makeTempDirSync();
  const bad = `${dir}/bad.conf`;
  Deno.writeTextFileSync(bad, "port 7790\nfoo bar\n");
  const a = await run([bad]);
  assertEquals(a.code, 1);
  assertEquals(
    text(a.stderr),
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2" +
      ` (in ${bad})\n>>> 'foo bar'\nBad directive or wrong number of arguments\n`,
  );
  const b = await run(["--port", "abc"]);
  assertEquals(b.code, 1);
  assert(
    text(b.stderr).includes(">>> 'port \"abc\"'\nargument couldn't be parsed into an integer"),
  );
  const c = await run(["--nosuch", "1"]);
  assertEquals(c.code, 1);
  assert(text(c.stderr).includes("Bad directive or wrong number of arguments"));
  const d = await run([`${dir}/missing.conf`]);
  assertEquals(d.code, 1);
  assert(
    /^\d+:C \d\d \w{3} \d{4} [\d:.]+ # Fatal error, can't open config file '.*missing\.conf': No such file or directory\n$/
      .test(text(d.stdout)),
    text(d.stdout),
  );
  const e = await run(["-"], "port x\n");
  assertEquals(e.code, 1);
  assert(text(e.stdout).includes("Reading config from stdin"));
  assert(text(e.stderr).includes("at line 1 (from standard input)\n>>> 'port x'"));
  const f = await run(["--dir", `${dir}/nope`]);
  assertEquals(f.code, 1);
  assert(text(f.stderr).endsWith("No such file or directory\n"));
  // A port in use: Redis's two lines, exit 1.
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const g = await run(["--port", String((busy.addr as Deno.NetAddr).port), "--bind", "127.0.0.1"]);
  busy.close();
  assertEquals(g.code, 1);
  assert(text(g.stdout).includes("Could not create server TCP listening socket 127.0.0.1:"));
  assert(text(g.stdout).includes("(tcp), aborting."));
});

Deno.test("startup: config file, logfile in Redis's format, SIGTERM exits 0", async () => {
  const dir = Deno.makeTempDirSync();
  const port = freePort();
  const conf = `${dir}/redeno.conf`;
  Deno.writeTextFileSync(
    conf,
    `port ${port}\nbind 127.0.0.1\nsave ""\nappendonly no\nlogfile "${dir}/redeno.log"\n` +
      `dir ${dir}\nloglevel verbose\n`,
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, conf, "--maxclients", "50"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const c = await waitPort(port);
  assertEquals(
    await c.call("CONFIG", "GET", "maxclients"),
    "*2\r\n$10\r\nmaxclients\r\n$2\r\n50\r\n",
  );
  assertEquals(
    await c.call("CONFIG", "GET", "dir"),
    `*2\r\n$3\r\ndir\r\n$${Deno.realPathSync(dir).length}\r\n${Deno.realPathSync(dir)}\r\n`,
  );
  const info = await c.value("INFO", "server");
  assert((info as string).includes(`config_file:${Deno.realPathSync(conf)}\r\n`), info as string);
  c.close();
  child.kill("SIGTERM");
  const out = await child.output();
  assertEquals(out.code, 0);
  const log = Deno.readTextFileSync(`${dir}/redeno.log`);
  const line = /^\d+:[CM] \d\d \w{3} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] .+$/;
  const lines = log.trimEnd().split("\n");
  for (const l of lines) {
    assert(line.test(l) || /^\d+:signal-handler \(\d+\) .+$/.test(l), `log line: ${l}`);
  }
  assert(log.includes(`* Running mode=standalone, port=${port}.`));
  assert(log.includes("* Ready to accept connections"));
  assert(log.includes("Received SIGTERM scheduling shutdown..."));
  assert(log.includes("# User requested shutdown..."));
  assert(lines[lines.length - 1].endsWith("# Redis is now ready to exit, bye bye..."));
});

Deno.test("startup: SIGINT shuts down cleanly too", async () => {
  const port = freePort();
  // Its own data directory: with the defaults (AOF on) it writes files there.
  const dir = Deno.makeTempDirSync({ prefix: "redeno-test-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const c = await waitPort(port);
  // -LOADING until the first AOF base is written, then PONG.
  let reply = await c.call("PING");
  for (let i = 0; i < 200 && reply.startsWith("-LOADING"); i++) {
    await new Promise((r) => setTimeout(r, 50));
    reply = await c.call("PING");
  }
  assertEquals(reply, "+PONG\r\n");
  c.close();
  child.kill("SIGINT");
  const out = await child.output();
  assertEquals(out.code, 0);
  assert(text(out.stdout).includes("Received SIGINT scheduling shutdown..."));
});
