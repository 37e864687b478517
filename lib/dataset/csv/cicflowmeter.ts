/**
 * Reads CICFlowMeter CSV files (V3 as in CSE-CIC-IDS2018, 4.0, the Python cicflowmeter) into a
 * {@linkcode FlowDataset}: columns renamed to ML-IDS names, in ML-IDS order, numbers parsed straight
 * from the bytes into typed arrays of ML-IDS dtypes while the file streams through a fixed buffer.
 * @module
 */

import { InputError, MachineError, UsageError } from "../../errors.ts";
import {
  CICFLOWMETER4_HEADERS,
  type CsvDialect,
  detectDialect,
  IDENTITY_COLUMNS,
  IDS_FEATURES,
  idsColumnName,
  LABEL_COLUMN,
  PYTHON_CICFLOWMETER_NAMES,
  V3_HEADERS,
} from "../_column_names.ts";
import {
  type ColumnInfo,
  type DatasetInfo,
  type FlowBatch,
  type FlowDataset,
  type LabelIndex,
  type ScanOptions,
  sortCategories,
} from "../flow_dataset.ts";
import { scanDataset } from "../_scan.ts";
import { type FlowColumn, type FlowFrame, type NumericValues, takeRows } from "../../frame/mod.ts";

/** Options for {@linkcode openFlowCsv}. */
export interface OpenFlowCsvOptions {
  /** Receives one-line notes about what was dropped, skipped or widened while reading. */
  onNotice?: (message: string) => void;
}

/** The label CICFlowMeter 4.0 writes when it has no label for a flow. */
export const UNLABELLED_PLACEHOLDER = "NeedManualLabel";

const CHUNK_BYTES = 4 << 20;
const MAX_RECORD_BYTES = 64 << 20;
const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

// How a column's values are stored while reading; numbers index STORAGE.
const TEXT = 0;
const F64 = 1;
const F32 = 2;
const U8 = 3;
const U16 = 4;
const U32 = 5;
const I32 = 6;
const I64 = 7;
const U64 = 8;

type TypedCtor = new (length: number) => NumericValues;
const STORAGE: Record<string, { store: number; ctor: TypedCtor | null; min: number; max: number }> =
  {
    object: { store: TEXT, ctor: null, min: 0, max: 0 },
    float64: { store: F64, ctor: Float64Array, min: -Infinity, max: Infinity },
    float32: { store: F32, ctor: Float32Array, min: -Infinity, max: Infinity },
    uint8: { store: U8, ctor: Uint8Array, min: 0, max: 0xff },
    uint16: { store: U16, ctor: Uint16Array, min: 0, max: 0xffff },
    uint32: { store: U32, ctor: Uint32Array, min: 0, max: 0xffffffff },
    int32: { store: I32, ctor: Int32Array, min: -0x80000000, max: 0x7fffffff },
    int64: { store: I64, ctor: BigInt64Array, min: -Infinity, max: Infinity },
    uint64: { store: U64, ctor: BigUint64Array, min: 0, max: Infinity },
  };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** One output column being filled while the file streams by. */
class ColumnBuilder {
  readonly name: string;
  dtype: string;
  store: number;
  readonly min: number;
  readonly max: number;
  values: NumericValues | null;
  /** A 32-bit view of an int64/uint64 column's values, to store them without BigInts. */
  halves: Uint32Array | null;
  readonly texts: string[] | null;
  /** Why an integer column became float64, for the notice. */
  widened: string | null = null;
  // The last text decoded, to share one string among equal neighbours (labels, IPs, timestamps).
  readonly lastBytes: Uint8Array;
  lastLength = -1;
  lastText = "";

