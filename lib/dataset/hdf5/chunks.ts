/**
 * A native path to the raw chunks of a chunked HDF5 dataset: just enough of the HDF5 file format
 * (superblock 0/1, version-1 object headers, symbol-table groups, version-3 chunked layouts with a
 * version-1 B-tree chunk index) to find every chunk, and node:zlib to decode them. Files outside
 * that subset get `null` from `readChunkIndex`, so callers fall back to h5wasm.
 * @module
 */

import { inflateSync } from "node:zlib";
import { InputError } from "../../errors.ts";
import { readSyncAt } from "../_read_at.ts";
import { CODEC_FILTERS, FILTER_LZO, type FilterDecoder, loadFilterCodecs } from "./_codecs.ts";
import { HDF5_SIGNATURE_BYTES, isHdf5Signature, superblockOffsets } from "./signature.ts";

/** One filter of a dataset's filter pipeline, in pipeline (write) order. */
export interface ChunkFilter {
  readonly id: number;
  readonly name: string;
  readonly clientData: readonly number[];
}

/** One stored chunk: where it starts in the dataset and where its bytes are in the file. */
export interface ChunkLocation {
  /** The first element (row) of the dataset the chunk holds. */
  readonly start: number;
  /** Byte address of the stored (filtered) chunk in the file. */
  readonly address: number;
  /** Bytes the stored (filtered) chunk takes in the file. */
  readonly size: number;
  /** Bit i set: filter i of the pipeline was skipped for this chunk. */
  readonly filterMask: number;
}

/** Where each chunk of a chunked dataset lives in the file, and how its chunks are filtered. */
export interface ChunkIndex {
  /** Bytes per element of the dataset's datatype (a table's row; one cell of an N-D array). */
  readonly elementSize: number;
  /** The dataspace's dimensions, e.g. [1620000]. */
  readonly shape: readonly number[];
  /** Elements per chunk along each dimension, e.g. [784]. */
  readonly chunkShape: readonly number[];
  /** The filter pipeline, in pipeline order. */
  readonly filters: readonly ChunkFilter[];
  /** The stored chunks, sorted by `start`; chunks never written are absent (they read as fill). */
  readonly chunks: readonly ChunkLocation[];
  /**
   * For a variable-length (vlen) dataset, whose elements point into global heaps: the sizes and
   * base address those pointers use (see `readVlenRows`).
   */
  readonly heap?: {
    readonly offsetSize: number;
    readonly lengthSize: number;
    readonly base: number;
  };
}

/** Options of `readChunks`. */
export interface ReadChunksOptions {
  /**
   * Decoding threads, this one included: 1 decodes on this thread only, n adds n - 1 workers
   * (each inflates on a core of its own) for many deflated chunks. Default: one fewer than the CPU
   * count, at most 8, so 2 cores decode on this thread only (measured faster there: a worker loads
   * node:zlib for 70-300 ms and the cores are shared).
   */
  concurrency?: number;
}

const FILTER_DEFLATE = 1;
const FILTER_SHUFFLE = 2;
const FILTER_FLETCHER32 = 3;

/** Names of the filters HDF5 files commonly carry, for messages and for pipelines without names. */
const FILTER_NAMES: Readonly<Record<number, string>> = {
  1: "deflate",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
  305: "lzo",
  307: "bzip2",
  32000: "lzf",
  32001: "blosc",
  32004: "lz4",
  32008: "bitshuffle",
  32015: "zstd",
  32026: "blosc2",
};

// Object header message types this reader looks at.
const MSG_DATASPACE = 0x0001;
const MSG_LINK_INFO = 0x0002;
const MSG_DATATYPE = 0x0003;
const MSG_LINK = 0x0006;
const MSG_EXTERNAL_FILES = 0x0007;
const MSG_LAYOUT = 0x0008;
const MSG_FILTER_PIPELINE = 0x000b;
const MSG_CONTINUATION = 0x0010;
const MSG_SYMBOL_TABLE = 0x0011;

// Bounds on every walk, so a corrupt or hostile file cannot loop us forever.
const MAX_HEADER_BLOCKS = 1024;
const MAX_BTREE_DEPTH = 64;
const MAX_PATH_DEPTH = 256;

/** Raised inside the parser for anything outside the supported subset; `readChunkIndex` maps it to null. */
class Unsupported extends Error {}

/** One object header message: its type, flags and bytes. */
interface HeaderMessage {
  readonly type: number;
  readonly flags: number;
  readonly data: DataView;
}

/** Little-endian reads of the file's metadata, with the superblock's offset and length sizes. */
class MetadataReader {
  readonly #file: Deno.FsFile;
  readonly #fileSize: number;
  base = 0;
  offsetSize = 8;
  lengthSize = 8;

  constructor(file: Deno.FsFile, fileSize: number) {
    this.#file = file;
    this.#fileSize = fileSize;
  }

