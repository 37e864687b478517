/**
 * Talking to the ML-IDS prediction API: flows go out as pandas split JSON in batches (or one per
 * flow, spaced), predictions come back in row order; 5xx answers, timeouts and dropped
 * connections are retried with backoff, and what still fails is reported, not thrown.
 * @module
 */

import { InputError, UsageError } from "../errors.ts";
import { type FlowFrame, SplitJsonEncoder } from "../frame/mod.ts";
import { backoffDelay, sleep } from "../retry.ts";
import {
  cancelledError,
  type ConnectionPolicy,
  type ConnectionSwitch,
  isRetryable,
  type PayloadFormat,
  PredictionApi,
  type PredictionApiOptions,
  resolveEndpoint,
} from "./api.ts";

export { type PayloadFormat, resolveEndpoint } from "./api.ts";

/** Options of a {@linkcode PredictionClient}. */
export interface PredictionClientOptions {
  apiUrl: string;
  /** The columns to send, in dataset order (no label, no identity columns). */
  featureColumns: readonly string[];
  /** Default: what {@linkcode resolveEndpoint} says for `apiUrl`. */
  payloadFormat?: PayloadFormat;
  /** Flows per request; default all in one request. */
  batchSize?: number;
  /** Requests in flight at once (default 1). */
  concurrency?: number;
  /** When set (even 0): one request per flow, sequential, waiting delayMs after each answer. */
  delayMs?: number;
  /** Per request attempt, answer body included (default 30000). */
  timeoutMs?: number;
  /** Extra attempts for 5xx, timeouts and connection failures (default 2); never for 4xx. */
  retries?: number;
  /** First retry waits about this long, doubling each time (default 200). */
  retryBaseMs?: number;
  /** Longest wait between attempts (default 5000). */
  retryCapMs?: number;
  /** Not used by the client. */
  threshold?: number;
  /** Stops new requests and aborts those in flight; the unsent rows become failures. */
  signal?: AbortSignal;
  /** How each request's TCP connection is chosen (default `auto`; see {@linkcode PredictionApi}). */
  connection?: ConnectionPolicy;
  /** Called when `auto` finds reused connections stalling and sends the rest on fresh ones. */
  onConnectionSwitch?: (change: ConnectionSwitch) => void;
  onRequestStart?: (info: { request: number; requests: number; rows: number[] }) => void;
  onRequestDone?: (
    info: { request: number; requests: number; rows: number[]; ok: boolean },
  ) => void;
  onRetry?: (info: { request: number; attempt: number; error: Error; waitMs: number }) => void;
}

/** What {@linkcode PredictionClient.predict} collected. */
export interface PredictionOutcome {
  /** One raw prediction per flow of the frame, in frame row order; NaN where the flow's request failed. */
  predictions: Float64Array;
  /** Requests that failed after retries: which request (0-based), the frame rows it held and why. */
  failures: { rows: number[]; error: Error; request: number }[];
  /** Requests planned (batches), whether or not they succeeded. */
  requests: number;
  /** HTTP attempts made, retries included. */
  attempts: number;
  /** True when `signal` stopped the run before every request was answered. */
  aborted: boolean;
}

