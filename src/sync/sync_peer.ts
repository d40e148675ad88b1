/**
 * What the block manager needs of a peer: the subset of `Peer` it uses, so
 * tests and the simulator can hand it anything shaped like one, and
 * `attachPeer`, which wires a real `Peer`'s events to a manager.
 */
import type { Peer } from "../peer/peer.ts";
import type { Message } from "../wire/message.ts";

/** A connected peer as the block manager sees it (`Peer` satisfies it). */
export interface SyncPeer {
  /** Node-wide id. */
  readonly id: number;
  /** Outbound peers are preferred for header sync. */
  readonly direction: "inbound" | "outbound";
  /**
   * What the remote is known to have (bounded; `Peer.known`). The peer
   * itself records every block hash it receives in an `inv`; the block
   * manager adds what it learns beyond that (headers, blocks, relays).
   */
  readonly known: {
    has(hash: Uint8Array): boolean;
    add(hash: Uint8Array): void;
  };
  /** Negotiated features; `sendHeaders` picks headers over inv for announcements. */
  readonly features: { readonly sendHeaders: boolean };
  /** min(our protocol version, theirs). */
  readonly negotiatedVersion: number;
  /** The remote's `version` (its services and claimed height), once received. */
  readonly remoteVersion: { readonly services: bigint; readonly startHeight: number } | null;
  /** Bytes waiting in the send queue (getdata serving pauses while this is high). */
  readonly queuedBytes: number;
  /** Queues a message; false when it was not sent (not ready, closed, queue full). */
  send(msg: Message): boolean;
  /** Adds misbehaviour points (the `*_POINTS` constants of block_manager.ts). */
  misbehave(points: number, reason: string, transient?: boolean): void;
  /** `203.0.113.7:8333 (outbound)`: the one string form. */
  toString(): string;
}

/** The part of `BlockManager` that `attachPeer` drives. */
export interface SyncPeerOwner {
  addPeer(peer: SyncPeer): void;
  removePeer(id: number): void;
  onMessage(peer: SyncPeer, msg: Message): void;
}

/**
 * Hands `peer`'s events to `owner`: "ready" (or now, when the handshake is
 * already done) adds it, "message" goes to `onMessage`, "disconnected"
 * removes it. Returns the function that detaches (and removes the peer).
 */
export function attachPeer(owner: SyncPeerOwner, peer: Peer): () => void {
  let added = false;
  const add = () => {
    if (added) return;
    added = true;
    owner.addPeer(peer);
  };
  const remove = () => {
    if (!added) return;
    added = false;
    owner.removePeer(peer.id);
  };
  const offs = [
    peer.on("ready", add),
    peer.on("message", (msg) => owner.onMessage(peer, msg)),
    peer.on("disconnected", remove),
  ];
  if (peer.state === "ready") add();
  return () => {
    for (const off of offs) off();
    remove();
  };
}
