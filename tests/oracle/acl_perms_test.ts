/**
 * The ACL permission check against Redis 7.0.15: NOPERM replies for
 * commands, subcommands, first arguments, keys (read / write patterns),
 * channels, selectors, inside MULTI/EXEC and scripts; ACL LOG entries
 * (field by field; the age and the client-info line structurally); ACL
 * DRYRUN; ACL CAT; what MONITOR and SLOWLOG redact.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded, RespClient } from "../support/resp_client.ts";
import { Twins } from "../support/twins.ts";
import { prng } from "../support/prng.ts";

/** Client 0 stays the default user (it sets rules, reads ACL LOG); the others log in as `user`. */
async function twins(o: Oracle, n: number, user: string): Promise<Twins> {
  const t = await Twins.open(o, n + 1);
  for (let i = 1; i <= n; i++) await t.call(i, "AUTH", user, "pw");
  return t;
}

/** CLIENT INFO fields that say the same on both servers (not ids, addresses, times or buffer sizes). */
const STABLE_INFO_FIELDS = new Set([
  "name",
  "flags",
  "db",
  "sub",
  "psub",
  "ssub",
  "multi",
  "cmd",
  "user",
  "redir",
  "resp",
]);

/** A client-info line reduced to its field names (in order) and the stable fields' values. */
function infoShape(line: string): string[] {
  return line.split(" ").map((kv) => {
    const eq = kv.indexOf("=");
    const k = kv.slice(0, eq);
    return STABLE_INFO_FIELDS.has(k) ? kv : k;
  });
}

/** One ACL LOG entry with the age and client-info reduced to what both servers must agree on. */
function entryShape(e: Decoded): unknown[] {
  const fields: Decoded[] = e instanceof Map ? [...e].flat() : e as Decoded[];
  const out: unknown[] = [e instanceof Map ? "map" : "array"];
  for (let i = 0; i < fields.length; i += 2) {
    const k = fields[i];
    const v = fields[i + 1];
    out.push(k);
    if (k === "age-seconds") {
      // A double (a bulk string in RESP2): a small non-negative number of seconds.
      const age = Number(v);
      assert(age >= 0 && age < 600, `age-seconds ${v}`);
      out.push(typeof v);
    } else if (k === "client-info") out.push(infoShape(v as string));
    else out.push(v);
  }
  return out;
}

/** ACL LOG [args] from client `i` of both: the same entries (see entryShape); returns how many. */
async function sameLog(t: Twins, i: number, ...args: string[]): Promise<number> {
  const cmd = ["ACL", "LOG", ...args];
  const [a, b] = await Promise.all([t.mine[i].call(...cmd), t.theirs[i].call(...cmd)]);
  const mine = decode(a);
  const theirs = decode(b);
  if (!Array.isArray(theirs) || !Array.isArray(mine)) {
    assertEquals(a, b);
    return -1;
  }
  assertEquals(mine.map(entryShape), theirs.map(entryShape), `ACL LOG ${args.join(" ")}`);
  return theirs.length;
}

