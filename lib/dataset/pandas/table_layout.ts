/**
 * What reading the rows of a pandas table needs, as plain JSON: where each column sits in the
 * table's rows, how its bytes decode, and where the table's chunks are in the file. The dataset
 * index cache keeps it, so rows are read straight through `hdf5_chunks.ts` without h5wasm. Also
 * the decoding of raw rows into columns, which the h5wasm path shares.
 * @module
 */

import type { ColumnValues, FlowColumn, FlowFrame, NumericValues } from "../../frame/mod.ts";
import type { FlowBatch } from "../flow_dataset.ts";
import { type ChunkIndex, type ChunkRows, readRowBytes, scanChunkRows } from "../hdf5/chunks.ts";
import { isRecord } from "../../json.ts";

/** The typed array a numeric column (or a categorical's codes) is held in, by numpy name. */
export type NumericStorage =
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64";

/** One column's place in the raw rows of its dataset, and how its bytes decode. */
export interface FieldColumn {
  readonly name: string;
  /** The pandas dtype (`uint32`, `object`, `category`, `datetime64[ns]`, ...). */
  readonly dtype: string;
  /** Byte offset of the value within a row. */
  readonly offset: number;
  /** Bytes one value takes. */
  readonly size: number;
  /** Numbers into a typed array, NUL-padded strings, or categorical codes into their names. */
  readonly decode: "numeric" | "string" | "category";
  /** The typed array of numeric values and categorical codes. */
  readonly storage?: NumericStorage;
  /** Category names by code, for categoricals. */
  readonly categories?: readonly string[];
}

/** A pandas table (`format="table"`) whose rows `readTableRows` reads without h5wasm. */
export interface PandasTableLayout {
  /** The table dataset's HDF5 path, e.g. `/ids_data/table`. */
  readonly dataset: string;
  readonly rows: number;
  /** The text encoding of string columns (the pandas `encoding` attribute). */
  readonly encoding: string;
  /** Every column in dataset order. */
  readonly columns: readonly FieldColumn[];
  /** The pandas index (int64). */
  readonly index: FieldColumn;
  /** Where the table's chunks are, as `readChunkIndex` found them. */
  readonly chunks: ChunkIndex;
}

/** Row numbers sorted ascending, with where each one goes in the caller's order. */
export interface SortedRows {
  readonly rows: Uint32Array;
  readonly positions: Uint32Array;
}

/** Reads bytes of rows of one dataset: `readRowBytes`' contract, by h5wasm or by chunks. */
export type RowBytesReader = (
  options: {
    rows?: readonly number[];
    start?: number;
    end?: number;
    byteOffset?: number;
    byteLength?: number;
  },
) => Promise<Uint8Array>;

/** A column being filled: its field and the values array of the frame. */
export interface FieldTarget {
  readonly column: FieldColumn;
  readonly out: ColumnValues;
}

const STORAGE: Readonly<Record<NumericStorage, new (length: number) => NumericValues>> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Rows gathered at once: bounds the raw bytes held beside the frame being built. */
const BATCH_ROWS = 1 << 17;

/** A typed array of `length` values of `storage`. */
export function numericArray(storage: NumericStorage, length: number): NumericValues {
  return new STORAGE[storage](length);
}

/** The empty values array of a column of `length` rows: typed for numbers, strings else. */
export function columnArray(column: FieldColumn, length: number): ColumnValues {
  return column.decode === "numeric" && column.storage !== undefined
    ? numericArray(column.storage, length)
    : new Array<string>(length);
}

/** Decodes NUL-padded fixed-length strings as numpy does: trailing NULs stripped. */
export function decodeFixedString(
  decoder: TextDecoder,
  bytes: Uint8Array,
  start: number,
  size: number,
): string {
  let end = start + size;
  while (end > start && bytes[end - 1] === 0) end--;
  if (end === start) return "";
  // Plain ASCII is the common case and much cheaper than TextDecoder.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii && end - start < 64) {
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** `rows` sorted ascending (stably), each with its position in `rows`; RangeError outside [0, total). */
export function sortRows(rows: ArrayLike<number>, total: number): SortedRows {
  const n = rows.length;
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (!Number.isInteger(row) || row < 0 || row >= total) {
      throw new RangeError(`row ${row} is outside the dataset's ${total} rows`);
    }
  }
  // Row and position packed into one double sort as numbers, with no comparator.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = rows[i] * n + i;
  keys.sort();
  const sorted = new Uint32Array(n);
  const positions = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const position = keys[i] % n;
    positions[i] = position;
    sorted[i] = (keys[i] - position) / n;
  }
  return { rows: sorted, positions };
}

