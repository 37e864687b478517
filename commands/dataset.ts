/**
 * `mlids dataset`: inspect a dataset (`info`) and export sampled flows (`sample`).
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { type FlowDataset, type LabelIndex, openDataset, selectFlows } from "../lib/dataset/mod.ts";
import { throwIfCancelled, UsageError } from "../lib/errors.ts";
import { exportFlowBatches, exportFlows, type ExportFormat } from "../lib/frame/mod.ts";
import {
  colourEnabled,
  formatCountOf,
  renderTable,
  stylesFor,
  terminalWidth,
} from "../lib/term/mod.ts";
import { type CommandIo, processIo, writeChunks } from "./_output.ts";
import { withExamples } from "./_help.ts";
import {
  DATASET_URI_DESCRIPTION,
  type DatasetSourceFlags,
  openOptionsFrom,
  withDatasetSourceOptions,
} from "./_dataset_flags.ts";
import {
  allOption,
  choiceOption,
  type Count,
  countFrom,
  countOption,
  describeDefault,
} from "./_flags.ts";
import { interruptible } from "./_interrupt.ts";

/** What `dataset info` writes: the human view or one JSON object. */
export type InfoOutput = "table" | "json";

/** The description of a dataset as `dataset info --output json` prints it. */
function datasetSummary(
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
    ...(info.rowGroups !== undefined ? { row_groups: info.rowGroups } : {}),
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
    : info.format === "parquet"
    ? `Parquet, ${info.rowGroups ?? 0} row group${info.rowGroups === 1 ? "" : "s"}`
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
function renderDatasetInfo(
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
async function runDatasetInfo(
  uri: string,
  flags: DatasetSourceFlags & { output?: InfoOutput; json?: true },
  io: CommandIo = processIo(),
): Promise<void> {
  const dataset = await openDataset(uri, {
    ...openOptionsFrom(flags, io.notice),
    signal: io.signal,
  });
  try {
    const labels = await dataset.labelIndex();
    if (flags.json || flags.output === "json") {
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
export interface SampleFlags extends DatasetSourceFlags {
  category?: string;
  random?: true;
  count?: Count;
  all?: true;
  seed?: string;
  output?: ExportFormat;
  /** The old spelling of --output, kept as a hidden alias. */
  format?: ExportFormat;
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
  const count = countFrom(flags) ?? 10;
  const format = flags.output ?? flags.format ?? "split";
  const dataset = await openDataset(uri, {
    ...openOptionsFrom(flags, io.notice),
    signal: io.signal,
  });
  try {
    const labels = await dataset.labelIndex();
    const selection = selectFlows({ rows: dataset.info.rows, labels }, {
      category: flags.category,
      count,
      seed: flags.seed,
    });
    if (selection.shortfall) {
      const { available } = selection.shortfall;
      io.notice(
        selection.category === null
          ? `only ${available} flows in the dataset; writing ${available}`
          : `only ${available} flows of '${selection.category}' exist; writing ${available}`,
      );
    }
    const info = dataset.info;
    const hidden = new Set<string>(info.identityColumns);
    if (info.labelColumn && !flags.withLabel) hidden.add(info.labelColumn);
    // split is the API's request body; jsonl and csv carry every column.
    const columns = info.columns.map((column) => column.name)
      .filter((name) => format !== "split" || !hidden.has(name));
    const of = selection.category ? ` of '${selection.category}'` : "";
    if (count === "all") {
      // Every flow, in dataset order, streamed batch by batch: memory stays bounded.
      let written = 0;
      const scan = dataset.scan({ rows: selection.rows, signal: io.signal });
      const frames = (async function* () {
        for await (const batch of scan) {
          written += batch.frame.length;
          yield batch.frame;
        }
      })();
      await writeChunks(io, exportFlowBatches(frames, format, { columns }));
      io.notice(`wrote ${formatCountOf(written, "flow")}${of} in dataset order`);
      return;
    }
    const frame = await dataset.readRows(selection.rows);
    throwIfCancelled(io.signal, "reading the flows");
    await writeChunks(io, exportFlows(frame, format, { columns }));
    io.notice(`wrote ${formatCountOf(frame.length, "flow")}${of} (seed ${selection.seed})`);
  } finally {
    dataset.close();
  }
}

const SAMPLE_FORMATS = ["split", "jsonl", "csv"] as const;

/** `mlids dataset`: inspect a dataset and export sampled flows. */
export function datasetCommand(): Command {
  const dataset = new Command("dataset").description("inspect a dataset and export sampled flows");
  const info = withDatasetSourceOptions(
    new Command("info")
      .description("rows, columns with dtypes, label counts, format and compression")
      .argument("<uri>", DATASET_URI_DESCRIPTION)
      .addOption(
        choiceOption(
          "--output <format>",
          "table (for people) or json (one object)",
          [
            "table",
            "json",
          ] as const,
        ).default("table" as const),
      )
      .addOption(new Option("--json", "the same as --output json").hideHelp()),
  ).action(async (uri, flags) => {
    await interruptible((signal) => runDatasetInfo(uri, flags, { ...processIo(), signal }));
  });
  const sample = withDatasetSourceOptions(
    new Command("sample")
      .description("write chosen flows to stdout")
      .argument("<uri>", DATASET_URI_DESCRIPTION)
      .option("--category <name>", "flows of this traffic category")
      .option("--random", "flows drawn from the whole dataset (the default)")
      .addOption(countOption("how many flows", "10"))
      .addOption(allOption())
      .option("--seed <seed>", "seed for a repeatable pick")
      .addOption(
        describeDefault(
          choiceOption(
            "--output <format>",
            "split (the API's request body), jsonl or csv",
            SAMPLE_FORMATS,
          ),
          "split",
        ),
      )
      .addOption(
        choiceOption("--format <format>", "the same as --output", SAMPLE_FORMATS).hideHelp(),
      )
      .option("--with-label", "keep the label column in split output"),
  ).action(async (uri, flags) => {
    await interruptible((signal) => runDatasetSample(uri, flags, { ...processIo(), signal }));
  });
  withExamples(info as unknown as Command, [
    {
      what: "rows, columns and label counts",
      line: "mlids dataset info s3://ml-ids-2018-full/testing/test.h5",
    },
    { what: "the same as one JSON object", line: "mlids dataset info flows.csv --output json" },
  ]);
  withExamples(sample as unknown as Command, [
    {
      what: "a request body of 5 flows of one category",
      line: 'mlids dataset sample test.h5 --category "DoS attacks-Hulk" --count 5 > body.json',
    },
    {
      what: "every Bot flow as CSV",
      line: "mlids dataset sample test.h5 --category Bot --count all --output csv > bot.csv",
    },
  ]);
  withExamples(dataset as unknown as Command, [
    { what: "describe a dataset", line: "mlids dataset info test.h5" },
    {
      what: "export 10 random flows as JSON lines",
      line: "mlids dataset sample test.h5 --output jsonl",
    },
  ]);
  dataset.addCommand(info);
  dataset.addCommand(sample);
  return dataset as unknown as Command;
}
