/**
 * Bitcoin's merkle root over 32-byte hashes, with CVE-2012-2459 detection.
 *
 * Each level pairs neighbours and hashes `sha256d(left || right)`; a level of
 * odd length pairs its last hash with itself. Because of that duplication, a
 * block whose transaction list repeats its tail (e.g. the last transaction
 * twice) has the same root as the original: such a list is reported as
 * `mutated` (two equal neighbours in some level), so a peer cannot get a valid
 * block marked invalid by sending a mutated copy of it.
 */
import type { Sha256 } from "../platform/hash.ts";
import { sha256d64Into } from "./hash.ts";

/** A computed merkle root and whether the leaf list was mutated. */
export interface MerkleResult {
  /** The root, wire order (32 zero bytes for an empty list). */
  root: Uint8Array;
  /** True when two equal hashes were paired at some level (CVE-2012-2459). */
  mutated: boolean;
}

function equalPair(work: Uint8Array, at: number): boolean {
  for (let i = 0; i < 32; i++) if (work[at + i] !== work[at + 32 + i]) return false;
  return true;
}

/**
 * The merkle root of `count` hashes stored back to back in `hashes` (32 bytes
 * each, wire order). `hashes` is not modified.
 */
export function merkleRoot(
  sha256: Sha256,
  hashes: Uint8Array,
  count: number = hashes.length >>> 5,
): MerkleResult {
  if (count * 32 > hashes.length) {
    throw new RangeError(
      `merkleRoot: ${count} hashes need ${count * 32} bytes, got ${hashes.length}`,
    );
  }
  if (count === 0) return { root: new Uint8Array(32), mutated: false };
  if (count === 1) return { root: hashes.slice(0, 32), mutated: false };
  // One spare slot for the duplicated last hash of an odd level; each level
  // is hashed in place, in one batch.
  const work = new Uint8Array((count + 1) * 32);
  work.set(hashes.subarray(0, count * 32));
  let mutated = false;
  let n = count;
  while (n > 1) {
    for (let at = 0; !mutated && at + 64 <= n * 32; at += 64) {
      if (equalPair(work, at)) mutated = true;
    }
    if ((n & 1) === 1) {
      work.copyWithin(n * 32, (n - 1) * 32, n * 32);
      n++;
    }
    const half = n >>> 1;
    sha256d64Into(sha256, work, work, half);
    n = half;
  }
  return { root: work.slice(0, 32), mutated };
}
