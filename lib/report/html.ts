/**
 * A report as one self-contained HTML file: styles inline, charts as inline SVG, the system's
 * sans-serif font (no web font), no script to run and no external URL; a Content-Security-Policy
 * forbids the page any request, so opening it never reaches the network. Readable when printed.
 * @module
 */

import { renderChartSvg } from "./charts.ts";
import type { ReportBlock, ReportDocument } from "./document.ts";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) =>
      ch === "&"
        ? "&amp;"
        : ch === "<"
        ? "&lt;"
        : ch === ">"
        ? "&gt;"
        : ch === '"'
        ? "&quot;"
        : "&#39;",
  );
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1d2330;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 28px 32px 40px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #e3e6eb; }
.subtitle { color: #4a5262; margin: 0 0 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0;
  font-size: 13.5px; }
dl.facts dt { color: #5b6474; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.metric { border: 1px solid #dfe3e9; border-radius: 6px; padding: 10px 12px; }
.metric .name { font-size: 12.5px; color: #5b6474; }
.metric .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.metric .note { font-size: 12px; color: #5b6474; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px;
  font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid #e3e6eb; padding: 4px 10px; }
th { background: #f1f3f6; text-align: left; }
td.r, th.r { text-align: right; }
figure { margin: 8px 0 18px; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-weight: 600; font-size: 14px; margin-bottom: 4px; }
footer { margin-top: 36px; color: #6b7383; font-size: 12px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, table, .metrics, dl.facts { break-inside: avoid; }
  .metric { border-color: #999; }
}
`;

/** The page may load nothing at all: no script, font, image or connection from anywhere. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** SVG from Vega, made fit to sit inline: no XML namespaces (HTML needs none) and scalable. */
function inlineSvg(svg: string, label: string): string {
  return svg
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, "")
    .replace(/^<svg\b/, `<svg role="img" aria-label="${escapeHtml(label)}"`);
}

function tableHtml(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: { caption?: string; align?: readonly ("left" | "right")[] } = {},
): string {
  const alignOf = (c: number) => options.align?.[c] ?? (c === 0 ? "left" : "right");
  const cls = (c: number) => (alignOf(c) === "right" ? ' class="r"' : "");
  const head = headers.map((h, c) => `<th${cls(c)}>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((row) =>
    `<tr>${row.map((cell, c) => `<td${cls(c)}>${escapeHtml(cell)}</td>`).join("")}</tr>`
  ).join("\n");
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

async function blockHtml(block: ReportBlock): Promise<string> {
  switch (block.kind) {
    case "metrics":
      return `<div class="metrics">${
        block.items.map((item) =>
          `<div class="metric"><div class="name">${escapeHtml(item.name)}</div>` +
          `<div class="value">${escapeHtml(item.value)}</div>` +
          (item.note ? `<div class="note">${escapeHtml(item.note)}</div>` : "") + "</div>"
        ).join("")
      }</div>`;
    case "table":
      return tableHtml(block.headers, block.rows, { caption: block.caption, align: block.align });
    case "text":
      return `<p>${escapeHtml(block.text)}</p>`;
    case "chart": {
      const svg = await renderChartSvg(block.chart);
      const caption = block.caption ? `<figcaption>${escapeHtml(block.caption)}</figcaption>` : "";
      return `<figure>${caption}${inlineSvg(svg, block.caption ?? "chart")}</figure>`;
    }
  }
}

/** The report's figures as a JSON data block; `<` escaped so no text can close the element. */
function dataBlock(data: unknown): string {
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<script type="application/json" id="report-data">${json}</script>`;
}

/** `document` as one self-contained HTML page. */
export async function renderHtml(document: ReportDocument): Promise<string> {
  const sections: string[] = [];
  for (const section of document.sections) {
    const blocks: string[] = [];
    for (const block of section.blocks) blocks.push(await blockHtml(block));
    sections.push(`<section><h2>${escapeHtml(section.title)}</h2>\n${blocks.join("\n")}</section>`);
  }
  const facts = document.facts.map((fact) =>
    `<dt>${escapeHtml(fact.name)}</dt><dd>${escapeHtml(fact.value)}</dd>`
  ).join("");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(document.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<header><h1>${escapeHtml(document.title)}</h1>`,
    document.subtitle ? `<p class="subtitle">${escapeHtml(document.subtitle)}</p>` : "",
    facts ? `<dl class="facts">${facts}</dl>` : "",
    "</header>",
    ...sections,
    document.footer ? `<footer>${escapeHtml(document.footer)}</footer>` : "",
    "</main>",
    document.data === undefined ? "" : dataBlock(document.data),
    "</body>",
    "</html>",
    "",
  ].filter((line) => line !== "").join("\n");
}
