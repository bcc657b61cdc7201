/**
 * Crash safety under load: concurrent pipelined writers in two databases, the
 * server killed with SIGKILL at a seeded-random moment, restarted on the same
 * dir with the same args, and every acknowledged write checked, round after
 * round on the same data (snapshots every second land before, during and after
 * the kills). Writes cover strings, counters, hashes, lists (RPUSH), sets
 * (SADD, intset then hashtable) and sorted sets (ZADD, listpack then
 * skiplist), so snapshots and rewrites serialize collections that writers
 * are changing. appendfsync always: no acknowledged write may be missing;
 * everysec: only writes acknowledged in the last LOSS_WINDOW_MS before the kill.
 *
 * REDENO_TEST_TARGET=redis runs the same checks against redis-server (the
 * behaviour is Redis's); REDENO_TEST_SEED=<n> replays a seed.
 */
import { assertEquals } from "@std/assert";
import { decode, encodeCommands, RespClient } from "../support/resp_client.ts";
import type { TestServer } from "../support/servers.ts";
import { prng } from "../support/prng.ts";
import { readManifest, sleep, startTarget, TARGET } from "../support/persistence.ts";
import { manifestParts } from "../../lib/persistence/aoffile.ts";
import { formatDouble } from "../../lib/util/float.ts";

const WRITERS = 4;
const DBS = [0, 9];
const COUNTERS = 6;
/** everysec may lose what was acknowledged this long before the kill (1 s + slack). */
const LOSS_WINDOW_MS = 2000;

/** Writes that add one element to a collection: HSET, RPUSH, SADD, ZADD. */
type CollectionKind = "hset" | "rpush" | "sadd" | "zadd";

/** One SET, SET EX or collection element, and what became of it. */
interface Write {
  db: number;
  kind: "set" | "ttl" | CollectionKind;
  key: string;
  /** The hash field, list element, set member or zset member ("" for strings). */
  field: string;
  /** The value: the string, hash value, list element, set member, or zset score as replied. */
  value: string;
  /** performance.now() when its reply arrived, or null (sent, not acknowledged). */
  ackAt: number | null;
  /** Once seen after a restart (present or absent) it must stay that way. */
  fate: "pending" | "present" | "absent";
}

interface Counter {
  db: number;
  key: string;
  /** Value read after the last restart. */
  base: number;
  /** INCRs sent since then. */
  sent: number;
  /** Replies to those INCRs with the time each arrived. */
  acks: { value: number; at: number }[];
}

class Ledger {
  writes: Write[] = [];
  counters: Counter[] = [];
  constructor() {
    for (const db of DBS) {
      for (let k = 0; k < COUNTERS; k++) {
        this.counters.push({ db, key: `c:${k}`, base: 0, sent: 0, acks: [] });
      }
    }
  }
  counter(db: number, k: number): Counter {
    return this.counters[DBS.indexOf(db) * COUNTERS + k];
  }
}

/** A value with bytes that break text-minded code: NUL, CR, LF, 0xff. */
function randomValue(rng: () => number): string {
  const alphabet = "ab\0\r\n\xff\x80 $*";
  const n = rng() < 0.05 ? 0 : 1 + Math.floor(rng() * 24);
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rng() * alphabet.length)];
  return s;
}

/**
 * A write that adds one new element to writer `w`'s collection of the kind
 * `p` picks: a hash field, a list element, a set member (integers first, so
 * the set starts as an intset) or a zset member (integer or fractional
 * score). Returns the kind, the ledger entry and the command.
 */
