/**
 * `mlids evaluate`'s engine: a whole test set through the ML-IDS API in a bounded-memory pipeline
 * (read, encode, send, score), checkpointed after every batch so a stopped run resumes without
 * sending a completed batch again, and every metric an IDS paper reports.
 *
 * ```ts
 * import { evaluationMetrics, Tally, tallyBatch } from "./mod.ts";
 *
 * const tally = new Tally();
 * tally.add(tallyBatch(["Benign", "Bot", "Bot"], [0.1, 0.9, 0.4], 0.5));
 * const metrics = evaluationMetrics(tally);
 * console.assert(metrics.recall === 0.5 && metrics.scores?.auc === 1);
 * ```
 * @module
 */

export {
  type CategoryMetrics,
  confusionMetrics,
  type EvaluationMetrics,
  evaluationMetrics,
  type Interval,
  type PrPoint,
  type RocPoint,
  type ScoreMetrics,
  scoreMetrics,
  type ThresholdTable,
  wilsonInterval,
} from "./metrics.ts";
export {
  type CompletedBatch,
  type FailedBatch,
  type PipelineOptions,
  type PipelineOutcome,
  type PredictionEndpoint,
  runPipeline,
} from "./pipeline.ts";
export { evaluationReport, type ReportContext, selectionText } from "./report.ts";
export {
  DEFAULT_BATCH_SIZE,
  type EvaluationHooks,
  type EvaluationResult,
  type EvaluationSettings,
  type EvaluationStart,
  runEvaluation,
} from "./run.ts";
export { type EvaluationSummary, evaluationSummary } from "./summary.ts";
export { PredictionsFile, type PredictionsFormat, predictionsFormatOf } from "./predictions.ts";
export {
  type BatchRecord,
  datasetIdentity,
  defaultStatePath,
  type EvaluationPlan,
  remainingRows,
  type RunKey,
  StateFile,
} from "./state.ts";
export {
  type BatchTally,
  type CategoryTally,
  MAX_DISTINCT_SCORES,
  type ScoreCount,
  Tally,
  tallyBatch,
} from "./tally.ts";
