import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openFlowCsv } from "../../../lib/dataset/csv/cicflowmeter.ts";
import { openDataset } from "../../../lib/dataset/open.ts";
import { loadDatasetIndex } from "../../../lib/dataset/cache/label_index.ts";
import {
  CICFLOWMETER4_HEADERS,
  IDS_FEATURES,
  idsColumnName,
  PYTHON_CICFLOWMETER_NAMES,
  V3_HEADERS,
} from "../../../lib/dataset/_column_names.ts";
import { InputError, UsageError } from "../../../lib/errors.ts";
import type { FlowDataset } from "../../../lib/dataset/flow_dataset.ts";
import { findColumn, type FlowFrame } from "../../../lib/frame/frame.ts";
import { withTempDir } from "../../support/files.ts";

const IDS_NAMES = IDS_FEATURES.map((f) => f.name);
/** The identity columns a CICFlowMeter 4.0 CSV has, as read: Flow ID, Src IP, Src Port, Dst IP. */
const CIC4_IDENTITY = ["flow_id", "src_ip", "src_port", "dst_ip"];
const INTEGER_DTYPES = new Set(["uint8", "uint16", "uint32", "int32", "int64", "uint64"]);

/** The value row `row` holds for feature `i` in these synthetic files: exact in every dtype. */
function featureValue(i: number, row: number): string {
  const { name, dtype } = IDS_FEATURES[i];
  if (name === "timestamp") return `21/02/2018 10:15:${String(row % 60).padStart(2, "0")}`;
  if (INTEGER_DTYPES.has(dtype)) return String(i + row);
  return `${i + row}.5`;
}

/** What pandas reads for feature `i` of row `row`: integers as int64, the rest as float64. */
function expectedNumber(i: number, row: number): number | bigint {
  return INTEGER_DTYPES.has(IDS_FEATURES[i].dtype) ? BigInt(i + row) : i + row + 0.5;
}

/** The pandas dtype of feature `i` in these files: int64 where every value is an integer. */
function expectedDtype(i: number): string {
  const { name, dtype } = IDS_FEATURES[i];
  return name === "timestamp" ? "object" : INTEGER_DTYPES.has(dtype) ? "int64" : "float64";
}

/** The 79 features as these synthetic files read: ML-IDS names, pandas dtypes. */
const READ_FEATURES = IDS_FEATURES.map((feature, i) => ({
  name: feature.name,
  dtype: expectedDtype(i),
}));

function featureValues(row: number, overrides: Record<string, string> = {}): string[] {
  return IDS_FEATURES.map((f, i) => overrides[f.name] ?? featureValue(i, row));
}

async function open(
  dir: string,
  text: string | Uint8Array,
  name = "flows.csv",
): Promise<{ dataset: FlowDataset; notices: string[] }> {
  const path = `${dir}/${name}`;
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
  const notices: string[] = [];
  const dataset = await openFlowCsv(path, { onNotice: (m) => notices.push(m) });
  return { dataset, notices };
}

/**
 * Writes `text` to flows.csv in a temporary folder, opens it, hands the dataset and the notices
 * it gave to `body`, then closes and removes it, whatever happens.
 */
async function withCsv(
  text: string,
  body: (dataset: FlowDataset, notices: string[]) => Promise<void>,
): Promise<void> {
  await withTempDir("mlids_csv_test_", async (dir) => {
    const { dataset, notices } = await open(dir, text);
    try {
      await body(dataset, notices);
    } finally {
      dataset.close();
    }
  });
}

/** The categories of `dataset`'s label index with their row counts, in its order. */
async function categoryCounts(dataset: FlowDataset): Promise<[string, number][] | undefined> {
  const index = await dataset.labelIndex();
  return index?.categories.map((c) => [c.name, c.rows.length]);
}

async function allRows(dataset: FlowDataset): Promise<FlowFrame> {
  return await dataset.readRows(Array.from({ length: dataset.info.rows }, (_, i) => i));
}

function column(frame: FlowFrame, name: string) {
  const found = findColumn(frame, name);
  assert.ok(found, `column ${name}`);
  return found;
}

/** Asserts every feature of `frame` row `at` holds the synthetic values of source row `row`. */
function assertFeatureRow(frame: FlowFrame, at: number, row: number, timestamp?: string): void {
  IDS_FEATURES.forEach((feature, i) => {
    const values = column(frame, feature.name).values;
    const expected = feature.name === "timestamp"
      ? timestamp ?? featureValue(i, row)
      : expectedNumber(i, row);
    assert.equal(values[at], expected, `${feature.name} of row ${row}`);
  });
}

