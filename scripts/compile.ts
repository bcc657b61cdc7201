/**
 * `deno task compile`: builds a self-contained `redeno` executable with
 * `deno compile`, then smoke-tests it (starts it on a free port, PING).
 *
 * `deno compile` needs "denort", Deno's runtime binary, which it normally
 * downloads from dl.deno.land. Where that is impossible, point DENORT_BIN at
 * a denort binary of the same Deno version (unzipped from
 * denort-<target>.zip of the Deno release); the plain `deno` binary does not
 * work as one.
 *
 * Options: --output <path> (default ./redeno), --no-smoke, --target <triple>.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { SERVER_V8_FLAGS } from "./support.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const { values } = parseArgs({
  args: Deno.args,
  options: {
    output: { type: "string", default: join(ROOT, "redeno") },
    target: { type: "string" },
    "no-smoke": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(
    "deno task compile [--output path] [--target triple] [--no-smoke]\n" +
      "Set DENORT_BIN=/path/to/denort when denort cannot be downloaded.",
  );
  Deno.exit(0);
}

const NO_DENORT = `
No denort runtime is available, so 'deno compile' cannot produce a binary here.

'deno compile' embeds the program in "denort", Deno's runtime binary, which it
downloads from dl.deno.land; that download failed (this machine has no access
to it). To compile anyway, get denort-<target>.zip for Deno ${Deno.version.deno}
(https://dl.deno.land/release/v${Deno.version.deno}/denort-x86_64-unknown-linux-gnu.zip
or the GitHub release), unzip it, and run:

    DENORT_BIN=/path/to/denort deno task compile

(The plain 'deno' binary does not work as denort.) Everything else, including
'deno task start', works without it.`;

const denort = Deno.env.get("DENORT_BIN");
if (denort) {
  let ok = false;
  try {
    ok = Deno.statSync(denort).isFile;
  } catch {
    ok = false;
  }
  if (!ok) {
    console.error(`DENORT_BIN=${denort} is not a file.`);
    Deno.exit(1);
  }
  console.log(`Using denort from DENORT_BIN=${denort}`);
}

const output = resolve(values.output!);
const args = [
  "compile",
  ...SERVER_V8_FLAGS,
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--include",
  join(ROOT, "lib"),
  "--output",
  output,
  ...(values.target ? ["--target", values.target] : []),
  join(ROOT, "main.ts"),
];
console.log(`$ deno ${args.join(" ")}`);
const result = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: ROOT,
  stdout: "inherit",
  stderr: "piped",
}).output();
const stderr = new TextDecoder().decode(result.stderr);
if (!result.success) {
  Deno.stderr.writeSync(result.stderr);
  if (!denort && /download|dns error|lookup address|dl\.deno\.land|denort/i.test(stderr)) {
    console.error(NO_DENORT);
  } else {
    console.error("\ndeno compile failed (see above).");
  }
  Deno.exit(1);
}
if (stderr.trim()) Deno.stderr.writeSync(result.stderr);
console.log(`Built ${output}`);

if (values["no-smoke"] || values.target) Deno.exit(0);

// ---------------------------------------------------------------- smoke test

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function ping(port: number): Promise<string | null> {
  let conn: Deno.TcpConn | null = null;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    return n === null ? null : new TextDecoder().decode(buf.subarray(0, n));
  } catch {
    return null;
  } finally {
    conn?.close();
  }
}

const port = freePort();
const dir = Deno.makeTempDirSync({ prefix: "redeno-compiled-" });
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
  stdout: "piped",
  stderr: "piped",
}).spawn();
let exited = false;
child.status.then(() => (exited = true));
let reply: string | null = null;
for (let i = 0; i < 200 && !exited; i++) {
  reply = await ping(port);
  if (reply) break;
  await new Promise((r) => setTimeout(r, 50));
}
if (!exited) child.kill("SIGTERM");
const out = await child.output();
const dec = new TextDecoder();
if (reply === "+PONG\r\n") {
  console.log(`Smoke test passed: ${output} answered PING with PONG on port ${port}.`);
  Deno.exit(0);
}
console.error(`Smoke test FAILED: ${output} did not answer PING (got ${JSON.stringify(reply)}).`);
console.error(dec.decode(out.stdout).slice(0, 2000));
console.error(dec.decode(out.stderr).slice(0, 2000));
if (denort) {
  console.error(
    "If DENORT_BIN points at the plain 'deno' binary, the result is a deno CLI, not redeno: " +
      "DENORT_BIN must be a denort binary.",
  );
}
Deno.exit(1);
