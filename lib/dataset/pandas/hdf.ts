/**
 * Reads DataFrames that pandas wrote to HDF5 (`to_hdf`, table and fixed formats) as a
 * {@linkcode FlowDataset}: the description and label index without loading the frame, and rows
 * on demand, with the exact values `pd.read_hdf` returns.
 * @module
 */

import { InputError, throwIfCancelled } from "../../errors.ts";
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
import type { ColumnValues, FlowColumn, FlowFrame } from "../../frame/mod.ts";
import {
  type Hdf5DatasetInfo,
  type Hdf5File,
  type Hdf5Type,
  openHdf5File,
  TypeClass,
} from "../hdf5/file.ts";
import {
  type ChunkIndex,
  readChunkIndex,
  readRowBytes,
  readVlenRows,
  scanChunkRows,
  unreadableFilter,
} from "../hdf5/chunks.ts";
import { bloscName, bloscShuffle, CODEC_FILTERS, FILTER_BLOSC } from "../hdf5/_codecs.ts";
import {
  columnArray,
  decodeFixedString,
  type FieldColumn,
  type FieldTarget,
  numericArray,
  type NumericStorage,
  type PandasTableLayout,
  readFields,
  readTableRows,
  type RowBytesReader,
  sortRows,
  streamTableRows,
  textDecoderFor,
} from "./table_layout.ts";
import { asList, isNdArray, isPyTuple, loadPickle, type PyValue } from "./pickle.ts";
import { RowList as GrowingRows } from "../_row_list.ts";

/** Options of {@linkcode openPandasHdf}. */
export interface OpenPandasHdfOptions {
  /** The pandas key to read when the file holds several objects (`ids_data` or `/ids_data`). */
  key?: string;
  /**
   * Read chunked zlib/shuffle datasets natively (`hdf5_chunks.ts`) where the file's layout allows;
   * default true. False reads everything through h5wasm, to compare the two.
   */
  chunkReader?: boolean;
}

/** How one column's values are stored. */
interface ColumnPlan extends FieldColumn {
  /** Index into the dataset's parts, or -1 for values held in memory. */
  readonly part: number;
  /** Loads the values of an in-memory column (fixed-format strings). */
  readonly load?: () => Promise<string[]>;
}

/** A dataset whose rows are read by position: the table, a fixed-format block or its index. */
interface Part {
  readonly info: Hdf5DatasetInfo;
  /** Where its chunks are, when they are read natively; null reads through h5wasm. */
  chunks: ChunkIndex | null;
}

/** Everything needed to read a pandas object, worked out from its attributes. */
interface Layout {
  readonly format: "pandas-table" | "pandas-fixed";
  readonly rows: number;
  readonly parts: readonly Part[];
  readonly columns: readonly ColumnPlan[];
  readonly index: ColumnPlan;
  readonly compression: string;
  readonly encoding: string;
  readonly decoder: TextDecoder;
}

/**
 * HDF5 filters mlids decodes: h5wasm's own, and the compressors of `hdf5/_codecs.ts` (blosc,
 * bzip2, lzf), which the native chunk reader decodes; any other one makes the data unreadable.
 */
const READABLE_FILTERS = new Map<number, string>([
  [1, "zlib"],
  [2, "shuffle"],
  [3, "fletcher32"],
  [5, "nbit"],
  [6, "scaleoffset"],
  [307, "bzip2"],
  [32000, "lzf"],
  [32001, "blosc"],
]);
const DAMAGED_HINT = "Download or copy the file again.";
const NOT_PANDAS_HINT = 'Write the DataFrame with df.to_hdf(path, key, format="table").';

/** Opens a pandas HDF5 file (table or fixed format) as a FlowDataset; `key` picks the pandas object when the file holds several. */
export async function openPandasHdf(
  path: string,
  options: OpenPandasHdfOptions = {},
): Promise<FlowDataset> {
  const file = await openHdf5File(path);
  try {
    const key = chooseKey(file, options.key);
    const layout = await readLayout(file, key);
    for (const part of layout.parts) {
      // h5wasm has no blosc, bzip2 or lzf: such datasets are read natively, whatever the option.
      if (options.chunkReader === false && !needsCodecs(part.info)) continue;
      part.chunks = await nativeChunks(path, part.info);
      if (part.chunks === null && needsCodecs(part.info)) throw outsideSubset(file, part.info);
    }
    return new PandasHdfDataset(file, key, layout);
  } catch (error) {
    file.close();
    throw error;
  }
}

/** Filters `hdf5_chunks.ts` decodes; h5wasm reads datasets with any other one. */
const NATIVE_FILTERS = new Set([1, 2, 3, ...CODEC_FILTERS]);

/** Whether a dataset's filters include one h5wasm lacks, so only the native reader decodes it. */
function needsCodecs(info: Hdf5DatasetInfo): boolean {
  return info.filters.some((filter) => CODEC_FILTERS.has(filter.id));
}

