import assert from "node:assert/strict";
import { join } from "node:path";
import { openDataset } from "../../lib/dataset/open.ts";
import { loadDatasetIndex, saveDatasetIndex } from "../../lib/dataset/cache/label_index.ts";
import { openPandasHdf } from "../../lib/dataset/pandas/hdf.ts";
import { loadCategoryRows } from "../../lib/dataset/cache/category_rows.ts";
import type { LabelIndex } from "../../lib/dataset/flow_dataset.ts";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import { SHARED_DATASETS, sharedDatasetsPresent } from "../support/shared_datasets.ts";
import { CancelledError } from "../../lib/errors.ts";
import { listFiles, withFixtureCopy as withCopy } from "../support/files.ts";

Deno.test("openDataset: a pandas table's layout is cached, and a cached open reads the same rows", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const rows = [299, 0, 17, 17, 150, 3];
    const first = await openDataset(path, { cacheDir });
    const fresh = await first.readRows(rows);
    const labels = await first.labelIndex();
    first.close();
    const stored = await loadDatasetIndex(path, { cacheDir });
    assert.ok(stored?.layout, "the index entry carries the table layout");

    const cached = await openDataset(path, { cacheDir });
    try {
      assert.deepEqual(cached.info, stored.info);
      assert.deepEqual(await cached.labelIndex(), labels);
      assert.deepEqual(await cached.readRows(rows), fresh);
      const reference = await openPandasHdf(path, { chunkReader: false });
      try {
        assert.deepEqual(fresh, await reference.readRows(rows));
      } finally {
        reference.close();
      }
    } finally {
      cached.close();
    }
  });
});

Deno.test("openDataset: a cached layout that is not one falls back to reading the file", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const first = await openDataset(path, { cacheDir });
    const want = await first.readRows([5, 1]);
    first.close();
    const stored = await loadDatasetIndex(path, { cacheDir });
    assert.ok(stored);
    await saveDatasetIndex(path, { ...stored, layout: { bogus: true } }, { cacheDir });
    const cached = await openDataset(path, { cacheDir });
    try {
      assert.deepEqual(await cached.readRows([5, 1]), want);
    } finally {
      cached.close();
    }
  });
});

Deno.test("openDataset: fixed-format files cache no layout and still read through h5wasm", async () => {
  await withCopy("fixed_zlib.h5", async (path, cacheDir) => {
    const first = await openDataset(path, { cacheDir });
    const want = await first.readRows([119, 0, 60]);
    first.close();
    assert.equal((await loadDatasetIndex(path, { cacheDir }))?.layout, undefined);
    const cached = await openDataset(path, { cacheDir });
    try {
      assert.deepEqual(await cached.readRows([119, 0, 60]), want);
    } finally {
      cached.close();
    }
  });
});

/** Rows of every category but the first (most frequent), spread over the file, some twice. */
function minorityRows(labels: LabelIndex): number[] {
  const rows: number[] = [];
  for (const category of labels.categories.slice(1)) {
    const step = Math.max(1, Math.floor(category.rows.length / 7));
    for (let i = category.rows.length - 1; i >= 0; i -= step) rows.push(category.rows[i]);
  }
  rows.push(rows[0], rows[rows.length - 1]);
  return rows;
}

/**
 * Checks on a copy of `file`: a cached open reads minority rows from the category rows cache, equal
 * to the chunk path's; mixed rows (a majority row among them) are read from the file.
 */
async function checkCategoryRows(file: string, path: string, cacheDir: string): Promise<void> {
  const first = await openDataset(path, { cacheDir });
  const labels = await first.labelIndex();
  first.close();
  assert.ok(labels && labels.categories.length > 1);
  const minority = minorityRows(labels);
  const mixed = [labels.categories[0].rows[0], ...minority.slice(0, 5)];
  const chunkPath = await openPandasHdf(path);
  let want: FlowFrame;
  let wantMixed: FlowFrame;
  const h5wasm = await openPandasHdf(path, { chunkReader: false });
  try {
    want = await chunkPath.readRows(minority);
    wantMixed = await chunkPath.readRows(mixed);
    assert.deepEqual(await h5wasm.readRows(minority), want);
  } finally {
    chunkPath.close();
    h5wasm.close();
  }
  const cachedRows = await loadCategoryRows(path, labels, { cacheDir });
  assert.ok(cachedRows, `${file}: the first open cached the category rows`);
  assert.ok(!cachedRows.categories.includes(labels.categories[0].name), "majority not cached");
  assert.ok(cachedRows.covers(minority));
  cachedRows.close();

  const cached = await openDataset(path, { cacheDir });
  try {
    assert.deepEqual(await cached.readRows(minority), want, `${file}: rows from the cache`);
    assert.deepEqual(await cached.readRows(mixed), wantMixed, `${file}: mixed rows`);
  } finally {
    cached.close();
  }

  // Zero the cached rows: minority rows now read as zeros (so they did come from the cache),
  // mixed rows still come from the file.
  const dir = (await Array.fromAsync(Deno.readDir(join(cacheDir, "index"))))
    .find((entry) => entry.name.endsWith(".rows"));
  assert.ok(dir);
  for await (const entry of Deno.readDir(join(cacheDir, "index", dir.name))) {
    if (!entry.name.endsWith(".rows")) continue;
    const rowsFile = join(cacheDir, "index", dir.name, entry.name);
    await Deno.writeFile(rowsFile, new Uint8Array((await Deno.stat(rowsFile)).size));
  }
  const zeroed = await openDataset(path, { cacheDir });
  try {
    assert.notDeepEqual(await zeroed.readRows(minority), want, "the cache was read");
    assert.deepEqual(await zeroed.readRows(mixed), wantMixed);
  } finally {
    zeroed.close();
  }
}

