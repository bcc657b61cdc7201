/**
 * Seeded random differential test: thousands of string, hash and keyspace
 * commands over a tiny alphabet of keys, fields and values (binary,
 * integer-looking, float-looking, long), so commands collide, change types
 * and hit every error path. Each reply must be byte-identical to Redis's,
 * except replies whose order or value Redis leaves unspecified (compared
 * loosely, see `compare`). A failure names the seed, the step and the last 20
 * commands, so it can be replayed with REDENO_RANDOM_SEED=<seed>.
 */
import { decode, type Decoded, RespClient, scanAll } from "../support/resp_client.ts";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";

const STEPS = Number(Deno.env.get("REDENO_RANDOM_STEPS") ?? 4000);
const SEEDS = Deno.env.get("REDENO_RANDOM_SEED")
  ? [Number(Deno.env.get("REDENO_RANDOM_SEED"))]
  : [1, 2, 3, 4, 5, 6, 7, 8];

const KEYS = ["k1", "k2", "k3", "h1", "h2", "5", "-1", "bin\x00\xff\r\n", "{t}x"];
const FIELDS = ["f1", "f2", "f3", "10", "-3", "\x00", "x y", ""];
const LONG = "L".repeat(70); // longer than hash-max-listpack-value: converts hashes
const VALUES = [
  "",
  "v",
  "hello world",
  "0",
  "1",
  "-5",
  "10",
  "007",
  "+1",
  " 1",
  "123456789012",
  "9223372036854775807",
  "-9223372036854775808",
  "9223372036854775808",
  "3.5",
  "-0.25",
  "1e3",
  "1.5e+300",
  "inf",
  "nan",
  "0x10",
  "abc\x00\xff",
  "\r\n",
  LONG,
];
const BAD_NUMBERS = ["abc", "1.5", "", " 1", "99999999999999999999", "0x1", "1e2", "-"];

/** Far-future absolute expiry base: every absolute time is far from any relative one. */
const ABS_BASE = Math.floor(Date.now() / 1000) + 50_000_000;

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  key(): string {
    return this.pick(KEYS);
  }
  keys(min: number, max: number): string[] {
    return Array.from({ length: min + this.int(max - min + 1) }, () => this.key());
  }
  field(): string {
    return this.pick(FIELDS);
  }
  value(): string {
    return this.pick(VALUES);
  }
  /** An integer argument, or now and then a malformed one. */
  num(lo: number, hi: number): string {
    if (this.chance(0.06)) return this.pick(BAD_NUMBERS);
    return String(lo + this.int(hi - lo + 1));
  }
  /** An increment: small, huge, or malformed. */
  incr(): string {
    if (this.chance(0.05)) return this.pick(BAD_NUMBERS);
    if (this.chance(0.05)) {
      return this.pick(["9223372036854775807", "-9223372036854775808", "9223372036854775808"]);
    }
    return String(this.int(41) - 20);
  }
  float(): string {
    if (this.chance(0.06)) return this.pick(["abc", "", "nan", "inf", "1e400", "--1"]);
    return this.pick(["1", "-1", "0.1", "2.5", "-3.75", "1e3", "5.0e-2", "10", "0", "3"]);
  }
  /** A relative TTL, always long enough never to expire during the test. */
  seconds(): string {
    if (this.chance(0.04)) return this.pick(["0", "-1", "abc", "9223372036854775807"]);
    return String(1000 + 1000 * this.int(100));
  }
  millis(): string {
    if (this.chance(0.04)) return this.pick(["0", "-1", "abc", "9223372036854775807"]);
    return String(1_000_000 + 1000 * this.int(100_000));
  }
  /** An absolute time in seconds: far future (spread out) or long past. */
  unixSeconds(): string {
    if (this.chance(0.1)) return this.pick(["1", "1000000000"]);
    return String(ABS_BASE + 100_000 * this.int(50));
  }
  unixMillis(): string {
    if (this.chance(0.1)) return this.pick(["1", "1000000000000"]);
    return String((ABS_BASE + 100_000 * this.int(50)) * 1000);
  }
  index(): string {
    if (this.chance(0.05)) return this.pick(BAD_NUMBERS);
    return String(this.int(30) - 12);
  }
}

type Maker = (g: Gen) => string[];

