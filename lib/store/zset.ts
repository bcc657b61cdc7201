/**
 * Sorted set values, in Redis's two representations:
 *
 * - "listpack": every (member, score) pair packed into one binary string, in
 *   (score, member) order: a varint member length, the member bytes, then the
 *   score as a tagged small integer or an 8-byte double. One string per small
 *   zset, not one JS object per entry; operations scan it linearly, as
 *   Redis's listpack does.
 * - "skiplist": a Dict member -> score (O(1) ZSCORE) plus an order-statistic
 *   B+tree of (score, member) entries: leaves hold parallel member and score
 *   arrays, inner nodes the entry count of every subtree, so insert, delete,
 *   rank and the start of a range cost O(log n). Redis uses a skiplist with
 *   spans; the tree answers the same questions with less memory per entry.
 *
 * A zset is a listpack until it holds more than zset-max-listpack-entries
 * members or a member longer than zset-max-listpack-value bytes; like Redis
 * it never converts back by itself (convertToListpackIfNeeded is the explicit
 * step Redis takes for ZRANGESTORE / ZUNIONSTORE results and RDB loads).
 *
 * Order: score ascending, ties by member bytes (binary strings compare as
 * memcmp, a prefix first). -0 and 0 are equal scores, as in C.
 */
import { Dict } from "./dict.ts";
import type { StoredObject } from "./keyspace.ts";
import { bytesToStr } from "../resp/bytes.ts";

/** zset-max-listpack-entries and zset-max-listpack-value, as read from the configuration. */
export interface ZSetLimits {
  maxListpackEntries: number;
  maxListpackValue: number;
}

/** A score interval (ZRANGEBYSCORE min max): exclusive ends written "(". */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** One end of a lex interval: "-" (inf -1), "+" (inf 1) or "[v" / "(v" (inf 0). */
export interface LexBound {
  inf: -1 | 0 | 1;
  value: string;
  exclusive: boolean;
}

/** A lex interval (ZRANGEBYLEX min max). */
export interface LexRange {
  min: LexBound;
  max: LexBound;
}

