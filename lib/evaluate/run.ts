/**
 * One `mlids evaluate` run from start (or resume) to end: chooses the flows, opens or resumes the
 * checkpoint, runs the pipeline, writes each answered batch to the predictions file and the
 * checkpoint (in that order, so the checkpoint never counts a flow whose line is missing), and
 * adds up the counts, the latencies and the time spent. A finished run removes its checkpoint
 * unless asked to keep it; a stopped or failed one keeps it for `--resume`.
 * @module
 */

import {
  type FlowDataset,
  resolveDatasetPath,
  type RunSelection,
  selectRunFlows,
} from "../dataset/mod.ts";
import { InputError, UsageError } from "../errors.ts";
import { LatencyHistogram } from "../measure/mod.ts";
import { isRetryable, type PayloadFormat, PredictionApi } from "../predict/mod.ts";
import { type CompletedBatch, type FailedBatch, runPipeline } from "./pipeline.ts";
import { PredictionsFile } from "./predictions.ts";
import {
  type BatchRecord,
  datasetIdentity,
  defaultStatePath,
  type EvaluationPlan,
  remainingRows,
  StateFile,
} from "./state.ts";
import { Tally } from "./tally.ts";

/** What to evaluate and how, as the flags said. */
export interface EvaluationSettings {
  apiUrl: string;
  datasetUri: string;
  /** pandas key of the HDF5 file, if given. */
  datasetKey?: string;
  categories?: readonly string[];
  perCategory?: number;
  sample?: number;
  /** The seed as given; undefined: a fresh one, kept in the checkpoint. */
  seed?: string;
  /** Default 1000 (a resumed run: the saved run's). */
  batchSize?: number;
  concurrency: number;
  timeoutMs?: number;
  retries: number;
  /** Default 0.5 (a resumed run: the saved run's; another is refused). */
  threshold?: number;
  payloadFormat?: PayloadFormat;
  /** Flows per second at most. */
  maxRate?: number;
  /** The checkpoint file; default one in `cacheDir` per dataset, API and selection. */
  statePath?: string;
  cacheDir: string;
  resume: boolean;
  keepState: boolean;
  /** A `.csv` or `.jsonl` file for per-flow predictions (a resumed run: the saved run's). */
  predictionsPath?: string;
}

/** Told as a run goes. */
export interface EvaluationHooks {
  /** Once the flows are chosen and the checkpoint is ready. */
  onStart?: (start: EvaluationStart) => void;
  /** After each batch is checkpointed. */
  onBatch?: (progress: { answered: number; tally: Tally }) => void;
  onRetry?: (info: { error: Error; attempt: number; waitMs: number }) => void;
  onFailure?: (batch: FailedBatch) => void;
  /** One-line notices for stderr. */
  onNotice?: (message: string) => void;
  /** Stops sending; requests in flight finish and are checkpointed. */
  stop?: AbortSignal;
  /** Abandons the requests in flight as well. */
  abort?: AbortSignal;
}

/** How a run starts. */
export interface EvaluationStart {
  readonly plan: EvaluationPlan;
  readonly statePath: string;
  /** Flows answered by earlier sessions (a resumed run). */
  readonly alreadyAnswered: number;
  /** Flows this session sends. */
  readonly toSend: number;
  readonly resumed: boolean;
}

/** Everything a run counted: the metrics' input and the service figures. */
export interface EvaluationResult {
  readonly plan: EvaluationPlan;
  readonly tally: Tally;
  readonly latency: LatencyHistogram;
  /** Requests of the completed batches, and of this session's failed ones. */
  readonly requests: number;
  /** Extra attempts, in the same requests. */
  readonly retries: number;
  /** Flows left without a prediction by failed batches of this session. */
  readonly failed: number;
  readonly failures: readonly FailedBatch[];
  /** Seconds spent sending, every session together. */
  readonly elapsed: number;
  /** Every chosen flow was answered. */
  readonly complete: boolean;
  /** Stopped by Ctrl-C (stop or abort). */
  readonly stopped: boolean;
  /** Set when the run gave up after batches failed in a row. */
  readonly gaveUp: Error | null;
  /** The checkpoint, or null when a finished run removed it. */
  readonly statePath: string | null;
  /** Whether this session resumed a saved run. */
  readonly resumed: boolean;
}

/** Default flows per request. */
export const DEFAULT_BATCH_SIZE = 1000;

/** The flows the settings choose. */
function chooseFlows(
  dataset: FlowDataset,
  labels: Awaited<ReturnType<FlowDataset["labelIndex"]>>,
  selection: {
    categories: readonly string[] | null;
    perCategory: number | null;
    sample: number | null;
    seed: number | string | undefined;
  },
): RunSelection {
  return selectRunFlows({ rows: dataset.info.rows, labels }, {
    categories: selection.categories ?? undefined,
    perCategory: selection.perCategory ?? undefined,
    sample: selection.sample ?? undefined,
    seed: selection.seed,
  });
}

