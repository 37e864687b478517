/**
 * One round of `mlids predict`, shared by the scripted run and the interactive session: choose the
 * flows, send them, score the answers and render the view. Also the I/O a round talks to, so tests
 * can swap each part.
 * @module
 */

import type { FlowFrame } from "../lib/frame/mod.ts";
import {
  type FlowDataset,
  type LabelIndex,
  type OpenDatasetOptions,
  selectFlows,
} from "../lib/dataset/mod.ts";
import { CancelledError, MlidsError, RemoteError } from "../lib/errors.ts";
import {
  buildResults,
  type ConnectionSwitch,
  formatResults,
  labelsOf,
  type PayloadFormat,
  PredictionClient,
  type PredictionOutcome,
  type ResultFormat,
} from "../lib/predict/mod.ts";
import { formatCount, formatCountOf, type Overflow, ProgressBar } from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { renderResultsView, type ResultColumns } from "../lib/view/mod.ts";
import { batchChunks } from "./_output.ts";
import { writeAllSync } from "../lib/write_all.ts";

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
  /** The columns of the results table (`--columns`). */
  columns: ResultColumns;
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
  /**
   * Width to fit tables and charts into, or how to read it: read at each render, so a terminal
   * resized between rounds gets tables that fit. Default 100.
   */
  width?: number | (() => number);
  /** Opens the dataset; default {@linkcode realOpenDataset}. */
  openDataset?: (uri: string, options: OpenDatasetOptions) => Promise<FlowDataset>;
  /**
   * Calls `abort` on Ctrl-C (or SIGTERM) while the dataset is opened and while flows are sent;
   * returns the un-watch function.
   */
  watchInterrupt?: (abort: () => void) => () => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Longest a stderr line said while sending waits before it is written. */
const STDERR_INTERVAL_MS = 50;

/** A sink writing to a Deno stream; a closed pipe (`| head`) ends output quietly. */
export function streamSink(stream: { writeSync(bytes: Uint8Array): number }): TextSink {
  let closed = false;
  return {
    write(text: string): void {
      if (closed) return;
      try {
        writeAllSync(stream, encoder.encode(text));
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) closed = true;
        else throw error;
      }
    },
  };
}

