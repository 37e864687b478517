/**
 * Talking to the ML-IDS prediction API: flows go out as pandas split JSON in batches (or one per
 * flow, spaced), predictions come back in row order; 5xx answers, timeouts and dropped
 * connections are retried with backoff, and what still fails is reported, not thrown.
 * @module
 */

import { InputError, RemoteError, UsageError } from "../errors.ts";
import { type FlowFrame, SplitJsonEncoder } from "../frame/mod.ts";

/** How the request body is shaped: MLflow 1.x `pandas-split` or MLflow 2.x `dataframe_split`. */
export type PayloadFormat = "pandas-split" | "dataframe-split";

const PREDICTIONS_PATH = "/api/predictions";
const PANDAS_SPLIT_TYPE = "application/json; format=pandas-split";
const EXCERPT_BYTES = 200;

/**
 * The endpoint to POST to and the payload format it takes by default. http/https only. A URL with
 * no path (or "/") gets "/api/predictions"; a path ending in "/invocations" takes dataframe-split.
 */
export function resolveEndpoint(apiUrl: string): { url: URL; payloadFormat: PayloadFormat } {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(`'${apiUrl}' is not a URL`, {
      hint: "give the ML-IDS API as http://HOST[:PORT][/PATH]",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`'${apiUrl}' is not an http or https URL`, {
      hint: "give the ML-IDS API as http://HOST[:PORT][/PATH] or https://...",
    });
  }
  if (url.pathname === "" || url.pathname === "/") url.pathname = PREDICTIONS_PATH;
  const payloadFormat: PayloadFormat = /\/invocations\/?$/.test(url.pathname)
    ? "dataframe-split"
    : "pandas-split";
  return { url, payloadFormat };
}

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
  url: URL;
  contentType: string;
  dataframeSplit: boolean;
  batchSize: number;
  concurrency: number;
  delayMs: number | undefined;
  timeoutMs: number;
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
  const { url, payloadFormat } = resolveEndpoint(options.apiUrl);
  const format = options.payloadFormat ?? payloadFormat;
  if (format !== "pandas-split" && format !== "dataframe-split") {
    throw new UsageError(`unknown payload format '${format}'`, {
      hint: "use pandas-split or dataframe-split",
    });
  }
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
  return {
    url,
    contentType: format === "pandas-split" ? PANDAS_SPLIT_TYPE : "application/json",
    dataframeSplit: format === "dataframe-split",
    batchSize: perFlow ? 1 : options.batchSize ?? Infinity,
    concurrency: perFlow ? 1 : options.concurrency ?? 1,
    delayMs: options.delayMs,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: options.retries ?? 2,
    retryBaseMs: options.retryBaseMs ?? 200,
    retryCapMs: options.retryCapMs ?? 5_000,
  };
}

/** Errors worth another attempt: 5xx, timeouts, connection failures. */
const retryable = new WeakSet<Error>();

function excerpt(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES));
  return bytes.length > EXCERPT_BYTES ? `${text}...` : text;
}

function serverMessage(bytes: Uint8Array): string {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    if (parsed && typeof parsed === "object" && typeof parsed.error === "string") {
      return parsed.error;
    }
  } catch {
    // not JSON: show the raw excerpt
  }
  return bytes.length === 0 ? "(empty answer)" : excerpt(bytes);
}

function predictionsOf(bytes: Uint8Array, expected: number): Float64Array | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return "an answer that is not JSON";
  }
  if (
    parsed && typeof parsed === "object" && !Array.isArray(parsed) &&
    "predictions" in parsed
  ) {
    parsed = (parsed as { predictions: unknown }).predictions;
  }
  if (!Array.isArray(parsed)) {
    return 'an answer that is neither a JSON array nor {"predictions": [...]}';
  }
  if (parsed.length !== expected) {
    return `${parsed.length} predictions for ${expected} flows`;
  }
  const values = new Float64Array(expected);
  for (let i = 0; i < expected; i++) {
    const value = parsed[i];
    if (typeof value !== "number") return `a prediction that is not a number (item ${i})`;
    values[i] = value;
  }
  return values;
}

