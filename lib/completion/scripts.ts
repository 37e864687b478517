/**
 * The shell side of completion: the scripts of `@bomb.sh/tab` (Cobra's, ported), which call
 * `PROGRAM complete -- WORDS...` on each Tab and show what it answers. A few known defects of its
 * bash and zsh scripts are mended here, each with a reason; a change of the library that moves the mended
 * text fails loudly rather than shipping a script without the mend.
 * @module
 */

import { RootCommand } from "@bomb.sh/tab";

/** The shells mlids writes completion scripts for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** One of {@linkcode SHELLS}. */
export type Shell = typeof SHELLS[number];

/** tab writes its scripts with console.log; this keeps what it writes instead. */
function written(write: () => void): string {
  const original = console.log;
  const lines: string[] = [];
  console.log = (...parts: unknown[]) => {
    lines.push(parts.map(String).join(" "));
  };
  try {
    write();
  } finally {
    console.log = original;
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function mend(script: string, from: string, to: string, why: string): string {
  if (!script.includes(from)) {
    throw new Error(`the completion script of @bomb.sh/tab changed; cannot mend: ${why}`);
  }
  return script.replace(from, to);
}

/** The bash script, mended where tab's falls short of what bash users expect. */
function mendBash(script: string, program: string): string {
  let text = script;
  // Sourcing the script twice (a re-read ~/.bashrc) must not fail on read-only variables.
  text = text.replaceAll("readonly ShellCompDirective", "ShellCompDirective");
  // Without the bash-completion package there is no _get_comp_words_by_ref: split the line up to
  // the cursor at blanks (COMP_WORDS would also split at = and :, as in s3://).
  text = mend(
    text,
    '_get_comp_words_by_ref -n "=:" cur prev words cword',
    [
      "if declare -F _get_comp_words_by_ref >/dev/null; then",
      '        _get_comp_words_by_ref -n "=:" cur prev words cword',
      "    else",
      '        local line="${COMP_LINE:0:COMP_POINT}"',
      '        read -ra words <<< "$line"',
      '        [[ "$line" =~ [[:space:]]$ ]] && words+=("")',
      "        cword=$(( ${#words[@]} - 1 ))",
      '        cur="${words[cword]}"',
      '        prev="${words[cword-1]}"',
      "    fi",
    ].join("\n"),
    "split the line without bash-completion",
  );
  // The program already filters by what is typed; quote what it offers (category names have
  // spaces) and drop the empty line the directive leaves.
  text = mend(
    text,
    'COMPREPLY=( $(compgen -W "${completions[*]}" -- "$cur") )',
    [
      "COMPREPLY=()",
      "    local quoted",
      '    for comp in "${completions[@]}"; do',
      '        [[ -z "$comp" ]] && continue',
      "        printf -v quoted '%q' \"$comp\"",
      '        COMPREPLY+=("$quoted")',
      "    done",
    ].join("\n"),
    "quote the candidates",
  );
  // With -o default, an answer without candidates and without the no-files directive lets bash
  // complete file names (dataset paths), as the directive means.
  text = mend(
    text,
    `complete -F __${program}_complete ${program}`,
    `complete -o default -F __${program}_complete ${program}`,
    "complete file names when asked to",
  );
  return text;
}

/** The zsh script, mended where tab's inserts words zsh then splits. */
function mendZsh(script: string): string {
  // _describe -Q inserts a candidate as it is: a category name with a space became two words on
  // the line. Without -Q zsh quotes what it inserts (DDOS\ attack-HOIC), as bash's mend does.
  return mend(
    script,
    '_describe $keepOrder "completions" completions -Q ${flagPrefix}',
    '_describe $keepOrder "completions" completions ${flagPrefix}',
    "quote the candidates zsh inserts",
  );
}

/** The completion script of `program` for `shell`, to be sourced by that shell. */
export function completionScript(shell: Shell, program: string): string {
  const script = written(() => new RootCommand().setup(program, program, shell));
  if (shell === "bash") return mendBash(script, program);
  return shell === "zsh" ? mendZsh(script) : script;
}
