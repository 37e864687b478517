import assert from "node:assert/strict";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import { buildResults, formatResults, resultTable } from "../../lib/predict/results.ts";

function sampleFrame(): FlowFrame {
  return {
    columns: [
      { name: "dst_port", dtype: "uint32", values: Uint32Array.from([80, 22, 443]) },
      {
        name: "timestamp",
        dtype: "object",
        values: ["21/02/2018 10:15:06", 'say "hi", ok', "x"],
      },
      {
        name: "big",
        dtype: "uint64",
        values: BigUint64Array.from([18446744073709551615n, 1n, 0n]),
      },
      { name: "rate", dtype: "float32", values: Float32Array.from([0.1, NaN, Infinity]) },
      { name: "label", dtype: "object", values: ["Bot", "Benign", "SSH-Bruteforce"] },
    ],
    index: BigInt64Array.from([17n, 9007199254740993n, 3n]),
    length: 3,
  };
}

function text(chunks: Iterable<string>): string {
  return [...chunks].join("");
}

Deno.test("resultTable puts index, is_correct, label, predicted_label first, raw last", () => {
  const results = buildResults(sampleFrame(), {
    labelColumn: "label",
    raw: Float64Array.from([1, 0.2, NaN]),
    failures: [{ rows: [2], error: new Error("500 from the API") }],
  });
  const { headers, rows } = resultTable(results);
  assert.deepEqual(headers, [
    "index",
    "is_correct",
    "label",
    "predicted_label",
    "dst_port",
    "timestamp",
    "big",
    "rate",
    "prediction_raw",
  ]);
  assert.deepEqual(rows[0], [
    "17",
    "True",
    "Bot",
    "Attack",
    "80",
    "21/02/2018 10:15:06",
    "18446744073709551615",
    "0.1",
    "1",
  ]);
  assert.deepEqual(rows[1].slice(0, 4), ["9007199254740993", "True", "Benign", "Benign"]);
  assert.equal(rows[1][7], "NaN");
  assert.deepEqual(rows[2].slice(0, 4), ["3", "", "SSH-Bruteforce", "FAILED"]);
  assert.equal(rows[2][7], "inf");
});

Deno.test("JSON output has the documented schema with exact integers", () => {
  const results = buildResults(sampleFrame(), {
    labelColumn: "label",
    raw: Float64Array.from([1, 1, NaN]),
    failures: [{ rows: [2], error: "timed out" }],
  });
  const json = text(formatResults(results, "json"));
  assert.ok(json.includes('"index":9007199254740993'), "int64 index written as digits");
  assert.ok(json.includes('"big":18446744073709551615'), "uint64 written as digits");
  const parsed = JSON.parse(json);
  assert.deepEqual(Object.keys(parsed).slice(0, 9), [
    "accuracy",
    "total",
    "correct",
    "confusion",
    "precision",
    "recall",
    "f1",
    "per_category",
    "threshold",
  ]);
  assert.equal(parsed.accuracy, 0.5);
  assert.equal(parsed.total, 2);
  assert.equal(parsed.correct, 1);
  assert.deepEqual(parsed.confusion, { tp: 1, fp: 1, tn: 0, fn: 0 });
  assert.equal(parsed.precision, 0.5);
  assert.equal(parsed.recall, 1);
  assert.equal(parsed.failed, 1);
  assert.deepEqual(parsed.per_category, {
    Bot: { total: 1, correct: 1 },
    Benign: { total: 1, correct: 0 },
  });
  assert.deepEqual(parsed.failures, [{ indexes: [3], error: "timed out" }]);
  assert.equal(parsed.flows.length, 3);
  assert.deepEqual(Object.keys(parsed.flows[0]), [
    "index",
    "label",
    "prediction_raw",
    "predicted_label",
    "is_correct",
    "dst_port",
    "timestamp",
    "big",
    "rate",
  ]);
  assert.deepEqual(parsed.flows[0], {
    index: 17,
    label: "Bot",
    prediction_raw: 1,
    predicted_label: "Attack",
    is_correct: true,
    dst_port: 80,
    timestamp: "21/02/2018 10:15:06",
    big: 18446744073709551615,
    rate: 0.1,
  });
  assert.equal(parsed.flows[1].rate, null);
  assert.equal(parsed.flows[2].rate, null);
  assert.equal(parsed.flows[2].prediction_raw, null);
  assert.equal(parsed.flows[2].predicted_label, null);
  assert.equal(parsed.flows[2].is_correct, null);
});

Deno.test("JSONL writes one flow object per line; CSV quotes and keeps digits", () => {
  const results = buildResults(sampleFrame(), {
    labelColumn: "label",
    raw: Float64Array.from([0, 1, 1]),
  });
  const lines = text(formatResults(results, "jsonl")).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.equal(JSON.parse(lines[2]).label, "SSH-Bruteforce");
  assert.equal(JSON.parse(lines[0]).is_correct, false);
  const csv = text(formatResults(results, "csv")).trimEnd().split("\n");
  assert.equal(
    csv[0],
    "index,label,prediction_raw,predicted_label,is_correct,dst_port,timestamp,big,rate",
  );
  assert.equal(csv[1], "17,Bot,0,Benign,false,80,21/02/2018 10:15:06,18446744073709551615,0.1");
  assert.equal(csv[2], '9007199254740993,Benign,1,Attack,false,22,"say ""hi"", ok",1,');
  assert.equal(csv[3], "3,SSH-Bruteforce,1,Attack,true,443,x,0,inf");
});

Deno.test("unlabelled flows: predictions only, no accuracy", () => {
  const frame = sampleFrame();
  const unlabelled: FlowFrame = { ...frame, columns: frame.columns.slice(0, 4) };
  const results = buildResults(unlabelled, {
    labelColumn: null,
    raw: Float64Array.from([1, 0, 1]),
  });
  const { headers, rows } = resultTable(results);
  assert.deepEqual(headers.slice(0, 2), ["index", "predicted_label"]);
  assert.ok(!headers.includes("is_correct"));
  assert.equal(rows[0][1], "Attack");
  const parsed = JSON.parse(text(formatResults(results, "json")));
  assert.equal(parsed.accuracy, null);
  assert.equal(parsed.total, 0);
  assert.equal(parsed.unlabelled, 3);
  assert.equal(parsed.flows[0].label, null);
  assert.equal(parsed.flows[0].predicted_label, "Attack");
});
