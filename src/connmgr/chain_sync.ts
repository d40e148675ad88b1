/**
 * Chain-sync eviction (Core net_processing's ConsiderEviction): an
 * automatic outbound peer (full-relay or block-relay-only) whose best known
 * header has less work than our tip gets `CHAIN_SYNC_TIMEOUT_MS` to show us
 * a chain at least as good as our tip was then; when the time is up it is
 * sent one `getheaders` (from the parent of that tip, so an honest peer's
 * answer holds it) and gets `HEADERS_RESPONSE_TIME_MS` more; then it is
 * disconnected. A peer that catches up with the tip of the time but not
 * with ours since gets a new timeout on the new tip. So an attacker's peers
 * serving a stale chain cannot hold our outbound slots.
 *
 * Up to `MAX_OUTBOUND_PEERS_TO_PROTECT` full-relay peers are protected from
 * this rule (and from the extra-peer eviction, `outbound_eviction.ts`) for
 * the life of their connection: the first ones to show a chain with at least
 * our tip's work, as Core protects its first such peers. Block-relay-only
 * peers are never protected.
 *
 * The check runs for a peer when its handshake completes, whenever the block
 * side reports that our tip or that peer's best header moved, at the
 * peer's own deadline (a timer on the Clock port), and on the periodic
 * extra-peer check (`stale_tip.ts`). It applies only once header sync has
 * started with the peer (Core's fSyncStarted).
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { ChainView } from "./chain_view.ts";
import type { ConnKind } from "./connection.ts";

/** Time an outbound peer has to show a chain as good as our tip (Core CHAIN_SYNC_TIMEOUT). */
export const CHAIN_SYNC_TIMEOUT_MS = 20 * 60_000;
/** Time it has to answer the one getheaders after that (Core HEADERS_RESPONSE_TIME). */
export const HEADERS_RESPONSE_TIME_MS = 2 * 60_000;
/** Full-relay peers protected from chain-sync eviction (Core MAX_OUTBOUND_PEERS_TO_PROTECT_FROM_DISCONNECT). */
export const MAX_OUTBOUND_PEERS_TO_PROTECT = 4;
/** The kinds the rule applies to (Core's IsOutboundOrBlockRelayConn). */
export const CHAIN_SYNC_KINDS: readonly ConnKind[] = ["outbound-full-relay", "block-relay-only"];

/** What `ChainSyncWatch` needs. */
export interface ChainSyncOptions {
  readonly chain: ChainView;
  readonly clock: Clock;
  /** Aborting cancels every deadline timer (the manager stopping). */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Disconnects peer `id` for `reason` (the rule's verdict). */
  readonly evict: (id: number, reason: string) => void;
}

/** Core's ChainSyncTimeoutState for one peer. */
interface Watched {
  readonly id: number;
  readonly kind: ConnKind;
  /** Clock time (ms) of the deadline; 0: none set. */
  timeout: number;
  /** Our tip when the deadline was set: the chain the peer must show. */
  workHeader: { readonly hash: Uint8Array; readonly work: bigint } | null;
  /** The one getheaders went out. */
  sentGetheaders: boolean;
  /** Never evicted by this rule (nor as an extra peer). */
  protect: boolean;
  /** Cancels the deadline timer. */
  cancel: () => void;
}

/** The chain-sync state of every automatic outbound peer. */
export class ChainSyncWatch {
  readonly #o: ChainSyncOptions;
  readonly #peers = new Map<number, Watched>();
  /** Full-relay peers protected (at most `MAX_OUTBOUND_PEERS_TO_PROTECT`). */
  #protected = 0;

  constructor(options: ChainSyncOptions) {
    this.#o = options;
  }

  /** Peers protected now. */
  get protectedCount(): number {
    return this.#protected;
  }

  /** True when peer `id` is protected from chain-sync and extra-peer eviction. */
  isProtected(id: number): boolean {
    return this.#peers.get(id)?.protect ?? false;
  }

  /** Watches peer `id` of `kind` (its handshake completed); other kinds are ignored. */
  add(id: number, kind: ConnKind): void {
    if (!CHAIN_SYNC_KINDS.includes(kind) || this.#peers.has(id)) return;
    this.#peers.set(id, {
      id,
      kind,
      timeout: 0,
      workHeader: null,
      sentGetheaders: false,
      protect: false,
      cancel: () => {},
    });
    this.#check(id, true);
  }

  /** Peer `id` is gone. */
  remove(id: number): void {
    const w = this.#peers.get(id);
    if (w === undefined) return;
    w.cancel();
    if (w.protect) this.#protected--;
    this.#peers.delete(id);
  }

  /**
   * Our tip moved (every peer is checked again), or peer `peerId` showed a
   * better header (it is checked, and may earn protection).
   */
  chainMoved(peerId: number | null, tipChanged: boolean): void {
    if (peerId !== null) this.#check(peerId, true);
    if (tipChanged) this.checkAll();
  }

  /** Checks every peer (the periodic check). */
  checkAll(): void {
    for (const id of [...this.#peers.keys()]) this.#check(id, false);
  }

  #check(id: number, mayProtect: boolean): void {
    const w = this.#peers.get(id);
    if (w === undefined) return;
    const { chain } = this.#o;
    const best = chain.peerChain(id)?.bestWork ?? null;
    const tip = chain.tip();
    if (
      mayProtect && !w.protect && w.kind === "outbound-full-relay" &&
      this.#protected < MAX_OUTBOUND_PEERS_TO_PROTECT && best !== null && best >= tip.work
    ) {
      w.protect = true;
      this.#protected++;
      this.#o.logger.debug("outbound peer protected from eviction", { id });
    }
    if (w.protect) {
      w.cancel();
      return;
    }
    if (!chain.syncStarted(id)) return;
    const now = this.#o.clock.now();
    if (best !== null && best >= tip.work) {
      // It has shown a chain as good as ours: no deadline.
      w.timeout = 0;
      w.workHeader = null;
      w.sentGetheaders = false;
    } else if (
      w.timeout === 0 || (w.workHeader !== null && best !== null && best >= w.workHeader.work)
    ) {
      // Behind, noticed now (or caught up with our old tip only): a deadline on our tip.
      w.timeout = now + CHAIN_SYNC_TIMEOUT_MS;
      w.workHeader = { hash: tip.hash, work: tip.work };
      w.sentGetheaders = false;
    } else if (now >= w.timeout) {
      if (w.sentGetheaders) {
        this.remove(id);
        this.#o.evict(id, "outbound peer has an old chain (chain-sync timeout)");
        return;
      }
      chain.requestHeadersFrom(id, w.workHeader!.hash);
      w.sentGetheaders = true;
      w.timeout = now + HEADERS_RESPONSE_TIME_MS;
      this.#o.logger.debug("asking an outbound peer behind our tip for headers", { id });
    }
    this.#schedule(w, now);
  }

  /** Sets the deadline timer of `w` (one per peer), or none without a deadline. */
  #schedule(w: Watched, now: number): void {
    w.cancel();
    w.cancel = () => {};
    if (w.timeout === 0) return;
    w.cancel = this.#o.clock.setTimer(
      Math.max(0, w.timeout - now),
      () => this.#check(w.id, false),
      this.#o.signal,
    );
  }
}
