/**
 * ACL LOG, ACL DRYRUN and ACL CAT: the subcommands of ACL that look at the
 * permission check rather than at users (the ACL container command in
 * lib/commands/acl.ts includes them). The check and the log live in
 * lib/server/aclcheck.ts.
 */
import type { Client } from "../server/client.ts";
import { aclLog, cString, dryRunRefusal, reasonName } from "../server/aclcheck.ts";
import { ERR_NOT_INTEGER, parseInt64 } from "./args.ts";
import { ACL_CATEGORIES, aclCategories } from "./server.ts";
import { cArg, type Command, type CommandSpec, defineCommand } from "./table.ts";

/** Redis's addReplySubcommandSyntaxError for ACL. */
function syntaxError(c: Client, args: string[]): void {
  c.out.error(
    `ERR unknown subcommand or wrong number of arguments for '${cString(args[1])}'. Try ACL HELP.`,
  );
}

/** ACL LOG [count | RESET]: the newest entries first (ten by default). */
function aclLogCommand(c: Client, args: string[]): void {
  if (args.length > 3) return syntaxError(c, args);
  const log = aclLog(c.server);
  let count = 10;
  if (args.length === 3) {
    if (args[2].toLowerCase() === "reset") {
      log.length = 0;
      return c.out.ok();
    }
    const n = parseInt64(args[2]);
    if (n === null) return c.out.error(ERR_NOT_INTEGER);
    count = Math.max(Number(n), 0);
  }
  count = Math.min(count, log.length);
  const out = c.out;
  const now = Date.now();
  out.array(count);
  for (let i = 0; i < count; i++) {
    const e = log[i];
    out.map(7);
    out.bulk("count");
    out.int(e.count);
    out.bulk("reason");
    out.bulk(reasonName(e.reason));
    out.bulk("context");
    out.bulk(e.context);
    out.bulk("object");
    out.bulk(e.object);
    out.bulk("username");
    out.bulk(e.username);
    out.bulk("age-seconds");
    out.double((now - e.time) / 1000);
    out.bulk("client-info");
    out.bulk(e.clientInfo);
  }
}

/** ACL DRYRUN username command [arg ...]: OK, or why the user may not run it. */
function aclDryrun(c: Client, args: string[]): void {
  const user = c.server.acl.users.get(args[2]);
  if (user === undefined) return c.out.error(`ERR User '${cString(args[2])}' not found`);
  const argv = args.slice(3);
  // Redis's lookupCommand: a container with arguments means its subcommand.
  let cmd: Command | undefined = c.server.commands.get(argv[0]);
  if (cmd !== undefined && cmd.subcommands !== null && argv.length > 1) {
    cmd = cmd.subcommands.get(argv[1].toLowerCase());
  }
  if (cmd === undefined) return c.out.error(`ERR Command '${cString(argv[0])}' not found`);
  const arity = cmd.spec.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) {
    return c.out.error(`ERR wrong number of arguments for '${cmd.fullName}' command`);
  }
  const refusal = dryRunRefusal(user, cmd, argv);
  if (refusal === null) c.out.ok();
  else c.out.bulk(refusal);
}

/** ACL CAT [category]: the categories, or the commands and subcommands in one. */
function aclCat(c: Client, args: string[]): void {
  if (args.length > 3) return syntaxError(c, args);
  if (args.length === 2) {
    c.out.array(ACL_CATEGORIES.length);
    for (const cat of ACL_CATEGORIES) c.out.bulk(cat);
    return;
  }
  const cat = args[2].toLowerCase();
  if (!ACL_CATEGORIES.includes(cat)) {
    return c.out.error(`ERR Unknown category '${cArg(args[2])}'`);
  }
  const names: string[] = [];
  const visit = (cmd: Command): void => {
    if (aclCategories(cmd).includes(cat)) names.push(cmd.fullName);
    if (cmd.subcommands !== null) { for (const sub of cmd.subcommands.values()) visit(sub); }
  };
  for (const cmd of c.server.commands.all()) visit(cmd);
  c.out.array(names.length);
  for (const name of names) c.out.bulk(name);
}

const INSPECT = "admin noscript loading stale";

/** ACL LOG, DRYRUN and CAT, as subcommand specs for the ACL container (lib/commands/acl.ts). */
export const ACL_INSPECT_SUBCOMMANDS: CommandSpec[] = [
  defineCommand({
    name: "log",
    arity: -2,
    flags: INSPECT,
    group: "server",
    since: "6.0.0",
    summary: "List latest events denied because of ACLs in place",
    complexity: "O(N) with N being the number of entries shown.",
    syntax: "[count | RESET]",
    args: "operation.oneof?(count.integer reset'RESET')",
    handler: aclLogCommand,
  }),
  defineCommand({
    name: "dryrun",
    arity: -4,
    flags: INSPECT,
    group: "server",
    since: "7.0.0",
    summary:
      "Returns whether the user can execute the given command without executing the command.",
    complexity: "O(1).",
    syntax: "username command [arg [arg ...]]",
    args: "username command arg?*",
    handler: aclDryrun,
  }),
  defineCommand({
    name: "cat",
    arity: -2,
    flags: "noscript loading stale",
    group: "server",
    since: "6.0.0",
    summary: "List the ACL categories or the commands inside a category",
    complexity: "O(1) since the categories and commands are a fixed set.",
    syntax: "[categoryname]",
    handler: aclCat,
  }),
];
