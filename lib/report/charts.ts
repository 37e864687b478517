/**
 * The charts a report can hold, described by their data (bars with intervals, lines, a heat map,
 * a latency-by-percentile curve, or any Vega-Lite spec), drawn as SVG by Vega-Lite and Vega at
 * report time (no browser, no script in the report), and told as a table for Markdown.
 * @module
 */

/** A formatted axis or value: fractions shown as percentages, or plain numbers. */
export type ValueFormat = "percent" | "number";

/** Horizontal bars, in the order given, with an optional interval (a whisker) per bar. */
export interface BarChart {
  readonly type: "bars";
  readonly bars: readonly {
    readonly label: string;
    readonly value: number;
    readonly low?: number;
    readonly high?: number;
    /** Shown beside the bar and in the table, e.g. `41 of 50`. */
    readonly note?: string;
  }[];
  readonly valueTitle: string;
  readonly format?: ValueFormat;
  /** Value axis range; default from the data (0..1 for percent). */
  readonly domain?: readonly [number, number];
}

/** One or more lines of (x, y) points. */
export interface LineChart {
  readonly type: "lines";
  readonly series: readonly {
    readonly name: string;
    readonly points: readonly { readonly x: number; readonly y: number }[];
  }[];
  readonly xTitle: string;
  readonly yTitle: string;
  readonly xFormat?: ValueFormat;
  readonly yFormat?: ValueFormat;
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Draw each line as steps (e.g. a precision-recall curve) instead of straight segments. */
  readonly step?: boolean;
  /** A dashed reference line, e.g. chance on a ROC curve. */
  readonly reference?: { readonly from: [number, number]; readonly to: [number, number] };
}

/** A grid of numbers coloured by value, each cell labelled (a confusion matrix). */
export interface HeatmapChart {
  readonly type: "heatmap";
  readonly rowTitle: string;
  readonly columnTitle: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  /** values[row][column]. */
  readonly values: readonly (readonly number[])[];
  /** Text per cell (default the value). */
  readonly labels?: readonly (readonly string[])[];
}

/** Values by percentile (0..100) on a scale that spreads the tail: 90 %, 99 %, 99.9 %, ... */
export interface PercentileChart {
  readonly type: "percentiles";
  readonly series: readonly {
    readonly name: string;
    readonly points: readonly { readonly percentile: number; readonly value: number }[];
  }[];
  readonly valueTitle: string;
}

/** Any Vega-Lite spec (data inline), with the table Markdown shows for it. */
export interface VegaLiteChart {
  readonly type: "vega-lite";
  readonly spec: Record<string, unknown>;
  readonly table: { readonly headers: readonly string[]; readonly rows: readonly string[][] };
}

/** Every kind of chart a report holds. */
export type Chart = BarChart | LineChart | HeatmapChart | PercentileChart | VegaLiteChart;

/** Most points drawn per line: a longer line is thinned evenly (its first and last kept). */
const MAX_LINE_POINTS = 1000;
/** Most rows a line's Markdown table shows per series. */
const MAX_TABLE_POINTS = 20;
const WIDTH = 560;
const HEIGHT = 300;
/** The tail of a percentile chart ends at 99.999 % (5 nines); the maximum is drawn there too. */
const MAX_NINES = 5;

/** Every `step`-th point of `points`, the last always kept, at most `max` in all. */
function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]);
  return out;
}

