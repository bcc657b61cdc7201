/**
 * Listeners against redis-server: bind (several addresses, IPv4 and IPv6),
 * CONFIG SET bind / port (rebinding held addresses), the unix socket and its
 * permissions, protected mode (a client reaching the server through a
 * non-loopback address of this machine), and the listener / TLS options'
 * CONFIG GET / SET replies. TLS connections themselves: tests/interop/tls_test.ts.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { RespClient } from "../support/resp_client.ts";
import {
  freePort,
  redisServerPath,
  runRedenoToExit,
  runRedisToExit,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";

/** True when ::1 can be bound here (IPv6 loopback configured). */
function ipv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

/** A non-loopback IPv4 address of this machine (clients reaching it are not local), or null. */
function hostAddress(): string | null {
  for (const i of Deno.networkInterfaces()) {
    if (i.family === "IPv4" && !i.address.startsWith("127.")) return i.address;
  }
  return null;
}

/** Both servers of the oracle, in the order [redeno, redis]. */
function servers(o: Oracle): TestServer[] {
  return [o.redenoServer, o.redisServer];
}

/** PING on a fresh connection to host:port, or the connect error's class name. */
async function pingAt(port: number, hostname = "127.0.0.1"): Promise<string> {
  let c: RespClient;
  try {
    c = await RespClient.connect(port, hostname);
  } catch (e) {
    return (e as Error).name;
  }
  try {
    return await c.call("PING");
  } finally {
    c.close();
  }
}

/**
 * Waits until nothing listens on host:port any more. Deno closes a listener
 * once its event loop turns, which may be just after CONFIG SET answered: a
 * connection in that moment is accepted and then reset (Redis closes first).
 */
async function gone(port: number, hostname = "127.0.0.1"): Promise<string> {
  let r = "";
  for (let i = 0; i < 200; i++) {
    r = await pingAt(port, hostname).catch((e) => (e as Error).name);
    if (r === "ConnectionRefused") break;
    await new Promise((res) => setTimeout(res, 10));
  }
  return r;
}

/** One RESP command over a unix socket; the raw reply (one read is enough for these). */
async function unixCall(path: string, ...args: string[]): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  try {
    let req = `*${args.length}\r\n`;
    for (const a of args) req += `$${a.length}\r\n${a}\r\n`;
    await conn.write(new TextEncoder().encode(req));
    const buf = new Uint8Array(64 * 1024);
    let out = "";
    // A bulk reply may come in more than one read: read until its declared length is in.
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      out += new TextDecoder().decode(buf.subarray(0, n));
      const m = /^\$(\d+)\r\n/.exec(out);
      if (!m || out.length >= m[0].length + Number(m[1]) + 2) break;
    }
    return out;
  } finally {
    conn.close();
  }
}

oracleTest("oracle: listener and TLS options in CONFIG GET and CONFIG SET", async (o) => {
  for (const pattern of ["tls-*", "unixsocket*", "tcp-*", "protected-mode", "bind*"]) {
    await o.sameUnordered(["CONFIG", "GET", pattern], true);
  }
  await o.sameAll([
    ["CONFIG", "SET", "tls-auth-clients", "maybe"],
    ["CONFIG", "SET", "tls-auth-clients", "OPTIONAL"],
    ["CONFIG", "GET", "tls-auth-clients"],
    ["CONFIG", "SET", "tls-auth-clients", "yes"],
    ["CONFIG", "SET", "unixsocket", "/tmp/x.sock"],
    ["CONFIG", "SET", "unixsocketperm", "700"],
    ["CONFIG", "SET", "tcp-backlog", "10"],
    ["CONFIG", "SET", "tls-port", "70000"],
    ["CONFIG", "SET", "tls-port", "abc"],
    ["CONFIG", "SET", "tls-session-cache-size", "-1"],
    ["CONFIG", "SET", "tls-replication", "maybe"],
    ["CONFIG", "SET", "protected-mode", "maybe"],
    ["CONFIG", "SET", "tcp-keepalive", "-1"],
    ["CONFIG", "SET", "tcp-keepalive", "60"],
    ["CONFIG", "GET", "tcp-keepalive"],
    // TLS is not in use (tls-port 0): its options are only stored, as Redis does.
    ["CONFIG", "SET", "tls-protocols", "bogus"],
    ["CONFIG", "GET", "tls-protocols"],
    ["CONFIG", "SET", "tls-protocols", ""],
    ["CONFIG", "SET", "tls-cert-file", "/nonexistent/cert.pem"],
    ["CONFIG", "SET", "tls-cert-file", ""],
    ["CONFIG", "SET", "bind-source-addr", "127.0.0.1"],
    ["CONFIG", "GET", "bind-source-addr"],
  ]);
  // Turning TLS on without a certificate fails and leaves tls-port as it was.
  const tlsPort = String(freePort());
  const [a, b] = await Promise.all([
    o.redeno.call("CONFIG", "SET", "tls-port", tlsPort),
    o.redis.call("CONFIG", "SET", "tls-port", tlsPort),
  ]);
  assertEquals(a, b);
  assert(a.includes("Unable to update TLS configuration. Check server logs."), a);
  await o.same("CONFIG", "GET", "tls-port");
});

