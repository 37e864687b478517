/**
 * Thin access to HDF5 files through h5wasm: open files in place, read attributes, filters and
 * types, and read rows of datasets as raw bytes in their native layout, without h5wasm's per-row
 * conversion to JavaScript values.
 * @module
 */

import type h5wasmModule from "h5wasm/node";
import { inflateSync } from "node:zlib";
import { InputError, MachineError } from "./errors.ts";
import { type H5wasm, loadH5wasm } from "./h5wasm_loader.ts";

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

/** What an object path names in a file. */
export type Hdf5ObjectKind = "group" | "dataset" | "other" | "missing";

/** The HDF5 file signature, found at offset 0, 512, 1024, 2048, ... */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

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
  get_dataset_filters(fileId: bigint, path: string): { id: number; name: string }[];
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
  const buffer = new Uint8Array(SIGNATURE.length);
  let filled = 0;
  while (filled < buffer.length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) return false;
    filled += n;
  }
  return SIGNATURE.every((byte, i) => buffer[i] === byte);
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
    for (
      let offset = 0;
      offset + SIGNATURE.length <= size;
      offset = offset === 0 ? 512 : offset * 2
    ) {
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

/** One chunk of a chunked dataset: its first row, file address and stored size. */
interface ChunkEntry {
  readonly firstRow: number;
  readonly address: number;
  readonly size: number;
  readonly filterMask: number;
}

/** Why the direct chunk reader declines a file: the caller falls back to HDF5's own reads. */
class Unsupported extends Error {}

/**
 * Reads HDF5's on-disk structures directly (superblock v0/v1, v1 object headers, symbol-table
 * groups, v3 chunked layout, v1 chunk B-trees) so chunks can be inflated with the native zlib,
 * several times faster than inside wasm. Anything else throws `Unsupported`.
 */
class ChunkReader {
  readonly #file: Deno.FsFile;
  readonly #size: number;
  #base = 0;
  #offsetSize = 8;
  #lengthSize = 8;
  #rootHeader = 0;

  constructor(file: Deno.FsFile, size: number) {
    this.#file = file;
    this.#size = size;
  }

  read(address: number, length: number): Uint8Array {
    const position = this.#base + address;
    if (!(position >= 0 && length >= 0 && position + length <= this.#size)) {
      throw new Unsupported(`address ${address} outside the file`);
    }
    const buffer = new Uint8Array(length);
    this.#file.seekSync(position, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < length) {
      const n = this.#file.readSync(buffer.subarray(filled));
      if (n === null) throw new Unsupported("unexpected end of file");
      filled += n;
    }
    return buffer;
  }

  #uint(view: DataView, at: number, size: number): number {
    if (size === 8) {
      const value = view.getBigUint64(at, true);
      return value === 0xffffffffffffffffn ? -1 : Number(value);
    }
    if (size === 4) return view.getUint32(at, true);
    if (size === 2) return view.getUint16(at, true);
    return view.getUint8(at);
  }

  #signatureIs(bytes: Uint8Array, text: string): boolean {
    for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
    return true;
  }

  superblock(base: number): void {
    this.#base = base;
    const bytes = this.read(0, 256 < this.#size - base ? 256 : this.#size - base);
    const view = new DataView(bytes.buffer);
    const version = bytes[8];
    if (version !== 0 && version !== 1) throw new Unsupported(`superblock version ${version}`);
    this.#offsetSize = bytes[13];
    this.#lengthSize = bytes[14];
    const o = this.#offsetSize;
    let at = version === 0 ? 24 : 28;
    this.#base = this.#uint(view, at, o);
    at += 4 * o; // base, free space, end of file, driver info
    this.#rootHeader = this.#uint(view, at + o, o);
  }

  /** The messages of a v1 object header, continuation blocks followed. */
  #messages(address: number): { type: number; data: Uint8Array }[] {
    const head = this.read(address, 16);
    const view = new DataView(head.buffer);
    if (head[0] !== 1) throw new Unsupported(`object header version ${head[0]}`);
    const count = view.getUint16(2, true);
    const blocks: [number, number][] = [[address + 16, view.getUint32(8, true)]];
    const out: { type: number; data: Uint8Array }[] = [];
    for (let b = 0; b < blocks.length && b < 1000 && out.length < count; b++) {
      const [start, length] = blocks[b];
      const block = this.read(start, length);
      const bv = new DataView(block.buffer);
      let at = 0;
      while (at + 8 <= length && out.length < count) {
        const type = bv.getUint16(at, true);
        const size = bv.getUint16(at + 2, true);
        const data = block.subarray(at + 8, at + 8 + size);
        out.push({ type, data });
        if (type === 0x10) {
          const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
          blocks.push([
            this.#uint(dv, 0, this.#offsetSize),
            this.#uint(dv, this.#offsetSize, this.#lengthSize),
          ]);
        }
        at += 8 + size;
      }
    }
    return out;
  }

  /** The object header address of `name` in the symbol-table group whose header is at `group`. */
  #child(group: number, name: string): number {
    const table = this.#messages(group).find((m) => m.type === 0x11);
    if (!table) throw new Unsupported("group without a symbol table");
    const o = this.#offsetSize;
    const tv = new DataView(table.data.buffer, table.data.byteOffset, table.data.byteLength);
    const btree = this.#uint(tv, 0, o);
    const heap = this.#uint(tv, o, o);
    const heapHead = this.read(heap, 8 + 2 * this.#lengthSize + o);
    if (!this.#signatureIs(heapHead, "HEAP")) throw new Unsupported("bad local heap");
    const hv = new DataView(heapHead.buffer);
    const heapSize = this.#uint(hv, 8, this.#lengthSize);
    const heapData = this.read(this.#uint(hv, 8 + 2 * this.#lengthSize, o), heapSize);
    const wanted = new TextEncoder().encode(name);
    const nameAt = (offset: number): boolean => {
      for (let i = 0; i < wanted.length; i++) if (heapData[offset + i] !== wanted[i]) return false;
      return heapData[offset + wanted.length] === 0;
    };
    let found = -1;
    this.#walkBtree(btree, 0, (child) => {
      const node = this.read(child, 8);
      if (!this.#signatureIs(node, "SNOD")) throw new Unsupported("bad symbol table node");
      const symbols = new DataView(node.buffer).getUint16(6, true);
      const entrySize = 2 * o + 24;
      const entries = this.read(child + 8, symbols * entrySize);
      const ev = new DataView(entries.buffer);
      for (let i = 0; i < symbols; i++) {
        if (nameAt(this.#uint(ev, i * entrySize, o))) {
          found = this.#uint(ev, i * entrySize + o, o);
        }
      }
    });
    if (found < 0) throw new Unsupported(`no ${name}`);
    return found;
  }

  /** Calls `leaf` with every child address of a v1 B-tree's leaves, keys of `keySize` bytes. */
  #walkBtree(
    address: number,
    keySize: number,
    leaf: (child: number, key: DataView, depth: number) => void,
  ): void {
    const o = this.#offsetSize;
    const stack: number[] = [address];
    let visited = 0;
    while (stack.length > 0) {
      if (++visited > 10_000_000) throw new Unsupported("B-tree too large");
      const node = stack.pop() as number;
      const head = this.read(node, 8 + 2 * o);
      if (!this.#signatureIs(head, "TREE")) throw new Unsupported("bad B-tree node");
      const type = head[4];
      const level = head[5];
      const entries = new DataView(head.buffer).getUint16(6, true);
      const size = type === 0 ? this.#lengthSize : keySize;
      const body = this.read(node + 8 + 2 * o, entries * (size + o) + size);
      const bv = new DataView(body.buffer);
      const children: number[] = [];
      for (let i = 0; i < entries; i++) {
        const at = i * (size + o);
        const child = this.#uint(bv, at + size, o);
        if (level === 0) leaf(child, new DataView(body.buffer, at, size), 0);
        else children.push(child);
      }
      // Depth-first in key order: push in reverse so the leftmost child is visited first.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
  }

  /**
   * The chunks of the chunked dataset at `path`, in row order, when every chunk spans whole
   * rows (all trailing dimensions); `shape` is the dataset's shape.
   */
  chunks(path: string, shape: readonly number[]): { chunkRows: number; entries: ChunkEntry[] } {
    let header = this.#rootHeader;
    for (const part of path.split("/").filter((p) => p !== "")) header = this.#child(header, part);
    const layout = this.#messages(header).find((m) => m.type === 0x08);
    if (!layout) throw new Unsupported("no layout message");
    const data = layout.data;
    if (data[0] !== 3 || data[1] !== 2) throw new Unsupported("not a v3 chunked layout");
    // The layout counts one dimension more than the dataset: the element itself.
    const dims = data[2];
    if (dims !== shape.length + 1) throw new Unsupported("layout rank differs from the dataset's");
    const lv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const o = this.#offsetSize;
    const btree = this.#uint(lv, 3, o);
    const chunkDims: number[] = [];
    for (let d = 0; d < dims; d++) chunkDims.push(lv.getUint32(3 + o + 4 * d, true));
    for (let d = 1; d < shape.length; d++) {
      if (chunkDims[d] !== shape[d]) throw new Unsupported("chunks that split rows");
    }
    const chunkRows = chunkDims[0];
    const entries: ChunkEntry[] = [];
    if (btree < 0) return { chunkRows, entries };
    this.#walkBtree(btree, 8 + 8 * dims, (child, key) => {
      for (let d = 1; d < shape.length; d++) {
        if (key.getBigUint64(8 + 8 * d, true) !== 0n) throw new Unsupported("chunk off column 0");
      }
      entries.push({
        size: key.getUint32(0, true),
        filterMask: key.getUint32(4, true),
        firstRow: Number(key.getBigUint64(8, true)),
        address: child,
      });
    });
    entries.sort((a, b) => a.firstRow - b.firstRow);
    return { chunkRows, entries };
  }
}

