/**
 * LATENCY (DOCTOR, GRAPH, HISTOGRAM, HISTORY, LATEST, RESET, HELP) and
 * LOLWUT, as Redis 7.0 answers them. The samples and histograms are kept by
 * lib/server/latency.ts; the dispatcher records them (table.ts).
 */
import type { Client } from "../server/client.ts";
import type { LatencyHistogram, LatencyTimeSeries } from "../server/latency.ts";
import { REDIS_COMPAT_VERSION } from "../config.ts";
import { parseInt64 } from "../util/int64.ts";
import { ERR_NOT_INTEGER } from "./args.ts";
import { replyHelp } from "./connection.ts";
import { type Command, type CommandSpec, defineCommand } from "./table.ts";

// ---- LATENCY ----

function latencyLatest(c: Client): void {
  const events = c.server.latency.events;
  c.out.array(events.size);
  for (const [name, ts] of events) {
    c.out.array(4);
    c.out.bulk(name);
    c.out.int(ts.times[ts.last]);
    c.out.int(ts.latencies[ts.last]);
    c.out.int(ts.max);
  }
}

function latencyHistory(c: Client, args: string[]): void {
  const ts = c.server.latency.events.get(args[2]);
  const samples = ts?.samples() ?? [];
  c.out.array(samples.length);
  for (const [time, ms] of samples) {
    c.out.array(2);
    c.out.int(time);
    c.out.int(ms);
  }
}

function latencyReset(c: Client, args: string[]): void {
  const latency = c.server.latency;
  if (args.length === 2) return c.out.int(latency.reset());
  let n = 0;
  for (let i = 2; i < args.length; i++) n += latency.reset(args[i]);
  c.out.int(n);
}

/** One command's histogram: {calls, histogram_usec: {usec: cumulative count, ...}}. */
function replyHistogram(c: Client, name: string, h: LatencyHistogram): void {
  c.out.bulk(name);
  c.out.map(2);
  c.out.bulk("calls");
  c.out.int(h.totalCount);
  c.out.bulk("histogram_usec");
  const buckets = h.cumulativeBuckets();
  c.out.map(buckets.length);
  for (const [usec, count] of buckets) {
    c.out.int(usec);
    c.out.int(count);
  }
}

/** Commands with a histogram: all of them, or those named (a container names its subcommands too). */
function latencyHistogram(c: Client, args: string[]): void {
  const found: Command[] = [];
  const add = (cmd: Command) => {
    if (cmd.stats.latency !== null) found.push(cmd);
  };
  const table = c.server.commands;
  if (args.length === 2) {
    for (const cmd of table.all()) {
      add(cmd);
      for (const sub of cmd.subcommands?.values() ?? []) add(sub);
    }
  } else {
    for (let i = 2; i < args.length; i++) {
      const cmd = table.getFull(args[i]);
      if (cmd === undefined) continue;
      add(cmd);
      for (const sub of cmd.subcommands?.values() ?? []) add(sub);
    }
  }
  c.out.map(found.length);
  for (const cmd of found) replyHistogram(c, cmd.fullName, cmd.stats.latency!);
}

/** Graph width in columns (Redis's LATENCY_GRAPH_COLS). */
const GRAPH_COLS = 80;

/** "12s", "3m", "2h", "1d": how long ago a sample was taken. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.trunc(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.trunc(seconds / 3600)}h`;
  return `${Math.trunc(seconds / 86400)}d`;
}

/**
 * An ASCII sparkline of `values` (filled, `rows` high), with each sample's
 * label written vertically below it after a blank line, in chunks of
 * `columns` samples — the layout of Redis's sparklineRender.
 */
export function sparkline(
  values: number[],
  labels: string[],
  columns: number,
  rows: number,
): string {
  const charset = "_o#";
  let min = 0;
  let max = 0;
  values.forEach((v, i) => {
    if (i === 0) min = max = v;
    else if (v < min) min = v;
    else if (v > max) max = v;
  });
  const labelCount = labels.filter((l) => l !== "").length;
  const steps = charset.length * rows;
  const relmax = max - min === 0 ? 1 : max - min;
  let out = "";
  for (let offset = 0; offset < values.length; offset += columns) {
    const len = Math.min(values.length - offset, columns);
    if (offset !== 0) out += "\n";
    for (let row = 0;; row++) {
      let line = "";
      let more = false;
      for (let j = 0; j < len; j++) {
        const value = values[offset + j];
        let step = Math.trunc(Math.trunc((value - min) * steps) / relmax);
        if (step < 0) step = 0;
        if (step >= steps) step = steps - 1;
        let ch = " ";
        if (row < rows) {
          more = true;
          const idx = step - (rows - row - 1) * charset.length;
          if (idx >= 0 && idx < charset.length) ch = charset[idx];
          else if (idx >= charset.length) ch = "|";
        } else {
          // A blank line between the graph and the labels.
          if (labelCount > 0 && row - rows < 1) {
            more = true;
            line = " ".repeat(len);
            break;
          }
          const label = labels[offset + j];
          const at = row - rows - 1;
          if (label.length > at) {
            more = true;
            ch = label[at];
          }
        }
        line += ch;
      }
      if (!more) break;
      out += line.padEnd(len, " ") + "\n";
    }
  }
  return out;
}

