import assert from "node:assert/strict";
import { join } from "node:path";
import { InputError, UsageError } from "../../lib/errors.ts";
import {
  checkReportTarget,
  type ReportDocument,
  reportFormatOf,
  writeReport,
} from "../../lib/report/mod.ts";

const DOCUMENT: ReportDocument = {
  title: "Evaluation",
  facts: [],
  sections: [{ title: "Results", blocks: [{ kind: "text", text: "ok" }] }],
};

Deno.test("write: the format comes from the file name; other names are a usage error", () => {
  assert.equal(reportFormatOf("out/report.html"), "html");
  assert.equal(reportFormatOf("REPORT.HTM"), "html");
  assert.equal(reportFormatOf("report.md"), "markdown");
  assert.equal(reportFormatOf("report.markdown"), "markdown");
  assert.throws(() => reportFormatOf("report.pdf"), UsageError);
  assert.throws(
    () => reportFormatOf("report"),
    (error: UsageError) => /FILE\.html .* or FILE\.md/.test(error.hint ?? ""),
  );
});

Deno.test("write: the target is checked before work starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await checkReportTarget(join(dir, "r.html")), "html");
    await assert.rejects(checkReportTarget(join(dir, "missing", "r.md")), InputError);
    await Deno.mkdir(join(dir, "taken.md"));
    await assert.rejects(checkReportTarget(join(dir, "taken.md")), /is a folder/);
    await assert.rejects(checkReportTarget(join(dir, "r.txt")), UsageError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("write: a report is written whole, replacing an old one; a failed write leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const html = join(dir, "r.html");
    await Deno.writeTextFile(html, "old");
    assert.equal(await writeReport(html, DOCUMENT), "html");
    assert.match(await Deno.readTextFile(html), /^<!doctype html>/);
    assert.equal(await writeReport(join(dir, "r.md"), DOCUMENT), "markdown");
    assert.match(await Deno.readTextFile(join(dir, "r.md")), /^# Evaluation\n/);
    await assert.rejects(writeReport(join(dir, "gone", "r.md"), DOCUMENT), InputError);
    const left = [];
    for await (const entry of Deno.readDir(dir)) left.push(entry.name);
    assert.deepEqual(left.sort(), ["r.html", "r.md"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
