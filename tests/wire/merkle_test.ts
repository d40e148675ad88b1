/** Merkle roots: the pairing rule, odd levels, and CVE-2012-2459 mutation detection. */
import { describe, expect, test } from "bun:test";
import { toHex } from "../../src/wire/bytes.ts";
import { sha256d } from "../../src/wire/hash.ts";
import { merkleRoot } from "../../src/wire/merkle.ts";
import { concat } from "../support/bytes.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";

/** A distinct 32-byte leaf per label. */
function leaf(label: string): Uint8Array {
  return sha256(new TextEncoder().encode(label));
}

function node(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256d(sha256, concat([left, right]));
}

const [a, b, c, d, e, f] = ["a", "b", "c", "d", "e", "f"].map(leaf);

describe("merkleRoot", () => {
  test("an empty list has the zero root", () => {
    expect(merkleRoot(sha256, new Uint8Array(0))).toEqual({
      root: new Uint8Array(32),
      mutated: false,
    });
  });

  test("one hash is its own root", () => {
    const { root, mutated } = merkleRoot(sha256, a);
    expect(toHex(root)).toBe(toHex(a));
    expect(mutated).toBe(false);
  });

  test("two hashes: sha256d(left || right)", () => {
    expect(toHex(merkleRoot(sha256, concat([a, b])).root)).toBe(toHex(node(a, b)));
  });

  test("an odd level pairs its last hash with itself", () => {
    const { root, mutated } = merkleRoot(sha256, concat([a, b, c]));
    expect(toHex(root)).toBe(toHex(node(node(a, b), node(c, c))));
    expect(mutated).toBe(false);
  });

  test("six leaves: levels of 6, 3 and 2", () => {
    const expected = node(node(node(a, b), node(c, d)), node(node(e, f), node(e, f)));
    expect(toHex(merkleRoot(sha256, concat([a, b, c, d, e, f])).root)).toBe(toHex(expected));
  });

  test("repeating the last leaf of an odd list keeps the root and is reported", () => {
    const original = merkleRoot(sha256, concat([a, b, c]));
    const mutated = merkleRoot(sha256, concat([a, b, c, c]));
    expect(toHex(mutated.root)).toBe(toHex(original.root));
    expect(mutated.mutated).toBe(true);
  });

  test("repeating the last two leaves (a duplicate one level up) is reported", () => {
    const original = merkleRoot(sha256, concat([a, b, c, d, e, f]));
    const mutated = merkleRoot(sha256, concat([a, b, c, d, e, f, e, f]));
    expect(toHex(mutated.root)).toBe(toHex(original.root));
    expect(original.mutated).toBe(false);
    expect(mutated.mutated).toBe(true);
  });

  test("equal neighbours anywhere in a level are reported", () => {
    expect(merkleRoot(sha256, concat([a, a])).mutated).toBe(true);
    expect(merkleRoot(sha256, concat([a, b, b, c])).mutated).toBe(false); // b, b are not a pair
    expect(merkleRoot(sha256, concat([b, b, c, d])).mutated).toBe(true);
  });

  test("the input is left untouched and count limits the leaves read", () => {
    const hashes = concat([a, b, c, d]);
    const before = toHex(hashes);
    expect(toHex(merkleRoot(sha256, hashes, 2).root)).toBe(toHex(node(a, b)));
    merkleRoot(sha256, hashes);
    expect(toHex(hashes)).toBe(before);
  });

  test("a count beyond the buffer is a RangeError", () => {
    expect(() => merkleRoot(sha256, concat([a, b]), 3)).toThrow(RangeError);
  });
});
