/**
 * Reads Apache Parquet files of CICFlowMeter flows (the cleaned CSE-CIC-IDS2018 per-day files, or
 * any Parquet whose columns use a dialect of `_column_names.ts`) as a {@linkcode FlowDataset},
 * through `hyparquet` and `hyparquet-compressors` (snappy, gzip, zstd, brotli, lz4). Only the
 * footer is read on open; the label index reads the label column alone, and rows are read by
 * row group, only the groups (and row ranges) that hold a wanted row.
 * @module
 */

import type { AsyncBuffer, FileMetaData, SchemaElement } from "hyparquet";
import { InputError, MachineError } from "../../errors.ts";
import type { ColumnValues, FlowColumn, FlowFrame, NumericValues } from "../../frame/mod.ts";
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
import { readSyncAt } from "../_read_at.ts";
import {
  detectDialect,
  IDENTITY_COLUMNS,
  IDS_FEATURES,
  idsColumnName,
  LABEL_COLUMN,
} from "../_column_names.ts";
import { numericArray, type NumericStorage, sortRows } from "../pandas/table_layout.ts";

/** Options of {@linkcode openParquet}. */
export interface OpenParquetOptions {
  /** Receives one-line notices (dropped columns) meant for stderr. */
  onNotice?: (message: string) => void;
}

/** The Parquet magic, at the start and at the end of every file. */
const MAGIC = "PAR1";
const DAMAGED_HINT = "The Parquet file is damaged or cut short; download or copy it again.";
const FEATURES_HINT =
  "mlids reads Parquet files whose columns are the 79 CICFlowMeter flow features " +
  "(CICFlowMeter-V3/4.0 names, the Python cicflowmeter's or ML-IDS' snake_case)";

/** One output column: where it comes from in the file and how its values are held. */
interface ColumnPlan {
  readonly name: string;
  /** The column's name in the file. */
  readonly source: string;
  readonly dtype: string;
  /** Typed array of numeric values; undefined for strings. */
  readonly storage?: NumericStorage;
}

/** Whether the file at `path` starts and ends with the Parquet magic `PAR1`. */
export async function isParquetFile(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    if (size < 12) return false;
    const head = readAt(file, 0, 4);
    const tail = readAt(file, size - 4, 4);
    const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);
    return text(head) === MAGIC && text(tail) === MAGIC;
  } finally {
    file.close();
  }
}

/** `length` bytes at `position`, read synchronously so concurrent slices cannot interleave seeks. */
function readAt(file: Deno.FsFile, position: number, length: number): Uint8Array<ArrayBuffer> {
  const { bytes, filled } = readSyncAt(file, position, length);
  if (filled < length) throw new RangeError(`the file ends before byte ${position + length}`);
  return bytes;
}

/** A local file as hyparquet's AsyncBuffer. */
function fileBuffer(file: Deno.FsFile, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice(start: number, end?: number): ArrayBuffer {
      const stop = Math.min(end ?? size, size);
      if (!(start >= 0 && start <= stop)) {
        throw new RangeError(`bytes ${start}-${end} are outside the file`);
      }
      return readAt(file, start, stop - start).buffer;
    },
  };
}

