/**
 * Redis's geohash arithmetic (geohash.c, geohash_helper.c), reproduced step
 * for step so that scores, search boxes, distances and decoded coordinates
 * are the same doubles Redis computes:
 *
 * - a position is a 52-bit score: 26 bits of latitude (even bit positions)
 *   interleaved with 26 bits of longitude (odd positions), over longitude
 *   [-180, 180] and latitude [-85.05112878, 85.05112878];
 * - a radius or box search covers the cell of its centre, at a step (bits
 *   per axis) estimated from the radius, and the 8 neighbour cells, minus
 *   the neighbours the search area cannot reach;
 * - distances are haversine on a sphere of radius 6372797.560856 m.
 *
 * A cell is kept as its two axis indexes rather than one interleaved
 * 64-bit integer (JS bitwise operators stop at 32 bits). Like Redis's, an
 * index can equal 2^step at the upper edge (longitude 180, latitude max).
 */

/** Bits per axis of a stored position (Redis's GEO_STEP_MAX). */
export const GEO_STEP_MAX = 26;
/** Latitude limits (EPSG:900913): positions beyond them cannot be indexed. */
export const GEO_LAT_MIN = -85.05112878;
/** Upper latitude limit. */
export const GEO_LAT_MAX = 85.05112878;
/** Longitude limits. */
export const GEO_LONG_MIN = -180;
/** Upper longitude limit. */
export const GEO_LONG_MAX = 180;
/** Redis's earth radius (quadratic mean radius of WGS-84), in meters. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;

const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180;
const TWO32 = 4294967296;

/** A geohash cell: longitude and latitude indexes at `step` bits per axis. */
export interface GeoCell {
  lon: number;
  lat: number;
  step: number;
}

/** A cell's extent in degrees. */
export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** A search shape: a circle (radius) or a box (width, height), in `conversion` units (meters per unit). */
export interface GeoShape {
  lon: number;
  lat: number;
  /** Meters per unit of radius / width / height. */
  conversion: number;
  circle: boolean;
  radius: number;
  width: number;
  height: number;
}

/** Spreads the low 16 bits of v to the even bit positions of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/**
 * Low and high 32-bit words of the last interleave() (the exact 64-bit
 * value): a typed array, as a module variable would box every word past 2^30.
 */
const IL = new Uint32Array(2);

/** Interleaves lat (even bits) and lon (odd bits) into IL. */
function interleave(lat: number, lon: number): void {
  IL[0] = spread16(lat) | (spread16(lon) << 1);
  IL[1] = spread16(lat >>> 16) | (spread16(lon >>> 16) << 1);
}

/**
 * Encodes a position at `step` bits per axis over the given ranges, as
 * geohashEncode does; null when the position is outside the indexable area.
 */
export function geohashEncode(
  lon: number,
  lat: number,
  step: number,
  latMin = GEO_LAT_MIN,
  latMax = GEO_LAT_MAX,
): GeoCell | null {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) {
    return null;
  }
  if (lat < latMin || lat > latMax) return null;
  const scale = 2 ** step;
  const latOffset = ((lat - latMin) / (latMax - latMin)) * scale;
  const lonOffset = ((lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN)) * scale;
  // C converts the offsets to uint32 by truncation.
  return { lon: Math.trunc(lonOffset), lat: Math.trunc(latOffset), step };
}

/**
 * The sorted-set score of a position (GEOADD): its step-26 cell's
 * interleaved bits, as the double ZADD parses from their decimal text.
 */
export function geoScore(lon: number, lat: number): number {
  const cell = geohashEncode(lon, lat, GEO_STEP_MAX)!;
  interleave(cell.lat, cell.lon);
  return IL[1] * TWO32 + IL[0];
}

/** The decimal text of a position's score, as GEOADD hands it to ZADD (exact above 2^53 too). */
export function geoScoreText(lon: number, lat: number): string {
  const cell = geohashEncode(lon, lat, GEO_STEP_MAX)!;
  interleave(cell.lat, cell.lon);
  const v = IL[1] * TWO32 + IL[0];
  if (v < 2 ** 53) return String(v);
  return ((BigInt(IL[1]) << 32n) | BigInt(IL[0])).toString();
}

/**
 * The score range [min, max) holding every stored position inside `cell`
 * (scoresOfGeoHashBox: the cell's bits and the next value, shifted to 52 bits).
 */
export function cellScoreRange(cell: GeoCell): [number, number] {
  interleave(cell.lat, cell.lon);
  const shift = 2 ** (52 - cell.step * 2);
  // One rounding each, as C's uint64 -> double conversion.
  const hi = IL[1], lo = IL[0];
  const min = (hi * TWO32 + lo) * shift;
  const max = (hi * TWO32 + (lo + 1)) * shift;
  return [min, max];
}

