/**
 * Notifications for the tests of views and of consume: the flow columns the views read, and
 * notifications decoded from SNS envelopes exactly as consume decodes them.
 * @module
 */

import type { AttackNotification } from "../../lib/notify/mod.ts";
import { decodeNotification } from "../../lib/notify/notification.ts";

/** The CSE-CIC-IDS2018 columns the one-line alert and the ECS document read. */
export const ALERT_COLUMNS: readonly string[] = [
  "dst_port",
  "protocol",
  "timestamp",
  "flow_duration",
  "tot_fwd_pkts",
  "tot_bwd_pkts",
  "totlen_fwd_pkts",
  "totlen_bwd_pkts",
];

/** The columns of the notifications {@linkcode cicNotification} makes: one more, and `prediction`. */
export const CIC_COLUMNS: readonly string[] = [...ALERT_COLUMNS, "flow_byts_s", "prediction"];

/** The keys of a consume jsonl/json record, in the documented order. */
export const FLOW_RECORD_KEYS: readonly string[] = [
  "message_id",
  "sent_at",
  "received_at",
  "prediction",
  "index",
  "flow",
];

/** A notification decoded from an SNS envelope whose `Message` is `message` (split JSON text). */
export function notificationOf(
  message: string,
  options: { messageId?: string; timestamp?: string; attribute?: string } = {},
): AttackNotification {
  const body = JSON.stringify({
    Type: "Notification",
    MessageId: "sns-0f1e2d3c",
    TopicArn: "arn:aws:sns:eu-west-1:000000000000:ml-ids-predictions",
    Message: message,
    Timestamp: options.timestamp ?? "2026-11-23T18:35:44.789Z",
    MessageAttributes: { prediction: { Type: "String", Value: options.attribute ?? "attack" } },
  });
  const decoded = decodeNotification({
    MessageId: options.messageId ?? "9f86d081-88e4-4f1c-9a3c-1b0ad5c0e7a2",
    Body: body,
  });
  if (!decoded.ok) throw new Error(decoded.malformed.reason);
  return decoded.notification;
}

/** One CIC flow (columns {@linkcode CIC_COLUMNS}) as the API publishes it, with `row` overriding cells. */
export function cicNotification(row: Partial<Record<string, string>> = {}): AttackNotification {
  const cells: Record<string, string> = {
    dst_port: "80",
    protocol: "6",
    timestamp: '"21/02/2018 10:15:06"',
    flow_duration: "119759145",
    tot_fwd_pkts: "4",
    tot_bwd_pkts: "3",
    totlen_fwd_pkts: "1200",
    totlen_bwd_pkts: "935",
    flow_byts_s: "0.0612614099",
    prediction: "1",
    ...row,
  };
  const data = CIC_COLUMNS.map((column) => cells[column]).join(",");
  return notificationOf(
    `{"columns":${JSON.stringify(CIC_COLUMNS)},"index":[17],"data":[[${data}]]}`,
  );
}