Deno.test("csv: V3 without identity columns, repeated headers, Infinity and NaN", async () => {
  const header = [...V3_HEADERS, "Label"].join(",");
  const labels = ["Benign", "Bot", "Benign", "DoS attacks-Hulk", "Benign", "Bot"];
  const lines = [header];
  labels.forEach((label, row) => {
    const overrides: Record<string, string> = {};
    if (row === 1) Object.assign(overrides, { flow_byts_s: "Infinity", flow_pkts_s: "NaN" });
    if (row === 2) Object.assign(overrides, { flow_byts_s: "-Infinity", flow_pkts_s: "" });
    if (row === 3) Object.assign(overrides, { flow_byts_s: "inf", flow_pkts_s: "nan" });
    lines.push([...featureValues(row, overrides), label].join(","));
    if (row === 1 || row === 3 || row === 4) lines.push(header);
  });
  await withCsv(lines.join("\n") + "\n", async (dataset, notices) => {
    const { info } = dataset;
    assert.equal(info.format, "csv");
    assert.equal(info.compression, "none");
    assert.equal(info.rows, 6);
    assert.deepEqual(info.columns.map((c) => c.name), [...IDS_NAMES, "label"]);
    assert.deepEqual(info.columns.slice(0, 79), READ_FEATURES);
    assert.deepEqual(info.columns[79], { name: "label", dtype: "object" });
    assert.equal(info.labelColumn, "label");
    assert.deepEqual(info.identityColumns, []);
    assert.deepEqual(notices, ["skipped 3 repeated header lines"]);

    const frame = await allRows(dataset);
    assert.deepEqual([...frame.index], [0n, 1n, 2n, 3n, 4n, 5n]);
    assert.ok(column(frame, "dst_port").values instanceof BigInt64Array);
    assert.ok(column(frame, "flow_duration").values instanceof BigInt64Array);
    assert.ok(column(frame, "fwd_pkt_len_mean").values instanceof Float64Array);
    assert.ok(column(frame, "idle_max").values instanceof BigInt64Array);
    assert.ok(column(frame, "init_fwd_win_byts").values instanceof BigInt64Array);
    assert.deepEqual(column(frame, "label").values, labels);
    for (const row of [0, 4, 5]) assertFeatureRow(frame, row, row);
    assert.deepEqual(
      [...column(frame, "flow_byts_s").values],
      [16.5, Infinity, -Infinity, Infinity, 20.5, 21.5],
    );
    const pkts = [...column(frame, "flow_pkts_s").values] as number[];
    assert.deepEqual(pkts.map(Number.isNaN), [false, true, true, true, false, false]);
    assert.equal(column(frame, "timestamp").values[5], "21/02/2018 10:15:05");

    const index = await dataset.labelIndex();
    assert.ok(index);
    assert.deepEqual(
      index.categories.map((c) => [c.name, [...c.rows]]),
      [["Benign", [0, 2, 4]], ["Bot", [1, 5]], ["DoS attacks-Hulk", [3]]],
    );
    assert.ok(index.categories[0].rows instanceof Uint32Array);

    const some = await dataset.readRows([5, 0, 3]);
    assert.equal(some.length, 3);
    assert.deepEqual([...some.index], [5n, 0n, 3n]);
    assert.deepEqual(column(some, "label").values, ["Bot", "Benign", "DoS attacks-Hulk"]);
    assertFeatureRow(some, 0, 5);
    assertFeatureRow(some, 1, 0);
  });
});

Deno.test("csv: V3 with identity columns, CRLF, BOM and RFC 4180 quoting", async () => {
  const header = ["Flow ID", "Src IP", "Src Port", "Dst IP", ...V3_HEADERS, "Label"];
  const rows = [
    ['"172.31.69.25-18.219.9.1-80-54326-6"', "18.219.9.1", "54326", "172.31.69.25"],
    ["x-2", "10.0.0.2", "65535", "10.0.0.9"],
  ];
  const labels = ['"Brute Force -Web, ""quoted"""', "Benign"];
  const text = "\uFEFF" + header.join(",") + "\r\n" +
    rows.map((ids, row) => [...ids, ...featureValues(row), labels[row]].join(",")).join("\r\n") +
    "\r\n";
  await withCsv(text, async (dataset, notices) => {
    assert.deepEqual(notices, []);
    assert.deepEqual(dataset.info.columns.map((c) => c.name), [
      ...CIC4_IDENTITY,
      ...IDS_NAMES,
      "label",
    ]);
    assert.deepEqual(dataset.info.identityColumns, CIC4_IDENTITY);
    assert.deepEqual(dataset.info.columns.slice(0, 4).map((c) => c.dtype), [
      "object",
      "object",
      "int64",
      "object",
    ]);
    const frame = await allRows(dataset);
    assert.deepEqual(column(frame, "flow_id").values, [
      "172.31.69.25-18.219.9.1-80-54326-6",
      "x-2",
    ]);
    assert.deepEqual(column(frame, "src_ip").values, ["18.219.9.1", "10.0.0.2"]);
    assert.deepEqual([...column(frame, "src_port").values], [54326n, 65535n]);
    assert.deepEqual(column(frame, "dst_ip").values, ["172.31.69.25", "10.0.0.9"]);
    assert.deepEqual(column(frame, "label").values, ['Brute Force -Web, "quoted"', "Benign"]);
    assertFeatureRow(frame, 0, 0);
    assertFeatureRow(frame, 1, 1);
  });
});

