import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InputError } from "../../../lib/errors.ts";
import {
  type Hdf5DatasetInfo,
  type Hdf5File,
  openHdf5File,
  TypeClass,
} from "../../../lib/dataset/hdf5/file.ts";

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

async function withFile(name: string, use: (file: Hdf5File) => void | Promise<void>) {
  const file = await openHdf5File(FIXTURES + name);
  try {
    await use(file);
  } finally {
    file.close();
  }
}

/** Bytes [offset, offset + size) of the given rows, sliced out of whole rows read by readRows. */
function fieldOfRows(
  file: Hdf5File,
  info: Hdf5DatasetInfo,
  rows: readonly number[],
  offset: number,
  size: number,
): Uint8Array {
  const all = file.readRows(info, 0, info.shape?.[0] ?? 0);
  const out = new Uint8Array(rows.length * size);
  rows.forEach((row, k) => {
    const at = row * info.rowBytes + offset;
    out.set(all.subarray(at, at + size), k * size);
  });
  return out;
}

Deno.test("openHdf5File: missing, directory and non-HDF5 files are InputErrors", async () => {
  await assert.rejects(() => openHdf5File(FIXTURES + "missing.h5"), (error: unknown) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /missing\.h5: no such file/);
    return true;
  });
  await assert.rejects(() => openHdf5File(FIXTURES), /is a directory/);
  await assert.rejects(
    () => openHdf5File(FIXTURES + "table_zlib.expected.json"),
    (error: unknown) => error instanceof InputError && /not an HDF5 file/.test(error.message),
  );
});

Deno.test("openHdf5File: finds the superblock after a user block", async () => {
  await withFile("userblock.h5", (file) => {
    assert.equal(file.superblockOffset, 512);
    assert.equal(file.attribute("ids_data", "pandas_type"), "frame_table");
  });
  await withFile("table_zlib.h5", (file) => assert.equal(file.superblockOffset, 0));
});

Deno.test("Hdf5File: objects, children and attributes", async () => {
  await withFile("two_keys.h5", (file) => {
    assert.deepEqual(file.children("/").sort(), ["nested", "train"]);
    assert.equal(file.kind("nested"), "group");
    assert.equal(file.kind("nested/test/table"), "dataset");
    assert.equal(file.kind("nested/nothing"), "missing");
    assert.equal(file.attribute("train", "pandas_type"), "frame_table");
    assert.equal(file.attribute("train", "no_such_attribute"), null);
    assert.equal(file.attributeBytes("train", "no_such_attribute"), null);
    const pickle = file.attributeBytes("train", "non_index_axes");
    assert.ok(pickle);
    assert.equal(new TextDecoder().decode(pickle.subarray(0, 3)), "(lp");
    assert.equal(file.attribute("train/table", "NROWS"), 60n);
  });
});

Deno.test("Hdf5File.dataset: shape, compound members, chunks and filters", async () => {
  await withFile("table_zlib.h5", (file) => {
    const info = file.dataset("ids_data/table");
    assert.deepEqual(info.shape, [300]);
    assert.equal(info.type.typeClass, TypeClass.compound);
    assert.equal(info.rowBytes, info.type.size);
    assert.deepEqual(info.filters.map((f) => f.id), [2, 1]);
    assert.ok(info.chunks && info.chunks[0] > 0);
    const members = info.type.members ?? [];
    assert.deepEqual(members[0], { ...members[0], name: "index", offset: 0, size: 8 });
    const strings = members.find((m) => m.base?.typeClass === TypeClass.string);
    assert.ok(strings);
    assert.equal(strings.typeClass, TypeClass.array);
  });
});

Deno.test("Hdf5File.readRows: raw rows hold the pandas index as little-endian int64", async () => {
  const expected = JSON.parse(
    Deno.readTextFileSync(FIXTURES + "table_plain.expected.json"),
    (_k, v, context?: { source?: string }) => typeof v === "number" ? context?.source : v,
  ) as { index: string[] };
  await withFile("table_plain.h5", (file) => {
    const info = file.dataset("ids_data/table");
    const bytes = file.readRows(info, 10, 20);
    assert.equal(bytes.length, 10 * info.rowBytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let r = 0; r < 10; r++) {
      assert.equal(view.getBigInt64(r * info.rowBytes, true), BigInt(expected.index[10 + r]));
    }
    assert.throws(() => file.readRows(info, 250, 258), RangeError);
  });
});

Deno.test("Hdf5File.readRowBytes: fields of every row, row ranges and scattered rows", async () => {
  const cases: [string, string][] = [
    ["table_zlib.h5", "ids_data/table"],
    ["table_plain.h5", "ids_data/table"],
    ["fixed_zlib.h5", "ids_data/block0_values"], // 2-D rows
    ["fixed.h5", "ids_data/block0_values"], // contiguous
  ];
  for (const [name, path] of cases) {
    await withFile(name, (file) => {
      const info = file.dataset(path);
      const total = info.shape?.[0] ?? 0;
      const every = Array.from({ length: total }, (_, i) => i);
      const spans = info.type.members
        ? info.type.members.map((m) => [m.offset, m.size])
        : [[0, info.rowBytes], [info.type.size, info.rowBytes - info.type.size]];
      for (const [offset, size] of spans) {
        const options = { byteOffset: offset, byteLength: size };
        const where = `${name} ${path} bytes ${offset}+${size}`;
        assert.deepEqual(
          file.readRowBytes(info, options),
          fieldOfRows(file, info, every, offset, size),
          where,
        );
        const range = every.slice(5, total - 3);
        assert.deepEqual(
          file.readRowBytes(info, { ...options, start: 5, end: total - 3 }),
          fieldOfRows(file, info, range, offset, size),
          where,
        );
      }
      // Out of order, repeated, far apart: each row lands in its own slot.
      const rows = [total - 1, 0, 1, 1, 5, 60, 61, total - 2, 0];
      assert.deepEqual(
        file.readRowBytes(info, { rows }),
        fieldOfRows(file, info, rows, 0, info.rowBytes),
        `${name} scattered rows`,
      );
      assert.equal(file.readRowBytes(info, { rows: [] }).length, 0);
      assert.throws(() => file.readRowBytes(info, { rows: [total] }), RangeError);
      assert.throws(() => file.readRowBytes(info, { start: 2, end: total + 1 }), RangeError);
      assert.throws(
        () => file.readRowBytes(info, { byteOffset: info.rowBytes - 1, byteLength: 2 }),
        RangeError,
      );
    });
  }
});

Deno.test("Hdf5File.readVlenRows: a fixed-format object block is one pickle", async () => {
  await withFile("fixed.h5", (file) => {
    const vlen = file.children("ids_data")
      .map((name) => `ids_data/${name}`)
      .filter((path) => file.kind(path) === "dataset")
      .map((path) => file.dataset(path))
      .find((info) => info.type.typeClass === TypeClass.vlen);
    assert.ok(vlen);
    const [pickle, ...rest] = file.readVlenRows(vlen, 0, 1);
    assert.equal(rest.length, 0);
    assert.equal(pickle[0], 0x80); // PROTO opcode
    assert.equal(pickle[pickle.length - 1], 0x2e); // STOP opcode
  });
});

Deno.test("Hdf5File.close: closing twice is harmless", async () => {
  const file = await openHdf5File(FIXTURES + "table_plain.h5");
  file.close();
  file.close();
});
