/**
 * The Lua Worker: owns one lua-redis-wasm engine (Redis's own Lua 5.1) and
 * runs the jobs the main thread writes into the shared channel. redis.call
 * is a synchronous round trip to the main thread, which owns the data.
 * The main thread can terminate() this worker at any time (SCRIPT KILL).
 */
/// <reference lib="deno.worker" />
import { Buffer } from "node:buffer";
import { CALL, Channel, DONE, JOB } from "./channel.ts";
import {
  parseReply,
  plainValue,
  type ReplyValue,
  respToWire,
  WireWriter,
  writeResult,
} from "./convert.ts";
import { ReplyWriter } from "../resp/encoder.ts";

/**
 * Busy-wait iterations (~20 µs) for a redis.call's reply before sleeping.
 * Short on purpose: with 2 cores shared with the clients, a long spin takes
 * the CPU the main thread needs (20000: 10-70% fewer EVALSHA/s at -P 16).
 */
const SPINS = 3000;
/** Iterations (~7 µs) the worker stays awake for the next job (pipelined scripts). */
const IDLE_SPINS = 1000;

/**
 * Runs before every script, on its first line (line numbers unchanged): puts
 * the engine in RESP3 mode, where its Lua->reply conversion loses nothing,
 * and shadows `redis` with Redis 7.0's setresp (the script's protocol is
 * followed by the host through the onSetResp hook: the user's call, then
 * the switch back to 3), error_reply, acl_check_cmd and set_repl.
 */
const PREFIX = "local __rd=redis __rd.setresp(3) local redis=setmetatable({" +
  "setresp=function(...) local v=select('#',...)==1 and tonumber((...)) " +
  "if v==2 or v==3 then __rd.setresp(v) __rd.setresp(3) elseif select('#',...)~=1 then " +
  "return __rd.call('\\0err','ERR redis.setresp() requires one argument.') " +
  "else return __rd.call('\\0err','ERR RESP version must be 2 or 3.') end end," +
  "status_reply=function(...) local s=... " +
  "if select('#',...)~=1 or type(s)~='string' then return {err='ERR wrong number or type of arguments'} end " +
  "return {ok=s} end," +
  "error_reply=function(...) local e=... " +
  "if select('#',...)~=1 or type(e)~='string' then return {err='ERR wrong number or type of arguments'} end " +
  "if e:sub(1,1)~='-' then e='-'..e end local s=e:find(' ',1,true) local c,m " +
  "if s then c=e:sub(2,s-1) m=e:sub(s+1) else c='ERR' m=e:sub(2) end " +
  "m=(m:gsub('^[\\r\\n]+',''):gsub('[\\r\\n]+$','')) return {err=c..' '..m} end," +
  "log=function(...) local n=select('#',...) if n<2 then " +
  "return __rd.call('\\0err','ERR redis.log() requires two arguments or more.') end " +
  "local l=tonumber((...)) if not l then " +
  "return __rd.call('\\0err','ERR First argument must be a number (log level).') end " +
  "l=l>=0 and math.floor(l) or math.ceil(l) if l<0 or l>3 then " +
  "return __rd.call('\\0err','ERR Invalid debug level.') end local m='' for i=2,n do " +
  "local a=select(i,...) local t=type(a) if t=='string' or t=='number' then " +
  "if i~=2 then m=m..' ' end m=m..a end end __rd.log(l,m) end," +
  "sha1hex=function(...) if select('#',...)~=1 then " +
  "return __rd.call('\\0err','ERR wrong number of arguments') end local s=... " +
  "local t=type(s) if t~='string' and t~='number' then s='' end return __rd.sha1hex(s) end," +
  "acl_check_cmd=function(...) return __rd.call('\\0acl',...) end," +
  "set_repl=function(...) return __rd.call('\\0repl',...) end}," +
  "{__index=__rd,__newindex=function() error('Attempt to modify a readonly table',2) end}) " +
  // The script runs as a function: its first result only (Redis calls it for one),
  // compile errors were caught before (compileCheck) with the script's own text.
  "local __rdf=function(...) ";

