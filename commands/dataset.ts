/**
 * `mlids dataset`: inspect a dataset (`info`) and export sampled flows (`sample`).
 * @module
 */

import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import {
  type FlowDataset,
  type LabelIndex,
  openDataset,
  type OpenDatasetOptions,
  selectFlows,
} from "../lib/dataset/mod.ts";
import { UsageError } from "../lib/errors.ts";
import { exportFlows, type ExportFormat } from "../lib/frame/mod.ts";
import {
  colourEnabled,
  downloadBar,
  renderTable,
  stylesFor,
  terminalWidth,
} from "../lib/term/mod.ts";
import { type CommandIo, processIo, writeChunks } from "./_output.ts";

/** The dataset source flags every command that opens a dataset shares. */
export interface SourceFlags {
  key?: string;
  s3Region?: string;
  s3Endpoint?: string;
  s3Signed?: boolean;
  s3Profile?: string;
  s3LocalStoragePath?: string;
}

/** Where and how to read the dataset, from the shared source flags. */
export function sourceOptionsFrom(flags: SourceFlags): OpenDatasetOptions {
  return {
    key: flags.key,
    s3Region: flags.s3Region,
    s3Endpoint: flags.s3Endpoint,
    s3Signed: flags.s3Signed,
    s3Profile: flags.s3Profile,
    s3LocalStoragePath: flags.s3LocalStoragePath,
  };
}

/** Open options for a dataset from the shared source flags, with progress and notices on stderr. */
export function openOptionsFrom(flags: SourceFlags, io: CommandIo): OpenDatasetOptions {
  return {
    ...sourceOptionsFrom(flags),
    onDownloadProgress: downloadBar(),
    onNotice: (message) => io.notice(message),
  };
}

/** Parses a whole number of at least `min` for `flag`. */
export function wholeNumber(flag: string, min: number): (value: string) => number {
  return (value: string): number => {
    const number = Number(value);
    if (value.trim() === "" || !Number.isInteger(number) || number < min) {
      throw new InvalidArgumentError(`${flag} takes a whole number of ${min} or more.`);
    }
    return number;
  };
}

function withSourceOptions<T extends Command<[string], Record<string, unknown>>>(command: T): T {
  command
    .option("--key <key>", "pandas key inside the HDF5 file (needed when it holds several)")
    .option("--s3-region <region>", "region of the S3 bucket", "eu-west-1")
    .option(
      "--s3-endpoint <url>",
      "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)",
    )
    .option("--s3-signed", "sign S3 requests with your AWS credentials (default: anonymous)")
    .option("--s3-profile <name>", "AWS profile to sign S3 requests with")
    .option("--s3-local-storage-path <file>", "keep the downloaded S3 object in this file");
  return command;
}

/** The description of a dataset as `dataset info --json` prints it. */
export function datasetSummary(
  dataset: FlowDataset,
  labels: LabelIndex | null,
  options: { uri: string },
): Record<string, unknown> {
  const uri = options.uri;
  const info = dataset.info;
  return {
    uri,
    format: info.format,
    compression: info.compression,
    key: info.key ?? null,
    rows: info.rows,
    columns: info.columns.map((column) => ({ name: column.name, dtype: column.dtype })),
    label_column: info.labelColumn,
    identity_columns: info.identityColumns,
    labels: labels
      ? labels.categories.map((category) => ({ name: category.name, count: category.rows.length }))
      : null,
  };
}

function describeFormat(dataset: FlowDataset): string {
  const info = dataset.info;
  const format = info.format === "pandas-table"
    ? "pandas HDF5, table format"
    : info.format === "pandas-fixed"
    ? "pandas HDF5, fixed format"
    : "CICFlowMeter CSV";
  const key = info.key ? `, key '${info.key}'` : "";
  return `${format}${key}, compression ${info.compression}`;
}

