/**
 * Notifications as JSON for scripts (`consume --output json|jsonl`): one record per flow with the
 * message id, SNS and receive times, the verdict, the row and every column. Integers stay exact,
 * int64 beyond 2^53 included.
 * @module
 */

import { stringifyJsonExact } from "../json.ts";
import type { AttackNotification, Prediction } from "../notify/mod.ts";

/** One flow as `--output json`/`jsonl` writes it. */
export interface FlowRecord {
  message_id: string;
  sent_at: string | null;
  received_at: string;
  prediction: Prediction | null;
  index: number | bigint | string | null;
  flow: Record<string, unknown>;
}

/** The records of a notification, one per flow; `receivedAt` is when SQS handed it over. */
export function flowRecords(notification: AttackNotification, receivedAt: Date): FlowRecord[] {
  const received = receivedAt.toISOString();
  return notification.flows.map((flow) => {
    // fromEntries defines own properties, so a column named "__proto__" stays a plain key.
    const values: Record<string, unknown> = Object.fromEntries(
      notification.columns.map((column, c) => [column, flow.values[c] ?? null]),
    );
    return {
      message_id: notification.messageId,
      sent_at: notification.sentAt,
      received_at: received,
      prediction: flow.prediction,
      index: flow.index,
      flow: values,
    };
  });
}

/** The records of a notification as JSON texts, one per flow, integers written exactly. */
export function flowRecordLines(notification: AttackNotification, receivedAt: Date): string[] {
  return flowRecords(notification, receivedAt).map((record) => stringifyJsonExact(record));
}