/** Sign of (s1, m1) against (s2, m2): score first, then member bytes. */
export function compareEntry(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

/** True when `score` is at or above the range's lower end. */
export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

/** True when `score` is at or below the range's upper end. */
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

/** True when `member` is at or above the lex range's lower end. */
export function lexGteMin(member: string, r: LexRange): boolean {
  const b = r.min;
  if (b.inf !== 0) return b.inf < 0;
  return b.exclusive ? member > b.value : member >= b.value;
}

/** True when `member` is at or below the lex range's upper end. */
export function lexLteMax(member: string, r: LexRange): boolean {
  const b = r.max;
  if (b.inf !== 0) return b.inf > 0;
  return b.exclusive ? member < b.value : member <= b.value;
}

// ---------------------------------------------------------------------------
// Listpack: the packed string codec.

/**
 * Score tags: unsigned byte, int16, int32, double; a byte with the high bit
 * set is itself a score from 0 to 127 (the commonest scores take one byte).
 */
const T_U8 = 0, T_I16 = 1, T_I32 = 2, T_F64 = 3, T_TINY = 0x80;
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
let packBuf = new Uint8Array(4096);
let packLen = 0;
/** Position after the last decoded item (the decoders' second result). */
let nextPos = 0;

function packEnsure(n: number): void {
  if (packLen + n <= packBuf.length) return;
  let size = packBuf.length * 2;
  while (size < packLen + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(packBuf.subarray(0, packLen));
  packBuf = next;
}

function packEntry(member: string, score: number): void {
  const n = member.length;
  packEnsure(n + 14);
  const b = packBuf;
  let p = packLen;
  let len = n;
  while (len >= 0x80) {
    b[p++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  b[p++] = len;
  for (let i = 0; i < n; i++) b[p++] = member.charCodeAt(i);
  // -0 is stored as the integer 0, as Redis's listpack stores it.
  if (
    Number.isInteger(score) && score >= -0x80000000 && score <= 0x7fffffff
  ) {
    if (score >= 0 && score < 0x80) {
      b[p++] = T_TINY | score;
    } else if (score >= 0 && score <= 0xff) {
      b[p++] = T_U8;
      b[p++] = score;
    } else if (score >= -0x8000 && score <= 0x7fff) {
      b[p++] = T_I16;
      b[p++] = score & 0xff;
      b[p++] = (score >> 8) & 0xff;
    } else {
      b[p++] = T_I32;
      b[p++] = score & 0xff;
      b[p++] = (score >> 8) & 0xff;
      b[p++] = (score >> 16) & 0xff;
      b[p++] = (score >> 24) & 0xff;
    }
  } else {
    b[p++] = T_F64;
    f64[0] = score;
    for (let i = 0; i < 8; i++) b[p++] = f64Bytes[i];
  }
  packLen = p;
}

/** Packs parallel arrays (already ordered) into a listpack string. */
function packAll(members: readonly string[], scores: readonly number[]): string {
  packLen = 0;
  for (let i = 0; i < members.length; i++) packEntry(members[i], scores[i]);
  return bytesToStr(packBuf, 0, packLen);
}

/** Member length at `p`; nextPos = first member byte. */
function readLen(lp: string, p: number): number {
  let c = lp.charCodeAt(p++);
  if (c < 0x80) {
    nextPos = p;
    return c;
  }
  let len = c & 0x7f;
  let shift = 7;
  for (;;) {
    c = lp.charCodeAt(p++);
    len += (c & 0x7f) * 2 ** shift;
    if (c < 0x80) break;
    shift += 7;
  }
  nextPos = p;
  return len;
}

/** Score at `p`; nextPos = the next entry. */
function readScore(lp: string, p: number): number {
  const tag = lp.charCodeAt(p);
  if (tag >= T_TINY) {
    nextPos = p + 1;
    return tag & 0x7f;
  }
  switch (tag) {
    case T_U8:
      nextPos = p + 2;
      return lp.charCodeAt(p + 1);
    case T_I16: {
      nextPos = p + 3;
      const v = lp.charCodeAt(p + 1) | (lp.charCodeAt(p + 2) << 8);
      return (v << 16) >> 16;
    }
    case T_I32:
      nextPos = p + 5;
      return lp.charCodeAt(p + 1) | (lp.charCodeAt(p + 2) << 8) | (lp.charCodeAt(p + 3) << 16) |
        (lp.charCodeAt(p + 4) << 24);
    default:
      for (let i = 0; i < 8; i++) f64Bytes[i] = lp.charCodeAt(p + 1 + i);
      nextPos = p + 9;
      return f64[0];
  }
}

/** Position just past the score at `p`. */
function skipScore(lp: string, p: number): number {
  const tag = lp.charCodeAt(p);
  return p + (tag >= T_TINY ? 1 : tag === T_U8 ? 2 : tag === T_I16 ? 3 : tag === T_I32 ? 5 : 9);
}

/** True when lp[p, p+len) equals `member`. */
function sameBytes(lp: string, p: number, len: number, member: string): boolean {
  if (len !== member.length) return false;
  for (let i = 0; i < len; i++) {
    if (lp.charCodeAt(p + i) !== member.charCodeAt(i)) return false;
  }
  return true;
}

/** The entries of a listpack string as parallel arrays. */
function unpack(lp: string, members: string[], scores: number[]): void {
  let p = 0;
  while (p < lp.length) {
    const len = readLen(lp, p);
    const start = nextPos;
    members.push(lp.slice(start, start + len));
    scores.push(readScore(lp, start + len));
    p = nextPos;
  }
}

// ---------------------------------------------------------------------------
// Skiplist encoding: an order-statistic B+tree.

const LEAF_MAX = 64;
const LEAF_MIN = 16;
const INNER_MAX = 48;
const INNER_MIN = 12;

class Leaf {
  prev: Leaf | null = null;
  next: Leaf | null = null;
  constructor(public members: string[], public scores: number[]) {}
}

/**
 * Child i holds `counts[i]` entries, all at or above separator i and below
 * separator i+1 (separator 0 is the node's own lower bound, never searched).
 */
class Inner {
  constructor(
    public kids: TreeNode[],
    public counts: number[],
    public sepS: number[],
    public sepM: string[],
    public total: number,
  ) {}
}

type TreeNode = Leaf | Inner;

function nodeSize(n: TreeNode): number {
  return n instanceof Leaf ? n.members.length : n.total;
}

function sumCounts(counts: number[]): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i];
  return s;
}

/** Child of `n` whose subtree holds the position of (s, m). */
function childFor(n: Inner, s: number, m: string): number {
  let lo = 1, hi = n.kids.length - 1, j = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareEntry(n.sepS[mid], n.sepM[mid], s, m) <= 0) {
      j = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return j;
}

/** First index in a leaf whose entry is >= (s, m). */
function leafLowerBound(leaf: Leaf, s: number, m: string): number {
  let lo = 0, hi = leaf.members.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareEntry(leaf.scores[mid], leaf.members[mid], s, m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class ZTree {
  /** member -> score, for O(1) ZSCORE (kept beside the tree by ZSetValue). */
  dict = new Dict<number>();
  root: TreeNode = new Leaf([], []);
  head: Leaf;
  tail: Leaf;
  /** Leaf and offset found by the last locate(). */
  leaf!: Leaf;
  offset = 0;

  constructor() {
    this.head = this.tail = this.root as Leaf;
  }

  get size(): number {
    return nodeSize(this.root);
  }

  /** A tree of entries already in order. */
  static build(members: string[], scores: number[]): ZTree {
    const t = new ZTree();
    const n = members.length;
    if (n === 0) return t;
    const per = (LEAF_MAX * 3) >> 2;
    let level: TreeNode[] = [];
    let prev: Leaf | null = null;
    for (let i = 0; i < n; i += per) {
      // Never leave a last leaf below the minimum.
      let end = Math.min(n, i + per);
      if (n - end > 0 && n - end < LEAF_MIN) end = n;
      const leaf = new Leaf(members.slice(i, end), scores.slice(i, end));
      leaf.prev = prev;
      if (prev) prev.next = leaf;
      else t.head = leaf;
      prev = leaf;
      level.push(leaf);
      i = end - per;
    }
    t.tail = prev!;
    const fan = (INNER_MAX * 3) >> 2;
    while (level.length > 1) {
      const up: TreeNode[] = [];
      for (let i = 0; i < level.length; i += fan) {
        let end = Math.min(level.length, i + fan);
        if (level.length - end > 0 && level.length - end < INNER_MIN) end = level.length;
        const kids = level.slice(i, end);
        const counts = kids.map(nodeSize);
        const sepS: number[] = [], sepM: string[] = [];
        for (const k of kids) {
          if (k instanceof Leaf) {
            sepS.push(k.scores[0]);
            sepM.push(k.members[0]);
          } else {
            sepS.push(k.sepS[0]);
            sepM.push(k.sepM[0]);
          }
        }
        up.push(new Inner(kids, counts, sepS, sepM, sumCounts(counts)));
        i = end - fan;
      }
      level = up;
    }
    t.root = level[0];
    return t;
  }

  insert(m: string, s: number): void {
    const path: Inner[] = [];
    const idxs: number[] = [];
    let n = this.root;
    while (n instanceof Inner) {
      const i = childFor(n, s, m);
      n.counts[i]++;
      n.total++;
      path.push(n);
      idxs.push(i);
      n = n.kids[i];
    }
    const pos = leafLowerBound(n, s, m);
    n.members.splice(pos, 0, m);
    n.scores.splice(pos, 0, s);
    if (n.members.length > LEAF_MAX) this.#split(path, idxs, n);
  }

  #split(path: Inner[], idxs: number[], leaf: Leaf): void {
    const half = leaf.members.length >> 1;
    const right = new Leaf(leaf.members.splice(half), leaf.scores.splice(half));
    right.next = leaf.next;
    if (right.next) right.next.prev = right;
    else this.tail = right;
    right.prev = leaf;
    leaf.next = right;
    let added: TreeNode = right;
    let sepS = right.scores[0], sepM = right.members[0];
    for (let d = path.length - 1; d >= 0; d--) {
      const p = path[d], i = idxs[d];
      p.kids.splice(i + 1, 0, added);
      p.counts[i] = nodeSize(p.kids[i]);
      p.counts.splice(i + 1, 0, nodeSize(added));
      p.sepS.splice(i + 1, 0, sepS);
      p.sepM.splice(i + 1, 0, sepM);
      if (p.kids.length <= INNER_MAX) return;
      const h = p.kids.length >> 1;
      const r = new Inner(
        p.kids.splice(h),
        p.counts.splice(h),
        p.sepS.splice(h),
        p.sepM.splice(h),
        0,
      );
      r.total = sumCounts(r.counts);
      p.total -= r.total;
      added = r;
      sepS = r.sepS[0];
      sepM = r.sepM[0];
    }
    const old = this.root;
    const oldS = old instanceof Leaf ? old.scores[0] : old.sepS[0];
    const oldM = old instanceof Leaf ? old.members[0] : old.sepM[0];
    this.root = new Inner(
      [old, added],
      [nodeSize(old), nodeSize(added)],
      [oldS, sepS],
      [oldM, sepM],
      nodeSize(old) + nodeSize(added),
    );
  }

  /** Removes (m, s), which must be present. */
  remove(m: string, s: number): void {
    const path: Inner[] = [];
    const idxs: number[] = [];
    let n = this.root;
    while (n instanceof Inner) {
      const i = childFor(n, s, m);
      n.counts[i]--;
      n.total--;
      path.push(n);
      idxs.push(i);
      n = n.kids[i];
    }
    const pos = leafLowerBound(n, s, m);
    n.members.splice(pos, 1);
    n.scores.splice(pos, 1);
    if (n.members.length < LEAF_MIN) this.#rebalance(path, idxs);
  }

  /** Merges or refills underfull nodes from the bottom of `path` up. */
  #rebalance(path: Inner[], idxs: number[]): void {
    for (let d = path.length - 1; d >= 0; d--) {
      const p = path[d], i = idxs[d];
      const n = p.kids[i];
      const under = n instanceof Leaf ? n.members.length < LEAF_MIN : n.kids.length < INNER_MIN;
      if (!under || p.kids.length < 2) break;
      const li = i > 0 ? i - 1 : 0;
      const a = p.kids[li], b = p.kids[li + 1];
      if (a instanceof Leaf) this.#fixLeaves(p, li, a, b as Leaf);
      else fixInners(p, li, a, b as Inner);
    }
    while (this.root instanceof Inner && this.root.kids.length === 1) this.root = this.root.kids[0];
  }

  #fixLeaves(p: Inner, li: number, a: Leaf, b: Leaf): void {
    const total = a.members.length + b.members.length;
    if (total <= LEAF_MAX) {
      for (let k = 0; k < b.members.length; k++) {
        a.members.push(b.members[k]);
        a.scores.push(b.scores[k]);
      }
      a.next = b.next;
      if (a.next) a.next.prev = a;
      else this.tail = a;
      p.kids.splice(li + 1, 1);
      p.counts.splice(li + 1, 1);
      p.sepS.splice(li + 1, 1);
      p.sepM.splice(li + 1, 1);
      p.counts[li] = a.members.length;
      return;
    }
    const want = total >> 1;
    if (a.members.length < want) {
      const k = want - a.members.length;
      const ms = b.members.splice(0, k), ss = b.scores.splice(0, k);
      for (let j = 0; j < k; j++) {
        a.members.push(ms[j]);
        a.scores.push(ss[j]);
      }
    } else {
      const k = a.members.length - want;
      b.members.unshift(...a.members.splice(want, k));
      b.scores.unshift(...a.scores.splice(want, k));
    }
    p.counts[li] = a.members.length;
    p.counts[li + 1] = b.members.length;
    p.sepS[li + 1] = b.scores[0];
    p.sepM[li + 1] = b.members[0];
  }

  /**
   * Rank of the first entry for which `pred` holds, `pred` being false then
   * true along the order (size when it never holds).
   */
  firstWhere(pred: (s: number, m: string) => boolean): number {
    let n = this.root;
    let rank = 0;
    while (n instanceof Inner) {
      let lo = 1, hi = n.kids.length - 1, j = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (!pred(n.sepS[mid], n.sepM[mid])) {
          j = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      for (let k = 0; k < j; k++) rank += n.counts[k];
      n = n.kids[j];
    }
    let lo = 0, hi = n.members.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pred(n.scores[mid], n.members[mid])) hi = mid;
      else lo = mid + 1;
    }
    return rank + lo;
  }

  /** 0-based rank of (s, m), which must be present. */
  rank(m: string, s: number): number {
    let n = this.root;
    let rank = 0;
    while (n instanceof Inner) {
      const j = childFor(n, s, m);
      for (let k = 0; k < j; k++) rank += n.counts[k];
      n = n.kids[j];
    }
    return rank + leafLowerBound(n, s, m);
  }

  /** Sets this.leaf / this.offset to the entry of rank `r` (0 <= r < size). */
  locate(r: number): void {
    let n = this.root;
    while (n instanceof Inner) {
      let j = 0;
      while (r >= n.counts[j]) r -= n.counts[j++];
      n = n.kids[j];
    }
    this.leaf = n;
    this.offset = r;
  }
}

