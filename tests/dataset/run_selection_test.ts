import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { selectRunFlows } from "../../lib/dataset/run_selection.ts";
import type { LabelIndex } from "../../lib/dataset/flow_dataset.ts";

// 100 flows: Benign at even rows, Bot at rows 1, 3, ..., 39, Hulk at 41, 43, ..., 99.
const labels: LabelIndex = {
  categories: [
    { name: "Benign", rows: Uint32Array.from({ length: 50 }, (_, i) => 2 * i) },
    { name: "DoS attacks-Hulk", rows: Uint32Array.from({ length: 30 }, (_, i) => 41 + 2 * i) },
    { name: "Bot", rows: Uint32Array.from({ length: 20 }, (_, i) => 1 + 2 * i) },
  ],
};
const population = { rows: 100, labels };

function ascending(rows: Uint32Array): boolean {
  return rows.every((row, i) => i === 0 || rows[i - 1] < row);
}

Deno.test("selectRunFlows: every flow by default, in dataset order, nothing drawn", () => {
  const all = selectRunFlows(population);
  assert.deepEqual([...all.rows], Array.from({ length: 100 }, (_, i) => i));
  assert.equal(all.drawn, false);
  assert.equal(all.categories, null);
});

Deno.test("selectRunFlows: categories (any case, named twice once), in dataset order", () => {
  const picked = selectRunFlows(population, { categories: ["bot", "Bot", "DoS attacks-Hulk"] });
  assert.equal(picked.rows.length, 50);
  assert.ok(ascending(picked.rows));
  assert.deepEqual(picked.categories, ["Bot", "DoS attacks-Hulk"]);
  assert.ok(picked.rows.every((row) => row % 2 === 1));
});

Deno.test("selectRunFlows: --per-category takes up to N of each category, seeded", () => {
  const a = selectRunFlows(population, { perCategory: 25, seed: 7 });
  const b = selectRunFlows(population, { perCategory: 25, seed: 7 });
  assert.deepEqual(a.rows, b.rows);
  assert.equal(a.rows.length, 25 + 25 + 20);
  assert.ok(ascending(a.rows));
  assert.equal(a.rows.filter((row) => row % 2 === 0).length, 25);
  assert.equal(a.rows.filter((row) => row % 2 === 1 && row < 40).length, 20);
  assert.equal(a.drawn, true);
  assert.notDeepEqual(selectRunFlows(population, { perCategory: 25, seed: 8 }).rows, a.rows);
});

Deno.test("selectRunFlows: --sample draws N of what the other flags left", () => {
  const picked = selectRunFlows(population, { categories: ["Bot"], sample: 5, seed: "x" });
  assert.equal(picked.rows.length, 5);
  assert.ok(ascending(picked.rows));
  assert.ok(picked.rows.every((row) => row % 2 === 1 && row < 40));
  assert.equal(selectRunFlows(population, { sample: 500 }).rows.length, 100);
});

Deno.test("selectRunFlows: bad counts, unknown categories and --per-category without labels are refused", () => {
  assert.throws(() => selectRunFlows(population, { sample: 0 }), UsageError);
  assert.throws(() => selectRunFlows(population, { perCategory: 1.5 }), UsageError);
  assert.throws(() => selectRunFlows(population, { categories: ["Nope"] }), /no category 'Nope'/);
  assert.throws(() => selectRunFlows({ rows: 10, labels: null }, { perCategory: 2 }), UsageError);
});
