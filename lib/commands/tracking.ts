/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching
 * options of a connection, with Redis 7.0.15's checks in its order (the
 * tracking itself lives in lib/server/tracking.ts).
 */
import type { Client } from "../server/client.ts";
import { disableTracking, enableTracking } from "../server/tracking.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, isKeyword, parseInt64 } from "./args.ts";
import type { CommandDef } from "./table.ts";

const SWITCH_TAIL = "before disabling tracking for this client, and then re-enabling it with " +
  "a different mode.";

/** A C string as Redis's "%s" prints it: up to the first NUL. */
function cstr(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** Two prefixes overlap when one starts with the other (both would invalidate a key). */
function overlaps(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

/**
 * Redis's checkPrefixCollisionsOrReply: false after an error reply. As in
 * Redis 7.0.15, an overlap between two new prefixes past the first one is
 * reported but does not stop the command (it goes on and answers OK too).
 */
function checkPrefixes(c: Client, prefixes: string[]): boolean {
  const existing = [...(c.tracking?.prefixes ?? [])].sort();
  for (let i = 0; i < prefixes.length; i++) {
    for (const p of existing) {
      if (overlaps(p, prefixes[i])) {
        c.out.error(
          `ERR Prefix '${cstr(prefixes[i])}' overlaps with an existing prefix '${cstr(p)}'. ` +
            "Prefixes for a single client must not overlap.",
        );
        return false;
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(prefixes[i], prefixes[j])) {
        c.out.error(
          `ERR Prefix '${cstr(prefixes[i])}' overlaps with another provided prefix ` +
            `'${cstr(prefixes[j])}'. Prefixes for a single client must not overlap.`,
        );
        return i !== 0;
      }
    }
  }
  return true;
}

function clientTracking(c: Client, args: string[]): void {
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < args.length; j++) {
    const more = j < args.length - 1;
    const opt = args[j];
    if (isKeyword(opt, "REDIRECT") && more) {
      j++;
      if (redirect !== 0) {
        return c.out.error("ERR A client can only redirect to a single other client");
      }
      const id = parseInt64(args[j]);
      if (id === null) return c.out.error(ERR_NOT_INTEGER);
      // Checked now, though the client may go later (then the redirect is broken).
      if (!c.server.clients.has(Number(id))) {
        return c.out.error("ERR The client ID you want redirect to does not exist");
      }
      redirect = Number(id);
    } else if (isKeyword(opt, "BCAST")) {
      opts.bcast = true;
    } else if (isKeyword(opt, "OPTIN")) {
      opts.optin = true;
    } else if (isKeyword(opt, "OPTOUT")) {
      opts.optout = true;
    } else if (isKeyword(opt, "NOLOOP")) {
      opts.noloop = true;
    } else if (isKeyword(opt, "PREFIX") && more) {
      prefixes.push(args[++j]);
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }
  if (isKeyword(args[2], "ON")) {
    const t = c.tracking;
    if (!opts.bcast && prefixes.length !== 0) {
      return c.out.error("ERR PREFIX option requires BCAST mode to be enabled");
    }
    if (t !== null && t.bcast !== opts.bcast) {
      return c.out.error(`ERR You can't switch BCAST mode on/off ${SWITCH_TAIL}`);
    }
    if (opts.bcast && (opts.optin || opts.optout)) {
      return c.out.error("ERR OPTIN and OPTOUT are not compatible with BCAST");
    }
    if (opts.optin && opts.optout) {
      return c.out.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    }
    if ((opts.optin && t?.optout) || (opts.optout && t?.optin)) {
      return c.out.error(`ERR You can't switch OPTIN/OPTOUT mode ${SWITCH_TAIL}`);
    }
    if (opts.bcast && !checkPrefixes(c, prefixes)) return;
    enableTracking(c, redirect, opts, prefixes);
  } else if (isKeyword(args[2], "OFF")) {
    disableTracking(c);
  } else {
    return c.out.error(ERR_SYNTAX);
  }
  c.out.ok();
}

function clientCaching(c: Client, args: string[]): void {
  const t = c.tracking;
  if (t === null) {
    return c.out.error(
      "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN " +
        "or OPTOUT mode enabled",
    );
  }
  if (isKeyword(args[2], "YES")) {
    if (!t.optin) {
      return c.out.error(
        "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
      );
    }
  } else if (isKeyword(args[2], "NO")) {
    if (!t.optout) {
      return c.out.error(
        "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
      );
    }
  } else {
    return c.out.error(ERR_SYNTAX);
  }
  t.caching = true;
  c.out.ok();
}

function clientGetredir(c: Client): void {
  c.out.int(c.tracking?.redirect ?? -1);
}

function clientTrackinginfo(c: Client): void {
  const t = c.tracking;
  const flags = [t === null ? "off" : "on"];
  if (t !== null) {
    if (t.bcast) flags.push("bcast");
    if (t.optin) flags.push("optin");
    if (t.optin && t.caching) flags.push("caching-yes");
    if (t.optout) flags.push("optout");
    if (t.optout && t.caching) flags.push("caching-no");
    if (t.noloop) flags.push("noloop");
    if (t.brokenRedirect) flags.push("broken_redirect");
  }
  const out = c.out;
  out.map(3);
  out.bulk("flags");
  out.set(flags.length);
  for (const f of flags) out.bulk(f);
  out.bulk("redirect");
  out.int(t?.redirect ?? -1);
  out.bulk("prefixes");
  const prefixes = [...(t?.prefixes ?? [])].sort();
  out.array(prefixes.length);
  for (const p of prefixes) out.bulk(p);
}

const CONN = "noscript loading stale";

/** CLIENT HELP lines of these subcommands, as Redis 7.0 prints them. */
export const TRACKING_HELP = {
  caching: [
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
  ],
  tracking: [
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
  ],
};

/** The CLIENT subcommands of client-side caching (connection.ts lists them under CLIENT). */
export const trackingSubcommands: Omit<CommandDef, "group">[] = [
  {
    name: "tracking",
    arity: -3,
    flags: CONN,
    since: "6.0.0",
    summary: "Enable or disable server assisted client side caching support",
    complexity: "O(1). Some options may introduce additional complexity.",
    syntax: "<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] " +
      "[OPTIN] [OPTOUT] [NOLOOP]",
    args: "status.oneof(on'ON' off'OFF') client-id'REDIRECT'.integer? prefix'PREFIX'.string?*+ " +
      "bcast'BCAST'? optin'OPTIN'? optout'OPTOUT'? noloop'NOLOOP'?",
    handler: clientTracking,
  },
  {
    name: "caching",
    arity: 3,
    flags: CONN,
    since: "6.0.0",
    summary: "Instruct the server about tracking or not keys in the next request",
    complexity: "O(1)",
    syntax: "<YES | NO>",
    args: "mode.oneof(yes'YES' no'NO')",
    handler: clientCaching,
  },
  {
    name: "getredir",
    arity: 2,
    flags: CONN,
    since: "6.0.0",
    summary: "Get tracking notifications redirection client ID if any",
    complexity: "O(1)",
    handler: clientGetredir,
  },
  {
    name: "trackinginfo",
    arity: 2,
    flags: CONN,
    since: "6.2.0",
    summary:
      "Return information about server assisted client side caching for the current connection",
    complexity: "O(1)",
    handler: clientTrackinginfo,
  },
];