/** Whether `rows` is every row of the dataset (so the scan needs no row list). */
function everyRow(rows: Uint32Array, total: number): boolean {
  return rows.length === total && (total === 0 || rows[total - 1] === total - 1);
}

/** Runs (or resumes) the evaluation of `dataset` that `settings` describe. */
export async function runEvaluation(
  dataset: FlowDataset,
  settings: EvaluationSettings,
  hooks: EvaluationHooks = {},
): Promise<EvaluationResult> {
  const info = dataset.info;
  if (info.labelColumn === null) {
    throw new InputError(
      "the dataset has no labels, so there is nothing to score predictions against",
      {
        hint:
          "Evaluate a labelled test set; 'mlids predict' shows predictions of unlabelled flows.",
      },
    );
  }
  const api = new PredictionApi({
    apiUrl: settings.apiUrl,
    payloadFormat: settings.payloadFormat,
    timeoutMs: settings.timeoutMs,
  });
  try {
    const local = /^s3:\/\//i.test(settings.datasetUri)
      ? null
      : await resolveDatasetPath(settings.datasetUri);
    const identity = await datasetIdentity(settings.datasetUri, local);
    const statePath = settings.statePath ?? defaultStatePath(settings.cacheDir, {
      datasetIdentity: identity,
      datasetKey: settings.datasetKey ?? null,
      apiUrl: api.url.href,
      categories: settings.categories ?? null,
      perCategory: settings.perCategory ?? null,
      sample: settings.sample ?? null,
      seed: settings.seed ?? null,
    });
    // The label index is read only when the choice needs it: evaluating every flow (or a sample
    // of all of them) reads each flow's label as the flow is scanned.
    const labelsFor = async (selection: { categories: unknown; perCategory: unknown }) =>
      selection.categories != null || selection.perCategory != null
        ? await dataset.labelIndex()
        : null;
    let plan: EvaluationPlan;
    let records: BatchRecord[] = [];
    let state: StateFile;
    let predictions: PredictionsFile | null = null;
    let selection: RunSelection;
    if (settings.resume) {
      const saved = await StateFile.open(statePath);
      state = saved.state;
      try {
        plan = saved.plan;
        records = saved.records;
        checkResumable(plan, settings, { identity, apiUrl: api.url.href, rows: info.rows });
        selection = chooseFlows(dataset, await labelsFor(plan.selection), plan.selection);
        if (selection.rows.length !== plan.selected) {
          throw new InputError(
            `the saved run chose ${plan.selected} flows, but the same choice now gives ${selection.rows.length}`,
            { hint: "The dataset changed since; start the evaluation over without --resume." },
          );
        }
        if (plan.predictions !== null) {
          const last = records.reduce(
            (most, record) => Math.max(most, record.predictionsBytes ?? 0),
            plan.predictions.headerBytes,
          );
          predictions = await PredictionsFile.resume(plan.predictions.path, last);
        }
      } catch (error) {
        await state.close();
        throw error;
      }
    } else {
      const wanted = {
        categories: settings.categories ?? null,
        perCategory: settings.perCategory ?? null,
        sample: settings.sample ?? null,
        seed: settings.seed,
      };
      selection = chooseFlows(dataset, await labelsFor(wanted), wanted);
      if (selection.rows.length === 0) {
        throw new InputError("the choice of flows is empty: nothing to evaluate", {
          hint: "Check --category, --per-category and --sample.",
        });
      }
      if (settings.predictionsPath !== undefined) {
        predictions = await PredictionsFile.create(settings.predictionsPath);
      }
      plan = {
        dataset: {
          uri: settings.datasetUri,
          key: settings.datasetKey ?? null,
          identity,
          rows: info.rows,
        },
        apiUrl: api.url.href,
        selection: {
          categories: selection.categories,
          perCategory: settings.perCategory ?? null,
          sample: settings.sample ?? null,
          seed: selection.seed,
        },
        selected: selection.rows.length,
        batchSize: settings.batchSize ?? DEFAULT_BATCH_SIZE,
        threshold: settings.threshold ?? 0.5,
        payloadFormat: api.payloadFormat,
        predictions: predictions === null
          ? null
          : { path: predictions.path, format: predictions.format, headerBytes: predictions.bytes },
        startedAt: new Date().toISOString(),
      };
      if (await exists(statePath)) {
        hooks.onNotice?.(
          `replacing the saved, unfinished evaluation at ${statePath} (--resume would have continued it)`,
        );
      }
      try {
        state = await StateFile.create(statePath, plan);
      } catch (error) {
        predictions?.close();
        throw error;
      }
    }

    const tally = new Tally();
    const latency = new LatencyHistogram();
    let requests = 0;
    let retries = 0;
    let elapsedBefore = 0;
    for (const record of records) {
      tally.add(record.tally);
      for (const ms of record.latencies) latency.record(ms);
      requests++;
      retries += record.attempts - 1;
      elapsedBefore = Math.max(elapsedBefore, record.elapsed);
    }
    const alreadyAnswered = tally.flows;
    const rows = records.length === 0 && everyRow(selection.rows, info.rows)
      ? null
      : remainingRows(selection.rows, info.rows, records);
    const toSend = rows === null ? info.rows : rows.length;
    hooks.onStart?.({ plan, statePath, alreadyAnswered, toSend, resumed: settings.resume });

    const started = performance.now();
    const elapsedNow = () => elapsedBefore + (performance.now() - started) / 1000;
    let outcome;
    try {
      outcome = toSend === 0 ? null : await runPipeline(dataset, {
        rows,
        featureColumns: info.columns.map((column) => column.name).filter((name) =>
          name !== info.labelColumn && !info.identityColumns.includes(name)
        ),
        labelColumn: info.labelColumn,
        endpoint: api,
        isRetryable,
        batchSize: settings.batchSize ?? plan.batchSize,
        concurrency: settings.concurrency,
        retries: settings.retries,
        maxRate: settings.maxRate,
        threshold: plan.threshold,
        stop: hooks.stop,
        abort: hooks.abort,
        onRetry: hooks.onRetry,
        onFailure: hooks.onFailure,
        onBatch: async (batch: CompletedBatch) => {
          const predictionsBytes = predictions === null
            ? undefined
            : await predictions.write(batch.index, batch.labels, batch.raw, plan.threshold);
          await state.append({
            first: batch.first,
            last: batch.last,
            tally: batch.tally,
            latencies: batch.latencies.map((ms) => Math.round(ms * 1000) / 1000),
            attempts: batch.attempts,
            elapsed: Math.round(elapsedNow() * 1000) / 1000,
            ...(predictionsBytes === undefined ? {} : { predictionsBytes }),
          });
          tally.add(batch.tally);
          for (const ms of batch.latencies) latency.record(Math.round(ms * 1000) / 1000);
          requests++;
          retries += batch.attempts - 1;
          hooks.onBatch?.({ answered: tally.flows, tally });
        },
      });
    } finally {
      predictions?.close();
    }
    const failures = outcome?.failures ?? [];
    for (const failure of failures) {
      requests++;
      retries += failure.attempts - 1;
    }
    const failed = failures.reduce((sum, failure) => sum + failure.flows, 0);
    const complete = tally.flows === plan.selected;
    let keptPath: string | null = statePath;
    if (complete && !settings.keepState) {
      await state.remove();
      keptPath = null;
    } else {
      await state.close();
    }
    return {
      plan,
      tally,
      latency,
      requests,
      retries,
      failed,
      failures,
      elapsed: toSend === 0 ? elapsedBefore : elapsedNow(),
      complete,
      stopped: outcome?.stopped ?? false,
      gaveUp: outcome?.gaveUp ?? null,
      statePath: keptPath,
      resumed: settings.resume,
    };
  } finally {
    api.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuses to resume a saved run with another dataset, API, threshold or predictions file. */
function checkResumable(
  plan: EvaluationPlan,
  settings: EvaluationSettings,
  now: { identity: string; apiUrl: string; rows: number },
): void {
  if (plan.dataset.identity !== now.identity || plan.dataset.rows !== now.rows) {
    throw new InputError(`the dataset changed since the saved run started (${plan.startedAt})`, {
      hint: "Start the evaluation over without --resume.",
    });
  }
  if (plan.apiUrl !== now.apiUrl) {
    throw new UsageError(`the saved run sent to ${plan.apiUrl}, not ${now.apiUrl}`, {
      hint: "Resume with the same --api-url, or start over without --resume.",
    });
  }
  if (settings.threshold !== undefined && settings.threshold !== plan.threshold) {
    throw new UsageError(
      `the saved run scored at --threshold ${plan.threshold}, not ${settings.threshold}`,
      { hint: "Resume without --threshold (or with the same one)." },
    );
  }
  if (
    settings.predictionsPath !== undefined &&
    settings.predictionsPath !== plan.predictions?.path
  ) {
    throw new UsageError(
      plan.predictions === null
        ? "the saved run wrote no predictions file, so a resumed one cannot start one"
        : `the saved run writes its predictions to ${plan.predictions.path}`,
      { hint: "Resume without --predictions (or with the same file)." },
    );
  }
}
