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

// The shortest decimal that reads back as the same float32, remembered for recently seen values:
// flow statistics repeat a lot (0, 1, common sizes), and toPrecision is the costly part.
const FLOAT32_CACHE_SIZE = 4096;
const float32CacheKeys = new Float64Array(FLOAT32_CACHE_SIZE).fill(NaN);
const float32CacheTexts: string[] = new Array(FLOAT32_CACHE_SIZE).fill("");
const float32Bits = new Uint32Array(1);
const float32View = new Float32Array(float32Bits.buffer);

function shortestFloat32(value: number): string {
  // 7 digits are enough for about half of all float32 values, 9 for every one.
  let candidate = Number(value.toPrecision(7));
  if (Math.fround(candidate) === value) {
    for (let precision = 6; precision > 0; precision--) {
      const shorter = Number(value.toPrecision(precision));
      if (Math.fround(shorter) !== value) break;
      candidate = shorter;
    }
    return String(candidate);
  }
  candidate = Number(value.toPrecision(8));
  if (Math.fround(candidate) === value) return String(candidate);
  return String(Number(value.toPrecision(9)));
}

function float32Text(value: number): string {
  if (Number.isInteger(value)) return String(value);
  float32View[0] = value;
  const slot = (float32Bits[0] ^ (float32Bits[0] >>> 12)) & (FLOAT32_CACHE_SIZE - 1);
  if (float32CacheKeys[slot] === value) return float32CacheTexts[slot];
  const text = shortestFloat32(value);
  float32CacheKeys[slot] = value;
  float32CacheTexts[slot] = text;
  return text;
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

const TEXT = 0;
const FLOAT64 = 1;
const FLOAT32 = 2;
const EXACT = 3;

/** Writes flows as pandas split JSON: `{"columns": [...], ("index": [...],) "data": [[...], ...]}`. */
export function encodeSplitJson(frame: FlowFrame, options: EncodeSplitOptions = {}): string {
  const names = options.columns ?? frame.columns.map((column) => column.name);
  const columns = names.map((name) => {
    const column = frame.columns.find((candidate) => candidate.name === name);
    if (!column) throw new InputError(`the flows have no column '${name}'`);
    return column;
  });
  // One tight loop over rows and columns: this builds every request body, so it is the client's
  // hot path (about 8 million cells for 100,000 flows).
  const kinds = columns.map((column) =>
    Array.isArray(column.values)
      ? TEXT
      : column.values instanceof Float64Array
      ? FLOAT64
      : column.values instanceof Float32Array
      ? FLOAT32
      : EXACT
  );
  const arrays = columns.map((column) => column.values) as ArrayLike<unknown>[];
  const width = columns.length;
  const selected = options.rows;
  const rowCount = selected ? selected.length : frame.length;
  let text = `{"columns":${JSON.stringify(names)}`;
  if (options.withIndex) {
    const index: string[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) index[i] = String(frame.index[selected ? selected[i] : i]);
    text += `,"index":[${index.join(",")}]`;
  }
  const lines: string[] = new Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const row = selected ? selected[i] : i;
    let line = "[";
    for (let c = 0; c < width; c++) {
      if (c > 0) line += ",";
      const value = arrays[c][row];
      switch (kinds[c]) {
        case EXACT:
          line += String(value);
          break;
        case FLOAT64:
          line += Number.isFinite(value) ? String(value) : "null";
          break;
        case FLOAT32:
          line += Number.isFinite(value) ? float32Text(value as number) : "null";
          break;
        default:
          line += value === undefined || value === null ? "null" : JSON.stringify(value);
      }
    }
    lines[i] = `${line}]`;
  }
  return `${text},"data":[${lines.join(",")}]}`;
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