oracleTest("oracle: ACL commands, subcommands and first arguments", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    [
      "ACL",
      "SETUSER",
      "cmds",
      "on",
      ">pw",
      "~*",
      "&*",
      "-@all",
      "+get",
      "+set",
      "+config|get",
      "+client|getname",
      "+select|0",
      "+@hash",
      "-hdel",
    ],
  ]);
  const t = await twins(o, 1, "cmds");
  try {
    for (
      const cmd of [
        ["GET", "k"],
        ["SET", "k", "v"],
        ["PING"],
        ["DEL", "k"],
        ["CONFIG", "GET", "maxmemory-policy"],
        ["CONFIG", "SET", "maxmemory-policy", "noeviction"],
        ["CONFIG", "RESETSTAT"],
        ["CONFIG", "NOSUCH"],
        ["CLIENT", "GETNAME"],
        ["CLIENT", "SETNAME", "x"],
        ["SELECT", "0"],
        ["SELECT", "1"],
        ["HSET", "h", "f", "v"],
        ["HGET", "h", "f"],
        ["HDEL", "h", "f"],
        ["GET"], // the arity error comes first
        ["NOSUCHCOMMAND", "x"],
        ["AUTH", "cmds", "pw"], // no_auth commands are never refused for the command
        ["ACL", "WHOAMI"],
        ["EVAL", "return 1", "0"],
      ]
    ) await t.call(1, ...cmd);
    assertEquals(await sameLog(t, 0), 9);
    // Grouping: the same refusal again counts in the entry it matches.
    await t.call(1, "PING");
    await t.call(1, "PING");
    assertEquals(await sameLog(t, 0), 9);
    assertEquals(await sameLog(t, 0, "2"), 2);
    assertEquals(await sameLog(t, 0, "0"), 0);
    assertEquals(await sameLog(t, 0, "-5"), 0);
    await o.sameAll([
      ["ACL", "LOG", "x"],
      ["ACL", "LOG", "1", "2"],
      ["ACL", "LOG", "RESET"],
      ["ACL", "LOG"],
    ]);
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL key permissions (read / write patterns, key-spec flags)", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    ["SET", "r:1", "a"],
    ["SET", "w:1", "b"],
    ["SET", "rw:1", "c"],
    ["RPUSH", "r:list", "x", "y"],
    ["ACL", "SETUSER", "keys", "on", ">pw", "+@all", "&*", "%R~r:*", "%W~w:*", "~rw:*"],
  ]);
  const t = await twins(o, 1, "keys");
  try {
    for (
      const cmd of [
        ["GET", "r:1"],
        ["GET", "w:1"],
        ["GET", "rw:1"],
        ["GET", "other"],
        ["SET", "w:1", "x"],
        ["SET", "r:1", "x"],
        ["APPEND", "rw:1", "x"],
        ["APPEND", "w:1", "x"], // RW update: writing only
        ["INCR", "r:1"],
        ["STRLEN", "w:1"],
        ["EXISTS", "w:1"], // RO without access: any pattern that matches
        ["TYPE", "w:1"],
        ["MGET", "r:1", "rw:1"],
        ["MGET", "r:1", "w:1"],
        ["MSET", "w:2", "a", "rw:2", "b"],
        ["MSET", "w:2", "a", "r:2", "b"],
        ["DEL", "w:2"],
        ["DEL", "r:2"],
        ["COPY", "r:1", "w:3"],
        ["COPY", "w:1", "r:3"],
        ["LMOVE", "r:list", "w:list", "LEFT", "RIGHT"], // source: RW access delete
        ["LMOVE", "rw:none", "w:list", "LEFT", "RIGHT"],
        ["RENAME", "w:1", "w:4"],
        ["GETDEL", "w:4"],
        ["SORT", "r:list", "ALPHA", "STORE", "w:sorted"],
        ["SORT", "r:list", "ALPHA", "STORE", "r:sorted"],
        ["EVAL", "return 1", "2", "r:1", "other"],
        ["EVAL", "return 1", "1", "rw:1"],
        ["DBSIZE"],
      ]
    ) await t.call(1, ...cmd);
    assertEquals(await sameLog(t, 0, "100"), 7);
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL channel permissions", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    ["ACL", "SETUSER", "chans", "on", ">pw", "+@all", "~*", "resetchannels", "&news.*", "&sh"],
  ]);
  const t = await twins(o, 2, "chans");
  try {
    for (
      const cmd of [
        ["PUBLISH", "news.1", "m"],
        ["PUBLISH", "other", "m"],
        ["SPUBLISH", "sh", "m"],
        ["SPUBLISH", "news", "m"],
        ["SUBSCRIBE", "news.1", "other"],
        ["PSUBSCRIBE", "news.1"], // a pattern needs the very same pattern
        ["PSUBSCRIBE", "news.*", "x*"],
        ["SSUBSCRIBE", "nope"],
        ["UNSUBSCRIBE", "other"], // not checked
        ["PUNSUBSCRIBE", "x*"],
      ]
    ) await t.call(1, ...cmd);
    await t.call(2, "SUBSCRIBE", "news.1");
    await t.call(2, "PSUBSCRIBE", "news.*");
    await t.call(2, "SSUBSCRIBE", "sh");
    assertEquals(await sameLog(t, 0), 5);
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL selectors: the refusal reported and logged", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    [
      "ACL",
      "SETUSER",
      "sel",
      "on",
      ">pw",
      "+mget",
      "+set",
      "~a*",
      "(+mget +get ~b*)",
      "(+publish &c*)",
    ],
  ]);
  const t = await twins(o, 1, "sel");
  try {
    for (
      const cmd of [
        ["MGET", "a1", "a2"],
        ["MGET", "b1", "b2"],
        ["MGET", "a1", "b1"], // root fails at b1 (2), the selector at a1 (1): b1
        ["MGET", "b1", "a1"], // root at b1 (1), the selector at a1 (2): a1
        ["GET", "a1"], // root: command; selector: key
        ["GET", "b1"],
        ["SET", "b1", "x"], // root: key; selector: command
        ["PUBLISH", "d", "m"], // channel beats key and command
        ["PUBLISH", "c1", "m"],
        ["DEL", "a1"],
      ]
    ) await t.call(1, ...cmd);
    assertEquals(await sameLog(t, 0), 4);
    await o.sameAll([
      ["ACL", "DRYRUN", "sel", "MGET", "a1", "b1"],
      ["ACL", "DRYRUN", "sel", "MGET", "b1", "a1"],
      ["ACL", "DRYRUN", "sel", "GET", "b1"],
      ["ACL", "DRYRUN", "sel", "PUBLISH", "d", "m"],
      ["ACL", "DRYRUN", "sel", "DEL", "a1"],
    ]);
  } finally {
    t.close();
  }
});