/** A compressed dataset whose layout the native reader does not follow (h5wasm lacks its codec). */
function outsideSubset(file: Hdf5File, info: Hdf5DatasetInfo): InputError {
  const names = info.filters.filter((f) => CODEC_FILTERS.has(f.id)).map((f) => f.name).join("+");
  return new InputError(
    `${file.path}: /${info.path} is compressed with ${names} in a layout mlids does not read`,
    { hint: 'Re-save it with pandas: df.to_hdf(path, key, format="table", complib="blosc:lz4").' },
  );
}

/** Rows [0, n) of a dataset's raw bytes: natively when h5wasm lacks its codec, else by h5wasm. */
async function readAllRows(file: Hdf5File, info: Hdf5DatasetInfo, n: number): Promise<Uint8Array> {
  if (!needsCodecs(info)) return file.readRows(info, 0, n);
  const index = await nativeChunks(file.path, info);
  if (index === null) throw outsideSubset(file, info);
  return await readRowBytes(file.path, index, { start: 0, end: n });
}

/** Rows [0, n) of a one-dimensional vlen dataset (pickled objects), natively or by h5wasm. */
async function readAllVlenRows(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  n: number,
): Promise<Uint8Array[]> {
  if (!needsCodecs(info)) return file.readVlenRows(info, 0, n);
  const index = await readChunkIndex(file.path, `/${info.path}`, { vlen: true });
  if (index === null || index.shape[0] !== info.shape?.[0]) throw outsideSubset(file, info);
  const baseSize = info.type.base?.size ?? 1;
  return await readVlenRows(file.path, index, { start: 0, end: n, baseSize });
}

/** The chunk index of a dataset `hdf5_chunks.ts` can read whole, else null (h5wasm reads it). */
async function nativeChunks(path: string, info: Hdf5DatasetInfo): Promise<ChunkIndex | null> {
  if (info.chunks === null || info.shape === null || info.shape.length === 0) return null;
  const index = await readChunkIndex(path, `/${info.path}`);
  if (index === null || !index.filters.every((filter) => NATIVE_FILTERS.has(filter.id))) {
    return null;
  }
  const rowBytes = index.shape.slice(1).reduce((a, b) => a * b, index.elementSize);
  if (index.shape[0] !== info.shape[0] || rowBytes !== info.rowBytes) return null;
  // Every row must lie in a stored chunk, else HDF5 supplies fill values.
  const chunkRows = index.chunkShape[0];
  if (index.chunks.length !== Math.ceil(index.shape[0] / chunkRows)) return null;
  if (!index.chunks.every((chunk, i) => chunk.start === i * chunkRows)) return null;
  return index;
}

function findKeys(file: Hdf5File): string[] {
  const keys: string[] = [];
  const pending = ["/"];
  let visited = 0;
  while (pending.length > 0 && visited < 100_000) {
    const group = pending.shift() as string;
    for (const name of file.children(group)) {
      visited++;
      const path = group === "/" ? `/${name}` : `${group}/${name}`;
      if (file.kind(path) !== "group") continue;
      if (file.hasAttribute(path, "pandas_type")) keys.push(path.slice(1));
      else pending.push(path);
    }
  }
  return keys;
}

function chooseKey(file: Hdf5File, wanted: string | undefined): string {
  const keys = findKeys(file);
  const list = keys.join(", ");
  if (wanted !== undefined) {
    const key = wanted.replace(/^\/+|\/+$/g, "");
    if (keys.includes(key)) return key;
    if (keys.length === 0) {
      throw new InputError(`${file.path}: holds no pandas data, so no key '${wanted}'`, {
        hint: NOT_PANDAS_HINT,
      });
    }
    throw new InputError(`${file.path}: no pandas key '${wanted}' (keys: ${list})`, {
      hint: `Pass --key with one of: ${list}.`,
    });
  }
  if (keys.length === 0) {
    throw new InputError(`${file.path}: holds no pandas data (no group written by to_hdf)`, {
      hint: NOT_PANDAS_HINT,
    });
  }
  if (keys.length > 1) {
    throw new InputError(`${file.path}: holds several pandas objects (${list})`, {
      hint: `Pass --key to pick one: ${list}.`,
    });
  }
  return keys[0];
}

function textAttribute(file: Hdf5File, path: string, name: string): string | null {
  const bytes = file.attributeBytes(path, name);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

function pickleAttribute(file: Hdf5File, path: string, name: string): PyValue {
  const bytes = file.attributeBytes(path, name);
  if (bytes === null) {
    throw new InputError(`${file.path}: /${path} has no attribute ${name}`, {
      hint: "The file may not have been written by pandas, or may be damaged.",
    });
  }
  return loadPickle(bytes, { source: `attribute ${name} of /${path} in ${file.path}` });
}

function pyName(value: PyValue): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (value === null) return "None";
  return String(value);
}

