/**
 * The decoders of the LZ streams inside a blosc block: lz4 (and lz4hc, the same format), snappy and
 * blosclz. Each fills `out` exactly or throws, and refuses every stream that c-blosc 1.21's own
 * decoder refuses (its `LZ4_decompress_safe`, `snappy_uncompress` and `blosclz_decompress`), so a
 * damaged stream ends in an error instead of in wrong values.
 *
 * Hand-written: c-blosc's wasm build (numcodecs) drops c-blosc's error code, lz4js' block decoder
 * checks no bound (a read past its input or before its output gives zeros), hyparquet's snappy
 * decoder takes a four-byte literal length as a negative number and walks backwards, and no npm
 * package decodes blosclz. Measured on the 1.62M-row benchmark files, these decode blosc:lz4 and
 * blosclz frames about as fast as c-blosc in wasm did (see README, "Speed").
 * @module
 */

/** Up to this many bytes a copy goes by words or bytes: `set`/`copyWithin` cost more to call. */
const SHORT_COPY = 64;

/**
 * Views of one stream's input and output, for copying 8 bytes at a time: a BigInt read and write
 * of a DataView, which V8 compiles to plain 64-bit moves (measured faster than 32-bit ones and
 * than byte loops; a float read could change a NaN's bits).
 */
interface Buffers {
  readonly src: Uint8Array;
  readonly out: Uint8Array;
  readonly srcView: DataView;
  readonly outView: DataView;
}

function buffers(src: Uint8Array, out: Uint8Array): Buffers {
  return {
    src,
    out,
    srcView: new DataView(src.buffer, src.byteOffset, src.byteLength),
    outView: new DataView(out.buffer, out.byteOffset, out.byteLength),
  };
}

/**
 * Copies `length` bytes of the input at `from` to the output at `to` (the caller checked both
 * ranges). A short run is copied as 16 bytes when both buffers have them, as lz4's own decoder
 * does: the bytes past `length` are written over by the sequences that follow, and a stream that
 * does not write them is refused. Kept this small so that V8 inlines it (measured: a third faster).
 */
function copyLiteral(b: Buffers, from: number, to: number, length: number): void {
  if (length <= 16 && from + 16 <= b.src.length && to + 16 <= b.out.length) {
    const { srcView, outView } = b;
    outView.setBigUint64(to, srcView.getBigUint64(from, true), true);
    outView.setBigUint64(to + 8, srcView.getBigUint64(from + 8, true), true);
  } else copyLongLiteral(b, from, to, length);
}

function copyLongLiteral(b: Buffers, from: number, to: number, length: number): void {
  const { src, out } = b;
  if (length < SHORT_COPY) {
    for (let k = 0; k < length; k++) out[to + k] = src[from + k];
  } else out.set(src.subarray(from, from + length), to);
}

/**
 * Repeats `length` bytes of the output starting `distance` back from `at` (checked by the caller).
 * An overlapping reference repeats the bytes it has just written, as in every LZ format. A short
 * match at a distance of 8 or more goes as 16 bytes, 8 a step (each read before its write), as
 * lz4's decoder copies it, writing bytes past `length` that later sequences write over.
 */
function copyMatch(b: Buffers, at: number, distance: number, length: number): void {
  if (distance >= 8 && length <= 16 && at + 16 <= b.out.length) {
    const { outView } = b;
    const from = at - distance;
    outView.setBigUint64(at, outView.getBigUint64(from, true), true);
    outView.setBigUint64(at + 8, outView.getBigUint64(from + 8, true), true);
  } else copyLongMatch(b, at, distance, length);
}

function copyLongMatch(b: Buffers, at: number, distance: number, length: number): void {
  const { out, outView } = b;
  let from = at - distance;
  const end = at + length;
  if (distance >= 8 && length <= SHORT_COPY && end + 8 <= out.length) {
    while (at < end) {
      outView.setBigUint64(at, outView.getBigUint64(from, true), true);
      at += 8;
      from += 8;
    }
  } else if (length < SHORT_COPY) {
    while (at < end) out[at++] = out[from++];
  } else {
    // Each piece repeats what lies between `from` and `at`: a whole number of periods.
    while (at < end) {
      const piece = Math.min(at - from, end - at);
      out.copyWithin(at, from, from + piece);
      at += piece;
    }
  }
}

