/**
 * What RESTORE logs to the AOF, against Redis 7.0.15: a relative TTL as the
 * absolute time with ABSTTL appended, an expired time as nothing (or DEL of
 * the key REPLACE removed), errors not at all, the other options as they
 * came; then the logs replay to the same data. (MIGRATE's DEL is checked in
 * tests/oracle/migrate_test.ts.)
 */
import { crc64 } from "../../lib/persistence/crc64.ts";
import { type RespClient } from "../support/resp_client.ts";
import { AOF_ONLY, keyRows, ok, propagationScenario, type Step } from "../support/persistence.ts";

const ARGS = [...AOF_ONLY, "--appendfsync", "always"];

/** A DUMP payload of the string `s` (short, not a number). */
function stringPayload(s: string): string {
  const body = `\x00${String.fromCharCode(s.length)}${s}\x0a\x00`;
  const bytes = Uint8Array.from(body, (ch) => ch.charCodeAt(0));
  const crc = crc64(bytes);
  let tail = "";
  for (let i = 0n; i < 8n; i++) tail += String.fromCharCode(Number((crc >> (8n * i)) & 0xffn));
  return body + tail;
}

const P = stringPayload("value");
const FAR = "4102444800000"; // 2100-01-01, absolute ms

const STEPS: Step[] = [[
  ["RESTORE", "a", "0", P],
  ["RESTORE", "a", "0", P],
  ["RESTORE", "b", "100000", P],
  ["RESTORE", "c", FAR, P, "ABSTTL"],
  ["RESTORE", "d", "1000", P, "ABSTTL"],
  ["SET", "e", "x"],
  ["RESTORE", "e", "1000", P, "ABSTTL", "REPLACE"],
  ["RESTORE", "a", "0", P, "REPLACE", "IDLETIME", "10"],
  ["RESTORE", "f", "5000000", P, "replace", "FREQ", "3"],
  ["RESTORE", "g", "0", "junk"],
  ["RESTORE", "g", "-1", P],
  ["SELECT", "2"],
  ["RESTORE", "h", "0", P],
]];

/** RESTORE's absolute time masked where it came from a relative TTL (two clocks). */
function masked(args: string[]): string[] {
  const relative = args[0].toUpperCase() === "RESTORE" && args[2] !== FAR &&
    args.some((a) => a.toUpperCase() === "ABSTTL");
  return relative ? [args[0], args[1], "<time>", ...args.slice(3)] : args;
}

/** A string's value and whether it has a TTL. */
async function valueAndTtl(c: RespClient, key: string, type: string): Promise<unknown> {
  if (type !== "string") return type;
  return [await ok(c, "GET", key), ((await ok(c, "PTTL", key)) as number) > 0];
}

Deno.test("RESTORE logs what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps: STEPS,
    log: { mask: masked },
    checkLog: (theirLog) => {
      if (!theirLog.some((l) => l.includes('"ABSTTL"') && l.includes('"b"'))) {
        throw new Error(`Redis's log lacks the ABSTTL rewrite:\n${theirLog.join("\n")}`);
      }
    },
    dump: (port) => keyRows(port, valueAndTtl),
    replays: "the same data",
    tmpPrefix: "redeno-propagation-dump-",
  });
});
