/**
 * `mlids completions bash|zsh|fish`: the shell completion script, and the hidden
 * `mlids complete -- WORDS...` the script calls on each Tab. Both read the command tree as it is at
 * run time, so every command, flag and choice added later completes without a change here.
 * @module
 */

import { Command, type Option } from "@commander-js/extra-typings";
import { cachedCategoryNames } from "../lib/dataset/mod.ts";
import {
  type ArgumentSpec,
  type CommandSpec,
  completeWords,
  completionScript,
  formatAnswer,
  type OptionSpec,
  type ProgramSpec,
  SHELLS,
  type ValueKind,
} from "../lib/completion/mod.ts";
import { withExamples } from "./_help.ts";
import { processIo } from "./_output.ts";

type AnyCommand = Command<unknown[], Record<string, unknown>>;

/** Value names that mean a file: `<uri>`, `<file>`, `<path>`, `<dir>`. */
const PATH_NAMES = new Set(["uri", "file", "path", "dir"]);

function valueKindOf(long: string | undefined, name: string | undefined): ValueKind {
  if (long === "--category") return "category";
  return name !== undefined && PATH_NAMES.has(name) ? "path" : "other";
}

/** The first clause of a description, short enough for a completion menu. */
function summary(text: string): string {
  const first = text.split(/[:;(]/)[0].trim();
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
}

function optionSpec(option: Option): OptionSpec {
  const valueName = /[<[]([^>\]. ]+)/.exec(option.flags)?.[1];
  return {
    long: option.long ?? option.short ?? option.flags,
    short: option.long ? option.short : undefined,
    description: summary(option.description),
    takes: option.required ? "value" : option.optional ? "optional" : "none",
    variadic: option.variadic,
    choices: option.argChoices,
    valueKind: valueKindOf(option.long, valueName),
  };
}

function visibleOptions(command: AnyCommand): Option[] {
  return command.createHelp().visibleOptions(command as unknown as Command) as Option[];
}

/** The command tree as completion sees it: visible commands and flags only. */
export function programSpec(program: AnyCommand): ProgramSpec {
  const globalOptions = visibleOptions(program).map(optionSpec);
  const commands: CommandSpec[] = [];
  const visit = (command: AnyCommand, path: string[]) => {
    commands.push({
      path,
      description: summary(command.summary() || command.description()),
      // The program's own flags are the global ones, offered everywhere; its --help stays its own.
      options: visibleOptions(command).map(optionSpec).filter((option) =>
        path.length > 0 || option.long === "--help"
      ),
      arguments: command.registeredArguments.map((argument): ArgumentSpec => ({
        name: argument.name(),
        valueKind: valueKindOf(undefined, argument.name()),
        variadic: argument.variadic,
      })),
    });
    const help = command.createHelp();
    for (const sub of help.visibleCommands(command as unknown as Command)) {
      visit(sub as unknown as AnyCommand, [...path, sub.name()]);
    }
  };
  visit(program, []);
  return { commands, globalOptions: globalOptions.filter((option) => option.long !== "--help") };
}

/** `mlids completions <shell>`: prints the script to source. */
export function completionsCommand(): Command {
  const command = new Command("completions")
    .description("print the shell completion script for bash, zsh or fish")
    .addArgument(
      new Command().createArgument("<shell>", "bash, zsh or fish").choices(SHELLS),
    )
    .action(async function (shell) {
      const program = this.parent?.name() ?? "mlids";
      await processIo().write(completionScript(shell, program));
    });
  return withExamples(command as unknown as Command, [
    {
      what: "bash: completion in this shell, and in every new one",
      line:
        "source <(mlids completions bash) && echo 'source <(mlids completions bash)' >> ~/.bashrc",
    },
    {
      what: "zsh: the same line in ~/.zshrc, after compinit",
      line: "source <(mlids completions zsh)",
    },
    { what: "fish", line: "mlids completions fish > ~/.config/fish/completions/mlids.fish" },
  ]);
}

/** The hidden `mlids complete -- WORDS...` the completion scripts call on each Tab. */
export function completeCommand(): Command {
  return new Command("complete")
    .description("answer a shell completion request (called by the completion scripts)")
    .argument("[words...]", "the words after 'mlids', the last one being completed")
    .allowUnknownOption()
    .helpOption(false)
    .action(async function (words) {
      const program = this.parent as unknown as AnyCommand;
      const answer = await completeWords(programSpec(program), words, {
        categories: ({ uri, key, s3LocalStoragePath }) =>
          cachedCategoryNames(uri, { key, s3LocalStoragePath }),
      });
      await processIo().write(formatAnswer(answer));
    }) as unknown as Command;
}
