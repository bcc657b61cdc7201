/**
 * Seeded random differential run of blocking pops with several clients per
 * server: a writer and two blockers, driven in lockstep on redeno and on a
 * real redis-server. Each round the blockers issue random BLPOP, BRPOP,
 * BRPOPLPUSH, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX or BZMPOP commands (timeout 0,
 * on a handful of shared keys, so they chain and compete), then the writer
 * runs random pushes, moves, pops, MULTI blocks, deletes and type changes;
 * what is left blocked is released by CLIENT UNBLOCK. Every reply of every
 * client must be byte-identical to Redis's.
 *
 * Deterministic, without sleeps: after a blocker sends its command, the test
 * waits for one of two definite states on each server — the reply arrived,
 * or INFO blocked_clients counts it — and both servers must agree on which.
 * After each writer command both servers must report the same number of
 * blocked clients, and the test waits for exactly the served replies.
 * Replay a failure with REDENO_BLOCKING_SEED=<seed>.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import { decode, encodeCommand, parseInfo, RespClient } from "../support/resp_client.ts";

const ROUNDS = Number(Deno.env.get("REDENO_BLOCKING_ROUNDS") ?? 120);
const SEEDS = Deno.env.get("REDENO_BLOCKING_SEED")
  ? [Number(Deno.env.get("REDENO_BLOCKING_SEED"))]
  : [1, 2, 3, 4];

const LIST_KEYS = ["q1", "q2", "q3"];
const ZSET_KEYS = ["zq1", "zq2"];
/** A key that is mostly a string: wrong types for every pop. */
const OTHER_KEY = "str";
const ALL_KEYS = [...LIST_KEYS, ...ZSET_KEYS, OTHER_KEY];
const VALUES = ["a", "b", "c", "1", "", "x y"];
const SCORES = ["1", "2", "-1", "0.5", "3", "inf"];

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
  /** A key of `keys`, now and then any key (a wrong type). */
  keyOf(keys: readonly string[]): string {
    return this.chance(0.08) ? this.pick(ALL_KEYS) : this.pick(keys);
  }
  keysOf(keys: readonly string[], min: number, max: number): string[] {
    return Array.from({ length: min + this.int(max - min + 1) }, () => this.keyOf(keys));
  }
  values(min: number, max: number): string[] {
    return Array.from({ length: min + this.int(max - min + 1) }, () => this.pick(VALUES));
  }
  pairs(min: number, max: number): string[] {
    const out: string[] = [];
    for (let n = min + this.int(max - min + 1); n > 0; n--) {
      out.push(this.pick(SCORES), this.pick(VALUES));
    }
    return out;
  }
  end(): string {
    return this.pick(["LEFT", "RIGHT"]);
  }
  /** A timeout: 0 (for ever) or one never reached; now and then a malformed one. */
  timeout(): string {
    if (this.chance(0.03)) return this.pick(["-1", "abc", "", "inf"]);
    return this.chance(0.8) ? "0" : "1000";
  }
}

/** A random blocking pop (it may be served at once, block, or fail). */
function blockingCommand(g: Gen, timeout = g.timeout()): string[] {
  switch (g.int(8)) {
    case 0:
      return ["BLPOP", ...g.keysOf(LIST_KEYS, 1, 3), timeout];
    case 1:
      return ["BRPOP", ...g.keysOf(LIST_KEYS, 1, 3), timeout];
    case 2:
      return ["BRPOPLPUSH", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS), timeout];
    case 3:
      return ["BLMOVE", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS), g.end(), g.end(), timeout];
    case 4: {
      const keys = g.keysOf(LIST_KEYS, 1, 3);
      const count = g.chance(0.5) ? ["COUNT", g.pick(["1", "2", "5"])] : [];
      return ["BLMPOP", timeout, String(keys.length), ...keys, g.end(), ...count];
    }
    case 5:
      return ["BZPOPMIN", ...g.keysOf(ZSET_KEYS, 1, 2), timeout];
    case 6:
      return ["BZPOPMAX", ...g.keysOf(ZSET_KEYS, 1, 2), timeout];
    default: {
      const keys = g.keysOf(ZSET_KEYS, 1, 2);
      const count = g.chance(0.5) ? ["COUNT", g.pick(["1", "2", "5"])] : [];
      return ["BZMPOP", timeout, String(keys.length), ...keys, g.pick(["MIN", "MAX"]), ...count];
    }
  }
}

/** The keys a blocking command waits on. */
function waitedKeys(cmd: string[]): string[] {
  switch (cmd[0]) {
    case "BRPOPLPUSH":
    case "BLMOVE":
      return [cmd[1]];
    case "BLMPOP":
    case "BZMPOP":
      return cmd.slice(3, 3 + Number(cmd[2]));
    default:
      return cmd.slice(1, -1);
  }
}

