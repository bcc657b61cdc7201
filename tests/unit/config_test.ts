import { assert, assertEquals, assertThrows } from "@std/assert";
import { Config, ConfigError, loadConfig, parseMemory } from "../../lib/config.ts";

const files: Record<string, string> = {
  "a.conf": "port 7000\n\n# comment\nsave 900 1\nsave 300 10\nbind 127.0.0.1 ::1\n",
  "bad.conf": "port 7000\nfoo bar\n",
  "quotes.conf": 'requirepass "unbalanced\n',
  "noeol.conf": "port 7000",
};
const readFile = (p: string) => {
  if (p in files) return files[p];
  throw new Deno.errors.NotFound("No such file or directory (os error 2)");
};

function fatal(argv: string[], stdin = ""): string {
  try {
    loadConfig(argv, { readFile, readStdin: () => stdin });
  } catch (e) {
    assert(e instanceof ConfigError);
    return e.message;
  }
  throw new Error("no error");
}

Deno.test("config: defaults are Redis 7.0's, except redeno's durability policy", () => {
  const c = new Config();
  // A snapshot each second and the AOF on (Redis: "3600 1 300 100 60 10000", no).
  assertEquals(c.format("save"), "1 1");
  assertEquals(c.format("appendonly"), "yes");
  assertEquals(c.format("appendfsync"), "everysec");
  assertEquals(c.format("auto-aof-rewrite-min-size"), "67108864");
  assertEquals(c.format("proto-max-bulk-len"), "536870912");
  assertEquals(c.format("client-query-buffer-limit"), "1073741824");
  assertEquals(c.format("maxclients"), "10000");
  assertEquals(c.num("databases"), 16);
  assertEquals(c.str("loglevel"), "notice");
});

Deno.test("config: file, multiple save lines, overrides", () => {
  const c = loadConfig(["a.conf", "--maxmemory", "1gb", "--loglevel", "VERBOSE"], { readFile });
  assertEquals(c.num("port"), 7000);
  assertEquals(c.format("save"), "900 1 300 10");
  assertEquals(c.format("bind"), "127.0.0.1 ::1");
  assertEquals(c.format("maxmemory"), "1073741824");
  assertEquals(c.str("loglevel"), "verbose");
  assertEquals(c.file, "a.conf");
  const d = loadConfig(["--save", "", "--port", "1234"], { readFile });
  assertEquals(d.format("save"), "");
  assertEquals(d.num("port"), 1234);
  const e = loadConfig(["--save", "--port", "1"], { readFile });
  assertEquals(e.format("save"), "");
});

Deno.test("config: stdin with -", () => {
  const c = loadConfig(["-"], { readFile, readStdin: () => "port 7100\n" });
  assertEquals(c.num("port"), 7100);
  const d = loadConfig(["a.conf", "--timeout", "5", "-"], {
    readFile,
    readStdin: () => "timeout 3\n",
  });
  assertEquals(d.num("timeout"), 5);
});

Deno.test("config: errors in redis-server's words, with line numbers", () => {
  assertEquals(
    fatal(["bad.conf"]),
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2" +
      " (in bad.conf)\n>>> 'foo bar'\nBad directive or wrong number of arguments",
  );
  assertEquals(
    fatal(["--port", "abc"]),
    "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2" +
      " (from the command line)\n>>> 'port \"abc\"'\nargument couldn't be parsed into an integer",
  );
  assert(
    fatal(["noeol.conf", "--maxmemory", "1", "--port", "a b"]).includes(
      "at line 3 (from the command line)\n",
    ),
  );
  assert(fatal(["quotes.conf"]).endsWith("Unbalanced quotes in configuration line"));
  assert(fatal(["--port"]).endsWith(">>> 'port'\nwrong number of arguments"));
  assert(fatal(["--port", "1", "2"]).endsWith("wrong number of arguments"));
  assert(fatal(["--nosuch", "1"]).endsWith("Bad directive or wrong number of arguments"));
  assert(
    fatal(["--maxclients", "0"]).endsWith("argument must be between 1 and 4294967295 inclusive"),
  );
  assert(
    fatal(["--loglevel", "foo"]).endsWith(
      "argument(s) must be one of the following: debug, verbose, notice, warning",
    ),
  );
  assert(fatal(["--appendonly", "maybe"]).endsWith("argument must be 'yes' or 'no'"));
  assert(fatal(["--dir", "/nonexistent-redeno-dir"]).endsWith("No such file or directory"));
  assert(fatal(["--save", "1 2 3"]).endsWith("Invalid save parameters"));
  const missing = fatal(["/nonexist.conf"]);
  assertEquals(
    missing,
    "Fatal error, can't open config file '/nonexist.conf': No such file or directory",
  );
});

Deno.test("config: memory and integer parsing", () => {
  assertEquals(parseMemory("1gb"), 1073741824);
  assertEquals(parseMemory("5k"), 5000);
  assertEquals(parseMemory("2MB"), 2097152);
  assertEquals(parseMemory("01"), 1);
  assertEquals(parseMemory("-1"), null);
  assertEquals(parseMemory("1.5mb"), null);
  assertEquals(parseMemory("1x"), null);
  const c = new Config();
  assertThrows(() => c.set("timeout", ["+5"]));
  assertThrows(() => c.set("timeout", ["05"]));
  c.set("hz", ["1000"]);
  assertEquals(c.num("hz"), 500);
  c.set("slowlog-max-len", ["9223372036854775807"]);
  assertEquals(c.format("slowlog-max-len"), "9223372036854775807");
});

Deno.test("config: CONFIG SET is atomic, CONFIG GET globs and aliases", () => {
  const c = new Config();
  assertEquals(
    c.setMany(["timeout", "5", "maxclients", "x"]),
    "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
  );
  assertEquals(c.num("timeout"), 0);
  assertEquals(
    c.setMany(["x", "1"]),
    "ERR Unknown option or number of arguments for CONFIG SET - 'x'",
  );
  assertEquals(
    c.setMany(["databases", "1"]),
    "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config",
  );
  assertEquals(
    c.setMany(["dir", "/tmp"]),
    "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
  );
  assertEquals(
    c.setMany(["timeout", "1", "TIMEOUT", "2"]),
    "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter",
  );
  assertEquals(c.setMany(["timeout", "1"]), null);
  assertEquals(c.num("timeout"), 1);
  // A live-effect failure rolls everything back.
  c.onChange = (name) => {
    if (name === "port") throw new ConfigError("Unable to listen on this port. Check server logs.");
  };
  assertEquals(
    c.setMany(["timeout", "7", "port", "1"]),
    "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
  );
  assertEquals(c.num("timeout"), 1);
  assertEquals(c.num("port"), 6379);
  assertEquals(c.getMatching(["hash-max-ziplist-entries"]), [["hash-max-ziplist-entries", "512"]]);
  assertEquals(c.getMatching(["PORT"]), [["PORT", "6379"]]);
  assertEquals(c.getMatching(["hash-max-*"]).length, 4);
  assertEquals(c.getMatching(["timeout", "time*"]), [["timeout", "1"]]);
});
