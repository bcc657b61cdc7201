/**
 * The replica's handshake against a scripted master on a loopback socket,
 * for what a real redis-server 7.0 never does on demand: a master that
 * only knows SYNC, one that answers -NOMASTERLINK / -LOADING first (the
 * replica tries again), keep-alive newlines before the answer and before
 * the payload, a diskless `$EOF:<mark>` payload whose mark arrives split
 * across writes, and REPLCONF GETACK answered with the offset applied
 * before it. The fake master records every command the replica sends, so
 * the handshake's order is checked as Redis 7.0 sends it.
 */
import { assert, assertEquals } from "@std/assert";
import { Keyspace } from "../../lib/store/keyspace.ts";
import { encodeRdb } from "../../lib/persistence/rdb.ts";
import { appendCommand } from "../../lib/persistence/aoffile.ts";
import { ByteBuffer } from "../../lib/util/bytebuf.ts";
import { RespParser } from "../../lib/resp/decoder.ts";
import { RespClient } from "../support/resp_client.ts";
import { startRedeno } from "../support/servers.ts";
import { waitFor } from "../support/persistence.ts";

const enc = new TextEncoder();

/** An RDB holding `key` = `value` in db 0, as a master would send it. */
function rdbWith(key: string, value: string): Uint8Array {
  const ks = new Keyspace(16);
  ks.dbs[0].set(key, value);
  return encodeRdb(ks);
}

function command(...args: string[]): Uint8Array {
  const b = new ByteBuffer(64);
  appendCommand(b, args);
  return b.buf.slice(0, b.pos);
}

/** How the fake master answers one connection; it gets the commands seen so far. */
type Script = (conn: Deno.Conn, next: () => Promise<string[]>, attempt: number) => Promise<void>;

/** A master on a free port that runs `script` for each connection and records commands. */
function fakeMaster(script: Script) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[][] = [];
  const conns: Deno.Conn[] = [];
  const errors: Error[] = [];
  let attempts = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const parser = new RespParser({
        maxBulkLen: () => 1 << 30,
        maxQueryBuffer: () => 1 << 30,
        authRequired: () => false,
      });
      const queue: string[][] = [];
      const buf = new Uint8Array(65536);
      const next = async (): Promise<string[]> => {
        while (queue.length === 0) {
          const n = await conn.read(buf);
          if (n === null) throw new Error("replica closed the link");
          queue.push(...parser.feed(buf.subarray(0, n)).commands);
        }
        const cmd = queue.shift()!;
        seen.push(cmd);
        return cmd;
      };
      script(conn, next, ++attempts).catch((e) => {
        // The replica hanging up ends a script; anything else is a failed expectation.
        if (!String(e).includes("replica closed the link")) errors.push(e);
      }).finally(() => {
        try {
          conn.close();
        } catch {
          // closed by the script
        }
      });
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    seen,
    get attempts() {
      return attempts;
    },
    /** Throws the first failed expectation of a script (waits poll this). */
    check() {
      if (errors.length !== 0) throw errors[0];
    },
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await serving;
    },
  };
}

