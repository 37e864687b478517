import assert from "node:assert/strict";
import type { FlowFrame } from "../../lib/frame/frame.ts";
import {
  decodeSplitJson,
  encodeSplitJson,
  encodeSplitJsonBytes,
  SplitJsonEncoder,
} from "../../lib/frame/split_json.ts";

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

/** The reference text of a float32: the fewest toPrecision digits that read back, as String(). */
function referenceFloat32(v: number): string {
  if (!Number.isFinite(v)) return "null";
  if (Object.is(v, -0)) return "-0.0"; // the sign of zero kept, as pandas writes it
  let digits = 1;
  while (digits < 9 && Math.fround(Number(v.toPrecision(digits))) !== v) digits++;
  return String(Number(v.toPrecision(digits)));
}

function float32Cells(values: Float32Array): string[] {
  const frame: FlowFrame = {
    length: values.length,
    index: new BigInt64Array(values.length),
    columns: [{ name: "x", dtype: "float32", values }],
  };
  const text = encodeSplitJson(frame);
  return text.slice('{"columns":["x"],"data":[['.length, -3).split("],[");
}

Deno.test("split JSON: float32 text equals the shortest toPrecision form, integers above 2^24 and every magnitude included", () => {
  let seed = 987654321;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const values: number[] = [
    16777216,
    16777218,
    22116582,
    67085304,
    -67085304,
    99999992,
    1e10,
    123456790,
    2 ** 40,
    3.4028234663852886e38,
    -3.4e38,
    1.1754943508222875e-38,
    1e-45,
    -0,
    0,
    0.001,
    -0.001,
    9999999,
    9999999.5,
    1e7,
    0.5,
    -2.5,
  ];
  for (let i = 0; i < 30000; i++) {
    // Random bit patterns: every exponent, both signs.
    const bits = new Uint32Array([(random() * 2 ** 32) >>> 0]);
    values.push(new Float32Array(bits.buffer)[0]);
    // Integers of 8 to 12 digits, the float32 spacing above 2^24.
    values.push(Math.round(10 ** (7 + random() * 5)) * (random() < 0.5 ? -1 : 1));
    // Flow-like statistics: means of a few thousand bytes or microseconds.
    values.push(Math.floor(random() * 1e6) / (1 + Math.floor(random() * 5000)));
  }
  const floats = Float32Array.from(values);
  const cells = float32Cells(floats);
  for (let i = 0; i < floats.length; i++) {
    assert.equal(cells[i], referenceFloat32(floats[i]), `float32 ${floats[i]}`);
  }
});

Deno.test("split JSON: SplitJsonEncoder writes bytes equal to encodeSplitJson, with prefix, suffix and any rows", () => {
  const frame = sampleFrame();
  const columns = ["dst_port", "timestamp", "flow_duration", "big", "flow_byts_s", "pkt_len_mean"];
  const encoder = new SplitJsonEncoder(frame, {
    columns,
    prefix: '{"dataframe_split":',
    suffix: "}",
  });
  const decoder = new TextDecoder();
  for (const rows of [[0, 1, 2], [2, 1], [1], [], [0, 0, 2], Uint32Array.from([1, 2])]) {
    const bytes = encoder.encode(rows);
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(
      decoder.decode(bytes),
      `{"dataframe_split":${encodeSplitJson(frame, { columns, rows })}}`,
    );
  }
  assert.deepEqual(
    encodeSplitJsonBytes(frame, { columns }),
    new TextEncoder().encode(encodeSplitJson(frame, { columns })),
  );
  assert.throws(() => new SplitJsonEncoder(frame, { columns: ["nope"] }), /no column 'nope'/);
});