function formatValue(value: number, format: ValueFormat | undefined): string {
  if (!Number.isFinite(value)) return "n/a";
  if (format === "percent") return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function axisFormat(format: ValueFormat | undefined): Record<string, unknown> {
  return format === "percent" ? { format: ".0%" } : {};
}

/** -log10(1 - p/100): 90 % -> 1, 99 % -> 2, ..., capped at 5 nines (and the maximum drawn there). */
function ninesOf(percentile: number): number {
  if (percentile >= 100) return MAX_NINES;
  return Math.min(MAX_NINES, -Math.log10(1 - percentile / 100));
}

const CONFIG = {
  font: "sans-serif",
  background: "white",
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#e5e5e5" },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: null },
};

function barsSpec(chart: BarChart): Record<string, unknown> {
  const values = chart.bars.map((bar) => ({
    label: bar.label,
    value: bar.value,
    low: bar.low ?? bar.value,
    high: bar.high ?? bar.value,
    text: bar.note ?? formatValue(bar.value, chart.format),
  }));
  const domain = chart.domain ?? (chart.format === "percent" ? [0, 1] : undefined);
  const y = {
    field: "label",
    type: "nominal",
    title: null,
    // An explicit order: a sort by field conflicts across the layers that share this axis.
    sort: chart.bars.map((bar) => bar.label),
    axis: { labelLimit: 220 },
  };
  const x = {
    field: "value",
    type: "quantitative",
    title: chart.valueTitle,
    axis: axisFormat(chart.format),
    ...(domain ? { scale: { domain: [...domain] } } : {}),
  };
  return {
    width: WIDTH - 100,
    height: { step: 22 },
    data: { values },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" }, encoding: { y, x } },
      {
        mark: { type: "rule", color: "#222", strokeWidth: 1.5 },
        encoding: { y, x: { ...x, field: "low" }, x2: { field: "high" } },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 10, color: "#333" },
        encoding: { y, x: { ...x, field: "high" }, text: { field: "text" } },
      },
    ],
  };
}

function linesSpec(chart: LineChart): Record<string, unknown> {
  const values = chart.series.flatMap((series) =>
    thin(series.points, MAX_LINE_POINTS).map((point, order) => ({
      series: series.name,
      x: point.x,
      y: point.y,
      order,
    }))
  );
  const layers: Record<string, unknown>[] = [];
  if (chart.reference) {
    layers.push({
      data: {
        values: [
          { x: chart.reference.from[0], y: chart.reference.from[1] },
          { x: chart.reference.to[0], y: chart.reference.to[1] },
        ],
      },
      mark: { type: "line", strokeDash: [4, 4], color: "#999" },
      encoding: {
        x: { field: "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
      },
    });
  }
  layers.push({
    data: { values },
    mark: { type: "line", interpolate: chart.step ? "step-after" : "linear", strokeWidth: 2 },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: chart.xTitle,
        axis: axisFormat(chart.xFormat),
        ...(chart.xDomain ? { scale: { domain: [...chart.xDomain] } } : {}),
      },
      y: {
        field: "y",
        type: "quantitative",
        title: chart.yTitle,
        axis: axisFormat(chart.yFormat),
        ...(chart.yDomain ? { scale: { domain: [...chart.yDomain] } } : {}),
      },
      order: { field: "order" },
      color: chart.series.length > 1
        ? { field: "series", type: "nominal", title: null }
        : { value: "#4c78a8" },
    },
  });
  return { width: WIDTH, height: HEIGHT, layer: layers };
}

function heatmapSpec(chart: HeatmapChart): Record<string, unknown> {
  const max = Math.max(0, ...chart.values.flat());
  const values = chart.rows.flatMap((row, r) =>
    chart.columns.map((column, c) => ({
      row,
      column,
      value: chart.values[r]?.[c] ?? 0,
      text: chart.labels?.[r]?.[c] ?? formatValue(chart.values[r]?.[c] ?? 0, "number"),
      dark: max > 0 && (chart.values[r]?.[c] ?? 0) > max / 2,
    }))
  );
  const encoding = {
    y: {
      field: "row",
      type: "nominal",
      title: chart.rowTitle,
      sort: [...chart.rows],
      axis: { grid: false },
    },
    x: {
      field: "column",
      type: "nominal",
      title: chart.columnTitle,
      sort: [...chart.columns],
      axis: { orient: "top", labelAngle: 0, grid: false },
    },
  };
  return {
    width: { step: 150 },
    height: { step: 70 },
    data: { values },
    layer: [
      {
        mark: { type: "rect", stroke: "white" },
        encoding: {
          ...encoding,
          color: {
            field: "value",
            type: "quantitative",
            title: null,
            scale: { scheme: "blues", domainMin: 0 },
            legend: null,
          },
        },
      },
      {
        mark: { type: "text", fontSize: 13, lineBreak: "\n" },
        encoding: {
          ...encoding,
          text: { field: "text" },
          color: { condition: { test: "datum.dark", value: "white" }, value: "black" },
        },
      },
    ],
  };
}

