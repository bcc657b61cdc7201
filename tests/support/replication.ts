/**
 * What the replication tests share: which server plays the replica (the same
 * scenario runs with redis-server as the replica to validate the test, and
 * with redeno), starting a real redis-server master, INFO fields, waiting
 * for the link and for the replica's offset to reach the master's, and a
 * logical dump of every key of every db (values as the read commands give
 * them, so two servers' encodings may differ) to compare master and replica.
 */
import { assert, assertEquals } from "./assert.ts";
import { decode, type Decoded, parseInfo, RespClient } from "./resp_client.ts";
import { signal, type StartOptions, startRedeno, startRedis, type TestServer } from "./servers.ts";
import { waitFor } from "./persistence.ts";

/** Which server plays the replica. */
export type ReplicaKind = "redis" | "redeno";

/** Both kinds, redis-server first: its run validates the test itself. */
export const KINDS: ReplicaKind[] = ["redis", "redeno"];

/**
 * A master's extra arguments: DEBUG allowed (SET-ACTIVE-EXPIRE, POPULATE),
 * and a diskless full sync that starts at once instead of after 5 s.
 */
export const MASTER_ARGS = ["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"];

/** `--replicaof` as one argument "host port", which both servers accept. */
export function replicaofArgs(port: number): string[] {
  return ["--replicaof", `127.0.0.1 ${port}`];
}

/** A named scenario, run once for each replica kind. */
export type Scenario = [name: string, fn: (kind: ReplicaKind) => Promise<void>];

/** Registers every scenario for each kind, as "<kind> replica of redis-server: <name>". */
export function replicaTests(scenarios: Scenario[]): void {
  for (const kind of KINDS) {
    for (const [name, fn] of scenarios) {
      Deno.test(`${kind} replica of redis-server: ${name}`, () => fn(kind));
    }
  }
}

/** Starts a real redis-server master, or null when redis-server is missing (outside CI). */
export async function startMaster(opts: StartOptions = {}): Promise<TestServer | null> {
  return await startRedis({ ...opts, args: [...MASTER_ARGS, ...(opts.args ?? [])] });
}

/** Starts a server of `kind` (redis-server must be installed when it is asked for). */
export async function startKind(kind: ReplicaKind, opts: StartOptions = {}): Promise<TestServer> {
  if (kind === "redeno") return await startRedeno(opts);
  const s = await startRedis(opts);
  if (!s) throw new Error("redis-server is not installed");
  return s;
}

/** A master of some kind, a redis-server replica of it (link up), a client to each. */
export interface MasterWithReplica {
  master: TestServer;
  replica: TestServer;
  m: RespClient;
  r: RespClient;
}

/**
 * Runs `fn` on a master of `kind` (started with `masterArgs`) and a
 * redis-server replica of it, then stops both; a replica left SIGSTOPped
 * is continued first.
 */
export async function withRedisReplica<T>(
  kind: ReplicaKind,
  masterArgs: string[],
  fn: (p: MasterWithReplica) => Promise<T>,
): Promise<T> {
  const master = await startKind(kind, { args: masterArgs });
  const replica = await startKind("redis", { args: replicaofArgs(master.port) });
  const m = await RespClient.connect(master.port);
  const r = await RespClient.connect(replica.port);
  try {
    await waitLinkUp(r);
    return await fn({ master, replica, m, r });
  } finally {
    signal(replica.process, "SIGCONT");
    m.close();
    r.close();
    await master.stop();
    await replica.stop();
  }
}

/**
 * `scenario` on a redis-server master, which shows what the steps should
 * give; null (the caller skips) when redis-server is missing outside CI.
 */
export async function onRedisMaster<T>(
  scenario: (kind: ReplicaKind) => Promise<T>,
): Promise<T | null> {
  return await scenario("redis").catch((e) => {
    if (String(e).includes("not installed") && !Deno.env.get("CI")) return null;
    throw e;
  });
}

/** One INFO section as a map. */
export async function infoOf(c: RespClient, section: string): Promise<Map<string, string>> {
  const raw = await c.call("INFO", section);
  assert(raw.startsWith("$"), `INFO ${section}: ${raw}`);
  return parseInfo(decode(raw) as string);
}

/** One field of an INFO section, which must be there. */
export async function infoField(c: RespClient, section: string, name: string): Promise<string> {
  const v = (await infoOf(c, section)).get(name);
  assert(v !== undefined, `no ${name} in INFO ${section}`);
  return v;
}

/**
 * The fields of a Redis 7.0.15 replica's INFO replication, in order, with
 * its link up (no sync in progress); with the link down
 * master_link_down_since_seconds follows slave_repl_offset.
 */
