/**
 * The BIP324 packet cipher of one v2 connection (Core: BIP324Cipher). A
 * packet is the 3-byte contents length (little-endian) under FSChaCha20, then
 * the header byte and the contents under FSChaCha20Poly1305 with the 16-byte
 * tag. A receiver decrypts in two steps: the first 3 bytes give the length,
 * which tells how many more to wait for; those are then opened with the tag
 * check. A length past the bound or a tag that does not match comes back as
 * a `Bip324PacketError` value (never thrown): the connection is then
 * unusable, and every later call gives the same error.
 */
import { AEAD_TAG_SIZE, type ChaCha20Poly1305 } from "../platform/aead.ts";
import { MAX_PAYLOAD } from "./transport.ts";
import { COMMAND_SIZE } from "./v1_framing.ts";
import { nobleChaCha20Poly1305 } from "./bip324_aead_noble.ts";
import type { Bip324SessionKeys } from "./bip324_keys.ts";
import { Bip324PacketError } from "./bip324_packet_error.ts";
import { FSChaCha20 } from "./fschacha20.ts";
import { FSChaCha20Poly1305 } from "./fschacha20poly1305.ts";

/** Bytes of the encrypted length. Core bip324.h LENGTH_LEN. */
export const LENGTH_SIZE = 3;
/** Bytes of the header. Core bip324.h HEADER_LEN. */
const HEADER_SIZE = 1;
/** Bytes a packet adds to its contents: length, header and tag. Core bip324.h EXPANSION (20). */
export const PACKET_EXPANSION = LENGTH_SIZE + HEADER_SIZE + AEAD_TAG_SIZE;
/** The header bit of a decoy packet, which the receiver ignores. Core bip324.h IGNORE_BIT. */
const IGNORE_BIT = 0x80;
/** The most contents a 3-byte length can describe. */
const MAX_ENCODABLE_CONTENTS = 0xffffff;
/**
 * Most contents accepted in one packet: a long message type (a 0 byte then
 * 12 bytes) and the largest payload, 4,000,013 bytes. Core net.cpp
 * V2Transport MAX_CONTENTS_LEN; a longer length disconnects there too.
 */
export const MAX_CONTENTS_LEN = 1 + COMMAND_SIZE + MAX_PAYLOAD;

/** A decrypted packet. */
export interface Bip324Packet {
  /** A decoy: its contents mean nothing and are dropped. */
  readonly ignore: boolean;
  /** The contents (a message type and its payload, or those of the version packet). */
  readonly contents: Uint8Array;
}

/** Options of a `Bip324Cipher`. */
export interface Bip324CipherOptions {
  /** The ChaCha20-Poly1305 to use: the platform's native one where it has one. */
  readonly aead?: ChaCha20Poly1305;
  /** Most contents accepted in a received packet (default `MAX_CONTENTS_LEN`). */
  readonly maxContents?: number;
}

/** Both directions' ciphers of one v2 connection, once its keys are derived. */
export class Bip324Cipher {
  /** Identifies the session; both sides hold the same. */
  readonly sessionId: Uint8Array;
  /** Ends the garbage we send. */
  readonly sendGarbageTerminator: Uint8Array;
  /** Ends the garbage we receive. */
  readonly recvGarbageTerminator: Uint8Array;
  readonly #sendL: FSChaCha20;
  readonly #sendP: FSChaCha20Poly1305;
  readonly #recvL: FSChaCha20;
  readonly #recvP: FSChaCha20Poly1305;
  readonly #maxContents: number;
  readonly #length = new Uint8Array(LENGTH_SIZE);
  /** The length `decryptLength` gave for the packet `decrypt` takes next; -1 when none. */
  #pending = -1;
  #failure: Bip324PacketError | null = null;

  /** The cipher over `keys` (see `deriveBip324Keys`). */
  constructor(keys: Bip324SessionKeys, options: Bip324CipherOptions = {}) {
    const aead = options.aead ?? nobleChaCha20Poly1305;
    this.#maxContents = options.maxContents ?? MAX_CONTENTS_LEN;
    if (this.#maxContents > MAX_ENCODABLE_CONTENTS) {
      throw new RangeError(`maxContents ${this.#maxContents} exceeds ${MAX_ENCODABLE_CONTENTS}`);
    }
    this.sessionId = keys.sessionId.slice();
    this.sendGarbageTerminator = keys.sendGarbageTerminator.slice();
    this.recvGarbageTerminator = keys.recvGarbageTerminator.slice();
    this.#sendL = new FSChaCha20(keys.sendL);
    this.#sendP = new FSChaCha20Poly1305(keys.sendP, aead);
    this.#recvL = new FSChaCha20(keys.recvL);
    this.#recvP = new FSChaCha20Poly1305(keys.recvP, aead);
  }

