/**
 * `deno task bench`: mlids' speed and memory beside the original Python clients', measured in one
 * run on this machine (absolute figures drift between machines; the ratios are what we track).
 *
 *   deno task bench [--only dataset,csv,formats,predict,consume,replay,evaluate,readers] [--rows 1620000] [--flows 100000] [--messages 5000]
 *
 * `--only` runs those sections alone; `csv` reads the same rows as a CSV beside pandas' read_csv;
 * `formats` compares the compressors and Parquet (issue 11);
 * `replay` the replay sender and the per-flow senders (issue 13); `evaluate` a whole-dataset
 * evaluation, its memory and its resume (issue 12); `readers` the hand-written readers beside
 * libraries doing the same (issue 14: h5wasm, csv-parse, pickleparser; c-blosc in wasm).
 *
 * Needs Debian's python3-pandas, python3-tables, python3-requests and python3-boto3 for the
 * baselines in ../shared/bench, and talks to loopback only.
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { mlidsArgs, mlidsEnv } from "../dev/run_mlids.ts";
import { createIdsTopology, queueCounts, startEmulator } from "../dev/emulator.ts";
import { startStandinApi } from "../dev/standin_api.ts";
import { startPythonStandin } from "../dev/python_standin.ts";
import type { ReplaySummary } from "../lib/replay/mod.ts";
import { type PredictionNotice, publishPredictions } from "../dev/publish_notifications.ts";
import { openDataset, selectFlows } from "../lib/dataset/mod.ts";
import { cellAt } from "../lib/frame/mod.ts";
import {
  benchBloscReaders,
  benchCsvReaders,
  benchHdf5Readers,
  benchPickleReaders,
  readerInputs,
} from "./readers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SHARED_BENCH = join(ROOT, "..", "shared", "bench");
const PYTHON = "/usr/bin/python3";

interface Row {
  section: string;
  what: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean | null;
}

interface Measured {
  seconds: number;
  peakMb: number;
  code: number;
  stderr: string;
  stdout: string;
}

const rows: Row[] = [];
/** Runs per side of the predict measurements; the median counts. */
const RUNS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function log(line: string): void {
  console.error(`[bench] ${line}`);
}

function flag(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
}