  /** `length` bytes at absolute file position `position`. */
  bytesAt(position: number, length: number): Uint8Array {
    if (position < 0 || length < 0 || position + length > this.#fileSize) {
      throw new Unsupported(`read of ${length} bytes at ${position} is outside the file`);
    }
    return readFully(this.#file, position, length);
  }

  /** `length` bytes at file address `address` (relative to the base address). */
  view(address: number, length: number): DataView {
    const bytes = this.bytesAt(this.base + address, length);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** An unsigned integer of `size` bytes; null for the undefined address (all bits set). */
  uint(view: DataView, position: number, size: number): number | null {
    let value = 0;
    let allSet = true;
    for (let i = size - 1; i >= 0; i--) {
      const byte = view.getUint8(position + i);
      if (byte !== 0xff) allSet = false;
      value = value * 256 + byte;
    }
    if (allSet) return null;
    if (!Number.isSafeInteger(value)) throw new Unsupported("address beyond 2^53");
    return value;
  }

  /** A file address field; throws Unsupported for the undefined address. */
  address(view: DataView, position: number): number {
    const value = this.uint(view, position, this.offsetSize);
    if (value === null) throw new Unsupported("undefined address");
    return value;
  }

  /** A length field. */
  length(view: DataView, position: number): number {
    const value = this.uint(view, position, this.lengthSize);
    if (value === null) throw new Unsupported("undefined length");
    return value;
  }
}

/** Reads exactly `length` bytes at `position` of `file`, synchronously (seek and read cannot interleave). */
function readFully(
  file: Deno.FsFile,
  position: number,
  length: number,
  into: ArrayBuffer = new ArrayBuffer(length),
): Uint8Array<ArrayBuffer> {
  const { bytes, filled } = readSyncAt(file, position, length, into);
  if (filled < length) {
    throw new InputError(`the HDF5 file ends ${length - filled} bytes early at byte ${position}`, {
      hint: "the file is truncated; download or copy it again",
    });
  }
  return bytes;
}

function hasSignature(bytes: Uint8Array, signature: string): boolean {
  for (let i = 0; i < signature.length; i++) {
    if (bytes[i] !== signature.charCodeAt(i)) return false;
  }
  return true;
}

/** Finds the superblock and returns the root group's object header address. */
function readSuperblock(reader: MetadataReader, fileSize: number): number {
  for (const position of superblockOffsets(fileSize)) {
    if (!isHdf5Signature(reader.bytesAt(position, HDF5_SIGNATURE_BYTES))) continue;
    const fixed = reader.bytesAt(position, Math.min(24, fileSize - position));
    const version = fixed[8];
    if (version !== 0 && version !== 1) throw new Unsupported(`superblock version ${version}`);
    reader.offsetSize = fixed[13];
    reader.lengthSize = fixed[14];
    if (![2, 4, 8].includes(reader.offsetSize) || ![2, 4, 8].includes(reader.lengthSize)) {
      throw new Unsupported("unusual offset or length size");
    }
    const o = reader.offsetSize;
    // Version 1 adds the indexed storage internal K and two reserved bytes.
    const addressesAt = position + (version === 0 ? 24 : 28);
    const rest = reader.bytesAt(addressesAt, 4 * o + 2 * o + 24);
    const view = new DataView(rest.buffer);
    const base = reader.uint(view, 0, o) ?? 0;
    reader.base = base;
    // The root group's symbol table entry: link name offset, object header address, ...
    return reader.address(view, 4 * o + o);
  }
  throw new Unsupported("no HDF5 signature");
}

/** The messages of the version-1 object header at `address`, continuation blocks included. */
function readObjectHeader(reader: MetadataReader, address: number): HeaderMessage[] {
  const prefix = reader.view(address, 16);
  const version = prefix.getUint8(0);
  if (version !== 1) throw new Unsupported(`object header version ${version}`);
  const count = prefix.getUint16(2, true);
  const blocks: [number, number][] = [[address + 16, prefix.getUint32(8, true)]];
  const messages: HeaderMessage[] = [];
  for (let b = 0; b < blocks.length && messages.length < count; b++) {
    if (b >= MAX_HEADER_BLOCKS) throw new Unsupported("too many object header blocks");
    const [blockAddress, blockSize] = blocks[b];
    const block = reader.view(blockAddress, blockSize);
    let position = 0;
    while (position + 8 <= blockSize && messages.length < count) {
      const type = block.getUint16(position, true);
      const size = block.getUint16(position + 2, true);
      const flags = block.getUint8(position + 4);
      if (position + 8 + size > blockSize) {
        throw new Unsupported("header message overruns its block");
      }
      const data = new DataView(block.buffer, block.byteOffset + position + 8, size);
      messages.push({ type, flags, data });
      if (type === MSG_CONTINUATION) {
        const o = reader.offsetSize;
        blocks.push([reader.address(data, 0), reader.length(data, o)]);
      }
      position += 8 + size;
    }
  }
  return messages;
}

/** The object header address of the member `name` of the symbol-table group with these messages. */
function findGroupMember(
  reader: MetadataReader,
  messages: readonly HeaderMessage[],
  name: string,
): number | null {
  const table = messages.find((message) => message.type === MSG_SYMBOL_TABLE);
  if (table === undefined) {
    if (messages.some((m) => m.type === MSG_LINK || m.type === MSG_LINK_INFO)) {
      throw new Unsupported("new-style (link message) group");
    }
    return null;
  }
  const o = reader.offsetSize;
  const btreeAddress = reader.address(table.data, 0);
  const heapAddress = reader.address(table.data, o);
  const names = readLocalHeap(reader, heapAddress);
  const wanted = new TextEncoder().encode(name);
  let found: number | null = null;
  walkBtree(reader, btreeAddress, 0, 0, (_keys, childAddress) => {
    const entries = readSymbolNode(reader, childAddress);
    for (const entry of entries) {
      if (found === null && heapStringEquals(names, entry.nameOffset, wanted)) {
        if (entry.cacheType === 2) throw new Unsupported("soft link");
        found = entry.headerAddress;
      }
    }
  });
  return found;
}

/** The data segment of the local heap at `address` (group member names live there). */
function readLocalHeap(reader: MetadataReader, address: number): Uint8Array {
  const l = reader.lengthSize;
  const header = reader.view(address, 8 + 2 * l + reader.offsetSize);
  if (!hasSignature(new Uint8Array(header.buffer, header.byteOffset, 4), "HEAP")) {
    throw new Unsupported("local heap signature missing");
  }
  const size = reader.length(header, 8);
  const dataAddress = reader.address(header, 8 + 2 * l);
  const data = reader.view(dataAddress, size);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function heapStringEquals(heap: Uint8Array, offset: number, wanted: Uint8Array): boolean {
  if (offset + wanted.length >= heap.length) return false;
  for (let i = 0; i < wanted.length; i++) {
    if (heap[offset + i] !== wanted[i]) return false;
  }
  return heap[offset + wanted.length] === 0;
}

/** The entries of the symbol table node (SNOD) at `address`. */
function readSymbolNode(
  reader: MetadataReader,
  address: number,
): { nameOffset: number; headerAddress: number; cacheType: number }[] {
  const o = reader.offsetSize;
  const head = reader.view(address, 8);
  if (!hasSignature(new Uint8Array(head.buffer, head.byteOffset, 4), "SNOD")) {
    throw new Unsupported("symbol table node signature missing");
  }
  const count = head.getUint16(6, true);
  const entrySize = 2 * o + 24;
  const body = reader.view(address + 8, count * entrySize);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const nameOffset = reader.uint(body, at, o) ?? -1;
    const headerAddress = reader.uint(body, at + o, o) ?? -1;
    const cacheType = body.getUint32(at + 2 * o, true);
    entries.push({ nameOffset, headerAddress, cacheType });
  }
  return entries;
}

/**
 * Walks the version-1 B-tree of `nodeType` at `address` down to its leaves and calls `visit` with
 * each leaf entry's key (the key before the child) and child address, in key order.
 * `keySize` is the size of a key (0 for group nodes: the length size is used).
 */
function walkBtree(
  reader: MetadataReader,
  address: number,
  nodeType: number,
  keySize: number,
  visit: (key: DataView, childAddress: number) => void,
): void {
  const o = reader.offsetSize;
  const size = nodeType === 0 ? reader.lengthSize : keySize;
  const seen = new Set<number>();
  const visitNode = (nodeAddress: number, depth: number, expectedLevel: number | null): void => {
    if (depth > MAX_BTREE_DEPTH) throw new Unsupported("B-tree too deep");
    if (seen.has(nodeAddress)) throw new Unsupported("B-tree node reached twice");
    seen.add(nodeAddress);
    const headSize = 8 + 2 * o;
    const head = reader.view(nodeAddress, headSize);
    if (!hasSignature(new Uint8Array(head.buffer, head.byteOffset, 4), "TREE")) {
      throw new Unsupported("B-tree node signature missing");
    }
    if (head.getUint8(4) !== nodeType) throw new Unsupported("B-tree node of another type");
    const level = head.getUint8(5);
    if (expectedLevel !== null && level !== expectedLevel) {
      throw new Unsupported("B-tree levels inconsistent");
    }
    const entries = head.getUint16(6, true);
    const body = reader.view(nodeAddress + headSize, entries * (size + o) + size);
    for (let i = 0; i < entries; i++) {
      const at = i * (size + o);
      const key = new DataView(body.buffer, body.byteOffset + at, size);
      const child = reader.address(body, at + size);
      if (level === 0) visit(key, child);
      else visitNode(child, depth + 1, level - 1);
    }
  };
  visitNode(address, 0, null);
}

/** The dataspace dimensions of a dataspace message; Unsupported for scalar and null dataspaces. */
function parseDataspace(reader: MetadataReader, data: DataView): number[] {
  const version = data.getUint8(0);
  const rank = data.getUint8(1);
  let position: number;
  if (version === 1) position = 8;
  else if (version === 2) {
    if (data.getUint8(3) !== 1) throw new Unsupported("scalar or null dataspace");
    position = 4;
  } else throw new Unsupported(`dataspace message version ${version}`);
  if (rank === 0) throw new Unsupported("scalar dataspace");
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(reader.length(data, position + i * reader.lengthSize));
  return dims;
}

/** The filters of a filter pipeline message, in pipeline order. */
function parseFilterPipeline(data: DataView): ChunkFilter[] {
  const version = data.getUint8(0);
  const count = data.getUint8(1);
  const filters: ChunkFilter[] = [];
  let position = version === 1 ? 8 : 2;
  if (version !== 1 && version !== 2) throw new Unsupported(`filter pipeline version ${version}`);
  for (let f = 0; f < count; f++) {
    const id = data.getUint16(position, true);
    position += 2;
    let nameLength = 0;
    if (version === 1 || id >= 256) {
      nameLength = data.getUint16(position, true);
      position += 2;
    }
    position += 2; // flags
    const values = data.getUint16(position, true);
    position += 2;
    let name = "";
    if (nameLength > 0) {
      const bytes = new Uint8Array(data.buffer, data.byteOffset + position, nameLength);
      const end = bytes.indexOf(0);
      name = new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
      position += version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength;
    }
    const clientData: number[] = [];
    for (let i = 0; i < values; i++) clientData.push(data.getUint32(position + 4 * i, true));
    position += 4 * values;
    if (version === 1 && values % 2 === 1) position += 4;
    filters.push({ id, name: FILTER_NAMES[id] ?? (name || `filter ${id}`), clientData });
  }
  return filters;
}

/** Reads a chunked dataset's description and chunk index; throws Unsupported outside the subset. */
function readIndex(
  reader: MetadataReader,
  fileSize: number,
  datasetPath: string,
  vlen: boolean,
): ChunkIndex | null {
  let headerAddress = readSuperblock(reader, fileSize);
  const parts = datasetPath.split("/").filter((part) => part.length > 0);
  if (parts.length > MAX_PATH_DEPTH) throw new Unsupported("path too deep");
  let messages = readObjectHeader(reader, headerAddress);
  for (const part of parts) {
    const member = findGroupMember(reader, messages, part);
    if (member === null || member < 0) return null;
    headerAddress = member;
    messages = readObjectHeader(reader, headerAddress);
  }
  const only = (type: number): HeaderMessage | undefined => {
    const found = messages.filter((message) => message.type === type);
    if (found.length > 1) throw new Unsupported(`several messages of type ${type}`);
    if (found[0] !== undefined && (found[0].flags & 0x02) !== 0) {
      throw new Unsupported(`shared message of type ${type}`);
    }
    return found[0];
  };
  const dataspace = only(MSG_DATASPACE);
  const datatype = only(MSG_DATATYPE);
  const layout = only(MSG_LAYOUT);
  if (dataspace === undefined || datatype === undefined || layout === undefined) return null;
  if (only(MSG_EXTERNAL_FILES) !== undefined) throw new Unsupported("external data files");
  const shape = parseDataspace(reader, dataspace.data);
  // Variable-length data and references are pointers into the file, not values: no raw bytes to give.
  const typeClass = datatype.data.getUint8(0) & 0x0f;
  if (typeClass === 7 || (typeClass === 9 && !vlen)) {
    throw new Unsupported(`datatype class ${typeClass}`);
  }
  const elementSize = datatype.data.getUint32(4, true);
  const pipeline = only(MSG_FILTER_PIPELINE);
  const filters = pipeline === undefined ? [] : parseFilterPipeline(pipeline.data);

  const layoutVersion = layout.data.getUint8(0);
  if (layoutVersion !== 3) throw new Unsupported(`layout message version ${layoutVersion}`);
  if (layout.data.getUint8(1) !== 2) throw new Unsupported("not a chunked layout");
  const dimensionality = layout.data.getUint8(2);
  if (dimensionality !== shape.length + 1) {
    throw new Unsupported("chunk rank differs from dataset rank");
  }
  const btreeAddress = reader.uint(layout.data, 3, reader.offsetSize);
  const chunkShape: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    chunkShape.push(layout.data.getUint32(3 + reader.offsetSize + 4 * i, true));
  }
  const chunkElementSize = layout.data.getUint32(3 + reader.offsetSize + 4 * shape.length, true);
  if (chunkElementSize !== elementSize || elementSize === 0) {
    throw new Unsupported("chunk element size differs from the datatype's");
  }
  if (chunkShape.some((extent) => extent === 0)) throw new Unsupported("empty chunk dimension");
  // N-D: only chunks spanning every trailing dimension, so a chunk is a run of whole rows.
  for (let i = 1; i < shape.length; i++) {
    if (chunkShape[i] !== shape[i]) throw new Unsupported("chunks split trailing dimensions");
  }

  const chunks: ChunkLocation[] = [];
  if (btreeAddress !== null) {
    const keySize = 8 + 8 * dimensionality;
    walkBtree(reader, btreeAddress, 1, keySize, (key, childAddress) => {
      const size = key.getUint32(0, true);
      const filterMask = key.getUint32(4, true);
      const start = reader.uint(key, 8, 8);
      if (start === null) throw new Unsupported("chunk offset out of range");
      for (let i = 1; i < dimensionality; i++) {
        if (key.getBigUint64(8 + 8 * i, true) !== 0n) {
          throw new Unsupported("chunk offset in a trailing dimension");
        }
      }
      if (start % chunkShape[0] !== 0) throw new Unsupported("chunk offset off the chunk grid");
      chunks.push({ start, address: reader.base + childAddress, size, filterMask });
    });
  }
  chunks.sort((a, b) => a.start - b.start);
  const index: ChunkIndex = { elementSize, shape, chunkShape, filters, chunks };
  if (typeClass !== 9) return index;
  const { offsetSize, lengthSize, base } = reader;
  if (elementSize !== 4 + offsetSize + 4) throw new Unsupported("vlen element of an odd size");
  return { ...index, heap: { offsetSize, lengthSize, base } };
}

/** Where each chunk of a chunked dataset lives in the file, read without h5wasm; null for layouts outside the supported subset. */
export async function readChunkIndex(
  path: string,
  datasetPath: string,
  options: { vlen?: boolean } = {},
): Promise<ChunkIndex | null> {
  const file = await openFile(path);
  try {
    const fileSize = (await file.stat()).size;
    const reader = new MetadataReader(file, fileSize);
    try {
      return readIndex(reader, fileSize, datasetPath, options.vlen === true);
    } catch (error) {
      if (error instanceof Unsupported || error instanceof RangeError) return null;
      throw inFile(path, error);
    }
  } finally {
    file.close();
  }
}

async function openFile(path: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${path}: no such file`, { hint: "check the path", cause: error });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new InputError(`${path}: permission denied`, {
        hint: "make the file readable, or grant --allow-read for it",
        cause: error,
      });
    }
    throw error;
  }
}

/** Bytes a decoded chunk of `index` takes: every element of the chunk shape. */
function chunkBytes(index: ChunkIndex): number {
  return index.chunkShape.reduce((product, extent) => product * extent, index.elementSize);
}

/** Throws InputError when a filter that this chunk went through cannot be decoded here. */
function checkFilters(index: ChunkIndex, filterMask: number): void {
  index.filters.forEach((filter, i) => {
    if (i < 32 && (filterMask & (1 << i)) !== 0) return;
    if ([FILTER_DEFLATE, FILTER_SHUFFLE, FILTER_FLETCHER32].includes(filter.id)) return;
    if (CODEC_FILTERS.has(filter.id)) return;
    throw unreadableFilter(filter);
  });
}

/** The InputError for a filter no decoder here knows (lzo, szip, ...), naming it. */
export function unreadableFilter(filter: { id: number; name: string }): InputError {
  const name = FILTER_NAMES[filter.id] ?? filter.name;
  const why = filter.id === FILTER_LZO ? " (no maintained JavaScript decoder of lzo exists)" : "";
  return new InputError(
    `the dataset is compressed with ${name} (HDF5 filter ${filter.id}), which mlids cannot decode${why}`,
    {
      hint:
        're-save it with zlib or blosc: df.to_hdf(path, key, format="table", complib="blosc:lz4")',
    },
  );
}

// The functions from here to `decodeStored` also run inside decoding workers, whose source is
// built from their text (see `workerSource`): they may use only their arguments, each other and
// globals, so filter ids are literals there.

/** A reusable work buffer, grown on demand (one per thread). */
interface Scratch {
  bytes: Uint8Array;
}

/**
 * Reverses HDF5's byte shuffle in place (byte b of element j was stored at b * count + j): copies
 * the chunk to `scratch` and permutes it back, so no chunk-sized buffer becomes garbage.
 */
function unshuffle(data: Uint8Array, elementSize: number, scratch: Scratch): Uint8Array {
  const count = Math.floor(data.length / elementSize);
  if (elementSize <= 1 || count <= 1) return data;
  const used = count * elementSize; // bytes beyond the last whole element were stored as they were
  if (scratch.bytes.length < used) scratch.bytes = new Uint8Array(used);
  const source = scratch.bytes;
  source.set(data.subarray(0, used));
  const out = data;
  if (count % 4 === 0) {
    // Four elements' bytes per 32-bit read: a quarter of the reads of the byte loop.
    const words = new Uint32Array(source.buffer, 0, used >>> 2);
    const stride2 = elementSize * 2;
    const stride3 = elementSize * 3;
    const stride4 = elementSize * 4;
    const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    for (let b = 0; b < elementSize; b++) {
      let from = (b * count) >>> 2;
      let to = b;
      for (let j = 0; j < count; j += 4) {
        const word = words[from++];
        if (little) {
          out[to] = word;
          out[to + elementSize] = word >>> 8;
          out[to + stride2] = word >>> 16;
          out[to + stride3] = word >>> 24;
        } else {
          out[to] = word >>> 24;
          out[to + elementSize] = word >>> 16;
          out[to + stride2] = word >>> 8;
          out[to + stride3] = word;
        }
        to += stride4;
      }
    }
  } else {
    for (let b = 0; b < elementSize; b++) {
      const from = b * count;
      let to = b;
      for (let j = 0; j < count; j++) {
        out[to] = source[from + j];
        to += elementSize;
      }
    }
  }
  return out;
}

/** HDF5's Fletcher-32 checksum (H5_checksum_fletcher32): 16-bit big-endian words, 360 at a time. */
function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = data.length >>> 1;
  let position = 0;
  while (words > 0) {
    const run = Math.min(words, 360);
    words -= run;
    for (let i = 0; i < run; i++) {
      sum1 += (data[position] << 8) | data[position + 1];
      position += 2;
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length % 2 === 1) {
    sum1 += data[position] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

/** The chunk without its trailing Fletcher-32 checksum, which must match. */
function stripFletcher32(data: Uint8Array): Uint8Array {
  if (data.length < 4) throw new Error("is too short for its Fletcher-32 checksum");
  const body = data.subarray(0, data.length - 4);
  const t = data.subarray(data.length - 4);
  const stored = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
  const computed = fletcher32(body);
  // HDF5 before 1.6.3 wrote the checksum's bytes swapped within each half; HDF5 accepts both.
  const swapped = (((computed & 0x00ff00ff) << 8) | ((computed >>> 8) & 0x00ff00ff)) >>> 0;
  if (stored !== computed && stored !== swapped) throw new Error("fails its Fletcher-32 checksum");
  return body;
}

/**
 * Undoes the filter pipeline (in reverse order) on a stored chunk; `inflate` decompresses to at
 * most `expected` bytes, `codecs` decode the other compressors (blosc, bzip2, lzf). Throws a plain
 * Error whose message completes "the HDF5 chunk at byte N ...".
 */
async function decodeStored(
  stored: Uint8Array,
  filterIds: readonly number[],
  shuffleSizes: readonly number[],
  filterMask: number,
  expected: number,
  inflate: (data: Uint8Array, expected: number) => Uint8Array,
  scratch: Scratch,
  codecs: ReadonlyMap<number, (data: Uint8Array, expected: number) => Promise<Uint8Array>> | null,
): Promise<Uint8Array> {
  let data = stored;
  for (let i = filterIds.length - 1; i >= 0; i--) {
    if (i < 32 && (filterMask & (1 << i)) !== 0) continue;
    const id = filterIds[i];
    if (id === 3) data = stripFletcher32(data);
    else if (id === 1) data = inflate(data, expected);
    else if (id === 2) data = unshuffle(data, shuffleSizes[i], scratch);
    else {
      const codec = codecs?.get(id);
      if (codec === undefined) throw new Error(`needs HDF5 filter ${id}`);
      data = await codec(data, expected);
    }
  }
  if (data.length !== expected) throw new Error(`decodes to ${data.length} bytes, not ${expected}`);
  return data;
}

/**
 * Inflates zlib data expected to hold about `expected` bytes (a checksum filter may add a few), in
 * a buffer of its own (safe to transfer); refuses to grow far beyond that.
 */
function inflateExact(data: Uint8Array, expected: number): Uint8Array {
  let out: Uint8Array;
  try {
    // One output chunk of the expected size: far faster than growing 16 KiB chunks.
    out = inflateSync(data, {
      chunkSize: Math.max(64, expected + 64),
      maxOutputLength: expected + 4096,
    });
  } catch (error) {
    throw new Error(`does not inflate (${error instanceof Error ? error.message : String(error)})`);
  }
  // A small result may sit in Buffer's shared pool, which must not be handed on (or transferred).
  return out.byteOffset === 0 && out.buffer.byteLength - out.byteLength <= 4096
    ? new Uint8Array(out.buffer, 0, out.byteLength)
    : new Uint8Array(out);
}

/** How to decode a dataset's chunks, as plain data a worker can receive. */
interface DecodePlan {
  readonly filterIds: number[];
  /** The shuffle filter's element size at its position, 0 elsewhere; 1 leaves a shuffle undone. */
  readonly shuffleSizes: number[];
  readonly expected: number;
}

/**
 * The plan for `index`'s chunks. With `keepShuffle`, a shuffle applied first of all (as HDF5 and
 * PyTables always place it) is left undone, for callers that gather bytes from the byte planes.
 */
function decodePlan(index: ChunkIndex, keepShuffle = false): DecodePlan {
  return {
    filterIds: index.filters.map((filter) => filter.id),
    shuffleSizes: index.filters.map((filter, i) =>
      filter.id !== FILTER_SHUFFLE
        ? 0
        : keepShuffle && i === 0
        ? 1
        : filter.clientData[0] ?? index.elementSize
    ),
    expected: chunkBytes(index),
  };
}

const mainScratch: Scratch = { bytes: new Uint8Array(0) };

/** Reads chunk `chunk` of `index` from `file` and decodes it on this thread. */
async function readAndDecode(
  file: Deno.FsFile,
  index: ChunkIndex,
  chunk: number,
  plan: DecodePlan = decodePlan(index),
  codecs: ReadonlyMap<number, FilterDecoder> | null = null,
): Promise<Uint8Array> {
  const location = index.chunks[chunk];
  if (location === undefined) {
    throw new RangeError(`no chunk ${chunk}: the dataset has ${index.chunks.length} chunks`);
  }
  checkFilters(index, location.filterMask);
  const stored = readFully(file, location.address, location.size);
  try {
    return await decodeStored(
      stored,
      plan.filterIds,
      plan.shuffleSizes,
      location.filterMask,
      plan.expected,
      inflateExact,
      mainScratch,
      codecs ?? await loadFilterCodecs(plan.filterIds),
    );
  } catch (error) {
    throw damagedChunk(location, error);
  }
}

function damagedChunk(location: ChunkLocation, error: unknown): InputError {
  const detail = error instanceof Error ? error.message : String(error);
  return new InputError(`the HDF5 chunk at byte ${location.address} ${detail}`, {
    hint: "the file is damaged; download or copy it again",
    cause: error,
  });
}

/** Reads and decodes one chunk (every filter of `_codecs.ts`, inflate via node:zlib, unshuffle) into its raw element bytes (chunkShape * elementSize, even for the last partial chunk — the caller clips); throws InputError for unsupported filters (names them). */
export function readChunk(
  file: Deno.FsFile,
  index: ChunkIndex,
  chunk: number,
): Promise<Uint8Array> {
  return readAndDecode(file, index, chunk);
}

// Below this many deflated chunks, starting a worker (30-300 ms: it loads node:zlib) costs more
// than it saves.
const WORKER_MIN_CHUNKS = 48;
const MAX_THREADS = 8;
/** Chunks queued on each worker: one decoding, one read and waiting. */
const JOBS_PER_WORKER = 2;
/** In-order reads hold at most this many decoded chunks waiting for an earlier one. */
const ORDER_SLACK = 8;

/** The source of a decoding worker: the decode functions above, by their text, and a message loop. */
function workerSource(): string {
  return [
    'import { inflateSync } from "node:zlib";',
    unshuffle,
    fletcher32,
    stripFletcher32,
    decodeStored,
    inflateExact,
    `let plan;
const scratch = { bytes: new Uint8Array(0) };
self.onmessage = async ({ data: message }) => {
  if (message.plan !== undefined) {
    plan = message.plan;
    return;
  }
  const { id, stored, filterMask } = message;
  try {
    let bytes = await decodeStored(stored, plan.filterIds, plan.shuffleSizes, filterMask, plan.expected, inflateExact, scratch, null);
    if (bytes.buffer === stored.buffer) bytes = bytes.slice();
    // The read buffer goes back too, for the next read: nothing chunk-sized is left as garbage here.
    self.postMessage({ id, bytes, stored }, [bytes.buffer, stored.buffer]);
  } catch (error) {
    self.postMessage({ id, stored, error: error instanceof Error ? error.message : String(error) }, [stored.buffer]);
  }
};`,
  ].map(String).join("\n");
}

/** A job handed to a worker, settled when its chunk comes back. */
interface WorkerJob {
  readonly chunk: number;
  resolve(bytes: Uint8Array): void;
  reject(error: unknown): void;
}

/** Decoding workers; when one fails, its jobs (and later ones) are decoded on this thread. */
class DecoderPool {
  readonly #workers: Worker[] = [];
  readonly #pending: Map<number, WorkerJob>[] = [];
  readonly #url: string;
  readonly #file: Deno.FsFile;
  readonly #index: ChunkIndex;
  /** Read buffers back from the workers, each `#readSize` bytes. */
  readonly #spare: ArrayBuffer[] = [];
  readonly #readSize: number;
  #nextId = 0;
  #broken = false;

  readonly #plan: DecodePlan;

  constructor(size: number, file: Deno.FsFile, index: ChunkIndex, plan: DecodePlan) {
    this.#plan = plan;
    this.#file = file;
    this.#index = index;
    this.#readSize = index.chunks.reduce((largest, chunk) => Math.max(largest, chunk.size), 0);
    this.#url = URL.createObjectURL(new Blob([workerSource()], { type: "text/javascript" }));
    try {
      for (let w = 0; w < size; w++) {
        const worker = new Worker(this.#url, { type: "module" });
        const pending = new Map<number, WorkerJob>();
        worker.onmessage = (
          event: MessageEvent<
            { id: number; bytes?: Uint8Array; stored: Uint8Array; error?: string }
          >,
        ) => {
          const { id, bytes, stored, error } = event.data;
          this.#spare.push(stored.buffer as ArrayBuffer);
          const job = pending.get(id);
          if (job === undefined) return;
          pending.delete(id);
          if (bytes !== undefined) job.resolve(bytes);
          else job.reject(damagedChunk(this.#index.chunks[job.chunk], new Error(error)));
        };
        worker.onerror = (event: ErrorEvent) => {
          event.preventDefault();
          this.#fail();
        };
        worker.postMessage({ plan });
        this.#workers.push(worker);
        this.#pending.push(pending);
      }
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Whether a worker can take another job now (false once the workers failed). */
  hasRoom(): boolean {
    if (this.#broken) return false;
    return this.#pending.some((pending) => pending.size < JOBS_PER_WORKER);
  }

  /** Decodes chunk `chunk`, on the least busy worker. */
  decode(chunk: number): Promise<Uint8Array> {
    if (this.#broken) return this.#decodeHere(chunk);
    const location = this.#index.chunks[chunk];
    if (location === undefined) return this.#decodeHere(chunk);
    try {
      checkFilters(this.#index, location.filterMask);
    } catch (error) {
      return Promise.reject(error);
    }
    const spare = this.#spare.pop();
    const stored = readFully(
      this.#file,
      location.address,
      location.size,
      spare !== undefined && spare.byteLength >= location.size
        ? spare
        : new ArrayBuffer(this.#readSize),
    );
    let target = 0;
    for (let w = 1; w < this.#workers.length; w++) {
      if (this.#pending[w].size < this.#pending[target].size) target = w;
    }
    const id = this.#nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending[target].set(id, { chunk, resolve, reject });
      this.#workers[target].postMessage({ id, stored, filterMask: location.filterMask }, [
        stored.buffer,
      ]);
    });
  }

  /** A worker died: decode everything it (or any worker) still owes on this thread from now on. */
  #fail(): void {
    this.#broken = true;
    for (const pending of this.#pending) {
      for (const job of pending.values()) {
        this.#decodeHere(job.chunk).then(job.resolve, job.reject);
      }
      pending.clear();
    }
    this.close();
  }

  #decodeHere(chunk: number): Promise<Uint8Array> {
    return readAndDecode(this.#file, this.#index, chunk, this.#plan);
  }

  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
    URL.revokeObjectURL(this.#url);
  }
}

/** A decoded chunk: its position in `ChunkIndex.chunks` and its bytes. */
interface DecodedChunk {
  readonly chunk: number;
  readonly bytes: Uint8Array;
}

/**
 * Lets the event loop run (worker messages among it) before this thread decodes the next chunk.
 * A message to itself takes microseconds; `setTimeout(0)` measured 2 ms, more than a chunk.
 */
class TaskYield {
  readonly #channel = new MessageChannel();
  #resume: (() => void) | null = null;

  constructor() {
    this.#channel.port1.onmessage = () => {
      const resume = this.#resume;
      this.#resume = null;
      resume?.();
    };
  }

  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#resume = resolve;
      this.#channel.port2.postMessage(null);
    });
  }

  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}

/**
 * Decodes `chunks` of `index` from `file` by `plan`: on this thread and, where it helps, on
 * `concurrency - 1` workers at once. `ordered` yields in the order given; otherwise as decoded.
 */
async function* decodeChunks(
  file: Deno.FsFile,
  index: ChunkIndex,
  chunks: readonly number[],
  plan: DecodePlan,
  concurrency: number | undefined,
  ordered: boolean,
): AsyncGenerator<DecodedChunk> {
  const threads = Math.min(
    concurrency ?? (navigator.hardwareConcurrency ?? 1) - 1,
    MAX_THREADS,
  );
  // Workers decode deflate (with shuffle and checksums) only: their source is the text of the
  // functions above, which do not include the codecs of `_codecs.ts`.
  const deflated = index.filters.some((filter) => filter.id === FILTER_DEFLATE) &&
    index.filters.every((filter) => !CODEC_FILTERS.has(filter.id));
  const codecs = await loadFilterCodecs(plan.filterIds);
  let pool: DecoderPool | null = null;
  if (deflated && threads >= 2 && chunks.length >= WORKER_MIN_CHUNKS) {
    try {
      pool = new DecoderPool(threads - 1, file, index, plan);
    } catch {
      // No workers here (a locked-down runtime): decode on this thread.
    }
  }
  if (pool === null) {
    for (const chunk of chunks) {
      yield { chunk, bytes: await readAndDecode(file, index, chunk, plan, codecs) };
    }
    return;
  }
  const turn = new TaskYield();
  try {
    // This thread decodes too, so a worker still loading node:zlib costs nothing but its core.
    const done = new Map<number, Uint8Array>(); // position in `chunks` -> decoded, not yet yielded
    let failure = null as { error: unknown } | null;
    let wake: (() => void) | null = null;
    let next = 0; // the next position to decode
    let yielded = 0; // ordered: also the next position to yield
    let onWorkers = 0;
    const settled = (): void => {
      onWorkers--;
      const resume = wake;
      wake = null;
      resume?.();
    };
    while (yielded < chunks.length) {
      while (next < chunks.length && pool.hasRoom()) {
        const position = next++;
        onWorkers++;
        pool.decode(chunks[position]).then((bytes) => {
          done.set(position, bytes);
          settled();
        }, (error) => {
          failure ??= { error };
          settled();
        });
      }
      if (failure !== null) throw failure.error;
      if (ordered) {
        for (let bytes = done.get(yielded); bytes !== undefined; bytes = done.get(yielded)) {
          done.delete(yielded);
          yield { chunk: chunks[yielded++], bytes };
        }
      } else {
        for (const [position, bytes] of done) {
          done.delete(position);
          yielded++;
          yield { chunk: chunks[position], bytes };
        }
      }
      if (yielded >= chunks.length) break;
      if (next < chunks.length && done.size < ORDER_SLACK) {
        const position = next++;
        done.set(position, await readAndDecode(file, index, chunks[position], plan, codecs));
        if (onWorkers > 0) await turn.next();
      } else {
        await new Promise<void>((resolve) => wake = resolve);
      }
    }
  } finally {
    turn.close();
    pool.close();
  }
}

/** `error` with the file's path in front, when it is an InputError that does not name it yet. */
function inFile(path: string, error: unknown): unknown {
  if (!(error instanceof InputError) || error.message.startsWith(path)) return error;
  return new InputError(`${path}: ${error.message}`, { hint: error.hint, cause: error });
}

/**
 * The same for a batch of chunk positions, in the order given: on this thread and, for many
 * deflated chunks, on workers at once.
 */
export async function* readChunks(
  path: string,
  index: ChunkIndex,
  chunks: readonly number[],
  options: ReadChunksOptions = {},
): AsyncIterable<{ chunk: number; bytes: Uint8Array }> {
  const file = await openFile(path);
  try {
    yield* decodeChunks(file, index, chunks, decodePlan(index), options.concurrency, true);
  } catch (error) {
    throw inFile(path, error);
  } finally {
    file.close();
  }
}

/** Options of `readRowBytes`. */
export interface ReadRowBytesOptions extends ReadChunksOptions {
  /** The rows wanted, in the order wanted (repeats allowed); default rows `start` to `end`. */
  rows?: readonly number[];
  /** Without `rows`: the first row wanted; default 0. */
  start?: number;
  /** Without `rows`: the row after the last wanted; default the dataset's row count. */
  end?: number;
  /** First byte of each row to take (e.g. a field's offset in a compound type); default 0. */
  byteOffset?: number;
  /** Bytes of each row to take; default the rest of the row. */
  byteLength?: number;
}

/** Where the bytes of a row sit in the decoded chunks of one dataset. */
interface RowGeometry {
  /** Bytes of a row: the element size times the elements of the trailing dimensions. */
  readonly rowBytes: number;
  readonly chunkRows: number;
  /** The shuffle filter's element size when chunks are left shuffled (applied first), else 0. */
  readonly shuffleSize: number;
  readonly shuffleElements: number;
  /** Bytes of the shuffled part of a chunk; a tail past the last element is as stored. */
  readonly shuffledBytes: number;
  /** A byte of a row is one byte plane (shuffle element = row): the fast case. */
  readonly planes: boolean;
}

function rowGeometry(index: ChunkIndex, plan: DecodePlan): RowGeometry {
  const rowElements = index.shape.slice(1).reduce((product, extent) => product * extent, 1);
  const rowBytes = index.elementSize * rowElements;
  // Shuffled chunks hold byte k of the chunk at (k % size) * elements + floor(k / size).
  const shuffleSize = plan.shuffleSizes[0] === 1
    ? index.filters[0].clientData[0] ?? index.elementSize
    : 0;
  const shuffleElements = shuffleSize > 0 ? Math.floor(plan.expected / shuffleSize) : 0;
  return {
    rowBytes,
    chunkRows: index.chunkShape[0],
    shuffleSize,
    shuffleElements,
    shuffledBytes: shuffleElements * shuffleSize,
    planes: shuffleSize === rowBytes,
  };
}

/** Copies bytes `byteOffset` to `byteOffset + byteLength` of row `row` of a decoded chunk to `out` at `into`. */
function gatherRow(
  geometry: RowGeometry,
  bytes: Uint8Array,
  shuffled: boolean,
  row: number,
  out: Uint8Array,
  into: number,
  byteOffset: number,
  byteLength: number,
): void {
  const at = row * geometry.rowBytes + byteOffset;
  if (!shuffled) out.set(bytes.subarray(at, at + byteLength), into);
  else if (geometry.planes) {
    const chunkRows = geometry.chunkRows;
    let from = byteOffset * chunkRows + row;
    for (let b = 0; b < byteLength; b++) {
      out[into + b] = bytes[from];
      from += chunkRows;
    }
  } else {
    const { shuffleSize, shuffleElements, shuffledBytes } = geometry;
    for (let b = 0; b < byteLength; b++) {
      const k = at + b;
      out[into + b] = bytes[
        k < shuffledBytes ? (k % shuffleSize) * shuffleElements + Math.floor(k / shuffleSize) : k
      ];
    }
  }
}

/** Copies the bytes of rows `from` to `to` of a decoded chunk, row after row, to `out` at `into`. */
function gatherRange(
  geometry: RowGeometry,
  bytes: Uint8Array,
  shuffled: boolean,
  range: { from: number; to: number; into: number; byteOffset: number; byteLength: number },
  out: Uint8Array,
): void {
  const { from, to, into, byteOffset, byteLength } = range;
  if (shuffled && geometry.planes) {
    // Every row: walk each byte plane once, in order.
    for (let b = 0; b < byteLength; b++) {
      const plane = (byteOffset + b) * geometry.chunkRows;
      let at = into + b;
      for (let row = from; row < to; row++) {
        out[at] = bytes[plane + row];
        at += byteLength;
      }
    }
  } else {
    for (let row = from; row < to; row++) {
      gatherRow(
        geometry,
        bytes,
        shuffled,
        row,
        out,
        into + (row - from) * byteLength,
        byteOffset,
        byteLength,
      );
    }
  }
}

/** Which bytes of a chunk's rows to copy, and where to. */
export interface RowCopyOptions {
  /** Where in `out` the first byte goes; default 0. */
  at?: number;
  /** First byte of each row to take; default 0. */
  byteOffset?: number;
  /** Bytes of each row to take; default the rest of the row. */
  byteLength?: number;
}

/**
 * One decoded chunk of a chunked dataset, as rows: copies the bytes of its rows out of the
 * decoded chunk, taking them straight from shuffled byte planes as `readRowBytes` does.
 */
export interface ChunkRows {
  /** The first row (along the first dimension) the chunk holds. */
  readonly start: number;
  /** Rows of the dataset in this chunk (fewer than the chunk's rows for the last one). */
  readonly count: number;
  /** Bytes of a whole row. */
  readonly rowBytes: number;
  /** Copies (bytes of) row `row` of this chunk (0-based within it) to `out`. */
  copyRow(row: number, out: Uint8Array, options?: RowCopyOptions): void;
  /** Copies (bytes of) rows `from` to `to` of this chunk to `out`, one after another. */
  copyRange(range: { from: number; to: number }, out: Uint8Array, options?: RowCopyOptions): void;
}

class DecodedChunkRows implements ChunkRows {
  readonly #geometry: RowGeometry;
  readonly #bytes: Uint8Array;
  readonly #shuffled: boolean;
  readonly start: number;
  readonly count: number;
  readonly rowBytes: number;

  constructor(geometry: RowGeometry, bytes: Uint8Array, location: ChunkLocation, total: number) {
    this.#geometry = geometry;
    this.#bytes = bytes;
    this.#shuffled = geometry.shuffleSize > 0 && (location.filterMask & 1) === 0;
    this.start = location.start;
    this.count = Math.max(0, Math.min(geometry.chunkRows, total - location.start));
    this.rowBytes = geometry.rowBytes;
  }

  #field(options: RowCopyOptions): { byteOffset: number; byteLength: number } {
    const byteOffset = options.byteOffset ?? 0;
    const byteLength = options.byteLength ?? this.rowBytes - byteOffset;
    if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > this.rowBytes) {
      throw new RangeError(
        `bytes ${byteOffset}+${byteLength} are outside a ${this.rowBytes}-byte row`,
      );
    }
    return { byteOffset, byteLength };
  }

