/**
 * FSChaCha20 and FSChaCha20Poly1305: Core's vectors (other rekey intervals),
 * the 224-interval vectors across the first rekeys, over every AEAD this
 * runtime runs (TypeScript; node:crypto's where it has the cipher).
 */
import { describe, expect, test } from "bun:test";
import { FSChaCha20, REKEY_INTERVAL } from "../../src/transport/fschacha20.ts";
import { FSChaCha20Poly1305 } from "../../src/transport/fschacha20poly1305.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { vectorJson } from "../support/vectors.ts";
import { ALL_AEADS } from "./bip324_ports.ts";

const VECTORS: {
  fschacha20_core: {
    plaintext_hex: string;
    key_hex: string;
    rekey_interval: number;
    output_of_call_interval_plus_1_hex: string;
  }[];
  fschacha20poly1305_core: {
    plaintext_hex: string;
    aad_hex: string;
    key_hex: string;
    msg_idx: number;
    ciphertext_hex: string;
  }[];
  derived_224: {
    key_hex: string;
    fschacha20_3byte_zero_chunks: { call_index: number; output_hex: string }[];
    fschacha20poly1305_plaintext_00: { msg_index: number; ciphertext_hex: string }[];
  };
} = vectorJson("bip324/fschacha20-vectors.json");

const AEADS = ALL_AEADS;

const EMPTY = new Uint8Array(0);

describe("FSChaCha20", () => {
  test("Core's vectors: the first call after the first rekey", () => {
    expect(VECTORS.fschacha20_core.length).toBe(3);
    for (const v of VECTORS.fschacha20_core) {
      const cipher = new FSChaCha20(fromHex(v.key_hex), v.rekey_interval);
      const plaintext = fromHex(v.plaintext_hex);
      for (let i = 0; i < v.rekey_interval; i++) cipher.crypt(plaintext);
      expect(toHex(cipher.crypt(plaintext))).toBe(v.output_of_call_interval_plus_1_hex);
    }
  });

  test("BIP324's interval: 3-byte chunks across two rekeys", () => {
    const d = VECTORS.derived_224;
    const cipher = new FSChaCha20(fromHex(d.key_hex));
    const want = new Map(d.fschacha20_3byte_zero_chunks.map((c) => [c.call_index, c.output_hex]));
    expect(want.has(REKEY_INTERVAL - 1) && want.has(REKEY_INTERVAL)).toBe(true);
    const last = Math.max(...want.keys());
    for (let i = 0; i <= last; i++) {
      const out = toHex(cipher.crypt(new Uint8Array(3)));
      if (want.has(i)) expect(`${i}: ${out}`).toBe(`${i}: ${want.get(i)}`);
    }
  });

  test("decrypting is the same XOR: a second cipher with the same key restores the chunks", () => {
    const key = new Uint8Array(32).fill(9);
    const a = new FSChaCha20(key);
    const b = new FSChaCha20(key);
    for (let i = 0; i < 3 * REKEY_INTERVAL; i++) {
      const chunk = new Uint8Array([i & 0xff, (i >> 8) & 0xff, 0x5a]);
      const sealed = a.crypt(chunk);
      expect(toHex(b.crypt(sealed, sealed))).toBe(toHex(chunk));
    }
  });

  test("a bad key, interval or output size is refused", () => {
    expect(() => new FSChaCha20(new Uint8Array(31))).toThrow(RangeError);
    expect(() => new FSChaCha20(new Uint8Array(32), 0)).toThrow(RangeError);
    expect(() => new FSChaCha20(new Uint8Array(32)).crypt(new Uint8Array(3), new Uint8Array(2)))
      .toThrow(RangeError);
  });
});

