/**
 * MODULE: redeno loads no modules. As Redis 7.0 with none loaded: LIST is
 * empty, LOAD / LOADEX fail ("Error loading the extension") after logging
 * why, UNLOAD finds no such module; LOAD, LOADEX and UNLOAD are protected by
 * enable-module-command (refused with Redis's text unless "yes", or "local"
 * from a loopback client).
 */
import type { Client } from "../server/client.ts";
import { type CommandSpec, defineCommand } from "./table.ts";
import { replyHelp } from "./connection.ts";

const ERR_LOAD = "ERR Error loading the extension. Please check the server logs.";

function moduleList(c: Client): void {
  c.out.array(0);
}

function moduleLoad(c: Client, args: string[]): void {
  c.server.log.warning(
    `Module ${args[2]} failed to load: redeno cannot load Redis modules`,
  );
  c.out.error(ERR_LOAD);
}

/** LOADEX path [CONFIG name value ...] [ARGS arg ...]: its arguments are read as Redis does, then it fails. */
function moduleLoadex(c: Client, args: string[]): void {
  for (let i = 3; i < args.length; i++) {
    const a = args[i].toLowerCase();
    if (a === "args") break;
    if (a === "config") {
      if (i + 2 >= args.length) {
        c.server.log.notice("CONFIG specified without name value pair");
        return c.out.error(ERR_LOAD);
      }
      i += 2;
      continue;
    }
    c.server.log.notice(`Syntax Error from arguments to loadex around ${args[i]}.`);
    return c.out.error(ERR_LOAD);
  }
  moduleLoad(c, args);
}

function moduleUnload(c: Client): void {
  c.out.error("ERR Error unloading module: no such module with that name");
}

const MODULE_HELP = [
  "LIST",
  "    Return a list of loaded modules.",
  "LOAD <path> [<arg> ...]",
  "    Load a module library from <path>, passing to it any optional arguments.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    Load a module library from <path>, while passing it module configurations and optional arguments.",
  "UNLOAD <name>",
  "    Unload a module.",
];

const GUARD = "enable-module-command";

/** The MODULE container. */
export const moduleCommands: CommandSpec[] = [
  defineCommand({
    name: "module",
    arity: -2,
    flags: "",
    group: "server",
    since: "4.0.0",
    summary: "A container for module commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "list",
        arity: 2,
        flags: "admin noscript",
        since: "4.0.0",
        summary: "List all modules loaded by the server",
        complexity: "O(N) where N is the number of loaded modules.",
        tips: "nondeterministic_output_order",
        handler: moduleList,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        handler: (c) => replyHelp(c, "MODULE", MODULE_HELP),
      },
      {
        name: "load",
        arity: -3,
        flags: "admin noscript no_async_loading",
        since: "4.0.0",
        summary: "Load a module",
        complexity: "O(1)",
        syntax: "path [arg [arg ...]]",
        protectedBy: GUARD,
        args: "path arg?*",
        handler: moduleLoad,
      },
      {
        name: "loadex",
        arity: -3,
        flags: "admin noscript no_async_loading",
        since: "7.0.0",
        summary: "Load a module with extended parameters",
        complexity: "O(1)",
        syntax: "path [CONFIG name value [value ...]] [ARGS args [args ...]]",
        protectedBy: GUARD,
        args: "path configs'CONFIG'.block?*+(name value) args'ARGS'.block?*(arg)",
        handler: moduleLoadex,
      },
      {
        name: "unload",
        arity: 3,
        flags: "admin noscript no_async_loading",
        since: "4.0.0",
        summary: "Unload a module",
        complexity: "O(1)",
        syntax: "name",
        protectedBy: GUARD,
        handler: moduleUnload,
      },
    ],
  }),
];
