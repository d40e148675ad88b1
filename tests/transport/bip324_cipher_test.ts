/**
 * The BIP324 packet cipher: every row of packet_encoding_test_vectors.csv
 * (key exchange, key derivation, the packet, and its decryption by the other
 * side) over each AEAD and curve this runtime has, round trips between an
 * initiator and a responder, and the typed errors of bad input.
 */
import { describe, expect, test } from "bun:test";
import { Buffer } from "node:buffer";
import { hkdfSync } from "node:crypto";
import { seededRandom } from "../../src/platform/random.ts";
import {
  Bip324Cipher,
  LENGTH_SIZE,
  MAX_CONTENTS_LEN,
  PACKET_EXPANSION,
} from "../../src/transport/bip324_cipher.ts";
import { bip324KeyOf, newBip324Key } from "../../src/transport/bip324_ecdh.ts";
import { ellswiftDecode } from "../../src/transport/bip324_ellswift.ts";
import { type Bip324SessionKeys, deriveBip324Keys } from "../../src/transport/bip324_keys.ts";
import { Bip324PacketError } from "../../src/transport/bip324_packet_error.ts";
import { FSChaCha20, REKEY_INTERVAL } from "../../src/transport/fschacha20.ts";
import { fromHex, toHex } from "../../src/wire/bytes.ts";
import { ALL_AEADS, CURVE_SLOTS } from "./bip324_ports.ts";
import { BIP324_CONSTANTS, bip324Csv, MAINNET_MAGIC } from "./bip324_vectors.ts";

const PACKETS = bip324Csv("packet_encoding_test_vectors.csv");
/** The largest contents a 3-byte length holds: the vectors' longest row has exactly that. */
const MAX_ENCODABLE = 0xffffff;
const EMPTY = new Uint8Array(0);

/** The keys of the other side of the same session: each direction swapped. */
function otherSide(keys: Bip324SessionKeys): Bip324SessionKeys {
  return {
    sessionId: keys.sessionId,
    sendL: keys.recvL,
    sendP: keys.recvP,
    recvL: keys.sendL,
    recvP: keys.sendP,
    sendGarbageTerminator: keys.recvGarbageTerminator,
    recvGarbageTerminator: keys.sendGarbageTerminator,
  };
}

/** Receives one whole packet: the two decryption steps. */
function receive(cipher: Bip324Cipher, packet: Uint8Array, aad: Uint8Array = EMPTY) {
  const length = cipher.decryptLength(packet.subarray(0, LENGTH_SIZE));
  if (length instanceof Bip324PacketError) return length;
  expect(packet.length).toBe(LENGTH_SIZE + Bip324Cipher.sealedSize(length));
  return cipher.decrypt(packet.subarray(LENGTH_SIZE), aad);
}

/** The error value `result` must be, of `kind`. */
function expectError(result: unknown, kind: string): void {
  expect(result).toBeInstanceOf(Bip324PacketError);
  expect((result as Bip324PacketError).kind).toBe(kind);
}

