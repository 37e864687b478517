#!/usr/bin/env python3
"""Write tests/fixtures/compressors/: one pandas frame saved with every compressor pandas (PyTables)
offers, in table and in fixed format, and the values `pd.read_hdf` returns for them.

Run with Debian's Python (python3-pandas, python3-tables, python3-h5py):
    /usr/bin/python3 dev/make_compressor_fixtures.py

- zlib and bzip2, with and without the HDF5 shuffle filter;
- blosc with each codec (blosclz, lz4, lz4hc, snappy, zlib, zstd), with blosc's byte shuffle,
  bitshuffle, or neither;
- lzf: not a pandas complib (PyTables cannot read it), but h5py writes it; the lzf files are the
  plain files with every chunked dataset rewritten by h5py with lzf (+ shuffle);
- lzo: pandas writes it and mlids refuses it (no maintained JavaScript decoder), so only a table.

Every file holds the same frame: the generator checks that `pd.read_hdf` returns it from each file
it can read (all but lzf, which it checks through h5py's own decoding), then writes
table.expected.json and fixed.expected.json once, in make_fixtures.py's format. Tables are
repacked with 24-row chunks, so a file has several chunks and a partial last one.
"""
import json
import os
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_fixtures import cell, flows, shrink_object_blocks  # noqa: E402

OUT = os.path.join(HERE, "..", "tests", "fixtures", "compressors")
ROWS = 64
BLOSC_CODECS = ["blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"]


def frame():
    df = flows(ROWS, 21)
    return df


def variants(fmt):
    """(file stem, ptrepack options) of every compressed variant pandas can write; the fixed
    format (about 90 kB a file: a node per block) takes the shuffle variants of lz4 only."""
    out = []
    for complib in ["zlib", "bzip2"]:
        out.append((complib, ["--complib", complib, "--shuffle", "1"]))
        if fmt == "fixed" and complib != "zlib":
            continue
        out.append((f"{complib}_noshuffle", ["--complib", complib, "--shuffle", "0"]))
    for codec in BLOSC_CODECS:
        complib = f"blosc:{codec}"
        out.append((f"blosc_{codec}", ["--complib", complib, "--shuffle", "1"]))
        if fmt == "fixed" and codec != "lz4":
            continue
        out.append((f"blosc_{codec}_noshuffle", ["--complib", complib, "--shuffle", "0"]))
        out.append((f"blosc_{codec}_bitshuffle",
                    ["--complib", complib, "--shuffle", "0", "--bitshuffle", "1"]))
    return out


def repack(source, target, options, chunkshape):
    if os.path.exists(target):
        os.remove(target)
    subprocess.run(["ptrepack", "-o", "--complevel", "5", f"--chunkshape={chunkshape}", *options,
                    source, target], check=True, stdout=subprocess.DEVNULL)


def rewrite_lzf(source, target):
    """Copy `source` with every chunked dataset recompressed by h5py's lzf filter (+ shuffle)."""
    if os.path.exists(target):
        os.remove(target)
    with h5py.File(source, "r") as src, h5py.File(target, "w", libver="earliest") as dst:
        for name, value in src.attrs.items():
            dst.attrs[name] = value

        def copy(name, node):
            if isinstance(node, h5py.Group):
                group = dst.require_group(name)
                for k, v in node.attrs.items():
                    group.attrs[k] = v
                return
            if node.chunks is None:
                src.copy(node, dst, name=name)
                return
            created = dst.create_dataset(name, shape=node.shape, dtype=node.dtype,
                                         chunks=node.chunks, maxshape=node.maxshape,
                                         compression="lzf", shuffle=node.dtype.kind != "O")
            if node.dtype.kind == "O":
                for i in range(node.shape[0]):  # vlen rows one by one (no broadcasting)
                    created[i] = node[i]
            else:
                created[...] = node[...]
            for k, v in node.attrs.items():
                created.attrs[k] = v

        src.visititems(copy)
    with h5py.File(source, "r") as a, h5py.File(target, "r") as b:
        def same(name, node):
            if isinstance(node, h5py.Dataset):
                x, y = node[...], b[name][...]
                if x.dtype.kind == "O":
                    assert all(bytes(p) == bytes(q) for p, q in zip(x.ravel(), y.ravel())), name
                else:
                    assert np.array_equal(x, y) or x.tobytes() == y.tobytes(), name
        a.visititems(same)


def expected(df):
    return {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "index": [int(i) for i in df.index],
        "data": [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def main():
    warnings.simplefilter("ignore")
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    df = frame()
    table_df = df.copy()
    table_df["label"] = table_df["label"].astype("category")
    plain = {
        "table": os.path.join(OUT, "plain_table.tmp.h5"),
        "fixed": os.path.join(OUT, "plain_fixed.tmp.h5"),
    }
    table_df.to_hdf(plain["table"], "ids_data", format="table", data_columns=["label"])
    # Compressed, so pandas writes chunked arrays (CArrays), which the repacks recompress.
    df.to_hdf(plain["fixed"], "ids_data", format="fixed", complib="zlib", complevel=1)
    shrink_object_blocks(plain["fixed"], "--complevel=1 --complib=zlib")
    chunkshape = {"table": "(24,)", "fixed": "keep"}
    written = []
    for fmt in ["table", "fixed"]:
        reference = pd.read_hdf(plain[fmt])
        for stem, options in variants(fmt):
            target = os.path.join(OUT, f"{fmt}_{stem}.h5")
            repack(plain[fmt], target, options, chunkshape[fmt])
            pd.testing.assert_frame_equal(pd.read_hdf(target), reference)
            written.append(target)
        # lzf: rewritten from a zlib repack (so chunk shapes are the ones pandas files have).
        zlib = os.path.join(OUT, f"{fmt}_zlib.h5")
        target = os.path.join(OUT, f"{fmt}_lzf.h5")
        rewrite_lzf(zlib, target)
        written.append(target)
        with open(os.path.join(OUT, f"{fmt}.expected.json"), "w", encoding="utf-8") as f:
            json.dump(expected(reference), f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
    # lzo: pandas writes it; mlids names it and says how to re-save.
    target = os.path.join(OUT, "table_lzo.h5")
    repack(plain["table"], target, ["--complib", "lzo"], "(24,)")
    pd.testing.assert_frame_equal(pd.read_hdf(target), pd.read_hdf(plain["table"]))
    for path in plain.values():
        os.remove(path)

    deno = os.path.join(HERE, "..", ".tools", "node_modules", ".bin", "deno")
    if not os.path.exists(deno):
        deno = os.path.join(HERE, "..", "..", "main", ".tools", "node_modules", ".bin", "deno")
    jsons = [os.path.join(OUT, n) for n in sorted(os.listdir(OUT)) if n.endswith(".json")]
    if os.path.exists(deno):
        subprocess.run([deno, "fmt", "--quiet", *jsons], check=True)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(os.listdir(OUT))} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
