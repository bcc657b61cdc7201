/**
 * The append-only log: Redis 7's multi-part AOF in `appendonlydir/`, a
 * manifest naming one base snapshot and the incremental files of commands
 * written since.
 *
 * Commands are appended to an in-memory buffer as they run and handed to
 * the OS (one write for everything pending) before any reply leaves, so a
 * killed process loses nothing it acknowledged. fsync follows appendfsync:
 * `always` makes replies wait for an fsync that covers their commands (one
 * fsync serves every client waiting at that moment: group commit),
 * `everysec` fsyncs once a second, `no` leaves it to the OS.
 *
 * Rotation: before a snapshot, the next incremental file is created and
 * listed in the manifest; at the snapshot's instant the log switches to it;
 * once the snapshot is durable as the new base, the manifest names only the
 * base and that file, and the older files are deleted.
 */
import { join } from "@std/path";
import type { Logger } from "../log.ts";
import { ByteBuffer } from "../util/bytebuf.ts";
import { osErrorText } from "../util/oserror.ts";
import {
  appendCommand,
  formatManifest,
  incrName,
  type ManifestEntry,
  manifestName,
  tempManifestName,
} from "./aoffile.ts";
import { fileSize, syncDir, writeFileAtomic } from "./files.ts";

export type FsyncPolicy = "always" | "everysec" | "no";

export class AofWriter {
  policy: FsyncPolicy;
  /** Bytes handed to the OS, over the life of the writer (across files). */
  written = 0;
  /** Bytes known to be on disk. */
  synced = 0;
  /** strerror text of the last failed write or fsync; null while writes succeed. */
  writeError: string | null = null;
  /** Bytes of the base file and of the incremental files (INFO aof_base_size, aof_current_size). */
  baseSize = 0;
  incrSize = 0;
  /** Called when a write fails under appendfsync always: nothing may be acknowledged, so exit. */
  onFatal: (message: string) => void = () => {};

  #manifest: ManifestEntry[];
  #buf = new ByteBuffer(64 * 1024);
  /** Database of the last command in the current file (-1: the next one needs a SELECT). */
  #db = -1;
  #file: Deno.FsFile | null = null;
  /** Earlier incremental files that may hold writes not yet fsynced, with the log offset where each ended. */
  #retiring: { file: Deno.FsFile; end: number }[] = [];
  #next: { file: Deno.FsFile; entry: ManifestEntry } | null = null;
  #syncing: Promise<void> | null = null;

  private constructor(
    readonly dir: string,
    readonly appendfilename: string,
    policy: FsyncPolicy,
    readonly log: Logger,
    manifest: ManifestEntry[],
  ) {
    this.policy = policy;
    this.#manifest = manifest;
  }

  /**
   * A writer that appends to the last incremental file of `manifest` (as
   * loaded at start-up), or, with an empty manifest, buffers until
   * commitBase creates the first files.
   */
  static async open(
    dir: string,
    appendfilename: string,
    policy: FsyncPolicy,
    log: Logger,
    manifest: ManifestEntry[],
  ): Promise<AofWriter> {
    const w = new AofWriter(dir, appendfilename, policy, log, manifest);
    const incr = manifest.filter((e) => e.type === "i");
    const last = incr[incr.length - 1];
    if (last !== undefined) {
      w.#file = await Deno.open(join(dir, last.file), { write: true, append: true });
    }
    w.#measure();
    return w;
  }

  /** True once the log has a file to append to. */
  get hasFile(): boolean {
    return this.#file !== null;
  }

  /** Logical end of the log: everything fed so far, written or not. */
  get end(): number {
    return this.written + this.#buf.pos;
  }

  /** Bytes fed but not yet written (INFO aof_buffer_length). */
  get pending(): number {
    return this.#buf.pos;
  }

  get fsyncInProgress(): boolean {
    return this.#syncing !== null;
  }

  /** Appends one command run in database `db`, with a SELECT first when the database changes. */
  feed(db: number, args: readonly string[]): void {
    if (db !== this.#db) {
      appendCommand(this.#buf, ["SELECT", String(db)]);
      this.#db = db;
    }
    appendCommand(this.#buf, args);
  }

  /**
   * Hands what is pending to the OS. A failure keeps the bytes to retry and
   * sets writeError; under `always` it is fatal.
   */
  flush(): boolean {
    const file = this.#file;
    const buf = this.#buf;
    if (file === null || buf.pos === 0) return this.writeError === null;
    let off = 0;
    try {
      while (off < buf.pos) off += file.writeSync(buf.buf.subarray(off, buf.pos));
    } catch (e) {
      this.#consumed(off);
      this.#failed("Error writing to the AOF file", e);
      return false;
    }
    this.#consumed(off);
    if (this.writeError !== null && this.#syncing === null) {
      this.log.warning("AOF write error looks solved, Redis can write again.");
      this.writeError = null;
    }
    return true;
  }

  #consumed(n: number): void {
    if (n === 0) return;
    const buf = this.#buf;
    buf.buf.copyWithin(0, n, buf.pos);
    buf.pos -= n;
    this.written += n;
    this.incrSize += n;
    if (buf.buf.length > 1 << 22 && buf.pos < 1 << 16) {
      // Give back the memory of a burst.
      const small = new Uint8Array(64 * 1024);
      small.set(buf.buf.subarray(0, buf.pos));
      buf.buf = small;
    }
  }

  #failed(what: string, e: unknown): void {
    const text = osErrorText(e);
    if (this.writeError === null) this.log.warning(`${what}: ${text}`);
    this.writeError = text;
    if (this.policy === "always") {
      this.onFatal(
        `${what}: ${text}. Can't recover from AOF write error when the AOF fsync policy ` +
          "is 'always'. Exiting...",
      );
    }
  }

