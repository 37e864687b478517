import assert from "node:assert/strict";
import { sortCategories } from "../../lib/dataset/flow_dataset.ts";

Deno.test("flow dataset: categories sort as value_counts, ties by first appearance", () => {
  const sorted = sortCategories([
    { name: "Bot", rows: new Uint32Array([5, 6]) },
    { name: "Benign", rows: new Uint32Array([0, 1, 2, 9]) },
    { name: "SQL Injection", rows: new Uint32Array([3, 8]) },
    { name: "Infilteration", rows: new Uint32Array([7]) },
  ]);
  assert.deepEqual(sorted.map((c) => c.name), ["Benign", "SQL Injection", "Bot", "Infilteration"]);
});
