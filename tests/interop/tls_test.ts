/**
 * TLS with real clients, over certificates this test makes with openssl (a
 * CA, a server certificate for localhost / 127.0.0.1, a client certificate,
 * and a client certificate from another CA): redis-cli --tls with and
 * without a client certificate, ioredis and node-redis with TLS options,
 * `port 0` (TLS only), tls-auth-clients yes / optional / no, tls-protocols,
 * and a plain-text client on the TLS port dropped without harming the server.
 */
import { assert, assertEquals } from "@std/assert";
import { fileURLToPath } from "node:url";
import { createClient, Redis } from "../support/clients.ts";
import { findOnPath, freePort, signal, terminate } from "../support/servers.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Runs a tool; its exit code and everything it printed. */
async function run(
  cmd: string,
  args: string[],
  stdin = "",
): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const timer = setTimeout(() => signal(child, "SIGKILL"), 30_000);
  const r = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by a CA the server does not trust. */
  rogueCert: string;
  rogueKey: string;
}

/** A CA, a server and two client certificates (one from an untrusted CA), made by openssl. */
async function makeCerts(): Promise<Certs> {
  const dir = Deno.makeTempDirSync({ prefix: "redeno-tls-" });
  const f = (n: string) => `${dir}/${n}`;
  const openssl = async (...args: string[]) => {
    const r = await run("openssl", args);
    if (r.code !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.out}`);
  };
  const ca = async (name: string) => {
    await openssl("genrsa", "-out", f(`${name}.key`), "2048");
    await openssl(
      "req",
      "-x509",
      "-new",
      "-nodes",
      "-sha256",
      "-key",
      f(`${name}.key`),
      "-days",
      "2",
      "-subj",
      `/O=redeno test/CN=${name}`,
      "-out",
      f(`${name}.crt`),
    );
  };
  const leaf = async (name: string, caName: string, ext: string) => {
    Deno.writeTextFileSync(f(`${name}.ext`), ext);
    await openssl("genrsa", "-out", f(`${name}.key`), "2048");
    await openssl(
      "req",
      "-new",
      "-sha256",
      "-key",
      f(`${name}.key`),
      "-subj",
      `/O=redeno test/CN=${name}`,
      "-out",
      f(`${name}.csr`),
    );
    await openssl(
      "x509",
      "-req",
      "-sha256",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f(`${caName}.crt`),
      "-CAkey",
      f(`${caName}.key`),
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
      "-out",
      f(`${name}.crt`),
    );
  };
  await ca("ca");
  await ca("rogue-ca");
  await leaf(
    "server",
    "ca",
    "keyUsage = digitalSignature, keyEncipherment\n" +
      "subjectAltName = DNS:localhost, IP:127.0.0.1\n",
  );
  const clientExt = "keyUsage = digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\n";
  await leaf("client", "ca", clientExt);
  await leaf("rogue", "rogue-ca", clientExt);
  return {
    dir,
    ca: f("ca.crt"),
    serverCert: f("server.crt"),
    serverKey: f("server.key"),
    clientCert: f("client.crt"),
    clientKey: f("client.key"),
    rogueCert: f("rogue.crt"),
    rogueKey: f("rogue.key"),
  };
}

interface TlsServer {
  tlsPort: number;
  /** The plain TCP port (0: none). */
  port: number;
  stop(): Promise<void>;
}

/** PING over TLS with the trusted client certificate; the raw reply, or the error's text. */
async function tlsPing(certs: Certs, port: number, withCert = true): Promise<string> {
  let conn: Deno.TlsConn;
  try {
    conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [Deno.readTextFileSync(certs.ca)],
      ...(withCert
        ? {
          cert: Deno.readTextFileSync(certs.clientCert),
          key: Deno.readTextFileSync(certs.clientKey),
        }
        : {}),
    });
  } catch (e) {
    return (e as Error).message;
  }
  try {
    await conn.write(new TextEncoder().encode("*1\r\n$4\r\nPING\r\n"));
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    return n === null ? "closed" : new TextDecoder().decode(buf.subarray(0, n));
  } catch (e) {
    return (e as Error).message;
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the server
    }
  }
}

/**
 * Starts redeno with TLS on a free port (and `port 0` unless `plainPort`),
 * waiting until it answers PING over TLS with the client certificate.
 */
async function startTls(certs: Certs, args: string[], plainPort = false): Promise<TlsServer> {
  for (let attempt = 1;; attempt++) {
    const tlsPort = freePort();
    const port = plainPort ? freePort() : 0;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--tls-port",
        String(tlsPort),
        "--tls-cert-file",
        certs.serverCert,
        "--tls-key-file",
        certs.serverKey,
        "--tls-ca-cert-file",
        certs.ca,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        certs.dir,
        ...args,
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    let exited = false;
    child.status.then(() => (exited = true));
    for (let i = 0; i < 600 && !exited; i++) {
      if (await tlsPing(certs, tlsPort) === "+PONG\r\n") {
        return { tlsPort, port, stop: () => terminate(child, 5000) };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    signal(child, "SIGKILL");
    await child.status;
    // A port another test took meanwhile: try again on others.
    if (attempt === 3) throw new Error("redeno with TLS did not start");
  }
}

/**
 * Plain text (and a truncated handshake) sent to a TLS port: the connection
 * is closed, with at most a TLS alert, never a reply.
 */
async function plainTextDropped(port: number): Promise<void> {
  for (const junk of ["PING\r\n", "*1\r\n$4\r\nPING\r\n", "\x16\x03\x01\x00\x05hello"]) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(junk)).catch(() => 0);
    const buf = new Uint8Array(1024);
    let got = "";
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    assert(!got.includes("PONG") && !got.includes("ERR"), `answer to ${JSON.stringify(junk)}`);
  }
}

const redisCli = findOnPath("redis-cli");

/** redis-cli --tls against `port` with `extra` options; its trimmed output. */
async function cli(certs: Certs, port: number, extra: string[], ...command: string[]) {
  const r = await run(redisCli!, [
    "--tls",
    "--cacert",
    certs.ca,
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    ...extra,
    ...command,
  ]);
  return r.out.trim();
}

const opensslPresent = findOnPath("openssl") !== null;
const certs = opensslPresent ? await makeCerts() : null;
if (!opensslPresent) console.warn("SKIPPED: openssl is not installed");

Deno.test({
  name: "tls: port 0 (TLS only), tls-auth-clients yes, redis-cli --tls, plain text dropped",
  ignore: certs === null || redisCli === null,
  fn: async () => {
    const s = await startTls(certs!, []);
    try {
      const mine = ["--cert", certs!.clientCert, "--key", certs!.clientKey];
      assertEquals(await cli(certs!, s.tlsPort, mine, "PING"), "PONG");
      assertEquals(await cli(certs!, s.tlsPort, mine, "SET", "k", "over tls"), "OK");
      assertEquals(await cli(certs!, s.tlsPort, mine, "GET", "k"), "over tls");
      assertEquals(await cli(certs!, s.tlsPort, mine, "CONFIG", "GET", "port"), "port\n0");
      assertEquals(
        await cli(certs!, s.tlsPort, mine, "INFO", "server").then((t) =>
          /tcp_port:(\d+)/.exec(t)![1]
        ),
        "0",
      );
      // No client certificate, or one from a CA the server does not trust: refused.
      assert(!(await cli(certs!, s.tlsPort, [], "PING")).includes("PONG"));
      assert(!(await tlsPing(certs!, s.tlsPort, false)).includes("PONG"));
      const rogue = ["--cert", certs!.rogueCert, "--key", certs!.rogueKey];
      assert(!(await cli(certs!, s.tlsPort, rogue, "PING")).includes("PONG"));
      // Plain text on the TLS port: dropped; the server goes on serving.
      await plainTextDropped(s.tlsPort);
      assertEquals(await cli(certs!, s.tlsPort, mine, "PING"), "PONG");
      // No plain TCP listener at all with port 0.
      const clients = await cli(certs!, s.tlsPort, mine, "CLIENT", "LIST");
      assertEquals(clients.split("\n").length, 1, clients);
      assert(clients.includes("addr=127.0.0.1:"), clients);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "tls: tls-auth-clients optional and no; CONFIG SET tls-* reloads; tls-protocols",
  ignore: certs === null || redisCli === null,
  fn: async () => {
    const s = await startTls(certs!, ["--tls-auth-clients", "optional"], true);
    try {
      // optional: no certificate is fine, a certificate must be valid.
      assertEquals(await cli(certs!, s.tlsPort, [], "PING"), "PONG");
      const rogue = ["--cert", certs!.rogueCert, "--key", certs!.rogueKey];
      assert(!(await cli(certs!, s.tlsPort, rogue, "PING")).includes("PONG"));
      assertEquals(await tlsPing(certs!, s.tlsPort), "+PONG\r\n");
      // no (Deno's own TLS listener): anyone with the CA may connect; plain text still dropped.
      const plain = async (...args: string[]) =>
        (await run(redisCli!, ["-p", String(s.port), ...args])).out.trim();
      assertEquals(await plain("CONFIG", "SET", "tls-auth-clients", "no"), "OK");
      let reply = "";
      for (let i = 0; i < 200 && reply !== "PONG"; i++) {
        reply = await cli(certs!, s.tlsPort, [], "PING");
        if (reply !== "PONG") await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(reply, "PONG");
      await plainTextDropped(s.tlsPort);
      assertEquals(await cli(certs!, s.tlsPort, [], "PING"), "PONG");
      // A bad TLS setting is refused as Redis refuses it; the old one stays.
      assert(
        (await plain("CONFIG", "SET", "tls-protocols", "TLSv9")).includes(
          "Unable to update TLS configuration. Check server logs.",
        ),
      );
      assertEquals(await plain("CONFIG", "GET", "tls-protocols"), "tls-protocols");
      // TLSv1.3 only: a TLSv1.2 client cannot connect, a TLSv1.3 one can.
      assertEquals(await plain("CONFIG", "SET", "tls-protocols", "TLSv1.3"), "OK");
      const sClient = async (version: string) =>
        (await run("openssl", [
          "s_client",
          "-connect",
          `127.0.0.1:${s.tlsPort}`,
          version,
          "-CAfile",
          certs!.ca,
        ], "PING\r\n")).out;
      let v13 = "";
      for (let i = 0; i < 200 && !v13.includes("+PONG"); i++) {
        v13 = await sClient("-tls1_3");
        if (!v13.includes("+PONG")) await new Promise((r) => setTimeout(r, 20));
      }
      assert(v13.includes("+PONG"), v13);
      assert(!(await sClient("-tls1_2")).includes("+PONG"));
      assertEquals(await plain("PING"), "PONG");
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "tls: ioredis and node-redis with TLS options",
  ignore: certs === null,
  fn: async () => {
    const s = await startTls(certs!, []);
    const tls = {
      ca: Deno.readTextFileSync(certs!.ca),
      cert: Deno.readTextFileSync(certs!.clientCert),
      key: Deno.readTextFileSync(certs!.clientKey),
      servername: "localhost",
    };
    try {
      const io = new Redis({
        host: "127.0.0.1",
        port: s.tlsPort,
        tls,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await io.connect();
        assertEquals(await io.set("io", "tls"), "OK");
        assertEquals(await io.get("io"), "tls");
        assertEquals(await io.incr("n"), 1);
      } finally {
        io.disconnect();
      }
      const nr = createClient({
        socket: { host: "127.0.0.1", port: s.tlsPort, tls: true, ...tls, reconnectStrategy: false },
      });
      nr.on("error", () => {});
      await nr.connect();
      try {
        assertEquals(await nr.get("io"), "tls");
        assertEquals(await nr.incr("n"), 2);
        assertEquals(await nr.hSet("h", { a: "1", b: "2" }), 2);
        assertEquals(await nr.hGetAll("h"), { a: "1", b: "2" });
      } finally {
        await nr.quit().catch(() => {});
      }
    } finally {
      await s.stop();
    }
  },
});