/**
 * Decodes row after row of `bytes` (`rowBytes` each) into the targets: row k's values go to
 * `positions[k]`, or to k without positions.
 */
export function decodeFields(
  bytes: Uint8Array,
  rowBytes: number,
  targets: readonly FieldTarget[],
  decoder: TextDecoder,
  positions?: ArrayLike<number>,
): void {
  const n = Math.floor(bytes.length / Math.max(rowBytes, 1));
  for (const { column, out } of targets) {
    const { offset, size } = column;
    if (column.decode === "numeric") {
      const values = out as NumericValues;
      const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let k = 0; k < n; k++) {
        const from = k * rowBytes + offset;
        const to = (positions ? positions[k] : k) * size;
        for (let b = 0; b < size; b++) raw[to + b] = bytes[from + b];
      }
    } else if (column.decode === "string") {
      const strings = out as string[];
      for (let k = 0; k < n; k++) {
        strings[positions ? positions[k] : k] = decodeFixedString(
          decoder,
          bytes,
          k * rowBytes + offset,
          size,
        );
      }
    } else {
      const code = numericArray(column.storage ?? "int64", 1);
      const codeBytes = new Uint8Array(code.buffer);
      const names = column.categories ?? [];
      const strings = out as string[];
      for (let k = 0; k < n; k++) {
        const from = k * rowBytes + offset;
        codeBytes.set(bytes.subarray(from, from + size));
        strings[positions ? positions[k] : k] = names[Number(code[0])] ?? "nan";
      }
    }
  }
}

/**
 * Fills `targets` (fields of rows `rowBytes` long) with the sorted rows, read by `read` in
 * batches cut at chunk boundaries (`chunkRows`), so each chunk is decoded once.
 */
export async function readFields(
  read: RowBytesReader,
  sorted: SortedRows,
  layout: { rowBytes: number; chunkRows: number; targets: readonly FieldTarget[] },
  decoder: TextDecoder,
): Promise<void> {
  const { rows, positions } = sorted;
  const chunkRows = Math.max(layout.chunkRows, 1);
  let start = 0;
  while (start < rows.length) {
    let end = Math.min(rows.length, start + BATCH_ROWS);
    // Keep every row of the last chunk in this batch.
    while (
      end < rows.length &&
      Math.floor(rows[end] / chunkRows) === Math.floor(rows[end - 1] / chunkRows)
    ) {
      end++;
    }
    const bytes = await read({ rows: Array.from(rows.subarray(start, end)) });
    decodeFields(bytes, layout.rowBytes, layout.targets, decoder, positions.subarray(start, end));
    start = end;
  }
}

/** A TextDecoder for `encoding`, UTF-8 when the name is unknown. */
export function textDecoderFor(encoding: string | null): TextDecoder {
  try {
    return new TextDecoder(encoding ?? "utf-8");
  } catch {
    return new TextDecoder("utf-8");
  }
}

/** The given rows (0-based, any order, repeats allowed) of the pandas table at `path`, every column. */
export async function readTableRows(
  path: string,
  layout: PandasTableLayout,
  rows: ArrayLike<number>,
): Promise<FlowFrame> {
  const chunks = layout.chunks;
  return await decodeTableRows(layout, rows, {
    read: (options) => readRowBytes(path, chunks, options),
  });
}

/**
 * The given rows of a pandas table, every column, from whole raw rows `read` gives (the table's
 * chunks, or a copy of its rows elsewhere), decoded as `readTableRows` decodes them.
 */
export async function decodeTableRows(
  layout: PandasTableLayout,
  rows: ArrayLike<number>,
  options: { read: RowBytesReader },
): Promise<FlowFrame> {
  const n = rows.length;
  const sorted = sortRows(rows, layout.rows);
  const outputs = layout.columns.map((column) => columnArray(column, n));
  const index = new BigInt64Array(n);
  const targets: FieldTarget[] = layout.columns.map((column, i) => ({ column, out: outputs[i] }));
  targets.push({ column: layout.index, out: index });
  const chunks = layout.chunks;
  await readFields(
    options.read,
    sorted,
    { rowBytes: chunks.elementSize, chunkRows: chunks.chunkShape[0], targets },
    textDecoderFor(layout.encoding),
  );
  const columns: FlowColumn[] = layout.columns.map((column, i) => ({
    name: column.name,
    dtype: column.dtype,
    values: outputs[i],
  }));
  return { columns, index, length: n };
}

