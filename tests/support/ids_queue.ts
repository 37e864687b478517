/**
 * The ML-IDS notification path in the fauxqs emulator for tests: the predictions topic and the
 * attack queue (created, optionally filled, torn down with the emulator), prediction notices to
 * publish, and reading flow indexes back off the queue.
 * @module
 */

import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import {
  createIdsTopology,
  type Emulator,
  type IdsTopology,
  withEmulator,
} from "../../dev/emulator.ts";
import { type PredictionNotice, publishPredictions } from "../../dev/publish_notifications.ts";
import { decodeNotification } from "../../lib/notify/notification.ts";
import type { Message } from "@aws-sdk/client-sqs";

/** The columns of {@linkcode notices}. */
export const NOTICE_COLUMNS: readonly string[] = ["dst_port", "protocol", "timestamp"];

/**
 * `count` notices with indexes from `start` (default 0): dst_port 1000+index, TCP, one timestamp,
 * all with `prediction` (default 1: attacks, which the queue's filter lets through).
 */
export function notices(
  count: number,
  options: { start?: number; prediction?: 0 | 1 } = {},
): PredictionNotice[] {
  const start = options.start ?? 0;
  return Array.from({ length: count }, (_, i) => ({
    columns: NOTICE_COLUMNS,
    index: start + i,
    row: [1000 + start + i, 6, "21/02/2018 10:15:06"],
    prediction: options.prediction ?? 1,
  }));
}

/**
 * Runs `body` with an emulator holding the ML-IDS topology (the `publish` notices already sent
 * through the topic), and stops the emulator afterwards, whatever happens.
 */
export function withIdsQueue(
  options: { publish?: readonly PredictionNotice[]; rawDelivery?: boolean },
  body: (emulator: Emulator, topology: IdsTopology) => Promise<void>,
): Promise<void> {
  return withEmulator(async (emulator) => {
    const topology = await createIdsTopology(emulator, { rawDelivery: options.rawDelivery });
    if (options.publish) {
      await publishPredictions(emulator.sns, topology.topicArn, options.publish);
    }
    await body(emulator, topology);
  });
}

/** The flow index of a notification message; throws for a malformed one. */
export function flowIndexOf(message: Message): number {
  const decoded = decodeNotification(message);
  if (!decoded.ok) throw new Error(`malformed: ${decoded.malformed.reason}`);
  return Number(decoded.notification.flows[0].index);
}

/**
 * Receives from `queueUrl` (deleting nothing, hiding what it got for `visibilityTimeout` s, default
 * 120) until `count` flow indexes were collected or `timeoutMs` passed; what it collected, which
 * the caller compares with what it expects (so a missing one fails there, naming it).
 */
export async function receiveIndexes(
  sqs: SQSClient,
  queueUrl: string,
  options: { count: number; timeoutMs: number; visibilityTimeout?: number },
): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + options.timeoutMs;
  while (seen.length < options.count && Date.now() < deadline) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilityTimeout ?? 120,
      }),
    );
    for (const message of out.Messages ?? []) seen.push(flowIndexOf(message));
  }
  return seen;
}
