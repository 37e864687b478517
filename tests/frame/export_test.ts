import assert from "node:assert/strict";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import { csvField, exportFlows } from "../../lib/frame/export.ts";

const FRAME: FlowFrame = {
  length: 2,
  index: new BigInt64Array([40n, 7n]),
  columns: [
    { name: "dst_port", dtype: "uint32", values: new Uint32Array([80, 443]) },
    { name: "flow_duration", dtype: "int64", values: new BigInt64Array([9007199254740993n, -5n]) },
    { name: "flow_byts_s", dtype: "float64", values: new Float64Array([NaN, -Infinity]) },
    { name: "timestamp", dtype: "object", values: ["21/02/2018 10:15:06", 'say "hi", ok'] },
    { name: "label", dtype: "object", values: ["Benign", "Bot"] },
  ],
};

function text(chunks: Iterable<string>): string {
  return [...chunks].join("");
}

Deno.test("flow export: split is the API body for the chosen columns, without index", () => {
  const out = text(exportFlows(FRAME, "split", { columns: ["dst_port", "flow_duration"] }));
  assert.equal(
    out,
    '{"columns":["dst_port","flow_duration"],"data":[[80,9007199254740993],[443,-5]]}\n',
  );
});

Deno.test("flow export: jsonl has the pandas index and every column, exact integers, null for NaN/inf", () => {
  const lines = text(exportFlows(FRAME, "jsonl")).trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    '{"index":40,"dst_port":80,"flow_duration":9007199254740993,"flow_byts_s":null,' +
      '"timestamp":"21/02/2018 10:15:06","label":"Benign"}',
  );
  assert.deepEqual(JSON.parse(lines[1]), {
    index: 7,
    dst_port: 443,
    flow_duration: -5,
    flow_byts_s: null,
    timestamp: 'say "hi", ok',
    label: "Bot",
  });
});

Deno.test("flow export: csv quotes what needs quoting and spells NaN/inf as pandas", () => {
  assert.equal(
    text(exportFlows(FRAME, "csv")),
    "dst_port,flow_duration,flow_byts_s,timestamp,label\n" +
      "80,9007199254740993,,21/02/2018 10:15:06,Benign\n" +
      '443,-5,-inf,"say ""hi"", ok",Bot\n',
  );
  assert.equal(csvField(" padded"), '" padded"');
  assert.equal(csvField("a\nb"), '"a\nb"');
});
