/**
 * The BIP324 v2 transport: the second implementation of `Transport`, after
 * Core's V2Transport (net.cpp). Both sides send a 64-byte ElligatorSwift key
 * and 0–4095 bytes of random garbage; once the remote's key is in, each
 * derives the session's keys, sends its garbage terminator and a version
 * packet sealed with its garbage as associated data, and calls `open`: the
 * peer's messages follow as packets (a 3-byte encrypted length, then header,
 * message type and payload under ChaCha20-Poly1305). The receiver skips the
 * remote's garbage up to its terminator, authenticates the first packet
 * with it, takes the first non-decoy packet as the version packet (its
 * contents are ignored, for future use), ignores decoys, and reports every
 * other packet as a frame of its message type.
 *
 * A responder first holds up to 16 bytes: a v1 peer starts with the
 * network's magic and `version` NUL-padded, and the connection then goes on
 * as v1 (`V1Transport` gets those bytes and the rest); any other byte means
 * v2, and only then does the responder send its key. So one listening port
 * serves both, and a v1 peer never sees a byte of v2.
 *
 * Bad input ends the stream through `malformed(error, fatal = true)`, each
 * with the bound it broke: garbage without its terminator within 4095 + 16
 * bytes, a packet length past `MAX_CONTENTS_LEN`, a packet whose tag does not
 * match, an unknown message type, a payload over `MAX_PAYLOAD`, and a v1
 * `version` under another network's magic (Core's special case). Receive
 * buffering is that of v1 (`chunk_gather.ts`): at most one packet, grown as
 * its bytes arrive; the key and garbage buffers are freed once used.
 */
import type { ChaCha20Poly1305 } from "../platform/aead.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { Secp256k1 } from "../platform/secp256k1.ts";
import { bytesEqual, toHex } from "../wire/bytes.ts";
import { DecodeError } from "../wire/errors.ts";
import { Bip324Cipher, LENGTH_SIZE, MAX_CONTENTS_LEN } from "./bip324_cipher.ts";
import { type Bip324Key, newBip324Key } from "./bip324_ecdh.ts";
import { ELLSWIFT_SIZE } from "./bip324_ellswift.ts";
import { deriveBip324Keys, GARBAGE_TERMINATOR_SIZE } from "./bip324_keys.ts";
import { decodeMessageType, encodeMessageType } from "./bip324_message_type.ts";
import { Bip324PacketError } from "./bip324_packet_error.ts";
import { nobleSecp256k1 } from "./bip324_secp256k1_noble.ts";
import { ChunkGather } from "./chunk_gather.ts";
import {
  MAX_PAYLOAD,
  type Transport,
  type TransportFactory,
  type TransportInfo,
  type TransportOwner,
} from "./transport.ts";
import { COMMAND_SIZE } from "./v1_framing.ts";
import { V1Transport } from "./v1_transport.ts";

/** Most garbage a side sends before its terminator. BIP324; Core V2Transport::MAX_GARBAGE_LEN. */
export const MAX_GARBAGE_LEN = 4095;
/** Most bytes received before the terminator must have ended: garbage and terminator (4111). */
export const MAX_GARBAGE_AND_TERMINATOR = MAX_GARBAGE_LEN + GARBAGE_TERMINATOR_SIZE;
/** Bytes that tell a v1 peer: magic, then "version" NUL-padded. Core V2Transport::V1_PREFIX_LEN. */
export const V1_PREFIX_SIZE = 4 + COMMAND_SIZE;
/** The version packet's contents: empty (BIP324: reserved for later use). Core VERSION_CONTENTS. */
const VERSION_CONTENTS = new Uint8Array(0);
const EMPTY = new Uint8Array(0);
/** "version" NUL-padded to 12 bytes: a v1 first message's command field. */
const VERSION_COMMAND = (() => {
  const out = new Uint8Array(COMMAND_SIZE);
  for (let i = 0; i < "version".length; i++) out[i] = "version".charCodeAt(i);
  return out;
})();

/** What a v2 transport is made with. */
export interface V2TransportOptions {
  /** The network's 4 message-start bytes (in the key derivation's salt, and for v1 detection). */
  readonly magic: Uint8Array;
  /** For the v1 fallback's checksums. */
  readonly sha256: Sha256;
  /** We opened the connection (initiator) or the remote did (responder, which detects v1). */
  readonly initiator: boolean;
  /** Our key, garbage length and garbage (a cryptographic source outside tests). */
  readonly random: Random;
  /** The AEAD (default: the TypeScript one). */
  readonly aead?: ChaCha20Poly1305;
  /** The curve (default: the TypeScript one). */
  readonly curve?: Secp256k1;
  /**
   * Our key for this one connection, made ahead of time (`newBip324Key`);
   * default: a fresh one when it is first needed. Never give two connections one key.
   */
  readonly key?: Bip324Key;
}

