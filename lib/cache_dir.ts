/**
 * Where mlids keeps its caches (downloaded datasets, dataset indexes).
 * @module
 */

import { homedir } from "node:os";
import { join } from "node:path";
import { envVar } from "./env.ts";
import { MachineError } from "./errors.ts";

/** Where mlids keeps its caches: $XDG_CACHE_HOME/mlids, else ~/.cache/mlids (%LOCALAPPDATA%\mlids on Windows). */
export function defaultCacheDir(): string {
  const xdg = envVar("XDG_CACHE_HOME");
  if (xdg) return join(xdg, "mlids");
  if (Deno.build.os === "windows") {
    const local = envVar("LOCALAPPDATA");
    if (local) return join(local, "mlids");
  }
  let home = envVar("HOME") ?? envVar("USERPROFILE");
  if (!home) {
    try {
      home = homedir();
    } catch {
      home = undefined;
    }
  }
  if (!home) {
    throw new MachineError("cannot find a cache directory: no home directory is set", {
      hint: "Set XDG_CACHE_HOME or pass --s3-local-storage-path.",
    });
  }
  return join(home, ".cache", "mlids");
}

/** How old a `.part` entry is before {@linkcode removeStaleParts} takes it for debris. */
const STALE_PART_MS = 60 * 60 * 1000;

/**
 * Removes the `.part` files and folders (work that was killed before it could clean up) found in
 * `dir` and its subfolders, when neither they nor anything directly in them changed for
 * `olderThanMs` (default an hour): an entry another process is still writing keeps changing. With
 * `prefix`, only entries whose name starts with it. Never throws; returns how many went.
 */
export async function removeStaleParts(
  dir: string,
  options: { olderThanMs?: number; prefix?: string; recursive?: boolean } = {},
): Promise<number> {
  const cutoff = Date.now() - (options.olderThanMs ?? STALE_PART_MS);
  const prefix = options.prefix ?? "";
  let removed = 0;
  // Bounded: the cache holds a few datasets and their index entries, not a deep tree.
  let budget = 10_000;
  const newest = async (path: string, isDirectory: boolean): Promise<number> => {
    let time = (await Deno.lstat(path)).mtime?.getTime() ?? 0;
    if (isDirectory) {
      for await (const entry of Deno.readDir(path)) {
        if (--budget < 0) return Infinity;
        const inner = await Deno.lstat(join(path, entry.name));
        time = Math.max(time, inner.mtime?.getTime() ?? 0);
      }
    }
    return time;
  };
  const visit = async (folder: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (--budget < 0) return;
      const path = join(folder, entry.name);
      try {
        if (entry.name.endsWith(".part") && entry.name.startsWith(prefix)) {
          if (await newest(path, entry.isDirectory) < cutoff) {
            await Deno.remove(path, { recursive: true });
            removed++;
          }
        } else if (entry.isDirectory && options.recursive) {
          await visit(path);
        }
      } catch {
        // Gone meanwhile, or not ours to remove: leave it.
      }
    }
  };
  await visit(dir);
  return removed;
}
