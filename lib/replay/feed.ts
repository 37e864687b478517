/**
 * The flows of a replay, read from the dataset in send order ahead of the schedule: a plan whose
 * flows fit in memory is read whole before the first send (no reading while the clock runs); a
 * longer one in windows of consecutive sends, the next ones read while the current one is sent, so
 * memory stays bounded. Reading a window decodes on this thread and pauses sending meanwhile,
 * which shows as send lag (a few ms for a window in dataset order; seconds for a window of a
 * shuffled dataset's recorded pace, which reads most of the file). Also the flows' timestamps for a
 * `--speed` plan, from one scan of the chosen rows.
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

/** Plans whose flows take up to this much memory are read whole before the first send. */
export const PRELOAD_BYTES = 256 * 1024 * 1024;
/** Sends per window of a longer plan in dataset order (a window reads a few stored chunks). */
export const WINDOW_SENDS = 4096;
/**
 * Sends per window of a longer plan out of dataset order (the recorded pace of a shuffled
 * dataset): each window reads most of the file, so fewer, larger windows.
 */
export const SHUFFLED_WINDOW_SENDS = 65_536;
/** Windows read ahead of the one being sent. */
const AHEAD = 2;

/** Memory a flow of these columns takes in a frame, roughly: its values, and text at 48 bytes. */
export function rowBytesOf(columns: readonly { readonly dtype: string }[]): number {
  return columns.reduce((sum, column) => {
    const width = /(\d+)$/.exec(column.dtype)?.[1];
    return sum + (width === undefined || column.dtype === "object" ? 48 : Number(width) / 8);
  }, 0);
}

/**
 * How many sends a {@linkcode FlowFeed} reads at a time: the whole plan when its flows fit in
 * {@linkcode PRELOAD_BYTES} (no reading while the clock runs), else windows, larger when the plan
 * is not in dataset order.
 */
export function windowSendsFor(
  plan: SendPlan,
  rowBytes: number,
  options: { datasetOrder: boolean },
): number {
  if (plan.length * rowBytes <= PRELOAD_BYTES) return Math.max(1, plan.length);
  return options.datasetOrder ? WINDOW_SENDS : SHUFFLED_WINDOW_SENDS;
}

/** Reads a plan's flows in send order; `window(i)` gives the window holding send `i`. */
export class FlowFeed {
  readonly #dataset: Pick<FlowDataset, "readRows">;
  readonly #rows: ArrayLike<number>;
  readonly #plan: SendPlan;
  readonly #windowSends: number;
  readonly #windows = new Map<number, Promise<FeedWindow>>();

  /**
   * `rows`: the chosen flows' dataset positions (the plan's flow k is `rows[k]`);
   * `windowSends`: sends read at a time (see {@linkcode windowSendsFor}; default the whole plan).
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
    this.#windowSends = Math.max(1, options.windowSends ?? plan.length);
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
