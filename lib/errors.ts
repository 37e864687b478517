/**
 * The typed errors mlids raises. lib/ throws these; commands/ turns them into one-line messages
 * and exit codes, so the logic never decides how a failure is shown.
 * @module
 */

/** What a failure is about, which decides its exit code: input and usage 2, cancelled 130, the rest 1. */
export type ErrorKind = "usage" | "input" | "remote" | "machine" | "cancelled";

/** Options every mlids error takes. */
export interface MlidsErrorOptions {
  /** What the user can do about it, shown after the message. */
  hint?: string;
  /** The underlying error, shown with --debug. */
  cause?: unknown;
}

/** Base class of every error mlids raises on purpose. */
export class MlidsError extends Error {
  /** What the failure is about. */
  readonly kind: ErrorKind;
  /** What the user can do about it. */
  readonly hint?: string;

  constructor(kind: ErrorKind, message: string, options: MlidsErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.hint = options.hint;
  }
}

/** A flag or argument the user gave is wrong (exit 2). */
export class UsageError extends MlidsError {
  constructor(message: string, options: MlidsErrorOptions = {}) {
    super("usage", message, options);
  }
}

/** A file, dataset, message or other input cannot be used as it is (exit 2). */
export class InputError extends MlidsError {
  constructor(message: string, options: MlidsErrorOptions = {}) {
    super("input", message, options);
  }
}

/** A remote service (the ML-IDS API, S3, SQS) failed or refused (exit 1). */
export class RemoteError extends MlidsError {
  /** HTTP status, when the remote answered with one. */
  readonly status?: number;

  constructor(message: string, options: MlidsErrorOptions & { status?: number } = {}) {
    super("remote", message, options);
    this.status = options.status;
  }
}

/** The machine failed us: disk full, permission denied, out of memory (exit 1). */
export class MachineError extends MlidsError {
  constructor(message: string, options: MlidsErrorOptions = {}) {
    super("machine", message, options);
  }
}

/** The user interrupted the work (Ctrl-C) and it stopped cleanly (exit 130, as a shell reports SIGINT). */
export class CancelledError extends MlidsError {
  constructor(message: string, options: MlidsErrorOptions = {}) {
    super("cancelled", message, options);
  }
}

/** Exit code for an error kind: 2 for bad usage or input, 130 for Ctrl-C, 1 for remote or machine failures. */
export function exitCodeOf(kind: ErrorKind): 1 | 2 | 130 {
  if (kind === "cancelled") return 130;
  return kind === "usage" || kind === "input" ? 2 : 1;
}

/**
 * Throws a {@linkcode CancelledError} saying that `what` was interrupted once `signal` is aborted;
 * long work calls it between steps, so a stop request ends it at the next step.
 */
export function throwIfCancelled(
  signal: AbortSignal | undefined,
  what: string,
  options: MlidsErrorOptions = {},
): void {
  if (signal?.aborted) {
    throw new CancelledError(`${what} was interrupted`, { cause: signal.reason, ...options });
  }
}