function compressionOf(file: Hdf5File, key: string, datasets: readonly Hdf5DatasetInfo[]): string {
  const names: string[] = [];
  for (const info of datasets) {
    for (const filter of info.filters) {
      let readable = READABLE_FILTERS.get(filter.id);
      if (readable === undefined) {
        const error = unreadableFilter(filter);
        throw new InputError(
          `${file.path}: '${key}' ${error.message.replace(/^the dataset /, "")}`,
          {
            hint: error.hint,
          },
        );
      }
      if (filter.id === FILTER_BLOSC) {
        // blosc shuffles inside its frames: "blosc:lz4+bitshuffle".
        readable = bloscName(filter.clientData);
        const shuffle = bloscShuffle(filter.clientData);
        if (shuffle !== null && !names.includes(shuffle)) names.push(shuffle);
      }
      if (!names.includes(readable)) names.push(readable);
    }
  }
  if (names.length === 0) return "none";
  // Compressors first, then shuffle and checksums: "zlib+shuffle".
  const rank = (name: string): number =>
    name === "shuffle" || name === "bitshuffle" ? 1 : name === "fletcher32" ? 2 : 0;
  return names.sort((a, b) => rank(a) - rank(b)).join("+");
}

function numericStorage(type: Hdf5Type): { storage: NumericStorage; dtype: string } | null {
  const { typeClass, size, signed } = type;
  if (typeClass === TypeClass.float) {
    if (size === 8) return { storage: "float64", dtype: "float64" };
    if (size === 4) return { storage: "float32", dtype: "float32" };
    return null;
  }
  if (typeClass === TypeClass.bitfield || typeClass === TypeClass.enum) {
    // PyTables stores numpy bools as 8-bit enums/bitfields.
    if (size === 1) return { storage: "uint8", dtype: "bool" };
    return null;
  }
  if (typeClass !== TypeClass.integer || ![1, 2, 4, 8].includes(size)) return null;
  const name = `${signed ? "int" : "uint"}${size * 8}` as NumericStorage;
  return { storage: name, dtype: name };
}

function unsupported(file: Hdf5File, key: string, what: string): InputError {
  return new InputError(`${file.path}: '${key}' has ${what}, which mlids cannot read`, {
    hint:
      'Re-save the flows with plain numeric and string columns: df.to_hdf(path, key, format="table").',
  });
}

function noRows(file: Hdf5File, key: string): InputError {
  return new InputError(`${file.path}: '${key}' holds no rows`, {
    hint: "The DataFrame was saved empty; save it again with its flows.",
  });
}

function encodingOf(file: Hdf5File, key: string): string {
  return textAttribute(file, key, "encoding") ?? "utf-8";
}

async function readLayout(file: Hdf5File, key: string): Promise<Layout> {
  const pandasType = textAttribute(file, key, "pandas_type");
  if (pandasType === "frame_table") return await readTableLayout(file, key);
  if (pandasType === "frame") return await readFixedLayout(file, key);
  throw new InputError(
    `${file.path}: '${key}' is a pandas ${pandasType ?? "object"}, not a DataFrame`,
    { hint: 'Save the flows as a DataFrame: df.to_hdf(path, key, format="table").' },
  );
}

