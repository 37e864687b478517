/**
 * Rows of a CSV read where they are: the first open's pass notes where every block of
 * {@linkcode CSV_BLOCK_ROWS} rows starts in the file (the {@linkcode CsvLayout}, kept in the
 * dataset index cache), and rows are then read by positioned reads of their blocks, parsed into
 * columns of the dtypes the pass settled on. Nothing but the rows asked for is held in memory.
 * @module
 */

import { InputError, UsageError } from "../../errors.ts";
import type { ColumnValues, FlowColumn, FlowFrame } from "../../frame/mod.ts";
import { FieldSpans, fieldText, TextField, tokenize } from "./_records.ts";
import { parseBigInteger, parsed, parseNumber } from "./_numbers.ts";
import { sortRows } from "../pandas/table_layout.ts";
import { isRecord } from "../../json.ts";

/** Rows per block: the unit of positioned reads, and what a scan's batches are cut at. */
export const CSV_BLOCK_ROWS = 128;

/** Most bytes read at once when several neighbouring blocks are wanted. */
const MAX_READ_BYTES = 16 << 20;

/** An output column: name, dtype (`int64`, `uint64`, `float64` or `object`) and CSV field. */
export interface CsvColumn {
  readonly name: string;
  readonly dtype: string;
  readonly field: number;
}

/** Where a CSV's rows are and how they read, as the first open's pass found it (plain JSON). */
export interface CsvLayout {
  /** The header line's fields, to skip repeated header lines. */
  readonly headers: readonly string[];
  /** The output columns, in ML-IDS order, with the dtypes the whole file's values gave them. */
  readonly columns: readonly CsvColumn[];
  readonly rows: number;
  readonly blockRows: number;
  /** The file offset of the first record of each block. */
  readonly blocks: readonly number[];
  /** How many records (lines, as messages count them) come before each block. */
  readonly lines: readonly number[];
  /** The file's size: the end of the last block. */
  readonly end: number;
  /** The notices the pass gave (dropped columns, skipped headers, widened columns). */
  readonly notices: readonly string[];
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

const DTYPES = new Set(["int64", "uint64", "float64", "object"]);

/** `value` (parsed JSON, e.g. from the index cache) as a CSV layout, or null when it is not one. */
export function csvLayoutFromJson(value: unknown): CsvLayout | null {
  if (!isRecord(value) || value.kind !== "csv") return null;
  const { headers, columns, rows, blockRows, blocks, lines, end, notices } = value;
  if (!Array.isArray(headers) || !headers.every((h) => typeof h === "string")) return null;
  if (!isCount(rows) || !isCount(blockRows) || blockRows === 0 || !isCount(end)) return null;
  if (!Array.isArray(columns) || columns.length === 0) return null;
  const columnsOk = columns.every((c) =>
    isRecord(c) && typeof c.name === "string" && typeof c.dtype === "string" &&
    DTYPES.has(c.dtype) && isCount(c.field) && c.field < headers.length
  );
  if (!columnsOk) return null;
  if (!Array.isArray(blocks) || blocks.length !== Math.ceil(rows / blockRows)) return null;
  if (!Array.isArray(lines) || lines.length !== blocks.length) return null;
  for (let b = 0; b < blocks.length; b++) {
    if (!isCount(blocks[b]) || blocks[b] >= end || !isCount(lines[b])) return null;
    if (b > 0 && !(blocks[b] > blocks[b - 1] && lines[b] > lines[b - 1])) return null;
  }
  if (!Array.isArray(notices) || !notices.every((n) => typeof n === "string")) return null;
  return { headers, columns, rows, blockRows, blocks, lines, end, notices } as CsvLayout;
}

/** The layout as JSON for the index cache. */
export function csvLayoutToJson(layout: CsvLayout): unknown {
  return { kind: "csv", ...layout };
}

/** Recognizes the header line when it comes again (concatenated CSV exports repeat it). */
export class HeaderLine {
  readonly #first: number;

  constructor(readonly headers: readonly string[]) {
    this.#first = headers.length > 0 && headers[0].length > 0 ? headers[0].charCodeAt(0) : -1;
  }

