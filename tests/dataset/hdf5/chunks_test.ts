import assert from "node:assert/strict";
import h5wasm from "h5wasm/node";
import { InputError } from "../../../lib/errors.ts";
import { openHdf5File } from "../../../lib/dataset/hdf5/file.ts";
import {
  type ChunkIndex,
  readChunk,
  readChunkIndex,
  readChunks,
  readRowBytes,
  scanChunkRows,
} from "../../../lib/dataset/hdf5/chunks.ts";
import { SHARED_DATASETS, sharedDatasetsPresent } from "../../support/shared_datasets.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);

function fixture(name: string): string {
  return new URL(name, FIXTURES).pathname;
}

function shared(name: string): string {
  return SHARED_DATASETS + name;
}

type H5Value = number | bigint | string | H5Value[];
type FieldType = [string, string, number[]?];

/** What h5wasm reads for a dataset: its dtype and its value (rows of fields, or a typed array). */
async function h5wasmRead(
  path: string,
  dataset: string,
): Promise<{ dtype: unknown; value: unknown }> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, "r");
  try {
    const node = file.get(dataset) as InstanceType<typeof h5wasm.Dataset>;
    return { dtype: node.dtype, value: node.value };
  } finally {
    file.close();
  }
}

/** Decodes one value of format `format` (h5wasm's struct-like codes) at `offset`; returns it and its size. */
function decodeValue(view: DataView, offset: number, format: string): [H5Value, number] {
  const match = /^([<>|]?)([a-zA-Z])(\d*)$/.exec(format);
  assert.ok(match, `format ${format}`);
  const little = match[1] !== ">";
  const count = Number(match[3] || "0");
  switch (match[2]) {
    case "b":
      return [view.getInt8(offset), 1];
    case "B":
      return [view.getUint8(offset), 1];
    case "h":
      return [view.getInt16(offset, little), 2];
    case "H":
      return [view.getUint16(offset, little), 2];
    case "i":
      return [view.getInt32(offset, little), 4];
    case "I":
      return [view.getUint32(offset, little), 4];
    case "q":
      return [view.getBigInt64(offset, little), 8];
    case "Q":
      return [view.getBigUint64(offset, little), 8];
    case "f":
      return [view.getFloat32(offset, little), 4];
    case "d":
      return [view.getFloat64(offset, little), 8];
    case "A":
    case "S": {
      const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, count);
      const end = bytes.indexOf(0);
      // h5wasm decodes ASCII-set strings byte by byte, as windows-1252: compare the same way.
      const text = new TextDecoder("windows-1252").decode(end < 0 ? bytes : bytes.subarray(0, end));
      return [text, count];
    }
  }
  throw new Error(`format ${format} not handled by the test`);
}

function sameValue(actual: H5Value, expected: H5Value, where: string): void {
  if (typeof actual === "bigint" && typeof expected === "number") {
    // h5wasm gives int64 members of array fields as numbers.
    assert.equal(Number(actual), expected, where);
  } else if (typeof expected === "number" && typeof actual === "number") {
    assert.ok(
      Object.is(actual, expected) || actual === expected,
      `${where}: ${actual} != ${expected}`,
    );
  } else {
    assert.deepEqual(actual, expected, where);
  }
}

/** Every row of the dataset, read chunk by chunk with readChunk. */
async function allRowBytes(path: string, index: ChunkIndex): Promise<Uint8Array> {
  const rows = index.shape[0];
  const rowBytes = index.shape.slice(1).reduce((a, b) => a * b, 1) * index.elementSize;
  const all = new Uint8Array(rows * rowBytes);
  const file = await Deno.open(path);
  try {
    for (let c = 0; c < index.chunks.length; c++) {
      const bytes = await readChunk(file, index, c);
      assert.equal(bytes.length, index.chunkShape.reduce((a, b) => a * b, index.elementSize));
      const start = index.chunks[c].start;
      const take = Math.min(index.chunkShape[0], rows - start) * rowBytes;
      all.set(bytes.subarray(0, take), start * rowBytes);
    }
  } finally {
    file.close();
  }
  return all;
}