/** The pandas dtype a Parquet leaf column reads as, and the typed array that holds it. */
function dtypeOf(element: SchemaElement): { dtype: string; storage?: NumericStorage } | null {
  const logical = element.logical_type;
  const converted = element.converted_type;
  switch (element.type) {
    case "BOOLEAN":
      return { dtype: "bool", storage: "uint8" };
    case "FLOAT":
      return { dtype: "float32", storage: "float32" };
    case "DOUBLE":
      return { dtype: "float64", storage: "float64" };
    case "INT32": {
      let bits = 32;
      let signed = true;
      if (logical?.type === "INTEGER") {
        bits = logical.bitWidth;
        signed = logical.isSigned;
      } else if (converted && /^U?INT_(8|16|32)$/.test(converted)) {
        bits = Number(converted.replace(/^U?INT_/, ""));
        signed = !converted.startsWith("U");
      } else if (logical !== undefined || converted !== undefined) {
        return null; // DATE, DECIMAL, TIME...
      }
      if (bits !== 8 && bits !== 16 && bits !== 32) return null;
      const storage = `${signed ? "int" : "uint"}${bits}` as NumericStorage;
      return { dtype: storage, storage };
    }
    case "INT64": {
      if (logical?.type === "TIMESTAMP" || /^TIMESTAMP_/.test(converted ?? "")) {
        return { dtype: "datetime64[ns]", storage: "int64" };
      }
      const unsigned = (logical?.type === "INTEGER" && !logical.isSigned) ||
        converted === "UINT_64";
      if (
        !unsigned && logical !== undefined && logical.type !== "INTEGER" ||
        converted !== undefined && !/^U?INT_64$/.test(converted)
      ) {
        return null;
      }
      return unsigned
        ? { dtype: "uint64", storage: "uint64" }
        : { dtype: "int64", storage: "int64" };
    }
    case "BYTE_ARRAY":
      return { dtype: "object" };
    default:
      return null;
  }
}

/** Which file columns become which output columns, in ML-IDS order; InputError when features are missing. */
function planColumns(
  path: string,
  metadata: FileMetaData,
  notice: (message: string) => void,
): ColumnPlan[] {
  const leaves = metadata.schema.slice(1);
  if (leaves.some((element) => (element.num_children ?? 0) > 0)) {
    throw new InputError(`${path}: has nested (struct or list) columns, which are not flows`, {
      hint: FEATURES_HINT,
    });
  }
  const found = new Map<string, SchemaElement>();
  const dropped: string[] = [];
  for (const element of leaves) {
    const name = idsColumnName(element.name);
    if (name === null || found.has(name)) dropped.push(`'${element.name}'`);
    else found.set(name, element);
  }
  const missing = IDS_FEATURES.filter((feature) => !found.has(feature.name)).map((f) => f.name);
  if (missing.length > 0) {
    const dialect = detectDialect(leaves.map((element) => element.name));
    const shown = missing.length > 8
      ? `${missing.slice(0, 8).join(", ")}, ... (${missing.length - 8} more)`
      : missing.join(", ");
    throw new InputError(
      `${path}: lacks ${missing.length} of the 79 flow feature columns the ML-IDS API needs: ` +
        `${shown} (dialect: ${dialect})`,
      { hint: FEATURES_HINT },
    );
  }
  if (dropped.length > 0) {
    notice(`dropped ${dropped.length} column(s) mlids does not know: ${dropped.join(", ")}`);
  }
  const order = [
    ...IDENTITY_COLUMNS.map((column) => column.name).filter((name) => found.has(name)),
    ...IDS_FEATURES.map((feature) => feature.name),
    ...(found.has(LABEL_COLUMN) ? [LABEL_COLUMN] : []),
  ];
  return order.map((name) => {
    const element = found.get(name) as SchemaElement;
    const type = dtypeOf(element);
    if (type === null) {
      throw new InputError(
        `${path}: column '${element.name}' is of a Parquet type mlids does not read (${element.type}` +
          `${element.converted_type ? `, ${element.converted_type}` : ""})`,
        { hint: "Save the flows with numeric feature columns and a string label." },
      );
    }
    // Integers with missing values read as float64, as pandas reads them.
    const nulls = hasNulls(metadata, element.name);
    if (nulls && type.storage !== undefined && !type.storage.startsWith("float")) {
      return { name, source: element.name, dtype: "float64", storage: "float64" };
    }
    return { name, source: element.name, ...type };
  });
}

function hasNulls(metadata: FileMetaData, column: string): boolean {
  return metadata.row_groups.some((group) =>
    group.columns.some((chunk) => {
      const meta = chunk.meta_data;
      return meta?.path_in_schema.join(".") === column &&
        Number(meta.statistics?.null_count ?? 0) > 0;
    })
  );
}

