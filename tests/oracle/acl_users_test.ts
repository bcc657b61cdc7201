/**
 * ACL users against Redis 7.0: the SETUSER grammar and its errors, GETUSER /
 * LIST / USERS / WHOAMI replies (RESP2 and RESP3), AUTH and HELLO AUTH,
 * requirepass as the default user's password, DELUSER of connected users,
 * pub/sub clients losing channel rights, acl-pubsub-default and the ACL file.
 *
 * Redis lists single-command rules in the order of its command dict, which
 * is seeded at random per process, so replies that show several single
 * commands are compared with those runs sorted (sameRules); every other
 * reply is compared byte for byte.
 */
import { assert, assertEquals } from "@std/assert";
import { type Oracle, oracleTest } from "../support/oracle.ts";
import { type Decoded, RespClient } from "../support/resp_client.ts";
import { prng } from "../support/prng.ts";
import {
  redisServerPath,
  runRedenoToExit,
  runRedisToExit,
  startRedeno,
  startRedis,
  type TestServer,
} from "../support/servers.ts";

/** Sorts each run of single-command rules ("+get", "-config|set") in a description. */
function normalizeRules(s: string): string {
  // Parentheses of selectors apart, so "+set)" sorts with its run.
  const tokens = s.replaceAll("(", "( ").replaceAll(")", " )").split(" ");
  const single = (t: string) => /^[+-][^@]/.test(t) && !t.endsWith(")");
  for (let i = 0; i < tokens.length;) {
    if (!single(tokens[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < tokens.length && single(tokens[j])) j++;
    tokens.splice(i, j - i, ...tokens.slice(i, j).sort());
    i = j;
  }
  return tokens.join(" ").replaceAll("( ", "(").replaceAll(" )", ")");
}

function normalize(v: Decoded): unknown {
  if (typeof v === "string") return normalizeRules(v);
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return [...v].map(([k, x]) => [normalize(k), normalize(x)]);
  if (v instanceof Set) return [...v].map(normalize);
  if (v instanceof Error) return `ERR:${v.message}`;
  return v;
}

/** Same reply on both servers up to the order of single-command rules. */
async function sameRules(o: Oracle, ...args: string[]): Promise<void> {
  const [mine, theirs] = await Promise.all([o.redeno.value(...args), o.redis.value(...args)]);
  assertEquals(normalize(mine), normalize(theirs), `reply to ${JSON.stringify(args)}`);
}

/** Reads until the connection closes (true) or stays quiet for 10 s (false). */
async function closes(c: RespClient): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const { closed } = await c.drain(100);
    if (closed) return true;
  }
  return false;
}

oracleTest("oracle: ACL default user, LIST, USERS, GETUSER, WHOAMI, HELP", async (o) => {
  await o.sameAll([
    ["ACL", "LIST"],
    ["ACL", "USERS"],
    ["ACL", "GETUSER", "default"],
    ["ACL", "GETUSER", "nobody"],
    ["ACL", "WHOAMI"],
    ["ACL", "HELP"],
    ["ACL"],
    ["ACL", "NOPE"],
    ["ACL", "LIST", "x"],
    ["ACL", "GETUSER"],
    ["ACL", "SETUSER"],
    ["ACL", "DELUSER"],
    ["ACL", "WHOAMI", "x"],
    ["ACL", "GENPASS", "0"],
    ["ACL", "GENPASS", "4097"],
    ["ACL", "GENPASS", "x"],
    ["ACL", "GENPASS", "1", "2"],
    ["ACL", "LOAD"],
    ["ACL", "SAVE"],
  ]);
  const [mine, theirs] = await o.connectPair();
  for (const c of [mine, theirs]) await c.call("HELLO", "3");
  for (const cmd of [["ACL", "GETUSER", "default"], ["ACL", "GETUSER", "nobody"]]) {
    assertEquals(await mine.call(...cmd), await theirs.call(...cmd));
  }
  for (const c of [mine, theirs]) c.close();
  // GENPASS: hex digits, (bits + 3) / 4 of them.
  for (const bits of ["1", "5", "256", "4096"]) {
    const pass = await o.redeno.value("ACL", "GENPASS", bits) as string;
    assertEquals(pass.length, Math.floor((Number(bits) + 3) / 4));
    assert(/^[0-9a-f]+$/.test(pass));
  }
});