/** A write that gives `key` data of the type its name suggests (it may still meet a wrong type). */
function feed(g: Gen, key: string): string[] {
  if (ZSET_KEYS.includes(key)) {
    return g.chance(0.8)
      ? ["ZADD", key, ...g.pairs(1, 3)]
      : ["ZUNIONSTORE", key, "2", g.pick(ZSET_KEYS), g.pick(ZSET_KEYS)];
  }
  if (g.chance(0.8)) return [g.pick(["LPUSH", "RPUSH"]), key, ...g.values(1, 3)];
  return ["LMOVE", g.pick(LIST_KEYS), key, g.end(), g.end()];
}

/** A random writer command, or (when `multi`) now and then a MULTI block. */
function writerCommands(g: Gen, multi: boolean): string[][] {
  const roll = g.int(20);
  if (roll === 0 && multi) {
    // A transaction serves waiters only after EXEC, from its final data.
    const body = [writerCommand(g), writerCommand(g)];
    if (g.chance(0.4)) body.push(blockingCommand(g, "0")); // runs as its non-blocking form
    return [["MULTI"], ...body, ["EXEC"]];
  }
  return [writerCommand(g)];
}

function writerCommand(g: Gen): string[] {
  switch (g.int(22)) {
    case 0:
    case 1:
    case 2:
      return ["RPUSH", g.keyOf(LIST_KEYS), ...g.values(1, 3)];
    case 3:
    case 4:
      return ["LPUSH", g.keyOf(LIST_KEYS), ...g.values(1, 3)];
    case 5:
      return [g.pick(["LPUSHX", "RPUSHX"]), g.keyOf(LIST_KEYS), ...g.values(1, 2)];
    case 6:
      return ["LMOVE", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS), g.end(), g.end()];
    case 7:
      return ["RPOPLPUSH", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS)];
    case 8:
      return [g.pick(["LPOP", "RPOP"]), g.keyOf(LIST_KEYS), ...(g.chance(0.3) ? ["2"] : [])];
    case 9:
    case 10:
    case 11:
      return ["ZADD", g.keyOf(ZSET_KEYS), ...g.pairs(1, 3)];
    case 12:
      return ["ZINCRBY", g.keyOf(ZSET_KEYS), g.pick(SCORES), g.pick(VALUES)];
    case 13:
      return [g.pick(["ZPOPMIN", "ZPOPMAX"]), g.keyOf(ZSET_KEYS)];
    case 14:
      return ["ZUNIONSTORE", g.keyOf(ZSET_KEYS), "2", g.keyOf(ZSET_KEYS), g.keyOf(ZSET_KEYS)];
    case 15:
      return ["ZRANGESTORE", g.keyOf(ZSET_KEYS), g.keyOf(ZSET_KEYS), "0", "1"];
    case 16:
      return ["DEL", g.pick(ALL_KEYS)];
    case 17:
      return [g.pick(["RENAME", "COPY"]), g.pick(ALL_KEYS), g.pick(ALL_KEYS)];
    case 18:
      return ["SET", g.pick([OTHER_KEY, OTHER_KEY, ...LIST_KEYS, ...ZSET_KEYS]), "v"];
    case 19:
      return ["SADD", g.pick(ALL_KEYS), g.pick(VALUES)];
    case 20:
      return ["LMPOP", "2", g.keyOf(LIST_KEYS), g.keyOf(LIST_KEYS), g.end()];
    default:
      return ["ZMPOP", "1", g.keyOf(ZSET_KEYS), g.pick(["MIN", "MAX"]), "COUNT", "2"];
  }
}

async function blockedClients(c: RespClient): Promise<number> {
  const info = parseInfo(decode(await c.call("INFO", "clients")) as string);
  return Number(info.get("blocked_clients"));
}

/** A reply that may not have come yet: its promise, and the value once it has. */
class Pending {
  done = false;
  value = "";
  constructor(readonly promise: Promise<string>) {
    promise.then((v) => {
      this.done = true;
      this.value = v;
    }, () => {
      this.done = true;
      this.value = "<connection closed>";
    });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 1));

/** One server's side of the run: its clients and its observer connection. */
class Side {
  pending: (Pending | null)[] = [];
  ids: string[] = [];
  constructor(readonly observer: RespClient, readonly clients: RespClient[]) {
    this.pending = clients.map(() => null);
  }

  async send(i: number, cmd: string[]): Promise<void> {
    await this.clients[i].send(encodeCommand(cmd));
  }

