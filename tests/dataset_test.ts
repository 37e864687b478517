import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { openDataset } from "../lib/dataset.ts";
import { loadDatasetIndex, saveDatasetIndex } from "../lib/dataset_index_cache.ts";
import { openPandasHdf } from "../lib/pandas_hdf.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

async function withCopy(
  name: string,
  body: (path: string, cacheDir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-dataset-" });
  try {
    const path = join(dir, name);
    await Deno.copyFile(FIXTURES + name, path);
    await body(path, join(dir, "cache"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

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