describe("packet_encoding_test_vectors.csv", () => {
  test("the file has its 7 rows, with the rekey rows and the 16 MiB row", () => {
    expect(PACKETS.map((r) => Number(r.in_idx))).toEqual([1, 999, 0, 223, 448, 673, 1024]);
    const longest = PACKETS.map((r) => r.in_contents.length / 2 * Number(r.in_multiply));
    expect(Math.max(...longest)).toBe(MAX_ENCODABLE);
  });

  for (const slot of CURVE_SLOTS) {
    test.skipIf(slot.curve === undefined)(
      `key exchange and key derivation of every row (curve: ${slot.name})`,
      () => {
        const curve = slot.curve!;
        for (const row of PACKETS) {
          const initiating = row.in_initiating === "1";
          const pair = curve.keyPair(fromHex(row.in_priv_ours));
          expect(toHex(pair.publicX)).toBe(row.mid_x_ours);
          const theirs = fromHex(row.in_ellswift_theirs);
          expect(toHex(ellswiftDecode(theirs))).toBe(row.mid_x_theirs);
          expect(toHex(pair.sharedX(fromHex(row.mid_x_theirs)))).toBe(row.mid_x_shared);
          const key = bip324KeyOf(pair, fromHex(row.in_ellswift_ours));
          const secret = key.sharedSecret(theirs, initiating);
          expect(toHex(secret)).toBe(row.mid_shared_secret);
          const keys = deriveBip324Keys(secret, MAINNET_MAGIC, initiating);
          const [initiator, responder] = initiating
            ? [[keys.sendL, keys.sendP], [keys.recvL, keys.recvP]]
            : [[keys.recvL, keys.recvP], [keys.sendL, keys.sendP]];
          expect(initiator.map(toHex)).toEqual([row.mid_initiator_l, row.mid_initiator_p]);
          expect(responder.map(toHex)).toEqual([row.mid_responder_l, row.mid_responder_p]);
          expect(toHex(keys.sendGarbageTerminator)).toBe(row.mid_send_garbage_terminator);
          expect(toHex(keys.recvGarbageTerminator)).toBe(row.mid_recv_garbage_terminator);
          expect(toHex(keys.sessionId)).toBe(row.out_session_id);
        }
      },
    );
  }

  for (const aead of ALL_AEADS) {
    for (const row of PACKETS) {
      const size = row.in_contents.length / 2 * Number(row.in_multiply);
      test(
        `packet ${row.in_idx} (${size} bytes), and the other side decrypts it (aead: ${aead.name})`,
        () => {
          const initiating = row.in_initiating === "1";
          const keys = deriveBip324Keys(fromHex(row.mid_shared_secret), MAINNET_MAGIC, initiating);
          const options = { aead, maxContents: MAX_ENCODABLE };
          const sender = new Bip324Cipher(keys, options);
          const receiver = new Bip324Cipher(otherSide(keys), options);
          for (let i = 0; i < Number(row.in_idx); i++) {
            const decoy = receive(receiver, sender.encrypt(EMPTY, EMPTY, true));
            expect(decoy).toEqual({ ignore: true, contents: EMPTY });
          }
          const piece = fromHex(row.in_contents);
          const contents = new Uint8Array(size);
          for (let at = 0; at < contents.length; at += piece.length) contents.set(piece, at);
          const aad = fromHex(row.in_aad);
          const ignore = row.in_ignore === "1";
          const packet = sender.encrypt(contents, aad, ignore);
          expect(packet.length).toBe(contents.length + PACKET_EXPANSION);
          if (row.out_ciphertext !== "") {
            expect(toHex(packet)).toBe(row.out_ciphertext);
          } else {
            const tail = fromHex(row.out_ciphertext_endswith);
            expect(toHex(packet.subarray(packet.length - tail.length))).toBe(toHex(tail));
          }
          const got = receive(receiver, packet, aad);
          if (got instanceof Bip324PacketError) throw got;
          expect(got.ignore).toBe(ignore);
          expect(got.contents.length).toBe(contents.length);
          expect(Buffer.compare(got.contents, contents)).toBe(0);
        },
        60_000,
      );
    }
  }
});

describe("key derivation", () => {
  test("HKDF with each network's salt matches node:crypto's HKDF", () => {
    const secret = new Uint8Array(32).map((_, i) => i * 11);
    const salts = BIP324_CONSTANTS.hkdf.salt_hex_by_network;
    expect(Object.keys(salts).length).toBe(5);
    for (const saltHex of Object.values(salts)) {
      const salt = fromHex(saltHex);
      const keys = deriveBip324Keys(secret, salt.subarray(salt.length - 4), true);
      const okm = (info: string) =>
        toHex(new Uint8Array(hkdfSync("sha256", secret, salt, info, 32)));
      expect(toHex(keys.sendL)).toBe(okm("initiator_L"));
      expect(toHex(keys.recvP)).toBe(okm("responder_P"));
      expect(toHex(keys.sessionId)).toBe(okm("session_id"));
      const terminators = okm("garbage_terminators");
      expect(toHex(keys.sendGarbageTerminator) + toHex(keys.recvGarbageTerminator))
        .toBe(terminators);
    }
  });

  test("a secret or magic of the wrong size is refused", () => {
    expect(() => deriveBip324Keys(new Uint8Array(31), MAINNET_MAGIC, true)).toThrow(RangeError);
    expect(() => deriveBip324Keys(new Uint8Array(32), new Uint8Array(3), true)).toThrow(RangeError);
  });
});

describe("initiator and responder", () => {
  for (const slot of CURVE_SLOTS) {
    test.skipIf(slot.curve === undefined)(
      `fresh keys agree on the session; packets go both ways across rekeys (curve: ${slot.name})`,
      () => {
        const curve = slot.curve!;
        const random = seededRandom(17);
        const a = newBip324Key(random, curve);
        const b = newBip324Key(random, curve);
        expect(toHex(a.ellswift)).not.toBe(toHex(b.ellswift));
        const initiator = new Bip324Cipher(
          deriveBip324Keys(a.sharedSecret(b.ellswift, true), MAINNET_MAGIC, true),
        );
        const responder = new Bip324Cipher(
          deriveBip324Keys(b.sharedSecret(a.ellswift, false), MAINNET_MAGIC, false),
        );
        expect(toHex(initiator.sessionId)).toBe(toHex(responder.sessionId));
        expect(toHex(initiator.sendGarbageTerminator)).toBe(toHex(responder.recvGarbageTerminator));
        expect(toHex(initiator.recvGarbageTerminator)).toBe(toHex(responder.sendGarbageTerminator));
        expect(toHex(initiator.sendGarbageTerminator)).not.toBe(
          toHex(initiator.recvGarbageTerminator),
        );

        // The first packet each way carries the sender's garbage as aad.
        const garbage = random.bytes(100);
        for (let i = 0; i < REKEY_INTERVAL + 5; i++) {
          const aad = i === 0 ? garbage : EMPTY;
          const type = Uint8Array.of(18);
          const payload = random.bytes(i % 50);
          const there = receive(
            responder,
            initiator.encrypt([type, payload], aad, i % 7 === 3),
            aad,
          );
          expect(there).toEqual({ ignore: i % 7 === 3, contents: Uint8Array.of(18, ...payload) });
          const back = receive(initiator, responder.encrypt(payload, aad, false), aad);
          expect(back).toEqual({ ignore: false, contents: payload });
        }
      },
    );
  }

  test("a different network's magic gives a different session", () => {
    const secret = new Uint8Array(32).fill(1);
    const main = deriveBip324Keys(secret, MAINNET_MAGIC, true);
    const regtest = deriveBip324Keys(secret, fromHex("fabfb5da"), true);
    expect(toHex(main.sessionId)).not.toBe(toHex(regtest.sessionId));
  });
});

