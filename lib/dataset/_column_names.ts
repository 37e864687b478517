/**
 * Column naming of CICFlowMeter CSVs: the 79 ML-IDS feature columns with the dtypes ML-IDS stores
 * them in, and how each CSV dialect (CICFlowMeter-V3 as in CSE-CIC-IDS2018, CICFlowMeter 4.0, the
 * Python `cicflowmeter`, CIC-IDS2017) names them.
 * @module
 */

/** The CSV dialects mlids knows by their header row. */
export type CsvDialect =
  | "cicflowmeter-v3"
  | "cicflowmeter-4"
  | "python-cicflowmeter"
  | "unknown";

// One row per ML-IDS feature, in ML-IDS (= CICFlowMeter-V3) order:
// [ML-IDS name, ML-IDS dtype, V3 header, CICFlowMeter 4.0 header, Python cicflowmeter name,
//  CIC-IDS2017 header without its leading space].
// ML-IDS names and dtypes: ../shared/datasets/cse-cic-ids2018-sample.expected.json (the test set).
// 4.0 headers: ahlashkari/CICFlowMeter FlowFeature.java (dst_pot .. idl_min).
// Python names: hieulw/cicflowmeter flow.py `get_data()`; it calls the CWR count `cwr_flag_count`
// (older releases `cwe_flag_count`, which maps to itself).
type FeatureRow = readonly [string, string, string, string, string, string];
const FEATURE_ROWS: readonly FeatureRow[] = [
  ["dst_port", "uint32", "Dst Port", "Dst Port", "dst_port", "Destination Port"],
  ["protocol", "uint8", "Protocol", "Protocol", "protocol", "Protocol"],
  ["timestamp", "object", "Timestamp", "Timestamp", "timestamp", "Timestamp"],
  ["flow_duration", "int64", "Flow Duration", "Flow Duration", "flow_duration", "Flow Duration"],
  [
    "tot_fwd_pkts",
    "uint32",
    "Tot Fwd Pkts",
    "Total Fwd Packet",
    "tot_fwd_pkts",
    "Total Fwd Packets",
  ],
  [
    "tot_bwd_pkts",
    "uint32",
    "Tot Bwd Pkts",
    "Total Bwd packets",
    "tot_bwd_pkts",
    "Total Backward Packets",
  ],
  [
    "totlen_fwd_pkts",
    "uint32",
    "TotLen Fwd Pkts",
    "Total Length of Fwd Packet",
    "totlen_fwd_pkts",
    "Total Length of Fwd Packets",
  ],
  [
    "totlen_bwd_pkts",
    "uint32",
    "TotLen Bwd Pkts",
    "Total Length of Bwd Packet",
    "totlen_bwd_pkts",
    "Total Length of Bwd Packets",
  ],
  [
    "fwd_pkt_len_max",
    "uint16",
    "Fwd Pkt Len Max",
    "Fwd Packet Length Max",
    "fwd_pkt_len_max",
    "Fwd Packet Length Max",
  ],
  [
    "fwd_pkt_len_min",
    "uint16",
    "Fwd Pkt Len Min",
    "Fwd Packet Length Min",
    "fwd_pkt_len_min",
    "Fwd Packet Length Min",
  ],
  [
    "fwd_pkt_len_mean",
    "float32",
    "Fwd Pkt Len Mean",
    "Fwd Packet Length Mean",
    "fwd_pkt_len_mean",
    "Fwd Packet Length Mean",
  ],
  [
    "fwd_pkt_len_std",
    "float32",
    "Fwd Pkt Len Std",
    "Fwd Packet Length Std",
    "fwd_pkt_len_std",
    "Fwd Packet Length Std",
  ],
  [
    "bwd_pkt_len_max",
    "uint16",
    "Bwd Pkt Len Max",
    "Bwd Packet Length Max",
    "bwd_pkt_len_max",
    "Bwd Packet Length Max",
  ],
  [
    "bwd_pkt_len_min",
    "uint16",
    "Bwd Pkt Len Min",
    "Bwd Packet Length Min",
    "bwd_pkt_len_min",
    "Bwd Packet Length Min",
  ],
  [
    "bwd_pkt_len_mean",
    "float32",
    "Bwd Pkt Len Mean",
    "Bwd Packet Length Mean",
    "bwd_pkt_len_mean",
    "Bwd Packet Length Mean",
  ],
  [
    "bwd_pkt_len_std",
    "float32",
    "Bwd Pkt Len Std",
    "Bwd Packet Length Std",
    "bwd_pkt_len_std",
    "Bwd Packet Length Std",
  ],
  ["flow_byts_s", "float64", "Flow Byts/s", "Flow Bytes/s", "flow_byts_s", "Flow Bytes/s"],
  ["flow_pkts_s", "float64", "Flow Pkts/s", "Flow Packets/s", "flow_pkts_s", "Flow Packets/s"],
  ["flow_iat_mean", "float32", "Flow IAT Mean", "Flow IAT Mean", "flow_iat_mean", "Flow IAT Mean"],
  ["flow_iat_std", "float32", "Flow IAT Std", "Flow IAT Std", "flow_iat_std", "Flow IAT Std"],
  ["flow_iat_max", "int64", "Flow IAT Max", "Flow IAT Max", "flow_iat_max", "Flow IAT Max"],
  ["flow_iat_min", "int64", "Flow IAT Min", "Flow IAT Min", "flow_iat_min", "Flow IAT Min"],
  ["fwd_iat_tot", "int64", "Fwd IAT Tot", "Fwd IAT Total", "fwd_iat_tot", "Fwd IAT Total"],
  ["fwd_iat_mean", "float32", "Fwd IAT Mean", "Fwd IAT Mean", "fwd_iat_mean", "Fwd IAT Mean"],
  ["fwd_iat_std", "float32", "Fwd IAT Std", "Fwd IAT Std", "fwd_iat_std", "Fwd IAT Std"],
  ["fwd_iat_max", "int64", "Fwd IAT Max", "Fwd IAT Max", "fwd_iat_max", "Fwd IAT Max"],
  ["fwd_iat_min", "int64", "Fwd IAT Min", "Fwd IAT Min", "fwd_iat_min", "Fwd IAT Min"],
  ["bwd_iat_tot", "uint32", "Bwd IAT Tot", "Bwd IAT Total", "bwd_iat_tot", "Bwd IAT Total"],
  ["bwd_iat_mean", "float32", "Bwd IAT Mean", "Bwd IAT Mean", "bwd_iat_mean", "Bwd IAT Mean"],
  ["bwd_iat_std", "float32", "Bwd IAT Std", "Bwd IAT Std", "bwd_iat_std", "Bwd IAT Std"],
  ["bwd_iat_max", "uint32", "Bwd IAT Max", "Bwd IAT Max", "bwd_iat_max", "Bwd IAT Max"],
  ["bwd_iat_min", "uint32", "Bwd IAT Min", "Bwd IAT Min", "bwd_iat_min", "Bwd IAT Min"],
  ["fwd_psh_flags", "uint8", "Fwd PSH Flags", "Fwd PSH Flags", "fwd_psh_flags", "Fwd PSH Flags"],
  ["bwd_psh_flags", "uint8", "Bwd PSH Flags", "Bwd PSH Flags", "bwd_psh_flags", "Bwd PSH Flags"],
  ["fwd_urg_flags", "uint8", "Fwd URG Flags", "Fwd URG Flags", "fwd_urg_flags", "Fwd URG Flags"],
  ["bwd_urg_flags", "uint8", "Bwd URG Flags", "Bwd URG Flags", "bwd_urg_flags", "Bwd URG Flags"],
  [
    "fwd_header_len",
    "uint32",
    "Fwd Header Len",
    "Fwd Header Length",
    "fwd_header_len",
    "Fwd Header Length",
  ],
  [
    "bwd_header_len",
    "uint32",
    "Bwd Header Len",
    "Bwd Header Length",
    "bwd_header_len",
    "Bwd Header Length",
  ],
  ["fwd_pkts_s", "float32", "Fwd Pkts/s", "Fwd Packets/s", "fwd_pkts_s", "Fwd Packets/s"],
  ["bwd_pkts_s", "float32", "Bwd Pkts/s", "Bwd Packets/s", "bwd_pkts_s", "Bwd Packets/s"],
  ["pkt_len_min", "uint16", "Pkt Len Min", "Packet Length Min", "pkt_len_min", "Min Packet Length"],
  ["pkt_len_max", "uint16", "Pkt Len Max", "Packet Length Max", "pkt_len_max", "Max Packet Length"],
  [
    "pkt_len_mean",
    "float32",
    "Pkt Len Mean",
    "Packet Length Mean",
    "pkt_len_mean",
    "Packet Length Mean",
  ],
  [
    "pkt_len_std",
    "float32",
    "Pkt Len Std",
    "Packet Length Std",
    "pkt_len_std",
    "Packet Length Std",
  ],
  [
    "pkt_len_var",
    "float32",
    "Pkt Len Var",
    "Packet Length Variance",
    "pkt_len_var",
    "Packet Length Variance",
  ],
  ["fin_flag_cnt", "uint8", "FIN Flag Cnt", "FIN Flag Count", "fin_flag_cnt", "FIN Flag Count"],
  ["syn_flag_cnt", "uint8", "SYN Flag Cnt", "SYN Flag Count", "syn_flag_cnt", "SYN Flag Count"],
  ["rst_flag_cnt", "uint8", "RST Flag Cnt", "RST Flag Count", "rst_flag_cnt", "RST Flag Count"],
  ["psh_flag_cnt", "uint8", "PSH Flag Cnt", "PSH Flag Count", "psh_flag_cnt", "PSH Flag Count"],
  ["ack_flag_cnt", "uint8", "ACK Flag Cnt", "ACK Flag Count", "ack_flag_cnt", "ACK Flag Count"],
  ["urg_flag_cnt", "uint8", "URG Flag Cnt", "URG Flag Count", "urg_flag_cnt", "URG Flag Count"],
  [
    "cwe_flag_count",
    "uint8",
    "CWE Flag Count",
    "CWR Flag Count",
    "cwr_flag_count",
    "CWE Flag Count",
  ],
  ["ece_flag_cnt", "uint8", "ECE Flag Cnt", "ECE Flag Count", "ece_flag_cnt", "ECE Flag Count"],
  ["down_up_ratio", "uint16", "Down/Up Ratio", "Down/Up Ratio", "down_up_ratio", "Down/Up Ratio"],
  [
    "pkt_size_avg",
    "float32",
    "Pkt Size Avg",
    "Average Packet Size",
    "pkt_size_avg",
    "Average Packet Size",
  ],
  [
    "fwd_seg_size_avg",
    "float32",
    "Fwd Seg Size Avg",
    "Fwd Segment Size Avg",
    "fwd_seg_size_avg",
    "Avg Fwd Segment Size",
  ],
  [
    "bwd_seg_size_avg",
    "float32",
    "Bwd Seg Size Avg",
    "Bwd Segment Size Avg",
    "bwd_seg_size_avg",
    "Avg Bwd Segment Size",
  ],
  [
    "fwd_byts_b_avg",
    "uint8",
    "Fwd Byts/b Avg",
    "Fwd Bytes/Bulk Avg",
    "fwd_byts_b_avg",
    "Fwd Avg Bytes/Bulk",
  ],
  [
    "fwd_pkts_b_avg",
    "uint8",
    "Fwd Pkts/b Avg",
    "Fwd Packet/Bulk Avg",
    "fwd_pkts_b_avg",
    "Fwd Avg Packets/Bulk",
  ],
  [
    "fwd_blk_rate_avg",
    "uint8",
    "Fwd Blk Rate Avg",
    "Fwd Bulk Rate Avg",
    "fwd_blk_rate_avg",
    "Fwd Avg Bulk Rate",
  ],
  [
    "bwd_byts_b_avg",
    "uint8",
    "Bwd Byts/b Avg",
    "Bwd Bytes/Bulk Avg",
    "bwd_byts_b_avg",
    "Bwd Avg Bytes/Bulk",
  ],
  [
    "bwd_pkts_b_avg",
    "uint8",
    "Bwd Pkts/b Avg",
    "Bwd Packet/Bulk Avg",
    "bwd_pkts_b_avg",
    "Bwd Avg Packets/Bulk",
  ],
  [
    "bwd_blk_rate_avg",
    "uint8",
    "Bwd Blk Rate Avg",
    "Bwd Bulk Rate Avg",
    "bwd_blk_rate_avg",
    "Bwd Avg Bulk Rate",
  ],
  [
    "subflow_fwd_pkts",
    "uint32",
    "Subflow Fwd Pkts",
    "Subflow Fwd Packets",
    "subflow_fwd_pkts",
    "Subflow Fwd Packets",
  ],
  [
    "subflow_fwd_byts",
    "uint32",
    "Subflow Fwd Byts",
    "Subflow Fwd Bytes",
    "subflow_fwd_byts",
    "Subflow Fwd Bytes",
  ],
  [
    "subflow_bwd_pkts",
    "uint32",
    "Subflow Bwd Pkts",
    "Subflow Bwd Packets",
    "subflow_bwd_pkts",
    "Subflow Bwd Packets",
  ],
  [
    "subflow_bwd_byts",
    "uint32",
    "Subflow Bwd Byts",
    "Subflow Bwd Bytes",
    "subflow_bwd_byts",
    "Subflow Bwd Bytes",
  ],
  [
    "init_fwd_win_byts",
    "int32",
    "Init Fwd Win Byts",
    "FWD Init Win Bytes",
    "init_fwd_win_byts",
    "Init_Win_bytes_forward",
  ],
  [
    "init_bwd_win_byts",
    "int32",
    "Init Bwd Win Byts",
    "Bwd Init Win Bytes",
    "init_bwd_win_byts",
    "Init_Win_bytes_backward",
  ],
  [
    "fwd_act_data_pkts",
    "uint32",
    "Fwd Act Data Pkts",
    "Fwd Act Data Pkts",
    "fwd_act_data_pkts",
    "act_data_pkt_fwd",
  ],
  [
    "fwd_seg_size_min",
    "uint8",
    "Fwd Seg Size Min",
    "Fwd Seg Size Min",
    "fwd_seg_size_min",
    "min_seg_size_forward",
  ],
  ["active_mean", "float32", "Active Mean", "Active Mean", "active_mean", "Active Mean"],
  ["active_std", "float32", "Active Std", "Active Std", "active_std", "Active Std"],
  ["active_max", "uint32", "Active Max", "Active Max", "active_max", "Active Max"],
  ["active_min", "uint32", "Active Min", "Active Min", "active_min", "Active Min"],
  ["idle_mean", "float32", "Idle Mean", "Idle Mean", "idle_mean", "Idle Mean"],
  ["idle_std", "float32", "Idle Std", "Idle Std", "idle_std", "Idle Std"],
  ["idle_max", "uint64", "Idle Max", "Idle Max", "idle_max", "Idle Max"],
  ["idle_min", "uint64", "Idle Min", "Idle Min", "idle_min", "Idle Min"],
];

