/**
 * The seam between a peer and the bytes of its connection. A transport turns
 * received bytes into frames (a command string and a payload) and a frame to
 * send into bytes; it knows no message beyond that. It does no I/O of its
 * own: the peer reads the connection and hands over each chunk, and writes
 * what the transport gives it through its bounded send queue, so a transport
 * is tested, fuzzed and benchmarked without a socket.
 *
 * Implementations: v1 plaintext framing (`v1_transport.ts`) and BIP324 v2
 * (`v2_transport.ts`), with no branch in the peer: v2 starts by sending
 * bytes of its own (its public key and garbage), answers during its
 * handshake (terminator, version packet) through `write`, and calls `open`
 * only once both sides' keys are known, so the peer's first message waits
 * for the encryption it travels in. A v2 responder that sees a v1 `version`
 * header first falls back to v1 framing inside its own `receive`, as Core's
 * V2Transport does. What the peer shows of it (`/peers`) and whether a failed
 * outbound v2 attempt should be retried as v1 are asked through `info`.
 */
import type { DecodeError } from "../wire/errors.ts";

/**
 * Largest payload accepted or sent, on either transport. Core net.h
 * MAX_PROTOCOL_MESSAGE_LENGTH (4 MB, the largest serialized block).
 */
export const MAX_PAYLOAD = 4_000_000;

/**
 * What a transport tells its owner (the peer). Every call is synchronous,
 * from within `start` or `receive`.
 */
export interface TransportOwner {
  /** Messages may be encoded and sent from now on (v1: during `start`). */
  open(): void;
  /**
   * One complete frame, verified (or, for a frame `Transport.intact`
   * answers about, checked right after this returns). `payload` may be a
   * view of a received chunk and must not be modified; `wireBytes` is what
   * the frame took on the wire, framing included.
   */
  frame(command: string, payload: Uint8Array, wireBytes: number): void;
  /**
   * Received bytes that are not a valid frame. `fatal`: the stream is lost
   * (nothing after it can be decoded; the owner should disconnect).
   * Otherwise only that frame was dropped and decoding goes on.
   */
  malformed(error: DecodeError, fatal: boolean): void;
  /**
   * Bytes of the transport's own (a handshake), to be sent in order before
   * anything queued later. Not copied: the transport does not reuse them.
   */
  write(chunks: Uint8Array[]): void;
}

/** One connection's transport. Make one per connection with a `TransportFactory`. */
export interface Transport {
  /** Starts the transport: its own first bytes (if any), and `open` once messages may flow. */
  start(): void;
  /**
   * Decodes the next chunk received, reporting to the owner as it goes.
   * Does nothing once the signal given at creation has aborted, and stops
   * mid-chunk when it aborts from within a report. The chunk must not be
   * modified afterwards (frames may be views of it).
   */
  receive(chunk: Uint8Array): void;
  /**
   * The bytes that carry `payload` under `command`: chunks to write in
   * order, the payload itself possibly among them (do not modify it
   * afterwards). Only after `open`. Throws `RangeError` for a frame no
   * transport may carry (a command name that is not 1-12 printable ASCII
   * characters, a payload over `MAX_PAYLOAD`): the caller's mistake.
   */
  encode(command: string, payload: Uint8Array): Uint8Array[];
  /**
   * Optional: false when `payload`, a frame being handed over before its
   * integrity was checked (v1 hands large blocks over first), fails that
   * check. A transport without it (v2: every packet is
   * authenticated before it is decrypted) hands over only checked frames.
   */
  intact?(payload: Uint8Array): boolean;
  /** What the transport is now (see `TransportInfo`). */
  info(): TransportInfo;
}

/**
 * Which protocol a connection speaks, Core's getpeerinfo
 * `transport_protocol_type`: "detecting" while a v2 transport does not know
 * yet (a responder before the first bytes tell v1 from v2; either side
 * before the remote's version packet proved the keys match).
 */
export type TransportProtocol = "v1" | "v2" | "detecting";

/** What a transport says of itself. */
export interface TransportInfo {
  readonly protocol: TransportProtocol;
  /** The v2 session id (both ends hold the same), hex; "" unless `protocol` is "v2". */
  readonly sessionId: string;
  /**
   * Core's ShouldReconnectV1: this was our v2 attempt and nothing at all came
   * back (a v1 peer drops a connection whose first bytes are not its
   * network's magic). If it ends so, the dialler may try the address once
   * more with v1.
   */
  readonly reconnectV1: boolean;
}

/** Makes the transport of one connection, reporting to `owner`, silent once `signal` aborts. */
export type TransportFactory = (owner: TransportOwner, signal: AbortSignal) => Transport;
