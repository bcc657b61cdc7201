/**
 * Redis's geohash arithmetic (lib/util/geohash.ts), the number formats of
 * the geo replies (lib/util/float.ts) and Redis 7.0's pqsort order, against
 * values read from a real Redis 7.0.15.
 */
import { assert, assertEquals } from "@std/assert";
import {
  cellScoreRange,
  CircleTester,
  decodeScore,
  distanceIfInShape,
  formatDistance,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  geoDistance,
  geohashString,
  geoScore,
  geoScoreText,
  type GeoShape,
  SCORE_CELL,
  scoreCellInto,
  searchCells,
} from "../../lib/util/geohash.ts";
import { formatFixed, formatHumanDouble } from "../../lib/util/float.ts";
import { pqsort } from "../../lib/commands/geo.ts";
import { prng } from "../support/prng.ts";

Deno.test("geoScore: GEOADD's 52-bit scores, Redis's values", () => {
  assertEquals(geoScore(13.361389, 38.115556), 3479099956230698);
  assertEquals(geoScore(15.087269, 37.502669), 3479447370796909);
  assertEquals(geoScore(0, 0), 3377699720527872);
  assertEquals(geoScore(-0, -0), 3377699720527872);
  assertEquals(geoScore(-180, -85.05112878), 0);
  // The upper edges overflow 26 bits, as in Redis.
  assertEquals(geoScore(180, 85.05112878), 13510798882111488);
  assertEquals(geoScoreText(180, 85.05112878), "13510798882111488");
  assertEquals(geoScoreText(13.361389, 38.115556), "3479099956230698");
});

Deno.test("decodeScore and formatHumanDouble: GEOPOS's text", () => {
  const [lon, lat] = decodeScore(3479099956230698);
  assertEquals(formatHumanDouble(lon), "13.36138933897018433");
  assertEquals(formatHumanDouble(lat), "38.11555639549629859");
  const edge = decodeScore(13510798882111488);
  assertEquals(edge.map(formatHumanDouble), ["180", "85.0511287799999991"]);
  assertEquals(decodeScore(0).map(formatHumanDouble), [
    "-179.99999731779098511",
    "-85.05112751263942528",
  ]);
  assertEquals(decodeScore(3377699720527872).map(formatHumanDouble), [
    "0.00000268220901489",
    "0.00000126736058093",
  ]);
  // Scores GEOADD never writes: Redis's x86-64 uint64 conversion.
  assertEquals(decodeScore(-5).map(formatHumanDouble), ["180", "85.0511287799999991"]);
  assertEquals(decodeScore(Infinity).map(formatHumanDouble), [
    "-179.99999731779098511",
    "-85.05112751263942528",
  ]);
  assertEquals(formatHumanDouble(-0), "0");
  assertEquals(formatHumanDouble(-1e-30), "0");
});

Deno.test("geohashString: GEOHASH's standard 11 characters", () => {
  assertEquals(geohashString(3479099956230698), "sqc8b49rny0");
  assertEquals(geohashString(3479447370796909), "sqdtr74hyu0");
  assertEquals(geohashString(13510798882111488), "bp05b5048p0");
  assertEquals(geohashString(0), "00bh0hbj200");
  assertEquals(geohashString(3377699720527872), "s0000000000");
  assertEquals(geohashString(1.5), "00bh0hbj210");
});

