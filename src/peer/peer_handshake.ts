/**
 * One peer's version handshake, driven: where it is (the state machine of
 * `handshake.ts`), our `version` with a nonce that detects a connection to
 * ourselves, the remote's `version` checked and answered (`wtxidrelay` and
 * `sendaddrv2` to recent peers, then `verack`), the protocol version both
 * speak and the remote clock's offset from ours. The peer (`peer.ts`) hands
 * it the handshake's messages; it sends through the peer and asks the peer
 * to close when the remote's `version` is unacceptable.
 */
import type { Clock } from "../platform/clock.ts";
import { PROTOCOL_VERSION } from "../version.ts";
import type { AddressPort } from "../wire/host_port.ts";
import type { Message } from "../wire/message.ts";
import type { VersionMessage } from "../wire/messages/version.ts";
import {
  checkVersion,
  type HandshakeState,
  type HandshakeStep,
  handshakeStep,
  initialHandshakeState,
  negotiatedVersion,
  ourVersion,
  type PeerDirection,
  WTXID_RELAY_VERSION,
} from "./handshake.ts";
import { randomNonce } from "./liveness.ts";
import type { PeerSettings } from "./peer_options.ts";

/** What a `PeerHandshake` needs. */
export interface PeerHandshakeOptions {
  readonly direction: PeerDirection;
  /** The remote as we reach it (named in our `version`). */
  readonly address: AddressPort;
  readonly settings: PeerSettings;
  readonly clock: Clock;
  /** Queues a handshake message (encoded and framed) on the connection. */
  readonly send: (msg: Message) => void;
  /** The remote's `version` is unacceptable: the peer closes with `reason`. */
  readonly fail: (reason: string) => void;
}

/** The handshake of one peer. */
export class PeerHandshake {
  readonly #o: PeerHandshakeOptions;
  #state: HandshakeState;
  /** Our `version`'s nonce while it is in flight (in `localNonces`). */
  #nonce: bigint | null = null;
  #remote: VersionMessage | null = null;
  #timeOffsetSeconds: number | null = null;
  #negotiated = 0;

  constructor(options: PeerHandshakeOptions) {
    this.#o = options;
    this.#state = initialHandshakeState(options.direction);
  }

  /** Where the handshake is ("closed" after a disconnect). */
  get state(): HandshakeState {
    return this.#state;
  }

  /** The remote's `version` message, once received. */
  get remote(): VersionMessage | null {
    return this.#remote;
  }

  /** min(our protocol version, theirs) once their `version` arrived, else 0. */
  get negotiated(): number {
    return this.#negotiated;
  }

  /** Their `version`'s timestamp less our clock, seconds; null before it arrived. */
  get timeOffsetSeconds(): number | null {
    return this.#timeOffsetSeconds;
  }

  /** What receiving `command` does now, and the state it leads to. */
  step(command: string): HandshakeStep {
    return handshakeStep(this.#state, command);
  }

  /** Sends our `version` (outbound: once the transport is open; inbound: after theirs). */
  sendVersion(): void {
    const { settings: s, clock } = this.#o;
    const nonce = randomNonce(s.random);
    this.#nonce = nonce;
    s.localNonces.add(nonce);
    this.#o.send(ourVersion({
      services: s.services,
      timestamp: Math.floor(clock.now() / 1000),
      remote: this.#o.address,
      remoteServices: this.#remote?.services ?? 0n,
      nonce,
      userAgent: s.userAgent,
      startHeight: s.bestHeight(),
    }));
  }

  /** The remote's `version`: checked, then answered; the state moves to `next`. */
  acceptVersion(msg: VersionMessage, next: HandshakeState): void {
    const { settings, direction } = this.#o;
    this.#remote = msg;
    this.#timeOffsetSeconds = msg.timestamp - Math.floor(this.#o.clock.now() / 1000);
    const problem = checkVersion(msg, {
      direction,
      localNonces: settings.localNonces,
      minProtocolVersion: settings.minProtocolVersion,
      requiredServices: settings.requiredServices,
    });
    if (problem !== null) {
      this.#o.fail(problem);
      return;
    }
    this.#state = next;
    this.#negotiated = negotiatedVersion(PROTOCOL_VERSION, msg.version);
    if (direction === "inbound") this.sendVersion();
    if (this.#negotiated >= WTXID_RELAY_VERSION) {
      this.#o.send({ command: "wtxidrelay" });
      this.#o.send({ command: "sendaddrv2" });
    }
    this.#o.send({ command: "verack" });
  }

  /** The remote's `verack`: the state moves to `next` (ready); our nonce is retired. */
  complete(next: HandshakeState): void {
    this.#state = next;
    this.#forgetNonce();
  }

  /** The connection closes: "closed", our nonce retired. True when it had been ready. */
  close(): boolean {
    const wasReady = this.#state === "ready";
    this.#state = "closed";
    this.#forgetNonce();
    return wasReady;
  }

  #forgetNonce(): void {
    if (this.#nonce !== null) this.#o.settings.localNonces.delete(this.#nonce);
  }
}
