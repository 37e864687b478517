/**
 * Answers a shell's completion request: given the words typed after the program name (the last one
 * being completed), the subcommands, flags or flag values that fit, and whether the shell should
 * complete file names instead. The answer is written in the protocol of Cobra and `@bomb.sh/tab`,
 * whose shell scripts call `mlids complete -- WORDS...`: one `value\tdescription` line per candidate,
 * then `:DIRECTIVE`.
 * @module
 */

import { escapeControl } from "../text.ts";

/** What an option's value is, for completion. */
export type ValueKind = "path" | "category" | "other";

/** One flag of a command as completion sees it. */
export interface OptionSpec {
  /** `--output` */
  long: string;
  /** `-q` */
  short?: string;
  description: string;
  /** `none` for a switch, `value` for `--flag <v>`, `optional` for `--flag [v]`. */
  takes: "none" | "value" | "optional";
  /** Takes several values: `--category A B`. */
  variadic?: boolean;
  /** The values it accepts, when it is a choice. */
  choices?: readonly string[];
  valueKind?: ValueKind;
}

/** A positional argument of a command. */
export interface ArgumentSpec {
  name: string;
  valueKind: ValueKind;
  variadic?: boolean;
}

/** A command (or the program itself, with an empty path) as completion sees it. */
export interface CommandSpec {
  /** The words after the program name that reach it: `["dataset", "info"]`. */
  path: readonly string[];
  description: string;
  options: readonly OptionSpec[];
  arguments: readonly ArgumentSpec[];
}

/** The whole program: every command, and the flags every command takes. */
export interface ProgramSpec {
  commands: readonly CommandSpec[];
  globalOptions: readonly OptionSpec[];
}

/** What the words typed so far say about the dataset, for category names. */
export interface DatasetContext {
  uri: string;
  key?: string;
  s3LocalStoragePath?: string;
}

/** Where category names come from: the cache only, never a download. */
export type CategorySource = (dataset: DatasetContext) => Promise<readonly string[] | null>;

/** One completion: the word and what it is. */
export interface Candidate {
  value: string;
  description: string;
}

/**
 * The shell's next step, as Cobra's directives: `NO_FILES` (4) when the candidates are all there
 * is, `DEFAULT` (0) to let the shell complete file names when there are none.
 */
export const Directive = { DEFAULT: 0, NO_FILES: 4 } as const;

/** The answer to one completion request. */
export interface CompletionAnswer {
  candidates: Candidate[];
  directive: number;
}

interface Scan {
  command: CommandSpec;
  /** The option whose value the last word is, if it is one. */
  valueOf: OptionSpec | null;
  /** Flag values given so far, by long name. */
  values: Map<string, string>;
  positionals: string[];
  /** After `--`: every word is an operand. */
  operandsOnly: boolean;
}

function childrenOf(spec: ProgramSpec, command: CommandSpec): CommandSpec[] {
  return spec.commands.filter((candidate) =>
    candidate.path.length === command.path.length + 1 &&
    command.path.every((word, i) => candidate.path[i] === word)
  );
}

function findOption(spec: ProgramSpec, command: CommandSpec, word: string): OptionSpec | undefined {
  const all = [...command.options, ...spec.globalOptions];
  return all.find((option) => option.long === word || option.short === word);
}

function sameChoice(choices: readonly string[] | undefined, word: string): boolean {
  return choices?.some((choice) => choice.toLowerCase() === word.toLowerCase()) ?? false;
}

/** Reads the complete words (all but the last) much as commander parses them. */
function scan(spec: ProgramSpec, words: readonly string[]): Scan {
  const root = spec.commands.find((command) => command.path.length === 0);
  if (root === undefined) throw new Error("the program spec has no root command");
  const state: Scan = {
    command: root,
    valueOf: null,
    values: new Map(),
    positionals: [],
    operandsOnly: false,
  };
  let variadic: OptionSpec | null = null;
  // Every word but the last, which is the one being completed.
  for (let i = 0; i < words.length - 1; i++) {
    const word = words[i];
    if (state.valueOf !== null) {
      state.values.set(state.valueOf.long, word);
      variadic = state.valueOf.variadic ? state.valueOf : null;
      state.valueOf = null;
      continue;
    }
    if (!state.operandsOnly && word === "--") {
      state.operandsOnly = true;
      continue;
    }
    if (!state.operandsOnly && word.startsWith("-") && word !== "-") {
      variadic = null;
      const equals = word.indexOf("=");
      const option = findOption(spec, state.command, equals > 0 ? word.slice(0, equals) : word);
      if (option === undefined) continue;
      if (equals > 0) {
        state.values.set(option.long, word.slice(equals + 1));
      } else if (option.takes === "value") {
        state.valueOf = option;
      } else if (option.takes === "optional") {
        // `--delete-messages True`: the next word is its value only when it is one of its values.
        const next = words[i + 1];
        if (
          next !== undefined && (sameChoice(option.choices, next) || i + 1 === words.length - 1)
        ) {
          state.valueOf = option;
        }
      }
      continue;
    }
    if (variadic !== null) {
      state.values.set(variadic.long, word);
      continue;
    }
    const child = state.positionals.length === 0 && !state.operandsOnly
      ? childrenOf(spec, state.command).find((candidate) => candidate.path.at(-1) === word)
      : undefined;
    if (child !== undefined) {
      state.command = child;
      continue;
    }
    state.positionals.push(word);
  }
  if (state.valueOf === null && variadic !== null) state.valueOf = variadic;
  return state;
}

