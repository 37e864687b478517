/**
 * Opens a dataset from wherever it lives (a path, `file://` URI or `s3://bucket/key`) in whatever
 * format it is stored (pandas HDF5, CICFlowMeter CSV), as a {@linkcode FlowDataset}.
 * @module
 */

import { UsageError } from "./errors.ts";
import type { FlowDataset } from "./flow_dataset.ts";

/** Where and how to open a dataset. */
export interface OpenDatasetOptions {
  /** pandas key inside an HDF5 file, when it holds several objects. */
  key?: string;
  /** S3 region (default eu-west-1, as the original client). */
  s3Region?: string;
  /** S3 endpoint override (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  s3Endpoint?: string;
  /** Sign S3 requests with the default AWS credential chain instead of reading anonymously. */
  s3Signed?: boolean;
  /** AWS profile for signed S3 requests. */
  s3Profile?: string;
  /** Explicit local file for the downloaded S3 object (the original's --s3-local-storage-path). */
  s3LocalStoragePath?: string;
  /** Cache directory (default $XDG_CACHE_HOME/mlids or ~/.cache/mlids). */
  cacheDir?: string;
  /** Show download progress on stderr. */
  showProgress?: boolean;
  /** Receives one-line notices (skipped header lines, dropped columns, ...) meant for stderr. */
  onNotice?: (message: string) => void;
}

/** Opens the dataset at `uri`; the label index is cached on disk so a second open is near instant. */
export function openDataset(uri: string, _options: OpenDatasetOptions = {}): Promise<FlowDataset> {
  // Filled in once the HDF5, CSV and S3 readers land.
  return Promise.reject(new UsageError(`cannot open '${uri}' yet`));
}
