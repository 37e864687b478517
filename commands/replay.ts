/**
 * `mlids replay`: sends a dataset's flows to the ML-IDS API as traffic, at their recorded pace
 * (`--speed`) or a set rate (`--rate`), open loop, and measures what an operator needs: the rate
 * the API keeps up with, latency from each flow's scheduled time, and with `--queue-url` the time
 * from a flow to its alert in the attack queue.
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import denoConfig from "../deno.json" with { type: "json" };
import { openDataset, selectRunFlows } from "../lib/dataset/mod.ts";
import { CancelledError, RemoteError, UsageError } from "../lib/errors.ts";
import {
  type ConnectionPolicy,
  type ConnectionSwitch,
  type PayloadFormat,
  PredictionApi,
  resolveEndpoint,
} from "../lib/predict/mod.ts";
import {
  DEFAULT_ALERT_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  fingerprintLayout,
  FlowFeed,
  ratePlan,
  readFlowTimes,
  Replay,
  type ReplaySummary,
  rowBytesOf,
  type SendPlan,
  speedPlan,
  summarizeReplay,
  windowSendsFor,
} from "../lib/replay/mod.ts";
import { checkReportTarget, writeReport } from "../lib/report/mod.ts";
import {
  formatCount,
  formatSeconds,
  progressQuiet,
  stderrIsTerminal,
  stdoutIsTerminal,
  terminalWidth,
} from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { replayReport, replayStatusLine, replaySummaryTable } from "../lib/view/mod.ts";
import {
  type DatasetSourceFlags,
  datasetUriOption,
  openOptionsFrom,
  withDatasetSourceOptions,
} from "./_dataset_flags.ts";
import {
  type AwsQueueFlags,
  deleteMessagesOption,
  queueConnectionFrom,
  withAwsQueueOptions,
} from "./_aws_flags.ts";
import {
  checkSelectionFlags,
  choiceOption,
  type Count,
  countOption,
  describeDefault,
  wholeNumberArg,
} from "./_flags.ts";
import { type CommandIo, processIo } from "./_output.ts";
import { connectionSwitchNote } from "./_predict_round.ts";
import { withExamples } from "./_help.ts";
import { watchInterrupts } from "./_interrupt.ts";
import { payloadFormatOption, timeoutOption } from "./_request_flags.ts";

const OUTPUTS = ["table", "json"] as const;
const CONNECTIONS = ["auto", "reuse", "fresh"] as const;
/** The live line is redrawn this often on a terminal. */
const STATUS_INTERVAL_MS = 250;

/** The flags of `mlids replay` as commander hands them over. */
export interface ReplayFlags extends DatasetSourceFlags, AwsQueueFlags {
  apiUrl: string;
  datasetUri: string;
  category?: string[];
  perCategory?: number;
  sample?: number;
  seed?: string;
  speed?: string;
  rate?: string;
  duration?: string;
  count?: Count;
  batchSize?: number;
  maxInFlight?: number;
  timeout?: number;
  payloadFormat?: PayloadFormat;
  connection?: ConnectionPolicy;
  queueUrl?: string;
  alertTimeout?: string;
  deleteMessages?: boolean;
  output?: typeof OUTPUTS[number];
  report?: string;
}

/** The checked settings of a replay. */
export interface ReplaySettings {
  apiUrl: string;
  datasetUri: string;
  pace: { speed: number } | { rate: number };
  durationMs?: number;
  count?: number;
  batchSize: number;
  maxInFlight: number;
  timeoutMs?: number;
  payloadFormat?: PayloadFormat;
  connection: ConnectionPolicy;
  queue?: { url: string; alertTimeoutMs: number; deleteMessages: boolean };
  output: typeof OUTPUTS[number];
  report?: string;
}

/** A positive decimal number of `flag` (`--speed 0.5` or `10x`, `--rate 2000`, `--duration 1.5`). */
function positiveNumber(flag: string, value: string, unit: string): number {
  let text = value.trim();
  if (flag === "--speed") text = text.replace(/x$/i, "");
  const number = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(number > 0) || !Number.isFinite(number)) {
    throw new UsageError(`${flag} must be a number above 0 (${unit}), not '${value}'`);
  }
  return number;
}

