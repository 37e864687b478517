import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { scanDataset, scanRowsOf, type ScanSource } from "../../lib/dataset/_scan.ts";
import { openDataset } from "../../lib/dataset/open.ts";
import {
  DEFAULT_SCAN_BATCH_ROWS,
  type FlowBatch,
  type FlowDataset,
  type LabelIndex,
  sortCategories,
} from "../../lib/dataset/flow_dataset.ts";
import { InputError } from "../../lib/errors.ts";
import { type FlowFrame, takeRows } from "../../lib/frame/frame.ts";
import { SHARED_DATASETS, sharedDatasetsPresent } from "../support/shared_datasets.ts";
import { withFixtureCopy as withCopy } from "../support/files.ts";

/** A frame of `n` rows whose `row` column holds each row's position. */
function numbered(n: number): FlowFrame {
  const labels = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? "Bot" : "Benign"));
  return {
    columns: [
      { name: "row", dtype: "uint32", values: Uint32Array.from({ length: n }, (_, i) => i) },
      { name: "label", dtype: "object", values: labels },
    ],
    index: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 10)),
    length: n,
  };
}

function labelsOf(frame: FlowFrame): LabelIndex {
  const values = frame.columns[1].values as string[];
  const byName = new Map<string, number[]>();
  values.forEach((label, row) => byName.set(label, [...(byName.get(label) ?? []), row]));
  return {
    categories: sortCategories(
      [...byName].map(([name, rows]) => ({ name, rows: Uint32Array.from(rows) })),
    ),
  };
}

/** A scan source over `frame` that records every read it is asked for. */
function recordingSource(
  frame: FlowFrame,
  chunkRows?: number,
): ScanSource & { reads: Uint32Array[] } {
  const reads: Uint32Array[] = [];
  return {
    rows: frame.length,
    chunkRows,
    reads,
    labelIndex: () => Promise.resolve(labelsOf(frame)),
    readRows: (rows) => {
      reads.push(rows.slice());
      return Promise.resolve(takeRows(frame, rows));
    },
  };
}

