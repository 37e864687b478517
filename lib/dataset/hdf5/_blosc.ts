/**
 * blosc frames (c-blosc 1.x, PyTables' HDF5 filter 32001) decoded as c-blosc 1.21's
 * `blosc_decompress` decodes them, with every codec (blosclz, lz4, lz4hc, snappy, zlib, zstd), byte
 * shuffle, bitshuffle, and stored (memcpyed) frames.
 *
 * Hand-written instead of c-blosc's wasm build (numcodecs): that binding drops c-blosc's error
 * code, so a damaged frame came back as a buffer of wrong values. Here every header field, block
 * start and stream length is checked as c-blosc checks it, and each stream must decode to exactly
 * the bytes the frame says, or the chunk is refused. zstd and zlib streams go through Deno's native
 * decoders (about twice c-blosc-in-wasm's speed on the 1.62M-row file).
 * @module
 */

import { inflateSync, zstdDecompressSync } from "node:zlib";
import { blosclzBlock, lz4Block, snappyBlock } from "./_blosc_streams.ts";

// blosc's header flags, codec formats and split rule (c-blosc 1.21, blosc.h and blosc.c).
const BLOSC_VERSION_FORMAT = 2;
const BLOSC_DOSHUFFLE = 0x01;
const BLOSC_MEMCPYED = 0x02;
const BLOSC_DOBITSHUFFLE = 0x04;
const BLOSC_FUTURE_FLAG = 0x08;
const BLOSC_DONT_SPLIT = 0x10;
const BLOSCLZ_FORMAT = 0;
const LZ4_FORMAT = 1;
const SNAPPY_FORMAT = 2;
const ZSTD_FORMAT = 4;
/** Every codec format is at its version 1 in c-blosc 1.x (`BLOSC_*_VERSION_FORMAT`). */
const CODEC_VERSION_FORMAT = 1;
const HEADER_BYTES = 16;
const MAX_SPLITS = 16;
const MIN_BUFFERSIZE = 128;
const CODEC_NAMES = ["blosclz", "lz4", "snappy", "zlib", "zstd"];

/**
 * The `expected` bytes a blosc frame holds; throws a plain Error completing "the chunk ..." for
 * every frame c-blosc 1.21 refuses, and for one that holds a different number of bytes.
 */
export function decodeBlosc(data: Uint8Array, expected: number): Uint8Array {
  if (data.length < HEADER_BYTES) throw new Error("is too short for a blosc header");
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[0];
  const codecVersion = data[1];
  const flags = data[2];
  const typesize = data[3];
  const nbytes = view.getUint32(4, true);
  const blocksize = view.getUint32(8, true);
  const cbytes = view.getUint32(12, true);
  if (version !== BLOSC_VERSION_FORMAT) {
    throw new Error(`has blosc format version ${version} (c-blosc 1.x writes and reads 2)`);
  }
  if (nbytes !== expected) throw new Error(`holds ${nbytes} blosc bytes, not ${expected}`);
  if (cbytes !== data.length) {
    throw new Error(`says it is ${cbytes} bytes long but is ${data.length}`);
  }
  if (nbytes === 0) return new Uint8Array(0);
  if (blocksize === 0 || blocksize > nbytes) {
    throw new Error(`has a blosc block size of ${blocksize} for ${nbytes} bytes`);
  }
  if (typesize === 0) throw new Error("has a blosc type size of 0");
  if ((flags & BLOSC_FUTURE_FLAG) !== 0) throw new Error("has blosc flags this reader predates");
  if ((flags & BLOSC_MEMCPYED) !== 0) {
    if (cbytes !== nbytes + HEADER_BYTES) {
      throw new Error("is a stored blosc frame of the wrong length");
    }
    return data.slice(HEADER_BYTES);
  }
  const format = flags >> 5;
  if (format > ZSTD_FORMAT) {
    throw new Error(`names blosc codec format ${format}, which does not exist`);
  }
  if (codecVersion !== CODEC_VERSION_FORMAT) {
    throw new Error(`has ${CODEC_NAMES[format]} format version ${codecVersion} (blosc knows 1)`);
  }
  const nblocks = Math.ceil(nbytes / blocksize);
  if (nblocks > (cbytes - HEADER_BYTES) / 4) throw new Error("is a blosc frame cut short");
  return decodeBlocks(data, view, nblocks, expected);
}

