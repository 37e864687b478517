/**
 * Synthetic flows for replay tests: a frame with the column kinds ML-IDS datasets have (integers
 * of several widths, int64, float32, float64, a timestamp, a label), and an in-memory dataset over
 * it with `readRows` and `scan` as the real readers have them.
 * @module
 */

import type { FlowBatch, FlowDataset, ScanOptions } from "../../lib/dataset/mod.ts";
import { type FlowFrame, takeRows } from "../../lib/frame/mod.ts";

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
  return {
    length: n,
    index: BigInt64Array.from({ length: n }, (_, i) => BigInt(1000 + i)),
    columns: [
      {
        name: "dst_port",
        dtype: "uint32",
        values: Uint32Array.from({ length: n }, (_, i) => PORTS[i % 7]),
      },
      {
        name: "protocol",
        dtype: "uint8",
        values: Uint8Array.from({ length: n }, (_, i) => i % 3 ? 6 : 17),
      },
      {
        name: "timestamp",
        dtype: "object",
        values: Array.from({ length: n }, (_, i) => options.timestamps?.[i] ?? stamp(i)),
      },
      {
        name: "flow_duration",
        dtype: "int64",
        values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n),
      },
      {
        name: "fwd_pkt_len_mean",
        dtype: "float32",
        values: Float32Array.from({ length: n }, (_, i) => 447.7875 + i / 7),
      },
      {
        name: "flow_pkts_s",
        dtype: "float64",
        values: Float64Array.from({ length: n }, (_, i) => 2.5 + i + 0.06126140986945369),
      },
      {
        name: "label",
        dtype: "object",
        values: Array.from(
          { length: n },
          (_, i) => [80, 22, 21, 8080].includes(PORTS[i % 7]) ? "Bot" : "Benign",
        ),
      },
    ],
  };
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
