/**
 * Thin access to HDF5 files through h5wasm: open files in place, read attributes, filters and
 * types, and read rows of datasets as raw bytes in their native layout, without h5wasm's per-row
 * conversion to JavaScript values.
 * @module
 */

import type h5wasmModule from "h5wasm/node";
import { InputError, MachineError } from "../../errors.ts";
import { type H5wasm, loadH5wasm } from "./h5wasm_loader.ts";
import { HDF5_SIGNATURE_BYTES, isHdf5Signature, superblockOffsets } from "./signature.ts";

/** HDF5 type classes (H5T_class_t) that mlids distinguishes. */
export const TypeClass = {
  integer: 0,
  float: 1,
  string: 3,
  bitfield: 4,
  opaque: 5,
  compound: 6,
  enum: 8,
  vlen: 9,
  array: 10,
} as const;

/** A datatype as HDF5 describes it: class, element size in bytes, and members or base type. */
export interface Hdf5Type {
  /** The H5T class number (see `TypeClass`). */
  readonly typeClass: number;
  /** Bytes one element takes (an array type: the whole array). */
  readonly size: number;
  readonly signed: boolean;
  readonly littleEndian: boolean;
  /** Character set of strings: 0 ASCII, 1 UTF-8. */
  readonly cset?: number;
  /** Whether a string type is variable-length. */
  readonly variable: boolean;
  /** Members of a compound type, with their byte offsets. */
  readonly members?: readonly Hdf5Member[];
  /** Element type of an array or vlen type. */
  readonly base?: Hdf5Type;
  /** Shape of an array type. */
  readonly arrayShape?: readonly number[];
}

/** One member of a compound type. */
export interface Hdf5Member extends Hdf5Type {
  readonly name: string;
  readonly offset: number;
}

/** A filter of a dataset's pipeline (deflate, shuffle, blosc, ...). */
export interface Hdf5Filter {
  readonly id: number;
  readonly name: string;
  /** The filter's client data (cd_values): e.g. blosc's codec and shuffle. */
  readonly clientData: readonly number[];
}

/** What a dataset is: shape, type, chunking and filters. */
export interface Hdf5DatasetInfo {
  readonly path: string;
  /** The dataspace's dimensions; empty for a scalar, null for a null dataspace. */
  readonly shape: readonly number[] | null;
  readonly type: Hdf5Type;
  readonly chunks: readonly number[] | null;
  readonly filters: readonly Hdf5Filter[];
  /** Bytes one index along the first dimension takes (a row with every trailing dimension). */
  readonly rowBytes: number;
}

/** Which rows, and which bytes of each, `Hdf5File.readRowBytes` reads. */
export interface RowBytesOptions {
  /** The rows wanted, in the order wanted (repeats allowed); default rows `start` to `end`. */
  readonly rows?: readonly number[];
  /** Without `rows`: the first row wanted; default 0. */
  readonly start?: number;
  /** Without `rows`: the row after the last wanted; default the dataset's row count. */
  readonly end?: number;
  /** First byte of each row to take (e.g. a compound member's offset); default 0. */
  readonly byteOffset?: number;
  /** Bytes of each row to take; default the rest of the row. */
  readonly byteLength?: number;
}

/** The most rows HDF5 reads at once. */
const WINDOW_ROWS = 65536;

/** What an object path names in a file. */
export type Hdf5ObjectKind = "group" | "dataset" | "other" | "missing";

// The Emscripten module's parts that this layer calls; h5wasm types them loosely.
interface RawMetadata {
  type: number;
  size: number;
  signed: boolean;
  littleEndian: boolean;
  cset?: number;
  vlen: boolean;
  shape: number[] | null;
  chunks: number[] | null;
  total_size: number;
  compound_type?: { members: (RawMetadata & { name: string; offset: number })[] };
  array_type?: RawMetadata;
  vlen_type?: RawMetadata;
}

