import assert from "node:assert/strict";
import { escapeControl } from "../../lib/text.ts";
import { colourEnabled, stylesFor } from "../../lib/term/terminal.ts";
import { withEnv } from "../support/with_env.ts";

Deno.test("terminal: NO_COLOR turns colour off even when forced", () => {
  withEnv({ NO_COLOR: "1", FORCE_COLOR: "1" }, () => {
    assert.equal(colourEnabled("stdout"), false);
    assert.equal(stylesFor("stderr").red("x"), "x");
  });
});

Deno.test("terminal: FORCE_COLOR colours a non-TTY stream; otherwise no colour without a TTY", () => {
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: "1" }, () => {
    assert.equal(stylesFor("stdout").red("x"), "\x1b[31mx\x1b[39m");
  });
  withEnv({ NO_COLOR: undefined, FORCE_COLOR: undefined }, () => {
    assert.equal(colourEnabled("stdout"), Deno.stdout.isTerminal());
  });
});

Deno.test("terminal: escapeControl neutralises escape sequences, bells and C1 controls", () => {
  assert.equal(escapeControl("a\x1b[2Jb"), "a\\x1b[2Jb");
  assert.equal(escapeControl("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
  assert.equal(escapeControl("line1\nline2\t\r"), "line1\\nline2\\t\\r");
  assert.equal(escapeControl("\u009b31m"), "\\x9b31m");
  assert.equal(escapeControl("Brute Force -XSS é"), "Brute Force -XSS é");
});
