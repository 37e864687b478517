/**
 * Waiting between attempts, the one way every retry loop of mlids does it (prediction requests,
 * S3, SQS): exponential backoff with jitter, and a sleep that a stop request cuts short.
 * @module
 */

/** Resolves after `ms`, or at once when `signal` is (or becomes) aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** How long to wait before retry number `attempt` (1 for the first retry). */
export interface BackoffOptions {
  /** The first retry waits about this long (ms); each further one twice as long. */
  baseMs: number;
  /** The longest wait (ms). */
  capMs: number;
}

/**
 * The wait before retry `attempt` (1-based): base * 2^(attempt-1), at most cap, of which a random
 * half is kept ("equal jitter"), so many clients failing together do not retry in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * ceiling / 2);
}