/** Where receiving is. */
type RecvState =
  /** Responder: up to 16 bytes held to tell v1 from v2. */
  | "maybe-v1"
  /** Taking the remote's 64-byte key. */
  | "key"
  /** Skipping the remote's garbage up to its terminator. */
  | "garbage"
  /** Packets: the version packet first (decoys before it ignored), then messages. */
  | "packets"
  /** A v1 peer: everything goes to the v1 transport. */
  | "v1"
  /** The stream is lost (reported); nothing more is decoded. */
  | "failed";

/** One connection's BIP324 transport (see the module header). */
export class V2Transport implements Transport {
  readonly #o: V2TransportOptions;
  readonly #owner: TransportOwner;
  readonly #signal: AbortSignal;
  #state: RecvState;
  /** Our key and garbage, until the remote's key came (the garbage is then the AAD we seal with). */
  #key: Bip324Key | null = null;
  #sentGarbage: Uint8Array = EMPTY;
  /** The handshake bytes received so far: the v1 prefix, the key, then the garbage. */
  #held: Uint8Array | null = null;
  #heldLength = 0;
  #cipher: Bip324Cipher | null = null;
  #v1: V1Transport | null = null;
  /** The remote's garbage: the associated data of its first packet. */
  #recvAad: Uint8Array = EMPTY;
  #versionReceived = false;
  /** The current packet's encrypted length, as far as it came. */
  readonly #length = new Uint8Array(LENGTH_SIZE);
  #lengthHave = 0;
  /** The current packet's sealed bytes after its length; -1 until its length is known. */
  #sealedSize = -1;
  readonly #packet = new ChunkGather();
  #received = 0;

  /** A transport reporting to `owner`, silent once `signal` aborts. */
  constructor(options: V2TransportOptions, owner: TransportOwner, signal: AbortSignal) {
    if (options.magic.length !== 4) {
      throw new RangeError(`magic must be 4 bytes, got ${options.magic.length}`);
    }
    this.#o = options;
    this.#owner = owner;
    this.#signal = signal;
    this.#state = options.initiator ? "key" : "maybe-v1";
  }

