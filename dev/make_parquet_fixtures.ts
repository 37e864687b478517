/**
 * Writes tests/fixtures/parquet/: flows as Parquet files in every codec mlids reads (uncompressed,
 * snappy, gzip, zstd, brotli, lz4_raw) and in each column dialect (ML-IDS snake_case, the
 * CICFlowMeter-V3 headers of CSE-CIC-IDS2018, the Python cicflowmeter's names), written by the npm
 * Parquet writer `hyparquet-writer` under Deno (Debian has no Parquet writer for pandas).
 *
 *   deno run --allow-read --allow-write --allow-run dev/make_parquet_fixtures.ts
 *
 * The flows are the first 150 rows of dev/demo_data/ml-ids-demo.h5 as Debian's pandas reads them
 * (`pd.read_hdf`, run by this script with /usr/bin/python3): flows.expected.json, in
 * make_fixtures.py's format, is both the source of the files and what the tests expect back.
 * Row groups of 64 rows: three groups, the last one partial. Also `bench`: the same writer makes
 * the benchmark's Parquet copy of a large HDF5 file (see `writeFlowsParquet`).
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync, zstdCompressSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { CompressionCodec, SchemaElement } from "hyparquet";
import lz4 from "lz4js";
import { PYTHON_CICFLOWMETER_NAMES, V3_HEADERS } from "../lib/dataset/_column_names.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "tests", "fixtures", "parquet");
const ROWS = 150;

/** Compressors for hyparquet-writer beyond its own snappy: node:zlib's, and lz4js' block format. */
const COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)),
  BROTLI: (input: Uint8Array) =>
    new Uint8Array(
      brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
    ),
  ZSTD: (input: Uint8Array) => new Uint8Array(zstdCompressSync(input)),
  LZ4_RAW: (input: Uint8Array) => {
    const out = new Uint8Array(lz4.compressBound(input.length));
    const size = lz4.compressBlock(input, out, 0, input.length, new Uint32Array(1 << 16));
    return size > 0 ? out.slice(0, size) : lz4Literals(input);
  },
};

/** An LZ4 block of literals only, for inputs too short for lz4js to compress (it returns 0). */
function lz4Literals(input: Uint8Array): Uint8Array {
  const lengthBytes: number[] = [];
  let rest = input.length - 15;
  if (rest >= 0) {
    while (rest >= 255) {
      lengthBytes.push(255);
      rest -= 255;
    }
    lengthBytes.push(rest);
  }
  const token = Math.min(input.length, 15) << 4;
  return new Uint8Array([token, ...lengthBytes, ...input]);
}

/** A frame as make_fixtures.py writes it: columns, dtypes, index and row-major data. */
export interface ExpectedFrame {
  columns: string[];
  dtypes: Record<string, string>;
  index: number[];
  /** Cells; integers beyond 2^53 as their digits (see `parseFrame`). */
  data: (number | string | null)[][];
}

/** The Parquet schema element of a column of pandas dtype `dtype`. */
export function schemaElement(name: string, dtype: string): SchemaElement {
  const integer = /^(u?)int(8|16|32|64)$/.exec(dtype);
  if (integer) {
    const bits = Number(integer[2]);
    const signed = integer[1] === "";
    return {
      name,
      type: bits === 64 ? "INT64" : "INT32",
      repetition_type: "REQUIRED",
      logical_type: { type: "INTEGER", bitWidth: bits, isSigned: signed },
      converted_type: `${signed ? "" : "U"}INT_${bits}` as SchemaElement["converted_type"],
    };
  }
  if (dtype === "float32") return { name, type: "FLOAT", repetition_type: "REQUIRED" };
  if (dtype === "float64") return { name, type: "DOUBLE", repetition_type: "REQUIRED" };
  return { name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" };
}

/** The values of one column for the writer: numbers, bigints for 64-bit integers, or strings. */
function columnValues(values: readonly unknown[], dtype: string): unknown[] {
  if (/^u?int64$/.test(dtype)) return values.map((v) => BigInt(v as number | string));
  if (/^(u?int|float)/.test(dtype)) {
    return values.map((v) =>
      v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : Number(v)
    );
  }
  return values.map((v) => (v === null ? null : String(v)));
}

/** Parquet bytes of `frame` (its columns renamed by `names`), compressed with `codec`. */
export function flowsParquet(
  frame: ExpectedFrame,
  options: { codec: CompressionCodec; names?: readonly string[]; rowGroupSize?: number },
): Uint8Array {
  const names = options.names ?? frame.columns;
  const schema: SchemaElement[] = [
    { name: "schema", num_children: names.length },
    ...frame.columns.map((column, c) => schemaElement(names[c], frame.dtypes[column])),
  ];
  const columnData = frame.columns.map((column, c) => ({
    name: names[c],
    data: columnValues(frame.data.map((row) => row[c]), frame.dtypes[column]),
  }));
  const buffer = parquetWriteBuffer({
    columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]["columnData"],
    schema,
    codec: options.codec,
    compressors: COMPRESSORS,
    rowGroupSize: options.rowGroupSize ?? 64,
  });
  return new Uint8Array(buffer);
}

/**
 * Writes every flow of the dataset at `source` (any format mlids reads) to `target` as Parquet
 * (snappy, row groups of `rowGroupSize`): the benchmark's Parquet copy of its HDF5 file. Columns
 * are gathered whole in typed arrays, so memory is about the size of the uncompressed data.
 */
