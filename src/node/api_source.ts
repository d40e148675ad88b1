/**
 * The node as the status API's `ApiSource`: status, peers, the address book
 * in pages, bans, the header chain, recent blocks and known inventory,
 * metrics, readiness, the event stream, and the control calls (connect,
 * disconnect, ban, unban, submit a block) over the node's parts. Before the
 * node has started, reads answer with what there is (the genesis chain, an
 * empty book) and control calls with 503.
 */
import type { AddrManager, KnownAddress } from "../addrmgr/addr_manager.ts";
import type { MetricsSnapshot } from "../api/metrics.ts";
import {
  type AddressPage,
  type AddressQuery,
  ApiRequestError,
  type ApiSource,
  type ConnectResult,
  type InventoryView,
  type NodeEvent,
  type NodeStatus,
  type PeerView,
  type SubmittedBlock,
} from "../api/source.ts";
import { ADDRESS_NETWORKS, type AddressNetwork } from "../api/schemas.ts";
import type { ConnManager } from "../connmgr/conn_manager.ts";
import { MAX_USER_CONNECTIONS } from "../connmgr/manual.ts";
import type { BanEntry, BanList } from "../peer/ban_list.ts";
import { servicesHex } from "../peer/services.ts";
import { type NetAddress, netAddress } from "../wire/address.ts";
import { formatAddress, parseAddress } from "../wire/address_format.ts";
import { fromHex, toHex } from "../wire/bytes.ts";
import { splitHostPort } from "../wire/host_port.ts";
import type { BlockManagerStatus } from "../sync/block_views.ts";
import type { BlockViews } from "./block_service.ts";
import type { EventBus } from "./event_bus.ts";
import type { NodeMetrics } from "./node_metrics.ts";

/** Headers listed by `GET /chain`. */
export const CHAIN_RECENT_HEADERS = 20;
/**
 * Branch tips listed by `GET /chain` (Core's getchaintips lists all; the
 * anti-DoS threshold keeps them few, and a page need show no more).
 */
export const CHAIN_TIPS = 50;
/** Blocks listed by `GET /inventory`: the recent ones, not the whole record of 1,024. */
export const INVENTORY_RECENT_BLOCKS = 50;

/** What the source reads from the node (null parts: not started yet). */
export interface NodeParts {
  readonly status: () => NodeStatus;
  readonly connmgr: () => ConnManager | null;
  readonly addrman: () => AddrManager | null;
  readonly bans: () => BanList | null;
  readonly blocks: BlockViews;
  readonly metrics: NodeMetrics;
  readonly events: EventBus<NodeEvent>;
  /** Bans `address` (peers disconnected, event published); resolves when saved. */
  readonly ban: (address: NetAddress, reason: string, durationMs?: number) => Promise<void>;
}

function notRunning(): never {
  throw new ApiRequestError(503, "the node is not running");
}

function staleCursor(): never {
  throw new ApiRequestError(
    400,
    "the cursor is no longer valid (its address left the address book); list again without one",
    "cursor",
  );
}

type NetworkCounts = AddressPage["counts"];

function emptyCounts(): NetworkCounts {
  const counts = {} as Record<AddressNetwork, { new: number; tried: number }>;
  for (const n of ADDRESS_NETWORKS) counts[n] = { new: 0, tried: 0 };
  return counts;
}

/** The cursor after `a`: `network.hexbytes.port` (opaque to clients). */
function cursorOf(a: KnownAddress): string {
  return `${a.addr.network}.${toHex(a.addr.bytes)}.${a.port}`;
}

/** The address and port a cursor names, or undefined when it is not one of ours. */
function parseCursor(cursor: string): { addr: NetAddress; port: number } | undefined {
  const parts = cursor.split(".");
  if (parts.length !== 3) return undefined;
  const [network, hex, portText] = parts;
  const port = Number(portText);
  if (!(ADDRESS_NETWORKS as readonly string[]).includes(network)) return undefined;
  if (!/^[0-9]{1,5}$/.test(portText) || port > 65535) return undefined;
  try {
    return { addr: netAddress(network as AddressNetwork, fromHex(hex)), port };
  } catch {
    return undefined;
  }
}

function addressItem(a: KnownAddress): AddressPage["items"][number] {
  return {
    address: formatAddress(a.addr),
    port: a.port,
    services: servicesHex(a.services),
    table: a.tried ? "tried" : "new",
    network: a.addr.network as AddressNetwork,
    ...(a.lastSuccess > 0 ? { lastSuccess: a.lastSuccess * 1000 } : {}),
    attempts: a.attempts,
  };
}

