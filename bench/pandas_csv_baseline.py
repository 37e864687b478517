#!/usr/bin/env python3
"""pandas_baseline.py's measurement for a CSV: Debian has no Parquet reader for pandas (no
pyarrow), so mlids' Parquet reading is compared with pandas reading the same rows as CSV.

  pandas_csv_baseline.py load FILE             read_csv + category list
  pandas_csv_baseline.py sample FILE CAT N     ... then pick N flows of CAT and build the request body

Prints one JSON line: {"rows", "categories", "seconds"}. Needs python3-pandas.
"""
import json
import sys
import time

import pandas as pd


def main():
    mode, path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    cats = df.label.value_counts().index.to_list()
    out = {"rows": len(df), "categories": len(cats)}
    if mode == "sample":
        cat, n = sys.argv[3], int(sys.argv[4])
        rows = df[df.label == cat]
        rows = rows.sample(n=min(n, len(rows)))
        body = rows.drop(columns=["label"]).to_json(orient="split", index=False)
        out["body_bytes"] = len(body)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
