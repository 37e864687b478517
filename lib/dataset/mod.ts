/**
 * The dataset engine: opens flows wherever they live (a path, `file://`, `s3://`) in whatever form
 * they were saved (pandas HDF5 table or fixed format, CICFlowMeter CSV) as a
 * {@linkcode FlowDataset}, indexes labels once (cached on disk), and selects flows by category or
 * at random, repeatably. It knows nothing of predictions, notifications or terminals: downloads and
 * notices are reported through callbacks.
 *
 * Two ways to read flows: `readRows` gives the rows asked for as one frame (a sample), and
 * `scan` gives rows in dataset order as batches of at most `batchRows` flows (whole datasets,
 * whole categories, a sorted pick): memory stays bounded by the batch size whatever the file's
 * size, since HDF5 chunks and CSV blocks are read as the scan reaches them. A scan stops when
 * its `signal` aborts or the loop breaks.
 *
 * ```ts
 * import { openDataset, selectFlows } from "./mod.ts";
 *
 * const path = new URL("../../dev/demo_data/ml-ids-demo.h5", import.meta.url);
 * const dataset = await openDataset(path.href, { cacheDir: await Deno.makeTempDir() });
 * const population = { rows: dataset.info.rows, labels: await dataset.labelIndex() };
 * const pick = selectFlows(population, { category: "Bot", count: 5, seed: 1 });
 * const flows = await dataset.readRows(pick.rows);
 * console.assert(flows.length === 5);
 *
 * // Every Bot flow, in dataset order, at most 100 a batch.
 * let seen = 0;
 * for await (const batch of dataset.scan({ categories: ["Bot"], batchRows: 100 })) {
 *   console.assert(batch.frame.length === batch.rows.length && batch.rows.length <= 100);
 *   seen += batch.frame.length;
 * }
 * const bot = (await dataset.labelIndex())?.categories.find((c) => c.name === "Bot");
 * console.assert(seen === bot?.rows.length);
 * dataset.close();
 * ```
 * @module
 */

export {
  detectStoredFormat,
  openDataset,
  type OpenDatasetOptions,
  resolveDatasetPath,
  type StoredFormat,
} from "./open.ts";
export type { DownloadProgress } from "./_s3.ts";
export { type CachedCategoriesOptions, cachedCategoryNames } from "./cached_categories.ts";
export {
  type ColumnInfo,
  type DatasetFormat,
  type DatasetInfo,
  DEFAULT_SCAN_BATCH_ROWS,
  type FlowBatch,
  type FlowDataset,
  type LabelCategory,
  type LabelIndex,
  type ScanOptions,
  sortCategories,
} from "./flow_dataset.ts";
export { scanDataset, type ScanSource } from "./_scan.ts";
export { type RunSelection, type RunSelectionOptions, selectRunFlows } from "./run_selection.ts";
export {
  findCategory,
  type FlowPopulation,
  type FlowSelection,
  mulberry32,
  seedOf,
  selectFlows,
  type SelectionOptions,
} from "./selection.ts";
