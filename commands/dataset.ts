import { Command } from "@commander-js/extra-typings";

/** `mlids dataset`: inspect a dataset and export sampled flows. */
export function datasetCommand(): Command {
  return new Command("dataset").description("inspect a dataset and export sampled flows");
}
