/**
 * What the benchmark scripts share: their common options, starting and
 * stopping redeno or redis-server on a free loopback port, waiting for PING,
 * tracking servers and temp dirs so that failures and Ctrl-C clean up,
 * loading data with `redis-cli --pipe`, reading a server's RSS, making a
 * dump.rdb and timing start-up on it, running redis-benchmark and reading its
 * --csv output, and the report's head (machine, versions) and output.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { findOnPath, freePort, signal, terminate } from "../tests/support/servers.ts";
import { type Decoded, parseInfo, RespClient, withClient } from "../tests/support/resp_client.ts";

export { findOnPath, freePort, signal };

/** This checkout's main.ts, run as `deno run -A main.ts`. */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/**
 * The `--v8-flags=...` of deno.json's start task, so that benchmarks and the
 * compiled binary run the server with the runtime settings `deno task start`
 * uses (deno.json is the one place they are written).
 */
export const SERVER_V8_FLAGS: string[] = (() => {
  const config = JSON.parse(
    Deno.readTextFileSync(fileURLToPath(new URL("../deno.json", import.meta.url))),
  );
  return (config.tasks.start as string).split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
})();

/** How the benchmarks run redeno, for their reports. */
export const REDENO_COMMAND = ["deno run", ...SERVER_V8_FLAGS, "-A main.ts"].join(" ");

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
 * `--logfile` is given); stderr goes to ours. `denoFlags` go to `deno run`
 * (e.g. `--inspect=...` for a profile).
 */
export function spawnServer(
  name: ServerName,
  dir: string,
  args: string[],
  denoFlags: string[] = [],
): Server {
  const port = freePort();
  const flags = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...args];
  const child = name === "redeno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", ...SERVER_V8_FLAGS, ...denoFlags, "-A", MAIN, ...flags],
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
    interrupted = true;
    for (const c of clientTools) signal(c, "SIGKILL");
    cleanup().finally(() => Deno.exit(130));
  });
}

/**
 * redis-benchmark and redis-cli processes running now. An interrupt kills
 * them too: a redis-benchmark whose server went away spins at full CPU.
 */
const clientTools = new Set<Deno.ChildProcess>();
let interrupted = false;

