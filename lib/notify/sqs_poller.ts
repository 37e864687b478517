/**
 * The SQS consuming loop: long-polls a queue with several receives in flight, hands each batch to a
 * handler one batch at a time, and deletes (DeleteMessageBatch, partial failures retried) only what
 * the handler says it has finished with. Network errors, throttling and 5xx are retried with
 * backoff; missing or rejected credentials, a missing queue and access denied end the loop with a
 * {@linkcode RemoteError}. Stopping (an AbortSignal) issues no new receive, lets the ones in flight
 * end (within the wait time) and makes what they bring visible again at once, and finishes handling
 * and deleting what was received before.
 * @module
 */

import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type AwsConnection, redactSecrets } from "./aws_credentials.ts";
import { RemoteError } from "../errors.ts";
import { backoffDelay, networkErrorCode, sleep } from "../retry.ts";

/** Builds an SQS client for a resolved connection; SDK retries are off, the poller retries itself. */
export function createSqsClient(connection: AwsConnection): SQSClient {
  return new SQSClient({
    region: connection.region,
    credentials: connection.credentials,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    // The endpoint is resolved already (lib/aws_credentials.ts); without this the SDK warns on stdout
    // whenever the queue URL's host differs from it.
    useQueueUrlAsEndpoint: false,
    maxAttempts: 1,
  });
}

/** What the handler did with a batch: which messages to delete and which to hand back at once. */
export interface BatchOutcome {
  /** Handled and written out: deleted (when the caller deletes at all). */
  readonly delete?: readonly Message[];
  /** Not handled (e.g. past --max-messages): made visible again at once. Others stay until their visibility timeout ends. */
  readonly release?: readonly Message[];
  /**
   * False when the batch brought nothing new (only messages seen before, such as a malformed one
   * back after its visibility timeout), so it does not hold off `idleExitMs`. Default true.
   */
  readonly activity?: boolean;
}

/** Handles one received batch; called for one batch at a time, in the order they arrived. */
export type BatchHandler = (
  messages: Message[],
  receivedAt: Date,
) => BatchOutcome | Promise<BatchOutcome>;

/** Something the poller did, for status lines and logs. */
export type PollEvent =
  | { type: "poll"; messages: number }
  | { type: "deleted"; count: number }
  | { type: "delete-failed"; failures: { messageId: string; reason: string }[] }
  | { type: "released"; count: number }
  | {
    type: "retry";
    operation: "ReceiveMessage" | "DeleteMessageBatch";
    attempt: number;
    delayMs: number;
    reason: string;
  }
  | { type: "recovered"; operation: "ReceiveMessage" | "DeleteMessageBatch" }
  | { type: "stopping"; reason: StopReason };

/** Why the loop ended. */
export type StopReason = "signal" | "idle" | "error";

/** Options of {@linkcode pollQueue}. */
export interface PollOptions {
  /** The queue to consume. */
  queueUrl: string;
  /** Messages per ReceiveMessage, 1..10 (default 10). */
  batchSize?: number;
  /** Long-poll wait, 0..20 s (default 10). */
  waitTimeSeconds?: number;
  /** Visibility timeout asked for on receive, seconds (default 60). */
  visibilityTimeout?: number;
  /** Receives kept in flight while messages flow (default 4); one when the queue is idle. */
  concurrency?: number;
  /** Stops the loop gracefully when aborted: no new receives; received batches are finished. */
  signal?: AbortSignal;
  /** Stop after this many milliseconds without a message. */
  idleExitMs?: number;
  /** Whether to delete what the handler marks (default true). */
  deleteMessages?: boolean;
  /** Receives one event per thing that happened. */
  onEvent?: (event: PollEvent) => void;
  /** First retry delay in ms (default 200); doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  /** Longest retry delay in ms (default 10000). */
  maxBackoffMs?: number;
  /** Texts to keep out of error messages (secret keys). */
  secrets?: readonly string[];
}

/** Counts of what {@linkcode pollQueue} did. */
export interface PollSummary {
  /** Receives handled while running (answers that came after a stop are not counted). */
  polls: number;
  /** ReceiveMessage calls SQS answered, whenever they came: 0 means the queue was never reached. */
  answered: number;
  received: number;
  deleted: number;
  deleteFailed: number;
  released: number;
  reason: StopReason;
  /** Why the last failed ReceiveMessage failed (one line, no secrets), if one ever failed. */
  lastReceiveError?: string;
}

/** How a failed SQS call is treated. */
export type FailureKind = "retry" | "fatal";

const RETRY_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestThrottled",
  "AWS.SimpleQueueService.RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "KmsThrottled",
  "OverLimit",
  "ServiceUnavailable",
  "InternalError",
  "InternalFailure",
  "RequestTimeout",
  "RequestTimeoutException",
  "TimeoutError",
  "NetworkingError",
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  Code?: string;
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === "object" && error !== null ? error as SdkErrorShape : {};
}

