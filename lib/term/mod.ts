/**
 * The terminal: what it is (a TTY or not, its width, whether colour is wanted: `NO_COLOR`,
 * `FORCE_COLOR`), and how mlids draws on it: bordered tables that wrap to the width
 * ({@linkcode renderTable}), bar charts, and progress bars that redraw in place on a TTY and print a
 * start and an end line elsewhere (nothing with `--quiet`).
 *
 * ```ts
 * import { renderTable } from "./mod.ts";
 *
 * const text = renderTable(["label", "flows"], [["Benign", "3"]], { width: 40 });
 * console.assert(text.includes("Benign"));
 * ```
 * @module
 */

export { type Bar, type BarChartOptions, renderBarChart } from "./bar_chart.ts";
export {
  downloadBar,
  formatBytes,
  formatCount,
  formatCountOf,
  formatSeconds,
  ProgressBar,
  type ProgressBarOptions,
  progressQuiet,
  setProgressQuiet,
  type TransferProgress,
  type WritableLike,
} from "./progress.ts";
export { type Overflow, parseOverflow, renderTable, type TableOptions } from "./table.ts";
export {
  colourEnabled,
  stderrIsTerminal,
  stdinIsTerminal,
  stdoutIsTerminal,
  type Styles,
  stylesFor,
  stylesWith,
  terminalWidth,
} from "./terminal.ts";