interface Settings {
  api: Omit<PredictionApiOptions, "onConnectionSwitch">;
  dataframeSplit: boolean;
  batchSize: number;
  concurrency: number;
  delayMs: number | undefined;
  retries: number;
  retryBaseMs: number;
  retryCapMs: number;
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${name} must be a whole number of at least ${min}, not ${value}`);
  }
}

function checkDuration(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < min) {
    throw new UsageError(`${name} must be a number of milliseconds >= ${min}, not ${value}`);
  }
}

function settingsOf(options: PredictionClientOptions): Settings {
  checkCount("batch size", options.batchSize, 1);
  checkCount("concurrency", options.concurrency, 1);
  checkCount("retries", options.retries, 0);
  checkDuration("delay", options.delayMs, 0);
  checkDuration("timeout", options.timeoutMs, 1);
  checkDuration("retry base", options.retryBaseMs, 0);
  checkDuration("retry cap", options.retryCapMs, 0);
  if (options.featureColumns.length === 0) {
    throw new UsageError("no feature columns to send");
  }
  const perFlow = options.delayMs !== undefined;
  const api = {
    apiUrl: options.apiUrl,
    payloadFormat: options.payloadFormat,
    timeoutMs: options.timeoutMs,
    connection: options.connection,
  };
  // Checks the URL, payload format and connection policy now, not at the first request.
  const checked = new PredictionApi(api);
  checked.close();
  return {
    api,
    dataframeSplit: checked.payloadFormat === "dataframe-split",
    batchSize: perFlow ? 1 : options.batchSize ?? Infinity,
    concurrency: perFlow ? 1 : options.concurrency ?? 1,
    delayMs: options.delayMs,
    retries: options.retries ?? 2,
    retryBaseMs: options.retryBaseMs ?? 200,
    retryCapMs: options.retryCapMs ?? 5_000,
  };
}

/** Sends flows to the ML-IDS prediction API and collects its predictions. */
export class PredictionClient {
  readonly #options: PredictionClientOptions;
  readonly #settings: Settings;

  constructor(options: PredictionClientOptions) {
    this.#options = options;
    this.#settings = settingsOf(options);
  }

  /** The endpoint requests go to. */
  get url(): URL {
    return resolveEndpoint(this.#settings.api.apiUrl).url;
  }

  /**
   * Sends every row of `frame` (or `rows` of it) and collects predictions; never throws for a
   * failed request (the failure is in the outcome), only for bad options or missing columns.
   */
  async predict(
    frame: FlowFrame,
    options: { rows?: ArrayLike<number> } = {},
  ): Promise<PredictionOutcome> {
    const settings = this.#settings;
    const callbacks = this.#options;
    const signal = callbacks.signal;
    const featureColumns = callbacks.featureColumns;
    for (const name of featureColumns) {
      if (!frame.columns.some((column) => column.name === name)) {
        throw new InputError(`the flows have no column '${name}' to send to the ML-IDS API`);
      }
    }
    const rows = options.rows ?? Uint32Array.from({ length: frame.length }, (_, i) => i);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Number.isInteger(row) || row < 0 || row >= frame.length) {
        throw new UsageError(`row ${row} is not a row of the flows (0..${frame.length - 1})`);
      }
    }
    const predictions = new Float64Array(frame.length).fill(NaN);
    const failures: { rows: number[]; error: Error; request: number }[] = [];
    const batchSize = Math.min(settings.batchSize, Math.max(rows.length, 1));
    const requests = Math.ceil(rows.length / batchSize);
    let next = 0;
    let attempts = 0;
    let aborted = false;

    const batchRows = (request: number): number[] => {
      const start = request * batchSize;
      const end = Math.min(start + batchSize, rows.length);
      const out = new Array<number>(end - start);
      for (let i = start; i < end; i++) out[i - start] = rows[i];
      return out;
    };

    // Written on this thread: on two cores a worker writing bodies was slower (it competes with
    // the API server and with this thread's gathering) than writing here between sends.
    const encoder = new SplitJsonEncoder(frame, {
      columns: featureColumns,
      prefix: settings.dataframeSplit ? '{"dataframe_split":' : "",
      suffix: settings.dataframeSplit ? "}" : "",
    });

    const api = new PredictionApi({
      ...settings.api,
      onConnectionSwitch: callbacks.onConnectionSwitch,
    });
    const attempt = (body: Uint8Array<ArrayBuffer>, expected: number): Promise<Float64Array> => {
      attempts++;
      return api.predict(body, expected, { signal });
    };

    const send = async (request: number): Promise<void> => {
      const batch = batchRows(request);
      callbacks.onRequestStart?.({ request, requests, rows: batch });
      let ok = false;
      try {
        if (signal?.aborted) throw cancelledError(signal);
        const body = encoder.encode(batch);
        for (let tries = 0;; tries++) {
          try {
            const values = await attempt(body, batch.length);
            for (let i = 0; i < batch.length; i++) predictions[batch[i]] = values[i];
            ok = true;
            return;
          } catch (error) {
            const failure = error as Error;
            if (!isRetryable(failure) || tries >= settings.retries || signal?.aborted) {
              throw failure;
            }
            const waitMs = backoffDelay(tries + 1, {
              baseMs: settings.retryBaseMs,
              capMs: settings.retryCapMs,
            });
            callbacks.onRetry?.({ request, attempt: tries + 1, error: failure, waitMs });
            await sleep(waitMs, signal);
          }
        }
      } catch (error) {
        if (signal?.aborted) aborted = true;
        failures.push({ rows: batch, error: error as Error, request });
      } finally {
        callbacks.onRequestDone?.({ request, requests, rows: batch, ok });
      }
    };

    const worker = async (): Promise<void> => {
      while (next < requests) {
        const request = next++;
        if (signal?.aborted) {
          aborted = true;
          failures.push({ rows: batchRows(request), error: cancelledError(signal), request });
          continue;
        }
        await send(request);
        if (settings.delayMs !== undefined && next < requests) {
          await sleep(settings.delayMs, signal);
        }
      }
    };

    const workers = Math.min(settings.concurrency, requests);
    try {
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      api.close();
    }
    failures.sort((a, b) => a.request - b.request);
    return { predictions, failures, requests, attempts, aborted };
  }
}
