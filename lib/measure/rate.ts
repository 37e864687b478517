/**
 * Rates of events over time (flows sent, requests answered, alerts seen): the overall rate, the
 * rate over a recent window for live progress, and a bounded series of the rate over time for a
 * report's chart.
 * @module
 */

/** One step of a rate series: `count` events in the `seconds` starting at `start` (from the meter's start). */
export interface RatePoint {
  readonly start: number;
  readonly seconds: number;
  readonly count: number;
  /** count / seconds. */
  readonly perSecond: number;
}

/** Options of a {@linkcode RateMeter}. */
export interface RateMeterOptions {
  /** Clock in milliseconds; default `performance.now`. Injected by tests. */
  now?: () => number;
  /** Width of the recent window in milliseconds (default 5000). */
  windowMs?: number;
  /** Width of one step of the series at first, in milliseconds (default 1000). */
  stepMs?: number;
  /** Most steps kept; past that, neighbouring steps merge and steps double in width (default 1024). */
  maxSteps?: number;
}

/**
 * Counts events as they happen. Memory stays bounded however long it runs: the recent window is
 * a ring of ten slots, and the series merges pairs of steps when it reaches `maxSteps`.
 */
export class RateMeter {
  readonly #now: () => number;
  readonly #start: number;
  readonly #slotMs: number;
  readonly #slots = new Float64Array(10);
  readonly #maxSteps: number;
  #slotAt = 0;
  #stepMs: number;
  #steps: number[] = [];
  #total = 0;

  constructor(options: RateMeterOptions = {}) {
    const windowMs = options.windowMs ?? 5000;
    const stepMs = options.stepMs ?? 1000;
    const maxSteps = options.maxSteps ?? 1024;
    if (!(windowMs > 0) || !(stepMs > 0) || !Number.isInteger(maxSteps) || maxSteps < 2) {
      throw new RangeError("windowMs and stepMs must be > 0 and maxSteps a whole number >= 2");
    }
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#slotMs = windowMs / this.#slots.length;
    this.#stepMs = stepMs;
    this.#maxSteps = maxSteps;
  }

  /** Counts `count` events (default 1) as happening now. */
  mark(count = 1): void {
    if (!(count >= 0) || !Number.isFinite(count)) {
      throw new RangeError(`an event count must be a finite number >= 0, not ${count}`);
    }
    const elapsed = Math.max(0, this.#now() - this.#start);
    this.#advanceWindow(elapsed);
    this.#slots[Math.floor(elapsed / this.#slotMs) % this.#slots.length] += count;
    let step = Math.floor(elapsed / this.#stepMs);
    while (step >= this.#maxSteps) {
      this.#merge();
      step = Math.floor(elapsed / this.#stepMs);
    }
    while (this.#steps.length <= step) this.#steps.push(0);
    this.#steps[step] += count;
    this.#total += count;
  }

  /** Every event counted so far. */
  get total(): number {
    return this.#total;
  }

  /** Seconds since the meter started. */
  elapsedSeconds(): number {
    return Math.max(0, this.#now() - this.#start) / 1000;
  }

  /** Events per second since the start; null before any time has passed. */
  rate(): number | null {
    const seconds = this.elapsedSeconds();
    return seconds > 0 ? this.#total / seconds : null;
  }

  /** Events per second over the recent window (or since the start, when that is shorter); null before any time has passed. */
  recentRate(): number | null {
    const elapsed = Math.max(0, this.#now() - this.#start);
    if (elapsed <= 0) return null;
    this.#advanceWindow(elapsed);
    const windowMs = this.#slotMs * this.#slots.length;
    // The current slot is partly filled: count the window as ending now.
    const span = Math.min(elapsed, windowMs - this.#slotMs + (elapsed % this.#slotMs));
    let sum = 0;
    for (const slot of this.#slots) sum += slot;
    return span > 0 ? (sum * 1000) / span : null;
  }

  /** The rate over time, one point per step from the start to now (the last step may be partial). */
  series(): RatePoint[] {
    const elapsed = Math.max(0, this.#now() - this.#start);
    const steps = Math.max(this.#steps.length, Math.ceil(elapsed / this.#stepMs));
    const out: RatePoint[] = [];
    for (let i = 0; i < steps; i++) {
      const startMs = i * this.#stepMs;
      const widthMs = Math.min(this.#stepMs, Math.max(elapsed - startMs, 0)) || this.#stepMs;
      const count = this.#steps[i] ?? 0;
      out.push({
        start: startMs / 1000,
        seconds: widthMs / 1000,
        count,
        perSecond: (count * 1000) / widthMs,
      });
    }
    return out;
  }

  /** Empties the slots the clock has moved past since the last event. */
  #advanceWindow(elapsedMs: number): void {
    const slot = Math.floor(elapsedMs / this.#slotMs);
    if (slot <= this.#slotAt) return;
    const gap = Math.min(slot - this.#slotAt, this.#slots.length);
    for (let i = 1; i <= gap; i++) this.#slots[(this.#slotAt + i) % this.#slots.length] = 0;
    this.#slotAt = slot;
  }

  #merge(): void {
    const merged: number[] = [];
    for (let i = 0; i < this.#steps.length; i += 2) {
      merged.push(this.#steps[i] + (this.#steps[i + 1] ?? 0));
    }
    this.#steps = merged;
    this.#stepMs *= 2;
  }
}