/**
 * The prefix of scripts that use none of the shims (needsShims in
 * runner.ts): they never change protocol, so the engine's RESP2 conversions
 * are Redis's, and compiling the shims (~1 KB of Lua) is saved.
 */
const SHORT_PREFIX = "local __rdf=function(...) ";

/** Deepest table nesting of a result handed to the engine (measured safe: 56). */
const MAX_RESULT_DEPTH = 48;

/**
 * The result check Redis needs and the engine lacks: the engine converts
 * results recursively on a small C stack and, nested past ~60 tables,
 * silently corrupts its heap (later scripts fail or hang), so deeper results
 * get Redis's "reached lua stack limit" error. Kept in a string that only
 * table results compile (compiling it costs as much as a short script).
 */
const DEPTH_CHECK = "local function d(t,n) if n>" + MAX_RESULT_DEPTH + " then return true end " +
  'for k,v in next,t do if type(v)=="table" and d(v,n+1) or type(k)=="table" and d(k,n+1) ' +
  "then return true end end return false end return d(...,1)";

/**
 * Ends the wrapper: a function, coroutine or userdata result is nil, as
 * Redis converts them; a table result is checked for depth (DEPTH_CHECK).
 */
const SUFFIX = "\nend local __rdr=__rdf() local __rdt=type(__rdr) " +
  "if __rdt=='table' then if loadstring('" + DEPTH_CHECK + "')(__rdr) then " +
  "return {err='ERR reached lua stack limit'} end " +
  "elseif __rdt=='function' or __rdt=='thread' or __rdt=='userdata' then return nil end " +
  "return __rdr";

/** Compiles ARGV[1] as Redis names a script's chunk; 1 or the compiler's message. */
const COMPILE = new TextEncoder().encode(
  "local f, e = loadstring(ARGV[1], '@user_script') if f then return 1 end return e",
);

interface Engine {
  evalWithArgs(script: Uint8Array, keys: Uint8Array[], args: Uint8Array[]): ReplyValue;
}

// Emscripten reports an aborted instance (out of its heap) on the console; the
// main thread replies the error and a fresh engine replaces it.
const consoleError = console.error;
console.error = (...a: unknown[]) => {
  if (typeof a[0] === "string" && a[0].startsWith("Aborted(")) return;
  consoleError(...a);
};

let ch: Channel;
let engine: Engine;
/** The running script's protocol (redis.setresp), and setresp calls seen (see PREFIX). */
let scriptResp: 2 | 3 = 2;
let setresps = 0;
/** FUNCTION LOAD's context: no redis.call. */
let loading = false;

/** Request heads: call or pcall, and the script's protocol (the main thread replies in it). */
const OPS = [
  [new Uint8Array([0x63, 0x32]), new Uint8Array([0x63, 0x33])],
  [new Uint8Array([0x70, 0x32]), new Uint8Array([0x70, 0x33])],
];
const enc = new TextEncoder();
const prefixBytes = enc.encode(PREFIX);

function hostCall(pcall: number, args: Uint8Array[]): ReplyValue {
  // The wrapper's own errors (redis.setresp), raised as a command's are.
  if (args.length === 2 && args[0].length === 4 && args[0][0] === 0 && args[0][1] === 0x65) {
    return { err: Buffer.from(args[1]) };
  }
  if (loading) {
    return { err: Buffer.from("ERR redis.call and redis.pcall are not available while loading") };
  }
  ch.write([OPS[pcall][scriptResp - 2], ...args]);
  ch.signal(CALL);
  ch.waitWhile(CALL, SPINS);
  const [kind, body] = ch.read();
  if (kind[0] === 0x65) return { err: Buffer.from(body) };
  return parseReply(body, scriptResp);
}