Deno.test("csv: CICFlowMeter 4.0 with only NeedManualLabel is unlabelled", async () => {
  const header = ["Flow ID", "Src IP", "Src Port", "Dst IP", ...CICFLOWMETER4_HEADERS, "Label"];
  const lines = [header.join(",")];
  for (let row = 0; row < 3; row++) {
    lines.push(
      [`f${row}`, "192.168.1.5", String(40000 + row), "8.8.8.8", ...featureValues(row)]
        .concat("NeedManualLabel").join(","),
    );
  }
  await withCsv(lines.join("\n"), async (dataset, notices) => {
    assert.equal(dataset.info.labelColumn, null);
    assert.equal(await dataset.labelIndex(), null);
    assert.deepEqual(dataset.info.columns.map((c) => c.name), [...CIC4_IDENTITY, ...IDS_NAMES]);
    assert.equal(notices.length, 1);
    assert.match(notices[0], /NeedManualLabel/);
    const frame = await allRows(dataset);
    for (let row = 0; row < 3; row++) assertFeatureRow(frame, row, row);
    assert.deepEqual([...column(frame, "src_port").values], [40000n, 40001n, 40002n]);
  });
});

Deno.test("csv: CICFlowMeter 4.0 with some real labels keeps NeedManualLabel as written", async () => {
  const header = ["Flow ID", "Src IP", "Src Port", "Dst IP", ...CICFLOWMETER4_HEADERS, "Label"];
  const labels = ["NeedManualLabel", "BENIGN", "NeedManualLabel"];
  const lines = [header.join(",")];
  labels.forEach((label, row) => {
    lines.push(["f", "1.1.1.1", "1", "2.2.2.2", ...featureValues(row), label].join(","));
  });
  await withCsv(lines.join("\n") + "\n", async (dataset) => {
    assert.equal(dataset.info.labelColumn, "label");
    assert.deepEqual(await categoryCounts(dataset), [
      ["NeedManualLabel", 2],
      ["BENIGN", 1],
    ]);
  });
});