/** The 79 ML-IDS feature columns in dataset order, with the pandas dtype ML-IDS stores each in. */
export const IDS_FEATURES: readonly { name: string; dtype: string }[] = FEATURE_ROWS.map((
  [name, dtype],
) => ({ name, dtype }));

/** The CICFlowMeter-V3 (CSE-CIC-IDS2018) header of each ML-IDS feature, in ML-IDS order. */
export const V3_HEADERS: readonly string[] = FEATURE_ROWS.map((row) => row[2]);

/** The CICFlowMeter 4.0 (Java tool) header of each ML-IDS feature, in ML-IDS order. */
export const CICFLOWMETER4_HEADERS: readonly string[] = FEATURE_ROWS.map((row) => row[3]);

/** The Python `cicflowmeter` name of each ML-IDS feature, in ML-IDS order. */
export const PYTHON_CICFLOWMETER_NAMES: readonly string[] = FEATURE_ROWS.map((row) => row[4]);

/** The CIC-IDS2017 header of each ML-IDS feature (the CSVs add a leading space to most). */
export const CICIDS2017_HEADERS: readonly string[] = FEATURE_ROWS.map((row) => row[5]);

/** The identity columns mlids keeps (shown, never sent to the API), with the dtype it reads them as. */
export const IDENTITY_COLUMNS: readonly { name: string; dtype: string }[] = [
  { name: "flow_id", dtype: "object" },
  { name: "src_ip", dtype: "object" },
  { name: "src_port", dtype: "uint16" },
  { name: "dst_ip", dtype: "object" },
];

