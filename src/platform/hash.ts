/**
 * The hashing port: SHA-256 as each adapter does it fastest (the runtime's
 * native hasher, with a small-input TypeScript path where per-call overhead
 * dominates: see adapters/shared/hybrid_sha256.ts for the measurements).
 *
 * Bitcoin hashes almost everything twice (txids, merkle nodes, block hashes,
 * frame checksums), so an adapter may also attach a double-SHA-256 to its
 * hasher: done in one go it needs no intermediate digest, and the `Into`
 * form no result array. Core code reaches them only through `sha256d` and
 * `sha256dInto` (src/wire/hash.ts), which fall back to two plain calls for a
 * hasher without them (a test's `createHash` wrapper, say), so a plain
 * function still is a complete `Sha256`. An adapter attaches both or neither.
 */

/**
 * SHA-256 of `data`: a new 32-byte Uint8Array each call, which the caller may
 * keep. It may be a view into a larger buffer shared with other results
 * (Deno's small-input path): read it through `byteOffset`, never transfer or
 * detach its `.buffer`. Synchronous: it sits in the hot path.
 */
export interface Sha256 {
  (data: Uint8Array): Uint8Array;
  /** Optional: SHA-256(SHA-256(`data`)), returned like the plain call's result. */
  readonly double?: (data: Uint8Array) => Uint8Array;
  /** Optional: writes SHA-256(SHA-256(`data`)) to `out` (see `Sha256dInto`). */
  readonly doubleInto?: Sha256dInto;
}

/**
 * Writes SHA-256(SHA-256(`data`)) to `out[at, at + 32)` and nothing else.
 * `out` may overlap `data`: all of `data` is read before `out` is written
 * (a merkle level is hashed in place).
 */
export type Sha256dInto = (data: Uint8Array, out: Uint8Array, at: number) => void;
