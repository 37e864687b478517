#!/usr/bin/env python3
"""Write the synthetic pandas HDF5 fixtures of tests/fixtures/ and their *.expected.json.

Run with Debian's Python (pandas + PyTables):  /usr/bin/python3 dev/make_fixtures.py

Every value is random but seeded, in CICFlowMeter-like columns: integers of several widths
(uint64 and int64 beyond 2**53 included), float32/float64 with NaN, +-inf and negatives, a
timestamp string column and a `label` column with several categories, one of them non-ASCII.
The *.expected.json files are what `pd.read_hdf` returns, in the format of
../shared/datasets/make_expected.py: columns, dtypes, index, data (row-major; NaN and
infinities as the strings "NaN", "Infinity", "-Infinity").
"""
import json
import math
import os
import subprocess
import warnings

import numpy as np
import pandas as pd
import tables

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")

LABELS = ["Benign", "DDOS attack-HOIC", "Bot", "SSH-Bruteforce", "Brute Force -XSS",
          "Angriff – Überlast ✓"]
LABEL_WEIGHTS = [0.55, 0.15, 0.12, 0.1, 0.05, 0.03]


def flows(rows, seed):
    """A CICFlowMeter-shaped frame of `rows` random flows."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame()
    df["dst_port"] = rng.integers(0, 65536, rows).astype(np.uint32)
    df["protocol"] = rng.choice([0, 6, 17], rows).astype(np.uint8)
    start = np.datetime64("2018-02-21T10:15:06")
    stamps = start + rng.integers(0, 86400 * 3, rows).astype("timedelta64[s]")
    df["timestamp"] = [pd.Timestamp(s).strftime("%d/%m/%Y %H:%M:%S") for s in stamps]
    duration = rng.integers(-(2**62), 2**62, rows, dtype=np.int64)
    duration[:3] = [2**53 + 1, -(2**63), 2**63 - 1]
    df["flow_duration"] = duration
    df["tot_fwd_pkts"] = rng.integers(0, 65536, rows).astype(np.uint16)
    df["init_fwd_win_byts"] = rng.integers(-(2**31), 2**31, rows, dtype=np.int64).astype(np.int32)
    df["fin_flag_cnt"] = rng.integers(-128, 128, rows).astype(np.int8)
    df["bwd_pkt_len_min"] = rng.integers(-(2**15), 2**15, rows).astype(np.int16)
    idle = rng.integers(0, 2**64 - 1, rows, dtype=np.uint64)
    idle[:3] = [2**64 - 1, 2**53 + 1, 0]
    df["idle_max"] = idle
    byts = rng.standard_normal(rows) * 1e6
    byts[[1, 5]] = np.nan
    byts[[2, 7]] = np.inf
    byts[3] = -np.inf
    byts[4] = -0.0
    byts[6] = 5e-324
    df["flow_byts_s"] = byts
    mean = (rng.standard_normal(rows) * 1e3).astype(np.float32)
    mean[[0, 9]] = np.nan
    mean[8] = np.inf
    mean[10] = -np.inf
    df["flow_iat_mean"] = mean
    df["fwd_pkt_len_mean"] = (rng.standard_normal(rows) * 100).astype(np.float32)
    df["pkt_len_var"] = rng.exponential(1e4, rows)
    df["label"] = rng.choice(LABELS, rows, p=LABEL_WEIGHTS)
    df.index = pd.Index(rng.permutation(rows * 7)[:rows].astype(np.int64))
    return df


def cell(v):
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v


def write_expected(path, key=None):
    """What pd.read_hdf returns for `path` (as ../shared/datasets/make_expected.py writes it)."""
    df = pd.read_hdf(path, key=key)
    out = {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "index": [int(i) for i in df.index],
        "data": [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }
    base = path[: -len(".h5")]
    name = base + (f".{key.replace('/', '_')}" if key else "") + ".expected.json"
    with open(name, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")


def shrink_object_blocks(path, repack_options=""):
    """Rewrite fixed-format object blocks (VLArrays) with one-row chunks.

    PyTables gives each VLArray a 1 MB chunk; the data (one pickled numpy object array, as
    pandas writes it) stays the same, so the fixture stays small.
    """
    with tables.open_file(path, "a") as h5:
        for node in list(h5.walk_nodes("/", classname="VLArray")):
            parent, name = node._v_parent, node._v_name
            value = node.read()
            attrs = {k: node._v_attrs[k] for k in node._v_attrs._v_attrnamesuser}
            filters = node.filters
            node._f_remove()
            fresh_node = h5.create_vlarray(parent, name, tables.ObjectAtom(), filters=filters,
                                           chunkshape=(1,))
            for item in value:
                fresh_node.append(item)
            for k, v in attrs.items():
                fresh_node._v_attrs[k] = v
    tmp = path + ".tmp"
    # ptrepack drops the space the old VLArrays held; it writes uncompressed unless told.
    status = os.system(f"ptrepack -o --chunkshape=keep {repack_options} {path} {tmp} >/dev/null")
    if status != 0:
        raise SystemExit(f"ptrepack failed on {path}")
    os.replace(tmp, path)


def fresh(name):
    path = os.path.join(OUT, name)
    if os.path.exists(path):
        os.remove(path)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    warnings.simplefilter("ignore")  # PerformanceWarning for object blocks in fixed format

    path = fresh("table_zlib.h5")
    df = flows(300, 1)
    # An index beyond 2**53 checks that the index stays exact.
    df.index = df.index.astype(np.int64) * (2**40) + 3
    df.to_hdf(path, "ids_data", format="table", complib="zlib", complevel=5)
    write_expected(path)

    path = fresh("table_plain.h5")
    flows(257, 2).to_hdf(path, "ids_data", format="table")
    write_expected(path)

    path = fresh("table_categorical.h5")
    df = flows(300, 3)
    df["label"] = df["label"].astype("category")
    df.to_hdf(path, "ids_data", format="table", data_columns=["label"], complib="zlib",
              complevel=1)
    write_expected(path)

    path = fresh("table_data_columns.h5")
    df = flows(280, 4)
    df.to_hdf(path, "flows", format="table",
              data_columns=["label", "dst_port", "flow_byts_s", "timestamp", "flow_duration"])
    write_expected(path)

    path = fresh("fixed.h5")
    flows(250, 5).to_hdf(path, "ids_data")
    shrink_object_blocks(path)
    write_expected(path)

    path = fresh("fixed_zlib.h5")
    flows(120, 6).to_hdf(path, "ids_data", complib="zlib", complevel=9)
    shrink_object_blocks(path, "--complevel=9 --complib=zlib --shuffle=1")
    write_expected(path)

    # Every other compressor: dev/make_compressor_fixtures.py.

    path = fresh("two_keys.h5")
    flows(60, 9).to_hdf(path, "train", format="table")
    flows(40, 10).to_hdf(path, "nested/test", format="table", complib="zlib", complevel=3)
    write_expected(path, "train")
    write_expected(path, "nested/test")

    # pandas writes nothing for an empty frame in table format, so empty it after writing.
    path = fresh("empty_table.h5")
    flows(20, 11).to_hdf(path, "ids_data", format="table")
    with pd.HDFStore(path) as store:
        store.remove("ids_data", where="index >= 0")
    path = fresh("empty_fixed.h5")
    flows(20, 12).iloc[:0].to_hdf(path, "ids_data")
    shrink_object_blocks(path)

    # A superblock after a 512-byte user block: readers must look for it past offset 0.
    path = fresh("userblock.h5")
    with pd.HDFStore(path, "w", complevel=5, complib="zlib", USER_BLOCK_SIZE=512) as store:
        store.put("ids_data", flows(150, 13), format="table")
    write_expected(path)

    # A column-names attribute that is a pickle calling os.system: readers must refuse it.
    path = fresh("malicious_pickle.h5")
    flows(30, 14).to_hdf(path, "ids_data", format="table")
    with tables.open_file(path, "a") as h5:
        h5.root.ids_data._v_attrs.non_index_axes = np.bytes_(b"cos\nsystem\n(S'echo pwned'\ntR.")

    path = fresh("no_pandas.h5")
    with tables.open_file(path, "w") as h5:
        group = h5.create_group("/", "flows")
        h5.create_array(group, "counts", np.arange(10, dtype=np.int32))

    # `deno task check` runs `deno fmt --check` over the JSON files too.
    deno = os.path.join(HERE, "..", ".tools", "node_modules", ".bin", "deno")
    expected = sorted(os.path.join(OUT, n) for n in os.listdir(OUT) if n.endswith(".expected.json"))
    if os.path.exists(deno):
        subprocess.run([deno, "fmt", "--quiet", *expected], check=True)
    else:
        print("deno not found: run `deno fmt tests/fixtures/*.expected.json`")

    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes")


if __name__ == "__main__":
    main()
