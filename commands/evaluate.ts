/**
 * `mlids evaluate`: the whole test set (or a chosen part) through the ML-IDS API in a bounded-memory
 * pipeline, checkpointed after every batch, with every metric an IDS paper reports on stdout (a
 * table or JSON) and optionally a report to share (HTML or Markdown) and per-flow predictions.
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import denoConfig from "../deno.json" with { type: "json" };
import { defaultCacheDir } from "../lib/cache_dir.ts";
import { type FlowDataset, openDataset } from "../lib/dataset/mod.ts";
import { CancelledError, MlidsError, RemoteError } from "../lib/errors.ts";
import {
  DEFAULT_BATCH_SIZE,
  type EvaluationMetrics,
  evaluationMetrics,
  evaluationReport,
  type EvaluationResult,
  type EvaluationSettings,
  evaluationSummary,
  predictionsFormatOf,
  runEvaluation,
  selectionText,
} from "../lib/evaluate/mod.ts";
import { type PayloadFormat, resolveEndpoint } from "../lib/predict/mod.ts";
import { checkReportTarget, writeReport } from "../lib/report/mod.ts";
import {
  colourEnabled,
  formatCount,
  formatCountOf,
  ProgressBar,
  progressQuiet,
  renderTable,
  stderrIsTerminal,
  terminalWidth,
} from "../lib/term/mod.ts";
import { escapeControl, shellQuote } from "../lib/text.ts";
import { withExamples } from "./_help.ts";
import { watchInterrupts } from "./_interrupt.ts";
import {
  type DatasetSourceFlags,
  datasetUriOption,
  openOptionsFrom,
  withDatasetSourceOptions,
} from "./_dataset_flags.ts";
import {
  parseThreshold,
  PAYLOAD_FORMATS,
  payloadFormatOption,
  retriesOption,
  timeoutOption,
} from "./_request_flags.ts";
import {
  checkSelectionFlags,
  choiceOption,
  describeDefault,
  optionalWholeNumber,
  parseChoice,
} from "./_flags.ts";
import { streamSink, type TextSink } from "./_predict_round.ts";

/** The flags of `mlids evaluate` as commander hands them over. */
export interface EvaluateFlags extends DatasetSourceFlags {
  apiUrl: string;
  datasetUri: string;
  category?: string[];
  perCategory?: string;
  sample?: string;
  seed?: string;
  batchSize?: string;
  concurrency?: string;
  timeout?: string;
  retries?: string;
  threshold?: string;
  payloadFormat?: string;
  maxRate?: string;
  state?: string;
  resume?: boolean;
  keepState?: boolean;
  output?: string;
  predictions?: string;
  report?: string[];
}

/** What `runEvaluate` talks to; tests swap each part. */
export interface EvaluateIo {
  stdout: TextSink;
  stderr: TextSink;
  /** Whether stderr is a terminal (the progress line redraws in place). */
  stderrIsTTY: boolean;
  width: number;
  /** Calls `stop` on the first Ctrl-C (or SIGTERM) and `abort` on the second; returns the un-watch function. */
  watchInterrupt?: (stop: () => void, abort: () => void) => () => void;
  /** The command line as typed after `mlids`, to print the resume command. */
  args: readonly string[];
}

const OUTPUTS = ["table", "json"] as const;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_RETRIES = 2;

/** Checked flags: the settings of the run and how to show it. */
export interface EvaluateSettings {
  run: Omit<EvaluationSettings, "cacheDir">;
  output: "table" | "json";
  reports: string[];
}

