/**
 * What the consumer-group commands log to the AOF, against Redis 7.0.15:
 * the same clients run the same scenario on redeno and on a real
 * redis-server (`appendfsync always`), and the commands in their
 * incremental AOF files must be the same — XREADGROUP, XCLAIM and
 * XAUTOCLAIM as one `XCLAIM key group consumer 0 id TIME t RETRYCOUNT n
 * FORCE JUSTID LASTID last` per NACK they touch, NOACK reads as `XGROUP
 * SETID ... ENTRIESREAD n` (with `XGROUP CREATECONSUMER` for a consumer they
 * create), several from one call in MULTI/EXEC, a blocked XREADGROUP right
 * after the XADD that served it — with the TIME values masked (each server
 * reads its own clock). Then each log replays to the data its server held.
 */
import {
  decode,
  type Decoded,
  encodeCommand,
  parseInfo,
  RespClient,
} from "../support/resp_client.ts";
import type { TestServer } from "../support/servers.ts";
import { AOF_ONLY, propagationScenario, waitFor } from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

/** A logged command as compared: XCLAIM's TIME value masked. */
function mask(args: string[]): string[] {
  if (args[0].toUpperCase() === "XCLAIM" && args.length === 14) {
    return [...args.slice(0, 7), "<time>", ...args.slice(8)];
  }
  return args;
}

