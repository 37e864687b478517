/**
 * mlids: drive the ML-IDS intrusion-detection system from a terminal. This file only wires the
 * commands together and maps failures to exit codes.
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import denoConfig from "./deno.json" with { type: "json" };
import { consumeCommand } from "./commands/consume.ts";
import { datasetCommand } from "./commands/dataset.ts";
import { predictCommand } from "./commands/predict.ts";
import { replayCommand } from "./commands/replay.ts";
import { reportError } from "./commands/_report.ts";

/** The root `mlids` command with every subcommand attached. */
export function buildProgram(): Command<[], { debug?: true }> {
  const program = new Command("mlids")
    .description(
      "Drive the ML-IDS intrusion-detection system: send flows for prediction, watch attack notifications, inspect datasets.",
    )
    .version(denoConfig.version, "-V, --version", "print the mlids version")
    .option("--debug", "show stack traces and causes of errors");
  program.addCommand(predictCommand());
  program.addCommand(consumeCommand());
  program.addCommand(datasetCommand());
  program.addCommand(replayCommand());
  configureTree(program, "mlids");
  return program;
}

/** Every command, however deep: errors as one line with a hint, and no process.exit from commander. */
function configureTree(command: Command<unknown[], Record<string, unknown>>, path: string): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      outputError: (text, write) =>
        write(`${text.trim().replace(/\n+/g, " ")} (see '${path} --help')\n`),
    });
  for (const sub of command.commands) {
    configureTree(sub as Command<unknown[], Record<string, unknown>>, `${path} ${sub.name()}`);
  }
}

/** Runs mlids with `args` and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; anything else commander rejects is a usage error.
      if (
        error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return 0;
      }
      return 2;
    }
    return reportError(error, { debug: args.includes("--debug") });
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