/** Every row of `dataset` read through chunks: decoded field by field, equal to what h5wasm reads. */
async function assertRowsMatchH5wasm(
  path: string,
  dataset: string,
  index: ChunkIndex,
): Promise<void> {
  const { dtype, value } = await h5wasmRead(path, dataset);
  const rows = index.shape[0];
  const all = await allRowBytes(path, index);
  if (Array.isArray(dtype)) {
    const fields = dtype as FieldType[];
    const view = new DataView(all.buffer);
    const values = value as H5Value[][];
    assert.equal(values.length, rows);
    for (let r = 0; r < rows; r++) {
      let offset = r * index.elementSize;
      fields.forEach(([name, format, shape], f) => {
        const count = shape?.reduce((a, b) => a * b, 1);
        if (count === undefined) {
          const [decoded, size] = decodeValue(view, offset, format);
          sameValue(decoded, values[r][f], `row ${r} ${name}`);
          offset += size;
        } else {
          const expected = values[r][f] as H5Value[];
          for (let i = 0; i < count; i++) {
            const [decoded, size] = decodeValue(view, offset, format);
            sameValue(decoded, expected[i], `row ${r} ${name}[${i}]`);
            offset += size;
          }
        }
      });
      assert.equal(offset, (r + 1) * index.elementSize, `row ${r}: fields fill the element`);
    }
  } else {
    const typed = value as ArrayBufferView;
    assert.deepEqual(all, new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
  }
}

async function indexOf(path: string, dataset: string): Promise<ChunkIndex> {
  const index = await readChunkIndex(path, dataset);
  assert.ok(index !== null, `${path} ${dataset}: expected a chunk index`);
  return index;
}

function assertChunkGrid(index: ChunkIndex): void {
  const expectedCount = Math.ceil(index.shape[0] / index.chunkShape[0]);
  assert.equal(index.chunks.length, expectedCount);
  index.chunks.forEach((chunk, i) => {
    assert.equal(chunk.start, i * index.chunkShape[0]);
    assert.equal(chunk.filterMask, 0);
    assert.ok(chunk.size > 0);
  });
}

async function collect(
  path: string,
  index: ChunkIndex,
  chunks: readonly number[],
  concurrency: number,
): Promise<{ chunk: number; bytes: Uint8Array }[]> {
  const out = [];
  for await (const item of readChunks(path, index, chunks, { concurrency })) out.push(item);
  return out;
}

Deno.test({
  name: "readChunkIndex reads the ML-IDS sample table (shuffle + deflate) byte for byte",
  ignore: !sharedDatasetsPresent,
  async fn() {
    const path = shared("cse-cic-ids2018-sample.h5");
    const index = await indexOf(path, "/ids_data/table");
    assert.equal(index.elementSize, 334);
    assert.deepEqual(index.shape, [1000]);
    assert.deepEqual(index.chunkShape, [196]);
    assert.deepEqual(index.filters, [
      { id: 2, name: "shuffle", clientData: [334] },
      { id: 1, name: "deflate", clientData: [5] },
    ]);
    assertChunkGrid(index);
    await assertRowsMatchH5wasm(path, "/ids_data/table", index);

    // The index field (first 8 bytes of a row) is the pandas index of expected.json.
    const expected = JSON.parse(
      await Deno.readTextFile(shared("cse-cic-ids2018-sample.expected.json")),
    );
    const got: number[] = [];
    for await (const { chunk, bytes } of readChunks(path, index, index.chunks.map((_, i) => i))) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const rows = Math.min(index.chunkShape[0], 1000 - index.chunks[chunk].start);
      for (let r = 0; r < rows; r++) got.push(Number(view.getBigInt64(r * 334, true)));
    }
    assert.deepEqual(got, expected.index);
    const field = await readRowBytes(path, index, { byteLength: 8 });
    assert.deepEqual(Array.from(new BigInt64Array(field.buffer), Number), expected.index);
  },
});

