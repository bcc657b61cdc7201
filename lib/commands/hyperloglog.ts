import type { CommandSpec } from "./table.ts";

/** HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. */
export const hyperLogLogCommands: CommandSpec[] = [];
