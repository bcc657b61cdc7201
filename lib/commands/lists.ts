/** List commands: LPUSH, LPOP, LRANGE, LMOVE, ... */
import type { CommandSpec } from "./table.ts";

export const listCommands: CommandSpec[] = [];