  /**
   * Waits until client i's reply came (returns it) or `blocked` clients are
   * blocked (returns null: the reply stays pending).
   */
  async settle(i: number, blocked: number): Promise<string | null> {
    const p = new Pending(this.clients[i].reply());
    for (let tries = 0;; tries++) {
      if (p.done) return p.value;
      if (await blockedClients(this.observer) === blocked) {
        // Counted as blocked only if its reply did not come meanwhile.
        if (p.done) return p.value;
        this.pending[i] = p;
        return null;
      }
      // The bound only stops a hung test; nothing here measures speed.
      if (tries > 20_000) throw new Error(`client ${i} neither replied nor blocked`);
      await tick();
    }
  }

  /** Waits until exactly `n` of the pending blockers have their replies; returns which, in order. */
  async served(n: number): Promise<number[]> {
    for (let tries = 0;; tries++) {
      const done = this.pending.flatMap((p, i) => (p?.done ? [i] : []));
      if (done.length >= n) return done;
      if (tries > 20_000) throw new Error(`expected ${n} served blockers, saw ${done.length}`);
      await tick();
    }
  }

  /** The served reply of blocker i (it is no longer pending). */
  take(i: number): string {
    const p = this.pending[i]!;
    this.pending[i] = null;
    return p.value;
  }
}

let warned = false;

async function runSeed(o: Oracle, seed: number): Promise<void> {
  const resp3 = seed % 2 === 0;
  const g = new Gen(prng(seed));
  const history: string[] = [];
  const fail = (what: string, mine: string, theirs: string): never => {
    throw new Error(
      `seed ${seed}: ${what}\n   redeno ${JSON.stringify(mine.slice(0, 300))}\n   redis  ${
        JSON.stringify(theirs.slice(0, 300))
      }\nlast steps (replay: REDENO_BLOCKING_SEED=${seed}):\n${history.join("\n")}`,
    );
  };
  const log = (s: string) => {
    history.push(`  ${s}`);
    if (history.length > 30) history.shift();
  };
  // Client 0 writes; clients 1 and 2 block.
  const sides: Side[] = [];
  for (const server of [o.redenoServer, o.redisServer]) {
    const clients: RespClient[] = [];
    for (let i = 0; i < 3; i++) clients.push(await RespClient.connect(server.port));
    sides.push(new Side(await RespClient.connect(server.port), clients));
  }
  const [mine, theirs] = sides;
  // Transactions join the mix once redeno has them.
  const multi = (decode(await o.redeno.call("COMMAND", "INFO", "MULTI")) as unknown[])[0] !== null;
  if (!multi && !warned) console.warn("random blocking: redeno has no MULTI yet: no transactions");
  warned = true;
  try {
    for (const side of sides) {
      for (const c of side.clients) {
        side.ids.push(String(decode(await c.call("CLIENT", "ID"))));
        // HELLO replies differ (server name, version, client id): not compared.
        if (resp3) await c.call("HELLO", "3");
      }
    }
    /** Sends `cmds` from client i on both servers and compares each reply. */
    const call = async (i: number, cmds: string[][]) => {
      for (const cmd of cmds) {
        log(`client ${i}: ${JSON.stringify(cmd)}`);
        await Promise.all(sides.map((s) => s.send(i, cmd)));
        const [a, b] = await Promise.all(sides.map((s) => s.clients[i].reply()));
        if (a !== b) fail(`client ${i} ${JSON.stringify(cmd)}`, a, b);
      }
    };
    let blocked = 0;
    /** After a writer command: same number blocked on both; the served replies must match. */
    const collect = async () => {
      const [na, nb] = await Promise.all(sides.map((s) => blockedClients(s.observer)));
      if (na !== nb) fail("blocked clients after the writer", String(na), String(nb));
      if (na === blocked) return;
      const [sa, sb] = await Promise.all(sides.map((s) => s.served(blocked - na)));
      if (JSON.stringify(sa) !== JSON.stringify(sb)) {
        fail("which blockers were served", JSON.stringify(sa), JSON.stringify(sb));
      }
      for (const i of sa) {
        const [a, b] = [mine.take(i), theirs.take(i)];
        log(`client ${i} served: ${JSON.stringify(b)}`);
        if (a !== b) fail(`served reply of client ${i}`, a, b);
      }
      blocked = na;
    };

    for (let round = 0; round < ROUNDS; round++) {
      log(`-- round ${round}`);
      for (let n = g.int(3); n > 0; n--) await call(0, writerCommands(g, multi));
      const timeoutRound = g.chance(0.08);
      const blockers = timeoutRound ? [1] : [1, 2].slice(0, g.int(3));
      const cmds = blockers.map(() => blockingCommand(g, timeoutRound ? "0.01" : g.timeout()));
      const waited = [...new Set(cmds.flatMap(waitedKeys))];
      // Mostly empty keys, so they block.
      if (waited.length > 0 && g.chance(0.7)) await call(0, [["DEL", ...waited]]);
      // The blockers, one after the other, so their order is the same on both.
      for (const [k, i] of blockers.entries()) {
        const cmd = cmds[k];
        log(`client ${i}: ${JSON.stringify(cmd)}`);
        await Promise.all(sides.map((s) => s.send(i, cmd)));
        if (timeoutRound) {
          // Nobody writes until it times out (or is served at once).
          const [a, b] = await Promise.all(sides.map((s) => s.clients[i].reply()));
          if (a !== b) fail(`client ${i} ${JSON.stringify(cmd)} (timeout)`, a, b);
          continue;
        }
        const [a, b] = await Promise.all(sides.map((s) => s.settle(i, blocked + 1)));
        if (a !== b) fail(`client ${i} ${JSON.stringify(cmd)}`, a ?? "<blocked>", b ?? "<blocked>");
        if (b === null) {
          blocked++;
          log(`client ${i} blocked`);
          // CLIENT LIST shows it blocked, in the command it runs.
          const [la, lb] = await Promise.all(sides.map((s) => clientState(s, i)));
          if (la !== lb) fail(`CLIENT LIST of blocked client ${i}`, la, lb);
        }
      }
      // The writer: each command may serve waiters (or chains of them).
      for (let n = 1 + g.int(5); n > 0 && blocked > 0; n--) {
        await call(0, g.chance(0.5) ? [feed(g, g.pick(waited))] : writerCommands(g, multi));
        await collect();
      }
      // Whoever still waits is released: a timeout's null reply, or an error.
      for (const i of [1, 2]) {
        if (mine.pending[i] === null) continue;
        const how = g.pick(["TIMEOUT", "ERROR"]);
        log(`CLIENT UNBLOCK client ${i} ${how}`);
        const [ua, ub] = await Promise.all(
          sides.map((s) => s.observer.call("CLIENT", "UNBLOCK", s.ids[i], how)),
        );
        if (ua !== ub) fail(`CLIENT UNBLOCK ${how}`, ua, ub);
        const [a, b] = await Promise.all(sides.map((s) => s.served(1).then(() => s.take(i))));
        if (a !== b) fail(`reply of client ${i} after CLIENT UNBLOCK ${how}`, a, b);
        blocked--;
      }
      if (round % 10 === 9 || round === ROUNDS - 1) await compareData(o, fail);
    }
    assertEquals(blocked, 0);
  } finally {
    for (const s of sides) {
      s.observer.close();
      for (const c of s.clients) c.close();
    }
  }
}

