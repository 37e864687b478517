/**
 * A finished replay as one plain object (`--output json`, the report's numbers): rates, counts,
 * latency and send-lag percentiles, the rate over time, and the alert matching.
 * @module
 */

import type { LatencyHistogram, RatePoint } from "../measure/mod.ts";
import type { SendPlan } from "./plan.ts";
import type { ReplayResult } from "./run.ts";

/** Percentiles in ms (null when nothing was measured). */
export interface PercentilesMs {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
}

/** One step of the rate over time: flows due, sent and answered in `seconds` from `start_s`. */
export interface RateStep {
  readonly start_s: number;
  readonly seconds: number;
  readonly asked: number;
  readonly sent: number;
  readonly answered: number;
}

/** The alert side of a summary. */
export interface AlertSummary {
  readonly expected: number;
  readonly matched: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly duplicates: number;
  /** The unexpected ones by kind: no flow sent, a flow answered benign, a flow without an answer. */
  readonly unexpected_by_kind: {
    readonly no_flow: number;
    readonly benign: number;
    readonly unanswered: number;
  };
  /** Notifications sent before the run started (left in the queue). */
  readonly stale: number;
  readonly received: number;
  readonly malformed: number;
  readonly deleted: number;
  /** Whether the wait for alerts ran out with some still missing. */
  readonly timed_out: boolean;
  readonly time_to_alert_ms: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly max: number | null;
  };
}

/** A replay's summary (the documented `--output json` object). */
export interface ReplaySummary {
  readonly asked_rate: number;
  readonly achieved_rate: number;
  readonly planned: number;
  readonly sent: number;
  readonly requests: number;
  readonly answered: number;
  readonly attacks: number;
  readonly failed: number;
  readonly cancelled: number;
  readonly late: number;
  readonly dropped: number;
  readonly duration_s: number;
  readonly max_in_flight: number;
  readonly latency_ms: PercentilesMs;
  readonly send_lag_ms: PercentilesMs;
  readonly failures: readonly { readonly error: string; readonly flows: number }[];
  readonly rate_over_time: readonly RateStep[];
  readonly alerts?: AlertSummary;
}

function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** p50/p90/p99/p99.9/max of `histogram`, rounded to the microsecond. */
export function percentilesOf(histogram: LatencyHistogram): PercentilesMs {
  const p = histogram.percentiles();
  return {
    p50: round(p.p50),
    p90: round(p.p90),
    p99: round(p.p99),
    p999: round(p.p999),
    max: round(p.max),
  };
}

/** The first send due at or after `ms` (the plan's times never decrease). */
function firstDueAt(plan: SendPlan, ms: number): number {
  let low = 0;
  let high = plan.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (plan.timeAt(mid) < ms) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Asked, sent and answered flows per step of the answered meter's series, up to `endMs` (the
 * meters keep time after the run; their steps may have merged at different moments, so sent
 * counts are placed by time).
 */
function rateSteps(
  plan: SendPlan,
  sent: readonly RatePoint[],
  answered: readonly RatePoint[],
  endMs: number,
): RateStep[] {
  const base = answered.length >= sent.length ? answered : sent;
  const out: RateStep[] = [];
  for (const step of base) {
    const startMs = step.start * 1000;
    if (startMs >= endMs && out.length > 0) break;
    const stepEndMs = startMs + step.seconds * 1000;
    let sentCount = 0;
    for (const point of sent) {
      const at = point.start * 1000;
      if (at >= startMs && at < stepEndMs) sentCount += point.count;
    }
    const answeredCount = base === answered
      ? step.count
      : answered.filter((point) => point.start * 1000 >= startMs && point.start * 1000 < stepEndMs)
        .reduce((sum, point) => sum + point.count, 0);
    out.push({
      start_s: round(step.start, 3)!,
      seconds: round(step.seconds, 3)!,
      asked: firstDueAt(plan, stepEndMs) - firstDueAt(plan, startMs),
      sent: sentCount,
      answered: answeredCount,
    });
  }
  return out;
}

/** The summary of a finished replay of `plan`. */
export function summarizeReplay(result: ReplayResult, plan: SendPlan): ReplaySummary {
  const { stats, alerts } = result;
  const summary: ReplaySummary = {
    asked_rate: round(stats.askedRate, 2)!,
    achieved_rate: round(stats.achievedRate(), 2)!,
    planned: stats.planned,
    sent: stats.sent,
    requests: stats.requests,
    answered: stats.answered,
    attacks: stats.attacks,
    failed: stats.failed,
    cancelled: stats.cancelled,
    late: stats.late,
    dropped: stats.dropped,
    duration_s: round(stats.elapsedSeconds(), 3)!,
    max_in_flight: stats.maxInFlightSeen,
    latency_ms: percentilesOf(stats.latency),
    send_lag_ms: percentilesOf(stats.sendLag),
    failures: stats.failures.map((failure) => ({ error: failure.message, flows: failure.flows })),
    rate_over_time: stats.running
      ? rateSteps(
        plan,
        stats.sentRate.series(),
        stats.answeredRate.series(),
        stats.elapsedSeconds() * 1000,
      )
      : [],
  };
  if (alerts === null) return summary;
  const c = alerts.counts;
  const tta = percentilesOf(alerts.timeToAlert);
  return {
    ...summary,
    alerts: {
      expected: c.expected,
      matched: c.matched,
      missing: c.missing,
      unexpected: c.unexpected,
      duplicates: c.duplicates,
      unexpected_by_kind: {
        no_flow: c.unexpectedUnknown,
        benign: c.unexpectedBenign,
        unanswered: c.unexpectedUnanswered,
      },
      stale: c.stale,
      received: alerts.received,
      malformed: alerts.malformed,
      deleted: alerts.deleted,
      timed_out: alerts.timedOut,
      time_to_alert_ms: { p50: tta.p50, p90: tta.p90, p99: tta.p99, max: tta.max },
    },
  };
}
