/**
 * The node's events (what `GET /events` streams and `node.events()` yields),
 * translated from what its parts report: a peer's handshake completing and
 * its connection ending (feelers are not announced), a peer evicted by one
 * of the connection manager's rules, a potentially stale tip, a block
 * accepted, a block relayed (its relay latency goes to the metrics
 * histogram), the address book saved. Bans are published where they are
 * made (`bans.ts`).
 */
import type { NodeEvent } from "../api/source.ts";
import type { ConnEvent } from "../connmgr/conn_events.ts";
import type { ConnKind } from "../connmgr/connection.ts";
import type { Peer } from "../peer/peer.ts";
import type { Clock } from "../platform/clock.ts";
import type { BlockService } from "./block_service.ts";
import type { EventBus } from "./event_bus.ts";
import type { NodeMetrics } from "./node_metrics.ts";

/** Publishes "peer.connected" when `peer`'s handshake completes and "peer.disconnected" after. */
export function publishPeerEvents(
  peer: Peer,
  kind: ConnKind,
  bus: EventBus<NodeEvent>,
  clock: Clock,
): void {
  if (kind === "feeler") return;
  let ready = false;
  peer.on("ready", () => {
    ready = true;
    bus.publish({
      type: "peer.connected",
      time: clock.now(),
      data: {
        id: peer.id,
        peer: peer.toString(),
        direction: peer.direction,
        connectionType: kind,
        userAgent: peer.stats().userAgent,
        persistent: peer.persistent,
      },
    });
  });
  peer.on("disconnected", (reason) => {
    if (!ready) return;
    bus.publish({
      type: "peer.disconnected",
      time: clock.now(),
      data: { id: peer.id, peer: peer.toString(), reason },
    });
  });
}

/** Publishes "peer.evicted" or "tip.stale" for a connection-manager event. */
export function publishConnEvent(bus: EventBus<NodeEvent>, clock: Clock, e: ConnEvent): void {
  const time = clock.now();
  if (e.type === "stale-tip") {
    const staleSeconds = Math.max(0, Math.floor((time - e.lastTipChangeAt) / 1000));
    bus.publish({
      type: "tip.stale",
      time,
      data: { lastTipChange: e.lastTipChangeAt, staleSeconds },
    });
    return;
  }
  bus.publish({
    type: "peer.evicted",
    time,
    data: { id: e.id, peer: e.peer, connectionType: e.kind, rule: e.rule, reason: e.reason },
  });
}

/**
 * Publishes "block.accepted" and "block.relayed" for the block service's
 * events, and observes each relay's latency (seconds) in the metrics.
 */
export function publishBlockEvents(
  blocks: BlockService,
  bus: EventBus<NodeEvent>,
  metrics: NodeMetrics,
  clock: Clock,
): void {
  blocks.on("accepted", (e) =>
    bus.publish({
      type: "block.accepted",
      time: e.receivedAt,
      data: { hash: e.hash, height: e.height, ...(e.from === undefined ? {} : { from: e.from }) },
    }));
  blocks.on("relayed", (e) => {
    metrics.relayLatency.observe(e.latencyMs / 1000);
    bus.publish({
      type: "block.relayed",
      time: clock.now(),
      data: { hash: e.hash, to: [...e.to] },
    });
  });
}

/** Publishes "addrman.saved" when the address book was written with `addresses` entries. */
export function publishAddrmanSaved(
  bus: EventBus<NodeEvent>,
  clock: Clock,
  addresses: number,
): void {
  bus.publish({ type: "addrman.saved", time: clock.now(), data: { addresses } });
}
