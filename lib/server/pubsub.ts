/**
 * Pub/Sub: channels, patterns and shard channels, message delivery, and
 * keyspace notifications (published as Redis publishes them).
 *
 * A message is written into each receiver's reply buffer at once (in
 * publish order, channel subscribers before pattern subscribers, as Redis
 * delivers) and the receivers' sockets are written once the publisher's
 * work of this turn is done (Server.queueWrite), as Redis writes replies in
 * beforeSleep: a pipelined burst of PUBLISH costs one write per subscriber.
 */
import type { Client } from "./client.ts";
import type { Server } from "./server.ts";
import { ReplyWriter } from "../resp/encoder.ts";
import { globMatch } from "../util/glob.ts";
import {
  type Notifier,
  NOTIFY_ALL,
  NOTIFY_KEY_MISS,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  NOTIFY_NEW,
  parseNotifyFlags,
} from "../store/notify.ts";

export type SubscriptionKind = "channel" | "pattern" | "shard";

/** The reply and message names of each kind of subscription. */
const NAMES: Record<SubscriptionKind, { sub: string; unsub: string; message: string }> = {
  channel: { sub: "subscribe", unsub: "unsubscribe", message: "message" },
  pattern: { sub: "psubscribe", unsub: "punsubscribe", message: "pmessage" },
  shard: { sub: "ssubscribe", unsub: "sunsubscribe", message: "smessage" },
};

/** One client's subscriptions (Client.subscriptions, created on its first subscribe). */
export class ClientSubscriptions {
  readonly channel = new Set<string>();
  readonly pattern = new Set<string>();
  readonly shard = new Set<string>();
  /**
   * Redis's CLIENT_PUBSUB flag: RESP2 subscriber mode, CLIENT LIST flag P
   * and client type pubsub. Set by any subscribe, cleared by an unsubscribe
   * of any kind that leaves no subscription of any kind (so HELLO 2 after
   * RESP3 subscriptions lands in subscriber mode, and a subscribe that only
   * repeats old names keeps it).
   */
  mode = false;

  /** The count the confirmations of `kind` report (Redis's subscriptionCount of the type). */
  countFor(kind: SubscriptionKind): number {
    return kind === "shard" ? this.shard.size : this.channel.size + this.pattern.size;
  }

  get total(): number {
    return this.channel.size + this.pattern.size + this.shard.size;
  }
}

/**
 * Before a push (confirmation or message) to `c` while its own command runs
 * with CLIENT REPLY OFF / SKIP: drops what the command wrote so far and
 * returns true, and the caller moves `c.replyStart` past the push. Redis
 * writes pushes with CLIENT_PUSHING, which replies off do not stop.
 */
function keepPush(c: Client): boolean {
  if (c.replyStart < 0 || !(c.replyOff || c.replySkip)) return false;
  c.out.truncate(c.replyStart);
  return true;
}

/** A message encoded once per protocol, for every receiver that speaks it. */
class Frame {
  #resp2: Uint8Array | null = null;
  #resp3: Uint8Array | null = null;

  /** `head` as bulk strings (or encoded once: FrameHead), then `body` (see encodeBody). */
  constructor(readonly head: readonly string[] | FrameHead, readonly body: Uint8Array) {}

  bytes(resp: 2 | 3): Uint8Array {
    if (resp === 2) return this.#resp2 ??= encodeFrame(2, this.head, this.body);
    return this.#resp3 ??= encodeFrame(3, this.head, this.body);
  }
}

/**
 * Where a publish encodes its frames: each is a view into this one buffer,
 * copied into every receiver's reply buffer before the next publish starts
 * over (a fresh array per frame cost a fifth of a fan-out to 100 patterns).
 */
const scratch = new ReplyWriter(4096);

/** Starts a publish's frames over at the start of the shared buffer. */
function startFrames(): void {
  scratch.truncate(0);
  // Give back the room a huge message took.
  if (scratch.buf.length > 1024 * 1024) scratch.buf = new Uint8Array(4096);
}

/**
 * A frame's start (the push header and its first bulk strings) encoded once
 * per protocol and kept: a pattern's pmessage start is the same in every
 * message the pattern gets.
 */
class FrameHead {
  #resp2: Uint8Array | null = null;
  #resp3: Uint8Array | null = null;

  constructor(readonly parts: readonly string[]) {}

  bytes(resp: 2 | 3): Uint8Array {
    if (resp === 2) return this.#resp2 ??= encodeHead(2, this.parts);
    return this.#resp3 ??= encodeHead(3, this.parts);
  }
}

const headWriter = new ReplyWriter(256);