oracleTest("oracle: CONFIG SET bind rebinds held addresses; CONFIG SET port moves", async (o) => {
  const v6 = ipv6Loopback();
  await o.sameAll([
    // The address already bound: Redis answers OK (it rebinds); so must redeno.
    ["CONFIG", "SET", "bind", "127.0.0.1"],
    ["CONFIG", "GET", "bind"],
    ["CONFIG", "SET", "bind", "1.2.3.4"],
    ["CONFIG", "GET", "bind"],
    ["CONFIG", "SET", "bind", "-1.2.3.4 127.0.0.1"],
    ["CONFIG", "GET", "bind"],
    ["PING"],
  ]);
  for (const s of servers(o)) assertEquals(await pingAt(s.port), "+PONG\r\n", s.kind);
  if (v6) {
    await o.sameAll([["CONFIG", "SET", "bind", "127.0.0.1 ::1"], ["CONFIG", "GET", "bind"]]);
    for (const s of servers(o)) {
      assertEquals(await pingAt(s.port, "::1"), "+PONG\r\n", s.kind);
      const c = await RespClient.connect(s.port, "::1");
      const info = await c.call("CLIENT", "INFO");
      c.close();
      assert(info.includes(" addr=[::1]:") && info.includes(` laddr=[::1]:${s.port} `), info);
    }
    // Dropping ::1 closes that listener only.
    await o.same("CONFIG", "SET", "bind", "127.0.0.1");
    for (const s of servers(o)) {
      assertEquals(await gone(s.port, "::1"), "ConnectionRefused", s.kind);
      assertEquals(await pingAt(s.port), "+PONG\r\n", s.kind);
    }
  } else {
    console.warn("SKIPPED (IPv6 part): ::1 cannot be bound here");
  }
  // A new port: the old one stops answering; the open connection stays.
  for (const [c, s] of [[o.redeno, o.redenoServer], [o.redis, o.redisServer]] as const) {
    const next = freePort();
    assertEquals(await c.call("CONFIG", "SET", "port", String(next)), "+OK\r\n", s.kind);
    assertEquals(await pingAt(next), "+PONG\r\n", s.kind);
    assertEquals(await gone(s.port), "ConnectionRefused", s.kind);
    assert((await c.call("INFO", "server")).includes(`tcp_port:${next}\r\n`), s.kind);
    // Port 0: no TCP listener at all (Redis's meaning), not an ephemeral port.
    assertEquals(await c.call("CONFIG", "SET", "port", "0"), "+OK\r\n", s.kind);
    assertEquals(await gone(next), "ConnectionRefused", s.kind);
    assert((await c.call("INFO", "server")).includes("tcp_port:0\r\n"), s.kind);
    assertEquals(await c.call("CONFIG", "SET", "port", String(s.port)), "+OK\r\n", s.kind);
    assertEquals(await pingAt(s.port), "+PONG\r\n", s.kind);
  }
});

const sockDir = Deno.makeTempDirSync({ prefix: "redeno-listeners-" });
// Paths of the same length: the replies that show them compare byte for byte.
const sockOf = { redeno: `${sockDir}/rdeno.sock`, redis: `${sockDir}/redis.sock` };

