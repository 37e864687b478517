/**
 * Opens a dataset from wherever it lives (a path, `file://` URI or `s3://bucket/key`) in whatever
 * format it is stored (pandas HDF5, CICFlowMeter CSV), as a {@linkcode FlowDataset}. The label
 * index is cached on disk, so reopening an unchanged file skips decoding it, and so are the rows of
 * a pandas table's minority categories, so sampling them skips inflating chunks; the readers
 * (h5wasm, the AWS SDK) are loaded only when a dataset needs them.
 * @module
 */

import { fileURLToPath } from "node:url";
import type { DownloadProgress } from "./_s3.ts";
import { InputError, MachineError, throwIfCancelled, UsageError } from "../errors.ts";
import type { FlowFrame } from "../frame/mod.ts";
import type {
  DatasetInfo,
  FlowBatch,
  FlowDataset,
  LabelIndex,
  ScanOptions,
} from "./flow_dataset.ts";
import { scanDataset, scanRowsOf } from "./_scan.ts";
import {
  type FileIdentity,
  identifyDataset,
  loadDatasetIndex,
  saveDatasetIndex,
} from "./cache/label_index.ts";
import { defaultCacheDir, removeStaleParts } from "../cache_dir.ts";
import type { PandasTableLayout } from "./pandas/table_layout.ts";
import type { CategoryRows } from "./cache/category_rows.ts";
import { HDF5_SIGNATURE_BYTES, isHdf5Signature, superblockOffsets } from "./hdf5/signature.ts";

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
  /** Told how an S3 download goes, to show its progress. */
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** Receives one-line notices (skipped header lines, dropped columns, ...) meant for stderr. */
  onNotice?: (message: string) => void;
  /** From this many rows on, a first open says it is indexing (default 200,000). */
  indexNoticeRows?: number;
  /** From this size on, the first open of a CSV says it reads the whole file (default 64 MiB). */
  indexNoticeBytes?: number;
  /**
   * Stops the work: an S3 download or the first open's label scan under way is abandoned with a
   * CancelledError, leaving nothing behind in the cache. mlids' lib installs no signal listeners:
   * the command turns Ctrl-C/SIGTERM into this signal.
   */
  signal?: AbortSignal;
  /**
   * When a first open indexes the labels: `open` (default) before openDataset returns; `first-use`
   * when labelIndex() is first called, for callers that may only scan every row (evaluate) and so
   * never pay for an index they do not use.
   */
  labelIndexing?: "open" | "first-use";
}

/** The storage family of a local file, told from its first bytes. */
export type StoredFormat = "hdf5" | "csv" | "parquet";

/** From this size on, the first open of a CSV says that it reads the whole file. */
const LARGE_CSV_BYTES = 64 << 20;

/** From this many rows on, the first open says that it is indexing. */
const LARGE_DATASET_ROWS = 200_000;

