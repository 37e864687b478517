/**
 * `mlids predict`: choose flows from a dataset (by category or at random), send them to the ML-IDS
 * prediction API and show how right it was. Interactive like the original `ml_ids_rest_client`
 * when stdin is a terminal and no selection flag is given; one scripted round otherwise.
 * @module
 */

import process from "node:process";
import { Command } from "@commander-js/extra-typings";
import { renderBarChart } from "../lib/bar_chart.ts";
import { openDataset as realOpenDataset, type OpenDatasetOptions } from "../lib/dataset.ts";
import { MlidsError, RemoteError, UsageError } from "../lib/errors.ts";
import type { FlowDataset, LabelIndex } from "../lib/flow_dataset.ts";
import { checkThreshold, DEFAULT_THRESHOLD } from "../lib/metrics.ts";
import {
  buildResults,
  formatResults,
  labelsOf,
  type PredictionResults,
  type ResultFormat,
  resultTable,
} from "../lib/prediction_results.ts";
import { type PayloadFormat, PredictionClient, resolveEndpoint } from "../lib/prediction_client.ts";
import { formatCount, ProgressBar } from "../lib/progress.ts";
import { seedOf, selectFlows } from "../lib/selection.ts";
import { type Overflow, parseOverflow, renderTable } from "../lib/table.ts";
import {
  colourEnabled,
  escapeControl,
  stderrIsTerminal,
  stdinIsTerminal,
  terminalWidth,
} from "../lib/terminal.ts";
import { sourceOptionsFrom } from "./dataset.ts";
import { batchChunks } from "./output.ts";
import { describeError } from "./report.ts";

/** The flags of `mlids predict` as commander hands them over: text, checked by {@linkcode parsePredictFlags}. */
export interface PredictFlags {
  apiUrl: string;
  datasetUri: string;
  key?: string;
  s3Region?: string;
  s3Endpoint?: string;
  s3LocalStoragePath?: string;
  s3Signed?: boolean;
  s3Profile?: string;
  displayOverflow?: string;
  category?: string;
  random?: boolean;
  count?: string;
  delay?: string;
  batchSize?: string;
  concurrency?: string;
  timeout?: string;
  retries?: string;
  seed?: string;
  threshold?: string;
  output?: string;
  payloadFormat?: string;
}

/** How the results are written: a terminal view, or data for scripts. */
export type PredictOutput = "table" | ResultFormat;

/** Checked settings of one `mlids predict` run. */
export interface PredictSettings {
  apiUrl: string;
  datasetUri: string;
  dataset: OpenDatasetOptions;
  overflow: Overflow;
  /** Set when flags choose the flows (a scripted run); null for the interactive session. */
  choice: { category?: string } | null;
  /** From --count; undefined when not given (scripted default 10, interactive asks). */
  count?: number | "all";
  delayMs?: number;
  batchSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  seed?: string;
  threshold: number;
  output: PredictOutput;
  payloadFormat?: PayloadFormat;
}

/** Flows sent in a scripted run without --count. */
export const DEFAULT_SCRIPTED_COUNT = 10;

function wholeNumber(flag: string, value: string, min: number, extra = ""): number {
  const text = value.trim();
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < min) {
    throw new UsageError(
      `${flag} must be a whole number of ${min} or more${extra}, not '${value}'`,
    );
  }
  return number;
}

function optionalWhole(flag: string, value: string | undefined, min: number): number | undefined {
  return value === undefined ? undefined : wholeNumber(flag, value, min);
}

