/**
 * Advertising our own address (Core's AdvertiseLocal): a listening node
 * tells each outbound peer, once its handshake completes, where it can be
 * reached — the address that peer says it sees us at (its `version`'s
 * addr_recv) with our listening port — so the network learns of nodes that
 * accept connections. Nothing is advertised when that address is not
 * routable (loopback, private ranges: the peer cannot pass it on usefully).
 */
import type { PeerDirection } from "../peer/handshake.ts";
import type { VersionMessage } from "../wire/messages/version.ts";
import type { PeerAddress } from "../wire/messages/addr.ts";
import { isRoutable } from "../wire/routability.ts";

/** What the node knows of itself. */
export interface LocalService {
  /** The port we accept peers on, or null when not listening. */
  readonly listenPort: number | null;
  /** Our service bits. */
  readonly services: bigint;
}

/**
 * Our address to advertise to a peer that completed the handshake, or null:
 * only to outbound peers, only while listening, only a routable address.
 */
export function selfAdvertisement(
  direction: PeerDirection,
  remoteVersion: VersionMessage | null,
  local: LocalService,
  nowSeconds: number,
): PeerAddress | null {
  if (direction !== "outbound" || local.listenPort === null || remoteVersion === null) return null;
  const seen = remoteVersion.addrRecv.addr;
  if (!isRoutable(seen)) return null;
  return { time: nowSeconds, services: local.services, addr: seen, port: local.listenPort };
}
