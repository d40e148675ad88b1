/**
 * Inbound eviction: when every inbound slot is taken, a new inbound
 * connection may take the place of an existing one. Core's
 * SelectNodeToEvict (node/eviction.cpp), rule by rule; each rule protects
 * peers with a quality an attacker finds hard to fake, and whoever is left
 * may be evicted:
 *
 * 1. the 4 peers with the highest keyed network group (a per-node secret
 *    hash of the group, so an attacker cannot aim for it);
 * 2. the 8 peers with the lowest minimum ping;
 * 3. (Core: the 4 that most recently sent novel transactions. This node
 *    accepts no transactions: no peer can earn it, so the rule is left out.)
 * 4. up to 8 peers that do not want transactions (block-relay-only on their
 *    side), offer the services we want and gave us novel blocks, the most
 *    recent first;
 * 5. the 4 peers that most recently gave us a block we did not have, and
 *    accepted: announcing a hash earns nothing, only useful work does;
 * 6. half of those left by uptime, up to half of that half reserved for
 *    peers on disadvantaged networks (localhost, Tor, I2P, CJDNS: higher
 *    latency loses them the ping rule), the rarest network first;
 * 7. of the rest, discouraged peers (any misbehaviour on record) if there
 *    are any; then the keyed network group with the most peers (a tie goes
 *    to the group whose youngest peer connected last) loses its youngest.
 *
 * Rules 2, 4 and 5 protect only peers that earned them (a ping answered, a
 * novel block given); Core's ranking also fills their places with peers
 * that earned nothing yet, which here only uptime (rule 6) protects.
 *
 * When nothing is left after the protections, nobody is evicted and the new
 * connection is refused.
 */
import type { Network } from "../wire/address.ts";

/** Peers protected by keyed network group (Core: 4). */
export const PROTECT_BY_GROUP = 4;
/** Peers protected by lowest minimum ping (Core: 8). */
export const PROTECT_BY_PING = 8;
/** Peers that want no transactions protected by their blocks (Core: 8). */
export const PROTECT_BLOCK_RELAY_ONLY = 8;
/** Peers protected by the most recent novel block (Core: 4). */
export const PROTECT_BY_BLOCKS = 4;

/** What eviction knows of one inbound peer (Core's NodeEvictionCandidate). */
export interface EvictionCandidate {
  readonly id: number;
  /** When it connected (ms). */
  readonly connectedAt: number;
  /** Lowest ping seen, ms; null when none answered yet. */
  readonly minPingMs: number | null;
  /** When it last gave us a block new to us, accepted (ms); 0: never. */
  readonly lastBlockTime: number;
  /** Its `version` asked for transactions (false: block-relay-only on its side). */
  readonly relayTxs: boolean;
  /** It offers the services we want of an outbound peer (Core fRelevantServices). */
  readonly relevantServices: boolean;
  /** Its network group hashed with a per-node secret. */
  readonly keyedGroup: number;
  /** Misbehaviour on record (Core: discouraged, prefer_evict): evicted first. */
  readonly preferEvict: boolean;
  /** Connected from a loopback address (Core m_is_local: Tor's inbound arrives so). */
  readonly isLocal: boolean;
  readonly network: Network;
}

/** An order: negative when `a` goes before `b`; the list's end is protected. */
type Order = (a: EvictionCandidate, b: EvictionCandidate) => number;

/** Younger (later connected) first. */
const youngerFirst: Order = (a, b) => b.connectedAt - a.connectedAt;
/** False before true. */
const falseFirst = (a: boolean, b: boolean) => Number(a) - Number(b);

/** Higher keyed groups last. */
const byKeyedGroup: Order = (a, b) => a.keyedGroup - b.keyedGroup;
/** A peer that never answered a ping ranks as the slowest. */
const NO_PING = Number.MAX_SAFE_INTEGER;
/** Lower pings last. */
const byPing: Order = (a, b) => (b.minPingMs ?? NO_PING) - (a.minPingMs ?? NO_PING);
/** Latest novel block last; then relevant services last; then older last. */
const byBlockTime: Order = (a, b) =>
  a.lastBlockTime - b.lastBlockTime || falseFirst(a.relevantServices, b.relevantServices) ||
  youngerFirst(a, b);