interface H5Module {
  HEAPU8: Uint8Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  get_type(fileId: bigint, path: string): number;
  get_names(fileId: bigint, path: string, recursive: boolean): string[];
  get_attribute_names(fileId: bigint, path: string): string[];
  get_attribute_metadata(fileId: bigint, path: string, name: string): RawMetadata;
  get_attribute_data(fileId: bigint, path: string, name: string, ptr: bigint): number;
  get_dataset_metadata(fileId: bigint, path: string): RawMetadata;
  get_dataset_filters(
    fileId: bigint,
    path: string,
  ): { id: number; name: string; cd_values?: number[] }[];
  get_dataset_data(
    fileId: bigint,
    path: string,
    count: bigint[] | null,
    offset: bigint[] | null,
    strides: bigint[] | null,
    ptr: bigint,
  ): number;
  reclaim_vlen_memory(fileId: bigint, path: string, attr: string, ptr: bigint): number;
  reclaim_vlen_memory_count(
    fileId: bigint,
    path: string,
    attr: string,
    ptr: bigint,
    count: bigint[],
  ): number;
  activate_throwing_error_handler(): number;
  H5O_TYPE_GROUP: number;
  H5O_TYPE_DATASET: number;
}

let modulePromise: Promise<{ h5wasm: H5wasm; module: H5Module }> | undefined;

function loadModule(): Promise<{ h5wasm: H5wasm; module: H5Module }> {
  modulePromise ??= loadH5wasm().then(async (h5wasm) => {
    const module = (await h5wasm.ready) as unknown as H5Module;
    // HDF5 would otherwise print its error stack to stderr; this turns it into a JS exception.
    module.activate_throwing_error_handler();
    return { h5wasm, module };
  });
  return modulePromise;
}

function convertType(raw: RawMetadata): Hdf5Type {
  const type: {
    -readonly [K in keyof Hdf5Type]: Hdf5Type[K];
  } = {
    typeClass: raw.type,
    size: raw.size,
    signed: raw.signed,
    littleEndian: raw.littleEndian,
    cset: raw.cset,
    variable: raw.vlen,
  };
  if (raw.compound_type) {
    type.members = raw.compound_type.members.map((member): Hdf5Member => ({
      ...convertType(member),
      name: member.name,
      offset: member.offset,
    }));
  }
  if (raw.array_type) {
    type.base = convertType(raw.array_type);
    type.arrayShape = raw.array_type.shape ?? [];
  }
  if (raw.vlen_type) type.base = convertType(raw.vlen_type);
  return type;
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // HDF5 error stacks are many lines; the innermost "major/minor" line says the most.
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const minor = lines.filter((line) => line.startsWith("minor:")).pop();
  return (minor ?? lines[lines.length - 1] ?? "unknown error").replace(/^minor:\s*/, "");
}

/** Whether the bytes at `offset` of `file` are the HDF5 signature. */
async function signatureAt(file: Deno.FsFile, offset: number): Promise<boolean> {
  await file.seek(offset, Deno.SeekMode.Start);
  const buffer = new Uint8Array(HDF5_SIGNATURE_BYTES);
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) return false;
    filled += n;
  }
  return isHdf5Signature(buffer);
}

