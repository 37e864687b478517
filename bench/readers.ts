/**
 * Bench rows that back mlids' hand-written readers with numbers, each beside what a library does
 * with the same bytes (issue 14): the native HDF5 chunk reader beside h5wasm alone, the CSV reader
 * beside csv-parse, the pickle reader beside pickleparser on the pickles pandas writes into HDF5
 * attributes and fixed-format object arrays, the blosc decoder beside c-blosc compiled to wasm
 * (numcodecs, kept for this comparison only). Run with `deno task bench --only readers`.
 * @module
 */

import { createReadStream } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse";
import { Parser as PickleParser } from "pickleparser";
import Blosc from "numcodecs/blosc";
import { openFlowCsv } from "../lib/dataset/csv/cicflowmeter.ts";
import { decodeBlosc } from "../lib/dataset/hdf5/_blosc.ts";
import { readChunkIndex } from "../lib/dataset/hdf5/chunks.ts";
import { openHdf5File, TypeClass } from "../lib/dataset/hdf5/file.ts";
import { openPandasHdf } from "../lib/dataset/pandas/hdf.ts";
import { loadPickle } from "../lib/dataset/pandas/pickle.ts";
import { selectFlows } from "../lib/dataset/selection.ts";

/** One row of the bench table, as bench.ts records it. */
export interface ReaderRow {
  what: string;
  ours: number;
  baseline: number;
  baselineName: string;
  unit: "s" | "ms";
  /** How much slower than the library the reader may be, when not at all would be wrong. */
  slack?: { ratio: number; why: string };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Seconds `run` takes, the median of `times` runs. */
async function seconds(run: () => Promise<unknown> | unknown, times = 3): Promise<number> {
  const taken: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    taken.push((performance.now() - started) / 1000);
  }
  return median(taken);
}

/** Reads the whole file once, so the first measured side does not pay for the page cache. */
async function warm(path: string): Promise<void> {
  const file = await Deno.open(path);
  try {
    const buffer = new Uint8Array(1 << 20);
    while ((await file.read(buffer)) !== null);
  } finally {
    file.close();
  }
}

/** The native chunk reader beside h5wasm alone: a cold open with the label scan, then a sample. */
export async function benchHdf5Readers(file: string): Promise<ReaderRow[]> {
  await warm(file);
  const openAndIndex = (chunkReader: boolean) => async () => {
    const dataset = await openPandasHdf(file, { chunkReader });
    try {
      await dataset.labelIndex();
    } finally {
      dataset.close();
    }
  };
  const native = await seconds(openAndIndex(true), 1);
  const h5wasm = await seconds(openAndIndex(false), 1);
  const sample = (chunkReader: boolean) => async () => {
    const dataset = await openPandasHdf(file, { chunkReader });
    try {
      const labels = await dataset.labelIndex();
      const pick = selectFlows({ rows: dataset.info.rows, labels }, {
        category: "DoS attacks-Hulk",
        count: 1000,
        seed: 1,
      });
      const started = performance.now();
      await dataset.readRows(pick.rows);
      return (performance.now() - started) / 1000;
    } finally {
      dataset.close();
    }
  };
  return [
    {
      what: "HDF5 open + label index, native chunk reader beside h5wasm alone",
      ours: native,
      baseline: h5wasm,
      baselineName: "h5wasm",
      unit: "s",
    },
    {
      what: "HDF5 1000 'DoS attacks-Hulk' rows read, native beside h5wasm alone",
      ours: await sample(true)(),
      baseline: await sample(false)(),
      baselineName: "h5wasm",
      unit: "s",
    },
  ];
}

