/**
 * Users of the access control list (Redis 7.0 ACL): their passwords, rules
 * and selectors, the registry of users, `user` lines and the ACL file.
 *
 * Skeleton (issue 14): the shape the dispatcher relies on. The ACL helper
 * fills in the rules; lib/server/aclcheck.ts checks a command against them.
 */

/** One user of the ACL (Redis's user struct). */
export class User {
  constructor(readonly name: string) {}

  /**
   * True while the user may run every command on every key and channel:
   * the dispatcher then skips the permission check (the default user's
   * usual state, so the common case costs one field read).
   */
  unrestricted = true;
}

/** The users of one server (Redis's Users radix tree) and the default user. */
export class Acl {
  /** The default user, as a new server has it: on, nopass, everything allowed. */
  readonly defaultUser = new User("default");
  readonly users = new Map<string, User>([["default", this.defaultUser]]);
}
