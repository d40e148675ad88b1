/** The hashing port: the runtime's native SHA-256. */

/**
 * SHA-256 of `data`: a new plain 32-byte Uint8Array each call. Synchronous:
 * it sits in the hot path.
 */
export type Sha256 = (data: Uint8Array) => Uint8Array;
