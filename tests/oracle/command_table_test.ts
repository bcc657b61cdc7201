/**
 * The command table against Redis 7.0: every command and subcommand redeno
 * registers must exist in Redis with the same arity, flags and key
 * positions (COMMAND INFO), and COMMAND GETKEYS must find the same keys in
 * representative calls of the list, set, sorted set, SORT and MEMORY
 * commands. Each test gathers every difference before failing, so one run
 * lists them all.
 */
import { assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode, type Decoded } from "../support/resp_client.ts";
import { normalizeDocs, normalizeInfo, rawElements } from "../support/command_info.ts";

/** Commands Redis 7.0 has and redeno lacks: COMMAND LIST FILTERBY results are compared without them. */
async function redenoNames(o: Oracle): Promise<Set<string>> {
  return new Set(decode(await o.redeno.call("COMMAND", "LIST")) as string[]);
}

oracleTest("oracle: COMMAND INFO of every command and subcommand, byte for byte", async (o) => {
  const names = [...await redenoNames(o)];
  const redisNames = new Set(decode(await o.redis.call("COMMAND", "LIST")) as string[]);
  const problems: string[] = [];
  // Commands Redis 7.0 lacks (redeno's SNAPSHOT, 7.2's CLIENT SETINFO) have nothing to compare.
  const skipped = names.filter((n) => !redisNames.has(n));
  console.log(`not in Redis 7.0, skipped: ${skipped.join(" ")}`);
  const known = names.filter((n) => redisNames.has(n));
  // Containers whose subcommands differ from Redis's (CLIENT has 7.2's SETINFO, CONFIG
  // lacks REWRITE): their own fields are compared, each shared subcommand on its own.
  const gapped = new Set<string>();
  for (const n of new Set([...names, ...redisNames])) {
    const top = n.split("|")[0];
    if (n.includes("|") && names.includes(top) && names.includes(n) !== redisNames.has(n)) {
      gapped.add(top);
    }
  }
  console.log(`containers with subcommands not shared: ${[...gapped].join(" ")}`);
  const own = (raw: string) => rawElements(rawElements(raw)[0]).slice(0, 9).join("");
  // RESP2 and RESP3 (sets and maps): containers compared without the subcommands Redis lacks.
  for (const resp of ["2", "3"]) {
    const [a, b] = await o.connectPair();
    try {
      await a.call("HELLO", resp);
      await b.call("HELLO", resp);
      for (const n of known) {
        let mine = normalizeInfo(await a.call("COMMAND", "INFO", n));
        let ref = normalizeInfo(await b.call("COMMAND", "INFO", n));
        if (gapped.has(n)) [mine, ref] = [own(mine), own(ref)];
        if (mine !== ref) {
          problems.push(
            `RESP${resp} ${n}:\n  redeno ${JSON.stringify(mine)}\n  redis  ${JSON.stringify(ref)}`,
          );
        }
      }
    } finally {
      a.close();
      b.close();
    }
  }
  // COMMAND COUNT counts the top-level commands COMMAND lists.
  const count = decode(await o.redeno.call("COMMAND", "COUNT")) as number;
  if (count !== names.filter((n) => !n.includes("|")).length) {
    problems.push(`COMMAND COUNT ${count} differs from COMMAND LIST`);
  }
  const all = decode(await o.redeno.call("COMMAND")) as Decoded[];
  if (all.length !== count) problems.push(`COMMAND lists ${all.length}, COUNT says ${count}`);
  assertEquals(problems, [], problems.join("\n"));
});

oracleTest("oracle: COMMAND LIST FILTERBY ACLCAT of every category, and PATTERN", async (o) => {
  const mine = await redenoNames(o);
  const theirs = new Set(decode(await o.redis.call("COMMAND", "LIST")) as string[]);
  const problems: string[] = [];
  const cats = decode(await o.redis.call("ACL", "CAT")) as string[];
  const filters = [
    ...cats.map((c) => ["ACLCAT", c]),
    ["ACLCAT", "WRITE"],
    ["ACLCAT", "nosuchcategory"],
    ["PATTERN", "*"],
    ["PATTERN", "x*"],
    ["PATTERN", "config|*"],
    ["PATTERN", "*|help"],
    ["PATTERN", "Z[a-d]*"],
    ["MODULE", "x"],
  ];
  for (const f of filters) {
    // Compared over the commands both have (redeno's SNAPSHOT, 7.2's CLIENT SETINFO aside).
    const a = (decode(await o.redeno.call("COMMAND", "LIST", "FILTERBY", ...f)) as string[])
      .filter((n) => theirs.has(n)).sort();
    const b = (decode(await o.redis.call("COMMAND", "LIST", "FILTERBY", ...f)) as string[])
      .filter((n) => mine.has(n)).sort();
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      const extra = a.filter((n) => !b.includes(n));
      const lacking = b.filter((n) => !a.includes(n));
      problems.push(`${f.join(" ")}: redeno extra ${extra} lacking ${lacking}`);
    }
  }
  for (
    const bad of [["FILTERBY"], ["FILTERBY", "ACLCAT"], ["FILTERBY", "NOPE", "x"], ["X", "Y", "Z"]]
  ) {
    const [a, b] = await Promise.all([
      o.redeno.call("COMMAND", "LIST", ...bad),
      o.redis.call("COMMAND", "LIST", ...bad),
    ]);
    if (a !== b) problems.push(`LIST ${bad.join(" ")}: redeno ${a} redis ${b}`);
  }
  assertEquals(problems, [], problems.join("\n"));
});

