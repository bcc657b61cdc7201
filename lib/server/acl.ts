/**
 * Users of the access control list (Redis 7.0 ACL): their passwords, rules
 * and selectors, the registry of users, `user` lines and the ACL file.
 *
 * A user has flags, SHA-256 password hashes and selectors; the first
 * selector is the root one (rules given outside parentheses). A selector
 * holds a bitmap of allowed commands indexed by Command.id (plus Redis's
 * "future commands" bit set only by +@all), allowed first arguments of
 * otherwise denied commands, key patterns with read/write flags and channel
 * patterns. Descriptions (ACL LIST, GETUSER, ACL SAVE) are rebuilt from the
 * bitmap as Redis 7.0's ACLDescribeSelectorCommandRules does: +@all or -@all,
 * then the best-fitting categories, then single commands.
 * lib/server/aclcheck.ts checks a command against the selectors.
 */
import { createHash } from "node:crypto";
import type { Command } from "../commands/table.ts";
import { ACL_CATEGORIES, aclCategories } from "../commands/server.ts";
import { globMatch } from "../util/glob.ts";
import { splitArgs } from "../resp/splitargs.ts";
import type { Server } from "./server.ts";
import type { Client } from "./client.ts";

/** Key permission bit: the command reads the key (key spec flag access). */
export const ACL_READ = 1;
/** Key permission bit: the command writes the key (insert, delete, update). */
export const ACL_WRITE = 2;
const ACL_ALL = ACL_READ | ACL_WRITE;

/** A key pattern of a selector with its permissions (ACL_READ / ACL_WRITE). */
export interface KeyPattern {
  pattern: string;
  flags: number;
}

/** The reason a rule was refused (an errno of Redis's ACLSetUser), with Redis's text. */
export const ACL_RULE_ERRORS = {
  ENOENT: "Unknown command or category name in ACL",
  EINVAL: "Syntax error",
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does " +
    "not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and " +
    "does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: "The password you are trying to remove from the user does not exist",
  EBADMSG: "The password hash must be exactly 64 characters and contain only lowercase " +
    "hexadecimal characters",
  EALREADY: "Duplicate user found. A user can only be defined once in config files",
  ECHILD: "Allowing first-arg of a subcommand is not supported",
} as const;

/** Thrown by a rule Redis refuses; `message` is Redis's description of why. */
export class AclRuleError extends Error {}

/** SHA-256 of a binary string, as lowercase hex (how passwords are kept). */
export function hashPassword(password: string): string {
  return createHash("sha256").update(Buffer.from(password, "latin1")).digest("hex");
}