Deno.test("csv: Python cicflowmeter in its own order, cwr_flag_count, no label", async () => {
  // The order of hieulw/cicflowmeter's Flow.get_data(): identity, then features, aliases last.
  const order = [
    "src_ip",
    "dst_ip",
    "src_port",
    "dst_port",
    "protocol",
    "timestamp",
    "flow_duration",
    "flow_byts_s",
    "flow_pkts_s",
    "fwd_pkts_s",
    "bwd_pkts_s",
    "tot_fwd_pkts",
    "tot_bwd_pkts",
    "totlen_fwd_pkts",
    "totlen_bwd_pkts",
    "fwd_pkt_len_max",
    "fwd_pkt_len_min",
    "fwd_pkt_len_mean",
    "fwd_pkt_len_std",
    "bwd_pkt_len_max",
    "bwd_pkt_len_min",
    "bwd_pkt_len_mean",
    "bwd_pkt_len_std",
    "pkt_len_max",
    "pkt_len_min",
    "pkt_len_mean",
    "pkt_len_std",
    "pkt_len_var",
    "fwd_header_len",
    "bwd_header_len",
    "fwd_seg_size_min",
    "fwd_act_data_pkts",
    "flow_iat_mean",
    "flow_iat_max",
    "flow_iat_min",
    "flow_iat_std",
    "fwd_iat_tot",
    "fwd_iat_max",
    "fwd_iat_min",
    "fwd_iat_mean",
    "fwd_iat_std",
    "bwd_iat_tot",
    "bwd_iat_max",
    "bwd_iat_min",
    "bwd_iat_mean",
    "bwd_iat_std",
    "fwd_psh_flags",
    "bwd_psh_flags",
    "fwd_urg_flags",
    "bwd_urg_flags",
    "fin_flag_cnt",
    "syn_flag_cnt",
    "rst_flag_cnt",
    "psh_flag_cnt",
    "ack_flag_cnt",
    "urg_flag_cnt",
    "cwr_flag_count",
    "ece_flag_cnt",
    "down_up_ratio",
    "pkt_size_avg",
    "init_fwd_win_byts",
    "init_bwd_win_byts",
    "active_max",
    "active_min",
    "active_mean",
    "active_std",
    "idle_max",
    "idle_min",
    "idle_mean",
    "idle_std",
    "fwd_byts_b_avg",
    "fwd_pkts_b_avg",
    "bwd_byts_b_avg",
    "bwd_pkts_b_avg",
    "fwd_blk_rate_avg",
    "bwd_blk_rate_avg",
    "fwd_seg_size_avg",
    "bwd_seg_size_avg",
    "subflow_fwd_pkts",
    "subflow_bwd_pkts",
    "subflow_fwd_byts",
    "subflow_bwd_byts",
  ];
  assert.deepEqual(
    order.filter((n) => !["src_ip", "dst_ip", "src_port"].includes(n)).sort(),
    [...PYTHON_CICFLOWMETER_NAMES].sort(),
  );
  const valueOf = (name: string, row: number): string => {
    if (name === "src_ip") return `10.0.0.${row}`;
    if (name === "dst_ip") return "10.0.0.254";
    if (name === "src_port") return String(50000 + row);
    if (name === "timestamp") return `2026-11-23 18:35:4${row}`;
    const i = PYTHON_CICFLOWMETER_NAMES.indexOf(name);
    // The Python tool writes integer counts of float features as `3.0`.
    return INTEGER_DTYPES.has(IDS_FEATURES[i].dtype) && row === 1
      ? `${i + row}.0`
      : featureValue(i, row);
  };
  const lines = [order.join(",")];
  for (let row = 0; row < 2; row++) lines.push(order.map((n) => valueOf(n, row)).join(","));
  await withCsv(lines.join("\n") + "\n", async (dataset, notices) => {
    assert.deepEqual(notices, []);
    assert.equal(dataset.info.labelColumn, null);
    assert.equal(await dataset.labelIndex(), null);
    assert.deepEqual(dataset.info.identityColumns, ["src_ip", "src_port", "dst_ip"]);
    assert.deepEqual(dataset.info.columns.map((c) => c.name), [
      "src_ip",
      "src_port",
      "dst_ip",
      ...IDS_NAMES,
    ]);
    // pandas reads `52.0` as a float, so every column holding one is float64, same numbers.
    assert.deepEqual(
      dataset.info.columns.slice(3),
      IDS_FEATURES.map(({ name }) => ({
        name,
        dtype: name === "timestamp" ? "object" : "float64",
      })),
    );
    const frame = await allRows(dataset);
    IDS_FEATURES.forEach((feature, i) => {
      if (feature.name === "timestamp") return;
      const values = column(frame, feature.name).values;
      assert.ok(values instanceof Float64Array, feature.name);
      assert.deepEqual([...values], [0, 1].map((row) => Number(expectedNumber(i, row))));
    });
    assert.deepEqual([...column(frame, "cwe_flag_count").values], [51, 52]);
    assert.deepEqual(column(frame, "timestamp").values, [
      "2026-11-23 18:35:40",
      "2026-11-23 18:35:41",
    ]);
    assert.deepEqual(column(frame, "src_ip").values, ["10.0.0.0", "10.0.0.1"]);
  });
});

Deno.test("csv: an integer column with a fraction, NaN or empty cell is float64, as pandas reads it", async () => {
  const header = [...V3_HEADERS, "Label"].join(",");
  const lines = [
    header,
    [...featureValues(0), "Benign"].join(","),
    [...featureValues(1, { flow_duration: "12.25", dst_port: "-1" }), "Benign"].join(","),
    [...featureValues(2, { protocol: "NaN", tot_fwd_pkts: "" }), "Benign"].join(","),
    [...featureValues(3, { down_up_ratio: "1e3", ack_flag_cnt: "+7" }), "Benign"].join(","),
  ];
  await withCsv(lines.join("\n") + "\n", async (dataset, notices) => {
    assert.deepEqual(notices, []);
    const dtypes = Object.fromEntries(dataset.info.columns.map((c) => [c.name, c.dtype]));
    assert.equal(dtypes.flow_duration, "float64");
    assert.equal(dtypes.dst_port, "int64");
    assert.equal(dtypes.protocol, "float64");
    assert.equal(dtypes.tot_fwd_pkts, "float64");
    assert.equal(dtypes.down_up_ratio, "float64");
    assert.equal(dtypes.ack_flag_cnt, "int64");
    assert.equal(dtypes.tot_bwd_pkts, "int64");
    const frame = await allRows(dataset);
    assert.deepEqual([...column(frame, "flow_duration").values], [3, 12.25, 5, 6]);
    assert.deepEqual([...column(frame, "dst_port").values], [0n, -1n, 2n, 3n]);
    const protocol = [...column(frame, "protocol").values] as number[];
    assert.deepEqual(protocol.map(Number.isNaN), [false, false, true, false]);
    assert.equal(protocol[3], 4);
    assert.deepEqual([...column(frame, "down_up_ratio").values], [53, 54, 55, 1000]);
    const ack = IDS_NAMES.indexOf("ack_flag_cnt");
    assert.deepEqual([...column(frame, "ack_flag_cnt").values], [
      BigInt(ack),
      BigInt(ack + 1),
      BigInt(ack + 2),
      7n,
    ]);
  });
});

