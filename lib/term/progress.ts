/**
 * Progress display on stderr for work of a known size (bytes downloaded, rows sent, messages
 * handled): redrawn in place on a terminal; one line when the work starts and one when it ends
 * when stderr is a file or a pipe; nothing at all when quiet (`mlids --quiet`).
 * @module
 */

import { escapeControl } from "../text.ts";
import { stderrIsTerminal, terminalWidth } from "./terminal.ts";
import { writeAllSync } from "../write_all.ts";

/** Where a progress bar writes: anything with a synchronous `writeSync`, like `Deno.stderr`. */
export interface WritableLike {
  writeSync(bytes: Uint8Array): number;
}

/** Options of a {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** How amounts are shown: `bytes` as KiB/MiB/GiB, `items` as grouped counts. Default `items`. */
  unit?: "bytes" | "items";
  /** Where to write; default `Deno.stderr`. */
  stream?: WritableLike;
  /** Redraw in place (true) or print a start and an end line (false); default: whether stderr is a TTY. */
  isTerminal?: boolean;
  /** Write nothing at all; default: {@linkcode progressQuiet}. */
  quiet?: boolean;
  /** Clock in milliseconds; default `performance.now`. Injected by tests. */
  now?: () => number;
  /** Width to fit the in-place line into; default the terminal's width. */
  columns?: number;
  /** Text shown after the rate and ETA (a running accuracy, ...), read at each redraw. */
  detail?: () => string;
}

/** Redraws on a terminal at most this often (milliseconds), so a fast loop costs nothing. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
const encoder = new TextEncoder();

let quietByDefault = false;

/**
 * Makes progress displays (and the status lines commands check {@linkcode progressQuiet} for)
 * silent from now on, or audible again: what the global `--quiet` flag sets for one run.
 */
export function setProgressQuiet(quiet: boolean): void {
  quietByDefault = quiet;
}

/** Whether progress and status lines are off for this run (`--quiet`). */
export function progressQuiet(): boolean {
  return quietByDefault;
}

/**
 * A progress bar for a known total: shows done/total, percent, rate and ETA. On a terminal it is
 * one line redrawn at most ~10x/s; otherwise one line when it starts and one when it finishes,
 * since a file or a pipe cannot redraw and a line per step only repeats itself.
 */
export class ProgressBar {
  readonly #label: string;
  readonly #total: number;
  readonly #unit: "bytes" | "items";
  readonly #stream: WritableLike;
  readonly #isTerminal: boolean;
  readonly #now: () => number;
  readonly #columns: number;
  readonly #start: number;
  readonly #detail: (() => string) | undefined;
  #done = 0;
  #lastDraw = -Infinity;
  #drawn = false;
  #closed = false;
  readonly #quiet: boolean;