  constructor(name: string, dtype: string, capacity: number) {
    const storage = STORAGE[dtype] ?? STORAGE.float64;
    this.name = name;
    this.dtype = dtype;
    this.store = storage.store;
    this.min = storage.min;
    this.max = storage.max;
    this.values = storage.ctor === null ? null : new storage.ctor(capacity);
    this.texts = storage.ctor === null ? [] : null;
    this.halves = LITTLE_ENDIAN && (storage.store === I64 || storage.store === U64)
      ? new Uint32Array((this.values as BigInt64Array).buffer)
      : null;
    this.lastBytes = new Uint8Array(storage.ctor === null ? 256 : 0);
  }

  grow(capacity: number): void {
    if (this.values === null) return;
    const Ctor = this.values.constructor as TypedCtor;
    const next = new Ctor(capacity);
    (next as Uint8Array).set(this.values as Uint8Array);
    this.values = next;
    this.halves = this.halves === null ? null : new Uint32Array(next.buffer);
  }

  /** Turns an integer column into float64 from row `row` on, remembering why. */
  widen(row: number, reason: string): void {
    const old = this.values as NumericValues;
    const next = new Float64Array(old.length);
    for (let i = 0; i < row; i++) next[i] = Number(old[i]);
    this.values = next;
    this.halves = null;
    this.store = F64;
    this.dtype = "float64";
    this.widened = reason;
  }

  finish(rows: number): FlowColumn {
    let values: NumericValues | string[];
    if (this.texts !== null) values = this.texts;
    else {
      const typed = this.values as NumericValues;
      // A small overshoot of the row-count guess stays as a view; a large one is copied away.
      values = typed.length - rows <= rows / 8 ? typed.subarray(0, rows) : typed.slice(0, rows);
    }
    this.values = null;
    return { name: this.name, dtype: this.dtype, values };
  }
}

/** Field boundaries of the record last tokenized. */
class FieldSpans {
  starts = new Int32Array(128);
  ends = new Int32Array(128);
  /** 1: the field was quoted; 2: it holds escaped quotes (`""`). */
  flags = new Uint8Array(128);
  count = 0;

  grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const flags = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    flags.set(this.flags);
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
  }
}

/**
 * Splits the record starting at `pos` into fields (RFC 4180: quoted fields with `""`, CRLF or LF).
 * Returns where the next record starts, or -1 when the buffer ends mid-record before end of file.
 */
