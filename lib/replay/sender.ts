/**
 * The open-loop sender: every flow has a scheduled send time and goes out then, whether or not
 * earlier flows were answered. Up to `maxInFlight` requests are in flight; a flow due when that
 * many are waiting is dropped and counted, never delayed, so a slow API shows as drops and as
 * latency instead of quietly lowering the rate. Latency is measured from each flow's scheduled
 * time (not from when it actually left), so time the sender itself lost is counted too: no
 * coordinated omission.
 * @module
 */

import { sleep } from "../retry.ts";
import { SplitJsonEncoder } from "../frame/mod.ts";
import { LatencyHistogram, RateMeter } from "../measure/mod.ts";
import type { PredictionApi } from "../predict/mod.ts";
import type { AlertMatcher } from "./alerts.ts";
import type { FeedWindow, FlowFeed } from "./feed.ts";
import { type FingerprintLayout, framePrinter } from "./fingerprint.ts";
import type { SendPlan } from "./plan.ts";

/** A flow sent this much after its scheduled time counts as late. */
export const LATE_MS = 10;
/** With `batchSize` > 1, flows due within this many ms of the first of a request join it. */
export const BATCH_WINDOW_MS = 5;
/** Requests in flight beyond which due flows are dropped, unless told otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 256;

/** Options of {@linkcode ReplaySender}. */
export interface ReplaySenderOptions {
  api: PredictionApi;
  plan: SendPlan;
  feed: Pick<FlowFeed, "window">;
  /** The columns sent, in order. */
  featureColumns: readonly string[];
  /** Flows per request at most (default 1); flows due within {@linkcode BATCH_WINDOW_MS} share one. */
  batchSize?: number;
  /** Default {@linkcode DEFAULT_MAX_IN_FLIGHT}. */
  maxInFlight?: number;
  /** Stops sending and cancels the requests in flight. */
  signal?: AbortSignal;
  /** When alerts are matched: the sent flows are registered with it, and their answers. */
  alerts?: { matcher: AlertMatcher; layout: FingerprintLayout };
}

/** One failure kind and how many flows it took. */
export interface FailureCount {
  readonly message: string;
  readonly flows: number;
}

/** Most distinct failure messages kept. */
const MAX_FAILURE_KINDS = 10;

/** What a replay has done so far; read by the live view while it runs. */
export class ReplayStats {
  /** `performance.now()` of the schedule's start (send 0 is due then). */
  startedAt = NaN;
  /** Wall-clock start, epoch ms. */
  startedAtEpoch = NaN;
  /** `performance.now()` when the last answer came (or the run stopped). */
  finishedAt = NaN;
  /** Sends planned. */
  planned = 0;
  /** The flows per second asked for. */
  askedRate = 0;
  sent = 0;
  requests = 0;
  /** Sent more than {@linkcode LATE_MS} after the schedule. */
  late = 0;
  /** Due while `maxInFlight` requests were waiting: not sent. */
  dropped = 0;
  answered = 0;
  /** Answered with a prediction of 0.5 or more. */
  attacks = 0;
  /** Sent but not answered (an error, a timeout). */
  failed = 0;
  /** Not answered because the run was stopped. */
  cancelled = 0;
  inFlight = 0;
  maxInFlightSeen = 0;
  /** From scheduled time to answer, ms. */
  readonly latency: LatencyHistogram = new LatencyHistogram();
  /** From scheduled time to actually sending, ms. */
  readonly sendLag: LatencyHistogram = new LatencyHistogram();
  /** Counting starts when the schedule does. */
  sentRate: RateMeter = new RateMeter();
  answeredRate: RateMeter = new RateMeter();
  failures: FailureCount[] = [];

  /** Whether the schedule has started. */
  get running(): boolean {
    return !Number.isNaN(this.startedAt);
  }

  /** Seconds from the schedule's start to the last answer (or to now while running). */
  elapsedSeconds(now = performance.now()): number {
    if (!this.running) return 0;
    const end = Number.isNaN(this.finishedAt) ? now : this.finishedAt;
    return Math.max(0, end - this.startedAt) / 1000;
  }

  /** Flows answered per second over the run (0 before the first answer). */
  achievedRate(now = performance.now()): number {
    const seconds = this.elapsedSeconds(now);
    return seconds > 0 ? this.answered / seconds : 0;
  }

  countFailure(error: unknown, flows: number): void {
    const message = error instanceof Error ? error.message : String(error);
    const known = this.failures.find((failure) => failure.message === message);
    if (known) {
      (known as { flows: number }).flows += flows;
    } else if (this.failures.length < MAX_FAILURE_KINDS) {
      this.failures.push({ message, flows });
    }
  }
}

interface PreparedWindow extends FeedWindow {
  readonly encoder: SplitJsonEncoder;
  readonly print?: ReturnType<typeof framePrinter>;
}

