/**
 * pandas "split" JSON, the wire format of the ML-IDS API and its notifications: encoding flows
 * exactly (integers of every width, NaN and infinities as null, float32 in its shortest form) and
 * decoding it with the shape checked.
 * @module
 */

import { InputError } from "./errors.ts";
import type { ColumnValues, FlowColumn, FlowFrame } from "./frame.ts";

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

// Float32 shortest digits. In the common range the shortest decimal is found exactly as an
// integer `digits` and a count of decimals `k` (value = ±digits / 10^k), without toPrecision;
// outside it, or when a candidate comes too close to the rounding interval's edge, the slow
// toPrecision search decides.
const float32Bits = new Uint32Array(1);
const float32View = new Float32Array(float32Bits.buffer);

// Exact powers of ten: 10^k for k <= 12 needs at most 28 mantissa bits, so 10^k times a float32
// (24 bits) fits a double's 53 bits and every product below is exact.
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
// Keeps candidates clear of the rounding interval's edges, where reading the decimal back as a
// double first and then as a float32 could round differently than reading it as a float32.
const EDGE_MARGIN = 1 - 2 ** -20;
// Half the gap between neighbouring float32s of binary exponent e, times 10^k and the margin:
// (2^(e-24) * 10^k) * EDGE_MARGIN, the same rounding as multiplying in that order, since scaling
// by a power of two is exact. Indexed by (e + 10) * 13 + k for e in -10..23 (1e-3 <= |v| < 1e7).
const TOLERANCES = Float64Array.from(
  { length: 34 * 13 },
  (_, i) => 2 ** (Math.floor(i / 13) - 10 - 24) * POWERS_OF_TEN[i % 13] * EDGE_MARGIN,
);

/** Set by {@linkcode float32Digits}: the value is ±digits / 10^decimals. */
let shortDigits = 0;
let shortDecimals = 0;

/**
 * Finds the shortest decimal of the float32 `value` (finite, not an integer below 2^24, |value|
 * in [1e-3, 1e7)) as {@linkcode shortDigits} and {@linkcode shortDecimals}; false when the slow
 * search must decide.
 */
function float32Digits(value: number): boolean {
  const magnitude = value < 0 ? -value : value;
  if (!(magnitude >= 1e-3 && magnitude < 1e7)) return false;
  float32View[0] = magnitude;
  // Every float32 in the range is normal: its binary exponent is in the bits.
  const exponent = (float32Bits[0] >>> 23) - 127;
  const first = magnitude >= 0.1 ? 0 : magnitude >= 0.01 ? 1 : 2;
  const row = (exponent + 10) * 13;
  for (let k = first; k <= 12; k++) {
    const scaled = magnitude * POWERS_OF_TEN[k];
    const digits = Math.round(scaled);
    const off = digits - scaled;
    if ((off < 0 ? -off : off) < TOLERANCES[row + k]) {
      if (digits >= 9007199254740992) return false;
      shortDigits = digits;
      shortDecimals = k;
      return true;
    }
  }
  return false;
}

/**
 * The shortest decimal of an integer float32 of magnitude `magnitude` (2^24 <= magnitude < 1e15),
 * as the slow search finds it: rounded half up to p significant digits, p from 7 down while it
 * still reads back, else 8, else 9. Exact integer arithmetic: every candidate is below 2^53.
 */
function float32IntegerDigits(magnitude: number): number {
  let length = 8;
  while (magnitude >= POWERS_OF_TEN[length]) length++;
  let best = roundedTo(magnitude, length, 7);
  if (Math.fround(best) === magnitude) {
    for (let precision = 6; precision > 0; precision--) {
      const shorter = roundedTo(magnitude, length, precision);
      if (Math.fround(shorter) !== magnitude) break;
      best = shorter;
    }
    return best;
  }
  best = roundedTo(magnitude, length, 8);
  return Math.fround(best) === magnitude ? best : roundedTo(magnitude, length, 9);
}

/** `integer` (of `length` digits) rounded half up to `precision` significant digits. */
function roundedTo(integer: number, length: number, precision: number): number {
  if (length <= precision) return integer;
  const unit = POWERS_OF_TEN[length - precision];
  let quotient = Math.floor(integer / unit);
  let rest = integer - quotient * unit;
  if (rest < 0) {
    quotient--;
    rest += unit;
  }
  return (rest * 2 >= unit ? quotient + 1 : quotient) * unit;
}

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

function decimalText(digits: number, k: number, negative: boolean): string {
  const text = String(digits);
  const body = k === 0
    ? text
    : text.length > k
    ? `${text.slice(0, text.length - k)}.${text.slice(text.length - k)}`
    : `0.${"0".repeat(k - text.length)}${text}`;
  return negative ? `-${body}` : body;
}

