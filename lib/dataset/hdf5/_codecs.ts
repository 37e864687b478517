/**
 * Decoders of the HDF5 compression filters that pandas (PyTables) and h5py write beyond zlib:
 * blosc with every codec and shuffle (c-blosc itself, compiled to wasm, from `numcodecs`; frames of
 * zstd or zlib streams through Deno's native zstd and zlib, measured faster), bzip2 (`seek-bzip`)
 * and lzf. Each is loaded only when a file needs it. lzo is refused by name: no maintained
 * JavaScript decoder of it is known.
 * @module
 */

import { inflateSync, zstdDecompressSync } from "node:zlib";

/** HDF5 filter ids of the compressors decoded here. */
const FILTER_BZIP2 = 307;
const FILTER_LZF = 32000;
export const FILTER_BLOSC = 32001;
export const FILTER_LZO = 305;

/** Filter ids decoded by {@linkcode loadFilterCodecs}. */
export const CODEC_FILTERS: ReadonlySet<number> = new Set([FILTER_BZIP2, FILTER_LZF, FILTER_BLOSC]);

/** blosc's compressor codes (the 7th value of PyTables' blosc filter, and the header's flags). */
const BLOSC_CODECS = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"];

/** Decodes one filter's output back to its input; throws a plain Error completing "the chunk ...". */
export type FilterDecoder = (data: Uint8Array, expected: number) => Promise<Uint8Array>;

/** The decoders of the codec filters among `ids`, loaded (wasm compiled) once per process. */
export async function loadFilterCodecs(
  ids: readonly number[],
): Promise<ReadonlyMap<number, FilterDecoder>> {
  const codecs = new Map<number, FilterDecoder>();
  for (const id of new Set(ids)) {
    if (id === FILTER_BLOSC) codecs.set(id, await bloscDecoder());
    else if (id === FILTER_BZIP2) codecs.set(id, await bzip2Decoder());
    else if (id === FILTER_LZF) {
      codecs.set(id, (data, expected) => Promise.resolve(lzf(data, expected)));
    }
  }
  return codecs;
}

/** "blosc:lz4" from a PyTables blosc filter's client data, or "blosc" when it does not say. */
export function bloscName(clientData: readonly number[]): string {
  const codec = BLOSC_CODECS[clientData[6] ?? -1];
  return codec === undefined ? "blosc" : `blosc:${codec}`;
}

/** blosc's shuffle in a PyTables blosc filter's client data: "shuffle", "bitshuffle" or null. */
export function bloscShuffle(clientData: readonly number[]): string | null {
  const shuffle = clientData[5];
  return shuffle === 1 ? "shuffle" : shuffle === 2 ? "bitshuffle" : null;
}

interface BloscCodec {
  decode(data: Uint8Array): Promise<Uint8Array>;
}

let blosc: Promise<BloscCodec> | undefined;

async function bloscDecoder(): Promise<FilterDecoder> {
  blosc ??= import("numcodecs/blosc").then(({ default: Blosc }) =>
    Blosc.fromConfig({ id: "blosc" }) as unknown as BloscCodec
  );
  const codec = await blosc;
  return async (data, expected) => {
    checkBloscHeader(data, expected);
    const native = decodeBloscNative(data, expected);
    if (native !== null) return native;
    let out: Uint8Array;
    try {
      out = await codec.decode(data);
    } catch (error) {
      throw new Error(`does not decode as blosc (${(error as Error).message})`);
    }
    return out;
  };
}

/**
 * Checks a blosc frame's 16-byte header against what the chunk must be before c-blosc sees it:
 * numcodecs' binding allocates what the header says and drops c-blosc's error code, so a damaged
 * header must not reach it.
 */
