/**
 * A flow's fingerprint: its feature values as sent, in a form that survives the trip through the
 * ML-IDS API and SNS. The API re-encodes the row it received with pandas' defaults (floats with at
 * most 10 decimals, integers exact, see CONTRACT.md), so integers are compared exactly, floats
 * within a tolerance, and text only when the notification still carries text (pandas may have
 * turned a `timestamp` column into a date).
 * @module
 */

import type { FlowFrame } from "../frame/mod.ts";

/** How a feature column is compared. */
export type ValueKind = "integer" | "float32" | "float64" | "text";

/** The features a run sends, in order, and how each is compared. */
export interface FingerprintLayout {
  readonly names: readonly string[];
  readonly kinds: readonly ValueKind[];
}

/** One flow's values, split by how they are compared. */
export interface FlowPrint {
  /** The integer features as exact text, joined: flows with different keys never match. */
  readonly key: string;
  /** The float features (NaN for null, NaN and infinities, which travel as null). */
  readonly floats: Float64Array;
  /** The text features (null where there was none). */
  readonly texts: readonly (string | null)[];
}

/** The layout of `columns` as they are in `frame` (integer, float32, float64 or text). */
export function fingerprintLayout(
  frame: FlowFrame,
  columns: readonly string[],
): FingerprintLayout {
  const kinds = columns.map((name): ValueKind => {
    const values = frame.columns.find((column) => column.name === name)?.values;
    if (values === undefined || Array.isArray(values)) return "text";
    if (values instanceof Float32Array) return "float32";
    if (values instanceof Float64Array) return "float64";
    return "integer";
  });
  return { names: [...columns], kinds };
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An integer as the same text whichever way it came (number, bigint or digits). Beyond 2^53 a
 * notification's JSON number was already rounded to a double, so such integers compare as doubles.
 */
function integerText(value: unknown): string {
  if (typeof value === "string" && /^\s*-?\d+\s*$/.test(value)) value = BigInt(value.trim());
  if (typeof value === "bigint") {
    return value >= -SAFE && value <= SAFE ? value.toString() : `~${Number(value)}`;
  }
  if (typeof value === "number") {
    return Number.isSafeInteger(value) ? String(value) : `~${value}`;
  }
  return value === null || value === undefined ? "null" : `?${String(value)}`;
}

function floatOf(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : NaN;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value);
    return Number.isFinite(number) ? number : NaN;
  }
  return NaN;
}

/** Builds the print from values in layout order (however they were held). */
function printOf(layout: FingerprintLayout, valueAt: (c: number) => unknown): FlowPrint {
  const keys: string[] = [];
  const floats: number[] = [];
  const texts: (string | null)[] = [];
  for (let c = 0; c < layout.kinds.length; c++) {
    const kind = layout.kinds[c];
    const value = valueAt(c);
    if (kind === "integer") {
      keys.push(integerText(value));
    } else if (kind === "text") {
      texts.push(typeof value === "string" ? value : null);
    } else {
      floats.push(floatOf(value));
    }
  }
  return { key: keys.join(","), floats: Float64Array.from(floats), texts };
}

/**
 * The prints of rows of `frame` as they are sent: looks the columns up once (the sender calls it
 * for every flow it sends).
 */
export function framePrinter(
  layout: FingerprintLayout,
  frame: FlowFrame,
): (row: number) => FlowPrint {
  const columns = layout.names.map((name) => frame.columns.find((column) => column.name === name));
  return (row) =>
    printOf(layout, (c) => {
      const value = columns[c]?.values[row];
      return value === undefined ? null : value;
    });
}

/**
 * The print of a notified row: `values` in the order of `columns` (the notification's, with its
 * extra `prediction`); a feature the notification lacks reads as null.
 */
export function notifiedPrint(
  layout: FingerprintLayout,
  columns: readonly string[],
  values: readonly unknown[],
): FlowPrint {
  const at = new Map(columns.map((name, i) => [name, i]));
  return printOf(layout, (c) => {
    const i = at.get(layout.names[c]);
    return i === undefined ? null : values[i] ?? null;
  });
}

/** Absolute slack for floats: pandas writes 10 decimals, so values move by up to 5e-11. */
const ABSOLUTE_SLACK = 1e-9;
/** Relative slack: float32 values are sent in their shortest form (about 7 digits). */
const FLOAT32_SLACK = 1e-6;
/** Relative slack for float64 (pandas switches to 15-17 significant digits for large values). */
const FLOAT64_SLACK = 1e-12;

/**
 * Whether a notified print is the sent one: same key, every float within slack (null with null),
 * and every text equal where the notification kept text.
 */
export function printsMatch(
  layout: FingerprintLayout,
  sent: FlowPrint,
  notified: FlowPrint,
): boolean {
  if (sent.key !== notified.key) return false;
  let f = 0;
  for (const kind of layout.kinds) {
    if (kind !== "float32" && kind !== "float64") continue;
    const a = sent.floats[f];
    const b = notified.floats[f];
    f++;
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) return false;
      continue;
    }
    const slack = ABSOLUTE_SLACK +
      (kind === "float32" ? FLOAT32_SLACK : FLOAT64_SLACK) * Math.max(Math.abs(a), Math.abs(b));
    if (Math.abs(a - b) > slack) return false;
  }
  for (let t = 0; t < sent.texts.length; t++) {
    const text = notified.texts[t];
    if (text !== null && text !== sent.texts[t]) return false;
  }
  return true;
}

/** Exact identity of a sent print (identical rows share it): the key, the floats' bits and texts. */
export function printIdentity(print: FlowPrint): string {
  return `${print.key}|${Array.from(print.floats).join(",")}|${JSON.stringify(print.texts)}`;
}
