/**
 * Flows in memory and on the wire. A {@linkcode FlowFrame} holds flows as columns of typed arrays,
 * exactly as pandas stored them (int64 and uint64 included); this folder also writes and reads
 * pandas "split" JSON (the ML-IDS request body and notification payload) and exports frames as
 * CSV and JSON Lines. Every other folder speaks in frames.
 *
 * ```ts
 * import { encodeSplitJson, type FlowFrame } from "./mod.ts";
 *
 * const frame: FlowFrame = {
 *   columns: [{ name: "dst_port", dtype: "uint32", values: Uint32Array.of(443) }],
 *   index: BigInt64Array.of(7n),
 *   length: 1,
 * };
 * console.assert(encodeSplitJson(frame) === '{"columns":["dst_port"],"data":[[443]]}');
 * ```
 * @module
 */

export {
  cellAt,
  type CellValue,
  type ColumnValues,
  findColumn,
  type FlowColumn,
  type FlowFrame,
  formatCell,
  type NumericValues,
  takeRows,
} from "./frame.ts";
export {
  decodeSplitJson,
  encodeSplitJson,
  encodeSplitJsonBytes,
  type EncodeSplitOptions,
  jsonCellWriter,
  SplitJsonEncoder,
  type SplitJsonEncoderOptions,
  type SplitTable,
} from "./split_json.ts";
export {
  csvCellWriter,
  csvField,
  exportFlowBatches,
  exportFlows,
  type ExportFormat,
} from "./export.ts";
