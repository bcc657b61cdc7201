import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { decode } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";

/** Both servers' INFO stats field `name`, as numbers. */
async function statPair(o: Oracle, name: string): Promise<[number, number]> {
  const read = (text: string) => Number(new RegExp(`${name}:(\\d+)`).exec(text)![1]);
  const [a, b] = await Promise.all([o.redeno.call("INFO", "stats"), o.redis.call("INFO", "stats")]);
  return [read(decode(a) as string), read(decode(b) as string)];
}

oracleTest("oracle: SORT numeric, ALPHA, ASC/DESC, LIMIT on lists", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "3", "1", "2", "10", "-5", "1.5", "1e2", "0x10", " 7", ""],
    ["SORT", "l"],
    ["SORT", "l", "DESC"],
    ["SORT", "l", "ASC"],
    ["SORT", "l", "desc", "asc"],
    ["SORT", "l", "ALPHA"],
    ["SORT", "l", "alpha", "desc"],
    ["SORT", "l", "LIMIT", "0", "3"],
    ["SORT", "l", "LIMIT", "2", "3", "DESC"],
    ["SORT", "l", "LIMIT", "-5", "2"],
    ["SORT", "l", "LIMIT", "2", "-5"],
    ["SORT", "l", "LIMIT", "8", "100"],
    ["SORT", "l", "LIMIT", "10", "1"],
    ["SORT", "l", "LIMIT", "100", "1"],
    ["SORT", "l", "LIMIT", "0", "0"],
    ["SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"],
    ["SORT", "l", "LIMIT", "-9223372036854775808", "-9223372036854775808"],
    ["SORT", "l", "LIMIT", "1", "2", "LIMIT", "0", "1"],
    ["SORT", "l", "LIMIT", "x", "1"],
    ["SORT", "l", "LIMIT", "0", "x"],
    ["SORT", "l", "LIMIT", "0", "99999999999999999999"],
    ["SORT", "l", "LIMIT", "0"],
    ["SORT", "l", "LIMIT"],
    ["SORT", "l", "GET"],
    ["SORT", "l", "BY"],
    ["SORT", "l", "STORE"],
    ["SORT", "l", "nosuchoption"],
    ["SORT", "nokey"],
    ["SORT", "nokey", "LIMIT", "0", "1", "DESC", "ALPHA"],
    // Ties in numeric order fall back to the bytes of the elements.
    ["RPUSH", "ties", "1.0", "1", "01", "1e0", "0.5", "+1"],
    ["SORT", "ties"],
    ["SORT", "ties", "DESC"],
    ["SORT", "ties", "LIMIT", "1", "3"],
    ["SORT"],
  ]);
});

oracleTest("oracle: SORT scores: what strtod reads, and conversion errors", async (o) => {
  const good = [
    "",
    "\t5",
    "+.5",
    "-0",
    "inf",
    "-INFINITY",
    "0X1P3",
    "0x1p-1074",
    "0x1.8p1",
    "1e308",
    "2.2250738585072014e-308",
    "1.7976931348623158e308",
    "5\x00trailing",
  ];
  const bad = [
    "x",
    "5 ",
    ".",
    "e5",
    "1e",
    "1e+",
    "0x",
    "0x1p",
    "1_0",
    "infx",
    "nan",
    "nan(1)",
    "1e400",
    "-1e400",
    "1e-400",
    "1e-310",
    "2.2250738585072011e-308",
    "1.7976931348623159e308",
    "  ",
    "4.9406564584124654e-324",
  ];
  for (const [i, v] of good.entries()) {
    await o.same("RPUSH", `g${i}`, v, "3");
    await o.same("SORT", `g${i}`);
  }
  for (const [i, v] of bad.entries()) {
    await o.same("RPUSH", `b${i}`, "1", v);
    await o.same("SORT", `b${i}`);
    await o.same("SORT", `b${i}`, "ALPHA");
    await o.same("SORT", `b${i}`, "BY", "nosort");
    await o.same("SORT", `b${i}`, "STORE", "dst");
    await o.same("EXISTS", "dst");
  }
  // A bad score in a BY key, and in a hash field.
  await o.sameAll([
    ["RPUSH", "l", "1", "2"],
    ["MSET", "w_1", "3", "w_2", "abc"],
    ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "ALPHA"],
    ["HSET", "h_1", "f", "1x"],
    ["SORT", "l", "BY", "h_*->f"],
  ]);
});

