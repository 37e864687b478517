/**
 * `mlids predict`: choose flows from a dataset (by category or at random), send them to the ML-IDS
 * prediction API and show how right it was. Interactive like the original `ml_ids_rest_client`
 * when stdin is a terminal and no selection flag is given; one scripted round otherwise.
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import {
  findCategory,
  type LabelIndex,
  openDataset as realOpenDataset,
  seedOf,
} from "../lib/dataset/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { DEFAULT_THRESHOLD, type PayloadFormat, resolveEndpoint } from "../lib/predict/mod.ts";
import {
  colourEnabled,
  downloadBar,
  formatCount,
  parseOverflow,
  progressQuiet,
  stderrIsTerminal,
  stdinIsTerminal,
  terminalWidth,
} from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { checkResultColumns, parseResultColumns, resultColumnNames } from "../lib/view/mod.ts";
import { withExamples } from "./_help.ts";
import {
  type DatasetSourceFlags,
  datasetUriOption,
  sourceOptionsFrom,
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
  allOption,
  checkSelectionFlags,
  choiceOption,
  type Count,
  countFrom,
  countOption,
  describeDefault,
  optionalWholeNumber,
  parseChoice,
} from "./_flags.ts";
import { watchInterrupts } from "./_interrupt.ts";

import {
  type PredictIo,
  type PredictSettings,
  runRound,
  type Session,
  streamSink,
} from "./_predict_round.ts";
import { inquirerPrompts, interactiveSession } from "./predict_session.ts";

export type {
  PredictIo,
  PredictOutput,
  PredictPrompts,
  PredictSettings,
  TextSink,
} from "./_predict_round.ts";

/** The flags of `mlids predict` as commander hands them over: text, checked by {@linkcode parsePredictFlags}. */
export interface PredictFlags extends DatasetSourceFlags {
  apiUrl: string;
  datasetUri: string;
  displayOverflow?: string;
  category?: string;
  random?: boolean;
  count?: string | Count;
  /** The same as `count: "all"`. */
  all?: boolean;
  delay?: string;
  batchSize?: string;
  concurrency?: string;
  timeout?: string;
  retries?: string;
  seed?: string;
  threshold?: string;
  output?: string;
  payloadFormat?: string;
  /** `all`, or column names separated by commas; default the columns a person reads. */
  columns?: string;
}

/** From this many flows on, `--count all` says that `mlids evaluate` suits the job better. */
const EVALUATE_HINT_FLOWS = 100_000;

/** How many flows `name` has (0 when there is no such category: the round says so). */
function categorySize(labels: LabelIndex | null, name: string): number {
  try {
    return findCategory(labels, name).rows.length;
  } catch {
    return 0;
  }
}

/** Flows sent in a scripted run without --count. */
const DEFAULT_SCRIPTED_COUNT = 10;

const OUTPUTS = ["table", "json", "jsonl", "csv"] as const;
const OVERFLOWS = ["wrap", "nowrap"] as const;

