import assert from "node:assert/strict";
import { RateMeter } from "../../lib/measure/mod.ts";

Deno.test("rate: the overall rate is events over elapsed seconds; null before time passes", () => {
  let clock = 1000;
  const meter = new RateMeter({ now: () => clock });
  assert.equal(meter.rate(), null);
  assert.equal(meter.recentRate(), null);
  meter.mark(300);
  clock += 1500;
  meter.mark();
  assert.equal(meter.total, 301);
  assert.equal(meter.elapsedSeconds(), 1.5);
  assert.ok(Math.abs((meter.rate() ?? 0) - 301 / 1.5) < 1e-9);
});

Deno.test("rate: the recent rate follows the last window, not the whole run", () => {
  let clock = 0;
  const meter = new RateMeter({ now: () => clock, windowMs: 1000 });
  // 10 s at 100 events/s, then 2 s at 1000 events/s, marked every 10 ms.
  for (let t = 0; t < 10_000; t += 10) {
    clock = t;
    meter.mark(1);
  }
  for (let t = 10_000; t < 12_000; t += 10) {
    clock = t;
    meter.mark(10);
  }
  clock = 12_000;
  const recent = meter.recentRate() ?? 0;
  assert.ok(recent > 900 && recent <= 1000, `recent ${recent}`);
  const overall = meter.rate() ?? 0;
  assert.ok(Math.abs(overall - 3_000 / 12) < 1e-6, `overall ${overall}`);
  // A quiet spell empties the window.
  clock = 20_000;
  assert.equal(meter.recentRate(), 0);
});

Deno.test("rate: the series has one step per second with the counts marked in it", () => {
  let clock = 0;
  const meter = new RateMeter({ now: () => clock });
  meter.mark(5);
  clock = 1500;
  meter.mark(7);
  clock = 3500;
  const series = meter.series();
  assert.deepEqual(series.map((point) => point.start), [0, 1, 2, 3]);
  assert.deepEqual(series.map((point) => point.count), [5, 7, 0, 0]);
  assert.equal(series[3].seconds, 0.5);
  assert.equal(series[0].perSecond, 5);
});

Deno.test("rate: a long run keeps at most maxSteps steps, merging old ones, and loses no event", () => {
  let clock = 0;
  const meter = new RateMeter({ now: () => clock, stepMs: 10, maxSteps: 8 });
  for (let t = 0; t < 1000; t += 5) {
    clock = t;
    meter.mark(2);
  }
  const series = meter.series();
  assert.ok(series.length <= 8, `${series.length} steps`);
  assert.equal(series.reduce((sum, point) => sum + point.count, 0), 400);
  assert.equal(meter.total, 400);
  assert.ok(series[0].seconds >= 0.08);
});

Deno.test("rate: bad counts and options are refused", () => {
  const meter = new RateMeter();
  assert.throws(() => meter.mark(-1), RangeError);
  assert.throws(() => meter.mark(NaN), RangeError);
  assert.throws(() => new RateMeter({ maxSteps: 1 }), RangeError);
  assert.throws(() => new RateMeter({ windowMs: 0 }), RangeError);
});
