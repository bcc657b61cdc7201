/**
 * Redis 7.0 functions: the library registry of a server, the `#!lua name=`
 * metadata line, and the Lua text handed to the VM for FUNCTION LOAD and
 * FCALL.
 *
 * lua-redis-wasm has no `redis.register_function` and keeps no compiled
 * functions between evaluations, so:
 * - FUNCTION LOAD evaluates a driver that compiles the library with
 *   `loadstring(code, "@user_function")` (Redis's chunk name, so error texts
 *   and line numbers come out as Redis words them) and runs it with a
 *   `redis` of Redis's load context (register_function, log, the LOG_ and
 *   version constants) and every other global shadowed by a value that
 *   raises Redis's "nonexistent global" error when used. The driver never
 *   raises: it returns the registered functions (or the error) as an array.
 * - FCALL evaluates a driver that runs the library again with a `redis`
 *   whose register_function only records the callbacks, then calls the one
 *   asked for with KEYS and ARGV. The library's top level is re-run on each
 *   call (its local upvalues do not persist between calls, unlike Redis), and
 *   a function that reads the KEYS/ARGV globals fails with Lua's "attempt to
 *   index" error rather than Redis's "nonexistent global" one.
 *
 * The library's first line (the metadata) is replaced by the one line of
 * `local` declarations that receives these values, so line numbers match.
 */
import type { Server } from "../server/server.ts";
import { splitArgs } from "../resp/splitargs.ts";
import { evaluateForLoad, scriptState } from "./runner.ts";
// Read at load time: from their own module, not from the runner (an import cycle runs through it).
import { SCRIPT_FLAGS } from "./flags.ts";

/** One of Redis's script flag names. */
export type ScriptFlagName = typeof SCRIPT_FLAGS[number];

/** A registered function. */
export interface FunctionInfo {
  name: string;
  description: string | null;
  flags: Set<ScriptFlagName>;
  library: Library;
}

/** A loaded library: its metadata, full code (shebang included) and functions. */
export interface Library {
  name: string;
  /** The engine as Redis names it ("LUA"). */
  engine: string;
  code: string;
  /** In registration order. */
  functions: FunctionInfo[];
}

/** The engines a library may name (case-insensitively), as Redis spells them. */
const ENGINES = ["LUA"];

/**
 * The libraries and functions of one server. Library names are
 * case-sensitive, function names are not (Redis's dict types).
 */
export class FunctionRegistry {
  /** Library name -> library. */
  readonly libraries = new Map<string, Library>();
  /** Lowercased function name -> function. */
  readonly functions = new Map<string, FunctionInfo>();

  /** The function FCALL names, or undefined. */
  lookup(name: string): FunctionInfo | undefined {
    return this.functions.get(name.toLowerCase());
  }

  /** Adds a library whose functions do not collide with any registered one. */
  link(lib: Library): void {
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions) {
      const key = f.name.toLowerCase();
      // Two names of one library that differ only in case: the first wins, as Redis's dictAdd.
      if (!this.functions.has(key)) this.functions.set(key, f);
    }
  }

  /** Removes a library and its functions. */
  unlink(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions) {
      const key = f.name.toLowerCase();
      if (this.functions.get(key) === f) this.functions.delete(key);
    }
  }

  /** Removes everything. */
  clear(): void {
    this.libraries.clear();
    this.functions.clear();
  }

  /** The number of functions over all libraries. */
  get functionCount(): number {
    return this.functions.size;
  }

  /** Library codes, for the RDB and FUNCTION DUMP. */
  codes(): string[] {
    return [...this.libraries.values()].map((l) => l.code);
  }

  /** A rough byte count of what the registry holds (INFO used_memory_functions). */
  memory(): number {
    let n = 0;
    for (const lib of this.libraries.values()) {
      n += 64 + lib.name.length + lib.code.length;
      for (const f of lib.functions) n += 48 + f.name.length + (f.description?.length ?? 0);
    }
    return n;
  }

  /**
   * Adds `libs` as FUNCTION RESTORE APPEND / REPLACE does (Redis's
   * libraryJoin): on a library name clash without `replace`, or a function
   * name clash, nothing changes and the error text is returned.
   */
  join(libs: Library[], replace: boolean): string | null {
    const replaced: Library[] = [];
    for (const lib of libs) {
      const old = this.libraries.get(lib.name);
      if (old === undefined) continue;
      if (!replace) {
        for (const r of replaced) this.link(r);
        return `ERR Library ${lib.name} already exists`;
      }
      this.unlink(old);
      replaced.push(old);
    }
    for (const lib of libs) {
      for (const f of lib.functions) {
        if (this.lookup(f.name) !== undefined) {
          for (const r of replaced) this.link(r);
          return `ERR Function ${f.name} already exists`;
        }
      }
    }
    for (const lib of libs) this.link(lib);
    return null;
  }
}

