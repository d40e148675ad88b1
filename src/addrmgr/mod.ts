/**
 * The address book room: what the node and the connection manager import.
 * `AddrManager` keeps the tables and peers.json; `AddrGossip` handles
 * addr/addrv2/getaddr with peers on top of it.
 */
export {
  AddrManager,
  type AddrManagerOptions,
  type AddrManagerStats,
  type GetAddressesOptions,
  type KnownAddress,
  type LoadOutcome,
  NEED_MORE_ADDRESSES_BELOW,
  SAVE_INTERVAL_MS,
} from "./addr_manager.ts";
export {
  AddrGossip,
  type AddrGossipOptions,
  type AddrReceipt,
  type GetaddrAnswer,
  type GossipPeer,
  type GossipStats,
  type RelayOrder,
} from "./gossip.ts";
export { DEFAULT_OUTBOUND_TARGET, type SelectOptions, triedShare } from "./select.ts";
export { bucketPosition, newBucket, serviceKey, triedBucket } from "./buckets.ts";
export { getChance, isTerrible } from "./entry.ts";
export { PEERS_KEY } from "./persist.ts";
export type { NetworkCounts } from "./tables.ts";
export type { TableNetwork } from "./entry.ts";