Deno.test({
  name: "readChunkIndex reads uncompressed tables and categorical meta tables",
  ignore: !sharedDatasetsPresent,
  async fn() {
    const path = shared("sample-table-categorical.h5");
    const index = await indexOf(path, "/ids_data/table");
    assert.deepEqual(index.filters, []);
    assert.equal(index.elementSize, 306);
    assertChunkGrid(index);
    await assertRowsMatchH5wasm(path, "/ids_data/table", index);
    const meta = await indexOf(path, "ids_data/meta/label/meta/table");
    await assertRowsMatchH5wasm(path, "/ids_data/meta/label/meta/table", meta);
  },
});

Deno.test({
  name: "readChunkIndex gives null for the fixed format's contiguous and variable-length datasets",
  ignore: !sharedDatasetsPresent,
  async fn() {
    const path = shared("sample-fixed.h5");
    assert.equal(await readChunkIndex(path, "/ids_data/block0_values"), null);
    assert.equal(await readChunkIndex(path, "/ids_data/axis1"), null);
    assert.equal(await readChunkIndex(path, "/ids_data/block2_values"), null); // pickled strings (vlen)
  },
});

const FILTER_CASES: {
  file: string;
  dataset: string;
  filters: number[];
  rows: number;
  chunk: number;
}[] = [
  // pandas' own table format (zlib 5 with shuffle), from dev/make_fixtures.py.
  { file: "table_zlib.h5", dataset: "/ids_data/table", filters: [2, 1], rows: 300, chunk: 585 },
  { file: "chunks_plain.h5", dataset: "/data/table", filters: [], rows: 120, chunk: 50 },
  { file: "chunks_zlib.h5", dataset: "/data/table", filters: [1], rows: 333, chunk: 40 },
  { file: "chunks_shuffle_zlib.h5", dataset: "/data/table", filters: [2, 1], rows: 333, chunk: 64 },
  { file: "chunks_fletcher32.h5", dataset: "/data/table", filters: [3], rows: 200, chunk: 32 },
  {
    file: "chunks_fletcher32_zlib.h5",
    dataset: "/data/table",
    filters: [3, 2, 1],
    rows: 200,
    chunk: 32,
  },
  { file: "chunks_btree.h5", dataset: "/data/table", filters: [2, 1], rows: 1500, chunk: 7 },
];

for (const { file, dataset, filters, rows, chunk } of FILTER_CASES) {
  Deno.test(`readChunk decodes ${file} exactly as h5wasm reads it`, async () => {
    const path = fixture(file);
    const index = await indexOf(path, dataset);
    assert.deepEqual(index.filters.map((f) => f.id).toSorted(), filters.toSorted());
    assert.deepEqual(index.shape, [rows]);
    assert.deepEqual(index.chunkShape, [chunk]);
    assertChunkGrid(index);
    await assertRowsMatchH5wasm(path, dataset, index);
  });
}

