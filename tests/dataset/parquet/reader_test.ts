import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { InputError } from "../../../lib/errors.ts";
import { openParquet } from "../../../lib/dataset/parquet/reader.ts";
import { detectStoredFormat, openDataset } from "../../../lib/dataset/mod.ts";
import {
  assertDatasetMatches,
  assertRowsMatch,
  loadExpected,
} from "../../support/expected_frame.ts";
import {
  type ExpectedFrame,
  flowsParquet,
  parseFrame,
} from "../../../dev/make_parquet_fixtures.ts";

// Fixtures of dev/make_parquet_fixtures.ts: 150 flows (pd.read_hdf of the demo dataset) in
// three row groups, in every codec and in three column dialects.
const DIR = fileURLToPath(new URL("../../fixtures/parquet/", import.meta.url));
const EXPECTED = `${DIR}flows.expected.json`;

const files: [string, string][] = [
  ["flows_uncompressed.parquet", "none"],
  ["flows_snappy.parquet", "snappy"],
  ["flows_gzip.parquet", "gzip"],
  ["flows_zstd.parquet", "zstd"],
  ["flows_brotli.parquet", "brotli"],
  ["flows_lz4_raw.parquet", "lz4_raw"],
  ["flows_v3_snappy.parquet", "snappy"],
  ["flows_python_zstd.parquet", "zstd"],
];

for (const [name, codec] of files) {
  Deno.test(`openParquet: ${name} equals the frame pandas read, every cell`, async () => {
    const dataset = await openParquet(DIR + name);
    try {
      assert.equal(dataset.info.format, "parquet");
      assert.equal(dataset.info.compression, codec);
      assert.equal(dataset.info.rowGroups, 3);
      await assertDatasetMatches(dataset, loadExpected(EXPECTED));
    } finally {
      dataset.close();
    }
  });
}

async function copyOf(name: string, target: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = join(dir, target);
  await Deno.copyFile(DIR + name, path);
  return path;
}

Deno.test("openDataset: Parquet is told by its magic bytes, not its name, and its label index is cached", async () => {
  const path = await copyOf("flows_zstd.parquet", "flows.bin");
  const cacheDir = await Deno.makeTempDir();
  try {
    assert.equal(await detectStoredFormat(path), "parquet");
    const expected = loadExpected(EXPECTED);
    for (let open = 0; open < 2; open++) {
      const dataset = await openDataset(path, { cacheDir });
      try {
        await assertDatasetMatches(dataset, expected);
      } finally {
        dataset.close();
      }
    }
    const entries = [...Deno.readDirSync(join(cacheDir, "index"))].map((e) => e.name);
    assert.ok(entries.some((name) => name.endsWith(".idx")), entries.join(", "));
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(join(path, ".."), { recursive: true });
  }
});

Deno.test("openParquet: rows are read from their row groups only (a damaged other group is not touched)", async () => {
  const path = await copyOf("flows_snappy.parquet", "flows.parquet");
  try {
    const { parquetMetadataAsync } = await import("hyparquet");
    const bytes = await Deno.readFile(path);
    const metadata = await parquetMetadataAsync(bytes.buffer);
    // Zero the column chunks of the first row group (its pages), leaving the footer whole.
    for (const chunk of metadata.row_groups[0].columns) {
      const meta = chunk.meta_data;
      assert.ok(meta);
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      bytes.fill(0, start, start + Number(meta.total_compressed_size));
    }
    await Deno.writeFile(path, bytes);
    const expected = loadExpected(EXPECTED);
    const dataset = await openParquet(path);
    try {
      const later = [149, 64, 100, 128, 65];
      assertRowsMatch(await dataset.readRows(later), expected, later);
      await assert.rejects(dataset.readRows([3]), (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.match(error.message, /flows\.parquet: cannot be read as Parquet/);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
    } finally {
      dataset.close();
    }
  } finally {
    await Deno.remove(join(path, ".."), { recursive: true });
  }
});

Deno.test("openParquet: a missing feature column is one line naming it", async () => {
  const frame = parseFrame(await Deno.readTextFile(EXPECTED));
  const drop = frame.columns.indexOf("flow_duration");
  const without: ExpectedFrame = {
    ...frame,
    columns: frame.columns.filter((_, c) => c !== drop),
    data: frame.data.map((row) => row.filter((_, c) => c !== drop)),
  };
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "partial.parquet");
    await Deno.writeFile(path, flowsParquet(without, { codec: "SNAPPY" }));
    await assert.rejects(openParquet(path), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(
        error.message,
        /partial\.parquet: lacks 1 of the 79 flow feature columns.*flow_duration/,
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detectStoredFormat: a Parquet file cut short is refused in one line", async () => {
  const path = await copyOf("flows_gzip.parquet", "cut.parquet");
  try {
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 100));
    await assert.rejects(
      detectStoredFormat(path),
      /cut\.parquet' starts as a Parquet file but does not end as one/,
    );
  } finally {
    await Deno.remove(join(path, ".."), { recursive: true });
  }
});

Deno.test("openParquet: scan gives every row in dataset order, batch by batch, and a category's rows", async () => {
  const expected = loadExpected(EXPECTED);
  const dataset = await openParquet(DIR + "flows_brotli.parquet");
  try {
    const seen: number[] = [];
    for await (const batch of dataset.scan({ batchRows: 40 })) {
      assert.ok(batch.rows.length <= 40);
      assertRowsMatch(batch.frame, expected, batch.rows);
      seen.push(...batch.rows);
    }
    assert.deepEqual(seen, Array.from({ length: 150 }, (_, i) => i));
    const labels = await dataset.labelIndex();
    const bot = labels?.categories.find((category) => category.name === "Bot");
    assert.ok(bot && bot.rows.length > 0);
    const rows: number[] = [];
    for await (const batch of dataset.scan({ categories: ["Bot"], batchRows: 3 })) {
      assertRowsMatch(batch.frame, expected, batch.rows);
      rows.push(...batch.rows);
    }
    assert.deepEqual(rows, [...bot.rows]);
  } finally {
    dataset.close();
  }
});