/** Whether a failed SQS call is worth retrying (network, throttling, 5xx) or must end the loop. */
export function classifyFailure(error: unknown): FailureKind {
  const e = shapeOf(error);
  const status = e.$metadata?.httpStatusCode;
  if (e.name === "CredentialsProviderError") return "fatal";
  if (RETRY_CODES.has(e.name ?? "") || RETRY_CODES.has(e.Code ?? "")) return "retry";
  if (status !== undefined && (status >= 500 || status === 429)) return "retry";
  if (e.$fault === "server") return "retry";
  if (status !== undefined) return "fatal";
  // No HTTP answer at all: the request never got through (refused, reset, DNS, timeout).
  if (networkErrorCode(error) !== undefined) return "retry";
  const text = `${e.name ?? ""} ${e.message ?? ""}`;
  if (/ECONN|EPIPE|socket|network|connection|timed? ?out|fetch failed|EOF/i.test(text)) {
    return "retry";
  }
  return "fatal";
}

/** A one-line reason for a failed call, without secrets. */
function describeFailure(error: unknown, secrets: readonly string[] = []): string {
  const e = shapeOf(error);
  const status = e.$metadata?.httpStatusCode;
  const code = e.code && e.code !== e.name ? ` ${e.code}` : "";
  const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
  const text = `${name}${e.message ?? String(error)}${code}${status ? ` (HTTP ${status})` : ""}`;
  return redactSecrets(text.replace(/\s+/g, " ").trim(), secrets);
}

