/**
 * `deno task install`: installs an `mlids` command (`deno install --global`) that runs main.ts
 * under exactly the permissions the binaries carry (dev/permissions.ts, their one copy). Extra
 * arguments go to `deno install` (e.g. `--root DIR`).
 * @module
 */

import { join } from "node:path";
import { MLIDS_PERMISSIONS } from "./permissions.ts";
import { REPO_ROOT } from "./run_mlids.ts";

/** The `deno install` arguments for the mlids command, with `extra` before the entry point. */
export function installArgs(extra: readonly string[] = []): string[] {
  return [
    "install",
    "--global",
    "--force",
    "--name",
    "mlids",
    ...MLIDS_PERMISSIONS,
    "--no-prompt",
    "--config",
    join(REPO_ROOT, "deno.json"),
    ...extra,
    join(REPO_ROOT, "main.ts"),
  ];
}

if (import.meta.main) {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: installArgs(Deno.args),
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  Deno.exit(code);
}
