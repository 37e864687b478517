/**
 * Files a test left on disk: every file below a folder, however deep.
 * @module
 */

import { join } from "node:path";

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