/** Words of the last slowScoreWords() call (low, high). */
const SW = new Uint32Array(2);

/** Redis's (uint64_t) conversion on x86-64 of a score outside [0, 2^53), into SW. */
function slowScoreWords(score: number): void {
  let u: bigint;
  if (score >= 2 ** 63) {
    const t = score - 2 ** 63;
    u = t < 2 ** 63 ? BigInt(Math.trunc(t)) | (1n << 63n) : 0n;
  } else if (score >= -(2 ** 63)) {
    u = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  } else {
    u = 1n << 63n; // cvttsd2si's "integer indefinite"
  }
  SW[1] = Number(u >> 32n);
  SW[0] = Number(u & 0xffffffffn);
}

/** The extent of a cell (geohashDecode over the WGS84 ranges). */
export function cellArea(cell: GeoCell): GeoArea {
  const scale = 2 ** cell.step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  // (index + 1) is uint32 arithmetic in C.
  return {
    latMin: GEO_LAT_MIN + (cell.lat / scale) * latScale,
    latMax: GEO_LAT_MIN + (((cell.lat + 1) >>> 0) / scale) * latScale,
    lonMin: GEO_LONG_MIN + (cell.lon / scale) * lonScale,
    lonMax: GEO_LONG_MIN + (((cell.lon + 1) >>> 0) / scale) * lonScale,
  };
}

const INV_STEP26 = 2 ** -GEO_STEP_MAX;
const STEP26_CELLS = 2 ** GEO_STEP_MAX;
const INV_TWO32 = 2 ** -32;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LON_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/** The step-26 cell of the last scoreCellInto(): [latitude index, longitude index]. */
export const SCORE_CELL = new Uint32Array(2);

/**
 * The cell a score stands for, into SCORE_CELL: the axis indexes are the
 * full 32-bit halves of Redis's 64-bit value (above 2^26 for scores GEOADD
 * never writes).
 */
export function scoreCellInto(score: number): void {
  let hi: number, lo: number;
  if (score >= 0 && score < 2 ** 53) {
    const v = Math.floor(score);
    hi = Math.floor(v * INV_TWO32);
    lo = (v - hi * TWO32) | 0; // the low word's bits as an int32
  } else {
    slowScoreWords(score);
    hi = SW[1];
    lo = SW[0];
  }
  SCORE_CELL[0] = compact16(lo) | (compact16(hi) << 16);
  SCORE_CELL[1] = compact16(lo >>> 1) | (compact16(hi >>> 1) << 16);
}

/**
 * The position of a step-26 cell into out[0] (longitude) and out[1]
 * (latitude): its centre, clamped to the limits (decodeGeohash).
 */
export function cellCentreInto(lat: number, lon: number, out: Float64Array | number[]): void {
  // Times 2^-26 is the same exact scaling as C's division by 2^26.
  const latMin = GEO_LAT_MIN + lat * INV_STEP26 * LAT_SCALE;
  const latMax = GEO_LAT_MIN + ((lat + 1) >>> 0) * INV_STEP26 * LAT_SCALE;
  const lonMin = GEO_LONG_MIN + lon * INV_STEP26 * LON_SCALE;
  const lonMax = GEO_LONG_MIN + ((lon + 1) >>> 0) * INV_STEP26 * LON_SCALE;
  let x = (lonMin + lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (latMin + latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  out[0] = x;
  out[1] = y;
}

/** Decodes a score into out[0] (longitude) and out[1] (latitude), as Redis's decodeGeohash. */
export function decodeScoreInto(score: number, out: Float64Array | number[]): void {
  scoreCellInto(score);
  cellCentreInto(SCORE_CELL[0], SCORE_CELL[1], out);
}

/** Decoded position of a score ([lon, lat]; see decodeScoreInto). */
export function decodeScore(score: number): [number, number] {
  const out: [number, number] = [0, 0];
  decodeScoreInto(score, out);
  return out;
}

const GEO_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/**
 * The standard 11-character geohash of a score (GEOHASH): the decoded
 * position re-encoded over latitude [-90, 90]; the 11th character is "0"
 * (52 bits give 10 characters and 2 bits).
 */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const cell = geohashEncode(lon, lat, GEO_STEP_MAX, -90, 90);
  let bits = 0n;
  if (cell !== null) {
    interleave(cell.lat, cell.lon);
    bits = (BigInt(IL[1]) << 32n) | BigInt(IL[0]);
  }
  let out = "";
  for (let i = 0; i < 10; i++) {
    out += GEO_ALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 31n)];
  }
  return out + "0";
}

/** Degrees to radians, as Redis's deg_rad. */
function degRad(ang: number): number {
  return ang * D_R;
}

/** Radians to degrees, as Redis's rad_deg. */
function radDeg(ang: number): number {
  return ang / D_R;
}

