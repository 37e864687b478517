import assert from "node:assert/strict";
import { RowList } from "../../lib/dataset/_row_list.ts";

Deno.test("row list: rows pushed past its first capacity come back in order, as a copy", () => {
  const list = new RowList();
  for (let row = 0; row < 5000; row++) list.push(row * 3);
  const rows = list.rows();
  assert.equal(rows.length, 5000);
  assert.ok(rows.every((row, i) => row === i * 3));
  list.push(7);
  assert.equal(rows.length, 5000, "a copy: later pushes do not show");
  assert.deepEqual([...list.rows().subarray(4999)], [14997, 7]);
  assert.deepEqual([...new RowList().rows()], []);
});