function checkBloscHeader(data: Uint8Array, expected: number): void {
  if (data.length < 16) throw new Error("is too short for a blosc header");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[0];
  const nbytes = view.getUint32(4, true);
  const blocksize = view.getUint32(8, true);
  const cbytes = view.getUint32(12, true);
  const flags = data[2];
  if (version === 0 || version > 4) throw new Error(`has blosc format version ${version}`);
  // The header names a codec format: blosclz, lz4 (and lz4hc), snappy, zlib, zstd.
  if ((flags >> 5) > 4 && (flags & 0x02) === 0) {
    throw new Error(`names blosc codec format ${flags >> 5}, which does not exist`);
  }
  if (nbytes !== expected) {
    throw new Error(`holds ${nbytes} blosc bytes, not ${expected}`);
  }
  if (cbytes !== data.length) {
    throw new Error(`says it is ${cbytes} bytes long but is ${data.length}`);
  }
  if (nbytes > 0 && (blocksize === 0 || blocksize > nbytes + 16 * 1024 * 1024)) {
    throw new Error(`has a blosc block size of ${blocksize}`);
  }
  if ((flags & 0x02) !== 0 && cbytes !== nbytes + 16) {
    throw new Error("is a stored blosc frame of the wrong length");
  }
}

interface Bunzip {
  decode(input: Uint8Array, output: Uint8Array): Uint8Array;
}

let bunzip: Promise<Bunzip> | undefined;

async function bzip2Decoder(): Promise<FilterDecoder> {
  bunzip ??= import("seek-bzip").then((module) =>
    ((module as { default?: unknown }).default ?? module) as Bunzip
  );
  const decoder = await bunzip;
  return (data, expected) => {
    // A fixed output of the expected size: seek-bzip then refuses more or fewer bytes.
    const out = new Uint8Array(expected);
    try {
      decoder.decode(data, out);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return Promise.reject(new Error(`does not decompress as bzip2 (${text})`));
    }
    return Promise.resolve(out);
  };
}

/**
 * liblzf's decompressor (lzf_d.c), as h5py's lzf filter calls it. Hand-written: the one npm port
 * (lzfjs, unmaintained) builds a JavaScript array and returns a deprecated `Buffer`; this writes
 * into the chunk-sized output and checks every reference against both buffers.
 */
function lzf(data: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let ip = 0;
  let op = 0;
  const end = data.length;
  while (ip < end) {
    let ctrl = data[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > end) throw new Error("is lzf data cut short (a literal run overruns it)");
      if (op + run > expected) throw new Error(`decompresses (lzf) to more than ${expected} bytes`);
      out.set(data.subarray(ip, ip + run), op);
      ip += run;
      op += run;
    } else {
      let length = ctrl >> 5;
      if (ip >= end) throw new Error("is lzf data cut short (a back reference overruns it)");
      if (length === 7) {
        length += data[ip++];
        if (ip >= end) throw new Error("is lzf data cut short (a back reference overruns it)");
      }
      ctrl = ((ctrl & 0x1f) << 8) + data[ip++];
      let ref = op - ctrl - 1;
      length += 2;
      if (ref < 0) throw new Error("is damaged lzf data (a reference before the start)");
      if (op + length > expected) {
        throw new Error(`decompresses (lzf) to more than ${expected} bytes`);
      }
      // Overlapping copies repeat bytes: byte by byte, as liblzf does.
      for (let k = 0; k < length; k++) out[op++] = out[ref++];
    }
  }
  if (op !== expected) throw new Error(`decompresses (lzf) to ${op} bytes, not ${expected}`);
  return out;
}

// blosc's header flags and split rule (c-blosc 1.21, blosc.c).
const BLOSC_DOSHUFFLE = 0x01;
const BLOSC_MEMCPYED = 0x02;
const BLOSC_DOBITSHUFFLE = 0x04;
const BLOSC_DONT_SPLIT = 0x10;
const BLOSC_ZLIB_FORMAT = 3;
const BLOSC_ZSTD_FORMAT = 4;
const MAX_SPLITS = 16;
const MIN_BUFFERSIZE = 128;

