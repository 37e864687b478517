/**
 * The checkpoint of an evaluation: a JSON Lines file whose first line is the plan (dataset, API,
 * selection, settings) and each next line one completed batch (the rows it covered and its
 * counts). Lines are appended and fsync'd as batches complete, so after Ctrl-C, a crash or kill -9
 * the file holds every completed batch exactly once; a line cut short by a crash is dropped when
 * the file is read back.
 * @module
 */

import { writeAll } from "../write_all.ts";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { InputError, MachineError } from "../errors.ts";
import type { BatchTally } from "./tally.ts";

/** What a run evaluates and how: fixed when it starts, checked when it resumes. */
export interface EvaluationPlan {
  /** The dataset as given, its identity (a local file's size and modification time) and rows. */
  readonly dataset: {
    readonly uri: string;
    readonly key: string | null;
    readonly identity: string;
    readonly rows: number;
  };
  /** The endpoint requests go to. */
  readonly apiUrl: string;
  /** The selection flags as given, and the seed the draws used. */
  readonly selection: {
    readonly categories: readonly string[] | null;
    readonly perCategory: number | null;
    readonly sample: number | null;
    readonly seed: number;
  };
  /** Flows chosen. */
  readonly selected: number;
  readonly batchSize: number;
  readonly threshold: number;
  readonly payloadFormat: string;
  /** Where predictions are written, if anywhere, and the size of the file's header. */
  readonly predictions: {
    readonly path: string;
    readonly format: "csv" | "jsonl";
    readonly headerBytes: number;
  } | null;
  /** ISO time the run started. */
  readonly startedAt: string;
}

/** One completed batch. */
export interface BatchRecord {
  /** First and last row positions the batch covered, inclusive: every selected row in between was done. */
  readonly first: number;
  readonly last: number;
  readonly tally: BatchTally;
  /** Milliseconds of each answered attempt. */
  readonly latencies: readonly number[];
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** Seconds of sending, all sessions together, when the batch completed. */
  readonly elapsed: number;
  /** Size of the predictions file once this batch's lines were written. */
  readonly predictionsBytes?: number;
}

const FORMAT = "mlids-evaluate-state";
const VERSION = 1;

/** What identifies a run for the default state file name: the dataset, the API and the selection flags. */
export interface RunKey {
  readonly datasetIdentity: string;
  readonly datasetKey: string | null;
  readonly apiUrl: string;
  readonly categories: readonly string[] | null;
  readonly perCategory: number | null;
  readonly sample: number | null;
  /** The seed as the user gave it; null when none was given (one is drawn and kept in the state). */
  readonly seed: string | null;
}

/** The default state file of a run: `<cache>/evaluate/<digest>.jsonl`, one per dataset, API and selection. */
export function defaultStatePath(cacheDir: string, key: RunKey): string {
  const digest = createHash("sha256").update(JSON.stringify([
    key.datasetIdentity,
    key.datasetKey,
    key.apiUrl,
    key.categories === null ? null : [...key.categories].sort(),
    key.perCategory,
    key.sample,
    key.seed,
  ])).digest("hex").slice(0, 24);
  return join(cacheDir, "evaluate", `${digest}.jsonl`);
}

/**
 * The identity of a dataset for its state: a local file's absolute path, size and modification
 * time (a changed file is a different dataset), or an S3 URI as given.
 */
export async function datasetIdentity(uri: string, localPath: string | null): Promise<string> {
  if (localPath === null) return uri;
  try {
    const real = await Deno.realPath(localPath);
    const stat = await Deno.stat(real);
    return `${real}\0${stat.size}\0${stat.mtime?.getTime() ?? 0}`;
  } catch {
    return uri;
  }
}

function writeError(path: string, error: unknown): MachineError {
  return new MachineError(
    `cannot write the evaluation state '${path}': ${(error as Error).message}`,
    {
      hint: "Check the folder's permissions and free space, or pass --state FILE elsewhere.",
      cause: error,
    },
  );
}