/** INFO commandstats without the times, sorted (Redis lists them in hash order). */
async function commandStats(c: RespClient): Promise<string[]> {
  const text = decode(await c.call("INFO", "commandstats")) as string;
  return text.split("\r\n").filter((l) => l.startsWith("cmdstat_"))
    .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, "")).sort();
}

oracleTest("oracle: ACL in MULTI/EXEC (queueing, EXEC re-check, EXEC refused)", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    ["ACL", "SETUSER", "tx", "on", ">pw", "+@all", "-flushall", "~k*", "&*"],
  ]);
  const t = await twins(o, 1, "tx");
  try {
    for (
      const cmd of [
        ["MULTI"],
        ["SET", "k1", "v"],
        ["SET", "z", "1"],
        ["FLUSHALL"],
        ["EXEC"],
        ["MULTI"],
        ["SET", "k1", "v"],
        ["GET", "k2"],
        ["GET", "k3"],
        ["FLUSHDB"],
        ["PUBLISH", "ch", "x"],
        ["PING"],
      ]
    ) await t.call(1, ...cmd);
    // The rules change between queueing and EXEC.
    await t.call(0, "ACL", "SETUSER", "tx", "resetkeys", "~k1", "-flushdb", "resetchannels");
    await t.call(1, "EXEC");
    await t.call(0, "ACL", "SETUSER", "tx", "-exec");
    await t.call(1, "MULTI");
    await t.call(1, "GET", "k1");
    await t.call(1, "EXEC");
    await t.call(1, "GET", "k1");
    assertEquals(await sameLog(t, 0), 7);
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL in scripts (redis.call, redis.pcall, redis.acl_check_cmd)", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    ["ACL", "SETUSER", "lua", "on", ">pw", "+@all", "-flushall", "~k*", "resetchannels", "&c*"],
    ["CONFIG", "RESETSTAT"],
  ]);
  const t = await twins(o, 1, "lua");
  try {
    for (
      const cmd of [
        ["EVAL", "return redis.call('set','zz',1)", "0"],
        ["EVAL", "return redis.call('set','k1',1)", "0"],
        ["EVAL", "return redis.pcall('flushall')", "0"],
        ["EVAL", "return redis.call('flushall')", "0"],
        ["EVAL", "return redis.call('get',KEYS[1])", "1", "zz"],
        ["EVAL", "return redis.call('publish','d','m')", "0"],
        ["EVAL", "return redis.pcall('publish','c1','m')", "0"],
        ["EVAL", "return redis.acl_check_cmd('set','zz','1')", "0"],
        ["EVAL", "return redis.acl_check_cmd('set','k1','1')", "0"],
        ["EVAL", "return redis.acl_check_cmd('flushall')", "0"],
        ["EVAL", "return redis.acl_check_cmd('config','get','x')", "0"],
        ["EVAL", "return redis.acl_check_cmd('config','xx')", "0"],
        ["EVAL", "return redis.acl_check_cmd('config')", "0"],
        ["EVAL", "return redis.acl_check_cmd('get')", "0"],
        ["EVAL", "return redis.acl_check_cmd('nosuch')", "0"],
        ["EVAL", "return redis.call('get')", "0"],
      ]
    ) await t.call(1, ...cmd);
    assertEquals(await sameLog(t, 0), 4);
    // Calls refused inside scripts count as rejected calls of the command.
    assertEquals(await commandStats(o.redeno), await commandStats(o.redis));
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL LOG of failed AUTH, acllog-max-len, RESP3 entries", async (o) => {
  await o.sameAll([
    ["ACL", "LOG", "RESET"],
    ["ACL", "SETUSER", "au", "on", ">pw", "+@all", "~*"],
  ]);
  const t = await Twins.open(o, 3);
  try {
    await t.call(1, "AUTH", "nouser", "pw");
    await t.call(1, "AUTH", "au", "bad");
    await t.call(1, "AuTh", "au", "bad");
    await t.call(1, "HELLO", "2", "AUTH", "au", "bad");
    await t.call(2, "MULTI");
    await t.call(2, "AUTH", "nouser", "pw");
    await t.call(2, "EXEC");
    assertEquals(await sameLog(t, 0), 5);
    await t.call(0, "CONFIG", "SET", "acllog-max-len", "2");
    assertEquals(await sameLog(t, 0), 5); // shortened only when an entry is added
    await t.call(1, "AUTH", "other", "pw");
    assertEquals(await sameLog(t, 0), 2);
    await t.call(0, "CONFIG", "GET", "acllog-max-len");
    await t.hello(0, "3");
    assertEquals(await sameLog(t, 0), 2);
    // The default user's password (requirepass): a wrong one is logged for "default".
    await t.call(0, "CONFIG", "SET", "requirepass", "secret");
    await t.call(1, "AUTH", "wrong");
    await t.call(1, "AUTH", "secret");
    assertEquals(await sameLog(t, 0, "1"), 1);
    await t.call(0, "CONFIG", "SET", "requirepass", "");
    await t.call(0, "CONFIG", "SET", "acllog-max-len", "0");
    await t.call(1, "AUTH", "other2", "pw");
    assertEquals(await sameLog(t, 0), 0);
  } finally {
    t.close();
  }
});

