/**
 * A disk cache of the raw rows (the on-disk row bytes of a pandas table) of every category of a
 * dataset but its most frequent one, one file per category in row order, written during the label
 * scan of the first open. Reading a few hundred rows of a minority category then takes positioned
 * reads of a small file instead of inflating hundreds of chunks. Kept beside the dataset index
 * (`dataset_index_cache.ts`) under the same identity, so a changed file invalidates it.
 * @module
 */

import { join } from "node:path";
import { statfsSync } from "node:fs";
import {
  datasetCachePath,
  type FileIdentity,
  identifyDataset,
  sameIdentity,
} from "./label_index.ts";
import type { LabelIndex } from "../flow_dataset.ts";
import { writeAllSync } from "../../write_all.ts";

/** Where the cache lives and which pandas key of the file it is for. */
export interface CategoryRowsCacheOptions {
  cacheDir: string;
  key?: string;
}

/** Options of {@linkcode createCategoryRowsWriter}. */
export interface CategoryRowsWriterOptions extends CategoryRowsCacheOptions {
  /** Bytes of one stored row (the table's element size). */
  rowBytes: number;
  /** Most bytes the cached rows may take; default {@linkcode defaultCategoryRowsLimit}. */
  maxBytes?: number;
  /** Rows scanned before the category left out (the most frequent so far) is chosen; default 65536. */
  chooseAfterRows?: number;
  /** Receives the one-line notice of a failed write (the cache is then skipped). */
  onNotice?: (message: string) => void;
}

const MANIFEST = "manifest.json";
const FORMAT = "mlids-category-rows-1";
const SUFFIX = ".rows";
/** Bytes buffered per category before a write, once the left-out category is chosen. */
const FLUSH_BYTES = 1 << 18;
/** Rows buffered (every category) before the left-out category is chosen, at most. */
const CHOOSE_BYTES = 16 << 20;
const CHOOSE_ROWS = 1 << 16;
/** More categories than this (numeric labels, say) are not worth a file each. */
const MAX_CATEGORIES = 256;
/** Free space left on the cache's disk after the largest cache allowed. */
const FREE_RESERVE = 256 << 20;
/** Rows closer than this many bytes apart are read in one read. */
const COALESCE_GAP = 1 << 16;

interface Manifest {
  format: string;
  identity: FileIdentity;
  rowBytes: number;
  categories: { name: string; file: string; rows: number }[];
}

/** The most bytes the category rows of a `fileSize`-byte dataset may take: 60% of it (at least 32 MiB), at most 1 GiB. */
export function defaultCategoryRowsLimit(fileSize: number): number {
  return Math.min(1 << 30, Math.max(Math.floor(fileSize * 0.6), 32 << 20));
}

/** Free bytes on the disk holding `dir`, or null when this process may not ask. */
function freeBytes(dir: string): number | null {
  try {
    const kind = "statfs" as Deno.SysPermissionDescriptor["kind"];
    if (Deno.permissions.querySync({ name: "sys", kind }).state !== "granted") return null;
    const stats = statfsSync(dir);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

/** One category's rows on their way to disk. */
class CategoryBuffer {
  buffer = new Uint8Array(FLUSH_BYTES);
  used = 0;
  rows = 0;
  file: Deno.FsFile | null = null;

  constructor(readonly name: string, readonly fileName: string) {}

  append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.used + bytes.length));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  flush(dir: string): void {
    this.file ??= Deno.openSync(join(dir, this.fileName), {
      write: true,
      create: true,
      truncate: true,
    });
    writeAllSync(this.file, this.buffer.subarray(0, this.used));
    this.used = 0;
    // The buffer grew while the left-out category was not chosen yet: give that memory back.
    if (this.buffer.length > FLUSH_BYTES * 2) this.buffer = new Uint8Array(FLUSH_BYTES);
  }

  close(): void {
    try {
      this.file?.close();
    } catch {
      // Already closed.
    }
    this.file = null;
  }
}

/**
 * Takes the rows the label scan hands it (a `CategoryRowSink` of `pandas_hdf.ts`) and writes them
 * to a `.part` directory, renamed into place by {@linkcode CategoryRowsWriter.finish}. Any failure
 * or the size limit removes what was written and turns the writer into a no-op.
 */
export class CategoryRowsWriter {
  readonly #identity: FileIdentity;
  readonly #target: string;
  readonly #part: string;
  readonly #rowBytes: number;
  readonly #maxBytes: number;
  readonly #chooseAfterRows: number;
  readonly #onNotice?: (message: string) => void;
  readonly #buffers = new Map<string, CategoryBuffer>();
  #leftOut: string | null = null;
  #chosen = false;
  #bytes = 0;
  #failed = false;
  /** Files named so far: names are never reused, also after the left-out category's is dropped. */
  #files = 0;

