/**
 * Configuration: one table of options drives redis.conf parsing, `--name
 * value` overrides, CONFIG GET (glob patterns) and CONFIG SET (validation,
 * atomic multi-set, live effect). Values are kept parsed; `format` gives them
 * back the way CONFIG GET shows them. Parsing rules, bounds, defaults and
 * error texts are Redis 7.0's.
 */
import { osErrorText } from "./util/oserror.ts";
import { splitArgs } from "./resp/splitargs.ts";
import { repr } from "./resp/repr.ts";
import { globMatch } from "./util/glob.ts";
import { LOG_LEVELS } from "./log.ts";
import { concatBytes } from "./util/bytebuf.ts";
import { isCSpace, strtod } from "./util/strtod.ts";
import { formatNotifyFlags, notifyFlagsFull, parseNotifyFlags } from "./store/notify.ts";

export const REDIS_COMPAT_VERSION = "7.0.15";
export const REDENO_VERSION = "0.1.0";

export type OptionKind =
  | "bool"
  | "int"
  | "memory"
  | "enum"
  | "string"
  | "save"
  | "bind"
  | "obuf";

export interface OptionSpec {
  name: string;
  aliases?: string[];
  kind: OptionKind;
  /** Default, as it would be written in redis.conf. */
  default: string;
  /** Cannot be changed by CONFIG SET ("can't set immutable config"). */
  immutable?: boolean;
  /** Changed by CONFIG SET only with enable-protected-configs (dir, dbfilename). */
  protected?: boolean;
  /** Bounds of numeric options (bigint when beyond 2^53). */
  min?: number | bigint;
  max?: number | bigint;
  /** Allowed values of an enum. */
  values?: readonly string[];
  /** Normalizes a parsed value (hz is clamped to 1..500 as Redis does). */
  adjust?: (v: OptionValue) => OptionValue;
  /** Extra validation of a string value; returns an error text or null. */
  validate?: (v: string) => string | null;
  /** How CONFIG GET shows a string value, when not as stored. */
  show?: (v: string) => string;
}

const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
const LLONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;
const MB = 1024 * 1024;
const PROTECTION = ["no", "yes", "local"] as const;

