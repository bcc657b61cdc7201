/**
 * What the benchmark scripts share: their common options, starting and
 * stopping redeno or redis-server on a free loopback port, waiting for PING,
 * running redis-benchmark and reading its --csv output, and the report's
 * head (machine, versions) and output.
 */
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { findOnPath, freePort, signal, terminate } from "../tests/support/servers.ts";
import { RespClient } from "../tests/support/resp_client.ts";

export { findOnPath, freePort, signal };

/** This checkout's main.ts, run as `deno run -A main.ts`. */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

// ---------------------------------------------------------------- options

/** The options every benchmark script takes. */
const COMMON_OPTIONS = {
  quick: { type: "boolean", default: false },
  out: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/**
 * Parses Deno.args with `options` plus --quick, --out file.md and --help;
 * --help prints `usage` and exits.
 */
export function parseBenchArgs<T extends ParseArgsOptionsConfig>(usage: string, options: T) {
  const { values } = parseArgs({ args: Deno.args, options: { ...options, ...COMMON_OPTIONS } });
  // The merged option types are not resolved inside this generic function.
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    Deno.exit(0);
  }
  return values;
}

/** Exits 2 naming the first value that is not a positive integer. */
export function requirePositiveIntegers(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) {
      console.error(`--${name} must be a positive integer`);
      Deno.exit(2);
    }
  }
}

/**
 * Full paths of the given executables, or exit 1 naming them (a benchmark
 * without real Redis has nothing to compare against).
 */
