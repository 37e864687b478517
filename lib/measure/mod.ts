/**
 * Measuring a service under load: request latency on an HDR histogram
 * ({@linkcode LatencyHistogram}: p50/p90/p99/p99.9/max in constant memory, checkpointable) and
 * event rates ({@linkcode RateMeter}: overall, over a recent window, and as a series over time).
 * Used by `mlids evaluate` and `mlids replay`; knows nothing of flows or terminals.
 *
 * ```ts
 * import { LatencyHistogram, RateMeter } from "./mod.ts";
 *
 * const latency = new LatencyHistogram();
 * for (const ms of [12, 15, 11, 250]) latency.record(ms);
 * const { p50, max } = latency.percentiles();
 * console.assert(p50 !== null && p50 >= 12 && p50 < 12.1);
 * console.assert(max !== null && max >= 250 && max < 250.3);
 *
 * let clock = 0;
 * const sent = new RateMeter({ now: () => clock });
 * sent.mark(500);
 * clock = 2000;
 * console.assert(sent.rate() === 250);
 * ```
 * @module
 */

export {
  LatencyHistogram,
  type LatencyHistogramOptions,
  type LatencyPercentiles,
  type LatencyPoint,
} from "./latency.ts";
export { RateMeter, type RateMeterOptions, type RatePoint } from "./rate.ts";
