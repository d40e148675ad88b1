/**
 * The initial header sync: one sync peer at a time. The first candidate
 * (outbound peers first, inbound ones only when no outbound peer is
 * connected; the highest claimed height among them) is asked for headers;
 * the intake follows every answer that may have more with the next
 * request, and an answer with nothing more ends the sync: synced, when our
 * chain has the network's minimum chain work, or else the peer had nothing
 * worth having and the next candidate is tried.
 *
 * A sync peer cannot hold the sync for itself:
 * - Progress is new work (headers stored, or a presync that advanced), not
 *   a full message: one that makes none for `stallTimeoutMs` (Core
 *   HEADERS_RESPONSE_TIME) is set aside, and so is a silent one.
 * - The whole sync with one peer may take `HEADERS_DOWNLOAD_TIMEOUT_BASE_MS`
 *   plus `HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS` per header expected up to
 *   now (Core's headers-sync timeout); past it, the peer is replaced as soon
 *   as there is another candidate.
 * - An inbound sync peer gives way to an outbound peer that connects (an
 *   inbound peer may win the race at start: listeners open before dials).
 *
 * A set-aside peer is not chosen again. Once synced this machine is done:
 * new blocks arrive through announcements.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Random } from "../platform/random.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * How long a sync peer may go without progress (no answer, or answers
 * without new work) before we switch. Core net_processing
 * HEADERS_RESPONSE_TIME (2 minutes).
 */
export const HEADERS_RESPONSE_TIMEOUT_MS = 2 * 60_000;
/** The headers-sync timeout's fixed part. Core HEADERS_DOWNLOAD_TIMEOUT_BASE (15 minutes). */
export const HEADERS_DOWNLOAD_TIMEOUT_BASE_MS = 15 * 60_000;
/** The headers-sync timeout per expected header. Core HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER (1 ms). */
export const HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS = 1;

/** Where header sync stands. */
export type HeaderSyncState =
  /** No sync peer: none connected yet, or every candidate was set aside. */
  | "waiting"
  /** Headers are being fetched from the sync peer. */
  | "syncing"
  /** A sync peer had nothing more to give. */
  | "synced";

/** What the sync peer's latest `headers` message did. */
export interface SyncAnswer {
  /** True when it was followed with another request (the peer has more). */
  readonly more: boolean;
  /** True when it brought new work (headers stored, presync advanced). */
  readonly progressed: boolean;
}

/** What a `HeaderSync` needs. */
export interface HeaderSyncOptions {
  readonly clock: Clock;
  /** Aborting cancels the timers (the manager stopping). */
  readonly signal: AbortSignal;
  /** How long the sync peer may go without progress. */
  readonly stallTimeoutMs: number;
  readonly random: Random;
  readonly logger: Logger;
  /** The connected peers (candidates). */
  readonly peers: () => Iterable<SyncPeer>;
  /** Sends `getheaders` from our best header to `peer`; false when not sent. */
  readonly request: (peer: SyncPeer) => boolean;
  /** Headers expected between our best header and now (for the headers-sync timeout). */
  readonly expectedHeaders: () => number;
  /** True when our chain has the network's minimum chain work. */
  readonly enoughWork: () => boolean;
  /** Called once, when the state becomes "synced". */
  readonly onSynced: () => void;
}

/** The one-sync-peer state machine. */
export class HeaderSync {
  readonly #options: HeaderSyncOptions;
  /** Peers set aside as sync peer: not chosen again. */
  readonly #setAside = new Set<number>();
  #state: HeaderSyncState = "waiting";
  #peer: SyncPeer | null = null;
  #cancelStall: (() => void) | null = null;
  #cancelDeadline: (() => void) | null = null;
  /** The sync peer is past the headers-sync timeout (replaced when another candidate comes). */
  #overdue = false;

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