  /**
   * Resolves once the log up to `upTo` is written and fsynced; concurrent
   * callers share fsyncs (group commit).
   */
  async durable(upTo: number): Promise<void> {
    if (this.written < upTo && !this.flush()) throw new Error(this.writeError!);
    while (this.synced < upTo) {
      if (this.#syncing === null) this.#syncing = this.#fsync();
      await this.#syncing;
      if (this.writeError !== null) throw new Error(this.writeError);
    }
  }

  /** Starts an fsync of everything written, unless one is running (everysec). */
  fsyncSoon(): Promise<void> {
    if (this.synced >= this.written) return Promise.resolve();
    if (this.#syncing === null) this.#syncing = this.#fsync();
    return this.#syncing;
  }

  async #fsync(): Promise<void> {
    const upTo = this.written;
    const files = this.#retiring.map((r) => r.file);
    if (this.#file) files.push(this.#file);
    try {
      await Promise.all(files.map((f) => f.syncData()));
      this.synced = Math.max(this.synced, upTo);
      // Files retired before this fsync began are complete and now on disk.
      this.#retiring = this.#retiring.filter((r) => {
        if (r.end > upTo) return true;
        closeQuietly(r.file);
        return false;
      });
    } catch (e) {
      this.#failed("Error fsyncing the AOF file", e);
    } finally {
      this.#syncing = null;
    }
  }

  /** The next incremental file, created and listed in the manifest ahead of the switch. */
  async prepareRotation(): Promise<void> {
    if (this.#next !== null) return;
    const seq = this.#maxSeq("i") + 1;
    const entry: ManifestEntry = { file: incrName(this.appendfilename, seq), seq, type: "i" };
    const file = await Deno.open(join(this.dir, entry.file), {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      await this.#writeManifest([...this.#manifest, entry]);
    } catch (e) {
      closeQuietly(file);
      await Deno.remove(join(this.dir, entry.file)).catch(() => {});
      throw e;
    }
    this.#manifest = [...this.#manifest, entry];
    this.#next = { file, entry };
  }

  /** At a snapshot's instant: what came before goes to the old file, what follows to the new one. */
  rotate(): void {
    const next = this.#next;
    if (next === null) throw new Error("AOF rotation was not prepared");
    this.flush();
    if (this.#file !== null) this.#retiring.push({ file: this.#file, end: this.written });
    this.#file = next.file;
    this.#next = null;
    this.#db = -1;
  }

  /**
   * Makes `base` (already durable in the directory) the base of the log:
   * the manifest names it and the current incremental file (created now if
   * there is none yet), and every older file is deleted.
   */
  async commitBase(base: ManifestEntry): Promise<void> {
    if (this.#file === null) {
      const seq = this.#maxSeq("i") + 1;
      const entry: ManifestEntry = { file: incrName(this.appendfilename, seq), seq, type: "i" };
      this.#file = await Deno.open(join(this.dir, entry.file), {
        write: true,
        create: true,
        truncate: true,
      });
      this.#manifest = [...this.#manifest, entry];
      this.#db = -1;
      this.flush();
    }
    const incr = this.#manifest.filter((e) => e.type === "i");
    const current = incr[incr.length - 1];
    const kept = [base, current];
    await this.#writeManifest(kept);
    const dropped = this.#manifest.filter((e) => !kept.some((k) => k.file === e.file));
    this.#manifest = kept;
    // An fsync in flight may still use the retired files: let it finish before closing them.
    await this.#syncing;
    for (const r of this.#retiring.splice(0)) closeQuietly(r.file);
    for (const e of dropped) {
      this.log.notice(`Removing the history file ${e.file} in the background`);
      await Deno.remove(join(this.dir, e.file)).catch(() => {});
    }
    this.#measure();
  }

  /** Files named by the manifest now (for a rotation that failed: nothing is deleted). */
  get manifest(): readonly ManifestEntry[] {
    return this.#manifest;
  }

  /** Highest seq of `type` (history entries count too, so no new name reuses an old file's). */
  #maxSeq(type: "b" | "i"): number {
    let max = 0;
    for (const e of this.#manifest) {
      if ((e.type === type || e.type === "h") && e.seq > max) max = e.seq;
    }
    return max;
  }

  /** The sequence number the next base takes. */
  nextBaseSeq(): number {
    return this.#maxSeq("b") + 1;
  }

  async #writeManifest(entries: ManifestEntry[]): Promise<void> {
    await writeFileAtomic(
      this.dir,
      manifestName(this.appendfilename),
      tempManifestName(this.appendfilename),
      new TextEncoder().encode(formatManifest(entries)),
    );
  }

  #measure(): void {
    this.baseSize = 0;
    this.incrSize = 0;
    for (const e of this.#manifest) {
      const n = fileSize(join(this.dir, e.file));
      if (e.type === "b") this.baseSize += n;
      else if (e.type === "i") this.incrSize += n;
    }
  }

  /** Writes and fsyncs everything, then closes the files (shutdown). */
  async close(): Promise<void> {
    this.flush();
    await this.#syncing;
    await this.fsyncSoon();
    for (const r of this.#retiring.splice(0)) closeQuietly(r.file);
    if (this.#file) closeQuietly(this.#file);
    if (this.#next) {
      closeQuietly(this.#next.file);
      this.#next = null;
    }
    this.#file = null;
    await syncDir(this.dir).catch(() => {});
  }
}

function closeQuietly(f: Deno.FsFile): void {
  try {
    f.close();
  } catch {
    // already closed
  }
}
