/**
 * Numbers in CSV fields, read from the bytes as pandas' `read_csv(float_precision="round_trip")`
 * reads them: correctly rounded doubles, integers exact as int64 or uint64, NaN and infinity
 * spellings. Hand-written because this is the reader's hot path (a hundred million fields for a
 * 1.6-million-flow file): no string per field, and most fields take one IEEE operation.
 * @module
 */

import { decodeText } from "./_records.ts";

/** What {@linkcode parseNumber} saw in the field last parsed. */
export const parsed = {
  /** The field is not a number. */
  invalid: false,
  /** The field is an integer literal (sign and digits only). */
  integer: false,
  /** Significant digits of an integer literal (leading zeros not counted). */
  digits: 0,
};

/**
 * Bytes `start` to `end` as text, for `Number()` and `BigInt()`: numbers are short and ASCII, so
 * one small string from the char codes. (Decoding a whole read buffer once and taking substrings
 * was measured no faster, and leaves a string of megabytes per buffer for the collector.)
 */
function chunkSlice(buf: Uint8Array, start: number, end: number): string {
  if (end - start > 64) return decodeText(buf, start, end);
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]);
  return text;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The NaN and infinity spellings read as numbers, compared in lower case: pandas' default NA
 * values and the infinities its parser knows, plus a few more that CICFlowMeter exports carry.
 */
const SPECIAL_NUMBERS = new Map<string, number>([
  ["nan", NaN],
  ["-nan", NaN],
  ["+nan", NaN],
  ["null", NaN],
  ["none", NaN],
  ["na", NaN],
  ["n/a", NaN],
  ["#n/a", NaN],
  ["<na>", NaN],
  ["inf", Infinity],
  ["+inf", Infinity],
  ["infinity", Infinity],
  ["+infinity", Infinity],
  ["-inf", -Infinity],
  ["-infinity", -Infinity],
]);

function specialNumber(buf: Uint8Array, start: number, end: number): number {
  const special = end - start <= 12
    ? SPECIAL_NUMBERS.get(chunkSlice(buf, start, end).toLowerCase())
    : undefined;
  if (special !== undefined) return special;
  parsed.invalid = true;
  return NaN;
}

/** Whether byte `c` is a space or a tab, which pandas ignores around numbers. */
function blank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** The bounds {@linkcode trim} left (one object, so the hot path allocates nothing). */
const field = { start: 0, end: 0 };

/** Bytes `start` to `end` without the blanks around them, into `field`; false when nothing is left. */
function trim(buf: Uint8Array, start: number, end: number): boolean {
  while (start < end && blank(buf[start])) start++;
  while (end > start && blank(buf[end - 1])) end--;
  field.start = start;
  field.end = end;
  return start < end;
}