/** An open state file, appending records. */
export class StateFile {
  readonly path: string;
  #file: Deno.FsFile;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Starts a state file at `path` holding `plan` (replacing any), written whole or not at all. */
  static async create(path: string, plan: EvaluationPlan): Promise<StateFile> {
    const temp = `${path}.${Deno.pid}.part`;
    try {
      await Deno.mkdir(dirname(path), { recursive: true });
      const line = `${JSON.stringify({ format: FORMAT, version: VERSION, plan })}\n`;
      const file = await Deno.open(temp, { write: true, create: true, truncate: true });
      try {
        await writeAll(file, new TextEncoder().encode(line));
        await file.syncData();
      } finally {
        file.close();
      }
      await Deno.rename(temp, path);
      return new StateFile(path, await Deno.open(path, { append: true }));
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw writeError(path, error);
    }
  }

  /**
   * Reads the state at `path`: its plan and completed batches. A last line cut short (a crash
   * mid-write) is cut off the file. InputError when the file is missing or not a state file.
   */
  static async open(
    path: string,
  ): Promise<{ state: StateFile; plan: EvaluationPlan; records: BatchRecord[] }> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new InputError(`there is no saved evaluation at '${path}'`, {
          hint: "Run without --resume to start one (the same flags find the same state).",
        });
      }
      throw error;
    }
    // Everything after the last newline is a line cut short by a crash.
    let goodBytes = bytes.lastIndexOf(0x0a) + 1;
    const lines = new TextDecoder().decode(bytes.subarray(0, goodBytes)).split("\n").slice(0, -1);
    let plan: EvaluationPlan | undefined;
    try {
      const head = JSON.parse(lines[0] ?? "");
      if (head.format === FORMAT && head.version === VERSION) plan = head.plan;
    } catch {
      // Not ours: said below.
    }
    if (plan === undefined) {
      throw new InputError(`'${path}' is not an mlids evaluation state`, {
        hint: "Pass the --state file an earlier 'mlids evaluate' wrote, or drop --resume.",
      });
    }
    const encoder = new TextEncoder();
    const records: BatchRecord[] = [];
    let offset = encoder.encode(`${lines[0]}\n`).length;
    for (let i = 1; i < lines.length; i++) {
      try {
        records.push(JSON.parse(lines[i]));
      } catch {
        // A damaged line can only be the last one written (appends are in order): keep what precedes it.
        goodBytes = offset;
        break;
      }
      offset += encoder.encode(`${lines[i]}\n`).length;
    }
    if (goodBytes !== bytes.length) await Deno.truncate(path, goodBytes);
    return { state: new StateFile(path, await Deno.open(path, { append: true })), plan, records };
  }

  /** Appends a completed batch and waits until it is on disk. Appends are kept in call order. */
  append(record: BatchRecord): Promise<void> {
    const line = new TextEncoder().encode(`${JSON.stringify(record)}\n`);
    const done = this.#queue.then(async () => {
      if (this.#closed) throw new Error("the state file is closed");
      try {
        await writeAll(this.#file, line);
        await this.#file.syncData();
      } catch (error) {
        throw writeError(this.path, error);
      }
    });
    this.#queue = done.catch(() => {});
    return done;
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes and deletes the state (a finished run). */
  async remove(): Promise<void> {
    await this.close();
    await Deno.remove(this.path).catch(() => {});
  }
}

/**
 * The selected rows not yet covered by `records` (each covers every selected row from its first to
 * its last row), in dataset order. `selected` null: every row of a `rows`-row dataset.
 */
export function remainingRows(
  selected: Uint32Array | null,
  rows: number,
  records: readonly Pick<BatchRecord, "first" | "last">[],
): Uint32Array {
  const spans = records.map((record) => [record.first, record.last] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = selected === null ? rows : selected.length;
  const out = new Uint32Array(total);
  let kept = 0;
  let span = 0;
  for (let i = 0; i < total; i++) {
    const row = selected === null ? i : selected[i];
    while (span < spans.length && spans[span][1] < row) span++;
    if (span < spans.length && spans[span][0] <= row) continue;
    out[kept++] = row;
  }
  return out.subarray(0, kept);
}
