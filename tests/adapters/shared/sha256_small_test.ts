/** The TypeScript SHA-256 and the Node/Deno hybrid against NIST vectors and node:crypto. */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { createHash } from "node:crypto";
import {
  DENO_SMALL_SHA256_MAX,
  DENO_SMALL_SHA256D_MAX,
  denoSha256,
  NODE_SMALL_SHA256_MAX,
  NODE_SMALL_SHA256D_MAX,
  nodeSha256,
  slabSmallSha256,
} from "../../../adapters/shared/hybrid_sha256.ts";
import {
  sha256OfDigestInto,
  smallSha256,
  smallSha256dInto,
  smallSha256Into,
} from "../../../adapters/shared/sha256_small.ts";
import type { Sha256 } from "../../../src/platform/hash.ts";

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function reference(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256(SHA-256(data)) by node:crypto, hex. */
function reference2(data: Uint8Array): string {
  return createHash("sha256").update(createHash("sha256").update(data).digest()).digest("hex");
}

/** The double hash written into fresh zeroed space at offset 7, checked untouched around it. */
function intoAt7(into: (data: Uint8Array, out: Uint8Array, at: number) => void, data: Uint8Array) {
  const out = new Uint8Array(7 + 32 + 5);
  into(data, out, 7);
  expect(out.subarray(0, 7).every((b) => b === 0) && out.subarray(39).every((b) => b === 0))
    .toBe(true);
  return hex(out.subarray(7, 39));
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/** Every length within 3 bytes of each threshold and of the padding edges around it. */
function lengthsAround(threshold: number): number[] {
  const lengths: number[] = [];
  for (let n = threshold - 3; n <= threshold + 3; n++) lengths.push(n);
  const blockEnd = threshold + 9 - ((threshold + 9) % 64); // first length needing one more block
  for (let n = blockEnd - 2; n <= blockEnd + 66; n += 4) lengths.push(n);
  return lengths;
}

const text = new TextEncoder();

describe("smallSha256", () => {
  test("matches the FIPS 180-4 example vectors", () => {
    const vectors: [string, string][] = [
      ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
      ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
      [
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      ],
      [
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn" +
        "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
      ],
    ];
    for (const [message, digest] of vectors) {
      expect(hex(smallSha256(text.encode(message)))).toBe(digest);
    }
  });

  test("matches node:crypto on every length from 0 to 300 bytes", () => {
    for (let n = 0; n <= 300; n++) {
      const data = bytes(n, 0x5eed + n);
      expect(`${n}: ${hex(smallSha256(data))}`).toBe(`${n}: ${reference(data)}`);
    }
  });

  test("matches node:crypto on long inputs, all bytes 0xff, and a subarray view", () => {
    for (const n of [1000, 4096, 65_537]) {
      const data = bytes(n, n);
      expect(hex(smallSha256(data))).toBe(reference(data));
    }
    const ones = new Uint8Array(119).fill(0xff);
    expect(hex(smallSha256(ones))).toBe(reference(ones));
    const view = bytes(300, 7).subarray(13, 213);
    expect(hex(smallSha256(view))).toBe(reference(view));
  });

  test("returns a fresh 32-byte array each call", () => {
    const data = bytes(64, 1);
    const first = smallSha256(data);
    const second = smallSha256(data);
    expect(first.length).toBe(32);
    expect(first).not.toBe(second);
    first.fill(0);
    expect(hex(second)).toBe(reference(data));
  });
});

describe("smallSha256Into", () => {
  test("writes the digest at the offset and nothing around it", () => {
    const data = bytes(80, 2);
    const out = new Uint8Array(96).fill(0xaa);
    smallSha256Into(data, out, 40);
    expect(hex(out.subarray(40, 72))).toBe(reference(data));
    expect(out.subarray(0, 40).every((b) => b === 0xaa)).toBe(true);
    expect(out.subarray(72).every((b) => b === 0xaa)).toBe(true);
  });
});

describe("smallSha256dInto", () => {
  test("matches node:crypto twice on every length from 0 to 300 bytes, at an offset", () => {
    for (let n = 0; n <= 300; n++) {
      const data = bytes(n, 0xd0 + n);
      expect(`${n}: ${intoAt7(smallSha256dInto, data)}`).toBe(`${n}: ${reference2(data)}`);
    }
  });

  test("matches node:crypto twice on long inputs and on 64 bytes of 0xff", () => {
    for (const n of [1000, 4096, 65_537]) {
      const data = bytes(n, n);
      expect(intoAt7(smallSha256dInto, data)).toBe(reference2(data));
    }
    const ones = new Uint8Array(64).fill(0xff);
    expect(intoAt7(smallSha256dInto, ones)).toBe(reference2(ones));
  });

  test("may write over its input: a merkle pair hashed in place, at 0 and overlapping its end", () => {
    for (const at of [0, 16, 32, 40]) {
      const work = bytes(96, at);
      const expected = reference2(work.slice(0, 64));
      smallSha256dInto(work.subarray(0, 64), work, at);
      expect(`${at}: ${hex(work.subarray(at, at + 32))}`).toBe(`${at}: ${expected}`);
    }
  });
});

describe("sha256OfDigestInto", () => {
  test("is SHA-256 of a 32-byte input, at an offset and in place", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const digest = bytes(32, seed);
      expect(intoAt7(sha256OfDigestInto, digest)).toBe(reference(digest));
    }
    const buffer = bytes(40, 99);
    const expected = reference(buffer.slice(4, 36));
    sha256OfDigestInto(buffer.subarray(4, 36), buffer, 0);
    expect(hex(buffer.subarray(0, 32))).toBe(expected);
  });
});

