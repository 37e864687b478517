/**
 * A disk cache of what opening a dataset computes: its description and its label index (category ->
 * row numbers). Keyed by the file's real path, size and modification time, so a second open of an
 * unchanged file reads a few megabytes instead of decoding the whole dataset. Also where the
 * other per-dataset cache entries (the category rows of `category_rows_cache.ts`) live, under the
 * same identity.
 * @module
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import type { DatasetInfo, LabelIndex } from "../flow_dataset.ts";

/** What is cached for one dataset file. */
export interface DatasetIndex {
  readonly info: DatasetInfo;
  readonly labels: LabelIndex | null;
  /**
   * What the reader needs to read rows without parsing the file's metadata again (for pandas
   * tables, the layout of `pandas_table_layout.ts`), as JSON; the cache does not look inside.
   */
  readonly layout?: unknown;
}

/** Where the cache lives and which pandas key of the file it is for. */
export interface DatasetIndexCacheOptions {
  cacheDir: string;
  key?: string;
}

// 4: indexes from before the category rows cache are rebuilt once, which also writes that cache.
const MAGIC = "MLIDSIX4";
const HEADER_BYTES = 16;

/** What a cache entry is for: the file's real path, size and modification time, and the pandas key. */
export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  key: string | null;
}

interface StoredHeader {
  identity: FileIdentity;
  info: DatasetInfo;
  categories: { name: string; count: number }[] | null;
  layout?: unknown;
}

/** The identity of `file` (and pandas key) now; throws when the file cannot be stat'ed. */
export async function identifyDataset(
  file: string,
  key: string | undefined,
): Promise<FileIdentity> {
  const path = await Deno.realPath(file);
  const stat = await Deno.stat(path);
  return { path, size: stat.size, mtimeMs: stat.mtime?.getTime() ?? 0, key: key ?? null };
}

/**
 * Where the cache entry `suffix` (`.idx`, `.rows`, ...) of the dataset `identity` names lives: one
 * name per path and key, so a changed file's new entry replaces the old one.
 */
export function datasetCachePath(
  identity: FileIdentity,
  options: { cacheDir: string; suffix: string },
): string {
  const digest = createHash("sha256").update(`${identity.path}\0${identity.key ?? ""}`).digest(
    "hex",
  );
  return join(options.cacheDir, "index", `${digest.slice(0, 32)}${options.suffix}`);
}

function cacheFile(identity: FileIdentity, cacheDir: string): string {
  return datasetCachePath(identity, { cacheDir, suffix: ".idx" });
}

/** Whether two identities name the same unchanged file and key. */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.key === b.key;
}

/** The cached index of `file`, or null when there is none or the file changed since. Never throws for a bad cache. */
export async function loadDatasetIndex(
  file: string,
  options: DatasetIndexCacheOptions,
): Promise<DatasetIndex | null> {
  let bytes: Uint8Array;
  let identity: FileIdentity;
  try {
    identity = await identifyDataset(file, options.key);
    bytes = await Deno.readFile(cacheFile(identity, options.cacheDir));
  } catch {
    return null;
  }
  try {
    if (bytes.length < HEADER_BYTES) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return null;
    const headerLength = view.getUint32(8, true);
    const rowsOffset = view.getUint32(12, true);
    const header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + headerLength)),
    ) as StoredHeader;
    if (!sameIdentity(header.identity, identity)) return null;
    const layout = header.layout === undefined ? {} : { layout: header.layout };
    if (header.categories === null) return { info: header.info, labels: null, ...layout };
    const total = header.categories.reduce((sum, category) => sum + category.count, 0);
    if (rowsOffset % 4 !== 0 || rowsOffset + total * 4 > bytes.length) return null;
    // Copy once into an aligned buffer; the categories are views into it.
    const rows = new Uint32Array(total);
    rows.set(new Uint32Array(bytes.slice(rowsOffset, rowsOffset + total * 4).buffer));
    let start = 0;
    const categories = header.categories.map((category) => {
      const view = rows.subarray(start, start + category.count);
      start += category.count;
      return { name: category.name, rows: view };
    });
    return { info: header.info, labels: { categories }, ...layout };
  } catch {
    return null;
  }
}

/**
 * Stores the index of `file`; written to a temp file and renamed, so a crash never leaves half an
 * index. With `identity` (taken before the index was built), stores nothing and resolves false
 * when the file is no longer that one: an index of the old content must not pass for the new.
 */
export async function saveDatasetIndex(
  file: string,
  index: DatasetIndex,
  options: DatasetIndexCacheOptions & { identity?: FileIdentity },
): Promise<boolean> {
  const identity = await identifyDataset(file, options.key);
  if (options.identity !== undefined && !sameIdentity(options.identity, identity)) return false;
  const header: StoredHeader = {
    identity,
    info: index.info,
    categories: index.labels
      ? index.labels.categories.map((c) => ({ name: c.name, count: c.rows.length }))
      : null,
    layout: index.layout,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const rowsOffset = Math.ceil((HEADER_BYTES + headerBytes.length) / 4) * 4;
  const total = index.labels?.categories.reduce((sum, c) => sum + c.rows.length, 0) ?? 0;
  const bytes = new Uint8Array(rowsOffset + total * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, headerBytes.length, true);
  view.setUint32(12, rowsOffset, true);
  bytes.set(headerBytes, HEADER_BYTES);
  const rows = new Uint32Array(bytes.buffer, rowsOffset, total);
  let start = 0;
  for (const category of index.labels?.categories ?? []) {
    rows.set(category.rows, start);
    start += category.rows.length;
  }
  const target = cacheFile(identity, options.cacheDir);
  await Deno.mkdir(join(options.cacheDir, "index"), { recursive: true });
  const temp = `${target}.${crypto.randomUUID()}.part`;
  try {
    await Deno.writeFile(temp, bytes);
    await Deno.rename(temp, target);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  return true;
}