const NINES_LABELS = ["0%", "90%", "99%", "99.9%", "99.99%", "max"];

function percentilesSpec(chart: PercentileChart): Record<string, unknown> {
  const values = chart.series.flatMap((series) =>
    series.points.map((point) => ({
      series: series.name,
      nines: ninesOf(point.percentile),
      percentile: point.percentile,
      value: point.value,
    }))
  );
  return {
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 2, point: { size: 18 } },
    encoding: {
      x: {
        field: "nines",
        type: "quantitative",
        title: "percentile",
        scale: { domain: [0, MAX_NINES] },
        axis: {
          values: [0, 1, 2, 3, 4, 5],
          labelExpr: `${JSON.stringify(NINES_LABELS)}[datum.value]`,
        },
      },
      y: { field: "value", type: "quantitative", title: chart.valueTitle },
      color: chart.series.length > 1
        ? { field: "series", type: "nominal", title: null }
        : { value: "#4c78a8" },
    },
  };
}

/** The Vega-Lite spec that draws `chart` (data inline, fixed size, no interaction). */
export function chartSpec(chart: Chart): Record<string, unknown> {
  const body = chart.type === "bars"
    ? barsSpec(chart)
    : chart.type === "lines"
    ? linesSpec(chart)
    : chart.type === "heatmap"
    ? heatmapSpec(chart)
    : chart.type === "percentiles"
    ? percentilesSpec(chart)
    : chart.spec;
  return { config: CONFIG, ...body };
}

/**
 * `chart` as an SVG document, drawn by Vega-Lite and Vega (loaded on first use, so a command that
 * writes no HTML report never loads them).
 */
export async function renderChartSvg(chart: Chart): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  // deno-lint-ignore no-explicit-any
  const compiled = vegaLite.compile(chartSpec(chart) as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** `chart`'s numbers as a table (a line's points thinned to at most 20 per series). */
export function chartTable(chart: Chart): { headers: string[]; rows: string[][] } {
  switch (chart.type) {
    case "bars": {
      const intervals = chart.bars.some((bar) => bar.low !== undefined || bar.high !== undefined);
      const notes = chart.bars.some((bar) => bar.note !== undefined);
      return {
        headers: [
          "",
          chart.valueTitle,
          ...(intervals ? ["interval"] : []),
          ...(notes ? [""] : []),
        ],
        rows: chart.bars.map((bar) => [
          bar.label,
          formatValue(bar.value, chart.format),
          ...(intervals
            ? [
              `${formatValue(bar.low ?? bar.value, chart.format)} – ${
                formatValue(bar.high ?? bar.value, chart.format)
              }`,
            ]
            : []),
          ...(notes ? [bar.note ?? ""] : []),
        ]),
      };
    }
    case "lines":
      return {
        headers: [...(chart.series.length > 1 ? ["series"] : []), chart.xTitle, chart.yTitle],
        rows: chart.series.flatMap((series) =>
          thin(series.points, MAX_TABLE_POINTS).map((point) => [
            ...(chart.series.length > 1 ? [series.name] : []),
            formatValue(point.x, chart.xFormat),
            formatValue(point.y, chart.yFormat),
          ])
        ),
      };
    case "heatmap":
      return {
        headers: [`${chart.rowTitle} / ${chart.columnTitle}`, ...chart.columns],
        rows: chart.rows.map((row, r) => [
          row,
          ...chart.columns.map((_, c) =>
            chart.labels?.[r]?.[c]?.replaceAll("\n", " ") ??
              formatValue(chart.values[r]?.[c] ?? 0, "number")
          ),
        ]),
      };
    case "percentiles":
      return {
        headers: [...(chart.series.length > 1 ? ["series"] : []), "percentile", chart.valueTitle],
        rows: chart.series.flatMap((series) =>
          series.points.map((point) => [
            ...(chart.series.length > 1 ? [series.name] : []),
            point.percentile >= 100 ? "max" : `${point.percentile}%`,
            formatValue(point.value, "number"),
          ])
        ),
      };
    case "vega-lite":
      return { headers: [...chart.table.headers], rows: chart.table.rows.map((row) => [...row]) };
  }
}
