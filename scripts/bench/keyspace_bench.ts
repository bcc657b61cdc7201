/**
 * Micro-benchmarks of the keyspace and what sits right on it
 * (`deno task bench:micro`): Db operations over 100k keys, Keyspace.freeze
 * over 1M keys, the RDB writer and reader over 100k keys, and GET/SET run
 * through the real command table and dispatcher by a Client of a Server that
 * is constructed but never started (no socket, no cron, no persistence).
 *
 * Keys and values look like the persistence benchmark's (`key:<12 digits>`
 * -> `value:<i>`). Data sets are built once, outside the measured code;
 * b.start()/b.end() leave out the per-iteration refills.
 */
import { loadConfig } from "../../lib/config.ts";
import { rdbChunks, readRdb } from "../../lib/persistence/rdb.ts";
import { bytesToStr } from "../../lib/resp/bytes.ts";
import { Client } from "../../lib/server/client.ts";
import { Server } from "../../lib/server/server.ts";
import { Keyspace } from "../../lib/store/keyspace.ts";
import { concatBytes } from "../../lib/util/bytebuf.ts";

const N = 100_000;
const BIG_N = 1_000_000;
/** Keys with ~100 B values: each goes through LZF, which costs far more per key. */
const DOC_N = 10_000;
const DISPATCH_BATCH = 1000;
// Redis 7.0 defaults (hash-max-listpack-entries, hash-max-listpack-value).
const HASH_LIMITS = { maxEntries: 512, maxValue: 64 };

/** As the decoder makes them: flat one-byte strings. */
function bin(s: string): string {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return bytesToStr(b);
}

function keyName(i: number): string {
  return bin(`key:${String(i).padStart(12, "0")}`);
}

const keys = Array.from({ length: N }, (_, i) => keyName(i));
const missing = Array.from({ length: N }, (_, i) => bin(`nokey:${String(i).padStart(12, "0")}`));
const values = Array.from({ length: N }, (_, i) => bin(`value:${i}`));
// About 100 bytes, partly repetitive: long enough for the RDB writer's LZF path.
const docValues = Array.from(
  { length: DOC_N },
  (_, i) =>
    bin(
      `{"id":${i},"name":"user-${i}","email":"user-${i}@example.com",` +
        `"active":${i % 3 === 0},"score":${(i * 7919) % 100000}}`,
    ),
);
const expiry = Date.now() + 3_600_000;

/** A keyspace whose db 0 holds keys[i] -> vals[i] for i < n. */
function filled(vals: string[], n = vals.length, keyOf = (i: number) => keys[i]): Keyspace {
  const ks = new Keyspace(16);
  const db = ks.dbs[0];
  for (let i = 0; i < n; i++) db.set(keyOf(i), vals[i]);
  return ks;
}

let sink = 0; // keeps results alive

// ------------------------------------------------------------------ Db

const dbGroup = `Db, ${N / 1000}k keys`;
const plain = filled(values).dbs[0];
const withTtl = filled(values).dbs[0];
for (const k of keys) withTtl.setExpire(k, expiry);
const scratch = filled(values).dbs[0]; // changed by the benches below

function expectCount(n: number, expected: number): void {
  if (n !== expected) throw new Error(`expected ${expected}, got ${n}`);
  sink += n;
}