/** Checks every flag, throwing a one-line UsageError that names the flag and what to pass. */
export function parsePredictFlags(flags: PredictFlags): PredictSettings {
  if (flags.category !== undefined && flags.random) {
    throw new UsageError("--category and --random are exclusive", {
      hint: "Pass one of them: --category NAME for one category, --random for any flows.",
    });
  }
  if (flags.category !== undefined && flags.category.trim() === "") {
    throw new UsageError("--category needs a category name, such as 'Benign' or 'Bot'");
  }
  const count = flags.count === undefined
    ? undefined
    : flags.count.trim().toLowerCase() === "all"
    ? "all" as const
    : wholeNumber("--count", flags.count, 1, " (or 'all')");
  const delayMs = optionalWhole("--delay", flags.delay, 0);
  const batchSize = optionalWhole("--batch-size", flags.batchSize, 1);
  const concurrency = optionalWhole("--concurrency", flags.concurrency, 1);
  if (delayMs !== undefined && (batchSize !== undefined || concurrency !== undefined)) {
    throw new UsageError(
      "--delay sends one flow per request, one at a time, so it cannot be combined with --batch-size or --concurrency",
      { hint: "Drop --delay to send in batches, or drop --batch-size/--concurrency." },
    );
  }
  let threshold = DEFAULT_THRESHOLD;
  if (flags.threshold !== undefined) {
    const value = flags.threshold.trim() === "" ? NaN : Number(flags.threshold);
    try {
      threshold = checkThreshold(value);
    } catch {
      throw new UsageError(`--threshold must be a number from 0 to 1, not '${flags.threshold}'`);
    }
  }
  const output = (flags.output ?? "table").trim().toLowerCase();
  if (output !== "table" && output !== "json" && output !== "jsonl" && output !== "csv") {
    throw new UsageError(
      `--output must be 'table', 'json', 'jsonl' or 'csv', not '${flags.output}'`,
    );
  }
  let payloadFormat: PayloadFormat | undefined;
  if (flags.payloadFormat !== undefined) {
    const format = flags.payloadFormat.trim().toLowerCase();
    if (format !== "pandas-split" && format !== "dataframe-split") {
      throw new UsageError(
        `--payload-format must be 'pandas-split' or 'dataframe-split', not '${flags.payloadFormat}'`,
      );
    }
    payloadFormat = format;
  }
  if (flags.seed !== undefined && flags.seed.trim() === "") {
    throw new UsageError("--seed needs a value: a whole number or any text");
  }
  // Fails fast on a URL that is not http(s), before a dataset download.
  resolveEndpoint(flags.apiUrl);
  return {
    apiUrl: flags.apiUrl,
    datasetUri: flags.datasetUri,
    dataset: sourceOptionsFrom(flags),
    overflow: parseOverflow(flags.displayOverflow ?? "wrap"),
    choice: flags.category !== undefined ? { category: flags.category } : flags.random ? {} : null,
    count,
    delayMs,
    batchSize,
    concurrency,
    timeoutMs: optionalWhole("--timeout", flags.timeout, 1),
    retries: optionalWhole("--retries", flags.retries, 0),
    seed: flags.seed,
    threshold,
    output,
    payloadFormat,
  };
}

/** Somewhere text goes: stdout or stderr. */
export interface TextSink {
  write(text: string): void;
}

/** The prompts the interactive session asks with; @inquirer/prompts by default, scripted in tests. */
export interface PredictPrompts {
  select(config: {
    message: string;
    choices: { name: string; value: string }[];
    pageSize?: number;
  }): Promise<string>;
  input(config: {
    message: string;
    default?: string;
    validate?: (value: string) => boolean | string;
  }): Promise<string>;
}

/** What `runPredict` talks to; tests swap each part. */
export interface PredictIo {
  stdout: TextSink;
  stderr: TextSink;
  prompts: PredictPrompts;
  /** Whether stdin is a terminal (the interactive session needs one). */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress bars redraw in place); default false. */
  stderrIsTTY?: boolean;
  /** Colour on stdout; default false. */
  colour?: boolean;
  /** Width to fit tables and charts into; default 100. */
  width?: number;
  /** Opens the dataset; default {@linkcode realOpenDataset}. */
  openDataset?: (uri: string, options: OpenDatasetOptions) => Promise<FlowDataset>;
  /** Calls `abort` on Ctrl-C while flows are being sent; returns the un-watch function. */
  watchInterrupt?: (abort: () => void) => () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Longest a stderr line said while sending waits before it is written. */
const STDERR_INTERVAL_MS = 50;

/** A sink writing to a Deno stream; a closed pipe (`| head`) ends output quietly. */
function streamSink(stream: { writeSync(bytes: Uint8Array): number }): TextSink {
  let closed = false;
  return {
    write(text: string): void {
      if (closed) return;
      const bytes = encoder.encode(text);
      let offset = 0;
      try {
        while (offset < bytes.length) {
          const written = stream.writeSync(bytes.subarray(offset));
          if (written <= 0) break;
          offset += written;
        }
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) closed = true;
        else throw error;
      }
    },
  };
}

