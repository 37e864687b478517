/**
 * Flows written out for other tools: pandas split JSON (the API's request body), JSON Lines with
 * the pandas index, and CSV. Integers stay exact; NaN and infinities are null in JSON and spelled
 * as pandas' `to_csv` does in CSV (empty, `inf`, `-inf`).
 * @module
 */

import { cellAt, type FlowColumn, type FlowFrame, formatCell } from "./frame.ts";
import { encodeSplitJson, jsonCellWriter } from "./split_json.ts";

/** The shapes flows can be exported in. */
export type ExportFormat = "split" | "jsonl" | "csv";

/** Quotes a CSV field when it holds a delimiter, quote, line break or edge spaces (RFC 4180). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV writer of one column: numbers exact, NaN empty, infinities `inf`/`-inf`, text quoted as needed. */
export function csvCellWriter(column: FlowColumn): (row: number) => string {
  const json = jsonCellWriter(column);
  return (row) => {
    const value = cellAt(column, row);
    if (value === null || (typeof value === "number" && Number.isNaN(value))) return "";
    if (typeof value === "string") return csvField(value);
    if (typeof value === "number" && Number.isFinite(value)) return json(row);
    return formatCell(value);
  };
}

function pick(frame: FlowFrame, names: readonly string[]): FlowColumn[] {
  return names.map((name) => {
    const column = frame.columns.find((candidate) => candidate.name === name);
    if (!column) throw new RangeError(`no column '${name}' in the frame`);
    return column;
  });
}

/**
 * The flows of `frame` in `format`, as chunks of text to write in order. `columns` picks and orders
 * the columns (default all); JSON Lines objects carry the pandas index as `index`.
 */
export function* exportFlows(
  frame: FlowFrame,
  format: ExportFormat,
  options: { columns?: readonly string[] } = {},
): Generator<string> {
  const names = options.columns ?? frame.columns.map((column) => column.name);
  if (format === "split") {
    yield `${encodeSplitJson(frame, { columns: names })}\n`;
    return;
  }
  const columns = pick(frame, names);
  if (format === "jsonl") {
    const keys = columns.map((column) => `,${JSON.stringify(column.name)}:`);
    const writers = columns.map(jsonCellWriter);
    for (let row = 0; row < frame.length; row++) {
      let text = `{"index":${frame.index[row]}`;
      for (let c = 0; c < columns.length; c++) text += keys[c] + writers[c](row);
      yield `${text}}\n`;
    }
    return;
  }
  yield `${names.map(csvField).join(",")}\n`;
  const writers = columns.map(csvCellWriter);
  for (let row = 0; row < frame.length; row++) {
    yield `${writers.map((write) => write(row)).join(",")}\n`;
  }
}