oracleTest("oracle: ACL SETUSER rules and GETUSER / LIST descriptions", async (o) => {
  const users: string[][] = [
    ["u0"],
    ["u1", "on", ">p1", ">p2", ">p1", "<p2"],
    ["u2", "on", "nopass", "~a*", "%R~r*", "%W~w*", "%RW~rw*", "%R~a*", "&ch1", "&ch*"],
    ["u3", "allkeys", "allchannels", "allcommands"],
    ["u4", "~*", "&*", "+@all", "-get"],
    ["u5", "+get", "-get", "+set"],
    ["u6", "+select|0", "+select|1", "+SELECT|0"],
    ["u7", "+config|get", "+client|id"],
    ["u8", "+@all", "-config|set"],
    ["u9", "+config", "-config|set"],
    ["u10", "~a", "resetkeys", "~b", "&x", "resetchannels", "&y"],
    ["u11", "#" + "a".repeat(64), "!" + "a".repeat(64), "#" + "b".repeat(64)],
    ["u12", "on", ">pw", "nopass"],
    ["u13", "nopass", ">pw", "resetpass"],
    ["u14", "+get", "~k", "(+set ~s &c)", "(+del", "~d)"],
    ["u15", "+get", "(+set ~s)", "clearselectors", "(+hget ~h)"],
    ["u16", "on", ">x", "~a", "+get", "(+set)", "reset"],
    ["u17", "skip-sanitize-payload"],
    ["u18", "sanitize-payload", "off", "on"],
    ["u19", "%R~x", "%W~x", "%R~y", "%RW~*", "~z"],
    ["u20", "", "nocommands", "allcommands", "nocommands", "+ping"],
    ["u21", "-@all", "+select|0", "+select"],
    // Descriptions rebuilt from categories (Redis's best-fit search over the command table).
    ["c1", "+@read"],
    ["c2", "+@all", "-@dangerous"],
    ["c3", "+@read", "+@write", "-@keyspace", "+del"],
    ["c4", "+@hash", "+@string", "-hset"],
    ["c5", "+@all", "-@write", "+set"],
    ["c6", "+@fast", "-@slow", "+@pubsub"],
    ["c7", "+@admin", "+@connection", "-@dangerous"],
    ["c8", "+@scripting", "+@transaction", "+@blocking"],
    ["c9", "+@all", "-@keyspace", "-@admin", "+config|get", "-client|kill"],
  ];
  for (const u of users) await o.same("ACL", "SETUSER", ...u);
  await sameRules(o, "ACL", "LIST");
  await o.same("ACL", "USERS");
  for (const u of users) await sameRules(o, "ACL", "GETUSER", u[0]);
  // Updating an existing user keeps what is not mentioned.
  await o.same("ACL", "SETUSER", "u1", "~k2", "+get");
  await o.same("ACL", "SETUSER", "u1", ">p3");
  await sameRules(o, "ACL", "GETUSER", "u1");
  const [mine, theirs] = await o.connectPair();
  for (const c of [mine, theirs]) await c.call("HELLO", "3");
  for (const u of ["u2", "u14", "u11"]) {
    assertEquals(await mine.call("ACL", "GETUSER", u), await theirs.call("ACL", "GETUSER", u));
  }
  for (const c of [mine, theirs]) c.close();
});

