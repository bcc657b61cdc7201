/**
 * Geo commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEOSEARCH, GEOSEARCHSTORE,
 * GEORADIUS, GEORADIUSBYMEMBER and their _RO forms, over sorted sets whose
 * scores are Redis's 52-bit geohashes (lib/util/geohash.ts).
 *
 * A search reads only the sorted-set ranges of the 9 cells around the
 * centre (as Redis's membersOfAllNeighbors does), filters them by the
 * shape, then sorts as Redis does: qsort (stable in glibc) for a full sort,
 * Redis's pqsort for COUNT, so ties come out in Redis's order too.
 */
import type { Client } from "../server/client.ts";
import { NOTIFY_GENERIC, NOTIFY_ZSET } from "../store/notify.ts";
import { ZSetValue } from "../store/zset.ts";
import { formatFixed, formatHumanDouble } from "../util/float.ts";
import {
  cellCentreInto,
  cellScoreRange,
  CircleTester,
  decodeScore,
  distanceIfInShape,
  formatDistance,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  geoDistance,
  geohashString,
  geoScoreText,
  type GeoShape,
  SCORE_CELL,
  scoreCellInto,
  searchCells,
} from "../util/geohash.ts";
import { ERR_NOT_FLOAT, ERR_SYNTAX, intArg, isKeyword } from "./args.ts";
import { type CommandSpec, defineCommand, keyAt, keysFromSpecs, type KeySpec } from "./table.ts";
import { parseScore, readZSet, zadd, zsetLimits } from "./zsets.ts";

const GEO = "geo";

/** A longitude, latitude pair at args[i], args[i+1] (extractLongLatOrReply); null after the error reply. */
function parseLonLat(c: Client, args: string[], i: number): [number, number] | null {
  const lon = parseScore(args[i]);
  if (lon === null) {
    c.out.error(ERR_NOT_FLOAT);
    return null;
  }
  const lat = parseScore(args[i + 1]);
  if (lat === null) {
    c.out.error(ERR_NOT_FLOAT);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.out.error(
      `ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`,
    );
    return null;
  }
  return [lon, lat];
}

/** Meters per unit (m, km, ft, mi), or -1 after the error reply. */
function parseUnit(c: Client, unit: string): number {
  const u = unit.toLowerCase();
  if (u === "m") return 1;
  if (u === "km") return 1000;
  if (u === "ft") return 0.3048;
  if (u === "mi") return 1609.34;
  c.out.error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return -1;
}

/** A number argument, or null after replying `error` (getDoubleFromObjectOrReply). */
function parseDistance(c: Client, s: string, error: string): number | null {
  const v = parseScore(s);
  if (v === null) c.out.error(error);
  return v;
}

/** A distance (a bulk string in RESP2 and RESP3, as Redis's addReplyDoubleDistance). */
function replyDistance(c: Client, d: number): void {
  c.out.bulk(formatDistance(d));
}

/** One coordinate as Redis's addReplyHumanLongDouble writes it. */
function replyCoordinate(c: Client, v: number): void {
  c.out.doubleText(formatHumanDouble(v));
}

/** A score as the long long Redis's WITHHASH reply converts it to (x86-64 cvttsd2si). */
function replyHash(c: Client, score: number): void {
  if (score >= 0 && score < 2 ** 53) return c.out.int(Math.trunc(score));
  const inRange = score > -(2 ** 63) && score < 2 ** 63;
  c.out.int(inRange ? BigInt(Math.trunc(score)) : -9223372036854775808n);
}

// ---------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