oracleTest("oracle: ACL DRYRUN and ACL CAT", async (o) => {
  await o.sameAll([
    ["ACL", "SETUSER", "dry", "on", "nopass", "+get", "+publish", "+config|get", "%R~r*", "&ch*"],
    ["ACL", "DRYRUN", "dry", "GET", "r1"],
    ["ACL", "DRYRUN", "dry", "GET", "w1"],
    ["ACL", "DRYRUN", "dry", "SET", "r1", "x"],
    ["ACL", "DRYRUN", "dry", "PUBLISH", "ch1", "m"],
    ["ACL", "DRYRUN", "dry", "PUBLISH", "zz", "m"],
    ["ACL", "DRYRUN", "dry", "CONFIG", "GET", "x"],
    ["ACL", "DRYRUN", "dry", "CONFIG", "SET", "x", "y"],
    ["ACL", "DRYRUN", "dry", "CONFIG", "NOSUCH"],
    ["ACL", "DRYRUN", "dry", "CONFIG"],
    ["ACL", "DRYRUN", "dry", "NOSUCH"],
    ["ACL", "DRYRUN", "dry", "GET"],
    ["ACL", "DRYRUN", "nobody", "GET", "x"],
    ["ACL", "DRYRUN", "dry"],
    ["ACL", "DRYRUN", "default", "FLUSHALL"],
    ["ACL", "LOG"],
    ["ACL", "CAT"],
    ["ACL", "CAT", "nosuch"],
    ["ACL", "CAT", "a", "b"],
  ]);
  for (
    const cat of ["keyspace", "read", "write", "pubsub", "admin", "dangerous", "fast", "SortedSet"]
  ) {
    await sameCategory(o, cat);
  }
});

