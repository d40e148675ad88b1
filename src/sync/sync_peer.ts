/**
 * What the sync layer needs of a peer: the subset of `Peer` it uses,
 * declared here so the block manager depends on no more of a peer than
 * this, and tests can hand it anything shaped like one. The node's message
 * dispatch hands it real peers.
 */
import type { Message } from "../wire/message.ts";

/** A connected peer as the block manager sees it (`Peer` satisfies it). */
export interface SyncPeer {
  /** Node-wide id. */
  readonly id: number;
  /** Outbound peers are preferred for header sync. */
  readonly direction: "inbound" | "outbound";
  /**
   * What the remote is known to have (bounded; `Peer.known`). The peer
   * itself records every block hash it receives in an `inv`, the last of a
   * `headers` message and that of a `cmpctblock`; the block manager adds
   * what it learns beyond that (blocks, relays).
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
  /**
   * Optional: false when `payload` (a block being handled) arrived damaged:
   * its transport hands large blocks over before checking their checksum.
   */
  payloadIntact?(payload: Uint8Array): boolean;
  /** Queues a message; false when it was not sent (not ready, closed, queue full). */
  send(msg: Message): boolean;
  /** Closes the connection with `reason` (a request we will not serve, say). */
  disconnect(reason: string): Promise<void>;
  /** Adds misbehaviour points (what `penalties.ts` gives the offence). */
  misbehave(points: number, reason: string, transient?: boolean): void;
  /** `203.0.113.7:8333 (outbound)`: the one string form. */
  toString(): string;
}