/** Redis's ACLCheckPasswordHash: 64 lowercase hex digits. */
function validHash(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** Redis's ACLStringHasSpaces (isspace or NUL anywhere). */
export function hasSpaces(s: string): boolean {
  return /[\0\t\n\v\f\r ]/.test(s);
}

/**
 * The commands of a server as the ACL sees them (Redis's orig_commands):
 * bitmap indexes and categories, computed once per command table.
 */
export class AclCommands {
  /** Top-level commands in table order (subcommands under each). */
  readonly top: Command[];
  /** Lowest Command.id of the table: bitmap index = id - base. */
  readonly base: number;
  /** Bitmap length (bits for every command and subcommand of the table). */
  readonly size: number;
  /** Category name -> mask of its commands (1 = in the category). */
  readonly #categories = new Map<string, Uint8Array>();
  /** Category names of each command, by bitmap index. */
  readonly categoriesOf: string[][];

  constructor(top: Command[]) {
    this.top = top;
    let min = Infinity;
    let max = -1;
    for (const cmd of this.each()) {
      min = Math.min(min, cmd.id);
      max = Math.max(max, cmd.id);
    }
    this.base = max < 0 ? 0 : min;
    this.size = max < 0 ? 0 : max - min + 1;
    this.categoriesOf = new Array(this.size);
    for (const name of ACL_CATEGORIES) this.#categories.set(name, new Uint8Array(this.size));
    for (const cmd of this.each()) {
      const cats = aclCategories(cmd);
      this.categoriesOf[cmd.id - this.base] = cats;
      for (const cat of cats) this.#categories.get(cat)![cmd.id - this.base] = 1;
    }
  }

  /** Every command then its subcommands, in table order. */
  *each(): Generator<Command> {
    for (const cmd of this.top) {
      yield cmd;
      if (cmd.subcommands !== null) yield* cmd.subcommands.values();
    }
  }

  /** True when `name` is one of Redis's categories (case-insensitive as Redis). */
  hasCategory(name: string): boolean {
    return this.#categories.has(name.toLowerCase());
  }

  /** True when the command with bitmap index `i` is in category `cat` (lowercase). */
  inCategory(cat: string, i: number): boolean {
    return this.#categories.get(cat)![i] === 1;
  }

  /** Redis's ACLLookupCommand: "get" or "config|get" (case-insensitive); null if unknown. */
  lookup(name: string): Command | null {
    const parts = name.toLowerCase().split("|");
    if (parts.length > 2) return null;
    const cmd = this.top.find((c) => c.spec.name === parts[0]) ?? null;
    if (cmd === null || parts.length === 1) return cmd;
    return cmd.subcommands?.get(parts[1]) ?? null;
  }
}

/** Selector flag: every key (allkeys, ~*). */
const SEL_ALLKEYS = 1;
/** Selector flag: every channel (allchannels, &*). */
const SEL_ALLCHANNELS = 2;
/** Selector flag: every command (allcommands, +@all, until any command is removed). */
const SEL_ALLCOMMANDS = 4;

/** Commands, keys and channels a user may use (Redis's aclSelector). */
export class Selector {
  flags = 0;
  /** Allowed commands by bitmap index (AclCommands: id - base). */
  bits: Uint8Array;
  /** Redis's reserved "future commands" bit: set by +@all / allcommands only. */
  future = false;
  /** Allowed first arguments (lowercase compare) of commands whose bit is clear, by index. */
  firstArgs: Map<number, string[]> | null = null;
  /** Key patterns in the order added (empty when allKeys). */
  keys: KeyPattern[] = [];
  /** Channel patterns in the order added (empty when allChannels). */
  channels: string[] = [];

  constructor(readonly table: AclCommands, readonly root: boolean, allChannels: boolean) {
    this.bits = new Uint8Array(table.size);
    if (allChannels) this.flags |= SEL_ALLCHANNELS;
  }

  /** May use every key (allkeys). */
  get allKeys(): boolean {
    return (this.flags & SEL_ALLKEYS) !== 0;
  }

  /** May use every channel (allchannels). */
  get allChannels(): boolean {
    return (this.flags & SEL_ALLCHANNELS) !== 0;
  }

  /** May run every command (allcommands, and nothing removed since). */
  get allCommands(): boolean {
    return (this.flags & SEL_ALLCOMMANDS) !== 0;
  }

  /** A deep copy (for ACL SETUSER's all-or-nothing application). */
  clone(): Selector {
    const s = new Selector(this.table, this.root, false);
    s.flags = this.flags;
    s.bits = this.bits.slice();
    s.future = this.future;
    if (this.firstArgs !== null) {
      s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    }
    s.keys = this.keys.map((k) => ({ ...k }));
    s.channels = [...this.channels];
    return s;
  }

  /** Bit of a command (false for a command of another table, as Redis's overflow). */
  hasBit(cmd: Command): boolean {
    const i = cmd.id - this.table.base;
    return i >= 0 && i < this.bits.length && this.bits[i] === 1;
  }

  /**
   * May run `cmd` with `args` (Redis's ACLSelectorCheckCmd command part):
   * its bit, or an allowed first argument; no_auth commands always.
   */
  allowsCommand(cmd: Command, args: string[]): boolean {
    if ((this.flags & SEL_ALLCOMMANDS) !== 0) return true;
    if (cmd.spec.flags.includes("no_auth")) return true;
    if (this.hasBit(cmd)) return true;
    const allowed = this.firstArgs?.get(cmd.id - this.table.base);
    if (allowed === undefined) return false;
    const idx = cmd.parent !== null ? 2 : 1;
    if (args.length <= idx) return false;
    const arg = args[idx].toLowerCase();
    return allowed.some((a) => a.toLowerCase() === arg);
  }

  /**
   * May use `key` with permissions `perm` (ACL_READ | ACL_WRITE bits from
   * the key spec; 0 = any pattern that matches).
   */
  allowsKey(key: string, perm: number): boolean {
    if ((this.flags & SEL_ALLKEYS) !== 0) return true;
    for (const p of this.keys) {
      if ((p.flags & perm) !== perm) continue;
      if (globMatch(p.pattern, key)) return true;
    }
    return false;
  }

  /**
   * May use `channel`; a pattern subscription (`isPattern`) needs the very
   * same pattern among the allowed ones, as Redis.
   */
  allowsChannel(channel: string, isPattern: boolean): boolean {
    if ((this.flags & SEL_ALLCHANNELS) !== 0) return true;
    for (const p of this.channels) {
      if (isPattern ? p === channel : globMatch(p, channel)) return true;
    }
    return false;
  }

  /** True when every command of the table, every key and every channel is allowed. */
  get everything(): boolean {
    if (
      (this.flags & SEL_ALLKEYS) === 0 &&
      !this.keys.some((k) => k.pattern === "*" && k.flags === ACL_ALL)
    ) {
      return false;
    }
    if ((this.flags & SEL_ALLCHANNELS) === 0 && !this.channels.includes("*")) return false;
    if ((this.flags & SEL_ALLCOMMANDS) !== 0) return true;
    return this.bits.every((b) => b === 1);
  }

  #setBit(i: number, allow: boolean): void {
    this.bits[i] = allow ? 1 : 0;
    if (!allow) this.flags &= ~SEL_ALLCOMMANDS;
  }

  /** Redis's ACLChangeSelectorPerm: the command and all its subcommands; first args reset. */
  changePerm(cmd: Command, allow: boolean): void {
    const i = cmd.id - this.table.base;
    if (i < 0 || i >= this.bits.length) return;
    this.#setBit(i, allow);
    this.firstArgs?.delete(i);
    if (cmd.subcommands !== null) {
      for (const sub of cmd.subcommands.values()) this.#setBit(sub.id - this.table.base, allow);
    }
  }

  /** Redis's ACLSetSelectorCommandBitsForCategory (the category is known). */
  changeCategory(category: string, allow: boolean): void {
    const t = this.table;
    for (const cmd of t.top) {
      if (t.inCategory(category, cmd.id - t.base)) this.changePerm(cmd, allow);
      if (cmd.subcommands === null) continue;
      for (const sub of cmd.subcommands.values()) {
        if (t.inCategory(category, sub.id - t.base)) this.changePerm(sub, allow);
      }
    }
  }

  #setAll(allow: boolean): void {
    this.bits.fill(allow ? 1 : 0);
    this.future = allow;
    if (allow) this.flags |= SEL_ALLCOMMANDS;
    else this.flags &= ~SEL_ALLCOMMANDS;
    this.firstArgs = null;
  }

  /**
   * Applies one selector rule (Redis's ACLSetSelector); throws AclRuleError
   * with Redis's reason when the rule is refused.
   */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === "allkeys" || op === "~*") {
      this.flags |= SEL_ALLKEYS;
      this.keys = [];
    } else if (lower === "resetkeys") {
      this.flags &= ~SEL_ALLKEYS;
      this.keys = [];
    } else if (lower === "allchannels" || op === "&*") {
      this.flags |= SEL_ALLCHANNELS;
      this.channels = [];
    } else if (lower === "resetchannels") {
      this.flags &= ~SEL_ALLCHANNELS;
      this.channels = [];
    } else if (lower === "allcommands" || lower === "+@all") {
      this.#setAll(true);
    } else if (lower === "nocommands" || lower === "-@all") {
      this.#setAll(false);
    } else if (op[0] === "~" || op[0] === "%") {
      this.#addKeyPattern(op);
    } else if (op[0] === "&") {
      if (this.allChannels) throw new AclRuleError(ACL_RULE_ERRORS.EISDIR);
      const pattern = op.slice(1);
      if (hasSpaces(pattern)) throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
      this.flags &= ~SEL_ALLCHANNELS;
    } else if (op[0] === "+" && op[1] !== "@") {
      this.#allowCommand(op.slice(1));
    } else if (op[0] === "-" && op[1] !== "@") {
      const cmd = this.table.lookup(op.slice(1));
      if (cmd === null) throw new AclRuleError(ACL_RULE_ERRORS.ENOENT);
      this.changePerm(cmd, false);
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const cat = lower.slice(2);
      if (!this.table.hasCategory(cat)) throw new AclRuleError(ACL_RULE_ERRORS.ENOENT);
      this.changeCategory(cat, op[0] === "+");
    } else {
      throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
    }
  }

  #addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(ACL_RULE_ERRORS.EEXIST);
    let flags = 0;
    let offset = 1;
    if (op[0] === "%") {
      for (; offset < op.length; offset++) {
        const ch = op[offset].toUpperCase();
        if (ch === "R" && (flags & ACL_READ) === 0) flags |= ACL_READ;
        else if (ch === "W" && (flags & ACL_WRITE) === 0) flags |= ACL_WRITE;
        else if (op[offset] === "~") {
          offset++;
          break;
        } else throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
      }
      if (flags === 0) throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
    } else {
      flags = ACL_ALL;
    }
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
    const found = this.keys.find((k) => k.pattern === pattern);
    if (found === undefined) this.keys.push({ pattern, flags });
    else found.flags |= flags;
    this.flags &= ~SEL_ALLKEYS;
  }

  #allowCommand(name: string): void {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const cmd = this.table.lookup(name);
      if (cmd === null) throw new AclRuleError(ACL_RULE_ERRORS.ENOENT);
      this.changePerm(cmd, true);
      return;
    }
    const cmd = this.table.lookup(name.slice(0, bar));
    if (cmd === null) throw new AclRuleError(ACL_RULE_ERRORS.ENOENT);
    if (cmd.parent !== null) throw new AclRuleError(ACL_RULE_ERRORS.ECHILD);
    const sub = name.slice(bar + 1);
    if (sub === "") throw new AclRuleError(ACL_RULE_ERRORS.EINVAL);
    if (cmd.subcommands !== null) {
      const subcmd = this.table.lookup(name);
      if (subcmd === null) throw new AclRuleError(ACL_RULE_ERRORS.ENOENT);
      this.changePerm(subcmd, true);
      return;
    }
    const i = cmd.id - this.table.base;
    this.firstArgs ??= new Map();
    const list = this.firstArgs.get(i);
    if (list === undefined) this.firstArgs.set(i, [sub]);
    else if (!list.some((a) => a.toLowerCase() === sub.toLowerCase())) list.push(sub);
  }

  /** Redis's ACLCountCategoryBitsForSelector over `bits`. */
  #count(bits: Uint8Array, cat: string): [on: number, off: number] {
    let on = 0;
    let off = 0;
    for (let i = 0; i < bits.length; i++) {
      if (!this.table.inCategory(cat, i)) continue;
      if (bits[i] === 1) on++;
      else off++;
    }
    return [on, off];
  }

  /**
   * The command rules as Redis 7.0 describes them (ACLDescribeSelectorCommandRules):
   * +@all or -@all, then the categories that fit best, then single commands
   * and first arguments, so that applying them rebuilds the same bitmap.
   */
  describeCommands(): string {
    const additive = !this.future;
    const rules: string[] = [additive ? "-@all" : "+@all"];
    const fake = new Selector(this.table, false, false);
    fake.#setAll(!additive);
    const temp = new Selector(this.table, false, false);
    temp.bits = this.bits.slice();
    const applied = new Set<string>();
    for (;;) {
      let best: string | null = null;
      let mindiff = Infinity;
      let maxsame = 0;
      for (const cat of ACL_CATEGORIES) {
        if (applied.has(cat)) continue;
        const [on, off] = this.#count(temp.bits, cat);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
          best = cat;
          mindiff = diff;
          maxsame = same;
        }
      }
      if (best === null) break;
      fake.changeCategory(best, additive);
      temp.changeCategory(best, !additive);
      rules.push(`${additive ? "+" : "-"}@${best}`);
      applied.add(best);
    }
    const t = this.table;
    const single = (cmd: Command) => {
      const i = cmd.id - t.base;
      const userbit = this.bits[i] === 1;
      if (userbit !== (fake.bits[i] === 1)) {
        rules.push(`${userbit ? "+" : "-"}${cmd.fullName}`);
        fake.changePerm(cmd, userbit);
      }
      if (cmd.subcommands !== null) { for (const sub of cmd.subcommands.values()) single(sub); }
      const args = this.firstArgs?.get(i);
      if (!userbit && args !== undefined) {
        for (const a of args) rules.push(`+${cmd.fullName}|${a}`);
      }
    };
    for (const cmd of t.top) single(cmd);
    return rules.join(" ");
  }

  /** Key patterns as GETUSER shows them ("~*", or "%R~a ~b"). */
  describeKeys(): string {
    if (this.allKeys) return "~*";
    return this.keys.map(patternString).join(" ");
  }

  /** Channel patterns as GETUSER shows them ("&*", or "&a &b"). */
  describeChannels(): string {
    if (this.allChannels) return "&*";
    return this.channels.map((p) => `&${p}`).join(" ");
  }

  /** The selector's rules as ACL LIST shows them (Redis's ACLDescribeSelector). */
  describe(): string {
    let res = "";
    if (this.allKeys) res += "~* ";
    else for (const k of this.keys) res += `${patternString(k)} `;
    if (this.allChannels) res += "&* ";
    else {
      res += "resetchannels ";
      for (const p of this.channels) res += `&${p} `;
    }
    return res + this.describeCommands();
  }
}

