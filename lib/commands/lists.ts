/** List commands: LPUSH, LPOP, LRANGE, LMOVE, ... */
import type { Client } from "../server/client.ts";
import { type ListLimits, ListValue } from "../store/list.ts";
import { ERR_WRONGTYPE } from "./args.ts";
import type { CommandSpec } from "./table.ts";

/** list-max-listpack-size and list-compress-depth from the configuration. */
export function listLimits(c: Client): ListLimits {
  const config = c.server.config;
  return {
    maxListpackSize: config.num("list-max-listpack-size"),
    compressDepth: config.num("list-compress-depth"),
  };
}

/** The list at key for writing: undefined when missing, null after WRONGTYPE was replied. */
export function writeList(c: Client, key: string): ListValue | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.out.error(ERR_WRONGTYPE);
  return null;
}

export const listCommands: CommandSpec[] = [];
