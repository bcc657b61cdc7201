/**
 * Servers for tests: redeno and real redis-server, each started as its own
 * process on a free loopback port, with persistence off unless asked for.
 */
import { fileURLToPath } from "node:url";
import { RespClient } from "./resp_client.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

export interface TestServer {
  kind: "redeno" | "redis";
  port: number;
  /** Working directory (dir) of the server. */
  dir: string;
  process: Deno.ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and waits for it. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (a crash) and waits for it. */
  kill(): Promise<void>;
}

/** A port that was free a moment ago. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * The port of a server being started answered, but for another process: a
 * concurrent test bound the "free" port first (freePort can only say it was
 * free a moment ago). The caller starts again on another port.
 */
class PortTaken extends Error {}

/**
 * Waits until the server answers PING (or NOAUTH) and is `child` itself
 * (INFO server's process_id), not another test's server on the same port.
 * While it is still loading its data (-LOADING) it is not ready, unless
 * `acceptLoading`.
 */
async function waitReady(
  port: number,
  child: Deno.ChildProcess,
  acceptLoading = false,
): Promise<void> {
  let exited = false;
  child.status.then(() => (exited = true));
  for (let i = 0; i < 1200; i++) {
    if (exited) throw new PortTaken(`server on port ${port} exited during start-up`);
    let reply: string | null = null;
    let pid: number | null = null;
    try {
      const c = await RespClient.connect(port);
      try {
        reply = await c.call("PING");
        if (!reply.startsWith("-NOAUTH")) {
          const m = /process_id:(\d+)/.exec(await c.call("INFO", "server"));
          pid = m === null ? null : Number(m[1]);
        }
      } finally {
        c.close();
      }
    } catch {
      // not listening yet
    }
    const answered = reply !== null &&
      (reply === "+PONG\r\n" || reply.startsWith("-NOAUTH") ||
        (acceptLoading && reply.startsWith("-LOADING")));
    if (answered) {
      // With a password set, INFO is refused: the port answering while our child runs will do.
      if (pid === null && reply!.startsWith("-NOAUTH")) return;
      if (pid === child.pid) return;
      throw new PortTaken(`port ${port} is another server's (process ${pid})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on port ${port} did not start`);
}

/**
 * Spawns a server with `spawn(port)` and waits until it is ready; on a
 * port another test took meanwhile (or a start-up exit, which a taken port
 * causes), starts again on another free port — unless the caller chose the
 * port, which then fails as it is.
 */
async function startOnFreePort(
  opts: StartOptions,
  spawn: (port: number) => Deno.ChildProcess,
): Promise<[number, Deno.ChildProcess]> {
  for (let attempt = 1;; attempt++) {
    const port = opts.port ?? freePort();
    const child = spawn(port);
    try {
      await waitReady(port, child, opts.acceptLoading);
      return [port, child];
    } catch (e) {
      signal(child, "SIGKILL");
      await child.status;
      if (!(e instanceof PortTaken) || opts.port !== undefined || attempt === 3) throw e;
    }
  }
}

/** Sends `sig` to `child` unless it has already exited. */
export function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL if it still runs after `killAfterMs`; waits for the exit. */
export async function terminate(child: Deno.ChildProcess, killAfterMs: number): Promise<void> {
  signal(child, "SIGTERM");
  const timer = setTimeout(() => signal(child, "SIGKILL"), killAfterMs);
  await child.status;
  clearTimeout(timer);
}

function killer(child: Deno.ChildProcess): () => Promise<void> {
  return async () => {
    signal(child, "SIGKILL");
    await child.status;
  };
}

function stopper(child: Deno.ChildProcess): () => Promise<void> {
  return () => terminate(child, 5000);
}

export interface StartOptions {
  /** Extra `--name value` arguments (after the test defaults, so they win). */
  args?: string[];
  /** Keep persistence as configured by args instead of turning it off. */
  persistence?: boolean;
  /** Use this directory as `dir` (default: a fresh temporary one). */
  dir?: string;
  /** Return as soon as the port answers, even with -LOADING. */
  acceptLoading?: boolean;
  /** Port to listen on (default: a free one). */
  port?: number;
}

/** startRedeno or startRedis: what a test that runs on either takes. */
export type Start = (opts: StartOptions) => Promise<TestServer | null>;

function baseArgs(port: number, dir: string, opts: StartOptions): string[] {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
  if (!opts.persistence) args.push("--appendonly", "no", "--save", "");
  return [...args, ...(opts.args ?? [])];
}

/** Starts redeno from this checkout's main.ts. */
export async function startRedeno(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? Deno.makeTempDirSync({ prefix: "redeno-test-" });
  const [port, child] = await startOnFreePort(opts, (port) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...baseArgs(port, dir, opts)],
      stdout: "null",
      stderr: "inherit",
    }).spawn());
  return { kind: "redeno", port, dir, process: child, stop: stopper(child), kill: killer(child) };
}

