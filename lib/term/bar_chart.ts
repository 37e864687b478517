/**
 * Horizontal bar charts for the terminal, such as the detection rate per traffic category: one
 * line per bar with its name, the bar, the percentage and the counts. Plain ASCII without colour.
 * @module
 */

import { displayWidth, escapeControl } from "../text.ts";

/** One bar: a name and a part of a whole (`value` of `total`). */
export interface Bar {
  readonly name: string;
  readonly value: number;
  readonly total: number;
}

/** Options of {@linkcode renderBarChart}. */
export interface BarChartOptions {
  /** Width to fit the lines into, in characters (default 80). */
  width?: number;
  /** Draw with block characters in green/red; otherwise `#` and `.` without escape codes. */
  colour?: boolean;
}

const MIN_BAR = 10;
const MAX_BAR = 40;

/** Draws `bars` one per line: `name  [#####.....]  50.0%  (5/10)`, names padded to line up. */
export function renderBarChart(bars: readonly Bar[], options: BarChartOptions = {}): string {
  if (bars.length === 0) return "";
  const colour = options.colour ?? false;
  const width = Math.max(options.width ?? 80, 40);
  const names = bars.map((bar) => escapeControl(bar.name));
  const counts = bars.map((bar) => `(${bar.value}/${bar.total})`);
  const countWidth = Math.max(...counts.map(displayWidth));
  // name, two spaces, bar, two spaces, "100.0%", two spaces, counts.
  const fixed = 2 + 2 + 6 + 2 + countWidth + (colour ? 0 : 2);
  const nameWidth = Math.min(
    Math.max(...names.map(displayWidth)),
    Math.max(12, width - fixed - MIN_BAR),
  );
  const barWidth = Math.max(MIN_BAR, Math.min(MAX_BAR, width - fixed - nameWidth));
  return bars.map((bar, i) => {
    const fraction = bar.total > 0 ? Math.min(Math.max(bar.value / bar.total, 0), 1) : 0;
    const filled = Math.round(fraction * barWidth);
    const empty = barWidth - filled;
    // A long name keeps every character: it goes on its own line above the bar.
    const name = displayWidth(names[i]) > nameWidth
      ? `${names[i]}\n${" ".repeat(nameWidth)}`
      : names[i] + " ".repeat(nameWidth - displayWidth(names[i]));
    const drawn = colour
      ? `\x1b[${fraction >= 0.5 ? 32 : 31}m${"█".repeat(filled)}\x1b[2m${
        "░".repeat(empty)
      }\x1b[22;39m`
      : `[${"#".repeat(filled)}${".".repeat(empty)}]`;
    const percent = bar.total > 0 ? `${(fraction * 100).toFixed(1)}%` : "-";
    return `${name}  ${drawn}  ${percent.padStart(6)}  ${counts[i]}`;
  }).join("\n");
}
