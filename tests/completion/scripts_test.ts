import assert from "node:assert/strict";
import { completionScript, SHELLS } from "../../lib/completion/mod.ts";

Deno.test("completion scripts: each shell's script asks the program, under the given name", () => {
  for (const shell of SHELLS) {
    const script = completionScript(shell, "mlids");
    assert.match(script, /mlids complete --/, shell);
    assert.ok(script.endsWith("\n"));
    assert.ok(!script.includes("\x1b"), "no terminal escapes");
  }
  assert.match(completionScript("zsh", "other"), /other complete --/);
});

Deno.test("completion scripts: the bash script carries its mends", () => {
  const script = completionScript("bash", "mlids");
  assert.ok(!script.includes("readonly "), "can be sourced twice");
  assert.match(script, /complete -o default -F __mlids_complete mlids/, "file names as fallback");
  assert.match(script, /declare -F _get_comp_words_by_ref/, "works without bash-completion");
  assert.match(script, /printf -v quoted '%q'/, "candidates quoted for the shell");
  assert.ok(!script.includes("compgen -W"), "the program's filtering is kept");
});