async function readTableLayout(file: Hdf5File, key: string): Promise<Layout> {
  const tablePath = `${key}/table`;
  if (file.kind(tablePath) !== "dataset") {
    throw new InputError(`${file.path}: '${key}' has no table dataset`, {
      hint: "The file may be damaged, or not written by pandas.",
    });
  }
  const info = file.dataset(tablePath);
  const compression = compressionOf(file, key, [info]);
  const levels = file.attribute(key, "levels");
  if (levels !== null && Number(levels) !== 1) throw unsupported(file, key, "a MultiIndex");
  const rows = info.shape?.[0] ?? 0;
  if (rows === 0) throw noRows(file, key);
  const members = info.type.members;
  if (!members) throw unsupported(file, key, "a table that is not a compound dataset");
  const encoding = encodingOf(file, key);
  const decoder = textDecoderFor(encoding);

  const indexMember = members.find((m) => m.name === "index");
  if (!indexMember || indexMember.typeClass !== TypeClass.integer || indexMember.size !== 8) {
    throw unsupported(file, key, "an index that is not int64");
  }
  const index: ColumnPlan = {
    name: "index",
    dtype: "int64",
    part: 0,
    offset: indexMember.offset,
    size: 8,
    decode: "numeric",
    storage: "int64",
  };

  const byName = new Map<string, ColumnPlan>();
  const blockOrder: string[] = [];
  for (const member of members) {
    if (member.name === "index") continue;
    const categoriesOf = new Map<string, string[]>();
    const kindPickle = pickleAttribute(file, tablePath, `${member.name}_kind`);
    const names = asList(kindPickle, `attribute ${member.name}_kind of /${tablePath}`).map(pyName);
    const base = member.typeClass === TypeClass.array ? member.base : member;
    const count = member.typeClass === TypeClass.array
      ? (member.arrayShape ?? [1]).reduce((a, b) => a * b, 1)
      : 1;
    if (!base || count !== names.length) {
      throw unsupported(file, key, `a field ${member.name} that does not match its column names`);
    }
    const meta = textAttribute(file, tablePath, `${member.name}_meta`);
    const dtypeAttr = textAttribute(file, tablePath, `${member.name}_dtype`) ?? "";
    if (meta === "category") {
      for (const name of names) {
        categoriesOf.set(name, await readCategories(file, key, name, decoder));
      }
    }
    names.forEach((name, j) => {
      const offset = member.offset + j * base.size;
      let plan: ColumnPlan;
      if (meta === "category") {
        const numeric = numericStorage(base);
        if (!numeric || base.typeClass !== TypeClass.integer) {
          throw unsupported(file, key, `categorical column ${name} without integer codes`);
        }
        plan = {
          name,
          dtype: "category",
          part: 0,
          offset,
          size: base.size,
          decode: "category",
          storage: numeric.storage,
          categories: categoriesOf.get(name) ?? [],
        };
      } else if (base.typeClass === TypeClass.string && !base.variable) {
        plan = { name, dtype: "object", part: 0, offset, size: base.size, decode: "string" };
      } else {
        const numeric = numericStorage(base);
        if (!numeric) throw unsupported(file, key, `column ${name} of an unsupported type`);
        // datetime64/timedelta64 are int64 on disk; keep pandas' name for them.
        const dtype = /^(datetime64|timedelta64)/.test(dtypeAttr) && base.size === 8
          ? dtypeAttr.replace(/^(datetime64|timedelta64)$/, "$1[ns]")
          : numeric.dtype;
        plan = {
          name,
          dtype,
          part: 0,
          offset,
          size: base.size,
          decode: "numeric",
          storage: numeric.storage,
        };
      }
      byName.set(name, plan);
      blockOrder.push(name);
    });
  }

  // pandas orders the columns as non_index_axes lists them.
  let order = blockOrder;
  if (file.hasAttribute(key, "non_index_axes")) {
    const axes = asList(pickleAttribute(file, key, "non_index_axes"), `non_index_axes of /${key}`);
    const first = axes[0];
    if (isPyTuple(first) && first.items.length === 2) {
      const listed = asList(first.items[1], `non_index_axes of /${key}`).map(pyName);
      if (listed.length === blockOrder.length && listed.every((n) => byName.has(n))) order = listed;
    }
  }
  const columns = order.map((name) => byName.get(name) as ColumnPlan);
  return {
    format: "pandas-table",
    rows,
    parts: [{ info, chunks: null }],
    columns,
    index,
    compression,
    encoding,
    decoder,
  };
}

async function readCategories(
  file: Hdf5File,
  key: string,
  column: string,
  decoder: TextDecoder,
): Promise<string[]> {
  const path = `${key}/meta/${column}/meta/table`;
  if (file.kind(path) !== "dataset") {
    throw new InputError(
      `${file.path}: categorical column ${column} of '${key}' has no categories`,
      {
        hint: DAMAGED_HINT,
      },
    );
  }
  const info = file.dataset(path);
  compressionOf(file, key, [info]);
  const values = info.type.members?.find((m) => m.name === "values");
  const n = info.shape?.[0] ?? 0;
  if (!values) throw unsupported(file, key, `categories of ${column} without values`);
  const bytes = n > 0 ? await readAllRows(file, info, n) : new Uint8Array(0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(decodeValue(values, bytes, i * info.rowBytes + values.offset, decoder));
  }
  return out;
}

/** One scalar (or single-element array) value as a string, for category names and labels. */
function decodeValue(type: Hdf5Type, bytes: Uint8Array, at: number, decoder: TextDecoder): string {
  const base = type.typeClass === TypeClass.array && type.base ? type.base : type;
  if (base.typeClass === TypeClass.string) return decodeFixedString(decoder, bytes, at, base.size);
  const numeric = numericStorage(base);
  if (!numeric) return "";
  const one = numericArray(numeric.storage, 1);
  new Uint8Array(one.buffer).set(bytes.subarray(at, at + base.size));
  return String(one[0]);
}