/** Turns a fatal SQS failure into a {@linkcode RemoteError} that says what to do. */
function fatalSqsError(
  error: unknown,
  context: { operation: string; queueUrl: string; secrets?: readonly string[] },
): RemoteError {
  const { operation, queueUrl, secrets = [] } = context;
  const e = shapeOf(error);
  const name = e.name ?? "";
  const status = e.$metadata?.httpStatusCode;
  const detail = describeFailure(error, secrets);
  const options = (hint: string) => ({ hint, cause: error, status });
  if (name === "CredentialsProviderError") {
    return new RemoteError(
      `no AWS credentials found (${detail})`,
      options(
        "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, use --profile (after 'aws sso login' for SSO), or run where a role is attached.",
      ),
    );
  }
  if (
    /InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature|ExpiredToken|InvalidAccessKeyId|IncompleteSignature|AuthFailure|InvalidSecurity/i
      .test(name)
  ) {
    return new RemoteError(
      `SQS rejected the AWS credentials (${detail})`,
      options(
        "Check the access key and secret, refresh expired session credentials, or pick another --profile.",
      ),
    );
  }
  if (/NonExistentQueue|QueueDoesNotExist/i.test(name) || /NonExistentQueue/.test(e.Code ?? "")) {
    return new RemoteError(
      `the queue ${queueUrl} does not exist (${detail})`,
      options(
        "Check --queue-url and --region (the queue must be in the region the request goes to).",
      ),
    );
  }
  if (/AccessDenied|NotAuthorized|Forbidden|KmsAccessDenied/i.test(name) || status === 403) {
    return new RemoteError(
      `access to the queue ${queueUrl} was denied (${detail})`,
      options(
        `Grant the identity sqs:ReceiveMessage and sqs:DeleteMessage on the queue (and kms:Decrypt if it is encrypted).`,
      ),
    );
  }
  return new RemoteError(
    `SQS refused ${operation} on ${queueUrl}: ${detail}`,
    options(
      "Check the flags; run again with --debug for details.",
    ),
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Consumes `options.queueUrl` until `options.signal` aborts, the queue stays idle for `idleExitMs`, or a
 * fatal error (thrown as {@linkcode RemoteError} after received batches were finished). Batches go
 * to `handler` one at a time; what it returns in `delete` is deleted in the background while the
 * next receives are already in flight.
 */
export async function pollQueue(
  client: SQSClient,
  handler: BatchHandler,
  options: PollOptions,
): Promise<PollSummary> {
  const queueUrl = options.queueUrl;
  const batchSize = options.batchSize ?? 10;
  const waitTimeSeconds = options.waitTimeSeconds ?? 10;
  const visibilityTimeout = options.visibilityTimeout ?? 60;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const deleteMessages = options.deleteMessages ?? true;
  const baseMs = options.backoffMs ?? 200;
  const maxMs = options.maxBackoffMs ?? 10_000;
  const secrets = options.secrets ?? [];
  const emit = (event: PollEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A status display must not break consuming.
    }
  };

  const summary: PollSummary = {
    polls: 0,
    answered: 0,
    received: 0,
    deleted: 0,
    deleteFailed: 0,
    released: 0,
    reason: "signal",
  };
  const stop = new AbortController();
  // Receives in flight are not aborted on a graceful stop: a long poll cut off client-side may still
  // take messages on the server, hiding them for the visibility timeout. They end within the wait
  // time, and what they bring after the stop is made visible again at once. Only fatal errors and
  // the end of the loop abort them.
  const hard = new AbortController();
  let fatal: { error: unknown } | undefined;
  const stopWith = (reason: StopReason): void => {
    if (stop.signal.aborted) return;
    summary.reason = reason;
    emit({ type: "stopping", reason });
    stop.abort();
  };
  const onOuterAbort = () => stopWith("signal");
  if (options.signal?.aborted) stopWith("signal");
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  let lastMessageAt = Date.now();
  let handlingCount = 0;
  let idleTimer: ReturnType<typeof setInterval> | undefined;
  if (options.idleExitMs !== undefined && options.idleExitMs > 0) {
    const idleMs = options.idleExitMs;
    idleTimer = setInterval(() => {
      if (handlingCount === 0 && Date.now() - lastMessageAt >= idleMs) stopWith("idle");
    }, Math.max(10, Math.min(250, idleMs / 4)));
  }

  // Extra receivers only run while messages flow, so an idle queue costs one long poll at a time.
  let busy = false;
  let wakeBusy: (() => void) | undefined;
  let busyPromise: Promise<void> | undefined;
  const setBusy = (value: boolean): void => {
    busy = value;
    if (value && wakeBusy) {
      wakeBusy();
      wakeBusy = undefined;
      busyPromise = undefined;
    }
  };
  const waitBusy = (): Promise<void> => {
    if (busy || stop.signal.aborted) return Promise.resolve();
    if (!busyPromise) busyPromise = new Promise((resolve) => (wakeBusy = resolve));
    return busyPromise;
  };
  stop.signal.addEventListener("abort", () => {
    wakeBusy?.();
    wakeBusy = undefined;
  });

  // With an idle limit a long poll never outlasts it by more than a second, so the exit is prompt.
  function pollWaitSeconds(): number {
    if (options.idleExitMs === undefined || options.idleExitMs <= 0) return waitTimeSeconds;
    const left = options.idleExitMs - (Date.now() - lastMessageAt);
    return Math.max(0, Math.min(waitTimeSeconds, Math.ceil(left / 1000)));
  }

  let receiveFailures = 0;
  async function receive(count: number): Promise<Message[]> {
    for (;;) {
      if (stop.signal.aborted) return [];
      try {
        const output = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: count,
            // While messages flow a receive never waits (the queue answers at once, or it has run
            // dry and the next one long-polls), so a stop or --max-messages ends promptly.
            WaitTimeSeconds: busy ? 0 : pollWaitSeconds(),
            VisibilityTimeout: visibilityTimeout,
            MessageAttributeNames: ["All"],
            MessageSystemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount"],
          }),
          { abortSignal: hard.signal },
        );
        summary.answered++;
        if (receiveFailures > 0) {
          receiveFailures = 0;
          emit({ type: "recovered", operation: "ReceiveMessage" });
        }
        return output.Messages ?? [];
      } catch (error) {
        if (hard.signal.aborted) return [];
        if (classifyFailure(error) === "fatal") {
          throw fatalSqsError(error, { operation: "ReceiveMessage", queueUrl, secrets });
        }
        summary.lastReceiveError = describeFailure(error, secrets);
        if (stop.signal.aborted) return [];
        receiveFailures++;
        setBusy(false);
        const delayMs = backoffDelay(receiveFailures, { baseMs, capMs: maxMs });
        emit({
          type: "retry",
          operation: "ReceiveMessage",
          attempt: receiveFailures,
          delayMs,
          reason: summary.lastReceiveError,
        });
        await sleep(delayMs, stop.signal);
      }
    }
  }

  const pendingDeletes = new Set<Promise<void>>();
  let deleteFailures = 0;
  async function deleteChunk(messages: Message[], deadline: number): Promise<void> {
    let remaining = messages;
    let attempt = 0;
    const failures: { messageId: string; reason: string }[] = [];
    while (remaining.length > 0) {
      attempt++;
      let retryReason: string | undefined;
      try {
        const output = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: remaining.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        const done = output.Successful?.length ?? 0;
        summary.deleted += done;
        if (done > 0) emit({ type: "deleted", count: done });
        const again: Message[] = [];
        for (const failed of output.Failed ?? []) {
          const message = remaining[Number(failed.Id)];
          if (!message) continue;
          const reason = `${failed.Code ?? "error"}: ${failed.Message ?? "no reason given"}`;
          // Sender faults (an expired receipt handle) fail the same way every time.
          if (failed.SenderFault) {
            failures.push({ messageId: message.MessageId ?? "?", reason });
          } else {
            again.push(message);
            retryReason = reason;
          }
        }
        remaining = again;
        if (deleteFailures > 0 && retryReason === undefined) {
          deleteFailures = 0;
          emit({ type: "recovered", operation: "DeleteMessageBatch" });
        }
      } catch (error) {
        if (classifyFailure(error) === "fatal") {
          const fatalError = fatalSqsError(error, {
            operation: "DeleteMessageBatch",
            queueUrl,
            secrets,
          });
          for (const m of remaining) {
            failures.push({ messageId: m.MessageId ?? "?", reason: fatalError.message });
          }
          remaining = [];
          if (!fatal) fatal = { error: fatalError };
          stopWith("error");
          hard.abort();
          break;
        }
        retryReason = describeFailure(error, secrets);
        deleteFailures++;
      }
      if (remaining.length === 0) break;
      const delayMs = backoffDelay(attempt, { baseMs, capMs: maxMs });
      // Past the visibility timeout the receipt handles are stale and the messages come back anyway.
      if (attempt >= 5 && Date.now() + delayMs > deadline) {
        for (const m of remaining) {
          failures.push({ messageId: m.MessageId ?? "?", reason: retryReason ?? "not deleted" });
        }
        break;
      }
      emit({
        type: "retry",
        operation: "DeleteMessageBatch",
        attempt,
        delayMs,
        reason: retryReason ?? "partial failure",
      });
      await sleep(delayMs);
    }
    if (failures.length > 0) {
      summary.deleteFailed += failures.length;
      emit({ type: "delete-failed", failures });
    }
  }

  function scheduleDelete(messages: readonly Message[], receivedAt: number): void {
    const deadline = receivedAt + visibilityTimeout * 1000;
    for (const chunk of chunks(messages.filter((m) => m.ReceiptHandle), 10)) {
      const task = deleteChunk(chunk, deadline).finally(() => pendingDeletes.delete(task));
      pendingDeletes.add(task);
    }
  }

  function scheduleRelease(messages: readonly Message[]): void {
    for (const chunk of chunks(messages.filter((m) => m.ReceiptHandle), 10)) {
      const task = client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      ).then(
        (output) => {
          const count = output.Successful?.length ?? 0;
          summary.released += count;
          if (count > 0) emit({ type: "released", count });
        },
        // Best effort: unreleased messages come back when their visibility timeout ends.
        () => {},
      ).finally(() => pendingDeletes.delete(task));
      pendingDeletes.add(task);
    }
  }

  // Batches are handled strictly one after another, in arrival order.
  let handlingChain: Promise<void> = Promise.resolve();
  function handle(messages: Message[]): Promise<void> {
    const receivedAt = new Date();
    handlingCount++;
    const run = handlingChain.then(async () => {
      let activity = true;
      try {
        if (fatal) return;
        const outcome = await handler(messages, receivedAt);
        activity = outcome.activity ?? true;
        if (deleteMessages && outcome.delete && outcome.delete.length > 0) {
          scheduleDelete(outcome.delete, receivedAt.getTime());
        }
        if (outcome.release && outcome.release.length > 0) scheduleRelease(outcome.release);
      } catch (error) {
        if (!fatal) fatal = { error };
        stopWith("error");
        hard.abort();
      } finally {
        handlingCount--;
        if (activity) lastMessageAt = Date.now();
      }
    });
    handlingChain = run;
    return run;
  }

  async function worker(id: number): Promise<void> {
    while (!stop.signal.aborted) {
      if (id > 0 && !busy) {
        await waitBusy();
        continue;
      }
      let messages: Message[];
      try {
        messages = await receive(batchSize);
      } catch (error) {
        if (!fatal) fatal = { error };
        stopWith("error");
        hard.abort();
        return;
      }
      if (stop.signal.aborted) {
        // Arrived after the stop: not ours to show; visible again for the next consumer now.
        if (messages.length > 0) {
          summary.received += messages.length;
          scheduleRelease(messages);
        }
        return;
      }
      summary.polls++;
      emit({ type: "poll", messages: messages.length });
      if (messages.length === 0) {
        setBusy(false);
        continue;
      }
      summary.received += messages.length;
      // The idle clock restarts when the handler says the batch was news (handle() below); while
      // it is being handled, handlingCount holds the idle exit off.
      setBusy(true);
      // Waiting for our own batch bounds the backlog to one batch per receiver.
      await handle(messages);
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
    await handlingChain;
    while (pendingDeletes.size > 0) await Promise.all([...pendingDeletes]);
  } finally {
    if (idleTimer !== undefined) clearInterval(idleTimer);
    options.signal?.removeEventListener("abort", onOuterAbort);
    stop.abort();
    hard.abort();
  }
  if (fatal) throw fatal.error;
  return summary;
}
