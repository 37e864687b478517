/**
 * Turns errors into what the user sees: one line naming what went wrong and what to do, and the
 * exit code (2 for bad usage or input, 1 for remote or machine failures). Stack traces only with --debug.
 * @module
 */

import { exitCodeOf, MlidsError } from "../lib/errors.ts";
import { stylesFor } from "../lib/term/mod.ts";

/** The one-line message and exit code for any thrown value. */
export function describeError(error: unknown): { message: string; exitCode: 1 | 2 | 130 } {
  if (error instanceof MlidsError) {
    const base = error.message.replace(/\.$/, "");
    const message = error.hint ? `${base}. ${error.hint}` : base;
    return { message, exitCode: exitCodeOf(error.kind) };
  }
  if (error instanceof Deno.errors.NotCapable) {
    return {
      message:
        `mlids lacks a permission it needs: ${error.message}. Run it with the flags of 'deno task mlids'.`,
      exitCode: 1,
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    message: `unexpected failure: ${text}. Run again with --debug for details and report it.`,
    exitCode: 1,
  };
}

/**
 * Writes the error (with its stack and causes when `debug`) to stderr, or to `write` (a line at a
 * time), and returns the exit code.
 */
export function reportError(
  error: unknown,
  options: { debug?: boolean; write?: (line: string) => void } = {},
): 1 | 2 | 130 {
  const { message, exitCode } = describeError(error);
  const write = options.write ?? ((line: string) => console.error(line));
  const red = options.write ? (text: string) => text : stylesFor("stderr").red;
  write(`${red("error:")} ${message}`);
  if (options.debug) {
    let current: unknown = error;
    while (current !== undefined && current !== null) {
      write(current instanceof Error ? current.stack ?? String(current) : String(current));
      current = current instanceof Error ? current.cause : undefined;
      if (current !== undefined) write("caused by:");
    }
  }
  return exitCode;
}
