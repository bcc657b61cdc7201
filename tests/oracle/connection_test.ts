import { assert, assertEquals } from "@std/assert";
import { drainBoth, oracleTest } from "../support/oracle.ts";
import { decode, RespClient } from "../support/resp_client.ts";

/** Quiet bound of a drain that must end at a close (it returns as soon as the close comes). */
const CLOSE_MS = 10_000;

/** HELLO replies with the connection id masked (ids legitimately differ). */
function maskId(raw: string): string {
  return raw.replace(/\$2\r\nid\r\n:\d+\r\n/, "$2\r\nid\r\n:ID\r\n");
}

/** CLIENT LIST / INFO lines with the fields that differ between servers masked. */
function maskClientLine(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of line.replace(/^txt:/, "").trim().split(" ")) {
    const eq = part.indexOf("=");
    fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  for (
    const k of [
      "id",
      "addr",
      "laddr",
      "fd",
      "qbuf",
      "qbuf-free",
      "rbs",
      "rbp",
      "tot-mem",
      "age",
      "idle",
    ]
  ) {
    if (k in fields) fields[k] = "*";
  }
  return fields;
}

oracleTest("oracle: HELLO protocol switch and errors", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    for (
      const cmd of [
        ["HELLO"],
        ["HELLO", "3"],
        ["HELLO", "2", "SETNAME", "x"],
        ["HELLO", "3", "AUTH", "default"],
        ["HELLO", "abc"],
        ["HELLO", "1"],
        ["HELLO", "4"],
        ["HELLO", "2", "foo"],
        ["HELLO", "2", "setname"],
        ["HELLO", "3", "SETNAME", "a b"],
        ["HELLO", "3", "AUTH", "other", "pw"],
        ["HELLO", "3", "AUTH", "default", "anything"],
      ]
    ) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(maskId(mine), maskId(theirs), JSON.stringify(cmd));
    }
    // RESP3 is in effect after HELLO 3.
    for (const cmd of [["CLIENT", "GETNAME"], ["PING"], ["GET", "nokey"]]) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(mine, theirs, JSON.stringify(cmd));
    }
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle: AUTH without a password configured", async (o) => {
  await o.sameAll([
    ["AUTH", "x"],
    ["AUTH", "default", "x"],
    ["AUTH", "other", "x"],
    ["AUTH", "a", "b", "c"],
    ["AUTH"],
  ]);
});

