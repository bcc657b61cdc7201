import type { CommandSpec } from "./table.ts";

/** Stream consumer groups: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO. */
export const streamGroupCommands: CommandSpec[] = [];