function encodeHead(resp: 2 | 3, parts: readonly string[]): Uint8Array {
  headWriter.resp = resp;
  headWriter.push(parts.length + 2);
  for (const p of parts) headWriter.bulk(p);
  return headWriter.take();
}

function encodeFrame(
  resp: 2 | 3,
  head: readonly string[] | FrameHead,
  body: Uint8Array,
): Uint8Array {
  const start = scratch.length;
  if (head instanceof FrameHead) scratch.raw(head.bytes(resp));
  else {
    scratch.resp = resp;
    scratch.push(head.length + 2);
    for (const p of head) scratch.bulk(p);
  }
  scratch.raw(body);
  // A view stays valid if a later frame grows the buffer (it keeps the old one).
  return scratch.buf.subarray(start, scratch.length);
}

/**
 * A message's channel and text as two bulk strings (the same in RESP2 and
 * RESP3), encoded once and copied into each frame: re-encoding them for
 * every matching pattern was a fifth of a fan-out to 100 patterns.
 */
function encodeBody(channel: string, message: string): Uint8Array {
  const start = scratch.length;
  scratch.bulk(channel);
  scratch.bulk(message);
  return scratch.buf.subarray(start, scratch.length);
}

/** A pattern a channel matches, with its subscribers (the live set). */
interface PatternMatch {
  pattern: string;
  clients: Set<Client>;
  /** The start of its pmessage frames. */
  head: FrameHead;
}

/** Channels whose matching patterns PubSub remembers, at most (then it starts over). */
const MATCH_MEMO_CHANNELS = 256;

export class PubSub {
  /** Per kind: name -> subscribers, in subscription order. */
  readonly #subs: Record<SubscriptionKind, Map<string, Set<Client>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };
  /**
   * Channel -> the patterns it matches, in the pattern map's order, so that
   * publishing to a channel again skips the glob matching (a sixth of the
   * server's time in a fan-out to 100 patterns). Forgotten whenever a
   * pattern is added or removed; the sets of subscribers are the live ones.
   */
  readonly #matched = new Map<string, PatternMatch[]>();

  constructor(readonly server: Server) {}

  /** Names with at least one subscriber (INFO pubsub_channels, pubsub_patterns, pubsubshard_channels). */
  count(kind: SubscriptionKind): number {
    return this.#subs[kind].size;
  }

  /** Names of `kind` that have subscribers, in the order they were first subscribed. */
  names(kind: SubscriptionKind): IterableIterator<string> {
    return this.#subs[kind].keys();
  }

  /** Subscribers of one name (PUBSUB NUMSUB). */
  subscriberCount(kind: SubscriptionKind, name: string): number {
    return this.#subs[kind].get(name)?.size ?? 0;
  }

  /** Subscribes `c`; false when it already was. */
  subscribe(c: Client, kind: SubscriptionKind, name: string): boolean {
    const mine = (c.subscriptions ??= new ClientSubscriptions())[kind];
    if (mine.has(name)) return false;
    mine.add(name);
    const all = this.#subs[kind];
    let set = all.get(name);
    if (set === undefined) {
      all.set(name, set = new Set());
      if (kind === "pattern") this.#matched.clear();
    }
    set.add(c);
    return true;
  }

  /** Unsubscribes `c`; false when it was not subscribed. */
  unsubscribe(c: Client, kind: SubscriptionKind, name: string): boolean {
    const mine = c.subscriptions?.[kind];
    if (mine === undefined || !mine.delete(name)) return false;
    const all = this.#subs[kind];
    const set = all.get(name)!;
    set.delete(c);
    if (set.size === 0) {
      all.delete(name);
      if (kind === "pattern") this.#matched.clear();
    }
    return true;
  }

  /**
   * (P|S)SUBSCRIBE: subscribes to each name and confirms each, with the
   * client's subscription count after it.
   */
  subscribeCommand(c: Client, kind: SubscriptionKind, names: readonly string[]): void {
    for (const name of names) {
      this.subscribe(c, kind, name);
      this.#confirm(c, NAMES[kind].sub, name, c.subscriptions!.countFor(kind));
    }
    c.subscriptions!.mode = true;
  }

