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
import { Command, defineCommand } from "../commands/table.ts";
import { ACL_CATEGORIES, aclCategories } from "../commands/server.ts";
import { globMatch } from "../util/glob.ts";
import { splitArgs } from "../resp/splitargs.ts";
import { osErrorText } from "../util/oserror.ts";
import { directiveChecks } from "../config.ts";
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

  constructor(served: Command[]) {
    const absent = served.length === 0 ? [] : absentCommands(served);
    this.top = [...served, ...absent.map(([cmd]) => cmd)];
    const absentCategories = new Map<Command, string[]>();
    for (const [cmd, cats] of absent) {
      absentCategories.set(cmd, cats[0]);
      let i = 1;
      for (const sub of cmd.subcommands?.values() ?? []) absentCategories.set(sub, cats[i++]);
    }
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
    for (const name of ACL_CATEGORIES) this.#fit.set(name, new Uint8Array(this.size));
    for (const cmd of this.each()) {
      const cats = absentCategories.get(cmd) ?? aclCategories(cmd);
      this.categoriesOf[cmd.id - this.base] = cats;
      for (const cat of cats) this.#categories.get(cat)![cmd.id - this.base] = 1;
      if (EXTRA_COMMANDS.has(cmd.fullName)) continue;
      for (const cat of cats) this.#fit.get(cat)![cmd.id - this.base] = 1;
    }
  }

  /** Category masks without EXTRA_COMMANDS: what describeCommands counts. */
  readonly #fit = new Map<string, Uint8Array>();

  /** True when the command with bitmap index `i` counts for category `cat` in a description. */
  countsFor(cat: string, i: number): boolean {
    return this.#fit.get(cat)![i] === 1;
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

/**
 * Commands of Redis 7.0.15 that redeno does not serve (replication and
 * cluster), with their ACL categories: they stay in the ACL's bitmaps as in
 * Redis's, so rules naming them are accepted and descriptions (which fit
 * categories by counting their commands) come out as Redis's. Never runnable.
 */
const ABSENT_COMMANDS: [name: string, categories: string, subcommands?: [string, string][]][] = [
  ["wait", "slow connection"],
  ["failover", "admin slow dangerous"],
  ["replicaof", "admin slow dangerous"],
  ["slaveof", "admin slow dangerous"],
  ["replconf", "admin slow dangerous"],
  ["psync", "admin slow dangerous"],
  ["sync", "admin slow dangerous"],
  ["role", "admin fast dangerous"],
  ["readonly", "fast connection"],
  ["readwrite", "fast connection"],
  ["asking", "fast connection"],
  ["cluster", "slow", [
    ...[
      "forget",
      "count-failure-reports",
      "delslots",
      "meet",
      "flushslots",
      "reset",
      "saveconfig",
      "replicas",
      "setslot",
      "set-config-epoch",
      "bumpepoch",
      "slaves",
      "delslotsrange",
      "addslots",
      "addslotsrange",
      "failover",
      "replicate",
    ].map((n): [string, string] => [n, "admin slow dangerous"]),
    ...[
      "help",
      "getkeysinslot",
      "slots",
      "nodes",
      "shards",
      "keyslot",
      "info",
      "links",
      "countkeysinslot",
      "myid",
    ].map((n): [string, string] => [n, "slow"]),
  ]],
];

/**
 * Commands redeno serves that Redis 7.0.15 lacks: left out of the counts
 * that fit categories to a description (Redis's counts do not have them),
 * so descriptions stay Redis's.
 */
const EXTRA_COMMANDS = new Set(["client|setinfo", "snapshot"]);

/**
 * Extra commands descriptions never name (as Redis's cannot): CLIENT
 * SETINFO only sets what CLIENT LIST shows, so after ACL SAVE and LOAD it
 * may follow the user's "client" and @connection rules instead of its own.
 */
const UNDESCRIBED = new Set(["client|setinfo"]);

/**
 * ABSENT_COMMANDS that `served` still lacks, as Command objects (fresh ids)
 * with their categories, subcommands after (a command redeno comes to serve
 * counts once, as its own).
 */
function absentCommands(served: Command[]): [Command, string[][]][] {
  const have = new Set(served.map((cmd) => cmd.spec.name));
  return ABSENT_COMMANDS.filter(([name]) => !have.has(name)).map(([name, cats, subs]) => {
    const spec = defineCommand({
      name,
      arity: -1,
      flags: "",
      group: "server",
      summary: "",
      since: "",
      subcommands: subs?.map(([sub]) => ({
        name: sub,
        arity: -2,
        flags: "",
        summary: "",
        since: "",
      })),
    });
    return [
      new Command(spec),
      [cats.split(" "), ...(subs ?? []).map(([, c]) => c.split(" "))],
    ];
  });
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
    s.#described = this.#described;
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

  /** describeCommands' last answer, until the commands allowed change. */
  #described: string | null = null;

  #setBit(i: number, allow: boolean): void {
    this.#described = null;
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
    this.#described = null;
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
    this.#described = null;
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
      if (!this.table.countsFor(cat, i)) continue;
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
    return this.#described ??= this.#describeCommands();
  }

  #describeCommands(): string {
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
        if (!UNDESCRIBED.has(cmd.fullName)) rules.push(`${userbit ? "+" : "-"}${cmd.fullName}`);
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

  /**
   * Applies the options the ACL follows (at start-up, and on CONFIG SET of
   * requirepass or acl-pubsub-default).
   */
  configure(name?: string): void {
    const config = this.server?.config;
    if (config === undefined) return;
    if (name === undefined || name === "requirepass") {
      this.setRequirepass(config.str("requirepass"));
    }
    if (name === undefined || name === "acl-pubsub-default") {
      this.pubsubDefaultAll = config.str("acl-pubsub-default") === "allchannels";
    }
  }

  /**
   * Loads the users of `user` directives or of the ACL file at start-up
   * (Redis's ACLLoadUsersAtStartup); throws an Error with the log text
   * Redis exits with.
   */
  loadAtStartup(): void {
    const server = this.server;
    if (server === null) return;
    const lines = server.config.directives.filter((d) => d.name === "user");
    const file = server.config.str("aclfile");
    if (file !== "" && lines.length !== 0) {
      throw new Error(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file " +
          "path is invalid. This setup is very likely to lead to configuration errors and " +
          "security holes, please define either an ACL file or declare users directly in your " +
          "redis.conf, but not both.",
      );
    }
    for (const { args } of lines) {
      const name = args[0] ?? "";
      if (hasSpaces(name)) {
        server.log.warning("Spaces not allowed in ACL usernames");
        throw new Error("Critical error while loading ACLs. Exiting.");
      }
      let u = this.users.get(name);
      if (u === undefined) {
        u = new User(name, this);
        this.users.set(name, u);
      } else {
        u.apply("reset");
      }
      const merged = mergeSelectorArgs(args.slice(1));
      for (const op of typeof merged === "number" ? [] : merged) {
        try {
          u.apply(op);
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          server.log.warning(
            `Error loading ACL rule '${op}' for the user named '${name}': ${e.message}`,
          );
          throw new Error("Critical error while loading ACLs. Exiting.");
        }
      }
      u.refresh();
      if (!u.enabled) {
        server.log.notice(
          `The user '${name}' is disabled (there is no 'on' modifier in the user description). ` +
            "Make sure this is not a configuration error.",
        );
      }
    }
    if (file !== "") {
      const errors = this.loadFile(file, null);
      if (errors !== null) {
        throw new Error(`Aborting Redis startup because of ACL errors: ${errors}`);
      }
    }
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

  /**
   * ACL SETUSER: applies `ops` to a copy of the user (a new one if absent)
   * and keeps it only when every rule is valid. Returns Redis's error text
   * (without the ERR prefix) or null. `current` is the client running it.
   */
  setUser(name: string, ops: string[], current: Client | null): string | null {
    if (hasSpaces(name)) return "Usernames can't contain spaces or null characters";
    const merged = mergeSelectorArgs(ops);
    if (typeof merged === "number") {
      return `Unmatched parenthesis in acl selector starting at '${ops[merged]}'.`;
    }
    const existing = this.users.get(name) ?? null;
    const temp = existing !== null ? existing.clone() : new User(name, this);
    for (const op of merged) {
      try {
        temp.apply(op);
      } catch (e) {
        if (!(e instanceof AclRuleError)) throw e;
        return `Error in ACL SETUSER modifier '${op}': ${e.message}`;
      }
    }
    if (existing !== null) {
      this.#killPubsubClientsIfNeeded(temp, existing, current);
      existing.copyFrom(temp);
    } else {
      temp.refresh();
      this.users.set(name, temp);
    }
    return null;
  }

  /**
   * Redis's ACLKillPubsubClientsIfNeeded: when `next` no longer grants a
   * channel `old` granted, the user's pub/sub clients subscribed to a
   * channel (or pattern) `next` does not allow are closed.
   */
  #killPubsubClientsIfNeeded(next: User, old: User, current: Client | null): void {
    if (next.selectors.some((s) => s.allChannels)) return;
    const upcoming = next.selectors.flatMap((s) => s.channels);
    // Nothing was taken away when every old pattern is still there (and none was allchannels).
    const kept = old.selectors.every((s) =>
      !s.allChannels && s.channels.every((p) => upcoming.includes(p))
    );
    if (kept) return;
    const allowed = (name: string, literal: boolean) =>
      upcoming.some((p) => (literal ? p === name : globMatch(p, name)));
    for (const c of this.clientsOf(old)) {
      const subs = c.subscriptions;
      if (subs === null || !subs.mode) continue;
      let kill = false;
      for (const p of subs.pattern) if (!allowed(p, true)) kill = true;
      for (const ch of subs.channel) if (!allowed(ch, false)) kill = true;
      for (const ch of subs.shard) if (!allowed(ch, false)) kill = true;
      if (kill) closeClient(c, current);
    }
  }

  /**
   * ACL DELUSER: removes the named users (not "default": the caller checks)
   * and closes their clients. Returns how many existed.
   */
  deleteUsers(names: string[], current: Client | null): number {
    let deleted = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      this.#dropClientsOf(u, current);
      deleted++;
    }
    return deleted;
  }

  /** Redis's ACLFreeUserAndKillClients: the user's clients fall back to default, then close. */
  #dropClientsOf(u: User, current: Client | null): void {
    for (const c of this.clientsOf(u)) {
      c.user = this.defaultUser;
      c.authenticated = false;
      closeClient(c, current);
    }
  }

  /**
   * requirepass (at start-up and CONFIG SET): the default user's password
   * (Redis's ACLUpdateDefaultUserPassword); empty means nopass.
   */
  setRequirepass(password: string): void {
    const u = this.defaultUser;
    u.apply("resetpass");
    u.apply(password === "" ? "nopass" : `>${password}`);
    u.refresh();
  }

  /** True when clients must authenticate (Redis's default user is not nopass, or is off). */
  get authRequired(): boolean {
    return !this.defaultUser.nopass || !this.defaultUser.enabled;
  }

  /**
   * The users of an ACL file (Redis's ACLLoadFromFile), all or nothing:
   * returns null when loaded, else Redis's one-line description of every
   * problem (the users are then unchanged). `current` is the client running
   * ACL LOAD (closed after its reply when its user goes away).
   */
  loadFile(path: string, current: Client | null): string | null {
    let text: string;
    try {
      text = new TextDecoder("latin1").decode(Deno.readFileSync(path));
    } catch (e) {
      return `Error loading ACLs, opening file '${path}': ${osErrorText(e)}`;
    }
    const parsed = this.parseFile(asReadByFgets(text), path);
    if (typeof parsed === "string") return parsed;
    // The default user object stays (clients point at it): it takes the new rules.
    const newDefault = parsed.get("default") ?? Acl.createDefaultUser(this);
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.users.clear();
    for (const [name, u] of parsed) if (name !== "default") this.users.set(name, u);
    this.defaultUser.copyFrom(newDefault);
    this.users.set("default", this.defaultUser);
    for (const u of old) this.#dropClientsOf(u, current);
    return null;
  }

  /**
   * Parses ACL file text into fresh users (not installed), or returns the
   * errors as Redis words them, ending with its "no change" warning.
   */
  parseFile(text: string, path: string): Map<string, User> | string {
    const users = new Map<string, User>();
    let errors = "";
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const linenum = i + 1;
      const line = trimChars(lines[i], " \t\r\n");
      if (line === "") continue;
      const argv = line.split(" ");
      if (argv[0] !== "user" || argv.length < 2) {
        errors += `${path}:${linenum} should start with user keyword followed by the username. `;
        continue;
      }
      const name = argv[1];
      if (hasSpaces(name)) {
        errors += `'${path}:${linenum}: username '${name}' contains invalid characters. `;
        continue;
      }
      if (users.has(name)) {
        errors += `WARNING: Duplicate user '${name}' found on line ${linenum}. `;
        continue;
      }
      const u = new User(name, this);
      users.set(name, u);
      const merged = mergeSelectorArgs(argv.slice(2));
      if (typeof merged === "number") {
        errors += `${path}:${linenum}: Unmatched parenthesis in selector definition.`;
        continue;
      }
      for (const op of merged) {
        try {
          u.apply(trimChars(op, "\t\r\n"));
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          // Only unknown names are quoted (another rule may hold a password).
          errors += e.message === ACL_RULE_ERRORS.ENOENT
            ? `${path}:${linenum}: Error in applying operation '${op}': ${e.message}. `
            : `${path}:${linenum}: ${e.message}. `;
        }
      }
      u.refresh();
    }
    if (errors !== "") {
      return errors +
        "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";
    }
    return users;
  }

  /** The ACL file text for the current users (Redis's ACLSaveToFile content). */
  fileText(): string {
    return this.sortedUsers().map((u) => `user ${u.name} ${u.describe()}\n`).join("");
  }

  /** ACL SAVE: writes the users to `path` through a temporary file; false on an I/O error. */
  saveFile(path: string): boolean {
    const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
    try {
      Deno.writeFileSync(tmp, latin1Bytes(this.fileText()), { mode: 0o644 });
      Deno.renameSync(tmp, path);
      return true;
    } catch (e) {
      this.server?.log.warning(`Saving the ACL file: ${osErrorText(e)}`);
      try {
        Deno.removeSync(tmp);
      } catch { /* nothing to clean */ }
      return false;
    }
  }

  /** Clients authenticated as `user` (a fresh array: callers may close them). */
  clientsOf(user: User): Client[] {
    const out: Client[] = [];
    if (this.server === null) return out;
    for (const c of this.server.clients.values()) if (c.user === user) out.push(c);
    return out;
  }
}

