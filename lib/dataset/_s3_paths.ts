/**
 * Where an S3 dataset lives on local disk, without the AWS SDK: the URI parsed, the cache file of
 * `s3://bucket/key`, or the `--s3-local-storage-path` file. Shared by the download and by readers
 * of the cache that must never download (shell completion).
 * @module
 */

import { basename, join, resolve } from "node:path";
import { defaultCacheDir } from "../cache_dir.ts";
import { UsageError } from "../errors.ts";

/** The ML-IDS test set: the example in messages about S3 URIs. */
export const EXAMPLE_URI = "s3://ml-ids-2018-full/testing/test.h5";

/** Parses `s3://bucket/key`; anything else (no bucket, no key, a `/`-ended prefix) is a UsageError. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const hint = `give the object as s3://bucket/key, e.g. ${EXAMPLE_URI}`;
  const match = /^s3:\/\/([^/]*)\/(.*)$/i.exec(uri.trim());
  if (!match) {
    throw new UsageError(`'${uri}' is not an S3 URI`, { hint });
  }
  const [, bucket, key] = match;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/.test(bucket)) {
    throw new UsageError(`'${uri}' has no valid bucket name`, { hint });
  }
  if (key === "" || key.endsWith("/")) {
    throw new UsageError(`'${uri}' names no object (the key is empty or a folder)`, { hint });
  }
  return { bucket, key };
}

/** A key segment as a safe file name: no `..` escapes, no characters Windows forbids. */
function safeSegment(segment: string): string {
  if (segment === "") return "%";
  if (segment === "." || segment === "..") return segment.replaceAll(".", "%2E");
  return segment.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\\:*?"<>|%]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** The file `fetchS3Object` keeps `s3://bucket/key` in under `cacheDir`. */
export function cachePathFor(cacheDir: string, bucket: string, key: string): string {
  return join(cacheDir, "s3", safeSegment(bucket), ...key.split("/").map(safeSegment));
}

/** The local file `s3://bucket/key` is kept in: `localPath` (a file, or a folder to put it in), else the cache. */
export async function s3LocalPath(
  bucket: string,
  key: string,
  options: { localPath?: string; cacheDir?: string },
): Promise<string> {
  if (options.localPath === undefined || options.localPath === "") {
    return cachePathFor(resolve(options.cacheDir ?? defaultCacheDir()), bucket, key);
  }
  const path = resolve(options.localPath);
  try {
    if ((await Deno.stat(path)).isDirectory) return join(path, safeSegment(basename(key)));
  } catch {
    // Not there yet: it is the file to create.
  }
  return path;
}
