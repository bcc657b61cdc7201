/**
 * A long script must not freeze the server: past busy-reply-threshold other
 * clients get BUSY, SCRIPT KILL stops a script that has not written
 * (UNKILLABLE after a write), FUNCTION KILL names the other kind, SHUTDOWN
 * without NOSAVE is refused and SHUTDOWN NOSAVE works — compared with
 * redis-server, text for text. busy-reply-threshold is set low so the test
 * stays short; nothing asserts on time.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest, untilBusy } from "../support/oracle.ts";

const THRESHOLD = ["--busy-reply-threshold", "50"];

/** Starts `script` on a fresh connection of each server; returns the pending replies. */
async function startScripts(
  o: Oracle,
  ...args: string[]
): Promise<{ pending: Promise<[string, string]>; close: () => void }> {
  const [a, b] = await o.connectPair();
  // A connection the server closes (SHUTDOWN NOSAVE) ends its script's wait with "closed".
  const closed = () => "closed";
  const pending = Promise.all([a.call(...args).catch(closed), b.call(...args).catch(closed)]);
  return {
    pending,
    close: () => {
      a.close();
      b.close();
    },
  };
}

/** The same command on both servers while their scripts are busy (own connections). */
async function sameWhileBusy(o: Oracle, ...args: string[]): Promise<string> {
  const [mine, theirs] = await Promise.all([o.redeno.call(...args), o.redis.call(...args)]);
  assertEquals(mine, theirs, `reply to ${JSON.stringify(args)} while a script is busy`);
  return theirs;
}

oracleTest("oracle: busy script: BUSY for others, SCRIPT KILL, serving again", async (o) => {
  await o.same("SCRIPT", "KILL");
  await o.same("FUNCTION", "KILL");
  const run = await startScripts(o, "EVAL", "while true do end", "0");
  try {
    const [busyMine, busyTheirs] = await Promise.all([untilBusy(o.redeno), untilBusy(o.redis)]);
    assertEquals(busyMine, busyTheirs);
    await sameWhileBusy(o, "GET", "k");
    await sameWhileBusy(o, "SCRIPT", "LOAD", "return 1");
    await sameWhileBusy(o, "FUNCTION", "KILL");
    await sameWhileBusy(o, "SHUTDOWN");
    await sameWhileBusy(o, "SCRIPT", "KILL");
    const [mine, theirs] = await run.pending;
    assertEquals(mine, theirs, "the killed script's reply");
  } finally {
    run.close();
  }
  await o.sameAll([["PING"], ["SET", "k", "v"], ["GET", "k"], ["SCRIPT", "KILL"]]);
}, { args: THRESHOLD });

oracleTest("oracle: busy script: a loop inside pcall is killed too", async (o) => {
  const script = "while true do pcall(function() while true do end end) end";
  const run = await startScripts(o, "EVAL", script, "0");
  try {
    await Promise.all([untilBusy(o.redeno), untilBusy(o.redis)]);
    await sameWhileBusy(o, "SCRIPT", "KILL");
    const [mine, theirs] = await run.pending;
    assertEquals(mine, theirs, "the killed script's reply");
  } finally {
    run.close();
  }
  await o.same("PING");
}, { args: THRESHOLD });

oracleTest("oracle: busy script: UNKILLABLE after a write, SHUTDOWN NOSAVE ends it", async (o) => {
  const script = "redis.call('SET', 'w', '1') while true do end";
  const run = await startScripts(o, "EVAL", script, "0");
  try {
    await Promise.all([untilBusy(o.redeno), untilBusy(o.redis)]);
    await sameWhileBusy(o, "SCRIPT", "KILL");
    await sameWhileBusy(o, "SHUTDOWN");
    await sameWhileBusy(o, "SHUTDOWN", "SAVE");
    // SHUTDOWN NOSAVE: no reply, the connections close, the servers exit.
    const [mine, theirs] = await Promise.all([
      o.redeno.call("SHUTDOWN", "NOSAVE").catch((e) => `closed: ${(e as Error).message}`),
      o.redis.call("SHUTDOWN", "NOSAVE").catch((e) => `closed: ${(e as Error).message}`),
    ]);
    assertEquals(mine, theirs);
    assertEquals(await run.pending, ["closed", "closed"]);
    const [redenoStatus, redisStatus] = await Promise.all([
      o.redenoServer.process.status,
      o.redisServer.process.status,
    ]);
    assert(
      redenoStatus.code === redisStatus.code,
      `exit codes ${redenoStatus.code} ${redisStatus.code}`,
    );
  } finally {
    run.close();
  }
}, { args: THRESHOLD });
