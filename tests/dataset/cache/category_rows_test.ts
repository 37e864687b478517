import assert from "node:assert/strict";
import { join } from "node:path";
import {
  createCategoryRowsWriter,
  defaultCategoryRowsLimit,
  loadCategoryRows,
} from "../../../lib/dataset/cache/category_rows.ts";
import type { LabelIndex } from "../../../lib/dataset/flow_dataset.ts";
import { listFiles } from "../../support/files.ts";

const ROW_BYTES = 8;

/** A dataset of `labels.length` rows: row r's 8 bytes are r (uint32) and its category's number. */
function synthetic(labels: string[]): { index: LabelIndex; bytesOf: (row: number) => Uint8Array } {
  const names = [...new Set(labels)];
  const rows = names.map((name) =>
    Uint32Array.from(labels.flatMap((label, r) => label === name ? [r] : []))
  );
  const categories = names.map((name, i) => ({ name, rows: rows[i] }))
    .sort((a, b) => b.rows.length - a.rows.length || a.rows[0] - b.rows[0]);
  const bytesOf = (row: number): Uint8Array => {
    const bytes = new Uint8Array(ROW_BYTES);
    new DataView(bytes.buffer).setUint32(0, row, true);
    new DataView(bytes.buffer).setUint32(4, names.indexOf(labels[row]), true);
    return bytes;
  };
  return { index: { categories }, bytesOf };
}

/** Hands every row of `labels` to `sink` as the label scan does: chunk by chunk, a batch per category. */
function scan(
  labels: string[],
  bytesOf: (row: number) => Uint8Array,
  sink: {
    wants(category: string): boolean;
    take(category: string, batch: { rows: Uint32Array; bytes: Uint8Array }): void;
  },
  chunkRows = 10,
): void {
  for (let start = 0; start < labels.length; start += chunkRows) {
    const end = Math.min(labels.length, start + chunkRows);
    const seen = [...new Set(labels.slice(start, end))];
    for (const name of seen) {
      if (!sink.wants(name)) continue;
      const rows: number[] = [];
      for (let r = start; r < end; r++) if (labels[r] === name) rows.push(r);
      const bytes = new Uint8Array(rows.length * ROW_BYTES);
      rows.forEach((row, k) => bytes.set(bytesOf(row), k * ROW_BYTES));
      sink.take(name, { rows: Uint32Array.from(rows), bytes });
    }
  }
}

