/**
 * One exchange with the ML-IDS prediction API: POST a request body, read back one prediction per
 * flow, turn every way that fails into a {@linkcode RemoteError} (marked retryable for 5xx,
 * timeouts and connection failures). It also chooses each request's TCP connection (see
 * `_connections.ts`: a kept-alive one, or a fresh one against servers that stall on reuse).
 * Retries, batching and pacing belong to the callers ({@linkcode PredictionClient}, replay).
 * @module
 */

import { RemoteError, UsageError } from "../errors.ts";
import {
  ConnectionChooser,
  type ConnectionMode,
  type ConnectionPolicy,
  type ConnectionSwitch,
} from "./_connections.ts";

export type { ConnectionMode, ConnectionPolicy, ConnectionSwitch } from "./_connections.ts";

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

/** Options of a {@linkcode PredictionApi}. */
export interface PredictionApiOptions {
  apiUrl: string;
  /** Default: what {@linkcode resolveEndpoint} says for `apiUrl`. */
  payloadFormat?: PayloadFormat;
  /** Per request, answer body included (default 30000). */
  timeoutMs?: number;
  /** How each request's connection is chosen (default `auto`: measured, see `_connections.ts`). */
  connection?: ConnectionPolicy;
  /** Called once when `auto` finds reused connections stalling and moves to fresh ones. */
  onConnectionSwitch?: (change: ConnectionSwitch) => void;
}

/** Errors worth another attempt: 5xx, timeouts, connection failures. */
const retryable = new WeakSet<Error>();

/** Whether `error` (from {@linkcode PredictionApi.predict}) is worth another attempt: 5xx, timeout, connection. */
export function isRetryable(error: unknown): boolean {
  return error instanceof Error && retryable.has(error);
}

/** The RemoteError a cancelled request becomes. */
export function cancelledError(signal: AbortSignal): RemoteError {
  const reason = signal.reason;
  return new RemoteError("prediction requests were cancelled", {
    cause: reason,
    hint: reason instanceof Error ? reason.message : undefined,
  });
}

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

/** The ML-IDS prediction endpoint: posts bodies, parses answers. Close it when done. */
export class PredictionApi {
  readonly url: URL;
  readonly payloadFormat: PayloadFormat;
  /** The Content-Type header every request carries. */
  readonly contentType: string;
  readonly timeoutMs: number;
  readonly #chooser: ConnectionChooser;
  /** Made on first use: a client that keeps no idle connection, for requests on fresh ones. */
  #freshClient: Deno.HttpClient | undefined;
  #closed = false;

  constructor(options: PredictionApiOptions) {
    const { url, payloadFormat } = resolveEndpoint(options.apiUrl);
    const format = options.payloadFormat ?? payloadFormat;
    if (format !== "pandas-split" && format !== "dataframe-split") {
      throw new UsageError(`unknown payload format '${format}'`, {
        hint: "use pandas-split or dataframe-split",
      });
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 1) {
      throw new UsageError(`timeout must be a number of milliseconds >= 1, not ${timeoutMs}`);
    }
    const connection = options.connection ?? "auto";
    if (connection !== "auto" && connection !== "reuse" && connection !== "fresh") {
      throw new UsageError(`unknown connection policy '${connection}'`, {
        hint: "use auto, reuse or fresh",
      });
    }
    this.url = url;
    this.payloadFormat = format;
    this.contentType = format === "pandas-split" ? PANDAS_SPLIT_TYPE : "application/json";
    this.timeoutMs = timeoutMs;
    this.#chooser = new ConnectionChooser(connection, options.onConnectionSwitch);
  }

  /** The connection mode requests use now (`fresh` after `auto` found a stall). */
  get connectionMode(): ConnectionMode {
    return this.#chooser.mode;
  }

  /**
   * POSTs `body` and returns the `expected` predictions; throws a RemoteError (see
   * {@linkcode isRetryable}) for anything else, or the cancelled error when `signal` aborts.
   */
  async predict(
    body: Uint8Array<ArrayBuffer>,
    expected: number,
    options: { signal?: AbortSignal } = {},
  ): Promise<Float64Array> {
    const signal = options.signal;
    if (signal?.aborted) throw cancelledError(signal);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const where = this.url.href;
    const mode = this.#chooser.choose();
    let status = 0;
    let bytes: Uint8Array;
    const started = performance.now();
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: mode === "fresh"
          ? { "Content-Type": this.contentType, "Connection": "close" }
          : { "Content-Type": this.contentType },
        body,
        signal: controller.signal,
        ...(mode === "fresh" ? { client: this.#fresh() } : {}),
      });
      status = response.status;
      bytes = await response.bytes();
    } catch (error) {
      if (signal?.aborted) throw cancelledError(signal);
      const failure = timedOut
        ? new RemoteError(
          `the ML-IDS API at ${where} did not answer within ${this.timeoutMs} ms`,
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
    this.#chooser.record(mode, performance.now() - started);
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
        `the ML-IDS API at ${where} refused the request (HTTP ${status}): ${serverMessage(bytes)}`,
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
  }

  /** Releases the fresh-connection client; the API object is not used after. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#freshClient?.close();
    this.#freshClient = undefined;
  }

  #fresh(): Deno.HttpClient {
    // A client of its own that keeps no idle connection: a fresh request never picks up a
    // kept-alive connection (which would stall), and the kept-alive pool stays for `reuse`.
    this.#freshClient ??= Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    return this.#freshClient;
  }
}