function fixInners(p: Inner, li: number, a: Inner, b: Inner): void {
  // b's first separator must be the one its parent holds for it.
  b.sepS[0] = p.sepS[li + 1];
  b.sepM[0] = p.sepM[li + 1];
  const total = a.kids.length + b.kids.length;
  if (total <= INNER_MAX) {
    for (let k = 0; k < b.kids.length; k++) {
      a.kids.push(b.kids[k]);
      a.counts.push(b.counts[k]);
      a.sepS.push(b.sepS[k]);
      a.sepM.push(b.sepM[k]);
    }
    a.total += b.total;
    p.kids.splice(li + 1, 1);
    p.counts.splice(li + 1, 1);
    p.sepS.splice(li + 1, 1);
    p.sepM.splice(li + 1, 1);
    p.counts[li] = a.total;
    return;
  }
  const want = total >> 1;
  if (a.kids.length < want) {
    const k = want - a.kids.length;
    const kids = b.kids.splice(0, k), counts = b.counts.splice(0, k);
    const ss = b.sepS.splice(0, k), sm = b.sepM.splice(0, k);
    for (let j = 0; j < k; j++) {
      a.kids.push(kids[j]);
      a.counts.push(counts[j]);
      a.sepS.push(ss[j]);
      a.sepM.push(sm[j]);
    }
  } else {
    const k = a.kids.length - want;
    b.kids.unshift(...a.kids.splice(want, k));
    b.counts.unshift(...a.counts.splice(want, k));
    b.sepS.unshift(...a.sepS.splice(want, k));
    b.sepM.unshift(...a.sepM.splice(want, k));
  }
  a.total = sumCounts(a.counts);
  b.total = sumCounts(b.counts);
  p.counts[li] = a.total;
  p.counts[li + 1] = b.total;
  p.sepS[li + 1] = b.sepS[0];
  p.sepM[li + 1] = b.sepM[0];
}