/** The flags and command of client i in CLIENT LIST (what redis-cli's CLIENT LIST shows). */
async function clientState(s: Side, i: number): Promise<string> {
  const list = decode(await s.observer.call("CLIENT", "LIST", "ID", s.ids[i])) as string;
  const fields = new Map(list.trim().split(" ").map((kv) => kv.split("=", 2) as [string, string]));
  return `flags=${fields.get("flags")} cmd=${fields.get("cmd")} db=${fields.get("db")}`;
}

/** Every key of the run: type and whole value, on both servers. */
async function compareData(
  o: Oracle,
  fail: (what: string, mine: string, theirs: string) => never,
): Promise<void> {
  for (const key of ALL_KEYS) {
    const type = await o.redis.call("TYPE", key);
    const cmds = [["TYPE", key]];
    if (type === "+list\r\n") cmds.push(["LRANGE", key, "0", "-1"]);
    if (type === "+zset\r\n") cmds.push(["ZRANGE", key, "0", "-1", "WITHSCORES"]);
    if (type === "+string\r\n") cmds.push(["GET", key]);
    if (type === "+set\r\n") cmds.push(["SCARD", key]);
    for (const cmd of cmds) {
      const [a, b] = await Promise.all([o.redeno.call(...cmd), o.redis.call(...cmd)]);
      if (a !== b) fail(`data: ${JSON.stringify(cmd)}`, a, b);
    }
  }
}

for (const seed of SEEDS) {
  oracleTest(
    `random blocking: ${ROUNDS} rounds, a writer and two blockers, seed ${seed} (RESP${
      seed % 2 === 0 ? 3 : 2
    })`,
    async (o) => {
      await runSeed(o, seed);
    },
  );
}
