/**
 * The flows a whole-dataset run takes (evaluate, replay): every flow by default, or the flows of
 * some categories, a stratified sample of up to N flows of every category (so rare attacks are not
 * drowned by Benign), and/or N flows at random; always seeded, always in dataset order.
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  findCategory,
  type FlowPopulation,
  mulberry32,
  samplePositions,
  seedOf,
} from "./selection.ts";

/** Which flows a run takes. */
export interface RunSelectionOptions {
  /** Only flows of these categories (exact names, else unique case-insensitive matches). */
  categories?: readonly string[];
  /** At most this many flows of every category (of those chosen), drawn at random. */
  perCategory?: number;
  /** At most this many flows of what is left, drawn at random. */
  sample?: number;
  /** Seed of the random draws (a number or any text); default a fresh random seed. */
  seed?: number | string;
}

/** The flows a run takes, and how they were chosen. */
export interface RunSelection {
  /** Row positions, ascending (dataset order), without repeats. */
  readonly rows: Uint32Array;
  /** The 32-bit seed of the draws; pass it as `seed` to take the same flows again. */
  readonly seed: number;
  /** The categories chosen from, by their names in the dataset; null for every flow. */
  readonly categories: readonly string[] | null;
  /** Whether any random draw was made (so the seed matters). */
  readonly drawn: boolean;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new UsageError(`${name} must be a whole number of 1 or more, not ${value}`);
  }
}

/** Takes the flows `options` ask for from `population` (see the module doc). */
export function selectRunFlows(
  population: FlowPopulation,
  options: RunSelectionOptions = {},
): RunSelection {
  checkCount("the per-category count", options.perCategory);
  checkCount("the sample size", options.sample);
  const seed = seedOf(options.seed);
  const random = mulberry32(seed);
  // A category named twice (or in two spellings) is taken once.
  const named = options.categories === undefined ? undefined : [
    ...new Map(
      options.categories.map((name) => findCategory(population.labels, name)).map((
        category,
      ) => [category.name, category]),
    ).values(),
  ];
  let drawn = false;
  let parts: Uint32Array[];
  if (options.perCategory !== undefined) {
    const labels = population.labels;
    if (labels === null) {
      throw new UsageError("--per-category needs a dataset with labels", {
        hint: "Use --sample N to draw flows at random instead.",
      });
    }
    const perCategory = options.perCategory;
    parts = (named ?? labels.categories).map((category) => {
      if (category.rows.length <= perCategory) return category.rows;
      drawn = true;
      return samplePositions(category.rows.length, perCategory, random).map((i) =>
        category.rows[i]
      );
    });
  } else if (named !== undefined) {
    parts = named.map((category) => category.rows);
  } else {
    parts = [Uint32Array.from({ length: population.rows }, (_, i) => i)];
  }
  let rows: Uint32Array = new Uint32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    rows.set(part, at);
    at += part.length;
  }
  if (options.sample !== undefined && options.sample < rows.length) {
    drawn = true;
    const source = rows;
    rows = samplePositions(source.length, options.sample, random).map((i) => source[i]);
  }
  rows.sort();
  return {
    rows,
    seed,
    categories: named ? named.map((category) => category.name) : null,
    drawn,
  };
}
