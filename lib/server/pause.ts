/**
 * CLIENT PAUSE WRITE|ALL and CLIENT UNPAUSE: commands of paused kinds wait
 * (the client is postponed, as Redis's blockPostponeClient) until the pause
 * ends, then go through the dispatcher again.
 *
 * Skeleton (issue 14): the dispatcher asks only while a pause is active.
 */
import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";

/** Number of pauses in force on any server (one field read on the hot path). */
export let pausesActive = 0;

/** Adjusts pausesActive (+1 when a pause starts, -1 when it ends). */
export function countPause(n: 1 | -1): void {
  pausesActive += n;
}

/**
 * When `cmd` must wait for the pause on `c`'s server to end, a promise that
 * settles then; null to run it now.
 */
export function pausedUntil(_c: Client, _cmd: Command, _args: string[]): Promise<void> | null {
  return null;
}
