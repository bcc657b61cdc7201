/**
 * Fuzzed RDB files: valid files written by redis-server and by redeno (every
 * type and encoding), mutated with a seeded PRNG (bit flips, truncation,
 * splices, huge length fields), loaded through readRdb. Each mutant either
 * loads (and then saves and loads again: no broken value got in) or fails
 * with an "RDB: ... at offset N" error, leaving the keyspace empty; nothing
 * else may escape (a TypeError or RangeError is a crash). Where real Redis
 * (sanitize-dump-payload yes) loads a mutant, redeno must load the same
 * number of keys; a redeno started on a corrupt file exits with the error.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { encodeRdb, type RdbReadOptions, readRdb } from "../../lib/persistence/rdb.ts";
import { Keyspace } from "../../lib/store/keyspace.ts";
import { RespClient } from "../support/resp_client.ts";
import {
  redisServerPath,
  runRedenoToExit,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";
import { buildCorpus, mutate, SMALL_LIMITS } from "../support/fuzz.ts";
import { prng } from "../support/prng.ts";

/** FUZZ_SCALE=n runs n times the iterations, FUZZ_SEED=s shifts the seeds (exploring). */
const SCALE = Number(Deno.env.get("FUZZ_SCALE") ?? 1);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0);

const OPTS: RdbReadOptions = {
  hashLimits: { maxEntries: 4, maxValue: 64 },
  listLimits: { maxListpackSize: 4, compressDepth: 0 },
  setLimits: { maxIntsetEntries: 4 },
  zsetLimits: { maxListpackEntries: 4, maxListpackValue: 64 },
  // Far in the past: no key of the corpus counts as expired, whatever the clock says.
  now: 0,
};

/** dump.rdb of the corpus as `start` saves it (rdbcompression on and off). */
async function savedFiles(server: TestServer | null): Promise<Uint8Array[]> {
  if (server === null) return [];
  const c = await RespClient.connect(server.port);
  try {
    await buildCorpus(c);
    const files: Uint8Array[] = [];
    for (const compression of ["yes", "no"]) {
      await c.call("CONFIG", "SET", "rdbcompression", compression);
      assertEquals(await c.call("SAVE"), "+OK\r\n");
      files.push(Deno.readFileSync(`${server.dir}/dump.rdb`));
    }
    return files;
  } finally {
    c.close();
    await server.stop();
  }
}

/** Where the fixed corpus lives: the mutants of one seed are the same on every run. */
const CORPUS_DIR = new URL("./fuzz_corpus/", import.meta.url);
const CORPUS_NAMES = ["redis_lzf.rdb", "redis_plain.rdb", "redeno_lzf.rdb", "redeno_plain.rdb"];

/** Files the servers save now: Redis's (when installed) and redeno's, compressed and not. */
async function freshFiles(): Promise<Uint8Array[]> {
  return [
    ...await savedFiles(await startRedis({ persistence: true, args: SMALL_LIMITS })),
    ...await savedFiles(await startRedeno({ persistence: true, args: SMALL_LIMITS })),
  ];
}

/**
 * The fixed corpus (saved once by redis-server 7.0.15 and redeno: their
 * files hold times, so fresh ones differ on every run). FUZZ_REGEN=1 saves
 * it again.
 */
async function validFiles(): Promise<Uint8Array[]> {
  if (Deno.env.get("FUZZ_REGEN") === "1") {
    const files = await freshFiles();
    assertEquals(files.length, 4, "regenerating needs redis-server");
    Deno.mkdirSync(CORPUS_DIR, { recursive: true });
    files.forEach((f, i) => Deno.writeFileSync(new URL(CORPUS_NAMES[i], CORPUS_DIR), f));
  }
  return CORPUS_NAMES.map((n) => Deno.readFileSync(new URL(n, CORPUS_DIR)));
}

type Outcome = { ok: true; keys: number } | { ok: false; error: string };

/**
 * Loads `bytes` into a fresh keyspace and checks the invariants; throws (the
 * test fails) on a crash, a partial keyspace or a value that cannot be saved
 * and loaded again.
 */
function load(bytes: Uint8Array, label: string): Outcome {
  const ks = new Keyspace(16);
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const info = readRdb(bytes, ks, OPTS);
    outcome = { ok: true, keys: info.keys + info.expiredSkipped };
  } catch (e) {
    const msg = (e as Error).message;
    if (!(e instanceof Error) || e.constructor !== Error || !/^RDB: .+ at offset \d+$/s.test(msg)) {
      throw new Error(`${label}: not a clean load error: ${(e as Error)?.stack ?? e}`);
    }
    for (const db of ks.dbs) assertEquals(db.size, 0, `${label}: partial keyspace after "${msg}"`);
    outcome = { ok: false, error: msg };
  }
  const ms = performance.now() - t0;
  assert(ms < 2000, `${label}: took ${ms.toFixed(0)} ms`);
  if (outcome.ok) {
    // What loaded must be whole: it saves, and loads back to the same size.
    let again: Uint8Array;
    try {
      again = encodeRdb(ks);
    } catch (e) {
      throw new Error(`${label}: loaded, but saving it threw: ${(e as Error).stack}`);
    }
    const ks2 = new Keyspace(16);
    try {
      readRdb(again, ks2, OPTS);
    } catch (e) {
      throw new Error(`${label}: loaded, but its own save does not load: ${(e as Error).message}`);
    }
    for (let i = 0; i < 16; i++) assertEquals(ks2.dbs[i].size, ks.dbs[i].size, label);
  }
  return outcome;
}

