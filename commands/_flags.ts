/**
 * The flag vocabulary every command shares: one parser for whole-number flags (decimal digits only,
 * so `0x10`, `1e3`, `2.5` and `-1` are refused alike), `--count N|all` with its `--all` alias, and
 * help notes for defaults that are not literal values. Commands declare their flags with these so
 * that the same flag means, parses and reads the same everywhere.
 * @module
 */

import { Option } from "@commander-js/extra-typings";
import { UsageError } from "../lib/errors.ts";

/** The range a whole-number flag accepts, and why when the limit is not obvious. */
export interface WholeNumberRange {
  min: number;
  /** Default: Number.MAX_SAFE_INTEGER. */
  max?: number;
  /** Said after the range in the error, e.g. ` (SQS returns at most 10 per call)`. */
  why?: string;
}

/**
 * Parses `value` of `flag` as a whole number in `range`: decimal digits only, surrounding spaces
 * allowed. Anything else (`0x10`, `1e3`, `2.5`, `-1`, `+3`, empty) is a one-line UsageError.
 */
export function parseWholeNumber(flag: string, value: string, range: WholeNumberRange): number {
  const text = value.trim();
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < range.min || number > max) {
    const bounds = max === Number.MAX_SAFE_INTEGER
      ? `of ${range.min} or more`
      : `from ${range.min} to ${max}`;
    throw new UsageError(
      `${flag} must be a whole number ${bounds}${range.why ?? ""}, not '${value}'`,
    );
  }
  return number;
}

/** {@linkcode parseWholeNumber} of a flag that may be absent: undefined when it is. */
export function optionalWholeNumber(
  flag: string,
  value: string | undefined,
  range: WholeNumberRange,
): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(flag, value, range);
}

/**
 * Checks the selection flags every command that picks flows shares: a `--seed` that is not empty,
 * and `--category` names that are not blank; a one-line UsageError otherwise.
 */
export function checkSelectionFlags(
  flags: { seed?: string; category?: string | readonly string[] },
): void {
  if (flags.seed !== undefined && flags.seed.trim() === "") {
    throw new UsageError("--seed needs a value: a whole number or any text");
  }
  const names = typeof flags.category === "string" ? [flags.category] : flags.category ?? [];
  if (names.some((name) => name.trim() === "")) {
    throw new UsageError("--category needs a category name, such as 'Benign' or 'Bot'");
  }
}

/** A commander argument parser for a whole-number flag (see {@linkcode parseWholeNumber}). */
export function wholeNumberArg(flag: string, range: WholeNumberRange): (value: string) => number {
  return (value: string): number => parseWholeNumber(flag, value, range);
}

/**
 * Parses `value` of `flag` as one of `choices`, in any case (`WRAP` is `wrap`, as the original
 * clients accepted); anything else is a one-line UsageError listing the choices.
 */
export function parseChoice<const C extends readonly string[]>(
  flag: string,
  value: string,
  choices: C,
): C[number] {
  const lower = value.trim().toLowerCase();
  const found = choices.find((choice) => choice.toLowerCase() === lower);
  if (found === undefined) {
    const list = choices.length > 1
      ? `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`
      : choices[0];
    throw new UsageError(`${flag} must be ${list}, not '${value}'`);
  }
  return found;
}

/**
 * An option whose value is one of `choices` (any case): the choices are what help lists and what
 * shell completion offers.
 */
export function choiceOption<Flags extends string, const C extends readonly string[]>(
  flags: Flags,
  description: string,
  choices: C,
): Option<Flags, undefined, undefined, C[number], false, undefined> {
  const long = flags.split(/[\s,|]+/).find((part) => part.startsWith("--")) ?? flags;
  return new Option(flags, description).choices(choices).argParser((value) =>
    parseChoice(long, value, choices)
  );
}

/** How many: a whole number of 1 or more, or every one. */
export type Count = number | "all";

/** Parses `--count N|all` (`all` in any case). */
export function parseCount(value: string, flag = "--count"): Count {
  if (value.trim().toLowerCase() === "all") return "all";
  return parseWholeNumber(flag, value, { min: 1, why: " (or 'all')" });
}

/** The count the flags ask for: `--count`, or `--all` (its alias); a UsageError when both are given. */
export function countFrom(flags: { count?: Count | string; all?: boolean }): Count | undefined {
  const count = typeof flags.count === "string" ? parseCount(flags.count) : flags.count;
  if (flags.all && count !== undefined && count !== "all") {
    throw new UsageError("--count and --all exclude each other", {
      hint: "Pass one of them (--all is the same as --count all).",
    });
  }
  return flags.all ? "all" : count;
}

/** The `--count <n>` option: a whole number or `all`, parsed by {@linkcode parseCount}. */
export function countOption(
  description: string,
  defaultText: string,
): Option<"--count <n>", undefined, undefined, Count> {
  return describeDefault(
    new Option("--count <n>", `${description}: N or 'all'`).argParser((value) => parseCount(value)),
    defaultText,
  );
}

/** The hidden `--all` option, the old spelling of `--count all`. */
export function allOption(): Option<"--all"> {
  return new Option("--all", "the same as --count all").hideHelp();
}

/**
 * Notes in the help what an option defaults to when that is not a literal value (an environment
 * variable, the terminal, what the server says), in the same `(default: ...)` notation as literal
 * defaults. The option's value stays undefined when the flag is not given.
 */
export function describeDefault<T extends Option>(option: T, text: string): T {
  option.defaultValueDescription = text;
  return option;
}
