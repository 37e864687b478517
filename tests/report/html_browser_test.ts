/**
 * The HTML report as a person sees it: opened in headless Chromium, it renders its numbers and
 * charts, logs no error and requests nothing.
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromiumPresent, visitPage } from "../support/chromium.ts";
import { decodePng, inkOf } from "../support/png.ts";
import { renderHtml, type ReportDocument } from "../../lib/report/mod.ts";

const ignore = !chromiumPresent;

const DOCUMENT: ReportDocument = {
  title: "Every chart kind",
  facts: [{ name: "API", value: "http://127.0.0.1:9/api/predictions" }],
  sections: [{
    title: "Charts",
    blocks: [
      { kind: "metrics", items: [{ name: "Accuracy", value: "93.10%", note: "931 of 1,000" }] },
      {
        kind: "chart",
        caption: "Confusion matrix",
        chart: {
          type: "heatmap",
          rowTitle: "true",
          columnTitle: "predicted",
          rows: ["Attack", "Benign"],
          columns: ["Attack", "Benign"],
          values: [[400, 40], [29, 531]],
          labels: [["TP 400", "FN 40"], ["FP 29", "TN 531"]],
        },
      },
      {
        kind: "chart",
        caption: "Detection rate",
        chart: {
          type: "bars",
          valueTitle: "flagged",
          format: "percent",
          bars: [{ label: "Bot", value: 0.5, low: 0.3, high: 0.7, note: "5 of 10" }],
        },
      },
      {
        kind: "chart",
        caption: "ROC",
        chart: {
          type: "lines",
          xTitle: "fpr",
          yTitle: "tpr",
          reference: { from: [0, 0], to: [1, 1] },
          series: [{ name: "ROC", points: [{ x: 0, y: 0 }, { x: 0.1, y: 0.9 }, { x: 1, y: 1 }] }],
        },
      },
      {
        kind: "chart",
        caption: "Latency",
        chart: {
          type: "percentiles",
          valueTitle: "ms",
          series: [{
            name: "latency",
            points: [{ percentile: 0, value: 1 }, { percentile: 99, value: 9 }, {
              percentile: 100,
              value: 12,
            }],
          }],
        },
      },
    ],
  }],
};

Deno.test({
  name:
    "html in chromium: the report renders its numbers and charts, logs no error, fetches nothing",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "report.html");
      await Deno.writeTextFile(path, await renderHtml(DOCUMENT));
      const visit = await visitPage(pathToFileURL(path).href);
      assert.deepEqual(visit.errors, []);
      assert.deepEqual(visit.requests, []);
      for (const text of ["Every chart kind", "93.10%", "931 of 1,000", "TP 400", "5 of 10"]) {
        assert.ok(visit.text.includes(text), `the page shows ${text}`);
      }
      const { ink, colours } = inkOf(decodePng(visit.screenshot));
      assert.ok(
        ink > 0.05 && colours > 20,
        `the screenshot is not blank (ink ${ink}, ${colours} colours)`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "html in chromium: the check sees a page's errors and requests (it can fail)",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const path = join(dir, "noisy.html");
      await Deno.writeTextFile(
        path,
        '<!doctype html><body><p>noisy</p><img src="http://127.0.0.1:9/x.png">' +
          '<script>console.error("boom")</script></body>',
      );
      const visit = await visitPage(pathToFileURL(path).href);
      assert.ok(visit.requests.includes("http://127.0.0.1:9/x.png"), visit.requests.join(" "));
      assert.ok(visit.errors.some((error) => error.includes("boom")), visit.errors.join(" "));
      assert.equal(visit.text.trim(), "noisy");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
