/**
 * The message of something thrown, for logs and user-facing errors: an
 * Error's `message`, anything else as text.
 */

/** `error.message` for an Error, `String(error)` for anything else. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