Deno.test("csv: uint64 where a value needs it; integers no integer dtype holds are float64, said once", async () => {
  const header = [...V3_HEADERS, "Label"].join(",");
  const lines = [
    header,
    [...featureValues(0, { idle_max: "18446744073709551615", idle_min: "-1" }), "Benign"],
    [...featureValues(1, { idle_min: "9223372036854775808" }), "Benign"],
    [...featureValues(2, { flow_duration: "123456789012345678901" }), "Benign"],
  ].map((fields) => Array.isArray(fields) ? fields.join(",") : fields);
  await withCsv(lines.join("\n") + "\n", async (dataset, notices) => {
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.match(notices[0], /2 integer column\(s\) as float64/);
    assert.match(notices[0], /flow_duration \('123456789012345678901' on line 4\)/);
    assert.match(notices[0], /idle_min \('9223372036854775808' on line 3\)/);
    const dtypes = Object.fromEntries(dataset.info.columns.map((c) => [c.name, c.dtype]));
    assert.equal(dtypes.idle_max, "uint64");
    assert.equal(dtypes.idle_min, "float64");
    assert.equal(dtypes.flow_duration, "float64");
    const frame = await allRows(dataset);
    const idleMax = IDS_NAMES.indexOf("idle_max");
    assert.deepEqual([...column(frame, "idle_max").values], [
      18446744073709551615n,
      BigInt(idleMax + 1),
      BigInt(idleMax + 2),
    ]);
    assert.deepEqual([...column(frame, "idle_min").values].slice(0, 2), [
      -1,
      9223372036854775808,
    ]);
    assert.equal(column(frame, "flow_duration").values[2], 123456789012345678901);
  });
});

Deno.test("csv: exact int64/uint64 and correctly rounded float64 values", async () => {
  const floats = [
    "0.1",
    "33.651095247530634",
    "1.7976931348623157e308",
    "4.9e-324",
    "-0.0",
    "1e22",
    "1.5E-05",
    "123456789012345678",
    "2.2250738585072014e-308",
    " 7.5 ",
  ];
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let k = 0; k < 300; k++) {
    floats.push(String((random() - 0.5) * 10 ** Math.floor(random() * 40 - 20)));
  }
  const header = [...V3_HEADERS, "Label"].join(",");
  const lines = [header];
  floats.forEach((text, row) => {
    const overrides: Record<string, string> = { flow_byts_s: text };
    if (row === 0) {
      Object.assign(overrides, {
        flow_duration: "9007199254740993",
        flow_iat_min: "-9223372036854775808",
        idle_max: "18446744073709551615",
      });
    }
    lines.push([...featureValues(row % 100, overrides), "Benign"].join(","));
  });
  await withCsv(lines.join("\n") + "\n", async (dataset, notices) => {
    assert.deepEqual(notices, []);
    const frame = await dataset.readRows([0, 1]);
    assert.equal(column(frame, "flow_duration").values[0], 9007199254740993n);
    assert.equal(column(frame, "flow_iat_min").values[0], -9223372036854775808n);
    assert.equal(column(frame, "idle_max").values[0], 18446744073709551615n);
    assert.equal(column(frame, "flow_duration").values[1], 4n);
    const all = await allRows(dataset);
    const parsed = column(all, "flow_byts_s").values;
    floats.forEach((text, row) => assert.ok(Object.is(parsed[row], Number(text)), text));
  });
});

