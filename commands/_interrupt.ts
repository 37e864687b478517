/**
 * Ctrl-C (SIGINT) and SIGTERM turned into a request to stop. lib installs no signal listeners: a
 * command watches the signals around its long work and hands that work an AbortSignal, which the
 * work honours by stopping at its next step and cleaning up. A second signal, for work that does
 * not stop, quits at once with exit code 130.
 * @module
 */

import process from "node:process";
import { CancelledError } from "../lib/errors.ts";

/** The signals that ask mlids to stop: Ctrl-C, and SIGTERM where there is one. */
const STOP_SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/** Exit code of a run that was interrupted, as a shell reports a process killed by SIGINT. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Calls `stop` on the first SIGINT or SIGTERM while watched, and `exit(130)` (default `Deno.exit`)
 * on the next; returns the function that stops watching (the default handling comes back).
 */
export function watchInterrupts(
  stop: (signal: Deno.Signal) => void,
  options: { exit?: (code: number) => void } = {},
): () => void {
  let received = 0;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => {
      received++;
      if (received === 1) stop(signal);
      else (options.exit ?? Deno.exit)(INTERRUPTED_EXIT_CODE);
    };
    try {
      Deno.addSignalListener(signal, listener);
    } catch {
      // Not supported here: the default handling stays.
    }
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) {
      try {
        Deno.removeSignalListener(signal, listener);
      } catch {
        // It was never added.
      }
    }
  };
}

/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts, its reason a
 * CancelledError (what work that throws the reason as it is throws).
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const unwatch = watchInterrupts((signal) =>
    controller.abort(
      new CancelledError(`stopped by ${signal === "SIGINT" ? "Ctrl-C" : signal}`, {
        hint: "Run the command again to do the work.",
      }),
    )
  );
  try {
    return await work(controller.signal);
  } finally {
    unwatch();
  }
}

/**
 * Runs one prompt so that Ctrl-C arriving as a signal ends it as the Ctrl-C key does (the session
 * then ends with 0). The key reaches a raw terminal as a byte, but SIGINT still comes from
 * `kill -INT` or a key pressed before the terminal turned raw; inquirer's signal-exit would then
 * re-raise it and kill the session with 130. A listener on node:process (not
 * Deno.addSignalListener) is what signal-exit counts, so it leaves the signal to this one.
 */
export async function promptEndedBySigint<T>(ask: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on("SIGINT", onSigint);
  try {
    return await ask(controller.signal);
  } finally {
    process.off("SIGINT", onSigint);
  }
}
