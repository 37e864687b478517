import assert from "node:assert/strict";
import { escapeHtml, renderHtml, type ReportDocument } from "../../lib/report/mod.ts";

const HOSTILE = `<img src=x onerror="alert(1)"> & 'quoted' </script>`;

const DOCUMENT: ReportDocument = {
  title: `Evaluation ${HOSTILE}`,
  subtitle: "1,000 flows",
  facts: [
    { name: "Dataset", value: "s3://bucket/test.h5" },
    { name: "API", value: "http://127.0.0.1:5000/api/predictions" },
  ],
  sections: [
    {
      title: "Headline",
      blocks: [
        { kind: "metrics", items: [{ name: "Accuracy", value: "93.10%", note: "931 of 1,000" }] },
        { kind: "text", text: HOSTILE },
      ],
    },
    {
      title: "Per category",
      blocks: [
        {
          kind: "table",
          caption: "Flows per category",
          headers: ["category", "flows"],
          rows: [[HOSTILE, "12"]],
        },
        {
          kind: "chart",
          caption: "Detection rate",
          chart: {
            type: "bars",
            valueTitle: "detected",
            format: "percent",
            bars: [{ label: HOSTILE, value: 0.5, low: 0.2, high: 0.8 }],
          },
        },
      ],
    },
  ],
  footer: "made by mlids 0.1.0",
  data: { accuracy: 0.931, note: HOSTILE },
};

Deno.test("html: one page holding the title, facts, metrics, tables and an inline SVG chart", async () => {
  const html = await renderHtml(DOCUMENT);
  assert.match(html, /^<!doctype html>\n<html lang="en">/);
  for (
    const text of [
      "1,000 flows",
      "<dt>Dataset</dt><dd>s3://bucket/test.h5</dd>",
      '<div class="value">93.10%</div>',
      "931 of 1,000",
      "<caption>Flows per category</caption>",
      '<td class="r">12</td>',
      "<figcaption>Detection rate</figcaption>",
      '<svg role="img" aria-label="Detection rate"',
      "made by mlids 0.1.0",
    ]
  ) {
    assert.ok(html.includes(text), `has ${text}`);
  }
});

Deno.test("html: self-contained: no script to run, no external URL, a policy forbidding requests", async () => {
  const html = await renderHtml(DOCUMENT);
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/,
  );
  // The only script element is the JSON data block, which browsers never run.
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
  assert.deepEqual(scripts, ['<script type="application/json" id="report-data">']);
  // No element loads anything (attribute values, where escaped data lives, set aside).
  const tags = html.replace(/"[^"]*"/g, '""');
  assert.doesNotMatch(tags, /<[a-z][^>]*\s(src|href|xlink:href|srcset|data|action)=/i);
  assert.doesNotMatch(html, /url\(|@import|<link\b|<iframe\b|<object\b/i);
  // No URL at all but the API's, which is data shown in the facts; SVG namespaces are dropped.
  const urls = [...html.matchAll(/https?:\/\/[\w.-]+/gi)].map((match) => match[0]);
  assert.deepEqual([...new Set(urls)], ["http://127.0.0.1"]);
});

Deno.test("html: text from the data is escaped everywhere, the data block included", async () => {
  const html = await renderHtml(DOCUMENT);
  assert.ok(!html.includes("<img"), "no raw <img>");
  assert.equal(html.split("</script>").length - 1, 1, "one </script>: the data block's own end");
  assert.ok(html.includes(escapeHtml(HOSTILE)));
  const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  assert.ok(data);
  assert.deepEqual(JSON.parse(data[1]), DOCUMENT.data);
});

Deno.test("html: readable when printed: a print style that keeps figures and tables whole", async () => {
  const html = await renderHtml(DOCUMENT);
  assert.match(html, /@media print \{[^}]*body \{ background: #fff;/);
  assert.match(html, /figure, table, \.metrics, dl\.facts \{ break-inside: avoid; \}/);
});

Deno.test("html: escapeHtml escapes the five characters that matter", () => {
  assert.equal(
    escapeHtml(`<a href="x">'&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
  );
});
