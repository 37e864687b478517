import assert from "node:assert/strict";
import { cellAt, findColumn, type FlowFrame, takeRows } from "../../lib/frame/frame.ts";

const FRAME: FlowFrame = {
  length: 4,
  index: new BigInt64Array([10n, 11n, 12n, 13n]),
  columns: [
    { name: "dst_port", dtype: "uint32", values: new Uint32Array([80, 443, 21, 22]) },
    { name: "idle_max", dtype: "uint64", values: new BigUint64Array([0n, 1n, 2n, 2n ** 64n - 1n]) },
    { name: "flow_byts_s", dtype: "float64", values: new Float64Array([NaN, Infinity, 1.5, -2]) },
    { name: "label", dtype: "object", values: ["Benign", "Bot", "FTP-BruteForce", "Bot"] },
  ],
};

Deno.test("frame: cellAt and findColumn read what is there, null past the end", () => {
  const port = findColumn(FRAME, "dst_port")!;
  assert.equal(cellAt(port, 1), 443);
  assert.equal(cellAt(findColumn(FRAME, "idle_max")!, 3), 2n ** 64n - 1n);
  assert.ok(Number.isNaN(cellAt(findColumn(FRAME, "flow_byts_s")!, 0) as number));
  assert.equal(cellAt(port, 9), null);
  assert.equal(findColumn(FRAME, "nope"), undefined);
});

Deno.test("frame: takeRows keeps each column's type, order given, repeats allowed", () => {
  const taken = takeRows(FRAME, [3, 0, 3]);
  assert.equal(taken.length, 3);
  assert.deepEqual([...taken.index], [13n, 10n, 13n]);
  assert.ok(taken.columns[0].values instanceof Uint32Array);
  assert.deepEqual([...taken.columns[0].values as Uint32Array], [22, 80, 22]);
  assert.ok(taken.columns[1].values instanceof BigUint64Array);
  assert.deepEqual([...taken.columns[1].values as BigUint64Array], [
    2n ** 64n - 1n,
    0n,
    2n ** 64n - 1n,
  ]);
  assert.deepEqual(taken.columns[3].values, ["Bot", "Benign", "Bot"]);
  assert.deepEqual(
    taken.columns.map((c) => [c.name, c.dtype]),
    FRAME.columns.map((c) => [c.name, c.dtype]),
  );
});