  /** Whether the record just tokenized is the header line again. */
  repeats(buf: Uint8Array, rec: FieldSpans): boolean {
    const headers = this.headers;
    if (rec.count !== headers.length) return false;
    if ((rec.starts[0] < rec.ends[0] ? buf[rec.starts[0]] : -1) !== this.#first) return false;
    for (let j = 0; j < headers.length; j++) {
      if (fieldText(buf, rec, j) !== headers[j]) return false;
    }
    return true;
  }
}

/** The InputError of a record whose quoted field runs to the end of the file. */
export function unterminatedQuote(path: string, line: number): InputError {
  return new InputError(
    `${path}: line ${line} opens a quoted field that runs to the end of the file`,
    { hint: "the file is truncated or has an unclosed quote: copy it again, or fix that line" },
  );
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// How a column's fields are read.
const TEXT = 0;
const FLOAT64 = 1;
const INT64 = 2;
const UINT64 = 3;

/** The typed (or text) values array of a column of `dtype`. */
function valuesFor(dtype: string, length: number): ColumnValues {
  if (dtype === "int64") return new BigInt64Array(length);
  if (dtype === "uint64") return new BigUint64Array(length);
  if (dtype === "float64") return new Float64Array(length);
  return new Array<string>(length);
}

/**
 * Parses records into the columns of a frame, row by row. One loop over the columns with a switch
 * on their kind (not a closure per column): this is the scan's hot path.
 */
class RowWriter {
  readonly outputs: ColumnValues[];
  readonly #kinds: Uint8Array;
  readonly #fields: Int32Array;
  readonly #floats: (Float64Array | null)[];
  readonly #bigs: (BigInt64Array | BigUint64Array | null)[];
  /** Int64 and uint64 values as two 32-bit halves (little-endian): no BigInt per value. */
  readonly #halves: (Uint32Array | null)[];
  readonly #texts: (string[] | null)[];
  readonly #textFields: (TextField | null)[];
  /** What was wrong with the value last refused. */
  problem = "";

  constructor(columns: readonly CsvColumn[], length: number) {
    this.outputs = columns.map((column) => valuesFor(column.dtype, length));
    this.#kinds = Uint8Array.from(
      columns,
      (column) =>
        column.dtype === "float64"
          ? FLOAT64
          : column.dtype === "int64"
          ? INT64
          : column.dtype === "uint64"
          ? UINT64
          : TEXT,
    );
    this.#fields = Int32Array.from(columns, (column) => column.field);
    this.#floats = this.outputs.map((v) => v instanceof Float64Array ? v : null);
    this.#bigs = this.outputs.map((v) =>
      v instanceof BigInt64Array || v instanceof BigUint64Array ? v : null
    );
    this.#halves = this.#bigs.map((v) =>
      v !== null && LITTLE_ENDIAN ? new Uint32Array(v.buffer, v.byteOffset, v.length * 2) : null
    );
    this.#texts = this.outputs.map((v) => Array.isArray(v) ? v : null);
    this.#textFields = this.outputs.map((v) => Array.isArray(v) ? new TextField() : null);
  }

  /** Writes the record's fields to row `slot`; the column whose value is refused, or -1. */
  write(buf: Uint8Array, rec: FieldSpans, slot: number): number {
    const kinds = this.#kinds;
    for (let k = 0; k < kinds.length; k++) {
      const j = this.#fields[k];
      const kind = kinds[k];
      if (kind === TEXT) {
        (this.#texts[k] as string[])[slot] = (this.#textFields[k] as TextField).read(buf, rec, j);
        continue;
      }
      let start = 0;
      let end = 0;
      if (j < rec.count) {
        start = rec.starts[j];
        end = rec.ends[j];
      }
      const value = parseNumber(buf, start, end);
      if (kind === FLOAT64) {
        (this.#floats[k] as Float64Array)[slot] = value;
        if (!parsed.invalid) continue;
        this.problem = "is not a number";
        return k;
      }
      if (!parsed.integer || (kind === UINT64 && value < 0)) {
        this.problem = "is not an integer of the column's range";
        return k;
      }
      const halves = this.#halves[k];
      if (halves !== null && parsed.digits <= 15) {
        const high = Math.floor(value / 4294967296);
        halves[2 * slot] = value - high * 4294967296;
        halves[2 * slot + 1] = high;
        continue;
      }
      // The pass checked the range; a value that wraps means the file changed since.
      const big = this.#bigs[k] as BigInt64Array | BigUint64Array;
      const exact = parseBigInteger(buf, start, end);
      big[slot] = exact;
      if (big[slot] !== exact) {
        this.problem = "is not an integer of the column's range";
        return k;
      }
    }
    return -1;
  }
}

/** Reads exactly `bytes.length` bytes at `position` of `file`; InputError when the file is shorter. */
async function readExactly(file: Deno.FsFile, position: number, bytes: Uint8Array): Promise<void> {
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < bytes.length) {
    const n = await file.read(bytes.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  if (filled < bytes.length) {
    throw new InputError(`the file ends ${bytes.length - filled} bytes early at byte ${position}`, {
      hint: "the file changed since mlids indexed it; run the command again",
    });
  }
}

/**
 * The given rows (0-based positions, any order, repeats allowed) of the CSV at `path`, every
 * output column: each wanted block read once, neighbouring blocks in one read.
 */
export async function readCsvRows(
  path: string,
  layout: CsvLayout,
  rows: ArrayLike<number>,
  options: {
    /** Read buffers to reuse (one is taken while reading, then given back): less to collect. */
    buffers?: Uint8Array[];
  } = {},
): Promise<FlowFrame> {
  const n = rows.length;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || row >= layout.rows) {
      throw new UsageError(`row ${row} is out of range: the dataset has ${layout.rows} rows`);
    }
  }
  const sorted = sortRows(rows, layout.rows);
  const writer = new RowWriter(layout.columns, n);
  const index = new BigInt64Array(n);
  for (let i = 0; i < n; i++) index[i] = BigInt(rows[i]);
  if (n > 0) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw new InputError(`${path}: cannot be read any more: ${(error as Error).message}`, {
        hint: "the file moved or changed since mlids indexed it; run the command again",
        cause: error,
      });
    }
    try {
      await readBlocks(file, layout, { path, sorted, writer, buffers: options.buffers ?? [] });
    } catch (error) {
      if (error instanceof InputError && !error.message.startsWith(path)) {
        throw new InputError(`${path}: ${error.message}`, { hint: error.hint, cause: error });
      }
      throw error;
    } finally {
      file.close();
    }
  }
  const columns: FlowColumn[] = layout.columns.map((column, k) => ({
    name: column.name,
    dtype: column.dtype,
    values: writer.outputs[k],
  }));
  return { columns, index, length: n };
}