/** Every option redeno knows, with Redis 7.0's built-in defaults and bounds. */
export const OPTIONS: OptionSpec[] = [
  { name: "port", kind: "int", default: "6379", min: 0, max: 65535 },
  // Redis's built-in default is "* -::*" guarded by protected-mode; redeno
  // listens on loopback unless told otherwise (redis.conf's own line).
  { name: "bind", kind: "bind", default: "127.0.0.1 -::1" },
  { name: "dir", kind: "string", default: "./", protected: true },
  {
    name: "dbfilename",
    kind: "string",
    default: "dump.rdb",
    protected: true,
    validate: (v) => v.includes("/") ? "dbfilename can't be a path, just a filename" : null,
  },
  // redeno's durability defaults (Redis's are appendonly no and
  // save "3600 1 300 100 60 10000"): the AOF on, a snapshot each second.
  { name: "appendonly", kind: "bool", default: "yes" },
  { name: "appendfilename", kind: "string", default: "appendonly.aof", immutable: true },
  { name: "appenddirname", kind: "string", default: "appendonlydir", immutable: true },
  { name: "appendfsync", kind: "enum", default: "everysec", values: ["always", "everysec", "no"] },
  { name: "save", kind: "save", default: "1 1" },
  { name: "auto-aof-rewrite-percentage", kind: "int", default: "100", min: 0, max: INT_MAX },
  { name: "auto-aof-rewrite-min-size", kind: "memory", default: "64mb", min: 0, max: LLONG_MAX },
  // Microseconds of pause per key while loading (Redis's test option): makes LOADING observable.
  { name: "key-load-delay", kind: "int", default: "0", min: -INT_MAX - 1, max: INT_MAX },
  { name: "requirepass", kind: "string", default: "" },
  // ACL users (lib/server/acl.ts): the ACL file, and the channels new users and selectors start with.
  { name: "aclfile", kind: "string", default: "", immutable: true },
  {
    name: "acl-pubsub-default",
    kind: "enum",
    default: "resetchannels",
    values: ["allchannels", "resetchannels"],
  },
  { name: "loglevel", kind: "enum", default: "notice", values: LOG_LEVELS },
  { name: "logfile", kind: "string", default: "", immutable: true },
  { name: "databases", kind: "int", default: "16", min: 1, max: INT_MAX, immutable: true },
  { name: "maxclients", kind: "int", default: "10000", min: 1, max: UINT_MAX },
  { name: "timeout", kind: "int", default: "0", min: 0, max: INT_MAX },
  { name: "proto-max-bulk-len", kind: "memory", default: "512mb", min: MB, max: LLONG_MAX },
  { name: "client-query-buffer-limit", kind: "memory", default: "1gb", min: MB, max: LLONG_MAX },
  {
    name: "client-output-buffer-limit",
    kind: "obuf",
    default: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
  },
  { name: "slowlog-log-slower-than", kind: "int", default: "10000", min: -1, max: LLONG_MAX },
  { name: "slowlog-max-len", kind: "int", default: "128", min: 0, max: LLONG_MAX },
  // Entries ACL LOG keeps (lib/server/aclcheck.ts); a smaller value cuts it at the next entry.
  { name: "acllog-max-len", kind: "int", default: "128", min: 0, max: LLONG_MAX },
  { name: "latency-monitor-threshold", kind: "int", default: "0", min: 0, max: LLONG_MAX },
  // Master side of replication (lib/server/replication.ts).
  { name: "repl-backlog-size", kind: "memory", default: "1mb", min: 1, max: LLONG_MAX },
  { name: "repl-backlog-ttl", kind: "int", default: "3600", min: 0, max: INT_MAX },
  // Writes refused (-NOREPLICAS) without enough replicas acking in time (lib/server/wait.ts).
  {
    name: "min-replicas-to-write",
    kind: "int",
    default: "0",
    min: 0,
    max: INT_MAX,
    aliases: ["min-slaves-to-write"],
  },
  {
    name: "min-replicas-max-lag",
    kind: "int",
    default: "10",
    min: 0,
    max: INT_MAX,
    aliases: ["min-slaves-max-lag"],
  },
  {
    name: "repl-ping-replica-period",
    kind: "int",
    default: "10",
    min: 1,
    max: INT_MAX,
    aliases: ["repl-ping-slave-period"],
  },
  // Replica side (lib/server/replica.ts); replicaof is set by the config file or REPLICAOF.
  {
    name: "replicaof",
    aliases: ["slaveof"],
    kind: "string",
    default: "",
    immutable: true,
    validate: (v) =>
      v === "" || /^\S+ \d+$/.test(v) && Number(v.split(" ")[1]) <= 65535
        ? null
        : "Invalid master port",
  },
  { name: "masterauth", kind: "string", default: "" },
  { name: "masteruser", kind: "string", default: "" },
  { name: "replica-read-only", kind: "bool", default: "yes", aliases: ["slave-read-only"] },
  {
    name: "replica-serve-stale-data",
    kind: "bool",
    default: "yes",
    aliases: ["slave-serve-stale-data"],
  },
  {
    name: "replica-ignore-maxmemory",
    kind: "bool",
    default: "yes",
    aliases: ["slave-ignore-maxmemory"],
  },
  { name: "repl-timeout", kind: "int", default: "60", min: 1, max: INT_MAX },
  {
    name: "repl-diskless-load",
    kind: "enum",
    default: "disabled",
    values: ["disabled", "on-empty-db", "swapdb"],
  },
  { name: "repl-diskless-sync", kind: "bool", default: "yes" },
  // Kept and shown: the stream goes out once per event-loop turn whatever it says.
  { name: "repl-disable-tcp-nodelay", kind: "bool", default: "no" },
  { name: "repl-diskless-sync-delay", kind: "int", default: "5", min: 0, max: INT_MAX },
  { name: "repl-diskless-sync-max-replicas", kind: "int", default: "0", min: 0, max: INT_MAX },
  {
    name: "replica-priority",
    kind: "int",
    default: "100",
    min: 0,
    max: INT_MAX,
    aliases: ["slave-priority"],
  },
  { name: "replica-announce-ip", kind: "string", default: "", aliases: ["slave-announce-ip"] },
  {
    name: "replica-announce-port",
    kind: "int",
    default: "0",
    min: 0,
    max: 65535,
    aliases: ["slave-announce-port"],
  },
  { name: "replica-announced", kind: "bool", default: "yes" },
  { name: "replica-lazy-flush", kind: "bool", default: "no", aliases: ["slave-lazy-flush"] },
  // Kept and shown: a redeno replica applies its master's stream whatever its own disk
  // errors (Redis with "no" stops the replica instead).
  { name: "replica-ignore-disk-write-errors", kind: "bool", default: "no" },
  // Seconds a shutdown waits for replicas to acknowledge the whole stream (SHUTDOWN NOW: none).
  { name: "shutdown-timeout", kind: "int", default: "10", min: 0, max: INT_MAX },
  { name: "latency-tracking", kind: "bool", default: "yes" },
  {
    name: "notify-keyspace-events",
    kind: "string",
    default: "",
    validate: (v) =>
      parseNotifyFlags(v) === null ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." : null,
    // Stored with every class it enables; shown as Redis prints it ("A" hides "n").
    adjust: (v) => notifyFlagsFull(parseNotifyFlags(v as string)!),
    show: (v) => formatNotifyFlags(parseNotifyFlags(v)!),
  },
  { name: "tracking-table-max-keys", kind: "int", default: "1000000", min: 0, max: LLONG_MAX },
  {
    name: "latency-tracking-info-percentiles",
    kind: "string",
    default: "50 99 99.9",
    validate: (v) => typeof parsePercentiles(v) === "string" ? parsePercentiles(v) as string : null,
    adjust: (v) => (parsePercentiles(v as string) as number[]).map(formatPercentile).join(" "),
  },
  {
    name: "hz",
    kind: "int",
    default: "10",
    min: 0,
    max: INT_MAX,
    adjust: (v) => Math.min(Math.max(v as number, 1), 500),
  },
  {
    name: "busy-reply-threshold",
    aliases: ["lua-time-limit"],
    kind: "int",
    default: "5000",
    min: 0,
    max: LLONG_MAX,
  },
  {
    name: "hash-max-listpack-entries",
    aliases: ["hash-max-ziplist-entries"],
    kind: "int",
    default: "512",
    min: 0,
    max: LLONG_MAX,
  },
  {
    name: "hash-max-listpack-value",
    aliases: ["hash-max-ziplist-value"],
    kind: "memory",
    default: "64",
    min: 0,
    max: LLONG_MAX,
  },
  {
    name: "list-max-listpack-size",
    aliases: ["list-max-ziplist-size"],
    kind: "int",
    default: "-2",
    min: -INT_MAX - 1,
    max: INT_MAX,
  },
  { name: "list-compress-depth", kind: "int", default: "0", min: 0, max: INT_MAX },
  { name: "set-max-intset-entries", kind: "int", default: "512", min: 0, max: LLONG_MAX },
  {
    name: "zset-max-listpack-entries",
    aliases: ["zset-max-ziplist-entries"],
    kind: "int",
    default: "128",
    min: 0,
    max: LLONG_MAX,
  },
  {
    name: "zset-max-listpack-value",
    aliases: ["zset-max-ziplist-value"],
    kind: "memory",
    default: "64",
    min: 0,
    max: LLONG_MAX,
  },
  { name: "stream-node-max-bytes", kind: "memory", default: "4096", min: 0, max: LLONG_MAX },
  { name: "stream-node-max-entries", kind: "int", default: "100", min: 0, max: LLONG_MAX },
  { name: "hll-sparse-max-bytes", kind: "memory", default: "3000", min: 0, max: LLONG_MAX },
  { name: "maxmemory", kind: "memory", default: "0", min: 0, max: ULLONG_MAX },
  {
    name: "maxmemory-policy",
    kind: "enum",
    default: "noeviction",
    values: [
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "noeviction",
    ],
  },
  { name: "maxmemory-samples", kind: "int", default: "5", min: 1, max: INT_MAX },
  { name: "maxmemory-eviction-tenacity", kind: "int", default: "10", min: 0, max: 100 },
  {
    // Bytes, or a percentage of maxmemory ("10%"), as Redis's PERCENT_CONFIG memory options.
    name: "maxmemory-clients",
    kind: "string",
    default: "0",
    validate: validateMemoryOrPercent,
    adjust: (v) => normalizeMemoryOrPercent(v as string),
  },
  { name: "lfu-log-factor", kind: "int", default: "10", min: 0, max: INT_MAX },
  { name: "lfu-decay-time", kind: "int", default: "1", min: 0, max: INT_MAX },
  { name: "daemonize", kind: "bool", default: "no", immutable: true },
  { name: "protected-mode", kind: "bool", default: "yes" },
  { name: "tcp-keepalive", kind: "int", default: "300", min: 0, max: INT_MAX },
  { name: "tcp-backlog", kind: "int", default: "511", min: 0, max: INT_MAX, immutable: true },
  { name: "bind-source-addr", kind: "string", default: "" },
  { name: "unixsocket", kind: "string", default: "", immutable: true },
  {
    name: "unixsocketperm",
    kind: "string",
    default: "0",
    immutable: true,
    // An octal number, shown in octal (Redis's OCTAL_CONFIG); read with parseInt(v, 8).
    validate: (v) =>
      !/^-?[0-7]+$/.test(v)
        ? "argument couldn't be parsed as an octal number"
        : parseInt(v, 8) < 0 || parseInt(v, 8) > 0o777
        ? "argument must be between 0 and 777 inclusive"
        : null,
    adjust: (v) => parseInt(v as string, 8).toString(8),
  },
  // TLS (lib/server/listeners.ts). The session, DH, cipher, cluster,
  // replication and client-side options are kept and shown; see README, TLS.
  { name: "tls-port", kind: "int", default: "0", min: 0, max: 65535 },
  { name: "tls-cert-file", kind: "string", default: "" },
  { name: "tls-key-file", kind: "string", default: "" },
  { name: "tls-key-file-pass", kind: "string", default: "" },
  { name: "tls-client-cert-file", kind: "string", default: "" },
  { name: "tls-client-key-file", kind: "string", default: "" },
  { name: "tls-client-key-file-pass", kind: "string", default: "" },
  { name: "tls-dh-params-file", kind: "string", default: "" },
  { name: "tls-ca-cert-file", kind: "string", default: "" },
  { name: "tls-ca-cert-dir", kind: "string", default: "" },
  { name: "tls-protocols", kind: "string", default: "" },
  { name: "tls-ciphers", kind: "string", default: "" },
  { name: "tls-ciphersuites", kind: "string", default: "" },
  { name: "tls-auth-clients", kind: "enum", default: "yes", values: ["no", "yes", "optional"] },
  { name: "tls-prefer-server-ciphers", kind: "bool", default: "no" },
  { name: "tls-session-caching", kind: "bool", default: "yes" },
  { name: "tls-session-cache-size", kind: "int", default: "20480", min: 0, max: INT_MAX },
  { name: "tls-session-cache-timeout", kind: "int", default: "300", min: 0, max: INT_MAX },
  { name: "tls-cluster", kind: "bool", default: "no" },
  { name: "tls-replication", kind: "bool", default: "no" },
  { name: "stop-writes-on-bgsave-error", kind: "bool", default: "yes" },
  { name: "rdbcompression", kind: "bool", default: "yes" },
  { name: "rdbchecksum", kind: "bool", default: "yes", immutable: true },
  { name: "aof-load-truncated", kind: "bool", default: "yes" },
  { name: "aof-use-rdb-preamble", kind: "bool", default: "yes" },
  { name: "no-appendfsync-on-rewrite", kind: "bool", default: "no" },
  {
    name: "enable-protected-configs",
    kind: "enum",
    default: "no",
    values: PROTECTION,
    immutable: true,
  },
  {
    name: "enable-debug-command",
    kind: "enum",
    default: "no",
    values: PROTECTION,
    immutable: true,
  },
  {
    name: "enable-module-command",
    kind: "enum",
    default: "no",
    values: PROTECTION,
    immutable: true,
  },
];

