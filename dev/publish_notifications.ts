/**
 * Publishes prediction notifications through SNS exactly as the ML-IDS API does, for tests, the
 * stand-in API, the demo and benchmarks: one message per row, `Message` = that row as pandas split
 * JSON with its index and a `prediction` column, attribute `prediction` = `attack`/`benign`.
 * @module
 */

import { PublishBatchCommand, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { stringifyJsonExact } from "../lib/json.ts";

/** One predicted row to announce. */
export interface PredictionNotice {
  /** The request's column names, in order, without `prediction`. */
  readonly columns: readonly string[];
  /** The row's pandas index in the request (its position when the request had none). */
  readonly index: number | string;
  /**
   * The row's values, one per column; NaN and infinities are written as null, as pandas does, and
   * bigints as their exact digits, as pandas writes int64.
   */
  readonly row: readonly unknown[];
  /** The model's answer: 1 (or `attack`) for an attack, 0 (or `benign`) for benign. */
  readonly prediction: 0 | 1 | "attack" | "benign";
}

function predictionNumber(prediction: PredictionNotice["prediction"]): 0 | 1 {
  return prediction === 1 || prediction === "attack" ? 1 : 0;
}

/**
 * The SNS `Message` of a notice: `row.to_json(orient="split")` of the one-row frame with the extra
 * `prediction` column, e.g. `{"columns":["dst_port",...,"prediction"],"index":[17],"data":[[80,...,1]]}`.
 */
export function encodeNotificationMessage(notice: PredictionNotice): string {
  const prediction = predictionNumber(notice.prediction);
  return stringifyJsonExact({
    columns: [...notice.columns, "prediction"],
    index: [notice.index],
    data: [[...notice.row.map((value) => value === undefined ? null : value), prediction]],
  });
}

function attributesOf(notice: PredictionNotice) {
  return {
    prediction: {
      DataType: "String",
      StringValue: predictionNumber(notice.prediction) === 1 ? "attack" : "benign",
    },
  };
}

/**
 * Publishes one notice to `topicArn` as the ML-IDS API does (SNS Publish with the `prediction`
 * message attribute) and returns the SNS message id.
 */
export async function publishPrediction(
  sns: SNSClient,
  topicArn: string,
  notice: PredictionNotice,
): Promise<string> {
  const output = await sns.send(
    new PublishCommand({
      TopicArn: topicArn,
      Message: encodeNotificationMessage(notice),
      MessageAttributes: attributesOf(notice),
    }),
  );
  return output.MessageId ?? "";
}

/**
 * Publishes many notices, ten per SNS PublishBatch call (each entry is the same message and
 * attribute {@linkcode publishPrediction} sends), and returns their SNS message ids in order.
 * Throws when SNS reports a failed entry.
 */
export async function publishPredictions(
  sns: SNSClient,
  topicArn: string,
  notices: readonly PredictionNotice[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < notices.length; start += 10) {
    const slice = notices.slice(start, start + 10);
    const output = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: slice.map((notice, i) => ({
          Id: `n${start + i}`,
          Message: encodeNotificationMessage(notice),
          MessageAttributes: attributesOf(notice),
        })),
      }),
    );
    if (output.Failed && output.Failed.length > 0) {
      const first = output.Failed[0];
      throw new Error(
        `SNS PublishBatch failed for ${output.Failed.length} entries: ${first.Code} ${first.Message}`,
      );
    }
    const byId = new Map((output.Successful ?? []).map((entry) => [entry.Id, entry.MessageId]));
    slice.forEach((_, i) => ids.push(byId.get(`n${start + i}`) ?? ""));
  }
  return ids;
}