oracleTest("oracle: seeded random SETUSER sequences, GETUSER and LIST as Redis's", async (o) => {
  const names = [
    "get",
    "set",
    "select",
    "config",
    "config|get",
    "config|set",
    "client",
    "client|kill",
    "debug",
    "hset",
    "del",
    "flushall",
    "acl|setuser",
    "ping",
    "subscribe",
    "publish",
    "eval",
    "multi",
    "keys",
    "scan",
    "asking",
    "wait",
    "cluster|nodes",
    "role",
  ];
  const cats = [
    "read",
    "write",
    "keyspace",
    "admin",
    "dangerous",
    "fast",
    "slow",
    "string",
    "hash",
    "list",
    "set",
    "sortedset",
    "pubsub",
    "scripting",
    "connection",
    "all",
    "nope",
    "blocking",
    "transaction",
    "geo",
    "stream",
    "bitmap",
    "hyperloglog",
  ];
  const rnd = prng(1407);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const rule = (): string => {
    switch (Math.floor(rnd() * 12)) {
      case 0:
        return `+${pick(names)}`;
      case 1:
        return `-${pick(names)}`;
      case 2:
        return `+@${pick(cats)}`;
      case 3:
        return `-@${pick(cats)}`;
      case 4:
        return `+${pick(["select", "debug", "get", "config", "client"])}|${
          pick(["0", "x", "get", "ID"])
        }`;
      case 5:
        return pick([
          "allcommands",
          "nocommands",
          "allkeys",
          "resetkeys",
          "allchannels",
          "resetchannels",
          "on",
          "off",
          "nopass",
          "resetpass",
          "reset",
          "clearselectors",
          "sanitize-payload",
          "skip-sanitize-payload",
          "ON",
          "AllKeys",
        ]);
      case 6:
        return `${pick(["~", "%R~", "%W~", "%RW~", "%", "%WR~", "%RR~"])}${
          pick(["a*", "b", "*", ""])
        }`;
      case 7:
        return `&${pick(["c*", "d", "*", ""])}`;
      case 8:
        return `${pick([">", "<"])}${pick(["p1", "p2"])}`;
      case 9:
        return `(${rule()} ${rule()})`;
      case 10:
        return pick(["#" + "e".repeat(64), "!" + "e".repeat(64), "#bad", "bogus", "", "()"]);
      default:
        return pick(["(", ")", "(+get", "~x)"]);
    }
  };
  for (let i = 0; i < 250; i++) {
    const user = pick(["f1", "f2", "f3"]);
    await o.same(
      "ACL",
      "SETUSER",
      user,
      ...Array.from({ length: 1 + Math.floor(rnd() * 6) }, rule),
    );
    await sameRules(o, "ACL", "GETUSER", user);
  }
  await sameRules(o, "ACL", "LIST");
});

oracleTest("oracle: ACL SETUSER errors change nothing", async (o) => {
  await o.same("ACL", "SETUSER", "e", "on", ">keep", "~k");
  const bad: string[][] = [
    ["+nope"],
    ["+@nope"],
    ["-@nope"],
    ["-nope"],
    ["+config|nope"],
    ["+config|get|x"],
    ["-select|0"],
    ["+select|0|1"],
    ["+debug|"],
    ["bogus"],
    ["%RX~a"],
    ["%~a"],
    ["%"],
    ["~a b"],
    ["&a\tb"],
    ["<notthere"],
    ["!" + "c".repeat(64)],
    ["#abc"],
    ["#" + "A".repeat(64)],
    ["!xyz"],
    ["(bogus)"],
    ["(+get", "~a"],
    ["on", "(+get"],
    ["allkeys", "~a"],
    ["allchannels", "&a"],
    ["off", "+get", "+nope"],
  ];
  for (const rules of bad) await o.same("ACL", "SETUSER", "e", ...rules);
  await o.same("ACL", "SETUSER", "a b");
  await o.same("ACL", "SETUSER", "a\0b");
  await o.same("ACL", "GETUSER", "e");
  await o.same("ACL", "SETUSER", "new", "+nope");
  await o.same("ACL", "USERS");
  await o.same("ACL", "DELUSER", "default");
  await o.same("ACL", "DELUSER", "e", "default");
  await o.same("ACL", "DELUSER", "e", "e", "nobody");
  await o.same("ACL", "USERS");
});

