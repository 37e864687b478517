import { SHARED_DATASETS, sharedDatasetsPresent } from "../support/shared_datasets.ts";
import assert from "node:assert/strict";
import {
  CICFLOWMETER4_HEADERS,
  CICIDS2017_HEADERS,
  detectDialect,
  IDS_FEATURES,
  idsColumnName,
  PYTHON_CICFLOWMETER_NAMES,
  V3_HEADERS,
  v3RuleName,
} from "../../lib/dataset/_column_names.ts";

const expectedPath = `${SHARED_DATASETS}cse-cic-ids2018-sample.expected.json`;
const haveExpected = sharedDatasetsPresent;

Deno.test("names: the 79 ML-IDS features with their dtypes, in dataset order", () => {
  assert.equal(IDS_FEATURES.length, 79);
  assert.deepEqual(IDS_FEATURES[0], { name: "dst_port", dtype: "uint32" });
  assert.deepEqual(IDS_FEATURES[2], { name: "timestamp", dtype: "object" });
  assert.deepEqual(IDS_FEATURES[3], { name: "flow_duration", dtype: "int64" });
  assert.deepEqual(IDS_FEATURES[51], { name: "cwe_flag_count", dtype: "uint8" });
  assert.deepEqual(IDS_FEATURES[78], { name: "idle_min", dtype: "uint64" });
  assert.equal(new Set(IDS_FEATURES.map((f) => f.name)).size, 79);
});

Deno.test({
  name: "names: embedded list equals the ML-IDS sample's columns and dtypes",
  ignore: !haveExpected,
  fn: async () => {
    const expected = JSON.parse(await Deno.readTextFile(expectedPath));
    const columns: string[] = expected.columns;
    const dtypes: Record<string, string> | string[] = expected.dtypes;
    const dtypeOf = (name: string, i: number) => Array.isArray(dtypes) ? dtypes[i] : dtypes[name];
    assert.deepEqual(
      IDS_FEATURES,
      columns.flatMap((name, i) => name === "label" ? [] : [{ name, dtype: dtypeOf(name, i) }]),
    );
  },
});

Deno.test("names: every feature's V3, 4.0 and Python name maps to its ML-IDS name", () => {
  assert.equal(V3_HEADERS.length, 79);
  assert.equal(CICFLOWMETER4_HEADERS.length, 79);
  assert.equal(PYTHON_CICFLOWMETER_NAMES.length, 79);
  IDS_FEATURES.forEach(({ name }, i) => {
    assert.equal(idsColumnName(V3_HEADERS[i]), name, V3_HEADERS[i]);
    assert.equal(idsColumnName(CICFLOWMETER4_HEADERS[i]), name, CICFLOWMETER4_HEADERS[i]);
    assert.equal(idsColumnName(PYTHON_CICFLOWMETER_NAMES[i]), name, PYTHON_CICFLOWMETER_NAMES[i]);
    assert.equal(idsColumnName(` ${CICIDS2017_HEADERS[i]}`), name, CICIDS2017_HEADERS[i]);
    assert.equal(idsColumnName(name), name);
  });
});

Deno.test("names: the V3 rule (lower-case, non-word to _) holds for all 79 V3 headers", () => {
  IDS_FEATURES.forEach(({ name }, i) => assert.equal(v3RuleName(V3_HEADERS[i]), name));
  assert.equal(v3RuleName("Flow Byts/s"), "flow_byts_s");
  assert.equal(v3RuleName("Down/Up Ratio"), "down_up_ratio");
});

Deno.test("names: real spellings of each dialect, quirks included", () => {
  const cases: [string, string][] = [
    ["Total Fwd Packet", "tot_fwd_pkts"],
    ["Total Bwd packets", "tot_bwd_pkts"],
    ["Total Length of Fwd Packet", "totlen_fwd_pkts"],
    ["Flow Bytes/s", "flow_byts_s"],
    ["Packet Length Variance", "pkt_len_var"],
    ["CWR Flag Count", "cwe_flag_count"],
    ["Average Packet Size", "pkt_size_avg"],
    ["Fwd Bytes/Bulk Avg", "fwd_byts_b_avg"],
    ["FWD Init Win Bytes", "init_fwd_win_byts"],
    ["cwr_flag_count", "cwe_flag_count"],
    ["cwe_flag_count", "cwe_flag_count"],
    ["CWE Flag Count", "cwe_flag_count"],
    [" Destination Port", "dst_port"],
    [" Flow Duration", "flow_duration"],
    ["Total Length of Fwd Packets", "totlen_fwd_pkts"],
    [" Total Backward Packets", "tot_bwd_pkts"],
    [" Min Packet Length", "pkt_len_min"],
    ["Init_Win_bytes_forward", "init_fwd_win_byts"],
    [" min_seg_size_forward", "fwd_seg_size_min"],
    [" Avg Bwd Segment Size", "bwd_seg_size_avg"],
  ];
  for (const [header, name] of cases) assert.equal(idsColumnName(header), name, header);
});

Deno.test("names: identity columns, label and unknown headers", () => {
  assert.equal(idsColumnName("Flow ID"), "flow_id");
  assert.equal(idsColumnName("\uFEFFFlow ID"), "flow_id");
  assert.equal(idsColumnName("Src IP"), "src_ip");
  assert.equal(idsColumnName(" Source IP"), "src_ip");
  assert.equal(idsColumnName("src_port"), "src_port");
  assert.equal(idsColumnName(" Source Port"), "src_port");
  assert.equal(idsColumnName("Dst IP"), "dst_ip");
  assert.equal(idsColumnName(" Destination IP"), "dst_ip");
  assert.equal(idsColumnName("Label"), "label");
  assert.equal(idsColumnName(" Label"), "label");
  assert.equal(idsColumnName("ICMP Code"), null);
  assert.equal(idsColumnName("Fwd RST Flags"), null);
  assert.equal(idsColumnName("Fwd Header Length.1"), null);
  assert.equal(idsColumnName(""), null);
});

Deno.test("names: detectDialect tells the three dialects apart", () => {
  const identity = ["Flow ID", "Src IP", "Src Port", "Dst IP"];
  assert.equal(detectDialect([...V3_HEADERS, "Label"]), "cicflowmeter-v3");
  assert.equal(detectDialect([...identity, ...V3_HEADERS, "Label"]), "cicflowmeter-v3");
  assert.equal(detectDialect([...identity, ...CICFLOWMETER4_HEADERS, "Label"]), "cicflowmeter-4");
  const python = ["src_ip", "dst_ip", "src_port", ...[...PYTHON_CICFLOWMETER_NAMES].reverse()];
  assert.equal(detectDialect(python), "python-cicflowmeter");
  assert.equal(detectDialect(["Dst Port", "Tot Fwd Pkts", "Label"]), "cicflowmeter-v3");
  assert.equal(detectDialect(["Dst Port", "Protocol", "Label"]), "unknown");
  assert.equal(detectDialect([]), "unknown");
  assert.equal(detectDialect(CICIDS2017_HEADERS.map((h) => ` ${h}`)), "unknown");
});
