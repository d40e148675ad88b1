/** Compact targets, work, and proof of work: Core's vectors and the real headers. */
import { describe, expect, test } from "bun:test";
import { bitsToTarget, decodeCompact, encodeCompact, work } from "../../src/sync/compact_target.ts";
import { checkProofOfWork, hashToBigInt, type PowProblem, powProblem } from "../../src/sync/pow.ts";
import { hexToHash } from "../../src/wire/bytes.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { hashOf, mainnetHeaders, vectorJson } from "./helpers.ts";

interface CompactVector {
  compact?: string;
  value_be_hex?: string | null;
  from_value_be_hex?: string;
  negative?: boolean;
  overflow?: boolean;
  get_compact: string | null;
  get_compact_called_with_negative?: boolean;
}
interface PowVector {
  name: string;
  nbits: string;
  expected: boolean;
  hash_be_hex: string;
}
const vectors = vectorJson<{ compact: CompactVector[]; check_proof_of_work: PowVector[] }>(
  "pow-vectors.json",
);

describe("compact encoding", () => {
  test("every SetCompact vector decodes to its value and flags", () => {
    let checked = 0;
    for (const v of vectors.compact) {
      if (v.compact === undefined) continue;
      const decoded = decodeCompact(Number(v.compact));
      expect({ compact: v.compact, negative: decoded.negative, overflow: decoded.overflow })
        .toEqual({ compact: v.compact, negative: v.negative, overflow: v.overflow });
      if (v.value_be_hex) expect(decoded.target).toBe(BigInt("0x" + v.value_be_hex));
      checked++;
    }
    expect(checked).toBe(20);
  });

  test("every GetCompact vector re-encodes, with the sign where Core passed it", () => {
    let checked = 0;
    for (const v of vectors.compact) {
      if (v.get_compact === null) continue;
      const value = v.from_value_be_hex ?? v.value_be_hex;
      const target = BigInt("0x" + value);
      const bits = encodeCompact(target, v.get_compact_called_with_negative ?? false);
      expect("0x" + bits.toString(16).padStart(8, "0")).toBe(v.get_compact);
      checked++;
    }
    expect(checked).toBe(20);
  });

  test("a positive value never gets the sign bit: 0x80 encodes as 0x02008000", () => {
    expect(encodeCompact(0x80n)).toBe(0x02008000);
    expect(decodeCompact(0x02008000).target).toBe(0x80n);
  });

  test("each network's powLimit encodes to its powLimitBits", () => {
    for (const params of Object.values(NETWORKS)) {
      expect(encodeCompact(params.powLimit)).toBe(params.powLimitBits);
    }
  });

  test("targets out of range cannot be encoded", () => {
    expect(() => encodeCompact(-1n)).toThrow(RangeError);
    expect(() => encodeCompact(1n << 256n)).toThrow(RangeError);
  });

  test("bitsToTarget refuses negative, overflowing and zero targets", () => {
    expect(bitsToTarget(0x1d80ffff)).toBeNull();
    expect(bitsToTarget(0xff123456)).toBeNull();
    expect(bitsToTarget(0)).toBeNull();
    expect(bitsToTarget(0x1d00ffff)).toBe(0xffffn << 208n);
  });
});

describe("work", () => {
  test("difficulty 1 is 0x100010001 hashes; 256 of them make 0x10001000100", () => {
    expect(work(0x1d00ffff)).toBe(0x100010001n);
    expect(work(0x1d00ffff) * 256n).toBe(0x10001000100n);
  });

  test("an unusable target has no work", () => {
    expect(work(0x1d80ffff)).toBe(0n);
    expect(work(0)).toBe(0n);
    expect(work(0xff123456)).toBe(0n);
  });

  test("regtest's limit is worth 2 hashes", () => {
    expect(work(0x207fffff)).toBe(2n);
  });
});

describe("proof of work", () => {
  const expectedProblem: Record<string, PowProblem> = {
    CheckProofOfWork_test_negative_target: "negative-target",
    CheckProofOfWork_test_overflow_target: "overflow-target",
    CheckProofOfWork_test_too_easy_target: "target-above-limit",
    CheckProofOfWork_test_biger_hash_than_target: "hash-above-target",
    CheckProofOfWork_test_zero_target: "zero-target",
  };

  test("the five rejection vectors are rejected, each for its reason", () => {
    expect(vectors.check_proof_of_work.length).toBe(5);
    for (const v of vectors.check_proof_of_work) {
      const hash = hexToHash(v.hash_be_hex);
      const bits = Number(v.nbits);
      expect(checkProofOfWork(hash, bits, NETWORKS.main.powLimit)).toBe(v.expected);
      expect({ name: v.name, problem: powProblem(hash, bits, NETWORKS.main.powLimit) })
        .toEqual({ name: v.name, problem: expectedProblem[v.name] });
    }
  });

  test("every real mainnet header 0–255 meets its nBits", () => {
    for (const raw of mainnetHeaders()) {
      const bits = new DataView(raw.buffer, raw.byteOffset).getUint32(72, true);
      expect(powProblem(hashOf(raw), bits, NETWORKS.main.powLimit)).toBeNull();
    }
  });

  test("a hash equal to the target passes and one above fails", () => {
    const target = 0xffffn << 208n;
    const at = hexToHash(target.toString(16).padStart(64, "0"));
    expect(hashToBigInt(at)).toBe(target);
    expect(checkProofOfWork(at, 0x1d00ffff, NETWORKS.main.powLimit)).toBe(true);
    const above = hexToHash((target + 1n).toString(16).padStart(64, "0"));
    expect(powProblem(above, 0x1d00ffff, NETWORKS.main.powLimit)).toBe("hash-above-target");
  });
});