oracleTest("oracle: AUTH and HELLO AUTH against ACL users", async (o) => {
  await o.sameAll([
    ["AUTH", "x"],
    ["ACL", "SETUSER", "alice", "on", ">secret", "+@all", "~*"],
    ["ACL", "SETUSER", "bob", ">pw"],
    ["ACL", "SETUSER", "carol", "on", "nopass", "+@all"],
    ["AUTH", "alice", "wrong"],
    ["AUTH", "nobody", "secret"],
    ["AUTH", "bob", "pw"],
    ["AUTH", "alice", "secret"],
    ["ACL", "WHOAMI"],
    ["AUTH", "carol", "anything"],
    ["ACL", "WHOAMI"],
    ["AUTH", "a", "b", "c"],
    ["HELLO", "2", "AUTH", "alice", "nope"],
    ["HELLO", "2", "AUTH", "alice", "secret", "SETNAME", "me", "EXTRA"],
    ["HELLO", "2", "AUTH", "alice", "secret", "SETNAME", "bad name"],
    ["ACL", "WHOAMI"],
    ["CLIENT", "GETNAME"],
    ["HELLO", "2", "SETNAME", "n2", "AUTH", "alice", "bad"],
    ["CLIENT", "GETNAME"],
    ["HELLO", "2", "AUTH", "alice"],
    ["AUTH", "default", "whatever"],
    ["ACL", "WHOAMI"],
    ["ACL", "SETUSER", "default", ">dpw"],
    ["AUTH", "bad"],
    ["AUTH", "dpw"],
    ["ACL", "SETUSER", "default", "nopass"],
    ["RESET"],
    ["ACL", "WHOAMI"],
  ]);
  // A client that must authenticate: NOAUTH until it does.
  await o.same("ACL", "SETUSER", "default", "resetpass", ">dpw");
  const [mine, theirs] = await o.connectPair();
  for (
    const cmd of [
      ["GET", "k"],
      ["ACL", "WHOAMI"],
      ["HELLO", "3"],
      ["HELLO", "3", "AUTH", "alice", "bad"],
      ["ACL", "WHOAMI"],
      ["HELLO", "2", "SETNAME", "early"],
      ["RESET"],
      ["GET", "k"],
      ["AUTH", "dpw"],
      ["CLIENT", "GETNAME"],
      ["ACL", "WHOAMI"],
    ]
  ) {
    assertEquals(await mine.call(...cmd), await theirs.call(...cmd), JSON.stringify(cmd));
  }
  // HELLO AUTH authenticates (its reply names the client id, which differs).
  for (const c of [mine, theirs]) {
    const reply = await c.call("HELLO", "2", "AUTH", "alice", "secret", "SETNAME", "me");
    assert(reply.startsWith("*14\r\n"), reply);
  }
  for (const cmd of [["ACL", "WHOAMI"], ["CLIENT", "GETNAME"]]) {
    assertEquals(await mine.call(...cmd), await theirs.call(...cmd), JSON.stringify(cmd));
  }
  for (const c of [mine, theirs]) c.close();
  // A client that never authenticated stays so when the default user becomes nopass: HELLO
  // still refuses it (commands run: nothing is required any more).
  const [m3, t3] = await o.connectPair();
  await o.same("ACL", "SETUSER", "default", "nopass");
  for (const cmd of [["HELLO", "2"], ["PING"], ["ACL", "WHOAMI"]]) {
    assertEquals(await m3.call(...cmd), await t3.call(...cmd), JSON.stringify(cmd));
  }
  for (const c of [m3, t3]) c.close();
  await o.same("ACL", "SETUSER", "default", "resetpass", ">dpw", "off");
  const [m2, t2] = await o.connectPair();
  for (const cmd of [["PING"], ["AUTH", "dpw"], ["AUTH", "alice", "secret"], ["PING"]]) {
    assertEquals(await m2.call(...cmd), await t2.call(...cmd), JSON.stringify(cmd));
  }
  for (const c of [m2, t2]) c.close();
});