function patternString(k: KeyPattern): string {
  const prefix = k.flags === ACL_ALL ? "~" : k.flags === ACL_READ ? "%R~" : "%W~";
  return prefix + k.pattern;
}

const U_ENABLED = 1;
const U_DISABLED = 2;
const U_NOPASS = 4;
const U_SANITIZE_SKIP = 8;
const U_SANITIZE = 16;
/** Redis's ACLUserFlags, in the order descriptions list them. */
const USER_FLAG_NAMES: [number, string][] = [
  [U_ENABLED, "on"],
  [U_DISABLED, "off"],
  [U_NOPASS, "nopass"],
  [U_SANITIZE_SKIP, "skip-sanitize-payload"],
  [U_SANITIZE, "sanitize-payload"],
];

/** One user of the ACL (Redis's user struct). */
export class User {
  /** Redis's user flags (on/off, nopass, sanitize-payload). */
  flags = U_DISABLED;
  /** SHA-256 hex of each password, in the order added. */
  passwords = new Set<string>();
  /** The root selector first, then those added with "(...)". */
  selectors: Selector[];

  constructor(readonly name: string, readonly acl: Acl) {
    this.selectors = [new Selector(acl.table, true, acl.pubsubDefaultAll)];
    this.unrestricted = false;
  }

