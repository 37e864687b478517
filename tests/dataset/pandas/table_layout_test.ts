import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openPandasHdf, tableLayoutOf } from "../../../lib/dataset/pandas/hdf.ts";
import {
  decodeFields,
  type FieldColumn,
  type PandasTableLayout,
  readTableRows,
  sortRows,
  tableLayoutFromJson,
} from "../../../lib/dataset/pandas/table_layout.ts";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

async function layoutOf(name: string): Promise<PandasTableLayout> {
  const dataset = await openPandasHdf(FIXTURES + name);
  try {
    const layout = tableLayoutOf(dataset);
    assert.ok(layout, `${name} is a table read natively`);
    return layout;
  } finally {
    dataset.close();
  }
}

Deno.test("tableLayoutFromJson: a layout survives JSON, as the index cache stores it", async () => {
  for (const name of ["table_zlib.h5", "table_categorical.h5", "table_data_columns.h5"]) {
    const layout = await layoutOf(name);
    const back = tableLayoutFromJson(JSON.parse(JSON.stringify(layout)));
    assert.deepEqual(back, JSON.parse(JSON.stringify(layout)), name);
  }
  const categorical = await layoutOf("table_categorical.h5");
  const label = categorical.columns.find((c) => c.name === "label");
  assert.equal(label?.decode, "category");
  assert.ok((label?.categories ?? []).length > 1);
});

Deno.test("tableLayoutFromJson: anything that is not a layout is null", async () => {
  const good = JSON.parse(JSON.stringify(await layoutOf("table_zlib.h5")));
  assert.ok(tableLayoutFromJson(good));
  const broken: unknown[] = [
    null,
    42,
    "layout",
    [],
    {},
    { ...good, chunks: undefined },
    { ...good, rows: good.rows + 1 }, // does not match the chunk index
    { ...good, rows: -1 },
    { ...good, encoding: 7 },
    { ...good, columns: [{ ...good.columns[0], offset: good.chunks.elementSize }] },
    { ...good, columns: [{ ...good.columns[0], storage: "int128" }] },
    { ...good, columns: [{ ...good.columns[0], decode: "category" }] }, // no categories
    { ...good, index: { ...good.index, storage: "float64" } },
    { ...good, chunks: { ...good.chunks, chunks: [{ start: 0, address: -5, size: 1 }] } },
    { ...good, chunks: { ...good.chunks, chunkShape: [0] } },
  ];
  for (const value of broken) assert.equal(tableLayoutFromJson(value), null, JSON.stringify(value));
});

Deno.test("readTableRows: any rows, in any order with repeats, equal h5wasm's reads", async () => {
  for (const name of ["table_zlib.h5", "table_categorical.h5", "userblock.h5"]) {
    const layout = tableLayoutFromJson(JSON.parse(JSON.stringify(await layoutOf(name))));
    assert.ok(layout);
    const reference = await openPandasHdf(FIXTURES + name, { chunkReader: false });
    try {
      const n = layout.rows;
      const sets = [
        Array.from({ length: n }, (_, i) => i),
        [n - 1, 0, 7, 7, Math.floor(n / 2), 1, n - 2, 0],
        [],
      ];
      for (const rows of sets) {
        const got = await readTableRows(FIXTURES + name, layout, rows);
        const want = await reference.readRows(rows);
        assert.deepEqual(got, want, `${name} rows ${rows.slice(0, 8)}`);
      }
      await assert.rejects(readTableRows(FIXTURES + name, layout, [n]), RangeError);
      await assert.rejects(readTableRows(FIXTURES + name, layout, [0.5]), RangeError);
    } finally {
      reference.close();
    }
  }
});

Deno.test("readTableRows: a damaged file is an InputError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const layout = await layoutOf("table_zlib.h5");
    const bytes = await Deno.readFile(FIXTURES + "table_zlib.h5");
    const chunk = layout.chunks.chunks[0];
    bytes.fill(0xff, chunk.address + 10, chunk.address + 200);
    const path = `${dir}/damaged.h5`;
    await Deno.writeFile(path, bytes);
    await assert.rejects(readTableRows(path, layout, [0, 1]), (error: unknown) => {
      assert.ok(error instanceof Error && error.name === "InputError");
      assert.match(error.message, /damaged\.h5: /);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sortRows: ascending, stable, with where each row was; RangeError outside", () => {
  const { rows, positions } = sortRows([5, 1, 5, 0, 3], 6);
  assert.deepEqual([...rows], [0, 1, 3, 5, 5]);
  assert.deepEqual([...positions], [3, 1, 4, 0, 2]);
  assert.deepEqual([...sortRows([], 0).rows], []);
  assert.throws(() => sortRows([6], 6), RangeError);
  assert.throws(() => sortRows([-1], 6), RangeError);
});

Deno.test("decodeFields: numbers, NUL-padded strings and category codes, into their slots", () => {
  // Rows of 8 bytes: uint16 at 0, 4-byte string at 2, int8 code at 6, one spare byte.
  const bytes = new Uint8Array([
    ...[0x34, 0x12, 0x61, 0x62, 0, 0, 1, 0],
    ...[0xff, 0xff, 0xc3, 0xa9, 0x78, 0, 0xff, 0],
  ]);
  const port: FieldColumn = {
    name: "port",
    dtype: "uint16",
    offset: 0,
    size: 2,
    decode: "numeric",
    storage: "uint16",
  };
  const tag: FieldColumn = { name: "tag", dtype: "object", offset: 2, size: 4, decode: "string" };
  const label: FieldColumn = {
    name: "label",
    dtype: "category",
    offset: 6,
    size: 1,
    decode: "category",
    storage: "int8",
    categories: ["Benign", "Bot"],
  };
  const ports = new Uint16Array(2);
  const tags = new Array<string>(2);
  const labels = new Array<string>(2);
  decodeFields(
    bytes,
    8,
    [{ column: port, out: ports }, { column: tag, out: tags }, { column: label, out: labels }],
    new TextDecoder(),
    [1, 0],
  );
  assert.deepEqual([...ports], [0xffff, 0x1234]);
  assert.deepEqual(tags, ["éx", "ab"]);
  assert.deepEqual(labels, ["nan", "Bot"]); // code -1 is a missing value
});