/** Checks every flag, throwing a one-line UsageError that names the flag and what to pass. */
export function parseEvaluateFlags(flags: EvaluateFlags): EvaluateSettings {
  checkSelectionFlags(flags);
  const categories = flags.category;
  const threshold = flags.threshold === undefined ? undefined : parseThreshold(flags.threshold);
  const payloadFormat: PayloadFormat | undefined = flags.payloadFormat === undefined
    ? undefined
    : parseChoice("--payload-format", flags.payloadFormat, PAYLOAD_FORMATS);
  if (flags.predictions !== undefined) predictionsFormatOf(flags.predictions);
  // Fails fast on a URL that is not http(s), before a dataset download.
  resolveEndpoint(flags.apiUrl);
  return {
    run: {
      apiUrl: flags.apiUrl,
      datasetUri: flags.datasetUri,
      datasetKey: flags.key,
      categories,
      perCategory: optionalWholeNumber("--per-category", flags.perCategory, { min: 1 }),
      sample: optionalWholeNumber("--sample", flags.sample, { min: 1 }),
      seed: flags.seed,
      batchSize: optionalWholeNumber("--batch-size", flags.batchSize, { min: 1 }),
      concurrency: optionalWholeNumber("--concurrency", flags.concurrency, { min: 1 }) ??
        DEFAULT_CONCURRENCY,
      timeoutMs: optionalWholeNumber("--timeout", flags.timeout, { min: 1 }),
      retries: optionalWholeNumber("--retries", flags.retries, { min: 0 }) ?? DEFAULT_RETRIES,
      threshold,
      payloadFormat,
      maxRate: optionalWholeNumber("--max-rate", flags.maxRate, { min: 1 }),
      statePath: flags.state,
      resume: flags.resume ?? false,
      keepState: flags.keepState ?? false,
      predictionsPath: flags.predictions,
    },
    output: parseChoice("--output", flags.output ?? "table", OUTPUTS),
    reports: flags.report ?? [],
  };
}