Deno.test("csv: unknown and repeated columns are dropped with a notice each", async () => {
  const header = [
    "Flow ID",
    "Src IP",
    "Src Port",
    "Dst IP",
    ...CICFLOWMETER4_HEADERS,
    "ICMP Code",
    "ICMP Type",
    "Fwd Header Length",
    "Label",
  ];
  const row = ["f", "1.1.1.1", "1", "2.2.2.2", ...featureValues(0), "3", "8", "999", "Bot"];
  await withCsv(`${header.join(",")}\n${row.join(",")}\n`, async (dataset, notices) => {
    assert.deepEqual(notices, [
      "dropped 2 column(s) mlids does not know: 'ICMP Code', 'ICMP Type'",
      "dropped 1 repeated column(s): 'Fwd Header Length' (column 86)",
    ]);
    assert.equal(dataset.info.columns.length, 4 + 79 + 1);
    const frame = await allRows(dataset);
    assertFeatureRow(frame, 0, 0);
    assert.deepEqual(column(frame, "label").values, ["Bot"]);
  });
});

Deno.test("csv: rows spanning many read chunks, quoted fields across the boundaries", async () => {
  const header = ["Flow ID", ...V3_HEADERS, "Label"].join(",");
  const count = 28000;
  const parts = [header];
  for (let row = 0; row < count; row++) {
    const flowId = `"flow ""${row}"",\nnext"`;
    const values = featureValues(row % 100);
    parts.push([flowId, ...values, row % 3 === 0 ? "Bot" : "Benign"].join(","));
  }
  const text = parts.join("\n");
  assert.ok(text.length > 9 * 1024 * 1024, "the file must span several 4 MiB chunks");
  await withCsv(text, async (dataset) => {
    assert.equal(dataset.info.rows, count);
    const picks = [0, 1, 4095, 6001, count - 1];
    const frame = await dataset.readRows(picks);
    picks.forEach((row, at) => {
      assertFeatureRow(frame, at, row % 100);
      assert.equal(column(frame, "flow_id").values[at], `flow "${row}",\nnext`);
    });
    assert.deepEqual(await categoryCounts(dataset), [
      ["Benign", 18666],
      ["Bot", 9334],
    ]);
  });
});

Deno.test("csv: a CSV lacking feature columns names them and the dialect", async () => {
  await withTempDir("mlids_csv_test_", async (dir) => {
    const dropped = new Set(["Tot Fwd Pkts", "Flow Byts/s", "Idle Min"]);
    const header = V3_HEADERS.filter((h) => !dropped.has(h));
    const error = await open(dir, `${header.join(",")},Label\n`).then(
      () => assert.fail("expected an InputError"),
      (e) => e,
    );
    assert.ok(error instanceof InputError);
    assert.match(error.message, /lacks 3 of the 79 flow feature columns/);
    assert.match(error.message, /tot_fwd_pkts \('Tot Fwd Pkts'\), flow_byts_s/);
    assert.match(error.message, /idle_min/);
    assert.match(error.message, /dialect: cicflowmeter-v3/);
    assert.ok(error.hint);

    const many = ["Flow ID", ...CICFLOWMETER4_HEADERS.slice(0, 60), "Label"].join(",");
    const error4 = await open(dir, `${many}\n`, "four.csv").then(
      () => assert.fail("expected an InputError"),
      (e) => e,
    );
    assert.ok(error4 instanceof InputError);
    assert.match(error4.message, /lacks 19 of the 79/);
    assert.match(error4.message, /bwd_pkts_b_avg \('Bwd Packet\/Bulk Avg'\)/);
    assert.match(error4.message, /and 14 more \(dialect: cicflowmeter-4\)/);
  });
});

Deno.test("csv: empty, missing, directory and non-CSV inputs are one-line InputErrors", async () => {
  await withTempDir("mlids_csv_test_", async (dir) => {
    const failure = async (text: string | Uint8Array | null, name: string): Promise<Error> => {
      const path = `${dir}/${name}`;
      if (typeof text === "string") await Deno.writeTextFile(path, text);
      else if (text !== null) await Deno.writeFile(path, text);
      try {
        await openFlowCsv(path);
      } catch (error) {
        assert.ok(error instanceof InputError, String(error));
        assert.ok(!error.message.includes("\n"));
        assert.ok(error.message.startsWith(path));
        return error;
      }
      return assert.fail(`${name} opened`);
    };
    assert.match((await failure("", "empty.csv")).message, /is empty/);
    assert.match((await failure("\uFEFF\r\n\n", "blank.csv")).message, /is empty/);
    assert.match((await failure(null, "missing.csv")).message, /no such file/);
    await Deno.mkdir(`${dir}/folder.csv`);
    assert.match((await failure(null, "folder.csv")).message, /is a directory/);
    const binary = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 1]);
    assert.match((await failure(binary, "data.h5")).message, /binary file/);
    const gzip = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]);
    assert.match((await failure(gzip, "flows.csv.gz")).message, /gzip/);
    assert.match(
      (await failure("hello world\nthis is text\n", "notes.txt")).message,
      /not a CICFlowMeter CSV/,
    );
    assert.match(
      (await failure(`${V3_HEADERS.join(";")}\n`, "semicolons.csv")).message,
      /separated by ';'/,
    );
    const header = [...V3_HEADERS, "Label"].join(",");
    const extra = `${header}\n${[...featureValues(0), "Benign", "surplus"].join(",")}\n`;
    assert.match((await failure(extra, "extra.csv")).message, /line 2 has 81 fields/);
    const word = `${header}\n${[...featureValues(0, { tot_fwd_pkts: "many" }), "Bot"].join(",")}`;
    assert.match(
      (await failure(word, "word.csv")).message,
      /column tot_fwd_pkts, line 2: 'many' is not a number/,
    );
  });
});

