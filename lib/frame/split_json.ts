/**
 * pandas "split" JSON, the wire format of the ML-IDS API and its notifications: encoding flows
 * exactly (integers of every width, NaN and infinities as null, float32 in its shortest form) and
 * decoding it with the shape checked.
 * @module
 */

import { InputError } from "../errors.ts";
import { parseJsonExact } from "../json.ts";
import type { ColumnValues, FlowColumn, FlowFrame } from "./frame.ts";

/** A decoded split table: column names, optional pandas index, rows of cells (integers beyond 2^53 as bigints). */
export interface SplitTable {
  readonly columns: string[];
  readonly index?: (number | bigint | string)[];
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

/** How a column's cells are written: see {@linkcode GatheredRows}. */
const INTEGER = 0;
const FLOAT32 = 1;
const FLOAT64 = 2;
const TEXT = 3;

/**
 * Rows of a frame gathered for the byte writer: numeric columns as doubles (exact for every
 * integer below 2^53) in one array, so the writer reads one array type; text columns as values.
 */
interface GatheredRows {
  readonly count: number;
  /** Per column written: 0 integer, 1 float32, 2 float64, 3 text. */
  readonly kinds: Uint8Array;
  /** Per column: where its cells start in `numbers` (numeric) or its position in `texts` (text). */
  readonly offsets: Int32Array;
  /** The numeric columns' cells, one column after the other. */
  readonly numbers: Float64Array;
  readonly texts: (string | null | undefined)[][];
  /** Integer cells beyond 2^53 (NaN in `numbers`): their digits, by position in `numbers`. */
  readonly exact: Map<number, string> | null;
  /** The pandas index of each row as text, when the index is written. */
  readonly index: string[] | null;
}

/**
 * The byte writer, self-contained (no reference outside its body; its tables and scratch buffer
 * live in its closure). Request bodies are the client's hot path (about 8 million cells for
 * 100,000 flows), so cells are written as ASCII bytes straight into one buffer, with no string
 * per cell. (Writing on a worker thread was measured: slower on two cores, so it is not done.)
 */
function splitJsonWriter() {
  const INTEGER = 0;
  const FLOAT32 = 1;
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
  // (2^(e-24) * 10^k) * EDGE_MARGIN, the same rounding as multiplying in that order, since
  // scaling by a power of two is exact. Indexed by (e + 10) * 13 + k for e in -10..23
  // (1e-3 <= |v| < 1e7).
  const TOLERANCES = Float64Array.from(
    { length: 34 * 13 },
    (_, i) => 2 ** (Math.floor(i / 13) - 10 - 24) * POWERS_OF_TEN[i % 13] * EDGE_MARGIN,
  );

  /** Set by float32Digits: the value is ±digits / 10^decimals. */
  let shortDigits = 0;
  let shortDecimals = 0;

  /** Whether ±magnitude / 10^k is within the rounding interval of the float32 (the margin kept). */
  function fits(magnitude: number, k: number, row: number): boolean {
    const scaled = magnitude * POWERS_OF_TEN[k];
    const off = Math.round(scaled) - scaled;
    return (off < 0 ? -off : off) < TOLERANCES[row + k];
  }

  /**
   * Finds the shortest decimal of the float32 `value` (finite, |value| in [1e-3, 1e7)) as
   * shortDigits and shortDecimals; false when the slow search must decide.
   */
  function float32Digits(value: number): boolean {
    const magnitude = value < 0 ? -value : value;
    if (!(magnitude >= 1e-3 && magnitude < 1e7)) return false;
    float32View[0] = magnitude;
    // Every float32 in the range is normal: its binary exponent is in the bits.
    const row = ((float32Bits[0] >>> 23) - 127 + 10) * 13;
    // Fewer decimals never fit where more do not, so the fewest that fit is found from any
    // start: most flow statistics need 8 significant digits, so start there.
    let wholeDigits = magnitude >= 1 ? 1 : magnitude >= 0.1 ? 0 : magnitude >= 0.01 ? -1 : -2;
    while (wholeDigits < 7 && magnitude >= POWERS_OF_TEN[wholeDigits]) wholeDigits++;
    const first = wholeDigits > 0 ? 0 : -wholeDigits;
    let k = 8 - wholeDigits;
    if (fits(magnitude, k, row)) {
      while (k > first && fits(magnitude, k - 1, row)) k--;
    } else {
      do k++; while (k <= 12 && !fits(magnitude, k, row));
      if (k > 12) return false;
    }
    const digits = Math.round(magnitude * POWERS_OF_TEN[k]);
    if (digits >= 9007199254740992) return false;
    shortDigits = digits;
    shortDecimals = k;
    return true;
  }

  /**
   * The shortest decimal of an integer float32 of magnitude `magnitude` (2^24 <= magnitude <
   * 1e15), as the slow search finds it: rounded half up to p significant digits, p from 7 down
   * while it still reads back, else 8, else 9. Exact integer arithmetic: every candidate is
   * below 2^53.
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
        const digits = float32IntegerDigits(magnitude);
        return String(value < 0 ? -digits : digits);
      }
    }
    return float32Digits(value)
      ? decimalText(shortDigits, shortDecimals, value < 0)
      : shortestFloat32Slow(value);
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

  /** Writes ±digits / 10^k as decimalText would; returns the position after it. */
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

  /** Writes the float32 `value` in shortest form (null when not finite; -0.0 keeps its sign). */
  function writeFloat32(out: Uint8Array, pos: number, value: number): number {
    if (value - value !== 0) return writeAscii(out, pos, "null");
    if (value === 0 && 1 / value < 0) return writeAscii(out, pos, "-0.0");
    if (Number.isInteger(value)) {
      if (value < 16777216 && value > -16777216) return writeInteger(out, pos, value);
      if (value < 1e15 && value > -1e15) {
        const digits = float32IntegerDigits(value < 0 ? -value : value);
        return writeInteger(out, pos, value < 0 ? -digits : digits);
      }
    }
    return float32Digits(value)
      ? writeDecimal(out, pos, shortDigits, shortDecimals, value < 0)
      : writeAscii(out, pos, shortestFloat32Slow(value));
  }

  /** Writes the double `value` as String() does (null when not finite; -0.0 keeps its sign). */
  function writeFloat64(out: Uint8Array, pos: number, value: number): number {
    if (value - value !== 0) return writeAscii(out, pos, "null");
    if (value === 0 && 1 / value < 0) return writeAscii(out, pos, "-0.0");
    if (Number.isInteger(value) && value < 9007199254740992 && value > -9007199254740992) {
      return writeInteger(out, pos, value);
    }
    return writeAscii(out, pos, String(value));
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

  /** Reused between calls: the bodies are copied out of it. */
  let scratch: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  /**
   * Writes `head`, the gathered rows as `"data"` (and `"index"`), and `tail`; without `wrap`, only
   * the rows, comma-separated (a piece of a `"data"` list).
   */
  function writeRows(
    rows: GatheredRows,
    head: Uint8Array,
    tail: Uint8Array,
    wrap = true,
  ): Uint8Array<ArrayBuffer> {
    const { count, kinds, offsets, numbers, texts, exact, index } = rows;
    const width = kinds.length;
    const rowRoom = width * NUMERIC_CELL_BYTES + 8;
    let out = grow(scratch, 0, head.length + 64);
    let pos = 0;
    if (wrap) {
      out.set(head, 0);
      pos = head.length;
    }
    if (wrap && index !== null) {
      pos = writeAscii(out, pos, ',"index":[');
      for (let i = 0; i < count; i++) {
        if (pos + NUMERIC_CELL_BYTES > out.length) out = grow(out, pos, NUMERIC_CELL_BYTES);
        if (i > 0) out[pos++] = COMMA;
        pos = writeAscii(out, pos, index[i]);
      }
      out = grow(out, pos, 16);
      out[pos++] = CLOSE;
    }
    if (wrap) pos = writeAscii(out, pos, ',"data":[');
    for (let i = 0; i < count; i++) {
      if (pos + rowRoom > out.length) out = grow(out, pos, rowRoom);
      if (i > 0) out[pos++] = COMMA;
      out[pos++] = OPEN;
      for (let c = 0; c < width; c++) {
        if (c > 0) out[pos++] = COMMA;
        const kind = kinds[c];
        if (kind === TEXT) {
          const value = texts[offsets[c]][i];
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
        const at = offsets[c] + i;
        const value = numbers[at];
        // Most cells are small counts and zeros (a negative zero is not: it keeps its sign).
        if (value >= 0 && value < 10 && (value | 0) === value && (value !== 0 || 1 / value > 0)) {
          out[pos++] = ZERO + value;
        } else if (kind === INTEGER) {
          pos = value === value
            ? writeInteger(out, pos, value)
            : writeAscii(out, pos, exact?.get(at) ?? "null");
        } else if (kind === FLOAT32) {
          pos = writeFloat32(out, pos, value);
        } else {
          pos = writeFloat64(out, pos, value);
        }
      }
      out[pos++] = CLOSE;
    }
    out = grow(out, pos, 8 + tail.length);
    if (wrap) {
      out[pos++] = CLOSE;
      out.set(tail, pos);
      pos += tail.length;
    }
    scratch = out;
    return out.slice(0, pos);
  }

  return { float32Text, writeRows };
}

const writer = splitJsonWriter();

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
      return !Number.isFinite(value) ? "null" : Object.is(value, -0) ? "-0.0" : String(value);
    };
  }
  if (values instanceof Float32Array) {
    const { float32Text } = writer;
    return (row) => {
      const value = values[row];
      return !Number.isFinite(value) ? "null" : Object.is(value, -0) ? "-0.0" : float32Text(value);
    };
  }
  return (row) => String(values[row]);
}