/** Meridian distance in meters between two latitudes (geohashGetLatDistance). */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/**
 * Haversine distance in meters between two positions (geohashGetDistance,
 * Redis 7.0.15's: on one meridian, the latitude difference alone).
 */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * The distance from the shape's centre to a position when the position is
 * inside the shape (geohashGetDistanceIfInRadiusWGS84 / ...IfInRectangle:
 * a box checks the cheaper latitude distance first), else -1.
 */
export function distanceIfInShape(shape: GeoShape, lon: number, lat: number): number {
  if (shape.circle) {
    const d = geoDistance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  if (latDistance(lat, shape.lat) > (shape.height * shape.conversion) / 2) return -1;
  if (geoDistance(lon, lat, shape.lon, lat) > (shape.width * shape.conversion) / 2) return -1;
  return geoDistance(shape.lon, shape.lat, lon, lat);
}

/**
 * distanceIfInShape for many positions against one circle, with the same
 * results, faster: the centre's trigonometry is computed once, and points
 * far outside are rejected before the arcsine by bounds with a wide margin
 * (the meridian distance never exceeds the great-circle one; the haversine
 * term grows with the distance), so every kept distance and every decision
 * near the edge is Redis's own computation.
 */
export class CircleTester {
  readonly #lon1r: number;
  readonly #lat1r: number;
  readonly #cosLat1: number;
  readonly #radiusM: number;
  /** Meridian distances beyond this are outside whatever the rounding. */
  readonly #latReject: number;
  /** Haversine terms beyond this are outside whatever the rounding. */
  readonly #aReject: number;

  /** Step-26 cell index windows outside which no point can be kept. */
  readonly #latIdxMin: number;
  readonly #latIdxMax: number;
  /** False when the cap holds a pole or crosses the antimeridian: no longitude window. */
  readonly #lonWindow: boolean = false;
  readonly #lonIdxMin: number = 0;
  readonly #lonIdxMax: number = 0;

  constructor(readonly shape: GeoShape) {
    this.#lon1r = degRad(shape.lon);
    this.#lat1r = degRad(shape.lat);
    this.#cosLat1 = Math.cos(this.#lat1r);
    this.#radiusM = shape.radius * shape.conversion;
    this.#latReject = this.#radiusM + 1;
    const half = this.#radiusM / (2 * EARTH_RADIUS_IN_METERS);
    const s = half >= Math.PI / 2 ? 1 : Math.sin(half);
    this.#aReject = s * s * (1 + 1e-7) + 1e-12;
    // Angular radius past what the latitude filter lets through, then the
    // cells of the latitude band and (when no pole is inside) of the
    // longitude span of that cap: sin(dlon) = sin(rho) / cos(lat).
    const rho = (this.#radiusM + 2) / EARTH_RADIUS_IN_METERS;
    const cell = LAT_SCALE * INV_STEP26;
    const dLat = rho >= Math.PI ? 360 : radDeg(rho) + 1e-7;
    this.#latIdxMin = Math.floor((shape.lat - dLat - GEO_LAT_MIN) / cell) - 2;
    this.#latIdxMax = Math.ceil((shape.lat + dLat - GEO_LAT_MIN) / cell) + 2;
    if (rho + 1e-6 < Math.PI / 2 - Math.abs(this.#lat1r)) {
      const dLon = radDeg(Math.asin(Math.min(1, Math.sin(rho) / this.#cosLat1))) + 1e-7;
      if (shape.lon - dLon > GEO_LONG_MIN && shape.lon + dLon < GEO_LONG_MAX) {
        const lonCell = LON_SCALE * INV_STEP26;
        this.#lonWindow = true;
        this.#lonIdxMin = Math.floor((shape.lon - dLon - GEO_LONG_MIN) / lonCell) - 2;
        this.#lonIdxMax = Math.ceil((shape.lon + dLon - GEO_LONG_MIN) / lonCell) + 2;
      }
    }
  }

  /**
   * False when no point of the step-26 cell (lat, lon) can be inside: a
   * test on the cell indexes alone, before any decoding. Indexes past 2^26
   * (clamped positions) are always let through.
   */
  mayContain(lat: number, lon: number): boolean {
    if (lat < STEP26_CELLS && (lat < this.#latIdxMin || lat > this.#latIdxMax)) return false;
    return !this.#lonWindow || lon >= STEP26_CELLS ||
      (lon >= this.#lonIdxMin && lon <= this.#lonIdxMax);
  }

  /** The distance in meters when inside the circle, else -1. */
  distance(lon: number, lat: number): number {
    const lat2r = degRad(lat);
    const dLat = lat2r - this.#lat1r;
    if (EARTH_RADIUS_IN_METERS * Math.abs(dLat) > this.#latReject) return -1;
    const lon2r = degRad(lon);
    // Lower bounds of the haversine term without trigonometry: sin x >= x - x^3/6
    // on [0, pi/2], cos x >= 1 - x^2/2.
    const hv = Math.abs(lon2r - this.#lon1r) / 2;
    const c2 = 1 - (lat2r * lat2r) / 2;
    if (hv <= Math.PI / 2 && c2 > 0) {
      const hu = Math.abs(dLat) / 2;
      const uLow = hu * (1 - (hu * hu) / 6);
      const vLow = hv * (1 - (hv * hv) / 6);
      if (uLow * uLow + this.#cosLat1 * c2 * vLow * vLow > this.#aReject) return -1;
    }
    const v = Math.sin((lon2r - this.#lon1r) / 2);
    let d: number;
    if (v === 0) {
      d = latDistance(this.shape.lat, lat);
    } else {
      const u = Math.sin(dLat / 2);
      const a = u * u + this.#cosLat1 * Math.cos(lat2r) * v * v;
      if (a > this.#aReject) return -1;
      d = 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
    }
    return d > this.#radiusM ? -1 : d;
  }
}

/**
 * A distance as Redis 7.0.15's addReplyDoubleDistance writes it
 * (fixedpoint_d2string with 4 digits): the value times 10^4 rounded to an
 * integer (llrint: ties to even; NaN and overflow give LLONG_MIN), then the
 * point put back.
 */
export function formatDistance(d: number): string {
  if (d === 0) return "0.0000";
  const scaled = d * 10000;
  let digits: string;
  let neg = false;
  if (Number.isNaN(scaled) || scaled >= 2 ** 63 || scaled < -(2 ** 63)) {
    digits = "9223372036854775808";
    neg = true;
  } else {
    let r = Math.round(scaled);
    if (r - scaled === 0.5 && r % 2 !== 0) r -= 1; // Math.round breaks ties up, llrint to even
    neg = r < 0;
    const abs = neg ? -r : r;
    digits = abs < 2 ** 53 ? String(abs) : BigInt(abs).toString();
  }
  digits = digits.padStart(5, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** Bits per axis of the 9 search cells for a radius (geohashEstimateStepsByRadius). */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2; // make sure the range is included in most of the base cases
  // Meridians converge towards the poles: wider cells there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** The shape's bounding box [lonMin, latMin, lonMax, latMax] (geohashBoundingBox). */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.circle ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.circle ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(
    width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)),
  );
  // The box's wider edge is the one nearer the pole.
  const south = lat < 0;
  return [
    south ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    south ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

function moved(c: GeoCell, dx: number, dy: number): GeoCell {
  // Redis's geohash_move_x / _y: an axis index moves modulo 2^step (wrapping
  // at the antimeridian and the poles); the other axis is kept as it is.
  const mask = 2 ** c.step;
  return {
    lon: dx === 0 ? c.lon : (((c.lon + dx) % mask) + mask) % mask,
    lat: dy === 0 ? c.lat : (((c.lat + dy) % mask) + mask) % mask,
    step: c.step,
  };
}

/**
 * The cells to search for a shape, in Redis's order: centre, north, south,
 * east, west, north-east, north-west, south-east, south-west; null for a
 * neighbour the area cannot reach (geohashCalculateAreasByShapeWGS84).
 */
export function searchCells(shape: GeoShape): (GeoCell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters = shape.conversion * (shape.circle ? shape.radius : Math.sqrt(
    (shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2),
  ));
  let steps = estimateSteps(radiusMeters, shape.lat);
  let center = geohashEncode(shape.lon, shape.lat, steps)!;
  // Near a cell edge the estimated step may leave part of the area outside
  // the 9 cells: then one step coarser.
  const north = cellArea(moved(center, 0, 1));
  const south = cellArea(moved(center, 0, -1));
  const east = cellArea(moved(center, 1, 0));
  const west = cellArea(moved(center, -1, 0));
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon ||
    west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    center = geohashEncode(shape.lon, shape.lat, steps)!;
  }
  const cells: (GeoCell | null)[] = [
    center,
    moved(center, 0, 1),
    moved(center, 0, -1),
    moved(center, 1, 0),
    moved(center, -1, 0),
    moved(center, 1, 1),
    moved(center, -1, 1),
    moved(center, 1, -1),
    moved(center, -1, -1),
  ];
  if (steps >= 2) {
    const area = cellArea(center);
    const N = 1, S = 2, E = 3, W = 4, NE = 5, NW = 6, SE = 7, SW = 8;
    if (area.latMin < minLat) cells[S] = cells[SW] = cells[SE] = null;
    if (area.latMax > maxLat) cells[N] = cells[NE] = cells[NW] = null;
    if (area.lonMin < minLon) cells[W] = cells[SW] = cells[NW] = null;
    if (area.lonMax > maxLon) cells[E] = cells[SE] = cells[NE] = null;
  }
  return cells;
}