function collectionWrite(
  p: number,
  db: number,
  w: number,
  round: number,
  i: number,
  rng: () => number,
): [CollectionKind, Write, string[]] {
  const base = { db, ackAt: null, fate: "pending" as const };
  if (p < 0.68) {
    const field = `f:${round}:${i}`;
    const value = randomValue(rng);
    return ["hset", { ...base, kind: "hset", key: `h:${w}`, field, value }, [
      "HSET",
      `h:${w}`,
      field,
      value,
    ]];
  }
  if (p < 0.76) {
    const element = `${round}:${i}:${randomValue(rng)}`;
    const write: Write = { ...base, kind: "rpush", key: `L:${w}`, field: element, value: element };
    return ["rpush", write, ["RPUSH", write.key, element]];
  }
  if (p < 0.83) {
    const member = rng() < 0.5 ? String(round * 1_000_000 + i) : `m:${round}:${i}`;
    const write: Write = { ...base, kind: "sadd", key: `S:${w}`, field: member, value: member };
    return ["sadd", write, ["SADD", write.key, member]];
  }
  const member = `z:${round}:${i}${randomValue(rng)}`;
  const score = formatDouble(
    rng() < 0.5 ? Math.floor(rng() * 2000) - 1000 : (rng() - 0.5) * 1e6,
  );
  const write: Write = { ...base, kind: "zadd", key: `Z:${w}`, field: member, value: score };
  return ["zadd", write, ["ZADD", write.key, score, member]];
}

/** How a collection is read back: its command, and its reply as element -> value (in order). */
const READ_BACK: Record<CollectionKind, [string[], (flat: string[]) => Map<string, string>]> = {
  hset: [["HGETALL"], pairMap],
  rpush: [["LRANGE", "0", "-1"], (flat) => new Map(flat.map((x) => [x, x]))],
  sadd: [["SMEMBERS"], (flat) => new Map(flat.map((x) => [x, x]))],
  zadd: [["ZRANGE", "0", "-1", "WITHSCORES"], pairMap],
};

/** A flat [k1, v1, k2, v2 ...] reply as a map. */
function pairMap(flat: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let j = 0; j < flat.length; j += 2) m.set(flat[j], flat[j + 1]);
  return m;
}

/**
 * One writer connection: batches of 1-8 pipelined writes until the server
 * dies. Every write is in the ledger before it is sent; `ackAt` is set when
 * its reply arrives. An unexpected reply is a failure.
 */
async function writer(
  port: number,
  w: number,
  round: number,
  rng: () => number,
  ledger: Ledger,
  failures: string[],
  killed: () => boolean,
): Promise<void> {
  let c: RespClient;
  try {
    c = await RespClient.connect(port);
  } catch (e) {
    if (!killed()) failures.push(`writer ${w}: connect: ${e}`);
    return;
  }
  let db = DBS[w % DBS.length];
  let pendingSelect = true;
  let i = 0;
  try {
    for (;;) {
      const cmds: string[][] = [];
      const expect: ((reply: string, at: number) => void)[] = [];
      if (pendingSelect || rng() < 0.15) {
        // Switch databases now and then so the log has to record SELECTs.
        db = pendingSelect ? db : DBS[Math.floor(rng() * DBS.length)];
        pendingSelect = false;
        cmds.push(["SELECT", String(db)]);
        expect.push((r) => r === "+OK\r\n" || failures.push(`SELECT ${db} -> ${r}`));
      }
      const n = 1 + Math.floor(rng() * 8);
      for (let k = 0; k < n; k++, i++) {
        const p = rng();
        if (p < 0.45 || p >= 0.9) {
          const ttl = p >= 0.9;
          const write: Write = {
            db,
            kind: ttl ? "ttl" : "set",
            key: `${ttl ? "t" : "s"}:${round}:${w}:${i}`,
            field: "",
            value: randomValue(rng),
            ackAt: null,
            fate: "pending",
          };
          ledger.writes.push(write);
          cmds.push(
            ttl ? ["SET", write.key, write.value, "EX", "1000"] : ["SET", write.key, write.value],
          );
          expect.push((r, at) => {
            if (r === "+OK\r\n") write.ackAt = at;
            else failures.push(`SET ${write.key} -> ${JSON.stringify(r)}`);
          });
        } else if (p < 0.6) {
          const counter = ledger.counter(db, Math.floor(rng() * COUNTERS));
          counter.sent++;
          cmds.push(["INCR", counter.key]);
          expect.push((r, at) => {
            if (r.startsWith(":")) counter.acks.push({ value: Number(r.slice(1, -2)), at });
            else failures.push(`INCR ${counter.key} -> ${JSON.stringify(r)}`);
          });
        } else {
          const [kind, write, cmd] = collectionWrite(p, db, w, round, i, rng);
          ledger.writes.push(write);
          cmds.push(cmd);
          expect.push((r, at) => {
            // RPUSH replies the new length; the others 1 for a new element.
            if (kind === "rpush" ? /^:\d+\r\n$/.test(r) : r === ":1\r\n") write.ackAt = at;
            else failures.push(`${cmd[0]} ${write.key} ${write.field} -> ${JSON.stringify(r)}`);
          });
        }
      }
      await c.send(encodeCommands(cmds));
      for (const check of expect) {
        const r = await c.reply();
        check(r, performance.now());
      }
      if (failures.length) return;
      // A short pause between batches keeps the data set (and the check) small.
      await sleep(rng() * 4);
    }
  } catch (e) {
    // The kill closes the connection; before it, a lost connection is a failure.
    if (!killed()) failures.push(`writer ${w}: ${e}`);
  } finally {
    c.close();
  }
}