/** The local file a dataset URI names, downloading S3 objects into the cache first. */
export async function resolveDatasetPath(
  uri: string,
  options: OpenDatasetOptions = {},
): Promise<string> {
  if (uri.trim() === "") {
    throw new UsageError("the dataset URI is empty", {
      hint: "Pass a path, a file:// URI or s3://bucket/key.",
    });
  }
  if (/^s3:\/\//i.test(uri)) {
    const { fetchS3Object } = await import("./_s3.ts");
    return await fetchS3Object(uri, {
      region: options.s3Region,
      endpoint: options.s3Endpoint,
      signed: options.s3Signed,
      profile: options.s3Profile,
      localPath: options.s3LocalStoragePath,
      cacheDir: options.cacheDir,
      onProgress: options.onDownloadProgress,
      onNotice: options.onNotice,
      signal: options.signal,
    });
  }
  if (/^file:/i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch (error) {
      throw new UsageError(`'${uri}' is not a valid file:// URI`, {
        hint: "Use file:///absolute/path or a plain path.",
        cause: error,
      });
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(uri);
  if (scheme) {
    throw new UsageError(`'${scheme[1]}://' datasets are not supported`, {
      hint: "Pass a local path, a file:// URI or s3://bucket/key.",
    });
  }
  return uri;
}

/** Tells a pandas HDF5 file (by its signature, also after a user block) or a Parquet file (`PAR1`) from a CSV; InputError for none. */
export async function detectStoredFormat(path: string): Promise<StoredFormat> {
  let file: Deno.FsFile;
  try {
    const stat = await Deno.stat(path);
    if (stat.isDirectory) {
      throw new InputError(`'${path}' is a directory, not a dataset`, {
        hint: "Pass the .h5 or .csv file inside it.",
      });
    }
    if (stat.size === 0) {
      throw new InputError(`'${path}' is empty`, {
        hint: "Pass a pandas HDF5 file or a CICFlowMeter CSV.",
      });
    }
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`dataset '${path}' does not exist`, {
        hint: "Check the path, or pass an s3://bucket/key URI.",
      });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new MachineError(`cannot read dataset '${path}': permission denied`, {
        hint: "Check the file's permissions.",
      });
    }
    throw error;
  }
  try {
    const head = new Uint8Array(4096);
    const read = (await file.read(head)) ?? 0;
    if (read >= 4 && String.fromCharCode(...head.subarray(0, 4)) === "PAR1") {
      const { isParquetFile } = await import("./parquet/reader.ts");
      if (await isParquetFile(path)) return "parquet";
      throw new InputError(`'${path}' starts as a Parquet file but does not end as one`, {
        hint: "The file is cut short; download or copy it again.",
      });
    }
    const size = (await file.stat()).size;
    for (const offset of superblockOffsets(size)) {
      let bytes: Uint8Array = head;
      let at = offset;
      if (offset + HDF5_SIGNATURE_BYTES > read) {
        bytes = new Uint8Array(HDF5_SIGNATURE_BYTES);
        at = 0;
        await file.seek(offset, Deno.SeekMode.Start);
        if ((await file.read(bytes)) !== HDF5_SIGNATURE_BYTES) break;
      }
      if (isHdf5Signature(bytes, at)) return "hdf5";
    }
    if (head.subarray(0, read).includes(0)) {
      throw new InputError(
        `'${path}' is neither a pandas HDF5 file, a Parquet file nor a CICFlowMeter CSV`,
        {
          hint: "Save flows with df.to_hdf(path, key) or export them from CICFlowMeter as CSV.",
        },
      );
    }
    return "csv";
  } finally {
    file.close();
  }
}

async function openReader(
  path: string,
  format: StoredFormat,
  options: OpenDatasetOptions,
): Promise<FlowDataset> {
  if (format === "hdf5") {
    const { openPandasHdf } = await import("./pandas/hdf.ts");
    return await openPandasHdf(path, { key: options.key });
  }
  if (format === "parquet") {
    const { openParquet } = await import("./parquet/reader.ts");
    return await openParquet(path, { onNotice: options.onNotice });
  }
  const { openFlowCsv } = await import("./csv/cicflowmeter.ts");
  return await openFlowCsv(path, { onNotice: options.onNotice, signal: options.signal });
}

/**
 * Reads rows of a pandas table by its cached layout, straight through the native chunk reader:
 * no h5wasm and no metadata parsing. Falls back to `open` when the layout is not one.
 */
async function openCachedTable(
  path: string,
  info: DatasetInfo,
  source: { table: () => Promise<PandasTableLayout | null>; open: () => Promise<FlowDataset> },
): Promise<FlowDataset> {
  const table = await source.table();
  if (table === null) return await source.open();
  const { readTableRows, streamTableRows } = await import("./pandas/table_layout.ts");
  const labelIndex = () => Promise.reject(new Error("the cached reader reads rows only"));
  const readRows = (rows: ArrayLike<number>) => readTableRows(path, table, rows);
  return {
    info,
    labelIndex,
    readRows,
    scan: (options) =>
      scanDataset({
        rows: info.rows,
        labelIndex,
        readRows,
        chunkRows: table.chunks.chunkShape[0],
        stream: (wanted, batchRows) => streamTableRows(path, table, { wanted, batchRows }),
      }, options),
    close: () => {},
  };
}

