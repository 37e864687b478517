/**
 * The category names of a dataset as its cached label index has them, for shell completion: it
 * never downloads, never opens the dataset, and answers null when nothing is cached.
 * @module
 */

import { fileURLToPath } from "node:url";
import { defaultCacheDir } from "../cache_dir.ts";
import { loadDatasetIndex } from "./cache/label_index.ts";
import { parseS3Uri, s3LocalPath } from "./_s3_paths.ts";

/** Where the dataset and its cache are, as the dataset flags say. */
export interface CachedCategoriesOptions {
  /** pandas key (`--key`). */
  key?: string;
  /** `--s3-local-storage-path`. */
  s3LocalStoragePath?: string;
  /** Default: the mlids cache folder. */
  cacheDir?: string;
}

/**
 * The category names of the dataset at `uri` (a path, `file://` or `s3://` URI), most frequent
 * first, from the label index cached by an earlier open; null when there is none, the file changed
 * since, or anything cannot be read. Reads a few files and never throws.
 */
export async function cachedCategoryNames(
  uri: string,
  options: CachedCategoriesOptions = {},
): Promise<string[] | null> {
  try {
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    let path: string;
    if (/^s3:\/\//i.test(uri)) {
      const { bucket, key } = parseS3Uri(uri);
      path = await s3LocalPath(bucket, key, { localPath: options.s3LocalStoragePath, cacheDir });
    } else {
      path = /^file:/i.test(uri) ? fileURLToPath(uri) : uri;
    }
    const index = await loadDatasetIndex(path, { cacheDir, key: options.key });
    return index?.labels?.categories.map((category) => category.name) ?? null;
  } catch {
    return null;
  }
}