/** The shortest decimal that reads back as the float32 `value` (finite). */
function float32Text(value: number): string {
  // Below 2^24 every integer is a float32 of its own, so its digits are already the shortest.
  if (Number.isInteger(value)) {
    const magnitude = Math.abs(value);
    if (magnitude < 16777216) return String(value);
    if (magnitude < 1e15) {
      return String(value < 0 ? -float32IntegerDigits(magnitude) : float32IntegerDigits(magnitude));
    }
  }
  return float32Digits(value)
    ? decimalText(shortDigits, shortDecimals, value < 0)
    : shortestFloat32Slow(value);
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

// The byte writer. Request bodies are the client's hot path (about 8 million cells for 100,000
// flows), so cells are written as ASCII bytes straight into one buffer, with no string per cell.

/** How a column's cells are written. */
const INTEGER = 0;
const FLOAT32 = 1;
const FLOAT64 = 2;
const TEXT = 3;

const COMMA = 44;
const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const OPEN = 91;
const CLOSE = 93;
/** "00".."99" as byte pairs. */
const DIGIT_PAIRS = Uint8Array.from(
  { length: 200 },
  (_, i) => ZERO + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)),
);
// Room for any numeric cell and its comma: a double's String() is at most 25 characters.
const NUMERIC_CELL_BYTES = 32;
const textEncoder = new TextEncoder();

/**
 * The column's values at `rows` as doubles in `target`. `start` >= 0 says the rows are
 * start, start + 1, ...: then typed arrays convert in one native copy.
 */
function gatherNumbers(
  values: Exclude<ColumnValues, string[]>,
  rows: ArrayLike<number>,
  start: number,
  target: Float64Array,
): void {
  const count = rows.length;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Exact as a double up to 2^53; NaN marks a cell to write from its bigint.
    for (let i = 0; i < count; i++) {
      const number = Number(values[rows[i]]);
      target[i] = number <= 9007199254740991 && number >= -9007199254740991 ? number : NaN;
    }
    return;
  }
  if (start >= 0) {
    target.set(values.subarray(start, start + count));
    return;
  }
  // One loop per array type, so each stays monomorphic.
  if (values instanceof Float32Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Float64Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Uint8Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Uint16Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Uint32Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Int8Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else if (values instanceof Int16Array) {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  } else {
    for (let i = 0; i < count; i++) target[i] = values[rows[i]];
  }
}

/** The first of `rows` when they are consecutive positions, else -1. */
function consecutiveStart(rows: ArrayLike<number>): number {
  const count = rows.length;
  if (count === 0) return -1;
  const first = rows[0];
  for (let i = 1; i < count; i++) if (rows[i] !== first + i) return -1;
  return first;
}

/** `out`, or a larger copy of its first `pos` bytes, with room for `room` more bytes. */
function grow(out: Uint8Array<ArrayBuffer>, pos: number, room: number): Uint8Array<ArrayBuffer> {
  if (pos + room <= out.length) return out;
  const grown = new Uint8Array(Math.max(out.length * 2, pos + room, 65536));
  grown.set(out.subarray(0, pos));
  return grown;
}

/** Writes the integer `value` (|value| < 2^53) at `pos`; returns the position after it. */
function writeInteger(out: Uint8Array, pos: number, value: number): number {
  if (value < 0) {
    out[pos++] = MINUS;
    value = -value;
  }
  if (value < 10) {
    out[pos] = ZERO + value;
    return pos + 1;
  }
  let length = 2;
  while (length < 16 && value >= POWERS_OF_TEN[length]) length++;
  const end = pos + length;
  let p = end;
  while (value >= 4294967296) {
    const quotient = Math.floor(value / 100);
    const pair = (value - quotient * 100) * 2;
    out[--p] = DIGIT_PAIRS[pair + 1];
    out[--p] = DIGIT_PAIRS[pair];
    value = quotient;
  }
  let small = value >>> 0;
  while (small >= 100) {
    const quotient = (small / 100) >>> 0;
    const pair = (small - quotient * 100) * 2;
    out[--p] = DIGIT_PAIRS[pair + 1];
    out[--p] = DIGIT_PAIRS[pair];
    small = quotient;
  }
  if (small >= 10) {
    out[--p] = DIGIT_PAIRS[small * 2 + 1];
    out[--p] = DIGIT_PAIRS[small * 2];
  } else {
    out[--p] = ZERO + small;
  }
  return end;
}