function graphOf(name: string, ts: LatencyTimeSeries): string {
  const now = Math.floor(Date.now() / 1000);
  const samples = ts.samples();
  let min = 0;
  let max = 0;
  samples.forEach(([, ms], i) => {
    if (i === 0) min = max = ms;
    else {
      if (ms > max) max = ms;
      if (ms < min) min = ms;
    }
  });
  return `${name} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n` +
    "-".repeat(GRAPH_COLS) + "\n" +
    sparkline(
      samples.map(([, ms]) => ms),
      samples.map(([t]) => ago(now - t)),
      GRAPH_COLS,
      4,
    );
}

function latencyGraph(c: Client, args: string[]): void {
  const ts = c.server.latency.events.get(args[2]);
  if (ts === undefined) return c.out.error(`ERR No samples available for event '${args[2]}'`);
  c.out.verbatim(graphOf(args[2], ts));
}

/** Whether the process has transparent huge pages (Redis's THPGetAnonHugePagesSize > 0). */
function usesHugePages(): boolean {
  try {
    const text = Deno.readTextFileSync("/proc/self/smaps_rollup");
    const m = /^AnonHugePages:\s+(\d+)/m.exec(text);
    return m !== null && Number(m[1]) > 0;
  } catch {
    return false;
  }
}

/** Statistics of an event's samples, as Redis's analyzeLatencyForEvent computes them. */
function analyze(ts: LatencyTimeSeries, now: number) {
  const samples = ts.samples();
  let sum = 0;
  let oldest = 0;
  for (const [t, ms] of samples) {
    sum += ms;
    if (oldest === 0 || t < oldest) oldest = t;
  }
  const n = samples.length;
  const avg = n ? Math.floor(sum / n) : 0;
  let period = n ? now - oldest : 0;
  if (n && period === 0) period = 1;
  let dev = 0;
  for (const [, ms] of samples) dev += Math.abs(avg - ms);
  return { n, avg, mad: n ? Math.floor(dev / n) : 0, period };
}