function wrapList(prefix: string, items: readonly string[], width: number): string {
  const indent = " ".repeat(prefix.length);
  const lines: string[] = [];
  let line = prefix;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item}, ` : item;
    if (line.length + piece.length > width && line.trim() !== prefix.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += piece;
  }
  lines.push(line.trimEnd());
  return lines.join("\n");
}

/** The human view of `dataset info`. */
export function renderDatasetInfo(
  dataset: FlowDataset,
  labels: LabelIndex | null,
  options: { uri: string; colour: boolean; width: number },
): string {
  const uri = options.uri;
  const info = dataset.info;
  const styles = stylesFor(options.colour ? "stdout" : "stderr");
  const bold = options.colour ? styles.bold : (text: string) => text;
  const lines = [
    `${bold("dataset")}  ${uri}`,
    `${bold("format")}   ${describeFormat(dataset)}`,
    `${bold("rows")}     ${info.rows.toLocaleString("en-US")}`,
    `${bold("columns")}  ${info.columns.length}${
      info.identityColumns.length ? ` (identity, not sent: ${info.identityColumns.join(", ")})` : ""
    }`,
  ];
  if (labels) {
    lines.push(
      `${bold("labels")}   ${labels.categories.length} categories in '${info.labelColumn}'`,
    );
    const rows = labels.categories.map((category, i) => [
      String(i + 1),
      category.name,
      category.rows.length.toLocaleString("en-US"),
      `${((100 * category.rows.length) / Math.max(info.rows, 1)).toFixed(2)} %`,
    ]);
    lines.push(
      renderTable(["#", "category", "flows", "share"], rows, {
        width: options.width,
        colour: options.colour,
      }),
    );
  } else {
    lines.push(`${bold("labels")}   none: the dataset is unlabelled`);
  }
  lines.push(`${bold("dtypes")}   columns by pandas dtype, in dataset order:`);
  const byDtype = new Map<string, string[]>();
  for (const column of info.columns) {
    byDtype.set(column.dtype, [...(byDtype.get(column.dtype) ?? []), column.name]);
  }
  for (const [dtype, names] of byDtype) {
    lines.push(wrapList(`  ${dtype} (${names.length}): `, names, options.width));
  }
  return `${lines.join("\n")}\n`;
}

/** Runs `dataset info`. */
export async function runDatasetInfo(
  uri: string,
  flags: SourceFlags & { json?: true },
  io: CommandIo = processIo(),
): Promise<void> {
  const dataset = await openDataset(uri, openOptionsFrom(flags, io));
  try {
    const labels = await dataset.labelIndex();
    if (flags.json) {
      await io.write(`${JSON.stringify(datasetSummary(dataset, labels, { uri }))}\n`);
    } else {
      await io.write(
        renderDatasetInfo(dataset, labels, {
          uri,
          colour: colourEnabled("stdout"),
          width: terminalWidth(),
        }),
      );
    }
  } finally {
    dataset.close();
  }
}

/** Flags of `dataset sample`. */
export interface SampleFlags extends SourceFlags {
  category?: string;
  random?: true;
  count?: number;
  all?: true;
  seed?: string;
  format: ExportFormat;
  withLabel?: true;
}

/** Runs `dataset sample`: writes the chosen flows to stdout in the chosen format. */
export async function runDatasetSample(
  uri: string,
  flags: SampleFlags,
  io: CommandIo = processIo(),
): Promise<void> {
  if (flags.category !== undefined && flags.random) {
    throw new UsageError("--category and --random exclude each other", {
      hint: "Pass one of them (--random is the default).",
    });
  }
  if (flags.all && flags.count !== undefined) {
    throw new UsageError("--count and --all exclude each other", { hint: "Pass one of them." });
  }
  const dataset = await openDataset(uri, openOptionsFrom(flags, io));
  try {
    const labels = await dataset.labelIndex();
    const selection = selectFlows({ rows: dataset.info.rows, labels }, {
      category: flags.category,
      count: flags.all ? "all" : flags.count ?? 10,
      seed: flags.seed,
    });
    if (selection.shortfall) {
      io.notice(
        `only ${selection.shortfall.available} flows of '${selection.category}' exist; writing ${selection.shortfall.available}`,
      );
    }
    const frame = await dataset.readRows(selection.rows);
    const info = dataset.info;
    const hidden = new Set<string>(info.identityColumns);
    if (info.labelColumn && !flags.withLabel) hidden.add(info.labelColumn);
    // split is the API's request body; jsonl and csv carry every column.
    const columns = flags.format === "split"
      ? info.columns.map((column) => column.name).filter((name) => !hidden.has(name))
      : undefined;
    await writeChunks(io, exportFlows(frame, flags.format, { columns }));
    io.notice(
      `wrote ${frame.length} flows${
        selection.category ? ` of '${selection.category}'` : ""
      } (seed ${selection.seed})`,
    );
  } finally {
    dataset.close();
  }
}

/** `mlids dataset`: inspect a dataset and export sampled flows. */
export function datasetCommand(): Command {
  const dataset = new Command("dataset").description("inspect a dataset and export sampled flows");
  const info = withSourceOptions(
    new Command("info")
      .description("rows, columns with dtypes, label counts, format and compression")
      .argument("<uri>", "a path, file:// URI or s3://bucket/key of a pandas HDF5 file or CSV")
      .option("--json", "print one JSON object"),
  ).action(async (uri, flags) => {
    await runDatasetInfo(uri, flags as SourceFlags & { json?: true });
  });
  const sample = withSourceOptions(
    new Command("sample")
      .description("write chosen flows to stdout")
      .argument("<uri>", "a path, file:// URI or s3://bucket/key of a pandas HDF5 file or CSV")
      .option("--category <name>", "flows of this traffic category")
      .option("--random", "flows drawn from the whole dataset (default)")
      .option("--count <n>", "how many flows (default 10)", wholeNumber("--count", 1))
      .option("--all", "every flow of the category (or of the dataset)")
      .option("--seed <seed>", "seed for a repeatable pick")
      .addOption(
        new Option("--format <format>", "split (the API's request body), jsonl or csv")
          .choices(["split", "jsonl", "csv"] as const)
          .default("split" as const),
      )
      .option("--with-label", "keep the label column in split output"),
  ).action(async (uri, flags) => {
    await runDatasetSample(uri, flags as SampleFlags);
  });
  dataset.addCommand(info);
  dataset.addCommand(sample);
  return dataset as unknown as Command;
}
