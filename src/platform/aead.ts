/**
 * The AEAD port: ChaCha20-Poly1305 (RFC 8439), where the BIP324 v2 transport
 * spends its bulk time. An adapter supplies the runtime's native one where it
 * has one (node:crypto under Node and Deno, OpenSSL through bun:ffi under
 * Bun); without it the core uses the
 * TypeScript fallback in src/transport/bip324_aead_noble.ts. The choice per
 * runtime, with its figures, is in bench/bip324_crypto.ts.
 */

/** Bytes of a ChaCha20-Poly1305 key. */
export const AEAD_KEY_SIZE = 32;
/** Bytes of a ChaCha20-Poly1305 nonce. */
export const AEAD_NONCE_SIZE = 12;
/** Bytes of the Poly1305 tag appended to each ciphertext. */
export const AEAD_TAG_SIZE = 16;

/** ChaCha20-Poly1305 with a 32-byte key, a 12-byte nonce and a 16-byte tag. */
export interface ChaCha20Poly1305 {
  /** Which implementation this is ("node:crypto", "noble"), for benches and logs. */
  readonly name: string;
  /**
   * Encrypts `plaintext` and writes the ciphertext, then the tag, to `out`
   * from `at` (`plaintext.length + 16` bytes). `plaintext` may be those very
   * bytes of `out` (sealing in place); it must not overlap them otherwise.
   */
  seal(
    key: Uint8Array,
    nonce: Uint8Array,
    aad: Uint8Array,
    plaintext: Uint8Array,
    out: Uint8Array,
    at: number,
  ): void;
  /**
   * The plaintext of `sealed` (ciphertext then tag) in a new array, or null
   * when `sealed` is shorter than a tag or its tag does not match (then
   * nothing decrypted is returned).
   */
  open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null;
}
