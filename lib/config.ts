/**
 * Configuration: one table of options drives redis.conf parsing, `--name
 * value` overrides, CONFIG GET (glob patterns) and CONFIG SET (validation and
 * live effect). Values are kept parsed; `format` gives them back the way
 * CONFIG GET shows them.
 */
import { splitArgs } from "./resp/splitargs.ts";
import { LOG_LEVELS } from "./log.ts";

export const REDIS_COMPAT_VERSION = "7.0.15";
export const REDENO_VERSION = "0.1.0";

export type OptionKind = "bool" | "int" | "memory" | "enum" | "string" | "save" | "bind";

export interface OptionSpec {
  name: string;
  aliases?: string[];
  kind: OptionKind;
  /** Default, as it would be written in redis.conf. */
  default: string;
  /** Cannot be changed by CONFIG SET. */
  immutable?: boolean;
  min?: number;
  max?: number;
  /** Allowed values of an enum. */
  values?: readonly string[];
}

const LL_MAX = Number.MAX_SAFE_INTEGER;

/** Every option redeno knows. */
export const OPTIONS: OptionSpec[] = [
  { name: "port", kind: "int", default: "6379", min: 0, max: 65535, immutable: true },
  { name: "bind", kind: "bind", default: "127.0.0.1 -::1", immutable: true },
  { name: "dir", kind: "string", default: "./" },
  { name: "dbfilename", kind: "string", default: "dump.rdb" },
  { name: "appendonly", kind: "bool", default: "yes" },
  { name: "appendfilename", kind: "string", default: "appendonly.aof", immutable: true },
  { name: "appenddirname", kind: "string", default: "appendonlydir", immutable: true },
  { name: "appendfsync", kind: "enum", default: "everysec", values: ["always", "everysec", "no"] },
  { name: "save", kind: "save", default: "1 1" },
  { name: "requirepass", kind: "string", default: "" },
  { name: "loglevel", kind: "enum", default: "notice", values: LOG_LEVELS },
  { name: "logfile", kind: "string", default: "", immutable: true },
  { name: "databases", kind: "int", default: "16", min: 1, max: 2147483647, immutable: true },
  { name: "maxclients", kind: "int", default: "10000", min: 1, max: 2147483647 },
  { name: "timeout", kind: "int", default: "0", min: 0, max: 2147483647 },
  {
    name: "proto-max-bulk-len",
    kind: "memory",
    default: "512mb",
    min: 1024 * 1024,
    max: LL_MAX,
  },
  {
    name: "client-query-buffer-limit",
    kind: "memory",
    default: "1gb",
    min: 1024 * 1024,
    max: LL_MAX,
  },
  { name: "slowlog-log-slower-than", kind: "int", default: "10000", min: -1, max: LL_MAX },
  { name: "slowlog-max-len", kind: "int", default: "128", min: 0, max: LL_MAX },
  { name: "hz", kind: "int", default: "10", min: 0, max: 2147483647 },
  {
    name: "hash-max-listpack-entries",
    aliases: ["hash-max-ziplist-entries"],
    kind: "int",
    default: "128",
    min: 0,
    max: LL_MAX,
  },
  {
    name: "hash-max-listpack-value",
    aliases: ["hash-max-ziplist-value"],
    kind: "int",
    default: "64",
    min: 0,
    max: LL_MAX,
  },
  { name: "maxmemory", kind: "memory", default: "0", min: 0, max: LL_MAX },
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
  { name: "lfu-log-factor", kind: "int", default: "10", min: 0, max: 2147483647 },
  { name: "lfu-decay-time", kind: "int", default: "1", min: 0, max: 2147483647 },
  { name: "daemonize", kind: "bool", default: "no", immutable: true },
  { name: "protected-mode", kind: "bool", default: "yes" },
  { name: "tcp-keepalive", kind: "int", default: "300", min: 0, max: 2147483647 },
  { name: "stop-writes-on-bgsave-error", kind: "bool", default: "yes" },
  { name: "rdbcompression", kind: "bool", default: "yes" },
  { name: "rdbchecksum", kind: "bool", default: "yes", immutable: true },
  { name: "aof-load-truncated", kind: "bool", default: "yes" },
  { name: "aof-use-rdb-preamble", kind: "bool", default: "yes" },
  {
    name: "appendfsync-no-rewrite",
    aliases: ["no-appendfsync-on-rewrite"],
    kind: "bool",
    default: "no",
  },
];

export class ConfigError extends Error {}

const byName = new Map<string, OptionSpec>();
for (const o of OPTIONS) {
  byName.set(o.name, o);
  for (const a of o.aliases ?? []) byName.set(a, o);
}

/** Finds an option by name or alias, case-insensitively. */
export function findOption(name: string): OptionSpec | undefined {
  return byName.get(name.toLowerCase());
}

/** Parses "1gb", "512mb", "100k" as Redis's memtoull does; null when invalid. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(s);
  if (!m) return null;
  const unit = (m[2] ?? "b").toLowerCase();
  const mul: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 ** 2,
    mb: 1024 ** 2,
    g: 1000 ** 3,
    gb: 1024 ** 3,
  };
  return Number(m[1]) * mul[unit];
}

export type SavePoint = { seconds: number; changes: number };

/** Parsed value of one option. */
export type OptionValue = string | number | boolean | SavePoint[] | string[];

