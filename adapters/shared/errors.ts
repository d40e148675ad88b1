/**
 * The error values every adapter throws for the same situations, so callers
 * see one shape whatever the runtime: a `TimeoutError` DOMException (what
 * `AbortSignal.timeout` uses) and a `ConnClosedError` for writes to a closed
 * connection.
 */

/** A `DOMException` named "TimeoutError" saying what ran out of time. */
export function timeoutError(what: string, ms: number): DOMException {
  return new DOMException(`${what} timed out after ${ms} ms`, "TimeoutError");
}

/** An `Error` named "ConnClosedError": the connection was closed before or during a write. */
export function connClosedError(remote: string, cause?: unknown): Error {
  const error = new Error(`connection to ${remote} is closed`, { cause });
  error.name = "ConnClosedError";
  return error;
}
