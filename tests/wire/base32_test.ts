/** RFC 4648 base32 (unpadded, lowercase out, either case in). */
import { describe, expect, test } from "bun:test";
import { decodeBase32, encodeBase32 } from "../../src/wire/base32.ts";
import { toHex } from "../../src/wire/bytes.ts";

const RFC4648: [string, string][] = [
  ["", ""],
  ["f", "my"],
  ["fo", "mzxq"],
  ["foo", "mzxw6"],
  ["foob", "mzxw6yq"],
  ["fooba", "mzxw6ytb"],
  ["foobar", "mzxw6ytboi"],
];

describe("base32", () => {
  test("RFC 4648 test vectors (padding removed) both ways", () => {
    for (const [plain, b32] of RFC4648) {
      const bytes = new TextEncoder().encode(plain);
      expect({ plain, enc: encodeBase32(bytes) }).toEqual({ plain, enc: b32 });
      const dec = decodeBase32(b32.toUpperCase());
      expect({ b32, dec: dec && new TextDecoder().decode(dec) }).toEqual({ b32, dec: plain });
    }
  });

  test("every length 0..40 of every byte pattern round-trips", () => {
    for (let n = 0; n <= 40; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 97 + n * 13 + 255) & 0xff);
      const back = decodeBase32(encodeBase32(bytes));
      expect({ n, back: back && toHex(back) }).toEqual({ n, back: toHex(bytes) });
    }
  });

  test("padding, foreign characters and non-canonical tails are refused", () => {
    const bads = [
      "my======",
      "m",
      "a",
      "aaa",
      "aaaaaa",
      "mzx",
      "mz",
      "m1",
      "my!",
      "mza",
      "\u212Ay",
    ];
    for (const bad of bads) {
      expect({ bad, dec: decodeBase32(bad) }).toEqual({ bad, dec: null });
    }
  });
});