  /**
   * (P|S)UNSUBSCRIBE: from the names given, or from every one of the kind;
   * with none to leave, one confirmation with a null name.
   */
  unsubscribeCommand(c: Client, kind: SubscriptionKind, names: readonly string[]): void {
    const subs = c.subscriptions;
    const all = names.length === 0;
    const list = all ? [...(subs?.[kind] ?? [])] : names;
    for (const name of list) {
      this.unsubscribe(c, kind, name);
      this.#confirm(c, NAMES[kind].unsub, name, subs?.countFor(kind) ?? 0);
    }
    // Nothing of the kind to leave: one confirmation with a null name and the count still held.
    if (all && list.length === 0) {
      this.#confirm(c, NAMES[kind].unsub, null, subs?.countFor(kind) ?? 0);
    }
    if (subs !== null && subs.total === 0) subs.mode = false;
  }

  #confirm(c: Client, what: string, name: string | null, count: number): void {
    const out = c.out;
    const kept = keepPush(c);
    out.push(3);
    out.bulk(what);
    out.bulkOrNull(name);
    out.int(count);
    if (kept) c.replyStart = out.length;
  }

  /** Drops every subscription of `c` without replies (RESET, disconnect). */
  dropClient(c: Client): void {
    const subs = c.subscriptions;
    if (subs === null) return;
    for (const kind of ["channel", "pattern", "shard"] as const) {
      for (const name of [...subs[kind]]) this.unsubscribe(c, kind, name);
    }
    c.subscriptions = null;
  }

  /** True when anything at all is subscribed (keyspace events are published only then). */
  get active(): boolean {
    const s = this.#subs;
    return s.channel.size !== 0 || s.pattern.size !== 0;
  }

  /**
   * PUBLISH: delivers to the channel's subscribers, then to every pattern
   * subscription that matches; returns the number of deliveries.
   */
  publish(channel: string, message: string): number {
    let receivers = 0;
    const subs = this.#subs;
    startFrames();
    let body: Uint8Array | null = null;
    const direct = subs.channel.get(channel);
    if (direct !== undefined) {
      const frame = new Frame(["message"], body = encodeBody(channel, message));
      for (const c of direct) this.#deliver(c, frame);
      receivers += direct.size;
    }
    if (subs.pattern.size !== 0) {
      for (const { clients, head } of this.#patternsOf(channel)) {
        const frame = new Frame(head, body ??= encodeBody(channel, message));
        for (const c of clients) this.#deliver(c, frame);
        receivers += clients.size;
      }
    }
    return receivers;
  }

  /** The patterns `channel` matches (remembered until the patterns change). */
  #patternsOf(channel: string): PatternMatch[] {
    let matches = this.#matched.get(channel);
    if (matches !== undefined) return matches;
    matches = [];
    for (const [pattern, clients] of this.#subs.pattern) {
      if (globMatch(pattern, channel)) {
        matches.push({ pattern, clients, head: new FrameHead(["pmessage", pattern]) });
      }
    }
    if (this.#matched.size >= MATCH_MEMO_CHANNELS) this.#matched.clear();
    this.#matched.set(channel, matches);
    return matches;
  }

  /** SPUBLISH: delivers to the shard channel's subscribers. */
  spublish(channel: string, message: string): number {
    const direct = this.#subs.shard.get(channel);
    if (direct === undefined) return 0;
    startFrames();
    const frame = new Frame(["smessage"], encodeBody(channel, message));
    for (const c of direct) this.#deliver(c, frame);
    return direct.size;
  }

  #deliver(c: Client, frame: Frame): void {
    if (c.closed) return;
    const kept = c.replyStart >= 0 && keepPush(c);
    c.out.raw(frame.bytes(c.resp));
    if (kept) c.replyStart = c.out.length;
    this.server.queueWrite(c);
  }

  /** Applies notify-keyspace-events: the keyspace gets a notifier only when some event can be published. */
  applyNotifyFlags(value: string): void {
    const flags = parseNotifyFlags(value) ?? 0;
    const publishes = (flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) !== 0 &&
      (flags & (NOTIFY_ALL | NOTIFY_KEY_MISS | NOTIFY_NEW)) !== 0;
    this.server.keyspace.notifier = publishes ? new KeyspaceNotifier(flags, this) : null;
  }
}

/** Publishes keyspace events on Redis's channels: __keyspace@<db>__:<key> first, then __keyevent@<db>__:<event>. */
class KeyspaceNotifier implements Notifier {
  constructor(readonly flags: number, readonly pubsub: PubSub) {}

  fire(event: string, key: string, db: number): void {
    if (!this.pubsub.active) return;
    if ((this.flags & NOTIFY_KEYSPACE) !== 0) {
      this.pubsub.publish(`__keyspace@${db}__:${key}`, event);
    }
    if ((this.flags & NOTIFY_KEYEVENT) !== 0) {
      this.pubsub.publish(`__keyevent@${db}__:${event}`, key);
    }
  }
}
