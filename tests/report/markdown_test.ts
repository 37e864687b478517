import assert from "node:assert/strict";
import { escapeMarkdown, renderMarkdown, type ReportDocument } from "../../lib/report/mod.ts";

Deno.test("markdown: title, facts, metrics, tables and charts as tables", () => {
  const document: ReportDocument = {
    title: "Evaluation",
    subtitle: "1,000 flows",
    facts: [{ name: "API", value: "http://127.0.0.1:5000" }],
    sections: [{
      title: "Results",
      blocks: [
        { kind: "metrics", items: [{ name: "Accuracy", value: "93.10%", note: "931 of 1,000" }] },
        { kind: "table", headers: ["category", "flows"], rows: [["Bot", "12"]], caption: "Flows" },
        {
          kind: "chart",
          caption: "Detection",
          chart: { type: "bars", valueTitle: "detected", bars: [{ label: "Bot", value: 3 }] },
        },
        {
          kind: "chart",
          caption: "Hidden",
          markdown: "omit",
          chart: { type: "bars", valueTitle: "x", bars: [{ label: "y", value: 1 }] },
        },
        { kind: "text", text: "All flows were sent." },
      ],
    }],
    footer: "made by mlids",
  };
  assert.equal(
    renderMarkdown(document),
    [
      "# Evaluation",
      "1,000 flows",
      "|  |  |\n|:---|:---|\n| API | http://127.0.0.1:5000 |",
      "## Results",
      "| Metric | Value |  |\n|:---|---:|---:|\n| Accuracy | 93.10% | 931 of 1,000 |",
      "**Flows**\n\n| category | flows |\n|:---|---:|\n| Bot | 12 |",
      "**Detection**\n\n|  | detected |\n|:---|---:|\n| Bot | 3 |",
      "All flows were sent.",
      "_made by mlids_",
    ].join("\n\n") + "\n",
  );
});

Deno.test("markdown: text from the data can neither break a table nor inject markup", () => {
  assert.equal(escapeMarkdown("a|b"), "a\\|b");
  assert.equal(escapeMarkdown("<img src=x>"), "&lt;img src=x>");
  assert.equal(escapeMarkdown("line\nbreak"), "line break");
  assert.equal(
    escapeMarkdown("*bold* _it_ `code` [link](x) ~s~"),
    "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\~s\\~",
  );
  assert.equal(escapeMarkdown("a & b"), "a &amp; b");
  const text = renderMarkdown({
    title: "T",
    facts: [],
    sections: [{
      title: "S",
      blocks: [{ kind: "table", headers: ["name"], rows: [["Brute | Force\n-Web"]] }],
    }],
  });
  assert.ok(text.includes("| Brute \\| Force -Web |"));
});
