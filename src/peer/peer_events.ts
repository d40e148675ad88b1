/**
 * What a peer tells its owner: the events it emits ("ready", "message",
 * "misbehaving", "disconnected") with their arguments. The owner (the
 * node's message dispatch, the connection manager) subscribes with
 * `peer.on`.
 */
import type { Message } from "../wire/message.ts";

/** Sent with the "misbehaving" event when a peer's score reaches the ban threshold. */
export interface MisbehaviourReport {
  /** The score reached. */
  readonly score: number;
  /** The offence that reached it. */
  readonly reason: string;
  /**
   * True: the owner should ban the address (the peer disconnects itself).
   * False for persistent peers, which are never banned automatically.
   */
  readonly banned: boolean;
}

/** The events a peer emits, with their arguments. */
export interface PeerEvents {
  /** The handshake completed; `send` works from now on. */
  ready: [];
  /** A post-handshake message for the owner (addr, inv, getdata, headers, block...). */
  message: [Message];
  /** The misbehaviour score reached the ban threshold (once per peer). */
  misbehaving: [MisbehaviourReport];
  /** The connection is gone (emitted exactly once, with the first reason). */
  disconnected: [reason: string];
}
