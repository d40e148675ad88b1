/**
 * Service bits a node announces in `version` and `addr` (the `NODE_*` flags
 * of Core's protocol.h), and helpers to test and print them.
 */

/** No services: what a node that serves nothing announces. */
export const NODE_NONE = 0n;
/** Serves the complete block chain. */
export const NODE_NETWORK = 1n << 0n;
/** Serves BIP37 bloom-filtered connections. */
export const NODE_BLOOM = 1n << 2n;
/** Serves witness data (BIP144). */
export const NODE_WITNESS = 1n << 3n;
/** Serves compact block filters (BIP157). */
export const NODE_COMPACT_FILTERS = 1n << 6n;
/** Serves the last 288 blocks only (BIP159). */
export const NODE_NETWORK_LIMITED = 1n << 10n;
/** Supports v2 encrypted transport (BIP324). */
export const NODE_P2P_V2 = 1n << 11n;

const NAMES: ReadonlyArray<readonly [bigint, string]> = [
  [NODE_NETWORK, "NETWORK"],
  [NODE_BLOOM, "BLOOM"],
  [NODE_WITNESS, "WITNESS"],
  [NODE_COMPACT_FILTERS, "COMPACT_FILTERS"],
  [NODE_NETWORK_LIMITED, "NETWORK_LIMITED"],
  [NODE_P2P_V2, "P2P_V2"],
];

/**
 * How many blocks behind the network we may be (by our tip's age) and still
 * take a peer that keeps only recent blocks (NODE_NETWORK_LIMITED) as an
 * outbound peer; further behind, only NODE_NETWORK peers can give us what we
 * lack. Core net_processing NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS.
 */
export const NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS = 144;

/**
 * The services we want of an automatic outbound peer announcing `services`
 * when our tip is `tipDepth` blocks old (Core `GetDesirableServiceFlags`):
 * NODE_NETWORK_LIMITED with witness for a limited peer while we are near the
 * tip, else NODE_NETWORK with witness.
 */
export function desirableServices(services: bigint, tipDepth: number): bigint {
  if (
    (services & NODE_NETWORK_LIMITED) !== 0n && tipDepth < NODE_NETWORK_LIMITED_ALLOW_CONN_BLOCKS
  ) {
    return NODE_NETWORK_LIMITED | NODE_WITNESS;
  }
  return NODE_NETWORK | NODE_WITNESS;
}

/**
 * True when a node announcing `services` keeps blocks and so is likely to
 * know good addresses (Core `MayHaveUsefulAddressDB`): gossiped addresses
 * without it are not stored, and feelers only test addresses with it.
 */
export function mayHaveUsefulAddressDb(services: bigint): boolean {
  return (services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) !== 0n;
}

/** True when `services` has every bit of `required`. */
export function hasServices(services: bigint, required: bigint): boolean {
  return (services & required) === required;
}

/** The names of the known bits in `services` (Core's `servicesnames`), e.g. `["NETWORK", "WITNESS"]`. */
export function serviceNames(services: bigint): string[] {
  return NAMES.filter(([bit]) => (services & bit) !== 0n).map(([, name]) => name);
}

/** `services` as 16 hex digits, as Core's getpeerinfo prints it. */
export function servicesHex(services: bigint): string {
  return BigInt.asUintN(64, services).toString(16).padStart(16, "0");
}