/** The ML-IDS name of the label column. */
export const LABEL_COLUMN = "label";

/**
 * The CICFlowMeter-V3 naming rule: lower-case, every non-word character replaced by `_`
 * (`Flow Byts/s` -> `flow_byts_s`). It holds for all 79 V3 headers: there are no exceptions.
 */
export function v3RuleName(header: string): string {
  return header.toLowerCase().replace(/\W/g, "_");
}

// Headers are compared on letters and digits only, lower-cased, so spacing, `/`, `_` and case do not
// matter (`Flow Byts/s`, `flow_byts_s`, ` Flow Bytes/s` with 2017's leading space).
function nameKey(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const IDENTITY_ALIASES: readonly (readonly [string, readonly string[]])[] = [
  ["flow_id", ["Flow ID", "flow_id"]],
  ["src_ip", ["Src IP", "Source IP", "src_ip"]],
  ["src_port", ["Src Port", "Source Port", "src_port"]],
  ["dst_ip", ["Dst IP", "Destination IP", "dst_ip"]],
  [LABEL_COLUMN, ["Label", "label"]],
];

function buildNameMap(): Map<string, string> {
  const map = new Map<string, string>();
  const add = (header: string, name: string) => {
    const key = nameKey(header);
    const known = map.get(key);
    if (known !== undefined && known !== name) {
      throw new Error(`CSV header '${header}' would name both ${known} and ${name}`);
    }
    map.set(key, name);
  };
  for (const [name, , v3, v4, python, ids2017] of FEATURE_ROWS) {
    for (const header of [name, v3, v4, python, ids2017]) add(header, name);
  }
  for (const [name, aliases] of IDENTITY_ALIASES) {
    for (const alias of aliases) add(alias, name);
  }
  return map;
}

const NAME_MAP = buildNameMap();

/**
 * Maps a CSV header (any of the three dialects, or CIC-IDS2017's names with leading spaces) to the
 * ML-IDS column name, an identity column (`flow_id`, `src_ip`, `src_port`, `dst_ip`), `label`, or null.
 */
export function idsColumnName(header: string): string | null {
  return NAME_MAP.get(nameKey(header.replace(/^\uFEFF/, ""))) ?? null;
}

// Header spellings that only one dialect uses, compared exactly (trimmed): shared spellings such
// as `Protocol` or `Flow IAT Mean` say nothing about the dialect.
function distinctiveNames(): Map<CsvDialect, Set<string>> {
  const lists: [CsvDialect | "cic-ids2017", readonly string[]][] = [
    ["cicflowmeter-v3", [...V3_HEADERS, "Flow ID", "Src IP", "Src Port", "Dst IP"]],
    ["cicflowmeter-4", [...CICFLOWMETER4_HEADERS, "Flow ID", "Src IP", "Src Port", "Dst IP"]],
    ["python-cicflowmeter", [...PYTHON_CICFLOWMETER_NAMES, "cwe_flag_count", "src_ip", "dst_ip"]],
    ["cic-ids2017", [...CICIDS2017_HEADERS, "Source IP", "Source Port", "Destination IP"]],
  ];
  const owners = new Map<string, Set<string>>();
  for (const [dialect, names] of lists) {
    for (const name of names) {
      const set = owners.get(name) ?? new Set<string>();
      set.add(dialect);
      owners.set(name, set);
    }
  }
  const result = new Map<CsvDialect, Set<string>>();
  for (const [dialect, names] of lists) {
    if (dialect === "cic-ids2017") continue;
    result.set(dialect, new Set(names.filter((name) => owners.get(name)?.size === 1)));
  }
  return result;
}

const DISTINCTIVE = distinctiveNames();

/** The dialect a header row is in: the one whose own spellings it uses most; `unknown` if none or a tie. */
export function detectDialect(
  headers: readonly string[],
): "cicflowmeter-v3" | "cicflowmeter-4" | "python-cicflowmeter" | "unknown" {
  let best: CsvDialect = "unknown";
  let bestCount = 0;
  let tie = false;
  for (const [dialect, names] of DISTINCTIVE) {
    let count = 0;
    for (const header of headers) {
      if (names.has(header.replace(/^\uFEFF/, "").trim())) count++;
    }
    if (count > bestCount) {
      best = dialect;
      bestCount = count;
      tie = false;
    } else if (count === bestCount && count > 0) {
      tie = true;
    }
  }
  return tie ? "unknown" : best;
}