export function requireTools(task: string, names: string[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const name of names) {
    const p = findOnPath(name);
    if (p) paths[name] = p;
  }
  if (Object.keys(paths).length < names.length) {
    const list = names.length > 1
      ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`
      : names[0];
    console.error(
      `deno task ${task} needs ${list} ` +
        "(apt-get update && apt-get install -y redis-server redis-tools).",
    );
    Deno.exit(1);
  }
  return paths;
}

// ---------------------------------------------------------------- servers

export type ServerName = "redeno" | "redis";

export interface Server {
  name: ServerName;
  port: number;
  dir: string;
  child: Deno.ChildProcess;
  /** Set once the process has exited. */
  exited: Deno.CommandStatus | null;
}

/**
 * Spawns redeno or redis-server on a free port with `--dir dir` and `args`,
 * without waiting for it. stdout is dropped (redeno logs there unless
 * `--logfile` is given); stderr goes to ours.
 */
export function spawnServer(name: ServerName, dir: string, args: string[]): Server {
  const port = freePort();
  const flags = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...args];
  const child = name === "redeno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...flags],
      stdout: "null",
      stderr: "inherit",
    }).spawn()
    : new Deno.Command(findOnPath("redis-server")!, {
      args: flags,
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  const s: Server = { name, port, dir, child, exited: null };
  child.status.then((st) => (s.exited = st));
  return s;
}

/**
 * The first reply to PING as raw RESP (e.g. "+PONG\r\n" or "-LOADING ..."),
 * or null when nothing listens on the port yet.
 */
export async function pingReply(port: number): Promise<string | null> {
  let c: RespClient;
  try {
    c = await RespClient.connect(port);
  } catch {
    return null;
  }
  try {
    return await c.call("PING");
  } catch {
    return null;
  } finally {
    c.close();
  }
}

/**
 * Polls PING every `intervalMs` until the server answers +PONG (a -LOADING
 * reply means not ready yet). Throws if it exits or `timeoutMs` passes.
 */
export async function waitForPong(
  s: Server,
  { intervalMs = 50, timeoutMs = 15_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (s.exited) {
      throw new Error(`${s.name} exited during start-up (exit code ${s.exited.code})`);
    }
    if (await pingReply(s.port) === "+PONG\r\n") return;
    if (Date.now() > deadline) {
      throw new Error(`${s.name} did not start on port ${s.port}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Ctrl-C runs `cleanup` (stopping servers, removing dirs), then exits 130. */
export function onInterrupt(cleanup: () => Promise<unknown>): void {
  Deno.addSignalListener("SIGINT", () => {
    cleanup().finally(() => Deno.exit(130));
  });
}

/** `items` on even rounds and reversed on odd ones, so no one always goes first. */
export function alternate<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

/** Spawns a server and waits for +PONG; a server that never gets ready is stopped. */
export async function startServer(
  name: ServerName,
  dir: string,
  args: string[],
  wait: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<Server> {
  const s = spawnServer(name, dir, args);
  try {
    await waitForPong(s, wait);
  } catch (e) {
    await stopServer(s);
    throw e;
  }
  return s;
}

/**
 * SIGTERM and wait. A server with save points writes a final snapshot first,
 * which can take a while; SIGKILL only if it hangs past `killAfterMs`.
 */
export async function stopServer(s: Server, killAfterMs = 120_000): Promise<void> {
  await terminate(s.child, killAfterMs);
}

// ---------------------------------------------------------------- redis-benchmark

/** One row of redis-benchmark 7.0's --csv output; NaN where a column is missing. */
export interface BenchRow {
  rps: number;
  avg: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Parses `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms",
 * "p95_latency_ms","p99_latency_ms","max_latency_ms"` rows, keyed by test name.
 */
export function parseBenchCsv(text: string): Map<string, BenchRow> {
  const rows = new Map<string, BenchRow>();
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const header = lines.shift()?.split(",").map((h) => h.replace(/"/g, "")) ?? [];
  const col = (fields: string[], name: string) => {
    const at = header.indexOf(name);
    return at < 0 ? NaN : Number(fields[at]);
  };
  for (const line of lines) {
    // Fields are quoted; the test name may contain commas only inside quotes.
    const fields = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (fields.length < header.length) continue;
    rows.set(fields[0], {
      rps: col(fields, "rps"),
      avg: col(fields, "avg_latency_ms"),
      min: col(fields, "min_latency_ms"),
      p50: col(fields, "p50_latency_ms"),
      p95: col(fields, "p95_latency_ms"),
      p99: col(fields, "p99_latency_ms"),
      max: col(fields, "max_latency_ms"),
    });
  }
  return rows;
}

/**
 * Runs `redis-benchmark -h 127.0.0.1 -p <port> ...args` (args must include
 * --csv) and returns its rows. A server that never answers must not hang the
 * whole run: after `timeoutMs` redis-benchmark is killed.
 */
export async function runRedisBenchmark(
  s: Pick<Server, "name" | "port">,
  args: string[],
  timeoutMs: number,
): Promise<{ rows: Map<string, BenchRow>; stderr: string }> {
  const child = new Deno.Command(findOnPath("redis-benchmark")!, {
    args: ["-h", "127.0.0.1", "-p", String(s.port), ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    console.error(`redis-benchmark on ${s.name} timed out after ${timeoutMs / 1000}s; killing it`);
    signal(child, "SIGKILL");
  }, timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  return {
    rows: parseBenchCsv(new TextDecoder().decode(out.stdout)),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------- machine

/** Trimmed stdout of a command, or "unknown" if it cannot run. */
export async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const o = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(o.stdout).trim();
  } catch {
    return "unknown";
  }
}

export function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const m = info.match(/^model name\s*:\s*(.+)$/m);
    return m ? m[1].trim() : "unknown";
  } catch {
    return "unknown";
  }
}

/** "2 CPU(s), AMD EPYC, linux x86_64" */
export async function machineDescription(): Promise<string> {
  const nproc = await commandOutput("nproc", []);
  return `${nproc} CPU(s), ${cpuModel()}, ${Deno.build.os} ${Deno.build.arch}`;
}

/** The version redis-server reports, e.g. "7.0.15". */
export async function redisVersion(): Promise<string> {
  const v = await commandOutput(findOnPath("redis-server") ?? "redis-server", ["--version"]);
  return v.match(/v=(\S+)/)?.[1] ?? "unknown";
}

// ---------------------------------------------------------------- report

/**
 * The head of a report: `title`, then the date, the machine (with `machineNote`
 * after it) and the Deno and Redis versions, as Markdown lines.
 */
export async function reportHead(
  title: string,
  redisVersion: string,
  machineNote = "",
): Promise<string[]> {
  return [
    `### ${title}`,
    "",
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${await machineDescription()}${machineNote}`,
    `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8}); Redis ${redisVersion}`,
  ];
}

/** Prints the report, and writes it to `out` too when given. */
export function emitReport(report: string, out: string | undefined): void {
  console.log(report);
  if (out) {
    Deno.writeTextFileSync(out, report);
    console.error(`written to ${out}`);
  }
}

export const fmtRps = (n: number) =>
  Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a";
export const fmtMs = (n: number) => Number.isFinite(n) ? n.toFixed(3) : "n/a";
