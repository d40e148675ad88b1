/**
 * The initial header sync: one sync peer at a time. The first candidate
 * (outbound peers first, inbound ones only when no outbound peer is
 * connected; the highest claimed height among them) is asked for headers;
 * every full `headers` answer (2,000) is followed by the next request, and
 * a shorter one means it has nothing more: we are synced. A sync peer that
 * does not answer within the stall timeout is set aside and the next
 * candidate takes over. Once synced this machine is done: new blocks arrive
 * through announcements, and the block manager asks any peer whose headers
 * do not connect.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Random } from "../platform/random.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * How long a sync peer has to answer `getheaders` before we switch to
 * another. Core net_processing HEADERS_RESPONSE_TIME (2 minutes).
 */
export const HEADERS_RESPONSE_TIMEOUT_MS = 2 * 60_000;

/** Where header sync stands. */
export type HeaderSyncState =
  /** No sync peer: none connected yet, or every candidate stalled. */
  | "waiting"
  /** Headers are being fetched from the sync peer. */
  | "syncing"
  /** A sync peer had nothing more to give. */
  | "synced";

/** What a `HeaderSync` needs. */
export interface HeaderSyncOptions {
  readonly clock: Clock;
  /** Aborting cancels the stall timer (the manager stopping). */
  readonly signal: AbortSignal;
  readonly stallTimeoutMs: number;
  readonly random: Random;
  readonly logger: Logger;
  /** The connected peers (candidates). */
  readonly peers: () => Iterable<SyncPeer>;
  /** Sends `getheaders` from our best header to `peer`; false when not sent. */
  readonly request: (peer: SyncPeer) => boolean;
  /** Called once, when the state becomes "synced". */
  readonly onSynced: () => void;
}

/** The one-sync-peer state machine. */
export class HeaderSync {
  readonly #options: HeaderSyncOptions;
  /** Peers that stalled as sync peer: not chosen again. */
  readonly #stalled = new Set<number>();
  #state: HeaderSyncState = "waiting";
  #peer: SyncPeer | null = null;
  #cancelTimer: (() => void) | null = null;

  constructor(options: HeaderSyncOptions) {
    this.#options = options;
  }

  /** Where sync stands. */
  get state(): HeaderSyncState {
    return this.#state;
  }

  /** The current sync peer, or null. */
  get syncPeer(): SyncPeer | null {
    return this.#peer;
  }

  /** A peer connected: starts syncing with a candidate when waiting. */
  peerAdded(): void {
    if (this.#state === "waiting") this.#startNext();
  }

  /** A peer left: when it was the sync peer, the next candidate takes over. */
  peerRemoved(id: number): void {
    this.#stalled.delete(id);
    if (this.#peer?.id !== id) return;
    this.#stop();
    this.#startNext();
  }

  /**
   * A `headers` answer from `peerId` arrived; `full` when it carried the
   * most a message may (more follow: the manager asks for them). From the
   * sync peer, a full answer restarts the stall timer and a short one ends
   * the sync.
   */
  headersReceived(peerId: number, full: boolean): void {
    if (this.#state !== "syncing" || this.#peer?.id !== peerId) return;
    if (full) {
      this.#armTimer();
      return;
    }
    this.#stop();
    this.#state = "synced";
    this.#options.onSynced();
  }

  /** Cancels the stall timer. */
  close(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #startNext(): void {
    const peer = this.#candidate();
    if (peer === null) {
      this.#state = "waiting";
      return;
    }
    if (!this.#options.request(peer)) {
      this.#stalled.add(peer.id);
      this.#startNext();
      return;
    }
    this.#state = "syncing";
    this.#peer = peer;
    this.#armTimer();
    this.#options.logger.debug("header sync started", { peer: peer.toString() });
  }

  /** Outbound first (inbound only when no usable outbound peer), then the highest claimed height. */
  #candidate(): SyncPeer | null {
    const all = [...this.#options.peers()].filter((p) => !this.#stalled.has(p.id));
    const outbound = all.some((p) => p.direction === "outbound");
    let best: SyncPeer[] = [];
    let bestHeight = -Infinity;
    for (const p of all) {
      if (outbound && p.direction !== "outbound") continue;
      const height = p.remoteVersion?.startHeight ?? 0;
      if (height > bestHeight) {
        best = [p];
        bestHeight = height;
      } else if (height === bestHeight) best.push(p);
    }
    return best.length === 0 ? null : best[this.#options.random.int(best.length)];
  }

  #armTimer(): void {
    this.#cancelTimer?.();
    const peer = this.#peer;
    if (peer === null) return;
    const { clock, signal, stallTimeoutMs, logger } = this.#options;
    this.#cancelTimer = clock.setTimer(stallTimeoutMs, () => {
      this.#cancelTimer = null;
      if (this.#peer !== peer) return;
      logger.info("header sync peer stalled; switching", {
        peer: peer.toString(),
        timeoutMs: stallTimeoutMs,
      });
      this.#stalled.add(peer.id);
      this.#stop();
      this.#startNext();
    }, signal);
  }

  #stop(): void {
    this.close();
    this.#peer = null;
    this.#state = "waiting";
  }
}
