import assert from "node:assert/strict";
import { join } from "node:path";
import { mlidsEnv, mlidsShellCommand, REPO_ROOT, shellQuote } from "../../dev/run_mlids.ts";
import { startStandinApi } from "../../dev/standin_api.ts";

const FIXTURE = join(REPO_ROOT, "tests", "fixtures", "table_zlib.h5");

const hasScript = await new Deno.Command("script", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((out) => out.code === 0, () => false);

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
  ignore: !hasScript || Deno.build.os === "windows",
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
    const child = new Deno.Command("script", {
      args: ["-qfec", `sh -c ${shellQuote(inner)}`, "/dev/null"],
      env: await mlidsEnv({
        XDG_CACHE_HOME: join(work, "cache"),
        TERM: "xterm-256color",
        NO_COLOR: "1",
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      }),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let screen = "";
    const deadline = Date.now() + 60_000;
    const readUntil = async (mark: number, text: string) => {
      while (!screen.slice(mark).includes(text) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        screen += value;
      }
      assert.ok(screen.slice(mark).includes(text), `${text}: ${screen.slice(-2000)}`);
    };
    const answer = async (keys: string, until: string) => {
      const mark = screen.length;
      await writer.write(new TextEncoder().encode(keys));
      await readUntil(mark, until);
    };
    /** One round: the first category, 4 flows, no delay; then the category menu again. */
    const round = async (): Promise<string> => {
      const start = screen.length;
      await answer("\r", "How many flows?");
      await answer("4\r", "Delay between flows");
      await answer("\r", "Details:");
      await readUntil(screen.length, "Network traffic category");
      return screen.slice(start);
    };
    try {
      await readUntil(0, "Network traffic category");
      const first = await round();
      const tty = (await Deno.readTextFile(ttyFile)).trim();
      assert.match(tty, /^\/dev\/pts\/\d+$/);
      // The window shrinks to 80 columns (stty sets the size and the kernel sends SIGWINCH).
      const resize = await new Deno.Command("stty", { args: ["-F", tty, "cols", "80"] }).output();
      assert.equal(resize.code, 0, new TextDecoder().decode(resize.stderr));
      const second = await round();
      await writer.write(new TextEncoder().encode("\x03"));
      await writer.close();
      while (Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        screen += value;
      }
      const status = await child.status;
      assert.equal(status.code, 0, screen.slice(-1500));
      const wide = widestTableLine(screenLines(first));
      const narrow = widestTableLine(screenLines(second));
      assert.ok(wide > 80 && wide <= 160, `round 1 fills the 160-column window: ${wide}`);
      assert.ok(narrow > 0 && narrow <= 80, `round 2 fits the 80-column window: ${narrow}`);
      for (const text of [first, second]) {
        assert.match(text, /drawing flows with seed \d+ \(pass --seed \d+ with the same choice/);
        assert.match(text, /^sent 4 flows, 4 answered, in 1 request in /m);
      }
    } finally {
      await reader.cancel().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
      await child.stderr.cancel().catch(() => {});
      await api.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