/**
 * Runs redeno with `opts` expecting it to exit by itself (a start-up that
 * must fail): its exit code and everything it printed.
 */
export async function runRedenoToExit(
  opts: StartOptions = {},
): Promise<{ code: number; output: string }> {
  const dir = opts.dir ?? Deno.makeTempDirSync({ prefix: "redeno-test-" });
  return await runToExit(Deno.execPath(), ["run", "-A", MAIN], dir, opts);
}

/** runRedenoToExit for redis-server (which must be installed). */
export async function runRedisToExit(
  opts: StartOptions = {},
): Promise<{ code: number; output: string }> {
  const bin = redisServerPath();
  if (!bin) throw new Error("redis-server is not installed");
  const dir = opts.dir ?? Deno.makeTempDirSync({ prefix: "redis-test-" });
  return await runToExit(bin, [], dir, opts);
}

async function runToExit(
  bin: string,
  pre: string[],
  dir: string,
  opts: StartOptions,
): Promise<{ code: number; output: string }> {
  const port = opts.port ?? freePort();
  const child = new Deno.Command(bin, {
    args: [...pre, ...baseArgs(port, dir, opts)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => signal(child, "SIGKILL"), 60_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text };
}

/** Full path of an executable found on PATH, or null. */
export function findOnPath(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const p = `${dir}/${name}`;
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Path of redis-server, or null when it is not installed. */
export function redisServerPath(): string | null {
  return findOnPath("redis-server");
}

/** True when tests that need real Redis must run (CI), not skip. */
export function oracleRequired(): boolean {
  return Deno.env.get("CI") === "true" || Deno.env.get("REDENO_REQUIRE_REDIS") === "1";
}

/**
 * Full path of a Redis tool (redis-server, redis-check-aof, ...), or null
 * when it is missing on a developer's machine (after saying so). In CI a
 * missing tool fails.
 */
export function redisTool(name: string): string | null {
  const bin = findOnPath(name);
  if (bin) return bin;
  if (oracleRequired()) {
    throw new Error(`${name} is not installed, and CI requires the oracle tests`);
  }
  console.warn(`SKIPPED: ${name} is not installed (apt-get install redis-server redis-tools)`);
  return null;
}

/**
 * Starts a real redis-server, or returns null when it is missing on a
 * developer's machine (after saying so). In CI a missing redis-server fails.
 */
export async function startRedis(opts: StartOptions = {}): Promise<TestServer | null> {
  const bin = redisTool("redis-server");
  if (!bin) return null;
  const dir = opts.dir ?? Deno.makeTempDirSync({ prefix: "redis-test-" });
  const [port, child] = await startOnFreePort(opts, (port) =>
    new Deno.Command(bin, {
      args: baseArgs(port, dir, opts),
      stdout: "null",
      stderr: "inherit",
    }).spawn());
  return { kind: "redis", port, dir, process: child, stop: stopper(child), kill: killer(child) };
}
