/**
 * Headers coming in: what the block manager does with a peer's `headers`
 * message and with the blocks it announces, up to the header chain, in the
 * order of Core's ProcessHeadersMessage:
 *
 * 1. Every header must meet its own proof of work and extend the one
 *    before it, or the peer pays (`bad-pow`, `non-continuous-headers`).
 * 2. A peer in presync (`headers_presync.ts`) feeds it; what the redownload
 *    hands back is stored without further anti-DoS checks.
 * 3. A message whose first header's parent we lack is answered with a
 *    `getheaders` of our own (at most one outstanding), never punished.
 * 4. Anti-DoS: unless its last header is already on our best chain, a
 *    message whose chain would end below the chain's `antiDosWorkThreshold`
 *    stores nothing: a full one starts a presync from its parent, a short
 *    one is ignored (counted in `belowThreshold`).
 * 5. The rest goes to the chain (each refusal costs what `penalties.ts`
 *    says); a full message that brought new work, or came from the sync
 *    peer, is followed with the next request.
 *
 * The initial sync runs with one sync peer at a time (`header_sync.ts`);
 * while it does, another peer is asked for headers when its header
 * announcement does not connect, and once per new block it announces by
 * inv (Core's one-new-peer-per-block rule), so no single peer decides what
 * we see. New headers are saved to the store after a short delay, batching
 * a sync's writes, and once more at stop.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import type { KvStore } from "../platform/storage.ts";
import { BLOCK_HEADER_SIZE, type BlockHeader, writeBlockHeader } from "../wire/block_header.ts";
import { bytesEqual, ByteWriter, hashToHex } from "../wire/bytes.ts";
import { sha256dInto } from "../wire/hash.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { HeaderError } from "./header_error.ts";
import { type HeaderLoadReport, HeaderPersistence } from "./header_persist.ts";
import type { HeaderRequests } from "./header_requests.ts";
import { HeaderSync, type HeaderSyncState } from "./header_sync.ts";
import { HeadersPresync, type PresyncPhase } from "./headers_presync.ts";
import { penaltyPoints } from "./penalties.ts";
import { powProblem } from "./pow.ts";
import { HeaderSyncProgress, type HeaderSyncStatus } from "./sync_progress.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * Least time between two "Pre-synchronizing blockheaders" log lines: Core
 * rate-limits its presync reports (4 a second, for its GUI); a log read by
 * people needs far fewer.
 */
export const PRESYNC_LOG_INTERVAL_MS = 10_000;
/** Offsets in a serialized header. */
const PREV_OFFSET = 4;
const BITS_OFFSET = 72;
const TIME_OFFSET = 68;

/** What the intake keeps of a peer (the block manager's per-peer state has these). */
export interface HeaderPeer {
  readonly peer: SyncPeer;
  readonly headers: HeaderRequests;
  /** Highest best-chain height it showed us it has (headers or inv), −1 before. */
  bestHeight: number;
  /** Its download-twice sync, while its chain is below the work threshold. */
  presync: HeadersPresync | null;
}

/** What a `HeaderIntake` needs. */
export interface HeaderIntakeOptions {
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Tie-breaks between equal sync candidates; the presync's secret offset and salt. */
  readonly random: Random;
  /** Aborting cancels the save and stall timers (the manager stopping). */
  readonly signal: AbortSignal;
  /** How long the sync peer may go without progress before another is chosen. */
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

/** The best peer's presync, for the status. */
export interface PresyncStatus {
  /** The peer's string form. */
  readonly peer: string;
  readonly phase: Exclude<PresyncPhase, "final">;
  /** Height its chain reached in presync. */
  readonly height: number;
  /** Timestamp of the last presync header, Unix seconds. */
  readonly time: number;
  /** Height reached in redownload (the chain start's before). */
  readonly redownloadHeight: number;
  /** Bytes held for it. */
  readonly memoryBytes: number;
}

/** What a `headers` message did, for the block manager. */
export interface HeadersOutcome {
  /** It may have made blocks downloadable from the peer. */
  readonly fetch: boolean;
  /** It moved our best chain's tip. */
  readonly tipMoved: boolean;
}

const NOTHING: HeadersOutcome = Object.freeze({ fetch: false, tipMoved: false });

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
  /** Headers received on chains below the work threshold, not stored (see `belowThreshold`). */
  #belowThreshold = 0;
  /** Peers whose inv drew a `getheaders` while another peer syncs us (Core, once per peer). */
  readonly #invTriggered = new Set<number>();
  /** The last block whose inv drew such a `getheaders` (one new peer per new block). */
  #lastInvTrigger = "";
  #lastPresyncLog = -Infinity;