  /**
   * The next packet we send, in a new array of `PACKET_EXPANSION` bytes more
   * than the contents. `contents` may come in parts (a message type and a
   * payload), sent one after another; `aad` is authenticated, not sent
   * (BIP324: our garbage, for the first packet after it); `ignore` marks a
   * decoy. Throws a `RangeError` for contents over 2^24 - 1 bytes.
   */
  encrypt(
    contents: Uint8Array | readonly Uint8Array[],
    aad: Uint8Array,
    ignore: boolean,
  ): Uint8Array {
    const parts = contents instanceof Uint8Array ? [contents] : contents;
    let length = 0;
    for (const part of parts) length += part.length;
    if (length > MAX_ENCODABLE_CONTENTS) {
      throw new RangeError(`packet contents of ${length} bytes exceed ${MAX_ENCODABLE_CONTENTS}`);
    }
    const packet = new Uint8Array(length + PACKET_EXPANSION);
    packet[0] = length & 0xff;
    packet[1] = (length >>> 8) & 0xff;
    packet[2] = length >>> 16;
    this.#sendL.crypt(packet.subarray(0, LENGTH_SIZE), packet.subarray(0, LENGTH_SIZE));
    packet[LENGTH_SIZE] = ignore ? IGNORE_BIT : 0;
    let at = LENGTH_SIZE + HEADER_SIZE;
    for (const part of parts) {
      packet.set(part, at);
      at += part.length;
    }
    const plaintext = packet.subarray(LENGTH_SIZE, at);
    this.#sendP.encrypt(plaintext, aad, packet, LENGTH_SIZE);
    return packet;
  }

  /**
   * Step one of receiving: the contents length from a packet's first 3 bytes,
   * or an error (kind "length") past the bound. The packet's remaining
   * `length + HEADER_SIZE + 16` bytes then go to `decrypt`.
   */
  decryptLength(bytes: Uint8Array): number | Bip324PacketError {
    if (this.#failure !== null) return this.#failure;
    if (bytes.length !== LENGTH_SIZE) {
      throw new RangeError(`a packet length is ${LENGTH_SIZE} bytes, got ${bytes.length}`);
    }
    if (this.#pending !== -1) {
      throw new Error("decryptLength: the previous packet is not decrypted yet");
    }
    const plain = this.#recvL.crypt(bytes, this.#length);
    const length = plain[0] | (plain[1] << 8) | (plain[2] << 16);
    if (length > this.#maxContents) {
      return this.#fail(
        new Bip324PacketError(
          "length",
          `packet of ${length} bytes exceeds the limit of ${this.#maxContents} (MAX_CONTENTS_LEN)`,
        ),
      );
    }
    this.#pending = length;
    return length;
  }

  /** Bytes `decrypt` takes after `decryptLength` gave `length`. */
  static sealedSize(length: number): number {
    return length + HEADER_SIZE + AEAD_TAG_SIZE;
  }

  /**
   * Step two: the packet after its length (`sealedSize(length)` bytes),
   * opened with `aad` (the peer's garbage for the first packet after it,
   * else empty): its contents (a new array) and decoy flag, or an error (kind
   * "tag") when the tag does not match.
   */
  decrypt(sealed: Uint8Array, aad: Uint8Array): Bip324Packet | Bip324PacketError {
    if (this.#failure !== null) return this.#failure;
    if (this.#pending === -1) throw new Error("decrypt: call decryptLength for the packet first");
    const want = Bip324Cipher.sealedSize(this.#pending);
    if (sealed.length !== want) {
      throw new RangeError(`the packet's remaining bytes are ${want}, got ${sealed.length}`);
    }
    this.#pending = -1;
    const plaintext = this.#recvP.decrypt(sealed, aad);
    if (plaintext === null) {
      return this.#fail(
        new Bip324PacketError("tag", "packet authentication failed (altered or out of step)"),
      );
    }
    return {
      ignore: (plaintext[0] & IGNORE_BIT) !== 0,
      contents: plaintext.subarray(HEADER_SIZE),
    };
  }

  #fail(error: Bip324PacketError): Bip324PacketError {
    this.#failure = error;
    return error;
  }
}