/** One page of `book` for `query`. */
function addressPage(book: AddrManager | null, query: AddressQuery): AddressPage {
  const after = query.cursor === undefined ? undefined : parseCursor(query.cursor) ?? staleCursor();
  if (book === null) {
    if (after !== undefined) staleCursor();
    return { counts: emptyCounts(), needMoreAddresses: true, items: [] };
  }
  const list = book.list(after) ?? staleCursor();
  const items: AddressPage["items"] = [];
  let nextCursor: string | undefined;
  if (query.limit > 0) {
    let last: KnownAddress | undefined;
    for (const a of list) {
      if (query.table !== undefined && (a.tried ? "tried" : "new") !== query.table) continue;
      if (query.network !== undefined && a.addr.network !== query.network) continue;
      if (items.length === query.limit) {
        nextCursor = cursorOf(last!);
        break;
      }
      items.push(addressItem(a));
      last = a;
    }
  }
  const stats = book.stats();
  return {
    counts: stats.byNetwork,
    needMoreAddresses: stats.needMoreAddresses,
    items,
    ...(nextCursor === undefined ? {} : { nextCursor }),
  };
}

/** The header chain's figures in `/metrics`. */
function blockMetrics(
  s: BlockManagerStatus,
): Pick<
  MetricsSnapshot,
  "headerHeight" | "headersStored" | "headersBelowThreshold" | "blockStore" | "blocksServed"
> {
  return {
    headerHeight: s.tip.height,
    headersStored: s.headersStored,
    headersBelowThreshold: s.counters.headersBelowThreshold,
    blockStore: { blocks: s.blockStore.count, bytes: s.blockStore.bytes },
    blocksServed: {
      memory: s.counters.blocksServed - s.counters.blocksServedFromDisk,
      disk: s.counters.blocksServedFromDisk,
    },
  };
}

/** An `ApiSource` over the node's parts. */
export function nodeApiSource(parts: NodeParts): ApiSource {
  const connections = () => parts.connmgr()?.connections() ?? [];
  const peerStats = (): PeerView[] =>
    connections().map((c) => ({ ...c.peer.stats(), connectionType: c.kind }));
  return {
    status: parts.status,
    peers: peerStats,
    peer: (id) => peerStats().find((p) => p.id === id),
    addresses: (query) => addressPage(parts.addrman(), query),
    bans: () => parts.bans()?.entries() ?? [],
    chain: () => {
      const { tip: { hash, height }, headersStored, blockStore } = parts.blocks.status();
      return {
        tip: { hash, height },
        headersStored,
        tips: parts.blocks.chainTips(CHAIN_TIPS),
        recent: parts.blocks.recentHeaders(CHAIN_RECENT_HEADERS),
        blocks: blockStore,
      };
    },
    inventory: (): InventoryView => ({
      recentBlocks: parts.blocks.recentBlocks(INVENTORY_RECENT_BLOCKS).map((b) => ({
        hash: b.hash,
        receivedAt: b.receivedAt,
        ...(b.from === undefined ? {} : { from: b.from }),
        relayedTo: [...b.relayedTo],
      })),
      knownInventory: connections().map(({ peer }) => ({
        peer: peer.toString(),
        size: peer.known.size,
        limit: peer.known.limit,
      })),
    }),
    metrics: (): MetricsSnapshot => {
      let inbound = 0;
      let outbound = 0;
      for (const c of connections()) {
        if (c.peer.direction === "inbound") inbound++;
        else outbound++;
      }
      return {
        peers: { inbound, outbound },
        traffic: parts.metrics.traffic(),
        addrman: parts.addrman()?.stats().byNetwork ?? emptyCounts(),
        ...blockMetrics(parts.blocks.status()),
        relayLatency: parts.metrics.relayLatency.snapshot(),
        bans: parts.bans()?.entries().length ?? 0,
        errors: parts.metrics.errors(),
      };
    },
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
      switch (connmgr.connect({ host, port }, persistent)) {
        case "stopping":
          return notRunning();
        case "duplicate":
          throw new ApiRequestError(409, `already connecting or connected to ${target}`);
        case "limit":
          throw new ApiRequestError(
            409,
            `at most ${MAX_USER_CONNECTIONS} user-requested connections; disconnect one first`,
          );
        case "started":
          return Promise.resolve({ status: "connecting" });
      }
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
      const entry = bans.entries().find((e) => e.address === address);
      // Gone already only when the list was full and this ban ended soonest, or it was so
      // short that it expired while being saved.
      if (entry === undefined) {
        throw new ApiRequestError(409, `the ban of ${address} ended before it could be listed`);
      }
      return entry;
    },
    unban: (address) => (parts.bans() ?? notRunning()).unban(parseAddress(address)),
    submitBlock: (block) =>
      Promise.resolve().then((): SubmittedBlock => {
        const result = parts.blocks.submit(block) ?? notRunning();
        if (result.status === "rejected") {
          throw new ApiRequestError(400, `block rejected (${result.reason}): ${result.message}`);
        }
        return result;
      }),
    events: (signal) => parts.events.subscribe(signal),
  };
}