/** Checks that `path` is a readable regular file starting with an HDF5 superblock. */
async function checkHdf5Signature(path: string): Promise<number> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${path}: no such file`, {
        hint: "Check the path of the HDF5 dataset.",
        cause: error,
      });
    }
    throw new MachineError(`${path}: cannot read the file: ${errorText(error)}`, { cause: error });
  }
  if (stat.isDirectory) {
    throw new InputError(`${path}: is a directory, not an HDF5 file`, {
      hint: "Give the path of a pandas HDF5 file (.h5).",
    });
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    throw new MachineError(`${path}: cannot open the file: ${errorText(error)}`, { cause: error });
  }
  try {
    const size = stat.size;
    // The superblock sits at 0 or at a power of two from 512 on (a user block precedes it).
    for (const offset of superblockOffsets(size)) {
      if (await signatureAt(file, offset)) return offset;
    }
  } catch (error) {
    throw new MachineError(`${path}: cannot read the file: ${errorText(error)}`, { cause: error });
  } finally {
    file.close();
  }
  throw new InputError(`${path}: not an HDF5 file (no HDF5 signature)`, {
    hint: "Give a pandas HDF5 file written by DataFrame.to_hdf.",
  });
}

/**
 * An HDF5 file open for reading. Object paths are absolute or relative to the root
 * (`ids_data/table`). Raw reads return bytes in the file's native (little-endian) layout.
 */
export class Hdf5File {
  /** The file's path as given. */
  readonly path: string;
  /** Where the HDF5 superblock starts (after any user block). */
  readonly superblockOffset: number;
  readonly #module: H5Module;
  readonly #h5file: InstanceType<typeof h5wasmModule.File>;
  readonly #fileId: bigint;
  #closed = false;

  private constructor(
    path: string,
    superblockOffset: number,
    module: H5Module,
    h5file: InstanceType<typeof h5wasmModule.File>,
  ) {
    this.path = path;
    this.superblockOffset = superblockOffset;
    this.#module = module;
    this.#h5file = h5file;
    this.#fileId = h5file.file_id;
  }

  /** Opens `path` read-only in place; InputError when it is missing, not HDF5 or damaged. */
  static async open(path: string): Promise<Hdf5File> {
    const superblockOffset = await checkHdf5Signature(path);
    const { h5wasm, module } = await loadModule();
    let h5file: InstanceType<typeof h5wasmModule.File>;
    try {
      h5file = new h5wasm.File(path, "r");
    } catch (error) {
      throw new InputError(
        `${path}: cannot open as HDF5, the file is truncated or damaged (${errorText(error)})`,
        { hint: "Download or copy the file again.", cause: error },
      );
    }
    if (h5file.file_id < 0n) {
      throw new InputError(`${path}: cannot open as HDF5, the file is truncated or damaged`, {
        hint: "Download or copy the file again.",
      });
    }
    return new Hdf5File(path, superblockOffset, module, h5file);
  }

  #damaged(what: string, error: unknown): InputError {
    return new InputError(
      `${this.path}: cannot read ${what}, the file is truncated or damaged (${errorText(error)})`,
      { hint: "Download or copy the file again.", cause: error },
    );
  }

  /** What `objectPath` names: a group, a dataset, something else, or nothing. */
  kind(objectPath: string): Hdf5ObjectKind {
    let type: number;
    try {
      type = this.#module.get_type(this.#fileId, objectPath);
    } catch {
      return "missing";
    }
    if (type === this.#module.H5O_TYPE_GROUP) return "group";
    if (type === this.#module.H5O_TYPE_DATASET) return "dataset";
    return type < 0 ? "missing" : "other";
  }

  /** Names of the direct children of a group. */
  children(groupPath: string): string[] {
    try {
      return this.#module.get_names(this.#fileId, groupPath, false);
    } catch (error) {
      throw this.#damaged(`group ${groupPath}`, error);
    }
  }

  /** Names of the attributes of an object. */
  attributeNames(objectPath: string): string[] {
    try {
      return this.#module.get_attribute_names(this.#fileId, objectPath);
    } catch (error) {
      throw this.#damaged(`the attributes of ${objectPath}`, error);
    }
  }

  /** Whether the object has the attribute. */
  hasAttribute(objectPath: string, name: string): boolean {
    return this.attributeNames(objectPath).includes(name);
  }

  /**
   * The bytes of a fixed-length string attribute (trailing NULs removed), or null when the
   * attribute is missing, empty or not a fixed-length string.
   */
  attributeBytes(objectPath: string, name: string): Uint8Array | null {
    if (!this.hasAttribute(objectPath, name)) return null;
    const m = this.#module;
    let meta: RawMetadata;
    try {
      meta = m.get_attribute_metadata(this.#fileId, objectPath, name);
    } catch (error) {
      throw this.#damaged(`attribute ${name} of ${objectPath}`, error);
    }
    if (meta.type !== TypeClass.string || meta.vlen || meta.shape === null) return null;
    const nbytes = meta.size * meta.total_size;
    const ptr = m._malloc(Math.max(nbytes, 1));
    try {
      m.get_attribute_data(this.#fileId, objectPath, name, BigInt(ptr));
      const bytes = m.HEAPU8.slice(ptr, ptr + nbytes);
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0) end--;
      return bytes.subarray(0, end);
    } catch (error) {
      throw this.#damaged(`attribute ${name} of ${objectPath}`, error);
    } finally {
      m._free(ptr);
    }
  }

  /**
   * An attribute's value as h5wasm converts it (strings, numbers, bigints, typed arrays), or
   * null when missing or empty. Fixed-length strings are decoded as UTF-8.
   */
  attribute(objectPath: string, name: string): unknown {
    const bytes = this.attributeBytes(objectPath, name);
    if (bytes !== null) return new TextDecoder().decode(bytes);
    if (!this.hasAttribute(objectPath, name)) return null;
    try {
      const object = this.#h5file.get(objectPath) as unknown as {
        get_attribute(name: string, json: boolean): unknown;
      } | null;
      return object?.get_attribute(name, false) ?? null;
    } catch (error) {
      throw this.#damaged(`attribute ${name} of ${objectPath}`, error);
    }
  }

  /** Shape, type, chunking and filters of a dataset. */
  dataset(datasetPath: string): Hdf5DatasetInfo {
    const m = this.#module;
    try {
      const meta = m.get_dataset_metadata(this.#fileId, datasetPath);
      const filters = m.get_dataset_filters(this.#fileId, datasetPath).map((f) => ({
        id: f.id,
        name: f.name,
        clientData: (f.cd_values ?? []).map(Number),
      }));
      const shape = meta.shape ? meta.shape.map(Number) : null;
      const trailing = shape ? shape.slice(1).reduce((a, b) => a * b, 1) : 1;
      return {
        path: datasetPath,
        shape,
        type: convertType(meta),
        chunks: meta.chunks ? meta.chunks.map(Number) : null,
        filters,
        rowBytes: meta.size * trailing,
      };
    } catch (error) {
      throw this.#damaged(`dataset ${datasetPath}`, error);
    }
  }

  /**
   * Reads rows [start, end) of a dataset (all trailing dimensions) into wasm memory and calls
   * `use` with a view of the raw bytes; the view is valid only during the call.
   */
  withRows<T>(info: Hdf5DatasetInfo, start: number, end: number, use: (bytes: Uint8Array) => T): T {
    const m = this.#module;
    const shape = info.shape;
    if (shape === null || shape.length === 0) {
      throw new RangeError(`${info.path} has no rows to read`);
    }
    if (!(start >= 0 && end <= shape[0] && start <= end)) {
      throw new RangeError(`rows ${start}-${end} outside ${info.path} of ${shape[0]} rows`);
    }
    const nbytes = (end - start) * info.rowBytes;
    if (nbytes === 0) return use(new Uint8Array(0));
    const ptr = m._malloc(nbytes);
    if (ptr === 0) {
      throw new MachineError(`out of memory reading ${nbytes} bytes of ${info.path}`);
    }
    try {
      const count = shape.map((dim, i) => BigInt(i === 0 ? end - start : dim));
      const offset = shape.map((_, i) => BigInt(i === 0 ? start : 0));
      const strides = shape.map(() => 1n);
      let status: number;
      try {
        status = m.get_dataset_data(this.#fileId, info.path, count, offset, strides, BigInt(ptr));
      } catch (error) {
        throw this.#damaged(`rows ${start}-${end} of ${info.path}`, error);
      }
      if (status < 0) throw this.#damaged(`rows ${start}-${end} of ${info.path}`, status);
      // HEAPU8 is replaced when wasm memory grows, so take it after the read.
      return use(m.HEAPU8.subarray(ptr, ptr + nbytes));
    } finally {
      m._free(ptr);
    }
  }

  /**
   * Bytes `byteOffset` to `byteOffset + byteLength` of each wanted row of a dataset, row after
   * row, read through HDF5 in windows of nearby rows; the same as `readRowBytes` of
   * `hdf5_chunks.ts`, for the layouts and filters only HDF5 itself reads.
   */
  readRowBytes(info: Hdf5DatasetInfo, options: RowBytesOptions = {}): Uint8Array {
    const total = info.shape?.[0] ?? 0;
    const rowBytes = info.rowBytes;
    const byteOffset = options.byteOffset ?? 0;
    const byteLength = options.byteLength ?? rowBytes - byteOffset;
    if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > rowBytes) {
      throw new RangeError(`bytes ${byteOffset}+${byteLength} are outside a ${rowBytes}-byte row`);
    }
    const chunkRows = info.chunks?.[0] ?? 1;
    const rows = options.rows;
    if (rows === undefined) {
      const first = options.start ?? 0;
      const last = options.end ?? total;
      if (!(first >= 0 && first <= last && last <= total)) {
        throw new RangeError(`rows ${first} to ${last} are outside the dataset's ${total} rows`);
      }
      const out = new Uint8Array((last - first) * byteLength);
      const window = Math.max(chunkRows, Math.floor(WINDOW_ROWS / chunkRows) * chunkRows);
      for (let start = first; start < last; start += window) {
        const end = Math.min(last, start + window);
        this.withRows(info, start, end, (bytes) => {
          for (let r = 0; r < end - start; r++) {
            const at = r * rowBytes + byteOffset;
            out.set(bytes.subarray(at, at + byteLength), (start - first + r) * byteLength);
          }
        });
      }
      return out;
    }
    const n = rows.length;
    for (let k = 0; k < n; k++) {
      const row = rows[k];
      if (!Number.isInteger(row) || row < 0 || row >= total) {
        throw new RangeError(`row ${row} is outside the dataset's ${total} rows`);
      }
    }
    // Slots in row order, so nearby rows are read in one run.
    const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => rows[a] - rows[b]);
    const out = new Uint8Array(n * byteLength);
    const gap = Math.max(chunkRows, 64);
    let i = 0;
    while (i < n) {
      const start = rows[order[i]];
      let j = i + 1;
      while (
        j < n && rows[order[j]] - rows[order[j - 1]] <= gap && rows[order[j]] - start < WINDOW_ROWS
      ) j++;
      const end = rows[order[j - 1]] + 1;
      this.withRows(info, start, end, (bytes) => {
        for (let k = i; k < j; k++) {
          const at = (rows[order[k]] - start) * rowBytes + byteOffset;
          out.set(bytes.subarray(at, at + byteLength), order[k] * byteLength);
        }
      });
      i = j;
    }
    return out;
  }

  /** Rows [start, end) of a dataset as a copy of their raw bytes. */
  readRows(info: Hdf5DatasetInfo, start: number, end: number): Uint8Array {
    return this.withRows(info, start, end, (bytes) => bytes.slice());
  }

  /**
   * Rows [start, end) of a one-dimensional variable-length (vlen) dataset, one byte array per
   * row (the elements' raw bytes), for VLArrays such as PyTables' pickled objects.
   */
  readVlenRows(info: Hdf5DatasetInfo, start: number, end: number): Uint8Array[] {
    const m = this.#module;
    if (info.type.typeClass !== TypeClass.vlen || info.shape?.length !== 1) {
      throw new RangeError(`${info.path} is not a one-dimensional vlen dataset`);
    }
    const elementSize = info.type.base?.size ?? 1;
    const n = end - start;
    if (n <= 0) return [];
    // hvl_t is {size_t len; void *p}: two 32-bit words in wasm32.
    const ptr = m._malloc(n * 8);
    if (ptr === 0) throw new MachineError(`out of memory reading ${info.path}`);
    const count = [BigInt(n)];
    let read = false;
    try {
      let status: number;
      try {
        status = m.get_dataset_data(
          this.#fileId,
          info.path,
          count,
          [BigInt(start)],
          [1n],
          BigInt(ptr),
        );
      } catch (error) {
        throw this.#damaged(`rows ${start}-${end} of ${info.path}`, error);
      }
      if (status < 0) throw this.#damaged(`rows ${start}-${end} of ${info.path}`, status);
      read = true;
      const out: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const words = new DataView(m.HEAPU8.buffer, ptr + i * 8, 8);
        const length = words.getUint32(0, true);
        const dataPtr = words.getUint32(4, true);
        out.push(m.HEAPU8.slice(dataPtr, dataPtr + length * elementSize));
      }
      return out;
    } finally {
      if (read) m.reclaim_vlen_memory_count(this.#fileId, info.path, "", BigInt(ptr), count);
      m._free(ptr);
    }
  }

  /** Closes the file; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#h5file.close();
    } catch {
      // Closing a damaged file can fail; nothing is left to release on our side.
    }
  }
}

/** Opens an HDF5 file read-only in place; InputError when it is missing, not HDF5 or damaged. */
export function openHdf5File(path: string): Promise<Hdf5File> {
  return Hdf5File.open(path);
}
