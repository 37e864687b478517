/**
 * The notification road: long-polls the SQS queue the ML-IDS API's SNS topic feeds
 * ({@linkcode pollQueue}), resolves where and as whom to connect ({@linkcode resolveSqsConnection}),
 * and decodes each message into the attack flow it carries ({@linkcode decodeNotification}).
 * Importing this module loads the AWS SDK: commands import it lazily.
 *
 * ```ts
 * import { decodeNotification } from "./mod.ts";
 *
 * const decoded = decodeNotification({ MessageId: "m-1", Body: "not json" });
 * console.assert(!decoded.ok);
 * ```
 * @module
 */

export {
  type AwsConnection,
  type AwsConnectionInput,
  checkQueueUrl,
  redactSecrets,
  resolveSqsConnection,
  type SettingSource,
} from "./aws_credentials.ts";
export {
  type AttackNotification,
  type DecodedMessage,
  decodeNotification,
  type MalformedMessage,
  type NotifiedFlow,
  type Prediction,
} from "./notification.ts";
export {
  type BatchHandler,
  type BatchOutcome,
  createSqsClient,
  type PollEvent,
  type PollOptions,
  pollQueue,
  type PollSummary,
  type StopReason,
} from "./sqs_poller.ts";
