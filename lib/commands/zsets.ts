/** Sorted set commands: ZADD, ZRANGE, ZUNIONSTORE, ... */
import type { CommandSpec } from "./table.ts";

export const sortedSetCommands: CommandSpec[] = [];