// ---------------------------------------------------------------------------

export class ZSetValue implements StoredObject {
  /** On the prototype, not in every instance: small zsets are many. */
  get type(): "zset" {
    return "zset";
  }
  /** Listpack form (null once converted). */
  #lp: string | null = "";
  #lpCount = 0;
  /** Skiplist form: the ordered tree, which also holds the member -> score dict. */
  #tree: ZTree | null = null;

  encoding(): "listpack" | "skiplist" {
    return this.#lp !== null ? "listpack" : "skiplist";
  }

  get isListpack(): boolean {
    return this.#lp !== null;
  }

  /**
   * Total length of up to `k` members taken in the member dict's storage
   * order (skiplist form; memory accounting samples it in O(k)).
   */
  memberLengthSample(k: number): number {
    const d = this.#tree!.dict;
    const n = Math.min(k, d.size);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d.keyAt(i).length;
    return sum;
  }

  /** Length of the listpack form's packed string (-1 for a skiplist): memory accounting. */
  get listpackLength(): number {
    return this.#lp !== null ? this.#lp.length : -1;
  }

  clone(): ZSetValue {
    const copy = new ZSetValue();
    if (this.#lp !== null) {
      copy.#lp = this.#lp;
      copy.#lpCount = this.#lpCount;
    } else {
      const members: string[] = [], scores: number[] = [];
      this.forEach((m, s) => {
        members.push(m);
        scores.push(s);
      });
      copy.#toTree(members, scores);
    }
    return copy;
  }