/** Every block of a (checked) frame, as c-blosc's `blosc_d` decodes each. */
function decodeBlocks(
  data: Uint8Array,
  view: DataView,
  nblocks: number,
  expected: number,
): Uint8Array {
  const flags = data[2];
  const typesize = data[3];
  const format = flags >> 5;
  const blocksize = view.getUint32(8, true);
  const leftover = expected % blocksize;
  const out = new Uint8Array(expected);
  const shuffle = (flags & BLOSC_DOSHUFFLE) !== 0 && typesize > 1;
  const bitshuffle = !shuffle && (flags & BLOSC_DOBITSHUFFLE) !== 0;
  const tmp = shuffle || bitshuffle ? new Uint8Array(blocksize) : null;
  for (let j = 0; j < nblocks; j++) {
    const last = j === nblocks - 1 && leftover > 0;
    const bsize = last ? leftover : blocksize;
    const dest = out.subarray(j * blocksize, j * blocksize + bsize);
    // c-blosc bitshuffles a block only when it holds a whole element (`blosc_d`).
    const unshuffled = shuffle || (bitshuffle && bsize >= typesize);
    const target = unshuffled && tmp !== null ? tmp.subarray(0, bsize) : dest;
    const nsplits = (flags & BLOSC_DONT_SPLIT) === 0 && typesize <= MAX_SPLITS &&
        bsize / typesize >= MIN_BUFFERSIZE && !last
      ? typesize
      : 1;
    // c-blosc splits only blocks of whole elements; an uneven split would leave bytes undecoded.
    if (bsize % nsplits !== 0) throw new Error("has a blosc block that does not split evenly");
    const neblock = bsize / nsplits;
    let at = view.getInt32(HEADER_BYTES + 4 * j, true);
    for (let s = 0; s < nsplits; s++) {
      if (at < 0 || at > data.length - 4) throw new Error("has a blosc block outside its frame");
      const cbytes = view.getInt32(at, true);
      at += 4;
      if (cbytes < 0 || cbytes > data.length - at) {
        throw new Error("has a blosc stream overrunning its frame");
      }
      const into = target.subarray(s * neblock, (s + 1) * neblock);
      const stream = data.subarray(at, at + cbytes);
      // A stream as long as its output was stored as it is (c-blosc compares the same lengths).
      if (cbytes === neblock) into.set(stream);
      else decodeStream(stream, format, into);
      at += cbytes;
    }
    if (target !== dest) {
      if (shuffle) unshuffleBlock(target, dest, typesize);
      else bitunshuffleBlock(target, dest, typesize);
    }
  }
  return out;
}

/** One stream of a block, which must decode to exactly `into.length` bytes. */
function decodeStream(stream: Uint8Array, format: number, into: Uint8Array): void {
  if (format === BLOSCLZ_FORMAT) blosclzBlock(stream, into);
  else if (format === LZ4_FORMAT) lz4Block(stream, into);
  else if (format === SNAPPY_FORMAT) snappyBlock(stream, into);
  else into.set(inflateStream(stream, format, into.length)); // zlib or zstd
}

/** A zstd or zlib stream of exactly `size` bytes, through Deno's native decoders. */
function inflateStream(stream: Uint8Array, format: number, size: number): Uint8Array {
  let decoded: Uint8Array;
  try {
    decoded = format === ZSTD_FORMAT
      ? zstdDecompressSync(stream, { maxOutputLength: size })
      : inflateSync(stream, { maxOutputLength: size });
  } catch (error) {
    const codec = CODEC_NAMES[format];
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

/**
 * blosc's bit unshuffle of one block (bitshuffle's `bshuf_untrans_bit_elem`, as c-blosc 1.21's
 * `bitunshuffle` calls it): bit k of byte b of element e was stored as bit e of the bit row
 * 8 * b + k, each row `count` bits long. c-blosc bitshuffles only blocks whose element count is a
 * multiple of 8 (others are stored as they are) and leaves the bytes past the last element as
 * they are. Eight elements at a time: their eight row bytes form an 8x8 bit matrix, transposed in
 * two 32-bit halves (the 64-bit transpose of Hacker's Delight, 7-3).
 */
function bitunshuffleBlock(shuffled: Uint8Array, out: Uint8Array, typesize: number): void {
  const count = Math.floor(shuffled.length / typesize);
  if (count % 8 !== 0) {
    out.set(shuffled);
    return;
  }
  const rowBytes = count / 8;
  for (let b = 0; b < typesize; b++) {
    const rows = 8 * b * rowBytes;
    for (let g = 0; g < rowBytes; g++) {
      const at = rows + g;
      let lo = shuffled[at] | (shuffled[at + rowBytes] << 8) |
        (shuffled[at + 2 * rowBytes] << 16) | (shuffled[at + 3 * rowBytes] << 24);
      let hi = shuffled[at + 4 * rowBytes] | (shuffled[at + 5 * rowBytes] << 8) |
        (shuffled[at + 6 * rowBytes] << 16) | (shuffled[at + 7 * rowBytes] << 24);
      let t = (lo ^ (lo >>> 7)) & 0x00aa00aa;
      lo ^= t ^ (t << 7);
      t = (hi ^ (hi >>> 7)) & 0x00aa00aa;
      hi ^= t ^ (t << 7);
      t = (lo ^ (lo >>> 14)) & 0x0000cccc;
      lo ^= t ^ (t << 14);
      t = (hi ^ (hi >>> 14)) & 0x0000cccc;
      hi ^= t ^ (t << 14);
      t = (lo ^ ((lo >>> 28) | (hi << 4))) & 0xf0f0f0f0;
      lo ^= t;
      hi ^= t >>> 4;
      let to = 8 * g * typesize + b;
      out[to] = lo;
      out[to += typesize] = lo >>> 8;
      out[to += typesize] = lo >>> 16;
      out[to += typesize] = lo >>> 24;
      out[to += typesize] = hi;
      out[to += typesize] = hi >>> 8;
      out[to += typesize] = hi >>> 16;
      out[to += typesize] = hi >>> 24;
    }
  }
  const tail = count * typesize;
  if (tail < shuffled.length) out.set(shuffled.subarray(tail), tail);
}