  /**
   * True while the user may run every command on every key and channel:
   * the dispatcher then skips the permission check (the default user's
   * usual state, so the common case costs one field read).
   */
  unrestricted: boolean;

  /** Enabled (on): clients may authenticate as this user. */
  get enabled(): boolean {
    return (this.flags & U_ENABLED) !== 0;
  }

  /** Any password works (nopass). */
  get nopass(): boolean {
    return (this.flags & U_NOPASS) !== 0;
  }

  /** The root selector (rules given outside parentheses). */
  get root(): Selector {
    return this.selectors[0];
  }

  /** Flag names as GETUSER lists them. */
  flagNames(): string[] {
    return USER_FLAG_NAMES.filter(([f]) => (this.flags & f) !== 0).map(([, n]) => n);
  }

  /** Recomputes `unrestricted` after a change of rules. */
  refresh(): void {
    this.unrestricted = this.selectors.some((s) => s.everything);
  }

  /** Copies flags, passwords and selectors of `src` (Redis's ACLCopyUser). */
  copyFrom(src: User): void {
    this.flags = src.flags;
    this.passwords = new Set(src.passwords);
    this.selectors = src.selectors.map((s) => s.clone());
    this.refresh();
  }

  /** A detached copy with the same rules. */
  clone(): User {
    const u = new User(this.name, this.acl);
    u.copyFrom(this);
    return u;
  }