/**
 * The engine's redis.call/pcall import, minus lua-redis-wasm's Buffers: the
 * arguments go from the WASM heap into the channel and the RESP reply into
 * the heap in the engine's wire format (respToWire). The same replies as
 * hostCall through the package's handlers, without ~10 Buffers per call.
 */
function wireCall(pcall: number, abi: number[]): void {
  const ex = internals!.exports;
  const [retPtr, ptr, len] = abi;
  let heap = ex.HEAPU8;
  const dv = new DataView(heap.buffer, heap.byteOffset + ptr, len);
  const count = dv.getUint32(0, true);
  const args: Uint8Array[] = new Array(count);
  let o = 4;
  for (let i = 0; i < count; i++) {
    const n = dv.getUint32(o, true);
    args[i] = heap.subarray(ptr + o + 4, ptr + o + 4 + n);
    o += 4 + n;
  }
  wire.len = 0;
  if (args.length === 2 && args[0].length === 4 && args[0][0] === 0 && args[0][1] === 0x65) {
    // The wrapper's own errors (redis.setresp), raised as a command's are.
    wire.bytes(WIRE_ERROR, args[1]);
  } else if (loading) {
    wire.bytes(WIRE_ERROR, LOADING_ERROR);
  } else {
    ch.write([OPS[pcall][scriptResp - 2], ...args]);
    ch.signal(CALL);
    ch.waitWhile(CALL, SPINS);
    const [kind, body] = ch.read();
    try {
      if (kind[0] === 0x65) wire.bytes(WIRE_ERROR, body);
      else respToWire(body, scriptResp, wire);
    } catch (err) {
      // As the package's handler: a failing host call is an error reply.
      wire.len = 0;
      wire.bytes(WIRE_ERROR, new TextEncoder().encode(String((err as Error).message ?? err)));
    }
  }
  const out = ex._alloc(wire.len);
  heap = ex.HEAPU8;
  heap.set(wire.buf.subarray(0, wire.len), out);
  const rv = new DataView(heap.buffer, heap.byteOffset + retPtr, 8);
  rv.setUint32(0, out, true);
  rv.setUint32(4, wire.len, true);
}

const wire = new WireWriter();
const WIRE_ERROR = 0x05;
const LOADING_ERROR = new TextEncoder().encode(
  "ERR redis.call and redis.pcall are not available while loading",
);

/** lua-redis-wasm 1.5.0's loaded module: its import handlers are replaceable. */
interface LoadedModule {
  handlers?: { call?: unknown; pcall?: unknown };
  create(host: unknown): Engine;
}

async function createEngine(): Promise<Engine> {
  const mod = await import("npm:lua-redis-wasm@1.5.0");
  const host = {
    redisCall: (args: Uint8Array[]) => hostCall(0, args),
    redisPcall: (args: Uint8Array[]) => hostCall(1, args),
    log: (level: number, message: Uint8Array) => {
      self.postMessage({ log: [level, Buffer.from(message).toString("latin1")] });
    },
    onSetResp: (v: 2 | 3) => {
      if (++setresps % 2 === 0) scriptResp = v;
    },
  };
  const module = (await mod.load({
    profile: "redis-7.0",
    // No instruction budget: long scripts are the main thread's business (BUSY, SCRIPT KILL).
    limits: { maxFuel: 4_294_967_295, maxReplyBytes: 0, maxArgBytes: 0 },
    redisProps: {
      REDIS_VERSION: { value: "7.0.15" },
      REDIS_VERSION_NUM: { value: 0x0007000f },
      REPL_NONE: { value: 0 },
      REPL_AOF: { value: 1 },
      REPL_SLAVE: { value: 2 },
      REPL_REPLICA: { value: 2 },
      REPL_ALL: { value: 3 },
      replicate_commands: { returns: true },
    },
  })) as unknown as LoadedModule;
  const created = module.create(host);
  internals = findInternals(created);
  const h = module.handlers;
  if (
    internals !== null && h !== undefined && typeof h.call === "function" &&
    typeof h.pcall === "function"
  ) {
    // Imports called with a return pointer (this build's ABI) take the fast path.
    const call = h.call as (...a: number[]) => unknown;
    const pcall = h.pcall as (...a: number[]) => unknown;
    h.call = (...a: number[]) => a.length >= 3 ? wireCall(0, a) : call(...a);
    h.pcall = (...a: number[]) => a.length >= 3 ? wireCall(1, a) : pcall(...a);
  }
  return created;
}

