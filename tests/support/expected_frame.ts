/**
 * What pandas read from a fixture (its *.expected.json, numbers kept as their source text) and
 * the assertions that a FlowDataset read gives exactly that: every cell, the index, the dtypes and
 * the label index.
 * @module
 */

import assert from "node:assert/strict";
import type { FlowDataset } from "../../lib/dataset/flow_dataset.ts";
import type { FlowFrame } from "../../lib/frame/frame.ts";

/** A JSON number kept as its source text, so int64 and uint64 stay exact. */
export class RawNumber {
  constructor(readonly source: string) {}
}

export type ExpectedCell = RawNumber | string | null;

export interface Expected {
  columns: string[];
  dtypes: Record<string, string>;
  index: RawNumber[];
  data: ExpectedCell[][];
}

export function loadExpected(path: string): Expected {
  const text = Deno.readTextFileSync(path);
  return JSON.parse(
    text,
    (_key, value, context?: { source?: string }) =>
      typeof value === "number" ? new RawNumber(context?.source ?? String(value)) : value,
  );
}

export function expectedNumber(cell: ExpectedCell): number {
  if (cell === "NaN") return NaN;
  if (cell === "Infinity") return Infinity;
  if (cell === "-Infinity") return -Infinity;
  assert.ok(cell instanceof RawNumber, `expected a number, got ${JSON.stringify(cell)}`);
  return Number(cell.source);
}

/** Asserts that the frame's row i equals expected row `rows[i]`, every column and the index. */
export function assertRowsMatch(
  frame: FlowFrame,
  expected: Expected,
  rows: ArrayLike<number>,
): void {
  assert.equal(frame.length, rows.length);
  assert.deepEqual(frame.columns.map((c) => c.name), expected.columns);
  assert.deepEqual(
    Object.fromEntries(frame.columns.map((c) => [c.name, c.dtype])),
    expected.dtypes,
  );
  for (let i = 0; i < rows.length; i++) {
    assert.equal(frame.index[i], BigInt(expected.index[rows[i]].source), `index of row ${rows[i]}`);
  }
  frame.columns.forEach((column, c) => {
    for (let i = 0; i < rows.length; i++) {
      const want = expected.data[rows[i]][c];
      const got = column.values[i];
      const where = `${column.name} of row ${rows[i]}`;
      if (column.dtype === "object" || column.dtype === "category") {
        assert.equal(got, want, where);
      } else if (typeof got === "bigint") {
        assert.ok(want instanceof RawNumber, where);
        assert.equal(got, BigInt(want.source), where);
      } else {
        // Object.is tells NaN, -0 and the infinities apart exactly.
        assert.ok(Object.is(got, expectedNumber(want)), `${where}: ${got} != ${want}`);
      }
    }
  });
}

/** Label counts as pandas' value_counts gives them: count descending, ties by first appearance. */
export function expectedLabelIndex(expected: Expected): { name: string; rows: number[] }[] {
  const at = expected.columns.indexOf("label");
  const byName = new Map<string, number[]>();
  expected.data.forEach((row, r) => {
    const name = row[at] as string;
    byName.set(name, [...(byName.get(name) ?? []), r]);
  });
  return [...byName].map(([name, rows]) => ({ name, rows }))
    .sort((a, b) => b.rows.length - a.rows.length || a.rows[0] - b.rows[0]);
}

export async function assertDatasetMatches(
  dataset: FlowDataset,
  expected: Expected,
): Promise<void> {
  const n = expected.index.length;
  assert.equal(dataset.info.rows, n);
  assert.deepEqual(
    dataset.info.columns,
    expected.columns.map((name) => ({ name, dtype: expected.dtypes[name] })),
  );
  assert.deepEqual(dataset.info.identityColumns, []);
  const all = Array.from({ length: n }, (_, i) => i);
  assertRowsMatch(await dataset.readRows(all), expected, all);

  // Scattered rows in arbitrary order, with a repeat.
  const scattered = [n - 1, 0, Math.floor(n / 2), 7, 7, 3, n - 2, 1, Math.floor(n / 3)];
  assertRowsMatch(await dataset.readRows(scattered), expected, scattered);
  assertRowsMatch(await dataset.readRows([]), expected, []);

  assert.equal(dataset.info.labelColumn, "label");
  const index = await dataset.labelIndex();
  assert.ok(index);
  assert.deepEqual(
    index.categories.map((c) => ({ name: c.name, rows: [...c.rows] })),
    expectedLabelIndex(expected),
  );
}
