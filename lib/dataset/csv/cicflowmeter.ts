/**
 * Reads CICFlowMeter CSV files (V3 as in CSE-CIC-IDS2018, 4.0, the Python cicflowmeter) into a
 * {@linkcode FlowDataset}, with the values pandas' `read_csv(float_precision="round_trip")`
 * gives: integer columns int64 (uint64 where a value needs it), other numeric columns float64,
 * correctly rounded from the text; columns renamed to ML-IDS names, in ML-IDS order.
 *
 * The first open streams the file once through a fixed buffer: it checks every value, settles each
 * column's dtype from all of them (as pandas does), builds the label index and notes where each
 * block of rows starts ({@linkcode CsvLayout}, cached with the index). Rows are then read from
 * their blocks on demand, so memory does not grow with the file.
 * @module
 */

import { InputError, MachineError, throwIfCancelled, UsageError } from "../../errors.ts";
import { IDENTITY_COLUMNS, LABEL_COLUMN } from "../_column_names.ts";
import {
  type DatasetInfo,
  type FlowBatch,
  type FlowDataset,
  type LabelIndex,
  type ScanOptions,
  sortCategories,
} from "../flow_dataset.ts";
import { scanDataset } from "../_scan.ts";
import { RowList } from "../_row_list.ts";
import type { FlowFrame } from "../../frame/mod.ts";
import { FieldSpans, fieldText, textOf, tokenize } from "./_records.ts";
import {
  classifyNumber,
  FRACTIONAL,
  integerRange,
  NEGATIVE_INTEGER,
  NOT_A_NUMBER,
  parsed,
} from "./_numbers.ts";
import { listNames, planColumns, type PlannedColumn } from "./_columns.ts";
import {
  CSV_BLOCK_ROWS,
  type CsvColumn,
  type CsvLayout,
  csvLayoutFromJson,
  csvLayoutToJson,
  HeaderLine,
  readCsvRows,
  unterminatedQuote,
} from "./_blocks.ts";

/** Options for {@linkcode openFlowCsv}. */
export interface OpenFlowCsvOptions {
  /** Receives one-line notes about what was dropped, skipped or widened while reading. */
  onNotice?: (message: string) => void;
  /** Rows per block of the layout (default {@linkcode CSV_BLOCK_ROWS}); tests cross many with few. */
  blockRows?: number;
  /** Stops the first open's pass over the file (a CancelledError) at its next 4 MiB. */
  signal?: AbortSignal;
}

/** The label CICFlowMeter 4.0 writes when it has no label for a flow. */
const UNLABELLED_PLACEHOLDER = "NeedManualLabel";

const CHUNK_BYTES = 4 << 20;
const MAX_RECORD_BYTES = 64 << 20;

// What a numeric column's values have shown so far, as bits.
/** A value that is not an integer: a fraction, an exponent, NaN, an infinity, an empty field. */
const SAW_FLOAT = 1;
/** A negative integer. */
const SAW_NEGATIVE = 2;
/** An integer above int64's range that uint64 holds. */
const SAW_UINT64 = 4;
/** An integer neither int64 nor uint64 holds. */
const SAW_HUGE = 8;

/** One output column while the pass reads the file: what its values were. */
interface ColumnState {
  readonly column: PlannedColumn;
  readonly numeric: boolean;
  seen: number;
  /** The first value that made an integer column float64 although pandas would keep it text. */
  widened: string | null;
}

/** The pandas dtype of a numeric column whose values showed `seen`, or of a text column. */
function dtypeOf(state: ColumnState, rows: number): string {
  if (!state.numeric || rows === 0) return "object";
  const seen = state.seen;
  if (seen & (SAW_FLOAT | SAW_HUGE)) return "float64";
  if (seen & SAW_UINT64) return seen & SAW_NEGATIVE ? "float64" : "uint64";
  return "int64";
}

/** Sorts rows into categories by label, decoding a label only when it differs from the last. */
class LabelSorter {
  readonly lists = new Map<string, RowList>();
  readonly #last = new Uint8Array(256);
  #lastLength = -1;
  #lastList: RowList | null = null;