/** GEOADD key [NX | XX] [CH] lon lat member ...: runs as the ZADD it stands for (and is logged as it). */
function geoadd(c: Client, args: string[]): void {
  let nx = false, xx = false;
  let i = 2;
  for (; i < args.length; i++) {
    const opt = args[i];
    if (isKeyword(opt, "NX")) nx = true;
    else if (isKeyword(opt, "XX")) xx = true;
    else if (!isKeyword(opt, "CH")) break;
  }
  if ((args.length - i) % 3 !== 0 || (nx && xx)) return c.out.error(ERR_SYNTAX);
  const zargs = ["zadd"];
  for (let j = 1; j < i; j++) zargs.push(args[j]);
  for (let j = i; j < args.length; j += 3) {
    const xy = parseLonLat(c, args, j);
    if (xy === null) return;
    zargs.push(geoScoreText(xy[0], xy[1]), args[j + 2]);
  }
  c.propagateAs = [zargs];
  zadd(c, zargs);
}

/** GEODIST key member1 member2 [unit] */
function geodist(c: Client, args: string[]): void {
  let toMeters = 1;
  if (args.length === 5) {
    toMeters = parseUnit(c, args[4]);
    if (toMeters < 0) return;
  } else if (args.length > 5) {
    return c.out.error(ERR_SYNTAX);
  }
  const z = readZSet(c, args[1]);
  if (z === null) return;
  if (z === undefined) return c.out.nullBulk();
  const s1 = z.score(args[2]);
  const s2 = z.score(args[3]);
  if (s1 === undefined || s2 === undefined) return c.out.nullBulk();
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  replyDistance(c, geoDistance(lon1, lat1, lon2, lat2) / toMeters);
}

/** GEOHASH key [member ...] */
function geohash(c: Client, args: string[]): void {
  const z = readZSet(c, args[1]);
  if (z === null) return;
  c.out.array(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const s = z?.score(args[j]);
    if (s === undefined) c.out.nullBulk();
    else c.out.bulk(geohashString(s));
  }
}