describe("bad input gives typed errors", () => {
  const keys = deriveBip324Keys(new Uint8Array(32).fill(2), MAINNET_MAGIC, true);
  const pair = () => [new Bip324Cipher(keys), new Bip324Cipher(otherSide(keys))] as const;

  test("a flipped bit after the length: a tag error, and the same error from then on", () => {
    for (let bit = 0; bit < 8 * (PACKET_EXPANSION - LENGTH_SIZE + 30); bit += 7) {
      const [sender, receiver] = pair();
      const packet = sender.encrypt(new Uint8Array(30).fill(1), EMPTY, false);
      packet[LENGTH_SIZE + (bit >> 3)] ^= 1 << (bit & 7);
      const error = receive(receiver, packet);
      expectError(error, "tag");
      expect(receiver.decryptLength(new Uint8Array(3))).toBe(error as Bip324PacketError);
      expect(receiver.decrypt(new Uint8Array(17), EMPTY)).toBe(error as Bip324PacketError);
    }
  });

  test("other aad than the sender's: a tag error", () => {
    const [sender, receiver] = pair();
    expectError(receive(receiver, sender.encrypt(EMPTY, Uint8Array.of(1), false)), "tag");
  });

  test("a flipped length bit: past the bound, or a tag error on the bytes it asks for", () => {
    const seen = new Set<string>();
    for (let bit = 0; bit < 8 * LENGTH_SIZE; bit++) {
      const [sender, receiver] = pair();
      const packet = sender.encrypt(new Uint8Array(40).fill(3), EMPTY, false);
      packet[bit >> 3] ^= 1 << (bit & 7);
      const length = receiver.decryptLength(packet.subarray(0, LENGTH_SIZE));
      if (length instanceof Bip324PacketError) {
        expect(length.kind).toBe("length");
        seen.add("length");
        continue;
      }
      expect(length).not.toBe(40);
      // The peer's stream, cut or extended to what the wrong length asks for.
      const sealed = new Uint8Array(Bip324Cipher.sealedSize(length));
      sealed.set(packet.subarray(LENGTH_SIZE, LENGTH_SIZE + sealed.length));
      expectError(receiver.decrypt(sealed, EMPTY), "tag");
      seen.add("tag");
    }
    expect([...seen].sort()).toEqual(["length", "tag"]);
  });

  test("a length past MAX_CONTENTS_LEN (4,000,013) is refused from the 3 length bytes alone", () => {
    expect(MAX_CONTENTS_LEN).toBe(BIP324_CONSTANTS.lengths.core_max_contents_accepted);
    /** The encrypted length field of a first packet of `n` bytes of contents. */
    const lengthOf = (n: number) =>
      new FSChaCha20(keys.sendL).crypt(Uint8Array.of(n & 0xff, (n >> 8) & 0xff, n >> 16));
    const error = new Bip324Cipher(otherSide(keys)).decryptLength(lengthOf(MAX_CONTENTS_LEN + 1));
    expectError(error, "length");
    expect((error as Error).message).toContain(String(MAX_CONTENTS_LEN + 1));
    // Exactly the bound is accepted.
    expect(new Bip324Cipher(otherSide(keys)).decryptLength(lengthOf(MAX_CONTENTS_LEN)))
      .toBe(MAX_CONTENTS_LEN);
  });

  test("misuse by the caller throws (our bug, not the peer's)", () => {
    const [sender, receiver] = pair();
    expect(() => receiver.decrypt(new Uint8Array(17), EMPTY)).toThrow(Error);
    expect(() => receiver.decryptLength(new Uint8Array(2))).toThrow(RangeError);
    const packet = sender.encrypt(EMPTY, EMPTY, false);
    expect(receiver.decryptLength(packet.subarray(0, 3))).toBe(0);
    expect(() => receiver.decryptLength(packet.subarray(0, 3))).toThrow(Error);
    expect(() => receiver.decrypt(packet.subarray(3, 19), EMPTY)).toThrow(RangeError);
    expect(() => sender.encrypt(new Uint8Array(MAX_ENCODABLE + 1), EMPTY, false))
      .toThrow(RangeError);
    expect(() => new Bip324Cipher(keys, { maxContents: MAX_ENCODABLE + 1 })).toThrow(RangeError);
  });
});
