import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InputError } from "../../../lib/errors.ts";
import { openPandasHdf, tableLayoutOf } from "../../../lib/dataset/pandas/hdf.ts";
import { openDataset } from "../../../lib/dataset/mod.ts";
import { readChunkIndex } from "../../../lib/dataset/hdf5/chunks.ts";
import { assertDatasetMatches, loadExpected } from "../../support/expected_frame.ts";

// Fixtures of dev/make_compressor_fixtures.py: one frame saved with every pandas compressor.
const DIR = fileURLToPath(new URL("../../fixtures/compressors/", import.meta.url));

const files = [...Deno.readDirSync(DIR)].map((entry) => entry.name)
  .filter((name) => name.endsWith(".h5") && name !== "table_lzo.h5").sort();

/** The compression `dataset info` should show for a fixture, from its name. */
function compressionOf(name: string): string {
  const stem = name.replace(/^(table|fixed)_/, "").replace(/\.h5$/, "");
  const blosc = /^blosc_([a-z0-9]+?)(_noshuffle|_bitshuffle)?$/.exec(stem);
  if (blosc) {
    const shuffle = blosc[2] === "_noshuffle"
      ? ""
      : blosc[2] === "_bitshuffle"
      ? "+bitshuffle"
      : "+shuffle";
    return `blosc:${blosc[1]}${shuffle}`;
  }
  if (stem.endsWith("_noshuffle")) return stem.replace(/_noshuffle$/, "");
  // h5py writes its lzf with the HDF5 shuffle as well; zlib and bzip2 with pandas' default.
  return `${stem}+shuffle`;
}

Deno.test("the compressor fixtures cover every pandas complib, both formats", () => {
  for (const format of ["table", "fixed"]) {
    for (const stem of ["zlib", "bzip2", "lzf", "blosc_blosclz", "blosc_lz4", "blosc_lz4hc"]) {
      assert.ok(files.includes(`${format}_${stem}.h5`), `${format}_${stem}.h5`);
    }
    for (const stem of ["blosc_snappy", "blosc_zlib", "blosc_zstd", "blosc_lz4_bitshuffle"]) {
      assert.ok(files.includes(`${format}_${stem}.h5`), `${format}_${stem}.h5`);
    }
  }
  assert.equal(files.length, 35);
});

for (const name of files) {
  Deno.test(`openPandasHdf: ${name} equals pd.read_hdf, every cell`, async (t) => {
    const format = name.startsWith("table_") ? "table" : "fixed";
    const expected = loadExpected(`${DIR}${format}.expected.json`);
    for (const chunkReader of [true, false]) {
      await t.step(chunkReader ? "native chunks" : "h5wasm for what it decodes", async () => {
        const dataset = await openPandasHdf(DIR + name, { chunkReader });
        try {
          assert.equal(dataset.info.format, `pandas-${format}`);
          assert.equal(dataset.info.compression, compressionOf(name));
          // h5wasm has no blosc, bzip2 or lzf: those tables are read natively whatever the option.
          const native = chunkReader || !/^(table|fixed)_zlib/.test(name);
          assert.equal(tableLayoutOf(dataset) !== null, format === "table" && native);
          await assertDatasetMatches(dataset, expected);
        } finally {
          dataset.close();
        }
      });
    }
  });
}

Deno.test("openDataset: a blosc table's cached reopen reads rows from the chunks and the rows cache", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const expected = loadExpected(`${DIR}table.expected.json`);
    for (let open = 0; open < 2; open++) {
      const dataset = await openDataset(DIR + "table_blosc_zstd_bitshuffle.h5", { cacheDir });
      try {
        await assertDatasetMatches(dataset, expected);
      } finally {
        dataset.close();
      }
    }
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("openPandasHdf: lzo is refused in one line naming it and the re-save command", async () => {
  await assert.rejects(openPandasHdf(DIR + "table_lzo.h5"), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(
      error.message,
      /table_lzo\.h5: 'ids_data' is compressed with lzo \(HDF5 filter 305\)/,
    );
    assert.match(error.message, /no maintained JavaScript decoder/);
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.hint ?? "", /df\.to_hdf\(path, key, format="table", complib="blosc:lz4"\)/);
    return true;
  });
});

// Zeros in place of a stream are damage each LZ codec notices: lz4 reads a match at offset 0,
// snappy a length of 0 and blosclz a run of one-byte literals too short for its block.
for (const name of ["table_blosc_lz4.h5", "table_blosc_blosclz.h5", "fixed_blosc_snappy.h5"]) {
  Deno.test(`openDataset: ${name} with a zeroed blosc stream fails in one line naming it`, async () => {
    const codec = /blosc_([a-z0-9]+)/.exec(name)![1];
    const dir = await Deno.makeTempDir({ prefix: "mlids-blosc-" });
    const path = `${dir}/${name}`;
    const cacheDir = `${dir}/cache`;
    try {
      const dataset = name.startsWith("table") ? "ids_data/table" : "ids_data/block1_values";
      const index = await readChunkIndex(DIR + name, dataset);
      assert.ok(index !== null);
      const chunk = index.chunks.find((c) => c.filterMask === 0);
      assert.ok(chunk !== undefined);
      const bytes = await Deno.readFile(DIR + name);
      const frame = new DataView(bytes.buffer, chunk.address, chunk.size);
      const stream = frame.getInt32(16, true);
      const length = frame.getInt32(stream, true);
      bytes.fill(0, chunk.address + stream + 4, chunk.address + stream + 4 + length);
      await Deno.writeFile(path, bytes);
      await assert.rejects(
        async () => {
          const opened = await openDataset(path, { cacheDir });
          try {
            for await (const _ of opened.scan({ batchRows: 50 })) { /* every chunk */ }
          } finally {
            opened.close();
          }
        },
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.ok(error.message.startsWith(`${path}: the HDF5 chunk at byte ${chunk.address} `));
          assert.match(error.message, new RegExp(`${codec} stream`));
          assert.doesNotMatch(error.message, /\n/);
          assert.match(error.hint ?? "", /damaged/);
          return true;
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
