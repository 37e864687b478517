/**
 * Reports to share: a {@linkcode ReportDocument} (facts, headline metrics, tables, charts) written
 * as one self-contained HTML page (styles and SVG charts inline, no script, no external URL,
 * readable when printed) or as Markdown tables. Charts are described by their data and drawn by
 * Vega-Lite at report time. Used by `mlids evaluate` and `mlids replay`, which add their own sections.
 *
 * ```ts
 * import { formatPercent, type ReportDocument, renderHtml, renderMarkdown } from "./mod.ts";
 *
 * const report: ReportDocument = {
 *   title: "Detection",
 *   facts: [{ name: "API", value: "http://127.0.0.1:5000" }],
 *   sections: [{
 *     title: "Per category",
 *     blocks: [
 *       { kind: "metrics", items: [{ name: "Recall", value: formatPercent(0.9) }] },
 *       {
 *         kind: "chart",
 *         caption: "Detection rate",
 *         chart: {
 *           type: "bars",
 *           valueTitle: "detected",
 *           format: "percent",
 *           bars: [{ label: "Bot", value: 0.9, low: 0.8, high: 0.95 }],
 *         },
 *       },
 *     ],
 *   }],
 * };
 * const html = await renderHtml(report);
 * console.assert(html.includes("<svg") && html.includes("90.00%"));
 * console.assert(renderMarkdown(report).includes("| Recall | 90.00% |"));
 * ```
 * @module
 */

export {
  type BarChart,
  type Chart,
  chartSpec,
  chartTable,
  type HeatmapChart,
  type LineChart,
  type PercentileChart,
  renderChartSvg,
  type ValueFormat,
  type VegaLiteChart,
} from "./charts.ts";
export {
  type ChartBlock,
  formatDecimal,
  formatInteger,
  formatPercent,
  type Metric,
  type MetricsBlock,
  type ReportBlock,
  type ReportDocument,
  type ReportSection,
  type TableBlock,
  type TextBlock,
} from "./document.ts";
export { escapeHtml, renderHtml } from "./html.ts";
export { escapeMarkdown, renderMarkdown } from "./markdown.ts";
export {
  checkReportTarget,
  renderReport,
  type ReportFormat,
  reportFormatOf,
  writeReport,
} from "./write.ts";
