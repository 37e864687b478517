"""Writes tests/fixtures/chunks_*.h5: small chunked HDF5 files, as PyTables writes them (filters,
chunk B-trees, groups, N-D arrays), that tests/hdf5_chunks_test.ts reads with lib/hdf5_chunks.ts
and compares with h5wasm. pandas' own files (table and fixed format) come from dev/make_fixtures.py;
the chunk tests read those too.

Run: /usr/bin/python3 dev/make_chunk_fixtures.py   (needs numpy and PyTables)
"""

import os

import numpy as np
import tables

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")


def records(rows, seed, noisy=True):
    """A small record array for PyTables tables (int64 index, float64, int32, 5-byte string)."""
    rng = np.random.default_rng(seed)
    array = np.zeros(rows, dtype=[("index", "<i8"), ("value", "<f8"), ("code", "<i4"), ("tag", "S5")])
    array["index"] = np.arange(rows) * 7 - 3
    array["value"] = rng.normal(0, 100, rows) if noisy else np.arange(rows) / 4
    array["code"] = rng.integers(-(2**31), 2**31 - 1, rows) if noisy else np.arange(rows) % 1000 - 500
    array["tag"] = rng.choice([b"a", b"bb", b"ccccc"], rows)
    return array


def table_file(name, rows, filters, chunkshape, seed, noisy=True):
    path = os.path.join(OUT, name)
    with tables.open_file(path, "w") as h5:
        parent = h5.create_group("/", "data")
        h5.create_table(parent, "table", obj=records(rows, seed, noisy), filters=filters, chunkshape=chunkshape)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith("chunks_") and old.endswith(".h5"):
            os.remove(os.path.join(OUT, old))

    # No filters; zlib without shuffle; shuffle + zlib with a chunk of 64 rows and a partial last chunk.
    table_file("chunks_plain.h5", 120, tables.Filters(), (50,), 2)
    table_file("chunks_zlib.h5", 333, tables.Filters(complevel=5, complib="zlib", shuffle=False), (40,), 3)
    table_file("chunks_shuffle_zlib.h5", 333, tables.Filters(complevel=5, complib="zlib", shuffle=True), (64,), 4)
    # Fletcher-32 alone, and Fletcher-32 after shuffle + zlib.
    table_file("chunks_fletcher32.h5", 200, tables.Filters(fletcher32=True), (32,), 5)
    table_file("chunks_fletcher32_zlib.h5", 200,
               tables.Filters(complevel=3, complib="zlib", shuffle=True, fletcher32=True), (32,), 6)
    # 215 chunks of 7 rows: a chunk B-tree with internal nodes (at most 64 chunks a leaf), and an
    # odd chunk length (the byte-wise unshuffle).
    table_file("chunks_btree.h5", 1500, tables.Filters(complevel=1, complib="zlib", shuffle=True), (7,), 7,
               noisy=False)

    # Many members in one group (several symbol table nodes of at most 8 entries), nested groups, and N-D arrays.
    with tables.open_file(os.path.join(OUT, "chunks_groups.h5"), "w") as h5:
        group = h5.create_group("/", "many")
        for i in range(12):
            h5.create_table(group, f"t{i:02d}", obj=records(10 + i, 100 + i), chunkshape=(4,))
        nested = h5.create_group(h5.create_group("/", "outer"), "inner")
        h5.create_table(nested, "table", obj=records(50, 9), chunkshape=(16,),
                        filters=tables.Filters(complevel=2, complib="zlib", shuffle=True))
        values = np.arange(90 * 6, dtype="<f8").reshape(90, 6) / 7
        h5.create_carray("/", "rows2d", obj=values, chunkshape=(16, 6),
                         filters=tables.Filters(complevel=4, complib="zlib", shuffle=True))
        h5.create_carray("/", "split2d", obj=values, chunkshape=(16, 2))
        h5.create_array("/", "contiguous", obj=values)

    for name in sorted(os.listdir(OUT)):
        if name.startswith("chunks_"):
            print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
