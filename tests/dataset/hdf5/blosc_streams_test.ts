import assert from "node:assert/strict";
import { blosclzBlock, lz4Block, snappyBlock } from "../../../lib/dataset/hdf5/_blosc_streams.ts";

// Streams written out by hand from each format's description: what each decoder makes of a valid
// one, and that each kind of damage ends in an error (c-blosc's decoders refuse the same).

type Decoder = (src: Uint8Array, out: Uint8Array) => void;

const text = (s: string): number[] => [...new TextEncoder().encode(s)];

function decoded(decode: Decoder, stream: number[], size: number): string {
  const out = new Uint8Array(size);
  decode(new Uint8Array(stream), out);
  return new TextDecoder().decode(out);
}

function refused(decode: Decoder, stream: number[], size: number, pattern: RegExp): void {
  assert.throws(() => decode(new Uint8Array(stream), new Uint8Array(size)), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

// lz4: token (literal length << 4 | match length - 4), literals, offset (LE16), more length bytes.
const LZ4_MATCH = [0x88, ...text("abcdefgh"), 8, 0, 0xa0, ...text("0123456789")];
const LZ4_RUN = [0x1f, ...text("a"), 1, 0, 1, 0x50, ...text("bcdef")];

Deno.test("lz4Block: literals, a match and an overlapping run", () => {
  assert.equal(decoded(lz4Block, [0x50, ...text("hello")], 5), "hello");
  assert.equal(decoded(lz4Block, LZ4_MATCH, 30), "abcdefghabcdefghabcd0123456789");
  assert.equal(decoded(lz4Block, LZ4_RUN, 26), "a".repeat(21) + "bcdef");
  // A literal length past 15 goes on in the next bytes (15 + 5).
  const twenty = "twenty bytes of text";
  assert.equal(decoded(lz4Block, [0xf0, 5, ...text(twenty)], 20), twenty);
  // A long run copied in pieces (offset 3, 200 bytes), then the last literals.
  const long = [0x3f, ...text("xyz"), 3, 0, 181, 0x50, ...text("12345")];
  assert.equal(decoded(lz4Block, long, 208), "xyz".repeat(67) + "xy" + "12345");
});

Deno.test("lz4Block: every kind of damage is refused", () => {
  const match = LZ4_MATCH;
  refused(lz4Block, match.toSpliced(9, 2, 0, 0), 30, /a match reaches before/);
  refused(lz4Block, match.toSpliced(9, 2, 9, 0), 30, /a match reaches before/);
  refused(lz4Block, match.slice(0, -1), 30, /cut short|not its end/);
  refused(lz4Block, [...match, 0], 30, /not its end|longer than/);
  refused(lz4Block, match.slice(0, 11), 30, /not its end/); // no last literals
  refused(lz4Block, [0x80, ...text("abc")], 8, /cut short/);
  refused(lz4Block, match, 29, /longer than/);
  refused(lz4Block, match, 31, /of 30 bytes, not 31|not its end/);
  // The last five bytes must be literals: a match ending three bytes before the end is refused.
  refused(lz4Block, [0x1f, ...text("a"), 1, 0, 255, 255, 4, 0x30, ...text("bcd")], 537, /longer/);
  refused(lz4Block, [], 4, /empty/);
  refused(lz4Block, [0xf0, 255, 255], 600, /cut short/);
});

// snappy: a varint of the length, then tags: literal (len - 1) << 2, copy-1 (offset < 2048, length
// 4..11), copy-2 and copy-4 (length 1..64) with their offsets.
const SNAPPY_COPIES = [
  14,
  0x0c,
  ...text("abcd"),
  0x11,
  4, // copy-1: length 8, offset 4
  0x04,
  ...text("xy"),
];

Deno.test("snappyBlock: literals and copies of each width", () => {
  assert.equal(decoded(snappyBlock, [5, 0x10, ...text("hello")], 5), "hello");
  assert.equal(decoded(snappyBlock, SNAPPY_COPIES, 14), "abcdabcdabcdxy");
  // copy-2 of 6 bytes at offset 2, and copy-4 of 3 bytes at offset 5.
  const wide = [11, 0x04, ...text("ab"), 0x16, 2, 0, 0x0b, 5, 0, 0, 0];
  assert.equal(decoded(snappyBlock, wide, 11), "abababab" + "bab");
  // A literal whose length takes one more byte (61 + 1 bytes).
  const long = "s".repeat(62);
  assert.equal(decoded(snappyBlock, [62, 0xf0, 61, ...text(long)], 62), long);
});

Deno.test("snappyBlock: every kind of damage is refused, none loops", () => {
  refused(snappyBlock, SNAPPY_COPIES.toSpliced(0, 1, 15), 14, /of 15 bytes, not 14/);
  refused(snappyBlock, SNAPPY_COPIES.toSpliced(7, 1, 0), 14, /reaches before/); // offset 0
  refused(snappyBlock, SNAPPY_COPIES.toSpliced(7, 1, 9), 14, /reaches before/);
  refused(snappyBlock, SNAPPY_COPIES.slice(0, -1), 14, /cut short/);
  refused(snappyBlock, [...SNAPPY_COPIES, 0x02], 14, /cut short/);
  refused(snappyBlock, [...SNAPPY_COPIES, 0x05, 1], 14, /longer than/);
  refused(snappyBlock, SNAPPY_COPIES.slice(0, 6), 14, /of 4 bytes, not 14/);
  refused(snappyBlock, [0x80, 0x80], 0, /damaged length/);
  refused(snappyBlock, [0xff, 0xff, 0xff, 0xff, 0x7f], 0, /damaged length/);
  // A four-byte literal length of 2^32: a decoder reading it as a signed number walks backwards.
  refused(snappyBlock, [4, 0xfc, 0xff, 0xff, 0xff, 0xff, ...text("abcd")], 4, /cut short/);
  refused(snappyBlock, [4, 0x07, 1, 0, 0, 0], 4, /reaches before/);
});

// blosclz: a first control byte (its low 5 bits) of literals; then either literals (ctrl < 32:
// ctrl + 1 bytes) or a match: ctrl = length code << 5 | distance high bits, then distance low.
const BLOSCLZ_MATCH = [3, ...text("abcd"), 0x60, 3, 1, ...text("xy")];

Deno.test("blosclzBlock: literals, a match, a run and a far match", () => {
  assert.equal(decoded(blosclzBlock, [4, ...text("hello")], 5), "hello");
  assert.equal(decoded(blosclzBlock, BLOSCLZ_MATCH, 11), "abcdabcdaxy");
  // A run (distance 1) of 6 + 4 + 3 = 13 bytes: length code 7, then 4 more in the next byte.
  const run = [0, ...text("r"), 0xe0, 4, 0, 0, ...text("s")];
  assert.equal(decoded(blosclzBlock, run, 15), "r".repeat(14) + "s");
  // A far match: distance bytes 31 << 8 | 255 mean 8191 + the next two bytes (+ 1).
  const far = new Uint8Array(8200);
  for (let i = 0; i < 8195; i++) far[i] = (i * 7) % 251;
  far.copyWithin(8195, 0, 5);
  const stream: number[] = [];
  for (let i = 0; i < 8195; i += 32) {
    const n = Math.min(32, 8195 - i);
    stream.push(n - 1, ...far.subarray(i, i + n));
  }
  stream.push(0x3f, 255, 0, 3, 0, far[3]); // 3 bytes from 8191 + 3 + 1 back, then a literal
  const out = new Uint8Array(8199);
  blosclzBlock(new Uint8Array(stream), out);
  assert.deepEqual(out.subarray(8195), far.subarray(0, 4));
});

Deno.test("blosclzBlock: every kind of damage is refused", () => {
  refused(blosclzBlock, BLOSCLZ_MATCH.toSpliced(6, 1, 10), 11, /before its block/);
  refused(blosclzBlock, BLOSCLZ_MATCH.slice(0, -1), 11, /cut short/);
  refused(blosclzBlock, BLOSCLZ_MATCH.slice(0, 7), 11, /cut short/); // ends after a match
  refused(blosclzBlock, [...BLOSCLZ_MATCH, 0], 11, /longer than/);
  refused(blosclzBlock, BLOSCLZ_MATCH, 10, /longer than/);
  refused(blosclzBlock, BLOSCLZ_MATCH, 12, /of 11 bytes, not 12/);
  refused(blosclzBlock, [9, ...text("abc")], 10, /cut short/);
  refused(blosclzBlock, [], 4, /empty/);
});