async function collect(batches: AsyncIterable<FlowBatch>): Promise<FlowBatch[]> {
  const out: FlowBatch[] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

function rowsOf(batches: readonly FlowBatch[]): number[] {
  return batches.flatMap((batch) => [...batch.rows]);
}

/** Asserts each batch's frame holds exactly its rows (the `row` column names its position). */
function assertBatchesHoldTheirRows(batches: readonly FlowBatch[], batchRows: number): void {
  for (const batch of batches) {
    assert.ok(batch.rows.length >= 1 && batch.rows.length <= batchRows, "batch size in bounds");
    assert.equal(batch.frame.length, batch.rows.length);
    assert.deepEqual([...batch.frame.columns[0].values], [...batch.rows]);
    assert.deepEqual([...batch.frame.index], [...batch.rows].map((row) => BigInt(row * 10)));
  }
}

Deno.test("scan: every row once, in order, in batches of at most batchRows", async () => {
  const frame = numbered(103);
  for (const batchRows of [1, 7, 50, 103, 500]) {
    const source = recordingSource(frame);
    const batches = await collect(scanDataset(source, { batchRows }));
    assert.deepEqual(rowsOf(batches), Array.from({ length: 103 }, (_, i) => i), `${batchRows}`);
    assertBatchesHoldTheirRows(batches, batchRows);
    assert.equal(batches.length, Math.ceil(103 / batchRows));
    // Each row is read once: the reads are the batches.
    assert.equal(source.reads.reduce((sum, rows) => sum + rows.length, 0), 103);
  }
  const whole = await collect(scanDataset(recordingSource(numbered(20_000))));
  assert.deepEqual(whole.map((b) => b.rows.length), [DEFAULT_SCAN_BATCH_ROWS, 8192, 3616]);
});

Deno.test("scan: a row list in any order with repeats comes once each, ascending", async () => {
  const frame = numbered(60);
  const source = recordingSource(frame);
  const rows = [59, 3, 3, 40, 0, 17, 59, 18];
  const batches = await collect(scanDataset(source, { rows, batchRows: 3 }));
  assert.deepEqual(rowsOf(batches), [0, 3, 17, 18, 40, 59]);
  assertBatchesHoldTheirRows(batches, 3);
  assert.deepEqual(source.reads.map((r) => [...r]), [[0, 3, 17], [18, 40, 59]]);
  assert.deepEqual(await collect(scanDataset(source, { rows: [] })), []);
  await assert.rejects(collect(scanDataset(source, { rows: [60] })), RangeError);
  await assert.rejects(collect(scanDataset(source, { rows: [1.5] })), RangeError);
  await assert.rejects(collect(scanDataset(source, { batchRows: 0 })), RangeError);
});

Deno.test("scan: categories, alone or with rows, in dataset order; unknown ones are InputErrors", async () => {
  const frame = numbered(30);
  const source = recordingSource(frame);
  const bot = [0, 5, 10, 15, 20, 25];
  assert.deepEqual(rowsOf(await collect(scanDataset(source, { categories: ["Bot"] }))), bot);
  assert.deepEqual(
    rowsOf(await collect(scanDataset(source, { categories: ["Bot", "benign", "Bot"] }))),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.deepEqual(
    [...(await scanRowsOf(source, { categories: ["Bot"], rows: [25, 1, 10, 11] })) ?? []],
    [10, 25],
  );
  assert.equal(await scanRowsOf(source, {}), null);
  await assert.rejects(collect(scanDataset(source, { categories: ["DDoS"] })), InputError);
  const unlabelled = { ...source, labelIndex: () => Promise.resolve(null) };
  await assert.rejects(collect(scanDataset(unlabelled, { categories: ["Bot"] })), InputError);
});

Deno.test("scan: batches end on chunk boundaries, so no chunk is read by two batches", async () => {
  const frame = numbered(95);
  const source = recordingSource(frame, 10);
  const whole = await collect(scanDataset(source, { batchRows: 25 }));
  assert.deepEqual(whole.map((b) => [b.rows[0], b.rows.length]), [[0, 20], [20, 20], [40, 20], [
    60,
    20,
  ], [80, 15]]);
  // A pick: rows of chunk 1 (10..19) and chunk 2 stay together.
  const rows = [1, 2, 3, 11, 12, 13, 14, 15, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31];
  const picked = await collect(scanDataset(source, { rows, batchRows: 10 }));
  assert.deepEqual(picked.map((b) => [...b.rows]), [
    [1, 2, 3, 11, 12, 13, 14, 15],
    [21, 22, 23, 24, 25, 26, 27, 28, 29],
    [30, 31],
  ]);
  // A chunk holding more wanted rows than a batch is split: the batch bound wins.
  const dense = await collect(scanDataset(source, { rows: [20, 21, 22, 23, 24], batchRows: 2 }));
  assert.deepEqual(dense.map((b) => b.rows.length), [2, 2, 1]);
  for (const read of source.reads) assert.ok(read.length <= 25);
});

Deno.test("scan: memory-bounded by construction: one batch read ahead, never more", async () => {
  const frame = numbered(100);
  const source = recordingSource(frame);
  let taken = 0;
  for await (const batch of scanDataset(source, { batchRows: 10 })) {
    taken++;
    // While the caller holds batch `taken`, at most the next one has been asked for.
    assert.ok(source.reads.length <= taken + 1, `${source.reads.length} reads at batch ${taken}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.ok(source.reads.length <= taken + 1);
    assert.equal(batch.rows.length, 10);
  }
  assert.equal(taken, 10);
  assert.equal(source.reads.length, 10);
});

Deno.test("scan: an aborted signal stops the scan with its reason; breaking out stops reading", async () => {
  const frame = numbered(100);
  const early = new AbortController();
  early.abort(new Error("stop before"));
  const source = recordingSource(frame);
  await assert.rejects(collect(scanDataset(source, { signal: early.signal })), /stop before/);
  assert.equal(source.reads.length, 0);

  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(async () => {
    for await (const _ of scanDataset(source, { batchRows: 10, signal: controller.signal })) {
      seen++;
      if (seen === 3) controller.abort();
    }
  }, (error: unknown) => error instanceof DOMException && error.name === "AbortError");
  assert.equal(seen, 3);
  assert.ok(source.reads.length <= 4);

  const broken = recordingSource(frame);
  for await (const _ of scanDataset(broken, { batchRows: 10 })) break;
  assert.ok(broken.reads.length <= 2);
});

Deno.test("scan: a read that fails ends the scan with its error", async () => {
  const source = recordingSource(numbered(40));
  const failing: ScanSource = {
    ...source,
    readRows: (rows) =>
      rows[0] >= 20 ? Promise.reject(new InputError("chunk 2 is damaged")) : source.readRows(rows),
  };
  let seen = 0;
  await assert.rejects(async () => {
    for await (const _ of scanDataset(failing, { batchRows: 10 })) seen++;
  }, /chunk 2 is damaged/);
  assert.equal(seen, 2);
});

/** Asserts a scan of `dataset` with `options` gives what readRows gives for the same rows. */
async function assertScanMatchesReadRows(
  dataset: FlowDataset,
  options: { rows?: number[]; categories?: string[]; batchRows: number },
  expectedRows: readonly number[],
): Promise<void> {
  const batches = await collect(dataset.scan(options));
  assert.deepEqual(rowsOf(batches), expectedRows);
  for (const batch of batches) {
    assert.ok(batch.rows.length <= options.batchRows);
    assert.deepEqual(batch.frame, await dataset.readRows(batch.rows));
  }
}

for (const name of ["table_zlib.h5", "table_plain.h5", "fixed.h5", "table_categorical.h5"]) {
  Deno.test(`scan: ${name} first and cached opens scan every row, a category and a pick`, async () => {
    await withCopy(name, async (path, cacheDir) => {
      for (const open of ["first", "cached"]) {
        const dataset = await openDataset(path, { cacheDir });
        try {
          const rows = dataset.info.rows;
          const all = Array.from({ length: rows }, (_, i) => i);
          await assertScanMatchesReadRows(dataset, { batchRows: 64 }, all);
          const whole = await dataset.readRows(all);
          const scanned = await collect(dataset.scan({ batchRows: 1000 }));
          assert.equal(scanned.length, 1, open);
          assert.deepEqual(scanned[0].frame, whole, `${open}: one batch is the whole dataset`);
          const labels = await dataset.labelIndex();
          const bot = labels?.categories.find((c) => c.name === "Bot");
          assert.ok(bot);
          await assertScanMatchesReadRows(dataset, { categories: ["Bot"], batchRows: 16 }, [
            ...bot.rows,
          ]);
          await assertScanMatchesReadRows(
            dataset,
            { rows: [rows - 1, 0, 7, 7, 100], batchRows: 2 },
            [0, 7, 100, rows - 1],
          );
        } finally {
          dataset.close();
        }
      }
    });
  });
}

const DEMO = fileURLToPath(new URL("../../dev/demo_data/ml-ids-demo.h5", import.meta.url));
const SHARED_TABLES = ["cse-cic-ids2018-sample.h5", "sample-table-categorical.h5"];

/** Scans of a many-chunk table: one pass over the chunks (dense) or reads by row (sparse). */
async function assertManyChunkScans(path: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-scan-" });
  try {
    for (const open of ["first", "cached"]) {
      const dataset = await openDataset(path, { cacheDir: dir });
      try {
        const rows = dataset.info.rows;
        const all = Array.from({ length: rows }, (_, i) => i);
        for (const batchRows of [500, 1, 4096]) {
          if (batchRows === 1 && open === "cached") continue;
          await assertScanMatchesReadRows(dataset, { batchRows }, all);
        }
        const labels = await dataset.labelIndex();
        assert.ok(labels);
        for (const category of labels.categories) {
          await assertScanMatchesReadRows(
            dataset,
            { categories: [category.name], batchRows: 333 },
            [
              ...category.rows,
            ],
          );
        }
        const everyThird = all.filter((row) => row % 3 === 0);
        await assertScanMatchesReadRows(dataset, { rows: everyThird, batchRows: 250 }, everyThird);
        const few = [rows - 1, 5, 404, 405, 406, 1999 % rows];
        await assertScanMatchesReadRows(
          dataset,
          { rows: few, batchRows: 2 },
          [...new Set(few)].sort((a, b) => a - b),
        );
      } finally {
        dataset.close();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("scan: the demo table (198-row chunks, zlib+shuffle) by chunk pass and by rows", async () => {
  await assertManyChunkScans(DEMO);
});

for (const name of SHARED_TABLES) {
  Deno.test({
    name: `scan: ../shared/datasets/${name} by chunk pass and by rows`,
    ignore: !sharedDatasetsPresent,
    fn: async () => await assertManyChunkScans(join(SHARED_DATASETS, name)),
  });
}
