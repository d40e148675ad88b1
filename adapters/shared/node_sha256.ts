/**
 * SHA-256 through `node:crypto`'s one-shot `hash()`, for Node and Deno
 * (Bun has a faster native path, see adapters/bun/sha256.ts). The adapters
 * use it for inputs too long for the TypeScript one (hybrid_sha256.ts).
 *
 * Measured (µs per call, 80-byte input / 1 MB input):
 *   node 24.11  hash() 0.67 / 497   createHash() 0.92 / 488
 *   deno 2.5.6  hash() 1.00 / 485   createHash() 0.96 / 496  (no other sync SHA-256 in Deno)
 * 1 MB runs at ~2 GB/s either way; the one-shot call wins on small inputs.
 */
import { hash } from "node:crypto";
import type { Sha256 } from "../../src/platform/hash.ts";

/** SHA-256 of `data` as a plain 32-byte Uint8Array (not a Buffer). */
export const nativeSha256: Sha256 = (data) => {
  const digest = hash("sha256", data, "buffer");
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
};

/**
 * The digest as a string rather than a Buffer: making the Buffer costs more
 * than the hashing on short inputs. Measured (µs per call, 400-byte input):
 *
 *                "buffer"  "latin1"  "hex"
 *   node 24.11     0.78      0.40     0.40
 *   deno 2.5.6     1.11      1.36     0.52
 *
 * So Node reads the latin1 string (one char per byte) and Deno the hex one.
 */

/** Node: writes SHA-256 of `data` to `out[at, at + 32)`, through a latin1 digest. */
export function nodeNativeSha256Into(data: Uint8Array, out: Uint8Array, at: number): void {
  const digest = hash("sha256", data, "latin1");
  for (let i = 0; i < 32; i++) out[at + i] = digest.charCodeAt(i);
}

/** Deno: writes SHA-256 of `data` to `out[at, at + 32)`, through a hex digest. */
export function denoNativeSha256Into(data: Uint8Array, out: Uint8Array, at: number): void {
  const digest = hash("sha256", data, "hex");
  for (let i = 0, j = 0; i < 32; i++, j += 2) {
    // A hex digit's value: its low nibble, plus 9 for a letter (0x41-0x46, 0x61-0x66).
    const hi = digest.charCodeAt(j), lo = digest.charCodeAt(j + 1);
    out[at + i] = (((hi & 0xf) + (hi >> 6) * 9) << 4) | ((lo & 0xf) + (lo >> 6) * 9);
  }
}
