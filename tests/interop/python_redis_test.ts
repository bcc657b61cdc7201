/**
 * redis-py (Debian's python3-redis) against redeno and a real redis-server:
 * one Python script drives lists, sets, sorted sets, blocking pops (from
 * threads with connections of their own) and SORT through redis-py's own
 * helpers, prints every result as JSON, and both servers must print the same.
 * Skipped with a message when python3-redis (or redis-server) is missing
 * outside CI; in CI a missing python3-redis fails.
 */
import { samePythonResults } from "../support/python.ts";

/** The scenario (after tests/support/python.ts's prelude: `r`, `rec`, `in_thread` ...). */
const SCRIPT = String.raw`
# lists
rec("rpush", lambda: r.rpush("l", "a", "b", "c", b"\x00\xff\r\n", 7))
rec("lpush", lambda: r.lpush("l", "z", "y"))
rec("lrange", lambda: r.lrange("l", 0, -1))
rec("lrange out of range", lambda: r.lrange("l", 10, 20))
rec("lpop count", lambda: r.lpop("l", 2))
rec("rpop", lambda: r.rpop("l"))
rec("lpos", lambda: r.lpos("l", "c"))
rec("lpos count", lambda: r.lpos("l", "a", rank=-1, count=0))
rec("linsert", lambda: r.linsert("l", "after", "c", "d"))
rec("linsert no pivot", lambda: r.linsert("l", "before", "nope", "d"))
rec("lindex", lambda: r.lindex("l", -2))
rec("lset", lambda: r.lset("l", 1, "B"))
rec("lmove", lambda: r.lmove("l", "l2", "RIGHT", "LEFT"))
rec("rpoplpush", lambda: r.rpoplpush("l", "l2"))
rec("lrem", lambda: r.lrem("l", 0, "a"))
rec("ltrim", lambda: r.ltrim("l2", 0, 0))
rec("llen", lambda: r.llen("l2"))
rec("lrange all", lambda: [r.lrange("l", 0, -1), r.lrange("l2", 0, -1)])
rec("wrong type", lambda: r.sadd("l", "x"))

# sets
rec("sadd ints", lambda: r.sadd("si", 5, 1, -3, 100))
rec("smembers intset", lambda: r.smembers("si"))
rec("object encoding", lambda: r.object("encoding", "si"))
rec("sadd", lambda: r.sadd("s", "a", "b", "c", 1))
rec("object encoding mixed", lambda: r.object("encoding", "s"))
rec("sadd t", lambda: r.sadd("t", "b", "c", "d"))
rec("smembers", lambda: r.smembers("s"))
rec("sinter", lambda: r.sinter("s", "t"))
rec("sunion", lambda: r.sunion("s", "t", "si"))
rec("sdiff", lambda: r.sdiff("s", "t"))
rec("sunionstore", lambda: r.sunionstore("su", "s", "t"))
rec("sdiffstore", lambda: r.sdiffstore("sd", "t", "s"))
rec("sismember", lambda: r.sismember("s", "a"))
rec("smismember", lambda: r.smismember("s", "a", "q", "c"))
rec("smove", lambda: r.smove("s", "si", "a"))
rec("srem", lambda: r.srem("s", "b", "nope"))
rec("scard", lambda: [r.scard("s"), r.scard("si"), r.scard("su")])
rec("spop all", lambda: sorted(r.spop("su", 100)))
rec("srandmember count", lambda: len(r.srandmember("t", -10)))
rec("sscan_iter", lambda: sorted(r.sscan_iter("t", count=1)))

# sorted sets
rec("zadd", lambda: r.zadd("z", {"a": 1, "b": 2.5, "c": 3, "d": -1}))
rec("zadd nx ch", lambda: r.zadd("z", {"a": 5, "e": 4}, nx=True, ch=True))
rec("zadd xx gt ch", lambda: r.zadd("z", {"b": 1, "c": 10, "new": 1}, xx=True, gt=True, ch=True))
rec("zadd incr", lambda: r.zadd("z", {"b": 0.25}, incr=True))
rec("zadd lt", lambda: r.zadd("z", {"c": 20, "d": -2}, lt=True, ch=True))
rec("zincrby", lambda: r.zincrby("z", 0.1, "a"))
rec("zscore", lambda: r.zscore("z", "a"))
rec("zmscore", lambda: r.zmscore("z", ["a", "nope"]))
rec("zrange", lambda: r.zrange("z", 0, -1))
rec("zrange withscores", lambda: r.zrange("z", 0, -1, withscores=True))
rec("zrange byscore desc limit", lambda: r.zrange("z", "+inf", "(1", byscore=True, desc=True, offset=1, num=2, withscores=True))
rec("zrangebyscore", lambda: r.zrangebyscore("z", "-inf", 3, withscores=True))
rec("zrevrangebyscore", lambda: r.zrevrangebyscore("z", 10, "(-2"))
rec("zrank", lambda: [r.zrank("z", "c"), r.zrevrank("z", "c"), r.zrank("z", "nope")])
rec("zcount", lambda: r.zcount("z", "(1", "+inf"))
rec("zadd lex", lambda: r.zadd("lex", {"alpha": 0, "beta": 0, "gamma": 0, "delta": 0}))
rec("zrangebylex", lambda: r.zrangebylex("lex", "[b", "+"))
rec("zrange bylex desc", lambda: r.zrange("lex", "(g", "-", bylex=True, desc=True, offset=0, num=2))
rec("zlexcount", lambda: r.zlexcount("lex", "(alpha", "[gamma"))
rec("zremrangebylex", lambda: r.zremrangebylex("lex", "[b", "[c"))
rec("zrangestore", lambda: r.zrangestore("z2", "z", 0, 2))
rec("zrangestore byscore", lambda: r.zrangestore("z3", "z", 2, 100, byscore=True, offset=0, num=1))
rec("zunionstore", lambda: r.zunionstore("zu", {"z": 1, "z2": 2}, aggregate="MAX"))
rec("zinterstore", lambda: r.zinterstore("zi", ["z", "z2", "si"]))
rec("zunion withscores", lambda: r.zunion(["z2", "z3"], withscores=True))
rec("zdiff", lambda: r.zdiff(["z", "z2"]))
rec("zpopmin", lambda: r.zpopmin("z"))
rec("zpopmax count", lambda: r.zpopmax("z", 2))
rec("zremrangebyscore", lambda: r.zremrangebyscore("zu", "-inf", "(2"))
rec("zremrangebyrank", lambda: r.zremrangebyrank("zu", -1, -1))
rec("zrem", lambda: r.zrem("zu", "a", "nope"))
rec("zrange zu", lambda: r.zrange("zu", 0, -1, withscores=True))
rec("zadd inf", lambda: r.zadd("zinf", {"lo": "-inf", "hi": "+inf", "mid": 0.1}))
rec("zrange inf", lambda: r.zrange("zinf", 0, -1, withscores=True))
rec("zincrby nan", lambda: r.zincrby("zinf", "-inf", "hi"))
rec("zadd bad score", lambda: r.zadd("zinf", {"x": "abc"}))
rec("zrandmember count", lambda: len(r.zrandmember("zinf", -7)))

# blocking pops, served by a push from the main connection
got = in_thread(lambda b: b.blpop(["q1", "q2"], timeout=0))
until_blocked(1)
rec("rpush to a waiter", lambda: r.rpush("q2", "first", "second"))
rec("blpop served", got)
rec("left for others", lambda: r.lrange("q2", 0, -1))
first = in_thread(lambda b: b.brpop("q3", timeout=0))
until_blocked(1)
second = in_thread(lambda b: b.brpop("q3", timeout=0))
until_blocked(2)
rec("rpush serves both, first come first", lambda: r.rpush("q3", "x", "y", "z"))
rec("first waiter", first)
rec("second waiter", second)
got = in_thread(lambda b: b.blmove("src", "dst", 0, "RIGHT", "LEFT"))
until_blocked(1)
rec("rpush src", lambda: r.rpush("src", "a", "b"))
rec("blmove served", got)
got = in_thread(lambda b: b.bzpopmin(["bz1", "bz2"], timeout=0))
until_blocked(1)
rec("zadd to a waiter", lambda: r.zadd("bz2", {"two": 2, "one": 1}))
rec("bzpopmin served", got)
rec("bzpopmax at once", lambda: r.bzpopmax("bz2", timeout=0))
rec("brpop timeout", lambda: r.brpop("nothing", timeout=0.01))
rec("blpop negative timeout", lambda: r.execute_command("BLPOP", "q1", "-1"))
rec("blocked clients left", lambda: r.info("clients")["blocked_clients"])

# SORT
rec("rpush nums", lambda: r.rpush("nums", 3, 10, 1, "2.5", "-1"))
rec("sort", lambda: r.sort("nums"))
rec("sort desc limit", lambda: r.sort("nums", start=1, num=2, desc=True))
rec("rpush words", lambda: r.rpush("words", "pear", "Apple", "fig"))
rec("sort alpha", lambda: r.sort("words", alpha=True))
rec("sort not numbers", lambda: r.sort("words"))
rec("mset weights", lambda: r.mset({"w_pear": 3, "w_Apple": 1, "w_fig": 2}))
rec("hset", lambda: r.hset("h_fig", "n", "FIG"))
rec("sort by get", lambda: r.sort("words", by="w_*", get=["#", "h_*->n"]))
rec("sort store", lambda: r.sort("si", desc=True, alpha=True, store="sorted"))
rec("sorted", lambda: r.lrange("sorted", 0, -1))
rec("sort_ro", lambda: r.sort_ro("nums", start=0, num=2))

`;

Deno.test({
  name: "redis-py: lists, sets, sorted sets, blocking pops and SORT as on Redis",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () => samePythonResults(SCRIPT),
});