export const REPLICA_INFO_FIELDS = [
  "role",
  "master_host",
  "master_port",
  "master_link_status",
  "master_last_io_seconds_ago",
  "master_sync_in_progress",
  "slave_read_repl_offset",
  "slave_repl_offset",
  "slave_priority",
  "slave_read_only",
  "replica_announced",
  "connected_slaves",
  "master_failover_state",
  "master_replid",
  "master_replid2",
  "master_repl_offset",
  "second_repl_offset",
  "repl_backlog_active",
  "repl_backlog_size",
  "repl_backlog_first_byte_offset",
  "repl_backlog_histlen",
];

/** REPLICA_INFO_FIELDS as a replica whose link is down shows them. */
export const REPLICA_DOWN_INFO_FIELDS = REPLICA_INFO_FIELDS.flatMap((f) =>
  f === "slave_repl_offset" ? [f, "master_link_down_since_seconds"] : [f]
);

/** INFO stats' sync_full and sync_partial_ok of a master, as numbers. */
export async function syncCounts(c: RespClient): Promise<{ full: number; partial: number }> {
  const s = await infoOf(c, "stats");
  return { full: Number(s.get("sync_full")), partial: Number(s.get("sync_partial_ok")) };
}

/** Waits until the replica says master_link_status:up. */
export async function waitLinkUp(replica: RespClient): Promise<void> {
  await waitFor("master_link_status:up", async () => {
    return (await infoOf(replica, "replication")).get("master_link_status") === "up";
  });
}

/**
 * Waits until the link is up and the replica's slave_repl_offset equals
 * the master's master_repl_offset (both read again on every poll: the
 * master's periodic PING moves its offset).
 */