oracleTest("oracle: requirepass is the default user's password", async (o) => {
  await o.sameAll([
    ["CONFIG", "SET", "requirepass", "rp"],
    ["ACL", "LIST"],
    ["CONFIG", "GET", "requirepass"],
    ["AUTH", "rp"],
    ["ACL", "SETUSER", "default", ">other"],
    ["CONFIG", "GET", "requirepass"],
    ["ACL", "LIST"],
    ["CONFIG", "SET", "requirepass", "rp2"],
    ["ACL", "LIST"],
    ["AUTH", "other"],
    ["AUTH", "rp2"],
    ["CONFIG", "SET", "requirepass", ""],
    ["ACL", "LIST"],
    ["AUTH", "x"],
  ]);
}, { args: ["--requirepass", "start"] });

oracleTest("oracle: requirepass given at start-up", async (o) => {
  const [mine, theirs] = await o.connectPair();
  for (const cmd of [["PING"], ["AUTH", "start"], ["ACL", "LIST"], ["ACL", "WHOAMI"]]) {
    assertEquals(await mine.call(...cmd), await theirs.call(...cmd), JSON.stringify(cmd));
  }
  for (const c of [mine, theirs]) c.close();
}, { args: ["--requirepass", "start"] });

oracleTest("oracle: ACL DELUSER closes the user's connections", async (o) => {
  await o.same("ACL", "SETUSER", "gone", "on", ">pw", "+@all", "~*", "&*");
  const pairs = [await o.connectPair(), await o.connectPair()];
  for (const pair of pairs) {
    for (const c of pair) assertEquals(await c.call("AUTH", "gone", "pw"), "+OK\r\n");
  }
  await o.same("ACL", "DELUSER", "gone");
  for (const pair of pairs) {
    for (const c of pair) assert(await closes(c), "the deleted user's client is closed");
  }
  // A client deleting its own user gets the reply, then the connection closes.
  await o.same("ACL", "SETUSER", "self", "on", ">pw", "+@all", "~*", "&*");
  const [mine, theirs] = await o.connectPair();
  for (const c of [mine, theirs]) await c.call("AUTH", "self", "pw");
  assertEquals(
    await mine.call("ACL", "DELUSER", "self"),
    await theirs.call("ACL", "DELUSER", "self"),
  );
  assert(await closes(mine));
  assert(await closes(theirs));
  // Changing a user's rules (other than channels) keeps its clients.
  await o.same("ACL", "SETUSER", "stay", "on", ">pw", "+@all", "~*", "&*");
  const [m2, t2] = await o.connectPair();
  for (const c of [m2, t2]) await c.call("AUTH", "stay", "pw");
  await o.same("ACL", "SETUSER", "stay", "-@all", "+ping", "resetpass", "off");
  for (const c of [m2, t2]) {
    assertEquals(await c.call("ACL", "WHOAMI"), await t2.call("ACL", "WHOAMI"));
  }
  assertEquals(await m2.call("PING"), await t2.call("PING"));
  for (const c of [m2, t2]) c.close();
});