/** Representative calls of every list, set, sorted set, SORT and MEMORY command with keys. */
const CALLS: string[][] = [
  ["LPUSH", "k", "v"],
  ["RPUSH", "k", "a", "b"],
  ["LPUSHX", "k", "v"],
  ["RPUSHX", "k", "v"],
  ["LPOP", "k"],
  ["RPOP", "k", "2"],
  ["LLEN", "k"],
  ["LINDEX", "k", "0"],
  ["LINSERT", "k", "BEFORE", "p", "v"],
  ["LSET", "k", "0", "v"],
  ["LRANGE", "k", "0", "-1"],
  ["LREM", "k", "0", "v"],
  ["LTRIM", "k", "0", "1"],
  ["LPOS", "k", "v", "RANK", "1"],
  ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
  ["RPOPLPUSH", "src", "dst"],
  ["LMPOP", "2", "a", "b", "LEFT", "COUNT", "3"],
  ["LMPOP", "1", "a", "RIGHT"],
  ["BLPOP", "a", "b", "0"],
  ["BRPOP", "a", "1.5"],
  ["BRPOPLPUSH", "src", "dst", "0"],
  ["BLMOVE", "src", "dst", "LEFT", "LEFT", "0"],
  ["BLMPOP", "0", "2", "a", "b", "LEFT"],
  ["SADD", "s", "m1", "m2"],
  ["SREM", "s", "m"],
  ["SCARD", "s"],
  ["SISMEMBER", "s", "m"],
  ["SMISMEMBER", "s", "m", "n"],
  ["SMEMBERS", "s"],
  ["SRANDMEMBER", "s", "-3"],
  ["SPOP", "s", "2"],
  ["SMOVE", "src", "dst", "m"],
  ["SSCAN", "s", "0", "COUNT", "10"],
  ["SINTER", "a", "b", "c"],
  ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
  ["SINTERSTORE", "d", "a", "b"],
  ["SUNION", "a", "b"],
  ["SUNIONSTORE", "d", "a", "b"],
  ["SDIFF", "a", "b"],
  ["SDIFFSTORE", "d", "a", "b"],
  ["ZADD", "z", "NX", "1", "m"],
  ["ZINCRBY", "z", "1", "m"],
  ["ZCARD", "z"],
  ["ZCOUNT", "z", "-inf", "+inf"],
  ["ZLEXCOUNT", "z", "-", "+"],
  ["ZSCORE", "z", "m"],
  ["ZMSCORE", "z", "m", "n"],
  ["ZRANK", "z", "m"],
  ["ZREVRANK", "z", "m"],
  ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
  ["ZRANGESTORE", "d", "z", "0", "-1"],
  ["ZRANGEBYSCORE", "z", "0", "1"],
  ["ZREVRANGEBYSCORE", "z", "1", "0"],
  ["ZRANGEBYLEX", "z", "-", "+"],
  ["ZREVRANGEBYLEX", "z", "+", "-"],
  ["ZREVRANGE", "z", "0", "1"],
  ["ZREM", "z", "a", "b"],
  ["ZREMRANGEBYRANK", "z", "0", "1"],
  ["ZREMRANGEBYSCORE", "z", "0", "1"],
  ["ZREMRANGEBYLEX", "z", "-", "+"],
  ["ZPOPMIN", "z", "2"],
  ["ZPOPMAX", "z"],
  ["ZMPOP", "2", "a", "b", "MIN", "COUNT", "2"],
  ["ZRANDMEMBER", "z", "2", "WITHSCORES"],
  ["ZSCAN", "z", "0"],
  ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "2"],
  ["ZINTER", "3", "a", "b", "c"],
  ["ZDIFF", "2", "a", "b", "WITHSCORES"],
  ["ZUNIONSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX"],
  ["ZINTERSTORE", "d", "1", "a"],
  ["ZDIFFSTORE", "d", "2", "a", "b"],
  ["ZINTERCARD", "2", "a", "b", "LIMIT", "5"],
  ["BZPOPMIN", "a", "b", "0"],
  ["BZPOPMAX", "a", "1"],
  ["BZMPOP", "0", "2", "a", "b", "MAX"],
  ["SORT", "k", "BY", "w_*", "STORE", "d"],
  ["SORT_RO", "k", "GET", "#"],
  ["MEMORY", "USAGE", "k", "SAMPLES", "0"],
  // Malformed numkeys: Redis finds no keys.
  ["LMPOP", "0", "a", "LEFT"],
  ["ZUNION", "5", "a", "b"],
  ["SINTERCARD", "x", "a"],
  // Every key-spec shape: one key, range to the end, step 2, negative lastkey, keynum,
  // keyword (forward and backward), limit, incomplete, unknown, variable flags, not_key.
  ["SET", "k1", "v1"],
  ["SET", "k1", "v1", "GET"],
  ["SET", "k1", "v1", "EX", "10", "get"],
  ["SET", "k1", "v1", "NX"],
  ["SETNX", "k", "v"],
  ["GETEX", "k", "PERSIST"],
  ["GETDEL", "k"],
  ["APPEND", "k", "v"],
  ["STRLEN", "k"],
  ["INCR", "k"],
  ["MGET", "a", "b", "c"],
  ["MSET", "a", "1", "b", "2"],
  ["MSETNX", "a", "1", "b", "2"],
  ["LCS", "a", "b", "LEN"],
  ["BITFIELD", "k", "GET", "u8", "0"],
  ["BITFIELD", "k", "OVERFLOW", "SAT", "GET", "u8", "0"],
  ["BITFIELD", "k", "SET", "u8", "0", "1"],
  ["BITFIELD", "k", "INCRBY", "u8", "0", "1"],
  ["BITFIELD", "k", "GET", "u8"],
  ["BITFIELD", "k"],
  ["BITFIELD_RO", "k", "GET", "u8", "0"],
  ["BITOP", "AND", "d", "a", "b"],
  ["BITCOUNT", "k"],
  ["SETBIT", "k", "1", "1"],
  ["DEL", "a", "b"],
  ["UNLINK", "a"],
  ["EXISTS", "a", "b"],
  ["TOUCH", "a", "b"],
  ["RENAME", "a", "b"],
  ["RENAMENX", "a", "b"],
  ["COPY", "a", "b", "REPLACE"],
  ["MOVE", "a", "1"],
  ["EXPIRE", "a", "10"],
  ["TTL", "a"],
  ["TYPE", "a"],
  ["DUMP", "a"],
  ["RESTORE", "a", "0", "x"],
  ["OBJECT", "ENCODING", "a"],
  ["OBJECT", "FREQ", "a"],
  ["MIGRATE", "h", "1", "k", "0", "5"],
  ["MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"],
  ["MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH", "p", "KEYS", "a"],
  ["MIGRATE", "h", "1", "", "0", "5", "AUTH2", "u", "p", "KEYS", "a"],
  ["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"],
  ["SORT", "k"],
  ["SORT", "k", "STORE", "d1", "STORE", "d2"],
  ["SORT", "k", "LIMIT", "0", "1", "STORE"],
  ["SORT_RO", "k", "BY", "x"],
  ["EVAL", "return 1", "2", "a", "b", "arg"],
  ["EVAL", "return 1", "0"],
  ["EVAL", "return 1", "01", "a"],
  ["EVAL", "return 1", "3", "a"],
  ["EVALSHA", "abc", "1", "a"],
  ["EVAL_RO", "return 1", "1", "a"],
  ["EVALSHA_RO", "abc", "1", "a"],
  ["FCALL", "f", "2", "a", "b"],
  ["FCALL_RO", "f", "1", "a"],
  ["FCALL", "f", "0"],
  ["ZUNIONSTORE", "d", "01", "a"],
  ["ZINTER", "01", "a"],
  ["LMPOP", "01", "a", "LEFT"],
  ["BLMPOP", "0", "01", "a", "LEFT"],
  ["ZMPOP", "-1", "a", "MIN"],
  ["SINTERCARD", "01", "a"],
  ["XADD", "s", "*", "f", "v"],
  ["XREAD", "STREAMS", "a", "b", "0", "0"],
  ["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", "b", "c"],
  ["XREAD", "streams", "a"],
  ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"],
  ["XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "a", "b", ">", ">"],
  ["XRANGE", "s", "-", "+"],
  ["XDEL", "s", "1"],
  ["XTRIM", "s", "MAXLEN", "1"],
  ["XGROUP", "CREATE", "s", "g", "$"],
  ["XGROUP", "DESTROY", "s", "g"],
  ["XINFO", "STREAM", "s"],
  ["XACK", "s", "g", "1"],
  ["XCLAIM", "s", "g", "c", "0", "1"],
  ["XAUTOCLAIM", "s", "g", "c", "0", "0"],
  ["XPENDING", "s", "g"],
  ["GEOADD", "g", "1", "2", "m"],
  ["GEORADIUS", "g", "1", "2", "3", "m", "STORE", "d"],
  ["GEORADIUS", "g", "1", "2", "3", "m", "STOREDIST", "d"],
  ["GEORADIUS", "g", "1", "2", "3", "m", "STORE"],
  ["GEORADIUS", "g", "1", "2", "3", "m", "STORE", "a", "STOREDIST", "b"],
  ["GEORADIUSBYMEMBER", "g", "m", "3", "m", "STORE", "d"],
  ["GEORADIUS_RO", "g", "1", "2", "3", "m"],
  ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYRADIUS", "1", "m"],
  ["PFADD", "h", "a"],
  ["PFCOUNT", "a", "b"],
  ["PFMERGE", "d", "a", "b"],
  ["HSET", "h", "f", "v"],
  ["HGETALL", "h"],
  ["HDEL", "h", "f"],
  ["WATCH", "a", "b"],
  ["SPUBLISH", "ch", "m"],
  ["SSUBSCRIBE", "ch"],
  ["PUBLISH", "ch", "m"],
  ["GET"],
  ["SET", "k"],
  ["NOSUCHCOMMAND", "k"],
  ["CONFIG"],
  ["CONFIG", "GET", "x"],
  ["OBJECT"],
  ["OBJECT", "NOSUCH", "k"],
  ["object", "encoding"],
  ["XINFO", "STREAM"],
  ["MEMORY", "USAGE"],
  ["CLIENT", "KILL", "k"],
  ["PING"],
];

