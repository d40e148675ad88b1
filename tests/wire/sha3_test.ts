/** SHA3-256 against FIPS 202 values and node:crypto across block boundaries. */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { sha3_256 } from "../../src/wire/sha3.ts";
import { toHex } from "../../src/wire/bytes.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("sha3_256", () => {
  test("standard test values", () => {
    expect(toHex(sha3_256(new Uint8Array(0)))).toBe(
      "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
    );
    expect(toHex(sha3_256(text("abc")))).toBe(
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    );
    expect(
      toHex(sha3_256(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
    ).toBe("41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376");
  });

  test("matches node:crypto for every length around the 136-byte rate", () => {
    const lengths = [1, 2, 31, 32, 33, 134, 135, 136, 137, 271, 272, 273, 1000];
    for (const n of lengths) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
      const want = createHash("sha3-256").update(data).digest("hex");
      expect({ n, got: toHex(sha3_256(data)) }).toEqual({ n, got: want });
    }
  });

  test("does not modify its input", () => {
    const data = text("keep me");
    sha3_256(data);
    expect(new TextDecoder().decode(data)).toBe("keep me");
  });
});
