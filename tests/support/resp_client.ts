/**
 * A raw RESP client for tests: sends commands or arbitrary bytes and returns
 * each reply exactly as the server sent it (as a binary string), so replies
 * can be compared byte for byte. `decode` turns a raw reply into JS values.
 */
import { bytesToStr, strToBytes } from "../../lib/resp/bytes.ts";

/** Encodes a command as a RESP multibulk (arguments are binary strings). */
export function encodeCommand(args: string[]): Uint8Array {
  return encodeCommands([args]);
}

/** Encodes commands back to back, as one pipelined write. */
export function encodeCommands(cmds: string[][]): Uint8Array {
  let s = "";
  for (const args of cmds) {
    s += `*${args.length}\r\n`;
    for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  }
  return strToBytes(s);
}

/** Index just past the complete reply starting at `i`, or -1 if incomplete. */
export function replyEnd(s: string, i = 0): number {
  if (i >= s.length) return -1;
  const lineEnd = s.indexOf("\r\n", i);
  if (lineEnd < 0) return -1;
  const type = s[i];
  const head = s.slice(i + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case ",":
    case "_":
    case "#":
    case "(":
      return next;
    case "$":
    case "=":
    case "!": {
      const n = Number(head);
      if (n < 0) return next;
      return s.length >= next + n + 2 ? next + n + 2 : -1;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      let n = Number(head);
      if (n < 0) return next;
      if (type === "%" || type === "|") n *= 2;
      for (let k = 0; k < n; k++) {
        next = replyEnd(s, next);
        if (next < 0) return -1;
      }
      // An attribute is followed by the reply it annotates.
      return type === "|" ? replyEnd(s, next) : next;
    }
    default:
      throw new Error(
        `bad reply type ${JSON.stringify(type)} in ${JSON.stringify(s.slice(i, i + 40))}`,
      );
  }
}

export type Decoded =
  | string
  | number
  | bigint
  | boolean
  | null
  | Error
  | Decoded[]
  | Map<Decoded, Decoded>
  | Set<Decoded>;

/** Decodes one raw reply into JS values (maps as Map, sets as Set, errors as Error). */
export function decode(raw: string): Decoded {
  const [v] = decodeAt(raw, 0);
  return v;
}

/** The text of an INFO reply as `name -> value` (section headers skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) fields.set(line.slice(0, i), line.slice(i + 1));
  }
  return fields;
}

function decodeAt(s: string, i: number): [Decoded, number] {
  const lineEnd = s.indexOf("\r\n", i);
  const type = s[i];
  const head = s.slice(i + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return [head, next];
    case "-":
      return [new Error(head), next];
    case ":":
      return [Number.isSafeInteger(Number(head)) ? Number(head) : BigInt(head), next];
    case ",":
      return [Number(head.replace("inf", "Infinity")), next];
    case "_":
      return [null, next];
    case "#":
      return [head === "t", next];
    case "(":
      return [BigInt(head), next];
    case "$":
    case "=":
    case "!": {
      const n = Number(head);
      if (n < 0) return [null, next];
      return [s.slice(next, next + n), next + n + 2];
    }
    default: {
      const n = Number(head);
      if (n < 0) return [null, next];
      let at = next;
      if (type === "%") {
        const m = new Map<Decoded, Decoded>();
        for (let k = 0; k < n; k++) {
          const [key, a] = decodeAt(s, at);
          const [val, b] = decodeAt(s, a);
          m.set(key, val);
          at = b;
        }
        return [m, at];
      }
      const items: Decoded[] = [];
      for (let k = 0; k < n; k++) {
        const [v, a] = decodeAt(s, at);
        items.push(v);
        at = a;
      }
      return [type === "~" ? new Set(items) : items, at];
    }
  }
}

export class RespClient {
  #buf = "";
  #closed = false;
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  private constructor(readonly conn: Deno.TcpConn) {
    this.#reader = conn.readable.getReader();
  }

  static async connect(port: number, hostname = "127.0.0.1"): Promise<RespClient> {
    return new RespClient(await Deno.connect({ hostname, port }));
  }

  /** True once the server closed the connection. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends raw bytes (a binary string or bytes). */
  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? strToBytes(data) : data;
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  async #fill(): Promise<boolean> {
    if (this.#closed) return false;
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await this.#reader.read();
    } catch {
      this.#closed = true;
      return false;
    }
    if (r.done) {
      this.#closed = true;
      return false;
    }
    this.#buf += bytesToStr(r.value);
    return true;
  }

  /** The next complete raw reply; throws if the connection closes first. */
  async reply(): Promise<string> {
    for (;;) {
      const end = this.#buf.length ? replyEnd(this.#buf) : -1;
      if (end >= 0) {
        const r = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end);
        return r;
      }
      if (!(await this.#fill())) throw new Error("connection closed before a full reply");
    }
  }

  /** Sends one command and returns its raw reply. */
  async call(...args: string[]): Promise<string> {
    await this.send(encodeCommand(args));
    return await this.reply();
  }

  /**
   * Sends commands pipelined, up to 500 in one write (so a short list runs
   * back to back), and returns their raw replies in order.
   */
  async pipeline(cmds: string[][]): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < cmds.length; i += 500) {
      const chunk = cmds.slice(i, i + 500);
      await this.send(encodeCommands(chunk));
      for (let k = 0; k < chunk.length; k++) out.push(await this.reply());
    }
    return out;
  }

  /** Sends one command and returns its decoded reply. */
  async value(...args: string[]): Promise<Decoded> {
    return decode(await this.call(...args));
  }

  /**
   * Everything the server sends until it closes the connection or stays
   * silent for `quietMs` (used after hostile input).
   */
  async drain(quietMs = 300): Promise<{ data: string; closed: boolean }> {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<"quiet">((r) => (timer = setTimeout(() => r("quiet"), quietMs)));
      const got = await Promise.race([this.#fill(), quiet]);
      clearTimeout(timer);
      if (got === "quiet" || got === false) {
        const data = this.#buf;
        this.#buf = "";
        return { data, closed: this.#closed };
      }
    }
  }

  close(): void {
    try {
      this.#reader.releaseLock();
    } catch {
      // pending read
    }
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    this.#closed = true;
  }
}

/** Connects to `port`, runs `fn` with the client, and closes it whatever happens. */
export async function withClient<T>(port: number, fn: (c: RespClient) => Promise<T>): Promise<T> {
  const c = await RespClient.connect(port);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

/**
 * A complete SCAN (until cursor 0) on one server; returns every key seen,
 * sorted. As in Redis, SCAN also deletes the expired keys it passes.
 */
export async function scanAll(client: RespClient, options: string[] = []): Promise<string[]> {
  const seen = new Set<string>();
  let cursor = "0";
  for (let i = 0; i < 100000; i++) {
    const reply = decode(await client.call("SCAN", cursor, ...options));
    if (!Array.isArray(reply)) throw new Error(`SCAN reply ${JSON.stringify(reply)}`);
    const [next, keys] = reply as [string, string[]];
    for (const k of keys) seen.add(k);
    cursor = next;
    if (cursor === "0") return [...seen].sort();
  }
  throw new Error("SCAN did not finish");
}
