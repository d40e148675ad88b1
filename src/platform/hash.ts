/**
 * The hashing port: SHA-256 as each adapter does it fastest (the runtime's
 * native hasher, with a small-input TypeScript path where per-call overhead
 * dominates: see adapters/shared/hybrid_sha256.ts for the measurements).
 */

/**
 * SHA-256 of `data`: a new 32-byte Uint8Array each call, which the caller may
 * keep. It may be a view into a larger buffer shared with other results
 * (Deno's small-input path): read it through `byteOffset`, never transfer or
 * detach its `.buffer`. Synchronous: it sits in the hot path.
 */
export type Sha256 = (data: Uint8Array) => Uint8Array;
