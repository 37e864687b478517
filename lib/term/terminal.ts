/**
 * Facts about the terminal mlids writes to: whether stderr/stdout are TTYs, whether colour is
 * allowed (NO_COLOR, FORCE_COLOR), and the width to fit tables into.
 * @module
 */

import { envVar } from "../env.ts";

/** Whether standard error is an interactive terminal (progress bars and status lines go there). */
export function stderrIsTerminal(): boolean {
  return Deno.stderr.isTerminal();
}

/** Whether standard output is an interactive terminal. */
export function stdoutIsTerminal(): boolean {
  return Deno.stdout.isTerminal();
}

/** Whether standard input is an interactive terminal (prompts need one). */
export function stdinIsTerminal(): boolean {
  return Deno.stdin.isTerminal();
}

/** Whether to colour what goes to a stream: never with NO_COLOR set, always with FORCE_COLOR, else only on a TTY. */
export function colourEnabled(stream: "stdout" | "stderr"): boolean {
  const noColor = envVar("NO_COLOR");
  if (noColor !== undefined && noColor !== "") return false;
  const force = envVar("FORCE_COLOR");
  if (force !== undefined && force !== "" && force !== "0") return true;
  return stream === "stdout" ? stdoutIsTerminal() : stderrIsTerminal();
}

/** The terminal's width in columns: the TTY's size, else COLUMNS, else 100. */
export function terminalWidth(): number {
  try {
    if (Deno.stdout.isTerminal()) return Deno.consoleSize().columns;
  } catch {
    // Not a console after all; fall through to COLUMNS.
  }
  const columns = Number(envVar("COLUMNS"));
  return Number.isInteger(columns) && columns > 20 ? columns : 100;
}

/** ANSI styles that turn into plain text when colour is off. */
export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** Styles for a stream, honouring NO_COLOR and TTY detection. */
export function stylesFor(stream: "stdout" | "stderr"): Styles {
  return stylesWith(colourEnabled(stream));
}

/** ANSI styles when `on`, plain text otherwise (for views told whether to colour). */
export function stylesWith(on: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string): string =>
    on ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}
