/**
 * The in-memory shape of network flows: a columnar frame, one typed array per numeric column,
 * as pandas holds them, so values stay exact (uint64 and int64 included).
 * @module
 */

import { escapeControl } from "../text.ts";

/** A numeric column's values, in the width pandas stored them. */
export type NumericValues =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** A column's values: numbers in a typed array, text (and categoricals) as strings. */
export type ColumnValues = NumericValues | string[];

/** One column of flows, named as in the dataset, with its pandas dtype (`uint32`, `object`, ...). */
export interface FlowColumn {
  readonly name: string;
  readonly dtype: string;
  readonly values: ColumnValues;
}

/** Flows as columns of equal length, with the pandas row index of each flow. */
export interface FlowFrame {
  readonly columns: readonly FlowColumn[];
  /** The pandas index (int64) of each row. */
  readonly index: BigInt64Array;
  readonly length: number;
}

/** One cell's value as JavaScript holds it; NaN and infinities stay numbers. */
export type CellValue = number | bigint | string | null;

/** The value of row `row` of `column`. */
export function cellAt(column: FlowColumn, row: number): CellValue {
  const value = column.values[row];
  return value === undefined ? null : value;
}

/** The column named `name`, or undefined. */
export function findColumn(frame: FlowFrame, name: string): FlowColumn | undefined {
  return frame.columns.find((column) => column.name === name);
}

/** A cell as text: integers exactly, floats in shortest form, NaN and infinities as pandas shows them. */
export function formatCell(value: CellValue | boolean | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (value === Infinity) return "inf";
    if (value === -Infinity) return "-inf";
    return String(value);
  }
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  return escapeControl(value);
}

/** A frame of the given rows of `frame`, in the order given. */
export function takeRows(frame: FlowFrame, rows: ArrayLike<number>): FlowFrame {
  const columns = frame.columns.map((column): FlowColumn => {
    const source = column.values;
    let values: ColumnValues;
    if (Array.isArray(source)) {
      values = Array.from({ length: rows.length }, (_, i) => source[rows[i]]);
    } else {
      const Ctor = source.constructor as new (length: number) => NumericValues;
      const target = new Ctor(rows.length);
      for (let i = 0; i < rows.length; i++) target[i] = source[rows[i]];
      values = target;
    }
    return { name: column.name, dtype: column.dtype, values };
  });
  const index = new BigInt64Array(rows.length);
  for (let i = 0; i < rows.length; i++) index[i] = frame.index[rows[i]];
  return { columns, index, length: rows.length };
}