/** Writes `value` (0 <= value < 10^width) as exactly `width` digits, zero-padded. */
function writePadded(out: Uint8Array, pos: number, value: number, width: number): number {
  const end = pos + width;
  let p = end;
  while (p - 2 >= pos && value >= 4294967296) {
    const quotient = Math.floor(value / 100);
    const pair = (value - quotient * 100) * 2;
    out[--p] = DIGIT_PAIRS[pair + 1];
    out[--p] = DIGIT_PAIRS[pair];
    value = quotient;
  }
  let small = value >>> 0;
  while (p - 2 >= pos) {
    const quotient = (small / 100) >>> 0;
    const pair = (small - quotient * 100) * 2;
    out[--p] = DIGIT_PAIRS[pair + 1];
    out[--p] = DIGIT_PAIRS[pair];
    small = quotient;
  }
  if (p > pos) out[--p] = ZERO + small % 10;
  return end;
}

/** Writes ±digits / 10^k as {@linkcode decimalText} would; returns the position after it. */
function writeDecimal(
  out: Uint8Array,
  pos: number,
  digits: number,
  k: number,
  negative: boolean,
): number {
  if (negative) out[pos++] = MINUS;
  if (k === 0) return writeInteger(out, pos, digits);
  const scale = POWERS_OF_TEN[k];
  const whole = Math.floor(digits / scale);
  pos = writeInteger(out, pos, whole);
  out[pos++] = DOT;
  return writePadded(out, pos, digits - whole * scale, k);
}

/** Writes an ASCII `text` at `pos` (the caller made room); returns the position after it. */
function writeAscii(out: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[pos++] = text.charCodeAt(i);
  return pos;
}

/** Writes the float32 `value` in shortest form (null when not finite). */
function writeFloat32(out: Uint8Array, pos: number, value: number): number {
  if (value - value !== 0) return writeAscii(out, pos, "null");
  if (Number.isInteger(value)) {
    if (value < 16777216 && value > -16777216) return writeInteger(out, pos, value);
    if (value < 1e15 && value > -1e15) {
      return writeInteger(
        out,
        pos,
        value < 0 ? -float32IntegerDigits(-value) : float32IntegerDigits(value),
      );
    }
  }
  return float32Digits(value)
    ? writeDecimal(out, pos, shortDigits, shortDecimals, value < 0)
    : writeAscii(out, pos, shortestFloat32Slow(value));
}

/** Writes the double `value` as String() does (null when not finite). */
function writeFloat64(out: Uint8Array, pos: number, value: number): number {
  if (value - value !== 0) return writeAscii(out, pos, "null");
  if (Number.isInteger(value) && value < 9007199254740992 && value > -9007199254740992) {
    return writeInteger(out, pos, value);
  }
  return writeAscii(out, pos, String(value));
}

/** Options for {@linkcode SplitJsonEncoder}. */
export interface SplitJsonEncoderOptions {
  /** Names of the columns to write, in order; default every column. */
  columns?: readonly string[];
  /** Write the pandas index as `index` (the API's notifications do, requests do not). */
  withIndex?: boolean;
  /** Text before the split object, such as `{"dataframe_split":`; default none. */
  prefix?: string;
  /** Text after the split object, such as `}`; default none. */
  suffix?: string;
}

/**
 * Writes rows of one frame as pandas split JSON, as UTF-8 bytes: the columns are looked up once,
 * then {@linkcode SplitJsonEncoder.encode} writes any rows. Exactly {@linkcode encodeSplitJson}'s text.
 */