/** Every blosc frame of a pandas table's chunks, read into memory, and the bytes each holds. */
async function tableFrames(file: string): Promise<{ frames: Uint8Array[]; expected: number }> {
  const index = await readChunkIndex(file, "ids_data/table");
  if (index === null) throw new Error(`${file}: no chunked table`);
  const bytes = await Deno.readFile(file);
  const frames = index.chunks.filter((chunk) => chunk.filterMask === 0)
    .map((chunk) => bytes.subarray(chunk.address, chunk.address + chunk.size));
  return { frames, expected: index.chunkShape[0] * index.elementSize };
}

/**
 * The blosc decoder (every stream checked, in TypeScript) beside c-blosc itself compiled to wasm
 * (numcodecs, which mlids left because its binding drops c-blosc's error code), on every frame of
 * a table written with each codec, in one process.
 */
export async function benchBloscReaders(
  files: readonly { complib: string; file: string }[],
): Promise<ReaderRow[]> {
  const cBlosc = Blosc.fromConfig({ id: "blosc" }) as unknown as {
    decode(data: Uint8Array): Promise<Uint8Array>;
  };
  const rows: ReaderRow[] = [];
  for (const { complib, file } of files) {
    const { frames, expected } = await tableFrames(file);
    await cBlosc.decode(frames[0]); // compiles the wasm before it is timed
    // Turn about, so that both sides meet the same moments of a busy machine.
    const ours: number[] = [];
    const wasm: number[] = [];
    for (let round = 0; round < 5; round++) {
      ours.push(
        await seconds(() => {
          for (const frame of frames) decodeBlosc(frame, expected);
        }, 1),
      );
      wasm.push(
        await seconds(async () => {
          for (const frame of frames) await cBlosc.decode(frame);
        }, 1),
      );
    }
    rows.push({
      what: `HDF5 ${complib} table: its ${frames.length} blosc frames decoded, checked`,
      ours: median(ours),
      baseline: median(wasm),
      baselineName: "c-blosc in wasm, numcodecs",
      unit: "s",
      slack: { ratio: 1.2, why: "the library drops c-blosc's errors" },
    });
  }
  return rows;
}

/**
 * The CSV reader's first open (every record tokenized, every value checked and typed, the labels
 * indexed) beside csv-parse doing the least of that work: every record parsed into strings, every
 * feature converted with Number(), the labels indexed.
 */
export async function benchCsvReaders(file: string): Promise<ReaderRow[]> {
  await warm(file);
  const ours = await seconds(async () => {
    const dataset = await openFlowCsv(file);
    try {
      await dataset.labelIndex();
    } finally {
      dataset.close();
    }
  }, 1);
  const library = await seconds(async () => {
    const labels = new Map<string, number[]>();
    let labelAt = -1;
    let row = 0;
    let checksum = 0;
    const parser = createReadStream(file).pipe(parseCsv({ relax_quotes: false }));
    for await (const record of parser as AsyncIterable<string[]>) {
      if (labelAt < 0) {
        labelAt = record.indexOf("label");
        continue;
      }
      for (let j = 0; j < record.length; j++) {
        if (j !== labelAt) checksum += Number(record[j]) === 0 ? 0 : 1;
      }
      const label = record[labelAt];
      let rows = labels.get(label);
      if (rows === undefined) labels.set(label, rows = []);
      rows.push(row++);
    }
    if (checksum < 0) throw new Error("unreachable");
  }, 1);
  return [{
    what: "CSV first open (parse, check every value, index labels) beside csv-parse + Number()",
    ours,
    baseline: library,
    baselineName: "csv-parse",
    unit: "s",
  }];
}

/** Whether `bytes` are a whole pickle (PyTables writes attributes with protocol 0: `(lp0` ... `.`). */
function isPickle(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[bytes.length - 1] !== 0x2e) return false;
  try {
    loadPickle(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Every attribute of `path` (and its children) that holds a pickle. */
function attributePickles(
  file: Awaited<ReturnType<typeof openHdf5File>>,
  path: string,
): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const name of file.attributeNames(path)) {
    const bytes = file.attributeBytes(path, name);
    if (bytes !== null && isPickle(bytes)) found.push(bytes.slice());
  }
  if (file.kind(path) === "group") {
    for (const child of file.children(path)) {
      found.push(...attributePickles(file, `${path === "/" ? "" : path}/${child}`));
    }
  }
  return found;
}

