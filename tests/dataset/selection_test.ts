import assert from "node:assert/strict";
import { InputError, UsageError } from "../../lib/errors.ts";
import type { LabelIndex } from "../../lib/dataset/flow_dataset.ts";
import { findCategory, mulberry32, seedOf, selectFlows } from "../../lib/dataset/selection.ts";

// Rows 0..9: Benign at even rows, Bot at 1,3,5,7, SQL Injection at 9.
const labels: LabelIndex = {
  categories: [
    { name: "Benign", rows: Uint32Array.from([0, 2, 4, 6, 8]) },
    { name: "Bot", rows: Uint32Array.from([1, 3, 5, 7]) },
    { name: "SQL Injection", rows: Uint32Array.from([9]) },
  ],
};
const population = { rows: 10, labels };

Deno.test("selectFlows picks distinct rows of the category only", () => {
  const pick = selectFlows(population, { category: "Bot", count: 3, seed: 7 });
  assert.equal(pick.rows.length, 3);
  assert.equal(new Set(pick.rows).size, 3);
  for (const row of pick.rows) assert.ok([1, 3, 5, 7].includes(row));
  assert.equal(pick.category, "Bot");
  assert.equal(pick.shortfall, null);
  assert.equal(pick.seed, 7);
});

Deno.test("selectFlows repeats with the same seed and varies with another", () => {
  const big = { rows: 100_000, labels: null };
  const a = selectFlows(big, { count: 20, seed: "demo" });
  const b = selectFlows(big, { count: 20, seed: "demo" });
  const c = selectFlows(big, { count: 20, seed: "other" });
  assert.deepEqual([...a.rows], [...b.rows]);
  assert.notDeepEqual([...a.rows], [...c.rows]);
  assert.equal(new Set(a.rows).size, 20);
  for (const row of a.rows) assert.ok(row < 100_000);
});

Deno.test("selectFlows dense and sparse paths draw the same rows for a seed", () => {
  // 24 of 100 takes the sparse path, 25 of 100 the dense one; both are the same shuffle.
  const sparse = selectFlows({ rows: 100, labels: null }, { count: 24, seed: 3 });
  const dense = selectFlows({ rows: 100, labels: null }, { count: 25, seed: 3 });
  assert.deepEqual([...dense.rows.subarray(0, 24)], [...sparse.rows]);
});

Deno.test("selectFlows gives what exists and reports a shortfall", () => {
  const pick = selectFlows(population, { category: "SQL Injection", count: 3, seed: 1 });
  assert.deepEqual([...pick.rows], [9]);
  assert.deepEqual(pick.shortfall, { requested: 3, available: 1 });
});

Deno.test("selectFlows count all takes every flow of the category in dataset order", () => {
  for (const seed of [5, 6, undefined]) {
    const pick = selectFlows(population, { category: "Benign", count: "all", seed });
    assert.deepEqual([...pick.rows], [0, 2, 4, 6, 8]);
    assert.equal(pick.shortfall, null);
    const everything = selectFlows(population, { count: "all", seed });
    assert.deepEqual([...everything.rows], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
  // The category's own row list is not handed out to be changed.
  const pick = selectFlows(population, { category: "Benign", count: "all" });
  pick.rows[0] = 99;
  assert.deepEqual([...selectFlows(population, { category: "Benign", count: "all" }).rows], [
    0,
    2,
    4,
    6,
    8,
  ]);
});

Deno.test("selectFlows: a count of every flow (or more) stays a random order, repeatable by seed", () => {
  const pick = selectFlows(population, { category: "Benign", count: 5, seed: 5 });
  assert.deepEqual([...pick.rows].sort((x, y) => x - y), [0, 2, 4, 6, 8]);
  assert.deepEqual(selectFlows(population, { category: "Benign", count: 5, seed: 5 }), pick);
  const orders = new Set<string>();
  for (let seed = 0; seed < 20; seed++) {
    orders.add(selectFlows(population, { count: 12, seed }).rows.join(","));
  }
  assert.ok(orders.size > 10, "different seeds give different orders");
  assert.ok(!orders.has("0,1,2,3,4,5,6,7,8,9") || orders.size > 1);
});

Deno.test("selectFlows at random draws roughly uniformly", () => {
  const counts = new Array(10).fill(0);
  for (let seed = 0; seed < 2000; seed++) {
    for (const row of selectFlows(population, { count: 1, seed }).rows) counts[row]++;
  }
  for (const count of counts) assert.ok(count > 120 && count < 280, `counts ${counts}`);
});

Deno.test("selectFlows rejects counts below 1 and fractions", () => {
  assert.throws(() => selectFlows(population, { count: 0 }), UsageError);
  assert.throws(() => selectFlows(population, { count: -2 }), UsageError);
  assert.throws(() => selectFlows(population, { count: 1.5 }), UsageError);
});

Deno.test("findCategory lists the known categories for an unknown name", () => {
  assert.throws(
    () => findCategory(labels, "DDoS"),
    (error: unknown) =>
      error instanceof InputError && /no category 'DDoS'/.test(error.message) &&
      /'Benign', 'Bot', 'SQL Injection'/.test(error.hint ?? ""),
  );
  assert.equal(findCategory(labels, "sql injection").name, "SQL Injection");
  assert.throws(() => findCategory(null, "Bot"), InputError);
});

Deno.test("seedOf keeps whole numbers and hashes text", () => {
  assert.equal(seedOf(42), 42);
  assert.equal(seedOf("42"), 42);
  assert.equal(seedOf("abc"), seedOf("abc"));
  assert.notEqual(seedOf("abc"), seedOf("abd"));
  const random = mulberry32(1);
  for (let i = 0; i < 100; i++) {
    const value = random();
    assert.ok(value >= 0 && value < 1);
  }
});