async function run(s: TestServer): Promise<string[]> {
  const c = await Promise.all([0, 1, 2, 3].map(() => RespClient.connect(s.port)));
  const [w0, w1, cl, control] = c;
  const replies: string[] = [];
  const call = async (client: RespClient, ...args: string[]) => {
    const r = await client.call(...args);
    // Replies that show delivery times or idle times are compared by shape only.
    replies.push(/XCLAIM|XAUTOCLAIM|XINFO|XPENDING/i.test(args[0]) ? r.split("\r\n")[0] : r);
  };
  const block = async (client: RespClient, n: number, ...args: string[]) => {
    await client.send(encodeCommand(args));
    await waitFor(`${n} blocked clients`, async () => {
      const info = parseInfo(decode(await control.call("INFO", "clients")) as string);
      return Number(info.get("blocked_clients")) === n;
    });
  };
  const reply = async (client: RespClient) => {
    replies.push(await client.reply());
  };
  try {
    for (let i = 1; i <= 8; i++) await call(cl, "XADD", "s", `${i}-1`, "f", `v${i}`);
    await call(cl, "XGROUP", "CREATE", "s", "g", "0");
    await call(cl, "XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "8");
    await call(cl, "XGROUP", "CREATE", "m", "g", "$", "MKSTREAM");
    // New entries: one XCLAIM per entry; several go in MULTI/EXEC.
    await call(cl, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">");
    await call(cl, "XREADGROUP", "GROUP", "g", "bob", "COUNT", "2", "STREAMS", "s", ">");
    // NOACK: the consumer it creates and the group's new last ID.
    await call(cl, "XREADGROUP", "GROUP", "g", "carol", "NOACK", "COUNT", "1", "STREAMS", "s", ">");
    await call(cl, "XREADGROUP", "GROUP", "g", "carol", "NOACK", "COUNT", "1", "STREAMS", "s", ">");
    // History and empty reads log nothing (a consumer created by them neither).
    await call(cl, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0");
    await call(cl, "XREADGROUP", "GROUP", "g", "dave", "STREAMS", "s", "0");
    await call(cl, "XREADGROUP", "GROUP", "g2", "erin", "STREAMS", "s", ">");
    // Two streams in one call.
    await call(cl, "XADD", "m", "1-1", "a", "b");
    await call(
      cl,
      "XREADGROUP",
      "GROUP",
      "g",
      "alice",
      "COUNT",
      "1",
      "STREAMS",
      "s",
      "m",
      ">",
      ">",
    );
    // XCLAIM with every option, the ID as typed, deleted entries, LASTID.
    await call(cl, "XCLAIM", "s", "g", "zed", "0", "1", "2-1", "TIME", "1000", "RETRYCOUNT", "5");
    await call(cl, "XCLAIM", "s", "g", "zed", "0", "3-1", "IDLE", "5000", "JUSTID");
    await call(cl, "XCLAIM", "s", "g", "zed", "0", "7-1", "FORCE", "JUSTID", "TIME", "2000");
    await call(cl, "XCLAIM", "s", "g", "zed", "100000000000", "1-1");
    await call(cl, "XCLAIM", "s", "g", "zed", "0", "1-1", "LASTID", "9-9", "TIME", "3000");
    await call(cl, "XCLAIM", "s", "g", "zed", "0", "99-1", "LASTID", "20-1");
    await call(cl, "XDEL", "s", "2-1");
    await call(cl, "XCLAIM", "s", "g", "yan", "0", "2-1", "1-1");
    // XAUTOCLAIM: claimed and deleted entries.
    await call(cl, "XDEL", "s", "3-1");
    await call(cl, "XAUTOCLAIM", "s", "g", "xi", "0", "0", "COUNT", "2");
    await call(cl, "XAUTOCLAIM", "s", "g", "xi", "0", "0", "JUSTID");
    await call(cl, "XAUTOCLAIM", "s", "g", "xi", "100000000000", "0");
    // XACK and the XGROUP subcommands log as they came.
    await call(cl, "XACK", "s", "g", "1-1", "99-9");
    await call(cl, "XACK", "s", "g", "98-9");
    await call(cl, "XGROUP", "CREATECONSUMER", "s", "g", "new");
    await call(cl, "XGROUP", "CREATECONSUMER", "s", "g", "new");
    await call(cl, "XGROUP", "DELCONSUMER", "s", "g", "new");
    await call(cl, "XGROUP", "DELCONSUMER", "s", "g", "zed");
    await call(cl, "XGROUP", "SETID", "s", "g2", "5-1", "ENTRIESREAD", "3");
    await call(cl, "XGROUP", "SETID", "s", "g2", "6-1");
    // Served after blocking: logged right after the XADD, in the waiter's db.
    await call(w0, "SELECT", "2");
    await call(w1, "SELECT", "2");
    await call(cl, "SELECT", "2");
    await call(cl, "XGROUP", "CREATE", "b", "g", "$", "MKSTREAM");
    await block(w0, 1, "XREADGROUP", "GROUP", "g", "w0", "BLOCK", "0", "STREAMS", "b", ">");
    await block(
      w1,
      2,
      "XREADGROUP",
      "GROUP",
      "g",
      "w1",
      "NOACK",
      "BLOCK",
      "0",
      "STREAMS",
      "b",
      ">",
    );
    await call(cl, "XADD", "b", "1-1", "a", "1");
    await reply(w0);
    await call(cl, "XADD", "b", "2-1", "a", "2");
    await reply(w1);
    // A deleted stream wakes a waiter with an error and logs nothing more.
    await block(w0, 1, "XREADGROUP", "GROUP", "g", "w0", "BLOCK", "0", "STREAMS", "b", ">");
    await call(cl, "DEL", "b");
    await reply(w0);
    await call(cl, "SELECT", "0");
    await call(cl, "XGROUP", "DESTROY", "s", "g2");
    await call(cl, "XGROUP", "DESTROY", "s", "g2");
    return replies;
  } finally {
    for (const x of c) x.close();
  }
}

/**
 * Every stream of every used db: entries, groups, PEL rows without times,
 * consumers. `replayed` leaves out what Redis's log does not carry:
 * consumers created by reads that logged nothing (a history read), and
 * entries-read (XCLAIM ... LASTID moves the last ID but not the counter),
 * with the lag that follows from it.
 */
async function dump(port: number, replayed = false): Promise<string[]> {
  const c = await RespClient.connect(port);
  const rows: string[] = [];
  const d = async (...args: string[]) => decode(await c.call(...args));
  try {
    for (const db of ["0", "2"]) {
      await c.call("SELECT", db);
      const keys = (await d("KEYS", "*") as string[]).sort();
      for (const key of keys) {
        rows.push(JSON.stringify([db, key, await d("XRANGE", key, "-", "+")]));
        const groups = await d("XINFO", "GROUPS", key) as Decoded[][];
        for (const g of groups) {
          rows.push(JSON.stringify([db, key, replayed ? [g[1], g[5], g[7]] : g]));
          const name = g[1] as string;
          const pel = await d("XPENDING", key, name, "-", "+", "1000") as Decoded[][];
          rows.push(JSON.stringify([db, key, name, pel.map((r) => [r[0], r[1], r[3]])]));
          const consumers = await d("XINFO", "CONSUMERS", key, name) as Decoded[][];
          const owners = consumers.filter((x) => !replayed || x[3] !== 0);
          rows.push(JSON.stringify([db, key, name, owners.map((x) => [x[1], x[3]])]));
        }
      }
    }
    return rows;
  } finally {
    c.close();
  }
}

Deno.test("consumer groups log what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    run,
    dump,
    replayDump: (port) => dump(port, true),
    log: { mask, tx: (commands) => commands.length > 1 },
    checkLog: (log) => {
      if (!log.some((l) => l.includes('"XCLAIM"'))) throw new Error("Redis logged no XCLAIM");
    },
    replays: "the same data",
    tmpPrefix: "redeno-sgprop-",
  });
});
