/**
 * The node's status snapshot (`GET /status`, `node.status()`), assembled
 * from its parts: connections by kind (Core's connection-type names),
 * listeners, the API address, the block side's tip and header sync, the
 * address book's sizes, bans and memory. Parts not started yet count as
 * empty.
 */
import type { NodeStatus } from "../api/source.ts";
import { CONN_KINDS, type ConnectionInfo, type ConnKind } from "../connmgr/connection.ts";
import type { HostPort } from "../platform/conn.ts";
import { formatEndpoint } from "../wire/host_port.ts";
import type { BlockViews } from "./block_service.ts";

/** What the status is made of. */
export interface StatusParts {
  readonly network: string;
  readonly version: string;
  readonly runtime: string;
  readonly state: NodeStatus["state"];
  readonly uptimeSeconds: number;
  /** Every connection (none before start). */
  readonly connections: readonly ConnectionInfo[];
  readonly listening: readonly HostPort[];
  /** Where the API listens, or null. */
  readonly api: HostPort | null;
  readonly blocks: BlockViews;
  /** The address book's table sizes (absent before start). */
  readonly book:
    | { readonly new: number; readonly tried: number; readonly total: number }
    | undefined;
  /** Bans in force. */
  readonly bans: number;
  readonly memory: NodeStatus["memory"];
}

/** The node at a glance, from its parts. */
export function nodeStatus(p: StatusParts): NodeStatus {
  let persistent = 0;
  const byConnectionType = Object.fromEntries(
    Object.keys(CONN_KINDS).map((k) => [k, 0]),
  ) as Record<ConnKind, number>;
  for (const c of p.connections) {
    byConnectionType[c.kind]++;
    if (c.persistent) persistent++;
  }
  const inbound = byConnectionType.inbound;
  const blocks = p.blocks.status();
  const sync = blocks.headerSync;
  return {
    network: p.network,
    version: p.version,
    runtime: p.runtime,
    state: p.state,
    uptimeSeconds: p.uptimeSeconds,
    listening: p.listening.map(formatEndpoint),
    api: p.api === null ? null : formatEndpoint(p.api),
    peers: {
      inbound,
      outbound: p.connections.length - inbound,
      persistent,
      feeler: byConnectionType.feeler,
      byConnectionType,
      list: p.connections.map(({ peer, kind }) => ({
        id: peer.id,
        peer: peer.toString(),
        connectionType: kind,
        state: peer.state,
        userAgent: peer.remoteVersion?.userAgent ?? null,
        version: peer.remoteVersion?.version ?? null,
        startHeight: peer.remoteVersion?.startHeight ?? null,
      })),
    },
    chain: { height: blocks.tip.height, bestHash: blocks.tip.hash },
    sync: {
      height: blocks.tip.height,
      bestPeerHeight: sync.bestPeerHeight,
      headersPerSecond: sync.headersPerSecond,
      caughtUp: sync.caughtUp,
      presync: sync.presync,
    },
    addrman: { new: p.book?.new ?? 0, tried: p.book?.tried ?? 0, total: p.book?.total ?? 0 },
    bans: p.bans,
    memory: p.memory,
  };
}
