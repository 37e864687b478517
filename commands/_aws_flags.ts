/**
 * The flags of every command that reads the attack queue (consume, replay), declared once: where
 * the queue is and who reads it (`--region`, `--access-key`, `--secret-key`, `--profile`,
 * `--endpoint-url`), and `--delete-messages [True|False]` as the original consumer spelled it.
 * @module
 */

import {
  type Command,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import type { AwsConnectionInput } from "../lib/notify/mod.ts";
import { describeDefault } from "./_flags.ts";

/** The AWS flags as commander hands them over. */
export type AwsQueueFlags = {
  region?: string;
  accessKey?: string;
  secretKey?: string;
  profile?: string;
  endpointUrl?: string;
};

/** Reads `--delete-messages True|False` (any case, also yes/no/1/0); the bare flag means true. */
export function booleanOption(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (["true", "yes", "1", "on"].includes(lower)) return true;
  if (["false", "no", "0", "off"].includes(lower)) return false;
  throw new InvalidArgumentError(`expected True or False, not '${value}'.`);
}

/**
 * `--delete-messages [True|False]` as the original consumer spelled it; `True` and `False` are what
 * help and shell completion offer. `what` says what gets deleted.
 */
export function deleteMessagesOption(
  what: string,
): Option<"--delete-messages [bool]", undefined, undefined, boolean, false, undefined> {
  return new Option("--delete-messages [bool]", `${what} (True/False; bare flag = True)`)
    .choices(["True", "False"] as const)
    .argParser(booleanOption);
}

/** Adds the AWS connection flags to `command`, with their shared names and descriptions. */
export function withAwsQueueOptions<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
): Command<Args, Opts & AwsQueueFlags> {
  command
    .addOption(
      describeDefault(
        new Option("--region <region>", "AWS region"),
        "AWS_REGION, the profile's, the queue URL's",
      ),
    )
    .option(
      "--access-key <key>",
      "AWS access key id (prefer AWS_ACCESS_KEY_ID or --profile: flags show in process listings)",
    )
    .option("--secret-key <secret>", "AWS secret access key (prefer AWS_SECRET_ACCESS_KEY)")
    .option("--profile <name>", "profile of the shared AWS config and credentials files")
    .addOption(
      describeDefault(
        new Option("--endpoint-url <url>", "SQS endpoint, e.g. an emulator"),
        "AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, AWS",
      ),
    );
  return command as unknown as Command<Args, Opts & AwsQueueFlags>;
}

/** The connection input for `queueUrl` from the shared AWS flags. */
export function queueConnectionFrom(queueUrl: string, flags: AwsQueueFlags): AwsConnectionInput {
  return {
    queueUrl,
    region: flags.region,
    profile: flags.profile,
    endpointUrl: flags.endpointUrl,
    accessKey: flags.accessKey,
    secretKey: flags.secretKey,
  };
}
