/**
 * The scan every reader offers ({@linkcode FlowDataset.scan}): which rows (every row, a list,
 * categories), read either as one pass over the stored chunks (a reader's `stream`, when the scan
 * touches most of them) or by `readRows` in batches cut at chunk boundaries so no chunk is decoded
 * twice; each batch is read while the caller works on the one before.
 * @module
 */

import {
  DEFAULT_SCAN_BATCH_ROWS,
  type FlowBatch,
  type LabelIndex,
  type ScanOptions,
} from "./flow_dataset.ts";
import type { FlowFrame } from "../frame/mod.ts";
import { findCategory } from "./selection.ts";

/** What a scan reads from: a reader's row count, labels and row reads. */
export interface ScanSource {
  /** Rows in the dataset. */
  readonly rows: number;
  labelIndex(): Promise<LabelIndex | null>;
  /** The given rows, ascending, every column. */
  readRows(rows: Uint32Array): Promise<FlowFrame>;
  /** Rows per stored chunk (HDF5 chunk, CSV block): batches end on a multiple where they can. */
  readonly chunkRows?: number;
  /**
   * Batches of every row (or of the `wanted` ones, ascending) from one pass over every stored
   * chunk in turn: faster than `readRows` when a scan touches most chunks.
   */
  stream?(wanted: Uint32Array | null, batchRows: number): AsyncIterable<FlowBatch>;
}

/** A scan touching at least this share of the chunks reads them all in one pass (`stream`). */
const STREAM_CHUNK_SHARE = 0.5;

/** The rows `options` asks for, ascending without repeats; null for every row. */
export async function scanRowsOf(
  source: Pick<ScanSource, "rows" | "labelIndex">,
  options: Pick<ScanOptions, "rows" | "categories"> = {},
): Promise<Uint32Array | null> {
  let listed: Uint32Array | null = null;
  if (options.rows !== undefined) {
    const rows = options.rows;
    listed = new Uint32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Number.isInteger(row) || row < 0 || row >= source.rows) {
        throw new RangeError(`row ${row} is outside the dataset's ${source.rows} rows`);
      }
      listed[i] = row;
    }
    listed = uniqueSorted(listed);
  }
  if (options.categories === undefined) return listed;
  const labels = await source.labelIndex();
  const parts = options.categories.map((name) => findCategory(labels, name).rows);
  const total = parts.reduce((sum, rows) => sum + rows.length, 0);
  const merged = new Uint32Array(total);
  let at = 0;
  for (const rows of parts) {
    merged.set(rows, at);
    at += rows.length;
  }
  const inCategories = uniqueSorted(merged);
  return listed === null ? inCategories : intersect(listed, inCategories);
}

/** `rows` sorted ascending (in place) without repeats. */
function uniqueSorted(rows: Uint32Array): Uint32Array {
  rows.sort();
  let kept = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i === 0 || rows[i] !== rows[i - 1]) rows[kept++] = rows[i];
  }
  return kept === rows.length ? rows : rows.slice(0, kept);
}

/** The rows in both ascending lists. */
function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else {
      out[n++] = a[i];
      i++;
      j++;
    }
  }
  return out.slice(0, n);
}

/** Whether `wanted` (null: every row) lies in at least STREAM_CHUNK_SHARE of the chunks. */
function touchesMostChunks(
  wanted: Uint32Array | null,
  source: { rows: number; chunkRows?: number },
): boolean {
  if (wanted === null) return true;
  const chunkRows = source.chunkRows ?? 1;
  const chunks = Math.ceil(source.rows / chunkRows);
  let touched = 0;
  let last = -1;
  for (let i = 0; i < wanted.length; i++) {
    const chunk = Math.floor(wanted[i] / chunkRows);
    if (chunk !== last) touched++;
    last = chunk;
  }
  return touched >= chunks * STREAM_CHUNK_SHARE;
}

/** The batches of `batches`, asking for the next one before handing out the current one. */
async function* readAhead(
  batches: AsyncIterable<FlowBatch>,
  signal: AbortSignal | undefined,
): AsyncGenerator<FlowBatch> {
  const iterator = batches[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<FlowBatch>> | null = iterator.next();
  try {
    while (pending !== null) {
      const result: IteratorResult<FlowBatch> = await pending;
      pending = null;
      if (result.done) return;
      signal?.throwIfAborted();
      pending = iterator.next();
      yield result.value;
      signal?.throwIfAborted();
    }
  } finally {
    if (pending !== null) {
      // Stop the source once the batch it is reading is done (its files close then).
      pending.then(() => iterator.return?.(), () => {}).catch(() => {});
    }
  }
}

/** The rows of one batch starting at position `from` of the scan, and where the next starts. */
function batchAt(
  wanted: Uint32Array | null,
  total: number,
  from: number,
  layout: { batchRows: number; chunkRows: number },
): { rows: Uint32Array; next: number } {
  const { batchRows, chunkRows } = layout;
  if (wanted === null) {
    // Every row: batches of whole chunks when a chunk fits in one.
    const size = chunkRows > 1 && chunkRows <= batchRows
      ? Math.floor(batchRows / chunkRows) * chunkRows
      : batchRows;
    const end = Math.min(total, (Math.floor(from / size) + 1) * size);
    const rows = new Uint32Array(end - from);
    for (let i = 0; i < rows.length; i++) rows[i] = from + i;
    return { rows, next: end };
  }
  let end = Math.min(wanted.length, from + batchRows);
  if (end < wanted.length && chunkRows > 1) {
    // Leave the chunk of the first row left out whole for the next batch, unless it is all there is.
    const chunk = Math.floor(wanted[end] / chunkRows);
    let cut = end;
    while (cut > from && Math.floor(wanted[cut - 1] / chunkRows) === chunk) cut--;
    if (cut > from) end = cut;
  }
  return { rows: wanted.subarray(from, end), next: end };
}

/**
 * The batches of `source` that `options` asks for, in dataset order; the next batch is read while
 * the caller holds the current one, so at most two are in memory.
 */
export async function* scanDataset(
  source: ScanSource,
  options: ScanOptions = {},
): AsyncGenerator<FlowBatch> {
  const batchRows = options.batchRows ?? DEFAULT_SCAN_BATCH_ROWS;
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`batchRows must be a whole number of 1 or more, not ${batchRows}`);
  }
  const signal = options.signal;
  signal?.throwIfAborted();
  const wanted = await scanRowsOf(source, options);
  const count = wanted === null ? source.rows : wanted.length;
  const layout = { batchRows, chunkRows: source.chunkRows ?? 1 };
  if (source.stream !== undefined && count > 0 && touchesMostChunks(wanted, source)) {
    yield* readAhead(source.stream(wanted, batchRows), signal);
    return;
  }
  const read = async (from: number): Promise<FlowBatch & { next: number }> => {
    const { rows, next } = batchAt(wanted, source.rows, from, layout);
    return { frame: await source.readRows(rows), rows, next };
  };
  let pending: Promise<FlowBatch & { next: number }> | null = count > 0 ? read(0) : null;
  try {
    while (pending !== null) {
      const { frame, rows, next } = await pending;
      pending = null;
      signal?.throwIfAborted();
      if (next < count) pending = read(next);
      yield { frame, rows };
      signal?.throwIfAborted();
    }
  } finally {
    // A batch read ahead that nobody takes: let it finish unobserved.
    pending?.catch(() => {});
  }
}
