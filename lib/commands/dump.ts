import type { CommandSpec } from "./table.ts";

/** DUMP, RESTORE and MIGRATE. */
export const dumpCommands: CommandSpec[] = [];
