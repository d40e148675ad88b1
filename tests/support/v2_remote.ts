/**
 * The far side of a BIP324 connection, hand-driven: its key and garbage,
 * and once it has the other side's key, its terminator and packets of any
 * kind (decoys, wrong associated data, unknown types, raw contents), so
 * tests and the fuzzer can send a v2 transport exactly the bytes they want.
 * It reads nothing back: tests that need both directions pair two real
 * transports. No `bun:test` import (fixtures and benches use it too).
 */
import type { ChaCha20Poly1305 } from "../../src/platform/aead.ts";
import type { Random } from "../../src/platform/random.ts";
import type { Secp256k1 } from "../../src/platform/secp256k1.ts";
import { Bip324Cipher } from "../../src/transport/bip324_cipher.ts";
import { type Bip324Key, newBip324Key } from "../../src/transport/bip324_ecdh.ts";
import { deriveBip324Keys } from "../../src/transport/bip324_keys.ts";
import { encodeMessageType } from "../../src/transport/bip324_message_type.ts";
import { nobleSecp256k1 } from "../../src/transport/bip324_secp256k1_noble.ts";
import { concat } from "./bytes.ts";

/** What a remote is made with. */
export interface V2RemoteOptions {
  /** The remote opened the connection (it sends first). */
  readonly initiator: boolean;
  readonly magic: Uint8Array;
  readonly random: Random;
  /** Its garbage (default: none). */
  readonly garbage?: Uint8Array;
  /** The AEAD and curve (default: the TypeScript ones). */
  readonly aead?: ChaCha20Poly1305;
  readonly curve?: Secp256k1;
}

/** A hand-driven v2 peer (see the module header). */
export class V2Remote {
  readonly #o: V2RemoteOptions;
  readonly #key: Bip324Key;
  /** The garbage it sends after its key. */
  readonly garbage: Uint8Array;
  #cipher: Bip324Cipher | null = null;

  constructor(options: V2RemoteOptions) {
    this.#o = options;
    this.#key = newBip324Key(options.random, options.curve ?? nobleSecp256k1);
    this.garbage = options.garbage ?? new Uint8Array(0);
  }

  /** Its key and garbage: its first bytes. */
  hello(): Uint8Array {
    return concat([this.#key.ellswift, this.garbage]);
  }

  /** Takes the other side's 64-byte key (the first 64 bytes it sent): the session starts. */
  establish(theirKey: Uint8Array): void {
    const { initiator, magic } = this.#o;
    const secret = this.#key.sharedSecret(theirKey.subarray(0, 64), initiator);
    this.#cipher = new Bip324Cipher(deriveBip324Keys(secret, magic, initiator), {
      aead: this.#o.aead,
    });
  }

  /** The session id, once established. */
  get sessionId(): Uint8Array {
    return this.#cipher!.sessionId;
  }

  /** Its garbage terminator. */
  terminator(): Uint8Array {
    return this.#cipher!.sendGarbageTerminator;
  }

  /** A packet of `contents` as sent (the first after the terminator takes the garbage as `aad`). */
  packet(contents: Uint8Array, aad: Uint8Array = new Uint8Array(0), ignore = false): Uint8Array {
    return this.#cipher!.encrypt(contents, aad, ignore);
  }

  /** The terminator, the version packet (garbage as aad), and `after` packets of messages. */
  handshake(...after: Array<[string, Uint8Array]>): Uint8Array {
    return concat([
      this.terminator(),
      this.packet(new Uint8Array(0), this.garbage),
      ...after.map(([command, payload]) => this.message(command, payload)),
    ]);
  }

  /** A packet carrying `command` and `payload`. */
  message(command: string, payload: Uint8Array): Uint8Array {
    return this.packet(concat([encodeMessageType(command), payload]));
  }
}
