#!/usr/bin/env python3
"""Write the synthetic CICFlowMeter CSV fixtures of tests/fixtures/ and their *.expected.json.

Run with Debian's Python (pandas):  /usr/bin/python3 dev/make_csv_fixtures.py

The header names come from lib/dataset/_column_names.ts (read through `deno eval`), so the
fixtures follow the one list mlids matches dialects by. Every value is random but seeded, spelled
as CICFlowMeter exports spell them and as users' edited files do: float32-like values
(`509520.62`), full float64 precision (`33.651095247530634`), integers beyond 2**53 and beyond
int64 (uint64), negatives, `Infinity`/`-Infinity`/`NaN`/`inf`/empty cells, exponents, spaces
around numbers, integer columns that hold one `3.0` or one empty cell (pandas then reads them as
float64), quoted fields with commas and escaped quotes, non-ASCII labels.

Each *.expected.json is what `pd.read_csv(path, float_precision="round_trip")` returns, in the
format of dev/make_fixtures.py: columns (as in the CSV header), dtypes, index, data (row-major;
NaN and infinities as the strings "NaN", "Infinity", "-Infinity").
"""
import json
import os
import shutil
import subprocess

import numpy as np
import pandas as pd

from make_fixtures import cell  # the same cell format as the HDF5 fixtures' expected files

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
OUT = os.path.join(ROOT, "tests", "fixtures")
# The pinned Deno of the checkout, else the one on PATH (a worktree shares main's .tools).
DENO = os.path.join(ROOT, ".tools", "node_modules", ".bin", "deno")
if not os.path.exists(DENO):
    DENO = shutil.which("deno") or DENO

LABELS = ["Benign", "DDOS attack-HOIC", "Bot", "SSH-Bruteforce", 'Brute Force -Web, "quoted"',
          "Angriff – Überlast ✓"]
LABEL_WEIGHTS = [0.55, 0.15, 0.12, 0.1, 0.05, 0.03]


def column_names():
    """The dialects' header lists and the ML-IDS features with their dtypes, from the TS source."""
    script = (
        'import * as c from "./lib/dataset/_column_names.ts";'
        "console.log(JSON.stringify({v3: c.V3_HEADERS, four: c.CICFLOWMETER4_HEADERS,"
        " python: c.PYTHON_CICFLOWMETER_NAMES, features: c.IDS_FEATURES}));"
    )
    out = subprocess.run([DENO, "eval", script], cwd=ROOT, check=True, capture_output=True)
    return json.loads(out.stdout)


def float_text(rng, dtype):
    """A flow statistic as CICFlowMeter writes it: float32-like digits or full float64 ones."""
    scale = 10.0 ** rng.integers(-3, 8)
    value = rng.exponential(1.0) * scale
    if dtype == "float32":
        return repr(float(np.float32(value)))
    return repr(float(value))


def feature_texts(rng, names, features, rows):
    """Column name -> the text of each row's field, for the 79 features."""
    out = {}
    for name, feature in zip(names, features):
        dtype = feature["dtype"]
        if feature["name"] == "timestamp":
            start = np.datetime64("2018-02-21T10:15:06")
            stamps = start + rng.integers(0, 86400 * 3, rows).astype("timedelta64[s]")
            out[name] = [pd.Timestamp(s).strftime("%d/%m/%Y %I:%M:%S %p") for s in stamps]
        elif dtype.startswith("float"):
            out[name] = [float_text(rng, dtype) for _ in range(rows)]
        else:
            high = 2**31 if dtype in ("int64", "uint64", "int32") else 2**16
            out[name] = [str(v) for v in rng.integers(0, high, rows)]
    return out


def spell_edges(texts, features, names, rows):
    """The awkward spellings, each at a known place."""
    by_id = {f["name"]: n for f, n in zip(features, names)}
    texts[by_id["flow_byts_s"]][:8] = ["Infinity", "NaN", "", "-Infinity", "inf", "509520.62",
                                       "1711121.2", " 7.25 "]
    texts[by_id["flow_pkts_s"]][:6] = ["0.1", "33.651095247530634", "1e-05", "4.9e-324",
                                       "-0.0", "1.7976931348623157e308"]
    texts[by_id["fwd_pkts_s"]][:3] = ["2.2250738585072014e-308", "1E+22", "123456789012345678"]
    # int64 beyond 2**53, and its extremes.
    texts[by_id["flow_duration"]][:4] = ["9007199254740993", "-9223372036854775808",
                                         "9223372036854775807", "-1"]
    # uint64: values above int64's range, none negative.
    texts[by_id["idle_max"]][:2] = ["18446744073709551615", "9223372036854775808"]
    # Integer columns pandas reads as float64: one `3.0`, one empty cell, one exponent.
    texts[by_id["down_up_ratio"]][3] = "3.0"
    texts[by_id["fwd_psh_flags"]][rows - 1] = ""
    texts[by_id["urg_flag_cnt"]][5] = "1e3"
    # Negative integers and spaces: still int64.
    texts[by_id["init_fwd_win_byts"]][:3] = ["-1", " 8192", "+65535"]


