/**
 * Several clients on redeno and the same number on Redis, driven alike, for
 * oracle tests of blocking commands: each reply of client i must be
 * byte-identical on both servers, and the test can wait until a given
 * number of clients is blocked on each.
 */
import { assertEquals } from "@std/assert";
import type { Oracle } from "./oracle.ts";
import { decode, encodeCommand, encodeCommands, parseInfo, RespClient } from "./resp_client.ts";

/** Client i on redeno and client i on Redis, driven alike. */
export class Twins {
  private constructor(
    readonly o: Oracle,
    readonly mine: RespClient[],
    readonly theirs: RespClient[],
  ) {}

  /** Opens `n` client pairs. */
  static async open(o: Oracle, n: number): Promise<Twins> {
    const mine: RespClient[] = [];
    const theirs: RespClient[] = [];
    for (let i = 0; i < n; i++) {
      const [a, b] = await o.connectPair();
      mine.push(a);
      theirs.push(b);
    }
    return new Twins(o, mine, theirs);
  }

  /** Sends a command from client i to both servers without reading its reply (it may block). */
  async send(i: number, ...args: string[]): Promise<void> {
    await Promise.all([
      this.mine[i].send(encodeCommand(args)),
      this.theirs[i].send(encodeCommand(args)),
    ]);
  }

  /** Sends several commands from client i in one write. */
  async sendAll(i: number, cmds: string[][]): Promise<void> {
    await Promise.all([
      this.mine[i].send(encodeCommands(cmds)),
      this.theirs[i].send(encodeCommands(cmds)),
    ]);
  }

  /** The next reply of client i: identical on both servers; returns Redis's. */
  async reply(i: number, what = `reply of client ${i}`): Promise<string> {
    const [a, b] = await Promise.all([this.mine[i].reply(), this.theirs[i].reply()]);
    assertEquals(a, b, what);
    return b;
  }

  /** send + reply. */
  async call(i: number, ...args: string[]): Promise<string> {
    await this.send(i, ...args);
    return await this.reply(i, `reply of client ${i} to ${JSON.stringify(args)}`);
  }

  /** Switches client i to RESP `version` (HELLO replies differ: the client ids). */
  async hello(i: number, version: "2" | "3"): Promise<void> {
    await Promise.all([this.mine[i].call("HELLO", version), this.theirs[i].call("HELLO", version)]);
  }

  /** Waits until exactly `n` clients are blocked on each server. */
  async blocked(n: number): Promise<void> {
    for (const c of [this.o.redeno, this.o.redis]) {
      for (let tries = 0;; tries++) {
        if (await blockedClients(c) === n) break;
        // The bound only stops a hung test; no test asserts a speed.
        if (tries > 6000) throw new Error(`never saw ${n} blocked clients`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /** Both servers have `n` clients blocked now (no waiting). */
  async assertBlocked(n: number): Promise<void> {
    assertEquals(await blockedClients(this.o.redeno), n, "blocked clients on redeno");
    assertEquals(await blockedClients(this.o.redis), n, "blocked clients on redis");
  }

  close(): void {
    for (const c of [...this.mine, ...this.theirs]) c.close();
  }
}

/** INFO blocked_clients of one server. */
export async function blockedClients(c: RespClient): Promise<number> {
  const info = parseInfo(decode(await c.call("INFO", "clients")) as string);
  return Number(info.get("blocked_clients"));
}
