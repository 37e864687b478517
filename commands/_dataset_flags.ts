/**
 * The flags of every command that reads a dataset (predict, dataset info/sample, evaluate, replay),
 * declared once: the same names, argument names, descriptions and defaults everywhere, and one
 * mapping from them to {@linkcode OpenDatasetOptions}.
 * @module
 */

import { type Command, Option, type OptionValues } from "@commander-js/extra-typings";
import type { OpenDatasetOptions } from "../lib/dataset/mod.ts";
import { downloadBar } from "../lib/term/mod.ts";
import { escapeControl } from "../lib/text.ts";
import { describeDefault } from "./_flags.ts";

/** What a dataset argument or `--dataset-uri` takes. */
export const DATASET_URI_DESCRIPTION =
  "the dataset: a path, file:// URI or s3://bucket/key of a pandas HDF5 file or CICFlowMeter CSV";

/** The S3 region datasets are read from unless `--s3-region` says otherwise (ML-IDS' bucket's). */
export const DEFAULT_S3_REGION = "eu-west-1";

/** The dataset source flags as commander hands them over: the open options they set. */
export type DatasetSourceFlags = Pick<
  OpenDatasetOptions,
  "key" | "s3Region" | "s3Endpoint" | "s3Signed" | "s3Profile" | "s3LocalStoragePath"
>;

/** The required `--dataset-uri <uri>` option of predict, evaluate and replay. */
export function datasetUriOption(): Option<
  "--dataset-uri <uri>",
  undefined,
  undefined,
  undefined,
  true
> {
  return new Option("--dataset-uri <uri>", DATASET_URI_DESCRIPTION).makeOptionMandatory();
}

/** Adds `--key` and the S3 flags to `command`, with their shared names, descriptions and defaults. */
export function withDatasetSourceOptions<Args extends unknown[], Opts extends OptionValues>(
  command: Command<Args, Opts>,
): Command<Args, Opts & DatasetSourceFlags> {
  command
    .addOption(
      describeDefault(
        new Option("--key <key>", "pandas key inside the HDF5 file"),
        "the file's only pandas object",
      ),
    )
    .addOption(
      new Option("--s3-region <region>", "region of the S3 bucket").default(DEFAULT_S3_REGION),
    )
    .addOption(
      describeDefault(
        new Option("--s3-endpoint <url>", "S3 endpoint, e.g. an emulator or MinIO"),
        "AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS",
      ),
    )
    .addOption(
      describeDefault(
        new Option("--s3-signed", "sign S3 requests with your AWS credentials"),
        "anonymous",
      ),
    )
    .addOption(
      new Option(
        "--s3-profile <name>",
        "AWS profile to sign S3 requests with (implies --s3-signed)",
      ),
    )
    .addOption(
      describeDefault(
        new Option("--s3-local-storage-path <file>", "keep the downloaded S3 object in this file"),
        "the cache",
      ),
    );
  return command as unknown as Command<Args, Opts & DatasetSourceFlags>;
}

/** Where and how to read the dataset, from the shared source flags. */
export function sourceOptionsFrom(flags: DatasetSourceFlags): OpenDatasetOptions {
  return {
    key: flags.key,
    s3Region: flags.s3Region,
    s3Endpoint: flags.s3Endpoint,
    s3Signed: flags.s3Signed,
    s3Profile: flags.s3Profile,
    s3LocalStoragePath: flags.s3LocalStoragePath,
  };
}

/** Open options from the shared source flags, with download progress and notices on stderr. */
export function openOptionsFrom(
  flags: DatasetSourceFlags,
  notice: (line: string) => void,
): OpenDatasetOptions {
  return {
    ...sourceOptionsFrom(flags),
    onDownloadProgress: downloadBar(),
    onNotice: (message) => notice(escapeControl(message)),
  };
}