Deno.test("csv: a header-only file is an empty dataset; bad rows and closed datasets refuse", async () => {
  await withTempDir("mlids_csv_test_", async (dir) => {
    const { dataset } = await open(dir, [...V3_HEADERS, "Label"].join(",") + "\n");
    assert.equal(dataset.info.rows, 0);
    assert.equal((await dataset.readRows([])).length, 0);
    await assert.rejects(dataset.readRows([0]), UsageError);
    dataset.close();
    await assert.rejects(async () => await dataset.readRows([]), UsageError);
  });
});

// ---------------------------------------------------------------------------------------------
// The fixtures of dev/make_csv_fixtures.py, against what pandas read_csv(round_trip) gives.

const FIXTURES = fileURLToPath(new URL("../../fixtures/", import.meta.url));

/** A JSON number kept as its source text, so int64 and uint64 stay exact. */
class RawNumber {
  constructor(readonly source: string) {}
}

type ExpectedCell = RawNumber | string | null;

interface Expected {
  columns: string[];
  dtypes: Record<string, string>;
  index: RawNumber[];
  data: ExpectedCell[][];
}

function loadExpected(name: string): Expected {
  return JSON.parse(
    Deno.readTextFileSync(`${FIXTURES}${name}.expected.json`),
    (_key, value, context?: { source?: string }) =>
      typeof value === "number" ? new RawNumber(context?.source ?? String(value)) : value,
  );
}

function pandasNumber(cell: ExpectedCell): number {
  if (cell === "NaN") return NaN;
  if (cell === "Infinity") return Infinity;
  if (cell === "-Infinity") return -Infinity;
  assert.ok(cell instanceof RawNumber, `expected a number, got ${JSON.stringify(cell)}`);
  return Number(cell.source);
}

/** Asserts frame row i is expected row rows[i], every cell, each column as pandas typed it. */
function assertLikePandas(frame: FlowFrame, expected: Expected, rows: ArrayLike<number>): void {
  assert.equal(frame.length, rows.length);
  for (let i = 0; i < rows.length; i++) assert.equal(frame.index[i], BigInt(rows[i]));
  for (const column of frame.columns) {
    const at = expected.columns.findIndex((header) => idsColumnName(header) === column.name);
    assert.ok(at >= 0, `no CSV column for ${column.name}`);
    const dtype = expected.dtypes[expected.columns[at]];
    assert.equal(column.dtype, dtype, `dtype of ${column.name}`);
    for (let i = 0; i < rows.length; i++) {
      const want = expected.data[rows[i]][at];
      const got = column.values[i];
      const where = `${column.name} of row ${rows[i]}`;
      if (dtype === "object") assert.equal(got, want, where);
      else if (dtype === "int64" || dtype === "uint64") {
        assert.ok(want instanceof RawNumber, where);
        assert.equal(got, BigInt(want.source), where);
      } else {
        // Object.is tells NaN, -0 and the infinities apart exactly.
        assert.ok(Object.is(got, pandasNumber(want)), `${where}: ${got} != ${want}`);
      }
    }
  }
}