for (const { file, dataset } of FILTER_CASES) {
  Deno.test(`readRowBytes takes fields and scattered rows of ${file} as readChunk decodes them`, async () => {
    const path = fixture(file);
    const index = await indexOf(path, dataset);
    const size = index.elementSize;
    const rows = index.shape[0];
    const all = await allRowBytes(path, index);
    for (const concurrency of [1, 2]) {
      assert.deepEqual(await readRowBytes(path, index, { concurrency }), all);
      // The int64 "index" field, and a field in the middle of the row, of every row.
      const first = await readRowBytes(path, index, { byteLength: 8, concurrency });
      const middle = await readRowBytes(path, index, { byteOffset: 8, byteLength: 4, concurrency });
      for (let r = 0; r < rows; r++) {
        assert.deepEqual(first.subarray(r * 8, r * 8 + 8), all.subarray(r * size, r * size + 8));
        assert.deepEqual(
          middle.subarray(r * 4, r * 4 + 4),
          all.subarray(r * size + 8, r * size + 12),
        );
      }
      // Scattered rows, out of order and repeated, whole.
      const wanted = Array.from({ length: 97 }, (_, i) => (i * 7919) % rows).concat([
        rows - 1,
        0,
        rows - 1,
      ]);
      const some = await readRowBytes(path, index, { rows: wanted, concurrency });
      assert.equal(some.length, wanted.length * size);
      wanted.forEach((row, slot) =>
        assert.deepEqual(
          some.subarray(slot * size, (slot + 1) * size),
          all.subarray(row * size, (row + 1) * size),
        )
      );
    }
  });
}

for (const { file, dataset } of FILTER_CASES) {
  Deno.test(`scanChunkRows yields every chunk of ${file} in row order, its rows as readRowBytes reads them`, async () => {
    const path = fixture(file);
    const index = await indexOf(path, dataset);
    const size = index.elementSize;
    const all = await allRowBytes(path, index);
    for (const concurrency of [1, 2]) {
      let next = 0;
      for await (const chunk of scanChunkRows(path, index, { concurrency })) {
        assert.equal(chunk.start, next);
        assert.equal(chunk.rowBytes, size);
        const whole = new Uint8Array(chunk.count * size);
        chunk.copyRange({ from: 0, to: chunk.count }, whole);
        assert.deepEqual(whole, all.subarray(next * size, (next + chunk.count) * size));
        const field = new Uint8Array(4 * chunk.count);
        chunk.copyRange({ from: 0, to: chunk.count }, field, { byteOffset: 8, byteLength: 4 });
        const one = new Uint8Array(size + 3);
        for (let r = 0; r < chunk.count; r++) {
          const row = all.subarray((next + r) * size, (next + r + 1) * size);
          assert.deepEqual(field.subarray(r * 4, r * 4 + 4), row.subarray(8, 12));
          chunk.copyRow(r, one, { at: 3 });
          assert.deepEqual(one.subarray(3), row);
        }
        assert.throws(() => chunk.copyRow(chunk.count, one), RangeError);
        next += chunk.count;
      }
      assert.equal(next, index.shape[0]);
    }
  });
}

Deno.test("readRowBytes takes row ranges, across chunk edges, with and without workers", async () => {
  const path = fixture("chunks_btree.h5");
  const index = await indexOf(path, "/data/table");
  const size = index.elementSize;
  const all = await allRowBytes(path, index);
  for (const concurrency of [1, 2]) {
    for (const [start, end] of [[0, 1500], [3, 10], [6, 7], [500, 1499], [700, 700]]) {
      assert.deepEqual(
        await readRowBytes(path, index, { start, end, concurrency }),
        all.subarray(start * size, end * size),
        `rows ${start}-${end}`,
      );
      const field = await readRowBytes(path, index, {
        start,
        end,
        byteOffset: 16,
        byteLength: 4,
        concurrency,
      });
      for (let r = start; r < end; r++) {
        const at = (r - start) * 4;
        assert.deepEqual(field.subarray(at, at + 4), all.subarray(r * size + 16, r * size + 20));
      }
    }
  }
  await assert.rejects(readRowBytes(path, index, { start: 10, end: 5 }), RangeError);
  await assert.rejects(readRowBytes(path, index, { start: 0, end: 1501 }), RangeError);
});

