/**
 * Flows written out for other tools: pandas split JSON (the API's request body), JSON Lines with
 * the pandas index, and CSV. Integers stay exact; NaN and infinities are null in JSON and spelled
 * as pandas' `to_csv` does in CSV (empty, `inf`, `-inf`).
 * @module
 */

import { cellAt, type FlowColumn, type FlowFrame, formatCell } from "./frame.ts";
import { encodeSplitJson, jsonCellWriter, SplitJsonEncoder } from "./split_json.ts";
import { escapeFormatCharacters } from "../text.ts";

/** The shapes flows can be exported in. */
export type ExportFormat = "split" | "jsonl" | "csv";

/**
 * Quotes a CSV field when it holds a delimiter, quote, line break or edge spaces (RFC 4180), and
 * escapes bidi and other invisible format characters (`\u202e`), which would make a terminal or
 * an editor show the row in another order than it is.
 */
export function csvField(text: string): string {
  const shown = escapeFormatCharacters(text);
  return /[",\r\n]/.test(shown) || shown !== shown.trim()
    ? `"${shown.replaceAll('"', '""')}"`
    : shown;
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
  yield* csvRows(frame, columns);
}

function* csvRows(frame: FlowFrame, columns: readonly FlowColumn[]): Generator<string> {
  const writers = columns.map(csvCellWriter);
  for (let row = 0; row < frame.length; row++) {
    yield `${writers.map((write) => write(row)).join(",")}\n`;
  }
}

/**
 * The flows of `frames` (batches of one dataset, in order) in `format`, as chunks of text: the
 * same text {@linkcode exportFlows} writes for all their rows in one frame (one CSV header, one
 * split object), holding one batch at a time.
 */
export async function* exportFlowBatches(
  frames: AsyncIterable<FlowFrame>,
  format: ExportFormat,
  options: { columns?: readonly string[] } = {},
): AsyncGenerator<string> {
  let first = true;
  const decoder = new TextDecoder();
  for await (const frame of frames) {
    const names = options.columns ?? frame.columns.map((column) => column.name);
    if (format === "jsonl") yield* exportFlows(frame, "jsonl", { columns: names });
    else if (format === "csv") {
      if (first) yield `${names.map(csvField).join(",")}\n`;
      yield* csvRows(frame, pick(frame, names));
    } else if (frame.length > 0) {
      const encoder = new SplitJsonEncoder(frame, { columns: names });
      const rows = Uint32Array.from({ length: frame.length }, (_, i) => i);
      yield `${first ? `{"columns":${JSON.stringify(names)},"data":[` : ","}${
        decoder.decode(encoder.encodeData(rows))
      }`;
    } else continue;
    first = false;
  }
  if (!first && format === "split") yield "]}\n";
  else if (first && format !== "jsonl") {
    // No flows: what exportFlows writes for an empty frame.
    const names = options.columns ?? [];
    yield format === "csv"
      ? `${names.map(csvField).join(",")}\n`
      : `{"columns":${JSON.stringify(names)},"data":[]}\n`;
  }
}