/** Codec names of the file's column chunks: "snappy", "zstd", "snappy+gzip", or "none". */
function codecsOf(metadata: FileMetaData): string {
  const codecs = new Set<string>();
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec !== undefined) codecs.add(codec === "UNCOMPRESSED" ? "none" : codec.toLowerCase());
    }
  }
  if (codecs.size > 1) codecs.delete("none");
  return codecs.size === 0 ? "none" : [...codecs].join("+");
}

/** Any error of hyparquet (thrift, pages, codecs) on a damaged file, as one line naming the file. */
function damaged(path: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const text = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  return new InputError(`${path}: cannot be read as Parquet (${text.slice(0, 200)})`, {
    hint: DAMAGED_HINT,
    cause: error,
  });
}

/** Rows of one row group that a read wants, and the group's decoded columns around them. */
interface GroupPart {
  /** Where `rows` start in the rows asked for. */
  readonly from: number;
  /** The wanted rows in this group, ascending. */
  readonly rows: Uint32Array;
  /** The first row `columns` hold. */
  readonly start: number;
  readonly columns: ArrayLike<unknown>[];
}

/** A Parquet file of flows, read a row group at a time. */
class ParquetFlowDataset implements FlowDataset {
  readonly info: DatasetInfo;
  readonly #path: string;
  readonly #file: Deno.FsFile;
  readonly #buffer: AsyncBuffer;
  readonly #metadata: FileMetaData;
  readonly #plans: readonly ColumnPlan[];
  /** The first row of each row group, and the row count after the last. */
  readonly #starts: readonly number[];
  #labelIndex?: Promise<LabelIndex | null>;
  #closed = false;

  constructor(
    path: string,
    source: { file: Deno.FsFile; buffer: AsyncBuffer; metadata: FileMetaData },
    plans: readonly ColumnPlan[],
  ) {
    this.#path = path;
    this.#file = source.file;
    this.#buffer = source.buffer;
    this.#metadata = source.metadata;
    this.#plans = plans;
    const starts = [0];
    for (const group of source.metadata.row_groups) {
      starts.push(starts[starts.length - 1] + Number(group.num_rows));
    }
    this.#starts = starts;
    const identity = new Set(IDENTITY_COLUMNS.map((column) => column.name));
    const columns: ColumnInfo[] = plans.map(({ name, dtype }) => ({ name, dtype }));
    this.info = {
      format: "parquet",
      compression: codecsOf(source.metadata),
      rows: starts[starts.length - 1],
      rowGroups: source.metadata.row_groups.length,
      columns,
      labelColumn: plans.some((plan) => plan.name === LABEL_COLUMN) ? LABEL_COLUMN : null,
      identityColumns: plans.filter((plan) => identity.has(plan.name)).map((plan) => plan.name),
    };
  }

