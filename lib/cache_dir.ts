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