/**
 * lz4's parsing limits (lz4_Block_format.md): the last 5 bytes are literals, and the last match
 * starts at least 12 bytes before the end.
 */
const LZ4_LAST_LITERALS = 5;
const LZ4_MATCH_LIMIT = 12;

/**
 * An lz4 block (lz4 and lz4hc frames), which must decode to exactly `out.length` bytes. Refuses
 * what lz4 1.9's `LZ4_decompress_safe` refuses (lengths past either buffer, references before the
 * start, a last sequence that is not literals ending the input) and a zero offset, which no
 * encoder writes.
 */
export function lz4Block(src: Uint8Array, out: Uint8Array): void {
  const b = buffers(src, out);
  const iend = src.length;
  const oend = out.length;
  let ip = 0;
  let op = 0;
  if (iend === 0) throw new Error("has an empty lz4 stream");
  while (true) {
    if (ip >= iend) throw new Error("has an lz4 stream cut short (no last literals)");
    const token = src[ip++];
    let length = token >> 4;
    if (length === 15) {
      let byte = 255;
      while (byte === 255) {
        if (ip >= iend) throw new Error("has an lz4 stream cut short (in a literal length)");
        byte = src[ip++];
        length += byte;
      }
    }
    if (ip + length > iend) throw new Error("has an lz4 stream cut short (in its literals)");
    if (op + length > oend) throw new Error(`has an lz4 stream longer than its ${oend} bytes`);
    copyLiteral(b, ip, op, length);
    ip += length;
    op += length;
    // lz4 decodes a sequence this close to either end as the last one: it must end the input.
    if (op > oend - LZ4_MATCH_LIMIT || ip > iend - (2 + 1 + LZ4_LAST_LITERALS)) {
      if (ip !== iend) throw new Error("has an lz4 stream whose last sequence is not its end");
      break;
    }
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) {
      throw new Error("has a damaged lz4 stream (a match reaches before its block)");
    }
    let matchLength = token & 15;
    if (matchLength === 15) {
      let byte = 255;
      while (byte === 255) {
        if (ip > iend - LZ4_LAST_LITERALS) {
          throw new Error("has an lz4 stream cut short (in a match length)");
        }
        byte = src[ip++];
        matchLength += byte;
      }
    }
    matchLength += 4;
    if (op + matchLength > oend - LZ4_LAST_LITERALS) {
      throw new Error(`has an lz4 stream longer than its ${oend} bytes`);
    }
    copyMatch(b, op, offset, matchLength);
    op += matchLength;
  }
  if (op !== oend) throw new Error(`has an lz4 stream of ${op} bytes, not ${oend}`);
}

/**
 * A raw snappy stream (its length varint, then tags), which must decode to exactly `out.length`
 * bytes, refused as snappy's `snappy_uncompress` refuses it: a length that is not the block's, a
 * tag or literal cut short, a copy from before the start (or offset 0) or past the end.
 */