async function readNames(file: Hdf5File, path: string, decoder: TextDecoder): Promise<string[]> {
  const info = file.dataset(path);
  const n = info.shape?.[0] ?? 0;
  if (n === 0) return [];
  if (info.type.typeClass === TypeClass.vlen) {
    const value = loadPickle((await readAllVlenRows(file, info, 1))[0] ?? new Uint8Array(0), {
      source: `/${path} in ${file.path}`,
    });
    if (!isNdArray(value)) return asList(value, `/${path}`).map(pyName);
    return value.values.map(pyName);
  }
  const bytes = await readAllRows(file, info, n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(decodeValue(info.type, bytes, i * info.rowBytes, decoder));
  return out;
}

async function readFixedLayout(file: Hdf5File, key: string): Promise<Layout> {
  const encoding = encodingOf(file, key);
  const decoder = textDecoderFor(encoding);
  for (const name of ["axis0", "axis1"]) {
    if (file.kind(`${key}/${name}`) !== "dataset") {
      throw new InputError(`${file.path}: '${key}' has no ${name}`, { hint: DAMAGED_HINT });
    }
  }
  const axis1 = file.dataset(`${key}/axis1`);
  // pandas writes an empty array as one placeholder element with its real shape as attribute.
  const emptyShape = file.attribute(axis1.path, "shape");
  const rows = emptyShape !== null ? 0 : axis1.shape?.[0] ?? 0;
  const nblocks = Number(file.attribute(key, "nblocks") ?? 0);
  const datasets: Hdf5DatasetInfo[] = [file.dataset(`${key}/axis0`), axis1];
  const blocks: { items: string; values: Hdf5DatasetInfo }[] = [];
  for (let b = 0; b < nblocks; b++) {
    const values = `${key}/block${b}_values`;
    if (file.kind(values) !== "dataset") {
      throw new InputError(`${file.path}: '${key}' has no block${b}_values`, {
        hint: DAMAGED_HINT,
      });
    }
    const info = file.dataset(values);
    datasets.push(info);
    blocks.push({ items: `${key}/block${b}_items`, values: info });
  }
  const compression = compressionOf(file, key, datasets);
  if (rows === 0) throw noRows(file, key);
  if (axis1.type.typeClass !== TypeClass.integer || axis1.type.size !== 8) {
    throw unsupported(file, key, "an index that is not int64");
  }
  const columnNames = await readNames(file, `${key}/axis0`, decoder);

  const parts: Part[] = [{ info: axis1, chunks: null }];
  const index: ColumnPlan = {
    name: "index",
    dtype: "int64",
    part: 0,
    offset: 0,
    size: 8,
    decode: "numeric",
    storage: "int64",
  };
  const byName = new Map<string, ColumnPlan>();
  for (const block of blocks) {
    const items = await readNames(file, block.items, decoder);
    const info = block.values;
    const flag = file.attribute(info.path, "transposed");
    const transposed = ArrayBuffer.isView(flag)
      ? (flag as Uint8Array)[0] !== 0
      : Boolean(Number(flag ?? 0));
    if (info.type.typeClass === TypeClass.vlen) {
      const objects = lazyObjectBlock(file, info, rows, items.length, transposed);
      items.forEach((name, j) => {
        byName.set(name, {
          name,
          dtype: "object",
          part: -1,
          offset: 0,
          size: 0,
          decode: "string",
          load: async () => (await objects())[j],
        });
      });
      continue;
    }
    const numeric = numericStorage(info.type);
    if (!numeric) throw unsupported(file, key, `a block of an unsupported type (${info.path})`);
    const shape = info.shape ?? [];
    if (!transposed || shape.length !== 2 || shape[0] !== rows || shape[1] !== items.length) {
      throw unsupported(file, key, `a block laid out unlike pandas writes it (${info.path})`);
    }
    const valueType = textAttribute(file, info.path, "value_type");
    const dtype = valueType && /^(datetime64|timedelta64)/.test(valueType)
      ? `${valueType.replace(/\[.*$/, "")}[ns]`
      : numeric.dtype;
    const part = parts.length;
    parts.push({ info, chunks: null });
    items.forEach((name, j) => {
      byName.set(name, {
        name,
        dtype,
        part,
        offset: j * info.type.size,
        size: info.type.size,
        decode: "numeric",
        storage: numeric.storage,
      });
    });
  }
  const columns = columnNames.map((name) => {
    const plan = byName.get(name);
    if (!plan) throw unsupported(file, key, `column ${name} in no block`);
    return plan;
  });
  return {
    format: "pandas-fixed",
    rows,
    parts,
    columns,
    index,
    compression,
    encoding,
    decoder,
  };
}

/** The columns of a fixed-format object block, decoded from its pickle once, when first needed. */
function lazyObjectBlock(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  rows: number,
  items: number,
  transposed: boolean,
): () => Promise<string[][]> {
  let columns: Promise<string[][]> | undefined;
  return () => columns ??= decodeObjectBlock(file, info, { rows, items, transposed });
}

/** The columns of a fixed-format object block (one pickled numpy object array). */
async function decodeObjectBlock(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  shape: { rows: number; items: number; transposed: boolean },
): Promise<string[][]> {
  const { rows, items, transposed } = shape;
  const data = (await readAllVlenRows(file, info, 1))[0] ?? new Uint8Array(0);
  const value = loadPickle(data, { source: `${info.path} in ${file.path}` });
  if (!isNdArray(value) || value.values.length !== rows * items) {
    throw new InputError(`${file.path}: ${info.path} does not hold ${rows} × ${items} objects`, {
      hint: DAMAGED_HINT,
    });
  }
  const values = value.values;
  const out: string[][] = [];
  for (let j = 0; j < items; j++) {
    const column = new Array<string>(rows);
    for (let r = 0; r < rows; r++) {
      // Transposed blocks are rows × items; others items × rows (C order either way).
      const cell = values[transposed ? r * items + j : j * rows + r];
      column[r] = typeof cell === "string" ? cell : cellText(cell);
    }
    out.push(column);
  }
  return out;
}

function cellText(cell: PyValue): string {
  if (cell === null) return "None";
  if (typeof cell === "number" && Number.isNaN(cell)) return "nan";
  return pyName(cell);
}

/** The row numbers of one category, growing as the label scan meets them. */
class RowList extends GrowingRows {
  /** The last chunk the label scan met this category in. */
  seenIn = -1;

  constructor(readonly name: string) {
    super();
  }
}

class PandasHdfDataset implements FlowDataset {
  readonly info: DatasetInfo;
  /** The layout `readTableRows` reads by, when this is a table read natively; else null. */
  readonly tableLayout: PandasTableLayout | null;
  readonly #path: string;
  readonly #file: Hdf5File;
  readonly #layout: Layout;
  #labelIndex?: Promise<LabelIndex | null>;

  constructor(file: Hdf5File, key: string, layout: Layout) {
    this.#path = file.path;
    this.#file = file;
    this.#layout = layout;
    const columns: ColumnInfo[] = layout.columns.map((c) => ({ name: c.name, dtype: c.dtype }));
    this.info = {
      format: layout.format,
      compression: layout.compression,
      key,
      rows: layout.rows,
      columns,
      labelColumn: columns.some((c) => c.name === "label") ? "label" : null,
      identityColumns: [],
    };
    const table = layout.parts[0];
    this.tableLayout = layout.format === "pandas-table" && table.chunks !== null
      ? {
        dataset: `/${table.info.path}`,
        rows: layout.rows,
        encoding: layout.encoding,
        columns: layout.columns.map(fieldOf),
        index: fieldOf(layout.index),
        chunks: table.chunks,
      }
      : null;
  }

  /** Reads bytes of rows of a part: natively by its chunks, else through h5wasm. */
  #reader(part: number): RowBytesReader {
    const { info, chunks } = this.#layout.parts[part];
    if (chunks !== null) return (options) => readRowBytes(this.#path, chunks, options);
    return (options) => Promise.resolve().then(() => this.#file.readRowBytes(info, options));
  }

  labelIndex(): Promise<LabelIndex | null> {
    this.#labelIndex ??= this.#buildLabelIndex();
    return this.#labelIndex;
  }

  /** The label index, built by a pass that also hands `sink` rows; false when no rows went (not a native table, or already built). */
  async labelIndexWithRows(
    sink: CategoryRowSink,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ labels: LabelIndex | null; rows: boolean }> {
    const label = this.#layout.columns.find((c) => c.name === this.info.labelColumn);
    const chunks = this.#layout.parts[0]?.chunks ?? null;
    if (
      this.#labelIndex !== undefined || this.tableLayout === null || label === undefined ||
      label.part !== 0 || chunks === null || chunks.shape.length !== 1
    ) {
      return { labels: await this.labelIndex(), rows: false };
    }
    this.#labelIndex = this.#buildLabelIndex({ sink, chunks, signal: options.signal });
    return { labels: await this.#labelIndex, rows: true };
  }

  async #buildLabelIndex(
    scan?: { sink: CategoryRowSink; chunks: ChunkIndex; signal?: AbortSignal },
  ): Promise<LabelIndex | null> {
    const label = this.#layout.columns.find((c) => c.name === this.info.labelColumn);
    if (!label) return null;
    const lists = new Map<string, RowList>();
    const listFor = (name: string): RowList => {
      let list = lists.get(name);
      if (!list) {
        list = new RowList(name);
        lists.set(name, list);
      }
      return list;
    };
    if (scan !== undefined) {
      await this.#scanWithRows(label, listFor, scan);
    } else if (label.part < 0) {
      const values = await (label.load as () => Promise<string[]>)();
      for (let r = 0; r < values.length; r++) listFor(values[r]).push(r);
    } else {
      // A window of rows at a time keeps the label bytes small beside the row lists.
      const read = this.#reader(label.part);
      const { info, chunks } = this.#layout.parts[label.part];
      const chunkRows = chunks?.chunkShape[0] ?? info.chunks?.[0] ?? 1;
      const window = Math.max(chunkRows, Math.floor(LABEL_WINDOW_ROWS / chunkRows) * chunkRows);
      const classify = label.decode === "string"
        ? this.#stringClassifier(label, listFor)
        : codeClassifier(label, listFor);
      for (let start = 0; start < this.#layout.rows; start += window) {
        const end = Math.min(this.#layout.rows, start + window);
        classify(
          await read({ start, end, byteOffset: label.offset, byteLength: label.size }),
          start,
        );
      }
    }
    const categories = [...lists].map(([name, list]) => ({ name, rows: list.rows() }));
    return { categories: sortCategories(categories) };
  }

  /**
   * Labels every row chunk by chunk and, in the same pass over the decoded chunk, hands the whole
   * rows of each category `sink` wants to it, in row order.
   */
  async #scanWithRows(
    label: ColumnPlan,
    listFor: (name: string) => RowList,
    scan: { sink: CategoryRowSink; chunks: ChunkIndex; signal?: AbortSignal },
  ): Promise<void> {
    const { sink, chunks, signal } = scan;
    const size = label.size;
    const chunkRows = chunks.chunkShape[0];
    const rowBytes = chunks.elementSize;
    const labelBytes = new Uint8Array(chunkRows * size);
    const rowLists = new Array<RowList | null>(chunkRows).fill(null);
    const picked = new Uint32Array(chunkRows);
    const gathered = new Uint8Array(chunkRows * rowBytes);
    const classify = label.decode === "string"
      ? this.#stringClassifier(label, listFor)
      : codeClassifier(label, listFor);
    const met: RowList[] = [];
    let chunkNumber = 0;
    for await (const chunk of scanChunkRows(this.#path, chunks)) {
      throwIfCancelled(signal, `indexing the labels of ${this.#path}`);
      const n = chunk.count;
      chunk.copyRange({ from: 0, to: n }, labelBytes, {
        byteOffset: label.offset,
        byteLength: size,
      });
      classify(labelBytes.subarray(0, n * size), chunk.start, rowLists);
      met.length = 0;
      for (let r = 0; r < n; r++) {
        const list = rowLists[r];
        if (list !== null && list.seenIn !== chunkNumber) {
          list.seenIn = chunkNumber;
          met.push(list);
        }
      }
      for (const list of met) {
        if (!sink.wants(list.name)) continue;
        let count = 0;
        for (let r = 0; r < n; r++) {
          if (rowLists[r] !== list) continue;
          chunk.copyRow(r, gathered, { at: count * rowBytes });
          picked[count++] = chunk.start + r;
        }
        sink.take(list.name, {
          rows: picked.subarray(0, count),
          bytes: gathered.subarray(0, count * rowBytes),
        });
      }
      chunkNumber++;
    }
  }

  /** Classifies fixed-width label strings by their raw bytes, decoding each distinct label once. */
  #stringClassifier(label: ColumnPlan, listFor: (name: string) => RowList): Classifier {
    const size = label.size;
    const known: { bytes: Uint8Array; list: RowList }[] = [];
    let last = -1;
    return (bytes, first, lists) => {
      const rows = Math.floor(bytes.length / Math.max(size, 1));
      for (let r = 0; r < rows; r++) {
        const at = r * size;
        let match = -1;
        if (last >= 0 && equalAt(known[last].bytes, bytes, at)) match = last;
        else {
          for (let k = 0; k < known.length; k++) {
            if (k !== last && equalAt(known[k].bytes, bytes, at)) {
              match = k;
              break;
            }
          }
        }
        if (match < 0) {
          const copy = bytes.slice(at, at + size);
          const name = decodeFixedString(this.#layout.decoder, copy, 0, size);
          known.push({ bytes: copy, list: listFor(name) });
          match = known.length - 1;
        }
        known[match].list.push(first + r);
        if (lists !== undefined) lists[r] = known[match].list;
        last = match;
      }
    };
  }

  async readRows(rows: ArrayLike<number>): Promise<FlowFrame> {
    if (this.tableLayout !== null) return await readTableRows(this.#path, this.tableLayout, rows);
    const n = rows.length;
    const sorted = sortRows(rows, this.#layout.rows);
    const plans = this.#layout.columns;
    const outputs: ColumnValues[] = plans.map((plan) => columnArray(plan, n));
    const index = new BigInt64Array(n);
    const targets: { plan: ColumnPlan; out: ColumnValues }[] = plans.map((plan, i) => ({
      plan,
      out: outputs[i],
    }));
    targets.push({ plan: this.#layout.index, out: index });

    for (let p = 0; p < this.#layout.parts.length; p++) {
      const fields: FieldTarget[] = targets.filter((t) => t.plan.part === p)
        .map((t) => ({ column: t.plan, out: t.out }));
      if (fields.length === 0) continue;
      const { info, chunks } = this.#layout.parts[p];
      await readFields(
        this.#reader(p),
        sorted,
        {
          rowBytes: info.rowBytes,
          chunkRows: chunks?.chunkShape[0] ?? info.chunks?.[0] ?? 1,
          targets: fields,
        },
        this.#layout.decoder,
      );
    }
    for (const { plan, out } of targets) {
      if (plan.part >= 0) continue;
      const values = await (plan.load as () => Promise<string[]>)();
      const strings = out as string[];
      for (let i = 0; i < n; i++) strings[sorted.positions[i]] = values[sorted.rows[i]];
    }
    const columns: FlowColumn[] = plans.map((plan, i) => ({
      name: plan.name,
      dtype: plan.dtype,
      values: outputs[i],
    }));
    return { columns, index, length: n };
  }

  scan(options?: ScanOptions): AsyncIterable<FlowBatch> {
    const { info, chunks } = this.#layout.parts[0];
    const table = this.tableLayout;
    return scanDataset({
      rows: this.#layout.rows,
      labelIndex: () => this.labelIndex(),
      readRows: (rows) => this.readRows(rows),
      chunkRows: chunks?.chunkShape[0] ?? info.chunks?.[0],
      stream: table === null
        ? undefined
        : (wanted, batchRows) => streamTableRows(this.#path, table, { wanted, batchRows }),
    }, options);
  }

  close(): void {
    this.#file.close();
  }
}

/** A column's field description, without where this reader keeps it. */
function fieldOf(plan: ColumnPlan): FieldColumn {
  const { name, dtype, offset, size, decode, storage, categories } = plan;
  return { name, dtype, offset, size, decode, storage, categories };
}

/**
 * Rows of label bytes from row `first` on, sorted into their categories' row lists; with `lists`,
 * row r's list (null for a missing label) is also put at `lists[r]`.
 */
type Classifier = (bytes: Uint8Array, first: number, lists?: (RowList | null)[]) => void;

/** Rows labelled at once by the label scan. */
const LABEL_WINDOW_ROWS = 1 << 16;

/** Classifies numeric or categorical labels by code, naming each distinct code once. */
function codeClassifier(label: ColumnPlan, listFor: (name: string) => RowList): Classifier {
  const one = numericArray(label.storage ?? "int64", 1);
  const oneBytes = new Uint8Array(one.buffer);
  const byCode = new Map<number | bigint, RowList | null>();
  const size = label.size;
  return (bytes, first, lists) => {
    const rows = Math.floor(bytes.length / Math.max(size, 1));
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < size; k++) oneBytes[k] = bytes[r * size + k];
      const code = one[0];
      let list = byCode.get(code);
      if (list === undefined) {
        const name = label.decode === "category"
          ? (label.categories as readonly string[])[Number(code)]
          : String(code);
        // Missing values (code -1, NaN) are not counted, as in value_counts().
        const missing = name === undefined || (typeof code === "number" && Number.isNaN(code));
        list = missing ? null : listFor(name);
        byCode.set(code, list);
      }
      list?.push(first + r);
      if (lists !== undefined) lists[r] = list;
    }
  };
}

/** Receives, during the label scan, the raw rows (the on-disk row bytes) of the categories it wants. */
export interface CategoryRowSink {
  /** Whether rows of `category` are wanted now; asked for each chunk the category is met in. */
  wants(category: string): boolean;
  /** Rows of `category` (ascending row numbers) and their bytes, row after row; valid during the call only. */
  take(category: string, batch: { rows: Uint32Array; bytes: Uint8Array }): void;
}

/**
 * The label index of `dataset`, built (for a pandas table read natively) in the one pass over its
 * chunks that also hands `sink` the rows it wants; `rows` says whether that pass ran.
 */
export async function labelIndexWithRows(
  dataset: FlowDataset,
  sink: CategoryRowSink,
  options: { signal?: AbortSignal } = {},
): Promise<{ labels: LabelIndex | null; rows: boolean }> {
  if (dataset instanceof PandasHdfDataset) return await dataset.labelIndexWithRows(sink, options);
  return { labels: await dataset.labelIndex(), rows: false };
}

/** The layout rows of `dataset` are read by without h5wasm, when it is a pandas table read natively. */
export function tableLayoutOf(dataset: FlowDataset): PandasTableLayout | null {
  return dataset instanceof PandasHdfDataset ? dataset.tableLayout : null;
}

function equalAt(known: Uint8Array, bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < known.length; k++) if (known[k] !== bytes[at + k]) return false;
  return true;
}