/** Checks the flags that need no dataset, in one line each. */
function parseReplayFlags(flags: ReplayFlags): ReplaySettings {
  if (flags.speed !== undefined && flags.rate !== undefined) {
    throw new UsageError("--speed and --rate exclude each other", {
      hint:
        "Pass --speed X to keep the recorded pace X times faster, or --rate R for R flows per second.",
    });
  }
  const pace = flags.rate !== undefined
    ? { rate: positiveNumber("--rate", flags.rate, "flows per second") }
    : { speed: flags.speed === undefined ? 1 : positiveNumber("--speed", flags.speed, "a factor") };
  if (flags.queueUrl === undefined) {
    for (
      const [name, given] of [
        ["--alert-timeout", flags.alertTimeout],
        ["--delete-messages", flags.deleteMessages || undefined],
      ] as const
    ) {
      if (given !== undefined) {
        throw new UsageError(`${name} needs --queue-url`, {
          hint: "Pass --queue-url (the attack queue) to measure the time to alert.",
        });
      }
    }
  }
  checkSelectionFlags(flags);
  // Fails fast on a URL that is not http(s), before a dataset download.
  resolveEndpoint(flags.apiUrl);
  if (flags.report !== undefined && !/\.(html?|md|markdown)$/i.test(flags.report)) {
    throw new UsageError(`cannot tell the report format of '${flags.report}'`, {
      hint: "Name the report FILE.html (a page to open or print) or FILE.md (Markdown tables).",
    });
  }
  return {
    apiUrl: flags.apiUrl,
    datasetUri: flags.datasetUri,
    pace,
    durationMs: flags.duration === undefined
      ? undefined
      : positiveNumber("--duration", flags.duration, "seconds") * 1000,
    count: flags.count === "all" ? undefined : flags.count,
    batchSize: flags.batchSize ?? 1,
    maxInFlight: flags.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    timeoutMs: flags.timeout,
    payloadFormat: flags.payloadFormat,
    connection: flags.connection ?? "auto",
    queue: flags.queueUrl === undefined ? undefined : {
      url: flags.queueUrl,
      alertTimeoutMs: flags.alertTimeout === undefined
        ? DEFAULT_ALERT_TIMEOUT_MS
        : positiveNumber("--alert-timeout", flags.alertTimeout, "seconds") * 1000,
      deleteMessages: flags.deleteMessages === true,
    },
    output: flags.output ?? "table",
    report: flags.report,
  };
}

/** What a replay talks to: stdout and stderr, the terminal, Ctrl-C. Tests swap each part. */
export interface ReplayIo extends CommandIo {
  /** Whether stderr is a terminal: the live line redraws in place only then. */
  stderrIsTTY: boolean;
  /** Redraws the live line on stderr (null clears it). */
  status(line: string | null): void;
  /** Width to wrap the summary to (Infinity: no wrapping). */
  width: number;
  /** Calls `stop` on Ctrl-C while flows are sent; returns the un-watch function. */
  watchInterrupt?: (stop: () => void) => () => void;
}

/** The real terminal. */
function terminalReplayIo(): ReplayIo {
  const io = processIo();
  const encoder = new TextEncoder();
  const tty = stderrIsTerminal();
  let drawn = false;
  const clear = () => {
    if (drawn) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    drawn = false;
  };
  return {
    ...io,
    notice(line: string): void {
      clear();
      io.notice(line);
    },
    stderrIsTTY: tty,
    status(line: string | null): void {
      // The live line is progress: not off a terminal, and not with --quiet.
      if (!tty || progressQuiet()) return;
      try {
        if (line === null) return clear();
        const width = terminalWidth();
        const text = line.length >= width ? `${line.slice(0, width - 2)}…` : line;
        Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
        drawn = true;
      } catch {
        // stderr gone: the replay goes on.
      }
    },
    // Off a terminal the summary's lines are not wrapped.
    width: stdoutIsTerminal() ? terminalWidth() : Infinity,
    watchInterrupt: (stop) => watchInterrupts(stop),
  };
}