  #check(from: number, to: number): void {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to)) {
      throw new RangeError(`rows ${from} to ${to} are not a range`);
    }
    if (to > this.count) {
      throw new RangeError(`row ${to - 1} is outside the chunk's ${this.count} rows`);
    }
  }

  copyRow(row: number, out: Uint8Array, options: RowCopyOptions = {}): void {
    this.#check(row, row + 1);
    const { byteOffset, byteLength } = this.#field(options);
    gatherRow(
      this.#geometry,
      this.#bytes,
      this.#shuffled,
      row,
      out,
      options.at ?? 0,
      byteOffset,
      byteLength,
    );
  }

  copyRange(
    range: { from: number; to: number },
    out: Uint8Array,
    options: RowCopyOptions = {},
  ): void {
    this.#check(range.from, range.to);
    const { byteOffset, byteLength } = this.#field(options);
    const into = options.at ?? 0;
    gatherRange(this.#geometry, this.#bytes, this.#shuffled, {
      from: range.from,
      to: range.to,
      into,
      byteOffset,
      byteLength,
    }, out);
  }
}

/**
 * Every chunk of a chunked dataset, decoded once, in row order, as {@linkcode ChunkRows}: for one
 * pass that takes several fields (or whole rows) of each chunk. A chunk is valid until the next.
 */