function tokenize(
  buf: Uint8Array,
  pos: number,
  end: number,
  eof: boolean,
  rec: FieldSpans,
): number {
  let n = 0;
  let i = pos;
  for (;;) {
    if (n === rec.starts.length) rec.grow();
    if (i < end && buf[i] === QUOTE) {
      const start = ++i;
      let flag = 1;
      for (;;) {
        if (i >= end) {
          if (!eof) return -1;
          break; // an unterminated quote runs to end of file, as pandas reads it
        }
        if (buf[i] === QUOTE) {
          if (i + 1 >= end && !eof) return -1;
          if (buf[i + 1] === QUOTE) {
            flag = 3;
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      rec.starts[n] = start;
      rec.ends[n] = Math.min(i, end);
      rec.flags[n] = flag;
      i++;
      // Text between a closing quote and the next delimiter is not RFC 4180; skip it.
      while (i < end && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) i++;
    } else {
      const start = i;
      while (i < end) {
        const c = buf[i];
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      rec.starts[n] = start;
      rec.ends[n] = i;
      rec.flags[n] = 0;
    }
    n++;
    if (i >= end) {
      if (!eof) return -1;
      rec.count = n;
      return end;
    }
    const c = buf[i];
    if (c === COMMA) {
      i++;
      continue;
    }
    rec.count = n;
    if (c === CR) {
      if (i + 1 >= end && !eof) return -1;
      return buf[i + 1] === LF ? i + 2 : i + 1;
    }
    return i + 1;
  }
}

const utf8 = new TextDecoder("utf-8");

function decodeText(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 128) {
    let ascii = true;
    for (let k = start; k < end; k++) {
      if (buf[k] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    }
  }
  return utf8.decode(buf.subarray(start, end));
}

function fieldText(buf: Uint8Array, rec: FieldSpans, j: number): string {
  if (j >= rec.count) return "";
  const text = decodeText(buf, rec.starts[j], rec.ends[j]);
  return rec.flags[j] & 2 ? text.replaceAll('""', '"') : text;
}

// Set by parseNumber: the field is not a number; the value came from the slow path (more than 15
// significant digits, so an int64 must be re-read from the text to stay exact).
let numberInvalid = false;
let numberSlow = false;

// The chunk being parsed, decoded as Latin-1 (one code unit per byte, so offsets match) on its
// first slow number: a substring and Number() cost far less than decoding each field on its own.
const latin1 = new TextDecoder("latin1");
let chunkBytes: Uint8Array = new Uint8Array(0);
let chunkLength = 0;
let chunkText: string | null = null;

function setChunk(bytes: Uint8Array, length: number): void {
  chunkBytes = bytes;
  chunkLength = length;
  chunkText = null;
}

function chunkSlice(buf: Uint8Array, start: number, end: number): string {
  if (buf !== chunkBytes || end > chunkLength) return decodeText(buf, start, end);
  chunkText ??= latin1.decode(chunkBytes.subarray(0, chunkLength));
  return chunkText.substring(start, end);
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const SPECIAL_NUMBERS = new Map<string, number>([
  ["nan", NaN],
  ["-nan", NaN],
  ["+nan", NaN],
  ["null", NaN],
  ["none", NaN],
  ["na", NaN],
  ["n/a", NaN],
  ["#n/a", NaN],
  ["<na>", NaN],
  ["inf", Infinity],
  ["+inf", Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-inf", -Infinity],
  ["-infinity", -Infinity],
]);

function specialNumber(buf: Uint8Array, start: number, end: number): number {
  const special = end - start <= 12
    ? SPECIAL_NUMBERS.get(chunkSlice(buf, start, end).toLowerCase())
    : undefined;
  if (special !== undefined) return special;
  numberInvalid = true;
  return NaN;
}

/**
 * Parses a decimal number from bytes (empty, NaN and Infinity spellings included). Up to 15
 * significant digits with a power of ten within ±22 are exact in one IEEE operation (Clinger's
 * fast path); longer numbers, already checked for syntax here, go through `Number()`.
 */
function parseNumber(buf: Uint8Array, start: number, end: number): number {
  numberInvalid = false;
  numberSlow = false;
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  if (start === end) return NaN;
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  } else if (buf[i] === 0x2b) i++;
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let exponent = 0;
  while (i < end) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) break;
    if (mantissa !== 0 || d !== 0) {
      significant++;
      mantissa = mantissa * 10 + d;
    }
    digits++;
    i++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (mantissa !== 0 || d !== 0) {
        significant++;
        mantissa = mantissa * 10 + d;
      }
      exponent--;
      digits++;
      i++;
    }
  }
  if (digits === 0) return specialNumber(buf, start, end);
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let negativeExponent = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) negativeExponent = buf[i++] === 0x2d;
    let written = 0;
    let exponentDigits = 0;
    while (i < end) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (written < 1e6) written = written * 10 + d;
      exponentDigits++;
      i++;
    }
    if (exponentDigits === 0) i = -1;
    exponent += negativeExponent ? -written : written;
  }
  if (i !== end) {
    numberInvalid = true;
    return NaN;
  }
  let value: number;
  if (significant > 15) {
    numberSlow = true;
    return Number(chunkSlice(buf, start, end));
  }
  if (mantissa === 0 || exponent === 0) value = mantissa;
  else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
  else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
  else {
    numberSlow = true;
    return Number(chunkSlice(buf, start, end));
  }
  return negative ? -value : value;
}