oracleTest("oracle: AUTH, HELLO and RESET with requirepass", async (o) => {
  const [a, b] = await o.connectPair();
  const both = async (...cmd: string[]) => {
    const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
    assertEquals(maskId(mine), maskId(theirs), JSON.stringify(cmd));
  };
  try {
    await both("PING");
    await both("CLIENT", "ID");
    await both("HELLO", "3");
    await both("HELLO");
    await both("AUTH", "bad");
    await both("AUTH", "u", "bad");
    await both("HELLO", "3", "AUTH", "default", "bad");
    await both("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "n");
    await both("CLIENT", "GETNAME");
    await both("RESET");
    await both("PING");
    await both("CLIENT", "GETNAME");
    await both("AUTH", "secret");
    await both("PING");
    await both("AUTH", "default", "secret");
    await both("QUIT", "x");
  } finally {
    a.close();
    b.close();
  }
}, { args: ["--requirepass", "secret"] });

oracleTest("oracle: CLIENT ID, SETNAME, GETNAME, NO-EVICT, errors", async (o) => {
  await o.sameAll([
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME", "a b"],
    ["CLIENT", "SETNAME", "x\n"],
    ["CLIENT", "SETNAME", "\xe9"],
    ["CLIENT", "SETNAME", "good-name"],
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME", ""],
    ["CLIENT", "GETNAME"],
    ["CLIENT", "SETNAME", "a", "b"],
    ["CLIENT", "ID", "x"],
    ["CLIENT", "NO-EVICT", "maybe"],
    ["CLIENT", "NO-EVICT", "on"],
    ["CLIENT", "NO-EVICT", "OFF"],
    ["CLIENT", "REPLY", "foo"],
    ["CLIENT", "NOSUCH"],
    ["CLIENT"],
    ["CLIENT", "LIST", "TYPE", "bad"],
    ["CLIENT", "LIST", "TYPE"],
    ["CLIENT", "LIST", "foo"],
    ["CLIENT", "LIST", "ID", "abc"],
    ["CLIENT", "LIST", "ID", "0"],
    ["CLIENT", "LIST", "ID", "99999"],
    ["CLIENT", "KILL", "1.2.3.4:5"],
    ["CLIENT", "KILL", "ID", "99999"],
    ["CLIENT", "KILL", "ID", "x"],
    ["CLIENT", "KILL", "ID", "0"],
    ["CLIENT", "KILL", "foo", "bar"],
    ["CLIENT", "KILL", "TYPE", "bad"],
    ["CLIENT", "KILL", "TYPE", "master"],
    ["CLIENT", "KILL", "TYPE", "pubsub"],
    ["CLIENT", "KILL", "SKIPME", "maybe"],
    ["CLIENT", "KILL", "USER", "nobody"],
    ["CLIENT", "KILL", "LADDR", "x"],
    ["CLIENT", "KILL", "ID"],
  ]);
  const id = Number(await o.redeno.call("CLIENT", "ID").then((r) => r.slice(1)));
  assert(id > 0);
});

oracleTest("oracle: CLIENT LIST and CLIENT INFO fields", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    for (const c of [a, b]) {
      await c.call("CLIENT", "SETNAME", "lister");
      await c.call("SELECT", "3");
    }
    for (const cmd of [["CLIENT", "INFO"], ["CLIENT", "LIST", "ID", "1", "2", "3", "4", "5"]]) {
      const [mine, theirs] = await Promise.all([a.value(...cmd), b.value(...cmd)]);
      const m = (mine as string).split("\n").filter((l) => l.includes("name=lister"));
      const t = (theirs as string).split("\n").filter((l) => l.includes("name=lister"));
      assertEquals(m.map(maskClientLine), t.map(maskClientLine), JSON.stringify(cmd));
      assert((mine as string).endsWith("\n"));
    }
    // Field names, in order, for every client.
    const [mine, theirs] = await Promise.all([
      a.value("CLIENT", "LIST"),
      b.value("CLIENT", "LIST"),
    ]);
    const keys = (s: string) =>
      s.trim().split("\n").map((l) => l.split(" ").map((p) => p.split("=")[0]).join(" "));
    assertEquals(keys(mine as string)[0], keys(theirs as string)[0]);
    // RESP3: verbatim text.
    await Promise.all([a.call("HELLO", "3"), b.call("HELLO", "3")]);
    const [m3, t3] = await Promise.all([a.call("CLIENT", "INFO"), b.call("CLIENT", "INFO")]);
    assert(m3.startsWith("=") && m3.includes("txt:id="), m3);
    assert(t3.startsWith("="));
    assertEquals(maskClientLine(decode(m3) as string), maskClientLine(decode(t3) as string));
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle: CLIENT REPLY OFF, SKIP, ON", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    const script = [
      ["CLIENT", "REPLY", "SKIP"],
      ["SET", "k", "1"],
      ["GET", "k"],
      ["CLIENT", "REPLY", "OFF"],
      ["SET", "k", "2"],
      ["NOSUCH"],
      ["CLIENT", "REPLY", "SKIP"],
      ["CLIENT", "REPLY", "ON"],
      ["GET", "k"],
    ];
    let bytes = "";
    for (const cmd of script) {
      bytes += `*${cmd.length}\r\n` + cmd.map((x) => `$${x.length}\r\n${x}\r\n`).join("");
    }
    await Promise.all([a.send(bytes), b.send(bytes)]);
    const want = "$1\r\n1\r\n+OK\r\n$1\r\n2\r\n";
    const [mine, theirs] = await drainBoth(a, b, 300, want);
    assertEquals(mine, theirs);
    assertEquals(theirs.data, want);
  } finally {
    a.close();
    b.close();
  }
});

oracleTest("oracle: CLIENT KILL other and self", async (o) => {
  for (const server of [o.redenoServer, o.redisServer]) {
    const victim = await RespClient.connect(server.port);
    const killer = await RespClient.connect(server.port);
    const id = (await victim.call("CLIENT", "ID")).slice(1, -2);
    assertEquals(await killer.call("CLIENT", "KILL", "ID", id), ":1\r\n");
    const gone = await victim.drain(CLOSE_MS);
    assert(gone.closed, `${server.kind}: victim closed`);
    // Old form on yourself: +OK, then the connection closes.
    const info = decode(await killer.call("CLIENT", "INFO")) as string;
    const addr = /addr=(\S+)/.exec(info)![1];
    assertEquals(await killer.call("CLIENT", "KILL", "ADDR", addr), ":0\r\n");
    assertEquals(await killer.call("CLIENT", "KILL", "ADDR", addr, "SKIPME", "no"), ":1\r\n");
    const after = await killer.drain(CLOSE_MS);
    assert(after.closed, `${server.kind}: killer closed`);
    victim.close();
    killer.close();
    const self = await RespClient.connect(server.port);
    const info2 = decode(await self.call("CLIENT", "INFO")) as string;
    const addr2 = /addr=(\S+)/.exec(info2)![1];
    assertEquals(await self.call("CLIENT", "KILL", addr2), "+OK\r\n");
    assert((await self.drain(CLOSE_MS)).closed);
    self.close();
  }
});

oracleTest("oracle: SELECT, ECHO, PING, QUIT, RESET", async (o) => {
  const [a, b] = await o.connectPair();
  try {
    for (
      const cmd of [
        ["SELECT", "2"],
        ["SET", "k", "v"],
        ["CLIENT", "SETNAME", "n"],
        ["HELLO", "3"],
        ["RESET"],
        ["GET", "k"],
        ["CLIENT", "GETNAME"],
        ["RESET", "x"],
        ["ECHO", "hi"],
        ["PING", "x", "y"],
      ]
    ) {
      const [mine, theirs] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
      assertEquals(maskId(mine), maskId(theirs), JSON.stringify(cmd));
    }
  } finally {
    a.close();
    b.close();
  }
  await o.sameRaw("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n");
});
