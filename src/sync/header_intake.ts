/**
 * Headers coming in: what the block manager does with a peer's `headers`
 * message and with the blocks it announces, up to the header chain. A
 * `headers` message that connects is added to the chain (each offence
 * costs what `penalties.ts` says) and, when full, followed up with the next
 * request; one that does not connect is answered with a `getheaders` of our
 * own (a run of them, or a long one, costs points); an announced block we
 * lack draws a `getheaders` (`header_requests.ts` keeps those per peer).
 * While the initial sync runs (`header_sync.ts`, one sync peer at a time)
 * only the sync peer is asked. New headers are saved to the store after a
 * short delay, batching a sync's writes, and once more at stop.
 *
 * Header presync (the anti-DoS work threshold) belongs here, in front of
 * the chain.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import { type BlockHeader, blockHeaderHash, encodeBlockHeader } from "../wire/block_header.ts";
import { MAX_BLOCKS_TO_ANNOUNCE } from "./block_announce.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { HeaderError } from "./header_error.ts";
import { type HeaderLoadReport, HeaderPersistence } from "./header_persist.ts";
import type { HeaderRequests } from "./header_requests.ts";
import { HeaderSync, type HeaderSyncState } from "./header_sync.ts";
import { penaltyPoints } from "./penalties.ts";
import { HeaderSyncProgress, type HeaderSyncStatus } from "./sync_progress.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** What the intake keeps of a peer (the block manager's per-peer state has these). */
export interface HeaderPeer {
  readonly peer: SyncPeer;
  readonly headers: HeaderRequests;
  /** Highest best-chain height it showed us it has (headers or inv), −1 before. */
  bestHeight: number;
}

/** What a `HeaderIntake` needs. */
export interface HeaderIntakeOptions {
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tie-breaks between equal sync candidates. */
  readonly random: Random;
  /** Aborting cancels the save and stall timers (the manager stopping). */
  readonly signal: AbortSignal;
  /** How long the sync peer has to answer before another is chosen. */
  readonly stallTimeoutMs: number;
  /** A `headers` message this long means more follow. */
  readonly headersPerMessage: number;
  /** Delay before newly accepted headers are saved. */
  readonly saveDelayMs: number;
  /** The connected peers by id (the manager's own map, read only). */
  readonly peers: ReadonlyMap<number, HeaderPeer>;
  /** The initial sync is over: downloads may begin. */
  readonly onSynced: () => void;
}

/** Header sync with every peer: the chain's intake. */
export class HeaderIntake {
  readonly #o: HeaderIntakeOptions;
  readonly #chain: HeaderChain;
  readonly #sync: HeaderSync;
  readonly #progress: HeaderSyncProgress;
  #persistence: HeaderPersistence | undefined;
  #cancelSave: (() => void) | null = null;
  #closed = false;
  /** Headers added to the chain (from `headers` messages and blocks). */
  #accepted = 0;