oracleTest("oracle: SORT BY patterns, GET patterns and hash fields", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "3", "1", "2", "10", "7"],
    ["MSET", "w_1", "50", "w_2", "10", "w_3", "30", "w_10", "20", "o_1", "one", "o_3", "three"],
    ["SORT", "l", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "DESC"],
    ["SORT", "l", "BY", "w_*", "GET", "#"],
    ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "o_*"],
    ["SORT", "l", "BY", "w_*", "GET", "o_*", "LIMIT", "1", "2"],
    ["SORT", "l", "GET", "#", "GET", "#"],
    ["SORT", "l", "GET", "nostar"],
    ["SORT", "l", "GET", "#x"],
    ["SORT", "l", "GET", "o_**"],
    ["SORT", "l", "BY", "w_*", "ALPHA"],
    ["SORT", "l", "BY", "o_*", "ALPHA"],
    ["SORT", "l", "BY", "o_*", "ALPHA", "DESC"],
    ["SORT", "l", "BY", "o_*"],
    // Hash fields: "->" after the '*' names a field.
    ["HSET", "h_1", "f", "9", "g", "a"],
    ["HSET", "h_2", "f", "3", "g", "c"],
    ["HSET", "h_3", "f", "6"],
    ["HSET", "h_10", "f", "-1", "g", "b"],
    ["SORT", "l", "BY", "h_*->f"],
    ["SORT", "l", "BY", "h_*->f", "GET", "h_*->g", "GET", "#", "GET", "h_*->f"],
    ["SORT", "l", "BY", "h_*->g", "ALPHA"],
    ["SORT", "l", "BY", "h_*->nosuch"],
    ["SORT", "l", "GET", "h_*->"],
    ["SORT", "l", "GET", "h_*->f->x"],
    ["SORT", "l", "GET", "w_*->f"],
    ["SET", "h->_1", "arrow-before-star"],
    ["SORT", "l", "GET", "h->_*"],
    ["SET", "w_1->", "plain"],
    ["SORT", "l", "GET", "w_*->"],
    // Keys of other types give nothing.
    ["RPUSH", "list_1", "x"],
    ["SORT", "l", "GET", "list_*", "BY", "list_*"],
    ["SORT", "l", "GET", "list_*->f"],
    // BY without '*' keeps the native order, and stays in effect.
    ["SORT", "l", "BY", "nosort"],
    ["SORT", "l", "BY", "nosort", "DESC"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "1", "2"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "1", "2", "DESC"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "4", "10", "DESC"],
    ["SORT", "l", "BY", "nosort", "LIMIT", "9", "10", "DESC"],
    ["SORT", "l", "BY", "nosort", "GET", "w_*", "DESC"],
    ["SORT", "l", "BY", "nosort", "BY", "w_*"],
    ["SORT", "l", "BY", "w_*", "BY", "nosort"],
    ["SORT", "l", "BY", "nosort", "ALPHA"],
  ]);
  // Missing BY keys: numeric score 0 (ties by element), ALPHA first; stable otherwise.
  await o.sameAll([
    ["RPUSH", "m", "b", "a", "d", "c", "e"],
    ["MSET", "k_d", "2", "k_e", "1"],
    ["SORT", "m", "BY", "k_*"],
    ["SORT", "m", "BY", "k_*", "DESC"],
    ["SORT", "m", "BY", "k_*", "ALPHA"],
    ["SORT", "m", "BY", "k_*", "ALPHA", "DESC"],
    ["SORT", "m", "BY", "none_*", "ALPHA"],
  ]);
});