  /** Columns `plans` of rows [start, end), one decoded array per plan. */
  async #read(
    plans: readonly ColumnPlan[],
    start: number,
    end: number,
  ): Promise<ArrayLike<unknown>[]> {
    if (this.#closed) throw new MachineError(`${this.#path}: the Parquet dataset is closed`);
    const { parquetRead } = await import("hyparquet");
    const { compressors } = await import("hyparquet-compressors");
    const parts = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
    try {
      await parquetRead({
        file: this.#buffer,
        metadata: this.#metadata,
        columns: plans.map((plan) => plan.source),
        rowStart: start,
        rowEnd: end,
        compressors,
        onChunk: ({ columnName, columnData, rowStart }) => {
          const list = parts.get(columnName) ?? [];
          list.push({ rowStart, data: columnData });
          parts.set(columnName, list);
        },
      });
    } catch (error) {
      throw damaged(this.#path, error);
    }
    return plans.map((plan) => {
      const chunks = (parts.get(plan.source) ?? []).sort((a, b) => a.rowStart - b.rowStart);
      if (chunks.length === 1 && chunks[0].rowStart === start) return chunks[0].data;
      const out = new Array<unknown>(end - start);
      for (const chunk of chunks) {
        for (let i = 0; i < chunk.data.length; i++) {
          const at = chunk.rowStart + i - start;
          if (at >= 0 && at < out.length) out[at] = chunk.data[i];
        }
      }
      return out;
    });
  }

  labelIndex(): Promise<LabelIndex | null> {
    this.#labelIndex ??= this.#buildLabelIndex();
    return this.#labelIndex;
  }

  async #buildLabelIndex(): Promise<LabelIndex | null> {
    const label = this.#plans.find((plan) => plan.name === LABEL_COLUMN);
    if (label === undefined) return null;
    const lists = new Map<string, number[]>();
    // A row group at a time: the label column alone, never the whole file in memory.
    for (let g = 0; g + 1 < this.#starts.length; g++) {
      const start = this.#starts[g];
      const [values] = await this.#read([label], start, this.#starts[g + 1]);
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (value === null || value === undefined) continue; // missing labels are not counted
        const name = typeof value === "string" ? value : String(value);
        let list = lists.get(name);
        if (list === undefined) lists.set(name, list = []);
        list.push(start + i);
      }
    }
    const categories = [...lists].map(([name, rows]) => ({ name, rows: Uint32Array.from(rows) }));
    return { categories: sortCategories(categories) };
  }

  async readRows(rows: ArrayLike<number>): Promise<FlowFrame> {
    const sorted = sortRows(rows, this.info.rows);
    const out = this.#frame(sorted.rows.length);
    for await (const part of this.#groupParts(sorted.rows)) {
      this.#collect(part, out, sorted.positions.subarray(part.from, part.from + part.rows.length));
    }
    return out.frame;
  }

  scan(options?: ScanOptions): AsyncIterable<FlowBatch> {
    const sizes = this.#metadata.row_groups.map((group) => Number(group.num_rows));
    return scanDataset({
      rows: this.info.rows,
      labelIndex: () => this.labelIndex(),
      readRows: (rows) => this.readRows(rows),
      chunkRows: Math.max(1, ...sizes),
      stream: (wanted, batchRows) => this.#stream(wanted, batchRows),
    }, options);
  }

  /** Batches of the `wanted` rows (ascending; null: every row), one row group decoded at a time. */
  async *#stream(wanted: Uint32Array | null, batchRows: number): AsyncIterable<FlowBatch> {
    const all = wanted ?? Uint32Array.from({ length: this.info.rows }, (_, i) => i);
    for await (const part of this.#groupParts(all)) {
      for (let b = 0; b < part.rows.length; b += batchRows) {
        const rows = part.rows.subarray(b, b + batchRows);
        const out = this.#frame(rows.length);
        this.#collect({ ...part, rows }, out, null);
        yield { frame: out.frame, rows: rows.slice() };
      }
    }
  }

  /**
   * For each row group holding some of `rows` (ascending): those rows (from position `from` of
   * `rows` on) and the decoded columns of the group's rows from the first to the last of them.
   */
  async *#groupParts(rows: Uint32Array): AsyncIterable<GroupPart> {
    let k = 0;
    for (let g = 0; g + 1 < this.#starts.length && k < rows.length; g++) {
      const groupEnd = this.#starts[g + 1];
      if (rows[k] >= groupEnd) continue;
      let last = k;
      while (last + 1 < rows.length && rows[last + 1] < groupEnd) last++;
      const start = rows[k];
      const columns = await this.#read(this.#plans, start, rows[last] + 1);
      yield { from: k, rows: rows.subarray(k, last + 1), start, columns };
      k = last + 1;
    }
  }

  /** An empty frame of `n` rows in this dataset's columns. */
  #frame(n: number): { frame: FlowFrame; outputs: ColumnValues[] } {
    const outputs: ColumnValues[] = this.#plans.map((plan) =>
      plan.storage !== undefined ? numericArray(plan.storage, n) : new Array<string>(n)
    );
    const columns: FlowColumn[] = this.#plans.map((plan, c) => ({
      name: plan.name,
      dtype: plan.dtype,
      values: outputs[c],
    }));
    return { frame: { columns, index: new BigInt64Array(n), length: n }, outputs };
  }

  /** Puts a group part's rows into `out`: row i at `positions[i]`, or at i without positions. */
  #collect(
    part: GroupPart,
    out: { frame: FlowFrame; outputs: ColumnValues[] },
    positions: Uint32Array | null,
  ): void {
    const at = positions ?? Uint32Array.from({ length: part.rows.length }, (_, i) => i);
    for (let c = 0; c < this.#plans.length; c++) {
      fill(this.#plans[c], part.columns[c], out.outputs[c], {
        rows: part.rows,
        positions: at,
        start: part.start,
        path: this.#path,
      });
    }
    const index = out.frame.index as BigInt64Array;
    for (let i = 0; i < part.rows.length; i++) index[at[i]] = BigInt(part.rows[i]);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}

