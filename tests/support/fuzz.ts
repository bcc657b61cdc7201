/**
 * What the fuzz tests share: a data set with every type and encoding (as
 * commands, so redis-server and redeno both build it), and seeded byte
 * mutations (bit flips, truncation, splices, huge length fields).
 */
import { RespClient } from "./resp_client.ts";

/**
 * Small encoding limits, so that a small data set still has every encoding
 * (hashtable hashes, skiplist zsets, multi-node quicklists and streams).
 */
export const SMALL_LIMITS: string[] = [
  "--hash-max-listpack-entries",
  "4",
  "--zset-max-listpack-entries",
  "4",
  "--set-max-intset-entries",
  "4",
  "--list-max-listpack-size",
  "4",
  "--stream-node-max-entries",
  "3",
];

/** Commands that build a keyspace with every type and encoding (db 0 and db 3). */
export function corpusCommands(): string[][] {
  const cmds: string[][] = [
    ["SET", "i8", "7"],
    ["SET", "i16", "-1234"],
    ["SET", "i32", "123456789"],
    ["SET", "i64", "12345678901234567"],
    ["SET", "emb", "short string"],
    ["SET", "raw", "a string that is longer than forty-four bytes, so raw"],
    ["SET", "lzf", "compress me please ".repeat(20)],
    ["SET", "bin", "\x00\x01\xff\xfe\r\n"],
    ["SET", "empty", ""],
    ["SET", "ttl", "x", "PX", "100000000"],
    ["HSET", "h:lp", "a", "1", "b", "-300", "c", "text"],
    ["HSET", "h:ht", "f1", "v1", "f2", "v2", "f3", "3", "f4", "x".repeat(30), "f5", "5"],
    ["RPUSH", "l:lp", "a", "1", "-1", "\x00\xff"],
    ["RPUSH", "l:ql", ...Array.from({ length: 11 }, (_, i) => `e${i}`), "9223372036854775807"],
    ["SADD", "s:int", "1", "-2", "70000"],
    ["SADD", "s:int64", "5", "9223372036854775807"],
    ["SADD", "s:ht", "a", "b", "1", "\x00bin", ""],
    ["ZADD", "z:lp", "1", "a", "1.5", "b", "-inf", "c"],
    ["ZADD", "z:sl", "1", "a", "2", "b", "3", "c", "inf", "d", "-0.5", "e", "1e300", "f"],
  ];
  for (let i = 1; i <= 8; i++) {
    cmds.push(["XADD", "x:s", `${i}-${i % 3}`, "f", `v${i}`, ...(i % 2 ? ["g", String(i)] : [])]);
  }
  cmds.push(
    ["XDEL", "x:s", "3-0"],
    ["XGROUP", "CREATE", "x:s", "g1", "0"],
    ["XGROUP", "CREATE", "x:s", "g2", "$"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "x:s", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "x:s", ">"],
    ["XACK", "x:s", "g1", "1-1"],
    ["XGROUP", "CREATECONSUMER", "x:s", "g2", "carol"],
    ["XADD", "x:empty", "1-1", "a", "b"],
    ["XDEL", "x:empty", "1-1"],
    ["SELECT", "3"],
    ["SET", "three", "3"],
    ["RPUSH", "l3", "x"],
    ["SELECT", "0"],
  );
  return cmds;
}

/** Sends the corpus commands; each must succeed. */
export async function buildCorpus(c: RespClient): Promise<void> {
  for (const cmd of corpusCommands()) {
    const r = await c.call(...cmd);
    if (r.startsWith("-")) throw new Error(`${cmd.join(" ")}: ${r}`);
  }
}

/** The kinds of mutation `mutate` applies. */
export type MutationKind = "flip" | "truncate" | "splice" | "huge" | "insert" | "delete" | "byte";

/**
 * One to three seeded mutations of `data` (never `data` itself); `donors`
 * give bytes to splice in. Returns the mutant and what was done.
 */
export function mutate(
  data: Uint8Array,
  rand: () => number,
  donors: Uint8Array[] = [],
): { bytes: Uint8Array; what: string[] } {
  let b: Uint8Array = data.slice();
  const what: string[] = [];
  const count = 1 + Math.floor(rand() * 3);
  const at = (n: number) => Math.floor(rand() * Math.max(1, n));
  for (let m = 0; m < count; m++) {
    const kind = (["flip", "truncate", "splice", "huge", "insert", "delete", "byte"] as const)[
      at(7)
    ];
    if (b.length === 0) break;
    switch (kind) {
      case "flip": {
        const i = at(b.length);
        const bit = at(8);
        b[i] ^= 1 << bit;
        what.push(`flip ${i}.${bit}`);
        break;
      }
      case "byte": {
        const i = at(b.length);
        const v = [0, 0xff, 0x7f, 0x80, 0x40, 0xc0, 0xc3, 0xfe, at(256)][at(9)];
        b[i] = v;
        what.push(`byte ${i}=${v}`);
        break;
      }
      case "truncate": {
        const n = at(b.length);
        b = b.slice(0, n);
        what.push(`truncate ${n}`);
        break;
      }
      case "delete": {
        const i = at(b.length);
        const n = 1 + at(Math.min(16, b.length - i));
        b = concat(b.subarray(0, i), b.subarray(i + n));
        what.push(`delete ${i}+${n}`);
        break;
      }
      case "insert": {
        const i = at(b.length);
        const junk = new Uint8Array(1 + at(8)).map(() => at(256));
        b = concat(b.subarray(0, i), junk, b.subarray(i));
        what.push(`insert ${i}+${junk.length}`);
        break;
      }
      case "splice": {
        const src = donors.length > 0 && rand() < 0.5 ? donors[at(donors.length)] : b;
        const from = at(src.length);
        const n = 1 + at(Math.min(64, src.length - from));
        const to = at(b.length);
        b = concat(b.subarray(0, to), src.subarray(from, from + n), b.subarray(to + n));
        what.push(`splice ${from}+${n}->${to}`);
        break;
      }
      case "huge": {
        // A length field set huge: RDB 32/64-bit lengths, or big-endian /
        // little-endian 32-bit counts as listpack, ziplist and intset headers keep them.
        const i = at(b.length);
        const forms = [
          [0x80, 0xff, 0xff, 0xff, 0xff],
          [0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
          [0x81, 0, 0, 0, 1, 0, 0, 0, 0],
          [0xbf, 0xff],
          [0xff, 0xff, 0xff, 0x7f],
          [0xf0, 0xff, 0xff, 0xff, 0x0f],
          [0xfe, 0xff, 0xff, 0xff, 0xff],
        ];
        const f = forms[at(forms.length)];
        for (let k = 0; k < f.length && i + k < b.length; k++) b[i + k] = f[k];
        what.push(`huge ${i}:${f.length}`);
        break;
      }
    }
  }
  return { bytes: b, what };
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