const suffixBytes = enc.encode(SUFFIX);

const shortPrefixBytes = enc.encode(SHORT_PREFIX);

/** The parts of lua-redis-wasm 1.5.0's LuaEngine that evalWrapped uses. */
interface EngineInternals {
  exports: {
    HEAPU8: Uint8Array;
    _alloc(n: number): number;
    _free_mem(p: number): void;
    _eval_with_args: unknown;
  };
  callEvalWithArgs(sp: number, sl: number, ap: number, al: number, nkeys: number): unknown;
  decodeResult(r: unknown, sha: string): ReplyValue;
}

/** The engine's internals when they are the ones evalWrapped knows (null: use evalWithArgs). */
let internals: EngineInternals | null = null;

function findInternals(e: Engine): EngineInternals | null {
  // module.create() gives the LuaEngine itself (LuaWasmEngine wraps one as .engine).
  const o = e as unknown as Partial<EngineInternals> & { engine?: Partial<EngineInternals> };
  const inner = o.exports !== undefined ? o : o.engine;
  const ex = inner?.exports;
  if (
    inner === undefined || ex === undefined || typeof inner.callEvalWithArgs !== "function" ||
    typeof inner.decodeResult !== "function" || typeof ex._alloc !== "function" ||
    typeof ex._free_mem !== "function" || typeof ex._eval_with_args !== "function" ||
    !(ex.HEAPU8 instanceof Uint8Array)
  ) return null;
  return inner as EngineInternals;
}

/**
 * Runs prefix + body + SUFFIX with KEYS and ARGV. What engine.evalWithArgs
 * does, minus its per-call pure-JS SHA-1 of the source (only for the error's
 * meta.sha, which redeno never reads: ~15 µs of a ~35 µs GET+SET script) and
 * the copies: the parts go straight into the WASM heap.
 */
function evalWrapped(
  prefix: Uint8Array,
  body: Uint8Array,
  keys: Uint8Array[],
  argv: Uint8Array[],
): ReplyValue {
  const inner = internals;
  if (inner === null) {
    const out = new Uint8Array(prefix.length + body.length + suffixBytes.length);
    out.set(prefix, 0);
    out.set(body, prefix.length);
    out.set(suffixBytes, prefix.length + body.length);
    const view = (p: Uint8Array) => Buffer.from(p.buffer, p.byteOffset, p.length);
    return engine.evalWithArgs(out, keys.map(view), argv.map(view));
  }
  const ex = inner.exports;
  const scriptLen = prefix.length + body.length + suffixBytes.length;
  // The engine's argument block: [count u32] then [len u32][bytes] per KEYS and ARGV entry.
  let argLen = 4;
  for (const k of keys) argLen += 4 + k.length;
  for (const a of argv) argLen += 4 + a.length;
  const sp = ex._alloc(scriptLen);
  const ap = ex._alloc(argLen);
  // Read after allocating: the heap view is replaced if the memory grows.
  const heap = ex.HEAPU8;
  heap.set(prefix, sp);
  heap.set(body, sp + prefix.length);
  heap.set(suffixBytes, sp + prefix.length + body.length);
  const dv = new DataView(heap.buffer, heap.byteOffset + ap, argLen);
  dv.setUint32(0, keys.length + argv.length, true);
  let o = 4;
  for (const list of [keys, argv]) {
    for (const p of list) {
      dv.setUint32(o, p.length, true);
      heap.set(p, ap + o + 4);
      o += 4 + p.length;
    }
  }
  let r: unknown;
  try {
    r = inner.callEvalWithArgs(sp, scriptLen, ap, argLen, keys.length);
  } finally {
    ex._free_mem(sp);
    ex._free_mem(ap);
  }
  return inner.decodeResult(r, "");
}

