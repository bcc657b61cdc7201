import type { CommandSpec } from "./table.ts";

/** Stream commands: XADD, XRANGE, XREAD ... (Redis group "stream"). */
export const streamCommands: CommandSpec[] = [];