/**
 * ACL CAT `cat` on both, as sets (Redis lists its command dict in hash
 * order), leaving out the commands only one of the servers has (cluster,
 * modules, replication are absent from redeno).
 */
async function sameCategory(o: Oracle, cat: string): Promise<void> {
  const [a, b] = await Promise.all([
    o.redeno.call("ACL", "CAT", cat),
    o.redis.call("ACL", "CAT", cat),
  ]);
  const mine = new Set(decode(a) as string[]);
  const theirs = new Set(decode(b) as string[]);
  assert(theirs.size > 0, `ACL CAT ${cat} on Redis`);
  const exists = async (c: RespClient, name: string) =>
    (decode(await c.call("COMMAND", "INFO", name)) as Decoded[])[0] !== null;
  for (const name of mine) {
    if (!theirs.has(name)) {
      assert(!(await exists(o.redis, name)), `${name} is not in @${cat} on Redis`);
    }
  }
  for (const name of theirs) {
    if (!mine.has(name)) assert(!(await exists(o.redeno, name)), `${name} is in @${cat} on Redis`);
  }
}

/** SLOWLOG GET's argument lists (entry field 3) of both servers. */
async function slowlogArgs(c: RespClient): Promise<Decoded[]> {
  const entries = decode(await c.call("SLOWLOG", "GET", "100")) as Decoded[][];
  return entries.map((e) => e[3]);
}

oracleTest("oracle: SLOWLOG and MONITOR redact secrets as Redis 7.0", async (o) => {
  await o.sameAll([
    ["CONFIG", "SET", "slowlog-log-slower-than", "0"],
    ["SLOWLOG", "RESET"],
  ]);
  const commands = [
    ["AUTH", "a", "b", "c"],
    ["AUTH", "a"],
    ["AUTH", "a", "b"],
    ["HELLO", "2", "AUTH", "u", "p", "SETNAME", "x"],
    ["HELLO", "2", "AUTH", "u"],
    ["HELLO", "4", "AUTH", "u", "p"],
    ["ACL", "SETUSER", "zz", "on", ">p"],
    ["ACL", "SETUSER", "zz"],
    ["ACL", "GETUSER", "nobody"],
    ["CONFIG", "SET", "masterauth", "x"],
    ["CONFIG", "SET", "maxmemory-policy", "noeviction", "requirepass", ""],
    ["CONFIG", "SET", "requirepass"],
    ["MIGRATE", "127.0.0.1", "1", "k", "0", "10", "AUTH", "p"],
    ["MIGRATE", "127.0.0.1", "1", "", "0", "10", "COPY", "AUTH2", "u", "p", "KEYS", "a"],
    ["MIGRATE", "127.0.0.1", "1", "", "0", "10", "KEYS", "AUTH", "p"],
    ["MIGRATE", "127.0.0.1", "1", "k", "0", "10", "AUTH2", "u"],
  ];
  const [mon, monRedis] = await o.connectPair();
  const [a, b] = await o.connectPair();
  try {
    await Promise.all([mon.call("MONITOR"), monRedis.call("MONITOR")]);
    for (const cmd of commands) await Promise.all([a.call(...cmd), b.call(...cmd)]);
    // Off (not 10 ms): a stall of this CONFIG SET on one server would log it there.
    await o.same("CONFIG", "SET", "slowlog-log-slower-than", "-1");
    assertEquals(await slowlogArgs(o.redeno), await slowlogArgs(o.redis));
    // MONITOR lines without their time and address.
    const tail = (raw: string) =>
      raw.split("\r\n").filter((l) => l.startsWith("+")).map((l) => l.slice(l.indexOf("]") + 1));
    const [mine, theirs] = await Promise.all([mon.drain(300), monRedis.drain(300)]);
    assertEquals(tail(mine.data), tail(theirs.data));
  } finally {
    for (const c of [mon, monRedis, a, b]) c.close();
  }
});

