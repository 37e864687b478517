/**
 * Shell completion for a command tree: the bash, zsh and fish scripts (from `@bomb.sh/tab`) and the
 * answers they ask for on each Tab (subcommands, flags, choices, file names where a path goes,
 * category names from the dataset index cache). It knows nothing of commander: commands describe
 * themselves as a {@linkcode ProgramSpec}.
 *
 * ```ts
 * import { completeWords, type ProgramSpec } from "./mod.ts";
 *
 * const spec: ProgramSpec = {
 *   globalOptions: [],
 *   commands: [
 *     { path: [], description: "", options: [], arguments: [] },
 *     { path: ["predict"], description: "send flows", options: [], arguments: [] },
 *   ],
 * };
 * const answer = await completeWords(spec, ["pr"]);
 * console.assert(answer.candidates[0].value === "predict");
 * ```
 * @module
 */

export {
  type ArgumentSpec,
  type Candidate,
  type CategorySource,
  type CommandSpec,
  completeWords,
  type CompletionAnswer,
  type DatasetContext,
  Directive,
  formatAnswer,
  type OptionSpec,
  type ProgramSpec,
  type ValueKind,
} from "./answer.ts";
export { completionScript, type Shell, SHELLS } from "./scripts.ts";
