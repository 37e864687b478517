import assert from "node:assert/strict";
import { type Chart, chartSpec, chartTable, renderChartSvg } from "../../lib/report/mod.ts";

const BARS: Chart = {
  type: "bars",
  valueTitle: "flagged as attack",
  format: "percent",
  bars: [
    { label: "Benign", value: 0.05, low: 0.03, high: 0.07, note: "29 of 560" },
    { label: "Bot <script>alert(1)</script>", value: 0.5, low: 0.3, high: 0.7 },
  ],
};
const LINES: Chart = {
  type: "lines",
  xTitle: "false-positive rate",
  yTitle: "detection rate",
  xFormat: "percent",
  yFormat: "percent",
  xDomain: [0, 1],
  yDomain: [0, 1],
  reference: { from: [0, 0], to: [1, 1] },
  series: [{ name: "ROC", points: [{ x: 0, y: 0 }, { x: 0.1, y: 0.9 }, { x: 1, y: 1 }] }],
};
const HEATMAP: Chart = {
  type: "heatmap",
  rowTitle: "true",
  columnTitle: "predicted",
  rows: ["Attack", "Benign"],
  columns: ["Attack", "Benign"],
  values: [[40, 4], [3, 53]],
  labels: [["TP 40", "FN 4"], ["FP 3", "TN 53"]],
};
const PERCENTILES: Chart = {
  type: "percentiles",
  valueTitle: "latency (ms)",
  series: [{
    name: "latency",
    points: [
      { percentile: 0, value: 1 },
      { percentile: 50, value: 3.5 },
      { percentile: 99.9, value: 20 },
      { percentile: 100, value: 31 },
    ],
  }],
};

/** Runs `work` with console.warn and console.error captured; returns what they were given. */
async function captureWarnings(work: () => Promise<unknown>): Promise<string[]> {
  const said: string[] = [];
  const { warn, error } = console;
  console.warn = (...args: unknown[]) => said.push(args.join(" "));
  console.error = (...args: unknown[]) => said.push(args.join(" "));
  try {
    await work();
  } finally {
    console.warn = warn;
    console.error = error;
  }
  return said;
}

Deno.test("charts: every kind draws as SVG with its labels, and Vega-Lite warns of nothing", async () => {
  for (
    const [chart, texts] of [
      [BARS, ["Benign", "29 of 560", "flagged as attack"]],
      [LINES, ["false-positive rate", "detection rate"]],
      [HEATMAP, ["TP 40", "TN 53", "predicted"]],
      [PERCENTILES, ["99.9%", "max", "latency (ms)"]],
    ] as const
  ) {
    let svg = "";
    const warnings = await captureWarnings(async () => {
      svg = await renderChartSvg(chart);
    });
    assert.deepEqual(warnings, [], `${chart.type}: ${warnings.join("; ")}`);
    assert.match(svg, /^<svg\b/);
    for (const text of texts) assert.ok(svg.includes(text), `${chart.type} shows '${text}'`);
  }
});

Deno.test("charts: text from the data is escaped in the SVG", async () => {
  const svg = await renderChartSvg(BARS);
  assert.ok(!svg.includes("<script"), "no raw <script> in the SVG");
  assert.ok(svg.includes("&lt;script&gt;") || svg.includes("Bot &lt;script"), svg.slice(0, 200));
});

Deno.test("charts: a long line is thinned for drawing and for its table, its ends kept", () => {
  const points = Array.from({ length: 5001 }, (_, i) => ({ x: i / 5000, y: Math.sqrt(i / 5000) }));
  const chart: Chart = { ...LINES, series: [{ name: "ROC", points }] } as Chart;
  const spec = chartSpec(chart) as { layer: { data: { values: { x: number }[] } }[] };
  const drawn = spec.layer[spec.layer.length - 1].data.values;
  assert.ok(drawn.length <= 1000);
  assert.equal(drawn[0].x, 0);
  assert.equal(drawn[drawn.length - 1].x, 1);
  const table = chartTable(chart);
  assert.equal(table.rows.length, 20);
  assert.deepEqual(table.rows[0], ["0.00%", "0.00%"]);
  assert.deepEqual(table.rows[19], ["100.00%", "100.00%"]);
});

Deno.test("charts: tables tell each chart's numbers", () => {
  assert.deepEqual(chartTable(BARS), {
    headers: ["", "flagged as attack", "interval", ""],
    rows: [
      ["Benign", "5.00%", "3.00% – 7.00%", "29 of 560"],
      ["Bot <script>alert(1)</script>", "50.00%", "30.00% – 70.00%", ""],
    ],
  });
  assert.deepEqual(chartTable(HEATMAP), {
    headers: ["true / predicted", "Attack", "Benign"],
    rows: [["Attack", "TP 40", "FN 4"], ["Benign", "FP 3", "TN 53"]],
  });
  assert.deepEqual(chartTable(PERCENTILES).rows, [
    ["0%", "1"],
    ["50%", "3.5"],
    ["99.9%", "20"],
    ["max", "31"],
  ]);
  assert.deepEqual(chartTable(LINES).rows[1], ["10.00%", "90.00%"]);
  const custom: Chart = {
    type: "vega-lite",
    spec: { mark: "point", data: { values: [{ a: 1 }] }, encoding: { x: { field: "a" } } },
    table: { headers: ["a"], rows: [["1"]] },
  };
  assert.deepEqual(chartTable(custom), { headers: ["a"], rows: [["1"]] });
});

Deno.test("charts: any Vega-Lite spec draws as given", async () => {
  const svg = await renderChartSvg({
    type: "vega-lite",
    spec: {
      data: { values: [{ t: 0, rate: 10 }, { t: 1, rate: 30 }] },
      mark: "line",
      encoding: {
        x: { field: "t", type: "quantitative", title: "seconds" },
        y: { field: "rate", type: "quantitative", title: "flows per second" },
      },
    },
    table: { headers: [], rows: [] },
  });
  assert.ok(svg.includes("flows per second"));
});