async function write(conn: Deno.Conn, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? enc.encode(data) : data;
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** Answers PING, AUTH and the REPLCONFs as Redis does; returns the PSYNC (or SYNC) command. */
async function handshake(conn: Deno.Conn, next: () => Promise<string[]>): Promise<string[]> {
  for (;;) {
    const cmd = await next();
    const name = cmd[0].toUpperCase();
    if (name === "PING") await write(conn, "+PONG\r\n");
    else if (name === "AUTH" || name === "REPLCONF") await write(conn, "+OK\r\n");
    else return cmd;
  }
}

const REPLID = "a".repeat(40);

Deno.test("replica handshake: Redis's order, then SYNC when the master refuses PSYNC", async () => {
  let sawSync = false;
  const master = fakeMaster(async (conn, next) => {
    const psync = await handshake(conn, next);
    // A master turned replica continues its own history (Redis's cached master from itself).
    assertEquals(psync[0], "PSYNC");
    assertEquals(psync[2], "1");
    await write(conn, "-ERR unknown command 'PSYNC'\r\n");
    assertEquals(await next(), ["SYNC"]);
    sawSync = true;
    const rdb = rdbWith("old", "master");
    await write(conn, `$${rdb.length}\r\n`);
    await write(conn, rdb);
    await write(conn, command("SET", "live", "1"));
    // Held open: the replica's link stays up until the test ends.
    for (;;) await next();
  });
  const replica = await startRedeno({
    args: ["--masterauth", "pw", "--masteruser", "u", "--replica-announce-ip", "10.0.0.9"],
  });
  const c = await RespClient.connect(replica.port);
  try {
    await c.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor(
      "stream applied",
      async () => master.check() ?? (await c.call("GET", "live")) === "$1\r\n1\r\n",
    );
    assert(sawSync);
    assertEquals(await c.call("GET", "old"), "$6\r\nmaster\r\n");
    const names = master.seen.map((a) => a.slice(0, 2).join(" ").toUpperCase());
    assertEquals(names.slice(0, 6), [
      "PING",
      "AUTH U",
      "REPLCONF LISTENING-PORT",
      "REPLCONF IP-ADDRESS",
      "REPLCONF CAPA",
      "PSYNC " + master.seen[5][1].toUpperCase(),
    ]);
    assertEquals(master.seen[2][2], String(replica.port));
    assertEquals(master.seen[3][2], "10.0.0.9");
    assertEquals(master.seen[4].slice(1), ["capa", "eof", "capa", "psync2"]);
  } finally {
    c.close();
    await replica.stop();
    await master.close();
  }
});

Deno.test("replica handshake: -NOMASTERLINK and -LOADING are tried again; a diskless payload after newlines", async () => {
  const master = fakeMaster(async (conn, next, attempt) => {
    await handshake(conn, next);
    if (attempt === 1) {
      return await write(conn, "-NOMASTERLINK Can't SYNC while not connected with my master\r\n");
    }
    if (attempt === 2) {
      return await write(conn, "-LOADING Redis is loading the dataset in memory\r\n");
    }
    await write(conn, "\n\n");
    await write(conn, `+FULLRESYNC ${REPLID} 100\r\n`);
    await write(conn, "\n\n\n");
    const mark = "0123456789".repeat(4);
    const rdb = rdbWith("k", "from-eof");
    await write(conn, `$EOF:${mark}\r\n`);
    await write(conn, rdb);
    // The mark split over two writes: the replica must find it across reads.
    await write(conn, mark.slice(0, 13));
    await new Promise((r) => setTimeout(r, 50));
    await write(conn, mark.slice(13));
    // A diskless master waits for the first ACK before the stream (as Redis).
    let ack = await next();
    while (ack[1]?.toUpperCase() !== "ACK") ack = await next();
    assertEquals(ack, ["REPLCONF", "ACK", "100"]);
    const set = command("SET", "after", "x");
    await write(conn, set);
    const getack = command("REPLCONF", "GETACK", "*");
    await write(conn, getack);
    // Answered with the offset of what was applied before the GETACK.
    ack = await next();
    while (ack[2] !== String(100 + set.length)) ack = await next();
    for (;;) await next();
  });
  const replica = await startRedeno({});
  const c = await RespClient.connect(replica.port);
  try {
    await c.call("REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor(
      "stream applied",
      async () => master.check() ?? (await c.call("GET", "after")) === "$1\r\nx\r\n",
    );
    assert(master.attempts >= 3, `attempts: ${master.attempts}`);
    assertEquals(await c.call("GET", "k"), "$8\r\nfrom-eof\r\n");
    const info = await c.call("INFO", "replication");
    assert(info.includes("master_link_status:up"), info);
    assert(info.includes(`master_replid:${REPLID}`), info);
    // The offset counts every byte of the stream, GETACK included.
    await waitFor(
      "offset",
      async () =>
        master.check() ?? (await c.call("INFO", "replication")).includes(
          `master_repl_offset:${
            100 + command("SET", "after", "x").length + command("REPLCONF", "GETACK", "*").length
          }`,
        ),
    );
    assertEquals(
      await c.call("ROLE"),
      `*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:${master.port}\r\n$9\r\nconnected\r\n:${
        100 + command("SET", "after", "x").length + command("REPLCONF", "GETACK", "*").length
      }\r\n`,
    );
  } finally {
    c.close();
    await replica.stop();
    await master.close();
  }
});

Deno.test("replica handshake: an -ERR before the payload keeps the old data set and tries again", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const master = fakeMaster(async (conn, next, attempt) => {
    // The third attempt waits until the test saw the old data set survive two.
    if (attempt >= 3) await released;
    await handshake(conn, next);
    await write(conn, `+FULLRESYNC ${REPLID} 0\r\n`);
    if (attempt === 1) {
      // Half a payload, then the link drops: nothing of it may replace the data set.
      const rdb = rdbWith("new", "1");
      await write(conn, `$${rdb.length}\r\n`);
      await write(conn, rdb.subarray(0, 10));
      return;
    }
    if (attempt === 2) return await write(conn, "-ERR something went wrong\r\n");
    const rdb = rdbWith("new", "2");
    await write(conn, `$${rdb.length}\r\n`);
    await write(conn, rdb);
    for (;;) await next();
  });
  const replica = await startRedeno({});
  const c = await RespClient.connect(replica.port);
  try {
    await c.call("SET", "mine", "kept");
    await c.call("REPLICAOF", "127.0.0.1", String(master.port));
    // After the two failed attempts the old key is still there.
    await waitFor("third attempt", () => master.check() ?? master.attempts >= 3);
    assertEquals(await c.call("GET", "mine"), "$4\r\nkept\r\n");
    assertEquals(await c.call("GET", "new"), "$-1\r\n");
    release();
    await waitFor(
      "third attempt's data",
      async () => (await c.call("GET", "new")) === "$1\r\n2\r\n",
    );
    // The third transfer replaced the data set.
    assertEquals(await c.call("GET", "mine"), "$-1\r\n");
  } finally {
    c.close();
    await replica.stop();
    await master.close();
  }
});
