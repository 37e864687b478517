import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InputError } from "../../../lib/errors.ts";
import {
  labelIndexWithRows,
  openPandasHdf,
  tableLayoutOf,
} from "../../../lib/dataset/pandas/hdf.ts";
import { readRowBytes } from "../../../lib/dataset/hdf5/chunks.ts";
import { SHARED_DATASETS, sharedDatasetsPresent } from "../../support/shared_datasets.ts";
import { assertDatasetMatches, loadExpected } from "../../support/expected_frame.ts";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

const conformance: {
  file: string;
  expected: string;
  key?: string;
  format: string;
  compression: string;
}[] = [
  {
    file: "table_zlib.h5",
    expected: "table_zlib.expected.json",
    format: "pandas-table",
    compression: "zlib+shuffle",
  },
  {
    file: "table_plain.h5",
    expected: "table_plain.expected.json",
    format: "pandas-table",
    compression: "none",
  },
  {
    file: "table_categorical.h5",
    expected: "table_categorical.expected.json",
    format: "pandas-table",
    compression: "zlib+shuffle",
  },
  {
    file: "table_data_columns.h5",
    expected: "table_data_columns.expected.json",
    format: "pandas-table",
    compression: "none",
  },
  {
    file: "fixed.h5",
    expected: "fixed.expected.json",
    format: "pandas-fixed",
    compression: "none",
  },
  {
    file: "fixed_zlib.h5",
    expected: "fixed_zlib.expected.json",
    format: "pandas-fixed",
    compression: "zlib+shuffle",
  },
  {
    file: "userblock.h5",
    expected: "userblock.expected.json",
    format: "pandas-table",
    compression: "zlib+shuffle",
  },
  {
    file: "two_keys.h5",
    key: "train",
    expected: "two_keys.train.expected.json",
    format: "pandas-table",
    compression: "none",
  },
  {
    file: "two_keys.h5",
    key: "/nested/test",
    expected: "two_keys.nested_test.expected.json",
    format: "pandas-table",
    compression: "zlib+shuffle",
  },
];

for (const c of conformance) {
  Deno.test(`openPandasHdf: ${c.file}${c.key ? ` key ${c.key}` : ""} equals pd.read_hdf`, async (t) => {
    // Natively read chunks and h5wasm's own reads must both give exactly what pandas reads.
    for (const chunkReader of [true, false]) {
      await t.step(chunkReader ? "native chunks" : "h5wasm only", async () => {
        await assertConforms(c, chunkReader);
      });
    }
  });
}

