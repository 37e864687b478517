/**
 * Choosing flows: a traffic category or the whole dataset, a count drawn at random without
 * replacement (as pandas `sample(n)`) from a seeded generator so a seed repeats a pick, or all of
 * them in dataset order.
 * @module
 */

import { InputError, UsageError } from "../errors.ts";
import type { LabelIndex } from "./flow_dataset.ts";

/** What to choose flows from: the number of rows and the label index (null when unlabelled). */
export interface FlowPopulation {
  readonly rows: number;
  readonly labels: LabelIndex | null;
}

/** How to choose flows. */
export interface SelectionOptions {
  /** A category name (exact, else a unique case-insensitive match); omit for all flows at random. */
  category?: string;
  /**
   * How many flows, drawn at random; or `all`, every flow in dataset order. A count above what
   * exists gives what exists (in random order) and a shortfall.
   */
  count: number | "all";
  /** Seed for repeatable picks (a number or any text); default a fresh random seed. */
  seed?: number | string;
}

/** The chosen flows. */
export interface FlowSelection {
  /** Row positions (0-based, not the pandas index): in the order drawn, or ascending for `all`. */
  readonly rows: Uint32Array;
  /** The category chosen from, or null for a pick from every flow. */
  readonly category: string | null;
  /** The 32-bit seed the pick was drawn with; pass it as `seed` to draw the same flows again. */
  readonly seed: number;
  /** Set when fewer flows exist than were asked for. */
  readonly shortfall: { readonly requested: number; readonly available: number } | null;
}

/** Chooses flows from `population` by category or at random, without replacement and repeatably; `all` in dataset order. */
export function selectFlows(population: FlowPopulation, options: SelectionOptions): FlowSelection {
  const count = options.count;
  if (count !== "all" && (!Number.isInteger(count) || count <= 0)) {
    throw new UsageError(`the count must be a whole number of 1 or more, not ${count}`, {
      hint: "Ask for 1 or more flows, or 'all'.",
    });
  }
  const seed = seedOf(options.seed);
  let source: Uint32Array | null = null;
  let available = population.rows;
  let category: string | null = null;
  if (options.category !== undefined) {
    const found = findCategory(population.labels, options.category);
    source = found.rows;
    available = found.rows.length;
    category = found.name;
  }
  let rows: Uint32Array;
  if (count === "all") {
    // Every flow keeps dataset order, as the category's rows (ascending) or the whole dataset.
    rows = source ? source.slice() : Uint32Array.from({ length: available }, (_, i) => i);
  } else {
    const picks = samplePositions(available, Math.min(count, available), mulberry32(seed));
    rows = source ? picks.map((i) => source[i]) : picks;
  }
  const shortfall = count !== "all" && count > available ? { requested: count, available } : null;
  return { rows, category, seed, shortfall };
}

/** The category named `name`: an exact match, else the only case-insensitive one; InputError otherwise. */
export function findCategory(
  labels: LabelIndex | null,
  name: string,
): { name: string; rows: Uint32Array } {
  if (labels === null) {
    throw new InputError(`the dataset has no labels, so there is no category '${name}'`, {
      hint: "Choose flows at random instead (--random).",
    });
  }
  const exact = labels.categories.find((category) => category.name === name);
  if (exact) return exact;
  const lower = name.trim().toLowerCase();
  const loose = labels.categories.filter((category) => category.name.toLowerCase() === lower);
  if (loose.length === 1) return loose[0];
  const known = labels.categories.map((category) => `'${category.name}'`).join(", ");
  throw new InputError(`the dataset has no category '${name}'`, {
    hint: known === "" ? "It has no labelled flows." : `Known categories: ${known}.`,
  });
}

/** A 32-bit seed from a number or text; a fresh random one when `seed` is undefined. */
export function seedOf(seed: number | string | undefined): number {
  if (seed === undefined) return crypto.getRandomValues(new Uint32Array(1))[0];
  if (typeof seed === "number" && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff) {
    return seed;
  }
  const text = String(seed).trim();
  if (/^\d+$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  // FNV-1a, so any text names a repeatable seed.
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** mulberry32: a small, fast, seeded generator of floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `take` distinct positions of 0..n-1 in random order: a Fisher-Yates shuffle stopped after
 * `take` steps, over a sparse map when `take` is small so 1.6 million rows cost nothing.
 */
export function samplePositions(n: number, take: number, random: () => number): Uint32Array {
  const out = new Uint32Array(take);
  if (take * 4 >= n) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (n - i));
      const swap = all[i];
      all[i] = all[j];
      all[j] = swap;
      out[i] = all[i];
    }
    return out;
  }
  const moved = new Map<number, number>();
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (n - i));
    const atJ = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out[i] = atJ;
  }
  return out;
}