/** Checks every flag, throwing a one-line UsageError that names the flag and what to pass. */
export function parsePredictFlags(flags: PredictFlags): PredictSettings {
  if (flags.category !== undefined && flags.random) {
    throw new UsageError("--category and --random are exclusive", {
      hint: "Pass one of them: --category NAME for one category, --random for any flows.",
    });
  }
  checkSelectionFlags(flags);
  const count = countFrom(flags);
  const delayMs = optionalWholeNumber("--delay", flags.delay, { min: 0 });
  const batchSize = optionalWholeNumber("--batch-size", flags.batchSize, { min: 1 });
  const concurrency = optionalWholeNumber("--concurrency", flags.concurrency, { min: 1 });
  if (delayMs !== undefined && (batchSize !== undefined || concurrency !== undefined)) {
    throw new UsageError(
      "--delay sends one flow per request, one at a time, so it cannot be combined with --batch-size or --concurrency",
      { hint: "Drop --delay to send in batches, or drop --batch-size/--concurrency." },
    );
  }
  const threshold = flags.threshold === undefined
    ? DEFAULT_THRESHOLD
    : parseThreshold(flags.threshold);
  const output = parseChoice("--output", flags.output ?? "table", OUTPUTS);
  const payloadFormat: PayloadFormat | undefined = flags.payloadFormat === undefined
    ? undefined
    : parseChoice("--payload-format", flags.payloadFormat, PAYLOAD_FORMATS);
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
    timeoutMs: optionalWholeNumber("--timeout", flags.timeout, { min: 1 }),
    retries: optionalWholeNumber("--retries", flags.retries, { min: 0 }),
    seed: flags.seed,
    threshold,
    output,
    payloadFormat,
    columns: parseResultColumns(flags.columns),
  };
}
/** The real terminal: Deno's stdout/stderr, inquirer prompts, TTY and colour detection, Ctrl-C. */
function terminalIo(): PredictIo {
  return {
    stdout: streamSink(Deno.stdout),
    stderr: streamSink(Deno.stderr),
    prompts: inquirerPrompts(),
    isTTY: stdinIsTerminal(),
    stderrIsTTY: stderrIsTerminal(),
    colour: colourEnabled("stdout"),
    // Read at each render: a terminal resized between rounds gets tables that fit it.
    width: terminalWidth,
    watchInterrupt: (abort) => watchInterrupts(abort),
  };
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
  if (!progressQuiet()) {
    io.stderr.write(`Loading dataset ${escapeControl(settings.datasetUri)}...\n`);
  }
  // Ctrl-C while the dataset downloads or is indexed abandons that work (exit 130).
  const opening = new AbortController();
  const unwatch = io.watchInterrupt?.(() => opening.abort());
  let dataset;
  try {
    dataset = await open(settings.datasetUri, {
      ...settings.dataset,
      onDownloadProgress: downloadBar(),
      onNotice: (message) => io.stderr.write(`${escapeControl(message)}\n`),
      signal: opening.signal,
    });
  } finally {
    unwatch?.();
  }
  try {
    const info = dataset.info;
    const hidden = new Set([
      ...(info.labelColumn ? [info.labelColumn] : []),
      ...info.identityColumns,
    ]);
    checkResultColumns(
      settings.columns,
      resultColumnNames(info.columns.map((column) => column.name), info.labelColumn),
    );
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
    if (settings.count === "all") {
      const flows = settings.choice.category === undefined
        ? info.rows
        : categorySize(labels, settings.choice.category);
      if (flows >= EVALUATE_HINT_FLOWS) {
        io.stderr.write(
          `hint: for all ${
            formatCount(flows)
          } flows, 'mlids evaluate' streams them in bounded memory, resumes after Ctrl-C and reports every IDS metric\n`,
        );
      }
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
  const command = withDatasetSourceOptions(
    new Command("predict")
      .description(
        "send flows to the ML-IDS API and score its predictions: interactive when stdin is a terminal and neither --category nor --random is given, one scripted round otherwise",
      )
      .requiredOption("--api-url <url>", "the ML-IDS API (http://HOST[:PORT][/PATH])")
      .addOption(datasetUriOption()),
  )
    .addOption(
      choiceOption(
        "--display-overflow <mode>",
        "wrap (fit the terminal) or nowrap (one wide table)",
        OVERFLOWS,
      ).default("wrap" as const),
    )
    .option("--category <name>", "send flows of this traffic category")
    .option("--random", "send flows drawn at random from the whole dataset")
    .addOption(
      countOption("how many flows", `${DEFAULT_SCRIPTED_COUNT} in a scripted round`),
    )
    .addOption(allOption())
    .addOption(
      describeDefault(
        new Option("--delay <ms>", "one request per flow, this many ms apart"),
        "none",
      ),
    )
    .addOption(
      describeDefault(new Option("--batch-size <n>", "flows per request"), "all in one"),
    )
    .addOption(describeDefault(new Option("--concurrency <n>", "requests in flight at once"), "1"))
    .addOption(timeoutOption())
    .addOption(retriesOption())
    .addOption(
      describeDefault(
        new Option("--seed <seed>", "seed for a repeatable choice of flows"),
        "random, printed",
      ),
    )
    .addOption(
      new Option("--threshold <p>", "a raw prediction at or above this is Attack (0..1)")
        .default("0.5"),
    )
    .addOption(
      choiceOption(
        "--output <format>",
        "table, json, jsonl or csv (accuracy etc. as fractions 0..1)",
        OUTPUTS,
      ).default("table" as const),
    )
    .addOption(payloadFormatOption())
    .addOption(
      describeDefault(
        new Option(
          "--columns <list>",
          "columns of the results table: all, or names separated by commas",
        ),
        "index, is_correct, label, predicted_label, prediction_raw, dst_port, protocol, timestamp, flow_duration, tot_fwd_pkts, tot_bwd_pkts",
      ),
    )
    .action(async (options) => {
      await runPredict(options, terminalIo());
    });
  return withExamples(command as unknown as Command, [
    {
      what: "the interactive session of the original client",
      line:
        "mlids predict --api-url https://ml-ids.example.org --dataset-uri s3://ml-ids-2018-full/testing/test.h5",
    },
    {
      what: "one scripted round, results as JSON",
      line:
        'mlids predict --api-url URL --dataset-uri test.h5 --category "DoS attacks-Hulk" --count 100 --output json > hulk.json',
    },
    {
      what: "every flow of a CSV, 1000 a request, 4 requests at a time",
      line:
        "mlids predict --api-url URL --dataset-uri flows.csv --random --count all --batch-size 1000 --concurrency 4",
    },
  ]);
}
