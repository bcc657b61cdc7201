/**
 * Hostile input against redeno and real Redis side by side: malformed frames,
 * huge declared sizes, binary garbage, half frames, overlong lines, the query
 * buffer limit. Every answer (and whether the connection is closed) must be
 * byte-identical, and redeno must keep serving its other clients.
 */
import { assert, assertEquals } from "@std/assert";
import { drainBoth, type Drained, type Oracle, oracleTest } from "../support/oracle.ts";
import { encodeCommand, RespClient } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";

/**
 * Sends on `c`, but gives up after `ms` (closing the connection) instead of
 * blocking forever when the server stops reading without closing.
 */
async function sendWithin(c: RespClient, data: string | Uint8Array, ms = 60_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => (timer = setTimeout(() => r("late"), ms)));
  try {
    const sending = c.send(data).then(() => "sent" as const, (e: Error) => e);
    const got = await Promise.race([sending, late]);
    if (got instanceof Error) throw got;
    if (got === "late") {
      c.close();
      throw new Error(`the server stopped reading for ${ms / 1000}s without closing`);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends raw bytes to both servers on fresh connections and compares all they
 * answer and whether they close. Waits for silence; if the answers differ it
 * waits longer before deciding (a loaded machine may answer late), so a slow
 * reply is not mistaken for a missing one.
 */
async function rawBoth(
  o: Oracle,
  bytes: string | Uint8Array,
): Promise<Drained> {
  const [a, b] = await o.connectPair();
  try {
    await Promise.all([sendWithin(a, bytes).catch(() => {}), sendWithin(b, bytes).catch(() => {})]);
    const [mine, theirs] = await drainBoth(a, b);
    const shown = typeof bytes === "string" ? bytes.slice(0, 120) : `${bytes.length} bytes`;
    assertEquals(mine, theirs, `answer to raw input ${JSON.stringify(shown)}`);
    return theirs;
  } finally {
    a.close();
    b.close();
  }
}

/** Both main clients still answer normally. */
async function stillServing(o: Oracle): Promise<void> {
  assertEquals(await o.same("PING"), "+PONG\r\n");
  assertEquals(await o.same("ECHO", "still\x00here"), "$10\r\nstill\x00here\r\n");
}

const MALFORMED: string[] = [
  // Bad multibulk counts.
  "*abc\r\n",
  "*\r\n",
  "*+2\r\n$4\r\nPING\r\n",
  "*01\r\n$4\r\nPING\r\n",
  "*3000000000\r\n",
  "*9223372036854775807\r\n",
  "*99999999999999999999999\r\n",
  "*-5\r\nPING\r\n",
  // Bad bulk lengths.
  "*1\r\n$-1\r\n",
  "*2\r\n$4\r\nECHO\r\n$abc\r\n",
  "*2\r\n$4\r\nECHO\r\n$\r\n",
  "*2\r\n$4\r\nECHO\r\n$+3\r\nabc\r\n",
  "*2\r\n$4\r\nECHO\r\n$03\r\nabc\r\n",
  "*1\r\n$600000000\r\n",
  "*1\r\n$9999999999999999999\r\n",
  "*2\r\n$4\r\nECHO\r\n:3\r\n",
  "*2\r\n$4\r\nECHO\r\n+abc\r\n",
  "*2\r\n$4\r\nECHO\r\n\r\n",
  // Declared length disagrees with the data: the trailing two bytes are skipped.
  "*2\r\n$4\r\nECHO\r\n$3\r\nabcXY*1\r\n$4\r\nPING\r\n",
  "*2\r\n$4\r\nECHO\r\n$3\r\nabcdefg\r\n",
  // Valid commands before the error get their replies first.
  "PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n",
  // Inline quoting.
  'ECHO "unbalanced\r\n',
  "ECHO 'unbalanced\r\n",
  'ECHO "a"b\r\n',
  "ECHO 'a'b\r\n",
  'SET k "\\x00\\xff\\r\\n" \r\nGET k\r\nDEL k\r\n',
  'ECHO "\\x4g\\q\\"" \r\n',
  "   \r\n\t\r\n\n\nPING\r\n",
  "PING\n\nPING\r\n",
  // NUL bytes.
  "ECHO a\x00b\r\n",
  "\x00\x00\x00\r\nPING\r\n",
  "*1\r\n$4\r\nPI\x00G\r\n",
  // Unknown commands with binary names and arguments.
  "*3\r\n$4\r\nNO\x00P\r\n$3\r\na\x00b\r\n$2\r\n\r\n\r\n",
  "\xff\xfe\xfd\r\n",
  "*1\r\n$0\r\n\r\n",
  // Wrong arity through inline and multibulk.
  "GET\r\n*1\r\n$3\r\nSET\r\n",
  // A half frame with nothing more to come.
  "*1\r\n$5\r\nab",
  "*2\r\n$4\r\nECHO\r\n",
  "*2\r\n",
  "*1\r\n$4\r",
  "PING",
];

/** rawBoth over many inputs, a few connections at a time. */
async function rawBothAll(o: Oracle, inputs: string[], parallel = 8): Promise<void> {
  for (let i = 0; i < inputs.length; i += parallel) {
    await Promise.all(inputs.slice(i, i + parallel).map((input) => rawBoth(o, input)));
  }
}

oracleTest("hostile: malformed frames get Redis's answers", async (o) => {
  await rawBothAll(o, MALFORMED);
  await stillServing(o);
});

oracleTest("hostile: overlong lines and counts", async (o) => {
  // A 70KB line without newline.
  const r1 = await rawBoth(o, "A".repeat(70 * 1024));
  assertEquals(r1, { data: "-ERR Protocol error: too big inline request\r\n", closed: true });
  // ... after a valid command, and as an inline command's argument.
  await rawBoth(o, "PING\r\nECHO " + "b".repeat(70 * 1024));
  await rawBoth(o, "*" + "1".repeat(70 * 1024));
  await rawBoth(o, "*1\r\n$" + "9".repeat(70 * 1024));
  // Long but under the limit, with its newline: a normal inline command.
  await rawBoth(o, "ECHO " + "c".repeat(60 * 1024) + "\r\n");
  await stillServing(o);
});

oracleTest("hostile: huge declared bulk sizes, data never sent", async (o) => {
  for (const size of [100_000, 10_000_000, 100_000_000, 512 * 1024 * 1024]) {
    await rawBoth(o, `*2\r\n$4\r\nECHO\r\n$${size}\r\nabc`);
  }
  await rawBoth(o, `*1\r\n$${512 * 1024 * 1024 + 1}\r\n`);
  await stillServing(o);
});

oracleTest("hostile: seeded binary garbage", async (o) => {
  const pieces = ["*", "$", "\r\n", "1", "-1", "0", "PING", "ECHO", " ", '"', "'", "\x00", "\n"];
  for (const seed of [1, 2, 3, 4]) {
    const r = prng(seed);
    const inputs: string[] = [];
    for (let i = 0; i < 40; i++) {
      let s = "";
      const n = 1 + Math.floor(r() * 40);
      for (let k = 0; k < n; k++) {
        s += r() < 0.5
          ? pieces[Math.floor(r() * pieces.length)]
          : String.fromCharCode(Math.floor(r() * 256));
      }
      inputs.push(s);
    }
    await rawBothAll(o, inputs);
  }
  await stillServing(o);
});

oracleTest("hostile: valid commands split across many tiny writes", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    const input = encodeCommand(["SET", "split\r\nkey", "v\x00\xff"]);
    for (let i = 0; i < input.length; i++) {
      await Promise.all([a.send(input.subarray(i, i + 1)), b.send(input.subarray(i, i + 1))]);
    }
    assertEquals(await a.reply(), await b.reply());
    assertEquals(await a.call("GET", "split\r\nkey"), await b.call("GET", "split\r\nkey"));
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("hostile: unauthenticated clients get tighter limits", async (o) => {
  // Ten arguments are allowed: the command is refused for lack of AUTH only.
  const ten = "*10\r\n$3\r\nDEL\r\n" + "$1\r\nx\r\n".repeat(9);
  assertEquals((await rawBoth(o, ten)).data.startsWith("-NOAUTH"), true);
  assertEquals(await rawBoth(o, "*11\r\n"), {
    data: "-ERR Protocol error: unauthenticated multibulk length\r\n",
    closed: true,
  });
  await rawBoth(o, "*2\r\n$4\r\nAUTH\r\n$16384\r\n" + "p".repeat(16384) + "\r\n");
  assertEquals(await rawBoth(o, "*2\r\n$4\r\nAUTH\r\n$16385\r\n"), {
    data: "-ERR Protocol error: unauthenticated bulk length\r\n",
    closed: true,
  });
  // After AUTH the same frames are fine.
  const [a, b] = await o.connectPair();
  try {
    for (const c of [a, b]) assertEquals(await c.call("AUTH", "secret"), "+OK\r\n");
    const args = ["ECHO", "z".repeat(20000)];
    assertEquals(await a.call(...args), await b.call(...args));
  } finally {
    a.close();
    b.close();
  }
}, { args: ["--requirepass", "secret"] });

/** A client on `port` sends `bytes` (ignoring errors) and disconnects. */
async function hitAndRun(port: number, bytes: string | Uint8Array): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    await sendWithin(c, bytes);
  } catch (e) {
    // Closed by the server (expected for some junk) is fine; a stall is not.
    if (/stopped reading/.test((e as Error).message)) throw e;
  } finally {
    c.close();
  }
}

oracleTest("hostile: other clients keep getting correct replies", async (o) => {
  const port = o.redenoServer.port;
  const watcher = await RespClient.connect(port);
  try {
    const r = prng(99);
    const junk = [
      "*1\r\n$5\r\nab",
      "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000000\r\n" + "v".repeat(500_000),
      "*abc\r\n",
      "\xff\x00\xfe garbage \r\n",
      "A".repeat(70 * 1024),
      'ECHO "unbalanced\r\n',
      "*2\r\n$4\r\nECHO\r\n",
    ];
    for (let i = 0; i < 60; i++) {
      const bytes = junk[i % junk.length];
      // Start the hostile client, and talk on the watcher at the same time.
      const hostile = hitAndRun(port, bytes);
      const msg = `msg-${i}-${Math.floor(r() * 1e9)}`;
      assertEquals(await watcher.call("ECHO", msg), `$${msg.length}\r\n${msg}\r\n`);
      assertEquals(await watcher.call("PING"), "+PONG\r\n");
      await hostile;
    }
    // Several half frames left open at once, then closed together.
    const open = await Promise.all(
      Array.from({ length: 20 }, () => RespClient.connect(port)),
    );
    await Promise.all(open.map((c) => c.send("*2\r\n$4\r\nECHO\r\n$100\r\nab")));
    assertEquals(await watcher.call("PING"), "+PONG\r\n");
    for (const c of open) c.close();
    assertEquals(await watcher.call("ECHO", "after"), "$5\r\nafter\r\n");
  } finally {
    watcher.close();
  }
  await stillServing(o);
});

/** Sends a 2MB bulk in 64KB pieces on fresh connections to both servers. */
async function overflowBoth(o: Oracle): Promise<void> {
  const [a, b] = await o.connectPair();
  try {
    const size = 2 * 1024 * 1024;
    const head = `*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${size}\r\n`;
    const piece = "x".repeat(64 * 1024);
    const feed = async (c: RespClient) => {
      try {
        await sendWithin(c, head);
        for (let sent = 0; sent < size; sent += piece.length) await sendWithin(c, piece);
        await sendWithin(c, "\r\n");
      } catch (e) {
        // The server closing the connection under us is expected; a stall is not.
        if (/stopped reading/.test((e as Error).message)) throw e;
      }
    };
    await Promise.all([feed(a), feed(b)]);
    // Drain ends as soon as the connection closes; the long quiet period only
    // matters when a server fails to close.
    const [mine, theirs] = await Promise.all([a.drain(10_000), b.drain(10_000)]);
    assertEquals(theirs, { data: "", closed: true }, "Redis closes without a reply");
    assertEquals(mine, theirs);
  } finally {
    a.close();
    b.close();
  }
  await stillServing(o);
  assertEquals(await o.same("EXISTS", "big"), ":0\r\n");
}

oracleTest("hostile: query buffer limit from the command line closes the client", async (o) => {
  await overflowBoth(o);
}, { args: ["--client-query-buffer-limit", "1mb"] });

oracleTest("hostile: CONFIG SET client-query-buffer-limit 1mb closes the client", async (o) => {
  assertEquals(await o.same("CONFIG", "SET", "client-query-buffer-limit", "1mb"), "+OK\r\n");
  await overflowBoth(o);
  // A bulk under the limit still goes through.
  const value = "y".repeat(512 * 1024);
  assertEquals(await o.same("SET", "ok", value), "+OK\r\n");
  assertEquals(await o.same("STRLEN", "ok"), `:${value.length}\r\n`);
});

oracleTest("hostile: a half-written huge value, then disconnect, frees the server", async (o) => {
  for (let i = 0; i < 5; i++) {
    await hitAndRun(
      o.redenoServer.port,
      `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${50 * 1024 * 1024}\r\n` + "q".repeat(1024 * 1024),
    );
  }
  await stillServing(o);
  assertEquals(await o.same("EXISTS", "k"), ":0\r\n");
  assert(!o.redeno.closed);
});
