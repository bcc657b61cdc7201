/**
 * List values, as Redis 7.0's quicklist: a deque of nodes, each node one
 * packed binary string of length-prefixed entries (the listpack's role).
 *
 * An entry is `len value len'`: `len` is the byte length as a little-endian
 * base-128 varint (one byte below 128) and `len'` the same bytes reversed, so
 * a node can be walked from either end (as the listpack's back-length allows).
 * A small list is one node, i.e. one JS string, not one object per element.
 *
 * Appending to a node's string makes a V8 rope (ConsString), which costs
 * objects and keeps the pushed argument strings alive. A push flattens the
 * node at once when that copy is cheap next to the push (a small node, as in
 * most lists, or one at most 4x the pushed bytes), else when the rope's
 * overhead reaches the node's size (and when the node is closed), which keeps
 * pushes O(1) amortized; a multi-element push (pushMany) decides once, for
 * all it added, so a new or small node ends the command flat.
 * Node size follows list-max-listpack-size: negative = 4/8/16/32/64 KB per
 * node, positive = entries per node (still capped at 8 KB, as Redis's safety
 * limit). list-compress-depth is kept but nodes are not compressed.
 */
import type { StoredObject } from "./keyspace.ts";

/** list-max-listpack-size and list-compress-depth, as read from the configuration. */
export interface ListLimits {
  maxListpackSize: number;
  compressDepth: number;
}

/** Redis's SIZE_SAFETY_LIMIT: the byte cap of a node under a count limit. */
const SIZE_SAFETY_LIMIT = 8192;

/** One node: a packed string of `count` entries. */
class Node {
  constructor(
    public data: string,
    public count: number,
    /** Concatenations since the string was last flattened. */
    public pieces: number,
  ) {}
}

/**
 * Node size up to which a single push flattens its node at once: a copy this
 * small costs about what the rope's objects would, and a small node (most
 * lists) then never stays a rope.
 */
const EAGER_FLATTEN_BYTES = 512;

/**
 * `s`, flattened in place. V8 flattens a rope when it searches it (charCodeAt
 * does not always: optimized code walks short ropes); a backward search from
 * 0 then compares one char, so this costs the copy and no scan.
 */
function flat(s: string): string {
  s.lastIndexOf("\x00", 0);
  return s;
}