function percent(value: number | null, digits = 2): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(digits)}%`;
}

function decimal(value: number | null): string {
  return value === null ? "n/a" : value.toFixed(4);
}

function millis(value: number | null): string {
  return value === null ? "n/a" : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** A bar of `width` characters, `fraction` of it filled. */
function bar(fraction: number | null, width: number): string {
  const filled = fraction === null ? 0 : Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `${"#".repeat(filled)}${".".repeat(width - filled)}`;
}

/** The summary on stdout: the metrics, the per-category table with bars, and the service figures. */
export function renderEvaluation(
  result: EvaluationResult,
  metrics: EvaluationMetrics,
  options: { width: number; colour: boolean },
): string {
  const { tp, fp, tn, fn } = metrics.confusion;
  const plan = result.plan;
  const heading = `ML-IDS evaluation: ${formatCount(result.tally.flows)} flows of ${
    escapeControl(plan.dataset.uri)
  } against ${plan.apiUrl}`;
  const lines = [heading, "=".repeat(Math.min(heading.length, options.width))];
  if (!result.complete) {
    lines.push(
      `PARTIAL: ${formatCount(result.tally.flows)} of ${formatCount(plan.selected)} flows answered`,
    );
  }
  lines.push(`Selection: ${escapeControl(selectionText(plan))}; threshold ${plan.threshold}`, "");
  const rows: string[][] = [
    [
      "Accuracy",
      percent(metrics.accuracy),
      `${formatCount(metrics.correct)} of ${formatCount(metrics.total)} right`,
    ],
    ["Balanced accuracy", percent(metrics.balancedAccuracy), "mean of detection rate and 1 - FPR"],
    [
      "Precision",
      percent(metrics.precision),
      `${formatCount(tp)} of ${formatCount(tp + fp)} flagged`,
    ],
    [
      "Recall (detection rate)",
      percent(metrics.recall),
      `${formatCount(tp)} of ${formatCount(tp + fn)} attacks`,
    ],
    [
      "False-positive rate",
      percent(metrics.fpr),
      `${formatCount(fp)} of ${formatCount(fp + tn)} benign`,
    ],
    ["F1", decimal(metrics.f1), ""],
    ["MCC", decimal(metrics.mcc), ""],
  ];
  const scores = metrics.scores;
  if (scores) {
    rows.push(["ROC AUC", decimal(scores.auc), scores.exact ? "" : "scores rounded"]);
    rows.push(["Average precision", decimal(scores.averagePrecision), ""]);
    const best = scores.thresholds.bestF1;
    if (best) {
      rows.push([
        "Best-F1 threshold",
        String(best.threshold),
        `F1 ${decimal(best.f1)}, detection ${percent(best.recall)}, precision ${
          percent(best.precision)
        }`,
      ]);
    }
    for (const point of scores.thresholds.atFpr) {
      rows.push([
        `Detection at FPR <= ${percent(point.targetFpr, 1)}`,
        percent(point.tpr),
        point.threshold === null ? "no threshold that low" : `threshold ${point.threshold}`,
      ]);
    }
  }
  const table = { width: options.width, colour: options.colour };
  lines.push(renderTable(["metric", "value", ""], rows, table));
  lines.push(
    `Confusion (Attack = positive): TP ${formatCount(tp)}  FP ${formatCount(fp)}  TN ${
      formatCount(tn)
    }  FN ${formatCount(fn)}`,
    "",
    "Per category: flagged as attack (for Benign: false alarms), 95% Wilson interval",
  );
  lines.push(renderTable(
    ["category", "flows", "flagged", "rate", "95% interval", ""],
    metrics.perCategory.map((category) => [
      escapeControl(category.name),
      formatCount(category.total),
      formatCount(category.flagged),
      percent(category.rate),
      category.ciLow === null ? "n/a" : `${percent(category.ciLow)} - ${percent(category.ciHigh)}`,
      bar(category.rate, 20),
    ]),
    table,
  ));
  const latency = result.latency.percentiles();
  const rate = result.elapsed > 0 ? result.tally.flows / result.elapsed : null;
  lines.push(
    "",
    `Service: ${formatCountOf(result.requests, "request")}, ${
      formatCountOf(result.retries, "retry", "retries")
    }, ${formatCountOf(result.failed, "failed flow")}, ${
      rate === null ? "n/a" : formatCount(rate)
    } flows/s`,
    `Latency (ms): p50 ${millis(latency.p50)}  p90 ${millis(latency.p90)}  p99 ${
      millis(latency.p99)
    }  p99.9 ${millis(latency.p999)}  max ${millis(latency.max)}`,
    "",
  );
  return `${lines.join("\n")}\n`;
}

/** The real terminal, signals and command line. */
export function terminalEvaluateIo(args: readonly string[]): EvaluateIo {
  return {
    stdout: streamSink(Deno.stdout),
    stderr: streamSink(Deno.stderr),
    stderrIsTTY: stderrIsTerminal(),
    width: terminalWidth(),
    args,
    watchInterrupt: (stop, abort) => watchInterrupts(stop, { exit: abort }),
  };
}

/** The command that resumes this run: the same flags, with --resume. */
function resumeCommand(args: readonly string[]): string {
  const words = args.includes("--resume") ? [...args] : [...args, "--resume"];
  return escapeControl(["mlids", ...words].map(shellQuote).join(" "));
}

/**
 * Runs `mlids evaluate`: checks the flags (and the report targets, before any work), opens the
 * dataset, runs or resumes the evaluation, prints the summary and writes the reports. Throws a
 * CancelledError (exit 130) when stopped by Ctrl-C and a RemoteError (exit 1) when flows got no
 * prediction, both after saying how to resume.
 */
export async function runEvaluate(
  flags: EvaluateFlags,
  io: EvaluateIo,
  options: { openDataset?: typeof openDataset; cacheDir?: string } = {},
): Promise<void> {
  const settings = parseEvaluateFlags(flags);
  for (const report of settings.reports) await checkReportTarget(report);
  // Warnings and what to do next always; status lines not with --quiet.
  const notice = (line: string) => io.stderr.write(`${line}\n`);
  const status = (line: string) => {
    if (!progressQuiet()) notice(line);
  };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const stop = new AbortController();
  const abort = new AbortController();
  let progress: ProgressBar | null = null;
  let running = { answered: 0, correct: 0, scored: 0 };
  let resumeFrom = 0;
  let sending = false;
  const unwatch = io.watchInterrupt?.(
    () => {
      (progress as ProgressBar | null)?.clear();
      if (sending) {
        notice(
          "stopping: no new requests; waiting for those in flight to be answered and saved (Ctrl-C again to abandon them)",
        );
      }
      stop.abort(new CancelledError("stopped by Ctrl-C", { hint: "Run the command again." }));
    },
    () => abort.abort(new CancelledError("abandoned by a second Ctrl-C")),
  );
  let dataset: FlowDataset;
  try {
    status(`Loading dataset ${escapeControl(settings.run.datasetUri)}...`);
    dataset = await (options.openDataset ?? openDataset)(
      settings.run.datasetUri,
      // Each flow's label comes with it as it is scanned: the index is built only for a choice by
      // category. Ctrl-C abandons a download or a first indexing.
      { ...openOptionsFrom(flags, status), labelIndexing: "first-use", signal: stop.signal },
    );
  } catch (error) {
    unwatch?.();
    throw error;
  }
  let result: EvaluationResult;
  try {
    result = await runEvaluation(dataset, { ...settings.run, cacheDir }, {
      stop: stop.signal,
      abort: abort.signal,
      onNotice: (message) => notice(escapeControl(message)),
      onStart: (start) => {
        sending = true;
        const plan = start.plan;
        resumeFrom = start.alreadyAnswered;
        if (start.resumed) {
          status(
            `resuming: ${formatCount(start.alreadyAnswered)} of ${
              formatCount(plan.selected)
            } flows were answered before; ${formatCount(start.toSend)} to send`,
          );
        }
        status(
          `sending ${formatCount(start.toSend)} flows (${
            escapeControl(selectionText(plan))
          }) in batches of ${
            settings.run.batchSize ?? plan.batchSize ?? DEFAULT_BATCH_SIZE
          }, ${settings.run.concurrency} in flight; progress saved in ${start.statePath}`,
        );
        if (start.toSend > 0) {
          progress = new ProgressBar("Evaluating", start.toSend, {
            isTerminal: io.stderrIsTTY,
            columns: io.width,
            stream: {
              writeSync(bytes) {
                io.stderr.write(new TextDecoder().decode(bytes));
                return bytes.length;
              },
            },
            detail: () =>
              running.scored === 0 ? "" : `accuracy ${percent(running.correct / running.scored)}`,
          });
        }
      },
      onBatch: ({ answered, tally }) => {
        const c = tally.confusion;
        running = { answered, correct: c.tp + c.tn, scored: c.tp + c.fp + c.tn + c.fn };
        progress?.update(answered - resumeFrom);
      },
      onRetry: ({ error, attempt, waitMs }) =>
        notice(
          `a request failed (${escapeControl(error.message)}); retrying in ${waitMs} ms (attempt ${
            attempt + 1
          })`,
        ),
      onFailure: (batch) =>
        notice(
          `${formatCount(batch.flows)} flows got no prediction after ${batch.attempts} attempts: ${
            escapeControl(batch.error.message)
          }`,
        ),
    });
  } catch (error) {
    (progress as ProgressBar | null)?.clear();
    throw error;
  } finally {
    unwatch?.();
    dataset.close();
  }
  const bar = progress as ProgressBar | null;
  const resume = resumeCommand(io.args);
  if (result.stopped) {
    bar?.clear();
    notice(
      `stopped: ${formatCount(result.tally.flows)} of ${
        formatCount(result.plan.selected)
      } flows answered and saved in ${result.statePath}. Resume with:\n  ${resume}`,
    );
    throw new CancelledError("the evaluation was stopped before every flow was sent", {
      hint: "Run the command above to continue where it stopped.",
    });
  }
  bar?.finish();
  const metrics = evaluationMetrics(result.tally);
  if (settings.output === "json") {
    io.stdout.write(`${JSON.stringify(evaluationSummary(result, metrics))}\n`);
  } else {
    io.stdout.write(renderEvaluation(result, metrics, {
      width: io.width,
      colour: colourEnabled("stdout"),
    }));
  }
  for (const path of settings.reports) {
    await writeReport(
      path,
      evaluationReport(result, {
        version: denoConfig.version,
        batchSize: settings.run.batchSize ?? result.plan.batchSize,
        concurrency: settings.run.concurrency,
      }),
    );
    status(`report written to ${escapeControl(path)}`);
  }
  if (result.complete && result.statePath !== null) {
    status(`the finished run's state is kept in ${result.statePath} (--keep-state)`);
  }
  if (!result.complete) {
    const first = result.gaveUp ?? result.failures[0]?.error;
    const why = result.gaveUp
      ? `the ML-IDS API failed ${result.failures.length} batches in a row, so the run stopped`
      : `${formatCount(result.failed)} flows got no prediction from the ML-IDS API`;
    notice(`saved in ${result.statePath}; to send what is missing, run:\n  ${resume}`);
    throw new RemoteError(why, {
      cause: first,
      hint: first instanceof MlidsError && first.hint
        ? `${first.hint}; then resume with the command above`
        : "Check the API, then resume with the command above.",
    });
  }
}