function setOptions(g: Gen): string[] {
  const out: string[] = [];
  if (g.chance(0.3)) out.push(g.pick(["NX", "XX"]));
  if (g.chance(0.4)) {
    const opt = g.pick(["EX", "PX", "EXAT", "PXAT", "KEEPTTL"]);
    if (opt === "EX") out.push("EX", g.seconds());
    else if (opt === "PX") out.push("PX", g.millis());
    else if (opt === "EXAT") out.push("EXAT", g.unixSeconds());
    else if (opt === "PXAT") out.push("PXAT", g.unixMillis());
    else out.push("KEEPTTL");
  }
  if (g.chance(0.25)) out.push("GET");
  if (g.chance(0.03)) out.push(g.pick(["EX", "NX", "BOGUS", "PX"])); // conflicts, syntax errors
  // Options in any order.
  for (let i = out.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    if (/^[A-Z]+$/.test(out[i]) && /^[A-Z]+$/.test(out[j]) && g.chance(0.3)) {
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

function expireOptions(g: Gen, absolute: boolean): string[] {
  // GT/LT only with absolute times: with relative ones, two equal TTLs set a
  // few milliseconds apart compare differently depending on timing.
  const opts = absolute ? ["NX", "XX", "GT", "LT"] : ["NX", "XX"];
  if (!g.chance(0.4)) return [];
  const out = [g.pick(opts)];
  if (g.chance(0.1)) out.push(g.pick(["NX", "XX", "GT", "LT", "FOO"]));
  return out;
}

const MAKERS: [number, Maker][] = [
  // strings
  [8, (g) => ["SET", g.key(), g.value(), ...setOptions(g)]],
  [6, (g) => ["GET", g.key()]],
  [2, (g) => ["GETSET", g.key(), g.value()]],
  [2, (g) => ["GETDEL", g.key()]],
  [3, (g) => {
    const opt = g.pick(["", "EX", "PX", "EXAT", "PXAT", "PERSIST", "BAD"]);
    const k = g.key();
    if (opt === "") return ["GETEX", k];
    if (opt === "EX") return ["GETEX", k, "EX", g.seconds()];
    if (opt === "PX") return ["GETEX", k, "PX", g.millis()];
    if (opt === "EXAT") return ["GETEX", k, "EXAT", g.unixSeconds()];
    if (opt === "PXAT") return ["GETEX", k, "PXAT", g.unixMillis()];
    if (opt === "PERSIST") return ["GETEX", k, "PERSIST"];
    return ["GETEX", k, "EX", g.seconds(), "PERSIST"];
  }],
  [2, (g) => ["SETNX", g.key(), g.value()]],
  [2, (g) => ["SETEX", g.key(), g.seconds(), g.value()]],
  [2, (g) => ["PSETEX", g.key(), g.millis(), g.value()]],
  [3, (g) => {
    const n = 1 + g.int(3);
    const args = ["MSET"];
    for (let i = 0; i < n; i++) args.push(g.key(), g.value());
    return args;
  }],
  [2, (g) => {
    const n = 1 + g.int(3);
    const args = ["MSETNX"];
    for (let i = 0; i < n; i++) args.push(g.key(), g.value());
    return args;
  }],
  [3, (g) => ["MGET", ...g.keys(1, 4)]],
  [3, (g) => ["APPEND", g.key(), g.value()]],
  [2, (g) => ["STRLEN", g.key()]],
  [2, (g) => ["GETRANGE", g.key(), g.index(), g.index()]],
  [1, (g) => ["SUBSTR", g.key(), g.index(), g.index()]],
  [2, (g) => {
    const off = g.chance(0.05) ? g.pick(["-1", "abc", "536870912"]) : String(g.int(80));
    return ["SETRANGE", g.key(), off, g.value()];
  }],
  [3, (g) => ["INCR", g.key()]],
  [2, (g) => ["DECR", g.key()]],
  [3, (g) => ["INCRBY", g.key(), g.incr()]],
  [2, (g) => ["DECRBY", g.key(), g.incr()]],
  [3, (g) => ["INCRBYFLOAT", g.key(), g.float()]],
  [1, (g) => {
    const args = ["LCS", g.key(), g.key()];
    const mode = g.int(4);
    if (mode === 1) args.push("LEN");
    if (mode === 2) args.push("IDX");
    if (mode === 3) args.push("IDX", "MINMATCHLEN", g.num(0, 3), "WITHMATCHLEN");
    return args;
  }],
  // hashes
  [7, (g) => {
    const n = 1 + g.int(3);
    const args = ["HSET", g.key()];
    for (let i = 0; i < n; i++) args.push(g.field(), g.value());
    return args;
  }],
  [2, (g) => ["HSETNX", g.key(), g.field(), g.value()]],
  [2, (g) => {
    const n = 1 + g.int(2);
    const args = ["HMSET", g.key()];
    for (let i = 0; i < n; i++) args.push(g.field(), g.value());
    return args;
  }],
  [4, (g) => ["HGET", g.key(), g.field()]],
  [2, (g) => ["HMGET", g.key(), g.field(), g.field()]],
  [3, (g) => ["HDEL", g.key(), g.field(), ...(g.chance(0.3) ? [g.field()] : [])]],
  [2, (g) => ["HEXISTS", g.key(), g.field()]],
  [3, (g) => ["HGETALL", g.key()]],
  [2, (g) => ["HKEYS", g.key()]],
  [2, (g) => ["HVALS", g.key()]],
  [2, (g) => ["HLEN", g.key()]],
  [2, (g) => ["HSTRLEN", g.key(), g.field()]],
  [3, (g) => ["HINCRBY", g.key(), g.field(), g.incr()]],
  [2, (g) => ["HINCRBYFLOAT", g.key(), g.field(), g.float()]],
  [1, (g) => ["HRANDFIELD", g.key(), ...(g.chance(0.5) ? [String(g.int(11) - 5)] : [])]],
  // keyspace
  [3, (g) => ["DEL", ...g.keys(1, 3)]],
  [1, (g) => ["UNLINK", ...g.keys(1, 3)]],
  [3, (g) => ["EXISTS", ...g.keys(1, 3)]],
  [3, (g) => ["TYPE", g.key()]],
  [2, (g) => ["RENAME", g.key(), g.key()]],
  [2, (g) => ["RENAMENX", g.key(), g.key()]],
  [2, (g) => {
    const args = ["COPY", g.key(), g.key()];
    if (g.chance(0.4)) args.push("REPLACE");
    if (g.chance(0.1)) args.push("DB", g.pick(["0", "1", "99", "x"]));
    return args;
  }],
  [1, (g) => ["TOUCH", ...g.keys(1, 3)]],
  [3, (g) => ["EXPIRE", g.key(), g.seconds(), ...expireOptions(g, false)]],
  [2, (g) => ["PEXPIRE", g.key(), g.millis(), ...expireOptions(g, false)]],
  [3, (g) => ["EXPIREAT", g.key(), g.unixSeconds(), ...expireOptions(g, true)]],
  [2, (g) => ["PEXPIREAT", g.key(), g.unixMillis(), ...expireOptions(g, true)]],
  [3, (g) => [g.pick(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), g.key()]],
  [2, (g) => ["PERSIST", g.key()]],
  [3, (g) => ["OBJECT", "ENCODING", g.key()]],
  [1, () => ["DBSIZE"]],
  [1, () => ["KEYS", "*"]],
  [1, (g) => ["KEYS", g.pick(["k*", "h?", "*\\x*", "[a-k]*", "-*"])]],
  [1, () => ["RANDOMKEY"]],
];

const TOTAL_WEIGHT = MAKERS.reduce((s, [w]) => s + w, 0);

/** One random command; now and then with an argument dropped or added. */
function makeCommand(g: Gen): string[] {
  let x = g.int(TOTAL_WEIGHT);
  let maker = MAKERS[0][1];
  for (const [w, m] of MAKERS) {
    if (x < w) {
      maker = m;
      break;
    }
    x -= w;
  }
  const cmd = maker(g);
  const roll = g.r();
  if (roll < 0.02 && cmd.length > 1) cmd.pop(); // wrong arity (or a different command shape)
  else if (roll < 0.04) cmd.push(g.value()); // one argument too many
  if (g.chance(0.05)) cmd[0] = cmd[0].toLowerCase();
  return cmd;
}

// ---------------------------------------------------------------- comparison

function sortedJson(items: Decoded[], pairs: boolean): string[] {
  const out: string[] = [];
  if (pairs) {
    for (let i = 0; i < items.length; i += 2) out.push(JSON.stringify([items[i], items[i + 1]]));
  } else {
    for (const x of items) out.push(JSON.stringify(x));
  }
  return out.sort();
}

function sameClass(a: Decoded, b: Decoded): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return (a < 0 || b < 0) ? a === b : true;
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Null when the replies agree, else why not. Exact bytes, except:
 * KEYS in any order; HGETALL/HKEYS/HVALS in any order once Redis says the
 * hash is a hashtable; TTL family by class only (-2, -1, or some TTL);
 * HRANDFIELD and RANDOMKEY by shape only.
 */
async function compare(
  o: Oracle,
  cmd: string[],
  mine: string,
  theirs: string,
): Promise<string | null> {
  if (mine === theirs) return null;
  const name = cmd[0].toUpperCase();
  const why = `redeno ${JSON.stringify(mine.slice(0, 300))}\n   redis  ${
    JSON.stringify(theirs.slice(0, 300))
  }`;
  if (theirs[0] === "-" || mine[0] === "-") return why;
  const a = decode(mine);
  const b = decode(theirs);
  switch (name) {
    case "KEYS":
      if (Array.isArray(a) && Array.isArray(b)) {
        return JSON.stringify(sortedJson(a, false)) === JSON.stringify(sortedJson(b, false))
          ? null
          : why;
      }
      return why;
    case "HGETALL":
    case "HKEYS":
    case "HVALS": {
      const enc = await o.redis.call("OBJECT", "ENCODING", cmd[1]);
      if (enc !== "$9\r\nhashtable\r\n") return why + "\n   (listpack: order must match)";
      if (Array.isArray(a) && Array.isArray(b)) {
        const pairs = name === "HGETALL";
        return JSON.stringify(sortedJson(a, pairs)) === JSON.stringify(sortedJson(b, pairs))
          ? null
          : why;
      }
      return why;
    }
    case "TTL":
    case "PTTL":
    case "EXPIRETIME":
    case "PEXPIRETIME":
      return sameClass(a, b) ? null : why;
    case "HRANDFIELD":
    case "RANDOMKEY":
      if (a === null || b === null) return a === b ? null : why;
      if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length ? null : why;
      return typeof a === typeof b ? null : why;
  }
  return why;
}

async function runSeed(o: Oracle, seed: number): Promise<void> {
  const g = new Gen(prng(seed));
  const history: string[] = [];
  const fail = (step: number, cmd: string[], why: string): never => {
    throw new Error(
      `seed ${seed} step ${step}: ${JSON.stringify(cmd)}\n   ${why}\n` +
        `last commands (replay: REDENO_RANDOM_SEED=${seed}):\n${history.join("\n")}`,
    );
  };
  for (let step = 0; step < STEPS; step++) {
    const cmd = makeCommand(g);
    history.push(`  #${step} ${JSON.stringify(cmd)}`);
    if (history.length > 20) history.shift();
    if (cmd[0] === "DBSIZE") {
      // Keys set with an absolute time already past (SET ... EXAT 1) count
      // until each server's active expiry reclaims them, at its own moment:
      // a full SCAN on both reclaims them first, so DBSIZE is comparable.
      await Promise.all([scanAll(o.redeno), scanAll(o.redis)]);
    }
    const [mine, theirs] = await Promise.all([o.redeno.call(...cmd), o.redis.call(...cmd)]);
    const why = await compare(o, cmd, mine, theirs);
    if (why) fail(step, cmd, why);
  }
  // The whole dataset must match at the end, key by key.
  const keysCmd = ["KEYS", "*"];
  const [mk, rk] = await Promise.all([o.redeno.call(...keysCmd), o.redis.call(...keysCmd)]);
  const why = await compare(o, keysCmd, mk, rk);
  if (why) fail(STEPS, keysCmd, why);
  for (const key of decode(rk) as string[]) {
    const type = await o.redis.call("TYPE", key);
    const checks = type === "+hash\r\n"
      ? [["TYPE", key], ["HGETALL", key], ["HLEN", key], ["OBJECT", "ENCODING", key]]
      : [["TYPE", key], ["GET", key], ["OBJECT", "ENCODING", key]];
    checks.push(["TTL", key]);
    for (const c of checks) {
      const [m, t] = await Promise.all([o.redeno.call(...c), o.redis.call(...c)]);
      const w = await compare(o, c, m, t);
      if (w) fail(STEPS, c, `final state: ${w}`);
    }
  }
  // The other database, written only by COPY ... DB 1.
  for (const c of [["SELECT", "1"], ["DBSIZE"], ["SELECT", "0"]]) {
    if (c[0] === "DBSIZE") await Promise.all([scanAll(o.redeno), scanAll(o.redis)]);
    const [m, t] = await Promise.all([o.redeno.call(...c), o.redis.call(...c)]);
    if (m !== t) fail(STEPS, c, `final state: redeno ${m} redis ${t}`);
  }
}

for (const seed of SEEDS) {
  oracleTest(`random: ${STEPS} commands, seed ${seed}`, async (o) => {
    await runSeed(o, seed);
  });
}

oracleTest("random: the same commands pipelined give the same byte stream", async (o) => {
  // One big write per server: exercises batching of replies to one input chunk.
  const g = new Gen(prng(777));
  const cmds = Array.from({ length: 500 }, () => makeCommand(g)).filter((c) => {
    const n = c[0].toUpperCase();
    return !["KEYS", "HGETALL", "HKEYS", "HVALS", "HRANDFIELD", "RANDOMKEY"].includes(n) &&
      !["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"].includes(n);
  });
  let input = "";
  for (const c of cmds) {
    input += `*${c.length}\r\n` + c.map((a) => `$${a.length}\r\n${a}\r\n`).join("");
  }
  const [a, b] = [
    await RespClient.connect(o.redenoServer.port),
    await RespClient.connect(o.redisServer.port),
  ];
  try {
    await Promise.all([a.send(input), b.send(input)]);
    for (let i = 0; i < cmds.length; i++) {
      const [m, t] = await Promise.all([a.reply(), b.reply()]);
      if (m !== t) {
        throw new Error(
          `pipelined #${i} ${JSON.stringify(cmds[i])}: redeno ${JSON.stringify(m)} redis ${
            JSON.stringify(t)
          }`,
        );
      }
    }
  } finally {
    a.close();
    b.close();
  }
});