/**
 * latency-tracking-info-percentiles: space-separated doubles in 0..100 (""
 * is none), or Redis's error text.
 */
export function parsePercentiles(v: string): number[] | string {
  if (v === "") return [];
  const out: number[] = [];
  for (const word of v.split(" ")) {
    // Redis's string2d: all of the word, no leading space, no nan.
    const r = strtod(word);
    if (
      word === "" || r.end !== word.length || isCSpace(word.charCodeAt(0)) || isNaN(r.value) ||
      (r.erange && (!isFinite(r.value) || r.value === 0))
    ) {
      return "Invalid latency-tracking-info-percentiles parameters";
    }
    if (r.value > 100 || r.value < 0) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    out.push(r.value);
  }
  return out;
}

/** A memory value or a percentage ("10%", up to 100%), as Redis's percent memory options. */
function validateMemoryOrPercent(v: string): string | null {
  if (v.endsWith("%")) {
    const n = parseStrictInt(v.slice(0, -1));
    if (n === null || n < 0n) return "argument must be a memory or percent value";
    if (n > 100n) return "percentage argument must be less or equal to 100";
    return null;
  }
  const m = parseMemory(v);
  if (m === null || (typeof m === "bigint" ? m > LLONG_MAX : false)) {
    return "argument must be a memory or percent value";
  }
  return null;
}

