import assert from "node:assert/strict";
import { RateMeter } from "../../lib/measure/mod.ts";
import { ratePlan } from "../../lib/replay/plan.ts";
import { ReplayStats } from "../../lib/replay/sender.ts";
import { summarizeReplay } from "../../lib/replay/summary.ts";

/** Stats of a 3-second run at 10 flows/s whose last second lost half its answers. */
function stats(clock: { now: number }): ReplayStats {
  const s = new ReplayStats();
  s.planned = 30;
  s.askedRate = 10;
  s.startedAt = 0;
  s.startedAtEpoch = Date.UTC(2026, 10, 30);
  s.sentRate = new RateMeter({ now: () => clock.now });
  s.answeredRate = new RateMeter({ now: () => clock.now });
  for (const [second, answered] of [[0, 10], [1, 10], [2, 5]]) {
    clock.now = second * 1000 + 500;
    s.sentRate.mark(10);
    s.answeredRate.mark(answered);
    for (let i = 0; i < answered; i++) s.latency.record(second === 2 ? 400 : 4);
  }
  s.sent = 30;
  s.requests = 30;
  s.answered = 25;
  s.failed = 5;
  s.countFailure(new Error("the ML-IDS API failed (HTTP 500)"), 5);
  clock.now = 3000;
  s.finishedAt = 3000;
  return s;
}

Deno.test("summarizeReplay: the documented keys, rates per second and the failures", () => {
  const clock = { now: 0 };
  const result = { stats: stats(clock), alerts: null };
  // The meters keep time after the run: the series stops at its end.
  clock.now = 60_000;
  const summary = summarizeReplay(result, ratePlan(30, 10));
  assert.equal(summary.asked_rate, 10);
  assert.equal(summary.achieved_rate, 8.33);
  assert.equal(summary.duration_s, 3);
  assert.deepEqual(summary.failures, [{ error: "the ML-IDS API failed (HTTP 500)", flows: 5 }]);
  assert.deepEqual(summary.rate_over_time.map((step) => [step.asked, step.sent, step.answered]), [
    [10, 10, 10],
    [10, 10, 10],
    [10, 10, 5],
  ]);
  assert.ok(summary.latency_ms.p50! >= 4 && summary.latency_ms.p50! < 4.01);
  assert.ok(summary.latency_ms.max! >= 400 && summary.latency_ms.max! < 401);
  assert.equal(summary.send_lag_ms.p50, null);
  assert.equal("alerts" in summary, false);
  assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
});
