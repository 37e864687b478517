#!/usr/bin/env python3
"""Write the demo's synthetic ML-IDS dataset: dev/demo_data/ml-ids-demo.h5.

Every value is drawn from per-category distributions written below (no real traffic is copied):
the ML-IDS column names and dtypes, a CSE-CIC-IDS2018-like label mix, attacks aimed at the ports
they aim at in that dataset, and the NaN/inf values real CICFlowMeter output has. Saved exactly as
ML-IDS saves its test set: pandas table format, key ids_data, zlib level 5 with shuffle.

  /usr/bin/python3 dev/make_demo_dataset.py [--rows 3000] [--seed 2018] [--out PATH]

Needs Debian's python3-pandas and python3-tables. The output is committed, so the demo runs on a
machine without them.
"""
import argparse
import os

import numpy as np
import pandas as pd

COLUMNS = [
    ("dst_port", "uint32"), ("protocol", "uint8"), ("timestamp", "object"), ("flow_duration", "int64"),
    ("tot_fwd_pkts", "uint32"), ("tot_bwd_pkts", "uint32"), ("totlen_fwd_pkts", "uint32"),
    ("totlen_bwd_pkts", "uint32"), ("fwd_pkt_len_max", "uint16"), ("fwd_pkt_len_min", "uint16"),
    ("fwd_pkt_len_mean", "float32"), ("fwd_pkt_len_std", "float32"), ("bwd_pkt_len_max", "uint16"),
    ("bwd_pkt_len_min", "uint16"), ("bwd_pkt_len_mean", "float32"), ("bwd_pkt_len_std", "float32"),
    ("flow_byts_s", "float64"), ("flow_pkts_s", "float64"), ("flow_iat_mean", "float32"),
    ("flow_iat_std", "float32"), ("flow_iat_max", "int64"), ("flow_iat_min", "int64"),
    ("fwd_iat_tot", "int64"), ("fwd_iat_mean", "float32"), ("fwd_iat_std", "float32"),
    ("fwd_iat_max", "int64"), ("fwd_iat_min", "int64"), ("bwd_iat_tot", "uint32"),
    ("bwd_iat_mean", "float32"), ("bwd_iat_std", "float32"), ("bwd_iat_max", "uint32"),
    ("bwd_iat_min", "uint32"), ("fwd_psh_flags", "uint8"), ("bwd_psh_flags", "uint8"),
    ("fwd_urg_flags", "uint8"), ("bwd_urg_flags", "uint8"), ("fwd_header_len", "uint32"),
    ("bwd_header_len", "uint32"), ("fwd_pkts_s", "float32"), ("bwd_pkts_s", "float32"),
    ("pkt_len_min", "uint16"), ("pkt_len_max", "uint16"), ("pkt_len_mean", "float32"),
    ("pkt_len_std", "float32"), ("pkt_len_var", "float32"), ("fin_flag_cnt", "uint8"),
    ("syn_flag_cnt", "uint8"), ("rst_flag_cnt", "uint8"), ("psh_flag_cnt", "uint8"),
    ("ack_flag_cnt", "uint8"), ("urg_flag_cnt", "uint8"), ("cwe_flag_count", "uint8"),
    ("ece_flag_cnt", "uint8"), ("down_up_ratio", "uint16"), ("pkt_size_avg", "float32"),
    ("fwd_seg_size_avg", "float32"), ("bwd_seg_size_avg", "float32"), ("fwd_byts_b_avg", "uint8"),
    ("fwd_pkts_b_avg", "uint8"), ("fwd_blk_rate_avg", "uint8"), ("bwd_byts_b_avg", "uint8"),
    ("bwd_pkts_b_avg", "uint8"), ("bwd_blk_rate_avg", "uint8"), ("subflow_fwd_pkts", "uint32"),
    ("subflow_fwd_byts", "uint32"), ("subflow_bwd_pkts", "uint32"), ("subflow_bwd_byts", "uint32"),
    ("init_fwd_win_byts", "int32"), ("init_bwd_win_byts", "int32"), ("fwd_act_data_pkts", "uint32"),
    ("fwd_seg_size_min", "uint8"), ("active_mean", "float32"), ("active_std", "float32"),
    ("active_max", "uint32"), ("active_min", "uint32"), ("idle_mean", "float32"),
    ("idle_std", "float32"), ("idle_max", "uint64"), ("idle_min", "uint64"), ("label", "object"),
]

