import type { CommandSpec } from "./table.ts";

/** Geo commands: GEOADD, GEOSEARCH, GEORADIUS ... over sorted sets. */
export const geoCommands: CommandSpec[] = [];
