/**
 * Starts `dev/python_standin_api.py` (a plain Python `http.server` ML-IDS stand-in, see there) on
 * loopback with Debian's python3, for the connection-stall tests and benchmarks.
 * @module
 */

import { join } from "node:path";
import { REPO_ROOT } from "./run_mlids.ts";

/** Debian's python3: the stand-in needs nothing beyond its standard library. */
export const PYTHON = "/usr/bin/python3";

/** What the Python stand-in saw: prediction requests, TCP connections, and the connection of each request. */
export interface PythonStandinStats {
  requests: number;
  connections: number;
  /** For each prediction request in order of arrival, the number of the connection that carried it. */
  request_connections: number[];
}

/** A running Python stand-in. */
export interface PythonStandin {
  /** `http://127.0.0.1:<port>` (no path). */
  url: string;
  /** What it saw so far (asked over a connection of its own). */
  stats(): Promise<PythonStandinStats>;
  /** Stops the server process and waits for it. */
  close(): Promise<void>;
}

/** Whether {@linkcode PYTHON} can run here (tests skip the Python stand-in without it). */
export function pythonAvailable(): boolean {
  try {
    return Deno.statSync(PYTHON).isFile;
  } catch {
    return false;
  }
}

/**
 * Starts the stand-in: keep-alive without TCP_NODELAY (stalls on reused connections) by default;
 * `nodelay` sets TCP_NODELAY (no stall); `http10` closes every connection after its answer.
 */
export async function startPythonStandin(
  options: { nodelay?: boolean; http10?: boolean } = {},
): Promise<PythonStandin> {
  const args = [join(REPO_ROOT, "dev", "python_standin_api.py")];
  if (options.nodelay) args.push("--nodelay");
  if (options.http10) args.push("--http10");
  const child = new Deno.Command(PYTHON, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let said = "";
  let port: string | undefined;
  try {
    // Bounded: the script says its port first thing, or exits.
    for (let reads = 0; reads < 100 && port === undefined; reads++) {
      const { value, done } = await reader.read();
      if (done) break;
      said += value;
      port = /listening on (\d+)/.exec(said)?.[1];
    }
  } finally {
    reader.releaseLock();
  }
  if (port === undefined) {
    child.kill();
    await child.status;
    throw new Error(`python_standin_api.py did not start: ${said}`);
  }
  // Nothing else is read from stdout: drain it so the child never blocks on a full pipe.
  const drained = child.stdout.pipeTo(new WritableStream()).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    async stats(): Promise<PythonStandinStats> {
      // A client of its own, so asking does not add a connection to the pool under test.
      const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      try {
        const response = await fetch(`${url}/stats`, { client });
        return await response.json() as PythonStandinStats;
      } finally {
        client.close();
      }
    },
    close(): Promise<void> {
      closing ??= (async () => {
        child.kill("SIGTERM");
        await child.status;
        await drained;
      })();
      return closing;
    },
  };
}