/** Sets the checksum of a version >= 5 file to 0 (not checked, as Redis skips it). */
function zeroChecksum(b: Uint8Array): Uint8Array {
  const out = b.slice();
  if (out.length >= 9) out.fill(0, out.length - 8);
  return out;
}

Deno.test("fuzz rdb: the valid files load (the corpus and what the servers save now)", async () => {
  const files = [...await validFiles(), ...await freshFiles()];
  assert(files.length >= 6);
  for (const [i, f] of files.entries()) {
    const r = load(f, `file ${i}`);
    assert(r.ok, `file ${i}: ${!r.ok && r.error}`);
    assertEquals(r.keys, 23, `file ${i} keys`);
  }
});

Deno.test("fuzz rdb: mutated files load or fail cleanly, never partly", async () => {
  const files = (await validFiles()).map(zeroChecksum);
  const rand = prng(1414 + SEED);
  let loaded = 0;
  let failed = 0;
  const reasons = new Map<string, number>();
  for (let i = 0; i < 6000 * SCALE; i++) {
    const src = i % files.length;
    const { bytes, what } = mutate(files[src], rand, files);
    const r = load(bytes, `mutant ${i} of file ${src} (${what.join(", ")})`);
    if (r.ok) {
      loaded++;
    } else {
      failed++;
      const reason = r.error.replace(/ at offset \d+$/, "").replace(/\d+/g, "N").slice(0, 60);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  assert(failed > 1000 && loaded > 100, `loaded ${loaded}, failed ${failed}`);
});

Deno.test("fuzz rdb: with a valid checksum a flip anywhere is still caught", async () => {
  const files = await validFiles();
  const rand = prng(99);
  for (let i = 0; i < 500; i++) {
    const f = files[i % files.length].slice();
    // Past the header and before the checksum: a changed byte the checksum sees.
    const at = 9 + Math.floor(rand() * (f.length - 17));
    f[at] ^= 1 << Math.floor(rand() * 8);
    const r = load(f, `flip at ${at} of file ${i % files.length}`);
    assert(!r.ok, `flip at ${at} loaded`);
  }
});

/**
 * Whether redis-server (sanitize-dump-payload yes) loads `file`, and how
 * many keys: null when it refuses it.
 */
async function redisLoads(bin: string, dir: string, file: Uint8Array): Promise<number | null> {
  Deno.writeFileSync(`${dir}/dump.rdb`, file);
  const child = new Deno.Command(bin, {
    args: [
      "--port",
      "0",
      // Not listening anywhere, Redis would exit before loading.
      "--unixsocket",
      `${dir}/redis.sock`,
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--sanitize-dump-payload",
      "yes",
      "--databases",
      "16",
      ...SMALL_LIMITS,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let keys: number | null = null;
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
      const m = /keys loaded: (\d+), keys expired: (\d+)/.exec(out);
      if (m) {
        keys = Number(m[1]) + Number(m[2]);
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await reader.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    await child.status;
  }
  return keys;
}

Deno.test("fuzz rdb oracle: what redis-server loads, redeno loads with the same keys", async () => {
  const bin = redisServerPath();
  if (bin === null) return;
  const files = (await validFiles()).map(zeroChecksum);
  const dir = Deno.makeTempDirSync({ prefix: "fuzz-rdb-" });
  const rand = prng(2024 + SEED);
  const disagree: string[] = [];
  let redisLoaded = 0;
  for (let i = 0; i < 150 * SCALE; i++) {
    const src = i % files.length;
    const { bytes, what } = mutate(files[src], rand, files);
    const label = `mutant ${i} of file ${src} (${what.join(", ")})`;
    const ours = load(bytes, label);
    const theirs = await redisLoads(bin, dir, bytes);
    if (theirs === null) continue;
    redisLoaded++;
    if (!ours.ok && Deno.env.get("FUZZ_DUMP")) {
      Deno.writeFileSync(`${Deno.env.get("FUZZ_DUMP")}/m${i}.rdb`, bytes);
      Deno.writeFileSync(`${Deno.env.get("FUZZ_DUMP")}/m${i}.orig.rdb`, files[src]);
    }
    // Deliberately stricter than Redis (see readStream): not a disagreement.
    if (!ours.ok && ours.error.includes("stream node keys not ascending")) continue;
    if (!ours.ok) disagree.push(`${label}: Redis loads ${theirs} keys, redeno: ${ours.error}`);
    else if (ours.keys !== theirs) {
      disagree.push(`${label}: Redis loads ${theirs} keys, redeno ${ours.keys}`);
    }
  }
  Deno.removeSync(dir, { recursive: true });
  assertEquals(disagree, []);
  assert(redisLoaded > 5, `Redis loaded ${redisLoaded} mutants`);
});

Deno.test("fuzz rdb server: redeno started on a corrupt dump.rdb exits naming the problem", async () => {
  const files = (await validFiles()).map(zeroChecksum);
  const rand = prng(7);
  let tried = 0;
  for (let i = 0; tried < 4 && i < 200; i++) {
    const { bytes } = mutate(files[i % files.length], rand, files);
    const r = load(bytes, `mutant ${i}`);
    if (r.ok) continue;
    tried++;
    const dir = Deno.makeTempDirSync({ prefix: "fuzz-rdb-" });
    Deno.writeFileSync(`${dir}/dump.rdb`, bytes);
    const run = await runRedenoToExit({ dir, persistence: true, args: ["--appendonly", "no"] });
    Deno.removeSync(dir, { recursive: true });
    assertEquals(run.code, 1, run.output);
    assertMatch(run.output, /Fatal error loading the DB \(.*dump\.rdb\): RDB: .+ at offset \d+/);
    assert(run.output.includes(r.error), run.output);
  }
  assertEquals(tried, 4);
});
