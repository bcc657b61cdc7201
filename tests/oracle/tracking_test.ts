/**
 * Client-side caching against Redis 7.0.15, byte for byte: CLIENT TRACKING
 * and its options and errors, and the invalidation frames every connection
 * receives (RESP3 pushes, RESP2 messages on __redis__:invalidate to a
 * redirect subscriber), in order relative to the replies.
 *
 * Each step sends one command on one connection of both servers and reads
 * its reply; then every open connection is synchronized with a command of
 * no effect on tracking (CLIENT GETNAME, or PING for a RESP2 subscriber)
 * and everything it received meanwhile is compared. Client ids differ
 * between the servers: `$ID<n>` in a command stands for connection n's id,
 * and ids in what comes back are written as `ID<n>` before comparing.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import type { StartOptions } from "../support/servers.ts";
import { encodeCommand, encodeCommands, parseInfo, RespClient } from "../support/resp_client.ts";

/** One connection to each server. */
interface Pair {
  redeno: RespClient;
  redis: RespClient;
  ids: { redeno: string; redis: string };
  resp: 2 | 3;
  /** RESP2 subscriber mode (only PING syncs it). */
  subscriber: boolean;
  /** In MULTI: not synced (its sync command would be queued). */
  multi: boolean;
  /** CLIENT REPLY SKIP was sent: the next command has no reply. */
  skipNext: boolean;
  open: boolean;
}

type Side = "redeno" | "redis";

const SIDES: Side[] = ["redeno", "redis"];
const MESSAGE = "*3\r\n$7\r\nmessage\r\n";

/** An unsolicited frame: a RESP3 push (not a SUBSCRIBE confirmation) or a RESP2 message. */
function isAsync(frame: string): boolean {
  return (frame.startsWith(">") && !frame.startsWith(">3\r\n$9\r\nsubscribe\r\n")) ||
    frame.startsWith(MESSAGE);
}

class Session {
  readonly pairs: Pair[] = [];
  /** A connection outside the transcript, for polling. */
  #admin: Pair | null = null;

  constructor(readonly o: Oracle) {}