export class SplitJsonEncoder {
  readonly #frame: FlowFrame;
  readonly #columns: FlowColumn[];
  readonly #kinds: Uint8Array;
  /** Position of each column among the numeric ones (row-major slots), or among the text ones. */
  readonly #slots: Int32Array;
  readonly #numeric: number;
  readonly #texts: (string | null | undefined)[][];
  readonly #head: Uint8Array;
  readonly #tail: Uint8Array;
  readonly #withIndex: boolean;
  /** Each numeric column's values at the rows being written. */
  #gathered: Float64Array[] = [];
  #capacity = 0;
  #out: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  constructor(frame: FlowFrame, options: SplitJsonEncoderOptions = {}) {
    const names = options.columns ?? frame.columns.map((column) => column.name);
    this.#frame = frame;
    this.#columns = names.map((name) => {
      const column = frame.columns.find((candidate) => candidate.name === name);
      if (!column) throw new InputError(`the flows have no column '${name}'`);
      return column;
    });
    this.#kinds = new Uint8Array(names.length);
    this.#slots = new Int32Array(names.length);
    this.#texts = [];
    let numeric = 0;
    this.#columns.forEach((column, c) => {
      const values = column.values;
      if (Array.isArray(values)) {
        this.#kinds[c] = TEXT;
        this.#slots[c] = this.#texts.length;
        this.#texts.push(values);
        return;
      }
      this.#kinds[c] = values instanceof Float32Array
        ? FLOAT32
        : values instanceof Float64Array
        ? FLOAT64
        : INTEGER;
      this.#slots[c] = numeric++;
    });
    this.#numeric = numeric;
    this.#withIndex = options.withIndex ?? false;
    this.#head = textEncoder.encode(`${options.prefix ?? ""}{"columns":${JSON.stringify(names)}`);
    this.#tail = textEncoder.encode(`}${options.suffix ?? ""}`);
  }

  /** The split JSON of `rows` (positions in the frame, in this order) as UTF-8 bytes. */
  encode(rows: ArrayLike<number>): Uint8Array<ArrayBuffer> {
    const count = rows.length;
    const width = this.#columns.length;
    if (this.#capacity < count) {
      this.#gathered = Array.from({ length: this.#numeric }, () => new Float64Array(count));
      this.#capacity = count;
    }
    const gathered = this.#gathered;
    const start = consecutiveStart(rows);
    for (let c = 0; c < width; c++) {
      const values = this.#columns[c].values;
      if (!Array.isArray(values)) gatherNumbers(values, rows, start, gathered[this.#slots[c]]);
    }
    const kinds = this.#kinds;
    const slots = this.#slots;
    const texts = this.#texts;
    const rowRoom = width * NUMERIC_CELL_BYTES + 8;
    let out = grow(this.#out, 0, this.#head.length + 64);
    out.set(this.#head, 0);
    let pos = this.#head.length;
    if (this.#withIndex) {
      pos = writeAscii(out, pos, ',"index":[');
      const index = this.#frame.index;
      for (let i = 0; i < count; i++) {
        if (pos + NUMERIC_CELL_BYTES > out.length) out = grow(out, pos, NUMERIC_CELL_BYTES);
        if (i > 0) out[pos++] = COMMA;
        pos = writeAscii(out, pos, String(index[rows[i]]));
      }
      out = grow(out, pos, 16);
      out[pos++] = CLOSE;
    }
    pos = writeAscii(out, pos, ',"data":[');
    for (let i = 0; i < count; i++) {
      if (pos + rowRoom > out.length) out = grow(out, pos, rowRoom);
      if (i > 0) out[pos++] = COMMA;
      out[pos++] = OPEN;
      for (let c = 0; c < width; c++) {
        if (c > 0) out[pos++] = COMMA;
        const kind = kinds[c];
        if (kind === TEXT) {
          const value = texts[slots[c]][rows[i]];
          if (value === undefined || value === null) {
            pos = writeAscii(out, pos, "null");
            continue;
          }
          // Room for every character as a six-byte escape, the quotes, and the rest of the row.
          const room = value.length * 6 + 2 + rowRoom;
          if (pos + room > out.length) out = grow(out, pos, room);
          pos = writeText(out, pos, value);
          continue;
        }
        const value = gathered[slots[c]][i];
        // Most cells are small counts and zeros.
        if (value >= 0 && value < 10 && (value | 0) === value) {
          out[pos++] = ZERO + value;
        } else if (kind === INTEGER) {
          pos = value === value
            ? writeInteger(out, pos, value)
            : writeAscii(out, pos, String(this.#columns[c].values[rows[i]]));
        } else if (kind === FLOAT32) {
          pos = writeFloat32(out, pos, value);
        } else {
          pos = writeFloat64(out, pos, value);
        }
      }
      out[pos++] = CLOSE;
    }
    out = grow(out, pos, 8 + this.#tail.length);
    out[pos++] = CLOSE;
    out.set(this.#tail, pos);
    pos += this.#tail.length;
    this.#out = out;
    return out.slice(0, pos);
  }
}

/** Writes `value` as a JSON string (JSON.stringify's escapes, UTF-8); returns the position after it. */
function writeText(out: Uint8Array, pos: number, value: string): number {
  const start = pos;
  out[pos++] = QUOTE;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === QUOTE || code === BACKSLASH) {
      // Not plain ASCII: JSON.stringify's text, encoded.
      const { written } = textEncoder.encodeInto(JSON.stringify(value), out.subarray(start));
      return start + written;
    }
    out[pos++] = code;
  }
  out[pos++] = QUOTE;
  return pos;
}

/** Writes flows as pandas split JSON: `{"columns": [...], ("index": [...],) "data": [[...], ...]}`. */
export function encodeSplitJson(frame: FlowFrame, options: EncodeSplitOptions = {}): string {
  return new TextDecoder().decode(encodeSplitJsonBytes(frame, options));
}

/** {@linkcode encodeSplitJson} as UTF-8 bytes, the form request bodies are sent in. */
export function encodeSplitJsonBytes(
  frame: FlowFrame,
  options: EncodeSplitOptions = {},
): Uint8Array<ArrayBuffer> {
  const encoder = new SplitJsonEncoder(frame, {
    columns: options.columns,
    withIndex: options.withIndex,
  });
  return encoder.encode(options.rows ?? Uint32Array.from({ length: frame.length }, (_, i) => i));
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