  constructor(label: string, total: number, options: ProgressBarOptions = {}) {
    this.#label = escapeControl(label);
    this.#total = Number.isFinite(total) && total > 0 ? total : 0;
    this.#unit = options.unit ?? "items";
    this.#stream = options.stream ?? Deno.stderr;
    this.#isTerminal = options.isTerminal ?? (options.stream === undefined && stderrIsTerminal());
    this.#now = options.now ?? (() => performance.now());
    this.#columns = options.columns ?? terminalWidth();
    this.#start = this.#now();
    this.#detail = options.detail;
    this.#quiet = options.quiet ?? quietByDefault;
    if (!this.#isTerminal) {
      this.#write(
        `${this.#label}: started${
          this.#total > 0 ? `, ${this.#amount(this.#total)} in all` : ""
        }\n`,
      );
    }
  }

  /** How much is done so far. */
  get done(): number {
    return this.#done;
  }

  /** Sets how much is done (clamped to 0..total) and redraws when it is time to. */
  update(done: number): void {
    if (this.#closed) return;
    this.#done = Math.max(0, this.#total > 0 ? Math.min(done, this.#total) : done);
    // Off a terminal nothing is written between the start and the end line.
    if (!this.#isTerminal) return;
    const now = this.#now();
    if (now - this.#lastDraw < REDRAW_INTERVAL_MS && this.#done < this.#total) return;
    this.#lastDraw = now;
    this.#write(`\r\x1b[2K${this.#fit(this.line())}`);
    this.#drawn = true;
  }

  /** Adds `delta` (default 1) to what is done. */
  tick(delta = 1): void {
    this.update(this.#done + delta);
  }

  /** Ends the bar with a final line: `message`, or the amount done, the time taken and the rate. */
  finish(message?: string): void {
    if (this.#closed) return;
    this.#closed = true;
    const elapsed = (this.#now() - this.#start) / 1000;
    const text = message === undefined
      ? `${this.#label}: ${this.#amount(this.#done)} in ${formatSeconds(elapsed)} (${
        this.#rateText(elapsed)
      })`
      : `${this.#label}: ${escapeControl(message)}`;
    this.#write(`${this.#isTerminal && this.#drawn ? "\r\x1b[2K" : ""}${text}\n`);
  }

  /** Removes the bar without a final line (on failure, before an error is reported). */
  clear(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#isTerminal && this.#drawn) this.#write("\r\x1b[2K");
  }

  /** The progress as one line of text, e.g. `test.h5 [#####.....] 10.0 MiB / 20.0 MiB 50% 2.0 MiB/s ETA 0:05`. */
  line(): string {
    const elapsed = (this.#now() - this.#start) / 1000;
    const fraction = this.#total > 0 ? this.#done / this.#total : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = this.#isTerminal
      ? ` [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`
      : ":";
    const amounts = this.#total > 0
      ? `${this.#amount(this.#done)} / ${this.#amount(this.#total)} ${Math.floor(fraction * 100)}%`
      : this.#amount(this.#done);
    const rate = elapsed > 0 ? this.#done / elapsed : 0;
    const eta = this.#total > 0 && rate > 0
      ? formatSeconds((this.#total - this.#done) / rate)
      : "--:--";
    const detail = this.#detail ? `  ${escapeControl(this.#detail())}` : "";
    return `${this.#label}${bar} ${amounts} ${this.#rateText(elapsed)} ETA ${eta}${detail}`;
  }

  #amount(value: number): string {
    return this.#unit === "bytes" ? formatBytes(value) : formatCount(value);
  }

  #rateText(elapsedSeconds: number): string {
    if (elapsedSeconds <= 0) return this.#unit === "bytes" ? "-- B/s" : "--/s";
    const rate = this.#done / elapsedSeconds;
    return this.#unit === "bytes" ? `${formatBytes(rate)}/s` : `${formatCount(Math.round(rate))}/s`;
  }

  #fit(text: string): string {
    const max = Math.max(20, this.#columns - 1);
    return text.length > max ? text.slice(0, max) : text;
  }

  #write(text: string): void {
    if (this.#quiet) return;
    try {
      writeAllSync(this.#stream, encoder.encode(text));
    } catch {
      // A closed or broken stderr must not fail the work whose progress it shows.
    }
  }
}

/** Bytes in binary units: `512 B`, `1.5 KiB`, `204.8 MiB`, `1.21 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** A count with thousands separators: `1,612,345`. */
export function formatCount(count: number): string {
  return Math.round(count).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A count and its noun, singular for one: `1 flow`, `1,200 flows`, `2 batches` (given `many`). */
export function formatCountOf(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** How far a download has come: the shape in which lib/dataset reports S3 downloads. */
export interface TransferProgress {
  name: string;
  received: number;
  total: number;
  state: "started" | "running" | "done" | "failed";
}

/** A listener that shows a download as a {@linkcode ProgressBar} of bytes, on stderr by default. */
export function downloadBar(
  options: ProgressBarOptions = {},
): (progress: TransferProgress) => void {
  let bar: ProgressBar | undefined;
  return (progress) => {
    if (progress.state === "started") {
      bar = new ProgressBar(progress.name, progress.total, { unit: "bytes", ...options });
    } else if (progress.state === "running") {
      bar?.update(progress.received);
    } else if (progress.state === "done") {
      bar?.finish();
    } else {
      bar?.clear();
    }
  };
}