/** The batch being filled by {@linkcode streamTableRows}: its columns and how far they are filled. */
class TableBatch {
  readonly outputs: ColumnValues[];
  readonly index: BigInt64Array;
  readonly rows: Uint32Array;
  filled = 0;

  constructor(readonly layout: PandasTableLayout, readonly size: number) {
    this.outputs = layout.columns.map((column) => columnArray(column, size));
    this.index = new BigInt64Array(size);
    this.rows = new Uint32Array(size);
  }

  frame(): FlowBatch {
    const n = this.filled;
    const cut = <T extends ColumnValues>(values: T): T =>
      (n === this.size
        ? values
        : Array.isArray(values)
        ? values.slice(0, n)
        : values.subarray(0, n)) as T;
    const columns: FlowColumn[] = this.layout.columns.map((column, i) => ({
      name: column.name,
      dtype: column.dtype,
      values: cut(this.outputs[i]),
    }));
    return { frame: { columns, index: cut(this.index), length: n }, rows: cut(this.rows) };
  }
}

/** Decodes rows `from` to `to` of one decoded chunk into `target` at `at`: straight from the byte planes. */
class ChunkColumnCopier {
  #scratch = new Uint8Array(0);
  readonly #decoder: TextDecoder;
  // The last fixed string decoded per column, so runs of equal labels decode once.
  readonly #lastBytes: Uint8Array[];
  readonly #lastText: string[];

  constructor(readonly layout: PandasTableLayout) {
    this.#decoder = textDecoderFor(layout.encoding);
    this.#lastBytes = layout.columns.map(() => new Uint8Array(0));
    this.#lastText = layout.columns.map(() => "");
  }

  copy(chunk: ChunkRows, range: { from: number; to: number }, batch: TableBatch): void {
    const at = batch.filled;
    const count = range.to - range.from;
    this.#numeric(chunk, range, this.layout.index, batch.index, at);
    this.layout.columns.forEach((column, c) => {
      const out = batch.outputs[c];
      if (column.decode === "numeric" && !Array.isArray(out)) {
        this.#numeric(chunk, range, column, out, at);
      } else this.#text(chunk, range, c, out as string[], at);
    });
    for (let i = 0; i < count; i++) batch.rows[at + i] = chunk.start + range.from + i;
    batch.filled += count;
  }

