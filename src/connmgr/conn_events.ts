/**
 * What the connection manager tells the node beyond connections coming and
 * going: a potentially stale tip was detected (so an extra outbound peer is
 * tried), and a peer was evicted by one of the rules that keep the node on
 * the honest chain or make room (the node publishes both as its events).
 */
import type { ConnKind } from "./connection.ts";

/** Which rule evicted a peer. */
export type EvictionRule =
  /** An outbound peer whose chain stayed behind ours (`chain_sync.ts`). */
  | "chain-sync"
  /** The extra full-relay peer of a stale tip, or the one it replaced (`outbound_eviction.ts`). */
  | "extra-full-relay"
  /** The extra block-relay-only peer, or the one it replaced (`outbound_eviction.ts`). */
  | "extra-block-relay"
  /** An inbound peer, to make room for a new one (`eviction.ts`). */
  | "inbound";

/** One event of the connection manager. */
export type ConnEvent =
  | {
    readonly type: "stale-tip";
    /** Clock time (ms) our tip last changed. */
    readonly lastTipChangeAt: number;
  }
  | {
    readonly type: "evicted";
    readonly id: number;
    /** The peer's string form. */
    readonly peer: string;
    readonly kind: ConnKind;
    readonly rule: EvictionRule;
    /** The disconnect reason. */
    readonly reason: string;
  };
