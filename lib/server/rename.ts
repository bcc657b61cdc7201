/**
 * `rename-command` lines of the configuration file, as Redis 7.0 applies
 * them: checked line by line while the file loads (a fatal error names the
 * line: "No such command in rename-command", "Target command name already
 * exists"), then applied to the server's command table when it starts. A
 * renamed command keeps its own name wherever Redis shows it (COMMAND INFO,
 * COMMAND LIST, errors, INFO commandstats); renamed to "" it is gone.
 */
import { ALL_COMMANDS } from "../commands/index.ts";
import { type Config, ConfigError, directiveChecks } from "../config.ts";
import type { Server } from "./server.ts";

/** Top-level names as the lines read so far left them, per configuration being loaded. */
const namesSoFar = new WeakMap<Config, Set<string>>();

directiveChecks.set("rename-command", (config, args) => {
  if (args.length !== 2) return "Bad directive or wrong number of arguments";
  let names = namesSoFar.get(config);
  if (names === undefined) {
    names = new Set(ALL_COMMANDS.map((s) => s.name));
    namesSoFar.set(config, names);
  }
  const from = args[0].toLowerCase();
  if (!names.has(from)) return "No such command in rename-command";
  names.delete(from);
  if (args[1] === "") return null;
  const to = args[1].toLowerCase();
  if (names.has(to)) return "Target command name already exists";
  names.add(to);
  return null;
});

/** Applies the configuration's rename-command lines to `server`'s command table, in file order. */
export function applyRenames(server: Server): void {
  for (const d of server.config.directives) {
    if (d.name !== "rename-command") continue;
    const why = server.commands.rename(d.args[0], d.args[1]);
    if (why !== null) throw new ConfigError(why);
  }
}
