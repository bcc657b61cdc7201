/**
 * The ACL file: ACL SAVE's text loads back to the same users, a broken or
 * garbled file is refused as a whole with Redis's description of every
 * problem (never an exception, never a partial load), and `user` lines of
 * the configuration file are checked as Redis checks them.
 */
import "../../lib/server/server.ts"; // module order: the command table's cycle starts there
import { assert, assertEquals } from "@std/assert";
import { Acl, checkUserDirective, type User } from "../../lib/server/acl.ts";
import { CommandTable } from "../../lib/commands/table.ts";
import { ALL_COMMANDS } from "../../lib/commands/index.ts";
import { loadConfig } from "../../lib/config.ts";
import { Logger } from "../../lib/log.ts";
import type { Server } from "../../lib/server/server.ts";
import { prng } from "../support/prng.ts";

/** An ACL over the real command table, without a running server. */
function newAcl(): Acl {
  const fake = {
    commands: new CommandTable(ALL_COMMANDS),
    config: loadConfig([]),
    clients: new Map(),
    log: new Logger(),
  };
  return new Acl(fake as unknown as Server);
}

function describeAll(acl: Acl): string[] {
  return acl.sortedUsers().map((u: User) => `${u.name} ${u.describe()}`);
}

const HASH_ERROR = "The password hash must be exactly 64 characters and contain only lowercase " +
  "hexadecimal characters";

const USERS: string[][] = [
  ["alice", "on", ">secret", "~k*", "%R~r*", "%W~w*", "&news.*", "+@read", "-get", "+set"],
  ["bob", "off", "nopass", "allkeys", "allchannels", "+@all", "-@dangerous", "-config|set"],
  ["carol", "on", "#" + "c".repeat(64), "-@all", "+select|0", "+select|3", "+client|id"],
  ["dave", "on", ">x", "+get", "~a", "(+set ~b &c)", "(+@hash %R~h*)"],
  ["erin", "skip-sanitize-payload", "+@all", "-@keyspace", "+del"],
  ["default", "on", ">dpw", "~*", "&*", "+@all", "-flushall"],
];

Deno.test("ACL file: saved text loads back to the same users", () => {
  const acl = newAcl();
  for (const [name, ...ops] of USERS) assertEquals(acl.setUser(name, ops, null), null);
  const text = acl.fileText();
  const again = newAcl();
  const path = Deno.makeTempFileSync({ suffix: ".acl" });
  try {
    Deno.writeTextFileSync(path, text);
    assertEquals(again.loadFile(path, null), null);
  } finally {
    Deno.removeSync(path);
  }
  assertEquals(describeAll(again), describeAll(acl));
  assertEquals(again.fileText(), text);
  // The default user object stays the same one (clients point at it).
  assert(again.users.get("default") === again.defaultUser);
  assert(!again.defaultUser.nopass);
});

Deno.test("ACL file: a broken file names every problem and changes nothing", () => {
  const acl = newAcl();
  assertEquals(acl.setUser("keep", ["on", ">pw", "+get"], null), null);
  const before = describeAll(acl);
  const path = Deno.makeTempFileSync({ suffix: ".acl" });
  try {
    Deno.writeTextFileSync(
      path,
      "user ok on >x +get\nnotuser x\nuser dave +nope\nuser bob on\nuser bob off\n" +
        "user eve (+get\nuser frank ~a ~*\n# a comment\nuser\nuser g ~* ~a\n",
    );
    const err = acl.loadFile(path, null);
    assertEquals(
      err,
      `${path}:2 should start with user keyword followed by the username. ` +
        `${path}:3: Error in applying operation '+nope': Unknown command or category name in ACL. ` +
        "WARNING: Duplicate user 'bob' found on line 5. " +
        `${path}:6: Unmatched parenthesis in selector definition.` +
        `${path}:8 should start with user keyword followed by the username. ` +
        `${path}:9 should start with user keyword followed by the username. ` +
        `${path}:10: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid ` +
        "and does not have any effect. Try 'resetkeys' to start with an empty list of patterns. " +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    );
    assertEquals(describeAll(acl), before);
    // Only unknown names are quoted in the errors (another rule may hold a password).
    Deno.writeTextFileSync(path, "user  a  on\nuser b +nope #x\nuser c #y\n");
    assertEquals(
      acl.loadFile(path, null),
      `${path}:1: Syntax error. ` +
        `${path}:2: Error in applying operation '+nope': Unknown command or category name in ACL. ` +
        `${path}:2: ${HASH_ERROR}. ${path}:3: ${HASH_ERROR}. ` +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
    );
    assertEquals(describeAll(acl), before);
    Deno.removeSync(path);
    assertEquals(
      acl.loadFile(path, null),
      `Error loading ACLs, opening file '${path}': No such file or directory`,
    );
  } finally {
    try {
      Deno.removeSync(path);
    } catch { /* removed above */ }
  }
});