Deno.test("readRowBytes equals h5wasm's reads of pandas tables, fixed-format blocks and a user block", async () => {
  const cases: [string, string][] = [
    ["table_zlib.h5", "ids_data/table"], // zlib + shuffle, compound rows
    ["table_plain.h5", "ids_data/table"], // chunked, no filters
    ["userblock.h5", "ids_data/table"], // addresses after a 512-byte user block
    ["table_categorical.h5", "ids_data/table"],
    ["table_categorical.h5", "ids_data/meta/label/meta/table"],
    ["fixed_zlib.h5", "ids_data/block0_values"], // 2-D rows, shuffled over 8-byte elements
    ["fixed_zlib.h5", "ids_data/block1_values"],
    ["fixed_zlib.h5", "ids_data/axis1"], // the index
  ];
  for (const [name, dataset] of cases) {
    const path = fixture(name);
    const index = await indexOf(path, `/${dataset}`);
    const file = await openHdf5File(path);
    try {
      const info = file.dataset(dataset);
      const total = info.shape?.[0] ?? 0;
      const spans = info.type.members
        ? info.type.members.map((m) => [m.offset, m.size])
        : [[0, info.rowBytes], [info.type.size, info.rowBytes - info.type.size]];
      for (const [byteOffset, byteLength] of spans) {
        const where = `${name} ${dataset} bytes ${byteOffset}+${byteLength}`;
        assert.deepEqual(
          await readRowBytes(path, index, { byteOffset, byteLength }),
          file.readRowBytes(info, { byteOffset, byteLength }),
          where,
        );
      }
      const rows = [total - 1, 0, Math.floor(total / 2), 1, 1, total - 2, 0];
      assert.deepEqual(
        await readRowBytes(path, index, { rows }),
        file.readRowBytes(info, { rows }),
        `${name} ${dataset} scattered rows`,
      );
    } finally {
      file.close();
    }
  }
});

Deno.test("readRowBytes refuses rows and byte ranges outside the dataset", async () => {
  const path = fixture("chunks_zlib.h5");
  const index = await indexOf(path, "/data/table");
  await assert.rejects(readRowBytes(path, index, { rows: [0, 333] }), RangeError);
  await assert.rejects(readRowBytes(path, index, { rows: [-1] }), RangeError);
  await assert.rejects(readRowBytes(path, index, { byteOffset: 20, byteLength: 10 }), RangeError);
  assert.equal((await readRowBytes(path, index, { rows: [] })).length, 0);
});

Deno.test("readChunkIndex walks a chunk B-tree with internal nodes", async () => {
  const index = await indexOf(fixture("chunks_btree.h5"), "/data/table");
  // A leaf of the chunk B-tree holds at most 64 chunks, so 215 need a second level.
  assert.equal(index.chunks.length, 215);
  assert.equal(new Set(index.chunks.map((c) => c.address)).size, 215);
});

Deno.test("readChunks yields decoded chunks in the order asked, with and without workers", async () => {
  const path = fixture("chunks_btree.h5");
  const index = await indexOf(path, "/data/table");
  const order = index.chunks.map((_, i) => (i * 37) % index.chunks.length); // 215 is coprime to 37
  const file = await Deno.open(path);
  try {
    const expected: Uint8Array[] = [];
    for (const c of order) expected.push(await readChunk(file, index, c));
    for (const concurrency of [1, 2, 3]) {
      const got = await collect(path, index, order, concurrency);
      assert.deepEqual(got.map((g) => g.chunk), order);
      got.forEach((g, i) =>
        assert.deepEqual(g.bytes, expected[i], `concurrency ${concurrency} chunk ${g.chunk}`)
      );
    }
    // Stopping early ends cleanly (the workers are terminated by the generator's finally).
    for await (const { chunk } of readChunks(path, index, order, { concurrency: 2 })) {
      assert.equal(chunk, order[0]);
      break;
    }
  } finally {
    file.close();
  }
});