Deno.test("openDataset: minority rows come from the category rows cache, equal to the chunk path", async () => {
  for (const file of ["table_zlib.h5", "table_data_columns.h5"]) {
    await withCopy(file, (path, cacheDir) => checkCategoryRows(file, path, cacheDir));
  }
});

Deno.test({
  name:
    "openDataset: the shared CSE-CIC-IDS2018 sample reads the same rows through the category cache",
  ignore: !sharedDatasetsPresent,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "mlids-dataset-shared-" });
    try {
      const path = join(dir, "sample.h5");
      await Deno.copyFile(join(SHARED_DATASETS, "cse-cic-ids2018-sample.h5"), path);
      await checkCategoryRows("cse-cic-ids2018-sample.h5", path, join(dir, "cache"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("openDataset: a vanished category rows cache falls back to the file", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const first = await openDataset(path, { cacheDir });
    const labels = await first.labelIndex();
    first.close();
    assert.ok(labels);
    const rows = minorityRows(labels);
    const reference = await openPandasHdf(path);
    const want = await reference.readRows(rows);
    reference.close();
    const cached = await openDataset(path, { cacheDir });
    try {
      // The cache is opened (its manifest read) on the first read; then its files vanish.
      assert.equal((await cached.readRows(rows.slice(0, 1))).length, 1);
      for await (const entry of Deno.readDir(join(cacheDir, "index"))) {
        if (entry.name.endsWith(".rows")) {
          await Deno.remove(join(cacheDir, "index", entry.name), { recursive: true });
        }
      }
      assert.deepEqual(await cached.readRows(rows), want);
    } finally {
      cached.close();
    }
  });
});

Deno.test("openDataset: the first open of a large dataset says it is indexing, a cached one does not", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const notices: string[] = [];
    const options = { cacheDir, indexNoticeRows: 300, onNotice: (m: string) => notices.push(m) };
    (await openDataset(path, options)).close();
    assert.deepEqual(notices, [
      "indexing the labels of 300 flows (once: the index is cached for the next open)",
    ]);
    (await openDataset(path, options)).close();
    assert.equal(notices.length, 1);
    const small: string[] = [];
    (await openDataset(path, { cacheDir: `${cacheDir}-2`, onNotice: (m) => small.push(m) }))
      .close();
    assert.deepEqual(small, [], "small datasets open silently");
  });
});

Deno.test("openDataset: a stop request during the first open's label scan leaves nothing in the cache", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const controller = new AbortController();
    await assert.rejects(
      openDataset(path, {
        cacheDir,
        signal: controller.signal,
        // The scan is about to start (the rows cache's .part folder is made next): Ctrl-C.
        indexNoticeRows: 0,
        onNotice: (message) => {
          if (message.startsWith("indexing")) controller.abort();
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError, String(error));
        assert.match(error.message, /^indexing the labels of .*table_zlib\.h5 was interrupted$/);
        return true;
      },
    );
    assert.deepEqual(await listFiles(cacheDir), []);
    // The next open indexes it as a first open would.
    const dataset = await openDataset(path, { cacheDir });
    dataset.close();
    assert.ok(await loadDatasetIndex(path, { cacheDir }));
  });
});

Deno.test("openDataset: a file replaced during the first open's label scan gets no index or rows cached", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const notices: string[] = [];
    const dataset = await openDataset(path, {
      cacheDir,
      indexNoticeRows: 0,
      onNotice: (message) => {
        notices.push(message);
        // Another program rewrites the file while it is being indexed.
        if (message.startsWith("indexing")) {
          const later = new Date(Date.now() + 60_000);
          Deno.utimeSync(path, later, later);
        }
      },
    });
    dataset.close();
    assert.equal(await loadDatasetIndex(path, { cacheDir }), null);
    assert.deepEqual(await listFiles(cacheDir), []);
    assert.match(
      notices.at(-1)!,
      /table_zlib\.h5 changed while it was being indexed: its index was not cached/,
    );
  });
});