oracleTest("oracle: subscribers losing channel rights are disconnected", async (o) => {
  await o.same(
    "ACL",
    "SETUSER",
    "ps",
    "on",
    ">pw",
    "+@all",
    "~*",
    "resetchannels",
    "&news.*",
    "&chat",
  );
  const subscribe = async (cmd: string[]) => {
    const pair = await o.connectPair();
    for (const c of pair) {
      await c.call("AUTH", "ps", "pw");
      await c.call(...cmd);
    }
    return pair;
  };
  const exact = await subscribe(["SUBSCRIBE", "chat"]);
  const glob = await subscribe(["SUBSCRIBE", "news.today"]);
  const pattern = await subscribe(["PSUBSCRIBE", "news.*"]);
  // Adding a channel keeps everyone.
  await o.same("ACL", "SETUSER", "ps", "&more");
  for (const pair of [exact, glob, pattern]) {
    for (const c of pair) assertEquals(await c.call("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  }
  // Dropping "chat": only its subscriber goes.
  await o.same("ACL", "SETUSER", "ps", "resetchannels", "&news.*", "&more");
  for (const c of exact) assert(await closes(c), "the chat subscriber is closed");
  for (const pair of [glob, pattern]) {
    for (const c of pair) assertEquals(await c.call("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  }
  // A narrower glob: the pattern subscriber needs its literal pattern, the channel one a match.
  await o.same("ACL", "SETUSER", "ps", "resetchannels", "&news.to*");
  for (const c of pattern) assert(await closes(c), "the pattern subscriber is closed");
  for (const c of glob) assertEquals(await c.call("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  await o.same("ACL", "SETUSER", "ps", "allchannels");
  for (const c of glob) c.close();
  // From allchannels to a list: subscribers to a channel still allowed stay, others go.
  const y = await subscribe(["SUBSCRIBE", "y"]);
  const z = await subscribe(["SUBSCRIBE", "z"]);
  await o.same("ACL", "SETUSER", "ps", "resetchannels", "&y");
  for (const c of z) assert(await closes(c), "the z subscriber is closed");
  for (const c of y) assertEquals(await c.call("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  for (const c of y) c.close();
});

oracleTest("oracle: acl-pubsub-default allchannels", async (o) => {
  await o.sameAll([
    ["CONFIG", "GET", "acl-pubsub-default"],
    ["ACL", "SETUSER", "before"],
    ["CONFIG", "SET", "acl-pubsub-default", "allchannels"],
    ["ACL", "SETUSER", "after", "(+get)"],
    ["ACL", "SETUSER", "reset1", "&x", "reset"],
    ["ACL", "LIST"],
    ["CONFIG", "SET", "acl-pubsub-default", "bogus"],
    ["CONFIG", "SET", "acl-pubsub-default", "resetchannels"],
    ["ACL", "SETUSER", "reset2", "reset"],
    ["ACL", "LIST"],
  ]);
});

/** Starts redeno and Redis, each in its own directory holding `file` as users.acl. */
async function withAclFile(
  file: string,
  fn: (mine: RespClient, theirs: RespClient, dirs: [string, string]) => Promise<void>,
  extra: string[] = [],
): Promise<void> {
  const dirs: [string, string] = [
    Deno.makeTempDirSync({ prefix: "redeno-acl-" }),
    Deno.makeTempDirSync({ prefix: "redis-acl-" }),
  ];
  for (const d of dirs) Deno.writeTextFileSync(`${d}/users.acl`, file);
  const args = ["--aclfile", "users.acl", ...extra];
  const theirsServer = await startRedis({ dir: dirs[1], args });
  if (theirsServer === null) return;
  let mineServer: TestServer | null = null;
  try {
    mineServer = await startRedeno({ dir: dirs[0], args });
    const mine = await RespClient.connect(mineServer.port);
    const theirs = await RespClient.connect(theirsServer.port);
    try {
      await fn(mine, theirs, dirs);
    } finally {
      mine.close();
      theirs.close();
    }
  } finally {
    await mineServer?.stop();
    await theirsServer.stop();
  }
}

Deno.test("oracle: aclfile at start-up, ACL SAVE and ACL LOAD", async () => {
  const file = "user alice on #" + "a".repeat(64) +
    " ~k* &c +get +set\n\nuser default on nopass ~* &* +@all\n";
  await withAclFile(file, async (mine, theirs, dirs) => {
    const both = async (...cmd: string[]) => {
      const [a, b] = [await mine.value(...cmd), await theirs.value(...cmd)];
      assertEquals(normalize(a), normalize(b), JSON.stringify(cmd));
    };
    await both("ACL", "LIST");
    await both("ACL", "SETUSER", "bob", "on", ">pw", "+@all", "-get", "~*");
    await both("ACL", "SAVE");
    const saved = dirs.map((d) =>
      Deno.readTextFileSync(`${d}/users.acl`).split("\n").map(normalizeRules)
    );
    assertEquals(saved[0], saved[1]);
    // A broken file is refused as a whole with every problem named.
    const broken = "user carol on >x +get\nnotuser x\nuser dave +nope\nuser bob on\n" +
      "user bob off\nuser eve (+get\nuser frank ~a ~*\n";
    for (const d of dirs) Deno.writeTextFileSync(`${d}/users.acl`, broken);
    await both("ACL", "LOAD");
    await both("ACL", "LIST");
    // A good file replaces everyone; clients of users that went away are closed.
    for (const d of dirs) Deno.writeTextFileSync(`${d}/users.acl`, "user zed on nopass +@all ~*\n");
    await both("AUTH", "bob", "pw");
    await both("ACL", "LOAD");
    assert(await closes(mine), "redeno closes a client whose user ACL LOAD removed");
    assert(await closes(theirs), "Redis closes a client whose user ACL LOAD removed");
  });
});

oracleTest("oracle: user lines of the configuration", async (o) => {
  await sameRules(o, "ACL", "LIST");
  const [mine, theirs] = await o.connectPair();
  for (const cmd of [["PING"], ["AUTH", "alice", "pw"], ["ACL", "WHOAMI"], ["FLUSHALL"]]) {
    assertEquals(await mine.call(...cmd), await theirs.call(...cmd), JSON.stringify(cmd));
  }
  for (const c of [mine, theirs]) c.close();
}, {
  args: [
    "--user",
    "alice",
    "on",
    ">pw",
    "~*",
    "+@all",
    "(+get",
    "~x)",
    "--user",
    "default",
    "on",
    ">dpw",
    "~*",
    "&*",
    "+@all",
    "-flushall",
    "--user",
    "bob",
    "+get",
  ],
});

/** Both servers refuse to start with `args`; each printed `expected`. */
async function bothRefuse(args: string[], expected: string[], dirFile?: string): Promise<void> {
  if (redisServerPath() === null) return;
  for (const run of [runRedenoToExit, runRedisToExit]) {
    const dir = Deno.makeTempDirSync({ prefix: "acl-start-" });
    if (dirFile !== undefined) Deno.writeTextFileSync(`${dir}/users.acl`, dirFile);
    const { code, output } = await run({ dir, args });
    assertEquals(code, 1, `${run.name} exit code; output: ${output}`);
    for (const line of expected) {
      assert(
        output.includes(line.replaceAll("DIR", dir)),
        `${run.name} printed ${line}: ${output}`,
      );
    }
  }
}

Deno.test("oracle: ACL start-up errors", async () => {
  await bothRefuse(["--user", "alice", "on", "--aclfile", "users.acl"], [
    "Configuring Redis with users defined in redis.conf and at the same setting an ACL file " +
    "path is invalid. This setup is very likely to lead to configuration errors and security " +
    "holes, please define either an ACL file or declare users directly in your redis.conf, but " +
    "not both.",
  ], "user a on\n");
  await bothRefuse(["--user", "alice", "on", "+nope"], [
    "Error loading ACL rule '+nope' for the user named 'alice': Unknown command or category " +
    "name in ACL",
    "Critical error while loading ACLs. Exiting.",
  ]);
  await bothRefuse(["--user", "bob", "on", "bogus"], [
    "Error in user declaration 'bob': Syntax error",
  ]);
  await bothRefuse(["--user", "bob", "on", "--user", "bob", "off"], [
    "Error in user declaration 'bob': Duplicate user found. A user can only be defined once in " +
    "config files",
  ]);
  await bothRefuse(["--aclfile", "missing.acl"], [
    "Aborting Redis startup because of ACL errors: Error loading ACLs, opening file " +
    "'missing.acl': No such file or directory",
  ]);
  await bothRefuse(["--aclfile", "users.acl"], [
    "Aborting Redis startup because of ACL errors: users.acl:2: Error in applying operation " +
    "'+nope': Unknown command or category name in ACL. WARNING: ACL errors detected, no change " +
    "to the previously active ACL rules was performed",
  ], "user a on\nuser b +nope\n");
});