function textOf(buf: Uint8Array, start: number, end: number): string {
  const text = decodeText(buf, start, end);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** Stores field `j` of the record into `b` at `row`; returns an error message or null. */
function putField(
  b: ColumnBuilder,
  row: number,
  buf: Uint8Array,
  rec: FieldSpans,
  j: number,
  line: number,
): string | null {
  if (b.store === TEXT) {
    const texts = b.texts as string[];
    if (j >= rec.count) {
      texts.push("");
      return null;
    }
    const start = rec.starts[j];
    const length = rec.ends[j] - start;
    const last = b.lastBytes;
    if (length === b.lastLength) {
      let same = true;
      for (let k = 0; k < length; k++) {
        if (buf[start + k] !== last[k]) {
          same = false;
          break;
        }
      }
      if (same) {
        texts.push(b.lastText);
        return null;
      }
    }
    const text = fieldText(buf, rec, j);
    if (length <= last.length) {
      last.set(buf.subarray(start, start + length));
      b.lastLength = length;
      b.lastText = text;
    }
    texts.push(text);
    return null;
  }
  let start = 0;
  let end = 0;
  if (j < rec.count) {
    start = rec.starts[j];
    end = rec.ends[j];
  }
  const value = parseNumber(buf, start, end);
  if (numberInvalid) {
    return `column ${b.name}, line ${line}: '${textOf(buf, start, end)}' is not a number`;
  }
  switch (b.store) {
    case F64:
      (b.values as Float64Array)[row] = value;
      return null;
    case F32:
      (b.values as Float32Array)[row] = value;
      return null;
    case I64:
    case U64: {
      const unsigned = b.store === U64;
      if (b.halves !== null && Number.isSafeInteger(value) && (!unsigned || value >= 0)) {
        // Two 32-bit halves (little-endian) instead of a BigInt per value: no allocation.
        const high = Math.floor(value / 4294967296);
        b.halves[2 * row] = value - high * 4294967296;
        b.halves[2 * row + 1] = high;
        return null;
      }
      let exact: bigint | null = null;
      if (Number.isSafeInteger(value)) exact = BigInt(value);
      else if (Number.isInteger(value) && numberSlow) {
        const text = decodeText(buf, start, end).trim();
        if (/^[+-]?\d+$/.test(text)) exact = BigInt(text);
      }
      if (
        exact !== null && exact >= (unsigned ? 0n : INT64_MIN) &&
        exact <= (unsigned ? UINT64_MAX : INT64_MAX)
      ) {
        if (unsigned) (b.values as BigUint64Array)[row] = exact;
        else (b.values as BigInt64Array)[row] = exact;
        return null;
      }
      break;
    }
    default:
      if (Number.isInteger(value) && value >= b.min && value <= b.max) {
        (b.values as Uint32Array)[row] = value;
        return null;
      }
  }
  b.widen(row, `'${textOf(buf, start, end)}' on line ${line}`);
  (b.values as Float64Array)[row] = value;
  return null;
}

function listNames(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(", ");
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

function dialectSpelling(dialect: CsvDialect, index: number): string | undefined {
  if (dialect === "cicflowmeter-v3") return V3_HEADERS[index];
  if (dialect === "cicflowmeter-4") return CICFLOWMETER4_HEADERS[index];
  if (dialect === "python-cicflowmeter") return PYTHON_CICFLOWMETER_NAMES[index];
  return undefined;
}

const DIALECT_HINT = "mlids reads comma-separated CSVs from CICFlowMeter-V3 (CSE-CIC-IDS2018), " +
  "CICFlowMeter 4.0 and the Python cicflowmeter, with all 79 flow feature columns";

/** How the CSV's columns become output columns. */
interface ColumnPlan {
  /** For each CSV column, the index of its output builder, or -1 to drop it. */
  target: Int32Array;
  /** Output columns in ML-IDS order: identity columns, the 79 features, the label. */
  columns: { name: string; dtype: string }[];
}

function planColumns(
  path: string,
  headers: readonly string[],
  notice: (message: string) => void,
): ColumnPlan {
  const found = new Map<string, number>();
  const unknown: string[] = [];
  const duplicates: string[] = [];
  headers.forEach((header, j) => {
    const name = idsColumnName(header);
    if (name === null) unknown.push(`'${header}'`);
    else if (found.has(name)) duplicates.push(`'${header}' (column ${j + 1})`);
    else found.set(name, j);
  });
  const dialect = detectDialect(headers);
  const features = IDS_FEATURES.filter((feature) => found.has(feature.name));
  if (features.length === 0) {
    const first = headers[0] ?? "";
    const delimiterHint = /[;\t|]/.test(first) ? " (is it separated by ';' or tabs?)" : "";
    throw new InputError(
      `${path}: not a CICFlowMeter CSV: its header line names none of the 79 flow features ` +
        `(it starts '${first.slice(0, 60)}')${delimiterHint}`,
      { hint: DIALECT_HINT },
    );
  }
  if (features.length < IDS_FEATURES.length) {
    const missing = IDS_FEATURES.flatMap((feature, index) => {
      if (found.has(feature.name)) return [];
      const spelling = dialectSpelling(dialect, index);
      return [
        spelling && spelling !== feature.name ? `${feature.name} ('${spelling}')` : feature.name,
      ];
    });
    throw new InputError(
      `${path}: lacks ${missing.length} of the 79 flow feature columns the ML-IDS API needs: ` +
        `${listNames(missing)} (dialect: ${dialect})`,
      {
        hint: `${DIALECT_HINT}; export the flows again with every feature column, ` +
          "or add the missing ones",
      },
    );
  }
  if (unknown.length > 0) {
    notice(`dropped ${unknown.length} column(s) mlids does not know: ${listNames(unknown)}`);
  }
  if (duplicates.length > 0) {
    notice(`dropped ${duplicates.length} repeated column(s): ${listNames(duplicates)}`);
  }
  const columns = [
    ...IDENTITY_COLUMNS.filter((column) => found.has(column.name)),
    ...IDS_FEATURES,
    ...(found.has(LABEL_COLUMN) ? [{ name: LABEL_COLUMN, dtype: "object" }] : []),
  ];
  const target = new Int32Array(headers.length).fill(-1);
  columns.forEach((column, k) => {
    target[found.get(column.name) as number] = k;
  });
  return { target, columns };
}

async function openFile(path: string): Promise<{ file: Deno.FsFile; size: number }> {
  try {
    const stat = await Deno.stat(path);
    if (stat.isDirectory) {
      throw new InputError(`${path}: is a directory, not a CSV file`, {
        hint: "give the path of one CICFlowMeter CSV file",
      });
    }
    if (stat.size === 0) {
      throw new InputError(`${path}: is empty`, {
        hint: "give a CICFlowMeter CSV with a header line and flows",
      });
    }
    return { file: await Deno.open(path, { read: true }), size: stat.size };
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${path}: no such file`, { hint: "check the path", cause: error });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new MachineError(`${path}: permission denied`, {
        hint: "make the file readable (and run mlids with --allow-read)",
        cause: error,
      });
    }
    throw new MachineError(`${path}: cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function checkLooksLikeText(path: string, head: Uint8Array): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw new InputError(`${path}: is gzip-compressed, not a plain CSV`, {
      hint: `decompress it first (gunzip '${path}')`,
    });
  }
  if (head.subarray(0, Math.min(head.length, 8192)).includes(0)) {
    throw new InputError(`${path}: is a binary file, not a CSV`, {
      hint: "give a CICFlowMeter CSV file (HDF5 datasets are opened as such by their .h5 name)",
    });
  }
}

interface ReadResult {
  columns: FlowColumn[];
  rows: number;
}

/** Streams the file, returning its columns in ML-IDS order. */
async function readColumns(
  path: string,
  notice: (message: string) => void,
): Promise<ReadResult> {
  const { file, size } = await openFile(path);
  try {
    let buf = new Uint8Array(CHUNK_BYTES);
    let length = 0;
    let eof = false;
    const rec = new FieldSpans();
    let headers: string[] | null = null;
    let plan: ColumnPlan | null = null;
    let builders: ColumnBuilder[] = [];
    let target: Int32Array = new Int32Array(0);
    let capacity = 0;
    let rows = 0;
    let line = 0;
    let repeatedHeaders = 0;
    let headerFirstByte = -1;
    let first = true;
    for (;;) {
      while (!eof && length < buf.length) {
        const n = await file.read(buf.subarray(length));
        if (n === null) eof = true;
        else length += n;
      }
      setChunk(buf, length);
      let pos = 0;
      if (first) {
        first = false;
        checkLooksLikeText(path, buf.subarray(0, length));
        if (length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      }
      while (pos < length) {
        const next = tokenize(buf, pos, length, eof, rec);
        if (next < 0) break;
        pos = next;
        line++;
        if (rec.count === 1 && rec.starts[0] === rec.ends[0] && rec.flags[0] === 0) continue;
        if (headers === null) {
          headers = Array.from({ length: rec.count }, (_, j) => fieldText(buf, rec, j));
          plan = planColumns(path, headers, notice);
          target = plan.target;
          headerFirstByte = rec.starts[0] < rec.ends[0] ? buf[rec.starts[0]] : -1;
          // Guess the row count from the line length in the first chunk, so the columns rarely
          // grow; a row takes at least one byte per field.
          let lines = 0;
          for (let k = pos; k < length; k++) if (buf[k] === LF) lines++;
          const lineBytes = lines > 0 ? (length - pos) / lines : length - pos;
          capacity = Math.ceil((size / Math.max(1, lineBytes)) * 1.05) + 16;
          capacity = Math.min(capacity, Math.ceil(size / headers.length) + 16);
          builders = plan.columns.map((c) => new ColumnBuilder(c.name, c.dtype, capacity));
          continue;
        }
        if (rec.count > headers.length) {
          throw new InputError(
            `${path}: line ${line} has ${rec.count} fields but the header has ${headers.length}`,
            { hint: "the file is not a well-formed CSV; check that line (quotes, extra commas)" },
          );
        }
        if (
          rec.count === headers.length && buf[rec.starts[0]] === headerFirstByte &&
          headers.every((header, j) => fieldText(buf, rec, j) === header)
        ) {
          repeatedHeaders++;
          continue;
        }
        if (rows === capacity) {
          capacity *= 2;
          for (const b of builders) b.grow(capacity);
        }
        for (let j = 0; j < target.length; j++) {
          const k = target[j];
          if (k < 0) continue;
          const error = putField(builders[k], rows, buf, rec, j, line);
          if (error !== null) {
            throw new InputError(`${path}: ${error}`, {
              hint: "numeric columns hold numbers, NaN, Infinity or nothing",
            });
          }
        }
        rows++;
      }
      if (eof) break;
      if (pos === 0 && length === buf.length) {
        if (buf.length >= MAX_RECORD_BYTES) {
          throw new InputError(`${path}: line ${line + 1} is longer than 64 MiB`, {
            hint: "the file is not a CICFlowMeter CSV (or has an unclosed quote)",
          });
        }
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
        continue;
      }
      buf.copyWithin(0, pos, length);
      length -= pos;
    }
    if (headers === null || plan === null) {
      throw new InputError(`${path}: is empty (no header line)`, {
        hint: "give a CICFlowMeter CSV with a header line and flows",
      });
    }
    if (repeatedHeaders > 0) {
      notice(
        `skipped ${repeatedHeaders} repeated header line${repeatedHeaders === 1 ? "" : "s"}`,
      );
    }
    const widened = builders.filter((b) => b.widened !== null);
    if (widened.length > 0) {
      notice(
        `read ${widened.length} integer column(s) as float64 because of values their ML-IDS ` +
          `dtype cannot hold: ${listNames(widened.map((b) => `${b.name} (${b.widened})`))}`,
      );
    }
    return { columns: builders.map((b) => b.finish(rows)), rows };
  } finally {
    file.close();
  }
}

/** A CICFlowMeter CSV held in memory as typed columns. */
class CsvFlowDataset implements FlowDataset {
  readonly info: DatasetInfo;
  #frame: FlowFrame | null;
  #labels: string[] | null;
  #labelIndex: LabelIndex | null = null;

  constructor(frame: FlowFrame, labelled: boolean, identityColumns: string[]) {
    this.#frame = frame;
    const label = frame.columns.find((column) => column.name === LABEL_COLUMN);
    this.#labels = labelled && label ? label.values as string[] : null;
    const columns: ColumnInfo[] = frame.columns.map(({ name, dtype }) => ({ name, dtype }));
    this.info = {
      format: "csv",
      compression: "none",
      rows: frame.length,
      columns,
      labelColumn: this.#labels === null ? null : LABEL_COLUMN,
      identityColumns,
    };
  }

  labelIndex(): Promise<LabelIndex | null> {
    this.#open();
    if (this.#labels === null) return Promise.resolve(null);
    if (this.#labelIndex === null) {
      const positions = new Map<string, number[]>();
      this.#labels.forEach((label, row) => {
        const list = positions.get(label);
        if (list === undefined) positions.set(label, [row]);
        else list.push(row);
      });
      const categories = [...positions].map(([name, rows]) => ({
        name,
        rows: Uint32Array.from(rows),
      }));
      this.#labelIndex = { categories: sortCategories(categories) };
    }
    return Promise.resolve(this.#labelIndex);
  }

  readRows(rows: ArrayLike<number>): Promise<FlowFrame> {
    const frame = this.#open();
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Number.isInteger(row) || row < 0 || row >= frame.length) {
        return Promise.reject(
          new UsageError(`row ${row} is out of range: the dataset has ${frame.length} rows`),
        );
      }
    }
    return Promise.resolve(takeRows(frame, rows));
  }

  scan(options?: ScanOptions): AsyncIterable<FlowBatch> {
    return scanDataset({
      rows: this.info.rows,
      labelIndex: () => this.labelIndex(),
      readRows: (rows) => this.readRows(rows),
    }, options);
  }

  close(): void {
    this.#frame = null;
    this.#labels = null;
    this.#labelIndex = null;
  }

  #open(): FlowFrame {
    if (this.#frame === null) throw new UsageError("the CSV dataset is closed");
    return this.#frame;
  }
}

/** Opens a CICFlowMeter CSV file as a FlowDataset, columns renamed to ML-IDS names and ordered as ML-IDS orders them. */
export async function openFlowCsv(
  path: string,
  options: OpenFlowCsvOptions = {},
): Promise<FlowDataset> {
  const notice = options.onNotice ?? (() => {});
  const { columns, rows } = await readColumns(path, notice);
  let labelled = false;
  let kept = columns;
  const label = columns.find((column) => column.name === LABEL_COLUMN);
  if (label !== undefined) {
    const values = label.values as string[];
    labelled = values.length === 0 ||
      values.some((value) => value !== UNLABELLED_PLACEHOLDER && value !== "");
    if (!labelled) {
      kept = columns.filter((column) => column !== label);
      notice(`every Label is ${UNLABELLED_PLACEHOLDER} or empty: the flows are unlabelled`);
    }
  }
  const index = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) index[i] = BigInt(i);
  const identity = new Set(IDENTITY_COLUMNS.map((column) => column.name));
  const identityColumns = kept.filter((c) => identity.has(c.name)).map((c) => c.name);
  return new CsvFlowDataset({ columns: kept, index, length: rows }, labelled, identityColumns);
}
