/**
 * Consuming the attack queue while a replay sends: every notification is decoded and handed to the
 * {@linkcode AlertMatcher}; with `deleteMessages` the ones that matched a flow of this run are
 * deleted, and the rest (other runs', stale, malformed) are left for their owners. The AWS SDK is
 * loaded only when a queue is watched.
 * @module
 */

import type { AwsConnectionInput, PollEvent, PollSummary } from "../notify/mod.ts";
import type { AlertMatcher, AlertVerdict } from "./alerts.ts";

/** Options of {@linkcode watchAlerts}. */
export interface AlertWatchOptions {
  /** Where the queue is and who reads it (consume's flags). */
  connection: AwsConnectionInput;
  /** Delete the notifications matched to this run's flows (default false). */
  deleteMessages?: boolean;
  /** Long-poll wait, s (default 1: a stop takes at most that long). */
  waitTimeSeconds?: number;
  /** How long received messages stay hidden, s (default 60). */
  visibilityTimeout?: number;
  /** Receives one event per thing the poller did (retries, deletions). */
  onEvent?: (event: PollEvent) => void;
}

/** A running queue watch. */
export interface AlertWatch {
  /** Notifications received so far (messages, each counted once). */
  readonly received: number;
  /** Messages that are no ML-IDS notification, so far. */
  readonly malformed: number;
  /** Resolves once the first receive was answered: alerts sent from then on are seen. */
  readonly ready: Promise<void>;
  /** Stops receiving (within the wait time), finishing what was received; rejects if the poller failed. */
  stop(): Promise<PollSummary>;
}

/** Verdicts for which a message is this run's to delete. */
const OURS: ReadonlySet<AlertVerdict> = new Set([
  "matched",
  "provisional",
  "benign",
  "unanswered",
  "duplicate",
]);

/** Starts consuming the queue into `matcher` (see the module doc). */
export async function watchAlerts(
  matcher: AlertMatcher,
  options: AlertWatchOptions,
): Promise<AlertWatch> {
  const { createSqsClient, decodeNotification, pollQueue, resolveSqsConnection } = await import(
    "../notify/mod.ts"
  );
  const connection = await resolveSqsConnection(options.connection);
  const client = createSqsClient(connection);
  const controller = new AbortController();
  const seen = new Set<string>();
  let received = 0;
  let malformed = 0;
  const ready = Promise.withResolvers<void>();
  const polling = pollQueue(client, (messages) => {
    const receivedAt = performance.now();
    const ours = [];
    for (const message of messages) {
      const id = message.MessageId ?? "";
      // A message left alone comes back after its visibility timeout: count it once.
      if (seen.has(id)) continue;
      seen.add(id);
      received++;
      const decoded = decodeNotification(message);
      if (!decoded.ok) {
        malformed++;
        continue;
      }
      const verdicts = matcher.receive(decoded.notification, receivedAt);
      if (verdicts.length > 0 && verdicts.every((verdict) => OURS.has(verdict))) {
        ours.push(message);
      }
    }
    return { delete: options.deleteMessages ? ours : [] };
  }, {
    queueUrl: options.connection.queueUrl,
    waitTimeSeconds: options.waitTimeSeconds ?? 1,
    visibilityTimeout: options.visibilityTimeout ?? 60,
    deleteMessages: options.deleteMessages ?? false,
    signal: controller.signal,
    secrets: connection.secrets,
    onEvent: (event) => {
      if (event.type === "poll") ready.resolve();
      options.onEvent?.(event);
    },
  });
  polling.then(() => ready.resolve(), (error) => ready.reject(error));
  // Whoever awaits `ready` or `stop()` sees a failure; nothing is left unhandled meanwhile.
  ready.promise.catch(() => {});
  polling.catch(() => {});
  return {
    get received() {
      return received;
    },
    get malformed() {
      return malformed;
    },
    ready: ready.promise,
    async stop(): Promise<PollSummary> {
      controller.abort();
      try {
        return await polling;
      } finally {
        client.destroy();
      }
    },
  };
}