  constructor(
    paths: { identity: FileIdentity; target: string; part: string },
    options: CategoryRowsWriterOptions & { maxBytes: number },
  ) {
    this.#identity = paths.identity;
    this.#target = paths.target;
    this.#part = paths.part;
    this.#rowBytes = options.rowBytes;
    this.#maxBytes = options.maxBytes;
    this.#chooseAfterRows = options.chooseAfterRows ?? CHOOSE_ROWS;
    this.#onNotice = options.onNotice;
  }

  /** False once the writer gave up (limit, failure) and for the category left out. */
  wants(category: string): boolean {
    if (this.#failed || category === this.#leftOut) return false;
    return this.#buffers.has(category) || this.#buffers.size < MAX_CATEGORIES ||
      this.#giveUp();
  }

  /** Rows of `category` (ascending, after every row handed before) and their bytes. */
  take(category: string, batch: { rows: Uint32Array; bytes: Uint8Array }): void {
    if (!this.wants(category) || batch.rows.length === 0) return;
    if (batch.bytes.length !== batch.rows.length * this.#rowBytes) {
      this.#giveUp();
      return;
    }
    try {
      // Chosen between chunks where possible: a chunk's categories come one after another.
      if (!this.#chosen && batch.rows[0] >= this.#chooseAfterRows) {
        this.#choose(null);
        if (!this.wants(category)) return;
      }
      let buffer = this.#buffers.get(category);
      if (buffer === undefined) {
        buffer = new CategoryBuffer(category, `${this.#files++}${SUFFIX}`);
        this.#buffers.set(category, buffer);
      }
      buffer.append(batch.bytes);
      buffer.rows += batch.rows.length;
      this.#bytes += batch.bytes.length;
      if (!this.#chosen) {
        if (this.#bytes >= CHOOSE_BYTES) this.#choose(null);
      } else if (buffer.used >= FLUSH_BYTES) {
        buffer.flush(this.#part);
      }
      if (this.#chosen && this.#bytes > this.#maxBytes) this.#giveUp();
    } catch (error) {
      this.#giveUp(error);
    }
  }

  /** Leaves out `name`, else the category with the most rows so far; writes out the others. */
  #choose(name: string | null): void {
    this.#chosen = true;
    let leftOut = name;
    if (leftOut === null) {
      let most = -1;
      for (const buffer of this.#buffers.values()) {
        if (buffer.rows > most) {
          most = buffer.rows;
          leftOut = buffer.name;
        }
      }
    }
    this.#leftOut = leftOut;
    const dropped = leftOut === null ? undefined : this.#buffers.get(leftOut);
    if (dropped !== undefined) {
      this.#bytes -= dropped.rows * this.#rowBytes;
      this.#buffers.delete(dropped.name);
    }
    if (this.#bytes > this.#maxBytes) {
      this.#giveUp();
      return;
    }
    for (const buffer of this.#buffers.values()) {
      if (buffer.used >= FLUSH_BYTES) buffer.flush(this.#part);
    }
  }

  /** Stops caching: closes and removes what was written; with an error, says so once. */
  #giveUp(error?: unknown): false {
    if (!this.#failed && error !== undefined) {
      this.#onNotice?.(
        `could not cache category rows in ${this.#part}: ${
          error instanceof Error ? error.message : String(error)
        }; sampling reads the dataset instead`,
      );
    }
    this.#failed = true;
    for (const buffer of this.#buffers.values()) buffer.close();
    this.#buffers.clear();
    try {
      Deno.removeSync(this.#part, { recursive: true });
    } catch {
      // Nothing written yet.
    }
    return false;
  }

  /**
   * Completes the cache once the scan built `labels`: writes the rest, checks every category's
   * row count against the index and renames the directory into place. Whether a cache now exists.
   */
  async finish(labels: LabelIndex | null): Promise<boolean> {
    if (this.#failed) return false;
    if (labels === null || labels.categories.length === 0) {
      this.#giveUp();
      return false;
    }
    try {
      if (!this.#chosen) this.#choose(labels.categories[0].name);
      if (this.#failed) return false;
      const counts = new Map(labels.categories.map((c) => [c.name, c.rows.length]));
      const categories: Manifest["categories"] = [];
      for (const buffer of this.#buffers.values()) {
        if (counts.get(buffer.name) !== buffer.rows) {
          throw new Error(`category '${buffer.name}' got ${buffer.rows} rows, not its count`);
        }
        buffer.flush(this.#part);
        buffer.close();
        const size = (await Deno.stat(join(this.#part, buffer.fileName))).size;
        if (size !== buffer.rows * this.#rowBytes) {
          throw new Error(`${buffer.fileName} holds ${size} bytes, not ${buffer.rows} rows`);
        }
        categories.push({ name: buffer.name, file: buffer.fileName, rows: buffer.rows });
      }
      const manifest: Manifest = {
        format: FORMAT,
        identity: this.#identity,
        rowBytes: this.#rowBytes,
        categories,
      };
      await Deno.writeTextFile(join(this.#part, MANIFEST), JSON.stringify(manifest));
      // Rows of a file replaced during the scan are not its rows: keep nothing.
      const now = await identifyDataset(this.#identity.path, this.#identity.key ?? undefined);
      if (!sameIdentity(now, this.#identity)) {
        this.#giveUp();
        return false;
      }
      await Deno.remove(this.#target, { recursive: true }).catch(() => {});
      await Deno.rename(this.#part, this.#target);
      this.#buffers.clear();
      return true;
    } catch (error) {
      this.#giveUp(error);
      return false;
    }
  }

  /** Drops everything written (the scan failed). */
  abort(): void {
    if (!this.#failed) this.#giveUp();
  }
}

/**
 * A writer for the category rows of `file`, or null when the cache's disk is low on space. Removes
 * an older cache of the same path and key first (this is the first open since it changed). With
 * `identity` (the file's, taken before the scan), the rows are kept only if the file is still that.
 */
export async function createCategoryRowsWriter(
  file: string,
  options: CategoryRowsWriterOptions & { identity?: FileIdentity },
): Promise<CategoryRowsWriter | null> {
  const identity = options.identity ?? await identifyDataset(file, options.key);
  const maxBytes = options.maxBytes ?? defaultCategoryRowsLimit(identity.size);
  const target = datasetCachePath(identity, { cacheDir: options.cacheDir, suffix: SUFFIX });
  await Deno.remove(target, { recursive: true }).catch(() => {});
  const index = join(options.cacheDir, "index");
  await Deno.mkdir(index, { recursive: true });
  const free = freeBytes(index);
  if (free !== null && free < maxBytes + FREE_RESERVE) return null;
  const part = `${target}.${crypto.randomUUID()}.part`;
  await Deno.mkdir(part);
  return new CategoryRowsWriter({ identity, target, part }, { ...options, maxBytes });
}

/** A cached category: its row numbers (ascending) and the file holding their bytes. */
interface CachedCategory {
  readonly name: string;
  readonly rows: Uint32Array;
  readonly path: string;
  file: Deno.FsFile | null;
}

/** Index of `row` in the ascending `rows`, or -1. */
function findRow(rows: Uint32Array, row: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = rows[middle];
    if (value === row) return middle;
    if (value < row) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/**
 * The slots 0..n-1 ordered by (category, place, slot): a stable LSD radix sort in three counting
 * passes (place's low and high 16 bits, then category). Hand-written because it is linear and
 * exact for any n, where a comparator sort of a million slots is several times slower and packing
 * the three into one double (what this replaced) loses the slot once category * n passes 2^21.
 */
function sortByCategoryAndPlace(category: Int32Array, place: Uint32Array): Uint32Array {
  const n = category.length;
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Uint32Array(n);
  const pass = (digit: (slot: number) => number, buckets: number): void => {
    const counts = new Uint32Array(buckets + 1);
    for (let i = 0; i < n; i++) counts[digit(order[i]) + 1]++;
    for (let b = 1; b <= buckets; b++) counts[b] += counts[b - 1];
    for (let i = 0; i < n; i++) {
      const slot = order[i];
      spare[counts[digit(slot)]++] = slot;
    }
    [order, spare] = [spare, order];
  };
  pass((slot) => place[slot] & 0xffff, 1 << 16);
  pass((slot) => place[slot] >>> 16, 1 << 16);
  let categories = 0;
  for (let i = 0; i < n; i++) categories = Math.max(categories, category[i] + 1);
  pass((slot) => category[slot], categories);
  return order;
}

/** The cached rows of a dataset's minority categories, read by row number. */
export class CategoryRows {
  readonly #categories: CachedCategory[];
  /** Bytes of one row. */
  readonly rowBytes: number;

  constructor(categories: CachedCategory[], rowBytes: number) {
    this.#categories = categories;
    this.rowBytes = rowBytes;
  }

  /** The names of the cached categories. */
  get categories(): string[] {
    return this.#categories.map((c) => c.name);
  }

  /** For each row, its category (index) and place in that category's file; null when one is not cached. */
  #locate(rows: ArrayLike<number>): { category: Int32Array; place: Uint32Array } | null {
    const category = new Int32Array(rows.length);
    const place = new Uint32Array(rows.length);
    let last = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      let found = -1;
      for (let k = 0; k < this.#categories.length && found < 0; k++) {
        const c = (last + k) % this.#categories.length;
        const at = findRow(this.#categories[c].rows, row);
        if (at >= 0) {
          found = c;
          place[i] = at;
        }
      }
      if (found < 0) return null;
      category[i] = found;
      last = found;
    }
    return { category, place };
  }

  /** Whether every row of `rows` is in a cached category. */
  covers(rows: ArrayLike<number>): boolean {
    return this.#categories.length > 0 && this.#locate(rows) !== null;
  }

  /**
   * The bytes of `rows` (in the order given, `rowBytes` each), by positioned reads of the category
   * files (sorted, near rows in one read); null when a row is not cached. Throws when a file is
   * missing or short.
   */
  read(rows: ArrayLike<number>): Promise<Uint8Array | null> {
    const located = this.#locate(rows);
    if (located === null) return Promise.resolve(null);
    const size = this.rowBytes;
    const out = new Uint8Array(rows.length * size);
    const n = rows.length;
    const order = sortByCategoryAndPlace(located.category, located.place);
    let i = 0;
    while (i < n) {
      const slot0 = order[i];
      const category = located.category[slot0];
      const first = located.place[slot0];
      // Extend the run while the next row is of the same category and near.
      let j = i + 1;
      let lastPlace = first;
      while (j < n) {
        const slot = order[j];
        if (located.category[slot] !== category) break;
        const place = located.place[slot];
        if ((place - lastPlace) * size > COALESCE_GAP) break;
        lastPlace = place;
        j++;
      }
      const span = this.#readSpan(this.#categories[category], first, lastPlace + 1);
      for (let k = i; k < j; k++) {
        const slot = order[k];
        const from = (located.place[slot] - first) * size;
        out.set(span.subarray(from, from + size), slot * size);
      }
      i = j;
    }
    return Promise.resolve(out);
  }

  /** Rows `from` to `to` of a category's file. */
  #readSpan(category: CachedCategory, from: number, to: number): Uint8Array {
    if (category.file === null) {
      const file = Deno.openSync(category.path, { read: true });
      if (file.statSync().size !== category.rows.length * this.rowBytes) {
        file.close();
        throw new Error(`${category.path} is not ${category.rows.length} rows long`);
      }
      category.file = file;
    }
    const length = (to - from) * this.rowBytes;
    const bytes = new Uint8Array(length);
    category.file.seekSync(from * this.rowBytes, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < length) {
      const read = category.file.readSync(bytes.subarray(filled));
      if (read === null || read === 0) throw new Error(`${category.path} ends early`);
      filled += read;
    }
    return bytes;
  }

  close(): void {
    for (const category of this.#categories) {
      try {
        category.file?.close();
      } catch {
        // Already closed.
      }
      category.file = null;
    }
  }
}

/**
 * The cached category rows of `file` when there are some for it as it is now and they agree with
 * `labels` (every category's row count); else null. Never throws for a bad cache.
 */
export async function loadCategoryRows(
  file: string,
  labels: LabelIndex,
  options: CategoryRowsCacheOptions,
): Promise<CategoryRows | null> {
  try {
    const identity = await identifyDataset(file, options.key);
    const dir = datasetCachePath(identity, { cacheDir: options.cacheDir, suffix: SUFFIX });
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST))) as Manifest;
    if (manifest.format !== FORMAT || !sameIdentity(manifest.identity, identity)) return null;
    if (!Number.isSafeInteger(manifest.rowBytes) || manifest.rowBytes <= 0) return null;
    const byName = new Map(labels.categories.map((c) => [c.name, c.rows]));
    const categories: CachedCategory[] = [];
    for (const entry of manifest.categories) {
      const rows = byName.get(entry.name);
      if (rows === undefined || rows.length !== entry.rows) return null;
      if (typeof entry.file !== "string" || !/^\d+\.rows$/.test(entry.file)) return null;
      categories.push({ name: entry.name, rows, path: join(dir, entry.file), file: null });
    }
    return new CategoryRows(categories, manifest.rowBytes);
  } catch {
    return null;
  }
}