/** Transaction relayers first; then as `byBlockTime`. */
const byBlockRelayOnlyTime: Order = (a, b) =>
  falseFirst(b.relayTxs, a.relayTxs) || byBlockTime(a, b);

/**
 * `list` sorted by `order`, without those of its last `k` that `eligible`
 * accepts (they are protected).
 */
function protectLast(
  list: readonly EvictionCandidate[],
  order: Order,
  k: number,
  eligible: (c: EvictionCandidate) => boolean = () => true,
): EvictionCandidate[] {
  const sorted = [...list].sort(order);
  const from = Math.max(0, sorted.length - k);
  return sorted.filter((c, i) => i < from || !eligible(c));
}

/** The disadvantaged networks of rule 6; `local` stands for loopback. */
const DISADVANTAGED: readonly (Network | "local")[] = ["cjdns", "i2p", "local", "onion"];

/** True when `c` is on disadvantaged network `net`. */
function onNetwork(c: EvictionCandidate, net: Network | "local"): boolean {
  return net === "local" ? c.isLocal : c.network === net;
}

/** Rule 6: half of `list` protected by uptime, up to a quarter of it by disadvantaged network. */
function protectByRatio(list: readonly EvictionCandidate[]): EvictionCandidate[] {
  const total = Math.floor(list.length / 2);
  const byNetworkMax = Math.floor(total / 2);
  const nets = DISADVANTAGED
    .map((net) => ({ net, count: list.filter((c) => onNetwork(c, net)).length }))
    .sort((a, b) => a.count - b.count); // stable: the rarest network recovers spare places first
  let rest = [...list];
  let done = 0;
  while (done < byNetworkMax) {
    const present = nets.filter((n) => n.count > 0).length;
    if (present === 0) break;
    const each = Math.max(Math.floor((byNetworkMax - done) / present), 1);
    let any = false;
    for (const n of nets) {
      if (n.count === 0) continue;
      const before = rest.length;
      // Members last, the oldest of them at the very end.
      const order: Order = (a, b) =>
        falseFirst(onNetwork(a, n.net), onNetwork(b, n.net)) || youngerFirst(a, b);
      rest = protectLast(rest, order, each, (c) => onNetwork(c, n.net));
      const removed = before - rest.length;
      if (removed === 0) continue;
      any = true;
      done += removed;
      if (done >= byNetworkMax) break;
      n.count -= removed;
    }
    if (!any) break;
  }
  return protectLast(rest, youngerFirst, total - done);
}

/** The id of the peer to evict, or undefined when every candidate is protected. */
export function selectEviction(candidates: readonly EvictionCandidate[]): number | undefined {
  const gaveBlocks = (c: EvictionCandidate) => c.lastBlockTime > 0;
  let rest = protectLast(candidates, byKeyedGroup, PROTECT_BY_GROUP);
  rest = protectLast(rest, byPing, PROTECT_BY_PING, (c) => c.minPingMs !== null);
  rest = protectLast(
    rest,
    byBlockRelayOnlyTime,
    PROTECT_BLOCK_RELAY_ONLY,
    (c) => !c.relayTxs && c.relevantServices && gaveBlocks(c),
  );
  rest = protectLast(rest, byBlockTime, PROTECT_BY_BLOCKS, gaveBlocks);
  rest = protectByRatio(rest);
  if (rest.length === 0) return undefined;
  if (rest.some((c) => c.preferEvict)) rest = rest.filter((c) => c.preferEvict);
  // The most crowded keyed group, a tie going to the group with the youngest peer; its youngest.
  const groups = new Map<number, EvictionCandidate[]>();
  for (const c of [...rest].sort(youngerFirst)) {
    const members = groups.get(c.keyedGroup);
    if (members === undefined) groups.set(c.keyedGroup, [c]);
    else members.push(c);
  }
  let chosen: EvictionCandidate[] = [];
  for (const members of groups.values()) {
    if (
      members.length > chosen.length ||
      (members.length === chosen.length && members[0].connectedAt > chosen[0].connectedAt)
    ) {
      chosen = members;
    }
  }
  return chosen[0]?.id;
}
