/** Sorted set algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD. */
import type { CommandSpec } from "./table.ts";

export const sortedSetAlgebraCommands: CommandSpec[] = [];
