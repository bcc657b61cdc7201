/**
 * The bound on replies of repeated random picks (HRANDFIELD, SRANDMEMBER and
 * ZRANDMEMBER with a negative count): Redis 7.0.15 builds such a reply
 * whatever its size — a count like -4611686018427387903 grows it until the
 * process runs out of memory, since normal clients have no output buffer
 * limit by default. redeno drops the client instead once the reply passes
 * this size, as Redis does past a configured output buffer limit.
 */
import type { Client } from "../server/client.ts";

/** Reply bytes one command of repeated random picks may write before its client is dropped. */
export const RANDOM_REPLY_LIMIT = 64 * 1024 * 1024;

/**
 * True (after dropping what the command wrote since `mark` and marking the
 * client to be closed) once the reply begun at `mark` outgrew
 * RANDOM_REPLY_LIMIT: the caller stops picking and returns.
 */
export function randomReplyOverflowed(c: Client, mark: number): boolean {
  if (c.out.length - mark <= RANDOM_REPLY_LIMIT) return false;
  c.out.truncate(mark);
  c.closeAfterReply = true;
  return true;
}
