/**
 * Persistence: loading at start-up, the snapshot cycle, the append-only
 * log, and the state INFO, MISCONF and SHUTDOWN report.
 *
 * One dataset, serialized once per cycle. A cycle freezes the keyspace at
 * one instant (copy-on-write, see Keyspace.freeze) and streams it to disk
 * in slices while commands keep running. With the AOF on, what a cycle
 * writes is the new AOF base (`appendonlydir/appendonly.aof.N.base.rdb`),
 * the log switches to a new incremental file at that same instant, and
 * `dump.rdb` becomes a hard link to that base: the same bytes serve as the
 * snapshot and as the log's base, written once. With the AOF off, a cycle
 * writes `dump.rdb`.
 */
import { join, resolve } from "@std/path";
import type { Server } from "../server/server.ts";
import { Client } from "../server/client.ts";
import { dispatch } from "../commands/table.ts";
import { osErrorText } from "../util/oserror.ts";
import { AofWriter, type FsyncPolicy } from "./aof.ts";
import {
  type AofEnd,
  baseName,
  type ManifestEntry,
  manifestName,
  parseManifest,
  readAofUnits,
} from "./aoffile.ts";
import { linkAtomic, writeFileAtomic } from "./files.ts";
import {
  rdbChunks,
  type RdbLoadInfo,
  rdbLoadSteps,
  type RdbReadOptions,
  type RdbWriteOptions,
  readRdb,
} from "./rdb.ts";
import { type FrozenKeyspace, Keyspace } from "../store/keyspace.ts";
import { functionRegistry, loadRdbLibraries } from "../scripting/functions.ts";
import type { SavePoint } from "../config.ts";

export const MISCONF_RDB = "MISCONF Redis is configured to save RDB snapshots, but it's " +
  "currently unable to persist to disk. Commands that may modify the data set are disabled, " +
  "because this instance is configured to report errors during writes if RDB snapshotting " +
  "fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about " +
  "the RDB error.";

/** After a failed automatic snapshot, the next automatic try waits this long (as Redis). */
const SAVE_RETRY_DELAY_MS = 5000;

/** What a snapshot cycle produces. */
interface CycleKind {
  /** Update dump.rdb (a save: save point, SAVE, BGSAVE, SHUTDOWN). */
  dump: boolean;
  /** Why, for the log. */
  reason: string;
}

/** Loading progress (INFO loading_*). */
interface LoadingState {
  startTime: number;
  totalBytes: number;
  loadedBytes: number;
  file: string;
}

/** A data file that cannot be loaded; start-up stops with this message. */
export class LoadError extends Error {}

export class Persistence {
  aof: AofWriter | null = null;
  loading: LoadingState | null = null;
  /** Unix ms of the last successful save (LASTSAVE). */
  lastSaveMs = Date.now();
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  rdbSaves = 0;
  aofRewrites = 0;
  aofLastRewriteOk = true;
  aofLastRewriteSeconds = -1;
  aofRewriteFailures = 0;
  lastLoadKeys = 0;
  lastLoadExpired = 0;
  bgsaveScheduled = false;
  rewriteScheduled = false;
  /** The running cycle, and when and why it started. */
  #cycle: Promise<boolean> | null = null;
  #cycleStart = 0;
  #cycleKind: CycleKind | null = null;
  /** When the last cycle failed (ms): automatic cycles wait SAVE_RETRY_DELAY_MS after it. */
  #lastFailure = 0;
  #lastFsync = Date.now();
  #tmpCounter = 0;
  /** Error reply for write commands while persistence is failing (MISCONF), else null. */
  denyWrites: string | null = null;
  /** keyspace.dirty (a running count of changes) as of the last save. */
  dirtyAtSave = 0;

  constructor(readonly server: Server) {
    server.keyspace.onExpired = (db, key) => this.propagate(db.id, ["DEL", key]);
  }

