import type { CommandSpec } from "./table.ts";

/** Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD. */
export const bitmapCommands: CommandSpec[] = [];
