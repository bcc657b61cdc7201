/**
 * Where clients come from: the TCP listeners (`bind` × `port`), the TLS
 * listeners (`bind` × `tls-port`) and the unix socket (`unixsocket`), opened
 * at start-up and re-opened by CONFIG SET port / bind / tls-port / tls-*, as
 * Redis 7.0 does; protected mode and tcp-keepalive for accepted clients.
 *
 * TLS has two engines, chosen per configuration (measured: README, TLS):
 * - `Deno.listenTls` (rustls) when no client certificate is asked for
 *   (`tls-auth-clients no`) and `tls-protocols` allows TLSv1.2 and TLSv1.3:
 *   the faster one, but it can neither request a client certificate nor
 *   restrict the protocol versions.
 * - `node:tls` otherwise: it requests and verifies client certificates
 *   against the CA (`tls-auth-clients yes|optional`) and honours min/max
 *   protocol versions. Its sockets reach serveConnection through NodeTlsConn.
 * Neither applies `tls-ciphers` / `tls-ciphersuites` (both engines use
 * rustls's own suites): they are validated and kept, and a warning says so.
 */
import tls from "node:tls";
import { Buffer } from "node:buffer";
import { ConfigError } from "../config.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { osErrorText } from "../util/oserror.ts";

/** A client connection as serveConnection uses it (a Deno.Conn fits). */
export interface ServerConn {
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}

/** Which listener a connection came through. */
export type ListenerKind = "tcp" | "tls" | "unix";

/** What the listeners need of the server. */
export interface ListenerHost {
  readonly config: Config;
  readonly log: Logger;
  /** Serves one accepted connection (after its TLS handshake, for TLS). */
  serve(conn: ServerConn, kind: ListenerKind): void;
  /** True once shutdown started (accept errors are then expected). */
  readonly shuttingDown: boolean;
}

/**
 * Redis 7.0's reply to a client protected mode refuses, sent before the
 * connection is closed (its wording, typos included, is part of the protocol).
 */
export const PROTECTED_MODE_DENIED = "-DENIED Redis is running in protected mode because " +
  "protected mode is enabled and no password is set for the default user. In this mode " +
  "connections are only accepted from the loopback interface. If you want to connect from " +
  "external computers to Redis you may adopt one of the following solutions: " +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from " +
  "the loopback interface by connecting to Redis from the same host the server is running, " +
  "however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG " +
  "REWRITE to make this change permanent. 2) Alternatively you can just disable the protected " +
  "mode by editing the Redis configuration file, and setting the protected mode option to " +
  "'no', and then restarting the server. 3) If you started the server manually just for " +
  "testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication " +
  "password for the default user. NOTE: You only need to do one of the above things in order " +
  "for the server to start accepting connections from the outside.\r\n";

/**
 * True when protected mode refuses a client from `addr` ("ip:port" or
 * "[ipv6]:port", as CLIENT LIST shows it): protected-mode on, the default user without a
 * password, and a TCP peer other than exactly 127.0.0.1 or ::1 (Redis
 * compares the strings: 127.0.0.2 is refused). Unix socket clients are local.
 */
export function protectedModeDenies(
  config: Config,
  defaultUserNopass: boolean,
  kind: ListenerKind,
  addr: string,
): boolean {
  if (kind === "unix" || !defaultUserNopass || !config.bool("protected-mode")) return false;
  return !addr.startsWith("127.0.0.1:") && !addr.startsWith("[::1]:");
}

/**
 * A TCP address as Redis shows it: "ip:port", "[ipv6]:port"; an IPv4 peer
 * reaching a dual-stack "::" listener shows as plain IPv4 (Redis binds IPv6
 * only). Unix sockets show as "<path>:0".
 */
export function formatAddr(addr: Deno.Addr, unixPath = ""): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    const host = addr.hostname;
    if (host.startsWith("::ffff:") && host.includes(".")) return `${host.slice(7)}:${addr.port}`;
    return host.includes(":") ? `[${host}]:${addr.port}` : `${host}:${addr.port}`;
  }
  return `${(addr as Deno.UnixAddr).path ?? unixPath}:0`;
}

// ---------------------------------------------------------------- TLS settings

