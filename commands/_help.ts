/**
 * How every command's help reads: one notation for defaults (`(default: X)`, also for defaults that
 * are not literal values), required flags marked `(required)`, an `Examples:` section, and the
 * short usage `mlids` alone prints.
 * @module
 */

import type { Argument, Command, Option } from "@commander-js/extra-typings";

/** The description of `option` in help: its text, then `(required, default: X)` as they apply. */
export function describeOption(option: Option): string {
  const notes: string[] = [];
  if (option.mandatory) notes.push("required");
  const literal = option.defaultValue === undefined || option.isBoolean()
    ? undefined
    : String(option.defaultValue);
  const shown = option.defaultValueDescription ?? literal;
  if (shown !== undefined) notes.push(`default: ${shown}`);
  return notes.length === 0 ? option.description : `${option.description} (${notes.join(", ")})`;
}

/** The description of `argument` in help: its text, then `(default: X)` when it has one. */
export function describeArgument(argument: Argument): string {
  const shown = argument.defaultValueDescription ??
    (argument.defaultValue === undefined ? undefined : String(argument.defaultValue));
  return shown === undefined ? argument.description : `${argument.description} (default: ${shown})`;
}

/** One example of a command: what it does, and the command line. */
export interface Example {
  what: string;
  line: string;
}

/** Adds an `Examples:` section after the options in `command`'s help. */
export function withExamples<T extends Command<unknown[], Record<string, unknown>>>(
  command: T,
  examples: readonly Example[],
): T {
  const text = examples.map((example) => `  # ${example.what}\n  $ ${example.line}`).join("\n");
  command.addHelpText("after", `\nExamples:\n${text}\n`);
  return command;
}

/** What `mlids` alone prints on stderr: the usage, the commands, and where to read more. */
export function shortUsage(program: Command<unknown[], Record<string, unknown>>): string {
  const name = program.name();
  const commands = program.createHelp().visibleCommands(program)
    .map((command) => command.name())
    .filter((command) => command !== "help");
  return [
    `Usage: ${name} <command> [options]`,
    `Commands: ${commands.join(", ")}`,
    `Run '${name} <command> --help' for a command's flags and examples, '${name} --help' for more.`,
    "",
  ].join("\n");
}
