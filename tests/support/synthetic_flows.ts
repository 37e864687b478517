/**
 * Synthetic flows for tests: frames built column by column from a value per row, a frame with the
 * column kinds ML-IDS datasets have (integers of several widths, int64, float32, float64, a
 * timestamp, a label), and an in-memory dataset over it with `readRows` and `scan` as the real
 * readers have them.
 * @module
 */

import type { FlowBatch, FlowDataset, ScanOptions } from "../../lib/dataset/mod.ts";
import { type ColumnValues, type FlowFrame, takeRows } from "../../lib/frame/mod.ts";

/** How {@linkcode frameOf} makes one column: its name, pandas dtype, and the value of row i. */
export interface ColumnSpec {
  name: string;
  dtype: "uint8" | "uint16" | "uint32" | "int32" | "int64" | "float32" | "float64" | "object";
  value: (i: number) => number | bigint | string;
}

/** The array each dtype of {@linkcode ColumnSpec} is held in. */
const ARRAYS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/** A frame of `n` rows made column by column from `columns`, its index counting from `firstIndex`. */
export function frameOf(
  n: number,
  columns: readonly ColumnSpec[],
  options: { firstIndex: number },
): FlowFrame {
  const valuesOf = ({ dtype, value }: ColumnSpec): ColumnValues => {
    const plain = Array.from({ length: n }, (_, i) => value(i));
    if (dtype === "object") return plain as string[];
    // deno-lint-ignore no-explicit-any -- each typed array takes the value kind its dtype makes
    return (ARRAYS[dtype] as any).from(plain);
  };
  return {
    length: n,
    index: BigInt64Array.from({ length: n }, (_, i) => BigInt(options.firstIndex + i)),
    columns: columns.map((column) => ({
      name: column.name,
      dtype: column.dtype,
      values: valuesOf(column),
    })),
  };
}

/** Ports the stand-in calls attacks (with a packet rate above 1/s), and two it does not. */
const PORTS = [80, 443, 22, 53, 21, 8080, 3389];

/**
 * `n` flows; flow i has dst_port PORTS[i % 7], flow_pkts_s 2.5 + i (so the stand-in calls ports
 * 21, 22, 80, 8080 attacks), a float32 and an int64 column, and timestamp `timestamps[i]` (default
 * one a second from 14/02/2018 08:00:00).
 */
export function syntheticFlows(
  n: number,
  options: { timestamps?: readonly string[] } = {},
): FlowFrame {
  const stamp = (i: number): string => {
    const s = 8 * 3600 + i;
    const hh = String(Math.floor(s / 3600)).padStart(2, "0");
    const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
    const ss = String(s % 60).padStart(2, "0");
    return `14/02/2018 ${hh}:${mm}:${ss}`;
  };
  return frameOf(n, [
    { name: "dst_port", dtype: "uint32", value: (i) => PORTS[i % 7] },
    { name: "protocol", dtype: "uint8", value: (i) => i % 3 ? 6 : 17 },
    { name: "timestamp", dtype: "object", value: (i) => options.timestamps?.[i] ?? stamp(i) },
    { name: "flow_duration", dtype: "int64", value: (i) => BigInt(i) * 1_000_003n },
    { name: "fwd_pkt_len_mean", dtype: "float32", value: (i) => 447.7875 + i / 7 },
    { name: "flow_pkts_s", dtype: "float64", value: (i) => 2.5 + i + 0.06126140986945369 },
    {
      name: "label",
      dtype: "object",
      value: (i) => [80, 22, 21, 8080].includes(PORTS[i % 7]) ? "Bot" : "Benign",
    },
  ], { firstIndex: 1000 });
}

/** The features the tests send: every column but the label. */
export const SYNTHETIC_FEATURES: readonly string[] = [
  "dst_port",
  "protocol",
  "timestamp",
  "flow_duration",
  "fwd_pkt_len_mean",
  "flow_pkts_s",
];

/** An in-memory dataset over `frame` (reads are takeRows; a scan gives rows in dataset order). */
export function memoryDataset(frame: FlowFrame): FlowDataset {
  return {
    info: {
      format: "csv",
      compression: "none",
      rows: frame.length,
      columns: frame.columns.map((column) => ({ name: column.name, dtype: column.dtype })),
      labelColumn: "label",
      identityColumns: [],
    },
    labelIndex: () => Promise.resolve(null),
    readRows: (rows) => Promise.resolve(takeRows(frame, rows)),
    async *scan(options: ScanOptions = {}): AsyncIterable<FlowBatch> {
      const rows = options.rows === undefined
        ? Uint32Array.from({ length: frame.length }, (_, i) => i)
        : Uint32Array.from(new Set(Array.from(options.rows))).sort();
      const size = options.batchRows ?? 8192;
      for (let start = 0; start < rows.length; start += size) {
        const part = rows.subarray(start, start + size);
        yield { frame: takeRows(frame, part), rows: part };
      }
    },
    close() {},
  };
}
