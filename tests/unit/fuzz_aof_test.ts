/**
 * Fuzzed AOFs: multi-part AOF directories (manifest, a base in RDB or AOF
 * form, incr files with MULTI/EXEC) written by redis-server (fixed in
 * tests/unit/fuzz_corpus/aof_*), mutated with a seeded PRNG. In process,
 * readAofUnits and parseManifest never throw anything but a ManifestError
 * and report offsets inside the file. On real servers, a mutated directory
 * (a torn or flipped incr tail, a mutated manifest or base) makes redeno
 * do what redis-server does, with aof-load-truncated yes and no: refuse to
 * start (and say why), or start with the same keys and values.
 */
import { assert, assertEquals } from "@std/assert";
import { ManifestError, parseManifest, readAofUnits } from "../../lib/persistence/aoffile.ts";
import { bytesToStr } from "../../lib/resp/bytes.ts";
import { decode, type Decoded, RespClient } from "../support/resp_client.ts";
import { freePort, redisServerPath, redisTool, signal } from "../support/servers.ts";
import { runChecker } from "../support/persistence.ts";
import { buildCorpus, mutate, SMALL_LIMITS } from "../support/fuzz.ts";
import { prng } from "../support/prng.ts";
import { fileURLToPath } from "node:url";

const SCALE = Number(Deno.env.get("FUZZ_SCALE") ?? 1);
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0);
const CORPUS = new URL("./fuzz_corpus/", import.meta.url);
const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An AOF directory's files by name (the manifest included). */
type AofDir = Map<string, Uint8Array>;

/** Commands after the rewrite: they go to the incr file. */
const AFTER_REWRITE: string[][] = [
  ["SET", "after", "1"],
  ["MULTI"],
  ["INCR", "i8"],
  ["RPUSH", "l:lp", "tx"],
  ["EXEC"],
  ["HSET", "h:lp", "d", "4"],
  ["SELECT", "3"],
  ["DEL", "three"],
  ["SELECT", "0"],
  ["XADD", "x:s", "9-0", "f", "v9"],
  ["ZINCRBY", "z:sl", "2.5", "a"],
  ["SADD", "s:int", "999"],
  ["EXPIRE", "ttl", "100000000"],
  ["APPEND", "emb", " appended"],
];

/**
 * The two fixed AOF directories (base as RDB, base as AOF), written by
 * redis-server; FUZZ_REGEN=1 writes them again.
 */
async function corpus(): Promise<AofDir[]> {
  const out: AofDir[] = [];
  for (const [name, preamble] of [["aof_rdb", "yes"], ["aof_aof", "no"]]) {
    const dir = new URL(`${name}/`, CORPUS);
    if (Deno.env.get("FUZZ_REGEN") === "1") {
      const tmp = Deno.makeTempDirSync({ prefix: "fuzz-aof-" });
      const s = await spawn("redis", tmp, [
        "--appendonly",
        "yes",
        "--aof-use-rdb-preamble",
        preamble,
        "--aof-timestamp-enabled",
        "no",
      ]);
      assert(s.started, s.output);
      const c = await RespClient.connect(s.port);
      await buildCorpus(c);
      await c.call("BGREWRITEAOF");
      for (let i = 0; i < 200; i++) {
        const info = await c.call("INFO", "persistence");
        if (
          info.includes("aof_rewrite_in_progress:0") && !info.includes("aof_rewrite_scheduled:1")
        ) {
          break;
        }
        await sleep(50);
      }
      for (const cmd of AFTER_REWRITE) await c.call(...cmd);
      c.close();
      await s.stop();
      Deno.mkdirSync(dir, { recursive: true });
      for (const e of Deno.readDirSync(`${tmp}/appendonlydir`)) {
        Deno.copyFileSync(`${tmp}/appendonlydir/${e.name}`, new URL(e.name, dir));
      }
      Deno.removeSync(tmp, { recursive: true });
    }
    const files: AofDir = new Map();
    for (const e of Deno.readDirSync(dir)) {
      files.set(e.name, Deno.readFileSync(new URL(e.name, dir)));
    }
    out.push(files);
  }
  return out;
}

const MANIFEST = "appendonly.aof.manifest";

/** The name of the last incr file the manifest lists. */
function lastIncr(d: AofDir): string {
  const text = bytesToStr(d.get(MANIFEST)!);
  const names = [...text.matchAll(/file (\S+) seq \d+ type i/g)].map((m) => m[1]);
  return names[names.length - 1];
}

