/**
 * JSON that keeps every integer exact: integers beyond 2^53 are read as bigints and written back
 * as the digits they were. pandas writes int64 columns in full, so a notification may carry
 * `1199710477670935696`, which `JSON.parse` alone would round to `1199710477670935800`. Built on
 * the engine's own JSON (the reviver's source text and `JSON.rawJSON`), so no parser is
 * hand-written.
 * @module
 */

/** The parts of the engine's JSON (source text access) that TypeScript's lib does not declare yet. */
interface JsonWithSource {
  parse(
    text: string,
    reviver: (key: string, value: unknown, context: { source?: string }) => unknown,
  ): unknown;
  rawJSON(text: string): unknown;
}

const json = JSON as unknown as JsonWithSource;

/** An integer too large for a double to hold exactly: 16 digits or more. */
const LONG_DIGITS = /\d{16}/;
const INTEGER_LITERAL = /^-?\d+$/;

function exactInteger(_key: string, value: unknown, context: { source?: string }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && INTEGER_LITERAL.test(source) ? BigInt(source) : value;
}

/**
 * Parses JSON text; integers beyond 2^53 (written without a fraction or exponent) become bigints,
 * every other value is what `JSON.parse` gives. Throws `SyntaxError` as `JSON.parse` does.
 */
export function parseJsonExact(text: string): unknown {
  // Only text with a long run of digits can hold such an integer; the rest skips the reviver.
  return LONG_DIGITS.test(text) ? json.parse(text, exactInteger) : JSON.parse(text);
}

function bigintAsDigits(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? json.rawJSON(value.toString()) : value;
}

/** `JSON.stringify(value)`, with bigints written as their exact digits instead of throwing. */
export function stringifyJsonExact(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // JSON.stringify refuses bigints; values without one take the fast path above.
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsDigits);
  }
}

/** Whether parsed JSON `value` is an object (not null, not an array), so its fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
