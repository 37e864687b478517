/**
 * pandas "split" JSON, the wire format of the ML-IDS API and its notifications: encoding flows
 * exactly (integers of every width, NaN and infinities as null, float32 in its shortest form) and
 * decoding it with the shape checked.
 * @module
 */

import { InputError } from "./errors.ts";
import type { FlowColumn, FlowFrame } from "./frame.ts";

/** A decoded split table: column names, optional pandas index, rows of cells. */
export interface SplitTable {
  readonly columns: string[];
  readonly index?: (number | string)[];
  readonly data: unknown[][];
}

/** Options for {@linkcode encodeSplitJson}. */
export interface EncodeSplitOptions {
  /** Names of the columns to write, in order; default every column. */
  columns?: readonly string[];
  /** Write the pandas index as `index` (the API's notifications do, requests do not). */
  withIndex?: boolean;
  /** Only these rows (positions), in this order; default every row. */
  rows?: ArrayLike<number>;
}

function float32Text(value: number): string {
  if (Number.isInteger(value)) return String(value);
  for (let precision = 6; precision < 9; precision++) {
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(Number(value.toPrecision(9)));
}

/** A function that writes row `i` of a column as a JSON value. */
type CellWriter = (row: number) => string;

function cellWriter(column: FlowColumn): CellWriter {
  const values = column.values;
  if (Array.isArray(values)) {
    return (row) => {
      const value = values[row];
      return value === undefined || value === null ? "null" : JSON.stringify(value);
    };
  }
  if (values instanceof Float64Array) {
    return (row) => {
      const value = values[row];
      return Number.isFinite(value) ? String(value) : "null";
    };
  }
  if (values instanceof Float32Array) {
    return (row) => {
      const value = values[row];
      return Number.isFinite(value) ? float32Text(value) : "null";
    };
  }
  return (row) => String(values[row]);
}

/**
 * The JSON writer of one column: integers exactly (int64/uint64 as digits), float32 in shortest
 * form, NaN and infinities as null, strings quoted. Shared by every JSON view of flows.
 */
export function jsonCellWriter(column: FlowColumn): (row: number) => string {
  return cellWriter(column);
}

/** Writes flows as pandas split JSON: `{"columns": [...], ("index": [...],) "data": [[...], ...]}`. */
export function encodeSplitJson(frame: FlowFrame, options: EncodeSplitOptions = {}): string {
  const names = options.columns ?? frame.columns.map((column) => column.name);
  const columns = names.map((name) => {
    const column = frame.columns.find((candidate) => candidate.name === name);
    if (!column) throw new InputError(`the flows have no column '${name}'`);
    return column;
  });
  const writers = columns.map(cellWriter);
  const rowCount = options.rows ? options.rows.length : frame.length;
  const rowAt = options.rows ? (i: number) => options.rows![i] : (i: number) => i;
  const parts: string[] = [`{"columns":${JSON.stringify(names)}`];
  if (options.withIndex) {
    const index: string[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) index[i] = String(frame.index[rowAt(i)]);
    parts.push(`,"index":[${index.join(",")}]`);
  }
  const rows: string[] = new Array(rowCount);
  const cells: string[] = new Array(writers.length);
  for (let i = 0; i < rowCount; i++) {
    const row = rowAt(i);
    for (let c = 0; c < writers.length; c++) cells[c] = writers[c](row);
    rows[i] = `[${cells.join(",")}]`;
  }
  parts.push(`,"data":[${rows.join(",")}]}`);
  return parts.join("");
}

/** Reads pandas split JSON, checking its shape; `what` names the input in errors. */
export function decodeSplitJson(text: string, what = "split JSON"): SplitTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`${what} is not a JSON object with "columns" and "data"`);
  }
  const { columns, index, data } = parsed as Record<string, unknown>;
  if (!Array.isArray(columns) || !columns.every((name) => typeof name === "string")) {
    throw new InputError(`${what} has no "columns" list of names`);
  }
  if (!Array.isArray(data) || !data.every((row) => Array.isArray(row))) {
    throw new InputError(`${what} has no "data" list of rows`);
  }
  for (const [i, row] of (data as unknown[][]).entries()) {
    if (row.length !== columns.length) {
      throw new InputError(
        `${what} row ${i} has ${row.length} values for ${columns.length} columns`,
      );
    }
  }
  if (index !== undefined) {
    if (
      !Array.isArray(index) || index.length !== data.length ||
      !index.every((value) => typeof value === "number" || typeof value === "string")
    ) {
      throw new InputError(`${what} has an "index" that does not match its rows`);
    }
    return { columns: columns as string[], index: index as (number | string)[], data };
  }
  return { columns: columns as string[], data };
}
