/**
 * Writing a report file: its format told from the file name (`.html`/`.htm`, `.md`/`.markdown`),
 * the target checked before a long run starts, and the file written whole or not at all (a
 * temporary file renamed into place).
 * @module
 */

import { dirname } from "node:path";
import { InputError, MachineError, UsageError } from "../errors.ts";
import type { ReportDocument } from "./document.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";

/** The formats a report file can have. */
export type ReportFormat = "html" | "markdown";

/** The format a report file name asks for; UsageError for any other extension. */
export function reportFormatOf(path: string): ReportFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".html") || lower.endsWith(".htm")) return "html";
  if (lower.endsWith(".md") || lower.endsWith(".markdown")) return "markdown";
  throw new UsageError(`cannot tell the report format of '${path}'`, {
    hint: "Name the report FILE.html (a page to open or print) or FILE.md (Markdown tables).",
  });
}

/**
 * Checks that a report can be written to `path` before the work that fills it starts: a known
 * extension, an existing folder, and not a folder itself.
 */
export async function checkReportTarget(path: string): Promise<ReportFormat> {
  const format = reportFormatOf(path);
  const folder = dirname(path);
  try {
    const stat = await Deno.stat(folder);
    if (!stat.isDirectory) throw new Deno.errors.NotFound();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`the folder of report '${path}' does not exist`, {
        hint: `Create ${folder} first, or name a report in an existing folder.`,
      });
    }
    throw error;
  }
  try {
    if ((await Deno.stat(path)).isDirectory) {
      throw new InputError(`report '${path}' is a folder`, { hint: "Name a file for the report." });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return format;
}

/** `document` rendered in `format`. */
export async function renderReport(
  document: ReportDocument,
  format: ReportFormat,
): Promise<string> {
  return format === "html" ? await renderHtml(document) : renderMarkdown(document);
}

/**
 * Renders `document` in the format its file name asks for and writes it to `path`, whole or not
 * at all. Returns the format written.
 */
export async function writeReport(path: string, document: ReportDocument): Promise<ReportFormat> {
  const format = reportFormatOf(path);
  const text = await renderReport(document, format);
  const temp = `${path}.${Deno.pid}.part`;
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`cannot write report '${path}': its folder does not exist`, {
        hint: "Name a report in an existing folder.",
        cause: error,
      });
    }
    throw new MachineError(`cannot write report '${path}': ${(error as Error).message}`, {
      hint: "Check the folder's permissions and free space.",
      cause: error,
    });
  }
  return format;
}