/**
 * Decodes a blosc frame of zstd or zlib streams, with blosc's byte shuffle or none, as c-blosc's
 * `blosc_d` does, through Deno's native zstd and zlib; null for any other frame (numcodecs decodes
 * it). Hand-written because c-blosc's wasm build (-Os) decodes zstd at about half the native speed
 * (measured on the 1.62M-row file), and numcodecs exposes no per-stream hook. Every block start
 * and stream length is checked against the frame, as c-blosc checks them.
 */
function decodeBloscNative(data: Uint8Array, expected: number): Uint8Array | null {
  const flags = data[2];
  const format = flags >> 5;
  if (format !== BLOSC_ZSTD_FORMAT && format !== BLOSC_ZLIB_FORMAT) return null;
  if ((flags & (BLOSC_MEMCPYED | BLOSC_DOBITSHUFFLE)) !== 0) return null;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const typesize = data[3];
  const blocksize = view.getUint32(8, true);
  if (typesize === 0 || blocksize === 0) return null;
  const nblocks = Math.ceil(expected / blocksize);
  const leftover = expected % blocksize;
  if (16 + 4 * nblocks > data.length) throw new Error("is a blosc frame cut short");
  const out = new Uint8Array(expected);
  const shuffled = (flags & BLOSC_DOSHUFFLE) !== 0 && typesize > 1;
  const tmp = shuffled ? new Uint8Array(blocksize) : null;
  for (let j = 0; j < nblocks; j++) {
    const last = j === nblocks - 1 && leftover > 0;
    const bsize = last ? leftover : blocksize;
    const dest = out.subarray(j * blocksize, j * blocksize + bsize);
    const target = tmp === null ? dest : tmp.subarray(0, bsize);
    const nsplits = (flags & BLOSC_DONT_SPLIT) === 0 && typesize <= MAX_SPLITS &&
        bsize / typesize >= MIN_BUFFERSIZE && !last
      ? typesize
      : 1;
    const neblock = Math.floor(bsize / nsplits);
    let at = view.getInt32(16 + 4 * j, true);
    for (let s = 0; s < nsplits; s++) {
      if (at < 0 || at > data.length - 4) throw new Error("has a blosc block outside its frame");
      const cbytes = view.getInt32(at, true);
      at += 4;
      if (cbytes < 0 || cbytes > data.length - at) {
        throw new Error("has a blosc stream overrunning its frame");
      }
      const into = target.subarray(s * neblock, (s + 1) * neblock);
      const stream = data.subarray(at, at + cbytes);
      if (cbytes === neblock) into.set(stream);
      else into.set(decodeStream(stream, format, neblock));
      at += cbytes;
    }
    if (tmp !== null) unshuffleBlock(target, dest, typesize);
  }
  return out;
}

/** One zstd or zlib stream of a blosc block, which must decode to exactly `size` bytes. */
function decodeStream(stream: Uint8Array, format: number, size: number): Uint8Array {
  let decoded: Uint8Array;
  try {
    decoded = format === BLOSC_ZSTD_FORMAT
      ? zstdDecompressSync(stream, { maxOutputLength: size })
      : inflateSync(stream, { maxOutputLength: size });
  } catch (error) {
    const codec = format === BLOSC_ZSTD_FORMAT ? "zstd" : "zlib";
    throw new Error(`has a ${codec} stream that does not decode (${(error as Error).message})`);
  }
  if (decoded.length !== size) throw new Error("has a blosc stream of the wrong length");
  return decoded;
}

/** blosc's byte unshuffle of one block: byte b of element e was stored at b * count + e. */
function unshuffleBlock(shuffled: Uint8Array, out: Uint8Array, typesize: number): void {
  const count = Math.floor(shuffled.length / typesize);
  for (let b = 0; b < typesize; b++) {
    let from = b * count;
    for (let e = 0, to = b; e < count; e++, to += typesize) out[to] = shuffled[from++];
  }
  const tail = count * typesize;
  if (tail < shuffled.length) out.set(shuffled.subarray(tail), tail);
}