/** CONFIG GET's form of a percent memory option: "10%", or the bytes ("1mb" -> "1048576"). */
function normalizeMemoryOrPercent(v: string): string {
  if (v.endsWith("%")) return v === "0%" ? "0" : `${parseStrictInt(v.slice(0, -1))}%`;
  return String(parseMemory(v));
}

/** A percentile as Redis prints it: %f without trailing zeros ("99.9", "50"). */
export function formatPercentile(p: number): string {
  const s = p.toFixed(6);
  return s.replace(/\.?0+$/, "");
}

/**
 * A configuration error. `message` is the text to show: CONFIG SET puts it
 * after "possibly related to argument"; start-up prints it as it is.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Start-up: print as a log line (Redis logs these) rather than raw on stderr. */
    readonly asLog = false,
  ) {
    super(message);
  }
}

const byName = new Map<string, OptionSpec>();
for (const o of OPTIONS) {
  byName.set(o.name, o);
  for (const a of o.aliases ?? []) byName.set(a, o);
}

/** Finds an option by name or alias, case-insensitively. */
export function findOption(name: string): OptionSpec | undefined {
  return byName.get(name.toLowerCase());
}

const MEMORY_UNITS: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n ** 2n,
  mb: 1024n ** 2n,
  g: 1000n ** 3n,
  gb: 1024n ** 3n,
};

/**
 * Parses "1gb", "512mb", "100k" as Redis's memtoull does (digits then an
 * optional case-insensitive unit; no sign, no fraction); null when invalid.
 * Returns a number when safe, a bigint beyond 2^53.
 */
export function parseMemory(s: string): number | bigint | null {
  const m = /^(\d*)([a-z]*)$/i.exec(s);
  if (!m) return null;
  const mul = MEMORY_UNITS[m[2].toLowerCase()];
  if (mul === undefined) return null;
  const v = BigInt(m[1] === "" ? "0" : m[1]) * mul;
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Redis's string2ll: optional '-', digits, no leading zeros, no '+', no spaces. */
function parseStrictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9]\d*)$/.test(s) || s.length > 20) return null;
  const v = BigInt(s);
  return v > LLONG_MAX || v < -LLONG_MAX - 1n ? null : v;
}

export type SavePoint = { seconds: number; changes: number };

/** Client classes of client-output-buffer-limit, in CONFIG GET's order. */
export const OBUF_CLASSES = ["normal", "slave", "pubsub"] as const;
/** A client class of client-output-buffer-limit. */
export type ObufClass = typeof OBUF_CLASSES[number];
/** One class's output buffer limits: bytes (0 = none) and the soft limit's seconds. */
export interface ObufLimit {
  hard: bigint;
  soft: bigint;
  seconds: number;
}
/** client-output-buffer-limit: the limits of every class. */
export type ObufLimits = Readonly<Record<ObufClass, ObufLimit>>;

/** Parsed value of one option. */
export type OptionValue =
  | string
  | number
  | bigint
  | boolean
  | SavePoint[]
  | string[]
  | ObufLimits;

function parseSave(args: string[]): SavePoint[] {
  if (args.length === 1 && args[0] === "") return [];
  const parts = args.length === 1 ? args[0].split(" ").filter((p) => p !== "") : args;
  if (parts.length === 0 || parts.length % 2 !== 0) {
    throw new ConfigError("Invalid save parameters");
  }
  const points: SavePoint[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const seconds = parseStrictInt(parts[i]);
    const changes = parseStrictInt(parts[i + 1]);
    if (seconds === null || changes === null || seconds < 1n || changes < 0n) {
      throw new ConfigError("Invalid save parameters");
    }
    points.push({ seconds: Number(seconds), changes: Number(changes) });
  }
  return points;
}

