/**
 * Header sync progress for the node's status: our header height, the heights
 * peers announced, and the rate headers are accepted (headers per second
 * over a sliding window of whole seconds, on an injected clock).
 */

/** Seconds the headers-per-second rate is averaged over. */
export const SYNC_RATE_WINDOW_SECONDS = 10;

/** A snapshot of header sync. */
export interface HeaderSyncStatus {
  /** Our best header height. */
  readonly height: number;
  /** Highest height any connected peer announced (−1 with no peer). */
  readonly bestPeerHeight: number;
  /** Announced start heights by peer id. */
  readonly peerHeights: Readonly<Record<string, number>>;
  /** Headers accepted per second over the last `SYNC_RATE_WINDOW_SECONDS`. */
  readonly headersPerSecond: number;
  /** True when no peer claims more than we have (and at least one peer is known). */
  readonly caughtUp: boolean;
}

/** Collects header sync figures. */
export class HeaderSyncProgress {
  readonly #now: () => number;
  readonly #peers = new Map<number, number>();
  /** Headers accepted in each second of the window, indexed by second mod window. */
  readonly #counts = new Float64Array(SYNC_RATE_WINDOW_SECONDS);
  /** The second each slot of `#counts` belongs to. */
  readonly #seconds = new Float64Array(SYNC_RATE_WINDOW_SECONDS).fill(-1);

  /** `now` gives Unix milliseconds (the Clock port's `now`). */
  constructor(now: () => number) {
    this.#now = now;
  }

  /** Records `n` headers accepted now. */
  recordAccepted(n: number): void {
    const second = Math.floor(this.#now() / 1000);
    const slot = second % SYNC_RATE_WINDOW_SECONDS;
    if (this.#seconds[slot] !== second) {
      this.#seconds[slot] = second;
      this.#counts[slot] = 0;
    }
    this.#counts[slot] += n;
  }

  /** Records the height a peer announced (its version start height, or a later one). */
  setPeerHeight(peerId: number, height: number): void {
    this.#peers.set(peerId, Math.max(height, this.#peers.get(peerId) ?? -1));
  }

  /** Forgets a disconnected peer. */
  removePeer(peerId: number): void {
    this.#peers.delete(peerId);
  }

  /** The figures now, given our header height. */
  status(height: number): HeaderSyncStatus {
    const second = Math.floor(this.#now() / 1000);
    let total = 0;
    for (let i = 0; i < SYNC_RATE_WINDOW_SECONDS; i++) {
      const age = second - this.#seconds[i];
      if (this.#seconds[i] >= 0 && age >= 0 && age < SYNC_RATE_WINDOW_SECONDS) {
        total += this.#counts[i];
      }
    }
    const peerHeights: Record<string, number> = {};
    let bestPeerHeight = -1;
    for (const [id, h] of this.#peers) {
      peerHeights[String(id)] = h;
      bestPeerHeight = Math.max(bestPeerHeight, h);
    }
    return {
      height,
      bestPeerHeight,
      peerHeights,
      headersPerSecond: total / SYNC_RATE_WINDOW_SECONDS,
      caughtUp: bestPeerHeight >= 0 && height >= bestPeerHeight,
    };
  }
}
