/**
 * Bitcoin's double SHA-256 over the injected SHA-256: the hasher's own
 * double-hash entry points when the adapter provides them (see
 * src/platform/hash.ts), two plain calls otherwise.
 */
import type { Sha256 } from "../platform/hash.ts";

/** SHA-256(SHA-256(data)): a new 32-byte result, with the same rules as a `Sha256` result. */
export function sha256d(sha256: Sha256, data: Uint8Array): Uint8Array {
  return sha256.double === undefined ? sha256(sha256(data)) : sha256.double(data);
}

/**
 * Writes SHA-256(SHA-256(data)) to `out[at, at + 32)`. `out` may overlap
 * `data` (all of `data` is read first).
 */
export function sha256dInto(sha256: Sha256, data: Uint8Array, out: Uint8Array, at: number): void {
  if (sha256.doubleInto === undefined) out.set(sha256d(sha256, data), at);
  else sha256.doubleInto(data, out, at);
}
