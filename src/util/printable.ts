/**
 * Text from a remote party made safe to log and show: only printable ASCII
 * is kept, so control characters (terminal escapes, newlines) in a user
 * agent or a reason never reach a log line or the API.
 */

/** `text` with every character outside printable ASCII removed. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "");
}