function latencyReport(c: Client): string {
  const s = c.server;
  const latency = s.latency;
  if (latency.events.size === 0 && latency.threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis " +
      'instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order ' +
      "to enable it. If we weren't in a deep space mission I'd suggest to take a look at " +
      "https://redis.io/topics/latency-monitor.\n";
  }
  const now = Math.floor(Date.now() / 1000);
  const advise = new Set<string>();
  let advices = 0;
  let report = "";
  let eventnum = 0;
  for (const [name, ts] of latency.events) {
    eventnum++;
    if (eventnum === 1) {
      report += "Dave, I have observed latency spikes in this Redis instance. " +
        "You don't mind talking about it, do you Dave?\n\n";
    }
    const a = analyze(ts, now);
    report += `${eventnum}. ${name}: ${a.n} latency spikes (average ${a.avg}ms, mean deviation ` +
      `${a.mad}ms, period ${(a.period / a.n).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    const event = name.toLowerCase();
    if (event === "command") {
      const slower = s.config.num("slowlog-log-slower-than");
      if (slower < 0) {
        advise.add("slowlog-enabled");
        advices++;
      } else if (Math.trunc(slower / 1000) > latency.threshold) {
        advise.add("slowlog-tuning");
        advices++;
      }
      advise.add("slowlog-inspect");
      advise.add("large-objects");
      advices += 2;
    }
    if (event === "fast-command") {
      advise.add("scheduler");
      advices++;
    }
    if (event === "expire-cycle") {
      advise.add("hz");
      advise.add("large-objects");
      advices += 2;
    }
    report += "\n";
  }
  if (usesHugePages()) {
    advise.add("thp");
    advices++;
  }
  if (eventnum === 0 && advices === 0) {
    return report +
      "Dave, no latency spike was observed during the lifetime of this Redis instance, not in " +
      "the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, " +
      "and think things over.\n";
  }
  if (eventnum > 0 && advices === 0) {
    return report +
      "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please " +
      "use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += "\nI have a few advices for you:\n\n";
  const threshold = latency.threshold * 1000;
  if (advise.has("slowlog-enabled")) {
    report += "- There are latency issues with potentially slow commands you are using. Try to " +
      "enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than " +
      `${threshold}'. If the Slow log is disabled Redis is not able to log slow commands ` +
      "execution for you.\n";
  }
  if (advise.has("slowlog-tuning")) {
    report += "- Your current Slow Log configuration only logs events that are slower than " +
      "your configured latency monitor threshold. Please use 'CONFIG SET " +
      `slowlog-log-slower-than ${threshold}'.\n`;
  }
  if (advise.has("slowlog-inspect")) {
    report += "- Check your Slow Log to understand what are the commands you are running " +
      "which are too slow to execute. Please check https://redis.io/commands/slowlog for more " +
      "information.\n";
  }
  if (advise.has("scheduler")) {
    report += "- The system is slow to execute Redis code paths not containing system calls. " +
      "This usually means the system does not provide Redis CPU time to run for long periods. " +
      "You should try to:\n" +
      "  1) Lower the system load.\n" +
      "  2) Use a computer / VM just for Redis if you are running other software in the same " +
      "system.\n" +
      '  3) Check if you have a "noisy neighbour" problem.\n' +
      "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in " +
      "your system.\n" +
      "  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, " +
      "if you are using Jemalloc. However this may create fragmentation problems.\n";
  }
  if (advise.has("hz") && s.config.num("hz") < 100) {
    report += "- In order to make the Redis keys expiring process more incremental, try to " +
      "set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n";
  }
  if (advise.has("large-objects")) {
    report += "- Deleting, expiring or evicting (because of maxmemory policy) large objects " +
      "is a blocking operation. If you have very large objects that are often deleted, " +
      "expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
  }
  if (advise.has("thp")) {
    report += "- I detected a non zero amount of anonymous huge pages used by your process. " +
      "This creates very serious latency events in different conditions, especially when " +
      "Redis is persisting on disk. To disable THP support use the command 'echo never > " +
      "/sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into " +
      "/etc/rc.local so that the command will be executed again after a reboot. Note that " +
      "even if you have already disabled THP, you still need to restart the Redis process " +
      "to get rid of the huge pages already created.\n";
  }
  return report;
}

function latencyDoctor(c: Client): void {
  c.out.verbatim(latencyReport(c));
}

function latencyHelp(c: Client): void {
  replyHelp(c, "LATENCY", [
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the " +
    "specified command names.",
    "    If no commands are specified then all histograms are replied.",
  ]);
}

// ---- LOLWUT ----

/** C's rand(): 0 .. RAND_MAX. */
function rand(): number {
  return Math.floor(Math.random() * 2147483648);
}
const RAND_MAX = 2147483647;