for (const aead of AEADS) {
  describe(`FSChaCha20Poly1305 over ${aead.name}`, () => {
    test("Core's vectors: after 500 and 60,000 messages (with rekeys)", () => {
      expect(VECTORS.fschacha20poly1305_core.length).toBe(2);
      for (const v of VECTORS.fschacha20poly1305_core) {
        const cipher = new FSChaCha20Poly1305(fromHex(v.key_hex), aead);
        const dummy = new Uint8Array(16);
        for (let i = 0; i < v.msg_idx; i++) cipher.encrypt(EMPTY, EMPTY, dummy, 0);
        const plaintext = fromHex(v.plaintext_hex);
        const out = new Uint8Array(plaintext.length + 16);
        cipher.encrypt(plaintext, fromHex(v.aad_hex), out, 0);
        expect(toHex(out)).toBe(v.ciphertext_hex);
      }
    });

    test("BIP324's interval: messages across two rekeys, sealed and opened", () => {
      const d = VECTORS.derived_224;
      const sealer = new FSChaCha20Poly1305(fromHex(d.key_hex), aead);
      const opener = new FSChaCha20Poly1305(fromHex(d.key_hex), aead);
      const want = new Map(
        d.fschacha20poly1305_plaintext_00.map((c) => [c.msg_index, c.ciphertext_hex]),
      );
      expect(want.has(REKEY_INTERVAL - 1) && want.has(2 * REKEY_INTERVAL)).toBe(true);
      const last = Math.max(...want.keys());
      for (let i = 0; i <= last; i++) {
        const out = new Uint8Array(17);
        sealer.encrypt(new Uint8Array(1), EMPTY, out, 0);
        if (want.has(i)) expect(`${i}: ${toHex(out)}`).toBe(`${i}: ${want.get(i)}`);
        expect(opener.decrypt(out, EMPTY)).toEqual(new Uint8Array(1));
      }
    });

    test("sealing in place equals sealing from a separate plaintext", () => {
      const key = new Uint8Array(32).fill(3);
      const plaintext = new Uint8Array(1000).map((_, i) => i * 7);
      const apart = new Uint8Array(2 + plaintext.length + 16);
      new FSChaCha20Poly1305(key, aead).encrypt(plaintext, EMPTY, apart, 2);
      const inPlace = new Uint8Array(2 + plaintext.length + 16);
      inPlace.set(plaintext, 2);
      new FSChaCha20Poly1305(key, aead).encrypt(
        inPlace.subarray(2, 2 + plaintext.length),
        EMPTY,
        inPlace,
        2,
      );
      expect(toHex(inPlace)).toBe(toHex(apart));
    });

    test("a flipped bit anywhere, other aad, or a short input opens to null; the next packet still opens", () => {
      const key = new Uint8Array(32).fill(5);
      const aad = new Uint8Array([1, 2, 3]);
      const plaintext = new Uint8Array(40).fill(0x42);
      const sealed = new Uint8Array(plaintext.length + 16);
      new FSChaCha20Poly1305(key, aead).encrypt(plaintext, aad, sealed, 0);
      for (let bit = 0; bit < sealed.length * 8; bit += 13) {
        const bad = sealed.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(new FSChaCha20Poly1305(key, aead).decrypt(bad, aad)).toBeNull();
      }
      expect(new FSChaCha20Poly1305(key, aead).decrypt(sealed, new Uint8Array([1, 2]))).toBeNull();
      expect(new FSChaCha20Poly1305(key, aead).decrypt(sealed.subarray(0, 15), aad)).toBeNull();
      expect(new FSChaCha20Poly1305(key, aead).decrypt(sealed, aad)).toEqual(plaintext);

      // A refused packet still uses its nonce, as Core's does: the stream stays in step.
      const sender = new FSChaCha20Poly1305(key, aead);
      const second = new Uint8Array(plaintext.length + 16);
      sender.encrypt(plaintext, EMPTY, new Uint8Array(plaintext.length + 16), 0);
      sender.encrypt(plaintext, EMPTY, second, 0);
      const receiver = new FSChaCha20Poly1305(key, aead);
      expect(receiver.decrypt(new Uint8Array(plaintext.length + 16), EMPTY)).toBeNull();
      expect(receiver.decrypt(second, EMPTY)).toEqual(plaintext);
    });
  });
}

test("every AEAD gives RFC 8439's section 2.8.2 example", () => {
  const key = fromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
  const nonce = fromHex("070000004041424344454647");
  const aad = fromHex("50515253c0c1c2c3c4c5c6c7");
  const plaintext = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const tag = "1ae10b594f09e26a7e902ecbd0600691";
  for (const aead of AEADS) {
    const out = new Uint8Array(plaintext.length + 16);
    aead.seal(key, nonce, aad, plaintext, out, 0);
    expect(toHex(out.subarray(plaintext.length))).toBe(tag);
    expect(aead.open(key, nonce, aad, out)).toEqual(plaintext);
  }
});
