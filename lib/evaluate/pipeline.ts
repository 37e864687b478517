/**
 * The evaluation pipeline: flows are read in dataset order (a scan, batch by batch), encoded as
 * a request body, sent with `concurrency` requests in flight (retried with backoff, paced by an
 * optional flow rate), scored, handed to `onBatch` one batch at a time, and dropped. Memory holds
 * a few batches whatever the dataset's size. Stopping (`stop`) sends nothing new but lets the
 * requests in flight finish and be handed over; aborting (`abort`) cancels those too.
 * @module
 */

import { backoffDelay, sleep } from "../retry.ts";
import type { FlowDataset } from "../dataset/mod.ts";
import { type FlowFrame, SplitJsonEncoder } from "../frame/mod.ts";
import { labelsOf, type PayloadFormat } from "../predict/mod.ts";
import { type BatchTally, tallyBatch } from "./tally.ts";

/** The prediction endpoint: one POST of a request body, the raw predictions back (or a throw). */
export interface PredictionEndpoint {
  readonly payloadFormat: PayloadFormat;
  predict(
    body: Uint8Array<ArrayBuffer>,
    expected: number,
    options?: { signal?: AbortSignal },
  ): Promise<Float64Array>;
}

/** A batch answered and scored. */
export interface CompletedBatch {
  /** First and last row positions of the batch (dataset order). */
  readonly first: number;
  readonly last: number;
  /** The pandas index of each flow. */
  readonly index: BigInt64Array;
  /** The label of each flow (null: none). */
  readonly labels: readonly (string | null)[];
  /** The raw prediction of each flow. */
  readonly raw: Float64Array;
  readonly tally: BatchTally;
  /** Milliseconds of each answered attempt (one unless an attempt failed first). */
  readonly latencies: readonly number[];
  /** HTTP attempts, retries included. */
  readonly attempts: number;
}

/** A batch that got no prediction. */
export interface FailedBatch {
  readonly first: number;
  readonly last: number;
  readonly flows: number;
  readonly attempts: number;
  readonly error: Error;
}

/** Options of {@linkcode runPipeline}. */
export interface PipelineOptions {
  /** The rows to send (ascending), or null for every row. */
  rows: Uint32Array | null;
  /** Columns sent, in dataset order. */
  featureColumns: readonly string[];
  labelColumn: string | null;
  endpoint: PredictionEndpoint;
  /** Whether a failed attempt is worth another (5xx, timeouts, connection failures). */
  isRetryable: (error: unknown) => boolean;
  /** Flows per request (at most). */
  batchSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Extra attempts per request. */
  retries: number;
  /** First retry waits about this long, doubling each time (default 200 ms, at most 5 s). */
  retryBaseMs?: number;
  /** At most this many flows per second, averaged from the start (default no limit). */
  maxRate?: number;
  threshold: number;
  /** Sends nothing new once aborted; requests in flight finish and are handed over. */
  stop?: AbortSignal;
  /** Cancels the requests in flight too. */
  abort?: AbortSignal;
  /** Stops after this many batches in a row got no prediction (default concurrency + 2). */
  maxConsecutiveFailures?: number;
  /** Called with each answered batch, one at a time, in the order they complete; awaited. */
  onBatch: (batch: CompletedBatch) => Promise<void>;
  /** Told when a request goes out (first attempt). */
  onRequest?: (info: { flows: number }) => void;
  /** Told of each retry. */
  onRetry?: (info: { error: Error; attempt: number; waitMs: number }) => void;
  /** Told of each batch that got no prediction. */
  onFailure?: (batch: FailedBatch) => void;
}

/** How a pipeline run ended. */
export interface PipelineOutcome {
  /** Flows answered (handed to onBatch). */
  readonly answered: number;
  readonly failures: readonly FailedBatch[];
  /** Stopped by `stop` or `abort` before every row was sent. */
  readonly stopped: boolean;
  /** Set when the run gave up after too many failed batches in a row: the last failure. */
  readonly gaveUp: Error | null;
}

const RETRY_CAP_MS = 5_000;

/** Paces requests to at most `rate` flows per second on average, across every worker. */
function pacer(rate: number | undefined): (flows: number, signal?: AbortSignal) => Promise<void> {
  if (rate === undefined) return () => Promise.resolve();
  let nextAt = performance.now();
  return async (flows, signal) => {
    const now = performance.now();
    const at = Math.max(now, nextAt);
    nextAt = at + (flows / rate) * 1000;
    await sleep(at - now, signal);
  };
}

