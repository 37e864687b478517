/**
 * The per-flow predictions of an evaluation, streamed to a file as batches complete (CSV or JSON
 * Lines: index, label, prediction_raw, predicted_label), for later analysis. Batches complete out
 * of order, so lines come in the order answers arrived; sort by `index` for dataset order. The size
 * after each batch goes into the checkpoint, so a resumed run cuts the file back to what the
 * checkpoint covers and no flow is written twice.
 * @module
 */

import { writeAll } from "../write_all.ts";
import { InputError, MachineError, UsageError } from "../errors.ts";
import { csvField } from "../frame/mod.ts";
import { predictedLabelOf } from "../predict/mod.ts";

/** The formats of a predictions file. */
export type PredictionsFormat = "csv" | "jsonl";

const CSV_HEADER = "index,label,prediction_raw,predicted_label\n";

/** The format a predictions file name asks for (`.csv` or `.jsonl`); UsageError otherwise. */
export function predictionsFormatOf(path: string): PredictionsFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  throw new UsageError(`cannot tell the predictions format of '${path}'`, {
    hint: "Name the file FILE.csv or FILE.jsonl.",
  });
}

function problem(path: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new InputError(`cannot write predictions to '${path}': its folder does not exist`, {
      hint: "Name a file in an existing folder.",
      cause: error,
    });
  }
  return new MachineError(`cannot write predictions to '${path}': ${(error as Error).message}`, {
    hint: "Check the folder's permissions and free space.",
    cause: error,
  });
}

/** A predictions file being written. */
export class PredictionsFile {
  readonly path: string;
  readonly format: PredictionsFormat;
  #file: Deno.FsFile;
  #bytes: number;

  private constructor(path: string, format: PredictionsFormat, file: Deno.FsFile, bytes: number) {
    this.path = path;
    this.format = format;
    this.#file = file;
    this.#bytes = bytes;
  }

  /** Starts the file (replacing any) with its header; `headerBytes` is its size then. */
  static async create(path: string): Promise<PredictionsFile> {
    const format = predictionsFormatOf(path);
    try {
      const file = await Deno.open(path, { write: true, create: true, truncate: true });
      const header = new TextEncoder().encode(format === "csv" ? CSV_HEADER : "");
      await writeAll(file, header);
      return new PredictionsFile(path, format, file, header.length);
    } catch (error) {
      throw problem(path, error);
    }
  }

  /** Reopens the file of a resumed run, cut back to `bytes` (what the checkpoint covers). */
  static async resume(path: string, bytes: number): Promise<PredictionsFile> {
    const format = predictionsFormatOf(path);
    try {
      const file = await Deno.open(path, { read: true, write: true });
      const size = (await file.stat()).size;
      if (size < bytes) {
        file.close();
        throw new InputError(
          `predictions file '${path}' is shorter than the saved run says (${size} < ${bytes} bytes)`,
          { hint: "It was changed since; start the evaluation over without --resume." },
        );
      }
      await file.truncate(bytes);
      await file.seek(bytes, Deno.SeekMode.Start);
      return new PredictionsFile(path, format, file, bytes);
    } catch (error) {
      if (error instanceof InputError) throw error;
      if (error instanceof Deno.errors.NotFound) {
        throw new InputError(`the predictions file '${path}' of the saved run is gone`, {
          hint: "Start the evaluation over without --resume.",
        });
      }
      throw problem(path, error);
    }
  }

  /** The file's size so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The header's size: where a file with no batch yet ends. */
  get headerBytes(): number {
    return this.format === "csv" ? new TextEncoder().encode(CSV_HEADER).length : 0;
  }

  /**
   * Appends one line per flow and flushes it to disk; returns the file's size after. `index` is
   * each flow's pandas index, `labels` its label (null: none).
   */
  async write(
    index: BigInt64Array,
    labels: readonly (string | null)[],
    raw: Float64Array,
    threshold: number,
  ): Promise<number> {
    let text = "";
    for (let i = 0; i < raw.length; i++) {
      const verdict = predictedLabelOf(raw[i], threshold) ?? "";
      const label = labels[i];
      text += this.format === "csv"
        ? `${index[i]},${label === null ? "" : csvField(label)},${raw[i]},${verdict}\n`
        : `{"index":${index[i]},"label":${label === null ? "null" : JSON.stringify(label)},` +
          `"prediction_raw":${raw[i]},"predicted_label":${JSON.stringify(verdict)}}\n`;
    }
    const bytes = new TextEncoder().encode(text);
    try {
      await writeAll(this.#file, bytes);
      await this.#file.syncData();
    } catch (error) {
      throw problem(this.path, error);
    }
    this.#bytes += bytes.length;
    return this.#bytes;
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // Already closed.
    }
  }
}
