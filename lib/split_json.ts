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

// Exact powers of ten: 10^k for k <= 12 needs at most 28 mantissa bits, so 10^k times a float32
// (24 bits) fits a double's 53 bits and every product below is exact.
const POWERS_OF_TEN = Array.from({ length: 13 }, (_, k) => 10 ** k);
// Keeps candidates clear of the rounding interval's edges, where reading the decimal back as a
// double first and then as a float32 could round differently than reading it as a float32.
const EDGE_MARGIN = 1 - 2 ** -20;

function shortestFloat32Slow(value: number): string {
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

/** The shortest decimal that reads back as the float32 `value` (finite, not an integer). */
function shortestFloat32(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e7) return shortestFloat32Slow(value);
  // Half the gap to the neighbouring float32s: every decimal strictly inside rounds to `value`.
  const exponent = Math.floor(Math.log2(magnitude));
  const halfGap = 2 ** (exponent - 24);
  const first = Math.max(0, -Math.floor(Math.log10(magnitude)) - 1);
  for (let k = first; k <= 12; k++) {
    const scaled = magnitude * POWERS_OF_TEN[k];
    const digits = Math.round(scaled);
    if (Math.abs(digits - scaled) < halfGap * POWERS_OF_TEN[k] * EDGE_MARGIN) {
      const text = String(digits);
      const body = k === 0
        ? text
        : text.length > k
        ? `${text.slice(0, text.length - k)}.${text.slice(text.length - k)}`
        : `0.${"0".repeat(k - text.length)}${text}`;
      return value < 0 ? `-${body}` : body;
    }
  }
  return shortestFloat32Slow(value);
}

function float32Text(value: number): string {
  // Below 2^24 every integer is a float32 of its own, so its digits are already the shortest.
  if (Number.isInteger(value) && Math.abs(value) < 16777216) return String(value);
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

/** The JSON texts of `column` at `rows` (positions), one loop per column so each stays monomorphic. */
function columnTexts(column: FlowColumn, rows: ArrayLike<number>): string[] {
  const values = column.values;
  const count = rows.length;
  const out: string[] = new Array(count);
  if (Array.isArray(values)) {
    for (let i = 0; i < count; i++) {
      const value = values[rows[i]];
      out[i] = value === undefined || value === null ? "null" : JSON.stringify(value);
    }
  } else if (values instanceof Float32Array) {
    for (let i = 0; i < count; i++) {
      const value = values[rows[i]];
      out[i] = Number.isFinite(value) ? float32Text(value) : "null";
    }
  } else if (values instanceof Float64Array) {
    for (let i = 0; i < count; i++) {
      const value = values[rows[i]];
      out[i] = Number.isFinite(value) ? String(value) : "null";
    }
  } else {
    for (let i = 0; i < count; i++) out[i] = String(values[rows[i]]);
  }
  return out;
}

/** Writes flows as pandas split JSON: `{"columns": [...], ("index": [...],) "data": [[...], ...]}`. */
export function encodeSplitJson(frame: FlowFrame, options: EncodeSplitOptions = {}): string {
  const names = options.columns ?? frame.columns.map((column) => column.name);
  const columns = names.map((name) => {
    const column = frame.columns.find((candidate) => candidate.name === name);
    if (!column) throw new InputError(`the flows have no column '${name}'`);
    return column;
  });
  const rows = options.rows ?? Uint32Array.from({ length: frame.length }, (_, i) => i);
  const rowCount = rows.length;
  let text = `{"columns":${JSON.stringify(names)}`;
  if (options.withIndex) {
    const index: string[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) index[i] = String(frame.index[rows[i]]);
    text += `,"index":[${index.join(",")}]`;
  }
  // This builds every request body, so it is the client's hot path (about 8 million cells for
  // 100,000 flows): cells are formatted column by column, then joined row by row.
  const texts = columns.map((column) => columnTexts(column, rows));
  const width = texts.length;
  const lines: string[] = new Array(rowCount);
  const cells: string[] = new Array(width);
  for (let i = 0; i < rowCount; i++) {
    for (let c = 0; c < width; c++) cells[c] = texts[c][i];
    lines[i] = cells.join(",");
  }
  return rowCount === 0 ? `${text},"data":[]}` : `${text},"data":[[${lines.join("],[")}]]}`;
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
