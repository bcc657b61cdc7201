/**
 * ACL (Redis 7.0): SETUSER, GETUSER, LIST, USERS, WHOAMI, DELUSER, GENPASS,
 * LOAD, SAVE and HELP; LOG, DRYRUN and CAT come from acl_inspect.ts. The
 * users themselves live in lib/server/acl.ts.
 */
import { randomHex } from "../util/random.ts";
import type { Client } from "../server/client.ts";
import type { Selector } from "../server/acl.ts";
import { ERR_NOT_INTEGER, parseInt64 } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { cArg, type CommandSpec, defineCommand } from "./table.ts";
import { ACL_INSPECT_SUBCOMMANDS } from "./acl_inspect.ts";

const ERR_NO_ACLFILE = "ERR This Redis instance is not configured to use an ACL file. You may " +
  "want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming " +
  "you have a Redis configuration file set) in order to store users in the Redis configuration.";
const GENPASS_MAX_BITS = 4096;

function aclSetuser(c: Client, args: string[]): void {
  const err = c.server.acl.setUser(args[2], args.slice(3), c);
  if (err !== null) return c.out.error(`ERR ${err}`);
  c.out.ok();
}

function aclDeluser(c: Client, args: string[]): void {
  const names = args.slice(2);
  if (names.includes("default")) return c.out.error("ERR The 'default' user cannot be removed");
  c.out.int(c.server.acl.deleteUsers(names, c));
}

/** GETUSER's commands / keys / channels fields of one selector. */
function replySelector(c: Client, s: Selector): void {
  c.out.bulk("commands");
  c.out.bulk(s.describeCommands());
  c.out.bulk("keys");
  c.out.bulk(s.describeKeys());
  c.out.bulk("channels");
  c.out.bulk(s.describeChannels());
}

function aclGetuser(c: Client, args: string[]): void {
  const u = c.server.acl.users.get(args[2]);
  if (u === undefined) return c.out.nullBulk();
  const out = c.out;
  out.map(6);
  out.bulk("flags");
  const flags = u.flagNames();
  out.set(flags.length);
  for (const f of flags) out.bulk(f);
  out.bulk("passwords");
  out.array(u.passwords.size);
  for (const p of u.passwords) out.bulk(p);
  replySelector(c, u.root);
  out.bulk("selectors");
  out.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    out.map(3);
    replySelector(c, s);
  }
}

function aclList(c: Client): void {
  const users = c.server.acl.sortedUsers();
  c.out.array(users.length);
  for (const u of users) c.out.bulk(`user ${u.name} ${u.describe()}`);
}

function aclUsers(c: Client): void {
  const users = c.server.acl.sortedUsers();
  c.out.array(users.length);
  for (const u of users) c.out.bulk(u.name);
}

function aclWhoami(c: Client): void {
  c.out.bulk(c.user.name);
}

function aclGenpass(c: Client, args: string[]): void {
  if (args.length > 3) {
    return c.out.error(
      `ERR unknown subcommand or wrong number of arguments for '${cArg(args[1])}'. Try ACL HELP.`,
    );
  }
  let bits = 256;
  if (args.length === 3) {
    const n = parseInt64(args[2]);
    if (n === null) return c.out.error(ERR_NOT_INTEGER);
    bits = Number(n);
  }
  if (bits <= 0 || bits > GENPASS_MAX_BITS) {
    return c.out.error(
      "ERR ACL GENPASS argument must be the number of bits for the output password, " +
        `a positive number up to ${GENPASS_MAX_BITS}`,
    );
  }
  c.out.bulk(randomHex(Math.floor((bits + 3) / 4)));
}

/** The aclfile option, or null (after replying the error) when none is set. */
function aclFile(c: Client): string | null {
  const path = c.server.config.str("aclfile");
  if (path === "") {
    c.out.error(ERR_NO_ACLFILE);
    return null;
  }
  return path;
}

function aclLoad(c: Client): void {
  const path = aclFile(c);
  if (path === null) return;
  const err = c.server.acl.loadFile(path, c);
  if (err !== null) return c.out.error(`ERR ${err}`);
  c.out.ok();
}