oracleTest("oracle: SORT BY / GET patterns need read access to every key", async (o) => {
  await o.sameAll([
    ["RPUSH", "rl", "2", "1", "3"],
    ["SET", "w_1", "10"],
    ["SET", "w_2", "5"],
    ["ACL", "SETUSER", "s1", "on", ">pw", "+@all", "~r*"],
    ["ACL", "SETUSER", "s2", "on", ">pw", "+@all", "%R~*"],
    ["ACL", "SETUSER", "s3", "on", ">pw", "+@all", "%W~*"],
    ["ACL", "SETUSER", "s4", "on", ">pw", "+@all", "~r*", "(+sort ~*)"],
    ["ACL", "SETUSER", "s5", "on", ">pw", "+@all", "~r*", "(+sort ~x* %R~*)"],
  ]);
  const t = await Twins.open(o, 1);
  try {
    for (const user of ["s1", "s2", "s3", "s4", "s5"]) {
      await t.call(0, "AUTH", user, "pw");
      for (
        const cmd of [
          ["SORT", "rl", "BY", "w_*"],
          ["SORT", "rl", "BY", "nosort"],
          ["SORT", "rl", "GET", "#"],
          ["SORT", "rl", "GET", "w_*", "BY", "w_*"],
          ["SORT", "rl", "LIMIT", "x", "1", "BY", "w_*"],
          ["SORT_RO", "rl", "GET", "w_*"],
          ["SORT", "rl", "STORE", "x1", "GET", "#"],
          ["SORT", "rl", "STORE", "r1", "GET", "#"],
          ["EVAL", "return redis.pcall('sort', KEYS[1], 'by', 'w_*')", "1", "rl"],
        ]
      ) await t.call(0, ...cmd);
    }
  } finally {
    t.close();
  }
});