/** The prompts of @inquirer/prompts, drawn on stderr so stdout stays data. */
export function inquirerPrompts(): PredictPrompts {
  const context = { output: process.stderr };
  // Loaded on the first prompt: scripted runs never pay for it.
  const prompts = () => import("@inquirer/prompts");
  return {
    select: async (config) => (await prompts()).select(config, context),
    input: async (config) => (await prompts()).input(config, context),
  };
}

/** The real terminal: Deno's stdout/stderr, inquirer prompts, TTY and colour detection, Ctrl-C. */
export function terminalIo(): PredictIo {
  return {
    stdout: streamSink(Deno.stdout),
    stderr: streamSink(Deno.stderr),
    prompts: inquirerPrompts(),
    isTTY: stdinIsTerminal(),
    stderrIsTTY: stderrIsTerminal(),
    colour: colourEnabled("stdout"),
    width: terminalWidth(),
    watchInterrupt: (abort) => {
      const handler = () => abort();
      Deno.addSignalListener("SIGINT", handler);
      return () => Deno.removeSignalListener("SIGINT", handler);
    },
  };
}

/** One round's choice: a category (or any flow), how many, and the delay between flows. */
interface RoundChoice {
  category?: string;
  count: number | "all";
  delayMs?: number;
  seed?: number | string;
}

/** A sink that keeps what is written and passes it on at most once per `intervalMs`. */
interface CoalescingSink extends TextSink {
  /** Writes out what is kept now (and stops the pending timer). */
  flush(): void;
}

/**
 * Coalesces the writes made while flows are sent (a line per flow with --delay 0, progress,
 * retries) into at most one write per `intervalMs`: a write per flow cost a syscall on the send
 * path, yet lines still appear within `intervalMs`.
 */
