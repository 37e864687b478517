/**
 * The send plan of a replay: which flow goes out when. `--rate R` spaces flows 1/R s apart in the
 * order chosen; `--speed X` keeps the recorded gaps between flow timestamps, divided by X, in
 * timestamp order. CICFlowMeter timestamps have whole seconds (some datasets whole minutes), so
 * the flows of one second are spread evenly across that second instead of leaving in a burst.
 * @module
 */

import { UsageError } from "../errors.ts";
import type { FlowTimes } from "./timestamps.ts";

/** When each send is due and which chosen flow it carries. */
export interface SendPlan {
  /** Sends planned. */
  readonly length: number;
  /** The chosen flow (0-based index into the chosen flows) that send `i` carries. */
  flowAt(i: number): number;
  /** When send `i` is due, in ms after the start; never decreasing. */
  timeAt(i: number): number;
  /** The flows per second asked for: R for `--rate`, the plan's average for `--speed`. */
  readonly askedRate: number;
  /** Whether some chosen flows are sent more than once (a rate plan longer than the flows). */
  readonly repeats: boolean;
}

/** Bounds of a plan: at most `count` sends, and none due at or after `durationMs`. */
export interface PlanBounds {
  count?: number;
  durationMs?: number;
}

function checkBounds(bounds: PlanBounds): void {
  if (bounds.count !== undefined && (!Number.isInteger(bounds.count) || bounds.count < 1)) {
    throw new UsageError(`the count must be a whole number of 1 or more, not ${bounds.count}`);
  }
  if (bounds.durationMs !== undefined && !(bounds.durationMs > 0)) {
    throw new UsageError(`the duration must be above 0, not ${bounds.durationMs} ms`);
  }
}

/**
 * `rate` flows per second, evenly spaced, in the order of the `flows` chosen. Without bounds every
 * flow goes once; a count or duration beyond them starts over from the first flow.
 */
export function ratePlan(flows: number, rate: number, bounds: PlanBounds = {}): SendPlan {
  if (!(rate > 0) || !Number.isFinite(rate)) {
    throw new UsageError(`the rate must be a number of flows per second above 0, not ${rate}`);
  }
  checkBounds(bounds);
  const gapMs = 1000 / rate;
  let length = bounds.count ?? (bounds.durationMs === undefined ? flows : Infinity);
  if (bounds.durationMs !== undefined) {
    length = Math.min(length, Math.ceil((bounds.durationMs * rate) / 1000 - 1e-9));
  }
  if (flows === 0) length = 0;
  return {
    length,
    flowAt: (i) => i % flows,
    timeAt: (i) => i * gapMs,
    askedRate: rate,
    repeats: length > flows,
  };
}

/** What a speed plan did with the recorded times, to say so. */
export interface SpeedPlanFacts {
  /** Milliseconds from the first to the last recorded flow of the plan (after spreading). */
  readonly recordedSpanMs: number;
  /** Distinct timestamps that more than one flow shared (spread evenly across their resolution). */
  readonly sharedTimestamps: number;
  /** The timestamps' resolution (the coarsest seen), in ms. */
  readonly resolutionMs: number;
}

/**
 * The recorded gaps between `times` divided by `speed`, in timestamp order (ties keep the order
 * given). Flows sharing a timestamp are spread evenly across its resolution (a second's flows
 * 1/k s apart), so they do not leave in one burst.
 */
export function speedPlan(
  times: FlowTimes,
  speed: number,
  bounds: PlanBounds = {},
): SendPlan & { readonly facts: SpeedPlanFacts } {
  if (!(speed > 0) || !Number.isFinite(speed)) {
    throw new UsageError(`the speed must be a number above 0, not ${speed}`);
  }
  checkBounds(bounds);
  const { ms, resolutionMs: resolutions } = times;
  const order = Uint32Array.from({ length: ms.length }, (_, i) => i);
  order.sort((a, b) => ms[a] - ms[b] || a - b);
  const spread = new Float64Array(order.length);
  let shared = 0;
  let resolutionMs = 0;
  for (let start = 0; start < order.length;) {
    const at = ms[order[start]];
    const resolution = resolutions[order[start]];
    let end = start + 1;
    while (end < order.length && ms[order[end]] === at) end++;
    const count = end - start;
    if (count > 1) shared++;
    resolutionMs = Math.max(resolutionMs, resolution);
    for (let k = start; k < end; k++) spread[k] = at + ((k - start) * resolution) / count;
    start = end;
  }
  const first = spread.length > 0 ? spread[0] : 0;
  let length = Math.min(order.length, bounds.count ?? Infinity);
  const plannedMs = new Float64Array(length);
  for (let i = 0; i < length; i++) plannedMs[i] = (spread[i] - first) / speed;
  if (bounds.durationMs !== undefined) {
    let kept = 0;
    while (kept < length && plannedMs[kept] < bounds.durationMs) kept++;
    length = kept;
  }
  const lastMs = length > 0 ? plannedMs[length - 1] : 0;
  return {
    length,
    flowAt: (i) => order[i],
    timeAt: (i) => plannedMs[i],
    // Flows per second over the plan's span; the whole count when they all fall in one instant.
    askedRate: length === 0 ? 0 : lastMs > 0 ? (length - 1) / (lastMs / 1000) : length,
    repeats: false,
    facts: {
      recordedSpanMs: length > 0 ? spread[length - 1] - first : 0,
      sharedTimestamps: shared,
      resolutionMs,
    },
  };
}