def quote(text):
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def write_csv(path, header, columns, rows, newline="\n", bom=False):
    lines = [",".join(quote(h) for h in header)]
    for r in range(rows):
        lines.append(",".join(quote(columns[h][r]) for h in header))
    text = newline.join(lines) + newline
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(text)


def write_expected(path):
    """What pd.read_csv(float_precision="round_trip") returns for `path`."""
    df = pd.read_csv(path, float_precision="round_trip")
    out = {
        "columns": [str(c) for c in df.columns],
        "dtypes": {str(c): str(t) for c, t in df.dtypes.items()},
        "index": [int(i) for i in df.index],
        "data": [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }
    with open(path[: -len(".csv")] + ".expected.json", "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        f.write("\n")


def main():
    names = column_names()
    features = names["features"]
    rng = np.random.default_rng(11)

    # CSE-CIC-IDS2018's CICFlowMeter-V3 export with the identity columns, LF, 200 flows.
    rows = 200
    texts = feature_texts(rng, names["v3"], features, rows)
    spell_edges(texts, features, names["v3"], rows)
    texts["Flow ID"] = [f"172.31.69.{r % 250}-18.219.9.1-80-{50000 + r}-6" for r in range(rows)]
    texts["Flow ID"][1] = "flow, with a comma"
    texts["Src IP"] = [f"18.219.{r % 7}.{r % 250}" for r in range(rows)]
    texts["Src Port"] = [str(v) for v in rng.integers(1024, 65536, rows)]
    texts["Dst IP"] = ["172.31.69.25"] * rows
    texts["Label"] = list(rng.choice(LABELS, rows, p=LABEL_WEIGHTS))
    header = ["Flow ID", "Src IP", "Src Port", "Dst IP", *names["v3"], "Label"]
    path = os.path.join(OUT, "csv_v3.csv")
    write_csv(path, header, texts, rows)
    write_expected(path)

    # CICFlowMeter 4.0 names, its own column order (Label first here is not its order, but any
    # order must read), CRLF and a byte order mark; NeedManualLabel beside real labels.
    rows = 120
    texts = feature_texts(rng, names["four"], features, rows)
    spell_edges(texts, features, names["four"], rows)
    texts["Label"] = list(rng.choice(["NeedManualLabel", "BENIGN", "DoS Hulk"], rows))
    header = ["Label", *names["four"][::-1]]
    path = os.path.join(OUT, "csv_cicflowmeter4.csv")
    write_csv(path, header, texts, rows, newline="\r\n", bom=True)
    write_expected(path)

    # The Python cicflowmeter: snake_case, no label, counts written as floats (`3.0`).
    rows = 90
    texts = feature_texts(rng, names["python"], features, rows)
    spell_edges(texts, features, names["python"], rows)
    for name, feature in zip(names["python"], features):
        if feature["dtype"] in ("uint8", "uint16") and name != "protocol":
            texts[name] = [t if t == "" or "." in t or "e" in t else f"{t}.0" for t in texts[name]]
    texts["src_ip"] = [f"10.0.0.{r}" for r in range(rows)]
    texts["src_port"] = [str(40000 + r) for r in range(rows)]
    texts["dst_ip"] = ["10.0.0.254"] * rows
    header = ["src_ip", "dst_ip", "src_port", *names["python"]]
    path = os.path.join(OUT, "csv_python.csv")
    write_csv(path, header, texts, rows)
    write_expected(path)

    expected = [os.path.join(OUT, f"csv_{n}.expected.json") for n in ("v3", "cicflowmeter4", "python")]
    subprocess.run([DENO, "fmt", "--quiet", *expected], check=True)
    for name in sorted(os.listdir(OUT)):
        if name.startswith("csv_"):
            print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes")


if __name__ == "__main__":
    main()