  /**
   * A peer connected: starts syncing when waiting; replaces an inbound or
   * overdue sync peer when it is a better candidate.
   */
  peerAdded(peer: SyncPeer): void {
    if (this.#state === "waiting") {
      this.#startNext();
      return;
    }
    const current = this.#peer;
    if (this.#state !== "syncing" || current === null || this.#setAside.has(peer.id)) return;
    if (this.#overdue) {
      this.#replace("header sync peer past the headers-sync timeout; switching", true);
    } else if (current.direction === "inbound" && peer.direction === "outbound") {
      this.#replace("outbound peer connected; header sync moves to it", false);
    }
  }

  /** A peer left: when it was the sync peer, the next candidate takes over. */
  peerRemoved(id: number): void {
    this.#setAside.delete(id);
    if (this.#peer?.id !== id) return;
    this.#stop();
    this.#startNext();
  }

  /**
   * A `headers` message from `peerId` was handled. From the sync peer,
   * progress restarts the stall timer, and an answer with nothing more ends
   * the sync with it (see the file comment).
   */
  headersReceived(peerId: number, answer: SyncAnswer): void {
    if (this.#state !== "syncing" || this.#peer?.id !== peerId) return;
    if (answer.progressed) this.#armStall();
    if (answer.more) return;
    if (this.#options.enoughWork()) {
      this.#stop();
      this.#state = "synced";
      this.#options.onSynced();
      return;
    }
    this.#replace("header sync peer has no chain with the minimum chain work; switching", true);
  }

  /** Cancels the timers. */
  close(): void {
    this.#cancelStall?.();
    this.#cancelStall = null;
    this.#cancelDeadline?.();
    this.#cancelDeadline = null;
  }

  #startNext(): void {
    for (;;) {
      const peer = this.#candidate();
      if (peer === null) {
        this.#state = "waiting";
        return;
      }
      if (!this.#options.request(peer)) {
        this.#setAside.add(peer.id);
        continue;
      }
      this.#state = "syncing";
      this.#peer = peer;
      this.#overdue = false;
      this.#armStall();
      this.#armDeadline();
      this.#options.logger.debug("header sync started", { peer: peer.toString() });
      return;
    }
  }

  /** Outbound first (inbound only when no usable outbound peer), then the highest claimed height. */
  #candidate(): SyncPeer | null {
    const all = [...this.#options.peers()].filter((p) =>
      !this.#setAside.has(p.id) && p !== this.#peer
    );
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

  /** Moves the sync to the next candidate; `setAside` keeps the old peer from being chosen again. */
  #replace(why: string, setAside: boolean): void {
    const old = this.#peer;
    if (old === null) return;
    this.#options.logger.info(why, { peer: old.toString() });
    if (setAside) this.#setAside.add(old.id);
    this.#stop();
    this.#startNext();
  }

  #armStall(): void {
    this.#cancelStall?.();
    const peer = this.#peer;
    if (peer === null) return;
    const { clock, signal, stallTimeoutMs, logger } = this.#options;
    this.#cancelStall = clock.setTimer(stallTimeoutMs, () => {
      this.#cancelStall = null;
      if (this.#peer !== peer) return;
      logger.info("header sync peer stalled; switching", {
        peer: peer.toString(),
        timeoutMs: stallTimeoutMs,
      });
      this.#setAside.add(peer.id);
      this.#stop();
      this.#startNext();
    }, signal);
  }

  /** The headers-sync timeout of the peer just chosen (Core's m_headers_sync_timeout). */
  #armDeadline(): void {
    this.#cancelDeadline?.();
    const peer = this.#peer;
    if (peer === null) return;
    const { clock, signal } = this.#options;
    const timeoutMs = HEADERS_DOWNLOAD_TIMEOUT_BASE_MS +
      HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS * Math.max(0, this.#options.expectedHeaders());
    this.#cancelDeadline = clock.setTimer(timeoutMs, () => {
      this.#cancelDeadline = null;
      if (this.#peer !== peer) return;
      this.#overdue = true;
      if (this.#candidate() !== null) {
        this.#replace("header sync peer past the headers-sync timeout; switching", true);
      }
    }, signal);
  }

  #stop(): void {
    this.close();
    this.#peer = null;
    this.#overdue = false;
    this.#state = "waiting";
  }
}