Deno.bench({
  name: "lookupRead: hits",
  group: dbGroup,
  baseline: true,
  fn() {
    let n = 0;
    for (let i = 0; i < N; i++) if (plain.lookupRead(keys[i]) !== undefined) n++;
    expectCount(n, N);
  },
});
Deno.bench({
  name: "lookupRead: misses",
  group: dbGroup,
  fn() {
    let n = 0;
    for (let i = 0; i < N; i++) if (plain.lookupRead(missing[i]) === undefined) n++;
    expectCount(n, N);
  },
});
Deno.bench({
  name: "lookupRead: hits, every key with a TTL",
  group: dbGroup,
  fn() {
    let n = 0;
    for (let i = 0; i < N; i++) if (withTtl.lookupRead(keys[i]) !== undefined) n++;
    expectCount(n, N);
  },
});
Deno.bench({
  name: "lookupWrite: hits",
  group: dbGroup,
  fn() {
    let n = 0;
    for (let i = 0; i < N; i++) if (plain.lookupWrite(keys[i]) !== undefined) n++;
    expectCount(n, N);
  },
});
Deno.bench({
  name: "set: overwrite",
  group: dbGroup,
  fn() {
    for (let i = 0; i < N; i++) scratch.set(keys[i], values[N - 1 - i]);
    expectCount(scratch.size, N);
  },
});
Deno.bench({
  name: "set: new keys into an empty Db",
  group: dbGroup,
  fn(b) {
    const db = new Keyspace(16).dbs[0];
    b.start();
    for (let i = 0; i < N; i++) db.set(keys[i], values[i]);
    b.end();
    expectCount(db.size, N);
  },
});
Deno.bench({
  name: "delete: every key",
  group: dbGroup,
  fn(b) {
    for (let i = 0; i < N; i++) scratch.set(keys[i], values[i]);
    b.start();
    let n = 0;
    for (let i = 0; i < N; i++) if (scratch.delete(keys[i])) n++;
    b.end();
    expectCount(n, N);
  },
});
Deno.bench({
  name: "setExpire: every key (none had one)",
  group: dbGroup,
  fn(b) {
    for (let i = 0; i < N; i++) scratch.set(keys[i], values[i]); // drops the expiries
    b.start();
    for (let i = 0; i < N; i++) scratch.setExpire(keys[i], expiry + i);
    b.end();
    expectCount(scratch.expires.size, N);
  },
});
Deno.bench({
  name: "getExpire: every key",
  group: dbGroup,
  fn() {
    let n = 0;
    for (let i = 0; i < N; i++) if (withTtl.getExpire(keys[i]) === expiry) n++;
    expectCount(n, N);
  },
});

// ------------------------------------------------------------------ freeze

// Built on first use, so that filtering it out (--filter) skips the 1M-key setup.
let big: Keyspace | null = null;
function bigKeyspace(): Keyspace {
  if (big === null) {
    const bigValues = Array.from({ length: BIG_N }, (_, i) => bin(`value:${i}`));
    big = filled(bigValues, BIG_N, keyName);
  }
  return big;
}

const freezeGroup = `Keyspace.freeze + release, ${BIG_N / 1_000_000}M keys`;
Deno.bench({
  name: "freeze()",
  group: freezeGroup,
  baseline: true,
  fn(b) {
    const ks = bigKeyspace();
    b.start();
    const frozen = ks.freeze();
    frozen.release();
    b.end();
    expectCount(frozen.dbs[0].keys.length, BIG_N);
  },
});
Deno.bench({
  name: "freeze(withStamps) (LRU/LFU policy)",
  group: freezeGroup,
  fn(b) {
    const ks = bigKeyspace();
    b.start();
    const frozen = ks.freeze(true);
    frozen.release();
    b.end();
    expectCount(frozen.dbs[0].keys.length, BIG_N);
  },
});

// ------------------------------------------------------------------ RDB

const shortKs = filled(values);
const docKs = filled(docValues);

/** Writes a snapshot of `ks` as a server does (freeze, chunks, release); returns its size. */
function encode(ks: Keyspace, compression: boolean): number {
  const frozen = ks.freeze();
  let size = 0;
  try {
    for (const chunk of rdbChunks(frozen, { ctime: 0, compression })) size += chunk.length;
  } finally {
    frozen.release();
  }
  return size;
}

function fileOf(ks: Keyspace, compression: boolean): Uint8Array {
  const frozen = ks.freeze();
  try {
    return concatBytes([...rdbChunks(frozen, { ctime: 0, compression })]);
  } finally {
    frozen.release();
  }
}

