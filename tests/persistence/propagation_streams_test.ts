/**
 * What the stream commands log to the AOF, against Redis 7.0.15: XADD with
 * `*` or `<ms>-*` logged with the ID it made, `~` trims (and LIMIT) logged as
 * exact `=` trims to the length or first ID reached, no-op writes and reads
 * not logged. Then redeno replays both logs to the data Redis holds.
 */
import { AOF_ONLY, keyRows, ok, propagationScenario, type Step } from "../support/persistence.ts";

const ARGS = [
  ...AOF_ONLY,
  "--appendfsync",
  "always",
  "--stream-node-max-entries",
  "4",
];

/** An ID made from a server's clock (13-digit milliseconds), masked. */
const CLOCK_ID = /(?<!\d)\d{13}-\d+/g;
const maskIds = (s: string) => s.replace(CLOCK_ID, "<clock-id>");

function steps(): Step[] {
  const fill: string[][] = [];
  for (let i = 1; i <= 30; i++) fill.push(["XADD", "s", `${i}-0`, "f", String(i)]);
  return [
    fill,
    [
      ["XADD", "s", "31-*", "f", "x"],
      ["XADD", "s", "31-*", "f", "y"],
      ["XADD", "s", "32", "f", "z"],
      ["XADD", "s", "MAXLEN", "~", "20", "33-0", "f", "x"],
      ["XADD", "s", "MAXLEN", "~", "20", "34-0", "f", "x"],
      ["XADD", "s", "MAXLEN", "=", "28", "35-0", "f", "x"],
      ["XADD", "s", "MINID", "~", "14", "36-*", "f", "x"],
      ["XADD", "s", "MINID", "14", "37-0", "f", "x"],
      ["XADD", "s", "MAXLEN", "~", "2", "LIMIT", "4", "38-0", "f", "x"],
      ["XTRIM", "s", "MAXLEN", "~", "10"],
      ["XTRIM", "s", "MAXLEN", "~", "10"],
      ["XTRIM", "s", "MINID", "~", "30", "LIMIT", "100"],
      ["XDEL", "s", "31-0", "99-0"],
      ["XTRIM", "s", "MINID", "~", "33"],
      ["XTRIM", "s", "MINID", "33"],
      ["XTRIM", "s", "MAXLEN", "5"],
      ["XTRIM", "s", "MAXLEN", "100"],
      ["XDEL", "s", "1-0"],
      ["XDEL", "nokey", "1-0"],
      ["XTRIM", "nokey", "MAXLEN", "0"],
      ["XSETID", "s", "50-0"],
      ["XSETID", "s", "60-0", "ENTRIESADDED", "100", "MAXDELETEDID", "55-0"],
      ["XSETID", "s", "1-0"],
      ["XADD", "s", "1-0", "f", "x"],
      ["XADD", "s", "0-0", "f", "x"],
      ["XADD", "nokey", "NOMKSTREAM", "1-0", "f", "x"],
      ["XADD", "s", "MAXLEN", "x", "70-0", "f", "x"],
      ["XRANGE", "s", "-", "+"],
      ["XREAD", "STREAMS", "s", "0"],
      ["XLEN", "s"],
      ["XADD", "bin", "1-1", "\x00\r\n", "\xff\xfe"],
      ["XADD", "auto", "*", "f", "x"],
      ["XADD", "auto", "MAXLEN", "0", "*", "f", "y"],
      ["XADD", "empty", "MAXLEN", "0", "5-0", "f", "x"],
      ["XTRIM", "s", "MINID", "~", "999"],
      ["XADD", "m", "1-0", "f", "x"],
      ["XTRIM", "m", "MINID", "~", "5", "LIMIT", "0"],
    ],
  ];
}

Deno.test("stream writes log what Redis 7.0 logs, and the logs replay to the same data", async (t) => {
  await propagationScenario(t, {
    args: ARGS,
    steps,
    replies: (replies, sent) =>
      replies.map((r, i) => `${JSON.stringify(sent[i])} -> ${maskIds(JSON.stringify(r))}`),
    log: { mask: (args) => args.map(maskIds) },
    checkLog: (log) => {
      if (!log.some((l) => l.includes('"="'))) {
        throw new Error("no rewritten ~ trim in Redis's log");
      }
    },
    dump: (port) =>
      keyRows(port, async (c, key, type) => {
        if (type !== "stream") return type;
        const entries = await ok(c, "XRANGE", key, "-", "+");
        return [await ok(c, "XLEN", key), maskIds(JSON.stringify(entries))];
      }),
    replays: "Redis's data",
    tmpPrefix: "redeno-xprop-",
  });
});
