import assert from "node:assert/strict";
import { LatencyHistogram } from "../../lib/measure/mod.ts";

/** The nearest-rank percentile of sorted values: the smallest value with p % of values at or below it. */
function nearestRank(sorted: readonly number[], percentile: number): number {
  // 99.9 % of 20,000 is 19980.000000000004 in floating point: the rank is 19,980.
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length - 1e-9));
  return sorted[rank - 1];
}

/** A seeded generator, so the spread of latencies repeats. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

Deno.test("latency: percentiles agree with the exact nearest rank within the histogram's 0.1 %", () => {
  const random = lcg(7);
  const values: number[] = [];
  const histogram = new LatencyHistogram();
  for (let i = 0; i < 20_000; i++) {
    // A long-tailed spread: mostly 2-20 ms, a few up to seconds.
    const ms = Math.round((2 + 18 * random() + (random() < 0.01 ? 3000 * random() : 0)) * 1000) /
      1000;
    values.push(ms);
    histogram.record(ms);
  }
  values.sort((a, b) => a - b);
  const got = histogram.percentiles();
  const want = {
    p50: nearestRank(values, 50),
    p90: nearestRank(values, 90),
    p99: nearestRank(values, 99),
    p999: nearestRank(values, 99.9),
    max: values[values.length - 1],
  };
  for (const key of ["p50", "p90", "p99", "p999", "max"] as const) {
    const value = got[key];
    assert.ok(value !== null);
    // HDR reports the highest value equivalent to the exact one: never below it, at most 0.1 % above.
    assert.ok(value >= want[key] - 1e-9, `${key}: ${value} < ${want[key]}`);
    assert.ok(value <= want[key] * 1.001 + 0.001, `${key}: ${value} vs ${want[key]}`);
  }
  assert.equal(histogram.count, 20_000);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  assert.ok(Math.abs((histogram.meanMs ?? 0) - mean) / mean < 0.001);
});

Deno.test("latency: an empty histogram has null percentiles and no distribution", () => {
  const histogram = new LatencyHistogram();
  assert.deepEqual(histogram.percentiles(), {
    p50: null,
    p90: null,
    p99: null,
    p999: null,
    max: null,
  });
  assert.equal(histogram.meanMs, null);
  assert.equal(histogram.valueAtPercentile(50), null);
  assert.deepEqual(histogram.distribution(), []);
});

Deno.test("latency: sub-millisecond and very long latencies are kept apart", () => {
  const histogram = new LatencyHistogram();
  histogram.record(0.25);
  histogram.record(0.75);
  histogram.record(2 * 3600 * 1000); // two hours: past the pre-sized range, so it grows
  const p = histogram.percentiles();
  assert.ok(p.p50 !== null && p.p50 >= 0.75 && p.p50 < 0.752, String(p.p50));
  assert.ok(p.max !== null && p.max >= 7_200_000 && p.max <= 7_200_000 * 1.001);
  assert.equal(histogram.valueAtPercentile(0), 0.25);
});

Deno.test("latency: negative, NaN and infinite latencies are refused", () => {
  const histogram = new LatencyHistogram();
  assert.throws(() => histogram.record(-1), RangeError);
  assert.throws(() => histogram.record(NaN), RangeError);
  assert.throws(() => histogram.record(Infinity), RangeError);
  assert.throws(() => histogram.valueAtPercentile(101), RangeError);
  assert.equal(histogram.count, 0);
});

Deno.test("latency: encode and decode keep every count; add merges two runs as one", () => {
  const first = new LatencyHistogram();
  const second = new LatencyHistogram();
  const whole = new LatencyHistogram();
  for (let i = 1; i <= 500; i++) {
    first.record(i / 10);
    whole.record(i / 10);
  }
  for (let i = 501; i <= 1000; i++) {
    second.record(i / 10);
    whole.record(i / 10);
  }
  const restored = LatencyHistogram.decode(first.encode());
  assert.equal(restored.count, 500);
  assert.deepEqual(restored.percentiles(), first.percentiles());
  restored.add(LatencyHistogram.decode(second.encode()));
  assert.equal(restored.count, 1000);
  assert.deepEqual(restored.percentiles(), whole.percentiles());
  assert.throws(() => LatencyHistogram.decode("not a histogram"), RangeError);
});

Deno.test("latency: the distribution rises from the minimum to the maximum", () => {
  const histogram = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) histogram.record(i);
  const points = histogram.distribution();
  assert.equal(points[0].percentile, 0);
  assert.equal(points[points.length - 1].percentile, 100);
  assert.equal(points[0].ms, 1);
  assert.ok(points[points.length - 1].ms >= 1000);
  for (let i = 1; i < points.length; i++) {
    assert.ok(points[i].percentile > points[i - 1].percentile);
    assert.ok(points[i].ms >= points[i - 1].ms);
  }
});