async function assertConforms(c: typeof conformance[number], chunkReader: boolean): Promise<void> {
  const dataset = await openPandasHdf(FIXTURES + c.file, { key: c.key, chunkReader });
  try {
    const layout = tableLayoutOf(dataset);
    // Every table fixture is chunked with zlib/shuffle or nothing: read natively when allowed.
    assert.equal(layout !== null, chunkReader && c.format === "pandas-table");
    assert.equal(dataset.info.format, c.format);
    assert.equal(dataset.info.compression, c.compression);
    assert.equal(
      dataset.info.key,
      (c.key ?? (c.file === "table_data_columns.h5" ? "flows" : "ids_data")).replace(/^\//, ""),
    );
    await assertDatasetMatches(dataset, loadExpected(FIXTURES + c.expected));
  } finally {
    dataset.close();
  }
}

for (const name of ["cse-cic-ids2018-sample", "sample-fixed", "sample-table-categorical"]) {
  Deno.test({
    name: `openPandasHdf: shared ${name}.h5 equals pd.read_hdf`,
    ignore: !sharedDatasetsPresent,
    async fn(t) {
      for (const chunkReader of [true, false]) {
        await t.step(chunkReader ? "native chunks" : "h5wasm only", async () => {
          await assertSharedConforms(name, chunkReader);
        });
      }
    },
  });
}

async function assertSharedConforms(name: string, chunkReader: boolean): Promise<void> {
  const dataset = await openPandasHdf(`${SHARED_DATASETS}${name}.h5`, { chunkReader });
  try {
    assert.equal(dataset.info.key, "ids_data");
    assert.equal(
      dataset.info.format,
      name === "sample-fixed" ? "pandas-fixed" : "pandas-table",
    );
    await assertDatasetMatches(dataset, loadExpected(`${SHARED_DATASETS}${name}.expected.json`));
  } finally {
    dataset.close();
  }
}

Deno.test("openPandasHdf: the categorical label is a category column read from its codes", async () => {
  const dataset = await openPandasHdf(FIXTURES + "table_categorical.h5");
  try {
    assert.equal(dataset.info.columns.find((c) => c.name === "label")?.dtype, "category");
    const frame = await dataset.readRows([0]);
    const label = frame.columns.find((c) => c.name === "label");
    assert.ok(Array.isArray(label?.values));
  } finally {
    dataset.close();
  }
});

Deno.test("openPandasHdf: int64, uint64 and float values keep their typed arrays", async () => {
  const dataset = await openPandasHdf(FIXTURES + "table_zlib.h5");
  try {
    const frame = await dataset.readRows([0, 1, 2]);
    const byName = (name: string) => frame.columns.find((c) => c.name === name)?.values;
    assert.ok(byName("flow_duration") instanceof BigInt64Array);
    assert.ok(byName("idle_max") instanceof BigUint64Array);
    assert.ok(byName("flow_byts_s") instanceof Float64Array);
    assert.ok(byName("flow_iat_mean") instanceof Float32Array);
    assert.ok(byName("dst_port") instanceof Uint32Array);
    assert.ok(byName("fin_flag_cnt") instanceof Int8Array);
    assert.deepEqual([...(byName("idle_max") as BigUint64Array)], [
      2n ** 64n - 1n,
      2n ** 53n + 1n,
      0n,
    ]);
    assert.deepEqual(
      [...(byName("flow_duration") as BigInt64Array)],
      [2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n],
    );
  } finally {
    dataset.close();
  }
});

Deno.test("openPandasHdf: readRows rejects rows outside the dataset", async () => {
  const dataset = await openPandasHdf(FIXTURES + "table_plain.h5");
  try {
    await assert.rejects(() => dataset.readRows([0, 257]), RangeError);
    await assert.rejects(() => dataset.readRows([-1]), RangeError);
    await assert.rejects(() => dataset.readRows([1.5]), RangeError);
  } finally {
    dataset.close();
  }
});

async function assertInputError(
  promise: Promise<unknown>,
  ...parts: (string | RegExp)[]
): Promise<InputError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InputError, `expected an InputError, got ${caught}`);
  const text = `${caught.message}\n${caught.hint ?? ""}`;
  assert.ok(!caught.message.includes("\n"), `one-line message: ${caught.message}`);
  for (const part of parts) {
    if (typeof part === "string") assert.ok(text.includes(part), `'${part}' not in: ${text}`);
    else assert.match(text, part);
  }
  return caught;
}

Deno.test("openPandasHdf: a missing file is an InputError naming it", async () => {
  await assertInputError(openPandasHdf(FIXTURES + "nope.h5"), "nope.h5", "no such file");
});

Deno.test("openPandasHdf: a directory is an InputError", async () => {
  await assertInputError(openPandasHdf(FIXTURES), "is a directory");
});

