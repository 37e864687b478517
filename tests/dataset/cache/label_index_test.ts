import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type DatasetIndex,
  loadDatasetIndex,
  saveDatasetIndex,
} from "../../../lib/dataset/cache/label_index.ts";
import { withTempDir } from "../../support/files.ts";

const INFO = {
  format: "pandas-table" as const,
  compression: "zlib+shuffle",
  key: "ids_data",
  rows: 6,
  columns: [{ name: "dst_port", dtype: "uint32" }, { name: "label", dtype: "object" }],
  labelColumn: "label",
  identityColumns: [],
};

function sampleIndex(): DatasetIndex {
  return {
    info: INFO,
    labels: {
      categories: [
        { name: "Benign", rows: new Uint32Array([0, 2, 3, 5]) },
        { name: "Brute Force -XSS é", rows: new Uint32Array([1]) },
        { name: "Bot", rows: new Uint32Array([4]) },
      ],
    },
  };
}

Deno.test("index cache: a saved index loads back equal for the unchanged file", async () => {
  await withTempDir("mlids-index-", async (dir) => {
    const file = join(dir, "data.h5");
    await Deno.writeTextFile(file, "pretend dataset");
    const cacheDir = join(dir, "cache");
    assert.equal(await loadDatasetIndex(file, { cacheDir }), null);
    await saveDatasetIndex(file, sampleIndex(), { cacheDir, key: "ids_data" });
    const loaded = await loadDatasetIndex(file, { cacheDir, key: "ids_data" });
    assert.ok(loaded);
    assert.deepEqual(loaded.info, INFO);
    assert.deepEqual(
      loaded.labels?.categories.map((c) => [c.name, [...c.rows]]),
      sampleIndex().labels!.categories.map((c) => [c.name, [...c.rows]]),
    );
    // Another key of the same file is another entry.
    assert.equal(await loadDatasetIndex(file, { cacheDir, key: "other" }), null);
    // No temp files left beside the entry.
    const entries = [...Deno.readDirSync(join(cacheDir, "index"))].map((e) => e.name);
    assert.equal(entries.length, 1);
    assert.match(entries[0], /\.idx$/);
  });
});

Deno.test("index cache: a changed file (size or mtime) is not served from the cache", async () => {
  await withTempDir("mlids-index-", async (dir) => {
    const file = join(dir, "data.h5");
    const cacheDir = join(dir, "cache");
    await Deno.writeTextFile(file, "version one");
    await saveDatasetIndex(file, sampleIndex(), { cacheDir });
    await Deno.writeTextFile(file, "version two, longer");
    assert.equal(await loadDatasetIndex(file, { cacheDir }), null);
    await saveDatasetIndex(file, sampleIndex(), { cacheDir });
    assert.ok(await loadDatasetIndex(file, { cacheDir }));
    await Deno.utime(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    assert.equal(await loadDatasetIndex(file, { cacheDir }), null);
  });
});

Deno.test("index cache: unlabelled datasets and corrupt entries", async () => {
  await withTempDir("mlids-index-", async (dir) => {
    const file = join(dir, "flows.csv");
    const cacheDir = join(dir, "cache");
    await Deno.writeTextFile(file, "a,b\n1,2\n");
    await saveDatasetIndex(file, { info: { ...INFO, labelColumn: null }, labels: null }, {
      cacheDir,
    });
    const loaded = await loadDatasetIndex(file, { cacheDir });
    assert.equal(loaded?.labels, null);
    assert.equal(loaded?.info.labelColumn, null);
    const [entry] = [...Deno.readDirSync(join(cacheDir, "index"))];
    await Deno.writeFile(join(cacheDir, "index", entry.name), new Uint8Array([1, 2, 3, 4, 5]));
    assert.equal(await loadDatasetIndex(file, { cacheDir }), null);
  });
});

Deno.test("index cache: a reader's layout is stored as JSON beside the index", async () => {
  await withTempDir("mlids-index-", async (dir) => {
    const file = join(dir, "data.h5");
    const cacheDir = join(dir, "cache");
    await Deno.writeTextFile(file, "pretend dataset");
    const layout = { dataset: "/ids_data/table", columns: [{ name: "a", offset: 8 }], n: 1.5 };
    await saveDatasetIndex(file, { ...sampleIndex(), layout }, { cacheDir });
    const loaded = await loadDatasetIndex(file, { cacheDir });
    assert.deepEqual(loaded?.layout, layout);
    assert.equal(loaded?.labels?.categories[0].rows.length, 4);
    // Without one, none comes back.
    await saveDatasetIndex(file, sampleIndex(), { cacheDir });
    assert.equal((await loadDatasetIndex(file, { cacheDir }))?.layout, undefined);
  });
});
