/**
 * A notification as the original consumer showed it (`consume --output table`): a heading with
 * the message id, the SNS time and the row, then the flow with every column as a table.
 * @module
 */

import { formatCell } from "../frame/mod.ts";
import type { AttackNotification } from "../notify/mod.ts";
import { type Overflow, renderTable, stylesWith } from "../term/mod.ts";
import { stringifyJsonExact } from "../json.ts";
import { escapeControl } from "../text.ts";

/** Options of {@linkcode notificationTable}. */
export interface NotificationTableOptions {
  /** `wrap` splits wide tables into parts that fit `width`; `nowrap` draws one wide table. */
  overflow: Overflow;
  /** Terminal width to fit. */
  width: number;
  /** Colour the heading and the header row. */
  colour: boolean;
}

function headingOf(notification: AttackNotification): string {
  const id = escapeControl(notification.messageId);
  if (notification.flows.some((flow) => flow.prediction === "attack")) {
    return `Attack detected [${id}]`;
  }
  const said = notification.flows[0]?.prediction;
  return `Notification [${id}] (prediction: ${said ?? "none"})`;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (
    typeof value === "number" || typeof value === "string" || typeof value === "bigint" ||
    typeof value === "boolean"
  ) {
    return formatCell(value);
  }
  return escapeControl(stringifyJsonExact(value));
}

/** Heading, SNS time and row, then the flow as a table; ends with a blank line. */
export function notificationTable(
  notification: AttackNotification,
  options: NotificationTableOptions,
): string {
  const styles = stylesWith(options.colour);
  const heading = styles.bold(styles.red(headingOf(notification)));
  const sent = notification.sentAt === null ? "(no timestamp)" : escapeControl(notification.sentAt);
  const indexes = notification.flows.map((flow) => flow.index).filter((index) => index !== null);
  const rowNote = indexes.length > 0
    ? ` · row ${indexes.map((index) => escapeControl(String(index))).join(", ")}`
    : "";
  const table = renderTable(
    notification.columns,
    notification.flows.map((flow) => flow.values.map(cellText)),
    { overflow: options.overflow, width: options.width, colour: options.colour },
  );
  return `${heading}\n${sent}${rowNote}\n${table}\n\n`;
}
