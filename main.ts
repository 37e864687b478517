/**
 * mlids: drive the ML-IDS intrusion-detection system from a terminal. This file only wires the
 * commands together and maps failures to exit codes.
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import denoConfig from "./deno.json" with { type: "json" };
import { consumeCommand, type ConsumeIo } from "./commands/consume.ts";
import { datasetCommand } from "./commands/dataset.ts";
import { evaluateCommand } from "./commands/evaluate.ts";
import { predictCommand } from "./commands/predict.ts";
import { completeCommand, completionsCommand } from "./commands/completions.ts";
import { replayCommand } from "./commands/replay.ts";
import { reportError } from "./commands/_report.ts";
import { setProgressQuiet } from "./lib/term/mod.ts";
import { describeArgument, describeOption, shortUsage, withExamples } from "./commands/_help.ts";

/** Where an in-process run of mlids writes, for tests; by default the process's streams. */
export interface MainIo {
  /** Receives what would go to stderr: usage errors and the error line. */
  stderr?: (text: string) => void;
  /** The streams and signals of `mlids consume`. */
  consume?: () => ConsumeIo;
}

/** The root `mlids` command with every subcommand attached. */
export function buildProgram(io: MainIo = {}): Command<[], { debug?: true; quiet?: true }> {
  const program = new Command("mlids")
    .description(
      "Drive the ML-IDS intrusion-detection system: send flows for prediction, watch attack notifications, inspect datasets.",
    )
    .version(denoConfig.version, "-V, --version", "print the mlids version")
    .option("--debug", "show stack traces and causes of errors")
    .option(
      "-q, --quiet",
      "no progress display or status lines on stderr (errors and warnings stay)",
    )
    .hook("preAction", (_program, action) => {
      setProgressQuiet(action.optsWithGlobals().quiet === true);
    });
  program.addCommand(predictCommand());
  program.addCommand(consumeCommand(io.consume));
  program.addCommand(datasetCommand());
  program.addCommand(replayCommand());
  program.addCommand(evaluateCommand());
  program.addCommand(completionsCommand());
  program.addCommand(completeCommand(), { hidden: true });
  withExamples(program as unknown as Command<unknown[], Record<string, unknown>>, [
    { what: "what a command takes", line: "mlids predict --help" },
    {
      what: "five flows of one category, scored",
      line:
        'mlids predict --api-url URL --dataset-uri test.h5 --category "DoS attacks-Hulk" --count 5',
    },
    {
      what: "the attack notifications, deleted once shown",
      line: "mlids consume --queue-url URL --delete-messages True",
    },
  ]);
  configureTree(program, "mlids", io.stderr);
  return program;
}

/** Every command, however deep: errors as one line with a hint, and no process.exit from commander. */
function configureTree(
  command: Command<unknown[], Record<string, unknown>>,
  path: string,
  stderr?: (text: string) => void,
): void {
  command
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureHelp({
      optionDescription: describeOption,
      argumentDescription: describeArgument,
      showGlobalOptions: true,
    })
    .configureOutput({
      ...(stderr ? { writeErr: stderr } : {}),
      outputError: (text, write) =>
        write(`${text.trim().replace(/\n+/g, " ")} (see '${path} --help')\n`),
    });
  for (const sub of command.commands) {
    configureTree(
      sub as Command<unknown[], Record<string, unknown>>,
      `${path} ${sub.name()}`,
      stderr,
    );
  }
}

/** Runs mlids with `args` (writing through `io` where given) and returns the exit code. */
export async function main(args: string[], io: MainIo = {}): Promise<number> {
  const program = buildProgram(io);
  if (args.length === 0) {
    // No command is a usage error: say how to ask, on stderr, rather than the whole help.
    await Deno.stderr.write(
      new TextEncoder().encode(
        shortUsage(program as unknown as Command<unknown[], Record<string, unknown>>),
      ),
    );
    return 2;
  }
  try {
    await program.parseAsync(args, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for and version are successful exits; help shown because a command group was
      // given no command (exit code 1 from commander), and anything else it rejects, is a usage error.
      if (
        error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        (error.code === "commander.help" && error.exitCode === 0)
      ) {
        return 0;
      }
      return 2;
    }
    const write = io.stderr;
    return reportError(error, {
      debug: args.includes("--debug"),
      ...(write ? { write: (line: string) => write(`${line}\n`) } : {}),
    });
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
