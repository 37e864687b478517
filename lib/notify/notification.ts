/**
 * ML-IDS attack notifications as they arrive from SQS: an SNS envelope whose `Message` is one row
 * of pandas split JSON (with its index and a `prediction` column), or that split JSON itself when
 * the subscription uses raw delivery. Decoding never throws: a message is either a notification or
 * a reason why it is malformed.
 * @module
 */

import type { Message } from "@aws-sdk/client-sqs";
import { decodeSplitJson } from "../frame/mod.ts";
import { isRecord } from "../json.ts";

/** What the model said about a flow. */
export type Prediction = "attack" | "benign";

/** One flow (row) of a notification. */
export interface NotifiedFlow {
  /** The row's pandas index in the request, when the message carries one. */
  readonly index: number | bigint | string | null;
  /** From the message attribute `prediction`, else the row's `prediction` column; null if neither says. */
  readonly prediction: Prediction | null;
  /**
   * The row's values, in the order of {@linkcode AttackNotification.columns}, as JSON gave them;
   * integers beyond 2^53 are bigints, so int64 values stay exact.
   */
  readonly values: readonly unknown[];
}

/** A decoded notification: one SQS message, usually one flow. */
export interface AttackNotification {
  /** The SQS message id (what deletion failures and warnings name). */
  readonly messageId: string;
  /** The SNS message id, for envelopes. */
  readonly snsMessageId?: string;
  /** When SNS sent it (the envelope's `Timestamp`; for raw delivery SQS's `SentTimestamp`), ISO 8601. */
  readonly sentAt: string | null;
  /** `sns` for an SNS envelope, `raw` for raw message delivery. */
  readonly delivery: "sns" | "raw";
  /** Column names, including `prediction` when the message has it. */
  readonly columns: readonly string[];
  /** The flows, usually exactly one. */
  readonly flows: readonly NotifiedFlow[];
}

/** A message that is not a notification, and why. */
export interface MalformedMessage {
  readonly messageId: string;
  readonly reason: string;
}

/** The result of {@linkcode decodeNotification}. */
export type DecodedMessage =
  | { readonly ok: true; readonly notification: AttackNotification }
  | { readonly ok: false; readonly malformed: MalformedMessage };

function predictionOf(value: unknown): Prediction | null {
  if (typeof value === "string") {
    const lower = value.trim().toLowerCase();
    if (lower === "attack" || lower === "1" || lower === "1.0") return "attack";
    if (lower === "benign" || lower === "0" || lower === "0.0") return "benign";
    return null;
  }
  if (typeof value === "number") return value === 1 ? "attack" : value === 0 ? "benign" : null;
  if (typeof value === "boolean") return value ? "attack" : "benign";
  return null;
}

function envelopeAttribute(envelope: Record<string, unknown>): unknown {
  const attributes = envelope.MessageAttributes;
  if (!isRecord(attributes)) return undefined;
  const prediction = attributes.prediction;
  return isRecord(prediction) ? prediction.Value : undefined;
}

function sqsAttribute(message: Message): unknown {
  return message.MessageAttributes?.prediction?.StringValue;
}

function sentTimestamp(message: Message): string | null {
  const millis = Number(message.Attributes?.SentTimestamp);
  if (!Number.isFinite(millis) || millis <= 0) return null;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function shorten(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/**
 * Decodes one SQS message into a notification, or says why it is malformed: not JSON, JSON that is
 * neither an SNS envelope nor a split table, an envelope whose `Message` is not split JSON, no rows.
 */
export function decodeNotification(message: Message): DecodedMessage {
  const messageId = message.MessageId ?? "(no message id)";
  const bad = (reason: string): DecodedMessage => ({
    ok: false,
    malformed: { messageId, reason },
  });
  const body = message.Body;
  if (body === undefined || body === "") return bad("the message body is empty");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return bad(`the message body is not JSON: ${JSON.stringify(shorten(body))}`);
  }
  if (!isRecord(parsed)) {
    return bad("the message body is JSON but not an object (neither an SNS envelope nor a flow)");
  }
  let delivery: "sns" | "raw";
  let splitText: string;
  let what: string;
  let attribute: unknown;
  let sentAt: string | null;
  let snsMessageId: string | undefined;
  if ("Message" in parsed || parsed.Type === "Notification") {
    if (typeof parsed.Message !== "string") {
      return bad(
        'the SNS envelope has no "Message" text',
      );
    }
    delivery = "sns";
    splitText = parsed.Message;
    what = "the SNS envelope's Message";
    attribute = envelopeAttribute(parsed) ?? sqsAttribute(message);
    sentAt = typeof parsed.Timestamp === "string" ? parsed.Timestamp : sentTimestamp(message);
    snsMessageId = typeof parsed.MessageId === "string" ? parsed.MessageId : undefined;
  } else if ("columns" in parsed || "data" in parsed) {
    delivery = "raw";
    splitText = body;
    what = "the message body";
    attribute = sqsAttribute(message);
    sentAt = sentTimestamp(message);
  } else {
    return bad(
      'the message body is JSON without "Message" (neither an SNS envelope nor a raw-delivery flow)',
    );
  }
  let table;
  try {
    table = decodeSplitJson(splitText, what);
  } catch (error) {
    return bad((error as Error).message);
  }
  if (table.data.length === 0) return bad(`${what} has no rows`);
  const fromAttribute = predictionOf(attribute);
  const predictionColumn = table.columns.indexOf("prediction");
  const flows = table.data.map((row, i): NotifiedFlow => ({
    index: table.index?.[i] ?? null,
    prediction: fromAttribute ??
      (predictionColumn >= 0 ? predictionOf(row[predictionColumn]) : null),
    values: row,
  }));
  return {
    ok: true,
    notification: {
      messageId,
      ...(snsMessageId === undefined ? {} : { snsMessageId }),
      sentAt,
      delivery,
      columns: table.columns,
      flows,
    },
  };
}
