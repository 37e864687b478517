/**
 * Replaying flows against the ML-IDS API as traffic: a send plan at a set rate
 * ({@linkcode ratePlan}) or at the recorded pace ({@linkcode speedPlan} over
 * {@linkcode readFlowTimes}), the flows read ahead of it ({@linkcode FlowFeed}), an open-loop
 * sender that drops rather than delays and measures latency from the schedule
 * ({@linkcode ReplaySender}), and the matching of the attack queue's notifications to the flows
 * sent ({@linkcode AlertMatcher}), all run by {@linkcode Replay} and summed up by
 * {@linkcode summarizeReplay}.
 *
 * ```ts
 * import { parseFlowTimestamp, ratePlan, speedPlan } from "./mod.ts";
 *
 * // 100 flows/s over 3 chosen flows, 5 sends: the fourth starts over from the first flow.
 * const plan = ratePlan(3, 100, { count: 5 });
 * console.assert(plan.length === 5 && plan.timeAt(4) === 40 && plan.flowAt(3) === 0);
 *
 * // Two flows in one second and one a second later, replayed twice as fast.
 * const times = ["14/02/2018 08:31:02", "14/02/2018 08:31:01", "14/02/2018 08:31:01"]
 *   .map((text) => parseFlowTimestamp(text)!);
 * const paced = speedPlan({
 *   ms: Float64Array.from(times, (t) => t.ms),
 *   resolutionMs: Float64Array.from(times, (t) => t.resolutionMs),
 * }, 2);
 * console.assert(paced.flowAt(0) === 1 && paced.timeAt(1) === 250 && paced.timeAt(2) === 500);
 * ```
 * @module
 */

export {
  type AlertCounts,
  AlertMatcher,
  type AlertMatcherOptions,
  type AlertVerdict,
  type NotifiedAlert,
} from "./alerts.ts";
export { type AlertWatch, type AlertWatchOptions, watchAlerts } from "./alert_queue.ts";
export {
  type FeedWindow,
  FlowFeed,
  PRELOAD_BYTES,
  readFlowTimes,
  rowBytesOf,
  SHUFFLED_WINDOW_SENDS,
  WINDOW_SENDS,
  windowSendsFor,
} from "./feed.ts";
export {
  type FingerprintLayout,
  fingerprintLayout,
  type FlowPrint,
  framePrinter,
  notifiedPrint,
  printsMatch,
  type ValueKind,
} from "./fingerprint.ts";
export {
  type PlanBounds,
  ratePlan,
  type SendPlan,
  speedPlan,
  type SpeedPlanFacts,
} from "./plan.ts";
export {
  DEFAULT_ALERT_TIMEOUT_MS,
  Replay,
  type ReplayOptions,
  type ReplayPhase,
  type ReplayProgress,
  type ReplayResult,
} from "./run.ts";
export {
  BATCH_WINDOW_MS,
  DEFAULT_MAX_IN_FLIGHT,
  type FailureCount,
  LATE_MS,
  ReplaySender,
  type ReplaySenderOptions,
  ReplayStats,
} from "./sender.ts";
export {
  type AlertSummary,
  type PercentilesMs,
  percentilesOf,
  type RateStep,
  type ReplaySummary,
  summarizeReplay,
} from "./summary.ts";
export { type FlowTime, type FlowTimes, parseFlowTimestamp } from "./timestamps.ts";
