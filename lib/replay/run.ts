/**
 * A whole replay: watch the attack queue (when given), send the plan on schedule, then wait for
 * the alerts still due (until every flow answered as attack has one, or `alertTimeoutMs` after the
 * last answer), and stop the watch.
 * @module
 */

import type { LatencyHistogram } from "../measure/mod.ts";
import { type AlertCounts, AlertMatcher } from "./alerts.ts";
import { type AlertWatch, type AlertWatchOptions, watchAlerts } from "./alert_queue.ts";
import type { FingerprintLayout } from "./fingerprint.ts";
import { ReplaySender, type ReplaySenderOptions, type ReplayStats } from "./sender.ts";
import { sleep } from "../retry.ts";

/** Default of `alertTimeoutMs`: 30 s. */
export const DEFAULT_ALERT_TIMEOUT_MS = 30_000;

/** Options of {@linkcode Replay}. */
export interface ReplayOptions extends Omit<ReplaySenderOptions, "alerts"> {
  /** Consume the attack queue and match its notifications to the flows sent. */
  alerts?: {
    layout: FingerprintLayout;
    watch: AlertWatchOptions;
    /** How long after the last answer alerts are still waited for (default 30 s). */
    alertTimeoutMs?: number;
  };
}

/** Where a replay is. */
export type ReplayPhase = "starting" | "sending" | "awaiting-alerts" | "done";

/** Where a running replay is, for a live view. */
export interface ReplayProgress {
  readonly phase: ReplayPhase;
  /** Seconds since the schedule started. */
  readonly elapsedSeconds: number;
  /** Sends planned. */
  readonly planned: number;
  /** Flows per second asked for. */
  readonly askedRate: number;
  /** Flows answered per second over the last few seconds. */
  readonly achievedRate: number | null;
  readonly inFlight: number;
  readonly sent: number;
  readonly late: number;
  readonly dropped: number;
  readonly failed: number;
  /** Latency from the schedule so far, ms (null before the first answer). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** With a queue: notifications received, alerts matched, and alerts awaited. */
  readonly alerts:
    | { readonly received: number; readonly matched: number; readonly awaited: number }
    | null;
}

/** What a finished replay measured. */
export interface ReplayResult {
  readonly stats: ReplayStats;
  /** Null without a queue. */
  readonly alerts: {
    readonly counts: AlertCounts;
    readonly timeToAlert: LatencyHistogram;
    readonly received: number;
    readonly malformed: number;
    readonly deleted: number;
    /** Whether the wait for alerts ran out (rather than every alert arriving). */
    readonly timedOut: boolean;
  } | null;
}

/** How often the matcher forgets what it no longer needs, and the wait for alerts looks again. */
const TICK_MS = 50;

/** A replay run (see the module doc); `stats`, `matcher` and `phase` can be read while it runs. */
export class Replay {
  readonly #options: ReplayOptions;
  readonly #sender: ReplaySender;
  readonly matcher: AlertMatcher | null;
  #watch: AlertWatch | null = null;
  phase: ReplayPhase = "starting";

  constructor(options: ReplayOptions) {
    this.#options = options;
    const alerts = options.alerts;
    this.matcher = alerts
      ? new AlertMatcher(alerts.layout, {
        alertTimeoutMs: alerts.alertTimeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS,
        startedAt: Date.now(),
      })
      : null;
    this.#sender = new ReplaySender({
      ...options,
      alerts: alerts && this.matcher ? { matcher: this.matcher, layout: alerts.layout } : undefined,
    });
  }

  /** What has been sent and answered so far. */
  get stats(): ReplayStats {
    return this.#sender.stats;
  }

  /** Notifications received so far (0 without a queue). */
  get alertsReceived(): number {
    return this.#watch?.received ?? 0;
  }

  /** Where the replay is now. */
  progress(): ReplayProgress {
    const stats = this.#sender.stats;
    const counts = this.matcher?.counts();
    return {
      phase: this.phase,
      elapsedSeconds: stats.elapsedSeconds(),
      planned: stats.planned,
      askedRate: stats.askedRate,
      achievedRate: stats.running ? stats.answeredRate.recentRate() : null,
      inFlight: stats.inFlight,
      sent: stats.sent,
      late: stats.late,
      dropped: stats.dropped,
      failed: stats.failed,
      p50: stats.latency.valueAtPercentile(50),
      p99: stats.latency.valueAtPercentile(99),
      alerts: counts
        ? { received: this.alertsReceived, matched: counts.matched, awaited: counts.missing }
        : null,
    };
  }

  /** Runs it; rejects when the queue or the dataset fails (the watch is stopped first). */
  async run(): Promise<ReplayResult> {
    const { alerts, signal } = this.#options;
    const matcher = this.matcher;
    let deleted = 0;
    if (alerts && matcher) {
      this.#watch = await watchAlerts(matcher, {
        ...alerts.watch,
        onEvent: (event) => {
          if (event.type === "deleted") deleted += event.count;
          alerts.watch.onEvent?.(event);
        },
      });
    }
    const watch = this.#watch;
    const timer = matcher ? setInterval(() => matcher.prune(performance.now()), TICK_MS) : 0;
    let timedOut = false;
    try {
      // A queue that cannot be read fails now, before anything is sent.
      await watch?.ready;
      this.phase = "sending";
      await this.#sender.run();
      if (matcher && watch) {
        this.phase = "awaiting-alerts";
        const until = performance.now() + (alerts?.alertTimeoutMs ?? DEFAULT_ALERT_TIMEOUT_MS);
        while (!matcher.settled && !signal?.aborted && performance.now() < until) {
          await sleep(TICK_MS, signal);
        }
        timedOut = !matcher.settled && !signal?.aborted;
      }
    } catch (error) {
      await watch?.stop().catch(() => {});
      throw error;
    } finally {
      clearInterval(timer);
    }
    await watch?.stop();
    this.phase = "done";
    return {
      stats: this.#sender.stats,
      alerts: matcher && watch
        ? {
          counts: matcher.counts(true),
          timeToAlert: matcher.timeToAlert,
          received: watch.received,
          malformed: watch.malformed,
          deleted,
          timedOut,
        }
        : null,
    };
  }
}
