/**
 * Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and
 * PUBSUB. Subscriptions and delivery live in lib/server/pubsub.ts; RESP2
 * subscriber mode is enforced by the dispatcher (table.ts).
 */
import type { Client } from "../server/client.ts";
import type { SubscriptionKind } from "../server/pubsub.ts";
import { globMatch } from "../util/glob.ts";
import { cArg, type CommandSpec, defineCommand, type KeySpec } from "./table.ts";
import { replyHelp } from "./connection.ts";

const PUBSUB = "pubsub";
const SUBSCRIBE_FLAGS = "pubsub noscript loading stale";

/** The shard commands' channels: key specs flagged not_key (they route like keys in a cluster). */
function shardChannels(lastkey: number): KeySpec[] {
  return [{ flags: ["not_key"], index: 1, find: { type: "range", lastkey, keystep: 1, limit: 0 } }];
}

const subscribeTo = (kind: SubscriptionKind) => (c: Client, args: string[]): void =>
  c.server.pubsub.subscribeCommand(c, kind, args.slice(1));

/** SSUBSCRIBE: refused inside EXEC (a DENY BLOCKING client), unlike SUBSCRIBE, as Redis 7.0 does. */
function ssubscribe(c: Client, args: string[]): void {
  if (c.denyBlocking > 0) {
    return c.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  }
  c.server.pubsub.subscribeCommand(c, "shard", args.slice(1));
}

const unsubscribeFrom = (kind: SubscriptionKind) => (c: Client, args: string[]): void =>
  c.server.pubsub.unsubscribeCommand(c, kind, args.slice(1));

function publish(c: Client, args: string[]): void {
  c.out.int(c.server.pubsub.publish(args[1], args[2]));
}

function spublish(c: Client, args: string[]): void {
  c.out.int(c.server.pubsub.spublish(args[1], args[2]));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
const channelsOf = (kind: SubscriptionKind) => (c: Client, args: string[]): void => {
  if (args.length > 3) {
    return c.out.error(
      `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. ` +
        "Try PUBSUB HELP.",
    );
  }
  const pattern = args.length > 2 ? args[2] : null;
  const names: string[] = [];
  for (const name of c.server.pubsub.names(kind)) {
    if (pattern === null || globMatch(pattern, name)) names.push(name);
  }
  c.out.array(names.length);
  for (const name of names) c.out.bulk(name);
};

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs (an array in RESP3 too, as Redis). */
const numsubOf = (kind: SubscriptionKind) => (c: Client, args: string[]): void => {
  c.out.array((args.length - 2) * 2);
  for (let i = 2; i < args.length; i++) {
    c.out.bulk(args[i]);
    c.out.int(c.server.pubsub.subscriberCount(kind, args[i]));
  }
};

function numpat(c: Client): void {
  c.out.int(c.server.pubsub.count("pattern"));
}

const PUBSUB_HELP = [
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
];

export const pubsubCommands: CommandSpec[] = [
  defineCommand({
    name: "subscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: PUBSUB,
    since: "2.0.0",
    summary: "Listen for messages published to the given channels",
    complexity: "O(N) where N is the number of channels to subscribe to.",
    syntax: "channel [channel ...]",
    handler: subscribeTo("channel"),
  }),
  defineCommand({
    name: "unsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: PUBSUB,
    since: "2.0.0",
    summary: "Stop listening for messages posted to the given channels",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
    syntax: "[channel [channel ...]]",
    args: "channel?*",
    handler: unsubscribeFrom("channel"),
  }),
  defineCommand({
    name: "psubscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    group: PUBSUB,
    since: "2.0.0",
    summary: "Listen for messages published to channels matching the given patterns",
    complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
    syntax: "pattern [pattern ...]",
    args: "pattern.block*(pattern.pattern)",
    handler: subscribeTo("pattern"),
  }),
  defineCommand({
    name: "punsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    group: PUBSUB,
    since: "2.0.0",
    summary: "Stop listening for messages posted to channels matching the given patterns",
    complexity:
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
    syntax: "[pattern [pattern ...]]",
    args: "pattern.pattern?*",
    handler: unsubscribeFrom("pattern"),
  }),
  defineCommand({
    name: "publish",
    arity: 3,
    flags: "pubsub loading stale fast",
    group: PUBSUB,
    since: "2.0.0",
    summary: "Post a message to a channel",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    syntax: "channel message",
    handler: publish,
  }),
  defineCommand({
    name: "ssubscribe",
    arity: -2,
    flags: SUBSCRIBE_FLAGS,
    keys: [1, -1, 1],
    keySpecs: shardChannels(-1),
    group: PUBSUB,
    since: "7.0.0",
    summary: "Listen for messages published to the given shard channels",
    complexity: "O(N) where N is the number of shard channels to subscribe to.",
    syntax: "shardchannel [shardchannel ...]",
    handler: ssubscribe,
  }),
  defineCommand({
    name: "sunsubscribe",
    arity: -1,
    flags: SUBSCRIBE_FLAGS,
    keys: [1, -1, 1],
    keySpecs: shardChannels(-1),
    group: PUBSUB,
    since: "7.0.0",
    summary: "Stop listening for messages posted to the given shard channels",
    complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
    syntax: "[shardchannel [shardchannel ...]]",
    args: "shardchannel?*",
    handler: unsubscribeFrom("shard"),
  }),
  defineCommand({
    name: "spublish",
    arity: 3,
    flags: "pubsub loading stale fast",
    keys: [1, 1, 1],
    keySpecs: shardChannels(0),
    group: PUBSUB,
    since: "7.0.0",
    summary: "Post a message to a shard channel",
    complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
    syntax: "shardchannel message",
    handler: spublish,
  }),
  defineCommand({
    name: "pubsub",
    arity: -2,
    flags: "",
    group: PUBSUB,
    since: "2.8.0",
    summary: "A container for Pub/Sub commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "channels",
        arity: -2,
        flags: "pubsub loading stale",
        since: "2.8.0",
        summary: "List active channels",
        complexity:
          "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        syntax: "[pattern]",
        handler: channelsOf("channel"),
      },
      {
        name: "numpat",
        arity: 2,
        flags: "pubsub loading stale",
        since: "2.8.0",
        summary: "Get the count of unique patterns pattern subscriptions",
        complexity: "O(1)",
        handler: numpat,
      },
      {
        name: "numsub",
        arity: -2,
        flags: "pubsub loading stale",
        since: "2.8.0",
        summary: "Get the count of subscribers for channels",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        syntax: "[channel [channel ...]]",
        args: "channel?*",
        handler: numsubOf("channel"),
      },
      {
        name: "shardchannels",
        arity: -2,
        flags: "pubsub loading stale",
        since: "7.0.0",
        summary: "List active shard channels",
        complexity:
          "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        syntax: "[pattern]",
        handler: channelsOf("shard"),
      },
      {
        name: "shardnumsub",
        arity: -2,
        flags: "pubsub loading stale",
        since: "7.0.0",
        summary: "Get the count of subscribers for shard channels",
        complexity:
          "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        syntax: "[shardchannel [shardchannel ...]]",
        args: "shardchannel?*",
        handler: numsubOf("shard"),
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        categories: [], // no pubsub flag: Redis lists only @slow
        since: "6.2.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (c: Client) => replyHelp(c, "PUBSUB", PUBSUB_HELP),
      },
    ],
  }),
];
