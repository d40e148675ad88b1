/**
 * The v1 transport: plaintext framing (`v1_framing.ts`) behind the
 * `Transport` interface. It has no handshake of its own, so it is open from
 * `start`. Received chunks go through one `FrameDecoder`; a bad checksum
 * drops just its frame, any other framing error loses the stream. Outgoing
 * frames are one buffer, or header and payload apart when the payload is
 * large enough that copying it would cost more than a second write.
 */
import type { Sha256 } from "../platform/hash.ts";
import { DecodeError } from "../wire/errors.ts";
import type { Transport, TransportInfo, TransportOwner } from "./transport.ts";
import { encodeFrame, encodeHeader, FrameDecoder, HEADER_SIZE } from "./v1_framing.ts";

/**
 * Payloads this large are written after their header instead of copied into
 * one frame with it (a relayed block is sent as the very bytes received).
 */
export const SEPARATE_PAYLOAD_BYTES = 64 * 1024;

/** What a v1 transport says of itself: always the same. */
const V1_INFO: TransportInfo = { protocol: "v1", sessionId: "", reconnectV1: false };

/** v1 framing on one connection: the network's magic, SHA-256d checksums. */
export class V1Transport implements Transport {
  readonly #magic: Uint8Array;
  readonly #sha256: Sha256;
  readonly #owner: TransportOwner;
  readonly #signal: AbortSignal;
  readonly #decoder: FrameDecoder;

  /** `magic`: the network's 4 message-start bytes (`NetworkParams.magic`). */
  constructor(magic: Uint8Array, sha256: Sha256, owner: TransportOwner, signal: AbortSignal) {
    this.#magic = magic;
    this.#sha256 = sha256;
    this.#owner = owner;
    this.#signal = signal;
    this.#decoder = new FrameDecoder(magic, sha256);
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
      this.#owner.frame(frame.command, frame.payload, HEADER_SIZE + frame.payload.length);
    }
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
