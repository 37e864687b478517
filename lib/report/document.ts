/**
 * A report as data: a title, facts about the run, and sections of blocks (headline metrics,
 * tables, charts, text). The HTML and Markdown renderers turn the same document into a file to
 * open or print and into tables for a pull request or wiki; commands build documents, never markup.
 * @module
 */

import type { Chart } from "./charts.ts";

/** One headline figure: a name, its value as shown, and an optional note (counts, an interval). */
export interface Metric {
  readonly name: string;
  readonly value: string;
  readonly note?: string;
}

/** Headline figures, shown as tiles in HTML and as a two-column table in Markdown. */
export interface MetricsBlock {
  readonly kind: "metrics";
  readonly items: readonly Metric[];
}

/** A table of text cells. */
export interface TableBlock {
  readonly kind: "table";
  readonly caption?: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column; default left for the first column and right for the others (numbers). */
  readonly align?: readonly ("left" | "right")[];
}

/** A chart: inline SVG in HTML; its numbers as a table in Markdown (unless `markdown` is "omit"). */
export interface ChartBlock {
  readonly kind: "chart";
  readonly caption?: string;
  readonly chart: Chart;
  /** What the Markdown report shows for the chart: its numbers as a table (default) or nothing. */
  readonly markdown?: "table" | "omit";
}

/** A paragraph of plain text (never markup: it is escaped). */
export interface TextBlock {
  readonly kind: "text";
  readonly text: string;
}

/** Anything a section holds. */
export type ReportBlock = MetricsBlock | TableBlock | ChartBlock | TextBlock;

/** A titled part of the report. */
export interface ReportSection {
  readonly title: string;
  readonly blocks: readonly ReportBlock[];
}

/** A whole report. */
export interface ReportDocument {
  readonly title: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** Facts about the run (dataset, API, date, version, settings), in order. */
  readonly facts: readonly { readonly name: string; readonly value: string }[];
  readonly sections: readonly ReportSection[];
  /** The line at the foot of the report (e.g. which tool made it). */
  readonly footer?: string;
  /**
   * Machine-readable figures embedded in the HTML as a JSON data block
   * (`<script type="application/json" id="report-data">`), never executed.
   */
  readonly data?: unknown;
}

/** A fraction 0..1 as a percentage with `digits` decimals (`12.34%`), or `n/a` for null. */
export function formatPercent(fraction: number | null, digits = 2): string {
  return fraction === null || !Number.isFinite(fraction)
    ? "n/a"
    : `${(fraction * 100).toFixed(digits)}%`;
}

/** A number with `digits` decimals, or `n/a` for null. */
export function formatDecimal(value: number | null, digits = 4): string {
  return value === null || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** A count with thousands separators (`1,620,000`). */
export function formatInteger(value: number): string {
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
