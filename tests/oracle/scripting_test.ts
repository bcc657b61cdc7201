/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against Redis 7.0.15, byte
 * for byte, in RESP2 and RESP3: Lua<->RESP conversions, Lua 5.1 number
 * formatting, the libraries present and absent, globals protection, the
 * redis.* API, error texts, shebang flags, bad input.
 *
 * Known differences of lua-redis-wasm 1.5.0 (the VM redeno embeds; see
 * scripts/lua_vm_evaluation.md) are listed in KNOWN_GAPS below and checked
 * to still differ, so a fixed VM shows up as a failing "gap" to remove.
 */
import { assert, assertEquals, assertNotEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import type { RespClient } from "../support/resp_client.ts";

/** EVALs each script with no keys on both servers, over `pair` (RESP2 or RESP3 connections). */
async function sameEvals(
  pair: [RespClient, RespClient],
  scripts: string[],
  keys: string[] = [],
  argv: string[] = [],
): Promise<void> {
  const problems: string[] = [];
  for (const s of scripts) {
    const args = ["EVAL", s, String(keys.length), ...keys, ...argv];
    const [mine, theirs] = await Promise.all([pair[0].call(...args), pair[1].call(...args)]);
    if (mine !== theirs) {
      problems.push(
        `EVAL ${JSON.stringify(s)}:\n  redeno ${JSON.stringify(mine)}\n  redis  ${
          JSON.stringify(theirs)
        }`,
      );
    }
  }
  // Every difference at once, so one run lists them all.
  assertEquals(problems, [], problems.join("\n"));
}

/** Both protocols: the main connections (RESP2) and a fresh pair after HELLO 3. */
async function bothProtocols(o: Oracle, fn: (pair: [RespClient, RespClient]) => Promise<void>) {
  await fn([o.redeno, o.redis]);
  const pair = await o.connectPair();
  try {
    await Promise.all([pair[0].call("HELLO", "3"), pair[1].call("HELLO", "3")]);
    await fn(pair);
  } finally {
    pair[0].close();
    pair[1].close();
  }
}

const CONVERSIONS = [
  "return 1",
  "return -1",
  "return 3.99",
  "return -3.99",
  "return 10/2",
  "return -0.5",
  "return 2^53",
  "return 2^63",
  "return -2^63",
  "return 1e300",
  "return 'hello'",
  "return ''",
  "return 'a\\0b'",
  "return true",
  "return false",
  "return nil",
  "return",
  "return {}",
  "return {1, 2, 3}",
  "return {1, 2, nil, 4}",
  "return {1.5, 'a', true, false}",
  "return {1, {2, {3, {'deep'}}}}",
  "return {err = 'bad thing'}",
  "return {err = 'WRONGTYPE custom code'}",
  "return {err = ''}",
  "return {ok = 'fine'}",
  "return {ok = 'with\\r\\nnewline'}",
  "return {err = 'x', ok = 'y'}",
  "return {double = 0.1}",
  "return {double = 3}",
  "return {double = 1/0}",
  "return {double = -1/0}",
  "return {double = 'x'}",
  "return {big_number = '123456789012345678901234567890'}",
  "return {verbatim_string = {format = 'txt', string = 'hello'}}",
  "return {map = {a = 1}}",
  "return {set = {a = true}}",
  "return {1, {double = 2.5}, {map = {k = 'v'}}, {set = {m = true}}}",
  "return {1, {err = 'nested error'}, 3}",
  "return {1, {ok = 'nested status'}, 3}",
  "return {a = 1, b = 2}",
  "return {1, 2, x = 5}",
  "return redis.status_reply('FINE')",
  "return redis.status_reply('+FINE')",
  "return redis.error_reply('My Err')",
  "return redis.error_reply('-My Err')",
  "return redis.error_reply('MYCODE something bad')",
  "return redis.error_reply('ERR')",
  "return redis.error_reply()",
  "return redis.status_reply()",
  "return redis.error_reply('My Err').err",
  "return redis.error_reply('OneWord').err",
  "redis.setresp(3) return true",
  "redis.setresp(3) return false",
  "redis.setresp(3) return {1, true, false}",
  "redis.setresp(3) return nil",
  "redis.setresp(3) return {double = 1.5}",
  "redis.setresp(3) return {map = {a = {1, 2}}}",
  "redis.setresp(3) return {set = {x = true}}",
  "redis.setresp(3) return {big_number = '1234'}",
  "redis.setresp(3) return {verbatim_string = {format = 'txt', string = 'v'}}",
  "redis.setresp(2) return true",
  "redis.setresp(3) redis.setresp(2) return {true, false}",
];

oracleTest("oracle: scripting: Lua -> RESP conversions (RESP2 and RESP3)", async (o) => {
  await bothProtocols(o, (pair) => sameEvals(pair, CONVERSIONS));
});

/** Replies of commands seen from Lua (RESP -> Lua), with the script's protocol. */
const CALL_REPLIES = [
  "return redis.call('SET', 'k', 'v')",
  "return redis.call('GET', 'k')",
  "return redis.call('GET', 'nokey')",
  "return type(redis.call('GET', 'nokey'))",
  "return tostring(redis.call('GET', 'nokey'))",
  "return redis.call('INCR', 'n')",
  "return type(redis.call('INCR', 'n'))",
  "return redis.call('PING')",
  "return redis.call('PING').ok",
  "return redis.call('RPUSH', 'l', 'a', 'b', 'c')",
  "return redis.call('LRANGE', 'l', 0, -1)",
  "return redis.call('HSET', 'h', 'f1', 'v1', 'f2', 'v2')",
  "return redis.call('HGETALL', 'h')",
  "return #redis.call('HGETALL', 'h')",
  "return redis.call('MGET', 'k', 'nokey', 'k')",
  "return type(redis.call('MGET', 'nokey')[1])",
  "return redis.pcall('INCR', 'k')",
  "return redis.pcall('INCR', 'k').err",
  "return redis.pcall('LPUSH', 'k', 'x')",
  "return redis.call('ZADD', 'z', 1.5, 'a', 2, 'b')",
  "return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
  "return redis.call('ZSCORE', 'z', 'a')",
  "redis.setresp(3) return redis.call('ZSCORE', 'z', 'a')",
  "redis.setresp(3) return type(redis.call('ZSCORE', 'z', 'a'))",
  "redis.setresp(3) return redis.call('ZSCORE', 'z', 'a').double",
  "redis.setresp(3) return redis.call('HGETALL', 'h')",
  "redis.setresp(3) return redis.call('HGETALL', 'h').map.f1",
  "redis.setresp(3) return redis.call('SMEMBERS', 'nokey')",
  "redis.setresp(3) return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
  "redis.setresp(3) return redis.call('SADD', 's', 'm') + redis.call('SCARD', 's')",
  "redis.setresp(3) local r = redis.call('SMEMBERS', 's') return r.set.m",
  "return redis.call('SET', 'n2', 0.1)",
  "return redis.call('SET', 'n3', 3)",
  "return redis.call('GET', 'n3')",
  "return redis.call('SET', 'n4', -7)",
  "return redis.call('GET', 'n4')",
  "return redis.call('EXISTS', 'k', 'nokey')",
  "return redis.call('TYPE', 'k')",
  "return redis.call('TYPE', 'k').ok",
  "return redis.call('DEL', 'k', 'n', 'l', 'h', 'z', 's', 'n2', 'n3', 'n4')",
];

oracleTest("oracle: scripting: command replies seen from Lua", async (o) => {
  await bothProtocols(o, (pair) => sameEvals(pair, CALL_REPLIES));
});

/** Lua 5.1 as Redis embeds it: numbers, libraries present and absent, globals. */
const SEMANTICS = [
  "return tostring(10/2)",
  "return 'n=' .. 10/2",
  "return tostring(3.99)",
  "return tostring(1e15)",
  "return tostring(1e16)",
  "return tostring(2^53)",
  "return tostring(2^63)",
  "return tostring(0.1)",
  "return tostring(1/3)",
  "return tostring(-0.0)",
  "return tostring(1/0)",
  "return tostring(0/0)",
  "return tostring(7/7)",
  "return tostring(2^31)",
  "return tostring(10 % 3.5)",
  "return tostring(tonumber('1e2'))",
  "return tostring('10' + 1)",
  "return tonumber('0x10')",
  "return table.concat({1, 2.5, 10/2}, ',')",
  "return string.format('%s', 10/2)",
  "return string.format('%d', 3.5)",
  "return string.format('%.3f', 1/3)",
  "return string.format('%5.1f|%-5d|%x', 3.14159, 42, 255)",
  "return string.format('%q', 'a\\nb')",
  "return string.rep('ab', 3)",
  "return string.sub('hello', 2.5, 3)",
  "return #{nil, nil, 3}",
  "return math.floor(-0.5)",
  "return math.pow(2, 3)",
  "return math.mod(7, 3)",
  "return math.fmod(7, 3)",
  "return tostring(math.huge)",
  "return tostring(math.maxinteger)",
  "return unpack({1, 2, 3})",
  "return select('#', unpack({1, 2, 3}))",
  "return table.getn({1, 2, 3})",
  "return table.maxn({1, 2, 3})",
  "return type(loadstring)",
  "return type(table.unpack)",
  "return type(load)",
  "return type(setfenv)",
  "return type(getfenv)",
  "return type(newproxy)",
  "return type(gcinfo)",
  "return type(coroutine)",
  "return type(string.gfind)",
  "return type(collectgarbage('count'))",
  "return type(cjson)",
  "return type(cmsgpack)",
  "return type(bit)",
  "return type(struct)",
  "return type(redis)",
  "return type(KEYS)",
  "return type(ARGV)",
  "return type(_G)",
  "return cjson.encode({1.5, 10, 1e20})",
  "return cjson.encode({})",
  "return cjson.encode({a = {1, 2}})",
  "return cjson.decode('[1,2,{\"a\":3}]')[3].a",
  "return cjson.decode('{\"x\":[1,2,3]}').x[2]",
  "return cmsgpack.pack({1, 2, 'three'})",
  "return cmsgpack.unpack(cmsgpack.pack({1, 2, 'three'}))",
  "return struct.pack('>I2', 258)",
  "return struct.unpack('>I2', '\\1\\2')",
  "return bit.band(0xff, 0x0f)",
  "return bit.bor(1, 2, 4)",
  "return bit.tohex(255)",
  "return bit.lshift(1, 10)",
  "return redis.sha1hex('')",
  "return redis.sha1hex('hello')",
  "return redis.REDIS_VERSION",
  "return redis.REDIS_VERSION_NUM",
  "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
  "return redis.set_repl(redis.REPL_ALL)",
  "return redis.replicate_commands()",
  "return redis.LOG_DEBUG .. redis.LOG_VERBOSE .. redis.LOG_NOTICE .. redis.LOG_WARNING",
  "redis.log(redis.LOG_WARNING, 'from a script') return 1",
  "return redis.acl_check_cmd('GET', 'k')",
  "return redis.acl_check_cmd('SET', 'k', 'v')",
  "return type(print)",
  "return type(os)",
  "return type(io)",
  "return type(debug)",
  "return type(require)",
  "return type(dofile)",
  "return type(loadfile)",
  "return pcall(function() return undefined_global end)",
  "local ok, e = pcall(function() x = 1 end) return e",
  "return type(rawget(_G, 'undefined_global'))",
  "local t = {} t.x = 1 return t.x",
  "local co = coroutine.create(function() coroutine.yield(1) return 2 end) " +
  "local _, a = coroutine.resume(co) local _, b = coroutine.resume(co) return {a, b}",
  "local s = 0 for i = 1, 1e6 do s = s + i end return s",
  "local s = '' for k in pairs({10, 20, 30}) do s = s .. k end return s",
  "return #KEYS + #ARGV",
];

oracleTest("oracle: scripting: Lua 5.1 semantics, libraries and the redis API", async (o) => {
  await sameEvals([o.redeno, o.redis], SEMANTICS);
  await sameEvals(
    [o.redeno, o.redis],
    ["return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}", "return KEYS[3]"],
    ["k1", "k\0two"],
    ["a1", "\xff\x00bin"],
  );
});

/** Errors, as Redis 7.0 words them. */
const ERRORS = [
  "return 7 // 2",
  "return 1 +",
  "local x = ",
  "if true then",
  "error('plain')",
  "error('with\\nnewline')",
  "error(5)",
  "return undefined_global",
  "local y = 1\nreturn undefined_global2",
  "x = 1",
  "local t = nil return t.x",
  "return redis.call('nosuch')",
  "return redis.pcall('nosuch')",
  "return redis.call()",
  "return redis.pcall()",
  "return redis.call('SET', 'a')",
  "return redis.pcall('SET', 'a')",
  "return redis.call('SET', 'a', {})",
  "return redis.call('SET', 'a', nil)",
  "return redis.call('SET', 'a', true)",
  "return redis.call('INCR', 'str')",
  "redis.call('SET', 'str', 'abc') return redis.call('INCR', 'str')",
  "\nredis.call('SET', 'str', 'abc')\nreturn redis.call('LPUSH', 'str', 'x')",
  "return redis.call('EVAL', 'return 1', 0)",
  "return redis.call('MULTI')",
  "return redis.call('EXEC')",
  "return redis.call('SCRIPT', 'LOAD', 'return 1')",
  "return redis.call('WATCH', 'k')",
  "return redis.call('CONFIG', 'nosuch')",
  "return redis.call('OBJECT', 'ENCODING')",
  "redis.setresp(4)",
  "redis.setresp()",
  "return redis.set_repl(99)",
  "return redis.set_repl()",
  "return redis.acl_check_cmd('nosuch')",
  "redis.log(99, 'x')",
  "redis.log(redis.LOG_WARNING)",
  "return redis.sha1hex()",
  "local function f(n) return f(n + 1) + 1 end return f(1)",
  "return setmetatable({}, {__index = function() error('meta boom') end}).x",
  "redis.x = 1",
  "KEYS = 1",
  "_G.foo = 1",
  "return cjson.decode('{bad json')",
  "return string.rep('x', -1)",
  "return (nil)()",
];

oracleTest("oracle: scripting: error texts", async (o) => {
  await bothProtocols(o, (pair) => sameEvals(pair, ERRORS));
});

oracleTest("oracle: scripting: EVAL, EVALSHA, SCRIPT LOAD/EXISTS/FLUSH, numkeys", async (o) => {
  const script = "return {KEYS[1], ARGV[1]}";
  const sha = await o.same("SCRIPT", "LOAD", script);
  await o.sameAll([
    ["EVALSHA", sha.slice(5, 45), "1", "k", "a"],
    ["EVALSHA", sha.slice(5, 45).toUpperCase(), "1", "k", "a"],
    ["EVALSHA_RO", sha.slice(5, 45), "1", "k", "a"],
    ["EVALSHA", "0000000000000000000000000000000000000000", "0"],
    ["EVALSHA", "abc", "0"],
    ["EVALSHA", "abc", "x"],
    ["SCRIPT", "EXISTS", sha.slice(5, 45), sha.slice(5, 45).toUpperCase(), "nope"],
    ["SCRIPT", "LOAD", "return 7 // 2"],
    ["SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"],
    ["SCRIPT", "LOAD", "#!lua flags=bogus\nreturn 1"],
    ["SCRIPT", "LOAD"],
    ["SCRIPT", "LOAD", "a", "b"],
    ["EVAL", "return 1", "-1"],
    ["EVAL", "return 1", "2", "k"],
    ["EVAL", "return 1", "x"],
    ["EVAL", "return 1", "99999999999999999999"],
    ["EVAL", "return 1"],
    ["EVAL", "return #KEYS", "3", "a", "b", "c", "d"],
    ["SCRIPT", "FLUSH", "BOGUS"],
    ["SCRIPT", "FLUSH", "ASYNC", "x"],
    ["SCRIPT", "FLUSH", "SYNC"],
    ["SCRIPT", "EXISTS", sha.slice(5, 45)],
    ["EVALSHA", sha.slice(5, 45), "1", "k", "a"],
    ["SCRIPT", "FLUSH", "async"],
    ["SCRIPT", "FLUSH"],
    ["SCRIPT", "HELP"],
    ["SCRIPT", "KILL"],
    ["SCRIPT", "DEBUG", "NO"],
    ["SCRIPT", "DEBUG", "maybe"],
    ["SCRIPT", "NOSUCH"],
    ["SCRIPT"],
    ["EVAL", "return redis.call('GET', KEYS[1])", "1", "\xff\x00key"],
  ]);
});

oracleTest("oracle: scripting: EVAL_RO, shebang flags, read-only refusals", async (o) => {
  await o.sameAll([
    ["EVAL_RO", "return redis.call('GET', 'k')", "0"],
    ["EVAL_RO", "return redis.call('SET', 'k', 'v')", "0"],
    ["EVAL_RO", "return redis.pcall('SET', 'k', 'v')", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn redis.call('SET', 'k', 'v')", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn redis.call('GET', 'k')", "0"],
    ["EVAL", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"],
    ["EVAL", "#!lua\nreturn redis.call('SET', 'k', 'v')", "0"],
    ["EVAL_RO", "#!lua\nreturn 1", "0"],
    ["EVAL_RO", "#!lua flags=no-writes\nreturn 1", "0"],
    ["EVAL", "#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2", "0"],
    ["EVAL", "#!lua flags=\nreturn 3", "0"],
    ["EVAL", "#!lua flags=bogus\nreturn 1", "0"],
    ["EVAL", "#!lua flags=no-writes,,allow-oom\nreturn 1", "0"],
    ["EVAL", "#!lua name=mylib\nreturn 1", "0"],
    ["EVAL", "#!python\nreturn 1", "0"],
    ["EVAL", "#!lua", "0"],
    ["EVAL", "#!\nreturn 1", "0"],
    ["EVAL", "#!lua\nerror('line two')", "0"],
    ["EVAL", "#!lua\n\nreturn undefined_g", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn 7 // 2", "0"],
    ["GET", "k"],
  ]);
});

oracleTest("oracle: scripting: SELECT inside a script, database of the commands", async (o) => {
  await o.sameAll([
    ["SELECT", "2"],
    [
      "EVAL",
      "redis.call('SET', 'a', '1') redis.call('SELECT', 5) redis.call('SET', 'b', '2') return 1",
      "0",
    ],
    ["GET", "a"],
    ["GET", "b"],
    ["SELECT", "5"],
    ["GET", "b"],
    ["EVAL", "return redis.call('SELECT', 99)", "0"],
    ["SELECT", "0"],
  ]);
});

oracleTest("oracle: scripting: bad input leaves the server serving", async (o) => {
  await o.sameAll([
    ["EVAL", "local t = {} for i = 1, 100000 do t[i] = i end return #t", "0"],
    ["EVAL", "local t = {} for i = 1, 10000 do t[i] = i end return t", "0"],
    [
      "EVAL",
      "local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(10000)",
      "0",
    ],
    ["EVAL", "local function f(n) return f(n + 1) + 1 end return f(1)", "0"],
    ["EVAL", "return #string.rep('x', 1e6)", "0"],
    ["EVAL", "return coroutine.create(function() end)", "0"],
    ["EVAL", "local t = {} local c = t for i = 1, 40 do c[1] = {'x'} c = c[1] end return t", "0"],
    ["EVAL", "local t = {} for i = 1, 50000 do t[i] = i end return #cjson.encode(t)", "0"],
    ["EVAL", "return function() end", "0"],
    ["PING"],
  ]);
  // A 1 GB string: Redis builds it; lua-redis-wasm's fixed 64 MB heap cannot (a known gap):
  // redeno replies an error and its VM is replaced. Both go on serving.
  const mine = await o.redeno.call("EVAL", "return #string.rep('x', 2^30)", "0");
  assert(mine.startsWith("-ERR"), mine);
  await o.sameAll([["EVAL", "return 1 + 1", "0"], ["PING"]]);
  // Nested 10,000 deep: Redis sends ~8,000 nested arrays around its error (too deep for this
  // test's reply reader); redeno refuses past 48 levels (its engine's C stack is small).
  const deep = "local t = {} local c = t for i = 1, 10000 do c[1] = {} c = c[1] end return t";
  assertEquals(await o.redeno.call("EVAL", deep, "0"), "-ERR reached lua stack limit\r\n");
  await o.sameAll([["EVAL", "return {1, {2, {3}}}", "0"], ["PING"]]);
});

oracleTest("oracle: scripting: INFO memory lists the script cache", async (o) => {
  const before = await o.redeno.call("INFO", "memory");
  assert(before.includes("number_of_cached_scripts:0"), before);
  // One script: the dict of a bigger cache may be mid-rehash in Redis (its size then varies).
  await o.same("SCRIPT", "LOAD", "return 'a script of some length' -- " + "x".repeat(300));
  const info = await o.redeno.call("INFO", "memory");
  assert(info.includes("number_of_cached_scripts:1"), info);
  const lua = Number(/used_memory_lua:(\d+)/.exec(info)![1]);
  assert(lua > 0, info);
  const scripts = /used_memory_scripts_eval:(\d+)/.exec(info)![1];
  const theirs = /used_memory_scripts_eval:(\d+)/.exec(await o.redis.call("INFO", "memory"))![1];
  assertEquals(scripts, theirs);
  for (let i = 0; i < 5; i++) await o.same("SCRIPT", "LOAD", `return ${i}`);
  assert((await o.redeno.call("INFO", "memory")).includes("number_of_cached_scripts:6"));
  await o.same("SCRIPT", "FLUSH");
  const after = await o.redeno.call("INFO", "memory");
  assert(after.includes("number_of_cached_scripts:0"), after);
  assert(after.includes("used_memory_scripts_eval:0"), after);
});

oracleTest("oracle: scripting: COMMAND GETKEYS and COMMAND INFO of EVAL", async (o) => {
  await o.sameAll([
    ["COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"],
    ["COMMAND", "GETKEYS", "EVALSHA_RO", "x", "1", "a"],
    ["COMMAND", "GETKEYS", "EVAL", "return 1", "0"],
    ["COMMAND", "INFO", "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO"],
  ]);
});

/**
 * lua-redis-wasm 1.5.0's differences from Redis 7.0 (scripts/lua_vm_evaluation.md §1),
 * kept honest: each must still differ. 32-bit integers in string.format('%d'),
 * %.14g numbers passed to redis.call, error({err=...}) losing its table, the
 * global-read marker seen inside a script's own pcall, NaN returned as 0.
 */
const KNOWN_GAPS = [
  "return string.format('%d', 2^53)",
  "return redis.call('SET', 'gap', 0.1) and redis.call('GET', 'gap')",
  "return redis.call('SET', 'gap', 2^53) and redis.call('GET', 'gap')",
  "error({err = 'custom'})",
  "local ok, e = pcall(function() return undefined_x end) return e",
  "return 0/0",
  // Results nested deeper than 48 tables: the engine's C stack is small (redeno refuses them
  // with Redis's "reached lua stack limit", which Redis gives only past ~8000 levels).
  "local t = {} local c = t for i = 1, 60 do c[1] = {} c = c[1] end return t",
  // With redis.setresp(3) a null reply reaches Lua as false (the engine has no nil for it).
  "redis.setresp(3) return type(redis.call('GET', 'nokey'))",
  // Functions or coroutines inside a returned table: Redis sends nulls, the engine fails.
  "return {1, coroutine.create(function() end)}",
];

oracleTest("oracle: scripting: known lua-redis-wasm gaps still differ", async (o) => {
  for (const s of KNOWN_GAPS) {
    const [mine, theirs] = await Promise.all([
      o.redeno.call("EVAL", s, "0"),
      o.redis.call("EVAL", s, "0"),
    ]);
    assertNotEquals(mine, theirs, `known gap fixed? ${s}: ${mine}`);
  }
});
