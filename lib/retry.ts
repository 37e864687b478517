/**
 * Waiting and trying again, the one way every loop of mlids does it (prediction requests, S3, SQS,
 * the replay sender): a sleep that a stop request cuts short, exponential backoff with jitter, and
 * the network error codes that make a failure worth another attempt.
 * @module
 */

/** Waits up to this long are not cut short by an abort: they end soon anyway. */
const SHORT_WAIT_MS = 50;

/**
 * Resolves after `ms`, or at once when `signal` is (or becomes) aborted. Short waits (50 ms or
 * less) add no abort listener, so a sender sleeping thousands of times a second stays cheap.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  if (ms <= SHORT_WAIT_MS || signal === undefined) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
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

/** Error codes of a request that never got an answer: the network, not the server, failed. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

/**
 * The network error code (`ECONNREFUSED`, `ENOTFOUND`, ...) of `error` or of a cause it wraps
 * (five deep at most), or undefined when the failure was not the network's.
 */
export function networkErrorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