/**
 * Checks the restarted server against the ledger and settles every pending
 * write as present or absent. A write may be absent only when it was never
 * acknowledged, or (`lossFrom` not null) acknowledged at or after `lossFrom`.
 */
async function verify(
  c: RespClient,
  ledger: Ledger,
  lossFrom: number | null,
  failures: string[],
): Promise<{ lostAcked: number; checked: number }> {
  let lostAcked = 0;
  const mayLose = (w: { ackAt: number | null }) =>
    w.ackAt === null || (lossFrom !== null && w.ackAt >= lossFrom);
  const fail = (msg: string) => failures.length < 30 && failures.push(msg);
  const settle = (w: Write, got: string | null) => {
    const what = `db ${w.db} ${w.key}${w.field ? ` field ${w.field}` : ""}`;
    if (got === null) {
      if (w.fate === "present") fail(`${what}: was there after an earlier restart, now missing`);
      else if (w.fate === "pending" && !mayLose(w)) {
        fail(`${what}: acknowledged write missing after restart`);
      } else if (w.fate === "pending" && w.ackAt !== null) lostAcked++;
      if (w.fate === "pending") w.fate = "absent";
    } else if (got !== w.value) {
      fail(`${what}: value ${JSON.stringify(got)}, wrote ${JSON.stringify(w.value)}`);
    } else if (w.fate === "absent") {
      fail(`${what}: was missing after an earlier restart, now back`);
    } else w.fate = "present";
  };

  for (const db of DBS) {
    assertEquals(await c.call("SELECT", String(db)), "+OK\r\n");
    const known = new Set<string>();

    const strings = ledger.writes.filter((w) =>
      w.db === db && (w.kind === "set" || w.kind === "ttl")
    );
    const values = await c.pipeline(strings.map((w) => ["GET", w.key]));
    const ttls = await c.pipeline(strings.map((w) => ["PTTL", w.key]));
    strings.forEach((w, k) => {
      known.add(w.key);
      const got = decode(values[k]);
      if (got !== null && typeof got !== "string") {
        return fail(`db ${db} ${w.key}: GET -> ${JSON.stringify(values[k])}`);
      }
      settle(w, got);
      const pttl = decode(ttls[k]) as number;
      if (got !== null && w.kind === "ttl" && !(pttl > 0 && pttl <= 1_000_000)) {
        fail(`db ${db} ${w.key}: PTTL ${pttl}, set with EX 1000`);
      }
      if (got !== null && w.kind === "set" && pttl !== -1) {
        fail(`db ${db} ${w.key}: PTTL ${pttl}, set without a TTL`);
      }
    });

    for (const kind of Object.keys(READ_BACK) as CollectionKind[]) {
      const [command, parse] = READ_BACK[kind];
      const mine = ledger.writes.filter((w) => w.db === db && w.kind === kind);
      const keys = [...new Set(mine.map((w) => w.key))];
      const raw = await c.pipeline(keys.map((k) => [command[0], k, ...command.slice(1)]));
      const held = new Map<string, Map<string, string>>();
      keys.forEach((k, n) => {
        known.add(k);
        const flat = decode(raw[n]);
        if (!Array.isArray(flat)) return fail(`db ${db} ${command[0]} ${k} -> ${raw[n]}`);
        held.set(k, parse(flat as string[]));
      });
      for (const w of mine) settle(w, held.get(w.key)?.get(w.field) ?? null);
      for (const [k, m] of held) {
        const written = mine.filter((w) => w.key === k);
        const fields = new Set(written.map((w) => w.field));
        for (const f of m.keys()) {
          if (!fields.has(f)) fail(`db ${db} ${k}: unknown element ${JSON.stringify(f)}`);
        }
        if (kind === "rpush") {
          // One writer pushes to its list in order: the list keeps that order.
          const order = written.map((w) => w.field).filter((f) => m.has(f));
          if (JSON.stringify(order) !== JSON.stringify([...m.keys()])) {
            fail(`db ${db} ${k}: order changed`);
          }
        }
      }
    }

    const counters = ledger.counters.filter((x) => x.db === db);
    const got = await c.pipeline(counters.map((x) => ["GET", x.key]));
    counters.forEach((x, k) => {
      known.add(x.key);
      const v = Number(decode(got[k]) ?? 0);
      // Each INCR reply is a value the counter reached; those that may not be lost bound it below.
      let low = x.base;
      for (const a of x.acks) if (!mayLose({ ackAt: a.at })) low = Math.max(low, a.value);
      const high = x.base + x.sent;
      if (!(Number.isInteger(v) && v >= low && v <= high)) {
        fail(`db ${db} ${x.key}: ${v}, expected ${low}..${high}`);
      }
      x.base = Number.isInteger(v) ? v : x.base;
      x.sent = 0;
      x.acks = [];
    });

    // Nothing may appear that was never written.
    const keys = decode(await c.call("KEYS", "*")) as string[];
    for (const k of keys) if (!known.has(k)) fail(`db ${db}: unexpected key ${JSON.stringify(k)}`);
  }
  return { lostAcked, checked: ledger.writes.length };
}