function baseFile(d: AofDir): string {
  return /file (\S+) seq \d+ type b/.exec(bytesToStr(d.get(MANIFEST)!))![1];
}

interface Started {
  started: boolean;
  port: number;
  output: string;
  stop(): Promise<void>;
}

/**
 * Starts redeno or redis-server on `dir` and waits until it answers PING
 * (started) or exits (refused); its log output either way.
 */
async function spawn(kind: "redeno" | "redis", dir: string, args: string[]): Promise<Started> {
  const port = freePort();
  const flags = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    ...SMALL_LIMITS,
    ...args,
  ];
  const child = kind === "redeno"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...flags],
      stdout: "piped",
      stderr: "piped",
    }).spawn()
    : new Deno.Command(redisServerPath()!, { args: flags, stdout: "piped", stderr: "piped" })
      .spawn();
  let output = "";
  const collect = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) output += chunk;
  };
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  let exited = false;
  child.status.then(() => (exited = true));
  const stop = async () => {
    signal(child, "SIGKILL");
    await child.status;
    await reading;
  };
  for (let i = 0; i < 600; i++) {
    if (exited) {
      await reading;
      // Another test's server took the "free" port first: start again elsewhere.
      if (/Could not create server TCP listening socket|Address already in use/.test(output)) {
        return spawn(kind, dir, args);
      }
      return { started: false, port, output, stop };
    }
    try {
      const c = await RespClient.connect(port);
      const r = await c.call("PING");
      // Only our own process counts: under parallel tests another server may answer here.
      const pid = /process_id:(\d+)/.exec(await c.call("INFO", "server"))?.[1];
      c.close();
      if (r === "+PONG\r\n" && pid === String(child.pid)) {
        return { started: true, port, output, stop };
      }
      if (r === "+PONG\r\n" && pid !== undefined) {
        await stop();
        return spawn(kind, dir, args);
      }
    } catch {
      // not yet
    }
    await sleep(50);
  }
  await stop();
  throw new Error(`${kind} neither started nor exited: ${output}`);
}

/** Every key of every db with its type and value, read back the same way on both servers. */
async function snapshot(port: number): Promise<unknown> {
  const c = await RespClient.connect(port);
  const out: unknown[] = [];
  try {
    for (const db of ["0", "3"]) {
      await c.call("SELECT", db);
      const keys = (decode(await c.call("KEYS", "*")) as string[]).sort();
      for (const key of keys) {
        const type = decode(await c.call("TYPE", key)) as string;
        const read: Record<string, string[]> = {
          string: ["GET", key],
          hash: ["HGETALL", key],
          list: ["LRANGE", key, "0", "-1"],
          set: ["SMEMBERS", key],
          zset: ["ZRANGE", key, "0", "-1", "WITHSCORES"],
          stream: ["XRANGE", key, "-", "+"],
        };
        let v: Decoded = decode(await c.call(...read[type]));
        if (type === "set" || type === "hash") v = [...(v as string[])].sort();
        const ttl = decode(await c.call("TTL", key)) as number;
        out.push([db, key, type, v, ttl > 0 ? "ttl" : ttl]);
      }
    }
  } finally {
    c.close();
  }
  return out;
}

/** Whether redis-check-aof finds the AOF of `dir` invalid (false when it is not installed). */
async function checkerRefuses(dir: string): Promise<boolean> {
  const bin = redisTool("redis-check-aof");
  if (bin === null) return false;
  const r = await runChecker(bin, `${dir}/appendonlydir/${MANIFEST}`);
  return r.code !== 0;
}

/** Writes `d` as `<dir>/appendonlydir`. */
function writeDir(d: AofDir): string {
  const dir = Deno.makeTempDirSync({ prefix: "fuzz-aof-" });
  Deno.mkdirSync(`${dir}/appendonlydir`);
  for (const [name, bytes] of d) Deno.writeFileSync(`${dir}/appendonlydir/${name}`, bytes);
  return dir;
}