  add(buf: Uint8Array, rec: FieldSpans, j: number, row: number): void {
    const start = j < rec.count ? rec.starts[j] : 0;
    const length = j < rec.count ? rec.ends[j] - start : 0;
    let list = this.#lastList;
    let same = list !== null && length === this.#lastLength;
    for (let k = 0; same && k < length; k++) same = buf[start + k] === this.#last[k];
    if (!same) {
      const name = fieldText(buf, rec, j);
      list = this.lists.get(name) ?? null;
      if (list === null) this.lists.set(name, list = new RowList());
      if (length <= this.#last.length) {
        this.#last.set(buf.subarray(start, start + length));
        this.#lastLength = length;
        this.#lastList = list;
      } else this.#lastList = null;
    }
    (list as RowList).push(row);
  }

  /** The label index; null when every label is the unlabelled placeholder or empty. */
  index(): LabelIndex | null {
    const names = [...this.lists.keys()];
    if (names.every((name) => name === UNLABELLED_PLACEHOLDER || name === "")) return null;
    const categories = [...this.lists].map(([name, list]) => ({
      name,
      rows: list.rows(),
    }));
    return { categories: sortCategories(categories) };
  }
}

/** What the first open's pass found: the layout and the label index (labelled files). */
interface CsvIndex {
  readonly layout: CsvLayout;
  readonly labels: LabelIndex | null;
}

/**
 * Reads the whole file once: checks every value, settles each column's dtype, builds the label
 * index and notes where each block of rows starts.
 */
