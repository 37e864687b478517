import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { decodeBlosc } from "../../../lib/dataset/hdf5/_blosc.ts";
import { readChunkIndex } from "../../../lib/dataset/hdf5/chunks.ts";
import { openHdf5File } from "../../../lib/dataset/hdf5/file.ts";
import { mulberry32 } from "../../../lib/dataset/mod.ts";
import { mutate, type MutationKind } from "../../support/corruption_worker.ts";
import {
  C_BLOSC_CODECS,
  cBloscCompress,
  cBloscDecompress,
  cBloscPresent,
  type CompressJob,
} from "../../support/c_blosc.ts";

// blosc frames decoded frame by frame: the fixtures' frames (pandas wrote them through PyTables),
// frames c-blosc writes here with every codec, shuffle and split mode, and damaged copies of
// both, beside what c-blosc itself (Debian's libblosc1) makes of each.

const DIR = fileURLToPath(new URL("../../fixtures/compressors/", import.meta.url));

interface Frame {
  readonly what: string;
  readonly frame: Uint8Array;
  readonly expected: number;
}

/** Every blosc frame of a fixture file (the chunks its filter did not skip). */
async function fixtureFrames(name: string): Promise<Frame[]> {
  const path = DIR + name;
  const file = await openHdf5File(path);
  const datasets = file.children("ids_data").map((child) => `ids_data/${child}`)
    .filter((child) => file.kind(child) === "dataset");
  file.close();
  const frames: Frame[] = [];
  const bytes = await Deno.readFile(path);
  for (const dataset of datasets) {
    const index = await readChunkIndex(path, dataset);
    if (index === null || !index.filters.some((filter) => filter.id === 32001)) continue;
    const expected = index.chunkShape.reduce((a, b) => a * b, 1) * index.elementSize;
    index.chunks.forEach((chunk, i) => {
      if (chunk.filterMask !== 0) return;
      const frame = bytes.slice(chunk.address, chunk.address + chunk.size);
      frames.push({ what: `${name} ${dataset} chunk ${i}`, frame, expected });
    });
  }
  return frames;
}

/** Where each stream of a frame is: its length word, its length and the bytes it decodes to. */
function streamsOf(frame: Uint8Array): { lengthAt: number; cbytes: number; size: number }[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nbytes = view.getUint32(4, true);
  const blocksize = view.getUint32(8, true);
  const nblocks = Math.ceil(nbytes / blocksize);
  const streams = [];
  for (let j = 0; j < nblocks; j++) {
    // A block's streams follow each other up to the next block (or the end of the frame).
    const end = j + 1 < nblocks ? view.getInt32(16 + 4 * (j + 1), true) : frame.length;
    const bsize = j === nblocks - 1 && nbytes % blocksize > 0 ? nbytes % blocksize : blocksize;
    const block = [];
    for (let at = view.getInt32(16 + 4 * j, true); at < end;) {
      const cbytes = view.getInt32(at, true);
      block.push({ lengthAt: at, cbytes, size: 0 });
      at += 4 + cbytes;
    }
    streams.push(...block.map((s) => ({ ...s, size: bsize / block.length })));
  }
  return streams;
}

/** `frame` with one stream made `delta` bytes shorter (its last byte gone) or longer (a 0 added). */
function resized(frame: Uint8Array, lengthAt: number, delta: 1 | -1): Uint8Array {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const end = lengthAt + 4 + view.getInt32(lengthAt, true);
  const out = new Uint8Array(frame.length + delta);
  out.set(frame.subarray(0, delta < 0 ? end - 1 : end));
  out.set(frame.subarray(end), end + delta);
  const edit = new DataView(out.buffer);
  edit.setUint32(12, out.length, true);
  edit.setInt32(lengthAt, view.getInt32(lengthAt, true) + delta, true);
  const nblocks = Math.ceil(view.getUint32(4, true) / view.getUint32(8, true));
  for (let j = 0; j < nblocks; j++) {
    const start = view.getInt32(16 + 4 * j, true);
    if (start > lengthAt) edit.setInt32(16 + 4 * j, start + delta, true);
  }
  return out;
}