/** GEOPOS key [member ...] */
function geopos(c: Client, args: string[]): void {
  const z = readZSet(c, args[1]);
  if (z === null) return;
  c.out.array(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const s = z?.score(args[j]);
    if (s === undefined) {
      c.out.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(s);
    c.out.array(2);
    replyCoordinate(c, lon);
    replyCoordinate(c, lat);
  }
}

// ---------------------------------------------------------------------------
// Searches

const RADIUS_COORDS = 1 << 0; // GEORADIUS: around coordinates
const RADIUS_MEMBER = 1 << 1; // GEORADIUSBYMEMBER: around a member
const RADIUS_NOSTORE = 1 << 2; // the _RO forms: no STORE / STOREDIST
const SEARCH = 1 << 3; // GEOSEARCH's arguments
const SEARCH_STORE = 1 << 4; // GEOSEARCHSTORE: STOREDIST as a flag

const SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

/** Searches with at most this many candidates use the shared scratch arrays. */
const SCRATCH_POINTS = 16384;
/** Allocated by the first search. */
let scratch: Float64Array[] | null = null;

/** Score, longitude, latitude and distance arrays for `n` points. */
function pointArrays(n: number): Float64Array[] {
  return [0, 1, 2, 3].map(() => new Float64Array(n));
}

/**
 * The members a search found, in Redis's scan order, as parallel arrays
 * (no object per point: a wide search finds hundreds of thousands).
 */
export class GeoPoints {
  readonly members: string[] = [];
  readonly scores: Float64Array;
  readonly lons: Float64Array;
  readonly lats: Float64Array;
  /** Meters from the centre. */
  readonly dists: Float64Array;
  length = 0;

  /**
   * Room for `capacity` points (the candidates a search will visit at
   * most). Up to SCRATCH_POINTS the arrays are one shared scratch space,
   * valid until the next search: allocating typed arrays costs more than a
   * small search (each has a backing store of its own).
   */
  constructor(capacity: number) {
    const arrays = capacity <= SCRATCH_POINTS
      ? (scratch ??= pointArrays(SCRATCH_POINTS))
      : pointArrays(capacity);
    [this.scores, this.lons, this.lats, this.dists] = arrays;
  }

  push(member: string, score: number, lon: number, lat: number, dist: number): void {
    const i = this.length++;
    this.members.push(member);
    this.scores[i] = score;
    this.lons[i] = lon;
    this.lats[i] = lat;
    this.dists[i] = dist;
  }

  /**
   * Point indexes in reply order: scan order, or sorted by distance as
   * Redis sorts (glibc's qsort is a stable merge sort, as Array.sort; with
   * fewer to return, Redis's pqsort, whose order of ties is its own).
   */
  order(sort: number, returned: number): number[] {
    const n = this.length;
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (sort === SORT_NONE) return order;
    const d = this.dists;
    const sign = sort === SORT_ASC ? 1 : -1;
    // Redis's sort_gp_asc / sort_gp_desc: equal distances compare equal.
    const cmp = (a: number, b: number) => sign * (d[a] > d[b] ? 1 : d[a] === d[b] ? 0 : -1);
    if (returned === n) order.sort(cmp);
    else pqsort(order, cmp, returned - 1);
    return order;
  }
}

/**
 * The members inside `shape`, box by box in Redis's order (a box equal to
 * the one searched just before is skipped, as Redis skips it); with a
 * limit (ANY), the search stops once that many are found.
 */
export function pointsInShape(z: ZSetValue, shape: GeoShape, limit: number): GeoPoints {
  const cells = searchCells(shape);
  // The rank ranges to visit, first (their sizes bound the points found).
  const ranges: number[] = [];
  let candidates = 0;
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null) continue;
    // Huge radii make neighbours coincide (Redis compares only with the box before, never box 0).
    const prev = cells[last];
    if (
      last !== 0 && prev !== null && prev.lon === cell.lon && prev.lat === cell.lat &&
      prev.step === cell.step
    ) continue;
    const [min, max] = cellScoreRange(cell);
    const [first, end] = z.scoreRange({ min, max, minex: false, maxex: true });
    if (first <= end) {
      ranges.push(first, end);
      candidates += end - first + 1;
    }
    last = i;
  }
  const out = new GeoPoints(limit !== 0 ? Math.min(limit, candidates) : candidates);
  const xy = new Float64Array(2);
  const circle = shape.circle ? new CircleTester(shape) : null;
  const visit = (member: string, score: number) => {
    if (limit !== 0 && out.length >= limit) return;
    scoreCellInto(score);
    // Cells far off the circle are passed over before any arithmetic on degrees.
    if (circle !== null && !circle.mayContain(SCORE_CELL[0], SCORE_CELL[1])) return;
    cellCentreInto(SCORE_CELL[0], SCORE_CELL[1], xy);
    const lon = xy[0], lat = xy[1];
    const dist = circle !== null ? circle.distance(lon, lat) : distanceIfInShape(shape, lon, lat);
    if (dist < 0) return;
    out.push(member, score, lon, lat, dist);
  };
  for (let r = 0; r < ranges.length; r += 2) {
    if (limit !== 0 && out.length >= limit) break;
    z.range(ranges[r], ranges[r + 1], false, visit);
  }
  return out;
}

/**
 * GEORADIUS, GEORADIUSBYMEMBER (and _RO), GEOSEARCH and GEOSEARCHSTORE:
 * Redis's georadiusGeneric, with its argument order and error precedence.
 */
