import assert from "node:assert/strict";
import { join } from "node:path";
import { cachedCategoryNames, openDataset } from "../../lib/dataset/mod.ts";
import { REPO_ROOT } from "../../dev/run_mlids.ts";
import { listFiles } from "../support/files.ts";

const FIXTURE = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");

Deno.test("cachedCategoryNames: names of an opened dataset, null before and after a change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mlids-cached-categories-" });
  try {
    const cacheDir = join(dir, "cache");
    const file = join(dir, "flows.h5");
    await Deno.copyFile(FIXTURE, file);
    assert.equal(await cachedCategoryNames(file, { cacheDir }), null, "nothing cached yet");
    assert.deepEqual(await listFiles(cacheDir).catch(() => []), [], "and nothing written");
    const dataset = await openDataset(file, { cacheDir });
    const expected = (await dataset.labelIndex())!.categories.map((category) => category.name);
    dataset.close();
    assert.deepEqual(await cachedCategoryNames(file, { cacheDir }), expected);
    assert.deepEqual(await cachedCategoryNames(`file://${file}`, { cacheDir }), expected);
    assert.equal(expected[0], "Benign", "most frequent first");
    // The same file kept for an S3 object (--s3-local-storage-path): read from there, no network.
    assert.deepEqual(
      await cachedCategoryNames("s3://ml-ids-2018-full/testing/test.h5", {
        cacheDir,
        s3LocalStoragePath: file,
      }),
      expected,
    );
    // Another key, a missing S3 cache file, a bad URI: null, never an error.
    assert.equal(await cachedCategoryNames(file, { cacheDir, key: "other" }), null);
    assert.equal(
      await cachedCategoryNames("s3://ml-ids-2018-full/testing/test.h5", { cacheDir }),
      null,
    );
    assert.equal(await cachedCategoryNames("s3://", { cacheDir }), null);
    // A changed file is not paired with the old index.
    await Deno.writeFile(file, new Uint8Array([1, 2, 3]), { append: true });
    assert.equal(await cachedCategoryNames(file, { cacheDir }), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