# label: (share, ports to pick from, protocol, median flow duration in µs, median packets per flow)
PROFILES = {
    "Benign": (0.55, [443, 53, 80, 3389, 445, 8080, 22, 123], 6, 900_000, 8),
    "DDoS attacks-LOIC-HTTP": (0.09, [80], 6, 80_000, 3),
    "DoS attacks-Hulk": (0.08, [80], 6, 3_000, 2),
    "DDOS attack-HOIC": (0.07, [80], 6, 2_000, 2),
    "FTP-BruteForce": (0.06, [21], 6, 3, 1),
    "SSH-Bruteforce": (0.05, [22], 6, 350_000, 22),
    "DoS attacks-GoldenEye": (0.04, [80], 6, 5_000_000, 4),
    "Bot": (0.03, [8080], 6, 10_000, 3),
    "Infilteration": (0.02, [443, 53, 80], 6, 1_500_000, 6),
    "Brute Force -Web": (0.01, [80], 6, 5_000_000, 4),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=2018)
    ap.add_argument("--out", default=os.path.join(here, "demo_data", "ml-ids-demo.h5"))
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    labels = np.array(list(PROFILES))
    shares = np.array([p[0] for p in PROFILES.values()])
    label = rng.choice(labels, a.rows, p=shares / shares.sum())
    n = a.rows
    cols = {}
    ports = np.empty(n, dtype=np.uint32)
    proto = np.empty(n, dtype=np.uint8)
    duration = np.empty(n, dtype=np.int64)
    fwd = np.empty(n, dtype=np.uint32)
    for name, (_, port_choices, protocol, med_dur, med_pkts) in PROFILES.items():
        mask = label == name
        k = int(mask.sum())
        ports[mask] = rng.choice(port_choices, k)
        proto[mask] = protocol
        duration[mask] = np.maximum(1, rng.lognormal(np.log(med_dur), 1.0, k)).astype(np.int64)
        fwd[mask] = np.maximum(1, rng.poisson(med_pkts, k))
    benign = label == "Benign"
    proto[benign & (ports == 53)] = 17
    proto[benign & (ports == 123)] = 17
    bwd = np.maximum(0, fwd - rng.integers(0, 2, n)).astype(np.uint32)
    fwd_len = rng.integers(0, 1400, n).astype(np.uint32) * (fwd > 1)
    bwd_len = rng.integers(0, 3000, n).astype(np.uint32) * (bwd > 0)
    seconds = duration / 1e6
    with np.errstate(divide="ignore", invalid="ignore"):
        byts_s = (fwd_len + bwd_len) / seconds
        pkts_s = (fwd + bwd) / seconds
    # CICFlowMeter writes inf (and NaN for 0/0) for flows shorter than its clock resolution.
    tiny = rng.random(n) < 0.01
    byts_s[tiny] = np.inf
    pkts_s[tiny & (rng.random(n) < 0.5)] = np.nan
    base = pd.Timestamp("2018-02-14 08:00:00")
    offsets = np.sort(rng.integers(0, 10 * 3600, n))
    cols["dst_port"] = ports
    cols["protocol"] = proto
    cols["timestamp"] = [(base + pd.Timedelta(seconds=int(s))).strftime("%d/%m/%Y %H:%M:%S") for s in offsets]
    cols["flow_duration"] = duration
    cols["tot_fwd_pkts"] = fwd
    cols["tot_bwd_pkts"] = bwd
    cols["totlen_fwd_pkts"] = fwd_len
    cols["totlen_bwd_pkts"] = bwd_len
    cols["flow_byts_s"] = byts_s
    cols["flow_pkts_s"] = pkts_s
    cols["init_fwd_win_byts"] = rng.choice([-1, 8192, 26883, 29200, 65535], n).astype(np.int32)
    cols["init_bwd_win_byts"] = rng.choice([-1, 0, 211, 26847, 28960], n).astype(np.int32)
    cols["idle_max"] = (rng.random(n) < 0.2) * rng.integers(0, 2**62, n, dtype=np.uint64)
    cols["idle_min"] = cols["idle_max"] // np.uint64(2)
    df = pd.DataFrame(index=pd.RangeIndex(n))
    for name, dtype in COLUMNS:
        if name == "label":
            df[name] = label
        elif name in cols:
            df[name] = np.asarray(cols[name]).astype(dtype) if dtype != "object" else cols[name]
        elif dtype.startswith("float"):
            df[name] = (rng.gamma(1.5, 200.0, n) * (rng.random(n) < 0.7)).astype(dtype)
        else:
            hi = {"uint8": 4, "uint16": 1500, "uint32": 100000, "int64": 5_000_000, "int32": 65535}[dtype]
            df[name] = rng.integers(0, hi, n).astype(dtype)
    df.index = rng.permutation(n * 10)[:n]
    tmp = a.out + ".part"
    df.to_hdf(tmp, key="ids_data", format="table", complib="zlib", complevel=5)
    os.replace(tmp, a.out)
    print(f"wrote {a.out}: {n} rows, {os.path.getsize(a.out)} bytes")
    print(df.label.value_counts().to_string())


if __name__ == "__main__":
    main()
