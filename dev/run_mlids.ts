/**
 * Runs the mlids entry point in a child Deno with exactly the permissions the binary carries, as
 * the demo, the benchmarks and the end-to-end tests do. The child keeps the parent's Deno cache
 * (DENO_DIR) even when XDG_CACHE_HOME is changed for it, so it never re-downloads dependencies.
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { shellQuote } from "../lib/text.ts";
import { MLIDS_PERMISSIONS } from "./permissions.ts";

/** The repository root. */
export const REPO_ROOT: string = fileURLToPath(new URL("..", import.meta.url));

let denoDirPromise: Promise<string | undefined> | undefined;

/** The Deno cache directory this Deno uses, as `deno info` reports it. */
export function currentDenoDir(): Promise<string | undefined> {
  denoDirPromise ??= (async () => {
    const fromEnv = Deno.env.get("DENO_DIR");
    if (fromEnv) return fromEnv;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json"],
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1" },
    }).output();
    if (out.code !== 0) return undefined;
    return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
  })();
  return denoDirPromise;
}

/** The command line (`deno run <permissions> main.ts ...args`) of an mlids run, from any folder. */
export function mlidsArgs(args: readonly string[]): string[] {
  return [
    "run",
    ...MLIDS_PERMISSIONS,
    "--no-prompt",
    "--config",
    join(REPO_ROOT, "deno.json"),
    join(REPO_ROOT, "main.ts"),
    ...args,
  ];
}

export { shellQuote } from "../lib/text.ts";

/** The shell command line (quoted) that runs mlids with `args` under the binary's permissions. */
export function mlidsShellCommand(args: readonly string[]): string {
  return [Deno.execPath(), ...mlidsArgs(args)].map(shellQuote).join(" ");
}

/** Environment for an mlids child: `env` plus the parent's DENO_DIR. */
export async function mlidsEnv(env: Record<string, string> = {}): Promise<Record<string, string>> {
  const denoDir = await currentDenoDir();
  return denoDir ? { DENO_DIR: denoDir, ...env } : { ...env };
}

/** A `Deno.Command` running mlids with `args` in the repository root. */
export async function mlidsCommand(
  args: readonly string[],
  options: Omit<Deno.CommandOptions, "args"> & { env?: Record<string, string> } = {},
): Promise<Deno.Command> {
  return new Deno.Command(Deno.execPath(), {
    cwd: REPO_ROOT,
    ...options,
    args: mlidsArgs(args),
    env: await mlidsEnv(options.env),
  });
}