async function crashRounds(fsync: "always" | "everysec", rounds: number): Promise<void> {
  const seed = Number(Deno.env.get("REDENO_TEST_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`crash test (${TARGET}, appendfsync ${fsync}): seed ${seed}`);
  const rng = prng(seed);
  const dir = Deno.makeTempDirSync({ prefix: "redeno-crash-" });
  const args = ["--appendonly", "yes", "--appendfsync", fsync, "--save", "1 1"];
  const ledger = new Ledger();
  const failures: string[] = [];
  // Kill moments spread evenly over the window (one per slice, in seeded
  // order), so some rounds end before the first snapshot (~1 s) and some after.
  const [from, to] = fsync === "always" ? [300, 2300] : [1000, 3500];
  const delays = Array.from(
    { length: rounds },
    (_, r) => from + (to - from) * (r + rng()) / rounds,
  ).map((d) => [rng(), d]).sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  let server: TestServer | null = null;
  try {
    let lossFrom: number | null = null;
    for (let round = 0; round <= rounds; round++) {
      server = await startTarget({ dir, args });
      if (round > 0) {
        const c = await RespClient.connect(server.port);
        const { lostAcked, checked } = await verify(c, ledger, lossFrom, failures);
        c.close();
        // Which base the restart loaded shows whether snapshots ran between the kills.
        const base = manifestParts(readManifest(dir)).base?.file;
        console.log(
          `  kill ${round} after ${delays[round - 1].toFixed(0)} ms: ${checked} writes checked, ` +
            `${lostAcked} acknowledged lost, base ${base}`,
        );
        assertEquals(failures, [], `seed ${seed}, after kill ${round}`);
      }
      if (round === rounds) break;

      const delay = delays[round];
      let killed = false;
      const port = server.port;
      const load = Array.from(
        { length: WRITERS },
        (_, w) =>
          writer(
            port,
            w,
            round,
            prng(seed + 7919 * (round * WRITERS + w + 1)),
            ledger,
            failures,
            () => killed,
          ),
      );
      await sleep(delay);
      killed = true;
      const killAt = performance.now();
      await server.kill();
      server = null;
      await Promise.all(load);
      assertEquals(failures, [], `seed ${seed}, load of round ${round}`);
      lossFrom = fsync === "always" ? null : killAt - LOSS_WINDOW_MS;
    }
  } finally {
    await server?.stop();
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("crash: SIGKILL under load, appendfsync always loses no acknowledged write", async () => {
  await crashRounds("always", 5);
});

Deno.test("crash: SIGKILL under load, appendfsync everysec loses at most the last seconds", async () => {
  await crashRounds("everysec", 4);
});