Deno.test("openPandasHdf: a file that is not HDF5 is an InputError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/flows.h5`;
    await Deno.writeTextFile(path, "dst_port,protocol,label\n80,6,Benign\n".repeat(100));
    await assertInputError(openPandasHdf(path), "flows.h5", "not an HDF5 file");
    await Deno.writeFile(`${dir}/empty.h5`, new Uint8Array(0));
    await assertInputError(openPandasHdf(`${dir}/empty.h5`), "not an HDF5 file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openPandasHdf: truncated files are InputErrors saying so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const whole = await Deno.readFile(FIXTURES + "table_zlib.h5");
    for (const size of [64, 2000, Math.floor(whole.length / 2), whole.length - 100]) {
      const path = `${dir}/cut_${size}.h5`;
      await Deno.writeFile(path, whole.subarray(0, size));
      for (const chunkReader of [true, false]) {
        await assertInputError(
          (async () => {
            const dataset = await openPandasHdf(path, { chunkReader });
            try {
              await dataset.labelIndex();
              await dataset.readRows(Array.from({ length: dataset.info.rows }, (_, i) => i));
            } finally {
              dataset.close();
            }
          })(),
          `cut_${size}.h5`,
          /truncated|damaged/,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openPandasHdf: HDF5 without pandas data is an InputError", async () => {
  await assertInputError(
    openPandasHdf(FIXTURES + "no_pandas.h5"),
    "no_pandas.h5",
    "no pandas data",
    "to_hdf",
  );
});

Deno.test("openPandasHdf: a frame with no rows is an InputError saying so", async () => {
  await assertInputError(openPandasHdf(FIXTURES + "empty_table.h5"), "empty_table.h5", "no rows");
  await assertInputError(openPandasHdf(FIXTURES + "empty_fixed.h5"), "empty_fixed.h5", "no rows");
});

Deno.test("openPandasHdf: several keys without --key is an InputError listing them", async () => {
  await assertInputError(
    openPandasHdf(FIXTURES + "two_keys.h5"),
    "two_keys.h5",
    "train, nested/test",
    "--key",
  );
});

Deno.test("openPandasHdf: an unknown key is an InputError listing the keys", async () => {
  await assertInputError(
    openPandasHdf(FIXTURES + "two_keys.h5", { key: "test" }),
    "'test'",
    "train, nested/test",
    "--key",
  );
  await assertInputError(
    openPandasHdf(FIXTURES + "table_zlib.h5", { key: "flows" }),
    "'flows'",
    "ids_data",
  );
});

Deno.test("openPandasHdf: lzo is an InputError naming the filter and how to re-save", async () => {
  await assertInputError(
    openPandasHdf(FIXTURES + "compressors/table_lzo.h5"),
    "table_lzo.h5",
    "lzo",
    'df.to_hdf(path, key, format="table", complib="blosc:lz4")',
  );
});

Deno.test("openPandasHdf: a pickle that would run code is refused", async () => {
  await assertInputError(
    openPandasHdf(FIXTURES + "malicious_pickle.h5"),
    "malicious_pickle.h5",
    "os.system",
  );
});

Deno.test("openPandasHdf: close is idempotent", async () => {
  const dataset = await openPandasHdf(FIXTURES + "fixed.h5");
  dataset.close();
  dataset.close();
});

Deno.test("openPandasHdf: damaged compressed data is an InputError, in labelIndex and readRows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = await Deno.readFile(FIXTURES + "table_zlib.h5");
    // The zlib chunks of the table fill the middle of this small file.
    const at = Math.floor(bytes.length * 0.6);
    bytes.fill(0xff, at, at + 200);
    const path = `${dir}/damaged.h5`;
    await Deno.writeFile(path, bytes);
    for (const chunkReader of [true, false]) {
      const dataset = await openPandasHdf(path, { chunkReader });
      try {
        await assertInputError(dataset.labelIndex(), "damaged.h5", "damaged");
        const all = Array.from({ length: dataset.info.rows }, (_, i) => i);
        await assertInputError(dataset.readRows(all), "damaged.h5", "damaged");
      } finally {
        dataset.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("labelIndexWithRows: the label index of labelIndex, and the rows the sink wants, in row order", async () => {
  for (const file of ["table_zlib.h5", "table_categorical.h5"]) {
    const path = FIXTURES + file;
    const plain = await openPandasHdf(path);
    const scanned = await openPandasHdf(path);
    try {
      const want = await plain.labelIndex();
      assert.ok(want);
      const handed = new Map<string, { rows: number[]; bytes: Uint8Array[] }>();
      const skipped = want.categories[1].name;
      const result = await labelIndexWithRows(scanned, {
        wants: (category) => category !== skipped,
        take: (category, batch) => {
          let entry = handed.get(category);
          if (entry === undefined) handed.set(category, entry = { rows: [], bytes: [] });
          entry.rows.push(...batch.rows);
          entry.bytes.push(batch.bytes.slice());
        },
      });
      assert.equal(result.rows, true, file);
      assert.deepEqual(result.labels, want);
      assert.deepEqual(await scanned.labelIndex(), want);
      const table = tableLayoutOf(scanned);
      assert.ok(table);
      const rowBytes = table.chunks.elementSize;
      assert.equal(handed.has(skipped), false);
      for (const category of want.categories) {
        if (category.name === skipped) continue;
        const entry = handed.get(category.name);
        assert.ok(entry, category.name);
        assert.deepEqual(entry.rows, Array.from(category.rows));
        const bytes = new Uint8Array(entry.rows.length * rowBytes);
        let at = 0;
        for (const piece of entry.bytes) {
          bytes.set(piece, at);
          at += piece.length;
        }
        assert.deepEqual(bytes, await readRowBytes(path, table.chunks, { rows: entry.rows }));
      }
      // Built already: a second call hands nothing.
      const again = await labelIndexWithRows(scanned, {
        wants: () => true,
        take: () => assert.fail("no rows after the index is built"),
      });
      assert.equal(again.rows, false);
    } finally {
      plain.close();
      scanned.close();
    }
  }
});