/** A table's rows read from the category rows cache, with the table's layout to decode them. */
interface CachedRows {
  readonly table: PandasTableLayout;
  readonly cache: CategoryRows;
}

/**
 * Reads rows from the category rows cache (`category_rows_cache.ts`) when every row asked for is
 * in a cached category, decoded as the chunk path decodes them; null sends the caller to the file.
 */
class CategoryRowsReader {
  #state: Promise<CachedRows | null> | undefined;

  constructor(
    private readonly load: () => Promise<CachedRows | null>,
  ) {}

  /** Whether every row of `rows` is in the cache. */
  async covers(rows: ArrayLike<number>): Promise<boolean> {
    if (rows.length === 0) return false;
    this.#state ??= this.load().catch(() => null);
    const cached = await this.#state;
    return cached !== null && cached.cache.covers(rows);
  }

  async read(rows: ArrayLike<number>): Promise<FlowFrame | null> {
    if (rows.length === 0) return null;
    this.#state ??= this.load().catch(() => null);
    const cached = await this.#state;
    if (cached === null || !cached.cache.covers(rows)) return null;
    const { decodeTableRows } = await import("./pandas/table_layout.ts");
    try {
      return await decodeTableRows(cached.table, rows, {
        read: async (options) => {
          const bytes = await cached.cache.read(options.rows ?? []);
          if (bytes === null) throw new Error("a row is not in the category rows cache");
          return bytes;
        },
      });
    } catch {
      // A damaged or vanished cache: read the file from now on.
      cached.cache.close();
      this.#state = Promise.resolve(null);
      return null;
    }
  }

  close(): void {
    this.#state?.then((cached) => cached?.cache.close(), () => {});
  }
}

/** The category rows cache of a pandas table whose index (and `layout`) came from the cache. */
function categoryRowsReader(
  path: string,
  cached: { labels: LabelIndex; table: () => Promise<PandasTableLayout | null> },
  options: { cacheDir: string; key?: string },
): CategoryRowsReader {
  return new CategoryRowsReader(async () => {
    const table = await cached.table();
    if (table === null) return null;
    const { loadCategoryRows } = await import("./cache/category_rows.ts");
    const cache = await loadCategoryRows(path, cached.labels, options);
    if (cache === null) return null;
    if (cache.rowBytes !== table.chunks.elementSize) {
      cache.close();
      return null;
    }
    return { table, cache };
  });
}

/** A dataset whose description and labels came from the cache; the file is opened on the first read. */
class IndexedDataset implements FlowDataset {
  #reader: Promise<FlowDataset> | undefined;

  constructor(
    readonly info: DatasetInfo,
    private readonly labels: LabelIndex | null,
    private readonly open: () => Promise<FlowDataset>,
    private readonly options: {
      reader?: FlowDataset;
      cachedRows?: CategoryRowsReader;
      /** Rows per stored chunk, so scan batches end on chunk boundaries. */
      chunkRows?: number;
    } = {},
  ) {
    if (options.reader) this.#reader = Promise.resolve(options.reader);
  }

  labelIndex(): Promise<LabelIndex | null> {
    return Promise.resolve(this.labels);
  }