/**
 * A chunked zlib/shuffle dataset read chunk by chunk straight from the file, inflated with the
 * native zlib. `open` returns null when the file's layout is one HDF5 must read itself.
 */
class DirectChunks {
  readonly chunkRows: number;
  readonly #entries: ChunkEntry[];
  readonly #handle: Deno.FsFile;
  readonly #reader: ChunkReader;
  readonly #file: Hdf5File;
  readonly #info: Hdf5DatasetInfo;
  readonly #shuffleAt: number;
  readonly #deflateAt: number;
  readonly #elementSize: number;
  readonly #elementsPerRow: number;
  #cached = -1;
  #cachedPlain: Uint8Array = new Uint8Array(0);

  private constructor(
    file: Hdf5File,
    info: Hdf5DatasetInfo,
    handle: Deno.FsFile,
    reader: ChunkReader,
    plan: { chunkRows: number; entries: ChunkEntry[] },
  ) {
    this.#file = file;
    this.#info = info;
    this.#handle = handle;
    this.#reader = reader;
    this.chunkRows = plan.chunkRows;
    this.#entries = plan.entries;
    this.#shuffleAt = info.filters.findIndex((f) => f.id === 2);
    this.#deflateAt = info.filters.findIndex((f) => f.id === 1);
    this.#elementSize = info.type.size;
    this.#elementsPerRow = info.rowBytes / info.type.size;
  }

