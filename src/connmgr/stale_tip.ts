/**
 * Stale-tip defences (Core net_processing's CheckForStaleTipAndEvictPeers
 * and net.cpp's extra connections), on the Clock port:
 *
 * - every `EXTRA_PEER_CHECK_INTERVAL_MS` (45 s) the extra outbound peers are
 *   evicted down to the targets (`outbound_eviction.ts`) and every peer's
 *   chain-sync state is checked (`chain_sync.ts`);
 * - every `STALE_CHECK_INTERVAL_MS` (10 min) the tip is judged: when it has
 *   not changed for 3 block intervals (30 min on mainnet) with no block in
 *   flight, it may be stale, and one extra full-relay outbound peer is
 *   allowed (`tryExtraFullRelay`) until the next judgement finds it fresh or
 *   an extra peer was evicted (so we did connect to someone new);
 * - once the tip is recent (within 20 block intervals: the initial sync is
 *   over), an extra block-relay-only peer is due at exponentially
 *   distributed intervals of mean `EXTRA_BLOCK_RELAY_INTERVAL_MS` (5 min): it
 *   syncs headers, and stays only if it gives us a block before the
 *   youngest other block-relay-only peer does (Core 22+).
 *
 * The outbound slots (`outbound.ts`) ask this for the extra connections.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Random } from "../platform/random.ts";
import { nextFeelerDelayMs } from "./feeler.ts";
import type { ChainView } from "./chain_view.ts";

/** How often extra outbound peers are evicted (Core EXTRA_PEER_CHECK_INTERVAL). */
export const EXTRA_PEER_CHECK_INTERVAL_MS = 45_000;
/** How often the tip is judged (Core STALE_CHECK_INTERVAL). */
export const STALE_CHECK_INTERVAL_MS = 10 * 60_000;
/** The tip may be stale after this many block intervals without change (Core TipMayBeStale: 3). */
export const STALE_TIP_BLOCK_INTERVALS = 3;
/** The initial sync is over once the tip is this many block intervals old at most (Core CanDirectFetch: 20). */
export const DIRECT_FETCH_BLOCK_INTERVALS = 20;
/** Mean time between extra block-relay-only peers (Core EXTRA_BLOCK_RELAY_ONLY_PEER_INTERVAL). */
export const EXTRA_BLOCK_RELAY_INTERVAL_MS = 5 * 60_000;

/** What `StaleTipCheck` needs. */
export interface StaleTipOptions {
  readonly chain: ChainView;
  readonly clock: Clock;
  readonly random: Random;
  /** Aborting ends `run`. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The network's block interval, seconds (`NetworkParams.powTargetSpacing`). */
  readonly blockIntervalSeconds: number;
  /**
   * Evicts the extra outbound peers beyond the targets; true when an extra
   * full-relay peer went (the extra peer a stale tip allowed has been tried).
   */
  readonly evictExtra: () => boolean;
  /** Checks every peer's chain-sync state. */
  readonly checkChainSync: () => void;
  /** A potentially stale tip was detected (the node logs and publishes it). */
  readonly onStaleTip: (lastTipChangeAt: number) => void;
  /** The outbound slots should look again (an extra connection became due). */
  readonly wakeOutbound: () => void;
}

/** The periodic stale-tip check and the extra-connection schedule. */
export class StaleTipCheck {
  readonly #o: StaleTipOptions;
  /** One extra full-relay peer is allowed (Core m_try_another_outbound_peer). */
  #tryExtraFullRelay = false;
  /** Clock time of the next tip judgement. */
  #nextStaleCheck: number;
  /** Extra block-relay-only peers have begun (Core m_start_extra_block_relay_peers). */
  #extraBlockRelayStarted = false;
  /** Clock time the next extra block-relay-only peer is due. */
  #nextExtraBlockRelay: number;

  constructor(options: StaleTipOptions) {
    this.#o = options;
    const now = options.clock.now();
    this.#nextStaleCheck = now + STALE_CHECK_INTERVAL_MS;
    this.#nextExtraBlockRelay = now + this.#draw();
  }

  /** True while one extra full-relay outbound peer is allowed (a stale tip). */
  get tryExtraFullRelay(): boolean {
    return this.#tryExtraFullRelay;
  }

  /**
   * True when an extra block-relay-only peer is due now; taking it draws
   * the next due time (call only when about to open one).
   */
  takeExtraBlockRelay(): boolean {
    const now = this.#o.clock.now();
    if (!this.#extraBlockRelayStarted || now < this.#nextExtraBlockRelay) return false;
    this.#nextExtraBlockRelay = now + this.#draw();
    return true;
  }

  /** Runs the check every `EXTRA_PEER_CHECK_INTERVAL_MS` until the signal aborts. Never rejects. */
  async run(): Promise<void> {
    const { signal, clock } = this.#o;
    while (!signal.aborted) {
      try {
        await clock.sleep(EXTRA_PEER_CHECK_INTERVAL_MS, signal);
      } catch {
        return;
      }
      this.check();
    }
  }

  /** One round: extra peers, chain-sync states, the tip judgement, the start of extra peers. */
  check(): void {
    const { chain, clock, logger } = this.#o;
    if (this.#o.evictExtra()) this.#tryExtraFullRelay = false;
    this.#o.checkChainSync();
    const now = clock.now();
    if (now >= this.#nextStaleCheck) {
      if (this.#tipMayBeStale(now)) {
        const lastTipChangeAt = chain.lastTipChangeAt();
        logger.info("potential stale tip detected, will try an extra outbound peer", {
          secondsSinceTipChange: Math.floor((now - lastTipChangeAt) / 1000),
        });
        this.#tryExtraFullRelay = true;
        this.#o.onStaleTip(lastTipChangeAt);
        this.#o.wakeOutbound();
      } else {
        this.#tryExtraFullRelay = false;
      }
      this.#nextStaleCheck = now + STALE_CHECK_INTERVAL_MS;
    }
    if (!this.#extraBlockRelayStarted && this.#tipIsRecent(now)) {
      this.#extraBlockRelayStarted = true;
      logger.debug("initial sync over: extra block-relay-only peers begin", {});
    }
    if (this.#extraBlockRelayStarted && now >= this.#nextExtraBlockRelay) this.#o.wakeOutbound();
  }

  /** Core TipMayBeStale: no tip change for 3 block intervals, and nothing in flight. */
  #tipMayBeStale(now: number): boolean {
    const { chain, blockIntervalSeconds } = this.#o;
    const staleMs = STALE_TIP_BLOCK_INTERVALS * blockIntervalSeconds * 1000;
    return chain.lastTipChangeAt() < now - staleMs && chain.blocksInFlight() === 0;
  }

  /** Core CanDirectFetch: the tip header is at most 20 block intervals old. */
  #tipIsRecent(now: number): boolean {
    const { chain, blockIntervalSeconds } = this.#o;
    return chain.tip().time * 1000 >
      now - DIRECT_FETCH_BLOCK_INTERVALS * blockIntervalSeconds * 1000;
  }

  /** The wait before the next extra block-relay-only peer (exponential, drawn as feelers' are). */
  #draw(): number {
    return nextFeelerDelayMs(this.#o.random, EXTRA_BLOCK_RELAY_INTERVAL_MS);
  }
}
