/**
 * The master side's commands: REPLCONF, PSYNC, SYNC and ROLE (state in
 * lib/server/replication.ts).
 */
import type { Client } from "../server/client.ts";
import { defineCommand } from "./table.ts";
import { ERR_SYNTAX } from "./args.ts";
import { parseInt64 } from "../util/int64.ts";
import { handshakeOf, replicaIp, replicationOf } from "../server/replication.ts";
import { serveAckWaiters } from "../server/wait.ts";

/** Longest ip-address a replica may announce (NET_HOST_STR_LEN). */
const NET_HOST_STR_LEN = 256;

/** A number of REPLCONF / PSYNC as Redis parses it (long long), or null. */
function longArg(s: string): number | null {
  const v = parseInt64(s);
  return v === null ? null : Number(v);
}

function replconf(c: Client, args: string[]): void {
  // Options come in pairs after the name.
  if (args.length % 2 === 0) return c.out.error(ERR_SYNTAX);
  const h = handshakeOf(c);
  for (let i = 1; i < args.length; i += 2) {
    const opt = args[i].toLowerCase();
    const value = args[i + 1];
    if (opt === "listening-port") {
      const port = longArg(value);
      if (port === null) return c.out.error("ERR value is not an integer or out of range");
      h.listeningPort = port;
    } else if (opt === "ip-address") {
      if (value.length >= NET_HOST_STR_LEN) {
        return c.out.error(
          `ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`,
        );
      }
      h.ipAddress = value;
    } else if (opt === "capa") {
      h.capa.add(value.toLowerCase());
    } else if (opt === "ack") {
      // From a replica only, and never answered.
      const link = c.replica;
      if (link === null) return;
      const off = longArg(value);
      if (off === null) return;
      if (off > link.ackOffset) link.ackOffset = off;
      link.ackTime = Date.now();
      replicationOf(c.server).acked(link);
      serveAckWaiters(c.server);
      return;
    } else if (opt === "getack") {
      // Only a replica answers GETACK (to its master): a master ignores it.
      return;
    } else if (opt === "rdb-only") {
      const v = longArg(value);
      if (v === null) return c.out.error("ERR value is not an integer or out of range");
      if (v !== 0 && v !== 1) {
        return c.out.error("ERR value is out of range, value must between 0 and 1");
      }
    } else {
      return c.out.error(`ERR Unrecognized REPLCONF option: ${args[i]}`);
    }
  }
  c.out.ok();
}

/** PSYNC and SYNC: checks shared by both, then the resync. */
function startSync(c: Client, replid: string | null, offset: number): void {
  if (c.replica !== null) return; // already a replica: ignored, as Redis does
  if (c.out.length !== 0 || (c.transport?.unsentBytes ?? 0) !== 0) {
    return c.out.error("ERR SYNC and PSYNC are invalid with pending output");
  }
  // A replica serves its own replicas only while it follows its master.
  if (replicationOf(c.server).masterHost !== null && !c.server.masterLinkUp) {
    return c.out.error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  replicationOf(c.server).sync(c, replid, offset);
  // Nothing the replica sends from now on is answered (its REPLCONF ACKs).
  c.replyOff = true;
}

function psync(c: Client, args: string[]): void {
  const offset = longArg(args[2]);
  if (offset === null) return c.out.error("ERR value is not an integer or out of range");
  startSync(c, args[1], offset);
}

function sync(c: Client): void {
  startSync(c, null, -1);
}

function role(c: Client): void {
  const r = replicationOf(c.server);
  if (r.masterHost !== null) {
    const f = r.follower!;
    c.out.array(5);
    c.out.bulk("slave");
    c.out.bulk(r.masterHost);
    c.out.int(r.masterPort);
    c.out.bulk(f.state);
    c.out.int(f.master !== null ? r.offset : -1);
    return;
  }
  const online = r.live().filter((l) => l.state === "online");
  c.out.array(3);
  c.out.bulk("master");
  c.out.int(r.offset);
  c.out.array(online.length);
  for (const l of online) {
    c.out.array(3);
    c.out.bulk(replicaIp(l));
    c.out.bulk(String(l.handshake.listeningPort));
    c.out.bulk(String(l.ackOffset));
  }
}

/** REPLCONF, PSYNC, SYNC, ROLE. */
export const replicationCommands = [
  defineCommand({
    name: "replconf",
    arity: -1,
    flags: "admin noscript loading stale allow_busy",
    group: "server",
    since: "3.0.0",
    summary: "An internal command for configuring the replication stream",
    complexity: "O(1)",
    docFlags: "syscmd",
    handler: replconf,
  }),
  defineCommand({
    name: "psync",
    arity: -3,
    flags: "admin noscript no_async_loading no_multi",
    group: "server",
    since: "2.8.0",
    summary: "Internal command used for replication",
    syntax: "replicationid offset",
    handler: psync,
  }),
  defineCommand({
    name: "sync",
    arity: 1,
    flags: "admin noscript no_async_loading no_multi",
    group: "server",
    since: "1.0.0",
    summary: "Internal command used for replication",
    handler: sync,
  }),
  defineCommand({
    name: "role",
    arity: 1,
    flags: "noscript loading stale fast",
    group: "server",
    since: "2.8.12",
    summary: "Return the role of the instance in the context of replication",
    complexity: "O(1)",
    categories: ["admin", "dangerous"],
    handler: role,
  }),
];