Deno.test("fuzz aof: readAofUnits and parseManifest on mutants never throw, offsets in bounds", async () => {
  const dirs = await corpus();
  const rand = prng(5 + SEED);
  const logs = dirs.flatMap((d) => [...d].filter(([n]) => n !== MANIFEST).map(([, b]) => b));
  const manifests = dirs.map((d) => d.get(MANIFEST)!);
  for (let i = 0; i < 6000 * SCALE; i++) {
    const src = logs[i % logs.length];
    const { bytes, what } = mutate(src, rand, logs);
    const label = `log mutant ${i} (${what.join(", ")})`;
    // An RDB preamble reads as corrupt here (the RDB loader's part is fuzz_rdb_test).
    const units = readAofUnits(bytes);
    let last = 0;
    for (;;) {
      const next = units.next();
      if (next.done) {
        const end = next.value;
        assert(end.offset >= 0 && end.offset <= bytes.length, label);
        if (end.kind === "corrupt") assert(end.validUpTo <= end.offset + 1, label);
        break;
      }
      assert(next.value.offset >= last && next.value.end <= bytes.length, label);
      last = next.value.end;
    }
  }
  for (let i = 0; i < 3000 * SCALE; i++) {
    const { bytes, what } = mutate(manifests[i % manifests.length], rand, manifests);
    try {
      parseManifest(bytesToStr(bytes));
    } catch (e) {
      assert(e instanceof ManifestError, `manifest mutant ${i} (${what.join(", ")}): ${e}`);
    }
  }
});

/** One mutation of an AOF directory: which file, and how. */
function mutateDir(d: AofDir, rand: () => number): { dir: AofDir; what: string } {
  const out: AofDir = new Map(d);
  const roll = rand();
  if (roll < 0.4) {
    // A torn tail of the last incr file (what a crash leaves).
    const name = lastIncr(d);
    const b = d.get(name)!;
    const cut = Math.floor(rand() * b.length);
    out.set(name, b.slice(0, cut));
    return { dir: out, what: `${name} cut at ${cut}` };
  }
  const name = roll < 0.75 ? lastIncr(d) : roll < 0.9 ? MANIFEST : baseFile(d);
  const { bytes, what } = mutate(d.get(name)!, rand);
  out.set(name, bytes);
  return { dir: out, what: `${name}: ${what.join(", ")}` };
}

Deno.test("fuzz aof oracle: a mutated AOF directory starts (or not) as on redis-server", async () => {
  if (redisServerPath() === null) return;
  const dirs = await corpus();
  const rand = prng(11 + SEED);
  const diffs: string[] = [];
  let refused = 0;
  let started = 0;
  let stricter = 0;
  for (let i = 0; i < 16 * SCALE; i++) {
    const { dir: d, what } = mutateDir(dirs[i % dirs.length], rand);
    const truncated = rand() < 0.5 ? "yes" : "no";
    const args = ["--appendonly", "yes", "--aof-load-truncated", truncated];
    const label = `mutant ${i} of dir ${
      i % dirs.length
    } (${what}; aof-load-truncated ${truncated})`;
    const [da, db] = [writeDir(d), writeDir(d)];
    const [theirs, ours] = [await spawn("redis", da, args), await spawn("redeno", db, args)];
    try {
      if (
        theirs.started && !ours.started && /Bad file format/.test(ours.output) &&
        (await checkerRefuses(db))
      ) {
        // On purpose: redeno reads AOFs as redis-check-aof does (every CRLF,
        // plain digits), where Redis's loader skips unchecked bytes.
        stricter++;
      } else if (theirs.started !== ours.started) {
        diffs.push(
          `${label}: Redis ${theirs.started ? "started" : "refused"}, redeno ${
            ours.started ? "started" : "refused"
          }:\n${(theirs.started ? ours : theirs).output.split("\n").slice(-4).join("\n")}`,
        );
      } else if (theirs.started) {
        started++;
        const [a, b] = [await snapshot(ours.port), await snapshot(theirs.port)];
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          diffs.push(`${label}: keyspaces differ\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
        }
      } else {
        refused++;
        // A refusal says why (Redis's words or redeno's), never a stack trace.
        assert(!/^\s+at /m.test(ours.output), `${label}: ${ours.output}`);
        assert(ours.output.trim().length > 0, label);
      }
    } finally {
      await theirs.stop();
      await ours.stop();
      Deno.removeSync(da, { recursive: true });
      Deno.removeSync(db, { recursive: true });
    }
  }
  assertEquals(diffs, []);
  assert(
    started > 0 && refused > 0,
    `started ${started}, refused ${refused}, stricter ${stricter}`,
  );
});

Deno.test("fuzz aof: the fixed directories load as Redis wrote them", async () => {
  for (const d of await corpus()) {
    const dir = writeDir(d);
    const s = await spawn("redeno", dir, ["--appendonly", "yes"]);
    try {
      assert(s.started, s.output);
      const c = await RespClient.connect(s.port);
      assertEquals(await c.call("GET", "after"), "$1\r\n1\r\n");
      assertEquals(await c.call("GET", "i8"), "$1\r\n8\r\n");
      c.close();
    } finally {
      await s.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  }
});
