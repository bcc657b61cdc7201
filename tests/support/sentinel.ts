/**
 * Stock `redis-sentinel` processes for tests: each on a free loopback port
 * with its own config file, working directory and log in a temp dir; what
 * they say about a monitored master (its address, replicas, other
 * sentinels); and teardown. Sentinel rewrites its config file as it learns,
 * so each gets a file of its own.
 */
import { decode, type Decoded, RespClient } from "./resp_client.ts";
import { freePort, redisTool, signal } from "./servers.ts";

/** How the sentinels watch the master (small timings keep failover tests short). */
export interface SentinelOptions {
  /** The monitored master's name (default "mymaster"). */
  name?: string;
  /** Sentinels that must agree the master is down (default 2). */
  quorum?: number;
  /** `sentinel down-after-milliseconds` (default 1000). */
  downAfterMs?: number;
  /** `sentinel failover-timeout` (default 5000). */
  failoverTimeoutMs?: number;
  /** `sentinel parallel-syncs` (default 1). */
  parallelSyncs?: number;
  /** Extra config lines for every sentinel. */
  extra?: string[];
  /**
   * Sentinel's internal periods, set with SENTINEL DEBUG after start-up
   * (default FAST_PERIODS; `{}` keeps Redis's own).
   */
  periods?: Record<string, number>;
}

/**
 * Shorter internal periods than Redis's defaults, so that a test waits
 * seconds rather than tens of them: INFO every second (not 10 s), hellos
 * every half second, a TILT (a sentinel starved of CPU for 2 s stops acting)
 * over after 5 s instead of 30.
 */
export const FAST_PERIODS: Record<string, number> = {
  "info-period": 1000,
  "publish-period": 500,
  "tilt-period": 5000,
};

/** One running redis-sentinel. */
export interface SentinelProcess {
  port: number;
  /** Its temp directory (config file `sentinel.conf`, log `sentinel.log`). */
  dir: string;
  process: Deno.ChildProcess;
}

/** A running group of sentinels monitoring one master. */
export interface Sentinels {
  name: string;
  members: SentinelProcess[];
  /** The sentinels' ports, as clients list them. */
  ports: number[];
  /** One SENTINEL subcommand sent to sentinel `i`, decoded. */
  call(i: number, ...args: string[]): Promise<Decoded>;
  /** SENTINEL GET-MASTER-ADDR-BY-NAME as [host, port] (null when unknown), asked of sentinel `i`. */
  masterAddr(i?: number): Promise<[string, number] | null>;
  /** SENTINEL MASTER as a field map, asked of sentinel `i`. */
  master(i?: number): Promise<Map<string, string>>;
  /** SENTINEL REPLICAS, one field map per replica, asked of sentinel `i`. */
  replicas(i?: number): Promise<Map<string, string>[]>;
  /** SENTINEL SENTINELS (the others it knows), one field map each, asked of sentinel `i`. */
  sentinels(i?: number): Promise<Map<string, string>[]>;
  /** Every sentinel's log, for a failing test's message. */
  logs(): string;
  /** Stops every sentinel (SIGTERM, then SIGKILL), waits for them and removes their directories. */
  stop(): Promise<void>;
}

/** Path of redis-sentinel, or null (after saying so) outside CI; in CI a missing one fails. */
export function sentinelPath(): string | null {
  return redisTool("redis-sentinel");
}

/** A sentinel's config file: sentinel rewrites it, so it must be writable and its own. */
function configText(port: number, dir: string, masterPort: number, o: SentinelOptions): string {
  const name = o.name ?? "mymaster";
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    `logfile ${dir}/sentinel.log`,
    "loglevel verbose",
    "sentinel resolve-hostnames no",
    `sentinel monitor ${name} 127.0.0.1 ${masterPort} ${o.quorum ?? 2}`,
    `sentinel down-after-milliseconds ${name} ${o.downAfterMs ?? 1000}`,
    `sentinel failover-timeout ${name} ${o.failoverTimeoutMs ?? 5000}`,
    `sentinel parallel-syncs ${name} ${o.parallelSyncs ?? 1}`,
    ...(o.extra ?? []),
    "",
  ].join("\n");
}

/**
 * Waits until `port` answers PING and is `child` (INFO server's process_id),
 * not another test's server that took the port first: true when it is ours,
 * false when the port is someone else's or the child exited.
 */
