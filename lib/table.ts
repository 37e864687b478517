/**
 * Tables for the terminal: flows and results drawn with cli-table3, either one wide table
 * (`nowrap`) or column groups that fit the terminal width (`wrap`). Values are never cut; text
 * from datasets and messages has its control characters escaped.
 * @module
 */

import Table from "cli-table3";
import { UsageError } from "./errors.ts";
import type { CellValue } from "./frame.ts";
import { escapeControl } from "./terminal.ts";

/** How a table wider than the terminal is shown. */
export type Overflow = "wrap" | "nowrap";

/** Options for {@linkcode renderTable}. */
export interface TableOptions {
  /** `wrap` (default) splits the columns into groups that fit `width`; `nowrap` draws one wide table. */
  overflow?: Overflow;
  /** Width to fit into, in characters (default 100). */
  width?: number;
  /** Colour the header row. */
  colour?: boolean;
}

/** Reads `--display-overflow`: `wrap` or `nowrap`, in any case (the original's `WRAP`/`NOWRAP`). */
export function parseOverflow(value: string): Overflow {
  const lower = value.trim().toLowerCase();
  if (lower === "wrap" || lower === "nowrap") return lower;
  throw new UsageError(`--display-overflow must be 'wrap' or 'nowrap', not '${value}'`);
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

// Borders and padding cli-table3 adds around each column: "│ " before and " " after.
const COLUMN_CHROME = 3;

function textWidth(text: string): number {
  let width = 0;
  for (const line of text.split("\n")) width = Math.max(width, [...line].length);
  return width;
}

function drawTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { colour: boolean; colWidths?: number[] },
): string {
  const table = new Table({
    head: [...headers],
    // No rule between body rows: results tables run to thousands of rows.
    chars: { "mid": "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    style: { head: options.colour ? ["cyan"] : [], border: options.colour ? ["grey"] : [] },
    ...(options.colWidths
      ? { colWidths: options.colWidths, wordWrap: true, wrapOnWordBoundary: false }
      : {}),
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}

/** Draws `rows` under `headers`; cells are text already (see {@linkcode formatCell}). */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const colour = options.colour ?? false;
  const safeHeaders = headers.map(escapeControl);
  const safeRows = rows.map((row) => row.map(escapeControl));
  if ((options.overflow ?? "wrap") === "nowrap") {
    return drawTable(safeHeaders, safeRows, { colour });
  }
  const width = Math.max(options.width ?? 100, 20);
  const widths = safeHeaders.map((header, c) =>
    safeRows.reduce((max, row) => Math.max(max, textWidth(row[c] ?? "")), textWidth(header))
  );
  const groups: number[][] = [];
  let current: number[] = [];
  let used = 1;
  for (let c = 0; c < widths.length; c++) {
    const need = widths[c] + COLUMN_CHROME;
    if (current.length > 0 && used + need > width) {
      groups.push(current);
      current = [];
      used = 1;
    }
    current.push(c);
    used += need;
  }
  if (current.length > 0) groups.push(current);
  const parts = groups.map((group, g) => {
    // A single column wider than the terminal wraps inside its cells instead of being cut.
    const tooWide = group.length === 1 && widths[group[0]] + COLUMN_CHROME + 1 > width;
    const table = drawTable(
      group.map((c) => safeHeaders[c]),
      safeRows.map((row) => group.map((c) => row[c] ?? "")),
      { colour, colWidths: tooWide ? [width - 2] : undefined },
    );
    const caption = groups.length > 1
      ? `columns ${group[0] + 1}-${group[group.length - 1] + 1} of ${headers.length} (part ${
        g + 1
      }/${groups.length})\n`
      : "";
    return caption + table;
  });
  return parts.join("\n");
}