/** What a read of blocks is for: the file (for messages), the rows wanted sorted, their writer. */
interface BlockWork {
  readonly path: string;
  readonly sorted: { readonly rows: Uint32Array; readonly positions: Uint32Array };
  readonly writer: RowWriter;
}

/** Reads the blocks holding `sorted.rows`, each run of neighbouring blocks in one read, into a buffer of `buffers`. */
async function readBlocks(
  file: Deno.FsFile,
  layout: CsvLayout,
  work: BlockWork & { buffers: Uint8Array[] },
): Promise<void> {
  let buffer = work.buffers.pop() ?? new Uint8Array(0);
  try {
    await readRuns(file, layout, {
      ...work,
      buffer: (length) => {
        if (buffer.length < length) buffer = new Uint8Array(Math.max(length, buffer.length * 2));
        return buffer.subarray(0, length);
      },
    });
  } finally {
    // Two kept: a scan reads one batch ahead while the caller's batch is being read.
    if (work.buffers.length < 2) work.buffers.push(buffer);
  }
}

/** Reads the runs of blocks holding `sorted.rows` into `buffer(length)`, parsing the wanted rows. */
async function readRuns(
  file: Deno.FsFile,
  layout: CsvLayout,
  work: BlockWork & { buffer: (length: number) => Uint8Array },
): Promise<void> {
  const { rows, positions } = work.sorted;
  const { blockRows, blocks } = layout;
  const blockEnd = (b: number): number => (b + 1 < blocks.length ? blocks[b + 1] : layout.end);
  const header = new HeaderLine(layout.headers);
  const rec = new FieldSpans();
  let i = 0;
  while (i < rows.length) {
    const first = Math.floor(rows[i] / blockRows);
    let last = first;
    // Take in the next wanted block while it is this run's neighbour and the read stays small.
    for (let k = i; k < rows.length; k++) {
      const b = Math.floor(rows[k] / blockRows);
      if (b > last + 1 || blockEnd(b) - blocks[first] > MAX_READ_BYTES) break;
      last = b;
    }
    const length = blockEnd(last) - blocks[first];
    const bytes = work.buffer(length);
    await readExactly(file, blocks[first], bytes);
    let pos = 0;
    let row = first * blockRows;
    let line = layout.lines[first];
    const stop = (last + 1) * blockRows;
    while (pos < length && i < rows.length && rows[i] < stop) {
      pos = tokenize(bytes, pos, length, true, rec);
      line++;
      if (rec.unterminated) throw unterminatedQuote(work.path, line);
      if (rec.blank() || header.repeats(bytes, rec)) continue;
      while (i < rows.length && rows[i] === row) {
        const refused = work.writer.write(bytes, rec, positions[i++]);
        if (refused >= 0) {
          throw new InputError(
            `line ${line}, column ${layout.columns[refused].name}: the value ` +
              `${work.writer.problem}, unlike when mlids indexed the file`,
            { hint: "the file changed since mlids indexed it; run the command again" },
          );
        }
      }
      row++;
    }
    if (i < rows.length && rows[i] < stop) {
      throw new InputError(`line ${line}: the file holds fewer rows than when mlids indexed it`, {
        hint: "the file changed since mlids indexed it; run the command again",
      });
    }
  }
}