function aclSave(c: Client): void {
  const path = aclFile(c);
  if (path === null) return;
  if (!c.server.acl.saveFile(path)) {
    return c.out.error(
      "ERR There was an error trying to save the ACLs. Please check the server logs for more " +
        "information",
    );
  }
  c.out.ok();
}

const ACL_HELP = [
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
];

function aclHelp(c: Client): void {
  replyHelp(c, "ACL", ACL_HELP);
}

const ADMIN = "admin noscript loading stale";

const aclSpec = defineCommand({
  name: "acl",
  arity: -2,
  flags: "",
  group: "server",
  since: "6.0.0",
  summary: "A container for Access List Control commands ",
  complexity: "Depends on subcommand.",
  subcommands: [
    {
      name: "setuser",
      arity: -3,
      flags: ADMIN,
      since: "6.0.0",
      summary: "Modify or create the rules for a specific ACL user",
      complexity: "O(N). Where N is the number of rules provided.",
      syntax: "username [rule [rule ...]]",
      history: [
        ["6.2.0", "Added Pub/Sub channel patterns."],
        ["7.0.0", "Added selectors and key based permissions."],
      ],
      args: "username rule?*",
      handler: aclSetuser,
    },
    {
      name: "getuser",
      arity: 3,
      flags: ADMIN,
      since: "6.0.0",
      summary: "Get the rules for a specific ACL user",
      complexity: "O(N). Where N is the number of password, command and pattern rules that " +
        "the user has.",
      syntax: "username",
      history: [
        ["6.2.0", "Added Pub/Sub channel patterns."],
        [
          "7.0.0",
          "Added selectors and changed the format of key and channel patterns from a list to " +
          "their rule representation.",
        ],
      ],
      handler: aclGetuser,
    },
    {
      name: "deluser",
      arity: -3,
      flags: ADMIN,
      since: "6.0.0",
      summary: "Remove the specified ACL users and the associated rules",
      complexity: "O(1) amortized time considering the typical user.",
      syntax: "username [username ...]",
      handler: aclDeluser,
    },
    {
      name: "list",
      arity: 2,
      flags: ADMIN,
      since: "6.0.0",
      summary: "List the current ACL rules in ACL config file format",
      complexity: "O(N). Where N is the number of configured users.",
      handler: aclList,
    },
    {
      name: "users",
      arity: 2,
      flags: ADMIN,
      since: "6.0.0",
      summary: "List the username of all the configured ACL rules",
      complexity: "O(N). Where N is the number of configured users.",
      handler: aclUsers,
    },
    {
      name: "whoami",
      arity: 2,
      flags: "noscript loading stale",
      since: "6.0.0",
      summary: "Return the name of the user associated to the current connection",
      complexity: "O(1)",
      handler: aclWhoami,
    },
    {
      name: "genpass",
      arity: -2,
      flags: "noscript loading stale",
      since: "6.0.0",
      summary: "Generate a pseudorandom secure password to use for ACL users",
      complexity: "O(1)",
      syntax: "[bits]",
      args: "bits.integer?",
      handler: aclGenpass,
    },
    {
      name: "load",
      arity: 2,
      flags: ADMIN,
      since: "6.0.0",
      summary: "Reload the ACLs from the configured ACL file",
      complexity: "O(N). Where N is the number of configured users.",
      handler: aclLoad,
    },
    {
      name: "save",
      arity: 2,
      flags: ADMIN,
      since: "6.0.0",
      summary: "Save the current ACL rules in the configured ACL file",
      complexity: "O(N). Where N is the number of configured users.",
      handler: aclSave,
    },
    {
      name: "help",
      arity: 2,
      flags: "loading stale",
      since: "6.0.0",
      summary: "Show helpful text about the different subcommands",
      complexity: "O(1)",
      handler: aclHelp,
    },
  ],
});
aclSpec.subcommands!.push(...ACL_INSPECT_SUBCOMMANDS);

/** The ACL command (its LOG, DRYRUN and CAT subcommands from acl_inspect.ts). */
export const aclCommands: CommandSpec[] = [aclSpec];
