/**
 * Latency bookkeeping, as Redis 7.0 keeps it:
 *
 * - LatencyHistogram: a per-command histogram of durations in nanoseconds
 *   with the layout of Redis's hdr_histogram (1 ns .. 1 s, 2 significant
 *   figures), so that LATENCY HISTOGRAM buckets and INFO latencystats
 *   percentiles come out as Redis computes them.
 * - LatencyMonitor: the latency monitor's events ("command", "fast-command",
 *   "expire-cycle" ...), each a ring of the worst latency per second,
 *   recorded only when latency-monitor-threshold is set and reached.
 */

/** Histogram range (ns) and precision: Redis's LATENCY_HISTOGRAM_* values. */
const HIST_MIN = 1;
const HIST_MAX = 1_000_000_000;
/** 2 significant figures: 256 sub-buckets, half of them per bucket after the first. */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 255;
/** Buckets needed to reach HIST_MAX with 256 sub-buckets of unit 1. */
const BUCKET_COUNT = 23;
const COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF;

function bucketIndex(v: number): number {
  return 24 - Math.clz32(v | SUB_BUCKET_MASK);
}

function countsIndex(v: number): number {
  const b = bucketIndex(v);
  const sub = v >>> b;
  return ((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (sub - SUB_BUCKET_HALF);
}

/** The lowest value an index of the counts stands for. */
function valueAtIndex(i: number): number {
  let b = (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

function lowestEquivalent(v: number): number {
  const b = bucketIndex(v);
  return (v >>> b) * 2 ** b;
}

function highestEquivalent(v: number): number {
  const b = bucketIndex(v);
  return (v >>> b) * 2 ** b + 2 ** b - 1;
}

/** A command's latency histogram (hdr_histogram layout, nanoseconds). */
export class LatencyHistogram {
  readonly counts = new Float64Array(COUNTS_LEN);
  totalCount = 0;

  /** Records a duration in whole microseconds, clamped to 1 ns .. 1 s as Redis does. */
  recordMicros(micros: number): void {
    let ns = micros * 1000;
    if (ns < HIST_MIN) ns = HIST_MIN;
    else if (ns > HIST_MAX) ns = HIST_MAX;
    this.counts[countsIndex(ns)]++;
    this.totalCount++;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the percentile's. */
  valueAtPercentile(percentile: number): number {
    const p = Math.min(percentile, 100);
    let target = Math.floor((p / 100) * this.totalCount + 0.5);
    if (target < 1) target = 1;
    let seen = 0;
    let value = 0;
    for (let i = 0; i < COUNTS_LEN; i++) {
      seen += this.counts[i];
      if (seen >= target) {
        value = valueAtIndex(i);
        break;
      }
    }
    return percentile === 0 ? lowestEquivalent(value) : highestEquivalent(value);
  }

  /**
   * LATENCY HISTOGRAM's buckets: [usec, cumulative count] at each power of
   * two from 1024 ns that added calls, as hdr's log iterator reports them.
   */
  cumulativeBuckets(): [number, number][] {
    const out: [number, number][] = [];
    let level = 1024;
    let levelLowest = lowestEquivalent(level);
    let index = -1;
    let value = 0;
    let cumulative = 0;
    let previous = 0;
    const hasNext = () => cumulative < this.totalCount;
    for (;;) {
      if (!hasNext() && !(index < COUNTS_LEN && valueAtIndex(index + 1) > levelLowest)) break;
      // Advance to the first index at or past the reporting level.
      let ended = false;
      while (value < levelLowest) {
        index++;
        if (index >= COUNTS_LEN) {
          ended = true;
          break;
        }
        cumulative += this.counts[index];
        value = valueAtIndex(index);
      }
      const micros = Math.floor(highestEquivalent(value) / 1000);
      if (cumulative > previous) out.push([micros, cumulative]);
      previous = cumulative;
      if (ended) break;
      level *= 2;
      levelLowest = lowestEquivalent(level);
    }
    return out;
  }
}

/** Samples kept per event (Redis's LATENCY_TS_LEN). */
const TS_LEN = 160;

/** One latency event's samples: the worst latency (ms) per second. */
export class LatencyTimeSeries {
  /** Unix seconds of each sample (0 = empty slot). */
  readonly times = new Array<number>(TS_LEN).fill(0);
  readonly latencies = new Array<number>(TS_LEN).fill(0);
  /** Next slot to write. */
  idx = 0;
  /** Worst latency ever seen. */
  max = 0;

  /** Samples oldest first, as [unix seconds, ms]. */
  samples(): [number, number][] {
    const out: [number, number][] = [];
    for (let j = 0; j < TS_LEN; j++) {
      const i = (this.idx + j) % TS_LEN;
      if (this.times[i] !== 0) out.push([this.times[i], this.latencies[i]]);
    }
    return out;
  }

  /** The newest sample's slot. */
  get last(): number {
    return (this.idx + TS_LEN - 1) % TS_LEN;
  }
}

/** The latency monitor's events and the latency-tracking switches. */
export class LatencyMonitor {
  /** Events by name, in creation order. */
  readonly events = new Map<string, LatencyTimeSeries>();
  /** latency-monitor-threshold (ms); 0 disables the monitor. */
  threshold = 0;
  /** latency-tracking: per-command histograms on or off. */
  tracking = true;

  /** latencyAddSampleIfNeeded: records `ms` for `event` when the monitor is on and it is reached. */
  addSampleIfNeeded(event: string, ms: number): void {
    if (this.threshold !== 0 && ms >= this.threshold) this.addSample(event, Math.floor(ms));
  }

  /** Records a sample; several in one second keep the worst. */
  addSample(event: string, ms: number, now = Math.floor(Date.now() / 1000)): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new LatencyTimeSeries();
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = ts.last;
    if (ts.times[prev] === now) {
      if (ms > ts.latencies[prev]) ts.latencies[prev] = ms;
      return;
    }
    ts.times[ts.idx] = now;
    ts.latencies[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % TS_LEN;
  }

  /** LATENCY RESET: drops the event (any case) or every event; returns how many. */
  reset(event?: string): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === undefined || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }
}
