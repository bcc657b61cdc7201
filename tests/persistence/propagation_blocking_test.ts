/**
 * What the blocking pops log to the AOF, against Redis 7.0.15: the same
 * clients run the same scenario on redeno and on a real redis-server
 * (`appendfsync always`), and the commands in their incremental AOF files
 * must be the same — BLPOP as LPOP key, BLMPOP as LPOP key n, BLMOVE as
 * LMOVE (directions as given when served at once, lowercase when served
 * after blocking), BRPOPLPUSH as RPOPLPUSH, BZPOPMIN as ZPOPMIN key, BZMPOP
 * as ZPOPMIN key n — each served pop right after the write that served it,
 * in the waiter's database; timeouts and unblocked waits log nothing. Then
 * redeno replays both logs to the data Redis holds.
 */
import {
  decode,
  encodeCommand,
  encodeCommands,
  parseInfo,
  RespClient,
} from "../support/resp_client.ts";
import type { TestServer } from "../support/servers.ts";
import { AOF_ONLY, dumpPort, propagationScenario, waitFor } from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];
const BK = "bin\x00key\r\n\xff";

/**
 * The scenario on one server: client 0 and 1 wait, client 2 writes, a
 * control connection watches INFO blocked_clients. Returns every reply.
 */
async function run(s: TestServer): Promise<string[]> {
  const c = await Promise.all([0, 1, 2, 3].map(() => RespClient.connect(s.port)));
  const [w0, w1, pusher, control] = c;
  const replies: string[] = [];
  const call = async (cl: RespClient, ...args: string[]) => {
    replies.push(await cl.call(...args));
  };
  /** Sends a command that blocks, and waits until `n` clients are blocked. */
  const block = async (cl: RespClient, n: number, ...args: string[]) => {
    await cl.send(encodeCommand(args));
    await waitFor(`${n} blocked clients`, async () => {
      const info = parseInfo(decode(await control.call("INFO", "clients")) as string);
      return Number(info.get("blocked_clients")) === n;
    });
  };
  const reply = async (cl: RespClient) => {
    replies.push(await cl.reply());
  };
  try {
    // Served at once, in db 0.
    await call(pusher, "RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h");
    await call(pusher, "BLPOP", "nokey", "l", "0");
    await call(pusher, "BRPOP", "l", "0");
    await call(pusher, "BRPOPLPUSH", "l", "d", "0");
    await call(pusher, "BLMOVE", "l", "d", "RIGHT", "Left", "0");
    await call(pusher, "BLMPOP", "0", "1", "l", "LEFT");
    await call(pusher, "BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2");
    await call(pusher, "BLMPOP", "0", "1", "l", "right", "COUNT", "10");
    await call(pusher, "ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f");
    await call(pusher, "BZPOPMIN", "z", "0");
    await call(pusher, "BZPOPMAX", "nokey", "z", "0");
    await call(pusher, "BZMPOP", "0", "1", "z", "MIN");
    await call(pusher, "BZMPOP", "0", "1", "z", "MIN", "COUNT", "2");
    await call(pusher, "BZMPOP", "0", "2", "nokey", "z", "max", "COUNT", "9");
    // Timeouts, errors and WRONGTYPE log nothing.
    await call(pusher, "BLPOP", "nokey", "0.01");
    await call(pusher, "BZMPOP", "0.01", "1", "nokey", "MIN");
    await call(pusher, "SET", "str", "v");
    await call(pusher, "BLPOP", "str", "0");
    await call(pusher, "BLMOVE", "d", "str", "LEFT", "LEFT", "0");
    await call(pusher, "BLPOP", "l", "-1");

    // Served after blocking, waiters and pusher in db 3.
    for (const cl of [w0, w1, pusher]) await call(cl, "SELECT", "3");
    const cases: [string[], string[]][] = [
      [["BLPOP", "q", "0"], ["RPUSH", "q", "1", "2"]],
      [["BRPOP", "q2", "0"], ["RPUSH", "q2", "1", "2"]],
      [["BRPOPLPUSH", "q3", "dst", "0"], ["RPUSH", "q3", "1", "2"]],
      [["BLMOVE", "q4", "dst", "LEFT", "RIGHT", "0"], ["RPUSH", "q4", "1", "2"]],
      [["BLMPOP", "0", "2", "x", "q5", "LEFT", "COUNT", "5"], ["RPUSH", "q5", "1", "2"]],
      [["BLMPOP", "0", "1", "q6", "RIGHT"], ["RPUSH", "q6", "1", "2"]],
      [["BLPOP", BK, "100"], ["LPUSH", BK, "v\r\n"]],
      [["BZPOPMIN", "zz", "0"], ["ZADD", "zz", "1", "a", "2", "b"]],
      [["BZPOPMAX", "zz2", "0"], ["ZADD", "zz2", "1", "a", "2", "b"]],
      [["BZMPOP", "0", "1", "zz3", "MAX", "COUNT", "5"], ["ZADD", "zz3", "1", "a", "2", "b"]],
      [["BZMPOP", "0", "1", "zz4", "MIN"], ["ZADD", "zz4", "1", "a", "2", "b"]],
    ];
    for (const [wait, push] of cases) {
      await block(w0, 1, ...wait);
      await call(pusher, ...push);
      await reply(w0);
    }
    // Two waiters on one key, FIFO; one push of three elements.
    await block(w0, 1, "BLPOP", "f", "0");
    await block(w1, 2, "BRPOP", "f", "0");
    await call(pusher, "RPUSH", "f", "1", "2", "3");
    await reply(w0);
    await reply(w1);
    // A chain: the BLMOVE's push serves the next waiter in the same event.
    await block(w0, 1, "BLMOVE", "c1", "c2", "LEFT", "LEFT", "0");
    await block(w1, 2, "BLPOP", "c2", "0");
    await call(pusher, "LPUSH", "c1", "v");
    await reply(w0);
    await reply(w1);
    // The pusher's pipelined pop comes after the waiter's.
    await block(w0, 1, "BLPOP", "p", "0");
    await pusher.send(encodeCommands([["LPUSH", "p", "1"], ["LPOP", "p"]]));
    await reply(pusher);
    await reply(pusher);
    await reply(w0);
    // A served BLMOVE onto a key of another type logs nothing.
    await call(pusher, "SET", "dstr", "v");
    await block(w0, 1, "BLMOVE", "src", "dstr", "LEFT", "LEFT", "0");
    await call(pusher, "RPUSH", "src", "1");
    await reply(w0);

    // The waiter in db 4 is served by writes in other databases: MOVE, SWAPDB.
    await call(w0, "SELECT", "4");
    await call(pusher, "SELECT", "2");
    await block(w0, 1, "BLPOP", "m", "0");
    await call(pusher, "RPUSH", "m", "x", "y");
    await call(pusher, "MOVE", "m", "4");
    await reply(w0);
    await block(w0, 1, "BZPOPMIN", "sw", "0");
    await call(pusher, "ZADD", "sw", "1", "a", "2", "b");
    await call(pusher, "SWAPDB", "2", "4");
    await reply(w0);

    // A timeout, and CLIENT UNBLOCK, log nothing.
    await call(w0, "BLPOP", "none", "0.01");
    const id = decode(await w0.call("CLIENT", "ID")) as number;
    await block(w0, 1, "BLPOP", "none", "0");
    await call(control, "CLIENT", "UNBLOCK", String(id));
    await reply(w0);
    return replies;
  } finally {
    for (const cl of c) cl.close();
  }
}

async function dump(port: number): Promise<string[]> {
  return (await dumpPort(port)).map((row) => JSON.stringify(row)).sort();
}

Deno.test("blocking pops log what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    run,
    dump,
    replays: "Redis's data",
    tmpPrefix: "redeno-bprop-",
  });
});