  static open(file: Hdf5File, info: Hdf5DatasetInfo): DirectChunks | null {
    const filters = info.filters;
    if (info.chunks === null || info.shape === null || info.shape.length === 0) return null;
    if (!filters.every((f) => f.id === 1 || f.id === 2)) return null;
    const shuffleAt = filters.findIndex((f) => f.id === 2);
    const deflateAt = filters.findIndex((f) => f.id === 1);
    // Shuffle must come before deflate when writing (so after it when reading).
    if (shuffleAt >= 0 && deflateAt >= 0 && shuffleAt > deflateAt) return null;
    if (!Number.isInteger(info.rowBytes / info.type.size)) return null;
    let handle: Deno.FsFile;
    try {
      handle = Deno.openSync(file.path, { read: true });
    } catch {
      return null;
    }
    try {
      const reader = new ChunkReader(handle, handle.statSync().size);
      reader.superblock(file.superblockOffset);
      const plan = reader.chunks(info.path, info.shape);
      if (plan.chunkRows !== info.chunks[0] || plan.chunkRows <= 0) throw new Unsupported("chunks");
      // Every row must lie in exactly one stored chunk, else HDF5 supplies fill values.
      let expected = 0;
      for (const entry of plan.entries) {
        if (entry.firstRow !== expected) throw new Unsupported("missing chunks");
        expected += plan.chunkRows;
      }
      if (expected < info.shape[0]) throw new Unsupported("missing chunks");
      return new DirectChunks(file, info, handle, reader, plan);
    } catch (error) {
      handle.close();
      if (error instanceof Unsupported) return null;
      throw error;
    }
  }