/** `mlids evaluate`: score the ML-IDS API on a whole test set. */
export function evaluateCommand(): Command {
  const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
  const command = withDatasetSourceOptions(
    new Command("evaluate")
      .description(
        "send a whole test set (or part of it) to the ML-IDS API in a bounded-memory pipeline, checkpointed as it goes, and report every metric an IDS paper does",
      )
      .requiredOption("--api-url <url>", "the ML-IDS API (http://HOST[:PORT][/PATH])")
      .addOption(datasetUriOption()),
  )
    .addOption(
      describeDefault(
        new Option("--category <name>", "only flows of this category (repeat for more)")
          .argParser(collect),
        "every category",
      ),
    )
    .addOption(
      describeDefault(
        new Option("--per-category <n>", "a stratified sample: up to N flows of every category"),
        "every flow",
      ),
    )
    .addOption(
      describeDefault(new Option("--sample <n>", "N flows drawn at random"), "every flow"),
    )
    .addOption(
      describeDefault(
        new Option("--seed <seed>", "seed of --per-category and --sample draws"),
        "random, kept in the state",
      ),
    )
    .addOption(
      describeDefault(
        new Option("--batch-size <n>", "flows per request"),
        String(DEFAULT_BATCH_SIZE),
      ),
    )
    .addOption(
      describeDefault(
        new Option("--concurrency <n>", "requests in flight at once"),
        String(DEFAULT_CONCURRENCY),
      ),
    )
    .addOption(timeoutOption())
    .addOption(retriesOption())
    .addOption(
      describeDefault(
        new Option("--threshold <p>", "a raw prediction at or above this is Attack (0..1)"),
        "0.5",
      ),
    )
    .addOption(payloadFormatOption())
    .addOption(
      describeDefault(
        new Option("--max-rate <flows-per-s>", "send at most this many flows per second"),
        "no limit",
      ),
    )
    .addOption(
      describeDefault(
        new Option("--state <file>", "where progress is saved after every batch"),
        "the cache, one file per dataset, API and selection",
      ),
    )
    .option("--resume", "continue a stopped run where it stopped (same flags)")
    .option("--keep-state", "keep the state file after the run finishes")
    .addOption(
      choiceOption("--output <format>", "the summary on stdout: table or json", OUTPUTS)
        .default("table" as const),
    )
    .addOption(
      describeDefault(
        new Option(
          "--predictions <file>",
          "write every flow's prediction to FILE.csv or FILE.jsonl",
        ),
        "none",
      ),
    )
    .addOption(
      describeDefault(
        new Option(
          "--report <file>",
          "write a report: FILE.html (one self-contained page) or FILE.md (repeat for both)",
        )
          .argParser(collect),
        "none",
      ),
    )
    .action(async (options, cmd) => {
      const root = cmd.parent as { rawArgs?: string[] } | null;
      await runEvaluate(options, terminalEvaluateIo(root?.rawArgs ?? ["evaluate"]));
    });
  return withExamples(command as unknown as Command, [
    {
      what: "the whole test set, with a report to share",
      line:
        "mlids evaluate --api-url URL --dataset-uri s3://ml-ids-2018-full/testing/test.h5 --report report.html",
    },
    {
      what: "up to 1000 flows of every category, metrics as JSON",
      line:
        "mlids evaluate --api-url URL --dataset-uri test.h5 --per-category 1000 --seed 1 --output json",
    },
    {
      what: "continue a run stopped by Ctrl-C (the same flags, with --resume)",
      line: "mlids evaluate --api-url URL --dataset-uri test.h5 --resume",
    },
  ]);
}