/**
 * Redis's memtoull: digits (up to 127) and an optional unit; more than
 * 2^64-1 saturates, and the unit's product wraps around 2^64 as in C.
 */
function memtoull(s: string): bigint | null {
  const m = /^(\d*)([\s\S]*)$/.exec(s)!;
  const mul = MEMORY_UNITS[m[2].toLowerCase()];
  if (mul === undefined || m[1].length >= 128) return null;
  const v = m[1] === "" ? 0n : BigInt(m[1]);
  return ((v > ULLONG_MAX ? ULLONG_MAX : v) * mul) & ULLONG_MAX;
}

/**
 * The soft limit's seconds as Redis reads them: strtoll (leading spaces, a
 * sign, the rest must be digits; "" is 0) stored in a C int; negative is
 * refused.
 */
function parseSoftSeconds(s: string): number | null {
  if (s === "") return 0;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (!m) return null;
  let v = BigInt(m[2]);
  if (m[1] === "-") v = -v;
  if (v > LLONG_MAX) v = LLONG_MAX;
  if (v < -LLONG_MAX - 1n) v = -LLONG_MAX - 1n;
  const n = Number(BigInt.asIntN(32, v));
  return n < 0 ? null : n;
}

const NO_LIMITS: ObufLimits = {
  normal: { hard: 0n, soft: 0n, seconds: 0 },
  slave: { hard: 0n, soft: 0n, seconds: 0 },
  pubsub: { hard: 0n, soft: 0n, seconds: 0 },
};

/**
 * client-output-buffer-limit: groups of "<class> <hard> <soft> <seconds>"
 * change those classes of `base` (the rest stay); all are checked before
 * any applies. One argument is CONFIG SET's form, split at every space.
 */
function parseObufLimits(args: string[], base: ObufLimits): ObufLimits {
  const parts = args.length !== 1 ? args : args[0] === "" ? [] : args[0].split(" ");
  if (parts.length % 4 !== 0) {
    throw new ConfigError("Wrong number of arguments in buffer limit configuration.");
  }
  const out = { ...base };
  for (let i = 0; i < parts.length; i += 4) {
    const name = parts[i].toLowerCase();
    const cls: ObufClass | null = name === "normal"
      ? "normal"
      : name === "slave" || name === "replica"
      ? "slave"
      : name === "pubsub"
      ? "pubsub"
      : null;
    if (cls === null) {
      throw new ConfigError("Invalid client class specified in buffer limit configuration.");
    }
    const hard = memtoull(parts[i + 1]);
    const soft = memtoull(parts[i + 2]);
    const seconds = parseSoftSeconds(parts[i + 3]);
    if (hard === null || soft === null || seconds === null) {
      throw new ConfigError(
        "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
      );
    }
    out[cls] = { hard, soft, seconds };
  }
  return out;
}

function parseValue(o: OptionSpec, args: string[]): OptionValue {
  if (o.kind === "save") return parseSave(args);
  if (o.kind === "obuf") return parseObufLimits(args, NO_LIMITS);
  if (o.kind === "bind") {
    const addrs = args.length === 1 ? args[0].split(" ").filter((p) => p !== "") : args;
    if (addrs.length > 16) throw new ConfigError("Too many bind addresses specified.");
    return addrs;
  }
  if (args.length !== 1) throw new ConfigError("wrong number of arguments");
  const v = args[0];
  switch (o.kind) {
    case "bool": {
      const l = v.toLowerCase();
      if (l === "yes") return true;
      if (l === "no") return false;
      throw new ConfigError("argument must be 'yes' or 'no'");
    }
    case "int":
    case "memory": {
      let n: bigint | null;
      if (o.kind === "memory") {
        const m = parseMemory(v);
        if (m === null) throw new ConfigError("argument must be a memory value");
        n = BigInt(m);
      } else {
        n = parseStrictInt(v);
        if (n === null) throw new ConfigError("argument couldn't be parsed into an integer");
      }
      const min = BigInt(o.min ?? -LLONG_MAX - 1n);
      const max = BigInt(o.max ?? LLONG_MAX);
      if (n < min || n > max) {
        throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
      }
      const out = n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(n)
        : n;
      return o.adjust ? o.adjust(out) : out;
    }
    case "enum": {
      const l = v.toLowerCase();
      if (!o.values!.includes(l)) {
        throw new ConfigError(`argument(s) must be one of the following: ${o.values!.join(", ")}`);
      }
      return l;
    }
    default: {
      const why = o.validate?.(v);
      if (why) throw new ConfigError(why);
      return o.adjust ? o.adjust(v) : v;
    }
  }
}

/** The value as CONFIG GET shows it. */
export function formatValue(o: OptionSpec, v: OptionValue): string {
  switch (o.kind) {
    case "bool":
      return v ? "yes" : "no";
    case "save":
      return (v as SavePoint[]).map((p) => `${p.seconds} ${p.changes}`).join(" ");
    case "bind":
      return (v as string[]).join(" ");
    case "obuf": {
      const l = v as ObufLimits;
      return OBUF_CLASSES.map((c) => `${c} ${l[c].hard} ${l[c].soft} ${l[c].seconds}`).join(" ");
    }
    default:
      return o.show ? o.show(v as string) : String(v);
  }
}

