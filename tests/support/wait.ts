/**
 * Bounded waits for tests: wait for a condition instead of sleeping a fixed time and hoping it
 * happened (a loaded machine makes any fixed time too short), and give up with a message naming
 * what never happened instead of hanging.
 * @module
 */

/** Options of {@linkcode waitUntil}. */
export interface WaitOptions {
  /** How long to wait at most (default 30 s: a bound for hangs, not a speed goal). */
  timeoutMs?: number;
  /** How often to look (default 50 ms). */
  intervalMs?: number;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Calls `check` until it returns true; throws naming `what` once `timeoutMs` has passed. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(options.intervalMs ?? 50);
  }
  // One last look: on a loaded machine the deadline can pass while the last sleep overran.
  if (await check()) return;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * `promise`, or a rejection naming `what` once `timeoutMs` has passed first (`onTimeout` runs then,
 * e.g. to stop what is late); the timer is cleared either way.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  options: { what: string; onTimeout?: () => void },
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        options.onTimeout?.();
        reject(new Error(`timed out after ${timeoutMs} ms: ${options.what}`));
      }, timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
