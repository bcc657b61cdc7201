import { assertEquals } from "@std/assert";
import { LatencyHistogram, LatencyMonitor } from "../../lib/server/latency.ts";

Deno.test("latency histogram: Redis's log buckets and percentiles", () => {
  const h = new LatencyHistogram();
  for (const us of [0, 0, 0, 1, 2, 16, 30]) h.recordMicros(us);
  // As Redis reports them: the bucket's highest value in usec, cumulative counts.
  assertEquals(h.cumulativeBuckets(), [[1, 4], [2, 5], [16, 6], [33, 7]]);
  // 0 usec is recorded as 1 ns (Redis's lower bound).
  assertEquals(h.valueAtPercentile(50), 1003);
  assertEquals(h.valueAtPercentile(0), 1);
  assertEquals(h.valueAtPercentile(100), 30079);
  const small = new LatencyHistogram();
  small.recordMicros(0);
  assertEquals(small.valueAtPercentile(99.9), 1);
  // Past 1 s everything is 1 s.
  const big = new LatencyHistogram();
  big.recordMicros(5_000_000);
  assertEquals(big.valueAtPercentile(50), 238 * 2 ** 22 + 2 ** 22 - 1);
});

Deno.test("latency monitor: one sample per second keeps the worst, reset by name", () => {
  const m = new LatencyMonitor();
  m.addSampleIfNeeded("command", 500); // threshold 0: off
  assertEquals(m.events.size, 0);
  m.threshold = 10;
  m.addSampleIfNeeded("command", 9);
  assertEquals(m.events.size, 0);
  m.addSample("command", 12, 100);
  m.addSample("command", 30, 100);
  m.addSample("command", 20, 100);
  m.addSample("command", 15, 101);
  const ts = m.events.get("command")!;
  assertEquals(ts.samples(), [[100, 30], [101, 15]]);
  assertEquals(ts.max, 30);
  for (let t = 0; t < 200; t++) m.addSample("fork", t, 1000 + t);
  assertEquals(m.events.get("fork")!.samples().length, 160);
  assertEquals(m.reset("COMMAND"), 1);
  assertEquals(m.reset(), 1);
});
