/** Connection commands: PING, ECHO, QUIT, SELECT, ... */
import type { Client } from "../server/client.ts";
import { constReply } from "../resp/encoder.ts";
import { ERR_DB_INDEX, intArg } from "./args.ts";
import { type CommandSpec, defineCommand } from "./table.ts";

const PONG = constReply("+PONG\r\n");

function ping(c: Client, args: string[]): void {
  if (args.length > 2) {
    c.out.error("ERR wrong number of arguments for 'ping' command");
  } else if (args.length === 2) {
    c.out.bulk(args[1]);
  } else {
    c.out.raw(PONG);
  }
}

function echo(c: Client, args: string[]): void {
  c.out.bulk(args[1]);
}

function quit(c: Client): void {
  c.out.ok();
  c.closeAfterReply = true;
}

function select(c: Client, args: string[]): void {
  const index = intArg(c, args[1], "ERR value is not an integer or out of range");
  if (index === null) return;
  const dbs = c.server.keyspace.dbs;
  if (index < 0 || index >= dbs.length) return c.out.error(ERR_DB_INDEX);
  c.db = dbs[index];
  c.out.ok();
}

export const connectionCommands: CommandSpec[] = [
  defineCommand({
    name: "ping",
    arity: -1,
    flags: "fast",
    group: "connection",
    since: "1.0.0",
    summary: "Ping the server",
    syntax: "[message]",
    handler: ping,
  }),
  defineCommand({
    name: "echo",
    arity: 2,
    flags: "fast",
    group: "connection",
    since: "1.0.0",
    summary: "Echo the given string",
    syntax: "message",
    handler: echo,
  }),
  defineCommand({
    name: "quit",
    arity: -1,
    flags: "allow_busy noscript loading stale fast no_auth",
    group: "connection",
    since: "1.0.0",
    summary: "Close the connection",
    handler: quit,
  }),
  defineCommand({
    name: "select",
    arity: 2,
    flags: "loading stale fast",
    group: "connection",
    since: "1.0.0",
    summary: "Change the selected database for the current connection",
    syntax: "index",
    handler: select,
  }),
];
