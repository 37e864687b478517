/**
 * What every dataset reader (pandas HDF5, CICFlowMeter CSV) offers the rest of mlids: a
 * description, the label index, and rows read on demand.
 * @module
 */

import type { FlowFrame } from "../frame/mod.ts";

/** The storage a dataset came from. */
export type DatasetFormat = "pandas-table" | "pandas-fixed" | "csv";

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

/** An open dataset. Close it when done. */
export interface FlowDataset {
  readonly info: DatasetInfo;
  /** The label index, or null when the dataset has no labels. */
  labelIndex(): Promise<LabelIndex | null>;
  /** The given rows (0-based positions), every column, in the order given. */
  readRows(rows: ArrayLike<number>): Promise<FlowFrame>;
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