const shortFile = fileOf(shortKs, true);
const docFile = fileOf(docKs, true);
const docFileRaw = fileOf(docKs, false);

const mb = (file: Uint8Array) => `${(file.length / 1e6).toFixed(2)} MB`;

function encoder(ks: Keyspace, compression: boolean, file: Uint8Array): () => void {
  return () => expectCount(encode(ks, compression), file.length);
}

function loader(file: Uint8Array, keys: number): () => void {
  return () => {
    const info = readRdb(file, new Keyspace(16), { hashLimits: HASH_LIMITS });
    expectCount(info.keys, keys);
  };
}

const rdbGroup = `RDB, ${N / 1000}k keys of value:<i> (${mb(shortFile)})`;
Deno.bench({
  name: "rdbChunks: full encode",
  group: rdbGroup,
  baseline: true,
  fn: encoder(shortKs, true, shortFile),
});
Deno.bench({
  name: "readRdb: that file, into an empty keyspace",
  group: rdbGroup,
  fn: loader(shortFile, N),
});

const lzfGroup = `RDB, ${DOC_N / 1000}k keys of ~100 B JSON values`;
Deno.bench({
  name: `rdbChunks: rdbcompression no (${mb(docFileRaw)})`,
  group: lzfGroup,
  baseline: true,
  fn: encoder(docKs, false, docFileRaw),
});
Deno.bench({
  name: `rdbChunks: rdbcompression yes, LZF (${mb(docFile)})`,
  group: lzfGroup,
  fn: encoder(docKs, true, docFile),
});
Deno.bench({ name: "readRdb: uncompressed file", group: lzfGroup, fn: loader(docFileRaw, DOC_N) });
Deno.bench({ name: "readRdb: LZF file", group: lzfGroup, fn: loader(docFile, DOC_N) });

// ------------------------------------------------------------------ dispatch

// A real Server (command table, config, stats, slowlog), never started.
const server = new Server({ config: loadConfig(["--save", "", "--appendonly", "no"]) });
{
  const db = server.keyspace.dbs[0];
  for (let i = 0; i < N; i++) db.set(keys[i], values[i]);
}
const client = new Client(server, "127.0.0.1:50000", "127.0.0.1:6379");
// Keys spread over the whole keyspace, as redis-benchmark -r picks them.
const picked = Array.from({ length: DISPATCH_BATCH }, (_, i) => keys[(i * 7919) % N]);
const getArgs = picked.map((k) => ["GET", k]);
const setArgs = picked.map((k, i) => ["SET", k, values[i]]);
const pingArgs = picked.map(() => ["PING"]);

/** Runs a batch of commands as the connection loop does, then takes the replies. */
function execute(batch: string[][]): () => void {
  return () => {
    for (const args of batch) {
      if (client.execute(args)) throw new Error(`${args[0]} did not complete synchronously`);
    }
    expectCount(client.out.errors, 0);
    sink += client.out.take().length;
  };
}

const dispatchGroup = `${DISPATCH_BATCH} commands + take()`;
Deno.bench({
  name: "GET without the dispatcher (lookupRead + bulk)",
  group: dispatchGroup,
  baseline: true,
  fn() {
    const db = client.db;
    const out = client.out;
    for (const args of getArgs) {
      const v = db.lookupRead(args[1]);
      if (typeof v === "string") out.bulk(v);
      else out.nullBulk();
    }
    sink += out.take().length;
  },
});
Deno.bench({ name: "Client.execute: GET (hits)", group: dispatchGroup, fn: execute(getArgs) });
Deno.bench({ name: "Client.execute: SET", group: dispatchGroup, fn: execute(setArgs) });
Deno.bench({ name: "Client.execute: PING", group: dispatchGroup, fn: execute(pingArgs) });

// Read by nothing; only there so that the work above cannot be optimized away.
export { sink };
