/**
 * Inbound eviction: when every inbound slot is taken, a new inbound
 * connection may take the place of an existing one. A simplified version of
 * Core's AttemptToEvictConnection, in this order:
 *
 * 1. protect the 4 peers with the highest keyed network-group value (a
 *    per-node secret hash of the group, so an attacker cannot aim for it);
 * 2. protect the 8 peers with the lowest minimum ping;
 * 3. protect the 4 peers that most recently announced a block to us;
 * 4. protect half of those left, by longest uptime;
 * 5. of the rest, take the network group with the most peers (a tie goes to
 *    the group whose youngest peer connected last) and evict its youngest.
 *
 * When nothing is left after the protections, nobody is evicted and the new
 * connection is refused. Core also protects transaction relayers and
 * localhost/Tor/I2P peers; this node relays no transactions and treats all
 * networks alike.
 */

/** Peers protected by keyed network group (Core: 4). */
export const PROTECT_BY_GROUP = 4;
/** Peers protected by lowest minimum ping (Core: 8). */
export const PROTECT_BY_PING = 8;
/** Peers protected by the most recent block announcement (Core: 4). */
export const PROTECT_BY_BLOCKS = 4;

/** What eviction knows of one inbound peer. */
export interface EvictionCandidate {
  readonly id: number;
  /** The peer's network group (`groupKey`). */
  readonly group: string;
  /** The group hashed with a per-node secret. */
  readonly keyedGroup: number;
  /** Lowest ping seen, ms; null when none answered yet. */
  readonly minPingMs: number | null;
  /** When it last announced a block (ms), 0 if never. */
  readonly lastBlockTime: number;
  /** When it connected (ms). */
  readonly connectedAt: number;
}

/** `list` without the first `n` by `order` (best first). */
function protect(
  list: EvictionCandidate[],
  n: number,
  order: (a: EvictionCandidate, b: EvictionCandidate) => number,
  eligible: (c: EvictionCandidate) => boolean = () => true,
): EvictionCandidate[] {
  const ranked = list.filter(eligible).sort(order).slice(0, n);
  const kept = new Set(ranked);
  return list.filter((c) => !kept.has(c));
}

/** The id of the peer to evict, or undefined when every candidate is protected. */
export function selectEviction(candidates: readonly EvictionCandidate[]): number | undefined {
  let rest = [...candidates];
  rest = protect(rest, PROTECT_BY_GROUP, (a, b) => b.keyedGroup - a.keyedGroup);
  rest = protect(
    rest,
    PROTECT_BY_PING,
    (a, b) => (a.minPingMs ?? Infinity) - (b.minPingMs ?? Infinity),
    (c) => c.minPingMs !== null,
  );
  rest = protect(
    rest,
    PROTECT_BY_BLOCKS,
    (a, b) => b.lastBlockTime - a.lastBlockTime,
    (c) => c.lastBlockTime > 0,
  );
  rest = protect(rest, Math.floor(rest.length / 2), (a, b) => a.connectedAt - b.connectedAt);
  if (rest.length === 0) return undefined;
  const groups = new Map<string, EvictionCandidate[]>();
  for (const c of rest) {
    const members = groups.get(c.group);
    if (members === undefined) groups.set(c.group, [c]);
    else members.push(c);
  }
  let chosen: EvictionCandidate | undefined;
  let chosenSize = 0;
  for (const members of groups.values()) {
    const youngest = members.reduce((y, c) => (c.connectedAt > y.connectedAt ? c : y));
    if (
      members.length > chosenSize ||
      (members.length === chosenSize && youngest.connectedAt > chosen!.connectedAt)
    ) {
      chosen = youngest;
      chosenSize = members.length;
    }
  }
  return chosen?.id;
}