const registries = new WeakMap<Server, FunctionRegistry>();

/** The function registry of `server` (created empty on first use). */
export function functionRegistry(server: Server): FunctionRegistry {
  let r = registries.get(server);
  if (r === undefined) {
    r = new FunctionRegistry();
    registries.set(server, r);
  }
  return r;
}

// ------------------------------------------------------------------ metadata

/** The first line of a library, parsed. */
export interface LibraryMeta {
  engine: string;
  name: string;
  /** The code after the metadata line, starting at its newline (Redis compiles this). */
  body: string;
}

const ERR_BAD_NAME =
  "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

/** Redis's functionsVerifyName: [A-Za-z0-9_]+. */
export function validFunctionName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/**
 * Parses the `#!<engine> name=<library>` line as Redis's
 * functionExtractLibMetaData does; returns the error text (without "ERR ")
 * when it is malformed.
 */
export function parseLibraryMeta(code: string): LibraryMeta | string {
  if (!code.startsWith("#!")) return "Missing library metadata";
  // C strings: the line ends at the first newline before any NUL.
  const nl = code.indexOf("\n");
  const nul = code.indexOf("\0");
  if (nl < 0 || (nul >= 0 && nul < nl)) return "Invalid library metadata";
  const parts = splitArgs(code.slice(0, nl));
  if (parts === null || parts.length === 0) return "Invalid library metadata";
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (part.slice(0, 5).toLowerCase() === "name=") {
      if (name !== null) return "Invalid metadata value, name argument was given multiple times";
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${cString(part)}`;
  }
  if (name === null) return "Library name was not given";
  return { engine, name, body: code.slice(nl) };
}

/** A binary string as C's "%s" prints it: up to its first NUL. */
function cString(s: string): string {
  const i = s.indexOf("\0");
  return i < 0 ? s : s.slice(0, i);
}

/**
 * The checks FUNCTION LOAD makes before running any Lua (Redis's order:
 * metadata, library name, engine, existing library). Returns the metadata
 * and the engine's canonical name, or the full error reply text.
 */
export function checkLoad(
  registry: FunctionRegistry,
  code: string,
  replace: boolean,
): { meta: LibraryMeta; engine: string } | { error: string } {
  const meta = parseLibraryMeta(code);
  if (typeof meta === "string") return { error: `ERR ${meta}` };
  if (!validFunctionName(meta.name)) return { error: `ERR ${ERR_BAD_NAME}` };
  const engine = ENGINES.find((e) => e.toLowerCase() === meta.engine.toLowerCase());
  if (engine === undefined) return { error: `ERR Engine '${meta.engine}' not found` };
  if (!replace && registry.libraries.has(meta.name)) {
    return { error: `ERR Library '${meta.name}' already exists` };
  }
  return { meta, engine };
}

// ------------------------------------------------------------------ Lua text

/**
 * A Lua string literal holding exactly the bytes of `s` (a binary string):
 * Lua 5.1 takes any byte as it is inside quotes but newlines, the quote
 * and the backslash, so only those are escaped (the text stays its size).
 */
export function luaQuote(s: string): string {
  return '"' + s.replace(/[\\"\n\r]/g, (ch) => QUOTED[ch]) + '"';
}

const QUOTED: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r" };

/** Globals Redis's load context does not have (everything but `redis`), shadowed while loading. */
const LOAD_HIDDEN = [
  "KEYS",
  "ARGV",
  "_G",
  "_VERSION",
  "assert",
  "bit",
  "cjson",
  "cmsgpack",
  "collectgarbage",
  "coroutine",
  "error",
  "gcinfo",
  "getmetatable",
  "ipairs",
  "load",
  "loadstring",
  "math",
  "next",
  "pairs",
  "pcall",
  "rawequal",
  "rawget",
  "rawset",
  "select",
  "setmetatable",
  "string",
  "struct",
  "table",
  "tonumber",
  "tostring",
  "type",
  "unpack",
  "xpcall",
];

/**
 * Globals a function's code does not have in Redis (KEYS/ARGV are its
 * arguments): shadowed by nil, not by __missing values, since a function
 * may return one and the VM's reply conversion must not meet a raising
 * __index (it aborts). Using them fails, with Lua's words, not Redis's.
 */
const CALL_HIDDEN = ["KEYS", "ARGV"];

/**
 * The load driver's helpers: `__missing(name)` makes a value that raises
 * Redis's nonexistent-global error at the user's line when indexed,
 * assigned to or called (never returned to the VM's reply conversion: the
 * load driver returns only strings).
 */
const MISSING = `local __missing = function(name)
  local msg = "Script attempted to access nonexistent global variable '" .. name .. "'"
  local fail = function() error(msg, 2) end
  return setmetatable({}, {__index = fail, __newindex = fail, __call = fail})
end
local __readonly = function() error("Attempt to modify a readonly table", 2) end
`;

/** Lua for the library chunk: metadata line -> one line of locals, body unchanged. */
function chunkText(body: string, names: string[]): string {
  return `local ${names.join(", ")} = ...${body}`;
}

/** The load driver's register_function: Redis's argument checks and error texts. */
const LOAD_REGISTER = `local __list, __seen = {}, {}
local __flagnames = {${SCRIPT_FLAGS.map((f) => `"${f}"`).join(", ")}}
local __isstr = function(v) local t = type(v) return t == "string" or t == "number" end
local __fail = function(msg) error(msg, 0) end
local __register = function(...)
  local n = select("#", ...)
  if n < 1 or n > 2 then __fail("wrong number of arguments to redis.register_function") end
  local a, b = ...
  local name, cb, desc, flags = nil, nil, nil, {}
  if n == 1 then
    if type(a) ~= "table" then
      __fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
    end
    for k, v in pairs(a) do
      if not __isstr(k) then __fail("named argument key given to redis.register_function is not a string") end
      local key = string.lower(tostring(k))
      if key == "function_name" then
        if not __isstr(v) then __fail("function_name argument given to redis.register_function must be a string") end
        name = tostring(v)
      elseif key == "description" then
        if not __isstr(v) then __fail("description argument given to redis.register_function must be a string") end
        desc = tostring(v)
      elseif key == "callback" then
        if type(v) ~= "function" then __fail("callback argument given to redis.register_function must be a function") end
        cb = v
      elseif key == "flags" then
        if type(v) ~= "table" then __fail("flags argument to redis.register_function must be a table representing function flags") end
        local j = 1
        while v[j] ~= nil do
          local f = v[j]
          if not __isstr(f) then __fail("unknown flag given") end
          local lf, found = string.lower(tostring(f)), false
          for i = 1, #__flagnames do
            if __flagnames[i] == lf then flags[i] = true found = true end
          end
          if not found then __fail("unknown flag given") end
          j = j + 1
        end
      else
        __fail("unknown argument given to redis.register_function")
      end
    end
    if name == nil then __fail("redis.register_function must get a function name argument") end
    if cb == nil then __fail("redis.register_function must get a callback argument") end
  else
    if not __isstr(a) then __fail("first argument to redis.register_function must be a string") end
    if type(b) ~= "function" then __fail("second argument to redis.register_function must be a function") end
    name = tostring(a)
  end
  if not string.find(name, "^[%w_]+$") then __fail("${ERR_BAD_NAME}") end
  if __seen[name] then __fail("Function already exists in the library") end
  __seen[name] = true
  local fl = ""
  for i = 1, #__flagnames do if flags[i] then fl = fl .. i end end
  __list[#__list + 1] = name
  __list[#__list + 1] = desc == nil and "0" or "1"
  __list[#__list + 1] = desc or ""
  __list[#__list + 1] = fl
end
local __log = function(...)
  local n = select("#", ...)
  if n < 2 then __fail("redis.log() requires two arguments or more.") end
  local level = ...
  if type(level) ~= "number" and not (type(level) == "string" and tonumber(level)) then
    __fail("First argument must be a number (log level).")
  end
  level = tonumber(level)
  if level < 0 or level > 3 then __fail("Invalid debug level.") end
  return redis.log(...)
end
`;

/**
 * The Lua FUNCTION LOAD evaluates for a library body (see parseLibraryMeta):
 * returns {"ok", name, hasDesc, desc, flagDigits, ...} or {"compile"|"error", message}.
 */
export function loadSource(body: string): string {
  const names = ["redis", ...LOAD_HIDDEN];
  const hidden = LOAD_HIDDEN.map((n) => `__missing("${n}")`).join(", ");
  return `${MISSING}${LOAD_REGISTER}
local __redis = setmetatable({
  register_function = __register, log = __log,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REDIS_VERSION = "7.0.15", REDIS_VERSION_NUM = 458767,
}, {__index = function(t, k) error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end, __newindex = __readonly})
local __lib, __err = loadstring(${luaQuote(chunkText(body, names))}, "@user_function")
if __lib == nil then return {"compile", __err} end
local __ok, __e = pcall(__lib, __redis, ${hidden})
if not __ok then
  if type(__e) ~= "string" then __e = tostring(__e) end
  local pos, name = string.match(__e, "^(.-)__RLUA_E__:global%-read:(.*)$")
  if pos ~= nil then __e = pos .. "Script attempted to access nonexistent global variable '" .. name .. "'" end
  return {"error", __e}
end
local __out = {"ok"}
for i = 1, #__list do __out[#__out + 1] = __list[i] end
return __out
`;
}

/** What evaluating loadSource's text tells: the functions registered, or Redis's error reply. */
export function parseLoadResult(value: unknown): { functions: Omit<FunctionInfo, "library">[] } | {
  error: string;
} {
  if (!Array.isArray(value) || value.length === 0) {
    return { error: "ERR Error registering functions: ERR unexpected result from the Lua VM" };
  }
  const [tag, ...rest] = value.map((v) => typeof v === "string" ? v : String(v));
  if (tag === "compile") return { error: `ERR Error compiling function: ${rest[0]}` };
  if (tag === "error") return { error: `ERR Error registering functions: ERR ${rest[0]}` };
  const functions: Omit<FunctionInfo, "library">[] = [];
  for (let i = 0; i + 3 < rest.length; i += 4) {
    const flags = new Set<ScriptFlagName>();
    for (const d of rest[i + 3]) flags.add(SCRIPT_FLAGS[Number(d) - 1]);
    functions.push({
      name: rest[i],
      description: rest[i + 1] === "1" ? rest[i + 2] : null,
      flags,
    });
  }
  if (functions.length === 0) return { error: "ERR No functions registered" };
  return { functions };
}

/**
 * The Lua FCALL evaluates: the library of `fn` (its top level re-run with a
 * recording register_function) and then `fn` called with KEYS and ARGV.
 */
export function callSource(fn: FunctionInfo): string {
  let source = callSources.get(fn);
  if (source === undefined) {
    source = buildCallSource(fn);
    callSources.set(fn, source);
  }
  return source;
}

/** callSource's texts, made once per function. */
const callSources = new WeakMap<FunctionInfo, string>();

function buildCallSource(fn: FunctionInfo): string {
  const meta = parseLibraryMeta(fn.library.code) as LibraryMeta;
  const names = ["redis", ...CALL_HIDDEN];
  const hidden = CALL_HIDDEN.map(() => "nil").join(", ");
  // The stand-in for redis holds copies of its fields (pairs(redis) lists them), falls back to
  // it for the rest, and lets an assignment reach it: its readonly error comes from the
  // user's line then.
  return `local __fns = {}
local __redis = {}
for k, v in pairs(redis) do __redis[k] = v end
__redis.register_function = function(a, b)
  if b == nil then
    for k, v in pairs(a) do
      local key = string.lower(tostring(k))
      if key == "function_name" then a = v elseif key == "callback" then b = v end
    end
  end
  __fns[tostring(a)] = b
end
__redis.log = function() end
setmetatable(__redis, {__index = redis, __newindex = redis})
local __lib = loadstring(${luaQuote(chunkText(meta.body, names))}, "@user_function")
__lib(__redis, ${hidden})
rawset(__redis, "register_function", nil)
rawset(__redis, "log", redis.log)
return __fns[${luaQuote(fn.name)}](KEYS, ARGV)
`;
}

// ------------------------------------------------------------------ loading

/** FUNCTION LOAD's time limit for a library's top level (Redis's LOAD_TIMEOUT_MS). */
export const LOAD_TIMEOUT_MS = 500;

/**
 * Compiles and runs `code` in the load context and returns the library it
 * defines (not yet linked), or Redis's error reply text. The existence
 * check is made before running Lua, as Redis does; `installLibrary` makes
 * it again, since other clients ran meanwhile.
 */
export async function buildLibrary(
  server: Server,
  registry: FunctionRegistry,
  code: string,
  replace: boolean,
  timeoutMs: number,
): Promise<Library | { error: string }> {
  const checked = checkLoad(registry, code, replace);
  if ("error" in checked) return checked;
  const evaluated = await evaluateForLoad(server, loadSource(checked.meta.body), timeoutMs);
  if ("error" in evaluated) {
    // No VM at all (package not installed): said as it is.
    const failure = scriptState(server).failure;
    if (failure !== null) return { error: failure };
    const why = evaluated.error === "timeout"
      ? "FUNCTION LOAD timeout"
      : evaluated.error.replace(/^ERR /, "");
    return { error: `ERR Error registering functions: ERR ${why}` };
  }
  const parsed = parseLoadResult(evaluated.value);
  if ("error" in parsed) return parsed;
  const lib: Library = { name: checked.meta.name, engine: checked.engine, code, functions: [] };
  for (const f of parsed.functions) lib.functions.push({ ...f, library: lib });
  return lib;
}

/**
 * Links a built library as functionsCreateWithLibraryCtx does: an existing
 * library of that name is replaced only with `replace`; a function name
 * taken by another library fails. Returns the error reply text or null.
 */
export function installLibrary(
  registry: FunctionRegistry,
  lib: Library,
  replace: boolean,
): string | null {
  const old = registry.libraries.get(lib.name);
  if (old !== undefined && !replace) return `ERR Library '${lib.name}' already exists`;
  if (old !== undefined) registry.unlink(old);
  for (const f of lib.functions) {
    if (registry.lookup(f.name) !== undefined) {
      if (old !== undefined) registry.link(old);
      return `ERR Function ${f.name} already exists`;
    }
  }
  registry.link(lib);
  return null;
}

/** FUNCTION LOAD's work: build and install; the library name or the error reply text. */
export async function loadLibrary(
  server: Server,
  code: string,
  replace: boolean,
  timeoutMs: number,
): Promise<{ name: string } | { error: string }> {
  const registry = functionRegistry(server);
  const lib = await buildLibrary(server, registry, code, replace, timeoutMs);
  if ("error" in lib) return lib;
  const error = installLibrary(registry, lib, replace);
  return error === null ? { name: lib.name } : { error };
}

/**
 * The libraries of an RDB file or a FUNCTION RESTORE payload, each loaded
 * as Redis's rdbFunctionLoad does (no time limit, no replacing) into a
 * registry of their own; the first error reply text stops it.
 */
export async function buildLibraries(
  server: Server,
  codes: string[],
): Promise<Library[] | { error: string }> {
  const fresh = new FunctionRegistry();
  for (const code of codes) {
    const lib = await buildLibrary(server, fresh, code, false, 0);
    if ("error" in lib) return lib;
    const error = installLibrary(fresh, lib, false);
    if (error !== null) return { error };
  }
  return [...fresh.libraries.values()];
}

/**
 * Installs the libraries of an RDB file (start-up, DEBUG RELOAD): after
 * the ones there are when `flush` is false (a name clash fails, as Redis's
 * load without ALLOW_DUP), instead of them when true. Throws
 * "Failed loading library, <reason>" (Redis's log line) on failure,
 * leaving the registry as it was.
 */
export async function loadRdbLibraries(
  server: Server,
  codes: string[],
  flush = false,
): Promise<void> {
  if (codes.length === 0 && !flush) return;
  const libs = await buildLibraries(server, codes);
  const fail = (e: string) => new Error(`Failed loading library, ${e.replace(/^ERR /, "")}`);
  if ("error" in libs) throw fail(libs.error);
  const registry = functionRegistry(server);
  if (flush) registry.clear();
  const error = registry.join(libs, false);
  if (error !== null) throw fail(error);
}