function bodyOf(frame: FlowFrame, columns: readonly string[], format: PayloadFormat) {
  const encoder = new SplitJsonEncoder(frame, {
    columns,
    prefix: format === "dataframe-split" ? '{"dataframe_split":' : "",
    suffix: format === "dataframe-split" ? "}" : "",
  });
  return encoder.encode(Array.from({ length: frame.length }, (_, i) => i));
}

/** Sends the rows of `dataset` that `options.rows` names, scoring each answered batch. */
export async function runPipeline(
  dataset: FlowDataset,
  options: PipelineOptions,
): Promise<PipelineOutcome> {
  const { stop, abort } = options;
  const scanStop = new AbortController();
  const scan = dataset.scan({
    ...(options.rows === null ? {} : { rows: options.rows }),
    batchRows: options.batchSize,
    signal: scanStop.signal,
  })[Symbol.asyncIterator]();
  const pace = pacer(options.maxRate);
  const maxFailures = options.maxConsecutiveFailures ?? options.concurrency + 2;
  const failures: FailedBatch[] = [];
  let answered = 0;
  let consecutiveFailures = 0;
  let gaveUp: Error | null = null;
  let fatal: unknown = null;
  let exhausted = false;
  let commits: Promise<void> = Promise.resolve();
  const halted = () =>
    exhausted || fatal !== null || gaveUp !== null || stop?.aborted === true ||
    abort?.aborted === true;

  const send = async (body: Uint8Array<ArrayBuffer>, flows: number) => {
    const latencies: number[] = [];
    let attempts = 0;
    for (let tries = 0;; tries++) {
      await pace(flows, abort);
      if (abort?.aborted) throw abort.reason;
      attempts++;
      const started = performance.now();
      try {
        const raw = await options.endpoint.predict(body, flows, { signal: abort });
        latencies.push(performance.now() - started);
        return { raw, latencies, attempts };
      } catch (error) {
        if (abort?.aborted) throw abort.reason;
        if (!options.isRetryable(error) || tries >= options.retries) {
          throw Object.assign(error as Error, { attempts });
        }
        const waitMs = backoffDelay(tries + 1, {
          baseMs: options.retryBaseMs ?? 200,
          capMs: RETRY_CAP_MS,
        });
        options.onRetry?.({ error: error as Error, attempt: tries + 1, waitMs });
        await sleep(waitMs, abort);
      }
    }
  };

  const worker = async (): Promise<void> => {
    while (!halted()) {
      let next: IteratorResult<{ frame: FlowFrame; rows: Uint32Array }>;
      try {
        next = await scan.next();
      } catch (error) {
        if (!scanStop.signal.aborted) fatal ??= error;
        return;
      }
      if (next.done) {
        exhausted = true;
        return;
      }
      const { frame, rows } = next.value;
      const first = rows[0];
      const last = rows[rows.length - 1];
      if (halted()) return;
      const body = bodyOf(frame, options.featureColumns, options.endpoint.payloadFormat);
      const labels = labelsOf(frame, options.labelColumn);
      options.onRequest?.({ flows: frame.length });
      let result: Awaited<ReturnType<typeof send>>;
      try {
        result = await send(body, frame.length);
      } catch (error) {
        if (abort?.aborted) return;
        const failure: FailedBatch = {
          first,
          last,
          flows: frame.length,
          attempts: (error as { attempts?: number }).attempts ?? 1,
          error: error as Error,
        };
        failures.push(failure);
        options.onFailure?.(failure);
        if (++consecutiveFailures >= maxFailures) gaveUp = failure.error;
        continue;
      }
      consecutiveFailures = 0;
      const done: CompletedBatch = {
        first,
        last,
        index: frame.index,
        labels,
        raw: result.raw,
        tally: tallyBatch(labels, result.raw, options.threshold),
        latencies: result.latencies,
        attempts: result.attempts,
      };
      // Batches are handed over one at a time; a worker waits for its own before taking more.
      const commit = commits.then(() => fatal === null ? options.onBatch(done) : undefined);
      commits = commit.catch(() => {});
      try {
        await commit;
        answered += frame.length;
      } catch (error) {
        fatal ??= error;
        return;
      }
    }
  };

  try {
    const workers = Array.from({ length: Math.max(1, options.concurrency) }, worker);
    await Promise.all(workers);
    await commits;
  } finally {
    scanStop.abort();
    await scan.return?.().catch(() => {});
  }
  if (fatal !== null) throw fatal;
  return {
    answered,
    failures,
    stopped: !exhausted && gaveUp === null && (stop?.aborted === true || abort?.aborted === true),
    gaveUp,
  };
}
