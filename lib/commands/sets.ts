/** Set commands: SADD, SREM, SINTER, SSCAN, ... */
import type { CommandSpec } from "./table.ts";

export const setCommands: CommandSpec[] = [];
