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
 *
 * A block needs thousands of short double hashes (txids, wtxids, two merkle
 * trees), so an adapter may also attach a `batch` that does many per call:
 * the Node and Deno adapters hash four messages at once in WebAssembly SIMD
 * (adapters/shared/wasm_sha256.ts). Core code reaches it only through
 * `sha256dRanges` and `sha256d64Into` (src/wire/hash.ts), which loop over
 * the single-message calls for a hasher without one.
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
  /** Optional: many double hashes per call (see `Sha256Batch`). */
  readonly batch?: Sha256Batch;
}

/** Double SHA-256 of many messages per call. */
export interface Sha256Batch {
  /**
   * Writes SHA-256(SHA-256(`data[64i, 64i + 64)`)) to `out[32i, 32i + 32)`
   * for i < `count`: a merkle level. `out` may be `data` itself (the level is
   * hashed in place); it must not overlap it otherwise.
   */
  double64(data: Uint8Array, out: Uint8Array, count: number): void;
  /**
   * Writes SHA-256(SHA-256(message i)) to `out[32i, 32i + 32)` for i <
   * `count`, where message i is `source[r[0], r[1]) ++ source[r[2], r[3]) ++
   * source[r[4], r[5])` for `r = ranges.subarray(6i, 6i + 6)` (ranges may be
   * empty: a transaction without its witness is three ranges, with it one).
   * `out` must not overlap `source`.
   */
  doubleRanges(source: Uint8Array, ranges: Uint32Array, count: number, out: Uint8Array): void;
}

/**
 * Writes SHA-256(SHA-256(`data`)) to `out[at, at + 32)` and nothing else.
 * `out` may overlap `data`: all of `data` is read before `out` is written
 * (a merkle level is hashed in place).
 */
export type Sha256dInto = (data: Uint8Array, out: Uint8Array, at: number) => void;