  /** Checks a password against the user (Redis's ACLCheckUserCredentials minus the lookup). */
  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    return this.passwords.has(hashPassword(password));
  }

  /**
   * Applies one rule (Redis's ACLSetUser); throws AclRuleError with Redis's
   * reason when refused. `refresh()` afterwards.
   */
  apply(op: string): void {
    if (op.length === 0) return;
    const lower = op.toLowerCase();
    switch (lower) {
      case "on":
        this.flags = (this.flags | U_ENABLED) & ~U_DISABLED;
        return;
      case "off":
        this.flags = (this.flags | U_DISABLED) & ~U_ENABLED;
        return;
      case "skip-sanitize-payload":
        this.flags = (this.flags | U_SANITIZE_SKIP) & ~U_SANITIZE;
        return;
      case "sanitize-payload":
        this.flags = (this.flags | U_SANITIZE) & ~U_SANITIZE_SKIP;
        return;
      case "nopass":
        this.flags |= U_NOPASS;
        this.passwords.clear();
        return;
      case "resetpass":
        this.flags &= ~U_NOPASS;
        this.passwords.clear();
        return;
      case "clearselectors":
        this.selectors.length = 1;
        return;
      case "reset":
        this.apply("resetpass");
        this.apply("resetkeys");
        this.apply("resetchannels");
        if (this.acl.pubsubDefaultAll) this.apply("allchannels");
        this.apply("off");
        this.apply("sanitize-payload");
        this.apply("clearselectors");
        this.apply("-@all");
        return;
    }
    const first = op[0];
    if (first === ">" || first === "#") {
      const rest = op.slice(1);
      if (first === "#" && !validHash(rest)) throw new AclRuleError(ACL_RULE_ERRORS.EBADMSG);
      this.passwords.add(first === ">" ? hashPassword(rest) : rest);
      this.flags &= ~U_NOPASS;
    } else if (first === "<" || first === "!") {
      const rest = op.slice(1);
      if (first === "!" && !validHash(rest)) throw new AclRuleError(ACL_RULE_ERRORS.EBADMSG);
      if (!this.passwords.delete(first === "<" ? hashPassword(rest) : rest)) {
        throw new AclRuleError(ACL_RULE_ERRORS.ENODEV);
      }
    } else if (first === "(" && op[op.length - 1] === ")") {
      const s = new Selector(this.acl.table, false, this.acl.pubsubDefaultAll);
      for (const inner of splitArgs(op.slice(1, -1)) ?? []) s.apply(inner);
      this.selectors.push(s);
    } else {
      this.root.apply(op);
    }
  }

  /** The user's rules as ACL LIST and ACL SAVE show them (Redis's ACLDescribeUser). */
  describe(): string {
    let res = "";
    for (const f of this.flagNames()) res += `${f} `;
    for (const p of this.passwords) res += `#${p} `;
    for (const s of this.selectors) res += s.root ? s.describe() : ` (${s.describe()})`;
    return res;
  }
}