  /** Number of members. */
  get size(): number {
    return this.#lp !== null ? this.#lpCount : this.#tree!.dict.size;
  }

  /** Score of `member`, or undefined. */
  score(member: string): number | undefined {
    if (this.#lp === null) return this.#tree!.dict.get(member);
    const lp = this.#lp;
    let p = 0;
    while (p < lp.length) {
      const len = readLen(lp, p);
      const start = nextPos;
      if (sameBytes(lp, start, len, member)) return readScore(lp, start + len);
      p = skipScore(lp, start + len);
    }
    return undefined;
  }

  /** Adds or updates; true when the member is new. Converts listpack->skiplist by Redis's rules. */
  set(member: string, score: number, limits: ZSetLimits): boolean {
    if (this.#lp !== null) {
      const old = this.score(member);
      if (old === undefined) {
        if (
          this.#lpCount + 1 > limits.maxListpackEntries || member.length > limits.maxListpackValue
        ) {
          this.#convert();
        } else {
          this.#lpInsert(member, score);
          return true;
        }
      } else {
        if (old !== score) {
          this.#lpDelete(member);
          this.#lpInsert(member, score);
        }
        return false;
      }
    }
    const dict = this.#tree!.dict;
    const old = dict.get(member);
    if (old === undefined) {
      dict.set(member, score);
      this.#tree!.insert(member, score);
      return true;
    }
    if (old !== score) {
      this.#tree!.remove(member, old);
      this.#tree!.insert(member, score);
      dict.set(member, score);
    }
    return false;
  }

  /** Removes `member`; true when it was present. */
  delete(member: string): boolean {
    if (this.#lp !== null) return this.#lpDelete(member);
    const old = this.#tree!.dict.delete(member);
    if (old === undefined) return false;
    this.#tree!.remove(member, old);
    return true;
  }

  /** 0-based rank of `member` (from the top when `reverse`), or undefined. */
  rank(member: string, reverse = false): number | undefined {
    let r: number;
    if (this.#lp !== null) {
      const lp = this.#lp;
      let p = 0;
      r = 0;
      for (;;) {
        if (p >= lp.length) return undefined;
        const len = readLen(lp, p);
        const start = nextPos;
        if (sameBytes(lp, start, len, member)) break;
        p = skipScore(lp, start + len);
        r++;
      }
    } else {
      const s = this.#tree!.dict.get(member);
      if (s === undefined) return undefined;
      r = this.#tree!.rank(member, s);
    }
    return reverse ? this.size - 1 - r : r;
  }

  /**
   * Visits the entries of ranks start..stop (inclusive, 0 <= start <= stop <
   * size) counted in the given direction: ascending, or from the top when
   * `reverse`. `visit` must not modify the zset.
   */
  range(
    start: number,
    stop: number,
    reverse: boolean,
    visit: (member: string, score: number) => void,
  ): void {
    if (start > stop) return;
    if (this.#lp !== null) {
      const members: string[] = [], scores: number[] = [];
      unpack(this.#lp, members, scores);
      const n = members.length;
      for (let r = start; r <= stop; r++) {
        const i = reverse ? n - 1 - r : r;
        visit(members[i], scores[i]);
      }
      return;
    }
    const t = this.#tree!;
    let left = stop - start + 1;
    t.locate(reverse ? this.size - 1 - start : start);
    let leaf: Leaf | null = t.leaf;
    let i = t.offset;
    if (!reverse) {
      while (leaf && left > 0) {
        const ms = leaf.members, ss = leaf.scores;
        for (; i < ms.length && left > 0; i++, left--) visit(ms[i], ss[i]);
        leaf = leaf.next;
        i = 0;
      }
    } else {
      while (leaf && left > 0) {
        const ms = leaf.members, ss = leaf.scores;
        for (; i >= 0 && left > 0; i--, left--) visit(ms[i], ss[i]);
        leaf = leaf.prev;
        if (leaf) i = leaf.members.length - 1;
      }
    }
  }

  /** Entry of ascending rank `r` (0 <= r < size). */
  at(r: number): [string, number] {
    let out: [string, number] = ["", 0];
    this.range(r, r, false, (m, s) => (out = [m, s]));
    return out;
  }

  /** Visits members in ascending (score, member) order — member ties compared as bytes. */
  forEach(visit: (member: string, score: number) => void): void {
    if (this.size > 0) this.range(0, this.size - 1, false, visit);
  }

  /** Ascending ranks [first, last] of the entries inside `r` (first > last when none). */
  scoreRange(r: ScoreRange): [number, number] {
    const first = this.#firstWhere((s) => scoreGteMin(s, r));
    const end = this.#firstWhere((s) => !scoreLteMax(s, r));
    return [first, end - 1];
  }

  /**
   * Ascending ranks [first, last] of the members inside the lex range
   * (meaningful when all scores are equal, as in Redis).
   */
  lexRange(r: LexRange): [number, number] {
    const first = this.#firstWhere((_s, m) => lexGteMin(m, r));
    const end = this.#firstWhere((_s, m) => !lexLteMax(m, r));
    return [first, end - 1];
  }

  /** First ascending rank where the monotone `pred` holds (size when never). */
  #firstWhere(pred: (s: number, m: string) => boolean): number {
    if (this.#lp === null) return this.#tree!.firstWhere(pred);
    const lp = this.#lp;
    let p = 0, r = 0;
    while (p < lp.length) {
      const len = readLen(lp, p);
      const start = nextPos;
      const s = readScore(lp, start + len);
      if (pred(s, lp.slice(start, start + len))) return r;
      p = nextPos;
      r++;
    }
    return r;
  }

  /** Removes the entries of ascending ranks start..stop (inclusive, in bounds); returns how many. */
  deleteRange(start: number, stop: number): number {
    if (start > stop) return 0;
    const doomed: string[] = [];
    if (this.#lp !== null) {
      const members: string[] = [], scores: number[] = [];
      unpack(this.#lp, members, scores);
      members.splice(start, stop - start + 1);
      scores.splice(start, stop - start + 1);
      this.#lp = packAll(members, scores);
      this.#lpCount = members.length;
      return stop - start + 1;
    }
    this.range(start, stop, false, (m) => doomed.push(m));
    for (const m of doomed) this.delete(m);
    return doomed.length;
  }

  /** Removes and returns up to `count` lowest entries, lowest first. */
  popMin(count: number): [string, number][] {
    return this.#pop(count, false);
  }

  /** Removes and returns up to `count` highest entries, highest first. */
  popMax(count: number): [string, number][] {
    return this.#pop(count, true);
  }

  #pop(count: number, fromTop: boolean): [string, number][] {
    const n = Math.min(count, this.size);
    const out: [string, number][] = [];
    if (n <= 0) return out;
    this.range(0, n - 1, fromTop, (m, s) => out.push([m, s]));
    if (fromTop) this.deleteRange(this.size - n, this.size - 1);
    else this.deleteRange(0, n - 1);
    return out;
  }

  /**
   * One ZSCAN step: a listpack is returned whole with cursor 0; a skiplist
   * visits about `count` entries in dict order and returns the next cursor.
   */
  scan(cursor: bigint, count: number, visit: (member: string, score: number) => void): bigint {
    if (this.#lp !== null) {
      this.forEach(visit);
      return 0n;
    }
    return this.#tree!.dict.scan(cursor, count, visit);
  }

  /** A uniformly random entry (size > 0). */
  randomEntry(): [string, number] {
    if (this.#lp !== null) return this.at(Math.floor(Math.random() * this.#lpCount));
    const d = this.#tree!.dict;
    const i = d.randomIndex();
    return [d.keyAt(i), d.valueAt(i)];
  }

  /**
   * Converts a skiplist back to a listpack when it fits the limits, as Redis
   * does for ZRANGESTORE / ZUNIONSTORE destinations and loaded RDB zsets.
   */
  convertToListpackIfNeeded(limits: ZSetLimits): void {
    if (this.#lp !== null || this.size > limits.maxListpackEntries) return;
    const members: string[] = [], scores: number[] = [];
    let fits = true;
    this.forEach((m, s) => {
      if (m.length > limits.maxListpackValue) fits = false;
      members.push(m);
      scores.push(s);
    });
    if (!fits) return;
    this.#lp = packAll(members, scores);
    this.#lpCount = members.length;
    this.#tree = null;
  }

  /** Forces the skiplist encoding (Redis converts when a listpack would overflow). */
  convertToSkiplist(): void {
    if (this.#lp !== null) this.#convert();
  }

  /** Builds a zset (RDB load, ZUNIONSTORE ...); null when a member repeats. */
  static fromEntries(members: string[], scores: number[], limits: ZSetLimits): ZSetValue | null {
    const n = members.length;
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => compareEntry(scores[a], members[a], scores[b], members[b]));
    const ms = new Array<string>(n), ss = new Array<number>(n);
    let maxLen = 0;
    for (let i = 0; i < n; i++) {
      ms[i] = members[order[i]];
      ss[i] = scores[order[i]];
      if (ms[i].length > maxLen) maxLen = ms[i].length;
    }
    const z = new ZSetValue();
    if (n <= limits.maxListpackEntries && maxLen <= limits.maxListpackValue) {
      for (let i = 1; i < n; i++) if (ms[i] === ms[i - 1]) return null;
      // Equal members with different scores are not adjacent: check by set.
      if (new Set(ms).size !== n) return null;
      z.#lp = packAll(ms, ss);
      z.#lpCount = n;
      return z;
    }
    if (!z.#toTree(ms, ss)) return null;
    return z;
  }

  /** Installs the skiplist form from ordered arrays; false when a member repeats. */
  #toTree(members: string[], scores: number[]): boolean {
    const dict = new Dict<number>();
    for (let i = 0; i < members.length; i++) {
      if (!dict.set(members[i], scores[i])) return false;
    }
    this.#tree = ZTree.build(members, scores);
    this.#tree.dict = dict;
    this.#lp = null;
    this.#lpCount = 0;
    return true;
  }

  #convert(): void {
    const members: string[] = [], scores: number[] = [];
    unpack(this.#lp!, members, scores);
    this.#toTree(members, scores);
  }

  #lpInsert(member: string, score: number): void {
    const lp = this.#lp!;
    let p = 0;
    while (p < lp.length) {
      const len = readLen(lp, p);
      const start = nextPos;
      const s = readScore(lp, start + len);
      if (s > score || (s === score && lp.slice(start, start + len) > member)) break;
      p = nextPos;
    }
    packLen = 0;
    packEntry(member, score);
    this.#lp = lp.slice(0, p) + bytesToStr(packBuf, 0, packLen) + lp.slice(p);
    this.#flatten();
    this.#lpCount++;
  }

  #lpDelete(member: string): boolean {
    const lp = this.#lp!;
    let p = 0;
    while (p < lp.length) {
      const len = readLen(lp, p);
      const start = nextPos;
      const end = skipScore(lp, start + len);
      if (sameBytes(lp, start, len, member)) {
        this.#lp = lp.slice(0, p) + lp.slice(end);
        this.#flatten();
        this.#lpCount--;
        return true;
      }
      p = end;
    }
    return false;
  }

  /** Makes the listpack one flat string (a concatenation is a rope of three). */
  #flatten(): void {
    const s = this.#lp!;
    if (s.length > 12) {
      packLen = 0;
      packEnsure(s.length);
      for (let i = 0; i < s.length; i++) packBuf[i] = s.charCodeAt(i);
      this.#lp = bytesToStr(packBuf, 0, s.length);
    }
  }
}
