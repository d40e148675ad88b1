/**
 * The WebAssembly SipHash-2-4 against the reference vector of its input size
 * (32 bytes), Core's uint256 example, and the TypeScript implementation on
 * thousands of inputs across its chunk boundary, for every result size.
 */
import { describe, expect, test } from "bun:test";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { sipHash24Into, sipKey } from "../../src/wire/siphash.ts";
import { sipHash32Many } from "../../src/wire/siphash_wasm.ts";
import { SIPHASH } from "./bip152_vectors.ts";

describe("sipHash32Many", () => {
  const key = sipKey(fromHex(SIPHASH.vectors[0].key_hex));

  test("WebAssembly is available on this runtime (else the fallback would be all that runs)", () => {
    expect(sipHash32Many(key, new Uint8Array(32), new Uint8Array(8), 8)).toBe(true);
  });

  test("the 32-byte reference vector and Core's uint256 example", () => {
    const v = SIPHASH.vectors[32];
    const out = new Uint8Array(8);
    sipHash32Many(key, fromHex(v.message_hex), out, 8);
    expect(toHex(out)).toBe(v.hash_le_bytes_hex);
    sipHash32Many(key, fromHex(SIPHASH.uint256_example.bytes_hashed_hex), out, 8);
    expect(toHex(out.slice().reverse())).toBe(SIPHASH.uint256_example.hash_u64_hex);
  });

  test("equals the TypeScript hash on 5,000 inputs (3 chunks), every size 1–8", () => {
    const n = 5_000;
    const inputs = new Uint8Array(32 * n).map((_, i) => Math.imul(i, 0x9e3779b1) >>> 24);
    const other = sipKey(new Uint8Array(16).map((_, i) => 0xf0 ^ i));
    for (let size = 1; size <= 8; size++) {
      const out = new Uint8Array(n * size + 3).fill(0xaa);
      expect(sipHash32Many(other, inputs, out, size)).toBe(true);
      const want = new Uint8Array(n * size + 3).fill(0xaa);
      for (let i = 0; i < n; i++) {
        sipHash24Into(other, inputs, 32 * i, 32 * i + 32, want, i * size, size);
      }
      expect({ size, out: toHex(out) }).toEqual({ size, out: toHex(want) });
    }
  });

  test("reads inputs from a view at any offset", () => {
    const v = SIPHASH.vectors[32];
    const padded = new Uint8Array(37);
    padded.set(fromHex(v.message_hex), 5);
    const out = new Uint8Array(8);
    sipHash32Many(key, padded.subarray(5), out, 8);
    expect(toHex(out)).toBe(v.hash_le_bytes_hex);
  });

  test("no input writes nothing; a partial input, a bad size or a short output is refused", () => {
    const out = new Uint8Array(4).fill(1);
    expect(sipHash32Many(key, new Uint8Array(0), out, 6)).toBe(true);
    expect([...out]).toEqual([1, 1, 1, 1]);
    expect(() => sipHash32Many(key, new Uint8Array(31), new Uint8Array(8), 8)).toThrow(RangeError);
    expect(() => sipHash32Many(key, new Uint8Array(32), new Uint8Array(9), 9)).toThrow(RangeError);
    expect(() => sipHash32Many(key, new Uint8Array(32), new Uint8Array(8), 0)).toThrow(RangeError);
    expect(() => sipHash32Many(key, new Uint8Array(64), new Uint8Array(11), 6)).toThrow(RangeError);
  });
});