/** fetch says only "fetch failed"; the reason (refused, reset, DNS) is in its cause. */
function connectionProblem(error: unknown): string {
  const cause = (error as Error).cause;
  const text = cause instanceof Error ? cause.message : String((error as Error).message ?? error);
  const reason = text.match(/: ([^:]+)$/);
  return reason ? reason[1].trim() : text;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  return new RemoteError("prediction requests were cancelled", {
    cause: reason,
    hint: reason instanceof Error ? reason.message : undefined,
  });
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
    return new URL(this.#settings.url);
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

    const attempt = async (
      body: Uint8Array<ArrayBuffer>,
      expected: number,
    ): Promise<Float64Array> => {
      attempts++;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, settings.timeoutMs);
      const onAbort = () => controller.abort();
      signal?.addEventListener("abort", onAbort, { once: true });
      const where = settings.url.href;
      let status = 0;
      let bytes: Uint8Array;
      try {
        const response = await fetch(settings.url, {
          method: "POST",
          headers: { "Content-Type": settings.contentType },
          body,
          signal: controller.signal,
        });
        status = response.status;
        bytes = await response.bytes();
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        const failure = timedOut
          ? new RemoteError(
            `the ML-IDS API at ${where} did not answer within ${settings.timeoutMs} ms`,
            {
              cause: error,
              status: status || undefined,
              hint: "raise --timeout, lower the batch size, or check the API is healthy",
            },
          )
          : new RemoteError(
            `cannot reach the ML-IDS API at ${where}: ${connectionProblem(error)}`,
            {
              cause: error,
              status: status || undefined,
              hint: "check the URL, that the API is running and that the network allows it",
            },
          );
        retryable.add(failure);
        throw failure;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
      if (status >= 500) {
        const failure = new RemoteError(
          `the ML-IDS API at ${where} failed (HTTP ${status}): ${serverMessage(bytes)}`,
          { status, hint: "the API or its model endpoint is failing; check its logs" },
        );
        retryable.add(failure);
        throw failure;
      }
      if (status >= 400 || status < 200) {
        throw new RemoteError(
          `the ML-IDS API at ${where} refused the request (HTTP ${status}): ${
            serverMessage(bytes)
          }`,
          {
            status,
            hint: status === 415
              ? "the endpoint takes another payload format; try --payload-format"
              : "check the API URL and that the flows have the columns the model expects",
          },
        );
      }
      const values = predictionsOf(bytes, expected);
      if (typeof values === "string") {
        throw new RemoteError(
          `the ML-IDS API at ${where} answered HTTP ${status} with ${values}: ${excerpt(bytes)}`,
          { status, hint: "check that the URL points at the ML-IDS prediction API" },
        );
      }
      return values;
    };

    const send = async (request: number): Promise<void> => {
      const batch = batchRows(request);
      callbacks.onRequestStart?.({ request, requests, rows: batch });
      let ok = false;
      try {
        if (signal?.aborted) throw abortError(signal);
        const body = encoder.encode(batch);
        for (let tries = 0;; tries++) {
          try {
            const values = await attempt(body, batch.length);
            for (let i = 0; i < batch.length; i++) predictions[batch[i]] = values[i];
            ok = true;
            return;
          } catch (error) {
            const failure = error as Error;
            if (!retryable.has(failure) || tries >= settings.retries || signal?.aborted) {
              throw failure;
            }
            const ceiling = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** tries);
            const waitMs = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
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
          failures.push({ rows: batchRows(request), error: abortError(signal), request });
          continue;
        }
        await send(request);
        if (settings.delayMs !== undefined && next < requests) {
          await sleep(settings.delayMs, signal);
        }
      }
    };

    const workers = Math.min(settings.concurrency, requests);
    await Promise.all(Array.from({ length: workers }, worker));
    failures.sort((a, b) => a.request - b.request);
    return { predictions, failures, requests, attempts, aborted };
  }
}
