/**
 * A report as Markdown (GitHub-flavoured tables) for a pull request or a wiki: the same facts,
 * figures and tables as the HTML report, each chart told by its numbers. Text from datasets is
 * escaped so it can neither break a table nor inject markup.
 * @module
 */

import { chartTable } from "./charts.ts";
import type { ReportBlock, ReportDocument } from "./document.ts";

/** Escapes text for a Markdown table cell or paragraph: pipes, markup characters, line breaks. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`);
}

function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ("left" | "right")[],
): string {
  const alignOf = (c: number) => align?.[c] ?? (c === 0 ? "left" : "right");
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(" | ")} |`;
  const rule = `|${headers.map((_, c) => (alignOf(c) === "right" ? "---:" : ":---")).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

function blockMarkdown(block: ReportBlock): string | null {
  switch (block.kind) {
    case "metrics":
      return markdownTable(
        ["Metric", "Value", ""],
        block.items.map((item) => [item.name, item.value, item.note ?? ""]),
      );
    case "table": {
      const table = markdownTable(block.headers, block.rows, block.align);
      return block.caption ? `**${escapeMarkdown(block.caption)}**\n\n${table}` : table;
    }
    case "text":
      return escapeMarkdown(block.text);
    case "chart": {
      if (block.markdown === "omit") return null;
      const { headers, rows } = chartTable(block.chart);
      const table = markdownTable(headers, rows);
      return block.caption ? `**${escapeMarkdown(block.caption)}**\n\n${table}` : table;
    }
  }
}

/** `document` as Markdown. */
export function renderMarkdown(document: ReportDocument): string {
  const parts: string[] = [`# ${escapeMarkdown(document.title)}`];
  if (document.subtitle) parts.push(escapeMarkdown(document.subtitle));
  if (document.facts.length > 0) {
    parts.push(markdownTable(
      ["", ""],
      document.facts.map((fact) => [fact.name, fact.value]),
      ["left", "left"],
    ));
  }
  for (const section of document.sections) {
    parts.push(`## ${escapeMarkdown(section.title)}`);
    for (const block of section.blocks) {
      const text = blockMarkdown(block);
      if (text !== null) parts.push(text);
    }
  }
  if (document.footer) parts.push(`_${escapeMarkdown(document.footer)}_`);
  return `${parts.join("\n\n")}\n`;
}
