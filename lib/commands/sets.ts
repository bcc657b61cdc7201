/** Set commands: SADD, SREM, SINTER, SSCAN, ... */
import type { Client } from "../server/client.ts";
import type { SetLimits } from "../store/set.ts";
import type { CommandSpec } from "./table.ts";

/** set-max-intset-entries, as configured now. */
export function setLimits(c: Client): SetLimits {
  return { maxIntsetEntries: c.server.config.num("set-max-intset-entries") };
}

export const setCommands: CommandSpec[] = [];