/** The varint of `n` (forward form). */
function lenBytes(n: number): string {
  if (n < 128) return String.fromCharCode(n);
  let s = "";
  while (n >= 128) {
    s += String.fromCharCode((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  return s + String.fromCharCode(n);
}

/** The packed form of one entry. */
function packEntry(v: string): string {
  const n = v.length;
  if (n < 128) {
    const h = String.fromCharCode(n);
    return h + v + h;
  }
  const h = lenBytes(n);
  let t = "";
  for (let i = h.length - 1; i >= 0; i--) t += h[i];
  return h + v + t;
}

// Scratch outputs of readForward/readBackward (avoids an object per read).
let rdLen = 0;
let rdHead = 0;

/** Reads the length at `p` (forward); sets rdLen and rdHead (varint bytes). */
function readForward(data: string, p: number): void {
  let b = data.charCodeAt(p);
  if (b < 128) {
    rdLen = b;
    rdHead = 1;
    return;
  }
  let n = 0;
  let mul = 1;
  let i = 0;
  while (b >= 128) {
    n += (b & 127) * mul;
    mul *= 128;
    b = data.charCodeAt(p + ++i);
  }
  rdLen = n + b * mul;
  rdHead = i + 1;
}

/** Reads the length whose reversed varint ends just before `end`. */
function readBackward(data: string, end: number): void {
  let b = data.charCodeAt(end - 1);
  if (b < 128) {
    rdLen = b;
    rdHead = 1;
    return;
  }
  let n = 0;
  let mul = 1;
  let i = 0;
  while (b >= 128) {
    n += (b & 127) * mul;
    mul *= 128;
    b = data.charCodeAt(end - 1 - ++i);
  }
  rdLen = n + b * mul;
  rdHead = i + 1;
}

/** The entries of a node, head to tail. */
function decodeNode(node: Node): string[] {
  const data = node.data;
  const out = new Array<string>(node.count);
  let p = 0;
  for (let i = 0; i < node.count; i++) {
    readForward(data, p);
    const start = p + rdHead;
    out[i] = data.substring(start, start + rdLen);
    p = start + rdLen + rdHead;
  }
  return out;
}

export class ListValue implements StoredObject {
  #nodes: Node[] = [];
  #length = 0;
  #fill: number;
  #compressDepth: number;

  constructor(limits: ListLimits) {
    this.#fill = limits.maxListpackSize;
    this.#compressDepth = limits.compressDepth;
  }

  /** A getter, not a field: one less slot in every list. */
  get type(): "list" {
    return "list";
  }

  /** Redis 7.0 reports every list as a quicklist. */
  encoding(): "quicklist" {
    return "quicklist";
  }

  /** The limits this list was created with. */
  get limits(): ListLimits {
    return { maxListpackSize: this.#fill, compressDepth: this.#compressDepth };
  }

  clone(): ListValue {
    const copy = new ListValue(this.limits);
    // Node strings are immutable: sharing them is a deep copy.
    copy.#nodes = this.#nodes.map((n) => new Node(n.data, n.count, n.pieces));
    copy.#length = this.#length;
    return copy;
  }

  /** Number of elements. */
  get length(): number {
    return this.#length;
  }

  /** Number of quicklist nodes (DEBUG, MEMORY USAGE, tests). */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Packed bytes held by all nodes (MEMORY USAGE). */
  get packedBytes(): number {
    let n = 0;
    for (const node of this.#nodes) n += node.data.length;
    return n;
  }

  /**
   * Packed bytes of all nodes estimated from up to `samples` nodes spread
   * evenly over the list (exact when there are no more nodes than that).
   */
  packedBytesSampled(samples: number): number {
    const nodes = this.#nodes;
    const n = nodes.length;
    if (n <= samples) return this.packedBytes;
    let sum = 0;
    for (let k = 0; k < samples; k++) {
      sum += nodes[Math.floor((k * (n - 1)) / (samples - 1 || 1))].data.length;
    }
    return Math.round((sum / samples) * n);
  }

  /** Whether `node` can take `add` more packed bytes under the fill limit. */
  #fits(node: Node, add: number): boolean {
    return this.#fitsSize(node.count, node.data.length, add);
  }

  /** Whether a node of `count` entries and `bytes` bytes can take `add` more bytes. */
  #fitsSize(count: number, bytes: number, add: number): boolean {
    const size = bytes + add;
    const fill = this.#fill;
    if (fill < 0) return size <= 4096 << (Math.min(-fill, 5) - 1);
    return count < fill && size <= SIZE_SAFETY_LIMIT;
  }

  /** Flattens a node's rope, if it is one. */
  #flatten(node: Node): void {
    if (node.pieces === 0) return;
    flat(node.data);
    node.pieces = 0;
  }

  /**
   * Adds packed entry `e` at the head (left) or the tail, in a new node when
   * the end node is full (the closed node is flattened), and returns the node
   * holding it, with `e` counted as one more rope piece.
   */
  #add(left: boolean, e: string): Node {
    const nodes = this.#nodes;
    const end = nodes.length === 0 ? undefined : left ? nodes[0] : nodes[nodes.length - 1];
    this.#length++;
    if (end !== undefined && this.#fits(end, e.length)) {
      end.data = left ? e + end.data : end.data + e;
      end.count++;
      end.pieces++;
      return end;
    }
    if (end !== undefined) this.#flatten(end);
    const node = new Node(e, 1, 1); // an entry of 13+ bytes is itself a rope
    if (nodes.length === 0) this.#nodes = [node]; // a literal: no spare capacity
    else if (left) nodes.unshift(node);
    else nodes.push(node);
    return node;
  }

  /**
   * At the end of a push that added `added` bytes to `node`: flattens it when
   * the copy is cheap next to the push (a node of at most
   * EAGER_FLATTEN_BYTES, or 4x the added bytes: a new node always), else once
   * the pieces' overhead (~64 bytes each) reaches its size. So a push copies
   * O(64 + added) bytes amortized and a rope never more than doubles a node.
   */
  #settle(node: Node, added: number): void {
    const bytes = node.data.length;
    if (
      node.pieces !== 0 &&
      (node.pieces * 64 >= bytes || bytes <= Math.max(EAGER_FLATTEN_BYTES, 4 * added))
    ) {
      flat(node.data);
      node.pieces = 0;
    }
  }

  /** Pushes `v` at the tail (RPUSH of one value). */
  pushRight(v: string): void {
    const e = packEntry(v);
    this.#settle(this.#add(false, e), e.length);
  }

  /** Pushes `v` at the head (LPUSH of one value). */
  pushLeft(v: string): void {
    const e = packEntry(v);
    this.#settle(this.#add(true, e), e.length);
  }

  /**
   * Pushes values[from..] one by one at the head (left) or the tail, as
   * LPUSH/RPUSH do, settling the end node once: the nodes it filled are
   * flattened when closed, and the last one by #settle for all the bytes the
   * command added to it, so a small or new node ends the command flat.
   */
  pushMany(left: boolean, values: string[], from = 0): void {
    let node: Node | undefined;
    let added = 0;
    for (let i = from; i < values.length; i++) {
      const e = packEntry(values[i]);
      const to = this.#add(left, e);
      added = to === node ? added + e.length : e.length;
      node = to;
    }
    if (node !== undefined) this.#settle(node, added);
  }

  popLeft(): string | undefined {
    const nodes = this.#nodes;
    if (nodes.length === 0) return undefined;
    const node = nodes[0];
    const data = node.data;
    readForward(data, 0);
    const start = rdHead;
    const v = data.substring(start, start + rdLen);
    this.#length--;
    if (--node.count === 0) {
      nodes.shift();
    } else {
      node.data = data.substring(start + rdLen + rdHead);
      node.pieces = 0;
    }
    return v;
  }

  popRight(): string | undefined {
    const nodes = this.#nodes;
    if (nodes.length === 0) return undefined;
    const node = nodes[nodes.length - 1];
    const data = node.data;
    const end = data.length;
    readBackward(data, end);
    const stop = end - rdHead;
    const v = data.substring(stop - rdLen, stop);
    this.#length--;
    if (--node.count === 0) {
      nodes.pop();
    } else {
      node.data = data.substring(0, stop - rdLen - rdHead);
      node.pieces = 0;
    }
    return v;
  }

  /** Node holding element `i` (0 <= i < length) and i's offset in it. */
  #locate(i: number): [number, number] {
    const nodes = this.#nodes;
    if (i < this.#length >> 1) {
      for (let ni = 0; ni < nodes.length; ni++) {
        const c = nodes[ni].count;
        if (i < c) return [ni, i];
        i -= c;
      }
    } else {
      let fromEnd = this.#length - 1 - i;
      for (let ni = nodes.length - 1; ni >= 0; ni--) {
        const c = nodes[ni].count;
        if (fromEnd < c) return [ni, c - 1 - fromEnd];
        fromEnd -= c;
      }
    }
    throw new RangeError("list index out of range");
  }

  /** Element at `i` from the head (0-based), or undefined out of range. */
  at(i: number): string | undefined {
    if (i < 0 || i >= this.#length) return undefined;
    const [ni, off] = this.#locate(i);
    const node = this.#nodes[ni];
    const data = node.data;
    if (off <= node.count >> 1) {
      let p = 0;
      for (let k = 0; k < off; k++) {
        readForward(data, p);
        p += rdLen + 2 * rdHead;
      }
      readForward(data, p);
      return data.substring(p + rdHead, p + rdHead + rdLen);
    }
    let end = data.length;
    for (let k = node.count - 1; k > off; k--) {
      readBackward(data, end);
      end -= rdLen + 2 * rdHead;
    }
    readBackward(data, end);
    return data.substring(end - rdHead - rdLen, end - rdHead);
  }

  /** All elements, head to tail. */
  toArray(): string[] {
    const out: string[] = [];
    for (const node of this.#nodes) {
      for (const v of decodeNode(node)) out.push(v);
    }
    return out;
  }

  /** Elements grouped by node, head to tail (RDB writes one listpack per quicklist node). */
  chunks(): string[][] {
    return this.#nodes.map(decodeNode);
  }

  /**
   * Visits elements start..stop (inclusive, 0 <= start <= stop < length) in
   * order; the caller has clamped the range.
   */
  forRange(start: number, stop: number, visit: (v: string) => void): void {
    if (start > stop) return;
    let [ni, off] = this.#locate(start);
    let left = stop - start + 1;
    const nodes = this.#nodes;
    while (left > 0) {
      const node = nodes[ni++];
      const data = node.data;
      let p = 0;
      for (let k = 0; k < off; k++) {
        readForward(data, p);
        p += rdLen + 2 * rdHead;
      }
      for (let k = off; k < node.count && left > 0; k++, left--) {
        readForward(data, p);
        const s = p + rdHead;
        visit(data.substring(s, s + rdLen));
        p = s + rdLen + rdHead;
      }
      off = 0;
    }
  }

  /**
   * Visits elements with their index, from the head or from the tail, until
   * `visit` returns false. The list must not be modified meanwhile.
   */
  scan(fromTail: boolean, visit: (v: string, index: number) => boolean | void): void {
    const nodes = this.#nodes;
    if (!fromTail) {
      let index = 0;
      for (const node of nodes) {
        const data = node.data;
        let p = 0;
        for (let k = 0; k < node.count; k++) {
          readForward(data, p);
          const s = p + rdHead;
          if (visit(data.substring(s, s + rdLen), index++) === false) return;
          p = s + rdLen + rdHead;
        }
      }
      return;
    }
    let index = this.#length - 1;
    for (let ni = nodes.length - 1; ni >= 0; ni--) {
      const node = nodes[ni];
      const data = node.data;
      let end = data.length;
      for (let k = 0; k < node.count; k++) {
        readBackward(data, end);
        const stop = end - rdHead;
        if (visit(data.substring(stop - rdLen, stop), index--) === false) return;
        end = stop - rdLen - rdHead;
      }
    }
  }

  /** Packs `items` into nodes under the fill limit. */
  #pack(items: string[]): Node[] {
    const out: Node[] = [];
    let parts: string[] = [];
    let bytes = 0;
    for (const v of items) {
      const e = packEntry(v);
      if (parts.length !== 0 && !this.#fitsSize(parts.length, bytes, e.length)) {
        out.push(new Node(parts.join(""), parts.length, 0));
        parts = [];
        bytes = 0;
      }
      parts.push(e);
      bytes += e.length;
    }
    if (parts.length !== 0) out.push(new Node(parts.join(""), parts.length, 0));
    // join returns a lone part as it is: flatten one-entry nodes' entries.
    for (const node of out) if (node.count === 1) flat(node.data);
    return out;
  }

  /** Replaces nodes[ni] by nodes packed from `items` (none when empty). */
  #replaceNode(ni: number, items: string[]): void {
    const packed = this.#pack(items);
    this.#nodes.splice(ni, 1, ...packed);
  }

  /** Inserts `v` so that it becomes element `i` (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (i <= 0) return this.pushLeft(v);
    if (i >= this.#length) return this.pushRight(v);
    const [ni, off] = this.#locate(i);
    const items = decodeNode(this.#nodes[ni]);
    items.splice(off, 0, v);
    this.#replaceNode(ni, items);
    this.#length++;
  }

  /** Replaces element `i` (0 <= i < length) with `v`. */
  setAt(i: number, v: string): void {
    const [ni, off] = this.#locate(i);
    const items = decodeNode(this.#nodes[ni]);
    items[off] = v;
    this.#replaceNode(ni, items);
  }

  /**
   * Removes elements equal to `v`: the first `count` from the head when
   * count > 0, the last -count from the tail when count < 0, all when 0.
   * Returns how many were removed.
   */
  removeMatching(v: string, count: number): number {
    const nodes = this.#nodes;
    const limit = count === 0 ? Infinity : Math.abs(count);
    let removed = 0;
    const fromTail = count < 0;
    let ni = fromTail ? nodes.length - 1 : 0;
    while (removed < limit && ni >= 0 && ni < nodes.length) {
      const items = decodeNode(nodes[ni]);
      let hits = 0;
      const kept: string[] = [];
      if (!fromTail) {
        for (const x of items) {
          if (x === v && removed + hits < limit) hits++;
          else kept.push(x);
        }
      } else {
        for (let k = items.length - 1; k >= 0; k--) {
          if (items[k] === v && removed + hits < limit) hits++;
          else kept.push(items[k]);
        }
        kept.reverse();
      }
      if (hits > 0) {
        removed += hits;
        this.#length -= hits;
        const before = nodes.length;
        this.#replaceNode(ni, kept);
        if (!fromTail) ni += nodes.length - before + 1;
        else ni--;
      } else {
        ni += fromTail ? -1 : 1;
      }
    }
    return removed;
  }

  /** Keeps only elements start..stop (inclusive, clamped by the caller); empty when start > stop. */
  trim(start: number, stop: number): void {
    if (start > stop || start >= this.#length) {
      this.#nodes = [];
      this.#length = 0;
      return;
    }
    // Drop from the tail, then from the head.
    let dropRight = this.#length - 1 - stop;
    const nodes = this.#nodes;
    while (dropRight > 0) {
      const last = nodes[nodes.length - 1];
      if (last.count <= dropRight) {
        nodes.pop();
        dropRight -= last.count;
        this.#length -= last.count;
      } else {
        const items = decodeNode(last);
        items.length -= dropRight;
        this.#length -= dropRight;
        this.#replaceNode(nodes.length - 1, items);
        dropRight = 0;
      }
    }
    let dropLeft = start;
    while (dropLeft > 0) {
      const first = nodes[0];
      if (first.count <= dropLeft) {
        nodes.shift();
        dropLeft -= first.count;
        this.#length -= first.count;
      } else {
        const items = decodeNode(first).slice(dropLeft);
        this.#length -= dropLeft;
        this.#replaceNode(0, items);
        dropLeft = 0;
      }
    }
  }

  /** A list of `items` (head first): RDB load, SORT STORE, tests. */
  static fromArray(items: string[], limits: ListLimits): ListValue {
    const list = new ListValue(limits);
    list.#nodes = list.#pack(items);
    list.#length = items.length;
    return list;
  }
}