  async #pair(): Promise<Pair> {
    const [redeno, redis] = await this.o.connectPair();
    const id = async (c: RespClient) => (await c.call("CLIENT", "ID")).slice(1, -2);
    return {
      redeno,
      redis,
      ids: { redeno: await id(redeno), redis: await id(redis) },
      resp: 2,
      subscriber: false,
      multi: false,
      skipNext: false,
      open: true,
    };
  }

  /** Opens connection number `pairs.length`. */
  async connect(): Promise<number> {
    this.pairs.push(await this.#pair());
    return this.pairs.length - 1;
  }

  #args(side: Side, args: string[]): string[] {
    return args.map((a) => {
      const m = /^\$ID(\d+)$/.exec(a);
      return m ? this.pairs[Number(m[1])].ids[side] : a;
    });
  }

  #normalize(side: Side, text: string): string {
    this.pairs.forEach((p, n) => {
      const id = p.ids[side];
      // Where ids appear: GETREDIR's reply, TRACKINGINFO, the broken-redirect push, HELLO, CLIENT LIST.
      if (text.startsWith(`:${id}\r\n`)) text = `:ID${n}` + text.slice(id.length + 1);
      for (
        const field of ["$8\r\nredirect\r\n", "$21\r\ntracking-redir-broken\r\n", "$2\r\nid\r\n"]
      ) {
        text = text.replaceAll(`${field}:${id}\r\n`, `${field}:ID${n}\r\n`);
      }
      text = text.replaceAll(`id=${id} `, `id=ID${n} `).replaceAll(`redir=${id} `, `redir=ID${n} `);
    });
    return text;
  }

  /** Reads frames up to and including the first one `last` accepts. */
  async #until(c: RespClient, last: (frame: string) => boolean): Promise<string> {
    let text = "";
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no reply; got ${JSON.stringify(text)}`)), 5000);
      });
      const frame = await Promise.race([c.reply(), late]).finally(() => clearTimeout(timer));
      text += frame;
      if (last(frame)) return text;
    }
  }

  /**
   * Runs `cmds` (pipelined in one write when more than one) on connection
   * `n`, then syncs every connection; asserts both servers sent the same
   * to each. Returns Redis's transcript of connection `n`.
   */
  async run(n: number, ...cmds: string[][]): Promise<string> {
    return (await this.runBoth(n, true, cmds)).redis;
  }

  /**
   * As run, but with connection `n`'s transcripts compared only when
   * `compare`; returns both (normalized).
   */
  async runBoth(n: number, compare: boolean, cmds: string[][]): Promise<Record<Side, string>> {
    const got: Record<Side, string[]> = { redeno: [], redis: [] };
    const p = this.pairs[n];
    // Commands without a reply: CLIENT REPLY SKIP and the one after it.
    let replies = 0;
    for (const args of cmds) {
      const skip = args[0].toUpperCase() === "CLIENT" && args[1]?.toUpperCase() === "REPLY" &&
        args[2]?.toUpperCase() === "SKIP";
      if (!skip && !p.skipNext) replies++;
      p.skipNext = skip;
    }
    await Promise.all(SIDES.map(async (side) => {
      const c = p[side];
      const all = cmds.map((args) => this.#args(side, args));
      await c.send(all.length === 1 ? encodeCommand(all[0]) : encodeCommands(all));
      let text = "";
      for (let i = 0; i < replies; i++) text += await this.#until(c, (f) => !isAsync(f));
      got[side][n] = text;
    }));
    const last = cmds[cmds.length - 1];
    const name = last[0].toUpperCase();
    if (name === "HELLO" && last[1] === "3") p.resp = 3;
    if (name === "HELLO" && last[1] === "2") p.resp = 2;
    if (name === "RESET") p.resp = 2;
    if (name === "SUBSCRIBE" && p.resp === 2) p.subscriber = true;
    if (name === "QUIT") p.open = false;
    if (name === "MULTI") p.multi = true;
    if (name === "EXEC" || name === "DISCARD" || name === "RESET") p.multi = false;
    await this.#sync(got);
    for (let k = 0; k < this.pairs.length; k++) {
      const a = this.#normalize("redeno", got.redeno[k] ?? "");
      const b = this.#normalize("redis", got.redis[k] ?? "");
      if (k === n && !compare) continue;
      assertEquals(a, b, `connection ${k} after ${JSON.stringify(cmds)} on connection ${n}`);
    }
    return {
      redeno: this.#normalize("redeno", got.redeno[n]),
      redis: this.#normalize("redis", got.redis[n]),
    };
  }

  /** Reads what every open connection got up to the reply of a command that changes nothing. */
  async #sync(got: Record<Side, string[]>): Promise<void> {
    await Promise.all(this.pairs.map(async (p, k) => {
      if (!p.open || p.multi || p.skipNext) return;
      const sub = p.subscriber;
      const cmd = sub ? ["PING"] : ["CLIENT", "GETNAME"];
      const done = sub ? "*2\r\n$4\r\npong\r\n$0\r\n\r\n" : p.resp === 3 ? "_\r\n" : "$-1\r\n";
      await Promise.all(SIDES.map(async (side) => {
        await p[side].send(encodeCommand(cmd));
        const text = await this.#until(p[side], (f) => f === done);
        got[side][k] = (got[side][k] ?? "") + "|" + text.slice(0, -done.length);
      }));
    }));
  }

  /** Closes connection `n` and waits until both servers forgot it. */
  async kill(n: number): Promise<void> {
    const p = this.pairs[n];
    p.open = false;
    p.redeno.close();
    p.redis.close();
    this.#admin ??= await this.#pair();
    const admin = this.#admin;
    for (const side of SIDES) {
      for (let i = 0;; i++) {
        const list = await admin[side].call("CLIENT", "LIST", "ID", p.ids[side]);
        if (list === "$0\r\n\r\n") break;
        assert(i < 500, `${side} never dropped connection ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** Waits until both servers count `n` blocked clients. */
  async untilBlocked(n: number): Promise<void> {
    this.#admin ??= await this.#pair();
    const admin = this.#admin;
    for (const side of SIDES) {
      for (let i = 0;; i++) {
        const info = await admin[side].call("INFO", "clients");
        if (info.includes(`blocked_clients:${n}\r\n`)) break;
        assert(i < 500, `${side} never had ${n} blocked clients`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** The INFO tracking figures of both servers (they must agree). */
  async sameTrackingInfo(): Promise<Map<string, string>> {
    this.#admin ??= await this.#pair();
    const admin = this.#admin;
    const figures = async (side: Side) => {
      const info = parseInfo(decodeBulk(await admin[side].call("INFO", "everything")));
      const out = new Map<string, string>();
      for (const [k, v] of info) if (k.startsWith("tracking_")) out.set(k, v);
      return out;
    };
    const [a, b] = await Promise.all([figures("redeno"), figures("redis")]);
    assertEquals([...a], [...b], "INFO tracking figures");
    return b;
  }

  close(): void {
    for (const p of [...this.pairs, ...(this.#admin ? [this.#admin] : [])]) {
      p.redeno.close();
      p.redis.close();
    }
  }
}

function decodeBulk(raw: string): string {
  const nl = raw.indexOf("\r\n");
  return raw.slice(nl + 2, -2);
}

/** Runs `fn` with a Session, closing its connections after. */
function trackingTest(
  name: string,
  fn: (s: Session) => Promise<void>,
  opts: StartOptions = {},
): void {
  oracleTest(name, async (o) => {
    const s = new Session(o);
    try {
      await fn(s);
    } finally {
      s.close();
    }
  }, opts);
}

trackingTest("oracle tracking: CLIENT TRACKING options and errors", async (s) => {
  const a = await s.connect();
  const steps: string[][] = [
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "GETREDIR"],
    ["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"],
    ["CLIENT", "TRACKING", "on", "PREFIX", "a"],
    ["CLIENT", "TRACKING", "on", "BCAST", "OPTIN"],
    ["CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"],
    // An overlap past the first prefix is reported, and tracking goes on (Redis 7.0.15).
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "bcd"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"],
    ["CLIENT", "TRACKING", "on"],
    ["CLIENT", "TRACKING", "off"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a\0b", "PREFIX", "a"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"],
    // No prefix adds the empty one, even next to others.
    ["CLIENT", "TRACKING", "on", "BCAST"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "zz"],
    ["CLIENT", "TRACKING", "off"],
    ["CLIENT", "TRACKING", "on", "OPTIN"],
    ["CLIENT", "TRACKING", "on", "OPTOUT"],
    ["CLIENT", "TRACKING", "on", "BCAST"],
    ["CLIENT", "CACHING", "no"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "CACHING", "maybe"],
    ["CLIENT", "CACHING", "yes", "x"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "on", "NOLOOP"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "off"],
    ["CLIENT", "TRACKING", "on", "OPTOUT", "NOLOOP"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "CACHING", "NO"],
    ["CLIENT", "TRACKINGINFO"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "999999"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "x"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "0"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "-1"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0", "REDIRECT", "$ID0"],
    ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"],
    ["CLIENT", "GETREDIR"],
    ["CLIENT", "TRACKING", "maybe"],
    ["CLIENT", "TRACKING", "on", "foo"],
    ["CLIENT", "TRACKING", "on", "PREFIX"],
    ["CLIENT", "TRACKING", "on", "REDIRECT"],
    ["CLIENT", "TRACKING", "off", "REDIRECT", "999999"],
    ["CLIENT", "TRACKING", "off", "BCAST", "PREFIX", "a", "PREFIX", "ab"],
    ["CLIENT", "TRACKING"],
    ["CLIENT", "CACHING"],
    ["CLIENT", "GETREDIR", "x"],
    ["CLIENT", "TRACKINGINFO", "x"],
    ["CLIENT", "TRACKING", "off"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "GETREDIR"],
    ["CLIENT", "TRACKINGINFO"],
    ["HELLO", "3"],
    ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:", "NOLOOP"],
    ["CLIENT", "TRACKINGINFO"],
    ["RESET"],
    ["CLIENT", "TRACKINGINFO"],
  ];
  for (const step of steps) await s.run(a, step);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: CLIENT LIST flags and redir", async (s) => {
  const a = await s.connect();
  const b = await s.connect();
  // Addresses differ: only the flags and the redirect are compared.
  const flagsOf = async (n: number) => {
    const both = await s.runBoth(n, false, [["CLIENT", "INFO"]]);
    const pick = (text: string) => /flags=(\S+) .* redir=(\S+) /.exec(text)!.slice(1).join(" ");
    assertEquals(pick(both.redeno), pick(both.redis));
    return pick(both.redis);
  };
  assertEquals(await flagsOf(a), "N -1");
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  assertEquals(await flagsOf(a), "t 0");
  await s.run(a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID1"]);
  await flagsOf(a);
  await s.run(b, ["CLIENT", "TRACKING", "on", "BCAST"]);
  assertEquals(await flagsOf(b), "tB 0");
  await s.run(a, ["GET", "k"]);
  await s.kill(b);
  await s.run(a, ["SET", "k", "1"]);
  await flagsOf(a);
  await s.run(a, ["CLIENT", "TRACKINGINFO"]);
  await s.run(a, ["CLIENT", "TRACKING", "off"]);
  assertEquals(await flagsOf(a), "N -1");
});

trackingTest("oracle tracking: RESP3 invalidations, own writes after the reply", async (s) => {
  const a = await s.connect();
  const b = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  const steps: [number, string[]][] = [
    [a, ["SET", "k", "1"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "2"]], // own write: the push follows the reply
    [a, ["GET", "k"]],
    [b, ["SET", "k", "3"]], // another client's write
    [b, ["SET", "k", "4"]], // no longer tracked: nothing
    [a, ["MGET", "k", "x", "y", "k"]],
    [b, ["DEL", "x", "y", "k"]],
    [a, ["HSET", "h", "f", "v"]],
    [a, ["HGET", "h", "f"]],
    [b, ["HSET", "h", "f", "v"]], // overwrote with the same value: Redis still signals
    [a, ["HGETALL", "h"]],
    [b, ["HSETNX", "h", "f", "w"]], // changed nothing: no invalidation
    [b, ["HDEL", "h", "nope"]],
    [b, ["HDEL", "h", "f"]],
    [a, ["SADD", "s", "m"]],
    [a, ["SMEMBERS", "s"]],
    [b, ["SADD", "s", "m"]],
    [b, ["SADD", "s", "n"]],
    [a, ["SCARD", "s"]],
    [b, ["EXPIRE", "s", "1000"]],
    [a, ["EXISTS", "s"]],
    [b, ["PERSIST", "s"]],
    [a, ["TYPE", "s"]],
    [b, ["RENAME", "s", "s2"]],
    [a, ["GET", "k"]],
    [a, ["MULTI"]],
    [a, ["SET", "k", "5"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "6"]],
    [a, ["EXEC"]],
    [a, ["GET", "k"]],
    [a, ["FLUSHALL"]], // own flush: one null after the reply
    [a, ["GET", "k"]],
    [b, ["FLUSHDB"]],
    [b, ["SELECT", "3"]],
    [b, ["FLUSHDB"]],
    [b, ["FLUSHALL"]],
    [a, ["MULTI"]],
    [a, ["FLUSHALL"]],
    [a, ["FLUSHDB"]],
    [a, ["EXEC"]],
    // Tracking is by key name across databases.
    [a, ["GET", "k"]],
    [b, ["SET", "k", "in db 3"]],
    [a, ["CLIENT", "TRACKING", "on", "NOLOOP"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "7"]], // NOLOOP: nothing, and k is forgotten
    [b, ["SET", "k", "8"]],
    [a, ["GET", "k"]],
    [b, ["SET", "k", "9"]],
  ];
  for (const [n, args] of steps) await s.run(n, args);
  await s.sameTrackingInfo();
  // A pipelined batch: every own invalidation follows its command's reply.
  await s.run(a, ["GET", "p"], ["SET", "p", "1"], ["GET", "p"], ["DEL", "p"], ["PING"]);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: which commands invalidate", async (s) => {
  const a = await s.connect();
  const w = await s.connect();
  const blocked = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  const steps: [number, string[]][] = [
    [w, ["MSET", "k", "1", "l", "2", "m", "3"]],
    [w, ["RPUSH", "list", "a", "b"]],
    [a, ["MGET", "k", "l", "m", "n"]],
    [a, ["LRANGE", "list", "0", "-1"]],
    [a, ["SORT_RO", "list", "ALPHA"]],
    [w, ["SWAPDB", "0", "1"]], // no invalidation in 7.0
    [w, ["SWAPDB", "0", "1"]],
    [w, ["MOVE", "k", "2"]],
    [w, ["COPY", "l", "n"]],
    [a, ["GET", "n"]],
    [w, ["COPY", "m", "n", "REPLACE"]],
    [w, ["GETEX", "m", "PX", "100000"]],
    [w, ["GETDEL", "l"]],
    [a, ["LLEN", "list"]],
    [a, ["LLEN", "bl"]],
    [w, ["LPUSH", "bl", "x"]],
    [a, ["XREAD", "STREAMS", "st", "0"]],
    [w, ["XADD", "st", "1-1", "f", "v"]],
    [a, ["XLEN", "st"]],
    [w, ["XGROUP", "CREATE", "st", "g", "0"]], // groups change no key
    [w, ["XTRIM", "st", "MAXLEN", "0"]],
    [a, ["GET", "z"]],
    [w, ["SET", "z", "1", "NX"]],
    [w, ["SET", "z", "2", "NX"]],
    [a, ["GET", "z"]],
    [w, ["SETRANGE", "z", "0", ""]],
    [w, ["INCRBY", "z", "0"]],
    [a, ["GET", "z"]],
    [w, ["APPEND", "z", ""]],
    [a, ["PFCOUNT", "hll"]],
    [w, ["PFADD", "hll", "a"]],
    [a, ["PFCOUNT", "hll"]],
    [w, ["PFADD", "hll", "a"]],
    [a, ["SCARD", "st2"]],
    [w, ["SINTERSTORE", "st2", "nope1", "nope2"]],
    [a, ["OBJECT", "ENCODING", "z"]],
    // An absolute time and its absolute reading: TTL's rounded seconds would
    // depend on how long the round trip between the two took.
    [w, ["EXPIREAT", "z", "4000000000"]],
    [a, ["EXPIRETIME", "z"]],
    [w, ["EXPIRE", "z", "-1"]],
    [a, ["ZSCORE", "zs", "m"]],
    [w, ["ZADD", "zs", "1", "m"]],
    [a, ["ZRANGE", "zs", "0", "-1"]],
    [w, ["ZADD", "zs", "1", "m"]],
    [w, ["ZINCRBY", "zs", "1", "m"]],
  ];
  for (const [n, args] of steps) await s.run(n, args);
  // A blocked client served by a push.
  await s.run(a, ["LLEN", "bl2"]);
  const both = { redeno: s.pairs[blocked].redeno, redis: s.pairs[blocked].redis };
  s.pairs[blocked].open = false;
  await Promise.all([
    both.redeno.send(encodeCommand(["BLPOP", "bl2", "0"])),
    both.redis.send(encodeCommand(["BLPOP", "bl2", "0"])),
  ]);
  await s.untilBlocked(1);
  await s.run(w, ["LPUSH", "bl2", "x"]);
  assertEquals(await both.redeno.reply(), await both.redis.reply());
  await s.sameTrackingInfo();
});

// Active expiry is off on both servers: keys expire when touched, at a known step.
trackingTest("oracle tracking: expired keys invalidate", async (s) => {
  const a = await s.connect();
  const b = await s.connect();
  // A TTL far longer than a loaded machine's pause between two round trips.
  const expired = () => new Promise((r) => setTimeout(r, 1100));
  await s.run(b, ["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  await s.run(b, ["SET", "e", "v"]);
  await s.run(a, ["GET", "e"]);
  await s.run(b, ["PEXPIRE", "e", "1000"]); // an expiry change invalidates
  await s.run(a, ["GET", "e"]);
  await expired();
  await s.run(b, ["GET", "e"]); // expired by another client's read
  await s.run(a, ["GET", "e"]);
  await s.run(b, ["SET", "e", "v", "PX", "1000"]);
  await s.run(a, ["GET", "e"]);
  await expired();
  // Expired by the tracking client's own read: the push follows the reply, and e is tracked again.
  await s.run(a, ["GET", "e"]);
  await s.sameTrackingInfo();
  await s.run(b, ["SET", "e", "w"]);
  await s.sameTrackingInfo();
}, { args: ["--enable-debug-command", "yes"] });

trackingTest("oracle tracking: RESP2 with REDIRECT to a subscriber", async (s) => {
  const sub = await s.connect();
  const a = await s.connect();
  const b = await s.connect();
  const plain = await s.connect();
  const steps: [number, string[]][] = [
    [sub, ["SUBSCRIBE", "__redis__:invalidate"]],
    [a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"]],
    [a, ["GET", "k"]],
    [b, ["SET", "k", "1"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "2"]],
    [a, ["MGET", "k", "j"]],
    [b, ["FLUSHALL"]],
    [a, ["GET", "k"]],
    [a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0", "NOLOOP"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "3"]],
    [b, ["SET", "k", "4"]],
    // RESP2 without a redirect: nothing can be sent.
    [b, ["CLIENT", "TRACKING", "on"]],
    [b, ["GET", "k"]],
    [a, ["SET", "k", "5"]],
    // A redirect to a client that is not subscribed gets nothing either.
    [a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID3"]],
    [a, ["GET", "k"]],
    [b, ["SET", "k", "6"]],
    [plain, ["HELLO", "3"]],
    [a, ["GET", "k"]],
    [b, ["SET", "k", "7"]], // a RESP3 redirect target gets a push
    [a, ["CLIENT", "GETREDIR"]],
    [a, ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x"]],
    [a, ["CLIENT", "TRACKING", "off"]],
    [a, ["CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "$ID0", "PREFIX", "x"]],
    [b, ["MSET", "x1", "1", "y1", "2", "x2", "3"]],
    [b, ["FLUSHDB"]],
  ];
  for (const [n, args] of steps) await s.run(n, args);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: the null of a flush is the tracking client's", async (s) => {
  const sub2 = await s.connect();
  const a = await s.connect();
  const w = await s.connect();
  const sub3 = await s.connect();
  const steps: [number, string[]][] = [
    [sub2, ["SUBSCRIBE", "__redis__:invalidate"]],
    [a, ["HELLO", "3"]],
    [a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"]],
    [a, ["GET", "k"]],
    [w, ["SET", "k", "1"]],
    [w, ["FLUSHALL"]], // a RESP3 null in a RESP2 message
    [a, ["FLUSHALL"]], // the tracking client's own flush
    [a, ["GET", "k"]],
    [a, ["SET", "k", "2"]],
    [sub3, ["HELLO", "3"]],
    [sub3, ["SUBSCRIBE", "__redis__:invalidate"]],
    [a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID3"]],
    [a, ["GET", "k"]],
    [a, ["SET", "k", "2"]],
    [a, ["HELLO", "2"]],
    [a, ["FLUSHDB"]], // a RESP2 null in a RESP3 push
  ];
  for (const [n, args] of steps) await s.run(n, args);
});

trackingTest(
  "oracle tracking: any RESP2 subscriber gets the messages, itself included",
  async (s) => {
    const a = await s.connect();
    const w = await s.connect();
    await s.run(a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"]);
    await s.run(a, ["GET", "k"]);
    await s.run(a, ["SUBSCRIBE", "another-channel"]);
    await s.run(w, ["SET", "k", "1"]);
    await s.run(w, ["FLUSHALL"]);
  },
);

trackingTest("oracle tracking: broken redirect", async (s) => {
  const target = await s.connect();
  const a = await s.connect();
  const b = await s.connect();
  const c = await s.connect();
  const w = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"]);
  await s.run(b, ["CLIENT", "TRACKING", "on", "REDIRECT", "$ID0"]);
  await s.run(c, ["HELLO", "3"]);
  await s.run(c, ["CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", "$ID0"]);
  await s.run(a, ["GET", "k"]);
  await s.run(b, ["GET", "k"]);
  await s.kill(target);
  await s.run(w, ["SET", "k", "1"]);
  await s.run(a, ["CLIENT", "TRACKINGINFO"]);
  await s.run(b, ["CLIENT", "TRACKINGINFO"]);
  await s.run(c, ["CLIENT", "TRACKINGINFO"]);
  await s.run(a, ["GET", "k"]);
  await s.run(a, ["SET", "k", "2"]); // own write: the broken-redirect push follows the reply
  await s.run(w, ["FLUSHALL"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  await s.run(a, ["CLIENT", "TRACKINGINFO"]);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: BCAST prefixes, NOLOOP, batches", async (s) => {
  const a = await s.connect();
  const b = await s.connect();
  const w = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(b, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b", "PREFIX", "a", "NOLOOP"]);
  await s.run(b, ["CLIENT", "TRACKING", "on", "BCAST"]);
  await s.sameTrackingInfo();
  const steps: [number, string[]][] = [
    [w, ["MSET", "b2", "1", "a1", "2", "c", "3", "b1", "x"]],
    [a, ["SET", "a5", "1"]], // NOLOOP: only b hears
    [a, ["MSET", "a5", "1", "a3", "3", "b9", "4"]],
    [b, ["SET", "a5", "2"]],
    [w, ["DEL", "a5", "zz"]],
    [w, ["GET", "a3"]],
    [w, ["SADD", "bs", "x"]],
    [w, ["SADD", "bs", "x"]], // changed nothing
    [w, ["FLUSHALL"]],
    [a, ["GET", "a3"]], // BCAST clients remember no keys
    [w, ["SET", "a3", "1"]],
  ];
  for (const [n, args] of steps) await s.run(n, args);
  // One batch: the keys changed by all its commands go in one push per prefix, after every reply.
  await s.run(w, ["SET", "a1", "1"], ["SET", "b1", "1"], ["INCR", "a1"], ["SET", "c1", "1"]);
  await s.run(a, ["SET", "a1", "1"], ["SET", "a2", "2"], ["PING"]);
  await s.run(a, ["MULTI"]);
  await s.run(a, ["SET", "a1", "x"]);
  await s.run(a, ["SET", "b7", "y"]);
  await s.run(a, ["EXEC"]);
  await s.run(w, ["SET", "\xff\x00bin", "v"]);
  await s.sameTrackingInfo();
  await s.run(a, ["CLIENT", "TRACKING", "off"]);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: OPTIN and OPTOUT with CLIENT CACHING", async (s) => {
  const a = await s.connect();
  const w = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "OPTIN"]);
  const reads: string[][] = [
    ["GET", "k1"],
    ["CLIENT", "CACHING", "yes"],
    ["GET", "k2"],
    ["GET", "k3"], // CACHING lasts one command
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "GETREDIR"], // CLIENT subcommands keep it
    ["GET", "k4"],
    ["CLIENT", "CACHING", "yes"],
    ["MULTI"],
    ["GET", "k5"],
    ["GET", "k6"],
    ["EXEC"], // a transaction keeps it for all its commands
    ["GET", "k7"],
    ["CLIENT", "CACHING", "yes"],
    ["PING"],
    ["GET", "k8"],
    ["CLIENT", "CACHING", "yes"],
    ["GET", "nope", "extra"], // a refused command
    ["GET", "k9"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "NOSUCH"], // not a CLIENT subcommand: CACHING ends
    ["GET", "k10"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT", "CACHING"], // a CLIENT subcommand, refused: CACHING stays
    ["GET", "k11"],
    ["CLIENT", "CACHING", "yes"],
    ["CLIENT"],
    ["GET", "k12"],
  ];
  for (const r of reads) await s.run(a, r);
  const all = ["k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12"];
  await s.run(w, ["MSET", ...all.flatMap((k) => [k, "v"])]);
  await s.run(a, ["CLIENT", "TRACKING", "off"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "OPTOUT"]);
  await s.run(a, ["CLIENT", "CACHING", "no"]);
  await s.run(a, ["GET", "k1"]);
  await s.run(a, ["GET", "k2"]);
  await s.run(a, ["CLIENT", "CACHING", "no"]);
  await s.run(a, ["MGET", "k3", "k4"]);
  await s.run(a, ["CLIENT", "TRACKINGINFO"]);
  await s.run(a, ["MGET", "k5", "k6"]);
  await s.run(w, ["MSET", ...all.flatMap((k) => [k, "w"])]);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: scripts track the caller's declared keys", async (s) => {
  const a = await s.connect();
  const w = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  await s.run(a, ["EVAL", "return redis.call('get', 'x')", "1", "y"]);
  await s.run(a, ["EVAL_RO", "return redis.call('get', 'x')", "1", "z"]);
  await s.run(a, ["EVAL", "return 1", "1", "w"]); // no read: nothing tracked
  await s.run(a, ["EVAL", "return redis.call('set', KEYS[1], 'v')", "1", "y"]);
  await s.run(a, ["EVAL", "return redis.call('get', KEYS[1])", "1", "y"]);
  await s.sameTrackingInfo();
  await s.run(w, ["MSET", "x", "1", "y", "2", "z", "3", "w", "4"]);
  await s.run(a, ["EVAL", "redis.call('get', 'q'); return redis.call('set', 'q', 'v')", "1", "q"]);
  await s.sameTrackingInfo();
  // Functions likewise track FCALL's keys.
  const lib = "#!lua name=trk\nredis.register_function{function_name='trkget', " +
    "callback=function(keys, args) return redis.call('get', 'inner') end, flags={'no-writes'}}";
  await s.run(w, ["FUNCTION", "LOAD", "REPLACE", lib]);
  await s.run(a, ["FCALL", "trkget", "1", "outer"]);
  await s.run(a, ["FCALL_RO", "trkget", "1", "outer2"]);
  await s.run(w, ["MSET", "inner", "1", "outer", "2", "outer2", "3"]);
  // NOLOOP covers the caller's scripts.
  await s.run(a, ["CLIENT", "TRACKING", "on", "NOLOOP"]);
  await s.run(a, ["GET", "q"]);
  await s.run(a, ["EVAL", "return redis.call('set', 'q', 'w')", "0"]);
  await s.run(w, ["SET", "q", "x"]);
  await s.run(a, ["CLIENT", "TRACKING", "off"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"]);
  await s.run(a, ["EVAL", "return redis.call('set', 'q', 'w')", "0"]);
  await s.run(w, ["SET", "q", "x"]);
  await s.sameTrackingInfo();
});

trackingTest("oracle tracking: CLIENT REPLY, RESET and disconnects", async (s) => {
  const a = await s.connect();
  const b = await s.connect();
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on"]);
  await s.run(a, ["GET", "g"]);
  await s.run(a, ["CLIENT", "REPLY", "SKIP"]);
  await s.run(a, ["SET", "g", "1"], ["PING"]); // the skipped reply's invalidation still comes
  await s.run(a, ["GET", "g"]);
  await s.sameTrackingInfo();
  await s.run(a, ["RESET"]);
  await s.sameTrackingInfo();
  await s.run(b, ["SET", "g", "2"]); // RESET turned tracking off: nothing
  await s.run(a, ["HELLO", "3"]);
  await s.run(a, ["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "g"]);
  await s.run(b, ["CLIENT", "TRACKING", "on"]);
  await s.run(b, ["GET", "g"]);
  await s.sameTrackingInfo();
  await s.kill(a);
  await s.kill(b);
  // The table keeps the keys of clients that went until the keys change.
  await s.sameTrackingInfo();
});

oracleTest("oracle tracking: tracking-table-max-keys evicts keys with invalidations", async (o) => {
  const counts: Record<string, unknown>[] = [];
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    const c = await RespClient.connect(port);
    const admin = await RespClient.connect(port);
    try {
      await c.call("HELLO", "3");
      await c.call("CLIENT", "TRACKING", "on");
      await admin.call("CONFIG", "SET", "tracking-table-max-keys", "3");
      const keys = Array.from({ length: 10 }, (_, i) => `key:${i}`);
      const reply = await c.call("MGET", ...keys);
      const tracked = async () =>
        parseInfo(decodeBulk(await admin.call("INFO", "stats"))).get("tracking_total_keys");
      const before = await tracked();
      // The next command of any client brings the table back to the limit first.
      await c.send(encodeCommand(["PING"]));
      const invalidated: string[] = [];
      for (;;) {
        const frame = await c.reply();
        if (frame === "+PONG\r\n") break;
        assert(frame.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n"), JSON.stringify(frame));
        invalidated.push(frame.split("\r\n")[5]);
      }
      counts.push({
        reply,
        before,
        after: await tracked(),
        invalidated: invalidated.length,
        distinct: new Set(invalidated).size,
        known: invalidated.every((k) => keys.includes(k)),
      });
    } finally {
      c.close();
      admin.close();
    }
  }
  assertEquals(counts[0], counts[1]);
  assertEquals(counts[1].invalidated, 7);
});

oracleTest("oracle tracking: evictions before a command, and under NOLOOP", async (o) => {
  const seen: unknown[] = [];
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    for (const noloop of [false, true]) {
      const c = await RespClient.connect(port);
      const admin = await RespClient.connect(port);
      try {
        await admin.call("CONFIG", "SET", "tracking-table-max-keys", "2");
        await c.call("HELLO", "3");
        await c.call("CLIENT", "TRACKING", "on", ...(noloop ? ["NOLOOP"] : []));
        // One batch: no cron runs between the two; PING evicts first (the client's own keys
        // go at once, before PING's reply, or silently under NOLOOP).
        await c.send(encodeCommands([["MGET", "k1", "k2", "k3", "k4", "k5"], ["PING"]]));
        assert((await c.reply()).startsWith("*5\r\n"));
        let pushes = 0;
        for (;;) {
          const frame = await c.reply();
          if (frame === "+PONG\r\n") break;
          assert(frame.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n"), JSON.stringify(frame));
          pushes++;
        }
        const info = parseInfo(decodeBulk(await admin.call("INFO", "stats")));
        seen.push({ noloop, pushes, keys: info.get("tracking_total_keys") });
        await admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000");
        await admin.call("FLUSHALL");
      } finally {
        c.close();
        admin.close();
      }
    }
  }
  assertEquals(seen.slice(0, 2), seen.slice(2));
  assertEquals(seen.slice(2), [
    { noloop: false, pushes: 3, keys: "2" },
    { noloop: true, pushes: 0, keys: "2" },
  ]);
});

oracleTest(
  "oracle tracking: an idle server gets under a lowered tracking-table-max-keys",
  async (o) => {
    const seen: number[] = [];
    for (const port of [o.redenoServer.port, o.redisServer.port]) {
      const c = await RespClient.connect(port);
      try {
        await c.call("HELLO", "3");
        await c.call("CLIENT", "TRACKING", "on");
        await c.call("MGET", ...Array.from({ length: 10 }, (_, i) => `key:${i}`));
        // Lowered by the tracking client itself: no command follows, the server cron evicts.
        assertEquals(await c.call("CONFIG", "SET", "tracking-table-max-keys", "4"), "+OK\r\n");
        let n = 0;
        while (n < 6) {
          const frame = await c.reply();
          assert(frame.startsWith(">2\r\n$10\r\ninvalidate\r\n*1\r\n"), JSON.stringify(frame));
          n++;
        }
        seen.push(n);
      } finally {
        c.close();
      }
    }
    assertEquals(seen, [6, 6]);
  },
);

oracleTest("oracle tracking: active expiry invalidates", async (o) => {
  const got: string[] = [];
  for (const port of [o.redenoServer.port, o.redisServer.port]) {
    const c = await RespClient.connect(port);
    const w = await RespClient.connect(port);
    try {
      await c.call("HELLO", "3");
      await c.call("CLIENT", "TRACKING", "on");
      await w.call("SET", "short", "v", "PX", "1000");
      await w.call("SET", "long", "v");
      assertEquals(await c.call("MGET", "short", "long"), "*2\r\n$1\r\nv\r\n$1\r\nv\r\n");
      // Nobody touches the key: the server's expiry cycle deletes it and tells the client.
      got.push(await c.reply());
    } finally {
      c.close();
      w.close();
    }
  }
  assertEquals(got[0], got[1]);
  assertEquals(got[1], ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nshort\r\n");
});