Deno.test("openDataset: .part entries an interrupted run left in the cache go once an hour old", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const index = join(cacheDir, "index");
    const s3 = join(cacheDir, "s3", "bucket", "testing");
    await Deno.mkdir(index, { recursive: true });
    await Deno.mkdir(s3, { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const stale = [
      join(index, "0123.rows.1b2c.part"),
      join(index, "0123.idx.3d4e.part"),
      join(s3, "test.h5.5f6a7b8c.part"),
    ];
    await Deno.mkdir(stale[0]);
    await Deno.writeFile(join(stale[0], "0.rows"), new Uint8Array(8));
    await Deno.writeFile(stale[1], new Uint8Array(8));
    await Deno.writeFile(stale[2], new Uint8Array(8));
    for (const path of [join(stale[0], "0.rows"), ...stale]) {
      await Deno.utime(path, twoHoursAgo, twoHoursAgo);
    }
    // A folder still being written: old itself, but a file in it is new.
    const busy = join(index, "4567.rows.9a0b.part");
    await Deno.mkdir(busy);
    await Deno.writeFile(join(busy, "0.rows"), new Uint8Array(8));
    await Deno.utime(busy, twoHoursAgo, twoHoursAgo);
    const fresh = join(s3, "test.h5.c1d2e3f4.part");
    await Deno.writeFile(fresh, new Uint8Array(8));

    (await openDataset(path, { cacheDir })).close();
    const left = await listFiles(cacheDir);
    for (const path of stale) assert.ok(!left.some((file) => file.startsWith(path)), path);
    assert.ok(left.includes(join(busy, "0.rows")), left.join());
    assert.ok(left.includes(fresh), left.join());
  });
});

Deno.test("openDataset: a large CSV's first open says it reads the file; a stop request then leaves nothing cached", async () => {
  await withCopy("csv_v3.csv", async (path, cacheDir) => {
    const notices: string[] = [];
    const first = await openDataset(path, {
      cacheDir,
      indexNoticeBytes: 0,
      onNotice: (m) => notices.push(m),
    });
    first.close();
    assert.deepEqual(notices, [
      "reading 0 MB of CSV to check it and index its labels (once: the index is cached for the next open)",
    ]);
    (await openDataset(path, { cacheDir, indexNoticeBytes: 0, onNotice: (m) => notices.push(m) }))
      .close();
    assert.equal(notices.length, 1, "a cached open reads nothing and says nothing");

    const fresh = `${cacheDir}-2`;
    const controller = new AbortController();
    await assert.rejects(
      openDataset(path, {
        cacheDir: fresh,
        signal: controller.signal,
        indexNoticeBytes: 0,
        onNotice: (message) => {
          if (message.startsWith("reading")) controller.abort();
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError, String(error));
        assert.match(error.message, /^indexing .*csv_v3\.csv was interrupted$/);
        return true;
      },
    );
    assert.deepEqual(await listFiles(fresh).catch(() => []), []);
    const small: string[] = [];
    (await openDataset(path, { cacheDir: fresh, onNotice: (m) => small.push(m) })).close();
    assert.deepEqual(small, [], "small CSVs open silently");
  });
});

Deno.test("openDataset: labelIndexing first-use indexes (and caches) only when labelIndex() is called", async () => {
  await withCopy("table_zlib.h5", async (path, cacheDir) => {
    const notices: string[] = [];
    const lazy = await openDataset(path, {
      cacheDir,
      labelIndexing: "first-use",
      indexNoticeRows: 1,
      onNotice: (m) => notices.push(m),
    });
    let scanned = 0;
    for await (const batch of lazy.scan({ batchRows: 100 })) scanned += batch.frame.length;
    assert.equal(scanned, lazy.info.rows);
    assert.equal(await loadDatasetIndex(path, { cacheDir }), null, "no index yet");
    assert.deepEqual(notices, []);
    const labels = await lazy.labelIndex();
    lazy.close();
    assert.ok(labels !== null && labels.categories.length > 0);
    assert.match(notices[0], /^indexing the labels of/);
    const stored = await loadDatasetIndex(path, { cacheDir });
    assert.deepEqual(
      stored?.labels?.categories.map((c) => [c.name, c.rows.length]),
      labels.categories.map((c) => [c.name, c.rows.length]),
    );
  });
});