  async readRows(rows: ArrayLike<number>): Promise<FlowFrame> {
    const fromCache = await this.options.cachedRows?.read(rows);
    if (fromCache) return fromCache;
    this.#reader ??= this.open();
    return await (await this.#reader).readRows(rows);
  }

  async *scan(options: ScanOptions = {}): AsyncGenerator<FlowBatch> {
    options.signal?.throwIfAborted();
    const source = {
      rows: this.info.rows,
      labelIndex: () => this.labelIndex(),
      readRows: (rows: Uint32Array) => this.readRows(rows),
      chunkRows: this.options.chunkRows,
    };
    const wanted = await scanRowsOf(source, options);
    const rest = { batchRows: options.batchRows, signal: options.signal };
    if (wanted !== null && await this.options.cachedRows?.covers(wanted)) {
      // Rows of cached categories: from the category rows cache, through readRows.
      yield* scanDataset(source, { ...rest, rows: wanted });
      return;
    }
    this.#reader ??= this.open();
    yield* (await this.#reader).scan({ ...rest, rows: wanted ?? undefined });
  }

  close(): void {
    this.options.cachedRows?.close();
    this.#reader?.then((reader) => reader.close(), () => {});
  }
}

/**
 * The label index of a freshly opened `reader`; for a pandas table read natively, built in the
 * pass that also writes the category rows cache (skipped, with at most a notice, when it cannot).
 */
async function scanLabels(
  path: string,
  reader: FlowDataset,
  options: {
    cacheDir: string;
    key?: string;
    identity: FileIdentity;
    onNotice?: (message: string) => void;
    signal?: AbortSignal;
  },
): Promise<LabelIndex | null> {
  const { labelIndexWithRows, tableLayoutOf } = await import("./pandas/hdf.ts");
  const table = tableLayoutOf(reader);
  if (table === null || reader.info.labelColumn === null) return await reader.labelIndex();
  const { createCategoryRowsWriter } = await import("./cache/category_rows.ts");
  const writer = await createCategoryRowsWriter(path, {
    cacheDir: options.cacheDir,
    key: options.key,
    identity: options.identity,
    rowBytes: table.chunks.elementSize,
    onNotice: options.onNotice,
  }).catch(() => null);
  if (writer === null) return await reader.labelIndex();
  try {
    const { labels, rows } = await labelIndexWithRows(reader, writer, { signal: options.signal });
    if (rows) await writer.finish(labels);
    else writer.abort();
    return labels;
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** The rows per chunk a cached table layout (JSON, unchecked) names, when it names a sane one. */
function chunkRowsOf(layout: unknown): number | undefined {
  const rows = (layout as { chunks?: { chunkShape?: unknown[] } } | null)?.chunks?.chunkShape?.[0];
  return typeof rows === "number" && Number.isSafeInteger(rows) && rows > 0 ? rows : undefined;
}

/**
 * The label index of a freshly opened `reader`, cached on disk when there is a cache; says first
 * that it is indexing when the dataset is large.
 */
async function indexAndCache(
  path: string,
  format: StoredFormat,
  reader: FlowDataset,
  options: OpenDatasetOptions,
  store: {
    cacheOptions: { cacheDir: string; key?: string } | undefined;
    identity: FileIdentity | undefined;
  },
): Promise<LabelIndex | null> {
  const { cacheOptions, identity } = store;
  const once = cacheOptions ? " (once: the index is cached for the next open)" : "";
  // The first open of a large dataset decodes every label once (a few seconds for millions of
  // flows); say so, since nothing else moves on the terminal meanwhile.
  if (
    format !== "csv" &&
    reader.info.labelColumn !== null &&
    reader.info.rows >= (options.indexNoticeRows ?? LARGE_DATASET_ROWS)
  ) {
    options.onNotice?.(
      `indexing the labels of ${reader.info.rows.toLocaleString("en-US")} flows${once}`,
    );
  }
  const labels = cacheOptions && identity && format === "hdf5"
    ? await scanLabels(path, reader, {
      ...cacheOptions,
      identity,
      onNotice: options.onNotice,
      signal: options.signal,
    })
    : await reader.labelIndex();
  throwIfCancelled(options.signal, `opening ${path}`);
  if (cacheOptions && identity) {
    const layout = format === "hdf5"
      ? (await import("./pandas/hdf.ts")).tableLayoutOf(reader) ?? undefined
      : (await import("./csv/cicflowmeter.ts")).csvLayoutOf(reader) ?? undefined;
    const index = { info: reader.info, labels, layout };
    const saved = await saveDatasetIndex(path, index, { ...cacheOptions, identity }).catch(
      (error) => {
        options.onNotice?.(
          `could not cache the dataset index in ${cacheOptions.cacheDir}: ${
            (error as Error).message
          }`,
        );
        return true;
      },
    );
    if (!saved) {
      options.onNotice?.(
        `${path} changed while it was being indexed: its index was not cached (the next open indexes it again)`,
      );
    }
  }
  return labels;
}

/** Opens the dataset at `uri`; its label index is cached on disk so a second open is near instant. */
export async function openDataset(
  uri: string,
  options: OpenDatasetOptions = {},
): Promise<FlowDataset> {
  const path = await resolveDatasetPath(uri, options);
  const format = await detectStoredFormat(path);
  let cacheDir: string | undefined;
  try {
    cacheDir = options.cacheDir ?? defaultCacheDir();
  } catch {
    cacheDir = undefined;
  }
  const cacheOptions = cacheDir ? { cacheDir, key: options.key } : undefined;
  // Work killed before it could clean up (SIGKILL, a crash) left .part files and folders.
  if (cacheDir) await removeStaleParts(cacheDir, { recursive: true });
  const cached = cacheOptions ? await loadDatasetIndex(path, cacheOptions) : null;
  if (cached && cacheOptions) {
    const { info, labels, layout } = cached;
    const reopen = () => openReader(path, format, options);
    if (format === "csv" && layout !== undefined) {
      // The rows are read from the blocks the first open found: no pass over the file.
      const { openIndexedCsv } = await import("./csv/cicflowmeter.ts");
      const csv = openIndexedCsv(path, { info, labels, layout }, { onNotice: options.onNotice });
      if (csv !== null) return new IndexedDataset(info, labels, reopen, { reader: csv });
    }
    if (format !== "hdf5" || layout === undefined) {
      return new IndexedDataset(info, labels, reopen);
    }
    const chunkRows = chunkRowsOf(layout);
    // The stored layout is checked once, for the chunk reader and the category rows cache alike.
    let checked: Promise<PandasTableLayout | null> | undefined;
    const table = () =>
      checked ??= import("./pandas/table_layout.ts").then(({ tableLayoutFromJson }) => {
        const parsed = tableLayoutFromJson(layout);
        return parsed !== null && parsed.rows === info.rows ? parsed : null;
      });
    const open = () => openCachedTable(path, info, { table, open: reopen });
    const rows = labels !== null
      ? categoryRowsReader(path, { labels, table }, cacheOptions)
      : undefined;
    return new IndexedDataset(info, labels, open, { cachedRows: rows, chunkRows });
  }
  // What the index will be stored under is taken before the scan: a file replaced meanwhile
  // must not be paired with the index of its old content.
  const identity = cacheOptions
    ? await identifyDataset(path, options.key).catch(() => undefined)
    : undefined;
  const once = cacheOptions ? " (once: the index is cached for the next open)" : "";
  if (
    format === "csv" && identity !== undefined &&
    identity.size >= (options.indexNoticeBytes ?? LARGE_CSV_BYTES)
  ) {
    // A CSV is read whole before its rows are known (10 s for 600 MB): say so before, not after.
    options.onNotice?.(
      `reading ${Math.round(identity.size / 2 ** 20).toLocaleString("en-US")} MB of CSV to ` +
        `check it and index its labels${once}`,
    );
  }
  const reader = await openReader(path, format, options);
  if (options.labelIndexing === "first-use") {
    let labels: Promise<LabelIndex | null> | undefined;
    return {
      info: reader.info,
      labelIndex: () =>
        labels ??= indexAndCache(path, format, reader, options, { cacheOptions, identity }),
      readRows: (rows) => reader.readRows(rows),
      scan: (scanOptions) => reader.scan(scanOptions),
      close: () => reader.close(),
    };
  }
  try {
    const labels = await indexAndCache(path, format, reader, options, { cacheOptions, identity });
    const chunkRows = format === "hdf5"
      ? (await import("./pandas/hdf.ts")).tableLayoutOf(reader)?.chunks.chunkShape[0]
      : undefined;
    return new IndexedDataset(reader.info, labels, () => Promise.resolve(reader), {
      reader,
      chunkRows,
    });
  } catch (error) {
    reader.close();
    throw error;
  }
}
