import assert from "node:assert/strict";
import { join } from "node:path";
import { scriptAvailable } from "../support/pty.ts";
import { shellQuote } from "../../dev/run_mlids.ts";

const TERMINAL = new URL("../../lib/term/terminal.ts", import.meta.url).href;

/** What a child process sees: colour on stdout and stderr, and the width, as JSON in a file. */
async function probe(
  env: Record<string, string>,
  options: { terminal: boolean },
): Promise<{ stdout: boolean; stderr: boolean; width: number; red: string }> {
  const dir = await Deno.makeTempDir({ prefix: "mlids-term-" });
  try {
    const script = join(dir, "probe.ts");
    const out = join(dir, "out.json");
    await Deno.writeTextFile(
      script,
      `import { colourEnabled, stylesFor, terminalWidth } from ${JSON.stringify(TERMINAL)};\n` +
        `Deno.writeTextFileSync(${JSON.stringify(out)}, JSON.stringify({ stdout: ` +
        `colourEnabled("stdout"), stderr: colourEnabled("stderr"), width: terminalWidth(), ` +
        `red: stylesFor("stdout").red("x") }));\n`,
    );
    const deno = [Deno.execPath(), "run", "--quiet", "--allow-env", "--allow-write", script];
    const base = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env };
    // On a pseudo-terminal (util-linux `script`) stdin, stdout and stderr are a TTY 77 columns wide.
    const command = options.terminal
      ? new Deno.Command("script", {
        args: ["-qfec", `stty cols 77; ${deno.map(shellQuote).join(" ")}`, "/dev/null"],
        env: base,
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      })
      : new Deno.Command(deno[0], {
        args: deno.slice(1),
        env: base,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
    const status = await command.output();
    assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));
    return JSON.parse(await Deno.readTextFile(out));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("terminal: output to a pipe or file is not coloured and is 100 columns (or COLUMNS) wide", async () => {
  assert.deepEqual(await probe({}, { terminal: false }), {
    stdout: false,
    stderr: false,
    width: 100,
    red: "x",
  });
  assert.equal((await probe({ COLUMNS: "132" }, { terminal: false })).width, 132);
});

Deno.test("terminal: FORCE_COLOR colours output to a pipe; FORCE_COLOR=0 does not", async () => {
  const forced = await probe({ FORCE_COLOR: "1" }, { terminal: false });
  assert.deepEqual([forced.stdout, forced.stderr, forced.red], [true, true, "\x1b[31mx\x1b[39m"]);
  const zero = await probe({ FORCE_COLOR: "0" }, { terminal: false });
  assert.deepEqual([zero.stdout, zero.stderr], [false, false]);
});

Deno.test({
  name:
    "terminal: a terminal gets colour and its own width; NO_COLOR takes colour away, even forced",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  async fn() {
    const tty = await probe({ TERM: "xterm-256color" }, { terminal: true });
    assert.deepEqual(tty, { stdout: true, stderr: true, width: 77, red: "\x1b[31mx\x1b[39m" });
    const noColor = await probe({ TERM: "xterm-256color", NO_COLOR: "1" }, { terminal: true });
    assert.deepEqual([noColor.stdout, noColor.stderr, noColor.red], [false, false, "x"]);
    const both = await probe({ NO_COLOR: "1", FORCE_COLOR: "1" }, { terminal: true });
    assert.deepEqual([both.stdout, both.stderr], [false, false]);
    // An empty NO_COLOR is not set (no-color.org).
    const empty = await probe({ TERM: "xterm-256color", NO_COLOR: "" }, { terminal: true });
    assert.deepEqual([empty.stdout, empty.stderr], [true, true]);
  },
});