Deno.test("geoDistance and formatDistance: GEODIST's text", () => {
  const [a, b] = [decodeScore(3479099956230698), decodeScore(3479447370796909)];
  const d = geoDistance(a[0], a[1], b[0], b[1]);
  assertEquals(formatDistance(d), "166274.1516");
  assertEquals(formatDistance(d / 1000), "166.2742");
  assertEquals(formatDistance(d / 1609.34), "103.3182");
  assertEquals(formatDistance(d / 0.3048), "545518.8700");
  // fixedpoint_d2string: value * 10^4 rounded by llrint, not printf's exact "%.4f".
  assertEquals(formatDistance(0), "0.0000");
  assertEquals(formatDistance(-0), "0.0000");
  assertEquals(formatDistance(0.0001), "0.0001");
  assertEquals(formatDistance(6.0642951598391699e-05), "0.0001");
  assertEquals(formatDistance(0.01), "0.0100");
  assertEquals(formatDistance(-0.01), "-0.0100");
  assertEquals(formatDistance(10.01), "10.0100");
  assertEquals(formatDistance(0.5 / 10000), "0.0000"); // a tie: to even
  assertEquals(formatDistance(1.5 / 10000), "0.0001"); // 1.4999999999999998 after scaling
  assertEquals(formatDistance(0.00025), "0.0002"); // 2.5: to even
  assertEquals(formatDistance(3.00015), "3.0002"); // 30001.5: to even
  // A GEODIST in feet that "%.4f" would print as ...7145: 630270377145.4999 scales to ...145.5.
  const meters = new DataView(new BigUint64Array([0x417252191186bcbdn]).buffer).getFloat64(0, true);
  assertEquals(formatDistance(meters / 0.3048), "63027037.7146");
  assertEquals(formatDistance(NaN), "-922337203685477.5808");
  // Same longitude: the meridian distance (Redis 7.0.15's shortcut).
  assertEquals(
    geoDistance(10, 10, 10, 20),
    6372797.560856 * Math.abs(20 * (Math.PI / 180) - 10 * (Math.PI / 180)),
  );
});

Deno.test("formatFixed: C's %f, exact and ties to even", () => {
  assertEquals(formatFixed(200, 6), "200.000000");
  assertEquals(formatFixed(85.05112879, 6), "85.051129");
  assertEquals(formatFixed(-0, 6), "-0.000000");
  assertEquals(formatFixed(Infinity, 6), "inf");
  assertEquals(formatFixed(-Infinity, 6), "-inf");
  assertEquals(formatFixed(0.5, 0), "0");
  assertEquals(formatFixed(2.5, 0), "2");
  assertEquals(formatFixed(3.5, 0), "4");
  assertEquals(formatFixed(0.125, 2), "0.12");
  assertEquals(formatFixed(-0.375, 2), "-0.38");
  assertEquals(formatFixed(1e22, 1), "10000000000000000000000.0");
  assert(formatFixed(1e300, 6).startsWith("1000000000000000052504760255204420248704468581108159"));
  assert(formatFixed(1e300, 6).endsWith(".000000"));
});

Deno.test("pqsort: Redis 7.0's order of equal distances", () => {
  // A search's points in Redis's scan order, and the first 5 Redis returned with COUNT 5.
  const input: [string, number][] = [
    ["m92", 12937.12],
    ["m97", 11863.77],
    ["m98", 10954.98],
    ["m42", 7941.69],
    ["m54", 8265.76],
    ["m62", 4713.93],
    ["m61", 6275.63],
    ["m44", 3828.93],
    ["m93", 2819.89],
    ["m53", 818.60],
    ["m23", 879.33],
    ["m65", 879.33],
    ["m9", 879.33],
    ["m75", 10472.28],
    ["m68", 8575.05],
    ["m4", 11504.25],
    ["m8", 11381.13],
    ["m20", 7875.94],
    ["m82", 8932.18],
    ["m48", 11868.49],
    ["m90", 7210.59],
    ["m12", 4978.95],
    ["m39", 8754.32],
    ["m81", 6352.77],
    ["m36", 7609.47],
    ["m77", 13010.16],
  ];
  const cmp = (a: [string, number], b: [string, number]) =>
    a[1] > b[1] ? 1 : a[1] === b[1] ? 0 : -1;
  for (const count of [3, 5, 24, 25]) {
    const a = input.slice();
    pqsort(a, cmp, count - 1);
    assertEquals(
      a.slice(0, 5).map((p) => p[0]).slice(0, count),
      [
        "m53",
        "m9",
        "m65",
        "m23",
        "m93",
      ].slice(0, count),
    );
  }
  // Whatever the input, ranks 0..hi come out sorted.
  const r = prng(3);
  for (let n = 1; n < 200; n += 7) {
    const a = Array.from(
      { length: n },
      () => [String(r()), Math.floor(r() * 20)] as [string, number],
    );
    const hi = Math.floor(r() * n);
    pqsort(a, cmp, hi);
    const sorted = a.slice().sort(cmp);
    assertEquals(a.slice(0, hi + 1).map((p) => p[1]), sorted.slice(0, hi + 1).map((p) => p[1]));
  }
});

