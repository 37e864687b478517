/**
 * Prediction results: the sent flows merged with their true labels, raw predictions and verdicts,
 * as table rows (is_correct, label, predicted_label first, as the original client) and as the
 * JSON, JSONL and CSV shapes scripts read. Integers stay exact; NaN and infinities are null in JSON.
 * @module
 */

import {
  cellAt,
  type CellValue,
  csvCellWriter,
  csvField,
  findColumn,
  type FlowColumn,
  type FlowFrame,
  formatCell,
  jsonCellWriter,
} from "../frame/mod.ts";
import { type PredictionScores, scorePredictions } from "./metrics.ts";

/** A request that failed for good: the result rows it held and why. */
export interface ResultFailure {
  readonly rows: readonly number[];
  readonly error: string;
}

/** The flows sent, what the API said about them and how right it was. */
export interface PredictionResults {
  /** The flows sent, every column (label and identity columns included), in the order sent. */
  readonly frame: FlowFrame;
  /** The label column's name, or null for unlabelled flows. */
  readonly labelColumn: string | null;
  /** True label per flow, null when unknown. */
  readonly labels: readonly (string | null)[];
  /** Raw prediction per flow; NaN where the request failed. */
  readonly raw: Float64Array;
  readonly scores: PredictionScores;
  readonly failures: readonly ResultFailure[];
}

/** Options of {@linkcode buildResults}. */
export interface BuildResultsOptions {
  /** Name of the label column of `frame`, or null when the flows carry no label. */
  labelColumn: string | null;
  /** Raw prediction per row of `frame`, NaN where it failed. */
  raw: Float64Array;
  /** Attack threshold, default 0.5. */
  threshold?: number;
  /** Failed requests: rows of `frame` and the error. */
  failures?: readonly { rows: readonly number[]; error: Error | string }[];
}

/** The output formats a script can ask for (the terminal view is rendered by the command). */
export type ResultFormat = "json" | "jsonl" | "csv";

/** The label of each row of `frame` from `labelColumn` (text, or null for missing/NaN). */
export function labelsOf(frame: FlowFrame, labelColumn: string | null): (string | null)[] {
  const column = labelColumn === null ? undefined : findColumn(frame, labelColumn);
  if (!column) return new Array(frame.length).fill(null);
  return Array.from({ length: frame.length }, (_, row) => {
    const value = cellAt(column, row);
    if (value === null || (typeof value === "number" && Number.isNaN(value))) return null;
    return String(value);
  });
}

/** Merges `frame` with its predictions and labels and scores them. */
export function buildResults(frame: FlowFrame, options: BuildResultsOptions): PredictionResults {
  if (options.raw.length !== frame.length) {
    throw new RangeError(`${options.raw.length} predictions for ${frame.length} flows`);
  }
  const labels = labelsOf(frame, options.labelColumn);
  const scores = scorePredictions(labels, options.raw, { threshold: options.threshold });
  const failures = (options.failures ?? []).map((failure) => ({
    rows: [...failure.rows],
    error: typeof failure.error === "string" ? failure.error : failure.error.message,
  }));
  return {
    frame,
    labelColumn: findColumn(frame, options.labelColumn ?? "") ? options.labelColumn : null,
    labels,
    raw: options.raw,
    scores,
    failures,
  };
}

/** The flow columns shown after the result columns: every column but the label. */
function dataColumns(results: PredictionResults): FlowColumn[] {
  return results.frame.columns.filter((column) => column.name !== results.labelColumn);
}

/** A cell as display text: float32 in shortest form, integers exact, NaN/inf as pandas shows them. */
function cellText(column: FlowColumn, writer: (row: number) => string, row: number): string {
  const value: CellValue = cellAt(column, row);
  if (typeof value === "number" && Number.isFinite(value)) return writer(row);
  return formatCell(value);
}

function rawText(raw: number): string {
  return Number.isNaN(raw) ? "" : formatCell(raw);
}

/**
 * Table headers and rows: the row's `index`, is_correct, label, predicted_label, the flow's
 * columns, prediction_raw.
 */
export function resultTable(
  results: PredictionResults,
): { headers: string[]; rows: string[][] } {
  const labelled = results.labelColumn !== null;
  const columns = dataColumns(results);
  const writers = columns.map(jsonCellWriter);
  const headers = [
    "index",
    ...(labelled ? ["is_correct", "label"] : []),
    "predicted_label",
    ...columns.map((column) => column.name),
    "prediction_raw",
  ];
  const { isCorrect, predicted } = results.scores;
  const rows = Array.from({ length: results.frame.length }, (_, row) => {
    const correct = isCorrect[row];
    return [
      String(results.frame.index[row]),
      ...(labelled
        ? [correct === null ? "" : correct ? "True" : "False", results.labels[row] ?? ""]
        : []),
      predicted[row] ?? "FAILED",
      ...columns.map((column, c) => cellText(column, writers[c], row)),
      rawText(results.raw[row]),
    ];
  });
  return { headers, rows };
}

function jsonNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "null" : String(value);
}

/** One JSON object per flow: `{index, label, prediction_raw, predicted_label, is_correct, ...columns}`. */
export function* flowJsonObjects(results: PredictionResults): Generator<string> {
  const columns = dataColumns(results);
  const reserved = new Set(["index", "label", "prediction_raw", "predicted_label", "is_correct"]);
  const kept = columns.filter((column) => !reserved.has(column.name));
  const keys = kept.map((column) => `,${JSON.stringify(column.name)}:`);
  const writers = kept.map(jsonCellWriter);
  const { isCorrect, predicted } = results.scores;
  for (let row = 0; row < results.frame.length; row++) {
    const label = results.labels[row];
    const verdict = predicted[row];
    const correct = isCorrect[row];
    let text = `{"index":${results.frame.index[row]},"label":${
      label === null ? "null" : JSON.stringify(label)
    },"prediction_raw":${jsonNumber(results.raw[row])},"predicted_label":${
      verdict === null ? "null" : JSON.stringify(verdict)
    },"is_correct":${correct === null ? "null" : String(correct)}`;
    for (let c = 0; c < kept.length; c++) text += keys[c] + writers[c](row);
    yield `${text}}`;
  }
}

/** The summary object without flows, as JSON members (no braces), shared by JSON output. */
function summaryMembers(results: PredictionResults): string {
  const s = results.scores;
  const perCategory = s.perCategory.map((category) =>
    `${JSON.stringify(category.name)}:{"total":${category.total},"correct":${category.correct}}`
  ).join(",");
  const failures = results.failures.map((failure) =>
    `{"indexes":[${failure.rows.map((row) => String(results.frame.index[row])).join(",")}],` +
    `"error":${JSON.stringify(failure.error)}}`
  ).join(",");
  return `"accuracy":${jsonNumber(s.accuracy)},"total":${s.total},"correct":${s.correct},` +
    `"confusion":{"tp":${s.confusion.tp},"fp":${s.confusion.fp},"tn":${s.confusion.tn},"fn":${s.confusion.fn}},` +
    `"precision":${jsonNumber(s.precision)},"recall":${jsonNumber(s.recall)},"f1":${
      jsonNumber(s.f1)
    },` +
    `"per_category":{${perCategory}},"threshold":${s.threshold},"flows_sent":${s.flows},` +
    `"failed":${s.failed},"unlabelled":${s.unlabelled},"failures":[${failures}]`;
}

/** The CSV rows: a header, then one line per flow, columns as in the JSON flow objects. */
export function* resultCsvLines(results: PredictionResults): Generator<string> {
  const columns = dataColumns(results);
  const writers = columns.map(csvCellWriter);
  const header = ["index", "label", "prediction_raw", "predicted_label", "is_correct"]
    .concat(columns.map((column) => column.name));
  yield header.map(csvField).join(",");
  const { isCorrect, predicted } = results.scores;
  for (let row = 0; row < results.frame.length; row++) {
    const correct = isCorrect[row];
    const raw = results.raw[row];
    const cells = [
      String(results.frame.index[row]),
      csvField(results.labels[row] ?? ""),
      Number.isNaN(raw) ? "" : formatCell(raw),
      predicted[row] ?? "",
      correct === null ? "" : String(correct),
      ...writers.map((write) => write(row)),
    ];
    yield cells.join(",");
  }
}

/**
 * The results in `format` as chunks of text to write in order: `json` one object with the metrics
 * and `flows`; `jsonl` one flow object per line; `csv` a header and one line per flow.
 */
export function* formatResults(
  results: PredictionResults,
  format: ResultFormat,
): Generator<string> {
  if (format === "csv") {
    for (const line of resultCsvLines(results)) yield `${line}\n`;
    return;
  }
  if (format === "jsonl") {
    for (const flow of flowJsonObjects(results)) yield `${flow}\n`;
    return;
  }
  yield `{${summaryMembers(results)},"flows":[`;
  let first = true;
  for (const flow of flowJsonObjects(results)) {
    yield first ? flow : `,${flow}`;
    first = false;
  }
  yield "]}\n";
}
