/**
 * A worker of tests/dataset/corruption_test.ts: reads damaged copies of a dataset file (made here
 * from a seed) with openDataset and every read a user can ask for, and reports how each ended: a
 * value, or an error (its class and message). The test terminates the worker when one read runs
 * past its time bound.
 * @module
 */

import { join } from "node:path";
import { MlidsError } from "../../lib/errors.ts";
import { mulberry32, openDataset } from "../../lib/dataset/mod.ts";

/** The four kinds of damage. */
export type MutationKind = "bitflip" | "truncate" | "zero" | "copy";

/** One damaged copy to read: the original, the damage and its seed. */
export interface MutantJob {
  readonly id: number;
  readonly source: string;
  readonly kind: MutationKind;
  readonly seed: number;
  /** The name the copy gets (its extension matters to no reader: formats go by content). */
  readonly name: string;
}

/** How reading one damaged copy ended. */
export interface MutantOutcome {
  readonly id: number;
  readonly ended: "value" | "error";
  /** The error's class (`InputError`, ...) or `untyped` for anything else. */
  readonly errorClass?: string;
  readonly message?: string;
  /** Whether an index entry was left in the cache after the open failed. */
  readonly cachedAfterFailedOpen?: boolean;
}

/** `bytes` damaged by `kind`, drawn from `seed`. */
export function mutate(bytes: Uint8Array, kind: MutationKind, seed: number): Uint8Array {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const out = bytes.slice();
  const n = out.length;
  if (kind === "bitflip") {
    for (let i = 1 + pick(8); i > 0; i--) out[pick(n)] ^= 1 << pick(8);
    return out;
  }
  if (kind === "truncate") return out.subarray(0, pick(n));
  const length = 1 + pick(Math.min(4096, n));
  const at = pick(n - length + 1);
  if (kind === "zero") {
    out.fill(0, at, at + length);
    return out;
  }
  const from = pick(n - length + 1);
  out.set(bytes.subarray(from, from + length), at);
  return out;
}

async function hasEntries(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return true;
  } catch {
    // No cache folder: nothing cached.
  }
  return false;
}

async function readMutant(job: MutantJob, dir: string): Promise<MutantOutcome> {
  const path = join(dir, job.name);
  await Deno.writeFile(path, mutate(await Deno.readFile(job.source), job.kind, job.seed));
  const cacheDir = join(dir, `cache-${job.id}`);
  let opened = false;
  try {
    const dataset = await openDataset(path, { cacheDir, onNotice: () => {} });
    opened = true;
    try {
      const rows = dataset.info.rows;
      await dataset.labelIndex();
      await dataset.readRows([0, rows - 1, Math.floor(rows / 2), 1 % rows]);
      let seen = 0;
      for await (const batch of dataset.scan({ batchRows: 50 })) seen += batch.rows.length;
      if (seen !== rows) throw new Error(`the scan gave ${seen} rows of ${rows}`);
    } finally {
      dataset.close();
    }
    return { id: job.id, ended: "value" };
  } catch (error) {
    const cached = !opened && await hasEntries(join(cacheDir, "index"));
    return {
      id: job.id,
      ended: "error",
      errorClass: error instanceof MlidsError ? error.constructor.name : "untyped",
      message: error instanceof Error ? error.message : String(error),
      cachedAfterFailedOpen: cached,
    };
  } finally {
    await Deno.remove(path).catch(() => {});
    await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
  }
}

/** The worker's side of the messages: jobs in, a start notice and an outcome per job out. */
interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<MutantJob[]>) => void) | null;
}

if ("WorkerGlobalScope" in globalThis) {
  const scope = globalThis as unknown as WorkerScope;
  // The handler is set before anything is awaited, so the jobs posted at once are not missed.
  scope.onmessage = async (event) => {
    const dir = await Deno.makeTempDir({ prefix: "mlids-mutants-" });
    for (const job of event.data) {
      scope.postMessage({ started: job.id });
      scope.postMessage(await readMutant(job, dir));
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    scope.postMessage({ done: true });
  };
}