  constructor(options: HeaderIntakeOptions) {
    this.#o = options;
    const chain = this.#chain = options.chain;
    this.#progress = new HeaderSyncProgress(() => options.clock.now());
    this.#sync = new HeaderSync({
      clock: options.clock,
      signal: options.signal,
      stallTimeoutMs: options.stallTimeoutMs,
      random: options.random,
      logger: options.logger,
      peers: () => [...options.peers.values()].map((p) => p.peer),
      request: (peer) => options.peers.get(peer.id)?.headers.request(undefined, true) ?? false,
      expectedHeaders: () => {
        const ageSeconds = options.clock.now() / 1000 - chain.tip().time;
        return Math.floor(ageSeconds / chain.params.powTargetSpacing);
      },
      enoughWork: () => chain.tipWork >= chain.params.minimumChainWork,
      onSynced: () => this.#synced(),
    });
  }

  /** Headers added to the chain so far. */
  get accepted(): number {
    return this.#accepted;
  }

  /**
   * Headers received on a chain below the anti-DoS work threshold and not
   * stored: ignored short messages, and what presync saw before it reached
   * the threshold (or gave up).
   */
  get belowThreshold(): number {
    return this.#belowThreshold;
  }

  /** True while the initial sync runs (downloads wait for it). */
  get syncing(): boolean {
    return this.#sync.state === "syncing";
  }

  /**
   * Fills the chain (genesis only) from `store` and saves new headers there
   * from now on. Rejects only when the store fails, or on a second call.
   */
  async load(store: KvStore): Promise<HeaderLoadReport> {
    if (this.#persistence !== undefined) throw new Error("headers already loaded");
    const o = this.#o;
    this.#persistence = new HeaderPersistence({
      store,
      chain: this.#chain,
      sha256: o.sha256,
      now: () => o.clock.now(),
      logger: o.logger,
    });
    const report = await this.#persistence.load();
    return report;
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

  /** A peer completed its handshake: asked at once when synced (`#askNearTip`). */
  peerAdded(p: HeaderPeer): void {
    const claimed = p.peer.remoteVersion?.startHeight ?? 0;
    this.#progress.setPeerHeight(p.peer.id, claimed);
    if (this.#sync.state === "synced") {
      p.headers.sendSendHeaders();
      this.#askNearTip(p);
    }
    this.#sync.peerAdded(p.peer);
  }

  /**
   * Near the present every peer is asked for headers once, from our tip's
   * parent, as Core does once its best header is recent (SendMessages,
   * fSyncStarted): a peer on our chain answers with our tip at least, so its
   * best block is known at once — which chain-sync eviction and its
   * protection of the first 4 outbound peers read — and a peer ahead sends
   * what we lack. A peer asked before (the sync peer) is not asked again.
   */
  #askNearTip(p: HeaderPeer): void {
    if (p.headers.everAsked) return;
    const tip = this.#chain.tip();
    const parent = this.#chain.header(tip.hash)?.subarray(4, 36);
    p.headers.request(tip.height > 0 ? parent : undefined);
  }

  /** A peer left (a sync peer is replaced; its presync goes with it). */
  peerRemoved(id: number): void {
    this.#progress.removePeer(id);
    this.#invTriggered.delete(id);
    this.#sync.peerRemoved(id);
  }

  /** Handles a `headers` message (see the file comment). */
  onHeaders(p: HeaderPeer, headers: readonly BlockHeader[]): HeadersOutcome {
    const id = p.peer.id;
    if (headers.length === 0) {
      // Nothing (more) to give: an answer, and the end of any presync with it.
      p.headers.answered();
      this.#endPresync(p);
      this.#sync.headersReceived(id, { more: false, progressed: false });
      return { fetch: true, tipMoved: false };
    }
    let { raws, hashes } = this.#hashed(headers);
    if (!this.#wellFormed(p.peer, raws, hashes)) return NOTHING;
    const full = raws.length >= this.#o.headersPerMessage;
    let checkedWork = false;
    let progressed = false;
    let more = false;
    const presync = p.presync;
    if (presync !== null) {
      const before = presync.height + presync.redownloadHeight;
      const inPresync = presync.phase === "presync";
      const result = presync.process(raws, hashes, full);
      if (result.success) p.headers.answered();
      if (inPresync) this.#belowThreshold += raws.length;
      progressed = presync.height + presync.redownloadHeight > before;
      if (result.requestMore) more = p.headers.requestLocator(presync.locator());
      this.#presyncProgress(p, result.failure);
      if (result.failure === "commitment-mismatch" || result.failure === "commitment-overrun") {
        p.peer.misbehave(
          penaltyPoints("presync-commitment"),
          `redownloaded headers differ from the presynced chain (${result.failure})`,
        );
        return NOTHING;
      }
      if (result.success) {
        if (result.ready.length === 0) {
          this.#sync.headersReceived(id, { more, progressed });
          return NOTHING;
        }
        raws = result.ready;
        hashes = result.readyHashes;
        checkedWork = true;
      }
    }
    const chain = this.#chain;
    const parent = chain.info(raws[0].subarray(PREV_OFFSET, PREV_OFFSET + 32));
    if (parent === undefined) {
      this.#unconnecting(p, hashes.subarray(hashes.length - 32));
      return NOTHING;
    }
    p.headers.answered();
    const last = hashes.subarray(hashes.length - 32);
    // Already on our best chain: stores nothing new, so no anti-DoS check (Core does the same).
    checkedWork ||= chain.heightOf(last) !== undefined;
    if (!checkedWork) {
      let claimed = parent.chainWork;
      for (const raw of raws) claimed += chain.workOf(u32At(raw, BITS_OFFSET));
      if (claimed < chain.antiDosWorkThreshold()) {
        const started = this.#lowWork(p, raws, hashes, full);
        this.#sync.headersReceived(id, started);
        return NOTHING;
      }
    }
    const result = chain.acceptHeaders(raws, hashes);
    const added = result.accepted.length;
    this.headersAdded(added);
    for (const a of result.accepted) p.peer.known.add(a.hash);
    const tipMoved = result.accepted.some((a) => a.status !== "side");
    if (result.error !== null) {
      this.#refused(p.peer, result.error);
      this.#sync.headersReceived(id, { more, progressed: progressed || added > 0 });
      return { fetch: true, tipMoved };
    }
    p.peer.known.add(last);
    this.noteHeight(p, last);
    if (
      full && !more && p.presync === null &&
      (added > 0 || this.#sync.syncPeer === p.peer)
    ) {
      more = p.headers.request(last, true);
    }
    this.#sync.headersReceived(id, { more, progressed: progressed || added > 0 });
    const known = p.headers.takeLastUnknown((hash) => chain.has(hash));
    if (known !== null) this.noteHeight(p, known);
    return { fetch: true, tipMoved };
  }

  /**
   * The peer announced block `hash` (inv), whose header we lack: ask it for
   * headers when synced, when it is the sync peer, or when it is the first
   * to announce this block and never drew such a request before.
   */
  announcedUnknown(p: HeaderPeer, hash: Uint8Array): void {
    p.headers.announcedUnknown(hash);
    if (!this.mayAsk(p)) {
      const key = hashToHex(hash);
      if (this.#invTriggered.has(p.peer.id) || key === this.#lastInvTrigger) return;
      this.#invTriggered.add(p.peer.id);
      this.#lastInvTrigger = key;
      p.headers.request();
      return;
    }
    p.headers.askAfterAnnouncement(() => this.mayAsk(p));
  }

  /** While syncing, only the sync peer is asked for more as a matter of course. */
  mayAsk(p: HeaderPeer): boolean {
    return this.#sync.state !== "syncing" || this.#sync.syncPeer === p.peer;
  }

  /** Raises the peer's best height (best chain) to `hash`'s. */
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

  /** Header sync figures, the state, the sync peer and the leading presync. */
  status(): HeaderSyncStatus & {
    readonly state: HeaderSyncState;
    readonly syncPeer: string | null;
    readonly presync: PresyncStatus | null;
  } {
    return {
      ...this.#progress.status(this.#chain.tipHeight),
      state: this.#sync.state,
      syncPeer: this.#sync.syncPeer?.toString() ?? null,
      presync: this.#bestPresync(),
    };
  }

  /** The headers encoded back to back in one buffer, with their hashes in another. */
  #hashed(headers: readonly BlockHeader[]): { raws: Uint8Array[]; hashes: Uint8Array } {
    const n = headers.length;
    const w = new ByteWriter(n * BLOCK_HEADER_SIZE);
    for (const header of headers) writeBlockHeader(w, header);
    const buffer = w.finish();
    const hashes = new Uint8Array(n * 32);
    const raws: Uint8Array[] = new Array(n);
    for (let i = 0; i < n; i++) {
      raws[i] = buffer.subarray(i * BLOCK_HEADER_SIZE, (i + 1) * BLOCK_HEADER_SIZE);
      sha256dInto(this.#o.sha256, raws[i], hashes, i * 32);
    }
    return { raws, hashes };
  }

  /** Core's CheckHeadersPoW: each header meets its own target and extends the one before. */
  #wellFormed(peer: SyncPeer, raws: readonly Uint8Array[], hashes: Uint8Array): boolean {
    const powLimit = this.#chain.params.powLimit;
    for (let i = 0; i < raws.length; i++) {
      const hash = hashes.subarray(i * 32, i * 32 + 32);
      const problem = powProblem(hash, u32At(raws[i], BITS_OFFSET), powLimit);
      if (problem !== null) {
        peer.misbehave(
          penaltyPoints("bad-pow"),
          `invalid header: header ${hashToHex(hash)}: proof of work fails (${problem})`,
        );
        return false;
      }
      if (
        i > 0 &&
        !bytesEqual(
          raws[i].subarray(PREV_OFFSET, PREV_OFFSET + 32),
          hashes.subarray(i * 32 - 32, i * 32),
        )
      ) {
        peer.misbehave(
          penaltyPoints("non-continuous-headers"),
          `headers out of order: header ${i} does not extend header ${i - 1}`,
        );
        return false;
      }
    }
    return true;
  }

  /**
   * A connecting message whose chain is below the work threshold: a full
   * one starts a presync from its parent (Core TryLowWorkHeadersSync), a
   * short one is ignored. Returns what that means for the sync.
   */
  #lowWork(
    p: HeaderPeer,
    raws: readonly Uint8Array[],
    hashes: Uint8Array,
    full: boolean,
  ): { more: boolean; progressed: boolean } {
    this.#belowThreshold += raws.length;
    if (!full) {
      this.#o.logger.debug("ignoring a low-work header chain", {
        peer: p.peer.toString(),
        headers: raws.length,
      });
      return { more: false, progressed: false };
    }
    const chain = this.#chain;
    const startHash = raws[0].subarray(PREV_OFFSET, PREV_OFFSET + 32);
    const start = chain.info(startHash)!;
    const startRaw = chain.header(startHash)!;
    const presync = new HeadersPresync({
      params: chain.params,
      sha256: this.#o.sha256,
      random: this.#o.random,
      start: {
        hash: startHash.slice(),
        height: start.height,
        chainWork: start.chainWork,
        bits: u32At(startRaw, BITS_OFFSET),
        time: u32At(startRaw, TIME_OFFSET),
        medianTimePast: chain.medianTimePast(startHash)!,
        locator: chain.locator(startHash),
      },
      minimumWork: chain.antiDosWorkThreshold(),
      nowSeconds: Math.floor(this.#o.clock.now() / 1000),
      workOf: (bits) => chain.workOf(bits),
    });
    p.presync = presync;
    this.#o.logger.debug("header presync started", {
      peer: p.peer.toString(),
      height: start.height,
      maxCommitments: presync.maxCommitments,
    });
    const result = presync.process(raws, hashes, full);
    const more = result.requestMore && p.headers.requestLocator(presync.locator());
    this.#presyncProgress(p, result.failure);
    return { more, progressed: result.success };
  }

  /** Logs where `p`'s presync stands (rate-limited), and forgets it once it is over. */
  #presyncProgress(p: HeaderPeer, failure: string | null): void {
    const presync = p.presync;
    if (presync === null) return;
    const log = this.#o.logger;
    if (presync.phase === "final") {
      p.presync = null;
      log.debug("header presync over", { peer: p.peer.toString(), failure });
      return;
    }
    const now = this.#o.clock.now();
    if (
      presync.phase !== "presync" || now - this.#lastPresyncLog < PRESYNC_LOG_INTERVAL_MS ||
      this.#chain.tipWork >= this.#chain.params.minimumChainWork
    ) {
      return;
    }
    this.#lastPresyncLog = now;
    const left = Math.max(0, (now / 1000 - presync.time) / this.#chain.params.powTargetSpacing);
    log.info("Pre-synchronizing blockheaders", {
      peer: p.peer.toString(),
      height: presync.height,
      progress: `~${(100 * presync.height / (presync.height + left)).toFixed(2)}%`,
    });
  }

  #endPresync(p: HeaderPeer): void {
    if (p.presync === null) return;
    p.presync = null;
    this.#o.logger.debug("header presync over", { peer: p.peer.toString(), failure: "empty" });
  }

  /** The presync with the most work, for the status. */
  #bestPresync(): PresyncStatus | null {
    let best: { p: HeaderPeer; presync: HeadersPresync } | null = null;
    for (const p of this.#o.peers.values()) {
      const presync = p.presync;
      if (presync === null || presync.phase === "final") continue;
      if (best === null || presync.work > best.presync.work) best = { p, presync };
    }
    if (best === null) return null;
    const { p, presync } = best;
    return {
      peer: p.peer.toString(),
      phase: presync.phase === "presync" ? "presync" : "redownload",
      height: presync.height,
      time: presync.time,
      redownloadHeight: presync.redownloadHeight,
      memoryBytes: presync.memoryBytes(),
    };
  }

  /**
   * A `headers` message whose first header's parent we lack: perhaps an
   * announcement beyond what we have (Core HandleUnconnectingHeaders). We
   * ask for the headers between (at most one request outstanding) and
   * remember its last block; no penalty.
   */
  #unconnecting(p: HeaderPeer, last: Uint8Array): void {
    p.headers.announcedUnknown(last);
    p.headers.request();
  }

  #refused(peer: SyncPeer, error: HeaderError): void {
    const points = penaltyPoints(error.kind);
    if (points > 0) {
      peer.misbehave(points, `invalid header: ${error.message}`);
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
      this.#askNearTip(p);
    }
    this.#o.onSynced();
  }
}

/** Little-endian u32 at `at`. */
function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}
