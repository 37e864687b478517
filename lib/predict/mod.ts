/**
 * The prediction road: sends flows to the ML-IDS API as pandas split JSON (or MLflow's
 * `dataframe_split`), with batching, concurrency and retries ({@linkcode PredictionClient}) over
 * one exchange at a time ({@linkcode PredictionApi}, which also avoids servers' delayed-ACK
 * stalls on kept-alive connections), merges the answers with the true labels
 * ({@linkcode buildResults}) and scores them ({@linkcode scorePredictions}).
 *
 * ```ts
 * import { scorePredictions } from "./mod.ts";
 *
 * const scores = scorePredictions(["Benign", "Bot"], [0, 1]);
 * console.assert(scores.accuracy === 1);
 * ```
 * @module
 */

export {
  type ConnectionMode,
  type ConnectionPolicy,
  type ConnectionSwitch,
  isRetryable,
  PredictionApi,
  type PredictionApiOptions,
} from "./api.ts";
export {
  type PayloadFormat,
  PredictionClient,
  type PredictionClientOptions,
  type PredictionOutcome,
  resolveEndpoint,
} from "./client.ts";
export {
  BENIGN_LABEL,
  type CategoryScore,
  checkThreshold,
  type Confusion,
  DEFAULT_THRESHOLD,
  type PredictedLabel,
  predictedLabelOf,
  type PredictionScores,
  type ScoreOptions,
  scorePredictions,
} from "./metrics.ts";
export {
  buildResults,
  type BuildResultsOptions,
  flowJsonObjects,
  formatResults,
  labelsOf,
  type PredictionResults,
  resultCsvLines,
  type ResultFailure,
  type ResultFormat,
  resultTable,
} from "./results.ts";