const result = new ReplyWriter(4096);
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");

/** Runs one job; returns the message for the main thread. */
function runJob(parts: Uint8Array[]): Uint8Array[] {
  const op = parts[0][0];
  if (op === 0x6d) { // "m": memory of the Lua heap, in bytes
    loading = true;
    const v = engine.evalWithArgs(enc.encode("return collectgarbage('count')*1024"), [], []);
    loading = false;
    return [enc.encode("m"), enc.encode(String(typeof v === "number" ? v : 0))];
  }
  if (op === 0x63) { // "c": compile only
    loading = true;
    const v = engine.evalWithArgs(COMPILE, [], [Buffer.from(parts[1])]);
    loading = false;
    if (v === 1) return [enc.encode("k")];
    return [enc.encode("f"), v instanceof Uint8Array ? v : enc.encode(String(v))];
  }
  const isLoad = op === 0x6c; // "l"
  // "E": a script that needs none of the shims (see needsShims) gets the short prefix.
  const prefix = op === 0x45 ? shortPrefixBytes : prefixBytes;
  const body = parts[isLoad ? 1 : 2];
  let keys: Uint8Array[] = [];
  let argv: Uint8Array[] = [];
  if (!isLoad) {
    const nkeys = Number(latin1(parts[3]));
    keys = parts.slice(4, 4 + nkeys);
    argv = parts.slice(4 + nkeys);
  }
  scriptResp = 2;
  setresps = 0;
  loading = isLoad;
  let v: ReplyValue;
  try {
    v = evalWrapped(prefix, body, keys, argv);
  } finally {
    loading = false;
  }
  if (
    v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) &&
    "err" in v && v.meta !== undefined
  ) {
    // The script ended with an error: the main thread words it.
    const m = v.meta;
    return [
      enc.encode("e"),
      v.code ?? new Uint8Array(0),
      v.err,
      enc.encode(String(m.line)),
      enc.encode(m.kind ?? ""),
      enc.encode(m.name ?? ""),
      enc.encode(setresps > 0 ? "1" : "0"),
    ];
  }
  if (isLoad) return [enc.encode("j"), enc.encode(JSON.stringify(plainValue(v)))];
  result.resp = parts[1][0] === 0x33 ? 3 : 2;
  writeResult(result, v, scriptResp);
  return [enc.encode("r"), result.take()];
}

self.onmessage = async (e: MessageEvent) => {
  ch = new Channel(e.data.sab);
  try {
    engine = await createEngine();
  } catch (err) {
    self.postMessage({ error: (err as Error).message });
    return;
  }
  self.postMessage({ ready: true });
  for (;;) {
    // Back-to-back scripts (pipelines, busy servers) find the worker awake.
    let s = ch.state;
    for (let i = 0; s !== JOB && i < IDLE_SPINS; i++) s = ch.state;
    // Wait on the value read: reading the state again could sleep through the job.
    for (; s !== JOB; s = ch.state) ch.sleep(s, 1000);
    let out: Uint8Array[];
    try {
      out = runJob(ch.read());
    } catch (err) {
      // The WASM instance aborted (out of its 64 MB heap): a fresh engine replaces it.
      out = [enc.encode("x"), enc.encode(String((err as Error).message ?? err))];
      try {
        engine = await createEngine();
      } catch {
        // the next job fails again
      }
    }
    if (!ch.write(out)) {
      ch.write([enc.encode("x"), enc.encode("reply too big")]);
    }
    ch.signal(DONE);
  }
};
