/**
 * Double SHA-256: `sha256d` / `sha256dInto` over a plain hasher and over one
 * with its own double-hash entry points, and the platform hasher's entry
 * points against two plain calls on real blocks.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { createHash } from "node:crypto";
import type { Sha256 } from "../../src/platform/hash.ts";
import { blockTxids, blockWtxids, checkMerkleRoot, decodeBlock } from "../../src/wire/block.ts";
import { checkBlockBody } from "../../src/wire/block_check.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { sha256d, sha256dInto } from "../../src/wire/hash.ts";
import { merkleRoot } from "../../src/wire/merkle.ts";
import { checkWitnessCommitment } from "../../src/wire/witness.ts";
import { nodeSha256, vectorBytes } from "../support/vectors.ts";

function reference(data: Uint8Array): string {
  const once = createHash("sha256").update(data).digest();
  return createHash("sha256").update(once).digest("hex");
}

/** Deterministic pseudo-random bytes. */
function bytes(length: number, seed: number): Uint8Array {
  return new Uint8Array(length).map((_, i) => ((i + 1) * 2654435761 + seed * 40503) >>> 24);
}

/** A hasher whose double-hash entry points mark their results (so their use shows). */
const marked: Sha256 = Object.assign((d: Uint8Array) => nodeSha256(d), {
  double: () => new Uint8Array(32).fill(0xd1),
  doubleInto: (_d: Uint8Array, out: Uint8Array, at: number) => out.fill(0xd2, at, at + 32),
});

describe("sha256d and sha256dInto", () => {
  test("over a plain hasher: two calls, equal to node:crypto twice", () => {
    let calls = 0;
    const counted: Sha256 = (d) => {
      calls++;
      return nodeSha256(d);
    };
    const data = bytes(100, 1);
    expect(toHex(sha256d(counted, data))).toBe(reference(data));
    expect(calls).toBe(2);
  });

  test("over a plain hasher, Into writes at the offset and nothing around it", () => {
    const data = bytes(80, 2);
    const out = new Uint8Array(100).fill(0xaa);
    sha256dInto(nodeSha256, data, out, 50);
    expect(toHex(out.subarray(50, 82))).toBe(reference(data));
    expect(out.subarray(0, 50).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(82).every((b) => b === 0xaa)).toBe(true);
  });

  test("over a plain hasher, Into may write over its own input (a merkle level)", () => {
    const work = bytes(64, 3);
    const expected = reference(work.slice());
    sha256dInto(nodeSha256, work.subarray(0, 64), work, 16);
    expect(toHex(work.subarray(16, 48))).toBe(expected);
  });

  test("a hasher's own double and doubleInto are used when present", () => {
    expect(sha256d(marked, bytes(10, 4)).every((b) => b === 0xd1)).toBe(true);
    const out = new Uint8Array(64);
    sha256dInto(marked, bytes(10, 4), out, 32);
    expect(out.subarray(32).every((b) => b === 0xd2)).toBe(true);
    expect(out.subarray(0, 32).every((b) => b === 0)).toBe(true);
  });
});

describe(`platform.sha256 (${platform.name}) double-hash entry points on real blocks`, () => {
  const sha256 = platform.sha256;

  test("the adapter provides double and doubleInto", () => {
    expect(typeof sha256.double).toBe("function");
    expect(typeof sha256.doubleInto).toBe("function");
  });

  for (const file of ["block-413567.raw", "block-540107.raw", "block-574200.raw"]) {
    test(`${file}: txids, wtxids, merkle roots and witness commitment agree with two plain calls`, () => {
      const block = decodeBlock(vectorBytes(file));
      const ids = blockTxids(sha256, block);
      expect(toHex(ids)).toBe(toHex(blockTxids(nodeSha256, block)));
      const wids = blockWtxids(sha256, block, ids);
      expect(toHex(wids)).toBe(toHex(blockWtxids(nodeSha256, block)));
      const merkle = checkMerkleRoot(sha256, block, ids);
      expect(merkle.matchesHeader && !merkle.mutated).toBe(true);
      expect(toHex(merkleRoot(sha256, wids).root)).toBe(toHex(merkleRoot(nodeSha256, wids).root));
      const commitment = checkWitnessCommitment(sha256, block, ids);
      expect(commitment.status).toBe(block.segwitTxCount > 0 ? "valid" : "none");
      expect(checkBlockBody(sha256, block).problem).toBe(null);
    });
  }
});
