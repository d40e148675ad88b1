/**
 * The v1 transport: plaintext framing (`v1_framing.ts`) behind the
 * `Transport` interface. It has no handshake of its own, so it is open from
 * `start`. Received chunks go through one `FrameDecoder`; a bad checksum
 * drops just its frame, any other framing error loses the stream. Outgoing
 * frames are one buffer, or header and payload apart when the payload is
 * large enough that copying it would cost more than a second write.
 *
 * A large `block` is handed over before its checksum is checked
 * (`UNCHECKED_COMMANDS`), then checked once its owner has handled it: a
 * block is checked by its own commitments as it is accepted (merkle root,
 * witness commitment), so hashing it whole for the checksum first only
 * delays its relay. A block whose checksum fails is reported as a bad
 * checksum after the fact; its owner can ask first (`intact`), as before
 * blaming its sender for a block that fails: corruption in transit is not
 * a mutated block.
 */
import type { Sha256 } from "../platform/hash.ts";
import { bytesEqual } from "../wire/bytes.ts";
import { DecodeError } from "../wire/errors.ts";
import type { Transport, TransportInfo, TransportOwner } from "./transport.ts";
import {
  checksumError,
  encodeFrame,
  encodeHeader,
  FrameDecoder,
  HEADER_SIZE,
  receivedChecksum,
} from "./v1_framing.ts";

/**
 * Payloads this large are written after their header instead of copied into
 * one frame with it (a relayed block is sent as the very bytes received).
 */
export const SEPARATE_PAYLOAD_BYTES = 64 * 1024;
/** Commands whose large payloads are handed over before their checksum is checked. */
export const UNCHECKED_COMMANDS: ReadonlySet<string> = new Set(["block"]);

/** A frame handed over unchecked, while its owner handles it. */
interface Unchecked {
  readonly command: string;
  readonly payload: Uint8Array;
  readonly claimed: Uint8Array;
  /** Its checksum, once computed. */
  sum: Uint8Array | null;
}

/** What a v1 transport says of itself: always the same. */
const V1_INFO: TransportInfo = { protocol: "v1", sessionId: "", reconnectV1: false };

/** v1 framing on one connection: the network's magic, SHA-256d checksums. */
export class V1Transport implements Transport {
  readonly #magic: Uint8Array;
  readonly #sha256: Sha256;
  readonly #owner: TransportOwner;
  readonly #signal: AbortSignal;
  readonly #decoder: FrameDecoder;
  #unchecked: Unchecked | null = null;

  /** `magic`: the network's 4 message-start bytes (`NetworkParams.magic`). */
  constructor(magic: Uint8Array, sha256: Sha256, owner: TransportOwner, signal: AbortSignal) {
    this.#magic = magic;
    this.#sha256 = sha256;
    this.#owner = owner;
    this.#signal = signal;
    this.#decoder = new FrameDecoder(magic, sha256, UNCHECKED_COMMANDS);
  }

  /** v1 sends nothing of its own: open at once. */
  start(): void {
    this.#owner.open();
  }

  /** Decodes `chunk` into frames (see `Transport.receive`). */
  receive(chunk: Uint8Array): void {
    if (this.#signal.aborted) return;
    this.#decoder.push(chunk);
    while (!this.#signal.aborted) {
      let frame;
      try {
        frame = this.#decoder.next();
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        // Only a bad checksum leaves the stream in step; the other errors end it.
        const fatal = error.kind !== "checksum";
        this.#owner.malformed(error, fatal);
        if (fatal) return;
        continue;
      }
      if (frame === null) return;
      const { command, payload, claimed } = frame;
      if (claimed === null) {
        this.#owner.frame(command, payload, HEADER_SIZE + payload.length);
        continue;
      }
      const unchecked: Unchecked = { command, payload, claimed, sum: null };
      this.#unchecked = unchecked;
      this.#owner.frame(command, payload, HEADER_SIZE + payload.length);
      this.#unchecked = null;
      if (this.#signal.aborted) return;
      const sum = unchecked.sum ?? receivedChecksum(this.#sha256, payload);
      if (!bytesEqual(sum, claimed)) {
        this.#owner.malformed(checksumError(command, sum, claimed), false);
      }
    }
  }

  /**
   * False when `payload` is the frame being handed over unchecked and its
   * checksum fails (checked now); true for anything else.
   */
  intact(payload: Uint8Array): boolean {
    const unchecked = this.#unchecked;
    if (unchecked === null || unchecked.payload !== payload) return true;
    unchecked.sum ??= receivedChecksum(this.#sha256, payload);
    return bytesEqual(unchecked.sum, unchecked.claimed);
  }

  /** One frame, or header and payload apart from `SEPARATE_PAYLOAD_BYTES` (see `Transport.encode`). */
  encode(command: string, payload: Uint8Array): Uint8Array[] {
    return payload.length >= SEPARATE_PAYLOAD_BYTES
      ? [encodeHeader(this.#magic, command, payload, this.#sha256), payload]
      : [encodeFrame(this.#magic, command, payload, this.#sha256)];
  }

  /** v1, no session id, never retried as v1. */
  info(): TransportInfo {
    return V1_INFO;
  }
}