async function withTemp(body: (file: string, cacheDir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-rows-" });
  try {
    const file = join(dir, "data.h5");
    await Deno.writeFile(file, new Uint8Array(64));
    await body(file, join(dir, "cache"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Caches the rows of `labels` (see {@linkcode synthetic}) for `file` as a full label scan does,
 * asserting that the writer starts and finishes; the index and row bytes it cached.
 */
async function cacheRows(
  file: string,
  labels: string[],
  options: { cacheDir: string; chooseAfterRows?: number },
): Promise<{ index: LabelIndex; bytesOf: (row: number) => Uint8Array }> {
  const { index, bytesOf } = synthetic(labels);
  const writer = await createCategoryRowsWriter(file, { ...options, rowBytes: ROW_BYTES });
  assert.ok(writer);
  scan(labels, bytesOf, writer);
  assert.equal(await writer.finish(index), true);
  return { index, bytesOf };
}

/** 200 rows: Benign the most frequent from the start, three attacks scattered among it. */
function mixedLabels(): string[] {
  return Array.from({ length: 200 }, (_, r) => {
    if (r % 7 === 3) return "Bot";
    if (r % 11 === 5) return "DoS attacks-Hulk";
    if (r === 151) return "Infilteration";
    return "Benign";
  });
}

Deno.test("category rows: every category but the most frequent round-trips, in any order asked", async () => {
  await withTemp(async (file, cacheDir) => {
    const { index, bytesOf } = await cacheRows(file, mixedLabels(), {
      cacheDir,
      chooseAfterRows: 40,
    });

    const rows = await loadCategoryRows(file, index, { cacheDir });
    assert.ok(rows);
    try {
      assert.deepEqual(rows.categories.sort(), ["Bot", "DoS attacks-Hulk", "Infilteration"]);
      assert.equal(rows.rowBytes, ROW_BYTES);
      const wanted = [151, 5, 3, 192, 3, 16, 115, 10];
      assert.ok(rows.covers(wanted));
      const bytes = await rows.read(wanted);
      assert.ok(bytes);
      wanted.forEach((row, i) => {
        assert.deepEqual(
          bytes.subarray(i * ROW_BYTES, (i + 1) * ROW_BYTES),
          bytesOf(row),
          `${row}`,
        );
      });
      // A Benign row (row 0) is not cached: no answer rather than a wrong one.
      assert.equal(rows.covers([3, 0]), false);
      assert.equal(await rows.read([3, 0]), null);
    } finally {
      rows.close();
    }
    const files = await listFiles(cacheDir);
    assert.ok(files.every((path) => !path.endsWith(".part")), files.join());
    assert.equal(files.filter((path) => path.endsWith(".rows")).length, 3, files.join());
  });
});

Deno.test("category rows: the most frequent category is left out even when the scan ends before choosing", async () => {
  await withTemp(async (file, cacheDir) => {
    // Bot leads the first rows, Benign wins overall: with no early choice, the index decides.
    const labels = [
      ...Array.from({ length: 30 }, () => "Bot"),
      ...Array.from({ length: 70 }, (_, r) => r % 9 === 0 ? "FTP-BruteForce" : "Benign"),
    ];
    const { index } = await cacheRows(file, labels, { cacheDir });
    assert.equal(index.categories[0].name, "Benign");
    const rows = await loadCategoryRows(file, index, { cacheDir });
    assert.ok(rows);
    assert.deepEqual(rows.categories.sort(), ["Bot", "FTP-BruteForce"]);
    assert.equal(rows.covers(index.categories[0].rows.subarray(0, 1)), false);
    rows.close();
  });
});

Deno.test("category rows: a changed file or a disagreeing index invalidates the cache", async () => {
  await withTemp(async (file, cacheDir) => {
    const { index } = await cacheRows(file, mixedLabels(), {
      cacheDir,
      chooseAfterRows: 40,
    });
    const loaded = await loadCategoryRows(file, index, { cacheDir });
    assert.ok(loaded);
    loaded.close();

    // Another key of the same file has no cache.
    assert.equal(await loadCategoryRows(file, index, { cacheDir, key: "other" }), null);
    // An index whose counts differ (a different labelling) does not match.
    const fewer: LabelIndex = {
      categories: index.categories.map((c) =>
        c.name === "Bot" ? { name: c.name, rows: c.rows.subarray(1) } : c
      ),
    };
    assert.equal(await loadCategoryRows(file, fewer, { cacheDir }), null);

    await Deno.writeFile(file, new Uint8Array(65));
    assert.equal(await loadCategoryRows(file, index, { cacheDir }), null);
    // The first open of the changed file removes the stale rows before writing new ones.
    const again = await createCategoryRowsWriter(file, { cacheDir, rowBytes: ROW_BYTES });
    assert.ok(again);
    assert.equal((await listFiles(cacheDir)).filter((p) => p.endsWith(".rows")).length, 0);
    again.abort();
    assert.deepEqual(await listFiles(cacheDir), []);
  });
});

Deno.test("category rows: over the size limit, nothing is cached", async () => {
  await withTemp(async (file, cacheDir) => {
    const labels = mixedLabels();
    const { index, bytesOf } = synthetic(labels);
    // Bot, Hulk and Infilteration take 29 + 18 + 1 rows of 8 bytes: 384 bytes.
    const writer = await createCategoryRowsWriter(file, {
      cacheDir,
      rowBytes: ROW_BYTES,
      chooseAfterRows: 40,
      maxBytes: 300,
    });
    assert.ok(writer);
    scan(labels, bytesOf, writer);
    assert.equal(writer.wants("Bot"), false, "gave up once over the limit");
    assert.equal(await writer.finish(index), false);
    assert.deepEqual(await listFiles(cacheDir), []);
    assert.equal(await loadCategoryRows(file, index, { cacheDir }), null);
  });
});

Deno.test("category rows: the default limit is 60% of the file, at least 32 MiB, at most 1 GiB", () => {
  assert.equal(defaultCategoryRowsLimit(205_117_906), Math.floor(205_117_906 * 0.6));
  assert.equal(defaultCategoryRowsLimit(1000), 32 << 20);
  assert.equal(defaultCategoryRowsLimit(10 * 2 ** 30), 2 ** 30);
});

Deno.test("category rows: a failed write leaves nothing behind and says so once", async () => {
  await withTemp(async (file, cacheDir) => {
    // Rows of 4 KiB, so writes happen during the scan.
    const rowBytes = 4096;
    const count = 400;
    const labels = Array.from({ length: count }, (_, r) => r % 3 === 0 ? "Bot" : "Benign");
    const notices: string[] = [];
    const writer = await createCategoryRowsWriter(file, {
      cacheDir,
      rowBytes,
      chooseAfterRows: 20,
      onNotice: (message) => notices.push(message),
    });
    assert.ok(writer);
    const part = Array.from(Deno.readDirSync(join(cacheDir, "index")))
      .find((entry) => entry.name.endsWith(".part"));
    assert.ok(part, "rows are written to a .part directory");
    // The disk "fails": the directory being written vanishes.
    await Deno.remove(join(cacheDir, "index", part.name), { recursive: true });
    for (let start = 0; start < count; start += 50) {
      for (const name of ["Bot", "Benign"]) {
        if (!writer.wants(name)) continue;
        const rows = [];
        for (let r = start; r < start + 50; r++) if (labels[r] === name) rows.push(r);
        writer.take(name, {
          rows: Uint32Array.from(rows),
          bytes: new Uint8Array(rows.length * rowBytes),
        });
      }
    }
    const names = [...new Set(labels)];
    const index: LabelIndex = {
      categories: names.map((name) => ({
        name,
        rows: Uint32Array.from(labels.flatMap((label, r) => label === name ? [r] : [])),
      })).sort((a, b) => b.rows.length - a.rows.length),
    };
    assert.equal(await writer.finish(index), false);
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.match(notices[0], /could not cache category rows/);
    assert.deepEqual(await listFiles(cacheDir), []);
  });
});

Deno.test("category rows: a million rows of the category at index 10 come back each in its own slot", async () => {
  await withTemp(async (file, cacheDir) => {
    // Ten one-row categories (rows 0-9), then "Big" with a million rows (10..1_000_009): in the
    // manifest Big is category 10, the case where packing (category, place, slot) into one
    // double lost the slot's low bits.
    const small = Array.from({ length: 10 }, (_, k) => `c${k}`);
    const bigRows = 1_000_000;
    const writer = await createCategoryRowsWriter(file, {
      cacheDir,
      rowBytes: ROW_BYTES,
      chooseAfterRows: Infinity,
    });
    assert.ok(writer);
    const rowBytes = (rows: Uint32Array, category: number): Uint8Array => {
      const bytes = new Uint8Array(rows.length * ROW_BYTES);
      const view = new DataView(bytes.buffer);
      rows.forEach((row, k) => {
        view.setUint32(k * ROW_BYTES, row, true);
        view.setUint32(k * ROW_BYTES + 4, category, true);
      });
      return bytes;
    };
    small.forEach((name, k) => {
      const rows = Uint32Array.of(k);
      writer.take(name, { rows, bytes: rowBytes(rows, k) });
    });
    const big = Uint32Array.from({ length: bigRows }, (_, k) => 10 + k);
    writer.take("Big", { rows: big, bytes: rowBytes(big, 10) });
    const index: LabelIndex = {
      categories: [
        { name: "Benign", rows: Uint32Array.of(10 + bigRows) },
        { name: "Big", rows: big },
        ...small.map((name, k) => ({ name, rows: Uint32Array.of(k) })),
      ],
    };
    assert.equal(await writer.finish(index), true);
    const rows = await loadCategoryRows(file, index, { cacheDir });
    assert.ok(rows);
    try {
      assert.deepEqual(rows.categories, [...small, "Big"]);
      // Every Big row, in an order unlike the file's: reversed halves interleaved.
      const wanted = new Uint32Array(bigRows);
      for (let k = 0; k < bigRows; k++) {
        wanted[k] = k % 2 === 0 ? big[bigRows - 1 - k / 2] : big[(k - 1) / 2];
      }
      const bytes = await rows.read(wanted);
      assert.ok(bytes);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const wrong: string[] = [];
      for (let k = 0; k < bigRows && wrong.length < 5; k++) {
        const row = view.getUint32(k * ROW_BYTES, true);
        const category = view.getUint32(k * ROW_BYTES + 4, true);
        if (row !== wanted[k] || category !== 10) {
          wrong.push(`slot ${k}: row ${row} of category ${category}, not row ${wanted[k]}`);
        }
      }
      assert.deepEqual(wrong, []);
      // Rows of several categories mixed, repeated, out of order.
      const mixed = [500_000, 3, 11, 3, 9, 1_000_009, 0, 11];
      const some = await rows.read(mixed);
      assert.ok(some);
      const someView = new DataView(some.buffer, some.byteOffset, some.byteLength);
      assert.deepEqual(
        mixed.map((_, k) => someView.getUint32(k * ROW_BYTES, true)),
        mixed,
      );
    } finally {
      rows.close();
    }
  });
});