/** TLS protocol versions Redis knows, in tls-protocols spelling. */
const TLS_PROTOCOLS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
/** TLSv1.3 suites OpenSSL accepts in tls-ciphersuites. */
const TLS13_SUITES = new Set([
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_AES_128_CCM_SHA256",
  "TLS_AES_128_CCM_8_SHA256",
]);

/** A TLS configuration that loaded: the PEM texts and the engine's options. */
export interface TlsSettings {
  cert: string;
  key: string;
  /** CA certificates (PEM) for client certificates; "" when none. */
  ca: string;
  authClients: "yes" | "no" | "optional";
  minVersion: "TLSv1.2" | "TLSv1.3";
  maxVersion: "TLSv1.2" | "TLSv1.3";
}

/**
 * Reads and checks the tls-* options as Redis's tlsConfigure does; throws an
 * Error whose message is the log line Redis writes for the first problem.
 */
export function loadTlsSettings(config: Config, log: Logger): TlsSettings {
  const certFile = config.str("tls-cert-file");
  const keyFile = config.str("tls-key-file");
  const caFile = config.str("tls-ca-cert-file");
  const caDir = config.str("tls-ca-cert-dir");
  const authClients = config.str("tls-auth-clients") as TlsSettings["authClients"];
  if (certFile === "") throw new Error("No tls-cert-file configured!");
  if (keyFile === "") throw new Error("No tls-key-file configured!");
  if (
    (authClients !== "no" || config.bool("tls-cluster") || config.bool("tls-replication")) &&
    caFile === "" && caDir === ""
  ) {
    throw new Error(
      "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, " +
        "tls-replication or tls-auth-clients are enabled!",
    );
  }
  const protocols = config.str("tls-protocols");
  let versions: string[] = ["TLSv1.2", "TLSv1.3"];
  if (protocols !== "") {
    versions = protocols.split(" ").filter((p) => p !== "");
    const known = TLS_PROTOCOLS as readonly string[];
    if (versions.length === 0 || versions.some((v) => !known.includes(v.replace(/^tls/i, "TLS")))) {
      throw new Error(
        "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', " +
          "'TLSv1.2' and 'TLSv1.3'.",
      );
    }
    versions = versions.map((v) => v.replace(/^tls/i, "TLS"));
  }
  const usable = versions.filter((v) => v === "TLSv1.2" || v === "TLSv1.3");
  if (usable.length === 0) {
    throw new Error(
      `Unsupported tls-protocols '${protocols}': Deno's TLS (rustls) speaks TLSv1.2 and TLSv1.3 only`,
    );
  }
  const suites = config.str("tls-ciphersuites");
  if (suites !== "") {
    if (suites.split(":").some((s) => !TLS13_SUITES.has(s))) {
      throw new Error(`Failed to configure ciphersuites: ${suites}`);
    }
  }
  const dh = config.str("tls-dh-params-file");
  if (dh !== "") readPem(dh); // checked as Redis loads it; rustls offers no DHE suites
  const cert = readPem(certFile);
  const key = readPem(keyFile);
  checkKeyPair(cert, key);
  const ca = caFile !== "" ? readPem(caFile) : caDir !== "" ? readCaDir(caDir) : "";
  if ((caFile !== "" || caDir !== "") && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      "Failed to configure CA certificate(s) file/directory: no certificate found in " +
        (caFile || caDir),
    );
  }
  const settings: TlsSettings = {
    cert,
    key,
    ca,
    authClients,
    minVersion: usable.includes("TLSv1.2") ? "TLSv1.2" : "TLSv1.3",
    maxVersion: usable.includes("TLSv1.3") ? "TLSv1.3" : "TLSv1.2",
  };
  if (config.str("tls-ciphers") !== "" || suites !== "") {
    log.warning(
      "tls-ciphers / tls-ciphersuites are kept but not enforced: Deno's TLS uses its own suites",
    );
  }
  return settings;
}

/**
 * Checks that the certificate and key load and match (rustls parses them
 * when a listener is made: one is made on an ephemeral port and closed).
 */
function checkKeyPair(cert: string, key: string): void {
  if (key.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
    throw new Error(
      "Failed to load private key: encrypted keys (tls-key-file-pass) are not supported " +
        "by Deno's TLS",
    );
  }
  try {
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key }).close();
  } catch (e) {
    const what = /key/i.test((e as Error).message) ? "private key" : "certificate";
    throw new Error(`Failed to load ${what}: ${(e as Error).message}`);
  }
}