export async function caughtUp(master: RespClient, replica: RespClient): Promise<number> {
  let offset = -1;
  let seen = "";
  try {
    await waitFor("the replica's offset to reach the master's", async () => {
      const m = (await infoOf(master, "replication")).get("master_repl_offset");
      const r = await infoOf(replica, "replication");
      seen = `master ${m}, replica ${r.get("slave_repl_offset")} (link ${
        r.get("master_link_status")
      })`;
      offset = Number(m);
      return r.get("master_link_status") === "up" && r.get("slave_repl_offset") === m;
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}: ${seen}`);
  }
  return offset;
}

/** Sends commands that must all succeed (pipelined); their decoded replies. */
export async function run(c: RespClient, cmds: string[][]): Promise<Decoded[]> {
  const replies = await c.pipeline(cmds);
  replies.forEach((r, i) => {
    assert(!r.startsWith("-"), `${JSON.stringify(cmds[i]).slice(0, 160)} -> ${r}`);
  });
  return replies.map(decode);
}

/** A flat [name, value, ...] reply as an object (XINFO's shape in RESP2). */
function fields(flat: Decoded): Record<string, Decoded> {
  const out: Record<string, Decoded> = {};
  const a = flat as Decoded[];
  for (let i = 0; i < a.length; i += 2) out[a[i] as string] = a[i + 1];
  return out;
}

/** Flat [a1, b1, a2, b2 ...] as "a1=b1" rows, sorted (a hash's fields in no server's order). */
function sortedPairs(flat: Decoded): string[] {
  const a = flat as string[];
  const rows: string[] = [];
  for (let i = 0; i < a.length; i += 2) {
    rows.push(`${JSON.stringify(a[i])}=${JSON.stringify(a[i + 1])}`);
  }
  return rows.sort();
}

/** The commands that read a key of `type` whole (a stream's groups come later). */
function readers(key: string, type: string): string[][] {
  switch (type) {
    case "string":
      return [["GET", key]];
    case "hash":
      return [["HGETALL", key]];
    case "list":
      return [["LRANGE", key, "0", "-1"]];
    case "set":
      return [["SMEMBERS", key]];
    case "zset":
      return [["ZRANGE", key, "0", "-1", "WITHSCORES"]];
    case "stream":
      return [["XRANGE", key, "-", "+"], ["XINFO", "STREAM", key], ["XINFO", "GROUPS", key]];
    default:
      return [];
  }
}

const STREAM_FIELDS = [
  "length",
  "last-generated-id",
  "max-deleted-entry-id",
  "entries-added",
  "recorded-first-entry-id",
  "groups",
  "first-entry",
  "last-entry",
];

/** Options of dataset. */
export interface DatasetOptions {
  /** Keys whose rows are left out (still counted by DBSIZE), e.g. DEBUG POPULATE's. */
  skip?: (key: string) => boolean;
  /**
   * Leave out XINFO GROUPS' entries-read and lag. A full sync carries them,
   * but Redis 7.0.15's own replica loses them (nil) when it applies the
   * XCLAIM that XREADGROUP propagates, so after live stream reads they are
   * no replica's invariant.
   */
  noGroupCounters?: boolean;
}

/**
 * Every key of every db as comparable rows "db key type value expiry", plus
 * each non-empty db's DBSIZE (which also counts logically expired keys a
 * replica keeps until its master deletes them). Values as read commands
 * return them: sets and hashes sorted, a stream's entries, its XINFO STREAM
 * fields that are no server's internals, its groups, each group's consumers
 * (name, pending) and PEL (idle times masked); an HLL's PFCOUNT and its
 * bytes after it.
 * The expiry is PEXPIRETIME, exact (replication carries absolute times).
 * Last, a row of the function libraries (FUNCTION LIST WITHCODE) if any.
 * Leaves the connection on db 0.
 */
export async function dataset(c: RespClient, opts: DatasetOptions = {}): Promise<string[]> {
  const rows: string[] = [];
  for (let db = 0; db < 16; db++) {
    const [, size, all] = await run(c, [["SELECT", String(db)], ["DBSIZE"], ["KEYS", "*"]]);
    if (size !== 0) rows.push(`${db} (dbsize) ${size}`);
    const keys = (all as string[]).filter((k) => !opts.skip?.(k)).sort();
    if (keys.length === 0) continue;
    const meta = await run(c, keys.flatMap((k) => [["TYPE", k], ["PEXPIRETIME", k]]));
    const types = keys.map((_, i) => meta[2 * i] as string);
    const plan = keys.map((k, i) => readers(k, types[i]));
    const replies = await run(c, plan.flat());
    let at = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const got = replies.slice(at, at + plan[i].length);
      at += plan[i].length;
      let value: unknown;
      switch (types[i]) {
        case "hash":
          value = sortedPairs(got[0]);
          break;
        case "set":
          value = (got[0] as string[]).slice().sort();
          break;
        case "stream": {
          const info = fields(got[1]);
          const groups = (got[2] as Decoded[]).map(fields);
          if (opts.noGroupCounters) {
            for (const g of groups) {
              delete g["entries-read"];
              delete g.lag;
            }
          }
          const detail = [];
          for (const g of groups) {
            const name = g.name as string;
            const [consumers, pel] = await run(c, [
              ["XINFO", "CONSUMERS", key, name],
              ["XPENDING", key, name, "-", "+", "1000000"],
            ]);
            detail.push({
              consumers: (consumers as Decoded[]).map(fields).map((x) => [x.name, x.pending]),
              // [id, consumer, idle ms, deliveries]: the idle time is the reader's clock.
              pel: (pel as Decoded[][]).map(([id, who, , n]) => [id, who, n]),
            });
          }
          value = {
            entries: got[0],
            info: STREAM_FIELDS.map((f) => [f, info[f]]),
            groups,
            detail,
          };
          break;
        }
        default:
          value = got[0] ?? `(${types[i]})`;
      }
      if (types[i] === "string" && (got[0] as string).startsWith("HYLL")) {
        // PFCOUNT fills the HLL's cached cardinality (and a master propagates
        // that): read the bytes again after it, on both servers alike.
        value = await run(c, [["PFCOUNT", key], ["GET", key]]);
      }
      rows.push(
        `${db} ${JSON.stringify(key)} ${types[i]} ${JSON.stringify(value)} ${meta[2 * i + 1]}`,
      );
    }
  }
  await run(c, [["SELECT", "0"]]);
  // The function libraries (server-wide), by name.
  const libs = (await run(c, [["FUNCTION", "LIST", "WITHCODE"]]))[0] as Decoded[];
  if (libs.length > 0) {
    // A library's functions come in its dict's order: sorted here by name.
    const named = libs.map((l) => {
      const f = fields(l);
      const fns = (f.functions as Decoded[]).map((x) => JSON.stringify(x)).sort();
      return [f.library_name as string, JSON.stringify({ ...f, functions: fns })];
    });
    rows.push(`(functions) ${JSON.stringify(named.sort())}`);
  }
  return rows;
}

/**
 * Asserts that master and replica hold the same data (dataset of both);
 * returns how many rows were compared.
 */
export async function assertSameData(
  master: RespClient,
  replica: RespClient,
  what: string,
  opts: DatasetOptions = {},
): Promise<number> {
  const m = await dataset(master, opts);
  const r = await dataset(replica, opts);
  assertEquals(r, m, `${what}: the replica's data equals the master's`);
  return m.length;
}

/** Runs `fn` with a connection to each port, closing them all whatever happens. */
export async function withClients<T>(
  ports: number[],
  fn: (...clients: RespClient[]) => Promise<T>,
): Promise<T> {
  const clients: RespClient[] = [];
  try {
    for (const p of ports) clients.push(await RespClient.connect(p));
    return await fn(...clients);
  } finally {
    for (const c of clients) c.close();
  }
}

/** Stops every server given (null ones skipped), the last started first, even if one stop fails. */
export async function stopAll(servers: (TestServer | null | undefined)[]): Promise<void> {
  for (const s of [...servers].reverse()) {
    try {
      await s?.stop();
    } catch {
      // the others must still stop
    }
  }
}