  get #config() {
    return this.server.config;
  }

  get #log() {
    return this.server.log;
  }

  /** The data directory (config `dir`). */
  get dir(): string {
    return resolve(this.#config.str("dir"));
  }

  get aofDir(): string {
    return join(this.dir, this.#config.str("appenddirname"));
  }

  get #appendfilename(): string {
    return this.#config.str("appendfilename");
  }

  get savePoints(): SavePoint[] {
    return this.#config.get("save") as SavePoint[];
  }

  /** INFO rdb_changes_since_last_save. */
  get changesSinceSave(): number {
    return this.server.keyspace.dirty - this.dirtyAtSave;
  }

  get saveInProgress(): boolean {
    return this.#cycle !== null;
  }

  /** Whether the running cycle updates dump.rdb (null when none runs). */
  get cycleDumps(): boolean | null {
    return this.#cycleKind?.dump ?? null;
  }

  /** True while the running cycle writes a new AOF base (INFO aof_rewrite_in_progress). */
  get rewriteInProgress(): boolean {
    return this.#cycle !== null && this.aof !== null;
  }

  /** Seconds the running cycle has taken so far, or -1. */
  get currentCycleSeconds(): number {
    return this.#cycle === null ? -1 : Math.floor((Date.now() - this.#cycleStart) / 1000);
  }

  /**
   * The replication stream's feed (lib/server/replication.ts), set while a
   * replication backlog exists: the AOF and the replicas get the same commands.
   */
  replFeed: ((db: number, args: readonly string[]) => void) | null = null;

  /** Logs a write command that changed data (the dispatcher calls this). */
  propagate(db: number, args: readonly string[]): void {
    this.aof?.feed(db, args);
    if (this.replFeed !== null) this.replFeed(db, args);
  }

  /**
   * The keyspace frozen now and the options its snapshot is written with
   * (a replica's full sync); null while another snapshot holds the keyspace.
   */
  freezeForTransfer(): { frozen: FrozenKeyspace; opts: RdbWriteOptions } | null {
    if (this.server.keyspace.frozen) return null;
    return { frozen: this.#freeze(), opts: this.#rdbOptions(false) };
  }

  /**
   * Set while a replica's full sync holds the keyspace frozen (one frozen
   * view at a time): snapshots of this module wait for it to settle.
   */
  transfer: Promise<void> | null = null;

  async #keyspaceFree(): Promise<void> {
    while (this.transfer !== null) await this.transfer.catch(() => {});
  }

  /** Recomputes denyWrites after a status or config change. */
  updateDenyWrites(): void {
    if (this.aof !== null && this.aof.writeError !== null) {
      this.denyWrites = `MISCONF Errors writing to the AOF file: ${this.aof.writeError}`;
    } else if (
      !this.lastBgsaveOk && this.#config.bool("stop-writes-on-bgsave-error") &&
      this.savePoints.length > 0
    ) {
      this.denyWrites = MISCONF_RDB;
    } else {
      this.denyWrites = null;
    }
  }

  /**
   * Before a client's replies go out: its commands are handed to the OS,
   * and under appendfsync always, fsynced (shared with other clients).
   */
  beforeReply(aofEnd: number): Promise<void> | undefined {
    const aof = this.aof;
    if (aof === null) return undefined;
    const hadError = aof.writeError !== null;
    aof.flush();
    // A write error starts or ends MISCONF, whichever way it went.
    if (hadError !== (aof.writeError !== null)) this.updateDenyWrites();
    if (aof.policy === "always" && aof.synced < aofEnd && aof.hasFile) {
      return aof.durable(aofEnd).catch(() => this.updateDenyWrites());
    }
    return undefined;
  }

  /** Periodic work (server cron): log writes and fsyncs, save points, scheduled work. */
  cron(): void {
    const aof = this.aof;
    const now = Date.now();
    if (aof !== null) {
      const hadError = aof.writeError !== null;
      aof.flush();
      if (aof.policy === "everysec" && now - this.#lastFsync >= 1000) {
        this.#lastFsync = now;
        aof.fsyncSoon().then(() => this.updateDenyWrites());
      }
      if (hadError !== (aof.writeError !== null)) this.updateDenyWrites();
    }
    if (this.loading !== null || this.#cycle !== null || this.server.shuttingDown) return;
    if (now - this.#lastFailure < SAVE_RETRY_DELAY_MS) return;
    if (this.#startScheduled()) return;
    const dirty = this.changesSinceSave;
    for (const p of this.savePoints) {
      if (dirty >= p.changes && now - this.lastSaveMs >= p.seconds * 1000) {
        this.#log.verbose(`${p.changes} changes in ${p.seconds} seconds. Saving...`);
        this.startCycle({ dump: true, reason: "save point" });
        return;
      }
    }
    if (aof !== null) this.#autoRewrite(aof);
  }

  /** auto-aof-rewrite-percentage / -min-size: a new base once the log has grown enough. */
  #autoRewrite(aof: AofWriter): void {
    const pct = this.#config.num("auto-aof-rewrite-percentage");
    if (pct <= 0) return;
    const size = aof.baseSize + aof.incrSize;
    if (size < this.#config.num("auto-aof-rewrite-min-size")) return;
    const base = aof.baseSize || 1;
    if (((size - base) * 100) / base >= pct) {
      this.#log.notice(`Starting automatic rewriting of AOF on ${pct}% growth`);
      this.startCycle({ dump: false, reason: "AOF growth" });
    }
  }

  /**
   * Starts the BGSAVE or rewrite that waited for the last cycle (SCHEDULE,
   * or asked for while one ran); true when one started.
   */
  #startScheduled(): boolean {
    if (!this.bgsaveScheduled && !this.rewriteScheduled) return false;
    const dump = this.bgsaveScheduled;
    this.bgsaveScheduled = this.rewriteScheduled = false;
    return this.startCycle({ dump, reason: dump ? "scheduled BGSAVE" : "scheduled AOF rewrite" });
  }

  /** Starts a cycle in the background; false when one is already running. */
  startCycle(kind: CycleKind): boolean {
    if (this.#cycle !== null) return false;
    this.#cycleStart = Date.now();
    this.#cycleKind = kind;
    this.#cycle = this.#runCycle(kind).finally(() => {
      this.#cycle = null;
      this.#cycleKind = null;
      // Scheduled work follows at once, as Redis's cron starts it in the tick that reaps the
      // child: never a moment with it pending and nothing running. A failure waits for the cron's
      // retry delay.
      const retrying = Date.now() - this.#lastFailure < SAVE_RETRY_DELAY_MS;
      if (this.loading === null && !this.server.shuttingDown && !retrying) this.#startScheduled();
    });
    return true;
  }

  /** Waits for the running cycle, if any. */
  async idle(): Promise<void> {
    while (this.#cycle !== null) await this.#cycle.catch(() => {});
  }

  /** Runs a cycle now (SAVE, SHUTDOWN); waits for a running one first when `wait`. */
  async saveNow(reason: string): Promise<boolean> {
    await this.idle();
    this.startCycle({ dump: true, reason });
    return await this.#cycle!;
  }

  /**
   * Where a replica stands in its master's stream (lib/server/replica.ts),
   * written into its snapshots as Redis's repl-* aux fields; null on a master.
   */
  replInfo: (() => { streamDb: number; id: string; offset: number } | null) | null = null;
  /** The repl-* aux fields of the dump.rdb loaded at start-up without the AOF, if it had them. */
  loadedRepl: { streamDb: number; id: string; offset: number } | null = null;

  #rdbOptions(aofBase: boolean): RdbWriteOptions {
    const policy = this.#config.str("maxmemory-policy");
    return {
      // Not in an AOF base (Redis's rewrite writes none).
      repl: aofBase ? undefined : this.replInfo?.() ?? undefined,
      compression: this.#config.bool("rdbcompression"),
      checksum: this.#config.bool("rdbchecksum"),
      aofBase,
      usedMem: this.server.usedMemory(),
      accessInfo: policy.includes("-lru") ? "lru" : policy.includes("-lfu") ? "lfu" : false,
      // Read right after the freeze (no await between): the libraries of the same instant.
      functions: functionRegistry(this.server).codes(),
    };
  }

  #freeze(): FrozenKeyspace {
    const policy = this.#config.str("maxmemory-policy");
    return this.server.keyspace.freeze(policy.includes("-lru") || policy.includes("-lfu"));
  }

  #tmpName(prefix: string): string {
    return `${prefix}-${Deno.pid}-${++this.#tmpCounter}.rdb`;
  }

  /**
   * One cycle: freeze, stream the snapshot to disk, make it the AOF base
   * (AOF on) and/or dump.rdb. Failures are logged and recorded, never thrown.
   */
  async #runCycle(kind: CycleKind): Promise<boolean> {
    const aof = this.aof;
    const ks = this.server.keyspace;
    const start = Date.now();
    let dirtyAtFreeze = ks.dirty;
    try {
      let frozen: FrozenKeyspace;
      if (aof !== null) {
        // appendonlydir may have been removed (with dir, which is not recreated: that fails).
        await Deno.mkdir(aof.dir).catch((e) => {
          if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        });
        if (aof.hasFile) await aof.prepareRotation();
        await this.#keyspaceFree();
        // The instant of the snapshot: no command runs between these lines.
        frozen = this.#freeze();
        if (aof.hasFile) aof.rotate();
      } else {
        await this.#keyspaceFree();
        frozen = this.#freeze();
      }
      dirtyAtFreeze = ks.dirty;
      this.#log.notice(`Snapshot started (${kind.reason})`);
      try {
        if (aof !== null) {
          const seq = aof.nextBaseSeq();
          const base: ManifestEntry = {
            file: baseName(this.#appendfilename, seq, true),
            seq,
            type: "b",
          };
          await writeFileAtomic(
            aof.dir,
            base.file,
            this.#tmpName("temp-rewriteaof-bg"),
            rdbStream(frozen, this.#rdbOptions(true)),
          );
          await aof.commitBase(base);
          this.aofRewrites++;
          this.aofLastRewriteOk = true;
          this.aofRewriteFailures = 0;
          this.aofLastRewriteSeconds = Math.floor((Date.now() - start) / 1000);
          if (kind.dump) {
            await linkAtomic(
              join(aof.dir, base.file),
              this.dir,
              this.#config.str("dbfilename"),
              this.#tmpName("temp-link"),
            );
          }
        } else {
          await writeFileAtomic(
            this.dir,
            this.#config.str("dbfilename"),
            this.#tmpName("temp"),
            rdbStream(frozen, this.#rdbOptions(false)),
          );
        }
      } finally {
        frozen.release();
      }
    } catch (e) {
      this.#log.warning(
        `Failed saving the ${aof !== null ? "AOF base / RDB snapshot" : "RDB snapshot"} in ` +
          `${this.dir}: ${osErrorText(e)}`,
      );
      this.#log.warning("Background saving error");
      if (kind.dump || aof === null) this.lastBgsaveOk = false;
      if (aof !== null) {
        this.aofLastRewriteOk = false;
        this.aofRewriteFailures++;
      }
      this.lastBgsaveSeconds = Math.floor((Date.now() - start) / 1000);
      this.#lastFailure = Date.now();
      this.updateDenyWrites();
      return false;
    }
    if (kind.dump || aof === null) {
      this.dirtyAtSave = dirtyAtFreeze;
      this.lastSaveMs = Date.now();
      this.lastBgsaveOk = true;
      this.rdbSaves++;
      this.lastBgsaveSeconds = Math.floor((Date.now() - start) / 1000);
    }
    this.updateDenyWrites();
    this.#log.notice(
      `Snapshot done in ${Date.now() - start} ms (${kind.reason})` +
        (aof !== null ? `: new AOF base${kind.dump ? ", dump.rdb linked to it" : ""}` : ""),
    );
    return true;
  }

  /**
   * Runs `work` as the one snapshot-making task of the moment, after any
   * running cycle: snapshots never overlap.
   */
  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.#cycle !== null) await this.#cycle.catch(() => {});
    let done!: () => void;
    this.#cycle = new Promise<boolean>((r) => (done = () => r(true)));
    this.#cycleStart = Date.now();
    try {
      return await work();
    } finally {
      this.#cycle = null;
      done();
    }
  }

  /** SNAPSHOT: a point-in-time RDB of the data at `dir/name`. Throws on failure. */
  snapshotTo(name: string): Promise<void> {
    return this.#exclusive(async () => {
      await this.#keyspaceFree();
      const frozen = this.#freeze();
      try {
        await writeFileAtomic(
          this.dir,
          name,
          this.#tmpName("temp-snapshot"),
          rdbStream(frozen, this.#rdbOptions(false)),
        );
      } finally {
        frozen.release();
      }
      this.#log.notice(`Snapshot written to ${name}`);
    });
  }

  // ------------------------------------------------------------- loading

  /**
   * Loads the data set at start-up (the server already answers, with
   * -LOADING): the AOF when it is on and exists, else dump.rdb; with the AOF
   * on but no AOF yet, its first base is written before loading ends.
   * Throws LoadError when a file cannot be loaded.
   */
  async load(): Promise<void> {
    const start = performance.now();
    this.loading = {
      startTime: Math.floor(Date.now() / 1000),
      totalBytes: 0,
      loadedBytes: 0,
      file: "",
    };
    this.server.keyspace.loading = true;
    try {
      if (this.#config.bool("appendonly")) {
        const manifest = await this.#loadAof();
        const aof = await AofWriter.open(
          this.aofDir,
          this.#appendfilename,
          this.#config.str("appendfsync") as FsyncPolicy,
          this.#log,
          manifest ?? [],
        );
        aof.onFatal = (msg) => this.#fatal(msg);
        if (manifest === null) {
          await this.#loadDump();
          // With the AOF on, a replica resyncs afresh (as Redis: it reads no repl-* fields then).
          this.loadedRepl = null;
          await this.#createAofBase(aof, "on server start");
        } else {
          this.aof = aof;
        }
      } else {
        await this.#loadDump();
      }
    } finally {
      this.loading = null;
      this.server.keyspace.loading = false;
    }
    this.dirtyAtSave = this.server.keyspace.dirty;
    this.#log.notice(
      `DB loaded from disk: ${((performance.now() - start) / 1000).toFixed(3)} seconds`,
    );
  }

  #fatal(message: string): void {
    this.#log.warning(message);
    Deno.exit(1);
  }

  /** The first base of a new AOF, written before any write is acknowledged into it. */
  /**
   * Starts logging to `aof` (which has no files yet) at the instant its
   * first base is frozen, so every command is either in the base or in the
   * log, never both.
   */
  async #createAofBase(aof: AofWriter, why: string): Promise<void> {
    await Deno.mkdir(this.aofDir, { recursive: true });
    const seq = aof.nextBaseSeq();
    const base: ManifestEntry = { file: baseName(this.#appendfilename, seq, true), seq, type: "b" };
    this.#log.notice(`Creating AOF base file ${base.file} ${why}`);
    await this.#keyspaceFree();
    const frozen = this.#freeze();
    this.aof = aof;
    try {
      await writeFileAtomic(
        aof.dir,
        base.file,
        this.#tmpName("temp-rewriteaof"),
        rdbStream(frozen, this.#rdbOptions(true)),
      );
    } finally {
      frozen.release();
    }
    await aof.commitBase(base);
  }

  /** Turns the AOF on at run time (CONFIG SET appendonly yes). */
  enableAof(): Promise<void> {
    return this.#exclusive(() => this.#enableAof());
  }

  async #enableAof(): Promise<void> {
    if (this.aof !== null) return;
    await Deno.mkdir(this.aofDir, { recursive: true });
    const manifestPath = join(this.aofDir, manifestName(this.#appendfilename));
    // Continue the sequence numbers of an old AOF in the directory, if any.
    let old: ManifestEntry[] = [];
    try {
      old = parseManifest(await Deno.readTextFile(manifestPath));
    } catch {
      old = [];
    }
    const aof = await AofWriter.open(
      this.aofDir,
      this.#appendfilename,
      this.#config.str("appendfsync") as FsyncPolicy,
      this.#log,
      old.map((e) => ({ ...e, type: "h" as const })),
    );
    aof.onFatal = (msg) => this.#fatal(msg);
    try {
      await this.#createAofBase(aof, "on AOF enable");
    } catch (e) {
      this.aof = null;
      await aof.close().catch(() => {});
      throw e;
    }
  }

  /** Turns the AOF off at run time (CONFIG SET appendonly no). */
  disableAof(): Promise<void> {
    return this.#exclusive(async () => {
      const aof = this.aof;
      if (aof === null) return;
      this.aof = null;
      await aof.close();
      this.updateDenyWrites();
    });
  }

  async #loadDump(): Promise<void> {
    const path = join(this.dir, this.#config.str("dbfilename"));
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw new LoadError(`Fatal error loading the DB (${path}): ${osErrorText(e)}. Exiting.`);
    }
    const info = await this.#loadRdbBytes(bytes, path);
    const id = info.aux.get("repl-id");
    const offset = Number(info.aux.get("repl-offset"));
    const streamDb = Number(info.aux.get("repl-stream-db"));
    if (id?.length === 40 && Number.isSafeInteger(offset) && Number.isSafeInteger(streamDb)) {
      this.loadedRepl = { streamDb, id, offset };
    }
    for (const key of info.emptySkippedKeys) {
      this.#log.warning(`rdbLoadObject skipping empty key: ${key}`);
    }
    const empty = info.emptySkipped ? `, empty keys skipped: ${info.emptySkipped}` : "";
    this.#log.notice(
      `Done loading RDB, keys loaded: ${info.keys}, keys expired: ${info.expiredSkipped}${empty}.`,
    );
  }

  async #loadRdbBytes(bytes: Uint8Array, path: string, keepExpired = false): Promise<RdbLoadInfo> {
    const name = path.slice(path.lastIndexOf("/") + 1);
    this.loading = { ...this.loading!, totalBytes: bytes.length, loadedBytes: 0, file: name };
    const delay = this.#config.num("key-load-delay");
    const steps = rdbLoadSteps(bytes, this.server.keyspace, {
      ...this.#loadLimits(),
      keepExpired,
      // With a per-key delay, step (and pause) after every key.
      stepKeys: delay > 0 ? 1 : undefined,
    });
    let lastLog = performance.now();
    let lastYield = performance.now();
    try {
      for (;;) {
        const step = steps.next();
        if (step.done) {
          const info = step.value;
          await loadRdbLibraries(this.server, info.functions);
          this.lastLoadKeys = info.keys;
          this.lastLoadExpired = info.expiredSkipped;
          this.loading!.loadedBytes = bytes.length;
          return info;
        }
        this.loading!.loadedBytes = step.value.offset;
        const now = performance.now();
        if (now - lastLog >= 1000) {
          lastLog = now;
          this.#log.notice(
            `Loading ${name}: ${Math.floor((step.value.offset * 100) / bytes.length)}% ` +
              `(${step.value.keys} keys)`,
          );
        }
        // Let clients in (they get -LOADING) between steps.
        if (delay > 0) {
          await sleep(delay / 1000);
        } else if (now - lastYield >= 20) {
          lastYield = now;
          await sleep(0);
        }
      }
    } catch (e) {
      if (e instanceof LoadError) throw e;
      throw new LoadError(
        `Fatal error loading the DB (${path}): ${(e as Error).message}. Exiting.`,
      );
    }
  }

  /** Loads the multi-part AOF; null when there is none (no manifest). */
  async #loadAof(): Promise<ManifestEntry[] | null> {
    const dir = this.aofDir;
    const manifestPath = join(dir, manifestName(this.#appendfilename));
    let text: string;
    try {
      text = await Deno.readTextFile(manifestPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw new LoadError(
        `Fatal error: can't read the AOF manifest ${manifestPath}: ${osErrorText(e)}`,
      );
    }
    let manifest: ManifestEntry[];
    try {
      manifest = parseManifest(text);
    } catch (e) {
      throw new LoadError(`Invalid AOF manifest file ${manifestPath}: ${(e as Error).message}`);
    }
    const files = [
      ...manifest.filter((e) => e.type === "b"),
      ...manifest.filter((e) => e.type === "i"),
    ];
    const live = manifest.filter((e) => e.type !== "h");
    let keys = 0;
    for (let i = 0; i < files.length; i++) {
      const entry = files[i];
      const path = join(dir, entry.file);
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(path);
      } catch (e) {
        throw new LoadError(
          `The AOF file ${entry.file} doesn't exist (${path}): ${osErrorText(e)}`,
        );
      }
      const last = entry === files[files.length - 1];
      if (bytes.length === 0) continue;
      let start = 0;
      if (isRdb(bytes)) {
        const info = await this.#loadRdbBytes(bytes, path);
        keys += info.keys;
        start = info.end;
        if (start >= bytes.length) {
          this.#log.notice(`DB loaded from base file ${entry.file}`);
          continue;
        }
      }
      await this.#replay(bytes, start, path, entry.file, last);
      this.#log.notice(`DB loaded from ${entry.type === "b" ? "base" : "incr"} file ${entry.file}`);
    }
    this.lastLoadKeys = keys;
    return live;
  }

  /** Replays the commands of one AOF file; a torn tail of the last file is cut off. */
  async #replay(
    bytes: Uint8Array,
    start: number,
    path: string,
    name: string,
    last: boolean,
  ): Promise<void> {
    this.loading = { ...this.loading!, totalBytes: bytes.length, loadedBytes: start, file: name };
    const client = new Client(this.server, "", "");
    client.loader = true;
    this.server.removeClient(client);
    const delay = this.#config.num("key-load-delay");
    const units = readAofUnits(bytes, start);
    let lastYield = performance.now();
    let lastLog = lastYield;
    let n = 0;
    let end: AofEnd;
    for (;;) {
      const next = units.next();
      if (next.done) {
        end = next.value;
        break;
      }
      client.clockMark = performance.now(); // after any pause: not the command's time
      for (const args of next.value.commands) {
        if (
          this.server.commands.get(args[0]) === undefined &&
          this.server.commands.original(args[0]) === undefined
        ) {
          throw new LoadError(
            `Unknown command '${args[0].slice(0, 128)}' reading the append only file ${name} ` +
              `at offset ${next.value.offset}`,
          );
        }
        const pending = dispatch(client, args);
        if (pending) await pending;
        client.out.truncate(0);
      }
      this.loading!.loadedBytes = next.value.end;
      if (delay > 0) {
        await sleep(delay / 1000);
      } else if ((++n & 255) === 0) {
        const now = performance.now();
        if (now - lastYield >= 20) {
          lastYield = now;
          await sleep(0);
        }
        if (now - lastLog >= 1000) {
          lastLog = now;
          this.#log.notice(
            `Loading ${name}: ${
              Math.floor((next.value.end * 100) / bytes.length)
            }% (${n} commands)`,
          );
        }
      }
    }
    client.db = this.server.keyspace.dbs[0];
    if (end.kind === "ok") return;
    if (end.kind === "truncated" && last && this.#config.bool("aof-load-truncated")) {
      this.#log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
      this.#log.warning(
        `AOF ${name} loaded anyway because aof-load-truncated is enabled ` +
          `(${end.reason}; truncated to offset ${end.offset})`,
      );
      await Deno.truncate(path, end.offset);
      return;
    }
    const what = end.kind === "truncated"
      ? `Unexpected end of file reading the append only file ${name}`
      : `Bad file format reading the append only file ${name}`;
    throw new LoadError(
      `${what} at offset ${end.offset}: ${end.reason}. make a backup of your AOF file, then use ` +
        `./redis-check-aof --fix <filename.manifest>`,
    );
  }

  /**
   * A replica's full resync: the master's RDB replaces the data set and the
   * function libraries (keys already expired are kept: the master's DELs
   * follow). The AOF, when on, starts again from a new base of it; with
   * save points only, a snapshot follows. Returns the RDB's aux fields.
   */
  loadFromMaster(bytes: Uint8Array): Promise<Map<string, string>> {
    return this.#exclusive(async () => {
      await this.#keyspaceFree();
      const aof = this.aof;
      if (aof !== null) {
        this.aof = null;
        await aof.close();
      }
      const ks = this.server.keyspace;
      this.loading = {
        startTime: Math.floor(Date.now() / 1000),
        totalBytes: bytes.length,
        loadedBytes: 0,
        file: "",
      };
      ks.loading = true;
      let info: RdbLoadInfo;
      try {
        ks.flushAll();
        await loadRdbLibraries(this.server, [], true);
        info = await this.#loadRdbBytes(bytes, "master", true);
      } finally {
        this.loading = null;
        ks.loading = false;
      }
      this.#log.notice(`Done loading RDB, keys loaded: ${info.keys}, keys expired: 0.`);
      if (aof !== null) {
        await this.#enableAof();
      } else if (this.savePoints.length > 0) {
        this.bgsaveScheduled = true;
      }
      return info.aux;
    });
  }

  /** DEBUG RELOAD: dump.rdb back into memory, after emptying it when `flush`. */
  async reloadDump(flush: boolean): Promise<void> {
    const path = join(this.dir, this.#config.str("dbfilename"));
    const bytes = await Deno.readFile(path);
    const ks = this.server.keyspace;
    // Parse first: a bad file leaves the data as it is.
    const parsed = new Keyspace(ks.dbs.length);
    const info = readRdb(bytes, parsed, this.#loadLimits());
    await loadRdbLibraries(this.server, info.functions, flush);
    if (flush) ks.flushAll();
    // Loaded keys are not "new" keys: no keyspace events, as Redis's RDB load fires none.
    const wasLoading = ks.loading;
    ks.loading = true;
    try {
      for (const db of parsed.dbs) {
        const into = ks.dbs[db.id];
        for (let i = 0; i < db.dict.size; i++) {
          const key = db.dict.keyAt(i);
          into.set(key, db.dict.valueAt(i));
          const at = db.getExpireExact(key);
          if (at !== -1) into.setExpire(key, at);
        }
      }
    } finally {
      ks.loading = wasLoading;
    }
  }

  /** The encoding limits loaded values are built with (RDB load, DEBUG RELOAD). */
  #loadLimits(): RdbReadOptions {
    const num = (name: string) => this.#config.num(name);
    return {
      hashLimits: {
        maxEntries: num("hash-max-listpack-entries"),
        maxValue: num("hash-max-listpack-value"),
      },
      listLimits: {
        maxListpackSize: num("list-max-listpack-size"),
        compressDepth: num("list-compress-depth"),
      },
      setLimits: { maxIntsetEntries: num("set-max-intset-entries") },
      zsetLimits: {
        maxListpackEntries: num("zset-max-listpack-entries"),
        maxListpackValue: num("zset-max-listpack-value"),
      },
    };
  }

  // ------------------------------------------------------------ shutdown

  /**
   * Before exit: waits for a running cycle, saves when asked or when save
   * points are configured (unless `save` is false), flushes and fsyncs the
   * AOF. False when the final save failed.
   */
  async finalSave(save: boolean | null): Promise<boolean> {
    if (this.loading !== null) {
      // A half-loaded data set must not replace the files it comes from.
      this.#log.warning("Shutdown while loading: the data files are left as they are.");
      return true;
    }
    await this.idle();
    if (save === true || (save === null && this.savePoints.length > 0)) {
      this.#log.notice("Saving the final RDB snapshot before exiting.");
      if (!(await this.saveNow("shutdown"))) {
        this.#log.warning("Error trying to save the DB, can't exit.");
        return false;
      }
    }
    if (this.aof !== null) {
      this.#log.notice("Calling fsync() on the AOF file.");
      await this.aof.close();
    }
    return true;
  }
}

function isRdb(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && bytes[0] === 0x52 && bytes[1] === 0x45 && bytes[2] === 0x44 &&
    bytes[3] === 0x49 && bytes[4] === 0x53;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A snapshot as a byte stream for Deno.writeFile: each pull encodes one
 * chunk (about 64KB), so the event loop serves clients between chunks.
 */
function rdbStream(frozen: FrozenKeyspace, opts: RdbWriteOptions): ReadableStream<Uint8Array> {
  const chunks = rdbChunks(frozen, opts);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  }, { highWaterMark: 0 });
}