function paceText(settings: ReplaySettings, plan: SendPlan): string {
  const lastMs = plan.length > 0 ? plan.timeAt(plan.length - 1) : 0;
  const over = `over ${formatSeconds(lastMs / 1000)}`;
  return "rate" in settings.pace
    ? `at ${formatCount(settings.pace.rate)} flows/s ${over}`
    : `at ${settings.pace.speed}x the recorded pace ${over} (about ${
      formatCount(Math.round(plan.askedRate))
    } flows/s)`;
}

/**
 * Runs `mlids replay`: opens the dataset, chooses and plans the flows, replays them with a live
 * line on stderr, then writes the summary (stdout) and the report. Throws a RemoteError (exit 1)
 * when no flow got an answer, a CancelledError (exit 130) after Ctrl-C.
 */
export async function runReplay(flags: ReplayFlags, io: ReplayIo): Promise<ReplaySummary> {
  const settings = parseReplayFlags(flags);
  if (settings.report) await checkReportTarget(settings.report);
  io.notice(`Loading dataset ${escapeControl(settings.datasetUri)}...`);
  const controller = new AbortController();
  let interrupted = false;
  const unwatch = io.watchInterrupt?.(() => {
    io.notice("stopping: no more flows are sent (Ctrl-C again quits at once)");
    interrupted = true;
    controller.abort();
  });
  let dataset;
  try {
    // Ctrl-C while the dataset downloads or is indexed abandons that work (exit 130).
    dataset = await openDataset(settings.datasetUri, {
      ...openOptionsFrom(flags, io.notice),
      signal: controller.signal,
    });
  } catch (error) {
    unwatch?.();
    throw error;
  }
  const api = new PredictionApi({
    apiUrl: settings.apiUrl,
    payloadFormat: settings.payloadFormat,
    timeoutMs: settings.timeoutMs,
    connection: settings.connection,
    onConnectionSwitch: (change: ConnectionSwitch) => io.notice(connectionSwitchNote(change)),
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const info = dataset.info;
    const hidden = new Set([
      ...(info.labelColumn ? [info.labelColumn] : []),
      ...info.identityColumns,
    ]);
    const featureColumns = info.columns.map((column) => column.name).filter((name) =>
      !hidden.has(name)
    );
    // The label index (a scan of the labels on a first open) only when categories are asked for.
    const byCategory = flags.category !== undefined || flags.perCategory !== undefined;
    const labels = info.labelColumn === null || !byCategory ? null : await dataset.labelIndex();
    const selection = selectRunFlows({ rows: info.rows, labels }, {
      categories: flags.category,
      perCategory: flags.perCategory,
      sample: flags.sample,
      seed: flags.seed,
    });
    if (selection.drawn && flags.seed === undefined) {
      io.notice(
        `drawing flows with seed ${selection.seed} (pass --seed ${selection.seed} to repeat)`,
      );
    }
    if (selection.rows.length === 0) {
      throw new UsageError("no flows to replay: the selection is empty");
    }
    const bounds = { count: settings.count, durationMs: settings.durationMs };
    let plan: SendPlan;
    if ("rate" in settings.pace) {
      plan = ratePlan(selection.rows.length, settings.pace.rate, bounds);
      if (plan.repeats) {
        io.notice(
          `${formatCount(selection.rows.length)} flows chosen for ${
            formatCount(plan.length)
          } sends: the flows are sent again from the first`,
        );
      }
    } else {
      io.notice(`reading the timestamps of ${formatCount(selection.rows.length)} flows...`);
      const times = await readFlowTimes(dataset, selection.rows, { signal: controller.signal });
      const paced = speedPlan(times, settings.pace.speed, bounds);
      const spread = paced.facts.resolutionMs >= 60_000 ? "minute" : "second";
      io.notice(
        `the flows span ${formatSeconds(paced.facts.recordedSpanMs / 1000)} as recorded; ` +
          (paced.facts.sharedTimestamps > 0 && paced.facts.resolutionMs >= 1000
            ? `their timestamps have whole ${spread}s, so the flows of one ${spread} are spread evenly across it`
            : "flows keep their recorded gaps"),
      );
      plan = paced;
    }
    io.notice(
      `replaying ${formatCount(plan.length)} flows ${paceText(settings, plan)} to ${
        escapeControl(api.url.href)
      }${settings.batchSize > 1 ? `, up to ${settings.batchSize} flows a request` : ""}`,
    );
    const windowSends = windowSendsFor(plan, rowBytesOf(info.columns), {
      datasetOrder: "rate" in settings.pace,
    });
    if (windowSends < plan.length) {
      io.notice(
        `${formatCount(plan.length)} flows do not fit in memory at once: they are read ${
          formatCount(windowSends)
        } at a time while sending, and each read pauses sending (shown as send lag)`,
      );
    }
    const feed = new FlowFeed(dataset, selection.rows, plan, { windowSends });
    const first = plan.length > 0 ? await feed.window(0) : null;
    const queue = settings.queue;
    const replay = new Replay({
      api,
      plan,
      feed,
      featureColumns,
      batchSize: settings.batchSize,
      maxInFlight: settings.maxInFlight,
      signal: controller.signal,
      alerts: queue && first
        ? {
          layout: fingerprintLayout(first.frame, featureColumns),
          alertTimeoutMs: queue.alertTimeoutMs,
          watch: {
            connection: queueConnectionFrom(queue.url, flags),
            deleteMessages: queue.deleteMessages,
          },
        }
        : undefined,
    });
    if (queue) io.notice(`watching the attack queue ${escapeControl(queue.url)}`);
    let lastPhase = replay.phase;
    timer = setInterval(() => {
      const awaited = replay.matcher?.counts().missing ?? 0;
      if (replay.phase !== lastPhase && replay.phase === "awaiting-alerts" && awaited > 0) {
        io.status(null);
        io.notice(
          `all flows sent; waiting up to ${
            formatSeconds((queue?.alertTimeoutMs ?? 0) / 1000)
          } for ${formatCount(awaited)} alerts`,
        );
      }
      lastPhase = replay.phase;
      if (replay.phase !== "starting") io.status(replayStatusLine(replay.progress()));
    }, STATUS_INTERVAL_MS);
    const result = await replay.run();
    clearInterval(timer);
    io.status(null);
    const summary = summarizeReplay(result, plan);
    if (settings.output === "json") {
      await io.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const heading = `Replay of ${formatCount(summary.sent)} flows ${
        "rate" in settings.pace
          ? `at ${formatCount(settings.pace.rate)} flows/s`
          : `at ${settings.pace.speed}x the recorded pace`
      } to ${escapeControl(api.url.href)}`;
      await io.write(replaySummaryTable(summary, { heading, width: io.width }));
    }
    if (settings.report) {
      const facts = [
        { name: "dataset", value: settings.datasetUri },
        { name: "API", value: api.url.href },
        {
          name: "pace",
          value: "rate" in settings.pace
            ? `--rate ${settings.pace.rate} flows/s`
            : `--speed ${settings.pace.speed}`,
        },
        {
          name: "selection",
          value: selection.categories ? selection.categories.join(", ") : "every flow",
        },
        { name: "flows planned", value: formatCount(plan.length) },
        { name: "batch size", value: String(settings.batchSize) },
        { name: "max in flight", value: String(settings.maxInFlight) },
        ...(queue ? [{ name: "attack queue", value: queue.url }] : []),
        { name: "started", value: new Date(result.stats.startedAtEpoch).toISOString() },
        { name: "mlids", value: denoConfig.version },
      ];
      const format = await writeReport(
        settings.report,
        replayReport(summary, {
          facts,
          distributions: {
            latency: result.stats.latency.distribution(),
            sendLag: result.stats.sendLag.distribution(),
            timeToAlert: result.alerts?.timeToAlert.distribution(),
          },
          footer: `mlids ${denoConfig.version}`,
        }),
      );
      io.notice(`wrote the ${format === "html" ? "HTML" : "Markdown"} report ${settings.report}`);
    }
    if (interrupted) {
      throw new CancelledError(
        `interrupted: ${formatCount(summary.sent)} of ${formatCount(plan.length)} flows were sent`,
      );
    }
    if (summary.sent > 0 && summary.answered === 0) {
      throw new RemoteError(
        `none of the ${formatCount(summary.sent)} flows sent got an answer from the ML-IDS API`,
        { hint: summary.failures[0]?.error ?? "check the API URL and that the API is running" },
      );
    }
    return summary;
  } finally {
    clearInterval(timer);
    io.status(null);
    unwatch?.();
    api.close();
    dataset.close();
  }
}

/** `mlids replay`: flows as traffic at their recorded pace or a set rate, and the time to alert. */
export function replayCommand(): Command {
  const command = withAwsQueueOptions(withDatasetSourceOptions(
    new Command("replay")
      .description(
        "send a dataset's flows to the ML-IDS API as traffic, at their recorded pace or a set rate, and measure throughput, latency and the time from flow to alert",
      )
      .requiredOption("--api-url <url>", "the ML-IDS API (http://HOST[:PORT][/PATH])")
      .addOption(datasetUriOption()),
  ))
    .addOption(
      describeDefault(
        new Option("--category <name...>", "replay flows of these categories (repeatable)"),
        "every category",
      ),
    )
    .addOption(
      new Option("--per-category <n>", "at most N flows of every category, drawn at random")
        .argParser(wholeNumberArg("--per-category", { min: 1 })),
    )
    .addOption(
      new Option("--sample <n>", "at most N flows drawn at random").argParser(
        wholeNumberArg("--sample", { min: 1 }),
      ),
    )
    .option("--seed <seed>", "seed for repeatable draws")
    .addOption(
      describeDefault(
        new Option("--speed <x>", "replay at the recorded pace, X times faster (timestamp order)"),
        "1",
      ),
    )
    .option("--rate <r>", "send R flows per second instead, in dataset order")
    .option("--duration <seconds>", "stop scheduling flows after this long")
    .addOption(countOption("send at most this many flows", "all chosen"))
    .addOption(
      new Option("--batch-size <n>", "flows due within 5 ms share a request, up to N")
        .argParser(wholeNumberArg("--batch-size", { min: 1 }))
        .default(1),
    )
    .addOption(
      new Option(
        "--max-in-flight <n>",
        "requests waiting at once; flows due beyond that are dropped, not delayed",
      )
        .argParser(wholeNumberArg("--max-in-flight", { min: 1 }))
        .default(DEFAULT_MAX_IN_FLIGHT),
    )
    .addOption(timeoutOption().argParser(wholeNumberArg("--timeout", { min: 1 })))
    .addOption(payloadFormatOption())
    .addOption(
      choiceOption(
        "--connection <mode>",
        "auto (kept alive unless the server stalls on it), reuse or fresh (a connection per request)",
        CONNECTIONS,
      ).default("auto" as const),
    )
    .option("--queue-url <url>", "the attack queue: measure the time from each flow to its alert")
    .addOption(
      describeDefault(
        new Option("--alert-timeout <seconds>", "wait this long after the last answer for alerts"),
        "30",
      ),
    )
    .addOption(deleteMessagesOption("delete the notifications matched to this run's flows"))
    .addOption(
      choiceOption("--output <format>", "table or json (one summary object)", OUTPUTS).default(
        "table" as const,
      ),
    )
    .option("--report <file>", "also write a report: FILE.html (self-contained) or FILE.md")
    .action(async (options) => {
      await runReplay(options, terminalReplayIo());
    });
  return withExamples(command as unknown as Command, [
    {
      what: "the test set at its recorded pace, ten times faster",
      line:
        "mlids replay --api-url URL --dataset-uri s3://ml-ids-2018-full/testing/test.h5 --speed 10",
    },
    {
      what: "200 flows at 50 a second, timing each attack's alert on the queue",
      line:
        "mlids replay --api-url URL --dataset-uri test.h5 --rate 50 --count 200 --queue-url QUEUE_URL",
    },
  ]);
}
