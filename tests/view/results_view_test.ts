import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import { buildResults } from "../../lib/predict/results.ts";
import {
  checkResultColumns,
  DEFAULT_RESULT_COLUMNS,
  parseResultColumns,
  renderResultsView,
  resultColumnNames,
} from "../../lib/view/results_view.ts";

/** Four CIC flows with every default column and two more. */
function frame(): FlowFrame {
  return {
    columns: [
      { name: "dst_port", dtype: "uint32", values: Uint32Array.of(80, 22, 443, 8080) },
      { name: "protocol", dtype: "uint8", values: Uint8Array.of(6, 6, 17, 6) },
      { name: "timestamp", dtype: "object", values: ["t0", "t1", "t2", "t3"] },
      { name: "flow_duration", dtype: "int64", values: BigInt64Array.of(1n, 2n, 3n, 4n) },
      { name: "tot_fwd_pkts", dtype: "uint16", values: Uint16Array.of(1, 2, 3, 4) },
      { name: "tot_bwd_pkts", dtype: "uint16", values: Uint16Array.of(0, 1, 0, 1) },
      { name: "fwd_pkt_len_mean", dtype: "float32", values: Float32Array.of(0.5, 1, 2, 3) },
      { name: "label", dtype: "object", values: ["Bot", "Benign", "Benign", "Bot"] },
      {
        name: "idle_max",
        dtype: "uint64",
        values: BigUint64Array.of(18446744073709551615n, 0n, 0n, 0n),
      },
    ],
    index: BigInt64Array.of(100n, 101n, 102n, 103n),
    length: 4,
  };
}

function results() {
  return buildResults(frame(), { labelColumn: "label", raw: Float64Array.of(1, 0, 0.7, 0.2) });
}

function headerCells(text: string): string[][] {
  return text.split("\n").filter((line) => line.startsWith("│ index")).map((line) =>
    line.split("│").map((cell) => cell.trim()).filter((cell) => cell !== "")
  );
}

Deno.test("renderResultsView: summary first, then the default columns in their order", () => {
  const text = renderResultsView(results(), {
    heading: "Prediction results: 4 flows at random",
    overflow: "nowrap",
    width: 100,
    colour: false,
  });
  assert.ok(text.startsWith("Prediction results: 4 flows at random\n"));
  assert.ok(text.indexOf("Accuracy:  50.00% (2 of 4 flows right)") < text.indexOf("Details:"));
  assert.deepEqual(headerCells(text), [[...DEFAULT_RESULT_COLUMNS]]);
  assert.match(text, /│ 100 +│ True +│ Bot +│ Attack +│ 1 +│ 80 +│ 6 +│ t0 +│ 1 +│ 1 +│ 0 +│/);
  assert.ok(!text.includes("idle_max"));
});

Deno.test("renderResultsView: all columns, wrapped, every part opening with index", () => {
  const text = renderResultsView(results(), {
    heading: "h",
    overflow: "wrap",
    width: 50,
    colour: false,
    columns: "all",
  });
  const parts = headerCells(text);
  assert.ok(parts.length >= 3, text);
  assert.deepEqual(
    parts.flatMap((cells) => cells.slice(1)),
    resultColumnNames(frame().columns.map((column) => column.name), "label").slice(1),
  );
  assert.ok(text.includes("18446744073709551615"));
  assert.match(text, /^columns 1-\d+ of 13 \(part 1\/\d\)$/m);
});

Deno.test("parseResultColumns and checkResultColumns: all, default, a list; unknown names refused", () => {
  assert.equal(parseResultColumns(undefined), "default");
  assert.equal(parseResultColumns(" ALL "), "all");
  assert.deepEqual(parseResultColumns("index, label,label,dst_port"), [
    "index",
    "label",
    "dst_port",
  ]);
  assert.throws(() => parseResultColumns(" , "), UsageError);
  const available = resultColumnNames(["dst_port", "label"], "label");
  assert.deepEqual(available, [
    "index",
    "is_correct",
    "label",
    "predicted_label",
    "dst_port",
    "prediction_raw",
  ]);
  checkResultColumns(["index", "dst_port"], available);
  checkResultColumns("all", available);
  assert.throws(
    () => checkResultColumns(["index", "dst_prot", "x"], available),
    (error: unknown) =>
      error instanceof UsageError && /'dst_prot', 'x'/.test(error.message) &&
      /Pick from: index, is_correct, label/.test(error.hint ?? ""),
  );
  assert.deepEqual(resultColumnNames(["dst_port"], null), [
    "index",
    "predicted_label",
    "dst_port",
    "prediction_raw",
  ]);
});