  constructor(options: HeaderIntakeOptions) {
    this.#o = options;
    this.#chain = options.chain;
    this.#progress = new HeaderSyncProgress(() => options.clock.now());
    this.#sync = new HeaderSync({
      clock: options.clock,
      signal: options.signal,
      stallTimeoutMs: options.stallTimeoutMs,
      random: options.random,
      logger: options.logger,
      peers: () => [...options.peers.values()].map((p) => p.peer),
      request: (peer) => options.peers.get(peer.id)?.headers.request(undefined, true) ?? false,
      onSynced: () => this.#synced(),
    });
  }

  /** Headers added to the chain so far. */
  get accepted(): number {
    return this.#accepted;
  }

  /** True while the initial sync runs (downloads wait for it). */
  get syncing(): boolean {
    return this.#sync.state === "syncing";
  }

  /**
   * Fills the chain (genesis only) from `store` and saves new headers there
   * from now on. Rejects only when the store fails, or on a second call.
   */
  load(store: KvStore): Promise<HeaderLoadReport> {
    if (this.#persistence !== undefined) return Promise.reject(new Error("headers already loaded"));
    const o = this.#o;
    this.#persistence = new HeaderPersistence({
      store,
      chain: this.#chain,
      sha256: o.sha256,
      now: () => o.clock.now(),
      logger: o.logger,
    });
    return this.#persistence.load();
  }

  /** Cancels the timers and, with `save`, saves the headers one last time; never rejects. */
  async close(save: boolean): Promise<void> {
    this.#closed = true;
    this.#cancelSave?.();
    this.#cancelSave = null;
    this.#sync.close();
    if (this.#persistence === undefined || !save) return;
    try {
      await this.#persistence.save();
    } catch (error) {
      this.#o.logger.error("saving headers failed at stop", { error });
    }
  }

  /** A peer completed its handshake: asked at once when synced and it claims more. */
  peerAdded(p: HeaderPeer): void {
    const claimed = p.peer.remoteVersion?.startHeight ?? 0;
    this.#progress.setPeerHeight(p.peer.id, claimed);
    if (this.#sync.state === "synced") {
      p.headers.sendSendHeaders();
      if (claimed > this.#chain.tipHeight) p.headers.request();
    }
    this.#sync.peerAdded();
  }

  /** A peer left (a sync peer is replaced). */
  peerRemoved(id: number): void {
    this.#progress.removePeer(id);
    this.#sync.peerRemoved(id);
  }

  /**
   * Handles a `headers` message. True when it may have made blocks
   * downloadable from the peer (the manager then fetches).
   */
  onHeaders(p: HeaderPeer, headers: readonly BlockHeader[]): boolean {
    p.headers.answered();
    const id = p.peer.id;
    if (headers.length === 0) {
      this.#sync.headersReceived(id, false);
      return true;
    }
    const raws = headers.map(encodeBlockHeader);
    if (!this.#chain.has(raws[0].subarray(4, 36))) {
      this.#unconnecting(p, raws.length);
      return false;
    }
    p.headers.connected();
    const result = this.#chain.acceptHeaders(raws);
    this.headersAdded(result.accepted.length);
    for (const a of result.accepted) p.peer.known.add(a.hash);
    if (result.error !== null) {
      this.#refused(p.peer, result.error);
      this.#sync.headersReceived(id, false);
    } else {
      const last = blockHeaderHash(this.#o.sha256, raws[raws.length - 1]);
      p.peer.known.add(last);
      this.noteHeight(p, last);
      const full = raws.length >= this.#o.headersPerMessage;
      if (full && this.mayAsk(p)) p.headers.request(last, true);
      this.#sync.headersReceived(id, full);
    }
    const known = p.headers.takeLastUnknown((hash) => this.#chain.has(hash));
    if (known !== null) this.noteHeight(p, known);
    return true;
  }

  /** The peer announced block `hash`, whose header we lack: ask it for headers. */
  announcedUnknown(p: HeaderPeer, hash: Uint8Array): void {
    p.headers.announcedUnknown(hash);
    if (this.mayAsk(p)) p.headers.askAfterAnnouncement(() => this.mayAsk(p));
  }

  /** One sync peer at a time: while syncing, only the sync peer is asked for headers. */
  mayAsk(p: HeaderPeer): boolean {
    return this.#sync.state !== "syncing" || this.#sync.syncPeer === p.peer;
  }

  /** Raises the peer's best height to `hash`'s when it is on our best chain. */
  noteHeight(p: HeaderPeer, hash: Uint8Array): void {
    const height = this.#chain.heightOf(hash);
    if (height === undefined || height <= p.bestHeight) return;
    p.bestHeight = height;
    this.#progress.setPeerHeight(p.peer.id, height);
  }

  /** `count` headers were added to the chain (here or with their blocks): counted and saved soon. */
  headersAdded(count: number): void {
    if (count === 0) return;
    this.#accepted += count;
    this.#progress.recordAccepted(count);
    const persistence = this.#persistence;
    if (persistence === undefined || this.#cancelSave !== null || this.#closed) return;
    this.#cancelSave = this.#o.clock.setTimer(this.#o.saveDelayMs, () => {
      this.#cancelSave = null;
      persistence.save().catch((error) => this.#o.logger.warn("saving headers failed", { error }));
    }, this.#o.signal);
  }

  /** Header sync figures, the state and the sync peer. */
  status(): HeaderSyncStatus & {
    readonly state: HeaderSyncState;
    readonly syncPeer: string | null;
  } {
    return {
      ...this.#progress.status(this.#chain.tipHeight),
      state: this.#sync.state,
      syncPeer: this.#sync.syncPeer?.toString() ?? null,
    };
  }

  /** A `headers` message of `count` whose first header's parent we do not know. */
  #unconnecting(p: HeaderPeer, count: number): void {
    if (count > MAX_BLOCKS_TO_ANNOUNCE) {
      // Not an announcement, and no answer to our locator (which always
      // reaches genesis) starts on an unknown header: junk.
      p.peer.misbehave(
        penaltyPoints("long-unconnecting-headers"),
        `${count} headers that do not connect to our chain`,
      );
      return;
    }
    // While we sync from another peer, an announcement of a block beyond
    // our headers is expected, not the announcer's fault.
    if (!this.mayAsk(p)) return;
    if (p.headers.unconnected()) {
      p.peer.misbehave(
        penaltyPoints("unconnecting-headers"),
        `${p.headers.unconnecting} headers messages in a row that do not connect`,
      );
    }
    p.headers.request();
  }

  #refused(peer: SyncPeer, error: HeaderError): void {
    const points = penaltyPoints(error.kind);
    if (points > 0) {
      const what = error.kind === "unknown-parent" ? "headers out of order" : "invalid header";
      peer.misbehave(points, `${what}: ${error.message}`);
    } else if (error.kind === "time-too-new") {
      this.#o.logger.debug("header from the future ignored", { peer: peer.toString(), error });
    } else {
      this.#o.logger.warn("header not stored", { peer: peer.toString(), error: error.message });
    }
  }

  #synced(): void {
    this.#o.logger.info("headers synced", { height: this.#chain.tipHeight });
    for (const p of this.#o.peers.values()) {
      p.headers.sendSendHeaders();
      const claimed = p.peer.remoteVersion?.startHeight ?? 0;
      if (claimed > this.#chain.tipHeight) p.headers.request();
    }
    this.#o.onSynced();
  }
}
