/**
 * `deno task mlids <args>`: runs mlids from the checkout under exactly the permissions the binaries
 * carry (dev/permissions.ts, their one copy), in the folder the task was started from (`INIT_CWD`),
 * so relative dataset paths mean what the user typed.
 * @module
 */

import { mlidsArgs } from "./run_mlids.ts";

/** Runs mlids with `args` in `cwd` and resolves to its exit code (128 + signal when killed). */
export async function runFromCheckout(args: readonly string[], cwd: string): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...mlidsArgs(args).slice(1)],
    cwd,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches mlids through the terminal's process group; this launcher only waits for it,
  // and passes a SIGTERM on, so mlids can clean up either way.
  const ignore = (): void => {};
  const forward = (): void => child.kill("SIGTERM");
  Deno.addSignalListener("SIGINT", ignore);
  Deno.addSignalListener("SIGTERM", forward);
  try {
    const status = await child.status;
    return status.signal === null ? status.code : 128 + signalNumber(status.signal);
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
    Deno.removeSignalListener("SIGTERM", forward);
  }
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}

if (import.meta.main) {
  Deno.exit(await runFromCheckout(Deno.args, Deno.env.get("INIT_CWD") ?? Deno.cwd()));
}
