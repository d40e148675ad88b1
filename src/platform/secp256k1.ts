/**
 * The secp256k1 port: the key pair and x-only Diffie-Hellman of a BIP324
 * handshake, its costliest step. An adapter supplies the fastest curve its
 * runtime has (libsecp256k1 in WebAssembly under Node and Bun, node:crypto's
 * ECDH under Deno); without one the core uses the TypeScript fallback in
 * src/transport/bip324_secp256k1_noble.ts. Figures: bench/bip324_crypto.ts.
 */

/** A secp256k1 key pair made from a given secret key. */
export interface Secp256k1KeyPair {
  /** x(k·G), 32 bytes big-endian. */
  readonly publicX: Uint8Array;
  /**
   * x(k·P), 32 bytes big-endian, where P is a point with x coordinate `x`
   * (either of the two: the result is the same). Throws a `RangeError` when
   * `x` is not the x coordinate of a curve point.
   */
  sharedX(x: Uint8Array): Uint8Array;
}

/** secp256k1 key pairs and x-only ECDH. */
export interface Secp256k1 {
  /** Which implementation this is ("node:crypto", "noble"), for benches and logs. */
  readonly name: string;
  /**
   * The key pair of secret key `k` (32 bytes big-endian, 1 ≤ k < n; the
   * caller draws it). Throws a `RangeError` for a k out of that range.
   */
  keyPair(secretKey: Uint8Array): Secp256k1KeyPair;
}