export class Config {
  readonly #values = new Map<string, OptionValue>();
  /**
   * Called after values change, to give them live effect (CONFIG SET). May
   * throw a ConfigError: the change is then rolled back.
   */
  onChange: ((name: string, value: OptionValue, old: OptionValue) => void) | null = null;
  /** The configuration file read at start-up (INFO config_file). */
  file = "";
  /** Its absolute path ("" without one): what CONFIG REWRITE writes. */
  filePath = "";
  /**
   * Lines of directives that are not options (`user`, `rename-command`), in
   * file order, for the parts that apply them when the server starts.
   */
  readonly directives: { name: string; args: string[] }[] = [];

  constructor() {
    for (const o of OPTIONS) this.#values.set(o.name, parseValue(o, [o.default]));
  }

  get(name: string): OptionValue {
    const v = this.#values.get(name);
    if (v === undefined) throw new Error(`unknown option ${name}`);
    return v;
  }

  /** A numeric option as a JS number (values past 2^53 lose precision). */
  num(name: string): number {
    return Number(this.get(name));
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  /** Sets an option from its textual arguments (start-up, tests); throws ConfigError. */
  set(name: string, args: string[]): void {
    const o = findOption(name);
    if (!o) throw new ConfigError("Bad directive or wrong number of arguments");
    const v = this.#parse(o, args);
    const old = this.get(o.name);
    this.#values.set(o.name, v);
    this.onChange?.(o.name, v, old);
  }

  #parse(o: OptionSpec, args: string[]): OptionValue {
    if (o.name === "dir") {
      if (args.length !== 1) throw new ConfigError("wrong number of arguments");
      try {
        if (!Deno.statSync(args[0]).isDirectory) throw new Deno.errors.NotADirectory();
        return Deno.realPathSync(args[0]);
      } catch (e) {
        throw new ConfigError(osErrorText(e));
      }
    }
    if (o.kind === "obuf") return parseObufLimits(args, this.get(o.name) as ObufLimits);
    return parseValue(o, args);
  }

  /** Formatted value of an option (CONFIG GET). */
  format(name: string): string {
    const o = findOption(name)!;
    return formatValue(o, this.get(o.name));
  }

