import assert from "node:assert/strict";
import { join } from "node:path";
import { mlidsEnv, mlidsShellCommand, REPO_ROOT, shellQuote } from "../../dev/run_mlids.ts";
import { startStandinApi } from "../../dev/standin_api.ts";
import { scriptAvailable, spawnInPty } from "../support/pty.ts";

const FIXTURE = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");

/** Terminal output without escape sequences, in lines. */
function screenLines(screen: string): string[] {
  // deno-lint-ignore no-control-regex
  const plain = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, "");
  return plain.split(/\r?\n|\r/);
}

/** The widest table line (box drawing) in `lines`. */
function widestTableLine(lines: string[]): number {
  return Math.max(
    0,
    ...lines.filter((line) => /^[┌│├└]/.test(line)).map((line) => [...line].length),
  );
}

Deno.test({
  name:
    "interactive predict on a terminal: a round after the window shrank fits it, each says its seed",
  ignore: !scriptAvailable || Deno.build.os === "windows",
  async fn() {
    const api = await startStandinApi({ recordBodies: false });
    const work = await Deno.makeTempDir({ prefix: "mlids-pty-" });
    const ttyFile = join(work, "tty");
    const mlids = mlidsShellCommand([
      "predict",
      "--api-url",
      api.url,
      "--dataset-uri",
      FIXTURE,
      "--columns",
      "all",
    ]);
    // The pseudo-terminal starts 160 columns wide; its name is left where the test can resize it.
    const inner = `stty cols 160 rows 50; tty > ${shellQuote(ttyFile)}; exec ${mlids}`;
    const pty = spawnInPty(
      `sh -c ${shellQuote(inner)}`,
      await mlidsEnv({
        XDG_CACHE_HOME: join(work, "cache"),
        TERM: "xterm-256color",
        NO_COLOR: "1",
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      }),
      { timeoutMs: 60_000 },
    );
    /** One round: the first category, 4 flows, no delay; then the category menu again. */
    const round = async (): Promise<string> => {
      const start = pty.screen().length;
      await pty.answer("\r", "How many flows?");
      await pty.answer("4\r", "Delay between flows");
      const results = pty.screen().length;
      await pty.answer("\r", "Details:");
      // Ctrl-C only once the menu is back: while the results are being written, it is a SIGINT.
      // The menu can come in the same read as the results: look from before them.
      await pty.readUntil("Network traffic category", results);
      return pty.screen().slice(start);
    };
    try {
      await pty.readUntil("Network traffic category");
      const first = await round();
      const tty = (await Deno.readTextFile(ttyFile)).trim();
      assert.match(tty, /^\/dev\/pts\/\d+$/);
      // The window shrinks to 80 columns (stty sets the size and the kernel sends SIGWINCH).
      const resize = await new Deno.Command("stty", { args: ["-F", tty, "cols", "80"] }).output();
      assert.equal(resize.code, 0, new TextDecoder().decode(resize.stderr));
      const second = await round();
      const code = await pty.finish("\x03");
      assert.equal(code, 0, pty.screen().slice(-1500));
      const wide = widestTableLine(screenLines(first));
      const narrow = widestTableLine(screenLines(second));
      assert.ok(wide > 80 && wide <= 160, `round 1 fills the 160-column window: ${wide}`);
      assert.ok(narrow > 0 && narrow <= 80, `round 2 fits the 80-column window: ${narrow}`);
      for (const text of [first, second]) {
        assert.match(text, /drawing flows with seed \d+ \(pass --seed \d+ with the same choice/);
        assert.match(text, /^sent 4 flows, 4 answered, in 1 request in /m);
      }
    } finally {
      await pty.close();
      await api.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