function readPem(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new Error(`Failed to load ${path}: ${osErrorText(e)}`);
  }
}

/** Every certificate found in the files of a CA directory (hashed names or not). */
function readCaDir(dir: string): string {
  let out = "";
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isFile && !entry.isSymlink) continue;
      try {
        const text = Deno.readTextFileSync(`${dir}/${entry.name}`);
        if (text.includes("-----BEGIN CERTIFICATE-----")) out += text + "\n";
      } catch {
        // unreadable entries are skipped, as OpenSSL's lookup skips them
      }
    }
  } catch (e) {
    throw new Error(`Failed to configure CA certificate(s) file/directory: ${osErrorText(e)}`);
  }
  return out;
}

/** True when Deno.listenTls can serve these settings (no client certificates, both versions). */
function denoTlsFits(s: TlsSettings): boolean {
  return s.authClients === "no" && s.minVersion === "TLSv1.2" && s.maxVersion === "TLSv1.3";
}

// ---------------------------------------------------------------- node:tls sockets

/** Bytes a NodeTlsConn buffers before it pauses its socket (backpressure). */
const NODE_HIGH_WATER = 256 * 1024;

/**
 * A node:tls socket as a ServerConn: 'data' chunks queue until read() takes
 * them (the socket pauses while too much waits), write() resolves at once
 * when the socket took the bytes (copied) or at 'drain'.
 */
class NodeTlsConn implements ServerConn {
  readonly remoteAddr: Deno.NetAddr;
  readonly localAddr: Deno.NetAddr;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #paused = false;
  #ended = false;
  #reader: { buf: Uint8Array; resolve: (n: number | null) => void } | null = null;
  #drainWaiters: (() => void)[] = [];