function datasetOf(state: Scan): DatasetContext | null {
  const uriArgument = state.command.arguments.findIndex((argument) => argument.name === "uri");
  const uri = state.values.get("--dataset-uri") ??
    (uriArgument >= 0 ? state.positionals[uriArgument] : undefined);
  if (uri === undefined || uri === "") return null;
  return {
    uri,
    key: state.values.get("--key"),
    s3LocalStoragePath: state.values.get("--s3-local-storage-path"),
  };
}

function startingWith(candidates: Candidate[], prefix: string): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    if (seen.has(candidate.value) || !candidate.value.startsWith(prefix)) return false;
    seen.add(candidate.value);
    return true;
  });
}

async function valuesOf(
  option: OptionSpec,
  state: Scan,
  source: CategorySource | undefined,
): Promise<CompletionAnswer> {
  if (option.choices !== undefined) {
    return {
      candidates: option.choices.map((choice) => ({ value: choice, description: "" })),
      directive: Directive.NO_FILES,
    };
  }
  if (option.valueKind === "path") return { candidates: [], directive: Directive.DEFAULT };
  if (option.valueKind === "category" && source !== undefined) {
    const dataset = datasetOf(state);
    const names = dataset === null ? null : await source(dataset);
    return {
      // A name with control or bidi characters cannot be typed, and must not reach the terminal.
      candidates: (names ?? []).filter((name) => escapeControl(name) === name)
        .map((name) => ({ value: name, description: "" })),
      directive: Directive.NO_FILES,
    };
  }
  return { candidates: [], directive: Directive.NO_FILES };
}

/**
 * Completes `words` (what follows the program name on the line; the last is the word under the
 * cursor, empty after a space): subcommands, flags, flag values that are choices, category names
 * from `categories`, or file names (the DEFAULT directive) where a path is expected.
 */
export async function completeWords(
  spec: ProgramSpec,
  words: readonly string[],
  options: { categories?: CategorySource } = {},
): Promise<CompletionAnswer> {
  const typed = words.length === 0 ? [""] : words;
  const current = typed[typed.length - 1];
  const state = scan(spec, typed);
  let answer: CompletionAnswer;
  let prefix = current;
  if (state.valueOf !== null) {
    answer = await valuesOf(state.valueOf, state, options.categories);
  } else if (!state.operandsOnly && current.startsWith("-") && current.includes("=")) {
    const equals = current.indexOf("=");
    const option = findOption(spec, state.command, current.slice(0, equals));
    prefix = current.slice(equals + 1);
    answer = option === undefined
      ? { candidates: [], directive: Directive.NO_FILES }
      : await valuesOf(option, state, options.categories);
  } else if (!state.operandsOnly && current.startsWith("-")) {
    const flags: Candidate[] = [];
    for (const option of [...state.command.options, ...spec.globalOptions]) {
      const word = current.startsWith("--") || option.short === undefined
        ? option.long
        : option.short;
      flags.push({ value: word, description: option.description });
    }
    answer = { candidates: flags, directive: Directive.NO_FILES };
  } else {
    const commands = state.positionals.length === 0
      ? childrenOf(spec, state.command).map((command) => ({
        value: command.path.at(-1)!,
        description: command.description,
      }))
      : [];
    const argument = state.command.arguments[state.positionals.length] ??
      state.command.arguments.find((candidate) => candidate.variadic);
    answer = {
      candidates: commands,
      directive: argument?.valueKind === "path" && commands.length === 0
        ? Directive.DEFAULT
        : Directive.NO_FILES,
    };
  }
  return { candidates: startingWith(answer.candidates, prefix), directive: answer.directive };
}

/** The answer as the shell scripts read it: `value\tdescription` lines, then `:DIRECTIVE`. */
export function formatAnswer(answer: CompletionAnswer): string {
  // A tab or newline inside a value or description would break the line protocol.
  const clean = (text: string) => text.replace(/[\t\r\n]+/g, " ");
  const lines = answer.candidates.map((candidate) =>
    candidate.description === ""
      ? clean(candidate.value)
      : `${clean(candidate.value)}\t${clean(candidate.description)}`
  );
  return `${[...lines, `:${answer.directive}`].join("\n")}\n`;
}
