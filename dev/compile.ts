/**
 * `deno task compile [target...]`: builds the self-contained mlids binaries into dist/, with the
 * permissions of dev/permissions.ts baked in. `deno compile` downloads each target's runtime, so
 * this needs the internet (the release workflow has it; our dev machines may not).
 * @module
 */

import { COMPILE_TARGETS, MLIDS_PERMISSIONS } from "./permissions.ts";

/** Builds the binaries for `wanted` targets (all when empty); returns the process exit code. */
export async function compileAll(wanted: readonly string[]): Promise<number> {
  const targets = wanted.length === 0
    ? COMPILE_TARGETS
    : COMPILE_TARGETS.filter((t) => wanted.includes(t.target) || wanted.includes(t.name));
  if (targets.length === 0) {
    console.error(
      `error: unknown target '${wanted.join(" ")}'. Known: ${
        COMPILE_TARGETS.map((t) => t.target).join(", ")
      }`,
    );
    return 2;
  }
  for (const { target, name } of targets) {
    console.error(`compiling dist/${name} (${target})`);
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        ...MLIDS_PERMISSIONS,
        "--no-prompt",
        "--target",
        target,
        "--output",
        `dist/${name}`,
        "main.ts",
      ],
      stdout: "inherit",
      stderr: "inherit",
    });
    const { code } = await command.output();
    if (code !== 0) {
      console.error(
        `error: deno compile failed for ${target} (exit ${code}). It downloads the target's runtime: check internet access, or use 'deno task install' instead.`,
      );
      return 1;
    }
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await compileAll(Deno.args));
}
