/** Commands of this group (to be filled in). */
import type { CommandSpec } from "./table.ts";

export const stringCommands: CommandSpec[] = [];
