/**
 * The replication commands' and options' own replies on a master, against
 * redis-server: REPLICAOF / SLAVEOF argument errors, REPLICAOF NO ONE on a
 * master, and CONFIG GET / SET of every replication option (defaults,
 * aliases, range and enum errors, the immutable replicaof).
 */
import { oracleTest } from "../support/oracle.ts";

const OPTIONS = [
  "replicaof",
  "slaveof",
  "masterauth",
  "masteruser",
  "replica-read-only",
  "slave-read-only",
  "replica-serve-stale-data",
  "slave-serve-stale-data",
  "replica-ignore-maxmemory",
  "slave-ignore-maxmemory",
  "repl-timeout",
  "repl-diskless-load",
  "repl-diskless-sync",
  "repl-diskless-sync-max-replicas",
  "replica-priority",
  "slave-priority",
  "replica-announce-ip",
  "slave-announce-ip",
  "replica-announce-port",
  "slave-announce-port",
  "replica-announced",
  "replica-lazy-flush",
  "slave-lazy-flush",
  "repl-backlog-size",
  "repl-backlog-ttl",
  "repl-ping-replica-period",
  "min-replicas-to-write",
  "min-slaves-to-write",
  "min-replicas-max-lag",
  "min-slaves-max-lag",
  "shutdown-timeout",
];

oracleTest("oracle: REPLICAOF / SLAVEOF errors and REPLICAOF NO ONE on a master", async (o) => {
  await o.sameAll([
    ["REPLICAOF", "127.0.0.1"],
    ["REPLICAOF", "127.0.0.1", "6379", "extra"],
    ["SLAVEOF", "127.0.0.1"],
    ["REPLICAOF", "127.0.0.1", "notaport"],
    ["REPLICAOF", "127.0.0.1", "-1"],
    ["REPLICAOF", "127.0.0.1", "65536"],
    ["SLAVEOF", "127.0.0.1", "99999999999999999999"],
    ["REPLICAOF", "NO", "ONE"],
    ["SLAVEOF", "no", "one"],
    ["ROLE"],
    ["MULTI"],
    ["REPLICAOF", "NO", "ONE"],
    ["EXEC"],
  ]);
});

oracleTest("oracle: CONFIG GET and SET of the replication options", async (o) => {
  // Each alone (defaults and aliases), then SETs that succeed, then errors.
  await o.sameAll(OPTIONS.map((name) => ["CONFIG", "GET", name]));
  await o.sameAll([
    ["CONFIG", "SET", "replica-read-only", "no"],
    ["CONFIG", "GET", "slave-read-only"],
    ["CONFIG", "SET", "replica-read-only", "yes"],
    ["CONFIG", "SET", "repl-timeout", "5"],
    ["CONFIG", "SET", "repl-diskless-load", "swapdb"],
    ["CONFIG", "SET", "repl-diskless-sync", "no"],
    ["CONFIG", "SET", "replica-priority", "0"],
    ["CONFIG", "SET", "replica-announce-ip", "10.0.0.1"],
    ["CONFIG", "SET", "replica-announce-port", "6380"],
    ["CONFIG", "SET", "replica-announced", "no"],
    ["CONFIG", "SET", "masterauth", "secret"],
    ["CONFIG", "SET", "masteruser", "repl"],
    ["CONFIG", "SET", "min-slaves-to-write", "2"],
    ["CONFIG", "GET", "min-replicas-to-write"],
    ["CONFIG", "SET", "min-replicas-to-write", "0"],
    ["CONFIG", "SET", "shutdown-timeout", "3"],
    ["CONFIG", "SET", "replicaof", "127.0.0.1 6379"],
    ["CONFIG", "SET", "repl-timeout", "0"],
    ["CONFIG", "SET", "repl-diskless-load", "bogus"],
    ["CONFIG", "SET", "replica-announce-port", "65536"],
    ["CONFIG", "SET", "replica-priority", "-1"],
    ["CONFIG", "SET", "shutdown-timeout", "-1"],
    ["CONFIG", "SET", "replica-read-only", "maybe"],
  ]);
  // A glob's pairs come in each server's dict order (cluster-* options left out: no cluster mode).
  for (const glob of ["repl*", "replica-*", "slave*", "min-*", "master*"]) {
    await o.sameUnordered(["CONFIG", "GET", glob], true);
  }
});
