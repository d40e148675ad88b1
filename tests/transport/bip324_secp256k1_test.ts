/**
 * The secp256k1 port: every curve this runtime runs (TypeScript, WebAssembly,
 * node:crypto's) agrees on random keys, and each refuses bad input; the
 * adapter picks among the implementations tested here.
 */
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/platform/random.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { ALL_AEADS, ALL_CURVES, CHOSEN_AEAD, CHOSEN_CURVE, CURVE_SLOTS } from "./bip324_ports.ts";

const CURVES = ALL_CURVES;
/** The group order n. */
const N = fromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

describe("secp256k1 ports", () => {
  test("every curve gives the same public x and shared x on random keys, 32 bytes each", () => {
    const random = seededRandom(11);
    for (let i = 0; i < 20; i++) {
      const a = random.bytes(32);
      const b = random.bytes(32);
      a[0] &= 0x7f; // below n
      b[0] &= 0x7f;
      const results = CURVES.map((curve) => {
        const pa = curve.keyPair(a);
        const pb = curve.keyPair(b);
        const ab = pa.sharedX(pb.publicX);
        expect(toHex(ab)).toBe(toHex(pb.sharedX(pa.publicX)));
        expect([pa.publicX.length, ab.length]).toEqual([32, 32]);
        return `${toHex(pa.publicX)} ${toHex(ab)}`;
      });
      expect(new Set(results).size).toBe(1);
    }
  });

  test("an x starting with a 0 byte keeps its 32 bytes (k = 153 and 1·P)", () => {
    const k = Uint8Array.of(...new Uint8Array(31), 153);
    const x = "00e3ae1974566ca06cc516d47e0fb165a674a3dabcfca15e722f0e3450f45889";
    for (const curve of CURVES) {
      expect(toHex(curve.keyPair(k).publicX)).toBe(x);
      expect(toHex(curve.keyPair(Uint8Array.of(...new Uint8Array(31), 1)).sharedX(fromHex(x))))
        .toBe(x);
    }
  });

  for (const slot of CURVE_SLOTS) {
    test.skipIf(slot.curve === undefined)(
      `${slot.name}: a secret key of 0 or n, or an x off the curve, is a RangeError`,
      () => {
        const curve = slot.curve!;
        expect(() => curve.keyPair(new Uint8Array(32))).toThrow(RangeError);
        expect(() => curve.keyPair(N)).toThrow(RangeError);
        const pair = curve.keyPair(Uint8Array.of(...new Uint8Array(31), 1));
        // x = 5: 5^3 + 7 = 132 is not a square mod p, so no point has it.
        expect(() => pair.sharedX(Uint8Array.of(...new Uint8Array(31), 5))).toThrow(RangeError);
        expect(() => pair.sharedX(new Uint8Array(31))).toThrow(RangeError);
      },
    );
  }
});

test("the adapter's picks are implementations these tests check", () => {
  expect(ALL_CURVES).toContain(CHOSEN_CURVE);
  expect(ALL_AEADS).toContain(CHOSEN_AEAD);
});
