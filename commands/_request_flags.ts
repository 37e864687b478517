/**
 * The flags of the commands that send flows to the prediction API (predict, evaluate), declared
 * once: the same names, descriptions and defaults everywhere.
 * @module
 */

import { Option } from "@commander-js/extra-typings";
import { UsageError } from "../lib/errors.ts";
import { checkThreshold } from "../lib/predict/mod.ts";
import { choiceOption, describeDefault } from "./_flags.ts";

/** The request body formats `--payload-format` takes. */
export const PAYLOAD_FORMATS = ["pandas-split", "dataframe-split"] as const;

/** Parses `--threshold`: a number from 0 to 1, or a one-line UsageError. */
export function parseThreshold(value: string): number {
  try {
    return checkThreshold(value.trim() === "" ? NaN : Number(value));
  } catch {
    throw new UsageError(`--threshold must be a number from 0 to 1, not '${value}'`);
  }
}

/** `--timeout <ms>`: how long one request attempt may take (the client's default, 30000). */
export function timeoutOption(): Option<"--timeout <ms>"> {
  return describeDefault(new Option("--timeout <ms>", "per request attempt"), "30000");
}

/** `--retries <n>`: extra attempts on answers worth retrying (the client's default, 2). */
export function retriesOption(): Option<"--retries <n>"> {
  return describeDefault(
    new Option("--retries <n>", "extra attempts on 5xx, timeouts and dropped connections"),
    "2",
  );
}

/** `--payload-format <format>`: the request body format, by default what the URL says. */
export function payloadFormatOption(): Option<
  "--payload-format <format>",
  undefined,
  undefined,
  (typeof PAYLOAD_FORMATS)[number]
> {
  return describeDefault(
    choiceOption("--payload-format <format>", "request body format", PAYLOAD_FORMATS),
    "from the URL: /invocations takes dataframe-split",
  );
}