export async function* scanChunkRows(
  path: string,
  index: ChunkIndex,
  options: ReadChunksOptions = {},
): AsyncIterable<ChunkRows> {
  const plan = decodePlan(index, true);
  const geometry = rowGeometry(index, plan);
  const total = index.shape[0];
  const chunkRows = geometry.chunkRows;
  for (let c = 0; c < index.chunks.length; c++) {
    if (index.chunks[c].start !== c * chunkRows) {
      throw new InputError(
        `${path}: rows ${c * chunkRows} to ${
          (c + 1) * chunkRows - 1
        } were never written to the file`,
        { hint: "the dataset is sparse; read it without the fast path" },
      );
    }
  }
  if (index.chunks.length * chunkRows < total) {
    throw new InputError(`${path}: the last rows were never written to the file`, {
      hint: "the dataset is sparse; read it without the fast path",
    });
  }
  const file = await openFile(path);
  try {
    const order = index.chunks.map((_, i) => i);
    for await (
      const { chunk, bytes } of decodeChunks(file, index, order, plan, options.concurrency, true)
    ) {
      yield new DecodedChunkRows(geometry, bytes, index.chunks[chunk], total);
    }
  } catch (error) {
    throw inFile(path, error);
  } finally {
    file.close();
  }
}

/**
 * Bytes `byteOffset` to `byteOffset + byteLength` of each wanted row (index along the first
 * dimension, every trailing one included) of a chunked dataset, row after row. Reads each needed
 * chunk once, in file order, and takes the bytes straight from shuffled byte planes, skipping the
 * unshuffle: the fast path to one field of every row, or to a few scattered rows.
 */
