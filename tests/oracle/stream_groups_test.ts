/**
 * Stream consumer groups against Redis 7.0.15: XGROUP, XREADGROUP (also
 * blocking), XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO, their errors and
 * RESP3 shapes. IDs are explicit; delivery times are set with XCLAIM TIME
 * where replies show them, and readings of the clock (idle, seen-time) are
 * masked: the two servers never read the same millisecond.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { prng } from "../support/prng.ts";
import { Twins } from "../support/twins.ts";
import { idKey } from "../../lib/store/stream.ts";
import { PendingMap, StreamGroup } from "../../lib/store/stream_group.ts";
import { decode, type Decoded, parseInfo, type RespClient } from "../support/resp_client.ts";

/** Replaces clock readings in a decoded reply: values after "idle"/"seen-time", and XPENDING's idle column. */
function maskTimes(v: Decoded, pendingRows = false): Decoded {
  if (Array.isArray(v)) {
    const out = v.map((x) => maskTimes(x, pendingRows));
    // Delivery times the servers took from their clocks (XREADGROUP, XAUTOCLAIM) differ too.
    for (let i = 0; i < out.length; i++) {
      if (typeof out[i] === "number" && (out[i] as number) > 1e12) out[i] = "<now>";
    }
    for (let i = 0; i + 1 < out.length; i++) {
      if (out[i] === "idle" || out[i] === "seen-time") out[i + 1] = "<time>";
    }
    if (
      pendingRows && out.length === 4 && typeof out[0] === "string" && typeof out[2] === "number"
    ) {
      out[2] = "<time>";
    }
    return out;
  }
  if (v instanceof Map) {
    const out = new Map<Decoded, Decoded>();
    for (const [k, x] of v) {
      out.set(k, k === "idle" || k === "seen-time" ? "<time>" : maskTimes(x, pendingRows));
    }
    return out;
  }
  return v;
}

/** Same command on both; replies compared with clock readings masked. */
async function sameMasked(o: Oracle, args: string[], pendingRows = false): Promise<Decoded> {
  const [mine, theirs] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  // The reply's kind (error, map, array) must match byte for byte in its first line.
  assertEquals(mine.split("\r\n")[0][0], theirs.split("\r\n")[0][0], `kind of ${args}`);
  assertEquals(
    maskTimes(decode(mine), pendingRows),
    maskTimes(decode(theirs), pendingRows),
    `reply to ${JSON.stringify(args)}`,
  );
  return decode(theirs);
}

/** A stream `key` with entries 1-1 .. n-1, fields f<i> v<i>. */
async function fill(o: Oracle, key: string, n: number, from = 1): Promise<void> {
  for (let i = from; i < from + n; i++) await o.same("XADD", key, `${i}-1`, `f${i}`, `v${i}`);
}

