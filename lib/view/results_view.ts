/**
 * Prediction results for a person (`predict`'s table view): the summary first (accuracy,
 * confusion, precision/recall/F1, the detection rate per category), then the flows as a table of
 * the columns a person reads (`--columns` chooses others), each wrapped part opening with the
 * row's `index`.
 * @module
 */

import { UsageError } from "../errors.ts";
import { type PredictionResults, resultTable } from "../predict/mod.ts";
import { type Overflow, renderBarChart, renderTable } from "../term/mod.ts";

/** The columns the table shows by default, those a dataset has, in this order. */
export const DEFAULT_RESULT_COLUMNS: readonly string[] = [
  "index",
  "is_correct",
  "label",
  "predicted_label",
  "prediction_raw",
  "dst_port",
  "protocol",
  "timestamp",
  "flow_duration",
  "tot_fwd_pkts",
  "tot_bwd_pkts",
];

/** Which columns the results table shows: the default ones, every one, or these, in this order. */
export type ResultColumns = "default" | "all" | readonly string[];

/** Options of {@linkcode renderResultsView}. */
export interface ResultsViewOptions {
  /** The first line, e.g. `Prediction results: 5 flows of 'Bot'`. */
  heading: string;
  overflow: Overflow;
  /** Width to fit charts and tables into. */
  width: number;
  colour: boolean;
  /** Default `"default"`. */
  columns?: ResultColumns;
}

/**
 * Reads `--columns`: `all`, or names separated by commas (`index,label,dst_port`); `default` or
 * nothing for the default columns.
 */
export function parseResultColumns(text: string | undefined): ResultColumns {
  const trimmed = text?.trim() ?? "";
  const lower = trimmed.toLowerCase();
  if (lower === "" || lower === "default") return "default";
  if (lower === "all") return "all";
  const names = trimmed.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new UsageError(`--columns needs 'all' or column names separated by commas`);
  }
  return [...new Set(names)];
}

/**
 * The columns of a results table for flows with `datasetColumns` (label included when
 * `labelColumn` is set): index, is_correct, label, predicted_label, the flow's columns,
 * prediction_raw.
 */
export function resultColumnNames(
  datasetColumns: readonly string[],
  labelColumn: string | null,
): string[] {
  return [
    "index",
    ...(labelColumn === null ? [] : ["is_correct", "label"]),
    "predicted_label",
    ...datasetColumns.filter((name) => name !== labelColumn),
    "prediction_raw",
  ];
}

/** Throws a UsageError naming the `--columns` names that are not among `available`. */
export function checkResultColumns(columns: ResultColumns, available: readonly string[]): void {
  if (typeof columns === "string") return;
  const unknown = columns.filter((name) => !available.includes(name));
  if (unknown.length === 0) return;
  throw new UsageError(
    `--columns names ${
      unknown.map((name) => `'${name}'`).join(", ")
    }, which the results do not have`,
    { hint: `Pick from: ${available.join(", ")}; or pass --columns all` },
  );
}

/** The positions in `headers` of the columns `choice` shows, in the order shown. */
function chosenColumns(headers: readonly string[], choice: ResultColumns): number[] {
  if (choice === "all") return headers.map((_, c) => c);
  const names = choice === "default" ? DEFAULT_RESULT_COLUMNS : choice;
  return names.map((name) => headers.indexOf(name)).filter((c) => c >= 0);
}

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(2)}%`;
}

function decimal(value: number | null): string {
  return value === null ? "n/a (0/0)" : value.toFixed(3);
}

/** The summary lines: accuracy, confusion, precision/recall/F1 and the chart, or predictions only. */
function summaryLines(results: PredictionResults, options: ResultsViewOptions): string[] {
  const s = results.scores;
  const lines: string[] = [];
  if (results.labelColumn !== null) {
    lines.push(`Accuracy:  ${percent(s.accuracy)} (${s.correct} of ${s.total} flows right)`);
    const c = s.confusion;
    lines.push(`Confusion (Attack = positive):  TP ${c.tp}  FP ${c.fp}  TN ${c.tn}  FN ${c.fn}`);
    lines.push(
      `Precision: ${decimal(s.precision)}   Recall: ${decimal(s.recall)}   F1: ${decimal(s.f1)}`,
    );
    if (s.perCategory.length > 0) {
      lines.push("", "Detection rate per category (for Benign: flows let through):");
      lines.push(renderBarChart(
        s.perCategory.map((category) => ({
          name: category.name,
          value: category.correct,
          total: category.total,
        })),
        { width: options.width, colour: options.colour },
      ));
    }
  } else {
    const attacks = s.predicted.filter((label) => label === "Attack").length;
    const benign = s.predicted.filter((label) => label === "Benign").length;
    lines.push(`Predicted: ${attacks} Attack, ${benign} Benign`);
  }
  if (s.failed > 0) {
    lines.push(`Failed: ${s.failed} of ${s.flows} flows got no prediction (marked FAILED)`);
  }
  return lines;
}

/** The heading, the summary, then the flow table of the chosen columns; ends with a newline. */
export function renderResultsView(
  results: PredictionResults,
  options: ResultsViewOptions,
): string {
  const { headers, rows } = resultTable(results);
  const shown = chosenColumns(headers, options.columns ?? "default");
  const table = renderTable(
    shown.map((c) => headers[c]),
    rows.map((row) => shown.map((c) => row[c])),
    {
      overflow: options.overflow,
      width: options.width,
      colour: options.colour,
      // The row's index opens every wrapped part, so each part reads on its own.
      repeatColumns: headers[shown[0]] === "index" ? 1 : 0,
    },
  );
  const heading = options.heading;
  const lines = [
    heading,
    "=".repeat(Math.min(heading.length, 60)),
    ...summaryLines(results, options),
    "",
    "Details:",
    table,
    "",
  ];
  return `${lines.join("\n")}\n`;
}