  constructor(readonly socket: tls.TLSSocket) {
    this.remoteAddr = {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    };
    this.localAddr = {
      transport: "tcp",
      hostname: socket.localAddress ?? "",
      port: socket.localPort ?? 0,
    };
    socket.on("data", (b: Uint8Array) => this.#onData(b));
    socket.on("drain", () => this.#wakeWriters());
    const end = () => this.#onEnd();
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  #onData(b: Uint8Array): void {
    const r = this.#reader;
    if (r !== null) {
      this.#reader = null;
      const n = Math.min(b.length, r.buf.length);
      r.buf.set(n === b.length ? b : b.subarray(0, n));
      if (n < b.length) this.#enqueue(b.subarray(n));
      r.resolve(n);
      return;
    }
    this.#enqueue(b);
  }

  #enqueue(b: Uint8Array): void {
    this.#queue.push(b);
    this.#queued += b.length;
    if (this.#queued > NODE_HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  #onEnd(): void {
    if (this.#ended) return;
    this.#ended = true;
    const r = this.#reader;
    this.#reader = null;
    r?.resolve(null);
    this.#wakeWriters();
  }

  #wakeWriters(): void {
    const w = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of w) wake();
  }

  read(p: Uint8Array): Promise<number | null> {
    if (this.#queued === 0) {
      if (this.#ended) return Promise.resolve(null);
      return new Promise((resolve) => (this.#reader = { buf: p, resolve }));
    }
    let n = 0;
    while (n < p.length && this.#queue.length !== 0) {
      const head = this.#queue[0];
      const take = Math.min(head.length, p.length - n);
      p.set(take === head.length ? head : head.subarray(0, take), n);
      n += take;
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
    }
    this.#queued -= n;
    if (this.#paused && this.#queued < NODE_HIGH_WATER / 2) {
      this.#paused = false;
      this.socket.resume();
    }
    return Promise.resolve(n);
  }

  write(p: Uint8Array): Promise<number> {
    if (this.#ended) return Promise.reject(new Error("connection closed"));
    // Copied: the caller reuses its buffer once write() resolves.
    if (this.socket.write(Buffer.from(p))) return Promise.resolve(p.length);
    return new Promise((resolve, reject) =>
      this.#drainWaiters.push(() =>
        this.#ended ? reject(new Error("connection closed")) : resolve(p.length)
      )
    );
  }

  close(): void {
    this.socket.destroy();
    this.#onEnd();
  }

  setNoDelay(on: boolean): void {
    this.socket.setNoDelay(on);
  }

  setKeepAlive(on: boolean): void {
    this.socket.setKeepAlive(on);
  }
}

// ---------------------------------------------------------------- listeners

/** One open listener: closing it stops its accept loop. */
interface OpenListener {
  close(): void;
}

/** Redis's wording of a listen error ("bind: Address already in use"). */
function socketError(e: unknown): string {
  const msg = (e as Error).message.replace(/ \(os error \d+\).*$/, "");
  return e instanceof Deno.errors.AddrInUse || e instanceof Deno.errors.AddrNotAvailable
    ? `bind: ${msg}`
    : msg;
}

/** A bind address as the OS takes it ("*" is every IPv4 address, "::*" every IPv6 one). */
function hostOf(spec: string): string {
  const h = spec.startsWith("-") ? spec.slice(1) : spec;
  return h === "*" ? "0.0.0.0" : h === "::*" ? "::" : h;
}

/**
 * The addresses to bind: when the list has both the IPv4 and IPv6 wildcard,
 * "::" alone (a Deno listener on "::" is dual-stack and would make the
 * other one fail; Redis binds them separately with IPV6_V6ONLY).
 */
function bindList(binds: string[]): string[] {
  const hosts = binds.map(hostOf);
  if (hosts.includes("0.0.0.0") && hosts.includes("::")) {
    return binds.filter((b) => hostOf(b) !== "0.0.0.0");
  }
  return binds;
}

/** The server's listeners (TCP, TLS, unix socket) and the TLS settings in force. */
export class Listeners {
  /** Open TCP and TLS listeners by "kind port host" (what `bind` × port asked for). */
  #open = new Map<string, OpenListener>();
  #unix: Deno.UnixListener | null = null;
  #unixPath = "";
  /** The TCP port actually bound (0: no TCP listener). */
  tcpPort = 0;
  /** TLS settings last loaded (null until TLS is configured). */
  tlsSettings: TlsSettings | null = null;
  /** Bumped by each TLS reload: a pending re-open of an older one gives up. */
  #tlsGeneration = 0;

  constructor(readonly host: ListenerHost) {}

  /**
   * Start-up: every listener the configuration asks for. Throws an Error
   * whose message is Redis's fatal log line.
   */
  open(): void {
    const c = this.host.config;
    const port = c.num("port");
    const tlsPort = c.num("tls-port");
    const unixsocket = c.str("unixsocket");
    if (tlsPort !== 0 || c.bool("tls-replication") || c.bool("tls-cluster")) {
      try {
        this.tlsSettings = loadTlsSettings(c, this.host.log);
      } catch (e) {
        this.host.log.warning((e as Error).message);
        throw new Error("Failed to configure TLS. Check logs for more info.");
      }
    }
    this.#bind("tcp", port);
    this.#bind("tls", tlsPort);
    if (unixsocket !== "") this.#openUnix(unixsocket);
    if (port === 0 && tlsPort === 0 && unixsocket === "") {
      throw new Error("Configured to not listen anywhere, exiting.");
    }
  }

  /**
   * CONFIG SET of a listener or TLS option, after the value changed: re-opens
   * what it affects; throws ConfigError with Redis's text to refuse (the
   * caller rolls the value back and applies the old one again).
   */
  apply(name: string): void {
    const c = this.host.config;
    switch (name) {
      case "port":
        this.#rebind("tcp", c.num("port"), "Unable to listen on this port. Check server logs.");
        return;
      case "tls-port":
        if (this.tlsSettings === null) this.#reloadTls();
        this.#rebind("tls", c.num("tls-port"), "Unable to listen on this port. Check server logs.");
        return;
      case "bind": {
        // As Redis's changeBindAddr: TCP and TLS both follow the new addresses.
        const before = new Map(this.#open);
        try {
          this.#bind("tcp", c.num("port"));
          this.#bind("tls", c.num("tls-port"));
        } catch {
          this.host.log.warning("Failed to bind");
          this.#restore(before);
          throw new ConfigError("Failed to bind to specified addresses.");
        }
        return;
      }
      default:
        // Any other tls-* option: reconfigured only while TLS is in use, as Redis.
        if (c.num("tls-port") === 0 && !c.bool("tls-replication") && !c.bool("tls-cluster")) {
          return;
        }
        this.#reloadTls();
        this.#reopenTls();
    }
  }

  /** `kind` listeners on `port` for `bind`; on failure the previous ones stay. */
  #rebind(kind: "tcp" | "tls", port: number, error: string): void {
    const before = new Map(this.#open);
    try {
      this.#bind(kind, port);
    } catch (e) {
      this.host.log.warning((e as Error).message);
      this.#restore(before);
      throw new ConfigError(error);
    }
  }

  /** Closes what was opened since `before` was taken (a failed rebind). */
  #restore(before: Map<string, OpenListener>): void {
    for (const [key, l] of this.#open) if (!before.has(key)) this.#closeAll([l]);
    this.#open = before;
    this.tcpPort = 0;
    for (const key of before.keys()) {
      const [kind, port] = key.split(" ");
      if (kind === "tcp") this.tcpPort = Number(port);
    }
  }

  /**
   * Makes the open `kind` listeners match `bind` × `port` (0: none): an
   * address already listening is kept, new ones are bound, the rest closed.
   * A listener Deno closes stays bound until the event loop turns, so
   * re-binding a held address in the same turn would fail: keeping it is
   * also what lets CONFIG SET bind name the addresses it already has.
   * Throws Redis's fatal line when a required address cannot be bound
   * (what this call opened is then closed again, the rest left as it was).
   */
  #bind(kind: "tcp" | "tls", port: number): void {
    const binds = port === 0 ? [] : bindList(this.host.config.get("bind") as string[]);
    const wanted = new Set<string>();
    const opened: [string, OpenListener][] = [];
    let boundPort = port;
    for (const spec of binds) {
      const hostname = hostOf(spec);
      const key = `${kind} ${port} ${hostname}`;
      wanted.add(key);
      if (this.#open.has(key)) continue;
      try {
        const [l, p] = kind === "tcp"
          ? this.#listenTcp(hostname, boundPort)
          : this.#listenTls(hostname, boundPort);
        boundPort = p;
        opened.push([key, l]);
      } catch (e) {
        wanted.delete(key);
        this.host.log.warning(
          `Warning: Could not create server TCP listening socket ${spec}:${port}: ${
            socketError(e)
          }`,
        );
        if (spec.startsWith("-")) continue;
        this.#closeAll(opened.map(([, l]) => l));
        throw new Error(`Failed listening on port ${port} (${kind}), aborting.`);
      }
    }
    if (wanted.size === 0 && binds.length > 0) {
      this.#closeAll(opened.map(([, l]) => l));
      throw new Error(`Failed listening on port ${port} (${kind}), aborting.`);
    }
    for (const [key, l] of this.#open) {
      if (key.startsWith(kind + " ") && !wanted.has(key)) {
        this.#closeAll([l]);
        this.#open.delete(key);
      }
    }
    for (const [key, l] of opened) this.#open.set(key, l);
    if (kind === "tcp") this.tcpPort = wanted.size === 0 ? 0 : port;
  }

  #reloadTls(): void {
    try {
      this.tlsSettings = loadTlsSettings(this.host.config, this.host.log);
    } catch (e) {
      this.host.log.warning((e as Error).message);
      throw new ConfigError("Unable to update TLS configuration. Check server logs.");
    }
  }

  /**
   * New TLS settings take effect for new connections: the TLS listeners are
   * closed and bound again with them once Deno has released the old sockets
   * (a few event-loop turns; meanwhile new TLS clients are refused).
   */
  #reopenTls(): void {
    const port = this.host.config.num("tls-port");
    if (port === 0) return;
    const generation = ++this.#tlsGeneration;
    for (const [key, l] of this.#open) {
      if (key.startsWith("tls ")) {
        this.#closeAll([l]);
        this.#open.delete(key);
      }
    }
    const retry = (attempt: number) => {
      if (generation !== this.#tlsGeneration || this.host.shuttingDown) return;
      try {
        this.#bind("tls", this.host.config.num("tls-port"));
      } catch (e) {
        if (attempt < 50) setTimeout(() => retry(attempt + 1), 20);
        else this.host.log.warning((e as Error).message);
      }
    };
    setTimeout(() => retry(1), 0);
  }

  /** Stops accepting everywhere and removes the unix socket file (shutdown). */
  close(): void {
    this.#tlsGeneration++;
    this.#closeAll([...this.#open.values()]);
    this.#open.clear();
    if (this.#unix !== null) {
      this.#closeAll([this.#unix]);
      this.#unix = null;
      this.host.log.notice("Removing the unix socket file.");
      try {
        Deno.removeSync(this.#unixPath);
      } catch {
        // already gone
      }
    }
  }

  #closeAll(ls: OpenListener[]): void {
    for (const l of ls) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
  }

  #listenTcp(hostname: string, port: number): [OpenListener, number] {
    const l = Deno.listen({ hostname, port });
    this.#acceptLoop(l, "tcp");
    return [l, (l.addr as Deno.NetAddr).port];
  }

  #listenTls(hostname: string, port: number): [OpenListener, number] {
    const s = this.tlsSettings!;
    if (denoTlsFits(s)) {
      const l = Deno.listenTls({ hostname, port, cert: s.cert, key: s.key });
      this.#acceptLoop(l, "tls");
      return [l, (l.addr as Deno.NetAddr).port];
    }
    // node:tls binds asynchronously: a synchronous probe gives CONFIG SET and
    // start-up the bind error at once (the port is then free again).
    Deno.listen({ hostname, port }).close();
    const server = tls.createServer({
      cert: s.cert,
      key: s.key,
      ca: s.ca === "" ? undefined : s.ca,
      requestCert: s.authClients !== "no",
      // "optional": a client without a certificate is let in; one with a bad one is not.
      rejectUnauthorized: s.authClients === "yes",
      minVersion: s.minVersion,
      maxVersion: s.maxVersion,
    });
    server.on("secureConnection", (socket: tls.TLSSocket) => {
      // "optional": a certificate that was sent must be valid.
      if (s.authClients === "optional" && !socket.authorized) {
        const peer = socket.getPeerCertificate();
        if (peer !== null && Object.keys(peer).length !== 0) {
          this.#handshakeFailed(socket.authorizationError ?? new Error("bad certificate"));
          socket.destroy();
          return;
        }
      }
      this.host.serve(new NodeTlsConn(socket), "tls");
    });
    server.on("tlsClientError", (e: Error) => this.#handshakeFailed(e));
    server.on("error", (e: Error) => this.host.log.warning(`TLS listener: ${e.message}`));
    server.listen({ host: hostname, port });
    return [{ close: () => server.close() }, port];
  }

  #handshakeFailed(e: unknown): void {
    this.host.log.verbose(`Error accepting a client connection: ${(e as Error).message}`);
  }

  #openUnix(path: string): void {
    // As Redis: a stale socket file from an earlier run is replaced.
    try {
      Deno.removeSync(path);
    } catch {
      // none
    }
    let l: Deno.UnixListener;
    try {
      l = Deno.listen({ transport: "unix", path });
    } catch (e) {
      throw new Error(`Failed opening Unix socket: ${socketError(e)}`);
    }
    const perm = parseInt(this.host.config.str("unixsocketperm"), 8);
    if (perm !== 0) Deno.chmodSync(path, perm);
    this.#unix = l;
    this.#unixPath = path;
    this.#acceptLoop(l, "unix");
  }

  /** The unix socket's path, for the addresses of its clients. */
  get unixPath(): string {
    return this.#unixPath;
  }

  async #acceptLoop(listener: Deno.Listener, kind: ListenerKind): Promise<void> {
    try {
      for await (const conn of listener) {
        if (kind === "tls") {
          // The handshake first: a failed one never becomes a client (as Redis).
          (conn as Deno.TlsConn).handshake().then(
            () => this.host.serve(conn, kind),
            (e) => {
              this.#handshakeFailed(e);
              try {
                conn.close();
              } catch {
                // already closed
              }
            },
          );
        } else {
          this.host.serve(conn, kind);
        }
      }
    } catch (e) {
      if (!this.host.shuttingDown) {
        this.host.log.warning(`accept failed: ${(e as Error).message}`);
      }
    }
  }
}
