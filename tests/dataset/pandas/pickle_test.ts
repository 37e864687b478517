import { SHARED_DATASETS, sharedDatasetsPresent } from "../../support/shared_datasets.ts";
import assert from "node:assert/strict";
import { InputError } from "../../../lib/errors.ts";
import {
  asList,
  asString,
  isNdArray,
  isNumpyDtype,
  isPyDict,
  isPyTuple,
  loadPickle,
  type NdArray,
  type NumpyDtype,
  PyDict,
  PyTuple,
  type PyValue,
} from "../../../lib/dataset/pandas/pickle.ts";

// The fixtures are real pickles made by Python (dev/make_pickle_fixtures.py), at the end of this file.

function fixture(name: string): Uint8Array {
  const text = FIXTURES[name];
  assert.ok(text !== undefined, `no fixture ${name}`);
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function load(name: string): PyValue {
  return loadPickle(fixture(name));
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

function ndarray(value: PyValue): NdArray {
  assert.ok(isNdArray(value), `not an ndarray: ${String(value)}`);
  return value;
}

function dict(value: PyValue | undefined): PyDict {
  assert.ok(isPyDict(value as PyValue), "not a dict");
  return value as PyDict;
}

function refused(data: Uint8Array, global: string): void {
  assert.throws(() => loadPickle(data), (error: unknown) => {
    assert.ok(error instanceof InputError, `not an InputError: ${error}`);
    assert.equal(
      error.message,
      `pickle refers to '${global}', which mlids does not load: it may run code`,
    );
    assert.match(error.hint ?? "", /re-save/);
    return true;
  });
}

function malformed(data: Uint8Array, pattern?: RegExp): InputError {
  let caught: unknown;
  try {
    loadPickle(data);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InputError, `expected InputError, got ${caught}`);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

Deno.test("pickle: reads protocol 0 attributes exactly as PyTables writes them for pandas", () => {
  const data = fixture("p0_non_index_axes");
  assert.ok(
    new TextDecoder().decode(data).startsWith("(lp0\n(I1\n(lp1\nVdst_port\np2\naVprotocol\np3\na"),
  );
  assert.deepEqual(loadPickle(data), [new PyTuple([1, ["dst_port", "protocol"]])]);
  assert.deepEqual(load("p0_index_cols"), [new PyTuple([0, "index"])]);
  assert.equal(load("p0_none"), null);

  const info = dict(load("p0_info"));
  assert.deepEqual(info.entries.map(([key]) => key), [1, "index", "values_block_0"]);
  const level = dict(info.get(1));
  assert.deepEqual(level.get("names"), [null]);
  assert.equal(level.get("type"), "Index");
  assert.equal(dict(info.get("index")).size, 0);
  assert.equal(info.get("missing"), undefined);
});

Deno.test("pickle: reads Python 2 str opcodes (STRING escapes, BINSTRING) as latin-1 text", () => {
  const [axes] = asList(load("py2_p0_non_index_axes"), "axes");
  assert.ok(isPyTuple(axes));
  assert.equal(axes.items[0], 1);
  assert.deepEqual(axes.items[1], [
    "dst_port",
    "it's AA\n",
    true,
    12345678901234567890n,
    1.25,
    -Infinity,
  ]);
  assert.deepEqual(load("py2_p2_strings"), ["abc", "\u00e9\u00e8xy"]);
});

function checkNested(protocol: number): void {
  const value = dict(load(`p${protocol}_nested`));
  assert.deepEqual(value.get("ints"), [
    0,
    1,
    -1,
    255,
    256,
    65535,
    65536,
    -(2 ** 31),
    2 ** 31 - 1,
    2 ** 31,
    Number.MAX_SAFE_INTEGER,
    9007199254740993n,
    -(2n ** 70n),
    10n ** 30n,
    2n ** 63n,
  ]);
  const floats = asList(value.get("floats"), "floats");
  assert.deepEqual(floats, [1.5, -0, 1e300, 5e-324, Infinity, -Infinity]);
  assert.ok(Object.is(floats[1], -0), "-0.0 keeps its sign");
  assert.deepEqual(value.get("consts"), [null, true, false]);
  assert.deepEqual(value.get("tuples"), [
    new PyTuple([]),
    new PyTuple([1]),
    new PyTuple([1, 2]),
    new PyTuple([1, 2, 3]),
    new PyTuple([1, 2, 3, 4]),
  ]);
  assert.deepEqual(value.get("bytes"), [
    bytes(),
    bytes(0, 0xff, 0x0a, 0x5c, 0x27),
    new Uint8Array(300).fill(0x78),
  ]);
  assert.deepEqual(value.get("text"), [
    "",
    "h\u00e9llo \u2603 \u{1d11e}",
    "a\nb\\c\r\x00'\"",
    "y".repeat(300),
  ]);
  const shared = asList(value.get("shared"), "shared");
  assert.deepEqual(shared[0], ["shared", 1]);
  assert.equal(shared[0], shared[1], "the memo keeps shared objects shared");
  assert.equal(value.get(7), "int key");
  assert.deepEqual(
    dict(value.get("nested")).get("deep"),
    [[[new PyDict([["k", new PyTuple([null])]])]]],
  );
}

for (const protocol of [0, 1, 2, 3, 4, 5]) {
  Deno.test(`pickle: reads nested plain data at protocol ${protocol}`, () => {
    checkNested(protocol);
  });

  Deno.test(`pickle: reads sets, frozensets and bytearrays at protocol ${protocol}`, () => {
    assert.deepEqual(load(`p${protocol}_sets`), [[1, 2, 3], ["a"], [], bytes(0x61, 0x62, 0xff)]);
  });
}

Deno.test("pickle: reads a numpy object array as PyTables' ObjectAtom stores it", () => {
  const array = ndarray(load("np_object_p5"));
  assert.equal(array.dtype.str, "|O");
  assert.deepEqual(array.shape, [2]);
  assert.equal(array.fortranOrder, false);
  assert.deepEqual(array.values, ["a", "b"]);
});

Deno.test("pickle: reads a Fortran-ordered 2-D object block with its values in C order", () => {
  const array = ndarray(load("np_object_2d_fortran_p5"));
  assert.deepEqual(array.shape, [3, 2]);
  assert.equal(array.fortranOrder, true);
  assert.deepEqual(array.values, [
    "21/02/2018 10:15:06",
    "Benign",
    "28/02/2018 08:49:18",
    null,
    "x\u00e9",
    NaN,
  ]);
});

Deno.test("pickle: reads the head of sample-fixed.h5's string block, pickled the file's way", () => {
  const array = ndarray(load("real_block2_head_p5"));
  assert.equal(array.dtype.str, "|O");
  assert.deepEqual(array.shape, [4, 2]);
  assert.equal(array.fortranOrder, true);
  assert.deepEqual(array.values.slice(0, 4), [
    "21/02/2018 10:15:06",
    "DDOS attack-LOIC-UDP",
    "28/02/2018 08:49:18",
    "Benign",
  ]);
});

const NUMERIC: Record<string, { str: string; shape: number[]; values: PyValue[] }> = {
  f8: { str: "<f8", shape: [4], values: [1.5, -2, NaN, Infinity] },
  i8: { str: "<i8", shape: [4], values: [1, -1, 9007199254740993n, -(2n ** 63n)] },
  u4: { str: "<u4", shape: [3], values: [0, 1, 2 ** 32 - 1] },
  b1: { str: "|b1", shape: [3], values: [true, false, true] },
  unicode: { str: "<U3", shape: [3], values: ["ab", "h\u00e9\u{1d11e}", ""] },
  bytes: { str: "|S4", shape: [3], values: [ascii("ab"), ascii("abcd"), bytes()] },
  be_i4: { str: ">i4", shape: [3], values: [1, -2, 70000] },
  f4: { str: "<f4", shape: [2], values: [0.5, -1.25] },
  u8: { str: "<u8", shape: [2], values: [2n ** 64n - 1n, 5] },
  f2: { str: "<f2", shape: [3], values: [1, -0.5, 65504] },
  datetime: {
    str: "<M8[ns]",
    shape: [2],
    values: [1519208106000000000n, -(2n ** 63n)],
  },
  i8_2d_fortran: { str: "<i8", shape: [2, 3], values: [0, 1, 2, 3, 4, 5] },
  i2_3d: { str: "<i2", shape: [2, 3, 4], values: Array.from({ length: 24 }, (_, i) => i) },
};

for (const [name, expected] of Object.entries(NUMERIC)) {
  for (const protocol of [2, 5]) {
    Deno.test(`pickle: reads a numpy ${name} array at protocol ${protocol}`, () => {
      const array = ndarray(load(`np_${name}_p${protocol}`));
      assert.equal(array.dtype.str, expected.str);
      assert.deepEqual(array.shape, expected.shape);
      assert.equal(array.fortranOrder, name.endsWith("fortran"));
      assert.deepEqual(array.values, expected.values);
    });
  }
}

Deno.test("pickle: reads a numpy array at protocol 0, raw data as a latin-1 str", () => {
  const array = ndarray(load("np_f8_p0"));
  assert.deepEqual(array.values, [1.5, -2, NaN, Infinity]);
});

Deno.test("pickle: reads numpy dtypes into numpy's dtype.str", () => {
  const dtype = load("np_dtype_f8_p4");
  assert.ok(isNumpyDtype(dtype));
  assert.equal(dtype.type, "dtype");
  assert.equal(dtype.str, "<f8");
  const dtypes = asList(load("np_dtypes_p2"), "dtypes") as NumpyDtype[];
  assert.deepEqual(dtypes.map((d) => d.str), [
    "|O",
    "<U12",
    "|S4",
    "<i8",
    "|b1",
    ">f4",
    "<M8[ns]",
    "<m8[5s]",
    "|V8",
    "|V6",
  ]);
});

Deno.test("pickle: reads numpy scalars as plain values", () => {
  assert.deepEqual(load("np_scalars_p2"), [1.5, 2n ** 60n, -7, true, "h\u00e9"]);
  assert.deepEqual(load("np_scalars_p0"), [-0.25, 200]);
  assert.deepEqual(load("np_scalars_p4"), [0.5, -(2n ** 62n)]);
});

Deno.test("pickle: refuses a pickle that would run os.system, protocols 0 and 4", () => {
  refused(fixture("evil_os_system_p0"), "posix.system");
  refused(fixture("evil_os_system_p4"), "posix.system");
  refused(fixture("evil_nested_in_ndarray_p5"), "posix.system");
});

Deno.test("pickle: refuses a pickle that would call eval", () => {
  refused(fixture("evil_eval_p0"), "__builtin__.eval");
  refused(fixture("evil_eval_p4"), "builtins.eval");
});

Deno.test("pickle: refuses other globals, by GLOBAL, STACK_GLOBAL and INST", () => {
  refused(ascii("csubprocess\nPopen\n(S'id'\ntR."), "subprocess.Popen");
  refused(ascii("ccopy_reg\n_reconstructor\n."), "copy_reg._reconstructor");
  refused(ascii("(S'echo pwned'\nios\nsystem\n."), "os.system");
  refused(
    ascii("\x80\x04\x8c\x11pandas.core.frame\x8c\tDataFrame\x93."),
    "pandas.core.frame.DataFrame",
  );
  refused(ascii("cnumpy\nload\n."), "numpy.load");
  // An allowed name with an unexpected target stays refused: numpy.ndarray is data only.
  malformed(ascii("cnumpy\nndarray\n)R."), /numpy\.ndarray/);
  malformed(ascii("cnumpy\nndarray\n."), /holds 'numpy\.ndarray' itself/);
  malformed(ascii("cnumpy.core.multiarray\n_reconstruct\n(I0\ntR."), /only numpy\.ndarray/);
});

Deno.test("pickle: refuses persistent ids, extension codes and out-of-band buffers", () => {
  malformed(ascii("Pabc\n."), /persistent id/);
  malformed(bytes(0x80, 2, 0x82, 1, 0x2e), /extension-registry/);
  malformed(bytes(0x80, 5, 0x97, 0x2e), /out-of-band buffer/);
});

Deno.test("pickle: every truncation of a real pickle is an InputError", () => {
  for (const name of ["p0_non_index_axes", "p4_nested", "np_object_p5", "np_f8_p2"]) {
    const data = fixture(name);
    for (let length = 0; length < data.length; length++) {
      const error = malformed(data.subarray(0, length));
      assert.match(error.message, /truncated|malformed/, `${name} cut at ${length}`);
    }
  }
  malformed(bytes(), /truncated: it ends at byte 0 before its STOP opcode/);
  malformed(
    bytes(0x58, 10, 0, 0, 0, 0x61),
    /truncated: it ends inside opcode BINUNICODE at byte 0/,
  );
});

Deno.test("pickle: garbage is an InputError naming what is wrong", () => {
  malformed(bytes(0xff), /unknown opcode 0xff at byte 0/);
  malformed(bytes(0x80, 3, 0x4e, 0x00), /unknown opcode 0x00 at byte 3/);
  malformed(bytes(0x80, 6, 0x4e, 0x2e), /protocol 6/);
  malformed(ascii("a."), /fewer values/);
  malformed(ascii("]h\x05."), /memo entry 5 was never stored/);
  malformed(ascii("NNa."), /appends to a None/);
  malformed(ascii("Ns."), /fewer values/);
  malformed(ascii("e."), /no MARK/);
  malformed(ascii("(N1t."), /no MARK/);
  malformed(ascii("INaN\n."), /not an integer/);
  malformed(ascii("Fx1\n."), /not a float/);
  malformed(ascii("Vab\\u12\n."), /bad \\u escape/);
  malformed(ascii("S'abc\n."), /not a quoted string/);
  malformed(bytes(0x80, 4, 0x4b, 1, 0x4b, 2, 0x93, 0x2e), /not strings/);
  malformed(bytes(0x8c, 2, 0xc3, 0x28, 0x2e), /not UTF-8/);
  malformed(ascii("c_codecs\nencode\n(Vx\nVrot13\ntR."), /encoding 'rot13'/);
});

Deno.test("pickle: messages name the pickle's source when given", () => {
  assert.throws(() => loadPickle(bytes(0xff), { source: "attribute info of /ids_data" }), {
    name: "InputError",
    message: "pickle in attribute info of /ids_data is malformed: unknown opcode 0xff at byte 0",
  });
  assert.throws(
    () => loadPickle(fixture("evil_os_system_p0"), { source: "/ids_data/block2_values" }),
    { message: /^pickle in \/ids_data\/block2_values refers to 'posix\.system'/ },
  );
});

Deno.test("pickle: random and mutated bytes give values or InputErrors, never other errors", () => {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const seeds = ["p0_nested", "p2_nested", "p5_nested", "np_object_2d_fortran_p5", "np_i8_p2"];
  for (let round = 0; round < 2000; round++) {
    let data: Uint8Array;
    if (round % 2 === 0) {
      data = Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () => random() * 256);
    } else {
      data = fixture(seeds[round % seeds.length]).slice();
      for (let flips = 0; flips < 3; flips++) {
        data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
      }
    }
    try {
      loadPickle(data);
    } catch (error) {
      assert.ok(error instanceof InputError, `round ${round}: ${error}`);
    }
  }
});

Deno.test("pickle: deep nesting needs no recursion, with or without globals", () => {
  const depth = 200_000;
  const text = "c__builtin__\nset\n)R0" + "]".repeat(depth) + "a".repeat(depth - 1) + ".";
  let value = loadPickle(ascii(text));
  for (let level = 1; level < depth; level++) value = (value as PyValue[])[0];
  assert.deepEqual(value, []);
});

Deno.test("pickle: a list that holds itself loads as a cycle", () => {
  // l = []; l.append(l); pickle.dumps(l, 2)
  const value = loadPickle(bytes(0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e)) as PyValue[];
  assert.equal(value[0], value);
});

Deno.test("pickle: helpers convert or name what is wrong", () => {
  assert.deepEqual(asList(new PyTuple([1]), "x"), [1]);
  assert.equal(asString(ascii("ab"), "x"), "ab");
  assert.throws(() => asList("ab", "attribute non_index_axes"), {
    name: "InputError",
    message: "attribute non_index_axes is a str, not a list",
  });
  assert.throws(() => asString(null, "the name"), { message: "the name is a None, not a str" });
  const d = new PyDict([["a", 1], [true, 2], [1, 3], ["a", 4]]);
  assert.deepEqual(d.entries, [["a", 4], [true, 3]]);
  assert.equal(d.get(1), 3);
});

const SAMPLE_FIXED = `${SHARED_DATASETS}sample-fixed.h5`;
const haveSample = sharedDatasetsPresent;

Deno.test({
  name: "pickle: decodes the whole string block of sample-fixed.h5 as pandas reads it",
  ignore: !haveSample,
  fn() {
    const file = Deno.readFileSync(SAMPLE_FIXED);
    // PyTables keeps VLArray data unfiltered, so the pickle sits in the file as written.
    let start = -1;
    for (let i = 0; i + 3 <= file.length && start < 0; i++) {
      if (file[i] === 0x80 && file[i + 1] === 5 && file[i + 2] === 0x95) start = i;
    }
    assert.ok(start >= 0, "no protocol 5 pickle in the file");
    const frame = new DataView(file.buffer, start + 3, 8).getUint32(0, true);
    const array = ndarray(loadPickle(file.subarray(start, start + 11 + frame)));
    const expected = JSON.parse(
      Deno.readTextFileSync(`${SHARED_DATASETS}sample-fixed.expected.json`),
    ) as { columns: string[]; data: PyValue[][] };
    const timestamp = expected.columns.indexOf("timestamp");
    const label = expected.columns.indexOf("label");
    assert.deepEqual(array.shape, [expected.data.length, 2]);
    assert.equal(array.fortranOrder, true);
    const want = expected.data.flatMap((row) => [row[timestamp], row[label]]);
    assert.deepEqual(array.values, want);
  },
});

// BEGIN GENERATED FIXTURES (dev/make_pickle_fixtures.py)
const FIXTURES: Record<string, string> = {
  p0_non_index_axes: "KGxwMAooSTEKKGxwMQpWZHN0X3BvcnQKcDIKYVZwcm90b2NvbApwMwphdHA0CmEu",
  p0_info:
    "KGRwMApJMQooZHAxClZuYW1lcwpwMgoobHAzCk5hc1Z0eXBlCnA0ClZJbmRleApwNQpzc1ZpbmRleApwNgooZHA3CnNWdmFsdWVzX2Jsb2NrXzAKcDgKKGRwOQpzLg==",
  p0_index_cols: "KGxwMAooSTAKVmluZGV4CnAxCnRwMgphLg==",
  p0_none: "Ti4=",
  py2_p0_non_index_axes:
    "KGxwMQooSTEKKGxwMgpTJ2RzdF9wb3J0JwpwMwphUydpdFwncyBceDQxXDEwMVxuJwpwNAphSTAxCmFMMTIzNDU2Nzg5MDEyMzQ1Njc4OTBMCmFGMS4yNQphRi1pbmYKYXRwNQphLg==",
  py2_p2_strings: "gAJdcQEoVQNhYmNxAlQEAAAA6eh4eXEDZS4=",
  p0_nested:
    "KGRwMApWaW50cwpwMQoobHAyCkkwCmFJMQphSS0xCmFJMjU1CmFJMjU2CmFJNjU1MzUKYUk2NTUzNgphSS0yMTQ3NDgzNjQ4CmFJMjE0NzQ4MzY0NwphTDIxNDc0ODM2NDhMCmFMOTAwNzE5OTI1NDc0MDk5MUwKYUw5MDA3MTk5MjU0NzQwOTkzTAphTC0xMTgwNTkxNjIwNzE3NDExMzAzNDI0TAphTDEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDBMCmFMOTIyMzM3MjAzNjg1NDc3NTgwOEwKYXNWZmxvYXRzCnAzCihscDQKRjEuNQphRi0wLjAKYUYxZSszMDAKYUY1ZS0zMjQKYUZpbmYKYUYtaW5mCmFzVmNvbnN0cwpwNQoobHA2Ck5hSTAxCmFJMDAKYXNWdHVwbGVzCnA3CihscDgKKHRhKEkxCnRwOQphKEkxCkkyCnRwMTAKYShJMQpJMgpJMwp0cDExCmEoSTEKSTIKSTMKSTQKdHAxMgphc1ZieXRlcwpwMTMKKGxwMTQKY19fYnVpbHRpbl9fCmJ5dGVzCnAxNQoodFJwMTYKYWNfY29kZWNzCmVuY29kZQpwMTcKKFZcdTAwMDD/XHUwMDBhXHUwMDVjJwpwMTgKVmxhdGluMQpwMTkKdHAyMApScDIxCmFnMTcKKFZ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHgKcDIyCmcxOQp0cDIzClJwMjQKYXNWdGV4dApwMjUKKGxwMjYKVgpwMjcKYVZo6WxsbyBcdTI2MDMgXFUwMDAxZDExZQpwMjgKYVZhXHUwMDBhYlx1MDA1Y2NcdTAwMGRcdTAwMDAnIgpwMjkKYVZ5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXkKcDMwCmFzVnNoYXJlZApwMzEKKGxwMzIKKGxwMzMKZzMxCmFJMQphYWczMwphc0k3ClZpbnQga2V5CnAzNApzVm5lc3RlZApwMzUKKGRwMzYKVmRlZXAKcDM3CihscDM4CihscDM5CihscDQwCihkcDQxClZrCnA0MgooTnRwNDMKc2FhYXNzLg==",
  p0_sets:
    "KGxwMApjX19idWlsdGluX18Kc2V0CnAxCigobHAyCkkxCmFJMgphSTMKYXRwMwpScDQKYWNfX2J1aWx0aW5fXwpmcm96ZW5zZXQKcDUKKChscDYKVmEKcDcKYXRwOApScDkKYWcxCigobHAxMAp0cDExClJwMTIKYWNfX2J1aWx0aW5fXwpieXRlYXJyYXkKcDEzCihjX2NvZGVjcwplbmNvZGUKcDE0CihWYWL/CnAxNQpWbGF0aW4xCnAxNgp0cDE3ClJwMTgKdHAxOQpScDIwCmEu",
  p1_nested:
    "fXEAKFgEAAAAaW50c3EBXXECKEsASwFK/////0v/TQABTf//SgAAAQBKAAAAgEr///9/TDIxNDc0ODM2NDhMCkw5MDA3MTk5MjU0NzQwOTkxTApMOTAwNzE5OTI1NDc0MDk5M0wKTC0xMTgwNTkxNjIwNzE3NDExMzAzNDI0TApMMTAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMEwKTDkyMjMzNzIwMzY4NTQ3NzU4MDhMCmVYBgAAAGZsb2F0c3EDXXEEKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nEcAAAAAAAAAAUd/8AAAAAAAAEf/8AAAAAAAAGVYBgAAAGNvbnN0c3EFXXEGKE5JMDEKSTAwCmVYBgAAAHR1cGxlc3EHXXEIKCkoSwF0cQkoSwFLAnRxCihLAUsCSwN0cQsoSwFLAksDSwR0cQxlWAUAAABieXRlc3ENXXEOKGNfX2J1aWx0aW5fXwpieXRlcwpxDylScRBjX2NvZGVjcwplbmNvZGUKcREoWAYAAAAAw78KXCdxElgGAAAAbGF0aW4xcRN0cRRScRVoEShYLAEAAHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHEWaBN0cRdScRhlWAQAAAB0ZXh0cRldcRooWAAAAABxG1gPAAAAaMOpbGxvIOKYgyDwnYSecRxYCQAAAGEKYlxjDQAnInEdWCwBAAB5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXlxHmVYBgAAAHNoYXJlZHEfXXEgKF1xIShoH0sBZWghZUsHWAcAAABpbnQga2V5cSJYBgAAAG5lc3RlZHEjfXEkWAQAAABkZWVwcSVdcSZdcSddcSh9cSlYAQAAAGtxKihOdHErc2FhYXN1Lg==",
  p1_sets:
    "XXEAKGNfX2J1aWx0aW5fXwpzZXQKcQEoXXECKEsBSwJLA2V0cQNScQRjX19idWlsdGluX18KZnJvemVuc2V0CnEFKF1xBlgBAAAAYXEHYXRxCFJxCWgBKF1xCnRxC1JxDGNfX2J1aWx0aW5fXwpieXRlYXJyYXkKcQ0oY19jb2RlY3MKZW5jb2RlCnEOKFgEAAAAYWLDv3EPWAYAAABsYXRpbjFxEHRxEVJxEnRxE1JxFGUu",
  p2_nested:
    "gAJ9cQAoWAQAAABpbnRzcQFdcQIoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACASv///3+KBQAAAIAAigf///////8figcBAAAAAAAgigkAAAAAAAAAAMCKDQAAAEDq7XRG0JwsnwyKCQAAAAAAAACAAGVYBgAAAGZsb2F0c3EDXXEEKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nEcAAAAAAAAAAUd/8AAAAAAAAEf/8AAAAAAAAGVYBgAAAGNvbnN0c3EFXXEGKE6IiWVYBgAAAHR1cGxlc3EHXXEIKClLAYVxCUsBSwKGcQpLAUsCSwOHcQsoSwFLAksDSwR0cQxlWAUAAABieXRlc3ENXXEOKGNfX2J1aWx0aW5fXwpieXRlcwpxDylScRBjX2NvZGVjcwplbmNvZGUKcRFYBgAAAADDvwpcJ3ESWAYAAABsYXRpbjFxE4ZxFFJxFWgRWCwBAAB4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHhxFmgThnEXUnEYZVgEAAAAdGV4dHEZXXEaKFgAAAAAcRtYDwAAAGjDqWxsbyDimIMg8J2EnnEcWAkAAABhCmJcYw0AJyJxHVgsAQAAeXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5cR5lWAYAAABzaGFyZWRxH11xIChdcSEoaB9LAWVoIWVLB1gHAAAAaW50IGtleXEiWAYAAABuZXN0ZWRxI31xJFgEAAAAZGVlcHElXXEmXXEnXXEofXEpWAEAAABrcSpOhXErc2FhYXN1Lg==",
  p2_sets:
    "gAJdcQAoY19fYnVpbHRpbl9fCnNldApxAV1xAihLAUsCSwNlhXEDUnEEY19fYnVpbHRpbl9fCmZyb3plbnNldApxBV1xBlgBAAAAYXEHYYVxCFJxCWgBXXEKhXELUnEMY19fYnVpbHRpbl9fCmJ5dGVhcnJheQpxDWNfY29kZWNzCmVuY29kZQpxDlgEAAAAYWLDv3EPWAYAAABsYXRpbjFxEIZxEVJxEoVxE1JxFGUu",
  p3_nested:
    "gAN9cQAoWAQAAABpbnRzcQFdcQIoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACASv///3+KBQAAAIAAigf///////8figcBAAAAAAAgigkAAAAAAAAAAMCKDQAAAEDq7XRG0JwsnwyKCQAAAAAAAACAAGVYBgAAAGZsb2F0c3EDXXEEKEc/+AAAAAAAAEeAAAAAAAAAAEd+N+Q8iAB1nEcAAAAAAAAAAUd/8AAAAAAAAEf/8AAAAAAAAGVYBgAAAGNvbnN0c3EFXXEGKE6IiWVYBgAAAHR1cGxlc3EHXXEIKClLAYVxCUsBSwKGcQpLAUsCSwOHcQsoSwFLAksDSwR0cQxlWAUAAABieXRlc3ENXXEOKEMAcQ9DBQD/ClwncRBCLAEAAHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHERZVgEAAAAdGV4dHESXXETKFgAAAAAcRRYDwAAAGjDqWxsbyDimIMg8J2EnnEVWAkAAABhCmJcYw0AJyJxFlgsAQAAeXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5cRdlWAYAAABzaGFyZWRxGF1xGShdcRooaBhLAWVoGmVLB1gHAAAAaW50IGtleXEbWAYAAABuZXN0ZWRxHH1xHVgEAAAAZGVlcHEeXXEfXXEgXXEhfXEiWAEAAABrcSNOhXEkc2FhYXN1Lg==",
  p3_sets:
    "gANdcQAoY2J1aWx0aW5zCnNldApxAV1xAihLAUsCSwNlhXEDUnEEY2J1aWx0aW5zCmZyb3plbnNldApxBV1xBlgBAAAAYXEHYYVxCFJxCWgBXXEKhXELUnEMY2J1aWx0aW5zCmJ5dGVhcnJheQpxDUMDYWL/cQ6FcQ9ScRBlLg==",
  p4_nested:
    "gASV3AMAAAAAAAB9lCiMBGludHOUXZQoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACASv///3+KBQAAAIAAigf///////8figcBAAAAAAAgigkAAAAAAAAAAMCKDQAAAEDq7XRG0JwsnwyKCQAAAAAAAACAAGWMBmZsb2F0c5RdlChHP/gAAAAAAABHgAAAAAAAAABHfjfkPIgAdZxHAAAAAAAAAAFHf/AAAAAAAABH//AAAAAAAABljAZjb25zdHOUXZQoToiJZYwGdHVwbGVzlF2UKClLAYWUSwFLAoaUSwFLAksDh5QoSwFLAksDSwR0lGWMBWJ5dGVzlF2UKEMAlEMFAP8KXCeUQiwBAAB4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHiUZYwEdGV4dJRdlCiMAJSMD2jDqWxsbyDimIMg8J2EnpSMCWEKYlxjDQAnIpRYLAEAAHl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eZRljAZzaGFyZWSUXZQoXZQoaBhLAWVoGmVLB4wHaW50IGtleZSMBm5lc3RlZJR9lIwEZGVlcJRdlF2UXZR9lIwBa5ROhZRzYWFhc3Uu",
  p4_sets:
    "gASVOwAAAAAAAABdlCiPlChLAUsCSwOQKIwBYZSRlI+UjAhidWlsdGluc5SMCWJ5dGVhcnJheZSTlEMDYWL/lIWUUpRlLg==",
  p5_nested:
    "gAWV3AMAAAAAAAB9lCiMBGludHOUXZQoSwBLAUr/////S/9NAAFN//9KAAABAEoAAACASv///3+KBQAAAIAAigf///////8figcBAAAAAAAgigkAAAAAAAAAAMCKDQAAAEDq7XRG0JwsnwyKCQAAAAAAAACAAGWMBmZsb2F0c5RdlChHP/gAAAAAAABHgAAAAAAAAABHfjfkPIgAdZxHAAAAAAAAAAFHf/AAAAAAAABH//AAAAAAAABljAZjb25zdHOUXZQoToiJZYwGdHVwbGVzlF2UKClLAYWUSwFLAoaUSwFLAksDh5QoSwFLAksDSwR0lGWMBWJ5dGVzlF2UKEMAlEMFAP8KXCeUQiwBAAB4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHiUZYwEdGV4dJRdlCiMAJSMD2jDqWxsbyDimIMg8J2EnpSMCWEKYlxjDQAnIpRYLAEAAHl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eXl5eZRljAZzaGFyZWSUXZQoXZQoaBhLAWVoGmVLB4wHaW50IGtleZSMBm5lc3RlZJR9lIwEZGVlcJRdlF2UXZR9lIwBa5ROhZRzYWFhc3Uu",
  p5_sets: "gAWVJQAAAAAAAABdlCiPlChLAUsCSwOQKIwBYZSRlI+UlgMAAAAAAAAAYWL/lGUu",
  np_object_p5:
    "gAWVkQAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgDjAVkdHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlCiMAWGUjAFilGV0lGIu",
  np_object_2d_fortran_p5:
    "gAWV0AAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwNLAoaUaAOMBWR0eXBllJOUjAJPOJSJiIeUUpQoSwOMAXyUTk5OSv////9K/////0s/dJRiiF2UKIwTMjEvMDIvMjAxOCAxMDoxNTowNpSMBkJlbmlnbpSMEzI4LzAyLzIwMTggMDg6NDk6MTiUTowDeMOplEd/+AAAAAAAAGV0lGIu",
  np_f8_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLBIVxCmNudW1weQpkdHlwZQpxC1gCAAAAZjhxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWCQAAAAAAAAAAADDuD8AAAAAAAAAw4AAAAAAAADDuH8AAAAAAADDsH9xEWgFhnESUnETdHEUYi4=",
  np_f8_p5:
    "gAWVkwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYgAAAAAAAAAAAAAAAAAPg/AAAAAAAAAMAAAAAAAAD4fwAAAAAAAPB/lIwFbnVtcHmUjAVkdHlwZZSTlIwCZjiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYksEhZSMAUOUdJRSlC4=",
  np_i8_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLBIVxCmNudW1weQpkdHlwZQpxC1gCAAAAaThxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWCkAAAABAAAAAAAAAMO/w7/Dv8O/w7/Dv8O/w78BAAAAAAAgAAAAAAAAAADCgHERaAWGcRJScRN0cRRiLg==",
  np_i8_p5:
    "gAWVkwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYgAAAAAAAAAAEAAAAAAAAA//////////8BAAAAAAAgAAAAAAAAAACAlIwFbnVtcHmUjAVkdHlwZZSTlIwCaTiUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYksEhZSMAUOUdJRSlC4=",
  np_u4_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAdTRxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWBAAAAAAAAAAAQAAAMO/w7/Dv8O/cRFoBYZxElJxE3RxFGIu",
  np_u4_p5:
    "gAWVfwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYMAAAAAAAAAAAAAAABAAAA/////5SMBW51bXB5lIwFZHR5cGWUk5SMAnU0lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJLA4WUjAFDlHSUUpQu",
  np_b1_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAYjFxDImIh3ENUnEOKEsDWAEAAAB8cQ9OTk5K/////0r/////SwB0cRBiiWgDWAMAAAABAAFxEWgFhnESUnETdHEUYi4=",
  np_b1_p5:
    "gAWVdgAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYDAAAAAAAAAAEAAZSMBW51bXB5lIwFZHR5cGWUk5SMAmIxlImIh5RSlChLA4wBfJROTk5K/////0r/////SwB0lGJLA4WUjAFDlHSUUpQu",
  np_unicode_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAVTNxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5LDEsESwh0cRBiiWgDWCYAAABhAAAAYgAAAAAAAABoAAAAw6kAAAAew5EBAAAAAAAAAAAAAAAAAHERaAWGcRJScRN0cRRiLg==",
  np_unicode_p5:
    "gAWVkQAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYkAAAAAAAAAGEAAABiAAAAAAAAAGgAAADpAAAAHtEBAAAAAAAAAAAAAAAAAJSMBW51bXB5lIwFZHR5cGWUk5SMAlUzlImIh5RSlChLA4wBPJROTk5LDEsESwh0lGJLA4WUjAFDlHSUUpQu",
  np_bytes_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAUzRxDImIh3ENUnEOKEsDWAEAAAB8cQ9OTk5LBEsBSwB0cRBiiWgDWAwAAABhYgAAYWJjZAAAAABxEWgFhnESUnETdHEUYi4=",
  np_bytes_p5:
    "gAWVeQAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYMAAAAAAAAAGFiAABhYmNkAAAAAJSMBW51bXB5lIwFZHR5cGWUk5SMAlM0lImIh5RSlChLA4wBfJROTk5LBEsBSwB0lGJLA4WUjAFDlHSUUpQu",
  np_be_i4_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAaTRxDImIh3ENUnEOKEsDWAEAAAA+cQ9OTk5K/////0r/////SwB0cRBiiWgDWBAAAAAAAAABw7/Dv8O/w74AARFwcRFoBYZxElJxE3RxFGIu",
  np_be_i4_p5:
    "gAWVfwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYMAAAAAAAAAAAAAAH////+AAERcJSMBW51bXB5lIwFZHR5cGWUk5SMAmk0lImIh5RSlChLA4wBPpROTk5K/////0r/////SwB0lGJLA4WUjAFDlHSUUpQu",
  np_f4_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLAoVxCmNudW1weQpkdHlwZQpxC1gCAAAAZjRxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWAoAAAAAAAA/AADCoMK/cRFoBYZxElJxE3RxFGIu",
  np_f4_p5:
    "gAWVewAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYIAAAAAAAAAAAAAD8AAKC/lIwFbnVtcHmUjAVkdHlwZZSTlIwCZjSUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYksChZSMAUOUdJRSlC4=",
  np_u8_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLAoVxCmNudW1weQpkdHlwZQpxC1gCAAAAdThxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWBgAAADDv8O/w7/Dv8O/w7/Dv8O/BQAAAAAAAABxEWgFhnESUnETdHEUYi4=",
  np_u8_p5:
    "gAWVgwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYQAAAAAAAAAP//////////BQAAAAAAAACUjAVudW1weZSMBWR0eXBllJOUjAJ1OJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiSwKFlIwBQ5R0lFKULg==",
  np_f2_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLA4VxCmNudW1weQpkdHlwZQpxC1gCAAAAZjJxDImIh3ENUnEOKEsDWAEAAAA8cQ9OTk5K/////0r/////SwB0cRBiiWgDWAgAAAAAPADCuMO/e3ERaAWGcRJScRN0cRRiLg==",
  np_f2_p5:
    "gAWVeQAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYGAAAAAAAAAAA8ALj/e5SMBW51bXB5lIwFZHR5cGWUk5SMAmYylImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJLA4WUjAFDlHSUUpQu",
  np_datetime_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLAoVxCmNudW1weQpkdHlwZQpxC1gCAAAATThxDImIh3ENUnEOKEsEWAEAAAA8cQ9OTk5K/////0r/////SwB9cRAoaANYAgAAAG5zcRFoBYZxElJxE0sBSwFLAXRxFIZxFXRxFmKJaANYEgAAAAAkBirCuU8VFQAAAAAAAADCgHEXaAWGcRhScRl0cRpiLg==",
  np_datetime_p5:
    "gAWVqgAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwKFlGgDjAVkdHlwZZSTlIwCTTiUiYiHlFKUKEsEjAE8lE5OTkr/////Sv////9LAH2UKEMCbnOUSwFLAUsBdJSGlHSUYolDEAAkBiq5TxUVAAAAAAAAAICUdJRiLg==",
  np_i8_2d_fortran_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLAksDhnEKY251bXB5CmR0eXBlCnELWAIAAABpOHEMiYiHcQ1ScQ4oSwNYAQAAADxxD05OTkr/////Sv////9LAHRxEGKIaANYMAAAAAAAAAAAAAAAAwAAAAAAAAABAAAAAAAAAAQAAAAAAAAAAgAAAAAAAAAFAAAAAAAAAHERaAWGcRJScRN0cRRiLg==",
  np_i8_2d_fortran_p5:
    "gAWVpQAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYwAAAAAAAAAAAAAAAAAAAAAwAAAAAAAAABAAAAAAAAAAQAAAAAAAAAAgAAAAAAAAAFAAAAAAAAAJSMBW51bXB5lIwFZHR5cGWUk5SMAmk4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJLAksDhpSMAUaUdJRSlC4=",
  np_i2_3d_p2:
    "gAJjbnVtcHkuY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxAGNudW1weQpuZGFycmF5CnEBSwCFcQJjX2NvZGVjcwplbmNvZGUKcQNYAQAAAGJxBFgGAAAAbGF0aW4xcQWGcQZScQeHcQhScQkoSwFLAksDSwSHcQpjbnVtcHkKZHR5cGUKcQtYAgAAAGkycQyJiIdxDVJxDihLA1gBAAAAPHEPTk5OSv////9K/////0sAdHEQYoloA1gwAAAAAAABAAIAAwAEAAUABgAHAAgACQAKAAsADAANAA4ADwAQABEAEgATABQAFQAWABcAcRFoBYZxElJxE3RxFGIu",
  np_i2_3d_p5:
    "gAWVpwAAAAAAAACMEm51bXB5LmNvcmUubnVtZXJpY5SMC19mcm9tYnVmZmVylJOUKJYwAAAAAAAAAAAAAQACAAMABAAFAAYABwAIAAkACgALAAwADQAOAA8AEAARABIAEwAUABUAFgAXAJSMBW51bXB5lIwFZHR5cGWUk5SMAmkylImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGJLAksDSwSHlIwBQ5R0lFKULg==",
  np_f8_p0:
    "Y251bXB5LmNvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcDAKKGNudW1weQpuZGFycmF5CnAxCihJMAp0cDIKY19jb2RlY3MKZW5jb2RlCnAzCihWYgpwNApWbGF0aW4xCnA1CnRwNgpScDcKdHA4ClJwOQooSTEKKEk0CnRwMTAKY251bXB5CmR0eXBlCnAxMQooVmY4CnAxMgpJMDAKSTAxCnRwMTMKUnAxNAooSTMKVjwKcDE1Ck5OTkktMQpJLTEKSTAKdHAxNgpiSTAwCmczCihWXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAw+D9cdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDDAXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAw+H9cdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDBcdTAwMDDwfwpwMTcKZzUKdHAxOApScDE5CnRwMjAKYi4=",
  np_dtype_f8_p4:
    "gASVNwAAAAAAAACMBW51bXB5lIwFZHR5cGWUk5SMAmY4lImIh5RSlChLA4wBPJROTk5K/////0r/////SwB0lGIu",
  np_dtypes_p2:
    "gAJdcQAoY251bXB5CmR0eXBlCnEBWAIAAABPOHECiYiHcQNScQQoSwNYAQAAAHxxBU5OTkr/////Sv////9LP3RxBmJoAVgDAAAAVTEycQeJiIdxCFJxCShLA1gBAAAAPHEKTk5OSzBLBEsIdHELYmgBWAIAAABTNHEMiYiHcQ1ScQ4oSwNoBU5OTksESwFLAHRxD2JoAVgCAAAAaThxEImIh3ERUnESKEsDaApOTk5K/////0r/////SwB0cRNiaAFYAgAAAGIxcRSJiIdxFVJxFihLA2gFTk5OSv////9K/////0sAdHEXYmgBWAIAAABmNHEYiYiHcRlScRooSwNYAQAAAD5xG05OTkr/////Sv////9LAHRxHGJoAVgCAAAATThxHYmIh3EeUnEfKEsEaApOTk5K/////0r/////SwB9cSAoY19jb2RlY3MKZW5jb2RlCnEhWAIAAABuc3EiWAYAAABsYXRpbjFxI4ZxJFJxJUsBSwFLAXRxJoZxJ3RxKGJoAVgCAAAAbThxKYmIh3EqUnErKEsEaApOTk5K/////0r/////SwB9cSwoaCFYAQAAAHNxLWgjhnEuUnEvSwVLAUsBdHEwhnExdHEyYmgBWAIAAABWOHEziYiHcTRScTUoSwNoBU5OTksISwFLAHRxNmJoAVgCAAAAVjZxN4mIh3E4UnE5KEsDaAVOWAEAAABhcTpYAQAAAGJxO4ZxPH1xPShoOmgBWAIAAABpNHE+iYiHcT9ScUAoSwNoCk5OTkr/////Sv////9LAHRxQWJLAIZxQmg7aAFYAgAAAFMycUOJiIdxRFJxRShLA2gFTk5OSwJLAUsAdHFGYksEhnFHdUsGSwFLEHRxSGJlLg==",
  np_scalars_p2:
    "gAJdcQAoY251bXB5LmNvcmUubXVsdGlhcnJheQpzY2FsYXIKcQFjbnVtcHkKZHR5cGUKcQJYAgAAAGY4cQOJiIdxBFJxBShLA1gBAAAAPHEGTk5OSv////9K/////0sAdHEHYmNfY29kZWNzCmVuY29kZQpxCFgJAAAAAAAAAAAAw7g/cQlYBgAAAGxhdGluMXEKhnELUnEMhnENUnEOaAFoAlgCAAAAaThxD4mIh3EQUnERKEsDaAZOTk5K/////0r/////SwB0cRJiaAhYCAAAAAAAAAAAAAAQcRNoCoZxFFJxFYZxFlJxF2gBaAJYAgAAAGk0cRiJiIdxGVJxGihLA2gGTk5OSv////9K/////0sAdHEbYmgIWAgAAADDucO/w7/Dv3EcaAqGcR1ScR6GcR9ScSBoAWgCWAIAAABiMXEhiYiHcSJScSMoSwNYAQAAAHxxJE5OTkr/////Sv////9LAHRxJWJoCFgBAAAAAXEmaAqGcSdScSiGcSlScSpoAWgCWAIAAABVMnEriYiHcSxScS0oSwNoBk5OTksISwRLCHRxLmJoCFgJAAAAaAAAAMOpAAAAcS9oCoZxMFJxMYZxMlJxM2Uu",
  np_scalars_p0:
    "KGxwMApjbnVtcHkuY29yZS5tdWx0aWFycmF5CnNjYWxhcgpwMQooY251bXB5CmR0eXBlCnAyCihWZjgKcDMKSTAwCkkwMQp0cDQKUnA1CihJMwpWPApwNgpOTk5JLTEKSS0xCkkwCnRwNwpiY19jb2RlY3MKZW5jb2RlCnA4CihWXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAwXHUwMDAw0L8KcDkKVmxhdGluMQpwMTAKdHAxMQpScDEyCnRwMTMKUnAxNAphZzEKKGcyCihWdTEKcDE1CkkwMApJMDEKdHAxNgpScDE3CihJMwpWfApwMTgKTk5OSS0xCkktMQpJMAp0cDE5CmJnOAooVsgKcDIwCmcxMAp0cDIxClJwMjIKdHAyMwpScDI0CmEu",
  np_scalars_p4:
    "gASVngAAAAAAAABdlCiMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMBnNjYWxhcpSTlIwFbnVtcHmUjAVkdHlwZZSTlIwCZjSUiYiHlFKUKEsDjAE8lE5OTkr/////Sv////9LAHSUYkMEAAAAP5SGlFKUaANoBowCaTiUiYiHlFKUKEsDaApOTk5K/////0r/////SwB0lGJDCAAAAAAAAADAlIaUUpRlLg==",
  real_block2_head_p5:
    "gAWVJwEAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwRLAoaUaAOMBWR0eXBllJOUjAJPOJSJiIeUUpQoSwOMAXyUTk5OSv////9K/////0s/dJRiiF2UKIwTMjEvMDIvMjAxOCAxMDoxNTowNpSMFERET1MgYXR0YWNrLUxPSUMtVURQlIwTMjgvMDIvMjAxOCAwODo0OToxOJSMBkJlbmlnbpSMEzAxLzAzLzIwMTggMDg6NDE6NTKUjAZCZW5pZ26UjBMxNi8wMi8yMDE4IDEwOjEyOjI3lIwYRG9TIGF0dGFja3MtU2xvd0hUVFBUZXN0lGV0lGIu",
  evil_os_system_p0: "Y3Bvc2l4CnN5c3RlbQpwMAooVmVjaG8gcHduZWQKcDEKdHAyClJwMwou",
  evil_os_system_p4: "gASVJQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAplY2hvIHB3bmVklIWUUpQu",
  evil_eval_p0:
    "Y19fYnVpbHRpbl9fCmV2YWwKcDAKKFZfX2ltcG9ydF9fKCdvcycpLnN5c3RlbSgnZWNobyBwd25lZCcpCnAxCnRwMgpScDMKLg==",
  evil_eval_p4:
    "gASVQQAAAAAAAACMCGJ1aWx0aW5zlIwEZXZhbJSTlIwlX19pbXBvcnRfXygnb3MnKS5zeXN0ZW0oJ2VjaG8gcHduZWQnKZSFlFKULg==",
  evil_nested_in_ndarray_p5:
    "gAWVrAAAAAAAAACMFW51bXB5LmNvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwGFlGgDjAVkdHlwZZSTlIwCTziUiYiHlFKUKEsDjAF8lE5OTkr/////Sv////9LP3SUYoldlIwFcG9zaXiUjAZzeXN0ZW2Uk5SMCmVjaG8gcHduZWSUhZRSlGF0lGIu",
};
// END GENERATED FIXTURES
