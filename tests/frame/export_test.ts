import assert from "node:assert/strict";
import { type FlowFrame, takeRows } from "../../lib/frame/frame.ts";
import { csvField, exportFlowBatches, exportFlows } from "../../lib/frame/export.ts";

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

/** A frame of `n` rows with every kind of cell, row i distinct from the others. */
function rowsFrame(n: number): FlowFrame {
  return {
    length: n,
    index: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3n + 2n ** 60n),
    columns: [
      { name: "dst_port", dtype: "uint32", values: Uint32Array.from({ length: n }, (_, i) => i) },
      {
        name: "flow_duration",
        dtype: "int64",
        values: BigInt64Array.from({ length: n }, (_, i) => 2n ** 62n - BigInt(i)),
      },
      {
        name: "flow_byts_s",
        dtype: "float64",
        values: Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : 509520.62 + i)),
      },
      {
        name: "fwd_pkt_len_mean",
        dtype: "float32",
        values: Float32Array.from({ length: n }, (_, i) => i / 3),
      },
      {
        name: "label",
        dtype: "object",
        values: Array.from({ length: n }, (_, i) => (i % 2 ? "Bot" : 'say "hi", ok')),
      },
    ],
  };
}

async function batchText(
  frames: FlowFrame[],
  format: "split" | "jsonl" | "csv",
  columns?: string[],
) {
  async function* each(): AsyncGenerator<FlowFrame> {
    yield* frames;
  }
  let out = "";
  for await (const chunk of exportFlowBatches(each(), format, { columns })) out += chunk;
  return out;
}

Deno.test("flow export: batches give the text of one frame of all their rows, every format", async () => {
  const whole = rowsFrame(23);
  const cuts = [[0, 5], [5, 5], [5, 6], [6, 20], [20, 23]];
  const batches = cuts.map(([from, to]) =>
    takeRows(whole, Array.from({ length: to - from }, (_, i) => from + i))
  );
  for (const format of ["split", "jsonl", "csv"] as const) {
    for (const columns of [undefined, ["label", "flow_byts_s", "dst_port"]]) {
      const want = text(exportFlows(whole, format, { columns }));
      assert.equal(await batchText(batches, format, columns), want, `${format} ${columns}`);
      assert.equal(await batchText([whole], format, columns), want);
    }
  }
  assert.deepEqual(JSON.parse(await batchText(batches, "split")).data.length, 23);
  const empty = takeRows(whole, []);
  const columns = whole.columns.map((column) => column.name);
  for (const format of ["split", "jsonl", "csv"] as const) {
    const want = text(exportFlows(empty, format, { columns }));
    assert.equal(await batchText([], format, columns), want, `no batches, ${format}`);
    assert.equal(
      await batchText([empty, empty], format, columns),
      want,
      `empty batches, ${format}`,
    );
  }
});

Deno.test("flow export: csv escapes bidi controls, jsonl and split keep the text as it is", () => {
  const frame: FlowFrame = {
    length: 1,
    index: new BigInt64Array([3n]),
    columns: [{ name: "label", dtype: "object", values: ["Bot\u202eKCATTA"] }],
  };
  assert.equal(text(exportFlows(frame, "csv")), "label\nBot\\u202eKCATTA\n");
  assert.equal(JSON.parse(text(exportFlows(frame, "jsonl"))).label, "Bot\u202eKCATTA");
  assert.deepEqual(JSON.parse(text(exportFlows(frame, "split"))).data, [["Bot\u202eKCATTA"]]);
  assert.equal(csvField("\u2066x\u2069, y"), '"\\u2066x\\u2069, y"');
});
