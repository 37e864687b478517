/**
 * The flows of a replay, read from the dataset in send order ahead of the schedule: a plan small
 * enough is read whole before the first send (no reading while the clock runs); a longer one in
 * windows of consecutive sends, the next ones read while the current one is sent, so memory stays
 * bounded. Also the flows' timestamps for a `--speed` plan, from one scan of the chosen rows.
 * @module
 */

import { InputError } from "../errors.ts";
import type { FlowDataset } from "../dataset/mod.ts";
import type { FlowFrame } from "../frame/mod.ts";
import type { SendPlan } from "./plan.ts";
import { type FlowTimes, parseFlowTimestamp } from "./timestamps.ts";

/** Consecutive sends `start ..< start + frame.length` of the plan, their flows in send order. */
export interface FeedWindow {
  readonly start: number;
  readonly frame: FlowFrame;
}

/** Plans up to this many sends are read whole before the first send. */
export const PRELOAD_SENDS = 65_536;
/** Sends per window of a longer plan. */
export const WINDOW_SENDS = 4096;
/** Windows read ahead of the one being sent. */
const AHEAD = 2;

/** Reads a plan's flows in send order; `window(i)` gives the window holding send `i`. */
export class FlowFeed {
  readonly #dataset: Pick<FlowDataset, "readRows">;
  readonly #rows: ArrayLike<number>;
  readonly #plan: SendPlan;
  readonly #windowSends: number;
  readonly #windows = new Map<number, Promise<FeedWindow>>();

  /**
   * `rows`: the chosen flows' dataset positions (the plan's flow k is `rows[k]`);
   * `windowSends`: default the whole plan up to {@linkcode PRELOAD_SENDS}, else {@linkcode WINDOW_SENDS}.
   */
  constructor(
    dataset: Pick<FlowDataset, "readRows">,
    rows: ArrayLike<number>,
    plan: SendPlan,
    options: { windowSends?: number } = {},
  ) {
    this.#dataset = dataset;
    this.#rows = rows;
    this.#plan = plan;
    this.#windowSends = Math.max(
      1,
      options.windowSends ?? (plan.length <= PRELOAD_SENDS ? plan.length : WINDOW_SENDS),
    );
  }

  /** The window holding send `i`, reading it (and the next ones) if not read yet. */
  window(i: number): Promise<FeedWindow> {
    const w = Math.floor(i / this.#windowSends);
    // Windows before this one are done with: let them go.
    for (const key of this.#windows.keys()) if (key < w) this.#windows.delete(key);
    const lastWindow = Math.floor((this.#plan.length - 1) / this.#windowSends);
    for (let ahead = w; ahead <= Math.min(w + AHEAD, lastWindow); ahead++) {
      if (!this.#windows.has(ahead)) this.#windows.set(ahead, this.#read(ahead));
    }
    return this.#windows.get(w)!;
  }

  async #read(w: number): Promise<FeedWindow> {
    const start = w * this.#windowSends;
    const end = Math.min(start + this.#windowSends, this.#plan.length);
    const positions = new Uint32Array(end - start);
    for (let i = start; i < end; i++) positions[i - start] = this.#rows[this.#plan.flowAt(i)];
    return { start, frame: await this.#dataset.readRows(positions) };
  }
}

/**
 * The start times of the flows at `rows` (ascending dataset positions) from their `column`, read
 * by one scan; an InputError names the first timestamp in no known form.
 */
export async function readFlowTimes(
  dataset: Pick<FlowDataset, "scan" | "info">,
  rows: Uint32Array,
  options: { column?: string; signal?: AbortSignal } = {},
): Promise<FlowTimes> {
  const column = options.column ?? "timestamp";
  if (!dataset.info.columns.some((info) => info.name === column)) {
    throw new InputError(`the dataset has no '${column}' column to replay its timing from`, {
      hint: "Replay at a set rate instead (--rate R).",
    });
  }
  const ms = new Float64Array(rows.length);
  const resolutionMs = new Float64Array(rows.length);
  let at = 0;
  for await (const batch of dataset.scan({ rows, signal: options.signal })) {
    const values = batch.frame.columns.find((candidate) => candidate.name === column)?.values;
    if (values === undefined || !Array.isArray(values)) {
      throw new InputError(`the '${column}' column holds numbers, not CICFlowMeter timestamps`, {
        hint: "Replay at a set rate instead (--rate R).",
      });
    }
    for (let i = 0; i < batch.frame.length; i++, at++) {
      const text = values[i] ?? "";
      const time = parseFlowTimestamp(text);
      if (time === null) {
        throw new InputError(
          `row ${batch.rows[i]} has a timestamp in no known form: ${JSON.stringify(text)}`,
          {
            hint:
              "Timestamps are read as 14/02/2018 08:31:01 or 2018-02-14 08:31:01; replay at a set rate (--rate R) otherwise.",
          },
        );
      }
      ms[at] = time.ms;
      resolutionMs[at] = time.resolutionMs;
    }
  }
  return { ms, resolutionMs };
}