/** One round's choice: a category (or any flow), how many, and the delay between flows. */
export interface RoundChoice {
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

/** The width to fit, read now. */
function widthNow(io: PredictIo): number {
  return typeof io.width === "function" ? io.width() : io.width ?? 100;
}

/** The line said when requests move to fresh connections because reused ones stall. */
export function connectionSwitchNote(change: ConnectionSwitch): string {
  return `note: the API answers in ${change.reuseMs.toFixed(0)} ms on a reused connection but ${
    change.freshMs.toFixed(1)
  } ms on a new one (a delayed-ACK stall: it writes headers and body apart without TCP_NODELAY); ` +
    "sending every further request on a new connection";
}

/** The dataset open for the session, and what is said about it only once. */
export interface Session {
  settings: PredictSettings;
  io: PredictIo;
  dataset: FlowDataset;
  labels: LabelIndex | null;
  featureColumns: string[];
}

/** Chooses, sends, scores and shows one round; throws RemoteError when flows got no prediction. */
export async function runRound(session: Session, choice: RoundChoice): Promise<void> {
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
  // Ctrl-C from here to the last answer cancels the round (the command or the menu decides what next).
  const controller = new AbortController();
  const unwatch = io.watchInterrupt?.(() => controller.abort());
  // Everything said while sending goes through one coalescing sink, in order.
  const sendingLog = coalescingSink(io.stderr, STDERR_INTERVAL_MS);
  let progress: ProgressBar | null = null;
  let frame: FlowFrame;
  let outcome: PredictionOutcome;
  let sendStarted: number;
  try {
    frame = await dataset.readRows(selection.rows);
    if (controller.signal.aborted) {
      throw new CancelledError("reading the flows was interrupted; nothing was sent");
    }
    const flows = frame;
    const labels = labelsOf(flows, info.labelColumn);
    const perFlow = choice.delayMs !== undefined;
    const progressStream = {
      writeSync(bytes: Uint8Array): number {
        sendingLog.write(decoder.decode(bytes));
        return bytes.length;
      },
    };
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
            ? `flow [${flows.index[row]}]`
            : `label [${escapeControl(labels[row] ?? "")}]`;
          sendingLog.write(`Requesting prediction [${request + 1}/${requests}] for ${what}...\n`);
        } else if (requests > 1 && progress === null) {
          progress = new ProgressBar(`Sending ${requests} requests`, flows.length, {
            stream: progressStream,
            isTerminal: io.stderrIsTTY ?? false,
            columns: widthNow(io),
          });
        }
      },
      onRequestDone: ({ rows }) => {
        progress?.tick(rows.length);
      },
      onConnectionSwitch: (change) => sendingLog.write(`${connectionSwitchNote(change)}\n`),
      onRetry: ({ request, attempt, error, waitMs }) => {
        sendingLog.write(
          `request ${request + 1} failed (${
            escapeControl(error.message)
          }); retrying in ${waitMs} ms (attempt ${attempt + 1})\n`,
        );
      },
    });
    sendStarted = performance.now();
    outcome = await client.predict(flows);
  } finally {
    unwatch?.();
    sendingLog.flush();
  }
  const sendSeconds = (performance.now() - sendStarted) / 1000;
  (progress as ProgressBar | null)?.finish();
  sendingLog.flush();
  const unanswered = outcome.failures.reduce((sum, failure) => sum + failure.rows.length, 0);
  const answered = frame.length - unanswered;
  // Attempts that brought no answer: every attempt but the one that succeeded per answered request.
  const failedAttempts = outcome.attempts - (outcome.requests - outcome.failures.length);
  io.stderr.write(
    `sent ${formatCountOf(frame.length, "flow")}, ${formatCount(answered)} answered, in ${
      formatCountOf(outcome.requests, "request")
    }${failedAttempts > 0 ? ` (${formatCountOf(failedAttempts, "failed attempt")})` : ""} in ${
      sendSeconds.toFixed(3)
    } s${
      answered > 0
        ? ` (${formatCount(Math.round(answered / Math.max(sendSeconds, 1e-6)))} flows/s)`
        : ""
    }\n`,
  );
  const results = buildResults(frame, {
    labelColumn: info.labelColumn,
    raw: outcome.predictions,
    threshold: settings.threshold,
    failures: outcome.failures,
  });
  if (answered === 0 && !outcome.aborted) throw allFailed(settings, outcome);
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
      width: widthNow(io),
      colour: io.colour ?? false,
      heading,
      columns: settings.columns,
    }));
  } else {
    for (const batch of batchChunks(formatResults(results, settings.output))) {
      io.stdout.write(batch);
    }
  }
  if (outcome.aborted) {
    throw new CancelledError(
      `sending was interrupted: ${answered} of ${frame.length} flows were answered (shown above), the rest not sent`,
    );
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

/**
 * The error when no request got an answer: which request failed and why, and what to check.
 * Nothing is shown then: a table of FAILED rows and metrics of nothing would only hide it.
 */
function allFailed(
  settings: PredictSettings,
  outcome: { requests: number; failures: { error: Error; request: number }[] },
): RemoteError {
  const first = outcome.failures[0]?.error;
  const which = outcome.requests === 1
    ? "the request"
    : `all ${outcome.requests} requests (the first: request ${
      (outcome.failures[0]?.request ?? 0) + 1
    })`;
  const why = first === undefined ? "no answer" : escapeControl(first.message);
  const hint = first instanceof MlidsError && first.hint
    ? `${first.hint.replace(/\.$/, "")}; the API is ${settings.apiUrl}`
    : `Check that the ML-IDS API runs at ${settings.apiUrl}, or retry with more --retries or a longer --timeout`;
  return new RemoteError(`no flow got a prediction: ${which} failed: ${why}`, {
    cause: first,
    hint: hint.charAt(0).toUpperCase() + hint.slice(1),
  });
}
