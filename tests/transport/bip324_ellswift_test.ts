/** ElligatorSwift: every row of BIP324's decode and XSwiftECInv vectors, and encoding round trips. */
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../../src/platform/random.ts";
import {
  ELLSWIFT_SIZE,
  ellswiftDecode,
  ellswiftEncode,
  xswiftecInv,
} from "../../src/transport/bip324_ellswift.ts";
import { nobleSecp256k1 } from "../../src/transport/bip324_secp256k1_noble.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { bip324Csv } from "./bip324_vectors.ts";

const DECODE = bip324Csv("ellswift_decode_test_vectors.csv");
const INVERSE = bip324Csv("xswiftec_inv_test_vectors.csv");

describe("ElligatorSwift decoding (XSwiftEC)", () => {
  test("the vector files are all there", () => {
    expect(DECODE.length).toBe(76);
    expect(INVERSE.length).toBe(32);
  });

  test("every row of ellswift_decode_test_vectors.csv", () => {
    for (const row of DECODE) {
      expect(`${row.comment}: ${toHex(ellswiftDecode(fromHex(row.ellswift)))}`)
        .toBe(`${row.comment}: ${row.x}`);
    }
  });

  test("an encoding that is not 64 bytes is refused", () => {
    expect(() => ellswiftDecode(new Uint8Array(63))).toThrow(RangeError);
    expect(() => ellswiftDecode(new Uint8Array(65))).toThrow(RangeError);
  });
});

describe("ElligatorSwift inverse (XSwiftECInv)", () => {
  test("every case of every row of xswiftec_inv_test_vectors.csv, and each t decodes to x", () => {
    let some = 0;
    let none = 0;
    for (const row of INVERSE) {
      const u = fromHex(row.u);
      const x = fromHex(row.x);
      for (let c = 0; c < 8; c++) {
        const want = row[`case${c}_t`];
        const t = xswiftecInv(u, x, c);
        expect(`${row.u} case ${c}: ${t === null ? "none" : toHex(t)}`)
          .toBe(`${row.u} case ${c}: ${want === "" ? "none" : want}`);
        if (t === null) {
          none++;
          continue;
        }
        some++;
        const encoding = new Uint8Array(ELLSWIFT_SIZE);
        encoding.set(u, 0);
        encoding.set(t, 32);
        expect(toHex(ellswiftDecode(encoding))).toBe(row.x);
      }
    }
    // Both outcomes occur in the file, so a check of only one kind would show.
    expect(some).toBeGreaterThan(50);
    expect(none).toBeGreaterThan(50);
  });

  test("a case outside 0-7 or a field element of the wrong size is refused", () => {
    const u = fromHex(INVERSE[0].u);
    const x = fromHex(INVERSE[0].x);
    expect(() => xswiftecInv(u, x, 8)).toThrow(RangeError);
    expect(() => xswiftecInv(u, x, -1)).toThrow(RangeError);
    expect(() => xswiftecInv(u.subarray(1), x, 0)).toThrow(RangeError);
    expect(() => xswiftecInv(u, new Uint8Array(32).fill(0xff), 0)).toThrow(RangeError);
  });
});

describe("ElligatorSwift encoding", () => {
  test("new encodings of random keys decode to the key's x, and differ each time", () => {
    const random = seededRandom(324);
    for (let i = 0; i < 20; i++) {
      const secret = new Uint8Array(32);
      secret.set(random.bytes(31), 1);
      secret[0] = 1;
      const x = nobleSecp256k1.keyPair(secret).publicX;
      const a = ellswiftEncode(x, random);
      const b = ellswiftEncode(x, random);
      expect(a.length).toBe(ELLSWIFT_SIZE);
      expect(toHex(ellswiftDecode(a))).toBe(toHex(x));
      expect(toHex(ellswiftDecode(b))).toBe(toHex(x));
      expect(toHex(a)).not.toBe(toHex(b));
    }
  });

  test("the same random draws give the same encoding (injectable randomness)", () => {
    const x = fromHex(INVERSE[0].x);
    expect(toHex(ellswiftEncode(x, seededRandom(7)))).toBe(
      toHex(ellswiftEncode(x, seededRandom(7))),
    );
  });

  test("a random source that never gives a usable u fails after a bounded number of draws", () => {
    const zeros = { bytes: (n: number) => new Uint8Array(n), int: () => 0, float: () => 0 };
    expect(() => ellswiftEncode(fromHex(INVERSE[0].x), zeros)).toThrow(RangeError);
  });
});
