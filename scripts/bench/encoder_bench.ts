/**
 * Micro-benchmarks of the reply encoder (`deno task bench:micro`):
 * ReplyWriter building the replies to a batch of commands, then take(), as a
 * connection does once per batch. Values are built once, as binary strings
 * like the ones the decoder and the keyspace hold.
 */
import { bytesToStr } from "../../lib/resp/bytes.ts";
import { ReplyWriter } from "../../lib/resp/encoder.ts";

const BATCH = 1000;

/** A binary string of `n` varied bytes (all 256 values occur). */
function binary(n: number, seed: number): string {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed) & 0xff;
  return bytesToStr(b);
}

const smallValues = Array.from({ length: BATCH }, (_, i) => bytesToStr(asBytes(`value:${i}`)));
const kbValues = Array.from({ length: BATCH }, (_, i) => binary(1024, i));
const mbValue = binary(1024 * 1024, 1);
const mbBytes = asBytes(mbValue);
const value64k = binary(64 * 1024, 3);
const block64k = asBytes(binary(64 * 1024, 2));

function asBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let sink = 0; // keeps results alive

/** A long-lived writer (one per client), filled by `write` and emptied by take() each iteration. */
function batch(write: (w: ReplyWriter) => void, resp: 2 | 3 = 2): () => void {
  const w = new ReplyWriter();
  w.resp = resp;
  return () => {
    write(w);
    sink += w.take().length;
  };
}

const group = `${BATCH} replies + take()`;
Deno.bench({
  name: "+OK",
  group,
  baseline: true,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.ok();
  }),
});
Deno.bench({
  name: "integers 0..999 (cached)",
  group,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.int(i);
  }),
});
Deno.bench({
  name: "integers ≥ 1e9",
  group,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.int(1_000_000_000 + i * 7919);
  }),
});
Deno.bench({
  name: "null bulk",
  group,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.nullBulk();
  }),
});
Deno.bench({
  name: "bulk value:N (~10 B)",
  group,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.bulk(smallValues[i]);
  }),
});
Deno.bench({
  name: "bulk 1KB",
  group,
  fn: batch((w) => {
    for (let i = 0; i < BATCH; i++) w.bulk(kbValues[i]);
  }),
});

// Aggregates: the same 1000 small bulks under different headers.
const agg = `aggregates: 1000 small bulks + take()`;
Deno.bench({
  name: "MGET of 10 ×100 (RESP2 arrays)",
  group: agg,
  baseline: true,
  fn: batch((w) => {
    for (let m = 0; m < 100; m++) {
      w.array(10);
      for (let k = 0; k < 10; k++) w.bulk(smallValues[m * 10 + k]);
    }
  }),
});
Deno.bench({
  name: "HGETALL of 10 fields ×50, RESP2 (flat array)",
  group: agg,
  fn: batch((w) => {
    for (let m = 0; m < 50; m++) {
      w.map(10);
      for (let k = 0; k < 20; k++) w.bulk(smallValues[m * 20 + k]);
    }
  }),
});
Deno.bench({
  name: "HGETALL of 10 fields ×50, RESP3 (map)",
  group: agg,
  fn: batch((w) => {
    for (let m = 0; m < 50; m++) {
      w.map(10);
      for (let k = 0; k < 20; k++) w.bulk(smallValues[m * 20 + k]);
    }
  }, 3),
});

// One large value: bulk() copies it char by char; take() hands back a copy
// and drops a buffer grown past 1MB, so the next large reply grows it again.
const large = "one 1MB value + take()";
Deno.bench({
  name: "bulk (binary string)",
  group: large,
  baseline: true,
  fn: batch((w) => w.bulk(mbValue)),
});
Deno.bench({
  name: "bulkBytes (Uint8Array)",
  group: large,
  fn: batch((w) => w.bulkBytes(mbBytes)),
});
Deno.bench({
  name: "bulk 64KB ×16",
  group: large,
  fn: batch((w) => {
    for (let i = 0; i < 16; i++) w.bulk(value64k);
  }),
});

// What take() itself costs: the same 64KB written, then taken or discarded.
const takeGroup = "64KB reply ×16";
const takeWriter = new ReplyWriter();
Deno.bench({
  name: "raw() then truncate(0) (no take)",
  group: takeGroup,
  baseline: true,
  fn() {
    const w = takeWriter;
    for (let i = 0; i < 16; i++) {
      w.raw(block64k);
      sink += w.length;
      w.truncate(0);
    }
  },
});
Deno.bench({
  name: "raw() then take()",
  group: takeGroup,
  fn() {
    const w = takeWriter;
    for (let i = 0; i < 16; i++) {
      w.raw(block64k);
      sink += w.take().length;
    }
  },
});

// Read by nothing; only there so that the work above cannot be optimized away.
export { sink };
