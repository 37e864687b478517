/**
 * Tables for the terminal: flows and results drawn in boxes, either one wide table
 * (`nowrap`) or column groups that fit the terminal width (`wrap`). Values are never cut; text
 * from datasets and messages has its control characters escaped.
 * @module
 */

import { UsageError } from "../errors.ts";
import { charWidth, displayWidth, escapeControl } from "../text.ts";

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
  /**
   * When wrapping, the first this many columns (a row's key, such as `index`) open every part, so
   * each part can be read on its own. Default 0.
   */
  repeatColumns?: number;
}

/** Reads `--display-overflow`: `wrap` or `nowrap`, in any case (the original's `WRAP`/`NOWRAP`). */
export function parseOverflow(value: string): Overflow {
  const lower = value.trim().toLowerCase();
  if (lower === "wrap" || lower === "nowrap") return lower;
  throw new UsageError(`--display-overflow must be 'wrap' or 'nowrap', not '${value}'`);
}

// Borders and padding around each column: "│ " before and " " after.
const COLUMN_CHROME = 3;

/** `text` cut into pieces of at most `width` columns, for a cell wider than the terminal. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  let used = 0;
  for (const char of text) {
    const w = charWidth(char.codePointAt(0)!);
    if (used + w > width && line !== "") {
      lines.push(line);
      line = "";
      used = 0;
    }
    line += char;
    used += w;
  }
  lines.push(line);
  return lines;
}

/**
 * One box-drawn table. Drawn here rather than with cli-table3: a consumer draws a table of about
 * 80 columns for every notification, and cli-table3 took 2.4 ms each, which capped `consume`.
 */
function drawTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { colour: boolean; maxWidth?: number; wrapColumn?: number },
): string {
  const border = options.colour ? (text: string) => `\x1b[90m${text}\x1b[39m` : (t: string) => t;
  const head = options.colour ? (text: string) => `\x1b[36m${text}\x1b[39m` : (t: string) => t;
  // Only the column that is too wide (by default every column) wraps inside its cells.
  const cellLines = (text: string, c: number): string[] =>
    options.maxWidth !== undefined && displayWidth(text) > options.maxWidth &&
      (options.wrapColumn === undefined || options.wrapColumn === c)
      ? wrapText(text, options.maxWidth)
      : [text];
  const headerCells = headers.map((header, c) => cellLines(header, c));
  const bodyCells = rows.map((row) => headers.map((_, c) => cellLines(row[c] ?? "", c)));
  const widths = headers.map((_, c) => {
    let width = 0;
    for (const line of headerCells[c]) width = Math.max(width, displayWidth(line));
    for (const row of bodyCells) {
      for (const line of row[c]) width = Math.max(width, displayWidth(line));
    }
    return width;
  });
  const rule = (left: string, mid: string, right: string): string =>
    border(left + widths.map((w) => "─".repeat(w + 2)).join(mid) + right);
  const bar = border("│");
  const drawRow = (cells: string[][], style: (text: string) => string): string[] => {
    const height = cells.reduce((max, lines) => Math.max(max, lines.length), 1);
    const out: string[] = [];
    for (let l = 0; l < height; l++) {
      let line = bar;
      for (let c = 0; c < widths.length; c++) {
        const text = cells[c][l] ?? "";
        line += ` ${style(text)}${" ".repeat(widths[c] - displayWidth(text))} ${bar}`;
      }
      out.push(line);
    }
    return out;
  };
  const lines = [rule("┌", "┬", "┐"), ...drawRow(headerCells, head), rule("├", "┼", "┤")];
  for (const row of bodyCells) lines.push(...drawRow(row, (t) => t));
  lines.push(rule("└", "┴", "┘"));
  return lines.join("\n");
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
    safeRows.reduce((max, row) => Math.max(max, displayWidth(row[c] ?? "")), displayWidth(header))
  );
  let repeated = Math.max(0, Math.min(options.repeatColumns ?? 0, widths.length));
  let base = 1;
  for (let c = 0; c < repeated; c++) base += widths[c] + COLUMN_CHROME;
  // Key columns that leave no room for anything else are not repeated.
  if (repeated === widths.length || base + 10 > width) {
    repeated = 0;
    base = 1;
  }
  const leading = Array.from({ length: repeated }, (_, c) => c);
  const groups: number[][] = [];
  let current: number[] = [];
  let used = base;
  for (let c = repeated; c < widths.length; c++) {
    const need = widths[c] + COLUMN_CHROME;
    if (current.length > 0 && used + need > width) {
      groups.push(current);
      current = [];
      used = base;
    }
    current.push(c);
    used += need;
  }
  if (current.length > 0) groups.push(current);
  const parts = groups.map((group, g) => {
    // A single column wider than the terminal wraps inside its cells instead of being cut.
    const tooWide = group.length === 1 && base + widths[group[0]] + COLUMN_CHROME > width;
    const shown = [...leading, ...group];
    const table = drawTable(
      shown.map((c) => safeHeaders[c]),
      safeRows.map((row) => shown.map((c) => row[c] ?? "")),
      {
        colour,
        maxWidth: tooWide ? Math.max(width - base - COLUMN_CHROME, 1) : undefined,
        wrapColumn: tooWide ? leading.length : undefined,
      },
    );
    // The first part holds the repeated columns in their place: its range starts at 1.
    const from = g === 0 ? shown[0] : group[0];
    const caption = groups.length > 1
      ? `columns ${from + 1}-${group[group.length - 1] + 1} of ${headers.length} (part ${
        g + 1
      }/${groups.length})\n`
      : "";
    return caption + table;
  });
  return parts.join("\n");
}