Deno.test("split JSON: integers past 2^53, negative values, escapes and non-ASCII text, long rows", () => {
  const n = 300;
  const text = Array.from(
    { length: n },
    (_, i) =>
      i % 5 === 0
        ? `tab\there "q" \\ é ${"x".repeat(i)} \u2028 \ud800`
        : i % 7 === 0
        ? ""
        : `t${i}`,
  );
  const frame: FlowFrame = {
    length: n,
    index: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 9007199254740993n - 5n),
    columns: [
      {
        name: "i8",
        dtype: "int8",
        values: Int8Array.from({ length: n }, (_, i) => (i * 37) % 256 - 128),
      },
      { name: "i16", dtype: "int16", values: Int16Array.from({ length: n }, (_, i) => -i * 101) },
      {
        name: "i32",
        dtype: "int32",
        values: Int32Array.from({ length: n }, (_, i) => (i - 150) * 14316557),
      },
      {
        name: "u32",
        dtype: "uint32",
        values: Uint32Array.from({ length: n }, (_, i) => 4294967295 - i * 7),
      },
      {
        name: "i64",
        dtype: "int64",
        values: BigInt64Array.from(
          { length: n },
          (_, i) => (BigInt(i) - 150n) * 61489146912365172n,
        ),
      },
      {
        name: "u64",
        dtype: "uint64",
        values: BigUint64Array.from({ length: n }, (_, i) => BigInt(i) ** 7n),
      },
      {
        name: "f64",
        dtype: "float64",
        values: Float64Array.from(
          { length: n },
          (_, i) => i % 9 === 0 ? NaN : (i - 150) * 1234.56789 / 7 + (i % 4 === 0 ? 1e21 : 0),
        ),
      },
      { name: "text", dtype: "object", values: text },
    ],
  };
  const expectedRows = Array.from({ length: n }, (_, i) => {
    const big = (BigInt(i) - 150n) * 61489146912365172n;
    const f = (i - 150) * 1234.56789 / 7 + (i % 4 === 0 ? 1e21 : 0);
    return `[${(i * 37) % 256 - 128},${-i * 101 || 0},${(i - 150) * 14316557},${
      4294967295 - i * 7
    },` +
      `${big},${BigInt(i) ** 7n},${i % 9 === 0 ? "null" : String(f)},${JSON.stringify(text[i])}]`;
  });
  const rows = Array.from({ length: n }, (_, i) => (i * 7) % n);
  assert.equal(
    encodeSplitJson(frame, { rows, withIndex: true }),
    `{"columns":["i8","i16","i32","u32","i64","u64","f64","text"],"index":[${
      rows.map((r) => String(BigInt(r) * 9007199254740993n - 5n)).join(",")
    }],"data":[${rows.map((r) => expectedRows[r]).join(",")}]}`,
  );
  const parsed = JSON.parse(encodeSplitJson(frame));
  assert.deepEqual(
    parsed.data.map((row: unknown[]) => row[7]),
    text.map((t) => JSON.parse(JSON.stringify(t))),
  );
});

Deno.test("split JSON: int64 and uint64 exact on both sides of 2^53 and 2^32", () => {
  const signed = [
    0n,
    -1n,
    1n,
    4294967295n,
    4294967296n,
    -4294967296n,
    -4294967297n,
    9007199254740991n,
    -9007199254740991n,
    9007199254740992n,
    -9007199254740992n,
    9007199254740993n,
    -9007199254740993n,
    -9007194959773696n,
    9223372036854775807n,
    -9223372036854775808n,
  ];
  const unsigned = [0n, 1n, 4294967296n, 9007199254740991n, 9007199254740992n, 2n ** 64n - 1n];
  const frame: FlowFrame = {
    length: signed.length,
    index: new BigInt64Array(signed.length),
    columns: [
      { name: "i", dtype: "int64", values: BigInt64Array.from(signed) },
      {
        name: "u",
        dtype: "uint64",
        values: BigUint64Array.from(signed, (_, i) => unsigned[i % unsigned.length]),
      },
    ],
  };
  const expected = signed.map((value, i) => `[${value},${unsigned[i % unsigned.length]}]`);
  assert.equal(encodeSplitJson(frame), `{"columns":["i","u"],"data":[${expected.join(",")}]}`);
  const rows = [15, 3, 9, 0];
  assert.equal(
    encodeSplitJson(frame, { rows }),
    `{"columns":["i","u"],"data":[${rows.map((r) => expected[r]).join(",")}]}`,
  );
});