oracleTest(
  "oracle: XGROUP CREATE / SETID / DESTROY / CREATECONSUMER / DELCONSUMER / HELP",
  async (o) => {
    await o.sameAll([
      ["XGROUP", "CREATE", "s", "g", "$"],
      ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
      ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
      ["XINFO", "GROUPS", "s"],
      ["XGROUP", "CREATE", "s2", "g", "0", "foo"],
      ["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM", "ENTRIESREAD"],
      ["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM", "ENTRIESREAD", "-2"],
      ["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM", "ENTRIESREAD", "x"],
      ["XGROUP", "CREATE", "s2", "g", "0", "MKSTREAM", "ENTRIESREAD", "-1"],
      ["XGROUP", "CREATE", "s3", "g", "0", "ENTRIESREAD", "5", "MKSTREAM"],
      ["XINFO", "GROUPS", "s3"],
      ["XGROUP", "CREATE", "s3", "g2", "abc"],
      ["XGROUP", "CREATE", "s3", "g2", "-"],
      ["XGROUP", "CREATE", "s3", "g2", "+"],
      ["XGROUP", "CREATE", "s3", "g2", "1"],
      ["XGROUP", "CREATE", "s3", "g3", "18446744073709551615-18446744073709551615"],
      ["XGROUP", "CREATE", "s3", "g4", "18446744073709551616"],
      ["XINFO", "GROUPS", "s3"],
      ["XGROUP", "SETID", "s3", "g2", "$", "ENTRIESREAD", "3"],
      ["XGROUP", "SETID", "s3", "g2", "-"],
      ["XINFO", "GROUPS", "s3"],
      ["XGROUP", "SETID", "s3", "g2", "+"],
      ["XINFO", "GROUPS", "s3"],
      ["XGROUP", "SETID", "s3", "nog", "0"],
      ["XGROUP", "SETID", "s3", "g2", "0", "foo"],
      ["XGROUP", "SETID", "s3", "g2", "0", "foo", "1"],
      ["XGROUP", "SETID", "s3", "g2", "0", "ENTRIESREAD", "x"],
      ["XGROUP", "SETID", "s3", "g2", "0", "ENTRIESREAD", "-5"],
      ["XGROUP", "SETID", "s3", "g2", "x"],
      ["XGROUP", "SETID", "nokey", "g2", "0"],
      ["XGROUP", "DESTROY", "s3", "g2"],
      ["XGROUP", "DESTROY", "s3", "g2"],
      ["XGROUP", "DESTROY", "none", "g2"],
      ["XGROUP", "CREATECONSUMER", "s3", "g", "c"],
      ["XGROUP", "CREATECONSUMER", "s3", "g", "c"],
      ["XGROUP", "CREATECONSUMER", "s3", "g", "b"],
      ["XGROUP", "CREATECONSUMER", "s3", "nog", "c"],
      ["XGROUP", "CREATECONSUMER", "none", "g", "c"],
      ["XGROUP", "DELCONSUMER", "s3", "g", "c"],
      ["XGROUP", "DELCONSUMER", "s3", "g", "zz"],
      ["XGROUP", "DELCONSUMER", "s3", "nog", "zz"],
      ["XGROUP", "foo"],
      ["XGROUP", "HELP"],
      ["XGROUP", "help", "x"],
      ["XGROUP", "CREATE"],
      ["XGROUP", "CREATE", "a", "b"],
      ["XGROUP", "SETID", "a", "b", "c", "d", "e", "f", "g"],
      ["XGROUP", "CREATE", "a", "b", "c", "d", "e", "f", "g"],
      ["XGROUP", "DESTROY", "a", "b", "c"],
      ["SET", "str", "x"],
      ["XGROUP", "CREATE", "str", "g", "0"],
      ["XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"],
      ["XGROUP", "CREATE", "str", "g", "0", "BAD"],
      ["XGROUP", "DESTROY", "str", "g"],
      ["XGROUP", "SETID", "str", "g", "0"],
      ["XGROUP", "CREATECONSUMER", "str", "g", "c"],
      ["XGROUP", "CREATE", "nul\0key", "g\0x", "0"],
      ["XGROUP", "SETID", "s3", "g\0x", "0"],
      ["XGROUP", "CREATE", "s3", "g9", "$\0junk", "MKSTREAM\0x"],
      ["XGROUP", "SETID", "s3", "g9", "$\0", "ENTRIESREAD\0", "1"],
    ]);
    await sameMasked(o, ["XINFO", "CONSUMERS", "s3", "g"]);
  },
);

