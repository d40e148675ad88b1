/** SipHash-2-4 against the reference vectors (every length 0–63) and Core's uint256 example. */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { SIP_HASH_SIZE, sipHash24Into, sipKey } from "../../src/wire/siphash.ts";
import { SIPHASH } from "./bip152_vectors.ts";

/** The 8 result bytes of SipHash-2-4 of `data` under the 16 key bytes. */
function sipHash(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIP_HASH_SIZE);
  sipHash24Into(sipKey(key), data, 0, data.length, out, 0);
  return out;
}

/** The u64 written as digits (big-endian hex) of little-endian result bytes. */
function u64Hex(le: Uint8Array): string {
  return toHex(le.slice().reverse());
}

describe("sipHash24Into", () => {
  test("the 64 reference vectors, as bytes and as u64", () => {
    expect(SIPHASH.vectors.length).toBe(64);
    for (const [i, v] of SIPHASH.vectors.entries()) {
      const out = sipHash(fromHex(v.key_hex), fromHex(v.message_hex));
      expect({ i, hash: toHex(out) }).toEqual({ i, hash: v.hash_le_bytes_hex });
      expect(u64Hex(out)).toBe(v.hash_u64_hex);
    }
  });

  test("Core's uint256 example hashes the memory (wire) order bytes", () => {
    const key = fromHex(SIPHASH.vectors[0].key_hex);
    const out = sipHash(key, fromHex(SIPHASH.uint256_example.bytes_hashed_hex));
    expect(u64Hex(out)).toBe(SIPHASH.uint256_example.hash_u64_hex);
  });

  test("hashes only [start, end) and writes only [at, at + size)", () => {
    const key = fromHex(SIPHASH.vectors[0].key_hex);
    for (const [n, v] of SIPHASH.vectors.entries()) {
      const data = new Uint8Array(n + 10).fill(0xee);
      data.set(fromHex(v.message_hex), 3);
      for (const size of [1, 6, 8]) {
        const out = new Uint8Array(20).fill(0xaa);
        sipHash24Into(sipKey(key), data, 3, 3 + n, out, 5, size);
        expect(toHex(out.subarray(5, 5 + size))).toBe(v.hash_le_bytes_hex.slice(0, 2 * size));
        expect(out.subarray(0, 5).every((b) => b === 0xaa)).toBe(true);
        expect(out.subarray(5 + size).every((b) => b === 0xaa)).toBe(true);
      }
    }
  });

  test("the key is bytes 0–15 of a longer array (a SHA-256 digest)", () => {
    const digest = new Uint8Array(32).map((_, i) => i);
    expect(sipKey(digest)).toEqual(sipKey(digest.subarray(0, 16)));
    expect(() => sipKey(new Uint8Array(15))).toThrow(RangeError);
  });

  test("a range outside the data or a size outside 1..8 is refused", () => {
    const key = sipKey(new Uint8Array(16));
    const data = new Uint8Array(8);
    const out = new Uint8Array(16);
    for (const [start, end, size] of [[0, 9, 8], [-1, 4, 8], [5, 4, 8], [0, 8, 0], [0, 8, 9]]) {
      expect(() => sipHash24Into(key, data, start, end, out, 0, size)).toThrow(RangeError);
    }
  });
});