export async function writeFlowsParquet(
  source: string,
  target: string,
  options: { rowGroupSize?: number } = {},
): Promise<void> {
  const { openDataset } = await import("../lib/dataset/mod.ts");
  const dataset = await openDataset(source, { cacheDir: await Deno.makeTempDir() });
  try {
    const { columns, rows } = dataset.info;
    const data = columns.map(() => [] as ArrayLike<unknown>[]);
    for await (const batch of dataset.scan({ batchRows: 65536 })) {
      batch.frame.columns.forEach((column, c) => data[c].push(column.values));
    }
    const joined = columns.map((_column, c) => {
      const parts = data[c];
      const first = parts[0];
      if (ArrayBuffer.isView(first)) {
        const Typed = first.constructor as new (
          n: number,
        ) => { set(a: ArrayLike<unknown>, at: number): void };
        const out = new Typed(rows);
        let at = 0;
        for (const part of parts) {
          out.set(part, at);
          at += part.length;
        }
        // The writer's INT32 and INT64 take signed values: unsigned ones are reinterpreted.
        if (out instanceof Uint32Array) return new Int32Array(out.buffer);
        if (out instanceof Uint16Array || out instanceof Uint8Array) return Int32Array.from(out);
        if (out instanceof BigUint64Array) return new BigInt64Array(out.buffer);
        return out;
      }
      return parts.flatMap((part) => Array.from(part));
    });
    const schema: SchemaElement[] = [
      { name: "schema", num_children: columns.length },
      ...columns.map((column) => schemaElement(column.name, column.dtype)),
    ];
    const buffer = parquetWriteBuffer({
      columnData: columns.map((column, c) => ({
        name: column.name,
        data: joined[c],
      })) as Parameters<
        typeof parquetWriteBuffer
      >[0]["columnData"],
      schema,
      codec: "SNAPPY",
      rowGroupSize: options.rowGroupSize ?? 100_000,
    });
    await Deno.writeFile(target, new Uint8Array(buffer));
  } finally {
    dataset.close();
  }
}

/** What `pd.read_hdf` returns for the first `rows` rows of an HDF5 file, as an ExpectedFrame. */
export async function pandasFrame(path: string, rows: number): Promise<ExpectedFrame> {
  const script = [
    "import json, sys",
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, "dev"))})`,
    "import pandas as pd",
    "from make_fixtures import cell",
    // A Parquet file holds no pandas index here: pandas reads it with a RangeIndex.
    `df = pd.read_hdf(${JSON.stringify(path)}).iloc[:${rows}].reset_index(drop=True)`,
    "out = {'columns': [str(c) for c in df.columns],",
    "       'dtypes': {str(c): str(t) for c, t in df.dtypes.items()},",
    "       'index': [int(i) for i in df.index],",
    "       'data': [[cell(v) for v in row] for row in df.itertuples(index=False, name=None)]}",
    "json.dump(out, sys.stdout, separators=(',', ':'), ensure_ascii=False)",
  ].join("\n");
  const run = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (run.code !== 0) throw new Error("pandas could not read the source frame");
  return parseFrame(new TextDecoder().decode(run.stdout));
}

/** An ExpectedFrame from its JSON text, integers beyond 2^53 kept exact (as their digits). */
export function parseFrame(text: string): ExpectedFrame {
  return JSON.parse(
    text,
    (_key, value, context?: { source?: string }) =>
      typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)
        ? context?.source ?? value
        : value,
  );
}

/** The column names of `frame` in a CSV dialect: ML-IDS' own, CICFlowMeter-V3's or Python's. */
export function dialectNames(
  frame: ExpectedFrame,
  dialect: "snake" | "v3" | "python",
): string[] {
  if (dialect === "snake") return frame.columns;
  const table = dialect === "v3" ? V3_HEADERS : PYTHON_CICFLOWMETER_NAMES;
  // Columns in ML-IDS order: the 79 features, then the label.
  return frame.columns.map((column, c) =>
    column === "label" ? (dialect === "v3" ? "Label" : "label") : table[c]
  );
}

if (import.meta.main) {
  const frame = await pandasFrame(join(ROOT, "dev", "demo_data", "ml-ids-demo.h5"), ROWS);
  await Deno.mkdir(OUT, { recursive: true });
  for (const entry of Deno.readDirSync(OUT)) await Deno.remove(join(OUT, entry.name));
  // Integers beyond 2^53 were kept as their digits: write them back as JSON numbers.
  const json = JSON.stringify(
    frame,
    (_key, value) =>
      typeof value === "string" && /^-?\d{16,}$/.test(value)
        ? (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(value)
        : value,
  );
  await Deno.writeTextFile(join(OUT, "flows.expected.json"), json + "\n");
  const files: [string, CompressionCodec, "snake" | "v3" | "python"][] = [
    ["flows_uncompressed.parquet", "UNCOMPRESSED", "snake"],
    ["flows_snappy.parquet", "SNAPPY", "snake"],
    ["flows_gzip.parquet", "GZIP", "snake"],
    ["flows_zstd.parquet", "ZSTD", "snake"],
    ["flows_brotli.parquet", "BROTLI", "snake"],
    ["flows_lz4_raw.parquet", "LZ4_RAW", "snake"],
    ["flows_v3_snappy.parquet", "SNAPPY", "v3"],
    ["flows_python_zstd.parquet", "ZSTD", "python"],
  ];
  for (const [name, codec, dialect] of files) {
    const bytes = flowsParquet(frame, { codec, names: dialectNames(frame, dialect) });
    await Deno.writeFile(join(OUT, name), bytes);
    console.log(`${name}: ${bytes.length} bytes`);
  }
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", join(OUT, "flows.expected.json")],
  }).output();
}
