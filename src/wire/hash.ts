/**
 * Bitcoin's double SHA-256 over the injected SHA-256: the hasher's own
 * double-hash and batch entry points when the adapter provides them (see
 * src/platform/hash.ts), plain calls otherwise.
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

/**
 * Writes SHA-256d of each 64-byte input `data[64i, 64i + 64)` to
 * `out[32i, 32i + 32)` for i < `count` (see `Sha256Batch.double64`); `out`
 * may be `data` itself.
 */
export function sha256d64Into(
  sha256: Sha256,
  data: Uint8Array,
  out: Uint8Array,
  count: number,
): void {
  if (sha256.batch !== undefined) {
    sha256.batch.double64(data, out, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    sha256dInto(sha256, data.subarray(64 * i, 64 * i + 64), out, 32 * i);
  }
}

/** Longest range `sha256dRanges` gathers byte by byte rather than through a view. */
const SHORT_RANGE = 16;

/**
 * Writes SHA-256d of each message given as up to three byte ranges of
 * `source` to `out[32i, 32i + 32)` (see `Sha256Batch.doubleRanges` for the
 * layout of `ranges`). Without a batch, a message of several ranges is
 * gathered into one scratch buffer reused for all of them.
 */
export function sha256dRanges(
  sha256: Sha256,
  source: Uint8Array,
  ranges: Uint32Array,
  count: number,
  out: Uint8Array,
): void {
  if (sha256.batch !== undefined) {
    sha256.batch.doubleRanges(source, ranges, count, out);
    return;
  }
  let scratch = new Uint8Array(0);
  for (let i = 0, r = 0; i < count; i++, r += 6) {
    if (ranges[r + 2] === ranges[r + 3] && ranges[r + 4] === ranges[r + 5]) {
      sha256dInto(sha256, source.subarray(ranges[r], ranges[r + 1]), out, 32 * i);
      continue;
    }
    let length = 0;
    for (let k = r; k < r + 6; k += 2) length += ranges[k + 1] - ranges[k];
    if (scratch.length < length) scratch = new Uint8Array(Math.max(length, 2 * scratch.length));
    let at = 0;
    for (let k = r; k < r + 6; k += 2) {
      const from = ranges[k], to = ranges[k + 1];
      // Short ranges (a version, a lock time) byte by byte: no view to allocate.
      if (to - from <= SHORT_RANGE) { for (let b = from; b < to; b++) scratch[at++] = source[b]; }
      else {
        scratch.set(source.subarray(from, to), at);
        at += to - from;
      }
    }
    sha256dInto(sha256, scratch.subarray(0, length), out, 32 * i);
  }
}