  /** The initiator sends its key and garbage now; a responder waits to know v1 from v2. */
  start(): void {
    if (this.#o.initiator) this.#sendKey();
  }

  /** Decodes `chunk` (see `Transport.receive` and the module header). */
  receive(chunk: Uint8Array): void {
    if (this.#signal.aborted || this.#state === "failed") return;
    this.#received += chunk.length;
    if (this.#state === "v1") return this.#v1!.receive(chunk);
    let at = 0;
    while (at < chunk.length && !this.#signal.aborted) {
      switch (this.#state) {
        case "maybe-v1":
          at = this.#maybeV1(chunk, at);
          break;
        case "key":
          at = this.#receiveKey(chunk, at);
          break;
        case "garbage":
          at = this.#receiveGarbage(chunk, at);
          break;
        case "packets":
          at = this.#receivePacket(chunk, at);
          break;
        default:
          return; // "failed"; "v1" took the rest of the chunk
      }
    }
  }

  /**
   * One packet carrying `payload` under `command` (a short id where BIP324
   * has one); v1 frames after a v1 fallback. Only after `open`.
   */
  encode(command: string, payload: Uint8Array): Uint8Array[] {
    if (this.#v1 !== null) return this.#v1.encode(command, payload);
    if (this.#cipher === null) throw new Error("v2 transport: encode before open");
    if (payload.length > MAX_PAYLOAD) {
      throw new RangeError(`${command} payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
    }
    return [this.#cipher.encrypt([encodeMessageType(command), payload], EMPTY, false)];
  }

  /** v2 with its session id once the version packet came; v1 after a fallback; else detecting. */
  info(): TransportInfo {
    if (this.#v1 !== null) return this.#v1.info();
    const proven = this.#versionReceived && this.#cipher !== null;
    return {
      protocol: proven ? "v2" : "detecting",
      sessionId: proven ? toHex(this.#cipher!.sessionId) : "",
      reconnectV1: this.#o.initiator && this.#received === 0,
    };
  }

  // ---- handshake ----

  /** Our key and garbage, the first bytes we send. */
  #sendKey(): void {
    const { random, curve } = this.#o;
    const key = this.#key = this.#o.key ?? newBip324Key(random, curve ?? nobleSecp256k1);
    this.#sentGarbage = random.bytes(random.int(MAX_GARBAGE_LEN + 1));
    this.#owner.write([key.ellswift, this.#sentGarbage]);
  }

  /** Holds bytes until they match the v1 prefix (v1) or stop matching it (v2). */
  #maybeV1(chunk: Uint8Array, at: number): number {
    const prefix = this.#hold(V1_PREFIX_SIZE);
    const from = this.#heldLength;
    const n = Math.min(V1_PREFIX_SIZE - from, chunk.length - at);
    prefix.set(chunk.subarray(at, at + n), from);
    this.#heldLength += n;
    for (let i = from; i < this.#heldLength; i++) {
      if (prefix[i] !== (i < 4 ? this.#o.magic[i] : VERSION_COMMAND[i - 4])) {
        // Not v1: the bytes held start the remote's key; this chunk's go to it again.
        this.#heldLength = from;
        this.#state = "key";
        this.#sendKey();
        return at;
      }
    }
    if (this.#heldLength < V1_PREFIX_SIZE) return at + n;
    this.#fallBackToV1(prefix, chunk.subarray(at + n));
    return chunk.length;
  }

  /** A v1 peer: its first bytes and the rest go to a v1 transport from here on. */
  #fallBackToV1(prefix: Uint8Array, rest: Uint8Array): void {
    this.#state = "v1";
    this.#held = null;
    this.#heldLength = 0;
    const v1 = this.#v1 = new V1Transport(this.#o.magic, this.#o.sha256, this.#owner, this.#signal);
    v1.start();
    v1.receive(prefix.slice());
    if (rest.length > 0) v1.receive(rest);
  }

  /** Takes the remote's key; once whole, derives the session and sends our version packet. */
  #receiveKey(chunk: Uint8Array, at: number): number {
    const key = this.#hold(ELLSWIFT_SIZE);
    const from = this.#heldLength;
    const n = Math.min(ELLSWIFT_SIZE - from, chunk.length - at);
    key.set(chunk.subarray(at, at + n), from);
    this.#heldLength += n;
    if (
      !this.#o.initiator && from < V1_PREFIX_SIZE && this.#heldLength >= V1_PREFIX_SIZE &&
      bytesEqual(key.subarray(4, V1_PREFIX_SIZE), VERSION_COMMAND)
    ) {
      // Core's special case: a v1 `version` under another network's magic.
      this.#fail(
        new DecodeError(
          "magic",
          `a v1 version message under magic ${toHex(key.subarray(0, 4))}, not ${
            toHex(this.#o.magic)
          } (a peer on another network)`,
        ),
      );
      return chunk.length;
    }
    if (this.#heldLength < ELLSWIFT_SIZE) return at + n;
    this.#establish(key);
    return this.#state === "failed" ? chunk.length : at + n;
  }

  /** The remote's key is in: the ciphers, our terminator and version packet, then `open`. */
  #establish(theirs: Uint8Array): void {
    const ours = this.#key!;
    const { initiator, magic, aead } = this.#o;
    let secret: Uint8Array;
    try {
      secret = ours.sharedSecret(theirs, initiator);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Every 64 bytes decode to a curve point, so only a broken curve port lands here.
      this.#fail(new DecodeError("invalid", `v2 key exchange failed: ${error.message}`));
      return;
    }
    const keys = deriveBip324Keys(secret, magic, initiator);
    const cipher = this.#cipher = new Bip324Cipher(keys, { aead });
    this.#key = null;
    this.#heldLength = 0;
    this.#state = "garbage";
    const version = cipher.encrypt(VERSION_CONTENTS, this.#sentGarbage, false);
    this.#sentGarbage = EMPTY;
    this.#owner.write([cipher.sendGarbageTerminator, version]);
    this.#owner.open();
  }

  /** Skips the remote's garbage until its terminator; refuses more than 4095 bytes of it. */
  #receiveGarbage(chunk: Uint8Array, at: number): number {
    const held = this.#hold(MAX_GARBAGE_AND_TERMINATOR);
    const from = this.#heldLength;
    const n = Math.min(MAX_GARBAGE_AND_TERMINATOR - from, chunk.length - at);
    held.set(chunk.subarray(at, at + n), from);
    const end = findTerminator(
      held,
      Math.max(0, from - GARBAGE_TERMINATOR_SIZE + 1),
      from + n,
      this.#cipher!.recvGarbageTerminator,
    );
    if (end === -1) {
      this.#heldLength = from + n;
      if (this.#heldLength === MAX_GARBAGE_AND_TERMINATOR) {
        this.#fail(
          new DecodeError(
            "bound",
            `no garbage terminator within ${MAX_GARBAGE_AND_TERMINATOR} bytes (MAX_GARBAGE_LEN + 16)`,
            { bound: MAX_GARBAGE_AND_TERMINATOR },
          ),
        );
        return chunk.length;
      }
      return at + n;
    }
    this.#recvAad = held.slice(0, end - GARBAGE_TERMINATOR_SIZE);
    this.#held = null;
    this.#heldLength = 0;
    this.#state = "packets";
    return at + (end - from);
  }

  /** The handshake buffer, made at its largest use's size (freed once the garbage is through). */
  #hold(size: number): Uint8Array {
    if (this.#held === null || this.#held.length < size) {
      const grown = new Uint8Array(size);
      if (this.#held !== null) grown.set(this.#held.subarray(0, this.#heldLength));
      this.#held = grown;
    }
    return this.#held;
  }

  // ---- packets ----

  /** Takes the next packet's bytes from `chunk` at `at`; reports it once whole. */
  #receivePacket(chunk: Uint8Array, at: number): number {
    const cipher = this.#cipher!;
    if (this.#sealedSize === -1) {
      const n = Math.min(LENGTH_SIZE - this.#lengthHave, chunk.length - at);
      this.#length.set(chunk.subarray(at, at + n), this.#lengthHave);
      this.#lengthHave += n;
      if (this.#lengthHave < LENGTH_SIZE) return at + n;
      this.#lengthHave = 0;
      const length = cipher.decryptLength(this.#length);
      if (length instanceof Bip324PacketError) {
        this.#fail(packetError(length));
        return chunk.length;
      }
      this.#sealedSize = Bip324Cipher.sealedSize(length);
      return at + n;
    }
    const sealed = this.#packet.take(chunk, at, this.#sealedSize);
    const next = at + this.#packet.used;
    if (sealed === null) return next;
    const wireBytes = LENGTH_SIZE + this.#sealedSize;
    this.#sealedSize = -1;
    const packet = cipher.decrypt(sealed, this.#recvAad);
    if (packet instanceof Bip324PacketError) {
      this.#fail(packetError(packet));
      return chunk.length;
    }
    this.#recvAad = EMPTY;
    if (packet.ignore) return next; // a decoy
    if (!this.#versionReceived) {
      this.#versionReceived = true; // its contents are reserved for later use: ignored
      return next;
    }
    const message = decodeMessageType(packet.contents);
    if (message instanceof Bip324PacketError) {
      this.#fail(packetError(message));
      return chunk.length;
    }
    if (message.payload.length > MAX_PAYLOAD) {
      this.#fail(
        new DecodeError(
          "bound",
          `payload length ${message.payload.length} exceeds the limit of ${MAX_PAYLOAD} bytes (MAX_PAYLOAD)`,
          { command: message.command, bound: MAX_PAYLOAD },
        ),
      );
      return chunk.length;
    }
    this.#owner.frame(message.command, message.payload, wireBytes);
    return next;
  }

  /** The stream is lost: report it once and decode nothing more. */
  #fail(error: DecodeError): void {
    this.#state = "failed";
    this.#held = null;
    this.#owner.malformed(error, true);
  }
}

/** Makes v2 transports with `options` (see `V2TransportOptions`). */
export function v2TransportFactory(options: V2TransportOptions): TransportFactory {
  return (owner, signal) => new V2Transport(options, owner, signal);
}

/**
 * The end (exclusive) of the first `terminator` in `bytes` that ends after
 * `from` and no later than `end`, or -1.
 */
function findTerminator(
  bytes: Uint8Array,
  from: number,
  end: number,
  terminator: Uint8Array,
): number {
  const first = terminator[0];
  for (let i = from; i + GARBAGE_TERMINATOR_SIZE <= end; i++) {
    if (bytes[i] !== first) continue;
    let j = 1;
    while (j < GARBAGE_TERMINATOR_SIZE && bytes[i + j] === terminator[j]) j++;
    if (j === GARBAGE_TERMINATOR_SIZE) return i + GARBAGE_TERMINATOR_SIZE;
  }
  return -1;
}

/** A refused packet as the decode error the peer reports. */
function packetError(error: Bip324PacketError): DecodeError {
  switch (error.kind) {
    case "length":
      return new DecodeError("bound", `v2 ${error.message}`, { bound: MAX_CONTENTS_LEN });
    case "tag":
      return new DecodeError("invalid", `v2 ${error.message}`);
    case "type":
      return new DecodeError("invalid", `v2 ${error.message}`);
  }
}
