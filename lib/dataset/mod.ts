/**
 * The dataset engine: opens flows wherever they live (a path, `file://`, `s3://`) in whatever form
 * they were saved (pandas HDF5 table or fixed format, CICFlowMeter CSV) as a
 * {@linkcode FlowDataset}, indexes labels once (cached on disk), and selects flows by category or
 * at random, repeatably. It knows nothing of predictions, notifications or terminals: downloads and
 * notices are reported through callbacks.
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
export {
  type ColumnInfo,
  type DatasetFormat,
  type DatasetInfo,
  type FlowDataset,
  type LabelCategory,
  type LabelIndex,
  sortCategories,
} from "./flow_dataset.ts";
export {
  findCategory,
  type FlowPopulation,
  type FlowSelection,
  mulberry32,
  seedOf,
  selectFlows,
  type SelectionOptions,
} from "./selection.ts";
