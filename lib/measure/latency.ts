/**
 * Request latency as an HDR histogram (hdr-histogram-js, pure JavaScript: no wasm to embed, so it
 * survives `deno compile`): constant memory whatever the number of requests, percentiles within
 * 0.1 %, and a compact text form so a long run can checkpoint it and add to it after a restart.
 * @module
 */

import * as hdr from "hdr-histogram-js";

/** The percentiles every mlids report shows, in milliseconds; null when nothing was recorded. */
export interface LatencyPercentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
}

/** One point of a latency distribution: the share of requests (0..100) answered within `ms`. */
export interface LatencyPoint {
  readonly percentile: number;
  readonly ms: number;
}

/** Options of a {@linkcode LatencyHistogram}. */
export interface LatencyHistogramOptions {
  /** Significant decimal digits kept (1..5, default 3: values within 0.1 %). */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
}

/** Values are recorded in microseconds: sub-millisecond answers of a local API stay distinct. */
const MICROS_PER_MS = 1000;
/** The range the histogram is sized for up front (1 µs .. 1 hour); it grows past that on demand. */
const HIGHEST_MICROS = 3_600_000_000;
/** Percentiles of the distribution curve: dense where latency tails live. */
const DISTRIBUTION_PERCENTILES = [
  0,
  10,
  20,
  25,
  30,
  40,
  50,
  60,
  70,
  75,
  80,
  85,
  90,
  92.5,
  95,
  96,
  97,
  97.5,
  98,
  98.5,
  99,
  99.25,
  99.5,
  99.75,
  99.9,
  99.95,
  99.99,
  99.999,
  100,
];

function build(digits: 1 | 2 | 3 | 4 | 5): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_MICROS,
    numberOfSignificantValueDigits: digits,
    autoResize: true,
    useWebAssembly: false,
  });
}

/**
 * Latencies in milliseconds on an HDR histogram. Percentiles, the maximum included, are HDR's: the
 * highest value equivalent to the recorded one at the histogram's precision (never below the exact
 * value, at most 0.1 % above it), so a histogram restored from a checkpoint reports the same.
 */
export class LatencyHistogram {
  #histogram: hdr.Histogram;

  constructor(options: LatencyHistogramOptions = {}) {
    this.#histogram = build(options.significantDigits ?? 3);
  }

  /** Records one latency of `ms` milliseconds (negative and NaN values are refused). */
  record(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`a latency must be a finite number of milliseconds >= 0, not ${ms}`);
    }
    this.#histogram.recordValue(Math.round(ms * MICROS_PER_MS));
  }

  /** How many latencies were recorded. */
  get count(): number {
    return this.#histogram.totalCount;
  }

  /** The mean latency in milliseconds, or null when nothing was recorded. */
  get meanMs(): number | null {
    return this.count === 0 ? null : this.#histogram.mean / MICROS_PER_MS;
  }

  /** The latency (ms) that `percentile` percent (0..100) of requests stayed within; null when empty. */
  valueAtPercentile(percentile: number): number | null {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new RangeError(`a percentile is from 0 to 100, not ${percentile}`);
    }
    if (this.count === 0) return null;
    return this.#histogram.getValueAtPercentile(percentile) / MICROS_PER_MS;
  }

  /** p50, p90, p99, p99.9 and the maximum, in milliseconds (all null when nothing was recorded). */
  percentiles(): LatencyPercentiles {
    if (this.count === 0) return { p50: null, p90: null, p99: null, p999: null, max: null };
    return {
      p50: this.valueAtPercentile(50),
      p90: this.valueAtPercentile(90),
      p99: this.valueAtPercentile(99),
      p999: this.valueAtPercentile(99.9),
      max: this.valueAtPercentile(100),
    };
  }

  /** The distribution as points (percentile, ms) from 0 to 100, for a chart; empty when nothing was recorded. */
  distribution(): LatencyPoint[] {
    if (this.count === 0) return [];
    return DISTRIBUTION_PERCENTILES.map((percentile) => ({
      percentile,
      ms: this.#histogram.getValueAtPercentile(percentile) / MICROS_PER_MS,
    }));
  }

  /** Adds every latency of `other` to this histogram (as if they had been recorded here). */
  add(other: LatencyHistogram): void {
    this.#histogram.add(other.#histogram);
  }

  /** The histogram as compact text (HdrHistogram's compressed base64 form), for checkpoints. */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#histogram);
  }

  /** A histogram from {@linkcode LatencyHistogram.encode}'s text; RangeError when it is not one. */
  static decode(text: string): LatencyHistogram {
    let decoded: hdr.Histogram;
    try {
      decoded = hdr.decodeFromCompressedBase64(text, 32, false);
    } catch (error) {
      throw new RangeError(`not an encoded latency histogram: ${(error as Error).message}`);
    }
    const histogram = new LatencyHistogram({
      significantDigits: decoded.numberOfSignificantValueDigits as 1 | 2 | 3 | 4 | 5,
    });
    histogram.#histogram.add(decoded);
    return histogram;
  }
}
