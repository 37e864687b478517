/**
 * Every metric an IDS paper reports, from an evaluation's counts: accuracy, balanced accuracy,
 * precision, recall (detection rate), false-positive rate, F1 and MCC; per category the rate of
 * flows flagged as attack with a 95 % Wilson interval; and when the API answered scores, the ROC
 * and precision-recall curves with AUC and average precision (as scikit-learn computes them) and
 * the thresholds worth knowing. A ratio with nothing to divide is null.
 * @module
 */

import type { Confusion } from "../predict/mod.ts";
import type { ScoreCount, Tally } from "./tally.ts";

/** z for a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

/** A proportion's confidence interval. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The Wilson score interval of `successes` of `trials` (95 % by default); null for no trials. */
export function wilsonInterval(successes: number, trials: number, z = Z95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The flows of one category, how many were flagged as attack, and the rate with its interval. */
export interface CategoryMetrics {
  readonly name: string;
  readonly total: number;
  readonly flagged: number;
  /** flagged / total (for an attack its detection rate, for Benign its false-alarm rate). */
  readonly rate: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
}

/** One point of a ROC curve: at `threshold` (raw >= threshold is Attack) these rates. */
export interface RocPoint {
  readonly threshold: number;
  readonly fpr: number;
  readonly tpr: number;
}

/** One point of a precision-recall curve. */
export interface PrPoint {
  readonly threshold: number;
  readonly recall: number;
  readonly precision: number;
}

/** The threshold with the best F1, and the detection rate reachable under a false-positive rate. */
export interface ThresholdTable {
  readonly bestF1: {
    readonly threshold: number;
    readonly f1: number;
    readonly precision: number;
    readonly recall: number;
  } | null;
  /** For each target FPR (1 %, 0.1 %): the lowest threshold keeping FPR at or under it. */
  readonly atFpr: readonly {
    readonly targetFpr: number;
    /** null when no threshold keeps the FPR that low with anything flagged. */
    readonly threshold: number | null;
    readonly tpr: number;
    readonly fpr: number;
  }[];
}

/** Curves and figures of the raw scores; only when the API answered more than 0 and 1. */
export interface ScoreMetrics {
  /** Area under the ROC curve; null without both attacks and benign flows. */
  readonly auc: number | null;
  /** Average precision (scikit-learn's, no interpolation); null without attacks. */
  readonly averagePrecision: number | null;
  /** From (0, 0) at an infinite threshold to (1, 1), one point per distinct score. */
  readonly roc: readonly RocPoint[];
  /** One point per distinct score, highest threshold first. */
  readonly pr: readonly PrPoint[];
  readonly thresholds: ThresholdTable;
  /** False when there were too many distinct scores to keep and they were rounded. */
  readonly exact: boolean;
}

/** The metrics of an evaluation. */
export interface EvaluationMetrics {
  /** Labelled flows scored. */
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number | null;
  /** Mean of the recall of each class present (as scikit-learn's balanced_accuracy_score). */
  readonly balancedAccuracy: number | null;
  readonly precision: number | null;
  /** Detection rate: tp / (tp + fn). */
  readonly recall: number | null;
  /** False-positive rate: fp / (fp + tn). */
  readonly fpr: number | null;
  /** 2tp / (2tp + fp + fn). */
  readonly f1: number | null;
  /** Matthews correlation coefficient; null when a row or column of the matrix is empty. */
  readonly mcc: number | null;
  readonly confusion: Confusion;
  readonly perCategory: readonly CategoryMetrics[];
  /** Null when the API answered only 0 and 1. */
  readonly scores: ScoreMetrics | null;
}

/** FPR targets of the threshold table. */
const FPR_TARGETS = [0.01, 0.001];

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** The classification metrics of a confusion matrix (Attack = positive). */
export function confusionMetrics(
  confusion: Confusion,
): Omit<EvaluationMetrics, "perCategory" | "scores" | "confusion"> {
  const { tp, fp, tn, fn } = confusion;
  const total = tp + fp + tn + fn;
  const recall = ratio(tp, tp + fn);
  const specificity = ratio(tn, tn + fp);
  const present = [recall, specificity].filter((value): value is number => value !== null);
  const mccDenominator = Math.sqrt(tp + fp) * Math.sqrt(tp + fn) * Math.sqrt(tn + fp) *
    Math.sqrt(tn + fn);
  return {
    total,
    correct: tp + tn,
    accuracy: ratio(tp + tn, total),
    balancedAccuracy: present.length === 0
      ? null
      : present.reduce((sum, value) => sum + value, 0) / present.length,
    precision: ratio(tp, tp + fp),
    recall,
    fpr: ratio(fp, fp + tn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    // Each factor is rooted on its own: their product can pass 2^53 on big test sets.
    mcc: mccDenominator === 0 ? null : (tp * tn - fp * fn) / mccDenominator,
  };
}

/** ROC and precision-recall curves, AUC, average precision and thresholds of score counts. */
export function scoreMetrics(counts: readonly ScoreCount[], exact = true): ScoreMetrics {
  const sorted = [...counts].sort((a, b) => b.score - a.score);
  const positives = sorted.reduce((sum, count) => sum + count.attacks, 0);
  const negatives = sorted.reduce((sum, count) => sum + count.benign, 0);
  const roc: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  const pr: PrPoint[] = [];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let averagePrecision = 0;
  let previousRecall = 0;
  let bestF1: ThresholdTable["bestF1"] = null;
  const atFpr = FPR_TARGETS.map((targetFpr) => ({
    targetFpr,
    threshold: null as number | null,
    tpr: 0,
    fpr: 0,
  }));
  for (const count of sorted) {
    const previousTpr = positives ? tp / positives : 0;
    const previousFpr = negatives ? fp / negatives : 0;
    tp += count.attacks;
    fp += count.benign;
    const tpr = positives ? tp / positives : 0;
    const fpr = negatives ? fp / negatives : 0;
    roc.push({ threshold: count.score, fpr, tpr });
    // Trapezoids: tied scores move along the diagonal of their step, as scikit-learn counts them.
    auc += (fpr - previousFpr) * (tpr + previousTpr) / 2;
    const precision = tp / (tp + fp);
    pr.push({ threshold: count.score, recall: tpr, precision });
    averagePrecision += (tpr - previousRecall) * precision;
    previousRecall = tpr;
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (positives > 0 && (bestF1 === null || f1 > bestF1.f1)) {
      bestF1 = { threshold: count.score, f1, precision, recall: tpr };
    }
    for (const target of atFpr) {
      if (negatives > 0 && fpr <= target.targetFpr + 1e-15) {
        target.threshold = count.score;
        target.tpr = tpr;
        target.fpr = fpr;
      }
    }
  }
  const both = positives > 0 && negatives > 0;
  return {
    auc: both ? auc : null,
    averagePrecision: positives > 0 ? averagePrecision : null,
    roc,
    pr,
    thresholds: { bestF1, atFpr },
    exact,
  };
}

/** Every metric of an evaluation's counts. */
export function evaluationMetrics(tally: Tally): EvaluationMetrics {
  const confusion = tally.confusion;
  const perCategory = tally.categories().map((category): CategoryMetrics => {
    const interval = wilsonInterval(category.flagged, category.total);
    return {
      name: category.name,
      total: category.total,
      flagged: category.flagged,
      rate: ratio(category.flagged, category.total),
      ciLow: interval?.low ?? null,
      ciHigh: interval?.high ?? null,
    };
  });
  const counts = tally.scores();
  return {
    ...confusionMetrics(confusion),
    confusion,
    perCategory,
    scores: counts.length === 0 || tally.binaryAnswers
      ? null
      : scoreMetrics(counts, tally.scoresExact),
  };
}
