/**
 * The node as the status API's `ApiSource`: peers, bans, readiness, the
 * event stream and the control calls (connect, disconnect, ban, unban) over
 * the connection manager, the ban list and the event bus. Parts that belong
 * to rooms not wired into the node yet answer 503 saying so (the
 * address-book pages, inventory and metrics); the chain view shows the
 * block room's tip only.
 */
import {
  ApiRequestError,
  type ApiSource,
  type ConnectResult,
  type NodeEvent,
} from "../api/source.ts";
import type { ConnManager } from "../connmgr/conn_manager.ts";
import type { BanEntry, BanList } from "../peer/ban_list.ts";
import type { PeerStats } from "../peer/peer_stats.ts";
import type { NetAddress } from "../wire/address.ts";
import { parseAddress } from "../wire/address_format.ts";
import { splitHostPort } from "../wire/host_port.ts";
import type { BlockRoom } from "./block_room.ts";
import type { EventBus } from "./event_bus.ts";
import type { NodeStatus } from "./status.ts";

/** What the source reads from the node (null parts: not started yet). */
export interface NodeParts {
  readonly status: () => NodeStatus;
  readonly connmgr: () => ConnManager | null;
  readonly bans: () => BanList | null;
  readonly blocks: BlockRoom;
  readonly events: EventBus<NodeEvent>;
  /** Bans `address` (peers disconnected, event published); resolves when saved. */
  readonly ban: (address: NetAddress, reason: string, durationMs?: number) => Promise<void>;
}

function notWired(what: string): never {
  throw new ApiRequestError(503, `${what} is not available in this build yet`);
}

function notRunning(): never {
  throw new ApiRequestError(503, "the node is not running");
}

/** An `ApiSource` over the node's parts. */
export function nodeApiSource(parts: NodeParts): ApiSource {
  const peerStats = (): PeerStats[] =>
    (parts.connmgr()?.connections() ?? []).map((c) => c.peer.stats());
  return {
    status: parts.status,
    peers: peerStats,
    peer: (id) => peerStats().find((p) => p.id === id),
    addresses: () => notWired("the address book listing"),
    bans: () => parts.bans()?.entries() ?? [],
    chain: () => {
      const tip = parts.blocks.tip();
      return { tip: { hash: tip.hash, height: tip.height }, recent: [] };
    },
    inventory: () => notWired("the inventory view"),
    metrics: () => notWired("metrics"),
    ready: () => {
      const s = parts.status();
      const reasons: string[] = [];
      if (s.state !== "running") reasons.push(`the node is ${s.state}`);
      if (s.peers.inbound + s.peers.outbound === 0) reasons.push("no peer is connected");
      return { ready: reasons.length === 0, reasons };
    },
    connect: (target, persistent): Promise<ConnectResult> => {
      const connmgr = parts.connmgr() ?? notRunning();
      const { host, port } = splitHostPort(target);
      if (!connmgr.connect({ host, port }, persistent)) notRunning();
      return Promise.resolve({ status: "connecting" });
    },
    disconnectPeer: (id) =>
      Promise.resolve(parts.connmgr()?.disconnect(id, "disconnected through the API") ?? false),
    ban: async (address, durationSeconds, reason): Promise<BanEntry> => {
      const bans = parts.bans() ?? notRunning();
      await parts.ban(
        parseAddress(address),
        reason ?? "banned through the API",
        durationSeconds === undefined ? undefined : durationSeconds * 1000,
      );
      return bans.entries().find((e) => e.address === address)!;
    },
    unban: (address) => (parts.bans() ?? notRunning()).unban(parseAddress(address)),
    events: (signal) => parts.events.subscribe(signal),
  };
}