  /**
   * CONFIG GET: name/value pairs for every pattern. An exact name (or alias)
   * is reported as asked; a glob matches names and aliases. No name twice.
   */
  getMatching(patterns: string[]): [string, string][] {
    const out = new Map<string, string>();
    for (const p of patterns) {
      if (!/[*?[]/.test(p)) {
        const o = findOption(p);
        if (o && !out.has(p)) out.set(p, formatValue(o, this.get(o.name)));
        continue;
      }
      for (const o of OPTIONS) {
        for (const name of [o.name, ...(o.aliases ?? [])]) {
          if (!out.has(name) && globMatch(p, name, true)) {
            out.set(name, formatValue(o, this.get(o.name)));
          }
        }
      }
    }
    return [...out];
  }

  /**
   * CONFIG SET of several pairs, all or nothing. Returns null on success or
   * the full error reply text.
   */
  setMany(args: string[]): string | null {
    if (args.length % 2 !== 0) return "ERR syntax error";
    const specs: OptionSpec[] = [];
    const seen = new Set<OptionSpec>();
    const fail = (arg: string, why: string) =>
      `ERR CONFIG SET failed (possibly related to argument '${arg}') - ${why}`;
    for (let i = 0; i < args.length; i += 2) {
      const o = findOption(args[i]);
      if (!o) return `ERR Unknown option or number of arguments for CONFIG SET - '${args[i]}'`;
      if (o.immutable) return fail(args[i], "can't set immutable config");
      if (o.protected && this.str("enable-protected-configs") === "no") {
        return fail(args[i], "can't set protected config");
      }
      if (seen.has(o)) return fail(args[i], "duplicate parameter");
      seen.add(o);
      specs.push(o);
    }
    const parsed: OptionValue[] = [];
    for (let i = 0; i < specs.length; i++) {
      try {
        parsed.push(this.#parse(specs[i], [args[2 * i + 1]]));
      } catch (e) {
        return fail(args[2 * i], (e as Error).message);
      }
    }
    const olds = specs.map((o) => this.get(o.name));
    specs.forEach((o, i) => this.#values.set(o.name, parsed[i]));
    const applied: number[] = [];
    for (let i = 0; i < specs.length; i++) {
      try {
        this.onChange?.(specs[i].name, parsed[i], olds[i]);
        applied.push(i);
      } catch (e) {
        // Roll everything back, re-applying the old values that took effect.
        specs.forEach((o, j) => this.#values.set(o.name, olds[j]));
        for (const j of applied) {
          try {
            this.onChange?.(specs[j].name, olds[j], parsed[j]);
          } catch {
            // best effort, as in Redis
          }
        }
        return fail(args[2 * i], (e as Error).message);
      }
    }
    return null;
  }
}

export interface LoadOptions {
  readFile?: (path: string) => string;
  /** Reads the whole standard input (for `-`). */
  readStdin?: () => string;
  /** Called for the log lines Redis prints while loading ("Reading config from stdin"). */
  log?: (line: string) => void;
}

/**
 * Builds the configuration the way redis-server does: an optional config
 * file, then standard input when `-` is given, then `--name value ...`
 * overrides as extra lines. Errors carry Redis's FATAL CONFIG FILE ERROR
 * text (with the line number counted over file + stdin + overrides).
 */
export function loadConfig(argv: string[], opts: LoadOptions = {}): Config {
  const readFile = opts.readFile ?? Deno.readTextFileSync;
  const config = new Config();
  let j = 0;
  let text = "";
  if (argv.length > 0 && !argv[0].startsWith("-")) {
    const file = argv[0];
    try {
      text = readFile(file);
    } catch (e) {
      throw new ConfigError(
        `Fatal error, can't open config file '${file}': ${osErrorText(e)}`,
        true,
      );
    }
    config.file = file;
    // Resolved now: the server changes to `dir` before CONFIG REWRITE needs it.
    config.filePath = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
    j = 1;
  }
  let fromStdin = false;
  const options: string[] = [];
  for (; j < argv.length; j++) {
    const a = argv[j];
    if (a === "-" && (j === 0 || j === argv.length - 1)) {
      fromStdin = true;
    } else if (a.startsWith("--")) {
      let line = a.slice(2) + " ";
      // "--save" with no value means save "" (as redis-server treats it).
      if (a === "--save" && (j + 1 === argv.length || argv[j + 1].startsWith("--"))) {
        line += '"" ';
      }
      options.push(line);
    } else if (options.length > 0) {
      options[options.length - 1] += repr(a) + " ";
    } else {
      options.push(repr(a) + " ");
    }
  }
  const fileLines = config.file ? text.split("\n").length : 0;
  if (fromStdin) {
    opts.log?.("Reading config from stdin");
    text += (opts.readStdin ?? readAllStdin)();
  }
  const inputLines = text.split("\n").length;
  if (options.length > 0) text += "\n" + options.join("\n");
  // Redis numbers lines over file + stdin + options; we also name the source.
  const origin = (index: number) =>
    index < fileLines
      ? `(in ${config.file})`
      : index < inputLines && fromStdin
      ? "(from standard input)"
      : "(from the command line)";
  applyConfigText(config, text, origin);
  return config;
}

/**
 * Checks of directive lines, registered by the parts that apply them
 * (rename-command: lib/server/rename.ts): Redis's fatal error text, or null.
 */
export const directiveChecks = new Map<string, (config: Config, args: string[]) => string | null>();

/** Config-file directives that are not options (kept in Config.directives). */
const DIRECTIVES = new Set(["user", "rename-command"]);

/**
 * Applies redis.conf text to `config`; throws ConfigError with Redis's fatal
 * text, followed on the line-number line by `origin(index)` when given.
 */
export function applyConfigText(
  config: Config,
  text: string,
  origin?: (index: number) => string,
): void {
  const lines = text.split("\n");
  let saveSeen = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "" || line.startsWith("#")) continue;
    const fail = (why: string) =>
      new ConfigError(
        `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_COMPAT_VERSION}) ***\n` +
          `Reading the configuration file, at line ${index + 1}` +
          (origin ? ` ${origin(index)}` : "") + "\n" +
          `>>> '${line}'\n${why}`,
      );
    const args = splitArgs(line);
    if (args === null) throw fail("Unbalanced quotes in configuration line");
    if (args.length === 0) continue;
    const directive = args[0].toLowerCase();
    if (DIRECTIVES.has(directive)) {
      const why = directiveChecks.get(directive)?.(config, args.slice(1));
      if (why) throw fail(why);
      config.directives.push({ name: directive, args: args.slice(1) });
      continue;
    }
    const o = findOption(args[0]);
    if (!o) throw fail("Bad directive or wrong number of arguments");
    // `replicaof <host> <port>`: one value, as `replicaof "<host> <port>"` gives.
    if (o.name === "replicaof" && args.length === 3) args.splice(1, 2, `${args[1]} ${args[2]}`);
    const multi = o.kind === "save" || o.kind === "bind" || o.kind === "obuf";
    // A bare client-output-buffer-limit line sets no class (Redis takes it).
    if ((args.length < 2 && o.kind !== "obuf") || (!multi && args.length !== 2)) {
      throw fail("wrong number of arguments");
    }
    try {
      if (o.kind === "obuf" && args.length === 2) {
        // One non-empty argument is split as a line ("--name 'a b c d'"); "" is one argument.
        if (args[1] === "") {
          throw new ConfigError("Wrong number of arguments in buffer limit configuration.");
        }
        args.splice(1, 1, ...(splitArgs(args[1]) ?? []));
        if (args.length === 2) args.push(""); // one word stays one argument (not split again)
      }
      if (o.kind === "save" && saveSeen && !(args.length === 2 && args[1] === "")) {
        // Further save lines add points to the first one's.
        const more = parseSave(args.slice(1));
        const all = [...(config.get("save") as SavePoint[]), ...more];
        config.set("save", [all.map((p) => `${p.seconds} ${p.changes}`).join(" ")]);
      } else {
        config.set(o.name, args.slice(1));
      }
      if (o.kind === "save") saveSeen = true;
    } catch (e) {
      throw fail((e as Error).message);
    }
  }
}

/** The line CONFIG REWRITE puts before the options it appends (Redis's signature). */
export const REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE";

/** Directives of the file that CONFIG REWRITE keeps although they are no options. */
const REWRITE_KNOWN = new Set(["include", "rename-command", "user", "loadmodule", "sentinel"]);

/** Bytes as Redis's rewriteConfigFormatMemory writes them: gb, mb or kb when whole, else bytes. */
export function formatMemoryUnits(bytes: number | bigint): string {
  const b = BigInt(bytes);
  for (const [unit, size] of [["gb", 1n << 30n], ["mb", 1n << 20n], ["kb", 1n << 10n]] as const) {
    if (b !== 0n && b % size === 0n) return `${b / size}${unit}`;
  }
  return String(b);
}

/**
 * CONFIG REWRITE as Redis 7.0's rewriteConfig: the old file's lines are
 * kept (trimmed; lines naming nothing known become "# ??? " comments); the
 * line of each option is replaced by its current value (extra lines of a
 * multi-line option, and lines of options with nothing to write, are
 * blanked); options not in the file are appended after the "# Generated by
 * CONFIG REWRITE" line when they differ from their defaults (dir, save and
 * latency-tracking-info-percentiles always are); `users` replace the user
 * lines (null with an aclfile: user lines go); runs of blank lines become
 * one. `old` is the file's text ("" when there is none).
 */
export function rewriteConfigText(config: Config, old: string, users: string[] | null): string {
  const lines: string[] = [];
  /** Old lines of each option (canonical name) not reused yet. */
  const lineOf = new Map<string, number[]>();
  let needsSignature = true;
  for (const raw of old === "" ? [] : old.split("\n")) {
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "" || line[0] === "#") {
      if (needsSignature && line === REWRITE_SIGNATURE) needsSignature = false;
      lines.push(line);
      continue;
    }
    const args = splitArgs(line);
    const word = args !== null && args.length !== 0 ? args[0].toLowerCase() : "";
    const o = findOption(word);
    if (o === undefined && !REWRITE_KNOWN.has(word)) {
      lines.push(`# ??? ${line}`);
      continue;
    }
    const name = o?.name ?? word;
    lines.push(line);
    const at = lineOf.get(name);
    if (at === undefined) lineOf.set(name, [lines.length - 1]);
    else at.push(lines.length - 1);
  }
  const processed = new Set<string>();
  const rewrite = (name: string, line: string, force: boolean) => {
    processed.add(name);
    const at = lineOf.get(name);
    if (at !== undefined && at.length !== 0) {
      lines[at.shift()!] = line;
    } else if (force) {
      if (needsSignature) {
        lines.push(REWRITE_SIGNATURE);
        needsSignature = false;
      }
      lines.push(line);
    }
  };
  for (const o of OPTIONS) {
    const name = o.name;
    const v = config.get(name);
    const def = parseValue(o, [o.default]);
    const differs = formatValue(o, v) !== formatValue(o, def);
    if (name === "save") {
      const points = v as SavePoint[];
      if (points.length === 0) rewrite(name, 'save ""', true);
      for (const p of points) rewrite(name, `save ${p.seconds} ${p.changes}`, true);
      processed.add(name);
    } else if (name === "dir") {
      // Redis writes its working directory (where `dir` took it).
      rewrite(name, `dir ${repr(Deno.cwd())}`, true);
    } else if (name === "latency-tracking-info-percentiles") {
      rewrite(name, `${name} ${v === "" ? '""' : v}`, true);
    } else if (name === "notify-keyspace-events") {
      rewrite(name, `${name} ${repr(config.format(name))}`, v !== "");
    } else if (name === "replicaof") {
      // `replicaof <host> <port>` while following a master; a master has no line.
      if (v !== "") rewrite(name, `${name} ${v}`, true);
      else processed.add(name);
    } else if (name === "requirepass" && v === "") {
      processed.add(name); // no password: no line at all
    } else if (o.kind === "bind") {
      if (differs) rewrite(name, `bind ${(v as string[]).join(" ")}`, true);
      else processed.add(name);
    } else if (o.kind === "obuf") {
      const l = v as ObufLimits;
      const d = def as ObufLimits;
      for (const cls of OBUF_CLASSES) {
        const x = l[cls];
        const force = x.hard !== d[cls].hard || x.soft !== d[cls].soft ||
          x.seconds !== d[cls].seconds;
        rewrite(
          name,
          `${name} ${cls === "slave" ? "replica" : cls} ${formatMemoryUnits(x.hard)} ` +
            `${formatMemoryUnits(x.soft)} ${x.seconds}`,
          force,
        );
      }
    } else if (o.kind === "memory") {
      rewrite(name, `${name} ${formatMemoryUnits(v as number | bigint)}`, differs);
    } else if (o.kind === "string") {
      rewrite(name, `${name} ${repr(v as string)}`, differs);
    } else {
      rewrite(name, `${name} ${formatValue(o, v)}`, differs);
    }
  }
  if (users !== null) {
    for (const u of users) rewrite("user", u, true);
  }
  processed.add("user");
  // Old lines of options rewritten with fewer lines (or none) go.
  for (const [name, at] of lineOf) {
    if (processed.has(name)) {
      for (const i of at) lines[i] = "";
    }
  }
  let out = "";
  let wasEmpty = false;
  for (const line of lines) {
    if (line === "") {
      if (wasEmpty) continue;
      wasEmpty = true;
    } else {
      wasEmpty = false;
    }
    out += line + "\n";
  }
  return out;
}

function readAllStdin(): string {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    chunks.push(buf.slice(0, n));
  }
  return new TextDecoder().decode(concatBytes(chunks));
}