/**
 * The pickle reader beside pickleparser: the attribute pickles of a pandas table (small, read at
 * every open), and the object-array pickles of a fixed-format frame (its strings).
 */
export async function benchPickleReaders(table: string, fixed: string): Promise<ReaderRow[]> {
  const rows: ReaderRow[] = [];
  const library = new PickleParser();
  for (const [what, path] of [["table attributes", table], ["fixed-format frame", fixed]]) {
    const file = await openHdf5File(path);
    let pickles: Uint8Array[];
    try {
      pickles = attributePickles(file, "/");
    } finally {
      file.close();
    }
    if (what === "fixed-format frame") pickles.push(...await objectArrayPickles(path));
    if (pickles.length === 0) throw new Error(`no pickles found in ${path}`);
    const bytes = pickles.reduce((sum, pickle) => sum + pickle.length, 0);
    // Enough rounds for some tens of milliseconds a side.
    const rounds = Math.max(5, Math.ceil(20_000_000 / bytes));
    const ours = await seconds(() => {
      for (let r = 0; r < rounds; r++) for (const pickle of pickles) loadPickle(pickle);
    });
    const theirs = await seconds(() => {
      for (let r = 0; r < rounds; r++) for (const pickle of pickles) library.parse(pickle);
    });
    rows.push({
      what: `pickles of a ${what} (${pickles.length}, ${bytes} B) x ${rounds}, beside pickleparser`,
      ours: ours * 1000,
      baseline: theirs * 1000,
      baselineName: "pickleparser",
      unit: "ms",
    });
  }
  return rows;
}

/** The pickled object arrays (vlen bytes) of a fixed-format frame's blocks. */
async function objectArrayPickles(path: string): Promise<Uint8Array[]> {
  const file = await openHdf5File(path);
  const found: Uint8Array[] = [];
  try {
    const visit = (group: string): void => {
      for (const child of file.children(group)) {
        const at = `${group === "/" ? "" : group}/${child}`;
        if (file.kind(at) === "group") visit(at);
        else if (file.kind(at) === "dataset") {
          const info = file.dataset(at);
          if (info.type.typeClass !== TypeClass.vlen || info.shape?.length !== 1) continue;
          // A fixed-format object block is one vlen row: the pickled numpy object array.
          for (const value of file.readVlenRows(info, 0, info.shape[0])) {
            if (isPickle(value)) found.push(value.slice());
          }
        }
      }
    };
    visit("/");
  } finally {
    file.close();
  }
  return found;
}

/** A `rows`-row CSV and fixed-format copy of `h5`, made once with pandas beside it. */
export async function readerInputs(
  h5: string,
  rows: number,
  python: string,
): Promise<{ csv: string; fixed: string }> {
  const dir = join(h5, "..");
  const csv = join(dir, `ids-${rows}.readers.csv`);
  const fixed = join(dir, `ids-${rows}.fixed.h5`);
  for (
    const [target, write] of [[csv, "to_csv(out, index=False)"], [
      fixed,
      'to_hdf(out, key="ids_data", format="fixed")',
    ]]
  ) {
    try {
      await Deno.stat(target);
      continue;
    } catch {
      // Not made yet.
    }
    const temp = `${target}.part`;
    const script = `import sys, pandas as pd; out = sys.argv[2]; ` +
      `pd.read_hdf(sys.argv[1]).head(${rows}).${write}`;
    const out = await new Deno.Command(python, { args: ["-c", script, h5, temp] }).output();
    if (out.code !== 0) throw new Error(`pandas could not write ${target}`);
    await Deno.rename(temp, target);
  }
  return { csv, fixed };
}