  #damaged(what: string, cause?: unknown): InputError {
    return new InputError(
      `${this.#file.path}: cannot ${what} of ${this.#info.path}, the file is truncated or damaged`,
      { hint: "Download or copy the file again.", cause },
    );
  }

  /** The chunk holding row `firstRow + ...`, unfiltered except for shuffle; and whether shuffled. */
  chunk(index: number): { plain: Uint8Array; shuffled: boolean } {
    const entry = this.#entries[index];
    const shuffled = this.#shuffleAt >= 0 && (entry.filterMask & (1 << this.#shuffleAt)) === 0;
    if (this.#cached === index) return { plain: this.#cachedPlain, shuffled };
    const chunkBytes = this.chunkRows * this.#info.rowBytes;
    let stored: Uint8Array;
    try {
      stored = this.#reader.read(entry.address, entry.size);
    } catch (error) {
      if (error instanceof Unsupported) throw this.#damaged("read a chunk", error);
      throw error;
    }
    let plain = stored;
    if (this.#deflateAt >= 0 && (entry.filterMask & (1 << this.#deflateAt)) === 0) {
      try {
        // One output buffer of the chunk's size avoids zlib's 16 KiB pieces and their copy.
        plain = inflateSync(stored, { chunkSize: Math.max(chunkBytes + 64, 16384) });
      } catch (error) {
        throw this.#damaged("inflate a chunk", error);
      }
    }
    if (plain.length < chunkBytes) throw this.#damaged("read a short chunk");
    this.#cached = index;
    this.#cachedPlain = plain;
    return { plain, shuffled };
  }

  /** Copies bytes [from, from + size) of row `row` of a chunk into `out` at `outAt`. */
  copy(
    chunk: { plain: Uint8Array; shuffled: boolean },
    row: number,
    from: number,
    size: number,
    out: Uint8Array,
    outAt: number,
  ): void {
    const plain = chunk.plain;
    if (!chunk.shuffled) {
      const at = row * this.#info.rowBytes + from;
      out.set(plain.subarray(at, at + size), outAt);
      return;
    }
    // Shuffle stores byte b of element e at b * elements + e.
    const es = this.#elementSize;
    const elements = this.chunkRows * this.#elementsPerRow;
    const first = row * this.#elementsPerRow;
    for (let x = 0; x < size; x++) {
      const byte = from + x;
      const element = first + Math.floor(byte / es);
      out[outAt + x] = plain[(byte % es) * elements + element];
    }
  }

  /** Copies bytes [from, from + size) of rows [0, rows) of a chunk into `out`, row after row. */
  copyRows(
    chunk: { plain: Uint8Array; shuffled: boolean },
    rows: number,
    from: number,
    size: number,
    out: Uint8Array,
  ): void {
    if (!chunk.shuffled || this.#elementsPerRow !== 1) {
      for (let r = 0; r < rows; r++) this.copy(chunk, r, from, size, out, r * size);
      return;
    }
    // One element per row: walk each byte plane once, the cache-friendly order.
    const plain = chunk.plain;
    const n = this.chunkRows;
    for (let b = 0; b < size; b++) {
      const plane = (from + b) * n;
      for (let r = 0; r < rows; r++) out[r * size + b] = plain[plane + r];
    }
  }

  close(): void {
    this.#handle.close();
  }
}