export function snappyBlock(src: Uint8Array, out: Uint8Array): void {
  const b = buffers(src, out);
  const iend = src.length;
  const oend = out.length;
  let ip = 0;
  let declared = 0;
  for (let shift = 0;; shift += 7) {
    if (ip >= iend || shift > 28) throw new Error("has a snappy stream with a damaged length");
    const byte = src[ip++];
    if (shift === 28 && byte > 15) throw new Error("has a snappy stream with a damaged length");
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 128) break;
  }
  if (declared !== oend) throw new Error(`has a snappy stream of ${declared} bytes, not ${oend}`);
  let op = 0;
  while (ip < iend) {
    const tag = src[ip++];
    const kind = tag & 3;
    if (kind === 0) {
      let length = (tag >> 2) + 1;
      if (length > 60) {
        const extra = length - 60;
        if (ip + extra > iend) throw new Error("has a snappy stream cut short (in a length)");
        length = 0;
        for (let k = extra - 1; k >= 0; k--) length = length * 256 + src[ip + k];
        length += 1;
        ip += extra;
      }
      if (ip + length > iend) throw new Error("has a snappy stream cut short (in its literals)");
      if (op + length > oend) throw new Error(`has a snappy stream longer than its ${oend} bytes`);
      copyLiteral(b, ip, op, length);
      ip += length;
      op += length;
      continue;
    }
    let length: number;
    let offset: number;
    if (kind === 1) {
      if (ip + 1 > iend) throw new Error("has a snappy stream cut short (in a copy)");
      length = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[ip++];
    } else if (kind === 2) {
      if (ip + 2 > iend) throw new Error("has a snappy stream cut short (in a copy)");
      length = (tag >> 2) + 1;
      offset = src[ip] | (src[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > iend) throw new Error("has a snappy stream cut short (in a copy)");
      length = (tag >> 2) + 1;
      offset = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op) {
      throw new Error("has a damaged snappy stream (a copy reaches before its block)");
    }
    if (op + length > oend) throw new Error(`has a snappy stream longer than its ${oend} bytes`);
    copyMatch(b, op, offset, length);
    op += length;
  }
  if (op !== oend) throw new Error(`has a snappy stream of ${op} bytes, not ${oend}`);
}

/** blosclz's longest short distance; a longer one is stored in two more bytes beyond it. */
const BLOSCLZ_MAX_DISTANCE = 8191;

/**
 * A blosclz stream, which must decode to exactly `out.length` bytes: `blosclz_decompress` of
 * c-blosc 1.21 (blosclz.c) with the same bound checks, in the same order, so it refuses what
 * c-blosc refuses; every copy stays inside both buffers.
 */
export function blosclzBlock(src: Uint8Array, out: Uint8Array): void {
  const b = buffers(src, out);
  const ipLimit = src.length;
  const opLimit = out.length;
  let ip = 0;
  let op = 0;
  if (ipLimit === 0) throw new Error("has an empty blosclz stream");
  let ctrl = src[ip++] & 31;
  while (true) {
    if (ctrl >= 32) {
      let length = (ctrl >> 5) - 1;
      let distance = (ctrl & 31) << 8;
      let code: number;
      if (length === 7 - 1) {
        do {
          if (ip + 1 >= ipLimit) throw new Error("has a blosclz stream cut short (in a match)");
          code = src[ip++];
          length += code;
        } while (code === 255);
      } else if (ip + 1 >= ipLimit) throw new Error("has a blosclz stream cut short (in a match)");
      code = src[ip++];
      length += 3;
      let ref = op - distance - code;
      if (code === 255 && distance === 31 << 8) {
        if (ip + 1 >= ipLimit) throw new Error("has a blosclz stream cut short (in a match)");
        distance = (src[ip] << 8) + src[ip + 1];
        ip += 2;
        ref = op - distance - BLOSCLZ_MAX_DISTANCE;
      }
      if (op + length > opLimit) {
        throw new Error(`has a blosclz stream longer than its ${opLimit} bytes`);
      }
      if (ref - 1 < 0) throw new Error("has a damaged blosclz stream (a match before its block)");
      // c-blosc stops here when the input ends after a match, without copying it: the block then
      // comes out short, which the length check below refuses, as c-blosc does.
      if (ip >= ipLimit) break;
      ctrl = src[ip++];
      copyMatch(b, op, op - (ref - 1), length);
      op += length;
    } else {
      const length = ctrl + 1;
      if (op + length > opLimit) {
        throw new Error(`has a blosclz stream longer than its ${opLimit} bytes`);
      }
      if (ip + length > ipLimit) {
        throw new Error("has a blosclz stream cut short (in its literals)");
      }
      copyLiteral(b, ip, op, length);
      ip += length;
      op += length;
      if (ip >= ipLimit) break;
      ctrl = src[ip++];
    }
  }
  if (op !== opLimit) throw new Error(`has a blosclz stream of ${op} bytes, not ${opLimit}`);
}