oracleTest("oracle: XREADGROUP new entries, history, NOACK, COUNT and errors", async (o) => {
  await fill(o, "s", 5);
  await o.sameAll([
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "1-1"],
    ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", "0-0"],
    ["XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c2", "NOACK", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", "0"],
    ["XINFO", "GROUPS", "s"],
    ["XPENDING", "s", "g"],
    ["XDEL", "s", "2-1"],
    ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"],
    ["XADD", "s", "6-1", "a", "b"],
    ["XADD", "s", "7-1", "a", "b"],
    ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "0", "STREAMS", "s", "s", ">", ">"],
    ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "s", "0", ">"],
    ["XINFO", "GROUPS", "s"],
    // Errors, in Redis's order.
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "t", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "x"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "-"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "-1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "x", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "foo", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "STREAMS", "s", ">"],
    ["XREADGROUP", "STREAMS", "s", ">"],
    ["XREADGROUP", "COUNT", "1", "COUNT", "1", "s", ">"],
    ["XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "nos", ">"],
    ["XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "nos", ">", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "GROUP", "g2", "c2", "STREAMS", "s", "0"],
    ["SET", "str", "1"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", "s", ">", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "str", "0", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "str", "x", ">"],
    ["XREADGROUP", "GROUP", "g\0z", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP\0x", "g", "c", "COUNT\0", "1", "STREAMS\0", "s", ">\0y"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "$\0y"],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "18446744073709551615-18446744073709551615"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "18446744073709551615-18446744073709551614"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "18446744073709551614-18446744073709551615"],
  ]);
  await sameMasked(o, ["XINFO", "CONSUMERS", "s", "g"]);
  // An empty stream with a group: nothing to read.
  await o.sameAll([
    ["XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "e", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "e", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "e", "s", ">", ">"],
    ["XREADGROUP", "GROUP", "g", "nothing", "STREAMS", "e", ">"],
    ["XREADGROUP", "GROUP", "g", "nothing2", "BLOCK", "10", "STREAMS", "e", ">"],
  ]);
  // Only served reads create consumers (7.0: the empty ">" reads above do not).
  await sameMasked(o, ["XINFO", "CONSUMERS", "e", "g"]);
});

oracleTest("oracle: entries-read and lag through XADD, XDEL, XTRIM, SETID and reads", async (o) => {
  const info = (k: string) => o.same("XINFO", "GROUPS", k);
  await o.same("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
  await info("s");
  await fill(o, "s", 5);
  await info("s");
  await o.same("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">");
  await info("s");
  await o.same("XDEL", "s", "4-1");
  await info("s");
  await o.same("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">");
  await info("s");
  await o.same("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
  await info("s");
  await o.same("XGROUP", "SETID", "s", "g", "0");
  await info("s");
  await o.same("XGROUP", "SETID", "s", "g", "1-1");
  await info("s");
  await o.same("XGROUP", "SETID", "s", "g", "3-1");
  await info("s");
  await o.same("XGROUP", "SETID", "s", "g", "1-1", "ENTRIESREAD", "1");
  await info("s");
  await o.same("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">");
  await info("s");
  await o.same("XGROUP", "CREATE", "s", "g2", "0");
  await o.same("XGROUP", "CREATE", "s", "g3", "2-1");
  await o.same("XGROUP", "CREATE", "s", "g4", "9-9");
  await o.same("XGROUP", "CREATE", "s", "g5", "$");
  await info("s");
  await o.same("XTRIM", "s", "MAXLEN", "2");
  await info("s");
  await o.same("XREADGROUP", "GROUP", "g2", "c", "STREAMS", "s", ">");
  await info("s");
  await o.same("XTRIM", "s", "MAXLEN", "0");
  await info("s");
  await o.same("XADD", "s", "10-1", "a", "b");
  await info("s");
  await o.same("XSETID", "s", "20-1");
  await info("s");
  // A fresh stream without entries: lag 0.
  await o.same("XGROUP", "CREATE", "t", "g", "0", "MKSTREAM");
  await o.same("XGROUP", "CREATE", "t", "g2", "0", "ENTRIESREAD", "3");
  await info("t");
  await fill(o, "u", 3);
  await o.same("XGROUP", "CREATE", "u", "a", "0");
  await o.same("XGROUP", "CREATE", "u", "b", "1-1");
  await o.same("XGROUP", "CREATE", "u", "c", "0-5");
  await o.same("XGROUP", "CREATE", "u", "d", "3-1");
  await o.same("XGROUP", "CREATE", "u", "e", "5-1");
  await info("u");
  await o.same("XDEL", "u", "1-1");
  await info("u");
  await o.same("XREADGROUP", "GROUP", "a", "c", "COUNT", "1", "STREAMS", "u", ">");
  await info("u");
});

oracleTest("oracle: XACK and XPENDING summary / extended / IDLE / consumer", async (o) => {
  await fill(o, "s", 6);
  await o.sameAll([
    ["XPENDING", "s", "g"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XPENDING", "s", "g"],
    ["XPENDING", "s", "g", "-", "+", "10"],
    ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"],
    ["XGROUP", "CREATECONSUMER", "s", "g", "zed"],
    ["XPENDING", "s", "g"],
    ["XACK", "s", "g", "3-1", "3-1", "99-1"],
    ["XACK", "s", "g", "1-1", "bad"],
    ["XACK", "s", "g", "-"],
    ["XACK", "s", "nog", "1-1"],
    ["XACK", "nokey", "g", "1-1"],
    ["XACK", "nokey", "g", "bad"],
    ["XPENDING", "s", "g"],
    ["XPENDING", "s", "nog"],
    ["XPENDING", "nokey", "g"],
    ["XPENDING", "s", "g", "-"],
    ["XPENDING", "s", "g", "-", "+"],
    ["XPENDING", "s", "g", "-", "+", "x"],
    ["XPENDING", "s", "g", "x", "+", "10"],
    ["XPENDING", "s", "g", "-", "x", "10"],
    ["XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "10"],
    ["XPENDING", "s", "g", "-", "(0-0", "10"],
    ["XPENDING", "s", "g", "(-", "+", "10"],
    ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"],
    ["XPENDING", "s", "g", "IDLE", "10", "-", "+"],
    ["XPENDING", "s", "g", "IDLE", "x"],
    ["XPENDING", "s", "g", "IDLE", "5", "6"],
    ["XPENDING", "s", "g", "-", "+", "x", "a", "b", "c", "d"],
    ["XPENDING", "s", "g", "IDLE", "x", "-", "+", "1", "a", "b", "c"],
    ["XPENDING", "s", "g", "-", "+", "10", "nobody"],
    ["XPENDING", "s", "g", "-", "+", "0"],
    ["XPENDING", "s", "g", "-", "+", "-5"],
    ["SET", "str", "1"],
    ["XPENDING", "str", "g"],
    ["XPENDING", "str", "g", "-", "+", "1"],
    ["XPENDING", "str", "g", "-", "+", "x"],
    ["XACK", "str", "g", "1-1"],
  ]);
  for (
    const args of [
      ["XPENDING", "s", "g", "-", "+", "10"],
      ["XPENDING", "s", "g", "-", "+", "2"],
      ["XPENDING", "s", "g", "(1-1", "(5-1", "10"],
      ["XPENDING", "s", "g", "2", "4", "10"],
      ["XPENDING", "s", "g", "-", "+", "10", "alice"],
      ["XPENDING", "s", "g", "-", "+", "1", "alice"],
      ["XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"],
      ["XPENDING", "s", "g", "IDLE", "-5", "-", "+", "10", "bob"],
      ["XPENDING", "s", "g", "IDLE", "100000000", "-", "+", "10"],
      ["XPENDING", "s", "g", "-", "+", "10", "bob", "extra"],
      ["XPENDING", "s", "g", "IDLE", "0", "-", "+", "10", "bob", "extra"],
    ]
  ) await sameMasked(o, args, true);
  await o.same("XCLAIM", "s", "g", "bob", "0", "4-1", "5-1", "TIME", "1000", "JUSTID");
  await sameMasked(o, ["XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"], true);
  await sameMasked(o, ["XPENDING", "s", "g", "IDLE", "100000", "-", "+", "1"], true);
});

oracleTest("oracle: XCLAIM options, FORCE, deleted entries and errors", async (o) => {
  await fill(o, "s", 5);
  await o.sameAll([
    ["XCLAIM", "s", "g", "c", "0", "1-1"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XCLAIM", "s", "g", "c", "0", "1-1"],
    ["XREADGROUP", "GROUP", "g", "a", "COUNT", "3", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "b", "0", "1-1", "TIME", "1000"],
    ["XCLAIM", "s", "g", "b", "0", "2", "3-1", "JUSTID", "TIME", "2000"],
    ["XCLAIM", "s", "g", "b", "0", "2-1", "RETRYCOUNT", "7", "IDLE", "-5", "TIME", "2500"],
    ["XCLAIM", "s", "g", "c", "0", "4-1", "5-1"],
    ["XCLAIM", "s", "g", "c", "0", "4-1", "5-1", "FORCE", "JUSTID", "TIME", "3000"],
    ["XCLAIM", "s", "g", "d", "100000000000000", "1-1", "2-1"],
    ["XCLAIM", "s", "g", "d", "0", "99-1", "FORCE"],
    ["XDEL", "s", "3-1"],
    ["XCLAIM", "s", "g", "d", "0", "3-1", "1-1", "TIME", "4000", "JUSTID"],
    ["XPENDING", "s", "g"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "LASTID", "4-1", "JUSTID", "TIME", "5000"],
    ["XINFO", "GROUPS", "s"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "LASTID", "2-1", "JUSTID", "TIME", "5000"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "TIME", "99999999999999999", "JUSTID"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "TIME", "-1", "JUSTID", "RETRYCOUNT", "-3"],
    // Errors.
    ["XCLAIM", "s", "nog", "d", "0", "1-1"],
    ["XCLAIM", "nokey", "g", "d", "0", "1-1"],
    ["XCLAIM", "s", "g", "d", "x", "1-1"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "IDLE"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "IDLE", "x"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "TIME", "x"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "RETRYCOUNT", "x"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "LASTID", "x"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "FOO"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "FOO\0bar"],
    ["XCLAIM", "s", "g", "d", "0", "x"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "2-1", "JUSTID", "3-1"],
    ["XCLAIM", "s", "g", "d", "0"],
    ["SET", "str", "1"],
    ["XCLAIM", "str", "g", "d", "0", "1-1"],
    ["XCLAIM", "str", "g", "d", "x", "1-1"],
  ]);
  await sameMasked(o, ["XINFO", "CONSUMERS", "s", "g"]);
  await sameMasked(o, ["XINFO", "STREAM", "s", "FULL"]);
});

oracleTest("oracle: XAUTOCLAIM cursor, COUNT, JUSTID, deleted IDs and errors", async (o) => {
  await fill(o, "s", 8);
  await o.sameAll([
    ["XAUTOCLAIM", "s", "g", "c", "0", "0"],
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0"],
    ["XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"],
    ["XCLAIM", "s", "g", "a", "0", "1-1", "2-1", "3-1", "4-1", "TIME", "1000", "JUSTID"],
    ["XAUTOCLAIM", "s", "g", "b", "0", "0", "COUNT", "2"],
    ["XAUTOCLAIM", "s", "g", "b", "0", "(2-1", "COUNT", "2", "JUSTID"],
    ["XAUTOCLAIM", "s", "g", "b", "100000000", "0", "COUNT", "2"],
    ["XAUTOCLAIM", "s", "g", "b", "100000000", "0", "COUNT", "1"],
    ["XDEL", "s", "5-1", "6-1"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "5-1", "COUNT", "1"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "5-1", "COUNT", "3"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "-", "JUSTID"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "+"],
    ["XPENDING", "s", "g"],
    // Errors.
    ["XAUTOCLAIM", "s", "nog", "c", "0", "0"],
    ["XAUTOCLAIM", "nokey", "g", "c", "0", "0"],
    ["XAUTOCLAIM", "nokey", "g", "c", "x", "0"],
    ["XAUTOCLAIM", "s", "g", "c", "x", "0"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "x"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "(-"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "(18446744073709551615-18446744073709551615"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "x"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "-1"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423487"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "100000"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "576460752303423488"],
    ["XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"],
    ["XAUTOCLAIM", "nokey", "g", "c", "0", "0", "FOO"],
    ["SET", "str", "1"],
    ["XAUTOCLAIM", "str", "g", "c", "0", "0"],
    ["XAUTOCLAIM", "str", "g", "c", "0", "0", "FOO"],
  ]);
});

oracleTest(
  "oracle: XINFO STREAM / STREAM FULL / GROUPS / CONSUMERS / HELP and errors",
  async (o) => {
    await o.sameAll([
      ["XINFO", "STREAM", "s"],
      ["XINFO", "GROUPS", "s"],
      ["XINFO", "CONSUMERS", "s", "g"],
      ["XINFO", "HELP"],
      ["XINFO", "HELP", "x"],
      ["XINFO"],
      ["XINFO", "foo"],
      ["XINFO", "foo", "s"],
      ["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
      ["XINFO", "STREAM", "s"],
      ["XINFO", "STREAM", "s", "FULL"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "x"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "-1"],
      ["XINFO", "STREAM", "s", "foo"],
      ["XINFO", "STREAM", "s", "FULL", "foo", "1"],
      ["XINFO", "STREAM", "s", "FULL", "COUNT", "1", "x"],
      ["XINFO", "CONSUMERS", "s", "nog"],
      ["XINFO", "CONSUMERS", "s"],
      ["XINFO", "GROUPS", "s", "x"],
      ["SET", "str", "1"],
      ["XINFO", "STREAM", "str"],
      ["XINFO", "STREAM", "str", "FULL", "foo"],
      ["XINFO", "STREAM", "nokey", "FULL", "foo"],
      ["XINFO", "STREAM", "nokey", "FULL", "COUNT", "x"],
      ["XINFO", "GROUPS", "str"],
      ["XINFO", "CONSUMERS", "str", "g"],
    ]);
    await fill(o, "s", 15);
    await o.sameAll([
      ["XGROUP", "CREATE", "s", "b", "0"],
      ["XGROUP", "CREATE", "s", "a", "3-1"],
      ["XREADGROUP", "GROUP", "b", "zc", "COUNT", "12", "STREAMS", "s", ">"],
      ["XREADGROUP", "GROUP", "a", "ac", "COUNT", "2", "STREAMS", "s", ">"],
      [
        "XCLAIM",
        "s",
        "b",
        "yc",
        "0",
        "1-1",
        "3-1",
        "5-1",
        "TIME",
        "1000",
        "RETRYCOUNT",
        "4",
        "JUSTID",
      ],
      [
        "XCLAIM",
        "s",
        "b",
        "zc",
        "0",
        "2-1",
        "4-1",
        "6-1",
        "7-1",
        "8-1",
        "9-1",
        "10-1",
        "11-1",
        "12-1",
        "TIME",
        "2000",
        "JUSTID",
      ],
      ["XCLAIM", "s", "a", "ac", "0", "4-1", "5-1", "TIME", "3000", "JUSTID"],
      ["XDEL", "s", "15-1"],
      ["XINFO", "STREAM", "s"],
      ["XINFO", "GROUPS", "s"],
    ]);
    for (const resp of ["2", "3"]) {
      await Promise.all([o.redeno.call("HELLO", resp), o.redis.call("HELLO", resp)]);
      for (
        const args of [
          ["XINFO", "STREAM", "s", "FULL"],
          ["XINFO", "STREAM", "s", "FULL", "COUNT", "0"],
          ["XINFO", "STREAM", "s", "FULL", "COUNT", "2"],
          ["XINFO", "CONSUMERS", "s", "b"],
        ]
      ) await sameMasked(o, args);
      await o.sameAll([
        ["XINFO", "STREAM", "s"],
        ["XINFO", "GROUPS", "s"],
        ["XPENDING", "s", "b"],
        ["XPENDING", "s", "nob"],
        ["XREADGROUP", "GROUP", "a", "ac", "COUNT", "1", "STREAMS", "s", ">"],
        ["XREADGROUP", "GROUP", "a", "ac", "STREAMS", "s", "s", "0", "0"],
        ["XREADGROUP", "GROUP", "a", "ac", "STREAMS", "s", ">"],
        ["XAUTOCLAIM", "s", "b", "q", "0", "0", "COUNT", "1"],
        ["XCLAIM", "s", "b", "q", "0", "2-1", "TIME", "1"],
        ["XGROUP", "CREATE", "e", "g", "0", "MKSTREAM"],
        ["XINFO", "STREAM", "e"],
        ["XGROUP", "HELP"],
        ["XINFO", "HELP"],
      ]);
      await o.same("DEL", "e");
    }
  },
);

// ---------------------------------------------------------------- blocking

oracleTest(
  "oracle: XREADGROUP BLOCK served by XADD in FIFO order, NOACK, COUNT, timeouts",
  async (o) => {
    const t = await Twins.open(o, 4);
    try {
      await t.call(0, "XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
      await t.send(1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(1);
      await t.send(2, "XREADGROUP", "GROUP", "g", "c2", "NOACK", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(2);
      await t.call(0, "XADD", "s", "1-1", "a", "1");
      await t.reply(1);
      await t.blocked(1);
      await t.call(0, "XADD", "s", "2-1", "b", "2");
      await t.reply(2);
      await t.blocked(0);
      // Several streams, one gets data; COUNT bounds what is served.
      await t.call(0, "XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM");
      await t.send(
        1,
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "1",
        "BLOCK",
        "0",
        "STREAMS",
        "s",
        "s2",
        ">",
        ">",
      );
      await t.blocked(1);
      await t.call(0, "XADD", "s2", "5-1", "x", "y");
      await t.reply(1);
      // HELLO 3: the reply is a map.
      await t.hello(3, "3");
      await t.send(3, "XREADGROUP", "GROUP", "g", "c3", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(1);
      await t.call(0, "XADD", "s", "3-1", "c", "3");
      await t.reply(3);
      // A timeout: null (RESP2 and RESP3).
      await t.call(1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "50", "STREAMS", "s", ">");
      await t.call(3, "XREADGROUP", "GROUP", "g", "c3", "BLOCK", "50", "STREAMS", "s", ">");
      // History never blocks.
      await t.call(1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", "0");
      await t.call(1, "XREADGROUP", "GROUP", "g", "nobody", "BLOCK", "0", "STREAMS", "s", "0");
      // SETID does not wake a waiter; XDEL and XTRIM do not either.
      await t.send(1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(1);
      await t.call(0, "XGROUP", "SETID", "s", "g", "0");
      await t.call(0, "XDEL", "s", "1-1");
      await t.call(0, "XGROUP", "CREATECONSUMER", "s", "g", "zz");
      await t.blocked(1);
      // The next XADD serves it from the group's (moved back) last ID.
      await t.call(0, "XADD", "s", "4-1", "d", "4");
      await t.reply(1);
      await t.call(0, "XINFO", "GROUPS", "s");
      await t.call(0, "XPENDING", "s", "g");
      // CLIENT UNBLOCK ... ERROR / TIMEOUT (the ids differ between the servers).
      const ids = [
        decode(await t.mine[1].call("CLIENT", "ID")),
        decode(await t.theirs[1].call("CLIENT", "ID")),
      ];
      for (const how of ["ERROR", "TIMEOUT"]) {
        await t.send(1, "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "STREAMS", "s", ">");
        await t.blocked(1);
        const [a, b] = await Promise.all([
          t.mine[0].call("CLIENT", "UNBLOCK", String(ids[0]), how),
          t.theirs[0].call("CLIENT", "UNBLOCK", String(ids[1]), how),
        ]);
        assertEquals(a, b);
        await t.reply(1, `after CLIENT UNBLOCK ${how}`);
      }
      await t.call(0, "XINFO", "GROUPS", "s");
    } finally {
      t.close();
    }
  },
);

oracleTest(
  "oracle: blocked XREADGROUP woken by a deleted stream or a destroyed group",
  async (o) => {
    const t = await Twins.open(o, 3);
    try {
      const cases: string[][] = [
        ["DEL", "s"],
        ["SET", "s", "x"],
        ["FLUSHALL"],
        ["XGROUP", "DESTROY", "s", "g"],
        ["RENAME", "s", "t"],
        ["UNLINK", "s"],
        ["SWAPDB", "0", "1"],
      ];
      for (const c of cases) {
        await t.call(0, "FLUSHALL");
        await t.call(0, "SELECT", "1");
        await t.call(0, "FLUSHDB");
        await t.call(0, "SELECT", "0");
        await t.call(0, "XADD", "s", "1-1", "a", "1");
        await t.call(0, "XGROUP", "CREATE", "s", "g", "$");
        await t.send(1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        await t.send(2, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
        await t.blocked(2);
        await t.call(0, ...c);
        await t.reply(1, `first waiter after ${c}`);
        await t.reply(2, `second waiter after ${c}`);
        await t.blocked(0);
      }
      // A stream deleted and recreated in one transaction-less sequence: the DEL already woke them.
      await t.call(0, "FLUSHALL");
      await t.call(0, "XADD", "s", "1-1", "a", "1");
      await t.call(0, "XGROUP", "CREATE", "s", "g", "$");
      await t.send(1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(1);
      await t.call(0, "EXPIRE", "s", "0");
      await t.reply(1, "after EXPIRE 0");
      // Deleted by the active expiry, outside any command.
      await t.call(0, "XADD", "s", "1-1", "a", "1");
      await t.call(0, "XGROUP", "CREATE", "s", "g", "$");
      await t.send(1, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">");
      await t.blocked(1);
      await t.call(0, "PEXPIRE", "s", "100");
      await t.reply(1, "after the active expiry");
    } finally {
      t.close();
    }
  },
);

// ---------------------------------------------------------------- store (no servers)

Deno.test("PendingMap: random inserts, deletes and range scans agree with a sorted model", () => {
  const rand = prng(11);
  const map = new PendingMap<number>();
  const model = new Map<string, number>();
  const key = (n: number) => idKey({ ms: BigInt(n), seq: 0n });
  for (let step = 0; step < 20000; step++) {
    const n = Math.floor(rand() * 3000);
    const k = key(n);
    if (rand() < 0.6) {
      assertEquals(map.set(k, step), !model.has(k));
      model.set(k, step);
    } else {
      assertEquals(map.delete(k), model.get(k));
      model.delete(k);
    }
    if (step % 997 === 0) {
      const sorted = [...model.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      assertEquals([...map.entries()], sorted);
      const from = key(Math.floor(rand() * 3000));
      assertEquals([...map.from(from)], sorted.filter(([k2]) => k2 >= from));
      const at = sorted.find(([k2]) => k2 >= from);
      assertEquals(map.ceil(from), at);
      assertEquals(map.ceil(from, true), sorted.find(([k2]) => k2 > from));
      assertEquals(map.size, model.size);
      assertEquals(map.firstKey(), sorted[0]?.[0]);
      assertEquals(map.lastKey(), sorted[sorted.length - 1]?.[0]);
    }
  }
});

Deno.test("StreamGroup.clone: a deep copy whose PELs share NACKs as the original's do", () => {
  const g = new StreamGroup("g", { ms: 5n, seq: 0n }, 3);
  const a = g.createConsumer("a", 10);
  const b = g.createConsumer("b", 20);
  for (let i = 1n; i <= 300n; i++) g.deliver({ ms: i, seq: 0n }, i % 2n === 0n ? a : b, 100, 1);
  const copy = g.clone();
  const ca = copy.consumers.get("a")!;
  assertEquals(copy.pendingCount(), 300);
  assertEquals(ca.pending.size, 150);
  // The same NACK object through the group PEL and the owner's PEL, owned by the copied consumer.
  const k = idKey({ ms: 2n, seq: 0n });
  assertEquals(copy.pel.get(k) === ca.pending.get(k), true);
  assertEquals(copy.pel.get(k)!.consumer === ca, true);
  // Changing the copy leaves the original alone.
  copy.ack({ ms: 2n, seq: 0n });
  copy.pel.get(idKey({ ms: 4n, seq: 0n }))!.deliveryCount = 9;
  assertEquals(g.pendingCount(), 300);
  assertEquals(g.nack({ ms: 4n, seq: 0n })!.deliveryCount, 1);
  assertEquals(a.pending.size, 150);
});

oracleTest("oracle: consumer-group replies in RESP3 (nulls, maps, deleted entries)", async (o) => {
  await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  await fill(o, "s", 4);
  await o.sameAll([
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XPENDING", "s", "g"],
    ["XPENDING", "s", "g", "-", "+", "10"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["XDEL", "s", "2-1"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "s", "0", "0"],
    ["XPENDING", "s", "g"],
    ["XCLAIM", "s", "g", "d", "0", "1-1", "2-1", "TIME", "1000"],
    ["XCLAIM", "s", "g", "d", "0", "3-1", "TIME", "1000", "JUSTID"],
    ["XDEL", "s", "3-1"],
    ["XAUTOCLAIM", "s", "g", "e", "0", "0", "COUNT", "10"],
    ["XAUTOCLAIM", "s", "g", "e", "0", "0", "JUSTID"],
    ["XINFO", "GROUPS", "s"],
    ["XGROUP", "CREATE", "s", "h", "9-9", "ENTRIESREAD", "-1"],
    ["XINFO", "GROUPS", "s"],
    ["XTRIM", "s", "MAXLEN", "0"],
    ["XINFO", "STREAM", "s"],
    ["XINFO", "GROUPS", "s"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "20", "STREAMS", "s", ">"],
  ]);
  await sameMasked(o, ["XINFO", "STREAM", "s", "FULL"]);
  await sameMasked(o, ["XINFO", "CONSUMERS", "s", "g"]);
  await sameMasked(o, ["XPENDING", "s", "g", "-", "+", "10"], true);
});

oracleTest(
  "oracle: XCLAIM and XAUTOCLAIM create their consumer only when they claim",
  async (o) => {
    await fill(o, "s", 2);
    await o.sameAll([
      ["XGROUP", "CREATE", "s", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
      ["XCLAIM", "s", "g", "new1", "999999999", "1-1"],
      ["XCLAIM", "s", "g", "new2", "0", "5-5"],
      ["XAUTOCLAIM", "s", "g", "new3", "999999999", "0"],
      ["XAUTOCLAIM", "s", "g", "new4", "0", "(2-1"],
    ]);
    await sameMasked(o, ["XINFO", "CONSUMERS", "s", "g"]);
    await o.same("XCLAIM", "s", "g", "new5", "0", "1-1", "TIME", "1000");
    await sameMasked(o, ["XINFO", "CONSUMERS", "s", "g"]);
  },
);

oracleTest("oracle: keyspace hits and misses of the group commands", async (o) => {
  await fill(o, "s", 3);
  await o.sameAll([
    ["XGROUP", "CREATE", "s", "g", "0"],
    ["XGROUP", "CREATE", "nokey", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "nokey", ">", ">"],
    ["XACK", "s", "g", "1-1"],
    ["XACK", "nokey", "g", "1-1"],
    ["XCLAIM", "s", "g", "d", "0", "2-1", "JUSTID"],
    ["XCLAIM", "nokey", "g", "d", "0", "2-1"],
    ["XAUTOCLAIM", "s", "g", "d", "0", "0", "JUSTID"],
    ["XAUTOCLAIM", "nokey", "g", "d", "0", "0"],
    ["XPENDING", "s", "g"],
    ["XPENDING", "nokey", "g"],
    ["XINFO", "GROUPS", "s"],
    ["XINFO", "GROUPS", "nokey"],
  ]);
  const stats = async (c: RespClient) => {
    const info = parseInfo(decode(await c.call("INFO", "stats")) as string);
    return [info.get("keyspace_hits"), info.get("keyspace_misses")];
  };
  assertEquals(await stats(o.redeno), await stats(o.redis));
});
