/**
 * The ACL permission check of a command (Redis's ACLCheckAllPerm): the
 * command, its keys (read / write from the key specs) and its channels
 * against the client's user; NOPERM errors and ACL LOG entries.
 *
 * Skeleton (issue 14): called by the dispatcher only for restricted users.
 */
import type { Command } from "../commands/table.ts";
import type { Client } from "./client.ts";

/**
 * Checks `args` (command `cmd`) against `c.user`. Returns null when allowed,
 * else the error reply text (NOPERM ...), after logging it to ACL LOG.
 */
export function aclDenied(_c: Client, _cmd: Command, _args: string[]): string | null {
  return null;
}