/** Sends a plan's flows on schedule (see the module doc); `stats` can be read while it runs. */
export class ReplaySender {
  readonly stats: ReplayStats = new ReplayStats();
  readonly #options: ReplaySenderOptions;
  readonly #batchSize: number;
  readonly #maxInFlight: number;
  #prepared: PreparedWindow | undefined;

  constructor(options: ReplaySenderOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? 1;
    this.#maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new RangeError(`the batch size must be a whole number >= 1, not ${this.#batchSize}`);
    }
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) {
      throw new RangeError(`max in flight must be a whole number >= 1, not ${this.#maxInFlight}`);
    }
    this.stats.planned = options.plan.length;
    this.stats.askedRate = options.plan.askedRate;
  }

  /**
   * Sends every planned flow at its time and resolves when each is answered, failed or dropped
   * (or, once `signal` aborts, when the requests in flight are cancelled). Rejects only when the
   * dataset cannot be read.
   */
  async run(): Promise<ReplayStats> {
    const { plan, signal } = this.#options;
    const stats = this.stats;
    const waiting = new Set<Promise<void>>();
    if (plan.length > 0) await this.#window(0);
    const t0 = performance.now();
    stats.startedAt = t0;
    stats.startedAtEpoch = Date.now();
    stats.sentRate = new RateMeter();
    stats.answeredRate = new RateMeter();
    let i = 0;
    while (i < plan.length && !signal?.aborted) {
      const due = t0 + plan.timeAt(i);
      let now = performance.now();
      if (now < due) {
        await sleep(due - now, signal);
        continue;
      }
      const window = await this.#window(i);
      let end = i + 1;
      if (this.#batchSize > 1) {
        const last = Math.min(plan.length, window.start + window.frame.length, i + this.#batchSize);
        while (end < last && plan.timeAt(end) <= plan.timeAt(i) + BATCH_WINDOW_MS) end++;
        const fireAt = t0 + plan.timeAt(end - 1);
        now = performance.now();
        if (now < fireAt) {
          await sleep(fireAt - now, signal);
          if (signal?.aborted) break;
        }
      }
      if (stats.inFlight >= this.#maxInFlight) {
        stats.dropped += end - i;
        i = end;
        continue;
      }
      const request = this.#send(window, i, end, t0);
      waiting.add(request);
      request.finally(() => waiting.delete(request));
      i = end;
    }
    await Promise.all(waiting);
    stats.finishedAt = performance.now();
    return stats;
  }

  async #window(i: number): Promise<PreparedWindow> {
    const prepared = this.#prepared;
    if (prepared && i >= prepared.start && i < prepared.start + prepared.frame.length) {
      return prepared;
    }
    const window = await this.#options.feed.window(i);
    const { api, featureColumns, alerts } = this.#options;
    const dataframeSplit = api.payloadFormat === "dataframe-split";
    this.#prepared = {
      ...window,
      encoder: new SplitJsonEncoder(window.frame, {
        columns: featureColumns,
        prefix: dataframeSplit ? '{"dataframe_split":' : "",
        suffix: dataframeSplit ? "}" : "",
      }),
      print: alerts ? framePrinter(alerts.layout, window.frame) : undefined,
    };
    return this.#prepared;
  }

  /** Sends plan entries `from ..< to` (all in `window`) as one request and records the outcome. */
  async #send(window: PreparedWindow, from: number, to: number, t0: number): Promise<void> {
    const { api, plan, signal, alerts } = this.#options;
    const stats = this.stats;
    const count = to - from;
    const rows = new Array<number>(count);
    for (let k = from; k < to; k++) rows[k - from] = k - window.start;
    // Written here, at send time: encoding a window ahead would stall the clock in bursts.
    const body = window.encoder.encode(rows);
    const sentAt = performance.now();
    for (let k = from; k < to; k++) {
      const scheduled = t0 + plan.timeAt(k);
      const lag = Math.max(0, sentAt - scheduled);
      stats.sendLag.record(lag);
      if (lag > LATE_MS) stats.late++;
      alerts?.matcher.addFlow(k, window.print!(k - window.start), scheduled);
    }
    stats.sent += count;
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlightSeen = Math.max(stats.maxInFlightSeen, stats.inFlight);
    stats.sentRate.mark(count);
    try {
      const predictions = await api.predict(body, count, { signal });
      const at = performance.now();
      for (let k = from; k < to; k++) {
        const prediction = predictions[k - from];
        stats.latency.record(Math.max(0, at - (t0 + plan.timeAt(k))));
        if (prediction >= 0.5) stats.attacks++;
        alerts?.matcher.answered(k, prediction, at);
      }
      stats.answered += count;
      stats.answeredRate.mark(count);
    } catch (error) {
      const at = performance.now();
      if (signal?.aborted) stats.cancelled += count;
      else {
        stats.failed += count;
        stats.countFailure(error, count);
      }
      for (let k = from; k < to; k++) alerts?.matcher.answered(k, null, at);
    } finally {
      stats.inFlight--;
    }
  }
}
