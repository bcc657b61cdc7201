/**
 * Logging in Redis's format: `pid:R dd Mon yyyy hh:mm:ss.mmm * message`,
 * with the level marks `.` debug, `-` verbose, `*` notice, `#` warning, and
 * the role `C` before the server is set up, `M` after.
 */

/** The levels Redis 7.0 accepts for `loglevel`. */
export const LOG_LEVELS = ["debug", "verbose", "notice", "warning"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
const MARKS = [".", "-", "*", "#"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const encoder = new TextEncoder();

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The timestamp Redis puts on a log line (local time). */
export function logTimestamp(d = new Date()): string {
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${
      pad(d.getMilliseconds(), 3)
    }`;
}

export class Logger {
  #threshold = 2;
  /** "C" while loading the configuration, then "M" for a master, "S" for a replica (as Redis). */
  role = "M";
  #file: Deno.FsFile | null = null;
  #fileName = "";

  /** Sets the minimum level written (config `loglevel`). */
  setLevel(level: LogLevel): void {
    this.#threshold = LOG_LEVELS.indexOf(level);
  }

  /** Sends lines to `path`, or to standard output when empty (config `logfile`). */
  setFile(path: string): void {
    if (path === this.#fileName) return;
    const next = path === ""
      ? null
      : Deno.openSync(path, { append: true, create: true, write: true });
    this.#file?.close();
    this.#file = next;
    this.#fileName = path;
  }

  debug(msg: string): void {
    this.log(0, msg);
  }
  verbose(msg: string): void {
    this.log(1, msg);
  }
  notice(msg: string): void {
    this.log(2, msg);
  }
  warning(msg: string): void {
    this.log(3, msg);
  }

  log(level: number, msg: string): void {
    if (level < this.#threshold) return;
    const line = `${Deno.pid}:${this.role} ${logTimestamp()} ${MARKS[level]} ${msg}\n`;
    const bytes = encoder.encode(line);
    try {
      if (this.#file) this.#file.writeSync(bytes);
      else Deno.stdout.writeSync(bytes);
    } catch {
      // A log that cannot be written must not take the server down.
    }
  }

  /** Writes raw text to the log destination, unconditionally (banner). */
  raw(text: string): void {
    const bytes = encoder.encode(text);
    try {
      if (this.#file) this.#file.writeSync(bytes);
      else Deno.stdout.writeSync(bytes);
    } catch {
      // as above
    }
  }

  /**
   * A line the way Redis's signal handler logs it:
   * `pid:signal-handler (unixtime) message`.
   */
  signal(msg: string): void {
    this.raw(`${Deno.pid}:signal-handler (${Math.floor(Date.now() / 1000)}) ${msg}\n`);
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
    this.#fileName = "";
  }
}