/**
 * The number in bytes `start` to `end` (empty, NaN and infinity spellings included), correctly
 * rounded; sets {@linkcode parsed}. Up to 15 significant digits with a power of ten within ±22 are
 * exact in one IEEE operation (Clinger's fast path); longer numbers, already checked for syntax
 * here, go through `Number()`, which rounds correctly too.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  parsed.invalid = false;
  // Most fields are a few plain digits: exact as a double up to 15 of them.
  if (end - start <= 15 && end > start) {
    let value = 0;
    let i = start;
    for (; i < end; i++) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (i === end) {
      parsed.integer = true;
      parsed.digits = end - start;
      return value;
    }
  }
  parsed.integer = false;
  if (!trim(buf, start, end)) return NaN;
  ({ start, end } = field);
  const negative = buf[start] === 0x2d;
  let i = negative || buf[start] === 0x2b ? start + 1 : start;
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let exponent = 0;
  while (i < end) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) break;
    if (mantissa !== 0 || d !== 0) {
      significant++;
      mantissa = mantissa * 10 + d;
    }
    digits++;
    i++;
  }
  if (i === end && digits > 0) {
    parsed.integer = true;
    parsed.digits = significant;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (mantissa !== 0 || d !== 0) {
        significant++;
        mantissa = mantissa * 10 + d;
      }
      exponent--;
      digits++;
      i++;
    }
  }
  if (digits === 0) return specialNumber(buf, start, end);
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let negativeExponent = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) negativeExponent = buf[i++] === 0x2d;
    let written = 0;
    let exponentDigits = 0;
    while (i < end) {
      const d = buf[i] - 0x30;
      if (d < 0 || d > 9) break;
      if (written < 1e6) written = written * 10 + d;
      exponentDigits++;
      i++;
    }
    if (exponentDigits === 0) i = -1;
    exponent += negativeExponent ? -written : written;
  }
  if (i !== end) {
    parsed.invalid = true;
    parsed.integer = false;
    return NaN;
  }
  let value: number;
  if (significant > 15) return Number(chunkSlice(buf, start, end));
  if (mantissa === 0 || exponent === 0) value = mantissa;
  else if (exponent < 0 && exponent >= -22) value = mantissa / POW10[-exponent];
  else if (exponent > 0 && exponent <= 22) value = mantissa * POW10[exponent];
  else return Number(chunkSlice(buf, start, end));
  return negative ? -value : value;
}

/** What {@linkcode classifyNumber} found: not a number. */
export const NOT_A_NUMBER = 0;
/** A number that is not an integer literal: a fraction, an exponent, NaN, an infinity, nothing. */
export const FRACTIONAL = 1;
/** An integer literal, zero or more. */
const NON_NEGATIVE_INTEGER = 2;
/** A negative integer literal. */
export const NEGATIVE_INTEGER = 3;

/**
 * What kind of number bytes `start` to `end` hold, without computing its value (the first open's
 * check of every field, which only needs the kind); sets `parsed.digits` for integers.
 */
export function classifyNumber(buf: Uint8Array, start: number, end: number): number {
  // Most fields are a few plain digits: settle those in one loop.
  if (end - start <= 18 && end > start) {
    let i = start;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === end) {
      parsed.digits = end - start;
      return NON_NEGATIVE_INTEGER;
    }
  }
  if (!trim(buf, start, end)) return FRACTIONAL;
  ({ start, end } = field);
  const negative = buf[start] === 0x2d;
  let i = negative || buf[start] === 0x2b ? start + 1 : start;
  let digits = 0;
  let significant = 0;
  while (i < end) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) break;
    if (significant > 0 || d !== 0) significant++;
    digits++;
    i++;
  }
  if (i === end && digits > 0) {
    parsed.digits = significant;
    // "-0" is zero, as pandas reads it.
    return negative && significant > 0 ? NEGATIVE_INTEGER : NON_NEGATIVE_INTEGER;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) {
      digits++;
      i++;
    }
  }
  if (digits === 0) {
    parsed.invalid = false;
    specialNumber(buf, start, end);
    return parsed.invalid ? NOT_A_NUMBER : FRACTIONAL;
  }
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) i++;
    const first = i;
    while (i < end && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
    if (i === first) return NOT_A_NUMBER;
  }
  return i === end ? FRACTIONAL : NOT_A_NUMBER;
}

/** The integer literal in bytes `start` to `end` (spaces around allowed), exactly. */
export function parseBigInteger(buf: Uint8Array, start: number, end: number): bigint {
  return BigInt(chunkSlice(buf, start, end).trim());
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** How an integer literal fits: int64, uint64 only (beyond int64), or neither. */
export type IntegerRange = "int64" | "uint64" | "none";

/**
 * The range the integer literal in bytes `start` to `end` fits, `parsed.digits` its significant
 * digits: up to 18 always fit int64; longer ones are compared exactly.
 */
export function integerRange(buf: Uint8Array, start: number, end: number): IntegerRange {
  if (parsed.digits <= 18) return "int64";
  if (parsed.digits > 20) return "none";
  const exact = parseBigInteger(buf, start, end);
  if (exact >= INT64_MIN && exact <= INT64_MAX) return "int64";
  return exact > INT64_MAX && exact <= UINT64_MAX ? "uint64" : "none";
}