/** A canvas of pixels (colors 0..3) that ignores drawing outside it. */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number, bg = 0) {
    this.pixels = new Uint8Array(width * height).fill(bg);
  }
  set(x: number, y: number, color: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    this.pixels[x + y * this.width] = color;
  }
  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    return this.pixels[x + y * this.width];
  }
  /** Bresenham's line. */
  line(x1: number, y1: number, x2: number, y2: number, color: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, color);
      if (x1 === x2 && y1 === y2) break;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }
  /** A square centred on x,y, rotated by `angle` (single-precision maths, as Redis's floats). */
  square(x: number, y: number, size: number, angle: number, color: number): void {
    const f = Math.fround;
    size = f(Math.round(f(size / 1.4142135623)));
    let k = f(Math.PI / 4 + angle);
    const px: number[] = [];
    const py: number[] = [];
    for (let j = 0; j < 4; j++) {
      px.push(cRound(Math.sin(k) * size + x));
      py.push(cRound(Math.cos(k) * size + y));
      k = f(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
  }
}

/** C's round(): halves away from zero. */
function cRound(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/** Georg Nees's Schotter: rows of squares, more disordered further down (LOLWUT 5). */
function schotter(cols: number, perRow: number, perCol: number): Canvas {
  const f = Math.fround;
  const width = cols * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f((width - padding * 2) / perRow);
  const height = Math.trunc(f(f(side * perCol) + padding * 2));
  const canvas = new Canvas(width, height);
  for (let y = 0; y < perCol; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f(f(f(x * side) + f(side / 2)) + padding));
      let sy = Math.trunc(f(f(f(y * side) + f(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        let r1 = f(f(f(f(rand()) / RAND_MAX) / perCol) * y);
        let r2 = f(f(f(f(rand()) / RAND_MAX) / perCol) * y);
        let r3 = f(f(f(f(rand()) / RAND_MAX) / perCol) * y);
        if (rand() % 2) r1 = -r1;
        if (rand() % 2) r2 = -r2;
        if (rand() % 2) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f(sx + f(f(r2 * side) / 3)));
        sy = Math.trunc(f(sy + f(f(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/** The canvas as Braille characters (UTF-8 bytes), 2x4 pixels each. */
function braille(canvas: Canvas): string {
  let text = "";
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      const g = (dx: number, dy: number, bit: number) => canvas.get(x + dx, y + dy) ? 1 << bit : 0;
      const byte = g(0, 0, 0) | g(0, 1, 1) | g(0, 2, 2) | g(1, 0, 3) | g(1, 1, 4) | g(1, 2, 5) |
        g(0, 3, 6) | g(1, 3, 7);
      const code = 0x2800 + byte;
      text += String.fromCharCode(
        0xe0 | (code >> 12),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      );
    }
    if (y !== canvas.height - 1) text += "\n";
  }
  return text;
}

/** Reads LOLWUT's optional integer arguments; null after replying an error. */
function longArgs(c: Client, args: string[], defaults: number[]): number[] | null {
  const out = [...defaults];
  for (let i = 0; i < defaults.length && i + 1 < args.length; i++) {
    const n = parseInt64(args[i + 1]);
    if (n === null) {
      c.out.error(ERR_NOT_INTEGER);
      return null;
    }
    out[i] = Number(n);
  }
  return out;
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

function lolwut5(c: Client, args: string[]): void {
  const v = longArgs(c, args, [66, 8, 12]);
  if (v === null) return;
  const canvas = schotter(clamp(v[0], 1, 1000), clamp(v[1], 1, 200), clamp(v[2], 1, 200));
  c.out.verbatim(
    braille(canvas) +
      `\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ${REDIS_COMPAT_VERSION}\n`,
  );
}

interface Skyscraper {
  xoff: number;
  width: number;
  height: number;
  windows: boolean;
  color: number;
}

function skyscraper(canvas: Canvas, si: Skyscraper): void {
  const starty = canvas.height - 1;
  const endy = starty - si.height + 1;
  for (let y = starty; y >= endy; y--) {
    for (let x = si.xoff; x < si.xoff + si.width; x++) {
      // The roof is four pixels narrower.
      if (y === endy && (x <= si.xoff + 1 || x >= si.xoff + si.width - 2)) continue;
      let color = si.color;
      if (
        si.windows && x > si.xoff + 1 && x < si.xoff + si.width - 2 && y > endy + 1 &&
        y < starty - 1
      ) {
        const relx = x - (si.xoff + 1);
        const rely = y - (endy + 1);
        // Windows two pixels wide, one tall, in one of the grays.
        if ((Math.trunc(relx / 2) % 2) && (rely % 2)) {
          do color = 1 + rand() % 2; while (color === si.color);
          if (relx % 2) color = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, color);
    }
  }
}

/** A city skyline in the four grays of an 8-bit handheld (LOLWUT 6). */
function skyline(canvas: Canvas): void {
  const h = canvas.height;
  for (let color = 2; color >= 1; color--) {
    for (let offset = -10; offset < canvas.width;) {
      offset += rand() % 8;
      const width = 10 + rand() % 9;
      const height = color === 2
        ? Math.trunc(h / 2) + Math.trunc((rand() % h) / 2)
        : Math.trunc(h / 2) + Math.trunc((rand() % h) / 3);
      skyscraper(canvas, { xoff: offset, width, height, windows: false, color });
      offset += color === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  for (let offset = -10; offset < canvas.width;) {
    offset += rand() % 8;
    let width = 5 + rand() % 14;
    if (width % 4) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc((rand() % h) / 2);
    skyscraper(canvas, { xoff: offset, width, height, windows: true, color: 0 });
    offset += width + 5;
  }
}

const GRAYS = ["0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"];

function lolwut6(c: Client, args: string[]): void {
  const v = longArgs(c, args, [80, 20]);
  if (v === null) return;
  const canvas = new Canvas(clamp(v[0], 1, 1000), clamp(v[1], 1, 1000), 3);
  skyline(canvas);
  let text = "";
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      text += `\x1b[${GRAYS[canvas.get(x, y)] ?? GRAYS[0]} \x1b[0m`;
    }
    if (y !== canvas.height - 1) text += "\n";
  }
  c.out.verbatim(
    text + "\nDedicated to the 8 bit game developers of past and present.\n" +
      `Original 8 bit image from Plaguemon by hikikomori. Redis ver. ${REDIS_COMPAT_VERSION}\n`,
  );
}

/** LOLWUT [VERSION v] [args]: art of Redis 5 or 6, else the version line. */
function lolwut(c: Client, args: string[]): void {
  let version = REDIS_COMPAT_VERSION;
  if (args.length >= 3 && args[1].toLowerCase() === "version") {
    const n = parseInt64(args[2]);
    if (n === null) return c.out.error(ERR_NOT_INTEGER);
    // Redis prints the version as an unsigned int.
    version = `${BigInt.asUintN(32, BigInt(n))}.0.0`;
    args = args.slice(2);
  }
  const [a, b, d] = version;
  if ((a === "5" && b === "." && d !== "9") || (a === "4" && b === "." && d === "9")) {
    return lolwut5(c, args);
  }
  if ((a === "6" && b === "." && d !== "9") || (a === "5" && b === "." && d === "9")) {
    return lolwut6(c, args);
  }
  c.out.verbatim(`Redis ver. ${REDIS_COMPAT_VERSION}\n`);
}

const LATENCY_ADMIN = "admin noscript loading stale";

/** LATENCY and LOLWUT. */
export const latencyCommands: CommandSpec[] = [
  defineCommand({
    name: "latency",
    arity: -2,
    flags: "",
    group: "server",
    since: "2.8.13",
    summary: "A container for latency diagnostics commands",
    complexity: "Depends on subcommand.",
    subcommands: [
      {
        name: "doctor",
        arity: 2,
        flags: LATENCY_ADMIN,
        since: "2.8.13",
        summary: "Return a human readable latency analysis report.",
        complexity: "O(1)",
        tips: "nondeterministic_output request_policy:all_nodes response_policy:special",
        handler: latencyDoctor,
      },
      {
        name: "latest",
        arity: 2,
        flags: LATENCY_ADMIN,
        since: "2.8.13",
        summary: "Return the latest latency samples for all events.",
        complexity: "O(1)",
        tips: "nondeterministic_output request_policy:all_nodes response_policy:special",
        handler: latencyLatest,
      },
      {
        name: "history",
        arity: 3,
        flags: LATENCY_ADMIN,
        since: "2.8.13",
        summary: "Return timestamp-latency samples for the event.",
        complexity: "O(1)",
        syntax: "event",
        tips: "nondeterministic_output request_policy:all_nodes response_policy:special",
        handler: latencyHistory,
      },
      {
        name: "help",
        arity: 2,
        flags: "loading stale",
        since: "2.8.13",
        summary: "Show helpful text about the different subcommands.",
        complexity: "O(1)",
        handler: latencyHelp,
      },
      {
        name: "graph",
        arity: 3,
        flags: LATENCY_ADMIN,
        since: "2.8.13",
        summary: "Return a latency graph for the event.",
        complexity: "O(1)",
        syntax: "event",
        tips: "nondeterministic_output request_policy:all_nodes response_policy:special",
        handler: latencyGraph,
      },
      {
        name: "histogram",
        arity: -2,
        flags: LATENCY_ADMIN,
        since: "7.0.0",
        summary: "Return the cumulative distribution of latencies of a subset of commands or all.",
        complexity:
          "O(N) where N is the number of commands with latency information being retrieved.",
        syntax: "[command [command ...]]",
        tips: "nondeterministic_output request_policy:all_nodes response_policy:special",
        args: "command?*",
        handler: latencyHistogram,
      },
      {
        name: "reset",
        arity: -2,
        flags: LATENCY_ADMIN,
        since: "2.8.13",
        summary: "Reset latency data for one or more events.",
        complexity: "O(1)",
        syntax: "[event [event ...]]",
        tips: "request_policy:all_nodes response_policy:all_succeeded",
        args: "event?*",
        handler: latencyReset,
      },
    ],
  }),
  defineCommand({
    name: "lolwut",
    arity: -1,
    flags: "readonly fast",
    group: "server",
    since: "5.0.0",
    summary: "Display some computer art and the Redis version",
    syntax: "[VERSION version]",
    categories: [],
    args: "version'VERSION'.integer?",
    handler: lolwut,
  }),
];
