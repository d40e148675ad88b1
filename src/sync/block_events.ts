/**
 * What the block manager tells its owner: a block was accepted, a block was
 * announced to peers, our tip or a peer's best header moved. The node turns
 * them into its own events and the relay latency metric, and hands the
 * chain progress to the connection manager; tests and benches record them.
 */

/** Emitted when a block is accepted. */
export interface BlockAcceptedEvent {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  /** True when its header is on the best chain. */
  readonly onBestChain: boolean;
  /** Serialized size in bytes. */
  readonly size: number;
  /** The sender's string form; absent for a block injected without a peer. */
  readonly from?: string;
  /** Clock time of acceptance, Unix ms. */
  readonly receivedAt: number;
}

/** Emitted when a block was announced to peers. */
export interface BlockRelayedEvent {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  /** The peers it was announced to (string forms). */
  readonly to: readonly string[];
  /** Milliseconds from the block's acceptance to this announcement (the relay latency). */
  readonly latencyMs: number;
}

/** Emitted when our best tip moved, or a peer showed us a better header than before. */
export interface ChainProgressEvent {
  /** The peer whose message it was; null for a block submitted locally. */
  readonly peerId: number | null;
  /** Our best tip moved. */
  readonly tipChanged: boolean;
}

/** The events of a block manager. */
export interface BlockManagerEvents {
  accepted: [BlockAcceptedEvent];
  relayed: [BlockRelayedEvent];
  chain: [ChainProgressEvent];
}
