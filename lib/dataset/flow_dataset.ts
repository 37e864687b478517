/**
 * What every dataset reader (pandas HDF5, CICFlowMeter CSV) offers the rest of mlids: a
 * description, the label index, rows read on demand, and a scan of rows in dataset order in
 * batches of bounded size.
 * @module
 */

import type { FlowFrame } from "../frame/mod.ts";

/** The storage a dataset came from. */
export type DatasetFormat = "pandas-table" | "pandas-fixed" | "csv" | "parquet";

/** A column as the dataset declares it: name and pandas dtype. */
export interface ColumnInfo {
  readonly name: string;
  readonly dtype: string;
}

/** What a dataset is, without reading its rows. */
export interface DatasetInfo {
  readonly format: DatasetFormat;
  /** Compression of the stored data: `none`, `zlib`, `zlib+shuffle`, ... */
  readonly compression: string;
  /** The pandas key (HDF5) the frame was read from. */
  readonly key?: string;
  readonly rows: number;
  /** Parquet: the row groups the rows are stored in (each read on its own). */
  readonly rowGroups?: number;
  /** Every column in dataset order, `label` included when there is one. */
  readonly columns: readonly ColumnInfo[];
  /** The name of the label column, or null for an unlabelled dataset. */
  readonly labelColumn: string | null;
  /** Columns shown to the user but never sent to the API (flow id, IPs, source port of CSVs). */
  readonly identityColumns: readonly string[];
}

/** One traffic category and the row numbers (0-based positions, not the pandas index) holding it. */
export interface LabelCategory {
  readonly name: string;
  readonly rows: Uint32Array;
}

/** Categories in pandas `value_counts()` order: most frequent first, ties in order of first appearance. */
export interface LabelIndex {
  readonly categories: readonly LabelCategory[];
}

/** Which rows a {@linkcode FlowDataset.scan} reads, in how large batches, until when. */
export interface ScanOptions {
  /**
   * Only these rows (0-based positions, any order; repeats are read once): they come in dataset
   * order. Default every row.
   */
  rows?: ArrayLike<number>;
  /** Only rows of these categories (names as the label index has them); with `rows`, rows of both. */
  categories?: readonly string[];
  /** At most this many flows per batch; default {@linkcode DEFAULT_SCAN_BATCH_ROWS}. */
  batchRows?: number;
  /** Aborting stops the scan: the iteration throws the signal's reason, reading nothing more. */
  signal?: AbortSignal;
}

/** Flows per scan batch unless told otherwise: about 5 MB of features. */
export const DEFAULT_SCAN_BATCH_ROWS = 8192;

/** One batch of a scan: flows in dataset order and the row position of each. */
export interface FlowBatch {
  /** The flows, every column, in dataset order. */
  readonly frame: FlowFrame;
  /** The 0-based row position of each flow of `frame`, ascending. */
  readonly rows: Uint32Array;
}

/** An open dataset. Close it when done. */
export interface FlowDataset {
  readonly info: DatasetInfo;
  /** The label index, or null when the dataset has no labels. */
  labelIndex(): Promise<LabelIndex | null>;
  /** The given rows (0-based positions), every column, in the order given. */
  readRows(rows: ArrayLike<number>): Promise<FlowFrame>;
  /**
   * Rows in dataset order, batch after batch, holding one batch (and the one read ahead) at a
   * time whatever the dataset's size: HDF5 chunks and CSV blocks are read as the scan reaches them.
   */
  scan(options?: ScanOptions): AsyncIterable<FlowBatch>;
  close(): void;
}

/** Sort label counts as pandas' `value_counts()` does: count descending, ties by first appearance. */
export function sortCategories(
  categories: readonly { name: string; rows: Uint32Array }[],
): LabelCategory[] {
  return [...categories].sort((a, b) =>
    b.rows.length - a.rows.length || (a.rows[0] ?? 0) - (b.rows[0] ?? 0)
  );
}
