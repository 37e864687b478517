/**
 * A command on a pseudo-terminal, through util-linux `script`, as a person's shell would run it:
 * keys typed into it, its screen read until a text appears. For the tests of interactive sessions.
 * @module
 */

import assert from "node:assert/strict";

/** Whether util-linux `script` is here to give commands a pseudo-terminal. */
export const scriptAvailable: boolean = await new Deno.Command("script", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((out) => out.code === 0, () => false);

/** A running command on a pseudo-terminal. */
export interface PtySession {
  /** Everything the terminal showed so far, escape sequences included. */
  screen(): string;
  /** Reads until `text` appears after position `from` of the screen (default: anywhere). */
  readUntil(text: string, from?: number): Promise<void>;
  /** Types `keys`, then reads until `until` appears in what follows. */
  answer(keys: string, until: string): Promise<void>;
  /**
   * Types `keys` (e.g. Ctrl-C), closes the keyboard, reads to the end; the exit code (that of a
   * kill when the command was still running at the deadline).
   */
  finish(keys: string): Promise<number>;
  /** Kills the command if it still runs and releases the streams. */
  close(): Promise<void>;
}

/**
 * Runs the shell command line `command` on a pseudo-terminal with `env`; every wait ends at
 * `timeoutMs` after the start (an assertion failure showing the end of the screen).
 */
export function spawnInPty(
  command: string,
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): PtySession {
  const child = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const encoder = new TextEncoder();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let screen = "";
  let ended = false;
  // A read not answered by the deadline is kept for the next call: a stream read cannot be taken back.
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;
  /** Reads one piece of the screen; false at the end of the output or at the deadline. */
  const readMore = async (): Promise<boolean> => {
    const left = deadline - Date.now();
    if (ended || left <= 0) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((
      resolve,
    ) => (timer = setTimeout(() => resolve("late"), left)));
    pending ??= reader.read();
    const result = await Promise.race([pending, late]);
    clearTimeout(timer);
    if (result === "late") return false;
    pending = undefined;
    if (result.done) {
      ended = true;
      return false;
    }
    screen += result.value;
    return true;
  };
  const readUntil = async (text: string, from = 0): Promise<void> => {
    while (!screen.slice(from).includes(text) && await readMore());
    assert.ok(screen.slice(from).includes(text), `${text}: ${screen.slice(-1500)}`);
  };
  return {
    screen: () => screen,
    readUntil,
    async answer(keys, until) {
      const mark = screen.length;
      await writer.write(encoder.encode(keys));
      await readUntil(until, mark);
    },
    async finish(keys) {
      await writer.write(encoder.encode(keys));
      await writer.close();
      while (await readMore());
      // Still running at the deadline: ending `script` hangs up the terminal on the command.
      if (!ended) child.kill("SIGKILL");
      return (await child.status).code;
    },
    async close() {
      await reader.cancel().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
      await child.stderr.cancel().catch(() => {});
    },
  };
}