/**
 * The JSON writer of one column: integers exactly (int64/uint64 as digits), floats in the shortest
 * form that reads back as the same float32 or float64 (a negative zero as `-0.0`), NaN and
 * infinities as null, strings quoted. Shared by every JSON view of flows.
 */
export function jsonCellWriter(column: FlowColumn): (row: number) => string {
  return cellWriter(column);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The column's values at `rows` as doubles in `target` from `at`. `start` >= 0 says the rows are
 * start, start + 1, ...: then typed arrays convert in one native copy. Integers beyond 2^53 are
 * NaN, with their digits in `exact`.
 */
function gatherNumbers(
  values: Exclude<ColumnValues, string[]>,
  rows: ArrayLike<number>,
  start: number,
  target: Float64Array,
  at: number,
  exact: Map<number, string>,
): void {
  const count = rows.length;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // From the two 32-bit halves, without a bigint per cell (Number(bigint) is slow).
    const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = values instanceof BigInt64Array;
    const low = LITTLE_ENDIAN ? 0 : 1;
    for (let i = 0; i < count; i++) {
      const word = rows[i] * 2;
      const high = signed ? words[word + 1 - low] : words[word + 1 - low] >>> 0;
      if (high >= -2097151 && high <= 2097151) {
        // |value| < 2^53: exact as a double.
        target[at + i] = high * 4294967296 + (words[word + low] >>> 0);
      } else {
        target[at + i] = NaN;
        exact.set(at + i, String(values[rows[i]]));
      }
    }
    return;
  }
  // A native copy pays off past a few rows; a view per column costs more for one flow.
  if (start >= 0 && count >= 16) {
    target.set(values.subarray(start, start + count), at);
    return;
  }
  // One loop per array type, so each stays monomorphic.
  if (values instanceof Float32Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Float64Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Uint8Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Uint16Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Uint32Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Int8Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else if (values instanceof Int16Array) {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
  } else {
    for (let i = 0; i < count; i++) target[at + i] = values[rows[i]];
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
 * then {@linkcode SplitJsonEncoder.encode} writes any rows. Exactly {@linkcode encodeSplitJson}'s
 * text.
 */
export class SplitJsonEncoder {
  /** The bytes before the rows: prefix and `{"columns":[...]`. */
  readonly #head: Uint8Array;
  /** The bytes after the rows: `}` and suffix. */
  readonly #tail: Uint8Array;
  readonly #index: BigInt64Array | null;
  readonly #values: ColumnValues[];
  readonly #kinds: Uint8Array;
  /** Per column: its position among the numeric columns, or among the text ones. */
  readonly #slots: Int32Array;
  readonly #numeric: number;
  readonly #textCount: number;
  #scratch = new Float64Array(0);

  constructor(frame: FlowFrame, options: SplitJsonEncoderOptions = {}) {
    const names = options.columns ?? frame.columns.map((column) => column.name);
    this.#values = names.map((name) => {
      const column = frame.columns.find((candidate) => candidate.name === name);
      if (!column) throw new InputError(`the flows have no column '${name}'`);
      return column.values;
    });
    this.#kinds = new Uint8Array(names.length);
    this.#slots = new Int32Array(names.length);
    let numeric = 0;
    let texts = 0;
    this.#values.forEach((values, c) => {
      if (Array.isArray(values)) {
        this.#kinds[c] = TEXT;
        this.#slots[c] = texts++;
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
    this.#textCount = texts;
    this.#index = options.withIndex ? frame.index : null;
    const encoder = new TextEncoder();
    this.#head = encoder.encode(`${options.prefix ?? ""}{"columns":${JSON.stringify(names)}`);
    this.#tail = encoder.encode(`}${options.suffix ?? ""}`);
  }

  /** The cells of `rows` for the byte writer, the numbers in `numbers` (long enough). */
  #gather(rows: ArrayLike<number>, numbers: Float64Array): GatheredRows {
    const count = rows.length;
    const offsets = new Int32Array(this.#kinds.length);
    const texts: (string | null | undefined)[][] = [];
    const exact = new Map<number, string>();
    const start = consecutiveStart(rows);
    for (let c = 0; c < this.#values.length; c++) {
      const values = this.#values[c];
      if (Array.isArray(values)) {
        const cells = new Array<string | null | undefined>(count);
        for (let i = 0; i < count; i++) cells[i] = values[rows[i]];
        offsets[c] = texts.length;
        texts.push(cells);
      } else {
        offsets[c] = this.#slots[c] * count;
        gatherNumbers(values, rows, start, numbers, offsets[c], exact);
      }
    }
    let index: string[] | null = null;
    if (this.#index !== null) {
      const frameIndex = this.#index;
      index = Array.from({ length: count }, (_, i) => String(frameIndex[rows[i]]));
    }
    return {
      count,
      kinds: this.#kinds,
      offsets,
      numbers,
      texts,
      exact: exact.size > 0 ? exact : null,
      index,
    };
  }

  /** The split JSON of `rows` (positions in the frame, in this order) as UTF-8 bytes. */
  encode(rows: ArrayLike<number>): Uint8Array<ArrayBuffer> {
    const cells = rows.length * this.#numeric;
    if (this.#scratch.length < cells) this.#scratch = new Float64Array(cells);
    return writer.writeRows(this.#gather(rows, this.#scratch), this.#head, this.#tail);
  }

  /**
   * Only the `"data"` rows of `rows`, comma-separated, as UTF-8 bytes (`[1,2],[3,4]`): a piece of
   * a split object written batch by batch. Ignores prefix, suffix and the index.
   */
  encodeData(rows: ArrayLike<number>): Uint8Array<ArrayBuffer> {
    const cells = rows.length * this.#numeric;
    if (this.#scratch.length < cells) this.#scratch = new Float64Array(cells);
    return writer.writeRows(this.#gather(rows, this.#scratch), this.#head, this.#tail, false);
  }
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

/**
 * Reads pandas split JSON, checking its shape; `what` names the input in errors. Integers beyond
 * 2^53 (int64 as pandas writes them) are read exactly, as bigints.
 */
export function decodeSplitJson(text: string, what = "split JSON"): SplitTable {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(text);
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
      !index.every((value) =>
        typeof value === "number" || typeof value === "bigint" || typeof value === "string"
      )
    ) {
      throw new InputError(`${what} has an "index" that does not match its rows`);
    }
    return { columns: columns as string[], index: index as (number | bigint | string)[], data };
  }
  return { columns: columns as string[], data };
}