oracleTest(
  "oracle: SORT BY with ties: where equal elements land, with and without LIMIT",
  async (o) => {
    // With BY and a LIMIT, Redis sorts partially (a quicksort): equal keys end
    // up in that algorithm's order; a full sort keeps them in input order.
    const rand = prng(7);
    for (const n of [6, 7, 20, 41, 150]) {
      const items: string[] = [];
      const weights: string[] = [];
      for (let i = 0; i < n; i++) {
        items.push(`e${i}`);
        weights.push(`t_e${i}`, "abc"[Math.floor(rand() * 3)]);
      }
      await o.same("DEL", "l");
      await o.same("RPUSH", "l", ...items);
      await o.same("MSET", ...weights);
      const ranges = [[0, 5], [3, 5], [n - 1, 1], [Math.floor(n / 2), 10], [1, n], [0, n]];
      for (const [from, count] of ranges) {
        for (const extra of [[], ["DESC"]]) {
          await o.same(
            "SORT",
            "l",
            "BY",
            "t_*",
            "ALPHA",
            "LIMIT",
            String(from),
            String(count),
            ...extra,
          );
          await o.same(
            "SORT",
            "l",
            "BY",
            "none_*",
            "ALPHA",
            "LIMIT",
            String(from),
            String(count),
            ...extra,
          );
          await o.same("SORT", "l", "BY", "t_*", "LIMIT", String(from), String(count), ...extra);
        }
      }
      await o.same("SORT", "l", "BY", "t_*", "ALPHA");
      await o.same("SORT", "l", "BY", "t_*", "ALPHA", "DESC", "STORE", "dst");
      await o.same("LRANGE", "dst", "0", "-1");
    }
  },
);

