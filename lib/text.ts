/**
 * Text from datasets, messages and answers made safe to show: control characters escaped so that
 * nothing read can move the cursor, recolour or retitle a terminal, and invisible format characters
 * (bidi controls, marks, BOM) escaped so that nothing read can make a terminal show text in
 * another order than it is (the "Trojan Source" trick). Shared by every view and the CSV writer.
 * Also how many terminal columns text takes, to line it up.
 * @module
 */

import { eastAsianWidth } from "get-east-asian-width";

/**
 * Invisible characters that change how text around them is shown: the Arabic letter mark, the
 * left-to-right and right-to-left marks, the bidi embeddings, overrides and isolates, the line and
 * paragraph separators, and the zero-width no-break space (BOM). Joiners (U+200C/D) are left alone:
 * emoji and many scripts need them, and they cannot reorder text.
 */
const FORMAT_CHARACTERS = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function codeEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * Escapes the invisible format characters of {@linkcode FORMAT_CHARACTERS} as `\uXXXX`, and
 * nothing else: for outputs such as CSV that keep control characters as data.
 */
export function escapeFormatCharacters(text: string): string {
  return text.replace(FORMAT_CHARACTERS, codeEscape);
}

/**
 * Escapes control characters (ESC, BEL, C1 controls, ...) so text taken from datasets or messages
 * cannot move the cursor, recolour or retitle the terminal, and bidi and other invisible format
 * characters (`\u202e`, ...) so it cannot reorder what is shown. Newlines and tabs are escaped too.
 */
export function escapeControl(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === "\n") return "\\n";
    if (ch === "\t") return "\\t";
    if (ch === "\r") return "\\r";
    return `\\x${code.toString(16).padStart(2, "0")}`;
  }).replace(FORMAT_CHARACTERS, codeEscape);
}

/** Characters that take no column of their own: combining marks, zero-width spaces and joiners, variation selectors. */
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]$/u;

/**
 * Columns a character (by code point) takes in a terminal: 2 for East Asian wide and fullwidth
 * characters and emoji (Unicode's East Asian Width, from get-east-asian-width), 0 for combining
 * marks and zero-width characters, else 1.
 */
export function charWidth(codePoint: number): 0 | 1 | 2 {
  // Below U+0300 (ASCII, Latin-1, Latin Extended) nothing is wide or combining.
  if (codePoint < 0x300) return 1;
  if (ZERO_WIDTH.test(String.fromCodePoint(codePoint))) return 0;
  return eastAsianWidth(codePoint);
}

/** Columns `text` takes in a terminal (see {@linkcode charWidth}), for padding and fitting. */
export function displayWidth(text: string): number {
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Plain ASCII and Latin text is one column a UTF-16 unit: the common case, kept cheap.
    if (code < 0x300) {
      width++;
    } else {
      const point = text.codePointAt(i)!;
      if (point > 0xffff) i++;
      width += charWidth(point);
    }
  }
  return width;
}

/** `arg` as one POSIX shell word: as it is when that is safe, else in single quotes. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