/** Puts the decoded values of the wanted rows (`rows[i]` at `positions[i]`) into `out`. */
function fill(
  plan: ColumnPlan,
  values: ArrayLike<unknown>,
  out: ColumnValues,
  where: { rows: Uint32Array; positions: Uint32Array; start: number; path: string },
): void {
  const { rows, positions, start } = where;
  if (plan.storage === undefined) {
    const strings = out as string[];
    for (let i = 0; i < rows.length; i++) {
      const value = values[rows[i] - start];
      strings[positions[i]] = value === null || value === undefined
        ? "nan"
        : value instanceof Uint8Array
        ? new TextDecoder().decode(value)
        : String(value);
    }
    return;
  }
  const numbers = out as NumericValues;
  const big = numbers instanceof BigInt64Array || numbers instanceof BigUint64Array;
  for (let i = 0; i < rows.length; i++) {
    const value = values[rows[i] - start];
    let cell: number | bigint;
    if (value === null || value === undefined) {
      if (!plan.storage.startsWith("float")) {
        throw new InputError(
          `${where.path}: column '${plan.source}' has a missing value in row ${rows[i]} ` +
            "though its statistics count none",
          { hint: DAMAGED_HINT },
        );
      }
      cell = NaN;
    } else if (value instanceof Date) {
      cell = BigInt(value.getTime()) * 1_000_000n;
    } else if (typeof value === "boolean") {
      cell = value ? 1 : 0;
    } else {
      cell = value as number | bigint;
    }
    if (big) {
      (numbers as BigInt64Array)[positions[i]] = typeof cell === "bigint" ? cell : BigInt(cell);
    } else {
      (numbers as Float64Array)[positions[i]] = Number(cell);
    }
  }
}

/** Opens a Parquet file of CICFlowMeter flows as a FlowDataset: the footer now, rows on demand. */
export async function openParquet(
  path: string,
  options: OpenParquetOptions = {},
): Promise<FlowDataset> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const buffer = fileBuffer(file, size);
    const { parquetMetadataAsync } = await import("hyparquet");
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
      if (metadata.row_groups.some((group) => Number(group.num_rows) < 0)) {
        throw new Error("a row group has a negative row count");
      }
    } catch (error) {
      throw damaged(path, error);
    }
    const plans = planColumns(path, metadata, options.onNotice ?? (() => {}));
    const dataset = new ParquetFlowDataset(path, { file, buffer, metadata }, plans);
    if (dataset.info.rows !== Number(metadata.num_rows)) {
      throw damaged(path, new Error("its row groups do not add up to its row count"));
    }
    if (dataset.info.rows === 0) {
      throw new InputError(`${path}: holds no rows`, {
        hint: "The file was saved empty; save it again with its flows.",
      });
    }
    return dataset;
  } catch (error) {
    file.close();
    throw error;
  }
}
