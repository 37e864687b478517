/**
 * What an evaluation has counted so far, kept small whatever the number of flows: the confusion
 * matrix (Attack = positive), flows and detections per category, and how many attacks and benign
 * flows got each distinct raw prediction (for ROC and precision-recall curves). A batch's counts
 * are plain JSON, so a checkpoint stores them and a resumed run adds them up again to the same totals.
 * @module
 */

import { BENIGN_LABEL, type Confusion } from "../predict/mod.ts";

/** The counts of one batch of answered flows, as stored in a checkpoint. */
export interface BatchTally {
  /** Flows answered. */
  readonly flows: number;
  /** Answered flows without a label (not scored). */
  readonly unlabelled: number;
  /** [tp, fp, tn, fn]. */
  readonly confusion: readonly [number, number, number, number];
  /** Per category: [flows, flagged as attack]. */
  readonly categories: Readonly<Record<string, readonly [number, number]>>;
  /** Per distinct raw prediction: [raw, attacks, benign flows]. */
  readonly scores: readonly (readonly [number, number, number])[];
}

/** Flows of one category and how many of them the API flagged as attack. */
export interface CategoryTally {
  readonly name: string;
  readonly total: number;
  readonly flagged: number;
}

/** Attacks and benign flows that got one raw prediction. */
export interface ScoreCount {
  readonly score: number;
  readonly attacks: number;
  readonly benign: number;
}

/** Distinct raw predictions kept exactly; past this, scores are rounded (see {@linkcode Tally}). */
export const MAX_DISTINCT_SCORES = 65_536;

/** The counts of one batch: `labels` (null: unlabelled) and the raw predictions, at `threshold`. */
export function tallyBatch(
  labels: readonly (string | null)[],
  raw: ArrayLike<number>,
  threshold: number,
): BatchTally {
  if (labels.length !== raw.length) {
    throw new RangeError(`${labels.length} labels for ${raw.length} predictions`);
  }
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let unlabelled = 0;
  const categories: Record<string, [number, number]> = {};
  const scores = new Map<number, [number, number]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    const score = raw[i];
    if (label === null) {
      unlabelled++;
      continue;
    }
    const isAttack = label !== BENIGN_LABEL;
    const saysAttack = score >= threshold;
    if (isAttack) saysAttack ? tp++ : fn++;
    else saysAttack ? fp++ : tn++;
    const category = categories[label] ??= [0, 0];
    category[0]++;
    if (saysAttack) category[1]++;
    let count = scores.get(score);
    if (count === undefined) {
      count = [0, 0];
      scores.set(score, count);
    }
    count[isAttack ? 0 : 1]++;
  }
  return {
    flows: labels.length,
    unlabelled,
    confusion: [tp, fp, tn, fn],
    categories,
    scores: [...scores].map(([score, [attacks, benign]]) => [score, attacks, benign] as const),
  };
}

/**
 * The running counts of an evaluation. Raw predictions are counted per distinct value while there
 * are at most {@linkcode MAX_DISTINCT_SCORES} of them (so curves and AUC are exact); past that they
 * are rounded to a binary grid (2^-16, then coarser as needed) and {@linkcode Tally.scoresExact}
 * turns false.
 */
export class Tally {
  #flows = 0;
  #unlabelled = 0;
  #batches = 0;
  readonly #confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  readonly #categories = new Map<string, { total: number; flagged: number }>();
  #scores = new Map<number, { attacks: number; benign: number }>();
  /** Scores are rounded to multiples of 2^-#grid once there are too many; Infinity: exact. */
  #grid = Infinity;

  /** Adds a batch's counts. */
  add(batch: BatchTally): void {
    this.#batches++;
    this.#flows += batch.flows;
    this.#unlabelled += batch.unlabelled;
    const [tp, fp, tn, fn] = batch.confusion;
    this.#confusion.tp += tp;
    this.#confusion.fp += fp;
    this.#confusion.tn += tn;
    this.#confusion.fn += fn;
    for (const [name, [total, flagged]] of Object.entries(batch.categories)) {
      let category = this.#categories.get(name);
      if (!category) {
        category = { total: 0, flagged: 0 };
        this.#categories.set(name, category);
      }
      category.total += total;
      category.flagged += flagged;
    }
    for (const [score, attacks, benign] of batch.scores) this.#count(score, attacks, benign);
    while (this.#scores.size > MAX_DISTINCT_SCORES) this.#coarsen();
  }

  /** Batches added. */
  get batches(): number {
    return this.#batches;
  }

  /** Flows answered, labelled or not. */
  get flows(): number {
    return this.#flows;
  }

  /** Answered flows without a label. */
  get unlabelled(): number {
    return this.#unlabelled;
  }

  /** The confusion matrix of the scored flows (a copy). */
  get confusion(): Confusion {
    return { ...this.#confusion };
  }

  /** Per category, most flows first (ties by name). */
  categories(): CategoryTally[] {
    return [...this.#categories]
      .map(([name, { total, flagged }]) => ({ name, total, flagged }))
      .sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Per distinct raw prediction, highest first. */
  scores(): ScoreCount[] {
    return [...this.#scores]
      .map(([score, { attacks, benign }]) => ({ score, attacks, benign }))
      .sort((a, b) => b.score - a.score);
  }

  /** Whether every distinct raw prediction was kept as it came (not rounded). */
  get scoresExact(): boolean {
    return this.#grid === Infinity;
  }

  /** Whether the API answered only 0 and 1 (labels, not scores). */
  get binaryAnswers(): boolean {
    for (const score of this.#scores.keys()) if (score !== 0 && score !== 1) return false;
    return true;
  }

  #count(score: number, attacks: number, benign: number): void {
    const key = this.#grid === Infinity
      ? score
      : Math.round(score * 2 ** this.#grid) / 2 ** this.#grid;
    const count = this.#scores.get(key);
    if (count) {
      count.attacks += attacks;
      count.benign += benign;
    } else {
      this.#scores.set(key, { attacks, benign });
    }
  }

  #coarsen(): void {
    this.#grid = this.#grid === Infinity ? 16 : this.#grid - 1;
    const old = this.#scores;
    this.#scores = new Map();
    for (const [score, { attacks, benign }] of old) this.#count(score, attacks, benign);
  }
}