/** The users of one server (Redis's Users radix tree) and the default user. */
export class Acl {
  /** The ACL's view of the server's command table (built on first use). */
  #table: AclCommands | null = null;
  /** acl-pubsub-default is allchannels: new users and selectors get every channel. */
  pubsubDefaultAll = false;
  /** The default user, as a new server has it: on, nopass, everything allowed. */
  readonly defaultUser: User;
  /** Users by name (iteration order is not the listing order: see sortedUsers). */
  readonly users = new Map<string, User>();

  constructor(readonly server: Server | null = null) {
    this.defaultUser = Acl.createDefaultUser(this);
    this.users.set("default", this.defaultUser);
  }

  /** The default user's initial rules (Redis's ACLCreateDefaultUser). */
  static createDefaultUser(acl: Acl): User {
    const u = new User("default", acl);
    for (const op of ["+@all", "~*", "&*", "on", "nopass"]) u.apply(op);
    u.refresh();
    return u;
  }

  /** The command table as the ACL sees it. */
  get table(): AclCommands {
    if (this.#table === null) {
      this.#table = new AclCommands(this.server?.commands.all() ?? []);
    }
    return this.#table;
  }

  /** Users in Redis's listing order (its radix tree: byte order of names). */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((
      a,
      b,
    ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Clients authenticated as `user` (a fresh array: callers may close them). */
  clientsOf(user: User): Client[] {
    const out: Client[] = [];
    if (this.server === null) return out;
    for (const c of this.server.clients.values()) if (c.user === user) out.push(c);
    return out;
  }
}