/** A byte range within each row of a dataset (a compound member, or part of one). */
export interface RowField {
  readonly offset: number;
  readonly size: number;
}

/**
 * Reads the bytes of one field of every row of a dataset, window by window: `use` gets
 * `rows` × `field.size` bytes (row after row, valid during the call) for rows
 * [firstRow, firstRow + rows). Zlib/shuffle chunks are inflated natively when the file's layout
 * allows, else HDF5 reads windows of about `windowRows` rows.
 */
export function scanField(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  field: RowField,
  use: (bytes: Uint8Array, firstRow: number, rows: number) => void,
  options: { windowRows?: number } = {},
): void {
  const total = info.shape?.[0] ?? 0;
  const direct = DirectChunks.open(file, info);
  if (direct) {
    try {
      const n = direct.chunkRows;
      const out = new Uint8Array(n * field.size);
      for (let c = 0, first = 0; first < total; c++, first += n) {
        const rows = Math.min(n, total - first);
        direct.copyRows(direct.chunk(c), rows, field.offset, field.size, out);
        use(out.subarray(0, rows * field.size), first, rows);
      }
    } finally {
      direct.close();
    }
    return;
  }
  const chunkRows = info.chunks?.[0] ?? 1;
  const wanted = options.windowRows ?? 65536;
  const window = Math.max(chunkRows, Math.floor(wanted / chunkRows) * chunkRows);
  const out = new Uint8Array(Math.min(window, total) * field.size);
  for (let start = 0; start < total; start += window) {
    const end = Math.min(total, start + window);
    file.withRows(info, start, end, (bytes) => {
      for (let r = 0; r < end - start; r++) {
        const at = r * info.rowBytes + field.offset;
        out.set(bytes.subarray(at, at + field.size), r * field.size);
      }
    });
    use(out.subarray(0, (end - start) * field.size), start, end - start);
  }
}

/** The most rows HDF5 reads at once when gathering scattered rows. */
const MAX_RUN_ROWS = 65536;

/**
 * Reads the given rows (sorted ascending, repeats allowed) of a dataset and calls
 * `visit(bytes, at, k)` with the raw bytes of `rows[k]` at `bytes[at..at + rowBytes)`, valid
 * during the call. Reads each needed chunk once: natively inflated when the layout allows, else
 * through HDF5 in runs of nearby rows.
 */
export function gatherRows(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  rows: Uint32Array,
  visit: (bytes: Uint8Array, at: number, k: number) => void,
): void {
  const n = rows.length;
  if (n === 0) return;
  const total = info.shape?.[0] ?? 0;
  if (rows[n - 1] >= total) throw new RangeError(`row ${rows[n - 1]} outside ${info.path}`);
  const direct = DirectChunks.open(file, info);
  if (direct) {
    try {
      const rowBuffer = new Uint8Array(info.rowBytes);
      const per = direct.chunkRows;
      for (let k = 0; k < n; k++) {
        const c = Math.floor(rows[k] / per);
        const chunk = direct.chunk(c);
        if (!chunk.shuffled) visit(chunk.plain, (rows[k] - c * per) * info.rowBytes, k);
        else {
          direct.copy(chunk, rows[k] - c * per, 0, info.rowBytes, rowBuffer, 0);
          visit(rowBuffer, 0, k);
        }
      }
    } finally {
      direct.close();
    }
    return;
  }
  const gap = Math.max(info.chunks?.[0] ?? 0, 64);
  let i = 0;
  while (i < n) {
    const start = rows[i];
    let j = i + 1;
    while (j < n && rows[j] - rows[j - 1] <= gap && rows[j] - start < MAX_RUN_ROWS) j++;
    const end = rows[j - 1] + 1;
    file.withRows(info, start, end, (bytes) => {
      for (let k = i; k < j; k++) visit(bytes, (rows[k] - start) * info.rowBytes, k);
    });
    i = j;
  }
}
