/**
 * The shared-memory channel between the main thread and the Lua Worker: a
 * growable SharedArrayBuffer with a state word (who acts next) and one
 * message area. A message is a list of byte strings ("parts"). Both sides
 * use this module, so the layout lives in one place.
 */
import { bytesToStr } from "../resp/bytes.ts";

/** State word values: whose turn it is. */
export const IDLE = 0;
/** The main thread wrote a job (eval, load, memory) for the worker. */
export const JOB = 1;
/** The worker wrote a redis.call request and waits for the reply. */
export const CALL = 2;
/** The main thread wrote the reply of a request. */
export const REPLY = 3;
/** The worker wrote the job's result. */
export const DONE = 4;

const HEADER = 16;
const INITIAL = 1 << 20;
/** Largest message (the VM's own heap is 64 MB; nothing bigger can cross anyway). */
const MAX = 1 << 30;

/** Error text when a message cannot fit the channel. */
export const TOO_BIG = "message too big for the script channel";

/** Both threads' view of one channel. */
export class Channel {
  readonly ctl: Int32Array;
  #data: Uint8Array;
  #view: DataView;

  constructor(readonly sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, 4);
    // Length-tracking views follow the buffer when it grows.
    this.#data = new Uint8Array(sab, HEADER);
    this.#view = new DataView(sab, HEADER);
  }

  /** A fresh channel (main thread side). */
  static create(): Channel {
    const Growable = SharedArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => SharedArrayBuffer;
    return new Channel(new Growable(INITIAL, { maxByteLength: MAX + HEADER }));
  }

  get state(): number {
    return Atomics.load(this.ctl, 0);
  }

  /** Hands the turn to the other side (woken only if it sleeps: a notify costs µs). */
  signal(state: number): void {
    Atomics.store(this.ctl, 0, state);
    if (Atomics.load(this.ctl, 1) !== 0) Atomics.notify(this.ctl, 0);
  }

  /**
   * Sleeps until the state word is no longer `state` or `ms` pass. The
   * sleeper count is raised first, so a signal stored after it wakes us and
   * one stored before makes the wait return at once.
   */
  sleep(state: number, ms: number): void {
    Atomics.add(this.ctl, 1, 1);
    Atomics.wait(this.ctl, 0, state, ms);
    Atomics.sub(this.ctl, 1, 1);
  }

  /** The asynchronous sleep (the main thread past busy-reply-threshold). */
  async sleepAsync(state: number, ms: number): Promise<void> {
    Atomics.add(this.ctl, 1, 1);
    try {
      const w = Atomics.waitAsync(this.ctl, 0, state, ms);
      if (w.async) await w.value;
    } finally {
      Atomics.sub(this.ctl, 1, 1);
    }
  }

  /** Waits (spinning first, then sleeping) until the state word leaves `state`. */
  waitWhile(state: number, spins: number): number {
    for (let i = 0; i < spins; i++) {
      const s = Atomics.load(this.ctl, 0);
      if (s !== state) return s;
    }
    for (;;) {
      const s = Atomics.load(this.ctl, 0);
      if (s !== state) return s;
      this.sleep(state, 50);
    }
  }

  /** Writes a message; false when it cannot fit. */
  write(parts: Uint8Array[]): boolean {
    let size = 4;
    for (const p of parts) size += 4 + p.length;
    if (!this.#ensure(size)) return false;
    const dv = this.#view;
    const data = this.#data;
    dv.setUint32(0, parts.length, true);
    let o = 4;
    for (const p of parts) {
      dv.setUint32(o, p.length, true);
      o += 4;
      data.set(p, o);
      o += p.length;
    }
    return true;
  }

  /** Writes a message of binary strings (one char per byte). */
  writeStrings(parts: string[]): boolean {
    let size = 4;
    for (const p of parts) size += 4 + p.length;
    if (!this.#ensure(size)) return false;
    const dv = this.#view;
    const data = this.#data;
    dv.setUint32(0, parts.length, true);
    let o = 4;
    for (const p of parts) {
      const n = p.length;
      dv.setUint32(o, n, true);
      o += 4;
      for (let i = 0; i < n; i++) data[o + i] = p.charCodeAt(i);
      o += n;
    }
    return true;
  }

  /** Reads the message as copies of its parts. */
  read(): Uint8Array[] {
    const dv = this.#view;
    const n = dv.getUint32(0, true);
    const out: Uint8Array[] = new Array(n);
    let o = 4;
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(o, true);
      o += 4;
      out[i] = this.#data.slice(o, o + len);
      o += len;
    }
    return out;
  }

  /** Reads the message as binary strings. */
  readStrings(): string[] {
    const dv = this.#view;
    const data = this.#data;
    const n = dv.getUint32(0, true);
    const out: string[] = new Array(n);
    let o = 4;
    for (let i = 0; i < n; i++) {
      const len = dv.getUint32(o, true);
      o += 4;
      out[i] = bytesToStr(data, o, o + len);
      o += len;
    }
    return out;
  }

  #ensure(size: number): boolean {
    if (size > MAX) return false;
    const need = size + HEADER;
    const sab = this.sab as unknown as { byteLength: number; grow(n: number): void };
    if (need > sab.byteLength) {
      let next = sab.byteLength * 2;
      while (next < need) next *= 2;
      sab.grow(Math.min(next, MAX + HEADER));
    }
    return true;
  }
}
