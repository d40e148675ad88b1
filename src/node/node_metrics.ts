/**
 * The node-wide counters behind `GET /metrics` that no part keeps itself:
 * P2P traffic by command over every peer the node ever had (a peer's
 * counters are folded into running totals when it disconnects, so the totals
 * only grow), errors by kind, and the relay latency histogram.
 */
import { Histogram, RELAY_LATENCY_BUCKETS } from "../api/metrics.ts";
import type { CommandCount, MetricsSnapshot } from "../api/metrics.ts";
import type { PeerStats, TrafficStats } from "../peer/peer_stats.ts";

/**
 * The error kinds counted: `decode` a peer dropped for a malformed message,
 * `misbehaviour` a peer whose misbehaviour score reached the ban threshold,
 * `dial` an outbound connection attempt that failed, `api` a status API
 * request answered with a 5xx.
 */
export const ERROR_KINDS = ["decode", "misbehaviour", "dial", "api"] as const;
/** One error kind. */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Something with per-peer statistics (a `Peer`). */
export interface TrafficSource {
  stats(): PeerStats;
}

type Totals = Map<string, { messages: number; bytes: number }>;

function add(totals: Totals, traffic: TrafficStats): void {
  for (const [command, c] of Object.entries(traffic.perCommand)) {
    const t = totals.get(command);
    if (t === undefined) totals.set(command, { messages: c.messages, bytes: c.bytes });
    else {
      t.messages += c.messages;
      t.bytes += c.bytes;
    }
  }
}

function record(totals: Totals): Record<string, CommandCount> {
  const out: Record<string, CommandCount> = {};
  for (const [command, c] of totals) out[command] = { messages: c.messages, bytes: c.bytes };
  return out;
}

/** Traffic totals, error counts and relay latency since the node was made. */
export class NodeMetrics {
  /** Seconds from accepting a block to announcing it. */
  readonly relayLatency: Histogram = new Histogram(RELAY_LATENCY_BUCKETS);
  /** Connected peers whose traffic is counted live. */
  readonly #live = new Set<TrafficSource>();
  readonly #sent: Totals = new Map();
  readonly #received: Totals = new Map();
  readonly #errors: Record<ErrorKind, number> = { decode: 0, misbehaviour: 0, dial: 0, api: 0 };

  /** A new peer: its traffic counts from now on. */
  peerOpened(peer: TrafficSource): void {
    this.#live.add(peer);
  }

  /** A peer left: its final counters go into the running totals. */
  peerClosed(peer: TrafficSource): void {
    if (!this.#live.delete(peer)) return;
    const s = peer.stats();
    add(this.#sent, s.sent);
    add(this.#received, s.received);
  }

  /** Counts one error of `kind`. */
  countError(kind: ErrorKind): void {
    this.#errors[kind]++;
  }

  /** Messages and bytes by command: the departed peers' totals plus the live peers' counters. */
  traffic(): MetricsSnapshot["traffic"] {
    const sent: Totals = new Map();
    const received: Totals = new Map();
    for (const [command, c] of this.#sent) sent.set(command, { ...c });
    for (const [command, c] of this.#received) received.set(command, { ...c });
    for (const peer of this.#live) {
      const s = peer.stats();
      add(sent, s.sent);
      add(received, s.received);
    }
    return { sent: record(sent), received: record(received) };
  }

  /** Errors by kind (every kind present, zero included). */
  errors(): Record<ErrorKind, number> {
    return { ...this.#errors };
  }
}