async function answersAs(port: number, child: Deno.ChildProcess): Promise<boolean> {
  let exited = false;
  child.status.then(() => (exited = true));
  for (let i = 0; i < 600; i++) {
    if (exited) return false;
    try {
      const c = await RespClient.connect(port);
      try {
        if ((await c.call("PING")) === "+PONG\r\n") {
          const m = /process_id:(\d+)/.exec(await c.call("INFO", "server"));
          return m !== null && Number(m[1]) === child.pid;
        }
      } finally {
        c.close();
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-sentinel on port ${port} did not start`);
}

/** Starts one sentinel monitoring 127.0.0.1:`masterPort`, on another port if the first is taken. */
async function startOne(
  bin: string,
  masterPort: number,
  o: SentinelOptions,
): Promise<SentinelProcess> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = freePort();
    const dir = Deno.makeTempDirSync({ prefix: "redeno-sentinel-" });
    const conf = `${dir}/sentinel.conf`;
    Deno.writeTextFileSync(conf, configText(port, dir, masterPort, o));
    const child = new Deno.Command(bin, { args: [conf], stdout: "null", stderr: "inherit" })
      .spawn();
    if (await answersAs(port, child)) return { port, dir, process: child };
    signal(child, "SIGKILL");
    await child.status;
    Deno.removeSync(dir, { recursive: true });
  }
  throw new Error("redis-sentinel could not start on a free port");
}

/** A flat [field, value, ...] array (RESP2 SENTINEL replies) or a map as a Map of strings. */
function fields(v: Decoded): Map<string, string> {
  const out = new Map<string, string>();
  if (v instanceof Map) {
    for (const [k, x] of v) out.set(String(k), String(x));
  } else if (Array.isArray(v)) {
    for (let i = 0; i + 1 < v.length; i += 2) out.set(String(v[i]), String(v[i + 1]));
  }
  return out;
}

/**
 * Starts `n` sentinels monitoring the master at 127.0.0.1:`masterPort`, or
 * returns null when redis-sentinel is missing on a developer's machine
 * (after saying so; in CI that fails).
 */
export async function startSentinels(
  n: number,
  masterPort: number,
  o: SentinelOptions = {},
): Promise<Sentinels | null> {
  const bin = sentinelPath();
  if (!bin) return null;
  const members: SentinelProcess[] = [];
  const stop = async () => {
    for (const m of members) signal(m.process, "SIGTERM");
    const timer = setTimeout(() => members.forEach((m) => signal(m.process, "SIGKILL")), 5000);
    await Promise.all(members.map((m) => m.process.status));
    clearTimeout(timer);
    for (const m of members) Deno.removeSync(m.dir, { recursive: true });
  };
  try {
    for (let i = 0; i < n; i++) members.push(await startOne(bin, masterPort, o));
  } catch (e) {
    await stop();
    throw e;
  }
  const name = o.name ?? "mymaster";
  const periods = Object.entries(o.periods ?? FAST_PERIODS).flatMap(([k, v]) => [k, String(v)]);
  if (periods.length > 0) {
    for (const m of members) {
      const c = await RespClient.connect(m.port);
      try {
        const reply = await c.call("SENTINEL", "DEBUG", ...periods);
        if (reply !== "+OK\r\n") throw new Error(`SENTINEL DEBUG: ${reply}`);
      } finally {
        c.close();
      }
    }
  }
  const call = async (i: number, ...args: string[]): Promise<Decoded> => {
    const c = await RespClient.connect(members[i].port);
    try {
      return decode(await c.call("SENTINEL", ...args));
    } finally {
      c.close();
    }
  };
  const list = async (i: number, sub: string) => {
    const v = await call(i, sub, name);
    if (v instanceof Error) throw v;
    return (v as Decoded[]).map(fields);
  };
  return {
    name,
    members,
    ports: members.map((m) => m.port),
    call,
    async masterAddr(i = 0) {
      const v = await call(i, "GET-MASTER-ADDR-BY-NAME", name);
      if (!Array.isArray(v)) return null;
      return [String(v[0]), Number(v[1])];
    },
    async master(i = 0) {
      const v = await call(i, "MASTER", name);
      if (v instanceof Error) throw v;
      return fields(v);
    },
    replicas: (i = 0) => list(i, "REPLICAS"),
    sentinels: (i = 0) => list(i, "SENTINELS"),
    logs() {
      return members.map((m, i) => {
        let text = "";
        try {
          text = Deno.readTextFileSync(`${m.dir}/sentinel.log`);
        } catch {
          text = "(no log)";
        }
        return `--- sentinel ${i} (port ${m.port})\n${text}`;
      }).join("\n");
    },
    stop,
  };
}

/**
 * Waits until every sentinel knows the other `n - 1` and `replicas`
 * replicas of the master: the group is ready to agree on a failover.
 */
export async function sentinelsSettled(s: Sentinels, replicas: number): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    let ok = true;
    for (let i = 0; i < s.members.length && ok; i++) {
      ok = (await s.sentinels(i)).length === s.members.length - 1 &&
        (await s.replicas(i)).filter((r) => !/s_down|disconnected/.test(r.get("flags")!))
            .length === replicas;
    }
    if (ok) return;
    if (Date.now() > end) {
      throw new Error(`sentinels never settled (${replicas} replicas)\n${s.logs()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