describe("slabSmallSha256", () => {
  test("results stay correct and separate across several slabs", () => {
    const inputs = Array.from({ length: 200 }, (_, i) => bytes(32 + (i % 50), 1000 + i));
    const results = inputs.map((data) => slabSmallSha256(data));
    results[0].fill(0); // scribbling on one result leaves its neighbours alone
    for (let i = 1; i < inputs.length; i++) {
      expect(results[i].length).toBe(32);
      expect(`${i}: ${hex(results[i])}`).toBe(`${i}: ${reference(inputs[i])}`);
    }
  });
});

describe("the Node and Deno hybrids and platform.sha256", () => {
  const cases: [string, Sha256, number[]][] = [
    ["nodeSha256", nodeSha256, lengthsAround(NODE_SMALL_SHA256_MAX)],
    ["denoSha256", denoSha256, lengthsAround(DENO_SMALL_SHA256_MAX)],
    [
      "platform.sha256",
      platform.sha256,
      [...lengthsAround(NODE_SMALL_SHA256_MAX), ...lengthsAround(DENO_SMALL_SHA256_MAX)],
    ],
  ];
  for (const [name, sha256, lengths] of cases) {
    test(`${name} matches node:crypto on both sides of its threshold`, () => {
      for (const n of [0, 1, 32, 55, 56, 64, 80, ...lengths, 1000, 100_000]) {
        const data = bytes(n, 0xbeef + n);
        expect(`${n}: ${hex(sha256(data))}`).toBe(`${n}: ${reference(data)}`);
      }
    });
  }
});

describe("the double hash of the Node and Deno hybrids and of platform.sha256", () => {
  const cases: [string, Sha256, number[]][] = [
    ["nodeSha256", nodeSha256, lengthsAround(NODE_SMALL_SHA256D_MAX)],
    ["denoSha256", denoSha256, lengthsAround(DENO_SMALL_SHA256D_MAX)],
    [
      "platform.sha256",
      platform.sha256,
      [...lengthsAround(NODE_SMALL_SHA256D_MAX), ...lengthsAround(DENO_SMALL_SHA256D_MAX)],
    ],
  ];
  for (const [name, sha256, lengths] of cases) {
    const { double, doubleInto } = sha256;
    test(`${name}: double and doubleInto match node:crypto twice, 0-300 bytes and around its threshold`, () => {
      if (double === undefined || doubleInto === undefined) {
        throw new Error(`${name} has no double`);
      }
      const upTo300 = Array.from({ length: 301 }, (_, n) => n);
      for (const n of [...upTo300, ...lengths, 1000, 100_000, 1_000_000]) {
        const data = bytes(n, 0xfeed + n);
        const want = `${n}: ${reference2(data)}`;
        expect(`${n}: ${hex(double(data))}`).toBe(want);
        expect(`${n}: ${intoAt7(doubleInto, data)}`).toBe(want);
      }
    });

    test(`${name}: doubleInto hashes a merkle pair in place; double's results stay apart`, () => {
      if (double === undefined || doubleInto === undefined) {
        throw new Error(`${name} has no double`);
      }
      const work = bytes(64, 5);
      const expected = reference2(work.slice());
      doubleInto(work.subarray(0, 64), work, 0);
      expect(hex(work.subarray(0, 32))).toBe(expected);
      // Enough results to cross result slabs: each stays the double hash of its input.
      const inputs = Array.from({ length: 200 }, (_, i) => bytes(40 + i, i));
      const results = inputs.map((data) => double(data));
      results[0].fill(0);
      for (let i = 1; i < inputs.length; i++) {
        expect(`${i}: ${hex(results[i])}`).toBe(`${i}: ${reference2(inputs[i])}`);
      }
    });
  }
});