async function indexCsv(
  path: string,
  options: { notice: (message: string) => void; blockRows: number; signal?: AbortSignal },
): Promise<CsvIndex> {
  const { notice, blockRows, signal } = options;
  const notices: string[] = [];
  const say = (message: string): void => {
    notices.push(message);
    notice(message);
  };
  const { file, size } = await openFile(path);
  try {
    let buf = new Uint8Array(CHUNK_BYTES);
    let length = 0;
    let base = 0; // the file offset of buf[0]
    let eof = false;
    const rec = new FieldSpans();
    let header: HeaderLine | null = null;
    let states: ColumnState[] = [];
    let numeric: ColumnState[] = [];
    let labelField = -1;
    const labels = new LabelSorter();
    const blocks: number[] = [];
    const lines: number[] = [];
    let rows = 0;
    let line = 0;
    let repeatedHeaders = 0;
    let first = true;
    for (;;) {
      throwIfCancelled(signal, `indexing ${path}`);
      while (!eof && length < buf.length) {
        const n = await file.read(buf.subarray(length));
        if (n === null) eof = true;
        else length += n;
      }
      let pos = 0;
      if (first) {
        first = false;
        checkLooksLikeText(path, buf.subarray(0, length));
        if (length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      }
      while (pos < length) {
        const start = pos;
        const next = tokenize(buf, pos, length, eof, rec);
        if (next < 0) break;
        pos = next;
        line++;
        if (rec.unterminated) throw unterminatedQuote(path, line);
        if (rec.blank()) continue;
        if (header === null) {
          const headers = Array.from({ length: rec.count }, (_, j) => fieldText(buf, rec, j));
          header = new HeaderLine(headers);
          states = planColumns(path, headers, say).map((column) => ({
            column,
            numeric: column.dtype !== "object",
            seen: 0,
            widened: null,
          }));
          numeric = states.filter((state) => state.numeric);
          labelField = states.find((s) => s.column.name === LABEL_COLUMN)?.column.field ?? -1;
          continue;
        }
        if (rec.count > header.headers.length) {
          throw new InputError(
            `${path}: line ${line} has ${rec.count} fields but the header has ${header.headers.length}`,
            { hint: "the file is not a well-formed CSV; check that line (quotes, extra commas)" },
          );
        }
        if (header.repeats(buf, rec)) {
          repeatedHeaders++;
          continue;
        }
        if (rows % blockRows === 0) {
          blocks.push(base + start);
          lines.push(line - 1);
        }
        for (let k = 0; k < numeric.length; k++) {
          const state = numeric[k];
          const j = state.column.field;
          const from = j < rec.count ? rec.starts[j] : 0;
          const to = j < rec.count ? rec.ends[j] : 0;
          const kind = classifyNumber(buf, from, to);
          if (kind === FRACTIONAL) state.seen |= SAW_FLOAT;
          else if (kind === NOT_A_NUMBER) {
            throw new InputError(
              `${path}: column ${state.column.name}, line ${line}: '${
                textOf(buf, from, to)
              }' is not a number`,
              { hint: "numeric columns hold numbers, NaN, Infinity or nothing" },
            );
          } else {
            if (kind === NEGATIVE_INTEGER) state.seen |= SAW_NEGATIVE;
            if (parsed.digits > 18) {
              const range = integerRange(buf, from, to);
              if (range !== "int64") state.seen |= range === "uint64" ? SAW_UINT64 : SAW_HUGE;
            }
            // Integers no integer dtype holds together: pandas keeps them as text, mlids as
            // float64 (the API needs numbers), and says which value did it.
            if (
              state.widened === null &&
              (state.seen & SAW_HUGE || (state.seen & SAW_UINT64 && state.seen & SAW_NEGATIVE))
            ) {
              state.widened = `'${textOf(buf, from, to)}' on line ${line}`;
            }
          }
        }
        if (labelField >= 0) labels.add(buf, rec, labelField, rows);
        rows++;
      }
      if (eof) break;
      if (pos === 0 && length === buf.length) {
        if (buf.length >= MAX_RECORD_BYTES) {
          throw new InputError(`${path}: line ${line + 1} is longer than 64 MiB`, {
            hint: "the file is not a CICFlowMeter CSV (or has an unclosed quote)",
          });
        }
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
        continue;
      }
      buf.copyWithin(0, pos, length);
      base += pos;
      length -= pos;
    }
    if (header === null) {
      throw new InputError(`${path}: is empty (no header line)`, {
        hint: "give a CICFlowMeter CSV with a header line and flows",
      });
    }
    if (repeatedHeaders > 0) {
      say(`skipped ${repeatedHeaders} repeated header line${repeatedHeaders === 1 ? "" : "s"}`);
    }
    const widened = numeric.filter((s) => s.widened !== null && !(s.seen & SAW_FLOAT));
    if (widened.length > 0) {
      say(
        `read ${widened.length} integer column(s) as float64 because of values neither int64 ` +
          `nor uint64 holds: ${listNames(widened.map((s) => `${s.column.name} (${s.widened})`))}`,
      );
    }
    let labelIndex: LabelIndex | null = null;
    let kept = states;
    if (labelField >= 0) {
      labelIndex = rows === 0 ? { categories: [] } : labels.index();
      if (labelIndex === null) {
        kept = states.filter((state) => state.column.field !== labelField);
        say(`every Label is ${UNLABELLED_PLACEHOLDER} or empty: the flows are unlabelled`);
      }
    }
    const columns: CsvColumn[] = kept.map((state) => ({
      name: state.column.name,
      dtype: dtypeOf(state, rows),
      field: state.column.field,
    }));
    const layout: CsvLayout = {
      headers: header.headers,
      columns,
      rows,
      blockRows,
      blocks,
      lines,
      end: size,
      notices,
    };
    return { layout, labels: labelIndex };
  } finally {
    file.close();
  }
}

async function openFile(path: string): Promise<{ file: Deno.FsFile; size: number }> {
  try {
    const stat = await Deno.stat(path);
    if (stat.isDirectory) {
      throw new InputError(`${path}: is a directory, not a CSV file`, {
        hint: "give the path of one CICFlowMeter CSV file",
      });
    }
    if (stat.size === 0) {
      throw new InputError(`${path}: is empty`, {
        hint: "give a CICFlowMeter CSV with a header line and flows",
      });
    }
    return { file: await Deno.open(path, { read: true }), size: stat.size };
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`${path}: no such file`, { hint: "check the path", cause: error });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new MachineError(`${path}: permission denied`, {
        hint: "make the file readable (and run mlids with --allow-read)",
        cause: error,
      });
    }
    throw new MachineError(`${path}: cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function checkLooksLikeText(path: string, head: Uint8Array): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw new InputError(`${path}: is gzip-compressed, not a plain CSV`, {
      hint: `decompress it first (gunzip '${path}')`,
    });
  }
  if (head.subarray(0, Math.min(head.length, 8192)).includes(0)) {
    throw new InputError(`${path}: is a binary file, not a CSV`, {
      hint: "give a CICFlowMeter CSV file (HDF5 datasets are opened as such by their .h5 name)",
    });
  }
}
/** A CICFlowMeter CSV read where it lies: rows parsed from their blocks when asked for. */
class CsvFlowDataset implements FlowDataset {
  readonly info: DatasetInfo;
  readonly #path: string;
  readonly #labels: LabelIndex | null;
  /** Read buffers kept between reads. */
  readonly #buffers: Uint8Array[] = [];
  #layout: CsvLayout | null;

  constructor(path: string, layout: CsvLayout, labels: LabelIndex | null) {
    this.#path = path;
    this.#layout = layout;
    this.#labels = labels;
    const identity = new Set(IDENTITY_COLUMNS.map((column) => column.name));
    const hasLabel = layout.columns.some((column) => column.name === LABEL_COLUMN);
    this.info = {
      format: "csv",
      compression: "none",
      rows: layout.rows,
      columns: layout.columns.map(({ name, dtype }) => ({ name, dtype })),
      labelColumn: hasLabel ? LABEL_COLUMN : null,
      identityColumns: layout.columns.filter((c) => identity.has(c.name)).map((c) => c.name),
    };
  }

  /** Where the rows are, for the index cache. */
  get layout(): CsvLayout {
    return this.#open();
  }

  labelIndex(): Promise<LabelIndex | null> {
    this.#open();
    return Promise.resolve(this.#labels);
  }

  readRows(rows: ArrayLike<number>): Promise<FlowFrame> {
    try {
      return readCsvRows(this.#path, this.#open(), rows, { buffers: this.#buffers });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  scan(options?: ScanOptions): AsyncIterable<FlowBatch> {
    const layout = this.#open();
    return scanDataset({
      rows: layout.rows,
      labelIndex: () => this.labelIndex(),
      readRows: (rows) => this.readRows(rows),
      chunkRows: layout.blockRows,
    }, options);
  }

  close(): void {
    this.#layout = null;
  }

  #open(): CsvLayout {
    if (this.#layout === null) throw new UsageError("the CSV dataset is closed");
    return this.#layout;
  }
}

/**
 * Opens a CICFlowMeter CSV file as a FlowDataset: one pass over the file checks it, settles the
 * dtypes and indexes the labels; columns are renamed to ML-IDS names and ordered as ML-IDS orders
 * them.
 */
export async function openFlowCsv(
  path: string,
  options: OpenFlowCsvOptions = {},
): Promise<FlowDataset> {
  const { layout, labels } = await indexCsv(path, {
    notice: options.onNotice ?? (() => {}),
    blockRows: options.blockRows ?? CSV_BLOCK_ROWS,
    signal: options.signal,
  });
  return new CsvFlowDataset(path, layout, labels);
}

/** The layout of a CSV dataset opened by {@linkcode openFlowCsv}, as JSON for the index cache; else null. */
export function csvLayoutOf(dataset: FlowDataset): unknown {
  return dataset instanceof CsvFlowDataset ? csvLayoutToJson(dataset.layout) : null;
}

/**
 * The CSV at `path` opened from its cached index (the description, labels and layout JSON the first
 * open stored), without reading the file; null when the layout is not one that matches `info`.
 * Its notices are given again, as the first open gave them.
 */
export function openIndexedCsv(
  path: string,
  cached: { info: DatasetInfo; labels: LabelIndex | null; layout: unknown },
  options: OpenFlowCsvOptions = {},
): FlowDataset | null {
  const layout = csvLayoutFromJson(cached.layout);
  if (layout === null || layout.rows !== cached.info.rows) return null;
  const names = layout.columns.map((column) => `${column.name}:${column.dtype}`).join();
  if (names !== cached.info.columns.map((c) => `${c.name}:${c.dtype}`).join()) return null;
  for (const message of layout.notices) options.onNotice?.(message);
  return new CsvFlowDataset(path, layout, cached.labels);
}