  #numeric(
    chunk: ChunkRows,
    range: { from: number; to: number },
    column: FieldColumn,
    out: NumericValues,
    at: number,
  ): void {
    const raw = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    chunk.copyRange(range, raw, {
      at: at * column.size,
      byteOffset: column.offset,
      byteLength: column.size,
    });
  }

  #text(
    chunk: ChunkRows,
    range: { from: number; to: number },
    c: number,
    out: string[],
    at: number,
  ): void {
    const column = this.layout.columns[c];
    const size = column.size;
    const count = range.to - range.from;
    if (this.#scratch.length < count * size) this.#scratch = new Uint8Array(count * size * 2);
    const bytes = this.#scratch;
    chunk.copyRange(range, bytes, { byteOffset: column.offset, byteLength: size });
    if (column.decode === "category") {
      const code = numericArray(column.storage ?? "int64", 1);
      const codeBytes = new Uint8Array(code.buffer);
      const names = column.categories ?? [];
      for (let i = 0; i < count; i++) {
        codeBytes.set(bytes.subarray(i * size, (i + 1) * size));
        out[at + i] = names[Number(code[0])] ?? "nan";
      }
      return;
    }
    if (this.#lastBytes[c].length !== size) this.#lastBytes[c] = new Uint8Array(size).fill(0xff);
    const last = this.#lastBytes[c];
    let text = this.#lastText[c];
    for (let i = 0; i < count; i++) {
      const from = i * size;
      let same = true;
      for (let b = 0; same && b < size; b++) same = bytes[from + b] === last[b];
      if (!same) {
        for (let b = 0; b < size; b++) last[b] = bytes[from + b];
        text = decodeFixedString(this.#decoder, bytes, from, size);
      }
      out[at + i] = text;
    }
    this.#lastText[c] = text;
  }
}

/**
 * Rows of the pandas table at `path` in batches of at most `batchRows`, in row order, decoding
 * every chunk once and in turn and taking each column straight from it: the fast path of a scan
 * over (most of) a table. `wanted` (ascending) picks rows; null takes every row.
 */
export async function* streamTableRows(
  path: string,
  layout: PandasTableLayout,
  options: { wanted: Uint32Array | null; batchRows: number },
): AsyncGenerator<FlowBatch> {
  const { wanted, batchRows } = options;
  const total = wanted === null ? layout.rows : wanted.length;
  if (total === 0) return;
  const copier = new ChunkColumnCopier(layout);
  let done = 0;
  let batch = new TableBatch(layout, Math.min(batchRows, total));
  let next = 0; // with `wanted`: the first wanted row not yet taken
  for await (const chunk of scanChunkRows(path, layout.chunks)) {
    let from = 0;
    while (from < chunk.count) {
      // The next run of consecutive rows wanted in this chunk.
      let to: number;
      if (wanted === null) to = chunk.count;
      else {
        if (next >= wanted.length || wanted[next] >= chunk.start + chunk.count) break;
        from = wanted[next] - chunk.start;
        to = from + 1;
        while (
          to < chunk.count && next + (to - from) < wanted.length &&
          wanted[next + (to - from)] === chunk.start + to
        ) {
          to++;
        }
      }
      to = Math.min(to, from + (batch.size - batch.filled));
      copier.copy(chunk, { from, to }, batch);
      if (wanted !== null) next += to - from;
      from = to;
      if (batch.filled === batch.size) {
        yield batch.frame();
        done += batch.size;
        if (done === total) return;
        batch = new TableBatch(layout, Math.min(batchRows, total - done));
      }
    }
  }
  if (batch.filled > 0) yield batch.frame();
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isFieldColumn(value: unknown, rowBytes: number): value is FieldColumn {
  if (!isRecord(value)) return false;
  const { name, dtype, offset, size, decode, storage, categories } = value;
  if (typeof name !== "string" || typeof dtype !== "string") return false;
  if (!isCount(offset) || !isCount(size) || offset + size > rowBytes) return false;
  if (decode !== "numeric" && decode !== "string" && decode !== "category") return false;
  if (storage !== undefined && !(typeof storage === "string" && storage in STORAGE)) return false;
  if (decode !== "string" && storage === undefined) return false;
  if (decode === "category") {
    if (!Array.isArray(categories) || !categories.every((c) => typeof c === "string")) return false;
  }
  return true;
}

function isChunkIndex(value: unknown): value is ChunkIndex {
  if (!isRecord(value)) return false;
  const { elementSize, shape, chunkShape, filters, chunks } = value;
  if (!isCount(elementSize) || elementSize === 0) return false;
  if (!Array.isArray(shape) || shape.length !== 1 || !shape.every(isCount)) return false;
  if (!Array.isArray(chunkShape) || chunkShape.length !== 1 || !(chunkShape[0] > 0)) return false;
  if (!Array.isArray(filters) || !filters.every((f) => isRecord(f) && isCount(f.id))) return false;
  if (!filters.every((f) => typeof f.name === "string" && Array.isArray(f.clientData))) {
    return false;
  }
  return Array.isArray(chunks) &&
    chunks.every((c) =>
      isRecord(c) && isCount(c.start) && isCount(c.address) && isCount(c.size) &&
      isCount(c.filterMask)
    );
}

/** `value` (parsed JSON, e.g. from the index cache) as a table layout, or null when it is not one. */
export function tableLayoutFromJson(value: unknown): PandasTableLayout | null {
  if (!isRecord(value)) return null;
  const { dataset, rows, encoding, columns, index, chunks } = value;
  if (typeof dataset !== "string" || !isCount(rows) || typeof encoding !== "string") return null;
  if (!isChunkIndex(chunks) || chunks.shape[0] !== rows) return null;
  const rowBytes = chunks.elementSize;
  if (!Array.isArray(columns) || !columns.every((c) => isFieldColumn(c, rowBytes))) return null;
  if (!isFieldColumn(index, rowBytes) || index.storage !== "int64") return null;
  return { dataset, rows, encoding, columns, index, chunks };
}
