/**
 * LATENCY and LOLWUT against redis-server: exact replies where they do not
 * depend on time or chance, shapes where they do.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { type Decoded, RespClient } from "../support/resp_client.ts";

async function both(o: Oracle, ...args: string[]): Promise<[Decoded, Decoded]> {
  return await Promise.all([o.redeno.value(...args), o.redis.value(...args)]);
}

/** Numbers of milliseconds, seconds and timestamps masked. */
function maskNumbers(text: string): string {
  return text.replace(/\d+(\.\d+)?/g, "N");
}

oracleTest("oracle: LATENCY HELP, errors and an idle monitor", async (o) => {
  await o.sameAll([
    ["LATENCY", "HELP"],
    ["LATENCY"],
    ["LATENCY", "NOSUCH"],
    ["LATENCY", "HISTORY"],
    ["LATENCY", "HISTORY", "a", "b"],
    ["LATENCY", "GRAPH"],
    ["LATENCY", "GRAPH", "command"],
    ["LATENCY", "LATEST", "x"],
    ["LATENCY", "DOCTOR", "x"],
    ["LATENCY", "HELP", "x"],
    ["LATENCY", "LATEST"],
    ["LATENCY", "HISTORY", "command"],
    ["LATENCY", "RESET"],
    ["LATENCY", "RESET", "a", "b"],
    ["LATENCY", "DOCTOR"],
    ["CONFIG", "SET", "latency-monitor-threshold", "100"],
    ["LATENCY", "DOCTOR"],
    ["CONFIG", "SET", "latency-monitor-threshold", "0"],
    ["LATENCY", "HISTOGRAM", "nosuch"],
  ]);
  const [a, b] = await o.connectPair();
  try {
    await a.call("HELLO", "3");
    await b.call("HELLO", "3");
    assertEquals(await a.call("LATENCY", "DOCTOR"), await b.call("LATENCY", "DOCTOR"));
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle: LATENCY HISTOGRAM per command, RESP2 and RESP3", async (o) => {
  await o.sameAll([["CONFIG", "RESETSTAT"]]);
  for (let i = 0; i < 20; i++) await o.same("SET", `k${i}`, "v");
  await o.sameAll([
    ["GET", "k1"],
    ["CONFIG", "GET", "maxmemory"],
    ["CONFIG", "GET", "hz"],
    ["LLEN", "k1"],
  ]);
  for (const resp of ["2", "3"]) {
    const [a, b] = await o.connectPair();
    try {
      await a.call("HELLO", resp);
      await b.call("HELLO", resp);
      for (
        const args of [
          ["LATENCY", "HISTOGRAM", "set", "GET", "config", "llen", "nosuch"],
          ["LATENCY", "HISTOGRAM", "config|get"],
          ["LATENCY", "HISTOGRAM"],
        ]
      ) {
        const [mine, theirs] = await Promise.all([a.value(...args), b.value(...args)]);
        // Names, calls, and the cumulative count of the last bucket; bucket bounds are times.
        const summary = (d: Decoded) => {
          const m = toMap(d);
          const out: [string, Decoded, Decoded][] = [];
          for (const [name, h] of m) {
            if (name === "latency|histogram" || name === "hello") continue;
            const hm = toMap(h);
            const buckets = [...toMap(hm.get("histogram_usec")!).values()];
            out.push([name as string, hm.get("calls")!, buckets[buckets.length - 1]]);
          }
          return out.sort((x, y) => (x[0] < y[0] ? -1 : 1));
        };
        assertEquals(summary(mine), summary(theirs), `${args.join(" ")} RESP${resp}`);
        // The shape itself (map in RESP3, flat array in RESP2) must match too.
        assertEquals(shapeOf(mine), shapeOf(theirs));
      }
    } finally {
      a.close();
      b.close();
    }
  }
});

/** A RESP2 flat array or a RESP3 map as a Map. */
function toMap(d: Decoded): Map<Decoded, Decoded> {
  if (d instanceof Map) return d;
  const arr = d as Decoded[];
  const m = new Map<Decoded, Decoded>();
  for (let i = 0; i < arr.length; i += 2) m.set(arr[i], arr[i + 1]);
  return m;
}

function shapeOf(d: Decoded): string {
  if (d instanceof Map) return "map";
  if (Array.isArray(d)) return "array";
  return typeof d;
}

oracleTest("oracle: latency-monitor-threshold records slow commands", async (o) => {
  // A threshold well above what a loaded machine's stall can add to a fast
  // command (at 20 ms, a stalled DEBUG SLEEP 0 could record a second, later event).
  await o.sameAll([
    ["CONFIG", "SET", "latency-monitor-threshold", "200"],
    ["DEBUG", "SLEEP", "0.25"],
    ["DEBUG", "SLEEP", "0"],
  ]);
  const [latest, latestRef] = await both(o, "LATENCY", "LATEST");
  const pick = (d: Decoded) =>
    (d as Decoded[][]).map((e) => [e[0], (e[2] as number) >= 250, (e[3] as number) >= 250]);
  assertEquals(pick(latest), pick(latestRef));
  assertEquals(pick(latest), [["command", true, true]]);
  const [hist, histRef] = await both(o, "LATENCY", "HISTORY", "command");
  assertEquals((hist as Decoded[]).length, (histRef as Decoded[]).length);
  for (const what of [["LATENCY", "GRAPH", "command"], ["LATENCY", "DOCTOR"]]) {
    const [mine, theirs] = await both(o, ...what);
    assertEquals(maskNumbers(mine as string), maskNumbers(theirs as string), what.join(" "));
  }
  await o.sameAll([
    ["LATENCY", "GRAPH", "COMMAND"],
    ["LATENCY", "RESET", "COMMAND", "nosuch"],
    ["LATENCY", "LATEST"],
    ["LATENCY", "DOCTOR"],
  ]);
}, { args: ["--enable-debug-command", "yes"] });

oracleTest("oracle: LOLWUT versions and their art", async (o) => {
  await o.sameAll([
    ["LOLWUT"],
    ["LOLWUT", "VERSION"],
    ["LOLWUT", "VERSION", "7"],
    ["LOLWUT", "VERSION", "59"],
    ["LOLWUT", "VERSION", "-1"],
    ["LOLWUT", "VERSION", "x"],
    ["LOLWUT", "VERSION", "5", "x"],
    ["LOLWUT", "VERSION", "6", "10", "x"],
    ["LOLWUT", "foo", "bar"],
    ["LOLWUT", "version", "5", "10", "2", "2"],
    // Only rows below the second are disordered by chance: these are exact.
    ["LOLWUT", "VERSION", "5", "66", "8", "2"],
    ["LOLWUT", "VERSION", "5", "1", "1", "1"],
    ["LOLWUT", "VERSION", "5", "2", "3", "1"],
    ["LOLWUT", "VERSION", "5", "0", "-5", "0"],
    ["LOLWUT", "VERSION", "5", "37", "5", "2"],
    ["LOLWUT", "VERSION", "5", "5000", "300", "1"],
    ["LOLWUT", "VERSION", "4294967301", "20", "3", "2"],
  ]);
  // Random art: the same size and the same closing lines.
  const lines = (d: Decoded) => (d as string).split("\n");
  for (
    const args of [
      ["LOLWUT", "VERSION", "5"],
      ["LOLWUT", "VERSION", "5", "40", "5", "9"],
      ["LOLWUT", "VERSION", "6"],
      ["LOLWUT", "VERSION", "6", "30", "12"],
      ["LOLWUT", "VERSION", "6", "1", "1"],
      ["LOLWUT", "VERSION", "6", "-3", "5000"],
    ]
  ) {
    const [mine, theirs] = await both(o, ...args);
    const a = lines(mine);
    const b = lines(theirs);
    assertEquals(a.length, b.length, args.join(" "));
    assertEquals(a.slice(-3), b.slice(-3), args.join(" "));
    // Characters per line (LOLWUT 6: cells, whose color escapes differ in length).
    const width = (l: string) => args[2] === "6" ? l.split("\x1b[0m").length - 1 : l.length;
    for (let i = 0; i < a.length - 3; i++) {
      assertEquals(width(a[i]), width(b[i]), `${args.join(" ")} line ${i}`);
    }
    if (args[2] === "6") {
      const esc = "\x1b";
      const cell = new RegExp(`^(${esc}\\[0;(30;40|90;100|37;47|97;107)m ${esc}\\[0m)+$`);
      for (const l of a.slice(0, -3)) assert(cell.test(l), l);
    }
  }
  // RESP3: verbatim text.
  const c = await RespClient.connect(o.redenoServer.port);
  const r = await RespClient.connect(o.redisServer.port);
  try {
    await c.call("HELLO", "3");
    await r.call("HELLO", "3");
    assertEquals(await c.call("LOLWUT"), await r.call("LOLWUT"));
    assertEquals(
      await c.call("LOLWUT", "VERSION", "5", "9", "3", "2"),
      await r.call("LOLWUT", "VERSION", "5", "9", "3", "2"),
    );
  } finally {
    c.close();
    r.close();
  }
});

oracleTest("oracle: blocking commands enter the histogram once their wait ends", async (o) => {
  const calls = async (c: RespClient) => {
    const m = toMap(await c.value("LATENCY", "HISTOGRAM", "blpop"));
    const h = m.get("blpop");
    return h === undefined ? 0 : toMap(h).get("calls");
  };
  const [a, b] = await o.connectPair();
  try {
    // Timed out: not in the histogram (Redis 7.0).
    assertEquals(await a.call("BLPOP", "q", "0.1"), await b.call("BLPOP", "q", "0.1"));
    assertEquals(await calls(o.redeno), await calls(o.redis));
    // Served.
    await Promise.all([a.send("BLPOP q 0\r\n"), b.send("BLPOP q 0\r\n")]);
    for (const c of [o.redeno, o.redis]) {
      while (!((await c.value("INFO", "clients")) as string).includes("blocked_clients:1")) {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    await o.sameAll([["RPUSH", "q", "x"]]);
    assertEquals(await a.reply(), await b.reply());
    assertEquals(await calls(o.redeno), await calls(o.redis));
    assertEquals(await calls(o.redeno), 1);
  } finally {
    a.close();
    b.close();
  }
});