Deno.test("CircleTester gives distanceIfInShape's results exactly", () => {
  const r = prng(11);
  for (let k = 0; k < 300; k++) {
    const shape: GeoShape = {
      lon: (r() * 2 - 1) * 180,
      lat: (r() * 2 - 1) * 85,
      conversion: 1,
      circle: true,
      radius: Math.exp(r() * Math.log(3e7)),
      width: 0,
      height: 0,
    };
    const tester = new CircleTester(shape);
    for (let i = 0; i < 400; i++) {
      let lon = i % 10 === 0 ? shape.lon : (r() * 2 - 1) * 180;
      let lat = (r() * 2 - 1) * 85;
      if (i % 2 === 1) {
        // Near the edge: the point at about the radius, on a random bearing.
        const delta = (shape.radius * (1 + (r() - 0.5) * 1e-6)) / 6372797.560856;
        const bearing = r() * 2 * Math.PI, p1 = (shape.lat * Math.PI) / 180;
        const p2 = Math.asin(
          Math.sin(p1) * Math.cos(delta) + Math.cos(p1) * Math.sin(delta) * Math.cos(bearing),
        );
        const l2 = (shape.lon * Math.PI) / 180 + Math.atan2(
          Math.sin(bearing) * Math.sin(delta) * Math.cos(p1),
          Math.cos(delta) - Math.sin(p1) * Math.sin(p2),
        );
        lat = Math.max(-85, Math.min(85, (p2 * 180) / Math.PI));
        lon = ((((l2 * 180) / Math.PI + 540) % 360) + 360) % 360 - 180;
      }
      const exact = distanceIfInShape(shape, lon, lat);
      assertEquals(tester.distance(lon, lat), exact < 0 ? -1 : exact);
    }
  }
});

Deno.test("CircleTester.mayContain never passes over a cell whose point is inside", () => {
  const r = prng(12);
  for (let k = 0; k < 300; k++) {
    const shape: GeoShape = {
      lon: (r() * 2 - 1) * 180,
      lat: (r() * 2 - 1) * 85.05,
      conversion: 1,
      circle: true,
      radius: Math.exp(r() * Math.log(k % 3 === 0 ? 3e7 : 3e4)),
      width: 0,
      height: 0,
    };
    const tester = new CircleTester(shape);
    const rho = shape.radius / 6372797.560856, p1 = (shape.lat * Math.PI) / 180;
    for (let i = 0; i < 300; i++) {
      // Points around the edge (and a few anywhere).
      const delta = i % 5 === 0 ? r() * Math.PI : rho * (1 + (r() - 0.5) * 0.01);
      const bearing = r() * 2 * Math.PI;
      const p2 = Math.asin(
        Math.sin(p1) * Math.cos(delta) + Math.cos(p1) * Math.sin(delta) * Math.cos(bearing),
      );
      const l2 = (shape.lon * Math.PI) / 180 + Math.atan2(
        Math.sin(bearing) * Math.sin(delta) * Math.cos(p1),
        Math.cos(delta) - Math.sin(p1) * Math.sin(p2),
      );
      const lat = Math.max(GEO_LAT_MIN, Math.min(GEO_LAT_MAX, (p2 * 180) / Math.PI));
      const lon = ((((l2 * 180) / Math.PI + 540) % 360) + 360) % 360 - 180;
      const score = geoScore(lon, lat);
      const [x, y] = decodeScore(score);
      scoreCellInto(score);
      if (distanceIfInShape(shape, x, y) >= 0) {
        assert(tester.mayContain(SCORE_CELL[0], SCORE_CELL[1]), `${lon},${lat} in ${shape}`);
      }
    }
  }
});

Deno.test("searchCells: 9 cells whose score ranges cover the circle", () => {
  const cells = searchCells({
    lon: 15,
    lat: 37,
    conversion: 1000,
    circle: true,
    radius: 200,
    width: 0,
    height: 0,
  });
  assertEquals(cells.length, 9);
  const center = cells[0]!;
  const [min, max] = cellScoreRange(center);
  const catania = geoScore(15.087269, 37.502669);
  const covered = cells.some((c) => {
    if (c === null) return false;
    const [lo, hi] = cellScoreRange(c);
    return catania >= lo && catania < hi;
  });
  assert(covered);
  assert(min < max);
});
