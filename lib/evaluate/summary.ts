/**
 * An evaluation's outcome as one JSON object for scripts (`--output json`, and the data block of
 * the HTML report): the metrics with snake_case keys that scripts can rely on, ratios as fractions
 * 0..1 and null where there is nothing to divide.
 * @module
 */

import { type EvaluationMetrics, evaluationMetrics } from "./metrics.ts";
import type { EvaluationResult } from "./run.ts";

/** The summary of a run, as {@linkcode evaluationSummary} shapes it. */
export interface EvaluationSummary {
  readonly [key: string]: unknown;
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number | null;
  readonly balanced_accuracy: number | null;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly fpr: number | null;
  readonly f1: number | null;
  readonly mcc: number | null;
  readonly confusion: { tp: number; fp: number; tn: number; fn: number };
  readonly per_category: Record<
    string,
    {
      total: number;
      flagged: number;
      rate: number | null;
      ci_low: number | null;
      ci_high: number | null;
    }
  >;
  readonly latency_ms: {
    p50: number | null;
    p90: number | null;
    p99: number | null;
    p999: number | null;
    max: number | null;
  };
  readonly flows_per_s: number | null;
  readonly requests: number;
  readonly retries: number;
  readonly failed: number;
}

/** Rounds a figure for output: 12 significant digits keep every metric's meaning, not float noise. */
function tidy(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toPrecision(12));
}

/** The JSON summary of `result` (whose `metrics` may be passed when already computed). */
export function evaluationSummary(
  result: EvaluationResult,
  metrics: EvaluationMetrics = evaluationMetrics(result.tally),
): EvaluationSummary {
  const latency = result.latency.percentiles();
  const perCategory: EvaluationSummary["per_category"] = {};
  for (const category of metrics.perCategory) {
    perCategory[category.name] = {
      total: category.total,
      flagged: category.flagged,
      rate: tidy(category.rate),
      ci_low: tidy(category.ciLow),
      ci_high: tidy(category.ciHigh),
    };
  }
  const scores = metrics.scores;
  return {
    total: metrics.total,
    correct: metrics.correct,
    accuracy: tidy(metrics.accuracy),
    balanced_accuracy: tidy(metrics.balancedAccuracy),
    precision: tidy(metrics.precision),
    recall: tidy(metrics.recall),
    fpr: tidy(metrics.fpr),
    f1: tidy(metrics.f1),
    mcc: tidy(metrics.mcc),
    confusion: { ...metrics.confusion },
    per_category: perCategory,
    auc: tidy(scores?.auc ?? null),
    average_precision: tidy(scores?.averagePrecision ?? null),
    thresholds: scores === null ? null : {
      best_f1: scores.thresholds.bestF1 === null ? null : {
        threshold: scores.thresholds.bestF1.threshold,
        f1: tidy(scores.thresholds.bestF1.f1),
        precision: tidy(scores.thresholds.bestF1.precision),
        recall: tidy(scores.thresholds.bestF1.recall),
      },
      at_fpr: scores.thresholds.atFpr.map((point) => ({
        target_fpr: point.targetFpr,
        threshold: point.threshold,
        recall: tidy(point.tpr),
        fpr: tidy(point.fpr),
      })),
      exact: scores.exact,
    },
    latency_ms: {
      p50: tidy(latency.p50),
      p90: tidy(latency.p90),
      p99: tidy(latency.p99),
      p999: tidy(latency.p999),
      max: tidy(latency.max),
    },
    flows_per_s: result.elapsed > 0 ? tidy(result.tally.flows / result.elapsed) : null,
    requests: result.requests,
    retries: result.retries,
    failed: result.failed,
    selected: result.plan.selected,
    answered: result.tally.flows,
    unlabelled: result.tally.unlabelled,
    complete: result.complete,
    threshold: result.plan.threshold,
    seed: result.plan.selection.seed,
    elapsed_s: tidy(result.elapsed),
    dataset: result.plan.dataset.uri,
    api_url: result.plan.apiUrl,
    state: result.statePath,
  };
}