oracleTest("oracle: COMMAND GETKEYS and GETKEYSANDFLAGS over every key-spec shape", async (o) => {
  const problems: string[] = [];
  for (const resp of ["2", "3"]) {
    const [a, b] = await o.connectPair();
    try {
      await a.call("HELLO", resp);
      await b.call("HELLO", resp);
      for (const call of CALLS) {
        for (const sub of ["GETKEYS", "GETKEYSANDFLAGS"]) {
          const [mine, ref] = await Promise.all([
            a.call("COMMAND", sub, ...call),
            b.call("COMMAND", sub, ...call),
          ]);
          if (mine !== ref) {
            problems.push(
              `RESP${resp} ${sub} ${call.join(" ")}: redeno ${JSON.stringify(mine)} ` +
                `redis ${JSON.stringify(ref)}`,
            );
          }
        }
      }
    } finally {
      a.close();
      b.close();
    }
  }
  assertEquals(problems, [], problems.join("\n"));
});

oracleTest("oracle: COMMAND DOCS of every command and subcommand, byte for byte", async (o) => {
  const problems: string[] = [];
  const names = await redenoNames(o);
  const redisNames = new Set(decode(await o.redis.call("COMMAND", "LIST")) as string[]);
  // A container's subcommands only one server has (CLIENT SETINFO) are left out.
  const both = (n: string) => names.has(n) && redisNames.has(n);
  for (const resp of ["2", "3"]) {
    const [x, y] = await o.connectPair();
    try {
      await x.call("HELLO", resp);
      await y.call("HELLO", resp);
      for (const n of [...names].filter(both)) {
        const [a, b] = await Promise.all([
          x.call("COMMAND", "DOCS", n),
          y.call("COMMAND", "DOCS", n),
        ]);
        if (normalizeDocs(a, both) !== normalizeDocs(b, both)) {
          problems.push(
            `RESP${resp} DOCS ${n}:\n  redeno ${JSON.stringify(a)}\n  redis  ${JSON.stringify(b)}`,
          );
        }
      }
    } finally {
      x.close();
      y.close();
    }
  }
  // Several names at once, an unknown one left out, as Redis does.
  const [a, b] = await Promise.all([
    o.redeno.call("COMMAND", "DOCS", "get", "nosuch", "config|get", "object"),
    o.redis.call("COMMAND", "DOCS", "get", "nosuch", "config|get", "object"),
  ]);
  if (normalizeDocs(a) !== normalizeDocs(b)) problems.push(`DOCS of several: ${a} / ${b}`);
  assertEquals(problems, [], problems.join("\n"));
});