/** Label counts as pandas' value_counts gives them: count descending, ties by first appearance. */
function expectedLabels(expected: Expected): [string, number[]][] {
  const at = expected.columns.indexOf("Label");
  const byName = new Map<string, number[]>();
  expected.data.forEach((row, i) => {
    const name = row[at] as string;
    byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  return [...byName].sort((a, b) => b[1].length - a[1].length || a[1][0] - b[1][0]);
}

for (const name of ["csv_v3", "csv_cicflowmeter4", "csv_python"]) {
  Deno.test(`csv: ${name}.csv reads as pandas read_csv(round_trip), every cell`, async () => {
    const expected = loadExpected(name);
    const all = expected.data.map((_, i) => i);
    for (const blockRows of [undefined, 7, 1]) {
      const dataset = await openFlowCsv(`${FIXTURES}${name}.csv`, { blockRows });
      try {
        assert.equal(dataset.info.rows, expected.data.length);
        assertLikePandas(await dataset.readRows(all), expected, all);
        const picks = [all.length - 1, 0, 13, 13, 6, 7, 8, all.length - 2];
        assertLikePandas(await dataset.readRows(picks), expected, picks);
        for await (const batch of dataset.scan({ batchRows: 50 })) {
          assertLikePandas(batch.frame, expected, batch.rows);
        }
        const labels = await dataset.labelIndex();
        if (expected.columns.includes("Label")) {
          assert.deepEqual(
            labels?.categories.map((c) => [c.name, [...c.rows]]),
            expectedLabels(expected),
          );
        } else assert.equal(labels, null);
      } finally {
        dataset.close();
      }
    }
  });
}

Deno.test("csv: a cached open reads the same cells from the blocks, without a pass", async () => {
  const expected = loadExpected("csv_v3");
  await withTempDir("mlids_csv_test_", async (dir) => {
    const path = `${dir}/flows.csv`;
    await Deno.copyFile(`${FIXTURES}csv_v3.csv`, path);
    const cacheDir = `${dir}/cache`;
    const all = expected.data.map((_, i) => i);
    const first = await openDataset(path, { cacheDir });
    const fresh = await first.readRows(all);
    first.close();
    const stored = await loadDatasetIndex(path, { cacheDir });
    assert.equal((stored?.layout as { kind?: string } | undefined)?.kind, "csv");
    const notices: string[] = [];
    const cached = await openDataset(path, { cacheDir, onNotice: (m) => notices.push(m) });
    try {
      assert.deepEqual(cached.info, stored?.info);
      const again = await cached.readRows(all);
      assert.deepEqual(again, fresh);
      assertLikePandas(again, expected, all);
      const bot = (await cached.labelIndex())?.categories.find((c) => c.name === "Bot");
      assert.ok(bot);
      const scanned = [];
      for await (const batch of cached.scan({ categories: ["Bot"], batchRows: 5 })) {
        assertLikePandas(batch.frame, expected, batch.rows);
        scanned.push(...batch.rows);
      }
      assert.deepEqual(scanned, [...bot.rows]);
    } finally {
      cached.close();
    }
    // A file changed under the cache: its identity changed, so it is indexed again.
    await Deno.writeTextFile(path, (await Deno.readTextFile(path)).replace("509520.62", "5.5"));
    const changed = await openDataset(path, { cacheDir });
    try {
      const byts = (await changed.readRows([5])).columns.find((c) => c.name === "flow_byts_s");
      assert.equal(byts?.values[0], 5.5);
    } finally {
      changed.close();
    }
  });
});

Deno.test("csv: mutated files (bit flips, cuts, zeroed and copied runs) read or fail with one InputError", async () => {
  const original = await Deno.readFile(`${FIXTURES}csv_v3.csv`);
  let seed = 20260101;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const mutants: [string, Uint8Array][] = [];
  for (let m = 0; m < 160; m++) {
    const bytes = original.slice();
    const kind = m % 4;
    const at = random(bytes.length);
    if (kind === 0) {
      for (let k = 0; k < 1 + random(8); k++) bytes[random(bytes.length)] ^= 1 << random(8);
      mutants.push([`flips ${m}`, bytes]);
    } else if (kind === 1) mutants.push([`cut at ${at}`, bytes.subarray(0, at)]);
    else if (kind === 2) {
      bytes.fill(0, at, Math.min(bytes.length, at + 1 + random(64)));
      mutants.push([`zeroed at ${at}`, bytes]);
    } else {
      const length = 1 + random(4096);
      const from = random(bytes.length - length);
      bytes.copyWithin(at, from, from + length);
      mutants.push([`copied to ${at}`, bytes]);
    }
  }
  let read = 0;
  let refused = 0;
  await withTempDir("mlids_csv_test_", async (dir) => {
    for (const [what, bytes] of mutants) {
      const path = `${dir}/mutant.csv`;
      await Deno.writeFile(path, bytes);
      try {
        const dataset = await openFlowCsv(path, { blockRows: 16 });
        try {
          let rows = 0;
          for await (const batch of dataset.scan({ batchRows: 64 })) rows += batch.frame.length;
          assert.equal(rows, dataset.info.rows, what);
          read++;
        } finally {
          dataset.close();
        }
      } catch (error) {
        assert.ok(error instanceof InputError, `${what}: ${error}`);
        assert.ok(!error.message.includes("\n"), `${what}: one line`);
        assert.ok(error.message.startsWith(path), `${what}: names the file`);
        refused++;
      }
    }
  });
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  assert.ok(read > 10 && refused > 10, `${read} read, ${refused} refused`);
});
