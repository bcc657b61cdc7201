import type { CommandSpec } from "./table.ts";

/** LATENCY and LOLWUT. */
export const latencyCommands: CommandSpec[] = [];