function coalescingSink(sink: TextSink, intervalMs: number): CoalescingSink {
  let kept = "";
  let lastWrite = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    lastWrite = performance.now();
    if (kept === "") return;
    const text = kept;
    kept = "";
    sink.write(text);
  };
  return {
    write(text: string): void {
      kept += text;
      const since = performance.now() - lastWrite;
      if (since >= intervalMs) flush();
      else timer ??= setTimeout(flush, intervalMs - since);
    },
    flush,
  };
}

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(2)}%`;
}

function decimal(value: number | null): string {
  return value === null ? "n/a (0/0)" : value.toFixed(3);
}

/** The terminal view: what was sent, the metrics, the per-category chart, then the flow table. */
export function renderResultsView(
  results: PredictionResults,
  options: { overflow: Overflow; width: number; colour: boolean; heading: string },
): string {
  const s = results.scores;
  const lines: string[] = [options.heading, "=".repeat(Math.min(options.heading.length, 60))];
  if (results.labelColumn !== null) {
    lines.push(`Accuracy:  ${percent(s.accuracy)} (${s.correct} of ${s.total} flows right)`);
    const c = s.confusion;
    lines.push(`Confusion (Attack = positive):  TP ${c.tp}  FP ${c.fp}  TN ${c.tn}  FN ${c.fn}`);
    lines.push(
      `Precision: ${decimal(s.precision)}   Recall: ${decimal(s.recall)}   F1: ${decimal(s.f1)}`,
    );
    if (s.perCategory.length > 0) {
      lines.push("", "Detection rate per category (for Benign: flows let through):");
      lines.push(renderBarChart(
        s.perCategory.map((category) => ({
          name: category.name,
          value: category.correct,
          total: category.total,
        })),
        { width: options.width, colour: options.colour },
      ));
    }
  } else {
    const attacks = s.predicted.filter((label) => label === "Attack").length;
    const benign = s.predicted.filter((label) => label === "Benign").length;
    lines.push(`Predicted: ${attacks} Attack, ${benign} Benign`);
  }
  if (s.failed > 0) {
    lines.push(`Failed: ${s.failed} of ${s.flows} flows got no prediction (marked FAILED)`);
  }
  const { headers, rows } = resultTable(results);
  lines.push(
    "",
    "Details:",
    renderTable(headers, rows, {
      overflow: options.overflow,
      width: options.width,
      colour: options.colour,
    }),
    "",
  );
  return `${lines.join("\n")}\n`;
}

/** The dataset open for the session, and what is said about it only once. */
interface Session {
  settings: PredictSettings;
  io: PredictIo;
  dataset: FlowDataset;
  labels: LabelIndex | null;
  featureColumns: string[];
}

/** Chooses, sends, scores and shows one round; throws RemoteError when flows got no prediction. */
async function runRound(session: Session, choice: RoundChoice): Promise<void> {
  const { settings, io, dataset } = session;
  const info = dataset.info;
  const selection = selectFlows({ rows: info.rows, labels: session.labels }, {
    category: choice.category,
    count: choice.count,
    seed: choice.seed,
  });
  const where = selection.category === null
    ? "in the dataset"
    : `of '${escapeControl(selection.category)}'`;
  if (selection.shortfall) {
    io.stderr.write(
      `only ${formatCount(selection.shortfall.available)} flows ${where}; sending ${
        formatCount(selection.rows.length)
      }\n`,
    );
  }
  if (selection.rows.length === 0) {
    io.stderr.write(`no flows ${where} to send\n`);
    return;
  }
  const frame = await dataset.readRows(selection.rows);
  const labels = labelsOf(frame, info.labelColumn);
  const perFlow = choice.delayMs !== undefined;
  let progress: ProgressBar | null = null;
  // Everything said while sending goes through one coalescing sink, in order.
  const sendingLog = coalescingSink(io.stderr, STDERR_INTERVAL_MS);
  const progressStream = {
    writeSync(bytes: Uint8Array): number {
      sendingLog.write(decoder.decode(bytes));
      return bytes.length;
    },
  };
  const controller = new AbortController();
  const client = new PredictionClient({
    apiUrl: settings.apiUrl,
    featureColumns: session.featureColumns,
    payloadFormat: settings.payloadFormat,
    batchSize: perFlow ? undefined : settings.batchSize,
    concurrency: perFlow ? undefined : settings.concurrency,
    delayMs: choice.delayMs,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    signal: controller.signal,
    onRequestStart: ({ request, requests, rows }) => {
      if (perFlow) {
        const row = rows[0];
        const what = info.labelColumn === null
          ? `flow [${frame.index[row]}]`
          : `label [${escapeControl(labels[row] ?? "")}]`;
        sendingLog.write(`Requesting prediction [${request + 1}/${requests}] for ${what}...\n`);
      } else if (requests > 1 && progress === null) {
        progress = new ProgressBar(`Sending ${requests} requests`, frame.length, {
          stream: progressStream,
          isTerminal: io.stderrIsTTY ?? false,
          columns: io.width,
        });
      }
    },
    onRequestDone: ({ rows }) => {
      progress?.tick(rows.length);
    },
    onRetry: ({ request, attempt, error, waitMs }) => {
      sendingLog.write(
        `request ${request + 1} failed (${
          escapeControl(error.message)
        }); retrying in ${waitMs} ms (attempt ${attempt + 1})\n`,
      );
    },
  });
  const unwatch = io.watchInterrupt?.(() => controller.abort());
  let outcome;
  const sendStarted = performance.now();
  try {
    outcome = await client.predict(frame);
  } finally {
    unwatch?.();
    sendingLog.flush();
  }
  const sendSeconds = (performance.now() - sendStarted) / 1000;
  (progress as ProgressBar | null)?.finish();
  sendingLog.flush();
  io.stderr.write(
    `sent ${formatCount(frame.length)} flows in ${outcome.requests} request${
      outcome.requests === 1 ? "" : "s"
    } in ${sendSeconds.toFixed(3)} s (${
      formatCount(Math.round(frame.length / Math.max(sendSeconds, 1e-6)))
    } flows/s)\n`,
  );
  const results = buildResults(frame, {
    labelColumn: info.labelColumn,
    raw: outcome.predictions,
    threshold: settings.threshold,
    failures: outcome.failures,
  });
  for (const failure of outcome.failures) {
    const indexes = failure.rows.slice(0, 10).map((row) => String(frame.index[row]));
    const more = failure.rows.length > 10 ? `, ... (${failure.rows.length} flows)` : "";
    io.stderr.write(
      `request ${failure.request + 1} of ${outcome.requests} failed: ${
        escapeControl(failure.error.message)
      } ` +
        `(flows with index ${indexes.join(", ")}${more})\n`,
    );
  }
  if (settings.output === "table") {
    const heading = `Prediction results: ${formatCount(frame.length)} flows ${
      selection.category === null ? "at random" : where
    }`;
    io.stdout.write(renderResultsView(results, {
      overflow: settings.overflow,
      width: io.width ?? 100,
      colour: io.colour ?? false,
      heading,
    }));
  } else {
    for (const batch of batchChunks(formatResults(results, settings.output))) {
      io.stdout.write(batch);
    }
  }
  if (outcome.aborted) {
    throw new RemoteError(`interrupted: ${results.scores.failed} flows were not predicted`);
  }
  if (results.scores.failed > 0) {
    // The client's own hint (e.g. "try --payload-format" for a 415) says best what to do.
    const first = outcome.failures[0]?.error;
    throw new RemoteError(
      `${results.scores.failed} of ${frame.length} flows got no prediction from the ML-IDS API`,
      {
        cause: first,
        hint: first instanceof MlidsError && first.hint
          ? `They are marked as failed above; ${first.hint}.`
          : "They are marked as failed above; retry with more --retries or a longer --timeout.",
      },
    );
  }
}

/** Thrown by a prompt answer of `q`; ends the session like Ctrl-C. */
class QuitSession extends Error {}

function isPromptExit(error: unknown): boolean {
  return error instanceof QuitSession ||
    (error instanceof Error &&
      (error.name === "ExitPromptError" || error.name === "AbortPromptError"));
}

function validateCount(value: string): true | string {
  const text = value.trim().toLowerCase();
  if (text === "q" || text === "all") return true;
  if (/^\d+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) return true;
  return "Enter a whole number of 1 or more, 'all', or q to quit.";
}

function validateDelay(value: string): true | string {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "q") return true;
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return true;
  return "Enter a delay in whole milliseconds (0 or more), leave it empty for none, or q to quit.";
}

/** Asks for one round's choice; null when the user quits. */
async function askRound(session: Session): Promise<RoundChoice | null> {
  const { prompts } = session.io;
  const categories = session.labels?.categories ?? [];
  const choices = [
    ...categories.map((category, i) => ({
      name: `${i + 1}) ${escapeControl(category.name)} (${formatCount(category.rows.length)})`,
      value: `c${i}`,
    })),
    { name: "r) random", value: "r" },
    { name: "q) quit", value: "q" },
  ];
  const picked = await prompts.select({
    message: categories.length > 0
      ? "Network traffic category (by frequency), random, or quit"
      : "The dataset has no labels: send random flows, or quit",
    choices,
    pageSize: Math.min(choices.length, 20),
  });
  if (picked === "q") return null;
  const category = picked === "r" ? undefined : categories[Number(picked.slice(1))]?.name;
  if (picked !== "r" && category === undefined) {
    throw new Error(`the prompt answered '${picked}', which is not a choice`);
  }
  const countText = (await prompts.input({
    message: "How many flows? (a whole number of 1 or more, 'all', q to quit)",
    default: session.settings.count === undefined ? undefined : String(session.settings.count),
    validate: validateCount,
  })).trim().toLowerCase();
  if (countText === "q") throw new QuitSession();
  if (validateCount(countText) !== true) throw new UsageError(`'${countText}' is not a count`);
  const delayText = (await prompts.input({
    message: "Delay between flows in ms (empty: none, all flows in one go; q to quit)",
    default: session.settings.delayMs === undefined ? undefined : String(session.settings.delayMs),
    validate: validateDelay,
  })).trim().toLowerCase();
  if (delayText === "q") throw new QuitSession();
  if (validateDelay(delayText) !== true) throw new UsageError(`'${delayText}' is not a delay`);
  return {
    category,
    count: countText === "all" ? "all" : Number(countText),
    delayMs: delayText === "" ? undefined : Number(delayText),
  };
}

/** The interactive session: rounds until the user quits (q or Ctrl-C); a failed round is reported and the session goes on. */
async function interactiveSession(session: Session): Promise<void> {
  const baseSeed = session.settings.seed === undefined ? undefined : seedOf(session.settings.seed);
  // Bounded by the user: each round waits for an answer, and quitting ends it.
  for (let round = 0;; round++) {
    let choice: RoundChoice | null;
    try {
      choice = await askRound(session);
    } catch (error) {
      if (isPromptExit(error)) return;
      throw error;
    }
    if (choice === null) return;
    // A fixed --seed makes the whole session repeatable, not every round the same.
    if (baseSeed !== undefined) choice.seed = (baseSeed + round) >>> 0;
    try {
      await runRound(session, choice);
    } catch (error) {
      if (!(error instanceof MlidsError)) throw error;
      session.io.stderr.write(`error: ${describeError(error).message}\n`);
    }
  }
}

/**
 * Runs `mlids predict`: checks the flags, opens the dataset, then either the interactive session
 * or one scripted round. Resolves on success; throws an MlidsError (exit 1 when flows got no
 * prediction, 2 for bad usage or input).
 */
export async function runPredict(flags: PredictFlags, io: PredictIo): Promise<void> {
  const settings = parsePredictFlags(flags);
  if (settings.choice === null && !io.isTTY) {
    throw new UsageError("no flows chosen and stdin is not a terminal to ask", {
      hint: "Pass --category NAME or --random, with --count N (default 10).",
    });
  }
  const open = io.openDataset ?? realOpenDataset;
  io.stderr.write(`Loading dataset ${escapeControl(settings.datasetUri)}...\n`);
  const dataset = await open(settings.datasetUri, {
    ...settings.dataset,
    showProgress: true,
    onNotice: (message) => io.stderr.write(`${escapeControl(message)}\n`),
  });
  try {
    const info = dataset.info;
    const hidden = new Set([
      ...(info.labelColumn ? [info.labelColumn] : []),
      ...info.identityColumns,
    ]);
    const labels = info.labelColumn === null ? null : await dataset.labelIndex();
    if (labels === null) {
      io.stderr.write("the dataset has no labels: showing predictions only, no accuracy\n");
    }
    const session: Session = {
      settings,
      io,
      dataset,
      labels,
      featureColumns: info.columns.map((column) => column.name).filter((name) => !hidden.has(name)),
    };
    if (settings.choice === null) {
      await interactiveSession(session);
      return;
    }
    const seed = settings.seed ?? String(seedOf(undefined));
    if (settings.seed === undefined) {
      io.stderr.write(`drawing flows with seed ${seed} (pass --seed ${seed} to repeat)\n`);
    }
    await runRound(session, {
      category: settings.choice.category,
      count: settings.count ?? DEFAULT_SCRIPTED_COUNT,
      delayMs: settings.delayMs,
      seed,
    });
  } finally {
    dataset.close();
  }
}

/** `mlids predict`: send flows to the ML-IDS API and score its predictions. */
export function predictCommand(): Command {
  const command = new Command("predict")
    .description(
      "send flows to the ML-IDS API and score its predictions: interactive when stdin is a terminal and neither --category nor --random is given, one scripted round otherwise",
    )
    .requiredOption("--api-url <url>", "the ML-IDS API (http://HOST[:PORT][/PATH])")
    .requiredOption("--dataset-uri <uri>", "dataset: a path, file:// or s3:// URI (HDF5 or CSV)")
    .option("--key <key>", "pandas key inside the HDF5 file")
    .option("--s3-region <region>", "region of the S3 bucket (default eu-west-1)")
    .option("--s3-endpoint <url>", "S3 endpoint override")
    .option("--s3-local-storage-path <path>", "where to keep the downloaded S3 dataset")
    .option(
      "--s3-signed",
      "sign S3 requests with your AWS credentials instead of reading anonymously",
    )
    .option("--s3-profile <profile>", "AWS profile for signed S3 requests")
    .option(
      "--display-overflow <mode>",
      "wrap (fit the terminal) or nowrap (one wide table)",
      "wrap",
    )
    .option("--category <name>", "send flows of this traffic category")
    .option("--random", "send flows drawn at random from the whole dataset")
    .option("--count <n>", `how many flows, or 'all' (scripted default ${DEFAULT_SCRIPTED_COUNT})`)
    .option("--delay <ms>", "one request per flow, this many ms apart")
    .option("--batch-size <n>", "flows per request (default all in one)")
    .option("--concurrency <n>", "requests in flight at once (default 1)")
    .option("--timeout <ms>", "per request attempt (default 30000)")
    .option("--retries <n>", "extra attempts on 5xx, timeouts and dropped connections (default 2)")
    .option("--seed <seed>", "seed for a repeatable choice of flows")
    .option("--threshold <p>", "a raw prediction at or above this is Attack (0..1, default 0.5)")
    .option(
      "--output <format>",
      "table, json, jsonl or csv (accuracy etc. as fractions 0..1)",
      "table",
    )
    .option(
      "--payload-format <format>",
      "pandas-split or dataframe-split (default from the URL: /invocations takes dataframe-split)",
    )
    .action(async (options) => {
      await runPredict(options, terminalIo());
    });
  return command;
}
