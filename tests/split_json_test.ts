import assert from "node:assert/strict";
import type { FlowFrame } from "../lib/frame.ts";
import { decodeSplitJson, encodeSplitJson } from "../lib/split_json.ts";

function sampleFrame(): FlowFrame {
  return {
    length: 3,
    index: new BigInt64Array([17n, 4n, 9007199254740993n]),
    columns: [
      { name: "dst_port", dtype: "uint32", values: new Uint32Array([80, 443, 4294967295]) },
      { name: "timestamp", dtype: "object", values: ["21/02/2018 10:15:06", 'a "q"', "é"] },
      {
        name: "flow_duration",
        dtype: "int64",
        values: new BigInt64Array([-1n, 9007199254740993n, 0n]),
      },
      {
        name: "big",
        dtype: "uint64",
        values: new BigUint64Array([18446744073709551615n, 1n, 2n]),
      },
      { name: "flow_byts_s", dtype: "float64", values: new Float64Array([NaN, Infinity, 0.1]) },
      { name: "pkt_len_mean", dtype: "float32", values: new Float32Array([0.1, -Infinity, 3.5]) },
      { name: "label", dtype: "object", values: ["Benign", "Bot", "Bot"] },
    ],
  };
}

Deno.test("split JSON: integers exact at every width, NaN and infinities as null, float32 shortest", () => {
  const text = encodeSplitJson(sampleFrame(), {
    columns: ["dst_port", "timestamp", "flow_duration", "big", "flow_byts_s", "pkt_len_mean"],
  });
  assert.equal(
    text,
    '{"columns":["dst_port","timestamp","flow_duration","big","flow_byts_s","pkt_len_mean"],' +
      '"data":[[80,"21/02/2018 10:15:06",-1,18446744073709551615,null,0.1],' +
      '[443,"a \\"q\\"",9007199254740993,1,null,null],' +
      '[4294967295,"é",0,2,0.1,3.5]]}',
  );
});

Deno.test("split JSON: index and a row selection, in the order given", () => {
  const text = encodeSplitJson(sampleFrame(), {
    columns: ["dst_port", "label"],
    withIndex: true,
    rows: [2, 0],
  });
  assert.equal(
    text,
    '{"columns":["dst_port","label"],"index":[9007199254740993,17],"data":[[4294967295,"Bot"],[80,"Benign"]]}',
  );
});

Deno.test("split JSON: float32 values round-trip through their printed form", () => {
  const values = new Float32Array([1 / 3, 123.456, 1e-7, 3.4e38, 16777217, -0.5]);
  const frame: FlowFrame = {
    length: values.length,
    index: new BigInt64Array(values.length),
    columns: [{ name: "x", dtype: "float32", values }],
  };
  const decoded = decodeSplitJson(encodeSplitJson(frame));
  decoded.data.forEach((row, i) => assert.equal(Math.fround(row[0] as number), values[i]));
});

Deno.test("split JSON: decode checks the shape and names the input", () => {
  assert.deepEqual(decodeSplitJson('{"columns":["a"],"index":[3],"data":[[1]]}'), {
    columns: ["a"],
    index: [3],
    data: [[1]],
  });
  assert.throws(() => decodeSplitJson("nope", "message m1"), /message m1 is not JSON/);
  assert.throws(() => decodeSplitJson("[1]"), /not a JSON object/);
  assert.throws(() => decodeSplitJson('{"columns":["a"],"data":[[1,2]]}'), /row 0 has 2 values/);
  assert.throws(() => decodeSplitJson('{"columns":["a"],"data":[[1]],"index":[1,2]}'), /index/);
  assert.throws(() => decodeSplitJson('{"data":[]}'), /"columns"/);
});

Deno.test("split JSON: float32 text is as short as the digit-by-digit search and always reads back", () => {
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const count = 20000;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const scale = 10 ** Math.floor(random() * 14 - 5);
    values[i] = (random() - 0.3) * scale;
  }
  values.set([0.1, 0.2, 0.3, 1.5, 1e-3, 0.0009999, 9999999.5, 1234.5677, 16777216.5, 3.4e38], 0);
  const frame: FlowFrame = {
    length: count,
    index: new BigInt64Array(count),
    columns: [{ name: "x", dtype: "float32", values }],
  };
  const decoded = decodeSplitJson(encodeSplitJson(frame));
  const texts = encodeSplitJson(frame).slice('{"columns":["x"],"data":[['.length, -3).split(
    "],[",
  );
  for (let i = 0; i < count; i++) {
    const v = values[i];
    assert.equal(Math.fround(decoded.data[i][0] as number), v, `value ${v} as ${texts[i]}`);
    // The reference: the fewest significant digits toPrecision needs to read back as v.
    let digits = 1;
    while (digits < 9 && Math.fround(Number(v.toPrecision(digits))) !== v) digits++;
    const significant = texts[i].replace(/^-/, "").replace(/e.*$/, "").replace(".", "")
      .replace(/^0+/, "").replace(/0+$/, "");
    assert.ok(significant.length <= digits, `${v}: ${texts[i]} is longer than ${digits} digits`);
  }
});