oracleTest("oracle: SORT on sets", async (o) => {
  await o.sameAll([
    ["SADD", "is", "5", "3", "9", "1", "-2"],
    ["SORT", "is"],
    ["SORT", "is", "DESC", "LIMIT", "1", "2"],
    ["SORT", "is", "ALPHA"],
    // An intset's own order is ascending: nosort shows it, DESC does not apply.
    ["SORT", "is", "BY", "nosort"],
    ["SORT", "is", "BY", "nosort", "DESC"],
    ["SORT", "is", "BY", "nosort", "LIMIT", "1", "2"],
    ["SADD", "ss", "banana", "apple", "cherry", "10", "9"],
    ["SORT", "ss", "ALPHA"],
    ["SORT", "ss", "ALPHA", "DESC", "LIMIT", "0", "2"],
    ["SORT", "ss"],
    // With STORE, a set is sorted as bytes even when BY says not to sort.
    ["SORT", "ss", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "ss", "BY", "nosort", "DESC", "LIMIT", "1", "3", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "is", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["MSET", "w_5", "1", "w_3", "2", "w_9", "0"],
    ["SORT", "is", "BY", "w_*", "GET", "#", "GET", "w_*"],
  ]);
  // A set in hashtable form: sorted output is deterministic, nosort output is not.
  const members: string[] = [];
  for (let i = 0; i < 300; i++) members.push(`m${(i * 7919) % 1000}`);
  await o.same("SADD", "big", ...members);
  await o.sameAll([
    ["SORT", "big", "ALPHA"],
    ["SORT", "big", "ALPHA", "DESC", "LIMIT", "10", "20"],
    ["SORT", "big", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
  ]);
  await o.sameUnordered(["SORT", "big", "BY", "nosort"]);
});

oracleTest("oracle: SORT on sorted sets", async (o) => {
  await o.sameAll([
    // Sorted sets: nosort keeps the score order, and LIMIT takes a rank range.
    ["ZADD", "z", "3", "a", "1", "b", "2", "c", "2", "d", "-1", "e"],
    ["OBJECT", "ENCODING", "z"],
    ["SORT", "z", "BY", "nosort"],
    ["OBJECT", "ENCODING", "z"],
    ["SORT", "z", "BY", "nosort", "DESC"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "1", "3"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "1", "3", "DESC"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "4", "3", "DESC"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "5", "3"],
    ["SORT", "z", "BY", "nosort", "LIMIT", "0", "0"],
    ["SORT", "z", "ALPHA"],
    ["SORT", "z", "ALPHA", "DESC", "LIMIT", "1", "2"],
    ["SORT", "z"],
    ["ZADD", "zn", "5", "10", "4", "2", "3", "33"],
    ["SORT", "zn"],
    ["SORT", "zn", "BY", "nosort", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT_RO", "zn", "BY", "nosort", "GET", "#"],
    ["MSET", "w_a", "3", "w_b", "1", "w_c", "2"],
    ["SORT", "z", "BY", "w_*", "GET", "#", "GET", "w_*"],
  ]);
  // SORT_RO converts a packed sorted set too.
  await o.sameAll([
    ["ZADD", "z2", "1", "x", "2", "y"],
    ["SORT_RO", "z2", "ALPHA"],
    ["OBJECT", "ENCODING", "z2"],
  ]);
});

oracleTest("oracle: SORT STORE, SORT_RO, WRONGTYPE and error order", async (o) => {
  await o.sameAll([
    ["RPUSH", "l", "3", "1", "2"],
    ["SORT", "l", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["TYPE", "dst"],
    ["OBJECT", "ENCODING", "dst"],
    // STORE replaces a key of any type and drops its TTL.
    ["SET", "str", "v", "EX", "1000"],
    ["SORT", "l", "DESC", "STORE", "str"],
    ["TYPE", "str"],
    ["TTL", "str"],
    ["LRANGE", "str", "0", "-1"],
    // The last STORE wins; GET of a missing key stores an empty string.
    ["SORT", "l", "STORE", "a", "STORE", "b", "GET", "#", "GET", "nokey_*"],
    ["EXISTS", "a"],
    ["LRANGE", "b", "0", "-1"],
    // Storing into the sorted key itself.
    ["SORT", "l", "DESC", "STORE", "l"],
    ["LRANGE", "l", "0", "-1"],
    // An empty result deletes the destination.
    ["SORT", "l", "LIMIT", "5", "5", "STORE", "dst"],
    ["EXISTS", "dst"],
    ["SORT", "nokey", "STORE", "b"],
    ["EXISTS", "b"],
    ["SORT", "nokey", "STORE", "b"],
    // SORT_RO: the same without STORE.
    ["SORT_RO", "l"],
    ["SORT_RO", "l", "STORE", "x"],
    ["SORT_RO", "l", "LIMIT", "0", "1", "GET", "#", "ALPHA", "DESC"],
    ["SORT_RO", "nokey"],
    // Wrong types, after the options parsed.
    ["SET", "s", "1"],
    ["HSET", "h", "f", "v"],
    ["SORT", "s"],
    ["SORT", "h", "STORE", "dst"],
    ["SORT_RO", "s"],
    ["SORT", "s", "LIMIT", "x", "1"],
    ["SORT", "s", "BADOPT"],
    ["SORT", "nokey", "LIMIT", "0", "x"],
    ["SORT", "l", "BY", "w_*", "LIMIT", "a", "b", "STORE", "dst"],
  ]);
  // A large list (several quicklist nodes) with unique weights, through
  // the partial sort (BY and LIMIT) and the full one.
  const rand = prng(42);
  const n = 1000;
  const items: string[] = [];
  const weights: string[] = [];
  for (let i = 0; i < n; i++) {
    items.push(String(Math.floor(rand() * 1e6) - 5e5));
    weights.push(`wt_${items[i]}`, String(i * 3 + 1));
  }
  await o.same("RPUSH", "big", ...items);
  await o.same("MSET", ...weights);
  await o.sameAll([
    ["SORT", "big"],
    ["SORT", "big", "DESC", "LIMIT", "100", "50"],
    ["SORT", "big", "ALPHA", "LIMIT", "900", "200"],
    ["SORT", "big", "BY", "wt_*", "LIMIT", "10", "20"],
    ["SORT", "big", "BY", "wt_*", "DESC", "GET", "#", "GET", "wt_*", "LIMIT", "500", "5"],
    ["SORT", "big", "BY", "nosort", "LIMIT", "600", "5", "DESC"],
    ["SORT", "big", "STORE", "bigdst"],
    ["LRANGE", "bigdst", "0", "-1"],
  ]);
});

oracleTest("oracle: SORT binary data, RESP3 and keyspace hits", async (o) => {
  await o.sameAll([
    // ALPHA compares C strings (up to a NUL) unless storing, then every byte.
    ["RPUSH", "bin", "a\x00b", "a\x00a", "\xff", "\xc3\xa9", "B", "a", "ab", "_", "a\x01"],
    ["SORT", "bin", "ALPHA"],
    ["SORT", "bin", "ALPHA", "DESC"],
    ["SORT", "bin", "ALPHA", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SORT", "bin", "ALPHA", "DESC", "STORE", "dst"],
    ["LRANGE", "dst", "0", "-1"],
    ["SET", "k\x00_a\x00b", "bin-key"],
    ["SORT", "bin", "ALPHA", "GET", "k\x00_*"],
    ["SORT", "bin", "ALPHA", "GET", "k\x00*"],
    ["SORT", "bin", "ALPHA", "GET", "#\x00"],
    ["HSET", "hb_a\x00b", "f\x00g", "hash-field"],
    ["SORT", "bin", "ALPHA", "GET", "hb_*->f\x00g"],
  ]);
  const [hitsA, hitsB] = await statPair(o, "keyspace_hits");
  const [missA, missB] = await statPair(o, "keyspace_misses");
  await o.sameAll([
    ["RPUSH", "l", "1", "2", "3"],
    ["SET", "w_1", "5"],
    ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"],
    ["SORT", "nokey"],
  ]);
  const [hitsA2, hitsB2] = await statPair(o, "keyspace_hits");
  const [missA2, missB2] = await statPair(o, "keyspace_misses");
  assertEquals(hitsA2 - hitsA, hitsB2 - hitsB, "keyspace_hits delta");
  assertEquals(missA2 - missA, missB2 - missB, "keyspace_misses delta");
  const [a, b] = await Promise.all([o.redeno.call("HELLO", "3"), o.redis.call("HELLO", "3")]);
  assert(a.startsWith("%") && b.startsWith("%"));
  await o.sameAll([
    ["SORT", "l", "GET", "#", "GET", "nokey_*", "GET", "w_*"],
    ["SORT", "l", "STORE", "dst"],
    ["SORT", "nokey"],
    ["SORT", "l", "LIMIT", "x", "0"],
  ]);
});

oracleTest("oracle: SORT and SORT_RO in COMMAND INFO and COMMAND GETKEYS", async (o) => {
  await o.sameAll([
    ["COMMAND", "GETKEYS", "SORT", "k"],
    ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d"],
    ["COMMAND", "GETKEYS", "SORT", "k", "BY", "x", "STORE", "d", "LIMIT", "0", "1", "STORE", "e"],
    ["COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "STORE", "x"],
    ["COMMAND", "GETKEYS", "SORT", "k", "GET", "STORE", "STORE", "x"],
    ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "store", "x"],
    ["COMMAND", "GETKEYS", "SORT", "k", "STORE"],
    ["COMMAND", "GETKEYS", "SORT_RO", "k", "STORE", "x"],
    ["COMMAND", "GETKEYS", "SORT"],
  ]);
  const mine = decode(await o.redeno.call("COMMAND", "INFO", "sort", "sort_ro")) as unknown[][];
  const ref = decode(await o.redis.call("COMMAND", "INFO", "sort", "sort_ro")) as unknown[][];
  // Name, arity, flags, key positions, ACL categories.
  for (let i = 0; i < 2; i++) assertEquals(mine[i].slice(0, 7), ref[i].slice(0, 7));
});
