/**
 * Text from datasets, messages and answers made safe to show: control characters escaped so that
 * nothing read can move the cursor, recolour or retitle a terminal. Shared by every view.
 * @module
 */

/**
 * Escapes control characters (ESC, BEL, C1 controls, ...) so text taken from datasets or messages
 * cannot move the cursor, recolour or retitle the terminal. Newlines and tabs are escaped too.
 */
export function escapeControl(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    if (ch === "\r") return "\\r";
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : ch;
  });
}