/** Closes a client: after its reply when it is the one running the command. */
function closeClient(c: Client, current: Client | null): void {
  if (c === current) c.closeAfterReply = true;
  else c.kill();
}

/**
 * Redis's ACLMergeSelectorArguments: a selector "(...)" spread over several
 * arguments becomes one. Returns the index of an unclosed "(" instead.
 */
export function mergeSelectorArgs(ops: string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let selector = "";
  for (let j = 0; j < ops.length; j++) {
    const op = ops[j];
    if (op[0] === "(" && op[op.length - 1] !== ")") {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += ` ${op}`;
      if (op[op.length - 1] === ")") {
        open = -1;
        out.push(selector);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? open : out;
}

/** sdstrim: drops the characters of `set` at both ends. */
function trimChars(s: string, set: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && set.includes(s[a])) a++;
  while (b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** A binary string's bytes. */
function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Checks a `user` line of the configuration file as Redis does while
 * reading it (ACLAppendUserForLoading): the rules are tried on a detached
 * user, unknown commands and categories left for start-up. Returns the
 * fatal error text, or null. `earlier` are the user lines read before.
 */
export function checkUserDirective(args: string[], earlier: string[][]): string | null {
  // Redis names argv[j] for the rule at merged index j (its own off-by-two), so do we.
  const argv = ["user", ...args];
  const fail = (j: number, why: string) => `Error in user declaration '${argv[j]}': ${why}`;
  if (earlier.some((e) => e[0] === args[0])) return fail(1, ACL_RULE_ERRORS.EALREADY);
  const merged = mergeSelectorArgs(args.slice(1));
  if (typeof merged === "number") return fail(merged, ACL_RULE_ERRORS.ENOENT);
  const fake = new User(args[0], new Acl(null));
  for (let j = 0; j < merged.length; j++) {
    try {
      fake.apply(merged[j]);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      if (e.message !== ACL_RULE_ERRORS.ENOENT) return fail(j, e.message);
    }
  }
  return null;
}

// `user` lines are checked as the configuration file is read (a fatal error names the line).
directiveChecks.set("user", (config, args) => {
  if (args.length === 0) return "Bad directive or wrong number of arguments";
  const earlier = config.directives.filter((d) => d.name === "user").map((d) => d.args);
  return checkUserDirective(args, earlier);
});

/**
 * The file text as Redis gathers it (fgets into a 1024-byte buffer, then
 * sdscat): each piece read stops at a newline or after 1023 bytes, and
 * loses what follows a NUL byte in it.
 */
function asReadByFgets(text: string): string {
  if (!text.includes("\0")) return text;
  let out = "";
  for (let i = 0; i < text.length;) {
    let end = Math.min(text.length, i + 1023);
    const nl = text.indexOf("\n", i);
    if (nl >= 0 && nl < end) end = nl + 1;
    const piece = text.slice(i, end);
    const nul = piece.indexOf("\0");
    out += nul >= 0 ? piece.slice(0, nul) : piece;
    i = end;
  }
  return out;
}