/** Command lines (k, k2, k3 stand for keys), split on spaces; "" is an empty argument. */
const KEY_CORPUS = [
  "GET k",
  "SET k v",
  "SETNX k v",
  "GETEX k",
  "GETDEL k",
  "GETSET k v",
  "APPEND k v",
  "STRLEN k",
  "INCR k",
  "DECRBY k 1",
  "INCRBYFLOAT k 1",
  "SETRANGE k 0 v",
  "GETRANGE k 0 1",
  "MGET k k2",
  "MSET k v k2 v",
  "MSETNX k v k2 v",
  "LCS k k2",
  "SUBSTR k 0 1",
  "PSETEX k 100 v",
  "EXISTS k",
  "DEL k",
  "UNLINK k",
  "TYPE k",
  "TTL k",
  "PTTL k",
  "EXPIRE k 10",
  "PERSIST k",
  "RENAME k k2",
  "RENAMENX k k2",
  "COPY k k2",
  "MOVE k 1",
  "OBJECT ENCODING k",
  "OBJECT FREQ k",
  "DUMP k",
  "RESTORE k 0 x",
  "TOUCH k",
  "EXPIRETIME k",
  "SORT k",
  "SORT k STORE k2",
  "SORT_RO k",
  "SORT k BY x GET y",
  "LPUSH k v",
  "RPUSHX k v",
  "LPOP k",
  "RPOP k",
  "LLEN k",
  "LRANGE k 0 1",
  "LINDEX k 0",
  "LSET k 0 v",
  "LREM k 0 v",
  "LTRIM k 0 1",
  "LINSERT k BEFORE a b",
  "LPOS k v",
  "LMOVE k k2 LEFT RIGHT",
  "RPOPLPUSH k k2",
  "BLPOP k 0",
  "BLMOVE k k2 LEFT LEFT 0",
  "LMPOP 2 k k2 LEFT",
  "BLMPOP 0 1 k LEFT",
  "SADD k m",
  "SREM k m",
  "SMEMBERS k",
  "SISMEMBER k m",
  "SMISMEMBER k m",
  "SCARD k",
  "SPOP k",
  "SRANDMEMBER k",
  "SMOVE k k2 m",
  "SINTER k k2",
  "SINTERSTORE k k2",
  "SUNIONSTORE k k2 k3",
  "SDIFF k k2",
  "SINTERCARD 2 k k2",
  "SSCAN k 0",
  "ZADD k 1 m",
  "ZINCRBY k 1 m",
  "ZREM k m",
  "ZSCORE k m",
  "ZRANGE k 0 1",
  "ZRANGESTORE k k2 0 1",
  "ZCARD k",
  "ZCOUNT k 0 1",
  "ZPOPMIN k",
  "BZPOPMAX k 0",
  "ZUNIONSTORE k 2 k2 k3",
  "ZINTER 2 k k2",
  "ZDIFFSTORE k 1 k2",
  "ZMPOP 1 k MIN",
  "ZRANDMEMBER k",
  "ZINTERCARD 2 k k2",
  "ZLEXCOUNT k - +",
  "HSET k f v",
  "HGET k f",
  "HDEL k f",
  "HGETALL k",
  "HINCRBY k f 1",
  "HLEN k",
  "HEXISTS k f",
  "HRANDFIELD k",
  "HSCAN k 0",
  "HSETNX k f v",
  "HSTRLEN k f",
  "SETBIT k 0 1",
  "GETBIT k 0",
  "BITCOUNT k",
  "BITPOS k 1",
  "BITOP AND k k2 k3",
  "BITFIELD k GET u8 0",
  "BITFIELD_RO k GET u8 0",
  "PFADD k a",
  "PFCOUNT k",
  "PFCOUNT k k2",
  "PFMERGE k k2",
  "GEOADD k 1 1 m",
  "GEOPOS k m",
  "GEODIST k a b",
  "GEORADIUS k 1 1 1 km",
  "GEORADIUS k 1 1 1 km STORE k2",
  "GEORADIUSBYMEMBER k m 1 km STOREDIST k2",
  "GEOSEARCH k FROMMEMBER m BYRADIUS 1 km",
  "GEOSEARCHSTORE k k2 FROMMEMBER m BYRADIUS 1 km",
  "GEOHASH k m",
  "GEORADIUS_RO k 1 1 1 km",
  "XADD k * f v",
  "XLEN k",
  "XRANGE k - +",
  "XDEL k 1-1",
  "XTRIM k MAXLEN 1",
  "XREAD STREAMS k k2 0 0",
  "XREAD COUNT 1 BLOCK 0 STREAMS k 0",
  "XREADGROUP GROUP g c STREAMS k 0",
  "XGROUP CREATE k g $",
  "XACK k g 1-1",
  "XCLAIM k g c 0 1-1",
  "XAUTOCLAIM k g c 0 0",
  "XPENDING k g",
  "XINFO STREAM k",
  "XSETID k 1-1",
  "EVAL x 1 k",
  "EVAL_RO x 1 k",
  "EVALSHA x 2 k k2",
  "FCALL f 1 k",
  "FCALL_RO f 1 k",
  "WATCH k k2",
  "MIGRATE h 1 k 0 1",
  'MIGRATE h 1 "" 0 1 KEYS k k2',
  "OBJECT IDLETIME k",
  "MEMORY USAGE k",
  "DEBUG OBJECT k",
  "PUBLISH k m",
  "SPUBLISH k m",
];

