/**
 * Scoring predictions against the true labels: one rule (raw >= threshold is Attack) for both what
 * is shown and what is scored, accuracy, the confusion matrix with Attack as positive, precision,
 * recall, F1 and per-category counts. Failed flows (NaN) and unlabelled flows are not scored.
 * @module
 */

import { UsageError } from "../errors.ts";

/** What the model said about a flow, after the threshold. */
export type PredictedLabel = "Benign" | "Attack";

/** The label of benign traffic; every other label is an attack. */
export const BENIGN_LABEL = "Benign";

/** The default threshold: a raw prediction of 0.5 or more is an attack. */
export const DEFAULT_THRESHOLD = 0.5;

/** Options of {@linkcode scorePredictions}. */
export interface ScoreOptions {
  /** A raw prediction at or above this is Attack; 0..1, default 0.5. */
  threshold?: number;
}

/** The confusion matrix, Attack being the positive class. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Flows of one category and how many of them were predicted right. */
export interface CategoryScore {
  readonly name: string;
  readonly total: number;
  readonly correct: number;
}

/** Per-flow verdicts and the metrics over the scored flows. */
export interface PredictionScores {
  /** Attack/Benign per flow; null where the prediction failed. */
  readonly predicted: readonly (PredictedLabel | null)[];
  /** Whether each flow was predicted right; null where it failed or has no label. */
  readonly isCorrect: readonly (boolean | null)[];
  /** Every flow given. */
  readonly flows: number;
  /** Flows whose prediction failed (NaN); not scored. */
  readonly failed: number;
  /** Flows with a prediction but no label; not scored. */
  readonly unlabelled: number;
  /** Flows scored: labelled and predicted. */
  readonly total: number;
  readonly correct: number;
  /** correct / total as a fraction 0..1, or null when nothing was scored. */
  readonly accuracy: number | null;
  readonly confusion: Confusion;
  /** tp / (tp + fp); null when nothing was predicted Attack (0/0). */
  readonly precision: number | null;
  /** tp / (tp + fn); null when no scored flow is an attack (0/0). */
  readonly recall: number | null;
  /** Harmonic mean of precision and recall; null when either is null or both are 0. */
  readonly f1: number | null;
  /** Scored flows per category, most flows first (ties in order of first appearance). */
  readonly perCategory: readonly CategoryScore[];
  readonly threshold: number;
}

/** Reads a threshold, throwing UsageError unless it is a number from 0 to 1. */
export function checkThreshold(threshold: number): number {
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new UsageError(`the threshold must be a number from 0 to 1, not ${threshold}`);
  }
  return threshold;
}

/** Attack when `raw >= threshold`, Benign below it, null when `raw` is NaN (a failed prediction). */
export function predictedLabelOf(
  raw: number,
  threshold = DEFAULT_THRESHOLD,
): PredictedLabel | null {
  if (Number.isNaN(raw)) return null;
  return raw >= threshold ? "Attack" : "Benign";
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Scores raw predictions against `labels` (null for an unlabelled flow), flow by flow. */
export function scorePredictions(
  labels: readonly (string | null)[],
  raw: ArrayLike<number>,
  options: ScoreOptions = {},
): PredictionScores {
  if (labels.length !== raw.length) {
    throw new RangeError(`${labels.length} labels for ${raw.length} predictions`);
  }
  const threshold = checkThreshold(options.threshold ?? DEFAULT_THRESHOLD);
  const predicted: (PredictedLabel | null)[] = new Array(labels.length);
  const isCorrect: (boolean | null)[] = new Array(labels.length);
  const confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const categories = new Map<string, { total: number; correct: number; first: number }>();
  let failed = 0;
  let unlabelled = 0;
  for (let i = 0; i < labels.length; i++) {
    const verdict = predictedLabelOf(raw[i], threshold);
    predicted[i] = verdict;
    const label = labels[i];
    if (verdict === null) {
      failed++;
      isCorrect[i] = null;
      continue;
    }
    if (label === null) {
      unlabelled++;
      isCorrect[i] = null;
      continue;
    }
    const isAttack = label !== BENIGN_LABEL;
    const saysAttack = verdict === "Attack";
    const correct = isAttack === saysAttack;
    isCorrect[i] = correct;
    if (isAttack) saysAttack ? confusion.tp++ : confusion.fn++;
    else saysAttack ? confusion.fp++ : confusion.tn++;
    let category = categories.get(label);
    if (!category) {
      category = { total: 0, correct: 0, first: i };
      categories.set(label, category);
    }
    category.total++;
    if (correct) category.correct++;
  }
  const total = confusion.tp + confusion.fp + confusion.tn + confusion.fn;
  const correct = confusion.tp + confusion.tn;
  const precision = ratio(confusion.tp, confusion.tp + confusion.fp);
  const recall = ratio(confusion.tp, confusion.tp + confusion.fn);
  const f1 = precision === null || recall === null || precision + recall === 0
    ? null
    : (2 * precision * recall) / (precision + recall);
  const perCategory = [...categories.entries()]
    .sort(([, a], [, b]) => b.total - a.total || a.first - b.first)
    .map(([name, { total, correct }]) => ({ name, total, correct }));
  return {
    predicted,
    isCorrect,
    flows: labels.length,
    failed,
    unlabelled,
    total,
    correct,
    accuracy: ratio(correct, total),
    confusion,
    precision,
    recall,
    f1,
    perCategory,
    threshold,
  };
}
