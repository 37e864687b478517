/**
 * Files of tests: a temporary folder for one test body; an `mlids` command in a folder to put on
 * PATH; every file a test left below a folder,
 * however deep; a fixture copied into a folder of its own, with a cache folder beside it.
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mlidsShellCommand } from "../../dev/run_mlids.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/** Runs `body` with a new temporary folder named from `prefix`, and removes it afterwards, whatever happens. */
export async function withTempDir<T>(
  prefix: string,
  body: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `body` with a copy of the fixture `name` (tests/fixtures) in a temporary folder and a cache
 * folder path beside it (not made), removing both afterwards.
 */
export async function withFixtureCopy(
  name: string,
  body: (path: string, cacheDir: string) => Promise<void>,
): Promise<void> {
  await withTempDir("mlids-fixture-", async (dir) => {
    const path = join(dir, name);
    await Deno.copyFile(FIXTURES + name, path);
    await body(path, join(dir, "cache"));
  });
}

/**
 * Makes `dir/bin` holding an `mlids` that runs the entry point under the binary's permissions, as
 * a shell finds it on PATH; that folder.
 */
export async function installMlids(dir: string): Promise<string> {
  const bin = join(dir, "bin");
  await Deno.mkdir(bin);
  const wrapper = join(bin, "mlids");
  await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec ${mlidsShellCommand([])} "$@"\n`);
  await Deno.chmod(wrapper, 0o755);
  return bin;
}

/** The paths of every file below `dir`, sorted; none when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) files.push(...await listFiles(path));
      else files.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}
