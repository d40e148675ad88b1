/**
 * The key rules every store enforces, so a key that works in memory also
 * works as a file name: a plain name, no path, not hidden.
 */

/** Longest key in UTF-8 bytes: file names are limited to 255 bytes, and temp names add a suffix. */
export const MAX_KEY_BYTES = 200;

const FORBIDDEN = /[/\\\0]/;
const encoder = new TextEncoder();

/** Throws a `TypeError` explaining what is wrong with `key`, if anything. */
export function checkKey(key: string): void {
  let problem: string | undefined;
  if (typeof key !== "string" || key.length === 0) problem = "it is empty";
  else if (FORBIDDEN.test(key)) problem = "it contains a path separator or NUL";
  else if (key.startsWith(".")) problem = 'it starts with "." (reserved for temp files)';
  else if (encoder.encode(key).length > MAX_KEY_BYTES) {
    problem = `it is longer than ${MAX_KEY_BYTES} bytes`;
  }
  if (problem !== undefined) {
    throw new TypeError(
      `invalid storage key ${JSON.stringify(key)}: ${problem}; ` +
        'use a plain file name such as "peers.json"',
    );
  }
}

/** The error for renaming a key that holds no value. */
export function missingKeyError(key: string): Error {
  const error = new Error(`cannot rename storage key ${JSON.stringify(key)}: it has no value`);
  error.name = "NotFoundError";
  return error;
}