oracleTest(
  "oracle: ACL DRYRUN over a corpus of commands with read / write key patterns",
  async (o) => {
    await o.same("ACL", "SETUSER", "kr", "on", "nopass", "+@all", "%R~r*", "%W~w*", "~x*", "&*");
    const variants = [
      ["r", "r2", "r3"],
      ["w", "w2", "w3"],
      ["x", "x2", "x3"],
      ["r", "w2", "x3"],
      ["w", "r2", "r3"],
    ];
    const lines: string[][] = [];
    for (const line of KEY_CORPUS) {
      const parts = line.split(" ").map((p) => p === '""' ? "" : p);
      for (const [k, k2, k3] of variants) {
        const args = parts.map((p) => p === "k" ? k : p === "k2" ? k2 : p === "k3" ? k3 : p);
        lines.push(["ACL", "DRYRUN", "kr", ...args]);
      }
    }
    const replies = await o.samePipelined(lines);
    // Not vacuous: both verdicts occur.
    assert(replies.some((r) => r === "+OK\r\n") && replies.some((r) => r.includes("'r' key")));
  },
);

/** Rules the seeded test draws from (root rules; selectors take the additive ones). */
const RULE_POOL = [
  "+@all",
  "-@all",
  "+@read",
  "-@write",
  "+@string",
  "-@list",
  "+get",
  "-get",
  "+set",
  "+config|get",
  "-config",
  "+select|0",
  "+@keyspace",
  "-@dangerous",
  "+lpush",
  "+publish",
  "+subscribe",
  "+psubscribe",
  "~r*",
  "%R~r*",
  "%W~w*",
  "%RW~x*",
  "~k?",
  "allkeys",
  "resetkeys",
  "&ch*",
  "&c?",
  "resetchannels",
  "allchannels",
  "+@pubsub",
  "-@hash",
  "+hset|x",
  "+eval",
  "nocommands",
  "allcommands",
];

oracleTest("oracle: ACL seeded users with selectors against the key corpus (DRYRUN)", async (o) => {
  const rand = prng(14);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const keys = ["r1", "w1", "x1", "k1", "kk", "z", "r", "w"];
  const channels = ["ch1", "c1", "cx", "ch*", "c?", "other"];
  const additive = RULE_POOL.filter((r) => !/^(no|all|reset)/.test(r));
  const corpus = KEY_CORPUS.map((l) => l.split(" ").map((p) => p === '""' ? "" : p));
  for (let round = 0; round < 30; round++) {
    const rules = ["reset", "on", "nopass"];
    for (let i = Math.floor(rand() * 6) + 1; i > 0; i--) rules.push(pick(RULE_POOL));
    for (let n = Math.floor(rand() * 3); n > 0; n--) {
      const sel: string[] = [];
      for (let i = Math.floor(rand() * 4) + 1; i > 0; i--) sel.push(pick(additive));
      rules.push(`(${sel.join(" ")})`);
    }
    await o.same("ACL", "SETUSER", "seeded", ...rules);
    const lines: string[][] = [];
    for (let j = 0; j < 40; j++) {
      let args = pick(corpus).map((p) => p === "k" || p === "k2" || p === "k3" ? pick(keys) : p);
      if (rand() < 0.2) {
        args = [
          pick(["PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SPUBLISH"]),
          pick(channels),
        ];
        args.push(pick(channels));
      }
      lines.push(["ACL", "DRYRUN", "seeded", ...args]);
    }
    await o.samePipelined(lines);
  }
});