export async function readRowBytes(
  path: string,
  index: ChunkIndex,
  options: ReadRowBytesOptions = {},
): Promise<Uint8Array> {
  const plan = decodePlan(index, true);
  const geometry = rowGeometry(index, plan);
  const rowBytes = geometry.rowBytes;
  const byteOffset = options.byteOffset ?? 0;
  const byteLength = options.byteLength ?? rowBytes - byteOffset;
  if (byteOffset < 0 || byteLength < 0 || byteOffset + byteLength > rowBytes) {
    throw new RangeError(`bytes ${byteOffset}+${byteLength} are outside a ${rowBytes}-byte row`);
  }
  const total = index.shape[0];
  const chunkRows = geometry.chunkRows;
  const positions = new Map<number, number>(); // chunk number along the rows -> position in index.chunks
  index.chunks.forEach((chunk, position) => positions.set(chunk.start / chunkRows, position));

  // For each chunk needed: the (row within chunk, output slot) pairs, as flat pairs.
  const wanted = new Map<number, number[]>();
  const rows = options.rows;
  const first = options.start ?? 0;
  const last = options.end ?? total;
  if (rows === undefined && !(first >= 0 && first <= last && last <= total)) {
    throw new RangeError(`rows ${first} to ${last} are outside the dataset's ${total} rows`);
  }
  const count = rows?.length ?? last - first;
  if (rows !== undefined) {
    rows.forEach((row, slot) => {
      if (!Number.isInteger(row) || row < 0 || row >= total) {
        throw new RangeError(`row ${row} is outside the dataset's ${total} rows`);
      }
      const key = Math.floor(row / chunkRows);
      let pairs = wanted.get(key);
      if (pairs === undefined) wanted.set(key, pairs = []);
      pairs.push(row - key * chunkRows, slot);
    });
  }
  const keys = rows === undefined
    ? Array.from(
      { length: Math.ceil(last / chunkRows) - Math.floor(first / chunkRows) },
      (_, i) => Math.floor(first / chunkRows) + i,
    )
    : [...wanted.keys()];
  const chunks = keys.map((key) => {
    const position = positions.get(key);
    if (position === undefined) {
      throw new InputError(
        `${path}: rows ${key * chunkRows} to ${
          (key + 1) * chunkRows - 1
        } were never written to the file`,
        { hint: "the dataset is sparse; read it without the fast path" },
      );
    }
    return position;
  });
  // One pass through the file, front to back.
  chunks.sort((a, b) => index.chunks[a].address - index.chunks[b].address);

  const out = new Uint8Array(count * byteLength);
  const file = await openFile(path);
  try {
    const decoded = decodeChunks(file, index, chunks, plan, options.concurrency, false);
    for await (const { chunk, bytes } of decoded) {
      const location = index.chunks[chunk];
      const key = location.start / chunkRows;
      const shuffled = geometry.shuffleSize > 0 && (location.filterMask & 1) === 0;
      const pairs = wanted.get(key);
      if (pairs !== undefined) {
        for (let p = 0; p < pairs.length; p += 2) {
          const slot = pairs[p + 1];
          gatherRow(
            geometry,
            bytes,
            shuffled,
            pairs[p],
            out,
            slot * byteLength,
            byteOffset,
            byteLength,
          );
        }
      } else {
        // Without `rows`: rows [from, to) of this chunk, to slots from `location.start + from - first`.
        const from = Math.max(0, first - location.start);
        const to = Math.min(chunkRows, last - location.start);
        const into = (location.start + from - first) * byteLength;
        gatherRange(geometry, bytes, shuffled, { from, to, into, byteOffset, byteLength }, out);
      }
    }
  } catch (error) {
    throw inFile(path, error);
  } finally {
    file.close();
  }
  return out;
}