Deno.test("oracle: unixsocket and unixsocketperm; unix clients in CLIENT LIST", async () => {
  if (!redisServerPath()) return;
  // Each server gets its own socket path; the rest of the arguments are the same.
  const redeno = await startRedeno({
    args: ["--unixsocket", sockOf.redeno, "--unixsocketperm", "0750"],
  });
  const redis = await startRedis({
    args: ["--unixsocket", sockOf.redis, "--unixsocketperm", "750"],
  });
  try {
    const replies: Record<string, string[]> = { redeno: [], redis: [] };
    for (const [kind, path] of Object.entries(sockOf)) {
      assertEquals(Deno.statSync(path).mode! & 0o777, 0o750, kind);
      const r = replies[kind];
      r.push(await unixCall(path, "PING"));
      r.push(await unixCall(path, "CONFIG", "GET", "unixsocket"));
      r.push(await unixCall(path, "CONFIG", "GET", "unixsocketperm"));
      r.push(await unixCall(path, "CONFIG", "SET", "unixsocket", "/tmp/y.sock"));
      // addr and laddr are "<path>:0"; flags U (protected mode lets unix clients in).
      const info = await unixCall(path, "CLIENT", "INFO");
      r.push(
        info.replaceAll(path, "PATH").replace(/^\$\d+/, "$")
          .replace(/(^|\n|\s)(id|fd|age|idle|tot-mem|qbuf-free|argv-mem|rbs|rbp|qbuf)=\d+/g, "$1"),
      );
    }
    assertEquals(
      replies.redeno.map((r) => r.replaceAll(sockOf.redeno, "SOCK")),
      replies.redis.map((r) => r.replaceAll(sockOf.redis, "SOCK")),
    );
    const info = replies.redis[4];
    assert(info.includes(" addr=PATH:0 laddr=PATH:0 ") && info.includes(" flags=U "), info);
  } finally {
    await Promise.all([redeno.stop(), redis?.stop()]);
  }
  // Both remove the socket file when they shut down.
  for (const path of Object.values(sockOf)) {
    let exists = true;
    try {
      Deno.statSync(path);
    } catch {
      exists = false;
    }
    assertEquals(exists, false, path);
  }
});

Deno.test("oracle: port 0 with no other listener, and TLS without a certificate, exit", async () => {
  if (!redisServerPath()) return;
  const cases: { args: string[]; lines: string[] }[] = [
    { args: ["--port", "0"], lines: ["Configured to not listen anywhere, exiting."] },
    {
      args: ["--tls-port", String(freePort())],
      lines: ["No tls-cert-file configured!", "Failed to configure TLS. Check logs for more info."],
    },
    {
      args: [
        "--tls-port",
        String(freePort()),
        "--tls-cert-file",
        "/nonexistent.crt",
        "--tls-key-file",
        "/nonexistent.key",
      ],
      lines: [
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, " +
        "tls-replication or tls-auth-clients are enabled!",
        "Failed to configure TLS. Check logs for more info.",
      ],
    },
  ];
  for (const { args, lines } of cases) {
    for (const run of [runRedenoToExit, runRedisToExit]) {
      const r = await run({ args });
      assertEquals(r.code, 1, `${run.name} ${args.join(" ")}: ${r.output}`);
      for (const line of lines) {
        assert(r.output.includes(`# ${line}\n`), `${run.name}: ${r.output}`);
      }
    }
  }
});

const host = hostAddress();

oracleTest(
  "oracle: protected mode refuses non-loopback clients with Redis's DENIED text",
  async (o) => {
    if (host === null) {
      console.warn("SKIPPED: this machine has no non-loopback IPv4 address to connect from");
      return;
    }
    /** What a client reaching each server through the host address gets, raw, and whether it closed. */
    const fromOutside = async (command = "PING") => {
      const got = [];
      for (const s of servers(o)) {
        const c = await RespClient.connect(s.port, host);
        // Sent only after the server spoke or stayed quiet: a write racing the
        // server's close could turn it into a reset before the text is read.
        const first = await c.drain(300);
        if (!first.closed) await c.send(`${command}\r\n`).catch(() => {});
        let rest = { data: "", closed: true };
        if (!first.closed) {
          // The command gets a reply or a close: wait for one, not for a
          // quiet spell that a loaded machine can outlast.
          rest = await c.drain(300);
          for (let i = 0; i < 30 && rest.data === "" && !rest.closed; i++) {
            rest = await c.drain(300);
          }
        }
        c.close();
        got.push({ data: first.data + rest.data, closed: rest.closed });
      }
      assertEquals(got[0], got[1], `from ${host}, ${command}`);
      return got[1];
    };
    const denied = await fromOutside();
    assert(denied.data.startsWith("-DENIED Redis is running in protected mode"), denied.data);
    assert(denied.closed);
    const stat = async (c: RespClient) =>
      /rejected_connections:(\d+)/.exec(await c.call("INFO", "stats"))![1];
    assertEquals(await stat(o.redeno), await stat(o.redis));
    // A password for the default user: the client is let in (and must authenticate).
    await o.same("CONFIG", "SET", "requirepass", "s3cret");
    assertEquals((await fromOutside()).data.startsWith("-NOAUTH"), true);
    await o.same("AUTH", "s3cret");
    await o.same("CONFIG", "SET", "requirepass", "");
    assertEquals((await fromOutside()).data.startsWith("-DENIED"), true);
    // protected-mode no: anyone may connect.
    await o.same("CONFIG", "SET", "protected-mode", "no");
    assertEquals((await fromOutside()).data, "+PONG\r\n");
    await o.same("CONFIG", "SET", "protected-mode", "yes");
  },
  { args: ["--bind", `127.0.0.1 ${host ?? ""}`.trim()] },
);