Deno.test("readRowBytes decodes blosc, bzip2 and lzf chunks to the bytes of the zlib copy", async () => {
  const dir = "compressors/table_";
  const zlib = fixture(`${dir}zlib.h5`);
  const want = await readRowBytes(zlib, await indexOf(zlib, "/ids_data/table"));
  for (const stem of ["blosc_lz4", "blosc_zstd_bitshuffle", "bzip2", "lzf"]) {
    const path = fixture(`${dir}${stem}.h5`);
    const got = await readRowBytes(path, await indexOf(path, "/ids_data/table"));
    assert.deepEqual(got, want, stem);
  }
});

Deno.test("readChunk and readChunks refuse lzo chunks, naming the filter", async () => {
  const path = fixture("compressors/table_lzo.h5");
  const index = await indexOf(path, "/ids_data/table");
  assert.ok(index.filters.some((f) => f.id === 305 && f.name === "lzo"));
  const file = await Deno.open(path);
  try {
    await assert.rejects(readChunk(file, index, 0), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /lzo/);
      assert.match(error.message, /305/);
      return true;
    });
  } finally {
    file.close();
  }
  await assert.rejects(collect(path, index, [0, 1], 2), InputError);
});

Deno.test("a chunk failing its Fletcher-32 checksum is an InputError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bad.h5`;
    await Deno.copyFile(fixture("chunks_fletcher32.h5"), path);
    const index = await indexOf(path, "/data/table");
    const bytes = await Deno.readFile(path);
    bytes[index.chunks[1].address + 10] ^= 0x40;
    await Deno.writeFile(path, bytes);
    const file = await Deno.open(path);
    try {
      await readChunk(file, index, 0); // untouched
      await assert.rejects(readChunk(file, index, 1), /Fletcher-32/);
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readChunkIndex finds datasets in big and nested groups, and reads N-D row chunks", async () => {
  const path = fixture("chunks_groups.h5");
  for (let i = 0; i < 12; i++) {
    const dataset = `/many/t${String(i).padStart(2, "0")}`;
    const index = await indexOf(path, dataset);
    assert.deepEqual(index.shape, [10 + i]);
    if (i % 5 === 0) await assertRowsMatchH5wasm(path, dataset, index);
  }
  const nested = await indexOf(path, "/outer/inner/table");
  await assertRowsMatchH5wasm(path, "/outer/inner/table", nested);

  const rows2d = await indexOf(path, "/rows2d");
  assert.deepEqual(rows2d.shape, [90, 6]);
  assert.deepEqual(rows2d.chunkShape, [16, 6]);
  assert.equal(rows2d.elementSize, 8);
  await assertRowsMatchH5wasm(path, "/rows2d", rows2d);
});

Deno.test("readChunkIndex gives null outside the supported subset", async () => {
  const path = fixture("chunks_groups.h5");
  assert.equal(await readChunkIndex(path, "/split2d"), null); // chunks split the columns
  assert.equal(await readChunkIndex(path, "/contiguous"), null);
  assert.equal(await readChunkIndex(path, "/many"), null); // a group
  assert.equal(await readChunkIndex(path, "/many/missing"), null);
  assert.equal(await readChunkIndex(path, "/many/t00/deeper"), null);

  const dir = await Deno.makeTempDir();
  try {
    // h5wasm writes the latest format: superblock 2+, version-2 object headers.
    const latest = `${dir}/latest.h5`;
    await h5wasm.ready;
    const file = new h5wasm.File(latest, "w");
    try {
      file.create_dataset({
        name: "data",
        data: new Float64Array(100),
        shape: [100],
        chunks: [10],
        compression: 1,
      });
    } finally {
      file.close();
    }
    const head = await Deno.readFile(latest);
    assert.ok(head[8] >= 2, "h5wasm wrote a superblock of version 2 or later");
    assert.equal(await readChunkIndex(latest, "/data"), null);

    const text = `${dir}/not.h5`;
    await Deno.writeTextFile(text, "not an HDF5 file at all\n".repeat(100));
    assert.equal(await readChunkIndex(text, "/data"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(readChunkIndex(fixture("chunks_missing.h5"), "/data"), InputError);
});
