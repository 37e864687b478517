/**
 * The reference datasets in ../shared/datasets, which tests read when that folder sits beside the
 * repository (CI has it; a plain clone may not).
 * @module
 */

import { fileURLToPath } from "node:url";

/** The folder of the reference datasets, with a trailing slash. */
export const SHARED_DATASETS: string = fileURLToPath(
  new URL("../../../shared/datasets/", import.meta.url),
);

/** Whether the reference datasets are there; tests that need them are ignored otherwise. */
export const sharedDatasetsPresent: boolean = (() => {
  try {
    return Deno.statSync(SHARED_DATASETS).isDirectory;
  } catch {
    return false;
  }
})();