/** Tracks `child` (a client tool) until it exits; after an interrupt, kills it at once. */
function track(child: Deno.ChildProcess): Deno.ChildProcess {
  if (interrupted) signal(child, "SIGKILL");
  clientTools.add(child);
  child.status.finally(() => clientTools.delete(child));
  return child;
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

// ---------------------------------------------------------------- tracked servers and dirs

export const NAMES: readonly ServerName[] = ["redeno", "redis"];
export const TITLE: Record<ServerName, string> = { redeno: "redeno", redis: "Redis" };

/** Persistence off: what throughput and memory are measured with. */
export const PERSISTENCE_OFF: readonly string[] = ["--save", "", "--appendonly", "no"];
/** redeno's default persistence policy, given explicitly so that both servers run it. */
export const PERSISTENCE_ON: readonly string[] = [
  "--save",
  "1 1",
  "--appendonly",
  "yes",
  "--appendfsync",
  "everysec",
];

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What one benchmark run has started and made, and what went wrong in it.
 * Every server and temp dir is tracked, so that a failure or Ctrl-C (handled
 * from construction on: clean up, exit 130) still stops every server and
 * removes every dir. Servers log (warnings) to `<dir>/server.log`, so that a
 * failed start can say why.
 */
export class Lab {
  readonly #live = new Set<Server>();
  readonly #dirs = new Set<string>();
  // Set on Ctrl-C: the main loop may still be running, and must not start a
  // server or make a dir that the clean-up already passed over.
  #interrupted = false;
  /** Failures, as "<Server>, <what>: <error>", for the report. */
  readonly notes: string[] = [];
  /** Redis is the reference: if it failed, the script (or the machine) is broken. */
  redisFailed = false;

  constructor(readonly prefix: string) {
    onInterrupt(() => {
      this.#interrupted = true;
      return this.cleanup();
    });
  }

  tempDir(label: string): string {
    if (this.#interrupted) throw new Error("interrupted");
    const d = Deno.makeTempDirSync({ prefix: `${this.prefix}-${label}-` });
    this.#dirs.add(d);
    return d;
  }

  removeDir(d: string): void {
    try {
      Deno.removeSync(d, { recursive: true });
    } catch {
      // already gone
    }
    this.#dirs.delete(d);
  }

  /** Spawns a server without waiting for it. */
  spawn(name: ServerName, dir: string, args: readonly string[]): Server {
    if (this.#interrupted) throw new Error("interrupted");
    const log = ["--loglevel", "warning", "--logfile", join(dir, "server.log")];
    const s = spawnServer(name, dir, [...args, ...log]);
    this.#live.add(s);
    return s;
  }

  async halt(s: Server): Promise<void> {
    await stopServer(s);
    this.#live.delete(s);
  }

  /** Spawns and waits for +PONG; on failure the error carries the log's last lines. */
  async launch(
    name: ServerName,
    dir: string,
    args: readonly string[],
    wait: { intervalMs?: number; timeoutMs?: number } = {},
  ): Promise<Server> {
    const s = this.spawn(name, dir, args);
    try {
      await waitForPong(s, wait);
    } catch (e) {
      await this.halt(s);
      const tail = logTail(dir);
      throw new Error(`${errorText(e)}${tail ? ` (log: ${tail})` : ""}`);
    }
    return s;
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.#live].map((s) => this.halt(s)));
    for (const d of [...this.#dirs]) this.removeDir(d);
  }

  /** Records (and prints) a failure of `name` while doing `what`. */
  note(name: ServerName, what: string, e: unknown): void {
    const text = `${TITLE[name]}, ${what}: ${errorText(e)}`;
    console.error(text);
    this.notes.push(text);
    if (name === "redis") this.redisFailed = true;
  }

  /** The notes as a Markdown section (nothing when there are none). */
  notesMarkdown(): string[] {
    if (!this.notes.length) return [];
    const out = ["", "Notes:", ""];
    // The same failure in every round is said once.
    for (const n of new Set(this.notes)) {
      const times = this.notes.filter((x) => x === n).length;
      out.push(`- ${n.trim()}${times > 1 ? ` (${times} times)` : ""}`);
    }
    return out;
  }
}

function logTail(dir: string, lines = 3): string {
  try {
    const all = Deno.readTextFileSync(join(dir, "server.log")).trim().split("\n");
    return all.slice(-lines).join(" | ");
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------- talking to a server

export async function call(port: number, ...args: string[]): Promise<Decoded> {
  return await withClient(port, (c) => c.value(...args));
}

/** `INFO <section>` as name -> value; empty when the server refuses. */
export async function info(port: number, section: string): Promise<Map<string, string>> {
  const v = await call(port, "INFO", section);
  return typeof v === "string" ? parseInfo(v) : new Map();
}

/** Throws unless DBSIZE is `n`. */
export async function expectKeys(s: Server, n: number): Promise<void> {
  const size = await call(s.port, "DBSIZE");
  if (size !== n) throw new Error(`${s.name} holds ${String(size)} keys, not ${n}`);
}

/**
 * Sends `input` through `redis-cli --pipe` and returns the time it took in
 * ms; throws unless redis-cli's summary says `errors: 0, replies: <replies>`.
 * `input` is a file (redis-cli reads it as its stdin, as in
 * `redis-cli --pipe < file`) or RESP chunks written to redis-cli as made.
 */
export async function pipeLoad(
  s: Server,
  input: string | Iterable<Uint8Array>,
  replies: number,
): Promise<number> {
  const cli = findOnPath("redis-cli");
  if (!cli) throw new Error("redis-cli is not installed");
  const cliArgs = ["-h", "127.0.0.1", "-p", String(s.port), "--pipe"];
  const fromFile = typeof input === "string";
  const t0 = performance.now();
  const child = track(
    fromFile
      // The shell opens the file as redis-cli's own stdin, so no copy through
      // this process is timed along with the load.
      ? new Deno.Command("sh", {
        args: ["-c", 'exec "$@" < "$0"', input, cli, ...cliArgs],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn()
      : new Deno.Command(cli, {
        args: cliArgs,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn(),
  );
  // Read while writing: redis-cli prints every error reply, and a full
  // stdout pipe would stall it and then us.
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  const timer = setTimeout(() => signal(child, "SIGKILL"), Math.max(120_000, replies));
  if (!fromFile) {
    try {
      const w = child.stdin.getWriter();
      for (const chunk of input) await w.write(chunk);
      await w.close();
    } catch {
      // redis-cli died; its output says why
    }
  }
  const [out, err, status] = await Promise.all([stdout, stderr, child.status]);
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const m = out.match(/errors: (\d+), replies: (\d+)/);
  if (!status.success || !m || m[1] !== "0" || Number(m[2]) !== replies) {
    const why = (m ? m[0] : (out + err).trim().split("\n").slice(-2).join(" | ")).slice(0, 300);
    throw new Error(`redis-cli --pipe into ${s.name} failed: ${why}`);
  }
  return ms;
}

/**
 * The resident memory (VmRSS) of the server's process, in bytes. The child
 * spawnServer started is the server itself (deno running main.ts, or
 * redis-server), not a wrapper; /proc/<pid>/cmdline is checked to be sure.
 * Linux only.
 */
export function serverRss(s: Server): number {
  const pid = s.child.pid;
  const argv = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
  // redis-server rewrites its title to "redis-server 127.0.0.1:<port>".
  const ok = s.name === "redeno" ? argv.includes(MAIN) : /redis-server/.test(argv[0]);
  if (!ok) throw new Error(`pid ${pid} is not ${s.name}: ${argv.join(" ").trim()}`);
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+)\s+kB$/m);
  if (!m) throw new Error(`no VmRSS for ${s.name} (pid ${pid})`);
  return Number(m[1]) * 1024;
}

// ---------------------------------------------------------------- start-up load time

/**
 * How start-up is timed: appendonly no, so that the server loads dump.rdb and
 * nothing else, and no save points, so that stopping it does not rewrite it.
 */
export const STARTUP_ARGS: readonly string[] = PERSISTENCE_OFF;

export interface Dump {
  path: string;
  size: number;
}

/**
 * `name`'s own dump.rdb (in a tracked temp dir): a fresh server started with
 * STARTUP_ARGS, `load` run on it, then SAVE.
 */
export async function buildDump(
  lab: Lab,
  name: ServerName,
  load: (s: Server) => Promise<unknown>,
): Promise<Dump> {
  const dir = lab.tempDir(`${name}-dump`);
  const s = await lab.launch(name, dir, STARTUP_ARGS);
  try {
    await load(s);
    const r = await call(s.port, "SAVE");
    if (r instanceof Error) throw new Error(`SAVE: ${r.message}`);
  } finally {
    await lab.halt(s);
  }
  const path = join(dir, "dump.rdb");
  return { path, size: Deno.statSync(path).size };
}

/**
 * The time from spawning `name` (STARTUP_ARGS) in a fresh dir holding a copy
 * of `dump` (or nothing) until PING answers +PONG, polled every 10 ms
 * (-LOADING is not ready), and DBSIZE then.
 */
export async function timeStartup(
  lab: Lab,
  name: ServerName,
  dump: Dump | null,
  timeoutMs: number,
): Promise<{ ms: number; keys: number }> {
  const dir = lab.tempDir(name);
  let s: Server | undefined;
  try {
    // A copy per run: the built dump stays untouched, and both servers read
    // from a page cache equally warm.
    if (dump) Deno.copyFileSync(dump.path, join(dir, "dump.rdb"));
    const t0 = performance.now();
    s = await lab.launch(name, dir, STARTUP_ARGS, { intervalMs: 10, timeoutMs });
    const ms = performance.now() - t0;
    const size = await call(s.port, "DBSIZE");
    console.error(`  +PONG after ${(ms / 1000).toFixed(3)} s, ${String(size)} keys`);
    return { ms, keys: typeof size === "number" ? size : NaN };
  } finally {
    if (s) await lab.halt(s);
    lab.removeDir(dir);
  }
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
  const child = track(
    new Deno.Command(findOnPath("redis-benchmark")!, {
      args: ["-h", "127.0.0.1", "-p", String(s.port), ...args],
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
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

/**
 * The file system temp dirs land on, e.g. "ext4 (/dev/vda)": where data files
 * and snapshots live matters (fsync on ext4 vs tmpfs), so reports say.
 */
export async function tempFs(lab: Lab): Promise<string> {
  const probe = lab.tempDir("probe");
  const mount = await commandOutput("findmnt", ["-no", "FSTYPE,SOURCE", "-T", probe]);
  lab.removeDir(probe);
  const [type, source] = mount.split(/\s+/);
  return `${type}${source ? ` (${source})` : ""}`;
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
/** `a` as a share of `b`, e.g. "93%". */
export const pct = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(100 * a / b).toFixed(0)}%` : "n/a";
export const secs = (ms: number) => Number.isFinite(ms) ? `${(ms / 1000).toFixed(3)} s` : "n/a";
export const mb = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 1e6).toFixed(1)} MB` : "n/a";
export const count = (n: number) => Number.isFinite(n) ? n.toLocaleString("en-US") : "n/a";
