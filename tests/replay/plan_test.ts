import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { ratePlan, speedPlan } from "../../lib/replay/plan.ts";
import { parseFlowTimestamp } from "../../lib/replay/timestamps.ts";

function timesOf(texts: string[]) {
  const parsed = texts.map((text) => parseFlowTimestamp(text)!);
  return {
    ms: Float64Array.from(parsed, (t) => t.ms),
    resolutionMs: Float64Array.from(parsed, (t) => t.resolutionMs),
  };
}

Deno.test("ratePlan: evenly spaced in the order chosen, every flow once by default", () => {
  const plan = ratePlan(4, 200);
  assert.equal(plan.length, 4);
  assert.deepEqual([0, 1, 2, 3].map((i) => plan.timeAt(i)), [0, 5, 10, 15]);
  assert.deepEqual([0, 1, 2, 3].map((i) => plan.flowAt(i)), [0, 1, 2, 3]);
  assert.equal(plan.askedRate, 200);
  assert.equal(plan.repeats, false);
});

Deno.test("ratePlan: --duration and --count bound it, and a longer plan starts over", () => {
  const timed = ratePlan(1000, 2000, { durationMs: 20_000 });
  assert.equal(timed.length, 40_000);
  assert.ok(timed.timeAt(timed.length - 1) < 20_000);
  assert.equal(timed.repeats, true);
  assert.equal(timed.flowAt(1000), 0);
  assert.equal(timed.flowAt(39_999), 999);
  assert.equal(ratePlan(1000, 3, { durationMs: 1500 }).length, 5);
  assert.equal(ratePlan(10, 50, { count: 7, durationMs: 1000 }).length, 7);
  assert.equal(ratePlan(10, 50, { count: 700, durationMs: 1000 }).length, 50);
  assert.equal(ratePlan(0, 50, { count: 5 }).length, 0);
});

Deno.test("ratePlan and speedPlan: nonsense rates, speeds and bounds are UsageErrors", () => {
  assert.throws(() => ratePlan(5, 0), UsageError);
  assert.throws(() => ratePlan(5, Infinity), UsageError);
  assert.throws(() => ratePlan(5, 10, { count: 0 }), UsageError);
  assert.throws(() => ratePlan(5, 10, { durationMs: -1 }), UsageError);
  assert.throws(() => speedPlan(timesOf([]), 0), UsageError);
});

Deno.test("speedPlan: timestamp order, recorded gaps divided by the speed", () => {
  const plan = speedPlan(
    timesOf(["14/02/2018 08:00:30", "14/02/2018 08:00:00", "14/02/2018 08:01:00"]),
    10,
  );
  assert.deepEqual([0, 1, 2].map((i) => plan.flowAt(i)), [1, 0, 2]);
  assert.deepEqual([0, 1, 2].map((i) => plan.timeAt(i)), [0, 3000, 6000]);
  assert.equal(plan.facts.recordedSpanMs, 60_000);
  assert.equal(plan.facts.sharedTimestamps, 0);
});

Deno.test("speedPlan: the flows of one second are spread evenly across it, ties in the order given", () => {
  const plan = speedPlan(
    timesOf([
      "14/02/2018 08:00:01",
      "14/02/2018 08:00:00",
      "14/02/2018 08:00:01",
      "14/02/2018 08:00:01",
      "14/02/2018 08:00:01",
    ]),
    1,
  );
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => plan.flowAt(i)), [1, 0, 2, 3, 4]);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => plan.timeAt(i)), [0, 1000, 1250, 1500, 1750]);
  assert.equal(plan.facts.sharedTimestamps, 1);
  assert.equal(plan.facts.resolutionMs, 1000);
});

Deno.test("speedPlan: minute timestamps spread across the minute; bounds cut the plan", () => {
  const minutes = speedPlan(timesOf(["3/7/2017 8:55", "3/7/2017 8:55", "3/7/2017 8:56"]), 60);
  assert.deepEqual([0, 1, 2].map((i) => minutes.timeAt(i)), [0, 500, 1000]);
  const times = timesOf(
    Array.from({ length: 60 }, (_, s) => `14/02/2018 08:00:${String(s).padStart(2, "0")}`),
  );
  assert.equal(speedPlan(times, 10, { durationMs: 3000 }).length, 30);
  assert.equal(speedPlan(times, 10, { count: 7 }).length, 7);
  const all = speedPlan(times, 10);
  assert.equal(all.length, 60);
  assert.ok(Math.abs(all.askedRate - 10) < 1e-9);
});