function georadiusGeneric(c: Client, args: string[], srcIndex: number, flags: number): void {
  let storeKey: string | null = null;
  let storeDist = false;
  const z = readZSet(c, args[srcIndex]);
  if (z === null) return;
  const shape: GeoShape = {
    lon: 0,
    lat: 0,
    conversion: 1,
    circle: true,
    radius: 0,
    width: 0,
    height: 0,
  };
  let base: number;
  if (flags & RADIUS_COORDS) {
    base = 6;
    const xy = parseLonLat(c, args, 2);
    if (xy === null) return;
    [shape.lon, shape.lat] = xy;
    if (!parseRadius(c, args, base - 2, shape)) return;
  } else if (flags & RADIUS_MEMBER) {
    base = 5;
    // Without the key Redis still reads the options (to choose its reply), not the radius.
    if (z !== undefined) {
      const s = z.score(args[2]);
      if (s === undefined) return c.out.error("ERR could not decode requested zset member");
      [shape.lon, shape.lat] = decodeScore(s);
      if (!parseRadius(c, args, base - 2, shape)) return;
    }
  } else {
    base = 2;
    if (flags & SEARCH_STORE) {
      base = 3;
      storeKey = args[1];
    }
  }

  let withDist = false, withHash = false, withCoords = false;
  let fromMember = false, fromLoc = false, byRadius = false, byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = args.length - base;
  for (let i = 0; i < remaining; i++) {
    const arg = args[base + i];
    const search = (flags & SEARCH) !== 0;
    const storeAllowed = (flags & RADIUS_NOSTORE) === 0 && !search;
    if (isKeyword(arg, "WITHDIST")) withDist = true;
    else if (isKeyword(arg, "WITHHASH")) withHash = true;
    else if (isKeyword(arg, "WITHCOORD")) withCoords = true;
    else if (isKeyword(arg, "ANY")) any = true;
    else if (isKeyword(arg, "ASC")) sort = SORT_ASC;
    else if (isKeyword(arg, "DESC")) sort = SORT_DESC;
    else if (isKeyword(arg, "COUNT") && i + 1 < remaining) {
      const n = intArg(c, args[base + i + 1]);
      if (n === null) return;
      if (n <= 0) return c.out.error("ERR COUNT must be > 0");
      count = n;
      i++;
    } else if (isKeyword(arg, "STORE") && i + 1 < remaining && storeAllowed) {
      storeKey = args[base + i + 1];
      storeDist = false;
      i++;
    } else if (isKeyword(arg, "STOREDIST") && i + 1 < remaining && storeAllowed) {
      storeKey = args[base + i + 1];
      storeDist = true;
      i++;
    } else if (isKeyword(arg, "STOREDIST") && search && (flags & SEARCH_STORE)) {
      storeDist = true;
    } else if (isKeyword(arg, "FROMMEMBER") && i + 1 < remaining && search && !fromLoc) {
      // Without the key the member is not looked up (the reply is empty anyway).
      if (z !== undefined) {
        const s = z.score(args[base + i + 1]);
        if (s === undefined) return c.out.error("ERR could not decode requested zset member");
        [shape.lon, shape.lat] = decodeScore(s);
      }
      fromMember = true;
      i++;
    } else if (isKeyword(arg, "FROMLONLAT") && i + 2 < remaining && search && !fromMember) {
      const xy = parseLonLat(c, args, base + i + 1);
      if (xy === null) return;
      [shape.lon, shape.lat] = xy;
      fromLoc = true;
      i += 2;
    } else if (isKeyword(arg, "BYRADIUS") && i + 2 < remaining && search && !byBox) {
      if (!parseRadius(c, args, base + i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (isKeyword(arg, "BYBOX") && i + 3 < remaining && search && !byRadius) {
      if (!parseBox(c, args, base + i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      return c.out.error(ERR_SYNTAX);
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    const what = flags & SEARCH_STORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    return c.out.error(
      `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
    );
  }
  if ((flags & SEARCH) && !(fromMember || fromLoc)) {
    return c.out.error(
      `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${args[0]}`,
    );
  }
  if ((flags & SEARCH) && !(byRadius || byBox)) {
    return c.out.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${args[0]}`);
  }
  if (any && count === 0) return c.out.error("ERR the ANY argument requires COUNT argument");

  if (z === undefined) {
    if (storeKey === null) return c.out.array(0);
    deleteStoreKey(c, storeKey);
    return c.out.int(0);
  }
  // COUNT means "the nearest N": sorted unless ANY.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const points = pointsInShape(z, shape, any ? count : 0);
  if (points.length === 0 && storeKey === null) return c.out.array(0);
  const total = points.length;
  const returned = count === 0 || total < count ? total : count;
  const order = points.order(sort, returned);

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoords ? 1 : 0);
    c.out.array(returned);
    for (let i = 0; i < returned; i++) {
      const p = order[i];
      if (options !== 0) c.out.array(options + 1);
      c.out.bulk(points.members[p]);
      if (withDist) replyDistance(c, points.dists[p] / shape.conversion);
      if (withHash) replyHash(c, points.scores[p]);
      if (withCoords) {
        c.out.array(2);
        replyCoordinate(c, points.lons[p]);
        replyCoordinate(c, points.lats[p]);
      }
    }
    return;
  }
  const event = flags & SEARCH ? "geosearchstore" : "georadiusstore";
  storeResults(c, storeKey, event, points, order, returned, storeDist ? shape.conversion : 0);
}

/** BYRADIUS / GEORADIUS radius and unit at args[i], args[i+1] into `shape`; false after the error reply. */
function parseRadius(c: Client, args: string[], i: number, shape: GeoShape): boolean {
  const radius = parseDistance(c, args[i], "ERR need numeric radius");
  if (radius === null) return false;
  if (radius < 0) {
    c.out.error("ERR radius cannot be negative");
    return false;
  }
  const conversion = parseUnit(c, args[i + 1]);
  if (conversion < 0) return false;
  shape.circle = true;
  shape.radius = radius;
  shape.conversion = conversion;
  return true;
}

/** BYBOX width, height and unit at args[i..i+2] into `shape`; false after the error reply. */
function parseBox(c: Client, args: string[], i: number, shape: GeoShape): boolean {
  const width = parseDistance(c, args[i], "ERR need numeric width");
  if (width === null) return false;
  const height = parseDistance(c, args[i + 1], "ERR need numeric height");
  if (height === null) return false;
  if (height < 0 || width < 0) {
    c.out.error("ERR height or width cannot be negative");
    return false;
  }
  const conversion = parseUnit(c, args[i + 2]);
  if (conversion < 0) return false;
  shape.circle = false;
  shape.width = width;
  shape.height = height;
  shape.conversion = conversion;
  return true;
}

/** A store with nothing to store: the destination goes ("del" fired when it existed). */
function deleteStoreKey(c: Client, key: string): void {
  if (c.db.delete(key)) {
    c.db.notify(NOTIFY_GENERIC, "del", key);
    c.server.keyspace.dirty++;
  }
}

/**
 * STORE / STOREDIST / GEOSEARCHSTORE: the first `n` points of `order`
 * become a sorted set at `key` (scored by geohash, or by distance in the
 * query's unit when `distUnit` is nonzero), firing `event`; no points
 * delete the key.
 */
function storeResults(
  c: Client,
  key: string,
  event: string,
  points: GeoPoints,
  order: number[],
  n: number,
  distUnit: number,
): void {
  if (n === 0) {
    deleteStoreKey(c, key);
    return c.out.int(0);
  }
  const members: string[] = [], scores: number[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const p = order[i];
    const member = points.members[p];
    const score = distUnit !== 0 ? points.dists[p] / distUnit : points.scores[p];
    // A member twice (overlapping boxes) would crash Redis's dictAdd; here the last one wins.
    const at = seen.get(member);
    if (at !== undefined) {
      scores[at] = score;
      continue;
    }
    seen.set(member, members.length);
    members.push(member);
    scores.push(score);
  }
  c.db.set(key, ZSetValue.fromEntries(members, scores, zsetLimits(c))!);
  c.db.notify(NOTIFY_ZSET, event, key);
  c.server.keyspace.dirty += n;
  c.out.int(n);
}

/**
 * Redis 7.0's pqsort (Bentley-McIlroy quicksort from NetBSD, without the
 * later switch to insertion sort, skipping the partitions outside ranks
 * 0..hi): the same comparisons and swaps, so equal distances end in the
 * same order as Redis's.
 */
export function pqsort<T>(a: T[], cmp: (x: T, y: T) => number, hi: number): void {
  sortRange(a, 0, a.length, cmp, hi);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swaps the runs a[i..i+n) and a[j..j+n). */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: (x: T, y: T) => number): number {
  return cmp(a[i], a[j]) < 0
    ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i)
    : (cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k);
}

function insertionSort<T>(a: T[], lo: number, n: number, cmp: (x: T, y: T) => number): void {
  for (let m = lo + 1; m < lo + n; m++) {
    for (let l = m; l > lo && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
  }
}

/** Sorts a[lo..lo+n) as far as ranks 0..hi need (lo is the first index of the partition). */
function sortRange<T>(
  a: T[],
  lo: number,
  n: number,
  cmp: (x: T, y: T) => number,
  hi: number,
): void {
  for (;;) {
    if (n < 7) return insertionSort(a, lo, n, cmp);
    let pm = lo + Math.floor(n / 2);
    if (n > 7) {
      let pl = lo;
      let pn = lo + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, lo, pm);
    let pa = lo + 1, pb = lo + 1;
    let pc = lo + n - 1, pd = lo + n - 1;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[lo])) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[lo])) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = lo + n;
    let r = Math.min(pa - lo, pb - pa);
    vecswap(a, lo, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    // Ranks 0..hi: a partition starting past hi needs no sorting.
    if ((r = pb - pa) > 1 && lo <= hi) sortRange(a, lo, r, cmp, hi);
    if ((r = pd - pc) > 1) {
      lo = pn - r;
      n = r;
      if (lo <= hi) continue;
    }
    return;
  }
}

// ---------------------------------------------------------------------------
// Table

/**
 * GEORADIUS / GEORADIUSBYMEMBER keys (Redis 7.0's key specs): the source,
 * then the key after the first STORE and after the first STOREDIST searched
 * from argument `from` on.
 */
function georadiusKeySpecs(from: number): KeySpec[] {
  const after = (keyword: string): KeySpec => ({
    ...keyAt(0, "OW", "update"),
    keyword: { keyword, startfrom: from },
  });
  return [keyAt(1, "RO", "access"), after("STORE"), after("STOREDIST")];
}

/** The same keys without flags, for callers that read keys alone. */
function georadiusKeys(from: number): (args: string[]) => string[] {
  const specs = georadiusKeySpecs(from);
  return (args) => (keysFromSpecs(specs, args) ?? []).map(([k]) => k);
}

const SEARCH_COMPLEXITY = "O(N+log(M)) where N is the number of elements in the grid-aligned " +
  "bounding box area around the shape provided as the filter and M is the number of items " +
  "inside the shape";
const RADIUS_COMPLEXITY = "O(N+log(M)) where N is the number of elements inside the bounding " +
  "box of the circular area delimited by center and radius and M is the number of items inside " +
  "the index.";
const RADIUS_OPTIONS = "[WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]";
const SEARCH_FROM = "<FROMMEMBER member | FROMLONLAT longitude latitude> " +
  "<BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT | MI>> [ASC | DESC] " +
  "[COUNT count [ANY]]";

/** Geo commands: GEOADD, GEOSEARCH, GEORADIUS ... over sorted sets. */
export const geoCommands: CommandSpec[] = [
  defineCommand({
    name: "geoadd",
    arity: -5,
    flags: "write denyoom",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.0",
    summary:
      "Add one or more geospatial items in the geospatial index represented using a sorted set",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    syntax: "key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]",
    keySpecs: ["RW update @1"],
    history: [["6.2.0", "Added the `CH`, `NX` and `XX` options."]],
    args: "key.key#0 condition.oneof@6.2.0?(nx'NX' xx'XX') change'CH'@6.2.0? " +
      "longitude_latitude_member.block*(longitude.double latitude.double member)",
    handler: geoadd,
  }),
  defineCommand({
    name: "geodist",
    arity: -4,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.0",
    summary: "Returns the distance between two members of a geospatial index",
    complexity: "O(log(N))",
    syntax: "key member1 member2 [M | KM | FT | MI]",
    keySpecs: ["RO access @1"],
    args: "key.key#0 member1 member2 unit.oneof?(m'M' km'KM' ft'FT' mi'MI')",
    handler: geodist,
  }),
  defineCommand({
    name: "geohash",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.0",
    summary: "Returns members of a geospatial index as standard geohash strings",
    complexity:
      "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    syntax: "key [member [member ...]]",
    keySpecs: ["RO access @1"],
    args: "key.key#0 member*",
    handler: geohash,
  }),
  defineCommand({
    name: "geopos",
    arity: -2,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.0",
    summary: "Returns longitude and latitude of members of a geospatial index",
    complexity: "O(N) where N is the number of members requested.",
    syntax: "key [member [member ...]]",
    keySpecs: ["RO access @1"],
    args: "key.key#0 member*",
    handler: geopos,
  }),
  defineCommand({
    name: "geosearch",
    arity: -7,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "6.2.0",
    summary: "Query a sorted set representing a geospatial index to fetch members inside an " +
      "area of a box or a circle.",
    complexity: SEARCH_COMPLEXITY,
    syntax: `key ${SEARCH_FROM} [WITHCOORD] [WITHDIST] [WITHHASH]`,
    keySpecs: ["RO access @1"],
    history: [["7.0.0", "Added support for uppercase unit names."]],
    args: "key.key#0 from.oneof(member'FROMMEMBER'.string " +
      "longitude_latitude'FROMLONLAT'.block(longitude.double latitude.double)) " +
      "by.oneof(circle.block(radius'BYRADIUS'.double unit.oneof(m'M' km'KM' ft'FT' mi'MI')) " +
      "box.block(width'BYBOX'.double height.double unit.oneof(m'M' km'KM' ft'FT' mi'MI'))) " +
      "order.oneof?(asc'ASC' desc'DESC') count.block?(count'COUNT'.integer any'ANY'?) " +
      "withcoord'WITHCOORD'? withdist'WITHDIST'? withhash'WITHHASH'?",
    handler: (c, args) => georadiusGeneric(c, args, 1, SEARCH),
  }),
  defineCommand({
    name: "geosearchstore",
    arity: -8,
    flags: "write denyoom",
    keys: [1, 2, 1],
    keySpecs: [keyAt(1, "OW", "update"), keyAt(2, "RO", "access")],
    group: GEO,
    since: "6.2.0",
    summary: "Query a sorted set representing a geospatial index to fetch members inside an " +
      "area of a box or a circle, and store the result in another key.",
    complexity: SEARCH_COMPLEXITY,
    syntax: `destination source ${SEARCH_FROM} [STOREDIST]`,
    history: [["7.0.0", "Added support for uppercase unit names."]],
    args: "destination.key#0 source.key#1 from.oneof(member'FROMMEMBER'.string " +
      "longitude_latitude'FROMLONLAT'.block(longitude.double latitude.double)) " +
      "by.oneof(circle.block(radius'BYRADIUS'.double unit.oneof(m'M' km'KM' ft'FT' mi'MI')) " +
      "box.block(width'BYBOX'.double height.double unit.oneof(m'M' km'KM' ft'FT' mi'MI'))) " +
      "order.oneof?(asc'ASC' desc'DESC') count.block?(count'COUNT'.integer any'ANY'?) " +
      "storedist'STOREDIST'?",
    handler: (c, args) => georadiusGeneric(c, args, 2, SEARCH | SEARCH_STORE),
  }),
  defineCommand({
    name: "georadius",
    arity: -6,
    flags: "write denyoom movablekeys",
    keys: [1, 1, 1],
    getKeys: georadiusKeys(6),
    keySpecs: georadiusKeySpecs(6),
    group: GEO,
    since: "3.2.0",
    summary: "Query a sorted set representing a geospatial index to fetch members matching a " +
      "given maximum distance from a point",
    complexity: RADIUS_COMPLEXITY,
    syntax: `key longitude latitude radius <M | KM | FT | MI> ${RADIUS_OPTIONS} ` +
      "[STORE key | STOREDIST key]",
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument",
    history: [
      ["6.2.0", "Added the `ANY` option for `COUNT`."],
      ["7.0.0", "Added support for uppercase unit names."],
    ],
    args: "key.key#0 longitude.double latitude.double radius.double unit.oneof(m'M' km'KM' " +
      "ft'FT' mi'MI') withcoord'WITHCOORD'? withdist'WITHDIST'? withhash'WITHHASH'? " +
      "count.block?(count'COUNT'.integer any'ANY'@6.2.0?) order.oneof?(asc'ASC' desc'DESC') " +
      "key'STORE'.key#1? key'STOREDIST'.key#2?",
    handler: (c, args) => georadiusGeneric(c, args, 1, RADIUS_COORDS),
  }),
  defineCommand({
    name: "georadius_ro",
    arity: -6,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.10",
    summary: "A read-only variant for GEORADIUS",
    complexity: RADIUS_COMPLEXITY,
    syntax: `key longitude latitude radius <M | KM | FT | MI> ${RADIUS_OPTIONS}`,
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` argument",
    history: [["6.2.0", "Added the `ANY` option for `COUNT`."]],
    args: "key.key#0 longitude.double latitude.double radius.double unit.oneof(m'M' km'KM' " +
      "ft'FT' mi'MI') withcoord'WITHCOORD'? withdist'WITHDIST'? withhash'WITHHASH'? " +
      "count.block?(count'COUNT'.integer any'ANY'@6.2.0?) order.oneof?(asc'ASC' desc'DESC')",
    handler: (c, args) => georadiusGeneric(c, args, 1, RADIUS_COORDS | RADIUS_NOSTORE),
  }),
  defineCommand({
    name: "georadiusbymember",
    arity: -5,
    flags: "write denyoom movablekeys",
    keys: [1, 1, 1],
    getKeys: georadiusKeys(5),
    keySpecs: georadiusKeySpecs(5),
    group: GEO,
    since: "3.2.0",
    summary: "Query a sorted set representing a geospatial index to fetch members matching a " +
      "given maximum distance from a member",
    complexity: RADIUS_COMPLEXITY,
    syntax: `key member radius <M | KM | FT | MI> ${RADIUS_OPTIONS} [STORE key | STOREDIST key]`,
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments",
    history: [["7.0.0", "Added support for uppercase unit names."]],
    args: "key.key#0 member radius.double unit.oneof(m'M' km'KM' ft'FT' mi'MI') " +
      "withcoord'WITHCOORD'? withdist'WITHDIST'? withhash'WITHHASH'? " +
      "count.block?(count'COUNT'.integer any'ANY'?) order.oneof?(asc'ASC' desc'DESC') " +
      "key'STORE'.key#1? key'STOREDIST'.key#2?",
    handler: (c, args) => georadiusGeneric(c, args, 1, RADIUS_MEMBER),
  }),
  defineCommand({
    name: "georadiusbymember_ro",
    arity: -5,
    flags: "readonly",
    keys: [1, 1, 1],
    group: GEO,
    since: "3.2.10",
    summary: "A read-only variant for GEORADIUSBYMEMBER",
    complexity: RADIUS_COMPLEXITY,
    syntax: `key member radius <M | KM | FT | MI> ${RADIUS_OPTIONS}`,
    keySpecs: ["RO access @1"],
    docFlags: "deprecated",
    deprecatedSince: "6.2.0",
    replacedBy: "`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments",
    args: "key.key#0 member radius.double unit.oneof(m'M' km'KM' ft'FT' mi'MI') " +
      "withcoord'WITHCOORD'? withdist'WITHDIST'? withhash'WITHHASH'? " +
      "count.block?(count'COUNT'.integer any'ANY'?) order.oneof?(asc'ASC' desc'DESC')",
    handler: (c, args) => georadiusGeneric(c, args, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
  }),
];