function parseValue(o: OptionSpec, args: string[]): OptionValue {
  if (o.kind === "save") {
    if (args.length === 1 && args[0] === "") return [];
    const parts = args.length === 1 ? args[0].split(" ").filter((p) => p !== "") : args;
    if (parts.length % 2 !== 0) throw new ConfigError("Invalid save parameters");
    const points: SavePoint[] = [];
    for (let i = 0; i < parts.length; i += 2) {
      const seconds = Number(parts[i]);
      const changes = Number(parts[i + 1]);
      if (
        !/^\d+$/.test(parts[i]) || !/^\d+$/.test(parts[i + 1]) || seconds < 1 ||
        changes < 0
      ) {
        throw new ConfigError("Invalid save parameters");
      }
      points.push({ seconds, changes });
    }
    return points;
  }
  if (o.kind === "bind") {
    const addrs = args.length === 1 ? args[0].split(" ").filter((p) => p !== "") : args;
    if (addrs.length === 0) throw new ConfigError("Too many bind addresses specified.");
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
      const n = o.kind === "memory" ? parseMemory(v) : (/^-?\d+$/.test(v) ? Number(v) : null);
      if (n === null || !Number.isSafeInteger(n)) {
        throw new ConfigError(
          o.kind === "memory"
            ? "argument must be a memory value"
            : "argument couldn't be parsed into an integer",
        );
      }
      if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
        throw new ConfigError(`argument must be between ${o.min} and ${o.max} inclusive`);
      }
      return n;
    }
    case "enum": {
      const l = v.toLowerCase();
      if (!o.values!.includes(l)) {
        throw new ConfigError(`argument(s) must be one of the following: ${o.values!.join(", ")}`);
      }
      return l;
    }
    default:
      return v;
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
    default:
      return String(v);
  }
}

export class Config {
  readonly #values = new Map<string, OptionValue>();
  /** Called after a value changes, to give it live effect. */
  onChange: ((name: string, value: OptionValue) => void) | null = null;

  constructor() {
    for (const o of OPTIONS) this.#values.set(o.name, parseValue(o, [o.default]));
  }

  get(name: string): OptionValue {
    const v = this.#values.get(name);
    if (v === undefined) throw new Error(`unknown option ${name}`);
    return v;
  }

  num(name: string): number {
    return this.get(name) as number;
  }

  str(name: string): string {
    return this.get(name) as string;
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  /** Sets an option from its textual arguments; throws ConfigError. */
  set(name: string, args: string[]): void {
    const o = findOption(name);
    if (!o) throw new ConfigError("Bad directive or wrong number of arguments");
    const v = parseValue(o, args);
    this.#values.set(o.name, v);
    this.onChange?.(o.name, v);
  }

  /** Formatted value of an option (CONFIG GET). */
  format(name: string): string {
    const o = findOption(name)!;
    return formatValue(o, this.get(o.name));
  }
}

/**
 * Builds the configuration the way redis-server does: an optional config
 * file, then `--name value ...` overrides, applied as extra lines after the
 * file. Errors carry Redis's FATAL CONFIG FILE ERROR text.
 */
export function loadConfig(argv: string[], readFile = Deno.readTextFileSync): Config {
  const config = new Config();
  let i = 0;
  const sources: { file: string; lines: string[] }[] = [];
  if (argv.length > 0 && !argv[0].startsWith("--")) {
    const file = argv[0];
    let text: string;
    try {
      text = file === "-" ? "" : readFile(file);
    } catch (e) {
      throw new ConfigError(
        `Fatal error, can't open config file '${file}': ${(e as Error).message}`,
      );
    }
    sources.push({ file, lines: text.split("\n") });
    i = 1;
  }
  const overrides: string[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      overrides.push(a.slice(2));
    } else if (overrides.length > 0) {
      overrides[overrides.length - 1] += " " + quoteArg(a);
    } else {
      throw new ConfigError(`Invalid argument '${a}'`);
    }
  }
  if (overrides.length) sources.push({ file: "(command line)", lines: overrides });
  for (const { file, lines } of sources) {
    lines.forEach((raw, index) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const args = splitArgs(line);
      const fail = (why: string) =>
        new ConfigError(
          `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_COMPAT_VERSION}) ***\n` +
            `Reading the configuration file ${file}, at line ${index + 1}\n` +
            `>>> '${line}'\n${why}`,
        );
      if (args === null) throw fail("Unbalanced quotes in configuration line");
      if (args.length === 0) return;
      const o = findOption(args[0]);
      if (!o || args.length < 2) throw fail("Bad directive or wrong number of arguments");
      try {
        config.set(o.name, args.slice(1));
      } catch (e) {
        throw fail((e as Error).message);
      }
    });
  }
  return config;
}

function quoteArg(a: string): string {
  return /^[^\s"'\\]+$/.test(a) ? a : `"${a.replace(/["\\]/g, (m) => "\\" + m)}"`;
}