/** The largest global heap collection `readVlenRows` reads (HDF5 makes them 4 KiB and up). */
const MAX_HEAP_COLLECTION = 1 << 30;

/**
 * Rows `start` to `end` of a one-dimensional vlen dataset (as `readChunkIndex(..., { vlen: true })`
 * indexed it), one byte array per row: each row's element bytes, taken from the global heap
 * collection its (decoded) chunk points to. `baseSize` is the bytes of one element of a row.
 */
export async function readVlenRows(
  path: string,
  index: ChunkIndex,
  options: { start: number; end: number; baseSize: number },
): Promise<Uint8Array[]> {
  const heap = index.heap;
  if (heap === undefined || index.shape.length !== 1) {
    throw new RangeError("not a one-dimensional vlen dataset");
  }
  const pointers = await readRowBytes(path, index, { start: options.start, end: options.end });
  const file = await openFile(path);
  try {
    const fileSize = (await file.stat()).size;
    const reader = new MetadataReader(file, fileSize);
    reader.offsetSize = heap.offsetSize;
    reader.lengthSize = heap.lengthSize;
    reader.base = heap.base;
    const collections = new Map<number, Map<number, Uint8Array>>();
    const view = new DataView(pointers.buffer, pointers.byteOffset, pointers.byteLength);
    const rows: Uint8Array[] = [];
    for (let at = 0; at + index.elementSize <= pointers.length; at += index.elementSize) {
      const count = view.getUint32(at, true);
      const address = reader.uint(view, at + 4, heap.offsetSize);
      const object = view.getUint32(at + 4 + heap.offsetSize, true);
      if (count === 0 || address === null) {
        rows.push(new Uint8Array(0));
        continue;
      }
      let objects = collections.get(address);
      if (objects === undefined) {
        objects = readHeapCollection(reader, address);
        collections.set(address, objects);
      }
      const bytes = objects.get(object);
      const length = count * options.baseSize;
      if (bytes === undefined || bytes.length < length) {
        throw new InputError(
          `${path}: a variable-length value points to a missing or short global heap object`,
          { hint: "the file is damaged; download or copy it again" },
        );
      }
      rows.push(bytes.subarray(0, length));
    }
    return rows;
  } catch (error) {
    if (error instanceof Unsupported || error instanceof RangeError) {
      throw new InputError(`${path}: a global heap of variable-length values is damaged`, {
        hint: "the file is damaged; download or copy it again",
        cause: error,
      });
    }
    throw inFile(path, error);
  } finally {
    file.close();
  }
}

/** The objects of the global heap collection (GCOL) at `address`, by heap object index. */
function readHeapCollection(reader: MetadataReader, address: number): Map<number, Uint8Array> {
  const l = reader.lengthSize;
  const head = reader.view(address, 8 + l);
  if (!hasSignature(new Uint8Array(head.buffer, head.byteOffset, 4), "GCOL")) {
    throw new Unsupported("global heap signature missing");
  }
  const size = reader.length(head, 8);
  if (size < 8 + l || size > MAX_HEAP_COLLECTION) throw new Unsupported("global heap size");
  const body = reader.view(address, size);
  const objects = new Map<number, Uint8Array>();
  let position = 8 + l;
  // Each object takes at least its 8 + l header bytes: the walk ends within size / (8 + l) steps.
  while (position + 8 + l <= size) {
    const id = body.getUint16(position, true);
    const length = reader.length(body, position + 8);
    if (id === 0) break; // free space: the rest of the collection
    const start = position + 8 + l;
    if (length > size - start) throw new Unsupported("global heap object overruns its collection");
    objects.set(id, new Uint8Array(body.buffer, body.byteOffset + start, length));
    position = start + Math.ceil(length / 8) * 8;
  }
  return objects;
}