/** The error `decodeBlosc` ends in, or null when it decodes. */
function refusal(frame: Frame): Error | null {
  try {
    decodeBlosc(frame.frame, frame.expected);
    return null;
  } catch (error) {
    return error as Error;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

const FIXTURES = [
  "table_blosc_lz4.h5",
  "fixed_blosc_lz4.h5",
  "fixed_blosc_lz4_noshuffle.h5",
  "table_blosc_lz4hc_bitshuffle.h5",
  "fixed_blosc_lz4hc.h5",
  "table_blosc_blosclz.h5",
  "fixed_blosc_blosclz.h5",
  "fixed_blosc_snappy.h5",
  "fixed_blosc_zlib.h5",
  "fixed_blosc_zstd.h5",
];

Deno.test("decodeBlosc: a stream one byte short or one byte long fails its chunk, every codec", async () => {
  const bad: string[] = [];
  let tried = 0;
  for (const name of FIXTURES) {
    const frames = await fixtureFrames(name);
    assert.ok(frames.length > 0, name);
    // zlib and zstd end where their stream says (trailing bytes are ignored, as c-blosc does).
    const deltas: (1 | -1)[] = /zlib|zstd/.test(name) ? [-1] : [-1, 1];
    for (const frame of frames) {
      assert.ok(
        sameBytes(
          decodeBlosc(frame.frame, frame.expected),
          decodeBlosc(frame.frame.slice(), frame.expected),
        ),
      );
      for (const stream of streamsOf(frame.frame)) {
        for (const delta of deltas) {
          // A stream as long as its output is stored: its length alone says so.
          if (stream.cbytes + delta === stream.size || stream.cbytes === stream.size) continue;
          tried++;
          const damaged = { ...frame, frame: resized(frame.frame, stream.lengthAt, delta) };
          const error = refusal(damaged);
          if (error === null) {
            bad.push(`${frame.what}: stream at ${stream.lengthAt} ${delta} decoded`);
          } else if (/\n/.test(error.message)) bad.push(`${frame.what}: ${error.message}`);
        }
      }
    }
  }
  assert.deepEqual(bad, []);
  assert.ok(tried > 300, `${tried} damaged streams`);
});

Deno.test("decodeBlosc: each damaged header field is refused in one line", async () => {
  const [base] = await fixtureFrames("table_blosc_lz4.h5");
  const { frame, expected } = base;
  assert.ok(decodeBlosc(frame, expected).length === expected);
  const edited = (edit: (view: DataView) => void): Uint8Array => {
    const copy = frame.slice();
    edit(new DataView(copy.buffer));
    return copy;
  };
  const firstBlock = new DataView(frame.buffer, frame.byteOffset).getInt32(16, true);
  const cases: [string, Uint8Array, number, RegExp][] = [
    ["cut to 10 bytes", frame.slice(0, 10), expected, /too short for a blosc header/],
    ["format version 1", edited((v) => v.setUint8(0, 1)), expected, /blosc format version 1/],
    ["format version 3", edited((v) => v.setUint8(0, 3)), expected, /blosc format version 3/],
    ["codec version 2", edited((v) => v.setUint8(1, 2)), expected, /lz4 format version 2/],
    ["a flag from the future", edited((v) => v.setUint8(2, frame[2] | 8)), expected, /predates/],
    ["codec format 6", edited((v) => v.setUint8(2, (6 << 5) | 1)), expected, /does not exist/],
    ["type size 0", edited((v) => v.setUint8(3, 0)), expected, /type size of 0/],
    ["another size", frame, expected + 8, /holds \d+ blosc bytes, not \d+/],
    ["block size 0", edited((v) => v.setUint32(8, 0, true)), expected, /block size of 0/],
    ["a block larger", edited((v) => v.setUint32(8, expected + 1, true)), expected, /block size/],
    [
      "a longer frame",
      edited((v) => v.setUint32(12, frame.length + 1, true)),
      expected,
      /says it is/,
    ],
    ["a block outside", edited((v) => v.setInt32(16, frame.length, true)), expected, /outside/],
    ["a negative stream", edited((v) => v.setInt32(firstBlock, -5, true)), expected, /overrunning/],
    [
      "a stream overrunning",
      edited((v) => v.setInt32(firstBlock, frame.length, true)),
      expected,
      /overrunning/,
    ],
    [
      "a stored frame cut",
      edited((v) => v.setUint8(2, frame[2] | 2)),
      expected,
      /stored blosc frame/,
    ],
  ];
  for (const [what, damaged, size, pattern] of cases) {
    assert.throws(() => decodeBlosc(damaged, size), (error: unknown) => {
      assert.ok(error instanceof Error, what);
      assert.match(error.message, pattern, what);
      assert.doesNotMatch(error.message, /\n/, what);
      return true;
    });
  }
  // A stored frame: the bytes as they are, after the header.
  const stored = new Uint8Array(16 + 40).map((_, i) => i);
  stored.set([2, 1, 0x02, 1, 40, 0, 0, 0, 40, 0, 0, 0, 56, 0, 0, 0]);
  assert.deepEqual(decodeBlosc(stored, 40), stored.subarray(16));
});

/** Bytes shaped like each kind of column, from a seed. */
function columnBytes(kind: string, size: number, seed: number): Uint8Array {
  const random = mulberry32(seed);
  const out = new Uint8Array(size);
  if (kind === "floats") {
    const values = new Float64Array(Math.ceil(size / 8));
    let walk = 1000;
    for (let i = 0; i < values.length; i++) values[i] = walk += random() - 0.5;
    out.set(new Uint8Array(values.buffer).subarray(0, size));
  } else if (kind === "ints") {
    const values = new Int32Array(Math.ceil(size / 4)).map(() => Math.floor(random() * 300));
    out.set(new Uint8Array(values.buffer).subarray(0, size));
  } else if (kind === "labels") {
    const labels = ["Benign", "DoS attacks-Hulk", "Bot", "Infilteration"];
    const text = Array.from({ length: size }, () => labels[Math.floor(random() * 4)]).join("");
    out.set(new TextEncoder().encode(text).subarray(0, size));
  } else if (kind === "noise") {
    for (let i = 0; i < size; i++) out[i] = Math.floor(random() * 256);
  }
  return out;
}

/** Type size, byte count, kind of bytes and block size (0: c-blosc's choice) of the frames. */
const SHAPES: [number, number, string, number][] = [
  [1, 5000, "labels", 0],
  [2, 6002, "ints", 0],
  [4, 40000, "ints", 0],
  [8, 65536 + 24, "floats", 0], // a last block shorter than the others
  [8, 100000, "floats", 4096], // many blocks
  [3, 9999, "floats", 0], // bytes past the last whole element
  [17, 17 * 300 + 5, "labels", 0], // too wide to split
  [8, 8 * 13, "floats", 0], // too few elements to bitshuffle
  [8, 4000, "noise", 0], // incompressible: a stored frame
  [255, 255 * 40, "floats", 0],
  [8, 0, "floats", 0],
];

function compressJobs(): CompressJob[] {
  const jobs: CompressJob[] = [];
  let seed = 1;
  for (let codec = 0; codec < C_BLOSC_CODECS.length; codec++) {
    for (const shuffle of [0, 1, 2]) {
      for (const splitMode of [1, 2, 4]) {
        for (const [typesize, size, kind, blocksize] of SHAPES) {
          const data = columnBytes(kind, size, seed++);
          jobs.push({ data, codec, shuffle, typesize, clevel: 5, splitMode, blocksize });
        }
      }
    }
  }
  return jobs;
}

const describe = (job: CompressJob): string =>
  `${C_BLOSC_CODECS[job.codec]} shuffle ${job.shuffle} split ${job.splitMode} typesize ` +
  `${job.typesize} ${job.data.length} bytes`;

Deno.test({
  name: "decodeBlosc: every frame c-blosc writes (each codec, shuffle, split) gives its bytes back",
  ignore: !cBloscPresent,
  fn: async () => {
    const jobs = compressJobs();
    const frames = await cBloscCompress(jobs);
    const flags = new Set(frames.map((frame) => frame[2]));
    // The frames cover stored ones, split and unsplit ones, byte- and bit-shuffled ones.
    for (const flag of [0x02, 0x10, 0x01, 0x04]) {
      assert.ok([...flags].some((f) => (f & flag) !== 0), `flag ${flag}`);
    }
    const back = await cBloscDecompress(
      frames.map((frame, i) => ({ frame, expected: jobs[i].data.length })),
    );
    const bad: string[] = [];
    let unreadable = 0;
    frames.forEach((frame, i) => {
      const job = jobs[i];
      const frameOf = { what: describe(job), frame, expected: job.data.length };
      if (back[i].code === job.data.length && sameBytes(back[i].bytes, job.data)) {
        const error = refusal(frameOf);
        if (error !== null) bad.push(`${describe(job)}: ${error.message}`);
        else if (!sameBytes(decodeBlosc(frame, job.data.length), job.data)) bad.push(describe(job));
        return;
      }
      // c-blosc 1.21 told to always split splits elements wider than 16 bytes too, then reads
      // those frames as unsplit and fails: they must fail here as well, not decode to other bytes.
      unreadable++;
      if (job.splitMode !== 1 || job.typesize <= 16) {
        bad.push(`c-blosc cannot read ${describe(job)}`);
      }
      if (refusal(frameOf) === null) bad.push(`${describe(job)}: decoded what c-blosc cannot`);
    });
    assert.deepEqual(bad, []);
    assert.ok(unreadable < jobs.length / 20, `${unreadable} frames c-blosc cannot read`);
  },
});

const MUTATIONS: MutationKind[] = ["bitflip", "zero", "copy"];

Deno.test({
  name: "decodeBlosc: a damaged frame fails whenever c-blosc fails, and never decodes otherwise",
  ignore: !cBloscPresent,
  fn: async () => {
    const jobs = compressJobs().filter((job) => job.data.length > 0);
    const written = await cBloscCompress(jobs);
    const originals: Frame[] = written.map((frame, i) => ({
      what: describe(jobs[i]),
      frame,
      expected: jobs[i].data.length,
    }));
    for (const name of ["table_blosc_lz4.h5", "fixed_blosc_blosclz.h5", "fixed_blosc_snappy.h5"]) {
      originals.push(...await fixtureFrames(name));
    }
    const mutants: Frame[] = [];
    originals.forEach((original, i) => {
      for (let k = 0; k < 3; k++) {
        const kind = MUTATIONS[(i + k) % MUTATIONS.length];
        const seed = 7919 * i + k;
        const frame = mutate(original.frame, kind, seed);
        mutants.push({ ...original, what: `${original.what} ${kind} ${seed}`, frame });
      }
    });
    // c-blosc trusts the header's frame length (it is not told the real one): those frames, which
    // decodeBlosc refuses by their header alone, are not given to it.
    const told = (frame: Uint8Array) =>
      frame.length >= 16 &&
      new DataView(frame.buffer, frame.byteOffset).getUint32(12, true) === frame.length;
    const asked = mutants.filter((mutant) => told(mutant.frame));
    const answers = await cBloscDecompress(asked);
    const bad: string[] = [];
    const counts = { cBloscRefused: 0, refused: 0, alsoRefused: 0 };
    for (const mutant of mutants) {
      const error = refusal(mutant);
      if (error !== null) counts.refused++;
      if (error !== null && /\n/.test(error.message)) bad.push(`${mutant.what}: ${error.message}`);
      const index = asked.indexOf(mutant);
      if (index < 0) {
        if (error === null) bad.push(`${mutant.what}: decoded a frame of the wrong length`);
        continue;
      }
      const answer = answers[index];
      if (answer.code !== mutant.expected) {
        counts.cBloscRefused++;
        if (error === null) bad.push(`${mutant.what}: decoded what c-blosc refuses`);
      } else if (error === null) {
        // zstd promises only to stay in bounds on a damaged stream: two zstd builds (c-blosc's
        // and Deno's) may write different bytes for one they do not notice. Others must agree.
        const decoded = decodeBlosc(mutant.frame, mutant.expected);
        const zstd = mutant.frame[2] >> 5 === 4;
        if (!zstd && !sameBytes(decoded, answer.bytes)) {
          bad.push(`${mutant.what}: other bytes than c-blosc`);
        }
      } else counts.alsoRefused++;
    }
    assert.deepEqual(bad, []);
    assert.ok(mutants.length > 1000, `${mutants.length} mutants`);
    // The damage is noticed often (not all mutants are harmless), and decodeBlosc refuses more.
    assert.ok(counts.cBloscRefused > mutants.length / 4, JSON.stringify(counts));
    assert.ok(counts.refused >= counts.cBloscRefused, JSON.stringify(counts));
  },
});