async function measure(
  command: string[],
  options: { env?: Record<string, string>; keepStdout?: boolean } = {},
): Promise<Measured> {
  const stdoutFile = options.keepStdout ? await Deno.makeTempFile({ prefix: "mlids-bench-" }) : "";
  const args = [join(ROOT, "bench", "measure.py")];
  if (stdoutFile) args.push("--stdout", stdoutFile);
  args.push("--", ...command);
  const { stdout } = await new Deno.Command(PYTHON, {
    args,
    env: await mlidsEnv(options.env),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const result = JSON.parse(new TextDecoder().decode(stdout));
  const text = stdoutFile ? await Deno.readTextFile(stdoutFile) : "";
  if (stdoutFile) await Deno.remove(stdoutFile);
  return {
    seconds: result.seconds,
    peakMb: result.peak_kb / 1024,
    code: result.code,
    stderr: result.stderr,
    stdout: text,
  };
}

function mlids(args: string[]): string[] {
  return [Deno.execPath(), ...mlidsArgs(args)];
}

async function python(args: string[]): Promise<Record<string, number>> {
  const out = await new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  if (out.code !== 0) {
    throw new Error(`${args[0]} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  return JSON.parse(text);
}

function fmt(value: number, unit: string, digits = 2): string {
  return `${value.toFixed(digits)} ${unit}`;
}

function record(row: Row): void {
  rows.push(row);
  log(`${row.section}: ${row.what}: ours ${row.ours}, baseline ${row.baseline} (${row.ratio})`);
}

/** A row of two times in seconds, met when ours is at most `atMost` times the baseline's (and `also`). */
function recordSeconds(
  section: string,
  what: string,
  times: { ours: number; baseline: number; atMost: number; also?: boolean },
): void {
  const { ours, baseline, atMost } = times;
  record({
    section,
    what,
    ours: fmt(ours, "s"),
    baseline: fmt(baseline, "s"),
    ratio: `${(ours / baseline).toFixed(3)}x`,
    target: `<= ${atMost}x`,
    met: ours <= atMost * baseline && times.also !== false,
  });
}

async function checkPython(): Promise<void> {
  const probe = await new Deno.Command(PYTHON, {
    args: ["-c", "import pandas, tables, requests, boto3"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ code: 1 }));
  if (probe.code !== 0) {
    console.error(
      "error: the baselines need Debian's python3-pandas, python3-tables, python3-requests and python3-boto3: " +
        "apt-get install -y python3-pandas python3-tables python3-requests python3-boto3",
    );
    Deno.exit(1);
  }
}

/** A pandas complib as the tables show it: plain "blosc" is blosc with its blosclz codec. */
function complibLabel(complib: string): string {
  return complib === "blosc" ? "blosc (blosclz)" : complib;
}

async function ensureDataset(count: number, complib = "zlib"): Promise<string> {
  const dir = join(ROOT, "bench", "data");
  await Deno.mkdir(dir, { recursive: true });
  const suffix = complib === "zlib" ? "" : `-${complib.replace(":", "-")}`;
  const file = join(dir, `ids-${count}${suffix}.h5`);
  try {
    await Deno.stat(file);
    return file;
  } catch {
    // Not made yet.
  }
  log(
    `writing a ${count}-row ${complib} dataset with make_dataset.py (about ${
      Math.ceil(count / 80000)
    } s)`,
  );
  const temp = `${file}.part`;
  const out = await new Deno.Command(PYTHON, {
    args: [
      join(SHARED_BENCH, "make_dataset.py"),
      ...["--rows", String(count), "--complib", complib, "--out", temp],
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error("make_dataset.py failed");
  await Deno.rename(temp, file);
  return file;
}

async function benchDataset(file: string): Promise<void> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-bench-cache-" });
  const env = { XDG_CACHE_HOME: cache, NO_COLOR: "1" };
  try {
    await measure(mlids(["--version"])); // warm Deno's module cache
    const pandas = await measure([PYTHON, join(SHARED_BENCH, "pandas_baseline.py"), "load", file]);
    const first = await measure(mlids(["dataset", "info", file, "--json"]), { env });
    if (first.code !== 0) throw new Error(`dataset info failed: ${first.stderr}`);
    const cached = await measure(mlids(["dataset", "info", file, "--json"]), { env });
    const sample = await measure(
      mlids([
        "dataset",
        "sample",
        file,
        "--category",
        "DoS attacks-Hulk",
        "--count",
        "1000",
        "--seed",
        "1",
      ]),
      { env, keepStdout: true },
    );
    const pandasSample = await measure([
      PYTHON,
      join(SHARED_BENCH, "pandas_baseline.py"),
      "sample",
      file,
      "DoS attacks-Hulk",
      "1000",
    ]);
    const sent = JSON.parse(sample.stdout).data.length;
    recordSeconds("dataset", "first open (no index cache): wall", {
      ours: first.seconds,
      baseline: pandas.seconds,
      atMost: 0.5,
    });
    record({
      section: "dataset",
      what: "first open: peak memory",
      ours: fmt(first.peakMb, "MB", 0),
      baseline: fmt(pandas.peakMb, "MB", 0),
      ratio: `${(first.peakMb / pandas.peakMb).toFixed(3)}x`,
      target: "<= 0.15x",
      met: first.peakMb <= 0.15 * pandas.peakMb,
    });
    record({
      section: "dataset",
      what: "cached open: wall",
      ours: fmt(cached.seconds, "s"),
      baseline: fmt(pandas.seconds, "s"),
      ratio: `${(cached.seconds / pandas.seconds).toFixed(3)}x`,
      target: "<= 0.05x",
      met: cached.seconds <= 0.05 * pandas.seconds,
    });
    record({
      section: "dataset",
      what: `sample 1000 'DoS attacks-Hulk' (warm cache, ${sent} flows)`,
      ours: fmt(sample.seconds, "s"),
      baseline: fmt(pandasSample.seconds, "s"),
      ratio: `${(sample.seconds / pandasSample.seconds).toFixed(3)}x`,
      target: "< 0.5 s",
      met: sample.seconds < 0.5 && sent === 1000,
    });
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** A copy of `file` made once by `make` into bench/data under `name` (skipped when it exists). */
async function derived(
  name: string,
  make: (temp: string) => Promise<void>,
): Promise<string> {
  const file = join(ROOT, "bench", "data", name);
  try {
    await Deno.stat(file);
    return file;
  } catch {
    // Not made yet.
  }
  const temp = `${file}.part`;
  await make(temp);
  await Deno.rename(temp, file);
  return file;
}

/**
 * The same rows as a CSV: the first open (one pass: values checked, dtypes settled, labels
 * indexed) beside pandas' `read_csv(float_precision="round_trip")`, a category sample, and a
 * whole-dataset export, which streams: its peak memory is the CSV memory target.
 */
async function benchCsv(file: string): Promise<void> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-bench-cache-" });
  const env = { XDG_CACHE_HOME: cache, NO_COLOR: "1" };
  try {
    await measure(mlids(["--version"])); // warm Deno's module cache
    const readCsv = "import sys, pandas as pd; " +
      'df = pd.read_csv(sys.argv[1], float_precision="round_trip")';
    const pandas = await measure([PYTHON, "-c", readCsv, file]);
    const pandasSample = await measure([
      PYTHON,
      "-c",
      `${readCsv}; df[df["label"] == "DoS attacks-Hulk"].sample(1000, random_state=1)`,
      file,
    ]);
    const first = await measure(mlids(["dataset", "info", file, "--output", "json"]), { env });
    if (first.code !== 0) throw new Error(`dataset info failed: ${first.stderr}`);
    const sample = await measure(
      mlids(["dataset", "sample", file, "--category", "DoS attacks-Hulk", "--count", "1000"]),
      { env, keepStdout: true },
    );
    const sent = JSON.parse(sample.stdout).data.length;
    const all = await measure(
      mlids(["dataset", "sample", file, "--count", "all", "--output", "jsonl"]),
      { env },
    );
    if (all.code !== 0) throw new Error(`dataset sample --count all failed: ${all.stderr}`);
    const ratio = (ours: number, theirs: number): string => `${(ours / theirs).toFixed(3)}x`;
    record({
      section: "csv",
      what: "first open (read, check, index): wall",
      ours: fmt(first.seconds, "s"),
      baseline: fmt(pandas.seconds, "s"),
      ratio: ratio(first.seconds, pandas.seconds),
      target: "<= 1x",
      met: first.seconds <= pandas.seconds,
    });
    record({
      section: "csv",
      what: "first open: peak memory",
      ours: fmt(first.peakMb, "MB", 0),
      baseline: fmt(pandas.peakMb, "MB", 0),
      ratio: ratio(first.peakMb, pandas.peakMb),
      target: "<= 300 MB",
      met: first.peakMb <= 300,
    });
    record({
      section: "csv",
      what: `sample 1000 'DoS attacks-Hulk' (warm cache, ${sent} flows)`,
      ours: fmt(sample.seconds, "s"),
      baseline: fmt(pandasSample.seconds, "s"),
      ratio: ratio(sample.seconds, pandasSample.seconds),
      target: "< 1 s",
      met: sample.seconds < 1 && sent === 1000,
    });
    record({
      section: "csv",
      what: "every flow as jsonl (--count all, warm cache): peak memory",
      ours: fmt(all.peakMb, "MB", 0),
      baseline: fmt(pandas.peakMb, "MB", 0),
      ratio: ratio(all.peakMb, pandas.peakMb),
      target: "<= 300 MB",
      met: all.peakMb <= 300,
    });
    record({
      section: "csv",
      what: "every flow as jsonl (--count all, warm cache): wall",
      ours: fmt(all.seconds, "s"),
      baseline: fmt(pandas.seconds, "s"),
      ratio: ratio(all.seconds, pandas.seconds),
      target: "",
      met: null,
    });
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** The same flows as `h5` as a CSV, as pandas' `to_csv(index=False)` writes it. */
async function csvCopy(h5: string, count: number): Promise<string> {
  return await derived(`ids-${count}.csv`, async (temp) => {
    log(`writing the ${count}-row dataset as CSV with pandas`);
    const script = `import pandas as pd; pd.read_hdf(${JSON.stringify(h5)}).to_csv(${
      JSON.stringify(temp)
    }, index=False)`;
    const out = await new Deno.Command(PYTHON, { args: ["-c", script] }).output();
    if (out.code !== 0) throw new Error("pandas to_csv failed");
  });
}

/** The same flows as `h5` as a CSV (pandas to_csv) and as Parquet (snappy, our writer). */
async function formatCopies(h5: string, count: number): Promise<{ csv: string; parquet: string }> {
  const csv = await csvCopy(h5, count);
  const parquet = await derived(`ids-${count}-snappy.parquet`, async (temp) => {
    log(`writing the ${count}-row dataset as Parquet (snappy) with hyparquet-writer`);
    const { writeFlowsParquet } = await import("../dev/make_parquet_fixtures.ts");
    await writeFlowsParquet(h5, temp);
  });
  return { csv, parquet };
}

/** Cold open (no index cache) and a warm category sample of `file`, each beside pandas. */
async function benchFormat(
  label: string,
  file: string,
  baseline: { script: string; what: string; file?: string },
): Promise<number> {
  const baseFile = baseline.file ?? file;
  const cache = await Deno.makeTempDir({ prefix: "mlids-bench-cache-" });
  const env = { XDG_CACHE_HOME: cache, NO_COLOR: "1" };
  try {
    const pandas = await measure([PYTHON, baseline.script, "load", baseFile]);
    if (pandas.code !== 0) throw new Error(`${baseline.what} failed: ${pandas.stderr}`);
    const first = await measure(mlids(["dataset", "info", file, "--output", "json"]), { env });
    if (first.code !== 0) throw new Error(`dataset info ${file} failed: ${first.stderr}`);
    const sample = await measure(
      mlids([
        "dataset",
        "sample",
        file,
        ...["--category", "DoS attacks-Hulk", "--count", "1000", "--seed", "1"],
      ]),
      { env, keepStdout: true },
    );
    if (sample.code !== 0) throw new Error(`dataset sample ${file} failed: ${sample.stderr}`);
    const pandasSample = await measure([
      PYTHON,
      baseline.script,
      ...["sample", baseFile, "DoS attacks-Hulk", "1000"],
    ]);
    const sent = JSON.parse(sample.stdout).data.length;
    recordSeconds("formats", `${label}: cold open (no index cache), beside ${baseline.what}`, {
      ours: first.seconds,
      baseline: pandas.seconds,
      atMost: 0.5,
    });
    recordSeconds(
      "formats",
      `${label}: sample 1000 'DoS attacks-Hulk' (warm index, ${sent} flows)`,
      { ours: sample.seconds, baseline: pandasSample.seconds, atMost: 0.5, also: sent === 1000 },
    );
    return first.seconds;
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** The compressors and Parquet: cold open and a category sample of each copy of the rows. */
async function benchFormats(count: number): Promise<void> {
  await measure(mlids(["--version"])); // warm Deno's module cache
  const hdf = { script: join(SHARED_BENCH, "pandas_baseline.py"), what: "pandas read_hdf" };
  const cold = new Map<string, number>();
  for (const complib of ["zlib", "blosc:lz4", "blosc:zstd", "blosc"]) {
    const file = await ensureDataset(count, complib);
    cold.set(complib, await benchFormat(`HDF5 ${complibLabel(complib)}`, file, hdf));
  }
  const zlib = cold.get("zlib") as number;
  const lz4 = cold.get("blosc:lz4") as number;
  record({
    section: "formats",
    what: "HDF5 blosc:lz4 cold open beside zlib's",
    ours: fmt(lz4, "s"),
    baseline: `${fmt(zlib, "s")} (zlib)`,
    ratio: `${(lz4 / zlib).toFixed(3)}x`,
    target: "<= 1x",
    met: lz4 <= zlib,
  });
  const { csv, parquet } = await formatCopies(await ensureDataset(count), count);
  await benchFormat("Parquet snappy", parquet, {
    script: join(ROOT, "bench", "pandas_csv_baseline.py"),
    what: "pandas read_csv of the same rows",
    file: csv,
  });
}

/** Sends flows with the real CLI (its own process, as the baseline) and reads its timing line. */
async function predictCli(
  apiUrl: string,
  file: string,
  flags: string[],
): Promise<{ flows: number; seconds: number; wall: number }> {
  const run = await measure(
    mlids([
      "predict",
      "--api-url",
      apiUrl,
      "--dataset-uri",
      file,
      "--random",
      "--seed",
      "1",
      "--output",
      "jsonl",
      ...flags,
    ]),
    { env: { NO_COLOR: "1" } },
  );
  const sent =
    /sent ([\d,]+) flows?, [\d,]+ answered, in [\d,]+ requests?(?: \([^)]*\))? in ([\d.]+) s/
      .exec(run.stderr);
  if (run.code !== 0 || !sent) throw new Error(`mlids predict failed: ${run.stderr.slice(-800)}`);
  return {
    flows: Number(sent[1].replaceAll(",", "")),
    seconds: Number(sent[2]),
    wall: run.seconds,
  };
}

async function benchPredict(file: string, flows: number): Promise<void> {
  const api = await startStandinApi({ recordBodies: false });
  try {
    // Both clients run in processes of their own against the same stand-in, and both are timed
    // from the first request to the merged results, after the dataset is loaded.
    // Each side runs three times, interleaved, and its median counts: single runs on a shared
    // 2-core machine swing by 20% or more.
    const batched: number[] = [];
    const batchedBase: number[] = [];
    let ours = { flows: 0, seconds: 0, wall: 0 };
    for (let round = 0; round < RUNS; round++) {
      ours = await predictCli(api.url, file, [
        "--count",
        String(flows),
        "--batch-size",
        "1000",
        "--concurrency",
        "4",
      ]);
      batched.push(ours.flows / ours.seconds);
      const base = await python([
        join(SHARED_BENCH, "python_client_baseline.py"),
        api.url,
        file,
        String(flows),
      ]);
      batchedBase.push(base.flows_per_s);
    }
    const oursRate = median(batched);
    const baseRate = median(batchedBase);
    record({
      section: "predict",
      what:
        `${flows} flows: ours --batch-size 1000 --concurrency 4, baseline one request (median of ${RUNS})`,
      ours: `${oursRate.toFixed(0)} flows/s`,
      baseline: `${baseRate.toFixed(0)} flows/s`,
      ratio: `${(oursRate / baseRate).toFixed(2)}x`,
      target: ">= 5x",
      met: oursRate >= 5 * baseRate,
    });
    const perFlow: number[] = [];
    const perFlowBase: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      const run = await predictCli(api.url, file, ["--count", "1000", "--delay", "0"]);
      perFlow.push(run.flows / run.seconds);
      const base = await python([
        join(SHARED_BENCH, "python_client_baseline.py"),
        api.url,
        file,
        "1000",
        "--per-flow",
      ]);
      perFlowBase.push(base.flows_per_s);
    }
    const perFlowRate = median(perFlow);
    const perFlowBaseRate = median(perFlowBase);
    record({
      section: "predict",
      what: `1000 flows one request each (--delay 0) (median of ${RUNS})`,
      ours: `${perFlowRate.toFixed(0)} flows/s`,
      baseline: `${perFlowBaseRate.toFixed(0)} flows/s`,
      ratio: `${(perFlowRate / perFlowBaseRate).toFixed(2)}x`,
      target: ">= 8x",
      met: perFlowRate >= 8 * perFlowBaseRate,
    });
    record({
      section: "predict",
      what: `whole 'mlids predict' run of ${flows} flows (load, send, results), for reference`,
      ours: fmt(ours.wall, "s"),
      baseline: "-",
      ratio: "-",
      target: "-",
      met: null,
    });
  } finally {
    await api.close();
  }
}

function noticesFrom(frameColumns: string[], values: unknown[][]): PredictionNotice[] {
  return values.map((row, i) => ({ columns: frameColumns, index: i, row, prediction: 1 as const }));
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const counts = await queueCounts(sqs, queueUrl);
  return counts.visible + counts.inFlight;
}

async function benchConsume(file: string, messages: number): Promise<void> {
  const emulator = await startEmulator();
  try {
    const topology = await createIdsTopology(emulator);
    const dataset = await openDataset(file);
    const selection = selectFlows({ rows: dataset.info.rows, labels: null }, {
      count: messages,
      seed: 2,
    });
    const frame = await dataset.readRows(selection.rows);
    dataset.close();
    const columns = frame.columns.filter((c) => c.name !== "label");
    const values = Array.from({ length: frame.length }, (_, row) =>
      columns.map((column) => {
        const value = cellAt(column, row);
        return typeof value === "bigint" ? Number(value) : value;
      }));
    const notices = noticesFrom(columns.map((c) => c.name), values);
    log(`publishing ${messages} notifications for the baseline`);
    await publishPredictions(emulator.sns, topology.topicArn, notices);
    const base = await python([
      join(SHARED_BENCH, "python_consumer_baseline.py"),
      topology.queueUrl,
      emulator.endpoint,
      emulator.region,
      String(messages),
    ]);
    const leftAfterBaseline = await queueDepth(emulator.sqs, topology.queueUrl);
    for (const output of ["lines", "table", "jsonl", "ecs"] as const) {
      log(`publishing ${messages} notifications for mlids --output ${output}`);
      await publishPredictions(emulator.sns, topology.topicArn, notices);
      const ours = await measure(
        mlids([
          "consume",
          "--queue-url",
          topology.queueUrl,
          "--endpoint-url",
          emulator.endpoint,
          "--region",
          emulator.region,
          "--delete-messages",
          "--max-messages",
          String(messages),
          "--wait-time",
          "1",
          "--idle-exit",
          "5",
          "--output",
          output,
        ]),
        {
          env: {
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            NO_COLOR: "1",
            COLUMNS: "120",
          },
          keepStdout: true,
        },
      );
      const lines = ours.stdout.split("\n").filter((line) => line.trim() !== "");
      // lines shows the first 8 characters of each id: enough to tell 5,000 apart.
      const ids = output === "jsonl"
        ? lines.map((line) => JSON.parse(line).message_id as string)
        : output === "ecs"
        ? lines.map((line) => JSON.parse(line).event.id as string)
        : output === "lines"
        ? lines.map((line) => line.split(" ")[1])
        : [...ours.stdout.matchAll(/^Attack detected \[([^\]]+)\]$/gm)].map((match) => match[1]);
      const unique = new Set(ids).size;
      const left = await queueDepth(emulator.sqs, topology.queueUrl);
      const lost = messages - unique - left;
      const oursRate = unique / ours.seconds;
      record({
        section: "consume",
        what:
          `drain ${messages} notifications with deletion, --output ${output} (ours: whole process)`,
        ours: `${oursRate.toFixed(0)} msg/s (shown ${unique}, twice ${
          ids.length - unique
        }, left ${left}, lost ${lost})`,
        baseline: `${base.messages_per_s} msg/s (left ${leftAfterBaseline})`,
        ratio: `${(oursRate / base.messages_per_s).toFixed(2)}x`,
        target: ">= 20x, 0 lost, 0 twice",
        met: oursRate >= 20 * base.messages_per_s && lost === 0 && ids.length === unique &&
          ours.code === 0,
      });
    }
  } finally {
    await emulator.stop();
  }
}

/** Runs `mlids replay` (its own process) with `flags` and returns its JSON summary. */
async function replayCli(
  apiUrl: string,
  file: string,
  flags: string[],
): Promise<ReplaySummary> {
  const run = await measure(
    mlids(["replay", "--api-url", apiUrl, "--dataset-uri", file, "--output", "json", ...flags]),
    { env: { NO_COLOR: "1" }, keepStdout: true },
  );
  if (run.code !== 0) throw new Error(`mlids replay failed: ${run.stderr.slice(-800)}`);
  return JSON.parse(run.stdout) as ReplaySummary;
}

/** The original client's per-flow loop (`--per-flow`, a new connection per request), flows/s. */
async function perFlowBaseline(apiUrl: string, file: string, flows: number): Promise<number> {
  const base = await python([
    join(SHARED_BENCH, "python_client_baseline.py"),
    apiUrl,
    file,
    String(flows),
    "--per-flow",
  ]);
  return base.flows_per_s;
}

/**
 * Replay: the schedule held at 2000 flows/s for 20 s against the fast stand-in (what the stand-in
 * received, over how long, the send lag), beside `predict --delay 0`; then the per-flow senders
 * (`predict --delay 0`, `replay --rate`) against a plain Python http.server (which stalls
 * kept-alive connections) and the fast stand-in, beside the original client's per-flow loop.
 */
async function benchReplay(file: string): Promise<void> {
  const fast = await startStandinApi({ recordBodies: false });
  const slow = await startPythonStandin();
  try {
    log("replay --rate 2000 --duration 20 against the fast stand-in");
    const before = fast.requests.length;
    const held = await replayCli(fast.url, file, ["--rate", "2000", "--duration", "20"]);
    const received = fast.requests.slice(before);
    const spanS = received.length > 1
      ? (received[received.length - 1].receivedAt - received[0].receivedAt) / 1000
      : 0;
    const lag = held.send_lag_ms;
    record({
      section: "replay",
      what: "--rate 2000 --duration 20, fast stand-in: flows it received, over how long",
      ours: `${received.length} flows over ${spanS.toFixed(2)} s (${held.dropped} dropped)`,
      baseline: "40000 over 20 s",
      ratio: `${(received.length / 40000).toFixed(4)}x`,
      target: "40,000 +-2 %, 20 s +-1 s",
      met: Math.abs(received.length - 40000) <= 800 && Math.abs(spanS - 20) <= 1,
    });
    record({
      section: "replay",
      what: "--rate 2000: send lag p99 (p50, max); latency from schedule p50/p99",
      ours:
        `${lag.p99} ms (${lag.p50}, ${lag.max}); ${held.latency_ms.p50}/${held.latency_ms.p99} ms`,
      baseline: "-",
      ratio: "-",
      target: "p99 < 20 ms",
      met: lag.p99 !== null && lag.p99 < 20,
    });
    // The per-flow senders beside the original client's loop, median of RUNS interleaved runs.
    for (const [name, url] of [["Python http.server", slow.url], ["fast stand-in", fast.url]]) {
      const base: number[] = [];
      const predict: number[] = [];
      const replay: number[] = [];
      // Replay is asked for a rate above the target multiple of the baseline measured in the same
      // round (10x against the fast stand-in, 2x against http.server): what it achieves shows
      // whether the sender keeps up. Far above what http.server can take, its accept queue (a
      // backlog of 5) overflows and connections wait for SYN retransmits, seconds each.
      const multiple = name === "fast stand-in" ? 10 : 2;
      for (let round = 0; round < RUNS; round++) {
        log(`per-flow against the ${name}, round ${round + 1} of ${RUNS}`);
        const baseline = await perFlowBaseline(url, file, 1000);
        base.push(baseline);
        const run = await predictCli(url, file, ["--count", "1000", "--delay", "0"]);
        predict.push(run.flows / run.seconds);
        const rate = Math.ceil(multiple * baseline);
        const replayed = await replayCli(url, file, ["--rate", String(rate), "--duration", "5"]);
        replay.push(replayed.achieved_rate);
      }
      const baseRate = median(base);
      const target = name === "fast stand-in" ? 8 : 1;
      for (
        const [what, rates] of [
          ["predict --delay 0", predict],
          [`replay --rate ${multiple}x the baseline (achieved)`, replay],
        ] as const
      ) {
        const rate = median(rates);
        record({
          section: "replay",
          what: `${what} vs the original per-flow loop, ${name} (median of ${RUNS})`,
          ours: `${rate.toFixed(0)} flows/s`,
          baseline: `${baseRate.toFixed(0)} flows/s`,
          ratio: `${(rate / baseRate).toFixed(2)}x`,
          target: `>= ${target}x`,
          met: rate >= target * baseRate,
        });
      }
    }
    record({
      section: "replay",
      what: "for reference: --rate 2000 achieved, and predict --delay 0 on the fast stand-in",
      ours: `${held.achieved_rate} flows/s`,
      baseline: rows.findLast((row) =>
        row.what.startsWith("predict --delay 0") && row.what.includes("fast")
      )
        ?.ours ?? "-",
      ratio: "-",
      target: "-",
      met: null,
    });
  } finally {
    await slow.close();
    await fast.close();
  }
}

/** Runs `mlids evaluate` in a process of its own with an empty cache; its JSON summary. */
async function evaluateCli(
  args: string[],
): Promise<Measured & { summary: Record<string, unknown> }> {
  const cache = await Deno.makeTempDir({ prefix: "mlids-bench-evaluate-" });
  try {
    const run = await measure(mlids(["evaluate", ...args, "--output", "json"]), {
      env: { XDG_CACHE_HOME: cache, NO_COLOR: "1" },
      keepStdout: true,
    });
    if (run.code !== 0) throw new Error(`mlids evaluate failed: ${run.stderr.slice(-800)}`);
    return { ...run, summary: JSON.parse(run.stdout) };
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

/** The summary's totals and metrics: what an interrupted and resumed run must reproduce. */
function evaluationTotals(summary: Record<string, unknown>): string {
  const keys = Object.keys(summary).filter((key) =>
    !["latency_ms", "flows_per_s", "elapsed_s", "state", "requests", "retries", "seed"].includes(
      key,
    )
  ).sort();
  return JSON.stringify(keys.map((key) => [key, summary[key]]));
}

/**
 * Stops an evaluation with SIGINT once its state holds `records` batches, resumes it, and returns
 * the resumed run's summary and the exit code of the stopped one.
 */
async function interruptedEvaluation(
  args: string[],
  records: number,
): Promise<{ stoppedCode: number; answeredBefore: number; summary: Record<string, unknown> }> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-bench-resume-" });
  const state = join(dir, "state.jsonl");
  const env = await mlidsEnv({ XDG_CACHE_HOME: join(dir, "cache"), NO_COLOR: "1" });
  try {
    const full = ["evaluate", ...args, "--state", state, "--output", "json"];
    const child = new Deno.Command(Deno.execPath(), {
      args: mlidsArgs(full),
      env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 600_000;
    const lines = async () =>
      (await Deno.readTextFile(state).catch(() => "")).split("\n").filter((l) => l !== "")
        .length;
    while ((await lines()) < records + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const stopped = await child.status;
    const answeredBefore = (await Deno.readTextFile(state)).split("\n").slice(1)
      .filter((l) => l !== "").reduce((sum, l) => sum + JSON.parse(l).tally.flows, 0);
    const resumed = await new Deno.Command(Deno.execPath(), {
      args: mlidsArgs([...full, "--resume"]),
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (resumed.code !== 0) {
      throw new Error(`the resumed run failed: ${new TextDecoder().decode(resumed.stderr)}`);
    }
    return {
      stoppedCode: stopped.code,
      answeredBefore,
      summary: JSON.parse(new TextDecoder().decode(resumed.stdout)),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function benchEvaluate(file: string, count: number): Promise<void> {
  const csv = await csvCopy(file, count);
  const api = await startStandinApi({ recordBodies: false });
  try {
    await measure(mlids(["--version"])); // warm Deno's module cache
    const flags = ["--api-url", api.url, "--batch-size", "2000", "--concurrency", "4"];
    const base = await measure([
      PYTHON,
      join(SHARED_BENCH, "python_evaluate_baseline.py"),
      api.url,
      file,
      "--batch-size",
      "2000",
    ]);
    if (base.code !== 0) throw new Error(`the evaluate baseline failed: ${base.stderr}`);
    const ours = await evaluateCli([...flags, "--dataset-uri", file]);
    const answered = ours.summary.total === count;
    record({
      section: "evaluate",
      what: `${count} flows (HDF5), whole run, cold cache: wall`,
      ours: fmt(ours.seconds, "s"),
      baseline: fmt(base.seconds, "s"),
      ratio: `${(ours.seconds / base.seconds).toFixed(3)}x`,
      target: "<= 0.25x",
      met: ours.seconds <= 0.25 * base.seconds && answered,
    });
    record({
      section: "evaluate",
      what: `${count} flows (HDF5): peak memory`,
      ours: fmt(ours.peakMb, "MB", 0),
      baseline: fmt(base.peakMb, "MB", 0),
      ratio: `${(ours.peakMb / base.peakMb).toFixed(3)}x`,
      target: "<= 300 MB",
      met: ours.peakMb <= 300,
    });
    const oursCsv = await evaluateCli([...flags, "--dataset-uri", csv]);
    record({
      section: "evaluate",
      what: `${count} flows (the same rows as CSV): peak memory (wall ${
        fmt(oursCsv.seconds, "s")
      })`,
      ours: fmt(oursCsv.peakMb, "MB", 0),
      baseline: "-",
      ratio: "-",
      target: "<= 300 MB",
      met: oursCsv.peakMb <= 300 && evaluationTotals(oursCsv.summary) ===
          evaluationTotals({ ...ours.summary, dataset: oursCsv.summary.dataset }),
    });
    const before = api.flowsPredicted;
    const batches = Math.ceil(count / 2000);
    const resumed = await interruptedEvaluation(
      [...flags, "--dataset-uri", file],
      Math.round(batches * 0.4),
    );
    const sent = api.flowsPredicted - before;
    const twice = sent - count;
    const same = evaluationTotals(resumed.summary) === evaluationTotals(ours.summary);
    record({
      section: "evaluate",
      what:
        `SIGINT after ${resumed.answeredBefore} flows (exit ${resumed.stoppedCode}), then --resume`,
      ours: `${sent} flows sent, ${twice} twice; totals ${same ? "identical" : "DIFFERENT"}`,
      baseline: "-",
      ratio: "-",
      target: "<= 8000 twice, identical totals",
      met: resumed.stoppedCode === 130 && twice >= 0 && twice <= 4 * 2000 && same,
    });
  } finally {
    await api.close();
  }
}

/** The hand-written readers beside libraries reading the same bytes (see bench/readers.ts). */
async function benchReaders(file: string, count: number): Promise<void> {
  const { csv, fixed } = await readerInputs(file, 200_000, PYTHON);
  const blosc = [];
  for (const complib of ["blosc:lz4", "blosc"]) {
    const path = await ensureDataset(count, complib);
    blosc.push({ complib: complibLabel(complib), file: path });
  }
  log(
    "readers: HDF5 (native chunk reader, h5wasm), CSV (csv-parse), pickles (pickleparser), blosc",
  );
  // blosc first, in a process that has done nothing else: after the HDF5 rows (h5wasm, decoding
  // workers) the TypeScript decoder measured 10-40% slower in the same process and the wasm one
  // not (a V8 state not pinned down). The cold opens of the formats section are the user's view.
  const bloscRows = await benchBloscReaders(blosc);
  const measured = [
    ...await benchHdf5Readers(file),
    ...await benchCsvReaders(csv),
    ...await benchPickleReaders(file, fixed),
    ...bloscRows,
  ];
  for (const row of measured) {
    record({
      section: "readers",
      what: row.what,
      ours: fmt(row.ours, row.unit, row.unit === "s" ? 2 : 1),
      baseline: `${fmt(row.baseline, row.unit, row.unit === "s" ? 2 : 1)} (${row.baselineName})`,
      ratio: `${(row.ours / row.baseline).toFixed(3)}x`,
      target: row.slack === undefined
        ? "<= 1x (else use the library)"
        : `<= ${row.slack.ratio}x (${row.slack.why})`,
      met: row.ours <= row.baseline * (row.slack?.ratio ?? 1),
    });
  }
}

function printTable(): void {
  const header = ["section", "what", "mlids", "baseline", "ratio", "target", "met"];
  const body = rows.map((r) => [
    r.section,
    r.what,
    r.ours,
    r.baseline,
    r.ratio,
    r.target,
    r.met === null ? "-" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of body) console.log(line(row));
}

if (import.meta.main) {
  const only = flag("only", "dataset,csv,formats,predict,consume,replay,evaluate,readers").split(
    ",",
  );
  const count = Number(flag("rows", "1620000"));
  await checkPython();
  const file = await ensureDataset(count);
  if (only.includes("dataset")) await benchDataset(file);
  if (only.includes("csv")) await benchCsv(await csvCopy(file, count));
  if (only.includes("formats")) await benchFormats(count);
  if (only.includes("predict")) await benchPredict(file, Number(flag("flows", "100000")));
  if (only.includes("consume")) await benchConsume(file, Number(flag("messages", "5000")));
  if (only.includes("replay")) await benchReplay(file);
  if (only.includes("evaluate")) await benchEvaluate(file, count);
  if (only.includes("readers")) await benchReaders(file, count);
  printTable();
}
