/**
 * Typed errors. Every message names the argument, the expected and the actual
 * value, e.g. `matmul: a is [3, 4] and b is [5, 2]; inner dimensions 4 and 5 differ`.
 * A call that throws one of these has written nothing.
 */
export class WasmgradError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape, rank, size or dimension does not fit. */
export class ShapeError extends WasmgradError {}

/** A value is out of its allowed range or of the wrong type (an option, a label, a size). */
export class ValueError extends WasmgradError {}

/** The engine's memory cannot hold a request (`requested` and `available` in bytes). */
export class MemoryError extends WasmgradError {
  constructor(message: string, readonly requested: number, readonly available: number) {
    super(message);
  }
}

/** An object is used after `dispose()`, or with an engine it does not belong to. */
export class StateError extends WasmgradError {}

/** Training produced a non-finite loss or parameter. */
export class DivergenceError extends WasmgradError {
  constructor(message: string, readonly epoch: number, readonly step: number) {
    super(message);
  }
}

/** A file or byte stream is corrupt, truncated or does not match what it must hold. */
export class FormatError extends WasmgradError {}

/**
 * The file system refused an operation (read, write, rename, mkdir, fsync):
 * ENOENT, ENOSPC, EIO, ENOTDIR, EACCES, ... `path` is the file or directory,
 * `code` the system's code. A corrupt file that was read is a `FormatError`.
 */
export class IoError extends WasmgradError {
  constructor(message: string, readonly path: string, readonly code: string) {
    super(message);
  }
}

/**
 * A matrix is not what a factorization needs (not symmetric, not positive
 * definite and no damping allowed, singular, or an eigensolver did not converge).
 */
export class LinAlgError extends WasmgradError {}

/**
 * A server did not answer: every attempt of a bounded retry policy failed
 * (connection refused, timeout, 5xx), or a port to listen on is taken.
 * `url` is what was called (or the address), `attempts` how many were made.
 */
export class NetworkError extends WasmgradError {
  constructor(message: string, readonly url: string, readonly attempts: number, readonly code = '') {
    super(message);
  }
}

/**
 * A server answered with a refusal (HTTP 4xx): `status`, and `reason` from its
 * JSON body (e.g. the federated aggregator's 'wrong-round', 'non-finite').
 */
export class RejectedError extends WasmgradError {
  constructor(message: string, readonly status: number, readonly reason: string, readonly round?: number, readonly attempts = 1) {
    super(message);
  }
}

/** Formats a shape for messages: `[3, 4]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A hyperparameter search produced nothing usable: every trial failed (the
 * objective threw or returned a non-finite value). `trials` holds them, each
 * with its error.
 */
export class SearchError extends WasmgradError {
  constructor(message: string, readonly trials: readonly unknown[]) {
    super(message);
  }
}
