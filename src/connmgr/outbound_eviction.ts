/**
 * Which extra outbound peer goes (Core net_processing's
 * EvictExtraOutboundPeers), once a stale tip or the periodic extra
 * block-relay-only peer (`stale_tip.ts`) took us past our targets:
 *
 * - block-relay-only: of the youngest two, the one that least recently gave
 *   us a block we did not have (the youngest when neither is more recent):
 *   the newcomer stays only if it proved useful;
 * - full-relay: the one that least recently announced a header that moved
 *   our tip (ties: the youngest), never a protected one (`chain_sync.ts`) nor
 *   the only full-relay or manual connection to its network.
 *
 * The chosen peer goes only when connected at least `MINIMUM_CONNECT_TIME_MS`
 * and with no block in flight from it; otherwise nobody goes this time.
 * Younger means a higher peer id (ids only grow), as in Core.
 */
import type { Network } from "../wire/address.ts";
import type { ConnKind } from "./connection.ts";

/** A peer is evicted as extra only after this long connected (Core MINIMUM_CONNECT_TIME). */
export const MINIMUM_CONNECT_TIME_MS = 30_000;

/** What the choice knows of one outbound connection. */
export interface OutboundPeerFacts {
  readonly id: number;
  readonly kind: ConnKind;
  readonly network: Network;
  /** Clock time (ms) the connection opened. */
  readonly connectedAt: number;
  /** Protected by the chain-sync rule. */
  readonly protect: boolean;
  /** Clock time (ms) it last announced a header that moved our tip; 0: never. */
  readonly lastAnnouncementAt: number;
  /** Clock time (ms) it last gave us a block new to us; 0: never. */
  readonly lastBlockAt: number;
  /** Blocks we are downloading from it. */
  readonly blocksInFlight: number;
}

/** `p` may go now: connected long enough, nothing in flight. */
function mayGo(p: OutboundPeerFacts, now: number): boolean {
  return now - p.connectedAt >= MINIMUM_CONNECT_TIME_MS && p.blocksInFlight === 0;
}

/**
 * The block-relay-only peer to evict when there are more than `target` of
 * `peers` (ready ones), or undefined.
 */
export function extraBlockRelayToEvict(
  peers: readonly OutboundPeerFacts[],
  target: number,
  now: number,
): number | undefined {
  const blockRelay = peers.filter((p) => p.kind === "block-relay-only");
  if (blockRelay.length <= target) return undefined;
  const [youngest, next] = [...blockRelay].sort((a, b) => b.id - a.id);
  const chosen = next !== undefined && youngest.lastBlockAt > next.lastBlockAt ? next : youngest;
  return mayGo(chosen, now) ? chosen.id : undefined;
}

/**
 * The full-relay peer to evict when there are more than `target` of `peers`
 * (ready ones), or undefined. `manual` lists the networks of manual
 * connections (they count for "the only one on its network").
 */
export function extraFullRelayToEvict(
  peers: readonly OutboundPeerFacts[],
  target: number,
  manual: readonly Network[],
  now: number,
): number | undefined {
  const full = peers.filter((p) => p.kind === "outbound-full-relay");
  if (full.length <= target) return undefined;
  const perNetwork = new Map<Network, number>();
  for (const n of [...full.map((p) => p.network), ...manual]) {
    perNetwork.set(n, (perNetwork.get(n) ?? 0) + 1);
  }
  let worst: OutboundPeerFacts | undefined;
  for (const p of full) {
    if (p.protect || (perNetwork.get(p.network) ?? 0) <= 1) continue;
    if (
      worst === undefined || p.lastAnnouncementAt < worst.lastAnnouncementAt ||
      (p.lastAnnouncementAt === worst.lastAnnouncementAt && p.id > worst.id)
    ) {
      worst = p;
    }
  }
  return worst !== undefined && mayGo(worst, now) ? worst.id : undefined;
}