/** A garbled variant of a good ACL file: random edits of its bytes and tokens. */
function garble(text: string, rnd: () => number): string {
  const tokens = [
    "user",
    "(",
    ")",
    "~",
    "%",
    "%R",
    "&",
    "+",
    "-",
    "@",
    "|",
    ">",
    "<",
    "#",
    "!",
    "\0",
    "\r",
    "\n",
    "\t",
    " ",
    '"',
    "'",
    "\\",
    "+@all",
    "reset",
    "(+get",
    "~*)",
    "\xff",
  ];
  let s = text;
  const edits = 1 + Math.floor(rnd() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (s.length + 1));
    const kind = Math.floor(rnd() * 5);
    if (kind === 0) s = s.slice(0, at); // truncated
    else if (kind === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 8));
    else if (kind === 2) {
      s = s.slice(0, at) + tokens[Math.floor(rnd() * tokens.length)] + s.slice(at);
    } else if (kind === 3) {
      s = s.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(at);
    } else s = s.slice(0, at) + "x".repeat(Math.floor(rnd() * 3000)) + s.slice(at);
  }
  return s;
}

Deno.test("ACL file: fuzzed files load whole or not at all, never throw", () => {
  const source = newAcl();
  for (const [name, ...ops] of USERS) source.setUser(name, ops, null);
  const good = source.fileText();
  const rnd = prng(14);
  const path = Deno.makeTempFileSync({ suffix: ".acl" });
  let refused = 0;
  try {
    for (let i = 0; i < 300; i++) {
      const acl = newAcl();
      acl.setUser("sentinel", ["on", ">pw", "+get"], null);
      const before = describeAll(acl);
      const bytes = garble(good, rnd);
      Deno.writeFileSync(path, Uint8Array.from(bytes, (ch) => ch.charCodeAt(0)));
      const err = acl.loadFile(path, null);
      if (err === null) {
        // Loaded: exactly the users the file names, the sentinel gone.
        assert(!acl.users.has("sentinel") || bytes.includes("user sentinel"));
        assert(acl.users.get("default") === acl.defaultUser);
      } else {
        refused++;
        assert(
          err.endsWith("no change to the previously active ACL rules was performed"),
          `a clear error: ${err}`,
        );
        assertEquals(describeAll(acl), before, "nothing changed");
      }
    }
  } finally {
    Deno.removeSync(path);
  }
  assert(refused > 50, `most garbled files are refused (${refused})`);
});

Deno.test("ACL: user lines of the configuration file, checked as Redis does", () => {
  assertEquals(checkUserDirective(["alice", "on", ">x", "+get"], []), null);
  assertEquals(checkUserDirective(["alice", "on", "+nope", "+@nope"], []), null);
  assertEquals(
    checkUserDirective(["bob", "on", "bogus"], []),
    "Error in user declaration 'bob': Syntax error",
  );
  assertEquals(
    checkUserDirective(["bob", "off"], [["bob", "on"]]),
    "Error in user declaration 'bob': Duplicate user found. A user can only be defined once " +
      "in config files",
  );
  assertEquals(
    checkUserDirective(["alice", "on", "(+get"], []),
    "Error in user declaration 'alice': Unknown command or category name in ACL",
  );
  assertEquals(
    checkUserDirective(["alice", "on", ">x", "#bad"], []),
    "Error in user declaration 'on': The password hash must be exactly 64 characters and " +
      "contain only lowercase hexadecimal characters",
  );
});
