/**
 * Views: what a person or a SIEM reads, made from notifications and prediction results. The
 * one-line alert ({@linkcode alertLines}), the original's full table per notification
 * ({@linkcode notificationTable}), JSON records ({@linkcode flowRecordLines}), Elastic Common
 * Schema documents ({@linkcode ecsLines}), and prediction results with the columns a person reads
 * ({@linkcode renderResultsView}), and a replay's live line, summary and report
 * ({@linkcode replaySummaryTable}, {@linkcode replayReport}). Commands choose a view and write
 * what it returns.
 *
 * ```ts
 * import { alertLines, ecsDocuments } from "./mod.ts";
 *
 * const notification = {
 *   messageId: "9f86d081-88e4-4f1c-9a3c-1b0ad5c0e7a2",
 *   sentAt: "2026-11-23T18:35:44.789Z",
 *   delivery: "sns" as const,
 *   columns: ["dst_port", "protocol", "flow_duration", "prediction"],
 *   flows: [{ index: 17, prediction: "attack" as const, values: [80, 6, 119759145, 1] }],
 * };
 * const [line] = alertLines(notification);
 * console.assert(line.startsWith("2026-11-23T18:35:44.789Z 9f86d081 ATTACK 80/TCP"));
 * const [document] = ecsDocuments(notification, new Date());
 * console.assert((document.event as { duration: number }).duration === 119759145000);
 * ```
 * @module
 */

export { ALERT_LINE_MAX_CHARS, type AlertLineOptions, alertLines } from "./alert_line.ts";
export { ECS_VERSION, type EcsDocument, ecsDocuments, ecsLines } from "./ecs.ts";
export { type FlowRecord, flowRecordLines, flowRecords } from "./notification_json.ts";
export { notificationTable, type NotificationTableOptions } from "./notification_table.ts";
export {
  checkResultColumns,
  DEFAULT_RESULT_COLUMNS,
  parseResultColumns,
  renderResultsView,
  resultColumnNames,
  type ResultColumns,
  type ResultsViewOptions,
} from "./results_view.ts";
export {
  formatMs,
  type ReplayDistributions,
  replayReport,
  replayStatusLine,
  replaySummaryRows,
  replaySummaryTable,
} from "./replay.ts";
