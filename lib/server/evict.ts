/**
 * maxmemory: eviction before commands (Redis's performEvictions) with the
 * eight policies, and the OOM refusal of denyoom commands.
 *
 * Skeleton (issue 14): called by the dispatcher only when maxmemory is set.
 */
import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";

/**
 * Frees memory down to maxmemory if it can, before `cmd` runs. Returns
 * null to run the command, or the OOM error text to refuse it.
 */
export function evictBeforeCommand(_c: Client, _cmd: Command): string | null {
  return null;
}
