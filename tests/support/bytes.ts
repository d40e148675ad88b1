/**
 * Byte helpers for tests and fixtures. No `bun:test` import, so the interop
 * fixtures (run as plain scripts under each runtime) can use them too.
 */

/** The concatenation of `parts`, in a new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
